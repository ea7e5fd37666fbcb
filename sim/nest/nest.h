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
} pesim_nest_counts;

/* Computes every access count of layer l mapped by m on a. Returns 1 when the
 * mapping is valid, else 0 with a reason in reason[0..n) naming the level and
 * tensor (capacity, fan-out, coverage, an unsupported multicast shape). */
int pesim_nest_count(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                     pesim_nest_counts *out, char *reason, size_t n);

#ifdef __cplusplus
}
#endif
#endif
