#ifndef QUOTEWIRE_EXTRACT_SPANS_H
#define QUOTEWIRE_EXTRACT_SPANS_H

/* Internal to the extractor: the last pass over quotation spans, after
 * attribution, that drops spans which are not quotations (so that dropping
 * one never changes who says the quotes around it). */

#include "xctx.h"

/* Drops from x->q the spans that are not quotations; never fails. */
void spans_filter(struct xctx *x);

#endif
