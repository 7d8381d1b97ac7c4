/* Public face of the extractor: runs the passes over one text and turns
 * the token-level results into owned strings and byte spans. */
#include "extract.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "names.h"
#include "qw.h"
#include "speaker.h"
#include "spans.h"
#include "tagger.h"
#include "xctx.h"

int extract_init(void)
{
    if (lexicon_init() != 0)
        return QW_ERR_NOMEM;
    int rc = tagger_init();
    if (rc != TAGGER_OK) {
        lexicon_free();
        return rc == TAGGER_NOMEM ? QW_ERR_NOMEM : QW_ERR_INVALID;
    }
    if (speaker_init() != 0) {
        tagger_free();
        lexicon_free();
        return QW_ERR_INVALID;
    }
    return QW_OK;
}

int extract_override_data(const char *name, const char *data, size_t len)
{
    return lexicon_override(name, data, len) == 0 ? QW_OK : QW_ERR_NOMEM;
}

int extract_version(void)
{
    return EXTRACT_VERSION;
}

void extract_shutdown(void)
{
    speaker_free();
    tagger_free();
    lexicon_free();
    lexicon_free_overrides();
}

const char *extract_quote_kind_str(enum extract_quote_kind k)
{
    return k == QUOTE_PARTIAL ? "partial" : "direct";
}

/* Copies text[s, e) with runs of white space folded to one space. */
static char *span_dup(const char *text, size_t s, size_t e)
{
    char *out = malloc(e - s + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    int sp = 0;
    for (size_t k = s; k < e; k++) {
        char c = text[k];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            sp = 1;
            continue;
        }
        if (sp && n)
            out[n++] = ' ';
        sp = 0;
        out[n++] = c;
    }
    out[n] = 0;
    return out;
}

void extract_result_free(struct extract_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npeople; i++) {
        struct extract_person *p = &r->people[i];
        free(p->name);
        for (size_t k = 0; k < p->nroles; k++)
            free(p->roles[k]);
        free(p->roles);
        free(p->mentions);
    }
    free(r->people);
    for (size_t i = 0; i < r->nquotes; i++) {
        free(r->quotes[i].speaker);
        free(r->quotes[i].cue);
    }
    free(r->quotes);
    memset(r, 0, sizeof *r);
}

/* The canonical name drops a generational suffix: "Ann B. Roe Jr." ->
 * "Ann B. Roe", so that the surname stays last. */
static size_t name_end(const struct xctx *x, const struct xmention *m)
{
    size_t k = m->te;
    while (k > m->ts + 2 && (tok_is(x, k - 1, "jr") || tok_is(x, k - 1, "jr.") || tok_is(x, k - 1, "sr") ||
                             tok_is(x, k - 1, "sr.") || tok_is(x, k - 1, "ii") || tok_is(x, k - 1, "iii") ||
                             tok_is(x, k - 1, "iv")))
        k--;
    size_t e = x->t[k - 1].e;
    return e < m->e ? e : m->e;
}

static int build_people(const struct xctx *x, struct extract_result *out)
{
    if (x->np == 0)
        return 0;
    out->people = calloc(x->np, sizeof *out->people);
    if (!out->people)
        return -1;
    out->npeople = x->np;
    size_t *counts = calloc(x->np, sizeof *counts);
    if (!counts)
        return -1;
    for (size_t mi = 0; mi < x->nm; mi++)
        counts[x->m[mi].person]++;
    int rc = -1;
    for (size_t pi = 0; pi < x->np; pi++) {
        const struct xperson *xp = &x->p[pi];
        struct extract_person *p = &out->people[pi];
        const struct xmention *cm = xp->canon != XNONE ? &x->m[xp->canon] : NULL;
        /* a person the text never names in full keeps the title it is
         * known by: "Ms. Goldsmith", "President Biden", not a bare word
         * that could be anyone's (or no one's) name */
        size_t from = cm ? (xp->first_ts == xp->last_ts ? x->t[names_title_from(x, cm)].s : cm->s) : 0;
        p->name = cm ? span_dup(x->text, from, name_end(x, cm)) : strdup("");
        if (!p->name)
            goto out;
        p->gender = xp->gender == LEXG_MALE     ? GENDER_MALE
                    : xp->gender == LEXG_FEMALE ? GENDER_FEMALE
                                                : GENDER_UNKNOWN;
        if (xp->nroles) {
            p->roles = calloc((size_t)xp->nroles, sizeof *p->roles);
            if (!p->roles)
                goto out;
            for (int r = 0; r < xp->nroles; r++) {
                p->roles[r] = span_dup(x->text, x->t[xp->roles[r][0]].s, x->t[xp->roles[r][1] - 1].e);
                if (!p->roles[r])
                    goto out;
                p->nroles++;
            }
        }
        if (counts[pi]) {
            p->mentions = malloc(counts[pi] * sizeof *p->mentions);
            if (!p->mentions)
                goto out;
        }
    }
    for (size_t mi = 0; mi < x->nm; mi++) {
        struct extract_person *p = &out->people[x->m[mi].person];
        p->mentions[p->nmentions].start = x->m[mi].s;
        p->mentions[p->nmentions].end = x->m[mi].e;
        p->nmentions++;
    }
    rc = 0;
out:
    free(counts);
    return rc;
}

static int build_quotes(const struct xctx *x, struct extract_result *out)
{
    if (x->nq == 0)
        return 0;
    out->quotes = calloc(x->nq, sizeof *out->quotes);
    if (!out->quotes)
        return -1;
    for (size_t qi = 0; qi < x->nq; qi++) {
        const struct xquote *xq = &x->q[qi];
        struct extract_quote *q = &out->quotes[out->nquotes++];
        q->start = xq->s;
        q->end = xq->e;
        q->kind = xq->partial ? QUOTE_PARTIAL : QUOTE_DIRECT;
        q->speaker_person = xq->person;
        q->confidence = xq->conf > 0 ? xq->conf : 0.2;
        if (xq->person >= 0) {
            q->speaker = strdup(out->people[xq->person].name);
            if (!q->speaker)
                return -1;
        } else if (xq->org[0]) {
            q->speaker = strdup(xq->org);
            if (!q->speaker)
                return -1;
        }
        if (xq->cue != XNONE) {
            const struct tok *t = &x->t[xq->cue];
            int according = tok_is(x, xq->cue, "according");
            q->cue = according ? strdup("according to") : span_dup(x->text, t->s, t->e);
            if (!q->cue)
                return -1;
        }
    }
    return 0;
}

int extract_run(const char *text, size_t len, struct extract_result *out)
{
    return extract_run_traced(text, len, out, NULL, NULL);
}

int extract_run_traced(const char *text, size_t len, struct extract_result *out, speaker_trace_fn trace,
                       void *ctx)
{
    memset(out, 0, sizeof *out);
    if (!text)
        len = 0;
    /* offsets are 32-bit inside; longer texts are read up to 4 GiB */
    if (len >= UINT32_MAX)
        len = UINT32_MAX - 1;
    struct xctx x;
    memset(&x, 0, sizeof x);
    x.text = text ? text : "";
    x.len = len;
    int rc = QW_ERR_NOMEM;
    if (tok_run(&x) != 0 || quotes_find(&x) != 0 || names_find(&x) != 0 || attrib_run(&x) != 0)
        goto out;
    spans_filter(&x);
    if (speaker_run(&x, trace, ctx) != 0)
        goto out;
    if (build_people(&x, out) != 0 || build_quotes(&x, out) != 0) {
        extract_result_free(out);
        goto out;
    }
    rc = QW_OK;
out:
    xctx_free(&x);
    return rc;
}
