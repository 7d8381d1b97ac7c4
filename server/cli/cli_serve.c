/* quotewire serve: options, database migration, the daemon, signals. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "db.h"
#include "extract.h"
#include "http.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quotewire serve [OPTIONS]\n\n"
            "Serves the HTTP JSON API over the database.\n"
            "  --db FILE              database (default $QUOTEWIRE_DB or quotewire.db);\n"
            "                         it must exist (made by 'quotewire load') unless\n"
            "  --create               is given: then a missing FILE is created empty\n"
            "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080;\n"
            "                         $QUOTEWIRE_LISTEN); port 0 picks a free one\n"
            "  --threads N            worker threads (default: cores; $QUOTEWIRE_THREADS)\n"
            "  --api-key-file FILE    require 'Authorization: Bearer KEY' for writes; lines\n"
            "                         NAME KEY (or a key alone), NAME kept in the audit trail\n"
            "                         ($QUOTEWIRE_API_KEY_FILE)\n"
            "  --max-body BYTES       request body limit (default 1048576; $QUOTEWIRE_MAX_BODY)\n"
            "  --timeout SECONDS      idle connection timeout (default 30)\n"
            "  --header-timeout S     a request's headers must be in within S seconds of\n"
            "                         the connection opening or the previous answer\n"
            "                         (default 10; also ends idle keep-alive; 0: none)\n"
            "  --body-timeout S       and its body within S seconds of the headers\n"
            "                         (default 60; 0: none)\n"
            "  --connection-limit N   open connections (default 4096)\n"
            "  --per-ip-limit N       open connections per client address (default 1024;\n"
            "                         0: none, for use behind a reverse proxy)\n"
            "  --rate-limit N         requests per second per client address, 429 above\n"
            "                         (default 0: no limit; IPv6 counts per /64)\n"
            "  --rate-burst N         requests above the rate allowed at once\n"
            "                         (default: the rate)\n"
            "  --query-timeout MS     deadline of one request's queries (default 2000)\n"
            "  --cors-origin ORIGIN   let web pages from ORIGIN (https://dash.example:3000)\n"
            "                         read the API (repeatable; '*' for any page); by\n"
            "                         default no CORS headers are sent\n"
            "  --no-cors              no CORS headers (the default)\n"
            "  --no-response-cache    run every GET's queries (rendered answers are cached per\n"
            "                         thread by default, until the database changes)\n"
            "  --allowed-host NAME    also answer requests whose Host is NAME (repeatable;\n"
            "                         '*' for any); IP addresses and localhost always are,\n"
            "                         other names get 421, so DNS rebinding fails\n"
            "  --allow-anonymous-writes\n"
            "                         without --api-key-file, let anyone POST and DELETE\n"
            "                         (default: writes need a key, and without one are\n"
            "                         refused with 403)\n"
            "  --read-only            never write FILE (a replica: Litestream restores, a\n"
            "                         read-only directory): no migration, writes get 403,\n"
            "                         and a FILE replaced by a new version (renamed over\n"
            "                         it) is served without a restart\n"
            "  --log-level LEVEL      debug, info, warn, error or quiet ($QUOTEWIRE_LOG_LEVEL)\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s)
        return -1;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (max - (unsigned)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (unsigned)(*p - '0');
    }
    *out = v;
    return 0;
}

static int parse_level(const char *s, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error", "quiet"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    return -1;
}

/* "*", or an origin as browsers send it: http(s)://host[:port], no path. */
static int valid_origin(const char *o)
{
    if (strcmp(o, "*") == 0)
        return 1;
    const char *h = !strncmp(o, "https://", 8) ? o + 8 : !strncmp(o, "http://", 7) ? o + 7 : NULL;
    return h && *h && !strchr(h, '/') && strlen(o) < 256;
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" (all interfaces) or "PORT". */
static int parse_listen(const char *s, char *host, size_t hostsz, unsigned short *port)
{
    const char *colon;
    unsigned long long p;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        size_t n = (size_t)(close - s - 1);
        if (n == 0 || n >= hostsz)
            return -1;
        memcpy(host, s + 1, n);
        host[n] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon) {
            if (parse_uint(s, 65535, &p) != 0)
                return -1;
            snprintf(host, hostsz, "127.0.0.1");
            *port = (unsigned short)p;
            return 0;
        }
        size_t n = (size_t)(colon - s);
        if (n >= hostsz)
            return -1;
        memcpy(host, s, n);
        host[n] = '\0';
    }
    if (parse_uint(colon + 1, 65535, &p) != 0)
        return -1;
    *port = (unsigned short)p;
    return 0;
}

/* Reads the key: the file's first line, surrounding whitespace trimmed. */
/* The API key file: one key per line, "NAME KEY" (the name the audit
 * trail records that key's writes under) or a key alone (named
 * "default"); blank lines and lines starting with '#' are skipped.
 * Returns the number of keys (> 0), or -1 after printing why. */
static int read_keys(const char *path, struct api_key **out, char **buf_out)
{
    *out = NULL;
    *buf_out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "quotewire serve: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(65536 + 1);
    size_t n = buf ? fread(buf, 1, 65536 + 1, f) : 0;
    fclose(f);
    if (!buf || n > 65536) {
        fprintf(stderr, "quotewire serve: %s: %s\n", path,
                buf ? "larger than 64 KiB: not a key file" : "out of memory");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    struct api_key *keys = NULL;
    int nkeys = 0, line = 0;
    const char *why = NULL;
    for (char *p = buf, *next; p && *p && !why; p = next) {
        line++;
        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        size_t len = strlen(p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        char *name = "default", *key = p, *sp = strpbrk(p, " \t");
        if (sp) {
            *sp++ = '\0';
            while (*sp == ' ' || *sp == '\t')
                sp++;
            name = p;
            key = sp;
            if (strpbrk(key, " \t")) {
                why = "a line is NAME KEY: the key holds a space";
                break;
            }
            for (const char *c = name; *c && !why; c++)
                if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.' ||
                      *c == '@'))
                    why = "a key name is letters, digits and - _ . @";
            if (strlen(name) > 64)
                why = "a key name is at most 64 characters";
        }
        for (int i = 0; i < nkeys && !why; i++) {
            if (strcmp(keys[i].name, name) == 0)
                why = "two keys have the same name";
            else if (strcmp(keys[i].key, key) == 0)
                why = "the same key is there twice";
        }
        if (why)
            break;
        struct api_key *k = realloc(keys, (size_t)(nkeys + 1) * sizeof *k);
        if (!k) {
            why = "out of memory";
            break;
        }
        keys = k;
        keys[nkeys].name = name;
        keys[nkeys].key = key;
        nkeys++;
    }
    if (!why && !nkeys)
        why = "no key in it";
    if (why) {
        fprintf(stderr, "quotewire serve: %s, line %d: %s\n", path, line, why);
        free(keys);
        free(buf);
        return -1;
    }
    *out = keys;
    *buf_out = buf;
    return nkeys;
}

int cli_serve(int argc, char **argv)
{
    struct server_config cfg;
    server_config_defaults(&cfg);
    cfg.db_path = cli_default_db();
    const char *listen = getenv("QUOTEWIRE_LISTEN");
    const char *threads = getenv("QUOTEWIRE_THREADS");
    const char *key_file = getenv("QUOTEWIRE_API_KEY_FILE");
    const char *max_body = getenv("QUOTEWIRE_MAX_BODY");
    const char *level = getenv("QUOTEWIRE_LOG_LEVEL");
    const char *timeout = NULL, *conn_limit = NULL, *ip_limit = NULL, *query_ms = NULL;
    const char *header_timeout = NULL, *body_timeout = NULL, *rate = NULL, *burst = NULL;
    int create = 0;
    if (listen && !*listen)
        listen = NULL;
    if (threads && !*threads)
        threads = NULL;
    if (key_file && !*key_file)
        key_file = NULL;
    if (max_body && !*max_body)
        max_body = NULL;
    if (level && !*level)
        level = NULL;

    static const struct {
        const char *name;
        int which;
    } opts[] = {{"--db", 0},      {"--listen", 1},          {"--threads", 2},
                {"--api-key-file", 3}, {"--max-body", 4},   {"--timeout", 5},
                {"--connection-limit", 6}, {"--per-ip-limit", 7}, {"--query-timeout", 8},
                {"--log-level", 9}, {"--allowed-host", 10}, {"--cors-origin", 11},
                {"--header-timeout", 12}, {"--body-timeout", 13}, {"--rate-limit", 14},
                {"--rate-burst", 15}};
    /* --allowed-host and --cors-origin values, each list at most this long
     * (one allowed-host slot is the --listen name's); they live as long
     * as the server, which runs inside this function */
    enum { MAX_NAMES = 32 };
    const char *hosts[MAX_NAMES];
    size_t nhosts = 0;
    int bad_host = 0;
    const char *origins[MAX_NAMES];
    size_t norigins = 0;
    int bad_origin = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(arg, "--no-cors")) {
            norigins = 0; /* the default; kept so older scripts still start */
            continue;
        }
        if (!strcmp(arg, "--no-response-cache")) {
            cfg.no_response_cache = 1;
            continue;
        }
        if (!strcmp(arg, "--read-only")) {
            cfg.read_only = 1;
            continue;
        }
        if (!strcmp(arg, "--allow-anonymous-writes")) {
            cfg.anonymous_writes = 1;
            continue;
        }
        if (!strcmp(arg, "--create")) {
            create = 1;
            continue;
        }
        int which = -1;
        const char *val = NULL;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            size_t n = strlen(opts[k].name);
            if (!strncmp(arg, opts[k].name, n) && (arg[n] == '\0' || arg[n] == '=')) {
                which = opts[k].which;
                if (arg[n] == '=')
                    val = arg + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                break;
            }
        }
        if (which < 0 || !val) {
            fprintf(stderr, "quotewire serve: %s '%s'\n",
                    which < 0 ? "unexpected argument" : "missing value for", arg);
            usage(stderr);
            return 2;
        }
        switch (which) {
        case 0: cfg.db_path = val; break;
        case 1: listen = val; break;
        case 2: threads = val; break;
        case 3: key_file = val; break;
        case 4: max_body = val; break;
        case 5: timeout = val; break;
        case 6: conn_limit = val; break;
        case 7: ip_limit = val; break;
        case 8: query_ms = val; break;
        case 9: level = val; break;
        case 10:
            if (nhosts == MAX_NAMES - 1 || !val[0] || strlen(val) > 253)
                bad_host = 1;
            else
                hosts[nhosts++] = val;
            break;
        case 11:
            if (norigins == MAX_NAMES || !valid_origin(val))
                bad_origin = 1;
            else
                origins[norigins++] = val;
            break;
        case 12: header_timeout = val; break;
        case 13: body_timeout = val; break;
        case 14: rate = val; break;
        case 15: burst = val; break;
        }
    }

    char host[256] = "127.0.0.1";
    unsigned long long v;
    const char *bad = NULL;
    if (listen && parse_listen(listen, host, sizeof host, &cfg.port) != 0)
        bad = "--listen (want HOST:PORT)";
    else if (listen)
        hosts[nhosts++] = host; /* the name it listens on is answered */
    if (bad_host)
        bad = "--allowed-host (a host name; at most 31)";
    if (bad_origin)
        bad = "--cors-origin (scheme://host[:port] or '*'; at most 32)";
    if (threads) {
        if (parse_uint(threads, 1024, &v) != 0 || v == 0)
            bad = "--threads";
        else
            cfg.threads = (unsigned)v;
    }
    if (max_body) {
        if (parse_uint(max_body, 1ull << 32, &v) != 0 || v == 0)
            bad = "--max-body";
        else
            cfg.max_body = (size_t)v;
    }
    if (timeout) {
        if (parse_uint(timeout, 86400, &v) != 0)
            bad = "--timeout";
        else
            cfg.timeout_s = (unsigned)v;
    }
    if (header_timeout) {
        if (parse_uint(header_timeout, 86400, &v) != 0)
            bad = "--header-timeout";
        else
            cfg.header_timeout_s = (unsigned)v;
    }
    if (body_timeout) {
        if (parse_uint(body_timeout, 86400, &v) != 0)
            bad = "--body-timeout";
        else
            cfg.body_timeout_s = (unsigned)v;
    }
    if (rate) {
        if (parse_uint(rate, 1000000, &v) != 0)
            bad = "--rate-limit";
        else
            cfg.rate_limit = (unsigned)v;
    }
    if (burst) {
        if (parse_uint(burst, 1000000, &v) != 0 || v == 0)
            bad = "--rate-burst";
        else
            cfg.rate_burst = (unsigned)v;
    }
    if (conn_limit) {
        if (parse_uint(conn_limit, 1000000, &v) != 0 || v == 0)
            bad = "--connection-limit";
        else
            cfg.connection_limit = (unsigned)v;
    }
    if (ip_limit) {
        if (parse_uint(ip_limit, 1000000, &v) != 0)
            bad = "--per-ip-limit";
        else
            cfg.per_ip_limit = (unsigned)v;
    }
    if (query_ms) {
        if (parse_uint(query_ms, 3600000, &v) != 0)
            bad = "--query-timeout";
        else
            cfg.query_ms = (unsigned)v;
    }
    enum log_level lvl = LOG_INFO;
    if (level && parse_level(level, &lvl) != 0)
        bad = "--log-level (debug, info, warn, error, quiet)";
    if (bad) {
        fprintf(stderr, "quotewire serve: bad value for %s\n", bad);
        usage(stderr);
        return 2;
    }
    log_set_level(lvl);
    cfg.host = host;
    cfg.allowed_hosts = hosts;
    cfg.nallowed_hosts = nhosts;
    cfg.cors_origins = origins;
    cfg.ncors_origins = norigins;

    struct api_key *keys = NULL;
    char *key = NULL; /* the key file's text, which keys point into */
    if (key_file) {
        int n = read_keys(key_file, &keys, &key);
        if (n < 0)
            return 1;
        cfg.api_keys = keys;
        cfg.napi_keys = (size_t)n;
    }

    /* Blocked before anything slow (migration, lexicons), so a signal sent
     * while starting is held and ends the server as soon as it is up; the
     * daemon's threads inherit the mask, so only sigwait below sees the
     * signals.  SIGPIPE from closed sockets is never wanted. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    int status = 1;
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    struct http_server *srv = NULL;
    /* A mistyped --db would otherwise be created and served empty, which
     * looks like data loss to whoever reads the answers. */
    struct stat sb;
    if (!create && stat(cfg.db_path, &sb) != 0 && errno == ENOENT) {
        fprintf(stderr,
                "quotewire serve: %s does not exist (load articles into it with 'quotewire "
                "load --db %s DIR', or pass --create to serve a new, empty database)\n",
                cfg.db_path, cfg.db_path);
        goto out;
    }
    if (db_open(cfg.db_path, cfg.read_only ? DB_REPLICA : DB_READ_WRITE, &db, err) != QW_OK) {
        fprintf(stderr, "quotewire serve: %s\n", err);
        goto out;
    }
    if (cfg.read_only) {
        int sv = db_user_version(db);
        if (sv != db_schema_version()) {
            fprintf(stderr,
                    "quotewire serve: %s has schema version %d, this program needs %d: run "
                    "'quotewire migrate' where the database is written (--read-only never "
                    "changes it)\n",
                    cfg.db_path, sv, db_schema_version());
            goto out;
        }
    } else if (db_migrate(db, NULL, err) != QW_OK) {
        fprintf(stderr, "quotewire serve: %s: %s\n", cfg.db_path, err);
        goto out;
    }
    db_close(db);
    db = NULL;
    if (extract_init() != 0) {
        fprintf(stderr, "quotewire serve: cannot load the extractor's lexicons\n");
        goto out;
    }

    if (http_start(&cfg, &srv, err) != QW_OK) {
        fprintf(stderr, "quotewire serve: %s\n", err[0] ? err : "cannot start the server");
        goto out;
    }
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "quotewire: listening on http://%s%s%s:%u/\n", v6 ? "[" : "",
            host[0] ? host : "0.0.0.0", v6 ? "]" : "", (unsigned)http_port(srv));
    fflush(stderr);

    sigdelset(&set, SIGPIPE);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
            break;
    }
    log_info("shutting down");
    http_stop(srv);
    status = 0;
out:
    db_close(db);
    extract_shutdown();
    free(key);
    free(keys);
    return status;
}
