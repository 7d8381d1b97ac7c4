/* Extraction throughput: reads the files named on the command line (or,
 * with "-", one path a line on standard input) into
 * memory, then runs extract_run over all of them for at least a second on
 * one thread, and prints MB/s of article text.  No I/O inside the timing.
 * --rules first turns the learned parts off (the tagger and the speaker
 * model get empty models), so that one run can give the rules' rate as a
 * reference for the whole extractor's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "qw.h"

struct doc {
    char *p;
    size_t n;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_all(const char *path, struct doc *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t r;
    while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q, cap *= 2;
        }
    }
    fclose(f);
    if (!p)
        return -1;
    d->p = p, d->n = n;
    return 0;
}

int main(int argc, char **argv)
{
    qw_tune_allocator(); /* as the program does */
    int rules = argc > 1 && !strcmp(argv[1], "--rules");
    if (rules) {
        argv++;
        argc--;
        if (extract_override_data("tagger.model", "", 0) != 0 || extract_override_data("speaker.model", "", 0) != 0)
            return 1;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_extract [--rules] FILE... | bench_extract [--rules] - < LIST\n");
        return 2;
    }
    size_t cap = (size_t)argc, ndocs = 0, bytes = 0;
    struct doc *docs = calloc(cap, sizeof *docs);
    if (!strcmp(argv[1], "-")) {
        char line[4096];
        while (docs && fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            if (ndocs == cap) {
                struct doc *d = realloc(docs, 2 * cap * sizeof *d);
                if (!d)
                    break;
                docs = d, cap *= 2;
            }
            if (read_all(line, &docs[ndocs]) == 0)
                bytes += docs[ndocs++].n;
        }
    } else {
        for (int i = 1; i < argc; i++)
            if (docs && read_all(argv[i], &docs[ndocs]) == 0)
                bytes += docs[ndocs++].n;
    }
    if (!ndocs || extract_init() != 0) {
        fprintf(stderr, "bench_extract: nothing to do\n");
        return 1;
    }
    size_t quotes = 0, people = 0, rounds = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < ndocs; i++) {
            struct extract_result x;
            if (extract_run(docs[i].p, docs[i].n, &x) != 0)
                return 1;
            quotes += x.nquotes, people += x.npeople;
            extract_result_free(&x);
        }
        rounds++;
    } while ((t = now() - t0) < 1.0);
    double mb = (double)bytes * (double)rounds / 1e6;
    printf("extract: %zu files, %.2f MB, %zu rounds in %.2f s: %.1f MB/s on one core"
           " (%zu quotes, %zu people per round)\n",
           ndocs, (double)bytes / 1e6, rounds, t, mb / t, quotes / rounds, people / rounds);
    for (size_t i = 0; i < ndocs; i++)
        free(docs[i].p);
    free(docs);
    extract_shutdown();
    return 0;
}
