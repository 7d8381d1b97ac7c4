/* speaker_dump FILE...: for the speaker trainer (tools/train/speaker.py).
 * Runs the extractor over each file and prints one JSON object per file:
 * {"file", "quotes": [{"start", "end", "speaker", "cands": [{"name",
 * "person", "score", "f": [feature, ...]}, ...]}, ...]}.  Reads file paths
 * from the arguments, or one per line from stdin when there are none. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "qw.h"
#include "speaker.h"

struct acc {
    json_t *quotes; /* array of arrays of candidates, by quote index */
};

static void on_cand(void *ctx, const struct speaker_trace *t)
{
    struct acc *a = ctx;
    while (json_array_size(a->quotes) <= t->quote)
        json_array_append_new(a->quotes, json_array());
    json_t *c = json_object();
    json_t *f = json_array();
    for (size_t i = 0; i < t->nfeats; i++)
        json_array_append_new(f, json_string(t->feats[i]));
    json_object_set_new(c, "person", json_integer(t->person));
    json_object_set_new(c, "phrase", json_string(t->person < 0 && t->phrase ? t->phrase : ""));
    json_object_set_new(c, "score", json_real(t->score));
    json_object_set_new(c, "f", f);
    json_array_append_new(json_array_get(a->quotes, t->quote), c);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int dump(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "speaker_dump: cannot read %s\n", path);
        return 1;
    }
    struct acc a = {json_array()};
    struct extract_result r;
    if (extract_run_traced(text, len, &r, on_cand, &a) != QW_OK) {
        free(text);
        json_decref(a.quotes);
        return 1;
    }
    json_t *out = json_object(), *qs = json_array();
    for (size_t qi = 0; qi < r.nquotes; qi++) {
        const struct extract_quote *q = &r.quotes[qi];
        json_t *jq = json_object();
        json_object_set_new(jq, "start", json_integer((json_int_t)q->start));
        json_object_set_new(jq, "end", json_integer((json_int_t)q->end));
        json_object_set_new(jq, "speaker", q->speaker ? json_string(q->speaker) : json_null());
        json_object_set_new(jq, "confidence", json_real(q->confidence));
        json_t *cands = qi < json_array_size(a.quotes) ? json_incref(json_array_get(a.quotes, qi)) : json_array();
        size_t i;
        json_t *c;
        json_array_foreach(cands, i, c) {
            json_int_t p = json_integer_value(json_object_get(c, "person"));
            const char *name = p >= 0 && (size_t)p < r.npeople ? r.people[p].name
                                                               : json_string_value(json_object_get(c, "phrase"));
            json_object_set_new(c, "name", json_string(name ? name : ""));
        }
        json_object_set_new(jq, "cands", cands);
        json_array_append_new(qs, jq);
    }
    json_object_set_new(out, "file", json_string(path));
    json_object_set_new(out, "quotes", qs);
    char *line = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (line) {
        puts(line);
        free(line);
    }
    json_decref(out);
    json_decref(a.quotes);
    extract_result_free(&r);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0, i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 2 < argc) {
            /* --data NAME FILE: as quotewire extract --data NAME=FILE */
            size_t len;
            char *d = slurp(argv[i + 2], &len);
            if (!d || extract_override_data(argv[i + 1], d, len) != QW_OK) {
                fprintf(stderr, "speaker_dump: --data %s %s failed\n", argv[i + 1], argv[i + 2]);
                return 1;
            }
            free(d);
            i += 2;
            continue;
        }
        break;
    }
    if (extract_init() != QW_OK) {
        fputs("speaker_dump: cannot load the extractor's data\n", stderr);
        return 1;
    }
    if (i < argc) {
        for (; i < argc; i++)
            rc |= dump(argv[i]);
    } else {
        char line[4096];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = 0;
            if (line[0])
                rc |= dump(line);
        }
    }
    extract_shutdown();
    return rc;
}
