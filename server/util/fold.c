/* Name folding with ICU: see include/fold.h for what folds to what. */
#include "fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* Longer input is no name: refuse rather than size ICU buffers near
 * int32_t's limit. */
#define FOLD_MAX (1u << 24)

static int ascii_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The same result as the ICU path for ASCII: NFKC_Casefold lower-cases
 * A-Z and leaves every other ASCII character alone; these six are
 * ASCII's White_Space characters. */
static qw_status fold_ascii(const char *s, size_t n, char **out, size_t *outlen)
{
    char *k = malloc(n + 1);
    if (!k)
        return QW_ERR_NOMEM;
    size_t j = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ascii_space(c)) {
            space = 1;
            continue;
        }
        if (space && j)
            k[j++] = ' ';
        space = 0;
        k[j++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    k[j] = '\0';
    *out = k;
    if (outlen)
        *outlen = j;
    return QW_OK;
}

/* src normalized by nz into a new buffer (the caller frees it), its length
 * in *outn; NULL on failure. */
static UChar *normalize(const UNormalizer2 *nz, const UChar *src, int32_t n, int32_t *outn)
{
    int32_t cap = n + 16;
    for (int attempt = 0; attempt < 2; attempt++) {
        UChar *d = malloc((size_t)cap * sizeof *d);
        if (!d)
            return NULL;
        UErrorCode e = U_ZERO_ERROR;
        int32_t len = unorm2_normalize(nz, src, n, d, cap, &e);
        if (U_SUCCESS(e)) {
            *outn = len;
            return d;
        }
        free(d);
        if (e != U_BUFFER_OVERFLOW_ERROR || len < 0 || len >= INT32_MAX - 1)
            return NULL;
        cap = len + 1;
    }
    return NULL;
}

/* The accents step 2 removes: marks of the Combining Diacritical Marks
 * blocks, not every nonspacing mark (Devanagari's vowel signs are Mn). */
static int diacritic(UChar32 c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

static UChar32 punct(UChar32 c)
{
    switch (c) {
    case 0x2018:
    case 0x2019:
    case 0x02BC: return '\'';
    case 0x2010:
    case 0x2011: return '-';
    default: return c;
    }
}

/* Step 2's removal and step 3 on s[0..n), in place; returns the new length. */
static int32_t strip(UChar *s, int32_t n)
{
    int32_t i = 0, j = 0;
    int space = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (diacritic(c))
            continue;
        if (u_isUWhiteSpace(c)) {
            space = 1;
            continue;
        }
        if (space && j)
            s[j++] = ' ';
        space = 0;
        c = punct(c);
        /* never longer than what was read: j <= i */
        U16_APPEND_UNSAFE(s, j, c);
    }
    return j;
}

qw_status fold_key(const char *s, size_t n, char **out, size_t *outlen)
{
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (n > FOLD_MAX)
        return QW_ERR_NOMEM;
    size_t a = 0;
    while (a < n && (unsigned char)s[a] < 0x80)
        a++;
    if (a == n)
        return fold_ascii(s, n, out, outlen);

    qw_status st = QW_ERR_NOMEM;
    UErrorCode e = U_ZERO_ERROR;
    UChar *u16 = NULL, *cf = NULL, *nfd = NULL, *nfc = NULL;
    char *res = NULL;
    const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
    const UNormalizer2 *d = unorm2_getNFDInstance(&e);
    const UNormalizer2 *c = unorm2_getNFCInstance(&e);
    if (U_FAILURE(e))
        goto out;
    /* UTF-16 never needs more units than UTF-8 has bytes */
    u16 = malloc((n + 1) * sizeof *u16);
    if (!u16)
        goto out;
    int32_t len = 0;
    u_strFromUTF8WithSub(u16, (int32_t)n + 1, &len, s, (int32_t)n, 0xFFFD, NULL, &e);
    if (U_FAILURE(e))
        goto out;
    int32_t cflen, dlen, clen;
    if (!(cf = normalize(nfkc_cf, u16, len, &cflen)) || !(nfd = normalize(d, cf, cflen, &dlen)))
        goto out;
    dlen = strip(nfd, dlen);
    if (!(nfc = normalize(c, nfd, dlen, &clen)))
        goto out;
    int32_t blen = 0;
    e = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, nfc, clen, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        goto out;
    res = malloc((size_t)blen + 1);
    if (!res)
        goto out;
    e = U_ZERO_ERROR;
    u_strToUTF8(res, blen + 1, &blen, nfc, clen, &e);
    if (U_FAILURE(e)) {
        free(res);
        res = NULL;
        goto out;
    }
    res[blen] = '\0';
    *out = res;
    if (outlen)
        *outlen = (size_t)blen;
    st = QW_OK;
out:
    free(u16);
    free(cf);
    free(nfd);
    free(nfc);
    return st;
}
