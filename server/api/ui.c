/* The browser explorer: /ui (its page), /ui/NAME (its scripts and style,
 * compiled in by tools/embed.sh), and the redirect a browser gets at /. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "embedded.h"
#include "handlers.h"

/* The page runs no inline script or style and talks only to this server,
 * so it can forbid everything else; a value that slipped through as markup
 * still could not run. */
static const char ui_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                             "form-action 'self'; frame-ancestors 'none'";

static const char *type_of(const char *name, size_t len)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i].ext);
        if (len > n && memcmp(name + len - n, types[i].ext, n) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

void api_ui(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    const char *name = c->m.route == ROUTE_UI ? "index.html" : c->m.file;
    size_t len = c->m.route == ROUTE_UI ? strlen("index.html") : c->m.file_len;
    const struct embedded_file *f = embedded_ui(name, len);
    if (!f) { /* the router matched only names that exist: this is a bug */
        api_fail(c, QW_ERR_NOT_FOUND);
        return;
    }
    c->res->status = 200;
    c->res->content_type = type_of(name, len);
    c->res->body = (char *)f->data;
    c->res->len = (size_t)(f->end - f->data);
    c->res->body_static = 1;
    c->res->cacheable = 1;
    c->res->csp = ui_csp;
}

/* The q of one media range's parameters "; q=0.5; x=y" (1 when absent). */
static double range_q(const char *p, const char *end)
{
    double q = 1.0;
    while (p < end) {
        if (*p == ';' || *p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        if ((p[0] == 'q' || p[0] == 'Q') && p + 1 < end && p[1] == '=') {
            char buf[16];
            size_t n = 0;
            for (p += 2; p < end && *p != ';' && n + 1 < sizeof buf; p++)
                buf[n++] = *p;
            buf[n] = '\0';
            char *e;
            q = strtod(buf, &e);
            if (e == buf || q < 0 || q > 1)
                q = 0; /* an unreadable q: as if the range were not there */
        }
        while (p < end && *p != ';')
            p++;
    }
    return q;
}

int api_ui_wanted(const char *accept)
{
    if (!accept)
        return 0;
    double html = 0, json = 0;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *end = p + strcspn(p, ",");
        size_t tn = strcspn(p, ";,");
        while (tn && (p[tn - 1] == ' ' || p[tn - 1] == '\t'))
            tn--;
        double q = range_q(p + tn, end);
        if ((tn == 9 && strncasecmp(p, "text/html", 9) == 0) ||
            (tn == 21 && strncasecmp(p, "application/xhtml+xml", 21) == 0)) {
            if (q > html)
                html = q;
        } else if (tn == 16 && strncasecmp(p, "application/json", 16) == 0) {
            if (q > json)
                json = q;
        }
        p = end;
    }
    return html > json;
}

void api_ui_redirect(struct call *c)
{
    struct args a;
    if (api_args(c, 0, &a) != 0)
        return;
    c->res->status = 303;
    snprintf(c->res->location, sizeof c->res->location, "/ui/");
    c->res->vary_accept = 1;
}
