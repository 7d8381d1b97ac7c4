#ifndef QUOTEWIRE_HTTP_H
#define QUOTEWIRE_HTTP_H

#include <stddef.h>

#include "api.h"
#include "qw.h"

/* The HTTP server: libmicrohttpd with its internal thread pool and epoll.
 * Only server/http/ includes <microhttpd.h>. */

struct server_config {
    const char *db_path;
    const char *host;           /* "127.0.0.1" */
    unsigned short port;        /* 8080; 0 picks a free port */
    unsigned threads;           /* worker threads (0: number of cores) */
    unsigned connection_limit;  /* total open connections */
    unsigned per_ip_limit;      /* open connections from one address */
    unsigned timeout_s;         /* idle connection timeout */
    unsigned header_timeout_s;  /* a request's headers must be in this long after
                                   the connection opens or its last answer (0: none) */
    unsigned body_timeout_s;    /* and its body this long after its headers (0: none) */
    unsigned rate_limit;        /* requests per second per client address (0: none) */
    unsigned rate_burst;        /* requests above the rate at once (0: the rate) */
    size_t max_body;            /* request body limit in bytes (413 above) */
    const struct api_key *api_keys; /* none: writes refused unless below */
    size_t napi_keys;
    int anonymous_writes;       /* 1: with no key, writes need no key */
    int read_only;              /* 1: a replica: no writes, replaced file reopened */
    /* Host names answered besides IP literals and localhost (DNS rebinding
     * needs a name); "*" answers any */
    const char *const *allowed_hosts;
    size_t nallowed_hosts;
    /* origins granted CORS ("*": any); none: no CORS headers. Both lists
     * must outlive the server. */
    const char *const *cors_origins;
    size_t ncors_origins;
    unsigned query_ms;          /* deadline for one query (503 after it) */
    int no_response_cache;      /* 1: every GET runs its queries (for measuring) */
};

/* Fills cfg with the defaults above. */
void server_config_defaults(struct server_config *cfg);

struct http_server;

/* Starts the daemon.  Its threads inherit the caller's signal mask, so
 * block SIGINT/SIGTERM first.  *out is stopped and freed by http_stop. */
qw_status http_start(const struct server_config *cfg, struct http_server **out, char *err);

/* The port actually bound (useful with port 0). */
unsigned short http_port(const struct http_server *s);

/* Stops accepting, finishes requests in flight, frees everything; NULL ok. */
void http_stop(struct http_server *s);

#endif
