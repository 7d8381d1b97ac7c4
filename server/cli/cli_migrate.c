#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: quotewire migrate [--db FILE]\n\n"
               "Creates the database, or upgrades its schema to this program's version.\n"
               "  --db FILE   database file (default $QUOTEWIRE_DB or quotewire.db)\n");
}

int cli_migrate(int argc, char **argv)
{
    const char *path = cli_default_db();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strncmp(argv[i], "--db=", 5)) {
            path = argv[i] + 5;
        } else {
            fprintf(stderr, "quotewire migrate: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    char err[QW_ERRLEN] = "";
    sqlite3 *db = NULL;
    int applied = 0;
    if (db_open(path, DB_READ_WRITE, &db, err) != QW_OK) {
        fprintf(stderr, "quotewire migrate: %s\n", err);
        return 1;
    }
    if (db_migrate(db, &applied, err) != QW_OK) {
        fprintf(stderr, "quotewire migrate: %s: %s\n", path, err);
        db_close(db);
        return 1;
    }
    db_close(db);
    printf("%s: schema version %d (%d migration%s applied)\n", path, db_schema_version(), applied,
           applied == 1 ? "" : "s");
    return 0;
}
