/* /articles, /articles/{id}, /people/{id}/articles; POST and DELETE. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"
#include "handlers.h"
#include "ingest.h"
#include "log.h"
#include "utf8.h"

void api_articles_list(struct call *c)
{
    int scoped = c->m.route == ROUTE_PERSON_ARTICLES;
    unsigned allowed = P_PAGE | P_Q | P_SOURCE | P_SECTION | P_SINCE | P_UNTIL | P_SORT |
                       P_GENDER | P_TOTALS | (scoped ? P_WITH : P_PERSON);
    struct args a;
    if (api_args(c, allowed, &a) != 0)
        return;
    enum cursor_sort sort;
    if (!a.sort)
        sort = a.q ? SORT_RANK : SORT_ID;
    else if (api_sort_is(&a, "id"))
        sort = SORT_ID;
    else if (api_sort_is(&a, "-id"))
        sort = SORT_ID_DESC;
    else if (api_sort_is(&a, "published"))
        sort = SORT_PUBLISHED;
    else if (api_sort_is(&a, "-published"))
        sort = SORT_PUBLISHED_DESC;
    else if (api_sort_is(&a, "rank") && a.q)
        sort = SORT_RANK;
    else {
        api_bad_param(c, "sort", "Parameter 'sort' must be one of id, -id, published, "
                                 "-published (or rank with q).");
        return;
    }
    struct strbuf fts = STRBUF_INIT;
    struct cursor cur;
    struct query_list q = {.list = CUR_ARTICLES, .sort = sort, .limit = a.limit};
    if (api_search(c, &a, &fts, &q) != 0)
        goto out;
    if (api_cursor(c, &a, CUR_ARTICLES, sort, &cur, &q.after) != 0)
        goto out;
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    qw_status st;
    if (scoped) {
        st = query_person_exists(qc, c->m.id);
        if (st != QW_OK) {
            api_fail(c, st);
            goto out;
        }
        q.person_mode = QP_ID;
        q.person_id = c->m.id;
    } else {
        q.person_mode = a.pmode;
        q.person_id = a.person_id;
        q.person = a.person;
        q.person_len = a.person_len;
    }
    q.source = a.source;
    q.source_len = a.source_len;
    q.section = a.section;
    q.section_len = a.section_len;
    q.since = a.since[0] ? a.since : NULL;
    q.until = a.until[0] ? a.until : NULL;
    q.gender = a.gender;
    q.with_id = a.with_id;
    api_list_run(c, qc, query_articles, &q, &a, CSV_ARTICLES);
out:
    strbuf_free(&fts);
}

void api_article_get(struct call *c)
{
    api_item(c, query_article_text);
}

/* Media type of a Content-Type value, and whether its charset (if any) is
 * UTF-8.  Returns 1 for text/plain, 2 for application/json, 0 otherwise. */
int api_media_type(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, ";");
    size_t t = n;
    while (t && (ct[t - 1] == ' ' || ct[t - 1] == '\t'))
        t--;
    int kind = 0;
    if (t == 10 && strncasecmp(ct, "text/plain", 10) == 0)
        kind = 1;
    else if (t == 16 && strncasecmp(ct, "application/json", 16) == 0)
        kind = 2;
    if (!kind)
        return 0;
    const char *p = ct + n;
    while (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t pl = strcspn(p, ";");
        if (pl >= 8 && strncasecmp(p, "charset=", 8) == 0) {
            const char *v = p + 8;
            size_t vl = pl - 8;
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            if (!((vl == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
                  (vl == 4 && strncasecmp(v, "utf8", 4) == 0) ||
                  (vl == 8 && strncasecmp(v, "us-ascii", 8) == 0)))
                return 0;
        }
        p += pl;
    }
    return kind;
}

static const char *const json_fields[] = {"title", "body", "dateline", "published",
                                          "source", "section", "url", "author", NULL};

/* Parses a JSON body into *art; returns 0 or -1 after a 400/422. */
static int article_from_json(struct call *c, struct article *art)
{
    char detail[QW_ERRLEN];
    json_t *root = api_json_object(c);
    if (!root)
        return -1;
    int rc = -1;
    const char *vals[8] = {NULL};
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int k = 0;
        while (json_fields[k] && strcmp(json_fields[k], key) != 0)
            k++;
        if (!json_fields[k]) {
            snprintf(detail, sizeof detail, "Unknown field '%.60s'.", key);
            api_problem(c, 422, "unprocessable", NULL, detail, NULL, key);
            goto out;
        }
        if (json_is_null(v) && k >= 2)
            continue;
        if (!json_is_string(v)) {
            snprintf(detail, sizeof detail, "Field '%s' must be a string%s.", json_fields[k],
                     k >= 2 ? " or null" : "");
            api_problem(c, 422, "unprocessable", NULL, detail, NULL, json_fields[k]);
            goto out;
        }
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v)) {
            snprintf(detail, sizeof detail, "Field '%s' contains a NUL character.", json_fields[k]);
            api_problem(c, 422, "unprocessable", NULL, detail, NULL, json_fields[k]);
            goto out;
        }
        vals[k] = s;
    }
    for (int k = 0; k < 2; k++) {
        if (!vals[k] || !vals[k][0]) {
            snprintf(detail, sizeof detail, "Field '%s' is required and must not be empty.",
                     json_fields[k]);
            api_problem(c, 422, "unprocessable", NULL, detail, NULL, json_fields[k]);
            goto out;
        }
    }
    char err[QW_ERRLEN] = "";
    qw_status st = ingest_from_fields(vals[0], vals[1], vals[2], vals[3], vals[4], vals[5],
                                      vals[6], vals[7], art, err);
    if (st == QW_ERR_NOMEM) {
        api_fail(c, st);
        goto out;
    }
    if (st != QW_OK) {
        const char *field = NULL;
        for (int k = 0; json_fields[k] && !field; k++)
            if (strstr(err, json_fields[k]))
                field = json_fields[k];
        api_problem(c, 422, "unprocessable", NULL, err[0] ? err : "The article cannot be used.",
                    NULL, field);
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* Parses a text/plain body as the loader parses a file. */
static int article_from_text(struct call *c, struct article *art)
{
    const char *body = c->req->body ? c->req->body : "";
    size_t len = c->req->body_len;
    if (!utf8_valid(body, len)) {
        api_problem(c, 400, "bad-request", NULL, "The body is not valid UTF-8.", NULL, NULL);
        return -1;
    }
    char *text = NULL;
    size_t tlen = 0;
    int transcoded = 0;
    qw_status st = ingest_decode((const unsigned char *)body, len, &text, &tlen, &transcoded);
    if (st == QW_OK) {
        char err[QW_ERRLEN] = "";
        st = ingest_parse(text, tlen, art, err);
        free(text);
        if (st == QW_OK)
            return 0;
        if (st != QW_ERR_NOMEM) {
            api_problem(c, 422, "unprocessable", NULL,
                        err[0] ? err : "The text holds no article.", NULL, NULL);
            return -1;
        }
    }
    if (st == QW_ERR_EMPTY)
        api_problem(c, 422, "unprocessable", NULL, "The text is empty.", NULL, NULL);
    else if (st == QW_ERR_BINARY)
        api_problem(c, 422, "unprocessable", NULL, "The body is not text.", NULL, NULL);
    else
        api_fail(c, st);
    return -1;
}

void api_article_post(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    if (api_body_too_large(c))
        return;
    int kind = api_media_type(c->req->content_type);
    if (!kind) {
        api_problem(c, 415, "unsupported-media-type", NULL,
                    "Send text/plain (UTF-8) or application/json.", NULL, NULL);
        return;
    }
    struct article art;
    memset(&art, 0, sizeof art);
    struct extract_result x;
    memset(&x, 0, sizeof x);
    if ((kind == 1 ? article_from_text(c, &art) : article_from_json(c, &art)) != 0)
        goto out;
    if (extract_run(art.text, art.len, &x) != QW_OK) {
        api_fail(c, QW_ERR_NOMEM);
        goto out;
    }
    int64_t id = 0;
    int created = 0;
    struct api *api = c->api;
    pthread_mutex_lock(&api->write_lock);
    qw_status st = store_begin(api->store);
    if (st == QW_OK) {
        st = store_article(api->store, &art, NULL, &x, &id, &created);
        if (st == QW_OK)
            st = store_commit(api->store);
        if (st != QW_OK)
            store_rollback(api->store);
    }
    pthread_mutex_unlock(&api->write_lock);
    if (st != QW_OK) {
        api_fail(c, st);
        goto out;
    }
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    json_t *o = NULL;
    st = query_article(qc, id, &o);
    if (st != QW_OK) {
        api_fail(c, st == QW_ERR_NOT_FOUND ? QW_ERR_BUSY : st);
        goto out;
    }
    api_json(c, created ? 201 : 200, o);
    c->res->cacheable = 0;
    snprintf(c->res->location, sizeof c->res->location, "/articles/%" PRId64, id);
out:
    extract_result_free(&x);
    article_free(&art);
}

void api_article_delete(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    struct api *api = c->api;
    pthread_mutex_lock(&api->write_lock);
    qw_status st = store_begin(api->store);
    if (st == QW_OK) {
        st = store_delete_article(api->store, c->m.id);
        if (st == QW_OK)
            st = store_commit(api->store);
        if (st != QW_OK)
            store_rollback(api->store);
    }
    pthread_mutex_unlock(&api->write_lock);
    if (st != QW_OK) {
        api_fail(c, st);
        return;
    }
    c->res->status = 204;
}
