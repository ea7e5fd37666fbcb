/* workload.c - layer and network helpers (pure functions over the structs). */
#include "pesim/workload.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const dim_names[PESIM_NDIMS] = {"G", "N", "K", "C", "P", "Q", "R", "S"};
static const char *const tensor_names[PESIM_NTENSORS] = {"weights", "inputs", "outputs"};
static const char *const op_names[PESIM_OP_COUNT] = {"conv", "gemm", "matmul", "pool", "add",
                                                     "concat", "act", "softmax", "layernorm"};
static const char *const act_names[PESIM_ACT_COUNT] = {"none", "relu", "relu6", "gelu", "sigmoid", "tanh", "silu"};

/* relevant[t] has bit (1 << d) set when dim d indexes tensor t. */
static const unsigned relevant_mask[PESIM_NTENSORS] = {
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_K) | (1u << PESIM_DIM_C) | (1u << PESIM_DIM_R) | (1u << PESIM_DIM_S),
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_N) | (1u << PESIM_DIM_C) | (1u << PESIM_DIM_P) | (1u << PESIM_DIM_Q) |
        (1u << PESIM_DIM_R) | (1u << PESIM_DIM_S),
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_N) | (1u << PESIM_DIM_K) | (1u << PESIM_DIM_P) | (1u << PESIM_DIM_Q),
};

const char *pesim_dim_name(pesim_dim d)
{
    return (unsigned)d < PESIM_NDIMS ? dim_names[d] : "?";
}

const char *pesim_tensor_name(pesim_tensor t)
{
    return (unsigned)t < PESIM_NTENSORS ? tensor_names[t] : "?";
}

const char *pesim_op_name(pesim_op op)
{
    return (unsigned)op < PESIM_OP_COUNT ? op_names[op] : "?";
}

int pesim_dim_parse(const char *s)
{
    if (!s) return -1;
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (strcasecmp(s, dim_names[d]) == 0) return d;
    return -1;
}

int pesim_tensor_parse(const char *s)
{
    if (!s) return -1;
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (strcmp(s, tensor_names[t]) == 0) return t;
    return -1;
}

int pesim_op_parse(const char *s)
{
    if (!s) return -1;
    for (int o = 0; o < PESIM_OP_COUNT; o++)
        if (strcmp(s, op_names[o]) == 0) return o;
    return -1;
}

const char *pesim_act_name(pesim_act a)
{
    return (unsigned)a < PESIM_ACT_COUNT ? act_names[a] : "?";
}

int pesim_act_parse(const char *s)
{
    if (!s) return -1;
    for (int a = 0; a < PESIM_ACT_COUNT; a++)
        if (strcmp(s, act_names[a]) == 0) return a;
    return -1;
}

int pesim_dim_relevant(pesim_tensor t, pesim_dim d)
{
    if ((unsigned)t >= PESIM_NTENSORS || (unsigned)d >= PESIM_NDIMS) return 0;
    return (relevant_mask[t] >> d) & 1u;
}

int pesim_layer_has_macs(const pesim_layer *l)
{
    return l->op == PESIM_OP_CONV || l->op == PESIM_OP_GEMM || l->op == PESIM_OP_MATMUL;
}

int pesim_layer_has_weights(const pesim_layer *l)
{
    return l->op == PESIM_OP_CONV || l->op == PESIM_OP_GEMM || l->op == PESIM_OP_LAYERNORM;
}

int64_t pesim_layer_weight_words(const pesim_layer *l)
{
    if (l->op == PESIM_OP_LAYERNORM) return 2 * l->dim[PESIM_DIM_G] * l->dim[PESIM_DIM_K];
    if (l->op == PESIM_OP_CONV || l->op == PESIM_OP_GEMM) return pesim_layer_tensor_words(l, PESIM_WEIGHTS);
    return 0;
}

int64_t pesim_layer_macs(const pesim_layer *l)
{
    if (!pesim_layer_has_macs(l)) return 0;
    int64_t m = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) m *= l->dim[d];
    return m;
}

int64_t pesim_window_distinct(int64_t A, int64_t B, int64_t stride, int64_t dilation)
{
    if (A <= 0 || B <= 0) return 0;
    /* Values a*st + b*dil. With g = gcd(st, dil), st' = st/g, dil' = dil/g, two
     * pairs collide iff they differ by k*(dil', -st'). Each value's pairs form a
     * chain; count the chain heads: every (a, b) with a successor (a + dil',
     * b - st') in range is not a head. */
    if (dilation == 1) /* the common case: gcd 1, chains step (+1, -stride) */
        return A * B - (A > 1 ? A - 1 : 0) * (B > stride ? B - stride : 0);
    int64_t x = stride, y = dilation;
    while (y) {
        int64_t t = x % y;
        x = y;
        y = t;
    }
    int64_t sp = stride / x, dp = dilation / x;
    int64_t ea = A - dp > 0 ? A - dp : 0;
    int64_t eb = B - sp > 0 ? B - sp : 0;
    return A * B - ea * eb;
}

int64_t pesim_layer_tensor_words(const pesim_layer *l, pesim_tensor t)
{
    const int64_t *d = l->dim;
    switch (t) {
    case PESIM_WEIGHTS:
        return d[PESIM_DIM_G] * d[PESIM_DIM_K] * d[PESIM_DIM_C] * d[PESIM_DIM_R] * d[PESIM_DIM_S];
    case PESIM_INPUTS:
        return d[PESIM_DIM_G] * d[PESIM_DIM_N] * d[PESIM_DIM_C] *
               pesim_window_distinct(d[PESIM_DIM_P], d[PESIM_DIM_R], l->stride_h, l->dilation_h) *
               pesim_window_distinct(d[PESIM_DIM_Q], d[PESIM_DIM_S], l->stride_w, l->dilation_w);
    case PESIM_OUTPUTS:
        return pesim_layer_output_words(l);
    default:
        return 0;
    }
}

int64_t pesim_layer_output_words(const pesim_layer *l)
{
    const int64_t *d = l->dim;
    return d[PESIM_DIM_G] * d[PESIM_DIM_N] * d[PESIM_DIM_K] * d[PESIM_DIM_P] * d[PESIM_DIM_Q];
}

pesim_status pesim_layer_check(const pesim_layer *l, pesim_error *e)
{
    if ((unsigned)l->op >= PESIM_OP_COUNT)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "unknown layer type %d", (int)l->op);
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (l->dim[d] < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name,
                                   "dim %s must be >= 1, got %lld", dim_names[d], (long long)l->dim[d]);
    if (l->stride_h < 1 || l->stride_w < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "stride must be >= 1");
    if (l->dilation_h < 1 || l->dilation_w < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "dilation must be >= 1");
    if (l->pad_h < 0 || l->pad_w < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "pad must be >= 0");
    if ((unsigned)l->act >= PESIM_ACT_COUNT)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "unknown activation %d", (int)l->act);
    if (l->op == PESIM_OP_ACT && l->act == PESIM_ACT_NONE)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name, "an act layer needs a function");
    if (l->n_inputs < 0 || l->n_inputs > PESIM_MAX_INPUTS)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name, "between 0 and %d inputs allowed",
                               PESIM_MAX_INPUTS);
    return PESIM_OK;
}

int64_t pesim_network_macs(const pesim_network *net)
{
    int64_t m = 0;
    for (int32_t i = 0; i < net->n_layers; i++) m += pesim_layer_macs(&net->layers[i]);
    return m;
}

int32_t pesim_network_find(const pesim_network *net, const char *name)
{
    for (int32_t i = 0; i < net->n_layers; i++)
        if (strcmp(net->layers[i].name, name) == 0) return i;
    return -1;
}

void pesim_network_free(pesim_network *net)
{
    if (!net) return;
    free(net->layers);
    memset(net, 0, sizeof *net);
}

int pesim_layer_within_bounds(const pesim_layer *l)
{
    const int64_t *d = l->dim;
    int64_t prod = 1, h, w, t;
    for (int i = 0; i < PESIM_NDIMS; i++)
        if (d[i] < 1 || !pesim_mul_ok(prod, d[i], &prod) || prod > PESIM_LAYER_ITERS_MAX) return 0;
    if (l->stride_h < 1 || l->stride_w < 1 || l->dilation_h < 1 || l->dilation_w < 1) return 0;
    /* padded input extents: (P-1)*stride + (R-1)*dilation + 1, and Q, S likewise */
    if (!pesim_mul_ok(d[PESIM_DIM_P] - 1, l->stride_h, &h) || !pesim_mul_ok(d[PESIM_DIM_R] - 1, l->dilation_h, &t) ||
        h > INT64_MAX - t - 1)
        return 0;
    h += t + 1;
    if (!pesim_mul_ok(d[PESIM_DIM_Q] - 1, l->stride_w, &w) || !pesim_mul_ok(d[PESIM_DIM_S] - 1, l->dilation_w, &t) ||
        w > INT64_MAX - t - 1)
        return 0;
    w += t + 1;
    prod = 1;
    return pesim_mul_ok(prod, d[PESIM_DIM_G], &prod) && pesim_mul_ok(prod, d[PESIM_DIM_N], &prod) &&
           pesim_mul_ok(prod, d[PESIM_DIM_C], &prod) && pesim_mul_ok(prod, h, &prod) && pesim_mul_ok(prod, w, &prod) &&
           prod <= PESIM_LAYER_ITERS_MAX;
}
