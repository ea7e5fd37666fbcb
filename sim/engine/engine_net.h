/* engine_net.h - the cycle engine over a sequence of layers (internal to sim/;
 * sim/net drives it, docs/network.md "Cycle engine").
 *
 * A pesim_engine_state holds what persists from one layer to the next: the
 * DRAM model (rows, queues, clock), the DMA stream, every port's and
 * network's free time, the compute timeline (the MAC array and the vector
 * unit take turns: a block computes after the previous one, whatever layer)
 * and, per (tensor, child level), the double buffer's state and the last
 * drain. A step is one layer: its blocks come from the walker (MAC layers) or
 * from the caller (vector layers); the walker's outermost level is replaced,
 * per operand, by the operand's home; the outermost pair of an operand waits
 * until the operand is complete; DMA transfers (weight loads, concat copies)
 * are issued in program order after a given block. pesim_engine_run is one
 * step on a fresh state. */
#ifndef PESIM_ENGINE_NET_H
#define PESIM_ENGINE_NET_H

#include <stdint.h>

#include "nest/walk.h"
#include "pesim/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_engine_state pesim_engine_state;

/* A DRAM address region: bytes [base, base + span) (span a multiple of the
 * burst); transfers take its bursts in order, wrapping at its end. */
typedef struct pesim_engine_region {
    uint64_t base, span;
} pesim_engine_region;

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

/* A fresh state for arch a (its levels, DRAM timing, clock). out NULL on
 * error (PESIM_ERR_NOMEM, reason set). */
pesim_status pesim_engine_state_create(const pesim_arch *a, const pesim_engine_options *opt,
                                       pesim_engine_state **out, char *reason, size_t n);
void pesim_engine_state_destroy(pesim_engine_state *s);

/* Runs one step. out gets its counts (every operand's traffic at its home),
 * compute cycles and stalls over its timeline share (waits before its blocks,
 * slow blocks, folds, first latency; not its pipeline tail and flush, which
 * the next step's first wait covers), energy over the counts, no leakage;
 * t its times. An invalid mapping: out->valid = 0. */
pesim_status pesim_engine_state_run(pesim_engine_state *s, const pesim_engine_step *st, pesim_cost *out,
                                    pesim_engine_times *t);

/* The run ends at accelerator cycle end_cycle: the DRAM runs on to it
 * (refreshing, rows open or closed), as the SystemC reference's does. */
void pesim_engine_state_end(pesim_engine_state *s, int64_t end_cycle);

/* The engine's counters so far (DRAM statistics included). */
void pesim_engine_state_stats(const pesim_engine_state *s, pesim_engine_stats *out);

#ifdef __cplusplus
}
#endif
#endif
