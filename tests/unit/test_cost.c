/* Worst-case cost of extraction, as a ratio to normal news of the same
 * size measured in the same run (never as an absolute time): each hostile
 * shape (one huge line, only quotation marks, only capitalised words,
 * deeply nested quotes, 100k tiny paragraphs, ...) must extract at no less
 * than a fifth of the rate of the bundled samples.  CPU time of this
 * thread, best of three, so that a busy machine does not decide.
 *
 * A quadratic pass shows at once: at 512 KB it costs hundreds of times the
 * normal rate, not a few. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "qw.h"
#include "strbuf.h"
#include "testhelp.h"

#define SIZE (512u * 1024u)
/* Sanitizers replace the allocator and slow every access unevenly: under
 * them (make check) the bound only catches a pass gone quadratic, which
 * costs hundreds of times the normal rate at this size. */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_RATIO 25.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAX_RATIO 25.0
#endif
#endif
#ifndef MAX_RATIO
#define MAX_RATIO 5.0
#endif

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds of CPU for one extraction of text in a warm process (as a
 * server's worker thread is, and as bench_extract measures): runs for a
 * quarter of a second first, because the allocator takes a few dozen runs
 * of a large text to stop mapping fresh pages, then the best of three
 * measurements, each the mean over as many runs as fill a tenth of a
 * second. */
static double cost(const char *text, size_t len, size_t *nquotes)
{
    struct extract_result x;
    double w0 = cpu_now();
    do {
        if (extract_run(text, len, &x) != 0)
            return 0;
        if (nquotes)
            *nquotes = x.nquotes;
        extract_result_free(&x);
    } while (cpu_now() - w0 < 0.25);
    double best = 1e9;
    for (int r = 0; r < 3; r++) {
        double t0 = cpu_now(), t = 0;
        int runs = 0;
        do {
            if (extract_run(text, len, &x) != 0)
                return 0;
            extract_result_free(&x);
            runs++;
            t = cpu_now() - t0;
        } while (t < 0.1);
        if (t / runs < best)
            best = t / runs;
    }
    return best;
}

/* unit repeated to SIZE bytes, after a headline */
static char *repeat(const char *unit, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(SIZE + u + 64);
    if (!s)
        return NULL;
    size_t n = (size_t)snprintf(s, 64, "Headline of the article\n\n");
    while (n + u <= SIZE) {
        memcpy(s + n, unit, u);
        n += u;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* deeply nested quotes: opening marks of every kind, then the closings */
static char *nested(size_t *len)
{
    char *s = malloc(SIZE + 64);
    if (!s)
        return NULL;
    static const char *const open[] = {"\"", "'", "\xe2\x80\x9c", "\xe2\x80\x98", "\xc2\xab "};
    static const char *const close[] = {"\"", "'", "\xe2\x80\x9d", "\xe2\x80\x99", " \xc2\xbb"};
    size_t n = (size_t)snprintf(s, 64, "Headline\n\nHe said ");
    size_t depth = 0;
    while (n + 16 < SIZE / 2) {
        const char *o = open[depth % 5];
        memcpy(s + n, o, strlen(o));
        n += strlen(o);
        memcpy(s + n, "word ", 5);
        n += 5;
        depth++;
    }
    while (depth && n + 16 < SIZE) {
        depth--;
        const char *c = close[depth % 5];
        memcpy(s + n, c, strlen(c));
        n += strlen(c);
    }
    s[n] = '\0';
    *len = n;
    return s;
}

/* the bundled samples, concatenated as paragraphs until SIZE */
static char *normal(size_t *len)
{
    static const char *const files[] = {"samples/blinken-china.txt", "samples/port-strike-washington.txt",
                                        "samples/rate-decision-reuters.txt", "samples/flood-relief-curly.txt",
                                        "samples/council-vote-frontmatter.txt"};
    struct strbuf all = {0};
    char buf[1 << 16];
    for (;;) {
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            FILE *f = fopen(files[i], "rb");
            if (!f) {
                strbuf_free(&all);
                return NULL;
            }
            size_t n = fread(buf, 1, sizeof buf, f);
            fclose(f);
            if (all.len + n + 2 > SIZE) {
                *len = all.len;
                return all.p;
            }
            if (strbuf_append(&all, buf, n) != 0 || strbuf_append(&all, "\n\n", 2) != 0) {
                strbuf_free(&all);
                return NULL;
            }
        }
    }
}

int main(void)
{
    qw_tune_allocator(); /* as the program does (server/main.c) */
    if (extract_init() != 0) {
        fprintf(stderr, "extract_init failed\n");
        return 1;
    }
    size_t nlen = 0, nq = 0;
    char *base = normal(&nlen);
    double tn = base ? cost(base, nlen, &nq) : 0;
    TEST("normal text extracts")
    {
        CHECK(base != NULL);
        CHECK(nq > 0);
        CHECK(tn > 0);
    }
    double rate_n = tn > 0 ? (double)nlen / tn : 0;
    printf("  normal: %.2f MB in %.3f s CPU: %.1f MB/s\n", nlen / 1e6, tn, rate_n / 1e6);

    struct {
        const char *name;
        const char *unit; /* NULL: built by a function */
    } shapes[] = {
        {"one line of quotes", "Mr Smith said \"no\" "},
        {"one line, no punctuation", "word "},
        {"only quotation marks", "\""},
        {"only curly quotation marks", "\xe2\x80\x9c"},
        {"only capitalised words", "Anna Bell Carter "},
        {"capitalised words and said", "Anna Bell Carter said "},
        {"100k tiny paragraphs", "He said \"x\".\n\n"},
        {"only newlines", "\n"},
        {"only full stops", ". "},
        {"speech verbs and pronouns", "he said she told they added "},
        {"open quotes never closed", "\"It was "},
        {"apostrophes", "it's rock 'n' roll o'clock '"},
        {"deeply nested quotes", NULL},
    };
    double worst = 0;
    const char *worst_name = "";
    const char *only = getenv("COST_ONLY"); /* a shape's name, to study one */
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (only && strcmp(only, shapes[i].name) != 0)
            continue;
        size_t len = 0;
        char *s = shapes[i].unit ? repeat(shapes[i].unit, &len) : nested(&len);
        double t = s ? cost(s, len, NULL) : 0;
        double rate = t > 0 ? (double)len / t : 1e12;
        double ratio = rate > 0 ? rate_n / rate : 1e9;
        printf("  %-28s %.1f MB/s: %.2fx the normal cost\n", shapes[i].name, rate / 1e6, ratio);
        if (ratio > worst) {
            worst = ratio;
            worst_name = shapes[i].name;
        }
        char name[96];
        snprintf(name, sizeof name, "%s: at most %.0fx the cost of normal text", shapes[i].name,
                 MAX_RATIO);
        TEST(name)
        {
            CHECK(s != NULL);
            CHECK(ratio <= MAX_RATIO);
        }
        free(s);
    }
    printf("  worst: %s, %.2fx\n", worst_name, worst);
    free(base);
    extract_shutdown();
    return test_report("cost");
}
