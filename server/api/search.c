/* The q parameter's search syntax -> an FTS5 query (see include/search.h). */
#include "search.h"

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

enum term_kind { T_WORD, T_PHRASE, T_OR };

struct term {
    enum term_kind kind;
    int neg, prefix;
    const char *p; /* the word or phrase, without -, quotes and *s */
    size_t n;
};

/* Room for SEARCH_MAX_TERMS terms and the ORs between them; more input
 * than that is refused before it is stored. */
#define MAX_ITEMS (2 * SEARCH_MAX_TERMS + 2)

static int space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == '\0';
}

/* Length of the quotation mark at q[i] (", U+201C, U+201D, U+201E), else 0. */
static size_t quote_mark(const char *q, size_t len, size_t i)
{
    if (q[i] == '"')
        return 1;
    if (len - i >= 3 && (unsigned char)q[i] == 0xE2 && (unsigned char)q[i + 1] == 0x80 &&
        ((unsigned char)q[i + 2] == 0x9C || (unsigned char)q[i + 2] == 0x9D ||
         (unsigned char)q[i + 2] == 0x9E))
        return 3;
    return 0;
}

/* What FTS5's unicode61 tokenizer keeps as token characters: letters,
 * numbers, private use (and accents, which it folds away with the letter
 * they sit on). */
static int token_char(UChar32 c)
{
    return c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK)) != 0;
}

/* The length in characters of the last run of token characters in
 * p[0..n): the word an FTS5 prefix applies to ("tax" in "vat-tax!");
 * 0 when there is none (the term would be an empty FTS5 phrase, which
 * makes an AND match nothing). */
static size_t last_word(const char *p, size_t n)
{
    size_t i = 0, run = 0, last = 0;
    while (i < n) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (token_char(c)) {
            run++;
            last = run;
        } else {
            run = 0;
        }
    }
    return last;
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!space(p[i]))
            return 0;
    return 1;
}

static int put_term(struct strbuf *out, const struct term *t)
{
    if (strbuf_putc(out, '"') != 0)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        char c = space(t->p[i]) ? ' ' : t->p[i];
        if ((c == '"' && strbuf_putc(out, '"') != 0) || strbuf_putc(out, c) != 0)
            return -1;
    }
    return strbuf_puts(out, t->prefix ? "\" *" : "\"");
}

/* The FTS5 query for the parsed terms, where an OR stands only between
 * two positive terms: groups of positive terms joined by OR, ANDed, then
 * NOT the excluded ones ("(a OR b) AND c NOT (d OR e)"). */
static int emit(struct strbuf *out, const struct term *t, size_t nt, size_t npos, size_t nneg)
{
    int wrap = nneg > 0 && npos > 1, first = 1;
    if (wrap && strbuf_putc(out, '(') != 0)
        return -1;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].kind == T_OR || t[i].neg)
            continue;
        int joined = i > 0 && t[i - 1].kind == T_OR;
        int extended = i + 1 < nt && t[i + 1].kind == T_OR;
        /* a group of several terms goes in parentheses */
        if (!joined) {
            if (!first && strbuf_puts(out, " AND ") != 0)
                return -1;
            if (extended && npos > 1 && strbuf_putc(out, '(') != 0)
                return -1;
        } else if (strbuf_puts(out, " OR ") != 0) {
            return -1;
        }
        if (put_term(out, &t[i]) != 0)
            return -1;
        if (joined && !extended && npos > 1 && strbuf_putc(out, ')') != 0)
            return -1;
        first = 0;
    }
    if (wrap && strbuf_putc(out, ')') != 0)
        return -1;
    if (!nneg)
        return 0;
    if (strbuf_puts(out, nneg > 1 ? " NOT (" : " NOT ") != 0)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].kind == T_OR || !t[i].neg)
            continue;
        if ((k++ && strbuf_puts(out, " OR ") != 0) || put_term(out, &t[i]) != 0)
            return -1;
    }
    return nneg > 1 ? strbuf_putc(out, ')') : 0;
}

qw_status search_fts(const char *q, size_t len, struct strbuf *out, char *err)
{
    struct term t[MAX_ITEMS];
    size_t nt = 0, nterms = 0;
    if (err)
        err[0] = '\0';
    if (!q || blank(q, len))
        return QW_ERR_EMPTY;
    size_t i = 0;
    while (i < len) {
        while (i < len && space(q[i]))
            i++;
        if (i == len)
            break;
        struct term cur = {T_WORD, 0, 0, NULL, 0};
        if (q[i] == '-') {
            cur.neg = 1;
            i++;
            if (i == len || space(q[i]))
                continue; /* a lone "-" */
        }
        size_t qm = quote_mark(q, len, i);
        if (qm) {
            size_t s = i + qm, e = s;
            while (e < len && !quote_mark(q, len, e))
                e++;
            i = e < len ? e + quote_mark(q, len, e) : len;
            while (s < e && space(q[s]))
                s++;
            while (e > s && space(q[e - 1]))
                e--;
            if (!last_word(q + s, e - s))
                continue; /* "", "!!" */
            cur.kind = T_PHRASE;
            cur.p = q + s;
            cur.n = e - s;
        } else {
            size_t s = i;
            while (i < len && !space(q[i]) && !quote_mark(q, len, i))
                i++;
            cur.p = q + s;
            cur.n = i - s;
            if (!cur.neg && cur.n == 2 && memcmp(cur.p, "OR", 2) == 0) {
                cur.kind = T_OR;
            } else {
                while (cur.n && cur.p[cur.n - 1] == '*') {
                    cur.n--;
                    cur.prefix = 1;
                }
                size_t w = last_word(cur.p, cur.n);
                if (!w)
                    continue; /* "*", "&", "--" */
                if (cur.prefix && w < SEARCH_MIN_PREFIX) {
                    if (err)
                        snprintf(err, QW_ERRLEN,
                                 "Parameter 'q' has a prefix '%.*s*' with fewer than %d letters "
                                 "or digits before the '*'.",
                                 (int)(cur.n < 16 ? cur.n : 16), cur.p, SEARCH_MIN_PREFIX);
                    return QW_ERR_BAD_REQUEST;
                }
            }
        }
        if (cur.kind != T_OR && ++nterms > SEARCH_MAX_TERMS) {
            if (err)
                snprintf(err, QW_ERRLEN,
                         "Parameter 'q' has more than %d words and phrases; put words that go "
                         "together in a \"phrase\".",
                         SEARCH_MAX_TERMS);
            return QW_ERR_BAD_REQUEST;
        }
        if (cur.kind == T_OR && nt && t[nt - 1].kind == T_OR)
            continue; /* OR OR: one OR */
        if (nt == MAX_ITEMS)
            continue; /* cannot happen: ORs alternate with counted terms */
        t[nt++] = cur;
    }
    /* An OR joins positive terms only: drop the others, so emit sees an
     * OR exactly between two positive terms. */
    size_t k = 0, npos = 0, nneg = 0;
    for (size_t j = 0; j < nt; j++) {
        if (t[j].kind == T_OR &&
            (k == 0 || t[k - 1].neg || j + 1 == nt || t[j + 1].neg || t[j + 1].kind == T_OR))
            continue;
        t[k++] = t[j];
        if (t[j].kind != T_OR)
            t[j].neg ? nneg++ : npos++;
    }
    nt = k;
    if (!npos) {
        if (err)
            snprintf(err, QW_ERRLEN,
                     nneg ? "Parameter 'q' only excludes words; add a word to search for."
                          : "Parameter 'q' has no words to search for.");
        return QW_ERR_BAD_REQUEST;
    }
    return emit(out, t, nt, npos, nneg) == 0 ? QW_OK : QW_ERR_NOMEM;
}
