#ifndef QUOTEWIRE_CLUSTER_H
#define QUOTEWIRE_CLUSTER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "qw.h"

/* Quote clusters: the same quotation carried by several articles (wire
 * copy, syndication, follow-ups quoting it again) is one cluster.
 *
 * Two quotes are the same quotation when their normalised word sequences
 * are equal, or one is the other with its first or its last word trimmed.
 * Normalising drops quotation marks, punctuation and whitespace, folds
 * ASCII case and joins apostrophes inside words ("don't" = "don’t" =
 * "dont"); words are runs of letters and digits (any non-ASCII byte that
 * is not typographic punctuation counts as a letter, unfolded).  Quotes of
 * fewer than CLUSTER_MIN_WORDS words are not clustered (a two-word scare
 * quote in a thousand articles is not one quotation); the trimmed forms
 * are used only from CLUSTER_TRIM_WORDS words.
 *
 * Each quote stores its cluster_id: the cluster_id of the earliest quote
 * it matches, else its own id.  So a cluster is named by the id of its
 * first quote (which may since have been deleted: the id is a label).
 * The keys live in table quote_keys (migration 0006). */

#define CLUSTER_MIN_WORDS 4
#define CLUSTER_TRIM_WORDS 6

/* The keys of text[0..len): keys[0] the whole normalised sequence, then
 * (from CLUSTER_TRIM_WORDS words) keys[1] without the first word and
 * keys[2] without the last.  Returns how many keys it wrote: 0 (too
 * short to cluster), 1 or 3.  Pure; any bytes. */
int cluster_keys(const char *text, size_t len, int64_t keys[3]);

/* Prepared statements on one read-write connection; one thread. */
struct cluster;
qw_status cluster_new(sqlite3 *db, struct cluster **out);
void cluster_free(struct cluster *c); /* accepts NULL */

/* Stores the keys of quote id (whose text is text[0..len)) and sets its
 * cluster_id.  Call once, right after inserting the quote, inside the
 * caller's transaction. */
qw_status cluster_assign(struct cluster *c, int64_t id, const char *text, size_t len);

/* Assigns every quote whose cluster_id is NULL, in id order (migration
 * 0006 runs it on existing databases, inside its transaction). */
qw_status cluster_backfill(sqlite3 *db);

#endif
