/* What quotewire checks and parses of a request itself rather than
 * leaving to libmicrohttpd (framing.h). */
#include "framing.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "api.h"

int http_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t http_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '+') {
            *w++ = ' ';
        } else if (*r == '%' && http_hexval(r[1]) >= 0 && http_hexval(r[2]) >= 0) {
            int v = http_hexval(r[1]) * 16 + http_hexval(r[2]);
            *w++ = (char)(v == 0 ? 0xFF : v);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* The query string (the request's own copy, changed in place) into the
 * request's parameters: "k=v" pairs split on '&', empty pairs skipped,
 * "k" alone has a NULL value, both sides percent-decoded. */
void http_parse_query(char *q, struct api_request *r)
{
    while (q && *q) {
        char *amp = strchr(q, '&');
        if (amp)
            *amp = '\0';
        if (*q) {
            if (r->nparams == API_MAX_PARAMS) {
                r->too_many_params = 1;
                return;
            }
            struct api_param *p = &r->params[r->nparams++];
            char *eq = strchr(q, '=');
            if (eq)
                *eq = '\0';
            p->key = q;
            p->klen = http_unescape(q);
            p->val = eq ? eq + 1 : NULL;
            p->vlen = eq ? http_unescape(eq + 1) : 0;
        }
        q = amp ? amp + 1 : NULL;
    }
}

/* What the request's headers say about its framing that a proxy in front
 * could read differently (request smuggling), as the detail of a 400 (or
 * 501 in *status), or NULL when nothing is wrong.  libmicrohttpd 0.9.75
 * passes these on to the handler instead of refusing them. */
struct framing {
    const char *why;
    int status;
    int content_length, host, transfer_encoding;
};

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct framing *f = cls;
    if (!key || !key_size) {
        f->why = "A header has an empty name.";
        return MHD_NO;
    }
    for (size_t i = 0; i < key_size; i++)
        if (!is_tchar((unsigned char)key[i])) {
            f->why = "A header name holds a space, a control byte or a separator "
                     "(no whitespace is allowed before the colon).";
            return MHD_NO;
        }
    for (size_t i = 0; value && i < value_size; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < ' ' && c != '\t') || c == 0x7F) {
            f->why = "A header value holds a NUL, CR, LF or other control byte.";
            return MHD_NO;
        }
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (++f->content_length > 1) {
            f->why = "More than one Content-Length header.";
            return MHD_NO;
        }
        size_t i = 0;
        while (value && i < value_size && value[i] >= '0' && value[i] <= '9')
            i++;
        if (!value || i == 0 || i != value_size || i > 18) {
            f->why = "Content-Length is not a decimal number of bytes.";
            return MHD_NO;
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        if (++f->host > 1) {
            f->why = "More than one Host header.";
            return MHD_NO;
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (++f->transfer_encoding > 1 || !value || strcasecmp(value, "chunked") != 0) {
            f->why = "Only 'Transfer-Encoding: chunked' is supported.";
            f->status = 501;
            return MHD_NO;
        }
    }
    if (f->content_length && f->transfer_encoding) {
        f->why = "Content-Length and Transfer-Encoding together.";
        f->status = 400;
        return MHD_NO;
    }
    return MHD_YES;
}

const char *http_framing_check(struct MHD_Connection *conn, const char *version, int *status)
{
    struct framing f = {NULL, 400, 0, 0, 0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, framing_header, &f);
    if (!f.why && f.transfer_encoding && version && strcmp(version, MHD_HTTP_VERSION_1_0) == 0)
        f.why = "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 6.1).";
    *status = f.status;
    return f.why;
}
