/* Person names: capitalised runs, titles and honorifics, given names,
 * surname-first names ("Qin Gang"), particles, initials; roles from titles
 * and appositives.  Back references are in coref.c. */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "names.h"
#include "xctx.h"

static int is_capword(const struct tok *t)
{
    return t->kind == TK_WORD && (t->f & TF_CAP) && !(t->f & TF_POSS);
}

/* A token that may sit inside a name run. */
int names_run_word(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    if (!is_capword(t))
        return 0;
    if (t->e - t->s == 1)
        return 0; /* "N", "W L" */
    if (t->f & TF_HYPH) {
        /* "Ohio-based", "Hong Kong-listed" */
        size_t k = t->e;
        while (k > t->s && x->text[k - 1] != '-')
            k--;
        if (k < t->e && x->text[k] >= 'a' && x->text[k] <= 'z') {
            static const char *const sfx[] = {"based", "listed", "owned", "born", "led", "run",
                                              "backed", "style", "era", "bound", "made", "type",
                                              "class", "speaking", "controlled", "funded", NULL};
            size_t n = t->e - k;
            for (size_t j = 0; sfx[j]; j++)
                if (strlen(sfx[j]) == n && memcmp(x->text + k, sfx[j], n) == 0)
                    return 0;
            if (n > 3 && memcmp(x->text + t->e - 2, "ed", 2) == 0)
                return 0;
        }
    }
    if ((t->f & TF_ALLCAP) && !(t->f & TF_DOTS) && !(t->lf & (LEX_TITLE | LEX_MOD | LEX_NATION)))
        return 0;
    return 1;
}

int names_tok_eq(const struct xctx *x, size_t a, size_t b)
{
    size_t n = x->t[a].e - x->t[a].s;
    if (n != x->t[b].e - x->t[b].s)
        return 0;
    return strncasecmp(x->text + x->t[a].s, x->text + x->t[b].s, n) == 0;
}

int names_add_mention(struct xctx *x, size_t ts, size_t te, size_t title_ts, int person)
{
    if (xctx_grow((void **)&x->m, &x->capm, x->nm, sizeof *x->m) != 0)
        return -1;
    struct xmention *m = &x->m[x->nm++];
    m->ts = (uint32_t)ts;
    m->te = (uint32_t)te;
    m->s = x->t[ts].s;
    m->e = x->t[te - 1].e;
    m->title_ts = (uint32_t)title_ts;
    m->person = person;
    for (size_t k = ts; k < te; k++)
        x->t[k].f |= TF_NAME;
    return 0;
}

uint8_t names_gender_from_title(const struct xctx *x, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        const struct lex_entry *e = lexicon_lookup(x->text + x->t[k].s, x->t[k].e - x->t[k].s);
        if (e && (e->flags & (LEX_TITLE | LEX_HON)) && e->gender)
            return e->gender;
    }
    return LEXG_NONE;
}

static uint8_t gender_from_given(const struct xctx *x, size_t i)
{
    const struct lex_entry *e = lexicon_lookup(x->text + x->t[i].s, x->t[i].e - x->t[i].s);
    if (!e || !(e->flags & LEX_GIVEN))
        return LEXG_NONE;
    uint64_t m = e->male, f = e->female;
    if (m + f < 300)
        return LEXG_NONE;
    if (m * 10 >= (m + f) * 9)
        return LEXG_MALE;
    if (f * 10 >= (m + f) * 9)
        return LEXG_FEMALE;
    return LEXG_NONE;
}

/* "the Biden administration": a name used as a modifier, not a mention. */
int names_modifier_use(const struct xctx *x, size_t next)
{
    static const char *const heads[] = {"administration", "presidency", "era", "campaign",
                                        "camp", "doctrine", NULL};
    for (size_t k = 0; heads[k]; k++)
        if (tok_is(x, next, heads[k]))
            return 1;
    return 0;
}

/* Is token i the kind of title that makes the following run a person? */
static int person_title(uint32_t lf)
{
    return (lf & (LEX_HON | LEX_TITLE_HEAD)) != 0;
}

/* "A." or "J." before a surname. */
static int is_initial(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    return (t->f & TF_DOTS) && t->e - t->s == 2 && (t->f & TF_CAP);
}

/* A common enough given name to start a name without other evidence. */
int names_given_strong(const struct xctx *x, size_t i)
{
    if (!(x->t[i].lf & LEX_GIVEN) || (x->t[i].lf & LEX_COMMON))
        return 0;
    const struct lex_entry *e = lexicon_lookup(x->text + x->t[i].s, x->t[i].e - x->t[i].s);
    return e && (uint64_t)e->male + e->female >= 2000;
}

/* Surname token of a name [ts, te). */
static size_t surname_tok(const struct xctx *x, size_t ts, size_t te)
{
    if (te - ts >= 2 && te - ts <= 3 && (x->t[ts].lf & LEX_SURFIRST) && !names_given_strong(x, ts) &&
        !names_given_strong(x, ts + 1))
        return ts;
    size_t k = te - 1;
    /* Jr., Sr., II, III */
    while (k > ts && (tok_is(x, k, "jr") || tok_is(x, k, "jr.") || tok_is(x, k, "sr.") ||
                      tok_is(x, k, "ii") || tok_is(x, k, "iii") || tok_is(x, k, "iv")))
        k--;
    return k;
}

static int find_person(const struct xctx *x, const struct nindex *ix, size_t ts, size_t te)
{
    size_t sur = surname_tok(x, ts, te);
    size_t given = sur == ts && te - ts >= 2 ? ts + 1 : ts;
    /* "Van der Berg" at a sentence start is the surname of "Lucas van der Berg" */
    int surname_only = te - ts == 1 || (sur != ts && (x->t[ts].lf & LEX_PARTICLE));
    int best = -1;
    for (int p = nindex_first(ix, names_tok_hash(x, sur)); p >= 0; p = nindex_next(ix, p)) {
        const struct xperson *pp = &x->p[p];
        if (names_tok_eq(x, pp->last_ts, sur) &&
            (surname_only || pp->first_ts == pp->last_ts || names_tok_eq(x, pp->first_ts, given)) &&
            p > best)
            best = p;
    }
    return best;
}

int names_new_person(struct xctx *x, size_t ts, size_t te, size_t title_ts)
{
    if (xctx_grow((void **)&x->p, &x->capp, x->np, sizeof *x->p) != 0)
        return -1;
    struct xperson *p = &x->p[x->np];
    memset(p, 0, sizeof *p);
    size_t sur = surname_tok(x, ts, te);
    p->last_ts = (uint32_t)sur;
    p->first_ts = (uint32_t)(sur == ts && te - ts >= 2 ? ts + 1 : ts);
    p->canon = (uint32_t)x->nm;
    p->gender = names_gender_from_title(x, title_ts, ts);
    if (!p->gender && te - ts >= 2 && sur != ts)
        p->gender = gender_from_given(x, ts);
    return (int)x->np++;
}

void names_add_role(struct xctx *x, int person, size_t a, size_t b)
{
    struct xperson *p = &x->p[person];
    if (b <= a || p->nroles >= 4)
        return;
    /* honorifics alone are not roles */
    int real = 0;
    for (size_t k = a; k < b; k++)
        if ((x->t[k].lf & (LEX_TITLE | LEX_APPOS)) && !(x->t[k].lf & LEX_HON))
            real = 1;
    if (!real)
        return;
    size_t n = x->t[b - 1].e - x->t[a].s;
    for (int r = 0; r < p->nroles; r++) {
        size_t ra = p->roles[r][0], rb = p->roles[r][1];
        if (x->t[rb - 1].e - x->t[ra].s == n &&
            strncasecmp(x->text + x->t[ra].s, x->text + x->t[a].s, n) == 0)
            return;
    }
    p->roles[p->nroles][0] = (uint32_t)a;
    p->roles[p->nroles][1] = (uint32_t)b;
    p->nroles++;
}

/* ", the top Asia expert at the National Security Council," after a name. */
static void appositive_role(struct xctx *x, int person, size_t te)
{
    if (!tok_punct(x, te, ','))
        return;
    size_t a = te + 1, k = a;
    if (k < x->nt && (tok_is(x, k, "the") || tok_is(x, k, "a") || tok_is(x, k, "an")))
        a = ++k;
    int head = 0;
    for (; k < x->nt && k < a + 14; k++) {
        const struct tok *t = &x->t[k];
        if (t->kind == TK_QUOTE || (t->f & TF_PARA) ||
            (t->kind == TK_PUNCT && t->q != '-' && t->q != '&'))
            break;
        if (t->kind == TK_WORD && (t->lf & LEX_VERB) && (t->f & TF_LOWER))
            return;
        if (t->kind == TK_WORD && (t->f & TF_LOWER) && (t->lf & LEX_APPOS))
            head = 1;
    }
    if (head && k > a && (k >= x->nt || x->t[k].kind == TK_PUNCT))
        names_add_role(x, person, a, k);
}

/* Pass 1: runs of capitalised words. */
int names_scan_runs(struct xctx *x, struct nindex *ix)
{
    size_t i = 0;
    while (i < x->nt) {
        if (!names_run_word(x, i)) {
            i++;
            continue;
        }
        size_t a = i, b = i + 1;
        while (b < x->nt && b - a < 12 && !(x->t[b].f & TF_PARA)) {
            /* a headline cue ends a name: "Glenn Beck Says Trump ..." */
            if ((x->t[b].lf & LEX_VERB) && !(x->t[b].lf & (LEX_GIVEN | LEX_TITLE)) && (x->t[b].f & TF_CAP) &&
                !(x->t[b].f & TF_ALLCAP))
                break;
            if (names_run_word(x, b)) {
                b++;
                continue;
            }
            /* particles ("van der") and "of"/"the" inside titles join
             * capitalised words */
            size_t pe = b;
            while (pe < x->nt && pe < b + 3 && (x->t[pe].f & TF_LOWER) && (x->t[pe].lf & LEX_PARTICLE))
                pe++;
            if (pe > b + 1 && pe < x->nt && names_run_word(x, pe) && !(x->t[b - 1].lf & LEX_TITLE)) {
                b = pe + 1;
                continue;
            }
            if (b + 1 < x->nt && names_run_word(x, b + 1) && (x->t[b].f & TF_LOWER) &&
                (((x->t[b].lf & LEX_PARTICLE) && !(x->t[b - 1].lf & LEX_TITLE)) ||
                 ((tok_is(x, b, "of") || tok_is(x, b, "the")) && (x->t[b - 1].lf & LEX_TITLE)))) {
                b += 2;
                continue;
            }
            break;
        }
        i = b;
        /* strip a leading function word, then titles */
        size_t s = a;
        while (s < b && (x->t[s].lf & LEX_COMMON) && !(x->t[s].lf & LEX_GIVEN && s > a) &&
               !is_initial(x, s))
            s++;
        size_t title_ts = s;
        int titled = 0;
        while (s < b) {
            uint32_t lf = x->t[s].lf;
            if (lf & (LEX_TITLE | LEX_HON)) {
                if (person_title(lf) || (lf & LEX_TITLE))
                    titled |= person_title(lf) || (s + 1 < b && (x->t[s + 1].lf & LEX_TITLE) == 0);
                s++;
                continue;
            }
            if ((lf & (LEX_MOD | LEX_NATION)) && s + 1 < b && (x->t[s + 1].lf & (LEX_TITLE | LEX_HON | LEX_MOD | LEX_NATION))) {
                s++;
                continue;
            }
            if ((tok_is(x, s, "of") || tok_is(x, s, "the")) && s > title_ts) {
                s++;
                continue;
            }
            break;
        }
        /* a given-name start further in ("Democrat Hillary Clinton") */
        if (!titled && s < b && !(x->t[s].lf & LEX_GIVEN)) {
            for (size_t k = s + 1; k + 1 < b; k++) {
                if (x->t[k - 1].lf & LEX_NONPERSON)
                    break;
                if ((x->t[k].lf & LEX_GIVEN) && !(x->t[k].lf & LEX_COMMON)) {
                    s = k;
                    title_ts = k;
                    break;
                }
            }
        }
        /* headline verbs: "Lindsey Graham Says" */
        while (b - s >= 3 && (x->t[b - 1].lf & (LEX_VERB | LEX_VERB_WEAK)) && !(x->t[b - 1].lf & LEX_GIVEN))
            b--;
        if (s >= b)
            continue;
        size_t n = b - s;
        if (n > 4)
            continue;
        int nonperson = 0, common = 0, unknown = 1;
        for (size_t k = s; k < b; k++) {
            if (is_initial(x, k))
                continue;
            if (x->t[k].lf & LEX_NONPERSON)
                nonperson = 1;
            if ((x->t[k].lf & LEX_PLACE) && (k == s || !names_given_strong(x, s)))
                nonperson = 1;
            if (x->t[k].lf & ~(uint32_t)(LEX_GIVEN | LEX_SURFIRST | LEX_PARTICLE))
                unknown = 0;
            if (x->t[k].lf & (LEX_COMMON | LEX_NATION) && !(x->t[k].lf & LEX_GIVEN))
                common = 1;
            if (x->t[k].f & TF_ALLCAP && !(x->t[k].f & TF_DOTS))
                common = 1;
        }
        if (nonperson || common)
            continue;
        /* a quoted Title Case phrase ("'Alt Right'") is a name only with a given name */
        if (s == title_ts && s > 0 && x->t[s - 1].kind == TK_QUOTE && b < x->nt && x->t[b].kind == TK_QUOTE &&
            !names_given_strong(x, s))
            continue;
        int person = 0;
        if (titled && title_ts < s)
            person = 1;
        else if (n >= 2 && names_given_strong(x, s))
            person = 1;
        else if (n >= 2 && n <= 3 && (x->t[s].lf & LEX_SURFIRST))
            person = 1;
        else if (n >= 2 && n <= 3) {
            /* context: "X said", "said X", "X, who", "X, 45," */
            size_t nx = b;
            if (nx < x->nt && x->t[nx].kind == TK_WORD && (x->t[nx].lf & LEX_VERB) &&
                (x->t[nx].f & TF_LOWER))
                person = 1;
            if (s > 0 && x->t[s - 1].kind == TK_WORD && (x->t[s - 1].lf & LEX_VERB) &&
                (x->t[s - 1].f & TF_LOWER))
                person = 1;
            if (tok_punct(x, nx, ',') && nx + 1 < x->nt &&
                (tok_is(x, nx + 1, "who") || x->t[nx + 1].kind == TK_NUM))
                person = 1;
        }
        /* initials: "P. Simmons" */
        if (!person && n >= 2 && n <= 3 && (x->t[s].f & TF_DOTS) && x->t[s].e - x->t[s].s == 2 &&
            !(x->t[b - 1].f & TF_DOTS))
            person = 1;
        /* two or three capitalised words that no lexicon knows, not after
         * an article ("the Mirren Park") */
        if (!person && unknown && n >= 2 && n <= 3 && !(s > 0 && (tok_is(x, s - 1, "the") || tok_is(x, s - 1, "a"))) &&
            !(x->t[s].f & TF_DOTS))
            person = 1;
        if (!person)
            continue;
        if (n == 1 && !titled)
            continue;
        int pid = n >= 2 ? find_person(x, ix, s, b) : -1;
        if (pid < 0 && n >= 2) {
            pid = names_new_person(x, s, b, title_ts);
            if (pid >= 0 && nindex_add(ix, x, (size_t)pid) != 0)
                return -1;
        }
        if (n == 1) {
            /* "Secretary Blinken": resolved with the back references, but
             * it makes a person when nobody else carries the name */
            pid = -2;
        }
        if (pid == -1)
            return -1;
        if (names_add_mention(x, s, b, title_ts, pid) != 0)
            return -1;
        if (pid >= 0) {
            names_add_role(x, pid, title_ts, s);
            appositive_role(x, pid, b);
            if (!x->p[pid].gender)
                x->p[pid].gender = names_gender_from_title(x, title_ts, s);
        }
    }
    return 0;
}

int names_find(struct xctx *x)
{
    struct nindex ix;
    memset(&ix, 0, sizeof ix);
    int rc = names_scan_runs(x, &ix) != 0 || coref_scan_singles(x, &ix) != 0 ? -1 : 0;
    nindex_free(&ix);
    if (rc != 0)
        return -1;
    /* drop unresolved mentions */
    size_t w = 0;
    for (size_t mi = 0; mi < x->nm; mi++)
        if (x->m[mi].person >= 0)
            x->m[w++] = x->m[mi];
    x->nm = w;
    /* the canonical mention index moved: find each person's longest */
    for (size_t pj = 0; pj < x->np; pj++)
        x->p[pj].canon = XNONE;
    for (size_t mi = 0; mi < x->nm; mi++) {
        int p = x->m[mi].person;
        if (p < 0)
            continue;
        struct xperson *pp = &x->p[p];
        if (pp->canon == XNONE ||
            x->m[mi].te - x->m[mi].ts > x->m[pp->canon].te - x->m[pp->canon].ts)
            pp->canon = (uint32_t)mi;
    }
    return 0;
}
