/* The loader: a temporary folder with good, duplicate, hidden, binary,
 * empty, oversized and Windows-1252 files and a symlink loop; loaded
 * twice, the second load adds nothing.  A second folder of topic folders
 * (m/) for --source, sections and paths relative to the folder given. */
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

/* m/: topic folders as a corpus like the BBC's arrives (its files are
 * under root/t/../m, so put() reaches them). */
static const char *const m_files[] = {"../m/business/wire.txt", "../m/business/fm.txt",
                                      "../m/sport/deep/match.txt", "../m/top.txt"};
static const char *const m_dirs[] = {"../m/sport/deep", "../m/sport", "../m/business", "../m"};

static int make_meta_tree(void)
{
    int rc = mkdir_rel("../m") | mkdir_rel("../m/business") | mkdir_rel("../m/sport") |
             mkdir_rel("../m/sport/deep");
    rc |= puts_file(m_files[0], "Pound falls\n\nLONDON, May 2 (Reuters) - The pound fell.\n");
    rc |= puts_file(m_files[1], "---\nsource: The Ledger\nsection: Markets\n---\n"
                                "Bonds steady\n\nBonds were steady, traders said.\n");
    rc |= puts_file(m_files[2], "Late winner\n\nA late goal won the match.\n");
    rc |= puts_file(m_files[3], "Weather\n\nRain is expected tomorrow.\n");
    return rc;
}

static void remove_meta_tree(void)
{
    char path[256];
    for (size_t i = 0; i < sizeof m_files / sizeof m_files[0]; i++) {
        snprintf(path, sizeof path, "%s/t/%s", root, m_files[i]);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof m_dirs / sizeof m_dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/t/%s", root, m_dirs[i]);
        rmdir(path);
    }
    const char *dbs[] = {"m.db", "m.db-wal", "m.db-shm", "n.db", "n.db-wal", "n.db-shm"};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dbs[i]);
        unlink(path);
    }
}

/* The text of column 0 of the first row ("" for none, "NULL" for NULL). */
static const char *text1(sqlite3 *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st = NULL;
    snprintf(buf, n, "%s", "");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, n, "%s",
                 sqlite3_column_type(st, 0) == SQLITE_NULL ? "NULL"
                                                           : (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static void test_metadata(void)
{
    char err[QW_ERRLEN] = "", mdb[128], ndb[128], mroot[128], mroot_slash[128], single[160];
    char buf[256];
    sqlite3 *db = NULL, *db2 = NULL;
    struct loader_summary sum;
    snprintf(mdb, sizeof mdb, "%s/m.db", root);
    snprintf(ndb, sizeof ndb, "%s/n.db", root);
    snprintf(mroot, sizeof mroot, "%s/m", root);
    snprintf(mroot_slash, sizeof mroot_slash, "%s/m/", root);
    snprintf(single, sizeof single, "%s/m/sport/deep/match.txt", root);

    TEST("--source and sections: setup")
    {
        CHECK(make_meta_tree() == 0);
        CHECK(db_open(mdb, DB_READ_WRITE, &db, err) == QW_OK);
        CHECK(db_migrate(db, NULL, err) == QW_OK);
        CHECK(db_open(ndb, DB_READ_WRITE, &db2, err) == QW_OK);
        CHECK(db_migrate(db2, NULL, err) == QW_OK);
    }
    TEST("--source and sections from folders")
    {
        struct loader_options o = {.source = "BBC"};
        char *p[] = {mroot};
        CHECK(loader_run(db, p, 1, &o, &sum) == QW_OK);
        CHECK(sum.added == 4);
        /* the load's source replaces the dateline's guess */
        CHECK_STR(text1(db, "SELECT source || '|' || section FROM articles WHERE path ="
                            " 'business/wire.txt'", buf, sizeof buf), "BBC|business");
        CHECK_STR(text1(db, "SELECT dateline FROM articles WHERE path = 'business/wire.txt'", buf,
                        sizeof buf), "LONDON, May 2 (Reuters)");
        /* front matter wins over both */
        CHECK_STR(text1(db, "SELECT source || '|' || section FROM articles WHERE path ="
                            " 'business/fm.txt'", buf, sizeof buf), "The Ledger|Markets");
        /* the first folder level only */
        CHECK_STR(text1(db, "SELECT section FROM articles WHERE path = 'sport/deep/match.txt'",
                        buf, sizeof buf), "sport");
        /* straight in the folder given: no section */
        CHECK_STR(text1(db, "SELECT source || '|' || coalesce(section, 'NULL') FROM articles"
                            " WHERE path = 'top.txt'", buf, sizeof buf), "BBC|NULL");
        CHECK(count(db, "SELECT count(*) FROM articles WHERE path LIKE '%m/%' OR path LIKE '/%'") ==
              0);
        /* the column collates NOCASE: the filter and its index */
        CHECK(count(db, "SELECT count(*) FROM articles WHERE section = 'BUSINESS'") == 1);
    }
    TEST("--no-sections, a trailing slash, a file given itself")
    {
        struct loader_options o = {.no_sections = 1};
        char *p[] = {mroot_slash};
        CHECK(loader_run(db2, p, 1, &o, &sum) == QW_OK);
        CHECK(sum.added == 4);
        CHECK(count(db2, "SELECT count(*) FROM articles WHERE section IS NOT NULL") == 1);
        CHECK(count(db2, "SELECT count(*) FROM articles WHERE section = 'Markets'") == 1);
        CHECK(count(db2, "SELECT count(*) FROM articles WHERE path = 'sport/deep/match.txt'") == 1);
        CHECK_STR(text1(db2, "SELECT source FROM articles WHERE path = 'business/wire.txt'", buf,
                        sizeof buf), "Reuters");
        CHECK(db_exec(db2, "DELETE FROM articles WHERE path = 'sport/deep/match.txt'") == QW_OK);
        char *p1[] = {single};
        CHECK(loader_run(db2, p1, 1, &o, &sum) == QW_OK);
        CHECK(sum.added == 1);
        CHECK(count(db2, "SELECT count(*) FROM articles WHERE path = 'match.txt'"
                         " AND section IS NULL") == 1);
    }
    TEST("loading again fills in what an older load left out, once")
    {
        /* as a load before schema 4 stored it: absolute path, no source or section */
        CHECK(db_exec(db, "UPDATE articles SET source = NULL, section = NULL,"
                          " path = '/srv/corpus/m/business/wire.txt'"
                          " WHERE path = 'business/wire.txt'") == QW_OK);
        struct loader_options o = {.source = "BBC"};
        char *p[] = {mroot};
        CHECK(loader_run(db, p, 1, &o, &sum) == QW_OK);
        CHECK(sum.added == 0 && sum.duplicates == 4);
        CHECK_STR(text1(db, "SELECT source || '|' || section || '|' || path FROM articles"
                            " WHERE title = 'Pound falls'", buf, sizeof buf),
                  "BBC|business|business/wire.txt");
        /* a value an article has is kept: another --source changes nothing */
        struct loader_options o2 = {.source = "Other"};
        int before = sqlite3_total_changes(db);
        CHECK(loader_run(db, p, 1, &o2, &sum) == QW_OK);
        CHECK(sqlite3_total_changes(db) == before);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE source = 'Other'") == 0);
    }
    db_close(db);
    db_close(db2);
    remove_meta_tree();
}

int main(void)
{
    char err[QW_ERRLEN] = "", dbpath[128], tree[128];
    sqlite3 *db = NULL;
    struct loader_summary sum;
    struct loader_options opt = {.max_bytes = MAX_BYTES, .batch_size = 2};

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
        /* sorted walk: a.txt, b.txt, cp.txt, sub/c.txt; paths relative to
         * the folder given, and its first folder level is the section */
        CHECK(count(db, "SELECT id FROM articles WHERE path = 'a.txt'") == 1);
        CHECK(count(db, "SELECT id FROM articles WHERE path = 'b.txt'") == 2);
        CHECK(count(db, "SELECT id FROM articles WHERE path = 'cp.txt'") == 3);
        CHECK(count(db, "SELECT id FROM articles WHERE path = 'sub/c.txt'") == 4);
        CHECK(count(db, "SELECT id FROM articles WHERE section = 'sub'") == 4);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE section IS NULL") == 3);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE path LIKE '/%'") == 0);
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
        struct loader_options o1 = {.max_bytes = MAX_BYTES, .batch_size = 1};
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
    test_metadata();
    remove_tree();
    return test_report("loader");
}
