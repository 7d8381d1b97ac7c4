#ifndef QUOTEWIRE_SEARCH_H
#define QUOTEWIRE_SEARCH_H

#include <stddef.h>

#include "qw.h"
#include "strbuf.h"

/* The q parameter's search syntax, turned into an FTS5 query that cannot
 * be an FTS5 syntax error and never passes FTS5 syntax through (every
 * word or phrase becomes an FTS5 string; quotewire writes the operators).
 *
 *   tax vat           both (terms are ANDed)
 *   tax OR vat        either: OR (upper case) joins the terms either side;
 *                     it binds tighter than AND (a b OR c d = a (b OR c) d),
 *                     and an OR without a term to join on both sides is
 *                     ignored (so is a repeated one: a OR OR b = a OR b)
 *   -tax              not tax; -"tax cut" excludes the phrase
 *   "tax cut"         the words in this order; a quote left open is
 *                     closed at the end; curly quotes count as quotes
 *   tax*              words that begin with tax (at least
 *                     SEARCH_MIN_PREFIX letters or digits before the *)
 *   anything else     a word, matched as FTS5's tokenizer splits it
 *                     ("well-known" is the phrase "well known"; "C++" is
 *                     "c"); a word or phrase without a letter or digit
 *                     ("&", "--", "", a lone - or *) is ignored
 *
 * Terms are separated by white space (and NUL bytes); at most
 * SEARCH_MAX_TERMS words and phrases.  At least one term must not be
 * excluded: FTS5 cannot search for absence alone. */

#define SEARCH_MAX_TERMS 16
#define SEARCH_MIN_PREFIX 2

/* Parses q[0..len) and appends the FTS5 query to *out.  Returns QW_OK;
 * QW_ERR_EMPTY when q is empty or only white space (no search: the caller
 * applies no filter); QW_ERR_BAD_REQUEST with a sentence for the client
 * in err (QW_ERRLEN bytes) when q has no word to search for, only
 * excluded terms, too many terms or a too short prefix; QW_ERR_NOMEM. */
qw_status search_fts(const char *q, size_t len, struct strbuf *out, char *err);

#endif
