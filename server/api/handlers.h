/* Private to server/api/: the per-request state the handlers share, and
 * the helpers in api.c that parse parameters and build responses. */
#ifndef QUOTEWIRE_API_HANDLERS_H
#define QUOTEWIRE_API_HANDLERS_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "api.h"
#include "cursor.h"
#include "qconn.h"
#include "query.h"
#include "router.h"
#include "store.h"

struct api {
    char *db_path;
    struct api_key *keys;       /* owned copies */
    size_t nkeys;
    int anonymous_writes; /* with no key: 1 lets anyone write, 0 refuses writes */
    int read_only;        /* no writer connection: writes get 403, a replaced file is reopened */
    unsigned query_ms;
    size_t max_body;
    unsigned gen;               /* tells this api's thread-local conns from older ones */
    pthread_mutex_t conns_lock; /* guards conns */
    struct conn_node *conns;    /* every read connection opened, closed by api_free */
    pthread_mutex_t write_lock; /* one writer at a time on wdb */
    sqlite3 *wdb;
    struct store *store;
};

struct call {
    struct api *api;
    const struct api_request *req;
    struct api_response *res;
    struct route_match m;
    struct qconn *qc;           /* this thread's read connection, NULL until api_conn */
    const char *actor;          /* a write's key name (api_authorize) */
};

enum fmt { FMT_JSON, FMT_CSV, FMT_NDJSON };

/* Parameter bits for api_args. */
enum {
    P_LIMIT = 1 << 0, P_CURSOR = 1 << 1, P_FORMAT = 1 << 2, P_Q = 1 << 3, P_PERSON = 1 << 4,
    P_SOURCE = 1 << 5, P_SINCE = 1 << 6, P_UNTIL = 1 << 7, P_SORT = 1 << 8, P_ARTICLE = 1 << 9,
    P_KIND = 1 << 10, P_SECTION = 1 << 11, P_CLUSTER = 1 << 12, P_GENDER = 1 << 13,
    P_COUNT = 1 << 14, P_FACET = 1 << 15, P_WITH = 1 << 16,
    /* the aggregates' own (stats.c) */
    P_METRIC = 1 << 17, P_INTERVAL = 1 << 18, P_BY = 1 << 19, P_DISTINCT = 1 << 20,
    P_OF = 1 << 21,
    /* the corrections' own (curate.c) */
    P_TARGET = 1 << 22, P_ACTOR = 1 << 23, P_ORPHANED = 1 << 24
};
/* The filters every aggregate takes (the lists' filters). */
#define P_FILTERS                                                                              \
    (P_Q | P_PERSON | P_SOURCE | P_SECTION | P_SINCE | P_UNTIL | P_KIND | P_GENDER)
/* What every JSON list takes beyond its filters: totals and facets. */
#define P_TOTALS (P_COUNT | P_FACET)
#define P_PAGE (P_LIMIT | P_CURSOR | P_FORMAT)

struct args {
    unsigned seen;
    int limit;
    int limit_all;             /* limit=all: the whole list, streamed (CSV, NDJSON) */
    enum fmt fmt;
    const char *cursor;
    size_t cursor_len;
    const char *q;
    size_t q_len;
    enum query_person pmode;
    int64_t person_id;
    const char *person;
    size_t person_len;
    const char *source;
    size_t source_len;
    const char *section;
    size_t section_len;
    char since[11], until[11];
    const char *sort;
    size_t sort_len;
    int64_t article;
    int64_t cluster;       /* P_CLUSTER: a quote cluster id, 0 if absent */
    const char *kind;
    const char *gender;    /* "male", "female", "unknown" or NULL */
    int count_exact;       /* count=exact */
    unsigned facets;       /* facet=...: bit 1 << enum query_facet, in the order given */
    enum query_facet facet_order[QF_COUNT];
    int nfacets;
    int64_t with_id;       /* P_WITH: a person id (INT64_MAX: one too big to exist) */
    struct api_name {            /* the aggregates' names, checked by stats.c */
        const char *p;           /* not NUL-terminated; NULL when absent */
        size_t n;
    } metric, interval, by, of;
    int distinct;          /* distinct=true */
    const char *target;    /* "quote", "person" or NULL */
    const char *actor;     /* not NUL-terminated; NULL when absent */
    size_t actor_len;
    int orphaned;          /* P_ORPHANED seen: 1 true, 0 false */
};

enum csv_kind { CSV_ARTICLES, CSV_PEOPLE, CSV_QUOTES, CSV_CORRECTIONS };

/* Parses and validates the query string against the allowed P_* bits.
 * "_" (a cache buster) is ignored everywhere; an empty or blank q is no
 * q (a->q stays NULL); any other unknown, repeated, empty or invalid
 * parameter is a 400.  Returns 0, or -1 after filling a 400 problem. */
int api_args(struct call *c, unsigned allowed, struct args *a);

/* 1 if the sort parameter equals s. */
int api_sort_is(const struct args *a, const char *s);

/* Fills a problem+json response.  param/field may be NULL. */
void api_problem(struct call *c, int status, const char *slug, const char *title,
                 const char *detail, const char *param, const char *field);
/* The problem for a failed status (404, 503, 500, ...). */
void api_fail(struct call *c, qw_status st);
void api_bad_param(struct call *c, const char *param, const char *detail);

/* Serializes o (stolen) as the JSON body with the given status. */
void api_json(struct call *c, int status, json_t *o);

/* Sends a list page in the requested format.  Steals items, and meta
 * (NULL, or an object whose members join the JSON envelope: total,
 * facets). */
void api_list(struct call *c, json_t *items, int has_next, const struct cursor *next,
              const struct args *a, enum csv_kind kind, json_t *meta);

/* The shape of every list query in query.h and of every single-item one
 * (as a tree, and as text for a GET). */
typedef qw_status (*api_list_query)(struct qconn *qc, const struct query_list *q,
                                    struct query_out *out, struct cursor *next, int *has_next);
typedef qw_status (*api_item_query)(struct qconn *qc, int64_t id, json_t **out);
typedef qw_status (*api_item_text_query)(struct qconn *qc, int64_t id, struct strbuf *out);

/* CSV and NDJSON rendering, shared by pages and streamed exports.  CSV
 * (RFC 4180, CRLF): a JSON null (or a missing key) is an empty unquoted
 * field, an empty string or empty list is "", a list is its strings
 * joined by "; ".  The snippet column is there only with a q parameter.
 * Both return 0, or -1 when out of memory. */
int api_render_csv_header(struct strbuf *sb, enum csv_kind kind, int with_snippet);
int api_render_items(struct strbuf *sb, json_t *items, enum fmt fmt, enum csv_kind kind,
                     int with_snippet);

/* Sends an aggregate: doc (stolen) as the JSON body, or, in CSV or
 * NDJSON, the objects of rows (borrowed from doc) one per line, CSV with
 * the columns cols (NULL-terminated; a missing member or null is an
 * empty field). */
void api_send_rows(struct call *c, const struct args *a, json_t *doc, json_t *rows,
                   const char *const *cols);

/* The attachment name for a CSV of this request's list: the path's
 * segments joined by '-' ("quotes.csv", "people-12-quotes.csv"). */
void api_csv_filename(const char *path, char out[64]);

/* limit=all: answers with a stream of the whole list q (copied; the
 * caller keeps q and everything it points to), rendered in a->fmt (CSV or
 * NDJSON), read page by page with fetch (export.c). */
void api_export(struct call *c, api_list_query fetch, const struct query_list *q,
                const struct args *a, enum csv_kind kind);

/* Runs fetch for q and sends the page (api_list), or the problem for its
 * failure; with limit=all, the whole list (api_export).  With count=exact
 * or facet=..., the page also carries the list's total and facets, counted
 * over the whole list (facets the list has no such field for are a 400). */
void api_list_run(struct call *c, struct qconn *qc, api_list_query fetch,
                  const struct query_list *q, const struct args *a, enum csv_kind kind);

/* GET of one item by the id in the path: no parameters allowed; 200 with
 * the item, or the problem for fetch's failure (404, 503...). */
void api_item(struct call *c, api_item_text_query fetch);
/* api_item, whose 404 says so when a correction took the item away (a
 * rejected quote, a merged person: query_gone). */
void api_item_or_gone(struct call *c, api_item_text_query fetch, const char *target);

/* This thread's read connection, armed with the query deadline; NULL after
 * filling a 503 problem. */
struct qconn *api_conn(struct call *c);

/* This thread's read connection for a, armed with the deadline, for work
 * outside a handler (a streamed export's next page); NULL when it cannot
 * be opened (logged). */
struct qconn *api_conn_armed(struct api *a);

/* With a q parameter: turns it into q->fts by the search syntax of
 * include/search.h (kept in *fts, which the caller frees).  Returns 0, or
 * -1 after a 400 (naming q: no words, only exclusions, too many terms, a
 * short prefix) or 503 problem. */
int api_search(struct call *c, const struct args *a, struct strbuf *fts, struct query_list *q);

/* Decodes the cursor parameter for list/sort into *cur; returns 0 (and
 * sets *after to cur or NULL), or -1 after a 400 on "cursor". */
int api_cursor(struct call *c, const struct args *a, enum cursor_list list,
               enum cursor_sort sort, struct cursor *cur, const struct cursor **after);

/* Checks Authorization for writes; returns 0 (c->actor names the key), or
 * -1 after a 401 or 403. */
int api_authorize(struct call *c);

/* Media type of a Content-Type value, and whether its charset (if any) is
 * UTF-8.  Returns 1 for text/plain, 2 for application/json, 0 otherwise. */
int api_media_type(const char *ct);

/* 1 after a 413 when the request's body was over --max-body, else 0. */
int api_body_too_large(struct call *c);

/* The request's body parsed as a JSON object (the caller's), or NULL
 * after a 400 (not JSON, a duplicated key) or a 422 (not an object). */
json_t *api_json_object(struct call *c);

void api_root(struct call *c);
void api_health(struct call *c);
void api_metrics(struct call *c);
void api_openapi(struct call *c);
void api_articles_list(struct call *c);
void api_article_get(struct call *c);
void api_article_post(struct call *c);
void api_article_delete(struct call *c);
void api_people_list(struct call *c);
void api_person_get(struct call *c);
void api_article_people(struct call *c);
void api_quotes_list(struct call *c);
void api_quote_get(struct call *c);
void api_stats_timeseries(struct call *c);
void api_stats_top(struct call *c);
void api_stats_gender(struct call *c);
void api_co_mentions(struct call *c);
/* Corrections (curate.c): PATCH /quotes/{id}, PATCH /people/{id},
 * POST /people/{id}/merge, GET /corrections. */
void api_quote_patch(struct call *c);
void api_person_patch(struct call *c);
void api_person_merge(struct call *c);
void api_corrections_list(struct call *c);

/* The explorer (ui.c): /ui and /ui/NAME, served from the embedded files
 * with a strict Content-Security-Policy. */
void api_ui(struct call *c);
/* 1 when an Accept header prefers HTML (text/html or XHTML) to JSON by its
 * q values, as a browser's does; no header, curl's (any type, which names
 * neither) and "application/json, text/html" (a tie) are 0. */
int api_ui_wanted(const char *accept);
/* 303 See Other to /ui/ (no body). */
void api_ui_redirect(struct call *c);

#endif
