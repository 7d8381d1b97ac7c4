/* Entity tags, conditional requests and gzip: the parts of response
 * building that do not need libmicrohttpd. */
#include "response.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* 64-bit hash, 8 bytes a step: fast enough to run on every response. */
static uint64_t body_hash(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    for (size_t k = 0; i < n; i++, k++)
        w |= (uint64_t)(unsigned char)p[i] << (8 * k);
    h ^= w;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

void resp_etag(const char *body, size_t len, int gz, char out[24])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h = body_hash(body ? body : "", len);
    size_t o = 0;
    out[o++] = '"';
    for (int i = 15; i >= 0; i--)
        out[o++] = hex[(h >> (4 * i)) & 15];
    if (gz) {
        out[o++] = '-';
        out[o++] = 'g';
        out[o++] = 'z';
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* The hash inside a tag: between the opening quote and "-gz" or the
 * closing quote.  t[0..n) must be a quoted tag. */
static int tag_core(const char *t, size_t n, const char **core, size_t *cn)
{
    if (n >= 2 && t[0] == 'W' && t[1] == '/') {
        t += 2;
        n -= 2;
    }
    if (n < 2 || t[0] != '"' || t[n - 1] != '"')
        return -1;
    *core = t + 1;
    *cn = n - 2;
    if (*cn >= 3 && memcmp(*core + *cn - 3, "-gz", 3) == 0)
        *cn -= 3;
    return 0;
}

/* Weak comparison (RFC 9110 13.1.2): same content in any encoding. */
static int tag_eq(const char *t, size_t n, const char *etag)
{
    const char *a, *b;
    size_t an, bn;
    if (tag_core(t, n, &a, &an) != 0 || tag_core(etag, strlen(etag), &b, &bn) != 0)
        return 0;
    return an == bn && memcmp(a, b, an) == 0;
}

int resp_etag_match(const char *inm, const char *etag)
{
    if (!inm)
        return 0;
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '*')
            return 1;
        const char *start = p;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return 0;
        p++;
        while (*p && *p != '"')
            p++;
        if (*p != '"')
            return 0;
        p++;
        if (tag_eq(start, (size_t)(p - start), etag))
            return 1;
    }
    return 0;
}

int resp_accepts_gzip(const char *ae)
{
    if (!ae)
        return 0;
    const char *p = ae;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",;");
        size_t tn = n;
        while (tn && (p[tn - 1] == ' ' || p[tn - 1] == '\t'))
            tn--;
        int is_gzip = (tn == 4 && strncasecmp(p, "gzip", 4) == 0) ||
                      (tn == 6 && strncasecmp(p, "x-gzip", 6) == 0) ||
                      (tn == 1 && p[0] == '*');
        const char *q = p + n;
        int zero = 0;
        while (*q == ';') {
            q++;
            while (*q == ' ')
                q++;
            if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
                zero = strtod(q + 2, NULL) <= 0.0;
            }
            q += strcspn(q, ",;");
        }
        if (is_gzip && !zero)
            return 1;
        p = q;
    }
    return 0;
}

int resp_gzip(const char *in, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len > (size_t)UINT32_MAX)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* level 1: on small JSON bodies it gets most of the gain for a fraction of
     * the time of level 6, and the server is benchmarked for throughput */
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)len);
    char *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || n >= len) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}
