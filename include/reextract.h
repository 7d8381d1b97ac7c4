#ifndef QUOTEWIRE_REEXTRACT_H
#define QUOTEWIRE_REEXTRACT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "qw.h"
#include "store.h"

/* Re-extraction: stored articles -> this program's extractor -> their
 * people, mentions and quotes replaced in place (store_reextract).  The
 * text is the one stored, so offsets mean what they meant.  Articles are
 * extracted on worker threads (each with its own read-only connection)
 * and written by the calling thread in id order, many per transaction;
 * each article's extract_version is set in the same transaction as its
 * new extraction, so a crash loses at most the open batch and a rerun
 * picks up exactly the articles still on an older version. */

struct reextract_options {
    int all;        /* 1: every article, whatever its version */
    int threads;    /* extraction threads (0: one per core) */
    int batch_size; /* articles per transaction (0: default 256) */
    int progress;   /* 1: redraw a progress line on stderr */
};

struct reextract_summary {
    int version;      /* the running extractor's (extract_version()) */
    int64_t stored;   /* articles in the database at the start */
    int64_t older;    /*   of them on an older version */
    int64_t newer;    /*   of them on a newer version (left alone without --all) */
    int64_t selected; /* articles this run set out to re-extract */
    int64_t reextracted;
    int64_t current;        /* found current when their turn came (another run did them) */
    int64_t gone;           /* deleted while this ran */
    int64_t failed;         /* refused by the database: left as they were */
    struct store_diff diff; /* summed over the articles re-extracted */
    int64_t people_added;   /* people rows created */
    int64_t bytes;          /* text re-extracted */
    double seconds;
};

/* Re-extracts the articles of db (migrated, read-write, a file: workers
 * open their own connections to it) that are on an older extractor
 * version, or all of them with opt->all.  Returns QW_OK when the run went
 * to the end, even if some articles failed (the summary counts them); an
 * error when something stops it (database failure or busy beyond the
 * timeout, out of memory): what was committed stays. */
qw_status reextract_run(sqlite3 *db, const struct reextract_options *opt,
                        struct reextract_summary *sum);

/* Prints the closing summary (several lines) to f. */
void reextract_print_summary(FILE *f, const struct reextract_summary *sum);

/* Extracts article id again from its stored text and writes the result
 * (store_reextract, so the corrections apply), in the caller's
 * transaction: after a correction of one of its quotes, or an import.
 * QW_ERR_NOT_FOUND when there is no such article; *diff may be NULL. */
qw_status reextract_article(struct store *st, int64_t id, struct store_diff *diff);

#endif
