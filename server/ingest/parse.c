/* Decoded text -> struct article: front matter, headline, dateline, and
 * the page junk at the end.  The article's text is one contiguous slice
 * of the input, so offsets found in it map back by adding text_offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "utf8.h"

/* A headline longer than this is cut (at a word) for the title field;
 * title_start/title_end still cover the whole line. */
#define TITLE_MAX 300
/* Junk lines are short; a long last paragraph is never junk. */
#define JUNK_LINE_MAX 200
#define PLACE_MAX 40
#define AGENCY_MAX 40

static void set_err(char *err, const char *msg)
{
    if (err)
        snprintf(err, QW_ERRLEN, "%s", msg);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* End of the line starting at i: the index of its '\n', or len. */
static size_t line_end(const char *t, size_t len, size_t i)
{
    const char *nl = memchr(t + i, '\n', len - i);
    return nl ? (size_t)(nl - t) : len;
}

/* Trims [*s, *e) of white space on both sides. */
static void trim(const char *t, size_t *s, size_t *e)
{
    while (*s < *e && is_space(t[*s]))
        (*s)++;
    while (*e > *s && is_space(t[*e - 1]))
        (*e)--;
}

static char *dup_range(const char *t, size_t s, size_t e)
{
    char *p = malloc(e - s + 1);
    if (!p)
        return NULL;
    memcpy(p, t + s, e - s);
    p[e - s] = '\0';
    return p;
}

/* Case-insensitive (ASCII) prefix test of t[s..e) against p. */
static int has_prefix(const char *t, size_t s, size_t e, const char *p)
{
    size_t n = strlen(p);
    if (e - s < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(t[s + i]) != lower(p[i]))
            return 0;
    return 1;
}

static int equals_ci(const char *t, size_t s, size_t e, const char *p)
{
    return e - s == strlen(p) && has_prefix(t, s, e, p);
}

/* ---- dates ---- */

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int ingest_valid_date(int y, int m, int d)
{
    return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static int valid_ymd(int y, int m, int d)
{
    return ingest_valid_date(y, m, d);
}

/* Parses YYYY-MM-DD at t[i..e); returns its length (10) or 0. */
static size_t match_iso_date(const char *t, size_t i, size_t e, int *y, int *m, int *d)
{
    if (e - i < 10)
        return 0;
    const char *p = t + i;
    for (int k = 0; k < 10; k++) {
        if (k == 4 || k == 7) {
            if (p[k] != '-')
                return 0;
        } else if (!is_digit(p[k])) {
            return 0;
        }
    }
    if (e - i > 10 && is_digit(p[10]))
        return 0;
    *y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    *m = (p[5] - '0') * 10 + (p[6] - '0');
    *d = (p[8] - '0') * 10 + (p[9] - '0');
    return valid_ymd(*y, *m, *d) ? 10 : 0;
}

static char *format_date(int y, int m, int d)
{
    char *p = malloc(11);
    if (p)
        snprintf(p, 11, "%04d-%02d-%02d", y, m, d);
    return p;
}

/* A month name ("Jan", "Jan.", "January", "Sept") at t[i..e); returns its
 * length and sets *m (1..12), or 0. */
static size_t match_month(const char *t, size_t i, size_t e, int *m)
{
    static const char *const full[12] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
    size_t n = 0;
    while (i + n < e && (is_upper(t[i + n]) || is_lower(t[i + n])))
        n++;
    if (n < 3 || !is_upper(t[i]))
        return 0;
    for (int k = 0; k < 12; k++) {
        size_t fl = strlen(full[k]);
        int ok = 0;
        if (n == fl && has_prefix(t, i, e, full[k]))
            ok = 1;
        else if (n == 3 && lower(t[i]) == full[k][0] && lower(t[i + 1]) == full[k][1] &&
                 lower(t[i + 2]) == full[k][2])
            ok = 1;
        else if (k == 8 && n == 4 && has_prefix(t, i, e, "sept"))
            ok = 1;
        if (ok) {
            *m = k + 1;
            if (n < fl && i + n < e && t[i + n] == '.')
                n++;
            return n;
        }
    }
    return 0;
}

/* 1-2 digit number at t[i..e) not followed by a digit; returns length. */
static size_t match_num(const char *t, size_t i, size_t e, size_t maxd, int *v)
{
    size_t n = 0;
    int x = 0;
    while (i + n < e && is_digit(t[i + n]) && n < maxd + 1) {
        x = x * 10 + (t[i + n] - '0');
        n++;
    }
    if (n == 0 || n > maxd)
        return 0;
    *v = x;
    return n;
}

/* A dateline date at t[i..e): "1996-08-30", "Jan 5", "March 3, 2023",
 * "5 January 2023".  Returns its length; *y is 0 when it has no year. */
static size_t match_date(const char *t, size_t i, size_t e, int *y, int *m, int *d)
{
    size_t n, k;
    int v;
    *y = 0;
    if ((n = match_iso_date(t, i, e, y, m, d)))
        return n;
    if ((n = match_month(t, i, e, m))) {
        if (i + n >= e || t[i + n] != ' ')
            return 0;
        n++;
        if (!(k = match_num(t, i + n, e, 2, d)) || *d < 1 || *d > 31)
            return 0;
        n += k;
        /* ", 2023" or " 2023" */
        size_t j = i + n;
        if (j < e && t[j] == ',')
            j++;
        if (j < e && t[j] == ' ' && (k = match_num(t, j + 1, e, 4, &v)) == 4) {
            *y = v;
            n = j + 1 + k - i;
        }
        return n;
    }
    if ((n = match_num(t, i, e, 2, d)) && i + n < e && t[i + n] == ' ') {
        size_t mn = match_month(t, i + n + 1, e, m);
        if (!mn || *d < 1 || *d > 31)
            return 0;
        n += 1 + mn;
        if (i + n < e && t[i + n] == ' ' && (k = match_num(t, i + n + 1, e, 4, &v)) == 4) {
            *y = v;
            n += 1 + k;
        }
        return n;
    }
    return 0;
}

/* ---- front matter ---- */

static int is_fence(const char *t, size_t s, size_t e)
{
    trim(t, &s, &e);
    return e - s == 3 && memcmp(t + s, "---", 3) == 0;
}

static int set_field(char **dst, const char *t, size_t s, size_t e)
{
    char *v = dup_range(t, s, e);
    if (!v)
        return -1;
    free(*dst);
    *dst = v;
    return 0;
}

/* Reads a front matter block if the text opens with a "---" line.  *pos
 * receives the first byte after it (0 when there is none). */
static qw_status parse_front_matter(const char *t, size_t len, struct article *a, size_t *pos,
                                    char *err)
{
    size_t i = 0, e = line_end(t, len, 0);
    int lineno = 1;

    *pos = 0;
    if (!is_fence(t, 0, e))
        return QW_OK;
    for (i = e < len ? e + 1 : len;; i = e < len ? e + 1 : len) {
        lineno++;
        if (i >= len) {
            set_err(err, "front matter: no closing --- line");
            return QW_ERR_INVALID;
        }
        e = line_end(t, len, i);
        if (is_fence(t, i, e))
            break;
        size_t s = i, le = e;
        trim(t, &s, &le);
        if (s == le || t[s] == '#')
            continue;
        size_t k = s;
        while (k < le && (is_upper(t[k]) || is_lower(t[k]) || is_digit(t[k]) || t[k] == '_' ||
                          t[k] == '-'))
            k++;
        size_t ke = k;
        while (k < le && (t[k] == ' ' || t[k] == '\t'))
            k++;
        if (ke == s || k >= le || t[k] != ':') {
            if (err)
                snprintf(err, QW_ERRLEN, "front matter line %d: expected \"key: value\"",
                         lineno);
            return QW_ERR_INVALID;
        }
        size_t vs = k + 1, ve = le;
        trim(t, &vs, &ve);
        if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
            vs++;
            ve--;
        }
        int rc = 0;
        if (equals_ci(t, s, ke, "date")) {
            int y, m, d;
            size_t n = match_iso_date(t, vs, ve, &y, &m, &d);
            /* a timestamp's date part is fine: 2023-06-14T10:00:00Z */
            if (!n || (vs + n < ve && t[vs + n] != 'T' && t[vs + n] != ' ')) {
                if (err)
                    snprintf(err, QW_ERRLEN, "front matter: date \"%.*s\" is not YYYY-MM-DD",
                             (int)(ve - vs > 40 ? 40 : ve - vs), t + vs);
                return QW_ERR_INVALID;
            }
            rc = set_field(&a->published, t, vs, vs + 10);
        } else if (vs == ve) {
            continue; /* an empty value is an absent one */
        } else if (equals_ci(t, s, ke, "title")) {
            rc = set_field(&a->title, t, vs, ve);
        } else if (equals_ci(t, s, ke, "source")) {
            rc = set_field(&a->source, t, vs, ve);
            a->source_given = 1;
        } else if (equals_ci(t, s, ke, "section")) {
            if (!ingest_valid_label(t + vs, ve - vs)) {
                if (err)
                    snprintf(err, QW_ERRLEN, "front matter line %d: section is longer than %d "
                             "bytes or holds control characters", lineno, INGEST_LABEL_MAX);
                return QW_ERR_INVALID;
            }
            rc = set_field(&a->section, t, vs, ve);
        } else if (equals_ci(t, s, ke, "url")) {
            rc = set_field(&a->url, t, vs, ve);
        } else if (equals_ci(t, s, ke, "author")) {
            rc = set_field(&a->author, t, vs, ve);
        }
        if (rc)
            return QW_ERR_NOMEM;
    }
    *pos = e < len ? e + 1 : len;
    return QW_OK;
}

/* ---- junk at the end ---- */

/* Lines that are page furniture when they close an article: compared
 * whole (case-insensitive, trailing punctuation ignored) ... */
static const char *const junk_exact[] = {
    "share this post", "share this article", "share this story", "share this page",
    "share this", "share", "share on facebook", "share on twitter", "share via email",
    "tweet", "print", "email", "advertisement", "sponsored", "read more",
    "related", "related articles", "related stories", "related news", "more stories",
    "comments", "leave a comment", "all rights reserved", "subscribe", "subscribe now",
    "back to top", NULL};

/* ... or by how they start. */
static const char *const junk_prefix[] = {
    "read more:", "read more at ", "read more about ", "read more on ", "also read:",
    "also read ", "read also:", "click here ", "follow us on ", "follow us:", "copyright ",
    "copyright\xc2\xa9", "\xc2\xa9", "(c) ", "all rights reserved", "subscribe to our ",
    "sign up for our ", "sign up to our ", "download our app", "download the app", NULL};

/* Image credits: the rest of the line names the source. */
static const char *const credit_prefix[] = {
    "image courtesy of ", "image courtesy: ", "image courtesy ", "images courtesy of ",
    "photo courtesy of ", "photo courtesy: ", "picture courtesy of ", "image credit: ",
    "image credits: ", "photo credit: ", "image source: ", "photo: ", NULL};

/* Is t[s..e) (trimmed, one line) junk?  An image credit sets cs and ce to
 * the name it gives. */
static int is_junk(const char *t, size_t s, size_t e, size_t *cs, size_t *ce)
{
    if (e - s > JUNK_LINE_MAX)
        return 0;
    size_t pe = e;
    while (pe > s && t[pe - 1] && strchr(".:!>\xc2\xbb", t[pe - 1]))
        pe--;
    for (int k = 0; junk_exact[k]; k++)
        if (equals_ci(t, s, pe, junk_exact[k]))
            return 1;
    for (int k = 0; junk_prefix[k]; k++)
        if (has_prefix(t, s, e, junk_prefix[k]))
            return 1;
    for (int k = 0; credit_prefix[k]; k++) {
        if (has_prefix(t, s, e, credit_prefix[k])) {
            *cs = s + strlen(credit_prefix[k]);
            *ce = e;
            while (*ce > *cs && (t[*ce - 1] == '.' || is_space(t[*ce - 1])))
                (*ce)--;
            while (*cs < *ce && is_space(t[*cs]))
                (*cs)++;
            return 1;
        }
    }
    return 0;
}

/* ---- dateline ---- */

static const char *const not_places[] = {
    "note", "update", "updated", "editor's note", "correction", "breaking", "breaking news",
    "exclusive", "analysis", "opinion", "comment", "watch", "video", "photo", "photos",
    "live", "listen", "read", "review", "interview", "summary", "background", "warning",
    "factbox", "explainer", "q&a", "advertisement", "source", "sources", "by", "result",
    "results", "scores", "teams", "team", "notes", NULL};

static int is_word_byte(char c)
{
    return is_upper(c) || is_lower(c) || c == '.' || c == '\'' || c == '-' ||
           (unsigned char)c >= 0x80;
}

/* Capitalised words ("NEW YORK", "Washington", "ST. LOUIS", "Ore.") at
 * t[i..e), at most maxw words and PLACE_MAX bytes.  Returns the length
 * and sets *lower_seen when a word has lower case letters. */
static size_t match_words(const char *t, size_t i, size_t e, int maxw, int *lower_seen)
{
    size_t n = 0, good = 0;
    int words = 0, low = 0;
    *lower_seen = 0;
    for (;;) {
        size_t j = i + n;
        if (j >= e || !(is_upper(t[j]) || (unsigned char)t[j] >= 0xC0))
            break;
        size_t w = 0;
        while (j + w < e && is_word_byte(t[j + w])) {
            if (is_lower(t[j + w]))
                low = 1;
            w++;
        }
        if (w < 2)
            break;
        n += w;
        good = n;
        *lower_seen = low;
        if (++words >= maxw || i + n >= e || t[i + n] != ' ')
            break;
        n++; /* the space */
    }
    if (good > PLACE_MAX)
        return 0;
    return good;
}

/* A dash or colon separator at t[i..e) (after optional spaces), followed
 * by a space or the end of the line.  Returns the length, 0 if none;
 * *colon is set for ':'. */
static size_t match_sep(const char *t, size_t i, size_t e, int *colon)
{
    size_t j = i;
    *colon = 0;
    while (j < e && t[j] == ' ')
        j++;
    if (j >= e)
        return 0;
    if (t[j] == ':' && j == i) {
        *colon = 1;
        j++;
    } else if (t[j] == '-') {
        if (j == i)
            return 0;
        j++;
        if (j < e && t[j] == '-')
            j++;
    } else if (e - j >= 3 && (unsigned char)t[j] == 0xE2 && (unsigned char)t[j + 1] == 0x80 &&
               ((unsigned char)t[j + 2] == 0x93 || (unsigned char)t[j + 2] == 0x94)) {
        j += 3;
    } else {
        return 0;
    }
    if (j < e && t[j] != ' ')
        return 0;
    return j - i;
}

struct dateline {
    size_t end;                   /* end of the dateline text */
    size_t agency_start, agency_end;
    int y, m, d;                  /* y == 0: no year (m, d: the month and day
                                     given, or 0) */
};

/* Tries to read a dateline at the start of the paragraph t[i..e). */
static int match_dateline(const char *t, size_t i, size_t e, struct dateline *dl)
{
    int lower_seen, lw, colon, y, m, d, iso = 0, dated = 0;
    size_t n, p;

    memset(dl, 0, sizeof *dl);
    n = match_words(t, i, e, 4, &lower_seen);
    if (!n)
        return 0;
    for (int k = 0; not_places[k]; k++)
        if (equals_ci(t, i, i + n, not_places[k]))
            return 0;
    p = i + n;
    /* ", Ore." ", N.Y." ", Jan 5" -- at most two comma parts */
    for (int parts = 0; parts < 2 && p + 2 < e && t[p] == ',' && t[p + 1] == ' '; parts++) {
        if ((n = match_date(t, p + 2, e, &y, &m, &d))) {
            iso = match_iso_date(t, p + 2, e, &y, &m, &d) != 0;
            p += 2 + n;
            dated = 1;
            dl->y = y, dl->m = m, dl->d = d; /* y 0: month and day only */
            break;
        }
        if (!(n = match_words(t, p + 2, e, 3, &lw)))
            break;
        p += 2 + n;
    }
    if (!dated && p + 1 < e && t[p] == ' ' && (n = match_date(t, p + 1, e, &y, &m, &d))) {
        iso = match_iso_date(t, p + 1, e, &y, &m, &d) != 0;
        p += 1 + n;
        dated = 1;
        dl->y = y, dl->m = m, dl->d = d;
    }
    if (p + 2 < e && t[p] == ' ' && t[p + 1] == '(') {
        const char *close = memchr(t + p + 2, ')', e - p - 2);
        if (close && (size_t)(close - t) - (p + 2) <= AGENCY_MAX && is_upper(t[p + 2])) {
            dl->agency_start = p + 2;
            dl->agency_end = (size_t)(close - t);
            p = dl->agency_end + 1;
        }
    }
    dl->end = p;
    if ((n = match_sep(t, p, e, &colon))) {
        if (p + n >= e)
            return 0; /* nothing after it */
        /* "Manchester United - the champions" is not a dateline */
        if (lower_seen && !colon && !dated && !dl->agency_end)
            return 0;
        return 1;
    }
    /* "LONDON 1996-08-30" needs no separator */
    if (iso && (p >= e || t[p] == ' ' || t[p] == '\r'))
        return 1;
    return 0;
}

/* ---- the article ---- */

void article_free(struct article *a)
{
    if (!a)
        return;
    free(a->text);
    free(a->title);
    free(a->dateline);
    free(a->published);
    free(a->source);
    free(a->section);
    free(a->url);
    free(a->author);
    free(a->image_credit);
    memset(a, 0, sizeof *a);
}

/* The headline as a title: whole when short, else cut at a word. */
static char *make_title(const char *t, size_t s, size_t e)
{
    if (e - s <= TITLE_MAX)
        return dup_range(t, s, e);
    size_t cut = s + TITLE_MAX;
    while (cut > s && ((unsigned char)t[cut] & 0xC0) == 0x80)
        cut--;
    size_t sp = cut;
    while (sp > s + TITLE_MAX / 2 && t[sp] != ' ')
        sp--;
    if (t[sp] == ' ')
        cut = sp;
    while (cut > s && is_space(t[cut - 1]))
        cut--;
    char *p = malloc(cut - s + 4);
    if (!p)
        return NULL;
    memcpy(p, t + s, cut - s);
    memcpy(p + (cut - s), "\xe2\x80\xa6", 4); /* "…" and the NUL */
    return p;
}

/* Fills the headline and dateline fields of a from text[0..len). */
static qw_status parse_body(struct article *a)
{
    const char *t = a->text;
    size_t len = a->len, i = 0, s, e;
    struct dateline dl;

    while (i < len) {
        e = line_end(t, len, i);
        s = i;
        size_t le = e;
        trim(t, &s, &le);
        if (s < le) {
            a->title_start = s;
            a->title_end = le;
            break;
        }
        i = e < len ? e + 1 : len;
    }
    if (a->title_end == 0)
        return QW_ERR_EMPTY;
    if (!a->title && !(a->title = make_title(t, a->title_start, a->title_end)))
        return QW_ERR_NOMEM;

    a->body_start = len;
    for (i = line_end(t, len, a->title_start); i < len;) {
        while (i < len && is_space(t[i]))
            i++;
        if (i < len)
            a->body_start = i;
        break;
    }
    if (a->body_start >= len)
        return QW_OK;

    e = line_end(t, len, a->body_start);
    if (e > a->body_start && t[e - 1] == '\r')
        e--;
    if (a->dateline || !match_dateline(t, a->body_start, e, &dl))
        return QW_OK;
    s = a->body_start;
    size_t de = dl.end;
    trim(t, &s, &de);
    if (!(a->dateline = dup_range(t, s, de)))
        return QW_ERR_NOMEM;
    if (!a->published && dl.y && !(a->published = format_date(dl.y, dl.m, dl.d)))
        return QW_ERR_NOMEM;
    if (!dl.y && dl.m && dl.d) {
        a->dl_month = dl.m;
        a->dl_day = dl.d;
    }
    if (!a->source && dl.agency_end && !(a->source = dup_range(t, dl.agency_start, dl.agency_end)))
        return QW_ERR_NOMEM;
    return QW_OK;
}

qw_status ingest_parse(const char *text, size_t len, struct article *a, char *err)
{
    size_t start, end, te = 0, cs = 0, ce = 0;
    qw_status st;

    memset(a, 0, sizeof *a);
    if (err)
        err[0] = '\0';
    if (!text || len == 0) {
        set_err(err, "no text");
        return QW_ERR_EMPTY;
    }
    st = parse_front_matter(text, len, a, &start, err);
    if (st != QW_OK)
        goto fail;
    if (start > 0) /* the blank lines after front matter are no part of it */
        while (start < len && is_space(text[start]))
            start++;

    /* The first non-empty line: junk trimming stops there. */
    for (size_t i = start; i < len;) {
        size_t le = line_end(text, len, i), s = i, e = le;
        trim(text, &s, &e);
        if (s < e) {
            te = e;
            break;
        }
        i = le < len ? le + 1 : len;
    }
    if (te == 0) {
        set_err(err, "no text");
        st = QW_ERR_EMPTY;
        goto fail;
    }

    end = len;
    for (;;) {
        while (end > te && is_space(text[end - 1]))
            end--;
        size_t ls = end;
        while (ls > te && text[ls - 1] != '\n')
            ls--;
        if (ls <= te)
            break;
        size_t s = ls, e = end;
        trim(text, &s, &e);
        if (!is_junk(text, s, e, &cs, &ce))
            break;
        if (ce > cs) {
            free(a->image_credit);
            if (!(a->image_credit = dup_range(text, cs, ce))) {
                st = QW_ERR_NOMEM;
                goto fail;
            }
        }
        cs = ce = 0;
        end = ls;
    }
    if (end < te)
        end = te;

    a->text_offset = start;
    a->len = end - start;
    if (!(a->text = dup_range(text, start, end))) {
        st = QW_ERR_NOMEM;
        goto fail;
    }
    st = parse_body(a);
    if (st != QW_OK)
        goto fail;
    if (!a->source && a->image_credit && !(a->source = strdup(a->image_credit))) {
        st = QW_ERR_NOMEM;
        goto fail;
    }
    return QW_OK;

fail:
    if (err && !err[0])
        snprintf(err, QW_ERRLEN, "%s", qw_status_str(st));
    article_free(a);
    return st;
}

static qw_status copy_opt(char **dst, const char *s, const char *name, char *err)
{
    if (!s)
        return QW_OK;
    size_t n = strlen(s), b = 0, e = n;
    trim(s, &b, &e);
    if (!utf8_valid(s, n)) {
        if (err)
            snprintf(err, QW_ERRLEN, "%s is not valid UTF-8", name);
        return QW_ERR_INVALID;
    }
    if (b == e)
        return QW_OK;
    return (*dst = dup_range(s, b, e)) ? QW_OK : QW_ERR_NOMEM;
}

int ingest_valid_label(const char *s, size_t n)
{
    if (n == 0 || n > INGEST_LABEL_MAX || !utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

qw_status ingest_from_fields(const char *title, const char *body, const char *dateline,
                             const char *published, const char *source, const char *section,
                             const char *url, const char *author, struct article *a, char *err)
{
    qw_status st;
    size_t tl, bl, s, e;
    int y, m, d;

    memset(a, 0, sizeof *a);
    if (err)
        err[0] = '\0';
    if (!title || !body) {
        set_err(err, title ? "body is required" : "title is required");
        return QW_ERR_INVALID;
    }
    tl = strlen(title);
    bl = strlen(body);
    if (!utf8_valid(title, tl) || !utf8_valid(body, bl)) {
        set_err(err, utf8_valid(title, tl) ? "body is not valid UTF-8" : "title is not valid UTF-8");
        return QW_ERR_INVALID;
    }
    s = 0, e = tl;
    trim(title, &s, &e);
    if (s == e || memchr(title + s, '\n', e - s)) {
        set_err(err, s == e ? "title is empty" : "title must be one line");
        return QW_ERR_INVALID;
    }
    size_t bs = 0, be = bl;
    trim(body, &bs, &be);
    if (bs == be) {
        set_err(err, "body is empty");
        return QW_ERR_INVALID;
    }
    if (published) {
        size_t pl = strlen(published);
        if (match_iso_date(published, 0, pl, &y, &m, &d) != 10 || pl != 10) {
            set_err(err, "published is not a YYYY-MM-DD date");
            return QW_ERR_INVALID;
        }
    }
    if (tl > ((size_t)-1) / 2 - bl) {
        st = QW_ERR_TOO_LARGE;
        goto fail;
    }
    a->len = tl + 2 + bl;
    if (!(a->text = malloc(a->len + 1))) {
        st = QW_ERR_NOMEM;
        goto fail;
    }
    memcpy(a->text, title, tl);
    memcpy(a->text + tl, "\n\n", 2);
    memcpy(a->text + tl + 2, body, bl);
    a->text[a->len] = '\0';
    if ((st = copy_opt(&a->dateline, dateline, "dateline", err)) != QW_OK ||
        (st = copy_opt(&a->published, published, "published", err)) != QW_OK ||
        (st = copy_opt(&a->source, source, "source", err)) != QW_OK ||
        (st = copy_opt(&a->section, section, "section", err)) != QW_OK ||
        (st = copy_opt(&a->url, url, "url", err)) != QW_OK ||
        (st = copy_opt(&a->author, author, "author", err)) != QW_OK)
        goto fail;
    a->source_given = a->source != NULL;
    /* a source or section is a label to filter and group on, not text */
    if (a->source && !ingest_valid_label(a->source, strlen(a->source))) {
        set_err(err, "source is longer than 200 bytes or holds control characters");
        st = QW_ERR_INVALID;
        goto fail;
    }
    if (a->section && !ingest_valid_label(a->section, strlen(a->section))) {
        set_err(err, "section is longer than 200 bytes or holds control characters");
        st = QW_ERR_INVALID;
        goto fail;
    }
    if (!(a->title = dup_range(title, s, e))) {
        st = QW_ERR_NOMEM;
        goto fail;
    }
    /* headline and, when none was given, the dateline from the body */
    st = parse_body(a);
    if (st != QW_OK)
        goto fail;
    return QW_OK;

fail:
    if (err && !err[0])
        snprintf(err, QW_ERRLEN, "%s", qw_status_str(st));
    article_free(a);
    return st;
}
