/* The ordered parallel map behind load and reextract.  Workers only touch
 * the slot of the item they claimed; the consumer takes slots strictly in
 * order and releases each before any worker may claim the item that
 * reuses it (item + PIPELINE_AHEAD). */
#include "pipeline.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct pipeline {
    size_t n, slot_size;
    pipeline_work_fn work;
    void *ctx;
    unsigned char *slots; /* PIPELINE_AHEAD * slot_size */
    int done[PIPELINE_AHEAD];
    pthread_mutex_t mu;
    pthread_cond_t cv_done;  /* a slot became done */
    pthread_cond_t cv_space; /* the consumer moved on */
    size_t next;             /* next item to claim */
    size_t released;         /* items the consumer has finished */
    size_t consumer_waits;   /* the item the consumer sleeps on, or SIZE_MAX */
    int workers_waiting;     /* workers asleep on cv_space */
    int stop;
    int threads; /* asked for; the consumer's worker number */
    int started;
    pthread_t tid[PIPELINE_MAX_THREADS];
};

static void *slot_of(struct pipeline *p, size_t i)
{
    return p->slots + (i % PIPELINE_AHEAD) * p->slot_size;
}

/* Claims the next item and works on it.  Called with mu held; returns
 * with mu held. */
static void claim_and_work(struct pipeline *p, int worker)
{
    size_t i = p->next++;
    pthread_mutex_unlock(&p->mu);
    p->work(p->ctx, worker, i, slot_of(p, i));
    pthread_mutex_lock(&p->mu);
    p->done[i % PIPELINE_AHEAD] = 1;
    if (p->consumer_waits == i) /* waking the consumer for nothing costs */
        pthread_cond_signal(&p->cv_done);
}

struct worker_arg {
    struct pipeline *p;
    int worker;
};

static void *worker_main(void *arg)
{
    struct worker_arg wa = *(struct worker_arg *)arg;
    struct pipeline *p = wa.p;
    free(arg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next < p->n && p->next >= p->released + PIPELINE_AHEAD) {
            p->workers_waiting++;
            pthread_cond_wait(&p->cv_space, &p->mu);
            p->workers_waiting--;
        }
        if (p->stop || p->next >= p->n)
            break;
        claim_and_work(p, wa.worker);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pipeline_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > PIPELINE_MAX_THREADS)
        n = PIPELINE_MAX_THREADS;
    return (int)n;
}

qw_status pipeline_new(size_t n, size_t slot_size, int threads, pipeline_work_fn work, void *ctx,
                       struct pipeline **out)
{
    *out = NULL;
    if (threads <= 0)
        threads = pipeline_cpu_count();
    if (threads > PIPELINE_MAX_THREADS)
        threads = PIPELINE_MAX_THREADS;
    if (slot_size == 0)
        slot_size = 1;
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return QW_ERR_NOMEM;
    p->slots = calloc(PIPELINE_AHEAD, slot_size);
    if (!p->slots) {
        free(p);
        return QW_ERR_NOMEM;
    }
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->slots);
        free(p);
        return QW_ERR_NOMEM;
    }
    if (pthread_cond_init(&p->cv_done, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p->slots);
        free(p);
        return QW_ERR_NOMEM;
    }
    if (pthread_cond_init(&p->cv_space, NULL) != 0) {
        pthread_cond_destroy(&p->cv_done);
        pthread_mutex_destroy(&p->mu);
        free(p->slots);
        free(p);
        return QW_ERR_NOMEM;
    }
    p->n = n;
    p->slot_size = slot_size;
    p->work = work;
    p->ctx = ctx;
    p->consumer_waits = SIZE_MAX;
    p->threads = threads;
    for (int i = 0; n > 1 && i < threads; i++) {
        struct worker_arg *wa = malloc(sizeof *wa);
        if (!wa)
            break;
        wa->p = p;
        wa->worker = p->started;
        if (pthread_create(&p->tid[p->started], NULL, worker_main, wa) != 0) {
            free(wa);
            break;
        }
        p->started++;
    }
    *out = p;
    return QW_OK;
}

void *pipeline_get(struct pipeline *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    while (!p->done[i % PIPELINE_AHEAD]) {
        if (p->next == i) {
            claim_and_work(p, p->threads); /* nobody has it: do it here */
        } else {
            p->consumer_waits = i;
            pthread_cond_wait(&p->cv_done, &p->mu);
            p->consumer_waits = SIZE_MAX;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return slot_of(p, i);
}

void pipeline_release(struct pipeline *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    p->done[i % PIPELINE_AHEAD] = 0;
    p->released = i + 1;
    if (p->workers_waiting)
        pthread_cond_broadcast(&p->cv_space);
    pthread_mutex_unlock(&p->mu);
}

void pipeline_free(struct pipeline *p, void (*clear)(void *slot))
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv_space);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->tid[i], NULL);
    /* after a stop, items claimed (and, the workers joined, done) but
     * never released */
    for (size_t i = p->released; i < p->next; i++) {
        if (clear)
            clear(slot_of(p, i));
        p->done[i % PIPELINE_AHEAD] = 0;
    }
    pthread_cond_destroy(&p->cv_space);
    pthread_cond_destroy(&p->cv_done);
    pthread_mutex_destroy(&p->mu);
    free(p->slots);
    free(p);
}
