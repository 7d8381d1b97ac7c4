#include <stdlib.h>

#include "cli.h"
#include "db.h"

const char *cli_default_db(void)
{
    const char *e = getenv("QUOTEWIRE_DB");
    return e && *e ? e : DB_DEFAULT_PATH;
}
