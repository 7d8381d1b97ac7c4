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

/* Given names of the people with a full name, one key per person at its
 * first multi-word mention, sorted by (hash, position). */
static int build_keys(struct xctx *x, struct nindex *ix)
{
    free(ix->giv);
    ix->giv = NULL;
    ix->ngiv = 0;
    if (x->np == 0)
        return 0;
    uint8_t *seen = calloc(x->np, 1);
    ix->giv = malloc(x->np * sizeof *ix->giv);
    if (!seen || !ix->giv) {
        free(seen);
        return -1;
    }
    for (size_t mi = 0; mi < x->nm; mi++) {
        const struct xmention *m = &x->m[mi];
        if (m->person < 0 || m->te - m->ts < 2 || seen[m->person])
            continue;
        seen[m->person] = 1;
        const struct xperson *p = &x->p[m->person];
        if (p->first_ts != p->last_ts)
            ix->giv[ix->ngiv++] = (struct nkey){names_tok_hash(x, p->first_ts), m->ts, m->person};
    }
    free(seen);
    if (ix->ngiv)
        qsort(ix->giv, ix->ngiv, sizeof *ix->giv, cmp_nkey);
    return 0;
}

/* ---- salience: who a one-word name means at this point of the text ----
 *
 * Several people may carry the name ("Bill Clinton", "Hillary Clinton").
 * The scan goes through the text in order and keeps, for every person,
 * how often, how and where it was mentioned so far.  Writers give a
 * namesake a longer form ("Tom Roe", "Ann Marie Lee") and leave the
 * bare name to the person who already has it, so a one-word name goes:
 *   1. to the centre of this or the previous sentence (mentioned there as
 *      subject -- "X said" -- rather than elsewhere, first rather than
 *      later) when it already has the bare name, or when nobody has it
 *      yet and the centre is a subject;
 *   1b. to a person named there in full as subject while the holders of
 *      the bare name are absent or less central there ("Jeh Johnson says
 *      ... Johnson told"; "Hillary Clinton's campaign ... after Bill
 *      Clinton greeted voters ... Clinton arrived"), but
 *      not to one named by given name alone ("Tom told"): that form is
 *      how the writer tells the namesake apart;
 *   2. else to the holder of the bare name used most so far;
 *   3. else to the person mentioned most so far (a biography's subject,
 *      not the father named once), the first introduced on a tie;
 *   4. else to the first one the text introduces later. */
struct sal {
    uint32_t count; /* mentions before the scan point */
    uint32_t bare;  /* of which by the one name ("Clinton", "Mrs. Clinton") */
    uint32_t sent;  /* sentence number of the latest mention, 0 none */
    uint32_t pos;   /* token of its best-ranked mention in that sentence */
    uint32_t first; /* token of its first mention, XNONE until known */
    uint8_t rank;   /* best mention_rank in that sentence */
    uint8_t frank;  /* the same over full-name mentions */
    uint8_t part;   /* a shorter form of another person's name */
    uint32_t lts, lte; /* its longest multi-word mention, lte 0 if none */
};

struct scan {
    struct sal *s;
    size_t cap;
    uint32_t sent; /* sentence number at the scan point, from 1 */
};

static int scan_reserve(struct scan *sc, size_t np)
{
    if (np <= sc->cap)
        return 0;
    size_t cap = sc->cap ? sc->cap * 2 : 64;
    while (cap < np)
        cap *= 2;
    struct sal *s = realloc(sc->s, cap * sizeof *s);
    if (!s)
        return -1;
    for (size_t k = sc->cap; k < cap; k++)
        s[k] = (struct sal){0, 0, 0, 0, XNONE, 0, 0, 0, 0, 0};
    sc->s = s;
    sc->cap = cap;
    return 0;
}

static int verbish(const struct xctx *x, size_t k);

static int speech_verb(const struct xctx *x, size_t k)
{
    return k < x->nt && x->t[k].kind == TK_WORD && (x->t[k].lf & LEX_VERB) && (x->t[k].f & TF_LOWER) &&
           !(x->t[k].f & TF_INQ);
}

/* How a mention puts its person forward: 3 as a speaker ("X said", "said
 * X"), 2 as the subject of another verb opening a clause ("N.H., X
 * rebuffed"; not "a photo of X contrasted"), 1 otherwise, 0 as a modifier
 * ("the Trump family"), which puts nobody forward. */
static uint8_t mention_rank(const struct xctx *x, size_t title_ts, size_t te)
{
    if (title_ts > 0 && speech_verb(x, title_ts - 1))
        return 3;
    /* the verb may follow an appositive: "Patricia Smith, mother of a
     * victim, rejected the claim" */
    size_t v = te;
    if (tok_punct(x, v, ',')) {
        size_t k = v + 1;
        while (k < x->nt && k < v + 12 && !tok_punct(x, k, ',') && !(x->t[k].f & (TF_SENT | TF_PARA)) &&
               x->t[k].kind != TK_QUOTE)
            k++;
        if (tok_punct(x, k, ','))
            v = k + 1;
    }
    if (speech_verb(x, v))
        return 3;
    if (v < x->nt && verbish(x, v) &&
        !(title_ts > 0 && x->t[title_ts - 1].kind == TK_WORD && (x->t[title_ts - 1].f & TF_LOWER)))
        return 2;
    if (title_ts > 0 && (tok_is(x, title_ts - 1, "the") || tok_is(x, title_ts - 1, "a")) && te < x->nt &&
        x->t[te].kind == TK_WORD && (x->t[te].f & TF_LOWER))
        return 0;
    return 1;
}

static int scan_note(struct scan *sc, const struct xctx *x, int p, size_t title_ts, size_t ts, size_t te)
{
    if (p < 0)
        return 0;
    if (scan_reserve(sc, (size_t)p + 1) != 0)
        return -1;
    struct sal *s = &sc->s[p];
    uint8_t rank = mention_rank(x, title_ts, te);
    if (s->first == XNONE || ts < s->first)
        s->first = (uint32_t)ts;
    if (!rank)
        return 0;
    s->count++;
    s->bare += te - ts == 1 && names_tok_eq(x, ts, x->p[p].last_ts);
    uint8_t frank = te - ts >= 2 ? rank : 0;
    if (s->sent != sc->sent) {
        s->sent = sc->sent;
        s->rank = rank;
        s->frank = frank;
        s->pos = (uint32_t)ts;
    } else {
        if (rank > s->rank) {
            s->rank = rank;
            s->pos = (uint32_t)ts;
        }
        if (frank > s->frank)
            s->frank = frank;
    }
    return 0;
}

/* Is a better placed than b in the latest sentences (b may be NULL)? */
static int sal_before(const struct sal *a, const struct sal *b)
{
    return !b || a->sent > b->sent || (a->sent == b->sent && (a->rank > b->rank || (a->rank == b->rank && a->pos < b->pos)));
}

/* The most salient of the candidate people cand[0, n) (see struct sal). */
static int salient(const struct scan *sc, const int *cand, size_t n)
{
    int win = -1, full = -1, holders = 0, holder = -1;
    for (size_t k = 0; k < n; k++) {
        const struct sal *s = &sc->s[cand[k]];
        if (s->bare)
            holders++;
        if (!s->count || s->sent + 1 < sc->sent)
            continue;
        if (sal_before(s, win >= 0 ? &sc->s[win] : NULL))
            win = cand[k];
        if (s->bare && sal_before(s, holder >= 0 ? &sc->s[holder] : NULL))
            holder = cand[k];
        if (s->frank >= 2 &&
            (full < 0 || s->sent > sc->s[full].sent || (s->sent == sc->s[full].sent && s->frank > sc->s[full].frank)))
            full = cand[k];
    }
    if (win >= 0 && (sc->s[win].bare || (!holders && sc->s[win].rank >= 2)))
        return win;
    if (full >= 0 && (holder < 0 || sc->s[full].sent > sc->s[holder].sent ||
                      (sc->s[full].sent == sc->s[holder].sent && sc->s[full].frank > sc->s[holder].rank)))
        return full;
    int best = -1;
    for (int pass = holders ? 0 : 1; pass < 2 && best < 0; pass++) {
        for (size_t k = 0; k < n; k++) {
            const struct sal *s = &sc->s[cand[k]], *b = best >= 0 ? &sc->s[best] : NULL;
            if (!s->count || (pass == 0 && !s->bare))
                continue;
            uint32_t sc_s = pass == 0 ? s->bare : s->count, sc_b = b ? (pass == 0 ? b->bare : b->count) : 0;
            if (!b || sc_s > sc_b || (sc_s == sc_b && s->first < b->first))
                best = cand[k];
        }
    }
    if (best >= 0)
        return best;
    for (size_t k = 0; k < n; k++) {
        const struct sal *s = &sc->s[cand[k]], *b = best >= 0 ? &sc->s[best] : NULL;
        if (!b || s->first < b->first)
            best = cand[k];
    }
    return best;
}

#define MAX_CAND 16

static int gender_ok(const struct xperson *p, uint8_t g)
{
    return !g || !p->gender || p->gender == g;
}

/* Does one of person p's roles contain the title word at token k
 * ("President Roe" and "former President Jo Roe")? */
static int role_has(const struct xctx *x, const struct xperson *p, size_t k)
{
    for (int r = 0; r < p->nroles; r++)
        for (size_t j = p->roles[r][0]; j < p->roles[r][1]; j++)
            if (names_tok_eq(x, j, k))
                return 1;
    return 0;
}

/* The title word of a titled mention: the last title word before the
 * name that is not an honorific ("President" in "former President
 * Clinton"); XNONE if none. */
static uint32_t title_word(const struct xctx *x, size_t title_ts, size_t ts)
{
    for (size_t k = ts; k-- > title_ts;)
        if ((x->t[k].lf & LEX_TITLE) && !(x->t[k].lf & LEX_HON))
            return (uint32_t)k;
    return XNONE;
}

/* The person that the surname at token i means, among those with a full
 * name (full = 1) or those known by that one name (full = 0) whose gender
 * agrees with g (enum lex_gender, 0 for any: "Mr. Trump" is not Ivana
 * Trump) and, when some of them hold it, the title at token tw (XNONE for
 * none: "President Clinton" is Bill, "Secretary Clinton" Hillary); -1 if
 * none. */
static int resolve_surname(const struct xctx *x, const struct nindex *ix, const struct scan *sc, size_t i,
                           int full, uint8_t g, uint32_t tw)
{
    int cand[MAX_CAND];
    size_t n = 0, titled = 0;
    for (int p = nindex_first(ix, names_tok_hash(x, i)); p >= 0 && n < MAX_CAND; p = nindex_next(ix, p)) {
        const struct xperson *pp = &x->p[p];
        if ((pp->first_ts != pp->last_ts) != full || !names_tok_eq(x, pp->last_ts, i) || !gender_ok(pp, g) ||
            sc->s[p].part)
            continue;
        if (tw != XNONE && role_has(x, pp, tw)) {
            /* title holders first */
            cand[n++] = cand[titled];
            cand[titled++] = p;
        } else {
            cand[n++] = p;
        }
    }
    return n ? salient(sc, cand, titled ? titled : n) : -1;
}

/* The same for the first word of a full name alone, with gender g:
 * a given name ("Hillary"), or, after an honorific or title, the surname
 * of a name written surname first or of a name without surname ("Mr Lee"
 * for Lee Hsien Loong, "Mr Anwar" for Anwar Ibrahim). */
static int resolve_given(const struct xctx *x, const struct nindex *ix, const struct scan *sc, size_t i, uint8_t g)
{
    uint64_t h = names_tok_hash(x, i);
    size_t lo = 0, hi = ix->ngiv;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->giv[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    int cand[MAX_CAND];
    size_t n = 0;
    for (size_t k = lo; k < ix->ngiv && ix->giv[k].h == h && n < MAX_CAND; k++) {
        int p = ix->giv[k].person;
        if (names_tok_eq(x, x->p[p].first_ts, i) && !sc->s[p].part && gender_ok(&x->p[p], g))
            cand[n++] = p;
    }
    return n ? salient(sc, cand, n) : -1;
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

/* ---- shorter forms of a full name ----
 *
 * A double surname or a middle name used as the first name makes a second
 * person in pass 1 ("Lee Roe" beside "Ann Lee Roe",
 * "Van Dam" beside "Jo Van Dam", "Otto Roe" beside "Hans Otto
 * Karl Roe").  Such a form is resolved like a surname among the
 * people whose name contains it. */

/* Are the words of [a, ae) those of [b, be) with some left out, the last
 * word kept, where [b, be) starts with a given name?  Not when [a, ae) is
 * itself a given name and surname that [b, be) only prefixes ("Briton
 * Ian Woosnam"). */
static int name_within(const struct xctx *x, size_t a, size_t ae, size_t b, size_t be)
{
    if (ae - a >= be - b || !names_tok_eq(x, ae - 1, be - 1) || !(x->t[b].lf & LEX_GIVEN) ||
        (x->t[b].lf & LEX_COMMON))
        return 0;
    size_t j = b;
    for (size_t k = a; k < ae; k++, j++) {
        while (j < be && !names_tok_eq(x, j, k))
            j++;
        if (j == be)
            return 0;
    }
    int suffix = 1;
    for (size_t k = a; k < ae; k++)
        suffix &= names_tok_eq(x, k, be - (ae - k));
    return !(suffix && names_given_strong(x, a));
}

/* A word that is no part of a name before a surname ("Following
 * Roe's example", "Said Roe", "the Stop Roe campaign"): no given
 * name, and a word of the text in lower case or shaped like a verb or an
 * adverb. */
static int stray_word(const struct xctx *x, struct nindex *ix, size_t k)
{
    const struct tok *t = &x->t[k];
    if ((t->lf & LEX_GIVEN) || (t->f & (TF_ALLCAP | TF_DOTS)))
        return 0;
    const char *w = x->text + t->s;
    size_t n = t->e - t->s;
    if ((n > 5 && memcmp(w + n - 3, "ing", 3) == 0) || (n > 4 && memcmp(w + n - 2, "ed", 2) == 0) ||
        (n > 4 && memcmp(w + n - 2, "ly", 2) == 0))
        return 1;
    return names_lower_seen(x, ix, k);
}

/* Records each person's longest multi-word mention and marks the shorter
 * forms (part 1), and the two-word "people" that are a stray word before
 * someone else's surname (part 2). */
static void mark_parts(struct xctx *x, struct nindex *ix, struct scan *sc, size_t nm1)
{
    for (size_t mi = 0; mi < nm1; mi++) {
        const struct xmention *m = &x->m[mi];
        if (m->person < 0 || m->te - m->ts < 2)
            continue;
        struct sal *s = &sc->s[m->person];
        if (m->te - m->ts > s->lte - s->lts) {
            s->lts = m->ts;
            s->lte = m->te;
        }
    }
    for (size_t p = 0; p < x->np; p++) {
        struct sal *s = &sc->s[p];
        if (s->lte == 0)
            continue;
        for (int q = nindex_first(ix, names_tok_hash(x, s->lte - 1)); q >= 0 && !s->part; q = nindex_next(ix, q)) {
            const struct sal *t = &sc->s[q];
            if ((size_t)q == p || !names_tok_eq(x, x->p[q].last_ts, s->lte - 1))
                continue;
            if (t->lte && x->p[q].last_ts == t->lte - 1 && name_within(x, s->lts, s->lte, t->lts, t->lte))
                s->part = 1;
            else if (s->lte - s->lts == 2 && x->p[p].last_ts == s->lte - 1 && stray_word(x, ix, s->lts))
                s->part = 2;
        }
    }
}

/* The person whose full name contains the shorter form [ts, te). */
static int resolve_part(const struct xctx *x, const struct nindex *ix, const struct scan *sc, size_t ts, size_t te)
{
    int cand[MAX_CAND];
    size_t n = 0;
    for (int q = nindex_first(ix, names_tok_hash(x, te - 1)); q >= 0 && n < MAX_CAND; q = nindex_next(ix, q)) {
        const struct sal *t = &sc->s[q];
        if (!t->part && t->lte && name_within(x, ts, te, t->lts, t->lte))
            cand[n++] = q;
    }
    return n ? salient(sc, cand, n) : -1;
}

/* Drops the people left without mentions (the shorter forms). */
static int drop_unmentioned(struct xctx *x)
{
    int *map = calloc(x->np ? x->np : 1, sizeof *map);
    if (!map)
        return -1;
    for (size_t mi = 0; mi < x->nm; mi++)
        if (x->m[mi].person >= 0)
            map[x->m[mi].person] = 1;
    size_t w = 0;
    for (size_t p = 0; p < x->np; p++) {
        if (!map[p]) {
            map[p] = -1;
            continue;
        }
        map[p] = (int)w;
        x->p[w++] = x->p[p];
    }
    x->np = w;
    for (size_t mi = 0; mi < x->nm; mi++)
        if (x->m[mi].person >= 0)
            x->m[mi].person = map[x->m[mi].person];
    free(map);
    return 0;
}

/* ---- one-word names and their titles ---- */

/* A capitalised word standing alone, not inside a longer capitalised run. */
static int lone_word(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    if (t->kind != TK_WORD || !(t->f & TF_CAP) || (t->f & (TF_NAME | TF_POSS)))
        return 0;
    if (t->f & TF_ALLCAP)
        return 1;
    return !(i > 0 && names_run_word(x, i - 1) && !(t->f & TF_PARA) &&
             !(x->t[i - 1].lf & (LEX_COMMON | LEX_TITLE | LEX_HON | LEX_MOD | LEX_NATION))) &&
           !(i + 1 < x->nt && names_run_word(x, i + 1) && !(x->t[i + 1].f & TF_PARA));
}

/* The period of an abbreviated honorific or title ("Mr.", "Sen."): token
 * k, within the sentence. */
static int abbrev_period(const struct xctx *x, size_t k)
{
    return k >= 1 && k + 1 < x->nt && tok_punct(x, k, '.') && x->t[k - 1].kind == TK_WORD &&
           x->t[k - 1].e == x->t[k].s && (x->t[k - 1].lf & LEX_HON) && (x->t[k - 1].f & TF_CAP) &&
           !(x->t[k + 1].f & (TF_SENT | TF_PARA));
}

/* The honorific before token i ("Mr. Trump", "Mrs Smith"), or i. */
static size_t honorific_before(const struct xctx *x, size_t i)
{
    if (i >= 2 && abbrev_period(x, i - 1) && (x->t[i - 2].lf & LEX_HON))
        return i - 2;
    if (i >= 1 && (x->t[i - 1].lf & LEX_HON))
        return i - 1;
    return i;
}

/* The first token of the titles before token i ("Foreign Minister",
 * "Mr."), or i. */
static size_t title_start(const struct xctx *x, size_t i)
{
    size_t k = i;
    for (;;) {
        if (k > 0 && (x->t[k - 1].lf & (LEX_TITLE | LEX_HON)) && (x->t[k - 1].f & TF_CAP))
            k--;
        else if (k > 1 && abbrev_period(x, k - 1))
            k -= 2;
        else
            return k;
    }
}

/* "Mr. Smith": an honorific with its period before a one-word name that
 * can be a surname, which makes that word a person's name. */
static int honorific_single(const struct xctx *x, size_t i, size_t hon)
{
    const struct tok *t = &x->t[i];
    return hon + 2 == i && (x->t[hon].f & TF_CAP) && !(x->t[hon].f & TF_ALLCAP) && !tok_is(x, hon, "st") &&
           !(t->lf & (LEX_COMMON | LEX_NONPERSON | LEX_PLACE | LEX_NATION | LEX_HON)) &&
           !(t->f & (TF_ALLCAP | TF_INQ));
}

/* Is there a person with the surname at token i: any with a full name,
 * or one known by that name alone whose gender agrees with g?  Or one
 * whose full name starts with it ("Mr Lee" for Lee Hsien Loong)? */
static int surname_known(const struct xctx *x, const struct nindex *ix, const struct scan *sc, size_t i, uint8_t g)
{
    for (int p = nindex_first(ix, names_tok_hash(x, i)); p >= 0; p = nindex_next(ix, p)) {
        const struct xperson *pp = &x->p[p];
        if (names_tok_eq(x, pp->last_ts, i) && (pp->first_ts != pp->last_ts || gender_ok(pp, g)))
            return 1;
    }
    return resolve_given(x, ix, sc, i, 0) >= 0;
}

/* People known by a title and one name ("Secretary Blinken", "Ms.
 * Goldsmith") that no full name explains: made before the scan, so that
 * bare mentions before the titled one find them too.  Titled singles of
 * pass 1 become their first mentions. */
static int titled_people(struct xctx *x, struct nindex *ix, struct scan *sc, size_t nm1)
{
    if (scan_reserve(sc, x->np) != 0)
        return -1;
    for (size_t mi = 0; mi < nm1; mi++) {
        struct xmention *m = &x->m[mi];
        if (m->person != -2)
            continue;
        if (surname_known(x, ix, sc, m->ts, names_gender_from_title(x, m->title_ts, m->ts)))
            continue;
        int p = names_new_person(x, m->ts, m->te, m->title_ts);
        if (p < 0 || nindex_add(ix, x, (size_t)p) != 0 || scan_reserve(sc, x->np) != 0)
            return -1;
        x->m[mi].person = p;
        x->p[p].canon = (uint32_t)mi;
    }
    for (size_t i = 2; i < x->nt; i++) {
        if (!abbrev_period(x, i - 1) || !lone_word(x, i) || (x->t[i].f & TF_HYPH) || names_modifier_use(x, i + 1))
            continue;
        size_t hon = honorific_before(x, i);
        uint8_t g = names_gender_from_title(x, hon, i);
        if (!honorific_single(x, i, hon) || surname_known(x, ix, sc, i, g))
            continue;
        int p = names_new_person(x, i, i + 1, hon);
        if (p < 0 || nindex_add(ix, x, (size_t)p) != 0 || scan_reserve(sc, x->np) != 0)
            return -1;
        x->p[p].canon = XNONE;
        sc->s[p].first = (uint32_t)i;
    }
    return 0;
}

/* A titled single resolved at its place in the scan. */
static int resolve_titled(struct xctx *x, const struct nindex *ix, const struct scan *sc, struct xmention *m)
{
    uint8_t g = names_gender_from_title(x, m->title_ts, m->ts);
    uint32_t tw = title_word(x, m->title_ts, m->ts);
    int p = resolve_surname(x, ix, sc, m->ts, 1, g, tw);
    if (p < 0 && g)
        p = resolve_surname(x, ix, sc, m->ts, 1, 0, tw);
    if (p < 0)
        p = resolve_given(x, ix, sc, m->ts, g);
    if (p < 0 && g)
        p = resolve_given(x, ix, sc, m->ts, 0);
    if (p < 0)
        p = resolve_surname(x, ix, sc, m->ts, 0, g, tw);
    if (p < 0)
        p = resolve_surname(x, ix, sc, m->ts, 0, 0, tw);
    if (p < 0)
        return -1;
    m->person = p;
    names_add_role(x, p, m->title_ts, m->ts);
    if (!x->p[p].gender)
        x->p[p].gender = g;
    return p;
}

/* ---- surnames that are also words ----
 *
 * Pass 1 rejects a full name whose surname is a lexicon word ("Sharon
 * Street", "Douglass North").  The text itself can settle it: the word
 * alone acting as a person elsewhere ("Street claims", "North defined",
 * "Street's argument", "according to Street") makes a person of a common
 * given name followed by that word standing alone. */

/* How token j is used: 1 as a person (subject of a verb, owner of a
 * noun, source of "said" or "according to"), -1 as a collective noun,
 * which takes plural agreement ("Villa are", "Orient have"), 0 neither
 * or unknown ("the North", "said Villa boss"). */
static int person_use(const struct xctx *x, size_t j)
{
    if (j > 0 && (tok_is(x, j - 1, "the") || tok_is(x, j - 1, "a") || tok_is(x, j - 1, "an")))
        return 0;
    if (tok_is(x, j + 1, "are") || tok_is(x, j + 1, "were") || tok_is(x, j + 1, "have"))
        return -1;
    if (j + 2 < x->nt && (x->t[j + 1].f & TF_POSS) && x->t[j + 2].kind == TK_WORD && (x->t[j + 2].f & TF_LOWER))
        return 1;
    if (speech_verb(x, j + 1) || (j + 1 < x->nt && verbish(x, j + 1)))
        return 1;
    if (j + 1 < x->nt && x->t[j + 1].kind == TK_WORD && (x->t[j + 1].f & TF_LOWER))
        return 0;
    return (j > 0 && speech_verb(x, j - 1)) || (j > 1 && tok_is(x, j - 1, "to") && tok_is(x, j - 2, "according"));
}

/* A common given name and one more capitalised word standing alone, that
 * pass 1 left out: token i of the given name.  Neither word may be of a
 * kind that never names a person there: a place or title first ("Nevada
 * Sen.", "Justice Department"), a title, organisation word, function
 * word, day or plural second ("Florida Friday", "Virginia Democrats"). */
static int loose_full_name(const struct xctx *x, struct nindex *ix, size_t i)
{
    const uint32_t not_given = LEX_PLACE | LEX_NATION | LEX_TITLE | LEX_HON | LEX_NONPERSON | LEXN_ORGNAME | LEXN_ORGTAIL;
    const uint32_t not_surname = LEX_COMMON | LEX_TITLE | LEX_HON | LEX_AGENT | LEXN_ORGTAIL |
                                 LEXN_ORGNAME;
    if (i + 1 >= x->nt || !(x->t[i].lf & LEX_GIVEN) || ((x->t[i].f | x->t[i + 1].f) & (TF_NAME | TF_ALLCAP | TF_INQ)) ||
        (x->t[i + 1].f & TF_PARA) || (x->t[i].lf & not_given) || (x->t[i + 1].lf & not_surname) ||
        !names_run_word(x, i) || !names_run_word(x, i + 1) || !names_given_strong(x, i))
        return 0;
    if (i > 0 && !(x->t[i].f & TF_PARA) &&
        (names_run_word(x, i - 1) || tok_is(x, i - 1, "the") || tok_is(x, i - 1, "a") || tok_is(x, i - 1, "an")))
        return 0;
    return !(i + 2 < x->nt && names_run_word(x, i + 2) && !(x->t[i + 2].f & TF_PARA)) &&
           !names_plural_common(x, ix, i + 1);
}

static int cmp_mention(const void *a, const void *b);

#define MAX_LOOSE 32

static int lexical_surnames(struct xctx *x, struct nindex *ix)
{
    uint32_t cand[MAX_LOOSE];
    uint8_t used[MAX_LOOSE];
    size_t n = 0;
    for (size_t i = 0; i + 1 < x->nt && n < MAX_LOOSE; i++)
        if (loose_full_name(x, ix, i))
            cand[n++] = (uint32_t)i;
    if (!n)
        return 0;
    memset(used, 0, sizeof used); /* bit 1: as a person, bit 2: as a collective */
    for (size_t j = 0; j < x->nt; j++) {
        int use = lone_word(x, j) ? person_use(x, j) : 0;
        if (!use)
            continue;
        for (size_t c = 0; c < n; c++)
            if (cand[c] + 1 != j && names_tok_eq(x, cand[c] + 1, j))
                used[c] |= use > 0 ? 1 : 2;
    }
    size_t added = 0;
    for (size_t c = 0; c < n; c++) {
        if (used[c] != 1 || (x->t[cand[c]].f & TF_NAME))
            continue;
        int p = names_new_person(x, cand[c], cand[c] + 2, cand[c]);
        if (p < 0 || nindex_add(ix, x, (size_t)p) != 0)
            return -1;
        for (size_t d = c; d < n; d++) {
            if (!names_tok_eq(x, cand[d], cand[c]) || !names_tok_eq(x, cand[d] + 1, cand[c] + 1) ||
                (x->t[cand[d]].f & TF_NAME))
                continue;
            if (names_add_mention(x, cand[d], cand[d] + 2, cand[d], p) != 0)
                return -1;
            added++;
        }
    }
    if (!added)
        return 0;
    /* back in text order, each person's first mention its canonical one */
    qsort(x->m, x->nm, sizeof *x->m, cmp_mention);
    for (size_t p = 0; p < x->np; p++)
        x->p[p].canon = XNONE;
    for (size_t mi = 0; mi < x->nm; mi++)
        if (x->m[mi].person >= 0 && x->p[x->m[mi].person].canon == XNONE)
            x->p[x->m[mi].person].canon = (uint32_t)mi;
    return 0;
}

/* A place name where a person cannot be: after a preposition of place
 * ("in Houston", "to Washington"), in a dateline ("WASHINGTON (AP)"), or
 * before a state's abbreviation ("Washington, D.C.").  A surname that is
 * also a place ("Tyler Houston", "George Washington") is a person only
 * elsewhere ("a statue of Houston"). */
static int place_use(const struct xctx *x, size_t i)
{
    static const char *const at[] = {"in", "from", "to", "into", "at", "near", "across", "throughout", NULL};
    if (!(x->t[i].lf & LEX_PLACE) || (i + 1 < x->nt && (x->t[i + 1].f & TF_POSS)))
        return 0; /* "in Jordan's film" */
    if ((x->t[i].f & (TF_ALLCAP | TF_PARA)) == (TF_ALLCAP | TF_PARA))
        return 1;
    if (tok_punct(x, i + 1, ',') && i + 2 < x->nt && (x->t[i + 2].f & TF_DOTS))
        return 1;
    for (size_t k = 0; i > 0 && at[k]; k++)
        if (tok_is(x, i - 1, at[k]))
            return 1;
    return 0;
}

/* Pass 2: surname-only and given-name-only references, titled singles,
 * in text order so that each one-word name meets the people as the reader
 * knows them at that point. */
int coref_scan_singles(struct xctx *x, struct nindex *ix)
{
    struct scan sc = {NULL, 0, 0};
    int rc = -1;
    if (lexical_surnames(x, ix) != 0)
        goto out;
    size_t nm1 = x->nm;
    if (build_keys(x, ix) != 0 || titled_people(x, ix, &sc, nm1) != 0)
        goto out;
    for (size_t pj = 0; pj < x->np; pj++)
        if (x->p[pj].canon < x->nm)
            sc.s[pj].first = x->m[x->p[pj].canon].ts;
    mark_parts(x, ix, &sc, nm1);
    size_t next = 0; /* pass-1 mentions noted so far */
    for (size_t i = 0; i < x->nt && x->np; i++) {
        /* the sentences of a quotation are one step of the narrative */
        if ((x->t[i].f & TF_SENT) && !(x->t[i].f & TF_INQ))
            sc.sent++;
        for (; next < nm1 && x->m[next].ts <= i; next++) {
            struct xmention *m = &x->m[next];
            int p = m->person == -2 ? resolve_titled(x, ix, &sc, m) : m->person;
            if (p >= 0 && sc.s[p].part == 1) {
                int q = resolve_part(x, ix, &sc, m->ts, m->te);
                if (q >= 0)
                    p = m->person = q;
            } else if (p >= 0 && sc.s[p].part == 2 && m->te - m->ts == 2) {
                int q = resolve_surname(x, ix, &sc, m->ts + 1, 1, 0, XNONE);
                if (q < 0)
                    q = resolve_surname(x, ix, &sc, m->ts + 1, 0, 0, XNONE);
                if (q >= 0) {
                    x->t[m->ts].f &= (uint16_t)~TF_NAME;
                    m->title_ts = ++m->ts;
                    m->s = x->t[m->ts].s;
                    p = m->person = q;
                }
            }
            if (scan_note(&sc, x, p, m->title_ts, m->ts, m->te) != 0)
                goto out;
        }
        const struct tok *t = &x->t[i];
        if (t->kind != TK_WORD || !(t->f & TF_CAP) || (t->f & (TF_NAME | TF_POSS)))
            continue;
        int alone = lone_word(x, i);
        if (!alone && !(t->f & TF_HYPH))
            continue;
        /* "Mark-Viverito" is a surname; "Blinken-Qin" two */
        int whole = alone && (t->f & TF_HYPH) &&
                    (resolve_surname(x, ix, &sc, i, 1, 0, XNONE) >= 0 || resolve_surname(x, ix, &sc, i, 0, 0, XNONE) >= 0);
        if ((t->f & TF_HYPH) && !whole) {
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
                            goto out;
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
        if (names_modifier_use(x, i + 1) || place_use(x, i))
            continue;
        size_t hon = honorific_before(x, i); /* "Mr. Trump": the honorific tells the gender */
        uint8_t g = hon < i ? names_gender_from_title(x, hon, i) : 0;
        int p = resolve_surname(x, ix, &sc, i, 1, g, XNONE);
        if (p < 0 && g)
            p = resolve_surname(x, ix, &sc, i, 1, 0, XNONE);
        if (p < 0 && (((t->lf & LEX_GIVEN) && !(t->lf & LEX_COMMON) && !(t->f & TF_ALLCAP)) || hon < i))
            p = resolve_given(x, ix, &sc, i, g);
        if (p < 0 && hon < i && g)
            p = resolve_given(x, ix, &sc, i, 0);
        if (p < 0)
            p = resolve_surname(x, ix, &sc, i, 0, g, XNONE);
        if (p < 0 && g)
            p = resolve_surname(x, ix, &sc, i, 0, 0, XNONE);
        if (p < 0 && single_speaker(x, ix, i)) {
            /* "Pate said": a person known by one name (see
             * coref_merge_first_words for "Ban said") */
            p = names_new_person(x, i, i + 1, i);
            if (p < 0 || nindex_add(ix, x, (size_t)p) != 0 || scan_reserve(&sc, x->np) != 0)
                goto out;
            x->p[p].canon = (uint32_t)x->nm;
            t = &x->t[i];
        }
        if (p < 0)
            continue;
        size_t title_ts = title_start(x, i);
        if (names_add_mention(x, i, i + 1, title_ts, p) != 0 || scan_note(&sc, x, p, title_ts, i, i + 1) != 0)
            goto out;
    }
    if (x->nm)
        qsort(x->m, x->nm, sizeof *x->m, cmp_mention);
    rc = drop_unmentioned(x);
out:
    free(sc.s);
    return rc;
}

/* "Ban said" after "Ban Ki-moon", "Jansher said" after "Jansher Khan": a
 * person known by one word that is the first word of exactly one full
 * name, not a given name (those were resolved in the scan), is that
 * person: a name written surname first, or without surname.  Run after
 * drop_weak_singles, so that a word with evidence against a person
 * ("Axa said" beside "Axa Equity") stays dropped. */
static int cmp_nkey2(const void *a, const void *b)
{
    const struct nkey *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

int coref_merge_first_words(struct xctx *x)
{
    if (x->np < 2)
        return 0;
    struct nkey *k = malloc(x->np * sizeof *k);
    if (!k)
        return -1;
    size_t n = 0;
    for (size_t p = 0; p < x->np; p++)
        if (x->p[p].first_ts != x->p[p].last_ts)
            k[n++] = (struct nkey){names_tok_hash(x, x->p[p].first_ts), 0, (int)p};
    qsort(k, n, sizeof *k, cmp_nkey2);
    int *to = malloc(x->np * sizeof *to);
    if (!to) {
        free(k);
        return -1;
    }
    int merged = 0;
    for (size_t p = 0; p < x->np; p++) {
        to[p] = (int)p;
        const struct xperson *pp = &x->p[p];
        if (pp->first_ts != pp->last_ts)
            continue;
        uint64_t h = names_tok_hash(x, pp->last_ts);
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (k[mid].h < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        int found = -1, many = 0;
        for (size_t j = lo; j < n && k[j].h == h; j++) {
            if (!names_tok_eq(x, x->p[k[j].person].first_ts, pp->last_ts))
                continue;
            many |= found >= 0;
            found = k[j].person;
        }
        if (found >= 0 && !many) {
            to[p] = found;
            merged = 1;
        }
    }
    if (merged)
        for (size_t mi = 0; mi < x->nm; mi++)
            if (x->m[mi].person >= 0)
                x->m[mi].person = to[x->m[mi].person];
    free(to);
    free(k);
    return merged ? drop_unmentioned(x) : 0;
}
