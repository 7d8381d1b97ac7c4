#ifndef QUOTEWIRE_QUERY_H
#define QUOTEWIRE_QUERY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "qconn.h"
#include "qw.h"
#include "strbuf.h"

/* Read-side queries, one file per entity (query_articles.c, query_people.c,
 * query_quotes.c).  They run on a struct qconn and produce the API's
 * shapes.  Every value is bound; SQL text is assembled only from constant
 * fragments picked by which filters are present.
 *
 * Articles and quotes are written as JSON text (jsonw.h) by one function
 * each, the only definition of their shape: a JSON page or item goes
 * straight into the response body, and the callers that need a tree (CSV,
 * NDJSON, exports, corrections) get one parsed from that text.
 *
 * Ownership: list functions add rows to the caller's struct query_out;
 * single-item functions hand back a new reference in *out (the caller
 * decrefs), or append the item's text to *out (the _text ones).  All
 * return QW_OK, QW_ERR_NOT_FOUND (single items), QW_ERR_NOMEM,
 * QW_ERR_BUSY (deadline/locked) or QW_ERR_DB. */

enum query_person { QP_NONE, QP_ID, QP_NAME };

/* A streamed export (limit=all, server/api/export.c) keeps a copy of its
 * query_list beyond the request: a new pointer field must be copied there
 * too. */
struct query_list {
    enum cursor_list list;
    enum cursor_sort sort;
    const char *fts;           /* FTS5 query (already quoted), or NULL */
    size_t fts_len;
    const char *like;          /* people: LIKE pattern on folded keys (fold_key, then
                                  escaped with '\'), or NULL */
    size_t like_len;
    enum query_person person_mode;
    int64_t person_id;         /* QP_ID */
    const char *person;        /* QP_NAME: name or alias */
    size_t person_len;
    const char *source;        /* or NULL; compared NOCASE */
    size_t source_len;
    const char *section;       /* or NULL; compared NOCASE (the column's collation) */
    size_t section_len;
    const char *since;         /* "YYYY-MM-DD" or NULL */
    const char *until;
    int64_t article_id;        /* 0: any */
    const char *kind;          /* "direct"/"partial" or NULL */
    int64_t cluster_id;        /* quotes of one cluster; 0: any */
    const char *gender;        /* "male", "female", "unknown" (a person whose gender is not
                                  known), or NULL: the speaker's (quotes), the person's
                                  (people), a mentioned person's (articles) */
    int64_t with_id;           /* articles: that also mention this person; 0: any */
    const struct cursor *after;/* NULL: first page */
    int limit;                 /* 1..1000 */
};

/* Where a list's rows go.  With items set, each row becomes a Jansson
 * object appended to it (CSV, NDJSON, exports); with text set, each row's
 * JSON is appended to text, the rows separated by commas (a JSON page:
 * no tree per row).  Exactly one of the two is set; rows counts what was
 * added.  query_out_free releases what the struct itself holds. */
struct query_out {
    json_t *items;
    struct strbuf *text;
    size_t rows;
    struct strbuf row; /* items: the row being written, before parsing */
};
/* Starts a row: the buffer to write its JSON object into. */
struct strbuf *query_out_begin(struct query_out *o);
/* Ends the row begun: parsed into items, or left in text.  0, or -1 when
 * out of memory. */
int query_out_end(struct query_out *o);
/* Adds a row built as a tree (stolen; NULL counts as out of memory). */
int query_out_tree(struct query_out *o, json_t *v);
void query_out_free(struct query_out *o);

/* Result of a list: *has_next says a next page exists, and *next holds
 * the cursor of the last item added. */
qw_status query_articles(struct qconn *c, const struct query_list *q, struct query_out *out,
                         struct cursor *next, int *has_next);
qw_status query_people(struct qconn *c, const struct query_list *q, struct query_out *out,
                       struct cursor *next, int *has_next);
/* People of q->article_id, with their mentions in it, by first mention. */
qw_status query_article_people(struct qconn *c, const struct query_list *q,
                               struct query_out *out, struct cursor *next, int *has_next);
qw_status query_quotes(struct qconn *c, const struct query_list *q, struct query_out *out,
                       struct cursor *next, int *has_next);

/* The audit trail of corrections (GET /corrections), by id. */
struct query_corrections {
    const char *target;        /* "quote", "person" or NULL */
    const char *actor;         /* a key's name (actor_len bytes) or NULL */
    size_t actor_len;
    const char *since, *until; /* "YYYY-MM-DD" or NULL */
    int orphaned;              /* -1: any; 1: only quote corrections whose span the
                                  article's extraction no longer finds; 0: the others */
    int desc;                  /* newest first */
    const struct cursor *after;
    int limit;
};
qw_status query_corrections(struct qconn *c, const struct query_corrections *f, json_t *items,
                            struct cursor *next, int *has_next);
/* Why quote or person id (target "quote" or "person") is not there when a
 * correction took it away (rejected; merged into another person): a
 * sentence in detail, else detail is "". */
qw_status query_gone(struct qconn *c, const char *target, int64_t id, char detail[QW_ERRLEN]);

qw_status query_article(struct qconn *c, int64_t id, json_t **out);
qw_status query_person(struct qconn *c, int64_t id, json_t **out);
qw_status query_quote(struct qconn *c, int64_t id, json_t **out);
/* The same items as JSON text appended to out (GET of one item). */
qw_status query_article_text(struct qconn *c, int64_t id, struct strbuf *out);
qw_status query_person_text(struct qconn *c, int64_t id, struct strbuf *out);
qw_status query_quote_text(struct qconn *c, int64_t id, struct strbuf *out);

/* QW_OK if the row exists, QW_ERR_NOT_FOUND if not. */
qw_status query_article_exists(struct qconn *c, int64_t id);
qw_status query_person_exists(struct qconn *c, int64_t id);

struct sqlbuf;

/* The FROM and WHERE clauses of a list (q->list: articles, people,
 * quotes, an article's people), appended to b, with the filters of q and
 * without paging: query_total and query_facet count over them.  The
 * list's table aliases are a (articles), p (people), q (quotes; without
 * its article). */
void query_list_where(struct sqlbuf *b, const struct query_list *q);

/* count=exact: the number of items of the whole list q (every page). */
qw_status query_total(struct qconn *c, const struct query_list *q, int64_t *out);

/* The facets a list can count by (facet=...). */
enum query_facet { QF_SOURCE, QF_SECTION, QF_KIND, QF_GENDER, QF_COUNT };

/* The name of a facet ("source", ...), and whether list can be counted
 * by it (articles: source, section; quotes: all four; people: gender). */
const char *query_facet_name(enum query_facet f);
int query_facet_allowed(enum cursor_list list, enum query_facet f);

/* facet=F: the values of F over the whole list q with their counts, most
 * frequent first (ties by value), at most QUERY_FACET_MAX, as a new array
 * of {"value", "count"} in *out (null value: unknown). */
#define QUERY_FACET_MAX 50
qw_status query_facet(struct qconn *c, const struct query_list *q, enum query_facet f,
                      json_t **out);

/* Totals for /health and /metrics: rows, articles whose extract_version
 * is below extract_version (reextract has not caught up with them), and
 * PRAGMA user_version when want_schema_version is 1. */
struct query_totals {
    int64_t articles, people, quotes;
    int64_t articles_outdated;
    int64_t corrections;          /* the audit trail's rows */
    int64_t corrections_orphaned; /* quote edits whose span the article's extraction
                                     no longer finds */
    int schema_version;
};
qw_status query_counts(struct qconn *c, int extract_version, struct query_totals *t,
                       int want_schema_version);

/* Helpers shared by the query files (query_util.c). */

/* query_list_where for each kind of list (query_articles.c, ...). */
void query_articles_where(struct sqlbuf *b, const struct query_list *q);
void query_people_where(struct sqlbuf *b, const struct query_list *q);
void query_quotes_where(struct sqlbuf *b, const struct query_list *q, int with_articles);

/* A column as a JSON string (null for NULL); invalid UTF-8 is replaced
 * rather than failing.  NULL only when out of memory. */
json_t *query_json_text(sqlite3_stmt *s, int col);

/* Sets o[key] = v, stealing v; on failure (v NULL included) sets *oom. */
void query_set(json_t *o, const char *key, json_t *v, int *oom);

/* Appends to a fixed SQL buffer; sets *over on overflow. */
struct sqlbuf {
    char buf[4096];
    size_t len;
    int over;
};
void query_sql(struct sqlbuf *b, const char *frag);

/* Appends the keyset condition for q->after (when set), introduced by kw
 * (" AND" or " HAVING"): rows after (?6, ?7) in the order of (key, id), or
 * of id alone when key is NULL; then " ORDER BY key, id" (both DESC when
 * desc).  key is an SQL expression such as "p.name COLLATE NOCASE". */
void query_page(struct sqlbuf *b, const struct query_list *q, const char *kw, const char *key,
                const char *id, int desc);

/* Turns the row a by-id query found into what out points to (of the
 * type that the caller of query_by_id and row agree on: a json_t * to
 * set, a strbuf to append to).  Returns QW_OK or QW_ERR_NOMEM. */
typedef qw_status (*query_row_fn)(struct qconn *c, sqlite3_stmt *s, int64_t id, void *out);

/* Runs sql, whose one parameter ?1 is id, as a cached statement.  With a
 * row: calls row (unless NULL) and returns its status; without one:
 * QW_ERR_NOT_FOUND.  With row NULL it is an existence check. */
qw_status query_by_id(struct qconn *c, const char *sql, int64_t id, query_row_fn row,
                      void *out);

/* The tree of the JSON text in sb (written by jsonw), in *out.  QW_OK or
 * QW_ERR_NOMEM. */
qw_status query_tree(const struct strbuf *sb, json_t **out);

/* An item's tree parsed from what text writes (query_article from
 * query_article_text...). */
typedef qw_status (*query_text_fn)(struct qconn *c, int64_t id, struct strbuf *out);
qw_status query_item_tree(struct qconn *c, int64_t id, query_text_fn text, json_t **out);

/* The person filter subquery for a name or alias (binds ?2): both sides
 * folded (fold_key, include/fold.h: case, accents, width, white space), so
 * "josé álvarez", "JOSÉ ÁLVAREZ" and "Jose Alvarez" find José Álvarez. */
#define QUERY_PERSON_BY_NAME                                                                   \
    "(SELECT id FROM people WHERE name_key = qw_fold(?2) UNION "                             \
    "SELECT person_id FROM person_aliases WHERE alias_key = qw_fold(?2))"

/* A relevance-sorted list ranks at most this many matches: the most
 * recently added ones that pass its filters (query_articles.c). */
#define RANK_WINDOW "5000"

/* FTS5 snippet settings: about 16 tokens, the hits between control
 * characters that query_w_snippet turns into <mark> and </mark> after
 * HTML-escaping the text (article text is not markup). */
#define QUERY_SNIPPET_MARKS "char(1), char(2), '\xe2\x80\xa6', 16"

/* The path column as the API shows it: a path relative to what was
 * loaded, as loads since schema 4 store it, as it is; an absolute one, or
 * one with a ".." segment (stored by older loads, relative to the
 * loader's working folder), by its file name only, so that the server's
 * folders never show.  null for NULL. */
int query_w_path(struct strbuf *sb, sqlite3_stmt *s, int col);

/* The snippet column: text HTML-escaped, hits in <mark>; "" for NULL. */
int query_w_snippet(struct strbuf *sb, sqlite3_stmt *s, int col);

/* A column as a JSON string, null for NULL (query_json_text's text). */
int query_w_text(struct strbuf *sb, sqlite3_stmt *s, int col);

/* query_w_*: JSON text appended to sb (jsonw.h); 0, or -1 when out of
 * memory. */

/* snippet() sits in the list query itself: SQLite evaluates it only for
 * the rows that leave the sorter, so it costs per page, not per match. */

/* Makes one JSON object of the statement's current row; sets *oom when
 * out of memory (and may return NULL then). */
typedef json_t *(*query_obj_fn)(sqlite3_stmt *s, void *ctx, int *oom);

/* Steps s (from query_prepare or qconn_stmt) to its end, appending
 * row(s) of each row to a new array in *out, then releases s.  QW_OK, or
 * the failure (*out NULL). */
qw_status query_rows(struct qconn *c, sqlite3_stmt *s, query_obj_fn row, void *ctx,
                     json_t **out);

/* The one integer that the SQL in b (with q's filters bound) gives. */
qw_status query_count(struct qconn *c, const struct sqlbuf *b, const struct query_list *q,
                      int64_t *out);

/* The cached statement for the list SQL in b, with the filter values of q
 * that the SQL uses bound (?1 fts/like, ?2 person, ?3 source, ?4 since,
 * ?5 until, ?6/?7 cursor key/id, ?8 limit+1, ?9 article, ?10 kind, ?11 section,
 * ?12 cluster, ?13 gender: NULL for "unknown", ?14 with).
 * Returns NULL with *st set when b overflowed (logged as QW_ERR_DB) or
 * preparing or binding failed; else the caller releases it with
 * qconn_release. */
sqlite3_stmt *query_prepare(struct qconn *c, const struct sqlbuf *b, const struct query_list *q,
                            qw_status *st);

#endif
