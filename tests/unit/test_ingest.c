/* Ingest: decoding, parsing (headline, datelines, front matter, junk) and
 * reading files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "testhelp.h"

static qw_status decode_str(const char *s, size_t n, char **out, size_t *len, int *tc)
{
    return ingest_decode((const unsigned char *)s, n, out, len, tc);
}

static qw_status parse_str(const char *s, struct article *a, char *err)
{
    return ingest_parse(s, strlen(s), a, err);
}

/* 1 if a's text is the slice of src at text_offset. */
static int is_slice(const struct article *a, const char *src)
{
    size_t n = strlen(src);
    return a->text_offset + a->len <= n && memcmp(src + a->text_offset, a->text, a->len) == 0 &&
           a->text[a->len] == '\0';
}

static int headline_is(const struct article *a, const char *h)
{
    size_t n = strlen(h);
    return a->title_end - a->title_start == n && memcmp(a->text + a->title_start, h, n) == 0;
}

static int body_starts(const struct article *a, const char *b)
{
    return strncmp(a->text + a->body_start, b, strlen(b)) == 0;
}

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static void test_decode(void)
{
    char *out = NULL;
    size_t n = 0;
    int tc = -1;

    TEST("decode: UTF-8 is copied")
    {
        const char *s = "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d\n";
        CHECK(decode_str(s, strlen(s), &out, &n, &tc) == QW_OK);
        CHECK_STR(out, s);
        CHECK(n == strlen(s));
        CHECK(tc == 0);
        free(out);
    }
    TEST("decode: BOM dropped")
    {
        CHECK(decode_str("\xef\xbb\xbfHello\n", 9, &out, &n, &tc) == QW_OK);
        CHECK_STR(out, "Hello\n");
        CHECK(n == 6 && tc == 0);
        free(out);
    }
    TEST("decode: Windows-1252 fallback")
    {
        /* 0x93 0x94: curly double quotes; 0xE9: e acute; 0x80: euro */
        const char *s = "\x93" "Caf\xe9\x94 costs \x80" "5";
        CHECK(decode_str(s, strlen(s), &out, &n, &tc) == QW_OK);
        CHECK_STR(out, "\xe2\x80\x9c" "Caf\xc3\xa9\xe2\x80\x9d costs \xe2\x82\xac" "5");
        CHECK(tc == 1);
        free(out);
    }
    TEST("decode: Latin-1 byte in otherwise ASCII text")
    {
        const char *s = "Mutu said he was \xa3" "50 short.";
        CHECK(decode_str(s, strlen(s), &out, &n, &tc) == QW_OK);
        CHECK_STR(out, "Mutu said he was \xc2\xa3" "50 short.");
        CHECK(tc == 1);
        free(out);
    }
    TEST("decode: undefined cp1252 bytes become U+FFFD")
    {
        CHECK(decode_str("a\x81z", 3, &out, &n, &tc) == QW_OK);
        CHECK_STR(out, "a\xef\xbf\xbdz");
        free(out);
    }
    TEST("decode: NUL byte is binary")
    {
        CHECK(decode_str("abc\0def", 7, &out, &n, &tc) == QW_ERR_BINARY);
        CHECK(out == NULL);
    }
    TEST("decode: many control bytes are binary")
    {
        char buf[200];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (char)(i % 3 == 0 ? 0x01 : 'a');
        CHECK(decode_str(buf, sizeof buf, &out, &n, &tc) == QW_ERR_BINARY);
    }
    TEST("decode: tabs, CR and form feeds are text")
    {
        const char *s = "Title\r\n\r\n\tBody\f\r\n";
        CHECK(decode_str(s, strlen(s), &out, &n, &tc) == QW_OK);
        free(out);
    }
    TEST("decode: empty and white space only")
    {
        CHECK(decode_str("", 0, &out, &n, &tc) == QW_ERR_EMPTY);
        CHECK(decode_str(" \n\t\r\n", 5, &out, &n, &tc) == QW_ERR_EMPTY);
        CHECK(decode_str("\xef\xbb\xbf", 3, &out, &n, &tc) == QW_ERR_EMPTY);
        CHECK(decode_str("\xc2\xa0\n", 3, &out, &n, &tc) == QW_ERR_EMPTY);
        CHECK(decode_str("\xa0 \n", 3, &out, &n, &tc) == QW_ERR_EMPTY); /* cp1252 NBSP */
        CHECK(out == NULL);
    }
}

static void test_parse(void)
{
    struct article a;
    char err[QW_ERRLEN];

    TEST("parse: headline and body")
    {
        const char *s = "\n\n  Ad sales boost Time Warner profit  \n\nQuarterly profits rose.\n"
                        "Second paragraph.\n";
        CHECK(parse_str(s, &a, err) == QW_OK);
        CHECK_STR(a.title, "Ad sales boost Time Warner profit");
        CHECK(headline_is(&a, "Ad sales boost Time Warner profit"));
        CHECK(body_starts(&a, "Quarterly profits rose."));
        CHECK(a.dateline == NULL && a.published == NULL && a.source == NULL);
        CHECK(a.text_offset == 0 && is_slice(&a, s));
        CHECK(a.text[a.len - 1] == '.'); /* trailing white space cut */
        article_free(&a);
    }
    TEST("parse: CRLF line ends")
    {
        const char *s = "Headline here\r\n\r\nWASHINGTON (Reuters) - Body text.\r\n";
        CHECK(parse_str(s, &a, err) == QW_OK);
        CHECK_STR(a.title, "Headline here");
        CHECK_STR(a.dateline, "WASHINGTON (Reuters)");
        CHECK_STR(a.source, "Reuters");
        article_free(&a);
    }
    TEST("parse: headline only")
    {
        CHECK(parse_str("Just a headline\n", &a, err) == QW_OK);
        CHECK_STR(a.title, "Just a headline");
        CHECK(a.body_start == a.len);
        article_free(&a);
    }
    TEST("parse: empty")
    {
        CHECK(parse_str("  \n\n \t\n", &a, err) == QW_ERR_EMPTY);
        CHECK(a.text == NULL && a.title == NULL);
    }

    TEST("dateline: Washington:")
    {
        CHECK(parse_str("Head\n\nWashington: U.S. Secretary of State Antony Blinken will "
                        "travel.\n",
                        &a, err) == QW_OK);
        CHECK_STR(a.dateline, "Washington");
        CHECK(a.published == NULL && a.source == NULL);
        CHECK(body_starts(&a, "Washington: U.S."));
        article_free(&a);
    }
    TEST("dateline: WASHINGTON (Reuters) -")
    {
        CHECK(parse_str("Head\n\nWASHINGTON (Reuters) - The Senate voted.\n", &a, err) == QW_OK);
        CHECK_STR(a.dateline, "WASHINGTON (Reuters)");
        CHECK_STR(a.source, "Reuters");
        CHECK(a.published == NULL);
        article_free(&a);
    }
    TEST("dateline: LONDON, Jan 5 - (no year, no date)")
    {
        CHECK(parse_str("Head\nLONDON, Jan 5 - Shares fell.\n", &a, err) == QW_OK);
        CHECK_STR(a.dateline, "LONDON, Jan 5");
        CHECK(a.published == NULL);
        article_free(&a);
    }
    TEST("dateline: LONDON 1996-08-30")
    {
        CHECK(parse_str("Head\n\nLONDON 1996-08-30\n\nShares fell.\n", &a, err) == QW_OK);
        CHECK_STR(a.dateline, "LONDON 1996-08-30");
        CHECK_STR(a.published, "1996-08-30");
        article_free(&a);
        CHECK(parse_str("Head\n\nLONDON 1996-08-30 Shares fell.\n", &a, err) == QW_OK);
        CHECK_STR(a.published, "1996-08-30");
        article_free(&a);
    }
    TEST("dateline: NEW YORK, March 3 (Reuters) -")
    {
        CHECK(parse_str("Head\n\nNEW YORK, March 3 (Reuters) - Stocks rose.\n", &a, err) == QW_OK);
        CHECK_STR(a.dateline, "NEW YORK, March 3 (Reuters)");
        CHECK_STR(a.source, "Reuters");
        CHECK(a.published == NULL);
        article_free(&a);
    }
    TEST("dateline: region and full date")
    {
        CHECK(parse_str("Head\n\nPORTLAND, Ore., Feb 26 - Red Lion said.\n", &a, err) == QW_OK);
        CHECK_STR(a.dateline, "PORTLAND, Ore., Feb 26");
        article_free(&a);
        CHECK(parse_str("Head\n\nPARIS, June 14, 2023 (AFP) \xe2\x80\x94 Text.\n", &a, err) ==
              QW_OK);
        CHECK_STR(a.dateline, "PARIS, June 14, 2023 (AFP)");
        CHECK_STR(a.published, "2023-06-14");
        CHECK_STR(a.source, "AFP");
        article_free(&a);
    }
    TEST("dateline: none in ordinary paragraphs")
    {
        const char *cases[] = {
            "Head\n\nQuarterly profits at US media giant TimeWarner jumped 76%.\n",
            "Head\n\nManchester United - the champions - lost again.\n",
            "Head\n\nNote: this story has been corrected.\n",
            "Head\n\nResult: Nadal 6-7 6-2.\n",
            "Head\n\nUS President George W Bush - who spoke - said.\n",
            "Head\n\nLONDON is big.\n",
            "Head\n\nLONDON, Feb 30 - no such day.\n",
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            CHECK(parse_str(cases[i], &a, err) == QW_OK);
            CHECK(a.dateline == NULL || (i == 6 && a.published == NULL));
            article_free(&a);
        }
    }

    TEST("front matter: fields and offsets")
    {
        const char *s = "---\ntitle: \"Better title\"\ndate: 2023-06-14\nsource: Times\n"
                        "url: https://example.com/a\nauthor: Jane Roe\nlanguage: en\n# note\n\n"
                        "---\n\nHeadline in text\n\nLONDON 1996-08-30 - Body.\n";
        CHECK(parse_str(s, &a, err) == QW_OK);
        CHECK_STR(a.title, "Better title");
        CHECK_STR(a.published, "2023-06-14"); /* front matter wins over the dateline */
        CHECK_STR(a.source, "Times");
        CHECK_STR(a.url, "https://example.com/a");
        CHECK_STR(a.author, "Jane Roe");
        CHECK(headline_is(&a, "Headline in text"));
        CHECK(a.title_start == 0);
        CHECK(is_slice(&a, s));
        CHECK(strncmp(s + a.text_offset, "Headline in text", 16) == 0);
        article_free(&a);
    }
    TEST("front matter: date-time keeps the date")
    {
        CHECK(parse_str("---\ndate: 2023-06-14T10:00:00Z\n---\nHead\n", &a, err) == QW_OK);
        CHECK_STR(a.published, "2023-06-14");
        article_free(&a);
    }
    TEST("front matter: malformed")
    {
        CHECK(parse_str("---\ntitle: x\nno colon here\n---\nHead\n", &a, err) == QW_ERR_INVALID);
        CHECK(strstr(err, "line 3") != NULL);
        CHECK(a.text == NULL && a.title == NULL);
        CHECK(parse_str("---\ntitle: x\nHead\n\nBody\n", &a, err) == QW_ERR_INVALID);
        CHECK(parse_str("---\ntitle: x\n\n", &a, err) == QW_ERR_INVALID);
        CHECK(strstr(err, "closing") != NULL);
        CHECK(parse_str("---\ndate: 14/06/2023\n---\nHead\n", &a, err) == QW_ERR_INVALID);
        CHECK(strstr(err, "YYYY-MM-DD") != NULL);
        CHECK(parse_str("---\ndate: 2023-02-30\n---\nHead\n", &a, err) == QW_ERR_INVALID);
        CHECK(parse_str("---\ntitle: x\n---\n\n \n", &a, err) == QW_ERR_EMPTY);
    }

    TEST("junk: trailing lines cut, image credit kept")
    {
        const char *s = "Head\n\nBody paragraph.\n\nImage courtesy of ToI\n\nShare this post\n"
                        "Advertisement\nRead more: other stories\nClick here to subscribe\n"
                        "Follow us on Twitter\nCopyright 2023 Example Media\n\n";
        CHECK(parse_str(s, &a, err) == QW_OK);
        CHECK_STR(a.image_credit, "ToI");
        CHECK_STR(a.source, "ToI");
        CHECK(a.len == strlen("Head\n\nBody paragraph."));
        CHECK(is_slice(&a, s));
        article_free(&a);
    }
    TEST("junk: only at the end, never the headline")
    {
        const char *s = "Head\n\nShare this post\n\nReal paragraph.\n";
        CHECK(parse_str(s, &a, err) == QW_OK);
        CHECK(a.len == strlen(s) - 1);
        article_free(&a);
        CHECK(parse_str("Share this post\n", &a, err) == QW_OK);
        CHECK_STR(a.title, "Share this post");
        article_free(&a);
        /* a long last paragraph that starts like junk is kept */
        const char *l = "Head\n\nRead more: the minister said the plan, which has been years in "
                        "the making, would be published in full next week, along with the "
                        "costings, the legal advice and the responses to the consultation that "
                        "closed in the spring.\n";
        CHECK(parse_str(l, &a, err) == QW_OK);
        CHECK(a.len == strlen(l) - 1);
        article_free(&a);
    }

    TEST("seed article")
    {
        FILE *f = fopen("samples/blinken-china.txt", "rb");
        char *buf = NULL;
        size_t n = 0;
        if (f) {
            buf = malloc(1 << 16);
            n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
            fclose(f);
        }
        CHECK(buf && n > 0);
        if (buf && n > 0) {
            buf[n] = '\0';
            CHECK(ingest_parse(buf, n, &a, err) == QW_OK);
            CHECK_STR(a.title, "Secretary Blinken heads to China on a salvage mission");
            CHECK_STR(a.dateline, "Washington");
            CHECK_STR(a.image_credit, "ToI");
            CHECK(a.published == NULL);
            CHECK(is_slice(&a, buf));
            CHECK(strstr(a.text, "Share this") == NULL);
            CHECK(strstr(a.text, "Image courtesy") == NULL);
            CHECK(a.len > 2 && memcmp(a.text + a.len - 3, "\xe2\x80\x9d", 3) == 0);
            article_free(&a);
        }
        free(buf);
    }

    TEST("from fields")
    {
        CHECK(ingest_from_fields("A title", "WASHINGTON (Reuters) - Body.", NULL, "2024-01-02",
                                 NULL, NULL, "https://x", NULL, &a, err) == QW_OK);
        CHECK_STR(a.text, "A title\n\nWASHINGTON (Reuters) - Body.");
        CHECK(a.len == strlen(a.text));
        CHECK_STR(a.title, "A title");
        CHECK(headline_is(&a, "A title"));
        CHECK(body_starts(&a, "WASHINGTON"));
        CHECK_STR(a.dateline, "WASHINGTON (Reuters)");
        CHECK_STR(a.published, "2024-01-02");
        CHECK_STR(a.source, "Reuters");
        CHECK(a.source_given == 0); /* a guess from the dateline */
        CHECK(a.section == NULL);
        CHECK_STR(a.url, "https://x");
        article_free(&a);
        CHECK(ingest_from_fields("T", "Body", "Paris", NULL, "Le Monde", " Politics ", NULL, "Ann",
                                 &a, err) == QW_OK);
        CHECK_STR(a.dateline, "Paris");
        CHECK_STR(a.source, "Le Monde");
        CHECK(a.source_given == 1);
        CHECK_STR(a.section, "Politics");
        CHECK_STR(a.author, "Ann");
        article_free(&a);
        CHECK(ingest_from_fields("T", "Body", NULL, NULL, NULL, "a\tb", NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
        CHECK(strstr(err, "section") != NULL);
        CHECK(ingest_from_fields("", "Body", NULL, NULL, NULL, NULL, NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
        CHECK(ingest_from_fields("T", " \n", NULL, NULL, NULL, NULL, NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
        CHECK(strstr(err, "body") != NULL);
        CHECK(ingest_from_fields("T", "B", NULL, "2024-13-01", NULL, NULL, NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
        CHECK(strstr(err, "published") != NULL);
        CHECK(ingest_from_fields("T\xff", "B", NULL, NULL, NULL, NULL, NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
        CHECK(ingest_from_fields(NULL, "B", NULL, NULL, NULL, NULL, NULL, NULL, &a, err) ==
              QW_ERR_INVALID);
    }

    TEST("front matter section and source")
    {
        const char *t = "---\nsource: The Paper\nsection: World News\n---\nHead\n\n"
                        "LONDON (Reuters) - Body.\n";
        CHECK(ingest_parse(t, strlen(t), &a, err) == QW_OK);
        CHECK_STR(a.source, "The Paper");
        CHECK(a.source_given == 1);
        CHECK_STR(a.section, "World News");
        article_free(&a);
        t = "Head\n\nLONDON (Reuters) - Body.\n";
        CHECK(ingest_parse(t, strlen(t), &a, err) == QW_OK);
        CHECK_STR(a.source, "Reuters");
        CHECK(a.source_given == 0);
        CHECK(a.section == NULL);
        article_free(&a);
        t = "---\nsection: \n---\nHead\n\nBody.\n"; /* empty: absent */
        CHECK(ingest_parse(t, strlen(t), &a, err) == QW_OK);
        CHECK(a.section == NULL);
        article_free(&a);
        CHECK(ingest_valid_label("business", 8));
        CHECK(!ingest_valid_label("", 0));
        CHECK(!ingest_valid_label("a\x01", 2));
        CHECK(!ingest_valid_label("\xff", 1));
        article_free(NULL);
    }
}

static void test_files(void)
{
    char dir[] = "/tmp/qw_test_ingest_XXXXXX", path[256], err[QW_ERRLEN];
    struct article a;

    if (!mkdtemp(dir)) {
        TEST("files: temp dir") CHECK(0);
        return;
    }
    TEST("read: Windows-1252 file")
    {
        snprintf(path, sizeof path, "%s/cp.txt", dir);
        CHECK(write_file(path, "Head\n\n\x93Yes,\x94 he said.\n", 21) == 0);
        CHECK(ingest_read_file(path, 0, &a, err) == QW_OK);
        CHECK(a.transcoded == 1);
        CHECK(strstr(a.text, "\xe2\x80\x9cYes,\xe2\x80\x9d") != NULL);
        article_free(&a);
    }
    TEST("read: binary, empty, too large, missing")
    {
        snprintf(path, sizeof path, "%s/bin.dat", dir);
        CHECK(write_file(path, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) == 0);
        CHECK(ingest_read_file(path, 0, &a, err) == QW_ERR_BINARY);
        CHECK(strstr(err, "binary") != NULL);
        snprintf(path, sizeof path, "%s/empty.txt", dir);
        CHECK(write_file(path, "", 0) == 0);
        CHECK(ingest_read_file(path, 0, &a, err) == QW_ERR_EMPTY);
        snprintf(path, sizeof path, "%s/big.txt", dir);
        CHECK(write_file(path, "Head\n\nBody text that is long enough.\n", 37) == 0);
        CHECK(ingest_read_file(path, 10, &a, err) == QW_ERR_TOO_LARGE);
        CHECK(ingest_read_file(path, 37, &a, err) == QW_OK);
        article_free(&a);
        snprintf(path, sizeof path, "%s/missing.txt", dir);
        CHECK(ingest_read_file(path, 0, &a, err) == QW_ERR_IO);
        CHECK(ingest_read_file(dir, 0, &a, err) == QW_ERR_IO);
    }
    const char *names[] = {"cp.txt", "bin.dat", "empty.txt", "big.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    test_decode();
    test_parse();
    test_files();
    return test_report("ingest");
}
