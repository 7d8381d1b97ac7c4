/* One file -> one article: read (bounded), decode, parse. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest.h"

/* Reads at most max+1 bytes: the size from fstat is only a hint (the file
 * may grow while we read it, or be a pipe). */
static qw_status read_bounded(int fd, size_t max, unsigned char **out, size_t *out_len,
                              char *err)
{
    struct stat sb;
    size_t cap, len = 0;
    unsigned char *buf = NULL;

    if (fstat(fd, &sb) != 0) {
        snprintf(err, QW_ERRLEN, "%s", strerror(errno));
        return QW_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode)) {
        snprintf(err, QW_ERRLEN, "is a directory");
        return QW_ERR_IO;
    }
    if (sb.st_size > 0 && (unsigned long long)sb.st_size > max) {
        snprintf(err, QW_ERRLEN, "larger than %zu bytes", max);
        return QW_ERR_TOO_LARGE;
    }
    cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096;
    if (cap > max + 1)
        cap = max + 1;
    buf = malloc(cap);
    if (!buf)
        return QW_ERR_NOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                free(buf);
                snprintf(err, QW_ERRLEN, "larger than %zu bytes", max);
                return QW_ERR_TOO_LARGE;
            }
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return QW_ERR_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, QW_ERRLEN, "%s", strerror(errno));
            free(buf);
            return QW_ERR_IO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max) {
        free(buf);
        snprintf(err, QW_ERRLEN, "larger than %zu bytes", max);
        return QW_ERR_TOO_LARGE;
    }
    *out = buf;
    *out_len = len;
    return QW_OK;
}

qw_status ingest_read_file(const char *path, size_t max_bytes, struct article *a, char *err)
{
    char ebuf[QW_ERRLEN];
    unsigned char *raw = NULL;
    char *text = NULL;
    size_t raw_len = 0, text_len = 0;
    int transcoded = 0, fd = -1;
    qw_status st;

    memset(a, 0, sizeof *a);
    if (!err)
        err = ebuf;
    err[0] = '\0';
    if (max_bytes == 0)
        max_bytes = INGEST_DEFAULT_MAX_BYTES;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, QW_ERRLEN, "%s", strerror(errno));
        st = QW_ERR_IO;
        goto out;
    }
    st = read_bounded(fd, max_bytes, &raw, &raw_len, err);
    if (st != QW_OK)
        goto out;
    st = ingest_decode(raw, raw_len, &text, &text_len, &transcoded);
    if (st == QW_ERR_BINARY) {
        snprintf(err, QW_ERRLEN, "binary file");
        goto out;
    }
    if (st == QW_ERR_EMPTY) {
        snprintf(err, QW_ERRLEN, "empty file");
        goto out;
    }
    if (st != QW_OK)
        goto out;
    st = ingest_parse(text, text_len, a, err);
    if (st == QW_OK)
        a->transcoded = transcoded;

out:
    if (st != QW_OK && !err[0])
        snprintf(err, QW_ERRLEN, "%s", qw_status_str(st));
    if (fd >= 0)
        close(fd);
    free(raw);
    free(text);
    return st;
}
