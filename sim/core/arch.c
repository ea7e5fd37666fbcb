/* arch.c - architecture helpers, DRAM presets and consistency checks. */
#include "pesim/arch.h"
#include "pesim/dram.h"

#include <string.h>

#include "pesim/estimate.h"
#include <stdio.h>
#include <strings.h>

static const char *const noc_names[PESIM_NOC_KIND_COUNT] = {"bus", "systolic", "unicast", "mesh"};
static const char *const reduce_names[PESIM_REDUCE_KIND_COUNT] = {"tree", "systolic", "none"};

/* Index k in [from, n) of the name s in names, or -1 (the enums' parsers). */
static int name_index(const char *const *names, int from, int n, const char *s)
{
    for (int k = from; s && k < n; k++)
        if (strcmp(s, names[k]) == 0) return k;
    return -1;
}

const char *pesim_noc_kind_name(pesim_noc_kind k)
{
    return (unsigned)k < PESIM_NOC_KIND_COUNT ? noc_names[k] : "?";
}

int pesim_noc_kind_parse(const char *s)
{
    return name_index(noc_names, 0, PESIM_NOC_KIND_COUNT, s);
}

const char *pesim_reduce_kind_name(pesim_reduce_kind k)
{
    return (unsigned)k < PESIM_REDUCE_KIND_COUNT ? reduce_names[k] : "?";
}

int pesim_reduce_kind_parse(const char *s)
{
    return name_index(reduce_names, 0, PESIM_REDUCE_KIND_COUNT, s);
}

static const char *const dram_layout_names[PESIM_DRAM_LAYOUT_COUNT] = {"tile_major", "row_major"};
static const char *const dram_order_names[PESIM_DRAM_ORDER_COUNT] = {"nhwc", "nchw"};

const char *pesim_dram_layout_name(pesim_dram_layout_kind k)
{
    return (unsigned)k < PESIM_DRAM_LAYOUT_COUNT ? dram_layout_names[k] : "?";
}

int pesim_dram_layout_parse(const char *s)
{
    return name_index(dram_layout_names, 0, PESIM_DRAM_LAYOUT_COUNT, s);
}

const char *pesim_dram_order_name(pesim_dram_order o)
{
    return (unsigned)o < PESIM_DRAM_ORDER_COUNT ? dram_order_names[o] : "?";
}

int pesim_dram_order_parse(const char *s)
{
    return name_index(dram_order_names, 0, PESIM_DRAM_ORDER_COUNT, s);
}

static const char *const arbitration_names[PESIM_ARB_COUNT] = {"reads_first", "updates_first", "round_robin"};

const char *pesim_arbitration_name(pesim_arbitration p)
{
    return (unsigned)p < PESIM_ARB_COUNT ? arbitration_names[p] : "?";
}

int pesim_arbitration_parse(const char *s)
{
    return name_index(arbitration_names, 0, PESIM_ARB_COUNT, s);
}

static const char *const conventions_names[PESIM_CONV_COUNT] = {"pesim", "timeloop"};

const char *pesim_conventions_name(pesim_conventions c)
{
    return (unsigned)c < PESIM_CONV_COUNT ? conventions_names[c] : "?";
}

int pesim_conventions_parse(const char *s)
{
    return name_index(conventions_names, 0, PESIM_CONV_COUNT, s);
}

int64_t pesim_arch_instances(const pesim_arch *a, int level)
{
    int64_t n = 1;
    for (int l = level + 1; l < a->n_levels; l++)
        n *= (int64_t)a->level[l].fanout_x * a->level[l].fanout_y;
    return n;
}

int64_t pesim_arch_macs(const pesim_arch *a)
{
    return pesim_arch_instances(a, -1);
}

/* Bytes a word of word_bits occupies (pesim_arch_word_bytes' contract). */
static int64_t word_bytes(int64_t word_bits) { return (word_bits + 7) / 8; }

int64_t pesim_arch_word_bytes(const pesim_arch *a)
{
    return word_bytes(a->word_bits);
}

int32_t pesim_level_word_bits(const pesim_arch *a, int level)
{
    int32_t wb = a->level[level].word_bits;
    return wb > 0 ? wb : a->word_bits;
}

int pesim_level_width_is_arch(const pesim_arch *a, int level)
{
    return a->level[level].is_dram || level == a->n_levels - 1;
}

int64_t pesim_arch_fanin(const pesim_arch *a, int level, pesim_tensor t)
{
    int64_t n = 1;
    for (int k = level; k >= 0; k--) {
        if (k < level && a->level[k].keeps[t]) break;
        n *= (int64_t)a->level[k].fanout_x * a->level[k].fanout_y;
    }
    return n;
}

static const char *const operand_names[PESIM_OPERAND_COUNT] = {"default", "int8", "int16", "fp16", "bf16",
                                                               "fp32"};

const char *pesim_operand_name(pesim_operand o)
{
    return (unsigned)o < PESIM_OPERAND_COUNT ? operand_names[o] : "?";
}

int pesim_operand_parse(const char *s)
{
    return name_index(operand_names, 1, PESIM_OPERAND_COUNT, s); /* "default" is not a type */
}

pesim_operand pesim_arch_operand(const pesim_arch *a)
{
    if (a->mac_operand > PESIM_OPERAND_DEFAULT && a->mac_operand < PESIM_OPERAND_COUNT)
        return (pesim_operand)a->mac_operand;
    return a->word_bits <= 8 ? PESIM_OPERAND_INT8 : a->word_bits <= 16 ? PESIM_OPERAND_INT16 : PESIM_OPERAND_FP32;
}

int pesim_arch_find_level(const pesim_arch *a, const char *name)
{
    for (int l = 0; l < a->n_levels; l++)
        if (strcmp(a->level[l].name, name) == 0) return l;
    return -1;
}

/* The presets, in DRAM clock cycles. Timing and organisation come from
 * DRAMsim3's public configuration files (github.com/umd-memsys/DRAMsim3,
 * configs/DDR4_8Gb_x8_3200.ini, configs/LPDDR4_8Gb_x16_2400.ini and
 * configs/DDR3_8Gb_x8_1600.ini):
 *   - tRC is tRAS + tRP (DRAMsim3 derives it so; the files have no tRC);
 *   - ranks and row size follow DRAMsim3's sizing: devices per rank =
 *     bus_width / device_width, a device of rows x columns x device_width
 *     bits per bank; ranks = channel_size / rank size (DDR4: 8 x8 devices,
 *     8 GiB a rank, channel_size 16 GiB: 2 ranks; LPDDR4: 4 x16 devices,
 *     4 GiB a rank, channel_size 8 GiB: 2 ranks); a row is columns x
 *     device_width x devices bits = 8 KiB in both;
 *   - tCK is the exact period of the data rate (3200 MT/s: 0.625 ns;
 *     2400 MT/s: 0.833 ns); DRAMsim3's files round it to 0.63 and 0.83;
 *   - HBM2 from configs/HBM2_8Gb_x128.ini: one stack of 8 channels x 128
 *     bits at tCK 1 ns (256 GB/s); tRCD = tRCDRD = tRCDWR, tRTP = tRTP_L;
 *     2 KiB rows (64 columns x 2 (HBM prefetch) x 128 bits); one rank, so
 *     tRTRS never applies;
 *   - power (the IDD model, docs/estimate.md) per device, from the same
 *     files' [power] VDD and IDD0/2N/3N/4R/4W/5AB and device_width.
 *   - I/O and termination per data bit (docs/estimate.md), DRAMPower 4's
 *     model (tukl-msd/DRAMPower, src/MemoryPowerModel.cc, io_term_power
 *     and calcIoTermEnergy): per pin power x the bit period tCK / 2 x the
 *     pins per data bit (DQ + DQS: 9/8 on reads; DQ + DQS + DM: 10/8 on
 *     writes), with its per-pin powers (src/MemorySpecification.h,
 *     MemoryType, "based on Micron's power calculators", the method of
 *     Micron TN-40-07): DDR4 read I/O 3.7 mW, write ODT 17.0 mW, and with
 *     more than one rank the other rank's termination, 12.4 mW on reads,
 *     12.3 mW on writes. LPDDR4: DRAMPower 4 models LPDDR I/O as an
 *     unterminated capacitive load, C / 2 x VDDQ^2 per clock per read pin
 *     (LPDDR3: 1.8 pF, from Micron's mobile power calculator), and has no
 *     LPDDR4 figure and no LPDDR write term; we take LPDDR3's 1.8 pF at
 *     LPDDR4's VDDQ of 1.1 V (JESD209-4): 1.8 x 1.1^2 / 4 x 9/8 pJ per
 *     bit read (our extrapolation). HBM2: none (0; no published
 *     per-bit I/O figure we could check; docs/estimate.md).
 *   - DDR3-1600 from configs/DDR3_8Gb_x8_1600.ini: 8 x8 devices of 8 Gb
 *     a rank (rows 65536, columns 2048: 16 KiB rows), channel_size 16 GiB:
 *     2 ranks; 1 bank group of 8 banks (DDR3 has none; DRAMsim3's
 *     convention); tCK 1.25 ns exactly; tREFI 6240 (7.8 us: the file spells
 *     the key "REFI", which DRAMsim3 does not read, so DRAMsim3 itself runs
 *     it at its default 7800); power at the file's VDD of 1.35 V (DDR3L).
 *     I/O and termination: DRAMPower 4's DDR3 per-pin figures (the same
 *     MemoryType table), read I/O 4.6 mW, write ODT 21.2 mW, the other
 *     rank's termination 15.5 mW on reads and 15.4 mW on writes, through
 *     the same formula as DDR4 (DRAMPOWER_IO_PJ_PER_BIT).
 * Not used by the model: AL (0), tRPRE/tWPRE, tRFC2/4, tWR2, tCKE, tCKESR,
 * tXS, tXP, tPPD (LPDDR4: 2). Designated initializers: other groups of
 * fields (power) go on lines of their own. */
/* DRAMPower's I/O and termination energy per data bit (pJ): a per-pin power
 * in mW x the bit period tCK / 2 in ns x the pins a data bit drives (DQ +
 * DQS on reads, 9/8; DQ + DQS + DM on writes, 10/8). */
#define DRAMPOWER_IO_PJ_PER_BIT(tck_ns, pins_per_bit, mw) ((tck_ns) / 2 * (pins_per_bit) * (mw))
#define DRAMPOWER_READ_PINS (9.0 / 8)
#define DRAMPOWER_WRITE_PINS (10.0 / 8)

static const pesim_dram presets[] = {
    {
        .preset = "ddr4-3200",
        .tck_ns = 0.625,
        .CL = 22, .CWL = 16, .tRCD = 22, .tRP = 22, .tRAS = 52, .tRC = 74,
        .BL = 8,
        .tCCD_S = 4, .tCCD_L = 8, .tRRD_S = 4, .tRRD_L = 8, .tFAW = 34,
        .tWTR_S = 4, .tWTR_L = 12, .tWR = 24, .tRTP = 12, .tRTRS = 1,
        .tRFC = 560, .tREFI = 12480,
        .channels = 1, .ranks = 2, .bankgroups = 4, .banks_per_group = 4,
        .bus_bits = 64, .row_bytes = 8192,
        .device_bits = 8, .vdd_v = 1.2,
        .idd0_ma = 57, .idd2n_ma = 37, .idd3n_ma = 52, .idd4r_ma = 168, .idd4w_ma = 150, .idd5ab_ma = 250,
        .io_read_pj_per_bit = DRAMPOWER_IO_PJ_PER_BIT(0.625, DRAMPOWER_READ_PINS, 3.7 + 12.4),
        .io_write_pj_per_bit = DRAMPOWER_IO_PJ_PER_BIT(0.625, DRAMPOWER_WRITE_PINS, 17.0 + 12.3),
    },
    {
        .preset = "lpddr4-2400",
        .tck_ns = 0.833,
        .CL = 17, .CWL = 14, .tRCD = 15, .tRP = 15, .tRAS = 32, .tRC = 47,
        .BL = 16,
        .tCCD_S = 4, .tCCD_L = 6, .tRRD_S = 8, .tRRD_L = 8, .tFAW = 32,
        .tWTR_S = 8, .tWTR_L = 16, .tWR = 30, .tRTP = 12, .tRTRS = 1,
        .tRFC = 392, .tREFI = 8660,
        .channels = 1, .ranks = 2, .bankgroups = 2, .banks_per_group = 4,
        .bus_bits = 64, .row_bytes = 8192,
        .device_bits = 16, .vdd_v = 1.2,
        .idd0_ma = 80, .idd2n_ma = 34, .idd3n_ma = 47, .idd4r_ma = 243, .idd4w_ma = 228, .idd5ab_ma = 280,
        .io_read_pj_per_bit = 1.8 * 1.1 * 1.1 / 4 * (9.0 / 8),
    },
    {
        .preset = "hbm2",
        .tck_ns = 1.0,
        .CL = 14, .CWL = 4, .tRCD = 14, .tRP = 14, .tRAS = 34, .tRC = 48,
        .BL = 4,
        .tCCD_S = 1, .tCCD_L = 2, .tRRD_S = 4, .tRRD_L = 6, .tFAW = 30,
        .tWTR_S = 6, .tWTR_L = 8, .tWR = 16, .tRTP = 6, .tRTRS = 1,
        .tRFC = 260, .tREFI = 3900,
        .channels = 8, .ranks = 1, .bankgroups = 4, .banks_per_group = 4,
        .bus_bits = 128, .row_bytes = 2048,
        .device_bits = 128, .vdd_v = 1.2,
        .idd0_ma = 65, .idd2n_ma = 40, .idd3n_ma = 55, .idd4r_ma = 390, .idd4w_ma = 500, .idd5ab_ma = 250,
    },
    {
        .preset = "ddr3-1600",
        .tck_ns = 1.25,
        .CL = 11, .CWL = 8, .tRCD = 11, .tRP = 11, .tRAS = 28, .tRC = 39,
        .BL = 8,
        .tCCD_S = 4, .tCCD_L = 4, .tRRD_S = 6, .tRRD_L = 6, .tFAW = 32,
        .tWTR_S = 6, .tWTR_L = 6, .tWR = 12, .tRTP = 6, .tRTRS = 1,
        .tRFC = 280, .tREFI = 6240,
        .channels = 1, .ranks = 2, .bankgroups = 1, .banks_per_group = 8,
        .bus_bits = 64, .row_bytes = 16384,
        .device_bits = 8, .vdd_v = 1.35,
        .idd0_ma = 67, .idd2n_ma = 36, .idd3n_ma = 51, .idd4r_ma = 125, .idd4w_ma = 125, .idd5ab_ma = 245,
        .io_read_pj_per_bit = DRAMPOWER_IO_PJ_PER_BIT(1.25, DRAMPOWER_READ_PINS, 4.6 + 15.5),
        .io_write_pj_per_bit = DRAMPOWER_IO_PJ_PER_BIT(1.25, DRAMPOWER_WRITE_PINS, 21.2 + 15.4),
    },
};

pesim_status pesim_dram_preset(const char *name, pesim_dram *d)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (name && strcasecmp(name, presets[i].preset) == 0) {
            *d = presets[i];
            return PESIM_OK;
        }
    return PESIM_ERR_INVALID;
}

double pesim_dram_words_per_cycle(const pesim_dram *d, int word_bits, double clock_mhz)
{
    if (d->tck_ns <= 0 || word_bits <= 0 || clock_mhz <= 0) return 0;
    /* Double data rate: two beats of bus_bits per tCK, per channel. */
    double bytes_per_ns = 2.0 * (d->bus_bits / 8.0) / d->tck_ns * d->channels;
    double ns_per_cycle = 1000.0 / clock_mhz;
    return bytes_per_ns * ns_per_cycle / (double)word_bytes(word_bits); /* words take whole bytes */
}

double pesim_dram_port_words_per_cycle(const pesim_arch *a, int level, int is_write)
{
    if (level < 0 || level >= a->n_levels || !a->level[level].is_dram) return 0;
    const pesim_level *v = &a->level[level];
    double peak = pesim_dram_words_per_cycle(&v->dram, a->word_bits, a->clock_mhz);
    double port = is_write ? v->write_words_per_cycle : v->read_words_per_cycle;
    return port > 0 && (peak <= 0 || port < peak) ? port : peak;
}

pesim_status pesim_arch_check(const pesim_arch *a, const char *file, pesim_error *e)
{
    if (a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "levels", "need between 1 and %d levels, got %d",
                               PESIM_MAX_LEVELS, a->n_levels);
    if ((unsigned)a->conventions >= PESIM_CONV_COUNT)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "conventions", "%d is not one of pesim (0), timeloop (1)",
                               a->conventions);
    if (a->first_read_elision != 0 && a->first_read_elision != 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "first_read_elision", "must be 0 or 1, got %d",
                               a->first_read_elision);
    if (a->first_read_elision && a->conventions != PESIM_CONV_TIMELOOP)
        return pesim_error_set(e, PESIM_ERR_INVALID, file, 0, "first_read_elision",
                               "first_read_elision is a \"timeloop\" convention (the \"pesim\" conventions never "
                               "count a first visit as a fill)");
    if (a->word_bits < 1 || a->word_bits > 64)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "word_bits", "must be in [1, 64], got %d", a->word_bits);
    if (!(a->clock_mhz > 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "clock_mhz", "must be > 0");
    if (a->mac_latency_cycles < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "mac.latency_cycles", "must be >= 1");
    if ((unsigned)a->mac_operand >= PESIM_OPERAND_COUNT)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "mac.type", "unknown operand type %d", a->mac_operand);
    if (!(a->mac_energy_pj >= 0) || !(a->mac_area_um2 >= 0) || !(a->mac_leak_pj_per_cycle >= 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "mac", "energy, leakage and area must be >= 0");
    if (a->tech_nm != 0 && pesim_estimate_tech(a->tech_nm, NULL) != PESIM_OK) {
        char list[64];
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "technology_nm", "unsupported node %d nm (supported: %s)",
                               a->tech_nm, pesim_estimate_nodes_text(list, sizeof list));
    }
    for (int l = 0; l < a->n_levels; l++) {
        const pesim_level *v = &a->level[l];
        char key[PESIM_KEY_MAX];
        snprintf(key, sizeof key, "levels.[%s]", v->name);
        if (!v->name[0]) return pesim_error_set(e, PESIM_ERR_MISSING, file, v->line, "levels", "a level has no name");
        for (int k = 0; k < l; k++)
            if (strcmp(a->level[k].name, v->name) == 0)
                return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, key, "duplicate level name");
        if (v->fanout_x < 1 || v->fanout_y < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "fanout_x and fanout_y must be >= 1");
        if (v->banks < 1 || v->ports < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "banks and ports must be >= 1");
        if ((unsigned)v->arbitration >= PESIM_ARB_COUNT)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "unknown arbitration %d", v->arbitration);
        if (v->word_bits < 0 || v->word_bits > 64)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "word_bits must be in [1, 64] (0: the "
                                   "arch's), got %d", v->word_bits);
        if (pesim_level_width_is_arch(a, l) && pesim_level_word_bits(a, l) != a->word_bits)
            return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, key,
                                   "word_bits %d: the %s level's words are the arch's (word_bits = %d)",
                                   v->word_bits, v->is_dram ? "DRAM" : "outermost", a->word_bits);
        if (v->cluster_size < 0 || v->cluster_size > 1) {
            char ck[PESIM_KEY_MAX + 16];
            int64_t inst = pesim_arch_instances(a, l);
            snprintf(ck, sizeof ck, "%s.cluster_size", key);
            if (v->cluster_size < 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, ck, "must be >= 1, got %d", v->cluster_size);
            if (a->conventions != PESIM_CONV_TIMELOOP)
                return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, ck,
                                       "cluster_size is a \"timeloop\" convention (the \"pesim\" conventions "
                                       "charge each instance its own accesses)");
            if (v->is_dram || inst % v->cluster_size != 0)
                return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, ck,
                                       "%d does not divide the level's %lld instances (a DRAM level has no clusters)",
                                       v->cluster_size, (long long)inst);
        }
        if (v->tile_slots < 0 || v->tile_slots > PESIM_TILE_SLOTS_MAX)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "multiple_buffering must be in [1, %d], got %d",
                                   PESIM_TILE_SLOTS_MAX, v->tile_slots);
        if (v->capacity_words < 0 || v->read_words_per_cycle < 0 || v->write_words_per_cycle < 0 ||
            v->latency_cycles < 0 || v->read_energy_pj < 0 || v->write_energy_pj < 0 || v->leak_pj_per_cycle < 0 ||
            v->area_um2 < 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "capacities, bandwidths, latencies, "
                                   "energies and areas must be >= 0");
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (v->tensor_capacity_words[t] < 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "tensor_capacity must be >= 0");
            if ((unsigned)v->noc[t].kind >= PESIM_NOC_KIND_COUNT ||
                (unsigned)v->noc[t].reduce >= PESIM_REDUCE_KIND_COUNT || v->noc[t].words_per_cycle < 0 ||
                v->noc[t].hop_energy_pj < 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key, "bad noc for %s",
                                       pesim_tensor_name((pesim_tensor)t));
        }
        if (l == 0 && (int64_t)v->fanout_x * v->fanout_y > 1) {
            /* Level 0's children are one PE's MAC lanes; the model, the
             * engine and the SystemC reference charge a systolic array's skew
             * only on a level whose children are storage instances. */
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                if (v->noc[t].kind != PESIM_NOC_SYSTOLIC) continue;
                char nk[PESIM_KEY_MAX + 32]; /* the level's key and ".noc.TENSOR.kind" */
                snprintf(nk, sizeof nk, "%s.noc.%s.kind", key, pesim_tensor_name((pesim_tensor)t));
                return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, nk,
                                       "a systolic network on level 0 (children: MAC lanes of one PE) is not "
                                       "modelled; give the PE array's systolic network to the level above the PEs");
            }
        }
        if ((v->fanout_x > 1 && v->spatial_x_dims == 0) || (v->fanout_y > 1 && v->spatial_y_dims == 0))
            return pesim_error_set(e, PESIM_ERR_INVALID, file, v->line, key,
                                   "a fan-out > 1 needs at least one dim in spatial_x/spatial_y");
        if (v->is_dram) {
            const pesim_dram *d = &v->dram;
            if (!(d->tck_ns > 0) || d->channels < 1 || d->ranks < 1 || d->bankgroups < 1 ||
                d->banks_per_group < 1 || d->bus_bits < 8 || d->row_bytes < 1 || d->BL < 1)
                return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key,
                                       "dram: tck_ns, channels, ranks, bankgroups, banks_per_group, BL, "
                                       "bus_bits and row_bytes must be positive");
            if (d->device_bits < 0 || (d->device_bits > 0 && d->bus_bits % d->device_bits != 0) ||
                !(d->vdd_v >= 0) || !(d->idd0_ma >= 0) || !(d->idd2n_ma >= 0) || !(d->idd3n_ma >= 0) ||
                !(d->idd4r_ma >= 0) || !(d->idd4w_ma >= 0) || !(d->idd5ab_ma >= 0))
                return pesim_error_set(e, PESIM_ERR_RANGE, file, v->line, key,
                                       "dram power: VDD and IDD currents must be >= 0 and device_bits must "
                                       "divide bus_bits");
        }
    }
    const pesim_level *top = &a->level[a->n_levels - 1];
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (!top->keeps[t])
            return pesim_error_set(e, PESIM_ERR_INVALID, file, top->line, top->name,
                                   "the outermost level must keep every tensor (%s missing)",
                                   pesim_tensor_name((pesim_tensor)t));
    if (top->capacity_words != 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, file, top->line, top->name,
                               "the outermost level must be unbounded (capacity_words = 0)");
    const pesim_vector *vu = &a->vector;
    if (vu->lanes < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "vector.lanes", "must be >= 0 (0 = no vector unit)");
    if (vu->lanes > 0) {
        if (vu->level < 0 || vu->level >= a->n_levels)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "vector.level", "level index %d out of range",
                                   (int)vu->level);
        if (!(vu->ops_per_cycle > 0))
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "vector.ops_per_cycle", "must be > 0");
        if (vu->latency_cycles < 0 || vu->energy_pj_per_op < 0 || vu->area_um2 < 0 || vu->leak_pj_per_cycle < 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "vector",
                                   "latency_cycles, energy_pj_per_op, area_um2 and leak_pj_per_cycle must be >= 0");
    }
    return PESIM_OK;
}

double pesim_arch_area_um2(const pesim_arch *a)
{
    double area = (double)pesim_arch_macs(a) * a->mac_area_um2;
    for (int l = 0; l < a->n_levels; l++)
        area += (double)pesim_arch_instances(a, l) * (a->level[l].area_um2 + a->level[l].reduce_area_um2);
    if (a->vector.lanes > 0 && a->vector.level >= 0 && a->vector.level < a->n_levels)
        area += (double)pesim_arch_instances(a, a->vector.level) * a->vector.area_um2;
    return area;
}

int64_t pesim_level_words(const pesim_level *v)
{
    int64_t w = v->capacity_words;
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        int64_t p = v->tensor_capacity_words[t];
        w = p > 0 && w > INT64_MAX - p ? INT64_MAX : w + p; /* saturates */
    }
    return w;
}

int pesim_level_tile_slots(const pesim_level *v)
{
    return v->tile_slots > 1 ? v->tile_slots : 1;
}

double pesim_level_read_words_per_cycle(const pesim_level *v)
{
    return (v->ports > 1 ? v->ports : 1) * v->read_words_per_cycle;
}

double pesim_level_write_words_per_cycle(const pesim_level *v)
{
    return (v->ports > 1 ? v->ports : 1) * v->write_words_per_cycle;
}

double pesim_arch_instance_words_per_cycle(const pesim_arch *a, int level, int is_write)
{
    const pesim_level *v = &a->level[level];
    if (v->is_dram) return pesim_dram_port_words_per_cycle(a, level, is_write);
    return is_write ? pesim_level_write_words_per_cycle(v) : pesim_level_read_words_per_cycle(v);
}

int64_t pesim_level_latency_cycles(const pesim_arch *a, int level)
{
    const pesim_level *v = &a->level[level];
    if (!v->is_dram) return v->latency_cycles;
    const pesim_dram *d = &v->dram;
    double ns = (1 + d->tRCD + d->CL + d->BL / 2) * d->tck_ns;   /* accept-to-issue, ACT, RD, data */
    return (int64_t)(ns * a->clock_mhz / 1000.0);
}
