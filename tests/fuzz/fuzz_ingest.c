/* libFuzzer target: any bytes through decoding and article parsing. */
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL, err[QW_ERRLEN];
    size_t len = 0;
    int transcoded = 0;
    if (ingest_decode(data, size, &text, &len, &transcoded) == QW_OK) {
        struct article a;
        if (ingest_parse(text, len, &a, err) == QW_OK) {
            if (a.len > len || a.body_start > a.len || a.title_end > a.len)
                __builtin_trap();
            article_free(&a);
        }
    }
    __builtin_free(text);
    return 0;
}
