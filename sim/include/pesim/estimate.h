/* pesim/estimate.h - hardware cost estimation, in the spirit of Accelergy with
 * its CACTI and Aladdin plug-ins (docs/estimate.md).
 *
 * From a technology node and the hardware's own parameters it gives energy per
 * action, leakage power, area and (for memories) access time of: SRAM
 * (capacity, width, banks, ports), register files, MAC units by operand type,
 * adder trees, the vector unit, on-chip wires and networks (energy per bit per
 * mm, hop lengths from a floorplan of the array), and DRAM energy from the
 * DRAM model's command counts with the IDD model of DRAMsim3 and DRAMPower.
 * The tables are 45 nm figures (Horowitz, ISSCC 2014; Aladdin's 40 nm library;
 * Keckler et al. 2011 for wires), scaled to other nodes with the fits of
 * Stillmaker & Baas 2017; every constant cites its source in estimate_*.c.
 *
 * Architectures use it twice: pesim_estimate_arch() fills the per-action
 * fields the config left unset (pesim_level.estimated says which), and
 * pesim_estimate_cost() turns an evaluator's counts into energy; it is the one
 * place where cost comes from counts.
 *
 * Units: energies in pJ, power in uW, areas in um^2, lengths in mm, times in
 * ns unless a name says otherwise. Nothing here allocates, prints or fails on
 * valid structs. */
#ifndef PESIM_ESTIMATE_H
#define PESIM_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/dram.h"
#include "pesim/engine.h"
#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- technology ----------------------------------------------------------- */

/* A technology node and its factors relative to 45 nm. */
typedef struct pesim_tech {
    int32_t node_nm;
    double vdd_v;           /* nominal supply used for the energy factor */
    double energy_scale;    /* dynamic energy (and leakage power) vs 45 nm */
    double area_scale;      /* area vs 45 nm */
    double delay_scale;     /* gate delay vs 45 nm */
    double wire_scale;      /* wire energy per bit per mm vs 45 nm: (vdd / 1.0 V)^2 */
} pesim_tech;

/* The factors of node_nm (65, 45, 28, 16, 10 or 7; 0 means 45). out may be
 * NULL (a validity check). PESIM_ERR_RANGE for an unsupported node. */
pesim_status pesim_estimate_tech(int32_t node_nm, pesim_tech *out);

/* "65, 45, 28, 16, 10, 7" into buf; returns buf. */
const char *pesim_estimate_nodes_text(char *buf, size_t n);

/* ---- components ------------------------------------------------------------ */

/* One component's estimate. Fields a component has no use for are 0. */
typedef struct pesim_est {
    double read_pj;         /* per access / operation / transfer */
    double write_pj;        /* per write access (memories) */
    double leak_uw;         /* leakage power */
    double area_um2;
    double access_ns;       /* access time (memories) */
} pesim_est;

/* An SRAM of `bits` in total, split in `banks` equal banks, each access
 * reading or writing `width_bits` of one bank through one of `ports`
 * read/write ports. Energy per access grows with the bank's size (bit- and
 * word-line length) and with the routing across the whole macro; more banks
 * make each access cheaper and the macro larger (periphery per bank). */
void pesim_estimate_sram(const pesim_tech *t, double bits, int32_t width_bits, int32_t banks, int32_t ports,
                         pesim_est *out);

/* A flip-flop register file of `entries` x `width_bits` read through a mux
 * tree; one access moves width_bits. */
void pesim_estimate_regfile(const pesim_tech *t, int64_t entries, int32_t width_bits, int32_t ports,
                            pesim_est *out);

/* Storage levels of at most this many bits per instance are register files,
 * larger ones SRAM. */
#define PESIM_EST_REGFILE_MAX_BITS 512

/* One multiply-accumulate unit of operand type o (read_pj = one MAC):
 * multiplier plus accumulating adder (int8/int16: 32-bit integer adder;
 * fp16/bf16/fp32: fp32 adder). */
void pesim_estimate_mac(const pesim_tech *t, pesim_operand o, pesim_est *out);

/* An adder tree reducing `inputs` values of type o (inputs - 1 adders at the
 * accumulator's width): read_pj = one reduction. */
void pesim_estimate_adder_tree(const pesim_tech *t, pesim_operand o, int64_t inputs, pesim_est *out);

/* One lane of a vector unit for non-MAC layers (elementwise, pooling,
 * normalisation): read_pj = energy per lane operation (a fused multiply-add
 * of type o), area_um2 and leak_uw per lane. */
void pesim_estimate_vector(const pesim_tech *t, pesim_operand o, pesim_est *out);

/* Energy to move one bit one mm over an on-chip wire. */
double pesim_estimate_wire_pj_per_bit_mm(const pesim_tech *t);

/* ---- floorplan and networks -------------------------------------------------- */

/* The array below one instance of a level: its fanout_x x fanout_y children
 * laid out on a grid whose pitch is the side of one child's footprint (the
 * child instance and everything below it, or one MAC unit below level 0). */
typedef struct pesim_floorplan {
    double child_area_um2;  /* footprint of one child */
    double pitch_mm;        /* one hop between neighbouring children */
    double width_mm;        /* fanout_x * pitch */
    double height_mm;       /* fanout_y * pitch */
    double instance_area_um2; /* one instance of the level with everything below it */
} pesim_floorplan;

void pesim_estimate_floorplan(const pesim_arch *a, int level, pesim_floorplan *out);

/* ---- DRAM -------------------------------------------------------------------- */

/* What a DRAM did during a run. Counts are over all channels and ranks. */
typedef struct pesim_dram_activity {
    double act, pre, rd, wr, ref;   /* commands (rd, wr: bursts) */
    double cycles;                  /* DRAM clock cycles the run lasted */
    double active_rank_cycles;      /* rank-cycles (summed over channels and ranks) with a bank open */
    double precharged_rank_cycles;  /* rank-cycles with every bank precharged */
} pesim_dram_activity;

/* DRAM energy by component, pJ (IDD model of DRAMsim3's configuration.cc and
 * DRAMPower, per rank of bus_bits / device_bits devices):
 *   ACT  VDD (IDD0 tRC - IDD3N tRAS - IDD2N tRP) tCK
 *   RD   VDD (IDD4R - IDD3N) BL/2 tCK          WR  VDD (IDD4W - IDD3N) BL/2 tCK
 *   REF  VDD (IDD5AB - IDD3N) tRFC tCK
 *   background VDD IDD3N tCK per active rank-cycle, VDD IDD2N tCK per precharged one;
 * plus the I/O and termination energy of the data moved, outside the IDD
 * model (as DRAMPower's optional I/O term): per burst bus_bits x BL bits at
 * io_read_pj_per_bit / io_write_pj_per_bit (docs/estimate.md). */
typedef struct pesim_dram_energy {
    double act_pj, rd_pj, wr_pj, ref_pj, background_pj;
    double io_pj;           /* I/O and termination: rd and wr bursts x bus_bits x BL x io_*_pj_per_bit */
    double total_pj;
} pesim_dram_energy;

/* Energy of one command or one rank-cycle (the increments above), pJ. */
typedef struct pesim_dram_power {
    double act_pj, rd_pj, wr_pj, ref_pj;
    double active_cycle_pj, precharged_cycle_pj;
    double io_rd_pj, io_wr_pj;  /* I/O and termination of one read / write burst (outside the IDD model) */
} pesim_dram_power;

/* 1 when d has the power values the IDD model needs (VDD, the currents and
 * device_bits), else 0. */
int pesim_estimate_dram_has_power(const pesim_dram *d);

void pesim_estimate_dram_power(const pesim_dram *d, pesim_dram_power *out);
void pesim_estimate_dram_energy(const pesim_dram *d, const pesim_dram_activity *act, pesim_dram_energy *out);

/* Commands estimated from access counts, for evaluators without a command
 * trace (the analytical model). Bursts: each tensor's words of each direction
 * in whole bursts; activations: one per row of each tensor's traffic (tiles are
 * contiguous and streamed, so a row is opened once per row_bytes moved);
 * PRE = ACT; refreshes: one per tREFI per rank; background: every rank active
 * (open page) for the run's cycles (accelerator cycles converted to DRAM
 * cycles). */
void pesim_estimate_dram_activity(const pesim_arch *a, int level, const pesim_cost *c,
                                  pesim_dram_activity *out);

/* The activity of a DRAM model run (its statistics) that lasted `cycles`
 * accelerator cycles at clock_mhz: the model's own ACT, PRE, RD, WR and REF
 * counts (rd, wr: its RD and WR commands); background from its active and
 * precharged rank-cycles, the cycles after the model's clock counted active
 * (its open-page banks stay as they were left); without them (zero), as in
 * pesim_estimate_dram_activity (every rank active). */
void pesim_estimate_dram_activity_from_stats(const pesim_dram *d, const pesim_dram_stats *s, double clock_mhz,
                                             int64_t cycles, pesim_dram_activity *out);
/* The same from an evaluator's statistics (the cycle engine's or the SystemC
 * reference's DRAM fields: dram_act, dram_pre, dram_rd, dram_wr,
 * dram_refreshes, dram_cycles, dram_active_cycles, dram_precharged_cycles). */
void pesim_estimate_dram_activity_from_run(const pesim_dram *d, const pesim_engine_stats *s, double clock_mhz,
                                           int64_t cycles, pesim_dram_activity *out);

/* ---- architectures ------------------------------------------------------------- */

/* What the estimator gives one level (per instance, per word for energies). */
typedef struct pesim_level_est {
    double read_energy_pj, write_energy_pj;  /* per word */
    double leak_pj_per_cycle;
    double area_um2;
    double hop_energy_pj[PESIM_NTENSORS];    /* per word per hop below this level (0 without a fan-out) */
    double reduce_energy_pj;                 /* per addition of a spatial reduction: one adder of the
                                              * accumulator type (pesim_estimate_adder_tree of 2 inputs) */
    double reduce_area_um2;                  /* the outputs network's adder tree (reduce "tree" only):
                                              * pesim_arch_fanin - 1 adders */
    double access_ns;                        /* 0 for DRAM and unbounded levels */
    int kind;                                /* PESIM_EST_KIND_* */
    char what[160];                          /* "SRAM 64 KiB x 64 bit, 2 banks, 45 nm" */
} pesim_level_est;

#define PESIM_EST_KIND_NONE 0      /* unbounded on-chip level: nothing to estimate */
#define PESIM_EST_KIND_REGFILE 1
#define PESIM_EST_KIND_SRAM 2
#define PESIM_EST_KIND_DRAM 3

/* The estimates of level `level` of a, from its capacity, width, banks, ports,
 * bandwidth, the node, and (hop energy) the floorplan. Uses the area fields as
 * they are in a (given or estimated) for the floorplan and leakage. */
void pesim_estimate_level(const pesim_arch *a, int level, pesim_level_est *out);

/* The estimate of the MAC units of a. */
void pesim_estimate_arch_mac(const pesim_arch *a, pesim_est *out);

/* Fills every field of a whose PESIM_EST_* bit is set (a.estimated,
 * a.level[].estimated) with the estimate, innermost first (areas before the
 * floorplans that use them). Given fields are left alone. Errors: an
 * unsupported node, or a DRAM level whose energy is estimated but whose dram
 * has no power values (PESIM_ERR_MISSING, key levels.[name].dram.VDD). */
pesim_status pesim_estimate_arch(pesim_arch *a, pesim_error *e);

/* Re-estimates a after a hardware change from base (same levels): estimated
 * fields get the estimate of a; given fields are scaled by estimate(a) /
 * estimate(base) when scale_given, else kept. */
void pesim_estimate_rescale(const pesim_arch *base, pesim_arch *a, int scale_given);

/* Where a figure comes from, for `info`: "given" or "estimated: <what>".
 * level = -1 for the MAC figures; bit is one PESIM_EST_* bit. */
const char *pesim_estimate_source(const pesim_arch *a, int level, uint32_t bit, char *buf, size_t n);

/* ---- cost from counts ------------------------------------------------------------- */

/* Energy and area of one evaluated layer from its counts: fills c's
 * energy_mac_pj, energy_level_pj[], energy_noc_pj, energy_reduce_pj,
 * energy_vector_pj, energy_leak_pj, energy_pj, edp_pj_cycles and area_um2
 * from c->macs, c->access, c->utilized_instances, c->noc_word_hops,
 * c->noc_spatial_reductions, c->vector_ops and c->cycles:
 *   MACs x mac_energy_pj;
 *   per level reads x read_energy_pj + (fills + updates) x write_energy_pj
 *     (pesim_cost_access_energy_pj over c->utilized_instances: whole blocks
 *     per instance and once per utilized cluster under the "timeloop"
 *     conventions), except a DRAM level whose energies are estimated: its IDD energy over
 *     `dram` (the evaluator's command counts), or, when dram is NULL, over
 *     pesim_estimate_dram_activity() of the counts;
 *   network: noc_word_hops x hop_energy_pj, plus its adder trees: each
 *     level's outputs noc_spatial_reductions x reduce_energy_pj
 *     (energy_reduce_pj, counted in energy_noc_pj);
 *   vector unit: vector_ops x vector.energy_pj_per_op (energy_vector_pj);
 *   leakage: (MAC units x mac_leak + instances x leak_pj_per_cycle + vector
 *     units x vector.leak_pj_per_cycle) x cycles, where under the "timeloop"
 *     conventions a level's instances are its utilized ones (the most of any
 *     tensor's c->utilized_instances), as Timeloop charges them.
 * Every evaluator calls it. */
void pesim_estimate_cost(const pesim_arch *a, const pesim_dram_activity *dram, pesim_cost *c);

#ifdef __cplusplus
}
#endif
#endif
