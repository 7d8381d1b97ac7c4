/* Extractor tests: golden cases in tests/data/extract, the seed article
 * from ../shared/eval when present, and robustness on hostile bytes. */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "qw.h"
#include "testhelp.h"

#define DATA_DIR "tests/data/extract/"
#define SEED_PATH "../shared/eval/seed.jsonl"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    *len = n;
    return buf;
}

/* Every span inside the text, ordered, and every string set. */
static int result_sane(const struct extract_result *r, size_t len)
{
    for (size_t i = 0; i < r->npeople; i++) {
        const struct extract_person *p = &r->people[i];
        if (!p->name || p->nmentions == 0)
            return 0;
        for (size_t k = 0; k < p->nmentions; k++)
            if (p->mentions[k].start >= p->mentions[k].end || p->mentions[k].end > len)
                return 0;
    }
    for (size_t i = 0; i < r->nquotes; i++) {
        const struct extract_quote *q = &r->quotes[i];
        if (q->start >= q->end || q->end > len || q->confidence < 0 || q->confidence > 1)
            return 0;
        if (q->speaker_person >= (int)r->npeople)
            return 0;
        if (i && q->start < r->quotes[i - 1].start)
            return 0;
    }
    return 1;
}

static const struct extract_person *find_person(const struct extract_result *r, const char *name)
{
    for (size_t i = 0; i < r->npeople; i++)
        if (strcmp(r->people[i].name, name) == 0)
            return &r->people[i];
    return NULL;
}

static int quote_is(const char *text, const struct extract_quote *q, const char *words)
{
    size_t n = strlen(words);
    return q->end - q->start == n && memcmp(text + q->start, words, n) == 0;
}

/* Runs one golden case; returns the number of failed expectations. */
static int golden(const char *name)
{
    char path[256];
    size_t tlen = 0, elen = 0;
    snprintf(path, sizeof path, DATA_DIR "%s.txt", name);
    char *text = slurp(path, &tlen);
    snprintf(path, sizeof path, DATA_DIR "%s.expect", name);
    char *exp = slurp(path, &elen);
    int bad = 0;
    struct extract_result r;
    if (!text || !exp) {
        fprintf(stderr, "golden %s: cannot read case files\n", name);
        bad = 1;
        goto out;
    }
    if (extract_run(text, tlen, &r) != QW_OK) {
        bad = 1;
        goto out;
    }
    if (!result_sane(&r, tlen))
        bad++;
    size_t qi = 0;
    for (char *line = strtok(exp, "\n"); line; line = strtok(NULL, "\n")) {
        char *f1 = strchr(line, '\t'), *f2 = f1 ? strchr(f1 + 1, '\t') : NULL;
        if (strcmp(line, "NOQ") == 0) {
            if (r.nquotes) {
                fprintf(stderr, "golden %s: %zu quotes, expected none\n", name, r.nquotes);
                bad++;
            }
            continue;
        }
        if (!f1 || !f2)
            continue;
        *f1 = *f2 = 0;
        if (line[0] == 'Q') {
            const struct extract_quote *q = qi < r.nquotes ? &r.quotes[qi] : NULL;
            const char *want = strcmp(f2 + 1, "-") == 0 ? NULL : f2 + 1;
            if (!q || !quote_is(text, q, f1 + 1)) {
                fprintf(stderr, "golden %s: quote %zu: want [%s], got [%.*s]\n", name, qi,
                        f1 + 1, q ? (int)(q->end - q->start) : 0, q ? text + q->start : "");
                bad++;
            } else if ((want == NULL) != (q->speaker == NULL) ||
                       (want && strcmp(want, q->speaker) != 0)) {
                fprintf(stderr, "golden %s: quote %zu: speaker want %s, got %s\n", name, qi,
                        want ? want : "-", q->speaker ? q->speaker : "-");
                bad++;
            }
            qi++;
        } else if (line[0] == 'P') {
            const struct extract_person *p = find_person(&r, f1 + 1);
            size_t want = (size_t)strtoul(f2 + 1, NULL, 10);
            if (!p || p->nmentions != want) {
                fprintf(stderr, "golden %s: person %s: want %zu mentions, got %zu\n", name, f1 + 1,
                        want, p ? p->nmentions : 0);
                bad++;
            }
        }
    }
    if (qi && qi != r.nquotes) {
        fprintf(stderr, "golden %s: %zu quotes, expected %zu\n", name, r.nquotes, qi);
        bad++;
    }
    extract_result_free(&r);
out:
    free(text);
    free(exp);
    return bad;
}

static void seed_test(void)
{
    json_error_t err;
    json_t *doc = json_load_file(SEED_PATH, JSON_DISABLE_EOF_CHECK, &err);
    if (!doc) {
        printf("test_extract: %s not found, seed test skipped\n", SEED_PATH);
        return;
    }
    TEST("seed article: 6 quotes with speakers, 4 people, 12 mentions")
    {
        const char *text = json_string_value(json_object_get(doc, "text"));
        CHECK(text != NULL);
        struct extract_result r;
        if (text && extract_run(text, strlen(text), &r) == QW_OK) {
            CHECK(result_sane(&r, strlen(text)));
            CHECK(r.nquotes == 6);
            CHECK(r.npeople == 4);
            size_t total = 0;
            for (size_t i = 0; i < r.npeople; i++)
                total += r.people[i].nmentions;
            CHECK(total == 12);
            CHECK(find_person(&r, "Antony Blinken") && find_person(&r, "Antony Blinken")->nmentions == 7);
            CHECK(find_person(&r, "Joe Biden") != NULL);
            CHECK(find_person(&r, "Qin Gang") && find_person(&r, "Qin Gang")->nmentions == 3);
            CHECK(find_person(&r, "Kurt Campbell") != NULL);
            static const char *const speakers[] = {"the State Department", "the State Department",
                                                   "Kurt Campbell", "Kurt Campbell", "Qin Gang",
                                                   "Qin Gang"};
            for (size_t i = 0; i < r.nquotes && i < 6; i++)
                CHECK_STR(r.quotes[i].speaker, speakers[i]);
            if (r.nquotes >= 5)
                CHECK(r.quotes[4].kind == QUOTE_PARTIAL);
            extract_result_free(&r);
        } else {
            CHECK(0);
        }
    }
    json_decref(doc);
}

/* Runs the same text from several threads; each compares its result with
 * the one made on the main thread. */
struct run_arg {
    const char *text;
    size_t nquotes, npeople;
    int ok;
};

static void *run_thread(void *p)
{
    struct run_arg *a = p;
    a->ok = 1;
    for (int i = 0; i < 50 && a->ok; i++) {
        struct extract_result r;
        if (extract_run(a->text, strlen(a->text), &r) != QW_OK || r.nquotes != a->nquotes ||
            r.npeople != a->npeople)
            a->ok = 0;
        extract_result_free(&r);
    }
    return NULL;
}

/* xorshift: reproducible bytes */
static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(void)
{
    CHECK(extract_init() == QW_OK);
    CHECK(extract_init() == QW_OK); /* second call is a no-op */

    static const char *const cases[] = {"after_said", "org_speaker", "continuation",
                                        "surname_first", "straight_doubled", "no_quotes",
                                        "interrupted", "not_quotes", "nested_scare",
                                        "appositive", "pronoun_topic", "headline_byline",
                                        "people", "titles_terms", "introduced",
                                        "speaker_validity", "topic_appositive", "spans_marks",
                                        "nested_cue", "titled_orgs", "pronoun_clauses",
                                        "surname_gender", "short_cue", "spans2_nesting",
                                        "spans2_families", "spans2_ad_titles",
                                        "spans2_bylines", "firm_and_pollster", "reported_clause",
                                        "given_gender",
                                        "spans3_title_lists",
                                        "spans3_labels", "spans3_chants", "inside_quote", NULL};
    for (size_t i = 0; cases[i]; i++) {
        char name[96];
        snprintf(name, sizeof name, "golden %s", cases[i]);
        TEST(name) { CHECK(golden(cases[i]) == 0); }
    }

    seed_test();

    TEST("empty and NULL-free input")
    {
        struct extract_result r;
        CHECK(extract_run("", 0, &r) == QW_OK);
        CHECK(r.npeople == 0 && r.nquotes == 0);
        extract_result_free(&r);
        extract_result_free(NULL);
    }

    TEST("offsets are bytes, quote marks excluded")
    {
        const char *t = "Caf\xc3\xa9 owner Jean Dupont said: \xe2\x80\x9cWe open at nine.\xe2\x80\x9d";
        struct extract_result r;
        CHECK(extract_run(t, strlen(t), &r) == QW_OK);
        CHECK(r.nquotes == 1);
        if (r.nquotes == 1) {
            CHECK(quote_is(t, &r.quotes[0], "We open at nine."));
            CHECK_STR(r.quotes[0].speaker, "Jean Dupont");
            CHECK_STR(r.quotes[0].cue, "said");
            CHECK(r.quotes[0].kind == QUOTE_DIRECT);
        }
        extract_result_free(&r);
    }

    TEST("transcripts and never-closed runs are not quotes")
    {
        const char *t = "Interview\n\n\"HOST: Welcome back to the show.\n\n"
                        "\"GUEST: Thank you for having me.\n\n"
                        "\"HOST: Let us begin.\"\n\nA later paragraph.\n";
        struct extract_result r;
        CHECK(extract_run(t, strlen(t), &r) == QW_OK);
        CHECK(r.nquotes == 0);
        extract_result_free(&r);
    }

    TEST("pronoun takes the nearest person of its gender")
    {
        const char *t = "Mary Stone met John Black on Monday. \"It went well,\" she said.";
        struct extract_result r;
        CHECK(extract_run(t, strlen(t), &r) == QW_OK);
        CHECK(r.nquotes == 1 && r.quotes[0].speaker && strcmp(r.quotes[0].speaker, "Mary Stone") == 0);
        extract_result_free(&r);
    }

    TEST("unterminated quotes and stray marks never overrun")
    {
        static const char *const ts[] = {"\"", "\xe2\x80\x9c", "\"\"\"", "He said \"", "\"a\n\n\"b",
                                         "\xe2\x80", "''", "``x", "Mr.", "A-", "O'", "\xe2\x80\x9d x \xe2\x80\x9c",
                                         NULL};
        for (size_t i = 0; ts[i]; i++) {
            struct extract_result r;
            size_t n = strlen(ts[i]);
            CHECK(extract_run(ts[i], n, &r) == QW_OK);
            CHECK(result_sane(&r, n));
            extract_result_free(&r);
        }
    }

    TEST("random and invalid bytes")
    {
        static const char alphabet[] = "ab Cd\"'\n.,:Mr said\xe2\x80\x9c\xe2\x80\x9d\xc3\xff-";
        char buf[512];
        int ok = 1;
        for (int round = 0; round < 3000 && ok; round++) {
            size_t n = (size_t)(next_rand() % sizeof buf);
            for (size_t k = 0; k < n; k++)
                buf[k] = round & 1 ? (char)(next_rand() & 0xff)
                                   : alphabet[next_rand() % (sizeof alphabet - 1)];
            /* no NUL terminator: the extractor must respect len */
            char *heap = malloc(n ? n : 1);
            if (!heap)
                break;
            memcpy(heap, buf, n);
            struct extract_result r;
            if (extract_run(heap, n, &r) != QW_OK || !result_sane(&r, n))
                ok = 0;
            extract_result_free(&r);
            free(heap);
        }
        CHECK(ok);
    }

    TEST("concurrent runs agree")
    {
        size_t len = 0;
        char *text = slurp(DATA_DIR "after_said.txt", &len);
        struct extract_result r;
        CHECK(text && extract_run(text, len, &r) == QW_OK);
        if (text) {
            struct run_arg args[4];
            pthread_t th[4];
            for (int i = 0; i < 4; i++) {
                args[i] = (struct run_arg){text, r.nquotes, r.npeople, 0};
                CHECK(pthread_create(&th[i], NULL, run_thread, &args[i]) == 0);
            }
            for (int i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                CHECK(args[i].ok);
            }
            CHECK(r.nquotes == 3);
            extract_result_free(&r);
        }
        free(text);
    }

    CHECK_STR(extract_quote_kind_str(QUOTE_DIRECT), "direct");
    CHECK_STR(extract_quote_kind_str(QUOTE_PARTIAL), "partial");
    extract_shutdown();
    return test_report("extract");
}
