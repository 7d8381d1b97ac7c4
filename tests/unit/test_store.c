/* Storage: migrations, idempotent inserts, people across articles, counts,
 * deletes that take orphaned people with them, and re-extraction replacing
 * an article's extraction in place. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "db.h"
#include "qconn.h"
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

/* People whose kept counts differ from a recount, people left with no
 * mention and no quote, aliases no mention uses: all 0 when consistent. */
static int64_t inconsistencies(sqlite3 *db)
{
    return count(db, "SELECT count(*) FROM people p WHERE article_count != (SELECT count(*) FROM"
                     " (SELECT article_id FROM mentions WHERE person_id = p.id UNION"
                     "  SELECT article_id FROM quotes WHERE speaker_person_id = p.id))"
                     " OR quote_count != (SELECT count(*) FROM quotes WHERE speaker_person_id = p.id)"
                     " OR article_count = 0") +
           count(db, "SELECT count(*) FROM person_aliases a WHERE NOT EXISTS (SELECT 1 FROM"
                     " mentions m WHERE m.person_id = a.person_id AND m.text = a.alias)") +
           /* the kept row counts (migration 0009) against counting */
           count(db, "SELECT count(*) FROM counters WHERE n != CASE name"
                     " WHEN 'articles' THEN (SELECT count(*) FROM articles)"
                     " WHEN 'people' THEN (SELECT count(*) FROM people)"
                     " WHEN 'quotes' THEN (SELECT count(*) FROM quotes)"
                     " WHEN 'mentions' THEN (SELECT count(*) FROM mentions)"
                     " WHEN 'corrections' THEN (SELECT count(*) FROM corrections) END") +
           (5 - count(db, "SELECT count(*) FROM counters"));
}

/* 0 when both full-text indexes hold exactly their tables' rows. */
static int fts_broken(sqlite3 *db)
{
    return sqlite3_exec(db, "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check');"
                            "INSERT INTO quotes_fts(quotes_fts) VALUES('integrity-check')",
                        NULL, NULL, NULL) != SQLITE_OK;
}

/* The byte span of the n-th (from 0) occurrence of needle in text. */
static struct extract_span span_of(const char *text, const char *needle, int n)
{
    struct extract_span sp = {0, 0};
    const char *p = text;
    for (int i = 0; p && i <= n; i++) {
        p = strstr(p, needle);
        if (p && i < n)
            p++;
    }
    if (p) {
        sp.start = (size_t)(p - text);
        sp.end = sp.start + strlen(needle);
    }
    return sp;
}

static struct extract_quote quote_at(const char *text, const char *words, const char *speaker,
                                     int person, double conf)
{
    struct extract_span sp = span_of(text, words, 0);
    struct extract_quote q = {sp.start, sp.end, QUOTE_DIRECT, (char *)speaker, person, "said",
                              conf};
    return q;
}

static void add_mention(struct extract_person *p, struct extract_span sp)
{
    p->mentions = realloc(p->mentions, (p->nmentions + 1) * sizeof *p->mentions);
    p->mentions[p->nmentions++] = sp;
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
        /* the mention "Ann Lee" is written as the stored name (the person
         * extracted as "ann  lee" folds to it): no alias */
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Ann Lee'") == 0);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
    }

    TEST("deleting a missing article is not found and changes nothing")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id1) == QW_ERR_NOT_FOUND);
        store_rollback(st);
        CHECK(count(db, "SELECT count(*) FROM articles") == 1);
    }

    /* Re-extraction.  t3 is first stored as an older extractor saw it:
     * Cy Fox (also called "Fox") and Di Gu, four quotes, the last one cut
     * short ("Later" without its comma).  The newer extraction finds Di
     * Gu's quote is Cy Fox's, "Maybe." is partial, "Later," whole, and no
     * Di Gu and no "Fox". */
    const char *t3 = "Cy Fox said \"Yes.\" Di Gu said \"No.\" Fox said \"Maybe.\" \"Later,\" he "
                     "added.";
    const char *t4 = "Cy Fox spoke. \"Again,\" said Cy Fox.";
    struct article a3, a4;
    make_article(&a3, t3);
    make_article(&a4, t4);
    struct extract_span cyfox = span_of(t3, "Cy Fox", 0);
    struct extract_span digu = span_of(t3, "Di Gu", 0);
    struct extract_person p3old[2] = {person("Cy Fox", cyfox.start, cyfox.end),
                                      person("Di Gu", digu.start, digu.end)};
    add_mention(&p3old[0], span_of(t3, "Fox", 1));
    struct extract_quote q3old[4] = {
        quote_at(t3, "Yes.", "Cy Fox", 0, 0.9), quote_at(t3, "No.", "Di Gu", 1, 0.8),
        quote_at(t3, "Maybe.", "Cy Fox", 0, 0.7), quote_at(t3, "Later", "Cy Fox", 0, 0.6)};
    struct extract_result x3old = {p3old, 2, q3old, 4};
    struct extract_person p3new[1] = {person("Cy Fox", cyfox.start, cyfox.end)};
    struct extract_quote q3new[4] = {
        quote_at(t3, "Yes.", "Cy Fox", 0, 0.9), quote_at(t3, "No.", "Cy Fox", 0, 0.8),
        quote_at(t3, "Maybe.", "Cy Fox", 0, 0.5), quote_at(t3, "Later,", "Cy Fox", 0, 0.6)};
    q3new[2].kind = QUOTE_PARTIAL;
    struct extract_result x3new = {p3new, 1, q3new, 4};
    struct extract_person p4[1] = {person("Cy Fox", 0, 6)};
    add_mention(&p4[0], span_of(t4, "Cy Fox", 1));
    struct extract_quote q4 = quote_at(t4, "Again,", "Cy Fox", 0, 0.9);
    struct extract_result x4 = {p4, 1, &q4, 1};
    int64_t id3 = 0, id4 = 0, q_yes = 0, q_no = 0, q_maybe = 0;

    TEST("articles are stored with this extractor's version")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_article(st, &a3, NULL, &x3old, &id3, &created) == QW_OK && created);
        CHECK(store_article(st, &a4, NULL, &x4, &id4, &created) == QW_OK && created);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM articles WHERE extract_version != "
                        "(SELECT max(extract_version) FROM articles)") == 0);
        int v = 0;
        CHECK(store_article_text(st, id3, NULL, NULL, &v) == QW_OK && v == extract_version());
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 4);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Cy Fox'") == 2);
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Fox'") == 1);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
        q_yes = count(db, "SELECT id FROM quotes WHERE text = 'Yes.'");
        q_no = count(db, "SELECT id FROM quotes WHERE text = 'No.'");
        q_maybe = count(db, "SELECT id FROM quotes WHERE text = 'Maybe.'");
    }

    TEST("the stored text comes back as stored")
    {
        char *text = NULL;
        size_t len = 0;
        int v = 0;
        CHECK(store_article_text(st, id3, &text, &len, &v) == QW_OK);
        CHECK(text && len == strlen(t3) && memcmp(text, t3, len) == 0);
        free(text);
        CHECK(store_article_text(st, 999999, &text, &len, &v) == QW_ERR_NOT_FOUND && !text);
    }

    TEST("re-extracting with the same result changes nothing")
    {
        struct store_diff d;
        int64_t changes = count(db, "SELECT total_changes()");
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_reextract(st, id3, t3, strlen(t3), &x3old, &d) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(d.quotes_before == 4 && d.quotes_after == 4);
        CHECK(d.quotes_added == 0 && d.quotes_removed == 0);
        CHECK(d.speakers_changed == 0 && d.quotes_updated == 0 && d.people_removed == 0);
        CHECK(d.mentions_before == 3 && d.mentions_after == 3);
        CHECK(count(db, "SELECT id FROM quotes WHERE text = 'Yes.'") == q_yes);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 4);
        /* quotes are not rewritten: only the mentions (3 out, 3 in), the
         * two people's upserts and the version */
        CHECK(count(db, "SELECT total_changes()") - changes == 3 + 3 + 2 + 1);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
    }

    TEST("re-extracting replaces the extraction in place")
    {
        struct store_diff d;
        int64_t people = count(db, "SELECT count(*) FROM people");
        CHECK(db_exec(db, "UPDATE articles SET extract_version = 1") == QW_OK);
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_reextract(st, id3, t3, strlen(t3), &x3new, &d) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(d.quotes_before == 4 && d.quotes_after == 4);
        CHECK(d.quotes_added == 1 && d.quotes_removed == 1);
        CHECK(d.speakers_changed == 1 && d.quotes_updated == 1);
        CHECK(d.mentions_before == 3 && d.mentions_after == 1);
        CHECK(d.people_removed == 1);
        CHECK(count(db, "SELECT count(*) FROM people") == people - 1);
        CHECK(count(db, "SELECT count(*) FROM people WHERE name = 'Di Gu'") == 0);
        CHECK(count(db, "SELECT id FROM quotes WHERE text = 'Yes.'") == q_yes);
        CHECK(count(db, "SELECT id FROM quotes WHERE text = 'No.'") == q_no);
        CHECK(count(db, "SELECT id FROM quotes WHERE text = 'Maybe.' AND kind = 'partial'"
                        " AND confidence = 0.5") == q_maybe);
        CHECK(count(db, "SELECT count(*) FROM quotes q JOIN people p ON p.id ="
                        " q.speaker_person_id WHERE q.text = 'No.' AND p.name = 'Cy Fox'"
                        " AND q.speaker = 'Cy Fox'") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE text = 'Later'") == 0);
        CHECK(count(db, "SELECT count(*) FROM quotes WHERE text = 'Later,'") == 1);
        CHECK(count(db, "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'later'") == 1);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 5);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Cy Fox'") == 2);
        CHECK(count(db, "SELECT count(*) FROM person_aliases WHERE alias = 'Fox'") == 0);
        int v = 0;
        CHECK(store_article_text(st, id3, NULL, NULL, &v) == QW_OK && v == extract_version());
        CHECK(store_article_text(st, id4, NULL, NULL, &v) == QW_OK && v == 1);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
    }

    TEST("a person another article keeps stays, with that article's counts")
    {
        struct store_diff d;
        struct extract_result none = {NULL, 0, NULL, 0};
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_reextract(st, id3, t3, strlen(t3), &none, &d) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(d.quotes_removed == 4 && d.quotes_after == 0 && d.people_removed == 0);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 1);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Cy Fox'") == 1);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
        /* and back: the same person (id), new quotes */
        int64_t cy = count(db, "SELECT id FROM people WHERE name = 'Cy Fox'");
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_reextract(st, id3, t3, strlen(t3), &x3new, &d) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(d.quotes_added == 4 && d.people_removed == 0);
        CHECK(count(db, "SELECT id FROM people WHERE name = 'Cy Fox'") == cy);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 5);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
    }

    TEST("re-extraction of another text or a missing article is refused")
    {
        struct store_diff d;
        int64_t quotes = count(db, "SELECT count(*) FROM quotes");
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_reextract(st, id3, t4, strlen(t4), &x4, &d) == QW_ERR_NOT_FOUND);
        CHECK(store_reextract(st, 999999, t3, strlen(t3), &x3new, &d) == QW_ERR_NOT_FOUND);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM quotes") == quotes);
    }

    TEST("deleting keeps the counts of people in other articles")
    {
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id4) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT quote_count FROM people WHERE name = 'Cy Fox'") == 4);
        CHECK(count(db, "SELECT article_count FROM people WHERE name = 'Cy Fox'") == 1);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
        CHECK(store_begin(st) == QW_OK);
        CHECK(store_delete_article(st, id3) == QW_OK);
        CHECK(store_commit(st) == QW_OK);
        CHECK(count(db, "SELECT count(*) FROM people WHERE name = 'Cy Fox'") == 0);
        CHECK(inconsistencies(db) == 0);
        CHECK(!fts_broken(db));
    }

    TEST("a read snapshot sees one version until it ends")
    {
        struct qconn *qc = NULL;
        CHECK(qconn_open(path, 0, 0, &qc, err) == QW_OK);
        qw_status qs = QW_OK;
        static const char sql[] = "SELECT count(*) FROM articles";
        int64_t before = count(db, sql), v0 = 0, v1 = 0, seen = -1;
        CHECK(qc && qconn_begin(qc) == QW_OK);
        CHECK(qc && qconn_data_version(qc, &v0) == QW_OK);
        /* another connection commits inside the snapshot */
        CHECK(db_exec(db, "INSERT INTO articles (title, text, content_hash, ingested_at)"
                          " VALUES ('x', 'snapshot', 'snapshot-hash', '2026-01-01')") == QW_OK);
        sqlite3_stmt *s = qc ? qconn_stmt(qc, sql, sizeof sql - 1, &qs) : NULL;
        if (s && sqlite3_step(s) == SQLITE_ROW)
            seen = sqlite3_column_int64(s, 0);
        qconn_release(qc, s);
        CHECK(seen == before);
        CHECK(qc && qconn_data_version(qc, &v1) == QW_OK && v1 == v0);
        qconn_end(qc);
        qconn_end(qc); /* no snapshot open: nothing */
        s = qc ? qconn_stmt(qc, sql, sizeof sql - 1, &qs) : NULL;
        if (s && sqlite3_step(s) == SQLITE_ROW)
            seen = sqlite3_column_int64(s, 0);
        qconn_release(qc, s);
        CHECK(seen == before + 1);
        CHECK(qc && qconn_data_version(qc, &v1) == QW_OK && v1 != v0);
        CHECK(db_exec(db, "DELETE FROM articles WHERE content_hash = 'snapshot-hash'") == QW_OK);
        qconn_close(qc);
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
    free(p3old[0].mentions);
    free(p3old[1].mentions);
    free(p3new[0].mentions);
    free(p4[0].mentions);
    article_free(&a1);
    article_free(&a2);
    article_free(&a3);
    article_free(&a4);
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
