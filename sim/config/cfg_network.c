/* cfg_network.c - workloads (docs/config.md, "Workloads"): load and write.
 *
 * A layer's keys depend on its type. Each type has a spec: which keys set which
 * loop bound, whether it has a window (stride, pad) and dilation, and whether
 * k and c are totals over groups (conv). The loader reads and the writer
 * writes through the same spec, so a written network loads back unchanged. */
#include <stdlib.h>
#include <string.h>

#include "config/cfg_util.h"
#include "pesim/config.h"

/* One key that sets a loop bound. */
typedef struct dim_key {
    const char *key;
    pesim_dim dim;
    int required;
} dim_key;

typedef struct op_spec {
    const dim_key *dims;
    int n_dims;
    int grouped;       /* k and c are totals over G, which `groups` sets */
    int has_window;    /* stride and pad */
    int has_dilation;
    const char *what;  /* "a conv layer", for messages */
    const char *act_key; /* the key of pesim_layer.act: "activation" (fused), "function" (act), NULL */
} op_spec;

static const dim_key conv_dims[] = {
    {"n", PESIM_DIM_N, 0}, {"k", PESIM_DIM_K, 0}, {"c", PESIM_DIM_C, 0}, {"p", PESIM_DIM_P, 0},
    {"q", PESIM_DIM_Q, 0}, {"r", PESIM_DIM_R, 0}, {"s", PESIM_DIM_S, 0}, {"groups", PESIM_DIM_G, 0},
};
static const dim_key pool_dims[] = {
    {"n", PESIM_DIM_N, 0}, {"k", PESIM_DIM_K, 0}, {"p", PESIM_DIM_P, 0},
    {"q", PESIM_DIM_Q, 0}, {"r", PESIM_DIM_R, 0}, {"s", PESIM_DIM_S, 0},
};
static const dim_key eltwise_dims[] = {
    {"n", PESIM_DIM_N, 0}, {"k", PESIM_DIM_K, 0}, {"p", PESIM_DIM_P, 0}, {"q", PESIM_DIM_Q, 0},
};
/* act, softmax, layernorm: the output shape, batch = G (attention heads) */
static const dim_key vector_dims[] = {
    {"batch", PESIM_DIM_G, 0}, {"n", PESIM_DIM_N, 0}, {"k", PESIM_DIM_K, 0},
    {"p", PESIM_DIM_P, 0},     {"q", PESIM_DIM_Q, 0},
};
/* O[m][n_out] = A[m][k_red] x B[k_red][n_out]: P = m, K = n_out, C = k_red. */
static const dim_key gemm_dims[] = {
    {"n", PESIM_DIM_N, 0}, {"m", PESIM_DIM_P, 1}, {"n_out", PESIM_DIM_K, 1}, {"k_red", PESIM_DIM_C, 1},
};
static const dim_key matmul_dims[] = {
    {"batch", PESIM_DIM_G, 0}, {"n", PESIM_DIM_N, 0}, {"m", PESIM_DIM_P, 1},
    {"n_out", PESIM_DIM_K, 1}, {"k_red", PESIM_DIM_C, 1},
};
#define SPEC(dims, grouped, window, dilation, what, act)                                                         \
    {dims, (int)(sizeof dims / sizeof dims[0]), grouped, window, dilation, what, act}
static const op_spec specs[PESIM_OP_COUNT] = {
    [PESIM_OP_CONV] = SPEC(conv_dims, 1, 1, 1, "a conv layer", "activation"),
    [PESIM_OP_GEMM] = SPEC(gemm_dims, 0, 0, 0, "a gemm layer", "activation"),
    [PESIM_OP_MATMUL] = SPEC(matmul_dims, 0, 0, 0, "a matmul layer", "activation"),
    [PESIM_OP_POOL] = SPEC(pool_dims, 0, 1, 0, "a pool layer", "activation"),
    [PESIM_OP_ADD] = SPEC(eltwise_dims, 0, 0, 0, "an add layer", "activation"),
    [PESIM_OP_CONCAT] = SPEC(eltwise_dims, 0, 0, 0, "a concat layer", NULL),
    [PESIM_OP_ACT] = SPEC(vector_dims, 0, 0, 0, "an act layer", "function"),
    [PESIM_OP_SOFTMAX] = SPEC(vector_dims, 0, 0, 0, "a softmax layer", NULL),
    [PESIM_OP_LAYERNORM] = SPEC(vector_dims, 0, 0, 0, "a layernorm layer", NULL),
};
#undef SPEC

/* Every key any layer type accepts: a key outside this is a typo. */
static const char *const layer_keys[] = {"name", "type", "inputs", "n", "k", "c", "p", "q", "r", "s",
                                         "groups", "stride", "dilation", "pad", "m", "n_out", "k_red",
                                         "batch", "activation", "function", NULL};
static const char *const network_keys[] = {"name", "source", "input", "layers", NULL};
static const char *const input_keys[] = {"n", "c", "h", "w", NULL};
/* Bounds (docs/config.md, "Bounds"; pesim/workload.h) */
#define MAX_LAYER_ITERS PESIM_LAYER_ITERS_MAX
#define MAX_NETWORK_MACS PESIM_NETWORK_MACS_MAX

static const cfg_field input_fields[] = {
    {"n", CFG_I64, offsetof(pesim_network, input_n), 1, MAX_LAYER_ITERS, 0},
    {"c", CFG_I64, offsetof(pesim_network, input_c), 1, MAX_LAYER_ITERS, CFG_REQUIRED},
    {"h", CFG_I64, offsetof(pesim_network, input_h), 1, MAX_LAYER_ITERS, CFG_REQUIRED},
    {"w", CFG_I64, offsetof(pesim_network, input_w), 1, MAX_LAYER_ITERS, CFG_REQUIRED},
};

/* 1 when the network input's words (n c h w) are within MAX_LAYER_ITERS. */
static int input_fits(const pesim_network *net)
{
    int64_t p = 1;
    return pesim_mul_ok(p, net->input_n, &p) && pesim_mul_ok(p, net->input_c, &p) &&
           pesim_mul_ok(p, net->input_h, &p) && pesim_mul_ok(p, net->input_w, &p) && p <= MAX_LAYER_ITERS;
}
#define N_INPUT_FIELDS ((int)(sizeof input_fields / sizeof input_fields[0]))

/* The name the config format uses for the network input in `inputs`. */
#define INPUT_NAME "input"

/* The keys a layer of this type accepts (NULL-terminated into keys[]). */
static void spec_keys(const op_spec *sp, const char *keys[24])
{
    int n = 0;
    keys[n++] = "name";
    keys[n++] = "type";
    keys[n++] = "inputs";
    for (int i = 0; i < sp->n_dims; i++) keys[n++] = sp->dims[i].key;
    if (sp->has_window) {
        keys[n++] = "stride";
        keys[n++] = "pad";
    }
    if (sp->has_dilation) keys[n++] = "dilation";
    if (sp->act_key) keys[n++] = sp->act_key;
    keys[n] = NULL;
}

/* Reads `key = [ h, w ]` when present (each in [min, INT32_MAX]). */
static pesim_status read_pair(const cfg_ctx *c, const config_setting_t *g, const char *key, int64_t min,
                              int32_t *h, int32_t *w)
{
    const config_setting_t *s;
    pesim_status st = pesim_cfg_member(c, g, key, 0, &s);
    if (st || !s) return st;
    if ((st = pesim_cfg_array(c, s, 2, 2))) return st;
    int64_t v[2];
    for (unsigned i = 0; i < 2; i++)
        if ((st = pesim_cfg_int(c, config_setting_get_elem(s, i), min, INT32_MAX, &v[i]))) return st;
    *h = (int32_t)v[0];
    *w = (int32_t)v[1];
    return PESIM_OK;
}

/* Parses layer `index` (the entries before it are already in net, and
 * net->n_layers == index). `inputs` is checked for shape here and resolved
 * to indices by resolve_inputs() once every name is known. */
static pesim_status read_layer(const cfg_ctx *c, const config_setting_t *s, pesim_network *net, int32_t index,
                               const cfg_names *ix)
{
    pesim_layer *l = &net->layers[index];
    const config_setting_t *m;
    pesim_status st;
    /* typos first: a misspelt `name` or `type` should not read as "missing" */
    if ((st = pesim_cfg_check_keys(c, s, layer_keys, NULL))) return st;
    l->line = (int32_t)config_setting_source_line(s);

    if ((st = pesim_cfg_member(c, s, "name", 1, &m)) || (st = pesim_cfg_string(c, m, l->name, sizeof l->name, 1)))
        return st;
    if (strcmp(l->name, INPUT_NAME) == 0)
        return pesim_cfg_fail(c, m, PESIM_ERR_INVALID, "'%s' names the network input; choose another layer name",
                              INPUT_NAME);
    int32_t prev = pesim_cfg_names_find(ix, l->name);
    if (prev >= 0)
        return pesim_cfg_fail(c, m, PESIM_ERR_INVALID, "duplicate layer name '%s' (first at line %d)", l->name,
                              (int)net->layers[prev].line);

    const char *op_names[PESIM_OP_COUNT];
    for (int i = 0; i < PESIM_OP_COUNT; i++) op_names[i] = pesim_op_name((pesim_op)i);
    int op;
    if ((st = pesim_cfg_member(c, s, "type", 1, &m)) ||
        (st = pesim_cfg_enum(c, m, pesim_op_parse, op_names, PESIM_OP_COUNT, "layer type", &op)))
        return st;
    l->op = (pesim_op)op;
    const op_spec *sp = &specs[op];
    const char *keys[24];
    spec_keys(sp, keys);
    if ((st = pesim_cfg_check_keys(c, s, keys, sp->what))) return st;

    if ((st = pesim_cfg_member(c, s, "inputs", 1, &m)) || (st = pesim_cfg_array(c, m, 1, PESIM_MAX_INPUTS)))
        return st;
    for (int i = 0; i < config_setting_length(m); i++) {
        const config_setting_t *el = config_setting_get_elem(m, (unsigned)i);
        if (config_setting_type(el) != CONFIG_TYPE_STRING)
            return pesim_cfg_fail(c, el, PESIM_ERR_TYPE, "expected a layer name (a string)");
    }
    l->n_inputs = config_setting_length(m);

    for (int d = 0; d < PESIM_NDIMS; d++) l->dim[d] = 1;
    l->stride_h = l->stride_w = l->dilation_h = l->dilation_w = 1;
    l->pad_h = l->pad_w = 0;
    for (int i = 0; i < sp->n_dims; i++) {
        const dim_key *dk = &sp->dims[i];
        if ((st = pesim_cfg_member(c, s, dk->key, dk->required, &m))) return st;
        if (m && (st = pesim_cfg_int(c, m, 1, INT64_MAX, &l->dim[dk->dim]))) return st;
    }
    if (sp->has_window && ((st = read_pair(c, s, "stride", 1, &l->stride_h, &l->stride_w)) ||
                           (st = read_pair(c, s, "pad", 0, &l->pad_h, &l->pad_w))))
        return st;
    if (sp->has_dilation && (st = read_pair(c, s, "dilation", 1, &l->dilation_h, &l->dilation_w))) return st;
    l->act = PESIM_ACT_NONE;
    if (sp->act_key) {
        int fn_required = l->op == PESIM_OP_ACT;
        if ((st = pesim_cfg_member(c, s, sp->act_key, fn_required, &m))) return st;
        if (m) {
            const char *act_names[PESIM_ACT_COUNT];
            for (int i = 0; i < PESIM_ACT_COUNT; i++) act_names[i] = pesim_act_name((pesim_act)i);
            int a;
            if ((st = pesim_cfg_enum(c, m, pesim_act_parse, act_names, PESIM_ACT_COUNT, "activation", &a))) return st;
            if (fn_required && a == PESIM_ACT_NONE)
                return pesim_cfg_fail(c, m, PESIM_ERR_RANGE, "an act layer needs a function other than \"none\"");
            l->act = a;
        }
    }
    if (sp->grouped) {
        int64_t g = l->dim[PESIM_DIM_G], k = l->dim[PESIM_DIM_K], ch = l->dim[PESIM_DIM_C];
        if (k % g || ch % g) {
            m = config_setting_get_member(s, "groups");
            return pesim_cfg_fail(c, m ? m : s, PESIM_ERR_INVALID, "groups = %lld must divide k = %lld and c = %lld",
                                  (long long)g, (long long)k, (long long)ch);
        }
        l->dim[PESIM_DIM_K] = k / g;
        l->dim[PESIM_DIM_C] = ch / g;
    }
    if (!pesim_layer_within_bounds(l))
        return pesim_cfg_fail(c, s, PESIM_ERR_RANGE,
                              "layer '%s' is too large: its MACs (the product of its bounds) or its input words "
                              "exceed 2^48 = %lld", l->name, (long long)MAX_LAYER_ITERS);

    /* the core's own invariants, reported at this layer */
    pesim_error le;
    pesim_error_clear(&le);
    if ((st = pesim_layer_check(l, &le)) != PESIM_OK)
        return pesim_cfg_fail(c, s, st, "%s", le.msg);
    return PESIM_OK;
}

/* Second pass: `inputs` names to indices; producers must come first. */
static pesim_status resolve_inputs(const cfg_ctx *c, const config_setting_t *list, pesim_network *net,
                                   const cfg_names *ix)
{
    for (int32_t i = 0; i < net->n_layers; i++) {
        const config_setting_t *m = config_setting_get_member(config_setting_get_elem(list, (unsigned)i), "inputs");
        pesim_layer *l = &net->layers[i];
        for (int j = 0; j < l->n_inputs; j++) {
            const config_setting_t *el = config_setting_get_elem(m, (unsigned)j);
            const char *name = config_setting_get_string(el);
            if (strcmp(name, INPUT_NAME) == 0) {
                l->inputs[j] = PESIM_NETWORK_INPUT;
                continue;
            }
            int32_t k = pesim_cfg_names_find(ix, name);
            if (k == i) return pesim_cfg_fail(c, el, PESIM_ERR_INVALID, "layer '%s' cannot be its own input", name);
            if (k > i)
                return pesim_cfg_fail(c, el, PESIM_ERR_INVALID,
                                      "'%s' is defined later (line %d): list layers in topological order, "
                                      "producers first", name, (int)net->layers[k].line);
            if (k < 0) {
                const char **names = malloc(((size_t)i + 1) * sizeof *names);
                const char *sug = NULL;
                if (names) {
                    names[0] = INPUT_NAME;
                    for (int32_t x = 0; x < i; x++) names[x + 1] = net->layers[x].name;
                    sug = pesim_cfg_suggest(name, names, i + 1);
                }
                pesim_status st = pesim_cfg_fail(c, el, PESIM_ERR_INVALID,
                                                 "no layer named '%.63s' before this one%s%.63s%s", name,
                                                 sug ? "; did you mean '" : " (use \"" INPUT_NAME
                                                                            "\" for the network input)",
                                                 sug ? sug : "", sug ? "'?" : "");
                free(names);
                return st;
            }
            l->inputs[j] = k;
        }
    }
    return PESIM_OK;
}

static pesim_status load(cfg_ctx *c, pesim_network *out)
{
    const config_setting_t *g, *m, *list;
    pesim_network net;
    memset(&net, 0, sizeof net);
    pesim_status st;
    if ((st = pesim_cfg_top(c, "network", &g)) || (st = pesim_cfg_check_keys(c, g, network_keys, NULL))) return st;
    if ((st = pesim_cfg_member(c, g, "name", 1, &m)) || (st = pesim_cfg_string(c, m, net.name, sizeof net.name, 1)))
        return st;
    if ((st = pesim_cfg_member(c, g, "source", 0, &m)) ||
        (m && (st = pesim_cfg_string(c, m, net.source, sizeof net.source, 0))))
        return st;
    net.input_n = 1;
    if ((st = pesim_cfg_member(c, g, "input", 1, &m)) || (st = pesim_cfg_check_keys(c, m, input_keys, NULL)) ||
        (st = pesim_cfg_read_fields(c, m, input_fields, N_INPUT_FIELDS, &net, 0)))
        return st;
    if (!input_fits(&net))
        return pesim_cfg_fail(c, m, PESIM_ERR_RANGE, "the input's n * c * h * w words exceed 2^48 = %lld",
                              (long long)MAX_LAYER_ITERS);
    if ((st = pesim_cfg_member(c, g, "layers", 1, &list)) || (st = pesim_cfg_array(c, list, 1, INT32_MAX)))
        return st;
    int32_t n = config_setting_length(list);
    int64_t total = 0;
    cfg_names ix;
    net.layers = calloc((size_t)n, sizeof *net.layers);
    if (!net.layers || !pesim_cfg_names_init(&ix, (size_t)n)) {
        free(net.layers);
        return pesim_cfg_fail(c, list, PESIM_ERR_NOMEM, "out of memory for %d layers", (int)n);
    }
    for (int32_t i = 0; i < n; i++) {
        net.n_layers = i; /* read_layer looks for duplicates among the first i (in ix) */
        if ((st = read_layer(c, config_setting_get_elem(list, (unsigned)i), &net, i, &ix))) goto fail;
        pesim_cfg_names_add(&ix, net.layers[i].name, i);
        int64_t macs = pesim_layer_macs(&net.layers[i]); /* <= 2^48 (layer_fits) */
        if ((total += macs) > MAX_NETWORK_MACS) {
            st = pesim_cfg_fail(c, config_setting_get_elem(list, (unsigned)i), PESIM_ERR_RANGE,
                                "the network's MACs pass 2^50 = %lld at this layer", (long long)MAX_NETWORK_MACS);
            goto fail;
        }
    }
    net.n_layers = n;
    if ((st = resolve_inputs(c, list, &net, &ix))) goto fail;
    pesim_cfg_names_free(&ix);
    *out = net;
    return PESIM_OK;
fail:
    pesim_cfg_names_free(&ix);
    net.n_layers = n;
    pesim_network_free(&net);
    return st;
}

pesim_status pesim_network_load(const char *path, pesim_network *out, pesim_error *e)
{
    if (!out || !path)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_network_load: NULL argument");
    memset(out, 0, sizeof *out);
    cfg_ctx c;
    pesim_status st = pesim_cfg_open(&c, path, NULL, NULL, e);
    if (!st) st = load(&c, out);
    pesim_cfg_close(&c);
    return st;
}

pesim_status pesim_network_load_string(const char *text, const char *name, pesim_network *out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "pesim_network_load_string: NULL out");
    memset(out, 0, sizeof *out);
    cfg_ctx c;
    pesim_status st = pesim_cfg_open(&c, NULL, text, name, e);
    if (!st) st = load(&c, out);
    pesim_cfg_close(&c);
    return st;
}

/* ------------------------------------------------------------ writing */

/* Fails unless layer i can be written so that it loads back unchanged. */
static pesim_status check_writable(const pesim_network *net, int32_t i, const cfg_names *ix, const char *path,
                                   pesim_error *e)
{
    const pesim_layer *l = &net->layers[i];
    char key[PESIM_KEY_MAX];
    snprintf(key, sizeof key, "layers.[%d]", (int)i);
    if (!pesim_cfg_str_ok(l->name, sizeof l->name) || !l->name[0] || strcmp(l->name, INPUT_NAME) == 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "layer name is empty, unterminated or \"%s\"",
                               INPUT_NAME);
    snprintf(key, sizeof key, "layers.[%s]", l->name);
    if (pesim_cfg_names_find(ix, l->name) >= 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "duplicate layer name");
    pesim_error le;
    pesim_error_clear(&le);
    pesim_status st = pesim_layer_check(l, &le);
    if (st) return pesim_error_set(e, st, path, 0, key, "%s", le.msg);
    if (l->n_inputs < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "a layer needs at least one input");
    for (int j = 0; j < l->n_inputs; j++)
        if (l->inputs[j] != PESIM_NETWORK_INPUT && (l->inputs[j] < 0 || l->inputs[j] >= i))
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key,
                                   "input %d is layer %d: not an earlier layer", j, (int)l->inputs[j]);
    if (!pesim_layer_within_bounds(l)) return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, key, "layer larger than 2^48 iterations");
    /* what the type's keys cannot express must be at its default */
    const op_spec *sp = &specs[l->op];
    uint32_t set = 0;
    for (int k = 0; k < sp->n_dims; k++) set |= 1u << sp->dims[k].dim;
    if (sp->grouped) set |= 1u << PESIM_DIM_G;
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (!(set & (1u << d)) && l->dim[d] != 1)
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key,
                                   "dim %s = %lld cannot be expressed by %s (it must be 1)",
                                   pesim_dim_name((pesim_dim)d), (long long)l->dim[d], sp->what);
    if (!sp->has_window && (l->stride_h != 1 || l->stride_w != 1 || l->pad_h != 0 || l->pad_w != 0))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "%s has no stride or pad", sp->what);
    if (!sp->has_dilation && (l->dilation_h != 1 || l->dilation_w != 1))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "%s has no dilation", sp->what);
    if (!sp->act_key && l->act != PESIM_ACT_NONE)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, key, "%s has no activation", sp->what);
    return PESIM_OK;
}

static pesim_status format_network(cfg_buf *b, const pesim_network *net, const char *path, pesim_error *e)
{
    if (!pesim_cfg_str_ok(net->name, sizeof net->name) || !net->name[0] ||
        !pesim_cfg_str_ok(net->source, sizeof net->source))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "name", "network name empty or unterminated");
    if (pesim_cfg_fields_bad(input_fields, N_INPUT_FIELDS, net) >= 0 || !input_fits(net))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "input", "input dims must be >= 1, at most 2^48 words");
    if (net->n_layers < 1 || !net->layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "layers", "a network needs at least one layer");
    cfg_names ix;
    if (!pesim_cfg_names_init(&ix, (size_t)net->n_layers))
        return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    int64_t total = 0;
    for (int32_t i = 0; i < net->n_layers; i++) {
        pesim_status st = check_writable(net, i, &ix, path, e);
        if (!st && (total += pesim_layer_macs(&net->layers[i])) > MAX_NETWORK_MACS)
            st = pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "layers", "the network's MACs exceed 2^50");
        if (st) {
            pesim_cfg_names_free(&ix);
            return st;
        }
        pesim_cfg_names_add(&ix, net->layers[i].name, i);
    }
    pesim_cfg_names_free(&ix);

    pesim_cfg_printf(b, "# written by pesim (format: docs/config.md)\nnetwork = {\n  name = ");
    pesim_cfg_put_string(b, net->name);
    pesim_cfg_printf(b, ";\n  source = ");
    pesim_cfg_put_string(b, net->source);
    pesim_cfg_printf(b, ";\n  input = { ");
    pesim_cfg_put_fields(b, input_fields, N_INPUT_FIELDS, net, 4);
    pesim_cfg_printf(b, " };\n  layers = (\n");
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const op_spec *sp = &specs[l->op];
        pesim_cfg_printf(b, "    { name = ");
        pesim_cfg_put_string(b, l->name);
        pesim_cfg_printf(b, "; type = \"%s\"; inputs = [ ", pesim_op_name(l->op));
        for (int j = 0; j < l->n_inputs; j++) {
            pesim_cfg_printf(b, "%s", j ? ", " : "");
            pesim_cfg_put_string(b, l->inputs[j] == PESIM_NETWORK_INPUT ? INPUT_NAME : net->layers[l->inputs[j]].name);
        }
        pesim_cfg_printf(b, " ];\n      ");
        for (int k = 0; k < sp->n_dims; k++) {
            pesim_dim d = sp->dims[k].dim;
            int64_t v = l->dim[d];
            /* conv k and c are totals over groups (layer_fits: no overflow) */
            if (sp->grouped && (d == PESIM_DIM_K || d == PESIM_DIM_C)) v *= l->dim[PESIM_DIM_G];
            pesim_cfg_printf(b, "%s%s = ", k ? " " : "", sp->dims[k].key);
            pesim_cfg_put_int(b, v);
            pesim_cfg_printf(b, ";");
        }
        if (sp->has_window)
            pesim_cfg_printf(b, "\n      stride = [ %d, %d ]; pad = [ %d, %d ];", (int)l->stride_h, (int)l->stride_w,
                             (int)l->pad_h, (int)l->pad_w);
        if (sp->has_dilation)
            pesim_cfg_printf(b, " dilation = [ %d, %d ];", (int)l->dilation_h, (int)l->dilation_w);
        if (sp->act_key && (l->act != PESIM_ACT_NONE || l->op == PESIM_OP_ACT))
            pesim_cfg_printf(b, " %s = \"%s\";", sp->act_key, pesim_act_name((pesim_act)l->act));
        pesim_cfg_printf(b, " }%s\n", i + 1 < net->n_layers ? "," : "");
    }
    pesim_cfg_printf(b, "  );\n};\n");
    return PESIM_OK;
}

pesim_status pesim_network_write(const char *path, const pesim_network *net, pesim_error *e)
{
    pesim_error_clear(e);
    if (!path || !net) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_network_write: NULL argument");
    cfg_buf b = {0};
    pesim_status st = format_network(&b, net, path, e);
    if (st) {
        pesim_cfg_buf_free(&b);
        return st;
    }
    return pesim_cfg_save(&b, path, e);
}
