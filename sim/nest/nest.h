/* nest.h - the shared mapping semantics (docs/model.md): tile footprints, reuse,
 * multicast, reduction and halos, as exact access counts, under either
 * counting convention (pesim_arch.conventions). Internal to sim/: the
 * analytical model and the cycle engine both call it, which is why their
 * access counts agree exactly.
 *
 * All counts are totals over instances, in words. The common shapes are
 * closed forms that allocate nothing; the general shapes (the children's union
 * of input windows is not one block, or the "timeloop" convention's sharing of
 * identical windows only) enumerate the children of one parent, and the
 * closed form then allocates a scratch histogram for the duration of a call. */
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
    /* The network of level L (to its children), per tensor, for every level
     * between a child and its parent in the tensor's chain: */
    int64_t noc_ingress[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* distinct words entering it (multicast once;
                                                          * outputs: the updates after reduction) */
    int64_t noc_delivered[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* words it delivers to the children (outputs:
                                                            * the children's words before reduction) */
    int64_t fanout_used[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* children per instance of L the mapping uses */
    double noc_hops[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* sum over L's network words of their hops */
    int64_t macs;                  /* non-empty MAC iterations */
    int64_t temporal_steps;        /* non-empty temporal iterations (compute cycles of the array) */
    int64_t spatial_used;          /* MAC lanes used */
    int64_t tile_words[PESIM_MAX_LEVELS][PESIM_NTENSORS]; /* largest tile held per instance */
    pesim_violation violation;     /* why the mapping is invalid (kind NONE when valid) */
} pesim_nest_counts;

/* The digits of a mapping (see nest.c) and the compressed temporal loop list. */
typedef struct pesim_nest_digits {
    int n;                               /* number of digits (2 * levels) */
    int conv;                            /* pesim_conventions of the arch */
    int elide;                           /* "timeloop" with first_read_elision: a child's first
                                          * visit of an output word is not a fill */
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

/* One (child, parent) pair of a tensor's chain of keeping levels; child -1 is
 * the MAC array. Everything an evaluator needs to count it. */
typedef struct pesim_nest_pair {
    int8_t tensor, child, parent;
    int8_t conv;                /* the conventions the pair counts by ("pesim" for the MAC array) */
    int js;                     /* j* in the loop list; -1: the tile never changes */
    int jd;                     /* j*'s dim (-1) */
    int sliding;                /* at an advance of j* the child keeps what overlaps (inputs) */
    int general;                /* the parent side of inputs needs the enumerating evaluator */
    int slow;                   /* per-event parent words need pesim_nest_parent_words (a comb or general) */
    int64_t shift;              /* an advance of j* moves the child's tile by this much along jd */
    uint32_t tsel[PESIM_NDIMS]; /* selected temporal digits per dim (the events) */
    uint32_t sp_c, sp_p;        /* spatial digits above the child / above the parent */
    uint32_t un[PESIM_NDIMS];   /* nontrivial spatial digits of levels child+1..parent (the children) */
    int64_t gc[PESIM_NDIMS];    /* granularity of the child's tile per dim (1 for the MAC array) */
    int64_t gv[PESIM_NDIMS];    /* extent of the children's union per dim (one block or not) */
    uint8_t comb[PESIM_NDIMS];  /* 1: the children's union along the dim is not one block */
    uint32_t top[PESIM_NDIMS];  /* the parent's own nontrivial spatial digits (its direct children) */
    int64_t gsub[PESIM_NDIMS];  /* extent of one direct child's subtree from its origin */
} pesim_nest_pair;

/* Builds the digits of m; returns 1 if m is structurally valid for a and l
 * (the checks of pesim_mapping_check, without the message), else 0. */
int pesim_nest_digits_init(pesim_nest_digits *g, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m);

/* Describes the pair (child c, parent p) of tensor t (c = -1: the MAC array). */
void pesim_nest_pair_init(pesim_nest_pair *pr, const pesim_nest_digits *g, const pesim_arch *a,
                          const pesim_mapping *m, int t, int c, int p);

/* Input rows touched by an (A x B) block of (output x filter) rows; h = 1 for
 * the H direction (P, R), 0 for W (Q, S). "pesim": the distinct rows;
 * "timeloop": their span (Timeloop's tiles are boxes). 0 if A or B is 0. */
int64_t pesim_nest_wdist(const pesim_layer *l, int conv, int h, int64_t A, int64_t B);

/* Rows a child keeps when its window advances along one dim of the (h) pair:
 * previous extent ap, new extent an along the advancing dim, partner extent
 * b, the advance `shift` (in the advancing dim's units); adv_is_out: the
 * advancing dim is P or Q. "pesim" keeps the overlap of adjacent windows
 * (shift == ap); "timeloop" the overlap of the two spans. */
int64_t pesim_nest_overlap(const pesim_layer *l, int conv, int h, int adv_is_out, int64_t ap, int64_t an,
                           int64_t b, int64_t shift);

/* "pesim": |union of the children's new rows| - |union of their deltas| when
 * children share the advancing range (prev [0,ap), new [ap,ap+an)) and split
 * the partner range [0, bu) in consecutive chunks of bc. */
int64_t pesim_nest_shared_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t bu,
                                  int64_t bc);

/* The general parent side of inputs along the (h) pair of pair pr for one
 * parent instance at one event: the union of its children's windows has
 * extent eo along the output dim (P or Q) and ef along the filter dim (R or S),
 * measured from the event's origin. adv: 0, or 1 when this event advances j*
 * (then the children's deltas count). Returns the words along this pair read
 * from the parent ("pesim": the union of the children's rows or deltas;
 * "timeloop": the sum over distinct child windows or deltas). */
int64_t pesim_nest_halo_parent(const pesim_nest_digits *g, const pesim_layer *l, const pesim_nest_pair *pr,
                               int h, int64_t eo, int64_t ef, int adv);

/* Words of the children's union along dim d of pair pr when the union's
 * shape has extent e from the event's origin (a comb counts its teeth). */
int64_t pesim_nest_comb_size(const pesim_nest_digits *g, const pesim_nest_pair *pr, int d, int64_t e);

/* Words the parent of pair pr reads (operands) or receives as updates
 * (outputs), summed over the assignments of the digits mask[d] of every dim d
 * at the offsets off[d] (all other digits 0): per parent instance and event,
 * the children's union (the reduced updates for outputs; for inputs see
 * pesim_nest_halo_parent). adv: 0 no advance of j*; 1 every assignment is an
 * advance; 2 the assignments whose j* digit is past 0 are. -1 when out of
 * memory. */
int64_t pesim_nest_parent_words(const pesim_nest_digits *g, const pesim_layer *l, const pesim_nest_pair *pr,
                                const uint32_t *mask, const int64_t *off, int adv);

/* Sum over the words of level lv's network for tensor t of the hops each
 * travels, given the words entering it and those it delivers (docs/model.md,
 * "Networks"): "timeloop" conventions and bus networks, Timeloop's multicast
 * mesh; systolic, from the edge to the farthest child of each word's group
 * along the forwarding axis; unicast, from the array's corner to each child. */
/* A mesh network (PESIM_NOC_MESH) at level lv: the children the mapping uses
 * form a ux x uy array (the products of lv's spatial factors on X and Y)
 * entered at child (0, 0); every child's copy routes X first along row 0, then
 * Y down its column. Of `copies` words spread evenly over the children, the
 * busiest link carries copies x max(uy (ux - 1), uy - 1) / (ux uy) (the first
 * link east, or the first south when ux = 1), rounded down, or up with
 * round_up; 0 with one child. */
int64_t pesim_nest_mesh_link_words(const pesim_mapping *m, int lv, int64_t copies, int round_up);
/* Hops from the corner to the farthest child of that array: ux - 1 + uy - 1. */
int64_t pesim_nest_mesh_hops(const pesim_mapping *m, int lv);
double pesim_nest_hops(const pesim_arch *a, const pesim_mapping *m, int lv, int t, int conv, int64_t ingress,
                       int64_t delivered);

/* Capacity of level lv (< n_levels - 1) holding the largest tiles of extents
 * gt[d] (the product of every factor of d at lv and below, clamped to the
 * bound inside) of the tensors with keeps[t] != 0, double-buffered when the
 * level is: 1 if they fit, else 0 with *v (may be NULL) a CAPACITY violation
 * naming the tensor (-1: the shared capacity), the words asked for (x2 when
 * double-buffered) and the capacity. words[t] (may be NULL) gets each kept
 * tile's words (0 for the others). The one capacity rule of pesim. */
int pesim_nest_level_fits(const pesim_arch *a, const pesim_layer *l, int lv, const int64_t gt[PESIM_NDIMS],
                          const uint8_t keeps[PESIM_NTENSORS], int64_t words[PESIM_NTENSORS], pesim_violation *v);

/* Capacity of every bounded level lv in [from, n_levels - 1) of layer l mapped
 * by m: pesim_nest_level_fits on the extents the model checks (each dim's
 * factors at lv and below multiplied, clamped to the bound). 1 if every tile
 * fits, else 0 with *v (may be NULL) naming the first level that does not.
 * words[lv] (may be NULL) gets each checked level's kept tile words (levels
 * below from and above the failing one are left as they were). Every factor
 * of m must be >= 1. The capacity check of the model, the mapper and the
 * masked search space. */
int pesim_nest_tiles_fit(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, int from,
                         int64_t words[][PESIM_NTENSORS], pesim_violation *v);

/* Computes every access count of layer l mapped by m on a. Returns 1 when the
 * mapping is valid, else 0 with a reason in reason[0..n) naming the level and
 * tensor (capacity, fan-out, coverage, a spatial dim the level or its
 * network does not allow, a malformed mapping) and
 * out->violation saying the same as data. */
int pesim_nest_count(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                     pesim_nest_counts *out, char *reason, size_t n);

/* Fills the per-instance, utilization and network fields of out from the
 * counts (out->access must hold the totals already). */
void pesim_nest_results(const pesim_arch *a, const pesim_mapping *m, const pesim_nest_counts *nc, pesim_cost *out);

/* Clears out (no violation) and refuses what no evaluator can run: a layer
 * without MACs or a mapping with another level count than a (PESIM_ERR_INVALID,
 * out->reason and a STRUCTURE violation). The model and the engine start so. */
pesim_status pesim_nest_result_begin(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                     pesim_cost *out);

#ifdef __cplusplus
}
#endif
#endif
