/* Handlers without sockets: a temp database filled with SQL, requests
 * built by hand, responses checked. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cursor.h"
#include "db.h"
#include "extract.h"
#include "log.h"
#include "router.h"
#include "strbuf.h"
#include "testhelp.h"

static char dbpath[64];

static const char seed_sql[] =
    "INSERT INTO articles(id,title,dateline,published,source,text,body_start,content_hash,"
    "ingested_at) VALUES"
    " (1,'China talks','Washington','2023-06-14','ToI','China talks\n\nBlinken said "
    "\"We are clear-eyed about China.\"',13,'h1','2026-01-01T00:00:00Z'),"
    " (2,'Harbor strike','London',NULL,'Reuters','Harbor strike\n\nDockers said \"no deal\" "
    "today.',15,'h2','2026-01-01T00:00:00Z'),"
    " (3,'Budget vote',NULL,'2024-01-05','ap','Budget vote\n\nThe council voted on the "
    "budget.',13,'h3','2026-01-01T00:00:00Z');"
    "INSERT INTO people(id,name,name_key,gender,article_count,quote_count) VALUES"
    " (1,'Antony Blinken','antony blinken','male',1,1),"
    " (2,'Kurt Campbell','kurt campbell',NULL,2,1);"
    "INSERT INTO person_aliases(person_id,alias,alias_key) VALUES (1,'Blinken','blinken'),"
    " (2,'Campbell','campbell');"
    "INSERT INTO person_roles VALUES (1,'U.S. Secretary of State');"
    "INSERT INTO mentions(article_id,person_id,start,end,text) VALUES"
    " (1,1,13,20,'Blinken'),(2,2,15,22,'Dockers'),(1,2,40,45,'China');"
    "INSERT INTO quotes(id,article_id,start,end,text,kind,speaker,speaker_person_id,cue,"
    "confidence) VALUES"
    " (1,1,27,55,'We are clear-eyed about China.','direct','Antony Blinken',1,'said',0.9),"
    " (2,2,28,35,'no deal','partial','Kurt Campbell',2,'said',0.5);"
    /* indexed as the store indexes what it adds (migration 0010) */
    "INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM articles;"
    "INSERT INTO quotes_fts(rowid, text) SELECT id, text FROM quotes;";

/* Splits "a=b&c=d" (no decoding) into the request's params. */
static void set_query(struct api_request *r, char *q)
{
    r->nparams = 0;
    if (!q)
        return;
    char *save = NULL;
    for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        struct api_param *p = &r->params[r->nparams++];
        char *eq = strchr(kv, '=');
        p->key = kv;
        p->klen = eq ? (size_t)(eq - kv) : strlen(kv);
        p->val = eq ? eq + 1 : NULL;
        p->vlen = eq ? strlen(eq + 1) : 0;
    }
}

static char qbuf[1024];

static int req(struct api *a, enum api_method m, const char *path, const char *query,
               const char *ct, const char *body, struct api_response *res)
{
    struct api_request r;
    memset(&r, 0, sizeof r);
    r.method = m;
    r.path = path;
    if (query) {
        snprintf(qbuf, sizeof qbuf, "%s", query);
        set_query(&r, qbuf);
    }
    r.content_type = ct;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    api_handle(a, &r, res);
    return res->status;
}

static json_t *body_json(const struct api_response *res)
{
    return json_loadb(res->body ? res->body : "", res->len, 0, NULL);
}

static int get_status(struct api *a, const char *path, const char *query)
{
    struct api_response res;
    int st = req(a, API_GET, path, query, NULL, NULL, &res);
    api_response_free(&res);
    return st;
}

static const char *param_of(const struct api_response *res, char *out, size_t n)
{
    json_t *j = body_json(res);
    const char *p = json_string_value(json_object_get(j, "parameter"));
    snprintf(out, n, "%s", p ? p : "");
    json_decref(j);
    return out;
}

/* The whole streamed body of res (limit=all), pulled in chunks of step
 * bytes as the HTTP layer would; NULL if the stream failed.  The caller
 * frees it. */
static char *drain(struct api_response *res, size_t step, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    long n;
    if (!res->stream || step > sizeof buf)
        return NULL;
    while ((n = api_stream_read(res->stream, buf, step)) > 0)
        if (strbuf_append(&sb, buf, (size_t)n) != 0)
            n = -1;
    if (n < 0 || strbuf_putc(&sb, '\0') != 0) {
        strbuf_free(&sb);
        return NULL;
    }
    sb.len--;
    return strbuf_detach(&sb, len);
}

/* Ids of an NDJSON body, in order; -1 on a line that is not an object with
 * an id. */
static size_t ndjson_ids(const char *body, int64_t *ids, size_t max)
{
    size_t n = 0;
    for (const char *p = body; *p && n < max;) {
        const char *e = strchr(p, '\n');
        if (!e)
            break;
        json_t *j = json_loadb(p, (size_t)(e - p), 0, NULL);
        json_t *id = json_object_get(j, "id");
        ids[n++] = json_is_integer(id) ? json_integer_value(id) : -1;
        json_decref(j);
        p = e + 1;
    }
    return n;
}

static const char meta_sql[] =
    "UPDATE articles SET section = 'business', path = 'business/1.txt' WHERE id = 1;"
    "UPDATE articles SET section = 'Sport', url = '', path = '/srv/corpus/bbc/sport/2.txt'"
    " WHERE id = 2;"
    "UPDATE articles SET path = '../corpus/../3.txt' WHERE id = 3;";

int main(void)
{
    log_set_level(LOG_ERROR);
    snprintf(dbpath, sizeof dbpath, "/tmp/qw_test_api_%d.db", (int)getpid());
    unlink(dbpath);
    sqlite3 *db = NULL;
    char err[QW_ERRLEN] = "";
    if (db_open(dbpath, DB_READ_WRITE, &db, err) != QW_OK || db_migrate(db, NULL, err) != QW_OK ||
        db_exec(db, seed_sql) != QW_OK || db_exec(db, meta_sql) != QW_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    db_close(db);
    extract_init();
    struct api *a = NULL;
    struct api_config cfg = {.db_path = dbpath, .query_ms = 2000, .max_body = 1 << 20,
                             .anonymous_writes = 1};
    if (api_new(&cfg, &a, err) != QW_OK) {
        fprintf(stderr, "api_new: %s\n", err);
        return 1;
    }
    struct api_response res;
    char pbuf[64];

    TEST("router")
    {
        struct route_match m;
        CHECK(router_match("/articles", &m) == ROUTE_ARTICLES);
        CHECK(router_match("/articles/", &m) == ROUTE_ARTICLES);
        CHECK(router_match("/articles/12/quotes", &m) == ROUTE_ARTICLE_QUOTES && m.id == 12);
        CHECK(router_match("/articles/99999999999999999999", &m) == ROUTE_NONE);
        CHECK(router_match("/articles/9223372036854775807", &m) == ROUTE_ARTICLE);
        CHECK(router_match("/articles/9223372036854775808", &m) == ROUTE_NONE);
        CHECK(router_match("/articles/0", &m) == ROUTE_NONE);
        CHECK(router_match("/articles/-1", &m) == ROUTE_NONE);
        CHECK(router_match("/articles//1", &m) == ROUTE_NONE);
        CHECK(router_match("/people/1/articles", &m) == ROUTE_PERSON_ARTICLES);
        CHECK(router_match("/quotes/1/x", &m) == ROUTE_NONE);
        CHECK(router_match("/", &m) == ROUTE_ROOT);
        CHECK(router_match("", &m) == ROUTE_NONE);
    }

    TEST("cursor roundtrip and tamper")
    {
        struct cursor c, d;
        memset(&c, 0, sizeof c);
        c.list = CUR_PEOPLE;
        c.sort = SORT_NAME;
        c.id = 42;
        memcpy(c.skey, "Kurt Campbell", 13);
        c.skey_len = 13;
        struct strbuf sb = STRBUF_INIT;
        CHECK(cursor_encode(&c, &sb) == 0);
        CHECK(cursor_decode(sb.p, sb.len, CUR_PEOPLE, SORT_NAME, &d) == 0);
        CHECK(d.id == 42 && d.skey_len == 13 && memcmp(d.skey, "Kurt Campbell", 13) == 0);
        CHECK(cursor_decode(sb.p, sb.len, CUR_PEOPLE, SORT_NAME_DESC, &d) != 0);
        CHECK(cursor_decode(sb.p, sb.len, CUR_ARTICLES, SORT_NAME, &d) != 0);
        sb.p[3] = sb.p[3] == 'A' ? 'B' : 'A';
        CHECK(cursor_decode(sb.p, sb.len, CUR_PEOPLE, SORT_NAME, &d) != 0);
        CHECK(cursor_decode("", 0, CUR_PEOPLE, SORT_NAME, &d) != 0);
        CHECK(cursor_decode("!!!!", 4, CUR_PEOPLE, SORT_NAME, &d) != 0);
        strbuf_free(&sb);
        c.list = CUR_ARTICLES;
        c.sort = SORT_RANK;
        c.dkey = -1.25;
        CHECK(cursor_encode(&c, &sb) == 0);
        CHECK(cursor_decode(sb.p, sb.len, CUR_ARTICLES, SORT_RANK, &d) == 0 && d.dkey == -1.25);
        strbuf_free(&sb);
    }

    TEST("random cursors are refused, never crash")
    {
        unsigned seed = 12345;
        int accepted = 0;
        for (int i = 0; i < 20000; i++) {
            char buf[96];
            size_t n = (size_t)(i % 95) + 1;
            for (size_t k = 0; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                buf[k] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/%"
                    [(seed >> 16) % 68];
            }
            struct cursor d;
            for (int sort = SORT_ID; sort <= SORT_FIRST; sort++)
                accepted += cursor_decode(buf, n, CUR_ARTICLES, (enum cursor_sort)sort, &d) == 0;
        }
        CHECK(accepted == 0);
    }

    TEST("health and root")
    {
        CHECK(req(a, API_GET, "/health", NULL, NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        CHECK(json_integer_value(json_object_get(j, "articles")) == 3);
        CHECK(json_integer_value(json_object_get(j, "people")) == 2);
        CHECK(json_integer_value(json_object_get(j, "schema_version")) == db_schema_version());
        CHECK(json_integer_value(json_object_get(j, "extract_version")) == extract_version());
        /* the seed rows name no extract_version: they count as version 1 */
        CHECK(json_integer_value(json_object_get(j, "articles_outdated")) == 3);
        CHECK_STR(json_string_value(json_object_get(j, "status")), "ok");
        json_decref(j);
        api_response_free(&res);
        CHECK(get_status(a, "/", NULL) == 200);
        CHECK(get_status(a, "/health", "x=1") == 400);
        CHECK(req(a, API_GET, "/metrics", NULL, NULL, NULL, &res) == 200);
        CHECK(res.body && strstr(res.body, "quotewire_articles 3"));
        api_response_free(&res);
    }

    TEST("article list, single, pagination")
    {
        CHECK(req(a, API_GET, "/articles", "limit=2", NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        json_t *items = json_object_get(j, "items");
        CHECK(json_array_size(items) == 2);
        CHECK(json_object_get(json_array_get(items, 0), "text") == NULL);
        CHECK(json_integer_value(json_object_get(json_array_get(items, 0), "quote_count")) == 1);
        CHECK(json_integer_value(json_object_get(json_array_get(items, 0), "people_count")) == 2);
        const char *next = json_string_value(json_object_get(j, "next"));
        CHECK(next != NULL);
        CHECK(res.link && strstr(res.link, "rel=\"next\""));
        char q[256];
        snprintf(q, sizeof q, "limit=2&cursor=%s", next ? next : "");
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", q, NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        CHECK(json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0),
                                                 "id")) == 3);
        CHECK(json_is_null(json_object_get(j, "next")));
        json_decref(j);
        api_response_free(&res);

        CHECK(req(a, API_GET, "/articles/1", NULL, NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_integer_value(json_object_get(j, "body_start")) == 13);
        CHECK(json_is_string(json_object_get(j, "text")));
        CHECK_STR(json_string_value(json_object_get(json_object_get(j, "links"), "quotes")),
                  "/articles/1/quotes");
        json_decref(j);
        CHECK(res.cacheable == 1);
        api_response_free(&res);
        CHECK(get_status(a, "/articles/4", NULL) == 404);
        CHECK(get_status(a, "/articles/99999999999999999999", NULL) == 404);
        CHECK(get_status(a, "/articles/abc", NULL) == 404);
        CHECK(get_status(a, "/articles", "sort=-published") == 200);
        CHECK(get_status(a, "/articles", "source=REUTERS&since=2020-01-01") == 200);
    }

    TEST("filters")
    {
        CHECK(req(a, API_GET, "/quotes", "person=kurt campbell", NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/quotes", "person=BLINKEN", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/quotes", "person=Nobody", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 0);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "person=2", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 2);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "source=reuters", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/quotes", "kind=partial", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/people", "q=ampb", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(get_status(a, "/people/2/quotes", NULL) == 200);
        CHECK(get_status(a, "/people/9/quotes", NULL) == 404);
        CHECK(get_status(a, "/people/2/quotes", "person=1") == 400);
        CHECK(get_status(a, "/articles/1/people", NULL) == 200);
        CHECK(req(a, API_GET, "/articles/1/people", NULL, NULL, NULL, &res) == 200);
        j = body_json(&res);
        json_t *first = json_array_get(json_object_get(j, "items"), 0);
        CHECK_STR(json_string_value(json_object_get(first, "name")), "Antony Blinken");
        CHECK(json_array_size(json_object_get(first, "mentions")) == 1);
        CHECK_STR(json_string_value(json_array_get(json_object_get(first, "roles"), 0)),
                  "U.S. Secretary of State");
        json_decref(j);
        api_response_free(&res);
    }

    TEST("full-text search never fails on odd input")
    {
        static const char *const qs[] = {"china", "a\"b", "NEAR(", "AND", "title:x",
                                         "china -x", "china OR", "\"china", "ch*"};
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            char q[64];
            snprintf(q, sizeof q, "q=%s", qs[i]);
            CHECK(get_status(a, "/articles", q) == 200);
            CHECK(get_status(a, "/quotes", q) == 200);
        }
        /* no word to search for, only exclusions, a one-letter prefix: 400 on q */
        static const char *const bad[] = {"\"", "*", "-x", "^", "(((", "\xe2\x80\x9c", "OR", "c*"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char q[64];
            snprintf(q, sizeof q, "q=%s", bad[i]);
            CHECK(req(a, API_GET, "/quotes", q, NULL, NULL, &res) == 400);
            CHECK_STR(param_of(&res, pbuf, sizeof pbuf), "q");
            api_response_free(&res);
        }
        CHECK(req(a, API_GET, "/articles", "q=china", NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        const char *snip = json_string_value(
            json_object_get(json_array_get(json_object_get(j, "items"), 0), "snippet"));
        CHECK(snip && strstr(snip, "<mark>"));
        json_decref(j);
        api_response_free(&res);
    }

    TEST("an empty or blank q is no filter")
    {
        static const char *const qs[] = {"q=", "q=   ", "q", "q=&limit=1000", "q=\t"};
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            CHECK(req(a, API_GET, "/articles", qs[i], NULL, NULL, &res) == 200);
            json_t *j = body_json(&res);
            json_t *items = json_object_get(j, "items");
            CHECK(json_array_size(items) == 3);
            CHECK(!json_object_get(json_array_get(items, 0), "snippet"));
            json_decref(j);
            api_response_free(&res);
            CHECK(get_status(a, "/quotes", qs[i]) == 200);
            CHECK(get_status(a, "/people", qs[i]) == 200);
        }
        CHECK(req(a, API_GET, "/articles", "q=&format=csv", NULL, NULL, &res) == 200);
        CHECK(res.body && strncmp(res.body, "id,", 3) == 0 && !strstr(res.body, "snippet"));
        api_response_free(&res);
        CHECK(get_status(a, "/articles", "q=&q=china") == 400); /* still given twice */
        CHECK(get_status(a, "/articles/1/quotes", "q=") == 400); /* still not a parameter there */
    }

    TEST("_ (a cache buster) is ignored everywhere; other unknown parameters are not")
    {
        static const char *const paths[] = {"/", "/health", "/metrics", "/openapi.yaml",
                                            "/articles", "/articles/1", "/articles/1/quotes",
                                            "/articles/1/people", "/people", "/people/1",
                                            "/people/1/quotes", "/people/1/articles", "/quotes",
                                            "/quotes/1"};
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            CHECK(get_status(a, paths[i], "_=1733040000000") == 200);
            CHECK(get_status(a, paths[i], "_=") == 200);
            CHECK(get_status(a, paths[i], "_=1&_=2") == 200);
            CHECK(get_status(a, paths[i], "__=1") == 400);
        }
        CHECK(get_status(a, "/articles", "limit=1&_=x&q=china") == 200);
        CHECK(req(a, API_GET, "/articles", "_", NULL, NULL, &res) == 200);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "_=1&foo=2", NULL, NULL, &res) == 400);
        CHECK_STR(param_of(&res, pbuf, sizeof pbuf), "foo");
        api_response_free(&res);
    }

    TEST("bad parameters name themselves")
    {
        static const struct {
            const char *path, *query, *param;
        } cases[] = {
            {"/articles", "limit=0", "limit"},       {"/articles", "limit=abc", "limit"},
            {"/articles", "limit=1001", "limit"},    {"/articles", "since=2023-13-01", "since"},
            {"/articles", "until=2023-02-29", "until"}, {"/quotes", "kind=foo", "kind"},
            {"/articles", "sort=foo", "sort"},       {"/quotes", "article=abc", "article"},
            {"/articles", "foo=1", "foo"},           {"/articles", "limit=1&limit=2", "limit"},
            {"/articles", "q=-tax", "q"},            {"/articles", "q=t*", "q"},
            {"/articles", "cursor=AAAA", "cursor"},  {"/people", "sort=id", "sort"},
            {"/articles", "format=xml", "format"},   {"/articles", "sort=rank", "sort"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            CHECK(req(a, API_GET, cases[i].path, cases[i].query, NULL, NULL, &res) == 400);
            CHECK_STR(param_of(&res, pbuf, sizeof pbuf), cases[i].param);
            CHECK_STR(res.content_type, "application/problem+json");
            api_response_free(&res);
        }
        CHECK(get_status(a, "/articles", "until=2024-02-29") == 200);
    }

    TEST("cursor of another sort is refused")
    {
        CHECK(req(a, API_GET, "/articles", "limit=1", NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        char q[256];
        snprintf(q, sizeof q, "sort=-id&cursor=%s",
                 json_string_value(json_object_get(j, "next")));
        json_decref(j);
        api_response_free(&res);
        CHECK(get_status(a, "/articles", q) == 400);
    }

    TEST("methods")
    {
        CHECK(req(a, API_PUT, "/articles", NULL, NULL, NULL, &res) == 405);
        CHECK_STR(res.allow, "GET, HEAD, POST, OPTIONS");
        api_response_free(&res);
        CHECK(req(a, API_POST, "/people", NULL, NULL, NULL, &res) == 405);
        CHECK_STR(res.allow, "GET, HEAD, OPTIONS");
        api_response_free(&res);
        CHECK(req(a, API_OPTIONS, "/articles/1", NULL, NULL, NULL, &res) == 204);
        CHECK_STR(res.allow, "GET, HEAD, DELETE, OPTIONS");
        api_response_free(&res);
        CHECK(req(a, API_HEAD, "/articles/1", NULL, NULL, NULL, &res) == 200);
        api_response_free(&res);
        CHECK(get_status(a, "/nowhere", NULL) == 404);
    }

    TEST("formats")
    {
        CHECK(req(a, API_GET, "/quotes", "format=csv", NULL, NULL, &res) == 200);
        CHECK_STR(res.content_type, "text/csv; charset=utf-8");
        CHECK(res.body && strncmp(res.body, "id,kind,text,", 13) == 0);
        int lines = 0;
        for (size_t i = 0; i < res.len; i++)
            lines += res.body[i] == '\n';
        CHECK(lines == 3);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/people", "format=ndjson", NULL, NULL, &res) == 200);
        CHECK_STR(res.content_type, "application/x-ndjson");
        lines = 0;
        for (size_t i = 0; i < res.len; i++)
            lines += res.body[i] == '\n';
        CHECK(lines == 2);
        api_response_free(&res);
    }

    TEST("sections, sources and public paths")
    {
        json_t *j;
        CHECK(req(a, API_GET, "/articles", "section=BUSINESS", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_t *it = json_array_get(json_object_get(j, "items"), 0);
        CHECK(json_integer_value(json_object_get(it, "id")) == 1);
        CHECK_STR(json_string_value(json_object_get(it, "section")), "business");
        CHECK_STR(json_string_value(json_object_get(it, "path")), "business/1.txt");
        json_decref(j);
        api_response_free(&res);
        /* a path stored by an older load shows by its file name only */
        CHECK(req(a, API_GET, "/articles", "section=sport", NULL, NULL, &res) == 200);
        j = body_json(&res);
        it = json_array_get(json_object_get(j, "items"), 0);
        CHECK(json_integer_value(json_object_get(it, "id")) == 2);
        CHECK_STR(json_string_value(json_object_get(it, "path")), "2.txt");
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles/3", NULL, NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK_STR(json_string_value(json_object_get(j, "path")), "3.txt");
        CHECK(json_is_null(json_object_get(j, "section")));
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "source=AP&section=nowhere", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 0);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "source=AP", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 1);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/quotes", "section=x", NULL, NULL, &res) == 200);
        j = body_json(&res);
        CHECK(json_array_size(json_object_get(j, "items")) == 0);
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/quotes", "section=", NULL, NULL, &res) == 400);
        api_response_free(&res);
    }

    TEST("CSV: one header, NULL and empty string apart, an attachment")
    {
        CHECK(req(a, API_GET, "/articles", "format=csv&section=sport", NULL, NULL, &res) == 200);
        CHECK_STR(res.filename, "articles.csv");
        /* url is '' (quoted), author and image_credit NULL (nothing) */
        CHECK(res.body && strstr(res.body, "\r\n2,Harbor strike,London,,Reuters,Sport,\"\",,,"
                                           "2.txt,h2,") != NULL);
        CHECK(res.body && strncmp(res.body, "id,title,dateline,published,source,section,url,", 47) ==
                              0);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/people/2/quotes", "format=csv", NULL, NULL, &res) == 200);
        CHECK_STR(res.filename, "people-2-quotes.csv");
        api_response_free(&res);
        CHECK(req(a, API_GET, "/people/2/quotes", "format=ndjson", NULL, NULL, &res) == 200);
        CHECK_STR(res.filename, "");
        api_response_free(&res);
    }

    TEST("limit=all streams CSV and NDJSON, not JSON")
    {
        char par[16];
        CHECK(req(a, API_GET, "/articles", "limit=all", NULL, NULL, &res) == 400);
        CHECK_STR(param_of(&res, par, sizeof par), "limit");
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "limit=alll&format=csv", NULL, NULL, &res) == 400);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "limit=all&format=csv", NULL, NULL, &res) == 200);
        CHECK(res.stream != NULL && res.body == NULL && !res.cacheable);
        CHECK_STR(res.filename, "articles.csv");
        CHECK_STR(res.content_type, "text/csv; charset=utf-8");
        size_t len = 0;
        char *body = drain(&res, 7, &len);
        CHECK(body != NULL);
        if (body) {
            int lines = 0, headers = 0;
            for (size_t i = 0; i < len; i++)
                lines += body[i] == '\n';
            for (const char *p = body; (p = strstr(p, "id,title,")); p++)
                headers++;
            CHECK(lines == 4 && headers == 1);
            CHECK(strstr(body, "Sport,\"\",,,2.txt") != NULL);
        }
        free(body);
        api_response_free(&res);
        /* with Accept instead of format, and a filter */
        struct api_request r;
        memset(&r, 0, sizeof r);
        r.method = API_GET;
        r.path = "/quotes";
        r.accept = "application/x-ndjson";
        snprintf(qbuf, sizeof qbuf, "limit=all&kind=partial");
        set_query(&r, qbuf);
        api_handle(a, &r, &res);
        CHECK(res.status == 200 && res.stream != NULL);
        body = drain(&res, 4096, &len);
        int64_t ids[4];
        CHECK(body && ndjson_ids(body, ids, 4) == 1 && ids[0] == 2);
        free(body);
        api_response_free(&res);
    }

    TEST("metrics: routes and a histogram")
    {
        api_metrics_record(API_GET, "/articles/77", 200, 0.003);
        api_metrics_record(API_GET, "/articles/78/", 200, 0.0001);
        api_metrics_record(API_GET, "/wp-login.php", 404, 0.0001);
        CHECK(req(a, API_GET, "/metrics", NULL, NULL, NULL, &res) == 200);
        CHECK(res.cacheable == 1 && res.no_store == 1);
        const char *b = res.body ? res.body : "";
        CHECK(strstr(b, "quotewire_http_requests_total{route=\"/articles/{id}\",method=\"GET\","
                        "code=\"200\"} 2\n") != NULL);
        CHECK(strstr(b, "quotewire_http_requests_total{route=\"other\",method=\"GET\","
                        "code=\"404\"} 1\n") != NULL);
        CHECK(strstr(b, "# TYPE quotewire_http_request_duration_seconds histogram\n") != NULL);
        CHECK(strstr(b, "quotewire_http_request_duration_seconds_bucket{route=\"/articles/{id}\","
                        "le=\"0.0025\"} 1\n") != NULL);
        CHECK(strstr(b, "quotewire_http_request_duration_seconds_bucket{route=\"/articles/{id}\","
                        "le=\"0.005\"} 2\n") != NULL);
        CHECK(strstr(b, "quotewire_http_request_duration_seconds_bucket{route=\"/articles/{id}\","
                        "le=\"+Inf\"} 2\n") != NULL);
        CHECK(strstr(b, "quotewire_http_request_duration_seconds_count{route=\"/articles/{id}\"} "
                        "2\n") != NULL);
        CHECK(strstr(b, "quotewire_http_request_duration_seconds_sum{route=\"/articles/{id}\"} "
                        "0.0031") != NULL);
        CHECK(strstr(b, "wp-login") == NULL);
        api_response_free(&res);
    }

    TEST("writes")
    {
        CHECK(req(a, API_POST, "/articles", NULL, "application/json",
                  "{\"title\":\"Port deal\",\"body\":\"\\\"We have a deal,\\\" said Mary "
                  "Jones.\",\"published\":\"2024-05-01\"}",
                  &res) == 201);
        CHECK(strncmp(res.location, "/articles/", 10) == 0);
        char loc[48];
        snprintf(loc, sizeof loc, "%s", res.location);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "application/json; charset=utf-8",
                  "{\"title\":\"Port deal\",\"body\":\"\\\"We have a deal,\\\" said Mary "
                  "Jones.\",\"published\":\"2024-05-01\"}",
                  &res) == 200);
        CHECK_STR(res.location, loc);
        api_response_free(&res);
        CHECK(get_status(a, loc, NULL) == 200);
        CHECK(req(a, API_POST, "/articles", NULL, "application/json", "{\"title\":\"x\"}",
                  &res) == 422);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "application/json", "{nope", &res) == 400);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "application/xml", "<a/>", &res) == 415);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "text/plain; charset=latin1", "x", &res) ==
              415);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "text/plain", "", &res) == 422);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "text/plain", "Head\n\nBad \xff byte.\n",
                  &res) == 400);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "text/plain",
                  "Strike ends\n\nLONDON: \"It is over,\" said Tom Hardy.\n", &res) == 201);
        api_response_free(&res);
        CHECK(req(a, API_DELETE, loc, NULL, NULL, NULL, &res) == 204);
        api_response_free(&res);
        CHECK(req(a, API_DELETE, loc, NULL, NULL, NULL, &res) == 404);
        api_response_free(&res);
        CHECK(get_status(a, loc, NULL) == 404);
    }

    TEST("POST takes a section")
    {
        CHECK(req(a, API_POST, "/articles", NULL, "application/json",
                  "{\"title\":\"Mill closes\",\"body\":\"The mill closed.\",\"source\":"
                  "\"Gazette\",\"section\":\"Local\"}",
                  &res) == 201);
        json_t *j = body_json(&res);
        CHECK_STR(json_string_value(json_object_get(j, "section")), "Local");
        CHECK_STR(json_string_value(json_object_get(j, "source")), "Gazette");
        CHECK(json_is_null(json_object_get(j, "path")));
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "application/json",
                  "{\"title\":\"Mill opens\",\"body\":\"It opened.\",\"section\":\"a\\nb\"}",
                  &res) == 422);
        j = body_json(&res);
        CHECK_STR(json_string_value(json_object_get(j, "field")), "section");
        json_decref(j);
        api_response_free(&res);
        CHECK(req(a, API_POST, "/articles", NULL, "application/json",
                  "{\"title\":\"Mill opens\",\"body\":\"It opened.\",\"section\":3}",
                  &res) == 422);
        api_response_free(&res);
    }

    TEST("snippets are HTML-escaped around <mark>")
    {
        CHECK(req(a, API_POST, "/articles", NULL, "application/json",
                  "{\"title\":\"Markup\",\"body\":\"Before <b>zzmarkup</b> & after.\"}",
                  &res) == 201);
        api_response_free(&res);
        CHECK(req(a, API_GET, "/articles", "q=zzmarkup", NULL, NULL, &res) == 200);
        json_t *j = body_json(&res);
        const char *snip = json_string_value(
            json_object_get(json_array_get(json_object_get(j, "items"), 0), "snippet"));
        CHECK(snip && strstr(snip, "&lt;b&gt;<mark>zzmarkup</mark>&lt;/b&gt; &amp; after"));
        CHECK(res.vary_accept == 1);
        json_decref(j);
        api_response_free(&res);
    }

    TEST("empty query pairs are ignored")
    {
        struct api_request r;
        memset(&r, 0, sizeof r);
        r.method = API_GET;
        r.path = "/articles";
        r.params[0] = (struct api_param){"", 0, NULL, 0};
        r.params[1] = (struct api_param){"limit", 5, "1", 1};
        r.params[2] = (struct api_param){"", 0, "", 0};
        r.nparams = 3;
        api_handle(a, &r, &res);
        CHECK(res.status == 200);
        CHECK(res.body && strstr(res.body, "\"self\":\"/articles?limit=1\""));
        api_response_free(&res);
        r.params[0] = (struct api_param){"", 0, "x", 1};
        api_handle(a, &r, &res);
        CHECK(res.status == 400);
        api_response_free(&res);
    }

    TEST("body too large")
    {
        struct api_request r;
        memset(&r, 0, sizeof r);
        r.method = API_POST;
        r.path = "/articles";
        r.content_type = "text/plain";
        r.body_too_large = 1;
        api_handle(a, &r, &res);
        CHECK(res.status == 413);
        api_response_free(&res);
    }
    TEST("limit=all goes past one internal page, in order, each row once")
    {
        /* 2500 more articles: three internal pages of 1000 */
        sqlite3 *w = NULL;
        CHECK(db_open(dbpath, DB_READ_WRITE, &w, err) == QW_OK);
        CHECK(db_exec(w, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                         " WHERE i < 2500) INSERT INTO articles(title, text, content_hash,"
                         " ingested_at, section) SELECT 'Bulk ' || i, 'Bulk item ' || i ||"
                         " ' of a bulk load', 'bulk' || i, '2026-01-01T00:00:00Z',"
                         " CASE i % 2 WHEN 0 THEN 'even' ELSE 'odd' END FROM n;"
                         "INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text"
                         " FROM articles WHERE content_hash LIKE 'bulk%'") == QW_OK);
        db_close(w);
        static int64_t ids[3000];
        const char *const queries[] = {"limit=all&format=ndjson", "limit=all&format=ndjson&sort=-id",
                                       "limit=all&format=ndjson&q=bulk",
                                       "limit=all&format=ndjson&section=EVEN"};
        const size_t want[] = {0, 0, 2500, 1250};
        int64_t total = 0;
        CHECK(req(a, API_GET, "/health", NULL, NULL, NULL, &res) == 200);
        json_t *h = body_json(&res);
        total = json_integer_value(json_object_get(h, "articles"));
        json_decref(h);
        api_response_free(&res);
        CHECK(total > 2500);
        for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
            CHECK(req(a, API_GET, "/articles", queries[k], NULL, NULL, &res) == 200);
            size_t len = 0;
            char *body = drain(&res, 4096, &len);
            size_t n = body ? ndjson_ids(body, ids, 3000) : 0;
            CHECK(n == (want[k] ? want[k] : (size_t)total));
            int ordered = 1, bad = 0;
            for (size_t i = 0; i < n; i++) {
                bad |= ids[i] <= 0;
                if (i && k < 2)
                    ordered &= k == 1 ? ids[i] < ids[i - 1] : ids[i] > ids[i - 1];
            }
            CHECK(ordered && !bad);
            if (k >= 2) { /* by rank, or filtered: no id twice */
                int dup = 0;
                for (size_t i = 0; i < n && !dup; i++)
                    for (size_t m = i + 1; m < n && !dup; m++)
                        dup = ids[i] == ids[m];
                CHECK(!dup);
            }
            free(body);
            api_response_free(&res);
        }
        /* a CSV of it has one header line and a row per article */
        CHECK(req(a, API_GET, "/articles", "limit=all&format=csv", NULL, NULL, &res) == 200);
        size_t len = 0;
        char *body = drain(&res, 1000, &len);
        size_t lines = 0, headers = 0;
        for (size_t i = 0; body && i < len; i++)
            lines += body[i] == '\n';
        for (const char *p = body; p && (p = strstr(p, "id,title,")); p++)
            headers++;
        CHECK(lines == (size_t)total + 1 && headers == 1);
        free(body);
        api_response_free(&res);
    }

    api_free(a);

    TEST("api key")
    {
        struct api_config kc = cfg;
        kc.api_key = "s3cret";
        struct api *k = NULL;
        CHECK(api_new(&kc, &k, err) == QW_OK);
        if (k) {
            CHECK(req(k, API_DELETE, "/articles/2", NULL, NULL, NULL, &res) == 401);
            CHECK(res.www_authenticate == 1);
            api_response_free(&res);
            struct api_request r;
            memset(&r, 0, sizeof r);
            r.method = API_DELETE;
            r.path = "/articles/2";
            r.authorization = "Bearer wrong";
            api_handle(k, &r, &res);
            CHECK(res.status == 401);
            api_response_free(&res);
            r.authorization = "Bearer s3cret";
            api_handle(k, &r, &res);
            CHECK(res.status == 204);
            api_response_free(&res);
            CHECK(get_status(k, "/articles/1", NULL) == 200);
        }
        api_free(k);
    }

    TEST("without a key, writes are refused unless anonymous writes are allowed")
    {
        struct api_config nc = cfg;
        nc.anonymous_writes = 0;
        struct api *n = NULL;
        CHECK(api_new(&nc, &n, err) == QW_OK);
        if (n) {
            CHECK(req(n, API_DELETE, "/articles/1", NULL, NULL, NULL, &res) == 403);
            CHECK(res.www_authenticate == 0);
            api_response_free(&res);
            CHECK(req(n, API_POST, "/articles", NULL, "text/plain", "Head\n\n\"No,\" said Al Fox.\n",
                      &res) == 403);
            api_response_free(&res);
            CHECK(get_status(n, "/articles/1", NULL) == 200);
        }
        api_free(n);
    }

    extract_shutdown();
    unlink(dbpath);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
    return test_report("api");
}
