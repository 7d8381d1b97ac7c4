/* Totals (count=exact) and facets (facet=source,...) of the lists: counted
 * over the same FROM and WHERE as the list's pages. */
#include <string.h>

#include "query.h"

void query_list_where(struct sqlbuf *b, const struct query_list *q)
{
    switch (q->list) {
    case CUR_ARTICLES: query_articles_where(b, q); break;
    case CUR_PEOPLE: query_people_where(b, q); break;
    case CUR_ARTICLE_PEOPLE:
        query_sql(b, " FROM people p WHERE p.id IN (SELECT person_id FROM mentions"
                     " WHERE article_id = ?9)");
        if (q->gender)
            query_sql(b, " AND p.gender IS ?13");
        break;
    default: query_quotes_where(b, q, 0); break; /* every quote list */
    }
}

qw_status query_total(struct qconn *c, const struct query_list *q, int64_t *out)
{
    struct sqlbuf b = {.len = 0};
    query_sql(&b, "SELECT count(*)");
    query_list_where(&b, q);
    return query_count(c, &b, q, out);
}

static const char *const facet_names[QF_COUNT] = {"source", "section", "kind", "gender"};

const char *query_facet_name(enum query_facet f)
{
    return f < QF_COUNT ? facet_names[f] : "";
}

static int is_quotes(enum cursor_list l)
{
    return l != CUR_ARTICLES && l != CUR_PEOPLE && l != CUR_ARTICLE_PEOPLE;
}

int query_facet_allowed(enum cursor_list list, enum query_facet f)
{
    if (is_quotes(list))
        return f < QF_COUNT;
    if (list == CUR_ARTICLES)
        return f == QF_SOURCE || f == QF_SECTION;
    return f == QF_GENDER; /* people */
}

/* The facet's value as an SQL expression over the list's aliases. */
static const char *facet_expr(enum cursor_list list, enum query_facet f)
{
    if (list == CUR_ARTICLES)
        return f == QF_SOURCE ? "a.source" : "a.section";
    if (!is_quotes(list))
        return "coalesce(p.gender, 'unknown')";
    switch (f) {
    case QF_SOURCE: return "q.pub_source";
    case QF_SECTION: return "q.pub_section";
    case QF_KIND: return "q.kind";
    default:
        /* a person of unknown gender is "unknown"; a speaker who is no
         * person (an organisation, "a spokesman") has no gender: null */
        return "(SELECT coalesce(gender, 'unknown') FROM people WHERE id = q.speaker_person_id)";
    }
}

static json_t *facet_row(sqlite3_stmt *s, void *ctx, int *oom)
{
    (void)ctx;
    json_t *o = json_object();
    query_set(o, "value", query_json_text(s, 0), oom);
    query_set(o, "count", json_integer(sqlite3_column_int64(s, 1)), oom);
    return o;
}

qw_status query_facet(struct qconn *c, const struct query_list *q, enum query_facet f,
                      json_t **out)
{
    *out = NULL;
    struct sqlbuf b = {.len = 0};
    query_sql(&b, "SELECT ");
    query_sql(&b, facet_expr(q->list, f));
    query_sql(&b, " AS v, count(*) AS n");
    query_list_where(&b, q);
    /* NOCASE columns group "BBC" and "bbc" as one value, as the filter
     * matches them */
    query_sql(&b, " GROUP BY v ORDER BY n DESC, v LIMIT 50"); /* QUERY_FACET_MAX */
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, &b, q, &st);
    return s ? query_rows(c, s, facet_row, NULL, out) : st;
}
