/* harvest_names: the words of annotated names, counted by entity type.
 *
 *   harvest_names TRAIN.jsonl >data/entity-words.tsv
 *
 * For every capitalised word (as the extractor tokenizes it) inside a gold
 * PER, ORG, LOC or MISC span, counts the documents in which the word is
 * part of a name of each type, and prints the words found in two documents
 * or more, sorted, as "word<TAB>per<TAB>org<TAB>loc<TAB>misc".
 * lexicon.c turns the counts into the LEX_H* flags.  Deterministic: the
 * output depends on the input only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conll.h"
#include "lexicon.h"
#include "tagger.h"

#define MAXWORD 64

struct entry {
    char w[MAXWORD + 1];
    uint32_t docs[4];
    uint32_t last[4]; /* last document counted + 1 */
};

static struct entry *tab;
static size_t cap, used;

static uint64_t hash(const char *w)
{
    uint64_t h = 1469598103934665603ull;
    for (; *w; w++) {
        h ^= (unsigned char)*w;
        h *= 1099511628211ull;
    }
    return h;
}

static struct entry *get(const char *w)
{
    if ((used + 1) * 2 > cap) {
        size_t nc = cap ? cap * 2 : 1 << 14;
        struct entry *nt = calloc(nc, sizeof *nt);
        if (!nt)
            return NULL;
        for (size_t i = 0; i < cap; i++) {
            if (!tab[i].w[0])
                continue;
            size_t j = hash(tab[i].w) & (nc - 1);
            while (nt[j].w[0])
                j = (j + 1) & (nc - 1);
            nt[j] = tab[i];
        }
        free(tab);
        tab = nt;
        cap = nc;
    }
    size_t j = hash(w) & (cap - 1);
    while (tab[j].w[0] && strcmp(tab[j].w, w) != 0)
        j = (j + 1) & (cap - 1);
    if (!tab[j].w[0]) {
        memcpy(tab[j].w, w, strlen(w) + 1); /* at most MAXWORD + 1 */
        used++;
    }
    return &tab[j];
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->w, ((const struct entry *)b)->w);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: harvest_names TRAIN.jsonl >entity-words.tsv\n");
        return 2;
    }
    char err[160];
    struct conll_doc *docs;
    size_t ndocs;
    if (conll_read(argv[1], &docs, &ndocs, err) != 0) {
        fprintf(stderr, "harvest_names: %s\n", err);
        return 1;
    }
    int rc = 1;
    uint8_t *tags = NULL;
    for (size_t di = 0; di < ndocs; di++) {
        struct xctx x;
        if (conll_tokens(&docs[di], &x) != 0)
            goto out;
        uint8_t *nt = realloc(tags, x.nt + 1);
        if (!nt) {
            xctx_free(&x);
            goto out;
        }
        tags = nt;
        conll_gold_tags(&docs[di], &x, tags);
        for (size_t i = 0; i < x.nt; i++) {
            size_t n = x.t[i].e - x.t[i].s;
            if (tags[i] == TAG_O || !tagger_candidate(&x, i) || n > MAXWORD)
                continue;
            char w[MAXWORD + 1];
            for (size_t k = 0; k < n; k++) {
                unsigned char c = (unsigned char)x.text[x.t[i].s + k];
                w[k] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            }
            w[n] = 0;
            struct entry *e = get(w);
            if (!e) {
                xctx_free(&x);
                goto out;
            }
            int k = tags[i] - TAG_PER;
            if (e->last[k] != di + 1) {
                e->last[k] = (uint32_t)di + 1;
                e->docs[k]++;
            }
        }
        xctx_free(&x);
    }
    size_t w = 0;
    for (size_t i = 0; i < cap; i++)
        if (tab[i].w[0] && tab[i].docs[0] + tab[i].docs[1] + tab[i].docs[2] + tab[i].docs[3] >= 2)
            tab[w++] = tab[i];
    qsort(tab, w, sizeof *tab, cmp_entry);
    const char *base = strrchr(argv[1], '/');
    printf("# Words of annotated names: documents of %s in which the word is part of a\n"
           "# person, organisation, place or other name.  Written by tools/train/harvest_names\n"
           "# (make train-lexicons); words found in fewer than two documents are left out.\n"
           "# word\tper\torg\tloc\tmisc\n",
           base ? base + 1 : argv[1]);
    for (size_t i = 0; i < w; i++)
        printf("%s\t%u\t%u\t%u\t%u\n", tab[i].w, tab[i].docs[0], tab[i].docs[1], tab[i].docs[2], tab[i].docs[3]);
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    if (rc)
        fprintf(stderr, "harvest_names: out of memory or write error\n");
    free(tags);
    free(tab);
    conll_free(docs, ndocs);
    return rc;
}
