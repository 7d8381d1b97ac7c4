#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "curate.h"
#include "db.h"
#include "fold.h"
#include "hash.h"
#include "log.h"

enum {
    S_FIND_HASH,
    S_INSERT_ARTICLE,
    S_FILL_META,
    S_UPSERT_PERSON,
    S_INSERT_ROLE,
    S_INSERT_ALIAS,
    S_INSERT_MENTION,
    S_INSERT_QUOTE,
    S_ADD_COUNTS,
    S_ARTICLE_TEXT,
    S_ARTICLE_QUOTES,
    S_ARTICLE_NAMES,
    S_DELETE_MENTIONS,
    S_UPDATE_QUOTE,
    S_DELETE_QUOTE,
    S_SET_VERSION,
    S_DELETE_ARTICLE,
    S_DELETE_ORPHAN,
    S_MOVE_COUNTS,
    S_PRUNE_ALIAS,
    S_ARTICLE_FTS_SRC,
    S_ARTICLE_FTS_ADD,
    S_QUOTE_FTS_SRC,
    S_QUOTE_FTS_ADD,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_FIND_HASH] = "SELECT id FROM articles WHERE content_hash = ?1",
    [S_INSERT_ARTICLE] =
        "INSERT INTO articles (title, dateline, published, source, url, author, image_credit,"
        " path, text, body_start, content_hash, ingested_at, extract_version, section)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    /* The same text again: metadata it lacked is filled in (an article
     * stored before sections existed, or loaded without --source), and a
     * path that is not relative to a load root (absolute, or with "..",
     * as loads before schema 4 stored them) gives way to one that is.
     * Nothing is written when nothing changes. */
    [S_FILL_META] =
        "UPDATE articles SET source = coalesce(source, ?2), section = coalesce(section, ?3),"
        " published = coalesce(published, ?5),"
        " path = CASE WHEN ?4 IS NOT NULL AND (path IS NULL OR path GLOB '/*'"
        " OR path GLOB '*..*') THEN ?4 ELSE path END"
        " WHERE id = ?1 AND ((source IS NULL AND ?2 IS NOT NULL) OR (published IS NULL AND ?5 IS NOT NULL)"
        " OR (section IS NULL AND ?3 IS NOT NULL) OR (?4 IS NOT NULL AND path IS NOT ?4"
        " AND (path IS NULL OR path GLOB '/*' OR path GLOB '*..*')))",
    [S_UPSERT_PERSON] =
        "INSERT INTO people (name, name_key, gender) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (name_key) DO UPDATE SET gender = coalesce(people.gender, excluded.gender)"
        " RETURNING id, name",
    [S_INSERT_ROLE] = "INSERT OR IGNORE INTO person_roles (person_id, role) VALUES (?1, ?2)",
    [S_INSERT_ALIAS] = "INSERT OR IGNORE INTO person_aliases (person_id, alias, alias_key)"
                       " VALUES (?1, ?2, qw_fold(?2))",
    [S_INSERT_MENTION] =
        "INSERT INTO mentions (article_id, person_id, start, end, text, pub_day, pub_source,"
        " pub_section) SELECT ?1, ?2, ?3, ?4, ?5, a.published, a.source, a.section"
        " FROM articles a WHERE a.id = ?1",
    [S_INSERT_QUOTE] =
        "INSERT INTO quotes (article_id, start, end, text, kind, speaker, speaker_person_id, cue,"
        " confidence, pub_day, pub_source, pub_section) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " a.published, a.source, a.section FROM articles a WHERE a.id = ?1",
    [S_ADD_COUNTS] = "UPDATE people SET article_count = article_count + ?2,"
                     " quote_count = quote_count + ?3 WHERE id = ?1",
    [S_ARTICLE_TEXT] = "SELECT text, extract_version FROM articles WHERE id = ?1",
    [S_ARTICLE_QUOTES] = "SELECT id, start, end, kind, speaker, speaker_person_id, cue, confidence"
                         " FROM quotes WHERE article_id = ?1 ORDER BY start, end, id",
    [S_ARTICLE_NAMES] = "SELECT DISTINCT person_id, text FROM mentions WHERE article_id = ?1",
    [S_DELETE_MENTIONS] = "DELETE FROM mentions WHERE article_id = ?1",
    [S_UPDATE_QUOTE] = "UPDATE quotes SET kind = ?2, speaker = ?3, speaker_person_id = ?4,"
                       " cue = ?5, confidence = ?6 WHERE id = ?1",
    [S_DELETE_QUOTE] = "DELETE FROM quotes WHERE id = ?1",
    [S_SET_VERSION] = "UPDATE articles SET extract_version = ?2 WHERE id = ?1",
    [S_DELETE_ARTICLE] = "DELETE FROM articles WHERE id = ?1",
    [S_DELETE_ORPHAN] = "DELETE FROM people WHERE id = ?1 AND article_count = 0 AND quote_count = 0",
    /* the quote and mention row counts (migration 0009) */
    [S_MOVE_COUNTS] = "UPDATE counters SET n = n + CASE name WHEN 'quotes' THEN ?1 ELSE ?2 END"
                      " WHERE name IN ('quotes', 'mentions')",
    /* An alias goes with the last mention written that way. */
    [S_PRUNE_ALIAS] = "DELETE FROM person_aliases WHERE person_id = ?1 AND alias = ?2 AND NOT EXISTS"
                      " (SELECT 1 FROM mentions WHERE person_id = ?1 AND text = ?2)",
    [S_ARTICLE_FTS_SRC] = "SELECT title, text FROM articles WHERE id = ?1",
    [S_ARTICLE_FTS_ADD] = "INSERT INTO articles_fts (rowid, title, text) VALUES (?1, ?2, ?3)",
    [S_QUOTE_FTS_SRC] = "SELECT text FROM quotes WHERE id = ?1",
    [S_QUOTE_FTS_ADD] = "INSERT INTO quotes_fts (rowid, text) VALUES (?1, ?2)",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

/* Rows added in this transaction that the full-text indexes do not have
 * yet (migration 0010).  They are indexed together before the commit, and
 * before any delete, rather than by a trigger per row: SQLite 3.40's FTS5
 * writes its pending terms to disk at every statement savepoint, and every
 * insert that fires a trigger opens one, so a trigger per row made a
 * segment per quote (a quarter of a load's time). */
struct pending {
    int64_t *id;
    size_t n, cap;
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
    struct cluster *cl;
    struct curate *cur;
    struct pending fts_articles, fts_quotes;
};

static qw_status pending_add(struct pending *p, int64_t id)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        int64_t *n = realloc(p->id, cap * sizeof *n);
        if (!n)
            return QW_ERR_NOMEM;
        p->id = n;
        p->cap = cap;
    }
    p->id[p->n++] = id;
    return QW_OK;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    cluster_free(s->cl);
    curate_free(s->cur);
    free(s->fts_articles.id);
    free(s->fts_quotes.id);
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
    qw_status rc = cluster_new(db, &s->cl);
    if (rc == QW_OK)
        rc = curate_new(db, &s->cur);
    if (rc != QW_OK) {
        store_free(s);
        return rc;
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

/* Copies each pending row's indexed columns (ncols from column 0 of src)
 * into its full-text index (add: rowid, then the columns), in this
 * transaction; a row deleted since is skipped. */
static qw_status index_pending(struct store *s, struct pending *p, int src, int add, int ncols)
{
    qw_status rc = QW_OK;
    sqlite3_stmt *from = s->st[src], *to = s->st[add];
    for (size_t i = 0; i < p->n && rc == QW_OK; i++) {
        sqlite3_bind_int64(from, 1, p->id[i]);
        int r = sqlite3_step(from);
        if (r == SQLITE_ROW) {
            sqlite3_bind_int64(to, 1, p->id[i]);
            for (int c = 0; c < ncols; c++)
                sqlite3_bind_value(to, 2 + c, sqlite3_column_value(from, c));
            rc = run(s, add);
            sqlite3_clear_bindings(to);
        } else if (r != SQLITE_DONE) {
            log_error("store: reading a row to index: %s", sqlite3_errmsg(s->db));
            rc = db_status(r);
        }
        sqlite3_reset(from);
    }
    p->n = 0;
    return rc;
}

/* Indexes the rows added so far (see struct pending). */
static qw_status index_new_rows(struct store *s)
{
    qw_status rc = index_pending(s, &s->fts_articles, S_ARTICLE_FTS_SRC, S_ARTICLE_FTS_ADD, 2);
    qw_status rq = index_pending(s, &s->fts_quotes, S_QUOTE_FTS_SRC, S_QUOTE_FTS_ADD, 1);
    return rc != QW_OK ? rc : rq;
}

qw_status store_begin(struct store *s)
{
    s->fts_articles.n = s->fts_quotes.n = 0;
    qw_status rc = run(s, S_BEGIN);
    if (rc == QW_OK && (rc = curate_refresh(s->cur)) != QW_OK)
        store_rollback(s);
    return rc;
}

sqlite3 *store_db(struct store *s)
{
    return s->db;
}

struct curate *store_curate(struct store *s)
{
    return s->cur;
}

qw_status store_commit(struct store *s)
{
    qw_status rc = index_new_rows(s);
    return rc != QW_OK ? rc : run(s, S_COMMIT);
}

void store_rollback(struct store *s)
{
    s->fts_articles.n = s->fts_quotes.n = 0;
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

static char *column_dup(sqlite3_stmt *st, int col, size_t *len)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        if (len)
            *len = 0;
        return NULL;
    }
    const char *v = (const char *)sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *p = malloc(n + 1);
    if (p) {
        if (n)
            memcpy(p, v, n);
        p[n] = '\0';
    }
    if (len)
        *len = n;
    return p;
}

static const char *gender_str(enum extract_gender g)
{
    return g == GENDER_MALE ? "male" : g == GENDER_FEMALE ? "female" : NULL;
}

/* Finds or adds the person whose folded name (fold_key: one person
 * across articles, however a text cases or accents the name) is p's.
 * *name receives the stored name (malloc'd, the caller frees it): the name
 * of the person stored first under that key, which may be written
 * otherwise than p->name. */
static qw_status upsert_person(struct store *s, const struct extract_person *p, int64_t *id,
                               char **name)
{
    char *key = NULL;
    size_t klen = 0;
    *name = NULL;
    if (fold_key(p->name, strlen(p->name), &key, &klen) != QW_OK)
        return QW_ERR_NOMEM;
    sqlite3_stmt *st = s->st[S_UPSERT_PERSON];
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, (int)klen, SQLITE_STATIC);
    bind_text(st, 3, gender_str(p->gender));
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc == SQLITE_ROW) {
        *name = column_dup(st, 1, NULL);
        rc = sqlite3_step(st); /* RETURNING: finish the statement */
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(key);
    if (rc != SQLITE_DONE || !*id) {
        log_error("store: upsert person: %s", sqlite3_errmsg(s->db));
        free(*name);
        *name = NULL;
        return db_status(rc) ? db_status(rc) : QW_ERR_DB;
    }
    if (!*name)
        return QW_ERR_NOMEM;
    return QW_OK;
}

static int same_text(const char *a, size_t alen, const char *b)
{
    return b && strlen(b) == alen && memcmp(a, b, alen) == 0;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- one article's extraction: what is stored, what is written ----
 *
 * Writing, replacing and deleting an article's extraction all go through
 * the same steps: read what the article has (old), write what it gets
 * (new), then settle the people both touch.  Counts move by the
 * difference, so they are kept without recounting a person's other
 * articles. */

/* A person the article's old or new extraction touches.  An article counts
 * for a person when it has a mention or a quote of theirs. */
struct touch {
    int64_t person;
    int64_t quotes_old, quotes_new;
    int counted_old, counted_new;
};

/* A stored quote of the article, for matching the new ones by span. */
struct old_quote {
    int64_t id;
    int64_t speaker_person; /* 0: none */
    size_t start, end;
    char *kind, *speaker, *cue;
    double confidence;
    int matched;
};

/* A stored (person, mention text) pair: the aliases the article vouches
 * for.  kept: the new extraction writes it again. */
struct old_name {
    int64_t person;
    char *text;
    size_t len;
    int kept;
};

struct change {
    struct touch *t;
    size_t nt, capt;
    struct old_quote *q;
    size_t nq;
    struct old_name *m;
    size_t nm;
};

static void change_free(struct change *c)
{
    for (size_t i = 0; i < c->nq; i++) {
        free(c->q[i].kind);
        free(c->q[i].speaker);
        free(c->q[i].cue);
    }
    for (size_t i = 0; i < c->nm; i++)
        free(c->m[i].text);
    free(c->t);
    free(c->q);
    free(c->m);
    memset(c, 0, sizeof *c);
}

/* The touch of person, added if new; NULL when out of memory. */
static struct touch *touch(struct change *c, int64_t person)
{
    for (size_t i = 0; i < c->nt; i++)
        if (c->t[i].person == person)
            return &c->t[i];
    if (c->nt == c->capt) {
        size_t ncap = c->capt ? c->capt * 2 : 16;
        struct touch *nt = realloc(c->t, ncap * sizeof *nt);
        if (!nt)
            return NULL;
        c->t = nt;
        c->capt = ncap;
    }
    struct touch *t = &c->t[c->nt++];
    memset(t, 0, sizeof *t);
    t->person = person;
    return t;
}

/* Steps statement which on aid, handing each row to row(), then resets it. */
static qw_status read_rows(struct store *s, int which, int64_t aid, struct change *c,
                           qw_status (*row)(struct change *c, sqlite3_stmt *st, size_t *cap))
{
    sqlite3_stmt *st = s->st[which];
    size_t cap = 0;
    qw_status rc = QW_OK;
    int r;
    sqlite3_bind_int64(st, 1, aid);
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = row(c, st, &cap)) != QW_OK)
            break;
    sqlite3_reset(st);
    if (rc == QW_OK && r != SQLITE_DONE) {
        log_error("store: statement %d: %s", which, sqlite3_errmsg(s->db));
        rc = db_status(r) ? db_status(r) : QW_ERR_DB;
    }
    return rc;
}

static qw_status quote_row(struct change *c, sqlite3_stmt *st, size_t *cap)
{
    if (c->nq == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct old_quote *nq = realloc(c->q, ncap * sizeof *nq);
        if (!nq)
            return QW_ERR_NOMEM;
        c->q = nq;
        *cap = ncap;
    }
    struct old_quote *q = &c->q[c->nq++];
    memset(q, 0, sizeof *q);
    q->id = sqlite3_column_int64(st, 0);
    q->start = (size_t)sqlite3_column_int64(st, 1);
    q->end = (size_t)sqlite3_column_int64(st, 2);
    q->speaker_person = sqlite3_column_int64(st, 5);
    q->confidence = sqlite3_column_double(st, 7);
    q->kind = column_dup(st, 3, NULL);
    q->speaker = column_dup(st, 4, NULL);
    q->cue = column_dup(st, 6, NULL);
    if (!q->kind || (!q->speaker && sqlite3_column_type(st, 4) != SQLITE_NULL) ||
        (!q->cue && sqlite3_column_type(st, 6) != SQLITE_NULL))
        return QW_ERR_NOMEM;
    if (q->speaker_person) {
        struct touch *t = touch(c, q->speaker_person);
        if (!t)
            return QW_ERR_NOMEM;
        t->quotes_old++;
        t->counted_old = 1;
    }
    return QW_OK;
}

static qw_status name_row(struct change *c, sqlite3_stmt *st, size_t *cap)
{
    if (c->nm == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct old_name *nm = realloc(c->m, ncap * sizeof *nm);
        if (!nm)
            return QW_ERR_NOMEM;
        c->m = nm;
        *cap = ncap;
    }
    struct old_name *m = &c->m[c->nm];
    m->person = sqlite3_column_int64(st, 0);
    m->kept = 0;
    if (!(m->text = column_dup(st, 1, &m->len)))
        return QW_ERR_NOMEM;
    c->nm++;
    struct touch *t = touch(c, m->person);
    if (!t)
        return QW_ERR_NOMEM;
    t->counted_old = 1;
    return QW_OK;
}

/* Reads what article aid has stored: its quotes and mention names. */
static qw_status read_old(struct store *s, int64_t aid, struct change *c)
{
    qw_status rc = read_rows(s, S_ARTICLE_QUOTES, aid, c, quote_row);
    if (rc == QW_OK)
        rc = read_rows(s, S_ARTICLE_NAMES, aid, c, name_row);
    return rc;
}

/* The first unmatched old quote at exactly [start, end), or NULL; old
 * quotes are sorted by (start, end). */
static struct old_quote *find_old_quote(struct change *c, size_t start, size_t end)
{
    size_t lo = 0, hi = c->nq;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct old_quote *q = &c->q[mid];
        if (q->start < start || (q->start == start && q->end < end))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->nq && c->q[lo].start == start && c->q[lo].end == end; lo++)
        if (!c->q[lo].matched)
            return &c->q[lo];
    return NULL;
}

/* Moves the kept row counts of quotes and mentions by dq and dm. */
static qw_status move_counts(struct store *s, int64_t dq, int64_t dm)
{
    if (!dq && !dm)
        return QW_OK;
    sqlite3_bind_int64(s->st[S_MOVE_COUNTS], 1, dq);
    sqlite3_bind_int64(s->st[S_MOVE_COUNTS], 2, dm);
    return run(s, S_MOVE_COUNTS);
}

/* The most quotes and mentions one article stores, in text order.  News
 * has tens of each (1 MB of BBC articles: 1,800 quotes); a text with tens of
 * thousands (a quote every few words) is not news, and a row costs about
 * 30 microseconds with its indexes: 45,000 quotes held the writer for 1.5 s.
 * The text itself is stored whole and searchable. */
#define STORE_MAX_QUOTES 2000
#define STORE_MAX_MENTIONS 5000

static qw_status write_mentions(struct store *s, int64_t aid, const char *text, size_t len,
                                const struct extract_person *p, int64_t pid, const char *name,
                                struct change *c, struct touch *t, struct store_diff *d)
{
    qw_status rc;
    for (size_t m = 0; m < p->nmentions && d->mentions_after < STORE_MAX_MENTIONS; m++) {
        size_t ms = p->mentions[m].start, me = p->mentions[m].end;
        if (ms >= me || me > len)
            continue;
        sqlite3_stmt *mst = s->st[S_INSERT_MENTION];
        sqlite3_bind_int64(mst, 1, aid);
        sqlite3_bind_int64(mst, 2, pid);
        sqlite3_bind_int64(mst, 3, (sqlite3_int64)ms);
        sqlite3_bind_int64(mst, 4, (sqlite3_int64)me);
        sqlite3_bind_text(mst, 5, text + ms, (int)(me - ms), SQLITE_STATIC);
        if ((rc = run(s, S_INSERT_MENTION)) != QW_OK)
            return rc;
        d->mentions_after++;
        t->counted_new = 1;
        for (size_t k = 0; k < c->nm; k++)
            if (c->m[k].person == pid && c->m[k].len == me - ms &&
                memcmp(c->m[k].text, text + ms, me - ms) == 0)
                c->m[k].kept = 1;
        /* A mention written otherwise than the stored full name
         * ("Blinken", or "Jose Alvarez" for "José Álvarez") is an alias
         * the API can filter by. */
        if (!same_text(text + ms, me - ms, name)) {
            sqlite3_stmt *ast = s->st[S_INSERT_ALIAS];
            sqlite3_bind_int64(ast, 1, pid);
            sqlite3_bind_text(ast, 2, text + ms, (int)(me - ms), SQLITE_STATIC);
            if ((rc = run(s, S_INSERT_ALIAS)) != QW_OK)
                return rc;
        }
    }
    return QW_OK;
}

static void bind_quote_fields(sqlite3_stmt *st, int first, const char *kind, const char *speaker,
                              int64_t speaker_person, const char *cue, double confidence)
{
    sqlite3_bind_text(st, first, kind, -1, SQLITE_STATIC);
    bind_text(st, first + 1, speaker);
    if (speaker_person)
        sqlite3_bind_int64(st, first + 2, speaker_person);
    else
        sqlite3_bind_null(st, first + 2);
    bind_text(st, first + 3, cue);
    sqlite3_bind_double(st, first + 4, confidence);
}

/* Writes quote q of text: updates the old quote at its span if there is
 * one (keeping its id), else inserts it. */
static qw_status write_quote(struct store *s, int64_t aid, const char *text,
                             const struct extract_quote *q, const char *speaker,
                             int64_t speaker_person, struct change *c, struct store_diff *d)
{
    const char *kind = extract_quote_kind_str(q->kind);
    struct old_quote *o = find_old_quote(c, q->start, q->end);
    sqlite3_stmt *st;
    qw_status rc;
    d->quotes_after++;
    if (o) {
        o->matched = 1;
        int speaker_same = o->speaker_person == speaker_person && same_str(o->speaker, speaker);
        if (speaker_same && same_str(o->kind, kind) && same_str(o->cue, q->cue) &&
            o->confidence == q->confidence)
            return QW_OK;
        if (!speaker_same)
            d->speakers_changed++;
        else
            d->quotes_updated++;
        st = s->st[S_UPDATE_QUOTE];
        sqlite3_bind_int64(st, 1, o->id);
        bind_quote_fields(st, 2, kind, speaker, speaker_person, q->cue, q->confidence);
        rc = run(s, S_UPDATE_QUOTE);
        sqlite3_clear_bindings(st);
        return rc;
    }
    d->quotes_added++;
    st = s->st[S_INSERT_QUOTE];
    sqlite3_bind_int64(st, 1, aid);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)q->start);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)q->end);
    sqlite3_bind_text(st, 4, text + q->start, (int)(q->end - q->start), SQLITE_STATIC);
    bind_quote_fields(st, 5, kind, speaker, speaker_person, q->cue, q->confidence);
    rc = run(s, S_INSERT_QUOTE);
    sqlite3_clear_bindings(st);
    int64_t qid = sqlite3_last_insert_rowid(s->db);
    if (rc == QW_OK)
        rc = pending_add(&s->fts_quotes, qid);
    if (rc == QW_OK)
        rc = cluster_assign(s->cl, qid, text + q->start, q->end - q->start);
    return rc;
}

/* Writes extraction x of text[0..len) for article aid: people (by
 * canonical name), roles, mentions, aliases, quotes. */
static qw_status write_new(struct store *s, int64_t aid, const char *text, size_t len,
                           const struct extract_result *x, struct change *c, struct store_diff *d)
{
    size_t np = x ? x->npeople : 0, nq = x ? x->nquotes : 0;
    qw_status rc = QW_OK;
    int64_t *pid = calloc(np + 1, sizeof *pid);
    if (!pid)
        return QW_ERR_NOMEM;
    for (size_t i = 0; i < np; i++) {
        const struct extract_person *p = &x->people[i];
        if (!p->name || !*p->name)
            continue;
        char *name = NULL;
        if ((rc = upsert_person(s, p, &pid[i], &name)) != QW_OK)
            goto out;
        /* Touched even without a mention, so that a person the text
         * ends up giving nothing is not left behind. */
        struct touch *t = touch(c, pid[i]);
        if (!t)
            rc = QW_ERR_NOMEM;
        for (size_t r = 0; rc == QW_OK && r < p->nroles; r++) {
            sqlite3_bind_int64(s->st[S_INSERT_ROLE], 1, pid[i]);
            sqlite3_bind_text(s->st[S_INSERT_ROLE], 2, p->roles[r], -1, SQLITE_STATIC);
            rc = run(s, S_INSERT_ROLE);
        }
        if (rc == QW_OK)
            rc = write_mentions(s, aid, text, len, p, pid[i], name, c, t, d);
        free(name);
        if (rc != QW_OK)
            goto out;
    }
    for (size_t i = 0; i < nq && d->quotes_after < STORE_MAX_QUOTES; i++) {
        const struct extract_quote *q = &x->quotes[i];
        if (q->start >= q->end || q->end > len)
            continue;
        int sp = q->speaker_person >= 0 && (size_t)q->speaker_person < np && pid[q->speaker_person]
                     ? q->speaker_person
                     : -1;
        int64_t spid = sp >= 0 ? pid[sp] : 0;
        if ((rc = write_quote(s, aid, text, q, sp >= 0 ? x->people[sp].name : q->speaker, spid, c,
                              d)) != QW_OK)
            goto out;
        if (spid) {
            struct touch *t = touch(c, spid);
            if (!t) {
                rc = QW_ERR_NOMEM;
                goto out;
            }
            t->quotes_new++;
            t->counted_new = 1;
        }
    }
out:
    free(pid);
    return rc;
}

/* Deletes the old quotes no new quote matched. */
static qw_status drop_unmatched(struct store *s, struct change *c, struct store_diff *d)
{
    qw_status rc = QW_OK;
    size_t unmatched = 0;
    for (size_t i = 0; i < c->nq; i++)
        unmatched += !c->q[i].matched;
    /* the rows added before the first delete, as for articles */
    if (unmatched && (rc = index_new_rows(s)) != QW_OK)
        return rc;
    for (size_t i = 0; i < c->nq; i++) {
        if (c->q[i].matched)
            continue;
        sqlite3_bind_int64(s->st[S_DELETE_QUOTE], 1, c->q[i].id);
        if ((rc = run(s, S_DELETE_QUOTE)) != QW_OK)
            return rc;
        d->quotes_removed++;
    }
    return QW_OK;
}

/* Moves every touched person's counts by the difference between old and
 * new, drops the aliases only the old mentions used, and deletes the
 * people left with nothing. */
static qw_status settle(struct store *s, struct change *c, struct store_diff *d)
{
    qw_status rc;
    for (size_t i = 0; i < c->nt; i++) {
        const struct touch *t = &c->t[i];
        int64_t da = t->counted_new - t->counted_old, dq = t->quotes_new - t->quotes_old;
        if (!da && !dq)
            continue;
        sqlite3_bind_int64(s->st[S_ADD_COUNTS], 1, t->person);
        sqlite3_bind_int64(s->st[S_ADD_COUNTS], 2, da);
        sqlite3_bind_int64(s->st[S_ADD_COUNTS], 3, dq);
        if ((rc = run(s, S_ADD_COUNTS)) != QW_OK)
            return rc;
    }
    for (size_t i = 0; i < c->nm; i++) {
        if (c->m[i].kept)
            continue;
        sqlite3_stmt *st = s->st[S_PRUNE_ALIAS];
        sqlite3_bind_int64(st, 1, c->m[i].person);
        sqlite3_bind_text(st, 2, c->m[i].text, (int)c->m[i].len, SQLITE_STATIC);
        if ((rc = run(s, S_PRUNE_ALIAS)) != QW_OK)
            return rc;
    }
    for (size_t i = 0; i < c->nt; i++) {
        if (c->t[i].counted_new)
            continue;
        sqlite3_bind_int64(s->st[S_DELETE_ORPHAN], 1, c->t[i].person);
        if ((rc = run(s, S_DELETE_ORPHAN)) != QW_OK)
            return rc;
        d->people_removed += sqlite3_changes(s->db);
    }
    return QW_OK;
}

qw_status store_article(struct store *s, const struct article *a, const char *path,
                        const struct extract_result *x, int64_t *id, int *created)
{
    char hex[HASH_HEX_LEN + 1], now[32];
    struct change c;
    struct store_diff d;
    qw_status rc;
    *created = 0;
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    hash_sha256_hex(a->text, a->len, hex);
    if ((rc = find_hash(s, hex, id)) != QW_OK)
        return rc;
    if (*id) {
        sqlite3_stmt *fm = s->st[S_FILL_META];
        sqlite3_bind_int64(fm, 1, *id);
        bind_text(fm, 2, a->source);
        bind_text(fm, 3, a->section);
        bind_text(fm, 4, path);
        bind_text(fm, 5, a->published);
        rc = run(s, S_FILL_META);
        sqlite3_clear_bindings(fm);
        return rc;
    }

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
    sqlite3_bind_int(st, 13, extract_version());
    bind_text(st, 14, a->section);
    rc = run(s, S_INSERT_ARTICLE);
    sqlite3_clear_bindings(st);
    if (rc != QW_OK)
        return rc;
    int64_t aid = sqlite3_last_insert_rowid(s->db);
    struct curate_plan plan;
    struct extract_result none;
    memset(&none, 0, sizeof none);
    if ((rc = curate_plan(s->cur, hex, x ? x : &none, &plan)) == QW_OK &&
        (rc = pending_add(&s->fts_articles, aid)) == QW_OK &&
        (rc = write_new(s, aid, a->text, a->len, &plan.x, &c, &d)) == QW_OK &&
        (rc = settle(s, &c, &d)) == QW_OK &&
        (rc = move_counts(s, d.quotes_added, d.mentions_after)) == QW_OK &&
        (rc = curate_finish(s->cur, aid, &plan, NULL)) == QW_OK) {
        *id = aid;
        *created = 1;
    }
    curate_plan_free(&plan);
    change_free(&c);
    return rc;
}

qw_status store_delete_article(struct store *s, int64_t id)
{
    struct change c;
    struct store_diff d;
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    /* rows added earlier in this transaction are indexed first: the delete
     * triggers take rows out of the indexes, which must have them */
    qw_status rc = index_new_rows(s);
    if (rc == QW_OK)
        rc = read_old(s, id, &c);
    if (rc != QW_OK)
        goto out;
    /* the mentions first, to count them; the quotes (all of them in c)
     * go with the article (ON DELETE CASCADE) */
    sqlite3_bind_int64(s->st[S_DELETE_MENTIONS], 1, id);
    if ((rc = run(s, S_DELETE_MENTIONS)) != QW_OK)
        goto out;
    int64_t mentions = sqlite3_changes(s->db);
    sqlite3_bind_int64(s->st[S_DELETE_ARTICLE], 1, id);
    if ((rc = run(s, S_DELETE_ARTICLE)) != QW_OK)
        goto out;
    if (sqlite3_changes(s->db) == 0) {
        rc = QW_ERR_NOT_FOUND;
        goto out;
    }
    if ((rc = settle(s, &c, &d)) == QW_OK)
        rc = move_counts(s, -(int64_t)c.nq, -mentions);
out:
    change_free(&c);
    return rc;
}

qw_status store_article_text(struct store *s, int64_t id, char **text, size_t *len, int *version)
{
    sqlite3_stmt *st = s->st[S_ARTICLE_TEXT];
    qw_status rc = QW_OK;
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        if (version)
            *version = sqlite3_column_int(st, 1);
        if (text && !(*text = column_dup(st, 0, len)))
            rc = QW_ERR_NOMEM;
    } else if (r == SQLITE_DONE) {
        rc = QW_ERR_NOT_FOUND;
    } else {
        log_error("store: article text: %s", sqlite3_errmsg(s->db));
        rc = db_status(r) ? db_status(r) : QW_ERR_DB;
    }
    sqlite3_reset(st);
    return rc;
}

qw_status store_reextract(struct store *s, int64_t id, const char *text, size_t len,
                          const struct extract_result *x, struct store_diff *diff)
{
    struct change c;
    struct store_diff d;
    struct curate_plan plan;
    char *stored = NULL;
    size_t stored_len = 0;
    memset(&plan, 0, sizeof plan);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    qw_status rc = store_article_text(s, id, &stored, &stored_len, NULL);
    if (rc != QW_OK)
        goto out;
    if (!stored || stored_len != len || (len && memcmp(stored, text, len) != 0)) {
        rc = QW_ERR_NOT_FOUND;
        goto out;
    }
    if ((rc = read_old(s, id, &c)) != QW_OK)
        goto out;
    d.quotes_before = (int64_t)c.nq;
    sqlite3_bind_int64(s->st[S_DELETE_MENTIONS], 1, id);
    if ((rc = run(s, S_DELETE_MENTIONS)) != QW_OK)
        goto out;
    d.mentions_before = sqlite3_changes(s->db);
    char hex[HASH_HEX_LEN + 1];
    hash_sha256_hex(text, len, hex);
    struct extract_result none;
    memset(&none, 0, sizeof none);
    if ((rc = curate_plan(s->cur, hex, x ? x : &none, &plan)) != QW_OK ||
        (rc = write_new(s, id, text, len, &plan.x, &c, &d)) != QW_OK ||
        (rc = drop_unmatched(s, &c, &d)) != QW_OK || (rc = settle(s, &c, &d)) != QW_OK ||
        (rc = move_counts(s, d.quotes_added - d.quotes_removed,
                          d.mentions_after - d.mentions_before)) != QW_OK ||
        (rc = curate_finish(s->cur, id, &plan, &d.corrections_orphaned)) != QW_OK)
        goto out;
    sqlite3_bind_int64(s->st[S_SET_VERSION], 1, id);
    sqlite3_bind_int(s->st[S_SET_VERSION], 2, extract_version());
    rc = run(s, S_SET_VERSION);
out:
    if (rc == QW_OK && diff)
        *diff = d;
    free(stored);
    curate_plan_free(&plan);
    change_free(&c);
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
