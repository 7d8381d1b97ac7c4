/* /stats/timeseries, /stats/top, /stats/gender, /people/{id}/co-mentions:
 * the aggregates dashboards chart (include/stats.h does the counting). */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "stats.h"

/* Looks v up in names[0..n); -1 when absent (v not given: dflt). */
static int pick(struct api_name v, const char *const *names, int n, int dflt)
{
    if (!v.p)
        return dflt;
    for (int i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == v.n && memcmp(v.p, names[i], v.n) == 0)
            return i;
    return -1;
}

struct common {
    struct args a;
    struct query_list f;
    struct strbuf fts;
    struct stats_query sq;
};

/* Parses what every aggregate takes: the filters (q searched in quotes
 * for the quote metric, else in articles), metric, limit (default dflt,
 * at most 100).  Returns 0, or -1 after a 400. */
static int common_args(struct call *c, unsigned allowed, int dflt_limit, struct common *x)
{
    struct args *a = &x->a;
    x->fts = (struct strbuf)STRBUF_INIT;
    if (api_args(c, allowed, a) != 0)
        return -1;
    if (a->limit_all) {
        api_bad_param(c, "limit", "Parameter 'limit' must be an integer from 1 to 100.");
        return -1;
    }
    if (!(a->seen & P_LIMIT))
        a->limit = dflt_limit;
    if (a->limit > 100) {
        api_bad_param(c, "limit", "Parameter 'limit' must be an integer from 1 to 100.");
        return -1;
    }
    static const char *const metrics[] = {"quotes", "articles", "mentions"};
    int m = pick(a->metric, metrics, 3, STATS_QUOTES);
    if (m < 0) {
        api_bad_param(c, "metric", "Parameter 'metric' must be quotes, articles or mentions.");
        return -1;
    }
    if (m != STATS_QUOTES && a->kind) {
        api_bad_param(c, "kind", "Parameter 'kind' applies to metric=quotes only.");
        return -1;
    }
    if (m != STATS_QUOTES && a->distinct) {
        api_bad_param(c, "distinct", "Parameter 'distinct' applies to metric=quotes only "
                                     "(it counts each quotation once however many articles "
                                     "carry it).");
        return -1;
    }
    memset(&x->f, 0, sizeof x->f);
    x->f.list = m == STATS_QUOTES && c->m.route != ROUTE_PERSON_CO_MENTIONS ? CUR_QUOTES
                                                                            : CUR_ARTICLES;
    if (api_search(c, a, &x->fts, &x->f) != 0)
        return -1;
    x->f.person_mode = a->pmode;
    x->f.person_id = a->person_id;
    x->f.person = a->person;
    x->f.person_len = a->person_len;
    x->f.source = a->source;
    x->f.source_len = a->source_len;
    x->f.section = a->section;
    x->f.section_len = a->section_len;
    x->f.since = a->since[0] ? a->since : NULL;
    x->f.until = a->until[0] ? a->until : NULL;
    x->f.kind = a->kind;
    x->f.gender = a->gender;
    x->sq = (struct stats_query){.metric = (enum stats_metric)m, .distinct = a->distinct,
                                 .limit = a->limit, .f = &x->f};
    return 0;
}

static int interval_arg(struct call *c, struct common *x, int dflt)
{
    static const char *const names[] = {"day", "week", "month", "year"};
    int i = pick(x->a.interval, names, 4, dflt);
    if (i < 0) {
        api_bad_param(c, "interval", "Parameter 'interval' must be day, week, month or year.");
        return -1;
    }
    x->sq.interval = (enum stats_interval)i;
    return 0;
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

/* The series and its envelope; NULL after filling the problem. */
static json_t *series_doc(struct call *c, struct common *x, json_t **rows_out)
{
    struct qconn *qc = api_conn(c);
    if (!qc)
        return NULL;
    json_t *groups = NULL, *rows = NULL;
    char from[11], to[11], err[QW_ERRLEN] = "";
    int64_t undated = 0;
    qw_status st = stats_timeseries(qc, &x->sq, &groups, &rows, from, to, &undated, err);
    if (st == QW_ERR_BAD_REQUEST) {
        api_bad_param(c, "interval", err);
        return NULL;
    }
    if (st != QW_OK) {
        api_fail(c, st);
        return NULL;
    }
    json_t *doc = json_object();
    int oom = 0;
    query_set(doc, "metric", json_string(stats_metric_name(x->sq.metric)), &oom);
    query_set(doc, "interval", json_string(stats_interval_name(x->sq.interval)), &oom);
    query_set(doc, "by", str_or_null(stats_by_name(x->sq.by)), &oom);
    query_set(doc, "distinct", json_boolean(x->sq.distinct), &oom);
    query_set(doc, "from", str_or_null(from), &oom);
    query_set(doc, "to", str_or_null(to), &oom);
    query_set(doc, "undated", json_integer(undated), &oom);
    query_set(doc, "groups", groups, &oom);
    *rows_out = rows;
    query_set(doc, "series", rows, &oom);
    if (oom) {
        json_decref(doc);
        api_fail(c, QW_ERR_NOMEM);
        return NULL;
    }
    return doc;
}

void api_stats_timeseries(struct call *c)
{
    struct common x;
    if (common_args(c, P_FILTERS | P_METRIC | P_INTERVAL | P_BY | P_DISTINCT | P_LIMIT | P_FORMAT,
                    10, &x) != 0 ||
        interval_arg(c, &x, STATS_MONTH) != 0)
        goto out;
    static const char *const bys[] = {NULL, "person", "source", "section", "gender", "kind"};
    int by = pick(x.a.by, bys, 6, STATS_BY_NONE);
    if (by < 0 || (by == STATS_BY_KIND && x.sq.metric != STATS_QUOTES)) {
        api_bad_param(c, "by", x.sq.metric == STATS_QUOTES || by < 0
                                   ? "Parameter 'by' must be person, source, section, gender or "
                                     "kind."
                                   : "Parameter 'by' is kind with metric=quotes only.");
        goto out;
    }
    x.sq.by = (enum stats_by)by;
    json_t *rows = NULL;
    json_t *doc = series_doc(c, &x, &rows);
    if (!doc)
        goto out;
    static const char *const plain[] = {"bucket", "count", NULL};
    static const char *const grouped[] = {"bucket", "group", "count", NULL};
    static const char *const people[] = {"bucket", "group", "person_id", "count", NULL};
    api_send_rows(c, &x.a, doc, rows,
                  by == STATS_BY_NONE ? plain : by == STATS_BY_PERSON ? people : grouped);
out:
    strbuf_free(&x.fts);
}

void api_stats_gender(struct call *c)
{
    struct common x;
    if (common_args(c, (P_FILTERS & ~P_GENDER) | P_INTERVAL | P_DISTINCT | P_FORMAT, 10, &x) !=
            0 ||
        interval_arg(c, &x, STATS_YEAR) != 0)
        goto out;
    x.sq.by = STATS_BY_GENDER;
    json_t *rows = NULL;
    json_t *doc = series_doc(c, &x, &rows);
    if (!doc)
        goto out;
    /* pivot: one row per bucket with the three counts and their shares */
    json_t *out_rows = json_array();
    int oom = !out_rows;
    size_t i;
    json_t *r, *cur = NULL;
    json_array_foreach(rows, i, r) {
        if (oom)
            break;
        const char *b = json_string_value(json_object_get(r, "bucket"));
        const char *g = json_string_value(json_object_get(r, "group"));
        json_int_t n = json_integer_value(json_object_get(r, "count"));
        if (!cur || strcmp(json_string_value(json_object_get(cur, "bucket")), b) != 0) {
            cur = json_object();
            query_set(cur, "bucket", json_string(b), &oom);
            query_set(cur, "female", json_integer(0), &oom);
            query_set(cur, "male", json_integer(0), &oom);
            query_set(cur, "unknown", json_integer(0), &oom);
            if (!cur || json_array_append_new(out_rows, cur) != 0) {
                oom = 1;
                break;
            }
        }
        if (g)
            query_set(cur, g, json_integer(n), &oom);
    }
    json_array_foreach(out_rows, i, r) {
        if (oom)
            break;
        json_int_t f = json_integer_value(json_object_get(r, "female"));
        json_int_t m = json_integer_value(json_object_get(r, "male"));
        json_int_t u = json_integer_value(json_object_get(r, "unknown"));
        json_int_t t = f + m + u;
        query_set(r, "total", json_integer(t), &oom);
        query_set(r, "share_female", t ? json_real((double)f / (double)t) : json_null(), &oom);
        query_set(r, "share_male", t ? json_real((double)m / (double)t) : json_null(), &oom);
        query_set(r, "share_unknown", t ? json_real((double)u / (double)t) : json_null(), &oom);
    }
    json_object_del(doc, "groups");
    json_object_del(doc, "by");
    json_object_del(doc, "metric");
    query_set(doc, "series", out_rows, &oom); /* replaces the per-group rows */
    if (oom) {
        json_decref(doc);
        api_fail(c, QW_ERR_NOMEM);
        goto out;
    }
    static const char *const cols[] = {"bucket",       "female",     "male",
                                       "unknown",      "total",      "share_female",
                                       "share_male",   "share_unknown", NULL};
    api_send_rows(c, &x.a, doc, out_rows, cols);
out:
    strbuf_free(&x.fts);
}

void api_stats_top(struct call *c)
{
    struct common x;
    if (common_args(c, P_FILTERS | P_OF | P_METRIC | P_DISTINCT | P_LIMIT | P_FORMAT, 10, &x) !=
        0)
        goto out;
    static const char *const ofs[] = {"people", "sources", "sections"};
    int of = pick(x.a.of, ofs, 3, STATS_OF_PEOPLE);
    if (of < 0) {
        api_bad_param(c, "of", "Parameter 'of' must be people, sources or sections.");
        goto out;
    }
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    json_t *items = NULL;
    qw_status st = stats_top(qc, &x.sq, (enum stats_of)of, &items);
    if (st != QW_OK) {
        api_fail(c, st);
        goto out;
    }
    json_t *doc = json_object();
    int oom = 0;
    query_set(doc, "of", json_string(stats_of_name((enum stats_of)of)), &oom);
    query_set(doc, "metric", json_string(stats_metric_name(x.sq.metric)), &oom);
    query_set(doc, "distinct", json_boolean(x.sq.distinct), &oom);
    query_set(doc, "items", items, &oom);
    if (oom) {
        json_decref(doc);
        api_fail(c, QW_ERR_NOMEM);
        goto out;
    }
    static const char *const pcols[] = {"rank", "id", "name", "gender", "count", NULL};
    static const char *const vcols[] = {"rank", "value", "count", NULL};
    api_send_rows(c, &x.a, doc, items, of == STATS_OF_PEOPLE ? pcols : vcols);
out:
    strbuf_free(&x.fts);
}

void api_co_mentions(struct call *c)
{
    struct common x;
    if (common_args(c, P_Q | P_SINCE | P_UNTIL | P_SOURCE | P_SECTION | P_GENDER | P_LIMIT | P_FORMAT,
                    20, &x) != 0)
        goto out;
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    json_t *person = NULL;
    qw_status st = query_person(qc, c->m.id, &person);
    json_t *items = NULL;
    if (st == QW_OK)
        st = stats_co_mentions(qc, c->m.id, &x.f, x.a.limit, &items);
    if (st != QW_OK) {
        json_decref(person);
        api_fail(c, st);
        goto out;
    }
    json_t *doc = json_object(), *who = json_object();
    int oom = 0;
    query_set(who, "id", json_integer(c->m.id), &oom);
    query_set(who, "name", json_incref(json_object_get(person, "name")), &oom);
    json_decref(person);
    query_set(doc, "person", who, &oom);
    query_set(doc, "items", items, &oom);
    if (oom) {
        json_decref(doc);
        api_fail(c, QW_ERR_NOMEM);
        goto out;
    }
    static const char *const cols[] = {"id", "name", "gender", "articles", "quotes", NULL};
    api_send_rows(c, &x.a, doc, items, cols);
out:
    strbuf_free(&x.fts);
}
