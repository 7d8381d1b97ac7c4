#ifndef QUOTEWIRE_STORE_H
#define QUOTEWIRE_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "extract.h"
#include "ingest.h"
#include "qw.h"

/* Writing articles, with the people and quotes extracted from them.
 * Callers own transactions: store_begin/store_commit/store_rollback wrap
 * BEGIN IMMEDIATE/COMMIT/ROLLBACK, so the loader can batch many articles
 * in one transaction and POST /articles can use one per request.
 *
 * A struct store holds prepared statements for one read-write connection;
 * it does not own the connection.  One thread at a time. */

struct store;

/* Prepares the statements on db.  *out is freed with store_free. */
qw_status store_new(sqlite3 *db, struct store **out);
void store_free(struct store *st); /* accepts NULL */

qw_status store_begin(struct store *st);
qw_status store_commit(struct store *st);
void store_rollback(struct store *st);

/* Inserts article a (path may be NULL) with extraction result x, linking
 * people by canonical name (one person across articles) and keeping the
 * people's article and quote counts.  If an article with the same content
 * hash exists, nothing changes, *created is 0 and *id is the existing
 * article's id; otherwise *created is 1.  Must run inside a transaction. */
qw_status store_article(struct store *st, const struct article *a, const char *path,
                        const struct extract_result *x, int64_t *id, int *created);

/* Looks up an article id by the content hash of text[0..len) (0 if none). */
qw_status store_find_by_text(struct store *st, const char *text, size_t len, int64_t *id);

/* Deletes an article, its mentions and quotes; people left with no mention
 * and no quote are deleted too; counts are kept.  QW_ERR_NOT_FOUND if no
 * such article.  Must run inside a transaction. */
qw_status store_delete_article(struct store *st, int64_t id);

/* Totals for the loader's summary. */
qw_status store_counts(struct store *st, int64_t *articles, int64_t *people, int64_t *quotes);

#endif
