/* cfg_arch.c - architectures (docs/config.md, "Architectures"): load and write.
 *
 * Scalar keys are declared once in cfg_field tables (key, type, field, bounds)
 * and both read and written from them. The loader checks each value, then
 * the whole arch with pesim_arch_check(). */
#include <stdlib.h>
#include <string.h>

#include "config/cfg_util.h"
#include "pesim/config.h"
#include "pesim/estimate.h"
#include "pesim/dram.h"

/* Upper bounds of the numeric fields (docs/config.md, "Bounds"): within them
 * no count, cycle total or energy overflows, and the cycle engine does not
 * spend minutes on a small layer. */
#define MAX_WORDS (INT64_C(1) << 50)       /* capacities */
#define MAX_FANOUT 65536                   /* fanout_x, fanout_y, banks, ports */
#define MAX_LEVEL_FANOUT (INT64_C(1) << 30) /* fanout_x * fanout_y of one level */
#define MAX_MAC_UNITS (INT64_C(1) << 40)   /* the product of every fan-out */
#define MAX_LATENCY (1 << 20)              /* latency_cycles (on chip, MAC pipeline) */
#define MAX_RATE INT64_C(1000000000000)    /* words per cycle (1e12) */
#define MAX_AREA_UM2 INT64_C(1000000000000000) /* 1e15 um2 */
#define MAX_TCK_NS 1000                    /* a 1 MHz DRAM clock */
#define MAX_DRAM_CLOCK_RATIO 1024.0        /* DRAM clock / accelerator clock */

static const char *const arch_keys[] = {"name",          "source",    "dataflow", "conventions", "first_read_elision",
                                        "word_bits",     "clock_mhz", "mac",      "levels",      "technology_nm",
                                        "vector",        NULL};
static const cfg_field arch_fields[] = {
    {"word_bits", CFG_I32, offsetof(pesim_arch, word_bits), 1, 64, CFG_REQUIRED},
    {"clock_mhz", CFG_F64, offsetof(pesim_arch, clock_mhz), 0, PESIM_CFG_MAX_CLOCK_MHZ, CFG_REQUIRED | CFG_GT},
};
static const char *const mac_keys[] = {"energy_pj", "latency_cycles", "area_um2", "type", "leak_pj_per_cycle", NULL};
static const cfg_field mac_fields[] = {
    {"latency_cycles", CFG_I32, offsetof(pesim_arch, mac_latency_cycles), 1, MAX_LATENCY, 0},
};
/* Cost fields: a key left out is estimated (sim/estimate), a key given
 * overrides; the PESIM_EST_* bit of each says which. Written only when given. */
typedef struct cost_field {
    cfg_field f;
    uint32_t bit;
} cost_field;
static const cost_field mac_cost_fields[] = {
    {{"energy_pj", CFG_F64, offsetof(pesim_arch, mac_energy_pj), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_MAC_ENERGY},
    {{"area_um2", CFG_F64, offsetof(pesim_arch, mac_area_um2), 0, MAX_AREA_UM2, 0}, PESIM_EST_MAC_AREA},
    {{"leak_pj_per_cycle", CFG_F64, offsetof(pesim_arch, mac_leak_pj_per_cycle), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_MAC_LEAK},
};
static const cost_field level_cost_fields[] = {
    {{"read_energy_pj", CFG_F64, offsetof(pesim_level, read_energy_pj), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_READ_ENERGY},
    {{"write_energy_pj", CFG_F64, offsetof(pesim_level, write_energy_pj), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_WRITE_ENERGY},
    {{"leak_pj_per_cycle", CFG_F64, offsetof(pesim_level, leak_pj_per_cycle), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_LEAK},
    {{"area_um2", CFG_F64, offsetof(pesim_level, area_um2), 0, MAX_AREA_UM2, 0}, PESIM_EST_AREA},
    {{"reduce_energy_pj", CFG_F64, offsetof(pesim_level, reduce_energy_pj), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}, PESIM_EST_REDUCE},
    {{"reduce_area_um2", CFG_F64, offsetof(pesim_level, reduce_area_um2), 0, MAX_AREA_UM2, 0}, PESIM_EST_REDUCE_AREA},
};
/* The vector unit (arch.h: pesim_vector); `level` is a level name, read apart. */
static const char *const vector_keys[] = {"level",           "lanes",    "ops_per_cycle", "latency_cycles",
                                          "energy_pj_per_op", "area_um2", "leak_pj_per_cycle", NULL};
static const cfg_field vector_fields[] = {
    {"lanes", CFG_I32, offsetof(pesim_vector, lanes), 1, MAX_FANOUT, CFG_REQUIRED},
    {"ops_per_cycle", CFG_F64, offsetof(pesim_vector, ops_per_cycle), 0, MAX_RATE, CFG_GT},
    {"latency_cycles", CFG_I32, offsetof(pesim_vector, latency_cycles), 0, MAX_LATENCY, 0},
};
static const cost_field vector_cost_fields[] = {
    {{"energy_pj_per_op", CFG_F64, offsetof(pesim_vector, energy_pj_per_op), 0, PESIM_CFG_MAX_ENERGY_PJ, 0},
     PESIM_EST_VECTOR_ENERGY},
    {{"area_um2", CFG_F64, offsetof(pesim_vector, area_um2), 0, MAX_AREA_UM2, 0}, PESIM_EST_VECTOR_AREA},
    {{"leak_pj_per_cycle", CFG_F64, offsetof(pesim_vector, leak_pj_per_cycle), 0, PESIM_CFG_MAX_ENERGY_PJ, 0},
     PESIM_EST_VECTOR_LEAK},
};
/* Default-mapper hints (arch.h: pesim_arch.dataflow). */
static const char *const dataflows[] = {"ws", "os", "is", "rs", "nvdla", "any"};
#define N_DATAFLOWS ((int)(sizeof dataflows / sizeof dataflows[0]))

static const char *const level_keys[] = {
    "name", "keeps", "capacity_words", "tensor_capacity", "fanout_x", "fanout_y", "spatial_x", "spatial_y",
    "banks", "ports", "read_words_per_cycle", "write_words_per_cycle", "latency_cycles", "read_energy_pj",
    "write_energy_pj", "leak_pj_per_cycle", "area_um2", "multiple_buffering", "double_buffered", "sliding_reuse", "noc", "dram",
    "block_words", "reduce_energy_pj", "reduce_area_um2", "arbitration", "word_bits", "cluster_size", NULL};
#define LF(key, kind, field, min, max, flags) {key, kind, offsetof(pesim_level, field), min, max, flags}
static const cfg_field level_fields[] = {
    LF("capacity_words", CFG_I64, capacity_words, 0, MAX_WORDS, 0),
    LF("fanout_x", CFG_I32, fanout_x, 1, MAX_FANOUT, 0),
    LF("fanout_y", CFG_I32, fanout_y, 1, MAX_FANOUT, 0),
    LF("banks", CFG_I32, banks, 1, MAX_FANOUT, 0),
    LF("ports", CFG_I32, ports, 1, MAX_FANOUT, 0),
    LF("read_words_per_cycle", CFG_F64, read_words_per_cycle, 0, MAX_RATE, CFG_RATE),
    LF("write_words_per_cycle", CFG_F64, write_words_per_cycle, 0, MAX_RATE, CFG_RATE),
    LF("latency_cycles", CFG_I32, latency_cycles, 0, MAX_LATENCY, 0),
    LF("multiple_buffering", CFG_I32, tile_slots, 1, PESIM_TILE_SLOTS_MAX, 0),
    LF("sliding_reuse", CFG_BOOL, sliding_reuse, 0, 0, 0),
    LF("block_words", CFG_I32, block_words, 0, MAX_FANOUT, 0),
};
/* The level's own word width (arch.h: pesim_level.word_bits): read from this
 * table, written only when given (0, the arch's, is left out). */
static const cfg_field level_word_bits_field = LF("word_bits", CFG_I32, word_bits, 1, 64, 0);
/* Timeloop's cluster size (arch.h: pesim_level.cluster_size): written only
 * when above 1. */
static const cfg_field level_cluster_field = LF("cluster_size", CFG_I32, cluster_size, 1, MAX_FANOUT, 0);
#undef LF

static const char *const noc_keys[] = {"kind", "reduce", "words_per_cycle", "hop_energy_pj", NULL};
static const cfg_field noc_fields[] = {
    {"words_per_cycle", CFG_F64, offsetof(pesim_noc, words_per_cycle), 0, MAX_RATE, CFG_RATE},
};
static const cfg_field noc_hop_field = {"hop_energy_pj", CFG_F64, offsetof(pesim_noc, hop_energy_pj), 0, PESIM_CFG_MAX_ENERGY_PJ,
                                        0};

/* The presets pesim_dram_preset() knows (arch.h), for messages only. */
static const char *const dram_presets[] = {"ddr4-3200", "lpddr4-2400", "hbm2", "ddr3-1600"};
#define DF(key, field, min) {key, CFG_I32, offsetof(pesim_dram, field), min, 0, 0}
static const cfg_field dram_fields[] = {
    {"tck_ns", CFG_F64, offsetof(pesim_dram, tck_ns), 0, MAX_TCK_NS, CFG_GT},
    DF("CL", CL, 0), DF("CWL", CWL, 0), DF("tRCD", tRCD, 0), DF("tRP", tRP, 0), DF("tRAS", tRAS, 0),
    DF("tRC", tRC, 0), DF("BL", BL, 1), DF("tCCD_S", tCCD_S, 0), DF("tCCD_L", tCCD_L, 0),
    DF("tRRD_S", tRRD_S, 0), DF("tRRD_L", tRRD_L, 0), DF("tFAW", tFAW, 0), DF("tWTR_S", tWTR_S, 0),
    DF("tWTR_L", tWTR_L, 0), DF("tWR", tWR, 0), DF("tRTP", tRTP, 0), DF("tRTRS", tRTRS, 0),
    DF("tRFC", tRFC, 0), DF("tREFI", tREFI, 0), DF("channels", channels, 1), DF("ranks", ranks, 1),
    DF("bankgroups", bankgroups, 1), DF("banks_per_group", banks_per_group, 1), DF("bus_bits", bus_bits, 8),
    {"row_bytes", CFG_I64, offsetof(pesim_dram, row_bytes), 1, 0, 0},
};
/* DRAM power (DRAMsim3's [power] keys; docs/estimate.md): optional, from the
 * preset; needed without one when the DRAM energy is estimated. */
#define DP(key, field) {key, CFG_F64, offsetof(pesim_dram, field), 0, PESIM_CFG_MAX_ENERGY_PJ, 0}
static const cfg_field dram_power_fields[] = {
    {"device_bits", CFG_I32, offsetof(pesim_dram, device_bits), 0, 1024, 0},
    DP("VDD", vdd_v), DP("IDD0", idd0_ma), DP("IDD2N", idd2n_ma), DP("IDD3N", idd3n_ma),
    DP("IDD4R", idd4r_ma), DP("IDD4W", idd4w_ma), DP("IDD5AB", idd5ab_ma),
    DP("io_read_pj_per_bit", io_read_pj_per_bit), DP("io_write_pj_per_bit", io_write_pj_per_bit),
};
#undef DP
#undef DF
/* The DMA engine's keys (optional; docs/engine.md, "DRAM"). */
static const cfg_field dram_dma_fields[] = {
    {"reads_in_flight", CFG_I32, offsetof(pesim_dram, reads_in_flight), 0, 4096, 0},
};

#define NF(t) ((int)(sizeof t / sizeof t[0]))

static int dataflow_parse(const char *s)
{
    for (int i = 0; i < N_DATAFLOWS; i++)
        if (strcmp(s, dataflows[i]) == 0) return i;
    return -1;
}

/* Names of tensors and dims, from the core (NULL-terminated). */
static void tensor_names(const char *names[PESIM_NTENSORS + 1])
{
    for (int t = 0; t < PESIM_NTENSORS; t++) names[t] = pesim_tensor_name((pesim_tensor)t);
    names[PESIM_NTENSORS] = NULL;
}

static void dim_names(const char *names[PESIM_NDIMS + 1])
{
    for (int d = 0; d < PESIM_NDIMS; d++) names[d] = pesim_dim_name((pesim_dim)d);
    names[PESIM_NDIMS] = NULL;
}

static pesim_status read_dram(const cfg_ctx *c, const config_setting_t *g, pesim_dram *d)
{
    const char *keys[NF(dram_fields) + NF(dram_power_fields) + NF(dram_dma_fields) + 4];
    int nk = 0;
    keys[nk++] = "preset";
    keys[nk++] = "layout";
    keys[nk++] = "order";
    for (int i = 0; i < NF(dram_fields); i++) keys[nk++] = dram_fields[i].key;
    for (int i = 0; i < NF(dram_power_fields); i++) keys[nk++] = dram_power_fields[i].key;
    for (int i = 0; i < NF(dram_dma_fields); i++) keys[nk++] = dram_dma_fields[i].key;
    keys[nk] = NULL;
    pesim_status st = pesim_cfg_check_keys(c, g, keys, NULL);
    if (st) return st;
    const config_setting_t *m;
    if ((st = pesim_cfg_member(c, g, "preset", 0, &m))) return st;
    if (m) {
        char name[sizeof d->preset];
        if ((st = pesim_cfg_string(c, m, name, sizeof name, 1)) == PESIM_ERR_TYPE) return st;
        if (st || pesim_dram_preset(name, d) != PESIM_OK) {
            const char *sug = st ? NULL : pesim_cfg_suggest(name, dram_presets, NF(dram_presets));
            return pesim_cfg_fail(c, m, PESIM_ERR_RANGE,
                                  "unknown DRAM preset '%.40s'%s%s%s (expected one of: %s, %s, %s, %s)",
                                  config_setting_get_string(m), sug ? "; did you mean '" : "", sug ? sug : "",
                                  sug ? "'?" : "", dram_presets[0], dram_presets[1], dram_presets[2], dram_presets[3]);
        }
    }
    /* without a preset, every timing and organisation field is required */
    for (int i = 0; !m && i < NF(dram_fields); i++)
        if (!config_setting_get_member(g, dram_fields[i].key))
            return pesim_cfg_fail_at(c, g, dram_fields[i].key, PESIM_ERR_MISSING,
                                     "required key '%s' is missing (without a preset every DRAM field is required; "
                                     "presets: %s, %s, %s)", dram_fields[i].key, dram_presets[0], dram_presets[1],
                                     dram_presets[2]);
    if ((st = pesim_cfg_read_fields(c, g, dram_fields, NF(dram_fields), d, 0))) return st;
    if ((st = pesim_cfg_read_fields(c, g, dram_power_fields, NF(dram_power_fields), d, 0))) return st;
    if ((st = pesim_cfg_read_fields(c, g, dram_dma_fields, NF(dram_dma_fields), d, 0))) return st;
    /* the address layout (docs/engine.md, "DRAM address layout"): after the
     * preset, which leaves both at their defaults */
    const char *layouts[PESIM_DRAM_LAYOUT_COUNT], *orders[PESIM_DRAM_ORDER_COUNT];
    for (int k = 0; k < PESIM_DRAM_LAYOUT_COUNT; k++) layouts[k] = pesim_dram_layout_name((pesim_dram_layout_kind)k);
    for (int k = 0; k < PESIM_DRAM_ORDER_COUNT; k++) orders[k] = pesim_dram_order_name((pesim_dram_order)k);
    int k;
    if ((st = pesim_cfg_member(c, g, "layout", 0, &m))) return st;
    if (m) {
        if ((st = pesim_cfg_enum(c, m, pesim_dram_layout_parse, layouts, PESIM_DRAM_LAYOUT_COUNT, "DRAM layout", &k)))
            return st;
        d->layout = k;
    }
    if ((st = pesim_cfg_member(c, g, "order", 0, &m))) return st;
    if (m) {
        if ((st = pesim_cfg_enum(c, m, pesim_dram_order_parse, orders, PESIM_DRAM_ORDER_COUNT, "DRAM order", &k)))
            return st;
        d->order = k;
    }
    return PESIM_OK;
}

/* Reads the cost fields present in g; sets the estimated bit of each absent one. */
static pesim_status read_cost_fields(const cfg_ctx *c, const config_setting_t *g, const cost_field *f, int n,
                                     void *base, uint32_t *estimated)
{
    for (int i = 0; i < n; i++) {
        if (!config_setting_get_member(g, f[i].f.key)) {
            *estimated |= f[i].bit;
            continue;
        }
        pesim_status st = pesim_cfg_read_fields(c, g, &f[i].f, 1, base, 0);
        if (st) return st;
        *estimated &= ~f[i].bit;
    }
    return PESIM_OK;
}

/* What the DRAM model would refuse at evaluation, and what would make it run
 * for minutes, refused at load where the error can name the line: the
 * model's own bounds (pesim_dram_check), a refresh interval that leaves room
 * for one access (row cycle, activate, CAS, burst, write recovery, read to
 * precharge, precharge) after each refresh, and a DRAM clock at most
 * MAX_DRAM_CLOCK_RATIO times the accelerator's. Returns 0, or 1 with the
 * offending key of the dram group in key[] and the message in msg[]. */
static int dram_bad(const pesim_dram *d, double clock_mhz, pesim_status *code, char key[PESIM_KEY_MAX],
                    char msg[PESIM_MSG_MAX])
{
    pesim_error de;
    pesim_error_clear(&de);
    *code = PESIM_ERR_RANGE;
    if (pesim_dram_check(d, &de) != PESIM_OK) {
        snprintf(key, PESIM_KEY_MAX, "%.100s", strncmp(de.key, "dram.", 5) == 0 ? de.key + 5 : de.key);
        snprintf(msg, PESIM_MSG_MAX, "%s", de.msg);
        *code = de.code;
        return 1;
    }
    int64_t access = (int64_t)d->tRC + d->tRCD + (d->CL > d->CWL ? d->CL : d->CWL) + d->BL + d->tWR + d->tRTP +
                     d->tRP;
    if (d->tRFC < 1 || d->tREFI < (int64_t)d->tRFC + access) {
        snprintf(msg, PESIM_MSG_MAX,
                 "refresh needs tRFC >= 1 and tREFI >= tRFC + %lld (tRC + tRCD + max(CL, CWL) + BL + tWR + tRTP + "
                 "tRP: room for one access between refreshes), got tRFC = %d, tREFI = %d",
                 (long long)access, (int)d->tRFC, (int)d->tREFI);
        snprintf(key, PESIM_KEY_MAX, "%s", d->tRFC < 1 ? "tRFC" : "tREFI");
        return 1;
    }
    if (1000.0 / d->tck_ns > MAX_DRAM_CLOCK_RATIO * clock_mhz) {
        snprintf(msg, PESIM_MSG_MAX,
                 "a DRAM clock of %g MHz is more than %g times the accelerator clock (clock_mhz = %g): "
                 "tck_ns must be >= %g",
                 1000.0 / d->tck_ns, MAX_DRAM_CLOCK_RATIO, clock_mhz, 1000.0 / (MAX_DRAM_CLOCK_RATIO * clock_mhz));
        snprintf(key, PESIM_KEY_MAX, "tck_ns");
        return 1;
    }
    return 0;
}

/* dram_bad() at load: the error names the field's setting when the file sets
 * it, else the dram group (the value came from the preset). */
static pesim_status check_dram(const cfg_ctx *c, const config_setting_t *g, const pesim_dram *d, double clock_mhz)
{
    char key[PESIM_KEY_MAX], msg[PESIM_MSG_MAX];
    pesim_status code;
    if (!dram_bad(d, clock_mhz, &code, key, msg)) return PESIM_OK;
    const config_setting_t *s = config_setting_get_member(g, key);
    if (s) return pesim_cfg_fail(c, s, code, "%s", msg);
    return pesim_cfg_fail_at(c, g, key, code, "%s (the value of preset '%s')", msg, d->preset);
}

static pesim_status read_noc(const cfg_ctx *c, const config_setting_t *g, pesim_level *v)
{
    const char *tn[PESIM_NTENSORS + 1];
    tensor_names(tn);
    pesim_status st = pesim_cfg_check_keys(c, g, tn, NULL);
    if (st) return st;
    const char *kinds[PESIM_NOC_KIND_COUNT], *reduces[PESIM_REDUCE_KIND_COUNT];
    for (int k = 0; k < PESIM_NOC_KIND_COUNT; k++) kinds[k] = pesim_noc_kind_name((pesim_noc_kind)k);
    for (int k = 0; k < PESIM_REDUCE_KIND_COUNT; k++) reduces[k] = pesim_reduce_kind_name((pesim_reduce_kind)k);
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        const config_setting_t *n, *m;
        pesim_noc *noc = &v->noc[t];
        if ((st = pesim_cfg_member(c, g, tn[t], 0, &n))) return st;
        if (!n) continue;
        if ((st = pesim_cfg_check_keys(c, n, noc_keys, NULL))) return st;
        int k;
        if ((st = pesim_cfg_member(c, n, "kind", 0, &m))) return st;
        if (m) {
            if ((st = pesim_cfg_enum(c, m, pesim_noc_kind_parse, kinds, PESIM_NOC_KIND_COUNT, "network kind", &k)))
                return st;
            noc->kind = (pesim_noc_kind)k;
        }
        if ((st = pesim_cfg_member(c, n, "reduce", 0, &m))) return st;
        if (m) {
            if ((st = pesim_cfg_enum(c, m, pesim_reduce_kind_parse, reduces, PESIM_REDUCE_KIND_COUNT,
                                     "reduction kind", &k)))
                return st;
            noc->reduce = (pesim_reduce_kind)k;
        }
        if ((st = pesim_cfg_read_fields(c, n, noc_fields, NF(noc_fields), noc, 0))) return st;
        if (config_setting_get_member(n, noc_hop_field.key)) {
            if ((st = pesim_cfg_read_fields(c, n, &noc_hop_field, 1, noc, 0))) return st;
            v->estimated &= ~PESIM_EST_HOP(t);
        }
    }
    return PESIM_OK;
}

static pesim_status read_level(const cfg_ctx *c, const config_setting_t *s, pesim_level *v, double clock_mhz)
{
    const config_setting_t *m;
    pesim_status st;
    const char *tn[PESIM_NTENSORS + 1], *dn[PESIM_NDIMS + 1];
    tensor_names(tn);
    dim_names(dn);
    if ((st = pesim_cfg_check_keys(c, s, level_keys, NULL))) return st;
    v->line = (int32_t)config_setting_source_line(s);
    if ((st = pesim_cfg_member(c, s, "name", 1, &m)) || (st = pesim_cfg_string(c, m, v->name, sizeof v->name, 1)))
        return st;

    /* defaults (docs/config.md) */
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        v->keeps[t] = 1;
        v->noc[t].kind = PESIM_NOC_BUS;
        v->noc[t].reduce = PESIM_REDUCE_TREE;
    }
    v->fanout_x = v->fanout_y = 1;
    v->spatial_x_dims = v->spatial_y_dims = (1u << PESIM_NDIMS) - 1;
    v->banks = v->ports = 1;
    v->latency_cycles = 1;
    v->sliding_reuse = 1;
    v->tile_slots = 1;
    v->estimated = PESIM_EST_HOP(0) | PESIM_EST_HOP(1) | PESIM_EST_HOP(2); /* cleared as keys are read */
    v->block_words = 1;

    uint32_t mask;
    if ((st = pesim_cfg_member(c, s, "keeps", 0, &m))) return st;
    if (m) {
        if ((st = pesim_cfg_name_set(c, m, pesim_tensor_parse, tn, PESIM_NTENSORS, "tensor", &mask))) return st;
        for (int t = 0; t < PESIM_NTENSORS; t++) v->keeps[t] = (uint8_t)((mask >> t) & 1u);
    }
    if ((st = pesim_cfg_read_fields(c, s, level_fields, NF(level_fields), v, 0)) ||
        (st = pesim_cfg_read_fields(c, s, &level_word_bits_field, 1, v, 0)) ||
        (st = pesim_cfg_read_fields(c, s, &level_cluster_field, 1, v, 0)))
        return st;
    /* double_buffered = true / false is multiple_buffering = 2 / 1; both given must agree */
    if ((st = pesim_cfg_member(c, s, "double_buffered", 0, &m))) return st;
    if (m) {
        int32_t db;
        if ((st = pesim_cfg_bool(c, m, &db))) return st;
        const config_setting_t *mb = config_setting_get_member(s, "multiple_buffering");
        if (mb && v->tile_slots != (db ? 2 : 1))
            return pesim_cfg_fail(c, m, PESIM_ERR_INVALID, "double_buffered = %s disagrees with multiple_buffering = %d "
                                  "(line %d)", db ? "true" : "false", v->tile_slots,
                                  config_setting_source_line(mb));
        v->tile_slots = db ? 2 : 1;
    }
    if ((st = read_cost_fields(c, s, level_cost_fields, NF(level_cost_fields), v, &v->estimated))) return st;
    if ((st = pesim_cfg_member(c, s, "tensor_capacity", 0, &m))) return st;
    if (m) {
        if ((st = pesim_cfg_check_keys(c, m, tn, NULL))) return st;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const config_setting_t *x = config_setting_get_member(m, tn[t]);
            if (x && (st = pesim_cfg_int(c, x, 0, MAX_WORDS, &v->tensor_capacity_words[t]))) return st;
        }
    }
    if ((st = pesim_cfg_member(c, s, "spatial_x", 0, &m))) return st;
    if (m && (st = pesim_cfg_name_set(c, m, pesim_dim_parse, dn, PESIM_NDIMS, "dim", &v->spatial_x_dims))) return st;
    if ((st = pesim_cfg_member(c, s, "spatial_y", 0, &m))) return st;
    if (m && (st = pesim_cfg_name_set(c, m, pesim_dim_parse, dn, PESIM_NDIMS, "dim", &v->spatial_y_dims))) return st;
    if ((st = pesim_cfg_member(c, s, "noc", 0, &m))) return st;
    if (m && (st = read_noc(c, m, v))) return st;
    if ((st = pesim_cfg_member(c, s, "dram", 0, &m))) return st;
    if (m) {
        v->is_dram = 1;
        if ((st = read_dram(c, m, &v->dram)) || (st = check_dram(c, m, &v->dram, clock_mhz))) return st;
    }
    /* the MAC array's reads against its updates in the banks (docs/engine.md "Banks") */
    if ((st = pesim_cfg_member(c, s, "arbitration", 0, &m))) return st;
    if (m) {
        const char *names[PESIM_ARB_COUNT];
        for (int k = 0; k < PESIM_ARB_COUNT; k++) names[k] = pesim_arbitration_name((pesim_arbitration)k);
        int k;
        if ((st = pesim_cfg_enum(c, m, pesim_arbitration_parse, names, PESIM_ARB_COUNT, "arbitration", &k)))
            return st;
        if (v->is_dram || v->banks < 2)
            return pesim_cfg_fail(c, m, PESIM_ERR_INVALID,
                                  "arbitration applies to an on-chip level of banks >= 2 (this one has %s)",
                                  v->is_dram ? "a dram group" : "banks = 1");
        v->arbitration = k;
    }
    return PESIM_OK;
}

/* vector = { level = "GLB"; lanes = 16; ... }: after the levels (it names one). */
static pesim_status read_vector(const cfg_ctx *c, const config_setting_t *g, pesim_arch *a)
{
    pesim_status st = pesim_cfg_check_keys(c, g, vector_keys, NULL);
    if (st) return st;
    pesim_vector *v = &a->vector;
    v->ops_per_cycle = 1.0;
    v->latency_cycles = 1;
    const config_setting_t *m;
    if ((st = pesim_cfg_member(c, g, "level", 1, &m))) return st;
    char name[PESIM_NAME_MAX];
    if ((st = pesim_cfg_string(c, m, name, sizeof name, 1)) == PESIM_ERR_TYPE) return st;
    v->level = st ? -1 : pesim_arch_find_level(a, name);
    if (v->level < 0) {
        const char *names[PESIM_MAX_LEVELS];
        for (int i = 0; i < a->n_levels; i++) names[i] = a->level[i].name;
        const char *sug = st ? NULL : pesim_cfg_suggest(name, names, a->n_levels);
        return pesim_cfg_fail(c, m, PESIM_ERR_RANGE, "no level '%.63s' in this arch%s%s%s",
                              config_setting_get_string(m), sug ? "; did you mean '" : "", sug ? sug : "",
                              sug ? "'?" : "");
    }
    if ((st = pesim_cfg_read_fields(c, g, vector_fields, NF(vector_fields), v, 0))) return st;
    return read_cost_fields(c, g, vector_cost_fields, NF(vector_cost_fields), v, &a->estimated);
}

/* The setting of a level's own key, named "levels.[NAME].KEY" as
 * pesim_arch_check names it (NULL: no such key in the config). */
static const config_setting_t *level_key_setting(const config_setting_t *list, const pesim_arch *a, const char *key)
{
    const char *head = "levels.[", *end;
    size_t n = strlen(head);
    if (strncmp(key, head, n) != 0 || !(end = strstr(key + n, "]."))) return NULL;
    for (int l = 0; l < a->n_levels; l++) {
        const char *name = a->level[l].name;
        if (strlen(name) == (size_t)(end - key - (ptrdiff_t)n) && strncmp(name, key + n, strlen(name)) == 0)
            return config_setting_get_member(config_setting_get_elem(list, (unsigned)l), end + 2);
    }
    return NULL;
}

static pesim_status load(cfg_ctx *c, pesim_arch *a)
{
    const config_setting_t *g, *m, *list;
    pesim_status st;
    if ((st = pesim_cfg_top(c, "arch", &g)) || (st = pesim_cfg_check_keys(c, g, arch_keys, NULL))) return st;
    if ((st = pesim_cfg_member(c, g, "name", 1, &m)) || (st = pesim_cfg_string(c, m, a->name, sizeof a->name, 1)))
        return st;
    if ((st = pesim_cfg_member(c, g, "source", 0, &m)) ||
        (m && (st = pesim_cfg_string(c, m, a->source, sizeof a->source, 0))))
        return st;
    strcpy(a->dataflow, "any");
    if ((st = pesim_cfg_member(c, g, "dataflow", 0, &m))) return st;
    if (m) {
        int k;
        if ((st = pesim_cfg_enum(c, m, dataflow_parse, dataflows, N_DATAFLOWS, "dataflow", &k))) return st;
        strcpy(a->dataflow, dataflows[k]);
    }
    a->conventions = PESIM_CONV_PESIM;
    if ((st = pesim_cfg_member(c, g, "conventions", 0, &m))) return st;
    if (m) {
        static const char *const conv[PESIM_CONV_COUNT] = {"pesim", "timeloop"};
        int k;
        if ((st = pesim_cfg_enum(c, m, pesim_conventions_parse, conv, PESIM_CONV_COUNT, "conventions", &k)))
            return st;
        a->conventions = k;
    }
    if ((st = pesim_cfg_member(c, g, "first_read_elision", 0, &m)) ||
        (m && (st = pesim_cfg_bool(c, m, &a->first_read_elision))))
        return st;
    if ((st = pesim_cfg_read_fields(c, g, arch_fields, NF(arch_fields), a, 0))) return st;
    if ((st = pesim_cfg_member(c, g, "technology_nm", 0, &m))) return st;
    if (m) {
        int64_t nm;
        char nodes[64];
        if ((st = pesim_cfg_int(c, m, 1, 1000, &nm))) return st;
        if (pesim_estimate_tech((int32_t)nm, NULL) != PESIM_OK)
            return pesim_cfg_fail(c, m, PESIM_ERR_RANGE, "unsupported technology node %lld nm (supported: %s)",
                                  (long long)nm, pesim_estimate_nodes_text(nodes, sizeof nodes));
        a->tech_nm = (int32_t)nm;
    }
    a->mac_latency_cycles = 1;
    a->estimated = PESIM_EST_MAC_ENERGY | PESIM_EST_MAC_AREA | PESIM_EST_MAC_LEAK;
    if ((st = pesim_cfg_member(c, g, "mac", 0, &m))) return st;
    if (m && ((st = pesim_cfg_check_keys(c, m, mac_keys, NULL)) ||
              (st = pesim_cfg_read_fields(c, m, mac_fields, NF(mac_fields), a, 0)) ||
              (st = read_cost_fields(c, m, mac_cost_fields, NF(mac_cost_fields), a, &a->estimated))))
        return st;
    const config_setting_t *mt;
    if (m && (st = pesim_cfg_member(c, m, "type", 0, &mt))) return st;
    if (m && mt) {
        static const char *const types[PESIM_OPERAND_COUNT - 1] = {"int8", "int16", "fp16", "bf16", "fp32"};
        int k;
        if ((st = pesim_cfg_enum(c, mt, pesim_operand_parse, types, PESIM_OPERAND_COUNT - 1, "operand type", &k)))
            return st;
        a->mac_operand = k;
    }
    if ((st = pesim_cfg_member(c, g, "levels", 1, &list)) || (st = pesim_cfg_array(c, list, 1, PESIM_MAX_LEVELS)))
        return st;
    a->n_levels = config_setting_length(list);
    int64_t macs = 1;
    for (int l = 0; l < a->n_levels; l++) {
        const config_setting_t *s = config_setting_get_elem(list, (unsigned)l);
        if ((st = read_level(c, s, &a->level[l], a->clock_mhz))) return st;
        int64_t fan = (int64_t)a->level[l].fanout_x * a->level[l].fanout_y;
        if (fan > MAX_LEVEL_FANOUT)
            return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "fanout_x * fanout_y = %lld children is more than 2^30",
                                  (long long)fan);
        if (!pesim_mul_ok(macs, fan, &macs) || macs > MAX_MAC_UNITS)
            return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "the fan-outs multiply past 2^40 MAC units");
    }
    /* a DRAM's words and the backing store's are the operands' (arch.h: pesim_level.word_bits) */
    for (int l = 0; l < a->n_levels; l++) {
        const pesim_level *v = &a->level[l];
        if (pesim_level_width_is_arch(a, l) && v->word_bits && v->word_bits != a->word_bits)
            return pesim_cfg_fail(c, config_setting_get_member(config_setting_get_elem(list, (unsigned)l), "word_bits"),
                                  PESIM_ERR_INVALID,
                                  "word_bits = %d: the %s level's words are the arch's (word_bits = %d); leave "
                                  "the key out", v->word_bits, v->is_dram ? "DRAM" : "outermost", a->word_bits);
    }
    if ((st = pesim_cfg_member(c, g, "vector", 0, &m))) return st;
    if (m && (st = read_vector(c, m, a))) return st;

    /* the core's invariants (outermost level keeps everything, unique names, ...) */
    pesim_error le;
    pesim_error_clear(&le);
    if ((st = pesim_arch_check(a, c->name, &le)) != PESIM_OK) {
        /* keys as everywhere else in this module: a bare level name is levels.[name] */
        char key[PESIM_KEY_MAX];
        if (pesim_arch_find_level(a, le.key) >= 0) snprintf(key, sizeof key, "levels.[%.100s]", le.key);
        else snprintf(key, sizeof key, "%s", le.key);
        /* the line of the key when it is one of the arch's own, else the arch's */
        const config_setting_t *ks = le.key[0] ? config_setting_get_member(g, le.key) : NULL;
        const config_setting_t *km = level_key_setting(list, a, le.key); /* or of a level's own */
        int line = km   ? (int)config_setting_source_line(km)
                   : le.line ? le.line : (int)config_setting_source_line(ks ? ks : g);
        return pesim_error_set(c->e, st, le.file[0] ? le.file : c->name, line, key, "%s", le.msg);
    }
    /* fields left unset: the estimator's values (docs/estimate.md) */
    pesim_error_clear(&le);
    if ((st = pesim_estimate_arch(a, &le)) != PESIM_OK)
        return pesim_error_set(c->e, st, c->name, le.line ? le.line : (int)config_setting_source_line(g), le.key, "%s",
                               le.msg);
    return PESIM_OK;
}

pesim_status pesim_arch_load(const char *path, pesim_arch *out, pesim_error *e)
{
    if (!out || !path) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_arch_load: NULL argument");
    memset(out, 0, sizeof *out);
    cfg_ctx c;
    pesim_status st = pesim_cfg_open(&c, path, NULL, NULL, e);
    if (!st) st = load(&c, out);
    pesim_cfg_close(&c);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

pesim_status pesim_arch_load_string(const char *text, const char *name, pesim_arch *out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "pesim_arch_load_string: NULL out");
    memset(out, 0, sizeof *out);
    cfg_ctx c;
    pesim_status st = pesim_cfg_open(&c, NULL, text, name, e);
    if (!st) st = load(&c, out);
    pesim_cfg_close(&c);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

/* ------------------------------------------------------------ writing */

static void put_names(cfg_buf *b, const char *key, uint32_t mask, const char *const *names, int n)
{
    pesim_cfg_printf(b, "%s = [ ", key);
    int first = 1;
    for (int i = 0; i < n; i++)
        if (mask & (1u << i)) {
            pesim_cfg_printf(b, "%s\"%s\"", first ? "" : ", ", names[i]);
            first = 0;
        }
    pesim_cfg_printf(b, first ? "];" : " ];");
}

static int cost_fields_bad(const cost_field *f, int n, const void *base)
{
    for (int i = 0; i < n; i++)
        if (pesim_cfg_fields_bad(&f[i].f, 1, base) >= 0) return i;
    return -1;
}

/* Writes the given (not estimated) cost fields, each after a space. */
static void put_cost_fields(cfg_buf *b, const cost_field *f, int n, const void *base, uint32_t estimated, int indent)
{
    for (int i = 0; i < n; i++)
        if (!(estimated & f[i].bit)) {
            pesim_cfg_printf(b, " ");
            pesim_cfg_put_fields(b, &f[i].f, 1, base, indent);
        }
}

/* Fails unless the arch can be written so that it loads back unchanged. */
static pesim_status check_writable(const pesim_arch *a, const char *path, pesim_error *e)
{
    if (!pesim_cfg_str_ok(a->name, sizeof a->name) || !a->name[0] || !pesim_cfg_str_ok(a->source, sizeof a->source))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "name", "arch name empty or unterminated");
    /* "" (no hint, e.g. an arch built in code) is written as "any", its meaning */
    if (!pesim_cfg_str_ok(a->dataflow, sizeof a->dataflow) || (a->dataflow[0] && dataflow_parse(a->dataflow) < 0))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "dataflow", "not one of ws, os, is, rs, nvdla, any");
    int bad;
    if ((bad = pesim_cfg_fields_bad(arch_fields, NF(arch_fields), a)) >= 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, arch_fields[bad].key, "value out of range");
    if ((bad = pesim_cfg_fields_bad(mac_fields, NF(mac_fields), a)) >= 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "mac", "%s out of range", mac_fields[bad].key);
    if ((bad = cost_fields_bad(mac_cost_fields, NF(mac_cost_fields), a)) >= 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "mac", "%s out of range", mac_cost_fields[bad].f.key);
    if ((unsigned)a->mac_operand >= PESIM_OPERAND_COUNT || pesim_estimate_tech(a->tech_nm, NULL) != PESIM_OK)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "mac", "unknown operand type or technology node");
    if (a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "levels", "need 1 to %d levels", PESIM_MAX_LEVELS);
    if (a->vector.lanes > 0 && ((bad = pesim_cfg_fields_bad(vector_fields, NF(vector_fields), &a->vector)) >= 0 ||
                                a->vector.level < 0 || a->vector.level >= a->n_levels))
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "vector", "%s out of range",
                               bad >= 0 ? vector_fields[bad].key : "level");
    if (a->vector.lanes > 0 && (bad = cost_fields_bad(vector_cost_fields, NF(vector_cost_fields), &a->vector)) >= 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "vector", "%s out of range", vector_cost_fields[bad].f.key);
    if (a->vector.lanes <= 0) {
        static const pesim_vector none;
        if (memcmp(&a->vector, &none, sizeof none) != 0)
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "vector", "no lanes, but other vector fields set");
    }
    int64_t macs = 1;
    for (int l = 0; l < a->n_levels; l++) {
        const pesim_level *v = &a->level[l];
        char key[PESIM_KEY_MAX];
        snprintf(key, sizeof key, "levels.[%d]", l);
        if (!pesim_cfg_str_ok(v->name, sizeof v->name) || !v->name[0])
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "level name empty or unterminated");
        snprintf(key, sizeof key, "levels.[%s]", v->name);
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (v->keeps[t] > 1) return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "keeps flags are 0 or 1");
            if (v->tensor_capacity_words[t] < 0 || pesim_cfg_fields_bad(noc_fields, NF(noc_fields), &v->noc[t]) >= 0 ||
                pesim_cfg_fields_bad(&noc_hop_field, 1, &v->noc[t]) >= 0 ||
                (unsigned)v->noc[t].kind >= PESIM_NOC_KIND_COUNT ||
                (unsigned)v->noc[t].reduce >= PESIM_REDUCE_KIND_COUNT)
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "bad tensor_capacity or noc for %s",
                                       pesim_tensor_name((pesim_tensor)t));
        }
        if ((bad = pesim_cfg_fields_bad(level_fields, NF(level_fields), v)) >= 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "%s out of range", level_fields[bad].key);
        if ((bad = cost_fields_bad(level_cost_fields, NF(level_cost_fields), v)) >= 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "%s out of range", level_cost_fields[bad].f.key);
        if (v->word_bits && pesim_cfg_fields_bad(&level_word_bits_field, 1, v) >= 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "word_bits out of range");
        if (v->cluster_size && pesim_cfg_fields_bad(&level_cluster_field, 1, v) >= 0)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "cluster_size out of range");
        int64_t fan = (int64_t)v->fanout_x * v->fanout_y;
        if (fan > MAX_LEVEL_FANOUT || !pesim_mul_ok(macs, fan, &macs) || macs > MAX_MAC_UNITS)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "fan-outs past 2^30 children or 2^40 MAC units");
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (v->tensor_capacity_words[t] > MAX_WORDS)
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "tensor_capacity past 2^50 words");
        if ((v->spatial_x_dims | v->spatial_y_dims) >> PESIM_NDIMS)
            return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "spatial dim masks have bits past S");
        if (v->is_dram == 1) {
            pesim_dram p;
            if (!pesim_cfg_str_ok(v->dram.preset, sizeof v->dram.preset) ||
                (v->dram.preset[0] &&
                 (pesim_dram_preset(v->dram.preset, &p) != PESIM_OK || strcmp(p.preset, v->dram.preset) != 0)))
                return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "unknown DRAM preset name");
            if ((bad = pesim_cfg_fields_bad(dram_fields, NF(dram_fields), &v->dram)) >= 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "dram %s out of range", dram_fields[bad].key);
            if ((bad = pesim_cfg_fields_bad(dram_power_fields, NF(dram_power_fields), &v->dram)) >= 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "dram %s out of range",
                                       dram_power_fields[bad].key);
            if ((bad = pesim_cfg_fields_bad(dram_dma_fields, NF(dram_dma_fields), &v->dram)) >= 0)
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "dram %s out of range",
                                       dram_dma_fields[bad].key);
            char dk[PESIM_KEY_MAX], msg[PESIM_MSG_MAX];
            pesim_status code;
            if (dram_bad(&v->dram, a->clock_mhz, &code, dk, msg))
                return pesim_error_set(e, code, path, 0, key, "dram %s: %s", dk, msg);
        } else {
            static const pesim_dram zero;
            if (v->is_dram != 0 || memcmp(&v->dram, &zero, sizeof zero) != 0)
                return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key,
                                       "is_dram must be 0 or 1, and DRAM fields unset when 0");
        }
    }
    pesim_error le;
    pesim_error_clear(&le);
    pesim_status st = pesim_arch_check(a, path, &le);
    if (st) return pesim_error_set(e, st, path, 0, le.key, "%s", le.msg);
    return PESIM_OK;
}

static pesim_status format_arch(cfg_buf *b, const pesim_arch *arch, const char *path, pesim_error *e)
{
    /* tile_slots 0 (an arch built in code) is written as its meaning, 1 */
    /* memcpy, not `copy = *arch`: GCC 12 at -O3 -flto compiled the assignment as
     * `rep movsq` and hoisted the loop's load of copy.n_levels above it (seen in
     * config_test's disassembly, 2026-12-05: the load from the destination comes
     * before the copy; valgrind: uninitialised). The post-allocation scheduler
     * moved it: the copy and the load carried alias sets it took as disjoint,
     * which a struct and its int member are not; Release now builds with
     * -fno-strict-aliasing as well (docs/build.md has the reproduction). */
    pesim_arch copy;
    memcpy(&copy, arch, sizeof copy);
    for (int l = 0; l < copy.n_levels && l < PESIM_MAX_LEVELS; l++)
        if (copy.level[l].tile_slots == 0) copy.level[l].tile_slots = 1;
    const pesim_arch *a = &copy;
    pesim_status st = check_writable(a, path, e);
    if (st) return st;
    const char *tn[PESIM_NTENSORS + 1], *dn[PESIM_NDIMS + 1];
    tensor_names(tn);
    dim_names(dn);
    pesim_cfg_printf(b, "# written by pesim (format: docs/config.md)\narch = {\n  name = ");
    pesim_cfg_put_string(b, a->name);
    pesim_cfg_printf(b, ";\n  source = ");
    pesim_cfg_put_string(b, a->source);
    pesim_cfg_printf(b, ";\n  dataflow = \"%s\";\n  ", a->dataflow[0] ? a->dataflow : "any");
    if (a->conventions != PESIM_CONV_PESIM)
        pesim_cfg_printf(b, "conventions = \"%s\";\n  ", pesim_conventions_name((pesim_conventions)a->conventions));
    if (a->first_read_elision) pesim_cfg_printf(b, "first_read_elision = true;\n  ");
    pesim_cfg_put_fields(b, arch_fields, NF(arch_fields), a, 2);
    if (a->tech_nm) pesim_cfg_printf(b, " technology_nm = %d;", a->tech_nm);
    pesim_cfg_printf(b, "\n  mac = { ");
    pesim_cfg_put_fields(b, mac_fields, NF(mac_fields), a, 4);
    if (a->mac_operand) pesim_cfg_printf(b, " type = \"%s\";", pesim_operand_name((pesim_operand)a->mac_operand));
    put_cost_fields(b, mac_cost_fields, NF(mac_cost_fields), a, a->estimated, 4);
    pesim_cfg_printf(b, " };\n  levels = (                  # innermost first\n");
    for (int l = 0; l < a->n_levels; l++) {
        const pesim_level *v = &a->level[l];
        uint32_t keeps = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) keeps |= (uint32_t)v->keeps[t] << t;
        pesim_cfg_printf(b, "    { name = ");
        pesim_cfg_put_string(b, v->name);
        pesim_cfg_printf(b, ";\n      ");
        put_names(b, "keeps", keeps, tn, PESIM_NTENSORS);
        pesim_cfg_printf(b, "\n      tensor_capacity = {");
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            pesim_cfg_printf(b, " %s = ", tn[t]);
            pesim_cfg_put_int(b, v->tensor_capacity_words[t]);
            pesim_cfg_printf(b, ";");
        }
        pesim_cfg_printf(b, " };\n      ");
        put_names(b, "spatial_x", v->spatial_x_dims, dn, PESIM_NDIMS);
        pesim_cfg_printf(b, "\n      ");
        put_names(b, "spatial_y", v->spatial_y_dims, dn, PESIM_NDIMS);
        pesim_cfg_printf(b, "\n      ");
        pesim_cfg_put_fields(b, level_fields, NF(level_fields), v, 6);
        if (v->word_bits) {
            pesim_cfg_printf(b, " ");
            pesim_cfg_put_fields(b, &level_word_bits_field, 1, v, 6);
        }
        if (v->cluster_size > 1) {
            pesim_cfg_printf(b, " ");
            pesim_cfg_put_fields(b, &level_cluster_field, 1, v, 6);
        }
        put_cost_fields(b, level_cost_fields, NF(level_cost_fields), v, v->estimated, 6);
        if (v->arbitration && v->banks >= 2 && !v->is_dram) /* the key is refused elsewhere */
            pesim_cfg_printf(b, " arbitration = \"%s\";", pesim_arbitration_name((pesim_arbitration)v->arbitration));
        pesim_cfg_printf(b, "\n      noc = {");
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            pesim_cfg_printf(b, "\n        %s = { kind = \"%s\"; reduce = \"%s\"; ", tn[t],
                             pesim_noc_kind_name(v->noc[t].kind), pesim_reduce_kind_name(v->noc[t].reduce));
            pesim_cfg_put_fields(b, noc_fields, NF(noc_fields), &v->noc[t], 10);
            if (!(v->estimated & PESIM_EST_HOP(t))) pesim_cfg_put_fields(b, &noc_hop_field, 1, &v->noc[t], 10);
            pesim_cfg_printf(b, " };");
        }
        pesim_cfg_printf(b, " };");
        if (v->is_dram) {
            pesim_cfg_printf(b, "\n      dram = {");
            if (v->dram.preset[0]) pesim_cfg_printf(b, " preset = \"%s\";", v->dram.preset);
            pesim_cfg_printf(b, "\n        ");
            pesim_cfg_put_fields(b, dram_fields, NF(dram_fields), &v->dram, 8);
            pesim_cfg_printf(b, "\n        ");
            pesim_cfg_put_fields(b, dram_power_fields, NF(dram_power_fields), &v->dram, 8);
            if (v->dram.reads_in_flight > 1) pesim_cfg_put_fields(b, dram_dma_fields, NF(dram_dma_fields), &v->dram, 8);
            if (v->dram.layout != PESIM_DRAM_TILE_MAJOR)
                pesim_cfg_printf(b, " layout = \"%s\";", pesim_dram_layout_name((pesim_dram_layout_kind)v->dram.layout));
            if (v->dram.order != PESIM_DRAM_NHWC)
                pesim_cfg_printf(b, " order = \"%s\";", pesim_dram_order_name((pesim_dram_order)v->dram.order));
            pesim_cfg_printf(b, " };");
        }
        pesim_cfg_printf(b, " }%s\n", l + 1 < a->n_levels ? "," : "");
    }
    pesim_cfg_printf(b, "  );\n");
    if (a->vector.lanes > 0) {
        pesim_cfg_printf(b, "  vector = { level = ");
        pesim_cfg_put_string(b, a->level[a->vector.level].name);
        pesim_cfg_printf(b, "; ");
        pesim_cfg_put_fields(b, vector_fields, NF(vector_fields), &a->vector, 4);
        put_cost_fields(b, vector_cost_fields, NF(vector_cost_fields), &a->vector, a->estimated, 4);
        pesim_cfg_printf(b, " };\n");
    }
    pesim_cfg_printf(b, "};\n");
    return PESIM_OK;
}

pesim_status pesim_arch_write(const char *path, const pesim_arch *a, pesim_error *e)
{
    pesim_error_clear(e);
    if (!path || !a) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_arch_write: NULL argument");
    cfg_buf b = {0};
    pesim_status st = format_arch(&b, a, path, e);
    if (st) {
        pesim_cfg_buf_free(&b);
        return st;
    }
    return pesim_cfg_save(&b, path, e);
}
