/* store.c - the result store: one SQLite file per campaign (docs/search.md
 * "Result store").
 *
 * Opening is careful not to damage what is there: an existing file is first
 * opened read-only and inspected (an SQLite database, pesim's application id
 * and schema version, or an empty database); only then is it opened for
 * writing, and a write lock is taken once (BEGIN IMMEDIATE) so that a store
 * another process holds fails now, with a clear error, rather than later. The
 * busy timeout is 0: a locked store fails fast. An existing file is never
 * recreated or truncated.
 *
 * Durability: WAL journal, synchronous = NORMAL. Every pesim_store_add (and
 * every pesim_store_add_batch) is one committed transaction, so a process
 * killed at any moment (SIGKILL included) loses no evaluation that was
 * recorded; a power loss may lose the transactions since the last WAL
 * checkpoint (synchronous = FULL would fsync each commit, ~1000x slower).
 *
 * Not thread-safe: one handle per thread (the evaluator's workers never touch
 * the store; the search driver records their results in order). */
#define _POSIX_C_SOURCE 200809L /* strdup, access */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pesim/search.h"

#define STORE_APP_ID 0x7065736d /* "pesm" in PRAGMA application_id */
#define STORE_SCHEMA_VERSION 1

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS runs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  algorithm TEXT NOT NULL,\n"
    "  space TEXT NOT NULL,\n"
    "  seed INTEGER NOT NULL,\n"        /* uint64 stored as its int64 bit pattern */
    "  budget INTEGER NOT NULL,\n"
    "  config TEXT NOT NULL,\n"
    "  started TEXT NOT NULL,\n"        /* UTC, ISO 8601 */
    "  finished TEXT,\n"                /* NULL while running */
    "  status TEXT NOT NULL CHECK(status IN ('running', 'finished')));\n"
    "CREATE TABLE IF NOT EXISTS evaluations(\n"
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  sample INTEGER NOT NULL,\n"
    "  choices TEXT NOT NULL,\n"        /* comma-separated choice indices */
    "  design_hash INTEGER NOT NULL,\n" /* uint64 stored as its int64 bit pattern */
    "  cycles INTEGER NOT NULL,\n"
    "  energy_pj REAL NOT NULL,\n"
    "  area_um2 REAL NOT NULL,\n"
    "  objective REAL NOT NULL,\n"      /* lower is better; 1e300 when invalid */
    "  valid INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  fidelity TEXT NOT NULL,\n"       /* analytical | cycle */
    "  wall_s REAL NOT NULL,\n"
    "  cached INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run, sample)) WITHOUT ROWID;\n"
    "CREATE VIEW IF NOT EXISTS best_so_far AS\n"
    "  SELECT run, sample, objective, valid,\n"
    "         MIN(CASE WHEN valid THEN objective END)\n"
    "           OVER (PARTITION BY run ORDER BY sample ROWS UNBOUNDED PRECEDING) AS best\n"
    "  FROM evaluations;\n";

struct pesim_store {
    sqlite3 *db;
    char path[PESIM_PATH_MAX];
    sqlite3_stmt *ins;      /* the evaluation insert */
    char *text;             /* choices text buffer */
    size_t text_cap;
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

/* One integer from a query, or an SQLite error code (< 0 is never an rc). */
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
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
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
        (rc = query_int(db,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'evaluations')",
                        &have)) != SQLITE_OK) {
        st = sql_error(path, db, rc, "cannot read", e);
        goto done;
    }
    if (tables == 0 && app == 0) {
        *is_store = 0; /* an empty database: ours to initialise */
    } else if (app != STORE_APP_ID || have != 2) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                             "an SQLite database but not a pesim store (application_id %" PRId64
                             ", %" PRId64 " of the tables runs/evaluations); pesim will not touch it",
                             app, have);
    } else if (ver != STORE_SCHEMA_VERSION) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                             "store schema version %" PRId64 ", this pesim reads version %d", ver,
                             STORE_SCHEMA_VERSION);
    } else {
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
        if ((st = inspect(path, &is_store, e))) return st;
    } else {
        if (errno != ENOENT)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot access: %s", strerror(errno));
        if (access(dir, W_OK) != 0)
            return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot create the store in %s: %s", dir,
                                   strerror(errno));
    }

    pesim_store *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
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
    if ((rc = exec(s->db, "COMMIT")) != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot commit", e);
        exec(s->db, "ROLLBACK");
        goto fail;
    }
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT INTO evaluations(run, sample, choices, design_hash, cycles, energy_pj, area_um2, "
                            "objective, valid, reason, fidelity, wall_s, cached) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                            -1, &s->ins, NULL);
    if (rc != SQLITE_OK) {
        st = sql_error(path, s->db, rc, "cannot prepare", e);
        goto fail;
    }
    *out = s;
    return PESIM_OK;
fail:
    pesim_store_close(s);
    return st;
}

void pesim_store_close(pesim_store *s)
{
    if (!s) return;
    sqlite3_finalize(s->ins);
    sqlite3_close(s->db);
    free(s->text);
    free(s);
}

const char *pesim_store_path(const pesim_store *s) { return s ? s->path : ""; }

/* --------------------------------------------------------------- runs */

pesim_status pesim_store_begin_run(pesim_store *s, const char *algo, const char *space_desc, uint64_t seed,
                                   int64_t budget, const char *config_text, int resume, int64_t *run_id,
                                   int64_t *done, pesim_error *e)
{
    if (!s || !algo || !space_desc || !run_id || !done)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "begin_run: NULL argument");
    *run_id = 0;
    *done = 0;
    sqlite3_stmt *q = NULL;
    int rc;
    if (resume) {
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT id FROM runs WHERE algorithm = ?1 AND space = ?2 AND seed = ?3 "
                                "AND status = 'running' ORDER BY id DESC LIMIT 1",
                                -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, algo, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, space_desc, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 3, (sqlite3_int64)seed);
            rc = sqlite3_step(q);
            if (rc == SQLITE_ROW) *run_id = sqlite3_column_int64(q, 0), rc = SQLITE_OK;
            else if (rc == SQLITE_DONE) rc = SQLITE_OK;
        }
        sqlite3_finalize(q);
        q = NULL;
        if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot look for the run to resume", e);
        if (*run_id) {
            char sql[160];
            int64_t count = 0, next = 0;
            snprintf(sql, sizeof sql, "SELECT count(*) FROM evaluations WHERE run = %" PRId64, *run_id);
            if ((rc = query_int(s->db, sql, &count)) != SQLITE_OK)
                return sql_error(s->path, s->db, rc, "cannot count the run's evaluations", e);
            snprintf(sql, sizeof sql, "SELECT coalesce(max(sample) + 1, 0) FROM evaluations WHERE run = %" PRId64,
                     *run_id);
            if ((rc = query_int(s->db, sql, &next)) != SQLITE_OK)
                return sql_error(s->path, s->db, rc, "cannot count the run's evaluations", e);
            if (next != count)
                return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                       "run %" PRId64 " has %" PRId64 " evaluations but samples up to %" PRId64
                                       ": its samples are not 0..n-1, it cannot be resumed",
                                       *run_id, count, next - 1);
            snprintf(sql, sizeof sql, "UPDATE runs SET budget = %" PRId64 " WHERE id = %" PRId64, budget, *run_id);
            if ((rc = exec(s->db, sql)) != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot update the run", e);
            *done = count;
            return PESIM_OK;
        }
    }
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT INTO runs(algorithm, space, seed, budget, config, started, status) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'running')",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, algo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, space_desc, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)seed);
        sqlite3_bind_int64(q, 4, budget);
        sqlite3_bind_text(q, 5, config_text ? config_text : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot start a run", e);
    *run_id = sqlite3_last_insert_rowid(s->db);
    return PESIM_OK;
}

pesim_status pesim_store_finish_run(pesim_store *s, int64_t run_id, pesim_error *e)
{
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "finish_run: NULL store");
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE runs SET status = 'finished', finished = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') "
             "WHERE id = %" PRId64,
             run_id);
    int rc = exec(s->db, sql);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot finish the run", e);
    if (sqlite3_changes(s->db) != 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL, "no run %" PRId64, run_id);
    return PESIM_OK;
}

/* -------------------------------------------------------- evaluations */

/* choices as "3,0,12": into s->text. */
static int choices_text(pesim_store *s, const int32_t *choices, int32_t n)
{
    size_t need = (size_t)(n > 0 ? n : 1) * 12 + 1;
    if (need > s->text_cap) {
        char *t = realloc(s->text, need);
        if (!t) return 0;
        s->text = t, s->text_cap = need;
    }
    char *p = s->text;
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

static int insert_one(pesim_store *s, int64_t run_id, int64_t sample, const int32_t *choices, int32_t n,
                      const pesim_result *r)
{
    if (!choices_text(s, choices, n)) return SQLITE_NOMEM;
    sqlite3_stmt *q = s->ins;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, run_id);
    sqlite3_bind_int64(q, 2, sample);
    sqlite3_bind_text(q, 3, s->text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)r->design_hash);
    sqlite3_bind_int64(q, 5, r->cycles);
    sqlite3_bind_double(q, 6, r->energy_pj);
    sqlite3_bind_double(q, 7, r->area_um2);
    sqlite3_bind_double(q, 8, r->objective);
    sqlite3_bind_int(q, 9, r->valid ? 1 : 0);
    sqlite3_bind_text(q, 10, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, pesim_fidelity_name(r->fidelity), -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 12, r->wall_s);
    sqlite3_bind_int(q, 13, r->cached ? 1 : 0);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

pesim_status pesim_store_add(pesim_store *s, int64_t run_id, int64_t sample, const int32_t *choices,
                             int32_t n_params, const pesim_result *r, pesim_error *e)
{
    return pesim_store_add_batch(s, run_id, sample, 1, choices, n_params, r, e);
}

pesim_status pesim_store_add_batch(pesim_store *s, int64_t run_id, int64_t first_sample, int32_t n,
                                   const int32_t *choices, int32_t n_params, const pesim_result *r, pesim_error *e)
{
    if (!s || n < 0 || n_params < 0 || (n > 0 && (!r || (n_params > 0 && !choices))))
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "store add: bad argument");
    if (n == 0) return PESIM_OK;
    int rc = n > 1 ? exec(s->db, "BEGIN IMMEDIATE") : SQLITE_OK;
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot record evaluations", e);
    for (int32_t i = 0; i < n && rc == SQLITE_OK; i++)
        rc = insert_one(s, run_id, first_sample + i, choices ? choices + (size_t)i * (size_t)n_params : NULL,
                        n_params, &r[i]);
    if (rc == SQLITE_OK && n > 1) rc = exec(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        pesim_status st;
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            st = pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                 "cannot record samples %" PRId64 "..%" PRId64 " of run %" PRId64
                                 ": a sample is already recorded, or no such run (%s)",
                                 first_sample, first_sample + n - 1, run_id, sqlite3_errmsg(s->db));
        else
            st = sql_error(s->path, s->db, rc, "cannot record evaluations", e);
        if (!sqlite3_get_autocommit(s->db)) exec(s->db, "ROLLBACK");
        return st;
    }
    return PESIM_OK;
}

/* Parses "3,0,12" into out[0..n); 1 if exactly n integers. */
static int parse_choices(const char *t, int32_t *out, int32_t n)
{
    int32_t k = 0;
    if (!t) return n == 0;
    if (!*t) return n == 0;
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

static void row_result(sqlite3_stmt *q, int col, pesim_result *r)
{
    memset(r, 0, sizeof *r);
    r->design_hash = (uint64_t)sqlite3_column_int64(q, col + 0);
    r->cycles = sqlite3_column_int64(q, col + 1);
    r->energy_pj = sqlite3_column_double(q, col + 2);
    r->area_um2 = sqlite3_column_double(q, col + 3);
    r->objective = sqlite3_column_double(q, col + 4);
    r->valid = sqlite3_column_int(q, col + 5);
    const char *reason = (const char *)sqlite3_column_text(q, col + 6);
    snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "");
    int f = pesim_fidelity_parse((const char *)sqlite3_column_text(q, col + 7));
    r->fidelity = f < 0 ? PESIM_FIDELITY_ANALYTICAL : (pesim_fidelity)f;
    r->wall_s = sqlite3_column_double(q, col + 8);
    r->cached = sqlite3_column_int(q, col + 9);
}

#define RESULT_COLS "design_hash, cycles, energy_pj, area_um2, objective, valid, reason, fidelity, wall_s, cached"

pesim_status pesim_store_replay(pesim_store *s, int64_t run_id, int32_t n_params,
                                void (*fn)(void *ctx, int64_t sample, const int32_t *choices, const pesim_result *r),
                                void *ctx, pesim_error *e)
{
    if (!s || !fn || n_params < 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "replay: bad argument");
    /* every row must have n_params choices: checked before any callback */
    char sql[256];
    int64_t bad = 0;
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM evaluations WHERE run = %" PRId64
             " AND (CASE WHEN choices = '' THEN 0 ELSE length(choices) - length(replace(choices, ',', '')) + 1 END)"
             " != %d",
             run_id, (int)n_params);
    int rc = query_int(s->db, sql, &bad);
    if (rc != SQLITE_OK) return sql_error(s->path, s->db, rc, "cannot replay", e);
    if (bad)
        return pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                               "run %" PRId64 ": %" PRId64 " evaluations do not have %d choices: not this space",
                               run_id, bad, (int)n_params);
    int32_t *choices = malloc((size_t)(n_params > 0 ? n_params : 1) * sizeof *choices);
    if (!choices) return pesim_error_set(e, PESIM_ERR_NOMEM, s->path, 0, NULL, "out of memory");
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT sample, choices, " RESULT_COLS " FROM evaluations WHERE run = ?1 ORDER BY sample",
                            -1, &q, NULL);
    pesim_status st = PESIM_OK;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t sample = sqlite3_column_int64(q, 0);
            if (!parse_choices((const char *)sqlite3_column_text(q, 1), choices, n_params)) {
                st = pesim_error_set(e, PESIM_ERR_PARSE, s->path, 0, NULL,
                                     "run %" PRId64 " sample %" PRId64 ": bad choices text", run_id, sample);
                break;
            }
            pesim_result r;
            row_result(q, 2, &r);
            fn(ctx, sample, choices, &r);
        }
        if (!st && rc != SQLITE_DONE) st = sql_error(s->path, s->db, rc, "cannot replay", e);
    } else {
        st = sql_error(s->path, s->db, rc, "cannot replay", e);
    }
    sqlite3_finalize(q);
    free(choices);
    return st;
}

pesim_status pesim_store_best(pesim_store *s, int64_t run_id, int32_t n_params, int32_t *choices, pesim_result *r,
                              int64_t *sample, int *found, pesim_error *e)
{
    if (!s || !found) return pesim_error_set(e, PESIM_ERR_INVALID, s ? s->path : NULL, 0, NULL, "best: bad argument");
    *found = 0;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT sample, choices, " RESULT_COLS " FROM evaluations WHERE run = ?1 AND valid = 1 "
                                "ORDER BY objective, sample LIMIT 1",
                                -1, &q, NULL);
    pesim_status st = PESIM_OK;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, run_id);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            if (sample) *sample = sqlite3_column_int64(q, 0);
            if (choices && !parse_choices((const char *)sqlite3_column_text(q, 1), choices, n_params))
                st = pesim_error_set(e, PESIM_ERR_INVALID, s->path, 0, NULL,
                                     "run %" PRId64 ": the best evaluation does not have %d choices", run_id,
                                     (int)n_params);
            if (r) row_result(q, 2, r);
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
