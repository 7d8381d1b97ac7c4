#ifndef QUOTEWIRE_EXTRACT_XCTX_H
#define QUOTEWIRE_EXTRACT_XCTX_H

/* The working state of one extract_run, shared by the extractor's passes
 * (tokens -> quotes -> names -> attribution).  One per call, on the caller's
 * stack, so that concurrent runs share nothing mutable. */

#include <stddef.h>
#include <stdint.h>

#define XNONE UINT32_MAX

enum tok_kind { TK_WORD = 1, TK_NUM, TK_PUNCT, TK_QUOTE };

enum tok_flag {
    TF_CAP = 1u << 0,    /* first letter upper case */
    TF_ALLCAP = 1u << 1, /* every letter upper case, two or more */
    TF_PARA = 1u << 2,   /* first token after a newline (or of the text) */
    TF_BLANK = 1u << 3,  /* a blank line before */
    TF_SENT = 1u << 4,   /* first token of a sentence */
    TF_SPB = 1u << 5,    /* white space before */
    TF_SPA = 1u << 6,    /* white space after */
    TF_POSS = 1u << 7,   /* the "'s" of a possessive */
    TF_INQ = 1u << 8,    /* inside a quotation */
    TF_HYPH = 1u << 9,   /* word with an inner hyphen */
    TF_LOWER = 1u << 10, /* first letter lower case */
    TF_DOTS = 1u << 11,  /* word with periods ("U.S.", "J.") */
    TF_NAME = 1u << 12,  /* part of a person mention */
};

enum quote_mark {
    QM_OPEN = 1,   /* “ ‘ `` « „ */
    QM_CLOSE = 2,  /* ” ’ '' » */
    QM_AMBIG = 3,  /* " ' */
    QM_SINGLE = 4, /* or'ed: a single mark */
};

struct tok {
    uint32_t s, e; /* bytes */
    uint32_t lf;   /* lexicon flags (words) */
    uint16_t f;    /* enum tok_flag */
    uint8_t kind;  /* enum tok_kind */
    uint8_t q;     /* enum quote_mark for TK_QUOTE; the byte for TK_PUNCT (ASCII) */
};

struct xmention {
    uint32_t ts, te; /* tokens [ts, te) of the name */
    uint32_t s, e;   /* bytes */
    uint32_t title_ts; /* first token of a title before the name, or ts */
    int person;
};

struct xperson {
    uint32_t first_ts, last_ts; /* tokens of the first and last name words of the canonical mention */
    uint32_t canon;             /* index of the canonical mention */
    uint8_t gender;             /* enum lex_gender */
    uint32_t roles[4][2];       /* token ranges of titles, up to 4 */
    int nroles;
};

struct xquote {
    uint32_t ots, cts; /* open / close mark tokens; cts == XNONE when cut at paragraph end */
    uint32_t ts, te;   /* tokens inside */
    uint32_t s, e;     /* bytes inside, trimmed */
    int partial;
    int continued;     /* opens a paragraph that continues the previous quote */
    int person;        /* speaker person, or -1 */
    uint32_t sp_ts, sp_te; /* speaker phrase tokens when not a person (org) */
    char org[112];     /* non-person speaker, NUL-terminated, "" if none */
    uint32_t cue;      /* cue token or XNONE */
    int rejected;      /* a speaker phrase was found but failed the speaker test */
    uint8_t rule;      /* enum attrib_rule that gave the speaker (attrib.h) */
    uint32_t tried;    /* bit per enum attrib_rule the cascade ran on it */
    uint32_t pron_tok; /* the pronoun the speaker was resolved from, or XNONE */
    double conf;
};

/* The tagger's verdict on one token (tagger.c); zero for tokens it does
 * not tag.  per is the margin of its PER score over its best other tag,
 * in weight units: its sign says person or not, its size how sure. */
struct xtag {
    float per;
    uint8_t tag; /* enum tagger_tag */
};

struct xctx {
    const char *text;
    size_t len;
    struct tok *t;
    size_t nt, capt;
    struct xmention *m;
    size_t nm, capm;
    struct xperson *p;
    size_t np, capp;
    struct xquote *q;
    size_t nq, capq;
    int lenient; /* attrib.c: any noun may head a speaker phrase (when proposing candidates) */
    uint32_t *para0, *para1; /* tok.c: per token, its paragraph's first token and the next one's, */
    uint32_t *nsent, *npara; /* and the sentence and paragraph starts up to it */
    struct xtag *tg; /* per token, or NULL when no tagger model is loaded */
    uint64_t *wh;    /* names.c: names_hash of every token, or NULL */
    uint64_t *lower; /* names.c: hash set of the words written in lower case */
    size_t nlower;   /* (names_hash | 1, open addressing), or NULL */
};

/* Grows *arr (element size sz) so that one more fits; 0 or -1. */
int xctx_grow(void **arr, size_t *cap, size_t n, size_t sz);

/* Frees the arrays; accepts NULL. */
void xctx_free(struct xctx *x);

/* Passes, in order.  Each returns 0 or -1 on allocation failure. */
int tok_run(struct xctx *x);      /* tok.c: tokens, sentences */
int quotes_find(struct xctx *x);  /* quotes.c: quotation spans */
int names_find(struct xctx *x);   /* names.c: person mentions and people,
                                     with tagger.c's tags as evidence */
int attrib_run(struct xctx *x);   /* attrib.c: speakers and cues */

/* Helpers for the passes. */
static inline int tok_is(const struct xctx *x, size_t i, const char *w)
{
    if (i >= x->nt)
        return 0;
    /* the first letter first: most comparisons end there */
    unsigned char c0 = (unsigned char)x->text[x->t[i].s];
    if (c0 >= 'A' && c0 <= 'Z')
        c0 = (unsigned char)(c0 + 32);
    if (c0 != (unsigned char)w[0])
        return 0;
    size_t n = 0;
    while (w[n])
        n++;
    if (x->t[i].e - x->t[i].s != n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)x->text[x->t[i].s + k];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c != (unsigned char)w[k])
            return 0;
    }
    return 1;
}

static inline int tok_punct(const struct xctx *x, size_t i, char c)
{
    return i < x->nt && x->t[i].kind == TK_PUNCT && x->t[i].q == (unsigned char)c;
}

#endif
