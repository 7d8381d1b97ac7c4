#ifndef QUOTEWIRE_DB_H
#define QUOTEWIRE_DB_H

#include <sqlite3.h>

#include "qw.h"

/* Connection setup and migrations.
 *
 * Every connection: WAL, foreign_keys=ON, busy_timeout, synchronous=NORMAL.
 * Read-only connections also set query_only=1, so a handler bug can never
 * write through them.  Every connection has the SQL function qw_fold(text)
 * (fold_key in include/fold.h: the key names are stored and matched by);
 * it is not used in the schema itself (no trigger, index or default calls
 * it), so other SQLite clients can still read and write the file. */

#define DB_DEFAULT_PATH "quotewire.db"
#define DB_BUSY_TIMEOUT_MS 5000

/* DB_BULK: DB_READ_WRITE with a 256 MiB page cache, for load and
 * reextract: with SQLite's default 2 MiB the indexes of a large database
 * are read back and rewritten on every batch (a 57k-article load: 59 s
 * with the default, 45 s with 256 MiB). */
/* DB_REPLICA: opened with SQLITE_OPEN_READONLY, so nothing is ever written
 * to the file or created beside it when the directory allows; a WAL file in
 * a directory this process cannot write (a replica) is opened immutable,
 * and a new version is then seen only when the file is replaced. */
enum db_mode { DB_READ_WRITE, DB_READ_ONLY, DB_BULK, DB_REPLICA };

/* Opens (creating if needed, in DB_READ_WRITE mode) the database at path
 * and configures the connection.  On QW_OK *out is the caller's, to close
 * with db_close.  err (QW_ERRLEN bytes, may be NULL) receives a message. */
qw_status db_open(const char *path, enum db_mode mode, sqlite3 **out, char *err);

/* The file's schema version (PRAGMA user_version), or -1. */
int db_user_version(sqlite3 *db);

/* sqlite3_close_v2: the connection goes once every statement is finalized
 * by its owner; accepts NULL. */
void db_close(sqlite3 *db);

/* Applies every embedded migration above PRAGMA user_version, each in its
 * own BEGIN IMMEDIATE transaction.  *applied (may be NULL) receives the
 * number applied.  A database newer than this binary is an error. */
qw_status db_migrate(sqlite3 *db, int *applied, char *err);

/* The schema version this binary's migrations reach. */
int db_schema_version(void);

/* Runs sql (no parameters, no rows wanted); logs SQLite's message. */
qw_status db_exec(sqlite3 *db, const char *sql);

/* Maps an SQLite result code to a qw_status (BUSY/LOCKED -> QW_ERR_BUSY,
 * NOMEM -> QW_ERR_NOMEM, CONSTRAINT -> QW_ERR_INVALID, others QW_ERR_DB). */
qw_status db_status(int rc);

/* Prepares sql into *st; a failure is logged as "who: <SQLite's message>".
 * QW_OK or QW_ERR_DB. */
qw_status db_prepare(sqlite3 *db, const char *who, const char *sql, sqlite3_stmt **st);

/* Steps st once (a statement with no rows, or whose first row is not
 * wanted) and resets it.  QW_OK, or the status of SQLite's error (logged
 * as in db_prepare). */
qw_status db_step_once(sqlite3 *db, const char *who, sqlite3_stmt *st);

#endif
