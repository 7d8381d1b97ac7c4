/* Helpers shared by the read-side query modules. */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "query.h"
#include "strbuf.h"
#include "utf8.h"

/* A JSON string of t[0..n); bytes that are not UTF-8 (ingest should have
 * prevented them; file names may hold them) become U+FFFD instead of
 * failing the whole response. */
static json_t *lossy_text(const char *t, size_t n)
{
    json_t *j = json_stringn(t, n);
    if (j)
        return j;
    size_t cap = n * 3 + 1;
    char *fixed = malloc(cap);
    if (!fixed)
        return NULL;
    size_t i = 0, o = 0;
    while (i < n)
        o += utf8_encode(utf8_next(t, n, &i), fixed + o);
    j = json_stringn(fixed, o);
    free(fixed);
    return j;
}

json_t *query_json_text(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return json_null();
    const char *t = (const char *)sqlite3_column_text(s, col);
    int n = sqlite3_column_bytes(s, col);
    if (!t)
        return NULL;
    return lossy_text(t, (size_t)n);
}

void query_set(json_t *o, const char *key, json_t *v, int *oom)
{
    if (!v || json_object_set_new_nocheck(o, key, v) != 0)
        *oom = 1;
}

void query_sql(struct sqlbuf *b, const char *frag)
{
    size_t n = strlen(frag);
    if (b->over || b->len + n >= sizeof b->buf) {
        b->over = 1;
        return;
    }
    memcpy(b->buf + b->len, frag, n + 1);
    b->len += n;
}

qw_status query_by_id(struct qconn *c, const char *sql, int64_t id, query_row_fn row,
                      void *out)
{
    qw_status st = QW_OK;
    sqlite3_stmt *s = qconn_stmt(c, sql, strlen(sql), &st);
    if (!s)
        return st;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        st = row ? row(c, s, id, out) : QW_OK;
    else if (rc == SQLITE_DONE)
        st = QW_ERR_NOT_FOUND;
    else
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}

static int query_bind(sqlite3_stmt *s, const struct query_list *q)
{
    int rc = SQLITE_OK;
    int n = sqlite3_bind_parameter_count(s);
#define B(i, call)                                                                             \
    do {                                                                                       \
        if ((i) <= n && rc == SQLITE_OK)                                                       \
            rc = (call);                                                                       \
    } while (0)
    if (q->fts)
        B(1, sqlite3_bind_text(s, 1, q->fts, (int)q->fts_len, SQLITE_STATIC));
    else if (q->like)
        B(1, sqlite3_bind_text(s, 1, q->like, (int)q->like_len, SQLITE_STATIC));
    if (q->person_mode == QP_ID)
        B(2, sqlite3_bind_int64(s, 2, q->person_id));
    else if (q->person_mode == QP_NAME)
        B(2, sqlite3_bind_text(s, 2, q->person, (int)q->person_len, SQLITE_STATIC));
    if (q->source)
        B(3, sqlite3_bind_text(s, 3, q->source, (int)q->source_len, SQLITE_STATIC));
    if (q->since)
        B(4, sqlite3_bind_text(s, 4, q->since, -1, SQLITE_STATIC));
    if (q->until)
        B(5, sqlite3_bind_text(s, 5, q->until, -1, SQLITE_STATIC));
    if (q->after) {
        switch (cursor_key_of(q->after->sort)) {
        case CKEY_INT: B(6, sqlite3_bind_int64(s, 6, q->after->ikey)); break;
        case CKEY_REAL: B(6, sqlite3_bind_double(s, 6, q->after->dkey)); break;
        case CKEY_TEXT:
            if (!q->after->key_null)
                B(6, sqlite3_bind_text(s, 6, q->after->skey, (int)q->after->skey_len,
                                       SQLITE_STATIC));
            break;
        case CKEY_NONE: break;
        }
        B(7, sqlite3_bind_int64(s, 7, q->after->id));
    }
    B(8, sqlite3_bind_int(s, 8, q->limit + 1));
    if (q->article_id)
        B(9, sqlite3_bind_int64(s, 9, q->article_id));
    if (q->kind)
        B(10, sqlite3_bind_text(s, 10, q->kind, -1, SQLITE_STATIC));
    if (q->section)
        B(11, sqlite3_bind_text(s, 11, q->section, (int)q->section_len, SQLITE_STATIC));
    if (q->cluster_id)
        B(12, sqlite3_bind_int64(s, 12, q->cluster_id));
    if (q->gender && strcmp(q->gender, "unknown") != 0)
        B(13, sqlite3_bind_text(s, 13, q->gender, -1, SQLITE_STATIC));
    if (q->with_id)
        B(14, sqlite3_bind_int64(s, 14, q->with_id));
#undef B
    return rc;
}


int query_w_text(struct strbuf *sb, sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return jsonw_null(sb);
    const char *t = (const char *)sqlite3_column_text(s, col);
    if (!t)
        return -1;
    return jsonw_str(sb, t, (size_t)sqlite3_column_bytes(s, col));
}

int query_w_path(struct strbuf *sb, sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return jsonw_null(sb);
    const char *t = (const char *)sqlite3_column_text(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    if (!t)
        return -1;
    int hidden = n > 0 && t[0] == '/';
    for (size_t i = 0; i + 1 < n && !hidden; i++)
        hidden = t[i] == '.' && t[i + 1] == '.' && (i == 0 || t[i - 1] == '/') &&
                 (i + 2 == n || t[i + 2] == '/');
    if (hidden) {
        size_t b = n;
        while (b > 0 && t[b - 1] != '/')
            b--;
        t += b;
        n -= b;
    }
    return jsonw_str(sb, t, n);
}

int query_w_snippet(struct strbuf *sb, sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    if (!t)
        return sqlite3_column_type(s, col) == SQLITE_NULL ? jsonw_str(sb, "", 0) : -1;
    /* the page's few snippets: escaped into a buffer, then written */
    struct strbuf h = STRBUF_INIT;
    if (strbuf_reserve(&h, n + 64) != 0)
        return -1;
    int fail = 0;
    for (size_t i = 0; i < n && !fail; i++) {
        switch (t[i]) {
        case '\x01': fail = strbuf_puts(&h, "<mark>"); break;
        case '\x02': fail = strbuf_puts(&h, "</mark>"); break;
        case '<': fail = strbuf_puts(&h, "&lt;"); break;
        case '>': fail = strbuf_puts(&h, "&gt;"); break;
        case '&': fail = strbuf_puts(&h, "&amp;"); break;
        case '"': fail = strbuf_puts(&h, "&quot;"); break;
        case '\'': fail = strbuf_puts(&h, "&#39;"); break;
        default: fail = strbuf_putc(&h, t[i]); break;
        }
    }
    if (!fail)
        fail = jsonw_str(sb, h.p, h.len);
    strbuf_free(&h);
    return fail ? -1 : 0;
}

qw_status query_tree(const struct strbuf *sb, json_t **out)
{
    *out = json_loadb(sb->p ? sb->p : "", sb->len, JSONW_LOAD_FLAGS, NULL);
    /* the text is the writer's own: only memory can make it fail */
    return *out ? QW_OK : QW_ERR_NOMEM;
}

qw_status query_item_tree(struct qconn *c, int64_t id, query_text_fn text, json_t **out)
{
    struct strbuf sb = STRBUF_INIT;
    *out = NULL;
    qw_status st = text(c, id, &sb);
    if (st == QW_OK)
        st = query_tree(&sb, out);
    strbuf_free(&sb);
    return st;
}

struct strbuf *query_out_begin(struct query_out *o)
{
    if (o->text) {
        if (o->rows && strbuf_putc(o->text, ',') != 0)
            return NULL;
        return o->text;
    }
    strbuf_reset(&o->row);
    return &o->row;
}

int query_out_end(struct query_out *o)
{
    if (!o->text) {
        json_t *v = NULL;
        if (query_tree(&o->row, &v) != QW_OK || json_array_append_new(o->items, v) != 0)
            return -1;
    }
    o->rows++;
    return 0;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return strbuf_append(data, buf, size);
}

int query_out_tree(struct query_out *o, json_t *v)
{
    if (!v)
        return -1;
    int fail;
    if (o->text) {
        fail = (o->rows && strbuf_putc(o->text, ',') != 0) ||
               json_dump_callback(v, dump_cb, o->text, JSONW_DUMP_FLAGS) != 0;
        json_decref(v);
    } else {
        fail = json_array_append_new(o->items, v) != 0;
    }
    if (!fail)
        o->rows++;
    return fail ? -1 : 0;
}

void query_out_free(struct query_out *o)
{
    strbuf_free(&o->row);
}

sqlite3_stmt *query_prepare(struct qconn *c, const struct sqlbuf *b, const struct query_list *q,
                            qw_status *st)
{
    *st = QW_OK;
    if (b->over) {
        log_error("query: SQL buffer overflow");
        *st = QW_ERR_DB;
        return NULL;
    }
    sqlite3_stmt *s = qconn_stmt(c, b->buf, b->len, st);
    if (!s)
        return NULL;
    int rc = query_bind(s, q);
    if (rc != SQLITE_OK) {
        *st = qconn_fail(c, rc);
        qconn_release(c, s);
        return NULL;
    }
    return s;
}

qw_status query_rows(struct qconn *c, sqlite3_stmt *s, query_obj_fn row, void *ctx,
                     json_t **out)
{
    qw_status st = QW_OK;
    json_t *arr = json_array();
    int oom = !arr, rc = SQLITE_DONE;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *o = row(s, ctx, &oom);
        if (!o || json_array_append_new(arr, o) != 0)
            oom = 1;
    }
    if (oom)
        st = QW_ERR_NOMEM;
    else if (rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    if (st != QW_OK) {
        json_decref(arr);
        arr = NULL;
    }
    *out = arr;
    return st;
}

qw_status query_count(struct qconn *c, const struct sqlbuf *b, const struct query_list *q,
                      int64_t *out)
{
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, b, q, &st);
    if (!s)
        return st;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else
        st = qconn_fail(c, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    qconn_release(c, s);
    return st;
}

void query_page(struct sqlbuf *b, const struct query_list *q, const char *kw, const char *key,
                const char *id, int desc)
{
    const char *cmp = desc ? " < " : " > ";
    const char *dir = desc ? " DESC" : "";
    if (q->after) {
        query_sql(b, kw);
        query_sql(b, " (");
        if (key) {
            query_sql(b, key), query_sql(b, cmp), query_sql(b, "?6 OR (");
            query_sql(b, key), query_sql(b, " = ?6 AND ");
        }
        query_sql(b, id), query_sql(b, cmp), query_sql(b, "?7");
        query_sql(b, key ? "))" : ")");
    }
    query_sql(b, " ORDER BY ");
    if (key)
        query_sql(b, key), query_sql(b, dir), query_sql(b, ", ");
    query_sql(b, id), query_sql(b, dir);
}
