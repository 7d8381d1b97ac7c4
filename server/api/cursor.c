/* Cursor layout before base64url: version, list, sort, flags, id (8 bytes
 * big-endian), key (int/real: 8 bytes; text: 2-byte length + bytes), then
 * a 4-byte check.  The check is FNV-1a over a fixed salt and the payload:
 * not a secret MAC, but enough that edited or made-up cursors are
 * refused with a 400 instead of producing odd pages. */
#include "cursor.h"

#include <string.h>

#define CURSOR_VERSION 1
#define RAW_MAX (4 + 8 + 2 + CURSOR_MAX_TEXT + 4)

static const char salt[] = "quotewire-cursor-v1:5b1f0c9e";

static uint32_t check(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof salt - 1; i++) {
        h ^= (unsigned char)salt[i];
        h *= 1099511628211ull;
    }
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

enum cursor_key cursor_key_of(enum cursor_sort s)
{
    switch (s) {
    case SORT_PUBLISHED:
    case SORT_PUBLISHED_DESC:
    case SORT_NAME:
    case SORT_NAME_DESC: return CKEY_TEXT;
    case SORT_RANK: return CKEY_REAL;
    case SORT_QUOTES:
    case SORT_QUOTES_DESC:
    case SORT_ARTICLES:
    case SORT_ARTICLES_DESC:
    case SORT_START:
    case SORT_FIRST: return CKEY_INT;
    case SORT_ID:
    case SORT_ID_DESC: return CKEY_NONE;
    }
    return CKEY_NONE;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int cursor_encode(const struct cursor *c, struct strbuf *sb)
{
    unsigned char raw[RAW_MAX];
    size_t n = 0;
    raw[n++] = CURSOR_VERSION;
    raw[n++] = (unsigned char)c->list;
    raw[n++] = (unsigned char)c->sort;
    raw[n++] = c->key_null ? 1 : 0;
    put64(raw + n, (uint64_t)c->id);
    n += 8;
    switch (cursor_key_of(c->sort)) {
    case CKEY_INT:
        put64(raw + n, (uint64_t)c->ikey);
        n += 8;
        break;
    case CKEY_REAL: {
        uint64_t bits;
        memcpy(&bits, &c->dkey, sizeof bits);
        put64(raw + n, bits);
        n += 8;
        break;
    }
    case CKEY_TEXT:
        if (c->key_null)
            break;
        if (c->skey_len > CURSOR_MAX_TEXT)
            return -1;
        raw[n++] = (unsigned char)(c->skey_len >> 8);
        raw[n++] = (unsigned char)(c->skey_len & 0xff);
        memcpy(raw + n, c->skey, c->skey_len);
        n += c->skey_len;
        break;
    case CKEY_NONE: break;
    }
    uint32_t ck = check(raw, n);
    raw[n++] = (unsigned char)(ck >> 24);
    raw[n++] = (unsigned char)(ck >> 16);
    raw[n++] = (unsigned char)(ck >> 8);
    raw[n++] = (unsigned char)ck;

    if (strbuf_reserve(sb, (n + 2) / 3 * 4 + 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        size_t k = n - i;
        if (k > 1)
            v |= (uint32_t)raw[i + 1] << 8;
        if (k > 2)
            v |= raw[i + 2];
        strbuf_putc(sb, b64[(v >> 18) & 63]);
        strbuf_putc(sb, b64[(v >> 12) & 63]);
        if (k > 1)
            strbuf_putc(sb, b64[(v >> 6) & 63]);
        if (k > 2)
            strbuf_putc(sb, b64[v & 63]);
    }
    return 0;
}

static int b64val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '-')
        return 62;
    if (ch == '_')
        return 63;
    return -1;
}

int cursor_decode(const char *s, size_t len, enum cursor_list list, enum cursor_sort sort,
                  struct cursor *c)
{
    unsigned char raw[RAW_MAX];
    size_t n = 0;
    if (len == 0 || len > (RAW_MAX / 3) * 4 || len % 4 == 1)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= RAW_MAX)
                return -1;
            raw[n++] = (unsigned char)(acc >> bits);
        }
    }
    /* leftover bits must be zero, so each cursor has one spelling */
    if (acc & ((1u << bits) - 1))
        return -1;
    if (n < 4 + 8 + 4)
        return -1;
    size_t body = n - 4;
    uint32_t ck = ((uint32_t)raw[body] << 24) | ((uint32_t)raw[body + 1] << 16) |
                  ((uint32_t)raw[body + 2] << 8) | raw[body + 3];
    if (ck != check(raw, body))
        return -1;
    if (raw[0] != CURSOR_VERSION || raw[1] != (unsigned char)list ||
        raw[2] != (unsigned char)sort || raw[3] > 1)
        return -1;
    memset(c, 0, offsetof(struct cursor, skey));
    c->skey[0] = '\0';
    c->list = list;
    c->sort = sort;
    c->key_null = raw[3];
    c->id = (int64_t)get64(raw + 4);
    size_t p = 12;
    switch (cursor_key_of(sort)) {
    case CKEY_INT:
        if (body != p + 8 || c->key_null)
            return -1;
        c->ikey = (int64_t)get64(raw + p);
        break;
    case CKEY_REAL: {
        if (body != p + 8 || c->key_null)
            return -1;
        uint64_t b = get64(raw + p);
        memcpy(&c->dkey, &b, sizeof b);
        if (c->dkey != c->dkey) /* NaN */
            return -1;
        break;
    }
    case CKEY_TEXT:
        if (c->key_null) {
            if (body != p || sort == SORT_NAME || sort == SORT_NAME_DESC)
                return -1;
            break;
        }
        if (body < p + 2)
            return -1;
        c->skey_len = ((size_t)raw[p] << 8) | raw[p + 1];
        if (c->skey_len > CURSOR_MAX_TEXT || body != p + 2 + c->skey_len)
            return -1;
        memcpy(c->skey, raw + p + 2, c->skey_len);
        c->skey[c->skey_len] = '\0';
        break;
    case CKEY_NONE:
        if (body != p || c->key_null)
            return -1;
        break;
    }
    return 0;
}
