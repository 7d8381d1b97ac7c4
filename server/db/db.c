#include "db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "embedded.h"
#include "fold.h"
#include "log.h"
#include "rank.h"

__attribute__((format(printf, 2, 3))) static void set_err(char *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, QW_ERRLEN, fmt, ap);
    va_end(ap);
}

qw_status db_status(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return QW_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT: return QW_ERR_BUSY;
    case SQLITE_NOMEM: return QW_ERR_NOMEM;
    case SQLITE_CONSTRAINT: return QW_ERR_INVALID;
    case SQLITE_FULL: return QW_ERR_FULL;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR: return QW_ERR_IO;
    default: return QW_ERR_DB;
    }
}

qw_status db_prepare(sqlite3 *db, const char *who, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        log_error("%s: %s", who, sqlite3_errmsg(db));
        return QW_ERR_DB;
    }
    return QW_OK;
}

qw_status db_step_once(sqlite3 *db, const char *who, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        log_error("%s: %s", who, sqlite3_errmsg(db));
        qw_status s = db_status(rc);
        return s != QW_OK ? s : QW_ERR_DB;
    }
    return QW_OK;
}

qw_status db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("sqlite: %s (in: %.60s)", msg ? msg : sqlite3_errstr(rc), sql);
        sqlite3_free(msg);
        return db_status(rc);
    }
    return QW_OK;
}

/* qw_fold(text): fold_key as an SQL function, NULL for NULL. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    char *k = NULL;
    size_t klen = 0;
    if (!t || fold_key(t, (size_t)n, &k, &klen) != QW_OK) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, k, (int)klen, free);
}


static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The name of one table, view or index of the file that quotewire's
 * schema does not have, or "" when there is none (name: 128 bytes).
 * Tells another application's database apart from ours, so that it is
 * refused instead of being migrated into. */
static void foreign_object(sqlite3 *db, int v, char *name)
{
    name[0] = '\0';
    sqlite3_stmt *st = NULL;
    /* at version 0 anything is foreign; later, a file without our
     * articles table is another program's that uses user_version too */
    const char *sql = v == 0 ? "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' LIMIT 1"
                             : "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_schema WHERE "
                               "type='table' AND name='articles') THEN NULL ELSE coalesce((SELECT "
                               "name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' LIMIT 1), "
                               "'?') END";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(name, 128, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int db_user_version(sqlite3 *db)
{
    return user_version(db);
}

/* "file:PATH?immutable=1", PATH percent-encoded except unreserved bytes
 * and '/'. */
static int immutable_uri(const char *path, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    const char *pre = "file:";
    for (const char *p = pre; *p; p++)
        out[n++] = *p;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (n + 4 >= cap)
            return -1;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p)) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    const char *suf = "?immutable=1";
    if (n + strlen(suf) + 1 > cap)
        return -1;
    memcpy(out + n, suf, strlen(suf) + 1);
    return 0;
}

/* Process-wide SQLite settings, before its first use: no memory
 * statistics, which quotewire never reads and which cost a global mutex on
 * every allocation SQLite makes (a load's rows are many small ones).  Too
 * late once something else has used SQLite (a test's VFS): then harmless. */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

qw_status db_open(const char *path, enum db_mode mode, sqlite3 **out, char *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_NOMUTEX |
                (mode == DB_REPLICA     ? SQLITE_OPEN_READONLY
                 : mode == DB_READ_ONLY ? SQLITE_OPEN_READWRITE
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    *out = NULL;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc == SQLITE_OK && mode == DB_REPLICA &&
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
        /* a WAL file whose -shm cannot be made (a read-only directory):
         * read it as a file that does not change; the server reopens it
         * when it is replaced */
        sqlite3_close_v2(db);
        db = NULL;
        char uri[4200];
        if (immutable_uri(path, uri, sizeof uri) != 0) {
            set_err(err, "cannot open database %s: path too long", path);
            return QW_ERR_INVALID;
        }
        rc = sqlite3_open_v2(uri, &db, flags | SQLITE_OPEN_URI, NULL);
        if (rc == SQLITE_OK)
            log_info("%s: read-only directory; opened immutable (a new version is picked up "
                     "when the file is replaced)", path);
    }
    if (rc != SQLITE_OK) {
        set_err(err, "cannot open database %s: %s", path,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return db_status(rc) == QW_ERR_DB ? QW_ERR_IO : db_status(rc);
    }
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    rc = sqlite3_create_function_v2(db, "qw_fold", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    sql_fold, NULL, NULL, NULL);
    if (rc == SQLITE_OK && rank_register(db) != QW_OK)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        set_err(err, "cannot set up database %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return db_status(rc) == QW_ERR_DB ? QW_ERR_IO : db_status(rc);
    }
    /* Before anything is written (journal_mode=WAL changes the file's
     * header): another program's file is left exactly as it was. */
    char other[128];
    foreign_object(db, user_version(db), other);
    if (other[0]) {
        set_err(err, "%s: not a quotewire database (it holds another program's '%.60s'); "
                "use a new file", path, other);
        sqlite3_close_v2(db);
        return QW_ERR_INVALID;
    }
    /* journal_mode=WAL persists in the file; readers never block the writer. */
    /* Read connections map the file (up to SQLite's 2 GiB limit) instead of
     * a pread per page their 2 MB cache misses: the server's threads share
     * the OS's page cache.  Random article and quote reads 24.0-30.9k ->
     * 29.2-34.5k req/s, alternating runs.  The file only shrinks by VACUUM,
     * which quotewire never runs. */
    const char *setup = mode == DB_READ_ONLY || mode == DB_REPLICA
                            ? "PRAGMA foreign_keys=ON; PRAGMA query_only=1;"
                              " PRAGMA mmap_size=2147418112;"
                        : mode == DB_BULK
                            /* checkpoints every 64 MiB of WAL instead of every 4:
                               a 48k-article load 10.6-11.0 s -> 10.1-10.5 s;
                               the WAL is cut back to 64 MiB after each */
                            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              " PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144;"
                              " PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=16384;"
                              " PRAGMA journal_size_limit=67108864;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(db, setup, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        set_err(err, "cannot set up database %s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close_v2(db);
        return db_status(rc) == QW_ERR_DB ? QW_ERR_IO : db_status(rc);
    }
    *out = db;
    return QW_OK;
}

void db_close(sqlite3 *db)
{
    /* Not sqlite3_next_stmt + finalize: that would also finalize FTS5's
     * own statements and double-free them.  close_v2 waits for the owners. */
    if (db)
        sqlite3_close_v2(db);
}

int db_schema_version(void)
{
    return (int)embedded_migrations_count;
}


/* Migrations that need code as well as SQL: the step runs after the file
 * of that name, in the same transaction.  Matched by the end of the name,
 * so the number in front may change. */
static const struct {
    const char *suffix;
    qw_status (*run)(sqlite3 *db);
} migration_code[] = {
    {"_quote_clusters.sql", cluster_backfill},
};

static qw_status migrate_code(sqlite3 *db, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof migration_code / sizeof migration_code[0]; i++) {
        size_t k = strlen(migration_code[i].suffix);
        if (n >= k && strcmp(name + n - k, migration_code[i].suffix) == 0)
            return migration_code[i].run(db);
    }
    return QW_OK;
}

qw_status db_migrate(sqlite3 *db, int *applied, char *err)
{
    int n = 0;
    if (applied)
        *applied = 0;
    int target = db_schema_version();
    for (;;) {
        /* Read the version inside the write lock, so two processes that
         * migrate at once do not both apply the same step. */
        qw_status st = db_exec(db, "BEGIN IMMEDIATE");
        if (st != QW_OK) {
            set_err(err, "cannot lock the database for migration");
            return st;
        }
        int v = user_version(db);
        if (v < 0) {
            db_exec(db, "ROLLBACK");
            set_err(err, "cannot read the schema version");
            return QW_ERR_DB;
        }
        if (v > target) {
            db_exec(db, "ROLLBACK");
            set_err(err, "database schema version %d is newer than this program's (%d)", v,
                    target);
            return QW_ERR_INVALID;
        }
        if (v == target) {
            db_exec(db, "COMMIT");
            break;
        }
        const struct embedded_file *m = &embedded_migrations[v];
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if ((st = db_exec(db, m->data)) != QW_OK || (st = migrate_code(db, m->name)) != QW_OK ||
            (st = db_exec(db, pragma)) != QW_OK || (st = db_exec(db, "COMMIT")) != QW_OK) {
            db_exec(db, "ROLLBACK");
            set_err(err, "migration %s failed", m->name);
            return st;
        }
        log_debug("applied migration %s", m->name);
        n++;
    }
    if (applied)
        *applied = n;
    return QW_OK;
}
