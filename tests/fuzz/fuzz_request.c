/* libFuzzer target: the request-line pieces a client controls that are
 * parsed before any query runs: the path (router) and the cursor. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct route_match m;
    router_match(s, &m);
    int64_t id;
    router_parse_id(s, size, &id);
    for (int list = CUR_ARTICLES; list <= CUR_CORRECTIONS; list++) {
        struct cursor c;
        if (cursor_decode(s, size, (enum cursor_list)list, SORT_ID, &c) == 0 &&
            c.list != (enum cursor_list)list)
            __builtin_trap(); /* a cursor must never be accepted for another list */
    }
    free(s);
    return 0;
}
