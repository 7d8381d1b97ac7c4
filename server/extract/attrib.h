#ifndef QUOTEWIRE_EXTRACT_ATTRIB_H
#define QUOTEWIRE_EXTRACT_ATTRIB_H

/* Internal to the extractor: the attribution rules (attrib.c).  Each rule
 * looks for a quote's speaker in one place (after the quote, before it,
 * behind a colon, ...).  attrib_run applies them as a cascade, first
 * success wins, and records which rule that was in xquote.rule;
 * attrib_propose runs every rule on its own, so that a learned chooser
 * (speaker.c) can weigh what they find. */

#include <stddef.h>
#include <stdint.h>

#include "xctx.h"

enum attrib_rule {
    AR_NONE = 0,
    AR_HEADLINE,    /* "Name: ... 'q'" in the headline */
    AR_ACCORDING,   /* "according to X" in the quote's sentence */
    AR_AFTER,       /* the same sentence after the quote: "..., X said" */
    AR_BEFORE,      /* before it, a speech verb: "X said: ..." */
    AR_BEFORE_WEAK, /* before it, a weak cue near the mark */
    AR_COLON,       /* the clause before a colon */
    AR_SUBJECT,     /* no cue: the subject of the quote's sentence */
    AR_SAID_BEFORE, /* the quote-less sentence before it in its paragraph */
    AR_PREV_PARA,   /* the last sentence of a quote-less paragraph before */
    AR_INHERIT_SAME, /* the quote before, same paragraph */
    AR_INHERIT_NEXT, /* the quote before, previous paragraph */
    AR_CUE,          /* any cue word's subject in the quote's sentence (propose only) */
    AR_CUE_CLAUSE,   /* the noun phrase opening a cue word's clause (propose only) */
    AR_CUE_ING,      /* "X said, adding": the subject of the verb before (propose only) */
    AR_VERB,         /* the subject of another finite verb there (propose only) */
    AR_COUNT
};

/* One rule's answer for one quote: a person, or a phrase (org). */
struct attrib_guess {
    uint8_t rule;          /* enum attrib_rule */
    int person;            /* or -1 */
    char org[112];         /* phrase when person < 0 */
    uint32_t sp_ts, sp_te; /* phrase tokens, or XNONE */
    uint32_t cue;          /* cue token or XNONE */
    double conf;           /* the rule's own confidence */
    uint32_t pron_tok;     /* the he/she/they the person was found through, or XNONE */
};

/* Runs every rule from AR_HEADLINE to AR_PREV_PARA that the cascade did
 * not already run on quote qi (those failed, or gave the quote's own
 * speaker), then AR_CUE and its kin for every cue word around it, and
 * stores up to max answers in out; the quote is left as it was.
 * Returns the number stored.  Call after attrib_run (pronouns resolve
 * against the speakers it gave the quotes before). */
int attrib_propose(struct xctx *x, size_t qi, struct attrib_guess *out, size_t max);

/* Fills g with quote q's speaker, cue and confidence as rule found them. */
void attrib_guess_of(const struct xquote *q, int rule, struct attrib_guess *g);

/* "after", "colon", ...: a rule's name for features and traces. */
const char *attrib_rule_name(int r);

#endif
