#ifndef QUOTEWIRE_UTF8_H
#define QUOTEWIRE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int utf8_valid(const char *s, size_t len);

/* Decodes one code point at s[*i] (i < len), advances *i past it and returns
 * it; an invalid byte yields U+FFFD and advances by one. */
uint32_t utf8_next(const char *s, size_t len, size_t *i);

/* Encodes cp into out (4 bytes room); returns the number of bytes. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
