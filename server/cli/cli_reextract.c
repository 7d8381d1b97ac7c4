/* quotewire reextract: stored articles -> this extractor -> the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "pipeline.h"
#include "reextract.h"

#define BATCH_MAX 100000

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quotewire reextract [--db FILE] [--all] [--threads N] [--batch N] [--quiet]\n\n"
            "Extracts people and quotes again from the text stored for each article whose\n"
            "extraction came from an older extractor than this program's (version %d), and\n"
            "replaces them; with --all, from every article.  Run it after upgrading\n"
            "quotewire.  Safe while 'quotewire serve' runs on the same database; after a\n"
            "crash, run it again to finish.\n\n"
            "  --db FILE      database file (default $QUOTEWIRE_DB or quotewire.db)\n"
            "  --all          every article, whatever extractor version it came from\n"
            "  --threads N    extraction threads, 1..%d (default: cores)\n"
            "  --batch N      articles per transaction (default 256)\n"
            "  --quiet        no progress line, no summary, errors only\n\n"
            "Exit status: 0 every article is re-extracted, 1 some article could not be or\n"
            "the run failed, 2 bad usage.\n",
            extract_version(), PIPELINE_MAX_THREADS);
}

int cli_reextract(int argc, char **argv)
{
    const char *dbpath = cli_default_db(), *v;
    struct reextract_options opt = {0, 0, 0, 0};
    struct reextract_summary sum;
    int quiet = 0, bad = 0, rc = 1;
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;

    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--all")) {
            opt.all = 1;
        } else if ((v = cli_opt_value("reextract", argc, argv, &i, "--db", &bad))) {
            dbpath = v;
        } else if (!bad && (v = cli_opt_value("reextract", argc, argv, &i, "--threads", &bad))) {
            if (cli_parse_int(v, 1, PIPELINE_MAX_THREADS, &opt.threads) != 0) {
                fprintf(stderr, "quotewire reextract: --threads: expected 1..%d, got '%s'\n",
                        PIPELINE_MAX_THREADS, v);
                bad = 1;
            }
        } else if (!bad && (v = cli_opt_value("reextract", argc, argv, &i, "--batch", &bad))) {
            if (cli_parse_int(v, 1, BATCH_MAX, &opt.batch_size) != 0) {
                fprintf(stderr, "quotewire reextract: --batch: expected 1..%d, got '%s'\n",
                        BATCH_MAX, v);
                bad = 1;
            }
        } else if (!bad) {
            fprintf(stderr, "quotewire reextract: unexpected argument '%s'\n", a);
            bad = 1;
        }
    }
    if (bad) {
        usage(stderr);
        return 2;
    }
    if (!*dbpath) {
        fprintf(stderr, "quotewire reextract: empty database path\n");
        return 2;
    }
    if (access(dbpath, F_OK) != 0) {
        fprintf(stderr, "quotewire reextract: %s: no such database\n", dbpath);
        return 1;
    }

    if (quiet)
        log_set_level(LOG_ERROR);
    opt.progress = !quiet && isatty(STDERR_FILENO);
    if (db_open(dbpath, DB_BULK, &db, err) != QW_OK || db_migrate(db, NULL, err) != QW_OK) {
        fprintf(stderr, "quotewire reextract: %s: %s\n", dbpath, err[0] ? err : "cannot open");
        goto out;
    }
    qw_status st = reextract_run(db, &opt, &sum);
    if (!quiet)
        reextract_print_summary(stdout, &sum);
    if (st != QW_OK) {
        fprintf(stderr,
                "quotewire reextract: stopped: %s (what was committed stays; run it "
                "again to finish)\n",
                qw_status_str(st));
        goto out;
    }
    rc = sum.failed ? 1 : 0;
out:
    db_close(db);
    return rc;
}
