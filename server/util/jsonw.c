/* JSON text written straight into a buffer, in Jansson's compact form. */
#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Bytes that are copied as they are: printable ASCII but '"' and '\\'. */
static int plain(unsigned char ch)
{
    return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\';
}

int jsonw_str(struct strbuf *sb, const char *s, size_t n)
{
    /* the common case, plain text, costs one reservation and a copy */
    if (n > SIZE_MAX / 2 || strbuf_reserve(sb, n + 2) != 0)
        return -1;
    sb->p[sb->len++] = '"';
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && plain((unsigned char)s[run]))
            run++;
        if (run > i) {
            if (strbuf_append(sb, s + i, run - i) != 0)
                return -1;
            i = run;
            if (i == n)
                break;
        }
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        size_t len;
        if (ch >= 0x80) {
            /* a whole UTF-8 sequence as it is, or U+FFFD for a bad byte */
            uint32_t cp = utf8_next(s, n, &i);
            len = utf8_encode(cp, esc);
            if (strbuf_append(sb, esc, len) != 0)
                return -1;
            continue;
        }
        switch (ch) {
        case '"': memcpy(esc, "\\\"", 2), len = 2; break;
        case '\\': memcpy(esc, "\\\\", 2), len = 2; break;
        case '\b': memcpy(esc, "\\b", 2), len = 2; break;
        case '\f': memcpy(esc, "\\f", 2), len = 2; break;
        case '\n': memcpy(esc, "\\n", 2), len = 2; break;
        case '\r': memcpy(esc, "\\r", 2), len = 2; break;
        case '\t': memcpy(esc, "\\t", 2), len = 2; break;
        default: len = (size_t)snprintf(esc, sizeof esc, "\\u%04X", ch); break;
        }
        if (strbuf_append(sb, esc, len) != 0)
            return -1;
        i++;
    }
    return strbuf_putc(sb, '"');
}

int jsonw_cstr(struct strbuf *sb, const char *s)
{
    return s ? jsonw_str(sb, s, strlen(s)) : jsonw_null(sb);
}

int jsonw_int(struct strbuf *sb, int64_t v)
{
    char buf[24];
    char *e = buf + sizeof buf, *p = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return strbuf_append(sb, p, (size_t)(e - p));
}

int jsonw_real(struct strbuf *sb, double v)
{
    if (!isfinite(v))
        return jsonw_null(sb);
    char buf[40];
    int n = snprintf(buf, sizeof buf - 2, "%.15g", v);
    if (n < 0 || (size_t)n >= sizeof buf - 2)
        return -1;
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *x = strchr(buf, 'e');
    if (x) {
        /* e+05 -> e5, e-05 -> e-5 */
        char *start = x + 1, *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(buf + n + 1 - end));
            n -= (int)(end - start);
        }
    }
    return strbuf_append(sb, buf, (size_t)n);
}

int jsonw_bool(struct strbuf *sb, int v)
{
    return v ? strbuf_append(sb, "true", 4) : strbuf_append(sb, "false", 5);
}

int jsonw_null(struct strbuf *sb)
{
    return strbuf_append(sb, "null", 4);
}
