/* cli/search_run.h - one search for `pesim search`, on the library's campaign
 * loop (pesim_campaign_*: ask / evaluate / store / tell, resume): the
 * options, the convergence CSV, the progress line, SIGINT; and one layer's
 * mapping search on top of it (cli_search_layer: the best mapping's file). */
#ifndef PESIM_CLI_SEARCH_RUN_H
#define PESIM_CLI_SEARCH_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/search.h"
#include "pesim/workload.h"

#include "paths.h"
#include "progress.h"

#define SEARCH_PATH_MAX 1024
#define SEARCH_MAX_ALGO_OPTS 32

/* The options of a search, checked. */
typedef struct search_args {
    const char *algo;
    const char *algo_kv[SEARCH_MAX_ALGO_OPTS]; /* --algo-opt, split at commas */
    int32_t n_algo_kv;
    char algo_kv_buf[1024];
    const char *algo_opt_text;     /* --algo-opt as given (NULL: none) */
    int64_t budget;                /* evaluations per layer */
    uint64_t seed;
    pesim_objective objective;
    pesim_fidelity fidelity;
    int32_t threads, batch;
    pesim_run_mode mode;           /* --resume, --new-run */
    pesim_space_options encoding;  /* --encoding */
    const char *encoding_text;     /* --encoding as given (NULL: none) */
    const char *out_dir;           /* mappings and convergence CSVs */
    const char *arch_path, *workload_path;
    const char *agents;            /* --agents K|auto (marl), NULL: the algorithm's default */
    char agents_kv[32];            /* its "agents=K" */
    const char *policy_in;         /* --policy-in FILE (rl, marl): start from a saved policy */
    int distribute;                /* --distribute: a cli_distribute (search_split.h) */
    int by_seed;                   /* one seed of several (--seeds): runs are found by seed too */
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
    int64_t worker_evals;          /* evaluated on MPI worker ranks (0: all here) */
    double wall_s;
    int64_t predictions;           /* designs the algorithm had predicted outside the budget (ARCO) */
    char mapping_file[SEARCH_PATH_MAX]; /* "" when nothing valid was found */
    char csv_file[SEARCH_PATH_MAX];
    const char *policy_in;         /* --policy-in the search started from (NULL: none) */
    char policy_fnv1a64[24];       /* its content hash, as the store records it */
} search_layer;

/* The progress of a whole search (every layer), for the progress line. */
typedef struct search_progress {
    cli_progress line;             /* on: stderr is a terminal */
    double t0, shown_at;           /* start; when the line was last drawn (seconds) */
    int32_t nth, of;               /* the layer being searched: nth of `of` */
    int64_t total;                 /* samples of the whole search: budget x layers */
    int64_t before;                /* samples of the layers already searched */
    int64_t fresh;                 /* samples evaluated (not replayed) so far */
    uint64_t seed;                 /* --seeds: the seed being searched, */
    int32_t seed_nth, seed_of;     /* the nth of seed_of (0: one seed) */
    int32_t jobs_done, jobs;       /* whole searches on MPI workers: done of all (0: none) */
    int32_t seeds_done;            /* seeds whose every search is done (whole searches) */
} search_progress;

/* Starts the progress of a search of `layers` layers. */
void cli_search_progress_start(search_progress *p, int64_t budget, int32_t layers);
/* Draws the progress line (terminal only; from the line's delay on, at most
 * ten times a second; `force`: also within a tenth of a second of the last
 * one): the search `name`, the seed and layer (or the whole searches done
 * on MPI workers), samples done of the total, the rate of fresh samples,
 * ETA, the best objective so far when found. */
void cli_search_progress_show(search_progress *p, const char *name, int64_t samples, int found, double best,
                              int force);

/* Set by the SIGINT handler; the campaign polls it between batches. */
extern volatile sig_atomic_t cli_search_stop;

/* What a search of a space needs besides the options. */
typedef struct search_spec {
    const pesim_layer *layer;      /* a layer's mapping search, else NULL */
    const char *name;              /* progress and messages */
    const char *label;             /* the run's label in the store */
    const char *stem;              /* the convergence CSV is DIR/<stem>.csv */
    const char *config;            /* the command line, recorded with the run */
    pesim_eval_options eval;       /* objective, weights, budgets; threads are a->threads */
    const char *recipe;            /* how MPI worker ranks build the space (cli_mpi_recipe; NULL: here only) */
} search_spec;

/* The campaign options of a search: a's algorithm, options, seed, budget,
 * batch, fidelity, threads and run mode, the evaluation options eval, the
 * run's label and config (not copied). */
void cli_search_campaign_options(const search_args *a, const pesim_eval_options *eval, const char *label,
                                 const char *config, pesim_campaign_options *co);

/* Runs one campaign on sp (not owned) with a's algorithm, options, budget,
 * seed, batch, fidelity and run mode, recording into st and updating the
 * progress p. best_x (n_params entries) gets the best candidate when
 * out->found. The store's run is left running (the caller finishes it).
 * Returns CLI_OK (*out filled, also when interrupted), CLI_USAGE (an
 * algorithm or option the space refuses, a resume refused) or CLI_FAIL, with
 * a message printed. */
int cli_search_space(const search_args *a, pesim_space *sp, const search_spec *spec, pesim_store *st,
                     search_progress *p, search_layer *out, int32_t *best_x);

/* Searches layer l on arch, recording into st; updates the progress p
 * (p->nth, p->of name the layer; p->before grows by its samples); its files
 * are DIR/<stem>.cfg and .csv, stems from names. The store's run is left
 * running: the caller finishes the runs of every layer once the whole search
 * is complete, so that --resume of a network finds the runs of the layers
 * already done and replays them instead of searching them again. Returns as
 * cli_search_space. */
int cli_search_layer(const search_args *a, const pesim_arch *arch, const pesim_layer *l, pesim_store *st,
                     cli_names *names, search_progress *p, search_layer *out);

/* The convergence CSV of a search: its header line and one row (sample,
 * validity, objective, the best objective so far, cycles, energy, why
 * invalid). */
#define CLI_SEARCH_CSV_HEADER "sample,valid,objective,best_objective,cycles,energy_pj,violation,reason\n"
void cli_search_csv_row(FILE *f, int64_t sample, const pesim_result *r, int found, double best);

/* The command line recorded with layer l's run in the store. */
void cli_search_layer_config(const search_args *a, const pesim_layer *l, char *buf, size_t n);

/* Writes the mapping of best_x (a candidate of sp, layer out->layer's
 * mapping space on arch) to DIR/<stem>.cfg, named in out->mapping_file
 * ("" on failure). Returns CLI_OK, or the exit status after a message. */
int cli_search_write_best(const search_args *a, pesim_space *sp, const pesim_arch *arch, const int32_t *best_x,
                          const char *stem, search_layer *out);

/* Splits --algo-opt "k=v,k=v" into a->algo_kv and checks every key against
 * the algorithm's table ("help" lists it on stdout and returns CLI_OK with
 * *help_shown = 1), then adds --agents as "agents=K" (marl only) and checks
 * that --policy-in goes with rl or marl. Returns CLI_OK or CLI_USAGE with a
 * message naming the key, with a suggestion. */
int cli_search_algo_opts(search_args *a, const char *text, int *help_shown);

#endif
