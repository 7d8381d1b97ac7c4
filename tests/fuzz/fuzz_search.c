/* libFuzzer target: what a client types into q and person.  The search
 * parser's output must be an FTS5 query SQLite accepts (never an FTS5
 * syntax error), and name folding must be idempotent. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db && (sqlite3_open(":memory:", &db) != SQLITE_OK ||
                sqlite3_exec(db,
                             "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 "
                             "remove_diacritics 2'); INSERT INTO t VALUES ('tax cut'), ('vat');",
                             NULL, NULL, NULL) != SQLITE_OK))
        __builtin_trap();
    const char *q = (const char *)data;
    char err[QW_ERRLEN];
    struct strbuf sb = STRBUF_INIT;
    if (search_fts(q, size, &sb, err) == QW_OK) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &s, NULL) != SQLITE_OK)
            __builtin_trap();
        sqlite3_bind_text(s, 1, sb.p, (int)sb.len, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
            ;
        if (rc != SQLITE_DONE)
            __builtin_trap(); /* an FTS5 syntax error got through */
        sqlite3_finalize(s);
    }
    strbuf_free(&sb);
    char *k = NULL, *k2 = NULL;
    size_t n = 0, n2 = 0;
    if (fold_key(q, size, &k, &n) == QW_OK && fold_key(k, n, &k2, &n2) == QW_OK &&
        (n != n2 || memcmp(k, k2, n) != 0))
        __builtin_trap(); /* folding twice must change nothing */
    free(k);
    free(k2);
    return 0;
}
