#ifndef QUOTEWIRE_FRAMING_H
#define QUOTEWIRE_FRAMING_H

#include <stddef.h>

/* What quotewire checks and parses of a request itself instead of leaving
 * it to libmicrohttpd 0.9.75, which passes these on (server/http/framing.c):
 * headers whose framing a proxy could read differently (request
 * smuggling), and the query string, which the library would keep in its
 * fixed per-connection pool and, with a few hundred parameters, never
 * answer. */

struct MHD_Connection;
struct api_request;

/* NULL when the request's headers frame it unambiguously; else why not,
 * as a problem's detail, with *status 400 (duplicate Content-Length or
 * Host, Content-Length with Transfer-Encoding, a header name with
 * whitespace or a separator, a control byte in a value, Transfer-Encoding
 * in HTTP/1.0) or 501 (a transfer coding other than chunked). */
const char *http_framing_check(struct MHD_Connection *conn, const char *version, int *status);

/* The query string q (the request's own copy, changed in place) into r's
 * parameters: "k=v" pairs split on '&', empty pairs skipped, "k" alone
 * has a NULL value, both sides percent-decoded; past API_MAX_PARAMS,
 * r->too_many_params. */
void http_parse_query(char *q, struct api_request *r);

/* Percent-decodes s in place ("+" is a space; "%00" becomes 0xFF, never a
 * NUL that would cut the string); returns the new length. */
size_t http_unescape(char *s);

/* The value of a hex digit, or -1. */
int http_hexval(char c);

#endif
