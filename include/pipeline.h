#ifndef QUOTEWIRE_PIPELINE_H
#define QUOTEWIRE_PIPELINE_H

#include <stddef.h>

#include "qw.h"

/* An ordered parallel map: items 0..n-1 are worked on by a few threads and
 * handed to one consumer strictly in item order, so what the consumer does
 * (ids it assigns, warnings it prints, rows it writes) is the same whatever
 * the thread count.  Workers never run more than PIPELINE_AHEAD items ahead
 * of the consumer, which bounds memory.  When the item the consumer waits
 * for has not been claimed by any worker, the consumer works on it itself,
 * so a pipeline also works (slower) if no thread could be started.
 *
 * Ownership: the pipeline owns its slots (slot_size bytes each, zeroed at
 * start); work() fills one, the consumer empties it (releasing whatever
 * work() allocated) before pipeline_release. */

#define PIPELINE_AHEAD 64
#define PIPELINE_MAX_THREADS 8

/* Works on item, filling slot.  worker is 0..threads-1 for the pipeline's
 * threads and `threads` (see pipeline_new) for the consumer, so that ctx
 * can keep state per worker (a database connection) without locks. */
typedef void (*pipeline_work_fn)(void *ctx, int worker, size_t item, void *slot);

struct pipeline;

/* Starts up to threads workers (0: one per core; at most
 * PIPELINE_MAX_THREADS, which is then also the consumer's worker number;
 * none when n < 2) over n items.  On QW_OK *out is
 * the caller's, to end with pipeline_free.  QW_ERR_NOMEM otherwise. */
qw_status pipeline_new(size_t n, size_t slot_size, int threads, pipeline_work_fn work, void *ctx,
                       struct pipeline **out);

/* Waits until item i is done and returns its slot.  The consumer calls it
 * for i = 0, 1, 2, ... in order, each followed by pipeline_release(p, i). */
void *pipeline_get(struct pipeline *p, size_t i);

/* The consumer has emptied item i's slot: it may be reused. */
void pipeline_release(struct pipeline *p, size_t i);

/* Stops the workers and waits for them.  Items claimed but never released
 * are passed to clear (may be NULL) to empty their slots.  Accepts NULL. */
void pipeline_free(struct pipeline *p, void (*clear)(void *slot));

/* Online cores, 1..PIPELINE_MAX_THREADS. */
int pipeline_cpu_count(void);

#endif
