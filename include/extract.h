#ifndef QUOTEWIRE_EXTRACT_H
#define QUOTEWIRE_EXTRACT_H

#include <stddef.h>

/* Extraction: pure text in, people and quotes out.  No I/O, no SQLite, no
 * global mutable state after extract_init(); safe to call from several
 * threads at once.  All offsets are byte offsets into the text given to
 * extract_run, end exclusive.
 *
 * Ownership: extract_run fills a struct extract_result that owns every
 * string and array inside it; extract_result_free releases them all. */

struct extract_span {
    size_t start, end;
};

enum extract_gender { GENDER_UNKNOWN = 0, GENDER_MALE, GENDER_FEMALE };

struct extract_person {
    char *name;                      /* canonical full name, "Antony Blinken" */
    enum extract_gender gender;      /* from honorifics, titles, given names */
    char **roles;                    /* titles and roles the text gives: */
    size_t nroles;                   /*   "U.S. Secretary of State" */
    struct extract_span *mentions;   /* every mention: name only, no title */
    size_t nmentions;
};

enum extract_quote_kind { QUOTE_DIRECT = 0, QUOTE_PARTIAL };

struct extract_quote {
    size_t start, end;               /* the words inside the marks */
    enum extract_quote_kind kind;
    char *speaker;                   /* display name of the speaker: a person's
                                        canonical name, or an organisation
                                        ("the State Department"); NULL if none */
    int speaker_person;              /* index into people[], or -1 */
    char *cue;                       /* cue verb as written ("said"), or NULL */
    double confidence;               /* 0..1 */
};

struct extract_result {
    struct extract_person *people;
    size_t npeople;
    struct extract_quote *quotes;
    size_t nquotes;
};

/* The version of the extractor's output: raised whenever a change to the
 * code, the lexicons or the models changes which people and quotes it
 * finds.  Stored with every article, so that reextract knows which
 * articles an upgrade would extract differently. */
#define EXTRACT_VERSION 4
int extract_version(void);

/* Replaces the built-in data file name (a lexicon or model from data/,
 * e.g. "tagger.model") with a copy of data[0..len), for evaluating a
 * freshly trained model without rebuilding.  Call before extract_init;
 * extract_shutdown drops the overrides.  QW_OK, or QW_ERR_NOMEM (also for
 * a name given twice). */
int extract_override_data(const char *name, const char *data, size_t len);

/* Loads the built-in lexicons and the tagger model (compiled into the
 * binary, or given with extract_override_data).  Call once before any
 * other function, from one thread; later calls are no-ops.  Returns 0
 * (QW_OK), QW_ERR_NOMEM, or QW_ERR_INVALID when the tagger model is
 * corrupt (an empty model is no model: the rules work alone). */
int extract_init(void);

/* Releases what extract_init allocated (for leak checkers). */
void extract_shutdown(void);

/* Extracts people and quotes from text[0..len), UTF-8 (invalid bytes are
 * tolerated).  text need not be NUL-terminated; texts of 4 GiB or more are
 * read up to just under 4 GiB.  Quotes come ordered by start (a quote
 * nested in another follows it); every span lies inside the text.  On
 * success returns QW_OK and fills *out, which the caller releases with
 * extract_result_free.  On failure returns QW_ERR_NOMEM and leaves *out
 * empty. */
int extract_run(const char *text, size_t len, struct extract_result *out);

/* Frees everything inside r and zeroes it; accepts NULL. */
void extract_result_free(struct extract_result *r);

/* "direct" or "partial". */
const char *extract_quote_kind_str(enum extract_quote_kind k);

#endif
