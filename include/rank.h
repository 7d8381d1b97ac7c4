#ifndef QUOTEWIRE_RANK_H
#define QUOTEWIRE_RANK_H

#include <sqlite3.h>

#include "qw.h"

/* qw_bm25(fts_table, query): FTS5's bm25() (k1 1.2, b 0.75, every column
 * weighted 1: the formula of SQLite's fts5_aux.c, and the same score)
 * whose per-query part (each phrase's idf, the average row length) is kept
 * per connection, keyed by the query text (the second argument, the MATCH
 * expression) and the database's data version.  bm25() computes that part
 * again for every cursor: ranking a few articles one rowid lookup at a
 * time (a correlated subquery each, as a list narrowed by its other
 * filters does) counted a common term's documents again for each, 20 ms
 * a row for "the" at 700k articles.  Registered on every connection by
 * db_open. */
qw_status rank_register(sqlite3 *db);

#endif
