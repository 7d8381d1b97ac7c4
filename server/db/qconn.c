/* Per-thread read connections with a statement cache and a deadline. */
#include "qconn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

/* Open addressing over the hash of the SQL text.  Variants are bounded (a
 * few hundred at most), so a full probe window means a pathological mix;
 * then the statement is prepared uncached and finalized on release. */
#define QCONN_SLOTS 1024
#define QCONN_PROBE 16

struct slot {
    uint64_t hash;
    sqlite3_stmt *stmt;
};

struct qconn {
    sqlite3 *db;
    unsigned query_ms;
    int64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = no deadline */
    struct slot slots[QCONN_SLOTS];
};

static int64_t now_ns(void)
{
    struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int progress(void *arg)
{
    struct qconn *c = arg;
    return c->deadline_ns && now_ns() > c->deadline_ns;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h | 1; /* 0 marks an empty slot */
}

qw_status qconn_open(const char *path, int replica, unsigned query_ms, struct qconn **out,
                     char *err)
{
    *out = NULL;
    struct qconn *c = calloc(1, sizeof *c);
    if (!c)
        return QW_ERR_NOMEM;
    qw_status st = db_open(path, replica ? DB_REPLICA : DB_READ_ONLY, &c->db, err);
    if (st != QW_OK) {
        free(c);
        return st;
    }
    c->query_ms = query_ms;
    if (query_ms)
        sqlite3_progress_handler(c->db, 1000, progress, c);
    *out = c;
    return QW_OK;
}

void qconn_close(struct qconn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < QCONN_SLOTS; i++)
        sqlite3_finalize(c->slots[i].stmt);
    db_close(c->db);
    free(c);
}

void qconn_arm(struct qconn *c)
{
    c->deadline_ns = c->query_ms ? now_ns() + (int64_t)c->query_ms * 1000000 : 0;
}

sqlite3 *qconn_db(struct qconn *c)
{
    return c->db;
}

sqlite3_stmt *qconn_stmt(struct qconn *c, const char *sql, size_t len, qw_status *st)
{
    uint64_t h = fnv(sql, len);
    size_t free_slot = SIZE_MAX;
    for (size_t k = 0; k < QCONN_PROBE; k++) {
        struct slot *s = &c->slots[(h + k) % QCONN_SLOTS];
        if (!s->stmt) {
            free_slot = (h + k) % QCONN_SLOTS;
            break;
        }
        if (s->hash == h) {
            const char *t = sqlite3_sql(s->stmt);
            if (t && strlen(t) == len && memcmp(t, sql, len) == 0)
                return s->stmt;
        }
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, (int)len,
                                free_slot != SIZE_MAX ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
                                NULL);
    if (rc != SQLITE_OK || !stmt) {
        log_error("sqlite: prepare: %s", sqlite3_errmsg(c->db));
        sqlite3_finalize(stmt);
        *st = rc == SQLITE_NOMEM ? QW_ERR_NOMEM : QW_ERR_DB;
        return NULL;
    }
    if (free_slot != SIZE_MAX) {
        c->slots[free_slot].hash = h;
        c->slots[free_slot].stmt = stmt;
    }
    return stmt;
}

void qconn_release(struct qconn *c, sqlite3_stmt *s)
{
    if (!s)
        return;
    const char *t = sqlite3_sql(s);
    if (t) {
        uint64_t h = fnv(t, strlen(t));
        for (size_t k = 0; k < QCONN_PROBE; k++) {
            struct slot *sl = &c->slots[(h + k) % QCONN_SLOTS];
            if (sl->stmt == s) {
                sqlite3_reset(s);
                sqlite3_clear_bindings(s);
                return;
            }
            if (!sl->stmt)
                break;
        }
    }
    sqlite3_finalize(s);
}

qw_status qconn_fail(struct qconn *c, int rc)
{
    qw_status st = db_status(rc);
    if (st == QW_OK)
        st = QW_ERR_DB;
    if (st != QW_ERR_BUSY)
        log_error("sqlite: %s", sqlite3_errmsg(c->db));
    return st;
}

/* Steps a cached one-row-less statement: BEGIN, COMMIT. */
static qw_status run(struct qconn *c, const char *sql, size_t len)
{
    qw_status st = QW_OK;
    sqlite3_stmt *s = qconn_stmt(c, sql, len, &st);
    if (!s)
        return st;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}

qw_status qconn_begin(struct qconn *c)
{
    static const char sql[] = "BEGIN";
    if (!sqlite3_get_autocommit(c->db))
        return QW_OK;
    return run(c, sql, sizeof sql - 1);
}

void qconn_end(struct qconn *c)
{
    static const char commit[] = "COMMIT", rollback[] = "ROLLBACK";
    if (!c || sqlite3_get_autocommit(c->db))
        return;
    if (run(c, commit, sizeof commit - 1) != QW_OK)
        run(c, rollback, sizeof rollback - 1);
}

qw_status qconn_data_version(struct qconn *c, int64_t *out)
{
    static const char sql[] = "PRAGMA data_version";
    qw_status st = QW_OK;
    sqlite3_stmt *s = qconn_stmt(c, sql, sizeof sql - 1, &st);
    if (!s)
        return st;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else
        st = qconn_fail(c, rc);
    qconn_release(c, s);
    return st;
}
