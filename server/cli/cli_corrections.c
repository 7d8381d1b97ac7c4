/* quotewire corrections export|import: users' corrections as NDJSON, to
 * carry them to a replica, a colleague's copy or a database rebuilt from
 * the same files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "corrections.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "reextract.h"
#include "store.h"
#include "strbuf.h"

/* An export line is a few hundred bytes; a name or a free-text speaker at
 * most 200. */
#define LINE_MAX_BYTES 65536

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quotewire corrections export [--db FILE] [--output FILE]\n"
            "       quotewire corrections import [--db FILE] [FILE]\n\n"
            "export writes every correction made with PATCH /quotes/{id}, PATCH /people/{id}\n"
            "and POST /people/{id}/merge (the audit trail, oldest first) as one JSON object\n"
            "per line, to FILE or standard output.  import applies such lines (from FILE,\n"
            "or standard input without one or with '-') to another database: the same\n"
            "corrections hold there for the same article texts and person names, now and\n"
            "for articles loaded later.  Importing a line twice changes nothing (each\n"
            "correction has a uid).  A bad line stops the import and nothing is applied.\n\n"
            "  --db FILE      database file (default $QUOTEWIRE_DB or quotewire.db)\n"
            "  --output FILE  export: write here instead of standard output\n\n"
            "Exit status: 0 done, 1 failed (nothing imported), 2 bad usage.\n");
}

static int do_export(const char *dbpath, const char *output)
{
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    int rc = 1;
    if (db_open(dbpath, DB_READ_ONLY, &db, err) != QW_OK) {
        fprintf(stderr, "quotewire corrections: %s: %s\n", dbpath, err[0] ? err : "cannot open");
        return 1;
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "quotewire corrections: cannot write %s\n", output);
        db_close(db);
        return 1;
    }
    int64_t n = 0;
    qw_status st = corrections_export(db, out, &n);
    if (fflush(out) != 0)
        st = st == QW_OK ? QW_ERR_IO : st;
    if (output && fclose(out) != 0)
        st = st == QW_OK ? QW_ERR_IO : st;
    if (st != QW_OK)
        fprintf(stderr, "quotewire corrections: export failed: %s\n", qw_status_str(st));
    else {
        fprintf(stderr, "corrections     %lld exported\n", (long long)n);
        rc = 0;
    }
    db_close(db);
    return rc;
}

static int do_import(const char *dbpath, const char *input)
{
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    struct store *st = NULL;
    FILE *in = !input || !strcmp(input, "-") ? stdin : fopen(input, "r");
    if (!in) {
        fprintf(stderr, "quotewire corrections: cannot read %s\n", input);
        return 1;
    }
    int rc = 1, began = 0;
    int64_t *articles = NULL;
    size_t narticles = 0, cap = 0;
    long line_no = 0, applied = 0, present = 0;
    char *line = NULL;
    size_t lcap = 0;
    if (extract_init() != QW_OK) {
        fprintf(stderr, "quotewire corrections: cannot load the extractor's data\n");
        goto out;
    }
    if (db_open(dbpath, DB_READ_WRITE, &db, err) != QW_OK || db_migrate(db, NULL, err) != QW_OK) {
        fprintf(stderr, "quotewire corrections: %s: %s\n", dbpath, err[0] ? err : "cannot open");
        goto out;
    }
    qw_status s = store_new(db, &st);
    if (s == QW_OK)
        s = store_begin(st);
    if (s != QW_OK) {
        fprintf(stderr, "quotewire corrections: %s: %s\n", dbpath, qw_status_str(s));
        goto out;
    }
    began = 1;
    ssize_t n;
    while ((n = getline(&line, &lcap, in)) >= 0) {
        line_no++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n)
            continue;
        if (n > LINE_MAX_BYTES || strlen(line) != (size_t)n) {
            fprintf(stderr, "quotewire corrections: line %ld: %s; nothing imported\n", line_no,
                    n > LINE_MAX_BYTES ? "too long" : "holds a NUL byte");
            goto out;
        }
        int one = 0;
        int64_t aid = 0;
        err[0] = '\0';
        s = corrections_import_line(st, line, (size_t)n, &one, &aid, err);
        if (s != QW_OK) {
            fprintf(stderr, "quotewire corrections: line %ld: %s; nothing imported\n", line_no,
                    err[0] ? err : qw_status_str(s));
            goto out;
        }
        one ? applied++ : present++;
        if (one && aid) {
            size_t k = 0;
            while (k < narticles && articles[k] != aid)
                k++;
            if (k == narticles) {
                if (narticles == cap) {
                    cap = cap ? 2 * cap : 64;
                    int64_t *na = realloc(articles, cap * sizeof *na);
                    if (!na) {
                        fprintf(stderr, "quotewire corrections: out of memory\n");
                        goto out;
                    }
                    articles = na;
                }
                articles[narticles++] = aid;
            }
        }
    }
    if (ferror(in)) {
        fprintf(stderr, "quotewire corrections: read error; nothing imported\n");
        goto out;
    }
    for (size_t k = 0; k < narticles; k++) {
        if ((s = reextract_article(st, articles[k], NULL)) != QW_OK && s != QW_ERR_NOT_FOUND) {
            fprintf(stderr, "quotewire corrections: article %lld: %s; nothing imported\n",
                    (long long)articles[k], qw_status_str(s));
            goto out;
        }
    }
    if ((s = store_commit(st)) != QW_OK) {
        fprintf(stderr, "quotewire corrections: commit: %s; nothing imported\n",
                qw_status_str(s));
        goto out;
    }
    began = 0;
    printf("corrections     %ld applied, %ld already there\n", applied, present);
    printf("articles        %zu written again with them\n", narticles);
    rc = 0;
out:
    if (began)
        store_rollback(st);
    store_free(st);
    db_close(db);
    extract_shutdown();
    free(line);
    free(articles);
    if (in != stdin)
        fclose(in);
    return rc;
}

int cli_corrections(int argc, char **argv)
{
    const char *dbpath = cli_default_db(), *output = NULL, *input = NULL, *v;
    int bad = 0;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *verb = argv[1];
    int exporting = !strcmp(verb, "export");
    if (!exporting && strcmp(verb, "import") != 0) {
        fprintf(stderr, "quotewire corrections: unknown action '%s' (export or import)\n", verb);
        usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc && !bad; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((v = cli_opt_value("corrections", argc, argv, &i, "--db", &bad))) {
            dbpath = v;
        } else if (!bad && exporting &&
                   (v = cli_opt_value("corrections", argc, argv, &i, "--output", &bad))) {
            output = v;
        } else if (!bad && !exporting && !input && (argv[i][0] != '-' || !argv[i][1])) {
            input = argv[i];
        } else if (!bad) {
            fprintf(stderr, "quotewire corrections: unexpected argument '%s'\n", argv[i]);
            bad = 1;
        }
    }
    if (bad) {
        usage(stderr);
        return 2;
    }
    if (!*dbpath || access(dbpath, F_OK) != 0) {
        fprintf(stderr, "quotewire corrections: %s: no such database\n", dbpath);
        return 1;
    }
    return exporting ? do_export(dbpath, output) : do_import(dbpath, input);
}
