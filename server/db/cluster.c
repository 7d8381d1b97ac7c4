/* Quote clusters: normalised keys and cluster assignment (cluster.h). */
#include "cluster.h"

#include <stdlib.h>

#include "db.h"
#include "log.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t mix(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

/* Length of the typographic punctuation or space at p (UTF-8: quotation
 * marks, dashes, ellipsis, no-break space, guillemets), 0 if none. */
static size_t punct_len(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
        ((p[2] >= 0x90 && p[2] <= 0x9f) || p[2] == 0xa6 || p[2] == 0xb9 || p[2] == 0xba))
        return 3; /* U+2010..U+201F dashes and quotation marks, U+2026, U+2039/203A */
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0xab || p[1] == 0xbb))
        return 2;
    return 0;
}

/* An apostrophe inside a word: ' or U+2019, between two word bytes. */
static size_t apostrophe_len(const unsigned char *p, size_t n)
{
    if (n >= 1 && p[0] == '\'')
        return 1;
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x99)
        return 3;
    return 0;
}

static int word_byte(const unsigned char *p, size_t n, size_t *adv)
{
    *adv = 1;
    if (*p < 0x80)
        return (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
    size_t k = punct_len(p, n);
    if (k) {
        *adv = k;
        return 0;
    }
    return 1;
}

int cluster_keys(const char *text, size_t len, int64_t keys[3])
{
    const unsigned char *p = (const unsigned char *)text;
    uint64_t all = FNV_OFFSET, rest = FNV_OFFSET, before_last = FNV_OFFSET;
    size_t words = 0, i = 0;
    while (i < len) {
        size_t adv;
        if (!word_byte(p + i, len - i, &adv)) {
            i += adv;
            continue;
        }
        /* a word: bytes up to the next non-word byte, apostrophes
         * between word bytes skipped */
        before_last = all;
        if (words > 0) {
            all = mix(all, ' ');
            if (words > 1)
                rest = mix(rest, ' ');
        }
        while (i < len) {
            unsigned char c = p[i];
            size_t a = apostrophe_len(p + i, len - i), w;
            if (a && i + a < len && word_byte(p + i + a, len - i - a, &w) && i > 0) {
                i += a;
                continue;
            }
            if (!word_byte(p + i, len - i, &adv))
                break;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            all = mix(all, c);
            if (words > 0)
                rest = mix(rest, c);
            i++;
        }
        words++;
    }
    if (words < CLUSTER_MIN_WORDS)
        return 0;
    keys[0] = (int64_t)all;
    if (words < CLUSTER_TRIM_WORDS)
        return 1;
    keys[1] = (int64_t)rest;
    keys[2] = (int64_t)before_last;
    return 3;
}

enum { C_KEY, C_FIND, C_SET, C_COUNT };

static const char *const sql[C_COUNT] = {
    [C_KEY] = "INSERT OR IGNORE INTO quote_keys (key, quote_id, full) VALUES (?1, ?2, ?3)",
    /* a quote equal to this one, this one without an end word (full
     * keys), or one of which this one is a trimmed form (any key) */
    [C_FIND] = "SELECT min(q.cluster_id) FROM quote_keys k JOIN quotes q ON q.id = k.quote_id"
               " WHERE k.quote_id <> ?4 AND q.cluster_id IS NOT NULL AND"
               " (k.key = ?1 OR (k.full = 1 AND k.key IN (?2, ?3)))",
    [C_SET] = "UPDATE quotes SET cluster_id = ?2 WHERE id = ?1",
};

struct cluster {
    sqlite3 *db;
    sqlite3_stmt *st[C_COUNT];
};

void cluster_free(struct cluster *c)
{
    if (!c)
        return;
    for (int i = 0; i < C_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    free(c);
}

qw_status cluster_new(sqlite3 *db, struct cluster **out)
{
    struct cluster *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return QW_ERR_NOMEM;
    c->db = db;
    for (int i = 0; i < C_COUNT; i++) {
        int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL);
        if (rc != SQLITE_OK) {
            log_error("cluster: cannot prepare statement %d: %s", i, sqlite3_errmsg(db));
            cluster_free(c);
            return db_status(rc);
        }
    }
    *out = c;
    return QW_OK;
}

static qw_status step(struct cluster *c, int which)
{
    sqlite3_stmt *st = c->st[which];
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        log_error("cluster: statement %d: %s", which, sqlite3_errmsg(c->db));
        sqlite3_reset(st);
        return db_status(rc);
    }
    return QW_OK;
}

qw_status cluster_assign(struct cluster *c, int64_t id, const char *text, size_t len)
{
    int64_t keys[3];
    int n = cluster_keys(text, len, keys);
    int64_t cid = id;
    qw_status rc;
    if (n > 0) {
        sqlite3_stmt *f = c->st[C_FIND];
        sqlite3_bind_int64(f, 1, keys[0]);
        if (n == 3) {
            sqlite3_bind_int64(f, 2, keys[1]);
            sqlite3_bind_int64(f, 3, keys[2]);
        } else {
            sqlite3_bind_null(f, 2);
            sqlite3_bind_null(f, 3);
        }
        sqlite3_bind_int64(f, 4, id);
        if ((rc = step(c, C_FIND)) != QW_OK)
            return rc;
        if (sqlite3_column_type(f, 0) != SQLITE_NULL)
            cid = sqlite3_column_int64(f, 0);
        sqlite3_reset(f);
        for (int k = 0; k < n; k++) {
            sqlite3_stmt *s = c->st[C_KEY];
            sqlite3_bind_int64(s, 1, keys[k]);
            sqlite3_bind_int64(s, 2, id);
            sqlite3_bind_int(s, 3, k == 0);
            rc = step(c, C_KEY);
            sqlite3_reset(s);
            if (rc != QW_OK)
                return rc;
        }
    }
    sqlite3_stmt *s = c->st[C_SET];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, cid);
    rc = step(c, C_SET);
    sqlite3_reset(s);
    return rc;
}

qw_status cluster_backfill(sqlite3 *db)
{
    struct cluster *c;
    sqlite3_stmt *st = NULL;
    qw_status rc = cluster_new(db, &c);
    if (rc != QW_OK)
        return rc;
    int src = sqlite3_prepare_v2(db, "SELECT id, text FROM quotes WHERE cluster_id IS NULL ORDER BY id",
                                 -1, &st, NULL);
    if (src != SQLITE_OK) {
        cluster_free(c);
        return db_status(src);
    }
    int64_t n = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        if ((rc = cluster_assign(c, sqlite3_column_int64(st, 0), t ? t : "", t ? len : 0)) != QW_OK)
            break;
        n++;
    }
    if (rc == QW_OK && src != SQLITE_DONE)
        rc = db_status(src);
    sqlite3_finalize(st);
    cluster_free(c);
    if (rc == QW_OK && n)
        log_info("clustered %lld existing quotes", (long long)n);
    return rc;
}
