/* The API core: dispatch, parameters, problems, list rendering, and the
 * per-thread read connections. */
#include "api.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"
#include "handlers.h"
#include "jsonw.h"
#include "log.h"
#include "search.h"
#include "strbuf.h"
#include "utf8.h"

struct conn_node {
    struct qconn *qc;
    struct conn_node *next;
};

static atomic_uint api_generation;
static atomic_uint_fast64_t api_opens; /* every read connection opened: a serial */

/* lwan's get_db: one connection per thread, opened on first use. */
static _Thread_local struct {
    struct api *api;
    unsigned gen;
    struct qconn *qc;
    uint64_t serial; /* api_opens when qc was opened */
    dev_t dev;       /* the file qc reads (read-only servers) */
    ino_t ino;
    dev_t bad_dev; /* a replacement refused (wrong schema), not retried */
    ino_t bad_ino;
    int64_t checked_ns; /* when the file was last looked at (CLOCK_MONOTONIC_COARSE) */
} tl_conn;

/* How often a read-only server's thread looks for a replaced file: one
 * stat per window, not one per request (a request asks twice: the
 * response cache's version, then the handler). */
#define REPLACED_CHECK_NS 50000000LL

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

qw_status api_new(const struct api_config *cfg, struct api **out, char *err)
{
    *out = NULL;
    struct api *a = calloc(1, sizeof *a);
    if (!a)
        return QW_ERR_NOMEM;
    qw_status st = QW_ERR_NOMEM;
    pthread_mutex_init(&a->conns_lock, NULL);
    pthread_mutex_init(&a->write_lock, NULL);
    a->db_path = dup_str(cfg->db_path);
    if (!a->db_path)
        goto fail;
    size_t nk = cfg->napi_keys + (cfg->api_key != NULL);
    if (nk) {
        a->keys = calloc(nk, sizeof *a->keys);
        if (!a->keys)
            goto fail;
        for (size_t i = 0; i < nk; i++) {
            const struct api_key *k = i < cfg->napi_keys ? &cfg->api_keys[i] : NULL;
            struct api_key *d = &a->keys[a->nkeys++];
            d->name = dup_str(k ? k->name : "default");
            d->key = dup_str(k ? k->key : cfg->api_key);
            if (!d->name || !d->key)
                goto fail;
        }
    }
    a->anonymous_writes = cfg->anonymous_writes;
    a->read_only = cfg->read_only;
    a->query_ms = cfg->query_ms;
    a->max_body = cfg->max_body;
    a->gen = atomic_fetch_add(&api_generation, 1) + 1;
    if (a->read_only) {
        *out = a;
        return QW_OK;
    }
    st = db_open(a->db_path, DB_READ_WRITE, &a->wdb, err);
    if (st != QW_OK)
        goto fail;
    st = store_new(a->wdb, &a->store);
    if (st != QW_OK) {
        if (err)
            snprintf(err, QW_ERRLEN, "cannot prepare the store: %s", qw_status_str(st));
        goto fail;
    }
    *out = a;
    return QW_OK;
fail:
    api_free(a);
    return st;
}

void api_free(struct api *a)
{
    if (!a)
        return;
    struct conn_node *n = a->conns;
    while (n) {
        struct conn_node *next = n->next;
        qconn_close(n->qc);
        free(n);
        n = next;
    }
    if (tl_conn.api == a) {
        tl_conn.api = NULL;
        tl_conn.qc = NULL;
    }
    store_free(a->store);
    db_close(a->wdb);
    pthread_mutex_destroy(&a->conns_lock);
    pthread_mutex_destroy(&a->write_lock);
    free(a->db_path);
    for (size_t i = 0; i < a->nkeys; i++) {
        free((char *)a->keys[i].name);
        free((char *)a->keys[i].key);
    }
    free(a->keys);
    free(a);
}

/* Closes and forgets one of a's read connections. */
static void drop_conn(struct api *a, struct qconn *qc)
{
    pthread_mutex_lock(&a->conns_lock);
    for (struct conn_node **pp = &a->conns; *pp; pp = &(*pp)->next)
        if ((*pp)->qc == qc) {
            struct conn_node *n = *pp;
            *pp = n->next;
            free(n);
            break;
        }
    pthread_mutex_unlock(&a->conns_lock);
    qconn_close(qc);
}

/* A read-only server's file was replaced (a replica restored and renamed
 * over it): this thread's connection still reads the old inode.  Returns
 * 1 when the calling thread should open the file again. */
static int file_replaced(struct api *a, struct stat *sb)
{
    if (!a->read_only)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (now - tl_conn.checked_ns < REPLACED_CHECK_NS)
        return 0;
    tl_conn.checked_ns = now;
    if (stat(a->db_path, sb) != 0)
        return 0; /* missing for a moment: keep the old version */
    if (sb->st_dev == tl_conn.dev && sb->st_ino == tl_conn.ino)
        return 0;
    return !(sb->st_dev == tl_conn.bad_dev && sb->st_ino == tl_conn.bad_ino);
}

/* This thread's read connection for a, opened on first use. */
static struct qconn *thread_conn(struct api *a, qw_status *st)
{
    int replaced = 0;
    struct stat sb;
    int have_sb = 0;
    if (tl_conn.api == a && tl_conn.gen == a->gen && tl_conn.qc) {
        if (!file_replaced(a, &sb))
            return tl_conn.qc;
        replaced = have_sb = 1;
    } else {
        have_sb = a->read_only && stat(a->db_path, &sb) == 0;
    }
    char err[QW_ERRLEN] = "";
    struct conn_node *n = malloc(sizeof *n);
    struct qconn *qc = NULL;
    *st = n ? qconn_open(a->db_path, a->read_only, a->query_ms, &qc, err) : QW_ERR_NOMEM;
    if (*st == QW_OK && a->read_only && db_user_version(qconn_db(qc)) != db_schema_version()) {
        snprintf(err, sizeof err, "%s has schema version %d, this program needs %d", a->db_path,
                 db_user_version(qconn_db(qc)), db_schema_version());
        qconn_close(qc);
        qc = NULL;
        *st = QW_ERR_INVALID;
    }
    if (*st != QW_OK) {
        free(n);
        if (replaced) {
            /* keep serving the version this thread has */
            log_error("api: the new version of the database is not served: %s",
                      err[0] ? err : qw_status_str(*st));
            if (have_sb) {
                tl_conn.bad_dev = sb.st_dev;
                tl_conn.bad_ino = sb.st_ino;
            }
            *st = QW_OK;
            return tl_conn.qc;
        }
        log_error("api: cannot open a read connection: %s", err[0] ? err : qw_status_str(*st));
        return NULL;
    }
    if (replaced) {
        log_info("api: %s was replaced; reading the new version", a->db_path);
        drop_conn(a, tl_conn.qc);
        tl_conn.qc = NULL;
    }
    tl_conn.dev = have_sb ? sb.st_dev : 0;
    tl_conn.ino = have_sb ? sb.st_ino : 0;
    tl_conn.serial = atomic_fetch_add(&api_opens, 1) + 1;
    n->qc = qc;
    pthread_mutex_lock(&a->conns_lock);
    n->next = a->conns;
    a->conns = n;
    pthread_mutex_unlock(&a->conns_lock);
    tl_conn.api = a;
    tl_conn.gen = a->gen;
    tl_conn.qc = qc;
    return qc;
}

struct qconn *api_conn(struct call *c)
{
    if (c->qc)
        return c->qc;
    qw_status st = QW_OK;
    c->qc = thread_conn(c->api, &st);
    if (!c->qc) {
        api_fail(c, st == QW_ERR_NOMEM ? QW_ERR_NOMEM : QW_ERR_BUSY);
        return NULL;
    }
    qconn_arm(c->qc);
    return c->qc;
}

struct qconn *api_conn_armed(struct api *a)
{
    qw_status st = QW_OK;
    struct qconn *qc = thread_conn(a, &st);
    if (qc)
        qconn_arm(qc);
    return qc;
}

qw_status api_data_version(struct api *a, int64_t *out)
{
    qw_status st = QW_OK;
    struct qconn *qc = thread_conn(a, &st);
    if (!qc)
        return st;
    qconn_arm(qc);
    /* the connection's serial in the high bits: a file replaced under a
     * read-only server starts its own count, which must not match cached
     * answers of the old one */
    int64_t v = 0;
    qw_status r = qconn_data_version(qc, &v);
    *out = (int64_t)((tl_conn.serial << 40) ^ (uint64_t)v);
    return r;
}

void api_read_begin(struct api *a)
{
    qw_status st = QW_OK;
    struct qconn *qc = thread_conn(a, &st);
    /* without a snapshot each statement reads on its own: still correct */
    if (qc)
        qconn_begin(qc);
}

void api_read_end(struct api *a)
{
    if (tl_conn.api == a && tl_conn.gen == a->gen)
        qconn_end(tl_conn.qc);
}

/* ---- methods ---- */

static const char *const method_names[API_NMETHODS] = {
    [API_GET] = "GET",     [API_HEAD] = "HEAD", [API_POST] = "POST",   [API_DELETE] = "DELETE",
    [API_OPTIONS] = "OPTIONS", [API_PUT] = "PUT", [API_PATCH] = "PATCH", [API_OTHER] = "OTHER"};

enum api_method api_method_parse(const char *m)
{
    for (int i = 0; i < API_OTHER; i++)
        if (m && strcmp(m, method_names[i]) == 0)
            return (enum api_method)i;
    return API_OTHER;
}

const char *api_method_name(enum api_method m)
{
    return (unsigned)m < API_NMETHODS ? method_names[m] : "OTHER";
}

/* ---- responses ---- */

void api_response_free(struct api_response *res)
{
    if (!res)
        return;
    if (!res->body_static)
        free(res->body);
    free(res->link);
    api_stream_free(res->stream);
    memset(res, 0, sizeof *res);
}

static void set_body(struct api_response *res, char *body, size_t len, int is_static)
{
    if (!res->body_static)
        free(res->body);
    res->body = body;
    res->len = len;
    res->body_static = is_static;
}

static const char oom_body[] =
    "{\"type\":\"urn:quotewire:problem:unavailable\",\"title\":\"Service Unavailable\","
    "\"status\":503,\"detail\":\"The server is short of memory; try again.\"}";

static void oom_response(struct call *c)
{
    struct api_response *r = c->res;
    r->status = 503;
    r->content_type = "application/problem+json";
    r->retry_after = 1;
    r->cacheable = 0;
    free(r->link);
    r->link = NULL;
    set_body(r, (char *)oom_body, sizeof oom_body - 1, 1);
}

/* A JSON string from bytes that may not be UTF-8 (paths, parameter names):
 * bad bytes become U+FFFD. */
static json_t *lossy_string(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j || !s)
        return j;
    if (n > 4096)
        n = 4096;
    char *buf = malloc(n * 3 + 1);
    if (!buf)
        return NULL;
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp = utf8_next(s, n, &i);
        if (cp == 0)
            cp = 0xFFFD;
        o += utf8_encode(cp, buf + o);
    }
    j = json_stringn(buf, o);
    free(buf);
    return j;
}

/* Jansson hands over many small pieces: copy in place while they fit. */
static int dump_cb(const char *buf, size_t size, void *data)
{
    struct strbuf *sb = data;
    if (sb->p && size < sb->cap - sb->len) {
        memcpy(sb->p + sb->len, buf, size);
        sb->len += size;
        sb->p[sb->len] = '\0';
        return 0;
    }
    return strbuf_append(sb, buf, size);
}

#define DUMP_FLAGS JSONW_DUMP_FLAGS

void api_json(struct call *c, int status, json_t *o)
{
    struct strbuf sb = STRBUF_INIT;
    if (!o || strbuf_reserve(&sb, 4096) != 0 ||
        json_dump_callback(o, dump_cb, &sb, DUMP_FLAGS) != 0) {
        json_decref(o);
        strbuf_free(&sb);
        oom_response(c);
        return;
    }
    json_decref(o);
    size_t len;
    char *body = strbuf_detach(&sb, &len);
    if (!body) {
        oom_response(c);
        return;
    }
    c->res->status = status;
    c->res->content_type = "application/json; charset=utf-8";
    c->res->cacheable = status == 200;
    set_body(c->res, body, len, 0);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return "Internal Server Error";
    }
}

void api_problem(struct call *c, int status, const char *slug, const char *title,
                 const char *detail, const char *param, const char *field)
{
    int oom = 0;
    char type[64];
    snprintf(type, sizeof type, "urn:quotewire:problem:%s", slug);
    json_t *o = json_object();
    if (!o) {
        oom_response(c);
        return;
    }
    const char *path = c->req->path ? c->req->path : "/";
    query_set(o, "type", json_string(type), &oom);
    query_set(o, "title", json_string(title ? title : status_title(status)), &oom);
    query_set(o, "status", json_integer(status), &oom);
    query_set(o, "detail", lossy_string(detail, strlen(detail)), &oom);
    query_set(o, "instance", lossy_string(path, strlen(path)), &oom);
    if (param)
        query_set(o, "parameter", lossy_string(param, strlen(param)), &oom);
    if (field)
        query_set(o, "field", lossy_string(field, strlen(field)), &oom);
    if (oom) {
        json_decref(o);
        oom_response(c);
        return;
    }
    free(c->res->link);
    c->res->link = NULL;
    api_json(c, status, o);
    if (c->res->status == status) {
        c->res->content_type = "application/problem+json";
        c->res->cacheable = 0;
        if (status == 503)
            c->res->retry_after = 1;
        else if (status == 507)
            c->res->retry_after = 60;
    }
}

void api_fail(struct call *c, qw_status st)
{
    switch (st) {
    case QW_ERR_NOT_FOUND:
        api_problem(c, 404, "not-found", NULL, "No such resource.", NULL, NULL);
        break;
    case QW_ERR_NOMEM:
    case QW_ERR_BUSY:
        api_problem(c, 503, "unavailable", NULL,
                    "The database is busy or the query took too long; try again.", NULL, NULL);
        break;
    case QW_ERR_FULL:
        /* the disk or the database file's size limit: nothing was written
         * (the transaction rolled back); retrying helps once space is made */
        api_problem(c, 507, "insufficient-storage", NULL,
                    "The database is full (no space left on its disk); nothing was "
                    "changed. Try again once space has been freed.", NULL, NULL);
        break;
    case QW_ERR_IO:
        /* a failed read or write of the database file: the server's side,
         * but worth retrying (a transient storage fault) */
        api_problem(c, 503, "storage-error", NULL,
                    "The database could not be read or written; nothing was changed. "
                    "Try again later.", NULL, NULL);
        if (c->res->status == 503)
            c->res->retry_after = 10;
        break;
    case QW_ERR_BAD_REQUEST:
        api_problem(c, 400, "bad-request", NULL, "The request is malformed.", NULL, NULL);
        break;
    case QW_ERR_CONFLICT:
        api_problem(c, 409, "conflict", NULL, "The change clashes with what is stored.", NULL,
                    NULL);
        break;
    case QW_ERR_INVALID:
    case QW_ERR_EMPTY:
    case QW_ERR_BINARY:
        api_problem(c, 422, "unprocessable", NULL, "The content cannot be used.", NULL, NULL);
        break;
    default:
        api_problem(c, 500, "internal", NULL, "Something went wrong on our side.", NULL, NULL);
        break;
    }
}

void api_bad_param(struct call *c, const char *param, const char *detail)
{
    api_problem(c, 400, "bad-parameter", "Bad Parameter", detail, param, NULL);
}

/* ---- parameters ---- */

static const struct {
    const char *name;
    unsigned bit;
} param_names[] = {
    {"limit", P_LIMIT},   {"cursor", P_CURSOR}, {"format", P_FORMAT}, {"q", P_Q},
    {"person", P_PERSON}, {"source", P_SOURCE}, {"since", P_SINCE},   {"until", P_UNTIL},
    {"sort", P_SORT},     {"article", P_ARTICLE}, {"kind", P_KIND},
    {"section", P_SECTION},
    {"cluster", P_CLUSTER}, {"gender", P_GENDER}, {"count", P_COUNT}, {"facet", P_FACET},
    {"with", P_WITH},       {"metric", P_METRIC}, {"interval", P_INTERVAL}, {"by", P_BY},
    {"distinct", P_DISTINCT}, {"of", P_OF}, {"target", P_TARGET}, {"actor", P_ACTOR},
    {"orphaned", P_ORPHANED},
};

/* facet=source,kind: the facets named, each once, in the order given.
 * Returns 0, or -1 with *bad naming what a good value is. */
static int parse_facets(const char *v, size_t n, struct args *a, const char **bad)
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        int found = -1;
        for (int f = 0; f < QF_COUNT; f++) {
            const char *name = query_facet_name((enum query_facet)f);
            if (strlen(name) == j - i && memcmp(v + i, name, j - i) == 0)
                found = f;
        }
        if (found < 0 || (a->facets & (1u << found))) {
            *bad = "a comma-separated list of source, section, kind and gender, each once";
            return -1;
        }
        a->facets |= 1u << found;
        a->facet_order[a->nfacets++] = (enum query_facet)found;
        i = j + 1;
    }
    return 0;
}

static int is_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Only ASCII white space (or nothing) in s[0..n). */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
            return 0;
    return 1;
}

static int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int api_sort_is(const struct args *a, const char *s)
{
    return a->sort && eq(a->sort, a->sort_len, s);
}

int api_args(struct call *c, unsigned allowed, struct args *a)
{
    const struct api_request *r = c->req;
    char detail[QW_ERRLEN];
    memset(a, 0, sizeof *a);
    a->limit = 20;
    if (r->too_many_params) {
        api_problem(c, 400, "bad-request", NULL, "Too many query parameters.", NULL, NULL);
        return -1;
    }
    for (size_t i = 0; i < r->nparams; i++) {
        const struct api_param *p = &r->params[i];
        if (p->klen == 0 && p->vlen == 0)
            continue; /* "?&limit=5", "?limit=5&&sort=id": empty pairs mean nothing */
        if (eq(p->key, p->klen, "_"))
            continue; /* jQuery's cache buster (?_=1733040000000): any value, anywhere */
        unsigned bit = 0;
        const char *name = NULL;
        for (size_t k = 0; k < sizeof param_names / sizeof param_names[0]; k++)
            if (eq(p->key, p->klen, param_names[k].name)) {
                bit = param_names[k].bit;
                name = param_names[k].name;
                break;
            }
        if (!bit || !(allowed & bit)) {
            char key[128];
            size_t kn = p->klen < sizeof key - 1 ? p->klen : sizeof key - 1;
            memcpy(key, p->key, kn);
            key[kn] = '\0';
            for (size_t k = 0; k < kn; k++)
                if (key[k] == '\0')
                    key[k] = '?';
            snprintf(detail, sizeof detail, "Unknown parameter '%s'.", key);
            api_bad_param(c, key, detail);
            return -1;
        }
        if (a->seen & bit) {
            snprintf(detail, sizeof detail, "Parameter '%s' is given more than once.", name);
            api_bad_param(c, name, detail);
            return -1;
        }
        a->seen |= bit;
        const char *v = p->val;
        size_t n = p->vlen;
        if (bit == P_Q && (!v || blank(v, n)) && n <= 4096)
            continue; /* an empty search box ("q=", "q=+", "q"): no filter */
        if (!v || n == 0) {
            snprintf(detail, sizeof detail, "Parameter '%s' is empty.", name);
            api_bad_param(c, name, detail);
            return -1;
        }
        if (n > 4096) {
            snprintf(detail, sizeof detail, "Parameter '%s' is longer than 4096 bytes.", name);
            api_bad_param(c, name, detail);
            return -1;
        }
        if (memchr(v, '\0', n) || !utf8_valid(v, n)) {
            snprintf(detail, sizeof detail, "Parameter '%s' is not valid UTF-8 text.", name);
            api_bad_param(c, name, detail);
            return -1;
        }
        const char *bad = NULL; /* what a good value is */
        switch (bit) {
        case P_LIMIT: {
            int64_t lim;
            if (eq(v, n, "all"))
                a->limit_all = 1; /* checked against the format below */
            else if (router_parse_id(v, n, &lim) != 0 || lim > 1000)
                bad = "an integer from 1 to 1000, or all (with CSV or NDJSON)";
            else
                a->limit = (int)lim;
            break;
        }
        case P_CURSOR:
            a->cursor = v;
            a->cursor_len = n;
            break;
        case P_FORMAT:
            if (eq(v, n, "json"))
                a->fmt = FMT_JSON;
            else if (eq(v, n, "csv"))
                a->fmt = FMT_CSV;
            else if (eq(v, n, "ndjson"))
                a->fmt = FMT_NDJSON;
            else
                bad = "json, csv or ndjson";
            break;
        case P_Q:
            a->q = v;
            a->q_len = n;
            break;
        case P_PERSON: {
            int all_digits = 1;
            for (size_t k = 0; k < n; k++)
                if (v[k] < '0' || v[k] > '9')
                    all_digits = 0;
            if (all_digits) {
                a->pmode = QP_ID;
                /* an id too big to exist simply matches nobody */
                if (router_parse_id(v, n, &a->person_id) != 0)
                    a->person_id = 0;
            } else {
                a->pmode = QP_NAME;
                a->person = v;
                a->person_len = n;
            }
            break;
        }
        case P_SOURCE:
            a->source = v;
            a->source_len = n;
            break;
        case P_SECTION:
            a->section = v;
            a->section_len = n;
            break;
        case P_SINCE:
        case P_UNTIL:
            if (!is_date(v, n)) {
                bad = "a date as YYYY-MM-DD";
                break;
            }
            memcpy(bit == P_SINCE ? a->since : a->until, v, 10);
            break;
        case P_SORT:
            a->sort = v;
            a->sort_len = n;
            break;
        case P_ARTICLE:
        case P_CLUSTER:
            if (router_parse_id(v, n, bit == P_ARTICLE ? &a->article : &a->cluster) != 0) {
                /* digits past INT64_MAX name no article: an empty list;
                 * zero, signs and letters are bad values */
                int digits = 1, nonzero = 0;
                for (size_t k = 0; k < n && digits; k++) {
                    digits = v[k] >= '0' && v[k] <= '9';
                    nonzero |= v[k] > '0';
                }
                if (digits && nonzero)
                    *(bit == P_ARTICLE ? &a->article : &a->cluster) = INT64_MAX;
                else
                    bad = bit == P_ARTICLE ? "an article id (a positive integer)"
                                           : "a cluster id (a positive integer)";
            }
            break;
        case P_GENDER:
            if (eq(v, n, "male"))
                a->gender = "male";
            else if (eq(v, n, "female"))
                a->gender = "female";
            else if (eq(v, n, "unknown"))
                a->gender = "unknown";
            else
                bad = "male, female or unknown";
            break;
        case P_COUNT:
            if (eq(v, n, "exact"))
                a->count_exact = 1;
            else
                bad = "exact";
            break;
        case P_FACET:
            parse_facets(v, n, a, &bad);
            break;
        case P_WITH:
            if (router_parse_id(v, n, &a->with_id) != 0) {
                int digits = 1;
                for (size_t k = 0; k < n && digits; k++)
                    digits = v[k] >= '0' && v[k] <= '9';
                if (digits && n > 19)
                    a->with_id = INT64_MAX; /* no such person: an empty list */
                else
                    bad = "a person id (a positive integer)";
            }
            break;
        case P_DISTINCT:
        case P_ORPHANED:
            if (eq(v, n, "true"))
                *(bit == P_DISTINCT ? &a->distinct : &a->orphaned) = 1;
            else if (eq(v, n, "false"))
                *(bit == P_DISTINCT ? &a->distinct : &a->orphaned) = 0;
            else
                bad = "true or false";
            break;
        case P_TARGET:
            if (eq(v, n, "quote"))
                a->target = "quote";
            else if (eq(v, n, "person"))
                a->target = "person";
            else
                bad = "quote or person";
            break;
        case P_ACTOR:
            if (n == 0 || n > 64)
                bad = "an API key's name (1 to 64 characters)";
            a->actor = v;
            a->actor_len = n;
            break;
        case P_METRIC: /* names checked by the handler, which knows its own */
        case P_INTERVAL:
        case P_BY:
        case P_OF: {
            struct api_name *nm = bit == P_METRIC     ? &a->metric
                                  : bit == P_INTERVAL ? &a->interval
                                  : bit == P_BY       ? &a->by
                                                      : &a->of;
            nm->p = v;
            nm->n = n;
            break;
        }
        case P_KIND:
            if (eq(v, n, "direct"))
                a->kind = "direct";
            else if (eq(v, n, "partial"))
                a->kind = "partial";
            else
                bad = "direct or partial";
            break;
        default: break;
        }
        if (bad) {
            snprintf(detail, sizeof detail, "Parameter '%s' must be %s.", name, bad);
            api_bad_param(c, name, detail);
            return -1;
        }
    }
    if (!(a->seen & P_FORMAT) && (allowed & P_FORMAT) && c->req->accept) {
        if (strcasestr(c->req->accept, "text/csv"))
            a->fmt = FMT_CSV;
        else if (strcasestr(c->req->accept, "application/x-ndjson"))
            a->fmt = FMT_NDJSON;
    }
    if ((a->count_exact || a->nfacets) && a->fmt != FMT_JSON) {
        api_bad_param(c, a->count_exact ? "count" : "facet",
                      "Parameters 'count' and 'facet' come with JSON lists only (the total and "
                      "the facets are members of the JSON page).");
        return -1;
    }
    if (a->limit_all && a->fmt == FMT_JSON) {
        /* a JSON page is one document held in memory: the whole list
         * comes as CSV or NDJSON, which stream */
        api_bad_param(c, "limit",
                      "Parameter 'limit' is all only with format=csv or format=ndjson (or "
                      "Accept: text/csv or application/x-ndjson); JSON lists come in pages "
                      "of at most 1000.");
        return -1;
    }
    return 0;
}

int api_cursor(struct call *c, const struct args *a, enum cursor_list list,
               enum cursor_sort sort, struct cursor *cur, const struct cursor **after)
{
    *after = NULL;
    if (!a->cursor)
        return 0;
    if (cursor_decode(a->cursor, a->cursor_len, list, sort, cur) != 0) {
        api_bad_param(c, "cursor",
                      "Parameter 'cursor' is not a cursor this list and sort gave out.");
        return -1;
    }
    *after = cur;
    return 0;
}

int api_authorize(struct call *c)
{
    struct api *a = c->api;
    if (a->read_only) {
        api_problem(c, 403, "writes-disabled", NULL,
                    "This server is read-only (serve --read-only, a replica): send writes to "
                    "the server that writes the database.",
                    NULL, NULL);
        return -1;
    }
    if (!a->nkeys && a->anonymous_writes) {
        c->actor = "anonymous";
        return 0;
    }
    if (!a->nkeys) {
        /* safe by default: a web page or another host must not be able to
         * write to a server someone started without thinking of keys */
        api_problem(c, 403, "writes-disabled", NULL,
                    "Writes are disabled: this server was started without an API key. Start it "
                    "with --api-key-file FILE (or --allow-anonymous-writes for a local experiment).",
                    NULL, NULL);
        return -1;
    }
    const char *h = c->req->authorization;
    int ok = 0;
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        const char *k = h + 7;
        while (*k == ' ')
            k++;
        size_t n = strlen(k);
        while (n && (k[n - 1] == ' ' || k[n - 1] == '\t'))
            n--;
        /* every key compared, each in constant time over its length */
        for (size_t j = 0; j < a->nkeys; j++) {
            const char *key = a->keys[j].key;
            size_t kl = strlen(key);
            unsigned char diff = n != kl;
            for (size_t i = 0; i < kl; i++)
                diff |= (unsigned char)(key[i] ^ (i < n ? k[i] : 0));
            if (!diff && !ok) {
                ok = 1;
                c->actor = a->keys[j].name;
            }
        }
    }
    if (ok)
        return 0;
    api_problem(c, 401, "unauthorized", NULL,
                "This request needs an 'Authorization: Bearer <key>' header with the API key.",
                NULL, NULL);
    c->res->www_authenticate = 1;
    return -1;
}

/* ---- lists ---- */

static int pct_encode(struct strbuf *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_' || ch == '.' || ch == '~';
        if (ok) {
            if (strbuf_putc(sb, (char)ch) != 0)
                return -1;
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            if (strbuf_append(sb, e, 3) != 0)
                return -1;
        }
    }
    return 0;
}

/* path + query; with cursor != NULL the cursor parameter is replaced. */
static int build_link(struct call *c, struct strbuf *sb, const char *cursor, size_t cursor_len)
{
    const char *path = c->req->path;
    size_t plen = strlen(path);
    if (plen > 1 && path[plen - 1] == '/')
        plen--;
    if (strbuf_append(sb, path, plen) != 0)
        return -1;
    int first = 1;
    for (size_t i = 0; i < c->req->nparams; i++) {
        const struct api_param *p = &c->req->params[i];
        if ((cursor && eq(p->key, p->klen, "cursor")) || (p->klen == 0 && p->vlen == 0))
            continue;
        if (strbuf_putc(sb, first ? '?' : '&') != 0 || pct_encode(sb, p->key, p->klen) != 0 ||
            strbuf_putc(sb, '=') != 0 || pct_encode(sb, p->val, p->vlen) != 0)
            return -1;
        first = 0;
    }
    if (cursor) {
        if (strbuf_puts(sb, first ? "?cursor=" : "&cursor=") != 0 ||
            strbuf_append(sb, cursor, cursor_len) != 0)
            return -1;
    }
    return 0;
}

static const char *const csv_articles[] = {
    "id", "title", "dateline", "published", "source", "section", "url", "author", "image_credit", "path",
    "content_hash", "ingested_at", "people_count", "quote_count", "extract_version", "snippet", NULL};
static const char *const csv_people[] = {"id", "name", "gender", "roles", "role_count", "aliases", "alias_count",
                                         "article_count", "quote_count", "curated", NULL};
static const char *const csv_quotes[] = {
    "id", "kind", "text", "speaker", "speaker_person_id", "cue", "confidence", "article_id",
    "article_title", "published", "start", "end", "cluster_id", "cluster_articles", "curated",
    "extracted_speaker", "snippet", NULL};

static const char *const csv_corrections[] = {
    "id", "at", "actor", "target", "target_id", "field", "before", "after", "article_id",
    "start", "end", "person_key", "into_key", "state", NULL};

/* A field is quoted when it must be (separator, quote, line break) and when
 * it is empty: "" is an empty string, nothing at all is null. */
static int csv_field(struct strbuf *sb, const char *s, size_t n)
{
    int quote = n == 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote)
        return strbuf_append(sb, s, n);
    if (strbuf_putc(sb, '"') != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && strbuf_putc(sb, '"') != 0)
            return -1;
        if (strbuf_putc(sb, s[i]) != 0)
            return -1;
    }
    return strbuf_putc(sb, '"');
}

static int csv_value(struct strbuf *sb, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: return csv_field(sb, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: return strbuf_printf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL: return strbuf_printf(sb, "%.15g", json_real_value(v));
    case JSON_TRUE: return strbuf_puts(sb, "true");
    case JSON_FALSE: return strbuf_puts(sb, "false");
    case JSON_ARRAY: {
        struct strbuf j = STRBUF_INIT;
        size_t i;
        json_t *e;
        int rc = 0;
        json_array_foreach(v, i, e) {
            if (json_is_string(e)) {
                if ((i && strbuf_puts(&j, "; ") != 0) ||
                    strbuf_append(&j, json_string_value(e), json_string_length(e)) != 0)
                    rc = -1;
            }
        }
        if (rc == 0)
            rc = csv_field(sb, j.p ? j.p : "", j.len);
        strbuf_free(&j);
        return rc;
    }
    case JSON_OBJECT: { /* as compact JSON (a correction's before and after) */
        char *j = json_dumps(v, JSON_COMPACT);
        int rc = j ? csv_field(sb, j, strlen(j)) : -1;
        free(j);
        return rc;
    }
    default: return 0; /* null */
    }
}

static const char *const *csv_cols(enum csv_kind kind, int with_snippet, int *ncols)
{
    const char *const *cols = kind == CSV_ARTICLES      ? csv_articles
                              : kind == CSV_PEOPLE      ? csv_people
                              : kind == CSV_CORRECTIONS ? csv_corrections
                                                        : csv_quotes;
    int n = 0;
    while (cols[n] && (strcmp(cols[n], "snippet") != 0 || with_snippet))
        n++;
    *ncols = n;
    return cols;
}

static int render_header(struct strbuf *sb, const char *const *cols, int ncols)
{
    for (int k = 0; k < ncols; k++)
        if ((k && strbuf_putc(sb, ',') != 0) || strbuf_puts(sb, cols[k]) != 0)
            return -1;
    return strbuf_puts(sb, "\r\n");
}

/* The objects of items as NDJSON lines, or as CSV rows of cols[0..ncols). */
static int render_rows(struct strbuf *sb, json_t *items, enum fmt fmt, const char *const *cols,
                       int ncols)
{
    size_t i;
    json_t *e;
    if (fmt == FMT_NDJSON) {
        json_array_foreach(items, i, e) {
            if (json_dump_callback(e, dump_cb, sb, DUMP_FLAGS) != 0 || strbuf_putc(sb, '\n') != 0)
                return -1;
        }
        return 0;
    }
    json_array_foreach(items, i, e) {
        for (int k = 0; k < ncols; k++) {
            if (k && strbuf_putc(sb, ',') != 0)
                return -1;
            json_t *v = json_object_get(e, cols[k]);
            if (v && csv_value(sb, v) != 0)
                return -1;
        }
        if (strbuf_puts(sb, "\r\n") != 0)
            return -1;
    }
    return 0;
}

int api_render_csv_header(struct strbuf *sb, enum csv_kind kind, int with_snippet)
{
    int ncols;
    const char *const *cols = csv_cols(kind, with_snippet, &ncols);
    return render_header(sb, cols, ncols);
}

int api_render_items(struct strbuf *sb, json_t *items, enum fmt fmt, enum csv_kind kind,
                     int with_snippet)
{
    int ncols;
    const char *const *cols = csv_cols(kind, with_snippet, &ncols);
    return render_rows(sb, items, fmt, cols, ncols);
}

void api_csv_filename(const char *path, char out[64])
{
    size_t o = 0;
    const char *p = path ? path : "";
    while (*p == '/')
        p++;
    for (; *p && o < 64 - 5; p++) {
        char ch = *p;
        if (ch == '/') {
            if (!p[1])
                break; /* a trailing slash */
            ch = '-';
        } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
            ch = '_';
        }
        out[o++] = ch;
    }
    if (o == 0) {
        memcpy(out, "export", 6);
        o = 6;
    }
    memcpy(out + o, ".csv", 5);
}

/* A list page in body, sent: for JSON, body holds {"items":[...] and the
 * rest of the envelope is added here (next, links, then meta's members:
 * total, facets); CSV and NDJSON bodies are complete.  The Link header
 * points to the next page.  Takes body. */
static void send_page(struct call *c, struct strbuf *body, int has_next,
                      const struct cursor *next, const struct args *a, json_t *meta)
{
    struct strbuf cur = STRBUF_INIT, link = STRBUF_INIT, self = STRBUF_INIT;
    int fail = 0;
    if (has_next) {
        if (cursor_encode(next, &cur) != 0 || build_link(c, &link, cur.p, cur.len) != 0)
            fail = 1;
    }
    if (!fail && a->fmt == FMT_JSON) {
        fail = build_link(c, &self, NULL, 0) != 0 || strbuf_puts(body, ",\"next\":") != 0 ||
               (has_next ? jsonw_str(body, cur.p, cur.len) : jsonw_null(body)) != 0 ||
               strbuf_puts(body, ",\"links\":{\"self\":") != 0 ||
               jsonw_str(body, self.p, self.len) != 0 || strbuf_puts(body, ",\"next\":") != 0 ||
               (has_next ? jsonw_str(body, link.p, link.len) : jsonw_null(body)) != 0 ||
               strbuf_putc(body, '}') != 0;
        const char *key;
        json_t *v;
        json_object_foreach (meta, key, v) {
            if (fail)
                break;
            fail = strbuf_putc(body, ',') != 0 || jsonw_cstr(body, key) != 0 ||
                   strbuf_putc(body, ':') != 0 ||
                   json_dump_callback(v, dump_cb, body, DUMP_FLAGS | JSON_ENCODE_ANY) != 0;
        }
        if (!fail)
            fail = strbuf_putc(body, '}') != 0;
        c->res->content_type = "application/json; charset=utf-8";
    }
    if (!fail && has_next) {
        struct strbuf h = STRBUF_INIT;
        if (strbuf_putc(&h, '<') != 0 || strbuf_append(&h, link.p, link.len) != 0 ||
            strbuf_puts(&h, ">; rel=\"next\"") != 0) {
            strbuf_free(&h);
            fail = 1;
        } else {
            free(c->res->link);
            c->res->link = strbuf_detach(&h, NULL);
            fail = !c->res->link;
        }
    }
    size_t len;
    char *b = fail ? NULL : strbuf_detach(body, &len);
    if (b) {
        c->res->status = 200;
        c->res->cacheable = 1;
        c->res->vary_accept = 1;
        set_body(c->res, b, len, 0);
    } else {
        oom_response(c);
    }
    strbuf_free(body);
    strbuf_free(&cur);
    strbuf_free(&link);
    strbuf_free(&self);
}

/* A CSV or NDJSON page of items (borrowed) into body. */
static int render_page(struct call *c, struct strbuf *body, json_t *items, const struct args *a,
                       enum csv_kind kind)
{
    if (a->fmt == FMT_NDJSON) {
        c->res->content_type = "application/x-ndjson";
        return api_render_items(body, items, FMT_NDJSON, kind, a->q != NULL);
    }
    c->res->content_type = "text/csv; charset=utf-8";
    api_csv_filename(c->req->path, c->res->filename);
    return api_render_csv_header(body, kind, a->q != NULL) != 0 ||
                   api_render_items(body, items, FMT_CSV, kind, a->q != NULL) != 0
               ? -1
               : 0;
}

void api_list(struct call *c, json_t *items, int has_next, const struct cursor *next,
              const struct args *a, enum csv_kind kind, json_t *meta)
{
    struct strbuf body = STRBUF_INIT;
    /* one allocation for most pages instead of a doubling series */
    int fail = strbuf_reserve(&body, 16384) != 0;
    if (!fail && a->fmt == FMT_JSON)
        fail = strbuf_puts(&body, "{\"items\":") != 0 ||
               json_dump_callback(items, dump_cb, &body, DUMP_FLAGS) != 0;
    else if (!fail)
        fail = render_page(c, &body, items, a, kind) != 0;
    json_decref(items);
    if (fail) {
        strbuf_free(&body);
        oom_response(c);
        return;
    }
    send_page(c, &body, has_next, next, a, meta);
}

/* ---- dispatch ---- */

void api_handle(struct api *a, const struct api_request *req, struct api_response *res)
{
    memset(res, 0, sizeof *res);
    struct call c = {.api = a, .req = req, .res = res};
    if (req->framing) {
        /* what a proxy in front may read differently (request smuggling):
         * answered, then the connection is closed */
        int st = req->framing_status == 501 ? 501 : 400;
        api_problem(&c, st, st == 501 ? "not-implemented" : "bad-request", NULL, req->framing,
                    NULL, NULL);
        res->close = 1;
        return;
    }
    if (req->rate_wait > 0) {
        api_problem(&c, 429, "rate-limited", NULL,
                    "Too many requests from this address; wait Retry-After seconds.", NULL,
                    NULL);
        res->retry_after = req->rate_wait;
        return;
    }
    if (req->host_refused == 2) {
        api_problem(&c, 400, "bad-request", NULL, "An HTTP/1.1 request needs a Host header.",
                    NULL, NULL);
        return;
    }
    if (req->host_refused) {
        /* DNS rebinding: a page on another name must not reach this server */
        api_problem(&c, 421, "unknown-host", NULL,
                    "This server does not answer for that Host. Use localhost or an IP address, "
                    "or start it with --allowed-host NAME.",
                    NULL, NULL);
        return;
    }
    enum route r = router_match(req->path, &c.m);
    if (r == ROUTE_NONE) {
        api_problem(&c, 404, "not-found", NULL, "No such resource.", NULL, NULL);
        return;
    }
    enum api_method m = req->method;
    int allowed = m == API_OPTIONS ||
                  ((m == API_GET || m == API_HEAD) && (c.m.methods & ROUTER_GET)) ||
                  (m == API_POST && (c.m.methods & ROUTER_POST)) ||
                  (m == API_DELETE && (c.m.methods & ROUTER_DELETE)) ||
                  (m == API_PATCH && (c.m.methods & ROUTER_PATCH));
    if (!allowed) {
        char detail[QW_ERRLEN];
        snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s.",
                 m == API_OTHER ? "This method" : api_method_name(m), c.m.allow);
        api_problem(&c, 405, "method-not-allowed", NULL, detail, NULL, NULL);
        res->allow = c.m.allow;
        return;
    }
    if (m == API_OPTIONS) {
        res->status = 204;
        res->allow = c.m.allow;
        return;
    }
    if (m == API_POST || m == API_DELETE || m == API_PATCH) {
        if (api_authorize(&c) != 0)
            return;
        switch (r) {
        case ROUTE_ARTICLES: api_article_post(&c); break;
        case ROUTE_ARTICLE: api_article_delete(&c); break;
        case ROUTE_QUOTE: api_quote_patch(&c); break;
        case ROUTE_PERSON: api_person_patch(&c); break;
        case ROUTE_PERSON_MERGE: api_person_merge(&c); break;
        default: break;
        }
        if (res->status == 0)
            api_fail(&c, QW_ERR_DB);
        return;
    }
    switch (r) {
    case ROUTE_ROOT: api_root(&c); break;
    case ROUTE_HEALTH: api_health(&c); break;
    case ROUTE_METRICS: api_metrics(&c); break;
    case ROUTE_OPENAPI: api_openapi(&c); break;
    case ROUTE_ARTICLES:
    case ROUTE_PERSON_ARTICLES: api_articles_list(&c); break;
    case ROUTE_ARTICLE: api_article_get(&c); break;
    case ROUTE_ARTICLE_PEOPLE: api_article_people(&c); break;
    case ROUTE_PEOPLE: api_people_list(&c); break;
    case ROUTE_PERSON: api_person_get(&c); break;
    case ROUTE_QUOTES:
    case ROUTE_PERSON_QUOTES:
    case ROUTE_ARTICLE_QUOTES: api_quotes_list(&c); break;
    case ROUTE_QUOTE: api_quote_get(&c); break;
    case ROUTE_UI:
    case ROUTE_UI_FILE: api_ui(&c); break;
    case ROUTE_STATS_TIMESERIES: api_stats_timeseries(&c); break;
    case ROUTE_STATS_TOP: api_stats_top(&c); break;
    case ROUTE_STATS_GENDER: api_stats_gender(&c); break;
    case ROUTE_PERSON_CO_MENTIONS: api_co_mentions(&c); break;
    case ROUTE_CORRECTIONS: api_corrections_list(&c); break;
    case ROUTE_PERSON_MERGE:
    case ROUTE_NONE:
    case ROUTE_COUNT: break;
    }
    if (res->status == 0)
        api_fail(&c, QW_ERR_DB);
}

void api_send_rows(struct call *c, const struct args *a, json_t *doc, json_t *rows,
                   const char *const *cols)
{
    if (a->fmt == FMT_JSON) {
        api_json(c, 200, doc);
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    int ncols = 0;
    while (cols[ncols])
        ncols++;
    int fail = strbuf_reserve(&sb, 4096) != 0 ||
               (a->fmt == FMT_CSV && render_header(&sb, cols, ncols) != 0) ||
               render_rows(&sb, rows, a->fmt, cols, ncols) != 0;
    json_decref(doc);
    size_t len;
    char *body = fail ? NULL : strbuf_detach(&sb, &len);
    if (!body) {
        strbuf_free(&sb);
        oom_response(c);
        return;
    }
    c->res->status = 200;
    c->res->cacheable = 1;
    c->res->vary_accept = 1;
    if (a->fmt == FMT_CSV) {
        c->res->content_type = "text/csv; charset=utf-8";
        api_csv_filename(c->req->path, c->res->filename);
    } else {
        c->res->content_type = "application/x-ndjson";
    }
    set_body(c->res, body, len, 0);
}

/* count=exact and facet=...: {"total": N, "facets": {...}} in *meta.
 * QW_ERR_BAD_REQUEST after filling a 400 (a facet the list has not). */
static qw_status list_meta(struct call *c, struct qconn *qc, const struct query_list *q,
                           const struct args *a, json_t **meta)
{
    for (int i = 0; i < a->nfacets; i++)
        if (!query_facet_allowed(q->list, a->facet_order[i])) {
            char detail[QW_ERRLEN];
            snprintf(detail, sizeof detail, "This list has no facet '%s'.",
                     query_facet_name(a->facet_order[i]));
            api_bad_param(c, "facet", detail);
            return QW_ERR_BAD_REQUEST;
        }
    json_t *m = json_object(), *facets = a->nfacets ? json_object() : NULL;
    int oom = !m || (a->nfacets && !facets);
    qw_status st = QW_OK;
    if (!oom && a->count_exact) {
        int64_t n = 0;
        st = query_total(qc, q, &n);
        if (st == QW_OK)
            query_set(m, "total", json_integer(n), &oom);
    }
    for (int i = 0; st == QW_OK && !oom && i < a->nfacets; i++) {
        json_t *arr = NULL;
        st = query_facet(qc, q, a->facet_order[i], &arr);
        if (st == QW_OK)
            query_set(facets, query_facet_name(a->facet_order[i]), arr, &oom);
    }
    if (st == QW_OK && !oom && facets) {
        query_set(m, "facets", facets, &oom);
        facets = NULL;
    }
    json_decref(facets);
    if (st == QW_OK && oom)
        st = QW_ERR_NOMEM;
    if (st != QW_OK) {
        json_decref(m);
        return st;
    }
    *meta = m;
    return QW_OK;
}

void api_list_run(struct call *c, struct qconn *qc, api_list_query fetch,
                  const struct query_list *q, const struct args *a, enum csv_kind kind)
{
    if (a->limit_all) {
        api_export(c, fetch, q, a, kind);
        return;
    }
    struct cursor next;
    int has_next = 0;
    /* JSON: the rows are written into the body as they come, with no tree;
     * CSV and NDJSON render from the rows' trees */
    struct strbuf body = STRBUF_INIT;
    struct query_out out = {.items = NULL};
    int json = a->fmt == FMT_JSON;
    if (json) {
        out.text = &body;
        if (strbuf_reserve(&body, 16384) != 0 || strbuf_puts(&body, "{\"items\":[") != 0) {
            strbuf_free(&body);
            api_fail(c, QW_ERR_NOMEM);
            return;
        }
    } else if (!(out.items = json_array())) {
        api_fail(c, QW_ERR_NOMEM);
        return;
    }
    json_t *meta = NULL;
    qw_status st = fetch(qc, q, &out, &next, &has_next);
    query_out_free(&out);
    if (st == QW_OK && (a->count_exact || a->nfacets))
        st = list_meta(c, qc, q, a, &meta);
    if (st == QW_OK && json && strbuf_putc(&body, ']') != 0)
        st = QW_ERR_NOMEM;
    if (st != QW_OK) {
        strbuf_free(&body);
        json_decref(out.items);
        if (st != QW_ERR_BAD_REQUEST)
            api_fail(c, st);
        json_decref(meta);
        return;
    }
    if (json)
        send_page(c, &body, has_next, &next, a, meta);
    else
        api_list(c, out.items, has_next, &next, a, kind, meta);
    json_decref(meta);
}

void api_item(struct call *c, api_item_text_query fetch)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    struct strbuf body = STRBUF_INIT;
    qw_status st = strbuf_reserve(&body, 4096) != 0 ? QW_ERR_NOMEM : fetch(qc, c->m.id, &body);
    size_t len = 0;
    char *b = st == QW_OK ? strbuf_detach(&body, &len) : NULL;
    strbuf_free(&body);
    if (st != QW_OK) {
        api_fail(c, st);
        return;
    }
    if (!b) {
        oom_response(c);
        return;
    }
    c->res->status = 200;
    c->res->content_type = "application/json; charset=utf-8";
    c->res->cacheable = 1;
    set_body(c->res, b, len, 0);
}

int api_body_too_large(struct call *c)
{
    if (!c->req->body_too_large)
        return 0;
    char detail[QW_ERRLEN];
    snprintf(detail, sizeof detail, "The body is larger than the limit of %zu bytes.",
             c->api->max_body);
    api_problem(c, 413, "too-large", NULL, detail, NULL, NULL);
    return 1;
}

json_t *api_json_object(struct call *c)
{
    json_error_t jerr;
    json_t *o = json_loadb(c->req->body ? c->req->body : "", c->req->body_len,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!o) {
        char detail[QW_ERRLEN];
        snprintf(detail, sizeof detail, "The body is not valid JSON (line %d, column %d).",
                 jerr.line, jerr.column);
        api_problem(c, 400, "bad-request", NULL, detail, NULL, NULL);
        return NULL;
    }
    if (!json_is_object(o)) {
        api_problem(c, 422, "unprocessable", NULL, "The body must be a JSON object.", NULL, NULL);
        json_decref(o);
        return NULL;
    }
    return o;
}

void api_item_or_gone(struct call *c, api_item_text_query fetch, const char *target)
{
    api_item(c, fetch);
    if (c->res->status != 404 || !c->qc)
        return;
    char detail[QW_ERRLEN];
    if (query_gone(c->qc, target, c->m.id, detail) == QW_OK && detail[0]) {
        api_response_free(c->res);
        memset(c->res, 0, sizeof *c->res);
        api_problem(c, 404, "not-found", NULL, detail, NULL, NULL);
    }
}

int api_search(struct call *c, const struct args *a, struct strbuf *fts, struct query_list *q)
{
    if (!a->q)
        return 0;
    char detail[QW_ERRLEN];
    qw_status st = search_fts(a->q, a->q_len, fts, detail);
    if (st == QW_ERR_BAD_REQUEST) {
        api_bad_param(c, "q", detail);
        return -1;
    }
    if (st != QW_OK) { /* api_args leaves a blank q out: only NOMEM is left */
        api_fail(c, QW_ERR_NOMEM);
        return -1;
    }
    q->fts = fts->p;
    q->fts_len = fts->len;
    return 0;
}
