#ifndef QUOTEWIRE_CLI_H
#define QUOTEWIRE_CLI_H

/* Subcommands.  Each takes the arguments after its name (argv[0] is the
 * subcommand name), parses its own options (environment variables first,
 * flags override them), and returns the process exit status: 0 success,
 * 1 failure, 2 bad usage.  --help prints usage to stdout and returns 0. */

int cli_serve(int argc, char **argv);
int cli_load(int argc, char **argv);
int cli_extract(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_reextract(int argc, char **argv);
int cli_corrections(int argc, char **argv);

/* The database path: $QUOTEWIRE_DB, else "quotewire.db". */
const char *cli_default_db(void);

/* The value of option name at argv[*i], given as "--x V" (then *i moves
 * past V) or "--x=V"; NULL if argv[*i] is another option.  A missing value
 * prints "quotewire CMD: --x needs a value", sets *bad and gives NULL. */
const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                          int *bad);

/* A decimal integer in lo..hi into *out: 0, else -1. */
int cli_parse_int(const char *s, int lo, int hi, int *out);

#define QUOTEWIRE_VERSION "0.1.0"

#endif
