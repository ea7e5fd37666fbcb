/* space_mask.c - action masks and the step decode (pesim/search.h "masks
 * and step decode"; docs/search.md "Masks").
 *
 * A cursor holds a partial candidate. The mask of a parameter tries each of
 * its choices on the "smallest completion" of the other unchosen parameters:
 * tile and spatial factors 1 (choice 0), spatial dim none (choice 0), bypass
 * where the arch allows it (choice 1), orders 0, placement in the outermost
 * level (choice 0), and unchosen hardware at its most permissive value per
 * key (largest capacities and fan-outs, the union of allowed spatial dims,
 * no double buffering). Footprints grow with every factor and shrink with
 * every bypass (pesim_nest_level_fits is monotone), so this completion has
 * the smallest footprint at every level at once: a choice it rejects for
 * capacity is rejected by every completion. Fan-out is not monotone under
 * the clamping of digits past the bound (a larger inner factor can clamp an
 * outer spatial factor to 1), so a spatial factor counts toward its axis
 * only when every lower digit of its dim is chosen. For mapping and
 * hardware parameters the same rules with everything chosen are exactly the
 * decoder's and the model's checks. For placement parameters the mask checks
 * a necessary condition only (srch_place_check: each level's live tensors
 * over their lifetimes fit its capacity); the whole-network evaluation also
 * needs room for the staging tiles and a feasible allocation, so a fully
 * masked placement can still be invalid (a PLACEMENT violation).
 *
 * Under an area budget, a hardware choice is allowed only if some completion
 * of the unchosen hardware parameters is a valid arch within the budget (area
 * is not monotone in every key, so the check looks them all up in a table of
 * every hardware design's area, built on first use: at most 65,536 designs,
 * 0.5 MiB; the VTA space's 6,000 add a few milliseconds per cursor in
 * `pesim search` timings). Spaces with more than
 * AREA_TABLE_MAX hardware designs skip this look-ahead: their budget is
 * checked once every hardware parameter is chosen, and a masked decode can
 * then end with a hardware choice no budget-fitting completion has. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nest/nest.h"
#include "space_impl.h"

struct pesim_cursor {
    const pesim_space *s;
    double area_budget_um2;       /* 0: none */
    int32_t n;
    int32_t *x;                   /* the choices made, -1 = not chosen */
    int32_t *tmp;                 /* the completion being tried */
    uint8_t *known;               /* for the completion: 1 where chosen (or being tried) */
    pesim_arch arch;              /* the arch the mapping checks use */
    pesim_mapping m0, m;          /* a layer's completion (unclamped), and a choice tried on it */
    pesim_placement place;
    int64_t *live;                /* placement capacity scratch */
    double *hw_area;              /* every hardware design's area (-1: not a valid arch), mixed radix */
    int32_t hw_designs;           /* entries of hw_area; -1 not built yet, 0 none (too many, or no budget) */
    double *hw_least;             /* per known prefix of L hardware parameters (L = 0..n_hw-1), at
                                     least_off[L] + the prefix's mixed-radix value: the least valid
                                     area of its completions (-1: none valid) */
    int32_t *least_off;           /* n_hw + 1 */
    /* build_arch's last result, kept while the hardware parameters' known
     * choices are the same (arch_key: n_hw entries, -1 = not known) */
    int32_t *arch_key;
    int arch_cached, arch_ok;
    pesim_violation arch_v;
};

#define AREA_TABLE_MAX 65536      /* hardware designs tabulated for the area look-ahead */

pesim_status pesim_cursor_create(const pesim_space *s, const pesim_eval_options *budgets, pesim_cursor **out,
                                 pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "cursor", "NULL output");
    *out = NULL;
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "cursor", "NULL space");
    pesim_cursor *c = calloc(1, sizeof *c);
    if (!c) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "cursor", "out of memory");
    c->s = s;
    c->n = s->n_params;
    c->area_budget_um2 = budgets && budgets->area_budget_um2 > 0 ? budgets->area_budget_um2 : 0;
    c->hw_designs = -1;
    size_t n = (size_t)(c->n > 0 ? c->n : 1);
    c->x = malloc(n * sizeof *c->x);
    c->tmp = malloc(n * sizeof *c->tmp);
    c->known = malloc(n);
    c->arch_key = malloc((size_t)(s->n_hw > 0 ? s->n_hw : 1) * sizeof *c->arch_key);
    pesim_status st = PESIM_OK;
    if (!c->x || !c->tmp || !c->known || !c->arch_key)
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "cursor", "out of memory");
    if (!st && s->kind == SPACE_PLACEMENT) {
        st = pesim_placement_init(&c->place, s->net.n_layers, s->arch.n_levels - 1, e);
        c->live = calloc(((size_t)s->net.n_layers + 1) * PESIM_MAX_LEVELS, sizeof *c->live);
        if (!st && !c->live) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "cursor", "out of memory");
    }
    if (st) {
        pesim_cursor_destroy(c);
        return st;
    }
    pesim_cursor_reset(c);
    *out = c;
    return PESIM_OK;
}

void pesim_cursor_destroy(pesim_cursor *c)
{
    if (!c) return;
    free(c->x);
    free(c->tmp);
    free(c->known);
    free(c->arch_key);
    pesim_placement_free(&c->place);
    free(c->live);
    free(c->hw_area);
    free(c->hw_least);
    free(c->least_off);
    free(c);
}

void pesim_cursor_reset(pesim_cursor *c)
{
    if (!c) return;
    for (int32_t i = 0; i < c->n; i++) c->x[i] = -1;
}

pesim_status pesim_cursor_set(pesim_cursor *c, int32_t param, int32_t choice)
{
    if (!c || param < 0 || param >= c->n || choice < -1 || choice >= c->s->params[param].n_choices)
        return PESIM_ERR_RANGE;
    c->x[param] = choice;
    return PESIM_OK;
}

int32_t pesim_cursor_get(const pesim_cursor *c, int32_t param)
{
    return c && param >= 0 && param < c->n ? c->x[param] : -1;
}

int32_t pesim_cursor_next(const pesim_cursor *c)
{
    if (!c) return 0;
    int32_t i = 0;
    while (i < c->n && c->x[i] >= 0) i++;
    return i;
}

/* ---------------------------------------------------------- completion */

/* The smallest completion's choice of an unchosen parameter. */
static int32_t smallest(const pesim_param *p)
{
    return p->kind == PESIM_PARAM_BYPASS && p->n_choices > 1 ? 1 : 0;
}

/* tmp/known from the choices made (param excluded: the caller tries it). */
static void complete(pesim_cursor *c, int32_t param)
{
    for (int32_t i = 0; i < c->n; i++) {
        int k = c->x[i] >= 0 && i != param;
        c->known[i] = (uint8_t)k;
        c->tmp[i] = k ? c->x[i] : smallest(&c->s->params[i]);
    }
    if (param >= 0) c->known[param] = 1;
}

/* Builds c->hw_area: the area of every hardware design, the first hardware
 * parameter's digit varying fastest, and c->hw_least from it. Returns its
 * entries (0: no table). */
static int32_t area_table(pesim_cursor *c)
{
    if (c->hw_designs >= 0) return c->hw_designs;
    const pesim_space *s = c->s;
    c->hw_designs = 0;
    int64_t n = 1;
    for (int32_t i = 0; i < s->n_hw; i++)
        if ((n *= s->params[i].n_choices) > AREA_TABLE_MAX) return 0;
    size_t n_hw = (size_t)(s->n_hw > 0 ? s->n_hw : 0);
    int32_t *h = calloc(n_hw + 1, sizeof *h);
    pesim_arch *a = malloc(sizeof *a);
    c->hw_area = malloc((size_t)n * sizeof *c->hw_area);
    c->least_off = malloc((n_hw + 1) * sizeof *c->least_off);
    int64_t n_least = 0, R = 1; /* prefix tables of 1, r0, r0 r1, ... entries */
    for (int32_t L = 0; L < s->n_hw; L++) n_least += R, R *= s->params[L].n_choices;
    c->hw_least = malloc((size_t)(n_least > 0 ? n_least : 1) * sizeof *c->hw_least);
    if (!h || !a || !c->hw_area || !c->least_off || !c->hw_least) {
        free(c->hw_area), c->hw_area = NULL;
        free(c->least_off), c->least_off = NULL;
        free(c->hw_least), c->hw_least = NULL;
        free(h), free(a);
        return 0; /* out of memory: no look-ahead */
    }
    for (int64_t k = 0; k < n; k++) {
        int64_t r = k;
        for (int32_t i = 0; i < s->n_hw; i++) h[i] = (int32_t)(r % s->params[i].n_choices), r /= s->params[i].n_choices;
        *a = s->arch;
        c->hw_area[k] = srch_apply_hw(s, h, a, NULL, 0, NULL) ? pesim_arch_area_um2(a) : -1;
    }
    /* table L (R_L = r0 ... r(L-1) entries) from table L + 1 (hw_area for
     * L = n_hw): entry q takes the least of q + R_L t, t < r_L */
    int32_t off = 0;
    R = 1;
    for (int32_t L = 0; L < s->n_hw; L++) c->least_off[L] = off, off += (int32_t)R, R *= s->params[L].n_choices;
    c->least_off[s->n_hw] = -1;
    for (int32_t L = s->n_hw - 1; L >= 0; L--) {
        int32_t RL = 1;
        for (int32_t i = 0; i < L; i++) RL *= s->params[i].n_choices;
        const double *up = L + 1 == s->n_hw ? c->hw_area : c->hw_least + c->least_off[L + 1];
        double *t = c->hw_least + c->least_off[L];
        for (int32_t q = 0; q < RL; q++) {
            double least = -1;
            for (int32_t d = 0; d < s->params[L].n_choices; d++) {
                double v = up[q + RL * d];
                if (v >= 0 && (least < 0 || v < least)) least = v;
            }
            t[q] = least;
        }
    }
    free(h), free(a);
    return c->hw_designs = (int32_t)n;
}

/* The least valid area of the hardware designs that complete the known
 * hardware parameters (as in c->tmp); -1 when none is valid. A known prefix
 * (the step decode's case) is one look-up, anything else a scan. */
static double least_area(pesim_cursor *c, int32_t n)
{
    const pesim_space *s = c->s;
    int32_t L = 0, q = 0, R = 1;
    while (L < s->n_hw && c->known[L]) q += R * c->tmp[L], R *= s->params[L].n_choices, L++;
    int prefix = 1;
    for (int32_t i = L; i < s->n_hw; i++) prefix &= !c->known[i];
    if (prefix && L < s->n_hw) return c->hw_least[c->least_off[L] + q];
    if (prefix) return c->hw_area[q];
    double least = -1;
    for (int32_t k = 0; k < n; k++) {
        int32_t r = k, match = 1;
        for (int32_t i = 0; i < s->n_hw && match; i++) {
            int32_t digit = r % s->params[i].n_choices;
            r /= s->params[i].n_choices;
            match = !c->known[i] || c->tmp[i] == digit;
        }
        double area = c->hw_area[k];
        if (match && area >= 0 && (least < 0 || area < least)) least = area;
    }
    return least;
}

/* 0 (with *v) when no completion of the unchosen hardware parameters (known
 * ones as in c->tmp) is a valid arch within the area budget; 1 otherwise, or
 * when the space has no area table. */
static int area_reachable(pesim_cursor *c, pesim_violation *v)
{
    int32_t n = area_table(c);
    if (n == 0) return 1;
    double least = least_area(c, n);
    if (least >= 0 && least <= c->area_budget_um2) return 1;
    if (v) {
        *v = pesim_violation_make(least < 0 ? PESIM_VIOLATION_STRUCTURE : PESIM_VIOLATION_AREA);
        if (least >= 0) v->amount = least, v->limit = c->area_budget_um2;
    }
    return 0;
}

/* The arch for the mapping checks: the space's (fixed), the decoded one
 * (every hardware parameter known: 1, or 0 with *v when it is not a valid
 * arch or over the area budget), or the most permissive one. It depends only
 * on the hardware parameters' known choices: a call with the same ones as the
 * last returns the last result (c->arch is left as that call built it). */
static int build_arch_uncached(pesim_cursor *c, pesim_violation *v);
static int build_arch(pesim_cursor *c, pesim_violation *v)
{
    int same = c->arch_cached;
    for (int32_t i = 0; i < c->s->n_hw; i++) {
        int32_t key = c->known[i] ? c->tmp[i] : -1;
        same &= c->arch_key[i] == key;
        c->arch_key[i] = key;
    }
    if (!same) {
        c->arch_v = pesim_violation_make(PESIM_VIOLATION_NONE);
        c->arch_ok = build_arch_uncached(c, &c->arch_v);
        c->arch_cached = 1;
    }
    if (!c->arch_ok && v) *v = c->arch_v;
    return c->arch_ok;
}

static int build_arch_uncached(pesim_cursor *c, pesim_violation *v)
{
    const pesim_space *s = c->s;
    c->arch = s->arch;
    int all = 1;
    for (int32_t i = 0; i < s->n_hw; i++) all &= c->known[i];
    if (all) {
        char why[PESIM_REASON_MAX];
        if (s->n_hw > 0 && !srch_apply_hw(s, c->tmp, &c->arch, why, sizeof why, v)) return 0;
        double area = c->area_budget_um2 > 0 ? pesim_arch_area_um2(&c->arch) : 0;
        if (c->area_budget_um2 > 0 && area > c->area_budget_um2) {
            if (v) {
                *v = pesim_violation_make(PESIM_VIOLATION_AREA);
                v->amount = area, v->limit = c->area_budget_um2;
            }
            return 0;
        }
        return 1;
    }
    if (c->area_budget_um2 > 0 && !area_reachable(c, v)) return 0;
    for (int32_t i = 0; i < s->n_hw; i++) {
        const hw_param *hp = &s->hw[i];
        if (c->known[i]) {
            for (int32_t k = 0; k < hp->n_keys; k++)
                srch_hw_apply_value(&c->arch, &hp->key[k], &hp->values[(size_t)c->tmp[i] * (size_t)hp->n_keys + (size_t)k]);
            continue;
        }
        for (int32_t k = 0; k < hp->n_keys; k++) { /* the most permissive value of each key */
            const hw_key *key = &hp->key[k];
            pesim_level *lev = key->level >= 0 ? &c->arch.level[key->level] : NULL;
            for (int32_t val = 0; val < hp->n_values; val++) {
                const hw_value *hv = &hp->values[(size_t)val * (size_t)hp->n_keys + (size_t)k];
                switch (key->field) {
                case HW_FANOUT_X:
                    if (val == 0 || hv->num > lev->fanout_x) lev->fanout_x = (int32_t)hv->num;
                    break;
                case HW_FANOUT_Y:
                    if (val == 0 || hv->num > lev->fanout_y) lev->fanout_y = (int32_t)hv->num;
                    break;
                case HW_CAPACITY:
                    if (val == 0 || hv->num > (double)lev->capacity_words) lev->capacity_words = (int64_t)hv->num;
                    break;
                case HW_TENSOR_CAPACITY:
                    if (val == 0 || hv->num > (double)lev->tensor_capacity_words[key->tensor])
                        lev->tensor_capacity_words[key->tensor] = (int64_t)hv->num;
                    break;
                case HW_SPATIAL_X: lev->spatial_x_dims = val == 0 ? hv->mask : lev->spatial_x_dims | hv->mask; break;
                case HW_SPATIAL_Y: lev->spatial_y_dims = val == 0 ? hv->mask : lev->spatial_y_dims | hv->mask; break;
                case HW_DOUBLE_BUFFERED:
                    if (val == 0 || hv->num == 0) lev->tile_slots = hv->num != 0 ? 2 : 1;
                    break;
                case HW_TILE_SLOTS: /* the fewest slots: the most room per tile */
                    if (val == 0 || hv->num < lev->tile_slots) lev->tile_slots = (int32_t)hv->num;
                    break;
                default: break; /* no effect on validity */
                }
            }
        }
    }
    return 1;
}

/* ------------------------------------------------------------- checks */

/* The lowest level at which a digit of each dim of layer lm is not chosen
 * (PESIM_MAX_LEVELS when all are). */
static void first_unknown(const pesim_cursor *c, const layer_map *lm, int M, int fu[PESIM_NDIMS])
{
    for (int d = 0; d < PESIM_NDIMS; d++) fu[d] = PESIM_MAX_LEVELS;
    for (int lv = M - 1; lv >= 0; lv--)
        for (int k = 0; k < lm->nd; k++) {
            int d = lm->dims[k];
            int unknown = lm->tile[lv][d] >= 0 && !c->known[lm->tile[lv][d]];
            for (int ax = 0; ax < 2; ax++) {
                unknown |= lm->sfd[lv][ax][d] >= 0 && !c->known[lm->sfd[lv][ax][d]];
                if (lm->sdim[lv][ax] >= 0) { /* an unchosen dim or factor may put d here */
                    int p = lm->sdim[lv][ax], f = lm->sfac[lv][ax];
                    if (!c->known[p]) unknown = 1;
                    else if (c->tmp[p] != 0 && lm->sdim_of[lv][ax][c->tmp[p]] == d && !c->known[f]) unknown = 1;
                }
            }
            if (unknown) fu[d] = lv;
        }
}

/* The completion's mapping of layer map lm before clamping, with the
 * parameter being tried (param, -1: none) left at its smallest choice; fu
 * gets first_unknown. */
static void prepare_layer(pesim_cursor *c, const layer_map *lm, int fu[PESIM_NDIMS])
{
    srch_decode_layer_raw(c->s, lm, c->tmp, &c->m0);
    first_unknown(c, lm, c->arch.n_levels, fu);
}

/* Sets choice k of mapping parameter p of lm into the unclamped mapping m
 * (as srch_decode_layer_raw would). Orders change no validity: untouched. */
static void patch(const pesim_cursor *c, const layer_map *lm, int32_t p, int32_t k, pesim_mapping *m)
{
    const pesim_param *pp = &c->s->params[p];
    const int lv = pp->level;
    pesim_level_map *x = &m->level[lv];
    switch (pp->kind) {
    case PESIM_PARAM_TILE: x->temporal[pp->dim] = lm->cand[pp->dim][k]; break;
    case PESIM_PARAM_BYPASS: x->bypass[pp->tensor] = (uint8_t)k; break;
    case PESIM_PARAM_SPATIAL_FACTOR: {
        int64_t *f = pp->axis ? x->spatial_y : x->spatial_x;
        if (pp->dim >= 0) {
            f[pp->dim] = (int64_t)k + 1;
        } else { /* one-dim encoding: the factor of the dim chosen (none: no effect) */
            int32_t dp = lm->sdim[lv][pp->axis];
            if (c->tmp[dp] != 0) f[lm->sdim_of[lv][pp->axis][c->tmp[dp]]] = (int64_t)k + 1;
        }
        break;
    }
    case PESIM_PARAM_SPATIAL_DIM: {
        int64_t *f = pp->axis ? x->spatial_y : x->spatial_x;
        if (k != 0) f[lm->sdim_of[lv][pp->axis][k]] = (int64_t)c->tmp[lm->sfac[lv][pp->axis]] + 1;
        break;
    }
    default: break;
    }
}

/* 1 if the clamped mapping m of layer map lm can be valid on c->arch (fu:
 * first_unknown), checking levels from `from` up, else 0 with *v. */
static int layer_ok(pesim_cursor *c, const layer_map *lm, const pesim_mapping *m, const int fu[PESIM_NDIMS], int from,
                    pesim_violation *v)
{
    const pesim_space *s = c->s;
    const pesim_arch *a = &c->arch;
    const pesim_layer *l = &s->net.layers[lm->layer];
    if (!srch_spatial_ok(s, lm, a, m, fu, from, NULL, 0, v)) return 0;
    if (!pesim_nest_tiles_fit(a, l, m, from, NULL, v)) {
        if (v) v->layer = lm->layer;
        return 0;
    }
    return 1;
}

/* 1 if layer map lm's completion can be valid (every level checked). */
static int layer_complete_ok(pesim_cursor *c, const layer_map *lm, pesim_violation *v)
{
    int fu[PESIM_NDIMS];
    prepare_layer(c, lm, fu);
    srch_clamp_layer(c->s, lm, &c->m0);
    return layer_ok(c, lm, &c->m0, fu, 0, v);
}

/* 1 if the completion's placement passes the necessary capacity check over
 * the lifetimes (srch_place_check), else 0 with *v. */
static int placement_ok(pesim_cursor *c, pesim_violation *v)
{
    const pesim_space *s = c->s;
    pesim_placement *p = &c->place;
    for (int32_t li = 0; li < s->net.n_layers; li++) {
        const int32_t *pc = &s->place_choice[(size_t)li * 2 * PESIM_MAX_LEVELS];
        p->weights_level[li] = s->place_w[li] >= 0 ? pc[c->tmp[s->place_w[li]]] : pc[0];
        p->outputs_level[li] = s->place_o[li] >= 0 ? pc[PESIM_MAX_LEVELS + c->tmp[s->place_o[li]]] : pc[PESIM_MAX_LEVELS];
    }
    return srch_place_check(s, &s->arch, p, c->live, NULL, 0, v);
}

/* The mask of mapping parameter `param` of layer map lm on c->arch (the
 * completion already in c->tmp/known). */
static int32_t mapping_mask(pesim_cursor *c, const layer_map *lm, int32_t param, uint8_t *mask, pesim_violation *why)
{
    const pesim_param *p = &c->s->params[param];
    int fu[PESIM_NDIMS];
    prepare_layer(c, lm, fu);
    const int orderish = p->kind == PESIM_PARAM_ORDER || p->kind == PESIM_PARAM_ORDER_POS;
    /* footprints grow with an ascending factor: past the first capacity
     * failure every larger choice fails too (not taken when the caller asks
     * why: each choice's own first violation is then found) */
    const int monotone = !why && (p->kind == PESIM_PARAM_TILE || p->kind == PESIM_PARAM_SPATIAL_FACTOR);
    int32_t allowed = 0;
    int over = 0;
    pesim_violation v = pesim_violation_make(PESIM_VIOLATION_NONE), cap = v;
    for (int32_t k = 0; k < p->n_choices; k++) {
        int ok;
        if (over) {
            ok = 0, v = cap;
        } else if (orderish && k > 0) {
            ok = mask[0];     /* an order changes no footprint */
        } else {
            v = pesim_violation_make(PESIM_VIOLATION_NONE);
            c->m = c->m0;
            patch(c, lm, param, k, &c->m);
            srch_clamp_layer(c->s, lm, &c->m);
            ok = layer_ok(c, lm, &c->m, fu, 0, &v);
            if (!ok && monotone && v.kind == PESIM_VIOLATION_CAPACITY) over = 1, cap = v;
        }
        mask[k] = (uint8_t)ok;
        allowed += ok;
        if (why) why[k] = ok ? pesim_violation_make(PESIM_VIOLATION_NONE) : v;
    }
    return allowed;
}

int32_t pesim_cursor_mask(pesim_cursor *c, int32_t param, uint8_t *mask, pesim_violation *why)
{
    if (!c || param < 0 || param >= c->n || !mask) return 0;
    const pesim_space *s = c->s;
    const pesim_param *p = &s->params[param];
    complete(c, param);
    pesim_violation av = pesim_violation_make(PESIM_VIOLATION_NONE);
    if (p->kind != PESIM_PARAM_HARDWARE && p->kind != PESIM_PARAM_PLACEMENT) {
        const layer_map *own = &s->maps[s->mac_of[p->layer]];
        /* no mapping fits an arch that is not valid, and a design with
         * another layer that cannot fit is invalid whatever this choice */
        int ok = build_arch(c, &av);
        for (int32_t i = 0; ok && i < s->n_mac; i++)
            if (&s->maps[i] != own) ok = layer_complete_ok(c, &s->maps[i], &av);
        if (!ok) {
            for (int32_t k = 0; k < p->n_choices; k++) {
                mask[k] = 0;
                if (why) why[k] = av;
            }
            return 0;
        }
        return mapping_mask(c, own, param, mask, why);
    }
    int32_t allowed = 0;
    for (int32_t k = 0; k < p->n_choices; k++) {
        c->tmp[param] = k;
        pesim_violation v = pesim_violation_make(PESIM_VIOLATION_NONE);
        int ok;
        if (p->kind == PESIM_PARAM_PLACEMENT) {
            ok = placement_ok(c, &v);
        } else { /* hardware: a valid arch, and every layer's smallest mapping on it */
            ok = build_arch(c, &v);
            for (int32_t i = 0; ok && s->maps && i < s->n_mac; i++) ok = layer_complete_ok(c, &s->maps[i], &v);
        }
        mask[k] = (uint8_t)ok;
        allowed += ok;
        if (why) why[k] = v;
    }
    return allowed;
}

int32_t pesim_cursor_sample(pesim_cursor *c, double (*u01)(void *ctx), void *ctx, int32_t *choices)
{
    if (!c || !u01) return 0;
    int32_t stuck = 0, cap = 0;
    for (int32_t i = 0; i < c->n; i++)
        if (c->s->params[i].n_choices > cap) cap = c->s->params[i].n_choices;
    uint8_t *mask = malloc((size_t)(cap > 0 ? cap : 1));
    if (!mask) return c->n;
    for (int32_t i = 0; i < c->n; i++) {
        if (c->x[i] >= 0) continue;
        int32_t allowed = pesim_cursor_mask(c, i, mask, NULL);
        if (allowed == 0) {
            c->x[i] = 0;
            stuck++;
            continue;
        }
        int32_t pick = (int32_t)(u01(ctx) * (double)allowed);
        if (pick >= allowed) pick = allowed - 1;
        for (int32_t k = 0; k < c->s->params[i].n_choices; k++)
            if (mask[k] && pick-- == 0) {
                c->x[i] = k;
                break;
            }
    }
    free(mask);
    if (choices) memcpy(choices, c->x, (size_t)c->n * sizeof *choices);
    return stuck;
}
