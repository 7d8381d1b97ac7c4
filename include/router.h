#ifndef QUOTEWIRE_ROUTER_H
#define QUOTEWIRE_ROUTER_H

#include <stddef.h>
#include <stdint.h>

/* The routing table: a decoded path -> a route and the ids in it.  Ids are
 * positive 64-bit integers written in digits; anything else (letters,
 * zero, overflow) does not match, so it is a 404.  /ui is the explorer's
 * page and /ui/NAME one of its files (only the names embedded_ui knows). */

enum route {
    ROUTE_NONE = 0, ROUTE_ROOT, ROUTE_HEALTH, ROUTE_METRICS, ROUTE_OPENAPI,
    ROUTE_ARTICLES, ROUTE_ARTICLE, ROUTE_ARTICLE_QUOTES, ROUTE_ARTICLE_PEOPLE,
    ROUTE_PEOPLE, ROUTE_PERSON, ROUTE_PERSON_QUOTES, ROUTE_PERSON_ARTICLES,
    ROUTE_QUOTES, ROUTE_QUOTE,
    ROUTE_UI, ROUTE_UI_FILE,
    ROUTE_STATS_TIMESERIES, ROUTE_STATS_TOP, ROUTE_STATS_GENDER, ROUTE_PERSON_CO_MENTIONS,
    ROUTE_PERSON_MERGE, ROUTE_CORRECTIONS,
    ROUTE_COUNT /* keep last: the number of routes, for per-route tables */
};

/* Method bits for the Allow header. */
#define ROUTER_GET 1u
#define ROUTER_POST 2u
#define ROUTER_DELETE 4u
#define ROUTER_PATCH 8u

struct route_match {
    enum route route;
    int64_t id;            /* the {id} in the path, 0 if none */
    unsigned methods;      /* ROUTER_* bits allowed (GET implies HEAD; OPTIONS always) */
    const char *allow;     /* static Allow header value */
    const char *canonical; /* static path template for logs, "/articles/{id}" */
    const char *file;      /* ROUTE_UI_FILE: the NAME in /ui/NAME, pointing into the path */
    size_t file_len;       /* its length (a trailing slash is not part of it) */
};

/* Matches path (NUL-terminated; one trailing slash tolerated).  Returns
 * the route (ROUTE_NONE when nothing matches) and fills *m. */
enum route router_match(const char *path, struct route_match *m);

/* Parses a decimal id: digits only, 1..INT64_MAX.  Returns 0 on success. */
int router_parse_id(const char *s, size_t len, int64_t *out);

#endif
