/* quotewire load: files and folders -> the database. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "ingest.h"
#include "loader.h"
#include "log.h"

#define BATCH_MAX 100000

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quotewire load [--db FILE] [--source NAME] [--no-sections] [--year YYYY]\n"
            "                      [--max-bytes N] [--batch N] [--quiet] PATH...\n\n"
            "Loads article files, and folders of them (recursively, hidden ones left out),\n"
            "into the database, with the people and quotes extracted from them.  Loading\n"
            "the same text again adds nothing (it only fills in a source, section or date\n"
            "the stored article lacks); after a crash, run the same load again.\n\n"
            "Paths are stored relative to the PATH given (bbc/business/001.txt loaded as\n"
            "bbc is business/001.txt), and under a folder the first folder level below\n"
            "it is the article's section (business).  Front matter (source:, section:)\n"
            "wins over both options.\n\n"
            "  --db FILE      database file (default $QUOTEWIRE_DB or quotewire.db)\n"
            "  --source NAME  the source of every article whose front matter names none\n"
            "                 (replaces a source guessed from a dateline or image credit)\n"
            "  --no-sections  no section from folder names\n"
            "  --year YYYY    the year of dateline dates that give none (wire copy's\n"
            "                 \"LONDON, Jan 5 -\"); without it those articles stay undated\n"
            "  --max-bytes N  skip files larger than N bytes; K, M, G suffixes\n"
            "                 (default $QUOTEWIRE_MAX_BYTES or 8M)\n"
            "  --batch N      articles per transaction (default 8192)\n"
            "  --quiet        no progress line, no summary, errors only\n\n"
            "Exit status: 0 every file loaded (or was already there), 1 some file was\n"
            "skipped (the others loaded), 2 bad usage, 3 the database failed (cannot be\n"
            "opened or written; what was committed stays).\n");
}

/* "1048576", "512K", "8M", "1G" -> bytes; 0 on error. */
static size_t parse_size(const char *s)
{
    char *end = NULL;
    errno = 0;
    if (!s || !*s || *s == '-')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return 0;
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024ULL, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024ULL * 1024ULL, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ULL * 1024ULL * 1024ULL, end++;
    if ((*end == 'b' || *end == 'B') && mul > 1)
        end++;
    if (*end || v == 0 || v > SIZE_MAX / mul)
        return 0;
    return (size_t)(v * mul);
}

int cli_load(int argc, char **argv)
{
    const char *dbpath = cli_default_db(), *v;
    struct loader_options opt = {0, 0, 0, NULL, 0, 0};
    struct loader_summary sum;
    char **paths = NULL;
    int npaths = 0, quiet = 0, bad = 0, rc = 1, only_paths = 0;
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    qw_status st;

    const char *env = getenv("QUOTEWIRE_MAX_BYTES");
    if (env && *env && !(opt.max_bytes = parse_size(env))) {
        fprintf(stderr, "quotewire load: QUOTEWIRE_MAX_BYTES: not a size: '%s'\n", env);
        return 2;
    }
    paths = calloc((size_t)(argc > 0 ? argc : 1), sizeof *paths);
    if (!paths) {
        fprintf(stderr, "quotewire load: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || !strcmp(a, "-")) {
            paths[npaths++] = argv[i];
        } else if (!strcmp(a, "--")) {
            only_paths = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--no-sections")) {
            opt.no_sections = 1;
        } else if ((v = cli_opt_value("load", argc, argv, &i, "--source", &bad))) {
            if (!ingest_valid_label(v, strlen(v)) || v[0] == ' ' || v[strlen(v) - 1] == ' ') {
                fprintf(stderr, "quotewire load: --source: expected 1..%d bytes of UTF-8 text "
                                "without control characters or spaces around it\n",
                        INGEST_LABEL_MAX);
                bad = 1;
            } else {
                opt.source = v;
            }
        } else if (!bad && (v = cli_opt_value("load", argc, argv, &i, "--year", &bad))) {
            if (cli_parse_int(v, 1000, 9999, &opt.year) != 0) {
                fprintf(stderr, "quotewire load: --year: expected a year 1000..9999, got '%s'\n", v);
                bad = 1;
            }
        } else if (!bad && (v = cli_opt_value("load", argc, argv, &i, "--db", &bad))) {
            dbpath = v;
        } else if (!bad && (v = cli_opt_value("load", argc, argv, &i, "--max-bytes", &bad))) {
            if (!(opt.max_bytes = parse_size(v))) {
                fprintf(stderr, "quotewire load: --max-bytes: not a size: '%s'\n", v);
                bad = 1;
            }
        } else if (!bad && (v = cli_opt_value("load", argc, argv, &i, "--batch", &bad))) {
            if (cli_parse_int(v, 1, BATCH_MAX, &opt.batch_size) != 0) {
                fprintf(stderr, "quotewire load: --batch: expected 1..%d, got '%s'\n",
                        BATCH_MAX, v);
                bad = 1;
            }
        } else if (!bad) {
            fprintf(stderr, "quotewire load: unknown option '%s'\n", a);
            bad = 1;
        }
        if (bad)
            break;
    }
    if (!bad && npaths == 0) {
        fprintf(stderr, "quotewire load: no files or folders given\n");
        bad = 1;
    }
    if (bad) {
        usage(stderr);
        free(paths);
        return 2;
    }
    if (!*dbpath) {
        fprintf(stderr, "quotewire load: empty database path\n");
        free(paths);
        return 2;
    }

    if (quiet)
        log_set_level(LOG_ERROR);
    opt.progress = !quiet && isatty(STDERR_FILENO);
    if (db_open(dbpath, DB_BULK, &db, err) != QW_OK ||
        db_migrate(db, NULL, err) != QW_OK) {
        fprintf(stderr, "quotewire load: %s: %s\n", dbpath, err[0] ? err : "cannot open");
        rc = 3;
        goto out;
    }
    st = loader_run(db, paths, npaths, &opt, &sum);
    if (!quiet)
        loader_print_summary(stdout, &sum);
    if (st != QW_OK) {
        fprintf(stderr, "quotewire load: stopped: %s (what was committed stays; run the "
                        "same load again to finish)\n",
                qw_status_str(st));
        rc = 3;
        goto out;
    }
    rc = sum.skipped ? 1 : 0;
out:
    db_close(db);
    free(paths);
    return rc;
}
