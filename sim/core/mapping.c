/* mapping.c - mapping and placement helpers and the structural check. */
#include "pesim/mapping.h"

#include <stdlib.h>
#include <string.h>

void pesim_mapping_init(pesim_mapping *m, int n_levels)
{
    memset(m, 0, sizeof *m);
    m->n_levels = n_levels;
    for (int l = 0; l < PESIM_MAX_LEVELS; l++)
        for (int d = 0; d < PESIM_NDIMS; d++) {
            m->level[l].temporal[d] = 1;
            m->level[l].spatial_x[d] = 1;
            m->level[l].spatial_y[d] = 1;
            m->level[l].order[d] = (uint8_t)d;
            m->level[l].order_x[d] = (uint8_t)d;
            m->level[l].order_y[d] = (uint8_t)d;
        }
}

int64_t pesim_mapping_dim_product(const pesim_mapping *m, pesim_dim d)
{
    int64_t p = 1;
    for (int l = 0; l < m->n_levels; l++)
        p *= m->level[l].temporal[d] * m->level[l].spatial_x[d] * m->level[l].spatial_y[d];
    return p;
}

int64_t pesim_mapping_instances(const pesim_mapping *m, int level)
{
    int64_t n = 1;
    for (int l = level + 1; l < m->n_levels; l++)
        for (int d = 0; d < PESIM_NDIMS; d++) n *= m->level[l].spatial_x[d] * m->level[l].spatial_y[d];
    return n;
}

void pesim_mapping_instances_all(const pesim_mapping *m, int64_t inst[PESIM_MAX_LEVELS])
{
    int64_t n = 1; /* the product of the spatial factors above lv */
    for (int lv = m->n_levels - 1; lv >= 0; lv--) {
        inst[lv] = n;
        for (int d = 0; d < PESIM_NDIMS; d++) n *= m->level[lv].spatial_x[d] * m->level[lv].spatial_y[d];
    }
}

int pesim_mapping_keeps(const pesim_arch *a, const pesim_mapping *m, int level, pesim_tensor t)
{
    if (level == a->n_levels - 1) return 1;
    return a->level[level].keeps[t] && !m->level[level].bypass[t];
}

/* Moves the entries of ord whose factor (f[d]) is 1 to the end, in dim
 * order, keeping the relative order of the others. */
static void order_canonical(uint8_t *ord, const int64_t *f)
{
    uint8_t out[PESIM_NDIMS];
    int n = 0;
    unsigned seen = 0;
    for (int i = 0; i < PESIM_NDIMS; i++) {
        int d = ord[i];
        if (d < PESIM_NDIMS && !((seen >> d) & 1u) && f[d] > 1) out[n++] = (uint8_t)d, seen |= 1u << d;
    }
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (!((seen >> d) & 1u)) out[n++] = (uint8_t)d, seen |= 1u << d;
    memcpy(ord, out, sizeof out);
}

void pesim_mapping_canonical(const pesim_arch *a, const pesim_layer *l, pesim_mapping *m)
{
    if (m->n_levels != a->n_levels) return;
    const int M = m->n_levels;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t bound = l->dim[d] > 0 ? l->dim[d] : 1, prod = 1;
        for (int lv = 0; lv < M; lv++) {
            pesim_level_map *lm = &m->level[lv];
            /* spatial digit, then temporal: innermost first, as the nest */
            int64_t *fs[3] = {&lm->spatial_x[d], &lm->spatial_y[d], &lm->temporal[d]};
            for (int k = 0; k < 3; k++) {
                int64_t *f = fs[k];
                if (*f < 1) continue; /* not a mapping: pesim_mapping_check says so */
                if (prod >= bound) {
                    *f = 1;
                    continue;
                }
                int64_t need = (bound + prod - 1) / prod;
                if (k == 0 && *f * lm->spatial_y[d] > need) { /* X first, then what Y still has to cover */
                    if (*f > need) *f = need;
                    int64_t ny = (need + *f - 1) / *f;
                    if (lm->spatial_y[d] > ny) lm->spatial_y[d] = ny;
                } else if (*f > need) {
                    *f = need;
                }
                if (k == 0) {
                    prod *= *f * lm->spatial_y[d];
                    k = 1; /* Y done */
                } else {
                    prod *= *f;
                }
            }
        }
    }
    for (int lv = 0; lv < M; lv++) {
        pesim_level_map *lm = &m->level[lv];
        order_canonical(lm->order, lm->temporal);
        order_canonical(lm->order_x, lm->spatial_x);
        order_canonical(lm->order_y, lm->spatial_y);
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (lv == M - 1 || !a->level[lv].keeps[t]) lm->bypass[t] = 0;
    }
}

/* The slow path of pesim_mapping_check: says what is wrong with level lv. */
static pesim_status explain(const pesim_mapping *m, const pesim_arch *a, int lv, pesim_error *e)
{
    const pesim_level_map *lm = &m->level[lv];
    const pesim_level *al = &a->level[lv];
    const uint8_t *orders[3] = {lm->order, lm->order_x, lm->order_y};
    static const char *const what[3] = {"loop order", "X axis order", "Y axis order"};
    for (int o = 0; o < 3; o++) {
        unsigned seen = 0;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            if (orders[o][i] >= PESIM_NDIMS || (seen >> orders[o][i]) & 1u)
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, al->name, "%s is not a permutation of GNKCPQRS",
                                       what[o]);
            seen |= 1u << orders[o][i];
        }
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        if (lm->temporal[d] < 1 || lm->spatial_x[d] < 1 || lm->spatial_y[d] < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, al->name, "factor of %s must be >= 1",
                                   pesim_dim_name((pesim_dim)d));
        if (lm->spatial_x[d] > 1 && !((al->spatial_x_dims >> d) & 1u))
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, al->name,
                                   "%s may not be unrolled on X at this level", pesim_dim_name((pesim_dim)d));
        if (lm->spatial_y[d] > 1 && !((al->spatial_y_dims >> d) & 1u))
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, al->name,
                                   "%s may not be unrolled on Y at this level", pesim_dim_name((pesim_dim)d));
    }
    return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, al->name, "bypass flags are 0 or 1");
}

pesim_status pesim_mapping_check(const pesim_mapping *m, const pesim_arch *a,
                                 const pesim_layer *l, pesim_error *e)
{
    if (m->n_levels != a->n_levels)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "levels",
                               "mapping has %d levels, arch '%s' has %d", m->n_levels, a->name, a->n_levels);
    int64_t prod[PESIM_NDIMS] = {1, 1, 1, 1, 1, 1, 1, 1};
    for (int lv = 0; lv < m->n_levels; lv++) {
        const pesim_level_map *lm = &m->level[lv];
        const pesim_level *al = &a->level[lv];
        unsigned seen = 0, seen_x = 0, seen_y = 0, bad = 0;
        int64_t fx = 1, fy = 1;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            seen |= 1u << (lm->order[i] & 31u);
            seen_x |= 1u << (lm->order_x[i] & 31u);
            seen_y |= 1u << (lm->order_y[i] & 31u);
            bad |= (lm->order[i] >= PESIM_NDIMS) | (lm->order_x[i] >= PESIM_NDIMS) | (lm->order_y[i] >= PESIM_NDIMS);
            int64_t t = lm->temporal[i], x = lm->spatial_x[i], y = lm->spatial_y[i];
            bad |= (t < 1) | (x < 1) | (y < 1);
            bad |= (x > 1 && !((al->spatial_x_dims >> i) & 1u)) | (y > 1 && !((al->spatial_y_dims >> i) & 1u));
            fx *= x;
            fy *= y;
            prod[i] *= t * x * y;
        }
        for (int t = 0; t < PESIM_NTENSORS; t++) bad |= lm->bypass[t] > 1;
        const unsigned all = (1u << PESIM_NDIMS) - 1;
        if (bad || seen != all || seen_x != all || seen_y != all) return explain(m, a, lv, e);
        if (fx > al->fanout_x || fy > al->fanout_y)
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, al->name,
                                   "spatial factors %lldx%lld exceed the fan-out %dx%d", (long long)fx,
                                   (long long)fy, al->fanout_x, al->fanout_y);
    }
    if (l)
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (prod[d] < l->dim[d])
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, pesim_dim_name((pesim_dim)d),
                                       "factors of %s multiply to %lld < the layer's %lld",
                                       pesim_dim_name((pesim_dim)d), (long long)prod[d], (long long)l->dim[d]);
    return PESIM_OK;
}

pesim_status pesim_placement_init(pesim_placement *p, int32_t n_layers, int32_t level, pesim_error *e)
{
    memset(p, 0, sizeof *p);
    if (n_layers < 0) return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "placement", "negative layer count");
    size_t n = n_layers > 0 ? (size_t)n_layers : 1;
    p->weights_level = malloc(n * sizeof *p->weights_level);
    p->outputs_level = malloc(n * sizeof *p->outputs_level);
    p->weights_address = malloc(n * sizeof *p->weights_address);
    p->outputs_address = malloc(n * sizeof *p->outputs_address);
    if (!p->weights_level || !p->outputs_level || !p->weights_address || !p->outputs_address) {
        pesim_placement_free(p);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "placement", "out of memory");
    }
    p->n_layers = n_layers;
    for (int32_t i = 0; i < n_layers; i++) {
        p->weights_level[i] = p->outputs_level[i] = level;
        p->weights_address[i] = p->outputs_address[i] = -1;
    }
    p->input_level = level;
    p->input_address = -1;
    return PESIM_OK;
}

pesim_status pesim_placement_copy(pesim_placement *dst, const pesim_placement *src, pesim_error *e)
{
    pesim_status st = pesim_placement_init(dst, src->n_layers, 0, e);
    if (st) return st;
    size_t n = (size_t)src->n_layers;
    if (n) {
        memcpy(dst->weights_level, src->weights_level, n * sizeof *dst->weights_level);
        memcpy(dst->outputs_level, src->outputs_level, n * sizeof *dst->outputs_level);
        if (src->weights_address) memcpy(dst->weights_address, src->weights_address, n * sizeof *dst->weights_address);
        if (src->outputs_address) memcpy(dst->outputs_address, src->outputs_address, n * sizeof *dst->outputs_address);
    }
    dst->input_level = src->input_level;
    dst->input_address = src->input_address;
    dst->input_line = src->input_line;
    if (src->line && n) {
        dst->line = malloc(n * sizeof *dst->line);
        if (!dst->line) {
            pesim_placement_free(dst);
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "placement", "out of memory");
        }
        memcpy(dst->line, src->line, n * sizeof *dst->line);
    }
    return PESIM_OK;
}

void pesim_placement_free(pesim_placement *p)
{
    if (!p) return;
    free(p->weights_level);
    free(p->outputs_level);
    free(p->weights_address);
    free(p->outputs_address);
    free(p->line);
    memset(p, 0, sizeof *p);
}
