/* quotewire: one program, a few subcommands.  This file only dispatches;
 * each subcommand lives in server/cli/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "qw.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cli_serve, "serve the HTTP JSON API"},
    {"load", cli_load, "load article files and folders into the database"},
    {"reextract", cli_reextract, "extract stored articles again with this program's extractor"},
    {"corrections", cli_corrections, "export users' corrections as NDJSON, or import them"},
    {"extract", cli_extract, "print people and quotes of files as NDJSON (no database)"},
    {"migrate", cli_migrate, "create or upgrade the database schema"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: quotewire COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'quotewire COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    qw_tune_allocator();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("quotewire %s\n", QUOTEWIRE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "quotewire: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
