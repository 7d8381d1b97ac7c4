/* Article queries: lists with filters and keyset pagination, single items. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "query.h"

#define ARTICLE_COLS                                                                           \
    "a.id, a.title, a.dateline, a.published, a.source, a.url, a.author, a.image_credit, "      \
    "a.path, a.content_hash, a.ingested_at, "                                                 \
    "(SELECT count(DISTINCT person_id) FROM mentions WHERE article_id = a.id), "              \
    "(SELECT count(*) FROM quotes WHERE article_id = a.id), a.extract_version, a.section"

enum { C_ID, C_TITLE, C_DATELINE, C_PUBLISHED, C_SOURCE, C_URL, C_AUTHOR, C_CREDIT, C_PATH,
       C_HASH, C_INGESTED, C_PEOPLE, C_QUOTES, C_VERSION, C_SECTION, C_EXTRA };

/* The Article object of the current row, the one definition of its
 * shape: the list members, then (before the closing links) what the
 * caller adds: a list's snippet, an item's text. */
static int article_open(struct strbuf *b, sqlite3_stmt *s)
{
    return strbuf_puts(b, "{\"id\":") | jsonw_int(b, sqlite3_column_int64(s, C_ID)) |
           strbuf_puts(b, ",\"title\":") | query_w_text(b, s, C_TITLE) |
           strbuf_puts(b, ",\"dateline\":") | query_w_text(b, s, C_DATELINE) |
           strbuf_puts(b, ",\"published\":") | query_w_text(b, s, C_PUBLISHED) |
           strbuf_puts(b, ",\"source\":") | query_w_text(b, s, C_SOURCE) |
           strbuf_puts(b, ",\"section\":") | query_w_text(b, s, C_SECTION) |
           strbuf_puts(b, ",\"url\":") | query_w_text(b, s, C_URL) |
           strbuf_puts(b, ",\"author\":") | query_w_text(b, s, C_AUTHOR) |
           strbuf_puts(b, ",\"image_credit\":") | query_w_text(b, s, C_CREDIT) |
           strbuf_puts(b, ",\"path\":") | query_w_path(b, s, C_PATH) |
           strbuf_puts(b, ",\"content_hash\":") | query_w_text(b, s, C_HASH) |
           strbuf_puts(b, ",\"ingested_at\":") | query_w_text(b, s, C_INGESTED) |
           strbuf_puts(b, ",\"people_count\":") | jsonw_int(b, sqlite3_column_int64(s, C_PEOPLE)) |
           strbuf_puts(b, ",\"quote_count\":") | jsonw_int(b, sqlite3_column_int64(s, C_QUOTES)) |
           strbuf_puts(b, ",\"extract_version\":") |
           jsonw_int(b, sqlite3_column_int64(s, C_VERSION));
}

/* The links, closing the object. */
static int article_close(struct strbuf *b, int64_t id)
{
    char t[160];
    int n = snprintf(t, sizeof t,
                     ",\"links\":{\"self\":\"/articles/%" PRId64 "\",\"people\":\"/articles/%" PRId64
                     "/people\",\"quotes\":\"/articles/%" PRId64 "/quotes\"}}",
                     id, id, id);
    return strbuf_append(b, t, (size_t)n);
}

/* Keyset condition per sort; ?6 is the cursor's key, ?7 its id. */
/* Keyset and order for the sorts on published, where a NULL date sorts
 * first (ascending) or last (descending) and needs a condition of its own;
 * the other sorts go through query_page. */
static void page_published(struct sqlbuf *b, const struct query_list *q)
{
    const struct cursor *c = q->after;
    if (q->sort == SORT_PUBLISHED) {
        if (c)
            query_sql(b, c->key_null
                             ? " AND ((a.published IS NULL AND a.id > ?7) OR a.published IS NOT NULL)"
                             : " AND (a.published > ?6 OR (a.published = ?6 AND a.id > ?7))");
        query_sql(b, " ORDER BY a.published, a.id");
    } else {
        if (c)
            query_sql(b, c->key_null ? " AND (a.published IS NULL AND a.id < ?7)"
                                     : " AND (a.published < ?6 OR (a.published = ?6 AND a.id < ?7)"
                                       " OR a.published IS NULL)");
        query_sql(b, " ORDER BY a.published DESC, a.id DESC");
    }
}

/* How a full-text list reaches its rows. Ranking or sorting every match of
 * a term found in most of the archive costs seconds at a million articles
 * (bm25 for 800k rows before LIMIT), so a list never does either:
 * - FTS_JOIN: the matches drive the join; used when they are few, and for
 *   counts and facets, which must see them all anyway;
 * - FTS_WINDOW (sort=rank): only the RANK_WINDOW most recently added
 *   matches that pass the filters are ranked; every match is ranked when
 *   there are fewer;
 * - FTS_EXISTS (sort=published, common terms): the date index is walked
 *   and each article checked against the query by rowid, which stops after
 *   a page; also for id and date sorts when the other filters leave few
 *   articles (filters_narrow), which are then each checked;
 * - FTS_NARROW (sort=rank, the other filters leave few articles): those
 *   articles are ranked, each looked up in the index by rowid, instead of
 *   reading every match of the term to find the few that pass the
 *   filters (q=said&source=nowhere read all 800k matches of "said"). */
enum fts_mode { FTS_JOIN, FTS_WINDOW, FTS_EXISTS, FTS_NARROW };

/* At most this many articles passing the filters other than q make them
 * drive a full-text list: a rowid lookup in the index each, a few
 * microseconds, and a ranked list scores each with qw_bm25 (rank.h),
 * whose statistics are computed once per query instead of per row (bm25
 * counted the term's documents again for each: 20 ms a row for "the" at
 * 706k articles). */
#define NARROW_MAX 2000

/* A date-sorted list of n matches out of N articles reads n rows when it
 * sorts them, and makes about (limit + 1) * N / n checks when it walks the
 * date index instead. Measured at 706k articles, a check costs 8 row reads
 * when the pages are cached and half of one when they are not; with 2 as
 * the middle, it walks when n is at least sqrt(2 (limit + 1) N), where
 * either plan stays near 0.2 s. */
static int64_t walk_threshold(int64_t articles, int limit)
{
    double t = sqrt(2.0 * (limit + 1) * (double)articles);
    return t < 200 ? 200 : t > 50000 ? 50000 : (int64_t)t;
}

/* Whether the list has filters besides q. */
static int has_filters(const struct query_list *q)
{
    return q->source || q->section || q->person_mode != QP_NONE || q->with_id || q->gender ||
           q->since || q->until;
}

static void articles_where(struct sqlbuf *b, const struct query_list *q, enum fts_mode m)
{
    if (q->fts && m == FTS_WINDOW && !has_filters(q))
        /* nothing to check in the articles: the window is the index's own
         * (a third of the time of q=said at 706k articles) */
        query_sql(b, " FROM articles_fts WHERE articles_fts MATCH ?1");
    else if (q->fts && m == FTS_NARROW)
        query_sql(b, " FROM articles a WHERE 1");
    else if (q->fts && m == FTS_EXISTS)
        query_sql(b, " FROM articles a WHERE EXISTS (SELECT 1 FROM articles_fts f"
                     " WHERE f.rowid = a.id AND f.articles_fts MATCH ?1)");
    else if (q->fts)
        query_sql(b, " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                     " WHERE articles_fts MATCH ?1");
    else
        query_sql(b, " FROM articles a WHERE 1");
    if (q->person_mode == QP_ID)
        query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id = ?2)");
    else if (q->person_mode == QP_NAME)
        query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id IN "
                     QUERY_PERSON_BY_NAME ")");
    if (q->with_id)
        query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id = ?14)");
    if (q->gender)
        query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id IN"
                     " (SELECT id FROM people WHERE gender IS ?13))");
    /* both compare NOCASE, as their indexes do (migration 0004) */
    if (q->source)
        query_sql(b, " AND a.source = ?3 COLLATE NOCASE");
    if (q->section)
        query_sql(b, " AND a.section = ?11");
    if (q->since)
        query_sql(b, " AND a.published >= ?4");
    if (q->until)
        query_sql(b, " AND a.published <= ?5");
    if (q->fts && m == FTS_WINDOW)
        query_sql(b, " ORDER BY articles_fts.rowid DESC LIMIT " RANK_WINDOW
                     ") m JOIN articles a ON a.id = m.fid WHERE 1");
    if (q->fts && m == FTS_NARROW)
        query_sql(b, ") m JOIN articles a ON a.id = m.fid WHERE m.frank IS NOT NULL");
}

/* Whether the filters other than q leave at most max articles (counted up
 * to one more, through their indexes). */
static qw_status filters_narrow(struct qconn *c, const struct query_list *q, int max, int *narrow)
{
    *narrow = 0;
    if (!has_filters(q))
        return QW_OK;
    struct query_list f = *q;
    f.fts = NULL;
    f.fts_len = 0;
    struct sqlbuf b = {.len = 0};
    int64_t n = 0;
    char lim[32];
    snprintf(lim, sizeof lim, " LIMIT %d)", max + 1);
    query_sql(&b, "SELECT count(*) FROM (SELECT 1");
    articles_where(&b, &f, FTS_JOIN);
    query_sql(&b, lim);
    qw_status st = query_count(c, &b, &f, &n);
    *narrow = n <= max;
    return st;
}

/* FROM and WHERE of an article list (query_list_where). */
void query_articles_where(struct sqlbuf *b, const struct query_list *q)
{
    articles_where(b, q, FTS_JOIN);
}

/* Whether walking the date index beats sorting the matches: counts them up
 * to walk_threshold of the kept number of articles (migration 0009). */
static qw_status fts_common(struct qconn *c, const struct query_list *q, int *common)
{
    struct sqlbuf b = {.len = 0};
    int64_t n = 0, articles = 0;
    query_sql(&b, "SELECT n FROM counters WHERE name = 'articles'");
    qw_status st = query_count(c, &b, q, &articles);
    if (st != QW_OK)
        return st;
    int64_t t = walk_threshold(articles, q->limit);
    char lim[32];
    snprintf(lim, sizeof lim, "%" PRId64 ")", t);
    b.len = 0;
    b.over = 0;
    query_sql(&b, "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?1"
                  " LIMIT ");
    query_sql(&b, lim);
    st = query_count(c, &b, q, &n);
    *common = n >= t;
    return st;
}

qw_status query_articles(struct qconn *c, const struct query_list *q, struct query_out *out,
                         struct cursor *next, int *has_next)
{
    struct sqlbuf b = {.len = 0};
    *has_next = 0;
    int dated = q->sort == SORT_PUBLISHED || q->sort == SORT_PUBLISHED_DESC;
    enum fts_mode m = FTS_JOIN;
    qw_status st;
    int narrow = 0;
    if (q->fts && (st = filters_narrow(c, q, NARROW_MAX, &narrow)) != QW_OK)
        return st;
    if (q->fts && narrow) {
        m = q->sort == SORT_RANK ? FTS_NARROW : FTS_EXISTS;
    } else if (q->fts && q->sort == SORT_RANK) {
        m = FTS_WINDOW;
    } else if (q->fts && dated) {
        int common = 0;
        if ((st = fts_common(c, q, &common)) != QW_OK)
            return st;
        if (common)
            m = FTS_EXISTS;
    }
    query_sql(&b, "SELECT " ARTICLE_COLS);
    if (q->fts && m == FTS_JOIN)
        query_sql(&b, ", snippet(articles_fts, -1, " QUERY_SNIPPET_MARKS "), articles_fts.rank");
    else if (q->fts)
        /* the snippet of the page's rows only */
        query_sql(&b, ", (SELECT snippet(articles_fts, -1, " QUERY_SNIPPET_MARKS ")"
                      " FROM articles_fts WHERE articles_fts MATCH ?1 AND rowid = a.id)");
    if (m == FTS_WINDOW)
        query_sql(&b, has_filters(q) ? ", m.frank FROM (SELECT a.id AS fid, articles_fts.rank AS frank"
                                     : ", m.frank FROM (SELECT articles_fts.rowid AS fid,"
                                       " articles_fts.rank AS frank");
    else if (m == FTS_NARROW)
        /* qw_bm25: bm25 whose statistics outlive each row's cursor (rank.h) */
        query_sql(&b, ", m.frank FROM (SELECT a.id AS fid, (SELECT qw_bm25(f.articles_fts, ?1)"
                      " FROM articles_fts f WHERE f.articles_fts MATCH ?1 AND f.rowid = a.id)"
                      " AS frank");
    articles_where(&b, q, m);
    if (dated)
        page_published(&b, q);
    else
        query_page(&b, q, " AND", q->sort != SORT_RANK               ? NULL
                                  : m == FTS_WINDOW || m == FTS_NARROW ? "m.frank"
                                                                       : "articles_fts.rank",
                   /* the matches come in rowid order: no sort */
                   q->fts && m == FTS_JOIN ? "articles_fts.rowid" : "a.id",
                   q->sort == SORT_ID_DESC);
    query_sql(&b, " LIMIT ?8");
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
        int64_t id = sqlite3_column_int64(s, C_ID);
        struct strbuf *o = query_out_begin(out);
        oom = !o || article_open(o, s) != 0 ||
              (q->fts && (strbuf_puts(o, ",\"snippet\":") | query_w_snippet(o, s, C_EXTRA))) ||
              article_close(o, id) != 0 || query_out_end(out) != 0;
        if (oom) {
            st = QW_ERR_NOMEM;
            goto out;
        }
        memset(next, 0, offsetof(struct cursor, skey));
        next->list = q->list;
        next->sort = q->sort;
        next->id = id;
        if (q->sort == SORT_RANK) {
            next->dkey = sqlite3_column_double(s, C_EXTRA + 1);
        } else if (q->sort == SORT_PUBLISHED || q->sort == SORT_PUBLISHED_DESC) {
            if (sqlite3_column_type(s, C_PUBLISHED) == SQLITE_NULL) {
                next->key_null = 1;
            } else {
                const unsigned char *t = sqlite3_column_text(s, C_PUBLISHED);
                size_t len = (size_t)sqlite3_column_bytes(s, C_PUBLISHED);
                if (!t || len > CURSOR_MAX_TEXT) {
                    st = t ? QW_ERR_DB : QW_ERR_NOMEM;
                    goto out;
                }
                memcpy(next->skey, t, len);
                next->skey[len] = '\0';
                next->skey_len = len;
            }
        }
        n++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
out:
    qconn_release(c, s);
    return st;
}

/* The full article: the list members plus its text. */
static qw_status article_full_row(struct qconn *c, sqlite3_stmt *s, int64_t id, void *out)
{
    (void)c;
    struct strbuf *b = out;
    int fail = article_open(b, s) | strbuf_puts(b, ",\"text\":") | query_w_text(b, s, C_EXTRA) |
               strbuf_puts(b, ",\"body_start\":") |
               jsonw_int(b, sqlite3_column_int64(s, C_EXTRA + 1)) | article_close(b, id);
    return fail ? QW_ERR_NOMEM : QW_OK;
}

qw_status query_article_text(struct qconn *c, int64_t id, struct strbuf *out)
{
    return query_by_id(c,
                       "SELECT " ARTICLE_COLS ", a.text, a.body_start"
                       " FROM articles a WHERE a.id = ?1",
                       id, article_full_row, out);
}

qw_status query_article(struct qconn *c, int64_t id, json_t **out)
{
    return query_item_tree(c, id, query_article_text, out);
}

qw_status query_article_exists(struct qconn *c, int64_t id)
{
    return query_by_id(c, "SELECT 1 FROM articles WHERE id = ?1", id, NULL, NULL);
}

qw_status query_counts(struct qconn *c, int extract_version, struct query_totals *t,
                       int want_schema_version)
{
    static const char sql[] =
        /* kept in the writes' transactions (migration 0009); the outdated
         * ones through their index, where there are none or few once
         * reextract ran */
        "SELECT (SELECT n FROM counters WHERE name = 'articles'),"
        " (SELECT n FROM counters WHERE name = 'people'),"
        " (SELECT n FROM counters WHERE name = 'quotes'),"
        " (SELECT count(*) FROM articles WHERE extract_version < ?1),"
        " (SELECT n FROM counters WHERE name = 'corrections'),"
        /* through the partial index of unmatched edits (migration 0011) */
        " (SELECT count(*) FROM quote_edits e WHERE e.matched = 0 AND EXISTS"
        " (SELECT 1 FROM articles a WHERE a.content_hash = e.article_hash))";
    static const char ver[] = "PRAGMA user_version";
    qw_status st = QW_OK;
    memset(t, 0, sizeof *t);
    sqlite3_stmt *s = qconn_stmt(c, sql, sizeof sql - 1, &st);
    if (!s)
        return st;
    sqlite3_bind_int(s, 1, extract_version);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        t->articles = sqlite3_column_int64(s, 0);
        t->people = sqlite3_column_int64(s, 1);
        t->quotes = sqlite3_column_int64(s, 2);
        t->articles_outdated = sqlite3_column_int64(s, 3);
        t->corrections = sqlite3_column_int64(s, 4);
        t->corrections_orphaned = sqlite3_column_int64(s, 5);
    } else {
        st = qconn_fail(c, rc);
    }
    qconn_release(c, s);
    if (st != QW_OK || !want_schema_version)
        return st;
    s = qconn_stmt(c, ver, sizeof ver - 1, &st);
    if (!s)
        return st;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        t->schema_version = sqlite3_column_int(s, 0);
    else
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}
