/* limit=all: a whole list as CSV or NDJSON, streamed.
 *
 * The server is event-driven: one worker thread serves many connections,
 * so an export must never hold its thread for long.  The body is made
 * while it is sent: each time libmicrohttpd wants more bytes and the last
 * page is used up, one keyset page of rows (EXPORT_PAGE, the same query
 * as a paged request with the cursor of the row before) is read under the
 * request deadline and rendered; between pages the thread serves its other
 * connections.  Memory stays at one page whatever the list's size.  Each
 * page is its own read transaction, so a long export does not pin a WAL
 * snapshot (checkpoints go on), and like paging it is stable under
 * inserts: rows are neither skipped nor repeated, rows added behind the
 * export's position are not in it. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "strbuf.h"

#define EXPORT_PAGE 1000

struct api_stream {
    struct api *api;
    api_list_query fetch;
    struct query_list q;     /* its strings point into strs */
    struct cursor after;
    int started, done;
    enum fmt fmt;
    enum csv_kind kind;
    int with_snippet;
    int64_t rows;
    struct strbuf out;       /* rendered, not yet handed over: out.p[pos..len) */
    size_t pos;
    char *strs;              /* copies of q's strings, one allocation */
    char since[11], until[11];
};

/* Copies n bytes of src (may be NULL) to *at, NUL-terminated. */
static const char *keep(char **at, const char *src, size_t n)
{
    if (!src)
        return NULL;
    char *d = *at;
    memcpy(d, src, n);
    d[n] = '\0';
    *at += n + 1;
    return d;
}

void api_export(struct call *c, api_list_query fetch, const struct query_list *q,
                const struct args *a, enum csv_kind kind)
{
    struct api_stream *s = calloc(1, sizeof *s);
    size_t need = q->fts_len + q->like_len + q->person_len + q->source_len + q->section_len + 5;
    if (!s || !(s->strs = malloc(need))) {
        free(s);
        api_fail(c, QW_ERR_NOMEM);
        return;
    }
    s->api = c->api;
    s->fetch = fetch;
    s->q = *q;
    /* Every pointer in query_list must be copied here: the request's
     * memory is gone when the stream runs. */
    char *at = s->strs;
    s->q.fts = q->fts ? keep(&at, q->fts, q->fts_len) : NULL;
    s->q.like = q->like ? keep(&at, q->like, q->like_len) : NULL;
    s->q.person = q->person ? keep(&at, q->person, q->person_len) : NULL;
    s->q.source = q->source ? keep(&at, q->source, q->source_len) : NULL;
    s->q.section = q->section ? keep(&at, q->section, q->section_len) : NULL;
    if (q->since) {
        snprintf(s->since, sizeof s->since, "%s", q->since);
        s->q.since = s->since;
    }
    if (q->until) {
        snprintf(s->until, sizeof s->until, "%s", q->until);
        s->q.until = s->until;
    }
    /* kind and gender are static strings; with_id is a number */
    if (q->after) {
        s->after = *q->after;
        s->q.after = &s->after;
    }
    s->q.limit = EXPORT_PAGE;
    s->fmt = a->fmt;
    s->kind = kind;
    s->with_snippet = a->q != NULL;

    struct api_response *r = c->res;
    r->status = 200;
    r->stream = s;
    r->cacheable = 0;
    r->vary_accept = 1;
    if (a->fmt == FMT_CSV) {
        r->content_type = "text/csv; charset=utf-8";
        api_csv_filename(c->req->path, r->filename);
    } else {
        r->content_type = "application/x-ndjson";
    }
}

/* Renders the next page into s->out (emptied first); sets s->done after the
 * last one.  Returns 0 or -1. */
static int next_page(struct api_stream *s)
{
    strbuf_reset(&s->out);
    s->pos = 0;
    if (!s->started) {
        s->started = 1;
        if (s->fmt == FMT_CSV && api_render_csv_header(&s->out, s->kind, s->with_snippet) != 0)
            return -1;
        /* the header goes out before the first query, so a client sees the
         * response begin at once */
        return 0;
    }
    struct qconn *qc = api_conn_armed(s->api);
    if (!qc)
        return -1;
    json_t *items = json_array();
    struct cursor next;
    int has_next = 0;
    if (!items)
        return -1;
    struct query_out out = {.items = items};
    qw_status st = s->fetch(qc, &s->q, &out, &next, &has_next);
    query_out_free(&out);
    if (st == QW_OK &&
        api_render_items(&s->out, items, s->fmt, s->kind, s->with_snippet) != 0)
        st = QW_ERR_NOMEM;
    if (st != QW_OK) {
        log_warn("export: stopped after %lld rows: %s", (long long)s->rows, qw_status_str(st));
        json_decref(items);
        return -1;
    }
    s->rows += (int64_t)json_array_size(items);
    json_decref(items);
    if (has_next) {
        s->after = next;
        s->q.after = &s->after;
    } else {
        s->done = 1;
    }
    return 0;
}

long api_stream_read(struct api_stream *s, char *buf, size_t max)
{
    if (!s || max == 0)
        return -1;
    while (s->pos == s->out.len) {
        if (s->done)
            return 0;
        if (next_page(s) != 0)
            return -1;
    }
    size_t n = s->out.len - s->pos;
    if (n > max)
        n = max;
    if (n > (size_t)0x7fffffff)
        n = 0x7fffffff;
    memcpy(buf, s->out.p + s->pos, n);
    s->pos += n;
    return (long)n;
}

void api_stream_free(struct api_stream *s)
{
    if (!s)
        return;
    strbuf_free(&s->out);
    free(s->strs);
    free(s);
}
