/* Corrections put over each extraction the store writes (curate.h). */
#include "curate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fold.h"
#include "log.h"

enum {
    C_FLAGS, C_EDITS, C_REDIRECT, C_EDIT_NAME, C_PERSON_NAME, C_MARK, C_MATCHED,
    C_PEOPLE_EDITS, C_SURVIVORS, C_COUNT
};

static const char *const sql[C_COUNT] = {
    [C_FLAGS] = "SELECT EXISTS (SELECT 1 FROM quote_edits), EXISTS (SELECT 1 FROM person_edits),"
                " EXISTS (SELECT 1 FROM person_redirects)",
    [C_EDITS] = "SELECT start, end, speaker_set, speaker, speaker_key, kind, status, matched"
                " FROM quote_edits WHERE article_hash = ?1",
    [C_REDIRECT] = "SELECT to_key, to_name FROM person_redirects WHERE from_key = ?1",
    [C_EDIT_NAME] = "SELECT name, 1 FROM person_edits WHERE key = ?1",
    [C_PERSON_NAME] = "SELECT name FROM people WHERE name_key = ?1",
    [C_MARK] = "UPDATE quotes SET curated = 1, extracted_speaker = ?4"
               " WHERE article_id = ?1 AND start = ?2 AND end = ?3",
    [C_MATCHED] = "UPDATE quote_edits SET matched = ?4"
                  " WHERE article_hash = ?1 AND start = ?2 AND end = ?3",
    /* an extraction's gender fills a NULL one in (store.c's upsert): a
     * gender a user cleared or set is put back */
    [C_PEOPLE_EDITS] =
        "UPDATE people SET name = coalesce(e.name, people.name),"
        " gender = CASE WHEN e.gender IS NULL THEN people.gender"
        " WHEN e.gender = 'unknown' THEN NULL ELSE e.gender END, curated = 1"
        " FROM person_edits e WHERE e.key = people.name_key AND people.id IN"
        " (SELECT person_id FROM mentions WHERE article_id = ?1"
        " UNION SELECT speaker_person_id FROM quotes WHERE article_id = ?1)",
    [C_SURVIVORS] =
        "UPDATE people SET curated = 1 WHERE curated = 0"
        " AND name_key IN (SELECT to_key FROM person_redirects) AND id IN"
        " (SELECT person_id FROM mentions WHERE article_id = ?1"
        " UNION SELECT speaker_person_id FROM quotes WHERE article_id = ?1)",
};

struct curate {
    sqlite3 *db;
    sqlite3_stmt *st[C_COUNT];
    int has_quote_edits, has_person_edits, has_redirects;
};

/* One row of quote_edits. */
struct qe {
    size_t start, end;
    int speaker_set;
    char *speaker, *speaker_key;
    int kind;            /* -1: unchanged, else enum extract_quote_kind */
    int rejected;
    int matched_before, matched_now;
};

qw_status curate_new(sqlite3 *db, struct curate **out)
{
    struct curate *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return QW_ERR_NOMEM;
    c->db = db;
    for (int i = 0; i < C_COUNT; i++) {
        int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL);
        if (rc != SQLITE_OK) {
            log_error("curate: cannot prepare statement %d: %s", i, sqlite3_errmsg(db));
            curate_free(c);
            return db_status(rc) ? db_status(rc) : QW_ERR_DB;
        }
    }
    *out = c;
    return QW_OK;
}

void curate_free(struct curate *c)
{
    if (!c)
        return;
    for (int i = 0; i < C_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    free(c);
}

static qw_status fail(struct curate *c, sqlite3_stmt *st, int rc, const char *what)
{
    sqlite3_reset(st);
    log_error("curate: %s: %s", what, sqlite3_errmsg(c->db));
    return db_status(rc) ? db_status(rc) : QW_ERR_DB;
}

qw_status curate_refresh(struct curate *c)
{
    sqlite3_stmt *st = c->st[C_FLAGS];
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return fail(c, st, rc, "flags");
    c->has_quote_edits = sqlite3_column_int(st, 0);
    c->has_person_edits = sqlite3_column_int(st, 1);
    c->has_redirects = sqlite3_column_int(st, 2);
    sqlite3_reset(st);
    return QW_OK;
}

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, t, n);
        p[n] = '\0';
    }
    return p;
}

static qw_status own(struct curate_plan *p, char *s)
{
    char **n = realloc(p->owned, (p->nowned + 1) * sizeof *n);
    if (!n) {
        free(s);
        return QW_ERR_NOMEM;
    }
    p->owned = n;
    p->owned[p->nowned++] = s;
    return QW_OK;
}

static qw_status load_edits(struct curate *c, const char *hex, struct curate_plan *p)
{
    sqlite3_stmt *st = c->st[C_EDITS];
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->nedits == cap) {
            cap = cap ? 2 * cap : 8;
            struct qe *n = realloc(p->edits, cap * sizeof *n);
            if (!n) {
                sqlite3_reset(st);
                return QW_ERR_NOMEM;
            }
            p->edits = n;
        }
        struct qe *e = &p->edits[p->nedits++];
        memset(e, 0, sizeof *e);
        e->start = (size_t)sqlite3_column_int64(st, 0);
        e->end = (size_t)sqlite3_column_int64(st, 1);
        e->speaker_set = sqlite3_column_int(st, 2);
        e->speaker = dup_col(st, 3);
        e->speaker_key = dup_col(st, 4);
        const char *kind = (const char *)sqlite3_column_text(st, 5);
        e->kind = !kind ? -1 : strcmp(kind, "partial") == 0 ? QUOTE_PARTIAL : QUOTE_DIRECT;
        const char *status = (const char *)sqlite3_column_text(st, 6);
        e->rejected = status && strcmp(status, "rejected") == 0;
        e->matched_before = sqlite3_column_int(st, 7);
        if ((sqlite3_column_type(st, 3) != SQLITE_NULL && !e->speaker) ||
            (sqlite3_column_type(st, 4) != SQLITE_NULL && !e->speaker_key)) {
            sqlite3_reset(st);
            return QW_ERR_NOMEM;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? QW_OK : fail(c, st, rc, "quote edits");
}

/* Runs statement which for key: *found says whether there is a row, and
 * *a and *b (b may be NULL) receive copies of its two text columns (NULL
 * for a NULL). */
static qw_status lookup2(struct curate *c, int which, const char *key, int *found, char **a,
                         char **b)
{
    sqlite3_stmt *st = c->st[which];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    qw_status rc = QW_OK;
    *found = r == SQLITE_ROW;
    *a = NULL;
    if (b)
        *b = NULL;
    if (r == SQLITE_ROW) {
        *a = dup_col(st, 0);
        if (b)
            *b = dup_col(st, 1);
        if ((!*a && sqlite3_column_type(st, 0) != SQLITE_NULL) ||
            (b && !*b && sqlite3_column_type(st, 1) != SQLITE_NULL))
            rc = QW_ERR_NOMEM;
    } else if (r != SQLITE_DONE) {
        return fail(c, st, r, "lookup");
    }
    sqlite3_reset(st);
    if (rc != QW_OK) {
        free(*a);
        *a = NULL;
        if (b) {
            free(*b);
            *b = NULL;
        }
    }
    return rc;
}

static char *lookup(struct curate *c, int which, const char *key, qw_status *rc)
{
    int found;
    char *v;
    *rc = lookup2(c, which, key, &found, &v, NULL);
    return v;
}

/* Follows redirects from *key (owned by p): *key and *name become the
 * survivor's (name stays as given when there is no redirect). */
static qw_status redirect(struct curate *c, struct curate_plan *p, char **key, char **name)
{
    qw_status rc;
    for (int hops = 0; hops < 8; hops++) { /* corrections.c keeps chains at one hop */
        int found;
        char *to, *to_name;
        if ((rc = lookup2(c, C_REDIRECT, *key, &found, &to, &to_name)) != QW_OK)
            return rc;
        if (!found)
            return QW_OK;
        if (!to || !to_name) {
            free(to);
            free(to_name);
            return QW_ERR_NOMEM;
        }
        if ((rc = own(p, to)) != QW_OK || (rc = own(p, to_name)) != QW_OK)
            return rc;
        *key = to;
        *name = to_name;
    }
    return QW_OK;
}

/* A person edit for key: its name replaces *name, and the plan notes
 * that curate_finish must put the edit back over the stored person. */
static qw_status person_edit(struct curate *c, struct curate_plan *p, const char *key,
                             char **name)
{
    int found;
    char *edited, *one;
    qw_status rc = lookup2(c, C_EDIT_NAME, key, &found, &edited, &one);
    free(one);
    if (rc != QW_OK || !found)
        return rc;
    p->person_edits = 1;
    if (edited) {
        if ((rc = own(p, edited)) != QW_OK)
            return rc;
        *name = edited;
    }
    return QW_OK;
}

static qw_status fold_owned(struct curate_plan *p, const char *s, char **out)
{
    size_t n;
    if (fold_key(s, strlen(s), out, &n) != QW_OK)
        return QW_ERR_NOMEM;
    return own(p, *out);
}

qw_status curate_plan(struct curate *c, const char *hex, const struct extract_result *x,
                      struct curate_plan *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->hex, sizeof p->hex, "%s", hex);
    p->x = *x;
    qw_status rc;
    if (c->has_quote_edits && (rc = load_edits(c, hex, p)) != QW_OK)
        return rc;
    if (!p->nedits && !c->has_redirects && !c->has_person_edits)
        return QW_OK;

    size_t np = x->npeople, cap = np + p->nedits;
    struct extract_person *people = calloc(cap ? cap : 1, sizeof *people);
    struct extract_quote *quotes = calloc(x->nquotes ? x->nquotes : 1, sizeof *quotes);
    char **keys = calloc(cap ? cap : 1, sizeof *keys);
    if (!people || !quotes || !keys) {
        free(people);
        free(quotes);
        free(keys);
        return QW_ERR_NOMEM;
    }
    if (np)
        memcpy(people, x->people, np * sizeof *people);
    p->x.people = people;
    p->x.quotes = quotes;
    p->x.nquotes = 0;
    p->copied = 1;
    rc = QW_OK;
    for (size_t i = 0; i < np && rc == QW_OK; i++) {
        if (!people[i].name || !*people[i].name)
            continue;
        if ((rc = fold_owned(p, people[i].name, &keys[i])) != QW_OK)
            break;
        if (c->has_redirects && (rc = redirect(c, p, &keys[i], &people[i].name)) != QW_OK)
            break;
        if (c->has_person_edits && (rc = person_edit(c, p, keys[i], &people[i].name)) != QW_OK)
            break;
    }
    for (size_t i = 0; i < x->nquotes && rc == QW_OK; i++) {
        struct extract_quote q = x->quotes[i];
        struct qe *e = NULL;
        for (size_t k = 0; k < p->nedits && !e; k++)
            if (p->edits[k].start == q.start && p->edits[k].end == q.end)
                e = &p->edits[k];
        if (!e) {
            quotes[p->x.nquotes++] = q;
            continue;
        }
        e->matched_now = 1;
        const char *said = q.speaker_person >= 0 && (size_t)q.speaker_person < np
                               ? people[q.speaker_person].name
                               : q.speaker;
        struct curate_mark *m = realloc(p->marks, (p->nmarks + 1) * sizeof *m);
        if (!m) {
            rc = QW_ERR_NOMEM;
            break;
        }
        p->marks = m;
        m = &p->marks[p->nmarks++];
        m->start = q.start;
        m->end = q.end;
        m->extracted_speaker = said ? strdup(said) : NULL;
        if (said && !m->extracted_speaker) {
            rc = QW_ERR_NOMEM;
            break;
        }
        if (e->rejected)
            continue;
        if (e->kind >= 0)
            q.kind = (enum extract_quote_kind)e->kind;
        if (e->speaker_set)
            q.confidence = 1.0; /* a person said who speaks */
        if (e->speaker_set && e->speaker_key) {
            char *key = e->speaker_key, *name = e->speaker;
            if (c->has_redirects && (rc = redirect(c, p, &key, &name)) != QW_OK)
                break;
            size_t idx = 0;
            while (idx < p->x.npeople && !(keys[idx] && strcmp(keys[idx], key) == 0))
                idx++;
            if (idx == p->x.npeople) {
                /* a speaker the text names otherwise (or not at all): linked
                 * by the quote, under the stored person's name */
                char *stored = lookup(c, C_PERSON_NAME, key, &rc);
                if (rc != QW_OK || (stored && (rc = own(p, stored)) != QW_OK))
                    break;
                memset(&people[idx], 0, sizeof people[idx]);
                people[idx].name = stored ? stored : name;
                keys[idx] = key;
                p->x.npeople++;
                if (c->has_person_edits &&
                    (rc = person_edit(c, p, key, &people[idx].name)) != QW_OK)
                    break;
            }
            q.speaker_person = (int)idx;
            q.speaker = people[idx].name;
        } else if (e->speaker_set) {
            q.speaker_person = -1;
            q.speaker = e->speaker;
        }
        quotes[p->x.nquotes++] = q;
    }
    free(keys);
    return rc;
}

qw_status curate_finish(struct curate *c, int64_t aid, const struct curate_plan *p,
                        int64_t *orphaned)
{
    int rc;
    if (orphaned)
        *orphaned = 0;
    for (size_t i = 0; i < p->nmarks; i++) {
        sqlite3_stmt *st = c->st[C_MARK];
        sqlite3_bind_int64(st, 1, aid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)p->marks[i].start);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)p->marks[i].end);
        if (p->marks[i].extracted_speaker)
            sqlite3_bind_text(st, 4, p->marks[i].extracted_speaker, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 4);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE)
            return fail(c, st, rc, "mark");
    }
    if (p->nedits) {
        for (size_t i = 0; i < p->nedits; i++) {
            const struct qe *e = &p->edits[i];
            if (e->matched_now == e->matched_before)
                continue;
            if (e->matched_before && orphaned)
                (*orphaned)++;
            sqlite3_stmt *st = c->st[C_MATCHED];
            sqlite3_bind_text(st, 1, p->hex, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)e->start);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)e->end);
            sqlite3_bind_int(st, 4, e->matched_now);
            rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return fail(c, st, rc, "matched");
        }
    }
    for (int w = C_PEOPLE_EDITS; w <= C_SURVIVORS; w++) {
        if (w == C_PEOPLE_EDITS ? !p->person_edits : !c->has_redirects)
            continue;
        sqlite3_stmt *st = c->st[w];
        sqlite3_bind_int64(st, 1, aid);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return fail(c, st, rc, "people edits");
    }
    return QW_OK;
}

void curate_plan_free(struct curate_plan *p)
{
    if (p->copied) {
        free(p->x.people);
        free(p->x.quotes);
    }
    for (size_t i = 0; i < p->nowned; i++)
        free(p->owned[i]);
    free(p->owned);
    for (size_t i = 0; i < p->nmarks; i++)
        free(p->marks[i].extracted_speaker);
    free(p->marks);
    for (size_t i = 0; i < p->nedits; i++) {
        free(p->edits[i].speaker);
        free(p->edits[i].speaker_key);
    }
    free(p->edits);
    memset(p, 0, sizeof *p);
}
