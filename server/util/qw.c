#include "qw.h"

#include <malloc.h>

int qw_status_http(qw_status st)
{
    switch (st) {
    case QW_OK: return 200;
    case QW_ERR_NOT_FOUND: return 404;
    case QW_ERR_BAD_REQUEST: return 400;
    case QW_ERR_UNAUTHORIZED: return 401;
    case QW_ERR_METHOD: return 405;
    case QW_ERR_TOO_LARGE: return 413;
    case QW_ERR_MEDIA_TYPE: return 415;
    case QW_ERR_INVALID:
    case QW_ERR_EMPTY:
    case QW_ERR_BINARY: return 422;
    case QW_ERR_FULL: return 507;
    case QW_ERR_CONFLICT: return 409;
    case QW_ERR_NOMEM:
    case QW_ERR_BUSY: return 503;
    case QW_ERR_IO:
    case QW_ERR_DB: return 500;
    }
    return 500;
}

const char *qw_status_str(qw_status st)
{
    switch (st) {
    case QW_OK: return "ok";
    case QW_ERR_NOMEM: return "out of memory";
    case QW_ERR_IO: return "input/output error";
    case QW_ERR_DB: return "database error";
    case QW_ERR_BUSY: return "busy";
    case QW_ERR_NOT_FOUND: return "not found";
    case QW_ERR_BAD_REQUEST: return "bad request";
    case QW_ERR_UNAUTHORIZED: return "unauthorized";
    case QW_ERR_METHOD: return "method not allowed";
    case QW_ERR_TOO_LARGE: return "too large";
    case QW_ERR_MEDIA_TYPE: return "unsupported media type";
    case QW_ERR_INVALID: return "invalid";
    case QW_ERR_EMPTY: return "empty";
    case QW_ERR_BINARY: return "binary";
    case QW_ERR_FULL: return "disk or database full";
    case QW_ERR_CONFLICT: return "conflict";
    }
    return "unknown";
}

void qw_tune_allocator(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest allowed */
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}
