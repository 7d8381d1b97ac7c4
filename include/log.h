#ifndef QUOTEWIRE_LOG_H
#define QUOTEWIRE_LOG_H

/* Logging to stderr, one line per call, prefixed with the level.
 * Thread-safe (one fprintf per line).  log_set_level filters by level. */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_QUIET };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Seconds on a monotonic clock. */
double log_now(void);

/* A progress line that a long command redraws in place on stderr (load,
 * reextract).  on: drawing is wanted (stderr is a terminal); shown: a line
 * is on screen; last: when it was drawn. */
struct log_progress {
    int on, shown;
    double last;
};

/* 1 when a new line is due (on, and 0.1 s since the last): the caller
 * prints it with "\r\033[K" first and then sets p->shown. */
int log_progress_due(struct log_progress *p);

/* Erases the progress line if one is shown. */
void log_progress_clear(struct log_progress *p);

#endif
