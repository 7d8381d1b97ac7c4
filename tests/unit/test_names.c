/* Person names and back references: golden cases
 * tests/data/extract/people_*.txt with their .expect files.  Besides the P
 * lines of test_extract.c ("P<TAB>name<TAB>mentions": must be found with
 * that many mentions), an "N<TAB>name" line names a capitalised phrase that
 * must not come out as a person (an organisation, a plural, a work), and an
 * "M<TAB>name<TAB>word#k" line says that the k-th occurrence (from 1) of
 * word in the text is a mention of the person called name ("-": of
 * nobody). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "qw.h"
#include "testhelp.h"

#define DATA_DIR "tests/data/extract/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (buf) {
        n = fread(buf, 1, cap - 1, f);
        buf[n] = 0;
    }
    fclose(f);
    *len = n;
    return buf;
}

static const struct extract_person *person(const struct extract_result *r, const char *name)
{
    for (size_t i = 0; i < r->npeople; i++)
        if (strcmp(r->people[i].name, name) == 0)
            return &r->people[i];
    return NULL;
}

/* Byte offset of the k-th occurrence of w in text (k from 1), or -1. */
static long nth(const char *text, size_t len, const char *w, long k)
{
    size_t n = strlen(w);
    for (size_t i = 0; n && i + n <= len; i++)
        if (memcmp(text + i, w, n) == 0 && --k == 0)
            return (long)i;
    return -1;
}

/* The person with a mention starting at byte off, or NULL. */
static const struct extract_person *mentioned(const struct extract_result *r, long off)
{
    for (size_t i = 0; i < r->npeople; i++)
        for (size_t k = 0; k < r->people[i].nmentions; k++)
            if ((long)r->people[i].mentions[k].start == off)
                return &r->people[i];
    return NULL;
}

static int golden(const char *stem)
{
    char path[512];
    size_t tlen = 0, elen = 0;
    snprintf(path, sizeof path, DATA_DIR "%s.txt", stem);
    char *text = slurp(path, &tlen);
    snprintf(path, sizeof path, DATA_DIR "%s.expect", stem);
    char *exp = slurp(path, &elen);
    int bad = 0;
    struct extract_result r;
    if (!text || !exp || extract_run(text, tlen, &r) != QW_OK) {
        fprintf(stderr, "golden %s: cannot run\n", stem);
        free(text);
        free(exp);
        return 1;
    }
    for (char *line = strtok(exp, "\n"); line; line = strtok(NULL, "\n")) {
        char *f1 = strchr(line, '\t');
        if (!f1)
            continue;
        *f1++ = 0;
        char *f2 = strchr(f1, '\t');
        if (f2)
            *f2++ = 0;
        const struct extract_person *p = person(&r, f1);
        if (strcmp(line, "P") == 0 && f2) {
            size_t want = (size_t)strtoul(f2, NULL, 10);
            if (!p || p->nmentions != want) {
                fprintf(stderr, "golden %s: person %s: want %zu mentions, got %zu\n", stem, f1, want,
                        p ? p->nmentions : 0);
                bad++;
            }
        } else if (strcmp(line, "M") == 0 && f2 && strchr(f2, '#')) {
            char *hash = strrchr(f2, '#');
            *hash = 0;
            long off = nth(text, tlen, f2, strtol(hash + 1, NULL, 10));
            const struct extract_person *m = off >= 0 ? mentioned(&r, off) : NULL;
            const char *got = m ? m->name : "-";
            if (off < 0 || strcmp(got, f1) != 0) {
                fprintf(stderr, "golden %s: %s#%s: want %s, got %s\n", stem, f2, hash + 1, f1,
                        off < 0 ? "(no such occurrence)" : got);
                bad++;
            }
        } else if (strcmp(line, "N") == 0 && p) {
            fprintf(stderr, "golden %s: %s must not be a person\n", stem, f1);
            bad++;
        }
    }
    extract_result_free(&r);
    free(text);
    free(exp);
    return bad;
}

int main(void)
{
    /* These cases test the name rules and their back references (names.c,
     * coref.c) on their own: the tagger, which can veto a rule's mention,
     * has its own tests (test_tagger.c) and is measured on annotated news
     * (make eval); test_extract.c runs the whole extractor. */
    CHECK(extract_override_data("tagger.model", "", 0) == QW_OK);
    CHECK(extract_init() == QW_OK);
    DIR *d = opendir(DATA_DIR);
    int cases = 0;
    TEST("people golden cases found") { CHECK(d != NULL); }
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "people_", 7) != 0 || n < 5 || n >= 256 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        char stem[256], name[300];
        memcpy(stem, e->d_name, n - 4);
        stem[n - 4] = 0;
        snprintf(name, sizeof name, "golden %s", stem);
        TEST(name) { CHECK(golden(stem) == 0); }
        cases++;
    }
    if (d)
        closedir(d);
    TEST("at least two people cases") { CHECK(cases >= 2); }
    extract_shutdown();
    return test_report("names");
}
