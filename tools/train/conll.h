#ifndef QUOTEWIRE_TOOLS_CONLL_H
#define QUOTEWIRE_TOOLS_CONLL_H

/* Annotated documents for the trainers (tools/train/): reads the JSONL sets
 * of ../shared/eval (one {"text", "entities": [{"type", "start", "end"}]}
 * a line, offsets in code points) and maps the entity spans onto the
 * extractor's own tokens, so that training sees the tokens the extractor
 * sees at run time. */

#include <stddef.h>
#include <stdint.h>

#include "xctx.h"

struct conll_span {
    uint32_t s, e; /* bytes */
    uint8_t tag;   /* enum tagger_tag */
};

struct conll_doc {
    char *text; /* UTF-8, NUL-terminated; owned */
    size_t len;
    struct conll_span *ents; /* owned */
    size_t nents;
};

/* Reads every line of path.  0 and *docs (caller frees with conll_free), or
 * -1 with a message in err. */
int conll_read(const char *path, struct conll_doc **docs, size_t *ndocs, char err[160]);
void conll_free(struct conll_doc *docs, size_t ndocs);

/* Runs the extractor's passes that the tagger reads over d (tok_run,
 * quotes_find, names_find: with no model loaded, the rules alone) into
 * x, which the caller frees with xctx_free; x->text borrows d->text.  0
 * or -1. */
int conll_tokens(const struct conll_doc *d, struct xctx *x);

/* The gold tag of each token of x (TAG_O outside entities): a token takes
 * the type of an entity that covers at least half of its bytes. */
void conll_gold_tags(const struct conll_doc *d, const struct xctx *x, uint8_t *tags);

/* Reads a whole file for a --data NAME=FILE option and hands it to
 * lexicon_override.  0 or -1 with a message in err. */
int conll_data_option(const char *arg, char err[160]);

#endif
