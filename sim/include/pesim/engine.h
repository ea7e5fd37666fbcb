/* pesim/engine.h - the cycle-level engine (docs/engine.md).
 *
 * It executes a mapping: tiles move between levels as the loop nest advances
 * (the block walker of sim/nest gives every transfer's exact words), each
 * transfer occupies the ports of its levels, its network and, at DRAM, a
 * cycle-level DRAM model (banks, row buffers, JEDEC timing, FR-FCFS); double
 * buffering overlaps the next tile's transfer with compute; systolic arrays pay
 * weight preload, skew, fill and drain per fold. It is event-driven: it jumps
 * from one block or transfer boundary to the next and never steps idle cycles.
 * Its access counts equal the analytical model's exactly; its cycles are never
 * below the analytical bound. */
#ifndef PESIM_ENGINE_H
#define PESIM_ENGINE_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A trace hook: at `cycle`, `module` ("mac", or "<tensor>:<child level>" for a
 * transfer) did `event` ("fill b3 start", "fill b3 done", "drain b3 start",
 * "drain b3 left" (its words left the child), "drain b3 end" (they are in
 * the parent), "compute b3 start", "compute b3 end", "flush start",
 * "flush done", "finish"). Called as the engine schedules (program order, not
 * cycle order); the SystemC reference records the same events (pesim/systemc.h). */
typedef void (*pesim_engine_trace_fn)(void *ctx, int64_t cycle, const char *module, const char *event);

/* A progress hook (pesim_engine_options.progress): `done` of `total` compute
 * steps of the current layer. */
typedef void (*pesim_engine_progress_fn)(void *ctx, int64_t done, int64_t total);

typedef struct pesim_engine_options {
    int32_t stall_free;          /* 1: every transfer takes no time (SCALE-Sim's compute-only cycles) */
    int32_t dram_fcfs;           /* 1: FCFS DRAM scheduling instead of FR-FCFS */
    int32_t no_refresh;          /* 1: no DRAM refresh */
    pesim_engine_trace_fn trace; /* NULL: no trace (cross-checks and debugging only) */
    void *trace_ctx;
    /* Progress inside a long layer (a CLI shows rate and ETA from it; the
     * library prints nothing): called with the compute steps (non-empty
     * temporal iterations of the MAC array) done so far and the layer's
     * total, every progress_every_blocks compute blocks (0: 65536, so the
     * poll costs nothing measurable) and once when the layer's blocks are
     * done (done == total). In a network run it restarts for each MAC layer.
     * NULL: not called. */
    pesim_engine_progress_fn progress;
    void *progress_ctx;
    int64_t progress_every_blocks;
} pesim_engine_options;

/* What the engine measured beyond pesim_cost. */
typedef struct pesim_engine_stats {
    int64_t blocks;              /* compute blocks executed */
    int64_t transfers;           /* tile transfers (events) */
    int64_t folds;               /* systolic folds (stationary-tile changes) */
    int64_t dram_reads, dram_writes;   /* bursts */
    int64_t dram_row_hits, dram_row_misses, dram_row_conflicts;
    int64_t dram_refreshes;
    int64_t busy_cycles;         /* cycles the MAC array computed (compute_cycles of pesim_cost) */
    /* The DRAM model's commands and background state over the run, for
     * IDD-based DRAM energy: the model runs on to the DRAM cycle of the run's
     * last cycle (refresh goes on while the array computes), dram_cycles DRAM
     * cycles in all. dram_refreshes counts the REF commands of that span. */
    int64_t dram_cycles;               /* DRAM clock cycles the run spans */
    int64_t dram_act, dram_pre;        /* ACT and PRE commands (PRE includes those before a refresh) */
    int64_t dram_rd, dram_wr;          /* RD and WR commands (one a burst) */
    int64_t dram_active_cycles;        /* rank-cycles with some bank of the rank open (summed over ranks, channels) */
    int64_t dram_precharged_cycles;    /* rank-cycles with all banks of the rank closed; the two add up to
                                          dram_cycles * ranks * channels */
} pesim_engine_stats;

/* Runs layer l mapped by m on arch a. out is fully overwritten (as by
 * pesim_model_evaluate); stats may be NULL. An invalid mapping is a result
 * (out->valid = 0, reason). Returns PESIM_ERR_INVALID for a layer without
 * MACs or mismatched levels, PESIM_ERR_NOMEM if the DRAM model cannot be
 * created. */
pesim_status pesim_engine_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                              const pesim_engine_options *opt, pesim_cost *out, pesim_engine_stats *stats);

/* Cycles level `level`'s outputs network adds to partial sums reduced on their
 * way up from its children (docs/engine.md, "Networks"): with n the children of
 * one instance that add into each output word (the product of the level's
 * spatial factors of the dims outputs do not depend on), a `tree` adds
 * ceil(log2 n), a `systolic` chain n - 1, and `none` 0 (n > 1 is then an
 * invalid mapping). A `systolic` network adds 0: its skew pays the hops. */
int64_t pesim_engine_reduce_latency_cycles(const pesim_arch *a, const pesim_mapping *m, int level);

/* Reduction latency of outputs moving from level `child` (-1: the MAC array)
 * up to level `parent`: the sum of pesim_engine_reduce_latency_cycles over
 * the levels child+1 .. parent, whose networks the partial sums cross. */
int64_t pesim_engine_reduce_path_cycles(const pesim_arch *a, const pesim_mapping *m, int child, int parent);

#ifdef __cplusplus
}
#endif
#endif
