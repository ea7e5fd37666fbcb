/* pesim/mpi.h - evaluations across the ranks of an Open MPI job
 * (docs/cluster.md).
 *
 * Rank 0 runs the algorithm (or the sweep) and owns the result store; every
 * other rank is a worker that evaluates candidates and sends back their
 * results. Rank 0 hands a batch out in chunks, a chunk to whichever worker
 * asks next (two chunks in flight per worker, so that none waits for the
 * round trip), so that cheap and expensive candidates balance; each worker
 * evaluates a chunk on its own threads (ranks x threads). A result depends
 * only on the candidate, so a batch's results are the same on any number of
 * ranks, in input order. Whole, independent pieces of work (a layer's whole
 * search, a seed) go to the workers as jobs (pesim_mpi_jobs): one at a time
 * per worker, the next to whichever finishes first, each answered with the
 * bytes the worker's job function made.
 *
 * What a worker evaluates is described by a recipe, a text that rank 0 sends
 * and the worker's open function turns into an evaluation step (typically:
 * load the same files, build the same space, create an evaluator); the
 * worker answers with a description (pesim_space_describe) that rank 0
 * compares with its own, so that a worker that built another space (other
 * files on its node) is refused instead of returning wrong costs.
 *
 * Messages carry structs as bytes: every rank runs the same pesim binary on
 * machines of the same byte order and ABI. Only the calling thread makes MPI
 * calls (MPI_THREAD_FUNNELED).
 *
 * Built with Open MPI when CMake finds it (PESIM_HAVE_MPI); without it every
 * function exists, pesim_mpi_size is 1 and the farm functions return
 * PESIM_ERR_INVALID ("built without MPI"). */
#ifndef PESIM_MPI_H
#define PESIM_MPI_H

#include <stdint.h>

#include "pesim/search.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when pesim was built with MPI. */
int pesim_mpi_built(void);
/* 1 when the environment says this process is a rank of a job started by an
 * MPI launcher (mpirun / mpiexec: OMPI_COMM_WORLD_SIZE; srun and other PMIx or
 * PMI launchers: PMIX_RANK, PMI_RANK), whether or not pesim was built with
 * MPI. A plain `pesim ...` is not, and never initialises MPI. */
int pesim_mpi_launched(void);
/* Initialises MPI (MPI_THREAD_FUNNELED) when built with it and launched;
 * otherwise does nothing. Idempotent. */
pesim_status pesim_mpi_init(int *argc, char ***argv, pesim_error *e);
/* This process's rank and the job's size: 0 and 1 when MPI is not initialised. */
int pesim_mpi_rank(void);
int pesim_mpi_size(void);
/* Rank 0 tells every worker to leave pesim_mpi_serve; every rank then
 * finalises MPI. A no-op when MPI is not initialised. */
void pesim_mpi_finalize(void);

/* ------------------------------------------------------------ workers */

/* What a worker evaluates: results of n candidates (n x n_params) through
 * fn(ctx, ...), and a description rank 0 compares with its own. */
#define PESIM_MPI_DESCRIBE_MAX 1024
typedef struct pesim_mpi_step {
    pesim_eval_fn fn;
    void *ctx;
    int32_t n_params;
    char describe[PESIM_MPI_DESCRIBE_MAX];
} pesim_mpi_step;

/* Builds the step of a recipe with the evaluation options eo (objective,
 * weights, budgets, threads of this rank); a failure is reported to rank 0
 * with e's message. */
typedef pesim_status (*pesim_mpi_open_fn)(void *ctx, const char *recipe, const pesim_eval_options *eo,
                                          pesim_mpi_step *step, pesim_error *e);
/* Releases what open built. */
typedef void (*pesim_mpi_close_fn)(void *ctx, pesim_mpi_step *step);

/* Runs a whole job (pesim_mpi_jobs) described by a text, and returns what
 * rank 0 receives: *data (malloc'd; the caller frees it) of *bytes bytes.
 * A failure is reported to rank 0 with e's message. */
typedef pesim_status (*pesim_mpi_job_fn)(void *ctx, const char *job, void **data, size_t *bytes, pesim_error *e);

/* A worker's loop (ranks > 0): opens a step when rank 0 opens a farm,
 * evaluates the chunks it is sent, closes it with the farm, runs the jobs it
 * is sent through job (NULL: a job fails), and returns PESIM_OK when rank 0
 * finalises. PESIM_ERR_INVALID on rank 0 or without MPI. */
pesim_status pesim_mpi_serve_jobs(pesim_mpi_open_fn open, pesim_mpi_close_fn close, pesim_mpi_job_fn job, void *ctx,
                                  pesim_error *e);
/* pesim_mpi_serve_jobs without jobs. */
pesim_status pesim_mpi_serve(pesim_mpi_open_fn open, pesim_mpi_close_fn close, void *ctx, pesim_error *e);

/* ------------------------------------------------------------ rank 0 */

typedef struct pesim_mpi_farm pesim_mpi_farm; /* opaque: the workers with one recipe open */

typedef struct pesim_mpi_farm_stats {
    int64_t candidates;            /* evaluated on the workers */
    int64_t chunks;
    int64_t batches;               /* calls of pesim_mpi_farm_eval */
} pesim_mpi_farm_stats;

/* Rank 0 of a job of at least two ranks: every worker opens recipe with eo
 * and must answer n_params and describe (NULL: not compared).
 * chunk: candidates per message (0: a batch of n in about 4 chunks per worker;
 * at least 1). Errors name the worker rank and its message. */
pesim_status pesim_mpi_farm_open(const char *recipe, const pesim_eval_options *eo, int32_t n_params,
                                 const char *describe, int32_t chunk, pesim_mpi_farm **out, pesim_error *e);
/* A pesim_eval_fn (ctx: the farm): the results of n candidates, out[i] for
 * candidate i. The first status other than PESIM_OK a worker's step returned
 * (every chunk is still evaluated and received). */
pesim_status pesim_mpi_farm_eval(void *farm, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out);
/* Workers' evaluations so far. */
pesim_mpi_farm_stats pesim_mpi_farm_get_stats(const pesim_mpi_farm *farm);
/* The workers close the step and wait for the next recipe. NULL is a no-op. */
void pesim_mpi_farm_close(pesim_mpi_farm *farm);

/* Called on rank 0 as each job's data arrives (in completion order, not job
 * order); a status other than PESIM_OK (with e set) stops handing out jobs. */
typedef pesim_status (*pesim_mpi_done_fn)(void *ctx, int32_t job, const void *data, size_t bytes, pesim_error *e);

/* Rank 0 of a job of at least two ranks: runs the n jobs (texts) on the
 * workers, one job per worker at a time, the next job to whichever worker
 * finishes first (dynamic load balancing of whole, independent pieces of
 * work: searches of layers, seeds), and hands each job's data to done.
 * Returns PESIM_OK, the first error of done, or the first error of a job
 * ("rank W: job J: message"); the jobs already running are still received. */
pesim_status pesim_mpi_jobs(int32_t n, const char *const *jobs, pesim_mpi_done_fn done, void *ctx, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
