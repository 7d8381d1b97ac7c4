-- Quote clusters (include/cluster.h): one quotation carried by several
-- articles.  cluster_id is filled for existing quotes by cluster_backfill,
-- which db_migrate runs right after this file in the same transaction.
ALTER TABLE quotes ADD COLUMN cluster_id INTEGER;
CREATE INDEX quotes_cluster ON quotes(cluster_id, article_id);

-- Normalised word-sequence hashes of each quote: full = 1 for the whole
-- quote, 0 for it without its first or last word.
CREATE TABLE quote_keys (
    key       INTEGER NOT NULL,
    quote_id  INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    full      INTEGER NOT NULL,
    PRIMARY KEY (key, quote_id)
) WITHOUT ROWID;
CREATE INDEX quote_keys_quote ON quote_keys(quote_id);
