/* qw_bm25: bm25 with its per-query statistics kept across cursors (rank.h). */
#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define RANK_CACHE 8        /* queries remembered per connection */
#define RANK_MAX_PHRASES 64 /* search.h allows far fewer terms */

struct rank_entry {
    char *query;            /* NULL: unused */
    unsigned data_version;
    int ncol, nphrase;
    sqlite3_int64 nrow, ntok;
    double avgdl;
    double idf[RANK_MAX_PHRASES];
    unsigned long long used; /* for eviction */
};

struct rank_cache {
    struct rank_entry e[RANK_CACHE];
    unsigned long long tick;
};

static void cache_free(void *p)
{
    struct rank_cache *c = p;
    if (!c)
        return;
    for (int i = 0; i < RANK_CACHE; i++)
        free(c->e[i].query);
    free(c);
}

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *user)
{
    (void)api, (void)fts;
    (*(sqlite3_int64 *)user)++;
    return SQLITE_OK;
}

/* The entry for this query and snapshot, computed when it is not kept. */
static int stats(const Fts5ExtensionApi *api, Fts5Context *fts, struct rank_cache *c,
                 const char *query, unsigned dv, struct rank_entry **out)
{
    sqlite3_int64 nrow = 0, ntok = 0;
    int rc = api->xRowCount(fts, &nrow);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &ntok);
    if (rc != SQLITE_OK)
        return rc;
    int ncol = api->xColumnCount(fts), nphrase = api->xPhraseCount(fts);
    if (nphrase > RANK_MAX_PHRASES)
        return SQLITE_TOOBIG;
    struct rank_entry *victim = &c->e[0];
    for (int i = 0; i < RANK_CACHE; i++) {
        struct rank_entry *e = &c->e[i];
        if (e->query && e->data_version == dv && e->nrow == nrow && e->ntok == ntok &&
            e->ncol == ncol && e->nphrase == nphrase && strcmp(e->query, query) == 0) {
            e->used = ++c->tick;
            *out = e;
            return SQLITE_OK;
        }
        if (!e->query || e->used < victim->used)
            victim = e;
    }
    double idf[RANK_MAX_PHRASES];
    for (int i = 0; i < nphrase; i++) {
        sqlite3_int64 hits = 0;
        if ((rc = api->xQueryPhrase(fts, i, &hits, count_cb)) != SQLITE_OK)
            return rc;
        /* as fts5_aux.c: a term in more than half the rows would score
         * negative; it gets a tiny positive weight instead */
        double v = log(((double)nrow - (double)hits + 0.5) / ((double)hits + 0.5));
        idf[i] = v <= 0.0 ? 1e-6 : v;
    }
    char *q = strdup(query);
    if (!q)
        return SQLITE_NOMEM;
    free(victim->query);
    victim->query = q;
    victim->data_version = dv;
    victim->ncol = ncol;
    victim->nphrase = nphrase;
    victim->nrow = nrow;
    victim->ntok = ntok;
    victim->avgdl = nrow ? (double)ntok / (double)nrow : 1.0;
    memcpy(victim->idf, idf, (size_t)nphrase * sizeof idf[0]);
    victim->used = ++c->tick;
    *out = victim;
    return SQLITE_OK;
}

static void qw_bm25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                    int nval, sqlite3_value **val)
{
    const double k1 = 1.2, b = 0.75;
    struct rank_cache *c = api->xUserData(fts);
    const char *query = nval >= 1 ? (const char *)sqlite3_value_text(val[0]) : NULL;
    if (!query) {
        sqlite3_result_error(ctx, "qw_bm25: the query text is its argument", -1);
        return;
    }
    unsigned dv = 0;
    sqlite3 *db = sqlite3_context_db_handle(ctx);
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &dv) != SQLITE_OK)
        dv = 0;
    struct rank_entry *e = NULL;
    int rc = stats(api, fts, c, query, dv, &e);
    double freq[RANK_MAX_PHRASES] = {0};
    int ninst = 0;
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fts, &ninst);
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK && ip >= 0 && ip < e->nphrase)
            freq[ip] += 1.0;
    }
    int ntok = 0;
    if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, -1, &ntok);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double score = 0.0, d = (double)ntok;
    for (int i = 0; i < e->nphrase; i++)
        score += e->idf[i] * ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * d / e->avgdl)));
    sqlite3_result_double(ctx, -1.0 * score);
}

/* FTS5's API pointer for db (SQLite's documented way: SELECT fts5(?1)). */
static fts5_api *fts5_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

qw_status rank_register(sqlite3 *db)
{
    fts5_api *api = fts5_of(db);
    if (!api) {
        log_error("rank: this SQLite has no FTS5");
        return QW_ERR_DB;
    }
    struct rank_cache *c = calloc(1, sizeof *c);
    if (!c)
        return QW_ERR_NOMEM;
    /* the cache is the function's: freed when the connection closes */
    if (api->xCreateFunction(api, "qw_bm25", c, qw_bm25, cache_free) != SQLITE_OK) {
        cache_free(c);
        return QW_ERR_DB;
    }
    return QW_OK;
}
