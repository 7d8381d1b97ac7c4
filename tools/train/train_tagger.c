/* train_tagger: trains the entity tagger's averaged perceptron.
 *
 *   train_tagger [--epochs N] [--seed N] [--prune W] [--min-updates N]
 *                [--data NAME=FILE]... [--test GOLD.jsonl] TRAIN.jsonl OUT.model
 *
 * Links the extractor's objects, so that the features seen in training are
 * the very ones tagger.c computes at run time (tagger_features over the
 * tokens of tok_run).  Greedy left-to-right decoding with the predicted
 * tags as history, as at run time; documents are visited in a shuffled
 * order drawn from a fixed seed, for a fixed number of epochs, so the
 * model is a function of the data and the options only (defaults: 10
 * epochs, seed 1).  Features updated fewer than N times (default 2), or
 * whose averaged weights all stay under W in absolute value (default 0),
 * are left out of the model.  --test tags another set with the written
 * model (loaded the way the extractor loads it) and prints token accuracy
 * and the F1 of the tagger's own PER spans. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conll.h"
#include "lexicon.h"
#include "tagger.h"

struct feat {
    uint32_t key;
    uint32_t stamp; /* step of the last update */
    uint32_t updates;
    float w[TAGGER_NTAGS];
    double tot[TAGGER_NTAGS]; /* sum of w over the steps up to stamp */
};

static struct feat *feats;
static size_t nfeats, capfeats;
static uint32_t *index_tab; /* slot -> feature + 1 */
static size_t index_cap;

static size_t slot(uint32_t key, size_t cap)
{
    return (size_t)((key * 2654435761u) >> 5) & (cap - 1);
}

static struct feat *find(uint32_t key)
{
    if (!index_cap)
        return NULL;
    for (size_t j = slot(key, index_cap); index_tab[j]; j = (j + 1) & (index_cap - 1))
        if (feats[index_tab[j] - 1].key == key)
            return &feats[index_tab[j] - 1];
    return NULL;
}

static struct feat *find_or_add(uint32_t key)
{
    struct feat *f = find(key);
    if (f)
        return f;
    if ((nfeats + 1) * 2 > index_cap) {
        size_t nc = index_cap ? index_cap * 2 : 1 << 16;
        uint32_t *nt = calloc(nc, sizeof *nt);
        if (!nt)
            return NULL;
        for (size_t k = 0; k < nfeats; k++) {
            size_t j = slot(feats[k].key, nc);
            while (nt[j])
                j = (j + 1) & (nc - 1);
            nt[j] = (uint32_t)k + 1;
        }
        free(index_tab);
        index_tab = nt;
        index_cap = nc;
    }
    if (nfeats == capfeats) {
        size_t nc = capfeats ? capfeats * 2 : 1 << 15;
        struct feat *nf = realloc(feats, nc * sizeof *nf);
        if (!nf)
            return NULL;
        feats = nf;
        capfeats = nc;
    }
    f = &feats[nfeats];
    memset(f, 0, sizeof *f);
    f->key = key;
    size_t j = slot(key, index_cap);
    while (index_tab[j])
        j = (j + 1) & (index_cap - 1);
    index_tab[j] = (uint32_t)++nfeats;
    return f;
}

/* Brings f's running sum up to step now. */
static void catch_up(struct feat *f, uint32_t now)
{
    double dt = (double)(now - f->stamp);
    for (int g = 0; g < TAGGER_NTAGS; g++)
        f->tot[g] += dt * f->w[g];
    f->stamp = now;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: a fixed sequence for a fixed seed on every platform */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

struct item {
    struct conll_doc *doc;
    struct xctx x;
    uint8_t *gold;
};

static int cmp_feat(const void *a, const void *b)
{
    uint32_t x = ((const struct feat *)a)->key, y = ((const struct feat *)b)->key;
    return x < y ? -1 : x > y;
}

static int write_file(const char *path, const char *p, size_t n)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int bad = fwrite(p, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

/* PER spans of a tagged text: runs of PER tokens on one line, joined over
 * lower-case particles ("van der"). */
static size_t per_spans(const struct xctx *x, uint32_t (*out)[2], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < x->nt && n < max;) {
        if (x->tg[i].tag != TAG_PER) {
            i++;
            continue;
        }
        size_t b = i + 1;
        for (;;) {
            if (b < x->nt && x->tg[b].tag == TAG_PER && !(x->t[b].f & TF_PARA)) {
                b++;
                continue;
            }
            size_t p = b;
            while (p < x->nt && p < b + 3 && (x->t[p].lf & LEX_PARTICLE) && (x->t[p].f & TF_LOWER) &&
                   !(x->t[p].f & TF_PARA))
                p++;
            if (p > b && p < x->nt && x->tg[p].tag == TAG_PER && !(x->t[p].f & TF_PARA)) {
                b = p + 1;
                continue;
            }
            break;
        }
        out[n][0] = x->t[i].s;
        out[n][1] = x->t[b - 1].e;
        n++;
        i = b;
    }
    return n;
}

/* Tags the documents of path with the loaded model and prints scores. */
static int test_set(const char *path)
{
    char err[160];
    struct conll_doc *docs;
    size_t ndocs;
    if (conll_read(path, &docs, &ndocs, err) != 0) {
        fprintf(stderr, "train_tagger: %s\n", err);
        return -1;
    }
    size_t right = 0, cands = 0, sp_tp = 0, sp_pred = 0, sp_gold = 0;
    uint8_t *gold = NULL;
    uint32_t(*sp)[2] = NULL;
    int rc = -1;
    for (size_t di = 0; di < ndocs; di++) {
        struct xctx x;
        if (conll_tokens(&docs[di], &x) != 0 || !x.tg) {
            xctx_free(&x);
            goto out;
        }
        uint8_t *ng = realloc(gold, x.nt + 1);
        uint32_t(*ns)[2] = realloc(sp, (x.nt + 1) * sizeof *sp);
        if (ng)
            gold = ng;
        if (ns)
            sp = ns;
        if (!ng || !ns) {
            xctx_free(&x);
            goto out;
        }
        conll_gold_tags(&docs[di], &x, gold);
        for (size_t i = 0; i < x.nt; i++) {
            if (!tagger_candidate(&x, i))
                continue;
            cands++;
            right += x.tg[i].tag == gold[i];
        }
        size_t n = per_spans(&x, sp, x.nt + 1);
        sp_pred += n;
        for (size_t k = 0; k < docs[di].nents; k++) {
            const struct conll_span *e = &docs[di].ents[k];
            if (e->tag != TAG_PER)
                continue;
            sp_gold++;
            for (size_t j = 0; j < n; j++)
                if (sp[j][0] == e->s && sp[j][1] == e->e) {
                    sp_tp++;
                    break;
                }
        }
        xctx_free(&x);
    }
    double p = sp_pred ? (double)sp_tp / (double)sp_pred : 0, r = sp_gold ? (double)sp_tp / (double)sp_gold : 0;
    printf("test %s: candidate tokens %zu, accuracy %.4f; tagger-alone PER spans P %.3f R %.3f F1 %.3f\n", path,
           cands, cands ? (double)right / (double)cands : 0, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0);
    rc = 0;
out:
    free(gold);
    free(sp);
    conll_free(docs, ndocs);
    return rc;
}

int main(int argc, char **argv)
{
    int epochs = 10;
    unsigned long long seed = 1;
    double prune = 0;
    unsigned min_updates = 2;
    const char *test = NULL;
    char err[160];
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (strcmp(argv[a], "--epochs") == 0 && a + 1 < argc)
            epochs = atoi(argv[++a]);
        else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
            seed = strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--prune") == 0 && a + 1 < argc)
            prune = atof(argv[++a]);
        else if (strcmp(argv[a], "--min-updates") == 0 && a + 1 < argc)
            min_updates = (unsigned)atoi(argv[++a]);
        else if (strcmp(argv[a], "--test") == 0 && a + 1 < argc)
            test = argv[++a];
        else if (strcmp(argv[a], "--data") == 0 && a + 1 < argc) {
            if (conll_data_option(argv[++a], err) != 0) {
                fprintf(stderr, "train_tagger: %s\n", err);
                return 2;
            }
        } else
            break;
    }
    if (argc - a != 2 || epochs < 1) {
        fprintf(stderr, "usage: train_tagger [--epochs N] [--seed N] [--prune W] [--min-updates N]\n"
                        "                    [--data NAME=FILE]... [--test GOLD.jsonl] TRAIN.jsonl OUT.model\n");
        return 2;
    }
    const char *train = argv[a], *outp = argv[a + 1];
    clock_t c0 = clock();
    if (lexicon_init() != 0) {
        fprintf(stderr, "train_tagger: cannot load the lexicons\n");
        return 1;
    }
    struct conll_doc *docs;
    size_t ndocs;
    if (conll_read(train, &docs, &ndocs, err) != 0) {
        fprintf(stderr, "train_tagger: %s\n", err);
        return 1;
    }
    int rc = 1;
    char *model = NULL;
    float *w = NULL;
    uint32_t *keys = NULL;
    size_t *order = NULL;
    struct item *items = calloc(ndocs ? ndocs : 1, sizeof *items);
    order = malloc((ndocs ? ndocs : 1) * sizeof *order);
    if (!items || !order)
        goto out;
    size_t ncand = 0;
    for (size_t di = 0; di < ndocs; di++) {
        items[di].doc = &docs[di];
        if (conll_tokens(&docs[di], &items[di].x) != 0)
            goto out;
        items[di].gold = malloc(items[di].x.nt + 1);
        if (!items[di].gold)
            goto out;
        conll_gold_tags(&docs[di], &items[di].x, items[di].gold);
        for (size_t i = 0; i < items[di].x.nt; i++)
            ncand += tagger_candidate(&items[di].x, i);
        order[di] = di;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    uint32_t now = 0;
    uint32_t f[TAGGER_MAXFEAT];
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t k = ndocs; k > 1; k--) {
            size_t j = (size_t)(rng() % k);
            size_t t = order[k - 1];
            order[k - 1] = order[j];
            order[j] = t;
        }
        size_t errors = 0;
        for (size_t oi = 0; oi < ndocs; oi++) {
            struct item *it = &items[order[oi]];
            struct tagger_doc d;
            if (tagger_doc_init(&d, &it->x) != 0)
                goto out;
            for (size_t i = 0; i < it->x.nt; i++) {
                if (!tagger_candidate(&it->x, i))
                    continue;
                size_t nf = tagger_features(&it->x, &d, i, f);
                float s[TAGGER_NTAGS] = {0};
                for (size_t k = 0; k < nf; k++) {
                    const struct feat *fe = find(f[k]);
                    if (fe)
                        for (int g = 0; g < TAGGER_NTAGS; g++)
                            s[g] += fe->w[g];
                }
                int pred = 0;
                for (int g = 1; g < TAGGER_NTAGS; g++)
                    if (s[g] > s[pred])
                        pred = g;
                int gold = it->gold[i];
                now++;
                if (pred != gold) {
                    errors++;
                    for (size_t k = 0; k < nf; k++) {
                        struct feat *fe = find_or_add(f[k]);
                        if (!fe) {
                            tagger_doc_free(&d);
                            goto out;
                        }
                        catch_up(fe, now);
                        fe->updates++;
                        fe->w[gold] += 1;
                        fe->w[pred] -= 1;
                    }
                }
                tagger_doc_note(&d, &it->x, i, pred);
            }
            tagger_doc_free(&d);
        }
        fprintf(stderr, "train_tagger: epoch %d: %zu of %zu candidate tokens wrong (%.2f%%), %zu features\n", ep + 1,
                errors, ncand, ncand ? 100.0 * (double)errors / (double)ncand : 0, nfeats);
    }
    /* averages, then the features that matter, in key order */
    qsort(feats, nfeats, sizeof *feats, cmp_feat);
    w = malloc((nfeats ? nfeats : 1) * TAGGER_NTAGS * sizeof *w);
    keys = malloc((nfeats ? nfeats : 1) * sizeof *keys);
    if (!w || !keys)
        goto out;
    size_t kept = 0;
    for (size_t k = 0; k < nfeats; k++) {
        catch_up(&feats[k], now);
        float mx = 0;
        for (int g = 0; g < TAGGER_NTAGS; g++) {
            float v = (float)(feats[k].tot[g] / (double)(now ? now : 1));
            w[kept * TAGGER_NTAGS + (size_t)g] = v;
            if (fabsf(v) > mx)
                mx = fabsf(v);
        }
        if (mx <= prune || mx == 0 || feats[k].updates < min_updates)
            continue;
        keys[kept++] = feats[k].key;
    }
    size_t len = 0;
    model = tagger_model_encode(keys, w, kept, &len);
    if (!model || write_file(outp, model, len) != 0) {
        fprintf(stderr, "train_tagger: cannot write %s\n", outp);
        goto out;
    }
    fprintf(stderr, "train_tagger: %zu documents, %d epochs, %zu of %zu features kept, %s: %zu bytes, %.1f s\n", ndocs,
            epochs, kept, nfeats, outp, len, (double)(clock() - c0) / CLOCKS_PER_SEC);
    if (test) {
        if (lexicon_override(TAGGER_MODEL, model, len) != 0 || tagger_init() != TAGGER_OK || test_set(test) != 0) {
            fprintf(stderr, "train_tagger: cannot test on %s\n", test);
            goto out;
        }
    }
    rc = 0;
out:
    if (items)
        for (size_t di = 0; di < ndocs; di++) {
            xctx_free(&items[di].x);
            free(items[di].gold);
        }
    free(items);
    free(order);
    free(model);
    free(w);
    free(keys);
    free(feats);
    free(index_tab);
    conll_free(docs, ndocs);
    tagger_free();
    lexicon_free();
    lexicon_free_overrides();
    if (rc)
        fprintf(stderr, "train_tagger: failed\n");
    return rc;
}
