/* The audit trail of corrections, as a list (GET /corrections). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "query.h"

enum { K_ID, K_AT, K_ACTOR, K_TARGET, K_TARGET_ID, K_FIELD, K_BEFORE, K_AFTER, K_START, K_END,
       K_PERSON_KEY, K_INTO_KEY, K_ARTICLE, K_MATCHED };

/* A stored JSON text as a value (an unreadable one as null). */
static json_t *json_col(sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *int_or_null(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? json_null()
                                                      : json_integer(sqlite3_column_int64(s, col));
}

static json_t *correction_row(sqlite3_stmt *s, int *oom)
{
    json_t *o = json_object();
    if (!o) {
        *oom = 1;
        return NULL;
    }
    const char *target = (const char *)sqlite3_column_text(s, K_TARGET);
    int quote = target && strcmp(target, "quote") == 0;
    query_set(o, "id", json_integer(sqlite3_column_int64(s, K_ID)), oom);
    query_set(o, "at", query_json_text(s, K_AT), oom);
    query_set(o, "actor", query_json_text(s, K_ACTOR), oom);
    query_set(o, "target", query_json_text(s, K_TARGET), oom);
    query_set(o, "target_id", int_or_null(s, K_TARGET_ID), oom);
    query_set(o, "field", query_json_text(s, K_FIELD), oom);
    query_set(o, "before", json_col(s, K_BEFORE), oom);
    query_set(o, "after", json_col(s, K_AFTER), oom);
    query_set(o, "article_id", int_or_null(s, K_ARTICLE), oom);
    query_set(o, "start", int_or_null(s, K_START), oom);
    query_set(o, "end", int_or_null(s, K_END), oom);
    query_set(o, "person_key", query_json_text(s, K_PERSON_KEY), oom);
    query_set(o, "into_key", query_json_text(s, K_INTO_KEY), oom);
    /* applied; orphaned: the article's extraction no longer finds the span;
     * waiting: no stored article has that text (deleted: it applies again
     * when the same text is loaded or posted) */
    const char *state = !quote                                          ? "applied"
                        : sqlite3_column_type(s, K_ARTICLE) == SQLITE_NULL ? "waiting"
                        : sqlite3_column_int(s, K_MATCHED) == 0          ? "orphaned"
                                                                          : "applied";
    query_set(o, "state", json_string(state), oom);
    char link[48];
    snprintf(link, sizeof link, "/%s/%" PRId64, quote ? "quotes" : "people",
             (int64_t)sqlite3_column_int64(s, K_TARGET_ID));
    json_t *l = json_object();
    if (l)
        query_set(l, "target", json_string(link), oom);
    query_set(o, "links", l, oom);
    return o;
}

qw_status query_gone(struct qconn *c, const char *target, int64_t id, char detail[QW_ERRLEN])
{
    int quote = strcmp(target, "quote") == 0;
    const char *sql =
        quote ? "SELECT c.id FROM corrections c JOIN quote_edits e ON e.article_hash = c.article_hash"
                " AND e.start = c.span_start AND e.end = c.span_end WHERE c.target = 'quote'"
                " AND c.target_id = ?1 AND c.field = 'status' AND e.status = 'rejected'"
                " ORDER BY c.id DESC LIMIT 1"
              /* the survivor now (merges and renames since move the
               * redirect along), else the one merged into then */
              : "SELECT c.id, coalesce(p.id, json_extract(c.after, '$.into')),"
                " coalesce(p.name, json_extract(c.after, '$.name'))"
                " FROM corrections c LEFT JOIN person_redirects r ON r.from_key = c.person_key"
                " LEFT JOIN people p ON p.name_key = r.to_key WHERE c.target = 'person'"
                " AND c.target_id = ?1 AND c.field = 'merge' ORDER BY c.id DESC LIMIT 1";
    detail[0] = '\0';
    qw_status st = QW_OK;
    sqlite3_stmt *s = qconn_stmt(c, sql, strlen(sql), &st);
    if (!s)
        return st;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && quote)
        snprintf(detail, QW_ERRLEN,
                 "Quote %" PRId64 " was rejected as no quotation (correction %" PRId64
                 ", GET /corrections?target=quote); PATCH it with {\"status\": \"accepted\"} to "
                 "bring it back.",
                 id, (int64_t)sqlite3_column_int64(s, 0));
    else if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 2);
        snprintf(detail, QW_ERRLEN, "Person %" PRId64 " was merged into %.80s: /people/%" PRId64 ".",
                 id, name ? name : "another person", (int64_t)sqlite3_column_int64(s, 1));
    } else if (rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}

qw_status query_corrections(struct qconn *c, const struct query_corrections *f, json_t *items,
                            struct cursor *next, int *has_next)
{
    struct sqlbuf b;
    b.len = 0;
    b.over = 0;
    b.buf[0] = '\0';
    query_sql(&b, "SELECT c.id, c.at, c.actor, c.target, c.target_id, c.field, c.before, c.after,"
                  " c.span_start, c.span_end, c.person_key, c.into_key,"
                  " (SELECT a.id FROM articles a WHERE a.content_hash = c.article_hash),"
                  " coalesce(e.matched, 1) FROM corrections c LEFT JOIN quote_edits e"
                  " ON e.article_hash = c.article_hash AND e.start = c.span_start"
                  " AND e.end = c.span_end WHERE 1");
    if (f->target)
        query_sql(&b, " AND c.target = ?1");
    if (f->actor)
        query_sql(&b, " AND c.actor = ?2");
    if (f->since)
        query_sql(&b, " AND c.at >= ?3");
    if (f->until)
        query_sql(&b, " AND c.at < date(?4, '+1 day')");
    if (f->orphaned >= 0)
        query_sql(&b, f->orphaned ? " AND c.target = 'quote' AND e.matched = 0 AND EXISTS"
                                    " (SELECT 1 FROM articles a WHERE a.content_hash = c.article_hash)"
                                  : " AND NOT (c.target = 'quote' AND coalesce(e.matched, 1) = 0"
                                    " AND EXISTS (SELECT 1 FROM articles a"
                                    " WHERE a.content_hash = c.article_hash))");
    if (f->after)
        query_sql(&b, f->desc ? " AND c.id < ?5" : " AND c.id > ?5");
    query_sql(&b, f->desc ? " ORDER BY c.id DESC LIMIT ?6" : " ORDER BY c.id LIMIT ?6");
    if (b.over)
        return QW_ERR_NOMEM;
    qw_status st = QW_OK;
    sqlite3_stmt *s = qconn_stmt(c, b.buf, b.len, &st);
    if (!s)
        return st;
    int n = sqlite3_bind_parameter_count(s);
    if (f->target)
        sqlite3_bind_text(s, 1, f->target, -1, SQLITE_STATIC);
    if (f->actor)
        sqlite3_bind_text(s, 2, f->actor, (int)f->actor_len, SQLITE_STATIC);
    if (f->since)
        sqlite3_bind_text(s, 3, f->since, -1, SQLITE_STATIC);
    if (f->until)
        sqlite3_bind_text(s, 4, f->until, -1, SQLITE_STATIC);
    if (f->after)
        sqlite3_bind_int64(s, 5, f->after->id);
    if (n >= 6)
        sqlite3_bind_int(s, 6, f->limit + 1);
    *has_next = 0;
    int rc, count = 0, oom = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (count == f->limit) {
            *has_next = 1;
            break;
        }
        json_t *o = correction_row(s, &oom);
        if (o && json_array_append_new(items, o) != 0)
            oom = 1;
        if (oom)
            break;
        memset(next, 0, offsetof(struct cursor, skey));
        next->list = CUR_CORRECTIONS;
        next->sort = f->desc ? SORT_ID_DESC : SORT_ID;
        next->id = sqlite3_column_int64(s, K_ID);
        count++;
    }
    if (oom)
        st = QW_ERR_NOMEM;
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}
