#ifndef QUOTEWIRE_EXTRACT_TAGGER_H
#define QUOTEWIRE_EXTRACT_TAGGER_H

/* Internal to the extractor: an averaged-perceptron entity tagger over the
 * tokens of one struct xctx (tok.c), in the shape of CRFsuite and spaCy's
 * first tagger: the feature functions live here, the weights in
 * data/tagger.model, the trainer in tools/train/train_tagger.c.
 *
 * Tags are IO, not BIO: one tag per token from {O, PER, ORG, LOC, MISC}.
 * Only capitalised words are tagged (tagger_candidate); every other token
 * is O.  IO cannot mark where one entity ends and the next of the same
 * type begins when they touch, which happens for 70 of the 23,499
 * entities of CoNLL-2003 train (0.3%; elsewhere a comma, "and" or a line
 * break separates them), and it halves the number of classes the
 * perceptron must separate.  The name
 * rules in names.c choose the span of a mention; the tagger, which reads
 * their mentions among its features, is the evidence for or against it.
 *
 * Features are 32-bit hashes (no string is built per token), about 33 a
 * candidate; the weights are int16 in a cuckoo table read without
 * branches.
 *
 * The model is read once by tagger_init and is read-only afterwards, so
 * tagger_run is safe from several threads at once. */

#include <stddef.h>
#include <stdint.h>

#include "xctx.h"

enum tagger_tag { TAG_O = 0, TAG_PER, TAG_ORG, TAG_LOC, TAG_MISC, TAGGER_NTAGS };

/* The most features one token can have (tagger_features fills at most
 * this many). */
#define TAGGER_MAXFEAT 64

/* The name of the model among the data files (lexicon_data). */
#define TAGGER_MODEL "tagger.model"

/* Status of tagger_init. */
enum tagger_status {
    TAGGER_OK = 0,
    TAGGER_NOMEM = -1,
    TAGGER_BADMODEL = -2, /* not a model file, truncated, or failed checksum */
};

/* Loads data file TAGGER_MODEL (lexicon_data, so --data overrides it).  An
 * absent or empty model leaves the tagger off (tagger_run does nothing and
 * the rules work alone); that is TAGGER_OK too.  Call after lexicon_init;
 * later calls are no-ops. */
int tagger_init(void);
void tagger_free(void);

/* 1 when a model is loaded. */
int tagger_enabled(void);

/* Tags the candidate tokens of x: allocates x->tg (one struct xtag per
 * token, owned by x, freed by xctx_free) when a model is loaded, leaves it
 * NULL otherwise.  names_find calls it once the rules have put TF_NAME on
 * their mentions, which the features read.  0, or -1 on allocation
 * failure. */
int tagger_run(struct xctx *x);

/* ---- for the trainer: the same features and document state ---- */

/* Per-text evidence that the features read: word and shape hashes per
 * token, line flags, the set of words written in lower case, and the tag
 * each capitalised word got last (filled as tagging goes left to right).
 * Owned by the caller; tagger_doc_free releases the arrays. */
struct tagger_doc {
    uint64_t *wh;     /* per token: case-folded word hash (x->wh if set) */
    uint32_t *shape;  /* per token: word-shape hash ("Xxxx", "dd-dd") */
    uint8_t *line;    /* per token: enum tagger_line bits */
    uint8_t *tag;     /* per token: tag so far (TAG_O when not yet tagged) */
    uint64_t *lower;  /* hash set of words written in lower case: */
    size_t nlower;    /* names.c's x->lower (borrowed) when it has one */
    int lower_owned;
    uint64_t *seen;   /* hash map word -> last tag: (hash & ~7) | tag + 1 */
    size_t nseen;
};

/* Builds d for the tokens of x (after tok_run).  0 or -1 (allocation). */
int tagger_doc_init(struct tagger_doc *d, const struct xctx *x);
void tagger_doc_free(struct tagger_doc *d);

/* 1 if token i of x is tagged at all (a capitalised word). */
int tagger_candidate(const struct xctx *x, size_t i);

/* The feature hashes of candidate token i, given the tags of the tokens
 * before it in d->tag; writes at most TAGGER_MAXFEAT to f, returns how
 * many. */
size_t tagger_features(const struct xctx *x, const struct tagger_doc *d, size_t i, uint32_t *f);

/* Records tag for token i (d->tag and the word's last tag). */
void tagger_doc_note(struct tagger_doc *d, const struct xctx *x, size_t i, int tag);

/* Model encoding, for the trainer.  feats[k] has weights w[k * NTAGS ..];
 * keys must be distinct and non-zero.  Weights are stored as int16 times
 * scale; the encoder picks scale from the largest weight.  Returns a
 * malloc'd buffer (caller frees) and its length in *len, or NULL. */
char *tagger_model_encode(const uint32_t *feats, const float *w, size_t n, size_t *len);

#endif
