/* jsonw writes what Jansson's compact dump writes, byte for byte, for
 * strings (controls, quotes, NUL, invalid UTF-8), integers and reals. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonw.h"
#include "testhelp.h"
#include "utf8.h"

/* What Jansson dumps for s[0..n) made valid the way the API makes it
 * (bad bytes become U+FFFD). */
static char *jansson_str(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (!j) {
        char *fixed = malloc(n * 3 + 1);
        size_t i = 0, o = 0;
        while (i < n)
            o += utf8_encode(utf8_next(s, n, &i), fixed + o);
        j = json_stringn(fixed, o);
        free(fixed);
    }
    char *d = json_dumps(j, JSONW_DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(j);
    return d;
}

static char *jansson_any(json_t *j)
{
    char *d = json_dumps(j, JSONW_DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(j);
    return d;
}

static int same_text(struct strbuf *sb, int rc, char *want);

static int same_str(const char *s, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    int rc = jsonw_str(&sb, s, n);
    return same_text(&sb, rc, jansson_str(s, n));
}

/* Whether what jsonw wrote into sb (rc its result) is want (freed). */
static int same_text(struct strbuf *sb, int rc, char *want)
{
    int ok = rc == 0 && want && sb->p && strcmp(sb->p, want) == 0;
    if (!ok)
        fprintf(stderr, "  jsonw %s jansson %s\n", sb->p ? sb->p : "(null)", want ? want : "-");
    free(want);
    strbuf_free(sb);
    return ok;
}

static int same_real(double v)
{
    struct strbuf sb = STRBUF_INIT;
    int rc = jsonw_real(&sb, v);
    return same_text(&sb, rc, jansson_any(json_real(v)));
}

static int same_int(int64_t v)
{
    struct strbuf sb = STRBUF_INIT;
    int rc = jsonw_int(&sb, v);
    return same_text(&sb, rc, jansson_any(json_integer(v)));
}

int main(void)
{
    TEST("plain, escaped and multibyte strings as Jansson dumps them")
    {
        static const char *const cases[] = {
            "", "plain", "a \"quoted\" word", "back\\slash", "tab\there", "line\nbreak",
            "\r\f\b", "\x01\x1f\x7f", "slash / stays", "caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d",
            "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbd real replacement char"};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            CHECK(same_str(cases[i], strlen(cases[i])));
        CHECK(same_str("nul\0inside", 10));
    }
    TEST("bytes that are not UTF-8 become U+FFFD, as the tree path made them")
    {
        static const char *const cases[] = {
            "\xff", "a\xc3", "\xc3(", "\xe2\x82", "\xe2\x82x", "\xed\xa0\x80 surrogate",
            "\xc0\xaf overlong", "\xf4\x90\x80\x80 above U+10FFFF", "\x80\x80\x80"};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            CHECK(same_str(cases[i], strlen(cases[i])));
    }
    TEST("random byte strings: 20,000 of them agree with Jansson")
    {
        srand(12345);
        int bad = 0;
        char buf[64];
        for (int k = 0; k < 20000 && bad < 5; k++) {
            size_t n = (size_t)(rand() % 40);
            for (size_t i = 0; i < n; i++) {
                int r = rand() % 8;
                /* mostly text, some controls, some high bytes */
                buf[i] = r < 4 ? (char)(0x20 + rand() % 95)
                         : r < 5 ? (char)(rand() % 0x20)
                         : r < 7 ? (char)(0x80 + rand() % 0x80)
                                 : "\"\\\xc3\xe2"[rand() % 4];
            }
            if (!same_str(buf, n))
                bad++;
        }
        CHECK(bad == 0);
    }
    TEST("reals as JSON_REAL_PRECISION(15) dumps them")
    {
        static const double cases[] = {0.0, -0.0, 1.0, 0.5, 0.95, 1.0 / 3, 2.0 / 3, 100.0,
                                       1e15, 1e16, 1.5e17, 1e-5, 1.25e-7, 123456789.0,
                                       -42.125, 1e300, 5e-324, 0.1 + 0.2};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            CHECK(same_real(cases[i]));
        srand(99);
        int bad = 0;
        for (int k = 0; k < 20000 && bad < 5; k++) {
            double v = (double)rand() / RAND_MAX * pow(10, rand() % 40 - 20);
            if (rand() % 2)
                v = -v;
            if (!same_real(v))
                bad++;
        }
        CHECK(bad == 0);
    }
    TEST("a real that is not finite is null; Jansson has no such real")
    {
        struct strbuf sb = STRBUF_INIT;
        CHECK(jsonw_real(&sb, NAN) == 0 && jsonw_real(&sb, INFINITY) == 0);
        CHECK_STR(sb.p, "nullnull");
        CHECK(json_real(NAN) == NULL);
        strbuf_free(&sb);
    }
    TEST("integers, both ends of the range")
    {
        static const int64_t cases[] = {0, 1, -1, 9, 10, 2147483648LL, INT64_MAX, INT64_MIN};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            CHECK(same_int(cases[i]));
    }
    TEST("what jsonw writes loads back and dumps to the same text")
    {
        struct strbuf sb = STRBUF_INIT;
        int fail = strbuf_puts(&sb, "{\"s\":") | jsonw_str(&sb, "x\0y\xff", 4) |
                   strbuf_puts(&sb, ",\"r\":") | jsonw_real(&sb, 0.1) |
                   strbuf_puts(&sb, ",\"b\":") | jsonw_bool(&sb, 1) |
                   strbuf_puts(&sb, ",\"n\":") | jsonw_null(&sb) | strbuf_putc(&sb, '}');
        CHECK(fail == 0);
        json_t *t = json_loadb(sb.p, sb.len, JSONW_LOAD_FLAGS, NULL);
        CHECK(t != NULL);
        char *d = t ? json_dumps(t, JSONW_DUMP_FLAGS) : NULL;
        CHECK_STR(d, sb.p);
        free(d);
        json_decref(t);
        strbuf_free(&sb);
    }
    return test_report("jsonw");
}
