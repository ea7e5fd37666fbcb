/* pesim/mapping.h - a mapping of one layer onto an architecture, and a placement
 * of a network's tensors (plain data, no I/O). The semantics are in docs/model.md.
 *
 * For each storage level L (same indexing as the arch: 0 innermost):
 *   temporal[d]  - trip count of level L's temporal loop over dim d (>= 1);
 *   order        - level L's temporal loops, outermost first (a permutation);
 *   spatial_x/y  - factors of d unrolled over level L's children on X / Y (>= 1);
 *                  several dims may share an axis: the axis is their product;
 *   order_x/y    - the dims of the X / Y axis, outermost first (slowest-varying
 *                  across the children, as `order` is for time); a permutation
 *                  of all dims, of which only those with a factor > 1 matter;
 *   bypass[t]    - 1: tensor t is not kept at level L (the arch may also not allow it).
 * The full nest, outermost first, is: L = n-1 temporal, L = n-1 spatial, ...,
 * L = 0 temporal, L = 0 spatial (to the MAC lanes). For each dim the product of
 * all its factors must be >= the layer's bound; it may exceed it (imperfect
 * factors): iterations past the bound are skipped and edge tiles are smaller. */
#ifndef PESIM_MAPPING_H
#define PESIM_MAPPING_H

#include <stdint.h>
#include "pesim/arch.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_level_map {
    int64_t temporal[PESIM_NDIMS];
    int64_t spatial_x[PESIM_NDIMS];
    int64_t spatial_y[PESIM_NDIMS];
    uint8_t order[PESIM_NDIMS];         /* dims, outermost first */
    uint8_t order_x[PESIM_NDIMS];       /* X axis dims, outermost (slowest across children) first */
    uint8_t order_y[PESIM_NDIMS];       /* Y axis dims, outermost first */
    uint8_t bypass[PESIM_NTENSORS];
} pesim_level_map;

typedef struct pesim_mapping {
    int32_t n_levels;                   /* == arch.n_levels */
    pesim_level_map level[PESIM_MAX_LEVELS];
} pesim_mapping;

/* An identity mapping: every factor 1, every order (temporal, X, Y) G N K C P Q R S,
 * nothing bypassed. */
void pesim_mapping_init(pesim_mapping *m, int n_levels);

/* Product of every factor of dim d (temporal and spatial, all levels). */
int64_t pesim_mapping_dim_product(const pesim_mapping *m, pesim_dim d);

/* Instances of level L the mapping uses: the product of the spatial factors
 * of the levels above L (1 for the outermost; level -1: the MAC lanes). The
 * one place that counts them, with pesim_mapping_instances_all below. */
int64_t pesim_mapping_instances(const pesim_mapping *m, int level);
/* inst[L] = pesim_mapping_instances(m, L) for every level L of m, in one
 * pass from the outermost level (the evaluators' hot path). */
void pesim_mapping_instances_all(const pesim_mapping *m, int64_t inst[PESIM_MAX_LEVELS]);

/* 1 if level L keeps tensor t under arch a and mapping m (arch allows it and not bypassed).
 * The outermost level always keeps every tensor. */
int pesim_mapping_keeps(const pesim_arch *a, const pesim_mapping *m, int level, pesim_tensor t);

/* Rewrites m (for layer l on arch a) into the one canonical form every
 * equivalent mapping shares (docs/model.md, section 8), without changing any
 * access count: a factor past what the levels below leave of its dim is
 * clamped (the factors above it become 1; a spatial factor is clamped on X
 * first, then on Y); the loops of trip count 1 move to the end of `order`
 * (and the dims of factor 1 to the end of order_x / order_y) in GNKCPQRS
 * order, the others keeping their relative order; bypass flags are cleared
 * where the arch does not keep the tensor and at the outermost level.
 * Instances that held no work before do not count as used afterwards.
 * Does nothing if m has another level count than a. */
void pesim_mapping_canonical(const pesim_arch *a, const pesim_layer *l, pesim_mapping *m);

/* Checks structure only (order is a permutation, factors >= 1, n_levels matches,
 * spatial factors within fan-out and allowed dims, dims covered). Capacity is the
 * model's job: an over-capacity mapping is a result with a reason, not an error. */
pesim_status pesim_mapping_check(const pesim_mapping *m, const pesim_arch *a,
                                 const pesim_layer *l, pesim_error *e);

/* Placement of a network's tensors (docs/network.md): for each layer, the
 * storage level (arch level index) holding its weights and its output
 * activation, and the level of the network's input. An address is the word
 * offset of the tensor's share in each instance of its level (a tensor is
 * striped over the level's instances); -1 leaves it to the allocator. */
typedef struct pesim_placement {
    int32_t n_layers;
    int32_t *weights_level;             /* owned, n_layers entries */
    int32_t *outputs_level;             /* owned, n_layers entries */
    int64_t *weights_address;           /* owned, n_layers entries; -1 = the allocator's choice */
    int64_t *outputs_address;           /* owned, n_layers entries; -1 = the allocator's choice */
    int32_t input_level;                /* the network input's level */
    int64_t input_address;              /* -1 = the allocator's choice */
    int32_t *line;                      /* owned or NULL: each layer's entry's line in the file it was loaded
                                         * from (0: none), for errors; pesim_placement_load sets it */
    int32_t input_line;                 /* the `input` key's line (0: none) */
} pesim_placement;

/* Allocates n_layers entries: every level (the input's too) set to `level`,
 * every address -1. */
pesim_status pesim_placement_init(pesim_placement *p, int32_t n_layers, int32_t level, pesim_error *e);
/* A deep copy of src into dst (dst is overwritten: free it first if it owns arrays). */
pesim_status pesim_placement_copy(pesim_placement *dst, const pesim_placement *src, pesim_error *e);
void pesim_placement_free(pesim_placement *p);

#ifdef __cplusplus
}
#endif
#endif
