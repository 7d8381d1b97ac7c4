#ifndef QUOTEWIRE_CURSOR_H
#define QUOTEWIRE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Keyset pagination cursors: the sort key of the last item on a page, made
 * opaque (base64url) and tamper-checked (a keyed checksum over the list,
 * the sort and the values).  A cursor only decodes for the list and sort
 * it was made for. */

enum cursor_list {
    CUR_ARTICLES = 1, CUR_PEOPLE, CUR_QUOTES, CUR_ARTICLE_QUOTES, CUR_ARTICLE_PEOPLE,
    CUR_CORRECTIONS
};

enum cursor_sort {
    SORT_ID = 1, SORT_ID_DESC, SORT_PUBLISHED, SORT_PUBLISHED_DESC, SORT_RANK,
    SORT_NAME, SORT_NAME_DESC, SORT_QUOTES, SORT_QUOTES_DESC, SORT_ARTICLES,
    SORT_ARTICLES_DESC, SORT_START, SORT_FIRST
};

enum cursor_key { CKEY_NONE, CKEY_INT, CKEY_REAL, CKEY_TEXT };

#define CURSOR_MAX_TEXT 4096

struct cursor {
    enum cursor_list list;
    enum cursor_sort sort;
    int64_t id;          /* last item's id: the tie breaker */
    int key_null;        /* 1: the sort key was NULL (published) */
    int64_t ikey;
    double dkey;
    size_t skey_len;
    char skey[CURSOR_MAX_TEXT + 1];
};

/* The kind of key a sort orders by, besides the id. */
enum cursor_key cursor_key_of(enum cursor_sort s);

/* Appends the encoded cursor to sb.  Returns 0, or -1 on allocation
 * failure or a text key longer than CURSOR_MAX_TEXT. */
int cursor_encode(const struct cursor *c, struct strbuf *sb);

/* Decodes s[0..len) into *c.  Returns 0 only when it is well formed, its
 * check matches and it belongs to list and sort; else -1. */
int cursor_decode(const char *s, size_t len, enum cursor_list list, enum cursor_sort sort,
                  struct cursor *c);

#endif
