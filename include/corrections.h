#ifndef QUOTEWIRE_CORRECTIONS_H
#define QUOTEWIRE_CORRECTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "qw.h"
#include "store.h"

/* Users' corrections (migration 0011): each change is a row of the audit
 * trail (corrections) and updates what the trail adds up to (quote_edits,
 * person_edits, person_redirects), keyed by what survives re-processing:
 * the article's content hash and the quote's span, a person's name key.
 * curate.h puts them over every extraction the store writes.
 *
 * Every function runs inside the caller's store transaction (store_begin)
 * on the store's connection; on failure the caller rolls back, so a
 * refused change changes nothing.  err receives a sentence for the client
 * with QW_ERR_INVALID (422), QW_ERR_CONFLICT (409) and QW_ERR_NOT_FOUND. */

/* The fields of a quote edit; unset fields stay as they are. */
struct corr_quote {
    int set_speaker;            /* 1: the speaker changes */
    int64_t speaker_person_id;  /* > 0: this person speaks */
    const char *speaker;        /* else: free text (an organisation, "a spokesman"), or
                                   NULL for no speaker */
    const char *kind;           /* "direct", "partial" or NULL */
    const char *status;         /* "accepted", "rejected" or NULL */
};

/* Records e for quote id by actor.  id may also be a quote that a
 * correction rejected (and that is therefore not stored): then only
 * status "accepted" brings it back.  *article receives the article whose
 * extraction the caller must write again (store_reextract) for the edit to
 * show, and *start and *end the span of the quote in it. */
qw_status corrections_quote(struct store *st, int64_t id, const struct corr_quote *e,
                            const char *actor, int64_t *article, int64_t *start, int64_t *end,
                            char err[QW_ERRLEN]);

/* Renames person id (name, or NULL) and/or sets its gender ("male",
 * "female", "unknown", or NULL).  A name whose key is another person's is
 * QW_ERR_CONFLICT: that is a merge. */
qw_status corrections_person(struct store *st, int64_t id, const char *name, const char *gender,
                             const char *actor, char err[QW_ERRLEN]);

/* Merges person from into person into: quotes, mentions, roles and
 * aliases move, counts follow, from is deleted, and its names map to into
 * in every later extraction. */
qw_status corrections_merge(struct store *st, int64_t from, int64_t into, const char *actor,
                            char err[QW_ERRLEN]);

/* Writes every correction, oldest first, one JSON object per line. */
qw_status corrections_export(sqlite3 *db, FILE *out, int64_t *n);

/* Applies one line of an export (idempotent: a correction whose uid is
 * stored already is skipped, *applied = 0).  *article receives the id of
 * a stored article the correction is about (its extraction must be
 * written again), or 0.  A line that is not a correction is
 * QW_ERR_INVALID with err. */
qw_status corrections_import_line(struct store *st, const char *line, size_t len, int *applied,
                                  int64_t *article, char err[QW_ERRLEN]);

#endif
