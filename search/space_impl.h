/* space_impl.h - the inside of a pesim_space, shared by space*.c, experiment.c
 * and evaluator.c (internal to search/; not a published API).
 *
 * Every space is one struct: a base architecture, an owned copy of the
 * workload (one layer for a layer space), and up to three blocks of
 * categorical parameters, in this order in the parameter vector:
 *   1. hardware parameters (hardware and joint spaces), each setting one or
 *      more arch fields to one of a list of values;
 *   2. per MAC layer, that layer's mapping parameters (layer, network and
 *      joint spaces; see space_mapping.c for the encoding);
 *   3. per layer, placement parameters (placement spaces).
 * A space without mapping parameters maps each layer with the default mapper
 * (hardware-only spaces: on the decoded arch; placement spaces: once, on the
 * base arch, at creation). */
#ifndef PESIM_SEARCH_SPACE_IMPL_H
#define PESIM_SEARCH_SPACE_IMPL_H

#include <stdint.h>

#include "pesim/net.h"
#include "pesim/search.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum space_kind {
    SPACE_LAYER = 0,   /* the mapping space of one layer */
    SPACE_NETWORK,     /* the mapping spaces of every MAC layer of a network */
    SPACE_HARDWARE,    /* hardware parameters (+ mapping parameters when joint) */
    SPACE_PLACEMENT    /* where each tensor of a network lives */
} space_kind;

/* ------------------------------------------------------------ hardware */

/* The arch field a hardware key sets (space_hw.c has the table of keys). */
typedef enum hw_field {
    HW_DATAFLOW = 0,     /* arch.dataflow (string) */
    HW_FANOUT_X,         /* level.fanout_x (array columns) */
    HW_FANOUT_Y,         /* level.fanout_y (array rows) */
    HW_CAPACITY,         /* level.capacity_words */
    HW_TENSOR_CAPACITY,  /* level.tensor_capacity_words[tensor] */
    HW_READ_BW,          /* level.read_words_per_cycle */
    HW_WRITE_BW,         /* level.write_words_per_cycle */
    HW_BW,               /* both of the above */
    HW_NOC_BW,           /* level.noc[tensor].words_per_cycle */
    HW_DRAM_CHANNELS,    /* level.dram.channels */
    HW_SPATIAL_X,        /* level.spatial_x_dims (a string of dim letters) */
    HW_SPATIAL_Y,        /* level.spatial_y_dims */
    HW_BANKS,            /* level.banks */
    HW_DOUBLE_BUFFERED,  /* level.tile_slots: 0/1 as 1/2 (double_buffered) */
    HW_PORTS,            /* level.ports */
    HW_WORD_BITS,        /* arch.word_bits */
    HW_TILE_SLOTS,       /* level.tile_slots (multiple_buffering, 1 to PESIM_TILE_SLOTS_MAX) */
    HW_LEVEL_WORD_BITS,  /* level.word_bits (an on-chip level that is not the outermost) */
    HW_FIELD_COUNT
} hw_field;

#define HW_MAX_KEYS 8

typedef struct hw_key {
    hw_field field;
    int32_t level;        /* -1 for arch-wide keys */
    int32_t tensor;       /* -1 unless the key names a tensor */
    char text[64];        /* the key as written, e.g. "BUF.tensor_capacity.weights" */
} hw_key;

/* One value of one key: numbers in num (integers exactly representable),
 * dataflow names in str, spatial dim sets in mask. */
typedef struct hw_value {
    double num;
    uint32_t mask;
    char str[16];
} hw_value;

typedef struct hw_param {
    char name[64];
    int32_t n_keys;
    hw_key key[HW_MAX_KEYS];
    int32_t n_values;
    hw_value *values;     /* n_values x n_keys, row-major; owned */
    int32_t group;        /* the agent group the experiment gave it (pesim_param_group); hardware by default */
} hw_param;

/* ------------------------------------------------------------- mapping */

/* The mapping parameters of one MAC layer (param indices, -1 = absent).
 * Which arrays are used depends on the space's encodings (space_mapping.c):
 * loop orders as `order` (rank) or `opos` (one parameter per position),
 * spatial unrolling as `sfd` (a factor per axis and dim) or `sdim`/`sfac`
 * (one dim and its factor per axis). */
typedef struct layer_map {
    int32_t layer;                                 /* index in the space's network */
    int32_t nd;                                    /* dims with bound > 1 */
    uint8_t dims[PESIM_NDIMS];                     /* those dims, GNKCPQRS order */
    int32_t tile[PESIM_MAX_LEVELS][PESIM_NDIMS];   /* temporal factor params */
    int32_t order[PESIM_MAX_LEVELS];               /* loop order params (rank of a permutation of dims) */
    int32_t opos[PESIM_MAX_LEVELS][PESIM_NDIMS];   /* loop order position k (< nd - 1): which remaining dim */
    int32_t sdim[PESIM_MAX_LEVELS][2];             /* [level][0 = X, 1 = Y]: the dim unrolled */
    int32_t sfac[PESIM_MAX_LEVELS][2];             /* the factor unrolled (choice + 1) */
    uint8_t sdim_of[PESIM_MAX_LEVELS][2][PESIM_NDIMS + 1]; /* choice -> dim; choice 0 = none */
    int32_t sfd[PESIM_MAX_LEVELS][2][PESIM_NDIMS]; /* factor of dim d on an axis (choice + 1) */
    int32_t bypass[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    const int64_t *cand[PESIM_NDIMS];              /* tile factor candidates per dim (into cand_pool) */
    int32_t n_cand[PESIM_NDIMS];
} layer_map;

/* ------------------------------------------------------------- the space */

struct pesim_space {
    space_kind kind;
    pesim_arch arch;              /* the base architecture */
    pesim_network net;            /* owned copy; a layer space holds its one layer */
    int32_t n_mac;                /* MAC layers, in network order */
    int32_t *mac;                 /* their indices in net */

    int32_t n_params, cap_params;
    pesim_param *params;

    int32_t n_hw;                 /* hardware parameters: params [0, n_hw) */
    hw_param *hw;
    int32_t scale_area_energy;    /* capacity changes rescale area and access energy */
    char experiment[64];          /* the experiment's name (hardware spaces) */

    pesim_space_options opt;      /* the encodings */
    layer_map *maps;              /* n_mac entries when the space has mapping params, else NULL */
    int32_t *mac_of;              /* per layer of net: its index among the MAC layers, or -1 */
    int64_t *cand_pool;           /* tile candidates of every (layer, dim) */

    int32_t *place_w, *place_o;   /* per layer: the placement param of weights/outputs, or -1 */
    int32_t n_place_levels;       /* candidate levels of a placement, outermost first */
    int32_t place_level[PESIM_MAX_LEVELS];
    /* per layer and tensor (0 weights, 1 outputs): choice -> level */
    int32_t *place_choice;        /* n_layers x 2 x PESIM_MAX_LEVELS */
    pesim_mapping *default_maps;  /* placement spaces: the default mapping of each MAC layer */
    pesim_net_options place_opt;  /* placement spaces: the whole-network simulation's options */

    int32_t *nch;                 /* n_choices of each param, packed (the decode's range check) */
    uint8_t *perms[PESIM_NDIMS + 1]; /* perms[n]: every permutation of 0..n-1, lexicographic (n! x n) */
    uint64_t arch_hash;           /* hash of the base arch (fixed-arch spaces) */
    pesim_mapping identity;       /* pesim_mapping_init(arch.n_levels) */
    char desc[512];               /* pesim_space_describe */

    pesim_graph_node *gnodes;     /* the network graph (space_env.c), net.n_layers nodes */
    pesim_graph_edge *gedges;
    int32_t n_gedges;

    /* scratch of pesim_space_decode (the public, single-threaded decode) */
    pesim_mapping *scratch_maps;
    pesim_placement scratch_place;
};

/* --------------------------------------------------------- shared helpers */

/* Word hash (FNV-1a offset basis; each 64-bit word xor-ed in and mixed by a
 * multiply and an xorshift; a splitmix64 finaliser). Stable across runs and
 * machines: it hashes values, never struct bytes. */
#define SRCH_HASH_SEED 0xcbf29ce484222325ULL
static inline uint64_t srch_hmix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}
static inline uint64_t srch_hfinal(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}
uint64_t srch_hash_double(uint64_t h, double x);
uint64_t srch_hash_str(uint64_t h, const char *s);
uint64_t srch_hash_arch(uint64_t h, const pesim_arch *a);
/* Hash of a mapping in its normalised form: loops of trip count 1 do not
 * matter wherever they are in an order, and bypass flags count only where
 * the arch keeps the tensor (docs/model.md). */
/* The hash of m's canonical form for layer l (l NULL: m as it is). */
uint64_t srch_hash_mapping(uint64_t h, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m);

/* Space construction helpers (space.c). */
pesim_space *srch_space_new(space_kind kind, const pesim_arch *a, const pesim_network *net, pesim_error *e);
/* Appends a parameter; returns its index or -1 (out of memory). */
int32_t srch_add_param(pesim_space *s, const char *name, pesim_param_kind kind, int32_t n_choices, int32_t level,
                       int32_t dim, int32_t tensor, int32_t layer);
/* Allocates the decode scratch and writes the description; call last. */
pesim_status srch_space_finish(pesim_space *s, pesim_error *e);

/* Mapping parameters (space_mapping.c). `fan_x/fan_y[L]`: the largest
 * fan-out of each level over the hardware values, `allow_x/allow_y[L]`: the
 * union of the dims allowed there (for a fixed arch, the arch's own). */
pesim_status srch_add_mapping_params(pesim_space *s, const int64_t *fan_x, const int64_t *fan_y,
                                     const uint32_t *allow_x, const uint32_t *allow_y, pesim_error *e);
/* Decodes the mapping of layer map lm into m against arch a. 1 valid, else 0
 * with a reason and *v (may be NULL; layer set to lm->layer). */
int srch_decode_layer(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const int32_t *choices,
                      pesim_mapping *m, char *reason, size_t n, pesim_violation *v);
/* The mapping lm decodes to before any check: factors, orders and bypass
 * (raw), and then (srch_clamp_layer) with the digits past the bound clamped
 * to 1 and the outermost level's remainders (space_mapping.c). */
void srch_decode_layer_raw(const pesim_space *s, const layer_map *lm, const int32_t *choices, pesim_mapping *m);
void srch_clamp_layer(const pesim_space *s, const layer_map *lm, pesim_mapping *m);
/* The spatial checks of the clamped mapping m of layer map lm on arch a,
 * from level `from` up: every factor on an axis that allows its dim, their
 * product within the fan-out. fu (may be NULL: every digit chosen): per dim
 * the lowest level with an unchosen digit; a factor above it counts as 1 (it
 * may yet be clamped). 1, or 0 with a reason and *v (both may be NULL). */
int srch_spatial_ok(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const pesim_mapping *m,
                    const int *fu, int from, char *reason, size_t n, pesim_violation *v);
/* The value behind choice c of mapping parameter p of layer map lm (choices:
 * the other choices, for values that depend on them; may be NULL). */
int srch_mapping_value(const pesim_space *s, const layer_map *lm, int32_t p, int32_t c, const int32_t *choices,
                       pesim_choice_value *out);
int srch_encode_layer(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const pesim_mapping *m,
                      int32_t *choices);

/* Hardware parameters (space_hw.c): applies the chosen values to *a (a copy
 * of the base arch). 1 valid, else 0 + reason (and *v, may be NULL). */
int srch_apply_hw(const pesim_space *s, const int32_t *choices, pesim_arch *a, char *reason, size_t n,
                  pesim_violation *v);
/* Sets the arch field of one key to one value (no rescaling, no check). */
void srch_hw_apply_value(pesim_arch *a, const hw_key *k, const hw_value *v);

/* Decode without the default mapper (evaluator.c calls it per worker, with
 * its own buffers: d->mappings has s->n_mac entries, d->placement arrays
 * net.n_layers). arch_ready: d->arch already holds the base arch and the
 * space has no hardware parameters, so it is not copied again. Sets d->hash. */
int srch_decode(const pesim_space *s, const int32_t *choices, pesim_design *d, int arch_ready, char *reason,
                size_t n, pesim_violation *v);
/* 1 if the design's mappings come from the default mapper (hardware-only). */
int srch_needs_mapper(const pesim_space *s);
/* Runs the default mapper on every MAC layer of a decoded hardware design. */
int srch_complete(const pesim_space *s, pesim_design *d, char *reason, size_t n, pesim_violation *v);

/* Placement (space_place.c): a whole-network simulation handle for the
 * space (one per evaluator worker: handles are single-threaded), and the
 * cost of a placement with it at a fidelity: 1 with r->cycles and
 * r->energy_pj set, else 0 with r->reason and r->violation (infeasible:
 * PLACEMENT with the level, step, live words and capacity; or an error).
 * costs (may be NULL): each MAC layer's share (s->mac order). */
pesim_status srch_place_net(const pesim_space *s, pesim_net **out, pesim_error *e);
int srch_place_eval(const pesim_space *s, pesim_net *n, const pesim_placement *p, pesim_fidelity f, pesim_result *r,
                    pesim_cost *costs);
/* A necessary condition of a placement's feasibility, for masks: the live
 * tensors' words per instance within every level's capacity at every step
 * (lifetimes as sim/net's; concat outputs, which may hold their inputs, and
 * staging not counted), else 0 with a reason and *v (may be NULL):
 * PLACEMENT, the level, the step, live words and capacity per instance.
 * live: scratch of (net.n_layers + 1) x PESIM_MAX_LEVELS words. */
int srch_place_check(const pesim_space *s, const pesim_arch *a, const pesim_placement *p, int64_t *live,
                     char *reason, size_t n, pesim_violation *v);

/* The network graph of the space (space_env.c; srch_space_finish calls it). */
pesim_status srch_build_graph(pesim_space *s, pesim_error *e);

/* Experiment reading (experiment.c, the only file of search/ that includes
 * libconfig.h): fills the hardware parameters of s from the file and out. */
pesim_status srch_experiment_read(const char *path, const pesim_arch *base, pesim_space *s, pesim_experiment *out,
                                  pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
