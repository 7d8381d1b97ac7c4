/* /people, /people/{id}, /articles/{id}/people. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "handlers.h"

void api_people_list(struct call *c)
{
    struct args a;
    if (api_args(c, P_PAGE | P_Q | P_SORT | P_GENDER | P_TOTALS, &a) != 0)
        return;
    static const struct {
        const char *name;
        enum cursor_sort sort;
    } sorts[] = {{"name", SORT_NAME},         {"-name", SORT_NAME_DESC},
                 {"quotes", SORT_QUOTES},     {"-quotes", SORT_QUOTES_DESC},
                 {"articles", SORT_ARTICLES}, {"-articles", SORT_ARTICLES_DESC}};
    enum cursor_sort sort = SORT_NAME;
    if (a.sort) {
        size_t k = 0;
        while (k < sizeof sorts / sizeof sorts[0] && !api_sort_is(&a, sorts[k].name))
            k++;
        if (k == sizeof sorts / sizeof sorts[0]) {
            api_bad_param(c, "sort", "Parameter 'sort' must be one of name, -name, quotes, "
                                     "-quotes, articles, -articles.");
            return;
        }
        sort = sorts[k].sort;
    }
    struct strbuf like = STRBUF_INIT;
    struct cursor cur;
    struct query_list q = {.list = CUR_PEOPLE, .sort = sort, .limit = a.limit,
                           .gender = a.gender};
    if (a.q) {
        /* substring match on the folded name and alias keys: fold q the
         * same way, then escape LIKE's own wildcards */
        char *k = NULL;
        size_t kn = 0;
        int fail = fold_key(a.q, a.q_len, &k, &kn) != QW_OK || strbuf_putc(&like, '%') != 0;
        for (size_t i = 0; i < kn && !fail; i++) {
            char ch = k[i];
            if (ch == '%' || ch == '_' || ch == '\\')
                fail = strbuf_putc(&like, '\\');
            if (!fail)
                fail = strbuf_putc(&like, ch);
        }
        free(k);
        if (fail || strbuf_putc(&like, '%') != 0) {
            api_fail(c, QW_ERR_NOMEM);
            goto out;
        }
        q.like = like.p;
        q.like_len = like.len;
    }
    if (api_cursor(c, &a, CUR_PEOPLE, sort, &cur, &q.after) != 0)
        goto out;
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    api_list_run(c, qc, query_people, &q, &a, CSV_PEOPLE);
out:
    strbuf_free(&like);
}

void api_person_get(struct call *c)
{
    api_item_or_gone(c, query_person_text, "person");
}

void api_article_people(struct call *c)
{
    struct args a;
    if (api_args(c, P_PAGE | P_TOTALS, &a) != 0)
        return;
    struct cursor cur;
    struct query_list q = {.list = CUR_ARTICLE_PEOPLE, .sort = SORT_FIRST, .limit = a.limit,
                           .article_id = c->m.id};
    if (api_cursor(c, &a, CUR_ARTICLE_PEOPLE, SORT_FIRST, &cur, &q.after) != 0)
        return;
    struct qconn *qc = api_conn(c);
    if (!qc)
        return;
    qw_status st = query_article_exists(qc, c->m.id);
    if (st != QW_OK) {
        api_fail(c, st);
        return;
    }
    api_list_run(c, qc, query_article_people, &q, &a, CSV_PEOPLE);
}
