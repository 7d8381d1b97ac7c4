#ifndef QUOTEWIRE_STATS_H
#define QUOTEWIRE_STATS_H

#include <jansson.h>
#include <stdint.h>

#include "qconn.h"
#include "query.h"
#include "qw.h"

/* Aggregates for dashboards (server/db/query_stats.c): counts over time,
 * top people, sources and sections, and the people who share articles
 * with someone.  The filters are a struct query_list's (q, person,
 * source, section, since, until, kind, gender), with the lists' meaning;
 * dates, sources and sections are the articles', read from the copies
 * quotes and mentions carry (migration 0008).
 *
 * Ownership as in query.h: results are new Jansson references handed to
 * the caller.  Returns QW_OK, QW_ERR_BAD_REQUEST (with a sentence for the
 * client in err, QW_ERRLEN bytes: a series too long to send), QW_ERR_NOMEM,
 * QW_ERR_BUSY (the request's deadline) or QW_ERR_DB. */

enum stats_metric { STATS_QUOTES, STATS_ARTICLES, STATS_MENTIONS };
enum stats_interval { STATS_DAY, STATS_WEEK, STATS_MONTH, STATS_YEAR };
enum stats_by { STATS_BY_NONE, STATS_BY_PERSON, STATS_BY_SOURCE, STATS_BY_SECTION,
                STATS_BY_GENDER, STATS_BY_KIND };

/* At most this many rows (buckets times groups) in one series. */
#define STATS_MAX_ROWS 100000

struct stats_query {
    enum stats_metric metric;
    enum stats_interval interval;
    enum stats_by by;
    int distinct;                /* quotes: count distinct quotations (clusters) */
    int limit;                   /* groups (series) or items (top), 1..100 */
    const struct query_list *f;  /* the filters; its list, sort, paging are ignored */
};

/* The names the API uses ("quotes", "week", "person", ...). */
const char *stats_metric_name(enum stats_metric m);
const char *stats_interval_name(enum stats_interval i);
const char *stats_by_name(enum stats_by b);

/* The series of sq: *groups, an array of {"group", "person_id", "total"}
 * (the limit largest groups, largest first; [] without by; for gender
 * and kind every value), and *rows, an array of {"bucket", "count"} (plus
 * "group" and, by person, "person_id") for every bucket from the first to
 * the last (since and until when given, else the data's), each group in
 * each, zero-filled.  Buckets are named by their first day (weeks start
 * on Monday).  *from and *to are that range (NULL strings when there are
 * no rows); *undated counts the matching items without a date (0 with
 * since or until, which leave them out).  Splits by person or gender count
 * only items whose person is a person (a quote by "the ministry" has no
 * gender). */
qw_status stats_timeseries(struct qconn *c, const struct stats_query *sq, json_t **groups,
                           json_t **rows, char from[11], char to[11], int64_t *undated,
                           char *err);

/* What top counts: people (speakers of the quotes, people mentioned),
 * sources or sections. */
enum stats_of { STATS_OF_PEOPLE, STATS_OF_SOURCES, STATS_OF_SECTIONS };
const char *stats_of_name(enum stats_of o);

/* The sq->limit largest groups of `of` for sq's metric and filters, as an
 * array of {"rank", "count"} plus "id", "name", "gender" (people) or
 * "value" (sources, sections; unknown ones are left out). */
qw_status stats_top(struct qconn *c, const struct stats_query *sq, enum stats_of of,
                    json_t **items);

/* The people mentioned in the articles that mention person (within the
 * date, source, section and q filters of f; of f's gender), most shared articles first (ties
 * by id), at most limit: {"id", "name", "gender", "articles": shared
 * articles, "quotes": their quotes in those articles}. */
qw_status stats_co_mentions(struct qconn *c, int64_t person, const struct query_list *f,
                            int limit, json_t **items);

#endif
