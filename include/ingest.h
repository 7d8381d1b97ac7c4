#ifndef QUOTEWIRE_INGEST_H
#define QUOTEWIRE_INGEST_H

#include <stddef.h>

#include "qw.h"

/* Ingest: bytes of a news article (a file, or a POSTed body) -> a parsed
 * struct article.  No SQLite here.
 *
 * The article's text is a contiguous slice of the decoded input: front
 * matter removed from the start and page junk ("Share this post", "Image
 * courtesy of ToI") removed from the end, nothing changed in between, so
 * that offsets into text plus text_offset are offsets into the decoded
 * input.  Extraction runs on text[0..len). */

#define INGEST_DEFAULT_MAX_BYTES (8u * 1024u * 1024u)
/* Longest section or source name, in bytes (ingest_valid_label). */
#define INGEST_LABEL_MAX 200

struct article {
    char *text;               /* decoded UTF-8, NUL-terminated, owned */
    size_t len;
    size_t text_offset;       /* where text starts in the decoded input */
    size_t title_start, title_end;   /* the headline within text */
    size_t body_start;        /* first byte of the body within text */
    char *title;              /* front matter title, else the headline */
    char *dateline;           /* "Washington", "WASHINGTON (Reuters)"; NULL */
    char *published;          /* "YYYY-MM-DD" (front matter or dateline); NULL */
    char *source;             /* front matter source, else "Reuters" etc.
                                 from the dateline or image credit; NULL */
    int source_given;         /* 1: source came from front matter (or a
                                 POSTed field), not from a guess: the
                                 loader's --source does not replace it */
    char *section;            /* front matter "section:" (or a POSTed field);
                                 the loader may set it from the folder; NULL */
    char *url;                /* NULL if absent */
    char *author;             /* NULL if absent */
    char *image_credit;       /* "ToI" from "Image courtesy of ToI"; NULL */
    int dl_month, dl_day;     /* a dateline's date that has no year ("LONDON, Jan 5 -"):
                                 its month and day, for a load that knows the year
                                 (load --year); 0 otherwise */
    int transcoded;           /* 1: input was not UTF-8, read as Windows-1252 */
};

/* Decodes raw bytes: valid UTF-8 is copied (a BOM dropped); anything else
 * is read as Windows-1252 and *transcoded set to 1.  Returns QW_ERR_EMPTY
 * for input with no visible characters, QW_ERR_BINARY for input that looks
 * binary (NUL bytes, many control bytes), QW_ERR_NOMEM.  On QW_OK *out is
 * a NUL-terminated heap string the caller frees. */
qw_status ingest_decode(const unsigned char *buf, size_t len, char **out, size_t *out_len,
                        int *transcoded);

/* Parses decoded UTF-8 text into *a (which it owns afterwards; release
 * with article_free).  Returns QW_OK, QW_ERR_EMPTY (no headline or no
 * text), QW_ERR_INVALID (bad front matter; err says why) or QW_ERR_NOMEM.
 * err (QW_ERRLEN bytes, may be NULL) receives a message on failure. */
qw_status ingest_parse(const char *text, size_t len, struct article *a, char *err);

/* 1 if y-m-d is a real date with a four-digit year (1000..9999). */
int ingest_valid_date(int y, int m, int d);

/* Reads, decodes and parses one file.  Files larger than max_bytes give
 * QW_ERR_TOO_LARGE; unreadable ones QW_ERR_IO.  err as above. */
qw_status ingest_read_file(const char *path, size_t max_bytes, struct article *a, char *err);

/* Builds an article from separate fields (POST /articles as JSON): title
 * and body are required UTF-8; the other fields may be NULL.  The text
 * becomes title + "\n\n" + body.  Returns QW_ERR_INVALID with err set when
 * a field is empty or not valid UTF-8, or a date is not YYYY-MM-DD. */
qw_status ingest_from_fields(const char *title, const char *body, const char *dateline,
                             const char *published, const char *source, const char *section,
                             const char *url, const char *author, struct article *a, char *err);

/* A section or source name as the loader and POST accept it: 1..200 bytes
 * of valid UTF-8 without control characters.  Returns 1 if s[0..n) is
 * one. */
int ingest_valid_label(const char *s, size_t n);

/* Frees everything inside a and zeroes it; accepts NULL. */
void article_free(struct article *a);

#endif
