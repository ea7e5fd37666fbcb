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
 * The environment interface (section "the environment" below) is the one
 * door for every algorithm, learned or not: per parameter its metadata and
 * the value behind each choice, context features (layer shapes, the
 * architecture, the network graph), action masks with a sequential decode,
 * and structured results (per-layer costs, violations as data). The campaign
 * loop (ask, replay check, evaluate, store, tell) is pesim_campaign_*: the
 * CLI, embedding programs and nested searches share it; a resumed run's
 * algorithm state is rebuilt by replaying the store through ask/tell.
 *
 * Dependency graph: search -> sim. Library code never prints or exits.
 * docs/search.md describes the encodings, the experiment format, the
 * placement cost, the store schema and the campaign loop. */
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

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *pesim_version(void);

/* ---------------------------------------------------------------- spaces */

typedef enum pesim_param_kind {
    PESIM_PARAM_TILE = 0,     /* a temporal tile factor of (level, dim) */
    PESIM_PARAM_ORDER,        /* a level's loop order (index of a permutation) */
    PESIM_PARAM_SPATIAL_DIM,  /* the dim unrolled on an axis of a level (one-dim encoding) */
    PESIM_PARAM_SPATIAL_FACTOR, /* the factor unrolled on an axis of a level (of `dim` in the
                                 * factors encoding; of the dim chosen in the one-dim one) */
    PESIM_PARAM_BYPASS,       /* keep (0) or bypass (1) a tensor at a level */
    PESIM_PARAM_HARDWARE,     /* a hardware parameter (array rows, buffer size, ...) */
    PESIM_PARAM_PLACEMENT,    /* the level holding a tensor of a network */
    PESIM_PARAM_ORDER_POS,    /* position `pos` of a level's loop order: which of the dims not placed
                               * at positions 0..pos-1 (in GNKCPQRS order) goes there */
    PESIM_PARAM_KIND_COUNT
} pesim_param_kind;

typedef struct pesim_param {
    char name[64];            /* e.g. "GLB.tile.K", "RF.order", "hw.array_rows" */
    pesim_param_kind kind;
    int32_t n_choices;        /* >= 1 */
    int32_t level, dim, tensor, layer; /* what it refers to (-1 when not applicable); layer is an
                                        * index into pesim_space_network_of(s)->layers */
    int32_t axis;             /* spatial parameters: 0 = X, 1 = Y; else -1 */
    int32_t pos;              /* PESIM_PARAM_ORDER_POS: the position, 0 = outermost; else -1 */
} pesim_param;

/* The agent groups of a joint space (ARCO's three agents, and placement):
 * hardware parameters; tiling (tile factors, spatial dims and factors);
 * schedule (loop orders, bypass); placement. */
typedef enum pesim_param_group {
    PESIM_GROUP_HARDWARE = 0, PESIM_GROUP_TILING, PESIM_GROUP_SCHEDULE, PESIM_GROUP_PLACEMENT,
    PESIM_GROUP_COUNT
} pesim_param_group;
pesim_param_group pesim_param_group_of(pesim_param_kind k);
const char *pesim_param_kind_name(pesim_param_kind k);   /* "tile", "order", ..., "order_pos" */
const char *pesim_param_group_name(pesim_param_group g); /* "hardware", "tiling", "schedule", "placement" */

typedef struct pesim_space pesim_space; /* opaque */
/* The group of parameter i of a space: its kind's, except for a hardware
 * parameter the experiment put in another group (`group = "schedule";`: an
 * arch knob a schedule decides, such as double buffering). */
pesim_param_group pesim_space_param_group(const pesim_space *s, int32_t i);

/* Encodings of the mapping parameters, chosen per space (docs/search.md 1.1).
 * Zeroed options are the defaults. */
typedef enum pesim_order_encoding {
    PESIM_ORDER_RANK = 0,     /* one parameter per level: the rank of a permutation (nd! choices) */
    PESIM_ORDER_SEQUENCE      /* one parameter per position but the last (nd - pos choices each) */
} pesim_order_encoding;
typedef enum pesim_spatial_encoding {
    PESIM_SPATIAL_FACTORS = 0, /* per level, axis and allowed dim: its factor (several dims per axis,
                                * their product within the fan-out) */
    PESIM_SPATIAL_DIM_FACTOR   /* per level and axis: one dim (or none) and its factor */
} pesim_spatial_encoding;
typedef struct pesim_space_options {
    pesim_order_encoding order;
    pesim_spatial_encoding spatial;
} pesim_space_options;
/* Parses "order=rank|sequence,spatial=factors|dim" (either part may be left
 * out) into *o (starting from the defaults); PESIM_ERR_KEY / _RANGE naming
 * the part that is wrong. */
pesim_status pesim_space_options_parse(const char *text, pesim_space_options *o, pesim_error *e);

/* The mapping space of one layer on one architecture: tile factors per level
 * per dim (imperfect ones included), loop order per level, spatial unrolling
 * per fan-out axis, bypass per level and tensor. */
pesim_status pesim_space_mapping(const pesim_arch *a, const pesim_layer *l, pesim_space **out, pesim_error *e);
/* The same with encodings (opt NULL: the defaults). */
pesim_status pesim_space_mapping_opt(const pesim_arch *a, const pesim_layer *l, const pesim_space_options *opt,
                                     pesim_space **out, pesim_error *e);

/* A hardware space declared in an experiment config (parameter -> list of
 * values; see docs/search.md), optionally joint with the mapping space of
 * each layer of `net` (joint = 1). base == NULL / net == NULL: the arch /
 * workload the experiment names. The experiment's `layer`, if any, restricts
 * the space to that layer. Without joint, each layer is mapped by
 * pesim_mapper_default on the decoded arch (a design the mapper cannot map
 * decodes as invalid). */
pesim_status pesim_space_from_experiment(const char *path, const pesim_arch *base, const pesim_network *net,
                                         int joint, pesim_space **out, pesim_error *e);
pesim_status pesim_space_from_experiment_opt(const char *path, const pesim_arch *base, const pesim_network *net,
                                             int joint, const pesim_space_options *opt, pesim_space **out,
                                             pesim_error *e);

/* The placement space of a network: for every layer the level holding its
 * output activation, and for every layer with weights the level holding
 * them; a placement costs one whole-network run (pesim/net.h) with weights
 * preloaded (EGRL's setting). The _opts variant takes the whole-network
 * simulation's options. */
pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out,
                                   pesim_error *e);
pesim_status pesim_space_placement_opts(const pesim_arch *a, const pesim_network *net, const pesim_net_options *opt,
                                        pesim_space **out, pesim_error *e);
/* A placement space's whole-network options (hooks cleared), NULL for other
 * spaces. pesim_space_describe names those that differ from
 * pesim_space_placement's (" rectify", " no-preload", " no-alias",
 * " no-prefetch"), so that a store's run or an MPI worker with other options
 * is another space. */
const pesim_net_options *pesim_space_placement_options(const pesim_space *s);

/* The native-compiler baseline of a placement space (EGRL's 1.0x):
 * pesim_net_place_greedy on the space's arch, network and whole-network
 * options, as the space's choices (n_params entries). The space has no
 * parameter for the network input, which its candidates keep in the
 * outermost level; *input_level (may be NULL) gets the level the greedy
 * placer chose for it. Errors: not a placement space (PESIM_ERR_INVALID),
 * those of pesim_net_create. */
pesim_status pesim_space_placement_greedy(const pesim_space *s, int32_t *choices, int32_t *input_level,
                                          pesim_error *e);

void pesim_space_destroy(pesim_space *s); /* NULL is a no-op */

/* The mapping space of every MAC layer of a network on one architecture
 * (a whole-network mapping search; costs are summed over MAC layers). */
pesim_status pesim_space_network(const pesim_arch *a, const pesim_network *net, pesim_space **out,
                                 pesim_error *e);
pesim_status pesim_space_network_opt(const pesim_arch *a, const pesim_network *net, const pesim_space_options *opt,
                                     pesim_space **out, pesim_error *e);
const pesim_space_options *pesim_space_options_of(const pesim_space *s);

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
/* The same, also saying why as data (v may be NULL). */
int pesim_space_decode_why(pesim_space *s, const int32_t *choices, pesim_design *d, char *reason, size_t n,
                           pesim_violation *v);

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

/* ------------------------------------------------------ the environment
 *
 * What an algorithm may know of a space besides n_choices (the contract for
 * every algorithm; docs/search.md "The environment interface"). Everything
 * here is read-only on the space and safe to call from several threads at
 * once (agents acting in parallel), except where noted. */

/* The value behind a choice. `number` is set for every kind: the factor
 * (TILE, SPATIAL_FACTOR), the dim (SPATIAL_DIM: -1 for none; ORDER_POS), 0/1
 * (BYPASS: 1 = bypass), the level (PLACEMENT), the first key's value
 * (HARDWARE; NaN for a string value such as a dataflow), the rank (ORDER).
 * perm (ORDER; ORDER_POS: the order so far, positions 0..pos) lists dims,
 * outermost first. text is the value as a person reads it: "16", "K",
 * "none", "KCRS", "bypass", "LLC", "ws". Choices of TILE and SPATIAL_FACTOR
 * parameters are ordered by value (ascending), so neighbouring choices are
 * similar designs. */
typedef struct pesim_choice_value {
    pesim_param_kind kind;
    double number;
    int64_t factor;                 /* TILE, SPATIAL_FACTOR; else 0 */
    int32_t dim;                    /* SPATIAL_DIM, ORDER_POS; else -1 */
    int32_t level;                  /* PLACEMENT; else -1 */
    int32_t n_perm;                 /* ORDER, ORDER_POS: dims in perm */
    uint8_t perm[PESIM_NDIMS];
    char text[64];
} pesim_choice_value;

/* Fills *out with the value of choice `choice` of parameter `param`. The
 * value of an ORDER_POS choice depends on the positions before it: choices
 * (n_params entries, may be NULL) gives them; without it they are taken as
 * 0. Returns 1, or 0 when param or choice is out of range. */
int pesim_space_choice_value(const pesim_space *s, int32_t param, int32_t choice, const int32_t *choices,
                             pesim_choice_value *out);

/* The network graph (placement, network and joint spaces; a layer space has
 * one node): one node per layer of pesim_space_network_of(s), one edge per
 * (producer, consumer) tensor. The network input is no node (its edges have
 * src = -1). Lifetimes are in steps of the topological order (= layer
 * index): a tensor produced at step i lives until its last consumer's step
 * (i itself when nothing reads it). Owned by the space. */
typedef struct pesim_graph_node {
    int32_t layer;                  /* index in pesim_space_network_of(s) */
    int32_t mac;                    /* index among the MAC layers (pesim_space_layer), -1 for none */
    pesim_op op;
    int64_t macs;
    int64_t weight_words, input_words, output_words; /* pesim_layer_tensor_words; weights 0 without */
    int32_t last_use;               /* step of the output's last consumer */
} pesim_graph_node;
typedef struct pesim_graph_edge {
    int32_t src, dst;               /* producer (-1: the network input) and consumer layer */
    int32_t slot;                   /* which input of dst */
    int64_t words;                  /* the tensor's words (the producer's output) */
    int32_t lifetime;               /* last_use(src) - src, in steps (dst + 1 for the network input) */
} pesim_graph_edge;
typedef struct pesim_graph {
    int32_t n_nodes, n_edges;
    const pesim_graph_node *nodes;
    const pesim_graph_edge *edges;
} pesim_graph;
void pesim_space_graph(const pesim_space *s, pesim_graph *out);

/* Numeric features for learned policies, fixed widths (docs/search.md lists
 * the columns; pesim_feature_name names them). Node features of layer i:
 * log2 of the eight dims, strides, dilations, log2(1 + MACs), log2(1 + words)
 * of weights, inputs and outputs, the op one-hot, the output's lifetime and
 * the layer's position (both / n_layers). Edge features: log2(1 + words),
 * lifetime / n_layers, from the network input (0/1). Arch features: word
 * bits, clock, MAC energy, levels, then per level (up to PESIM_MAX_LEVELS,
 * zeros past n_levels) log2(1 + capacity words), log2 fan-out X and Y,
 * log2(1 + read / write words per cycle), read / write energy, DRAM, double
 * buffered, keeps weights / inputs / outputs. Each returns the width and
 * writes min(width, n) values. */
#define PESIM_NODE_FEATURES 24
#define PESIM_EDGE_FEATURES 3
#define PESIM_ARCH_LEVEL_FEATURES 12
#define PESIM_ARCH_FEATURES (4 + PESIM_ARCH_LEVEL_FEATURES * PESIM_MAX_LEVELS)
typedef enum pesim_feature_set { PESIM_FEATURES_NODE = 0, PESIM_FEATURES_EDGE, PESIM_FEATURES_ARCH } pesim_feature_set;
int32_t pesim_space_node_features(const pesim_space *s, int32_t layer, double *out, int32_t n);
int32_t pesim_space_edge_features(const pesim_space *s, int32_t edge, double *out, int32_t n);
/* a: an architecture (a decoded design's), or NULL for the space's base arch. */
int32_t pesim_arch_features(const pesim_arch *a, double *out, int32_t n);
/* The name of column i of a feature set ("log2_K", "l3_fanout_x", ...), NULL past its width. */
const char *pesim_feature_name(pesim_feature_set set, int32_t i);

/* The default design as choices: each layer's mapping from
 * pesim_mapper_default (on the base arch, or on the arch the hardware
 * choices give), the base arch's value of each hardware parameter that
 * offers it (else choice 0), everything in the outermost level (placement).
 * Returns 1 when every part is in the space exactly, else 0 (the choices are
 * then filled as far as they go, the rest 0). */
int pesim_space_default_choices(const pesim_space *s, int32_t *choices);

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
 * has valid = 0, a reason, the violation as data (its layer: an index into
 * pesim_space_network_of(s)->layers) and objective = PESIM_INVALID_PENALTY. */
#define PESIM_INVALID_PENALTY 1e300
typedef struct pesim_result {
    int32_t valid;
    char reason[PESIM_REASON_MAX];
    pesim_violation violation;
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
/* The same, also with each MAC layer's cost: costs[i * pesim_space_n_layers(s)
 * + j] is candidate i's layer j (cycles, energy by component, accesses per
 * level and tensor, stalls by cause; an invalid layer has valid = 0, its
 * reason and its violation). Every layer of a candidate is evaluated, also
 * after an invalid one; the totals in out[i] are those pesim_evaluator_run
 * gives, and are the sums of the layers' cycles and energy (placement
 * spaces: of their re-attributed costs). Not cached. A candidate that does
 * not decode (or a hardware design over the area budget, or whose default
 * mapping fails) has every layer invalid with the candidate's violation. */
pesim_status pesim_evaluator_run_detail(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                                        pesim_result *out, pesim_cost *costs);

typedef struct pesim_eval_stats {
    int64_t requested;        /* candidates passed to pesim_evaluator_run */
    int64_t cache_hits;       /* of which answered from the cache */
    int64_t evaluated;        /* designs actually evaluated (model / engine calls per design) */
    int64_t invalid;          /* results with valid = 0 */
} pesim_eval_stats;
void pesim_evaluator_stats(const pesim_evaluator *ev, pesim_eval_stats *out);
pesim_space *pesim_evaluator_space(const pesim_evaluator *ev);

/* ------------------------------------------------ masks and step decode
 *
 * A cursor holds a partial candidate (some parameters chosen) and says, for
 * any parameter, which of its choices can still lead to a valid design:
 * capacity (every bounded level's tiles, with unchosen tile and spatial
 * factors at their smallest, unchosen bypass flags bypassing where the arch
 * allows it, unchosen hardware at its most permissive value: so a mask never
 * excludes a choice some completion makes valid), fan-out (spatial factors
 * on an axis; a factor whose lower digits are not all chosen counts as 1,
 * since they may cover the dim and clamp it), allowed spatial dims, the
 * decoded arch's check and the area budget (once every hardware parameter
 * is chosen), placement capacity over lifetimes (unchosen tensors in the
 * outermost level). Once every parameter a constraint depends on is chosen,
 * the mask is exact for it. Not masked: the power budget and the default
 * mapper of hardware-only spaces: they are known after evaluation only.
 * The step decode visits parameters in space order (hardware, then per layer
 * and per level from the innermost: bypass, spatial, tiles, order;
 * placement per layer). One cursor per thread. */
typedef struct pesim_cursor pesim_cursor; /* opaque */

/* budgets (may be NULL): the area budget of the evaluation, for masks. */
pesim_status pesim_cursor_create(const pesim_space *s, const pesim_eval_options *budgets, pesim_cursor **out,
                                 pesim_error *e);
void pesim_cursor_destroy(pesim_cursor *c);   /* NULL is a no-op */
void pesim_cursor_reset(pesim_cursor *c);     /* nothing chosen */
/* Chooses `choice` for `param` (-1 forgets it). PESIM_ERR_RANGE when either
 * is out of range. */
pesim_status pesim_cursor_set(pesim_cursor *c, int32_t param, int32_t choice);
/* The choice made for param, or -1. */
int32_t pesim_cursor_get(const pesim_cursor *c, int32_t param);
/* The first unchosen parameter in space order; n_params when all are chosen. */
int32_t pesim_cursor_next(const pesim_cursor *c);
/* mask[k] = 1 if choice k of param can still lead to a valid design given
 * the choices made (param's own choice, if made, is ignored); returns how
 * many are allowed. why (may be NULL, n_choices entries) gets, for each
 * excluded choice, a violation it causes in the smallest completion (in a
 * one-layer space the first one the decoder and the model report; kind NONE
 * for an allowed choice); asking for it costs a full check of every choice. */
int32_t pesim_cursor_mask(pesim_cursor *c, int32_t param, uint8_t *mask, pesim_violation *why);
/* Completes the candidate by the step decode: each unchosen parameter in
 * space order gets a uniformly drawn allowed choice (u01(ctx) in [0, 1)).
 * choices (n_params) gets the candidate. Returns how many parameters had no
 * allowed choice (0: no mask excludes the candidate; a parameter with an
 * empty mask takes choice 0). */
int32_t pesim_cursor_sample(pesim_cursor *c, double (*u01)(void *ctx), void *ctx, int32_t *choices);

/* ----------------------------------------------------- experiments */

/* What an experiment file (docs/search.md) says besides its hardware
 * parameters. Paths are as resolved: relative ones are taken from the
 * current directory if the file exists there, else from the experiment
 * file's directory. Strings are "" and numbers 0 when the file omits them. */
#define PESIM_MAX_AGENTS 16
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
    /* The agent networks of a co-search (pesim_das_cosearch, docs/das.md):
     * `agents = ( { workload = FILE; score = X; }, ... )`, each with the
     * quality score the user gives it (higher is better), and the weight of
     * the score against ln(FPS) (`score_weight`, default 1). */
    int32_t n_agents;
    char agent_workload[PESIM_MAX_AGENTS][PESIM_PATH_MAX];
    double agent_score[PESIM_MAX_AGENTS];
    double score_weight;
} pesim_experiment;

pesim_status pesim_experiment_load(const char *path, pesim_experiment *out, pesim_error *e);

/* -------------------------------------------------------- the store */

typedef struct pesim_store pesim_store; /* opaque: one SQLite file (WAL) per campaign */

/* Opens or creates a store and locks it for this process until
 * pesim_store_close (another process opening it gets PESIM_ERR_IO, "in use
 * by another pesim process"). A locked, read-only, foreign or corrupt file
 * (PRAGMA quick_check) is an error that names the file and touches nothing. */
pesim_status pesim_store_open(const char *path, pesim_store **out, pesim_error *e);
void pesim_store_close(pesim_store *st);          /* flushes queued batches first */
const char *pesim_store_path(const pesim_store *st);

/* A run: what identifies it (label, space) and the options it was started
 * with (a resume compares them). Strings as pesim_campaign writes them. */
typedef struct pesim_run_info {
    int64_t id;
    char label[128];          /* the caller's name of the search: a layer, "experiment", "placement" */
    char space[512];          /* pesim_space_describe */
    char algo[32];
    uint64_t seed;
    int64_t budget;
    char objective[16], fidelity[16];
    int32_t batch;
    char algo_options[2048];  /* pesim_algo_describe_options (egrl: 554 characters) */
    char eval_options[256];   /* the evaluation options that change results (weights, budgets) */
    int finished;             /* find_run: the run is marked finished */
    int64_t samples;          /* find_run: evaluations stored (samples 0..samples-1) */
} pesim_run_info;

/* The latest run with this label and space; *found = 0 when there is none. */
pesim_status pesim_store_find_run(pesim_store *st, const char *label, const char *space, pesim_run_info *out,
                                  int *found, pesim_error *e);
/* The latest run with this label, space and seed (several seeds of one
 * search in one store: `pesim search --seeds`); *found = 0 when there is none. */
pesim_status pesim_store_find_run_seed(pesim_store *st, const char *label, const char *space, uint64_t seed,
                                       pesim_run_info *out, int *found, pesim_error *e);
/* Starts a run (status 'running') with info's fields and the config text. */
pesim_status pesim_store_new_run(pesim_store *st, const pesim_run_info *info, const char *config, int64_t *run_id,
                                 pesim_error *e);
/* Marks a run running again with a new budget (a resume). */
pesim_status pesim_store_reopen_run(pesim_store *st, int64_t run_id, int64_t budget, pesim_error *e);
pesim_status pesim_store_finish_run(pesim_store *st, int64_t run_id, pesim_error *e);
/* A run's metadata (table run_meta): text values by key, one per (run, key),
 * set again to replace. What the campaign records there at the end of each
 * pesim_campaign_run is pesim_algo_record's (docs/search.md section 4).
 * set: PESIM_ERR_INVALID when there is no such run. get: *value is the
 * malloc'ed text (freed by the caller), NULL when the run has no such key. */
pesim_status pesim_store_set_meta(pesim_store *st, int64_t run_id, const char *key, const char *value,
                                  pesim_error *e);
pesim_status pesim_store_get_meta(pesim_store *st, int64_t run_id, const char *key, char **value, pesim_error *e);

/* Records n evaluations (samples first_sample .. first_sample + n - 1,
 * choices n x n_params) in one committed transaction: all or none are kept.
 * pesim_store_add records one. */
pesim_status pesim_store_add_batch(pesim_store *st, int64_t run_id, int64_t first_sample, int32_t n,
                                   const int32_t *choices, int32_t n_params, const pesim_result *r,
                                   pesim_error *e);
pesim_status pesim_store_add(pesim_store *st, int64_t run_id, int64_t sample, const int32_t *choices,
                             int32_t n_params, const pesim_result *r, pesim_error *e);
/* The same, asynchronously: the batch is copied and a writer thread commits
 * queued batches in order (all or none of each), so that evaluation goes on
 * meanwhile; at most 4 batches wait (then this call waits). A failure of the
 * writer is returned by the next queue, flush or other call. */
pesim_status pesim_store_queue(pesim_store *st, int64_t run_id, int64_t first_sample, int32_t n,
                               const int32_t *choices, int32_t n_params, const pesim_result *r, pesim_error *e);
/* Waits until every queued batch is committed. */
pesim_status pesim_store_flush(pesim_store *st, pesim_error *e);
/* Reads samples first_sample .. first_sample + n - 1 of a run, in order;
 * *got = how many exist from first_sample on (a sample missing in the middle,
 * or a row without n_params choices, is an error). */
pesim_status pesim_store_read(pesim_store *st, int64_t run_id, int64_t first_sample, int32_t n, int32_t n_params,
                              int32_t *choices, pesim_result *r, int32_t *got, pesim_error *e);
/* The run's best valid evaluation (lowest objective, earliest on ties):
 * *found = 0 when it has none. choices (n_params entries) may be NULL. */
pesim_status pesim_store_best(pesim_store *st, int64_t run_id, int32_t n_params, int32_t *choices,
                              pesim_result *r, int64_t *sample, int *found, pesim_error *e);

/* Records the whole-network run r of n (pesim_net_run) as the network run
 * of sample `sample` of run run_id (the design it evaluated), replacing any
 * earlier one of that sample, in one committed transaction: the tables
 * net_runs (placement: how it was placed, e.g. "greedy"; fidelity, valid,
 * reason, cycles, energy, the DRAM's peak words per cycle), and for a valid
 * run net_layers (per layer: its share of the timeline, compute and stall
 * cycles per cause, energy, DRAM words read and written), net_occupancy
 * (each level's live and staging words per instance per step, its capacity)
 * and net_dram (pesim_net_dram_series in n_bins bins). docs/search.md
 * "The store" has the columns. */
pesim_status pesim_store_add_network(pesim_store *st, int64_t run_id, int64_t sample, const char *placement,
                                     const pesim_net *n, const pesim_net_result *r, int32_t n_bins, pesim_error *e);

/* ---------------------------------------------------------- algorithms */

typedef struct pesim_algo pesim_algo; /* opaque */

/* What the caller offers an algorithm besides ask/tell (ARCO's cheap
 * predictor, a learned search's look at per-layer costs): `predict`
 * evaluates candidates now, at a fidelity, outside the budget and the store
 * (costs, n x n_layers, may be NULL: as pesim_evaluator_run_detail). It must
 * be deterministic (a resumed run calls it again). NULL when not offered. */
typedef struct pesim_algo_env {
    pesim_status (*predict)(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out,
                            pesim_cost *costs);
    void *ctx;
} pesim_algo_env;

/* Options of an algorithm. kv: n_kv strings "key=value" (`--algo-opt`),
 * checked against the algorithm's table (pesim_algo_option_info): an unknown
 * key is PESIM_ERR_KEY naming it, a value that is not a number or out of its
 * bounds PESIM_ERR_RANGE. eval (may be NULL): what the evaluation checks, so
 * that valid starting points respect the area budget. Algorithms are
 * anytime: they are never told the budget (algo_impl.h). */
typedef struct pesim_algo_options {
    const char *const *kv;
    int32_t n_kv;
    const pesim_eval_options *eval;
} pesim_algo_options;

/* One option of an algorithm's table. */
typedef struct pesim_algo_option_info {
    const char *name;
    int integer;              /* 1: an integer */
    double def, min, max;     /* default, inclusive bounds */
    const char *help;
} pesim_algo_option_info;
/* Options of algorithm `name`: their count (-1: no such algorithm) and the
 * i-th (0 when out of range). */
int32_t pesim_algo_n_options(const char *name);
int pesim_algo_option_info_get(const char *name, int32_t i, pesim_algo_option_info *out);
/* A one-line summary of the algorithm, NULL for an unknown name. */
const char *pesim_algo_summary(const char *name);

/* Names: "exhaustive", "random", "annealing", "genetic", "timeloop" (and the
 * learned ones of later issues). PESIM_ERR_INVALID for an unknown name;
 * PESIM_ERR_KEY / PESIM_ERR_RANGE for a bad option; PESIM_ERR_RANGE from
 * "exhaustive" for a space of more than max_points points. The handle owns a
 * gsl_rng seeded from `seed`: the same seed, options, space and sequence of
 * ask sizes give the same candidates (docs/search.md, "Algorithms"). */
pesim_status pesim_algo_create(const char *name, const pesim_space *s, uint64_t seed,
                               const pesim_algo_options *opt, pesim_algo **out, pesim_error *e);
void pesim_algo_destroy(pesim_algo *al);
/* Offers the caller's services (copied; NULL withdraws them). */
void pesim_algo_set_env(pesim_algo *al, const pesim_algo_env *env);
/* Every option's value as used, "key=value,key=value" in table order (the
 * store records it with the run; a resume compares it). Returns the length. */
int pesim_algo_describe_options(const pesim_algo *al, char *buf, size_t n);
/* Proposes up to max candidates into choices (max x n_params); returns how
 * many (0: the algorithm has nothing more to propose, e.g. exhaustive done;
 * also 0 while candidates of the previous ask have not all been told). */
int32_t pesim_algo_ask(pesim_algo *al, int32_t *choices, int32_t max);
/* Reports the results of candidates (in any order, each exactly once; the
 * algorithm sees an ask's results together, in ask order, once all are told).
 * Candidates it did not propose are taken as observations. */
void pesim_algo_tell(pesim_algo *al, const int32_t *choices, const pesim_result *r, int32_t n);
/* Learned algorithms ("rl", "marl"; docs/rl.md): their policies to and
 * from files, for transfer from one search (a layer) to another. save
 * writes an index at path and one pesim-rl-net file per agent at
 * "<path>.<j>"; load reads them into this search's networks, copying the
 * overlapping heads and actions (another layer's tile choices differ); for
 * "marl", loading before the warm-up ends also adopts the saved clustering
 * and skips the warm-up. PESIM_ERR_INVALID for an algorithm without a
 * policy, or a file made for a space of another number of parameters. */
pesim_status pesim_algo_save_policy(const pesim_algo *al, const char *path, pesim_error *e);
pesim_status pesim_algo_load_policy(pesim_algo *al, const char *path, pesim_error *e);
/* What a learned algorithm learned about the space, as text ("marl": the
 * clustering, which parameter went to which agent and the correlations
 * behind it; "" before it is known, and for the other algorithms). Returns
 * the length (as snprintf). */
int pesim_algo_describe_state(const pesim_algo *al, char *buf, size_t n);
/* What a learned algorithm records with its run, as key/value text pairs
 * handed to put (the campaign writes them to the store's run_meta;
 * docs/rl.md lists the keys): "marl" its clustering once the warm-up is
 * over (marl.agents, marl.warmup, marl.elite, marl.owner, marl.rho_obj,
 * marl.rho, marl.clustering), "rl" and "marl" the policy they started from
 * (policy_in, policy_in_fnv1a64). Nothing for the other algorithms. Returns
 * put's first failure, or PESIM_ERR_NOMEM. */
typedef pesim_status (*pesim_algo_record_fn)(void *ctx, const char *key, const char *value, pesim_error *e);
pesim_status pesim_algo_record(const pesim_algo *al, pesim_algo_record_fn put, void *ctx, pesim_error *e);
/* Names of the registered algorithms, NULL-terminated. */
const char *const *pesim_algo_names(void);

/* ---------------------------------------------------- the campaign loop
 *
 * One search of a space: ask the algorithm for up to `batch` candidates;
 * take the results of those the store already has (a resumed run: they must
 * be the very candidates stored, in order), evaluate the others (the
 * evaluation step is pluggable: the built-in evaluator's threads by
 * default, MPI ranks or anything else with pesim_campaign_set_evaluate),
 * queue them to the store (a writer thread commits them while the next
 * batch is evaluated), tell the algorithm every result in ask order, call
 * the caller's callback. A run is a function of (algorithm, options, seed,
 * batch, space, evaluation options): a resumed run asks exactly what the
 * killed one asked, no committed evaluation is lost or repeated, and since
 * algorithms are anytime, a run resumed with a larger budget is the straight
 * run of that budget. Campaigns nest (a search inside another's evaluation
 * step) and share nothing but the store, which one campaign uses at a time. */

typedef enum pesim_run_mode {
    PESIM_RUN_NEW = 0,        /* a new run; refused when the store has a run of this search */
    PESIM_RUN_RESUME,         /* continue the latest run of this search, killed or finished, to the
                               * budget (or start one when there is none); refused when the algorithm,
                               * its options, the seed, batch, objective, fidelity or evaluation
                               * options differ, naming which */
    PESIM_RUN_ANOTHER         /* a new run, also when the store has runs of this search */
} pesim_run_mode;

/* Settles a search's run in the store st according to mode, by the
 * campaign's rule (pesim_campaign_create uses it; so do searches outside the
 * campaign loop, e.g. the DAS co-search): the latest run with want's label
 * and space is found; PESIM_RUN_NEW refuses when there is one;
 * PESIM_RUN_RESUME compares want's algorithm, seed, objective, batch,
 * fidelity, algorithm and evaluation options with it (PESIM_ERR_INVALID
 * naming what differs), refuses a run that already has more than
 * want->budget samples and reopens it with that budget; otherwise (no run,
 * or PESIM_RUN_ANOTHER) a new run is started with want's fields and config.
 * *run_id = the run; *stored = its samples already in the store (0 for a
 * new run); *resumed (may be NULL) = 1 when a stored run was reopened. */
pesim_status pesim_store_settle_run(pesim_store *st, const pesim_run_info *want, pesim_run_mode mode,
                                    const char *config, int64_t *run_id, int64_t *stored, int *resumed,
                                    pesim_error *e);

/* The evaluation step: results of n candidates (n x n_params) at fidelity f,
 * out[i] for candidate i. PESIM_OK, or an error that ends the run. */
typedef pesim_status (*pesim_eval_fn)(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f,
                                      pesim_result *out);

typedef struct pesim_campaign_options {
    const char *algo;                 /* a name of pesim_algo_names() */
    pesim_algo_options algo_opt;      /* its options (algo_opt.eval is set by the campaign) */
    uint64_t seed;
    int64_t budget;                   /* evaluations of the run, replayed ones included (>= 1) */
    int32_t batch;                    /* candidates per ask (>= 1) */
    pesim_fidelity fidelity;
    pesim_eval_options eval;          /* objective, weights, budgets, threads, cache */
    pesim_run_mode mode;
    const char *label;                /* names the search in the store (NULL: "") */
    const char *config;               /* recorded with a new run (NULL: "") */
    const volatile int *stop;         /* polled between batches: nonzero stops (may be NULL) */
    int by_seed;                      /* the run of this search is the one of this label, space *and
                                       * seed* (several seeds share the store, each run resumed and
                                       * refused on its own); 0: of this label and space */
} pesim_campaign_options;

/* What the callback sees after each batch is told. */
typedef struct pesim_campaign_batch {
    int64_t first;                    /* the sample number of candidate 0 */
    int32_t n;
    int32_t replayed;                 /* candidates [0, replayed) came from the store */
    const int32_t *choices;           /* n x n_params */
    const pesim_result *results;
} pesim_campaign_batch;
/* Returns nonzero to stop the run after this batch. */
typedef int (*pesim_campaign_fn)(void *ctx, const pesim_campaign_batch *b);

typedef struct pesim_campaign_report {
    int64_t run_id;                   /* 0 without a store */
    int resumed;                      /* continued a stored run */
    int64_t samples;                  /* evaluations of the run so far (replayed ones included) */
    int64_t replayed;                 /* of which taken from the store */
    int64_t valid;
    int found;                        /* a valid candidate was seen */
    pesim_result best;                /* the first of the lowest objective */
    int64_t best_sample;
    int algo_done;                    /* the algorithm stopped before the budget */
    int stopped;                      /* the stop flag or the callback ended it */
    int64_t predictions;              /* candidates the algorithm had predicted (pesim_algo_env) */
    double wall_s;                    /* of pesim_campaign_run */
} pesim_campaign_report;

typedef struct pesim_campaign pesim_campaign; /* opaque */

/* Creates the evaluator (o->eval) and the algorithm, and settles the run in
 * the store (st may be NULL: nothing recorded, nothing resumed) according to
 * o->mode; refusals are PESIM_ERR_INVALID with a message naming the store,
 * the run and what differs. The space is not owned. */
pesim_status pesim_campaign_create(pesim_space *s, pesim_store *st, const pesim_campaign_options *o,
                                   pesim_campaign **out, pesim_error *e);
void pesim_campaign_destroy(pesim_campaign *c); /* NULL is a no-op; flushes the store */
/* Replaces the evaluation step (fn NULL: the built-in evaluator again). */
void pesim_campaign_set_evaluate(pesim_campaign *c, pesim_eval_fn fn, void *ctx);
void pesim_campaign_set_callback(pesim_campaign *c, pesim_campaign_fn fn, void *ctx);
/* Runs to the budget, the algorithm's end or a stop; every evaluation is
 * committed to the store when it returns, and so is what the algorithm
 * records (pesim_algo_record, into the run's metadata). */
pesim_status pesim_campaign_run(pesim_campaign *c, pesim_error *e);
/* Marks the run finished in the store (a later resume may still extend it). */
pesim_status pesim_campaign_finish(pesim_campaign *c, pesim_error *e);
const pesim_campaign_report *pesim_campaign_get_report(const pesim_campaign *c);
/* The best candidate's choices (n_params), valid when report->found. */
const int32_t *pesim_campaign_best_choices(const pesim_campaign *c);
pesim_evaluator *pesim_campaign_evaluator(const pesim_campaign *c);
pesim_algo *pesim_campaign_algo(const pesim_campaign *c);

/* ---------------------------------------------------- sweep points
 *
 * One hardware point of a sweep: a network's cost on one architecture with
 * each MAC layer mapped by an inner search (a campaign over the layer's
 * mapping space, no store). The function `pesim sweep` calls per point, and
 * that a distributed sweep calls on each rank: it depends on its arguments
 * only, and several calls may run at once on different threads. */
typedef struct pesim_inner_options {
    const char *algo;                 /* a name of pesim_algo_names() */
    pesim_algo_options algo_opt;      /* its options (algo_opt.eval is set here) */
    int64_t budget;                   /* evaluations per layer (>= 1) */
    int32_t batch;                    /* candidates per ask (0: 16) */
    uint64_t seed;                    /* layer i's search is seeded seed + i */
    pesim_fidelity fidelity;          /* of the inner search and of the totals */
} pesim_inner_options;

/* The objective value of whole-design costs under o (lower is better), as
 * the evaluator computes it. */
double pesim_objective_value(const pesim_eval_options *o, int64_t cycles, double energy_pj, double area_um2);

/* Fills *out: valid, reason and violation (the area budget, a layer without
 * a valid mapping within the budget, the power budget), cycles and energy
 * summed over the MAC layers of net (each layer's best mapping by eval's
 * objective), area, objective. mappings (may be NULL) gets the best mapping
 * of each MAC layer (pesim_network_macs order; as many entries as MAC
 * layers). PESIM_OK also for an invalid point; an error for bad options. */
pesim_status pesim_sweep_point(const pesim_arch *arch, const pesim_network *net, const pesim_eval_options *eval,
                               const pesim_inner_options *in, pesim_result *out, pesim_mapping *mappings,
                               pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
