#ifndef QUOTEWIRE_EMBEDDED_H
#define QUOTEWIRE_EMBEDDED_H

#include <stddef.h>

/* Files compiled into the binary by tools/embed.sh (build/embedded.c), so
 * the program does not depend on its working folder. */

struct embedded_file {
    const char *name; /* path relative to the repository, "migrations/0001_init.sql" */
    const char *data; /* NUL-terminated; the bytes are data[0..end-data) */
    const char *end;
};

/* migrations/NNNN_*.sql in order. */
extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;

/* openapi.yaml */
extern const struct embedded_file embedded_openapi;

/* data/ lexicons (data/NAME), NULL when no such file. */
const struct embedded_file *embedded_data(const char *name);

/* The explorer's files (ui/NAME, and Chart.js from Debian's libjs-chart.js
 * as "chart.js") by name[0..len), which need not be NUL-terminated; NULL
 * when no such file.  The name of a file is its name in the URL /ui/NAME. */
const struct embedded_file *embedded_ui(const char *name, size_t len);

#endif
