/* Re-extraction over a loaded database: with the same extractor nothing
 * changes; articles marked as an older version are done and only they; an
 * extraction that lost its quotes and people comes back whole, with the
 * counts kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "extract.h"
#include "loader.h"
#include "log.h"
#include "reextract.h"
#include "store.h"
#include "testhelp.h"

static char root[64];

static const char *const texts[] = {
    "Minister resigns\n\nLONDON, Jan 5 (Reuters) - The minister resigned on Friday. \"I have "
    "done my best,\" said John Smith, the minister. Smith, 61, had led the department since "
    "2019. \"He will be missed,\" said Mary Jones, his deputy.\n",
    "Storm hits coast\n\nWashington: A storm hit the coast, officials said. \"It was "
    "terrible,\" said Mary Jones. \"We lost the roof,\" said Peter Brown, a fisherman. Brown "
    "said the harbour was closed.\n",
    "Markets rally\n\nNEW YORK, March 3 - Stocks rose. \"Investors are relieved,\" said Ann "
    "Lee, an analyst at the bank. Lee expects more gains.\n",
    "Council votes\n\nThe council voted on the budget. \"It is a fair budget,\" the mayor, "
    "Tom Grey, said. John Smith did not comment.\n",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Every row that the API shows, one string (ids included when ids). */
static char *dump(sqlite3 *db, int ids)
{
    const char *sql =
        ids ? "SELECT group_concat(r, '|') FROM ("
              " SELECT 'p' || id || name || coalesce(gender, '') || article_count || ','"
              "  || quote_count AS r FROM people"
              " UNION ALL SELECT 'r' || person_id || role FROM person_roles"
              " UNION ALL SELECT 'a' || person_id || alias FROM person_aliases"
              " UNION ALL SELECT 'm' || article_id || ',' || person_id || ',' || start || ','"
              "  || end || text FROM mentions"
              " UNION ALL SELECT 'q' || id || ',' || article_id || ',' || start || ',' || end"
              "  || kind || coalesce(speaker, '') || coalesce(speaker_person_id, '')"
              "  || coalesce(cue, '') || confidence FROM quotes"
              " UNION ALL SELECT 'v' || id || ',' || extract_version FROM articles"
              " ORDER BY 1)"
            /* by name: ids of people and quotes may differ */
            : "SELECT group_concat(r, '|') FROM ("
              " SELECT 'p' || name || coalesce(gender, '') || article_count || ','"
              "  || quote_count AS r FROM people"
              " UNION ALL SELECT 'r' || p.name || role FROM person_roles JOIN people p"
              "  ON p.id = person_id"
              " UNION ALL SELECT 'a' || p.name || alias FROM person_aliases JOIN people p"
              "  ON p.id = person_id"
              " UNION ALL SELECT 'm' || article_id || ',' || p.name || ',' || start || ','"
              "  || end || text FROM mentions JOIN people p ON p.id = person_id"
              " UNION ALL SELECT 'q' || article_id || ',' || start || ',' || end || kind"
              "  || coalesce(speaker, '') || coalesce(p.name, '') || coalesce(cue, '')"
              "  || confidence FROM quotes LEFT JOIN people p ON p.id = speaker_person_id"
              " ORDER BY 1)";
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int64_t inconsistencies(sqlite3 *db)
{
    return count(db,
                 "SELECT count(*) FROM people p WHERE article_count != (SELECT count(*) FROM"
                 " (SELECT article_id FROM mentions WHERE person_id = p.id UNION"
                 "  SELECT article_id FROM quotes WHERE speaker_person_id = p.id))"
                 " OR quote_count != (SELECT count(*) FROM quotes WHERE speaker_person_id = p.id)"
                 " OR article_count = 0") +
           count(db, "SELECT count(*) FROM person_aliases a WHERE NOT EXISTS (SELECT 1 FROM"
                     " mentions m WHERE m.person_id = a.person_id AND m.text = a.alias)");
}

static int write_tree(char *dir, size_t dirsz)
{
    snprintf(dir, dirsz, "%s/t", root);
    if (mkdir(dir, 0700) != 0)
        return -1;
    for (size_t i = 0; i < NTEXTS; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%zu.txt", dir, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        fputs(texts[i], f);
        if (fclose(f) != 0)
            return -1;
    }
    return 0;
}

static void remove_tree(void)
{
    char path[160];
    for (size_t i = 0; i < NTEXTS; i++) {
        snprintf(path, sizeof path, "%s/t/%zu.txt", root, i);
        unlink(path);
    }
    const char *files[] = {"test.db", "test.db-wal", "test.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/t", root);
    rmdir(path);
    rmdir(root);
}

int main(void)
{
    char err[QW_ERRLEN] = "", dbpath[128], tree[128];
    sqlite3 *db = NULL;
    struct loader_summary ls;
    struct loader_options lo = {.source = "Wire"};
    struct reextract_summary sum;
    struct reextract_options all = {1, 0, 0, 0}, older = {0, 0, 0, 0};
    char *loaded = NULL, *loaded_by_name = NULL, *now = NULL;

    log_set_level(LOG_ERROR);
    snprintf(root, sizeof root, "/tmp/qw_test_reextract_XXXXXX");
    if (!mkdtemp(root)) {
        TEST("temp folder") CHECK(0);
        return test_report("reextract");
    }
    snprintf(dbpath, sizeof dbpath, "%s/test.db", root);

    TEST("setup: load")
    {
        CHECK(write_tree(tree, sizeof tree) == 0);
        CHECK(db_open(dbpath, DB_READ_WRITE, &db, err) == QW_OK);
        CHECK(db_migrate(db, NULL, err) == QW_OK);
        char *paths[] = {tree};
        CHECK(loader_run(db, paths, 1, &lo, &ls) == QW_OK);
        CHECK(ls.added == (int64_t)NTEXTS);
        CHECK(count(db, "SELECT count(*) FROM quotes") >= 5);
        CHECK(count(db, "SELECT count(*) FROM people") >= 4);
        loaded = dump(db, 1);
        loaded_by_name = dump(db, 0);
        CHECK(loaded && loaded_by_name);
    }

    TEST("nothing is older: nothing to do")
    {
        CHECK(db_exec(db, "UPDATE articles SET section = 'topic' WHERE id = 1") == QW_OK);
        CHECK(reextract_run(db, &older, &sum) == QW_OK);
        CHECK(sum.stored == (int64_t)NTEXTS && sum.older == 0 && sum.selected == 0);
        CHECK(sum.reextracted == 0);
        CHECK(sum.version == extract_version());
    }

    TEST("--all with the same extractor changes nothing")
    {
        CHECK(reextract_run(db, &all, &sum) == QW_OK);
        CHECK(sum.reextracted == (int64_t)NTEXTS);
        CHECK(sum.diff.quotes_before == sum.diff.quotes_after);
        CHECK(sum.diff.quotes_before == count(db, "SELECT count(*) FROM quotes"));
        CHECK(sum.diff.quotes_added == 0 && sum.diff.quotes_removed == 0);
        CHECK(sum.diff.speakers_changed == 0 && sum.diff.quotes_updated == 0);
        CHECK(sum.diff.mentions_before == sum.diff.mentions_after);
        CHECK(sum.people_added == 0 && sum.diff.people_removed == 0);
        now = dump(db, 1);
        CHECK(same(now, loaded)); /* same ids, offsets, speakers, counts */
        free(now);
        /* the load's metadata stays: source, section, relative path */
        CHECK(count(db, "SELECT count(*) FROM articles WHERE source = 'Wire'") ==
              (int64_t)NTEXTS);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE path NOT LIKE '/%'") ==
              (int64_t)NTEXTS);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE id = 1 AND section = 'topic'") == 1);
    }

    TEST("only articles on an older version are done")
    {
        CHECK(db_exec(db, "UPDATE articles SET extract_version = 1 WHERE id IN (1, 3)") == QW_OK);
        struct reextract_options one = {0, 1, 1, 0}; /* one thread, batches of one */
        CHECK(reextract_run(db, &one, &sum) == QW_OK);
        CHECK(sum.older == 2 && sum.selected == 2 && sum.reextracted == 2);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE extract_version < "
                        "(SELECT max(extract_version) FROM articles)") == 0);
        CHECK(sum.diff.quotes_added == 0 && sum.diff.quotes_removed == 0);
        now = dump(db, 1);
        CHECK(same(now, loaded));
        free(now);
    }

    TEST("an older extraction that missed everything comes back whole")
    {
        struct store *st = NULL;
        struct extract_result none = {NULL, 0, NULL, 0};
        struct store_diff d;
        char *text = NULL;
        size_t len = 0;
        int64_t quotes = count(db, "SELECT count(*) FROM quotes WHERE article_id IN (1, 2)");
        int64_t people = count(db, "SELECT count(*) FROM people");
        CHECK(store_new(db, &st) == QW_OK);
        CHECK(store_begin(st) == QW_OK);
        for (int64_t id = 1; id <= 2; id++) {
            CHECK(store_article_text(st, id, &text, &len, NULL) == QW_OK);
            CHECK(store_reextract(st, id, text, len, &none, &d) == QW_OK);
            free(text);
        }
        CHECK(store_commit(st) == QW_OK);
        store_free(st);
        CHECK(db_exec(db, "UPDATE articles SET extract_version = 1 WHERE id IN (1, 2)") == QW_OK);
        int64_t gone = people - count(db, "SELECT count(*) FROM people");
        CHECK(gone > 0);
        CHECK(inconsistencies(db) == 0);

        CHECK(reextract_run(db, &older, &sum) == QW_OK);
        CHECK(sum.reextracted == 2);
        CHECK(sum.diff.quotes_before == 0 && sum.diff.quotes_after == quotes);
        CHECK(sum.diff.quotes_added == quotes && sum.diff.quotes_removed == 0);
        CHECK(sum.people_added == gone && sum.diff.people_removed == 0);
        CHECK(inconsistencies(db) == 0);
        now = dump(db, 0);
        CHECK(same(now, loaded_by_name));
        free(now);
        now = NULL;
    }

    TEST("summary text")
    {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        CHECK(f != NULL);
        if (f) {
            reextract_print_summary(f, &sum);
            fclose(f);
            CHECK(buf && strstr(buf, "2 re-extracted") && strstr(buf, "added") &&
                  strstr(buf, "removed") && strstr(buf, "new speaker") &&
                  strstr(buf, "no longer mentioned") && strstr(buf, "articles/s"));
        }
        free(buf);
    }

    TEST("integrity check is ok")
    {
        sqlite3_stmt *s = NULL;
        CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(s) == SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(s, 0), "ok");
        sqlite3_finalize(s);
        CHECK(
            db_exec(db, "INSERT INTO quotes_fts(quotes_fts, rank) VALUES('integrity-check', 1)") ==
            QW_OK);
    }

    free(loaded);
    free(loaded_by_name);
    db_close(db);
    remove_tree();
    extract_shutdown();
    return test_report("reextract");
}
