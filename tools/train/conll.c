/* Annotated JSONL documents for the trainers; see conll.h. */
#include "conll.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "tagger.h"

static int type_tag(const char *t)
{
    if (!t)
        return -1;
    if (strcmp(t, "PER") == 0)
        return TAG_PER;
    if (strcmp(t, "ORG") == 0)
        return TAG_ORG;
    if (strcmp(t, "LOC") == 0)
        return TAG_LOC;
    if (strcmp(t, "MISC") == 0)
        return TAG_MISC;
    return -1;
}

/* cp[i]: byte offset of code point i of s[0..n), n_cp + 1 entries. */
static size_t *cp_offsets(const char *s, size_t n, size_t *ncp)
{
    size_t *cp = malloc((n + 1) * sizeof *cp);
    if (!cp)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cp[k++] = i;
    cp[k] = n;
    *ncp = k;
    return cp;
}

static int parse_doc(json_t *o, struct conll_doc *d, char err[160])
{
    memset(d, 0, sizeof *d);
    json_t *text = json_object_get(o, "text");
    if (!json_is_string(text)) {
        snprintf(err, 160, "a record has no text");
        return -1;
    }
    d->len = json_string_length(text);
    d->text = malloc(d->len + 1);
    if (!d->text)
        goto nomem;
    memcpy(d->text, json_string_value(text), d->len);
    d->text[d->len] = 0;
    json_t *ents = json_object_get(o, "entities");
    size_t n = json_is_array(ents) ? json_array_size(ents) : 0;
    if (n == 0)
        return 0;
    d->ents = calloc(n, sizeof *d->ents);
    size_t ncp = 0, *cp = cp_offsets(d->text, d->len, &ncp);
    if (!d->ents || !cp) {
        free(cp);
        goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(ents, i);
        int tag = type_tag(json_string_value(json_object_get(e, "type")));
        json_int_t s = json_integer_value(json_object_get(e, "start"));
        json_int_t en = json_integer_value(json_object_get(e, "end"));
        if (tag < 0 || s < 0 || en <= s || (size_t)en > ncp)
            continue;
        d->ents[d->nents++] = (struct conll_span){(uint32_t)cp[s], (uint32_t)cp[en], (uint8_t)tag};
    }
    free(cp);
    return 0;
nomem:
    snprintf(err, 160, "out of memory");
    return -1;
}

void conll_free(struct conll_doc *docs, size_t ndocs)
{
    if (!docs)
        return;
    for (size_t i = 0; i < ndocs; i++) {
        free(docs[i].text);
        free(docs[i].ents);
    }
    free(docs);
}

int conll_read(const char *path, struct conll_doc **docs, size_t *ndocs, char err[160])
{
    *docs = NULL;
    *ndocs = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, 160, "cannot open %s", path);
        return -1;
    }
    struct conll_doc *v = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    int rc = -1;
    while ((got = getline(&line, &lcap, f)) > 0) {
        lineno++;
        if (got == 1 && line[0] == '\n')
            continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)got, 0, &je);
        if (!o) {
            snprintf(err, 160, "%.60s:%zu: %.80s", path, lineno, je.text);
            goto out;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct conll_doc *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                json_decref(o);
                snprintf(err, 160, "out of memory");
                goto out;
            }
            v = nv;
            cap = nc;
        }
        int bad = parse_doc(o, &v[n], err);
        json_decref(o);
        if (bad) {
            free(v[n].text);
            free(v[n].ents);
            goto out;
        }
        n++;
    }
    rc = 0;
out:
    free(line);
    fclose(f);
    if (rc != 0) {
        conll_free(v, n);
        return -1;
    }
    *docs = v;
    *ndocs = n;
    return 0;
}

int conll_tokens(const struct conll_doc *d, struct xctx *x)
{
    memset(x, 0, sizeof *x);
    x->text = d->text;
    x->len = d->len;
    return tok_run(x) != 0 || quotes_find(x) != 0 || names_find(x) != 0 ? -1 : 0;
}

void conll_gold_tags(const struct conll_doc *d, const struct xctx *x, uint8_t *tags)
{
    memset(tags, TAG_O, x->nt);
    for (size_t k = 0; k < d->nents; k++) {
        const struct conll_span *e = &d->ents[k];
        /* first token ending after the entity's start */
        size_t lo = 0, hi = x->nt;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (x->t[mid].e <= e->s)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < x->nt && x->t[i].s < e->e; i++) {
            uint32_t a = x->t[i].s > e->s ? x->t[i].s : e->s;
            uint32_t b = x->t[i].e < e->e ? x->t[i].e : e->e;
            if (b > a && 2 * (b - a) >= x->t[i].e - x->t[i].s)
                tags[i] = e->tag;
        }
    }
}

int conll_data_option(const char *arg, char err[160])
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        snprintf(err, 160, "--data wants NAME=FILE, not %s", arg);
        return -1;
    }
    char name[128];
    size_t nl = (size_t)(eq - arg);
    if (nl >= sizeof name) {
        snprintf(err, 160, "--data: name too long");
        return -1;
    }
    memcpy(name, arg, nl);
    name[nl] = 0;
    FILE *f = fopen(eq + 1, "rb");
    if (!f) {
        snprintf(err, 160, "--data: cannot open %s", eq + 1);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int rc = -1;
    while (buf) {
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            rc = ferror(f) ? -1 : 0;
            break;
        }
    }
    fclose(f);
    if (rc == 0 && lexicon_override(name, buf, len) != 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, 160, "--data: cannot read %s", eq + 1);
    free(buf);
    return rc;
}
