/* The loader: paths -> files (sorted walk) -> read, parse and extract on
 * worker threads (an ordered pipeline, pipeline.h) -> one writer (the
 * calling thread) storing them in file order, many per transaction, so
 * ids, warnings and the database are the same whatever the thread count. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "extract.h"
#include "ingest.h"
#include "loader.h"
#include "log.h"
#include "pipeline.h"
#include "store.h"

/* Every commit rewrites the index pages it touched into the WAL: fewer,
 * larger commits write less (57k articles: 45 s at 256, 36 s at 2048; 33k
 * more articles into a 393k-article database: 25.2-26.6 s at 2048 and 1 s,
 * 20.3-21.3 s at 8192 and 3 s). */
#define LOADER_DEFAULT_BATCH 8192
/* A batch is also committed after this long, so a slow load still
 * commits often, a crash loses little work, and a write of the server
 * waits at most this long (under the 5 s busy timeout, DB_BUSY_TIMEOUT_MS). */
#define BATCH_SECONDS 3.0
#define WALK_MAX_DEPTH 128

/* ---- the file list ---- */

struct entry {
    char *path;
    size_t rel;               /* path + rel: the path below the root given */
    size_t section_len;       /* path + rel, section_len bytes: its section
                                 (the first folder below the root); 0: none */
    qw_status pre;            /* an error found while walking (QW_OK: none) */
    char err[QW_ERRLEN];
};

struct filelist {
    struct entry *v;
    size_t n, cap;
};

struct dirid {
    dev_t dev;
    ino_t ino;
};

static void filelist_free(struct filelist *fl)
{
    for (size_t i = 0; i < fl->n; i++)
        free(fl->v[i].path);
    free(fl->v);
    memset(fl, 0, sizeof *fl);
}

/* Appends path (taking ownership; freed on failure). */
static qw_status filelist_add(struct filelist *fl, char *path, qw_status pre, const char *err)
{
    if (fl->n == fl->cap) {
        size_t ncap = fl->cap ? fl->cap * 2 : 256;
        if (ncap > ((size_t)-1) / sizeof *fl->v) {
            free(path);
            return QW_ERR_NOMEM;
        }
        struct entry *nv = realloc(fl->v, ncap * sizeof *nv);
        if (!nv) {
            free(path);
            return QW_ERR_NOMEM;
        }
        fl->v = nv;
        fl->cap = ncap;
    }
    struct entry *e = &fl->v[fl->n++];
    e->path = path;
    e->rel = 0;
    e->section_len = 0;
    e->pre = pre;
    snprintf(e->err, sizeof e->err, "%s", err ? err : "");
    return QW_OK;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *p = malloc(dl + (size_t)slash + nl + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + (size_t)slash, name, nl + 1);
    return p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static qw_status walk(struct filelist *fl, char *path, struct dirid *anc, int depth);

/* Corpus folders often carry their own documentation (the BBC corpus has a
 * README.TXT beside its articles): such files inside a folder are not
 * articles.  Named on the command line, they are loaded like any file. */
static int is_doc_file(const char *name)
{
    static const char *const docs[] = {"README", "LICENSE", "LICENCE", "COPYING", "NOTICE",
                                       "CHANGELOG"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        size_t n = strlen(docs[i]);
        if (strncasecmp(name, docs[i], n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return 1;
    }
    return 0;
}

/* Adds the entries of folder path (sorted, hidden ones left out). */
static qw_status walk_dir(struct filelist *fl, const char *path, struct dirid *anc, int depth)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    qw_status st = QW_OK;
    DIR *d = opendir(path);

    if (!d) {
        char msg[QW_ERRLEN];
        snprintf(msg, sizeof msg, "cannot open folder: %s", strerror(errno));
        char *p = strdup(path);
        return p ? filelist_add(fl, p, QW_ERR_IO, msg) : QW_ERR_NOMEM;
    }
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de)
            break;
        if (de->d_name[0] == '.')
            continue; /* ".", "..", dot-files and dot-folders */
        if (is_doc_file(de->d_name)) {
            log_info("%s/%s: documentation file, not loaded", path, de->d_name);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                st = QW_ERR_NOMEM;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            st = QW_ERR_NOMEM;
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && st == QW_OK; i++) {
        char *full = join_path(path, names[i]);
        st = full ? walk(fl, full, anc, depth + 1) : QW_ERR_NOMEM;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return st;
}

/* Adds path (owned) as a file, or walks it as a folder.  anc holds the
 * folders above it, to recognise a symlink pointing back up. */
static qw_status walk(struct filelist *fl, char *path, struct dirid *anc, int depth)
{
    struct stat sb;
    char msg[QW_ERRLEN];

    if (stat(path, &sb) != 0) {
        snprintf(msg, sizeof msg, "%s", strerror(errno));
        return filelist_add(fl, path, QW_ERR_IO, msg);
    }
    if (S_ISREG(sb.st_mode))
        return filelist_add(fl, path, QW_OK, NULL);
    if (!S_ISDIR(sb.st_mode))
        return filelist_add(fl, path, QW_ERR_IO, "not a regular file");
    for (int i = 0; i < depth; i++) {
        if (anc[i].dev == sb.st_dev && anc[i].ino == sb.st_ino) {
            log_warn("%s: folder loop (symbolic link), not followed", path);
            free(path);
            return QW_OK;
        }
    }
    if (depth >= WALK_MAX_DEPTH) {
        log_warn("%s: folders nested too deep, not followed", path);
        free(path);
        return QW_OK;
    }
    anc[depth].dev = sb.st_dev;
    anc[depth].ino = sb.st_ino;
    qw_status st = walk_dir(fl, path, anc, depth + 1);
    free(path);
    return st;
}

/* Sets e's path below root (the path given to load) and its section.  The
 * root is where the user's collection starts, and what lies above it is
 * the server's business, not the API's: a file named on the command line
 * is stored by its file name. */
static void relate(struct entry *e, const char *root, int sections)
{
    size_t rl = strlen(root);
    if (strcmp(e->path, root) == 0) {
        const char *slash = strrchr(e->path, '/');
        e->rel = slash && slash[1] ? (size_t)(slash + 1 - e->path) : 0;
        return;
    }
    /* walk joined root and the names below it (join_path) */
    if (strncmp(e->path, root, rl) != 0)
        return;
    e->rel = rl + (rl > 0 && root[rl - 1] != '/' && e->path[rl] == '/');
    const char *below = e->path + e->rel;
    const char *slash = strchr(below, '/');
    if (sections && slash && ingest_valid_label(below, (size_t)(slash - below)))
        e->section_len = (size_t)(slash - below);
}

/* ---- work on one file (any thread) ---- */

struct slot {
    qw_status st;
    char err[QW_ERRLEN];
    struct article a;
    struct extract_result x;
};

struct work_ctx {
    const struct filelist *files;
    size_t max_bytes;
    const char *source;
    int year;
};

/* pipeline_work_fn: reads, parses and extracts file i. */
static void process(void *ctx, int worker, size_t i, void *slot)
{
    const struct work_ctx *wc = ctx;
    const struct entry *e = &wc->files->v[i];
    struct slot *s = slot;
    (void)worker;
    memset(&s->a, 0, sizeof s->a);
    memset(&s->x, 0, sizeof s->x);
    s->err[0] = '\0';
    if (e->pre != QW_OK) {
        s->st = e->pre;
        snprintf(s->err, sizeof s->err, "%s", e->err);
        return;
    }
    s->st = ingest_read_file(e->path, wc->max_bytes, &s->a, s->err);
    if (s->st != QW_OK)
        return;
    /* front matter wins; the load's source beats a guess from the text */
    if (wc->source && !s->a.source_given) {
        char *src = strdup(wc->source);
        if (!src)
            goto oom;
        free(s->a.source);
        s->a.source = src;
    }
    /* a dateline's month and day, in the year the load was told */
    if (!s->a.published && wc->year && s->a.dl_month &&
        ingest_valid_date(wc->year, s->a.dl_month, s->a.dl_day)) {
        char d[16];
        snprintf(d, sizeof d, "%04d-%02d-%02d", wc->year, s->a.dl_month, s->a.dl_day);
        if (!(s->a.published = strdup(d)))
            goto oom;
    }
    if (!s->a.section && e->section_len &&
        !(s->a.section = strndup(e->path + e->rel, e->section_len)))
        goto oom;
    s->st = (qw_status)extract_run(s->a.text, s->a.len, &s->x);
    if (s->st != QW_OK) {
        snprintf(s->err, sizeof s->err, "extraction failed: %s", qw_status_str(s->st));
        article_free(&s->a);
    }
    return;
oom:
    s->st = QW_ERR_NOMEM;
    article_free(&s->a);
}

/* ---- the writer ---- */

static const char *const skip_names[SKIP_NREASONS] = {"empty", "binary", "too large",
                                                      "unreadable", "invalid"};

const char *loader_skip_str(enum loader_skip r)
{
    return (unsigned)r < SKIP_NREASONS ? skip_names[r] : "?";
}

static int skip_reason(qw_status st, enum loader_skip *r)
{
    switch (st) {
    case QW_ERR_EMPTY:
        *r = SKIP_EMPTY;
        return 1;
    case QW_ERR_BINARY:
        *r = SKIP_BINARY;
        return 1;
    case QW_ERR_TOO_LARGE:
        *r = SKIP_TOO_LARGE;
        return 1;
    case QW_ERR_IO:
        *r = SKIP_UNREADABLE;
        return 1;
    case QW_ERR_INVALID:
        *r = SKIP_INVALID;
        return 1;
    default:
        return 0;
    }
}

struct writer {
    sqlite3 *db;
    struct store *store;
    sqlite3_stmt *sp_begin, *sp_release, *sp_rollback;
    int in_tx;
    int in_batch;
    double batch_started;
    struct log_progress progress;
    double started;
    size_t nfiles;
};

static void progress_draw(struct writer *w, const struct loader_summary *sum, size_t done)
{
    if (!log_progress_due(&w->progress))
        return;
    double el = w->progress.last - w->started;
    fprintf(stderr, "\r\033[Kquotewire: %zu/%zu files, %lld articles, %.0f articles/s", done,
            w->nfiles, (long long)sum->added, el > 0 ? (double)sum->added / el : 0.0);
    fflush(stderr);
    w->progress.shown = 1;
}

static qw_status tx_commit(struct writer *w)
{
    if (!w->in_tx)
        return QW_OK;
    qw_status st = store_commit(w->store);
    if (st != QW_OK)
        return st;
    w->in_tx = 0;
    w->in_batch = 0;
    return QW_OK;
}

/* why == NULL: the Windows-1252 warning. */
static void warn_file(struct writer *w, const char *path, const char *why)
{
    log_progress_clear(&w->progress);
    if (why)
        log_warn("skipped %s: %s", path, why);
    else
        log_warn("%s: not valid UTF-8, read as Windows-1252", path);
}

/* Stores one processed file.  Returns QW_OK, or an error that stops the
 * load (database failure, out of memory). */
static qw_status write_one(struct writer *w, const struct loader_options *opt,
                           const struct entry *e, struct slot *s, struct loader_summary *sum)
{
    enum loader_skip r;
    qw_status st;
    int64_t id = 0;
    int created = 0;
    const char *path = e->path;

    sum->files_seen++;
    if (s->st != QW_OK) {
        if (!skip_reason(s->st, &r))
            return s->st;
        warn_file(w, path, s->err[0] ? s->err : qw_status_str(s->st));
        sum->skipped++;
        sum->skipped_by[r]++;
        return QW_OK;
    }
    if (s->a.transcoded) {
        warn_file(w, path, NULL);
        sum->transcoded++;
    }
    sum->bytes += (int64_t)s->a.len;
    if (!w->in_tx) {
        if ((st = store_begin(w->store)) != QW_OK)
            return st;
        w->in_tx = 1;
        w->in_batch = 0;
        w->batch_started = log_now();
    }
    /* A savepoint per article: an article the store refuses is undone
     * alone, and the rest of the batch stays. */
    if ((st = db_step_once(w->db, "loader", w->sp_begin)) != QW_OK)
        return st;
    st = store_article(w->store, &s->a, e->path + e->rel, &s->x, &id, &created);
    if (st != QW_OK) {
        qw_status st2 = db_step_once(w->db, "loader", w->sp_rollback);
        if (st2 == QW_OK)
            st2 = db_step_once(w->db, "loader", w->sp_release);
        if (st != QW_ERR_INVALID || st2 != QW_OK)
            return st;
        warn_file(w, path, "the database refused it");
        sum->skipped++;
        sum->skipped_by[SKIP_INVALID]++;
        return QW_OK;
    }
    if ((st = db_step_once(w->db, "loader", w->sp_release)) != QW_OK)
        return st;
    if (created)
        sum->added++;
    else
        sum->duplicates++;
    w->in_batch++;
    if (w->in_batch >= opt->batch_size || log_now() - w->batch_started >= BATCH_SECONDS)
        return tx_commit(w);
    return QW_OK;
}

static void slot_clear(void *slot)
{
    struct slot *s = slot;
    article_free(&s->a);
    extract_result_free(&s->x);
}

qw_status loader_run(sqlite3 *db, char *const *paths, int npaths, const struct loader_options *o,
                     struct loader_summary *sum)
{
    struct loader_options opt = {0, 0, 0, NULL, 0, 0};
    struct filelist files = {NULL, 0, 0};
    struct dirid *anc = NULL;
    struct writer w;
    struct pipeline *pipe = NULL;
    struct work_ctx wc;
    int64_t a0 = 0, p0 = 0, q0 = 0, a1 = 0, p1 = 0, q1 = 0;
    qw_status st = QW_OK;

    memset(sum, 0, sizeof *sum);
    memset(&w, 0, sizeof w);
    if (o)
        opt = *o;
    if (opt.max_bytes == 0)
        opt.max_bytes = INGEST_DEFAULT_MAX_BYTES;
    if (opt.batch_size <= 0)
        opt.batch_size = LOADER_DEFAULT_BATCH;
    w.db = db;
    w.progress.on = opt.progress;
    w.started = log_now();

    if ((st = (qw_status)extract_init()) != QW_OK)
        goto out;
    if ((st = store_new(db, &w.store)) != QW_OK)
        goto out;
    if ((st = db_prepare(db, "loader", "SAVEPOINT loader_article", &w.sp_begin)) != QW_OK ||
        (st = db_prepare(db, "loader", "RELEASE loader_article", &w.sp_release)) != QW_OK ||
        (st = db_prepare(db, "loader", "ROLLBACK TO loader_article", &w.sp_rollback)) != QW_OK)
        goto out;
    if ((st = store_counts(w.store, &a0, &p0, &q0)) != QW_OK)
        goto out;

    if (!(anc = calloc(WALK_MAX_DEPTH + 1, sizeof *anc))) {
        st = QW_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < npaths && st == QW_OK; i++) {
        char *p = strdup(paths[i]);
        size_t first = files.n;
        st = p ? walk(&files, p, anc, 0) : QW_ERR_NOMEM;
        for (size_t k = first; k < files.n && st == QW_OK; k++)
            relate(&files.v[k], paths[i], !opt.no_sections);
    }
    if (st != QW_OK)
        goto out;
    w.nfiles = files.n;

    wc.files = &files;
    wc.max_bytes = opt.max_bytes;
    wc.source = opt.source;
    wc.year = opt.year;
    if ((st = pipeline_new(files.n, sizeof(struct slot), 0, process, &wc, &pipe)) != QW_OK)
        goto out;
    for (size_t i = 0; i < files.n; i++) {
        struct slot *s = pipeline_get(pipe, i);
        st = write_one(&w, &opt, &files.v[i], s, sum);
        slot_clear(s);
        pipeline_release(pipe, i);
        progress_draw(&w, sum, i + 1);
        if (st != QW_OK)
            break;
    }
    pipeline_free(pipe, slot_clear); /* files claimed but never written */
    pipe = NULL;

    if (st == QW_OK)
        st = tx_commit(&w);
    if (st == QW_OK && store_counts(w.store, &a1, &p1, &q1) == QW_OK) {
        sum->people = p1 - p0;
        sum->quotes = q1 - q0;
    }

out:
    if (w.in_tx)
        store_rollback(w.store);
    log_progress_clear(&w.progress);
    pipeline_free(pipe, slot_clear);
    free(anc);
    sqlite3_finalize(w.sp_begin);
    sqlite3_finalize(w.sp_release);
    sqlite3_finalize(w.sp_rollback);
    store_free(w.store);
    filelist_free(&files);
    sum->seconds = log_now() - w.started;
    return st;
}

void loader_print_summary(FILE *f, const struct loader_summary *sum)
{
    double rate = sum->seconds > 0 ? (double)sum->added / sum->seconds : 0.0;
    fprintf(f, "files seen      %lld\n", (long long)sum->files_seen);
    fprintf(f, "articles added  %lld\n", (long long)sum->added);
    fprintf(f, "duplicates      %lld\n", (long long)sum->duplicates);
    fprintf(f, "skipped         %lld", (long long)sum->skipped);
    const char *sep = " (";
    for (int r = 0; r < SKIP_NREASONS; r++) {
        if (sum->skipped_by[r]) {
            fprintf(f, "%s%s %lld", sep, skip_names[r], (long long)sum->skipped_by[r]);
            sep = ", ";
        }
    }
    fprintf(f, "%s\n", sum->skipped ? ")" : "");
    if (sum->transcoded)
        fprintf(f, "windows-1252    %lld\n", (long long)sum->transcoded);
    fprintf(f, "people          %lld new\n", (long long)sum->people);
    fprintf(f, "quotes          %lld new\n", (long long)sum->quotes);
    fprintf(f, "time            %.2f s (%.0f articles/s, %.1f MB)\n", sum->seconds, rate,
            (double)sum->bytes / 1e6);
}
