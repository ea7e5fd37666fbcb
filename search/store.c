/* store.c - the result store: one SQLite file per campaign (docs/search.md
 * "Result store").
 *
 * Opening is careful not to damage what is there: the file is locked for
 * this process first (flock, held until close: a store another pesim process
 * has open is refused, whatever it is doing), then an existing file is
 * opened read-only and inspected (an SQLite database, pesim's application id
 * and schema version or an empty database, and PRAGMA quick_check, so that a
 * store with a corrupt page anywhere is refused before anything is written);
 * only then is it opened for writing. The busy timeout is 0: a store another
 * connection holds fails fast. An existing file is never recreated or
 * truncated.
 *
 * Rows: evals(id = run << 40 | sample, ...) with the rowid as key, so that a
 * run's evaluations are one contiguous rowid range: appends are the B-tree's
 * cheapest insert, and a run's count, reads and best are range scans. The
 * view `evaluations` shows them with run, sample and readable columns.
 *
 * Durability: WAL journal, synchronous = NORMAL. pesim_store_add_batch is
 * one committed transaction. pesim_store_queue hands a batch to a writer
 * thread that commits queued batches in order, several per transaction when
 * it falls behind; pesim_store_flush waits for them. A process killed at any
 * moment (SIGKILL included) loses no committed evaluation, and batches are
 * all or nothing; queued batches not yet committed are lost (a resume
 * evaluates them again). An OS crash or power loss may also lose the commits
 * since the last WAL checkpoint (synchronous = FULL would fsync each commit).
 *
 * Threads: a handle is used from one thread; while batches are queued the
 * writer thread owns the connection, and every other call first flushes. */
#define _GNU_SOURCE /* strdup, flock */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pesim/search.h"

#define STORE_APP_ID 0x7065736d /* "pesm" in PRAGMA application_id */
#define STORE_SCHEMA_VERSION 2
#define SAMPLE_BITS 40
#define SAMPLE_MASK ((INT64_C(1) << SAMPLE_BITS) - 1)
#define QUEUE_MAX 4             /* batches queued at most (then the caller waits) */

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS runs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  algorithm TEXT NOT NULL,\n"
    "  label TEXT NOT NULL,\n"           /* the caller's name of the search (a layer, "experiment") */
    "  space TEXT NOT NULL,\n"
    "  seed INTEGER NOT NULL,\n"         /* uint64 stored as its int64 bit pattern */
    "  budget INTEGER NOT NULL,\n"
    "  objective TEXT NOT NULL,\n"
    "  fidelity TEXT NOT NULL,\n"
    "  batch INTEGER NOT NULL,\n"
    "  algo_options TEXT NOT NULL,\n"
    "  eval_options TEXT NOT NULL,\n"
    "  config TEXT NOT NULL,\n"
    "  started TEXT NOT NULL,\n"         /* UTC, ISO 8601 */
    "  finished TEXT,\n"                 /* NULL while running */
    "  status TEXT NOT NULL CHECK(status IN ('running', 'finished')));\n"
    "CREATE TABLE IF NOT EXISTS evals(\n"
    "  id INTEGER PRIMARY KEY,\n"        /* run << 40 | sample */
    "  choices TEXT NOT NULL,\n"         /* comma-separated choice indices */
    "  design_hash INTEGER NOT NULL,\n"  /* uint64 stored as its int64 bit pattern */
    "  cycles INTEGER NOT NULL,\n"
    "  energy_pj REAL NOT NULL,\n"
    "  area_um2 REAL NOT NULL,\n"
    "  objective REAL NOT NULL,\n"       /* lower is better; 1e300 when invalid */
    "  flags INTEGER NOT NULL,\n"        /* valid | cached << 1 | fidelity << 2 */
    "  violation INTEGER NOT NULL,\n"    /* kind | (level+1) << 8 | (tensor+1) << 16 | (dim+1) << 24 | (layer+1) << 32 */
    "  amount REAL NOT NULL,\n"
    "  vlimit REAL NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  wall_s REAL NOT NULL);\n"
    "CREATE VIEW IF NOT EXISTS evaluations AS\n"
    "  SELECT id >> 40 AS run, id & 1099511627775 AS sample, choices, design_hash, cycles, energy_pj,\n"
    "         area_um2, objective, flags & 1 AS valid, reason,\n"
    "         CASE (flags >> 2) & 3 WHEN 0 THEN 'analytical' ELSE 'cycle' END AS fidelity, wall_s,\n"
    "         (flags >> 1) & 1 AS cached,\n"
    "         CASE violation & 255 WHEN 0 THEN NULL WHEN 1 THEN 'capacity' WHEN 2 THEN 'fanout'\n"
    "           WHEN 3 THEN 'spatial_dim' WHEN 4 THEN 'coverage' WHEN 5 THEN 'unsupported'\n"
    "           WHEN 6 THEN 'structure' WHEN 7 THEN 'area' WHEN 8 THEN 'power' WHEN 9 THEN 'mapper'\n"
    "           WHEN 10 THEN 'placement' ELSE 'other' END AS violation,\n"
    "         ((violation >> 32) & 16777215) - 1 AS violation_layer, ((violation >> 8) & 255) - 1 AS violation_level,\n"
    "         ((violation >> 16) & 255) - 1 AS violation_tensor, ((violation >> 24) & 255) - 1 AS violation_dim,\n"
    "         amount AS violation_amount, vlimit AS violation_limit\n"
    "  FROM evals;\n"
    "CREATE VIEW IF NOT EXISTS best_so_far AS\n"
    "  SELECT id >> 40 AS run, id & 1099511627775 AS sample, objective, flags & 1 AS valid,\n"
    "         MIN(CASE WHEN flags & 1 THEN objective END)\n"
    "           OVER (PARTITION BY id >> 40 ORDER BY id ROWS UNBOUNDED PRECEDING) AS best\n"
    "  FROM evals;\n";

/* Added to stores of this schema version on every open (additive: a store
 * written before it gains the table): what an algorithm records with a run
 * (pesim_store_set_meta; marl's clustering, the policy a run started from). */
static const char *const run_meta_sql =
    "CREATE TABLE IF NOT EXISTS run_meta(\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  key TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  PRIMARY KEY(run, key)) WITHOUT ROWID;\n";

/* The whole-network run of an evaluated design (pesim_store_add_network),
 * keyed by (run, sample): a summary, per-layer costs with one stall column
 * per cause (stall_<pesim_stall_name>), each level's occupancy per step, and
 * the DRAM traffic binned over time. Created on every open (IF NOT EXISTS),
 * so a store of this schema version written before them gains them. */
static void net_schema(char *buf, size_t n)
{
    size_t w = (size_t)snprintf(buf, n, "%s",
        "CREATE TABLE IF NOT EXISTS net_runs(\n"
        "  run INTEGER NOT NULL REFERENCES runs(id), sample INTEGER NOT NULL,\n"
        "  placement TEXT NOT NULL, fidelity TEXT NOT NULL, valid INTEGER NOT NULL, reason TEXT NOT NULL,\n"
        "  cycles INTEGER NOT NULL, energy_pj REAL NOT NULL,\n"
        "  dram_peak_words_per_cycle REAL NOT NULL,\n"   /* 0: the outermost level is not DRAM */
        "  PRIMARY KEY(run, sample));\n"
        "CREATE TABLE IF NOT EXISTS net_layers(\n"
        "  run INTEGER NOT NULL, sample INTEGER NOT NULL, layer INTEGER NOT NULL, name TEXT NOT NULL,\n"
        "  mapped INTEGER NOT NULL, start_cycle INTEGER NOT NULL, end_cycle INTEGER NOT NULL,\n"
        "  cycles INTEGER NOT NULL, compute_cycles INTEGER NOT NULL");
    for (int k = 0; k < PESIM_STALL_COUNT && w < n; k++)
        w += (size_t)snprintf(buf + w, n - w, ", stall_%s INTEGER NOT NULL", pesim_stall_name((pesim_stall)k));
    if (w < n)
        snprintf(buf + w, n - w, "%s",
            ",\n  macs INTEGER NOT NULL, energy_pj REAL NOT NULL,\n"
            "  dram_read_words INTEGER NOT NULL, dram_write_words INTEGER NOT NULL,\n"
            "  PRIMARY KEY(run, sample, layer));\n"
            "CREATE TABLE IF NOT EXISTS net_occupancy(\n"
            "  run INTEGER NOT NULL, sample INTEGER NOT NULL, level INTEGER NOT NULL, level_name TEXT NOT NULL,\n"
            "  step INTEGER NOT NULL, live_words INTEGER NOT NULL, staging_words INTEGER NOT NULL,\n"
            "  capacity_words INTEGER NOT NULL, top_address INTEGER NOT NULL,\n"  /* per instance; capacity 0: unbounded */
            "  PRIMARY KEY(run, sample, level, step));\n"
            "CREATE TABLE IF NOT EXISTS net_dram(\n"
            "  run INTEGER NOT NULL, sample INTEGER NOT NULL, bin INTEGER NOT NULL,\n"
            "  start_cycle INTEGER NOT NULL, end_cycle INTEGER NOT NULL,\n"
            "  read_words REAL NOT NULL, write_words REAL NOT NULL,\n"
            "  PRIMARY KEY(run, sample, bin));\n");
}

/* A batch handed to the writer thread (owned copies). */
typedef struct job {
    int64_t run, first;
    int32_t n, np, cap_n, cap_np;
    int32_t *choices;
    pesim_result *r;
    struct job *next;
} job;

struct pesim_store {
    sqlite3 *db;
    int lock_fd;                /* flock'ed for the handle's life */
    char path[PESIM_PATH_MAX];
    sqlite3_stmt *ins;          /* the evaluation insert */
    char *text;                 /* choices text buffer */
    size_t text_cap;
    /* the writer thread */
    pthread_t th;
    int started, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* queue changed */
    job *head, *tail, *free_jobs;
    int32_t queued;             /* jobs in the queue or being written */
    int failed;
    pesim_error err;            /* the writer's first failure */
};

/* ------------------------------------------------------------- errors */

/* Turns an SQLite failure into a pesim error naming the file. */
static pesim_status sql_error(const char *path, sqlite3 *db, int rc, const char *what, pesim_error *e)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL,
                               "%s: the store is locked by another connection or process (busy timeout 0): %s",
                               what, msg);
    case SQLITE_READONLY:
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "%s: the store is read-only: %s", what, msg);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return pesim_error_set(e, PESIM_ERR_PARSE, path, 0, NULL,
                               "%s: not a pesim store (not an SQLite database, or corrupt): %s", what, msg);
    case SQLITE_NOMEM: return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "%s: out of memory", what);
    case SQLITE_CONSTRAINT:
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "%s: %s", what, msg);
    default: return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "%s: %s", what, msg);
    }
}

static int exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

/* -------------------------------------------------------------- open */

/* One integer from a query, or an SQLite error code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(q, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            *out = 0;
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/* Read-only look at an existing file: 1 = a pesim store, 0 = an empty
 * database (to initialise), else an error. Writes nothing. */
static pesim_status inspect(const char *path, int *is_store, pesim_error *e)
{
    sqlite3 *db = NULL;
    /* Without a WAL file (no writer died mid-way) the file is all there is:
     * it is opened immutable, so that SQLite creates no -wal or -shm file
     * next to a file that may not be ours. With one, SQLite must read it. */
    char wal[PESIM_PATH_MAX + 8], uri[3 * PESIM_PATH_MAX + 32];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat sb;
    int rc;
    if (stat(wal, &sb) != 0) {
        size_t k = (size_t)snprintf(uri, sizeof uri, "file:");
        for (const char *p = path; *p && k + 4 < sizeof uri; p++) {
            if (*p == '%' || *p == '?' || *p == '#')
                k += (size_t)snprintf(uri + k, sizeof uri - k, "%%%02X", (unsigned char)*p);
            else
                uri[k++] = *p;
        }
        snprintf(uri + k, sizeof uri - k, "?immutable=1");
        rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    } else {
        rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    }
    pesim_status st = PESIM_OK;
    int64_t tables = 0, app = 0, ver = 0, have = 0;
    if (rc != SQLITE_OK) {
        st = sql_error(path, db, rc, "cannot open", e);
        goto done;
    }
    sqlite3_busy_timeout(db, 0);
    if ((rc = query_int(db, "SELECT count(*) FROM sqlite_master", &tables)) != SQLITE_OK) {
        st = sql_error(path, db, rc, "cannot read", e);
        goto done;
    }
    if ((rc = query_int(db, "PRAGMA application_id", &app)) != SQLITE_OK ||
        (rc = query_int(db, "PRAGMA user_version", &ver)) != SQLITE_OK ||
        (rc = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'evals')",
                        &have)) != SQLITE_OK) {
        st = sql_error(path, db, rc, "cannot read", e);
        goto done;
    }
    if (tables == 0 && app == 0) {
        *is_store = 0; /* an empty database: ours to initialise */
    } else if (app != STORE_APP_ID) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                             "an SQLite database but not a pesim store (application_id %" PRId64
                             "); pesim will not touch it",
                             app);
    } else if (ver != STORE_SCHEMA_VERSION) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                             "store schema version %" PRId64 ", this pesim reads version %d (a store of another "
                             "version of pesim: give another --db)",
                             ver, STORE_SCHEMA_VERSION);
    } else if (have != 2) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                             "a pesim store without its tables runs and evals; pesim will not touch it");
    } else {
        /* every page readable and consistent, before anything is written */
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_step(q);
        const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (rc != SQLITE_ROW)
            st = sql_error(path, db, rc, "cannot check", e);
        else if (!res || strcmp(res, "ok") != 0)
            st = pesim_error_set(e, PESIM_ERR_PARSE, path, 0, NULL,
                                 "the store is corrupt (%s); pesim will not write to it", res ? res : "?");
        sqlite3_finalize(q);
        *is_store = 1;
    }
done:
    sqlite3_close(db);
    return st;
}

/* The directory part of path ("." when none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static void *writer_main(void *arg);

pesim_status pesim_store_open(const char *path, pesim_store **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_store_open: NULL output");
    *out = NULL;
    if (!path || !path[0]) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "store: empty path");
    if (strlen(path) >= PESIM_PATH_MAX)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "store path longer than %d bytes",
                               PESIM_PATH_MAX - 1);
    struct stat sb;
    int exists = stat(path, &sb) == 0, is_store = 0;
    pesim_status st;
    char dir[PESIM_PATH_MAX];
    dir_of(path, dir, sizeof dir);
    if (exists) {
        if (!S_ISREG(sb.st_mode))
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "not a regular file");
        if (access(path, R_OK) != 0)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot read: %s", strerror(errno));
        /* checked before anything is written: the file and its directory
         * (where the WAL and shared-memory files go) must be writable */
        if (access(path, W_OK) != 0)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "the store is read-only: %s", strerror(errno));
        if (access(dir, W_OK) != 0)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL,
                                   "its directory %s is read-only (SQLite's WAL files go there): %s", dir,
                                   strerror(errno));
    } else {
        if (errno != ENOENT)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot access: %s", strerror(errno));
        if (access(dir, W_OK) != 0)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot create the store in %s: %s", dir,
                                   strerror(errno));
    }

    pesim_store *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    s->lock_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    snprintf(s->path, sizeof s->path, "%s", path);
    /* One pesim process per store: the lock is taken before the file is
     * read, and held until pesim_store_close. */
    s->lock_fd = open(path, exists ? O_RDONLY | O_CLOEXEC : O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (s->lock_fd < 0) {
        st = pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot %s: %s", exists ? "open" : "create",
                             strerror(errno));
        goto fail;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        st = errno == EWOULDBLOCK
                 ? pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL,
                                   "the store is in use by another pesim process; wait for it to end, or give "
                                   "another --db")
                 : pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot lock: %s", strerror(errno));
        goto fail;
    }
    if (exists && (st = inspect(path, &is_store, e))) goto fail;

    /* no connection mutex: one thread uses the connection at a time (the
     * caller's, or the writer's between a queue and a flush) */
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        st = sql_error(path, s->db, rc, exists ? "cannot open for writing" : "cannot create", e);
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 0);
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        st = pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "the store is read-only (opened read-only by SQLite)");
        goto fail;
    }
    /* WAL: readers do not block the writer; a crash loses no commit */
    {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_step(q);
        const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        int wal = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW) {
            st = sql_error(path, s->db, rc, "cannot set the WAL journal", e);
            goto fail;
        }
        if (!wal) {
            st = pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL,
                                 "SQLite refused the WAL journal mode (journal mode '%s')", mode ? mode : "?");
            goto fail;
        }
    }
    if ((rc = exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")) != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot configure", e);
        goto fail;
    }
    /* take the write lock once now: a store held elsewhere fails here */
    if ((rc = exec(s->db, "BEGIN IMMEDIATE")) != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot lock for writing", e);
        goto fail;
    }
    if (!is_store) {
        char pragmas[96];
        snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d", STORE_APP_ID,
                 STORE_SCHEMA_VERSION);
        if ((rc = exec(s->db, schema_sql)) != SQLITE_OK || (rc = exec(s->db, pragmas)) != SQLITE_OK) {
            st = sql_error(path, s->db, rc, "cannot create the schema", e);
            exec(s->db, "ROLLBACK");
            goto fail;
        }
    }
    if ((rc = exec(s->db, run_meta_sql)) != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot create the table run_meta", e);
        exec(s->db, "ROLLBACK");
        goto fail;
    }
    /* the whole-network tables: added to any store of this version */
    {
        char net_sql[4096];
        net_schema(net_sql, sizeof net_sql);
        if ((rc = exec(s->db, net_sql)) != SQLITE_OK) {
            st = sql_error(path, s->db, rc, "cannot create the network tables", e);
            exec(s->db, "ROLLBACK");
            goto fail;
        }
    }
    if ((rc = exec(s->db, "COMMIT")) != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot commit", e);
        exec(s->db, "ROLLBACK");
        goto fail;
    }
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT INTO evals(id, choices, design_hash, cycles, energy_pj, area_um2, objective, flags, "
                            "violation, amount, vlimit, reason, wall_s) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                            -1, &s->ins, NULL);
    if (rc != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot prepare", e);
        goto fail;
    }
    *out = s;
    return PESIM_OK;
fail:
    if (!exists && s->lock_fd >= 0 && !s->db) unlink(path); /* created by us, nothing in it */
    pesim_store_close(s);
    return st;
}

void pesim_store_close(pesim_store *s)
{
    if (!s) return;
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->stop = 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->th, NULL);
    }
    for (job *j = s->head; j;) {
        job *n = j->next;
        free(j->choices), free(j->r), free(j);
        j = n;
    }
    for (job *j = s->free_jobs; j;) {
        job *n = j->next;
        free(j->choices), free(j->r), free(j);
        j = n;
    }
    sqlite3_finalize(s->ins);
    sqlite3_close(s->db);
    if (s->lock_fd >= 0) close(s->lock_fd); /* releases the flock */
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->text);
    free(s);
}

const char *pesim_store_path(const pesim_store *s) { return s ? s->path : ""; }

/* --------------------------------------------------------------- runs */

static void col_text(sqlite3_stmt *q, int col, char *buf, size_t n)
{
    const char *t = (const char *)sqlite3_column_text(q, col);
    snprintf(buf, n, "%s", t ? t : "");
}

/* Samples stored for run id: max(sample) + 1 (batches are atomic and in
 * order, so they are 0..n-1; pesim_store_read finds a gap if there is one). */
static int run_samples(pesim_store *s, int64_t run, int64_t *n)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id) + 1 - %" PRId64 ", 0) FROM evals WHERE id BETWEEN %" PRId64
             " AND %" PRId64, run << SAMPLE_BITS, run << SAMPLE_BITS, (run << SAMPLE_BITS) | SAMPLE_MASK);
    return query_int(s->db, sql, n);
}

/* The latest run with this label and space (and seed, when seed is not NULL). */
static pesim_status find_run(pesim_store *s, const char *label, const char *space, const uint64_t *seed,
                             pesim_run_info *out, int *found, pesim_error *e)
{
    if (!s || !label || !space || !out || !found)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "find_run: NULL argument");
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    *found = 0;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, algorithm, seed, budget, objective, fidelity, batch, algo_options, "
                                "eval_options, status FROM runs WHERE label = ?1 AND space = ?2 "
                                "AND (?3 IS NULL OR seed = ?3) ORDER BY id DESC LIMIT 1",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, label, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, space, -1, SQLITE_STATIC);
        if (seed)
            sqlite3_bind_int64(q, 3, (sqlite3_int64)*seed);
        else
            sqlite3_bind_null(q, 3);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            *found = 1;
            out->id = sqlite3_column_int64(q, 0);
            col_text(q, 1, out->algo, sizeof out->algo);
            out->seed = (uint64_t)sqlite3_column_int64(q, 2);
            out->budget = sqlite3_column_int64(q, 3);
            col_text(q, 4, out->objective, sizeof out->objective);
            col_text(q, 5, out->fidelity, sizeof out->fidelity);
            out->batch = sqlite3_column_int(q, 6);
            col_text(q, 7, out->algo_options, sizeof out->algo_options);
            col_text(q, 8, out->eval_options, sizeof out->eval_options);
            const char *status = (const char *)sqlite3_column_text(q, 9);
            out->finished = status && strcmp(status, "finished") == 0;
            snprintf(out->label, sizeof out->label, "%s", label);
            snprintf(out->space, sizeof out->space, "%s", space);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK && *found) rc = run_samples(s, out->id, &out->samples);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot look for the run", e);
    return PESIM_OK;
}

pesim_status pesim_store_find_run(pesim_store *s, const char *label, const char *space, pesim_run_info *out,
                                  int *found, pesim_error *e)
{
    return find_run(s, label, space, NULL, out, found, e);
}

pesim_status pesim_store_find_run_seed(pesim_store *s, const char *label, const char *space, uint64_t seed,
                                       pesim_run_info *out, int *found, pesim_error *e)
{
    return find_run(s, label, space, &seed, out, found, e);
}

pesim_status pesim_store_new_run(pesim_store *s, const pesim_run_info *info, const char *config, int64_t *run_id,
                                 pesim_error *e)
{
    if (!s || !info || !run_id)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "new_run: NULL argument");
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO runs(algorithm, label, space, seed, budget, objective, fidelity, batch, "
                                "algo_options, eval_options, config, started, status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
                                "?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'running')",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, info->algo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, info->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, info->space, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)info->seed);
        sqlite3_bind_int64(q, 5, info->budget);
        sqlite3_bind_text(q, 6, info->objective, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, info->fidelity, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 8, info->batch);
        sqlite3_bind_text(q, 9, info->algo_options, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 10, info->eval_options, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 11, config ? config : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot start a run", e);
    *run_id = sqlite3_last_insert_rowid(s->db);
    if (*run_id >= (INT64_C(1) << (63 - SAMPLE_BITS)))
        return pesim_error_set(e, PESIM_ERR_RANGE, s->path, 0, NULL, "too many runs in one store");
    return PESIM_OK;
}

/* Runs one UPDATE of run id; PESIM_ERR_INVALID when there is no such run. */
static pesim_status update_run(pesim_store *s, int64_t run_id, const char *sql, const char *what, pesim_error *e)
{
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    int rc = exec(s->db, sql);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, what, e);
    if (sqlite3_changes(s->db) != 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL, "no run %" PRId64, run_id);
    return PESIM_OK;
}

pesim_status pesim_store_reopen_run(pesim_store *s, int64_t run_id, int64_t budget, pesim_error *e)
{
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "reopen_run: NULL store");
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE runs SET status = 'running', finished = NULL, budget = %" PRId64 " WHERE id = %" PRId64, budget,
             run_id);
    return update_run(s, run_id, sql, "cannot reopen the run", e);
}

pesim_status pesim_store_finish_run(pesim_store *s, int64_t run_id, pesim_error *e)
{
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "finish_run: NULL store");
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE runs SET status = 'finished', finished = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') "
             "WHERE id = %" PRId64,
             run_id);
    return update_run(s, run_id, sql, "cannot finish the run", e);
}

/* ----------------------------------------------------------- run_meta */

pesim_status pesim_store_set_meta(pesim_store *s, int64_t run_id, const char *key, const char *value, pesim_error *e)
{
    if (!s || !key || !value)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "set_meta: NULL argument");
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO run_meta(run, key, value) VALUES(?1, ?2, ?3)", -1, &q,
                                NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id);
        sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL, "no run %" PRId64, run_id);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot record the run's metadata", e);
    return PESIM_OK;
}

pesim_status pesim_store_get_meta(pesim_store *s, int64_t run_id, const char *key, char **value, pesim_error *e)
{
    if (!s || !key || !value)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "get_meta: NULL argument");
    *value = NULL;
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM run_meta WHERE run = ?1 AND key = ?2", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id);
        sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(q, 0);
            *value = strdup(t ? t : "");
            rc = *value ? SQLITE_OK : SQLITE_NOMEM;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_NOMEM) return pesim_error_set(e, PESIM_ERR_NOMEM, s->path, 0, NULL, "out of memory");
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot read the run's metadata", e);
    return PESIM_OK;
}

/* -------------------------------------------------------- evaluations */

/* choices as "3,0,12": into s->text. */
static int choices_text(char **buf, size_t *cap, const int32_t *choices, int32_t n)
{
    size_t need = (size_t)(n > 0 ? n : 1) * 12 + 1;
    if (need > *cap) {
        char *t = realloc(*buf, need);
        if (!t) return 0;
        *buf = t, *cap = need;
    }
    char *p = *buf;
    for (int32_t i = 0; i < n; i++) { /* by hand: sprintf per number costs more than the insert */
        if (i) *p++ = ',';
        int64_t v = choices[i];
        if (v < 0) *p++ = '-', v = -v;
        char digits[20];
        int k = 0;
        do digits[k++] = (char)('0' + v % 10), v /= 10;
        while (v);
        while (k) *p++ = digits[--k];
    }
    *p = '\0';
    return 1;
}

static int64_t pack_violation(const pesim_violation *v)
{
    int64_t x = (int64_t)(v->kind & 255);
    x |= (int64_t)((v->level + 1) & 255) << 8;
    x |= (int64_t)((v->tensor + 1) & 255) << 16;
    x |= (int64_t)((v->dim + 1) & 255) << 24;
    x |= (int64_t)((v->layer + 1) & 16777215) << 32;
    return x;
}

static void unpack_violation(int64_t x, double amount, double limit, pesim_violation *v)
{
    v->kind = (pesim_violation_kind)(x & 255);
    v->level = (int32_t)((x >> 8) & 255) - 1;
    v->tensor = (int32_t)((x >> 16) & 255) - 1;
    v->dim = (int32_t)((x >> 24) & 255) - 1;
    v->layer = (int32_t)((x >> 32) & 16777215) - 1;
    v->amount = amount, v->limit = limit;
}

static int insert_one(pesim_store *s, int64_t run_id, int64_t sample, const int32_t *choices, int32_t n,
                      const pesim_result *r)
{
    if (!choices_text(&s->text, &s->text_cap, choices, n)) return SQLITE_NOMEM;
    sqlite3_stmt *q = s->ins;
    sqlite3_bind_int64(q, 1, run_id << SAMPLE_BITS | sample);
    sqlite3_bind_text(q, 2, s->text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)r->design_hash);
    sqlite3_bind_int64(q, 4, r->cycles);
    sqlite3_bind_double(q, 5, r->energy_pj);
    sqlite3_bind_double(q, 6, r->area_um2);
    sqlite3_bind_double(q, 7, r->objective);
    sqlite3_bind_int(q, 8, (r->valid ? 1 : 0) | (r->cached ? 2 : 0) | ((int)r->fidelity & 3) << 2);
    sqlite3_bind_int64(q, 9, r->valid ? 0 : pack_violation(&r->violation));
    sqlite3_bind_double(q, 10, r->valid ? 0 : r->violation.amount);
    sqlite3_bind_double(q, 11, r->valid ? 0 : r->violation.limit);
    sqlite3_bind_text(q, 12, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 13, r->wall_s);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int bad_sample_range(int64_t run_id, int64_t first, int32_t n)
{
    return run_id < 1 || first < 0 || first + n - 1 > SAMPLE_MASK;
}

/* Inserts rows in the current transaction; returns an SQLite code. */
static int insert_rows(pesim_store *s, int64_t run_id, int64_t first, int32_t n, const int32_t *choices,
                       int32_t np, const pesim_result *r)
{
    int rc = SQLITE_OK;
    for (int32_t i = 0; i < n && rc == SQLITE_OK; i++)
        rc = insert_one(s, run_id, first + i, choices ? choices + (size_t)i * (size_t)np : NULL, np, &r[i]);
    return rc;
}

static pesim_status insert_error(pesim_store *s, int rc, int64_t run_id, int64_t first, int32_t n, pesim_error *e)
{
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                               "cannot record samples %" PRId64 "..%" PRId64 " of run %" PRId64
                               ": a sample is already recorded (%s)",
                               first, first + n - 1, run_id, sqlite3_errmsg(s->db));
    return sql_error(s->path, s->db, rc, "cannot record evaluations", e);
}

pesim_status pesim_store_add_batch(pesim_store *s, int64_t run_id, int64_t first_sample, int32_t n,
                                   const int32_t *choices, int32_t n_params, const pesim_result *r, pesim_error *e)
{
    if (!s || n < 0 || n_params < 0 || (n > 0 && (!r || (n_params > 0 && !choices))) ||
        bad_sample_range(run_id, first_sample, n))
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "store add: bad argument");
    pesim_status st = pesim_store_flush(s, e);
    if (st || n == 0) return st;
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot record evaluations", e);
    rc = insert_rows(s, run_id, first_sample, n, choices, n_params, r);
    if (rc == SQLITE_OK) rc = exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        st = insert_error(s, rc, run_id, first_sample, n, e);
        if (!sqlite3_get_autocommit(s->db)) exec(s->db, "ROLLBACK");
        return st;
    }
    return PESIM_OK;
}

pesim_status pesim_store_add(pesim_store *st, int64_t run_id, int64_t sample, const int32_t *choices,
                             int32_t n_params, const pesim_result *r, pesim_error *e)
{
    return pesim_store_add_batch(st, run_id, sample, 1, choices, n_params, r, e);
}

/* ------------------------------------------------------ the writer thread */

/* Writes every job in the queue (several per transaction), oldest first. */
static void *writer_main(void *arg)
{
    pesim_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stop) pthread_cond_wait(&s->cv, &s->mu);
        if (!s->head) break; /* stop, nothing left */
        job *batch = s->head;
        int32_t count = 0;
        for (job *j = batch; j; j = j->next) count++;
        job *last = s->tail;
        pthread_mutex_unlock(&s->mu);

        int rc = s->failed ? SQLITE_ABORT : exec(s->db, "BEGIN IMMEDIATE");
        job *j = batch;
        for (int32_t k = 0; k < count && rc == SQLITE_OK; k++, j = j->next)
            rc = insert_rows(s, j->run, j->first, j->n, j->choices, j->np, j->r);
        if (rc == SQLITE_OK) rc = exec(s->db, "COMMIT");
        pthread_mutex_lock(&s->mu);
        if (rc != SQLITE_OK && !s->failed) {
            s->failed = 1;
            insert_error(s, rc, batch->run, batch->first, last->first + last->n - batch->first, &s->err);
            if (!sqlite3_get_autocommit(s->db)) exec(s->db, "ROLLBACK");
        }
        /* the written jobs go back to the free list */
        for (int32_t k = 0; k < count; k++) {
            job *w = s->head;
            s->head = w->next;
            w->next = s->free_jobs;
            s->free_jobs = w;
            s->queued--;
        }
        if (!s->head) s->tail = NULL;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

pesim_status pesim_store_queue(pesim_store *s, int64_t run_id, int64_t first_sample, int32_t n,
                               const int32_t *choices, int32_t n_params, const pesim_result *r, pesim_error *e)
{
    if (!s || n < 0 || n_params < 0 || (n > 0 && (!r || (n_params > 0 && !choices))) ||
        bad_sample_range(run_id, first_sample, n))
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "store queue: bad argument");
    if (n == 0) return PESIM_OK;
    pthread_mutex_lock(&s->mu);
    if (!s->started) {
        if (pthread_create(&s->th, NULL, writer_main, s) != 0) {
            pthread_mutex_unlock(&s->mu);
            return pesim_store_add_batch(s, run_id, first_sample, n, choices, n_params, r, e);
        }
        s->started = 1;
    }
    while (s->queued >= QUEUE_MAX && !s->failed) pthread_cond_wait(&s->cv, &s->mu);
    if (s->failed) {
        if (e) *e = s->err;
        pthread_mutex_unlock(&s->mu);
        return s->err.code ? s->err.code : PESIM_ERR_IO;
    }
    job *j = s->free_jobs;
    if (j) s->free_jobs = j->next;
    pthread_mutex_unlock(&s->mu);
    if (!j && !(j = calloc(1, sizeof *j))) return pesim_error_set(e, PESIM_ERR_NOMEM, s->path, 0, NULL, "out of memory");
    if (n > j->cap_n || (int64_t)n * n_params > (int64_t)j->cap_n * j->cap_np) {
        int32_t *c = realloc(j->choices, (size_t)n * (size_t)(n_params > 0 ? n_params : 1) * sizeof *c);
        if (c) j->choices = c;
        pesim_result *rr = c ? realloc(j->r, (size_t)n * sizeof *rr) : NULL;
        if (!c || !rr) {
            free(j->choices), free(j->r), free(j);
            return pesim_error_set(e, PESIM_ERR_NOMEM, s->path, 0, NULL, "out of memory");
        }
        j->r = rr;
        j->cap_n = n, j->cap_np = n_params > 0 ? n_params : 1;
    }
    j->run = run_id, j->first = first_sample, j->n = n, j->np = n_params;
    if (n_params > 0) memcpy(j->choices, choices, (size_t)n * (size_t)n_params * sizeof *choices);
    memcpy(j->r, r, (size_t)n * sizeof *r);
    j->next = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    s->queued++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return PESIM_OK;
}

pesim_status pesim_store_flush(pesim_store *s, pesim_error *e)
{
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "flush: NULL store");
    if (!s->started) return PESIM_OK;
    pthread_mutex_lock(&s->mu);
    while (s->queued > 0) pthread_cond_wait(&s->cv, &s->mu);
    pesim_status st = PESIM_OK;
    if (s->failed) {
        if (e) *e = s->err;
        st = s->err.code ? s->err.code : PESIM_ERR_IO;
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* --------------------------------------------------------------- reads */

/* Parses "3,0,12" into out[0..n); 1 if exactly n integers. */
static int parse_choices(const char *t, int32_t *out, int32_t n)
{
    int32_t k = 0;
    if (!t || !*t) return n == 0;
    for (;;) {
        char *end;
        long v = strtol(t, &end, 10);
        if (end == t || k >= n) return 0;
        out[k++] = (int32_t)v;
        if (*end == '\0') break;
        if (*end != ',') return 0;
        t = end + 1;
    }
    return k == n;
}

#define ROW_COLS "id, choices, design_hash, cycles, energy_pj, area_um2, objective, flags, violation, amount, vlimit, reason, wall_s"

static void row_result(sqlite3_stmt *q, pesim_result *r)
{
    memset(r, 0, sizeof *r);
    r->design_hash = (uint64_t)sqlite3_column_int64(q, 2);
    r->cycles = sqlite3_column_int64(q, 3);
    r->energy_pj = sqlite3_column_double(q, 4);
    r->area_um2 = sqlite3_column_double(q, 5);
    r->objective = sqlite3_column_double(q, 6);
    int flags = sqlite3_column_int(q, 7);
    r->valid = flags & 1;
    r->cached = (flags >> 1) & 1;
    r->fidelity = (pesim_fidelity)((flags >> 2) & 3);
    unpack_violation(sqlite3_column_int64(q, 8), sqlite3_column_double(q, 9), sqlite3_column_double(q, 10),
                     &r->violation);
    if (r->valid) r->violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    const char *reason = (const char *)sqlite3_column_text(q, 11);
    snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "");
    r->wall_s = sqlite3_column_double(q, 12);
}

pesim_status pesim_store_read(pesim_store *s, int64_t run_id, int64_t first_sample, int32_t n, int32_t n_params,
                              int32_t *choices, pesim_result *r, int32_t *got, pesim_error *e)
{
    if (!s || !got || n < 0 || n_params < 0 || (n > 0 && (!r || !choices)) || first_sample < 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "store read: bad argument");
    *got = 0;
    pesim_status st = pesim_store_flush(s, e);
    if (st || n == 0) return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT " ROW_COLS " FROM evals WHERE id BETWEEN ?1 AND ?2 ORDER BY id", -1,
                                &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id << SAMPLE_BITS | first_sample);
        sqlite3_bind_int64(q, 2, (run_id << SAMPLE_BITS | first_sample) + n - 1);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t sample = sqlite3_column_int64(q, 0) & SAMPLE_MASK;
            if (sample != first_sample + *got) {
                st = pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                     "run %" PRId64 ": sample %" PRId64 " is missing (the store was edited?)", run_id,
                                     first_sample + *got);
                break;
            }
            if (!parse_choices((const char *)sqlite3_column_text(q, 1), choices + (size_t)*got * (size_t)n_params,
                               n_params)) {
                st = pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                     "run %" PRId64 " sample %" PRId64 ": not %d choices: not this space", run_id,
                                     sample, (int)n_params);
                break;
            }
            row_result(q, &r[*got]);
            (*got)++;
        }
        if (!st && rc != SQLITE_DONE) st = sql_error(s->path, s->db, rc, "cannot read evaluations", e);
    } else {
        st = sql_error(s->path, s->db, rc, "cannot read evaluations", e);
    }
    sqlite3_finalize(q);
    return st;
}

pesim_status pesim_store_best(pesim_store *s, int64_t run_id, int32_t n_params, int32_t *choices, pesim_result *r,
                              int64_t *sample, int *found, pesim_error *e)
{
    if (!s || !found) return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "best: bad argument");
    *found = 0;
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT " ROW_COLS " FROM evals WHERE id BETWEEN ?1 AND ?2 AND flags & 1 "
                                "ORDER BY objective, id LIMIT 1",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id << SAMPLE_BITS);
        sqlite3_bind_int64(q, 2, run_id << SAMPLE_BITS | SAMPLE_MASK);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            if (sample) *sample = sqlite3_column_int64(q, 0) & SAMPLE_MASK;
            if (choices && !parse_choices((const char *)sqlite3_column_text(q, 1), choices, n_params))
                st = pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                     "run %" PRId64 ": the best evaluation does not have %d choices", run_id,
                                     (int)n_params);
            if (r) row_result(q, r);
            *found = 1;
        } else if (rc != SQLITE_DONE) {
            st = sql_error(s->path, s->db, rc, "cannot read the best evaluation", e);
        }
    } else {
        st = sql_error(s->path, s->db, rc, "cannot read the best evaluation", e);
    }
    sqlite3_finalize(q);
    return st;
}

/* ------------------------------------------------------ network runs */

/* Binds the values and steps one prepared insert; resets it. */
static int step_reset(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

pesim_status pesim_store_add_network(pesim_store *s, int64_t run_id, int64_t sample, const char *placement,
                                     const pesim_net *n, const pesim_net_result *r, int32_t n_bins, pesim_error *e)
{
    if (!s || !n || !r || sample < 0 || n_bins < 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "add_network: bad argument");
    pesim_status st = pesim_store_flush(s, e);
    if (st) return st;
    const pesim_arch *a = pesim_net_arch(n);
    const pesim_network *net = pesim_net_network(n);
    const pesim_level *top = &a->level[a->n_levels - 1];
    pesim_net_dram_bin *bins = calloc((size_t)(n_bins > 0 ? n_bins : 1), sizeof *bins);
    if (!bins) return pesim_error_set(e, PESIM_ERR_NOMEM, s->path, 0, NULL, "out of memory");
    int32_t nb = pesim_net_dram_series(n, r, n_bins, bins);
    char sql[1024];
    sqlite3_stmt *q = NULL;
    int rc = exec(s->db, "BEGIN IMMEDIATE");
    const char *what = "cannot start the transaction";
    if (rc == SQLITE_OK) {
        snprintf(sql, sizeof sql,
                 "DELETE FROM net_runs WHERE run = %" PRId64 " AND sample = %" PRId64 ";"
                 "DELETE FROM net_layers WHERE run = %" PRId64 " AND sample = %" PRId64 ";"
                 "DELETE FROM net_occupancy WHERE run = %" PRId64 " AND sample = %" PRId64 ";"
                 "DELETE FROM net_dram WHERE run = %" PRId64 " AND sample = %" PRId64,
                 run_id, sample, run_id, sample, run_id, sample, run_id, sample);
        rc = exec(s->db, sql);
        what = "cannot replace the network run";
    }
    if (rc == SQLITE_OK) {
        what = "cannot record the network run";
        rc = sqlite3_prepare_v2(s->db, "INSERT INTO net_runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, run_id);
            sqlite3_bind_int64(q, 2, sample);
            sqlite3_bind_text(q, 3, placement ? placement : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, pesim_net_fidelity_name((pesim_net_fidelity)r->fidelity), -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 5, r->valid ? 1 : 0);
            sqlite3_bind_text(q, 6, r->reason, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 7, r->cycles);
            sqlite3_bind_double(q, 8, r->energy_pj);
            sqlite3_bind_double(q, 9, top->is_dram ? pesim_dram_words_per_cycle(&top->dram, a->word_bits, a->clock_mhz)
                                                   : 0.0);
            rc = step_reset(q);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc == SQLITE_OK && r->valid) { /* the layers: one column per stall cause */
        size_t w = (size_t)snprintf(sql, sizeof sql, "INSERT INTO net_layers VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9");
        for (int k = 0; k < PESIM_STALL_COUNT + 4 && w < sizeof sql; k++)
            w += (size_t)snprintf(sql + w, sizeof sql - w, ", ?%d", 10 + k);
        if (w < sizeof sql) snprintf(sql + w, sizeof sql - w, ")");
        rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
        int top_lv = a->n_levels - 1;
        for (int32_t i = 0; rc == SQLITE_OK && i < r->n_layers; i++) {
            const pesim_net_layer *ly = &r->layer[i];
            const pesim_cost *c = &ly->cost;
            int64_t rd = 0, wr = 0;
            for (int t = 0; t < PESIM_NTENSORS; t++)
                rd += c->access[top_lv][t].reads, wr += c->access[top_lv][t].fills + c->access[top_lv][t].updates;
            int col = 1;
            sqlite3_bind_int64(q, col++, run_id);
            sqlite3_bind_int64(q, col++, sample);
            sqlite3_bind_int(q, col++, i);
            sqlite3_bind_text(q, col++, i < net->n_layers ? net->layers[i].name : "", -1, SQLITE_STATIC);
            sqlite3_bind_int(q, col++, ly->mapped ? 1 + (ly->given != 0) : 0); /* 2: its given mapping */
            sqlite3_bind_int64(q, col++, ly->start_cycle);
            sqlite3_bind_int64(q, col++, ly->end_cycle);
            sqlite3_bind_int64(q, col++, c->cycles);
            sqlite3_bind_int64(q, col++, c->compute_cycles);
            for (int k = 0; k < PESIM_STALL_COUNT; k++) sqlite3_bind_int64(q, col++, c->stall_cycles[k]);
            sqlite3_bind_int64(q, col++, c->macs);
            sqlite3_bind_double(q, col++, c->energy_pj);
            sqlite3_bind_int64(q, col++, rd);
            sqlite3_bind_int64(q, col++, wr);
            rc = step_reset(q);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc == SQLITE_OK && r->valid) { /* occupancy of the levels that hold tensors or tiles */
        rc = sqlite3_prepare_v2(s->db, "INSERT INTO net_occupancy VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &q,
                                NULL);
        for (int32_t k = 0; rc == SQLITE_OK && k < r->n_occupancy; k++) {
            const pesim_net_occupancy *oc = &r->occupancy[k];
            if (oc->capacity_words == 0 && oc->live_words == 0 && oc->staging_words == 0) continue;
            sqlite3_bind_int64(q, 1, run_id);
            sqlite3_bind_int64(q, 2, sample);
            sqlite3_bind_int(q, 3, oc->level);
            sqlite3_bind_text(q, 4, a->level[oc->level].name, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 5, oc->step);
            sqlite3_bind_int64(q, 6, oc->live_words);
            sqlite3_bind_int64(q, 7, oc->staging_words);
            sqlite3_bind_int64(q, 8, oc->capacity_words);
            sqlite3_bind_int64(q, 9, oc->top_address);
            rc = step_reset(q);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc == SQLITE_OK && nb > 0) {
        rc = sqlite3_prepare_v2(s->db, "INSERT INTO net_dram VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &q, NULL);
        for (int32_t b = 0; rc == SQLITE_OK && b < nb; b++) {
            sqlite3_bind_int64(q, 1, run_id);
            sqlite3_bind_int64(q, 2, sample);
            sqlite3_bind_int(q, 3, b);
            sqlite3_bind_int64(q, 4, bins[b].start_cycle);
            sqlite3_bind_int64(q, 5, bins[b].end_cycle);
            sqlite3_bind_double(q, 6, bins[b].read_words);
            sqlite3_bind_double(q, 7, bins[b].write_words);
            rc = step_reset(q);
        }
        sqlite3_finalize(q);
    }
    free(bins);
    if (rc == SQLITE_OK) rc = exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        st = sql_error(s->path, s->db, rc, what, e);
        if (!sqlite3_get_autocommit(s->db)) exec(s->db, "ROLLBACK");
        return st;
    }
    return PESIM_OK;
}
