/* libFuzzer target: any bytes through the extractor. */
#include <stddef.h>
#include <stdint.h>

#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready)
        ready = extract_init() == 0;
    struct extract_result x;
    if (extract_run((const char *)data, size, &x) == 0) {
        for (size_t i = 0; i < x.nquotes; i++)
            if (x.quotes[i].start > x.quotes[i].end || x.quotes[i].end > size)
                __builtin_trap();
        for (size_t i = 0; i < x.npeople; i++)
            for (size_t m = 0; m < x.people[i].nmentions; m++)
                if (x.people[i].mentions[m].end > size)
                    __builtin_trap();
        extract_result_free(&x);
    }
    return 0;
}
