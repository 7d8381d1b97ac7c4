/* Attribution: for each quotation, a cue verb and a speaker.  In order:
 * a headline "Name: ... 'quote'"; the same sentence after the quote
 * ("..., said X", "... X said", "... -- X") or before it ("X said: ...",
 * "according to X", the nearest strong cue first); a colon that introduces
 * it; the subject of its sentence; the quote before it (interrupted,
 * continued and floating quotes); the last sentence of a quote-less
 * paragraph just before.  Pronouns resolve by gender, subjecthood and
 * recency; "the department" resolves to "the State Department". */
#include <string.h>

#include "lexicon.h"
#include "xctx.h"

#define POST_MAX 30
#define PRE_MAX 60

static int word_in(const struct xctx *x, size_t k, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (tok_is(x, k, list[i]))
            return 1;
    return 0;
}

static const char *const aux_words[] = {
    "has", "had", "have", "was", "is", "are", "were", "did", "does", "do", "will", "would",
    "could", "can", "may", "might", "should", "must", "not", "also", "then", "later", "never",
    "just", "still", "already", "again", "once", "first", "previously", "recently", "often",
    "has", "been", "being", "be", "even", "now", "reportedly", "publicly", "privately",
    "didn't", "didn\xe2\x80\x99t", "doesn't", "doesn\xe2\x80\x99t", "hasn't", "hasn\xe2\x80\x99t",
    "wasn't", "wasn\xe2\x80\x99t", "had", "once", "all", "both", NULL};

static const char *const preps[] = {
    "of", "and", "or", "in", "at", "on", "for", "with", "to", "from", "by", "about", "into",
    "than", "as", "like", "over", "against", "after", "before", "during", "under", "between",
    "that", "which", "nor", "but", "while", "when", "if", "because", "since", "through", NULL};

static const char *const determiners[] = {
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these",
    "those", "another", "some", "several", "many", "two", "three", "four", "one", "other",
    "both", "each", "every", "no", "most", "few", "top", "senior", NULL};

/* Common irregular verb forms that end a subject noun phrase. */
static const char *const irregular[] = {
    "began", "begins", "sent", "went", "took", "made", "gave", "goes", "got", "came", "saw",
    "found", "became", "kept", "left", "put", "ran", "brought", "thought", "felt", "held", "stood",
    "knew", "won", "lost", "met", "paid", "led", "heard", "spoke", "told", "wrote", "said", "says",
    "did", "does", "do", "has", "had", "have", "is", "was", "are", "were", NULL};

static int is_verb(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    return t->kind == TK_WORD && (t->lf & LEX_VERB) && (t->f & TF_LOWER) && !(t->f & TF_INQ);
}

/* A weak cue ("stated", "continued") counts next to the quote. */
static int is_verb_near(const struct xctx *x, size_t i, size_t mark)
{
    const struct tok *t = &x->t[i];
    if (is_verb(x, i))
        return 1;
    size_t d = i > mark ? i - mark : mark - i;
    return d <= 4 && t->kind == TK_WORD && (t->lf & LEX_VERB_WEAK) && (t->f & TF_LOWER) &&
           !(t->f & TF_INQ);
}

/* First person mentioned in tokens [a, b), or -1. */
static int person_in(const struct xctx *x, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        if (!(x->t[k].f & TF_NAME))
            continue;
        /* binary search would do; mentions are few per sentence */
        size_t lo = 0, hi = x->nm;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (x->m[mid].te <= k)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t mi = lo; mi < x->nm && x->m[mi].ts <= k; mi++)
            if (x->m[mi].ts <= k && k < x->m[mi].te)
                return x->m[mi].person;
    }
    return -1;
}


/* A mention followed by a verb-like word: "Smith said", "Smith, 45, told". */
static int subject_position(const struct xctx *x, const struct xmention *m)
{
    size_t n = m->te;
    if (n < x->nt && (x->t[n].f & TF_POSS))
        return 0;
    if (n < x->nt && (tok_punct(x, n, ',') || tok_punct(x, n, '-'))) {
        /* an appositive: subject when a verb follows the closing comma */
        char sep = (char)x->t[n].q;
        size_t k = n + 1;
        while (k < x->nt && k < n + 20 && !tok_punct(x, k, sep) && !(x->t[k].f & (TF_SENT | TF_PARA)))
            k++;
        n = k + 1;
    }
    return n < x->nt && x->t[n].kind == TK_WORD && (x->t[n].f & TF_LOWER) && !word_in(x, n, preps) &&
           !(x->t[n].f & TF_INQ);
}

/* Most recent person mention before token pos, outside quotes, whose
 * gender agrees, preferring subjects; -1 when none. */
static int resolve_pronoun(const struct xctx *x, size_t pos, uint8_t g)
{
    size_t lo = 0, hi = x->nm;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->m[mid].ts < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* best first: a subject of the right gender, a nearby subject of
     * unknown gender, any mention of the right gender, any compatible */
    int best[4] = {-1, -1, -1, -1};
    for (size_t mi = lo; mi-- > 0;) {
        const struct xmention *m = &x->m[mi];
        if (pos - m->ts > 400)
            break;
        if (x->t[m->ts].f & TF_INQ)
            continue;
        uint8_t pg = x->p[m->person].gender;
        if (g && pg && pg != g)
            continue;
        int exact = !g || pg == g;
        int subj = subject_position(x, m);
        int rank = subj && exact ? 0 : subj && pos - m->ts < 120 ? 1 : exact ? 2 : 3;
        if (best[rank] < 0)
            best[rank] = m->person;
        if (rank == 0)
            break;
    }
    for (int r = 0; r < 4; r++)
        if (best[r] >= 0)
            return best[r];
    return -1;
}

static int gender_ok(const struct xctx *x, int p, uint8_t g)
{
    uint8_t pg = x->p[p].gender;
    return !g || !pg || pg == g;
}

/* he/she for quote q at token pos: the speaker of the quote before when
 * no other subject of that gender came between, else the latest subject,
 * else recency. */
static int resolve_pronoun_q(const struct xctx *x, const struct xquote *q, size_t pos, uint8_t g)
{
    size_t qi = (size_t)(q - x->q);
    int prev = -1;
    size_t prev_at = 0;
    for (size_t j = qi; j-- > 0;) {
        const struct xquote *pq = &x->q[j];
        if (pq->te + 250 < pos)
            break;
        if (pq->person >= 0) {
            prev = pq->person;
            prev_at = pq->ots;
            break;
        }
        if (pq->org[0])
            break;
    }
    if (prev >= 0 && !gender_ok(x, prev, g))
        prev = -1;
    size_t lo = 0, hi = x->nm;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->m[mid].ts < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t mi = lo; mi-- > 0;) {
        const struct xmention *m = &x->m[mi];
        if (pos - m->ts > 300)
            break;
        if ((x->t[m->ts].f & TF_INQ) || !gender_ok(x, m->person, g))
            continue;
        if (prev >= 0 && m->ts < prev_at)
            break;
        if (subject_position(x, m))
            return m->person;
    }
    if (prev >= 0)
        return prev;
    return resolve_pronoun(x, pos, g);
}

static void set_org(struct xctx *x, struct xquote *q, size_t a, size_t b, const char *prefix)
{
    size_t n = 0;
    q->org[0] = 0;
    if (prefix) {
        n = strlen(prefix);
        if (n >= sizeof q->org)
            n = sizeof q->org - 1;
        memcpy(q->org, prefix, n);
    }
    if (b <= a)
        return;
    size_t s = x->t[a].s, e = x->t[b - 1].e;
    size_t m = e - s;
    int cut = 0;
    if (n + m >= sizeof q->org) {
        m = sizeof q->org - 1 - n;
        cut = 1;
    }
    /* no newlines or tabs */
    for (size_t k = 0; k < m; k++) {
        char c = x->text[s + k];
        q->org[n++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    if (cut) {
        /* do not end inside a UTF-8 sequence */
        while (n > 0 && ((unsigned char)q->org[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0 && (unsigned char)q->org[n - 1] >= 0xC0)
            n--;
    }
    q->org[n] = 0;
    q->sp_ts = (uint32_t)a;
    q->sp_te = (uint32_t)b;
}

/* "the department": the closest earlier capitalised run ending in that word. */
static int org_antecedent(struct xctx *x, struct xquote *q, size_t head, size_t before)
{
    size_t lim = before > 3000 ? before - 3000 : 0;
    for (size_t k = before; k-- > lim;) {
        const struct tok *t = &x->t[k];
        if (!(t->f & TF_CAP) || t->kind != TK_WORD)
            continue;
        if (t->e - t->s != x->t[head].e - x->t[head].s ||
            strncasecmp(x->text + t->s, x->text + x->t[head].s, t->e - t->s) != 0)
            continue;
        size_t a = k;
        while (a > 0 && x->t[a - 1].kind == TK_WORD && (x->t[a - 1].f & TF_CAP) &&
               !(x->t[a - 1].lf & LEX_COMMON) && !(x->t[a].f & TF_PARA) && k - a < 5)
            a--;
        if (a == k)
            continue;
        set_org(x, q, a, k + 1, "the ");
        return 1;
    }
    return 0;
}

/* Resolves a speaker phrase [a, b): person, pronoun or organisation.
 * Returns 1 when something was found. */
static int resolve_phrase(struct xctx *x, struct xquote *q, size_t a, size_t b)
{
    while (a < b && (x->t[a].kind != TK_WORD && x->t[a].kind != TK_NUM))
        a++;
    while (b > a && x->t[b - 1].kind != TK_WORD && x->t[b - 1].kind != TK_NUM)
        b--;
    if (a >= b)
        return 0;
    int p = person_in(x, a, b);
    if (p >= 0) {
        q->person = p;
        return 1;
    }
    const struct tok *t = &x->t[a];
    if (b - a == 1 && (t->lf & LEX_PRONOUN)) {
        const struct lex_entry *e = lexicon_lookup(x->text + t->s, t->e - t->s);
        uint8_t g = e ? e->gender : 0;
        if (g || tok_is(x, a, "they")) {
            p = resolve_pronoun_q(x, q, q->ots, g);
            if (p >= 0) {
                q->person = p;
                return 1;
            }
        }
        /* "it", "I", "we": nobody we can name */
        return 0;
    }
    /* strip leading function words ("But a campaign operative") */
    while (a + 1 < b && (x->t[a].lf & LEX_COMMON) && !(x->t[a].f & TF_NAME) &&
           !tok_is(x, a, "the") && !tok_is(x, a, "a") && !tok_is(x, a, "an"))
        a++;
    /* up to the first comma: "the spokesman, who ..." */
    for (size_t k = a; k < b; k++)
        if (tok_punct(x, k, ',')) {
            b = k;
            break;
        }
    /* a phrase ends in its head noun, not in "the" or "a" */
    while (b > a && x->t[b - 1].kind == TK_WORD &&
           (tok_is(x, b - 1, "the") || tok_is(x, b - 1, "a") || tok_is(x, b - 1, "an")))
        b--;
    if (b <= a)
        return 0;
    size_t head = b - 1;
    if ((x->t[head].lf & LEX_ORGHEAD) && (x->t[head].f & TF_LOWER) && b - a <= 3 &&
        org_antecedent(x, q, head, q->ots))
        return 1;
    set_org(x, q, a, b, NULL);
    return 1;
}

/* Sentence bounds around token i, within its paragraph. */
static size_t sent_start(const struct xctx *x, size_t i)
{
    while (i > 0 && !(x->t[i].f & (TF_SENT | TF_PARA)))
        i--;
    return i;
}

/* Phrase after an inverted verb: "said Kurt Campbell, the ..." */
static size_t object_end(const struct xctx *x, size_t a, size_t lim)
{
    size_t b = a;
    while (b < lim && b < a + 8) {
        const struct tok *t = &x->t[b];
        if (t->kind == TK_QUOTE || (t->f & (TF_INQ | TF_PARA)) || (t->kind == TK_PUNCT && t->q != '-' && t->q != '&'))
            break;
        if (t->kind == TK_WORD && (t->f & TF_LOWER) && !(t->f & TF_POSS) && b > a &&
            ((t->lf & (LEX_COMMON | LEX_VERB | LEX_VERB_WEAK)) || word_in(x, b, preps)) &&
            !word_in(x, b, determiners))
            break;
        if (t->kind == TK_WORD && (t->f & TF_LOWER) && word_in(x, b, preps))
            break;
        b++;
    }
    return b;
}


static int is_aux(const struct xctx *x, size_t k)
{
    const struct tok *t = &x->t[k];
    if (t->kind != TK_WORD || (t->f & TF_INQ))
        return 0;
    if (t->f & TF_POSS)
        return k > 0 && (x->t[k - 1].lf & LEX_PRONOUN); /* "he's" */
    if (!(t->f & TF_LOWER))
        return 0;
    size_t n = t->e - t->s;
    if (n > 3 && memcmp(x->text + t->e - 2, "ly", 2) == 0 && !(t->lf & LEX_VERB))
        return 1;
    return word_in(x, k, aux_words);
}

static int resolve_pronoun_at(struct xctx *x, struct xquote *q, size_t k)
{
    const struct lex_entry *e = lexicon_lookup(x->text + x->t[k].s, x->t[k].e - x->t[k].s);
    uint8_t g = e ? e->gender : 0;
    if (!g && !tok_is(x, k, "they"))
        return 0;
    int p = resolve_pronoun_q(x, q, k, g);
    if (p < 0)
        return 0;
    q->person = p;
    return 1;
}

/* The subject of the clause: the first person or he/she in [s0, o) that
 * is followed by a verb-like word (not by a preposition or a comma). */
static int sentence_subject(struct xctx *x, struct xquote *q, size_t s0, size_t o)
{
    for (size_t k = s0; k < o; k++) {
        const struct tok *t = &x->t[k];
        if (t->f & TF_INQ)
            continue;
        int name = (t->f & TF_NAME) != 0;
        int pron = tok_is(x, k, "he") || tok_is(x, k, "she") || tok_is(x, k, "they");
        if (!name && !pron)
            continue;
        size_t n = k + 1;
        while (name && n < o && (x->t[n].f & TF_NAME))
            n++;
        if (n < o && tok_punct(x, n, '(')) {
            while (n < o && !tok_punct(x, n, ')'))
                n++;
            n++;
        }
        if (n < o && (x->t[n].f & TF_POSS) && pron)
            n++; /* "he's" */
        if (n >= o || x->t[n].kind != TK_WORD || !(x->t[n].f & TF_LOWER) || word_in(x, n, preps) ||
            (x->t[n].f & TF_POSS))
            continue;
        if (name) {
            int p = person_in(x, k, k + 1);
            if (p >= 0) {
                q->person = p;
                return 1;
            }
        } else if (resolve_pronoun_at(x, q, k)) {
            return 1;
        }
    }
    return 0;
}

/* The subject right before verb v (within [s0, v)): skips auxiliaries and
 * adverbs, a parenthesis and an appositive, then takes the noun phrase. */
static int subject_of(struct xctx *x, struct xquote *q, size_t v, size_t s0)
{
    size_t k = v;
    int appos = 1;
    for (int hop = 0; hop < 4; hop++) {
        while (k > s0 && is_aux(x, k - 1))
            k--;
        if (k > s0 && tok_punct(x, k - 1, ')')) {
            size_t j = k - 1;
            while (j > s0 && k - j < 10 && !tok_punct(x, j, '('))
                j--;
            if (tok_punct(x, j, '('))
                k = j;
        }
        if (appos && k > s0 && tok_punct(x, k - 1, ',')) {
            size_t j = k - 1;
            while (j > s0 && k - j < 25 && !tok_punct(x, j - 1, ',') && x->t[j - 1].kind != TK_QUOTE &&
                   !(x->t[j - 1].f & TF_INQ))
                j--;
            if (j > s0 && tok_punct(x, j - 1, ',')) {
                /* "Her deputy, Samuel Ortiz, said": the name in the apposition */
                int p = person_in(x, j, k - 1);
                if (p >= 0) {
                    q->person = p;
                    return 1;
                }
                k = j - 1;
            } else {
                return 0;
            }
        }
        appos = 1;
        if (k <= s0)
            return 0;
        size_t h = k - 1;
        const struct tok *t = &x->t[h];
        if ((t->f & TF_INQ) || t->kind != TK_WORD)
            return 0;
        if (t->f & TF_NAME) {
            int p = person_in(x, h, h + 1);
            if (p >= 0) {
                q->person = p;
                return 1;
            }
        }
        /* "Beck, who has ... described": the noun before the relative */
        if ((tok_is(x, h, "who") || tok_is(x, h, "which")) && h > s0 && tok_punct(x, h - 1, ',')) {
            k = h - 1;
            appos = 0;
            continue;
        }
        if (t->lf & LEX_PRONOUN) {
            if (resolve_pronoun_at(x, q, h))
                return 1;
            set_org(x, q, h, h + 1, NULL);
            return 1;
        }
        /* "Reid caucused in Nevada and says": the first conjunct's subject */
        if ((tok_is(x, h, "and") || tok_is(x, h, "but")) && h > s0)
            return sentence_subject(x, q, s0, h);
        int noun = h > s0 && word_in(x, h - 1, determiners); /* "the report says" */
        if ((t->f & TF_LOWER) && ((t->lf & LEX_COMMON) || ((t->lf & LEX_VERB) && !noun) || word_in(x, h, preps)))
            return 0;
        if (t->f & TF_POSS)
            return 0;
        size_t a = h;
        while (a > s0 && h - a < 5) {
            const struct tok *u = &x->t[a - 1];
            if (u->kind != TK_WORD || (u->f & TF_INQ))
                break;
            if (u->f & TF_LOWER) {
                if (word_in(x, a - 1, determiners)) {
                    a--;
                    break;
                }
                if ((u->lf & (LEX_COMMON | LEX_VERB)) || word_in(x, a - 1, preps))
                    break;
            } else if ((u->f & TF_SENT) && (u->lf & LEX_COMMON)) {
                break;
            }
            a--;
        }
        /* a prepositional phrase ("in the past") is not the subject */
        if (a > s0 && x->t[a - 1].kind == TK_WORD && (x->t[a - 1].f & TF_LOWER) &&
            word_in(x, a - 1, preps) && !tok_is(x, a - 1, "and") && !tok_is(x, a - 1, "that") &&
            !(x->t[h].f & TF_CAP)) {
            k = a - 1;
            continue;
        }
        return resolve_phrase(x, q, a, h + 1);
    }
    return 0;
}

static int is_ing(const struct xctx *x, size_t v)
{
    const struct tok *t = &x->t[v];
    return t->e - t->s > 4 && memcmp(x->text + t->e - 3, "ing", 3) == 0;
}

static void set_cue(struct xquote *q, size_t v, double conf)
{
    q->cue = (uint32_t)v;
    q->conf = conf;
}

/* Looks after the quote's close mark, in the same sentence. */
static int try_after(struct xctx *x, struct xquote *q)
{
    if (q->cts == XNONE)
        return 0;
    size_t a = q->cts + 1, lim = a;
    /* a byline dash: "..." -- Jane Roe */
    if (a + 1 < x->nt && tok_punct(x, a, '-') && !(x->t[a].f & TF_PARA) && (x->t[a + 1].f & TF_CAP)) {
        size_t e = a + 1;
        while (e < x->nt && e < a + 7 && x->t[e].kind == TK_WORD && (x->t[e].f & TF_CAP) &&
               !(e > a + 1 && (x->t[e].f & TF_PARA)))
            e++;
        if (resolve_phrase(x, q, a + 1, e)) {
            q->conf = 0.7;
            return 1;
        }
    }
    if (a < x->nt && (x->t[a].f & TF_SENT) && !(x->t[a].f & TF_PARA)) {
        /* "...?" Clinton said. -- the cue still belongs to the quote */
        int cue = 0;
        for (size_t k = a; k < x->nt && k < a + 4 && !(k > a && (x->t[k].f & (TF_SENT | TF_PARA))); k++)
            if (is_verb(x, k))
                cue = 1;
        if (!cue)
            return 0;
        lim = a + 1;
    }
    while (lim < x->nt && lim < a + POST_MAX && !(x->t[lim].f & (TF_SENT | TF_PARA)) &&
           !(x->t[lim].kind == TK_QUOTE && (x->t[lim].f & TF_INQ) == 0 && lim > a &&
             x->t[lim].q != QM_CLOSE && (x->t[lim].f & TF_SPB)))
        lim++;
    for (size_t v = a; v < lim; v++) {
        if (x->t[v].f & TF_INQ)
            break;
        int according = tok_is(x, v, "according") && tok_is(x, v + 1, "to");
        if (!is_verb_near(x, v, q->cts) && !according)
            continue;
        size_t sa = a;
        while (sa < v && x->t[sa].kind != TK_WORD && x->t[sa].kind != TK_NUM)
            sa++;
        if (sa == v || according) {
            size_t oa = according ? v + 2 : v + 1;
            size_t ob = object_end(x, oa, lim);
            if (ob > oa && resolve_phrase(x, q, oa, ob)) {
                set_cue(q, v, 0.9);
                return 1;
            }
            continue;
        }
        /* subject between the quote and the verb */
        if (is_ing(x, v))
            continue;
        if (v - sa <= 12 && subject_of(x, q, v, sa)) {
            set_cue(q, v, 0.9);
            return 1;
        }
        /* "..." Trump, the party's front-runner, said */
        size_t na = sa;
        while (na < v && (((x->t[na].lf & (LEX_HON | LEX_TITLE | LEX_MOD)) && (x->t[na].f & TF_CAP) &&
                           !(x->t[na].f & TF_NAME)) ||
                          (tok_punct(x, na, '.') && na > sa)))
            na++;
        if ((x->t[na].f & TF_NAME) || tok_is(x, na, "he") || tok_is(x, na, "she")) {
            size_t e = na + 1;
            while (e < v && (x->t[e].f & TF_NAME))
                e++;
            if (tok_punct(x, e, '(')) {
                size_t c = e;
                while (c < v && c < e + 8 && !tok_punct(x, c, ')'))
                    c++;
                if (tok_punct(x, c, ')'))
                    e = c + 1;
            }
            if (tok_punct(x, e, ',') && resolve_phrase(x, q, na, e)) {
                set_cue(q, v, 0.8);
                return 1;
            }
        }
        /* "..." about the decision, said Jane Roe */
        if (v > sa && tok_punct(x, v - 1, ',')) {
            size_t ob = object_end(x, v + 1, lim);
            if (ob > v + 1 && (x->t[v + 1].f & (TF_NAME | TF_CAP)) && resolve_phrase(x, q, v + 1, ob)) {
                set_cue(q, v, 0.8);
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

/* Looks before the open mark, in the same sentence. */
static int try_before(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    if (x->t[o].f & (TF_PARA | TF_SENT))
        return 0;
    size_t s0 = sent_start(x, o);
    if (o - s0 > PRE_MAX)
        s0 = o - PRE_MAX;
    for (int pass = 0; pass < 2; pass++)
    for (size_t v = o; v-- > s0;) {
        int according = tok_is(x, v, "according") && tok_is(x, v + 1, "to");
        if (pass == 0 && !is_verb(x, v) && !according)
            continue;
        if (pass == 1 && (is_verb(x, v) || according || !is_verb_near(x, v, o)))
            continue;
        if (according) {
            size_t ob = object_end(x, v + 2, o);
            if (ob > v + 2 && resolve_phrase(x, q, v + 2, ob)) {
                set_cue(q, v, 0.8);
                return 1;
            }
            continue;
        }
        if (is_ing(x, v) || tok_is(x, v - 1, "to")) {
            if (sentence_subject(x, q, s0, v)) {
                set_cue(q, v, 0.7);
                return 1;
            }
            continue;
        }
        if (subject_of(x, q, v, s0)) {
            set_cue(q, v, 0.8);
            return 1;
        }
        /* inverted: "said Smith: ..." -- the phrase runs up to the quote or
         * its colon or comma, and is not a pronoun ("says he voted") */
        size_t ob = object_end(x, v + 1, o);
        if (ob > v + 1 && (ob == o || tok_punct(x, ob, ':') || tok_punct(x, ob, ',')) &&
            !(x->t[v + 1].lf & LEX_PRONOUN) && resolve_phrase(x, q, v + 1, ob)) {
            set_cue(q, v, 0.8);
            return 1;
        }
        if (sentence_subject(x, q, s0, v)) {
            set_cue(q, v, 0.6);
            return 1;
        }
    }
    return 0;
}

static int clause_np(struct xctx *x, struct xquote *q, size_t s0, size_t lim);


/* No cue found: the subject of the quote's sentence, its first person or
 * he/she before a verb, else the noun phrase that opens the sentence. */
static int try_subject(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    size_t s0 = sent_start(x, o);
    if (o - s0 > PRE_MAX)
        return 0;
    if (sentence_subject(x, q, s0, o)) {
        q->conf = 0.5;
        return 1;
    }
    /* a quote inside a sentence belongs to the sentence's subject */
    if (clause_np(x, q, s0, o)) {
        q->conf = 0.4;
        return 1;
    }
    return 0;
}

/* The noun phrase that opens a clause at s0 (up to the first verb-like
 * word); its person, pronoun or head noun. */
static int clause_np(struct xctx *x, struct xquote *q, size_t s0, size_t lim)
{
    size_t k = s0;
    while (k < lim && (x->t[k].lf & LEX_COMMON) && (x->t[k].f & TF_CAP) && !(x->t[k].f & TF_NAME) &&
           !tok_is(x, k, "the") && !(x->t[k].lf & LEX_PRONOUN))
        k++; /* "But", "And" */
    size_t a = k;
    for (; k < lim; k++) {
        const struct tok *t = &x->t[k];
        if (t->kind != TK_WORD || (t->f & TF_INQ))
            break;
        if (t->f & TF_LOWER) {
            size_t n = t->e - t->s;
            const char *w = x->text + t->s;
            int after_det = k > a && word_in(x, k - 1, determiners); /* "The email" */
            if (((t->lf & (LEX_VERB | LEX_VERB_WEAK)) && !after_det) || is_aux(x, k) || word_in(x, k, preps) ||
                word_in(x, k, irregular))
                break;
            if (n > 3 && memcmp(w + n - 2, "ed", 2) == 0 && k > a)
                break;
            /* "The email goes": an -s word after a lower-case noun is the verb */
            if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && k > a && !after_det &&
                (x->t[k - 1].f & TF_LOWER) && x->t[k - 1].kind == TK_WORD && !(x->t[k - 1].f & TF_POSS))
                break;
        }
        if ((t->lf & LEX_PRONOUN) && k == a) {
            k++;
            break;
        }
    }
    if (k <= a || k - a > 8)
        return 0;
    return resolve_phrase(x, q, a, k);
}

/* A quote introduced by a colon ("Cruz continued:"), in the same or the
 * next paragraph: the subject of the clause before the colon. */
static int try_colon(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    size_t c = o;
    while (c > 0 && c + 3 > o && !tok_punct(x, c - 1, ':'))
        c--;
    if (c == 0 || !tok_punct(x, c - 1, ':'))
        return 0;
    c--;
    size_t s0 = sent_start(x, c);
    if (c - s0 > PRE_MAX)
        s0 = c - PRE_MAX;
    for (size_t v = c; v-- > s0;) {
        if (!is_verb_near(x, v, c) && !(v + 1 == c && x->t[v].kind == TK_WORD && (x->t[v].f & TF_LOWER) &&
                                        !word_in(x, v, preps)))
            continue;
        if (is_ing(x, v) || tok_is(x, v - 1, "to"))
            break;
        if (subject_of(x, q, v, s0)) {
            set_cue(q, v, 0.7);
            return 1;
        }
        break;
    }
    if (sentence_subject(x, q, s0, c) || clause_np(x, q, s0, c)) {
        q->conf = 0.5;
        return 1;
    }
    return 0;
}

/* Headline "Elizabeth Warren: Trump Is a 'Proven Failure'": the words
 * before the colon speak. */
static int try_headline(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    size_t p0 = o;
    while (p0 > 0 && !(x->t[p0].f & TF_PARA))
        p0--;
    for (size_t k = 1; k <= p0 && k < x->nt; k++)
        if (x->t[k].f & TF_PARA)
            return 0; /* not the first paragraph */
    int more = 0; /* a headline has a body after it */
    for (size_t k = o; k < x->nt && !more; k++)
        more = (x->t[k].f & TF_PARA) != 0;
    if (!more)
        return 0;
    for (size_t c = p0 + 1; c < o && c < p0 + 7; c++) {
        if (is_verb(x, c))
            return 0;
        if (tok_punct(x, c, ':')) {
            if (c == p0 + 2 && tok_is(x, p0, "the") && tok_is(x, p0 + 1, "latest"))
                return 0; /* AP's "The Latest: ..." */
            return resolve_phrase(x, q, p0, c) ? (q->conf = 0.6, 1) : 0;
        }
    }
    return 0;
}

static void inherit(struct xquote *q, const struct xquote *prev, double conf)
{
    q->person = prev->person;
    memcpy(q->org, prev->org, sizeof q->org);
    q->sp_ts = prev->sp_ts;
    q->sp_te = prev->sp_te;
    q->cue = prev->cue;
    q->conf = conf;
}

static size_t para_of(const struct xctx *x, size_t i)
{
    while (i > 0 && !(x->t[i].f & TF_PARA))
        i--;
    return i;
}

int attrib_run(struct xctx *x)
{
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        q->org[0] = 0;
        if (try_headline(x, q))
            continue;
        if (q->partial ? (try_before(x, q) || try_after(x, q)) : (try_after(x, q) || try_before(x, q)))
            continue;
        if (try_colon(x, q) || try_subject(x, q))
            continue;
        if (qi == 0)
            continue;
        /* interrupted, continued or floating: the quote before speaks on */
        const struct xquote *prev = &x->q[qi - 1];
        if (prev->person < 0 && !prev->org[0])
            continue;
        size_t pp = para_of(x, prev->ots), qp = para_of(x, q->ots);
        if (pp == qp)
            inherit(q, prev, 0.7);
        else if (q->continued || (x->t[q->ots].f & TF_PARA)) {
            /* the previous paragraph's quote, with nothing between */
            size_t prev_para_end = qp;
            int between = 0;
            for (size_t k = prev->te; k < prev_para_end; k++)
                if (x->t[k].f & TF_PARA) {
                    between = 1;
                    break;
                }
            if (!between || q->continued)
                inherit(q, prev, 0.6);
        }
    }
    /* a quote opening a sentence after "Schiff said." in its paragraph */
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        size_t o = q->ots;
        if (q->person >= 0 || q->org[0] || (x->t[o].f & TF_PARA) || !(x->t[o].f & TF_SENT) || o == 0)
            continue;
        size_t s1 = sent_start(x, o - 1);
        int has_quote = 0;
        for (size_t k = s1; k < o && !has_quote; k++)
            has_quote = x->t[k].kind == TK_QUOTE;
        if (has_quote || o - s1 > PRE_MAX)
            continue;
        for (size_t v = o; v-- > s1;)
            if (is_verb(x, v) && !is_ing(x, v)) {
                if (subject_of(x, q, v, s1))
                    set_cue(q, v, 0.5);
                break;
            }
    }
    /* a quote paragraph with nobody attached, after a paragraph without
     * quotes: that paragraph's last sentence introduced the speaker */
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        if (q->person >= 0 || q->org[0] || !(x->t[q->ots].f & TF_PARA) || q->ots == 0)
            continue;
        size_t pe = q->ots; /* previous paragraph: [pp, pe) */
        size_t pp = para_of(x, pe - 1);
        int has_quote = 0;
        for (size_t k = pp; k < pe && !has_quote; k++)
            has_quote = x->t[k].kind == TK_QUOTE;
        if (has_quote || pe - pp > 120)
            continue;
        size_t s0 = sent_start(x, pe - 1);
        if (sentence_subject(x, q, s0, pe) || clause_np(x, q, s0, pe))
            q->conf = 0.3;
    }
    return 0;
}
