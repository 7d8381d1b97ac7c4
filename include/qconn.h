#ifndef QUOTEWIRE_QCONN_H
#define QUOTEWIRE_QCONN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "qw.h"

/* A read-only SQLite connection for one thread, with a cache of prepared
 * statements (SQLITE_PREPARE_PERSISTENT, keyed by their SQL text) and a
 * per-query deadline enforced by sqlite3_progress_handler.
 *
 * SQL given to qconn_stmt is always built from constant fragments chosen
 * by which parameters are present, never from input: the variants are few
 * and each is prepared once per connection. */

struct qconn;

/* Opens path read-only (query_only=1; replica: SQLITE_OPEN_READONLY, see
 * DB_REPLICA in db.h).  query_ms is the deadline of one
 * request's queries (0: none).  *out is the caller's, closed by
 * qconn_close.  err (QW_ERRLEN bytes, may be NULL) receives a message. */
qw_status qconn_open(const char *path, int replica, unsigned query_ms, struct qconn **out,
                     char *err);

/* Finalizes every cached statement and closes the connection; NULL ok. */
void qconn_close(struct qconn *c);

/* Arms the deadline: queries that run past now + query_ms are interrupted
 * (their step returns SQLITE_INTERRUPT, which db_status maps to
 * QW_ERR_BUSY).  Call at the start of each request. */
void qconn_arm(struct qconn *c);

/* Returns a statement for sql[0..len), reset and with no bindings, or NULL
 * with *st set (QW_ERR_NOMEM, QW_ERR_DB; the SQLite message is logged).
 * The statement is lent: give it back with qconn_release. */
sqlite3_stmt *qconn_stmt(struct qconn *c, const char *sql, size_t len, qw_status *st);

/* Resets (or, for an uncached statement, finalizes) a statement from
 * qconn_stmt; NULL ok. */
void qconn_release(struct qconn *c, sqlite3_stmt *s);

/* The status for a step result other than SQLITE_ROW/SQLITE_DONE; logs
 * SQLite's message unless it is an interrupt or busy. */
qw_status qconn_fail(struct qconn *c, int rc);

sqlite3 *qconn_db(struct qconn *c);

/* A read snapshot: the statements from qconn_begin to qconn_end run in
 * one read transaction, so they see the database as one version (a page
 * and its count, a cached answer and its version) and take the WAL's
 * locks once instead of once per statement.  qconn_end without an open
 * transaction does nothing. */
qw_status qconn_begin(struct qconn *c);
void qconn_end(struct qconn *c);
/* PRAGMA data_version: a value that changes whenever another connection
 * (this process's writer, a loader) commits to the database. */
qw_status qconn_data_version(struct qconn *c, int64_t *out);

#endif
