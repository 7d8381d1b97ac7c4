/* Fault injection in the style of SQLite's own I/O-error tests: a VFS
 * wrapped around the default one fails the Nth write-side call (xWrite,
 * xTruncate, xSync) for N = 1, 2, 3 ... during a load of samples/ and
 * during a POST, until a run finishes without reaching N.  Two kinds of
 * fault: a full disk (SQLITE_FULL from the Nth call on, as a disk that
 * stays full) and a single failed write (SQLITE_IOERR_WRITE once).
 *
 * After each fault: the load reports a database failure (never a skipped
 * file), the POST answers 507 or 503 with Retry-After (never 500), the
 * file passes integrity_check and foreign_key_check, the kept counters
 * agree with the rows, and a rerun without faults ends with the same
 * articles, people, quotes and mentions as a load that never failed:
 * nothing lost, nothing doubled. */
#include <dirent.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "api.h"
#include "db.h"
#include "extract.h"
#include "loader.h"
#include "log.h"
#include "testhelp.h"

/* ---- the faulty VFS ---- */

static sqlite3_vfs *real_vfs;
static atomic_long fault_at;   /* 0: no faults; else the call number that fails */
static atomic_long fault_seen; /* write-side calls since faults were armed */
static atomic_int fault_sticky; /* 1: every call from fault_at on fails (disk full) */
static atomic_int fault_hit;

struct ffile {
    sqlite3_file base; /* pMethods: &fmethods */
    sqlite3_file *real;
};

static int injected(void)
{
    long at = atomic_load(&fault_at);
    if (!at)
        return SQLITE_OK;
    long n = atomic_fetch_add(&fault_seen, 1) + 1;
    if (n == at || (n > at && atomic_load(&fault_sticky))) {
        atomic_store(&fault_hit, 1);
        return atomic_load(&fault_sticky) ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    }
    return SQLITE_OK;
}

#define REAL(f) (((struct ffile *)(f))->real)
static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    int rc = injected();
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = injected();
    return rc ? (rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_TRUNCATE)
              : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    int rc = injected();
    return rc ? (rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC)
              : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_check(sqlite3_file *f, int *o) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), o); }
static int f_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_dev(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int f_shmlock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void f_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p)
{
    return REAL(f)->pMethods->xFetch(REAL(f), o, n, p);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods fmethods = {
    3,        f_close,  f_read,  f_write, f_truncate, f_sync,     f_size,       f_lock,
    f_unlock, f_check,  f_fcntl, f_sector, f_dev,     f_shmmap,   f_shmlock,    f_shmbarrier,
    f_shmunmap, f_fetch, f_unfetch,
};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    struct ffile *ff = (struct ffile *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)real_vfs->szOsFile);
    int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
    f->pMethods = ff->real->pMethods ? &fmethods : NULL;
    return rc;
}
static int v_delete(sqlite3_vfs *v, const char *n, int sync) { (void)v; return real_vfs->xDelete(real_vfs, n, sync); }
static int v_access(sqlite3_vfs *v, const char *n, int fl, int *o) { (void)v; return real_vfs->xAccess(real_vfs, n, fl, o); }
static int v_full(sqlite3_vfs *v, const char *n, int sz, char *o) { (void)v; return real_vfs->xFullPathname(real_vfs, n, sz, o); }
static void *v_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return real_vfs->xDlOpen(real_vfs, n); }
static void v_dlerr(sqlite3_vfs *v, int n, char *m) { (void)v; real_vfs->xDlError(real_vfs, n, m); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return real_vfs->xDlSym(real_vfs, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int v_rand(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xRandomness(real_vfs, n, o); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }
static int v_lasterr(sqlite3_vfs *v, int n, char *m) { (void)v; return real_vfs->xGetLastError(real_vfs, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return real_vfs->xCurrentTimeInt64(real_vfs, t); }

static sqlite3_vfs fvfs = {
    2, 0, 1024, NULL, "faulty", NULL, v_open, v_delete, v_access, v_full, v_dlopen, v_dlerr,
    v_dlsym, v_dlclose, v_rand, v_sleep, v_time, v_lasterr, v_time64, NULL, NULL, NULL,
};

static void faults_arm(long at, int sticky)
{
    atomic_store(&fault_seen, 0);
    atomic_store(&fault_hit, 0);
    atomic_store(&fault_sticky, sticky);
    atomic_store(&fault_at, at);
}

static void faults_off(void)
{
    atomic_store(&fault_at, 0);
}

/* ---- checks ---- */

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

struct tally {
    int64_t articles, people, quotes, mentions;
};

static struct tally tally_of(sqlite3 *db)
{
    struct tally t = {count(db, "SELECT count(*) FROM articles"), count(db, "SELECT count(*) FROM people"),
                      count(db, "SELECT count(*) FROM quotes"), count(db, "SELECT count(*) FROM mentions")};
    return t;
}

/* 1 when the file is sound: integrity_check says ok, no foreign key
 * points nowhere, the kept counters equal the rows, no text twice. */
static int sound(const char *path, char *why, size_t whylen)
{
    sqlite3 *db = NULL;
    char err[QW_ERRLEN] = "";
    if (db_open(path, DB_READ_WRITE, &db, err) != QW_OK) {
        snprintf(why, whylen, "reopen: %s", err);
        return 0;
    }
    int ok = 1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        snprintf(why, whylen, "integrity_check: %s",
                 st && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "?");
        ok = 0;
    }
    sqlite3_finalize(st);
    if (ok && count(db, "SELECT count(*) FROM pragma_foreign_key_check") != 0) {
        snprintf(why, whylen, "foreign_key_check finds rows");
        ok = 0;
    }
    if (ok && count(db, "SELECT count(*) FROM counters WHERE n != CASE name"
                        " WHEN 'articles' THEN (SELECT count(*) FROM articles)"
                        " WHEN 'people' THEN (SELECT count(*) FROM people)"
                        " WHEN 'quotes' THEN (SELECT count(*) FROM quotes)"
                        " WHEN 'mentions' THEN (SELECT count(*) FROM mentions)"
                        " WHEN 'corrections' THEN (SELECT count(*) FROM corrections) END") != 0) {
        snprintf(why, whylen, "counters disagree with the rows");
        ok = 0;
    }
    /* the full-text indexes hold exactly the rows there are (the store
     * adds new rows to them before each commit) */
    if (ok && (sqlite3_exec(db, "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check');"
                                "INSERT INTO quotes_fts(quotes_fts) VALUES('integrity-check')",
                            NULL, NULL, NULL) != SQLITE_OK)) {
        snprintf(why, whylen, "a full-text index disagrees with its table: %s", sqlite3_errmsg(db));
        ok = 0;
    }
    if (ok && count(db, "SELECT count(*) - count(DISTINCT content_hash) FROM articles") != 0) {
        snprintf(why, whylen, "an article stored twice");
        ok = 0;
    }
    db_close(db);
    return ok;
}

static char template_db[160];

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int ok = in && out;
    char buf[1 << 16];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

static void remove_db(const char *path)
{
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* A new, migrated, empty database at path (a copy of one made once). */
static int fresh_db(const char *path)
{
    faults_off();
    remove_db(path);
    if (!template_db[0]) {
        snprintf(template_db, sizeof template_db, "%s.template", path);
        sqlite3 *db = NULL;
        char err[QW_ERRLEN];
        int ok = db_open(template_db, DB_READ_WRITE, &db, err) == QW_OK &&
                 db_migrate(db, NULL, err) == QW_OK &&
                 sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK;
        db_close(db);
        if (!ok)
            return 0;
    }
    return copy_file(template_db, path);
}

/* The fault points to try when a clean run makes total write-side calls:
 * every one up to 150, then 150 more spread evenly over the rest. */
static long next_point(long n, long total)
{
    if (n < 150 || total <= 300)
        return n + 1;
    long step = (total - 150) / 150;
    return n + (step > 1 ? step : 1);
}

static qw_status load_samples(const char *path)
{
    sqlite3 *db = NULL;
    char err[QW_ERRLEN];
    qw_status st = db_open(path, DB_BULK, &db, err);
    if (st != QW_OK)
        return st;
    char *paths[] = {"samples"};
    struct loader_options opt = {0};
    struct loader_summary sum;
    memset(&sum, 0, sizeof sum);
    st = loader_run(db, paths, 1, &opt, &sum);
    if (st == QW_OK && sum.skipped)
        st = QW_ERR_INVALID; /* a fault must never look like a bad file */
    db_close(db);
    return st;
}

static struct tally tally_file(const char *path)
{
    sqlite3 *db = NULL;
    char err[QW_ERRLEN];
    struct tally t = {-1, -1, -1, -1};
    if (db_open(path, DB_READ_ONLY, &db, err) == QW_OK)
        t = tally_of(db);
    db_close(db);
    return t;
}

static int same(struct tally a, struct tally b)
{
    return a.articles == b.articles && a.people == b.people && a.quotes == b.quotes &&
           a.mentions == b.mentions;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int post(struct api *a, const char *text, struct api_response *res)
{
    struct api_request r;
    memset(&r, 0, sizeof r);
    r.method = API_POST;
    r.path = "/articles";
    r.content_type = "text/plain";
    r.body = text;
    r.body_len = strlen(text);
    api_handle(a, &r, res);
    return res->status;
}

int main(void)
{
    log_set_level(LOG_QUIET);
    real_vfs = sqlite3_vfs_find(NULL);
    fvfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
    fvfs.mxPathname = real_vfs->mxPathname;
    if (sqlite3_vfs_register(&fvfs, 1) != SQLITE_OK) {
        fprintf(stderr, "cannot register the faulty VFS\n");
        return 1;
    }
    if (extract_init() != 0) {
        fprintf(stderr, "extract_init failed\n");
        return 1;
    }
    char dir[] = "/tmp/qw-faults-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof path, "%s/f.db", dir);

    /* the reference: a load that never fails */
    struct tally want = {0};
    long load_writes = 0, post_writes = 0;
    TEST("a load without faults stores the samples")
    {
        CHECK(fresh_db(path));
        faults_arm(LONG_MAX, 0); /* counts the write-side calls, fails none */
        CHECK(load_samples(path) == QW_OK);
        load_writes = atomic_load(&fault_seen);
        faults_off();
        want = tally_file(path);
        CHECK(want.articles > 0 && want.quotes > 0 && want.people > 0);
        CHECK(load_writes > 3);
    }

    for (int sticky = 1; sticky >= 0; sticky--) {
        char name[96];
        snprintf(name, sizeof name, "load: the Nth write fails (%s), for every N",
                 sticky ? "disk full from then on" : "one I/O error");
        TEST(name)
        {
            long n, tried = 0;
            int bad = 0;
            for (n = 1; n < 100000 && bad < 5; n = next_point(n, load_writes)) {
                CHECK(fresh_db(path));
                faults_arm(n, sticky);
                tried++;
                qw_status st = load_samples(path);
                faults_off();
                if (!atomic_load(&fault_hit)) {
                    CHECK(st == QW_OK);
                    break;
                }
                char why[200] = "";
                if (st == QW_OK) {
                    /* SQLite retried or the fault hit a checkpoint after
                     * the commit: the load must then be whole */
                    if (!same(tally_file(path), want)) {
                        fprintf(stderr, "N=%ld: load reported success but is incomplete\n", n);
                        bad++;
                    }
                } else if (st != QW_ERR_FULL && st != QW_ERR_IO && st != QW_ERR_BUSY) {
                    fprintf(stderr, "N=%ld: load failed with '%s', want a database failure\n", n,
                            qw_status_str(st));
                    bad++;
                }
                if (!sound(path, why, sizeof why)) {
                    fprintf(stderr, "N=%ld: after the fault: %s\n", n, why);
                    bad++;
                    continue;
                }
                if (load_samples(path) != QW_OK || !same(tally_file(path), want) ||
                    !sound(path, why, sizeof why)) {
                    fprintf(stderr, "N=%ld: the rerun did not end where a clean load does %s\n", n,
                            why);
                    bad++;
                }
            }
            CHECK(bad == 0);
            CHECK(tried > 3); /* the load made writes that were failed */
            printf("  load, %s: %ld fault points of %ld write-side calls\n",
                   sticky ? "disk full" : "I/O error", tried - 1, load_writes);
        }
    }

    const char *text = slurp("samples/blinken-china.txt");
    for (int sticky = 1; sticky >= 0; sticky--) {
        char name[96];
        snprintf(name, sizeof name, "POST: the Nth write fails (%s): 507/503 + Retry-After, then it works",
                 sticky ? "disk full" : "one I/O error");
        TEST(name)
        {
            CHECK(text != NULL);
            long n, tried = 0;
            int bad = 0;
            struct tally ref = {0};
            for (n = 1; text && n < 100000 && bad < 5; n = next_point(n, post_writes), tried++) {
                CHECK(fresh_db(path));
                struct api *a = NULL;
                char err[QW_ERRLEN];
                struct api_config cfg = {.db_path = path, .query_ms = 5000, .max_body = 1 << 20,
                                         .anonymous_writes = 1};
                if (api_new(&cfg, &a, err) != QW_OK) {
                    fprintf(stderr, "api_new: %s\n", err);
                    bad++;
                    break;
                }
                struct api_response res;
                memset(&res, 0, sizeof res);
                faults_arm(n, sticky);
                int status = post(a, text, &res);
                int hit = atomic_load(&fault_hit);
                faults_off();
                if (hit && status != 201) {
                    int want_status = sticky ? 507 : 503;
                    if (status != want_status || res.retry_after <= 0 ||
                        strcmp(res.content_type ? res.content_type : "", "application/problem+json")) {
                        fprintf(stderr, "N=%ld: POST answered %d (Retry-After %d), want %d\n", n,
                                status, res.retry_after, want_status);
                        bad++;
                    }
                } else if (status != 201) {
                    fprintf(stderr, "N=%ld: POST without a fault answered %d\n", n, status);
                    bad++;
                }
                api_response_free(&res);
                /* once space is back, the same server takes the article */
                memset(&res, 0, sizeof res);
                int again = post(a, text, &res);
                api_response_free(&res);
                if (again != (status == 201 ? 200 : 201)) {
                    fprintf(stderr, "N=%ld: the POST after the fault answered %d\n", n, again);
                    bad++;
                }
                api_free(a);
                char why[200] = "";
                if (!sound(path, why, sizeof why)) {
                    fprintf(stderr, "N=%ld: after the POST: %s\n", n, why);
                    bad++;
                }
                struct tally t = tally_file(path);
                if (n == 1)
                    ref = t;
                if (!hit && !post_writes)
                    post_writes = n;
                if (!same(t, ref) || t.articles != 1) {
                    fprintf(stderr, "N=%ld: %lld articles, %lld quotes after the retry\n", n,
                            (long long)t.articles, (long long)t.quotes);
                    bad++;
                }
                if (!hit)
                    break;
            }
            CHECK(bad == 0);
            CHECK(tried > 3);
            printf("  POST, %s: %ld fault points\n", sticky ? "disk full" : "I/O error", tried);
        }
    }

    remove_db(path);
    remove_db(template_db);
    char side[300];
    snprintf(side, sizeof side, "rm -rf '%s'", dir);
    if (system(side) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    extract_shutdown();
    return test_report("faults");
}
