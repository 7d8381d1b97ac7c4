#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strbuf_reserve(struct strbuf *sb, size_t extra)
{
    if (extra > SIZE_MAX - 1 - sb->len)
        return -1;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(sb->p, cap);
    if (!p)
        return -1;
    sb->p = p;
    sb->cap = cap;
    return 0;
}

int strbuf_append(struct strbuf *sb, const char *data, size_t n)
{
    if (strbuf_reserve(sb, n) != 0)
        return -1;
    if (n)
        memcpy(sb->p + sb->len, data, n);
    sb->len += n;
    sb->p[sb->len] = '\0';
    return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
    return strbuf_append(sb, s, strlen(s));
}

int strbuf_putc(struct strbuf *sb, char c)
{
    return strbuf_append(sb, &c, 1);
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return strbuf_append(sb, small, (size_t)n);
    if (strbuf_reserve(sb, (size_t)n) != 0)
        return -1;
    vsnprintf(sb->p + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->p)
        sb->p[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
    if (!sb)
        return;
    free(sb->p);
    sb->p = NULL;
    sb->len = sb->cap = 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *p = sb->p;
    if (!p)
        p = calloc(1, 1);
    if (len)
        *len = sb->len;
    sb->p = NULL;
    sb->len = sb->cap = 0;
    return p;
}
