/* dram_energy.c - DRAM energy from command counts: the IDD model of DRAMsim3
 * (src/configuration.cc, InitPowerParams) and DRAMPower, with the device
 * currents of pesim_dram (presets from DRAMsim3's configs), plus the I/O and
 * termination energy per data bit (DRAMPower's I/O term), and the command
 * counts the analytical model estimates from its access counts
 * (docs/estimate.md, "DRAM"). */
#include "pesim/estimate.h"

#include <math.h>
#include <stdint.h>

int pesim_estimate_dram_has_power(const pesim_dram *d)
{
    return d->device_bits > 0 && d->vdd_v > 0 && d->idd0_ma > 0 && d->idd3n_ma > 0 && d->idd2n_ma > 0 &&
           d->idd4r_ma > 0 && d->idd4w_ma > 0 && d->idd5ab_ma > 0;
}

/* mA x V x ns = pJ. Each command acts on every device of a rank; the
 * background currents flow in every device of every rank. */
void pesim_estimate_dram_power(const pesim_dram *d, pesim_dram_power *out)
{
    double dev = d->device_bits > 0 ? (double)d->bus_bits / d->device_bits : 0.0;
    double k = d->vdd_v * d->tck_ns * dev;
    int32_t trc = d->tRAS + d->tRP; /* as DRAMsim3: tRC = tRAS + tRP */
    out->act_pj = k * (d->idd0_ma * trc - (d->idd3n_ma * d->tRAS + d->idd2n_ma * d->tRP));
    out->rd_pj = k * (d->idd4r_ma - d->idd3n_ma) * (d->BL / 2.0);
    out->wr_pj = k * (d->idd4w_ma - d->idd3n_ma) * (d->BL / 2.0);
    out->ref_pj = k * (d->idd5ab_ma - d->idd3n_ma) * d->tRFC;
    out->active_cycle_pj = k * d->idd3n_ma;
    out->precharged_cycle_pj = k * d->idd2n_ma;
    /* I/O and termination: every data bit of a burst (bus_bits x BL), at the
     * per-bit figures of the preset or config (sim/core/arch.c cites them) */
    double burst_bits = (double)d->bus_bits * d->BL;
    out->io_rd_pj = burst_bits * d->io_read_pj_per_bit;
    out->io_wr_pj = burst_bits * d->io_write_pj_per_bit;
}

void pesim_estimate_dram_energy(const pesim_dram *d, const pesim_dram_activity *act, pesim_dram_energy *out)
{
    pesim_dram_power p;
    pesim_estimate_dram_power(d, &p);
    out->act_pj = act->act * p.act_pj;
    out->rd_pj = act->rd * p.rd_pj;
    out->wr_pj = act->wr * p.wr_pj;
    out->ref_pj = act->ref * p.ref_pj;
    out->background_pj = act->active_rank_cycles * p.active_cycle_pj +
                         act->precharged_rank_cycles * p.precharged_cycle_pj;
    out->io_pj = act->rd * p.io_rd_pj + act->wr * p.io_wr_pj;
    out->total_pj = out->act_pj + out->rd_pj + out->wr_pj + out->ref_pj + out->background_pj + out->io_pj;
}

/* DRAM cycles of `cycles` accelerator cycles (not rounded: an energy). */
static double dram_cycles_of(const pesim_dram *d, double clock_mhz, double cycles)
{
    if (!(d->tck_ns > 0) || !(clock_mhz > 0)) return 0;
    return cycles * (1000.0 / clock_mhz) / d->tck_ns;
}

static void background(const pesim_dram *d, double dram_cycles, pesim_dram_activity *out)
{
    double ranks = (double)d->channels * d->ranks;
    out->cycles = dram_cycles;
    out->active_rank_cycles = ranks * dram_cycles;
    out->precharged_rank_cycles = 0;
    out->ref = d->tREFI > 0 ? ranks * floor(dram_cycles / d->tREFI) : 0;
}

/* ceil(words x word_bits / burst_bits), in integers while they cannot
 * overflow; word_bits is a word's whole bytes in bits (words are not packed:
 * pesim_arch_word_bytes), as the cycle engines move them. */
static int64_t bursts_of(int64_t words, int64_t word_bits, int64_t burst_bits)
{
    if (words <= 0) return 0;
    if (words > INT64_MAX / 64) return (int64_t)ceil((double)words * (double)word_bits / (double)burst_bits);
    return (words * word_bits + burst_bits - 1) / burst_bits;
}

void pesim_estimate_dram_activity(const pesim_arch *a, int level, const pesim_cost *c, pesim_dram_activity *out)
{
    /* integer arithmetic: this runs in every analytical evaluation */
    const pesim_dram *d = &a->level[level].dram;
    int64_t burst_bits = (int64_t)d->bus_bits * d->BL, word_bits = 8 * pesim_arch_word_bytes(a);
    int64_t per_row = burst_bits > 0 ? d->row_bytes * 8 / burst_bits : 1;
    if (per_row < 1) per_row = 1;
    int64_t rd = 0, wr = 0, act = 0;
    for (int t = 0; burst_bits > 0 && t < PESIM_NTENSORS; t++) {
        const pesim_access *x = &c->access[level][t];
        int64_t r = bursts_of(x->reads, word_bits, burst_bits);
        int64_t w = bursts_of(x->fills + x->updates, word_bits, burst_bits);
        rd += r, wr += w;
        act += (r + per_row - 1) / per_row + (w + per_row - 1) / per_row;
    }
    out->rd = (double)rd, out->wr = (double)wr;
    out->act = out->pre = (double)act;
    background(d, dram_cycles_of(d, a->clock_mhz, (double)c->cycles), out);
}

/* The activity of a DRAM model run from its command counts and background
 * state (rank-cycles up to its clock dram_now; zero: not measured). */
static void from_counts(const pesim_dram *d, double clock_mhz, int64_t cycles, const double cmd[5], double dram_now,
                        double active, double precharged, pesim_dram_activity *out)
{
    background(d, dram_cycles_of(d, clock_mhz, (double)cycles), out);
    out->act = cmd[0], out->pre = cmd[1], out->rd = cmd[2], out->wr = cmd[3], out->ref = cmd[4];
    if (active + precharged > 0) {
        /* the model's own background state up to its clock; a run that lasts
         * longer idles with its rows as they were left: counted active, the
         * estimate's open-page assumption */
        double rest = out->cycles - dram_now;
        out->active_rank_cycles = active + (rest > 0 ? rest * (double)d->channels * d->ranks : 0);
        out->precharged_rank_cycles = precharged;
    }
}

void pesim_estimate_dram_activity_from_stats(const pesim_dram *d, const pesim_dram_stats *s, double clock_mhz,
                                             int64_t cycles, pesim_dram_activity *out)
{
    const double cmd[5] = {(double)s->act, (double)s->pre, (double)s->rd, (double)s->wr, (double)s->ref};
    from_counts(d, clock_mhz, cycles, cmd, (double)s->cycle, (double)s->active_cycles, (double)s->precharged_cycles,
                out);
}

void pesim_estimate_dram_activity_from_run(const pesim_dram *d, const pesim_engine_stats *s, double clock_mhz,
                                           int64_t cycles, pesim_dram_activity *out)
{
    const double cmd[5] = {(double)s->dram_act, (double)s->dram_pre, (double)s->dram_rd, (double)s->dram_wr,
                           (double)s->dram_refreshes};
    from_counts(d, clock_mhz, cycles, cmd, (double)s->dram_cycles, (double)s->dram_active_cycles,
                (double)s->dram_precharged_cycles, out);
}
