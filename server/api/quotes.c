/* /quotes, /quotes/{id}, /people/{id}/quotes, /articles/{id}/quotes. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

void api_quotes_list(struct call *c)
{
    enum route r = c->m.route;
    unsigned allowed;
    enum cursor_list list = CUR_QUOTES;
    if (r == ROUTE_ARTICLE_QUOTES) {
        allowed = P_PAGE | P_KIND | P_TOTALS;
        list = CUR_ARTICLE_QUOTES;
    } else {
        allowed = P_PAGE | P_Q | P_ARTICLE | P_KIND | P_SINCE | P_UNTIL | P_SORT | P_SOURCE |
                  P_SECTION | P_GENDER | P_TOTALS |
                  (r == ROUTE_QUOTES ? P_PERSON | P_CLUSTER : 0);
    }
    struct args a;
    if (api_args(c, allowed, &a) != 0)
        return;
    enum cursor_sort sort;
    if (list == CUR_ARTICLE_QUOTES)
        sort = SORT_START;
    else if (!a.sort)
        sort = a.q ? SORT_RANK : SORT_ID;
    else if (api_sort_is(&a, "id"))
        sort = SORT_ID;
    else if (api_sort_is(&a, "-id"))
        sort = SORT_ID_DESC;
    else if (api_sort_is(&a, "rank") && a.q)
        sort = SORT_RANK;
    else {
        api_bad_param(c, "sort", "Parameter 'sort' must be id or -id (or rank with q).");
        return;
    }
    struct strbuf fts = STRBUF_INIT;
    struct cursor cur;
    struct query_list q = {.list = list, .sort = sort, .limit = a.limit};
    if (api_search(c, &a, &fts, &q) != 0)
        goto out;
    if (api_cursor(c, &a, list, sort, &cur, &q.after) != 0)
        goto out;
    struct qconn *qc = api_conn(c);
    if (!qc)
        goto out;
    qw_status st = QW_OK;
    q.person_mode = a.pmode;
    q.person_id = a.person_id;
    q.person = a.person;
    q.person_len = a.person_len;
    q.article_id = a.article;
    if (r == ROUTE_PERSON_QUOTES) {
        st = query_person_exists(qc, c->m.id);
        q.person_mode = QP_ID;
        q.person_id = c->m.id;
    } else if (r == ROUTE_ARTICLE_QUOTES) {
        st = query_article_exists(qc, c->m.id);
        q.article_id = c->m.id;
    }
    if (st != QW_OK) {
        api_fail(c, st);
        goto out;
    }
    q.kind = a.kind;
    q.cluster_id = a.cluster;
    q.source = a.source;
    q.source_len = a.source_len;
    q.section = a.section;
    q.section_len = a.section_len;
    q.gender = a.gender;
    q.since = a.since[0] ? a.since : NULL;
    q.until = a.until[0] ? a.until : NULL;
    api_list_run(c, qc, query_quotes, &q, &a, CSV_QUOTES);
out:
    strbuf_free(&fts);
}

void api_quote_get(struct call *c)
{
    api_item_or_gone(c, query_quote_text, "quote");
}
