/* Re-extraction: article ids (chosen once, at the start) -> stored text
 * and extraction on worker threads (pipeline.h) -> one writer replacing
 * each article's extraction, in id order, many per transaction. */
#include "reextract.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "extract.h"
#include "log.h"
#include "pipeline.h"

#define REEXTRACT_DEFAULT_BATCH 256
/* As in the loader: a batch is also committed after this long, so that a
 * crash loses little and the server's writes never wait long. */
#define BATCH_SECONDS 1.0

/* ---- the articles to do ---- */

struct ids {
    int64_t *v;
    size_t n, cap;
};

static qw_status select_ids(sqlite3 *db, int all, int version, struct ids *out)
{
    const char *sql = all ? "SELECT id FROM articles ORDER BY id"
                          : "SELECT id FROM articles WHERE extract_version < ?1 ORDER BY id";
    sqlite3_stmt *st = NULL;
    qw_status rc = QW_OK;
    int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (r != SQLITE_OK) {
        log_error("reextract: %s", sqlite3_errmsg(db));
        return db_status(r) ? db_status(r) : QW_ERR_DB;
    }
    if (!all)
        sqlite3_bind_int(st, 1, version);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == out->cap) {
            size_t ncap = out->cap ? out->cap * 2 : 1024;
            int64_t *nv = realloc(out->v, ncap * sizeof *nv);
            if (!nv) {
                rc = QW_ERR_NOMEM;
                break;
            }
            out->v = nv;
            out->cap = ncap;
        }
        out->v[out->n++] = sqlite3_column_int64(st, 0);
    }
    if (rc == QW_OK && r != SQLITE_DONE) {
        log_error("reextract: %s", sqlite3_errmsg(db));
        rc = db_status(r) ? db_status(r) : QW_ERR_DB;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Articles stored, older and newer than version. */
static qw_status version_counts(sqlite3 *db, int version, struct reextract_summary *sum)
{
    static const char sql[] = "SELECT count(*), count(*) FILTER (WHERE extract_version < ?1),"
                              " count(*) FILTER (WHERE extract_version > ?1) FROM articles";
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_int(st, 1, version);
        if ((r = sqlite3_step(st)) == SQLITE_ROW) {
            sum->stored = sqlite3_column_int64(st, 0);
            sum->older = sqlite3_column_int64(st, 1);
            sum->newer = sqlite3_column_int64(st, 2);
            r = SQLITE_OK;
        }
    }
    if (r != SQLITE_OK)
        log_error("reextract: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return r == SQLITE_OK ? QW_OK : db_status(r) ? db_status(r) : QW_ERR_DB;
}

/* ---- work on one article (any thread) ---- */

struct slot {
    qw_status st; /* QW_ERR_NOT_FOUND: deleted meanwhile */
    char *text;
    size_t len;
    struct extract_result x;
};

/* A worker's own read-only connection, opened on its first article. */
struct reader {
    sqlite3 *db;
    struct store *store;
    qw_status st;
    int opened;
};

struct work_ctx {
    const char *path;
    const struct ids *ids;
    struct reader *readers; /* one per worker, the writer's last */
};

static void slot_clear(void *slot)
{
    struct slot *s = slot;
    free(s->text);
    extract_result_free(&s->x);
    memset(s, 0, sizeof *s);
}

/* pipeline_work_fn: reads the stored text of article i and extracts it,
 * exactly as load and POST /articles extract the text they store. */
static void process(void *ctx, int worker, size_t i, void *slot)
{
    struct work_ctx *wc = ctx;
    struct reader *rd = &wc->readers[worker];
    struct slot *s = slot;
    memset(s, 0, sizeof *s);
    if (!rd->opened) {
        char err[QW_ERRLEN] = "";
        rd->opened = 1;
        rd->st = db_open(wc->path, DB_READ_ONLY, &rd->db, err);
        if (rd->st == QW_OK)
            rd->st = store_new(rd->db, &rd->store);
        else
            log_error("reextract: %s", err);
    }
    if ((s->st = rd->st) != QW_OK)
        return;
    s->st = store_article_text(rd->store, wc->ids->v[i], &s->text, &s->len, NULL);
    if (s->st != QW_OK)
        return;
    s->st = (qw_status)extract_run(s->text, s->len, &s->x);
}

/* ---- the writer ---- */

struct writer {
    sqlite3 *db;
    struct store *store;
    sqlite3_stmt *sp_begin, *sp_release, *sp_rollback, *count_people;
    int in_tx, in_batch;
    double batch_started;
    int64_t people_at_begin, removed_in_tx;
    struct log_progress progress;
    double started;
};

static void progress_draw(struct writer *w, const struct reextract_summary *sum, size_t done)
{
    if (!log_progress_due(&w->progress))
        return;
    double el = w->progress.last - w->started;
    fprintf(stderr, "\r\033[Kquotewire: %zu/%lld articles, %.0f articles/s", done,
            (long long)sum->selected, el > 0 ? (double)sum->reextracted / el : 0.0);
    fflush(stderr);
    w->progress.shown = 1;
}

static qw_status people_count(struct writer *w, int64_t *n)
{
    int rc = sqlite3_step(w->count_people);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(w->count_people, 0) : 0;
    sqlite3_reset(w->count_people);
    if (rc != SQLITE_ROW) {
        log_error("reextract: %s", sqlite3_errmsg(w->db));
        return db_status(rc) ? db_status(rc) : QW_ERR_DB;
    }
    return QW_OK;
}

/* People added in a transaction: those there at its end, less those at
 * its start, plus those it removed.  Counted inside the transaction, so
 * other writers (a running server) do not blur it. */
static qw_status tx_begin(struct writer *w)
{
    qw_status st = store_begin(w->store);
    if (st == QW_OK && (st = people_count(w, &w->people_at_begin)) != QW_OK)
        store_rollback(w->store);
    if (st != QW_OK)
        return st;
    w->in_tx = 1;
    w->in_batch = 0;
    w->removed_in_tx = 0;
    w->batch_started = log_now();
    return QW_OK;
}

static qw_status tx_commit(struct writer *w, struct reextract_summary *sum)
{
    int64_t people = 0;
    if (!w->in_tx)
        return QW_OK;
    qw_status st = people_count(w, &people);
    if (st == QW_OK)
        st = store_commit(w->store);
    if (st != QW_OK)
        return st;
    sum->people_added += people - w->people_at_begin + w->removed_in_tx;
    w->in_tx = 0;
    return QW_OK;
}

static void diff_add(struct store_diff *a, const struct store_diff *b)
{
    a->quotes_before += b->quotes_before;
    a->quotes_after += b->quotes_after;
    a->quotes_added += b->quotes_added;
    a->quotes_removed += b->quotes_removed;
    a->speakers_changed += b->speakers_changed;
    a->quotes_updated += b->quotes_updated;
    a->mentions_before += b->mentions_before;
    a->mentions_after += b->mentions_after;
    a->people_removed += b->people_removed;
    a->corrections_orphaned += b->corrections_orphaned;
}

/* Replaces the extraction of article id with the slot's.  Returns QW_OK,
 * or an error that stops the run. */
static qw_status write_one(struct writer *w, const struct reextract_options *opt, int64_t id,
                           struct slot *s, struct reextract_summary *sum)
{
    struct store_diff d;
    qw_status st;
    int version = 0;

    if (s->st == QW_ERR_NOT_FOUND) {
        sum->gone++;
        return QW_OK;
    }
    if (s->st != QW_OK)
        return s->st;
    if (!w->in_tx && (st = tx_begin(w)) != QW_OK)
        return st;
    /* Decided again inside the transaction: another run (or a delete)
     * may have got there since the ids were chosen. */
    st = store_article_text(w->store, id, NULL, NULL, &version);
    if (st == QW_ERR_NOT_FOUND) {
        sum->gone++;
        return QW_OK;
    }
    if (st != QW_OK)
        return st;
    if (!opt->all && version >= sum->version) {
        sum->current++;
        return QW_OK;
    }
    /* A savepoint per article: one the database refuses is undone alone. */
    if ((st = db_step_once(w->db, "reextract", w->sp_begin)) != QW_OK)
        return st;
    st = store_reextract(w->store, id, s->text, s->len, &s->x, &d);
    if (st != QW_OK) {
        qw_status st2 = db_step_once(w->db, "reextract", w->sp_rollback);
        if (st2 == QW_OK)
            st2 = db_step_once(w->db, "reextract", w->sp_release);
        if (st2 != QW_OK)
            return st2;
        if (st == QW_ERR_NOT_FOUND) { /* deleted, and its id taken by another text */
            sum->gone++;
            return QW_OK;
        }
        if (st != QW_ERR_INVALID)
            return st;
        log_progress_clear(&w->progress);
        log_warn("article %lld: the database refused its new extraction; left as it was",
                 (long long)id);
        sum->failed++;
        return QW_OK;
    }
    if ((st = db_step_once(w->db, "reextract", w->sp_release)) != QW_OK)
        return st;
    sum->reextracted++;
    sum->bytes += (int64_t)s->len;
    diff_add(&sum->diff, &d);
    w->removed_in_tx += d.people_removed;
    w->in_batch++;
    if (w->in_batch >= opt->batch_size || log_now() - w->batch_started >= BATCH_SECONDS)
        return tx_commit(w, sum);
    return QW_OK;
}

qw_status reextract_run(sqlite3 *db, const struct reextract_options *o,
                        struct reextract_summary *sum)
{
    struct reextract_options opt = {0, 0, 0, 0};
    struct ids ids = {NULL, 0, 0};
    struct work_ctx wc = {NULL, &ids, NULL};
    struct pipeline *pipe = NULL;
    struct writer w;
    int nreaders = 0;
    qw_status st = QW_OK;

    memset(sum, 0, sizeof *sum);
    memset(&w, 0, sizeof w);
    if (o)
        opt = *o;
    if (opt.batch_size <= 0)
        opt.batch_size = REEXTRACT_DEFAULT_BATCH;
    if (opt.threads <= 0)
        opt.threads = pipeline_cpu_count();
    if (opt.threads > PIPELINE_MAX_THREADS)
        opt.threads = PIPELINE_MAX_THREADS;
    w.db = db;
    w.progress.on = opt.progress;
    w.started = log_now();
    sum->version = extract_version();

    wc.path = sqlite3_db_filename(db, "main");
    if (!wc.path || !*wc.path) {
        log_error("reextract: the database must be a file");
        st = QW_ERR_INVALID;
        goto out;
    }
    if ((st = (qw_status)extract_init()) != QW_OK)
        goto out;
    if ((st = store_new(db, &w.store)) != QW_OK)
        goto out;
    if ((st = db_prepare(db, "reextract", "SAVEPOINT reextract_article", &w.sp_begin)) != QW_OK ||
        (st = db_prepare(db, "reextract", "RELEASE reextract_article", &w.sp_release)) != QW_OK ||
        (st = db_prepare(db, "reextract", "ROLLBACK TO reextract_article", &w.sp_rollback)) != QW_OK ||
        (st = db_prepare(db, "reextract", "SELECT count(*) FROM people", &w.count_people)) != QW_OK)
        goto out;
    if ((st = version_counts(db, sum->version, sum)) != QW_OK ||
        (st = select_ids(db, opt.all, sum->version, &ids)) != QW_OK)
        goto out;
    sum->selected = (int64_t)ids.n;
    if (!opt.all && sum->newer > 0) {
        log_warn("%lld article%s came from a newer extractor than this one (version %d); left "
                 "as they are (--all re-extracts them with this one)",
                 (long long)sum->newer, sum->newer == 1 ? "" : "s", sum->version);
    }

    nreaders = opt.threads + 1;
    if (!(wc.readers = calloc((size_t)nreaders, sizeof *wc.readers))) {
        st = QW_ERR_NOMEM;
        goto out;
    }
    if ((st = pipeline_new(ids.n, sizeof(struct slot), opt.threads, process, &wc, &pipe)) != QW_OK)
        goto out;
    for (size_t i = 0; i < ids.n; i++) {
        struct slot *s = pipeline_get(pipe, i);
        st = write_one(&w, &opt, ids.v[i], s, sum);
        slot_clear(s);
        pipeline_release(pipe, i);
        progress_draw(&w, sum, i + 1);
        if (st != QW_OK)
            break;
    }
    pipeline_free(pipe, slot_clear); /* articles claimed but never written */
    pipe = NULL;
    if (st == QW_OK)
        st = tx_commit(&w, sum);

out:
    pipeline_free(pipe, slot_clear);
    if (w.in_tx)
        store_rollback(w.store);
    log_progress_clear(&w.progress);
    for (int i = 0; wc.readers && i < nreaders; i++) {
        store_free(wc.readers[i].store);
        db_close(wc.readers[i].db);
    }
    free(wc.readers);
    free(ids.v);
    sqlite3_finalize(w.sp_begin);
    sqlite3_finalize(w.sp_release);
    sqlite3_finalize(w.sp_rollback);
    sqlite3_finalize(w.count_people);
    store_free(w.store);
    sum->seconds = log_now() - w.started;
    return st;
}

void reextract_print_summary(FILE *f, const struct reextract_summary *sum)
{
    const struct store_diff *d = &sum->diff;
    double rate = sum->seconds > 0 ? (double)sum->reextracted / sum->seconds : 0.0;
    fprintf(f,
            "articles        %lld re-extracted with extractor version %d (%lld stored, %lld "
            "were older)\n",
            (long long)sum->reextracted, sum->version, (long long)sum->stored,
            (long long)sum->older);
    if (sum->current || sum->gone)
        fprintf(f, "skipped         %lld already current, %lld deleted meanwhile\n",
                (long long)sum->current, (long long)sum->gone);
    if (sum->failed)
        fprintf(f, "failed          %lld (left as they were)\n", (long long)sum->failed);
    fprintf(f, "quotes          %lld before, %lld after\n", (long long)d->quotes_before,
            (long long)d->quotes_after);
    fprintf(f, "  added         %lld\n", (long long)d->quotes_added);
    fprintf(f, "  removed       %lld\n", (long long)d->quotes_removed);
    fprintf(f, "  new speaker   %lld\n", (long long)d->speakers_changed);
    fprintf(f, "  other change  %lld (kind, cue or confidence)\n", (long long)d->quotes_updated);
    fprintf(f, "mentions        %lld before, %lld after\n", (long long)d->mentions_before,
            (long long)d->mentions_after);
    fprintf(f, "people          %lld added, %lld no longer mentioned\n",
            (long long)sum->people_added, (long long)d->people_removed);
    fprintf(f, "corrections     %lld orphaned (their quote is no longer found: "
               "GET /corrections?orphaned=true)\n",
            (long long)d->corrections_orphaned);
    fprintf(f, "time            %.2f s (%.0f articles/s, %.1f MB)\n", sum->seconds, rate,
            (double)sum->bytes / 1e6);
}

qw_status reextract_article(struct store *st, int64_t id, struct store_diff *diff)
{
    char *text = NULL;
    size_t len = 0;
    struct extract_result x;
    memset(&x, 0, sizeof x);
    qw_status rc = store_article_text(st, id, &text, &len, NULL);
    if (rc == QW_OK && extract_run(text, len, &x) != QW_OK)
        rc = QW_ERR_NOMEM;
    if (rc == QW_OK)
        rc = store_reextract(st, id, text, len, &x, diff);
    extract_result_free(&x);
    free(text);
    return rc;
}
