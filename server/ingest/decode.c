/* Bytes -> UTF-8: BOM, Windows-1252 fallback, binary and empty detection. */
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "utf8.h"

/* Windows-1252 0x80..0x9F; the five undefined bytes become U+FFFD rather
 * than C1 controls, so transcoded text never carries invisible controls. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0xFFFD,
};

static int is_text_control(unsigned char c)
{
    return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* NUL anywhere, or more than 1 in 20 bytes a control character, is not
 * text.  Text files have tabs and newlines, nothing else below 0x20. */
static int looks_binary(const unsigned char *buf, size_t len)
{
    size_t ctrl = 0;
    if (memchr(buf, 0, len))
        return 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];
        if ((c < 0x20 && !is_text_control(c)) || c == 0x7F)
            ctrl++;
    }
    return ctrl > len / 20;
}

/* 1 if s[0..len) (valid UTF-8) has a character other than white space:
 * ASCII spaces, NBSP (U+00A0) and the BOM/zero-width no-break space. */
static int has_visible(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || is_text_control(c)) {
            i++;
        } else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
            i += 2;
        } else if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBB &&
                   (unsigned char)s[i + 2] == 0xBF) {
            i += 3;
        } else {
            return 1;
        }
    }
    return 0;
}

static qw_status transcode_cp1252(const unsigned char *buf, size_t len, char **out,
                                  size_t *out_len)
{
    /* Each byte becomes at most 3 bytes of UTF-8. */
    if (len > (((size_t)-1) - 1) / 3)
        return QW_ERR_TOO_LARGE;
    char *p = malloc(len * 3 + 1);
    if (!p)
        return QW_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];
        uint32_t cp = c;
        if (c < 0x80) {
            p[n++] = (char)c;
            continue;
        }
        if (c < 0xA0)
            cp = cp1252_high[c - 0x80];
        n += utf8_encode(cp, p + n);
    }
    p[n] = '\0';
    *out = p;
    *out_len = n;
    return QW_OK;
}

qw_status ingest_decode(const unsigned char *buf, size_t len, char **out, size_t *out_len,
                        int *transcoded)
{
    char *p = NULL;
    size_t n = 0;
    int tc = 0;
    qw_status st;

    *out = NULL;
    *out_len = 0;
    if (transcoded)
        *transcoded = 0;
    if (!buf || len == 0)
        return QW_ERR_EMPTY;
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
        buf += 3;
        len -= 3;
    }
    if (looks_binary(buf, len))
        return QW_ERR_BINARY;

    if (utf8_valid((const char *)buf, len)) {
        p = malloc(len + 1);
        if (!p)
            return QW_ERR_NOMEM;
        if (len)
            memcpy(p, buf, len);
        p[len] = '\0';
        n = len;
    } else {
        st = transcode_cp1252(buf, len, &p, &n);
        if (st != QW_OK)
            return st;
        tc = 1;
    }
    if (!has_visible(p, n)) {
        free(p);
        return QW_ERR_EMPTY;
    }
    *out = p;
    *out_len = n;
    if (transcoded)
        *transcoded = tc;
    return QW_OK;
}
