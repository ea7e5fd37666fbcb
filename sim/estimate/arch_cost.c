/* arch_cost.c - estimates of an architecture's levels, MACs and networks; the
 * filling and rescaling of the fields a config left unset; and the one
 * function that turns an evaluator's counts into energy (docs/estimate.md). */
#include "pesim/estimate.h"
#include "estimate/estimate_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void tech_of(const pesim_arch *a, pesim_tech *t)
{
    if (pesim_estimate_tech(a->tech_nm, t) != PESIM_OK) pesim_estimate_tech(45, t); /* checked by pesim_arch_check */
}

/* Every estimate of an arch, computed innermost first in one pass: a level's
 * network pitch needs the areas below it, its leakage its own area. Areas are
 * the fields' values, or the estimate for a field left to the estimator. */
typedef struct arch_est {
    pesim_tech t;
    pesim_est mac;
    pesim_est lane;                             /* one vector lane */
    double adder_pj;                            /* one addition of the accumulator type */
    double mac_area_um2, mac_leak_pj_per_cycle;
    double lanes;                               /* the vector unit's (0: none) */
    double vector_leak_pj_per_cycle;            /* of the vector unit's area as used */
    pesim_level_est lv[PESIM_MAX_LEVELS];
    double area_um2[PESIM_MAX_LEVELS];          /* per instance, as used */
    double tree_um2[PESIM_MAX_LEVELS];          /* per instance, the adder tree's as used */
    double sub_um2[PESIM_MAX_LEVELS + 1];       /* sub_um2[l + 1]: one instance of l with everything below */
} arch_est;

static double leak_pj_per_cycle(const pesim_arch *a, const pesim_tech *t, double area_um2)
{
    return a->clock_mhz > 0 ? est_leak_uw(t, area_um2) / a->clock_mhz : 0; /* uW / MHz = pJ per cycle */
}

static const char *kib_text(double bits, char *buf, size_t n)
{
    double bytes = bits / 8;
    if (bytes >= 1024.0 * 1024 && fmod(bytes, 1024.0 * 1024) == 0) snprintf(buf, n, "%g MiB", bytes / 1048576);
    else if (bytes >= 1024 && fmod(bytes, 1024) == 0) snprintf(buf, n, "%g KiB", bytes / 1024);
    else if (bytes >= 1024) snprintf(buf, n, "%.4g KiB", bytes / 1024);
    else snprintf(buf, n, "%g B", bytes);
    return buf;
}

/* The array whose pitch a network below level l spans: the nearest level at or
 * below l with a fan-out (a tensor's network sits on the nearest level above
 * that keeps it, which may be above the fan-out it crosses). */
static int array_level(const pesim_arch *a, int l)
{
    for (int k = l; k >= 0; k--)
        if ((int64_t)a->level[k].fanout_x * a->level[k].fanout_y > 1) return k;
    return l;
}

static void floorplan_of(const pesim_arch *a, const arch_est *x, int level, pesim_floorplan *out)
{
    const pesim_level *v = &a->level[level];
    out->child_area_um2 = x->sub_um2[level];
    out->pitch_mm = sqrt(out->child_area_um2) * 1e-3;
    out->width_mm = v->fanout_x * out->pitch_mm;
    out->height_mm = v->fanout_y * out->pitch_mm;
    out->instance_area_um2 = x->sub_um2[level + 1];
}

/* The estimate of level `level` (x->sub_um2[0..level] must be known); with
 * `describe`, its `what` text too (for info and sources only: it costs
 * snprintf calls that hardware-space decoding should not pay). */
static void level_est(const pesim_arch *a, const arch_est *x, int level, int describe, pesim_level_est *out)
{
    const pesim_level *v = &a->level[level];
    const pesim_tech *t = &x->t;
    memset(out, 0, sizeof *out);

    /* networks: one hop is one pitch of the array the words, the level's, cross */
    const int32_t word_bits = pesim_level_word_bits(a, level);
    pesim_floorplan fp;
    floorplan_of(a, x, array_level(a, level), &fp);
    double per_hop = pesim_estimate_wire_pj_per_bit_mm(t) * word_bits * fp.pitch_mm;
    for (int k = 0; k < PESIM_NTENSORS; k++) out->hop_energy_pj[k] = per_hop;
    out->reduce_energy_pj = x->adder_pj;
    /* the outputs network's adder tree: fan-in - 1 adders of the accumulator type */
    if (v->keeps[PESIM_OUTPUTS] && v->noc[PESIM_OUTPUTS].reduce == PESIM_REDUCE_TREE) {
        pesim_est tree;
        pesim_estimate_adder_tree(t, pesim_arch_operand(a), pesim_arch_fanin(a, level, PESIM_OUTPUTS), &tree);
        out->reduce_area_um2 = tree.area_um2;
    }
    double tree_um2 = (v->estimated & PESIM_EST_REDUCE_AREA) ? out->reduce_area_um2 : v->reduce_area_um2;

    char b[32];
    if (v->is_dram) {
        const pesim_dram *d = &v->dram;
        out->kind = PESIM_EST_KIND_DRAM;
        if (!pesim_estimate_dram_has_power(d)) {
            if (describe) snprintf(out->what, sizeof out->what, "DRAM %s without power values", d->preset[0] ? d->preset : "custom");
            return;
        }
        pesim_dram_power p;
        pesim_estimate_dram_power(d, &p);
        double burst_bytes = d->bus_bits / 8.0 * d->BL, words = burst_bytes * 8.0 / word_bits;
        double per_row = floor((double)d->row_bytes / burst_bytes);
        if (per_row < 1) per_row = 1;
        /* per-word equivalents of the IDD model for a streamed row, with the
         * burst's I/O and termination (background is charged over time, not
         * per word) */
        out->read_energy_pj = (p.rd_pj + p.io_rd_pj + p.act_pj / per_row) / words;
        out->write_energy_pj = (p.wr_pj + p.io_wr_pj + p.act_pj / per_row) / words;
        if (describe)
            snprintf(out->what, sizeof out->what,
                     "DRAM %.31s IDD (DRAMsim3) + I/O %.3g/%.3g pJ/bit, %d x%d devices per rank",
                     d->preset[0] ? d->preset : "custom", d->io_read_pj_per_bit, d->io_write_pj_per_bit,
                     d->bus_bits / d->device_bits, d->device_bits);
        return;
    }
    int64_t words = pesim_level_words(v);
    double bits = (double)words * word_bits;
    if (words <= 0) {
        out->kind = PESIM_EST_KIND_NONE;
        if (describe) snprintf(out->what, sizeof out->what, "unbounded level: no estimate");
        return;
    }
    /* words per access: one port's bandwidth (the rates are per port) spread
     * over the banks */
    double bw = v->read_words_per_cycle > v->write_words_per_cycle ? v->read_words_per_cycle : v->write_words_per_cycle;
    int32_t banks = v->banks > 0 ? v->banks : 1, ports = v->ports > 0 ? v->ports : 1;
    double wpa = bw > 0 ? ceil(bw / banks - 1e-9) : 1;
    if (wpa < 1) wpa = 1;
    if (wpa > (double)(1 << 20)) wpa = (double)(1 << 20); /* keeps width_bits an int32 */
    int32_t width = (int32_t)(wpa * word_bits);
    pesim_est e;
    if (bits <= PESIM_EST_REGFILE_MAX_BITS) {
        int64_t entries = (int64_t)ceil(bits / width);
        pesim_estimate_regfile(t, entries, width, ports, &e);
        out->kind = PESIM_EST_KIND_REGFILE;
        if (describe) snprintf(out->what, sizeof out->what, "register file %lld x %d bit, %d nm", (long long)entries, width,
                 t->node_nm);
    } else {
        pesim_estimate_sram(t, bits, width, banks, ports, &e);
        out->kind = PESIM_EST_KIND_SRAM;
        if (describe) snprintf(out->what, sizeof out->what, "SRAM %s x %d bit, %d bank%s, %d port%s, %d nm",
                 kib_text(bits, b, sizeof b), width, banks, banks == 1 ? "" : "s", ports, ports == 1 ? "" : "s",
                 t->node_nm);
    }
    out->read_energy_pj = e.read_pj / wpa;
    out->write_energy_pj = e.write_pj / wpa;
    out->area_um2 = e.area_um2;
    out->access_ns = e.access_ns;
    double area = (v->estimated & PESIM_EST_AREA) ? e.area_um2 : v->area_um2;
    out->leak_pj_per_cycle = leak_pj_per_cycle(a, t, area + tree_um2);
}

static void estimate_all(const pesim_arch *a, int describe, arch_est *x)
{
    tech_of(a, &x->t);
    pesim_estimate_mac(&x->t, pesim_arch_operand(a), &x->mac);
    pesim_estimate_vector(&x->t, pesim_arch_operand(a), &x->lane);
    pesim_est add;
    pesim_estimate_adder_tree(&x->t, pesim_arch_operand(a), 2, &add);
    x->adder_pj = add.read_pj;
    x->lanes = a->vector.lanes > 0 ? a->vector.lanes : 0;
    x->vector_leak_pj_per_cycle =
        leak_pj_per_cycle(a, &x->t, (a->estimated & PESIM_EST_VECTOR_AREA) ? x->lane.area_um2 * x->lanes
                                                                           : a->vector.area_um2);
    x->mac_area_um2 = (a->estimated & PESIM_EST_MAC_AREA) ? x->mac.area_um2 : a->mac_area_um2;
    x->mac_leak_pj_per_cycle = leak_pj_per_cycle(a, &x->t, x->mac_area_um2);
    x->sub_um2[0] = x->mac_area_um2;
    for (int l = 0; l < a->n_levels && l < PESIM_MAX_LEVELS; l++) {
        level_est(a, x, l, describe, &x->lv[l]);
        x->area_um2[l] = (a->level[l].estimated & PESIM_EST_AREA) ? x->lv[l].area_um2 : a->level[l].area_um2;
        x->tree_um2[l] =
            (a->level[l].estimated & PESIM_EST_REDUCE_AREA) ? x->lv[l].reduce_area_um2 : a->level[l].reduce_area_um2;
        x->sub_um2[l + 1] = x->area_um2[l] + x->tree_um2[l] +
                            (double)a->level[l].fanout_x * a->level[l].fanout_y * x->sub_um2[l];
    }
}

void pesim_estimate_floorplan(const pesim_arch *a, int level, pesim_floorplan *out)
{
    arch_est x;
    estimate_all(a, 0, &x);
    floorplan_of(a, &x, level, out);
}

void pesim_estimate_level(const pesim_arch *a, int level, pesim_level_est *out)
{
    arch_est x;
    estimate_all(a, 1, &x);
    *out = x.lv[level];
}

void pesim_estimate_arch_mac(const pesim_arch *a, pesim_est *out)
{
    pesim_tech t;
    tech_of(a, &t);
    pesim_estimate_mac(&t, pesim_arch_operand(a), out);
}

/* The estimate of one estimable field (PESIM_EST_* bit) of level l (-1: MAC). */
static double field_estimate(const arch_est *x, int l, uint32_t bit)
{
    if (l < 0)
        return bit == PESIM_EST_MAC_ENERGY    ? x->mac.read_pj
             : bit == PESIM_EST_MAC_AREA     ? x->mac.area_um2
             : bit == PESIM_EST_VECTOR_ENERGY ? x->lane.read_pj
             : bit == PESIM_EST_VECTOR_AREA   ? x->lane.area_um2 * x->lanes
             : bit == PESIM_EST_VECTOR_LEAK   ? x->vector_leak_pj_per_cycle
                                              : x->mac_leak_pj_per_cycle;
    const pesim_level_est *e = &x->lv[l];
    switch (bit) {
    case PESIM_EST_REDUCE: return e->reduce_energy_pj;
    case PESIM_EST_REDUCE_AREA: return e->reduce_area_um2;
    case PESIM_EST_READ_ENERGY: return e->read_energy_pj;
    case PESIM_EST_WRITE_ENERGY: return e->write_energy_pj;
    case PESIM_EST_LEAK: return e->leak_pj_per_cycle;
    case PESIM_EST_AREA: return e->area_um2;
    default:
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (bit == PESIM_EST_HOP(t)) return e->hop_energy_pj[t];
        return 0;
    }
}

/* Byte offset in pesim_arch of one estimable field of level l (-1: MAC). */
static size_t field_offset(int l, uint32_t bit)
{
    if (l < 0)
        return bit == PESIM_EST_MAC_ENERGY    ? offsetof(pesim_arch, mac_energy_pj)
             : bit == PESIM_EST_MAC_AREA     ? offsetof(pesim_arch, mac_area_um2)
             : bit == PESIM_EST_VECTOR_ENERGY ? offsetof(pesim_arch, vector) + offsetof(pesim_vector, energy_pj_per_op)
             : bit == PESIM_EST_VECTOR_AREA   ? offsetof(pesim_arch, vector) + offsetof(pesim_vector, area_um2)
             : bit == PESIM_EST_VECTOR_LEAK   ? offsetof(pesim_arch, vector) + offsetof(pesim_vector, leak_pj_per_cycle)
                                              : offsetof(pesim_arch, mac_leak_pj_per_cycle);
    size_t o = offsetof(pesim_arch, level) + (size_t)l * sizeof(pesim_level);
    switch (bit) {
    case PESIM_EST_REDUCE: return o + offsetof(pesim_level, reduce_energy_pj);
    case PESIM_EST_REDUCE_AREA: return o + offsetof(pesim_level, reduce_area_um2);
    case PESIM_EST_READ_ENERGY: return o + offsetof(pesim_level, read_energy_pj);
    case PESIM_EST_WRITE_ENERGY: return o + offsetof(pesim_level, write_energy_pj);
    case PESIM_EST_LEAK: return o + offsetof(pesim_level, leak_pj_per_cycle);
    case PESIM_EST_AREA: return o + offsetof(pesim_level, area_um2);
    default: break;
    }
    int t = 0;
    while (t + 1 < PESIM_NTENSORS && bit != PESIM_EST_HOP(t)) t++;
    return o + offsetof(pesim_level, noc) + (size_t)t * sizeof(pesim_noc) + offsetof(pesim_noc, hop_energy_pj);
}

static double *field_ptr(pesim_arch *a, int l, uint32_t bit)
{
    return (double *)(void *)((char *)a + field_offset(l, bit));
}

static double field_value(const pesim_arch *a, int l, uint32_t bit)
{
    double v;
    memcpy(&v, (const char *)a + field_offset(l, bit), sizeof v);
    return v;
}

/* Fields in the order they must be filled: areas first (floorplans and
 * leakage use them), then the rest. */
static const uint32_t mac_bits[] = {PESIM_EST_MAC_AREA, PESIM_EST_VECTOR_AREA,   PESIM_EST_MAC_ENERGY,
                                    PESIM_EST_MAC_LEAK, PESIM_EST_VECTOR_ENERGY, PESIM_EST_VECTOR_LEAK};
static const uint32_t level_bits[] = {PESIM_EST_AREA,   PESIM_EST_REDUCE_AREA, PESIM_EST_READ_ENERGY,
                                      PESIM_EST_WRITE_ENERGY, PESIM_EST_LEAK,   PESIM_EST_HOP(0),
                                      PESIM_EST_HOP(1), PESIM_EST_HOP(2),      PESIM_EST_REDUCE};
/* The vector unit's bits apply only to an arch that has one. */
#define VECTOR_BITS (PESIM_EST_VECTOR_ENERGY | PESIM_EST_VECTOR_AREA | PESIM_EST_VECTOR_LEAK)
static uint32_t mac_estimated(const pesim_arch *a)
{
    return a->vector.lanes > 0 ? a->estimated : a->estimated & ~VECTOR_BITS;
}
#define N_BITS(x) ((int)(sizeof x / sizeof x[0]))

pesim_status pesim_estimate_arch(pesim_arch *a, pesim_error *e)
{
    char list[64];
    if (pesim_estimate_tech(a->tech_nm, NULL) != PESIM_OK)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "technology_nm", "unsupported node %d nm (supported: %s)",
                               a->tech_nm, pesim_estimate_nodes_text(list, sizeof list));
    arch_est x;
    estimate_all(a, 0, &x);
    for (int k = 0; k < N_BITS(mac_bits); k++)
        if (mac_estimated(a) & mac_bits[k]) *field_ptr(a, -1, mac_bits[k]) = field_estimate(&x, -1, mac_bits[k]);
    for (int l = 0; l < a->n_levels; l++) {
        pesim_level *v = &a->level[l];
        if (v->is_dram && (v->estimated & (PESIM_EST_READ_ENERGY | PESIM_EST_WRITE_ENERGY)) &&
            !pesim_estimate_dram_has_power(&v->dram)) {
            char key[PESIM_KEY_MAX];
            snprintf(key, sizeof key, "levels.[%s].dram", v->name);
            return pesim_error_set(e, PESIM_ERR_MISSING, NULL, v->line, key,
                                   "the DRAM energy is estimated from VDD, IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5AB "
                                   "and device_bits (or a preset); give them, or read_energy_pj and "
                                   "write_energy_pj");
        }
        for (int k = 0; k < N_BITS(level_bits); k++)
            if (v->estimated & level_bits[k]) *field_ptr(a, l, level_bits[k]) = field_estimate(&x, l, level_bits[k]);
    }
    return PESIM_OK;
}

/* One rescaling pass over the fields whose bit is in `which`. */
static void rescale_pass(const pesim_arch *base, pesim_arch *a, int scale_given, uint32_t which)
{
    arch_est now, was;
    estimate_all(a, 0, &now);
    if (scale_given) estimate_all(base, 0, &was);
    for (int l = -1; l < a->n_levels; l++) {
        const uint32_t *bits = l < 0 ? mac_bits : level_bits;
        int n = l < 0 ? N_BITS(mac_bits) : N_BITS(level_bits);
        uint32_t est = l < 0 ? a->estimated : a->level[l].estimated;
        for (int k = 0; k < n; k++) {
            if (!(bits[k] & which)) continue;
            if (l < 0 && (bits[k] & VECTOR_BITS) && a->vector.lanes <= 0) continue;
            double e_now = field_estimate(&now, l, bits[k]);
            double *f = field_ptr(a, l, bits[k]);
            if (est & bits[k]) {
                *f = e_now;
            } else if (scale_given) {
                double e_was = field_estimate(&was, l, bits[k]);
                if (e_was > 0) *f = field_value(base, l, bits[k]) * (e_now / e_was);
            }
        }
    }
}

void pesim_estimate_rescale(const pesim_arch *base, pesim_arch *a, int scale_given)
{
    /* areas first: the floorplans and leakage of the second pass use them */
    const uint32_t areas = PESIM_EST_AREA | PESIM_EST_REDUCE_AREA; /* PESIM_EST_AREA is also the MAC's */
    rescale_pass(base, a, scale_given, areas);
    rescale_pass(base, a, scale_given, ~areas);
}

const char *pesim_estimate_source(const pesim_arch *a, int level, uint32_t bit, char *buf, size_t n)
{
    uint32_t est = level < 0 ? a->estimated : a->level[level].estimated;
    if (!(est & bit)) {
        snprintf(buf, n, "given");
        return buf;
    }
    pesim_tech t;
    tech_of(a, &t);
    pesim_operand o = pesim_arch_operand(a);
    if (level < 0 && bit == PESIM_EST_VECTOR_LEAK) {
        snprintf(buf, n, "estimated: leakage of the vector unit's area, %d nm", t.node_nm);
        return buf;
    }
    if (level < 0 && (bit & VECTOR_BITS)) {
        snprintf(buf, n, "estimated: %d lane%s x one %s fused multiply-add per operation, %d nm", a->vector.lanes,
                 a->vector.lanes == 1 ? "" : "s", pesim_operand_name(o), t.node_nm);
        return buf;
    }
    if (level < 0) {
        snprintf(buf, n, "estimated: %s MAC, %d nm", pesim_operand_name(o), t.node_nm);
        return buf;
    }
    if (bit == PESIM_EST_REDUCE_AREA) {
        snprintf(buf, n, "estimated: adder tree of %lld - 1 %s adders, %d nm",
                 (long long)pesim_arch_fanin(a, level, PESIM_OUTPUTS),
                 o == PESIM_OPERAND_INT8 || o == PESIM_OPERAND_INT16 ? "32-bit integer" : "fp32", t.node_nm);
        return buf;
    }
    if (bit == PESIM_EST_REDUCE) {
        snprintf(buf, n, "estimated: one %s adder per addition of the outputs' spatial reduction, %d nm",
                 o == PESIM_OPERAND_INT8 || o == PESIM_OPERAND_INT16 ? "32-bit integer" : "fp32", t.node_nm);
        return buf;
    }
    arch_est all;
    estimate_all(a, 1, &all);
    const pesim_level_est *x = &all.lv[level];
    if (bit & (PESIM_EST_HOP(0) | PESIM_EST_HOP(1) | PESIM_EST_HOP(2))) {
        pesim_floorplan fp;
        int k = array_level(a, level);
        floorplan_of(a, &all, k, &fp);
        snprintf(buf, n, "estimated: wire %.3g pJ/bit/mm x %d bit x %.3g mm pitch of the %dx%d array below %s, %d nm",
                 pesim_estimate_wire_pj_per_bit_mm(&t), pesim_level_word_bits(a, level), fp.pitch_mm, a->level[k].fanout_x,
                 a->level[k].fanout_y, a->level[k].name, t.node_nm);
        return buf;
    }
    if (x->kind == PESIM_EST_KIND_DRAM && (bit == PESIM_EST_AREA || bit == PESIM_EST_LEAK)) {
        snprintf(buf, n, "estimated: off chip (DRAM background power is in its IDD energy)");
        return buf;
    }
    snprintf(buf, n, "estimated: %s", x->what);
    return buf;
}

/* 1 when the energy of DRAM level l comes from the IDD model (both per-word
 * energies left to the estimator). */
static int idd_level(const pesim_level *v)
{
    return v->is_dram && (v->estimated & PESIM_EST_READ_ENERGY) && (v->estimated & PESIM_EST_WRITE_ENERGY) &&
           pesim_estimate_dram_has_power(&v->dram);
}

void pesim_estimate_cost(const pesim_arch *a, const pesim_dram_activity *dram, pesim_cost *c)
{
    const int M = a->n_levels;
    c->area_um2 = pesim_arch_area_um2(a);
    c->energy_mac_pj = (double)c->macs * a->mac_energy_pj;
    double total = c->energy_mac_pj;
    double leak = (double)pesim_arch_macs(a) * a->mac_leak_pj_per_cycle;
    c->energy_noc_pj = 0;
    c->energy_reduce_pj = 0;
    for (int lv = 0; lv < M; lv++) {
        const pesim_level *v = &a->level[lv];
        double en = 0;
        if (idd_level(v)) {
            pesim_dram_activity act;
            if (dram && lv == M - 1) act = *dram;
            else pesim_estimate_dram_activity(a, lv, c, &act);
            pesim_dram_energy de;
            pesim_estimate_dram_energy(&v->dram, &act, &de);
            en = de.total_pj;
        } else {
            for (int t = 0; t < PESIM_NTENSORS; t++) /* per word, or per block under "timeloop" */
                en += pesim_cost_access_energy_pj(a, lv, &c->access[lv][t], c->utilized_instances[lv][t]);
        }
        for (int t = 0; t < PESIM_NTENSORS; t++)
            c->energy_noc_pj += (double)c->noc_word_hops[lv][t] * v->noc[t].hop_energy_pj;
        c->energy_reduce_pj += (double)c->noc_spatial_reductions[lv][PESIM_OUTPUTS] * v->reduce_energy_pj;
        c->energy_level_pj[lv] = en;
        total += en;
        /* "timeloop": the utilized instances leak, as Timeloop charges them */
        int64_t leaking = pesim_arch_instances(a, lv);
        if (a->conventions == PESIM_CONV_TIMELOOP) {
            leaking = 0;
            for (int t = 0; t < PESIM_NTENSORS; t++)
                if (c->utilized_instances[lv][t] > leaking) leaking = c->utilized_instances[lv][t];
        }
        leak += (double)leaking * v->leak_pj_per_cycle;
    }
    if (a->vector.lanes > 0 && a->vector.level >= 0 && a->vector.level < M)
        leak += (double)pesim_arch_instances(a, a->vector.level) * a->vector.leak_pj_per_cycle;
    c->energy_noc_pj += c->energy_reduce_pj; /* the network's adder trees */
    c->energy_vector_pj = (double)c->vector_ops * a->vector.energy_pj_per_op;
    c->energy_leak_pj = leak * (double)c->cycles;
    c->energy_pj = total + c->energy_noc_pj + c->energy_vector_pj + c->energy_leak_pj;
    c->edp_pj_cycles = c->energy_pj * (double)c->cycles;
}
