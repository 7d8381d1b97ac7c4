/* quotewire extract PATH...: people and quotes of each file as one NDJSON
 * line on stdout, offsets into the file's bytes.  No database. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "embedded.h"
#include "extract.h"
#include "qw.h"
#include "utf8.h"

#define EXTRACT_MAX_FILE ((size_t)256 << 20)

static void usage(FILE *f)
{
    fputs("usage: quotewire extract [--help] [--data NAME=FILE]... PATH...\n"
          "Reads each file, extracts the people and quotes in it and prints one JSON\n"
          "object per file on stdout: {\"file\", \"title\", \"people\", \"quotes\"}, with\n"
          "byte offsets into the file.  Exit status: 0 all files read, 1 some file\n"
          "could not be read, 2 bad usage.\n"
          "  --data NAME=FILE  use FILE in place of the built-in data file NAME (a\n"
          "                    lexicon or model from data/), e.g. to score a model\n"
          "                    that make train has just written\n",
          f);
}

/* Reads the whole file into a malloc'd buffer (caller frees).  0 or errno. */
static int read_file(const char *path, char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno ? errno : EIO;
    int rc = 0;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        rc = ENOMEM;
        goto out;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= EXTRACT_MAX_FILE) {
                rc = EFBIG;
                goto out;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = ENOMEM;
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        errno = 0;
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                rc = errno ? errno : EIO;
            break;
        }
    }
out:
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* A JSON string from bytes that may not be UTF-8 (bad bytes -> U+FFFD). */
static json_t *json_bytes(const char *s, size_t n)
{
    if (utf8_valid(s, n))
        return json_stringn(s, n);
    char *tmp = malloc(n * 3 + 1);
    if (!tmp)
        return NULL;
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp = utf8_next(s, n, &i);
        o += utf8_encode(cp, tmp + o);
    }
    json_t *j = json_stringn(tmp, o);
    free(tmp);
    return j;
}

static json_t *title_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        size_t a = i, b = e;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        if (b > a)
            return json_bytes(s + a, b - a > 1000 ? 1000 : b - a);
        i = e + 1;
    }
    return json_string("");
}

static const char *gender_str(enum extract_gender g)
{
    return g == GENDER_MALE ? "male" : g == GENDER_FEMALE ? "female" : "unknown";
}

static json_t *result_json(const char *path, const char *text, size_t len,
                           const struct extract_result *r)
{
    json_t *o = json_object(), *people = json_array(), *quotes = json_array();
    if (!o || !people || !quotes)
        goto fail;
    json_object_set_new(o, "file", json_bytes(path, strlen(path)));
    json_object_set_new(o, "title", title_of(text, len));
    for (size_t i = 0; i < r->npeople; i++) {
        const struct extract_person *p = &r->people[i];
        json_t *jp = json_object(), *roles = json_array(), *ms = json_array();
        if (!jp || !roles || !ms) {
            json_decref(jp);
            json_decref(roles);
            json_decref(ms);
            goto fail;
        }
        json_object_set_new(jp, "name", json_bytes(p->name, strlen(p->name)));
        json_object_set_new(jp, "gender", json_string(gender_str(p->gender)));
        for (size_t k = 0; k < p->nroles; k++)
            json_array_append_new(roles, json_bytes(p->roles[k], strlen(p->roles[k])));
        json_object_set_new(jp, "roles", roles);
        for (size_t k = 0; k < p->nmentions; k++)
            json_array_append_new(ms, json_pack("[II]", (json_int_t)p->mentions[k].start,
                                                (json_int_t)p->mentions[k].end));
        json_object_set_new(jp, "mentions", ms);
        json_array_append_new(people, jp);
    }
    for (size_t i = 0; i < r->nquotes; i++) {
        const struct extract_quote *q = &r->quotes[i];
        json_t *jq = json_object();
        if (!jq)
            goto fail;
        json_object_set_new(jq, "start", json_integer((json_int_t)q->start));
        json_object_set_new(jq, "end", json_integer((json_int_t)q->end));
        json_object_set_new(jq, "text", json_bytes(text + q->start, q->end - q->start));
        json_object_set_new(jq, "kind", json_string(extract_quote_kind_str(q->kind)));
        json_object_set_new(jq, "speaker",
                            q->speaker ? json_bytes(q->speaker, strlen(q->speaker)) : json_null());
        json_object_set_new(jq, "cue", q->cue ? json_bytes(q->cue, strlen(q->cue)) : json_null());
        json_object_set_new(jq, "confidence", json_real(q->confidence));
        json_array_append_new(quotes, jq);
    }
    json_object_set_new(o, "people", people);
    json_object_set_new(o, "quotes", quotes);
    return o;
fail:
    json_decref(o);
    json_decref(people);
    json_decref(quotes);
    return NULL;
}

static int extract_file(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    int err = read_file(path, &text, &len);
    if (err) {
        fprintf(stderr, "quotewire extract: %s: %s\n", path, strerror(err));
        return 1;
    }
    if (!utf8_valid(text, len))
        fprintf(stderr, "quotewire extract: %s: warning: not valid UTF-8, processing anyway\n", path);
    int rc = 1;
    struct extract_result r;
    json_t *o = NULL;
    char *line = NULL;
    if (extract_run(text, len, &r) != QW_OK) {
        fprintf(stderr, "quotewire extract: %s: out of memory\n", path);
        goto out;
    }
    o = result_json(path, text, len, &r);
    extract_result_free(&r);
    line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (!line) {
        fprintf(stderr, "quotewire extract: %s: out of memory\n", path);
        goto out;
    }
    fputs(line, stdout);
    fputc('\n', stdout);
    rc = 0;
out:
    free(line);
    json_decref(o);
    free(text);
    return rc;
}

/* --data NAME=FILE: reads FILE and hands it to the extractor in place of
 * data/NAME.  0, 1 (unreadable file, no such data file) or 2 (bad usage). */
static int override_data(const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        fprintf(stderr, "quotewire extract: --data wants NAME=FILE, got '%s'\n", arg);
        return 2;
    }
    char name[128];
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof name) {
        fprintf(stderr, "quotewire extract: --data: name too long\n");
        return 2;
    }
    memcpy(name, arg, n);
    name[n] = 0;
    if (!embedded_data(name)) {
        fprintf(stderr, "quotewire extract: --data: no built-in data file '%s'\n", name);
        return 2;
    }
    char *data = NULL;
    size_t len = 0;
    int err = read_file(eq + 1, &data, &len);
    if (err) {
        fprintf(stderr, "quotewire extract: --data %s: %s\n", eq + 1, strerror(err));
        return 1;
    }
    int rc = extract_override_data(name, data, len) == QW_OK ? 0 : 1;
    if (rc)
        fprintf(stderr, "quotewire extract: --data %s given twice, or out of memory\n", name);
    free(data);
    return rc;
}

int cli_extract(int argc, char **argv)
{
    int first = 1;
    for (; first < argc; first++) {
        const char *a = argv[first];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--data") == 0) {
            if (first + 1 >= argc) {
                usage(stderr);
                return 2;
            }
            int rc = override_data(argv[++first]);
            if (rc) {
                extract_shutdown();
                return rc;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            first++;
            break;
        }
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "quotewire extract: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
        break;
    }
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    qw_status st = (qw_status)extract_init();
    if (st != QW_OK) {
        fprintf(stderr, "quotewire extract: cannot load the extractor's data: %s\n", qw_status_str(st));
        extract_shutdown();
        return 1;
    }
    int rc = 0;
    for (int i = first; i < argc; i++)
        if (extract_file(argv[i]) != 0)
            rc = 1;
    if (fflush(stdout) != 0)
        rc = 1;
    extract_shutdown();
    return rc;
}
