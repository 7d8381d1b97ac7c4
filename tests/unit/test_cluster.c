/* Quote clusters: the normalised keys, assignment when quotes are stored,
 * and the backfill migration 0006 runs on an existing database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "db.h"
#include "store.h"
#include "testhelp.h"

static int nkeys(const char *s, int64_t k[3])
{
    return cluster_keys(s, strlen(s), k);
}

static int same_key(const char *a, const char *b)
{
    int64_t ka[3], kb[3];
    return nkeys(a, ka) > 0 && nkeys(b, kb) > 0 && ka[0] == kb[0];
}

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Stores an article whose text is s with one quote: the first occurrence
 * of quote in s.  Returns the quote's id. */
static int64_t store_quote(sqlite3 *db, struct store *st, const char *s, const char *quote)
{
    struct article a;
    memset(&a, 0, sizeof a);
    a.text = (char *)s;
    a.len = strlen(s);
    a.title = (char *)"Headline";
    const char *p = strstr(s, quote);
    struct extract_quote q = {(size_t)(p - s), (size_t)(p - s) + strlen(quote), QUOTE_DIRECT,
                              (char *)"a spokesman", -1, (char *)"said", 0.5};
    struct extract_result x = {NULL, 0, &q, 1};
    int64_t id = 0;
    int created = 0;
    if (store_begin(st) != QW_OK || store_article(st, &a, NULL, &x, &id, &created) != QW_OK ||
        store_commit(st) != QW_OK || !created)
        return -1;
    (void)db;
    return sqlite3_last_insert_rowid(db);
}

static int64_t cluster_of(sqlite3 *db, int64_t quote)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT cluster_id FROM quotes WHERE id = %lld", (long long)quote);
    return count(db, sql);
}

int main(void)
{
    int64_t k[3];

    TEST("marks, case, whitespace and apostrophes do not change the key")
    {
        CHECK(same_key("We will not back down, ever.", "\xe2\x80\x9cwe WILL  not\nback down ever\xe2\x80\x9d"));
        CHECK(same_key("We don't back down now.", "We don\xe2\x80\x99t back down now"));
        CHECK(same_key("We don't back down now.", "We dont back down now"));
        CHECK(same_key("Costs rose \xe2\x80\x94 sharply \xe2\x80\x94 this year", "costs rose sharply this year"));
    }

    TEST("other words give another key")
    {
        CHECK(!same_key("We will not back down", "We will now back down"));
        CHECK(!same_key("We will not back down", "We will not back"));
        CHECK(!same_key("We will not back down", "will not back down We"));
    }

    TEST("short quotes are not clustered, trimmed keys only from six words")
    {
        CHECK(nkeys("a real disaster", k) == 0);
        CHECK(nkeys("\"\" -- ,,,", k) == 0);
        CHECK(nkeys("", k) == 0);
        CHECK(nkeys("a real and total disaster", k) == 1);
        CHECK(nkeys("it was a real and total disaster", k) == 3);
    }

    TEST("the trimmed keys are the quote without its first or last word")
    {
        int64_t t[3];
        CHECK(nkeys("it was a real and total disaster", k) == 3);
        CHECK(nkeys("was a real and total disaster", t) >= 1 && t[0] == k[1]);
        CHECK(nkeys("It was a real and total", t) >= 1 && t[0] == k[2]);
    }

    TEST("non-ASCII letters are part of words")
    {
        CHECK(same_key("\xc3\xa9t\xc3\xa9 chaud et sec ici", "\xc3\xa9t\xc3\xa9 chaud et sec ici."));
        CHECK(!same_key("\xc3\xa9t\xc3\xa9 chaud et sec ici", "t chaud et sec ici"));
    }

    char path[] = "/tmp/qw-test-cluster-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    sqlite3 *db = NULL;
    char err[QW_ERRLEN] = "";
    struct store *st = NULL;
    CHECK(db_open(path, DB_READ_WRITE, &db, err) == QW_OK);
    CHECK(db_migrate(db, NULL, err) == QW_OK);
    CHECK(store_new(db, &st) == QW_OK);

    int64_t q1 = store_quote(db, st, "Wire copy. \"We will not back down on this, ever,\" she said.",
                             "We will not back down on this, ever,");
    int64_t q2 = store_quote(db, st, "Follow-up. She had said: \xe2\x80\x9cwe will not back down on this\xe2\x80\x9d.",
                             "we will not back down on this");
    int64_t q3 = store_quote(db, st, "Other. \"We will never back down on this,\" he said.",
                             "We will never back down on this,");
    int64_t q4 = store_quote(db, st, "Short. The \"real disaster\" went on.", "real disaster");
    int64_t q5 = store_quote(db, st, "Again short. A \"real disaster\" it was.", "real disaster");

    TEST("a quote and its trimmed form in another article share a cluster")
    {
        CHECK(q1 > 0 && q2 > q1);
        CHECK(cluster_of(db, q1) == q1);
        CHECK(cluster_of(db, q2) == q1);
    }

    TEST("a different quotation starts its own cluster; short ones stay alone")
    {
        CHECK(cluster_of(db, q3) == q3);
        CHECK(cluster_of(db, q4) == q4);
        CHECK(cluster_of(db, q5) == q5);
    }

    TEST("deleting an article takes its keys with it")
    {
        int64_t before = count(db, "SELECT count(*) FROM quote_keys");
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT article_id FROM quotes WHERE id = %lld", (long long)q3);
        int64_t aid = count(db, sql);
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, aid) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM quote_keys") == before - 3); /* 7 words: 3 keys */
        CHECK(count(db, "SELECT count(*) FROM quote_keys WHERE quote_id NOT IN (SELECT id FROM quotes)") == 0);
    }

    TEST("the backfill gives an old database the clusters a fresh load gives")
    {
        int64_t q6 = store_quote(db, st, "Third. \"We will not back down on this, ever,\" it read.",
                                 "We will not back down on this, ever,");
        CHECK(cluster_of(db, q6) == q1);
        CHECK(db_exec(db, "DELETE FROM quote_keys; UPDATE quotes SET cluster_id = NULL") == QW_OK);
        CHECK(db_exec(db, "BEGIN") == QW_OK);
        CHECK(cluster_backfill(db) == QW_OK);
        CHECK(db_exec(db, "COMMIT") == QW_OK);
        CHECK(cluster_of(db, q1) == q1 && cluster_of(db, q2) == q1 && cluster_of(db, q6) == q1);
        CHECK(cluster_of(db, q4) == q4);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE cluster_id IS NULL") == 0);
    }

    store_free(st);
    sqlite3_close(db);
    close(fd);
    unlink(path);
    return test_report("cluster");
}
