/* model.c - the analytical model: exact counts from the nest semantics, then
 * energy from the counts (pesim_estimate_cost) and cycles as the max of compute and each
 * level's and network's bandwidth-bound time, plus fill and drain. */
#include "pesim/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nest/nest.h"
#include "pesim/estimate.h"

static int64_t ceil_div_d(double words, double per_cycle)
{
    if (per_cycle <= 0 || words <= 0) return 0;
    return (int64_t)ceil(words / per_cycle - 1e-9);
}

pesim_status pesim_model_evaluate(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                  pesim_cost *out)
{
    pesim_status st0 = pesim_nest_result_begin(a, l, m, out);
    if (st0 != PESIM_OK) return st0;
    pesim_nest_counts nc;
    if (!pesim_nest_count(a, l, m, &nc, out->reason, sizeof out->reason)) {
        out->area_um2 = pesim_arch_area_um2(a); /* a valid cost gets it from pesim_estimate_cost */
        out->violation = nc.violation;
        return PESIM_OK;
    }
    out->valid = 1;
    out->macs = nc.macs;
    out->spatial_used = nc.spatial_used;
    memcpy(out->access, nc.access, sizeof out->access);
    memcpy(out->noc_words, nc.noc_words, sizeof out->noc_words);
    pesim_nest_results(a, m, &nc, out);

    const int M = a->n_levels;
    const int tl = a->conventions == PESIM_CONV_TIMELOOP;
    int64_t compute = nc.temporal_steps, bound = compute, insts[PESIM_MAX_LEVELS];
    pesim_stall bound_cause = PESIM_STALL_COUNT;
    pesim_mapping_instances_all(m, insts);
    for (int lv = 0; lv < M; lv++) {
        const pesim_level *v = &a->level[lv];
        double inst = (double)insts[lv];
        double rd = 0, wr = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            rd += (double)nc.access[lv][t].reads;
            wr += (double)(nc.access[lv][t].fills + nc.access[lv][t].updates);
        }
        int64_t cyc;
        if (tl) {
            /* Timeloop: each level slows the whole run down by its worst ratio
             * of demanded to specified bandwidth per instance, the demand in
             * bytes per cycle (word_bits / 8 per word) as the Timeloop behind
             * the reference outputs computes it; DRAM timing plays no part */
            double bytes = a->word_bits / 8.0, slow = 1;
            double drd = rd / inst / (double)compute * bytes, dwr = wr / inst / (double)compute * bytes;
            double rbw = pesim_level_read_words_per_cycle(v), wbw = pesim_level_write_words_per_cycle(v);
            if (rbw > 0 && rbw < drd) slow = rbw / drd;
            if (wbw > 0 && wbw < dwr && wbw / dwr < slow) slow = wbw / dwr;
            cyc = slow < 1 ? (int64_t)ceil((double)compute / slow) : compute;
        } else if (v->is_dram) {
            /* one shared channel group: reads and writes share the bus; the
             * level's read and write ports (0 = unlimited) each carry their own */
            cyc = ceil_div_d(rd + wr, pesim_dram_words_per_cycle(&v->dram, a->word_bits, a->clock_mhz));
            int64_t rc = ceil_div_d(rd / inst, v->read_words_per_cycle);
            int64_t wc = ceil_div_d(wr / inst, v->write_words_per_cycle);
            if (rc > cyc) cyc = rc;
            if (wc > cyc) cyc = wc;
        } else {
            int64_t rc = ceil_div_d(rd / inst, pesim_level_read_words_per_cycle(v));
            int64_t wc = ceil_div_d(wr / inst, pesim_level_write_words_per_cycle(v));
            cyc = rc > wc ? rc : wc;
        }
        out->level_cycles[lv] = cyc;
        if (cyc > bound) bound = cyc, bound_cause = v->is_dram ? PESIM_STALL_DRAM_BW : PESIM_STALL_BUFFER_BW;
        if (tl) continue; /* Timeloop's networks do not limit the rate */
        int64_t ncyc = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            int64_t c = ceil_div_d((double)nc.noc_reads[lv][t] / inst, v->noc[t].words_per_cycle);
            if (c > ncyc) ncyc = c;
        }
        out->noc_cycles[lv] = ncyc;
        if (ncyc > bound) bound = ncyc, bound_cause = PESIM_STALL_NOC_BW;
    }

    /* Fill and drain, a lower bound of what any execution pays: the MAC
     * pipeline; the access latencies along the longest chain of levels a
     * tensor passes on its first fetch (DRAM: tRCD + CL + BL/2 of a read to a
     * closed bank); and one skew of the systolic array (x + y - 2 of the
     * spatial factors used). */
    int64_t fill = tl ? 0 : a->mac_latency_cycles - 1, chain_max = 0; /* Timeloop: none */
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        int64_t chain = 0;
        for (int lv = 0; lv < M; lv++) {
            if (!pesim_mapping_keeps(a, m, lv, (pesim_tensor)t)) continue;
            chain += pesim_level_latency_cycles(a, lv);
        }
        if (chain > chain_max) chain_max = chain;
    }
    if (!tl) fill += chain_max;
    for (int lv = 1; lv < M && !tl; lv++) { /* the first level with a systolic network feeds the array */
        int systolic = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) systolic |= a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC;
        if (!systolic) continue;
        int64_t x = 1, y = 1;
        for (int d = 0; d < PESIM_NDIMS; d++) x *= m->level[lv].spatial_x[d], y *= m->level[lv].spatial_y[d];
        fill += x + y - 2;
        break;
    }
    /* cycles: compute plus fill/drain, or the slowest resource if it is slower */
    out->compute_cycles = compute;
    out->cycles = compute + fill > bound ? compute + fill : bound;
    out->stall_cycles[PESIM_STALL_FILL_DRAIN] = fill;
    if (bound > compute + fill) {
        out->stall_cycles[bound_cause] = bound - compute - fill;
    }

    /* Energy: the one cost-from-counts function; DRAM commands estimated from
     * the access counts (no command trace here). */
    pesim_estimate_cost(a, NULL, out);
    out->utilization = (double)nc.macs / ((double)out->cycles * (double)pesim_arch_macs(a));
    return PESIM_OK;
}
