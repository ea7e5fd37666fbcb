/* mpi.c - evaluations across the ranks of an Open MPI job (pesim/mpi.h,
 * docs/cluster.md).
 *
 * Protocol (MPI_COMM_WORLD, rank 0 <-> worker w; MPI keeps the order of the
 * messages between two ranks):
 *   OPEN    0 -> w   pesim_eval_options bytes, then the recipe (NUL-terminated)
 *   OPENED  w -> 0   an open_reply: status, n_params, describe or message
 *   EVAL    0 -> w   int64 {first, n, fidelity}, then EVAL_DATA: n x n_params int32
 *   RESULT  w -> 0   int64 {first, n, status}, then RESULT_DATA: n pesim_result bytes
 *   CLOSE   0 -> w   (empty) the worker closes its step
 *   JOB     0 -> w   int32 job number, then the job's text (NUL-terminated)
 *   JOB_DONE w -> 0  int64 {job, status, bytes}, then JOB_DATA: the data (or
 *                    the error's message) in pieces of at most 1 GiB
 *   QUIT    0 -> w   (empty) the worker leaves pesim_mpi_serve
 * Rank 0 keeps two chunks in flight per worker and gives the next chunk to
 * whichever worker answers first (dynamic load balancing); whole jobs go one
 * per worker, the next to whichever finishes first. Waiting ranks poll,
 * then poll with short sleeps, so that a waiting rank 0 or an idle worker
 * leaves its core to the evaluating threads. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/mpi.h"

#ifdef PESIM_HAVE_MPI
#include <mpi.h>
#endif

#define IN_FLIGHT 2           /* chunks per worker at once */
#define CHUNKS_PER_WORKER 4   /* of a batch, when the chunk size is automatic */
#define MAX_CHUNK 1000000     /* candidates per message (its bytes stay below INT_MAX) */
#define PIECE ((size_t)1 << 30) /* bytes per message of a job's data */

int pesim_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

#ifndef PESIM_HAVE_MPI

int pesim_mpi_built(void) { return 0; }
pesim_status pesim_mpi_init(int *argc, char ***argv, pesim_error *e)
{
    (void)argc, (void)argv, (void)e;
    return PESIM_OK;
}
int pesim_mpi_rank(void) { return 0; }
int pesim_mpi_size(void) { return 1; }
void pesim_mpi_finalize(void) {}
pesim_status pesim_mpi_serve(pesim_mpi_open_fn open, pesim_mpi_close_fn close, void *ctx, pesim_error *e)
{
    (void)open, (void)close, (void)ctx;
    return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "pesim was built without MPI");
}
pesim_status pesim_mpi_farm_open(const char *recipe, const pesim_eval_options *eo, int32_t n_params,
                                 const char *describe, int32_t chunk, pesim_mpi_farm **out, pesim_error *e)
{
    (void)recipe, (void)eo, (void)n_params, (void)describe, (void)chunk;
    if (out) *out = NULL;
    return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "pesim was built without MPI");
}
pesim_status pesim_mpi_farm_eval(void *farm, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out)
{
    (void)farm, (void)choices, (void)n, (void)f, (void)out;
    return PESIM_ERR_INVALID;
}
pesim_mpi_farm_stats pesim_mpi_farm_get_stats(const pesim_mpi_farm *farm)
{
    (void)farm;
    pesim_mpi_farm_stats s = {0, 0, 0};
    return s;
}
void pesim_mpi_farm_close(pesim_mpi_farm *farm) { (void)farm; }
pesim_status pesim_mpi_serve_jobs(pesim_mpi_open_fn open, pesim_mpi_close_fn close, pesim_mpi_job_fn job, void *ctx,
                                  pesim_error *e)
{
    (void)job;
    return pesim_mpi_serve(open, close, ctx, e);
}
pesim_status pesim_mpi_jobs(int32_t n, const char *const *jobs, pesim_mpi_done_fn done, void *ctx, pesim_error *e)
{
    (void)n, (void)jobs, (void)done, (void)ctx;
    return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "pesim was built without MPI");
}

#else /* PESIM_HAVE_MPI */

enum { T_OPEN = 1, T_OPENED, T_EVAL, T_EVAL_DATA, T_RESULT, T_RESULT_DATA, T_CLOSE, T_QUIT, T_JOB, T_JOB_DONE,
       T_JOB_DATA };

typedef struct open_reply {
    int32_t status;
    int32_t n_params;
    char text[PESIM_MPI_DESCRIBE_MAX + PESIM_MSG_MAX]; /* describe, or the error's message */
} open_reply;

struct pesim_mpi_farm {
    int32_t n_params;
    int32_t chunk;
    int32_t workers;
    pesim_mpi_farm_stats stats;
};

static int g_init;     /* this module called MPI_Init_thread */
static int g_rank, g_size = 1;

int pesim_mpi_built(void) { return 1; }

pesim_status pesim_mpi_init(int *argc, char ***argv, pesim_error *e)
{
    if (g_init || !pesim_mpi_launched()) return PESIM_OK;
    int already = 0, provided = 0;
    MPI_Initialized(&already);
    if (!already && MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return pesim_error_set(e, PESIM_ERR_IO, NULL, 0, "mpi", "MPI_Init_thread failed");
    if (!already && provided < MPI_THREAD_FUNNELED)
        return pesim_error_set(e, PESIM_ERR_IO, NULL, 0, "mpi",
                               "the MPI library does not support MPI_THREAD_FUNNELED (evaluator threads)");
    g_init = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    return PESIM_OK;
}

int pesim_mpi_rank(void) { return g_init ? g_rank : 0; }
int pesim_mpi_size(void) { return g_init ? g_size : 1; }

void pesim_mpi_finalize(void)
{
    if (!g_init) return;
    if (g_rank == 0)
        for (int w = 1; w < g_size; w++)
            MPI_Send(NULL, 0, MPI_BYTE, w, T_QUIT, MPI_COMM_WORLD);
    MPI_Finalize();
    g_init = 0;
    g_rank = 0;
    g_size = 1;
}

/* Waits for a message: polls (which also progresses this rank's pending
 * sends) a thousand times, then with short sleeps, so that a rank waiting
 * longer than a moment leaves its core to the evaluating threads. */
static void wait_msg(int source, int tag, MPI_Status *st)
{
    for (int spins = 0;; spins++) {
        int flag = 0;
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, st);
        if (flag) return;
        if (spins >= 1000) {
            struct timespec ts = {0, 20000}; /* 20 us (the kernel rounds it up to ~60 us) */
            nanosleep(&ts, NULL);
        }
    }
}

/* --------------------------------------------------------------- worker */

/* Sends bytes to rank `to` as pieces of at most PIECE bytes (tag). */
static void send_pieces(const void *data, size_t bytes, int to, int tag)
{
    const char *p = data;
    do {
        size_t k = bytes < PIECE ? bytes : PIECE;
        MPI_Send(p, (int)k, MPI_BYTE, to, tag, MPI_COMM_WORLD);
        p += k, bytes -= k;
    } while (bytes > 0);
}

/* Receives what send_pieces sent into buf (bytes). */
static void recv_pieces(void *buf, size_t bytes, int from, int tag)
{
    char *p = buf;
    do {
        size_t k = bytes < PIECE ? bytes : PIECE;
        MPI_Recv(p, (int)k, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        p += k, bytes -= k;
    } while (bytes > 0);
}

/* Takes the next message from rank `from` with `tag` off the wire unread
 * (the data of a result that cannot be used); returns its bytes. */
static size_t discard_msg(int from, int tag)
{
    MPI_Status st;
    int bytes = 0;
    MPI_Probe(from, tag, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &bytes);
    char *sink = malloc((size_t)(bytes > 0 ? bytes : 1));
    MPI_Recv(sink, bytes, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    free(sink);
    return bytes > 0 ? (size_t)bytes : 0;
}

/* A worker runs one job and sends its data (or its error) to rank 0. */
static void serve_job(pesim_mpi_job_fn job, void *ctx, const char *msg, int count)
{
    int32_t id = -1;
    if (count >= (int)sizeof id) memcpy(&id, msg, sizeof id);
    void *data = NULL;
    size_t bytes = 0;
    pesim_error je;
    pesim_error_clear(&je);
    pesim_status st = count > (int)sizeof id && job
                          ? job(ctx, msg + sizeof id, &data, &bytes, &je)
                          : pesim_error_set(&je, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "this rank runs no jobs");
    char text[PESIM_MSG_MAX + 64];
    if (st != PESIM_OK) {
        free(data);
        pesim_error_format(&je, text, sizeof text);
        data = NULL;
        bytes = strlen(text) + 1;
    }
    int64_t h[3] = {id, st, (int64_t)bytes};
    MPI_Send(h, 3, MPI_INT64_T, 0, T_JOB_DONE, MPI_COMM_WORLD);
    send_pieces(st != PESIM_OK ? (const void *)text : data, bytes, 0, T_JOB_DATA);
    free(data);
}

pesim_status pesim_mpi_serve(pesim_mpi_open_fn open, pesim_mpi_close_fn close, void *ctx, pesim_error *e)
{
    return pesim_mpi_serve_jobs(open, close, NULL, ctx, e);
}

pesim_status pesim_mpi_serve_jobs(pesim_mpi_open_fn open, pesim_mpi_close_fn close, pesim_mpi_job_fn job, void *ctx,
                                  pesim_error *e)
{
    if (!g_init || g_rank == 0 || !open)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "pesim_mpi_serve runs on MPI ranks > 0");
    pesim_mpi_step step;
    int is_open = 0;
    char *buf = NULL;
    size_t cap = 0;
    pesim_result *res = NULL;
    size_t res_cap = 0;
    pesim_status rc = PESIM_OK;
    for (;;) {
        MPI_Status st;
        wait_msg(0, MPI_ANY_TAG, &st);
        int count = 0;
        MPI_Get_count(&st, MPI_BYTE, &count);
        if ((size_t)count + 1 > cap) {
            char *nb = realloc(buf, (size_t)count + 1);
            if (!nb) {
                rc = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
                MPI_Abort(MPI_COMM_WORLD, 1);
                break;
            }
            buf = nb, cap = (size_t)count + 1;
        }
        MPI_Recv(buf, count, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == T_QUIT) break;
        if (st.MPI_TAG == T_JOB) {
            buf[count] = '\0';
            serve_job(job, ctx, buf, count);
            continue;
        }
        if (st.MPI_TAG == T_CLOSE || st.MPI_TAG == T_OPEN) {
            if (is_open && close) close(ctx, &step);
            is_open = 0;
        }
        if (st.MPI_TAG == T_OPEN) {
            open_reply rep;
            memset(&rep, 0, sizeof rep);
            pesim_eval_options eo;
            memset(&eo, 0, sizeof eo);
            pesim_error oe;
            pesim_error_clear(&oe);
            if ((size_t)count < sizeof eo) {
                rep.status = pesim_error_set(&oe, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "a short OPEN message");
            } else {
                memcpy(&eo, buf, sizeof eo);
                buf[count] = '\0';
                memset(&step, 0, sizeof step);
                rep.status = open(ctx, buf + sizeof eo, &eo, &step, &oe);
                is_open = rep.status == PESIM_OK && step.fn;
                if (rep.status == PESIM_OK && !step.fn)
                    rep.status = pesim_error_set(&oe, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "no evaluation step");
            }
            if (rep.status == PESIM_OK) {
                rep.n_params = step.n_params;
                memcpy(rep.text, step.describe, sizeof step.describe);
                rep.text[sizeof step.describe - 1] = '\0';
            } else {
                pesim_error_format(&oe, rep.text, sizeof rep.text);
            }
            MPI_Send(&rep, (int)sizeof rep, MPI_BYTE, 0, T_OPENED, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == T_EVAL) {
            int64_t h[3] = {0, 0, 0};
            memcpy(h, buf, sizeof h < (size_t)count ? sizeof h : (size_t)count);
            int32_t n = h[1] > 0 && h[1] <= MAX_CHUNK ? (int32_t)h[1] : 0;
            MPI_Status ds;
            wait_msg(0, T_EVAL_DATA, &ds);
            int words = 0;
            MPI_Get_count(&ds, MPI_INT32_T, &words);
            int32_t *x = malloc((size_t)(words > 0 ? words : 1) * sizeof *x);
            if ((size_t)n > res_cap) {
                pesim_result *nr = realloc(res, (size_t)n * sizeof *res);
                if (nr) res = nr, res_cap = (size_t)n;
            }
            if (!x || (size_t)n > res_cap) {
                rc = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
                MPI_Abort(MPI_COMM_WORLD, 1);
                break;
            }
            MPI_Recv(x, words, MPI_INT32_T, 0, T_EVAL_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            pesim_status es;
            if (!is_open || (int64_t)words != (int64_t)n * step.n_params) {
                es = PESIM_ERR_INVALID;
                memset(res, 0, (size_t)n * sizeof *res);
            } else {
                es = step.fn(step.ctx, x, n, (pesim_fidelity)h[2], res);
            }
            free(x);
            int64_t r[3] = {h[0], n, es};
            MPI_Send(r, 3, MPI_INT64_T, 0, T_RESULT, MPI_COMM_WORLD);
            MPI_Send(res, (int)((size_t)n * sizeof *res), MPI_BYTE, 0, T_RESULT_DATA, MPI_COMM_WORLD);
        }
    }
    if (is_open && close) close(ctx, &step);
    free(buf);
    free(res);
    return rc;
}

/* --------------------------------------------------------------- rank 0 */

pesim_status pesim_mpi_farm_open(const char *recipe, const pesim_eval_options *eo, int32_t n_params,
                                 const char *describe, int32_t chunk, pesim_mpi_farm **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "NULL output");
    *out = NULL;
    if (!g_init || g_rank != 0 || g_size < 2)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi",
                               "a farm needs rank 0 of an MPI job of at least two ranks");
    if (!recipe || !eo || n_params < 0 || chunk < 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "bad farm arguments");
    size_t len = sizeof *eo + strlen(recipe) + 1;
    if (len > (size_t)1 << 30) return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "mpi", "recipe too long");
    char *msg = malloc(len);
    pesim_mpi_farm *f = calloc(1, sizeof *f);
    open_reply *rep = malloc(sizeof *rep);
    if (!msg || !f || !rep) {
        free(msg), free(f), free(rep);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
    }
    memcpy(msg, eo, sizeof *eo);
    memcpy(msg + sizeof *eo, recipe, strlen(recipe) + 1);
    for (int w = 1; w < g_size; w++)
        MPI_Send(msg, (int)len, MPI_BYTE, w, T_OPEN, MPI_COMM_WORLD);
    free(msg);
    pesim_status rc = PESIM_OK;
    for (int w = 1; w < g_size; w++) {
        MPI_Status st;
        wait_msg(w, T_OPENED, &st);
        MPI_Recv(rep, (int)sizeof *rep, MPI_BYTE, w, T_OPENED, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        rep->text[sizeof rep->text - 1] = '\0';
        if (rc) continue; /* the first failure is reported; every reply is received */
        if (rep->status != PESIM_OK)
            rc = pesim_error_set(e, (pesim_status)rep->status, NULL, 0, "mpi", "rank %d: %s", w, rep->text);
        else if (rep->n_params != n_params || (describe && strcmp(rep->text, describe) != 0))
            rc = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi",
                                 "rank %d built another space (%d parameters: %.300s) than rank 0 (%d: %.300s); do "
                                 "all the ranks read the same files?",
                                 w, (int)rep->n_params, rep->text, (int)n_params, describe ? describe : "");
    }
    free(rep);
    if (rc) {
        for (int w = 1; w < g_size; w++)
            MPI_Send(NULL, 0, MPI_BYTE, w, T_CLOSE, MPI_COMM_WORLD);
        free(f);
        return rc;
    }
    f->n_params = n_params;
    f->chunk = chunk;
    f->workers = g_size - 1;
    *out = f;
    return PESIM_OK;
}

pesim_status pesim_mpi_farm_eval(void *farm, const int32_t *choices, int32_t n, pesim_fidelity fid,
                                 pesim_result *out)
{
    pesim_mpi_farm *f = farm;
    if (!f || n < 0 || (n > 0 && (!choices || !out))) return PESIM_ERR_INVALID;
    if (n == 0) return PESIM_OK;
    const int32_t W = f->workers;
    int64_t chunk = f->chunk;
    if (chunk <= 0) chunk = ((int64_t)n + (int64_t)W * CHUNKS_PER_WORKER - 1) / ((int64_t)W * CHUNKS_PER_WORKER);
    if (chunk < 1) chunk = 1;
    if (chunk > MAX_CHUNK) chunk = MAX_CHUNK;
    const int64_t nch = ((int64_t)n + chunk - 1) / chunk;
    int64_t(*hdr)[3] = malloc((size_t)nch * sizeof *hdr);
    MPI_Request *req = malloc((size_t)nch * 2 * sizeof *req);
    char *got = calloc((size_t)nch, 1);
    if (!hdr || !req || !got) {
        free(hdr), free(req), free(got);
        return PESIM_ERR_NOMEM;
    }
    const size_t np = (size_t)f->n_params;
    int64_t next = 0;
    pesim_status rc = PESIM_OK;
#define SEND_CHUNK(w)                                                                                             \
    do {                                                                                                          \
        int64_t k_ = next++, first_ = k_ * chunk, len_ = n - first_ < chunk ? n - first_ : chunk;                 \
        hdr[k_][0] = first_, hdr[k_][1] = len_, hdr[k_][2] = (int64_t)fid;                                        \
        MPI_Isend(hdr[k_], (int)sizeof hdr[k_], MPI_BYTE, (w), T_EVAL, MPI_COMM_WORLD, &req[2 * k_]);               \
        MPI_Isend(choices + (size_t)first_ * np, (int)((size_t)len_ * np), MPI_INT32_T, (w), T_EVAL_DATA,        \
                  MPI_COMM_WORLD, &req[2 * k_ + 1]);                                                              \
    } while (0)
    for (int d = 0; d < IN_FLIGHT; d++)
        for (int w = 1; w <= W && next < nch; w++)
            SEND_CHUNK(w);
    for (int64_t received = 0; received < nch; received++) {
        MPI_Status st;
        wait_msg(MPI_ANY_SOURCE, T_RESULT, &st);
        int64_t h[3];
        MPI_Recv(h, 3, MPI_INT64_T, st.MPI_SOURCE, T_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int64_t k = chunk > 0 ? h[0] / chunk : 0;
        int ok = h[0] >= 0 && h[1] >= 0 && h[0] + h[1] <= n && k < nch && !got[k] && h[0] == k * chunk;
        if (ok) {
            got[k] = 1;
            MPI_Recv(out + h[0], (int)((size_t)h[1] * sizeof *out), MPI_BYTE, st.MPI_SOURCE, T_RESULT_DATA,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else { /* a pesim bug: take the data off the wire, fail the batch */
            discard_msg(st.MPI_SOURCE, T_RESULT_DATA);
            if (!rc) rc = PESIM_ERR_INTERNAL;
        }
        if (h[2] != PESIM_OK && !rc) rc = (pesim_status)h[2];
        if (next < nch) SEND_CHUNK(st.MPI_SOURCE);
    }
#undef SEND_CHUNK
    MPI_Waitall((int)(2 * nch), req, MPI_STATUSES_IGNORE);
    free(hdr);
    free(req);
    free(got);
    f->stats.candidates += n;
    f->stats.chunks += nch;
    f->stats.batches++;
    return rc;
}

pesim_mpi_farm_stats pesim_mpi_farm_get_stats(const pesim_mpi_farm *farm)
{
    pesim_mpi_farm_stats s = {0, 0, 0};
    return farm ? farm->stats : s;
}

void pesim_mpi_farm_close(pesim_mpi_farm *farm)
{
    if (!farm) return;
    for (int w = 1; w <= farm->workers; w++)
        MPI_Send(NULL, 0, MPI_BYTE, w, T_CLOSE, MPI_COMM_WORLD);
    free(farm);
}

pesim_status pesim_mpi_jobs(int32_t n, const char *const *jobs, pesim_mpi_done_fn done, void *ctx, pesim_error *e)
{
    if (!g_init || g_rank != 0 || g_size < 2)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi",
                               "jobs need rank 0 of an MPI job of at least two ranks");
    if (n < 0 || (n > 0 && (!jobs || !done)))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "bad job arguments");
    pesim_status rc = PESIM_OK;
    int32_t next = 0, running = 0;
    /* Sends job `next` to worker w (a job's text after its number). */
#define SEND_JOB(w)                                                                                               \
    do {                                                                                                          \
        size_t len_ = strlen(jobs[next]) + 1;                                                                     \
        char *m_ = malloc(sizeof(int32_t) + len_);                                                                \
        if (!m_) {                                                                                                \
            if (!rc) rc = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");                   \
            break;                                                                                                \
        }                                                                                                         \
        memcpy(m_, &next, sizeof next);                                                                           \
        memcpy(m_ + sizeof next, jobs[next], len_);                                                               \
        MPI_Send(m_, (int)(sizeof next + len_), MPI_BYTE, (w), T_JOB, MPI_COMM_WORLD);                            \
        free(m_);                                                                                                 \
        next++, running++;                                                                                        \
    } while (0)
    for (int w = 1; w < g_size && next < n && !rc; w++)
        SEND_JOB(w);
    while (running > 0) {
        MPI_Status st;
        wait_msg(MPI_ANY_SOURCE, T_JOB_DONE, &st);
        int64_t h[3];
        MPI_Recv(h, 3, MPI_INT64_T, st.MPI_SOURCE, T_JOB_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        running--;
        size_t bytes = h[2] > 0 ? (size_t)h[2] : 0;
        char *data = malloc(bytes + 1);
        if (!data) { /* take the data off the wire piece by piece */
            size_t left = bytes;
            do {
                size_t k = discard_msg(st.MPI_SOURCE, T_JOB_DATA);
                left -= k < left ? k : left;
            } while (left > 0);
            if (!rc) rc = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
            continue;
        }
        recv_pieces(data, bytes, st.MPI_SOURCE, T_JOB_DATA);
        data[bytes] = '\0';
        if (!rc) {
            if (h[1] != PESIM_OK)
                rc = pesim_error_set(e, (pesim_status)h[1], NULL, 0, "mpi", "rank %d: job %lld: %.*s", st.MPI_SOURCE,
                                     (long long)h[0], (int)(PESIM_MSG_MAX / 2), data);
            else if (h[0] < 0 || h[0] >= n)
                rc = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "rank %d answered job %lld of %d",
                                     st.MPI_SOURCE, (long long)h[0], (int)n);
            else
                rc = done(ctx, (int32_t)h[0], data, bytes, e);
        }
        free(data);
        if (!rc && next < n) SEND_JOB(st.MPI_SOURCE);
    }
#undef SEND_JOB
    return rc;
}

#endif /* PESIM_HAVE_MPI */
