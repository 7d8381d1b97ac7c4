/* The HTTP server: libmicrohttpd with its internal thread pool and epoll.
 * Only this file and its helpers in server/http/ (framing.c, what quotewire
 * checks of a request itself; guard.c, deadlines and the rate limit)
 * touch the library or sockets.  It accumulates
 * bodies (bounded), turns MHD's view of a request into a struct
 * api_request, and an api_response into an MHD response with ETag,
 * gzip and CORS headers. */
#include "http.h"

#include <microhttpd.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "extract.h"
#include "framing.h"
#include "guard.h"
#include "log.h"
#include "response.h"
#include "strbuf.h"

/* Largest over-limit body read (and dropped) to answer 413 cleanly. */
#define HTTP_DRAIN_MAX (64ull * 1024 * 1024)

/* Rendered GET responses are cached per worker thread, keyed by the raw
 * request target, Accept and whether gzip was accepted, and tagged with
 * the database's data_version: any commit (a POST here, a load from
 * another process) changes it, so a stale entry is never served.  A hit
 * queues the stored MHD response (reference counted) without touching
 * SQLite or Jansson: for repeated reads this serves like a static file. */
#define RC_SLOTS 1024
#define RC_MAX_BODY (256u * 1024u)
#define RC_MAX_BYTES (32u * 1024u * 1024u) /* per worker thread */
#define RC_MAX_KEY 2048

struct rc_entry {
    uint64_t hash;
    char *key;
    size_t klen;
    int64_t version;
    struct MHD_Response *resp; /* 200, all headers set; one reference is ours */
    char etag[24];
    const char *vary;          /* static, or NULL */
    size_t bytes;              /* body size, for the budget */
};

struct rcache {
    size_t bytes;              /* sum of the entries' bytes */
    struct rc_entry e[RC_SLOTS];
    struct rcache *next;
};

struct http_server {
    struct MHD_Daemon *daemon;
    unsigned gen;              /* tells this server's thread-local caches from older ones */
    pthread_mutex_t rc_lock;   /* guards caches */
    struct rcache *caches;
    struct api *api;
    struct guard *guard;
    size_t max_body;
    int no_cache;  /* --no-response-cache */
    int cors_any;  /* one of cors_origins is "*" */
    const char *const *cors_origins;
    size_t ncors_origins;
    const char *const *allowed_hosts;
    size_t nallowed_hosts;
    unsigned short port;
    int listen_fd;
    int own_fd; /* 1 while listen_fd is ours to close */
};

/* Allocated on the first call of the access handler, freed in
 * request_completed, so aborted requests do not leak. */
struct req_ctx {
    /* cache key of this GET, valid during the final access-handler call */
    const char *rc_key;
    size_t rc_klen;
    uint64_t rc_hash;
    int64_t rc_version;
    int rc_ok;
    char *uri;              /* raw request target, for the cache key: uri_buf or malloc'd */
    struct strbuf body;
    int too_large;
    int oom;
    int started;            /* the access handler has seen this request */
    int bad_target;         /* the request target holds a space or a control byte */
    char *query;            /* the raw query string (after '?'), malloc'd, or NULL */
    struct timespec start;
    char *path;             /* decoded path for routing: path_buf or malloc'd */
    char path_buf[128];
    char uri_buf[192];
};

void server_config_defaults(struct server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_path = "quotewire.db";
    cfg->host = "127.0.0.1";
    cfg->port = 8080;
    cfg->threads = 0;
    cfg->connection_limit = 4096;
    cfg->per_ip_limit = 1024;
    cfg->timeout_s = 30;
    cfg->header_timeout_s = 10;
    cfg->body_timeout_s = 60;
    cfg->max_body = 1024 * 1024;
    cfg->api_keys = NULL;
    cfg->napi_keys = 0;
    cfg->query_ms = 2000;
    cfg->no_response_cache = 0;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}


static const char cors_expose[] = "ETag, Link, Location, Content-Disposition";
static const char cors_headers[] = "Authorization, Content-Type, If-None-Match";

static struct guard_conn *guard_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static int add_header(struct MHD_Response *r, const char *k, const char *v)
{
    return MHD_add_response_header(r, k, v) == MHD_YES ? 0 : -1;
}

static atomic_uint server_generation;

static _Thread_local struct {
    struct http_server *s;
    unsigned gen;
    struct rcache *c;
} tl_rc;

static struct rcache *thread_cache(struct http_server *s)
{
    if (tl_rc.s == s && tl_rc.gen == s->gen && tl_rc.c)
        return tl_rc.c;
    struct rcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_lock(&s->rc_lock);
    c->next = s->caches;
    s->caches = c;
    pthread_mutex_unlock(&s->rc_lock);
    tl_rc.s = s;
    tl_rc.gen = s->gen;
    tl_rc.c = c;
    return c;
}

static void rc_clear(struct rcache *c, struct rc_entry *e)
{
    c->bytes -= e->bytes;
    if (e->resp)
        MHD_destroy_response(e->resp);
    free(e->key);
    memset(e, 0, sizeof *e);
}

static uint64_t key_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Keeps r (a 200 GET response) for later requests with the same key. */
static int rc_store(struct http_server *s, struct req_ctx *ctx, struct MHD_Response *r,
                    size_t bytes, const char *etag, const char *vary)
{
    struct rcache *c = thread_cache(s);
    if (!c)
        return -1;
    struct rc_entry *e = &c->e[ctx->rc_hash % RC_SLOTS];
    rc_clear(c, e);
    if (c->bytes + bytes > RC_MAX_BYTES)
        return -1;
    char *key = malloc(ctx->rc_klen);
    if (!key)
        return -1;
    memcpy(key, ctx->rc_key, ctx->rc_klen);
    e->hash = ctx->rc_hash;
    e->key = key;
    e->klen = ctx->rc_klen;
    e->version = ctx->rc_version;
    e->resp = r; /* the caller's reference becomes the cache's */
    snprintf(e->etag, sizeof e->etag, "%s", etag);
    e->vary = vary;
    e->bytes = bytes;
    c->bytes += bytes;
    return 0;
}

static int add_cors(struct MHD_Response *r, const char *origin);
static const char *cors_origin(const struct http_server *s, struct MHD_Connection *conn);

/* MHD_ContentReaderCallback of a streamed body (limit=all).  MHD calls it
 * on the connection's worker thread whenever the socket can take more,
 * and api_stream_read renders at most one page per call, so the thread
 * goes back to its other connections in between.  An error ends the
 * response without its last chunk: the client sees a truncated body. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    long n = api_stream_read(cls, buf, max);
    if (n > 0)
        return (ssize_t)n;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    api_stream_free(cls);
}

/* Block size MHD asks a streamed body for. */
#define HTTP_STREAM_BLOCK (64u * 1024u)

static enum MHD_Result respond(struct http_server *s, struct MHD_Connection *conn,
                               struct req_ctx *ctx, enum api_method method,
                               struct api_response *res)
{
    int status = res->status;
    char *body = res->body;
    size_t len = res->len;
    enum MHD_ResponseMemoryMode mode = res->body_static ? MHD_RESPMEM_PERSISTENT
                                                        : MHD_RESPMEM_MUST_FREE;
    char *gz = NULL;
    size_t gz_len = 0;
    char etag[24] = "";
    int vary = 0;
    if (status == 200 && res->cacheable && (method == API_GET || method == API_HEAD)) {
        vary = len >= RESP_GZIP_MIN;
        const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_ACCEPT_ENCODING);
        if (vary && resp_accepts_gzip(ae) && resp_gzip(body, len, &gz, &gz_len) != 0)
            gz = NULL;
        resp_etag(body, len, gz != NULL, etag);
        const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_IF_NONE_MATCH);
        if (inm && resp_etag_match(inm, etag)) {
            status = 304;
            free(gz);
            gz = NULL;
        }
    }
    struct MHD_Response *r;
    if (status == 304 || status == 204) {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else if (res->stream) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, stream_read,
                                              res->stream, stream_free);
        if (r)
            res->stream = NULL; /* MHD frees it with the response */
    } else if (gz) {
        r = MHD_create_response_from_buffer(gz_len, gz, MHD_RESPMEM_MUST_FREE);
        if (r)
            gz = NULL;
    } else {
        r = MHD_create_response_from_buffer(len, body ? body : (char *)"", body ? mode
                                            : MHD_RESPMEM_PERSISTENT);
        if (r && mode == MHD_RESPMEM_MUST_FREE)
            res->body = NULL; /* MHD owns it now */
    }
    free(gz);
    if (!r)
        return MHD_NO;
    int fail = 0;
    if (status != 204 && status != 304 && res->content_type)
        fail |= add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (etag[0])
        fail |= add_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (gz_len && status == 200)
        fail |= add_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    const char *vary_value = !(vary || res->vary_accept) ? NULL
                             : !res->vary_accept         ? "Accept-Encoding"
                             : vary                      ? "Accept, Accept-Encoding"
                                                         : "Accept";
    if (vary_value)
        fail |= add_header(r, MHD_HTTP_HEADER_VARY, vary_value);
    if (res->allow)
        fail |= add_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
    if (res->link && status == 200)
        fail |= add_header(r, MHD_HTTP_HEADER_LINK, res->link);
    if (res->location[0])
        fail |= add_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->filename[0] && status == 200) {
        char cd[96]; /* the name is [A-Za-z0-9_.-]: nothing to escape */
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", res->filename);
        fail |= add_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, cd);
    }
    if (res->csp && status != 304) {
        fail |= add_header(r, "Content-Security-Policy", res->csp);
        fail |= add_header(r, "Referrer-Policy", "same-origin");
    }
    /* every answer: no content sniffing; successful reads may be kept but
     * are revalidated with their ETag (the data changes with every load),
     * errors and metrics are not kept */
    fail |= add_header(r, "X-Content-Type-Options", "nosniff");
    fail |= add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                       (status == 200 || status == 304) && !res->no_store ? "no-cache" : "no-store");
    if (res->retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", res->retry_after);
        fail |= add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (res->close)
        fail |= add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (res->www_authenticate)
        fail |= add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"quotewire\"");
    const char *origin = cors_origin(s, conn);
    if (origin) {
        fail |= add_cors(r, origin);
        if (method == API_OPTIONS && status == 204) {
            fail |= add_header(r, "Access-Control-Allow-Methods", res->allow ? res->allow : "");
            fail |= add_header(r, "Access-Control-Allow-Headers", cors_headers);
            fail |= add_header(r, "Access-Control-Max-Age", "86400");
        }
    }
    enum MHD_Result ret = fail ? MHD_NO : MHD_queue_response(conn, (unsigned)status, r);
    if (ret == MHD_YES)
        guard_answered(s->guard, guard_of(conn));
    size_t bytes = gz_len ? gz_len : len;
    if (!(ret == MHD_YES && status == 200 && etag[0] && ctx->rc_ok && !res->no_store && !s->no_cache &&
          bytes <= RC_MAX_BODY &&
          rc_store(s, ctx, r, bytes, etag, vary_value) == 0))
        MHD_destroy_response(r);
    api_metrics_record(method, ctx->path, status, elapsed(&ctx->start));
    return ret;
}

/* The Access-Control-Allow-Origin to send, or NULL for no CORS grant:
 * "*" when --cors-origin '*' was given, else the request's Origin when it
 * is one of the --cors-origin values (such a request is never answered
 * from or stored in the response cache: see cors_uncacheable). */
static const char *cors_origin(const struct http_server *s, struct MHD_Connection *conn)
{
    if (!s->ncors_origins)
        return NULL;
    if (s->cors_any)
        return "*";
    const char *o = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    if (!o)
        return NULL;
    for (size_t i = 0; i < s->ncors_origins; i++)
        if (strcmp(s->cors_origins[i], o) == 0)
            return o;
    return NULL;
}

/* With a list of origins the grant depends on the request's Origin, which
 * the cache key does not hold. */
static int cors_uncacheable(const struct http_server *s, struct MHD_Connection *conn)
{
    return s->ncors_origins && !s->cors_any &&
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin") != NULL;
}

static int add_cors(struct MHD_Response *r, const char *origin)
{
    int fail = add_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, origin) |
               add_header(r, "Access-Control-Expose-Headers", cors_expose);
    if (strcmp(origin, "*") != 0)
        fail |= add_header(r, MHD_HTTP_HEADER_VARY, "Origin");
    return fail;
}

/* Serves a GET/HEAD from this thread's cache when the entry is current.
 * Returns 1 with *ret set when it answered. */
static int rc_serve(struct http_server *s, struct MHD_Connection *conn, struct req_ctx *ctx,
                    enum api_method method, enum MHD_Result *ret)
{
    ctx->rc_ok = 0;
    const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_ACCEPT);
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_ACCEPT_ENCODING);
    static _Thread_local char key[RC_MAX_KEY];
    int n = snprintf(key, sizeof key, "%s\n%s\n%d", ctx->uri ? ctx->uri : "",
                     accept ? accept : "", resp_accepts_gzip(ae));
    if (n < 0 || (size_t)n >= sizeof key || !ctx->uri)
        return 0;
    int64_t version;
    if (api_data_version(s->api, &version) != QW_OK)
        return 0;
    struct rcache *c = thread_cache(s);
    if (!c)
        return 0;
    ctx->rc_key = key;
    ctx->rc_klen = (size_t)n;
    ctx->rc_hash = key_hash(key, (size_t)n);
    ctx->rc_version = version;
    ctx->rc_ok = 1;
    struct rc_entry *e = &c->e[ctx->rc_hash % RC_SLOTS];
    if (!e->resp || e->hash != ctx->rc_hash || e->version != version ||
        e->klen != (size_t)n || memcmp(e->key, key, (size_t)n) != 0)
        return 0;
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
    unsigned status = 200;
    if (inm && resp_etag_match(inm, e->etag)) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"",
                                                                 MHD_RESPMEM_PERSISTENT);
        if (!r)
            return 0;
        const char *origin = cors_origin(s, conn);
        int fail = add_header(r, MHD_HTTP_HEADER_ETAG, e->etag) |
                   (origin ? add_cors(r, origin) : 0) |
                   add_header(r, "X-Content-Type-Options", "nosniff") |
                   add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        if (e->vary)
            fail |= add_header(r, MHD_HTTP_HEADER_VARY, e->vary);
        status = 304;
        *ret = fail ? MHD_NO : MHD_queue_response(conn, status, r);
        MHD_destroy_response(r);
    } else {
        *ret = MHD_queue_response(conn, status, e->resp);
    }
    guard_answered(s->guard, guard_of(conn));
    if (log_get_level() <= LOG_DEBUG)
        log_debug("%s %s -> %u (cached)", api_method_name(method), ctx->path, status);
    api_metrics_record(method, ctx->path, (int)status, elapsed(&ctx->start));
    return 1;
}

/* A minimal response for when the API cannot even be asked (413 before the
 * body, out of memory). */
static enum MHD_Result respond_static(struct http_server *s, struct MHD_Connection *conn,
                                      struct req_ctx *ctx, enum api_method method, int status,
                                      const char *url)
{
    struct api_response res;
    struct api_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    req.body_too_large = status == 413;
    req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    if (status == 413 && (method == API_POST)) {
        api_handle(s->api, &req, &res);
    } else {
        static const char oom[] = "{\"type\":\"urn:quotewire:problem:unavailable\",\"title\":"
                                  "\"Service Unavailable\",\"status\":503,\"detail\":"
                                  "\"Try again.\"}";
        memset(&res, 0, sizeof res);
        res.status = 503;
        res.content_type = "application/problem+json";
        res.body = (char *)oom;
        res.len = sizeof oom - 1;
        res.body_static = 1;
        res.retry_after = 1;
    }
    enum MHD_Result ret = respond(s, conn, ctx, method, &res);
    api_response_free(&res);
    return ret;
}


/* Called by MHD with the raw request target, before it decodes anything;
 * what it returns becomes the request's context.  Routing uses this raw
 * path, so "%2F" inside a segment stays inside it (it decodes to 0xFF,
 * which matches no route, as does "%00"), and an absolute-form target
 * ("http://host/health", RFC 9112 3.2.2) is reduced to its path. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct req_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &ctx->start);
    const char *p = uri ? uri : "";
    size_t ulen = strlen(p);
    for (size_t i = 0; i < ulen; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7F)
            ctx->bad_target = 1;
    if (ulen < RC_MAX_KEY) {
        ctx->uri = ulen < sizeof ctx->uri_buf ? ctx->uri_buf : malloc(ulen + 1);
        if (ctx->uri)
            memcpy(ctx->uri, p, ulen + 1);
    }
    /* The query string is parsed here (parse_query), not by MHD: MHD keeps
     * each argument in the connection's fixed memory pool and, when a few
     * hundred of them fill it, never answers.  MHD found the '?' before
     * calling this and parses what follows it next, in its own writable
     * buffer: ending the string right after the '?' leaves it nothing. */
    char *qm = uri ? strchr(uri, '?') : NULL;
    if (qm) {
        ctx->query = strdup(qm + 1);
        if (!ctx->query) {
            if (ctx->uri != ctx->uri_buf)
                free(ctx->uri);
            free(ctx);
            return NULL;
        }
        qm[1] = '\0';
    }
    if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
        p = strstr(p, "//") + 2;
        p += strcspn(p, "/?");
    }
    size_t n = strcspn(p, "?#");
    char *out = n + 2 <= sizeof ctx->path_buf ? ctx->path_buf : malloc(n + 2);
    if (!out) {
        if (ctx->uri != ctx->uri_buf)
            free(ctx->uri);
        free(ctx->query);
        free(ctx);
        return NULL;
    }
    size_t o = 0;
    if (n == 0)
        out[o++] = '/'; /* "http://host" with no path */
    else if (p[0] != '/')
        out[o++] = '*'; /* "*" or garbage: not a path, matches no route */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && http_hexval(p[i + 1]) >= 0 && http_hexval(p[i + 2]) >= 0) {
            int v = http_hexval(p[i + 1]) * 16 + http_hexval(p[i + 2]);
            out[o++] = (char)(v == 0 || v == '/' ? 0xFF : v);
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    ctx->path = out;
    return ctx;
}

static void ctx_free(struct req_ctx *ctx)
{
    if (!ctx)
        return;
    free(ctx->query);
    strbuf_free(&ctx->body);
    if (ctx->path != ctx->path_buf)
        free(ctx->path);
    if (ctx->uri != ctx->uri_buf)
        free(ctx->uri);
    free(ctx);
}

/* 0 when the Host header may be answered, 1 when it names a host this
 * server is not (421), 2 when an HTTP/1.1 request has none (400). IP
 * literals and localhost names are always answered: a DNS-rebinding page
 * reaches the server under its own domain name. */
static int host_check(const struct http_server *s, struct MHD_Connection *conn,
                      const char *version)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!h)
        return version && strcmp(version, MHD_HTTP_VERSION_1_0) == 0 ? 0 : 2;
    char name[256];
    size_t n = 0;
    if (h[0] == '[') { /* [v6]:port */
        const char *e = strchr(h, ']');
        if (!e || (size_t)(e - h - 1) >= sizeof name)
            return 1;
        memcpy(name, h + 1, (size_t)(e - h - 1));
        name[e - h - 1] = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, name, &a6) == 1 ? 0 : 1;
    }
    while (h[n] && h[n] != ':' && n < sizeof name - 1) {
        name[n] = (char)tolower((unsigned char)h[n]);
        n++;
    }
    if (h[n] && h[n] != ':')
        return 1;
    while (n && name[n - 1] == '.')
        n--;
    name[n] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, name, &a4) == 1 || strcmp(name, "localhost") == 0 ||
        (n > 10 && strcmp(name + n - 10, ".localhost") == 0))
        return 0;
    for (size_t i = 0; i < s->nallowed_hosts; i++)
        if (strcmp(s->allowed_hosts[i], "*") == 0 || strcasecmp(s->allowed_hosts[i], name) == 0)
            return 0;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct http_server *s = cls;
    struct req_ctx *ctx = *req_cls;
    if (!ctx)
        return MHD_NO; /* uri_logger could not allocate: drop the connection */
    if (!ctx->started) {
        ctx->started = 1;
        struct guard_conn *gc = guard_of(conn);
        guard_headers_done(s->guard, gc);
        int fstatus = 400;
        const char *why = ctx->bad_target ? "The request target holds a space or a control byte."
                                           : http_framing_check(conn, version, &fstatus);
        int wait = why ? 0 : guard_rate_check(s->guard, gc);
        if (why || wait) {
            /* answered before any body is read, and the connection closed:
             * where this request ends cannot be trusted */
            struct api_request req;
            memset(&req, 0, sizeof req);
            req.method = api_method_parse(method);
            req.path = ctx->path;
            req.framing = why;
            req.framing_status = fstatus;
            req.rate_wait = wait;
            struct api_response res;
            api_handle(s->api, &req, &res);
            enum MHD_Result ret = respond(s, conn, ctx, req.method, &res);
            api_response_free(&res);
            return ret;
        }
        /* A declared length over the limit is answered at once when the
         * client waits for "100 Continue" or the body is huge; otherwise
         * the body is read and dropped first, because closing on a client
         * that is still sending resets the connection before it can read
         * the 413.  Bodies without a declared length are capped as they
         * come (never trust Content-Length). */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (end != cl && n > s->max_body) {
                ctx->too_large = 1;
                const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                                 MHD_HTTP_HEADER_EXPECT);
                enum api_method m = api_method_parse(method);
                if (m == API_POST && ((expect && strcasecmp(expect, "100-continue") == 0) ||
                                      n > HTTP_DRAIN_MAX))
                    return respond_static(s, conn, ctx, m, 413, ctx->path);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ctx->too_large && !ctx->oom) {
            if (*upload_data_size > s->max_body - ctx->body.len) {
                ctx->too_large = 1;
                strbuf_free(&ctx->body);
            } else if (strbuf_append(&ctx->body, upload_data, *upload_data_size) != 0) {
                ctx->oom = 1;
                strbuf_free(&ctx->body);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    enum api_method m = api_method_parse(method);
    url = ctx->path;
    if (ctx->oom)
        return respond_static(s, conn, ctx, m, 503, url);
    int host_refused = host_check(s, conn, version);
    int uncacheable = cors_uncacheable(s, conn);
    int reading = (m == API_GET || m == API_HEAD) && !ctx->body.len && !ctx->too_large;
    if (reading)
        api_read_begin(s->api);
    if (reading && !host_refused && !uncacheable && !s->no_cache) {
        enum MHD_Result ret;
        if (rc_serve(s, conn, ctx, m, &ret)) {
            api_read_end(s->api);
            return ret;
        }
    }
    struct api_request req;
    memset(&req, 0, sizeof req);
    req.method = m;
    req.path = url;
    http_parse_query(ctx->query, &req);
    req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    req.body = ctx->body.p;
    req.body_len = ctx->body.len;
    req.body_too_large = ctx->too_large;
    req.host_refused = host_refused;
    struct api_response res;
    api_handle(s->api, &req, &res);
    if (reading)
        api_read_end(s->api);
    if (log_get_level() <= LOG_DEBUG)
        log_debug("%s %s -> %d", method, url, res.status);
    enum MHD_Result ret = respond(s, conn, ctx, m, &res);
    api_response_free(&res);
    return ret;
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    (void)toe;
    guard_request_done(s->guard, guard_of(conn));
    ctx_free(*req_cls);
    *req_cls = NULL;
}

/* Percent-decoding for query arguments (routing uses uri_logger's path):
 * "+" is a space (form encoding), and "%00" becomes the byte 0xFF rather
 * than NUL, so that a NUL can never cut a C string short; 0xFF is not
 * UTF-8, so such a value is refused as a bad parameter. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return http_unescape(s);
}


/* A connection opens or closes: its deadlines (guard.h) follow it. */
static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ad =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *a = ad ? ad->client_addr : NULL;
        socklen_t alen = !a                       ? 0
                         : a->sa_family == AF_INET6 ? (socklen_t)sizeof(struct sockaddr_in6)
                                                    : (socklen_t)sizeof(struct sockaddr_in);
        *socket_context = fd ? guard_open(s->guard, fd->connect_fd, a, alen) : NULL;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard_close(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[256];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    log_debug("microhttpd: %s", buf);
}

qw_status http_start(const struct server_config *cfg, struct http_server **out, char *err)
{
    *out = NULL;
    struct http_server *s = calloc(1, sizeof *s);
    struct addrinfo *ai = NULL;
    if (!s)
        return QW_ERR_NOMEM;
    s->listen_fd = -1;
    s->own_fd = 1;
    s->gen = atomic_fetch_add(&server_generation, 1) + 1;
    pthread_mutex_init(&s->rc_lock, NULL);
    s->max_body = cfg->max_body;
    s->cors_origins = cfg->cors_origins;
    s->ncors_origins = cfg->ncors_origins;
    for (size_t i = 0; i < cfg->ncors_origins; i++)
        if (strcmp(cfg->cors_origins[i], "*") == 0)
            s->cors_any = 1;
    s->no_cache = cfg->no_response_cache;
    s->allowed_hosts = cfg->allowed_hosts;
    s->nallowed_hosts = cfg->nallowed_hosts;
    struct api_config ac = {.db_path = cfg->db_path, .api_keys = cfg->api_keys,
                            .napi_keys = cfg->napi_keys,
                            .anonymous_writes = cfg->anonymous_writes,
                            .read_only = cfg->read_only,
                            .query_ms = cfg->query_ms, .max_body = cfg->max_body};
    qw_status st = api_new(&ac, &s->api, err);
    if (st != QW_OK)
        goto fail;
    struct guard_config gcfg = {.header_s = cfg->header_timeout_s, .body_s = cfg->body_timeout_s,
                                .rate = cfg->rate_limit, .burst = cfg->rate_burst,
                                .on_cut = api_metrics_connection_cut};
    if ((st = guard_new(&gcfg, &s->guard)) != QW_OK)
        goto fail;

    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)cfg->port);
    const char *host = cfg->host && *cfg->host ? cfg->host : NULL;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0 || !ai) {
        if (err)
            snprintf(err, QW_ERRLEN, "cannot resolve %s: %s", host ? host : "*",
                     gai_strerror(gai));
        st = QW_ERR_BAD_REQUEST;
        goto fail;
    }
    /* The listening socket is made here rather than by MHD so that only
     * SO_REUSEADDR is set: a second server on the same port must fail with
     * "address in use", not silently share the port (SO_REUSEPORT). */
    for (struct addrinfo *p = ai; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        p->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, p->ai_addr, p->ai_addrlen) == 0 && listen(fd, 4096) == 0) {
            s->listen_fd = fd;
            break;
        }
        if (err)
            snprintf(err, QW_ERRLEN, "cannot listen on %s:%u: %s", host ? host : "*",
                     (unsigned)cfg->port, strerror(errno));
        close(fd);
    }
    if (s->listen_fd < 0) {
        st = QW_ERR_IO;
        goto fail;
    }
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 && n < 256 ? (unsigned)n : 4;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                     : MHD_USE_AUTO;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)s,
        MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_limit,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, (void *)s,
        MHD_OPTION_NOTIFY_CONNECTION, connection_notify, (void *)s,
        MHD_OPTION_URI_LOG_CALLBACK, uri_logger, (void *)s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, (void *)s, MHD_OPTION_END);
    if (!s->daemon) {
        if (err)
            snprintf(err, QW_ERRLEN, "cannot start the HTTP daemon on %s:%u", host ? host : "*",
                     (unsigned)cfg->port);
        st = QW_ERR_IO;
        goto fail;
    }
    s->own_fd = 0; /* MHD closes it in MHD_stop_daemon */
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info && info->port ? info->port : cfg->port;
    freeaddrinfo(ai);
    *out = s;
    return QW_OK;
fail:
    if (ai)
        freeaddrinfo(ai);
    http_stop(s);
    return st;
}

unsigned short http_port(const struct http_server *s)
{
    return s ? s->port : 0;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->own_fd && s->listen_fd >= 0)
        close(s->listen_fd);
    while (s->caches) {
        struct rcache *c = s->caches;
        s->caches = c->next;
        for (size_t i = 0; i < RC_SLOTS; i++)
            rc_clear(c, &c->e[i]);
        free(c);
    }
    if (tl_rc.s == s)
        tl_rc.c = NULL;
    pthread_mutex_destroy(&s->rc_lock);
    guard_free(s->guard); /* after the daemon: every connection is closed */
    api_free(s->api);
    free(s);
}
