#ifndef QUOTEWIRE_STRBUF_H
#define QUOTEWIRE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* A growable byte buffer, always NUL-terminated when p != NULL.
 * The struct owns p; strbuf_free releases it.  A zeroed struct
 * (STRBUF_INIT) is a valid empty buffer.  Functions return 0 on success and
 * -1 on allocation failure or size overflow, leaving the buffer as it was. */
struct strbuf {
    char *p;
    size_t len, cap;
};

#define STRBUF_INIT {NULL, 0, 0}

int strbuf_reserve(struct strbuf *sb, size_t extra);
int strbuf_append(struct strbuf *sb, const char *data, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_putc(struct strbuf *sb, char c);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb); /* len = 0, keeps memory */
void strbuf_free(struct strbuf *sb);  /* accepts NULL; leaves an empty buffer */

/* Hands the buffer to the caller (who frees it with free()) and leaves sb
 * empty.  Returns "" copied on the heap when sb is empty; NULL on OOM. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
