/* Storage: migrations, idempotent inserts, people across articles, counts,
 * and deletes that take orphaned people with them. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "testhelp.h"

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* An article whose text is s, with people and quotes described by hand. */
static void make_article(struct article *a, const char *s)
{
    memset(a, 0, sizeof *a);
    a->text = strdup(s);
    a->len = strlen(s);
    a->title = strdup("Headline");
}

static struct extract_person person(const char *name, size_t s, size_t e)
{
    struct extract_person p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    p.mentions = malloc(sizeof *p.mentions);
    p.mentions[0].start = s;
    p.mentions[0].end = e;
    p.nmentions = 1;
    return p;
}

int main(void)
{
    char path[] = "/tmp/qw-test-store-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    sqlite3 *db = NULL;
    char err[QW_ERRLEN] = "";
    struct store *st = NULL;

    TEST("migrate creates the schema once")
    {
        int applied = -1;
        CHECK(db_open(path, DB_READ_WRITE, &db, err) == QW_OK);
        CHECK(db_migrate(db, &applied, err) == QW_OK);
        CHECK(applied == db_schema_version());
        CHECK(db_migrate(db, &applied, err) == QW_OK);
        CHECK(applied == 0);
        CHECK(count(db, "PRAGMA user_version") == db_schema_version());
        CHECK(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'quotes_fts'") == 1);
    }

    TEST("a newer database is refused")
    {
        CHECK(db_exec(db, "PRAGMA user_version=999") == QW_OK);
        CHECK(db_migrate(db, NULL, err) == QW_ERR_INVALID);
        CHECK(strstr(err, "newer") != NULL);
        char v[64];
        snprintf(v, sizeof v, "PRAGMA user_version=%d", db_schema_version());
        CHECK(db_exec(db, v) == QW_OK);
    }

    CHECK(store_new(db, &st) == QW_OK);
    /*                0         1         2         3         4
     *                0123456789012345678901234567890123456789012345 */
    const char *t1 = "Ann Lee said \"It works.\" Lee smiled at Bo Day.";
    struct article a1;
    make_article(&a1, t1);
    struct extract_person p1[2] = {person("Ann Lee", 0, 7), person("Bo Day", 39, 45)};
    p1[0].mentions = realloc(p1[0].mentions, 2 * sizeof *p1[0].mentions);
    p1[0].mentions[1].start = 25;
    p1[0].mentions[1].end = 28;
    p1[0].nmentions = 2;
    struct extract_quote q1 = {14, 23, QUOTE_DIRECT, "Ann Lee", 0, "said", 0.9};
    struct extract_result x1 = {p1, 2, &q1, 1};
    int64_t id1 = 0, id2 = 0;
    int created = -1;

    TEST("an article is stored with its people, mentions and quotes")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_article(st, &a1, "a.txt", &x1, &id1, &created) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(created == 1 && id1 > 0);
        CHECK(count(db, "SELECT count(*) FROM people") == 2);
        CHECK(count(db, "SELECT count(*) FROM mentions") == 3);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Ann Lee'") == 1);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Bo Day'") == 1);
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Lee'") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE text = 'It works.'"
                        " AND speaker_person_id IS NOT NULL") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'works'") == 1);
    }

    TEST("the same text again changes nothing")
    {
        int64_t again = 0;
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_article(st, &a1, "copy.txt", &x1, &again, &created) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(created == 0 && again == id1);
        CHECK(count(db, "SELECT count(*) FROM articles") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes") == 1);
        int64_t found = 0;
        CHECK(store_find_by_text(st, t1, strlen(t1), &found) == QW_OK && found == id1);
    }

    const char *t2 = "Ann Lee spoke again. \"More,\" said the department.";
    struct article a2;
    make_article(&a2, t2);
    struct extract_person p2[1] = {person("ann  lee", 0, 7)};
    struct extract_quote q2 = {22, 27, QUOTE_DIRECT, "the department", -1, "said", 0.5};
    struct extract_result x2 = {p2, 1, &q2, 1};

    TEST("the same name in another article is the same person")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_article(st, &a2, NULL, &x2, &id2, &created) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(created == 1 && id2 != id1);
        CHECK(count(db, "SELECT count(*) FROM people") == 2);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Ann Lee'") == 2);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE speaker = 'the department'"
                        " AND speaker_person_id IS NULL") == 1);
    }

    TEST("deleting an article takes people left with nothing")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id1) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM people") == 1);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Ann Lee'") == 1);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Ann Lee'") == 0);
        CHECK(count(db, "SELECT count(*) FROM mentions") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'works'") == 0);
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Lee'") == 0);
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Ann Lee'") == 1);
    }

    TEST("deleting a missing article is not found and changes nothing")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id1) == QW_ERR_NOT_FOUND);
        store_rollback(st);
        CHECK(count(db, "SELECT count(*) FROM articles") == 1);
    }

    TEST("integrity check is ok")
    {
        sqlite3_stmt *s = NULL;
        CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(s) == SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(s, 0), "ok");
        sqlite3_finalize(s);
    }

    free(p1[0].mentions);
    free(p1[1].mentions);
    free(p2[0].mentions);
    article_free(&a1);
    article_free(&a2);
    store_free(st);
    db_close(db);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return test_report("store");
}
