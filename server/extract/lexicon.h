#ifndef QUOTEWIRE_EXTRACT_LEXICON_H
#define QUOTEWIRE_EXTRACT_LEXICON_H

/* Word lexicons for the extractor, parsed once from the files embedded from
 * data/ (given names, speech verbs, titles, surname-first surnames, common
 * words, organisation/place words).  After lexicon_init the table is
 * read-only, so lookups are safe from any thread. */

#include <stddef.h>
#include <stdint.h>

enum lex_flag {
    LEX_COMMON = 1u << 0,    /* function word, day, month: not a name */
    LEX_GIVEN = 1u << 1,     /* given name (male/female counts below) */
    LEX_SURFIRST = 1u << 2,  /* East Asian surname written first */
    LEX_HON = 1u << 3,       /* honorific / abbreviation directly before a name */
    LEX_TITLE = 1u << 4,     /* word of a capitalised title ("Minister") */
    LEX_TITLE_HEAD = 1u << 5,/* a whole one-word title ("President") */
    LEX_MOD = 1u << 6,       /* modifier before a title ("former") */
    LEX_APPOS = 1u << 7,     /* role noun in appositives ("expert") */
    LEX_ORGHEAD = 1u << 8,   /* organisation head ("department") */
    LEX_NONPERSON = 1u << 9, /* marks an organisation/place run */
    LEX_VERB = 1u << 10,     /* speech verb form ("said") */
    LEX_VERB_WEAK = 1u << 11,/* low-precision speech verb ("believes") */
    LEX_PARTICLE = 1u << 12, /* name particle ("van", "de", "bin") */
    LEX_PRONOUN = 1u << 13,  /* he, she, they ... */
    LEX_NATION = 1u << 14,   /* nationality adjective ("Chinese") */
    LEX_PLACE = 1u << 15,    /* country, state, city ("Jordan", "Washington") */
    /* bits 16-18: names.h's LEXN_ORG* */
    LEX_AGENT = 1u << 19,    /* noun that can head a speaker phrase ("spokesman") */
    /* harvested from annotated news (data/entity-words.tsv): the entity
     * type that at least half of the word's documents give it */
    LEX_HPER = 1u << 20,     /* in person names ("Fischler") */
    LEX_HORG = 1u << 21,     /* in organisations and teams ("Bistrita") */
    LEX_HLOC = 1u << 22,     /* in places ("Dhabi") */
    LEX_HMISC = 1u << 23,    /* in nationalities, events, works ("Olympics") */
    LEX_CUE = 1u << 24,      /* reporting cue word harvested from annotations (cue-words.tsv) */
};

/* The harvested bits: evidence from counts, not a word class, so tests for
 * "a word no list knows" ignore them. */
#define LEX_HARVEST (LEX_HPER | LEX_HORG | LEX_HLOC | LEX_HMISC | LEX_CUE)

enum lex_gender { LEXG_NONE = 0, LEXG_MALE = 1, LEXG_FEMALE = 2 };

struct lex_entry {
    uint32_t flags;
    uint32_t male, female;   /* given-name births */
    uint8_t gender;          /* title / honorific / pronoun gender */
    uint8_t cue_pct;         /* LEX_CUE: share of the word's uses that were cues, 0-100 */
};

struct embedded_file;

/* A data file by name ("given-names.tsv"): the override given with
 * lexicon_override if any, else the embedded copy of data/NAME, else NULL.
 * Borrowed; valid until lexicon_free_overrides.  Every model and word list
 * of the extractor is read through this. */
const struct embedded_file *lexicon_data(const char *name);

/* Replaces data file name with a copy of data[0..len) for later
 * lexicon_data calls; call before lexicon_init.  0, or -1 on allocation
 * failure, a repeated name or too many overrides. */
int lexicon_override(const char *name, const char *data, size_t len);
void lexicon_free_overrides(void);

/* Parses the embedded lexicons.  Returns 0 or -1 on allocation failure. */
int lexicon_init(void);
void lexicon_free(void);

/* Looks a word up case-insensitively (ASCII folding); a trailing '.' is
 * ignored.  Returns a borrowed entry or NULL. */
const struct lex_entry *lexicon_lookup(const char *w, size_t n);

/* Flags of w, 0 when unknown. */
uint32_t lexicon_flags(const char *w, size_t n);

#endif
