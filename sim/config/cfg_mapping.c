/* cfg_mapping.c - mappings and placements (docs/config.md): load and write.
 *
 * Both name arch levels (and placements name layers) by their names; the
 * loaders check structure only: every arch level once and in order, factors
 * >= 1, each order a permutation of GNKCPQRS, names that exist. Whether a
 * mapping fits a layer and the arch's fan-outs is pesim_mapping_check()'s job,
 * done by the caller who has the layer. */
#include <stdlib.h>
#include <string.h>

#include "config/cfg_util.h"
#include "pesim/config.h"

static const char *const mapping_keys[] = {"arch", "layer", "levels", NULL};
static const char *const level_map_keys[] = {"name",    "temporal", "spatial_x", "spatial_y", "order",
                                             "order_x", "order_y",  "bypass",    NULL};
static const char *const placement_keys[] = {"tensors", "input", "input_address", NULL};
static const char *const entry_keys[] = {"layer", "weights", "outputs", "weights_address", "outputs_address", NULL};

static void dim_names(const char *names[PESIM_NDIMS + 1])
{
    for (int d = 0; d < PESIM_NDIMS; d++) names[d] = pesim_dim_name((pesim_dim)d);
    names[PESIM_NDIMS] = NULL;
}

static void tensor_names(const char *names[PESIM_NTENSORS + 1])
{
    for (int t = 0; t < PESIM_NTENSORS; t++) names[t] = pesim_tensor_name((pesim_tensor)t);
    names[PESIM_NTENSORS] = NULL;
}

/* "RF, GLB, DRAM" into buf. */
static void level_list(const pesim_arch *a, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int l = 0; l < a->n_levels && used < n; l++) {
        int k = snprintf(buf + used, n - used, "%s%s", l ? ", " : "", a->level[l].name);
        if (k < 0) break;
        used += (size_t)k;
    }
}

/* 1 when the order is a permutation of the dims. */
static int order_ok(const uint8_t order[PESIM_NDIMS])
{
    unsigned seen = 0;
    for (int i = 0; i < PESIM_NDIMS; i++) {
        if (order[i] >= PESIM_NDIMS || (seen >> order[i]) & 1u) return 0;
        seen |= 1u << order[i];
    }
    return 1;
}

/* A { G = 2; K = 4; } group of factors (dims omitted stay as preset: 1). */
static pesim_status read_factors(const cfg_ctx *c, const config_setting_t *g, const char *const *dn,
                                 int64_t f[PESIM_NDIMS])
{
    pesim_status st = pesim_cfg_check_keys(c, g, dn, NULL);
    if (st) return st;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        const config_setting_t *x = config_setting_get_member(g, dn[d]);
        if (x && (st = pesim_cfg_int(c, x, 1, INT64_MAX, &f[d]))) return st;
    }
    return PESIM_OK;
}

/* "GNKCPQRS": each dim letter once (case-insensitive, as pesim_dim_parse). */
static pesim_status read_order(const cfg_ctx *c, const config_setting_t *s, uint8_t order[PESIM_NDIMS])
{
    char text[PESIM_NDIMS + 1];
    pesim_status st = pesim_cfg_string(c, s, text, sizeof text, 0);
    if (st == PESIM_ERR_TYPE) return st;
    const char *got = config_setting_get_string(s);
    if (st || strlen(text) != PESIM_NDIMS)
        return pesim_cfg_fail(c, s, PESIM_ERR_RANGE,
                              "order must name each of the 8 dims G N K C P Q R S once, got '%.40s' (%zu letters)",
                              got, strlen(got));
    unsigned seen = 0;
    for (int i = 0; i < PESIM_NDIMS; i++) {
        char one[2] = {text[i], '\0'};
        int d = pesim_dim_parse(one);
        if (d < 0)
            return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "'%c' in order '%s' is not a dim (G N K C P Q R S)", text[i],
                                  text);
        if ((seen >> d) & 1u)
            return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "dim %s appears twice in order '%s'",
                                  pesim_dim_name((pesim_dim)d), text);
        seen |= 1u << d;
        order[i] = (uint8_t)d;
    }
    return PESIM_OK;
}

static pesim_status load_mapping(cfg_ctx *c, const pesim_arch *a, pesim_mapping *m)
{
    const config_setting_t *g, *s, *list;
    pesim_status st;
    const char *dn[PESIM_NDIMS + 1], *tn[PESIM_NTENSORS + 1];
    dim_names(dn);
    tensor_names(tn);
    if ((st = pesim_cfg_top(c, "mapping", &g)) || (st = pesim_cfg_check_keys(c, g, mapping_keys, NULL))) return st;
    char name[PESIM_NAME_MAX];
    if ((st = pesim_cfg_member(c, g, "arch", 0, &s))) return st;
    if (s) {
        if ((st = pesim_cfg_string(c, s, name, sizeof name, 1))) return st;
        if (a->name[0] && strcmp(name, a->name) != 0)
            return pesim_cfg_fail(c, s, PESIM_ERR_INVALID, "this mapping is for arch '%s', not '%s'", name, a->name);
    }
    if ((st = pesim_cfg_member(c, g, "layer", 0, &s)) || (s && (st = pesim_cfg_string(c, s, name, sizeof name, 1))))
        return st;
    if ((st = pesim_cfg_member(c, g, "levels", 1, &list)) || (st = pesim_cfg_array(c, list, 0, INT32_MAX))) return st;
    char levels[PESIM_MAX_LEVELS * (PESIM_NAME_MAX + 2)];
    level_list(a, levels, sizeof levels);
    if (config_setting_length(list) != a->n_levels)
        return pesim_cfg_fail(c, list, PESIM_ERR_INVALID, "has %d entries, but arch '%s' has %d levels (%s)",
                              config_setting_length(list), a->name, a->n_levels, levels);

    pesim_mapping_init(m, a->n_levels);
    int64_t prod[PESIM_NDIMS];
    for (int d = 0; d < PESIM_NDIMS; d++) prod[d] = 1;
    for (int l = 0; l < a->n_levels; l++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)l);
        pesim_level_map *lm = &m->level[l];
        if ((st = pesim_cfg_check_keys(c, e, level_map_keys, NULL))) return st;
        if ((st = pesim_cfg_member(c, e, "name", 1, &s)) || (st = pesim_cfg_string(c, s, name, sizeof name, 1)))
            return st;
        if (strcmp(name, a->level[l].name) != 0)
            return pesim_cfg_fail(c, s, PESIM_ERR_INVALID,
                                  "expected level '%s' here, got '%s' (arch '%s' levels, innermost first: %s)",
                                  a->level[l].name, name, a->name, levels);
        if ((st = pesim_cfg_member(c, e, "temporal", 0, &s)) || (s && (st = read_factors(c, s, dn, lm->temporal))))
            return st;
        if ((st = pesim_cfg_member(c, e, "spatial_x", 0, &s)) || (s && (st = read_factors(c, s, dn, lm->spatial_x))))
            return st;
        if ((st = pesim_cfg_member(c, e, "spatial_y", 0, &s)) || (s && (st = read_factors(c, s, dn, lm->spatial_y))))
            return st;
        if ((st = pesim_cfg_member(c, e, "order", 0, &s)) || (s && (st = read_order(c, s, lm->order)))) return st;
        if ((st = pesim_cfg_member(c, e, "order_x", 0, &s)) || (s && (st = read_order(c, s, lm->order_x)))) return st;
        if ((st = pesim_cfg_member(c, e, "order_y", 0, &s)) || (s && (st = read_order(c, s, lm->order_y)))) return st;
        if ((st = pesim_cfg_member(c, e, "bypass", 0, &s))) return st;
        if (s) {
            uint32_t mask;
            if ((st = pesim_cfg_name_set(c, s, pesim_tensor_parse, tn, PESIM_NTENSORS, "tensor", &mask))) return st;
            for (int t = 0; t < PESIM_NTENSORS; t++) lm->bypass[t] = (uint8_t)((mask >> t) & 1u);
        }
        /* pesim_mapping_dim_product() must not overflow */
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (!pesim_mul_ok(prod[d], lm->temporal[d], &prod[d]) ||
                !pesim_mul_ok(prod[d], lm->spatial_x[d], &prod[d]) ||
                !pesim_mul_ok(prod[d], lm->spatial_y[d], &prod[d]))
                return pesim_cfg_fail(c, e, PESIM_ERR_RANGE, "the factors of %s multiply past 2^63", dn[d]);
    }
    return PESIM_OK;
}

static pesim_status mapping_args(const pesim_arch *a, pesim_mapping *out, const char *name, pesim_error *e)
{
    if (!out || !a) return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "mapping load: NULL argument");
    memset(out, 0, sizeof *out);
    if (a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS)
        return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "mapping load: the arch has %d levels",
                               a->n_levels);
    return PESIM_OK;
}

pesim_status pesim_mapping_load(const char *path, const pesim_arch *a, pesim_mapping *out, pesim_error *e)
{
    pesim_status st = path ? mapping_args(a, out, path, e)
                           : pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "mapping load: NULL path");
    if (st) return st;
    cfg_ctx c;
    if (!(st = pesim_cfg_open(&c, path, NULL, NULL, e))) st = load_mapping(&c, a, out);
    pesim_cfg_close(&c);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

pesim_status pesim_mapping_load_string(const char *text, const char *name, const pesim_arch *a,
                                       pesim_mapping *out, pesim_error *e)
{
    pesim_status st = mapping_args(a, out, name, e);
    if (st) return st;
    cfg_ctx c;
    if (!(st = pesim_cfg_open(&c, NULL, text, name, e))) st = load_mapping(&c, a, out);
    pesim_cfg_close(&c);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

/* ` key = { K = 4; ... };` with the factors that are not 1 (nothing if none),
 * on a new line when the current one is full. */
static void put_factors(cfg_buf *b, const char *key, const int64_t f[PESIM_NDIMS])
{
    int any = 0;
    for (int d = 0; d < PESIM_NDIMS; d++) any |= f[d] != 1;
    if (!any) return;
    cfg_buf seg = {0};
    pesim_cfg_printf(&seg, "%s = {", key);
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (f[d] != 1) {
            pesim_cfg_printf(&seg, " %s = ", pesim_dim_name((pesim_dim)d));
            pesim_cfg_put_int(&seg, f[d]);
            pesim_cfg_printf(&seg, ";");
        }
    pesim_cfg_printf(&seg, " };");
    if (seg.nomem) b->nomem = 1;
    else pesim_cfg_put_wrapped(b, seg.p, 6);
    pesim_cfg_buf_free(&seg);
}

/* ` key = "GNKCPQRS";` when two or more dims share the axis (otherwise the
 * axis order has no effect and is left out). */
static void put_axis_order(cfg_buf *b, const char *key, const uint8_t order[PESIM_NDIMS], const int64_t f[PESIM_NDIMS])
{
    int used = 0;
    for (int d = 0; d < PESIM_NDIMS; d++) used += f[d] > 1;
    if (used < 2) return;
    char text[PESIM_NDIMS + 1];
    for (int i = 0; i < PESIM_NDIMS; i++) text[i] = pesim_dim_name((pesim_dim)order[i])[0];
    text[PESIM_NDIMS] = '\0';
    char seg[48];
    snprintf(seg, sizeof seg, "%s = \"%s\";", key, text);
    pesim_cfg_put_wrapped(b, seg, 6);
}

static pesim_status format_mapping(cfg_buf *b, const pesim_mapping *m, const pesim_arch *a, const char *layer,
                                   const char *path, pesim_error *e)
{
    if (!m || !a) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "mapping write: NULL argument");
    if (m->n_levels != a->n_levels || a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "levels", "the mapping has %d levels, the arch %d",
                               m->n_levels, a->n_levels);
    if (!pesim_cfg_str_ok(a->name, sizeof a->name))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "arch", "arch name unterminated");
    if (layer && (!layer[0] || strlen(layer) >= PESIM_NAME_MAX))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "layer", "layer name empty or longer than %d",
                               PESIM_NAME_MAX - 1);
    int64_t prod[PESIM_NDIMS];
    for (int d = 0; d < PESIM_NDIMS; d++) prod[d] = 1;
    for (int l = 0; l < m->n_levels; l++) {
        const pesim_level_map *lm = &m->level[l];
        const char *ln = a->level[l].name;
        if (!pesim_cfg_str_ok(ln, sizeof a->level[l].name) || !ln[0])
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "levels", "arch level %d has no name", l);
        if (!order_ok(lm->order) || !order_ok(lm->order_x) || !order_ok(lm->order_y))
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, ln,
                                   "a loop or axis order is not a permutation of GNKCPQRS");
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (lm->bypass[t] > 1) return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, ln, "bypass flags are 0 or 1");
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (lm->temporal[d] < 1 || lm->spatial_x[d] < 1 || lm->spatial_y[d] < 1 ||
                !pesim_mul_ok(prod[d], lm->temporal[d], &prod[d]) ||
                !pesim_mul_ok(prod[d], lm->spatial_x[d], &prod[d]) ||
                !pesim_mul_ok(prod[d], lm->spatial_y[d], &prod[d]))
                return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, ln,
                                       "factors of %s must be >= 1 and multiply to < 2^63",
                                       pesim_dim_name((pesim_dim)d));
    }

    pesim_cfg_printf(b, "# written by pesim (format: docs/config.md)\nmapping = {\n");
    if (a->name[0]) {
        pesim_cfg_printf(b, "  arch = ");
        pesim_cfg_put_string(b, a->name);
        pesim_cfg_printf(b, ";\n");
    }
    if (layer) {
        pesim_cfg_printf(b, "  layer = ");
        pesim_cfg_put_string(b, layer);
        pesim_cfg_printf(b, ";\n");
    }
    pesim_cfg_printf(b, "  levels = (                  # innermost first; loops outermost first\n");
    for (int l = 0; l < m->n_levels; l++) {
        const pesim_level_map *lm = &m->level[l];
        char order[PESIM_NDIMS + 1];
        for (int i = 0; i < PESIM_NDIMS; i++) order[i] = pesim_dim_name((pesim_dim)lm->order[i])[0];
        order[PESIM_NDIMS] = '\0';
        pesim_cfg_printf(b, "    { name = ");
        pesim_cfg_put_string(b, a->level[l].name);
        pesim_cfg_printf(b, "; order = \"%s\";", order);
        put_factors(b, "temporal", lm->temporal);
        put_factors(b, "spatial_x", lm->spatial_x);
        put_axis_order(b, "order_x", lm->order_x, lm->spatial_x);
        put_factors(b, "spatial_y", lm->spatial_y);
        put_axis_order(b, "order_y", lm->order_y, lm->spatial_y);
        if (lm->bypass[0] | lm->bypass[1] | lm->bypass[2]) {
            cfg_buf seg = {0};
            pesim_cfg_printf(&seg, "bypass = [");
            for (int t = 0, first = 1; t < PESIM_NTENSORS; t++)
                if (lm->bypass[t]) {
                    pesim_cfg_printf(&seg, "%s \"%s\"", first ? "" : ",", pesim_tensor_name((pesim_tensor)t));
                    first = 0;
                }
            pesim_cfg_printf(&seg, " ];");
            if (seg.nomem) b->nomem = 1;
            else pesim_cfg_put_wrapped(b, seg.p, 6);
            pesim_cfg_buf_free(&seg);
        }
        pesim_cfg_printf(b, " }%s\n", l + 1 < m->n_levels ? "," : "");
    }
    pesim_cfg_printf(b, "  );\n};\n");
    return PESIM_OK;
}

pesim_status pesim_mapping_write(const char *path, const pesim_mapping *m, const pesim_arch *a,
                                 const char *layer_name, pesim_error *e)
{
    pesim_error_clear(e);
    if (!path) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "mapping write: NULL path");
    cfg_buf b = {0};
    pesim_status st = format_mapping(&b, m, a, layer_name, path, e);
    if (st) {
        pesim_cfg_buf_free(&b);
        return st;
    }
    return pesim_cfg_save(&b, path, e);
}

char *pesim_mapping_to_string(const pesim_mapping *m, const pesim_arch *a, const char *layer_name)
{
    cfg_buf b = {0};
    if (format_mapping(&b, m, a, layer_name, NULL, NULL) != PESIM_OK) {
        pesim_cfg_buf_free(&b);
        return NULL;
    }
    return pesim_cfg_take(&b);
}

/* ------------------------------------------------------------ placements */

/* A string naming an arch level; its index in *out. */
static pesim_status level_ref(const cfg_ctx *c, const config_setting_t *s, const pesim_arch *a, int32_t *out)
{
    char name[PESIM_NAME_MAX];
    pesim_status st = pesim_cfg_string(c, s, name, sizeof name, 1);
    if (st == PESIM_ERR_TYPE) return st;
    int l = st ? -1 : pesim_arch_find_level(a, name);
    if (l >= 0) {
        *out = l;
        return PESIM_OK;
    }
    const char *names[PESIM_MAX_LEVELS];
    for (int i = 0; i < a->n_levels; i++) names[i] = a->level[i].name;
    const char *sug = st ? NULL : pesim_cfg_suggest(name, names, a->n_levels);
    char levels[PESIM_MAX_LEVELS * (PESIM_NAME_MAX + 2)];
    level_list(a, levels, sizeof levels);
    return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "no level '%.63s' in arch '%s'%s%s%s (expected one of: %s)",
                          config_setting_get_string(s), a->name, sug ? "; did you mean '" : "", sug ? sug : "",
                          sug ? "'?" : "", levels);
}

/* An optional `key = <words>` address (>= 0) into *out (left at -1 when absent). */
static pesim_status address_ref(const cfg_ctx *c, const config_setting_t *g, const char *key, int64_t *out)
{
    const config_setting_t *s;
    pesim_status st = pesim_cfg_member(c, g, key, 0, &s);
    if (st || !s) return st;
    return pesim_cfg_int(c, s, 0, INT64_MAX / 2, out);
}

static pesim_status read_entries(cfg_ctx *c, const pesim_arch *a, const pesim_network *net, pesim_placement *p,
                                 int32_t *seen_line, const config_setting_t *list, const cfg_names *ix);

static pesim_status load_placement(cfg_ctx *c, const pesim_arch *a, const pesim_network *net, pesim_placement *p,
                                   int32_t *seen_line)
{
    const config_setting_t *g, *list;
    pesim_status st;
    if ((st = pesim_cfg_top(c, "placement", &g)) || (st = pesim_cfg_check_keys(c, g, placement_keys, NULL)) ||
        (st = pesim_cfg_member(c, g, "tensors", 1, &list)) || (st = pesim_cfg_array(c, list, 0, INT32_MAX)))
        return st;
    /* every tensor not listed lives in the outermost level */
    if ((st = pesim_placement_init(p, net->n_layers, a->n_levels - 1, c->e))) return st;
    const config_setting_t *s;
    if ((st = pesim_cfg_member(c, g, "input", 0, &s)) || (s && (st = level_ref(c, s, a, &p->input_level))) ||
        (st = address_ref(c, g, "input_address", &p->input_address)))
        return st;
    if (s) p->input_line = (int32_t)config_setting_source_line(s);
    cfg_names ix; /* layer name -> index: linear time for large networks */
    if (!pesim_cfg_names_init(&ix, (size_t)net->n_layers))
        return pesim_cfg_fail(c, list, PESIM_ERR_NOMEM, "out of memory");
    for (int32_t k = 0; k < net->n_layers; k++) pesim_cfg_names_add(&ix, net->layers[k].name, k);
    st = read_entries(c, a, net, p, seen_line, list, &ix);
    pesim_cfg_names_free(&ix);
    if (st) return st;
    /* each entry's line, for the errors of a run (a level the tensor cannot live in) */
    p->line = malloc((size_t)(net->n_layers > 0 ? net->n_layers : 1) * sizeof *p->line);
    if (!p->line) return pesim_cfg_fail(c, list, PESIM_ERR_NOMEM, "out of memory");
    for (int32_t k = 0; k < net->n_layers; k++) p->line[k] = seen_line[k] > 0 ? seen_line[k] : 0;
    return PESIM_OK;
}

/* The entries of `tensors`, and that every MAC layer has one. */
static pesim_status read_entries(cfg_ctx *c, const pesim_arch *a, const pesim_network *net, pesim_placement *p,
                                 int32_t *seen_line, const config_setting_t *list, const cfg_names *ix)
{
    const config_setting_t *s;
    pesim_status st;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *en = config_setting_get_elem(list, (unsigned)i);
        char name[PESIM_NAME_MAX];
        if ((st = pesim_cfg_check_keys(c, en, entry_keys, NULL))) return st;
        if ((st = pesim_cfg_member(c, en, "layer", 1, &s))) return st;
        if ((st = pesim_cfg_string(c, s, name, sizeof name, 1)) == PESIM_ERR_TYPE) return st;
        int32_t k = st ? -1 : pesim_cfg_names_find(ix, name);
        if (k < 0)
            return pesim_cfg_fail(c, s, PESIM_ERR_INVALID, "no layer '%.63s' in network '%s'",
                                  config_setting_get_string(s), net->name);
        if (seen_line[k])
            return pesim_cfg_fail(c, s, PESIM_ERR_INVALID, "layer '%s' is placed twice (first at line %d)", name,
                                  (int)seen_line[k]);
        seen_line[k] = (int32_t)config_setting_source_line(en);
        if (!seen_line[k]) seen_line[k] = -1; /* no line known: still mark it seen */
        /* a MAC layer names both levels; other layers have no weights (any
         * `weights` given is kept, so that every placement round-trips) */
        int macs = pesim_layer_has_macs(&net->layers[k]);
        if ((st = pesim_cfg_member(c, en, "weights", macs, &s)) ||
            (s && (st = level_ref(c, s, a, &p->weights_level[k]))))
            return st;
        if ((st = pesim_cfg_member(c, en, "outputs", 1, &s)) || (st = level_ref(c, s, a, &p->outputs_level[k])))
            return st;
        if ((st = address_ref(c, en, "weights_address", &p->weights_address[k])) ||
            (st = address_ref(c, en, "outputs_address", &p->outputs_address[k])))
            return st;
    }
    for (int32_t k = 0; k < net->n_layers; k++)
        if (!seen_line[k] && pesim_layer_has_macs(&net->layers[k]))
            return pesim_cfg_fail(c, list, PESIM_ERR_MISSING,
                                  "no entry for layer '%s' (every conv, gemm and matmul layer needs one)",
                                  net->layers[k].name);
    return PESIM_OK;
}

/* Shared by the file and string variants: exactly one of path and text. */
static pesim_status placement_load(const char *path, const char *text, const char *name, const pesim_arch *a,
                                   const pesim_network *net, pesim_placement *out, pesim_error *e)
{
    const char *label = path ? path : name;
    if (!out || !a || !net || (!path && !text))
        return pesim_error_set(e, PESIM_ERR_INVALID, label, 0, NULL, "placement load: NULL argument");
    memset(out, 0, sizeof *out);
    if (a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS || net->n_layers < 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, label, 0, NULL, "placement load: bad arch or network");
    int32_t *seen = calloc((size_t)net->n_layers + 1, sizeof *seen);
    if (!seen) return pesim_error_set(e, PESIM_ERR_NOMEM, label, 0, NULL, "out of memory");
    cfg_ctx c;
    pesim_status st = pesim_cfg_open(&c, path, text, name, e);
    if (!st) st = load_placement(&c, a, net, out, seen);
    pesim_cfg_close(&c);
    free(seen);
    if (st) pesim_placement_free(out);
    return st;
}

pesim_status pesim_placement_load(const char *path, const pesim_arch *a, const pesim_network *net,
                                  pesim_placement *out, pesim_error *e)
{
    if (!path) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "placement load: NULL path");
    return placement_load(path, NULL, NULL, a, net, out, e);
}

pesim_status pesim_placement_load_string(const char *text, const char *name, const pesim_arch *a,
                                         const pesim_network *net, pesim_placement *out, pesim_error *e)
{
    return placement_load(NULL, text, name, a, net, out, e);
}

pesim_status pesim_placement_write(const char *path, const pesim_placement *p, const pesim_arch *a,
                                   const pesim_network *net, pesim_error *e)
{
    pesim_error_clear(e);
    if (!path || !p || !a || !net)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "pesim_placement_write: NULL argument");
    if (p->n_layers != net->n_layers || (p->n_layers > 0 && (!p->weights_level || !p->outputs_level)))
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "tensors",
                               "the placement has %d layers, network '%s' %d", (int)p->n_layers, net->name,
                               (int)net->n_layers);
    if (p->input_level < 0 || p->input_level >= a->n_levels || p->input_address < -1)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "input", "level index or address out of range");
    for (int32_t k = 0; k < p->n_layers; k++) {
        if ((p->weights_address && p->weights_address[k] < -1) || (p->outputs_address && p->outputs_address[k] < -1))
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "tensors", "layer %d: address below -1", (int)k);
        if (p->weights_level[k] < 0 || p->weights_level[k] >= a->n_levels || p->outputs_level[k] < 0 ||
            p->outputs_level[k] >= a->n_levels || !pesim_cfg_str_ok(net->layers[k].name, PESIM_NAME_MAX) ||
            !net->layers[k].name[0])
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "tensors",
                                   "layer %d: level index out of range or layer unnamed", (int)k);
    }
    cfg_buf b = {0};
    pesim_cfg_printf(&b, "# written by pesim (format: docs/config.md)\nplacement = {\n  input = ");
    pesim_cfg_put_string(&b, a->level[p->input_level].name);
    pesim_cfg_printf(&b, ";\n");
    if (p->input_address >= 0) {
        pesim_cfg_printf(&b, "  input_address = ");
        pesim_cfg_put_int(&b, p->input_address);
        pesim_cfg_printf(&b, ";\n");
    }
    pesim_cfg_printf(&b, "  tensors = (\n");
    for (int32_t k = 0; k < p->n_layers; k++) {
        pesim_cfg_printf(&b, "    { layer = ");
        pesim_cfg_put_string(&b, net->layers[k].name);
        pesim_cfg_printf(&b, "; weights = ");
        pesim_cfg_put_string(&b, a->level[p->weights_level[k]].name);
        pesim_cfg_printf(&b, "; outputs = ");
        pesim_cfg_put_string(&b, a->level[p->outputs_level[k]].name);
        pesim_cfg_printf(&b, ";");
        if (p->weights_address && p->weights_address[k] >= 0) {
            pesim_cfg_printf(&b, " weights_address = ");
            pesim_cfg_put_int(&b, p->weights_address[k]);
            pesim_cfg_printf(&b, ";");
        }
        if (p->outputs_address && p->outputs_address[k] >= 0) {
            pesim_cfg_printf(&b, " outputs_address = ");
            pesim_cfg_put_int(&b, p->outputs_address[k]);
            pesim_cfg_printf(&b, ";");
        }
        pesim_cfg_printf(&b, " }%s\n", k + 1 < p->n_layers ? "," : "");
    }
    pesim_cfg_printf(&b, "  );\n};\n");
    return pesim_cfg_save(&b, path, e);
}
