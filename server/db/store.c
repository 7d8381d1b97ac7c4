#include "store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "hash.h"
#include "log.h"

enum {
    S_FIND_HASH,
    S_INSERT_ARTICLE,
    S_UPSERT_PERSON,
    S_INSERT_ROLE,
    S_INSERT_ALIAS,
    S_INSERT_MENTION,
    S_INSERT_QUOTE,
    S_BUMP_COUNTS,
    S_ARTICLE_PEOPLE,
    S_DELETE_ARTICLE,
    S_RECOUNT,
    S_DELETE_ORPHAN,
    S_PRUNE_ALIASES,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_FIND_HASH] = "SELECT id FROM articles WHERE content_hash = ?1",
    [S_INSERT_ARTICLE] =
        "INSERT INTO articles (title, dateline, published, source, url, author, image_credit,"
        " path, text, body_start, content_hash, ingested_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_UPSERT_PERSON] =
        "INSERT INTO people (name, name_key, gender) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (name_key) DO UPDATE SET gender = coalesce(people.gender, excluded.gender)"
        " RETURNING id",
    [S_INSERT_ROLE] = "INSERT OR IGNORE INTO person_roles (person_id, role) VALUES (?1, ?2)",
    [S_INSERT_ALIAS] = "INSERT OR IGNORE INTO person_aliases (person_id, alias) VALUES (?1, ?2)",
    [S_INSERT_MENTION] =
        "INSERT INTO mentions (article_id, person_id, start, end, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_INSERT_QUOTE] =
        "INSERT INTO quotes (article_id, start, end, text, kind, speaker, speaker_person_id, cue,"
        " confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_BUMP_COUNTS] = "UPDATE people SET article_count = article_count + 1,"
                      " quote_count = quote_count + ?2 WHERE id = ?1",
    [S_ARTICLE_PEOPLE] = "SELECT person_id FROM mentions WHERE article_id = ?1"
                         " UNION SELECT speaker_person_id FROM quotes"
                         " WHERE article_id = ?1 AND speaker_person_id IS NOT NULL",
    [S_DELETE_ARTICLE] = "DELETE FROM articles WHERE id = ?1",
    [S_RECOUNT] =
        "UPDATE people SET"
        " article_count = (SELECT count(*) FROM (SELECT article_id FROM mentions WHERE person_id = ?1"
        "   UNION SELECT article_id FROM quotes WHERE speaker_person_id = ?1)),"
        " quote_count = (SELECT count(*) FROM quotes WHERE speaker_person_id = ?1)"
        " WHERE id = ?1",
    [S_DELETE_ORPHAN] = "DELETE FROM people WHERE id = ?1 AND article_count = 0 AND quote_count = 0",
    [S_PRUNE_ALIASES] = "DELETE FROM person_aliases WHERE person_id = ?1 AND alias NOT IN"
                        " (SELECT text FROM mentions WHERE person_id = ?1)",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
};

void store_free(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    free(s);
}

qw_status store_new(sqlite3 *db, struct store **out)
{
    struct store *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return QW_ERR_NOMEM;
    s->db = db;
    for (int i = 0; i < S_COUNT; i++) {
        int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK) {
            log_error("store: cannot prepare statement %d: %s", i, sqlite3_errmsg(db));
            store_free(s);
            return db_status(rc);
        }
    }
    *out = s;
    return QW_OK;
}

/* Steps a statement that returns no rows we need, then resets it. */
static qw_status run(struct store *s, int which)
{
    sqlite3_stmt *st = s->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        log_error("store: statement %d: %s", which, sqlite3_errmsg(s->db));
        return db_status(rc);
    }
    return QW_OK;
}

qw_status store_begin(struct store *s)
{
    return run(s, S_BEGIN);
}

qw_status store_commit(struct store *s)
{
    return run(s, S_COMMIT);
}

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run(s, S_ROLLBACK);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static qw_status find_hash(struct store *s, const char *hex, int64_t *id)
{
    sqlite3_stmt *st = s->st[S_FIND_HASH];
    sqlite3_bind_text(st, 1, hex, HASH_HEX_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("store: find by hash: %s", sqlite3_errmsg(s->db));
        return db_status(rc);
    }
    return QW_OK;
}

qw_status store_find_by_text(struct store *s, const char *text, size_t len, int64_t *id)
{
    char hex[HASH_HEX_LEN + 1];
    hash_sha256_hex(text, len, hex);
    return find_hash(s, hex, id);
}

/* The key that makes one person across articles: the name lower-cased
 * (ASCII letters only; other bytes kept) with runs of spaces folded. */
static char *name_key(const char *name)
{
    size_t n = strlen(name);
    char *k = malloc(n + 1);
    if (!k)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isspace(c)) {
            if (j && k[j - 1] != ' ')
                k[j++] = ' ';
            continue;
        }
        k[j++] = (char)(c < 0x80 ? tolower(c) : c);
    }
    while (j && k[j - 1] == ' ')
        j--;
    k[j] = '\0';
    return k;
}

static const char *gender_str(enum extract_gender g)
{
    return g == GENDER_MALE ? "male" : g == GENDER_FEMALE ? "female" : NULL;
}

static qw_status upsert_person(struct store *s, const struct extract_person *p, int64_t *id)
{
    char *key = name_key(p->name);
    if (!key)
        return QW_ERR_NOMEM;
    sqlite3_stmt *st = s->st[S_UPSERT_PERSON];
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    bind_text(st, 3, gender_str(p->gender));
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st); /* RETURNING: finish the statement */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(key);
    if (rc != SQLITE_DONE || !*id) {
        log_error("store: upsert person: %s", sqlite3_errmsg(s->db));
        return db_status(rc) ? db_status(rc) : QW_ERR_DB;
    }
    return QW_OK;
}

static int same_text(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

qw_status store_article(struct store *s, const struct article *a, const char *path,
                        const struct extract_result *x, int64_t *id, int *created)
{
    char hex[HASH_HEX_LEN + 1], now[32];
    int64_t *pid = NULL;
    int64_t *pquotes = NULL;
    qw_status rc;
    *created = 0;
    hash_sha256_hex(a->text, a->len, hex);
    if ((rc = find_hash(s, hex, id)) != QW_OK || *id)
        return rc;

    now_iso(now);
    sqlite3_stmt *st = s->st[S_INSERT_ARTICLE];
    bind_text(st, 1, a->title);
    bind_text(st, 2, a->dateline);
    bind_text(st, 3, a->published);
    bind_text(st, 4, a->source);
    bind_text(st, 5, a->url);
    bind_text(st, 6, a->author);
    bind_text(st, 7, a->image_credit);
    bind_text(st, 8, path);
    sqlite3_bind_text(st, 9, a->text, (int)a->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)a->body_start);
    sqlite3_bind_text(st, 11, hex, HASH_HEX_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    if ((rc = run(s, S_INSERT_ARTICLE)) != QW_OK)
        goto out;
    int64_t aid = sqlite3_last_insert_rowid(s->db);

    size_t np = x ? x->npeople : 0, nq = x ? x->nquotes : 0;
    pid = calloc(np + 1, sizeof *pid);
    pquotes = calloc(np + 1, sizeof *pquotes);
    if (!pid || !pquotes) {
        rc = QW_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        const struct extract_person *p = &x->people[i];
        if (!p->name || !*p->name)
            continue;
        if ((rc = upsert_person(s, p, &pid[i])) != QW_OK)
            goto out;
        for (size_t r = 0; r < p->nroles; r++) {
            sqlite3_bind_int64(s->st[S_INSERT_ROLE], 1, pid[i]);
            sqlite3_bind_text(s->st[S_INSERT_ROLE], 2, p->roles[r], -1, SQLITE_STATIC);
            if ((rc = run(s, S_INSERT_ROLE)) != QW_OK)
                goto out;
        }
        for (size_t m = 0; m < p->nmentions; m++) {
            size_t ms = p->mentions[m].start, me = p->mentions[m].end;
            if (ms >= me || me > a->len)
                continue;
            sqlite3_stmt *mst = s->st[S_INSERT_MENTION];
            sqlite3_bind_int64(mst, 1, aid);
            sqlite3_bind_int64(mst, 2, pid[i]);
            sqlite3_bind_int64(mst, 3, (sqlite3_int64)ms);
            sqlite3_bind_int64(mst, 4, (sqlite3_int64)me);
            sqlite3_bind_text(mst, 5, a->text + ms, (int)(me - ms), SQLITE_STATIC);
            if ((rc = run(s, S_INSERT_MENTION)) != QW_OK)
                goto out;
            /* A mention written otherwise than the full name ("Blinken")
             * is an alias the API can filter by. */
            if (!same_text(a->text + ms, me - ms, p->name)) {
                sqlite3_stmt *ast = s->st[S_INSERT_ALIAS];
                sqlite3_bind_int64(ast, 1, pid[i]);
                sqlite3_bind_text(ast, 2, a->text + ms, (int)(me - ms), SQLITE_STATIC);
                if ((rc = run(s, S_INSERT_ALIAS)) != QW_OK)
                    goto out;
            }
        }
    }
    for (size_t i = 0; i < nq; i++) {
        const struct extract_quote *q = &x->quotes[i];
        if (q->start >= q->end || q->end > a->len)
            continue;
        int sp = q->speaker_person >= 0 && (size_t)q->speaker_person < np && pid[q->speaker_person]
                     ? q->speaker_person
                     : -1;
        st = s->st[S_INSERT_QUOTE];
        sqlite3_bind_int64(st, 1, aid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)q->start);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)q->end);
        sqlite3_bind_text(st, 4, a->text + q->start, (int)(q->end - q->start), SQLITE_STATIC);
        sqlite3_bind_text(st, 5, extract_quote_kind_str(q->kind), -1, SQLITE_STATIC);
        bind_text(st, 6, sp >= 0 ? x->people[sp].name : q->speaker);
        if (sp >= 0)
            sqlite3_bind_int64(st, 7, pid[sp]);
        else
            sqlite3_bind_null(st, 7);
        bind_text(st, 8, q->cue);
        sqlite3_bind_double(st, 9, q->confidence);
        if ((rc = run(s, S_INSERT_QUOTE)) != QW_OK)
            goto out;
        if (sp >= 0)
            pquotes[sp]++;
    }
    /* Several extracted people can share a canonical name only if the
     * extractor split one person; count the article once per person id. */
    for (size_t i = 0; i < np; i++) {
        if (!pid[i])
            continue;
        int64_t nquotes = pquotes[i];
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (pid[j] == pid[i])
                first = 0;
        if (!first)
            continue;
        for (size_t j = i + 1; j < np; j++)
            if (pid[j] == pid[i])
                nquotes += pquotes[j];
        sqlite3_bind_int64(s->st[S_BUMP_COUNTS], 1, pid[i]);
        sqlite3_bind_int64(s->st[S_BUMP_COUNTS], 2, nquotes);
        if ((rc = run(s, S_BUMP_COUNTS)) != QW_OK)
            goto out;
    }
    *id = aid;
    *created = 1;
out:
    free(pid);
    free(pquotes);
    sqlite3_clear_bindings(s->st[S_INSERT_ARTICLE]);
    sqlite3_clear_bindings(s->st[S_INSERT_QUOTE]);
    return rc;
}

qw_status store_delete_article(struct store *s, int64_t id)
{
    int64_t *people = NULL;
    size_t n = 0, cap = 0;
    qw_status rc = QW_OK;
    sqlite3_stmt *st = s->st[S_ARTICLE_PEOPLE];
    sqlite3_bind_int64(st, 1, id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            int64_t *np = realloc(people, nc * sizeof *np);
            if (!np) {
                rc = QW_ERR_NOMEM;
                break;
            }
            people = np, cap = nc;
        }
        people[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != QW_OK)
        goto out;
    if (r != SQLITE_DONE) {
        rc = db_status(r);
        goto out;
    }
    sqlite3_bind_int64(s->st[S_DELETE_ARTICLE], 1, id);
    if ((rc = run(s, S_DELETE_ARTICLE)) != QW_OK)
        goto out;
    if (sqlite3_changes(s->db) == 0) {
        rc = QW_ERR_NOT_FOUND;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(s->st[S_RECOUNT], 1, people[i]);
        if ((rc = run(s, S_RECOUNT)) != QW_OK)
            goto out;
        sqlite3_bind_int64(s->st[S_PRUNE_ALIASES], 1, people[i]);
        if ((rc = run(s, S_PRUNE_ALIASES)) != QW_OK)
            goto out;
        sqlite3_bind_int64(s->st[S_DELETE_ORPHAN], 1, people[i]);
        if ((rc = run(s, S_DELETE_ORPHAN)) != QW_OK)
            goto out;
    }
out:
    free(people);
    return rc;
}

qw_status store_counts(struct store *s, int64_t *articles, int64_t *people, int64_t *quotes)
{
    static const char *const q = "SELECT (SELECT count(*) FROM articles),"
                                 " (SELECT count(*) FROM people), (SELECT count(*) FROM quotes)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *articles = sqlite3_column_int64(st, 0);
        *people = sqlite3_column_int64(st, 1);
        *quotes = sqlite3_column_int64(st, 2);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return db_status(rc);
}
