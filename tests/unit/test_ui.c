/* The explorer's routes without sockets: /ui and its files from the
 * embedded set, their types and policy, and / negotiated by Accept. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "db.h"
#include "embedded.h"
#include "extract.h"
#include "log.h"
#include "router.h"
#include "testhelp.h"

static int get(struct api *a, const char *path, const char *accept, struct api_response *res)
{
    struct api_request r;
    memset(&r, 0, sizeof r);
    r.method = API_GET;
    r.path = path;
    r.accept = accept;
    api_handle(a, &r, res);
    return res->status;
}

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char browser[] =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

int main(void)
{
    log_set_level(LOG_ERROR);
    char dbpath[64], err[QW_ERRLEN] = "";
    snprintf(dbpath, sizeof dbpath, "/tmp/qw_test_ui_%d.db", (int)getpid());
    unlink(dbpath);
    sqlite3 *db = NULL;
    if (db_open(dbpath, DB_READ_WRITE, &db, err) != QW_OK || db_migrate(db, NULL, err) != QW_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    db_close(db);
    extract_init();
    struct api *a = NULL;
    struct api_config cfg = {.db_path = dbpath, .query_ms = 2000, .max_body = 1 << 20};
    if (api_new(&cfg, &a, err) != QW_OK) {
        fprintf(stderr, "api_new: %s\n", err);
        return 1;
    }
    struct api_response res;

    TEST("embedded files")
    {
        const char *names[] = {"index.html", "app.js", "yaml.js", "app.css", "chart.js"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const struct embedded_file *f = embedded_ui(names[i], strlen(names[i]));
            CHECK(f && f->end > f->data && *f->end == '\0');
        }
        CHECK(embedded_ui("app.jsx", 6) == embedded_ui("app.js", 6)); /* length decides */
        CHECK(embedded_ui("app.j", 5) == NULL);
        CHECK(embedded_ui("", 0) == NULL);
        CHECK(embedded_ui("../openapi.yaml", 15) == NULL);
    }

    TEST("router")
    {
        struct route_match m;
        CHECK(router_match("/ui", &m) == ROUTE_UI);
        CHECK(router_match("/ui/", &m) == ROUTE_UI);
        CHECK(router_match("/ui/app.js", &m) == ROUTE_UI_FILE && m.file_len == 6 &&
              memcmp(m.file, "app.js", 6) == 0);
        CHECK(router_match("/ui/app.js/", &m) == ROUTE_UI_FILE && m.file_len == 6);
        CHECK(strcmp(m.canonical, "/ui/{file}") == 0);
        CHECK(router_match("/ui/nope.js", &m) == ROUTE_NONE);
        CHECK(router_match("/ui/app.js/x", &m) == ROUTE_NONE);
        CHECK(router_match("/ui//app.js", &m) == ROUTE_NONE);
        CHECK(router_match("/uis", &m) == ROUTE_NONE);
    }

    TEST("files, types and policy")
    {
        static const struct {
            const char *path, *type;
        } files[] = {{"/ui", "text/html; charset=utf-8"},
                     {"/ui/", "text/html; charset=utf-8"},
                     {"/ui/app.js", "text/javascript; charset=utf-8"},
                     {"/ui/yaml.js", "text/javascript; charset=utf-8"},
                     {"/ui/chart.js", "text/javascript; charset=utf-8"},
                     {"/ui/app.css", "text/css; charset=utf-8"}};
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            CHECK(get(a, files[i].path, browser, &res) == 200);
            CHECK_STR(res.content_type, files[i].type);
            CHECK(starts(res.csp, "default-src 'none'; script-src 'self';"));
            CHECK(res.body_static && res.cacheable && res.len > 0);
            api_response_free(&res);
        }
        CHECK(get(a, "/ui", NULL, &res) == 200 && res.len > 15 &&
              memcmp(res.body, "<!doctype html>", 15) == 0);
        api_response_free(&res);
        CHECK(get(a, "/ui/missing.js", browser, &res) == 404);
        api_response_free(&res);
        CHECK(get(a, "/articles", browser, &res) == 200 && res.csp == NULL);
        api_response_free(&res);
    }

    TEST("root negotiates by Accept")
    {
        static const struct {
            const char *accept;
            int status;
        } cases[] = {{NULL, 200},
                     {"*/*", 200},
                     {"application/json", 200},
                     {"application/json, text/html", 200}, /* a tie: JSON */
                     {"text/html;q=0.5, application/json", 200},
                     {"text/html;q=0", 200},
                     {"text/htmlx", 200},
                     {"text/*", 200},
                     {"text/html;q=bad", 200},
                     {browser, 303},
                     {"text/html", 303},
                     {"TEXT/HTML", 303},
                     {"application/xhtml+xml", 303},
                     {"application/json;q=0.8 , text/html ; q=0.9", 303},
                     {"text/html;level=1;q=0.7, application/json;q=0.5", 303}};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int st = get(a, "/", cases[i].accept, &res);
            if (st != cases[i].status)
                fprintf(stderr, "Accept %s: %d, want %d\n",
                        cases[i].accept ? cases[i].accept : "(none)", st, cases[i].status);
            CHECK(st == cases[i].status);
            CHECK(res.vary_accept);
            if (st == 303)
                CHECK(strcmp(res.location, "/ui/") == 0 && res.len == 0);
            else
                CHECK(starts(res.content_type, "application/json"));
            api_response_free(&res);
        }
    }

    api_free(a);
    unlink(dbpath);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
    return test_report("ui");
}
