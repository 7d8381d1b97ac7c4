-- Aggregates (server/db/query_stats.c): quotes and mentions carry a copy
-- of their article's date, source and section, so that counting them by
-- day, source or section reads one index instead of looking up an article
-- for every row (a million quotes: one pass over an index rather than a
-- million article lookups).
--
-- The copies are written with the row (store.c inserts them from the
-- article) and follow the article when its metadata changes (the trigger
-- below: a load that fills a missing source or section).  An article's
-- date and metadata never change otherwise; rows of a deleted article go
-- with it.

ALTER TABLE quotes ADD COLUMN pub_day TEXT;
ALTER TABLE quotes ADD COLUMN pub_source TEXT COLLATE NOCASE;
ALTER TABLE quotes ADD COLUMN pub_section TEXT COLLATE NOCASE;
ALTER TABLE mentions ADD COLUMN pub_day TEXT;
ALTER TABLE mentions ADD COLUMN pub_source TEXT COLLATE NOCASE;
ALTER TABLE mentions ADD COLUMN pub_section TEXT COLLATE NOCASE;

UPDATE quotes SET (pub_day, pub_source, pub_section) =
    (SELECT a.published, a.source, a.section FROM articles a WHERE a.id = quotes.article_id);
UPDATE mentions SET (pub_day, pub_source, pub_section) =
    (SELECT a.published, a.source, a.section FROM articles a WHERE a.id = mentions.article_id);

CREATE TRIGGER articles_meta_au AFTER UPDATE OF published, source, section ON articles
WHEN old.published IS NOT new.published OR old.source IS NOT new.source
     OR old.section IS NOT new.section
BEGIN
    UPDATE quotes SET pub_day = new.published, pub_source = new.source, pub_section = new.section
        WHERE article_id = new.id;
    UPDATE mentions SET pub_day = new.published, pub_source = new.source,
        pub_section = new.section WHERE article_id = new.id;
END;

-- Counting by day (the time series), and by day within a source or a
-- section; kind and speaker ride along so that those splits and the
-- speaker's gender need no table row.
CREATE INDEX quotes_day ON quotes(pub_day, kind, speaker_person_id);
CREATE INDEX quotes_source_day ON quotes(pub_source, pub_day, speaker_person_id);
CREATE INDEX quotes_section_day ON quotes(pub_section, pub_day, speaker_person_id);
CREATE INDEX mentions_day ON mentions(pub_day, person_id);
CREATE INDEX mentions_source_day ON mentions(pub_source, pub_day, person_id);
CREATE INDEX mentions_section_day ON mentions(pub_section, pub_day, person_id);
-- Articles by day within a source or a section.
CREATE INDEX articles_source_day ON articles(source COLLATE NOCASE, published);
CREATE INDEX articles_section_day ON articles(section, published);
