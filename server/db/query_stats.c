/* Aggregates: time series, top lists and co-mentions (include/stats.h).
 *
 * Every query counts rows of one table -- quotes (q), mentions (m) or
 * articles (a) -- under the lists' filters, grouped by a bucket of the
 * article's date and by a group.  Quotes and mentions carry their
 * article's date, source and section (migration 0008), so that a series
 * over a million quotes reads the index quotes_day once instead of looking
 * up an article per quote.  SQL is assembled from constant fragments, as
 * in the other query files; values are bound (query_prepare binds the
 * filters; ?15 is a limit, ?16 a person). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* What is counted, and the SQL expressions of one table's rows. */
struct base {
    const char *from;   /* FROM ... WHERE 1 */
    const char *day, *source, *section, *person, *kind;
    const char *count;  /* the aggregate */
    char alias;         /* q, m or a */
};

static const struct base base_quotes = {
    " FROM quotes q WHERE 1", "q.pub_day", "q.pub_source", "q.pub_section",
    "q.speaker_person_id", "q.kind", "count(*)", 'q'};
static const struct base base_quotes_distinct = {
    " FROM quotes q WHERE 1", "q.pub_day", "q.pub_source", "q.pub_section",
    "q.speaker_person_id", "q.kind", "count(DISTINCT coalesce(q.cluster_id, -q.id))", 'q'};
static const struct base base_mentions = {
    " FROM mentions m WHERE 1", "m.pub_day", "m.pub_source", "m.pub_section", "m.person_id",
    NULL, "count(*)", 'm'};
/* articles counted through their mentions: by person, by gender */
static const struct base base_articles_m = {
    " FROM mentions m WHERE 1", "m.pub_day", "m.pub_source", "m.pub_section", "m.person_id",
    NULL, "count(DISTINCT m.article_id)", 'm'};
static const struct base base_articles = {
    " FROM articles a WHERE 1", "a.published", "a.source COLLATE NOCASE", "a.section", NULL,
    NULL, "count(*)", 'a'};

static const struct base *base_of(const struct stats_query *sq, int per_person)
{
    switch (sq->metric) {
    case STATS_QUOTES: return sq->distinct ? &base_quotes_distinct : &base_quotes;
    case STATS_MENTIONS: return &base_mentions;
    default: return per_person ? &base_articles_m : &base_articles;
    }
}

static void sql3(struct sqlbuf *b, const char *x, const char *y, const char *z)
{
    query_sql(b, x);
    query_sql(b, y);
    query_sql(b, z);
}

/* The filters of f over base's rows, each " AND ...". */
static void filters(struct sqlbuf *b, const struct base *t, const struct query_list *f)
{
    if (t->alias == 'a') {
        if (f->fts)
            query_sql(b, " AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts"
                         " MATCH ?1)");
        if (f->person_mode == QP_ID)
            query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id = ?2)");
        else if (f->person_mode == QP_NAME)
            query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id IN "
                         QUERY_PERSON_BY_NAME ")");
        if (f->gender)
            query_sql(b, " AND a.id IN (SELECT article_id FROM mentions WHERE person_id IN"
                         " (SELECT id FROM people WHERE gender IS ?13))");
        if (f->source)
            query_sql(b, " AND a.source = ?3 COLLATE NOCASE");
    } else {
        if (f->fts)
            query_sql(b, t->alias == 'q'
                             ? " AND q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts"
                               " MATCH ?1)"
                             : " AND m.article_id IN (SELECT rowid FROM articles_fts WHERE"
                               " articles_fts MATCH ?1)");
        if (f->person_mode == QP_ID)
            sql3(b, " AND ", t->person, " = ?2");
        else if (f->person_mode == QP_NAME)
            sql3(b, " AND ", t->person, " IN " QUERY_PERSON_BY_NAME);
        if (f->gender)
            sql3(b, " AND ", t->person, " IN (SELECT id FROM people WHERE gender IS ?13)");
        if (f->source)
            sql3(b, " AND ", t->source, " = ?3");
    }
    if (f->kind && t->kind)
        sql3(b, " AND ", t->kind, " = ?10");
    if (f->section)
        sql3(b, " AND ", t->section, " = ?11");
    if (f->since)
        sql3(b, " AND ", t->day, " >= ?4");
    if (f->until)
        sql3(b, " AND ", t->day, " <= ?5");
}

/* The group expression of a split (NULL: none). */
static const char *group_expr(const struct base *t, enum stats_by by)
{
    switch (by) {
    case STATS_BY_PERSON: return t->person;
    case STATS_BY_SOURCE: return t->source;
    case STATS_BY_SECTION: return t->section;
    case STATS_BY_KIND: return t->kind;
    case STATS_BY_GENDER:
        return t->alias == 'q'
                   ? "(SELECT coalesce(gender, 'unknown') FROM people WHERE id = q.speaker_person_id)"
                   : "(SELECT coalesce(gender, 'unknown') FROM people WHERE id = m.person_id)";
    default: return NULL;
    }
}

/* The bucket of a date column, named by its first day. */
static void bucket_expr(struct sqlbuf *b, enum stats_interval iv, const char *day)
{
    switch (iv) {
    case STATS_DAY: query_sql(b, day); break;
    case STATS_WEEK: sql3(b, "date(", day, ", '-6 days', 'weekday 1')"); break;
    case STATS_MONTH: sql3(b, "substr(", day, ", 1, 7) || '-01'"); break;
    case STATS_YEAR: sql3(b, "substr(", day, ", 1, 4) || '-01-01'"); break;
    }
}

const char *stats_metric_name(enum stats_metric m)
{
    static const char *const n[] = {"quotes", "articles", "mentions"};
    return n[m];
}

const char *stats_interval_name(enum stats_interval i)
{
    static const char *const n[] = {"day", "week", "month", "year"};
    return n[i];
}

const char *stats_by_name(enum stats_by b)
{
    static const char *const n[] = {NULL, "person", "source", "section", "gender", "kind"};
    return n[b];
}

const char *stats_of_name(enum stats_of o)
{
    static const char *const n[] = {"people", "sources", "sections"};
    return n[o];
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), and back. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* "YYYY-MM-DD" -> y, m, d; 0, or -1 when it is not one. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

static void put_date(char out[11], int y, int m, int d)
{
    unsigned uy = y < 0 ? 0u : y > 9999 ? 9999u : (unsigned)y;
    unsigned um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
    char t[] = {(char)('0' + uy / 1000), (char)('0' + uy / 100 % 10), (char)('0' + uy / 10 % 10),
                (char)('0' + uy % 10),   '-', (char)('0' + um / 10), (char)('0' + um % 10), '-',
                (char)('0' + ud / 10),   (char)('0' + ud % 10), '\0'};
    memcpy(out, t, sizeof t);
}

/* The first day of the bucket holding date s, into out; -1 if s is no
 * date. */
static int bucket_of(enum stats_interval iv, const char *s, char out[11])
{
    int y, m, d;
    if (parse_date(s, &y, &m, &d) != 0)
        return -1;
    switch (iv) {
    case STATS_DAY: break;
    case STATS_WEEK: {
        int64_t z = days_from_civil(y, m, d);
        int wd = (int)(((z % 7) + 7 + 3) % 7); /* 0: Monday (1970-01-01 was a Thursday) */
        civil_from_days(z - wd, &y, &m, &d);
        break;
    }
    case STATS_MONTH: d = 1; break;
    case STATS_YEAR: m = d = 1; break;
    }
    put_date(out, y, m, d);
    return 0;
}

static void bucket_next(enum stats_interval iv, char b[11])
{
    int y, m, d;
    if (parse_date(b, &y, &m, &d) != 0)
        return;
    switch (iv) {
    case STATS_DAY:
    case STATS_WEEK:
        civil_from_days(days_from_civil(y, m, d) + (iv == STATS_DAY ? 1 : 7), &y, &m, &d);
        break;
    case STATS_MONTH:
        if (++m > 12)
            m = 1, y++;
        break;
    case STATS_YEAR: y++; break;
    }
    put_date(b, y, m, d);
}

/* ---- time series ---- */

struct group {
    char *label;      /* NULL: the unknown value (no source, no section) */
    int64_t person;   /* by person: the id */
    int64_t total;
    size_t orig;      /* its index in the accumulator, while sorted copies move */
};

struct raw {
    char bucket[11];
    size_t group;
    int64_t n;
};

struct acc {
    struct group *g;
    size_t ng, capg;
    struct raw *r;
    size_t nr, capr;
};

static void acc_free(struct acc *a)
{
    for (size_t i = 0; i < a->ng; i++)
        free(a->g[i].label);
    free(a->g);
    free(a->r);
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *np = realloc(*p, nc * size);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* The index of the group (label, person), added when new; (size_t)-1
 * when out of memory. */
static size_t group_find(struct acc *a, const char *label, int64_t person)
{
    for (size_t i = 0; i < a->ng; i++) {
        const struct group *g = &a->g[i];
        if (g->person == person && ((!g->label && !label) ||
                                    (g->label && label && strcmp(g->label, label) == 0)))
            return i;
    }
    if (grow((void **)&a->g, &a->capg, a->ng, sizeof *a->g) != 0)
        return (size_t)-1;
    struct group *g = &a->g[a->ng];
    memset(g, 0, sizeof *g);
    g->person = person;
    if (label && !(g->label = strdup(label)))
        return (size_t)-1;
    return a->ng++;
}

static int by_total(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    if (a->person != b->person)
        return a->person < b->person ? -1 : 1;
    if (!a->label || !b->label)
        return a->label ? -1 : b->label ? 1 : 0; /* the unknown value last */
    return strcmp(a->label, b->label);
}

/* The series' SQL: bucket, group, count per bucket and group.
 *
 * Counts that add up across days (all but distinct quotations, which a
 * cluster may carry on several days) are counted per day first, in the
 * order of an index that covers the split -- (pub_day, kind, speaker) for
 * kind, gender and no split, (pub_source, pub_day, ...) for source -- so
 * that SQLite groups while it reads instead of sorting every row; the
 * few thousand day rows are then bucketed.  On 970k quotes: 56 ms against
 * 350 ms for bucketing every row. */
static void series_sql(struct sqlbuf *b, const struct stats_query *sq, const struct base *t,
                       const char *g)
{
    int by_day = !(sq->metric == STATS_QUOTES && sq->distinct);
    query_sql(b, "SELECT ");
    bucket_expr(b, sq->interval, by_day ? "d" : t->day);
    query_sql(b, " AS bk, ");
    if (by_day) {
        query_sql(b, g ? "g, sum(n) AS n FROM (SELECT " : "NULL AS g, sum(n) AS n FROM (SELECT ");
        sql3(b, t->day, " AS d, ", g ? g : "NULL");
    } else {
        query_sql(b, g ? g : "NULL");
    }
    sql3(b, " AS g, ", t->count, " AS n");
    query_sql(b, t->from);
    filters(b, t, sq->f);
    /* "+": not a reason to read the date index (every dated row
     * passes); the planner picks the index that covers the split */
    sql3(b, " AND +", t->day, " IS NOT NULL");
    if (sq->by == STATS_BY_PERSON || sq->by == STATS_BY_GENDER)
        sql3(b, " AND ", t->person, " IS NOT NULL");
    if (sq->by == STATS_BY_PERSON) {
        /* the series of the limit people with most items in the range;
         * "+" keeps the planner on a covering index rather than the
         * person index, which would read every row to find its date */
        sql3(b, " AND ", t->person, " IN (SELECT g FROM (SELECT +");
        sql3(b, t->person, " AS g, ", t->count);
        query_sql(b, " AS n");
        query_sql(b, t->from);
        filters(b, t, sq->f);
        sql3(b, " AND +", t->day, " IS NOT NULL");
        sql3(b, " AND +", t->person, " IS NOT NULL GROUP BY g ORDER BY n DESC, g LIMIT ?15))");
    }
    if (by_day) {
        int source_first = sq->by == STATS_BY_SOURCE || sq->by == STATS_BY_SECTION;
        query_sql(b, !g ? " GROUP BY d) GROUP BY bk"
                        : source_first ? " GROUP BY g, d) GROUP BY bk, g"
                                       : " GROUP BY d, g) GROUP BY bk, g");
    } else {
        query_sql(b, g ? " GROUP BY bk, g" : " GROUP BY bk");
    }
}

/* Reads every (bucket, group, count) of the series into a. */
static qw_status read_series(struct qconn *c, const struct stats_query *sq, struct acc *a)
{
    const struct base *t = base_of(sq, sq->by == STATS_BY_PERSON || sq->by == STATS_BY_GENDER);
    const char *g = group_expr(t, sq->by);
    struct sqlbuf b = {.len = 0};
    series_sql(&b, sq, t, g);
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, &b, sq->f, &st);
    if (!s)
        return st;
    sqlite3_bind_int(s, 15, sq->limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *bk = (const char *)sqlite3_column_text(s, 0);
        if (!bk || strlen(bk) != 10)
            continue; /* a date SQLite could not read */
        size_t gi = 0;
        if (g) {
            const char *label = NULL;
            int64_t person = 0;
            if (sq->by == STATS_BY_PERSON)
                person = sqlite3_column_int64(s, 1);
            else if (sqlite3_column_type(s, 1) != SQLITE_NULL &&
                     !(label = (const char *)sqlite3_column_text(s, 1))) {
                st = QW_ERR_NOMEM;
                break;
            }
            if ((gi = group_find(a, label, person)) == (size_t)-1) {
                st = QW_ERR_NOMEM;
                break;
            }
        }
        if (grow((void **)&a->r, &a->capr, a->nr, sizeof *a->r) != 0) {
            st = QW_ERR_NOMEM;
            break;
        }
        struct raw *r = &a->r[a->nr++];
        memcpy(r->bucket, bk, 11);
        r->group = gi;
        r->n = sqlite3_column_int64(s, 2);
        if (g)
            a->g[gi].total += r->n;
    }
    if (st == QW_OK && rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}

/* Group names for people, and the fixed groups of gender and kind. */
static qw_status name_groups(struct qconn *c, const struct stats_query *sq, struct acc *a)
{
    if (sq->by == STATS_BY_GENDER || sq->by == STATS_BY_KIND) {
        static const char *const genders[] = {"female", "male", "unknown", NULL};
        static const char *const kinds[] = {"direct", "partial", NULL};
        const char *const *all = sq->by == STATS_BY_GENDER ? genders : kinds;
        for (size_t i = 0; all[i]; i++)
            if (group_find(a, all[i], 0) == (size_t)-1)
                return QW_ERR_NOMEM;
        return QW_OK;
    }
    if (sq->by != STATS_BY_PERSON)
        return QW_OK;
    static const char sql[] = "SELECT name FROM people WHERE id = ?1";
    for (size_t i = 0; i < a->ng; i++) {
        qw_status st = QW_OK;
        sqlite3_stmt *s = qconn_stmt(c, sql, sizeof sql - 1, &st);
        if (!s)
            return st;
        sqlite3_bind_int64(s, 1, a->g[i].person);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(s, 0);
            if (n && !(a->g[i].label = strdup(n)))
                st = QW_ERR_NOMEM;
        } else if (rc != SQLITE_DONE) {
            st = qconn_fail(c, rc);
        }
        qconn_release(c, s);
        if (st != QW_OK)
            return st;
    }
    return QW_OK;
}

static qw_status count_undated(struct qconn *c, const struct stats_query *sq, int64_t *out)
{
    const struct base *t = base_of(sq, 0);
    struct sqlbuf b = {.len = 0};
    sql3(&b, "SELECT ", t->count, t->from);
    filters(&b, t, sq->f);
    sql3(&b, " AND ", t->day, " IS NULL");
    return query_count(c, &b, sq->f, out);
}

static json_t *label_json(const struct group *g)
{
    return g->label ? json_string(g->label) : json_null();
}

/* Bucket i of the range, for a binary search over the sorted buckets. */
static long bucket_index(char (*bk)[11], size_t nb, const char *b)
{
    size_t lo = 0, hi = nb;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(bk[mid], b);
        if (cmp == 0)
            return (long)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

qw_status stats_timeseries(struct qconn *c, const struct stats_query *sq, json_t **groups,
                           json_t **rows, char from[11], char to[11], int64_t *undated,
                           char *err)
{
    *groups = *rows = NULL;
    from[0] = to[0] = '\0';
    *undated = 0;
    struct acc a = {0};
    char (*bk)[11] = NULL;
    int64_t *cell = NULL;
    size_t *slot = NULL;
    /* gender and kind: every value, in a fixed order, first */
    qw_status st = sq->by == STATS_BY_GENDER || sq->by == STATS_BY_KIND ? name_groups(c, sq, &a)
                                                                        : QW_OK;
    if (st == QW_OK)
        st = read_series(c, sq, &a);
    if (st == QW_OK && sq->by == STATS_BY_PERSON)
        st = name_groups(c, sq, &a);
    if (st == QW_OK && !sq->f->since && !sq->f->until)
        st = count_undated(c, sq, undated);
    if (st != QW_OK)
        goto out;
    /* the groups shown: the largest limit, largest first (gender and kind
     * keep their fixed order and all their values) */
    size_t ng = a.ng;
    slot = malloc((a.ng + 1) * sizeof *slot); /* group index -> column, or -1 */
    if (!slot) {
        st = QW_ERR_NOMEM;
        goto out;
    }
    struct group *order = NULL;
    if (sq->by == STATS_BY_PERSON || sq->by == STATS_BY_SOURCE || sq->by == STATS_BY_SECTION) {
        order = malloc((a.ng + 1) * sizeof *order);
        if (!order) {
            st = QW_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < a.ng; i++) {
            order[i] = a.g[i];
            order[i].orig = i;
        }
        qsort(order, a.ng, sizeof *order, by_total);
        ng = a.ng < (size_t)sq->limit ? a.ng : (size_t)sq->limit;
        for (size_t i = 0; i < a.ng; i++)
            slot[i] = (size_t)-1;
        for (size_t i = 0; i < ng; i++)
            slot[order[i].orig] = i;
    } else {
        for (size_t i = 0; i < a.ng; i++)
            slot[i] = i;
    }
    size_t cols = sq->by == STATS_BY_NONE ? 1 : ng;
    /* the range: since and until when given, else the data's */
    char lo[11] = "", hi[11] = "";
    for (size_t i = 0; i < a.nr; i++) {
        if (sq->by != STATS_BY_NONE && slot[a.r[i].group] == (size_t)-1)
            continue;
        if (!lo[0] || strcmp(a.r[i].bucket, lo) < 0)
            memcpy(lo, a.r[i].bucket, 11);
        if (!hi[0] || strcmp(a.r[i].bucket, hi) > 0)
            memcpy(hi, a.r[i].bucket, 11);
    }
    if (sq->f->since)
        bucket_of(sq->interval, sq->f->since, lo);
    if (sq->f->until)
        bucket_of(sq->interval, sq->f->until, hi);
    size_t nb = 0;
    if (lo[0] && hi[0] && strcmp(lo, hi) <= 0) {
        char b[11];
        memcpy(b, lo, 11);
        while (strcmp(b, hi) <= 0) {
            if ((nb + 1) * (cols ? cols : 1) > STATS_MAX_ROWS) {
                snprintf(err, QW_ERRLEN,
                         "The series would have more than %d rows (buckets times groups): "
                         "use a longer interval, a narrower since and until, or a smaller "
                         "limit.",
                         STATS_MAX_ROWS);
                st = QW_ERR_BAD_REQUEST;
                free(order);
                goto out;
            }
            nb++;
            bucket_next(sq->interval, b);
        }
        bk = malloc(nb * sizeof *bk);
        cell = calloc(nb * (cols ? cols : 1), sizeof *cell);
        if (!bk || !cell) {
            st = QW_ERR_NOMEM;
            free(order);
            goto out;
        }
        memcpy(b, lo, 11);
        for (size_t i = 0; i < nb; i++) {
            memcpy(bk[i], b, 11);
            bucket_next(sq->interval, b);
        }
        memcpy(from, lo, 11);
        memcpy(to, hi, 11);
    }
    for (size_t i = 0; i < a.nr && nb; i++) {
        size_t col = sq->by == STATS_BY_NONE ? 0 : slot[a.r[i].group];
        long bi = col == (size_t)-1 ? -1 : bucket_index(bk, nb, a.r[i].bucket);
        if (bi >= 0)
            cell[(size_t)bi * cols + col] += a.r[i].n;
    }
    /* groups, then one row per bucket and group */
    int oom = 0;
    json_t *ga = json_array(), *ra = json_array();
    oom = !ga || !ra;
    for (size_t k = 0; k < ng && sq->by != STATS_BY_NONE && !oom; k++) {
        const struct group *g = order ? &order[k] : &a.g[k];
        json_t *o = json_object();
        query_set(o, "group", label_json(g), &oom);
        query_set(o, "person_id", sq->by == STATS_BY_PERSON ? json_integer(g->person)
                                                            : json_null(), &oom);
        query_set(o, "total", json_integer(g->total), &oom);
        if (!o || json_array_append_new(ga, o) != 0)
            oom = 1;
    }
    for (size_t i = 0; i < nb && !oom; i++)
        for (size_t k = 0; k < cols && !oom; k++) {
            json_t *o = json_object();
            query_set(o, "bucket", json_string(bk[i]), &oom);
            if (sq->by != STATS_BY_NONE) {
                const struct group *g = order ? &order[k] : &a.g[k];
                query_set(o, "group", label_json(g), &oom);
                if (sq->by == STATS_BY_PERSON)
                    query_set(o, "person_id", json_integer(g->person), &oom);
            }
            query_set(o, "count", json_integer(cell[i * cols + k]), &oom);
            if (!o || json_array_append_new(ra, o) != 0)
                oom = 1;
        }
    free(order);
    if (oom) {
        json_decref(ga);
        json_decref(ra);
        st = QW_ERR_NOMEM;
        goto out;
    }
    *groups = ga;
    *rows = ra;
out:
    free(bk);
    free(cell);
    free(slot);
    acc_free(&a);
    return st;
}

/* ---- top ---- */

static int no_filters(const struct query_list *f)
{
    return !f->fts && f->person_mode == QP_NONE && !f->source && !f->section && !f->since &&
           !f->until && !f->kind && !f->gender;
}

struct top_ctx {
    int people, rank;
};

/* A top item: people's columns are id, count, name, gender; the others'
 * value, count. */
static json_t *top_row(sqlite3_stmt *s, void *ctx, int *oom)
{
    struct top_ctx *x = ctx;
    json_t *o = json_object();
    query_set(o, "rank", json_integer(++x->rank), oom);
    if (x->people) {
        int64_t id = sqlite3_column_int64(s, 0);
        char self[48], quotes[64];
        snprintf(self, sizeof self, "/people/%lld", (long long)id);
        snprintf(quotes, sizeof quotes, "/quotes?person=%lld", (long long)id);
        query_set(o, "id", json_integer(id), oom);
        query_set(o, "name", query_json_text(s, 2), oom);
        query_set(o, "gender", query_json_text(s, 3), oom);
        json_t *l = json_object();
        query_set(l, "person", json_string(self), oom);
        query_set(l, "quotes", json_string(quotes), oom);
        query_set(o, "links", l, oom);
    } else {
        query_set(o, "value", query_json_text(s, 0), oom);
    }
    query_set(o, "count", json_integer(sqlite3_column_int64(s, 1)), oom);
    return o;
}

qw_status stats_top(struct qconn *c, const struct stats_query *sq, enum stats_of of,
                    json_t **items)
{
    *items = NULL;
    const struct base *t = base_of(sq, of == STATS_OF_PEOPLE);
    struct sqlbuf b = {.len = 0};
    int people = of == STATS_OF_PEOPLE;
    if (people && sq->metric == STATS_QUOTES && !sq->distinct && no_filters(sq->f)) {
        /* the whole archive: the counts people keep (store.c) */
        query_sql(&b, "SELECT p.id, p.quote_count, p.name, p.gender FROM people p"
                      " WHERE p.quote_count > 0 ORDER BY p.quote_count DESC, p.id LIMIT ?15");
    } else {
        const char *g = people ? t->person : of == STATS_OF_SOURCES ? t->source : t->section;
        /* "+" (people): group on a covering index, not the person index
         * that would read each row for its date and source */
        query_sql(&b, people ? "SELECT t.g, t.n, p.name, p.gender FROM (SELECT +"
                             : "SELECT t.g, t.n FROM (SELECT ");
        sql3(&b, g, " AS g, ", t->count);
        query_sql(&b, " AS n");
        query_sql(&b, t->from);
        filters(&b, t, sq->f);
        sql3(&b, " AND ", g, " IS NOT NULL GROUP BY g ORDER BY n DESC, g LIMIT ?15) t");
        query_sql(&b, people ? " JOIN people p ON p.id = t.g ORDER BY t.n DESC, t.g"
                             : " ORDER BY t.n DESC, t.g");
    }
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, &b, sq->f, &st);
    if (!s)
        return st;
    sqlite3_bind_int(s, 15, sq->limit);
    struct top_ctx x = {.people = people};
    return query_rows(c, s, top_row, &x, items);
}

/* ---- co-mentions ---- */

/* The articles of ?16 within f's date, source and section filters. */
static void articles_of(struct sqlbuf *b, const struct query_list *f)
{
    query_sql(b, "(SELECT article_id FROM mentions WHERE person_id = ?16");
    if (f->source)
        query_sql(b, " AND pub_source = ?3");
    if (f->section)
        query_sql(b, " AND pub_section = ?11");
    if (f->since)
        query_sql(b, " AND pub_day >= ?4");
    if (f->until)
        query_sql(b, " AND pub_day <= ?5");
    if (f->fts)
        query_sql(b, " AND article_id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1)");
    query_sql(b, ")");
}

/* A co-mentioned person: id, name, gender, shared articles, quotes. */
static json_t *co_row(sqlite3_stmt *s, void *ctx, int *oom)
{
    int64_t person = *(const int64_t *)ctx;
    json_t *o = json_object();
    int64_t id = sqlite3_column_int64(s, 0);
    char self[48], shared[96];
    snprintf(self, sizeof self, "/people/%lld", (long long)id);
    snprintf(shared, sizeof shared, "/people/%lld/articles?with=%lld", (long long)person,
             (long long)id);
    query_set(o, "id", json_integer(id), oom);
    query_set(o, "name", query_json_text(s, 1), oom);
    query_set(o, "gender", query_json_text(s, 2), oom);
    query_set(o, "articles", json_integer(sqlite3_column_int64(s, 3)), oom);
    query_set(o, "quotes", json_integer(sqlite3_column_int64(s, 4)), oom);
    json_t *l = json_object();
    query_set(l, "person", json_string(self), oom);
    query_set(l, "articles", json_string(shared), oom);
    query_set(o, "links", l, oom);
    return o;
}

qw_status stats_co_mentions(struct qconn *c, int64_t person, const struct query_list *f,
                            int limit, json_t **items)
{
    *items = NULL;
    struct sqlbuf b = {.len = 0};
    query_sql(&b, "SELECT p.id, p.name, p.gender, t.n, (SELECT count(*) FROM quotes q"
                  " WHERE q.speaker_person_id = p.id AND q.article_id IN ");
    articles_of(&b, f);
    query_sql(&b, ") FROM (SELECT m.person_id AS pid, count(DISTINCT m.article_id) AS n"
                  " FROM mentions m WHERE m.article_id IN ");
    articles_of(&b, f);
    if (f->gender)
        query_sql(&b, " AND m.person_id IN (SELECT id FROM people WHERE gender IS ?13)");
    query_sql(&b, " AND m.person_id != ?16 GROUP BY m.person_id ORDER BY n DESC, m.person_id"
                  " LIMIT ?15) t JOIN people p ON p.id = t.pid ORDER BY t.n DESC, p.id");
    qw_status st;
    sqlite3_stmt *s = query_prepare(c, &b, f, &st);
    if (!s)
        return st;
    sqlite3_bind_int(s, 15, limit);
    sqlite3_bind_int64(s, 16, person);
    return query_rows(c, s, co_row, &person, items);
}
