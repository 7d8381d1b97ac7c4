/* Who a subject or a pronoun refers to, for attribution (attrib.c): word
 * classes that the clause heuristics share (speech verbs, auxiliaries,
 * prepositions, determiners), subject positions ("Roe, 45, said"), he /
 * she / they resolution by gender, subjecthood and recency, and gender
 * learnt from the text ("Roe said she ...").  Reads the tokens and
 * mentions of one struct xctx; refer_learn_gender writes person genders. */
#include "refer.h"

#include <string.h>

#include "lexicon.h"

int refer_word_in(const struct xctx *x, size_t k, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (tok_is(x, k, list[i]))
            return 1;
    return 0;
}

static const char *const refer_aux_words[] = {
    "has", "had", "have", "was", "is", "are", "were", "did", "does", "do", "will", "would",
    "could", "can", "may", "might", "should", "must", "not", "also", "then", "later", "never",
    "just", "still", "already", "again", "once", "first", "previously", "recently", "often",
    "has", "been", "being", "be", "even", "now", "reportedly", "publicly", "privately",
    "didn't", "didn\xe2\x80\x99t", "doesn't", "doesn\xe2\x80\x99t", "hasn't", "hasn\xe2\x80\x99t",
    "wasn't", "wasn\xe2\x80\x99t", "had", "once", "all", "both", NULL};

const char *const refer_modal_words[] = {
    "will", "would", "could", "can", "may", "might", "should", "must", NULL};

const char *const refer_preps[] = {
    "of", "and", "or", "in", "at", "on", "for", "with", "to", "from", "by", "about", "into",
    "than", "as", "like", "over", "against", "after", "before", "during", "under", "between",
    "that", "which", "nor", "but", "while", "when", "if", "because", "since", "through", NULL};

/* Words of refer_preps[] that open a clause, so a subject may follow them. */
const char *const refer_clause_openers[] = {
    "and", "or", "that", "which", "nor", "but", "while", "when", "if", "because", "since", "as", NULL};

const char *const refer_determiners[] = {
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these",
    "those", "another", "some", "several", "many", "two", "three", "four", "one", "other",
    "both", "each", "every", "no", "most", "few", "top", "senior", NULL};

/* Common refer_irregular verb forms that end a subject noun phrase. */
const char *const refer_irregular[] = {
    "began", "begins", "sent", "went", "took", "made", "gave", "goes", "got", "came", "saw",
    "found", "became", "kept", "left", "put", "ran", "brought", "thought", "felt", "held", "stood",
    "knew", "won", "lost", "met", "paid", "led", "heard", "spoke", "told", "wrote", "said", "says",
    "did", "does", "do", "has", "had", "have", "is", "was", "are", "were", NULL};

const char *const refer_articles[] = {"the", "a", "an", "his", "their", "its", "our", "my",
                                       "your", "this", "these", "those", "another", NULL};

/* A speech verb, not a noun after an article or a possessive ("the
 * claim", "Roe's claim"). */
int refer_is_verb(const struct xctx *x, size_t i)
{
    const struct tok *t = &x->t[i];
    return t->kind == TK_WORD && (t->lf & LEX_VERB) && (t->f & TF_LOWER) && !(t->f & TF_INQ) &&
           !(i > 0 && (refer_word_in(x, i - 1, refer_articles) || (x->t[i - 1].f & TF_POSS)));
}

int refer_is_ing(const struct xctx *x, size_t v)
{
    const struct tok *t = &x->t[v];
    return t->e - t->s > 4 && memcmp(x->text + t->e - 3, "ing", 3) == 0;
}

/* A weak cue ("stated", "continued") counts next to the quote. */
int refer_is_verb_near(const struct xctx *x, size_t i, size_t mark)
{
    const struct tok *t = &x->t[i];
    if (refer_is_verb(x, i))
        return 1;
    size_t d = i > mark ? i - mark : mark - i;
    return d <= 4 && t->kind == TK_WORD && (t->lf & LEX_VERB_WEAK) && (t->f & TF_LOWER) &&
           !(t->f & TF_INQ) && !(i > 0 && (refer_word_in(x, i - 1, refer_articles) || (x->t[i - 1].f & TF_POSS)));
}

/* Is w[0..n) one of data/agent-nouns.txt? */
static int agent_word(const char *w, size_t n)
{
    return (lexicon_flags(w, n) & LEX_AGENT) != 0;
}

int refer_agent_noun(const struct xctx *x, size_t k)
{
    if (k >= x->nt || (x->t[k].kind != TK_WORD && x->t[k].kind != TK_NUM))
        return 0;
    const struct tok *t = &x->t[k];
    if (t->lf & (LEX_APPOS | LEX_ORGHEAD | LEX_TITLE_HEAD))
        return 1;
    size_t n = t->e - t->s;
    char w[36];
    if (n < 2 || n + 2 > sizeof w)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)x->text[t->s + i];
        w[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (t->kind != TK_WORD) /* an age for a noun: "the 46-year-old said" */
        return (n > 4 && memcmp(w + n - 4, "-old", 4) == 0) || (n > 5 && memcmp(w + n - 5, "-olds", 5) == 0);
    if (t->lf & LEX_AGENT)
        return 1;
    if (w[n - 1] != 's')
        return 0;
    if (agent_word(w, n - 1)) /* officials */
        return 1;
    if (n > 3 && w[n - 2] == 'e' && agent_word(w, n - 2)) /* witnesses */
        return 1;
    if (n > 4 && w[n - 2] == 'e' && w[n - 3] == 'i') { /* parties */
        w[n - 3] = 'y';
        return agent_word(w, n - 2);
    }
    return 0;
}

/* Index of the first mention that starts at or after token pos
 * (mentions are sorted by start). */
static size_t mentions_from(const struct xctx *x, size_t pos)
{
    size_t lo = 0, hi = x->nm;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->m[mid].ts < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the first mention that ends after token k: the one holding k,
 * if any. */
static size_t mentions_ending_after(const struct xctx *x, size_t k)
{
    size_t lo = 0, hi = x->nm;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->m[mid].te <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First person mentioned in tokens [a, b), or -1. */
int refer_person_in(const struct xctx *x, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        if (!(x->t[k].f & TF_NAME))
            continue;
        size_t lo = mentions_ending_after(x, k);
        for (size_t mi = lo; mi < x->nm && x->m[mi].ts <= k; mi++)
            if (x->m[mi].ts <= k && k < x->m[mi].te)
                return x->m[mi].person;
    }
    return -1;
}


int refer_is_adverb(const struct xctx *x, size_t n)
{
    size_t len = x->t[n].e - x->t[n].s;
    return (len > 3 && memcmp(x->text + x->t[n].e - 2, "ly", 2) == 0) || tok_is(x, n, "also") ||
           tok_is(x, n, "then") || tok_is(x, n, "later") || tok_is(x, n, "still");
}

/* A word that can be a finite verb: "said", "told", "has", "wanted",
 * "holds" -- not "supporter" or "claiming". */
int refer_verb_like(const struct xctx *x, size_t n)
{
    const struct tok *t = &x->t[n];
    if (t->kind != TK_WORD || !(t->f & TF_LOWER) || (t->f & TF_INQ) || refer_word_in(x, n, refer_preps))
        return 0;
    if ((t->lf & (LEX_VERB | LEX_VERB_WEAK)) || refer_word_in(x, n, refer_aux_words) || refer_word_in(x, n, refer_irregular) ||
        refer_word_in(x, n, refer_modal_words))
        return 1;
    size_t len = t->e - t->s;
    const char *w = x->text + t->s;
    if (len > 3 && memcmp(w + len - 3, "ing", 3) == 0)
        return 0;
    if (len > 3 && (memcmp(w + len - 2, "ed", 2) == 0 || memcmp(w + len - 2, "ly", 2) == 0))
        return 1;
    return len > 3 && w[len - 1] == 's' && w[len - 2] != 's' && w[len - 2] != 'u';
}

/* A mention followed by a verb-like word: "Roe said", "Roe, 45, told",
 * "Rep. Lee Roe of Ohio, a party veteran, said". */
static int refer_subject_position(const struct xctx *x, const struct xmention *m)
{
    size_t n = m->te;
    if (n < x->nt && (x->t[n].f & TF_POSS))
        return 0;
    size_t b = m->title_ts < m->ts ? m->title_ts : m->ts;
    if (b > 0 && refer_is_verb(x, b - 1) && !refer_is_ing(x, b - 1))
        return 1; /* "..., said Alan Roe" */
    if (n + 2 < x->nt && (tok_is(x, n, "of") || tok_is(x, n, "at") || tok_is(x, n, "from")) &&
        ((x->t[n + 1].f & TF_CAP) || (tok_is(x, n + 1, "the") && (x->t[n + 2].f & TF_CAP)))) {
        n += tok_is(x, n + 1, "the") ? 2 : 1; /* "of Ohio", "at the City Times" */
        while (n < x->nt && n < m->te + 7 && x->t[n].kind == TK_WORD && (x->t[n].f & TF_CAP))
            n++;
    }
    if (n < x->nt && tok_punct(x, n, '(')) {
        size_t k = n;
        while (k < x->nt && k < n + 10 && !tok_punct(x, k, ')'))
            k++;
        n = k + 1;
    }
    if (n + 1 < x->nt && tok_punct(x, n, ',') && (tok_is(x, n + 1, "he") || tok_is(x, n + 1, "she")))
        return 1; /* "As for Roe, he said" */
    if (n < x->nt && (tok_punct(x, n, ',') || tok_punct(x, n, '-'))) {
        /* an appositive: subject when a verb follows a closing comma or dash */
        char sep = (char)x->t[n].q;
        size_t k = n + 1;
        int closed = 0;
        for (; k < x->nt && k < n + 30 && !(x->t[k].f & (TF_SENT | TF_PARA)); k++)
            if (tok_punct(x, k, sep) && k + 1 < x->nt &&
                (refer_verb_like(x, k + 1) ||
                 (x->t[k + 1].kind == TK_QUOTE && k + 2 < x->nt && refer_verb_like(x, k + 2)))) {
                if (x->t[k + 1].kind == TK_QUOTE)
                    k++; /* "Roe, who called it ''unfair,'' said" */
                closed = 1;
                break;
            }
        if (!closed) {
            /* "the region's governor, Ana Ruiz, plays down": a name in
             * apposition, then its verb; not "a statue of Lee, lit at
             * night. He said" */
            size_t c = n + 1, h = b;
            if (h >= 2 && tok_punct(x, h - 1, '.') && (x->t[h - 2].lf & LEX_HON))
                h -= 2; /* "Mr." */
            else if (h >= 1 && (x->t[h - 1].lf & LEX_HON) && (x->t[h - 1].f & TF_CAP))
                h--;
            if (h > 0 && tok_punct(x, h - 1, sep) && c < x->nt && refer_verb_like(x, c))
                return 1;
            /* "Sen. Jo Roe, R-Ohio, despite ...": a name that opens its
             * paragraph is its topic */
            return (x->t[b].f & TF_PARA) != 0;
        }
        n = k + 1;
    }
    /* "Roe himself seemed": an emphatic reflexive */
    if (n + 1 < x->nt && (tok_is(x, n, "himself") || tok_is(x, n, "herself")))
        n++;
    while (n + 1 < x->nt && x->t[n].kind == TK_WORD && (x->t[n].f & TF_LOWER) && refer_is_adverb(x, n))
        n++;
    return n < x->nt && refer_verb_like(x, n);
}

int refer_subject(const struct xctx *x, size_t mi)
{
    return refer_subject_position(x, &x->m[mi]);
}

size_t refer_mentions_from(const struct xctx *x, size_t pos)
{
    return mentions_from(x, pos);
}

/* Most recent person mention before token pos, outside quotes, whose
 * gender agrees, preferring subjects; -1 when none. */
static int refer_main_subject_of_sentence(const struct xctx *x, size_t mi, uint8_t g);

static int refer_resolve_pronoun(const struct xctx *x, size_t pos, uint8_t g)
{
    size_t lo = mentions_from(x, pos);
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
        int subj = refer_subject_position(x, m);
        int rank = subj && exact ? 0 : subj && pos - m->ts < 120 ? 1 : exact ? 2 : 3;
        if (best[rank] < 0)
            best[rank] = rank == 0 ? refer_main_subject_of_sentence(x, mi, g) : m->person;
        if (rank == 0)
            break;
    }
    for (int r = 0; r < 4; r++)
        if (best[r] >= 0)
            return best[r];
    return -1;
}

static int refer_gender_ok(const struct xctx *x, int p, uint8_t g)
{
    uint8_t pg = x->p[p].gender;
    return !g || !pg || pg == g;
}

/* The latest subject before a pronoun may sit in a subordinate clause
 * ("Roe did not look pleased when Lee asked ..."): an earlier subject
 * that opens the same sentence is its topic and wins. */
static int refer_main_subject_of_sentence(const struct xctx *x, size_t mi, uint8_t g)
{
    const struct xmention *m = &x->m[mi];
    size_t s0 = m->ts;
    while (s0 > 0 && !(x->t[s0].f & (TF_SENT | TF_PARA)))
        s0--;
    for (size_t j = mi; j-- > 0;) {
        const struct xmention *e = &x->m[j];
        if (e->ts < s0)
            break;
        if (e->person == m->person || (x->t[e->ts].f & TF_INQ) || !refer_gender_ok(x, e->person, g))
            continue;
        size_t b = e->title_ts < e->ts ? e->title_ts : e->ts;
        int opens = b == s0;
        if (!opens && b > s0 && tok_punct(x, b - 1, ',')) {
            /* after an introductory phrase without a verb ("On Monday, ") */
            opens = 1;
            for (size_t k = s0; k + 1 < b; k++)
                if (refer_verb_like(x, k) || x->t[k].kind == TK_QUOTE || (x->t[k].f & TF_NAME))
                    opens = 0;
        }
        if (opens && refer_subject_position(x, e))
            return e->person;
    }
    return m->person;
}

/* he/she for quote q at token pos: the speaker of the quote before when
 * no other subject of that gender came between, else the latest subject,
 * else recency. */
static size_t refer_para_start(const struct xctx *x, size_t i)
{
    return x->para0[i];
}

/* Conjunctions that open a subordinate clause ("While Roe had ...");
 * speaker.c reads them. */
const char *const refer_subordinators[] = {"while", "although", "though", "whereas", "if", "when",
                                           "because", "since", "after", "before", "as", NULL};

/* A quote paragraph whose he/she has no antecedent in its own paragraph,
 * after a paragraph without quotes whose last sentence brings in someone
 * new: "... noted the pollster Dana Roe. / 'Quote,' she wrote."
 * The one person of the right gender first named in that sentence, or -1. */
static int refer_introduced(const struct xctx *x, size_t pos, uint8_t g)
{
    size_t p0 = refer_para_start(x, pos);
    if (p0 == 0)
        return -1;
    size_t pp = refer_para_start(x, p0 - 1);
    if (p0 - pp > 400)
        return -1;
    for (size_t k = pp; k < pos; k++) {
        if (k < p0 && x->t[k].kind == TK_QUOTE)
            return -1;
        if (k >= p0 && (x->t[k].f & TF_NAME) && !(x->t[k].f & TF_INQ))
            return -1;
    }
    size_t s = p0 - 1;
    while (s > pp && !(x->t[s].f & TF_SENT))
        s--;
    /* mentions in [s, p0) */
    size_t lo = mentions_from(x, s);
    for (size_t k = s; k < p0; k++)
        if (tok_is(x, k, "he") || tok_is(x, k, "she") || tok_is(x, k, "they"))
            return -1; /* the sentence goes on about someone already there */
    int found = -1;
    for (size_t mi = lo; mi < x->nm && x->m[mi].ts < p0; mi++) {
        const struct xmention *m = &x->m[mi];
        int p = m->person;
        if (p == found || (x->t[m->ts].f & TF_INQ))
            continue;
        int seen = 0;
        for (size_t j = 0; j < lo && !seen; j++)
            seen = x->m[j].person == p;
        int subj = refer_subject_position(x, m);
        if (seen) {
            if (subj)
                return -1; /* "Roe, for example, said ... Lee." */
            continue;
        }
        if (!refer_gender_ok(x, p, g) || (m->te < x->nt && (x->t[m->te].f & TF_POSS)))
            continue;
        /* introduced: a subject, an appositive, or the sentence's last words */
        int intro = subj || tok_punct(x, m->te, ',') || m->te + 2 >= p0 ||
                    (m->te + 2 < x->nt && (x->t[m->te + 2].f & TF_PARA) && x->t[m->te + 1].kind == TK_PUNCT);
        if (!intro)
            continue;
        if (found >= 0)
            return -1; /* two newcomers: no telling */
        found = p;
    }
    return found;
}

int refer_resolve_pronoun_q(const struct xctx *x, const struct xquote *q, size_t pos, uint8_t g)
{
    return refer_resolve_pronoun_why(x, q, pos, g, NULL);
}

int refer_resolve_pronoun_why(const struct xctx *x, const struct xquote *q, size_t pos, uint8_t g, int *why)
{
    int dummy;
    if (!why)
        why = &dummy;
    *why = REFER_BY_INTRO;
    int intro = refer_introduced(x, pos, g);
    if (intro >= 0)
        return intro;
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
    if (prev >= 0 && !refer_gender_ok(x, prev, g))
        prev = -1;
    size_t lo = mentions_from(x, pos);
    for (size_t mi = lo; mi-- > 0;) {
        const struct xmention *m = &x->m[mi];
        if (pos - m->ts > 300)
            break;
        if ((x->t[m->ts].f & TF_INQ) || !refer_gender_ok(x, m->person, g))
            continue;
        if (prev >= 0 && m->ts < prev_at)
            break;
        if (refer_subject_position(x, m)) {
            *why = REFER_BY_SUBJECT;
            return refer_main_subject_of_sentence(x, mi, g);
        }
    }
    *why = REFER_BY_PREV;
    if (prev >= 0)
        return prev;
    *why = REFER_BY_RECENCY;
    return refer_resolve_pronoun(x, pos, g);
}

int refer_is_aux(const struct xctx *x, size_t k)
{
    const struct tok *t = &x->t[k];
    if (t->kind != TK_WORD || (t->f & TF_INQ))
        return 0;
    if (!(t->f & TF_LOWER))
        return 0;
    return refer_word_in(x, k, refer_aux_words);
}

/* Is the name at token k the subject of a verb after an appositive or
 * "of Ohio"? */
int refer_name_subject(const struct xctx *x, size_t k)
{
    size_t lo = mentions_ending_after(x, k);
    return lo < x->nm && x->m[lo].ts <= k && refer_subject_position(x, &x->m[lo]);
}

/* Gender learnt from the text: "Roe said she ...": a he or she right
 * after a person's subject mention, in the same clause with no other
 * person between, when names and titles did not tell. */
void refer_learn_gender(struct xctx *x)
{
    for (size_t mi = 0; mi < x->nm; mi++) {
        const struct xmention *m = &x->m[mi];
        struct xperson *p = &x->p[m->person];
        if (p->gender || (x->t[m->ts].f & TF_INQ) || !refer_subject_position(x, m))
            continue;
        for (size_t k = m->te; k < x->nt && k < m->te + 6; k++) {
            const struct tok *t = &x->t[k];
            if ((t->f & (TF_SENT | TF_PARA)) || (t->f & TF_NAME) || t->kind == TK_QUOTE)
                break;
            if (tok_is(x, k, "he")) {
                p->gender = LEXG_MALE;
                break;
            }
            if (tok_is(x, k, "she")) {
                p->gender = LEXG_FEMALE;
                break;
            }
        }
    }
}

