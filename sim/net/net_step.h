/* net_step.h - the program of a network run, as plain data (internal to
 * sim/): one step per layer with its operands' homes, DRAM regions and
 * readiness, and the DMA transfers (weight loads, concat copies) issued
 * between its blocks. sim/net builds it; the cycle engine (engine_net.h)
 * and the SystemC reference each execute it by their own means, so this
 * header holds data only (docs/network.md "Cycle engine"). */
#ifndef PESIM_NET_STEP_H
#define PESIM_NET_STEP_H

#include <stdint.h>

#include "nest/walk.h"
#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A DRAM address region: bytes [base, base + span) (span a multiple of the
 * burst); transfers take its bursts in order, wrapping at its end. */
typedef struct pesim_engine_region {
    uint64_t base, span;
} pesim_engine_region;

/* The row-major DRAM layout (pesim_dram.layout; docs/engine.md, "DRAM
 * address layout") of a tensor that is a slice of channels of a wider one,
 * its holder (a concat's output holding its aliased inputs): the tensor's
 * channels are [offset, offset + its channels) of the holder's `holder`
 * channels per pixel, the same pixels, the holder's element 0 at byte
 * `base`. holder 0: no slice (the tensor is dense from its region's base). */
typedef struct pesim_engine_slice {
    uint64_t base;
    int64_t holder, offset;
} pesim_engine_slice;

/* A DMA transfer of a step: `words` from level src to level dst (no network),
 * each side's share per instance ceil(words / instances of the level), no
 * earlier than `ready`, issued in program order after block `after_block`'s
 * fills (-1: before the first block). The regions are its DRAM sides' (DRAM
 * to DRAM: read, then write). `tensor` names it in traces (its pesim_tensor
 * slot). */
typedef struct pesim_engine_dma {
    int32_t src, dst, tensor;
    int64_t words;
    int64_t ready;
    int64_t after_block;
    pesim_engine_region src_region, dst_region;
    /* row-major: a concat's copy is `channels` channels of every pixel of the
     * step's output (the concat's N P Q); its source a tensor of those
     * channels (src_slice: a slice of its holder, or dense at src_region's
     * base), its destination the concat's output narrowed to them (dst_slice:
     * the channels' place in the output or the output's holder). channels 0
     * (a load, a copy whose words are no whole number of the concat's
     * pixels): dense whole tensors, the regions' bursts in order */
    int64_t channels;
    pesim_engine_slice src_slice, dst_slice;
    int64_t done;                 /* out: the words are in dst */
} pesim_engine_dma;

/* Blocks of a step that does not use the walker (a vector layer). */
typedef int (*pesim_engine_next_fn)(void *ctx, pesim_block *out);

typedef struct pesim_engine_step {
    const pesim_arch *arch;       /* the step's view (homes bypassed, room); the state's levels and timing */
    const pesim_layer *layer;
    const pesim_mapping *map;     /* MAC steps: the walker's mapping; NULL: `next` gives the blocks */
    int n_pairs;                  /* without a mapping: the blocks' pairs (walker format) */
    const pesim_walk_pair *pairs;
    pesim_engine_next_fn next;
    void *ctx;
    int vector;                   /* 1: the vector unit computes (no systolic folds; its pipeline at the end) */
    int32_t home[PESIM_NTENSORS]; /* the level serving each operand in place of the outermost level */
    pesim_engine_region region[PESIM_NTENSORS]; /* each operand's DRAM region */
    pesim_engine_slice slice[PESIM_NTENSORS];   /* row-major: an operand that is a slice of a concat's output */
    int64_t ready[PESIM_NTENSORS];/* each operand complete (the outermost pair of it waits) */
    int ready_is_load[PESIM_NTENSORS]; /* 1: ready is a load's end (a wait for it is dram_bandwidth), else a
                                         * producer's (fill_drain) */
    int ready_dma[PESIM_NTENSORS];/* k > 0: the operand is complete only once the step's DMA k - 1 (issued
                                   * before the first block) is done; 0: none */
    int64_t act_steps;            /* fused activation on the vector unit (beside the compute) */
    int n_dma;
    pesim_engine_dma *dma;
} pesim_engine_step;

/* When a step ran. */
typedef struct pesim_engine_times {
    int64_t start;                /* its first transfer or compute */
    int64_t end;                  /* its outputs in place (every write landed, the pipelines drained) */
    int64_t compute_start, compute_end; /* its first block's compute start, its last block's end */
    int64_t timeline;             /* its share of the compute timeline: from the previous compute's end to
                                   * its last compute's end (its stalls count this span) */
} pesim_engine_times;

#ifdef __cplusplus
}
#endif
#endif
