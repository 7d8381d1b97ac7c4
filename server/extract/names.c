/* Person names: capitalised runs, titles and honorifics, given names,
 * surname-first names ("Qin Gang"), particles, initials; roles from titles
 * and appositives.  Back references are in coref.c. */
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "names.h"
#include "tagger.h"
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
    /* four in five: "Bernie" (86% male) */
    if (m * 5 >= (m + f) * 4)
        return LEXG_MALE;
    if (f * 5 >= (m + f) * 4)
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


/* ---- evidence against a name: word shapes and the rest of the text ---- */

/* x->wh, the hash of every token, and x->lower, the set of the hashes of
 * the lower-case words of the text (names_tok_hash | 1, open
 * addressing): built once a run, read by the rules here and in coref.c
 * (names_lower_seen) and by the tagger. */
static int lower_set(struct xctx *x)
{
    size_t n = 0;
    x->wh = malloc((x->nt + 1) * sizeof *x->wh);
    if (!x->wh)
        return -1;
    for (size_t i = 0; i < x->nt; i++) {
        x->wh[i] = names_tok_hash(x, i);
        n += (x->t[i].f & (TF_LOWER | TF_POSS)) == TF_LOWER; /* words only have TF_LOWER */
    }
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    x->lower = calloc(cap, sizeof *x->lower);
    if (!x->lower)
        return -1;
    x->nlower = cap;
    for (size_t i = 0; i < x->nt; i++) {
        if ((x->t[i].f & (TF_LOWER | TF_POSS)) != TF_LOWER)
            continue;
        uint64_t h = x->wh[i] | 1;
        size_t j = h & (cap - 1);
        while (x->lower[j] && x->lower[j] != h)
            j = (j + 1) & (cap - 1);
        x->lower[j] = h;
    }
    return 0;
}

static int hset_has(const uint64_t *set, size_t cap, uint64_t h)
{
    if (!set)
        return 0;
    h |= 1;
    for (size_t j = h & (cap - 1); set[j]; j = (j + 1) & (cap - 1))
        if (set[j] == h)
            return 1;
    return 0;
}

/* Is the word w[0, n) used in lower case somewhere in the text?  Without
 * the set (x->lower, built by names_find): yes, the cautious answer. */
static int lower_seen(const struct xctx *x, struct nindex *ix, const char *w, size_t n)
{
    (void)ix;
    return !x->lower || hset_has(x->lower, x->nlower, names_hash(w, n));
}

int names_lower_seen(const struct xctx *x, struct nindex *ix, size_t i)
{
    return lower_seen(x, ix, x->text + x->t[i].s, x->t[i].e - x->t[i].s);
}

/* A capital inside a word ("WorldCom", "MPs", "BankAmerica"): a brand or an
 * abbreviation, not a name, unless a name prefix explains it ("McManus",
 * "MacLeod", "DeLay", "DiCaprio", "LaHood", "FitzGerald", "O'Neill"). */
static int inner_cap(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    if (t->f & (TF_ALLCAP | TF_DOTS))
        return 0;
    const char *w = x->text + t->s;
    size_t n = t->e - t->s;
    for (size_t k = 1; k < n; k++) {
        if (w[k] < 'A' || w[k] > 'Z')
            continue;
        if (w[k - 1] == '-' || w[k - 1] == '\'' || (unsigned char)w[k - 1] >= 0x80)
            continue;
        if ((k == 2 && (memcmp(w, "Mc", 2) == 0 || memcmp(w, "De", 2) == 0 || memcmp(w, "Di", 2) == 0 ||
                        memcmp(w, "La", 2) == 0 || memcmp(w, "Le", 2) == 0 || memcmp(w, "Du", 2) == 0 ||
                        memcmp(w, "Da", 2) == 0)) ||
            (k == 3 && (memcmp(w, "Mac", 3) == 0 || memcmp(w, "Van", 3) == 0 || memcmp(w, "Von", 3) == 0)) ||
            (k == 4 && memcmp(w, "Fitz", 4) == 0))
            continue;
        return 1;
    }
    return 0;
}

/* An abstract or collective noun by its ending ("Development",
 * "Cooperation", "Partnership"): never a name word unless a given name
 * ("Clement"). */
static int abstract_noun(const struct xctx *x, size_t i)
{
    static const char *const sfx[] = {"tion", "sion", "ment", "ness", "ship", "ism", "ity", "ics", "ence",
                                      NULL};
    const struct tok *t = &x->t[i];
    size_t n = t->e - t->s;
    if (n < 7 || (t->lf & LEX_GIVEN) || (t->f & TF_DOTS))
        return 0;
    for (size_t k = 0; sfx[k]; k++) {
        size_t m = strlen(sfx[k]);
        if (strncasecmp(x->text + t->e - m, sfx[k], m) == 0)
            return 1;
    }
    return 0;
}

/* The plural of a common noun ("Critics", "Lords", "Unions", "Officers"):
 * the word ends in -s and its singular is a known non-name word or is used
 * in lower case in the text, and no singular is a given name ("Roberts",
 * "Evans", "Jones" are surnames made from given names). */
int names_plural_common(const struct xctx *x, struct nindex *ix, size_t i)
{
    const struct tok *t = &x->t[i];
    const char *w = x->text + t->s;
    size_t n = t->e - t->s;
    if (n < 4 || n > 60 || (t->f & TF_DOTS) || (w[n - 1] != 's' && w[n - 1] != 'S'))
        return 0;
    char c2 = (char)(w[n - 2] | 0x20);
    if (c2 == 's' || c2 == 'u' || c2 == 'i' || w[n - 2] == '\'')
        return 0; /* "Ross", "Marcus", "Davis" */
    char buf[64];
    size_t cand[3], nc = 0;
    cand[nc++] = n - 1;                       /* Critic-s */
    if (c2 == 'e')
        cand[nc++] = n - 2;                   /* Church-es */
    int ies = n > 4 && c2 == 'e' && (w[n - 3] | 0x20) == 'i';
    const uint32_t nonname = LEX_NONPERSON | LEX_TITLE | LEX_HON | LEX_APPOS | LEX_ORGHEAD | LEX_COMMON |
                             LEX_NATION | LEXN_ORGTAIL | LEXN_ORGDESC;
    int plural = 0;
    for (size_t c = 0; c < nc + (size_t)ies; c++) {
        const char *sw = w;
        size_t sn;
        if (c < nc) {
            sn = cand[c];
        } else { /* Parti-es -> party */
            sn = n - 2;
            memcpy(buf, w, n - 3);
            buf[n - 3] = 'y';
            sw = buf;
        }
        const struct lex_entry *e = lexicon_lookup(sw, sn);
        if (e && (e->flags & LEX_GIVEN))
            return 0;
        if ((e && (e->flags & nonname)) || lower_seen(x, ix, sw, sn))
            plural = 1;
    }
    if (n > 5 && strncasecmp(w + n - 3, "ics", 3) == 0)
        plural = 1; /* "Critics", "Statistics" */
    return plural || names_lower_seen(x, ix, i);
}

/* An honorific that makes one word a person ("Mr", "Dr", "Lord"), not
 * "St" (a saint, a church, a town). */
static int strong_honorific(const struct xctx *x, size_t k)
{
    return (x->t[k].lf & LEX_HON) && (x->t[k].f & TF_CAP) && !tok_is(x, k, "st") && !tok_is(x, k, "st.") &&
           !tok_is(x, k, "saint");
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
            /* a headline cue ends a name: "Jo Roe Says Ann Lee ..." */
            if ((x->t[b].lf & LEX_VERB) && !(x->t[b].lf & (LEX_GIVEN | LEX_TITLE)) && (x->t[b].f & TF_CAP) &&
                !(x->t[b].f & TF_ALLCAP))
                break;
            if (names_run_word(x, b)) {
                b++;
                continue;
            }
            /* a middle initial without its period: "Jo T Roe" */
            if (b + 1 < x->nt && x->t[b].kind == TK_WORD && x->t[b].e - x->t[b].s == 1 &&
                (x->t[b].f & TF_CAP) && !(x->t[b + 1].f & TF_PARA) && names_run_word(x, b + 1) &&
                (x->t[b - 1].lf & LEX_GIVEN) && !(x->t[b - 1].lf & LEX_COMMON)) {
                b += 2;
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
        /* an organisation or place, then a title, then the name: "Ohio
         * Democratic Party Chairman David Pepper", "Former Ohio Governor
         * Ted Strickland": the name starts after the last title word */
        if (!titled && b - s >= 3) {
            for (size_t k = b - 2; k > s; k--) {
                if (!(x->t[k].lf & LEX_TITLE) || (x->t[k].lf & LEX_HON) || (x->t[k + 1].lf & LEX_TITLE) ||
                    b - k - 1 > 3 || !(x->t[k + 1].f & TF_CAP))
                    continue;
                size_t j = k;
                while (j > s && (x->t[j - 1].lf & (LEX_TITLE | LEX_MOD)))
                    j--;
                title_ts = j;
                s = k + 1;
                titled = 1;
                break;
            }
        }
        /* a given-name start further in ("Democrat Ann Lee") */
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
        /* headline verbs: "Jo Roe Says" */
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
            if (x->t[k].lf & ~(uint32_t)(LEX_GIVEN | LEX_SURFIRST | LEX_PARTICLE | LEX_HARVEST))
                unknown = 0;
            if (x->t[k].lf & (LEX_COMMON | LEX_NATION) && !(x->t[k].lf & LEX_GIVEN))
                common = 1;
            if (x->t[k].f & TF_ALLCAP && !(x->t[k].f & TF_DOTS))
                common = 1;
        }
        if (nonperson || common)
            continue;
        /* an organisation's last word ("Nomura Securities", "Finance Bill"),
         * a brand-shaped word ("WorldCom"), a plural ("Royal Scots") */
        int abstract = 0;
        for (size_t k = s; k < b; k++)
            abstract |= abstract_noun(x, k);
        if (abstract)
            continue;
        if (n >= 2 && ((x->t[b - 1].lf & LEXN_ORGTAIL) || inner_cap(x, b - 1) ||
                       (!(x->t[s].lf & LEX_GIVEN) && names_plural_common(x, ix, b - 1))))
            continue;
        /* one word after a title: the title must be a person's ("Mr",
         * "President"), not part of a name ("National Statistics") */
        if (n == 1 && titled) {
            int strong = 0;
            for (size_t k = title_ts; k < s; k++)
                if ((strong_honorific(x, k) || (x->t[k].lf & LEX_TITLE_HEAD)) && !(x->t[k].lf & LEX_NONPERSON))
                    strong = 1;
            if (!strong || tok_is(x, s - 1, "of") || tok_is(x, s - 1, "the"))
                continue;
        }
        /* evidence from the words alone: none of them is a common word in
         * this text ("Nippon Mining", "Weight Watchers") */
        if (n >= 3 && s == title_ts && (x->t[s].f & (TF_SENT | TF_PARA)) && !(x->t[s].lf & LEX_GIVEN) &&
            names_lower_seen(x, ix, s)) {
            /* a sentence-opening common word: "Broker Ann Lee said" */
            s++;
            title_ts = s;
            n--;
        }
        int plain = 1;
        for (size_t k = s; k < b; k++)
            if ((x->t[k].f & TF_CAP) && (inner_cap(x, k) || names_lower_seen(x, ix, k)))
                plain = 0;
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
        else if (n >= 2 && n <= 3 && plain) {
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
        if (!person && unknown && plain && n >= 2 && n <= 3 && !(s > 0 && (tok_is(x, s - 1, "the") || tok_is(x, s - 1, "a"))) &&
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

/* Words of the text that act as organisations or works somewhere: after a
 * descriptor ("oil giant Yukos", "comedy Sideways") or before an
 * organisation's last word ("Yukos Oil", "Microsoft Corp").  A hash set as
 * in lower_build; *cap 0 when empty. */
static int org_words(const struct xctx *x, uint64_t **set, size_t *cap)
{
    size_t n = 0;
    for (size_t i = 1; i < x->nt; i++)
        n += x->t[i].kind == TK_WORD && (x->t[i].f & TF_CAP);
    *set = NULL;
    *cap = 0;
    size_t c = 64;
    while (c < n * 2)
        c *= 2;
    uint64_t *h = NULL;
    for (size_t i = 0; i < x->nt; i++) {
        const struct tok *t = &x->t[i];
        if (t->kind != TK_WORD || !(t->f & TF_CAP) || (t->f & TF_ALLCAP))
            continue;
        int org = i > 0 && x->t[i - 1].kind == TK_WORD && (x->t[i - 1].f & TF_LOWER) &&
                  (x->t[i - 1].lf & LEXN_ORGDESC) && !(x->t[i - 1].f & TF_POSS);
        if (!org && !(t->f & TF_POSS) && i + 1 < x->nt && x->t[i + 1].kind == TK_WORD &&
            (x->t[i + 1].f & TF_CAP) && !(x->t[i + 1].f & TF_PARA) && (x->t[i + 1].lf & LEXN_ORGTAIL) &&
            !(x->t[i + 1].lf & LEX_GIVEN))
            org = 1;
        if (!org)
            continue;
        if (!h) {
            h = calloc(c, sizeof *h);
            if (!h)
                return -1;
        }
        uint64_t v = names_tok_hash(x, i) | 1;
        size_t j = v & (c - 1);
        while (h[j] && h[j] != v)
            j = (j + 1) & (c - 1);
        h[j] = v;
    }
    *set = h;
    *cap = h ? c : 0;
    return 0;
}

static int co_word(const struct xctx *x, size_t k)
{
    static const char *const co[] = {"co", "co.", "cie", "company", "sons", "son", "partners", "associates",
                                     "inc", "inc.", "corp", "corp.", "ltd", "ltd.", "plc", "llc", "gmbh", "ag",
                                     NULL};
    if (k >= x->nt || x->t[k].kind != TK_WORD || !(x->t[k].f & TF_CAP))
        return 0;
    for (size_t j = 0; co[j]; j++)
        if (tok_is(x, k, co[j]))
            return 1;
    return 0;
}

/* A mention that names a company or a work by its context: in Reuters'
 * ticker brackets ("<Viscodrive GmbH>"), before "and Co" or "Inc" ("Merrill
 * Lynch and Co", "Smith Barney, Harris Upham and Co"), or after a
 * descriptor ("the band Franz Ferdinand", "oil giant Yukos"). */
static int org_context(const struct xctx *x, const struct xmention *m)
{
    size_t a = m->title_ts, b = m->te;
    if (a > 0 && tok_punct(x, a - 1, '<'))
        return 1; /* "<Viscodrive GmbH>" */
    if (a > 0 && x->t[a - 1].kind == TK_WORD && (x->t[a - 1].f & TF_LOWER) && (x->t[a - 1].lf & LEXN_ORGDESC))
        return 1;
    if (co_word(x, b))
        return 1;
    /* "analyst with Merrill Lynch", "Jack Kirnan of Kidder Peabody",
     * "Jo Roe, of Acme Bank": a person's employer */
    if (a >= 2 && a == m->ts && (tok_is(x, a - 1, "at") || tok_is(x, a - 1, "with") || tok_is(x, a - 1, "of"))) {
        static const char *const roles[] = {"analyst", "analysts", "economist", "economists", "strategist",
                                            "strategists", "trader", "traders", "dealer", "dealers", "broker",
                                            "brokers", "spokesman", "spokeswoman", "spokesperson", "executive",
                                            "executives", "chairman", "official", "officials", "director",
                                            "president", "manager", "partner", NULL};
        size_t r = a - 2;
        int role = 0;
        for (size_t j = 0; roles[j]; j++)
            if (tok_is(x, r, roles[j]) && (x->t[r].f & TF_LOWER))
                role = 1;
        if (tok_punct(x, r, ',') && r > 0)
            r--;
        if ((x->t[r].f & TF_NAME) && r + 1 < a)
            role = 1;
        if (role)
            return 1;
    }
    for (size_t k = b; k < x->nt && k < b + 8 && !(x->t[k].f & TF_PARA); k++) {
        const struct tok *t = &x->t[k];
        if ((tok_is(x, k, "and") || tok_punct(x, k, '&')) && co_word(x, k + 1))
            return 1;
        if (!tok_punct(x, k, ',') && !(t->kind == TK_WORD && (t->f & TF_CAP)))
            break;
    }
    return 0;
}

/* Looks like a plural: "-s" after a consonant or "e", and no singular is a
 * given name ("Figures", "Britons"; not "Roberts", "Hughes", "Ross"). */
static int plural_shape(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    const char *w = x->text + t->s;
    size_t n = t->e - t->s;
    if (n < 5 || w[n - 1] != 's' || (t->lf & LEX_GIVEN))
        return 0;
    char c2 = w[n - 2];
    if (c2 == 's' || c2 == 'u' || c2 == 'i' || c2 == 'a' || c2 == 'o' || c2 == '\'')
        return 0;
    if (lexicon_flags(w, n - 1) & LEX_GIVEN)
        return 0;
    if (c2 == 'e' && (lexicon_flags(w, n - 2) & LEX_GIVEN))
        return 0;
    return 1;
}

/* Keeps the people whose keep[] is non-zero, in order, and renumbers the
 * mentions (a mention of a dropped person gets -1).  keep is overwritten
 * with the old -> new map. */
static void keep_people(struct xctx *x, int *keep)
{
    size_t w = 0;
    for (size_t p = 0; p < x->np; p++) {
        if (!keep[p]) {
            keep[p] = -1;
            continue;
        }
        keep[p] = (int)w;
        if (w != p)
            x->p[w] = x->p[p];
        w++;
    }
    x->np = w;
    for (size_t mi = 0; mi < x->nm; mi++)
        if (x->m[mi].person >= 0)
            x->m[mi].person = keep[x->m[mi].person];
}

/* People known by one word only need evidence that the word is a person's
 * name: drops the ones that are plurals, brands, organisations, common
 * words of the text, or given names alone after a title that is not a
 * person's.  Their mentions go with them (person -1). */
static int drop_weak_singles(struct xctx *x, struct nindex *ix)
{
    if (x->np == 0)
        return 0;
    /* per person: 1 multi-word mention, 2 honorific, 4 organisation
     * context, 8 a mention inside a sentence (not its first word) */
    uint8_t *ev = calloc(x->np, 1);
    if (!ev)
        return -1;
    for (size_t mi = 0; mi < x->nm; mi++) {
        const struct xmention *m = &x->m[mi];
        if (m->person < 0)
            continue;
        uint8_t *e = &ev[m->person];
        int oc = org_context(x, m);
        if (m->te - m->ts >= 2)
            *e |= oc || !(m->title_ts < m->ts || names_given_strong(x, m->ts)) ||
                          (m->title_ts > 0 && tok_is(x, m->title_ts - 1, "the"))
                      ? 1
                      : 1 | 16;
        if (oc)
            *e |= 4;
        if (!(x->t[m->title_ts].f & (TF_SENT | TF_PARA)))
            *e |= 8;
        for (size_t k = m->title_ts; k < m->ts; k++) {
            if (strong_honorific(x, k))
                *e |= 2;
        }
    }
    uint64_t *org = NULL;
    size_t ocap = 0;
    if (org_words(x, &org, &ocap) != 0) {
        free(ev);
        return -1;
    }
    int *map = malloc(x->np * sizeof *map);
    if (!map) {
        free(ev);
        free(org);
        return -1;
    }
    /* "Roe & Company Research" and "pollster Jo Roe": the firm's
     * mention leaves the person that a full name (a title or a common
     * given name first, no "the" before) outside any firm's context
     * keeps (16); "the research ship Jo Roe" does not */
    for (size_t mi = 0; mi < x->nm; mi++) {
        struct xmention *m = &x->m[mi];
        if (m->person < 0 || (ev[m->person] & 20) != 20)
            continue;
        struct xperson *pp = &x->p[m->person];
        if (org_context(x, m)) {
            m->person = -1;
        } else if (m->te - m->ts >= 2 && pp->first_ts == pp->last_ts) {
            size_t sur = surname_tok(x, m->ts, m->te);
            pp->last_ts = (uint32_t)sur;
            pp->first_ts = (uint32_t)(sur == m->ts ? m->ts + 1 : m->ts);
        }
    }
    for (size_t p = 0; p < x->np; p++) {
        size_t i = x->p[p].last_ts;
        int drop = 0;
        if ((ev[p] & 20) == 4)
            drop = 1;
        else if (!(ev[p] & 1) && x->p[p].first_ts == x->p[p].last_ts) {
            int hon = ev[p] & 2;
            const struct tok *t = &x->t[i];
            if (names_plural_common(x, ix, i))
                drop = 1;
            else if (abstract_noun(x, i) || (!(ev[p] & 8) && !hon && plural_shape(x, i)))
                drop = 1; /* "Development", a sentence's "Figures released" */
            else if (!hon && (inner_cap(x, i) || (t->lf & (LEXN_ORGTAIL | LEXN_ORGNAME | LEX_NONPERSON | LEX_PLACE)) ||
                              hset_has(org, ocap, names_tok_hash(x, i)) || names_lower_seen(x, ix, i)))
                drop = 1;
        }
        map[p] = !drop;
    }
    keep_people(x, map);
    free(map);
    free(org);
    free(ev);
    return 0;
}

size_t names_title_from(const struct xctx *x, const struct xmention *m)
{
    size_t k = m->title_ts;
    while (k < m->ts && !(x->t[k].lf & (LEX_TITLE | LEX_HON)))
        k++;
    return k;
}

/* ---- the tagger's evidence (tagger.c) ---- */

/* Margins of the tagger's PER score over its best other tag (x->tg[].per,
 * in the model's weight units).  The tagger reads the rules' mentions
 * among its features, so a margin below 0 on a rule's mention is the
 * tagger overruling the rule.  Chosen by 5-fold cross-validation on
 * conll2003-train (tools/cv_names.py, the tagger of each fold trained on
 * the other four): F1 moves by under .002 for a drop margin from -10 to
 * +6 and an add margin from 0 to 8.  The keep margin protects a person
 * that the tagger is sure of somewhere (gum-dev back-references .834
 * without it, .851 with it; CV .937 and .936).  A one-word run needs a
 * margin of 8 (CV unchanged) and, opening a sentence, a given name or a
 * harvested person's word (plain_single): CV .936 -> .935, and on 800
 * BBC articles the people added fall from 410 to 286, the 124 mostly
 * sentence openers ("Overall", "Unfortunately", "Sterling fell"). */
#define TAGGER_DROP_MARGIN (-5.0f) /* a rule's mention goes below this */
#define TAGGER_KEEP_MARGIN 16.0f   /* unless a mention of its person is above */
#define TAGGER_ADD_MARGIN 4.0f     /* a tagger PER run is a mention above, */
#define TAGGER_ADD1_MARGIN 8.0f    /* a run of one word above this */

/* The smallest PER margin over the tagged tokens of [a, b); 1 and *m
 * set when there is one. */
static int min_margin(const struct xctx *x, size_t a, size_t b, float *m)
{
    int any = 0;
    for (size_t k = a; k < b; k++) {
        if (!tagger_candidate(x, k))
            continue;
        float v = x->tg[k].per;
        if (!any || v < *m)
            *m = v;
        any = 1;
    }
    return any;
}

static int cmp_mention_start(const void *a, const void *b)
{
    const struct xmention *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Is a one-word run that the tagger calls a person's name a plain name
 * word: not upper case (headlines and datelines), not a common word of
 * this text, not a speech verb ("Says"), and at the start of a sentence
 * a known name ("Overall, ...", "Sterling fell")? */
static int plain_single(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    if (!names_run_word(x, i) || (t->f & (TF_ALLCAP | TF_DOTS)))
        return 0;
    if ((t->lf & (LEX_VERB | LEX_VERB_WEAK)) && !(t->lf & LEX_GIVEN))
        return 0;
    if ((t->f & (TF_SENT | TF_PARA)) && !(t->lf & (LEX_GIVEN | LEX_HPER)))
        return 0;
    return (t->lf & LEX_GIVEN) || !hset_has(x->lower, x->nlower, x->wh[i]);
}

/* The rules find a name's span and its person; the tagger, which reads
 * the words and their context as a whole, says whether it is a person's
 * name at all.  Mentions that it is sure name an organisation, a place or
 * nothing lose their person, unless another mention of that person is
 * surely a name ("The New Jo Roe" in a Title Case headline) or, for
 * one word, a full name of that person stays ("Ada Roe ... by
 * Roe").  Runs of words that it is sure are a person's name and that no
 * rule took become mentions, of the person with that name if there is
 * one. */
static int tagger_evidence(struct xctx *x)
{
    float *best = malloc((x->np + 1) * sizeof *best);
    uint8_t *full = calloc(x->np + 1, 1);
    if (!best || !full) {
        free(best);
        free(full);
        return -1;
    }
    for (size_t p = 0; p < x->np; p++)
        best[p] = -1e30f;
    for (size_t mi = 0; mi < x->nm; mi++) {
        struct xmention *m = &x->m[mi];
        float v = 0;
        /* the tagger judges whole tokens, not a part ("Blinken-Qin") */
        if (m->person < 0 || m->s != x->t[m->ts].s || m->e != x->t[m->te - 1].e)
            continue;
        if (min_margin(x, m->ts, m->te, &v) && v > best[m->person])
            best[m->person] = v;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t mi = 0; mi < x->nm; mi++) {
            struct xmention *m = &x->m[mi];
            int multi = m->te - m->ts >= 2;
            if (m->person < 0 || multi != (pass == 0))
                continue;
            int part = m->s != x->t[m->ts].s || m->e != x->t[m->te - 1].e;
            float v = 0;
            if (!part && min_margin(x, m->ts, m->te, &v) && v < TAGGER_DROP_MARGIN &&
                best[m->person] < TAGGER_KEEP_MARGIN && !(pass && full[m->person]))
                m->person = -1;
            else if (multi)
                full[m->person] = 1;
        }
    }
    free(best);
    free(full);
    /* drop_weak_singles renumbered the people: a fresh surname index (an
     * empty index rehashes everyone on its first add) */
    struct nindex ix;
    memset(&ix, 0, sizeof ix);
    if (x->np && nindex_add(&ix, x, x->np - 1) != 0)
        return -1;
    size_t nm0 = x->nm;
    int rc = -1;
    for (size_t i = 0; i < x->nt;) {
        if (x->tg[i].tag != TAG_PER || !tagger_candidate(x, i) || (x->t[i].f & TF_NAME)) {
            i++;
            continue;
        }
        /* the run: PER words on one line, over lower-case particles */
        size_t a = i, b = i + 1;
        int taken = 0;
        for (;;) {
            if (b < x->nt && x->tg[b].tag == TAG_PER && !(x->t[b].f & TF_PARA)) {
                taken |= (x->t[b].f & TF_NAME) != 0;
                b++;
                continue;
            }
            size_t p = b;
            while (p < x->nt && p < b + 3 && (x->t[p].f & TF_LOWER) && (x->t[p].lf & LEX_PARTICLE) &&
                   !(x->t[p].f & TF_PARA))
                p++;
            if (p > b && p < x->nt && x->tg[p].tag == TAG_PER && !(x->t[p].f & TF_PARA)) {
                b = p + 1;
                continue;
            }
            break;
        }
        i = b;
        /* titles stay outside the span ("Secretary Blinken"), and so do
         * headline verbs ("Obama Says") */
        size_t title_ts = a;
        while (a < b && (x->t[a].lf & (LEX_TITLE | LEX_HON)) && !(x->t[a].lf & (LEX_GIVEN | LEX_HPER)))
            a++;
        while (b > a + 1 && (x->t[b - 1].lf & (LEX_VERB | LEX_VERB_WEAK)) && !(x->t[b - 1].lf & LEX_GIVEN))
            b--;
        while (title_ts > 0 && (x->t[title_ts - 1].lf & (LEX_TITLE | LEX_HON)) && (x->t[title_ts - 1].f & TF_CAP) &&
               !(x->t[title_ts - 1].f & TF_PARA) && !(x->t[title_ts].f & TF_PARA))
            title_ts--;
        float v = 0;
        if (taken || a == b || b - a > 4 || (b - a == 1 && !plain_single(x, a)) || !min_margin(x, a, b, &v) ||
            v < (b - a == 1 ? TAGGER_ADD1_MARGIN : TAGGER_ADD_MARGIN))
            continue;
        int pid = find_person(x, &ix, a, b);
        if (pid < 0) {
            pid = names_new_person(x, a, b, title_ts);
            if (pid < 0 || nindex_add(&ix, x, (size_t)pid) != 0)
                goto out;
        }
        if (names_add_mention(x, a, b, title_ts, pid) != 0)
            goto out;
        names_add_role(x, pid, title_ts, a);
    }
    if (x->nm > nm0)
        qsort(x->m, x->nm, sizeof *x->m, cmp_mention_start);
    rc = 0;
out:
    nindex_free(&ix);
    return rc;
}

/* Drops the people left without a mention and renumbers the rest. */
static int drop_unmentioned(struct xctx *x)
{
    if (x->np == 0)
        return 0;
    int *map = calloc(x->np, sizeof *map);
    if (!map)
        return -1;
    for (size_t mi = 0; mi < x->nm; mi++)
        map[x->m[mi].person] = 1;
    keep_people(x, map);
    free(map);
    return 0;
}

static int all_caps(const struct xctx *x, const struct xmention *m)
{
    for (size_t k = m->ts; k < m->te; k++)
        if (x->t[k].kind == TK_WORD && !(x->t[k].f & TF_ALLCAP) && x->t[k].e - x->t[k].s > 1)
            return 0;
    return 1;
}

/* Keeps the mentions that have a person, with TF_NAME on exactly their
 * tokens. */
static void keep_resolved(struct xctx *x)
{
    size_t w = 0;
    for (size_t mi = 0; mi < x->nm; mi++) {
        if (x->m[mi].person >= 0) {
            x->m[w++] = x->m[mi];
            continue;
        }
        for (size_t k = x->m[mi].ts; k < x->m[mi].te; k++)
            x->t[k].f &= (uint16_t)~TF_NAME;
    }
    x->nm = w;
    for (size_t mi = 0; mi < x->nm; mi++)
        for (size_t k = x->m[mi].ts; k < x->m[mi].te; k++)
            x->t[k].f |= TF_NAME;
}

int names_find(struct xctx *x)
{
    if (!x->lower && lower_set(x) != 0)
        return -1;
    struct nindex ix;
    memset(&ix, 0, sizeof ix);
    int rc = names_scan_runs(x, &ix) != 0 || coref_scan_singles(x, &ix) != 0 || drop_weak_singles(x, &ix) != 0 ||
                     coref_merge_first_words(x) != 0
                 ? -1
                 : 0;
    nindex_free(&ix);
    if (rc != 0)
        return -1;
    keep_resolved(x);
    /* the tagger reads the rules' names among its features */
    if (tagger_enabled()) {
        if (tagger_run(x) != 0 || (x->tg && tagger_evidence(x) != 0))
            return -1;
        keep_resolved(x);
        if (drop_unmentioned(x) != 0)
            return -1;
    }
    /* the canonical mention index moved: find each person's longest, in
     * mixed case when there is one ("Reagan", not a headline's "REAGAN") */
    for (size_t pj = 0; pj < x->np; pj++)
        x->p[pj].canon = XNONE;
    for (size_t mi = 0; mi < x->nm; mi++) {
        int p = x->m[mi].person;
        if (p < 0)
            continue;
        struct xperson *pp = &x->p[p];
        if (pp->canon == XNONE) {
            pp->canon = (uint32_t)mi;
            continue;
        }
        const struct xmention *c = &x->m[pp->canon], *m = &x->m[mi];
        int ccaps = all_caps(x, c), mcaps = all_caps(x, m);
        /* known by one name: the fullest title it has ("Ms. Goldsmith") */
        size_t ct = 0, mt = 0;
        if (pp->first_ts == pp->last_ts) {
            ct = c->ts - names_title_from(x, c);
            mt = m->ts - names_title_from(x, m);
        }
        if ((ccaps && !mcaps) || (ccaps == mcaps && (m->te - m->ts > c->te - c->ts ||
                                                      (m->te - m->ts == c->te - c->ts && mt > ct))))
            pp->canon = (uint32_t)mi;
    }
    return 0;
}
