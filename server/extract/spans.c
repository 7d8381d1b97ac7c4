/* Span filtering: the quotation spans that quotes.c found and attrib.c
 * attributed, less those that are not quotations of their own.
 *
 *  - marks of two families ("...” or “...", “...“, ”...”): a quotation is
 *    opened and closed by marks of one family (straight, doubled '', curly
 *    double, curly single, guillemets); a pair of mixed marks with no cue
 *    is two stray marks, not an opening and a closing one, while a cue
 *    ("...,” she said) shows a real quotation with a typo'd mark;
 *  - ‘...’ holding a ’ (‘I’m the Worst Thing’): the ’ inside closes the
 *    single-quoted span, so what is left is no quotation of its own.
 *
 * Pure: reads x->text and x->t, rewrites x->q in place. */
#include "spans.h"

#include "refer.h"

#include <stdint.h>
#include <string.h>

enum mark {
    MK_NONE,
    MK_STRAIGHT, /* " */
    MK_DOUBLED,  /* '' */
    MK_LDQ,      /* “ */
    MK_RDQ,      /* ” */
    MK_LSQ,      /* ‘ */
    MK_RSQ,      /* ’ */
    MK_LAQ,      /* « */
    MK_RAQ,      /* » */
    MK_LOW,      /* „ */
    MK_REV,      /* ‟ */
    MK_GRAVE2,   /* `` */
    MK_OTHER,
};

static enum mark mark_of(const struct xctx *x, size_t k)
{
    if (k >= x->nt || x->t[k].kind != TK_QUOTE)
        return MK_NONE;
    const unsigned char *s = (const unsigned char *)x->text + x->t[k].s;
    size_t n = x->t[k].e - x->t[k].s;
    if (n == 1)
        return s[0] == '"' ? MK_STRAIGHT : MK_OTHER;
    if (n == 2 && s[0] == '\'' && s[1] == '\'')
        return MK_DOUBLED;
    if (n == 2 && s[0] == '`' && s[1] == '`')
        return MK_GRAVE2;
    if (n == 2 && s[0] == 0xC2)
        return s[1] == 0xAB ? MK_LAQ : s[1] == 0xBB ? MK_RAQ : MK_OTHER;
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x80) {
        switch (s[2]) {
        case 0x9C: return MK_LDQ;
        case 0x9D: return MK_RDQ;
        case 0x98: return MK_LSQ;
        case 0x99: return MK_RSQ;
        case 0x9E: return MK_LOW;
        case 0x9F: return MK_REV;
        default: return MK_OTHER;
        }
    }
    return MK_OTHER;
}

/* Do open mark o and close mark c belong to one family? */
static int marks_pair(enum mark o, enum mark c)
{
    switch (o) {
    case MK_STRAIGHT: return c == MK_STRAIGHT;
    case MK_DOUBLED: return c == MK_DOUBLED;
    case MK_LDQ:
    case MK_LOW:
    case MK_REV: return c == MK_RDQ;
    case MK_LSQ: return c == MK_RSQ;
    case MK_LAQ: return c == MK_RAQ;
    case MK_RAQ: return c == MK_LAQ; /* »...« (German, Danish) */
    case MK_GRAVE2: return c == MK_DOUBLED;
    default: return 1; /* ' ` and the rest: not judged */
    }
}

/* Does bytes [s, e) hold a ’ ? */
static int has_rsq(const struct xctx *x, uint32_t s, uint32_t e)
{
    const unsigned char *p = (const unsigned char *)x->text;
    for (uint32_t k = s; k + 2 < e; k++)
        if (p[k] == 0xE2 && p[k + 1] == 0x80 && p[k + 2] == 0x99)
            return 1;
    return 0;
}

/* Title Case: a capitalised word, and no lower-case or numeric word of
 * four letters or more ("Save Our River Fund", "Days at the Mill"). */
static int title_case(const struct xctx *x, const struct xquote *q)
{
    int caps = 0;
    for (size_t k = q->ts; k < q->te; k++) {
        const struct tok *t = &x->t[k];
        if (t->kind != TK_WORD && t->kind != TK_NUM)
            continue;
        if (t->f & TF_CAP)
            caps++;
        else if (t->e - t->s > 3)
            return 0;
    }
    return caps > 0;
}

/* Do the quote's words, less a final , . ; : ! or ?, occur again
 * elsewhere in the text? */
static int repeated(const struct xctx *x, const struct xquote *q)
{
    uint32_t s = q->s, e = q->e;
    while (e > s && strchr(",.;:!?", x->text[e - 1]))
        e--;
    size_t n = e - s;
    if (n < 2 || n > 120)
        return 0;
    const char *p = x->text, *end = x->text + x->len;
    while ((size_t)(end - p) >= n) {
        const char *h = memchr(p, x->text[s], (size_t)(end - p) - n + 1);
        if (!h)
            break;
        if (h != x->text + s && memcmp(h, x->text + s, n) == 0)
            return 1;
        p = h + 1;
    }
    return 0;
}

/* Is token k in the first paragraph (the headline)? */
static int in_headline(const struct xctx *x, size_t k)
{
    for (size_t i = 1; i <= k && i < x->nt; i++)
        if (x->t[i].f & TF_PARA)
            return 0;
    return 1;
}

/* A Title Case quote joined by "and", "or" or a comma to a quoted Title
 * Case name before it ("the shows 'Day One' and 'Night Desk'"): one of a
 * list of names or titles.  Not in the headline, where every word is
 * capitalised. */
static int listed_name(const struct xctx *x, const struct xquote *q)
{
    size_t k = q->ots;
    if (k < 3 || !title_case(x, q))
        return 0;
    k--;
    if (tok_is(x, k, "and") || tok_is(x, k, "or")) {
        k--;
        if (tok_punct(x, k, ','))
            k--;
    } else if (!tok_punct(x, k, ',')) {
        return 0;
    } else {
        k--;
    }
    if (k < 1 || x->t[k].kind != TK_QUOTE)
        return 0;
    k--;
    if (x->t[k].kind == TK_PUNCT && k > 0)
        k--;
    if (!(x->t[k].f & TF_CAP) && x->t[k].kind != TK_NUM)
        return 0;
    return !in_headline(x, q->ots);
}

/* A quote with no cue that names something rather than quotes someone:
 *  - Title Case words that the text uses again ("the 'Green Deal'
 *    vote ... the 'Green Deal' was"): a name, a title, a slogan;
 *  - Title Case opening a paragraph ("“Night Desk” host Ann ...");
 *  - Title Case after a dash ("- 'Main Street' ..."). */
static int a_name(const struct xctx *x, const struct xquote *q)
{
    if (q->cue != XNONE)
        return 0;
    if (q->ots > 0 && tok_punct(x, q->ots - 1, '-') && (x->t[q->ts].f & TF_CAP))
        return 1;
    if (!title_case(x, q))
        return 0;
    if (repeated(x, q))
        return 1;
    if (x->t[q->ots].f & TF_PARA)
        return 1;
    return listed_name(x, q);
}

/* A label in marks: one or two words ending in a colon ("Related:",
 * "Watch:") head a link list or a video, and quote nobody. */
static int a_label(const struct xctx *x, const struct xquote *q)
{
    if (!tok_punct(x, q->te - 1, ':'))
        return 0;
    int words = 0;
    for (size_t k = q->ts; k < q->te; k++)
        words += x->t[k].kind == TK_WORD || x->t[k].kind == TK_NUM;
    return words <= 2;
}

static int not_a_quotation(const struct xctx *x, const struct xquote *q)
{
    enum mark o = mark_of(x, q->ots);
    if (o == MK_RDQ && !q->continued)
        return 1; /* ”...: a closing mark opens nothing */
    if (q->cts == XNONE)
        return 0;
    enum mark c = mark_of(x, q->cts);
    /* Mixed marks are as often a typo'd real quotation ("...,” she said)
     * as two stray marks paired wrongly: only an attributed one is kept. */
    if ((!marks_pair(o, c) || (o == MK_LSQ && has_rsq(x, q->s, q->e))) && q->cue == XNONE)
        return 1;
    return a_name(x, q) || a_label(x, q);
}

void spans_filter(struct xctx *x)
{
    size_t w = 0;
    for (size_t k = 0; k < x->nq; k++) {
        if (not_a_quotation(x, &x->q[k]))
            continue;
        if (w != k)
            x->q[w] = x->q[k];
        w++;
    }
    x->nq = w;
}
