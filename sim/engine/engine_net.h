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

#include "net/net_step.h"
#include "pesim/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_engine_state pesim_engine_state;

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
