/* Entity tagger: averaged-perceptron weights (data/tagger.model) over
 * hashed features of capitalised words, decoded greedily left to right so
 * that the tags already given feed the next token's features.  The model
 * format is in data/README.md; tools/train/train_tagger.c writes it. */
#include "tagger.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "lexicon.h"
#include "names.h"

/* ---- the model ---- */

#define MODEL_MAGIC "QWTAGGER"
#define MODEL_VERSION 1u
#define MODEL_HEAD 24u  /* magic, version, ntags, nfeat, scale */
#define MODEL_REC 14u   /* key, 5 x int16 */

/* The weights: a cuckoo table, every key in one of its two slots, so that
 * a lookup reads both and keeps the one that matches without a branch
 * (the probe loop of linear probing mispredicted on most lookups).  The
 * weights of O, PER, ORG and LOC sit in the four 16-bit lanes of one
 * 64-bit word, requantized to 10 bits and biased by WBIAS so that every
 * lane stays positive: one addition sums four tags, and TAGGER_MAXFEAT
 * features cannot carry out of a lane (64 * 1023 < 65536). */
#define WBITS10 511
#define WBIAS 512u

struct wslot {
    uint32_t key;  /* 0: empty */
    uint16_t misc; /* MISC weight + WBIAS */
    uint16_t pad;
    uint64_t lanes; /* O, PER, ORG, LOC weights + WBIAS, lowest lane first */
};

static struct wslot *wtab;
static unsigned wbits; /* the table has 1 << wbits slots */
static float wscale;
static int loaded;

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t fnv32(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* The two slots of a key (keys are hashes already; a multiply spreads
 * them): the second is the first xor a non-zero offset from other bits of
 * the key, so that either one gives the other. */
static uint32_t slot1(uint32_t key, unsigned bits)
{
    return (key * 2654435761u) >> (32 - bits);
}

static uint32_t slot_other(uint32_t key, uint32_t slot, unsigned bits)
{
    return slot ^ ((key | 1u) & ((1u << bits) - 1));
}

static uint32_t slot2(uint32_t key, unsigned bits)
{
    return slot_other(key, slot1(key, bits), bits);
}

/* Puts e into t (1 << bits slots); 0, or -1 when the kicks run out. */
static int cuckoo_put(struct wslot *t, unsigned bits, struct wslot e)
{
    uint32_t j = slot1(e.key, bits);
    for (int kick = 0; kick < 512; kick++) {
        if (!t[j].key) {
            t[j] = e;
            return 0;
        }
        struct wslot out = t[j];
        t[j] = e;
        e = out;
        j = slot_other(e.key, j, bits);
    }
    return -1;
}

/* Parses a model into a fresh table; TAGGER_OK, TAGGER_NOMEM or
 * TAGGER_BADMODEL.  On success *tab owns the table. */
static int model_parse(const unsigned char *p, size_t n, struct wslot **tab, unsigned *bits, float *scale)
{
    if (n < MODEL_HEAD + 4 || memcmp(p, MODEL_MAGIC, 8) != 0 || get_u32(p + 8) != MODEL_VERSION ||
        get_u32(p + 12) != TAGGER_NTAGS)
        return TAGGER_BADMODEL;
    uint32_t nfeat = get_u32(p + 16);
    if ((n - MODEL_HEAD - 4) / MODEL_REC != nfeat || (n - MODEL_HEAD - 4) % MODEL_REC != 0)
        return TAGGER_BADMODEL;
    if (fnv32(p, n - 4) != get_u32(p + n - 4))
        return TAGGER_BADMODEL;
    uint32_t sbits = get_u32(p + 20);
    float sc;
    memcpy(&sc, &sbits, sizeof sc);
    if (!(sc > 0.0f && sc < 1e6f) || nfeat > (1u << 26))
        return TAGGER_BADMODEL;
    /* a load under 0.4; a bigger table when the kicks run out */
    unsigned b = 6;
    while ((1u << b) * 2 < nfeat * 5u)
        b++;
    /* the 10-bit weights: the largest int16 in the file maps to WBITS10 */
    int mx = 1;
    for (uint32_t k = 0; k < nfeat; k++)
        for (int g = 0; g < TAGGER_NTAGS; g++) {
            const unsigned char *q = p + MODEL_HEAD + (size_t)k * MODEL_REC + 4 + 2 * (size_t)g;
            int v = (int16_t)(uint16_t)(q[0] | q[1] << 8);
            if (v > mx)
                mx = v;
            if (-v > mx)
                mx = -v;
        }
    for (; b < 30; b++) {
        struct wslot *t = calloc(((size_t)1 << b) + 1, sizeof *t); /* + score's empty slot */
        if (!t)
            return TAGGER_NOMEM;
        int ok = 1;
        const unsigned char *r = p + MODEL_HEAD;
        for (uint32_t k = 0; k < nfeat && ok; k++, r += MODEL_REC) {
            struct wslot e;
            memset(&e, 0, sizeof e);
            e.key = get_u32(r);
            if (e.key == 0 || t[slot1(e.key, b)].key == e.key || t[slot2(e.key, b)].key == e.key) {
                free(t);
                return TAGGER_BADMODEL; /* a key 0, or a key twice */
            }
            for (int g = 0; g < TAGGER_NTAGS; g++) {
                int v = (int16_t)(uint16_t)(r[4 + 2 * g] | r[5 + 2 * g] << 8);
                long q = ((long)v * WBITS10 + (v < 0 ? -mx / 2 : mx / 2)) / mx;
                uint64_t u = (uint64_t)(q + (long)WBIAS);
                if (g < 4)
                    e.lanes |= u << (16 * g);
                else
                    e.misc = (uint16_t)u;
            }
            ok = cuckoo_put(t, b, e) == 0;
        }
        if (ok) {
            /* score's empty slot adds the bias alone */
            t[(size_t)1 << b].lanes = 0x0001000100010001ull * WBIAS;
            t[(size_t)1 << b].misc = (uint16_t)WBIAS;
            *tab = t;
            *bits = b;
            *scale = sc * (float)mx / (float)WBITS10;
            return TAGGER_OK;
        }
        free(t);
    }
    return TAGGER_NOMEM;
}

int tagger_init(void)
{
    if (loaded)
        return TAGGER_OK;
    const struct embedded_file *f = lexicon_data(TAGGER_MODEL);
    if (!f || f->end == f->data)
        return TAGGER_OK; /* no model: the rules alone */
    int rc = model_parse((const unsigned char *)f->data, (size_t)(f->end - f->data), &wtab, &wbits, &wscale);
    if (rc == TAGGER_OK)
        loaded = 1;
    return rc;
}

void tagger_free(void)
{
    free(wtab);
    wtab = NULL;
    wbits = 0;
    loaded = 0;
}

int tagger_enabled(void)
{
    return loaded;
}

char *tagger_model_encode(const uint32_t *feats, const float *w, size_t n, size_t *len)
{
    float mx = 0;
    for (size_t k = 0; k < n * TAGGER_NTAGS; k++) {
        float a = w[k] < 0 ? -w[k] : w[k];
        if (a > mx)
            mx = a;
    }
    float scale = mx > 0 ? mx / 32767.0f : 1.0f;
    if (n > (SIZE_MAX - MODEL_HEAD - 4) / MODEL_REC || n > UINT32_MAX)
        return NULL;
    size_t total = MODEL_HEAD + n * MODEL_REC + 4;
    unsigned char *p = malloc(total);
    if (!p)
        return NULL;
    memcpy(p, MODEL_MAGIC, 8);
    put_u32(p + 8, MODEL_VERSION);
    put_u32(p + 12, TAGGER_NTAGS);
    put_u32(p + 16, (uint32_t)n);
    uint32_t sbits;
    memcpy(&sbits, &scale, sizeof sbits);
    put_u32(p + 20, sbits);
    unsigned char *r = p + MODEL_HEAD;
    for (size_t k = 0; k < n; k++, r += MODEL_REC) {
        put_u32(r, feats[k]);
        for (int g = 0; g < TAGGER_NTAGS; g++) {
            float v = w[k * TAGGER_NTAGS + (size_t)g] / scale;
            long q = (long)(v < 0 ? v - 0.5f : v + 0.5f);
            if (q > 32767)
                q = 32767;
            if (q < -32767)
                q = -32767;
            uint16_t u = (uint16_t)(int16_t)q;
            r[4 + 2 * g] = (unsigned char)u;
            r[5 + 2 * g] = (unsigned char)(u >> 8);
        }
    }
    put_u32(p + total - 4, fnv32(p, total - 4));
    *len = total;
    return (char *)p;
}

/* ---- per-text evidence ---- */

enum tagger_line {
    TL_ALLCAP = 1, /* every word of the line is upper case (datelines, headlines) */
    TL_SHORT = 2,  /* four words or fewer on the line (bylines, datelines) */
    TL_FIRST = 4,  /* first word of its line */
    TL_LAST = 8,   /* last word of its line */
    TL_CAND = 16,  /* a word the tagger tags (tagger_candidate) */
};

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static uint64_t word_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= fold((unsigned char)s[i]);
        h *= 1099511628211ull;
    }
    return h;
}

/* Upper 'X', lower 'x', digit 'd', other ASCII as itself; a run of one
 * class is cut at three ("Blinken" -> "Xxxx", "1996-08-22" -> "ddd-dd-dd");
 * bytes of other letters count as lower case after the first. */
static uint32_t shape_hash(const char *s, size_t n, int cap_first)
{
    uint32_t h = 2166136261u;
    int prev = -1, run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int k;
        if (c >= 'A' && c <= 'Z')
            k = 'X';
        else if (c >= 'a' && c <= 'z')
            k = 'x';
        else if (c >= '0' && c <= '9')
            k = 'd';
        else if (c >= 0x80) {
            if ((c & 0xC0) == 0x80)
                continue; /* continuation byte */
            k = i == 0 && cap_first ? 'X' : 'x';
        } else
            k = c;
        run = k == prev ? run + 1 : 1;
        prev = k;
        if (run > 3)
            continue;
        h ^= (uint32_t)k;
        h *= 16777619u;
    }
    return h ? h : 1;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 64;
    while (c < n)
        c *= 2;
    return c;
}

static int set_has(const uint64_t *set, size_t cap, uint64_t h)
{
    h |= 1;
    for (size_t j = h & (cap - 1); set[j]; j = (j + 1) & (cap - 1))
        if (set[j] == h)
            return 1;
    return 0;
}

static int is_candidate(const struct tok *t)
{
    /* function words and pronouns that open sentences ("The", "He") are a
     * quarter of the capitalised words and never start a person's name */
    return t->kind == TK_WORD && (t->f & TF_CAP) && !(t->f & TF_POSS) &&
           (!(t->lf & (LEX_COMMON | LEX_PRONOUN)) || (t->lf & LEX_GIVEN));
}

int tagger_candidate(const struct xctx *x, size_t i)
{
    return is_candidate(&x->t[i]);
}

/* Line flags for tokens [a, b) of one line. */
static void line_flags(struct tagger_doc *d, size_t a, size_t b, size_t words, size_t caps, size_t lows)
{
    uint8_t fl = 0;
    if (caps && !lows && caps * 2 > words)
        fl |= TL_ALLCAP;
    if (words <= 4)
        fl |= TL_SHORT;
    for (size_t k = a; k < b; k++) /* lines are short: no memset call */
        d->line[k] = fl;
    d->line[a] |= TL_FIRST;
    d->line[b - 1] |= TL_LAST;
}

int tagger_doc_init(struct tagger_doc *d, const struct xctx *x)
{
    memset(d, 0, sizeof *d);
    size_t n = x->nt, nlow = 0, ncand = 0;
    /* one block: shapes, line flags, tags; word hashes are names.c's
     * (x->wh, the same function) when it has them */
    size_t per = sizeof *d->shape + 2 + (x->wh ? 0 : sizeof *d->wh);
    if (n + 2 > SIZE_MAX / per)
        return -1;
    char *blk = malloc((n + 2) * per); /* + alignment of wh */
    if (!blk)
        return -1;
    d->shape = (uint32_t *)(void *)blk;
    d->line = (uint8_t *)(d->shape + n + 1);
    d->tag = d->line + n + 1;
    memset(blk, 0, (n + 1) * (sizeof *d->shape + 2));
    d->wh = x->wh ? x->wh : (uint64_t *)(void *)(d->tag + n + 1 + (8 - (n + 1) * 6 % 8) % 8);
    size_t a = 0, words = 0, caps = 0, lows = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tok *t = &x->t[i];
        if ((t->f & TF_PARA) && i > a) {
            line_flags(d, a, i, words, caps, lows);
            a = i;
            words = caps = lows = 0;
        }
        if (!x->wh)
            d->wh[i] = word_hash(x->text + t->s, t->e - t->s);
        if (t->kind != TK_WORD)
            continue;
        words++;
        caps += (t->f & TF_ALLCAP) != 0;
        lows += (t->f & TF_LOWER) != 0;
        nlow += (t->f & TF_LOWER) && !(t->f & TF_POSS);
    }
    if (n > a)
        line_flags(d, a, n, words, caps, lows);
    for (size_t i = 0; i < n; i++) {
        if (!is_candidate(&x->t[i]))
            continue;
        d->line[i] |= TL_CAND;
        ncand++;
        /* shapes only where a feature reads them: two tokens either side */
        for (size_t k = i >= 2 ? i - 2 : 0; k < n && k <= i + 2; k++)
            if (!d->shape[k])
                d->shape[k] = shape_hash(x->text + x->t[k].s, x->t[k].e - x->t[k].s, (x->t[k].f & TF_CAP) != 0);
    }
    /* names.c's set of lower-case words when it has built one */
    d->lower_owned = !x->lower;
    d->nlower = x->lower ? x->nlower : pow2_at_least(nlow * 2);
    d->lower = x->lower ? x->lower : calloc(d->nlower, sizeof *d->lower);
    d->nseen = pow2_at_least(ncand * 2);
    d->seen = calloc(d->nseen, sizeof *d->seen);
    if (!d->lower || !d->seen) {
        tagger_doc_free(d);
        return -1;
    }
    for (size_t i = 0; d->lower_owned && i < n; i++) {
        const struct tok *t = &x->t[i];
        if (t->kind != TK_WORD || !(t->f & TF_LOWER) || (t->f & TF_POSS))
            continue;
        uint64_t h = d->wh[i] | 1;
        size_t j = h & (d->nlower - 1);
        while (d->lower[j] && d->lower[j] != h)
            j = (j + 1) & (d->nlower - 1);
        d->lower[j] = h;
    }
    return 0;
}

void tagger_doc_free(struct tagger_doc *d)
{
    if (!d)
        return;
    free(d->shape); /* the block that holds line, tag and maybe wh too */
    if (d->lower_owned)
        free(d->lower);
    free(d->seen);
    memset(d, 0, sizeof *d);
}

static uint64_t seen_key(uint64_t h)
{
    return (h | 8) & ~(uint64_t)7;
}

/* The tag the word of token i got last in this text, + 1; 0 if none. */
static int seen_tag(const struct tagger_doc *d, size_t i)
{
    uint64_t k = seen_key(d->wh[i]);
    for (size_t j = k & (d->nseen - 1); d->seen[j]; j = (j + 1) & (d->nseen - 1))
        if ((d->seen[j] & ~(uint64_t)7) == k)
            return (int)(d->seen[j] & 7);
    return 0;
}

void tagger_doc_note(struct tagger_doc *d, const struct xctx *x, size_t i, int tag)
{
    (void)x;
    d->tag[i] = (uint8_t)tag;
    uint64_t k = seen_key(d->wh[i]);
    size_t j = k & (d->nseen - 1);
    while (d->seen[j] && (d->seen[j] & ~(uint64_t)7) != k)
        j = (j + 1) & (d->nseen - 1);
    d->seen[j] = k | (uint64_t)(tag + 1);
}

/* ---- features ---- */

enum tmpl {
    F_BIAS = 1,
    F_W,
    F_SHAPE,
    F_PRE3,
    F_SUF2,
    F_SUF3,
    F_SUF4,
    F_WM1,
    F_WM2,
    F_WP1,
    F_WP2,
    F_SM1,
    F_SM2,
    F_SP1,
    F_SP2,
    F_WM1_W,
    F_W_WP1,
    F_LEX,
    F_LEXM1,
    F_LEXM2,
    F_LEXP1,
    F_GIVEN,
    F_LINE,
    F_LINE_SHAPE,
    F_SENT,
    F_RUN,
    F_T1,
    F_T12,
    F_T1_W,
    F_T1_SHAPE,
    F_DOCTAG,
    F_DOCTAG_SHAPE,
    F_LOWER,
    F_RULE,
    F_RULE_SHAPE,
};

/* One multiply: the high half of (value + template) times an odd constant. */
static uint32_t fid(uint32_t tmpl, uint64_t v)
{
    uint64_t h = (v + tmpl * 0x9E3779B97F4A7C15ull) * 0xD6E8FEB86659FD93ull;
    uint32_t r = (uint32_t)(h >> 32);
    return r ? r : 1;
}

static uint64_t pair(uint64_t a, uint64_t b)
{
    return a * 0x100000001B3ull ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
}

/* Context word j of token i, or a boundary marker when j falls outside the
 * text or in another line. */
#define BOUNDARY 0x5bd1e9955bd1e995ull

/* Lexicon bits that the features look at, for a token and its
 * neighbours. */
#define LEX_SELF                                                                                         \
    (LEX_COMMON | LEX_GIVEN | LEX_SURFIRST | LEX_HON | LEX_TITLE | LEX_TITLE_HEAD | LEX_MOD | LEX_APPOS | \
     LEX_ORGHEAD | LEX_NONPERSON | LEX_VERB | LEX_PARTICLE | LEX_PRONOUN | LEX_NATION | LEX_PLACE |      \
     LEXN_ORGTAIL | LEXN_ORGDESC | LEXN_ORGNAME | LEX_AGENT | LEX_HORG | LEX_HLOC | LEX_HPER | LEX_HMISC)
#define LEX_NEAR                                                                                        \
    (LEX_COMMON | LEX_GIVEN | LEX_HON | LEX_TITLE | LEX_TITLE_HEAD | LEX_APPOS | LEX_VERB | LEX_NATION | \
     LEX_PLACE | LEXN_ORGTAIL | LEXN_ORGDESC | LEX_AGENT | LEX_HORG | LEX_HLOC | LEX_HPER | LEX_PARTICLE)

/* Features after the lexicon bits: the given-name one, then 13 more. */
#define TAIL_FEATURES 14

static size_t lex_bits(uint32_t *f, size_t nf, uint32_t tmpl, uint32_t lf)
{
    while (lf && nf < TAGGER_MAXFEAT - TAIL_FEATURES) {
        uint32_t b = lf & (0u - lf);
        f[nf++] = fid(tmpl, b);
        lf &= lf - 1;
    }
    return nf;
}

size_t tagger_features(const struct xctx *x, const struct tagger_doc *d, size_t i, uint32_t *f)
{
    const struct tok *t = &x->t[i];
    size_t n = x->nt, nf = 0;
    const char *w = x->text + t->s;
    size_t len = t->e - t->s;
    uint64_t wh = d->wh[i];
    uint32_t sh = d->shape[i];

    /* context words on the same line (TL_FIRST and TL_LAST mark its ends) */
    const uint8_t *ln_ = d->line;
    int m1 = !(ln_[i] & TL_FIRST), m2 = m1 && !(ln_[i - 1] & TL_FIRST);
    int p1 = !(ln_[i] & TL_LAST), p2 = p1 && !(ln_[i + 1] & TL_LAST);
    uint64_t wm1 = m1 ? d->wh[i - 1] : BOUNDARY;
    uint64_t wm2 = m2 ? d->wh[i - 2] : BOUNDARY;
    uint64_t wp1 = p1 ? d->wh[i + 1] : BOUNDARY;
    uint64_t wp2 = p2 ? d->wh[i + 2] : BOUNDARY;
    uint32_t sm1 = wm1 != BOUNDARY ? d->shape[i - 1] : 0;
    uint32_t sm2 = wm2 != BOUNDARY ? d->shape[i - 2] : 0;
    uint32_t sp1 = wp1 != BOUNDARY ? d->shape[i + 1] : 0;
    uint32_t sp2 = wp2 != BOUNDARY ? d->shape[i + 2] : 0;

    f[nf++] = fid(F_BIAS, 0);
    f[nf++] = fid(F_W, wh);
    f[nf++] = fid(F_SHAPE, sh);
    if (len > 3) {
        f[nf++] = fid(F_PRE3, word_hash(w, 3));
        f[nf++] = fid(F_SUF2, word_hash(w + len - 2, 2));
        f[nf++] = fid(F_SUF3, word_hash(w + len - 3, 3));
    }
    if (len > 4)
        f[nf++] = fid(F_SUF4, word_hash(w + len - 4, 4));
    f[nf++] = fid(F_WM1, wm1);
    f[nf++] = fid(F_WM2, wm2);
    f[nf++] = fid(F_WP1, wp1);
    f[nf++] = fid(F_WP2, wp2);
    f[nf++] = fid(F_SM1, sm1);
    f[nf++] = fid(F_SM2, pair(sm1, sm2));
    f[nf++] = fid(F_SP1, sp1);
    f[nf++] = fid(F_SP2, pair(sp1, sp2));
    f[nf++] = fid(F_WM1_W, pair(wm1, wh));
    f[nf++] = fid(F_W_WP1, pair(wh, wp1));

    nf = lex_bits(f, nf, F_LEX, t->lf & LEX_SELF);
    if (wm1 != BOUNDARY && x->t[i - 1].kind == TK_WORD)
        nf = lex_bits(f, nf, F_LEXM1, x->t[i - 1].lf & LEX_NEAR);
    if (wm2 != BOUNDARY && x->t[i - 2].kind == TK_WORD)
        nf = lex_bits(f, nf, F_LEXM2, x->t[i - 2].lf & (LEX_TITLE | LEX_HON | LEX_VERB | LEX_GIVEN));
    if (wp1 != BOUNDARY && x->t[i + 1].kind == TK_WORD)
        nf = lex_bits(f, nf, F_LEXP1, x->t[i + 1].lf & LEX_NEAR);
    if (t->lf & LEX_GIVEN) {
        /* how common a given name, and for which sex */
        const struct lex_entry *e = lexicon_lookup(w, len);
        uint64_t m = e ? e->male : 0, fe = e ? e->female : 0, all = m + fe;
        unsigned mag = 0;
        while (all >= 10 && mag < 9)
            all /= 10, mag++;
        unsigned sex = m * 5 >= (m + fe) * 4 ? 1 : fe * 5 >= (m + fe) * 4 ? 2 : 0;
        f[nf++] = fid(F_GIVEN, mag * 4 + sex);
    }

    uint8_t ln = d->line[i];
    ln &= (uint8_t)~TL_CAND;
    f[nf++] = fid(F_LINE, ln);
    f[nf++] = fid(F_LINE_SHAPE, pair(ln, sh));
    f[nf++] = fid(F_SENT, ((t->f & TF_SENT) ? 1 : 0) | ((t->f & TF_INQ) ? 2 : 0));

    /* the run of capitalised words around i: its length and i's place */
    size_t a = i, b = i + 1;
    while (a > 0 && i - a < 4 && (d->line[a - 1] & TL_CAND) && !(x->t[a].f & TF_PARA))
        a--;
    while (b < n && b - i < 5 && (d->line[b] & TL_CAND) && !(x->t[b].f & TF_PARA))
        b++;
    size_t rl = b - a > 4 ? 4 : b - a;
    f[nf++] = fid(F_RUN, rl * 8 + (i == a ? 1 : 0) + (i + 1 == b ? 2 : 0));

    int t1 = i >= 1 ? d->tag[i - 1] : 0, t2 = i >= 2 ? d->tag[i - 2] : 0;
    f[nf++] = fid(F_T1, (uint64_t)t1);
    f[nf++] = fid(F_T12, (uint64_t)(t1 * 8 + t2));
    f[nf++] = fid(F_T1_W, pair((uint64_t)t1, wh));
    f[nf++] = fid(F_T1_SHAPE, pair((uint64_t)t1, sh));

    int st = seen_tag(d, i);
    f[nf++] = fid(F_DOCTAG, (uint64_t)st);
    f[nf++] = fid(F_DOCTAG_SHAPE, pair((uint64_t)st, sh));
    f[nf++] = fid(F_LOWER, (uint64_t)set_has(d->lower, d->nlower, wh));
    /* the rules' verdict (names.c runs first): is this word, and each
     * neighbour, part of a person's mention */
    unsigned rule = ((t->f & TF_NAME) ? 2u : 0u) | (wm1 != BOUNDARY && (x->t[i - 1].f & TF_NAME) ? 4u : 0u) |
                    (wp1 != BOUNDARY && (x->t[i + 1].f & TF_NAME) ? 1u : 0u);
    f[nf++] = fid(F_RULE, rule);
    f[nf++] = fid(F_RULE_SHAPE, pair(rule, sh));
    return nf;
}

/* ---- decoding ---- */

/* Sums the weights of features f into s.  The slot to add is chosen with
 * masks, not branches: slot 1 << wbits is an empty one with zero weights
 * for the features that the model does not have. */
static void score(const uint32_t *f, size_t nf, int32_t *s)
{
    uint64_t lanes = 0;
    uint32_t misc = 0;
    const unsigned b = wbits;
    const uint32_t none = 1u << b;
    for (size_t k = 0; k < nf; k++) {
        uint32_t i1 = slot1(f[k], b), i2 = slot2(f[k], b);
        uint32_t m1 = 0u - (uint32_t)(wtab[i1].key == f[k]), m2 = 0u - (uint32_t)(wtab[i2].key == f[k]);
        const struct wslot *w = &wtab[(i1 & m1) | (i2 & m2) | (none & ~(m1 | m2))];
        lanes += w->lanes;
        misc += w->misc;
    }
    int32_t bias = (int32_t)(WBIAS * nf);
    for (int g = 0; g < 4; g++)
        s[g] = (int32_t)((lanes >> (16 * g)) & 0xffff) - bias;
    s[TAG_MISC] = (int32_t)misc - bias;
}

int tagger_run(struct xctx *x)
{
    if (!loaded || x->nt == 0)
        return 0;
    x->tg = calloc(x->nt, sizeof *x->tg);
    if (!x->tg)
        return -1;
    struct tagger_doc d;
    if (tagger_doc_init(&d, x) != 0)
        return -1;
    uint32_t f[TAGGER_MAXFEAT];
    int32_t s[TAGGER_NTAGS];
    for (size_t i = 0; i < x->nt; i++) {
        if (!(d.line[i] & TL_CAND))
            continue;
        size_t nf = tagger_features(x, &d, i, f);
        score(f, nf, s);
        int best = 0, other = TAG_O;
        for (int g = 1; g < TAGGER_NTAGS; g++)
            if (s[g] > s[best])
                best = g;
        for (int g = TAG_ORG; g < TAGGER_NTAGS; g++)
            if (s[g] > s[other])
                other = g;
        x->tg[i].per = (float)(s[TAG_PER] - s[other]) * wscale;
        x->tg[i].tag = (uint8_t)best;
        tagger_doc_note(&d, x, i, best);
    }
    tagger_doc_free(&d);
    return 0;
}
