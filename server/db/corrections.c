/* Users' corrections: the audit trail and the edits it adds up to
 * (corrections.h).  Everything is keyed so that it outlives the rows it
 * was made on: quote edits by (article content hash, span), person edits
 * by name key; ids are kept in the trail only to say what was edited. */
#include "corrections.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "curate.h"
#include "db.h"
#include "fold.h"
#include "log.h"

/* ---- statements ---- */

struct stmt {
    sqlite3 *db;
    sqlite3_stmt *st;
    qw_status rc;
};

static int sq_open(struct stmt *s, sqlite3 *db, const char *sql)
{
    s->db = db;
    s->st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s->st, NULL);
    if (rc != SQLITE_OK) {
        log_error("corrections: prepare: %s", sqlite3_errmsg(db));
        s->rc = db_status(rc) ? db_status(rc) : QW_ERR_DB;
        return -1;
    }
    s->rc = QW_OK;
    return 0;
}

static void b_text(struct stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, i);
}

static void b_int(struct stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s->st, i, v);
}

/* Steps: 1 for a row, 0 when done, -1 on failure (s->rc). */
static int sq_step(struct stmt *s)
{
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    log_error("corrections: %s", sqlite3_errmsg(s->db));
    s->rc = db_status(rc) ? db_status(rc) : QW_ERR_DB;
    return -1;
}

static qw_status sq_close(struct stmt *s)
{
    sqlite3_finalize(s->st);
    s->st = NULL;
    return s->rc;
}

static char *col_dup(struct stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s->st, col);
    return t ? strdup((const char *)t) : NULL;
}

/* Runs sql with up to four text binds (NULL binds NULL). */
static qw_status exec4(sqlite3 *db, const char *sql, const char *a, const char *b, const char *c,
                       const char *d)
{
    struct stmt s;
    if (sq_open(&s, db, sql) != 0)
        return s.rc;
    const char *v[4] = {a, b, c, d};
    int n = sqlite3_bind_parameter_count(s.st);
    for (int i = 0; i < n && i < 4; i++)
        b_text(&s, i + 1, v[i]);
    while (sq_step(&s) == 1)
        ;
    return sq_close(&s);
}

static char *dump(json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* ---- the audit trail ---- */

struct record {
    const char *uid, *at;      /* NULL: new ones */
    const char *actor, *target, *field;
    int64_t target_id;
    json_t *before, *after;    /* borrowed */
    const char *hash;          /* quote key */
    int64_t start, end;
    const char *person_key, *into_key;
};

static qw_status record(sqlite3 *db, const struct record *r)
{
    struct stmt s;
    if (sq_open(&s, db,
                "INSERT INTO corrections (uid, at, actor, target, target_id, field, before, after,"
                " article_hash, span_start, span_end, person_key, into_key) VALUES"
                " (coalesce(?1, lower(hex(randomblob(16)))),"
                " coalesce(?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?3, ?4, ?5, ?6, ?7, ?8,"
                " ?9, ?10, ?11, ?12, ?13)") != 0)
        return s.rc;
    char *before = dump(r->before), *after = dump(r->after);
    b_text(&s, 1, r->uid);
    b_text(&s, 2, r->at);
    b_text(&s, 3, r->actor);
    b_text(&s, 4, r->target);
    if (r->target_id)
        b_int(&s, 5, r->target_id);
    b_text(&s, 6, r->field);
    b_text(&s, 7, before);
    b_text(&s, 8, after);
    b_text(&s, 9, r->hash);
    if (r->hash) {
        b_int(&s, 10, r->start);
        b_int(&s, 11, r->end);
    }
    b_text(&s, 12, r->person_key);
    b_text(&s, 13, r->into_key);
    sq_step(&s);
    free(before);
    free(after);
    return sq_close(&s);
}

/* ---- what the trail adds up to: applying one change by its keys ---- */

/* A quote edit: field is speaker ({"speaker", "speaker_key"}), kind or
 * status (strings). */
static qw_status quote_apply(sqlite3 *db, const char *hash, int64_t start, int64_t end,
                             const char *field, json_t *after)
{
    struct stmt s;
    if (sq_open(&s, db,
                "INSERT OR IGNORE INTO quote_edits (article_hash, start, end) VALUES (?1, ?2, ?3)") !=
        0)
        return s.rc;
    b_text(&s, 1, hash);
    b_int(&s, 2, start);
    b_int(&s, 3, end);
    sq_step(&s);
    qw_status rc = sq_close(&s);
    if (rc != QW_OK)
        return rc;
    const char *sql =
        strcmp(field, "speaker") == 0
            ? "UPDATE quote_edits SET speaker_set = 1, speaker = ?4, speaker_key = ?5"
              " WHERE article_hash = ?1 AND start = ?2 AND end = ?3"
        : strcmp(field, "kind") == 0
            ? "UPDATE quote_edits SET kind = ?4 WHERE article_hash = ?1 AND start = ?2 AND end = ?3"
            : "UPDATE quote_edits SET status = ?4 WHERE article_hash = ?1 AND start = ?2 AND end = ?3";
    if (sq_open(&s, db, sql) != 0)
        return s.rc;
    b_text(&s, 1, hash);
    b_int(&s, 2, start);
    b_int(&s, 3, end);
    if (strcmp(field, "speaker") == 0) {
        b_text(&s, 4, json_string_value(json_object_get(after, "speaker")));
        b_text(&s, 5, json_string_value(json_object_get(after, "speaker_key")));
    } else {
        b_text(&s, 4, json_string_value(after));
    }
    sq_step(&s);
    return sq_close(&s);
}

/* The person stored under key: *id (0 if none) and *name (malloc'd). */
static qw_status person_by_key(sqlite3 *db, const char *key, int64_t *id, char **name)
{
    struct stmt s;
    *id = 0;
    if (name)
        *name = NULL;
    if (sq_open(&s, db, "SELECT id, name FROM people WHERE name_key = ?1") != 0)
        return s.rc;
    b_text(&s, 1, key);
    if (sq_step(&s) == 1) {
        *id = sqlite3_column_int64(s.st, 0);
        if (name && !(*name = col_dup(&s, 1)))
            s.rc = QW_ERR_NOMEM;
    }
    return sq_close(&s);
}

/* The person under key old_key is called name (key new_key) from now on;
 * later extractions of the old name are stored as the new one. */
static qw_status rename_apply(sqlite3 *db, const char *old_key, const char *name,
                              const char *new_key)
{
    static const char *const steps[] = {
        "UPDATE people SET name = ?2, name_key = ?3, curated = 1 WHERE name_key = ?1",
        "UPDATE quotes SET speaker = ?2 WHERE speaker_person_id ="
        " (SELECT id FROM people WHERE name_key = ?3)",
        "UPDATE quote_edits SET speaker = ?2, speaker_key = ?3 WHERE speaker_key = ?1",
        "INSERT INTO person_edits (key, name, gender)"
        " SELECT ?3, ?2, (SELECT gender FROM person_edits WHERE key = ?1) WHERE 1"
        " ON CONFLICT (key) DO UPDATE SET name = excluded.name",
        "DELETE FROM person_edits WHERE key = ?1 AND ?1 != ?3",
        "DELETE FROM person_redirects WHERE from_key = ?3",
        "INSERT OR REPLACE INTO person_redirects (from_key, to_key, to_name)"
        " SELECT ?1, ?3, ?2 WHERE ?1 != ?3",
        "UPDATE person_redirects SET to_key = ?3, to_name = ?2 WHERE to_key IN (?1, ?3)",
        /* the mentions that now differ from the name are aliases; the
         * name itself is not */
        "INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)"
        " SELECT DISTINCT m.person_id, m.text, qw_fold(m.text) FROM mentions m"
        " WHERE m.person_id = (SELECT id FROM people WHERE name_key = ?3) AND m.text != ?2",
        "DELETE FROM person_aliases WHERE alias = ?2"
        " AND person_id = (SELECT id FROM people WHERE name_key = ?3)",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        qw_status rc = exec4(db, steps[i], old_key, name, new_key, NULL);
        if (rc != QW_OK)
            return rc;
    }
    return QW_OK;
}

/* gender: "male", "female" or "unknown". */
static qw_status gender_apply(sqlite3 *db, const char *key, const char *gender)
{
    qw_status rc = exec4(db,
                         "UPDATE people SET gender = CASE ?2 WHEN 'unknown' THEN NULL ELSE ?2 END,"
                         " curated = 1 WHERE name_key = ?1",
                         key, gender, NULL, NULL);
    if (rc == QW_OK)
        rc = exec4(db,
                   "INSERT INTO person_edits (key, gender) VALUES (?1, ?2)"
                   " ON CONFLICT (key) DO UPDATE SET gender = excluded.gender",
                   key, gender, NULL, NULL);
    return rc;
}

/* The person under from_key becomes the one under into_key (called
 * into_name); without a stored survivor it is renamed to it. */
static qw_status merge_apply(sqlite3 *db, const char *from_key, const char *into_key,
                             const char *into_name)
{
    int64_t a = 0, b = 0;
    qw_status rc = person_by_key(db, from_key, &a, NULL);
    if (rc == QW_OK)
        rc = person_by_key(db, into_key, &b, NULL);
    if (rc != QW_OK)
        return rc;
    if (a && !b)
        return rename_apply(db, from_key, into_name, into_key);
    if (a && b && a != b) {
        char ida[24], idb[24];
        snprintf(ida, sizeof ida, "%lld", (long long)a);
        snprintf(idb, sizeof idb, "%lld", (long long)b);
        static const char *const steps[] = {
            "UPDATE mentions SET person_id = ?2 WHERE person_id = ?1",
            "UPDATE quotes SET speaker_person_id = ?2,"
            " speaker = (SELECT name FROM people WHERE id = ?2) WHERE speaker_person_id = ?1",
            "INSERT OR IGNORE INTO person_roles (person_id, role)"
            " SELECT ?2, role FROM person_roles WHERE person_id = ?1",
            "INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)"
            " SELECT ?2, alias, alias_key FROM person_aliases WHERE person_id = ?1"
            " AND alias != (SELECT name FROM people WHERE id = ?2)",
            "INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)"
            " SELECT DISTINCT ?2, text, qw_fold(text) FROM mentions WHERE person_id = ?2"
            " AND text != (SELECT name FROM people WHERE id = ?2)",
            /* a gender a user set on the survivor stays; else the merged
             * person's fills a missing one */
            "UPDATE people SET gender = CASE WHEN EXISTS (SELECT 1 FROM person_edits e"
            " WHERE e.key = people.name_key AND e.gender IS NOT NULL) THEN gender"
            " ELSE coalesce(gender, (SELECT gender FROM people WHERE id = ?1)) END,"
            " quote_count = (SELECT count(*) FROM quotes WHERE speaker_person_id = ?2),"
            " article_count = (SELECT count(*) FROM (SELECT article_id FROM mentions"
            " WHERE person_id = ?2 UNION SELECT article_id FROM quotes"
            " WHERE speaker_person_id = ?2)), curated = 1 WHERE id = ?2",
            "DELETE FROM people WHERE id = ?1",
        };
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            if ((rc = exec4(db, steps[i], ida, idb, NULL, NULL)) != QW_OK)
                return rc;
    }
    static const char *const keys[] = {
        "DELETE FROM person_redirects WHERE from_key = ?2",
        "INSERT OR REPLACE INTO person_redirects (from_key, to_key, to_name) VALUES (?1, ?2, ?3)",
        "UPDATE person_redirects SET to_key = ?2, to_name = ?3 WHERE to_key = ?1",
        "UPDATE quote_edits SET speaker_key = ?2, speaker = ?3 WHERE speaker_key = ?1",
        "DELETE FROM person_edits WHERE key = ?1",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if ((rc = exec4(db, keys[i], from_key, into_key, into_name, NULL)) != QW_OK)
            return rc;
    return QW_OK;
}

/* ---- edits by id (the API) ---- */

struct person {
    int64_t id;
    char *name, *key, *gender;
};

static void person_free(struct person *p)
{
    free(p->name);
    free(p->key);
    free(p->gender);
}

static qw_status person_get(sqlite3 *db, int64_t id, struct person *p)
{
    struct stmt s;
    memset(p, 0, sizeof *p);
    if (sq_open(&s, db, "SELECT name, name_key, gender FROM people WHERE id = ?1") != 0)
        return s.rc;
    b_int(&s, 1, id);
    int r = sq_step(&s);
    if (r == 1) {
        p->id = id;
        p->name = col_dup(&s, 0);
        p->key = col_dup(&s, 1);
        p->gender = col_dup(&s, 2);
        if (!p->name || !p->key)
            s.rc = QW_ERR_NOMEM;
    } else if (r == 0) {
        s.rc = QW_ERR_NOT_FOUND;
    }
    qw_status rc = sq_close(&s);
    if (rc != QW_OK)
        person_free(p);
    return rc;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

qw_status corrections_quote(struct store *st, int64_t id, const struct corr_quote *e,
                            const char *actor, int64_t *article, int64_t *start, int64_t *end,
                            char err[QW_ERRLEN])
{
    sqlite3 *db = store_db(st);
    struct stmt s;
    char *hash = NULL, *speaker = NULL, *kind = NULL;
    int64_t spid = 0;
    int rejected = 0;
    *article = 0;
    if (sq_open(&s, db,
                "SELECT q.article_id, q.start, q.end, q.speaker, q.speaker_person_id, q.kind,"
                " a.content_hash FROM quotes q JOIN articles a ON a.id = q.article_id"
                " WHERE q.id = ?1") != 0)
        return s.rc;
    b_int(&s, 1, id);
    if (sq_step(&s) == 1) {
        *article = sqlite3_column_int64(s.st, 0);
        *start = sqlite3_column_int64(s.st, 1);
        *end = sqlite3_column_int64(s.st, 2);
        speaker = col_dup(&s, 3);
        spid = sqlite3_column_int64(s.st, 4);
        kind = col_dup(&s, 5);
        hash = col_dup(&s, 6);
    }
    qw_status rc = sq_close(&s);
    if (rc == QW_OK && !*article) {
        /* a quote a correction rejected: known by the trail */
        if (sq_open(&s, db,
                    "SELECT c.article_hash, c.span_start, c.span_end, a.id FROM corrections c"
                    " JOIN quote_edits e ON e.article_hash = c.article_hash"
                    " AND e.start = c.span_start AND e.end = c.span_end"
                    " JOIN articles a ON a.content_hash = c.article_hash"
                    " WHERE c.target = 'quote' AND c.target_id = ?1 AND e.status = 'rejected'"
                    " ORDER BY c.id DESC LIMIT 1") != 0)
            return s.rc;
        b_int(&s, 1, id);
        if (sq_step(&s) == 1) {
            hash = col_dup(&s, 0);
            *start = sqlite3_column_int64(s.st, 1);
            *end = sqlite3_column_int64(s.st, 2);
            *article = sqlite3_column_int64(s.st, 3);
            rejected = 1;
        }
        rc = sq_close(&s);
        if (rc == QW_OK && !*article) {
            snprintf(err, QW_ERRLEN, "There is no quote %lld.", (long long)id);
            rc = QW_ERR_NOT_FOUND;
        }
        if (rc == QW_OK && (!e->status || strcmp(e->status, "accepted") != 0)) {
            snprintf(err, QW_ERRLEN,
                     "Quote %lld was rejected; only {\"status\": \"accepted\"} brings it back "
                     "(other fields may come with it).",
                     (long long)id);
            rc = QW_ERR_CONFLICT;
        }
    }
    if (rc == QW_OK && !hash)
        rc = QW_ERR_NOMEM;
    struct person who;
    memset(&who, 0, sizeof who);
    if (rc == QW_OK && e->set_speaker && e->speaker_person_id) {
        rc = person_get(db, e->speaker_person_id, &who);
        if (rc == QW_ERR_NOT_FOUND) {
            snprintf(err, QW_ERRLEN, "speaker_person_id %lld names no person.",
                     (long long)e->speaker_person_id);
            rc = QW_ERR_INVALID;
        }
    }
    struct record r = {.actor = actor, .target = "quote", .target_id = id, .hash = hash,
                       .start = *start, .end = *end};
    /* status first: bringing a quote back comes before what else changes */
    if (rc == QW_OK && e->status) {
        r.field = "status";
        r.before = json_string(rejected ? "rejected" : "accepted");
        r.after = json_string(e->status);
        rc = record(db, &r);
        if (rc == QW_OK)
            rc = quote_apply(db, hash, *start, *end, "status", r.after);
        json_decref(r.before);
        json_decref(r.after);
    }
    if (rc == QW_OK && e->set_speaker) {
        r.field = "speaker";
        r.before = json_pack("{s:o,s:o}", "speaker", str_or_null(rejected ? NULL : speaker),
                             "speaker_person_id", id_or_null(rejected ? 0 : spid));
        r.after = json_pack("{s:o,s:o,s:o}", "speaker",
                            str_or_null(who.id ? who.name : e->speaker), "speaker_person_id",
                            id_or_null(who.id), "speaker_key", str_or_null(who.key));
        rc = r.before && r.after ? record(db, &r) : QW_ERR_NOMEM;
        if (rc == QW_OK)
            rc = quote_apply(db, hash, *start, *end, "speaker", r.after);
        json_decref(r.before);
        json_decref(r.after);
    }
    if (rc == QW_OK && e->kind) {
        r.field = "kind";
        r.before = str_or_null(rejected ? NULL : kind);
        r.after = json_string(e->kind);
        rc = record(db, &r);
        if (rc == QW_OK)
            rc = quote_apply(db, hash, *start, *end, "kind", r.after);
        json_decref(r.before);
        json_decref(r.after);
    }
    if (rc == QW_OK)
        rc = curate_refresh(store_curate(st));
    person_free(&who);
    free(hash);
    free(speaker);
    free(kind);
    return rc;
}

qw_status corrections_person(struct store *st, int64_t id, const char *name, const char *gender,
                             const char *actor, char err[QW_ERRLEN])
{
    sqlite3 *db = store_db(st);
    struct person p;
    qw_status rc = person_get(db, id, &p);
    if (rc == QW_ERR_NOT_FOUND)
        snprintf(err, QW_ERRLEN, "There is no person %lld.", (long long)id);
    if (rc != QW_OK)
        return rc;
    char *key = NULL;
    struct record r = {.actor = actor, .target = "person", .target_id = id};
    if (name) {
        if (fold_key(name, strlen(name), &key, NULL) != QW_OK) {
            rc = QW_ERR_NOMEM;
            goto out;
        }
        if (!*key) {
            snprintf(err, QW_ERRLEN, "Field 'name' must hold letters.");
            rc = QW_ERR_INVALID;
            goto out;
        }
        int64_t other = 0;
        if (strcmp(key, p.key) != 0 && (rc = person_by_key(db, key, &other, NULL)) != QW_OK)
            goto out;
        if (other) {
            snprintf(err, QW_ERRLEN,
                     "Person %lld is already called that: merge the two with "
                     "POST /people/%lld/merge {\"into\": %lld}.",
                     (long long)other, (long long)id, (long long)other);
            rc = QW_ERR_CONFLICT;
            goto out;
        }
        r.field = "name";
        r.person_key = p.key;
        r.before = json_string(p.name);
        r.after = json_string(name);
        rc = record(db, &r);
        json_decref(r.before);
        json_decref(r.after);
        if (rc == QW_OK)
            rc = rename_apply(db, p.key, name, key);
        if (rc != QW_OK)
            goto out;
    }
    if (gender) {
        r.field = "gender";
        r.person_key = key ? key : p.key;
        r.before = str_or_null(p.gender);
        r.after = str_or_null(strcmp(gender, "unknown") == 0 ? NULL : gender);
        rc = record(db, &r);
        json_decref(r.before);
        json_decref(r.after);
        if (rc == QW_OK)
            rc = gender_apply(db, r.person_key, gender);
    }
    if (rc == QW_OK)
        rc = curate_refresh(store_curate(st));
out:
    free(key);
    person_free(&p);
    return rc;
}

qw_status corrections_merge(struct store *st, int64_t from, int64_t into, const char *actor,
                            char err[QW_ERRLEN])
{
    sqlite3 *db = store_db(st);
    struct person a, b;
    memset(&b, 0, sizeof b);
    qw_status rc = person_get(db, from, &a);
    if (rc == QW_ERR_NOT_FOUND)
        snprintf(err, QW_ERRLEN, "There is no person %lld.", (long long)from);
    if (rc != QW_OK)
        return rc;
    if (from == into) {
        snprintf(err, QW_ERRLEN, "A person cannot be merged into itself.");
        rc = QW_ERR_INVALID;
        goto out;
    }
    rc = person_get(db, into, &b);
    if (rc == QW_ERR_NOT_FOUND) {
        snprintf(err, QW_ERRLEN, "Field 'into': there is no person %lld.", (long long)into);
        rc = QW_ERR_INVALID;
    }
    if (rc != QW_OK)
        goto out;
    struct record r = {.actor = actor, .target = "person", .target_id = from, .field = "merge",
                       .person_key = a.key, .into_key = b.key};
    r.before = json_pack("{s:I,s:s}", "id", (json_int_t)from, "name", a.name);
    r.after = json_pack("{s:I,s:s,s:s}", "into", (json_int_t)into, "name", b.name, "into_key",
                        b.key);
    rc = r.before && r.after ? record(db, &r) : QW_ERR_NOMEM;
    json_decref(r.before);
    json_decref(r.after);
    if (rc == QW_OK)
        rc = merge_apply(db, a.key, b.key, b.name);
    if (rc == QW_OK)
        rc = curate_refresh(store_curate(st));
out:
    person_free(&a);
    person_free(&b);
    return rc;
}

/* ---- export and import ---- */

static const char *const export_cols[] = {"id",        "uid",        "at",         "actor",
                                          "target",    "target_id",  "field",      "before",
                                          "after",     "article_hash", "start",    "end",
                                          "person_key", "into_key"};

qw_status corrections_export(sqlite3 *db, FILE *out, int64_t *n)
{
    struct stmt s;
    *n = 0;
    if (sq_open(&s, db,
                "SELECT id, uid, at, actor, target, target_id, field, before, after, article_hash,"
                " span_start, span_end, person_key, into_key FROM corrections ORDER BY id") != 0)
        return s.rc;
    int r;
    while ((r = sq_step(&s)) == 1) {
        json_t *o = json_object();
        if (!o) {
            s.rc = QW_ERR_NOMEM;
            break;
        }
        for (int k = 1; k < 14; k++) {
            json_t *v;
            int t = sqlite3_column_type(s.st, k);
            const char *txt = (const char *)sqlite3_column_text(s.st, k);
            if (t == SQLITE_NULL)
                v = json_null();
            else if (t == SQLITE_INTEGER)
                v = json_integer(sqlite3_column_int64(s.st, k));
            else if (k == 7 || k == 8)
                v = json_loads(txt, JSON_DECODE_ANY, NULL);
            else
                v = json_string(txt);
            if (!v || json_object_set_new(o, export_cols[k], v) != 0)
                s.rc = QW_ERR_NOMEM;
        }
        if (s.rc == QW_OK && (json_dumpf(o, out, JSON_COMPACT) != 0 || fputc('\n', out) == EOF))
            s.rc = QW_ERR_IO;
        json_decref(o);
        if (s.rc != QW_OK)
            break;
        (*n)++;
    }
    return sq_close(&s);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int is_one_of(json_t *v, const char *a, const char *b)
{
    const char *s = json_string_value(v);
    return s && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

/* A value an export can hold for a quote correction of field. */
static int quote_value(const char *field, json_t *after)
{
    if (strcmp(field, "speaker") == 0)
        return json_is_object(after);
    if (strcmp(field, "kind") == 0)
        return is_one_of(after, "direct", "partial");
    if (strcmp(field, "status") == 0)
        return is_one_of(after, "accepted", "rejected");
    return 0;
}

static int person_value(const char *field, json_t *after, const char *into_key)
{
    if (strcmp(field, "name") == 0)
        return json_is_string(after) && json_string_length(after) > 0;
    if (strcmp(field, "gender") == 0)
        return json_is_null(after) || is_one_of(after, "male", "female");
    if (strcmp(field, "merge") == 0)
        return into_key && jstr(after, "name");
    return 0;
}

qw_status corrections_import_line(struct store *st, const char *line, size_t len, int *applied,
                                  int64_t *article, char err[QW_ERRLEN])
{
    sqlite3 *db = store_db(st);
    *applied = 0;
    *article = 0;
    json_error_t je;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        snprintf(err, QW_ERRLEN, "not a JSON object (column %d)", je.column);
        json_decref(o);
        return QW_ERR_INVALID;
    }
    qw_status rc = QW_OK;
    const char *uid = jstr(o, "uid"), *at = jstr(o, "at"), *actor = jstr(o, "actor"),
               *target = jstr(o, "target"), *field = jstr(o, "field");
    json_t *before = json_object_get(o, "before"), *after = json_object_get(o, "after");
    struct record r = {.uid = uid, .at = at, .actor = actor, .target = target, .field = field,
                       .before = before, .after = after,
                       .target_id = json_integer_value(json_object_get(o, "target_id")),
                       .hash = jstr(o, "article_hash"),
                       .start = json_integer_value(json_object_get(o, "start")),
                       .end = json_integer_value(json_object_get(o, "end")),
                       .person_key = jstr(o, "person_key"), .into_key = jstr(o, "into_key")};
    int quote = target && strcmp(target, "quote") == 0;
    int person = target && strcmp(target, "person") == 0;
    const char *bad = NULL;
    if (!uid || !at || !actor || !field || !after || (!quote && !person))
        bad = "needs uid, at, actor, target (quote or person), field and after";
    else if (quote && !(r.hash && r.start >= 0 && r.end > r.start && quote_value(field, after)))
        bad = "a quote correction needs article_hash, start < end and a speaker, kind or "
              "status value";
    else if (person && !(r.person_key && person_value(field, after, r.into_key)))
        bad = "a person correction needs person_key and a name, gender or merge value";
    if (bad) {
        snprintf(err, QW_ERRLEN, "%s", bad);
        json_decref(o);
        return QW_ERR_INVALID;
    }
    struct stmt s;
    int seen = 0;
    if (sq_open(&s, db, "SELECT 1 FROM corrections WHERE uid = ?1") != 0) {
        json_decref(o);
        return s.rc;
    }
    b_text(&s, 1, uid);
    seen = sq_step(&s) == 1;
    rc = sq_close(&s);
    if (rc != QW_OK || seen) {
        json_decref(o);
        return rc;
    }
    rc = record(db, &r);
    if (rc == QW_OK && quote) {
        rc = quote_apply(db, r.hash, r.start, r.end, field, after);
        if (rc == QW_OK && sq_open(&s, db, "SELECT id FROM articles WHERE content_hash = ?1") == 0) {
            b_text(&s, 1, r.hash);
            if (sq_step(&s) == 1)
                *article = sqlite3_column_int64(s.st, 0);
            rc = sq_close(&s);
        } else if (rc == QW_OK) {
            rc = s.rc;
        }
    } else if (rc == QW_OK && strcmp(field, "name") == 0) {
        char *key = NULL;
        const char *name = json_string_value(after);
        if (fold_key(name, strlen(name), &key, NULL) != QW_OK)
            rc = QW_ERR_NOMEM;
        int64_t other = 0, self = 0;
        if (rc == QW_OK && strcmp(key, r.person_key) != 0 &&
            (rc = person_by_key(db, key, &other, NULL)) == QW_OK &&
            (rc = person_by_key(db, r.person_key, &self, NULL)) == QW_OK && other && self) {
            snprintf(err, QW_ERRLEN, "renaming to '%.60s' clashes with person %lld", name,
                     (long long)other);
            rc = QW_ERR_CONFLICT;
        }
        if (rc == QW_OK)
            rc = rename_apply(db, r.person_key, name, key);
        free(key);
    } else if (rc == QW_OK && strcmp(field, "gender") == 0) {
        rc = gender_apply(db, r.person_key,
                          json_is_string(after) ? json_string_value(after) : "unknown");
    } else if (rc == QW_OK) {
        rc = merge_apply(db, r.person_key, r.into_key, jstr(after, "name"));
    }
    if (rc == QW_OK)
        rc = curate_refresh(store_curate(st));
    if (rc == QW_OK)
        *applied = 1;
    json_decref(o);
    return rc;
}
