/* Quotation spans: pairs double quotation marks (straight, curly, ``/''),
 * follows AP-style continuation across paragraphs, decides direct vs
 * partial.  Single marks are paired only inside one paragraph and only
 * where they clearly open and close (so "don't" and "states'" stay words). */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "refer.h"
#include "xctx.h"

static int is_opening_context(const struct xctx *x, size_t j)
{
    const struct tok *t = &x->t[j];
    int sp_before = (t->f & (TF_SPB | TF_PARA)) || j == 0;
    int sp_after = (t->f & TF_SPA) || j + 1 >= x->nt;
    if (!sp_after && j + 1 < x->nt) {
        const struct tok *n = &x->t[j + 1];
        if (n->kind == TK_PUNCT && (n->q == '.' || n->q == ',' || n->q == ';' || n->q == ':' ||
                                    n->q == ')' || n->q == '?' || n->q == '!'))
            sp_after = 1;
        if (n->f & TF_PARA)
            sp_after = 1;
    }
    if (sp_before && !sp_after)
        return 1;
    if (!sp_before && sp_after)
        return 0;
    return -1;
}

static int add_quote(struct xctx *x, size_t o, size_t c, int cut, int continued)
{
    /* c is the close mark, or (cut) one past the last token inside */
    size_t ts = o + 1, te = c;
    if (te <= ts)
        return 0;
    int words = 0;
    for (size_t k = ts; k < te; k++)
        words += x->t[k].kind == TK_WORD || x->t[k].kind == TK_NUM;
    if (words == 0)
        return 0;
    if (xctx_grow((void **)&x->q, &x->capq, x->nq, sizeof *x->q) != 0)
        return -1;
    struct xquote *q = &x->q[x->nq++];
    memset(q, 0, sizeof *q);
    q->ots = (uint32_t)o;
    q->cts = cut ? XNONE : (uint32_t)c;
    q->ts = (uint32_t)ts;
    q->te = (uint32_t)te;
    q->s = x->t[ts].s;
    q->e = x->t[te - 1].e;
    q->continued = continued;
    q->person = -1;
    q->sp_ts = q->sp_te = XNONE;
    q->cue = XNONE;
    for (size_t k = ts; k < te; k++)
        x->t[k].f |= TF_INQ;
    return 0;
}

/* Direct when the quote opens a sentence or follows a cue, ':' or ','. */
static int is_partial(const struct xctx *x, const struct xquote *q)
{
    size_t o = q->ots;
    if (q->continued || (x->t[o].f & (TF_PARA | TF_SENT)) || o == 0)
        return 0;
    const struct tok *p = &x->t[o - 1];
    if (p->kind == TK_PUNCT && (p->q == ':' || p->q == ',' || p->q == '-' || p->q == 0 ||
                                p->q == '.' || p->q == '(' || p->q == ';'))
        return 0;
    if (p->kind == TK_WORD && (p->lf & LEX_VERB) && !(x->t[q->ts].f & TF_LOWER))
        return 0;
    return 1;
}

/* Pairs curly single marks inside one paragraph: ‘ left-flanking, ’
 * right-flanking (word-inner apostrophes never reach here). */
static int pair_singles(struct xctx *x)
{
    size_t open = XNONE;
    for (size_t j = 0; j < x->nt; j++) {
        const struct tok *t = &x->t[j];
        if (t->f & TF_PARA)
            open = XNONE;
        if (t->kind != TK_QUOTE || !(t->q & QM_SINGLE) || (t->q & 3) == QM_AMBIG)
            continue;
        int ctx = is_opening_context(x, j);
        if ((t->q & 3) == QM_OPEN && ctx != 0)
            open = j;
        else if ((t->q & 3) == QM_CLOSE && ctx == 0 && open != XNONE) {
            if (j - open <= 40 && add_quote(x, open, j, 0, 0) != 0)
                return -1;
            open = XNONE;
        }
    }
    return 0;
}

static int cmp_quote(const void *a, const void *b)
{
    const struct xquote *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Nouns that name a work or a show right before its title ("the
 * podcast 'Night Shift'", "In her book, 'Open Roads,' she ..."): each
 * one turns quotes away in several polnear-train documents. */
static const char *const work_nouns[] = {"show", "program", "book", "movie", "podcast", "ad", NULL};

/* Words before a title-case quote that say it names a work or a show:
 * a possessive ("the senator's 'Fair Share Plan'"), a preposition ("a
 * vote on 'Main Street Jobs'"), a work noun. */
static int title_context(const struct xctx *x, size_t o)
{
    static const char *const before[] = {"on", "of", "in", NULL};
    if (o == 0)
        return 0;
    if (x->t[o - 1].f & TF_POSS)
        return 1;
    if (tok_punct(x, o - 1, ',') && o >= 2)
        o--;
    return refer_word_in(x, o - 1, before) || refer_word_in(x, o - 1, work_nouns);
}

/* A work noun and a comma right before the open mark: "In her 2009
 * memoir, 'Open Roads,' Ms. Roe wrote" -- a title even where a comma
 * would make the quote look direct. */
static int work_noun_before(const struct xctx *x, size_t o)
{
    return o >= 2 && tok_punct(x, o - 1, ',') && refer_word_in(x, o - 2, work_nouns);
}

/* A Title Case quote ending in '!' after no work noun ("chants of
 * 'Go Team Go!'"): an exclamation, not the title of something ("the
 * musical 'Stop the Clock!'" is). */
static int exclaimed(const struct xctx *x, const struct xquote *q)
{
    return tok_punct(x, q->te - 1, '!') && !refer_word_in(x, q->ots - 1, work_nouns);
}

/* Not speech: HTML attribute values (id="..."), nicknames between two
 * names (Thomas "Tommy" Reed), titles of shows and works in title case
 * outside the headline ("the program 'Morning Desk'"). */
static int not_speech(const struct xctx *x, const struct xquote *q)
{
    size_t o = q->ots;
    if (o > 0 && x->t[o - 1].e == x->t[o].s && x->t[o - 1].kind == TK_PUNCT && x->t[o - 1].q == '=')
        return 1;
    if (q->cts == XNONE)
        return 0;
    size_t c = q->cts;
    int nw = 0, caps = 0, fn = 0;
    for (size_t k = q->ts; k < q->te; k++) {
        const struct tok *t = &x->t[k];
        if (t->kind == TK_NUM) {
            nw++; /* "13th", "24" in a title */
            caps++;
            continue;
        }
        if (t->kind != TK_WORD)
            continue;
        nw++;
        if (t->f & TF_CAP)
            caps++;
        else if (t->lf & LEX_COMMON)
            fn++;
    }
    int headline = x->para0[o] == 0; /* the first paragraph */
    /* a nickname between a given name and a surname; in a Title Case
     * headline every word is capitalised, so there it takes a given name */
    if (nw == 1 && caps == 1 && o > 0 && c + 1 < x->nt && (x->t[o - 1].f & TF_CAP) &&
        x->t[o - 1].kind == TK_WORD && (x->t[c + 1].f & TF_CAP) && x->t[c + 1].kind == TK_WORD &&
        (!headline || (x->t[o - 1].lf & LEX_GIVEN)))
        return 1;
    if (!headline && (q->partial || work_noun_before(x, o)) && nw >= 1 && nw <= 8 && caps >= 1 &&
        caps + fn == nw && title_context(x, o) && !exclaimed(x, q))
        return 1;
    /* an article's headline credited to its writer ("'Rates rise
     * again,' by Ann Lee"): a title, not speech */
    return c >= 1 && tok_punct(x, c - 1, ',') && tok_is(x, c + 1, "by") && c + 2 < x->nt &&
           (x->t[c + 2].f & TF_CAP) && (x->t[q->ts].f & TF_CAP);
}

/* A run of paragraphs that open with a mark and never close one is a
 * transcript or a block quote with lost marks, not quoted speech (AP
 * continuation always closes in its last paragraph); so is a run whose
 * paragraphs open with upper-case speaker labels ("ROE: ...", the
 * transcript format, seen in a training and a dev article). */
static void drop_unclosed(struct xctx *x)
{
    size_t w = 0, k = 0;
    while (k < x->nq) {
        size_t m = k + 1;
        while (m < x->nq && x->q[m].continued)
            m++;
        int unclosed = x->q[m - 1].cts == XNONE;
        int labels = 0;
        for (size_t i = k; i < m; i++) {
            size_t t = x->q[i].ts;
            if (t + 1 < x->nt && (x->t[t].f & TF_ALLCAP) && tok_punct(x, t + 1, ':'))
                labels++;
        }
        if (labels >= 2)
            unclosed = 1;
        for (size_t i = k; i < m; i++) {
            if (unclosed) {
                for (size_t t = x->q[i].ts; t < x->q[i].te; t++)
                    x->t[t].f &= (uint16_t)~TF_INQ;
                continue;
            }
            x->q[w++] = x->q[i];
        }
        k = m;
    }
    x->nq = w;
}

/* A quotation inside another ('OK' inside "... it is 'OK' to ...") is part
 * of what the outer speaker says, not a quote of its own.  x->q is sorted
 * by start. */
static void drop_nested(struct xctx *x)
{
    size_t w = 0;
    uint32_t outer_e = 0;
    for (size_t k = 0; k < x->nq; k++) {
        if (w > 0 && x->q[k].e <= outer_e)
            continue;
        outer_e = x->q[k].e;
        x->q[w++] = x->q[k];
    }
    x->nq = w;
}

/* Same-mark nesting: an open “ at j while the “ at open is still open,
 * followed in the paragraph by two ” and no other double mark ("“We
 * won't call it “progress” until it passes.”").  Curly marks only,
 * since a straight " does not say which way it faces.  Returns the inner
 * close mark, or XNONE. */
static size_t nested_close(const struct xctx *x, size_t open, size_t j)
{
    const struct tok *o = &x->t[open], *t = &x->t[j];
    if ((o->q & (QM_SINGLE | 3)) != QM_OPEN || (t->q & (QM_SINGLE | 3)) != QM_OPEN)
        return XNONE;
    size_t inner = XNONE;
    for (size_t k = j + 1; k < x->nt; k++) {
        const struct tok *u = &x->t[k];
        if (u->f & TF_PARA)
            return XNONE;
        if (u->kind != TK_QUOTE || (u->q & QM_SINGLE))
            continue;
        if ((u->q & 3) != QM_CLOSE || is_opening_context(x, k) == 1)
            return XNONE;
        if (inner != XNONE)
            return inner;
        inner = k;
    }
    return XNONE;
}

/* Do the marks at tokens a and b look alike (both straight, or both
 * typographic)?  AP continuation reopens with the mark that opened. */
static int same_family(const struct xctx *x, size_t a, size_t b)
{
    return (x->text[x->t[a].s] == '"') == (x->text[x->t[b].s] == '"');
}

int quotes_find(struct xctx *x)
{
    size_t open = XNONE; /* token of the open double mark */
    int open_continued = 0;
    for (size_t j = 0; j < x->nt; j++) {
        struct tok *t = &x->t[j];
        if ((t->f & TF_PARA) && j > 0) {
            if (open != XNONE) {
                /* A quote still open at a paragraph end: AP style continues
                 * when the next paragraph opens with a mark; otherwise the
                 * stray mark opened nothing. */
                int next_opens = t->kind == TK_QUOTE && !(t->q & QM_SINGLE) &&
                                 ((t->q & 3) == QM_OPEN ||
                                  ((t->q & 3) == QM_AMBIG && is_opening_context(x, j) != 0)) &&
                                 same_family(x, open, j);
                if (next_opens) {
                    if (add_quote(x, open, j, 1, open_continued) != 0)
                        return -1;
                    open = j;
                    open_continued = 1;
                    continue;
                }
                open = XNONE;
            }
        }
        if (t->kind != TK_QUOTE || (t->q & QM_SINGLE))
            continue;
        int role; /* 1 open, 0 close */
        int ctx = is_opening_context(x, j);
        if ((t->q & 3) == QM_OPEN)
            role = ctx == 0 && open != XNONE ? 0 : 1;
        else if ((t->q & 3) == QM_CLOSE)
            role = ctx == 1 && open == XNONE ? 1 : 0;
        else
            role = ctx == -1 ? open == XNONE : ctx;
        if (role && open != XNONE) {
            size_t k = nested_close(x, open, j);
            if (k != XNONE) {
                j = k; /* “... “progress” ...”: the inner pair is part of the outer quote */
                continue;
            }
        }
        if (role) {
            open = j;
            open_continued = 0;
        } else if (open != XNONE) {
            if (add_quote(x, open, j, 0, open_continued) != 0)
                return -1;
            open = XNONE;
        }
    }
    drop_unclosed(x);
    if (pair_singles(x) != 0)
        return -1;
    for (size_t k = 0; k < x->nq; k++)
        x->q[k].partial = is_partial(x, &x->q[k]);
    size_t w = 0;
    for (size_t k = 0; k < x->nq; k++) {
        if (not_speech(x, &x->q[k])) {
            for (size_t i = x->q[k].ts; i < x->q[k].te; i++)
                x->t[i].f &= (uint16_t)~TF_INQ;
            continue;
        }
        x->q[w++] = x->q[k];
    }
    x->nq = w;
    if (x->nq > 1)
        qsort(x->q, x->nq, sizeof *x->q, cmp_quote);
    drop_nested(x);
    return 0;
}
