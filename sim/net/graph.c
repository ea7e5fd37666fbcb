/* graph.c - the network as tensors and steps: the handle, tensor sizes,
 * producers and consumers, the operations of the vector layers, the graph
 * features (docs/network.md "Tensors"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"
#include "pesim/dram.h"

static const char *const fidelity_names[PESIM_NET_FIDELITY_COUNT] = {"analytical", "cycle", "systemc"};

const char *pesim_net_fidelity_name(pesim_net_fidelity f)
{
    return (unsigned)f < PESIM_NET_FIDELITY_COUNT ? fidelity_names[f] : "?";
}

/* Element operations per output word of an activation function (our counts:
 * relu a max, relu6 a max and a min, sigmoid and tanh an exponential, an add
 * and a divide plus a scale, silu a sigmoid and a multiply, gelu's tanh form
 * x^3, two multiply-adds, a tanh and a final multiply-add). */
int64_t net_act_ops(pesim_act a)
{
    static const int64_t ops[PESIM_ACT_COUNT] = {0, 1, 2, 8, 4, 4, 5};
    return (unsigned)a < PESIM_ACT_COUNT ? ops[a] : 0;
}

int64_t net_vector_ops_per_word(const pesim_layer *l)
{
    switch (l->op) {
    case PESIM_OP_POOL: return l->dim[PESIM_DIM_R] * l->dim[PESIM_DIM_S]; /* one max or add per window word */
    case PESIM_OP_ADD: return l->n_inputs > 1 ? l->n_inputs - 1 : 1;
    case PESIM_OP_ACT: return net_act_ops((pesim_act)l->act);
    case PESIM_OP_SOFTMAX: return 5;   /* max, subtract, exponential, sum, scale */
    case PESIM_OP_LAYERNORM: return 7; /* mean, deviation, variance, normalise (2), scale, shift */
    default: return 0;
    }
}

int64_t net_vector_split_ops(const pesim_layer *l, int64_t *first)
{
    *first = l->op == PESIM_OP_SOFTMAX ? 4 : l->op == PESIM_OP_LAYERNORM ? 3 : 0;
    return l->op == PESIM_OP_SOFTMAX || l->op == PESIM_OP_LAYERNORM ? 7 : 0;
}

const char *net_kind_of(const pesim_layer *l, net_kind *k)
{
    switch (l->op) {
    case PESIM_OP_CONV:
    case PESIM_OP_GEMM:
        *k = NET_MAC;
        return l->n_inputs == 1 ? NULL : "a conv or gemm layer reads one input";
    case PESIM_OP_MATMUL:
        *k = NET_MAC;
        return l->n_inputs == 2 ? NULL : "a matmul reads two inputs (A and B)";
    case PESIM_OP_ADD:
        *k = NET_VECTOR;
        return l->n_inputs == 2 ? NULL : "the network simulation costs adds of two inputs";
    case PESIM_OP_CONCAT:
        *k = NET_COPY;
        return l->n_inputs >= 1 ? NULL : "a concat needs inputs";
    case PESIM_OP_POOL:
    case PESIM_OP_ACT:
    case PESIM_OP_SOFTMAX:
    case PESIM_OP_LAYERNORM:
        *k = NET_VECTOR;
        return l->n_inputs == 1 ? NULL : "this layer type reads one input";
    default:
        *k = NET_VECTOR;
        return "unknown layer type";
    }
}

/* Capacity a level offers to tensors, per instance (shared + partitions); 0
 * when unbounded. */
static int64_t tensor_capacity(const pesim_level *v)
{
    int64_t parts = 0;
    int all = 1;
    for (int t = 0; t < NT; t++) {
        parts += v->tensor_capacity_words[t];
        if (v->keeps[t] && v->tensor_capacity_words[t] == 0) all = 0;
    }
    if (v->capacity_words > 0) return v->capacity_words + parts;
    return all ? parts : 0;
}

/* The first level a tensor may live in: the level above the innermost
 * fan-out (that level stages the array's tiles), or that level itself when
 * only the outermost is above it. */
static int first_home(const pesim_arch *a)
{
    const int M = a->n_levels;
    int inner = 0;
    while (inner < M && a->level[inner].fanout_x * a->level[inner].fanout_y <= 1) inner++;
    if (inner >= M) inner = 0;
    return inner + 1 < M - 1 ? inner + 1 : inner;
}

pesim_status pesim_net_create(const pesim_arch *a, const pesim_network *net, const pesim_net_options *opt,
                              pesim_net **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "net", "NULL output");
    *out = NULL;
    if (!a || !net || net->n_layers < 1 || !net->layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "net", "NULL arch or empty network");
    pesim_status st = pesim_arch_check(a, NULL, e);
    if (st) return st;
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        net_kind k;
        const char *why = net_kind_of(l, &k);
        if (why) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name, "%s", why);
        if ((k != NET_MAC || l->act != PESIM_ACT_NONE) && a->vector.lanes < 1 &&
            (k != NET_COPY || l->act != PESIM_ACT_NONE))
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name,
                                   "layer '%s' (%s%s%s) needs a vector unit: arch '%s' declares none (add a `vector` "
                                   "group, docs/config.md)", l->name, pesim_op_name(l->op),
                                   l->act ? ", " : "", l->act ? pesim_act_name((pesim_act)l->act) : "", a->name);
        for (int k2 = 0; k2 < l->n_inputs; k2++)
            if (l->inputs[k2] >= i || l->inputs[k2] < PESIM_NETWORK_INPUT)
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name,
                                       "layers are not in topological order");
    }
    pesim_net *n = calloc(1, sizeof *n);
    if (!n) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "net", "out of memory");
    n->arch = *a;
    n->net = *net;
    if (opt) n->opt = *opt;
    n->M = a->n_levels;
    n->L = net->n_layers;
    n->T = 1 + 2 * n->L;
    const int32_t L = n->L, T = n->T;
    n->net.layers = malloc((size_t)L * sizeof *n->net.layers);
    n->tensor = calloc((size_t)T, sizeof *n->tensor);
    n->reads = malloc((size_t)L * PESIM_MAX_INPUTS * sizeof *n->reads);
    n->pin = malloc((size_t)T * sizeof *n->pin);
    n->image = calloc((size_t)T, sizeof *n->image);
    n->step = calloc((size_t)L, sizeof *n->step);
    n->layer = calloc((size_t)L, sizeof *n->layer);
    n->occ = calloc((size_t)L * (size_t)n->M, sizeof *n->occ);
    n->alias_base = calloc((size_t)T, sizeof *n->alias_base);
    n->times = calloc((size_t)L, sizeof *n->times);
    n->costs = calloc((size_t)L, sizeof *n->costs);
    n->scratch = malloc((size_t)(4 * T + 8) * sizeof *n->scratch);
    n->order = malloc((size_t)(3 * T + 1) * sizeof *n->order);
    n->cap_spills = T;
    n->spills = malloc((size_t)T * sizeof *n->spills);
    n->floor = malloc((size_t)T * sizeof *n->floor);
    if (!n->net.layers || !n->tensor || !n->reads || !n->pin || !n->image || !n->step || !n->layer || !n->occ || !n->alias_base || !n->times || !n->costs ||
        !n->scratch || !n->order || !n->spills || !n->floor) {
        pesim_net_destroy(n);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "net", "out of memory");
    }
    memcpy(n->net.layers, net->layers, (size_t)L * sizeof *n->net.layers);
    st = pesim_placement_init(&n->res.placement, L, n->M - 1, e);
    if (st) {
        pesim_net_destroy(n);
        return st;
    }

    /* the arch: instances, capacity for tensors, the first level a tensor may live in */
    n->inner = first_home(a);
    for (int lv = 0; lv < n->M; lv++) {
        n->inst[lv] = pesim_arch_instances(a, lv);
        n->cap[lv] = lv == n->M - 1 ? 0 : tensor_capacity(&a->level[lv]);
    }
    const pesim_level *top = &a->level[n->M - 1];
    for (int lv = 0; lv < n->M; lv++) n->align[lv] = 1;
    if (top->is_dram) {
        n->dram_wpc = pesim_dram_words_per_cycle(&top->dram, a->word_bits, a->clock_mhz);
        int64_t wb = pesim_arch_word_bytes(a), burst = (int64_t)pesim_dram_burst_bytes(&top->dram);
        n->align[n->M - 1] = burst > wb ? (burst + wb - 1) / wb : 1;
    }

    /* tensors */
    pesim_net_tensor *in = &n->tensor[PESIM_NET_INPUT_TENSOR];
    in->kind = PESIM_NET_INPUT, in->layer = -1;
    in->words = net->input_n * net->input_c * net->input_h * net->input_w;
    for (int32_t i = 0; i < L; i++) {
        const pesim_layer *l = &n->net.layers[i];
        pesim_net_tensor *w = &n->tensor[PESIM_NET_WEIGHTS_TENSOR(i)], *o = &n->tensor[PESIM_NET_OUTPUT_TENSOR(i)];
        w->kind = PESIM_NET_WEIGHTS, w->layer = i, w->words = pesim_layer_weight_words(l);
        o->kind = PESIM_NET_ACTIVATION, o->layer = i, o->words = pesim_layer_output_words(l);
    }
    for (int32_t id = 0; id < T; id++) n->tensor[id].first_use = n->tensor[id].last_use = -1;
    for (int32_t i = 0; i < L; i++) {
        const pesim_layer *l = &n->net.layers[i];
        int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
        for (int k = 0; k < PESIM_MAX_INPUTS; k++) r[k] = -1;
        for (int k = 0; k < l->n_inputs; k++) {
            int32_t id = l->inputs[k] == PESIM_NETWORK_INPUT ? PESIM_NET_INPUT_TENSOR
                                                              : PESIM_NET_OUTPUT_TENSOR(l->inputs[k]);
            r[k] = id;
            pesim_net_tensor *t = &n->tensor[id];
            int seen = 0;
            for (int j = 0; j < k; j++) seen |= r[j] == id;
            if (seen) continue; /* a layer reading a tensor twice is one consumer */
            t->n_consumers++;
            if (t->first_use < 0) t->first_use = i;
            t->last_use = i;
        }
        pesim_net_tensor *w = &n->tensor[PESIM_NET_WEIGHTS_TENSOR(i)];
        if (w->words > 0) w->n_consumers = 1, w->first_use = w->last_use = i;
    }
    /* the lowest home of each tensor: a vector layer stages its operands'
     * tiles from their homes into the vector unit's level, so what it reads
     * or writes lives at or above that level */
    for (int32_t id = 0; id < T; id++) n->floor[id] = (int8_t)n->inner;
    for (int32_t i = 0; i < L && a->vector.lanes > 0; i++) {
        net_kind k;
        (void)net_kind_of(&n->net.layers[i], &k);
        if (k != NET_VECTOR) continue;
        const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
        int32_t touched[PESIM_MAX_INPUTS + 2];
        int nt = 0;
        touched[nt++] = PESIM_NET_WEIGHTS_TENSOR(i), touched[nt++] = PESIM_NET_OUTPUT_TENSOR(i);
        for (int j = 0; j < PESIM_MAX_INPUTS; j++)
            if (r[j] >= 0) touched[nt++] = r[j];
        for (int j = 0; j < nt; j++)
            if (n->floor[touched[j]] < a->vector.level) n->floor[touched[j]] = (int8_t)a->vector.level;
    }
    *out = n;
    return PESIM_OK;
}

void pesim_net_destroy(pesim_net *n)
{
    if (!n) return;
    free(n->net.layers);
    free(n->tensor);
    free(n->reads);
    free(n->pin);
    free(n->image);
    free(n->step);
    free(n->layer);
    free(n->occ);
    free(n->alias_base);
    free(n->times);
    free(n->costs);
    free(n->scratch);
    free(n->order);
    free(n->spills);
    free(n->floor);
    free(n->memo);
    free(n->given);
    free(n->has_given);
    pesim_placement_free(&n->res.placement);
    free(n);
}

const pesim_arch *pesim_net_arch(const pesim_net *n) { return &n->arch; }
const pesim_network *pesim_net_network(const pesim_net *n) { return &n->net; }
int32_t pesim_net_n_tensors(const pesim_net *n) { return n->T; }

void pesim_net_set_progress(pesim_net *n, void (*layer)(void *ctx, int32_t layer, int32_t n_layers),
                            pesim_engine_progress_fn step, void *ctx)
{
    n->opt.layer_progress = layer;
    n->opt.layer_progress_ctx = ctx;
    n->opt.engine.progress = step;
    n->opt.engine.progress_ctx = ctx;
}

const pesim_net_tensor *pesim_net_tensor_info(const pesim_net *n, int32_t id)
{
    return id >= 0 && id < n->T ? &n->tensor[id] : NULL;
}

/* 1 if level lv of a may be the home of a tensor of this kind (inner: the
 * first home, first_home(a)). */
static int arch_can_hold(const pesim_arch *a, int inner, pesim_net_tensor_kind kind, int lv)
{
    if (lv < inner || lv >= a->n_levels) return 0;
    const pesim_level *v = &a->level[lv];
    if (kind == PESIM_NET_WEIGHTS) return v->keeps[PESIM_WEIGHTS];
    return v->keeps[PESIM_INPUTS] && v->keeps[PESIM_OUTPUTS];
}

static int can_hold(const pesim_net *n, pesim_net_tensor_kind kind, int lv)
{
    return arch_can_hold(&n->arch, n->inner, kind, lv);
}

int pesim_net_arch_home_levels(const pesim_arch *a, pesim_net_tensor_kind kind, int32_t levels[PESIM_MAX_LEVELS])
{
    int k = 0, inner = first_home(a);
    for (int lv = a->n_levels - 1; lv >= 0; lv--)
        if (arch_can_hold(a, inner, kind, lv)) levels[k++] = lv;
    return k;
}

int pesim_net_home_levels(const pesim_net *n, pesim_net_tensor_kind kind, int32_t levels[PESIM_MAX_LEVELS])
{
    return pesim_net_arch_home_levels(&n->arch, kind, levels);
}

int net_can_hold(const pesim_net *n, int32_t id, int lv)
{
    return lv >= n->floor[id] && can_hold(n, (pesim_net_tensor_kind)n->tensor[id].kind, lv);
}

int pesim_net_tensor_homes(const pesim_net *n, int32_t id, int32_t levels[PESIM_MAX_LEVELS])
{
    int k = 0;
    for (int lv = n->M - 1; lv >= 0 && id >= 0 && id < n->T; lv--)
        if (net_can_hold(n, id, lv)) levels[k++] = lv;
    return k;
}

int32_t net_next_level(const pesim_net *n, int32_t id, int32_t level)
{
    for (int lv = level + 1; lv < n->M; lv++)
        if (net_can_hold(n, id, lv)) return lv;
    return -1;
}

int32_t pesim_net_features(const pesim_net *n, pesim_net_node *nodes, int32_t *edges)
{
    int32_t ne = 0;
    for (int32_t i = 0; i < n->L; i++) {
        const pesim_layer *l = &n->net.layers[i];
        const pesim_net_tensor *o = &n->tensor[PESIM_NET_OUTPUT_TENSOR(i)];
        pesim_net_node *x = &nodes[i];
        memset(x, 0, sizeof *x);
        x->op = l->op;
        x->act = l->act;
        x->position = i;
        x->n_inputs = l->n_inputs;
        x->n_consumers = o->n_consumers;
        x->birth = i;
        x->death = o->last_use >= 0 ? o->last_use : n->L - 1;
        x->macs = pesim_layer_macs(l);
        x->vector_ops = (net_vector_ops_per_word(l) + net_act_ops((pesim_act)(l->op == PESIM_OP_ACT ? 0 : l->act))) *
                        o->words;
        x->weight_words = n->tensor[PESIM_NET_WEIGHTS_TENSOR(i)].words;
        x->output_words = o->words;
        const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
        for (int k = 0; k < l->n_inputs; k++) {
            x->input_words += n->tensor[r[k]].words;
            if (edges) {
                edges[2 * ne] = l->inputs[k] == PESIM_NETWORK_INPUT ? -1 : l->inputs[k];
                edges[2 * ne + 1] = i;
            }
            ne++;
        }
    }
    return ne;
}
