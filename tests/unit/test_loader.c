/* The loader: a temporary folder with good, duplicate, hidden, binary,
 * empty, oversized and Windows-1252 files and a symlink loop; loaded
 * twice, the second load adds nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "loader.h"
#include "log.h"
#include "testhelp.h"

#define MAX_BYTES 2000

static char root[64];

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int put(const char *rel, const void *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t/%s", root, rel);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int puts_file(const char *rel, const char *s)
{
    return put(rel, s, strlen(s));
}

static int mkdir_rel(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t/%s", root, rel);
    return mkdir(path, 0700);
}

static int make_tree(void)
{
    static const char a[] = "Minister resigns\n\nLONDON, Jan 5 (Reuters) - The minister resigned "
                            "on Friday. \"I have done my best,\" said John Smith, the minister.\n";
    static const char b[] = "Storm hits coast\n\nWashington: A storm hit the coast, officials "
                            "said. \"It was terrible,\" said Mary Jones.\n";
    static const char c[] = "Markets rally\n\nNEW YORK, March 3 - Stocks rose.\n";
    static const char cp[] = "Caf\xe9 opens\n\nPARIS - \x93" "Bienvenue,\x94 said Anne Roux.\n";
    char big[MAX_BYTES + 100];
    memset(big, 'x', sizeof big);
    memcpy(big, "Big\n\n", 5);
    char link[256];
    snprintf(link, sizeof link, "%s/t", root);
    int rc = mkdir(link, 0700);
    rc |= puts_file("a.txt", a);
    rc |= puts_file("b.txt", b);
    rc |= puts_file("dup.txt", a);
    rc |= put("cp.txt", cp, strlen(cp));
    rc |= put("bin.dat", "\x7f" "ELF\x02\x01\x01\0\0\0\0", 12);
    rc |= put("empty.txt", "", 0);
    rc |= put("big.txt", big, sizeof big);
    rc |= puts_file(".hidden.txt", "Hidden\n\nNot loaded.\n");
    rc |= mkdir_rel(".git");
    rc |= puts_file(".git/x.txt", "Hidden folder\n\nNot loaded.\n");
    rc |= mkdir_rel("sub");
    rc |= puts_file("sub/c.txt", c);
    snprintf(link, sizeof link, "%s/t/sub/loop", root);
    rc |= symlink("..", link);
    return rc;
}

static void remove_tree(void)
{
    const char *files[] = {"t/a.txt",      "t/b.txt",      "t/dup.txt",   "t/cp.txt",
                           "t/bin.dat",    "t/empty.txt",  "t/big.txt",   "t/.hidden.txt",
                           "t/.git/x.txt", "t/sub/c.txt",  "t/sub/loop",  "test.db",
                           "test.db-wal",  "test.db-shm"};
    const char *dirs[] = {"t/.git", "t/sub", "t"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i]);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
        rmdir(path);
    }
    rmdir(root);
}

int main(void)
{
    char err[QW_ERRLEN] = "", dbpath[128], tree[128];
    sqlite3 *db = NULL;
    struct loader_summary sum;
    struct loader_options opt = {MAX_BYTES, 2, 0};

    log_set_level(LOG_ERROR);
    snprintf(root, sizeof root, "/tmp/qw_test_loader_XXXXXX");
    if (!mkdtemp(root)) {
        TEST("temp folder") CHECK(0);
        return test_report("loader");
    }
    snprintf(dbpath, sizeof dbpath, "%s/test.db", root);
    snprintf(tree, sizeof tree, "%s/t", root);

    TEST("setup")
    {
        CHECK(make_tree() == 0);
        CHECK(db_open(dbpath, DB_READ_WRITE, &db, err) == QW_OK);
        CHECK(db_migrate(db, NULL, err) == QW_OK);
    }
    char *paths[] = {tree};

    TEST("first load: counts and skips")
    {
        CHECK(loader_run(db, paths, 1, &opt, &sum) == QW_OK);
        /* a b big bin cp dup empty sub/c; not the hidden ones */
        CHECK(sum.files_seen == 8);
        CHECK(sum.added == 4);
        CHECK(sum.duplicates == 1);
        CHECK(sum.skipped == 3);
        CHECK(sum.skipped_by[SKIP_BINARY] == 1);
        CHECK(sum.skipped_by[SKIP_EMPTY] == 1);
        CHECK(sum.skipped_by[SKIP_TOO_LARGE] == 1);
        CHECK(sum.skipped_by[SKIP_INVALID] == 0);
        CHECK(sum.transcoded == 1);
        CHECK(sum.people >= 1);
        CHECK(sum.quotes >= 1);
        int64_t s = 0;
        for (int r = 0; r < SKIP_NREASONS; r++)
            s += sum.skipped_by[r];
        CHECK(s == sum.skipped);
        CHECK(sum.files_seen == sum.added + sum.duplicates + sum.skipped);
        CHECK(count(db, "SELECT count(*) FROM articles") == 4);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE path LIKE '%/.%'") == 0);
    }
    TEST("first load: file order and metadata")
    {
        /* sorted walk: a.txt, b.txt, cp.txt, sub/c.txt */
        CHECK(count(db, "SELECT id FROM articles WHERE path LIKE '%/a.txt'") == 1);
        CHECK(count(db, "SELECT id FROM articles WHERE path LIKE '%/b.txt'") == 2);
        CHECK(count(db, "SELECT id FROM articles WHERE path LIKE '%/cp.txt'") == 3);
        CHECK(count(db, "SELECT id FROM articles WHERE path LIKE '%/sub/c.txt'") == 4);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE source = 'Reuters' AND "
                        "dateline = 'LONDON, Jan 5 (Reuters)'") == 1);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE title = 'Caf\xc3\xa9 opens'") == 1);
    }
    TEST("second load adds nothing")
    {
        struct loader_summary s2;
        CHECK(loader_run(db, paths, 1, &opt, &s2) == QW_OK);
        CHECK(s2.added == 0);
        CHECK(s2.duplicates == 5);
        CHECK(s2.people == 0 && s2.quotes == 0);
        CHECK(count(db, "SELECT count(*) FROM articles") == 4);
    }
    TEST("a missing path is skipped, the rest loads")
    {
        char missing[160], single[160];
        snprintf(missing, sizeof missing, "%s/t/no-such-file.txt", root);
        snprintf(single, sizeof single, "%s/t/b.txt", root);
        char *p2[] = {missing, single};
        CHECK(loader_run(db, p2, 2, &opt, &sum) == QW_OK);
        CHECK(sum.files_seen == 2);
        CHECK(sum.skipped_by[SKIP_UNREADABLE] == 1);
        CHECK(sum.duplicates == 1);
    }
    TEST("batch of one, a symlink out of the folder")
    {
        struct loader_options o1 = {MAX_BYTES, 1, 0};
        char single[160];
        snprintf(single, sizeof single, "%s/t/sub", root);
        char *p3[] = {single};
        CHECK(loader_run(db, p3, 1, &o1, &sum) == QW_OK);
        /* sub/c.txt, then sub/loop -> t: its files, but not sub again */
        CHECK(sum.files_seen == 8);
        CHECK(sum.added == 0 && sum.duplicates == 5 && sum.skipped == 3);
    }
    TEST("summary text")
    {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        CHECK(f != NULL);
        if (f) {
            loader_print_summary(f, &sum);
            fclose(f);
            CHECK(buf && strstr(buf, "files seen") && strstr(buf, "articles added") &&
                  strstr(buf, "duplicates") && strstr(buf, "skipped") &&
                  strstr(buf, "people") && strstr(buf, "quotes") &&
                  strstr(buf, "articles/s"));
        }
        free(buf);
        CHECK_STR(loader_skip_str(SKIP_BINARY), "binary");
        CHECK_STR(loader_skip_str(SKIP_TOO_LARGE), "too large");
    }

    db_close(db);
    remove_tree();
    return test_report("loader");
}
