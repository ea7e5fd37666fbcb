/* space_mapping.c - the mapping parameters of a layer (docs/search.md
 * "Mapping space"), used by layer, network and joint spaces.
 *
 * Per MAC layer, with M levels and the dims whose bound is > 1, per level
 * from the innermost, in this order:
 *   - bypass: per level L < M-1 and tensor the arch keeps there, keep (0) or
 *     bypass (1);
 *   - spatial, per level with a fan-out and axis (X, Y) of size > 1, one of
 *     two encodings (pesim_space_options.spatial):
 *     FACTORS: per allowed dim with bound > 1, its factor on that axis
 *       (choice + 1, up to min(fan-out, bound)); several dims may share an
 *       axis (order_x/order_y: GNKCPQRS), their product within the fan-out;
 *     DIM_FACTOR: the dim unrolled (choice 0 = none, then the allowed dims)
 *       and its factor (choice + 1, up to min(fan-out, the largest offered
 *       bound)); with dim "none" the factor is ignored;
 *     a factor may exceed the dim's bound (imperfect, as any factor may);
 *   - tile: per level L < M-1 and dim, the temporal factor, one of the
 *     dim's candidate factors (tile_candidates below, ascending; they
 *     include the default mapper's factors on the base arch); the
 *     outermost level takes the remainder ceil(D / product of every other
 *     factor);
 *   - order (pesim_space_options.order): RANK: the rank (Lehmer code) of a
 *     permutation of the dims with bound > 1, outermost first; SEQUENCE: per
 *     position k < nd - 1, which of the dims not yet placed (in GNKCPQRS
 *     order) goes there (the Lehmer digits of the same rank); dims of bound 1
 *     follow in GNKCPQRS order (their loops have one trip and never matter).
 * A factor whose digit lies wholly past the bound (the factors below it
 * already cover the dim) is decoded as 1 (see srch_clamp_layer); the
 * structural checks (fan-out, allowed dims) apply to the decoded factors.
 * A parameter with a single choice is not listed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "space_impl.h"

/* Tile factor candidates of a dim of bound D (sorted, unique): every value
 * 1..D when D <= 32; otherwise the divisors of D, the powers of two below D
 * and ceil(D / 2^k) (balanced imperfect splits); and the n_extra values of
 * extra in [1, D] (the default mapper's factors, so that its mapping is in
 * the space). Writes them to out (when non-NULL) and returns how many. */
#define TILE_ALL_MAX 32
static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int32_t tile_candidates(int64_t D, const int64_t *extra, int n_extra, int64_t *out)
{
    int64_t buf[512 + PESIM_MAX_LEVELS];
    int32_t n = 0;
    if (D <= TILE_ALL_MAX) {
        for (int64_t v = 1; v <= D; v++) buf[n++] = v;
    } else {
        for (int64_t i = 1; i * i <= D && n < 400; i++)
            if (D % i == 0) {
                buf[n++] = i;
                if (i != D / i) buf[n++] = D / i;
            }
        for (int64_t p = 2; p < D && n < 470; p *= 2) buf[n++] = p;
        for (int64_t p = 2; p < D && n < 510; p *= 2) buf[n++] = (D + p - 1) / p;
        for (int k = 0; k < n_extra; k++)
            if (extra[k] >= 1 && extra[k] <= D) buf[n++] = extra[k];
        qsort(buf, (size_t)n, sizeof buf[0], cmp_i64);
        int32_t u = 0;
        for (int32_t i = 0; i < n; i++)
            if (u == 0 || buf[i] != buf[u - 1]) buf[u++] = buf[i];
        n = u;
    }
    if (out) memcpy(out, buf, (size_t)n * sizeof *out);
    return n;
}

/* ------------------------------------------------------- permutations */

static const int32_t fact[PESIM_NDIMS + 1] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320};
static int32_t factorial(int n) { return fact[n]; }

/* The r-th permutation (lexicographic, Lehmer code) of items[0..n). */
static void unrank(int32_t r, int n, const uint8_t *items, uint8_t *out)
{
    uint8_t pool[PESIM_NDIMS];
    for (int i = 0; i < n; i++) pool[i] = items[i];
    for (int i = 0, left = n; i < n; i++, left--) {
        int32_t f = fact[left - 1];
        int k = 0;
        while (r >= f) r -= f, k++; /* at most left - 1 steps: cheaper than a division */
        out[i] = pool[k];
        for (int j = k; j < left - 1; j++) pool[j] = pool[j + 1];
    }
}

/* The table of every permutation of 0..n-1 (n! rows of n), built once per
 * space for each n in use: the decode looks its order up (no division). */
static int build_perms(pesim_space *s, int n)
{
    if (s->perms[n]) return 1;
    uint8_t id[PESIM_NDIMS];
    for (int i = 0; i < n; i++) id[i] = (uint8_t)i;
    s->perms[n] = malloc((size_t)fact[n] * (size_t)(n > 0 ? n : 1));
    if (!s->perms[n]) return 0;
    for (int32_t r = 0; r < fact[n]; r++) unrank(r, n, id, s->perms[n] + (size_t)r * (size_t)n);
    return 1;
}

/* Rank of perm (a permutation of items[0..n)), or -1 if it is not one. */
static int32_t rank(int n, const uint8_t *items, const uint8_t *perm)
{
    uint8_t pool[PESIM_NDIMS];
    memcpy(pool, items, (size_t)n);
    int left = n;
    int32_t r = 0;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < left && pool[k] != perm[i]) k++;
        if (k == left) return -1;
        r += (int32_t)k * factorial(left - 1);
        memmove(pool + k, pool + k + 1, (size_t)(left - k - 1));
        left--;
    }
    return r;
}

/* ------------------------------------------------------------- params */

static const char *axis_name(int ax) { return ax ? "y" : "x"; }

/* Appends a parameter or fails with "out of memory". */
#define ADD(kind, nch, lv, dim, tensor)                                                                          \
    do {                                                                                                         \
        p = srch_add_param(s, name, kind, nch, lv, dim, tensor, lm->layer);                                      \
        if (p < 0) {                                                                                             \
            free(extra);                                                                                         \
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");                      \
        }                                                                                                        \
    } while (0)

pesim_status srch_add_mapping_params(pesim_space *s, const int64_t *fan_x, const int64_t *fan_y,
                                     const uint32_t *allow_x, const uint32_t *allow_y, pesim_error *e)
{
    const pesim_arch *a = &s->arch;
    const int M = a->n_levels;
    size_t nm = s->n_mac > 0 ? (size_t)s->n_mac : 1;
    s->maps = calloc(nm, sizeof *s->maps);
    /* the default mapper's temporal factors of each (layer, dim), on the
     * base arch, join the tile candidates */
    int64_t *extra = calloc(nm * PESIM_NDIMS * PESIM_MAX_LEVELS, sizeof *extra);
    if (!s->maps || !extra) {
        free(extra);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    }
    for (int32_t i = 0; i < s->n_mac; i++) {
        pesim_mapping m;
        if (pesim_mapper_default(a, &s->net.layers[s->mac[i]], &m, NULL) != PESIM_OK) continue;
        for (int d = 0; d < PESIM_NDIMS; d++)
            for (int lv = 0; lv < M - 1; lv++)
                extra[((size_t)i * PESIM_NDIMS + (size_t)d) * PESIM_MAX_LEVELS + (size_t)lv] = m.level[lv].temporal[d];
    }
#define EXTRA(i, d) (extra + ((size_t)(i) * PESIM_NDIMS + (size_t)(d)) * PESIM_MAX_LEVELS)
    /* room for every (layer, dim)'s candidates */
    size_t pool = 0;
    for (int32_t i = 0; i < s->n_mac; i++)
        for (int d = 0; d < PESIM_NDIMS; d++)
            pool += (size_t)tile_candidates(s->net.layers[s->mac[i]].dim[d], EXTRA(i, d), M - 1, NULL);
    s->cand_pool = malloc((pool > 0 ? pool : 1) * sizeof *s->cand_pool);
    if (!s->cand_pool) {
        free(extra);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    }
    const int seq = s->opt.order == PESIM_ORDER_SEQUENCE, by_dim = s->opt.spatial == PESIM_SPATIAL_DIM_FACTOR;
    size_t used = 0;
    for (int32_t i = 0; i < s->n_mac; i++) {
        layer_map *lm = &s->maps[i];
        const pesim_layer *l = &s->net.layers[s->mac[i]];
        lm->layer = s->mac[i];
        char pre[PESIM_NAME_MAX + 2] = "";
        if (s->kind != SPACE_LAYER) snprintf(pre, sizeof pre, "%s:", l->name);
        for (int lv = 0; lv < PESIM_MAX_LEVELS; lv++) {
            lm->order[lv] = -1;
            for (int d = 0; d < PESIM_NDIMS; d++) {
                lm->tile[lv][d] = lm->opos[lv][d] = -1;
                lm->sfd[lv][0][d] = lm->sfd[lv][1][d] = -1;
            }
            for (int ax = 0; ax < 2; ax++) lm->sdim[lv][ax] = lm->sfac[lv][ax] = -1;
            for (int t = 0; t < PESIM_NTENSORS; t++) lm->bypass[lv][t] = -1;
        }
        for (int d = 0; d < PESIM_NDIMS; d++) {
            lm->cand[d] = s->cand_pool + used;
            lm->n_cand[d] = tile_candidates(l->dim[d], EXTRA(i, d), M - 1, s->cand_pool + used);
            used += (size_t)lm->n_cand[d];
            if (l->dim[d] > 1) lm->dims[lm->nd++] = (uint8_t)d;
        }
        if (lm->nd > 1 && !build_perms(s, lm->nd)) {
            free(extra);
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
        }
        char name[160];
        int32_t p;
        for (int lv = 0; lv < M; lv++) {
            const pesim_level *v = &a->level[lv];
            if (lv < M - 1)
                for (int t = 0; t < PESIM_NTENSORS; t++) {
                    if (!v->keeps[t]) continue;
                    snprintf(name, sizeof name, "%s%s.bypass.%s", pre, v->name, pesim_tensor_name((pesim_tensor)t));
                    ADD(PESIM_PARAM_BYPASS, 2, lv, -1, t);
                    lm->bypass[lv][t] = p;
                }
            for (int ax = 0; ax < 2; ax++) {
                int64_t fan = ax ? fan_y[lv] : fan_x[lv];
                uint32_t allow = ax ? allow_y[lv] : allow_x[lv];
                if (fan <= 1) continue;
                if (!by_dim) {
                    for (int k = 0; k < lm->nd; k++) {
                        int d = lm->dims[k];
                        if (!((allow >> d) & 1u)) continue;
                        snprintf(name, sizeof name, "%s%s.%s.%s", pre, v->name, axis_name(ax),
                                 pesim_dim_name((pesim_dim)d));
                        ADD(PESIM_PARAM_SPATIAL_FACTOR, (int32_t)(fan < l->dim[d] ? fan : l->dim[d]), lv, d, -1);
                        s->params[p].axis = ax;
                        lm->sfd[lv][ax][d] = p;
                    }
                    continue;
                }
                int nch = 1;
                int64_t maxb = 1;
                for (int k = 0; k < lm->nd; k++) {
                    int d = lm->dims[k];
                    if (!((allow >> d) & 1u)) continue;
                    lm->sdim_of[lv][ax][nch++] = (uint8_t)d;
                    if (l->dim[d] > maxb) maxb = l->dim[d];
                }
                if (nch == 1) continue;
                snprintf(name, sizeof name, "%s%s.%s.dim", pre, v->name, axis_name(ax));
                ADD(PESIM_PARAM_SPATIAL_DIM, nch, lv, -1, -1);
                s->params[p].axis = ax;
                lm->sdim[lv][ax] = p;
                snprintf(name, sizeof name, "%s%s.%s.factor", pre, v->name, axis_name(ax));
                ADD(PESIM_PARAM_SPATIAL_FACTOR, (int32_t)(fan < maxb ? fan : maxb), lv, -1, -1);
                s->params[p].axis = ax;
                lm->sfac[lv][ax] = p;
            }
            if (lv < M - 1)
                for (int k = 0; k < lm->nd; k++) {
                    int d = lm->dims[k];
                    snprintf(name, sizeof name, "%s%s.tile.%s", pre, v->name, pesim_dim_name((pesim_dim)d));
                    ADD(PESIM_PARAM_TILE, lm->n_cand[d], lv, d, -1);
                    lm->tile[lv][d] = p;
                }
            if (lm->nd > 1 && !seq) {
                snprintf(name, sizeof name, "%s%s.order", pre, v->name);
                ADD(PESIM_PARAM_ORDER, factorial(lm->nd), lv, -1, -1);
                lm->order[lv] = p;
            }
            for (int k = 0; seq && k < lm->nd - 1; k++) {
                snprintf(name, sizeof name, "%s%s.order.%d", pre, v->name, k);
                ADD(PESIM_PARAM_ORDER_POS, lm->nd - k, lv, -1, -1);
                s->params[p].pos = k;
                lm->opos[lv][k] = p;
            }
        }
    }
    free(extra);
    return PESIM_OK;
}
#undef ADD
#undef EXTRA

/* ------------------------------------------------------------- decode */

/* The rank of level lv's order (either encoding). */
static int32_t order_rank(const layer_map *lm, int lv, const int32_t *choices)
{
    if (lm->order[lv] >= 0) return choices[lm->order[lv]];
    if (lm->opos[lv][0] < 0) return 0;
    int32_t r = 0;
    for (int k = 0; k < lm->nd - 1; k++) r += choices[lm->opos[lv][k]] * fact[lm->nd - 1 - k];
    return r;
}

void srch_decode_layer_raw(const pesim_space *s, const layer_map *lm, const int32_t *choices, pesim_mapping *m)
{
    const pesim_layer *l = &s->net.layers[lm->layer];
    const int M = s->arch.n_levels;
    /* pesim_mapping_init(m, M), prepared once; levels >= M are never read */
    m->n_levels = M;
    memcpy(m->level, s->identity.level, (size_t)M * sizeof m->level[0]);
    for (int lv = 0; lv < M; lv++) {
        pesim_level_map *x = &m->level[lv];
        if (lv < M - 1)
            for (int k = 0; k < lm->nd; k++) {
                int d = lm->dims[k];
                if (lm->tile[lv][d] >= 0) x->temporal[d] = lm->cand[d][choices[lm->tile[lv][d]]];
            }
        /* order: the ranked dims, then the dims of bound 1 */
        if (lm->nd > 1) {
            const uint8_t *perm = s->perms[lm->nd] + (size_t)order_rank(lm, lv, choices) * (size_t)lm->nd;
            for (int k = 0; k < lm->nd; k++) x->order[k] = lm->dims[perm[k]];
        } else {
            for (int k = 0; k < lm->nd; k++) x->order[k] = lm->dims[k];
        }
        int k = lm->nd;
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (l->dim[d] <= 1) x->order[k++] = (uint8_t)d;
        for (int ax = 0; ax < 2; ax++) {
            int64_t *f = ax ? x->spatial_y : x->spatial_x;
            if (lm->sdim[lv][ax] >= 0) {
                int c = choices[lm->sdim[lv][ax]];
                if (c != 0) f[lm->sdim_of[lv][ax][c]] = (int64_t)choices[lm->sfac[lv][ax]] + 1;
            }
            for (int j = 0; j < lm->nd; j++) {
                int d = lm->dims[j];
                if (lm->sfd[lv][ax][d] >= 0) f[d] = (int64_t)choices[lm->sfd[lv][ax][d]] + 1;
            }
        }
        if (lv < M - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++)
                if (lm->bypass[lv][t] >= 0) x->bypass[t] = (uint8_t)choices[lm->bypass[lv][t]];
    }
}

void srch_clamp_layer(const pesim_space *s, const layer_map *lm, pesim_mapping *m)
{
    const pesim_layer *l = &s->net.layers[lm->layer];
    const int M = m->n_levels;
    /* Digits entirely past the bound become 1, and the outermost level takes
     * what is left. Walking each dim's digits from the least significant
     * (level 0 spatial, level 0 temporal, level 1 spatial, ...): once the
     * product below a digit covers the bound, every index of that digit but 0
     * is empty, so its factor is decoded as 1. This also keeps every product
     * of factors below bound x max(bound, fan-out), far from overflow. */
    pesim_level_map *top = &m->level[M - 1];
    for (int k = 0; k < lm->nd; k++) {
        const int d = lm->dims[k];
        const int64_t D = l->dim[d];
        int64_t prod = 1;
        for (int lv = 0; lv < M; lv++) {
            pesim_level_map *x = &m->level[lv];
            if (prod >= D)
                x->spatial_x[d] = x->spatial_y[d] = 1;
            else
                prod *= x->spatial_x[d] * x->spatial_y[d];
            if (lv == M - 1) break;
            if (prod >= D)
                x->temporal[d] = 1;
            else
                prod *= x->temporal[d];
        }
        top->temporal[d] = prod >= D ? 1 : (D + prod - 1) / prod;
    }
}

int srch_spatial_ok(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const pesim_mapping *m,
                    const int *fu, int from, char *reason, size_t n, pesim_violation *v)
{
    const pesim_layer *l = &s->net.layers[lm->layer];
    for (int lv = from; lv < a->n_levels; lv++) {
        const pesim_level *lev = &a->level[lv];
        for (int ax = 0; ax < 2; ax++) {
            const int64_t *f = ax ? m->level[lv].spatial_y : m->level[lv].spatial_x;
            const uint32_t allow = ax ? lev->spatial_y_dims : lev->spatial_x_dims;
            const int64_t fan = ax ? lev->fanout_y : lev->fanout_x;
            int64_t prod = 1;
            int used = -1, n_used = 0;
            for (int k = 0; k < lm->nd; k++) {
                int d = lm->dims[k];
                if (f[d] <= 1 || (fu && fu[d] < lv)) continue; /* 1, or may yet be clamped to 1 */
                if (!((allow >> d) & 1u)) {
                    if (v) {
                        *v = pesim_violation_make(PESIM_VIOLATION_SPATIAL_DIM);
                        v->layer = lm->layer, v->level = lv, v->dim = d;
                    }
                    if (reason && n)
                        snprintf(reason, n, "%s: %s may not be unrolled on %s at %s", l->name,
                                 pesim_dim_name((pesim_dim)d), ax ? "Y" : "X", lev->name);
                    return 0;
                }
                prod *= f[d];
                used = d, n_used++;
            }
            if (prod > fan) {
                if (v) {
                    *v = pesim_violation_make(PESIM_VIOLATION_FANOUT);
                    v->layer = lm->layer, v->level = lv, v->dim = n_used == 1 ? used : -1;
                    v->amount = (double)prod, v->limit = (double)fan;
                }
                if (reason && n) {
                    if (n_used == 1)
                        snprintf(reason, n, "%s: %s factor %lld of %s exceeds the fan-out %lld of %s", l->name,
                                 ax ? "Y" : "X", (long long)prod, pesim_dim_name((pesim_dim)used), (long long)fan,
                                 lev->name);
                    else
                        snprintf(reason, n, "%s: %s factors (product %lld) exceed the fan-out %lld of %s", l->name,
                                 ax ? "Y" : "X", (long long)prod, (long long)fan, lev->name);
                }
                return 0;
            }
        }
    }
    return 1;
}

int srch_decode_layer(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const int32_t *choices,
                      pesim_mapping *m, char *reason, size_t n, pesim_violation *v)
{
    srch_decode_layer_raw(s, lm, choices, m);
    srch_clamp_layer(s, lm, m);
    return srch_spatial_ok(s, lm, a, m, NULL, 0, reason, n, v);
}

/* The choice of dim d's tile parameter holding factor f; a canonical factor
 * clamped to what the dim needs has none: the smallest larger candidate
 * (it decodes to the same mapping). -1 when there is neither. */
static int32_t tile_choice(const layer_map *lm, int d, int64_t f)
{
    int32_t best = -1;
    for (int32_t c = 0; c < lm->n_cand[d]; c++) {
        if (lm->cand[d][c] == f) return c;
        if (lm->cand[d][c] > f && (best < 0 || lm->cand[d][c] < lm->cand[d][best])) best = c;
    }
    return best;
}

int srch_encode_layer(const pesim_space *s, const layer_map *lm, const pesim_arch *a, const pesim_mapping *m,
                      int32_t *choices)
{
    const int M = a->n_levels;
    if (m->n_levels != M) return 0;
    for (int lv = 0; lv < M; lv++) {
        const pesim_level_map *x = &m->level[lv];
        if (lv < M - 1)
            for (int k = 0; k < lm->nd; k++) {
                int d = lm->dims[k];
                int32_t p = lm->tile[lv][d];
                if (p < 0) continue;
                int32_t c = tile_choice(lm, d, x->temporal[d]);
                if (c < 0) return 0;
                choices[p] = c;
            }
        if (lm->nd > 1) {
            uint8_t rel[PESIM_NDIMS];
            int k = 0;
            for (int i = 0; i < PESIM_NDIMS; i++)
                for (int j = 0; j < lm->nd; j++)
                    if (x->order[i] == lm->dims[j]) rel[k++] = x->order[i];
            if (k != lm->nd) return 0;
            int32_t r = rank(lm->nd, lm->dims, rel);
            if (r < 0) return 0;
            if (lm->order[lv] >= 0) choices[lm->order[lv]] = r;
            for (int j = 0; j < lm->nd - 1 && lm->opos[lv][j] >= 0; j++)
                choices[lm->opos[lv][j]] = (r / fact[lm->nd - 1 - j]) % (lm->nd - j);
        }
        for (int ax = 0; ax < 2; ax++) {
            const int64_t *f = ax ? x->spatial_y : x->spatial_x;
            int used = -1, count = 0;
            for (int d = 0; d < PESIM_NDIMS; d++)
                if (f[d] > 1) used = d, count++;
            if (lm->sdim[lv][ax] >= 0) {   /* one dim and its factor */
                if (count > 1) return 0;
                choices[lm->sdim[lv][ax]] = 0;
                choices[lm->sfac[lv][ax]] = 0;
                if (!count) continue;
                int c = 1;
                int32_t nch = s->params[lm->sdim[lv][ax]].n_choices;
                while (c < nch && lm->sdim_of[lv][ax][c] != used) c++;
                if (c == nch || f[used] > s->params[lm->sfac[lv][ax]].n_choices) return 0;
                choices[lm->sdim[lv][ax]] = c;
                choices[lm->sfac[lv][ax]] = (int32_t)f[used] - 1;
                continue;
            }
            for (int d = 0; d < PESIM_NDIMS; d++) { /* a factor per dim (or none at all) */
                int32_t p = lm->sfd[lv][ax][d];
                if (p < 0) {
                    if (f[d] > 1) return 0;
                    continue;
                }
                if (f[d] > s->params[p].n_choices) return 0;
                choices[p] = (int32_t)f[d] - 1;
            }
        }
        if (lv < M - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++)
                if (lm->bypass[lv][t] >= 0) choices[lm->bypass[lv][t]] = x->bypass[t] ? 1 : 0;
    }
    /* in the space only if it decodes to the same (normalised) mapping */
    pesim_mapping back;
    if (!srch_decode_layer(s, lm, a, choices, &back, NULL, 0, NULL)) return 0;
    const pesim_layer *l = &s->net.layers[lm->layer];
    return srch_hash_mapping(SRCH_HASH_SEED, a, l, &back) == srch_hash_mapping(SRCH_HASH_SEED, a, l, m);
}

/* ------------------------------------------------------------- values */

static void dims_text(const uint8_t *perm, int n, char *buf, size_t cap)
{
    size_t k = 0;
    for (int i = 0; i < n && k + 1 < cap; i++) buf[k++] = pesim_dim_name((pesim_dim)perm[i])[0];
    buf[k] = '\0';
}

int srch_mapping_value(const pesim_space *s, const layer_map *lm, int32_t p, int32_t c, const int32_t *choices,
                       pesim_choice_value *out)
{
    const pesim_param *pp = &s->params[p];
    const int lv = pp->level;
    switch (pp->kind) {
    case PESIM_PARAM_TILE:
        out->factor = lm->cand[pp->dim][c];
        out->number = (double)out->factor;
        snprintf(out->text, sizeof out->text, "%lld", (long long)out->factor);
        return 1;
    case PESIM_PARAM_SPATIAL_FACTOR:
        out->factor = (int64_t)c + 1;
        out->number = (double)out->factor;
        snprintf(out->text, sizeof out->text, "%lld", (long long)out->factor);
        return 1;
    case PESIM_PARAM_SPATIAL_DIM:
        out->dim = c == 0 ? -1 : lm->sdim_of[lv][pp->axis][c];
        out->number = out->dim;
        snprintf(out->text, sizeof out->text, "%s", c == 0 ? "none" : pesim_dim_name((pesim_dim)out->dim));
        return 1;
    case PESIM_PARAM_BYPASS:
        out->number = c;
        snprintf(out->text, sizeof out->text, "%s", c ? "bypass" : "keep");
        return 1;
    case PESIM_PARAM_ORDER: {
        const uint8_t *perm = s->perms[lm->nd] + (size_t)c * (size_t)lm->nd;
        out->n_perm = lm->nd;
        for (int k = 0; k < lm->nd; k++) out->perm[k] = lm->dims[perm[k]];
        out->number = c;
        dims_text(out->perm, out->n_perm, out->text, sizeof out->text);
        return 1;
    }
    case PESIM_PARAM_ORDER_POS: {
        uint8_t pool[PESIM_NDIMS];
        int left = lm->nd;
        memcpy(pool, lm->dims, (size_t)left);
        for (int k = 0; k <= pp->pos; k++) {
            int32_t ck = k == pp->pos ? c : (choices ? choices[lm->opos[lv][k]] : 0);
            if (ck < 0 || ck >= left) ck = 0;
            out->perm[out->n_perm++] = pool[ck];
            memmove(pool + ck, pool + ck + 1, (size_t)(left - ck - 1));
            left--;
        }
        out->dim = out->perm[pp->pos];
        out->number = out->dim;
        snprintf(out->text, sizeof out->text, "%s", pesim_dim_name((pesim_dim)out->dim));
        return 1;
    }
    default: return 0;
    }
}

/* ------------------------------------------------------------ creation */

static pesim_status check_arch(const pesim_arch *a, pesim_error *e)
{
    if (!a) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "arch", "NULL architecture");
    return pesim_arch_check(a, NULL, e);
}

static pesim_status build_mapping_space(space_kind kind, const pesim_arch *a, const pesim_network *net,
                                        const pesim_space_options *opt, pesim_space **out, pesim_error *e)
{
    pesim_space *s = srch_space_new(kind, a, net, e);
    if (!s) return PESIM_ERR_NOMEM;
    if (opt) s->opt = *opt;
    int64_t fx[PESIM_MAX_LEVELS], fy[PESIM_MAX_LEVELS];
    uint32_t ax[PESIM_MAX_LEVELS], ay[PESIM_MAX_LEVELS];
    for (int lv = 0; lv < a->n_levels; lv++) {
        fx[lv] = a->level[lv].fanout_x, fy[lv] = a->level[lv].fanout_y;
        ax[lv] = a->level[lv].spatial_x_dims, ay[lv] = a->level[lv].spatial_y_dims;
    }
    pesim_status st = srch_add_mapping_params(s, fx, fy, ax, ay, e);
    if (!st) st = srch_space_finish(s, e);
    if (st) {
        pesim_space_destroy(s);
        return st;
    }
    *out = s;
    return PESIM_OK;
}

pesim_status pesim_space_mapping_opt(const pesim_arch *a, const pesim_layer *l, const pesim_space_options *opt,
                                     pesim_space **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "NULL output");
    *out = NULL;
    pesim_status st = check_arch(a, e);
    if (st) return st;
    if (!l) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "layer", "NULL layer");
    if ((st = pesim_layer_check(l, e))) return st;
    if (!pesim_layer_has_macs(l))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name, "layer has no MACs to map (%s)",
                               pesim_op_name(l->op));
    pesim_layer one = *l;
    one.n_inputs = 1;
    one.inputs[0] = PESIM_NETWORK_INPUT;
    pesim_network net;
    memset(&net, 0, sizeof net);
    snprintf(net.name, sizeof net.name, "%s", l->name);
    net.n_layers = 1;
    net.layers = &one;
    return build_mapping_space(SPACE_LAYER, a, &net, opt, out, e);
}

pesim_status pesim_space_mapping(const pesim_arch *a, const pesim_layer *l, pesim_space **out, pesim_error *e)
{
    return pesim_space_mapping_opt(a, l, NULL, out, e);
}

pesim_status pesim_space_network_opt(const pesim_arch *a, const pesim_network *net, const pesim_space_options *opt,
                                     pesim_space **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "NULL output");
    *out = NULL;
    pesim_status st = check_arch(a, e);
    if (st) return st;
    if (!net || net->n_layers < 1 || !net->layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "network", "empty or NULL network");
    if (pesim_network_macs(net) <= 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, net->name, "network has no MAC layers");
    return build_mapping_space(SPACE_NETWORK, a, net, opt, out, e);
}

pesim_status pesim_space_network(const pesim_arch *a, const pesim_network *net, pesim_space **out, pesim_error *e)
{
    return pesim_space_network_opt(a, net, NULL, out, e);
}

pesim_status pesim_space_options_parse(const char *text, pesim_space_options *o, pesim_error *e)
{
    memset(o, 0, sizeof *o);
    if (!text) return PESIM_OK;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        char part[64];
        if (len >= sizeof part)
            return pesim_error_set(e, PESIM_ERR_KEY, NULL, 0, "encoding", "'%.*s' is too long", (int)len, p);
        memcpy(part, p, len);
        part[len] = '\0';
        char *eq = strchr(part, '=');
        const char *val = eq ? eq + 1 : "";
        if (eq) *eq = '\0';
        if (strcmp(part, "order") == 0) {
            if (strcmp(val, "rank") == 0) o->order = PESIM_ORDER_RANK;
            else if (strcmp(val, "sequence") == 0) o->order = PESIM_ORDER_SEQUENCE;
            else return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "encoding", "order=%s: expected rank or sequence", val);
        } else if (strcmp(part, "spatial") == 0) {
            if (strcmp(val, "factors") == 0) o->spatial = PESIM_SPATIAL_FACTORS;
            else if (strcmp(val, "dim") == 0) o->spatial = PESIM_SPATIAL_DIM_FACTOR;
            else return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "encoding", "spatial=%s: expected factors or dim", val);
        } else {
            return pesim_error_set(e, PESIM_ERR_KEY, NULL, 0, "encoding",
                                   "unknown encoding '%s' (known: order=rank|sequence, spatial=factors|dim)", part);
        }
        p += len;
        if (*p == ',') p++;
    }
    return PESIM_OK;
}
