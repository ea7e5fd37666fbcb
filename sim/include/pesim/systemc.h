/* pesim/systemc.h - the SystemC reference model (sim/systemc/, C++;
 * docs/engine.md, "SystemC reference").
 *
 * The machine of docs/engine.md as clocked SystemC modules: a controller that
 * walks the blocks and issues the transfers, per level read/write ports moving
 * words every cycle at their rates, per level and tensor a network, the MAC
 * array, and a DRAM controller (channels, ranks, bank groups, banks, row
 * buffers, JEDEC timing, FR-FCFS, refresh) on its own clock behind a DMA
 * stream and a clock-domain crossing. It shares the plain structs and the
 * mapping semantics (the block walker) with the cycle engine, never its timing
 * code: where the two disagree, one of them is wrong. tests/systemc_test.cc
 * cross-checks them.
 *
 * Each call runs the simulation in a child process (fork): SystemC 2.3 lets a
 * process elaborate a design once, so every case gets a fresh kernel, and the
 * calling process never runs SystemC itself (calls are independent and may
 * come from several threads). Nothing is printed. Progress: with
 * opt->progress (a network: pesim_net_options.layer_progress and
 * engine.progress) the child reports the MAC array's compute steps over its
 * pipe every opt->progress_every_blocks cycles (0: 4,096; it counts cycles,
 * not blocks) and the calling process calls the hooks as the
 * engine would (done of total compute steps of the layer running, a network
 * layer's index first; layers without compute steps are not reported), the
 * last call with done == total; the hooks run in the calling thread. Only
 * built when the SystemC library is found (PESIM_HAVE_SYSTEMC). */
#ifndef PESIM_SYSTEMC_H
#define PESIM_SYSTEMC_H

#include <stddef.h>
#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/engine.h"
#include "pesim/mapping.h"
#include "pesim/net.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One event of a trace: at `cycle` (accelerator cycles), `module` did `event`.
 * The names are those of pesim_engine_options.trace, so the two traces can be
 * compared line by line once sorted by (cycle, module, event). */
typedef struct pesim_trace_event {
    int64_t cycle;
    char module[40];
    char event[40];
} pesim_trace_event;

typedef struct pesim_trace {
    pesim_trace_event *events;   /* malloc'ed, n entries; pesim_trace_free */
    size_t n;
} pesim_trace;

/* Runs layer l mapped by m on arch a in the SystemC reference. Same contract as
 * pesim_engine_run (pesim/engine.h): out fully overwritten, stats may be NULL,
 * an invalid mapping is a result (out->valid = 0, reason). Errors:
 * PESIM_ERR_INVALID for a layer without MACs or mismatched levels,
 * PESIM_ERR_RANGE for DRAM/accelerator clocks whose ratio is not a fraction
 * with a denominator up to 10^6 or a layer of more than 4M transfers and
 * blocks (the reference holds them all in memory), PESIM_ERR_NOMEM / PESIM_ERR_IO when the child
 * process cannot be started, PESIM_ERR_INTERNAL when the model finds itself
 * inconsistent (out->reason says where). */
pesim_status pesim_systemc_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                               const pesim_engine_options *opt, pesim_cost *out, pesim_engine_stats *stats);

/* The same, also recording the trace (trace may be NULL; free it with
 * pesim_trace_free). opt->trace is not used: the trace comes back in *trace. */
pesim_status pesim_systemc_run_traced(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                      const pesim_engine_options *opt, pesim_cost *out,
                                      pesim_engine_stats *stats, pesim_trace *trace);

/* Runs a placement of a whole network (pesim/net.h) in the SystemC
 * reference: the same stages as pesim_net_run (placement, allocation,
 * rectification, plans), then every layer as one program on one machine, in
 * a child process, with what persists from layer to layer as in the cycle
 * engine (docs/network.md). The result is pesim_net_run's, fidelity
 * PESIM_NET_SYSTEMC. Errors as pesim_net_run's, and PESIM_ERR_RANGE for a
 * network of more than 4M transfers and blocks. */
pesim_status pesim_systemc_net_run(pesim_net *n, const pesim_placement *p, const pesim_net_result **out,
                                   pesim_error *e);
/* The same, also recording the trace (the engine's trace hook gives the same
 * events: pesim_net_options.engine.trace). */
pesim_status pesim_systemc_net_run_traced(pesim_net *n, const pesim_placement *p, const pesim_net_result **out,
                                          pesim_trace *trace, pesim_error *e);

/* Frees the events and zeroes *t. NULL is a no-op. */
void pesim_trace_free(pesim_trace *t);

#ifdef __cplusplus
}
#endif
#endif
