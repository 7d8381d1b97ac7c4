-- quotewire schema, version 2: which extractor produced each article's
-- people, mentions and quotes (EXTRACT_VERSION in include/extract.h).
-- Articles stored before this column existed came from version 1;
-- `quotewire reextract` brings older articles up to the running extractor.
ALTER TABLE articles ADD COLUMN extract_version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX articles_extract_version ON articles(extract_version);
