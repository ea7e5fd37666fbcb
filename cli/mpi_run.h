/* cli/mpi_run.h - `mpirun -np N pesim search|sweep ...` (docs/cluster.md):
 * rank 0 runs the command (the algorithm or the sweep, the store, every
 * output); the other ranks serve evaluations (pesim/mpi.h) of the spaces
 * rank 0 describes by a recipe, and write nothing. Without MPI, or outside
 * an MPI launcher, or with one rank, the command runs as a plain process. */
#ifndef PESIM_CLI_MPI_RUN_H
#define PESIM_CLI_MPI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "pesim/mpi.h"
#include "pesim/search.h"

/* Runs the subcommand `run` (e.g. the body of `pesim search`) as rank 0, or
 * serves evaluations until rank 0 is done when this is a worker rank, or
 * runs it plainly outside an MPI job. Returns the exit status (a worker's is
 * 0 unless MPI fails). */
int cli_mpi_main(const char *cmd, int (*run)(int argc, char **argv), int argc, char **argv);

/* "in DIR on HOST": where this rank looks for relative paths (for the
 * message of a worker that cannot load its inputs). Returns buf. */
const char *cli_mpi_where(char *buf, size_t n);

/* The worker ranks rank 0 can use (0: none, evaluate here). */
int32_t cli_mpi_workers(void);

/* A recipe: what a worker loads to build the space rank 0 searches. Kinds
 * and fields (NULL or "": not given): "mapping" arch workload layer encoding;
 * "experiment" file arch workload joint(0/1) encoding; "placement" arch
 * workload; "sweep" file arch workload objective inner inner-budget
 * inner-opt seed threads param... (cmd_sweep.c: the points of a sweep, with
 * an inner search per point when inner is given). Returns 0, or -1 when buf is too small. */
int cli_mpi_recipe(char *buf, size_t n, const char *kind, const char *const *fields, int n_fields);

/* The evaluation step of a command: on rank 0 of a job of several ranks, the
 * workers (each opens recipe with eo; sp is rank 0's own space, for the
 * check that they built the same one), else the evaluator ev. */
typedef struct cli_eval_step {
    pesim_eval_fn fn;
    void *ctx;
    pesim_mpi_farm *farm;          /* NULL: ev */
} cli_eval_step;

/* Returns CLI_OK, or prints a message ("cmd: ...") and returns CLI_USAGE (a
 * worker could not build the space: other files on its node?) or CLI_FAIL. */
int cli_eval_step_open(const char *cmd, cli_eval_step *s, pesim_evaluator *ev, const pesim_space *sp,
                       const char *recipe, const pesim_eval_options *eo);
/* As cli_eval_step_open with the local step fn(ctx, ...) instead of an
 * evaluator, and `chunk` candidates per message to a worker (0: about four
 * chunks of each batch per worker). */
int cli_eval_step_open_fn(const char *cmd, cli_eval_step *s, pesim_eval_fn fn, void *ctx, const pesim_space *sp,
                          const char *recipe, const pesim_eval_options *eo, int32_t chunk);
void cli_eval_step_close(cli_eval_step *s);

#endif
