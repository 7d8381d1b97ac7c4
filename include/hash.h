#ifndef QUOTEWIRE_HASH_H
#define QUOTEWIRE_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 64 /* SHA-256 as lowercase hex, without the NUL */

/* SHA-256 of data[0..len) written to out as 64 hex digits and a NUL. */
void hash_sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1]);

#endif
