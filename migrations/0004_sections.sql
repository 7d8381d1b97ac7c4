-- quotewire schema, version 4: where an article sits in its collection.
--
-- section: the topic folder it was loaded from (`quotewire load` takes the
-- first folder level below the folder given: bbc/business/001.txt is in
-- section "business"), or front matter's "section:", or what POST
-- /articles was given.  The column collates NOCASE, so `section = ?`,
-- GROUP BY section and the index below all compare ASCII letters without
-- case ("Business" and "business" are one section) and the filter can use
-- the index.  Articles stored before this version have no section (NULL):
-- nothing here can know the folder they came from; loading the same files
-- again with this version fills in what is missing (see README).
ALTER TABLE articles ADD COLUMN section TEXT COLLATE NOCASE;
CREATE INDEX articles_section ON articles(section, id);

-- source keeps its BINARY column, but the filter compares it NOCASE
-- (`source = ? COLLATE NOCASE`), which a BINARY index cannot serve: the
-- index is rebuilt with the collation the filter (and a GROUP BY source
-- COLLATE NOCASE) uses.
DROP INDEX articles_source;
CREATE INDEX articles_source ON articles(source COLLATE NOCASE, id);
