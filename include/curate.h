#ifndef QUOTEWIRE_CURATE_H
#define QUOTEWIRE_CURATE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "qw.h"

/* Corrections applied on top of extraction (migration 0011).  The store
 * runs every article it writes (load, POST, reextract, an edit) through a
 * plan: what the extractor found, with the users' corrections for that
 * text put over it: merged and renamed people stored under their
 * survivor's name, quote speakers and kinds replaced, rejected quotes left
 * out.  The corrections themselves are written by corrections.h.
 *
 * A struct curate holds statements on the store's read-write connection;
 * it does not own the connection.  One thread at a time. */

struct curate;

qw_status curate_new(sqlite3 *db, struct curate **out);
void curate_free(struct curate *c); /* accepts NULL */

/* Notes which kinds of corrections the database holds, so that a database
 * without any pays one query per transaction and nothing per article.
 * The store calls it at each BEGIN; corrections.h after each change. */
qw_status curate_refresh(struct curate *c);

/* A quote the plan changed, for curate_finish to mark. */
struct curate_mark {
    size_t start, end;
    char *extracted_speaker; /* what the extractor said (owned), or NULL */
};

struct curate_plan {
    char hex[65];                /* the text's content hash */
    struct extract_result x;     /* what to store: shares the original's strings */
    int copied;                  /* x's arrays are the plan's own */
    char **owned;                /* strings the plan allocated */
    size_t nowned;
    struct curate_mark *marks;
    size_t nmarks;
    struct qe *edits;            /* the quote edits of this text (curate.c) */
    size_t nedits;
    int person_edits;            /* some person of this article has edits */
};

/* Plans the store of x, the extraction of the article text whose content
 * hash is hex.  plan->x is x itself when no correction applies.  Free with
 * curate_plan_free (also after a failure). */
qw_status curate_plan(struct curate *c, const char *hex, const struct extract_result *x,
                      struct curate_plan *plan);

/* After article aid was written from plan: marks its curated quotes
 * (curated, extracted_speaker), puts person edits back over its people
 * (a name's gender that an extraction filled in again), and records which
 * of the text's quote edits the extraction still found.  *orphaned (may be
 * NULL) receives how many edits it no longer found that it found before. */
qw_status curate_finish(struct curate *c, int64_t aid, const struct curate_plan *plan,
                        int64_t *orphaned);

void curate_plan_free(struct curate_plan *plan);

#endif
