/* Corrections over HTTP: PATCH /quotes/{id}, PATCH /people/{id},
 * POST /people/{id}/merge (writes: the dispatcher checked the key) and
 * GET /corrections, the audit trail. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corrections.h"
#include "extract.h"
#include "handlers.h"
#include "log.h"
#include "reextract.h"

/* The request's body as a JSON object, or NULL after a 413, 415, 400 or
 * 422 problem. */
static json_t *body_object(struct call *c)
{
    if (api_body_too_large(c))
        return NULL;
    if (api_media_type(c->req->content_type) != 2) {
        api_problem(c, 415, "unsupported-media-type", NULL, "Send application/json.", NULL,
                    NULL);
        return NULL;
    }
    return api_json_object(c);
}

__attribute__((format(printf, 3, 4))) static int invalid(struct call *c, const char *field,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char detail[QW_ERRLEN];
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    api_problem(c, 422, "unprocessable", NULL, detail, NULL, field);
    return -1;
}

/* A name or a free-text speaker: a string of 1 to 200 bytes, not blank,
 * without control characters.  Returns 0, or -1 after a 422. */
static int check_text(struct call *c, const char *field, json_t *v)
{
    if (!json_is_string(v))
        return invalid(c, field, "Field '%s' must be a string.", field);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return invalid(c, field, "Field '%s' must not hold control characters.", field);
        letters |= ch != ' ';
    }
    if (!letters || n > 200)
        return invalid(c, field, "Field '%s' must be 1 to 200 bytes and not blank.", field);
    if (s[0] == ' ' || s[n - 1] == ' ')
        return invalid(c, field, "Field '%s' must not start or end with a space.", field);
    return 0;
}

/* The problem for a failed correction: err says what, for the statuses
 * that are the client's. */
static void edit_fail(struct call *c, qw_status st, const char *err, const char *field)
{
    switch (st) {
    case QW_ERR_NOT_FOUND: api_problem(c, 404, "not-found", NULL, err, NULL, NULL); break;
    case QW_ERR_INVALID: api_problem(c, 422, "unprocessable", NULL, err, NULL, field); break;
    case QW_ERR_CONFLICT: api_problem(c, 409, "conflict", NULL, err, NULL, field); break;
    default: api_fail(c, st); break;
    }
}

static void respond_item(struct call *c, int64_t id, api_item_query fetch, const char *status)
{
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    json_t *o = NULL;
    qw_status st = fetch(qc, id, &o);
    if (st != QW_OK) {
        api_fail(c, st == QW_ERR_NOT_FOUND ? QW_ERR_BUSY : st);
        return;
    }
    if (status)
        json_object_set_new(o, "status", json_string(status));
    api_json(c, 200, o);
    c->res->cacheable = 0;
}

/* The quote at start..end of article aid, by the write connection. */
static qw_status quote_at(sqlite3 *db, int64_t aid, int64_t start, int64_t end, int64_t *id)
{
    sqlite3_stmt *s = NULL;
    *id = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT id FROM quotes WHERE article_id = ?1 AND start = ?2"
                                    " AND end = ?3", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, aid);
        sqlite3_bind_int64(s, 2, start);
        sqlite3_bind_int64(s, 3, end);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            *id = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QW_OK : QW_ERR_DB;
}

/* Runs op(store, arg) in a write transaction of its own, committed when
 * it succeeds and rolled back (nothing changed) when it does not. */
static qw_status write_tx(struct call *c, qw_status (*op)(struct store *, void *), void *arg)
{
    struct api *api = c->api;
    pthread_mutex_lock(&api->write_lock);
    qw_status st = store_begin(api->store);
    if (st == QW_OK) {
        st = op(api->store, arg);
        if (st == QW_OK)
            st = store_commit(api->store);
        if (st != QW_OK)
            store_rollback(api->store);
    }
    pthread_mutex_unlock(&api->write_lock);
    return st;
}

struct quote_op {
    int64_t id;
    const struct corr_quote *e;
    const char *actor;
    int64_t aid, start, end, qid;
    char err[QW_ERRLEN];
};

/* The edit, the article written again with it, and the quote found at its
 * span (none when it was rejected). */
static qw_status quote_edit(struct store *st, void *arg)
{
    struct quote_op *q = arg;
    qw_status rc = corrections_quote(st, q->id, q->e, q->actor, &q->aid, &q->start, &q->end, q->err);
    if (rc == QW_OK)
        rc = reextract_article(st, q->aid, NULL);
    if (rc == QW_OK)
        rc = quote_at(store_db(st), q->aid, q->start, q->end, &q->qid);
    if (rc == QW_OK && !q->qid && !(q->e->status && strcmp(q->e->status, "rejected") == 0)) {
        snprintf(q->err, sizeof q->err,
                 "This program's extractor no longer finds the quote in its article; run "
                 "quotewire reextract, then correct what it finds.");
        rc = QW_ERR_CONFLICT;
    }
    return rc;
}

struct person_op {
    int64_t id, into;
    const char *name, *gender, *actor;
    char err[QW_ERRLEN];
};

static qw_status person_edit(struct store *st, void *arg)
{
    struct person_op *p = arg;
    return corrections_person(st, p->id, p->name, p->gender, p->actor, p->err);
}

static qw_status person_merge(struct store *st, void *arg)
{
    struct person_op *p = arg;
    return corrections_merge(st, p->id, p->into, p->actor, p->err);
}

void api_quote_patch(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    json_t *o = body_object(c);
    if (!o)
        return;
    struct corr_quote e;
    memset(&e, 0, sizeof e);
    int has_person = 0, has_text = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "speaker_person_id") == 0) {
            e.set_speaker = 1;
            if (json_is_integer(v) && json_integer_value(v) > 0) {
                e.speaker_person_id = json_integer_value(v);
                has_person = 1;
            } else if (!json_is_null(v)) {
                invalid(c, key, "Field '%s' must be a person id (a positive integer) or null.",
                        key);
                goto out;
            }
        } else if (strcmp(key, "speaker") == 0) {
            e.set_speaker = 1;
            if (!json_is_null(v)) {
                if (check_text(c, key, v) != 0)
                    goto out;
                e.speaker = json_string_value(v);
                has_text = 1;
            }
        } else if (strcmp(key, "kind") == 0) {
            const char *s = json_string_value(v);
            if (!s || (strcmp(s, "direct") != 0 && strcmp(s, "partial") != 0)) {
                invalid(c, key, "Field '%s' must be \"direct\" or \"partial\".", key);
                goto out;
            }
            e.kind = s;
        } else if (strcmp(key, "status") == 0) {
            const char *s = json_string_value(v);
            if (!s || (strcmp(s, "accepted") != 0 && strcmp(s, "rejected") != 0)) {
                invalid(c, key, "Field '%s' must be \"accepted\" or \"rejected\".", key);
                goto out;
            }
            e.status = s;
        } else {
            invalid(c, key, "Unknown field '%.60s': a quote takes speaker_person_id, speaker, "
                            "kind and status.", key);
            goto out;
        }
    }
    if (has_person && has_text) {
        invalid(c, "speaker",
                "Give speaker_person_id (a person) or speaker (free text, no person), not %s.",
                "both");
        goto out;
    }
    if (!e.set_speaker && !e.kind && !e.status) {
        invalid(c, NULL, "Nothing to change: give %s.", "speaker_person_id, speaker, kind or status");
        goto out;
    }
    /* a rejected quote is answered as it was, with its new status */
    json_t *before = NULL;
    if (e.status && strcmp(e.status, "rejected") == 0) {
        struct qconn *qc = api_conn(c);
        if (!qc)
            goto out;
        qw_status st = query_quote(qc, c->m.id, &before);
        if (st != QW_OK && st != QW_ERR_NOT_FOUND) {
            api_fail(c, st);
            goto out;
        }
    }
    struct quote_op op = {.id = c->m.id, .e = &e, .actor = c->actor,
                          .err = "The change cannot be made."};
    qw_status st = write_tx(c, quote_edit, &op);
    if (st != QW_OK) {
        json_decref(before);
        edit_fail(c, st, op.err, NULL);
        goto out;
    }
    int64_t aid = op.aid, start = op.start, end = op.end, qid = op.qid;
    if (!qid) {
        if (!before) { /* rejected again: already gone */
            before = json_pack("{s:I,s:I,s:I,s:I}", "id", (json_int_t)c->m.id, "article_id",
                               (json_int_t)aid, "start", (json_int_t)start, "end",
                               (json_int_t)end);
            if (!before) {
                api_fail(c, QW_ERR_NOMEM);
                goto out;
            }
        }
        json_object_set_new(before, "status", json_string("rejected"));
        json_object_set_new(before, "curated", json_true());
        api_json(c, 200, before);
        c->res->cacheable = 0;
        goto out;
    }
    json_decref(before);
    respond_item(c, qid, query_quote, "accepted");
out:
    json_decref(o);
}

void api_person_patch(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    json_t *o = body_object(c);
    if (!o)
        return;
    const char *name = NULL, *gender = NULL, *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "name") == 0) {
            if (check_text(c, key, v) != 0)
                goto out;
            name = json_string_value(v);
        } else if (strcmp(key, "gender") == 0) {
            const char *s = json_string_value(v);
            if (json_is_null(v))
                gender = "unknown";
            else if (s && (strcmp(s, "male") == 0 || strcmp(s, "female") == 0 ||
                           strcmp(s, "unknown") == 0))
                gender = s;
            else {
                invalid(c, key, "Field '%s' must be \"male\", \"female\", \"unknown\" or null.",
                        key);
                goto out;
            }
        } else {
            invalid(c, key, "Unknown field '%.60s': a person takes name and gender.", key);
            goto out;
        }
    }
    if (!name && !gender) {
        invalid(c, NULL, "Nothing to change: give %s.", "name or gender");
        goto out;
    }
    struct person_op op = {.id = c->m.id, .name = name, .gender = gender, .actor = c->actor,
                           .err = "The change cannot be made."};
    qw_status st = write_tx(c, person_edit, &op);
    if (st != QW_OK) {
        edit_fail(c, st, op.err, st == QW_ERR_CONFLICT ? "name" : NULL);
        goto out;
    }
    respond_item(c, c->m.id, query_person, NULL);
out:
    json_decref(o);
}

void api_person_merge(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    json_t *o = body_object(c);
    if (!o)
        return;
    int64_t into = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "into") == 0 && json_is_integer(v) && json_integer_value(v) > 0) {
            into = json_integer_value(v);
        } else if (strcmp(key, "into") == 0) {
            invalid(c, key, "Field '%s' must be a person id (a positive integer).", key);
            goto out;
        } else {
            invalid(c, key, "Unknown field '%.60s': a merge takes into.", key);
            goto out;
        }
    }
    if (!into) {
        invalid(c, "into", "Field '%s' is required: the id of the person to merge into.", "into");
        goto out;
    }
    struct person_op op = {.id = c->m.id, .into = into, .actor = c->actor,
                           .err = "The merge cannot be made."};
    qw_status st = write_tx(c, person_merge, &op);
    if (st != QW_OK) {
        edit_fail(c, st, op.err, st == QW_ERR_INVALID ? "into" : NULL);
        goto out;
    }
    respond_item(c, into, query_person, NULL);
out:
    json_decref(o);
}

void api_corrections_list(struct call *c)
{
    struct args a;
    if (api_args(c, P_PAGE | P_SINCE | P_UNTIL | P_SORT | P_TARGET | P_ACTOR | P_ORPHANED, &a) !=
        0)
        return;
    if (a.limit_all) {
        api_bad_param(c, "limit", "Parameter 'limit' must be 1 to 1000 here.");
        return;
    }
    enum cursor_sort sort;
    if (!a.sort || api_sort_is(&a, "id"))
        sort = SORT_ID;
    else if (api_sort_is(&a, "-id"))
        sort = SORT_ID_DESC;
    else {
        api_bad_param(c, "sort", "Parameter 'sort' must be id or -id.");
        return;
    }
    struct cursor cur, next;
    struct query_corrections f = {.target = a.target, .actor = a.actor, .actor_len = a.actor_len,
                                  .since = a.since[0] ? a.since : NULL,
                                  .until = a.until[0] ? a.until : NULL,
                                  .orphaned = (a.seen & P_ORPHANED) ? a.orphaned : -1,
                                  .desc = sort == SORT_ID_DESC, .limit = a.limit};
    if (api_cursor(c, &a, CUR_CORRECTIONS, sort, &cur, &f.after) != 0)
        return;
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    json_t *items = json_array();
    int has_next = 0;
    qw_status st = items ? query_corrections(qc, &f, items, &next, &has_next) : QW_ERR_NOMEM;
    if (st != QW_OK) {
        json_decref(items);
        api_fail(c, st);
        return;
    }
    api_list(c, items, has_next, &next, &a, CSV_CORRECTIONS, NULL);
}
