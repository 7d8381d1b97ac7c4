/* qw_bm25 (rank.h) gives bm25's score, row for row, whether the rows come
 * from one cursor or from a cursor per row, and follows the data when it
 * changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "testhelp.h"

static const char *const docs[] = {
    "the dog barked at the postman", "a cat and a dog", "the the the quick brown fox",
    "dogs are not cats", "the minister said the dog was fine", "nothing to see here",
    "the cat sat on the mat while the dog slept", "Dog", "the end", "said the dog, said the cat"};

static sqlite3 *db_with_docs(char *path)
{
    char err[QW_ERRLEN];
    sqlite3 *db = NULL;
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    unlink(path);
    if (db_open(path, DB_READ_WRITE, &db, err) != QW_OK)
        return NULL;
    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b)", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO t (a, b) VALUES (?1, ?2)", -1, &st, NULL);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        sqlite3_bind_text(st, 1, docs[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, docs[(i + 3) % (sizeof docs / sizeof docs[0])], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return db;
}

/* Largest difference between bm25 and qw_bm25 over the matches of q, both
 * read from one cursor (how) or qw_bm25 from a cursor per row; -1 when the
 * two lists differ in rows or a statement fails. */
static double max_diff(sqlite3 *db, const char *q, int per_row)
{
    const char *sql =
        per_row ? "SELECT t.rowid, t.rank, (SELECT qw_bm25(f.t, ?1) FROM t f WHERE f.t MATCH ?1"
                  " AND f.rowid = t.rowid) FROM t WHERE t MATCH ?1 ORDER BY t.rowid"
                : "SELECT rowid, rank, qw_bm25(t, ?1) FROM t WHERE t MATCH ?1 ORDER BY rowid";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    double worst = 0;
    int rows = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
            worst = -1;
            break;
        }
        double d = fabs(sqlite3_column_double(st, 1) - sqlite3_column_double(st, 2));
        if (d > worst)
            worst = d;
        rows++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        fprintf(stderr, "step: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE && rows > 0 ? worst : -1;
}

int main(void)
{
    char path[] = "/tmp/qw-rank-XXXXXX";
    sqlite3 *db = db_with_docs(path);
    const char *queries[] = {"dog", "the", "the dog", "cat OR dog", "\"the dog\"", "said NOT cat",
                             "dog*"};
    TEST("qw_bm25 equals bm25 from one cursor")
    {
        CHECK(db != NULL);
        for (size_t i = 0; db && i < sizeof queries / sizeof queries[0]; i++) {
            double d = max_diff(db, queries[i], 0);
            if (!(d >= 0 && d < 1e-12))
                fprintf(stderr, "  %s: %g\n", queries[i], d);
            CHECK(d >= 0 && d < 1e-12);
        }
    }
    TEST("qw_bm25 equals bm25 from a cursor per row (the kept statistics)")
    {
        for (size_t i = 0; db && i < sizeof queries / sizeof queries[0]; i++) {
            double d = max_diff(db, queries[i], 1);
            CHECK(d >= 0 && d < 1e-12);
        }
    }
    TEST("qw_bm25 follows the data: new rows change its statistics")
    {
        CHECK(db && max_diff(db, "dog", 1) >= 0); /* statistics kept for "dog" */
        for (int i = 0; db && i < 30; i++)
            sqlite3_exec(db, "INSERT INTO t (a, b) VALUES ('another dog story', 'more')", NULL, NULL,
                         NULL);
        double d = db ? max_diff(db, "dog", 1) : -1;
        CHECK(d >= 0 && d < 1e-12);
        d = db ? max_diff(db, "dog", 0) : -1;
        CHECK(d >= 0 && d < 1e-12);
    }
    TEST("qw_bm25 without its query argument is an error, not a crash")
    {
        sqlite3_stmt *st = NULL;
        int rc = db ? sqlite3_prepare_v2(db, "SELECT qw_bm25(t) FROM t WHERE t MATCH 'dog'", -1, &st,
                                         NULL)
                    : SQLITE_ERROR;
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        CHECK(rc == SQLITE_ERROR);
        sqlite3_finalize(st);
    }
    db_close(db);
    char wal[64];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return test_report("rank");
}
