/* People queries: lists, single items, the people of one article. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "query.h"

/* Appends the rows of a one-column text query on ?1 = id, ?2 = LIMIT, as a
 * JSON array. */
static qw_status text_list(struct qconn *c, const char *sql, size_t len, int64_t id, int limit,
                           json_t **out)
{
    qw_status st = QW_OK;
    *out = NULL;
    sqlite3_stmt *s = qconn_stmt(c, sql, len, &st);
    if (!s)
        return st;
    json_t *arr = json_array();
    if (!arr) {
        st = QW_ERR_NOMEM;
        goto out;
    }
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *v = query_json_text(s, 0);
        if (!v || json_array_append_new(arr, v) != 0) {
            st = QW_ERR_NOMEM;
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
out:
    qconn_release(c, s);
    if (st == QW_OK)
        *out = arr;
    else
        json_decref(arr);
    return st;
}

/* Columns 0..4: id, name, gender, article_count, quote_count. */
#define PERSON_COLS "p.id, p.name, p.gender, p.article_count, p.quote_count, p.curated"

/* A list item names at most LIST_NAMES roles and aliases (one person can
 * have over a thousand roles at a million articles); role_count and
 * alias_count give the totals, and /people/{id} the full lists. */
#define LIST_NAMES 10

/* Sets o[key] to the rows of sql (text_list) and o[count_key] to their
 * number, with at most cap rows when cap > 0 (the total then counted by
 * count_sql only when there are more). */
static qw_status name_list(struct qconn *c, json_t *o, const char *key, const char *count_key,
                           const char *sql, size_t len, const char *count_sql, int64_t id,
                           int cap, int *oom)
{
    json_t *arr = NULL;
    qw_status st = text_list(c, sql, len, id, cap > 0 ? cap + 1 : -1, &arr);
    if (st != QW_OK)
        return st;
    int64_t n = (int64_t)json_array_size(arr);
    if (cap > 0 && n > cap) {
        json_array_remove(arr, (size_t)cap);
        sqlite3_stmt *s = qconn_stmt(c, count_sql, strlen(count_sql), &st);
        if (!s) {
            json_decref(arr);
            return st;
        }
        sqlite3_bind_int64(s, 1, id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            n = sqlite3_column_int64(s, 0);
        else
            st = qconn_fail(c, rc);
        qconn_release(c, s);
        if (st != QW_OK) {
            json_decref(arr);
            return st;
        }
    }
    query_set(o, key, arr, oom);
    query_set(o, count_key, json_integer(n), oom);
    return QW_OK;
}

/* cap: LIST_NAMES in lists, 0 (everything) for one person. */
static qw_status person_row(struct qconn *c, sqlite3_stmt *s, json_t **out, int cap)
{
    static const char roles[] =
        "SELECT role FROM person_roles WHERE person_id = ?1 ORDER BY role LIMIT ?2";
    static const char aliases[] =
        "SELECT alias FROM person_aliases WHERE person_id = ?1 ORDER BY alias LIMIT ?2";
    int oom = 0;
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return QW_ERR_NOMEM;
    int64_t id = sqlite3_column_int64(s, 0);
    query_set(o, "id", json_integer(id), &oom);
    query_set(o, "name", query_json_text(s, 1), &oom);
    query_set(o, "gender", query_json_text(s, 2), &oom);
    qw_status st = name_list(c, o, "roles", "role_count", roles, sizeof roles - 1,
                             "SELECT count(*) FROM person_roles WHERE person_id = ?1", id, cap,
                             &oom);
    if (st != QW_OK)
        goto fail;
    st = name_list(c, o, "aliases", "alias_count", aliases, sizeof aliases - 1,
                   "SELECT count(*) FROM person_aliases WHERE person_id = ?1", id, cap, &oom);
    if (st != QW_OK)
        goto fail;
    query_set(o, "article_count", json_integer(sqlite3_column_int64(s, 3)), &oom);
    query_set(o, "quote_count", json_integer(sqlite3_column_int64(s, 4)), &oom);
    query_set(o, "curated", json_boolean(sqlite3_column_int(s, 5) != 0), &oom);
    char self[48], quotes[64], articles[64];
    snprintf(self, sizeof self, "/people/%" PRId64, id);
    snprintf(quotes, sizeof quotes, "/people/%" PRId64 "/quotes", id);
    snprintf(articles, sizeof articles, "/people/%" PRId64 "/articles", id);
    json_t *l = json_object();
    if (l) {
        query_set(l, "self", json_string_nocheck(self), &oom);
        query_set(l, "quotes", json_string_nocheck(quotes), &oom);
        query_set(l, "articles", json_string_nocheck(articles), &oom);
    }
    query_set(o, "links", l, &oom);
    if (oom) {
        st = QW_ERR_NOMEM;
        goto fail;
    }
    *out = o;
    return QW_OK;
fail:
    json_decref(o);
    return st;
}

static void set_next(struct cursor *next, const struct query_list *q, sqlite3_stmt *s,
                     int *too_long)
{
    memset(next, 0, offsetof(struct cursor, skey));
    next->list = q->list;
    next->sort = q->sort;
    next->id = sqlite3_column_int64(s, 0);
    switch (q->sort) {
    case SORT_NAME:
    case SORT_NAME_DESC: {
        const unsigned char *t = sqlite3_column_text(s, 1);
        size_t len = (size_t)sqlite3_column_bytes(s, 1);
        if (!t || len > CURSOR_MAX_TEXT) {
            *too_long = 1;
            return;
        }
        memcpy(next->skey, t, len);
        next->skey[len] = '\0';
        next->skey_len = len;
        break;
    }
    case SORT_ARTICLES:
    case SORT_ARTICLES_DESC: next->ikey = sqlite3_column_int64(s, 3); break;
    case SORT_QUOTES:
    case SORT_QUOTES_DESC: next->ikey = sqlite3_column_int64(s, 4); break;
    case SORT_FIRST: next->ikey = sqlite3_column_int64(s, 6); break;
    default: break;
    }
}

static qw_status run_list(struct qconn *c, const struct query_list *q, struct sqlbuf *b,
                          struct query_out *out, struct cursor *next, int *has_next,
                          int mentions)
{
    static const char msql[] = "SELECT start, end, text FROM mentions"
                               " WHERE article_id = ?1 AND person_id = ?2 ORDER BY start";
    *has_next = 0;
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, b, q, &st);
    if (!s)
        return st;
    int rc;
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == q->limit) {
            *has_next = 1;
            break;
        }
        json_t *o = NULL;
        st = person_row(c, s, &o, LIST_NAMES);
        if (st != QW_OK)
            goto out;
        if (mentions) {
            sqlite3_stmt *m = qconn_stmt(c, msql, sizeof msql - 1, &st);
            json_t *arr = m ? json_array() : NULL;
            int oom = !arr;
            if (m) {
                sqlite3_bind_int64(m, 1, q->article_id);
                sqlite3_bind_int64(m, 2, sqlite3_column_int64(s, 0));
                int mrc;
                while (!oom && (mrc = sqlite3_step(m)) == SQLITE_ROW) {
                    json_t *mo = json_object();
                    if (!mo) {
                        oom = 1;
                        break;
                    }
                    query_set(mo, "start", json_integer(sqlite3_column_int64(m, 0)), &oom);
                    query_set(mo, "end", json_integer(sqlite3_column_int64(m, 1)), &oom);
                    query_set(mo, "text", query_json_text(m, 2), &oom);
                    if (json_array_append_new(arr, mo) != 0)
                        oom = 1;
                }
                if (!oom && mrc != SQLITE_DONE)
                    st = qconn_fail(c, mrc);
                qconn_release(c, m);
            }
            if (oom && st == QW_OK)
                st = QW_ERR_NOMEM;
            if (st != QW_OK) {
                json_decref(arr);
                json_decref(o);
                goto out;
            }
            query_set(o, "mentions", arr, &oom);
            if (oom) {
                json_decref(o);
                st = QW_ERR_NOMEM;
                goto out;
            }
        }
        if (query_out_tree(out, o) != 0) {
            st = QW_ERR_NOMEM;
            goto out;
        }
        int too_long = 0;
        set_next(next, q, s, &too_long);
        if (too_long) {
            st = QW_ERR_DB;
            goto out;
        }
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
out:
    qconn_release(c, s);
    return st;
}

/* FROM and WHERE of a people list (query_list_where). */
void query_people_where(struct sqlbuf *b, const struct query_list *q)
{
    query_sql(b, " FROM people p WHERE 1");
    if (q->like)
        query_sql(b, " AND (p.name_key LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM"
                     " person_aliases pa WHERE pa.person_id = p.id AND pa.alias_key LIKE ?1"
                     " ESCAPE '\\'))");
    if (q->gender)
        query_sql(b, " AND p.gender IS ?13");
}

qw_status query_people(struct qconn *c, const struct query_list *q, struct query_out *out,
                       struct cursor *next, int *has_next)
{
    struct sqlbuf b = {.len = 0};
    query_sql(&b, "SELECT " PERSON_COLS);
    query_people_where(&b, q);
    const char *key = "p.name COLLATE NOCASE";
    if (q->sort == SORT_QUOTES || q->sort == SORT_QUOTES_DESC)
        key = "p.quote_count";
    else if (q->sort == SORT_ARTICLES || q->sort == SORT_ARTICLES_DESC)
        key = "p.article_count";
    int desc = q->sort == SORT_NAME_DESC || q->sort == SORT_QUOTES_DESC ||
               q->sort == SORT_ARTICLES_DESC;
    query_page(&b, q, " AND", key, "p.id", desc);
    query_sql(&b, " LIMIT ?8");
    return run_list(c, q, &b, out, next, has_next, 0);
}

qw_status query_article_people(struct qconn *c, const struct query_list *q,
                               struct query_out *out, struct cursor *next, int *has_next)
{
    struct sqlbuf b = {.len = 0};
    query_sql(&b, "SELECT " PERSON_COLS ", min(m.start) AS first FROM mentions m"
                  " JOIN people p ON p.id = m.person_id WHERE m.article_id = ?9"
                  " GROUP BY p.id");
    query_page(&b, q, " HAVING", "first", "p.id", 0);
    query_sql(&b, " LIMIT ?8");
    return run_list(c, q, &b, out, next, has_next, 1);
}

static qw_status person_item_row(struct qconn *c, sqlite3_stmt *s, int64_t id, void *out)
{
    (void)id;
    json_t **o = out;
    *o = NULL;
    return person_row(c, s, o, 0);
}

qw_status query_person(struct qconn *c, int64_t id, json_t **out)
{
    return query_by_id(c, "SELECT " PERSON_COLS " FROM people p WHERE p.id = ?1", id,
                       person_item_row, out);
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return strbuf_append(data, buf, size);
}

qw_status query_person_text(struct qconn *c, int64_t id, struct strbuf *out)
{
    json_t *o = NULL;
    qw_status st = query_person(c, id, &o);
    if (st == QW_OK && json_dump_callback(o, dump_cb, out, JSONW_DUMP_FLAGS) != 0)
        st = QW_ERR_NOMEM;
    json_decref(o);
    return st;
}

qw_status query_person_exists(struct qconn *c, int64_t id)
{
    return query_by_id(c, "SELECT 1 FROM people WHERE id = ?1", id, NULL, NULL);
}
