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
 * Dependency graph: search -> sim. Library code never prints or exits. */
#ifndef PESIM_SEARCH_H
#define PESIM_SEARCH_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
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
    int32_t level, dim, tensor, layer; /* what it refers to (-1 when not applicable) */
} pesim_param;

typedef struct pesim_space pesim_space; /* opaque */

/* The mapping space of one layer on one architecture: tile factors per level
 * per dim (imperfect ones included), loop order per level, spatial unrolling
 * per fan-out axis, bypass per level and tensor. */
pesim_status pesim_space_mapping(const pesim_arch *a, const pesim_layer *l, pesim_space **out, pesim_error *e);

/* A hardware space declared in an experiment config (parameter -> list of
 * values; see docs/search.md), optionally joint with the mapping space of
 * each layer of `net` (joint = 1). */
pesim_status pesim_space_from_experiment(const char *path, const pesim_arch *base, const pesim_network *net,
                                         int joint, pesim_space **out, pesim_error *e);

/* The placement space of a network: for each MAC layer, the level holding
 * its weights and the level holding its output activation. */
pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out,
                                   pesim_error *e);

void pesim_space_destroy(pesim_space *s); /* NULL is a no-op */

int32_t pesim_space_n_params(const pesim_space *s);
const pesim_param *pesim_space_param(const pesim_space *s, int32_t i);
double pesim_space_log10_size(const pesim_space *s); /* log10 of the product of choices */

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

/* Encodes a design back to choices when it is in the space (tests, seeding). */
int pesim_space_encode(const pesim_space *s, const pesim_design *d, int32_t *choices);

/* ------------------------------------------------------- the evaluator */

typedef enum pesim_fidelity { PESIM_FIDELITY_ANALYTICAL = 0, PESIM_FIDELITY_CYCLE } pesim_fidelity;
typedef enum pesim_objective {
    PESIM_OBJ_LATENCY = 0, PESIM_OBJ_ENERGY, PESIM_OBJ_EDP, PESIM_OBJ_WEIGHTED
} pesim_objective;

typedef struct pesim_eval_options {
    pesim_objective objective;
    double w_latency, w_energy, w_area;  /* PESIM_OBJ_WEIGHTED: weights of log-normalised terms */
    double area_budget_um2;              /* 0 = none; over budget is invalid */
    double power_budget_mw;              /* 0 = none */
    int32_t threads;                     /* worker threads (0 = 1) */
    int32_t cache_entries;               /* 0 = default */
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

pesim_status pesim_evaluator_create(pesim_space *s, const pesim_network *net, const pesim_eval_options *opt,
                                    pesim_evaluator **out, pesim_error *e);
void pesim_evaluator_destroy(pesim_evaluator *ev);

/* Evaluates n candidates (n x n_params choices, row-major) at a fidelity. */
pesim_status pesim_evaluator_run(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out);

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
} pesim_algo_options;

/* Names: "exhaustive", "random", "annealing", "genetic", "timeloop" (and the
 * learned ones of later issues). PESIM_ERR_INVALID for an unknown name. */
pesim_status pesim_algo_create(const char *name, const pesim_space *s, uint64_t seed,
                               const pesim_algo_options *opt, pesim_algo **out, pesim_error *e);
void pesim_algo_destroy(pesim_algo *al);
/* Proposes up to max candidates into choices (max x n_params); returns how
 * many (0: the algorithm has nothing more to propose, e.g. exhaustive done). */
int32_t pesim_algo_ask(pesim_algo *al, int32_t *choices, int32_t max);
/* Reports the results of candidates (in any order, each exactly once). */
void pesim_algo_tell(pesim_algo *al, const int32_t *choices, const pesim_result *r, int32_t n);
/* Names of the registered algorithms, NULL-terminated. */
const char *const *pesim_algo_names(void);

#ifdef __cplusplus
}
#endif
#endif
