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
    "\"openapi\":\"/openapi.yaml\"}}";

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

void api_root(struct call *c)
{
    static_body(c, "application/json; charset=utf-8", root_body, sizeof root_body - 1);
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
    char buf[320];
    int n = snprintf(buf, sizeof buf,
                     "{\"status\":\"ok\",\"version\":\"" QUOTEWIRE_VERSION
                     "\",\"schema_version\":%d,\"extract_version\":%d,\"articles\":%" PRId64
                     ",\"articles_outdated\":%" PRId64 ",\"people\":%" PRId64
                     ",\"quotes\":%" PRId64 "}",
                     t.schema_version, extract_version(), t.articles, t.articles_outdated,
                     t.people, t.quotes);
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

static const int codes[] = {200, 201, 204, 304, 400, 401, 404, 405, 413, 415, 422, 500, 503};
#define NCODES (sizeof codes / sizeof codes[0] + 1) /* last: any other code */

static atomic_ullong requests[API_NMETHODS][NCODES];
static atomic_ullong other_code[API_NMETHODS];
static atomic_ullong duration_us;
static atomic_ullong duration_count;

void api_metrics_record(enum api_method m, int status, double seconds)
{
    if ((unsigned)m >= API_NMETHODS)
        m = API_OTHER;
    size_t k = 0;
    while (k < NCODES - 1 && codes[k] != status)
        k++;
    atomic_fetch_add_explicit(&requests[m][k], 1, memory_order_relaxed);
    if (k == NCODES - 1)
        atomic_store_explicit(&other_code[m], (unsigned long long)status, memory_order_relaxed);
    if (seconds < 0)
        seconds = 0;
    atomic_fetch_add_explicit(&duration_us, (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&duration_count, 1, memory_order_relaxed);
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
    int fail = strbuf_puts(&sb, "# HELP quotewire_http_requests_total HTTP requests served.\n"
                                "# TYPE quotewire_http_requests_total counter\n");
    for (int m = 0; m < API_NMETHODS && !fail; m++)
        for (size_t k = 0; k < NCODES && !fail; k++) {
            unsigned long long v = atomic_load_explicit(&requests[m][k], memory_order_relaxed);
            if (!v)
                continue;
            int code = k < NCODES - 1 ? codes[k]
                                      : (int)atomic_load_explicit(&other_code[m],
                                                                  memory_order_relaxed);
            fail = strbuf_printf(&sb,
                                 "quotewire_http_requests_total{method=\"%s\",code=\"%d\"} %llu\n",
                                 api_method_name((enum api_method)m), code, v);
        }
    if (!fail)
        fail = strbuf_printf(
            &sb,
            "# HELP quotewire_http_request_duration_seconds Time spent answering requests.\n"
            "# TYPE quotewire_http_request_duration_seconds summary\n"
            "quotewire_http_request_duration_seconds_sum %.6f\n"
            "quotewire_http_request_duration_seconds_count %llu\n"
            "# HELP quotewire_articles Articles in the database.\n"
            "# TYPE quotewire_articles gauge\nquotewire_articles %" PRId64 "\n"
            "# HELP quotewire_people People in the database.\n"
            "# TYPE quotewire_people gauge\nquotewire_people %" PRId64 "\n"
            "# HELP quotewire_quotes Quotes in the database.\n"
            "# TYPE quotewire_quotes gauge\nquotewire_quotes %" PRId64 "\n"
            "# HELP quotewire_articles_outdated Articles extracted by an older extractor than"
            " this server's (quotewire reextract updates them).\n"
            "# TYPE quotewire_articles_outdated gauge\nquotewire_articles_outdated %" PRId64 "\n",
            (double)atomic_load(&duration_us) / 1e6, (unsigned long long)atomic_load(&duration_count),
            t.articles, t.people, t.quotes, t.articles_outdated);
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
    c->res->cacheable = 0;
}
