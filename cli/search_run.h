/* cli/search_run.h - one search for `pesim search`: the ask / evaluate /
 * store / tell loop on any space (cli_search_space: a layer's mapping space,
 * an experiment's hardware or joint space, a placement space), resume from
 * the store, the convergence CSV, the progress line, SIGINT; and one layer's
 * mapping search on top of it (cli_search_layer: the best mapping's file). */
#ifndef PESIM_CLI_SEARCH_RUN_H
#define PESIM_CLI_SEARCH_RUN_H

#include <signal.h>
#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/search.h"
#include "pesim/workload.h"

#include "progress.h"

#define SEARCH_PATH_MAX 1024

/* The options of a search, checked. */
typedef struct search_args {
    const char *algo;
    int64_t budget;                /* evaluations per layer */
    uint64_t seed;
    pesim_objective objective;
    pesim_fidelity fidelity;
    int32_t threads, batch;
    int resume;
    const char *out_dir;           /* mappings and convergence CSVs */
    const char *arch_path, *workload_path;
} search_args;

/* What one search (of a layer, or of a whole design) did. */
typedef struct search_layer {
    const pesim_layer *layer;      /* the layer of a mapping search, else NULL */
    const char *name;              /* the layer's name, or the search's (progress, messages) */
    int found;                     /* a valid candidate was evaluated */
    pesim_result best;             /* the first of the lowest objective */
    int64_t best_sample;
    int64_t samples;               /* evaluations in the run (replayed ones included) */
    int64_t valid;                 /* of which valid */
    int64_t replayed;              /* taken from the store on --resume */
    int64_t run_id;
    int algo_done;                 /* the algorithm stopped before the budget */
    int interrupted;               /* SIGINT stopped it */
    double wall_s;
    char mapping_file[SEARCH_PATH_MAX]; /* "" when nothing valid was found */
    char csv_file[SEARCH_PATH_MAX];
} search_layer;

/* The progress of a whole search (every layer), for the progress line. */
typedef struct search_progress {
    cli_progress line;             /* on: stderr is a terminal */
    double t0, shown_at;           /* start; when the line was last drawn (seconds) */
    int32_t nth, of;               /* the layer being searched: nth of `of` */
    int64_t total;                 /* samples of the whole search: budget x layers */
    int64_t before;                /* samples of the layers already searched */
    int64_t fresh;                 /* samples evaluated (not replayed) so far */
} search_progress;

/* Starts the progress of a search of `layers` layers. */
void cli_search_progress_start(search_progress *p, int64_t budget, int32_t layers);

/* Set by the SIGINT handler; the loop checks it between batches. */
extern volatile sig_atomic_t cli_search_stop;

/* What a search of a space needs besides the options. */
typedef struct search_spec {
    const pesim_layer *layer;      /* a layer's mapping search, else NULL */
    const char *name;              /* progress and messages */
    const char *csv_name;          /* the convergence CSV is DIR/<csv_name>.csv */
    const char *config;            /* the command line, recorded with the run */
    const char *key_extra;         /* appended to the store's space key (may be NULL) */
    pesim_eval_options eval;       /* objective, weights, budgets; threads are a->threads */
} search_spec;

/* Runs the ask / evaluate / store / tell loop of one search of sp (not
 * owned) with a's algorithm, budget, seed, batch and fidelity, recording into
 * st and updating the progress p. best_x (n_params entries) gets the best
 * candidate when out->found. The store's run is left running (see below).
 * Returns CLI_OK (*out filled, also when interrupted), CLI_USAGE (an algorithm
 * that refuses the space, a store that does not match the run) or CLI_FAIL,
 * with a message printed. */
int cli_search_space(const search_args *a, pesim_space *sp, const search_spec *spec, pesim_store *st,
                     search_progress *p, search_layer *out, int32_t *best_x);

/* Searches layer l on arch, recording into st; updates the progress p
 * (p->nth, p->of name the layer; p->before grows by its samples). The store's run is left running: the caller
 * finishes the runs of every layer once the whole search is complete, so
 * that --resume of a network finds the runs of the layers already done and
 * replays them instead of searching them again. Returns CLI_OK (*out filled, also when
 * interrupted), CLI_USAGE (bad input: an algorithm that refuses the space, a
 * store that does not match the run) or CLI_FAIL, with a message printed. */
int cli_search_layer(const search_args *a, const pesim_arch *arch, const pesim_layer *l, pesim_store *st,
                     search_progress *p, search_layer *out);

#endif
