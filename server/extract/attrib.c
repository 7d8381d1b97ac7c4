/* Attribution: for each quotation, a cue verb and a speaker.  In order:
 * a headline "Name: ... 'quote'"; "according to X" in the quote's
 * sentence; the same sentence after the quote ("..., said X", "... X
 * said", "... -- X") or before it ("X said: ...", the nearest strong cue
 * first); a colon that introduces it; the subject of its sentence; the
 * quote before it (interrupted, continued and floating quotes); the last
 * sentence of a quote-less paragraph just before.  Pronouns resolve by
 * gender, subjecthood and recency (refer.c); a phrase that names nobody
 * must pass a speaker test (its head a role, group or document noun,
 * data/agent-nouns.txt, or a capitalised noun; a headline's Title Case
 * run ends before its verb), else the next rule gets its turn; a short
 * quote with no cue and nobody to say it is a scare quote. */
#include <string.h>

#include "attrib.h"
#include "lexicon.h"
#include "refer.h"
#include "xctx.h"

#define POST_MAX 30
#define PRE_MAX 60

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

/* "the department said": the closest earlier capitalised run ending in
 * that word names it ("the Labor Department").  The scorer counts both
 * alike; the full name tells a user which department (8 training
 * documents). */
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

/* Does the capitalised word k of a Title Case run read as its verb
 * ("Mayor Is", "Study Finds Gap")?  A speech verb, an auxiliary or common
 * irregular form, or a third-person -s word after a word without one,
 * that is not a name or an organisation word ("Ann Lewis", "City News"
 * stay). */
static int title_verb(const struct xctx *x, size_t k)
{
    const struct tok *t = &x->t[k];
    if (t->kind != TK_WORD || (t->f & (TF_NAME | TF_POSS)) || (t->lf & (LEX_GIVEN | LEX_PLACE)))
        return 0;
    if ((t->lf & (LEX_VERB | LEX_VERB_WEAK)) || refer_word_in(x, k, refer_irregular) ||
        tok_is(x, k, "will") || tok_is(x, k, "could"))
        return 1;
    size_t n = t->e - t->s;
    const char *w = x->text + t->s;
    const struct tok *u = &x->t[k - 1];
    size_t un = u->e - u->s;
    if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != '\'' &&
        u->kind == TK_WORD && x->text[u->e - 1] != 's' && un > 1 &&
        !(t->lf & (LEX_NONPERSON | LEX_COMMON | LEX_TITLE | LEX_ORGHEAD | LEX_NATION)) && !refer_agent_noun(x, k))
        return 1;
    return 0;
}

/* A Title Case run of three or more words in the headline (the first
 * paragraph) that goes on past its verb ("Angry Farmers Say Prices
 * Are"): the speaker ends before it. */
static size_t title_cut(const struct xctx *x, size_t a, size_t b)
{
    if (b - a < 3)
        return b;
    if (x->para0[a] != 0)
        return b; /* headlines only */
    for (size_t k = a; k < b; k++)
        if (x->t[k].kind != TK_WORD || !(x->t[k].f & TF_CAP))
            return b;
    for (size_t k = a + 1; k < b; k++)
        if (title_verb(x, k))
            return k;
    return b;
}

/* Party and political adjectives: alone they modify a noun the phrase
 * lost ("of Republican claims"), they are no speaker (2 training
 * documents; an adjective never names who speaks). */
static const char *const party_adjectives[] = {
    "democratic", "republican", "bipartisan", "partisan", "conservative", "liberal",
    "progressive", "american", "federal", NULL};

/* Can the non-person phrase [a, *b) be a speaker: its head (last word) a
 * role, group or document noun (data/agent-nouns.txt), or one followed by
 * a word or two that modify it ("an aide familiar", "the memo sent
 * Friday"; the phrase then ends at the noun), or a capitalised noun that
 * is not a pronoun or a function word. */
static int speaker_phrase_ok(const struct xctx *x, size_t a, size_t *b)
{
    size_t h = *b - 1;
    const struct tok *t = &x->t[h];
    if (*b - a == 1 && refer_word_in(x, h, party_adjectives))
        return 0;
    /* an honorific or a short title cut from its name by a period ("Mr",
     * "Sen") names nobody, though the scorer's last-word rule would take
     * it for the gold "Mr. Roe" */
    if (t->kind == TK_WORD && !(t->f & TF_NAME) &&
        ((t->lf & LEX_HON) || ((t->lf & LEX_TITLE) && t->e - t->s <= 4 && tok_punct(x, h + 1, '.'))))
        return 0;
    if (refer_agent_noun(x, h))
        return 1;
    if (t->kind != TK_WORD)
        return 0;
    if (t->f & TF_LOWER || (t->lf & LEX_COMMON)) {
        for (size_t j = h; j-- > a && h - j <= 2;) {
            const struct tok *u = &x->t[j];
            if (u->kind != TK_WORD)
                break;
            if (refer_agent_noun(x, j)) {
                *b = j + 1;
                return 1;
            }
            if (!(u->f & TF_LOWER))
                break;
        }
    }
    if ((t->f & TF_LOWER) && x->lenient && !(t->lf & (LEX_COMMON | LEX_PRONOUN | LEX_VERB | LEX_CUE)) &&
        !refer_word_in(x, h, refer_preps) && !refer_is_ing(x, h) && t->e - t->s > 2)
        return 1; /* proposing: the learned chooser weighs the head noun */
    if (t->f & TF_LOWER)
        return 0;
    if (t->lf & LEX_PRONOUN)
        return 0;
    if (t->lf & LEX_COMMON)
        return 0; /* "When", "How" */
    return 1;
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
    b = title_cut(x, a, b);
    int p = refer_person_in(x, a, b);
    if (p >= 0) {
        q->person = p;
        return 1;
    }
    const struct tok *t = &x->t[a];
    if (b - a == 1 && (t->lf & LEX_PRONOUN)) {
        const struct lex_entry *e = lexicon_lookup(x->text + t->s, t->e - t->s);
        uint8_t g = e ? e->gender : 0;
        if (g || tok_is(x, a, "they")) {
            p = refer_resolve_pronoun_q(x, q, q->ots, g);
            if (p >= 0) {
                q->person = p;
                q->pron_tok = (uint32_t)a;
                return 1;
            }
        }
        /* "it", "I", "we": nobody we can name */
        return 0;
    }
    /* strip leading function words ("But a party official") */
    while (a + 1 < b && (x->t[a].lf & LEX_COMMON) && !(x->t[a].f & TF_NAME) &&
           !tok_is(x, a, "the") && !tok_is(x, a, "a") && !tok_is(x, a, "an"))
        a++;
    /* a phrase ends in its head noun, not in "the" or "a" */
    while (b > a && x->t[b - 1].kind == TK_WORD &&
           (tok_is(x, b - 1, "the") || tok_is(x, b - 1, "a") || tok_is(x, b - 1, "an")))
        b--;
    if (b <= a)
        return 0;
    if (!speaker_phrase_ok(x, a, &b)) {
        q->rejected = 1;
        return 0;
    }
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

/* sent_start for the rules that look at most PRE_MAX tokens back: past
 * that it stops, at a token more than PRE_MAX before i, so that a text of
 * one endless sentence costs each quote PRE_MAX steps, not the text. */
static size_t sent_start_near(const struct xctx *x, size_t i)
{
    size_t lim = i > PRE_MAX + 1 ? i - PRE_MAX - 1 : 0;
    while (i > lim && !(x->t[i].f & (TF_SENT | TF_PARA)))
        i--;
    return i;
}

/* Phrase after an inverted verb: "said Dana Roe, the ..." */
static size_t object_end(const struct xctx *x, size_t a, size_t lim)
{
    size_t b = a;
    while (b < lim && b < a + 8) {
        const struct tok *t = &x->t[b];
        if (t->kind == TK_PUNCT && t->q == '.' && b > a && (x->t[b - 1].lf & LEX_HON) && b + 1 < lim &&
            (x->t[b + 1].f & TF_CAP)) {
            b++; /* "a letter Mrs. Roe signed" */
            continue;
        }
        if (t->kind == TK_QUOTE || (t->f & (TF_INQ | TF_PARA)) || (t->kind == TK_PUNCT && t->q != '-' && t->q != '&'))
            break;
        if (t->kind == TK_WORD && (t->f & TF_LOWER) && !(t->f & TF_POSS) && b > a &&
            ((t->lf & (LEX_COMMON | LEX_VERB | LEX_VERB_WEAK)) || refer_word_in(x, b, refer_preps)) &&
            !refer_word_in(x, b, refer_determiners) &&
            !(!(t->lf & LEX_COMMON) && refer_word_in(x, b - 1, refer_articles)) && /* "read the letter" */
            !((t->lf & LEX_COMMON) && !(t->lf & (LEX_VERB | LEX_VERB_WEAK)) && !refer_word_in(x, b, refer_preps) &&
              refer_word_in(x, b - 1, refer_articles) && refer_agent_noun(x, b + 1))) /* "the second official" */
            break;
        if (t->kind == TK_WORD && (t->f & TF_LOWER) && refer_word_in(x, b, refer_preps))
            break;
        b++;
    }
    return b;
}


static int resolve_pronoun_at(struct xctx *x, struct xquote *q, size_t k)
{
    const struct lex_entry *e = lexicon_lookup(x->text + x->t[k].s, x->t[k].e - x->t[k].s);
    uint8_t g = e ? e->gender : 0;
    if (!g && !tok_is(x, k, "they"))
        return 0;
    int p = refer_resolve_pronoun_q(x, q, k, g);
    if (p < 0)
        return 0;
    q->person = p;
    q->pron_tok = (uint32_t)k;
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
        /* "thanked Roe on Monday, saying": the object of a finite verb
         * is no subject */
        if (name && k > s0 && !(x->t[k - 1].f & TF_NAME) && refer_verb_like(x, k - 1) &&
            !refer_is_aux(x, k - 1) && !refer_is_adverb(x, k - 1) && !refer_is_verb(x, k - 1))
            continue;
        size_t n = k + 1;
        while (name && n < o && (x->t[n].f & TF_NAME))
            n++;
        if (n < o && tok_punct(x, n, '(')) {
            while (n < o && !tok_punct(x, n, ')'))
                n++;
            n++;
        }
        int appos = name && n < o && (tok_punct(x, n, ',') || tok_is(x, n, "of")) && refer_name_subject(x, k);
        if (!appos && (n >= o || x->t[n].kind != TK_WORD || !(x->t[n].f & TF_LOWER) || refer_word_in(x, n, refer_preps) ||
                       (x->t[n].f & TF_POSS)))
            continue;
        if (name) {
            int p = refer_person_in(x, k, k + 1);
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

/* An appositive with inner commas or dashes ends at token c: "Jo Roe,
 * who grew up in the north, near Leeds, said".  The nearest
 * person named right before a comma, dash or parenthesis within reach,
 * outside quotes, or -1. */
static int appos_person(const struct xctx *x, size_t c, size_t s0)
{
    size_t lim = c > s0 + 40 ? c - 40 : s0;
    for (size_t j = c; j-- > lim;) {
        const struct tok *t = &x->t[j];
        if (t->kind == TK_QUOTE || (t->f & TF_INQ))
            return -1;
        if (!(t->f & TF_NAME) || j + 1 >= c)
            continue;
        if (tok_punct(x, j + 1, ',') || tok_punct(x, j + 1, '-') || tok_punct(x, j + 1, '('))
            return refer_person_in(x, j, j + 1);
    }
    return -1;
}

/* The subject right before verb v (within [s0, v)): skips auxiliaries and
 * adverbs, a parenthesis and an appositive, then takes the noun phrase. */
static int subject_of(struct xctx *x, struct xquote *q, size_t v, size_t s0)
{
    size_t k = v;
    int appos = 1;
    for (int hop = 0; hop < 4; hop++) {
        while (k > s0 && refer_is_aux(x, k - 1))
            k--;
        if (k > s0 && tok_punct(x, k - 1, ')')) {
            size_t j = k - 1;
            while (j > s0 && k - j < 10 && !tok_punct(x, j, '('))
                j--;
            if (tok_punct(x, j, '('))
                k = j;
        }
        if (appos && k > s0 && (tok_punct(x, k - 1, ',') || tok_punct(x, k - 1, '-'))) {
            char sep = (char)x->t[k - 1].q;
            size_t j = k - 1;
            while (j > s0 && k - j < 25 && !tok_punct(x, j - 1, sep) && x->t[j - 1].kind != TK_QUOTE &&
                   !(x->t[j - 1].f & TF_INQ))
                j--;
            if (j > s0 && tok_punct(x, j - 1, sep)) {
                /* "Her deputy, Sam Ruiz, said": the name in the
                 * apposition; not in "X, who met Y, said" */
                int p = (x->t[j].f & TF_LOWER) ? -1 : refer_person_in(x, j, k - 1);
                if (p < 0)
                    p = appos_person(x, k - 1, s0);
                if (p >= 0) {
                    q->person = p;
                    return 1;
                }
                k = j - 1;
                while (k > s0 && tok_punct(x, k - 1, sep))
                    k--; /* "--" */
            } else {
                int p = appos_person(x, k - 1, s0);
                if (p < 0)
                    return 0;
                q->person = p;
                return 1;
            }
        }
        appos = 1;
        if (k <= s0)
            return 0;
        size_t h = k - 1;
        const struct tok *t = &x->t[h];
        if ((t->f & TF_INQ) || (t->kind != TK_WORD && !refer_agent_noun(x, h)))
            return 0;
        if (t->f & TF_NAME) {
            int p = refer_person_in(x, h, h + 1);
            if (p >= 0) {
                q->person = p;
                return 1;
            }
        }
        /* "Roe, who has ... warned": the noun before the relative */
        if ((tok_is(x, h, "who") || tok_is(x, h, "which")) && h > s0 && tok_punct(x, h - 1, ',')) {
            k = h - 1;
            appos = 0;
            continue;
        }
        if (t->lf & LEX_PRONOUN) {
            if (resolve_pronoun_at(x, q, h))
                return 1;
            /* "it", "we", "I": nobody to name here */
            q->rejected = 1;
            return 0;
        }
        int noun = h > s0 && refer_word_in(x, h - 1, refer_determiners); /* "the survey says" */
        if ((t->f & TF_LOWER) && ((t->lf & LEX_COMMON) || ((t->lf & LEX_VERB) && !noun) || refer_word_in(x, h, refer_preps)))
            return 0;
        if (t->f & TF_POSS)
            return 0;
        size_t a = h;
        while (a > s0 && h - a < 5) {
            const struct tok *u = &x->t[a - 1];
            if (u->kind != TK_WORD || (u->f & TF_INQ))
                break;
            if (u->f & TF_LOWER) {
                if (refer_word_in(x, a - 1, refer_determiners)) {
                    a--;
                    break;
                }
                if ((u->lf & (LEX_COMMON | LEX_VERB)) || refer_word_in(x, a - 1, refer_preps))
                    break;
            } else if ((u->f & TF_SENT) && (u->lf & LEX_COMMON)) {
                break;
            }
            a--;
        }
        /* a prepositional phrase ("in the past") is not the subject */
        if (a > s0 && x->t[a - 1].kind == TK_WORD && (x->t[a - 1].f & TF_LOWER) &&
            refer_word_in(x, a - 1, refer_preps) && !refer_word_in(x, a - 1, refer_clause_openers) &&
            (!(x->t[h].f & TF_CAP) || ((x->t[h].lf & LEX_COMMON) && !(x->t[h].f & TF_NAME)))) {
            /* ... nor is "on Friday" */
            k = a - 1;
            continue;
        }
        return resolve_phrase(x, q, a, h + 1);
    }
    return 0;
}


static void set_cue(struct xquote *q, size_t v, double conf)
{
    q->cue = (uint32_t)v;
    q->conf = conf;
}

/* A passive cue with its agent: "described by Health Secretary Jo Roe"
 * (11 training documents). */
static int by_agent(struct xctx *x, struct xquote *q, size_t v, size_t lim)
{
    if (v + 2 >= lim || !tok_is(x, v + 1, "by") || x->t[v + 2].kind != TK_WORD)
        return 0;
    size_t ob = object_end(x, v + 2, lim);
    if (ob <= v + 2 || (!(x->t[v + 2].f & (TF_CAP | TF_NAME)) && refer_person_in(x, v + 2, ob) < 0))
        return 0; /* "by union leader Ann Lee", not "by most accounts" */
    return resolve_phrase(x, q, v + 2, ob);
}

/* A sentence that only attributes the quote before it, though that quote
 * ended in a period: "'... the rate.' Roe said." or "'...' Sen. Jo Roe
 * said as she left." -- a name (titles and initials allowed) or
 * he/she, then a speech verb, then within three words the sentence ends,
 * or a comma or "as" follows that opens no new quote ("He added, 'q'"). */
static int short_cue_sentence(const struct xctx *x, size_t a)
{
    size_t k = a;
    if (tok_is(x, k, "he") || tok_is(x, k, "she"))
        k++;
    else
        while (k < x->nt && k < a + 6 &&
               ((x->t[k].kind == TK_WORD && (x->t[k].f & TF_CAP) &&
                 (x->t[k].f & TF_NAME || (x->t[k].lf & (LEX_HON | LEX_TITLE)) || tok_is(x, k, "US"))) ||
                                          (k > a && tok_punct(x, k, '.') && (x->t[k - 1].f & TF_CAP) &&
                                           x->t[k - 1].e - x->t[k - 1].s <= 3)))
            k++;
    if (k == a || k >= x->nt || !refer_is_verb(x, k) || refer_is_ing(x, k) || (x->t[k].f & (TF_SENT | TF_PARA)))
        return 0;
    if (!(x->t[k - 1].f & TF_NAME) && !tok_is(x, k - 1, "he") && !tok_is(x, k - 1, "she"))
        return 0;
    for (size_t e = k + 1; e < x->nt && e <= k + 4; e++) {
        if (x->t[e].f & (TF_SENT | TF_PARA) || tok_punct(x, e, '.'))
            return 1;
        if (tok_punct(x, e, ',') || tok_is(x, e, "as"))
            return e + 1 < x->nt && x->t[e + 1].kind != TK_QUOTE;
        if (x->t[e].kind == TK_QUOTE)
            return 0;
    }
    return k + 1 >= x->nt;
}

/* Looks after the quote's close mark, in the same sentence. */
static int try_after(struct xctx *x, struct xquote *q)
{
    if (q->cts == XNONE)
        return 0;
    size_t a = q->cts + 1, lim = a;
    /* a byline dash: "..." -- Jane Roe */
    if (a + 1 < x->nt && tok_punct(x, a, '-') && (x->t[a + 1].f & TF_CAP)) {
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
        /* "...?" Roe said. -- the cue still belongs to the quote; after
         * "... the vote." a new sentence is about something else */
        if (!(tok_punct(x, q->te - 1, '?') || tok_punct(x, q->te - 1, '!') || tok_punct(x, q->te - 1, '-')) &&
            !short_cue_sentence(x, a))
            return 0;
        int cue = 0;
        for (size_t k = a; k < x->nt && k < a + 4 && !(k > a && (x->t[k].f & (TF_SENT | TF_PARA))); k++)
            if (refer_is_verb(x, k))
                cue = 1;
        if (!cue && !short_cue_sentence(x, a))
            return 0;
        lim = a + 1;
    }
    /* up to the sentence end or the next quote; a partial quote after this
     * one shares the cue at the end ('is "slow" and "costly," Roe
     * said') */
    size_t next = (size_t)(q - x->q) + 1;
    for (;;) {
        while (lim < x->nt && lim < a + POST_MAX && !(x->t[lim].f & (TF_SENT | TF_PARA)) &&
               !(x->t[lim].kind == TK_QUOTE && (x->t[lim].f & TF_INQ) == 0 && lim > a &&
                 x->t[lim].q != QM_CLOSE && (x->t[lim].f & TF_SPB)))
            lim++;
        if (q->partial && next < x->nq && x->q[next].ots == lim && x->q[next].partial &&
            x->q[next].cts != XNONE && x->q[next].cts + 1 < a + POST_MAX) {
            lim = x->q[next].cts + 1;
            next++;
            continue;
        }
        break;
    }
    for (size_t v = a; v < lim; v++) {
        if (x->t[v].f & TF_INQ)
            continue; /* a later partial quote, skipped above */
        int according = tok_is(x, v, "according") && tok_is(x, v + 1, "to");
        if (!refer_is_verb_near(x, v, q->cts) && !according)
            continue;
        size_t sa = a;
        while (sa < v && x->t[sa].kind != TK_WORD && x->t[sa].kind != TK_NUM)
            sa++;
        if (sa == v && refer_is_ing(x, v) && !according) {
            /* "Roe called the plan 'a mistake,' telling reporters": the
             * subject of the sentence, not the one addressed */
            size_t s0 = sent_start_near(x, q->ots);
            if (q->ots - s0 <= PRE_MAX && sentence_subject(x, q, s0, q->ots)) {
                set_cue(q, v, 0.7);
                return 1;
            }
            return 0;
        }
        if (sa == v || according) {
            size_t oa = according ? v + 2 : v + 1, olim = lim;
            while (according && olim < x->nt && olim < oa + 8 && !(x->t[olim].f & (TF_SENT | TF_PARA)) &&
                   x->t[olim].kind != TK_QUOTE)
                olim++; /* "..., according to a letter Mrs. Roe sent" */
            size_t ob = object_end(x, oa, olim);
            if (ob > oa && resolve_phrase(x, q, oa, ob)) {
                set_cue(q, v, 0.9);
                return 1;
            }
            continue;
        }
        /* "'q' measures added by the minority" */
        if (by_agent(x, q, v, lim)) {
            set_cue(q, v, 0.8);
            return 1;
        }
        /* subject between the quote and the verb */
        if (refer_is_ing(x, v))
            continue;
        if (v - sa <= 20 && subject_of(x, q, v, sa)) {
            set_cue(q, v, 0.9);
            return 1;
        }
        /* "..." Roe, the party's nominee, said */
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

/* A cue inside the clause that an earlier cue reports: "Roe said she
 * expected that voters would say 'no'", "aides said he said 'q'".  The
 * earlier cue owns the quote when this one hangs on a modal or "to", or
 * has a pronoun for subject; a named subject keeps its own ("the agency
 * said Lee urged them to 'q'"). */
static int embedded_cue(const struct xctx *x, size_t v, size_t s0)
{
    size_t k = v;
    while (k > s0 && refer_is_aux(x, k - 1) && !refer_word_in(x, k - 1, refer_modal_words))
        k--;
    if (k == s0)
        return 0;
    int weak = refer_word_in(x, k - 1, refer_modal_words) || tok_is(x, k - 1, "to") ||
               tok_is(x, k - 1, "he") || tok_is(x, k - 1, "she") || tok_is(x, k - 1, "they");
    if (!weak && (x->t[k - 1].f & TF_NAME)) {
        /* "Roe said Lee called it 'q'": a named subject right after the
         * earlier cue of a person; the person's claim owns the quote.
         * "the agency said Lee urged 'q'" keeps Lee: an institution
         * relays his words. */
        size_t b = k - 1, ov = XNONE;
        while (b > s0 && (x->t[b - 1].f & TF_NAME))
            b--;
        if (b > s0 && refer_is_verb(x, b - 1))
            ov = b - 1;
        if (ov == XNONE || refer_is_ing(x, ov))
            return 0;
        while (ov > s0 && refer_is_aux(x, ov - 1))
            ov--;
        return ov > s0 && ((x->t[ov - 1].f & TF_NAME) || tok_is(x, ov - 1, "he") || tok_is(x, ov - 1, "she"));
    }
    if (!weak)
        return 0;
    for (size_t j = s0; j + 1 < k; j++)
        if (refer_is_verb(x, j) && !refer_is_ing(x, j))
            return 1;
    return 0;
}

/* Looks before the open mark, in the same sentence. */
static int try_before(struct xctx *x, struct xquote *q, int pass0, int pass1)
{
    size_t o = q->ots;
    if (x->t[o].f & (TF_PARA | TF_SENT))
        return 0;
    size_t s0 = sent_start_near(x, o);
    if (o - s0 > PRE_MAX)
        s0 = o - PRE_MAX;
    for (int pass = pass0; pass <= pass1; pass++)
    for (size_t v = o; v-- > s0;) {
        int according = tok_is(x, v, "according") && tok_is(x, v + 1, "to");
        if (pass == 0 && !refer_is_verb(x, v) && !according)
            continue;
        if (pass == 0 && !according && embedded_cue(x, v, s0))
            continue;
        if (pass == 1 && (refer_is_verb(x, v) || according || !refer_is_verb_near(x, v, o)))
            continue;
        if (according) {
            size_t ob = object_end(x, v + 2, o);
            if (ob > v + 2 && resolve_phrase(x, q, v + 2, ob)) {
                set_cue(q, v, 0.8);
                return 1;
            }
            continue;
        }
        if (by_agent(x, q, v, o)) {
            set_cue(q, v, 0.8);
            return 1;
        }
        if (refer_is_ing(x, v) || tok_is(x, v - 1, "to")) {
            /* "..., calling it 'q'", "plans to say 'q'": the subject of
             * the sentence speaks */
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
        /* inverted: "said Roe: ..." -- the phrase runs up to the quote or
         * its colon or comma, and is not a pronoun ("says he agreed") */
        size_t ob = object_end(x, v + 1, o);
        int clause_start = v == s0 || x->t[v - 1].kind == TK_PUNCT || x->t[v - 1].kind == TK_QUOTE;
        if (ob > v + 1 && ((ob == o && clause_start) || tok_punct(x, ob, ':') || tok_punct(x, ob, ',')) &&
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
    size_t s0 = sent_start_near(x, o);
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
static int clause_np_at(struct xctx *x, struct xquote *q, size_t s0, size_t lim, int depth);

/* Words that open an introductory phrase ("Even before the vote,"). */
static const char *const opening_adverbs[] = {"even", "just", "only", "now", "once", "soon", NULL};

static int clause_np(struct xctx *x, struct xquote *q, size_t s0, size_t lim)
{
    return clause_np_at(x, q, s0, lim, 0);
}

static int clause_np_at(struct xctx *x, struct xquote *q, size_t s0, size_t lim, int depth)
{
    size_t k = s0;
    /* a dateline opens the paragraph: "LONDON, May 2 (Agency) -- ..." */
    if ((x->t[k].f & TF_PARA) && (x->t[k].f & TF_ALLCAP) && x->t[k].kind == TK_WORD)
        for (size_t d = k + 1; d < lim && d < k + 14; d++)
            if (tok_punct(x, d, '-') && (x->t[d].f & TF_SPB)) {
                k = d + 1;
                while (k < lim && tok_punct(x, k, '-'))
                    k++;
                break;
            }
    if (k + 1 < lim && (x->t[k].f & TF_CAP) && !(x->t[k].f & TF_NAME) && refer_is_adverb(x, k) && tok_punct(x, k + 1, ','))
        k += 2; /* "Instead, the council voted" */
    if (k < lim && x->t[k].kind == TK_WORD &&
        (refer_is_ing(x, k) || refer_word_in(x, k, refer_preps) ||
         ((refer_is_adverb(x, k) || refer_word_in(x, k, opening_adverbs)) && !(x->t[k].f & TF_NAME)))) {
        /* "Repeating an old line, the former mayor said", "Even before
         * the vote, his campaign sent" */
        size_t c = k + 1;
        while (c < lim && c < k + 14 && !tok_punct(x, c, ',') && x->t[c].kind != TK_QUOTE)
            c++;
        if (c < lim && tok_punct(x, c, ','))
            k = c + 1;
    }
    size_t a = k;
    for (; k < lim; k++) {
        const struct tok *t = &x->t[k];
        if (t->kind != TK_WORD || (t->f & TF_INQ))
            break;
        if (k > a && (tok_is(x, k, "who") || tok_is(x, k, "which") || tok_is(x, k, "that")))
            break;
        if (t->f & TF_LOWER) {
            size_t n = t->e - t->s;
            const char *w = x->text + t->s;
            int after_det = k > a && refer_word_in(x, k - 1, refer_determiners); /* "The memo" */
            if (((t->lf & (LEX_VERB | LEX_VERB_WEAK)) && !after_det) || refer_is_aux(x, k) || refer_word_in(x, k, refer_preps) ||
                refer_word_in(x, k, refer_irregular))
                break;
            /* "The council voted", but "the retired surgeon" */
            if (n > 3 && memcmp(w + n - 2, "ed", 2) == 0 && k > a &&
                !(after_det && k + 1 < lim && x->t[k + 1].kind == TK_WORD))
                break;
        }
        /* "His chief aide": a possessive before a noun opens the phrase */
        if ((t->lf & LEX_PRONOUN) && k == a &&
            !((refer_word_in(x, k, refer_articles) || tok_is(x, k, "her")) && k + 1 < lim && x->t[k + 1].kind == TK_WORD &&
              (x->t[k + 1].f & TF_LOWER) && !refer_verb_like(x, k + 1) && !refer_word_in(x, k + 1, refer_preps))) {
            k++;
            break;
        }
    }
    if (k <= a || k - a > 8)
        return 0;
    if (resolve_phrase(x, q, a, k))
        return 1;
    /* "Following a brief, late-night meeting, the board issued": the
     * phrase before a comma was no speaker; the clause goes on after it */
    if (k + 1 < lim && tok_punct(x, k, ',') && depth < 2)
        return clause_np_at(x, q, k + 1, lim, depth + 1);
    return 0;
}

/* A quote introduced by a colon ("Roe continued:"), in the same or the
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
    size_t s0 = sent_start_near(x, c);
    if (c - s0 > PRE_MAX)
        s0 = c - PRE_MAX;
    for (size_t v = c; v-- > s0;) {
        /* the nearest cue before the colon: "Roe added:" */
        if (!refer_is_verb_near(x, v, c))
            continue;
        if (refer_is_ing(x, v) || tok_is(x, v - 1, "to"))
            break;
        if (subject_of(x, q, v, s0)) {
            set_cue(q, v, 0.7);
            return 1;
        }
        break;
    }
    /* the person named right before the colon ("... worries economist
     * Dana Roe: 'q'"), unless a preposition makes the name an object
     * ("said of Jane Roe:") */
    if (c > s0 + 1 && (x->t[c - 1].f & TF_NAME)) {
        size_t b = c - 1;
        while (b > s0 && (x->t[b - 1].f & TF_NAME))
            b--;
        while (b > s0 && (x->t[b - 1].lf & (LEX_HON | LEX_TITLE)) && !(x->t[b - 1].f & TF_NAME))
            b--;
        if (b > s0 && !refer_word_in(x, b - 1, refer_preps) && x->t[b - 1].kind == TK_WORD) {
            int p = refer_person_in(x, b, c);
            if (p >= 0) {
                q->person = p;
                q->conf = 0.5;
                return 1;
            }
        }
    }
    if (sentence_subject(x, q, s0, c) || clause_np(x, q, s0, c)) {
        q->conf = 0.5;
        return 1;
    }
    return 0;
}

/* Headline "Jo Roe: Plan Is a 'Bad Deal'": the words before the colon
 * speak. */
static int try_headline(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    size_t p0 = x->para0[o];
    if (p0 != 0 || x->para1[o] >= x->nt)
        return 0; /* not the first paragraph, or no body after it */
    for (size_t c = p0 + 1; c < o && c < p0 + 7; c++) {
        if (refer_is_verb(x, c))
            return 0;
        if (tok_punct(x, c, ':')) {
            if (c == p0 + 2 && tok_is(x, p0, "the") && tok_is(x, p0 + 1, "latest"))
                return 0; /* AP's "The Latest: ..." */
            return resolve_phrase(x, q, p0, c) ? (q->conf = 0.6, 1) : 0;
        }
    }
    /* "Jo Roe Calls Rival 'A Fraud'": a capitalised cue before the
     * quote in the headline */
    size_t pe = o;
    while (pe < x->nt && !(pe > o && (x->t[pe].f & TF_PARA)))
        pe++;
    for (size_t v = p0 + 1; v < pe && v < p0 + 40; v++) {
        const struct tok *t = &x->t[v];
        if (t->kind != TK_WORD || !(t->f & TF_CAP) || !(t->lf & (LEX_VERB | LEX_VERB_WEAK)) || (t->f & TF_INQ) ||
            (t->lf & LEX_GIVEN) || v == q->ots)
            continue;
        /* the first cue, before the quote: "Mayor Says Budget Is Short,
         * Calls ..." */
        if (v < o && v - p0 <= 5 && resolve_phrase(x, q, p0, v)) {
            set_cue(q, v, 0.6);
            return 1;
        }
        return 0;
    }
    return 0;
}

/* "According to the Daily Ledger, Roe said the 'q'", "Roe said 'q,'
 * according to aides": the source that "according to" names owns the
 * quote's sentence. */
static int try_according(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    size_t s0 = (x->t[o].f & (TF_PARA | TF_SENT)) ? o : sent_start_near(x, o);
    if (o - s0 > PRE_MAX)
        s0 = o - PRE_MAX;
    size_t e = q->cts == XNONE ? q->te : q->cts + 1;
    size_t lim = e;
    while (lim < x->nt && lim < e + POST_MAX && !(x->t[lim].f & (TF_SENT | TF_PARA)))
        lim++;
    for (size_t v = s0; v + 2 < lim; v++) {
        if (v >= q->ts && v < e)
            continue;
        if ((x->t[v].f & TF_INQ) || !tok_is(x, v, "according") || !tok_is(x, v + 1, "to"))
            continue;
        size_t end = v < o ? o : lim;
        size_t ob = object_end(x, v + 2, end);
        if (ob > v + 2 && resolve_phrase(x, q, v + 2, ob)) {
            set_cue(q, v, 0.8);
            return 1;
        }
        q->person = -1;
        q->org[0] = 0;
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
    return x->para0[i];
}

/* Marked words that modify the noun after them, "the so-called 'stealth
 * tax' rule", "its 'house style' rules": a term, not speech.
 * The quote ends in a word (no comma or period inside the marks) and a
 * lower-case noun follows the close mark: not a verb, preposition or
 * function word. */
static int modifier_quote(const struct xctx *x, const struct xquote *q)
{
    if (q->cts == XNONE || q->te == q->ts || x->t[q->te - 1].kind == TK_PUNCT)
        return 0;
    size_t n = q->cts + 1;
    if (n >= x->nt || (x->t[n].f & (TF_SENT | TF_PARA)))
        return 0;
    const struct tok *t = &x->t[n];
    if (t->kind != TK_WORD || !(t->f & TF_LOWER) || (t->lf & (LEX_COMMON | LEX_VERB | LEX_VERB_WEAK | LEX_PRONOUN)) ||
        refer_word_in(x, n, refer_preps) || refer_is_aux(x, n) || refer_verb_like(x, n) || refer_is_ing(x, n) ||
        refer_word_in(x, n, refer_irregular))
        return 0;
    return 1;
}

/* Is quote q in the headline: the first paragraph, with a body after? */
static int in_headline(const struct xctx *x, const struct xquote *q)
{
    if (x->para0[q->ots] != 0 || q->te >= x->nt)
        return 0;
    return (x->t[q->te].f & TF_PARA) || x->para1[q->te] < x->nt;
}

/* A word or three in quotation marks inside a sentence, with no cue and
 * nobody to say it, is a scare quote ("its 'temporary' fix"), not a
 * quotation -- except in a headline, which quotes its story ("Mayor
 * Calls Plan 'Reckless'"). */
static void drop_scare_quotes(struct xctx *x)
{
    size_t w = 0;
    for (size_t qi = 0; qi < x->nq; qi++) {
        const struct xquote *q = &x->q[qi];
        int words = 0;
        for (size_t k = q->ts; k < q->te; k++)
            words += x->t[k].kind == TK_WORD || x->t[k].kind == TK_NUM;
        if (q->partial && words <= 3 && q->person < 0 && !q->org[0] && q->cue == XNONE &&
            !q->rejected && !in_headline(x, q))
            continue;
        if (q->partial && words <= 4 && q->cue == XNONE && modifier_quote(x, q))
            continue;
        x->q[w++] = *q;
    }
    x->nq = w;
}

/* "Roe said. 'q'": a quote opening a sentence after a quote-less
 * sentence of its paragraph: that sentence's cue and subject speak on (the
 * cue made right in 12 training documents). */
static int try_said_before(struct xctx *x, struct xquote *q)
{
    size_t o = q->ots;
    if ((x->t[o].f & TF_PARA) || !(x->t[o].f & TF_SENT) || o == 0)
        return 0;
    size_t s1 = sent_start_near(x, o - 1);
    int has_quote = 0;
    for (size_t k = s1; k < o && !has_quote; k++)
        has_quote = x->t[k].kind == TK_QUOTE;
    if (has_quote || o - s1 > PRE_MAX)
        return 0;
    for (size_t v = o; v-- > s1;)
        if (refer_is_verb(x, v) && !refer_is_ing(x, v)) {
            if (subject_of(x, q, v, s1)) {
                set_cue(q, v, 0.5);
                return 1;
            }
            break;
        }
    /* "Sen. Roe (Ohio), who lost the vote, blamed the rules. 'q'" */
    if (sentence_subject(x, q, s1, o)) {
        q->conf = 0.4;
        return 1;
    }
    return 0;
}

/* A quote paragraph with nobody attached, after a paragraph without
 * quotes: that paragraph's last sentence introduced the speaker. */
static int try_prev_para(struct xctx *x, struct xquote *q)
{
    if (!(x->t[q->ots].f & TF_PARA) || q->ots == 0)
        return 0;
    size_t pe = q->ots; /* previous paragraph: [pp, pe) */
    size_t pp = para_of(x, pe - 1);
    int has_quote = 0;
    for (size_t k = pp; k < pe && !has_quote; k++)
        has_quote = x->t[k].kind == TK_QUOTE;
    if (has_quote || pe - pp > 120)
        return 0;
    size_t s0 = sent_start(x, pe - 1);
    if (sentence_subject(x, q, s0, pe) || clause_np(x, q, s0, pe)) {
        q->conf = 0.3;
        return 1;
    }
    return 0;
}

/* The quote before speaks on: an interrupted quote in the same paragraph,
 * or a quote that continues or floats after the previous paragraph's. */
static int try_inherit(struct xctx *x, size_t qi)
{
    struct xquote *q = &x->q[qi];
    if (qi == 0)
        return 0;
    const struct xquote *prev = &x->q[qi - 1];
    if (prev->person < 0 && !prev->org[0])
        return 0;
    size_t pp = para_of(x, prev->ots), qp = para_of(x, q->ots);
    if (pp == qp) {
        inherit(q, prev, 0.7);
        return AR_INHERIT_SAME;
    }
    if (q->continued || (x->t[q->ots].f & TF_PARA)) {
        /* the previous paragraph's quote, with nothing between */
        int between = 0;
        for (size_t k = prev->te; k < qp; k++)
            if (x->t[k].f & TF_PARA) {
                between = 1;
                break;
            }
        if (!between || q->continued) {
            inherit(q, prev, 0.6);
            return AR_INHERIT_NEXT;
        }
    }
    return 0;
}

static int spoken(const struct xquote *q)
{
    return q->person >= 0 || q->org[0];
}

/* Runs rule r on quote q; 1 when it found a speaker. */
static int run_rule(struct xctx *x, struct xquote *q, int r)
{
    switch (r) {
    case AR_HEADLINE:
        return try_headline(x, q);
    case AR_ACCORDING:
        return try_according(x, q);
    case AR_AFTER:
        return try_after(x, q);
    case AR_BEFORE:
        return try_before(x, q, 0, 0);
    case AR_BEFORE_WEAK:
        return try_before(x, q, 1, 1);
    case AR_COLON:
        return try_colon(x, q);
    case AR_SUBJECT:
        return try_subject(x, q);
    case AR_SAID_BEFORE:
        return try_said_before(x, q);
    case AR_PREV_PARA:
        return try_prev_para(x, q);
    default:
        return 0;
    }
}

static void clear_speaker(struct xquote *q)
{
    q->pron_tok = XNONE;
    q->person = -1;
    q->org[0] = 0;
    q->sp_ts = q->sp_te = XNONE;
    q->cue = XNONE;
    q->conf = 0;
    q->rejected = 0;
}

void attrib_guess_of(const struct xquote *q, int rule, struct attrib_guess *g)
{
    g->rule = (uint8_t)rule;
    g->person = q->person;
    memcpy(g->org, q->org, sizeof g->org);
    g->sp_ts = q->sp_ts;
    g->sp_te = q->sp_te;
    g->cue = q->cue;
    g->conf = q->conf;
    g->pron_tok = q->pron_tok;
}

/* A cue word harvested from annotations (data/cue-words.tsv) or a speech
 * verb, outside quotes, in the quote's sentence: its subject, or the
 * phrase after it when it follows the quote ("'q,' cracked Roe"). */
static int is_cue_word(const struct xctx *x, size_t v)
{
    const struct tok *t = &x->t[v];
    return t->kind == TK_WORD && (t->f & TF_LOWER) && !(t->f & TF_INQ) && (t->lf & (LEX_CUE | LEX_VERB));
}

#define VERB_TRIES 3

static size_t cue_guesses(struct xctx *x, struct xquote *q, struct attrib_guess *out, size_t max)
{
    size_t o = q->ots, c = q->cts == XNONE ? q->te : q->cts;
    size_t s0 = sent_start_near(x, o);
    if (o - s0 > PRE_MAX)
        s0 = o - PRE_MAX;
    size_t e = c + 1;
    while (e < x->nt && e < c + POST_MAX && !(x->t[e].f & (TF_SENT | TF_PARA)))
        e++;
    size_t n = 0;
    x->lenient = 1;
    for (size_t v = s0; v < e && n < max; v++) {
        if (v >= o && v <= c)
            continue;
        if (!is_cue_word(x, v))
            continue;
        size_t from = v < o ? s0 : c + 1;
        for (int how = 0; how < 4 && n < max; how++) {
            clear_speaker(q);
            int found = 0;
            uint8_t rule = AR_CUE;
            if (how == 0) {
                if (tok_is(x, v, "according") && tok_is(x, v + 1, "to")) {
                    size_t ob = object_end(x, v + 2, v < o ? o : e);
                    found = ob > v + 2 && resolve_phrase(x, q, v + 2, ob);
                } else {
                    found = v > from && !refer_is_ing(x, v) && subject_of(x, q, v, from);
                }
            } else if (how == 1) {
                /* after the quote, the phrase after the cue: "'q,' cracked Roe" */
                if (v > c && !tok_is(x, v, "according")) {
                    size_t ob = object_end(x, v + 1, e);
                    found = ob > v + 1 && !(x->t[v + 1].lf & LEX_PRONOUN) && resolve_phrase(x, q, v + 1, ob);
                }
            } else if (how == 2) {
                /* the noun phrase that opens the clause: "Her aide pushed
                 * back ..., saying", "a clerk who was there ... said" */
                rule = AR_CUE_CLAUSE;
                found = v > from && clause_np(x, q, from, v);
            } else {
                /* a participle after a comma shares the subject of the
                 * finite verb before it: "Roe said, adding, 'q'" */
                rule = AR_CUE_ING;
                if (refer_is_ing(x, v) && v > from + 1 && tok_punct(x, v - 1, ',')) {
                    for (size_t j = v - 1; j-- > from;) {
                        if (x->t[j].kind == TK_QUOTE && !(x->t[j].f & TF_INQ) && j > from)
                            continue;
                        if (refer_verb_like(x, j) && !refer_is_ing(x, j) && !refer_is_aux(x, j)) {
                            found = subject_of(x, q, j, from);
                            break;
                        }
                    }
                }
            }
            if (!found || !spoken(q))
                continue;
            q->cue = (uint32_t)v;
            q->conf = 0.5;
            attrib_guess_of(q, rule, &out[n++]);
        }
    }
    /* the subject of any other finite verb there: cue words are
     * harvested, and news reports speech with many verbs ("his campaign
     * sent out a text saying:"); the VERB_TRIES nearest the quote on
     * each side, as each costs a subject search and a candidate */
    int tries[2] = {0, 0};
    for (size_t i = 0; i < e - s0 && n < max; i++) {
        /* outward from the quote: o-1, o-2, ... s0, then c+1, ... e-1 */
        size_t v = i < o - s0 ? o - 1 - i : c + 1 + (i - (o - s0));
        if (v >= e)
            break;
        const struct tok *t = &x->t[v];
        int side = v > c;
        if (tries[side] == VERB_TRIES || is_cue_word(x, v) || !refer_verb_like(x, v) || refer_is_aux(x, v) ||
            refer_is_adverb(x, v) || refer_word_in(x, v, refer_modal_words) || (t->f & TF_POSS))
            continue;
        size_t from = v < o ? s0 : c + 1;
        tries[side]++;
        clear_speaker(q);
        if (v > from && subject_of(x, q, v, from) && spoken(q)) {
            q->cue = (uint32_t)v;
            q->conf = 0.5;
            attrib_guess_of(q, AR_VERB, &out[n++]);
        }
    }
    x->lenient = 0;
    return n;
}

int attrib_propose(struct xctx *x, size_t qi, struct attrib_guess *out, size_t max)
{
    struct xquote *q = &x->q[qi];
    struct xquote save = *q;
    size_t n = 0;
    for (int r = AR_HEADLINE; r < AR_INHERIT_SAME && n < max; r++) {
        /* the cascade ran it: it failed, or its answer is the quote's */
        if (save.tried & (1u << r))
            continue;
        clear_speaker(q);
        if (!run_rule(x, q, r) || !spoken(q))
            continue;
        attrib_guess_of(q, r, &out[n++]);
    }
    if (n < max)
        n += cue_guesses(x, q, out + n, max - n);
    *q = save;
    return (int)n;
}

const char *attrib_rule_name(int r)
{
    static const char *const names[AR_COUNT] = {
        "none", "headline", "according", "after", "before", "before_weak", "colon",
        "subject", "said_before", "prev_para", "inherit_same", "inherit_next", "cue", "cue_clause", "cue_ing", "verb"};
    return r >= 0 && r < AR_COUNT ? names[r] : "none";
}

int attrib_run(struct xctx *x)
{
    refer_learn_gender(x);
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        q->org[0] = 0;
        q->rejected = 0;
        q->rule = AR_NONE;
        q->pron_tok = XNONE;
        q->tried = 0;
        /* the cascade, first success wins; q->tried keeps the rules it
         * ran, so that attrib_propose need not run them again */
        static const uint8_t direct[] = {AR_HEADLINE, AR_ACCORDING, AR_AFTER, AR_BEFORE,
                                         AR_BEFORE_WEAK, AR_COLON, AR_SUBJECT};
        static const uint8_t partial[] = {AR_HEADLINE, AR_ACCORDING, AR_BEFORE, AR_BEFORE_WEAK,
                                          AR_AFTER, AR_COLON, AR_SUBJECT};
        const uint8_t *order = q->partial ? partial : direct;
        int r = AR_NONE;
        for (size_t k = 0; k < sizeof direct && r == AR_NONE; k++) {
            q->tried |= 1u << order[k];
            if (run_rule(x, q, order[k]))
                r = order[k];
        }
        q->rule = (uint8_t)(r != AR_NONE ? r : try_inherit(x, qi));
    }
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        if (!spoken(q) && try_said_before(x, q))
            q->rule = AR_SAID_BEFORE;
    }
    for (size_t qi = 0; qi < x->nq; qi++) {
        struct xquote *q = &x->q[qi];
        if (!spoken(q) && try_prev_para(x, q))
            q->rule = AR_PREV_PARA;
    }
    drop_scare_quotes(x);
    return 0;
}
