#ifndef QUOTEWIRE_EXTRACT_REFER_H
#define QUOTEWIRE_EXTRACT_REFER_H

/* Internal to the extractor: word classes, subjects and pronoun
 * resolution shared by attribution (refer.c, used by attrib.c).  Nothing
 * here allocates; every function reads one struct xctx. */

#include <stddef.h>
#include <stdint.h>

#include "xctx.h"

/* NULL-terminated word lists, matched case-insensitively by refer_word_in. */
extern const char *const refer_modal_words[];    /* will, would, could ... */
extern const char *const refer_preps[];          /* of, and, in, that ... */
extern const char *const refer_clause_openers[]; /* the refer_preps that open a clause */
extern const char *const refer_determiners[];    /* the, a, his, some, top ... */
extern const char *const refer_irregular[];      /* said, told, went, is ... */
extern const char *const refer_articles[];       /* a noun follows: the, a, his ... */
extern const char *const refer_subordinators[];  /* while, although, if, when, because ... */

int refer_word_in(const struct xctx *x, size_t k, const char *const *list);

/* Token classes: a speech verb (not a noun after an article), an -ing
 * form, a weak speech verb near the mark, an adverb, an auxiliary, a word
 * that can be a finite verb. */
int refer_is_verb(const struct xctx *x, size_t i);
int refer_is_ing(const struct xctx *x, size_t v);
int refer_is_verb_near(const struct xctx *x, size_t i, size_t mark);
int refer_is_adverb(const struct xctx *x, size_t n);
int refer_is_aux(const struct xctx *x, size_t k);
int refer_verb_like(const struct xctx *x, size_t n);

/* Is the word at token k a noun that can head a speaker phrase: a role
 * ("spokesman"), a group or institution ("committee", "crowd") or a
 * document ("statement", "report"), singular or plural
 * (data/agent-nouns.txt, and the role and organisation words of
 * titles.tsv)? */
int refer_agent_noun(const struct xctx *x, size_t k);

/* First person mentioned in tokens [a, b), or -1. */
int refer_person_in(const struct xctx *x, size_t a, size_t b);

/* Is the name at token k the subject of a verb, past an appositive or
 * "of Ohio"? */
int refer_name_subject(const struct xctx *x, size_t k);

/* The person a he/she/they (gender g, enum lex_gender, 0 for any) at
 * token pos refers to, for quote q: the speaker of the quote before unless
 * another subject came between, else the latest subject, else recency.
 * -1 when nobody fits. */
int refer_resolve_pronoun_q(const struct xctx *x, const struct xquote *q, size_t pos, uint8_t g);

/* The same, telling in *why (when not NULL) which of the reasons above
 * chose: a newcomer the paragraph before introduced, a subject between the
 * pronoun and the quote before, the quote before's speaker, or recency. */
enum { REFER_BY_INTRO = 1, REFER_BY_SUBJECT, REFER_BY_PREV, REFER_BY_RECENCY };
int refer_resolve_pronoun_why(const struct xctx *x, const struct xquote *q, size_t pos, uint8_t g, int *why);

/* Is mention mi in a subject position ("Roe said", "said Roe",
 * "Roe, 45, told")? */
int refer_subject(const struct xctx *x, size_t mi);

/* Index of the first mention starting at or after token pos (mentions are
 * sorted by start); x->nm when none. */
size_t refer_mentions_from(const struct xctx *x, size_t pos);

/* Sets the gender of people whose names did not tell it from "Roe said
 * she ..." in the text. */
void refer_learn_gender(struct xctx *x);

#endif
