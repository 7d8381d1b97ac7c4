/* Back references: links surname-only ("Blinken") and given-name-only
 * ("Alan") mentions to the nearest person with that name, resolves titled
 * single names ("Secretary Blinken", "Mr. Smith"), and takes one-name
 * people from speech ("Pate said").  Hash indexes keep it linear. */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "names.h"
#include "xctx.h"

/* ASCII case-folded FNV-1a, so that "BLINKEN" meets "Blinken". */
uint64_t names_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

uint64_t names_tok_hash(const struct xctx *x, size_t i)
{
    return names_hash(x->text + x->t[i].s, x->t[i].e - x->t[i].s);
}

void nindex_free(struct nindex *ix)
{
    free(ix->heads);
    free(ix->next);
    free(ix->sur);
    free(ix->giv);
    free(ix->lower);
    memset(ix, 0, sizeof *ix);
}

static int nindex_rehash(struct nindex *ix, const struct xctx *x);

/* Adds person p (already in x->p) to the surname chains. */
int nindex_add(struct nindex *ix, const struct xctx *x, size_t p)
{
    if ((p + 1) * 2 > ix->hcap) {
        if (nindex_rehash(ix, x) != 0)
            return -1;
        return 0; /* rehash inserted everyone, p included */
    }
    if (p >= ix->ncap) {
        size_t nc = ix->ncap ? ix->ncap * 2 : 64;
        while (nc <= p)
            nc *= 2;
        uint32_t *nn = realloc(ix->next, nc * sizeof *nn);
        if (!nn)
            return -1;
        ix->next = nn;
        ix->ncap = nc;
    }
    size_t slot = names_tok_hash(x, x->p[p].last_ts) & (ix->hcap - 1);
    ix->next[p] = ix->heads[slot];
    ix->heads[slot] = (uint32_t)p + 1;
    return 0;
}

static int nindex_rehash(struct nindex *ix, const struct xctx *x)
{
    size_t cap = ix->hcap ? ix->hcap : 64;
    while (cap < (x->np + 1) * 4)
        cap *= 2;
    uint32_t *heads = calloc(cap, sizeof *heads);
    if (!heads)
        return -1;
    free(ix->heads);
    ix->heads = heads;
    ix->hcap = cap;
    if (x->np > ix->ncap) {
        uint32_t *nn = realloc(ix->next, cap * sizeof *nn);
        if (!nn)
            return -1;
        ix->next = nn;
        ix->ncap = cap;
    }
    for (size_t p = 0; p < x->np; p++) {
        size_t slot = names_tok_hash(x, x->p[p].last_ts) & (ix->hcap - 1);
        ix->next[p] = ix->heads[slot];
        ix->heads[slot] = (uint32_t)p + 1;
    }
    return 0;
}

/* First person in the chain of hash h (iterate with nindex_next). */
int nindex_first(const struct nindex *ix, uint64_t h)
{
    if (!ix->hcap)
        return -1;
    return (int)ix->heads[h & (ix->hcap - 1)] - 1;
}

int nindex_next(const struct nindex *ix, int p)
{
    return (int)ix->next[p] - 1;
}

static int cmp_nkey(const void *a, const void *b)
{
    const struct nkey *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Sorted (key hash, position) arrays of the multi-word mentions so far. */
static int build_keys(struct xctx *x, struct nindex *ix)
{
    size_t n = 0;
    for (size_t mi = 0; mi < x->nm; mi++)
        n += x->m[mi].person >= 0 && x->m[mi].te - x->m[mi].ts >= 2;
    free(ix->sur);
    free(ix->giv);
    ix->sur = ix->giv = NULL;
    ix->nsur = ix->ngiv = 0;
    if (n == 0)
        return 0;
    ix->sur = malloc(n * sizeof *ix->sur);
    ix->giv = malloc(n * sizeof *ix->giv);
    if (!ix->sur || !ix->giv)
        return -1;
    for (size_t mi = 0; mi < x->nm; mi++) {
        const struct xmention *m = &x->m[mi];
        if (m->person < 0 || m->te - m->ts < 2)
            continue;
        const struct xperson *p = &x->p[m->person];
        ix->sur[ix->nsur++] = (struct nkey){names_tok_hash(x, p->last_ts), m->ts, m->person};
        if (p->first_ts != p->last_ts)
            ix->giv[ix->ngiv++] = (struct nkey){names_tok_hash(x, p->first_ts), m->ts, m->person};
    }
    qsort(ix->sur, ix->nsur, sizeof *ix->sur, cmp_nkey);
    if (ix->ngiv)
        qsort(ix->giv, ix->ngiv, sizeof *ix->giv, cmp_nkey);
    return 0;
}

/* The person whose surname (or given name) is token tokpos: the nearest
 * full mention before it, else the first one after it, whose gender
 * agrees with g (enum lex_gender, 0 for any: "Mr. Trump" is not Ivana
 * Trump); -1 if none. */
static int resolve_single_g(const struct xctx *x, const struct nindex *ix, size_t tokpos, int given, uint8_t g);

static int resolve_single(const struct xctx *x, const struct nindex *ix, size_t tokpos, int given)
{
    return resolve_single_g(x, ix, tokpos, given, 0);
}

static int resolve_single_g(const struct xctx *x, const struct nindex *ix, size_t tokpos, int given, uint8_t g)
{
    const struct nkey *k = given ? ix->giv : ix->sur;
    size_t n = given ? ix->ngiv : ix->nsur;
    uint64_t h = names_tok_hash(x, tokpos);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k[mid].h < h || (k[mid].h == h && k[mid].ts <= tokpos))
            lo = mid + 1;
        else
            hi = mid;
    }
    /* lo: first entry after (h, tokpos); lb: the first with hash h */
    size_t lb = 0, ub = lo;
    while (lb < ub) {
        size_t mid = (lb + ub) / 2;
        if (k[mid].h < h)
            lb = mid + 1;
        else
            ub = mid;
    }
    /* the person first introduced with this surname ("Cruz" is Ted
     * Cruz, not Heidi Cruz mentioned since), unless a full name with it
     * stands in the same paragraph ("Jeh Johnson ... Johnson said") */
    size_t para = tokpos;
    while (para > 0 && !(x->t[para].f & TF_PARA))
        para--;
    size_t last = lo;
    while (last > lb && k[last - 1].ts >= para)
        last--;
    if (last < lo)
        lb = lo; /* a full mention in this paragraph: the nearest below */
    for (size_t j = lb; j < lo; j++) {
        const struct xperson *p = &x->p[k[j].person];
        if (names_tok_eq(x, given ? p->first_ts : p->last_ts, tokpos) && (!g || !p->gender || p->gender == g))
            return k[j].person;
    }
    for (size_t j = lo; j-- > 0 && k[j].h == h;) {
        const struct xperson *p = &x->p[k[j].person];
        if (names_tok_eq(x, given ? p->first_ts : p->last_ts, tokpos) && (!g || !p->gender || p->gender == g))
            return k[j].person;
    }
    for (size_t j = lo; j < n && k[j].h == h; j++) {
        const struct xperson *p = &x->p[k[j].person];
        if (names_tok_eq(x, given ? p->first_ts : p->last_ts, tokpos) && (!g || !p->gender || p->gender == g))
            return k[j].person;
    }
    return -1;
}

/* A person known by one name only ("Mr. Smith", "Pate said"). */
static int single_name_person(const struct xctx *x, const struct nindex *ix, size_t i)
{
    for (int p = nindex_first(ix, names_tok_hash(x, i)); p >= 0; p = nindex_next(ix, p))
        if (x->p[p].first_ts == x->p[p].last_ts && names_tok_eq(x, x->p[p].last_ts, i))
            return p;
    return -1;
}

static int cmp_mention(const void *a, const void *b)
{
    const struct xmention *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* A verb-like word after a name: a speech verb, "-ed", or an adverb
 * before one ("Cruz openly admitted"). */
static int verbish(const struct xctx *x, size_t k)
{
    for (int hop = 0; hop < 2 && k < x->nt; hop++, k++) {
        const struct tok *t = &x->t[k];
        if (t->kind != TK_WORD || !(t->f & TF_LOWER) || (t->f & TF_INQ))
            return 0;
        size_t n = t->e - t->s;
        if (t->lf & LEX_VERB)
            return 1;
        if (n > 4 && memcmp(x->text + t->e - 2, "ed", 2) == 0 && !(t->lf & LEX_COMMON))
            return 1;
        if (!(n > 4 && memcmp(x->text + t->e - 2, "ly", 2) == 0))
            return 0;
    }
    return 0;
}

/* One capitalised word acting as a person: "Pate said", "said Pate.",
 * "Carson defied". */
static int single_speaker(const struct xctx *x, struct nindex *ix, size_t i)
{
    const struct tok *t = &x->t[i];
    if ((t->lf & ~(uint32_t)(LEX_GIVEN | LEX_SURFIRST | LEX_HARVEST)) || (t->f & (TF_ALLCAP | TF_DOTS | TF_INQ | TF_HYPH)) ||
        t->e - t->s < 3 || !(t->f & TF_CAP))
        return 0;
    static const char *const plural[] = {"ans", "ers", "ists", "ors", "ses", "ds", "qis", "tis",
                                         "ites", "ies", NULL};
    for (size_t k = 0; plural[k]; k++) {
        size_t m = strlen(plural[k]);
        if (t->e - t->s > m && memcmp(x->text + t->e - m, plural[k], m) == 0)
            return 0;
    }
    if (i > 0 && (tok_is(x, i - 1, "the") || tok_is(x, i - 1, "a") || tok_is(x, i - 1, "an")))
        return 0;
    if (!verbish(x, i + 1) &&
        !(i > 0 && x->t[i - 1].kind == TK_WORD && (x->t[i - 1].lf & LEX_VERB) &&
          (x->t[i - 1].f & TF_LOWER) && i + 1 < x->nt && x->t[i + 1].kind == TK_PUNCT))
        return 0;
    return !names_lower_seen(x, ix, i);
}

/* Pass 2: surname-only and given-name-only references, titled singles. */
int coref_scan_singles(struct xctx *x, struct nindex *ix)
{
    size_t nm1 = x->nm;
    if (build_keys(x, ix) != 0)
        return -1;
    /* titled singles first */
    for (size_t mi = 0; mi < nm1; mi++) {
        struct xmention *m = &x->m[mi];
        if (m->person != -2)
            continue;
        int p = resolve_single_g(x, ix, m->ts, 0, names_gender_from_title(x, m->title_ts, m->ts));
        if (p < 0)
            p = resolve_single(x, ix, m->ts, 0);
        if (p < 0) {
            /* a person known only by title and surname ("Mr. Smith") */
            p = single_name_person(x, ix, m->ts);
            if (p < 0) {
                p = names_new_person(x, m->ts, m->te, m->title_ts);
                if (p < 0 || nindex_add(ix, x, (size_t)p) != 0)
                    return -1;
                m = &x->m[mi];
                x->p[p].canon = (uint32_t)mi;
            }
        }
        m->person = p;
        names_add_role(x, p, m->title_ts, m->ts);
        if (!x->p[p].gender)
            x->p[p].gender = names_gender_from_title(x, m->title_ts, m->ts);
    }
    if (x->np == 0)
        return 0;
    for (size_t i = 0; i < x->nt; i++) {
        const struct tok *t = &x->t[i];
        if (t->kind != TK_WORD || !(t->f & TF_CAP) || (t->f & (TF_NAME | TF_POSS)))
            continue;
        /* a single capitalised word, not inside a longer capitalised run */
        int alone = !(i > 0 && names_run_word(x, i - 1) && !(t->f & TF_PARA) &&
                      !(x->t[i - 1].lf & (LEX_COMMON | LEX_TITLE | LEX_HON | LEX_MOD | LEX_NATION))) &&
                    !(i + 1 < x->nt && names_run_word(x, i + 1) && !(x->t[i + 1].f & TF_PARA));
        if (t->f & TF_ALLCAP)
            alone = 1;
        if (!alone && !(t->f & TF_HYPH))
            continue;
        if (t->f & TF_HYPH) {
            /* "Blinken-Qin": each part on its own */
            size_t a = t->s;
            for (size_t k = t->s; k <= t->e; k++) {
                if (k < t->e && x->text[k] != '-')
                    continue;
                for (int pj = k > a ? nindex_first(ix, names_hash(x->text + a, k - a)) : -1; pj >= 0;
                     pj = nindex_next(ix, pj)) {
                    const struct tok *lt = &x->t[x->p[pj].last_ts];
                    if (lt->e - lt->s == k - a && strncmp(x->text + lt->s, x->text + a, k - a) == 0) {
                        if (xctx_grow((void **)&x->m, &x->capm, x->nm, sizeof *x->m) != 0)
                            return -1;
                        struct xmention *m = &x->m[x->nm++];
                        m->ts = (uint32_t)i;
                        m->te = (uint32_t)i + 1;
                        m->s = (uint32_t)a;
                        m->e = (uint32_t)k;
                        m->title_ts = (uint32_t)i;
                        m->person = pj;
                        break;
                    }
                }
                a = k + 1;
            }
            continue;
        }
        if (names_modifier_use(x, i + 1))
            continue;
        size_t hon = i; /* "Mr. Trump": the honorific tells the gender */
        if (hon >= 2 && tok_punct(x, hon - 1, '.') && (x->t[hon - 2].lf & LEX_HON))
            hon -= 2;
        else if (hon >= 1 && (x->t[hon - 1].lf & LEX_HON))
            hon--;
        int p = hon < i ? resolve_single_g(x, ix, i, 0, names_gender_from_title(x, hon, i)) : -1;
        if (p < 0)
            p = resolve_single(x, ix, i, 0);
        if (p < 0 && (t->lf & LEX_GIVEN) && !(t->lf & LEX_COMMON) && !(t->f & TF_ALLCAP))
            p = resolve_single(x, ix, i, 1);
        if (p < 0)
            p = single_name_person(x, ix, i);
        int titled = hon < i && hon + 2 == i && (x->t[hon].f & TF_CAP) && !(x->t[hon].f & TF_ALLCAP) &&
                     !tok_is(x, hon, "st") && !(t->lf & (LEX_COMMON | LEX_NONPERSON | LEX_PLACE | LEX_NATION)) &&
                     !(t->f & (TF_ALLCAP | TF_INQ));
        if (p < 0 && (titled || single_speaker(x, ix, i))) {
            /* "Pate said": a person known by one name */
            if (p < 0) {
                p = names_new_person(x, i, i + 1, i);
                if (p < 0 || nindex_add(ix, x, (size_t)p) != 0)
                    return -1;
                x->p[p].canon = (uint32_t)x->nm;
                t = &x->t[i];
            }
        }
        if (p < 0)
            continue;
        size_t title_ts = i;
        while (title_ts > 0 && (x->t[title_ts - 1].lf & (LEX_TITLE | LEX_HON)) &&
               (x->t[title_ts - 1].f & TF_CAP))
            title_ts--;
        if (names_add_mention(x, i, i + 1, title_ts, p) != 0)
            return -1;
    }
    qsort(x->m, x->nm, sizeof *x->m, cmp_mention);
    return 0;
}
