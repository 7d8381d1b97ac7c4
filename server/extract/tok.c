/* Tokenizer and sentence splitter: one linear pass over the bytes.
 * Invalid UTF-8 bytes become one-byte punctuation tokens. */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "xctx.h"

int xctx_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    if (ncap > SIZE_MAX / sz / 2)
        return -1;
    void *p = realloc(*arr, ncap * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

void xctx_free(struct xctx *x)
{
    if (!x)
        return;
    free(x->t);
    free(x->m);
    free(x->p);
    free(x->q);
    free(x->tg);
    free(x->lower);
    free(x->wh);
    free(x->para0);
    free(x->para1);
    free(x->nsent);
    free(x->npara);
    x->para0 = x->para1 = x->nsent = x->npara = NULL;
    x->wh = NULL;
    x->tg = NULL;
    x->lower = NULL;
    x->nlower = 0;
    x->t = NULL;
    x->m = NULL;
    x->p = NULL;
    x->q = NULL;
    x->nt = x->nm = x->np = x->nq = 0;
    x->capt = x->capm = x->capp = x->capq = 0;
}

/* Decodes the code point at s[i]; *n gets its length (1 for invalid). */
static uint32_t decode(const unsigned char *s, size_t len, size_t i, size_t *n)
{
    unsigned c = s[i];
    *n = 1;
    if (c < 0x80)
        return c;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0xFFFD;
    }
    for (size_t k = 1; k <= need; k++) {
        if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *n = need + 1;
    return cp;
}

static int is_space_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 ||
           c == 0xFEFF;
}

static int is_alpha_cp(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0xFFFD)
        return 0;
    if (c < 0xC0)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c == 0xD7 || c == 0xF7)
        return 0;
    if (c >= 0x2000 && c <= 0x2BFF)
        return 0;
    if (c >= 0x3000 && c <= 0x303F)
        return 0;
    if (c >= 0xFE30 && c <= 0xFE4F)
        return 0;
    if (c >= 0xFF00 && c <= 0xFF20)
        return 0;
    return 1;
}

static int is_upper_cp(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c >= 0xC0 && c <= 0xDE)
        return c != 0xD7;
    if (c >= 0x100 && c <= 0x17F)
        return (c & 1) == 0;
    if (c >= 0x391 && c <= 0x3A9)
        return 1;
    if (c >= 0x400 && c <= 0x42F)
        return 1;
    return 0;
}

static int is_lower_cp(uint32_t c)
{
    if (c < 0x80)
        return c >= 'a' && c <= 'z';
    return is_alpha_cp(c) && !is_upper_cp(c);
}

static int is_digit_cp(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static int push(struct xctx *x, uint32_t s, uint32_t e, uint8_t kind, uint8_t q, uint16_t f)
{
    if (xctx_grow((void **)&x->t, &x->capt, x->nt, sizeof *x->t) != 0)
        return -1;
    struct tok *t = &x->t[x->nt++];
    t->s = s;
    t->e = e;
    t->kind = kind;
    t->q = q;
    t->f = f;
    t->lf = 0;
    return 0;
}

/* Scans a word from i; returns its end.  Inner ' ’ - . & join letters. */
static size_t scan_word(const unsigned char *s, size_t len, size_t i, uint16_t *flags,
                        size_t *poss)
{
    size_t n;
    *poss = 0;
    while (i < len) {
        unsigned char b = s[i];
        if (b < 0x80) {
            /* ASCII fast path */
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
                i++;
                continue;
            }
        }
        uint32_t c = decode(s, len, i, &n);
        if (is_alpha_cp(c) || is_digit_cp(c)) {
            i += n;
            continue;
        }
        int joiner = c == '\'' || c == 0x2019 || c == '-' || c == '.' || c == '&';
        if (!joiner || i + n >= len)
            break;
        size_t n2;
        uint32_t d = decode(s, len, i + n, &n2);
        if (!is_alpha_cp(d) && !is_digit_cp(d))
            break;
        if (c == '\'' || c == 0x2019) {
            /* possessive 's and the contractions 'd 'll 're 've 'm end the
             * word, so that "he'd" is "he" */
            size_t a = i + n, k = a;
            while (k < len && k < a + 2 && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')))
                k++;
            int end = k >= len || !is_alpha_cp(decode(s, len, k, &n2));
            size_t sl = k - a;
            if (end && ((sl == 1 && (s[a] == 's' || s[a] == 'S' || s[a] == 'd' || s[a] == 'm')) ||
                        (sl == 2 && (strncasecmp((const char *)s + a, "ll", 2) == 0 ||
                                     strncasecmp((const char *)s + a, "re", 2) == 0 ||
                                     strncasecmp((const char *)s + a, "ve", 2) == 0)))) {
                *poss = n + sl;
                break;
            }
        }
        if (c == '-')
            *flags |= TF_HYPH;
        if (c == '.')
            *flags |= TF_DOTS;
        i += n;
    }
    return i;
}

static int is_abbrev(const struct xctx *x, const struct tok *w)
{
    size_t n = w->e - w->s;
    const char *p = x->text + w->s;
    if (n == 1 && (w->f & TF_CAP))
        return 1; /* initial "J." */
    if (w->f & TF_DOTS)
        return 1;
    if (w->lf & LEX_HON)
        return 1;
    /* month abbreviations as news style writes them, "No.", "vs.",
     * company and name suffixes, "St.", "etc." */
    static const char *const ab[] = {"jan", "feb", "mar", "aug", "sept", "oct", "nov", "dec", "no",
                                     "vs", "inc", "corp", "co", "jr", "sr", "st", "etc", NULL};
    for (size_t i = 0; ab[i]; i++) {
        size_t m = strlen(ab[i]);
        if (m == n && strncasecmp(p, ab[i], n) == 0)
            return 1;
    }
    return 0;
}

static void mark_sentences(struct xctx *x)
{
    if (x->nt == 0)
        return;
    x->t[0].f |= TF_SENT;
    for (size_t i = 0; i < x->nt; i++) {
        struct tok *t = &x->t[i];
        if (t->f & TF_PARA)
            t->f |= TF_SENT;
        if (t->kind != TK_PUNCT || !(t->q == '.' || t->q == '!' || t->q == '?'))
            continue;
        if (t->q == '.' && i > 0 && x->t[i - 1].kind == TK_WORD && x->t[i - 1].e == t->s &&
            is_abbrev(x, &x->t[i - 1]))
            continue;
        size_t j = i + 1;
        while (j < x->nt && (x->t[j].kind == TK_QUOTE || tok_punct(x, j, ')') ||
                             tok_punct(x, j, '.') || tok_punct(x, j, '!') ||
                             tok_punct(x, j, '?')) &&
               !(x->t[j].f & TF_PARA)) {
            /* a quote mark right after the stop closes; one after a space opens */
            if (x->t[j].kind == TK_QUOTE && (x->t[j].f & TF_SPB))
                break;
            j++;
        }
        if (j < x->nt && !(x->t[j].f & TF_LOWER) &&
            !(x->t[j].kind == TK_PUNCT && x->t[j].q != '(' && x->t[j].q != '['))
            x->t[j].f |= TF_SENT;
        /* a stop inside the run just scanned would scan to the same j and
         * mark the same token: skip the run, so that "...." of any length
         * costs one pass, not one per stop */
        if (j > i + 1)
            i = j - 1;
    }
}

/* Per token: its paragraph's first token, the next paragraph's first
 * token, and running counts of sentence and paragraph starts, so that the
 * later passes answer "which paragraph" and "how many sentences between"
 * without walking the text for every quote. */
static int index_bounds(struct xctx *x)
{
    x->para0 = malloc((x->nt + 1) * sizeof *x->para0);
    x->para1 = malloc((x->nt + 1) * sizeof *x->para1);
    x->nsent = malloc((x->nt + 1) * sizeof *x->nsent);
    x->npara = malloc((x->nt + 1) * sizeof *x->npara);
    if (!x->para0 || !x->para1 || !x->nsent || !x->npara)
        return -1;
    uint32_t ns = 0, np = 0;
    for (size_t i = 0; i < x->nt; i++) {
        ns += (x->t[i].f & (TF_SENT | TF_PARA)) != 0;
        np += (x->t[i].f & TF_PARA) != 0;
        x->nsent[i] = ns;
        x->npara[i] = np;
    }
    uint32_t s = 0;
    for (size_t i = 0; i < x->nt; i++) {
        if (x->t[i].f & TF_PARA)
            s = (uint32_t)i;
        x->para0[i] = s;
    }
    uint32_t e = (uint32_t)x->nt;
    for (size_t i = x->nt; i-- > 0;) {
        x->para1[i] = e;
        if (x->t[i].f & TF_PARA)
            e = (uint32_t)i;
    }
    return 0;
}

int tok_run(struct xctx *x)
{
    const unsigned char *s = (const unsigned char *)x->text;
    size_t len = x->len;
    size_t i = 0, n;
    int newlines = 2; /* start of text counts as a paragraph start */
    int space = 1;
    while (i < len) {
        uint32_t c;
        if (s[i] < 0x80) {
            c = s[i];
            n = 1;
        } else {
            c = decode(s, len, i, &n);
        }
        if (c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85) {
            newlines++;
            space = 1;
            i += n;
            continue;
        }
        if (is_space_cp(c) || c == 0) {
            space = 1;
            i += n;
            continue;
        }
        uint16_t f = 0;
        if (newlines)
            f |= TF_PARA;
        if (newlines >= 2)
            f |= TF_BLANK;
        if (space)
            f |= TF_SPB;
        if (x->nt && space)
            x->t[x->nt - 1].f |= TF_SPA;
        newlines = 0;
        space = 0;
        size_t st = i;
        if (is_alpha_cp(c) || is_digit_cp(c)) {
            size_t poss = 0;
            size_t e = scan_word(s, len, i, &f, &poss);
            uint8_t kind = is_digit_cp(c) ? TK_NUM : TK_WORD;
            if (is_upper_cp(c))
                f |= TF_CAP;
            else if (is_lower_cp(c))
                f |= TF_LOWER;
            /* ALLCAP: two or more letters, none lower case */
            if (f & TF_CAP) {
                int letters = 0, lowers = 0;
                for (size_t k = st; k < e && !lowers;) {
                    size_t m = 1;
                    uint32_t d = s[k] < 0x80 ? s[k] : decode(s, len, k, &m);
                    if (is_alpha_cp(d)) {
                        letters++;
                        lowers += is_lower_cp(d);
                    }
                    k += m;
                }
                if (letters >= 2 && lowers == 0)
                    f |= TF_ALLCAP;
            }
            /* "U.S." and "J." keep their final period */
            if (e < len && s[e] == '.' && kind == TK_WORD &&
                (((f & TF_DOTS) && e - st <= 12) || (e - st == 1 && (f & TF_CAP))))
                e++, f |= TF_DOTS;
            if (push(x, (uint32_t)st, (uint32_t)e, kind, 0, f) != 0)
                return -1;
            if (kind == TK_WORD)
                x->t[x->nt - 1].lf = lexicon_flags(x->text + st, e - st);
            i = e;
            if (poss) {
                if (push(x, (uint32_t)i, (uint32_t)(i + poss), TK_WORD, 0, TF_POSS | TF_LOWER) != 0)
                    return -1;
                i += poss;
            }
            continue;
        }
        uint8_t q = 0;
        size_t e = i + n;
        if (c == '"')
            q = QM_AMBIG;
        else if (c == 0x201C || c == 0x201E || c == 0xAB || c == 0x201F)
            q = QM_OPEN;
        else if (c == 0x201D || c == 0xBB)
            q = QM_CLOSE;
        else if (c == '`' && i + 1 < len && s[i + 1] == '`')
            q = QM_OPEN, e = i + 2;
        else if (c == '\'' && i + 1 < len && s[i + 1] == '\'')
            q = QM_AMBIG, e = i + 2;
        else if (c == '\'' || c == '`')
            q = QM_AMBIG | QM_SINGLE;
        else if (c == 0x2018 || c == 0x2039)
            q = QM_OPEN | QM_SINGLE;
        else if (c == 0x2019 || c == 0x203A)
            q = QM_CLOSE | QM_SINGLE;
        if (q) {
            if (push(x, (uint32_t)i, (uint32_t)e, TK_QUOTE, q, f) != 0)
                return -1;
        } else {
            uint8_t b = c < 0x80 ? (uint8_t)c : (c == 0x2014 || c == 0x2013 || c == 0x2015) ? '-' : 0;
            if (push(x, (uint32_t)i, (uint32_t)e, TK_PUNCT, b, f) != 0)
                return -1;
        }
        i = e;
    }
    if (x->nt && space)
        x->t[x->nt - 1].f |= TF_SPA;
    mark_sentences(x);
    return index_bounds(x);
}
