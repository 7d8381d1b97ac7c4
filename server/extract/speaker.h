#ifndef QUOTEWIRE_EXTRACT_SPEAKER_H
#define QUOTEWIRE_EXTRACT_SPEAKER_H

/* Internal to the extractor: the learned speaker chooser (speaker.c).
 * For each quote the rules (attrib.h) and the text around it propose
 * candidates -- the people named near it, the people its pronouns may
 * mean, the phrases the rules found ("the report"), the speaker of the
 * quote before -- each described by features (strings such as
 * "r:after|cue:said").  A linear model (data/speaker.model, trained by
 * make train) scores them; the best becomes the speaker, and the
 * calibrated probability that it is right the quote's confidence.
 *
 * The model is read once by speaker_init and is read-only after, so
 * speaker_run is safe from several threads. */

#include <stddef.h>

#include "xctx.h"

/* Loads data/speaker.model (through lexicon_data).  A missing model
 * leaves the rules' choices in place.  0, or -1 on allocation failure or
 * a malformed model file. */
int speaker_init(void);
void speaker_free(void);

/* A candidate as the trainer sees it: a person (index into x->p) or a
 * phrase, the features that describe it, and its model score. */
struct speaker_trace {
    size_t quote;              /* index into x->q */
    int person;                /* or -1 */
    const char *phrase;        /* the phrase when person < 0 */
    const char *const *feats;  /* feature strings */
    size_t nfeats;
    double score;              /* w . f (without a model: 1 for the rules' choice) */
};

/* Called once per candidate when tracing; the strings are borrowed for
 * the duration of the call. */
typedef void (*speaker_trace_fn)(void *ctx, const struct speaker_trace *t);

/* Chooses a speaker, cue and confidence for every quote of x (after
 * attrib_run and spans_filter).  trace, when not NULL, sees every
 * candidate of every quote.  0, or -1 on allocation failure. */
int speaker_run(struct xctx *x, speaker_trace_fn trace, void *ctx);

/* extract_run (extract.h), with trace called for every candidate of
 * every quote; for the trainer (tools/train). */
struct extract_result;
int extract_run_traced(const char *text, size_t len, struct extract_result *out, speaker_trace_fn trace,
                       void *ctx);

#endif
