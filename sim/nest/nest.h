/* nest.h - the shared mapping semantics (docs/model.md): tile footprints, reuse,
 * multicast, reduction and halos, as exact access counts. Internal to sim/:
 * the analytical model and the cycle engine both call it, which is why their
 * access counts agree exactly.
 *
 * All counts are totals over instances, in words. Nothing is allocated. */
#ifndef PESIM_NEST_H
#define PESIM_NEST_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-dim mixed-radix digits of a mapping, least significant first:
 * digit 2l = spatial factor of level l (x*y), digit 2l+1 = temporal factor. */
#define PESIM_NEST_DIGITS (2 * PESIM_MAX_LEVELS)

typedef struct pesim_nest_counts {
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t noc_words[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* delivered below level L (both ways for outputs) */
    int64_t noc_reads[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* words injected by level L (after multicast) */
    int64_t macs;                  /* non-empty MAC iterations */
    int64_t temporal_steps;        /* non-empty temporal iterations (compute cycles of the array) */
    int64_t spatial_used;          /* MAC lanes used */
    int64_t tile_words[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* largest tile held per instance */
    pesim_violation violation;     /* why the mapping is invalid (kind NONE when valid) */
} pesim_nest_counts;

/* The digits of a mapping (see nest.c) and the compressed temporal loop list. */
typedef struct pesim_nest_digits {
    int n;                               /* number of digits (2 * levels) */
    int64_t f[PESIM_NDIMS][PESIM_NEST_DIGITS];    /* radices per dim */
    int64_t below[PESIM_NDIMS][PESIM_NEST_DIGITS + 1]; /* below[d][i] = prod f[d][0..i) */
    int64_t bound[PESIM_NDIMS];                   /* the layer's dims */
    uint32_t nontrivial[PESIM_NDIMS];             /* digits with radix > 1 */
    int n_active;                        /* dims with bound > 1 */
    uint8_t active[PESIM_NDIMS];
    int n_loops;                         /* temporal loops with factor > 1, outermost first */
    uint8_t loop_level[PESIM_NDIMS * PESIM_MAX_LEVELS], loop_dim[PESIM_NDIMS * PESIM_MAX_LEVELS];
    /* memo of count_nonempty: the same selections recur across tensors */
    uint32_t memo_sel[PESIM_NDIMS][4];
    int64_t memo_val[PESIM_NDIMS][4];
    uint8_t memo_next[PESIM_NDIMS];
} pesim_nest_digits;

/* Builds the digits of m; returns 1 if m is structurally valid for a and l
 * (the checks of pesim_mapping_check, without the message), else 0. */
int pesim_nest_digits_init(pesim_nest_digits *g, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m);

/* Input rows touched by an (A x B) block of (output x filter) rows; h = 1 for
 * the H direction (P, R), 0 for W (Q, S). */
int64_t pesim_nest_wdist(const pesim_layer *l, int h, int64_t A, int64_t B);
/* Overlap of two adjacent windows along the advancing dim (prev ap, new an),
 * partner extent b; adv_is_out: the advancing dim is P or Q. */
int64_t pesim_nest_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t b);
/* |union of the children's new rows| - |union of their deltas| when children
 * split the partner range [0, bu) in chunks of bc; -1 if too large. */
int64_t pesim_nest_shared_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t bu,
                                  int64_t bc);

/* Capacity of level lv (< n_levels - 1) holding the largest tiles of extents
 * gt[d] (the product of every factor of d at lv and below, clamped to the
 * bound inside) of the tensors with keeps[t] != 0, double-buffered when the
 * level is: 1 if they fit, else 0 with *v (may be NULL) a CAPACITY violation
 * naming the tensor (-1: the shared capacity), the words asked for (x2 when
 * double-buffered) and the capacity. words[t] (may be NULL) gets each kept
 * tile's words (0 for the others). The one capacity rule of pesim. */
int pesim_nest_level_fits(const pesim_arch *a, const pesim_layer *l, int lv, const int64_t gt[PESIM_NDIMS],
                          const uint8_t keeps[PESIM_NTENSORS], int64_t words[PESIM_NTENSORS], pesim_violation *v);

/* Computes every access count of layer l mapped by m on a. Returns 1 when the
 * mapping is valid, else 0 with a reason in reason[0..n) naming the level and
 * tensor (capacity, fan-out, coverage, an unsupported multicast shape) and
 * out->violation saying the same as data. */
int pesim_nest_count(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                     pesim_nest_counts *out, char *reason, size_t n);

#ifdef __cplusplus
}
#endif
#endif
