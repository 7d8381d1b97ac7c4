#ifndef QUOTEWIRE_EXTRACT_NAMES_H
#define QUOTEWIRE_EXTRACT_NAMES_H

/* Internal to the extractor: person names (names.c) and the back
 * references that link surname-only and given-name-only mentions to people
 * (coref.c), over the tokens of one struct xctx.  Nothing here allocates
 * outside the xctx and the nindex, which names_find frees. */

#include <stddef.h>
#include <stdint.h>

#include "xctx.h"

/* Lexicon flags that only the name rules use (lexicon.h owns bits 0-15);
 * loaded by lexicon.c from data/org-tails.txt, org-descriptors.txt and
 * org-names.txt. */
#define LEXN_ORGTAIL (1u << 16) /* last word of an organisation ("Securities") */
#define LEXN_ORGDESC (1u << 17) /* "firm", "comedy" before an organisation or work */
#define LEXN_ORGNAME (1u << 18) /* one-word company or team name ("Microsoft") */

/* Per-run indexes, so that a long text stays linear: people chained by
 * surname hash, and the given names of people with a full name sorted by
 * (key hash, position) for given-name-only back references. */
struct nkey {
    uint64_t h;
    uint32_t ts;
    int person;
};

struct nindex {
    uint32_t *heads; /* hash slot -> person + 1 (0 empty) */
    size_t hcap;
    uint32_t *next;  /* person -> next person + 1 with the same slot */
    size_t ncap;
    struct nkey *giv;
    size_t ngiv;
    uint64_t *lower; /* unused: the set of lower-case words is x->lower */
    size_t nlower;
};

/* coref.c: the index.  nindex_add returns 0 or -1 (allocation failure);
 * nindex_first/nindex_next walk the people whose surname hashes to h
 * (-1 ends). */
void nindex_free(struct nindex *ix);
int nindex_add(struct nindex *ix, const struct xctx *x, size_t p);
int nindex_first(const struct nindex *ix, uint64_t h);
int nindex_next(const struct nindex *ix, int p);
uint64_t names_hash(const char *s, size_t n); /* ASCII case-folded FNV-1a */
uint64_t names_tok_hash(const struct xctx *x, size_t i);

/* names.c: helpers shared with coref.c. */
int names_run_word(const struct xctx *x, size_t i);   /* may sit in a name run */
int names_tok_eq(const struct xctx *x, size_t a, size_t b); /* same word, any case */
int names_given_strong(const struct xctx *x, size_t i);     /* common given name */
int names_modifier_use(const struct xctx *x, size_t next);  /* "Biden administration" */
/* 1 if the word at token i also occurs in lower case in the text (a common
 * word, not a name), from x->lower that names_find builds first; 1 too
 * without it, the cautious answer. */
int names_lower_seen(const struct xctx *x, struct nindex *ix, size_t i);
/* 1 if the word at token i is the plural of a common noun ("Critics",
 * "Democrats"), not a surname ("Roberts"). */
int names_plural_common(const struct xctx *x, struct nindex *ix, size_t i);
uint8_t names_gender_from_title(const struct xctx *x, size_t a, size_t b);
/* The first title word of mention m ("Secretary" in "former Secretary
 * Blinken", "Ms" in "Ms. Goldsmith"), or m->ts when untitled. */
size_t names_title_from(const struct xctx *x, const struct xmention *m);
/* Appends a mention of tokens [ts, te); 0 or -1. */
int names_add_mention(struct xctx *x, size_t ts, size_t te, size_t title_ts, int person);
/* Appends a person named by tokens [ts, te); its index or -1. */
int names_new_person(struct xctx *x, size_t ts, size_t te, size_t title_ts);
void names_add_role(struct xctx *x, int person, size_t a, size_t b);

/* Pass 1 (names.c): capitalised runs -> mentions and people; titled single
 * names get person -2 until coref_scan_singles resolves them. */
int names_scan_runs(struct xctx *x, struct nindex *ix);

/* Pass 2 (coref.c): titled singles, surname-only and given-name-only
 * references, one-name people ("Pate said"); sorts the mentions. */
int coref_scan_singles(struct xctx *x, struct nindex *ix);

/* After the weak one-word people are dropped (coref.c): a person known by
 * one word that begins exactly one full name is that person ("Ban said"
 * after "Ban Ki-moon"); 0 or -1. */
int coref_merge_first_words(struct xctx *x);

#endif
