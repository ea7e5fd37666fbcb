/* pesim/cost.h - what an evaluator returns for one layer (plain data).
 *
 * Counting conventions (docs/model.md, pesim_arch.conventions): counts are
 * totals over all instances of a level. reads = words sent toward the children
 * or the MACs ("pesim": and drained to the parent); fills = words written into
 * a level from its parent; updates = partial sums written into a level from
 * below. Network words are words delivered to children. */
#ifndef PESIM_COST_H
#define PESIM_COST_H

#include <stdint.h>
#include "pesim/arch.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PESIM_REASON_MAX 192

typedef enum pesim_stall {
    PESIM_STALL_DRAM_BW = 0,     /* DRAM bandwidth */
    PESIM_STALL_DRAM_LATENCY,    /* DRAM latency and row misses */
    PESIM_STALL_BANK_CONFLICT,   /* buffer bank conflicts */
    PESIM_STALL_BUFFER_BW,       /* buffer port bandwidth */
    PESIM_STALL_NOC_BW,          /* on-chip network bandwidth */
    PESIM_STALL_FILL_DRAIN,      /* pipeline / systolic fill and drain */
    PESIM_STALL_SPACE,           /* waiting for buffer space */
    PESIM_STALL_COUNT
} pesim_stall;

const char *pesim_stall_name(pesim_stall s);   /* JSON key, e.g. "dram_bandwidth" */

/* Why a design is invalid, as data (the reason text says the same in words).
 * Units of amount and limit by kind: words (capacity, placement), MAC lanes
 * (fan-out), loop iterations (coverage), um2 (area), mW (power); 0 where the
 * kind has no amount. Fields that do not apply are -1. */
typedef enum pesim_violation_kind {
    PESIM_VIOLATION_NONE = 0,
    PESIM_VIOLATION_CAPACITY,     /* tiles kept at `level` exceed its capacity; tensor -1: the shared
                                   * capacity; amount: the words needed (x2 when double-buffered) */
    PESIM_VIOLATION_FANOUT,       /* spatial factors on an axis of `level` exceed its fan-out (dim: the
                                   * dim unrolled, -1 when several); amount: the lanes asked for */
    PESIM_VIOLATION_SPATIAL_DIM,  /* `dim` unrolled on an axis of `level` that does not allow it */
    PESIM_VIOLATION_COVERAGE,     /* the factors of `dim` do not cover its bound */
    PESIM_VIOLATION_UNSUPPORTED,  /* reserved: no evaluator sets it today (the model counts every
                                   * mapping shape); kept so that stored kinds keep their numbers */
    PESIM_VIOLATION_STRUCTURE,    /* any other structural error of a mapping or architecture */
    PESIM_VIOLATION_AREA,         /* area over the budget */
    PESIM_VIOLATION_POWER,        /* power over the budget */
    PESIM_VIOLATION_MAPPER,       /* the default mapper found no mapping for `layer` */
    PESIM_VIOLATION_PLACEMENT,    /* live placed tensors exceed `level` at step `layer` */
    PESIM_VIOLATION_OTHER,        /* anything else (a failed engine or DRAM model call) */
    PESIM_VIOLATION_KIND_COUNT
} pesim_violation_kind;

typedef struct pesim_violation {
    pesim_violation_kind kind;
    int32_t layer;                /* a layer index of the workload evaluated (search: the space's network) */
    int32_t level, tensor, dim;   /* arch level, pesim_tensor, pesim_dim */
    double amount, limit;         /* what was asked for, and what is allowed */
} pesim_violation;

/* "capacity", "fanout", "spatial_dim", "coverage", "unsupported", "structure",
 * "area", "power", "mapper", "placement", "other" ("none" for NONE). */
const char *pesim_violation_name(pesim_violation_kind k);
/* A violation of kind k with every index field -1 and no amount. */
pesim_violation pesim_violation_make(pesim_violation_kind k);

typedef struct pesim_access {
    int64_t reads;
    int64_t fills;
    int64_t updates;
} pesim_access;

typedef struct pesim_cost {
    int32_t valid;                       /* 0: reason says why */
    char reason[PESIM_REASON_MAX];
    int64_t macs;                        /* MACs performed (== the layer's) */
    int64_t cycles;                      /* total */
    int64_t compute_cycles;              /* cycles the MAC array needs on its own */
    int64_t stall_cycles[PESIM_STALL_COUNT];
    int64_t level_cycles[PESIM_MAX_LEVELS]; /* bandwidth-bound cycles of each level */
    int64_t noc_cycles[PESIM_MAX_LEVELS];   /* bandwidth-bound cycles of each level's network */
    double utilization;                  /* macs / (cycles * MAC units) */
    double energy_pj;                    /* total */
    double energy_mac_pj;
    double energy_level_pj[PESIM_MAX_LEVELS];
    double energy_noc_pj;
    double energy_leak_pj;
    double edp_pj_cycles;                /* energy_pj * cycles */
    double area_um2;
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t noc_words[PESIM_MAX_LEVELS][PESIM_NTENSORS];  /* words delivered below level L */
    double noc_word_hops[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* sum over the words of level L's network of
                                                             * the hops each travels (docs/model.md) */
    int64_t spatial_used;                /* MAC units the mapping uses */
    pesim_violation violation;           /* kind NONE when valid */
    /* Per level and tensor, as Timeloop reports them (0 where L does not keep T): */
    pesim_access access_per_instance[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* access / utilized instances,
                                                                         * rounded up */
    int64_t utilized_instances[PESIM_MAX_LEVELS][PESIM_NTENSORS];     /* instances of L the mapping uses */
    int64_t utilized_capacity_words[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* words of T's largest tile per
                                                                        * instance */
    /* Per network (level L to its children) and tensor, at every level
     * between a child and its parent in T's chain: */
    int64_t noc_ingress_words[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* distinct words entering it (multicast
                                                                * once; outputs: updates after reduction) */
    double noc_multicast[PESIM_MAX_LEVELS][PESIM_NTENSORS];        /* words delivered per ingress word
                                                                    * (outputs: children per reduced word) */
    int64_t noc_spatial_reductions[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* outputs: additions in the network */
    int64_t noc_fanout[PESIM_MAX_LEVELS][PESIM_NTENSORS];          /* children per instance the mapping uses */
    int64_t vector_ops;                  /* element operations on the vector unit (non-MAC layers, fused
                                          * activations; 0 for a MAC layer evaluated alone) */
    double energy_reduce_pj;             /* adder trees: noc_spatial_reductions x reduce_energy_pj (part of
                                          * energy_noc_pj) */
    double energy_vector_pj;             /* vector_ops x vector.energy_pj_per_op (part of energy_pj) */
} pesim_cost;

/* Energy of the accesses x of one tensor at level L of arch a, over
 * `instances` instances (pJ): reads at read_energy_pj, fills and updates at
 * write_energy_pj per word. With the "timeloop" conventions, as Timeloop
 * charges them: per instance, each kind of access in whole blocks of
 * block_words (a partial block costs a whole one), and on a level of
 * clusters (pesim_level.cluster_size > 1) once per utilized cluster: the
 * utilized instances spread over min(instances, the level's clusters) of them,
 * each cluster's access serving all its instances at once. */
double pesim_cost_access_energy_pj(const pesim_arch *a, int level, const pesim_access *x, int64_t instances);

#ifdef __cplusplus
}
#endif
#endif
