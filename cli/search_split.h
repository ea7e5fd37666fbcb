/* cli/search_split.h - `mpirun -np N pesim search` over a whole workload with
 * whole searches on the workers (--distribute searches, docs/cluster.md):
 * each MAC layer's search runs from start to end on one worker rank (the
 * algorithm included), the next layer to whichever worker finishes first;
 * rank 0 settles the runs in the store in layer order, stores each layer's
 * evaluations as they arrive and writes the convergence CSV and the best
 * mapping, exactly as the single-process search would. */
#ifndef PESIM_CLI_SEARCH_SPLIT_H
#define PESIM_CLI_SEARCH_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/search.h"
#include "pesim/workload.h"

#include "paths.h"
#include "search_run.h"

/* How `pesim search` uses MPI worker ranks (--distribute). */
typedef enum cli_distribute {
    CLI_DISTRIBUTE_AUTO = 0,
    CLI_DISTRIBUTE_BATCHES,        /* every search on rank 0, its batches on the workers */
    CLI_DISTRIBUTE_SEARCHES        /* whole searches (layers) on the workers */
} cli_distribute;

/* Parses "auto", "batches" or "searches"; -1 otherwise. */
int cli_distribute_parse(const char *s);

/* Whether the searches of n_layers layers for each of n_seeds seeds go
 * whole to the workers: never without workers or for the learned algorithms
 * (their policy files are written where the algorithm ran: rank 0) or with
 * --policy-in; with AUTO, when there are at least two searches and the
 * evaluations are analytical (cheap: a batch's round trip and the serial
 * algorithm on rank 0 would dominate), or, with several seeds, at least as
 * many searches as workers (each worker busy with whole searches). */
int cli_search_split(const search_args *a, cli_distribute d, int32_t n_layers, int32_t n_seeds);

/* Rank 0: searches layers[0..n) (MAC layers of arch's network) on the
 * workers for each of the n_seeds seeds' options as[k] (their seed and DIR;
 * the rest alike), recording into st (may be NULL); out[k * n + i] as
 * cli_search_layer's for layer i of seed k, files DIR/<stem>.cfg and .csv
 * (stems from names, the same in every seed's DIR). The runs are settled in
 * the store in seed, then layer order (one process's run ids); a resumed
 * run that has the whole budget stored is not searched again (its outputs
 * come from the store). The runs are left running (the caller finishes
 * them). Returns CLI_OK, CLI_USAGE (a run the store refuses to resume, a
 * worker that cannot load the inputs) or CLI_FAIL, with a message printed;
 * *done gets the number of out[] entries filled in order. */
int cli_search_layers_split(const search_args *as, int32_t n_seeds, const pesim_arch *arch,
                            const pesim_layer *const *layers, int32_t n, pesim_store *st, cli_names *names,
                            search_progress *p, search_layer *out, int32_t *done);

/* A worker rank's job (pesim_mpi_job_fn): one layer's whole search. */
pesim_status cli_search_layer_job(void *ctx, const char *job, void **data, size_t *bytes, pesim_error *e);

#endif
