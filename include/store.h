#ifndef QUOTEWIRE_STORE_H
#define QUOTEWIRE_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "curate.h"
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

/* The connection and the corrections the store writes with (curate.h),
 * for corrections.h's edits, which run in the store's transactions. */
sqlite3 *store_db(struct store *st);
struct curate *store_curate(struct store *st);
qw_status store_commit(struct store *st);
void store_rollback(struct store *st);

/* Inserts article a (path may be NULL) with extraction result x (of
 * a->text, by this program's extractor: the article's extract_version is
 * extract_version()), linking people by canonical name (one person across
 * articles) and keeping the people's article and quote counts.  A person
 * counts an article when a mention or a quote of theirs is stored for it.
 * a->source and a->section are stored with it; path should be relative to
 * what the user loaded (the API shows it).  If an article with the same
 * content hash exists, *created is 0 and *id is the existing article's id,
 * and only what it lacks is filled in: a NULL source or section from a,
 * and path when the stored one is NULL, absolute or holds ".." (stored by
 * loads before schema 4); its text and extraction stay.  Otherwise
 * *created is 1.  Users' corrections for that text (curate.h) are put
 * over x before it is written, here and in store_reextract.  Must run
 * inside a transaction. */
qw_status store_article(struct store *st, const struct article *a, const char *path,
                        const struct extract_result *x, int64_t *id, int *created);

/* Looks up an article id by the content hash of text[0..len) (0 if none). */
qw_status store_find_by_text(struct store *st, const char *text, size_t len, int64_t *id);

/* Deletes an article, its mentions and quotes; people left with no mention
 * and no quote are deleted too; counts are kept, and aliases no mention
 * uses any more are dropped.  QW_ERR_NOT_FOUND if no such article.  Must
 * run inside a transaction. */
qw_status store_delete_article(struct store *st, int64_t id);

/* Copies the stored text of article id into *text (NUL-terminated, the
 * caller frees it; text may be NULL to ask only for the version) and its
 * extract_version into *version (may be NULL).  QW_ERR_NOT_FOUND if there
 * is no such article.  Works on a read-only connection too. */
qw_status store_article_text(struct store *st, int64_t id, char **text, size_t *len,
                             int *version);

/* What replacing one article's extraction changed.  Quotes are matched by
 * span: a quote at the same start and end keeps its id. */
struct store_diff {
    int64_t quotes_before, quotes_after;
    int64_t quotes_added, quotes_removed;  /* spans found / no longer found */
    int64_t speakers_changed;              /* same span, another speaker */
    int64_t quotes_updated;                /* same span and speaker; another
                                              kind, cue or confidence */
    int64_t mentions_before, mentions_after;
    int64_t people_removed;                /* deleted: nothing of theirs is left */
    int64_t corrections_orphaned;          /* quote corrections whose span the
                                              extraction no longer finds */
};

/* Replaces the mentions, quotes and person links of article id with x,
 * extract_run's result on text[0..len), which must be the article's stored
 * text (store_article_text): if it is not (the article was deleted and its
 * id reused meanwhile), QW_ERR_NOT_FOUND and nothing changes.  Sets the
 * article's extract_version to extract_version().  People, counts and aliases are kept as store_article
 * and store_delete_article keep them: new people are added, people left
 * with nothing are deleted, and people and quotes that stay keep their
 * ids.  Roles only accumulate (as on delete: they are not tied to an
 * article).  *diff (may be NULL) receives what changed.  QW_ERR_NOT_FOUND
 * if no such article.  Must run inside a transaction. */
qw_status store_reextract(struct store *st, int64_t id, const char *text, size_t len,
                          const struct extract_result *x, struct store_diff *diff);

/* Totals for the loader's summary. */
qw_status store_counts(struct store *st, int64_t *articles, int64_t *people, int64_t *quotes);

#endif
