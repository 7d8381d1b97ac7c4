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

/* The database path: $QUOTEWIRE_DB, else "quotewire.db". */
const char *cli_default_db(void);

#define QUOTEWIRE_VERSION "0.1.0"

#endif
