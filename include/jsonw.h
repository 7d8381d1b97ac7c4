#ifndef QUOTEWIRE_JSONW_H
#define QUOTEWIRE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* A JSON writer that appends to a strbuf: the read path renders rows
 * straight into the response body instead of building a Jansson tree per
 * row and dumping it.  The text is byte for byte what Jansson's
 * json_dumps(JSONW_DUMP_FLAGS) gives for the same values, so a document
 * may be written partly here and partly by Jansson, and a tree parsed
 * from it (json_loadb with JSONW_LOAD_FLAGS) dumps back to the same text.
 * Every function returns 0, or -1 when out of memory (the buffer may then
 * hold part of the value: callers give up on the whole document). */

/* How Jansson is asked to dump what this writer also writes, and to load
 * it back (a string may hold U+0000, written as \u0000). */
#define JSONW_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
#define JSONW_LOAD_FLAGS JSON_ALLOW_NUL

/* A string of s[0..n): '"', '\\' and control characters escaped (\b \f
 * \n \r \t, others \u00XX), everything else as it is; bytes that are not
 * UTF-8 become U+FFFD rather than failing the document. */
int jsonw_str(struct strbuf *sb, const char *s, size_t n);
/* jsonw_str of a NUL-terminated string; NULL writes null. */
int jsonw_cstr(struct strbuf *sb, const char *s);
int jsonw_int(struct strbuf *sb, int64_t v);
/* %.15g, with ".0" when that looks like an integer, and the exponent
 * without '+' or leading zeros (Jansson's form); null if not finite. */
int jsonw_real(struct strbuf *sb, double v);
int jsonw_bool(struct strbuf *sb, int v);
int jsonw_null(struct strbuf *sb);

#endif
