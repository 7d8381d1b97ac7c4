/* Quote queries: lists (all, of a person, of an article) and single items. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "query.h"

#define QUOTE_COLS                                                                             \
    "q.id, q.article_id, q.text, q.start, q.end, q.kind, q.speaker, q.speaker_person_id, "     \
    "q.cue, q.confidence, a.title, a.published, q.cluster_id, "                                \
    "(SELECT count(DISTINCT c.article_id) FROM quotes c WHERE c.cluster_id = q.cluster_id), "  \
    "q.curated, q.extracted_speaker"

enum { C_ID, C_ARTICLE, C_TEXT, C_START, C_END, C_KIND, C_SPEAKER, C_SPEAKER_ID, C_CUE,
       C_CONF, C_TITLE, C_PUBLISHED, C_CLUSTER, C_CLUSTER_ARTICLES, C_CURATED, C_EXTRACTED,
       C_EXTRA };

/* The Quote object of the current row, the one definition of its shape,
 * without its closing brace: a list adds the snippet after the links. */
static int quote_write(struct strbuf *b, sqlite3_stmt *s)
{
    int64_t id = sqlite3_column_int64(s, C_ID);
    int64_t art = sqlite3_column_int64(s, C_ARTICLE);
    int has_speaker = sqlite3_column_type(s, C_SPEAKER_ID) != SQLITE_NULL;
    int64_t sp = sqlite3_column_int64(s, C_SPEAKER_ID);
    int64_t cl = sqlite3_column_int64(s, C_CLUSTER);
    /* a user's correction applies; extracted_speaker: what the extractor said */
    int curated = sqlite3_column_int(s, C_CURATED) != 0;
    int fail = strbuf_puts(b, "{\"id\":") | jsonw_int(b, id) | strbuf_puts(b, ",\"article_id\":") |
               jsonw_int(b, art) | strbuf_puts(b, ",\"text\":") | query_w_text(b, s, C_TEXT) |
               strbuf_puts(b, ",\"start\":") | jsonw_int(b, sqlite3_column_int64(s, C_START)) |
               strbuf_puts(b, ",\"end\":") | jsonw_int(b, sqlite3_column_int64(s, C_END)) |
               strbuf_puts(b, ",\"kind\":") | query_w_text(b, s, C_KIND) |
               strbuf_puts(b, ",\"speaker\":") | query_w_text(b, s, C_SPEAKER) |
               strbuf_puts(b, ",\"speaker_person_id\":") |
               (has_speaker ? jsonw_int(b, sp) : jsonw_null(b)) | strbuf_puts(b, ",\"cue\":") |
               query_w_text(b, s, C_CUE) | strbuf_puts(b, ",\"confidence\":") |
               jsonw_real(b, sqlite3_column_double(s, C_CONF)) |
               strbuf_puts(b, ",\"article_title\":") | query_w_text(b, s, C_TITLE) |
               strbuf_puts(b, ",\"published\":") | query_w_text(b, s, C_PUBLISHED) |
               strbuf_puts(b, ",\"cluster_id\":") | jsonw_int(b, cl) |
               strbuf_puts(b, ",\"cluster_articles\":") |
               jsonw_int(b, sqlite3_column_int64(s, C_CLUSTER_ARTICLES)) |
               strbuf_puts(b, ",\"curated\":") | jsonw_bool(b, curated) |
               strbuf_puts(b, ",\"extracted_speaker\":") |
               (curated ? query_w_text(b, s, C_EXTRACTED) : jsonw_null(b));
    char t[200];
    int n = snprintf(t, sizeof t,
                     ",\"links\":{\"self\":\"/quotes/%" PRId64 "\",\"article\":\"/articles/%" PRId64
                     "\",\"speaker\":",
                     id, art);
    fail |= strbuf_append(b, t, (size_t)n);
    if (has_speaker)
        n = snprintf(t, sizeof t, "\"/people/%" PRId64 "\"", sp);
    else
        n = snprintf(t, sizeof t, "null");
    fail |= strbuf_append(b, t, (size_t)n);
    n = snprintf(t, sizeof t, ",\"cluster\":\"/quotes?cluster=%" PRId64 "\"}", cl);
    fail |= strbuf_append(b, t, (size_t)n);
    return fail ? -1 : 0;
}

/* FROM and WHERE of a quote list (query_list_where); with_articles joins
 * the quote's article as a (the page's columns read it; the filters do
 * not, so totals and facets count without a lookup per quote). */
void query_quotes_where(struct sqlbuf *b, const struct query_list *q, int with_articles)
{
    if (q->fts)
        query_sql(b, " FROM quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid");
    else
        query_sql(b, " FROM quotes q");
    if (with_articles)
        query_sql(b, " JOIN articles a ON a.id = q.article_id");
    query_sql(b, q->fts ? " WHERE quotes_fts MATCH ?1" : " WHERE 1");
    if (q->person_mode == QP_ID)
        query_sql(b, " AND q.speaker_person_id = ?2");
    else if (q->person_mode == QP_NAME)
        query_sql(b, " AND q.speaker_person_id IN " QUERY_PERSON_BY_NAME);
    if (q->article_id)
        query_sql(b, " AND q.article_id = ?9");
    if (q->kind)
        query_sql(b, " AND q.kind = ?10");
    if (q->cluster_id)
        query_sql(b, " AND q.cluster_id = ?12");
    if (q->gender)
        query_sql(b, " AND q.speaker_person_id IN (SELECT id FROM people WHERE gender IS ?13)");
    /* the article's metadata as the quote carries it (migration 0008) */
    if (q->source)
        query_sql(b, " AND q.pub_source = ?3");
    if (q->section)
        query_sql(b, " AND q.pub_section = ?11");
    if (q->since)
        query_sql(b, " AND q.pub_day >= ?4");
    if (q->until)
        query_sql(b, " AND q.pub_day <= ?5");
}

/* As for articles (query_articles.c): the filters other than q drive a
 * full-text list when they leave at most this many quotes, ranked by
 * qw_bm25 (rank.h). */
#define NARROW_MAX 2000

/* Whether the list has filters besides q. */
static int quote_filters(const struct query_list *q)
{
    return q->person_mode != QP_NONE || q->article_id || q->cluster_id || q->gender || q->kind ||
           q->source || q->section || q->since || q->until;
}

static qw_status quote_filters_narrow(struct qconn *c, const struct query_list *q, int max,
                                      int *narrow)
{
    *narrow = 0;
    if (!quote_filters(q))
        return QW_OK;
    struct query_list f = *q;
    f.fts = NULL;
    f.fts_len = 0;
    struct sqlbuf b = {.len = 0};
    char lim[32];
    snprintf(lim, sizeof lim, " LIMIT %d)", max + 1);
    query_sql(&b, "SELECT count(*) FROM (SELECT 1");
    query_quotes_where(&b, &f, 0);
    query_sql(&b, lim);
    int64_t n = 0;
    qw_status st = query_count(c, &b, &f, &n);
    *narrow = n <= max;
    return st;
}

qw_status query_quotes(struct qconn *c, const struct query_list *q, struct query_out *out,
                       struct cursor *next, int *has_next)
{
    struct sqlbuf b = {.len = 0};
    *has_next = 0;
    /* As for articles (query_articles.c): relevance ranks only the
     * RANK_WINDOW most recently added matches that pass the filters, and
     * id order follows the index's rowid order instead of sorting; few
     * quotes passing the other filters drive the list instead. */
    int narrow = 0;
    qw_status st0;
    if (q->fts && (st0 = quote_filters_narrow(c, q, NARROW_MAX, &narrow)) != QW_OK)
        return st0;
    if (narrow) {
        struct query_list f = *q;
        f.fts = NULL; /* the filters' FROM and WHERE, then the check by rowid */
        query_sql(&b, "SELECT " QUOTE_COLS ", (SELECT snippet(quotes_fts, 0, " QUERY_SNIPPET_MARKS
                      ") FROM quotes_fts WHERE quotes_fts MATCH ?1 AND rowid = q.id)");
        if (q->sort == SORT_RANK) {
            query_sql(&b, ", m.frank FROM (SELECT q.id AS fid, (SELECT qw_bm25(f.quotes_fts, ?1)"
                          " FROM quotes_fts f WHERE f.quotes_fts MATCH ?1 AND f.rowid = q.id)"
                          " AS frank");
            query_quotes_where(&b, &f, 0);
            query_sql(&b, ") m JOIN quotes q ON q.id = m.fid JOIN articles a ON a.id = q.article_id"
                          " WHERE m.frank IS NOT NULL");
        } else {
            query_quotes_where(&b, &f, 1);
            query_sql(&b, " AND EXISTS (SELECT 1 FROM quotes_fts f WHERE f.rowid = q.id AND"
                          " f.quotes_fts MATCH ?1)");
        }
    }
    int window = !narrow && q->fts && q->sort == SORT_RANK;
    if (!narrow) {
        query_sql(&b, "SELECT " QUOTE_COLS);
        if (window)
            query_sql(&b, ", (SELECT snippet(quotes_fts, 0, " QUERY_SNIPPET_MARKS ")"
                          " FROM quotes_fts WHERE quotes_fts MATCH ?1 AND rowid = q.id), m.frank"
                          " FROM (SELECT quotes_fts.rowid AS fid, quotes_fts.rank AS frank");
        else if (q->fts)
            query_sql(&b, ", snippet(quotes_fts, 0, " QUERY_SNIPPET_MARKS "), quotes_fts.rank");
        if (window && !quote_filters(q))
            /* the window is the index's own: no quote to read for it */
            query_sql(&b, " FROM quotes_fts WHERE quotes_fts MATCH ?1");
        else
            query_quotes_where(&b, q, !window);
        if (window)
            query_sql(&b, " ORDER BY quotes_fts.rowid DESC LIMIT " RANK_WINDOW ") m"
                          " JOIN quotes q ON q.id = m.fid JOIN articles a ON a.id = q.article_id"
                          " WHERE 1");
    }
    const char *key = window || (narrow && q->sort == SORT_RANK) ? "m.frank"
                      : q->sort == SORT_START                    ? "q.start"
                                                                 : NULL;
    query_page(&b, q, " AND", key, q->fts && !window && !narrow ? "quotes_fts.rowid" : "q.id",
               q->sort == SORT_ID_DESC);
    query_sql(&b, " LIMIT ?8");
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, &b, q, &st);
    if (!s)
        return st;
    int rc;
    int n = 0, oom = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == q->limit) {
            *has_next = 1;
            break;
        }
        struct strbuf *o = query_out_begin(out);
        oom = !o || quote_write(o, s) != 0 ||
              (q->fts && (strbuf_puts(o, ",\"snippet\":") | query_w_snippet(o, s, C_EXTRA))) ||
              strbuf_putc(o, '}') != 0 || query_out_end(out) != 0;
        if (oom) {
            st = QW_ERR_NOMEM;
            goto out;
        }
        memset(next, 0, offsetof(struct cursor, skey));
        next->list = q->list;
        next->sort = q->sort;
        next->id = sqlite3_column_int64(s, C_ID);
        if (q->sort == SORT_RANK)
            next->dkey = sqlite3_column_double(s, C_EXTRA + 1);
        else if (q->sort == SORT_START)
            next->ikey = sqlite3_column_int64(s, C_START);
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
out:
    qconn_release(c, s);
    return st;
}

static qw_status quote_item_row(struct qconn *c, sqlite3_stmt *s, int64_t id, void *out)
{
    (void)c, (void)id;
    return quote_write(out, s) != 0 || strbuf_putc(out, '}') != 0 ? QW_ERR_NOMEM : QW_OK;
}

qw_status query_quote_text(struct qconn *c, int64_t id, struct strbuf *out)
{
    return query_by_id(c,
                       "SELECT " QUOTE_COLS " FROM quotes q JOIN articles a"
                       " ON a.id = q.article_id WHERE q.id = ?1",
                       id, quote_item_row, out);
}

qw_status query_quote(struct qconn *c, int64_t id, json_t **out)
{
    return query_item_tree(c, id, query_quote_text, out);
}
