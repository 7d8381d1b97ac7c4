-- Corrections: what users changed, kept apart from what the extractor
-- found, so that it survives re-extraction, loading the same files again
-- and deleting and posting an article again.
--
-- corrections is the audit trail: one row per change, never rewritten.
-- quote_edits, person_edits and person_redirects are what the trail adds
-- up to, keyed by what stays when ids do not: an article's content hash and
-- a quote's span, a person's folded name (people.name_key).  The store
-- applies them on top of every extraction it writes (server/db/curate.c).

CREATE TABLE corrections (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,  -- SHA-256 of the change: import is idempotent
    at           TEXT NOT NULL,         -- UTC, ISO 8601
    actor        TEXT NOT NULL,         -- the API key's name
    target       TEXT NOT NULL CHECK (target IN ('quote', 'person')),
    target_id    INTEGER,               -- the quote's or person's id when it was made
    field        TEXT NOT NULL
                 CHECK (field IN ('speaker', 'kind', 'status', 'name', 'gender', 'merge')),
    before       TEXT,                  -- JSON
    after        TEXT,                  -- JSON
    article_hash TEXT,                  -- quote: the article's content hash
    span_start   INTEGER,               --        and the quote's span in its text
    span_end     INTEGER,
    person_key   TEXT,                  -- person: the name key it had
    into_key     TEXT                   -- merge: the survivor's name key
);
CREATE INDEX corrections_quote ON corrections(article_hash, span_start, span_end);
CREATE INDEX corrections_actor ON corrections(actor, id);
CREATE INDEX corrections_at ON corrections(at, id);

-- The edits that apply to one quote span of one article text.  speaker_set:
-- the speaker below replaces the extractor's (speaker_key: a person, by name
-- key; else speaker is free text, or NULL for no speaker).  matched: the
-- last extraction of that text found the span (0: the edit is orphaned).
CREATE TABLE quote_edits (
    article_hash TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    speaker_set  INTEGER NOT NULL DEFAULT 0,
    speaker      TEXT,
    speaker_key  TEXT,
    kind         TEXT CHECK (kind IN ('direct', 'partial')),
    status       TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'rejected')),
    matched      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (article_hash, start, end)
) WITHOUT ROWID;
CREATE INDEX quote_edits_speaker ON quote_edits(speaker_key);
-- the orphaned ones, counted by /health and /metrics
CREATE INDEX quote_edits_unmatched ON quote_edits(article_hash) WHERE matched = 0;

-- A person's corrected name and gender ('unknown' clears it), by name key.
CREATE TABLE person_edits (
    key    TEXT PRIMARY KEY,
    name   TEXT,
    gender TEXT CHECK (gender IN ('male', 'female', 'unknown'))
) WITHOUT ROWID;

-- Names that now belong to another person (merged, or renamed): an
-- extracted person whose name key is from_key is stored as to_key's.
CREATE TABLE person_redirects (
    from_key TEXT PRIMARY KEY,
    to_key   TEXT NOT NULL,
    to_name  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX person_redirects_to ON person_redirects(to_key);

-- the trail's length, kept as the other totals are (migration 0009)
INSERT INTO counters (name, n) VALUES ('corrections', 0);
CREATE TRIGGER counters_corrections_ai AFTER INSERT ON corrections
BEGIN UPDATE counters SET n = n + 1 WHERE name = 'corrections'; END;

ALTER TABLE quotes ADD COLUMN curated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN extracted_speaker TEXT;  -- curated: what the extractor said
ALTER TABLE people ADD COLUMN curated INTEGER NOT NULL DEFAULT 0;
