/* Per-connection deadlines and a per-address request rate (guard.h). */
#include "guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

/* Buckets of the rate limit: a fixed table, so that many addresses cost
 * no more memory than a few; an address looks in GUARD_PROBE slots from its
 * hash and, when none is its own, takes the one used longest ago. */
#define GUARD_BUCKETS 8192
#define GUARD_PROBE 8

enum phase { PH_HEADERS, PH_BODY, PH_ANSWER };

struct guard_conn {
    struct guard_conn *prev, *next;
    int fd;
    enum phase phase;
    int64_t deadline_ms; /* monotonic; 0: none */
    int cut;             /* shut down already */
    uint64_t addr_key;   /* 0: no address (not rate limited) */
};

struct bucket {
    uint64_t key; /* 0: free */
    double tokens;
    int64_t last_ms;
};

struct guard {
    pthread_mutex_t lock; /* the list, the phases and the stop flag */
    pthread_cond_t wake;
    pthread_t thread;
    int running, stop;
    struct guard_conn *head;
    int64_t header_ms, body_ms;
    void (*on_cut)(int body);
    double rate, burst;
    pthread_mutex_t rate_lock;
    struct bucket *buckets;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void *watchdog(void *arg)
{
    struct guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        int64_t now = now_ms();
        for (struct guard_conn *c = g->head; c; c = c->next) {
            if (c->cut || !c->deadline_ms || now < c->deadline_ms)
                continue;
            /* the library sees end of stream and closes the connection
             * itself; the descriptor stays valid until guard_close */
            shutdown(c->fd, SHUT_RDWR);
            c->cut = 1;
            if (g->on_cut)
                g->on_cut(c->phase == PH_BODY);
            log_debug("connection %d: %s deadline passed, closed", c->fd,
                      c->phase == PH_BODY ? "body" : "header");
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += GUARD_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &until);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

qw_status guard_new(const struct guard_config *cfg, struct guard **out)
{
    *out = NULL;
    struct guard *g = calloc(1, sizeof *g);
    if (!g)
        return QW_ERR_NOMEM;
    pthread_mutex_init(&g->lock, NULL);
    pthread_mutex_init(&g->rate_lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    g->header_ms = (int64_t)cfg->header_s * 1000;
    g->body_ms = (int64_t)cfg->body_s * 1000;
    g->on_cut = cfg->on_cut;
    g->rate = cfg->rate;
    g->burst = cfg->burst ? cfg->burst : cfg->rate;
    if (cfg->rate) {
        g->buckets = calloc(GUARD_BUCKETS, sizeof *g->buckets);
        if (!g->buckets) {
            guard_free(g);
            return QW_ERR_NOMEM;
        }
    }
    if (g->header_ms || g->body_ms) {
        if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
            guard_free(g);
            return QW_ERR_NOMEM;
        }
        g->running = 1;
    }
    *out = g;
    return QW_OK;
}

void guard_free(struct guard *g)
{
    if (!g)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->lock);
        g->stop = 1;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->lock);
        pthread_join(g->thread, NULL);
    }
    while (g->head) { /* none should be left; freed all the same */
        struct guard_conn *c = g->head;
        g->head = c->next;
        free(c);
    }
    free(g->buckets);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->rate_lock);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* An IPv4 address, or an IPv6 address's /64 (what one client holds), as a
 * nonzero key; an IPv4-mapped IPv6 address counts as its IPv4 address. */
static uint64_t addr_key(const struct sockaddr *a, socklen_t len)
{
    uint64_t k = 0;
    if (a && a->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)a;
        k = 0x400000000ull | (uint64_t)ntohl(v4->sin_addr.s_addr);
    } else if (a && a->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)a;
        const unsigned char *b = v6->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (memcmp(b, mapped, 12) == 0) {
            k = 0x400000000ull | ((uint64_t)b[12] << 24 | (uint64_t)b[13] << 16 |
                                  (uint64_t)b[14] << 8 | b[15]);
        } else {
            for (int i = 0; i < 8; i++)
                k = k << 8 | b[i];
            k = mix(k ^ 0x6666);
        }
    }
    return k ? k : 1;
}

struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *addr,
                              socklen_t addrlen)
{
    struct guard_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->phase = PH_HEADERS;
    c->addr_key = addr_key(addr, addrlen);
    pthread_mutex_lock(&g->lock);
    c->deadline_ms = g->header_ms ? now_ms() + g->header_ms : 0;
    c->next = g->head;
    if (g->head)
        g->head->prev = c;
    g->head = c;
    pthread_mutex_unlock(&g->lock);
    return c;
}

static void set_phase(struct guard *g, struct guard_conn *c, enum phase p, int64_t after_ms)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    c->phase = p;
    c->deadline_ms = after_ms ? now_ms() + after_ms : 0;
    pthread_mutex_unlock(&g->lock);
}

void guard_headers_done(struct guard *g, struct guard_conn *c)
{
    set_phase(g, c, PH_BODY, g->body_ms);
}

void guard_answered(struct guard *g, struct guard_conn *c)
{
    set_phase(g, c, PH_ANSWER, 0);
}

void guard_request_done(struct guard *g, struct guard_conn *c)
{
    set_phase(g, c, PH_HEADERS, g->header_ms);
}

void guard_close(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

int guard_rate_check(struct guard *g, struct guard_conn *c)
{
    if (!g->buckets || !c)
        return 0;
    uint64_t key = c->addr_key;
    size_t h = (size_t)(mix(key) % GUARD_BUCKETS);
    int64_t now = now_ms();
    int wait = 0;
    pthread_mutex_lock(&g->rate_lock);
    struct bucket *b = NULL, *oldest = NULL;
    for (size_t i = 0; i < GUARD_PROBE; i++) {
        struct bucket *x = &g->buckets[(h + i) % GUARD_BUCKETS];
        if (x->key == key) {
            b = x;
            break;
        }
        if (!oldest || x->key == 0 || (oldest->key != 0 && x->last_ms < oldest->last_ms))
            oldest = x;
    }
    if (!b) {
        b = oldest;
        b->key = key;
        b->tokens = g->burst;
        b->last_ms = now;
    }
    b->tokens += (double)(now - b->last_ms) / 1000.0 * g->rate;
    if (b->tokens > g->burst)
        b->tokens = g->burst;
    b->last_ms = now;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        double s = (1.0 - b->tokens) / g->rate;
        wait = (int)s + (s > (int)s ? 1 : 0);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&g->rate_lock);
    return wait;
}
