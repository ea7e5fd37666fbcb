/* pesim/search.h - the search framework: spaces, the evaluator service, the
 * result store and the ask/tell algorithms (DESIGN.md "Search").
 *
 * A space is a vector of categorical parameters (each with its number of
 * choices) plus a decoder to a design (architecture, per-layer mappings,
 * placement) and a validity check, so every algorithm works on every space.
 * Algorithms never call a model: they ask for candidates and are told their
 * costs (Timeloop's Next/Report shape). The evaluator service turns batches of
 * candidates into costs (cache, threads, fidelity per call); the store keeps
 * every evaluation in SQLite so a killed run resumes without loss.
 *
 * Dependency graph: search -> sim. Library code never prints or exits.
 * docs/search.md describes the encodings, the experiment format, the
 * placement cost and the store schema.
 *
 * Changes to the lead's first version (all additive; the "framework" helper
 * owns spaces, evaluator and store and records them here):
 *  - pesim_space_network, pesim_space_describe, pesim_space_n_layers,
 *    pesim_space_layer, pesim_space_arch, pesim_space_network_of;
 *  - pesim_experiment + pesim_experiment_load (what an experiment file says
 *    besides its hardware parameters); pesim_space_from_experiment accepts
 *    base == NULL / net == NULL to load the experiment's own arch/workload;
 *  - pesim_objective_name/parse, pesim_fidelity_name/parse;
 *  - pesim_evaluator_stats, pesim_evaluator_space;
 *  - pesim_store_add_batch, pesim_store_best, pesim_store_path;
 *  - pesim_algo_options.budget and .victory (the algorithms helper);
 *  - pesim_space_hw_n_keys, pesim_space_hw_key, pesim_space_hw_value (the
 *    hardware-sweep helper: the values of a hardware point by key). */
#ifndef PESIM_SEARCH_H
#define PESIM_SEARCH_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/net.h"
#include "pesim/status.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- spaces */

typedef enum pesim_param_kind {
    PESIM_PARAM_TILE = 0,     /* a temporal tile factor of (level, dim) */
    PESIM_PARAM_ORDER,        /* a level's loop order (index of a permutation) */
    PESIM_PARAM_SPATIAL_DIM,  /* the dim unrolled on an axis of a level */
    PESIM_PARAM_SPATIAL_FACTOR, /* the factor unrolled on an axis of a level */
    PESIM_PARAM_BYPASS,       /* keep (0) or bypass (1) a tensor at a level */
    PESIM_PARAM_HARDWARE,     /* a hardware parameter (array rows, buffer size, ...) */
    PESIM_PARAM_PLACEMENT,    /* the level holding a tensor of a network */
    PESIM_PARAM_KIND_COUNT
} pesim_param_kind;

typedef struct pesim_param {
    char name[64];            /* e.g. "GLB.tile.K", "RF.order", "hw.array_rows" */
    pesim_param_kind kind;
    int32_t n_choices;        /* >= 1 */
    int32_t level, dim, tensor, layer; /* what it refers to (-1 when not applicable); layer is an
                                        * index into pesim_space_network_of(s)->layers */
} pesim_param;

typedef struct pesim_space pesim_space; /* opaque */

/* The mapping space of one layer on one architecture: tile factors per level
 * per dim (imperfect ones included), loop order per level, spatial unrolling
 * per fan-out axis, bypass per level and tensor. */
pesim_status pesim_space_mapping(const pesim_arch *a, const pesim_layer *l, pesim_space **out, pesim_error *e);

/* A hardware space declared in an experiment config (parameter -> list of
 * values; see docs/search.md), optionally joint with the mapping space of
 * each layer of `net` (joint = 1). base == NULL / net == NULL: the arch /
 * workload the experiment names. The experiment's `layer`, if any, restricts
 * the space to that layer. Without joint, each layer is mapped by
 * pesim_mapper_default on the decoded arch (a design the mapper cannot map
 * decodes as invalid). */
pesim_status pesim_space_from_experiment(const char *path, const pesim_arch *base, const pesim_network *net,
                                         int joint, pesim_space **out, pesim_error *e);

/* The placement space of a network: for every layer the level holding its
 * output activation, and for every layer with weights the level holding
 * them; a placement costs one whole-network run (pesim/net.h) with weights
 * preloaded (EGRL's setting). The _opts variant takes the whole-network
 * simulation's options. */
pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out,
                                   pesim_error *e);
pesim_status pesim_space_placement_opts(const pesim_arch *a, const pesim_network *net, const pesim_net_options *opt,
                                        pesim_space **out, pesim_error *e);

void pesim_space_destroy(pesim_space *s); /* NULL is a no-op */

/* The mapping space of every MAC layer of a network on one architecture
 * (a whole-network mapping search; costs are summed over MAC layers). */
pesim_status pesim_space_network(const pesim_arch *a, const pesim_network *net, pesim_space **out,
                                 pesim_error *e);

int32_t pesim_space_n_params(const pesim_space *s);
const pesim_param *pesim_space_param(const pesim_space *s, int32_t i);
double pesim_space_log10_size(const pesim_space *s); /* log10 of the product of choices */
/* A one-line description that identifies the space (kind, arch, workload,
 * parameter count and a hash of the parameter list): the store's space key
 * for resume. Owned by the space. */
const char *pesim_space_describe(const pesim_space *s);
/* Mappings of a design are per MAC layer: n_layers of them, the i-th for
 * pesim_space_layer(s, i). */
int32_t pesim_space_n_layers(const pesim_space *s);
const pesim_layer *pesim_space_layer(const pesim_space *s, int32_t i);
const pesim_arch *pesim_space_arch(const pesim_space *s);            /* the base arch */
const pesim_network *pesim_space_network_of(const pesim_space *s);   /* the space's own copy */

/* A decoded design. Mappings are per MAC layer of the space's workload (one
 * for a layer space); `placement` is set for placement spaces. */
typedef struct pesim_design {
    pesim_arch arch;
    int32_t n_layers;
    pesim_mapping *mappings;  /* owned by the space's scratch; copy to keep */
    pesim_placement placement;
    uint64_t hash;            /* of the decoded design (the evaluator's cache key) */
} pesim_design;

/* Decodes a candidate (one choice index per parameter). Returns 1 if it is
 * valid (structurally; capacity is the evaluator's), else 0 with a reason.
 * The design's arrays live until the next decode on the same space. */
int pesim_space_decode(pesim_space *s, const int32_t *choices, pesim_design *d, char *reason, size_t n);

/* Encodes a design back to choices when it is in the space (tests, seeding).
 * Returns 1 and fills choices (n_params entries) if decode(choices) gives the
 * same design (same hash), else 0. For hardware-only spaces the mappings are
 * ignored (they are the default mapper's). */
int pesim_space_encode(const pesim_space *s, const pesim_design *d, int32_t *choices);

/* Hardware parameters (kind PESIM_PARAM_HARDWARE; params [0, n) of a
 * hardware or joint space): how many arch keys parameter `param` sets (1, or
 * a tuple's keys; 0 if it is not a hardware parameter), the text of its
 * key-th key as the experiment wrote it ("BUF.fanout_x"; NULL when out of
 * range), and the value that choice `choice` gives that key as text ("16",
 * "4.5", "rs", "KC", "true"; returns 0 and writes "" when out of range). */
int32_t pesim_space_hw_n_keys(const pesim_space *s, int32_t param);
const char *pesim_space_hw_key(const pesim_space *s, int32_t param, int32_t key);
int pesim_space_hw_value(const pesim_space *s, int32_t param, int32_t key, int32_t choice, char *buf, size_t n);

/* ------------------------------------------------------- the evaluator */

typedef enum pesim_fidelity { PESIM_FIDELITY_ANALYTICAL = 0, PESIM_FIDELITY_CYCLE } pesim_fidelity;
typedef enum pesim_objective {
    PESIM_OBJ_LATENCY = 0, PESIM_OBJ_ENERGY, PESIM_OBJ_EDP, PESIM_OBJ_WEIGHTED
} pesim_objective;

const char *pesim_objective_name(pesim_objective o);   /* "latency", "energy", "edp", "weighted" */
int pesim_objective_parse(const char *s);              /* -1 if unknown */
const char *pesim_fidelity_name(pesim_fidelity f);     /* "analytical", "cycle" */
int pesim_fidelity_parse(const char *s);               /* -1 if unknown */

typedef struct pesim_eval_options {
    pesim_objective objective;
    double w_latency, w_energy, w_area;  /* PESIM_OBJ_WEIGHTED: weights of log-normalised terms */
    double area_budget_um2;              /* 0 = none; over budget is invalid */
    double power_budget_mw;              /* 0 = none */
    int32_t threads;                     /* worker threads (0 = 1), the calling thread included */
    int32_t cache_entries;               /* 0 = default (65536) */
} pesim_eval_options;

/* One evaluated candidate. objective is lower-better; an invalid candidate
 * has valid = 0, a reason and objective = PESIM_INVALID_PENALTY. */
#define PESIM_INVALID_PENALTY 1e300
typedef struct pesim_result {
    int32_t valid;
    char reason[PESIM_REASON_MAX];
    double objective;
    int64_t cycles;
    double energy_pj;
    double area_um2;
    uint64_t design_hash;
    pesim_fidelity fidelity;
    double wall_s;                       /* evaluation time (0 on a cache hit) */
    int32_t cached;
} pesim_result;

typedef struct pesim_evaluator pesim_evaluator; /* opaque: space + workload + options + cache + pool */

/* The space is not owned (destroy the evaluator first). net may be NULL: the
 * space holds its own copy of the workload; if given, it must have the same
 * number of layers. opt NULL = defaults (latency, 1 thread). */
pesim_status pesim_evaluator_create(pesim_space *s, const pesim_network *net, const pesim_eval_options *opt,
                                    pesim_evaluator **out, pesim_error *e);
void pesim_evaluator_destroy(pesim_evaluator *ev); /* NULL is a no-op */

/* Evaluates n candidates (n x n_params choices, row-major) at a fidelity;
 * out[i] is candidate i's result whatever the number of threads. Costs of a
 * network are sums over its MAC layers; a placement is one whole-network
 * run (pesim/net.h) at either fidelity. PESIM_ERR_INVALID for bad
 * arguments. Not reentrant on one evaluator. */
pesim_status pesim_evaluator_run(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out);

typedef struct pesim_eval_stats {
    int64_t requested;        /* candidates passed to pesim_evaluator_run */
    int64_t cache_hits;       /* of which answered from the cache */
    int64_t evaluated;        /* designs actually evaluated (model / engine calls per design) */
    int64_t invalid;          /* results with valid = 0 */
} pesim_eval_stats;
void pesim_evaluator_stats(const pesim_evaluator *ev, pesim_eval_stats *out);
pesim_space *pesim_evaluator_space(const pesim_evaluator *ev);

/* ----------------------------------------------------- experiments */

/* What an experiment file (docs/search.md) says besides its hardware
 * parameters. Paths are as resolved: relative ones are taken from the
 * current directory if the file exists there, else from the experiment
 * file's directory. Strings are "" and numbers 0 when the file omits them. */
typedef struct pesim_experiment {
    char name[PESIM_NAME_MAX];
    char arch_path[PESIM_PATH_MAX];
    char workload_path[PESIM_PATH_MAX];
    char layer[PESIM_NAME_MAX];          /* restricts the space to one layer */
    int32_t joint;                       /* 1: hardware + each layer's mapping parameters */
    pesim_eval_options eval;             /* objective, weights, budgets (threads, cache: 0) */
    char algo[32];                       /* search defaults for the CLI */
    int64_t budget;
    uint64_t seed;
    int32_t n_params;                    /* hardware parameters declared */
} pesim_experiment;

pesim_status pesim_experiment_load(const char *path, pesim_experiment *out, pesim_error *e);

/* -------------------------------------------------------- the store */

typedef struct pesim_store pesim_store; /* opaque: one SQLite file (WAL) per campaign */

/* Opens or creates a store. A locked, read-only or corrupt file is an error
 * that names the file and touches nothing. */
pesim_status pesim_store_open(const char *path, pesim_store **out, pesim_error *e);
void pesim_store_close(pesim_store *st);

/* Starts a run (algorithm, space description, seed, budget, full config
 * text) or, with resume, finds the matching unfinished run; *run_id gets it
 * and *done the evaluations it already has. */
pesim_status pesim_store_begin_run(pesim_store *st, const char *algo, const char *space_desc, uint64_t seed,
                                   int64_t budget, const char *config_text, int resume, int64_t *run_id,
                                   int64_t *done, pesim_error *e);
/* Records one evaluation durably (committed before it returns). */
pesim_status pesim_store_add(pesim_store *st, int64_t run_id, int64_t sample, const int32_t *choices,
                             int32_t n_params, const pesim_result *r, pesim_error *e);
/* Records n evaluations (samples first_sample .. first_sample + n - 1,
 * choices n x n_params) in one transaction: all or none are kept. */
pesim_status pesim_store_add_batch(pesim_store *st, int64_t run_id, int64_t first_sample, int32_t n,
                                   const int32_t *choices, int32_t n_params, const pesim_result *r,
                                   pesim_error *e);
/* The run's best valid evaluation (lowest objective, earliest on ties):
 * *found = 0 when it has none. choices (n_params entries) may be NULL. */
pesim_status pesim_store_best(pesim_store *st, int64_t run_id, int32_t n_params, int32_t *choices,
                              pesim_result *r, int64_t *sample, int *found, pesim_error *e);
const char *pesim_store_path(const pesim_store *st);
/* Replays a run's evaluations in order (for resume: the algorithm is told
 * them again without re-evaluating). */
pesim_status pesim_store_replay(pesim_store *st, int64_t run_id, int32_t n_params,
                                void (*fn)(void *ctx, int64_t sample, const int32_t *choices,
                                           const pesim_result *r),
                                void *ctx, pesim_error *e);
pesim_status pesim_store_finish_run(pesim_store *st, int64_t run_id, pesim_error *e);

/* ---------------------------------------------------------- algorithms */

typedef struct pesim_algo pesim_algo; /* opaque */

typedef struct pesim_algo_options {
    int32_t batch;            /* candidates per ask (0 = the algorithm's default) */
    int32_t population;       /* GA population (0 = default) */
    double temperature;       /* SA initial temperature (0 = default) */
    int64_t budget;           /* evaluations the caller will request (0 = unknown): sizes the GA's
                                 population and generations and the SA cooling schedule */
    int32_t victory;          /* timeloop: stop after this many consecutive valid samples without
                                 improvement (0 = 500, Timeloop's usual setting) */
} pesim_algo_options;

/* Names: "exhaustive", "random", "annealing", "genetic", "timeloop" (and the
 * learned ones of later issues). PESIM_ERR_INVALID for an unknown name;
 * PESIM_ERR_RANGE from "exhaustive" for a space of more than 1e7 points.
 * The handle owns a gsl_rng seeded from `seed`: the same seed, space and
 * sequence of ask sizes give the same candidates (docs/search.md,
 * "Algorithms"). */
pesim_status pesim_algo_create(const char *name, const pesim_space *s, uint64_t seed,
                               const pesim_algo_options *opt, pesim_algo **out, pesim_error *e);
void pesim_algo_destroy(pesim_algo *al);
/* Proposes up to max candidates into choices (max x n_params); returns how
 * many (0: the algorithm has nothing more to propose, e.g. exhaustive done;
 * also 0 while candidates of the previous ask have not all been told). */
int32_t pesim_algo_ask(pesim_algo *al, int32_t *choices, int32_t max);
/* Reports the results of candidates (in any order, each exactly once; the
 * algorithm sees an ask's results together, in ask order, once all are told).
 * Candidates it did not propose are taken as observations. */
void pesim_algo_tell(pesim_algo *al, const int32_t *choices, const pesim_result *r, int32_t n);
/* Names of the registered algorithms, NULL-terminated. */
const char *const *pesim_algo_names(void);

#ifdef __cplusplus
}
#endif
#endif
