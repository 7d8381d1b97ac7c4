/* libFuzzer target: whole raw HTTP requests through the real server, in
 * this process: libmicrohttpd, the framing checks, the router, the
 * handlers and SQLite over a database of the samples.  Each input is sent
 * on a new connection to 127.0.0.1, the write side is shut (so a request
 * left incomplete ends at once instead of at the header deadline), and the
 * answer is read to the end.  A crash or sanitizer report anywhere in the
 * server is a finding; so is an answer that is not HTTP, or a 500. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db.h"
#include "extract.h"
#include "http.h"
#include "loader.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_server *srv;
static unsigned short port;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    log_set_level(LOG_QUIET);
    static char dir[] = "/tmp/qw-fuzz-http-XXXXXX";
    static char path[64];
    if (!mkdtemp(dir) || extract_init() != 0)
        __builtin_trap();
    snprintf(path, sizeof path, "%s/f.db", dir);
    sqlite3 *db = NULL;
    char err[QW_ERRLEN];
    char *paths[] = {"samples"};
    struct loader_options opt = {0};
    struct loader_summary sum;
    if (db_open(path, DB_READ_WRITE, &db, err) != QW_OK || db_migrate(db, NULL, err) != QW_OK)
        __builtin_trap();
    loader_run(db, paths, 1, &opt, &sum); /* from the repository root; none is fine */
    db_close(db);
    struct server_config cfg;
    server_config_defaults(&cfg);
    cfg.db_path = path;
    cfg.port = 0;
    cfg.threads = 2;
    cfg.anonymous_writes = 1; /* so that writes are reached too */
    cfg.max_body = 64 * 1024;
    cfg.header_timeout_s = 2;
    cfg.per_ip_limit = 0; /* every input comes from 127.0.0.1 */
    cfg.connection_limit = 100000;
    cfg.body_timeout_s = 2;
    if (http_start(&cfg, &srv, err) != QW_OK) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        __builtin_trap();
    }
    port = http_port(srv);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return 0;
    }
    size_t off = 0;
    while (off < size) {
        ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char buf[65536];
    size_t got = 0;
    char head[16] = "";
    for (;;) {
        /* a whole request is answered and the connection kept open (a
         * half-closed client is only noticed at the next read, which the
         * header deadline bounds): once an answer has begun, a pause
         * ends it */
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, got ? 30 : 3000) <= 0)
            break;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        if (got < sizeof head - 1) {
            size_t k = (size_t)n < sizeof head - 1 - got ? (size_t)n : sizeof head - 1 - got;
            memcpy(head + got, buf, k);
            head[got + k] = '\0';
        }
        got += (size_t)n;
    }
    close(fd);
    if (got && strncmp(head, "HTTP/1.", 7) != 0)
        __builtin_trap(); /* something that is not an HTTP answer */
    if (got >= 12 && strncmp(head + 9, "500", 3) == 0)
        __builtin_trap(); /* the client's bytes made the server fail */
    return 0;
}
