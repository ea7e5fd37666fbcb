/* components.c - technology nodes and the component models: SRAM, register
 * files, MACs, adder trees, vector lanes and wires (docs/estimate.md).
 *
 * Every model is written at 45 nm and scaled by the node's factors. The
 * constants below say where each comes from; "fitted" ones were chosen to
 * match the named reference points, and docs/estimate.md compares the results
 * with references that were not used to fit them. */
#include "pesim/estimate.h"
#include "estimate/estimate_impl.h"

#include <math.h>
#include <stdio.h>

/* ---------------------------------------------------------------- nodes
 *
 * Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS
 * device performance from 180 nm to 7 nm", Integration 58 (2017): area factors
 * between nodes (their table), and energy and delay as polynomials of Vdd per
 * node (HP devices below 65 nm): energy a Vdd^2 + b Vdd + c, delay a Vdd^3 +
 * b Vdd^2 + c Vdd + d. Each node is taken at a nominal supply (our choice:
 * 65 nm and 45 nm 1.0 V, 28 nm 0.9 V, 16 nm 0.8 V, 10 nm 0.75 V, 7 nm 0.7 V).
 * 28 nm is not in the paper: interpolated linearly between 32 and 20 nm.
 * Leakage power is scaled like energy (as Accelergy's hwcomponents library
 * does); wire energy per mm like Vdd^2 (capacitance per mm of a wire is
 * roughly constant across nodes: Ho, Mai, Horowitz, "The future of wires",
 * Proc. IEEE 89(4), 2001). */
typedef struct node_fit {
    int32_t nm;
    double vdd, area;           /* area factor vs 45 nm */
    double e[3];                /* energy polynomial */
    double d[4];                /* delay polynomial */
} node_fit;

static const node_fit fits[] = {
    {65, 1.0, 1.5, {3.755, -4.398, 1.975}, {-53.3, 230.4, -333.9, 178.6}},
    {45, 1.0, 1.0, {1.018, -0.3107, 0.1539}, {-501.6, 1567, -1619, 566.1}},
    {32, 0.9, 0.46, {0.8367, -0.4341, 0.1701}, {-1047, 2982, -2797, 873.5}},
    {20, 0.9, 0.21, {0.373, -0.1582, 0.04104}, {0, 34.63, -66.37, 41.15}},
    {16, 0.8, 0.19, {0.2958, -0.1241, 0.03024}, {0, 24.8, -47.52, 28.87}},
    {10, 0.75, 0.1, {0.2068, -0.09311, 0.02375}, {-34.95, 93.65, -85.99, 30.4}},
    {7, 0.7, 0.059, {0.1776, -0.09097, 0.02447}, {-28.58, 76.6, -70.26, 24.69}},
};
#define N_FITS ((int)(sizeof fits / sizeof fits[0]))

/* The nodes a config may name (32 and 20 nm only anchor 28 nm). */
static const int32_t nodes[] = {65, 45, 28, 16, 10, 7};
#define N_NODES ((int)(sizeof nodes / sizeof nodes[0]))

static double energy_at(const node_fit *f, double v) { return f->e[0] * v * v + f->e[1] * v + f->e[2]; }
static double delay_at(const node_fit *f, double v) { return ((f->d[0] * v + f->d[1]) * v + f->d[2]) * v + f->d[3]; }

static const node_fit *fit_of(int32_t nm)
{
    for (int i = 0; i < N_FITS; i++)
        if (fits[i].nm == nm) return &fits[i];
    return NULL;
}

pesim_status pesim_estimate_tech(int32_t node_nm, pesim_tech *out)
{
    if (node_nm == 0) node_nm = 45;
    int ok = 0;
    for (int i = 0; i < N_NODES; i++) ok |= nodes[i] == node_nm;
    if (!ok) return PESIM_ERR_RANGE;
    if (!out) return PESIM_OK;
    const node_fit *ref = fit_of(45);
    double e0 = energy_at(ref, ref->vdd), d0 = delay_at(ref, ref->vdd);
    double vdd, e, d, area;
    if (node_nm == 28) { /* a third of the way from 32 to 20 nm, at 0.9 V */
        const node_fit *a = fit_of(32), *b = fit_of(20);
        const double w = (32.0 - 28.0) / (32.0 - 20.0);
        vdd = 0.9;
        e = (1 - w) * energy_at(a, vdd) + w * energy_at(b, vdd);
        d = (1 - w) * delay_at(a, vdd) + w * delay_at(b, vdd);
        area = (1 - w) * a->area + w * b->area;
    } else {
        const node_fit *f = fit_of(node_nm);
        vdd = f->vdd, e = energy_at(f, vdd), d = delay_at(f, vdd), area = f->area;
    }
    out->node_nm = node_nm;
    out->vdd_v = vdd;
    out->energy_scale = e / e0;
    out->area_scale = area;
    out->delay_scale = d / d0;
    out->wire_scale = (vdd / ref->vdd) * (vdd / ref->vdd);
    return PESIM_OK;
}

const char *pesim_estimate_nodes_text(char *buf, size_t n)
{
    size_t o = 0;
    if (n) buf[0] = '\0';
    for (int i = 0; i < N_NODES && o < n; i++) {
        int k = snprintf(buf + o, n - o, "%s%d", i ? ", " : "", nodes[i]);
        if (k < 0) break;
        o += (size_t)k;
    }
    return buf;
}

/* ---------------------------------------------------------------- 45 nm tables */

/* Wires: Keckler et al., "GPUs and the future of parallel computing", IEEE
 * Micro 31(5), 2011, Table 1: 256 bits over 10 mm cost 310 pJ at 40 nm, i.e.
 * 0.12 pJ per bit per mm; taken as the 45 nm figure. Signal speed of a
 * repeated wire ~ 0.15 ns/mm (our assumption, for access times only). */
#define WIRE_PJ_PER_BIT_MM 0.12
#define WIRE_NS_PER_MM 0.15

/* Leakage: 10 mW per mm^2 of logic or memory at 45 nm, i.e. 0.01 uW/um^2:
 * Aladdin's 40 nm library leaks 2.4 uW in a 278 um^2 32-bit adder and 80 uW in
 * a 6350 um^2 32-bit multiplier (8.6 and 12.6 mW/mm^2). A high-performance
 * process figure: low-power processes leak 10-100x less (give
 * leak_pj_per_cycle then). */
#define LEAK_UW_PER_UM2 0.01

/* SRAM (a simplified CACTI: square banks, an H-tree across the macro).
 * Area: the Intel 45 nm 6T cell, 0.346 um^2 (Mistry et al., IEDM 2007), at 70%
 * array efficiency = 0.494 um^2/bit; each extra port adds a word line and a
 * bit-line pair, growing the cell by 35% in each direction (our assumption);
 * a bank is laid out square (column muxes fold tall arrays), so it has
 * sqrt(bank bits) physical rows; per bank and port a periphery: a word-line
 * driver and decoder slice of 10 um^2 per physical row (our assumption) and
 * sense amplifiers and drivers of 46 um^2 per bit of width (fitted: with both,
 * a 4 KiB two-port 64-bit bank is 1.19 um^2/bit at 45 nm, CACTI's 0.94
 * um^2/bit at 40 nm in Accelergy's Eyeriss exercise ART). So at a given
 * bandwidth more banks cost more drivers, and more bandwidth costs columns.
 * Energy per access of W bits: W x (SRAM_E0 + SRAM_EB x sqrt(bank bits) x
 * port factor) + SRAM_EDEC x log2(rows per bank) + (W + A) x wire energy x
 * sqrt(macro area), where A = log2(words of W bits in the macro): the H-tree
 * carries the data and the address to the bank (as CACTI's H-trees do: address
 * in, data out). SRAM_E0 (sense amplifier and output latch, about half a
 * register bit) is our assumption; SRAM_EB fitted to Horowitz (ISSCC 2014,
 * 45 nm: 64-bit reads of 8 KB 10 pJ, 32 KB 20 pJ) and SRAM_EDEC (decoder and
 * word-line drive per address bit) to the storage of Accelergy's 224 x 16-bit
 * two-port scratchpad (timeloop-accelergy-exercises, 04_eyeriss_like ERT:
 * 1.59 pJ at 40 nm, less its two address generators, Aladdin counters of
 * 0.25 pJ: 1.08 pJ, taken as the 45 nm figure), both with the address wires.
 * Access time: SRAM_T0 + SRAM_TB x sqrt(bank bits) + the H-tree wire (our
 * assumption: 0.76 ns for 32 KB, 3.2 ns for one 1 MB bank). */
#define SRAM_CELL_UM2 0.494
#define SRAM_PORT_GROWTH 0.35
#define SRAM_PERIPH_UM2_PER_BIT 46.0
#define SRAM_PERIPH_UM2_PER_ROW 10.0
#define SRAM_E0 0.005
#define SRAM_EB 0.00048
#define SRAM_EDEC 0.022
#define SRAM_T0 0.25
#define SRAM_TB 0.0009

/* Register files: Aladdin's 40 nm register, 0.009 pJ per bit read and 5.98
 * um^2 per bit (taken as 45 nm: 0.01 pJ, 6 um^2); a read passes log2(entries)
 * levels of 2:1 muxes of RF_MUX register-bit energies each (fitted to the
 * 12 x 16-bit ifmap scratchpad of Accelergy's Eyeriss exercise: 0.24 pJ at
 * 40 nm). Access time: one flip-flop plus 0.05 ns per mux level (our
 * assumption). */
#define RF_E_BIT 0.01
#define RF_MUX 0.25
#define RF_UM2_BIT 6.0
#define RF_T0 0.1
#define RF_T_LEVEL 0.05

/* Arithmetic, Horowitz ISSCC 2014 (45 nm, 0.9 V): energy pJ / area um^2.
 * int add 8b 0.03/36, 16b 0.05/67, 32b 0.1/137; int mult 8b 0.2/282, 32b
 * 3.1/3495; fp16 add 0.4/1360, fp32 add 0.9/4184; fp16 mult 1.1/1640, fp32
 * mult 3.7/7700. A 16-bit int multiplier is interpolated between 8 and 32 bits
 * on a power law (energy x 3.94, area x 3.52 of the 8-bit one); a bf16
 * multiplier is fp16's scaled by the mantissa product (8/11)^2 = 0.53. */
typedef struct op_cost {
    double mult_pj, mult_um2, add_pj, add_um2;
} op_cost;

static op_cost op_table(pesim_operand o)
{
    const double int16_mult_pj = 0.2 * pow(3.1 / 0.2, 0.5), int16_mult_um2 = 282.0 * pow(3495.0 / 282.0, 0.5);
    const double bf = (8.0 / 11.0) * (8.0 / 11.0);
    switch (o) {
    case PESIM_OPERAND_INT8: return (op_cost){0.2, 282.0, 0.1, 137.0};
    case PESIM_OPERAND_INT16: return (op_cost){int16_mult_pj, int16_mult_um2, 0.1, 137.0};
    case PESIM_OPERAND_FP16: return (op_cost){1.1, 1640.0, 0.9, 4184.0};
    case PESIM_OPERAND_BF16: return (op_cost){1.1 * bf, 1640.0 * bf, 0.9, 4184.0};
    case PESIM_OPERAND_FP32:
    default: return (op_cost){3.7, 7700.0, 0.9, 4184.0};
    }
}

double est_leak_uw(const pesim_tech *t, double area_um2)
{
    /* area at this node -> 45 nm area -> 45 nm leakage -> scaled like energy */
    return area_um2 / t->area_scale * LEAK_UW_PER_UM2 * t->energy_scale;
}

double pesim_estimate_wire_pj_per_bit_mm(const pesim_tech *t)
{
    return WIRE_PJ_PER_BIT_MM * t->wire_scale;
}

static double log2_at_least_1(double x) { return x > 2 ? log2(x) : 1.0; }

void pesim_estimate_sram(const pesim_tech *t, double bits, int32_t width_bits, int32_t banks, int32_t ports,
                         pesim_est *out)
{
    if (banks < 1) banks = 1;
    if (ports < 1) ports = 1;
    if (width_bits < 1) width_bits = 1;
    double bank_bits = bits / banks;
    if (bank_bits < width_bits) bank_bits = width_bits;
    double pf = 1.0 + SRAM_PORT_GROWTH * (ports - 1);
    /* 45 nm area first: the routing length follows it */
    double rows = bank_bits / width_bits;
    double bank_um2 = bank_bits * SRAM_CELL_UM2 * pf * pf +
                      ports * (SRAM_PERIPH_UM2_PER_BIT * width_bits + SRAM_PERIPH_UM2_PER_ROW * sqrt(bank_bits));
    double area45 = banks * bank_um2;
    double route_mm = sqrt(area45 * t->area_scale) * 1e-3;
    double array = width_bits * (SRAM_E0 + SRAM_EB * sqrt(bank_bits) * pf) + SRAM_EDEC * log2_at_least_1(rows);
    double words = bits / width_bits, addr_bits = words > 1 ? log2(words) : 0;
    double e = array * t->energy_scale + (width_bits + addr_bits) * pesim_estimate_wire_pj_per_bit_mm(t) * route_mm;
    out->read_pj = out->write_pj = e;
    out->area_um2 = area45 * t->area_scale;
    out->leak_uw = est_leak_uw(t, out->area_um2);
    out->access_ns = (SRAM_T0 + SRAM_TB * sqrt(bank_bits)) * t->delay_scale + WIRE_NS_PER_MM * route_mm;
}

void pesim_estimate_regfile(const pesim_tech *t, int64_t entries, int32_t width_bits, int32_t ports,
                            pesim_est *out)
{
    if (entries < 1) entries = 1;
    if (ports < 1) ports = 1;
    double levels = entries > 1 ? log2((double)entries) : 0.0;
    double pf = 1.0 + SRAM_PORT_GROWTH * (ports - 1);  /* a read mux per port */
    out->read_pj = width_bits * RF_E_BIT * (1.0 + RF_MUX * levels) * t->energy_scale;
    out->write_pj = out->read_pj;
    out->area_um2 = (double)entries * width_bits * RF_UM2_BIT * pf * t->area_scale;
    out->leak_uw = est_leak_uw(t, out->area_um2);
    out->access_ns = (RF_T0 + RF_T_LEVEL * levels) * t->delay_scale;
}

void pesim_estimate_mac(const pesim_tech *t, pesim_operand o, pesim_est *out)
{
    op_cost c = op_table(o);
    out->read_pj = (c.mult_pj + c.add_pj) * t->energy_scale;
    out->write_pj = 0;
    out->area_um2 = (c.mult_um2 + c.add_um2) * t->area_scale;
    out->leak_uw = est_leak_uw(t, out->area_um2);
    out->access_ns = 0;
}

void pesim_estimate_adder_tree(const pesim_tech *t, pesim_operand o, int64_t inputs, pesim_est *out)
{
    op_cost c = op_table(o);
    double adders = inputs > 1 ? (double)(inputs - 1) : 0.0;
    out->read_pj = adders * c.add_pj * t->energy_scale;
    out->write_pj = 0;
    out->area_um2 = adders * c.add_um2 * t->area_scale;
    out->leak_uw = est_leak_uw(t, out->area_um2);
    out->access_ns = 0;
}

void pesim_estimate_vector(const pesim_tech *t, pesim_operand o, pesim_est *out)
{
    pesim_estimate_mac(t, o, out); /* a lane is one fused multiply-add of the operand type */
}
