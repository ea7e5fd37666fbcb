/* cli/sweep_inner.h - the points of `pesim sweep --inner ALGO`: each point
 * of a hardware space decoded to its architecture and mapped layer by layer
 * by an inner search (pesim_sweep_point), several points at once on threads.
 * The evaluation step of such a sweep, on one process and on each MPI worker
 * rank (cli/mpi_run.c), so that both compute the very same results. */
#ifndef PESIM_CLI_SWEEP_INNER_H
#define PESIM_CLI_SWEEP_INNER_H

#include <stdint.h>

#include "pesim/search.h"

typedef struct cli_sweep_inner {
    pesim_space *sp;               /* the hardware space (not owned) */
    pesim_network net;             /* its MAC layers (the array is owned) */
    pesim_eval_options eval;       /* objective, weights, area and power budgets */
    pesim_inner_options in;        /* algo, options, budget, seed (strings not owned) */
    int32_t threads;               /* points evaluated at once */
} cli_sweep_inner;

/* Fills *s for the hardware space sp; the strings of in (algo, its options)
 * must outlive *s. PESIM_ERR_NOMEM with e set when memory runs out. */
pesim_status cli_sweep_inner_init(cli_sweep_inner *s, pesim_space *sp, const pesim_eval_options *eval,
                                  const pesim_inner_options *in, int32_t threads, pesim_error *e);
void cli_sweep_inner_free(cli_sweep_inner *s);

/* A pesim_eval_fn (ctx: a cli_sweep_inner): the results of n points (n x
 * n_params hardware choices) at fidelity f, out[i] for point i; a point that
 * does not decode is invalid with the decoder's reason; design_hash is the
 * point's hardware hash. The first error of an inner search ends the call. */
pesim_status cli_sweep_inner_eval(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out);
/* As cli_sweep_inner_eval, with the error's message in *e. */
pesim_status cli_sweep_inner_run(cli_sweep_inner *s, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out, pesim_error *e);

#endif
