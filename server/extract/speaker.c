/* The learned speaker chooser: candidates from the rules and the text
 * around a quote, features as strings, a linear model over them (see
 * speaker.h; the model's format is in data/README.md). */
#include "speaker.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "embedded.h"
#include "lexicon.h"
#include "refer.h"

/* ---- the model: feature hash -> weight ---- */

struct wslot {
    uint64_t h; /* 0 = empty */
    float w;
};

static struct wslot *wtab;
static size_t wcap;
static double cal_a = 1, cal_b = 0, cal_c = 0; /* z = a*s + b*margin + c */
#define MAX_ISO 64
static double iso_z[MAX_ISO], iso_p[MAX_ISO]; /* conf from z, rising; none: sigmoid(z) */
static int niso;
static int have_model;

/* A feature string's key in the weight table: 8 bytes at a step (the
 * strings are hashed once per candidate feature, so speed matters; the
 * table is built with the same function, so any stable hash will do). */
static uint64_t fhash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h ? h : 1;
}

static double weight_of(uint64_t h)
{
    if (!wcap)
        return 0;
    for (size_t i = h & (wcap - 1);; i = (i + 1) & (wcap - 1)) {
        if (wtab[i].h == h)
            return wtab[i].w;
        if (!wtab[i].h)
            return 0;
    }
}

static void weight_put(uint64_t h, float w)
{
    size_t i = h & (wcap - 1);
    while (wtab[i].h && wtab[i].h != h)
        i = (i + 1) & (wcap - 1);
    wtab[i].h = h;
    wtab[i].w = w;
}

void speaker_free(void)
{
    free(wtab);
    wtab = NULL;
    wcap = 0;
    have_model = 0;
    cal_a = 1;
    cal_b = cal_c = 0;
    niso = 0;
}

/* "feature<TAB>weight" lines, "calib A B C", "iso Z P" (rising in Z), "#"
 * comments. */
int speaker_init(void)
{
    if (have_model)
        return 0;
    const struct embedded_file *f = lexicon_data("speaker.model");
    if (!f)
        return 0;
    size_t lines = 0;
    for (const char *p = f->data; p < f->end; p++)
        lines += *p == '\n';
    wcap = 64;
    while (wcap < 2 * (lines + 1))
        wcap *= 2;
    wtab = calloc(wcap, sizeof *wtab);
    if (!wtab) {
        wcap = 0;
        return -1;
    }
    const char *p = f->data;
    size_t nweights = 0;
    while (p < f->end) {
        const char *e = memchr(p, '\n', (size_t)(f->end - p));
        if (!e)
            e = f->end;
        size_t n = (size_t)(e - p);
        char line[512];
        if (n && p[0] != '#') {
            if (n >= sizeof line)
                goto bad;
            memcpy(line, p, n);
            line[n] = 0;
            if (strncmp(line, "calib ", 6) == 0) {
                if (sscanf(line + 6, "%lf %lf %lf", &cal_a, &cal_b, &cal_c) != 3)
                    goto bad;
            } else if (strncmp(line, "iso ", 4) == 0) {
                if (niso == MAX_ISO || sscanf(line + 4, "%lf %lf", &iso_z[niso], &iso_p[niso]) != 2 ||
                    !isfinite(iso_z[niso]) || !(iso_p[niso] >= 0 && iso_p[niso] <= 1) ||
                    (niso && iso_z[niso] < iso_z[niso - 1]))
                    goto bad;
                niso++;
            } else {
                char *tab = strchr(line, '\t');
                char *end = NULL;
                if (!tab)
                    goto bad;
                double w = strtod(tab + 1, &end);
                if (end == tab + 1 || !isfinite(w))
                    goto bad;
                weight_put(fhash(line, (size_t)(tab - line)), (float)w);
                nweights++;
            }
        }
        p = e + 1;
    }
    if (!nweights) {
        speaker_free(); /* an empty model: the rules choose */
        return 0;
    }
    have_model = 1;
    return 0;
bad:
    speaker_free();
    return -1;
}

/* ---- features ---- */

#define MAXF 128
#define FBUF 6144

struct fset {
    int keep;          /* keep the strings (tracing), not only the score */
    double score;      /* sum of the weights of the features so far */
    char buf[FBUF];
    size_t used;
    const char *f[MAXF];
    size_t n;
};

/* Adds one feature: fmt with %s, %d and %c only.  Its weight is added to
 * fs->score; the string is kept only when tracing.  Features are formed
 * for every candidate of every quote, so this is on the extractor's hot
 * path: no stdio, one pass to write, one to hash. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void feat(struct fset *fs, const char *fmt, ...)
{
    if (fs->n == MAXF)
        return;
    char buf[160];
    size_t n = 0;
    const size_t cap = sizeof buf - 1;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && n < cap; f++) {
        if (*f != '%') {
            buf[n++] = *f;
            continue;
        }
        f++;
        if (*f == 's') {
            for (const char *a = va_arg(ap, const char *); *a && n < cap; a++)
                buf[n++] = *a;
        } else if (*f == 'd') {
            int v = va_arg(ap, int);
            unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
            char num[12];
            size_t k = 0;
            do {
                num[k++] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            if (v < 0 && n < cap)
                buf[n++] = '-';
            while (k && n < cap)
                buf[n++] = num[--k];
        } else if (*f == 'c') {
            buf[n++] = (char)va_arg(ap, int);
        } else {
            buf[n++] = '%';
            if (!*f)
                break;
            f--;
        }
    }
    va_end(ap);
    fs->score += weight_of(fhash(buf, n));
    if (fs->keep) {
        if (fs->used + n + 1 > FBUF)
            return; /* no room: the trace loses the feature, not the score */
        memcpy(fs->buf + fs->used, buf, n);
        fs->buf[fs->used + n] = 0;
        fs->f[fs->n] = fs->buf + fs->used;
        fs->used += n + 1;
    }
    fs->n++;
}

/* A word of the text, lower-cased, at most 23 bytes, for a feature. */
static const char *word_of(const struct xctx *x, size_t k, char out[24])
{
    const struct tok *t = &x->t[k];
    size_t n = t->e - t->s, o = 0;
    if (n > 23)
        n = 23;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)x->text[t->s + i];
        if (c <= ' ' || c == '|')
            c = '_';
        out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    out[o] = 0;
    return out;
}

/* One letter for a token in a pattern: V speech verb, C harvested cue
 * word, w other lower-case word, N part of a person's name, K other
 * capitalised word, Q quotation mark, 0 number, else the punctuation
 * character itself. */
static char tok_class(const struct xctx *x, size_t k)
{
    const struct tok *t = &x->t[k];
    switch (t->kind) {
    case TK_QUOTE:
        return 'Q';
    case TK_NUM:
        return '0';
    case TK_PUNCT:
        return (t->q > ' ' && t->q < 127 && t->q != '|') ? (char)t->q : '?';
    default:
        break;
    }
    if (t->f & TF_NAME)
        return 'N';
    if (t->f & TF_LOWER) {
        if (t->lf & LEX_VERB)
            return 'V';
        if (t->lf & LEX_CUE)
            return 'C';
        if (t->lf & LEX_PRONOUN)
            return 'p';
        return 'w';
    }
    return 'K';
}

/* The classes of tokens [a, b), at most 5 ("far" beyond). */
static const char *pattern(const struct xctx *x, size_t a, size_t b, char out[8])
{
    if (b < a || b - a > 5)
        return "far";
    size_t n = 0;
    for (size_t k = a; k < b; k++)
        out[n++] = tok_class(x, k);
    out[n] = 0;
    return n ? out : "-";
}

static int log2_bucket(size_t d)
{
    int b = 0;
    while (d > 1 && b < 8) {
        d >>= 1;
        b++;
    }
    return b;
}

/* ---- candidates ---- */

#define MAXC 24

struct cand {
    int person;            /* or -1 for a phrase */
    char org[112];
    uint32_t sp_ts, sp_te;
    uint32_t cue;
    uint32_t rules;        /* bit per enum attrib_rule that proposed it */
    double rconf;
    int cascade;           /* the rules' cascade chose it */
    int prev;              /* bit 1: spoke the quote before, bit 2: the one before that */
    uint32_t viapron;      /* bit per rule that found it through a pronoun */
    int has_cp;            /* a possible antecedent of a cue's pronoun subject: */
    int cp_rank, cp_srank; /*   among compatible people by recency; among subjects */
    int cp_sents, cp_paras;/*   sentence / paragraph breaks to the pronoun */
    int cp_subj, cp_poss, cp_gexact, cp_res;
    uint32_t cp_m;         /*   its latest mention before the pronoun */
    int cp_hobbs;          /*   rank in sentence-by-sentence, left-to-right order */
};

struct cands {
    struct cand c[MAXC];
    size_t n;
};

static int org_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

static struct cand *cand_get(struct cands *cs, int person, const char *org, uint32_t sp_ts, uint32_t sp_te)
{
    for (size_t i = 0; i < cs->n; i++) {
        struct cand *c = &cs->c[i];
        if (person >= 0 ? c->person == person : (c->person < 0 && org_eq(c->org, org)))
            return c;
    }
    if (cs->n == MAXC)
        return NULL;
    struct cand *c = &cs->c[cs->n++];
    memset(c, 0, sizeof *c);
    c->person = person;
    if (person < 0) {
        snprintf(c->org, sizeof c->org, "%s", org);
        c->sp_ts = sp_ts;
        c->sp_te = sp_te;
    } else {
        c->sp_ts = c->sp_te = XNONE;
    }
    c->cue = XNONE;
    return c;
}

/* The first token of token i's paragraph, and the first of the next one
 * (x->nt at the end): from x->para0/para1, which tok_run fills, since
 * every candidate of every quote asks. */
static size_t para_start(const struct xctx *x, size_t i)
{
    return i < x->nt ? x->para0[i] : i;
}

static size_t para_end(const struct xctx *x, size_t i)
{
    return i < x->nt ? x->para1[i] : x->nt;
}

/* Sentence and paragraph boundaries in tokens (a, b]. */
static void bounds_between(const struct xctx *x, size_t a, size_t b, int *sents, int *paras)
{
    if (b >= x->nt)
        b = x->nt - 1;
    if (b <= a) {
        *sents = *paras = 0;
        return;
    }
    /* running counts of boundaries up to each token (para_index) */
    *sents = (int)(x->nsent[b] - x->nsent[a]);
    *paras = (int)(x->npara[b] - x->npara[a]);
}

static int is_pronoun_he_she_they(const struct xctx *x, size_t k, uint8_t *g)
{
    if (tok_is(x, k, "he")) {
        *g = LEXG_MALE;
        return 1;
    }
    if (tok_is(x, k, "she")) {
        *g = LEXG_FEMALE;
        return 1;
    }
    if (tok_is(x, k, "they")) {
        *g = 0;
        return 1;
    }
    return 0;
}

static int gender_ok(const struct xctx *x, int p, uint8_t g)
{
    uint8_t pg = x->p[p].gender;
    return !g || !pg || pg == g;
}

#define REGION_BACK 120

/* The quote's attribution region: from the start of the sentence the
 * open mark sits in (or of the previous sentence, when the quote opens
 * its own) to the end of the sentence after the close mark. */
static void region(const struct xctx *x, const struct xquote *q, size_t *r0, size_t *r1)
{
    size_t o = q->ots;
    /* at most REGION_BACK tokens back, however long the sentence */
    size_t lim = o > REGION_BACK ? o - REGION_BACK : 0;
    size_t s = o;
    while (s > lim && !(x->t[s].f & (TF_SENT | TF_PARA)))
        s--;
    if (s == o && o > lim && !(x->t[o].f & TF_PARA)) {
        s = o - 1;
        while (s > lim && !(x->t[s].f & (TF_SENT | TF_PARA)))
            s--;
    }
    *r0 = s;
    size_t e = q->cts == XNONE ? q->te : q->cts + 1;
    while (e < x->nt && !(x->t[e].f & (TF_SENT | TF_PARA)) && e < q->te + 80)
        e++;
    *r1 = e;
}

/* Tokens between a cue and the quote's marks. */
static size_t cue_dist(const struct xquote *q, uint32_t v)
{
    if (v < q->ots)
        return q->ots - v;
    size_t c = q->cts == XNONE ? q->te : q->cts;
    return v > c ? v - c : 0;
}

/* The nearest cue word before the open mark and after the close mark in
 * the quote's region, or XNONE. */
static void nearest_cues(const struct xctx *x, const struct xquote *q, uint32_t *before, uint32_t *after)
{
    size_t r0, r1;
    region(x, q, &r0, &r1);
    size_t c = q->cts == XNONE ? q->te : q->cts;
    *before = *after = XNONE;
    for (size_t k = r0; k < r1; k++) {
        const struct tok *t = &x->t[k];
        if ((k >= q->ots && k <= c) || (t->f & TF_INQ) || t->kind != TK_WORD || !(t->f & TF_LOWER) ||
            !(t->lf & (LEX_CUE | LEX_VERB)))
            continue;
        if (k < q->ots)
            *before = (uint32_t)k;
        else if (*after == XNONE)
            *after = (uint32_t)k;
    }
}

/* The three latest people each he, she or they near the quote (in its
 * region, outside quotes) may mean become candidates. */
static void add_pronoun_cands(const struct xctx *x, size_t qi, struct cands *cs)
{
    const struct xquote *q = &x->q[qi];
    size_t r0, r1;
    region(x, q, &r0, &r1);
    for (size_t k = r0; k < r1; k++) {
        uint8_t g;
        if ((x->t[k].f & TF_INQ) || (k >= q->ots && k <= (q->cts == XNONE ? q->te : q->cts)))
            continue;
        if (!is_pronoun_he_she_they(x, k, &g))
            continue;
        int seen[3] = {-1, -1, -1};
        int rank = 0;
        size_t lo = refer_mentions_from(x, k);
        for (size_t mi = lo; mi-- > 0 && rank < 3;) {
            const struct xmention *m = &x->m[mi];
            if (k - m->ts > 300)
                break;
            if ((x->t[m->ts].f & TF_INQ) || !gender_ok(x, m->person, g))
                continue;
            if (m->person == seen[0] || m->person == seen[1] || m->person == seen[2])
                continue;
            seen[rank++] = m->person;
            cand_get(cs, m->person, NULL, 0, 0);
        }
    }
}

/* The people that the pronoun at token k, the subject of a cue that a
 * rule took for the quote's, may mean: the five latest compatible people
 * before it, each described by its latest mention. */
static void add_cue_pronoun_cands(const struct xctx *x, size_t qi, size_t k, struct cands *cs)
{
    uint8_t g;
    if (!is_pronoun_he_she_they(x, k, &g))
        return;
    int seen[5];
    int rank = 0, srank = 0;
    size_t lo = refer_mentions_from(x, k);
    for (size_t mi = lo; mi-- > 0 && rank < 5;) {
        const struct xmention *m = &x->m[mi];
        if (k - m->ts > 400)
            break;
        if ((x->t[m->ts].f & TF_INQ) || !gender_ok(x, m->person, g))
            continue;
        int dup = 0;
        for (int j = 0; j < rank; j++)
            dup |= seen[j] == m->person;
        if (dup)
            continue;
        seen[rank++] = m->person;
        int subj = refer_subject(x, mi);
        if (subj)
            srank++;
        struct cand *c = cand_get(cs, m->person, NULL, 0, 0);
        if (!c || c->has_cp)
            continue;
        c->has_cp = 1;
        c->cp_rank = rank;
        c->cp_srank = subj ? srank : 0;
        bounds_between(x, m->te - 1, k, &c->cp_sents, &c->cp_paras);
        c->cp_subj = subj;
        c->cp_poss = m->te < x->nt && (x->t[m->te].f & TF_POSS);
        c->cp_gexact = g && x->p[m->person].gender == g;
        c->cp_m = (uint32_t)mi;
    }
    int why = 0;
    int p = refer_resolve_pronoun_why(x, &x->q[qi], k, g, &why);
    if (p >= 0) {
        struct cand *c = cand_get(cs, p, NULL, 0, 0);
        if (c)
            c->cp_res = why;
    }
    /* the order of a syntactic search without a parse: the pronoun's own
     * sentence, then each sentence before it, each left to right, so that
     * a sentence's subject comes before its objects; in each sentence the
     * subject of an opening subordinate clause ("While Roe had ...") comes
     * after the main clause's people */
    size_t send = k, hrank = 0;
    for (int back = 0; back < 4 && hrank < 5 && send > 0; back++) {
        size_t s0 = send - 1;
        while (s0 > 0 && !(x->t[s0].f & (TF_SENT | TF_PARA)))
            s0--;
        for (int late = 0; late < 2; late++)
            for (size_t mi = refer_mentions_from(x, s0); mi < x->nm && x->m[mi].ts < send && hrank < 5; mi++) {
                const struct xmention *m = &x->m[mi];
                if ((x->t[m->ts].f & TF_INQ) || !gender_ok(x, m->person, g))
                    continue;
                size_t b = m->title_ts < m->ts ? m->title_ts : m->ts;
                int sub = b == s0 + 1 && refer_word_in(x, s0, refer_subordinators);
                if (sub != late)
                    continue;
                struct cand *c = cand_get(cs, m->person, NULL, 0, 0);
                if (c && !c->cp_hobbs)
                    c->cp_hobbs = (int)++hrank;
            }
        if (s0 == 0)
            break;
        send = s0;
    }
}

/* Features of a person candidate from its mention nearest to the quote on
 * one side (tag "b" before the open mark, "a" after the close mark). */
static void mention_feats(const struct xctx *x, const struct xquote *q, size_t mi, const char *tag, struct fset *fs)
{
    const struct xmention *m = &x->m[mi];
    char w[24];
    int sents, paras;
    size_t dist;
    if (tag[0] == 'b') {
        bounds_between(x, m->te - 1, q->ots, &sents, &paras);
        dist = q->ots - m->te;
    } else {
        size_t c = q->cts == XNONE ? q->te : q->cts;
        bounds_between(x, c, m->ts, &sents, &paras);
        dist = m->ts - c;
    }
    feat(fs, "%s:s%d:p%d", tag, sents > 3 ? 3 : sents, paras > 2 ? 2 : paras);
    char pat[8], pat2[8];
    size_t n2 = m->te + 2 < x->nt ? m->te + 2 : x->nt;
    if (tag[0] == 'b') {
        size_t b0 = m->title_ts < m->ts ? m->title_ts : m->ts;
        feat(fs, "b:pat=%s", pattern(x, m->te, q->ots, pat));
        feat(fs, "b:pat=%s|%s", pattern(x, b0 > 0 ? b0 - 1 : b0, b0, pat2), pattern(x, m->te, q->ots, pat));
    } else {
        size_t c = q->cts == XNONE ? q->te : q->cts + 1;
        feat(fs, "a:pat=%s", pattern(x, c, m->ts, pat));
        feat(fs, "a:pat=%s|%s", pattern(x, c, m->ts, pat), pattern(x, m->te, n2, pat2));
    }
    feat(fs, "%s:d%d", tag, log2_bucket(dist));
    if (sents == 0)
        feat(fs, "%s:d%d:s0", tag, log2_bucket(dist));
    if (refer_subject(x, mi))
        feat(fs, "%s:subj:s%d", tag, sents > 2 ? 2 : sents);
    if (sents == 0) {
        /* a cue word, or another person, between the name and the quote */
        size_t a = tag[0] == 'b' ? m->te : (q->cts == XNONE ? q->te : q->cts + 1);
        size_t b = tag[0] == 'b' ? q->ots : m->ts;
        int cue = 0, other = 0;
        for (size_t k = a; k < b && k < a + 40; k++) {
            const struct tok *t = &x->t[k];
            if (t->kind == TK_WORD && (t->f & TF_LOWER) && !(t->f & TF_INQ) && (t->lf & (LEX_VERB | LEX_CUE)))
                cue = 1;
            if ((t->f & TF_NAME) && !(t->f & TF_INQ))
                other = 1;
        }
        feat(fs, "%s:between=%s%s", tag, cue ? "cue" : "-", other ? "+name" : "");
    }
    size_t n = m->te;
    if (n < x->nt) {
        const struct tok *t = &x->t[n];
        if (t->f & TF_POSS)
            feat(fs, "%s:poss", tag);
        else if (t->kind == TK_PUNCT)
            feat(fs, "%s:next=%c", tag, t->q ? t->q : '?');
        else if (t->kind == TK_QUOTE)
            feat(fs, "%s:next=Q", tag);
        else if (t->kind == TK_WORD && (t->lf & (LEX_VERB | LEX_VERB_WEAK)) && (t->f & TF_LOWER))
            feat(fs, "%s:next=v:%s", tag, word_of(x, n, w));
        else if (t->kind == TK_WORD && (t->f & TF_LOWER) && refer_word_in(x, n, refer_preps))
            feat(fs, "%s:next=%s", tag, word_of(x, n, w));
    }
    size_t b = m->title_ts < m->ts ? m->title_ts : m->ts;
    if (b > 0) {
        size_t k = b - 1;
        const struct tok *t = &x->t[k];
        if (t->kind == TK_PUNCT)
            feat(fs, "%s:prev=%c", tag, t->q ? t->q : '?');
        else if (t->kind == TK_QUOTE)
            feat(fs, "%s:prev=Q", tag);
        else if (t->kind == TK_WORD && (t->f & TF_LOWER) &&
                 ((t->lf & (LEX_VERB | LEX_VERB_WEAK)) || refer_word_in(x, k, refer_preps)))
            feat(fs, "%s:prev=%s", tag, word_of(x, k, w));
    }
    if (x->t[b].f & TF_PARA)
        feat(fs, "%s:paraopen", tag);
    else if (x->t[b].f & TF_SENT)
        feat(fs, "%s:sentopen", tag);
    if (m->title_ts < m->ts)
        feat(fs, "%s:titled", tag);
}

/* The first token after the first paragraph (the headline), or x->nt. */
static size_t headline_end(const struct xctx *x)
{
    size_t k = 1;
    while (k < x->nt && !(x->t[k].f & TF_PARA))
        k++;
    return k;
}

static void person_feats(const struct xctx *x, size_t qi, const struct cand *c, const size_t *nment,
                         int top, size_t hl_end, struct fset *fs)
{
    const struct xquote *q = &x->q[qi];
    size_t qp = para_start(x, q->ots);
    size_t w0 = qp > 0 ? para_start(x, qp - 1) : 0;
    if (q->ots > 400 && w0 < q->ots - 400)
        w0 = q->ots - 400;
    size_t w1 = para_end(x, q->te > 0 ? q->te - 1 : 0);
    size_t qe = q->cts == XNONE ? q->te : q->cts;
    if (w1 > qe + 150)
        w1 = qe + 150;
    size_t before = XNONE, after = XNONE;
    int nwin = 0, inq = 0;
    for (size_t mi = refer_mentions_from(x, w0); mi < x->nm && x->m[mi].ts < w1; mi++) {
        const struct xmention *m = &x->m[mi];
        if (m->person != c->person)
            continue;
        if (m->ts >= q->ots && m->ts <= qe) {
            inq = 1;
            continue;
        }
        if (x->t[m->ts].f & TF_INQ)
            continue;
        nwin++;
        if (m->ts < q->ots)
            before = mi;
        else if (after == XNONE)
            after = mi;
    }
    if (before != XNONE)
        mention_feats(x, q, before, "b", fs);
    if (after != XNONE)
        mention_feats(x, q, after, "a", fs);
    if (before == XNONE && after == XNONE)
        feat(fs, inq ? "nowin:inq" : "nowin");
    else if (inq)
        feat(fs, "alsoinq");
    feat(fs, "win:%d", nwin > 3 ? 3 : nwin);
    size_t nm = nment[c->person];
    feat(fs, "sal:%d", nm >= 9 ? 4 : nm >= 5 ? 3 : nm >= 3 ? 2 : nm >= 2 ? 1 : 0);
    if (top)
        feat(fs, "top");
    const struct xperson *p = &x->p[c->person];
    if (p->canon != XNONE && x->m[p->canon].ts < hl_end)
        feat(fs, "hl");
    feat(fs, "g:%d", p->gender);
    /* a one-word name: "Pate said" -- weaker evidence of a person */
    if (p->canon != XNONE && x->m[p->canon].te - x->m[p->canon].ts == 1)
        feat(fs, "oneword");
}

static void phrase_feats(const struct xctx *x, const struct cand *c, struct fset *fs)
{
    char w[24];
    if (c->sp_ts == XNONE || c->sp_te == XNONE || c->sp_te <= c->sp_ts || c->sp_te > x->nt) {
        feat(fs, "ph:nospan");
        return;
    }
    size_t h = c->sp_te - 1;
    const struct tok *t = &x->t[h];
    feat(fs, "ph:head=%s", word_of(x, h, w));
    feat(fs, "ph:cap=%d", (t->f & TF_CAP) ? 1 : 0);
    if (refer_agent_noun(x, h))
        feat(fs, "ph:agent");
    size_t len = c->sp_te - c->sp_ts;
    feat(fs, "ph:len=%d", len > 4 ? 4 : (int)len);
    if (c->org[0] == 't' && strncmp(c->org, "the ", 4) == 0)
        feat(fs, "ph:the");
}

static void cand_feats(const struct xctx *x, size_t qi, const struct cand *c, const size_t *nment, int top,
                       const uint32_t near[2], size_t hl_end, uint32_t others, struct fset *fs)
{
    const struct xquote *q = &x->q[qi];
    char w[24];
    const char *kind = q->partial ? "partial" : "direct";
    const char *type = c->person >= 0 ? "person" : "phrase";
    feat(fs, "bias");
    feat(fs, "t:%s", type);
    feat(fs, "t:%s|k:%s", type, kind);
    if (x->t[q->ots].f & TF_PARA)
        feat(fs, "t:%s|qpara", type);
    int nr = 0;
    for (int r = 0; r < AR_COUNT; r++) {
        if (!(c->rules & (1u << r)))
            continue;
        nr++;
        feat(fs, "r:%s", attrib_rule_name(r));
        feat(fs, "r:%s|k:%s", attrib_rule_name(r), kind);
        feat(fs, "r:%s|t:%s", attrib_rule_name(r), type);
    }
    feat(fs, "nr:%d", nr > 3 ? 3 : nr);
    /* what the rules found for someone else: "Roe said Lee 'q,' the aide
     * recalled" -- a cue on the other side of the quote competes */
    {
        const char *side = c->cue == XNONE || c->cue >= x->nt ? "-" : c->cue < q->ots ? "before" : "after";
        for (int r = 1; r < AR_COUNT; r++)
            if ((others & (1u << r)) && !(c->rules & (1u << r)))
                feat(fs, "alt:%s|k:%s|side:%s", attrib_rule_name(r), kind, side);
    }
    if (c->cue != XNONE && c->cue < x->nt) {
        feat(fs, "cue:%s", word_of(x, c->cue, w));
        const struct tok *ct = &x->t[c->cue];
        const struct lex_entry *le = (ct->lf & LEX_CUE) ? lexicon_lookup(x->text + ct->s, ct->e - ct->s) : NULL;
        feat(fs, "cuepct:%d", le ? le->cue_pct / 20 : -1);
        const char *side = c->cue < q->ots ? "before" : "after";
        /* the word that subordinates the cue's clause, if any: "after
         * the interview concluded", "the man who said", "that he said" */
        const char *sub = "-";
        for (size_t j = c->cue; j-- > 0 && c->cue - j < 12;) {
            const struct tok *t = &x->t[j];
            if ((t->f & (TF_SENT | TF_PARA)) && !(t->kind == TK_WORD && refer_word_in(x, j, refer_subordinators)))
                break;
            if (t->kind == TK_QUOTE || (t->kind == TK_PUNCT && (t->q == ',' || t->q == ';' || t->q == ':' || t->q == '(')))
                break;
            if (t->kind == TK_WORD && (refer_word_in(x, j, refer_subordinators) || tok_is(x, j, "who") ||
                                       tok_is(x, j, "which") || tok_is(x, j, "that") || tok_is(x, j, "whom"))) {
                sub = word_of(x, j, w);
                break;
            }
        }
        feat(fs, "cuesub=%s", sub);
        feat(fs, "cuepos:%s", side);
        {
            /* does a sentence end between the quote and its cue? */
            size_t a = c->cue < q->ots ? c->cue : (q->cts == XNONE ? q->te : q->cts);
            size_t b = c->cue < q->ots ? q->ots : c->cue;
            int cross = 0;
            for (size_t k = a + 1; k <= b && k < x->nt && !cross; k++)
                cross = (x->t[k].f & (TF_SENT | TF_PARA)) && !(x->t[k].f & TF_INQ) && k != q->ots;
            feat(fs, "cuecross:%d|%s", cross, side);
        }
        feat(fs, "cued:%s:%d", side, log2_bucket(cue_dist(q, c->cue)));
        if (c->cue == near[0] || c->cue == near[1]) {
            feat(fs, "cuenear:%s", side);
            feat(fs, "cuenear:%s|pct:%d", side, le ? le->cue_pct / 20 : -1);
        }
    }
    if (c->cascade == 1) {
        feat(fs, "casc");
        feat(fs, "casc|t:%s", type);
    } else if (c->cascade == 2) {
        feat(fs, "casc|vp");
    }
    for (int r = 0; r < AR_COUNT; r++)
        if (c->viapron & (1u << r))
            feat(fs, "r:%s|vp", attrib_rule_name(r));
    if (c->has_cp) {
        const struct xmention *m = &x->m[c->cp_m];
        size_t b = m->title_ts < m->ts ? m->title_ts : m->ts;
        if (x->t[b].f & (TF_SENT | TF_PARA))
            feat(fs, "cp:opens|rank%d", c->cp_rank);
        if (b > 0) {
            const struct tok *t = &x->t[b - 1];
            if (t->kind == TK_WORD && (t->f & TF_LOWER) &&
                ((t->lf & (LEX_VERB | LEX_CUE)) || refer_word_in(x, b - 1, refer_preps)))
                feat(fs, "cp:prev=%s", word_of(x, b - 1, w));
            else if (t->kind == TK_PUNCT)
                feat(fs, "cp:prev=%c", t->q ? t->q : '?');
        }
        if (m->te < x->nt) {
            const struct tok *t = &x->t[m->te];
            if (t->f & TF_POSS)
                feat(fs, "cp:next=poss");
            else if (t->kind == TK_WORD && (t->f & TF_LOWER) && (t->lf & (LEX_VERB | LEX_CUE)))
                feat(fs, "cp:next=cue");
            else if (t->kind == TK_PUNCT)
                feat(fs, "cp:next=%c", t->q ? t->q : '?');
        }
        /* how present it is in the last paragraphs, and whether it spoke */
        size_t p0 = para_start(x, q->ots);
        p0 = p0 > 0 ? para_start(x, p0 - 1) : 0;
        p0 = p0 > 0 ? para_start(x, p0 - 1) : 0;
        if (q->ots > 400 && p0 < q->ots - 400)
            p0 = q->ots - 400; /* as the candidate window: bounded per quote */
        int freq = 0;
        for (size_t mi = refer_mentions_from(x, p0); mi < x->nm && x->m[mi].ts < q->ots; mi++)
            freq += x->m[mi].person == c->person;
        feat(fs, "cp:freq%d", freq > 3 ? 3 : freq);
        feat(fs, "cp:rank%d", c->cp_rank);
        feat(fs, "cp:srank%d", c->cp_srank);
        feat(fs, "cp:hobbs%d", c->cp_hobbs);
        feat(fs, "cp:s%d:p%d", c->cp_sents > 4 ? 4 : c->cp_sents, c->cp_paras > 2 ? 2 : c->cp_paras);
        feat(fs, "cp:rank%d|s%d", c->cp_rank, c->cp_sents > 3 ? 3 : c->cp_sents);
        if (c->cp_subj)
            feat(fs, "cp:subj");
        if (c->cp_poss)
            feat(fs, "cp:poss");
        feat(fs, "cp:gx%d", c->cp_gexact);
        if (c->prev & 1)
            feat(fs, "cp:prev1");
        if (c->cp_res)
            feat(fs, "cp:res%d", c->cp_res);
    } else if (c->cp_res) {
        feat(fs, "cp:res%d", c->cp_res);
    }
    if (c->prev & 1) {
        feat(fs, "prev1");
        size_t pp = para_start(x, x->q[qi - 1].ots), qp = para_start(x, q->ots);
        feat(fs, "prev1|%s", pp == qp ? "same" : "otherpara");
        if (q->continued)
            feat(fs, "prev1|cont");
        if (x->t[q->ots].f & TF_PARA)
            feat(fs, "prev1|qpara");
    }
    if (c->prev & 2)
        feat(fs, "prev2");
    if (c->person >= 0)
        person_feats(x, qi, c, nment, top, hl_end, fs);
    else
        phrase_feats(x, c, fs);
}

/* The cue to report for a chosen candidate: its rules' cue. */
static void apply(struct xquote *q, const struct cand *c, double conf)
{
    q->person = c->person;
    if (c->person < 0) {
        memcpy(q->org, c->org, sizeof q->org);
        q->sp_ts = c->sp_ts;
        q->sp_te = c->sp_te;
    } else {
        q->org[0] = 0;
        q->sp_ts = q->sp_te = XNONE;
    }
    q->cue = c->cue;
    q->conf = conf;
}

static void add_said(struct cands *cs, const struct attrib_guess *s, int bit_prev)
{
    if (s->person < 0 && !s->org[0])
        return;
    struct cand *c = cand_get(cs, s->person, s->org, s->sp_ts, s->sp_te);
    if (c)
        c->prev |= bit_prev;
}

/* The model chooses the speakers of an article's first SPEAKER_MAX_QUOTES
 * quotes; later ones keep the rules' choice.  News has tens of quotes; a
 * text with thousands (a quote every few words, one endless line) is not
 * news, and scoring every candidate of each would cost it several times
 * the rate of real articles (tests/unit/test_cost.c). */
#define SPEAKER_MAX_QUOTES 1000

int speaker_run(struct xctx *x, speaker_trace_fn trace, void *ctx)
{
    if (x->nq == 0 || (!have_model && !trace))
        return 0;
    int rc = -1;
    /* what the rules' cascade said, per quote, before the model speaks */
    struct attrib_guess *said = calloc(x->nq, sizeof *said);
    size_t *nment = calloc(x->np ? x->np : 1, sizeof *nment);
    struct cands *cs = malloc(sizeof *cs);
    struct fset *fs = malloc(sizeof *fs);
    struct cand *chosen = malloc(x->nq * sizeof *chosen);
    char *has = calloc(x->nq, 1);
    if (!said || !nment || !cs || !fs || !chosen || !has)
        goto out;
    for (size_t qi = 0; qi < x->nq; qi++)
        attrib_guess_of(&x->q[qi], x->q[qi].rule, &said[qi]);
    size_t topn = 0, hl_end = headline_end(x);
    for (size_t mi = 0; mi < x->nm; mi++)
        if (!(x->t[x->m[mi].ts].f & TF_INQ) && ++nment[x->m[mi].person] > topn)
            topn = nment[x->m[mi].person];
    struct attrib_guess guesses[32];
    for (size_t qi = 0; qi < x->nq && qi < SPEAKER_MAX_QUOTES; qi++) {
        struct xquote *q = &x->q[qi];
        const struct attrib_guess *s = &said[qi];
        cs->n = 0;
        /* the cascade's choice first: it wins ties */
        if (s->person >= 0 || s->org[0]) {
            struct cand *c = cand_get(cs, s->person, s->org, s->sp_ts, s->sp_te);
            if (c) {
                /* a speaker found through a pronoun is only as good as
                 * the pronoun's resolution: the cp: features weigh that */
                c->cascade = s->pron_tok != XNONE ? 2 : 1;
                if (s->pron_tok != XNONE)
                    c->viapron |= 1u << s->rule;
                else
                    c->rules |= 1u << s->rule;
                c->cue = s->cue;
                c->rconf = s->conf;
            }
        }
        uint32_t cps[8];
        size_t ncp = 0;
        if (s->pron_tok != XNONE)
            cps[ncp++] = s->pron_tok;
        /* every rule on its own; the model's choices are applied only
         * after the last quote, so that the rules see the cascade's
         * speakers of the quotes before, in training as in use */
        int ng = attrib_propose(x, qi, guesses, sizeof guesses / sizeof guesses[0]);
        for (int g = 0; g < ng; g++) {
            const struct attrib_guess *ag = &guesses[g];
            struct cand *c = cand_get(cs, ag->person, ag->org, ag->sp_ts, ag->sp_te);
            if (!c)
                continue;
            if (ag->pron_tok == XNONE)
                c->rules |= 1u << ag->rule;
            if (ag->pron_tok != XNONE) {
                c->viapron |= 1u << ag->rule;
                int dup = 0;
                for (size_t j = 0; j < ncp; j++)
                    dup |= cps[j] == ag->pron_tok;
                if (!dup && ncp < 8)
                    cps[ncp++] = ag->pron_tok;
            }
            /* a verb outside the cue words is the cue only of a candidate
             * that no cue word found */
            if (c->cue == XNONE ||
                (ag->cue != XNONE && ag->rule != AR_VERB && cue_dist(q, ag->cue) < cue_dist(q, c->cue)))
                c->cue = ag->cue;
            if (ag->conf > c->rconf)
                c->rconf = ag->conf;
        }
        if (qi > 0)
            add_said(cs, &said[qi - 1], 1);
        if (qi > 1)
            add_said(cs, &said[qi - 2], 2);
        /* people named around the quote */
        size_t qp = para_start(x, q->ots);
        size_t w0 = qp > 0 ? para_start(x, qp - 1) : 0;
        if (q->ots > 400 && w0 < q->ots - 400)
            w0 = q->ots - 400;
        size_t qe = q->cts == XNONE ? q->te : q->cts;
        size_t w1 = para_end(x, q->te > 0 ? q->te - 1 : 0);
        if (w1 > qe + 150)
            w1 = qe + 150;
        for (size_t mi = refer_mentions_from(x, w0); mi < x->nm && x->m[mi].ts < w1; mi++) {
            const struct xmention *m = &x->m[mi];
            if ((x->t[m->ts].f & TF_INQ) || (m->ts >= q->ots && m->ts <= qe))
                continue;
            cand_get(cs, m->person, NULL, 0, 0);
        }
        add_pronoun_cands(x, qi, cs);
        /* the article's most named person, who may speak far from a name */
        for (size_t pi = 0; pi < x->np; pi++)
            if (nment[pi] == topn && topn > 0) {
                cand_get(cs, (int)pi, NULL, 0, 0);
                break;
            }
        for (size_t j = 0; j < ncp; j++)
            add_cue_pronoun_cands(x, qi, cps[j], cs);
        if (cs->n == 0)
            continue;
        uint32_t near[2];
        nearest_cues(x, q, &near[0], &near[1]);
        double best = -INFINITY, second = -INFINITY;
        size_t bi = 0;
        double sc[MAXC];
        for (size_t ci = 0; ci < cs->n; ci++) {
            fs->used = fs->n = 0;
            fs->score = 0;
            fs->keep = trace != NULL;
            const struct cand *c = &cs->c[ci];
            uint32_t others = 0;
            for (size_t cj = 0; cj < cs->n; cj++)
                if (cj != ci)
                    others |= cs->c[cj].rules;
            cand_feats(x, qi, c, nment, c->person >= 0 && nment[c->person] == topn, near, hl_end, others, fs);
            sc[ci] = have_model ? fs->score : (c->cascade ? 1 : 0);
            if (sc[ci] > best) {
                second = best;
                best = sc[ci];
                bi = ci;
            } else if (sc[ci] > second) {
                second = sc[ci];
            }
            if (trace) {
                struct speaker_trace t = {qi, c->person, c->org, fs->f, fs->n, sc[ci]};
                trace(ctx, &t);
            }
        }
        if (!have_model)
            continue;
        double margin = cs->n > 1 ? best - second : 10;
        if (margin > 10)
            margin = 10;
        double z = cal_a * best + cal_b * margin + cal_c, conf;
        if (niso == 0) {
            conf = 1 / (1 + exp(-z));
        } else if (z <= iso_z[0]) {
            conf = iso_p[0];
        } else if (z >= iso_z[niso - 1]) {
            conf = iso_p[niso - 1];
        } else {
            int k = 1;
            while (iso_z[k] < z)
                k++;
            double dz = iso_z[k] - iso_z[k - 1];
            conf = dz > 0 ? iso_p[k - 1] + (iso_p[k] - iso_p[k - 1]) * (z - iso_z[k - 1]) / dz : iso_p[k];
        }
        chosen[qi] = cs->c[bi];
        chosen[qi].rconf = conf;
        has[qi] = 1;
    }
    for (size_t qi = 0; qi < x->nq; qi++)
        if (has[qi])
            apply(&x->q[qi], &chosen[qi], chosen[qi].rconf);
    rc = 0;
out:
    free(said);
    free(nment);
    free(cs);
    free(fs);
    free(chosen);
    free(has);
    return rc;
}
