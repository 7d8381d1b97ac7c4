-- New articles and quotes are added to their full-text indexes by the
-- store, together before each commit (server/db/store.c, struct pending),
-- not by a trigger per row: SQLite 3.40's FTS5 writes its pending terms to
-- disk at every statement savepoint, and each trigger-firing insert opens
-- one, so the triggers made a segment per quote.  Deletes keep their
-- triggers (a deleted row must leave the index with the values it had).
DROP TRIGGER IF EXISTS articles_ai;
DROP TRIGGER IF EXISTS quotes_ai;
