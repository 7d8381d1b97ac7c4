#ifndef QUOTEWIRE_RESPONSE_H
#define QUOTEWIRE_RESPONSE_H

#include <stddef.h>

/* Response helpers for the HTTP layer that need no MHD types: entity
 * tags, If-None-Match matching, Accept-Encoding and gzip. */

#define RESP_ETAG_LEN 20 /* "\"" + 16 hex + optional "-gz" ... see resp_etag */
#define RESP_GZIP_MIN 1024

/* Writes a strong entity tag for body[0..len) into out (at least 24
 * bytes): a quoted 64-bit hash, with "-gz" before the closing quote when
 * gz is 1 (the gzip-encoded representation is a different entity). */
void resp_etag(const char *body, size_t len, int gz, char out[24]);

/* 1 if the If-None-Match header value matches etag (either encoding of
 * it, or "*"); W/ prefixes are compared weakly, as RFC 9110 asks. */
int resp_etag_match(const char *if_none_match, const char *etag);

/* 1 if Accept-Encoding allows gzip (q > 0). */
int resp_accepts_gzip(const char *accept_encoding);

/* Compresses in[0..len) as gzip.  On 0 *out is a malloc'd buffer the
 * caller frees, *out_len its size; -1 on failure or when the result would
 * not be smaller. */
int resp_gzip(const char *in, size_t len, char **out, size_t *out_len);

#endif
