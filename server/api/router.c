/* The routing table.  Paths are short and few, so matching is a walk over
 * the segments rather than a generic pattern engine. */
#include "router.h"

#include <string.h>

#include "embedded.h"

static const char ALLOW_GET[] = "GET, HEAD, OPTIONS";
static const char ALLOW_ARTICLES[] = "GET, HEAD, POST, OPTIONS";
static const char ALLOW_ARTICLE[] = "GET, HEAD, DELETE, OPTIONS";
static const char ALLOW_EDIT[] = "GET, HEAD, PATCH, OPTIONS";
static const char ALLOW_POST[] = "POST, OPTIONS";

int router_parse_id(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v == 0 || v > (uint64_t)INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int seg_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static enum route set(struct route_match *m, enum route r, unsigned methods, const char *allow,
                      const char *canonical)
{
    m->route = r;
    m->methods = methods;
    m->allow = allow;
    m->canonical = canonical;
    return r;
}

enum route router_match(const char *path, struct route_match *m)
{
    memset(m, 0, sizeof *m);
    m->route = ROUTE_NONE;
    if (!path || path[0] != '/')
        return ROUTE_NONE;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        len--;
    /* split into at most 3 segments */
    const char *seg[3];
    size_t sl[3];
    int nseg = 0;
    size_t i = 1;
    if (len == 1)
        return set(m, ROUTE_ROOT, ROUTER_GET, ALLOW_GET, "/");
    while (i <= len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        if (j == i || nseg == 3)
            return ROUTE_NONE; /* empty segment ("//") or too deep */
        seg[nseg] = path + i;
        sl[nseg] = j - i;
        nseg++;
        i = j + 1;
    }
    if (nseg == 1) {
        if (seg_is(seg[0], sl[0], "articles"))
            return set(m, ROUTE_ARTICLES, ROUTER_GET | ROUTER_POST, ALLOW_ARTICLES, "/articles");
        if (seg_is(seg[0], sl[0], "people"))
            return set(m, ROUTE_PEOPLE, ROUTER_GET, ALLOW_GET, "/people");
        if (seg_is(seg[0], sl[0], "quotes"))
            return set(m, ROUTE_QUOTES, ROUTER_GET, ALLOW_GET, "/quotes");
        if (seg_is(seg[0], sl[0], "corrections"))
            return set(m, ROUTE_CORRECTIONS, ROUTER_GET, ALLOW_GET, "/corrections");
        if (seg_is(seg[0], sl[0], "health"))
            return set(m, ROUTE_HEALTH, ROUTER_GET, ALLOW_GET, "/health");
        if (seg_is(seg[0], sl[0], "metrics"))
            return set(m, ROUTE_METRICS, ROUTER_GET, ALLOW_GET, "/metrics");
        if (seg_is(seg[0], sl[0], "openapi.yaml"))
            return set(m, ROUTE_OPENAPI, ROUTER_GET, ALLOW_GET, "/openapi.yaml");
        if (seg_is(seg[0], sl[0], "ui"))
            return set(m, ROUTE_UI, ROUTER_GET, ALLOW_GET, "/ui");
        return ROUTE_NONE;
    }
    if (nseg == 2 && seg_is(seg[0], sl[0], "ui")) {
        /* only the files there are: any other name is a 404 for every
         * method, like an unknown path */
        if (!embedded_ui(seg[1], sl[1]))
            return ROUTE_NONE;
        m->file = seg[1];
        m->file_len = sl[1];
        return set(m, ROUTE_UI_FILE, ROUTER_GET, ALLOW_GET, "/ui/{file}");
    }
    if (nseg == 2 && seg_is(seg[0], sl[0], "stats")) {
        if (seg_is(seg[1], sl[1], "timeseries"))
            return set(m, ROUTE_STATS_TIMESERIES, ROUTER_GET, ALLOW_GET, "/stats/timeseries");
        if (seg_is(seg[1], sl[1], "top"))
            return set(m, ROUTE_STATS_TOP, ROUTER_GET, ALLOW_GET, "/stats/top");
        if (seg_is(seg[1], sl[1], "gender"))
            return set(m, ROUTE_STATS_GENDER, ROUTER_GET, ALLOW_GET, "/stats/gender");
        return ROUTE_NONE;
    }
    int64_t id;
    if (router_parse_id(seg[1], sl[1], &id) != 0)
        return ROUTE_NONE;
    m->id = id;
    if (seg_is(seg[0], sl[0], "articles")) {
        if (nseg == 2)
            return set(m, ROUTE_ARTICLE, ROUTER_GET | ROUTER_DELETE, ALLOW_ARTICLE,
                       "/articles/{id}");
        if (seg_is(seg[2], sl[2], "quotes"))
            return set(m, ROUTE_ARTICLE_QUOTES, ROUTER_GET, ALLOW_GET, "/articles/{id}/quotes");
        if (seg_is(seg[2], sl[2], "people"))
            return set(m, ROUTE_ARTICLE_PEOPLE, ROUTER_GET, ALLOW_GET, "/articles/{id}/people");
    } else if (seg_is(seg[0], sl[0], "people")) {
        if (nseg == 2)
            return set(m, ROUTE_PERSON, ROUTER_GET | ROUTER_PATCH, ALLOW_EDIT, "/people/{id}");
        if (seg_is(seg[2], sl[2], "merge"))
            return set(m, ROUTE_PERSON_MERGE, ROUTER_POST, ALLOW_POST, "/people/{id}/merge");
        if (seg_is(seg[2], sl[2], "quotes"))
            return set(m, ROUTE_PERSON_QUOTES, ROUTER_GET, ALLOW_GET, "/people/{id}/quotes");
        if (seg_is(seg[2], sl[2], "articles"))
            return set(m, ROUTE_PERSON_ARTICLES, ROUTER_GET, ALLOW_GET, "/people/{id}/articles");
        if (seg_is(seg[2], sl[2], "co-mentions"))
            return set(m, ROUTE_PERSON_CO_MENTIONS, ROUTER_GET, ALLOW_GET,
                       "/people/{id}/co-mentions");
    } else if (seg_is(seg[0], sl[0], "quotes")) {
        if (nseg == 2)
            return set(m, ROUTE_QUOTE, ROUTER_GET | ROUTER_PATCH, ALLOW_EDIT, "/quotes/{id}");
    }
    m->id = 0;
    return ROUTE_NONE;
}
