#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"

const char *cli_default_db(void)
{
    const char *e = getenv("QUOTEWIRE_DB");
    return e && *e ? e : DB_DEFAULT_PATH;
}

const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                          int *bad)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "quotewire %s: %s needs a value\n", cmd, name);
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

int cli_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    if (!s || !*s)
        return -1;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}
