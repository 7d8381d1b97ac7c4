/* Name folding (fold_key): case, accents and width in several scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "testhelp.h"

static char kbuf[4096];

/* fold_key of s, copied into a static buffer ("(error)" on failure). */
static const char *fold(const char *s)
{
    char *k = NULL;
    size_t n = 0;
    if (fold_key(s, strlen(s), &k, &n) != QW_OK || !k || strlen(k) != n) {
        free(k);
        return "(error)";
    }
    snprintf(kbuf, sizeof kbuf, "%s", k);
    free(k);
    return kbuf;
}

static int same(const char *a, const char *b)
{
    char ka[4096];
    snprintf(ka, sizeof ka, "%s", fold(a));
    return strcmp(ka, fold(b)) == 0;
}

int main(void)
{
    TEST("latin accents and case fold to one key")
    {
        CHECK_STR(fold("José Álvarez"), "jose alvarez");
        CHECK_STR(fold("JOSÉ ÁLVAREZ"), "jose alvarez");
        CHECK_STR(fold("Jose Alvarez"), "jose alvarez");
        CHECK_STR(fold("josé álvarez"), "jose alvarez");
        /* decomposed input (e + U+0301) folds like the precomposed one */
        CHECK_STR(fold("Jose\xcc\x81 A\xcc\x81lvarez"), "jose alvarez");
        CHECK_STR(fold("Hélène Duval"), "helene duval");
        CHECK_STR(fold("François Ñúñez-Çelik"), "francois nunez-celik");
        CHECK_STR(fold("Łukasz Đorđević Øre"), "łukasz đorđevic øre"); /* letters, not accents */
    }
    TEST("greek: case, final sigma and tonos")
    {
        CHECK_STR(fold("Ελένη"), "ελενη");
        CHECK_STR(fold("ΕΛΈΝΗ"), "ελενη");
        CHECK(same("ΟΔΥΣΣΕΑΣ", "Οδυσσέας"));
        CHECK_STR(fold("Οδυσσέας"), "οδυσσεασ");
    }
    TEST("cyrillic: case and diacritics (ё -> е, й -> и)")
    {
        CHECK_STR(fold("Пётр Ильич"), "петр ильич");
        CHECK(same("ПЁТР ИЛЬИЧ", "Петр Ильич"));
        CHECK_STR(fold("Сергей"), "сергеи");
    }
    TEST("german sharp s folds to ss")
    {
        CHECK_STR(fold("Straße"), "strasse");
        CHECK(same("STRASSE", "Straße"));
        CHECK(same("Jürgen Weiß", "JURGEN WEISS"));
    }
    TEST("turkish dotted capital I folds to i; dotless i stays (documented limit)")
    {
        CHECK_STR(fold("İstanbul"), "istanbul");
        CHECK_STR(fold("ISTANBUL"), "istanbul");
        CHECK_STR(fold("ıstanbul"), "\xc4\xb1stanbul");
        CHECK(!same("ıstanbul", "istanbul"));
    }
    TEST("compatibility forms, apostrophes, hyphens, ignorables")
    {
        CHECK_STR(fold("\xef\xbc\xaa\xef\xbd\x8f\xef\xbd\x93\xc3\xa9"), "jose"); /* full width */
        CHECK_STR(fold("\xef\xac\x81nn"), "finn"); /* fi ligature */
        CHECK_STR(fold("O\xe2\x80\x99" "Brien"), "o'brien");
        CHECK(same("O\xe2\x80\x99" "Brien", "o'brien"));
        CHECK_STR(fold("Jean\xe2\x80\x90Marc"), "jean-marc");
        CHECK_STR(fold("Ma\xc2\xadria"), "maria"); /* soft hyphen is ignorable */
    }
    TEST("scripts whose marks are not accents keep them")
    {
        CHECK_STR(fold("习近平"), "习近平");
        CHECK_STR(fold("김정은"), "김정은");               /* NFD then NFC: same Hangul */
        CHECK_STR(fold("がか"), "がか");                 /* voicing mark kept */
        CHECK(!same("कि", "क"));                        /* Devanagari vowel sign kept */
        CHECK_STR(fold("नरेन्द्र मोदी"), "नरेन्द्र मोदी");
    }
    TEST("white space: runs fold to one space, none at the ends, unicode spaces too")
    {
        CHECK_STR(fold("  Kurt \t\n Campbell  "), "kurt campbell");
        CHECK_STR(fold("Kurt\xc2\xa0" "Campbell"), "kurt campbell");       /* NBSP */
        CHECK_STR(fold("José\xe3\x80\x80Álvarez "), "jose alvarez");      /* ideographic space */
        CHECK_STR(fold(""), "");
        CHECK_STR(fold("   "), "");
        CHECK_STR(fold("\xcc\x81"), ""); /* a lone accent */
    }
    TEST("bad UTF-8 becomes U+FFFD; NUL bytes are kept as given")
    {
        CHECK_STR(fold("a\xff" "B"), "a\xef\xbf\xbd" "b");
        CHECK_STR(fold("\xc3"), "\xef\xbf\xbd");
        char *k = NULL;
        size_t n = 0;
        CHECK(fold_key("A\0\xc3\x89", 4, &k, &n) == QW_OK);
        CHECK(n == 3 && k && memcmp(k, "a\0e", 3) == 0);
        free(k);
    }
    TEST("ASCII fast path gives what the ICU path gives, for every ASCII byte")
    {
        /* a trailing "é" sends a string down the ICU path and folds to "e" */
        int bad = 0;
        for (int c = 1; c < 128; c++) {
            char a[8], b[8], want[8];
            snprintf(a, sizeof a, "x%cy", c);
            snprintf(b, sizeof b, "x%cy\xc3\xa9", c);
            snprintf(want, sizeof want, "%se", fold(a));
            if (strcmp(fold(b), want) != 0) {
                fprintf(stderr, "byte 0x%02x: ascii %s, icu %s\n", c, want, fold(b));
                bad++;
            }
        }
        CHECK(bad == 0);
    }
    TEST("folding is idempotent")
    {
        static const char *const names[] = {"José Álvarez", "ΟΔΥΣΣΕΑΣ", "Straße", "İstanbul",
                                            "Пётр", "O\xe2\x80\x99" "Brien", "ǅemal",
                                            "ﬃ", "Ǆ", "ᾼ", "ΐ"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char once[256];
            snprintf(once, sizeof once, "%s", fold(names[i]));
            CHECK_STR(fold(once), once);
        }
    }
    TEST("long input is folded whole")
    {
        size_t n = 100000;
        char *s = malloc(n * 2 + 1);
        CHECK(s != NULL);
        if (s) {
            for (size_t i = 0; i < n; i++)
                memcpy(s + 2 * i, "\xc3\x89", 2); /* É */
            s[2 * n] = '\0';
            char *k = NULL;
            size_t kn = 0;
            CHECK(fold_key(s, 2 * n, &k, &kn) == QW_OK && kn == n && k[0] == 'e' && k[n - 1] == 'e');
            free(k);
            free(s);
        }
    }
    return test_report("fold");
}
