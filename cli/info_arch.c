/* cli/info_arch.c - `pesim info --arch`: the storage levels, networks, DRAM,
 * MAC units and area of an architecture, as a table, JSON and CSV, and where
 * each energy, leakage and area figure comes from ("given" in the config or
 * "estimated: ..." by sim/estimate). Counts per instance as in the config;
 * instances from pesim_arch_instances. */
#include <inttypes.h>
#include <string.h>

#include "pesim/arch.h"
#include "pesim/estimate.h"
#include "pesim/net.h"

#include "info.h"
#include "json.h"
#include "output.h"

/* "A, B" names of the levels a whole network's tensors of this kind may live
 * in, outermost first (pesim_net_arch_home_levels). */
static const char *homes_text(const pesim_arch *a, pesim_net_tensor_kind kind, char *buf, size_t n)
{
    int32_t lv[PESIM_MAX_LEVELS];
    int k = pesim_net_arch_home_levels(a, kind, lv);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", a->level[lv[i]].name);
    return buf;
}

/* "WIO"-style letters of the tensors a level may keep. */
static const char *keeps_letters(const pesim_level *lv, char *buf)
{
    static const char letter[PESIM_NTENSORS] = {'W', 'I', 'O'};
    int n = 0;
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (lv->keeps[t])
            buf[n++] = letter[t];
    buf[n] = '\0';
    return buf;
}

/* "55,296", "W:224 I:12 O:24" or "unbounded". */
static const char *capacity_text(const pesim_level *lv, char *buf, size_t n)
{
    char b[32];
    int partitioned = 0;
    for (int t = 0; t < PESIM_NTENSORS; t++)
        partitioned |= lv->tensor_capacity_words[t] != 0;
    if (!partitioned) {
        if (lv->capacity_words == 0)
            snprintf(buf, n, "unbounded");
        else
            snprintf(buf, n, "%s", cli_fmt_count(lv->capacity_words, b, sizeof b));
        return buf;
    }
    static const char letter[PESIM_NTENSORS] = {'W', 'I', 'O'};
    size_t o = 0;
    buf[0] = '\0';
    for (int t = 0; t < PESIM_NTENSORS && o < n; t++) {
        if (!lv->keeps[t])
            continue;
        int64_t c = lv->tensor_capacity_words[t] ? lv->tensor_capacity_words[t] : lv->capacity_words;
        o += (size_t)snprintf(buf + o, n - o, "%s%c:%s", o ? " " : "", letter[t],
                              c ? cli_fmt_count(c, b, sizeof b) : "shared");
    }
    return buf;
}

static const char *rate_text(double words_per_cycle, char *buf, size_t n)
{
    if (words_per_cycle <= 0.0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%g", words_per_cycle);
    return buf;
}

/* Peak DRAM bandwidth in GB/s from the library's words per accelerator cycle. */
static double dram_gbps(const pesim_arch *a, const pesim_level *lv)
{
    double wpc = pesim_dram_words_per_cycle(&lv->dram, a->word_bits, a->clock_mhz);
    return wpc * (a->word_bits / 8.0) * a->clock_mhz * 1e-3;
}

/* One figure with its PESIM_EST_* bit, for the sources listing. */
typedef struct figure {
    const char *name, *unit;
    double value;
    uint32_t bit;
    const char *key;    /* its key in the JSON "sources" */
} figure;

/* The level's figures (level -1: the MAC units). Returns how many. */
static int figures_of(const pesim_arch *a, int L, figure *out)
{
    int n = 0;
    if (L < 0) {
        out[n++] = (figure){"energy", "pJ per MAC", a->mac_energy_pj, PESIM_EST_MAC_ENERGY, "mac_energy_pj"};
        out[n++] = (figure){"leakage", "pJ/cycle", a->mac_leak_pj_per_cycle, PESIM_EST_MAC_LEAK,
                            "mac_leak_pj_per_cycle"};
        out[n++] = (figure){"area", "um2", a->mac_area_um2, PESIM_EST_MAC_AREA, "mac_area_um2"};
        if (a->vector.lanes > 0) {
            out[n++] = (figure){"vector unit", "pJ per op", a->vector.energy_pj_per_op, PESIM_EST_VECTOR_ENERGY,
                                "vector_energy_pj_per_op"};
            out[n++] = (figure){"vector area", "um2", a->vector.area_um2, PESIM_EST_VECTOR_AREA,
                                "vector_area_um2"};
            out[n++] = (figure){"vector leakage", "pJ/cycle", a->vector.leak_pj_per_cycle, PESIM_EST_VECTOR_LEAK,
                                "vector_leak_pj_per_cycle"};
        }
        return n;
    }
    const pesim_level *lv = &a->level[L];
    out[n++] = (figure){"read", "pJ/word", lv->read_energy_pj, PESIM_EST_READ_ENERGY, "read_energy_pj"};
    out[n++] = (figure){"write", "pJ/word", lv->write_energy_pj, PESIM_EST_WRITE_ENERGY, "write_energy_pj"};
    out[n++] = (figure){"leakage", "pJ/cycle", lv->leak_pj_per_cycle, PESIM_EST_LEAK, "leak_pj_per_cycle"};
    out[n++] = (figure){"area", "um2", lv->area_um2, PESIM_EST_AREA, "area_um2"};
    if (lv->keeps[PESIM_OUTPUTS] && lv->noc[PESIM_OUTPUTS].reduce != PESIM_REDUCE_NONE &&
        pesim_arch_fanin(a, L, PESIM_OUTPUTS) > 1)
        out[n++] = (figure){"reduction", "pJ per addition", lv->reduce_energy_pj, PESIM_EST_REDUCE,
                            "reduce_energy_pj"};
    if (lv->keeps[PESIM_OUTPUTS] && lv->noc[PESIM_OUTPUTS].reduce == PESIM_REDUCE_TREE &&
        pesim_arch_fanin(a, L, PESIM_OUTPUTS) > 1)
        out[n++] = (figure){"adder tree", "um2", lv->reduce_area_um2, PESIM_EST_REDUCE_AREA, "reduce_area_um2"};
    return n;
}

/* "  read 1.77 pJ/word, write 1.77 pJ/word: estimated: SRAM ...", one line per
 * run of figures that share a source. */
static void sources_text(const pesim_arch *a, int L, const char *label, FILE *f)
{
    figure fig[8];
    int n = figures_of(a, L, fig);
    char src[256], next[256];
    for (int i = 0; i < n;) {
        pesim_estimate_source(a, L, fig[i].bit, src, sizeof src);
        fprintf(f, "  %-10s ", i == 0 ? label : "");
        int j = i;
        for (; j < n; j++) {
            pesim_estimate_source(a, L, fig[j].bit, next, sizeof next);
            if (strcmp(src, next) != 0)
                break;
            fprintf(f, "%s%s %.4g %s", j > i ? ", " : "", fig[j].name, fig[j].value, fig[j].unit);
        }
        fprintf(f, ": %s\n", src);
        i = j;
    }
}

void cli_info_arch_text(const pesim_arch *a, const char *path, FILE *f)
{
    if (!f)
        return;
    char b[4][64];
    fprintf(f, "arch %s: %s MAC units at %g MHz, %" PRId32 "-bit words, dataflow %s\n", a->name,
            cli_fmt_count(pesim_arch_macs(a), b[0], 32), a->clock_mhz, a->word_bits,
            a->dataflow[0] ? a->dataflow : "any");
    fprintf(f, "  file    %s\n", path);
    if (a->source[0])
        fprintf(f, "  source  %s\n", a->source);
    pesim_tech tech;
    pesim_estimate_tech(a->tech_nm, &tech);
    fprintf(f, "  MAC     %s, %g pJ per MAC, %" PRId32 "-cycle pipeline, %g um2 each\n",
            pesim_operand_name(pesim_arch_operand(a)), a->mac_energy_pj, a->mac_latency_cycles,
            a->mac_area_um2);
    fprintf(f, "  node    %d nm (figures left unset in the config are estimated there)\n", tech.node_nm);
    fprintf(f, "  area    %.4g mm2 (MAC units and every level's instances)\n\n",
            pesim_arch_area_um2(a) * 1e-6);

    int w = 5;
    for (int L = 0; L < a->n_levels; L++) {
        int len = (int)strlen(a->level[L].name);
        if (len > w) w = len;
    }
    fprintf(f, "%-*s  %-5s %4s %-24s %9s %-7s %5s %5s %8s %8s %7s %8s %8s %9s %10s %s\n", w,
            "level", "keeps", "bits", "capacity_words", "instances", "fanout", "banks", "ports",
            "rd_w/cyc", "wr_w/cyc", "latency", "rd_pJ", "wr_pJ", "leak_pJ/c", "area_um2",
            "flags");
    for (int L = 0; L < a->n_levels; L++) {
        const pesim_level *lv = &a->level[L];
        char keeps[4], cap[96], fan[32], slots[32] = "";
        snprintf(fan, sizeof fan, "%" PRId32 "x%" PRId32, lv->fanout_x, lv->fanout_y);
        if (pesim_level_tile_slots(lv) == 2) snprintf(slots, sizeof slots, "double-buffered ");
        if (pesim_level_tile_slots(lv) > 2) snprintf(slots, sizeof slots, "%d-buffered ", pesim_level_tile_slots(lv));
        fprintf(f, "%-*s  %-5s %4" PRId32 " %-24s %9s %-7s %5" PRId32 " %5" PRId32 " %8s %8s %7" PRId32
                   " %8g %8g %9g %10g %s%s%s\n",
                w, lv->name, keeps_letters(lv, keeps), pesim_level_word_bits(a, L), capacity_text(lv, cap, sizeof cap),
                cli_fmt_count(pesim_arch_instances(a, L), b[0], 32), fan, lv->banks, lv->ports,
                rate_text(pesim_arch_instance_words_per_cycle(a, L, 0), b[1], 32),
                rate_text(pesim_arch_instance_words_per_cycle(a, L, 1), b[2], 32), lv->latency_cycles,
                lv->read_energy_pj, lv->write_energy_pj, lv->leak_pj_per_cycle, lv->area_um2,
                lv->is_dram ? "dram " : "", slots,
                lv->sliding_reuse ? "sliding-reuse" : "");
    }
    fputs("\nbits is the width of the level's words (the unit of its capacity, rates and pJ per access);\n"
          "fanout is X x Y children per instance; rd_w/cyc and wr_w/cyc are what one instance reads and\n"
          "writes a cycle over all its ports (ports x the per-port rate; DRAM: the lower of the timing's\n"
          "peak and the level's port); '-' bandwidth is unlimited.\n", f);

    for (int L = 1; L < a->n_levels; L++) {
        const pesim_level *lv = &a->level[L];
        if ((int64_t)lv->fanout_x * lv->fanout_y <= 1)
            continue;
        fprintf(f, "network below %s:", lv->name);
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_noc *n = &lv->noc[t];
            if (n->words_per_cycle > 0.0)
                snprintf(b[0], sizeof b[0], "%g words/cycle", n->words_per_cycle);
            else
                snprintf(b[0], sizeof b[0], "unlimited");
            fprintf(f, "  %s: %s%s%s, %s;", pesim_tensor_name((pesim_tensor)t),
                    pesim_noc_kind_name(n->kind), t == PESIM_OUTPUTS ? "+" : "",
                    t == PESIM_OUTPUTS ? pesim_reduce_kind_name(n->reduce) : "", b[0]);
        }
        fputc('\n', f);
    }
    for (int L = 0; L < a->n_levels; L++) {
        const pesim_level *lv = &a->level[L];
        if (!lv->is_dram)
            continue;
        const pesim_dram *d = &lv->dram;
        fprintf(f, "level %s: DRAM %s, %" PRId32 " channel(s) x %" PRId32 " bits, %" PRId32
                   " rank(s), %" PRId32 "x%" PRId32 " banks, tCK %g ns; peak %.4g GB/s = %.4g "
                   "words/cycle at %g MHz\n",
                lv->name, d->preset[0] ? d->preset : "custom timing", d->channels, d->bus_bits,
                d->ranks, d->bankgroups, d->banks_per_group, d->tck_ns, dram_gbps(a, lv),
                pesim_dram_words_per_cycle(d, a->word_bits, a->clock_mhz), a->clock_mhz);
        if (d->layout == PESIM_DRAM_ROW_MAJOR)
            fprintf(f, "level %s: address layout row_major, order %s (activations %s, weights %s)\n", lv->name,
                    pesim_dram_order_name((pesim_dram_order)d->order), d->order == PESIM_DRAM_NCHW ? "NCHW" : "NHWC",
                    d->order == PESIM_DRAM_NCHW ? "KCRS" : "KRSC");
        else
            fprintf(f, "level %s: address layout tile_major (each tensor's tiles one after the other)\n", lv->name);
        if (lv->read_words_per_cycle > 0 || lv->write_words_per_cycle > 0) {
            double peak = pesim_dram_words_per_cycle(d, a->word_bits, a->clock_mhz);
            fprintf(f, "level %s: port %s read / %s write words/cycle", lv->name,
                    rate_text(lv->read_words_per_cycle, b[0], 32), rate_text(lv->write_words_per_cycle, b[1], 32));
            int binds_r = lv->read_words_per_cycle > 0 && lv->read_words_per_cycle < peak;
            int binds_w = lv->write_words_per_cycle > 0 && lv->write_words_per_cycle < peak;
            fprintf(f, "%s\n", binds_r || binds_w ? ": below the timing's peak, the port sets the bandwidth"
                                                   : ": at or above the timing's peak, the timing sets it");
        }
        if (pesim_estimate_dram_has_power(d)) {
            pesim_dram_power p;
            pesim_estimate_dram_power(d, &p);
            fprintf(f, "level %s: DRAM power (IDD model, %d x%d devices per rank, VDD %g V): ACT %.4g pJ, RD %.4g "
                       "pJ, WR %.4g pJ per burst, REF %.4g pJ, background %.4g pJ per active / %.4g pJ per "
                       "precharged rank-cycle; I/O and termination %.4g pJ per read, %.4g pJ per write burst\n",
                    lv->name, d->bus_bits / d->device_bits, d->device_bits, d->vdd_v, p.act_pj, p.rd_pj, p.wr_pj,
                    p.ref_pj, p.active_cycle_pj, p.precharged_cycle_pj, p.io_rd_pj, p.io_wr_pj);
        }
    }

    /* where a whole network's tensors may live (docs/network.md "Placement") */
    char hw[PESIM_MAX_LEVELS * (PESIM_NAME_MAX + 2)], ha[sizeof hw];
    fprintf(f, "whole network: weights may live in %s; activations in %s", homes_text(a, PESIM_NET_WEIGHTS, hw, sizeof hw),
            homes_text(a, PESIM_NET_ACTIVATION, ha, sizeof ha));
    if (a->vector.lanes > 0)
        fprintf(f, "; what a vector layer reads or writes at or above %s (its vector unit's level)\n",
                a->level[a->vector.level].name);
    else
        fputs("; no vector unit, so only MAC layers run as a whole network\n", f);

    fputs("\nfigures and their sources (docs/estimate.md):\n", f);
    sources_text(a, -1, "MAC", f);
    char src[256];
    for (int L = 0; L < a->n_levels; L++) {
        const pesim_level *lv = &a->level[L];
        sources_text(a, L, lv->name, f);
        pesim_level_est x;
        pesim_estimate_level(a, L, &x);
        if (x.access_ns > 0)
            fprintf(f, "  %-10s estimated access time %.3g ns (%.3g cycles at %g MHz; latency_cycles is %" PRId32
                       ")\n", "", x.access_ns, x.access_ns * a->clock_mhz * 1e-3, a->clock_mhz, lv->latency_cycles);
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!lv->keeps[t] || pesim_arch_fanin(a, L, (pesim_tensor)t) <= 1)
                continue;
            fprintf(f, "  %-10s %s network %.4g pJ per word per hop: %s\n", "",
                    pesim_tensor_name((pesim_tensor)t), lv->noc[t].hop_energy_pj,
                    pesim_estimate_source(a, L, PESIM_EST_HOP(t), src, sizeof src));
        }
    }
}

/* "sources": { "<field>": "given" | "estimated: ...", ... } of level L (-1: MAC). */
static void sources_json(json_writer *w, const pesim_arch *a, int L)
{
    figure fig[8];
    int n = figures_of(a, L, fig);
    char src[256];
    json_key(w, "sources");
    json_begin_object(w);
    for (int i = 0; i < n; i++)
        json_kv_string(w, fig[i].key, pesim_estimate_source(a, L, fig[i].bit, src, sizeof src));
    json_end_object(w);
}

static void noc_json(json_writer *w, const pesim_arch *a, int L)
{
    const pesim_level *lv = &a->level[L];
    char src[256];
    json_begin_object(w);
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        const pesim_noc *n = &lv->noc[t];
        json_key(w, pesim_tensor_name((pesim_tensor)t));
        json_begin_object(w);
        json_kv_string(w, "kind", pesim_noc_kind_name(n->kind));
        if (t == PESIM_OUTPUTS)
            json_kv_string(w, "reduce", pesim_reduce_kind_name(n->reduce));
        json_kv_double(w, "words_per_cycle", n->words_per_cycle);
        json_kv_double(w, "hop_energy_pj", n->hop_energy_pj);
        json_kv_string(w, "hop_energy_source", pesim_estimate_source(a, L, PESIM_EST_HOP(t), src, sizeof src));
        json_end_object(w);
    }
    json_end_object(w);
}

static void level_json(json_writer *w, const pesim_arch *a, int L)
{
    const pesim_level *lv = &a->level[L];
    json_begin_object(w);
    json_kv_string(w, "name", lv->name);
    json_key(w, "keeps");
    json_begin_array(w);
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (lv->keeps[t])
            json_string(w, pesim_tensor_name((pesim_tensor)t));
    json_end_array(w);
    json_kv_int(w, "word_bits", pesim_level_word_bits(a, L));
    json_kv_int(w, "capacity_words", lv->capacity_words);
    json_key(w, "tensor_capacity_words");
    json_begin_object(w);
    for (int t = 0; t < PESIM_NTENSORS; t++)
        json_kv_int(w, pesim_tensor_name((pesim_tensor)t), lv->tensor_capacity_words[t]);
    json_end_object(w);
    json_kv_int(w, "instances", pesim_arch_instances(a, L));
    json_kv_int(w, "fanout_x", lv->fanout_x);
    json_kv_int(w, "fanout_y", lv->fanout_y);
    json_kv_int(w, "banks", lv->banks);
    json_kv_int(w, "ports", lv->ports);
    json_kv_double(w, "read_words_per_cycle", lv->read_words_per_cycle);
    json_kv_double(w, "write_words_per_cycle", lv->write_words_per_cycle);
    json_kv_double(w, "instance_read_words_per_cycle", pesim_arch_instance_words_per_cycle(a, L, 0));
    json_kv_double(w, "instance_write_words_per_cycle", pesim_arch_instance_words_per_cycle(a, L, 1));
    json_kv_int(w, "latency_cycles", lv->latency_cycles);
    json_kv_double(w, "read_energy_pj", lv->read_energy_pj);
    json_kv_double(w, "write_energy_pj", lv->write_energy_pj);
    json_kv_double(w, "leak_pj_per_cycle", lv->leak_pj_per_cycle);
    json_kv_double(w, "area_um2", lv->area_um2);
    sources_json(w, a, L);
    pesim_level_est x;
    pesim_estimate_level(a, L, &x);
    if (x.access_ns > 0)
        json_kv_double(w, "estimated_access_ns", x.access_ns);
    else
        json_kv_null(w, "estimated_access_ns");
    json_kv_int(w, "multiple_buffering", pesim_level_tile_slots(lv));
    json_kv_bool(w, "sliding_reuse", lv->sliding_reuse);
    json_key(w, "noc");
    noc_json(w, a, L);
    json_key(w, "dram");
    if (!lv->is_dram) {
        json_null(w);
    } else {
        json_begin_object(w);
        json_kv_string(w, "preset", lv->dram.preset[0] ? lv->dram.preset : NULL);
        json_kv_int(w, "channels", lv->dram.channels);
        json_kv_int(w, "bus_bits", lv->dram.bus_bits);
        json_kv_double(w, "tck_ns", lv->dram.tck_ns);
        json_kv_string(w, "layout", pesim_dram_layout_name((pesim_dram_layout_kind)lv->dram.layout));
        json_kv_string(w, "order", pesim_dram_order_name((pesim_dram_order)lv->dram.order));
        json_kv_double(w, "peak_gbps", dram_gbps(a, lv));
        json_kv_double(w, "peak_words_per_cycle",
                       pesim_dram_words_per_cycle(&lv->dram, a->word_bits, a->clock_mhz));
        const pesim_dram *d = &lv->dram;
        json_key(w, "power");
        if (!pesim_estimate_dram_has_power(d)) {
            json_null(w);
        } else {
            pesim_dram_power p;
            pesim_estimate_dram_power(d, &p);
            json_begin_object(w);
            json_kv_int(w, "device_bits", d->device_bits);
            json_kv_double(w, "vdd_v", d->vdd_v);
            json_kv_double(w, "idd0_ma", d->idd0_ma);
            json_kv_double(w, "idd2n_ma", d->idd2n_ma);
            json_kv_double(w, "idd3n_ma", d->idd3n_ma);
            json_kv_double(w, "idd4r_ma", d->idd4r_ma);
            json_kv_double(w, "idd4w_ma", d->idd4w_ma);
            json_kv_double(w, "idd5ab_ma", d->idd5ab_ma);
            json_kv_double(w, "act_pj", p.act_pj);
            json_kv_double(w, "rd_burst_pj", p.rd_pj);
            json_kv_double(w, "wr_burst_pj", p.wr_pj);
            json_kv_double(w, "ref_pj", p.ref_pj);
            json_kv_double(w, "active_rank_cycle_pj", p.active_cycle_pj);
            json_kv_double(w, "precharged_rank_cycle_pj", p.precharged_cycle_pj);
            json_kv_double(w, "io_read_pj_per_bit", d->io_read_pj_per_bit);
            json_kv_double(w, "io_write_pj_per_bit", d->io_write_pj_per_bit);
            json_kv_double(w, "io_rd_burst_pj", p.io_rd_pj);
            json_kv_double(w, "io_wr_burst_pj", p.io_wr_pj);
            json_end_object(w);
        }
        json_end_object(w);
    }
    json_end_object(w);
}

void cli_info_arch_json(const pesim_arch *a, const char *path, FILE *f)
{
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_key(&w, "arch");
    json_begin_object(&w);
    json_kv_string(&w, "name", a->name);
    json_kv_string(&w, "file", path);
    json_kv_string(&w, "source", a->source[0] ? a->source : NULL);
    json_kv_string(&w, "dataflow", a->dataflow[0] ? a->dataflow : NULL);
    json_kv_int(&w, "word_bits", a->word_bits);
    json_kv_double(&w, "clock_mhz", a->clock_mhz);
    json_kv_int(&w, "mac_units", pesim_arch_macs(a));
    pesim_tech tech;
    pesim_estimate_tech(a->tech_nm, &tech);
    json_kv_int(&w, "technology_nm", tech.node_nm);
    json_kv_string(&w, "mac_type", pesim_operand_name(pesim_arch_operand(a)));
    json_kv_double(&w, "mac_energy_pj", a->mac_energy_pj);
    json_kv_int(&w, "mac_latency_cycles", a->mac_latency_cycles);
    json_kv_double(&w, "mac_area_um2", a->mac_area_um2);
    json_kv_double(&w, "mac_leak_pj_per_cycle", a->mac_leak_pj_per_cycle);
    sources_json(&w, a, -1);
    json_kv_double(&w, "area_um2", pesim_arch_area_um2(a));
    json_key(&w, "levels");
    json_begin_array(&w);
    for (int L = 0; L < a->n_levels; L++)
        level_json(&w, a, L);
    json_end_array(&w);
    /* where a whole network's tensors may live: level names, outermost first */
    json_key(&w, "network_homes");
    json_begin_object(&w);
    for (int k = 0; k < 2; k++) {
        int32_t lv[PESIM_MAX_LEVELS];
        int n = pesim_net_arch_home_levels(a, k ? PESIM_NET_ACTIVATION : PESIM_NET_WEIGHTS, lv);
        json_key(&w, k ? "activations" : "weights");
        json_begin_array(&w);
        for (int i = 0; i < n; i++)
            json_string(&w, a->level[lv[i]].name);
        json_end_array(&w);
    }
    json_kv_string(&w, "vector_operands_at_or_above", a->vector.lanes > 0 ? a->level[a->vector.level].name : NULL);
    json_end_object(&w);
    json_end_object(&w);
    json_end_object(&w);
}

void cli_info_arch_csv(const pesim_arch *a, FILE *f)
{
    fputs("level,keeps,word_bits,capacity_words,weights_capacity_words,inputs_capacity_words,"
          "outputs_capacity_words,instances,fanout_x,fanout_y,banks,ports,"
          "read_words_per_cycle,write_words_per_cycle,latency_cycles,read_energy_pj,"
          "write_energy_pj,leak_pj_per_cycle,area_um2,multiple_buffering,sliding_reuse,"
          "dram_preset,dram_peak_words_per_cycle,read_energy_source,write_energy_source,"
          "leak_source,area_source\n", f);
    for (int L = 0; L < a->n_levels; L++) {
        const pesim_level *lv = &a->level[L];
        char keeps[4];
        cli_csv_field(f, lv->name);
        fprintf(f, ",%s,%" PRId32 ",%" PRId64, keeps_letters(lv, keeps), pesim_level_word_bits(a, L),
                lv->capacity_words);
        for (int t = 0; t < PESIM_NTENSORS; t++)
            fprintf(f, ",%" PRId64, lv->tensor_capacity_words[t]);
        fprintf(f, ",%" PRId64 ",%" PRId32 ",%" PRId32 ",%" PRId32 ",%" PRId32 ",",
                pesim_arch_instances(a, L), lv->fanout_x, lv->fanout_y, lv->banks, lv->ports);
        cli_csv_double(f, lv->read_words_per_cycle);
        fputc(',', f);
        cli_csv_double(f, lv->write_words_per_cycle);
        fprintf(f, ",%" PRId32 ",", lv->latency_cycles);
        const double e[4] = {lv->read_energy_pj, lv->write_energy_pj, lv->leak_pj_per_cycle,
                             lv->area_um2};
        for (int k = 0; k < 4; k++) {
            cli_csv_double(f, e[k]);
            fputc(',', f);
        }
        fprintf(f, "%d,%d,", pesim_level_tile_slots(lv), lv->sliding_reuse != 0);
        if (lv->is_dram) {
            cli_csv_field(f, lv->dram.preset[0] ? lv->dram.preset : "custom");
            fputc(',', f);
            cli_csv_double(f, pesim_dram_words_per_cycle(&lv->dram, a->word_bits, a->clock_mhz));
        } else {
            fputc(',', f);
        }
        static const uint32_t bits[4] = {PESIM_EST_READ_ENERGY, PESIM_EST_WRITE_ENERGY, PESIM_EST_LEAK,
                                         PESIM_EST_AREA};
        char src[256];
        for (int k = 0; k < 4; k++) {
            fputc(',', f);
            cli_csv_field(f, pesim_estimate_source(a, L, bits[k], src, sizeof src));
        }
        fputc('\n', f);
    }
}
