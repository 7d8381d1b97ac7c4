#ifndef QUOTEWIRE_QW_H
#define QUOTEWIRE_QW_H

/* The project's one status enum.  Every fallible function returns one of
 * these (QW_OK == 0) and hands data back through out-parameters.  Error
 * details travel in fixed buffers of QW_ERRLEN bytes, so that reporting an
 * error never allocates (as Jansson's json_error_t does). */

#define QW_ERRLEN 160

typedef enum {
    QW_OK = 0,
    QW_ERR_NOMEM,        /* allocation failed                      -> 503 */
    QW_ERR_IO,           /* file, socket or storage error          -> 500 (503 from the API) */
    QW_ERR_DB,           /* SQLite error (logged, never shown)     -> 500 */
    QW_ERR_BUSY,         /* database locked / deadline passed      -> 503 */
    QW_ERR_NOT_FOUND,    /* no such resource                       -> 404 */
    QW_ERR_BAD_REQUEST,  /* malformed request or parameter         -> 400 */
    QW_ERR_UNAUTHORIZED, /* missing or wrong API key               -> 401 */
    QW_ERR_METHOD,       /* method not allowed on this path        -> 405 */
    QW_ERR_TOO_LARGE,    /* body or file over the limit            -> 413 */
    QW_ERR_MEDIA_TYPE,   /* unsupported Content-Type               -> 415 */
    QW_ERR_INVALID,      /* well-formed but unusable content       -> 422 */
    QW_ERR_EMPTY,        /* empty input (file or text)             -> 422 */
    QW_ERR_BINARY,       /* input is not text                      -> 422 */
    QW_ERR_FULL,         /* disk or database full (SQLITE_FULL)    -> 507 */
    QW_ERR_CONFLICT,     /* the change clashes with what is stored -> 409 */
} qw_status;

/* The HTTP status that a qw_status maps to (200 for QW_OK). */
int qw_status_http(qw_status st);

/* A short, static, human-readable name for a status ("not found"). */
const char *qw_status_str(qw_status st);

/* Sets the process's allocator policy; main calls it first.  Extracting a
 * large article allocates arrays of megabytes; with glibc's default
 * (dynamic) thresholds each extraction maps them afresh and unmaps them
 * after, page-faulting every page again: a 512 KB text of quotation marks
 * ran at a sixth of the rate of news.  Large blocks up to 32 MiB are
 * therefore taken from the heap, and up to 128 MiB of free heap is kept
 * for the next article instead of being returned at once. */
void qw_tune_allocator(void);

#endif
