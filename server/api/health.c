/* /, /health, /metrics, /openapi.yaml, and the request counters. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "embedded.h"
#include "extract.h"
#include "handlers.h"
#include "strbuf.h"

static const char root_body[] =
    "{\"name\":\"quotewire\",\"links\":{\"articles\":"
    "\"/articles\",\"people\":\"/people\",\"quotes\":\"/quotes\",\"health\":\"/health\","
    "\"openapi\":\"/openapi.yaml\",\"explorer\":\"/ui/\"}}";

/* A parameterless GET answered with static bytes. */
static void static_body(struct call *c, const char *type, const char *body, size_t len)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    c->res->status = 200;
    c->res->content_type = type;
    c->res->body = (char *)body;
    c->res->len = len;
    c->res->body_static = 1;
    c->res->cacheable = 1;
}

/* A browser (Accept preferring HTML) goes to the explorer; curl and
 * programs get the links. */
void api_root(struct call *c)
{
    if (api_ui_wanted(c->req->accept)) {
        api_ui_redirect(c);
        return;
    }
    static_body(c, "application/json; charset=utf-8", root_body, sizeof root_body - 1);
    c->res->vary_accept = 1;
}

void api_openapi(struct call *c)
{
    static_body(c, "application/yaml", embedded_openapi.data,
                (size_t)(embedded_openapi.end - embedded_openapi.data));
}

void api_health(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    struct query_totals t;
    qw_status st = query_counts(qc, extract_version(), &t, 1);
    if (st != QW_OK) {
        api_fail(c, st);
        return;
    }
    char buf[400];
    int n = snprintf(buf, sizeof buf,
                     "{\"status\":\"ok\",\"version\":\"" QUOTEWIRE_VERSION
                     "\",\"schema_version\":%d,\"extract_version\":%d,\"articles\":%" PRId64
                     ",\"articles_outdated\":%" PRId64 ",\"people\":%" PRId64
                     ",\"quotes\":%" PRId64 ",\"corrections\":%" PRId64
                     ",\"corrections_orphaned\":%" PRId64 "}",
                     t.schema_version, extract_version(), t.articles, t.articles_outdated,
                     t.people, t.quotes, t.corrections, t.corrections_orphaned);
    char *body = n > 0 && (size_t)n < sizeof buf ? malloc((size_t)n + 1) : NULL;
    if (!body) {
        api_fail(c, QW_ERR_NOMEM);
        return;
    }
    memcpy(body, buf, (size_t)n + 1);
    c->res->status = 200;
    c->res->content_type = "application/json; charset=utf-8";
    c->res->body = body;
    c->res->len = (size_t)n;
    c->res->cacheable = 1;
}

/* ---- metrics ---- */

static const int codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                            413, 415, 421, 422, 429, 500, 501, 503, 507};
#define NCODES (sizeof codes / sizeof codes[0] + 1) /* last: any other code */

/* Latency buckets (seconds), Prometheus' defaults refined below 5 ms where
 * a cached or simple read lands. */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

/* Route ROUTE_NONE counts every path no route matches, so that scanners
 * probing random paths cannot grow the label set. */
static atomic_ullong requests[ROUTE_COUNT][API_NMETHODS][NCODES];
static atomic_uint other_code[ROUTE_COUNT][API_NMETHODS];
static atomic_ullong hist[ROUTE_COUNT][NBUCKETS + 1]; /* per bucket, not cumulative; last: +Inf */
static atomic_ullong duration_us[ROUTE_COUNT];
static const char *_Atomic route_label[ROUTE_COUNT];

/* connections closed at the header deadline [0] and the body deadline [1] */
static atomic_ullong cut[2];

void api_metrics_connection_cut(int body)
{
    atomic_fetch_add_explicit(&cut[body ? 1 : 0], 1, memory_order_relaxed);
}

void api_metrics_record(enum api_method m, const char *path, int status, double seconds)
{
    struct route_match rm;
    enum route r = router_match(path, &rm);
    if ((unsigned)r >= ROUTE_COUNT)
        r = ROUTE_NONE;
    if (r != ROUTE_NONE && rm.canonical)
        atomic_store_explicit(&route_label[r], rm.canonical, memory_order_relaxed);
    if ((unsigned)m >= API_NMETHODS)
        m = API_OTHER;
    size_t k = 0;
    while (k < NCODES - 1 && codes[k] != status)
        k++;
    atomic_fetch_add_explicit(&requests[r][m][k], 1, memory_order_relaxed);
    if (k == NCODES - 1)
        atomic_store_explicit(&other_code[r][m], (unsigned)status, memory_order_relaxed);
    if (!(seconds >= 0)) /* also NaN */
        seconds = 0;
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&hist[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&duration_us[r], (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

static const char *label_of(enum route r)
{
    const char *l = r == ROUTE_NONE ? NULL
                                    : atomic_load_explicit(&route_label[r], memory_order_relaxed);
    return l ? l : "other";
}

static int render_requests(struct strbuf *sb)
{
    int fail = strbuf_puts(sb, "# HELP quotewire_http_requests_total HTTP requests served, by"
                               " route template (other: no route), method and status code.\n"
                               "# TYPE quotewire_http_requests_total counter\n");
    for (int r = 0; r < ROUTE_COUNT && !fail; r++)
        for (int m = 0; m < API_NMETHODS && !fail; m++)
            for (size_t k = 0; k < NCODES && !fail; k++) {
                unsigned long long v =
                    atomic_load_explicit(&requests[r][m][k], memory_order_relaxed);
                if (!v)
                    continue;
                int code = k < NCODES - 1 ? codes[k]
                                          : (int)atomic_load_explicit(&other_code[r][m],
                                                                      memory_order_relaxed);
                fail = strbuf_printf(sb,
                                     "quotewire_http_requests_total{route=\"%s\",method=\"%s\","
                                     "code=\"%d\"} %llu\n",
                                     label_of((enum route)r), api_method_name((enum api_method)m),
                                     code, v);
            }
    return fail;
}

/* One histogram per route that has served a request; _count is the +Inf
 * bucket, so the two agree even while requests are being recorded. */
static int render_histogram(struct strbuf *sb)
{
    int fail = strbuf_puts(sb, "# HELP quotewire_http_request_duration_seconds Time from a"
                               " request's arrival until its response is queued (for a streamed"
                               " export: until the stream starts), by route template.\n"
                               "# TYPE quotewire_http_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE_COUNT && !fail; r++) {
        unsigned long long n[NBUCKETS + 1], total = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            n[b] = atomic_load_explicit(&hist[r][b], memory_order_relaxed);
            total += n[b];
        }
        if (!total)
            continue;
        const char *label = label_of((enum route)r);
        unsigned long long cum = 0;
        for (size_t b = 0; b < NBUCKETS && !fail; b++) {
            cum += n[b];
            fail = strbuf_printf(sb,
                                 "quotewire_http_request_duration_seconds_bucket{route=\"%s\","
                                 "le=\"%g\"} %llu\n",
                                 label, buckets[b], cum);
        }
        if (!fail)
            fail = strbuf_printf(
                sb,
                "quotewire_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                "quotewire_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                "quotewire_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                label, total, label,
                (double)atomic_load_explicit(&duration_us[r], memory_order_relaxed) / 1e6, label,
                total);
    }
    return fail;
}

void api_metrics(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    struct query_totals t;
    qw_status st = query_counts(qc, extract_version(), &t, 0);
    if (st != QW_OK) {
        api_fail(c, st);
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    int fail = render_requests(&sb);
    if (!fail)
        fail = render_histogram(&sb);
    if (!fail)
        fail = strbuf_printf(
            &sb,
            "# HELP quotewire_articles Articles in the database.\n"
            "# TYPE quotewire_articles gauge\nquotewire_articles %" PRId64 "\n"
            "# HELP quotewire_people People in the database.\n"
            "# TYPE quotewire_people gauge\nquotewire_people %" PRId64 "\n"
            "# HELP quotewire_quotes Quotes in the database.\n"
            "# TYPE quotewire_quotes gauge\nquotewire_quotes %" PRId64 "\n"
            "# HELP quotewire_articles_outdated Articles extracted by an older extractor than"
            " this server's (quotewire reextract updates them).\n"
            "# TYPE quotewire_articles_outdated gauge\nquotewire_articles_outdated %" PRId64 "\n"
            "# HELP quotewire_corrections Users' corrections in the audit trail.\n"
            "# TYPE quotewire_corrections gauge\nquotewire_corrections %" PRId64 "\n"
            "# HELP quotewire_corrections_orphaned Quote corrections whose quote the article's"
            " extraction no longer finds (GET /corrections?orphaned=true).\n"
            "# TYPE quotewire_corrections_orphaned gauge\nquotewire_corrections_orphaned %" PRId64
            "\n"
            "# HELP quotewire_connections_cut_total Connections closed because a request's"
            " headers or body were not complete by their deadline (slow clients).\n"
            "# TYPE quotewire_connections_cut_total counter\n"
            "quotewire_connections_cut_total{deadline=\"header\"} %llu\n"
            "quotewire_connections_cut_total{deadline=\"body\"} %llu\n",
            t.articles, t.people, t.quotes, t.articles_outdated, t.corrections,
            t.corrections_orphaned, (unsigned long long)atomic_load(&cut[0]), (unsigned long long)atomic_load(&cut[1]));
    size_t len = 0;
    char *body = fail ? NULL : strbuf_detach(&sb, &len);
    strbuf_free(&sb);
    if (!body) {
        api_fail(c, QW_ERR_NOMEM);
        return;
    }
    c->res->status = 200;
    c->res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    c->res->body = body;
    c->res->len = len;
    /* ETag and gzip like every GET (Prometheus asks for gzip), but the
     * counters move without the database changing: never cached */
    c->res->cacheable = 1;
    c->res->no_store = 1;
}
