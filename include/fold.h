#ifndef QUOTEWIRE_FOLD_H
#define QUOTEWIRE_FOLD_H

#include <stddef.h>

#include "qw.h"

/* Name folding: the key under which "José Álvarez", "JOSÉ ÁLVAREZ",
 * "Jose Alvarez" and "jose  alvarez" are one name.  Used when storing
 * (people.name_key, person_aliases.alias_key) and when querying (person=,
 * /people?q=), so both sides fold alike.
 *
 * The steps (ICU, locale-independent):
 *   1. NFKC_Casefold: full Unicode case folding ("ß" -> "ss", "Σ"/"ς" ->
 *      "σ", "İ" -> "i" + dot) with compatibility forms ("Ｊ" -> "j",
 *      "ﬁ" -> "fi") and default-ignorable characters (soft hyphen, ZWJ)
 *      dropped;
 *   2. NFD, then the combining diacritical marks (U+0300-036F, U+1AB0-1AFF,
 *      U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) removed: the accents of
 *      Latin, Greek and Cyrillic letters ("é" -> "e", "ά" -> "α",
 *      "ё" -> "е"), but not the vowel signs of Indic scripts nor the
 *      Japanese voicing marks, which are letters' parts rather than
 *      accents; then NFC;
 *   3. typographic apostrophes (U+2018, U+2019, U+02BC) become "'" and
 *      Unicode hyphens (U+2010, U+2011) "-"; runs of white space become one
 *      space, none at either end.
 * This removes what FTS5's unicode61 tokenizer with remove_diacritics 2
 * removes (accents on Latin letters, case) and more (Greek and Cyrillic
 * accents, ß, compatibility forms).  Turkish dotless "ı" stays distinct
 * from "i" (case folding is locale-independent).  Bytes that are not
 * UTF-8 become U+FFFD.  ASCII input takes a fast path with the same
 * result (ASCII letters lower-cased, white space folded).
 *
 * fold_key is idempotent: fold_key(fold_key(s)) == fold_key(s). */

/* Folds s[0..n) into *out (NUL-terminated, malloc'd: the caller frees it)
 * and its length into *outlen (may be NULL).  QW_OK, or QW_ERR_NOMEM
 * (allocation or ICU failure; *out is NULL). */
qw_status fold_key(const char *s, size_t n, char **out, size_t *outlen);

#endif
