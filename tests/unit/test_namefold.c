/* Folded names in the database: the store keys people and aliases by
 * fold_key, person= finds them however a name is cased or accented, and
 * migration 0007 re-keys a version-2 database, merging the people whose
 * names fold alike with counts that stay right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "embedded.h"
#include "query.h"
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

static char tbuf[512];

static const char *text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    snprintf(tbuf, sizeof tbuf, "(none)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(tbuf, sizeof tbuf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return tbuf;
}

/* Kept counts against a recount, people with nothing, aliases no mention
 * uses, aliases whose key is not their fold: 0 when consistent. */
static int64_t inconsistencies(sqlite3 *db)
{
    return count(db, "SELECT count(*) FROM people p WHERE article_count != (SELECT count(*) FROM"
                     " (SELECT article_id FROM mentions WHERE person_id = p.id UNION"
                     "  SELECT article_id FROM quotes WHERE speaker_person_id = p.id))"
                     " OR quote_count != (SELECT count(*) FROM quotes WHERE speaker_person_id = p.id)"
                     " OR article_count = 0 OR name_key != qw_fold(name)") +
           count(db, "SELECT count(*) FROM person_aliases a WHERE NOT EXISTS (SELECT 1 FROM"
                     " mentions m WHERE m.person_id = a.person_id AND m.text = a.alias)"
                     " OR alias_key != qw_fold(alias)");
}

/* The ids QUERY_PERSON_BY_NAME finds for name, as "1,4" ("" for none). */
static const char *person_ids(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    tbuf[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT id FROM " QUERY_PERSON_BY_NAME " ORDER BY 1", -1, &st,
                           NULL) != SQLITE_OK)
        return "(error)";
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && n < sizeof tbuf - 24)
        n += (size_t)snprintf(tbuf + n, sizeof tbuf - n, "%s%lld", n ? "," : "",
                              (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return tbuf;
}

static void make_article(struct article *a, const char *s)
{
    memset(a, 0, sizeof *a);
    a->text = strdup(s);
    a->len = strlen(s);
    a->title = strdup("Headline");
}

/* A person named name with a mention at every occurrence of each of the
 * NULL-terminated words in text. */
static struct extract_person person(const char *name, const char *text, const char *const *words)
{
    struct extract_person p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    for (size_t w = 0; words[w]; w++)
        for (const char *h = strstr(text, words[w]); h; h = strstr(h + 1, words[w])) {
            p.mentions = realloc(p.mentions, (p.nmentions + 1) * sizeof *p.mentions);
            p.mentions[p.nmentions].start = (size_t)(h - text);
            p.mentions[p.nmentions].end = (size_t)(h - text) + strlen(words[w]);
            p.nmentions++;
        }
    return p;
}

static void unlink_db(const char *path)
{
    char side[128];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* A database at schema version 2, as quotewire before migration 0007
 * left it: name_key lower-cased in ASCII only, aliases without a key. */
static const char v2_data[] =
    "INSERT INTO articles(id,title,text,content_hash,ingested_at) VALUES"
    " (1,'a','José Álvarez said \"one.\" Álvarez left.','h1','t'),"
    " (2,'b','Jose Alvarez said \"two.\" Alvarez stayed.','h2','t'),"
    " (3,'c','JOSÉ ÁLVAREZ said \"three.\" Ελένη and ΕΛΈΝΗ met Kurt Campbell.','h3','t');"
    "INSERT INTO people(id,name,name_key,gender,article_count,quote_count) VALUES"
    " (1,'José Álvarez','josé álvarez',NULL,1,1),"
    " (2,'Jose Alvarez','jose alvarez','male',1,1),"
    " (3,'JOSÉ ÁLVAREZ','josÉ Álvarez','female',1,1),"
    " (4,'Ελένη','Ελένη',NULL,1,0),"
    " (5,'ΕΛΈΝΗ','ΕΛΈΝΗ','female',1,0),"
    " (6,'Kurt Campbell','kurt campbell','male',1,0);"
    "INSERT INTO person_roles VALUES (1,'minister'),(2,'minister'),(2,'deputy'),(5,'poet');"
    "INSERT INTO person_aliases VALUES (1,'Álvarez'),(2,'Alvarez');"
    "INSERT INTO mentions(article_id,person_id,start,end,text) VALUES"
    " (1,1,0,14,'José Álvarez'),(1,1,30,38,'Álvarez'),"
    " (2,2,0,12,'Jose Alvarez'),(2,2,26,33,'Alvarez'),"
    " (3,3,0,14,'JOSÉ ÁLVAREZ'),(3,4,33,43,'Ελένη'),(3,5,48,58,'ΕΛΈΝΗ'),"
    " (3,6,63,76,'Kurt Campbell');"
    "INSERT INTO quotes(id,article_id,start,end,text,kind,speaker,speaker_person_id,cue,"
    "confidence) VALUES (1,1,20,24,'one.','direct','José Álvarez',1,'said',0.9),"
    " (2,2,20,24,'two.','direct','Jose Alvarez',2,'said',0.9),"
    " (3,3,20,26,'three.','direct','JOSÉ ÁLVAREZ',3,'said',0.9);";

int main(void)
{
    char path[64];
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    struct store *st = NULL;
    snprintf(path, sizeof path, "/tmp/qw-test-namefold-%d.db", (int)getpid());
    unlink_db(path);
    CHECK(db_open(path, DB_READ_WRITE, &db, err) == QW_OK);
    CHECK(db_migrate(db, NULL, err) == QW_OK);
    CHECK(store_new(db, &st) == QW_OK);

    const char *t1 = "Jose Alvarez said \"We cut the tax.\" Alvarez left.";
    const char *t2 = "José Álvarez spoke. \"Again,\" said JOSÉ ÁLVAREZ.";
    const char *t3 = "ΕΛΈΝΗ ΠΑΠΑΔΟΠΟΎΛΟΥ spoke. Ελένη Παπαδοπούλου left. Пётр Иванов and ПЕТР ИВАНОВ.";
    struct article a1, a2, a3;
    make_article(&a1, t1);
    make_article(&a2, t2);
    make_article(&a3, t3);
    static const char *const w1[] = {"Jose Alvarez", "Alvarez left", NULL};
    static const char *const w2[] = {"José Álvarez", "JOSÉ ÁLVAREZ", NULL};
    static const char *const w3a[] = {"ΕΛΈΝΗ ΠΑΠΑΔΟΠΟΎΛΟΥ", NULL};
    static const char *const w3b[] = {"Ελένη Παπαδοπούλου", NULL};
    static const char *const w3c[] = {"Пётр Иванов", NULL};
    static const char *const w3d[] = {"ПЕТР ИВАНОВ", NULL};
    struct extract_person p1[1] = {person("Jose Alvarez", t1, w1)};
    p1[0].mentions[1].end = p1[0].mentions[1].start + strlen("Alvarez");
    struct extract_person p2[1] = {person("José Álvarez", t2, w2)};
    struct extract_person p3[4] = {person("ΕΛΈΝΗ ΠΑΠΑΔΟΠΟΎΛΟΥ", t3, w3a),
                                   person("Ελένη Παπαδοπούλου", t3, w3b),
                                   person("Пётр Иванов", t3, w3c), person("ПЕТР ИВАНОВ", t3, w3d)};
    const char *qs1 = strstr(t1, "We cut");
    struct extract_quote q1 = {(size_t)(qs1 - t1), (size_t)(qs1 - t1) + 15, QUOTE_DIRECT,
                               "Jose Alvarez", 0, "said", 0.9};
    const char *qs2 = strstr(t2, "Again,");
    struct extract_quote q2 = {(size_t)(qs2 - t2), (size_t)(qs2 - t2) + 6, QUOTE_DIRECT,
                               "José Álvarez", 0, "said", 0.9};
    struct extract_result x1 = {p1, 1, &q1, 1}, x2 = {p2, 1, &q2, 1}, x3 = {p3, 4, NULL, 0};
    int64_t id1 = 0, id2 = 0, id3 = 0;
    int created = 0;

    TEST("names that fold alike are one person across articles")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_article(st, &a1, NULL, &x1, &id1, &created) == QW_OK);
        CHECK(store_article(st, &a2, NULL, &x2, &id2, &created) == QW_OK);
        CHECK(store_article(st, &a3, NULL, &x3, &id3, &created) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM people") == 3);
        /* the first stored keeps its name; the others' ways are aliases */
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Jose Alvarez'") == 2);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Jose Alvarez'") == 2);
        CHECK_STR(text(db, "SELECT name_key FROM people WHERE name = 'Jose Alvarez'"),
                  "jose alvarez");
        CHECK_STR(text(db, "SELECT group_concat(alias, '|') FROM (SELECT alias FROM person_aliases"
                           " a JOIN people p ON p.id = a.person_id WHERE p.name = 'Jose Alvarez'"
                           " ORDER BY alias)"),
                  "Alvarez|JOSÉ ÁLVAREZ|José Álvarez");
        CHECK_STR(text(db, "SELECT name_key FROM people WHERE name LIKE 'Ε%'"),
                  "ελενη παπαδοπουλου");
        CHECK_STR(text(db, "SELECT name_key FROM people WHERE name LIKE 'П%'"), "петр иванов");
        CHECK(inconsistencies(db) == 0);
    }

    TEST("person= finds a person however the name is cased or accented")
    {
        char want[32];
        snprintf(want, sizeof want, "%s",
                 text(db, "SELECT id FROM people WHERE name = 'Jose Alvarez'"));
        CHECK_STR(person_ids(db, "José Álvarez"), want);
        CHECK_STR(person_ids(db, "josé álvarez"), want);
        CHECK_STR(person_ids(db, "JOSÉ ÁLVAREZ"), want);
        CHECK_STR(person_ids(db, "Jose Alvarez"), want);
        CHECK_STR(person_ids(db, "  jose   ALVAREZ "), want);
        CHECK_STR(person_ids(db, "ÁLVAREZ"), want); /* through the alias "Alvarez" */
        CHECK_STR(person_ids(db, "ελένη παπαδοπούλου"),
                  text(db, "SELECT id FROM people WHERE name LIKE 'Ε%'"));
        CHECK_STR(person_ids(db, "петр иванов"), text(db, "SELECT id FROM people WHERE name LIKE 'П%'"));
        CHECK_STR(person_ids(db, "Jose Alvare"), "");
    }

    TEST("the person lookup uses the key indexes")
    {
        sqlite3_stmt *s = NULL;
        int name_idx = 0, alias_idx = 0, scans = 0;
        CHECK(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT id FROM " QUERY_PERSON_BY_NAME, -1,
                                 &s, NULL) == SQLITE_OK);
        while (s && sqlite3_step(s) == SQLITE_ROW) {
            const char *d = (const char *)sqlite3_column_text(s, 3);
            name_idx |= d && strstr(d, "people USING COVERING INDEX sqlite_autoindex_people") != NULL;
            alias_idx |= d && strstr(d, "person_aliases_key") != NULL;
            scans += d && strncmp(d, "SCAN ", 5) == 0 && !strstr(d, "(subquery");
        }
        sqlite3_finalize(s);
        CHECK(name_idx && alias_idx && scans == 0);
    }

    TEST("deleting an article keeps the merged person's counts right")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id1) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Jose Alvarez'") == 1);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Jose Alvarez'") == 1);
        CHECK(inconsistencies(db) == 0);
    }

    store_free(st);
    db_close(db);
    unlink_db(path);

    TEST("migration 0007 re-keys a version-2 database and merges people")
    {
        db = NULL;
        CHECK(db_open(path, DB_READ_WRITE, &db, err) == QW_OK);
        CHECK(embedded_migrations_count >= 3);
        CHECK(db_exec(db, embedded_migrations[0].data) == QW_OK);
        CHECK(db_exec(db, embedded_migrations[1].data) == QW_OK);
        CHECK(db_exec(db, "PRAGMA user_version=2") == QW_OK);
        CHECK(db_exec(db, v2_data) == QW_OK);
        int applied = 0;
        CHECK(db_migrate(db, &applied, err) == QW_OK);
        CHECK(applied == db_schema_version() - 2);
        /* 1, 2, 3 are one (1 stored first); 4 and 5 are one; 6 alone */
        CHECK_STR(text(db, "SELECT group_concat(id) FROM (SELECT id FROM people ORDER BY id)"),
                  "1,4,6");
        CHECK_STR(text(db, "SELECT name || '|' || name_key || '|' || gender FROM people WHERE id = 1"),
                  "José Álvarez|jose alvarez|male");
        CHECK(count(db, "SELECT article_count FROM people WHERE id = 1") == 3);
        CHECK(count(db, "SELECT quote_count FROM people WHERE id = 1") == 3);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE speaker_person_id = 1") == 3);
        CHECK(count(db, "SELECT count(*) FROM mentions WHERE person_id = 1") == 5);
        CHECK_STR(text(db, "SELECT group_concat(alias || '=' || alias_key, '|') FROM (SELECT * FROM"
                           " person_aliases WHERE person_id = 1 ORDER BY alias)"),
                  "Alvarez=alvarez|JOSÉ ÁLVAREZ=jose alvarez|Jose Alvarez=jose alvarez|"
                  "Álvarez=alvarez");
        CHECK_STR(text(db, "SELECT group_concat(role, '|') FROM (SELECT role FROM person_roles"
                           " WHERE person_id = 1 ORDER BY role)"),
                  "deputy|minister");
        CHECK_STR(text(db, "SELECT name || '|' || name_key || '|' || gender || '|' || article_count"
                           " FROM people WHERE id = 4"),
                  "Ελένη|ελενη|female|1");
        CHECK_STR(text(db, "SELECT group_concat(role) FROM person_roles WHERE person_id = 4"), "poet");
        CHECK_STR(text(db, "SELECT name_key FROM people WHERE id = 6"), "kurt campbell");
        CHECK(count(db, "SELECT count(*) FROM person_roles WHERE person_id NOT IN (1, 4, 6)") == 0);
        CHECK(count(db, "SELECT count(*) FROM sqlite_temp_master") == 0);
        CHECK(inconsistencies(db) == 0);
        CHECK_STR(person_ids(db, "jose alvarez"), "1");
        CHECK_STR(person_ids(db, "ΕΛΈΝΗ"), "4");
        CHECK_STR(text(db, "PRAGMA integrity_check"), "ok");
        CHECK(count(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
        db_close(db);
    }

    for (size_t i = 0; i < 4; i++)
        free(p3[i].mentions);
    free(p1[0].mentions);
    free(p2[0].mentions);
    article_free(&a1);
    article_free(&a2);
    article_free(&a3);
    unlink_db(path);
    return test_report("namefold");
}
