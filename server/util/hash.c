#include "hash.h"

#include <nettle/sha2.h>

void hash_sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    struct sha256_ctx ctx;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[HASH_HEX_LEN] = '\0';
}
