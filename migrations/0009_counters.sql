-- Row counts kept, not counted: /health and /metrics read them on every
-- request, and count(*) over a million-article database reads whole
-- indexes (68 ms for the four tables).  Each table's count is one row of
-- counters, moved in the transaction of the write that changes the table,
-- so it is exact for every reader that sees that write: by triggers for
-- articles and people (a row or two per article), and by the store itself
-- for quotes and mentions (store.c, one update per article instead of a
-- trigger per row, which cost 8% of a load).

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO counters (name, n)
    SELECT 'articles', count(*) FROM articles
    UNION ALL SELECT 'people', count(*) FROM people
    UNION ALL SELECT 'quotes', count(*) FROM quotes
    UNION ALL SELECT 'mentions', count(*) FROM mentions;

CREATE TRIGGER counters_articles_ai AFTER INSERT ON articles
BEGIN UPDATE counters SET n = n + 1 WHERE name = 'articles'; END;
CREATE TRIGGER counters_articles_ad AFTER DELETE ON articles
BEGIN UPDATE counters SET n = n - 1 WHERE name = 'articles'; END;
CREATE TRIGGER counters_people_ai AFTER INSERT ON people
BEGIN UPDATE counters SET n = n + 1 WHERE name = 'people'; END;
CREATE TRIGGER counters_people_ad AFTER DELETE ON people
BEGIN UPDATE counters SET n = n - 1 WHERE name = 'people'; END;
