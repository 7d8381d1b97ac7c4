#ifndef QUOTEWIRE_TESTHELP_H
#define QUOTEWIRE_TESTHELP_H

/* A tiny test harness in the spirit of Redis's testhelp.h.
 *
 *   TEST("name") { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   return test_report();       -- prints "N passed, N failed"
 *
 * A test passes when none of its CHECKs failed. */

#include <stdio.h>
#include <string.h>

static int th_passed, th_failed, th_cur_failed;
static const char *th_cur;

static void th_end(void)
{
    if (!th_cur)
        return;
    if (th_cur_failed)
        th_failed++;
    else
        th_passed++;
    th_cur = NULL;
}

static int th_begin(const char *name)
{
    th_end();
    th_cur = name;
    th_cur_failed = 0;
    return 1;
}

#define TEST(name) for (int th_once_ = th_begin(name); th_once_; th_once_ = 0, th_end())

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            th_cur_failed = 1;                                                          \
            fprintf(stderr, "FAIL %s: %s:%d: %s\n", th_cur ? th_cur : "?", __FILE__,    \
                    __LINE__, #cond);                                                   \
        }                                                                               \
    } while (0)

#define CHECK_STR(a, b)                                                                 \
    do {                                                                                \
        const char *a_ = (a), *b_ = (b);                                                \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                        \
            th_cur_failed = 1;                                                          \
            fprintf(stderr, "FAIL %s: %s:%d: \"%s\" != \"%s\"\n", th_cur ? th_cur : "?", \
                    __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)");        \
        }                                                                               \
    } while (0)

static int test_report(const char *suite)
{
    th_end();
    printf("%s: %d passed, %d failed\n", suite, th_passed, th_failed);
    return th_failed || th_passed == 0 ? 1 : 0;
}

#endif
