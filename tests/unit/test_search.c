/* The q search syntax: exact FTS5 output for each construct, refusals,
 * hostile input, and what the queries find in a real FTS5 table. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "testhelp.h"

static char obuf[8192];
static char ebuf[QW_ERRLEN];

/* search_fts of q[0..len): the FTS5 query, or "<400>", "<empty>", "<nomem>". */
static const char *fts_n(const char *q, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    qw_status st = search_fts(q, len, &sb, ebuf);
    if (st == QW_OK)
        snprintf(obuf, sizeof obuf, "%s", sb.p ? sb.p : "");
    else
        snprintf(obuf, sizeof obuf, "%s",
                 st == QW_ERR_BAD_REQUEST ? "<400>" : st == QW_ERR_EMPTY ? "<empty>" : "<nomem>");
    strbuf_free(&sb);
    return obuf;
}

static const char *fts(const char *q)
{
    return fts_n(q, strlen(q));
}

static sqlite3 *db;

/* The rowids q finds in the table t, as "1,3" ("" for none), or
 * "<error: ...>" when SQLite refuses the query. */
static const char *found(const char *q)
{
    static char res[256];
    struct strbuf sb = STRBUF_INIT;
    if (search_fts(q, strlen(q), &sb, ebuf) != QW_OK) {
        strbuf_free(&sb);
        return "<not a query>";
    }
    sqlite3_stmt *s = NULL;
    size_t n = 0;
    res[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &s,
                           NULL) != SQLITE_OK) {
        strbuf_free(&sb);
        return "<error: prepare>";
    }
    sqlite3_bind_text(s, 1, sb.p, (int)sb.len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < sizeof res - 24)
        n += (size_t)snprintf(res + n, sizeof res - n, "%s%lld", n ? "," : "",
                              (long long)sqlite3_column_int64(s, 0));
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        snprintf(res, sizeof res, "<error: %s for %.100s>", sqlite3_errmsg(db), sb.p);
    sqlite3_finalize(s);
    strbuf_free(&sb);
    return res;
}

int main(void)
{
    TEST("words are ANDed, each an FTS5 string")
    {
        CHECK_STR(fts("tax"), "\"tax\"");
        CHECK_STR(fts("  tax   vat "), "\"tax\" AND \"vat\"");
        CHECK_STR(fts("title:foo NEAR(a ^x a+b"),
                  "\"title:foo\" AND \"NEAR(a\" AND \"^x\" AND \"a+b\"");
        CHECK_STR(fts("AND NOT or"), "\"AND\" AND \"NOT\" AND \"or\"");
    }
    TEST("OR joins the terms either side and binds tighter than AND")
    {
        CHECK_STR(fts("tax OR vat"), "(\"tax\" OR \"vat\")");
        CHECK_STR(fts("a b OR c d"), "\"a\" AND (\"b\" OR \"c\") AND \"d\"");
        CHECK_STR(fts("a OR b OR c"), "(\"a\" OR \"b\" OR \"c\")");
        CHECK_STR(fts("a OR OR b"), "(\"a\" OR \"b\")");
        CHECK_STR(fts("OR a"), "\"a\"");
        CHECK_STR(fts("a OR"), "\"a\"");
        CHECK_STR(fts("a OR -b"), "\"a\" NOT \"b\"");
        CHECK_STR(fts("-b OR a"), "\"a\" NOT \"b\"");
        CHECK_STR(fts("a or b"), "\"a\" AND \"or\" AND \"b\"");
        CHECK_STR(fts("a \"OR\" b"), "\"a\" AND \"OR\" AND \"b\"");
        CHECK_STR(fts("\"a b\" OR co*"), "(\"a b\" OR \"co\" *)");
    }
    TEST("-term and -\"phrase\" exclude")
    {
        CHECK_STR(fts("tax -vat"), "\"tax\" NOT \"vat\"");
        CHECK_STR(fts("tax cut -vat -\"tax rise\""),
                  "(\"tax\" AND \"cut\") NOT (\"vat\" OR \"tax rise\")");
        CHECK_STR(fts("tax OR vat -rise"), "((\"tax\" OR \"vat\")) NOT \"rise\"");
        CHECK_STR(fts("well-known"), "\"well-known\"");
        CHECK_STR(fts("--x y"), "\"y\" NOT \"-x\"");
    }
    TEST("only excluded terms is a 400 that says so")
    {
        CHECK_STR(fts("-tax"), "<400>");
        CHECK(strstr(ebuf, "only excludes") != NULL);
        CHECK_STR(fts("-tax -\"a b\""), "<400>");
        CHECK_STR(fts("-tax OR -vat"), "<400>");
    }
    TEST("phrases; an open quote is closed; curly quotes count")
    {
        CHECK_STR(fts("\"tax cut\""), "\"tax cut\"");
        CHECK_STR(fts("\"unbalanced"), "\"unbalanced\"");
        CHECK_STR(fts("\"  tax   cut  "), "\"tax   cut\"");
        CHECK_STR(fts("a\"b c\"d"), "\"a\" AND \"b c\" AND \"d\"");
        CHECK_STR(fts("\"a \"b\" c\""), "\"a\" AND \"b\" AND \"c\"");
        CHECK_STR(fts("\xe2\x80\x9ctax cut\xe2\x80\x9d"), "\"tax cut\"");
        CHECK_STR(fts("\xe2\x80\x9etax cut\""), "\"tax cut\"");
        CHECK_STR(fts("a \"\" b"), "\"a\" AND \"b\"");
        CHECK_STR(fts("\"tax OR -vat*\""), "\"tax OR -vat*\"");
    }
    TEST("prefixes need two characters")
    {
        CHECK_STR(fts("tax*"), "\"tax\" *");
        CHECK_STR(fts("ta**"), "\"ta\" *");
        CHECK_STR(fts("-tax*"), "<400>");
        CHECK_STR(fts("cut -tax*"), "\"cut\" NOT \"tax\" *");
        CHECK_STR(fts("t*"), "<400>");
        CHECK(strstr(ebuf, "'t*'") != NULL);
        CHECK_STR(fts("\xc3\xa9*"), "<400>"); /* é: one character, two bytes */
        CHECK_STR(fts("\xc3\xa9t*"), "\"\xc3\xa9t\" *");
        CHECK_STR(fts("a*b"), "\"a*b\"");
        /* the prefix is the last word: letters and digits, as FTS5 splits */
        CHECK_STR(fts("tax!*"), "\"tax!\" *");
        CHECK_STR(fts("ab-c*"), "<400>");
        CHECK_STR(fts("a!*"), "<400>");
        CHECK_STR(fts("!!*"), "<400>");
        CHECK(strstr(ebuf, "no words") != NULL);
    }
    TEST("empty and white space mean no search")
    {
        CHECK_STR(fts(""), "<empty>");
        CHECK_STR(fts(" \t\r\n"), "<empty>");
        CHECK_STR(fts_n("\0\0", 2), "<empty>");
        CHECK_STR(fts_n(NULL, 0), "<empty>");
    }
    TEST("operators alone have no words: 400")
    {
        static const char *const none[] = {"*", "-", "OR", "OR OR", "- * OR", "\"\"", "-\"\"",
                                           "\"", "\"   \"", "***", "-*", "!!!", "& -- ...",
                                           "\"!?\"", "\xe2\x80\x94"};
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
            CHECK_STR(fts(none[i]), "<400>");
            CHECK(strstr(ebuf, "no words") != NULL);
        }
    }
    TEST("words and phrases without letters or digits are ignored")
    {
        CHECK_STR(fts("tax & vat"), "\"tax\" AND \"vat\"");
        CHECK_STR(fts("tax \"!!\" -?"), "\"tax\"");
        CHECK_STR(fts("tax \xe2\x80\x94 vat"), "\"tax\" AND \"vat\""); /* em dash */
        CHECK_STR(fts("\xce\xb1\xce\xb2*"), "\"\xce\xb1\xce\xb2\" *");    /* Greek letters */
        CHECK_STR(fts("\xe4\xb9\xa0"), "\"\xe4\xb9\xa0\"");              /* CJK */
    }
    TEST("NUL bytes separate terms")
    {
        CHECK_STR(fts_n("a\0b", 3), "\"a\" AND \"b\"");
        CHECK_STR(fts_n("\"a\0b\"", 5), "\"a b\"");
    }
    TEST("at most 16 words and phrases")
    {
        CHECK_STR(fts("a b c d e f g h i j k l m n o p"),
                  "\"a\" AND \"b\" AND \"c\" AND \"d\" AND \"e\" AND \"f\" AND \"g\" AND \"h\" AND "
                  "\"i\" AND \"j\" AND \"k\" AND \"l\" AND \"m\" AND \"n\" AND \"o\" AND \"p\"");
        CHECK_STR(fts("a b c d e f g h i j k l m n o p q"), "<400>");
        CHECK(strstr(ebuf, "more than 16") != NULL);
        CHECK_STR(fts("a OR b OR c OR d OR e OR f OR g OR h OR i OR j OR k OR l OR m OR n OR o OR "
                      "p OR q"),
                  "<400>");
        CHECK(strcmp(fts("\"a b c d e f g h i j k l m n o p q r s t u v w x y z\""), "<400>") != 0);
    }
    TEST("huge input is bounded")
    {
        size_t n = 1 << 20;
        char *big = malloc(n);
        CHECK(big != NULL);
        if (big) {
            for (size_t i = 0; i < n; i++)
                big[i] = i % 2 ? ' ' : 'a';
            CHECK_STR(fts_n(big, n), "<400>");
            memset(big, 'x', n);
            CHECK(strlen(fts_n(big, n)) == (sizeof obuf - 1)); /* one word, truncated here */
            memset(big, '"', n);
            CHECK_STR(fts_n(big, n), "<400>");
            free(big);
        }
    }

    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2');"
                       "INSERT INTO t(rowid, x) VALUES (1, 'Tax cut for families'),"
                       " (2, 'VAT rise'), (3, 'the tax rise'), (4, 'taxation policy'),"
                       " (5, 'cut the tax'), (6, 'caf\xc3\xa9 owners'), (7, 'well known');",
                       NULL, NULL, NULL) == SQLITE_OK);
    TEST("the queries find what the grammar says, in FTS5")
    {
        CHECK_STR(found("tax"), "1,3,5");
        CHECK_STR(found("tax OR vat"), "1,2,3,5");
        CHECK_STR(found("tax -rise"), "1,5");
        CHECK_STR(found("\"tax cut\""), "1");
        CHECK_STR(found("\"cut tax\""), "");
        CHECK_STR(found("tax cut"), "1,5");
        CHECK_STR(found("tax*"), "1,3,4,5");
        CHECK_STR(found("tax -\"tax rise\""), "1,5");
        CHECK_STR(found("rise OR policy -vat"), "3,4");
        CHECK_STR(found("cafe"), "6");
        CHECK_STR(found("CAF\xc3\x89*"), "6");
        CHECK_STR(found("well-known"), "7");
        CHECK_STR(found("!!!"), "<not a query>");
        CHECK_STR(found("tax !!!"), "1,3,5");
    }
    TEST("hostile input never makes an FTS5 error")
    {
        static const char *const alphabet[] = {"\"", "-", "*", "OR", " ", "(", ")", ":", "^",
                                               "+", "a", "tax", "\xc3\xa9", "\xe2\x80\x9c",
                                               "\xe2\x80\x9d", "NEAR", "AND", "NOT", "{", "}",
                                               ",", "'", "\\", "\t", "-\"", "OR "};
        unsigned seed = 12345;
        int bad = 0, ran = 0;
        for (int k = 0; k < 3000; k++) {
            char q[128];
            size_t n = 0;
            int parts = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
            for (int p = 0; p < parts; p++) {
                seed = seed * 1103515245u + 12345u;
                const char *a = alphabet[(seed >> 16) % (sizeof alphabet / sizeof alphabet[0])];
                size_t al = strlen(a);
                if (n + al < sizeof q) {
                    memcpy(q + n, a, al);
                    n += al;
                }
            }
            q[n] = '\0';
            const char *r = found(q);
            if (strcmp(r, "<not a query>") != 0)
                ran++;
            if (strncmp(r, "<error", 6) == 0) {
                fprintf(stderr, "q=[%s]: %s\n", q, r);
                bad++;
            }
        }
        CHECK(bad == 0 && ran > 1000);
    }
    sqlite3_close(db);
    return test_report("search");
}
