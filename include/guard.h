#ifndef QUOTEWIRE_GUARD_H
#define QUOTEWIRE_GUARD_H

#include <sys/socket.h>

#include "qw.h"

/* Limits on what one client may hold, apart from the HTTP library: a
 * deadline for a request's headers and one for its body (the library's own
 * timeout is only an idle timeout, which one byte a second never reaches),
 * and an optional per-address request rate.
 *
 * A watchdog thread checks the deadlines once every GUARD_TICK_MS and ends a
 * connection that passed one with shutdown(2) on its socket, which the HTTP
 * library then sees as the peer closing; the socket is closed by the
 * library, never here, so a descriptor is never touched after it is
 * reused (guard_close is called before the library closes it). */

#define GUARD_TICK_MS 250

struct guard_config {
    unsigned header_s;  /* headers must be complete this long after the
                           connection opens or its previous answer; 0: none */
    unsigned body_s;    /* the body this long after the headers; 0: none */
    unsigned rate;      /* requests per second per client address; 0: no limit */
    unsigned burst;     /* requests above the rate allowed at once (0: rate) */
    void (*on_cut)(int body); /* called (from the watchdog) for each connection
                                 closed at a deadline: body 1 for the body's,
                                 0 for the headers'; NULL: none */
};

struct guard;
struct guard_conn;

qw_status guard_new(const struct guard_config *cfg, struct guard **out);

/* Stops the watchdog and frees everything; every connection must have been
 * closed (guard_close) first.  NULL is fine. */
void guard_free(struct guard *g);

/* A new connection on socket fd from addr, waiting for its headers.
 * NULL when out of memory (the connection is then not guarded). */
struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *addr,
                              socklen_t addrlen);

/* The headers are in: the body deadline starts (a request without a body
 * ends at once, with guard_answered). */
void guard_headers_done(struct guard *g, struct guard_conn *c);

/* The request is answered: no deadline while the answer is sent (the idle
 * timeout covers a client that stops reading). */
void guard_answered(struct guard *g, struct guard_conn *c);

/* The answer is sent: the header deadline of the next request starts
 * (it also bounds how long an idle keep-alive connection stays open). */
void guard_request_done(struct guard *g, struct guard_conn *c);

/* The connection is closing; c is freed.  NULL is fine. */
void guard_close(struct guard *g, struct guard_conn *c);

/* 0 when the connection's address may make another request now, else the
 * whole seconds until it may (the request is to be refused with 429).
 * Always 0 without a rate. */
int guard_rate_check(struct guard *g, struct guard_conn *c);

#endif
