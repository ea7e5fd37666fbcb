/* pesim/net.h - a whole network as one simulation, with memory placement
 * (docs/network.md).
 *
 * Tensors are first-class: the network input, every layer's weights (conv,
 * gemm, layernorm) and every layer's output activation, each with a size, a
 * producer, consumers, a lifetime in steps (step i = layer i, layers in
 * topological order), a home level and an address. A placement
 * (pesim/mapping.h) gives the home levels (and optionally addresses); an
 * allocator places the rest (best fit, largest first, over lifetimes) and
 * checks capacity over time. Each MAC layer then runs its given mapping
 * (pesim_net_set_mapping) or is remapped by the default mapper to respect
 * where its operands live (they are served by their home level)
 * within the room the live tensors leave, and the network runs as one
 * simulation: analytically (a lower bound with the engine's structure), in
 * the cycle engine (state persists from layer to layer) or in the SystemC
 * reference. Layers without MACs run on the arch's vector unit.
 *
 * A pesim_net handle holds the network, the arch and a memo of per-layer
 * mappings; it is not thread-safe: use one handle per thread. */
#ifndef PESIM_NET_H
#define PESIM_NET_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/engine.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_net pesim_net;

typedef struct pesim_net_options {
    int32_t preload_weights;     /* 1: weights resident in their home from the start (an inference
                                  * server's steady state): their load is not charged */
    int32_t rectify;             /* 1: a placement that does not fit is rectified: what does not fit
                                  * is spilled to the next level out, as a compiler would */
    int32_t no_alias;            /* 1: a concat always copies (no address aliasing) */
    int32_t no_prefetch;         /* 1: a weight load never starts before its layer's step */
    pesim_engine_options engine; /* for the cycle engine and SystemC (the engine's trace hook sees every
                                  * layer's events, and "dma" events of loads and copies; its progress hook
                                  * each MAC layer's compute steps) */
    /* Progress over the layers of a cycle-level run (a CLI shows "layer i of
     * n" with the engine's progress inside the layer; the library prints
     * nothing): called before layer `layer` of n_layers runs. NULL: not called. */
    void (*layer_progress)(void *ctx, int32_t layer, int32_t n_layers);
    void *layer_progress_ctx;
} pesim_net_options;

typedef enum pesim_net_fidelity {
    PESIM_NET_ANALYTICAL = 0,    /* the lower bound (docs/network.md "Analytical bound") */
    PESIM_NET_CYCLE,             /* the cycle engine, one run over every layer */
    PESIM_NET_SYSTEMC,           /* the SystemC reference, one run over every layer */
    PESIM_NET_FIDELITY_COUNT
} pesim_net_fidelity;

const char *pesim_net_fidelity_name(pesim_net_fidelity f); /* "analytical", "cycle", "systemc" */

typedef enum pesim_net_tensor_kind {
    PESIM_NET_INPUT = 0,         /* the network input */
    PESIM_NET_WEIGHTS,           /* a layer's weights */
    PESIM_NET_ACTIVATION         /* a layer's output */
} pesim_net_tensor_kind;

/* Tensor ids: 0 is the network input; layer i's weights are 1 + 2i and its
 * output 2 + 2i. A layer without weights has a weights tensor of 0 words,
 * which is never placed. */
#define PESIM_NET_INPUT_TENSOR 0
#define PESIM_NET_WEIGHTS_TENSOR(i) (1 + 2 * (i))
#define PESIM_NET_OUTPUT_TENSOR(i) (2 + 2 * (i))

typedef struct pesim_net_tensor {
    int32_t kind;                /* pesim_net_tensor_kind */
    int32_t layer;               /* weights: their layer; activation: its producer; input: -1 */
    int64_t words;               /* the whole tensor (0: absent) */
    int32_t n_consumers;         /* layers that read it (weights: 1) */
    int32_t first_use, last_use; /* steps of its first and last reader (-1: none) */
    /* As placed and allocated by the last pesim_net_run: */
    int32_t level;               /* home level */
    int32_t placed_level;        /* the level the placement asked for (!= level: spilled) */
    int32_t birth, death;        /* lifetime in steps, inclusive */
    int64_t inst_words;          /* words in each instance of its level: ceil(words / instances) */
    int64_t address;             /* word offset in each instance; -1: not allocated */
    int32_t alias_of;            /* a concat input living inside the concat's output: that tensor, else -1 */
} pesim_net_tensor;

/* One layer of a run. */
typedef struct pesim_net_layer {
    int32_t home[PESIM_NTENSORS]; /* the level of each operand: inputs = input 0, weights = the weights or
                                   * input 1 (a matmul's B, an add's second term), outputs */
    int32_t mapped;              /* 1: a MAC layer and `mapping` holds its mapping */
    pesim_mapping mapping;       /* the given one or the default mapper's, for the homes and the room left */
    pesim_cost cost;             /* the layer's counts, energy and stalls; cycles: its share of the
                                  * network's timeline (the shares sum to the network's cycles) */
    int64_t start_cycle;         /* its first transfer (analytical: the bound's schedule) */
    int64_t end_cycle;           /* its outputs complete (in their home) */
    int64_t compute_start_cycle, compute_end_cycle;
    int64_t bound_cycles;        /* analytical: the layer's own bound (docs) */
    int64_t vector_ops;          /* element operations on the vector unit (fused activation included) */
    int64_t copy_words;          /* concat: words copied (aliased inputs move nothing) */
    int64_t load_words;          /* weights loaded into an on-chip home for this layer */
    int64_t load_end_cycle;      /* that load complete */
    int64_t room_words[PESIM_MAX_LEVELS];    /* per instance: what the live tensors left for staging */
    int64_t staging_words[PESIM_MAX_LEVELS]; /* per instance: what its tiles take (double buffers included) */
    int32_t given;               /* 1: `mapping` is the one pesim_net_set_mapping gave; 0: the default
                                  * mapper's (none given, or the given one is not valid in this run's view) */
} pesim_net_layer;

/* Occupancy of one level during one step, per instance. */
typedef struct pesim_net_occupancy {
    int32_t level, step;
    int64_t live_words;          /* tensors homed there and alive at this step */
    int64_t staging_words;       /* the step's layer's tiles */
    int64_t capacity_words;      /* the level's capacity for tensors (0 = unbounded) */
    int64_t top_address;         /* one past the highest word in use by a live tensor */
} pesim_net_occupancy;

/* A tensor rectification moved. */
typedef struct pesim_net_spill {
    int32_t tensor, from_level, to_level, step;
    int64_t words;
} pesim_net_spill;

typedef struct pesim_net_result {
    int32_t fidelity;            /* pesim_net_fidelity */
    int32_t valid;               /* 0: infeasible, reason and fail_* say why */
    char reason[PESIM_REASON_MAX];
    int32_t fail_tensor;         /* the tensor that does not fit (-1: a layer's mapping) */
    int32_t fail_level;          /* the level */
    int32_t fail_step;           /* the step (layer index) */
    int64_t fail_words_over;     /* per instance: live words - capacity (0: fragmentation, or a layer) */

    int64_t cycles;              /* the network's latency */
    int64_t compute_cycles;      /* MAC array and vector unit busy (the shares' compute) */
    int64_t stall_cycles[PESIM_STALL_COUNT];
    double energy_pj;            /* total, leakage over `cycles` included */
    double energy_mac_pj, energy_vector_pj, energy_noc_pj, energy_leak_pj;
    double energy_level_pj[PESIM_MAX_LEVELS];
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* every layer's, loads and copies included */
    int64_t macs, vector_ops, load_words, copy_words;
    double utilization;          /* macs / (cycles x MAC units) */

    int32_t n_layers;
    pesim_net_layer *layer;      /* n_layers, owned by the handle */
    int32_t n_tensors;
    pesim_net_tensor *tensor;    /* n_tensors, owned by the handle */
    int32_t n_occupancy;
    pesim_net_occupancy *occupancy; /* level-major: [level * n_layers + step] */
    int64_t peak_words[PESIM_MAX_LEVELS];   /* per instance: the most live at any step */
    int64_t top_address[PESIM_MAX_LEVELS];  /* per instance: the most address space used */
    double fragmentation[PESIM_MAX_LEVELS]; /* 1 - peak_words / top_address (0 when nothing there) */

    int32_t rectified;           /* rectification moved tensors */
    int32_t n_spills;
    pesim_net_spill *spill;      /* owned by the handle */
    int64_t spilled_words;
    pesim_placement placement;   /* the placement as run: levels after rectification, addresses */
    pesim_engine_stats stats;    /* cycle and SystemC fidelities */
} pesim_net_result;

/* Builds the handle. Errors (PESIM_ERR_INVALID with a message naming the
 * layer): layers not in topological order, a layer without MACs on an arch
 * without a vector unit, a layer the net cannot cost (an add of more than two
 * inputs, a matmul without two inputs). opt may be NULL (defaults: all 0). */
pesim_status pesim_net_create(const pesim_arch *a, const pesim_network *net, const pesim_net_options *opt,
                              pesim_net **out, pesim_error *e);
void pesim_net_destroy(pesim_net *n);

const pesim_arch *pesim_net_arch(const pesim_net *n);
const pesim_network *pesim_net_network(const pesim_net *n);
int32_t pesim_net_n_tensors(const pesim_net *n);
const pesim_net_tensor *pesim_net_tensor_info(const pesim_net *n, int32_t id);

/* The levels a tensor of this kind may live in, outermost first: the levels
 * above the arch's innermost level with a fan-out (that level stages the
 * array's tiles; it is a home too when only the outermost level is above it)
 * that keep the role (weights; inputs and outputs for activations). Returns
 * the count. */
int pesim_net_home_levels(const pesim_net *n, pesim_net_tensor_kind kind, int32_t levels[PESIM_MAX_LEVELS]);
/* The same for any network on arch a (no handle needed: `pesim info`). */
int pesim_net_arch_home_levels(const pesim_arch *a, pesim_net_tensor_kind kind, int32_t levels[PESIM_MAX_LEVELS]);
/* The levels tensor id may live in, outermost first: the homes of its kind,
 * less those below the vector unit's level when a vector layer reads or
 * writes it (the unit stages its operands' tiles from their homes into its
 * level). Returns the count (0 for an id out of range). */
int pesim_net_tensor_homes(const pesim_net *n, int32_t id, int32_t levels[PESIM_MAX_LEVELS]);

/* Gives MAC layer `layer` a mapping to run (a search's best, a mapping
 * file's) instead of the default mapper's; m NULL takes it back. A run uses
 * it when it is valid on the layer's view (its operands served by their
 * homes: no level from a home outwards stages that operand; each on-chip
 * level's room left by the live tensors), with the bypasses the homes imply;
 * otherwise the default mapper maps the layer on the view, and the layer's
 * `given` is 0. With every tensor in the outermost level and nothing live on
 * chip, the view is the arch: the layer runs the mapping as given and moves
 * the words of its single-layer run. Errors: PESIM_ERR_RANGE (no such
 * layer), PESIM_ERR_INVALID (a layer without MACs; m fails
 * pesim_mapping_check), PESIM_ERR_NOMEM. */
pesim_status pesim_net_set_mapping(pesim_net *n, int32_t layer, const pesim_mapping *m, pesim_error *e);

/* Sets the progress hooks of the runs that follow (until then, those of the
 * options at creation): opt.layer_progress and the engine's progress hook,
 * both called with ctx; NULL for none. A CLI sets them for the one run it
 * shows, not for a placer's many. */
void pesim_net_set_progress(pesim_net *n, void (*layer)(void *ctx, int32_t layer, int32_t n_layers),
                            pesim_engine_progress_fn step, void *ctx);

/* PESIM_OK if every tensor of p lives in one of its homes
 * (pesim_net_tensor_homes) and p has the network's size, as pesim_net_run
 * requires; else PESIM_ERR_INVALID naming the layer (the key), the level and
 * the homes, with the placement entry's line where p was loaded from a file
 * (p->line; the error names no file). Runs nothing: capacity is the run's. */
pesim_status pesim_net_check_placement(pesim_net *n, const pesim_placement *p, pesim_error *e);

/* Evaluates a placement. *out points into the handle and stays valid until
 * the next run or the destroy. An infeasible placement (capacity over time,
 * fragmentation, no mapping in the room left) is a result: valid = 0 with a
 * reason naming tensor, level, step and words over; with opt.rectify it is
 * spilled until it fits and the result says what moved. Errors: a placement
 * of the wrong size, or a home level that cannot hold the tensor
 * (PESIM_ERR_INVALID), the SystemC reference not built or failing. */
pesim_status pesim_net_run(pesim_net *n, const pesim_placement *p, pesim_net_fidelity f,
                           const pesim_net_result **out, pesim_error *e);

/* Everything in the outermost level (DRAM): the all-DRAM baseline. */
pesim_status pesim_net_place_outermost(const pesim_net *n, pesim_placement *out, pesim_error *e);

/* The native-compiler baseline: tensors in topological order (by birth, a
 * layer's weights before its output), each to the fastest (innermost) home
 * level where it fits over its whole lifetime with what is already placed,
 * the allocator finding it an address. Deterministic. */
pesim_status pesim_net_place_greedy(pesim_net *n, pesim_placement *out, pesim_error *e);

/* What pesim_net_place_optimal did. */
typedef struct pesim_net_optimum {
    int32_t exhaustive;          /* 1: every placement evaluated: the evaluator's own optimum; 0: the ILP */
    int32_t proven;              /* exhaustive: a valid placement found; ILP: solved to its gap (1e-4) within
                                  * its node limit (1,000 branch-and-bound nodes), else its best solution then
                                  * (all-outermost if it had none) */
    int64_t evaluated;           /* network runs */
    int64_t predicted_cycles;    /* exhaustive: the optimum's cycles (-1: none valid); ILP: its objective
                                  * (all-outermost cycles + the chosen moves' savings) */
} pesim_net_optimum;

/* The optimum baseline (docs/network.md "Optimum"). When the placement space
 * (the product over the placeable tensors of their home levels) has at most
 * max_evals points, every placement is run at fidelity f and the best valid
 * one (fewest cycles, then least energy) is returned: the exact optimum.
 * Otherwise a 0-1 program solved exactly by GLPK: each tensor's cost in a
 * level is the analytical network cycles with it alone moved there (relative
 * to all-outermost), under capacity over time (live words per instance at
 * every step); tensor interactions, allocation and staging are the
 * evaluator's to check when the placement is run. Deterministic (the ILP stops
 * at a node count, not a time; a 120 s wall-time guard should not bind). Errors:
 * PESIM_ERR_INVALID (the all-outermost placement infeasible), PESIM_ERR_INTERNAL
 * (GLPK found no optimum), those of pesim_net_run. */
pesim_status pesim_net_place_optimal(pesim_net *n, pesim_net_fidelity f, int64_t max_evals, pesim_placement *out,
                                     pesim_net_optimum *info, pesim_error *e);

/* DRAM traffic over time, one bin of a run's timeline [start_cycle,
 * end_cycle). */
typedef struct pesim_net_dram_bin {
    int64_t start_cycle, end_cycle;
    double read_words;           /* words read out of the outermost level (DRAM) */
    double write_words;          /* words written into it (fills and updates) */
} pesim_net_dram_bin;

/* The DRAM traffic of run r (a valid result of pesim_net_run on n) binned
 * over time: the network's cycles cut into at most n_bins equal bins (the
 * last may be shorter), each layer's outermost-level words as the run
 * counted them (its weight loads and copies included: at cycle level the
 * engine's counts) spread evenly over the layer's [start_cycle, end_cycle)
 * (a layer without a span: into the bin where it starts). Bandwidth in words
 * per cycle is a bin's words over its cycles. Fills out[0 .. returned) and
 * returns the bins; 0 for an invalid run, no cycles or n_bins < 1. */
int32_t pesim_net_dram_series(const pesim_net *n, const pesim_net_result *r, int32_t n_bins,
                              pesim_net_dram_bin *out);

/* Per layer, the graph features a learned placer uses (EGRL's GNN). */
typedef struct pesim_net_node {
    int32_t op;                  /* pesim_op */
    int32_t act;                 /* pesim_act applied to the output */
    int32_t position;            /* topological index */
    int32_t n_inputs, n_consumers;
    int32_t birth, death;        /* the output's lifetime in steps (weights not preloaded: [i, i]) */
    int64_t macs, vector_ops;
    int64_t weight_words, input_words, output_words; /* input_words: all inputs' tensors */
} pesim_net_node;

/* Fills nodes[n_layers] and, when edges is not NULL, edges[2 * k] ->
 * edges[2 * k + 1] (producer layer -> consumer layer, the network input as
 * -1) for every data edge; returns the number of edges (at most
 * n_layers * PESIM_MAX_INPUTS). */
int32_t pesim_net_features(const pesim_net *n, pesim_net_node *nodes, int32_t *edges);

#ifdef __cplusplus
}
#endif
#endif
