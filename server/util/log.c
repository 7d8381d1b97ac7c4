#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level current = LOG_INFO;

void log_set_level(enum log_level lvl)
{
    current = lvl;
}

enum log_level log_get_level(void)
{
    return current;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warning", "error", ""};
    if (lvl < current)
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "quotewire: %s: ", names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* one write per line keeps lines whole across threads */
    fprintf(stderr, "%s\n", line);
}

double log_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int log_progress_due(struct log_progress *p)
{
    if (!p->on)
        return 0;
    double t = log_now();
    if (t - p->last < 0.1)
        return 0;
    p->last = t;
    return 1;
}

void log_progress_clear(struct log_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        p->shown = 0;
    }
}
