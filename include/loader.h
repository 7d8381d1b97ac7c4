#ifndef QUOTEWIRE_LOADER_H
#define QUOTEWIRE_LOADER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qw.h"

/* The loader: files and folders (recursive) -> articles in the database.
 * Each file is read, decoded, parsed, extracted and stored; files are
 * committed in batches, so a crash loses at most the open batch, and a
 * rerun skips what is already there (by content hash).  One bad file never
 * stops a load: it is counted as skipped, with a warning naming it. */

struct loader_options {
    size_t max_bytes;   /* files larger than this are skipped (0: default) */
    int batch_size;     /* articles per transaction (0: default 256) */
    int progress;       /* 1: redraw a progress line on stderr */
    const char *source; /* source of every file whose front matter names
                           none (it replaces a guess from a dateline or an
                           image credit); NULL: none */
    int no_sections;    /* 1: no section from folder names */
    int year;           /* the year of every dateline date that gives none
                           ("LONDON, Jan 5 -"); 0: such articles stay undated */
};

enum loader_skip {
    SKIP_EMPTY, SKIP_BINARY, SKIP_TOO_LARGE, SKIP_UNREADABLE, SKIP_INVALID, SKIP_NREASONS
};

struct loader_summary {
    int64_t files_seen;
    int64_t added;
    int64_t duplicates;
    int64_t skipped;                    /* sum of skipped_by[] */
    int64_t skipped_by[SKIP_NREASONS];
    int64_t transcoded;                 /* read as Windows-1252 */
    int64_t people;                     /* new people added by this load */
    int64_t quotes;                     /* quotes added by this load */
    int64_t bytes;                      /* article bytes read */
    double seconds;
};

/* Loads every path (file or folder) into db, which must be migrated and
 * read-write.  Each article's stored path is relative to the path given:
 * below it for a folder ("business/001.txt" for bbc/business/001.txt),
 * the file name for a file.  Under a folder, the first folder level below
 * it is the section ("business"), unless opt->no_sections or the file's
 * front matter names one.  Returns QW_OK when the load ran to the end, even if files
 * were skipped (the summary says how many); an error only for what stops
 * the whole load (database failure, out of memory). */
qw_status loader_run(sqlite3 *db, char *const *paths, int npaths, const struct loader_options *opt,
                     struct loader_summary *sum);

/* Prints the closing summary (several lines) to f. */
void loader_print_summary(FILE *f, const struct loader_summary *sum);

/* "empty", "binary", ... */
const char *loader_skip_str(enum loader_skip r);

#endif
