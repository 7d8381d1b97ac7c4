#ifndef QUOTEWIRE_API_H
#define QUOTEWIRE_API_H

#include <stddef.h>
#include <stdint.h>

#include "qw.h"

/* The API: a parsed request in, a response out.  No MHD types here, so the
 * handlers run in unit tests without sockets.  server/http/ turns MHD's
 * view of a request into a struct api_request and a struct api_response
 * into an MHD response (adding ETag, gzip and CORS). */

enum api_method { API_GET, API_HEAD, API_POST, API_DELETE, API_OPTIONS, API_PUT, API_PATCH,
                  API_OTHER, API_NMETHODS };

#define API_MAX_PARAMS 32

/* One query parameter as MHD decoded it: neither is NUL-terminated for
 * sure and either may hold NUL bytes, so lengths travel with them.  val is
 * NULL for "?key" without "=". */
struct api_param {
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
};

/* Everything is borrowed from the caller for the duration of api_handle. */
struct api_request {
    enum api_method method;
    const char *path;          /* decoded path, NUL-terminated */
    struct api_param params[API_MAX_PARAMS];
    size_t nparams;
    int too_many_params;       /* more than API_MAX_PARAMS were sent */
    const char *content_type;  /* header values or NULL */
    const char *accept;
    const char *authorization;
    const char *body;          /* request body (NULL if none) */
    size_t body_len;
    int body_too_large;        /* the body passed max_body: answer 413 */
    int host_refused;          /* 1: Host not allowed (421); 2: HTTP/1.1 with no Host (400) */
    const char *framing;       /* static: why the message framing is refused (a
                                  duplicate Content-Length, ...), or NULL */
    int framing_status;        /* with framing: 400, or 501 for a transfer coding
                                  other than chunked */
    int rate_wait;             /* > 0: the client's address is over its request
                                  rate; 429 with this Retry-After */
};

/* A response body made while it is sent (a whole list as CSV or NDJSON,
 * limit=all): the HTTP layer pulls it with api_stream_read from the thread
 * that ran api_handle, and frees it with api_stream_free. */
struct api_stream;

/* Filled by api_handle; release with api_response_free. */
struct api_response {
    int status;
    const char *content_type;  /* static string */
    char *body;                /* owned (free()) unless body_static */
    size_t len;
    int body_static;           /* body points to static storage */
    const char *allow;         /* static: Allow header (405, OPTIONS) */
    char *link;                /* owned: Link header value, or NULL */
    char location[48];         /* Location header, "" if none */
    int retry_after;           /* seconds, 0: no Retry-After */
    int www_authenticate;      /* 1: WWW-Authenticate: Bearer realm=... */
    int cacheable;             /* 1: a GET 200 that gets an ETag */
    int vary_accept;           /* 1: the body depends on Accept (lists) */
    int no_store;              /* 1: gets ETag and gzip, but its body changes without
                                  the database changing (/metrics): never cached */
    char filename[64];         /* "": no Content-Disposition; else attachment's name */
    const char *csp;           /* static: Content-Security-Policy of an explorer file, or
                                  NULL; X-Content-Type-Options: nosniff and
                                  Referrer-Policy: same-origin go with it */
    struct api_stream *stream; /* owned: body to stream instead of body/len, or NULL */
    int close;                 /* 1: close the connection after this answer (the
                                  framing could not be trusted) */
};

/* One API key and the name the audit trail records its writes under. */
struct api_key {
    const char *name;
    const char *key;
};

struct api_config {
    const char *db_path;
    const struct api_key *api_keys; /* none: writes refused unless below */
    size_t napi_keys;
    const char *api_key;       /* one more key, named "default" (NULL: none) */
    int anonymous_writes;      /* 1: with no key, anyone may write (as "anonymous") */
    int read_only;             /* 1: serve a file this process never writes (a replica):
                                  no writer, writes get 403, SQLITE_OPEN_READONLY, and a
                                  file replaced underneath is read again */
    unsigned query_ms;         /* per-request query deadline, 0: none */
    size_t max_body;
};

struct api;

/* Opens the read-write connection (writes go through it, one at a time)
 * and prepares the store.  Read connections are opened lazily, one per
 * calling thread.  extract_init() must have been called.  *out is freed
 * with api_free, after every thread stopped calling api_handle. */
qw_status api_new(const struct api_config *cfg, struct api **out, char *err);
void api_free(struct api *a); /* accepts NULL */

/* Handles one request.  Never fails: errors become problem+json
 * responses.  *res is overwritten; the caller releases it. */
void api_handle(struct api *a, const struct api_request *req, struct api_response *res);

void api_response_free(struct api_response *res); /* accepts NULL; frees res->stream */

/* The next bytes of a streamed body, at most max, into buf.  Returns the
 * number written (> 0), 0 at the end, or -1 when the body cannot go on (a
 * query failed or ran out of time: logged); the response must then end
 * without its closing chunk, so that the client sees it is cut short.
 * Each call that needs rows reads one page of them under the request
 * deadline, so one export never holds a worker thread for long. */
long api_stream_read(struct api_stream *s, char *buf, size_t max);
void api_stream_free(struct api_stream *s); /* accepts NULL */

/* The database's PRAGMA data_version as seen by the calling thread's read
 * connection: it changes whenever anything commits (POST/DELETE here, a
 * loader in another process), so the HTTP layer can cache rendered GET
 * responses and know exactly when they go stale. */
qw_status api_data_version(struct api *a, int64_t *out);

/* A GET's read snapshot on the calling thread's read connection
 * (qconn_begin): what the response cache's version check and the
 * handler's queries read is one version of the database.  api_read_end
 * closes it before the thread goes back to its other connections; a
 * streamed export reads its later pages outside it. */
void api_read_begin(struct api *a);
void api_read_end(struct api *a);

/* "GET", "POST", ... -> enum (API_OTHER if unknown). */
enum api_method api_method_parse(const char *m);
const char *api_method_name(enum api_method m);

/* Request metrics, recorded by the HTTP layer and rendered by /metrics:
 * counts by route template (path is the decoded request path; it is
 * matched to "/articles/{id}" and the like, "other" when no route
 * matches), method and status, and a latency histogram by route.  For a
 * streamed body, seconds is the time until the response was queued.
 * Thread-safe (atomics). */
void api_metrics_record(enum api_method m, const char *path, int status, double seconds);

/* Counts a connection closed at the header deadline (body 0) or the body
 * deadline (1), for /metrics.  Thread-safe. */
void api_metrics_connection_cut(int body);

#endif
