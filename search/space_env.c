/* space_env.c - what the environment interface tells an algorithm about a
 * space besides its cardinalities (pesim/search.h "the environment";
 * docs/search.md "The environment interface"): kind and group names, the
 * value behind each choice, the network graph, numeric features, and the
 * default design as choices. Masks and the step decode are space_mask.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "space_impl.h"

/* ------------------------------------------------------------- names */

static const char *const kind_names[PESIM_PARAM_KIND_COUNT] = {
    "tile", "order", "spatial_dim", "spatial_factor", "bypass", "hardware", "placement", "order_pos"};
static const char *const group_names[PESIM_GROUP_COUNT] = {"hardware", "tiling", "schedule", "placement"};

const char *pesim_param_kind_name(pesim_param_kind k)
{
    return (unsigned)k < PESIM_PARAM_KIND_COUNT ? kind_names[k] : "?";
}

const char *pesim_param_group_name(pesim_param_group g)
{
    return (unsigned)g < PESIM_GROUP_COUNT ? group_names[g] : "?";
}

pesim_param_group pesim_param_group_of(pesim_param_kind k)
{
    switch (k) {
    case PESIM_PARAM_HARDWARE: return PESIM_GROUP_HARDWARE;
    case PESIM_PARAM_PLACEMENT: return PESIM_GROUP_PLACEMENT;
    case PESIM_PARAM_ORDER:
    case PESIM_PARAM_ORDER_POS:
    case PESIM_PARAM_BYPASS: return PESIM_GROUP_SCHEDULE;
    default: return PESIM_GROUP_TILING;
    }
}

pesim_param_group pesim_space_param_group(const pesim_space *s, int32_t i)
{
    if (!s || i < 0 || i >= s->n_params) return PESIM_GROUP_HARDWARE;
    if (s->params[i].kind == PESIM_PARAM_HARDWARE && s->hw && i < s->n_hw)
        return (pesim_param_group)s->hw[i].group;
    return pesim_param_group_of(s->params[i].kind);
}

/* ------------------------------------------------------------- values */

int pesim_space_choice_value(const pesim_space *s, int32_t param, int32_t choice, const int32_t *choices,
                             pesim_choice_value *out)
{
    if (!s || !out || param < 0 || param >= s->n_params) return 0;
    const pesim_param *p = &s->params[param];
    if (choice < 0 || choice >= p->n_choices) return 0;
    memset(out, 0, sizeof *out);
    out->kind = p->kind;
    out->dim = out->level = -1;
    if (p->kind == PESIM_PARAM_HARDWARE) {
        const hw_param *hp = &s->hw[param];
        const hw_value *v = &hp->values[(size_t)choice * (size_t)hp->n_keys];
        int textual = hp->key[0].field == HW_DATAFLOW || hp->key[0].field == HW_SPATIAL_X ||
                      hp->key[0].field == HW_SPATIAL_Y;
        out->number = textual ? NAN : v->num;
        size_t k = 0;
        for (int32_t key = 0; key < hp->n_keys && k + 1 < sizeof out->text; key++) {
            char buf[64];
            pesim_space_hw_value(s, param, key, choice, buf, sizeof buf);
            int w = snprintf(out->text + k, sizeof out->text - k, "%s%s", key ? "," : "", buf);
            if (w < 0) break;
            k += (size_t)w < sizeof out->text - k ? (size_t)w : sizeof out->text - k - 1;
        }
        return 1;
    }
    if (p->kind == PESIM_PARAM_PLACEMENT) {
        int w = p->tensor == PESIM_OUTPUTS;
        out->level = s->place_choice[((size_t)p->layer * 2 + (size_t)w) * PESIM_MAX_LEVELS + (size_t)choice];
        out->number = out->level;
        snprintf(out->text, sizeof out->text, "%s", s->arch.level[out->level].name);
        return 1;
    }
    if (!s->maps || p->layer < 0 || s->mac_of[p->layer] < 0) return 0;
    return srch_mapping_value(s, &s->maps[s->mac_of[p->layer]], param, choice, choices, out);
}

/* -------------------------------------------------------------- graph */

static int64_t weight_words(const pesim_layer *l)
{
    return l->op == PESIM_OP_CONV || l->op == PESIM_OP_GEMM ? pesim_layer_tensor_words(l, PESIM_WEIGHTS) : 0;
}

pesim_status srch_build_graph(pesim_space *s, pesim_error *e)
{
    const int32_t L = s->net.n_layers;
    int32_t ne = 0;
    for (int32_t j = 0; j < L; j++) ne += s->net.layers[j].n_inputs;
    s->gnodes = calloc((size_t)(L > 0 ? L : 1), sizeof *s->gnodes);
    s->gedges = calloc((size_t)(ne > 0 ? ne : 1), sizeof *s->gedges);
    if (!s->gnodes || !s->gedges) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    for (int32_t j = 0; j < L; j++) {
        const pesim_layer *l = &s->net.layers[j];
        pesim_graph_node *g = &s->gnodes[j];
        g->layer = j;
        g->mac = s->mac_of[j];
        g->op = l->op;
        g->macs = pesim_layer_macs(l);
        g->weight_words = weight_words(l);
        g->output_words = pesim_layer_output_words(l);
        g->input_words = pesim_layer_has_macs(l) ? pesim_layer_tensor_words(l, PESIM_INPUTS) : 0;
        g->last_use = j;
    }
    for (int32_t j = 0; j < L; j++) {
        const pesim_layer *l = &s->net.layers[j];
        for (int32_t k = 0; k < l->n_inputs; k++) {
            int32_t src = l->inputs[k];
            if (src >= 0 && src < j && s->gnodes[src].last_use < j) s->gnodes[src].last_use = j;
            if (!pesim_layer_has_macs(l) && src >= 0 && src < L) s->gnodes[j].input_words += s->gnodes[src].output_words;
        }
    }
    int32_t n = 0;
    for (int32_t j = 0; j < L; j++) {
        const pesim_layer *l = &s->net.layers[j];
        for (int32_t k = 0; k < l->n_inputs; k++) {
            int32_t src = l->inputs[k];
            pesim_graph_edge *g = &s->gedges[n++];
            g->src = src >= 0 && src < j ? src : -1;
            g->dst = j;
            g->slot = k;
            if (g->src >= 0) {
                g->words = s->gnodes[g->src].output_words;
                g->lifetime = s->gnodes[g->src].last_use - g->src;
            } else {
                g->words = s->net.input_n * s->net.input_c * s->net.input_h * s->net.input_w;
                if (g->words <= 0) g->words = s->gnodes[j].input_words;
                g->lifetime = j + 1;
            }
        }
    }
    s->n_gedges = n;
    return PESIM_OK;
}

void pesim_space_graph(const pesim_space *s, pesim_graph *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!s) return;
    out->n_nodes = s->net.n_layers;
    out->n_edges = s->n_gedges;
    out->nodes = s->gnodes;
    out->edges = s->gedges;
}

/* ----------------------------------------------------------- features */

static double lg1(double x) { return log2(1.0 + (x > 0 ? x : 0)); }

/* Writes value v at column i when it fits. */
#define PUT(i, v)                                                                                                \
    do {                                                                                                         \
        if ((i) < n) out[i] = (v);                                                                               \
    } while (0)

static const char *const node_cols[PESIM_NODE_FEATURES] = {
    "log2_G", "log2_N", "log2_K", "log2_C", "log2_P", "log2_Q", "log2_R", "log2_S",
    "stride_h", "stride_w", "dilation_h", "dilation_w", "log2_macs", "log2_weight_words",
    "log2_input_words", "log2_output_words", "op_conv", "op_gemm", "op_matmul", "op_pool",
    "op_add", "op_concat", "lifetime", "position"};
static const char *const edge_cols[PESIM_EDGE_FEATURES] = {"log2_words", "lifetime", "from_input"};
static const char *const arch_cols[4] = {"word_bits", "clock_mhz", "mac_energy_pj", "n_levels"};
static const char *const level_cols[PESIM_ARCH_LEVEL_FEATURES] = {
    "log2_capacity_words", "log2_fanout_x", "log2_fanout_y", "log2_read_words_per_cycle",
    "log2_write_words_per_cycle", "read_energy_pj", "write_energy_pj", "dram", "log2_tile_slots",
    "keeps_weights", "keeps_inputs", "keeps_outputs"};

const char *pesim_feature_name(pesim_feature_set set, int32_t i)
{
    static _Thread_local char buf[48];
    switch (set) {
    case PESIM_FEATURES_NODE: return i >= 0 && i < PESIM_NODE_FEATURES ? node_cols[i] : NULL;
    case PESIM_FEATURES_EDGE: return i >= 0 && i < PESIM_EDGE_FEATURES ? edge_cols[i] : NULL;
    case PESIM_FEATURES_ARCH:
        if (i < 0 || i >= PESIM_ARCH_FEATURES) return NULL;
        if (i < 4) return arch_cols[i];
        snprintf(buf, sizeof buf, "l%d_%s", (int)((i - 4) / PESIM_ARCH_LEVEL_FEATURES),
                 level_cols[(i - 4) % PESIM_ARCH_LEVEL_FEATURES]);
        return buf;
    }
    return NULL;
}

int32_t pesim_space_node_features(const pesim_space *s, int32_t layer, double *out, int32_t n)
{
    if (!s || layer < 0 || layer >= s->net.n_layers || !out) return PESIM_NODE_FEATURES;
    const pesim_layer *l = &s->net.layers[layer];
    const pesim_graph_node *g = &s->gnodes[layer];
    const double L = (double)s->net.n_layers;
    for (int d = 0; d < PESIM_NDIMS; d++) PUT(d, log2((double)l->dim[d]));
    PUT(8, l->stride_h);
    PUT(9, l->stride_w);
    PUT(10, l->dilation_h);
    PUT(11, l->dilation_w);
    PUT(12, lg1((double)g->macs));
    PUT(13, lg1((double)g->weight_words));
    PUT(14, lg1((double)g->input_words));
    PUT(15, lg1((double)g->output_words));
    for (int op = 0; op < PESIM_OP_COUNT; op++) PUT(16 + op, l->op == (pesim_op)op ? 1.0 : 0.0);
    PUT(22, (double)(g->last_use - layer) / L);
    PUT(23, (double)layer / L);
    return PESIM_NODE_FEATURES;
}

int32_t pesim_space_edge_features(const pesim_space *s, int32_t edge, double *out, int32_t n)
{
    if (!s || edge < 0 || edge >= s->n_gedges || !out) return PESIM_EDGE_FEATURES;
    const pesim_graph_edge *g = &s->gedges[edge];
    PUT(0, lg1((double)g->words));
    PUT(1, (double)g->lifetime / (double)s->net.n_layers);
    PUT(2, g->src < 0 ? 1.0 : 0.0);
    return PESIM_EDGE_FEATURES;
}

int32_t pesim_arch_features(const pesim_arch *a, double *out, int32_t n)
{
    if (!a || !out) return PESIM_ARCH_FEATURES;
    for (int32_t i = 0; i < n && i < PESIM_ARCH_FEATURES; i++) out[i] = 0;
    PUT(0, a->word_bits);
    PUT(1, a->clock_mhz);
    PUT(2, a->mac_energy_pj);
    PUT(3, a->n_levels);
    for (int lv = 0; lv < a->n_levels && lv < PESIM_MAX_LEVELS; lv++) {
        const pesim_level *v = &a->level[lv];
        int32_t b = 4 + lv * PESIM_ARCH_LEVEL_FEATURES;
        double words = (double)v->capacity_words;
        for (int t = 0; t < PESIM_NTENSORS; t++) words += (double)v->tensor_capacity_words[t];
        PUT(b + 0, lg1(words));
        PUT(b + 1, log2((double)(v->fanout_x > 0 ? v->fanout_x : 1)));
        PUT(b + 2, log2((double)(v->fanout_y > 0 ? v->fanout_y : 1)));
        PUT(b + 3, lg1(v->read_words_per_cycle));
        PUT(b + 4, lg1(v->write_words_per_cycle));
        PUT(b + 5, v->read_energy_pj);
        PUT(b + 6, v->write_energy_pj);
        PUT(b + 7, v->is_dram ? 1.0 : 0.0);
        PUT(b + 8, log2((double)pesim_level_tile_slots(v)));
        for (int t = 0; t < PESIM_NTENSORS; t++) PUT(b + 9 + t, v->keeps[t] ? 1.0 : 0.0);
    }
    return PESIM_ARCH_FEATURES;
}
#undef PUT

/* ------------------------------------------------------ default design */

int pesim_space_default_choices(const pesim_space *s, int32_t *choices)
{
    if (!s || !choices) return 0;
    for (int32_t i = 0; i < s->n_params; i++) choices[i] = 0;
    int exact = 1;
    /* hardware: the choice whose values are the base arch's, else 0 */
    pesim_arch a = s->arch;
    for (int32_t i = 0; i < s->n_hw; i++) {
        const hw_param *hp = &s->hw[i];
        int32_t found = -1;
        for (int32_t c = 0; c < hp->n_values && found < 0; c++) {
            int same = 1;
            for (int32_t k = 0; k < hp->n_keys && same; k++) {
                pesim_arch x = s->arch;
                srch_hw_apply_value(&x, &hp->key[k], &hp->values[(size_t)c * (size_t)hp->n_keys + (size_t)k]);
                uint64_t h0 = srch_hash_arch(SRCH_HASH_SEED, &x), h1 = srch_hash_arch(SRCH_HASH_SEED, &s->arch);
                same = h0 == h1 && strcmp(x.dataflow, s->arch.dataflow) == 0;
            }
            if (same) found = c;
        }
        if (found < 0) exact = 0;
        choices[i] = found < 0 ? 0 : found;
    }
    if (s->n_hw > 0) {
        char why[PESIM_REASON_MAX];
        if (!srch_apply_hw(s, choices, &a, why, sizeof why, NULL)) return 0;
    }
    /* mapping: the default mapper's mapping of each layer, when it encodes */
    if (s->maps) {
        int32_t *tmp = malloc((size_t)s->n_params * sizeof *tmp);
        if (!tmp) return 0;
        for (int32_t i = 0; i < s->n_mac; i++) {
            const pesim_layer *l = &s->net.layers[s->mac[i]];
            pesim_mapping m;
            pesim_error err;
            memcpy(tmp, choices, (size_t)s->n_params * sizeof *tmp);
            if (pesim_mapper_default(&a, l, &m, &err) != PESIM_OK || !srch_encode_layer(s, &s->maps[i], &a, &m, tmp)) {
                exact = 0;
                continue;
            }
            memcpy(choices, tmp, (size_t)s->n_params * sizeof *tmp);
        }
        free(tmp);
    }
    /* placement: choice 0 is the outermost level */
    return exact;
}
