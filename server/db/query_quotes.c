/* Quote queries: lists (all, of a person, of an article) and single items. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

static json_t *quote_row(sqlite3_stmt *s, int *oom)
{
    json_t *o = json_object();
    if (!o) {
        *oom = 1;
        return NULL;
    }
    int64_t id = sqlite3_column_int64(s, C_ID);
    int64_t art = sqlite3_column_int64(s, C_ARTICLE);
    int has_speaker = sqlite3_column_type(s, C_SPEAKER_ID) != SQLITE_NULL;
    int64_t sp = sqlite3_column_int64(s, C_SPEAKER_ID);
    query_set(o, "id", json_integer(id), oom);
    query_set(o, "article_id", json_integer(art), oom);
    query_set(o, "text", query_json_text(s, C_TEXT), oom);
    query_set(o, "start", json_integer(sqlite3_column_int64(s, C_START)), oom);
    query_set(o, "end", json_integer(sqlite3_column_int64(s, C_END)), oom);
    query_set(o, "kind", query_json_text(s, C_KIND), oom);
    query_set(o, "speaker", query_json_text(s, C_SPEAKER), oom);
    query_set(o, "speaker_person_id", has_speaker ? json_integer(sp) : json_null(), oom);
    query_set(o, "cue", query_json_text(s, C_CUE), oom);
    query_set(o, "confidence", json_real(sqlite3_column_double(s, C_CONF)), oom);
    query_set(o, "article_title", query_json_text(s, C_TITLE), oom);
    query_set(o, "published", query_json_text(s, C_PUBLISHED), oom);
    int64_t cl = sqlite3_column_int64(s, C_CLUSTER);
    query_set(o, "cluster_id", json_integer(cl), oom);
    query_set(o, "cluster_articles", json_integer(sqlite3_column_int64(s, C_CLUSTER_ARTICLES)), oom);
    /* a user's correction applies; extracted_speaker: what the extractor said */
    int curated = sqlite3_column_int(s, C_CURATED) != 0;
    query_set(o, "curated", json_boolean(curated), oom);
    query_set(o, "extracted_speaker", curated ? query_json_text(s, C_EXTRACTED) : json_null(),
              oom);
    char self[48], article[48], speaker[48], cluster[64];
    snprintf(self, sizeof self, "/quotes/%" PRId64, id);
    snprintf(article, sizeof article, "/articles/%" PRId64, art);
    snprintf(speaker, sizeof speaker, "/people/%" PRId64, sp);
    snprintf(cluster, sizeof cluster, "/quotes?cluster=%" PRId64, cl);
    json_t *l = json_object();
    if (l) {
        query_set(l, "self", json_string_nocheck(self), oom);
        query_set(l, "article", json_string_nocheck(article), oom);
        query_set(l, "speaker", has_speaker ? json_string_nocheck(speaker) : json_null(), oom);
        query_set(l, "cluster", json_string_nocheck(cluster), oom);
    }
    query_set(o, "links", l, oom);
    return o;
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

qw_status query_quotes(struct qconn *c, const struct query_list *q, json_t *items,
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
        json_t *o = quote_row(s, &oom);
        if (o) {
            if (q->fts)
                query_set(o, "snippet", query_json_snippet(s, C_EXTRA), &oom);
            if (json_array_append_new(items, o) != 0)
                oom = 1;
        }
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

static qw_status quote_item_row(struct qconn *c, sqlite3_stmt *s, int64_t id, json_t **out)
{
    (void)c, (void)id;
    int oom = 0;
    json_t *o = quote_row(s, &oom);
    if (oom) {
        json_decref(o);
        return QW_ERR_NOMEM;
    }
    *out = o;
    return QW_OK;
}

qw_status query_quote(struct qconn *c, int64_t id, json_t **out)
{
    return query_by_id(c,
                       "SELECT " QUOTE_COLS " FROM quotes q JOIN articles a"
                       " ON a.id = q.article_id WHERE q.id = ?1",
                       id, quote_item_row, out);
}
