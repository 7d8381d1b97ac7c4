-- quotewire schema, version 1.
-- Offsets (start, end) are byte offsets into articles.text, end exclusive.

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    dateline      TEXT,
    published     TEXT,                 -- YYYY-MM-DD, or NULL when unknown
    source        TEXT,
    url           TEXT,
    author        TEXT,
    image_credit  TEXT,
    path          TEXT,                 -- file it was loaded from; NULL if POSTed
    text          TEXT NOT NULL,        -- headline and body, as extracted
    body_start    INTEGER NOT NULL DEFAULT 0,
    content_hash  TEXT NOT NULL UNIQUE, -- SHA-256 of text: loading is idempotent
    ingested_at   TEXT NOT NULL         -- UTC, ISO 8601
);
CREATE INDEX articles_published ON articles(published, id);
CREATE INDEX articles_source ON articles(source, id);

CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,       -- canonical full name
    name_key       TEXT NOT NULL UNIQUE,-- lower-cased name: one person across articles
    gender         TEXT,                -- 'male', 'female' or NULL
    article_count  INTEGER NOT NULL DEFAULT 0,
    quote_count    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX people_name ON people(name COLLATE NOCASE, id);
CREATE INDEX people_quotes ON people(quote_count, id);
CREATE INDEX people_articles ON people(article_count, id);

CREATE TABLE person_roles (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
) WITHOUT ROWID;

CREATE TABLE person_aliases (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    PRIMARY KEY (person_id, alias)
) WITHOUT ROWID;

CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions(article_id, person_id);
CREATE INDEX mentions_person ON mentions(person_id, article_id);

CREATE TABLE quotes (
    id                 INTEGER PRIMARY KEY,
    article_id         INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start              INTEGER NOT NULL,
    end                INTEGER NOT NULL,
    text               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('direct', 'partial')),
    speaker            TEXT,            -- display name: person or organisation
    speaker_person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    cue                TEXT,
    confidence         REAL NOT NULL DEFAULT 0
);
CREATE INDEX quotes_article ON quotes(article_id, id);
CREATE INDEX quotes_person ON quotes(speaker_person_id, id);
CREATE INDEX quotes_kind ON quotes(kind, id);

-- Full-text search over article and quote text (external content tables,
-- kept in step by triggers).
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END;

CREATE VIRTUAL TABLE quotes_fts USING fts5(
    text, content='quotes', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
