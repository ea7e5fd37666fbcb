/* nest.c - exact access counts of a mapping (the semantics of docs/model.md).
 *
 * Every dim d of the nest is a mixed-radix number whose digits, least
 * significant first, are s_0 t_0 s_1 t_1 ... (spatial factor, then temporal
 * factor, of each level). A point of the iteration space is valid iff every
 * dim's value is below its bound; invalid points (imperfect factors) are
 * skipped. Because the space is a box, every count below factorises over dims
 * (and over the (P,R) and (Q,S) pairs for the input halo), so nothing is
 * enumerated except small halo patterns. */
#include "nest/nest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ND PESIM_NDIMS
#define NT PESIM_NTENSORS

/* Bit d set: dim d indexes the tensor (pesim_dim_relevant, as a table). */
static const unsigned relevant[NT] = {
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_K) | (1u << PESIM_DIM_C) | (1u << PESIM_DIM_R) | (1u << PESIM_DIM_S),
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_N) | (1u << PESIM_DIM_C) | (1u << PESIM_DIM_P) | (1u << PESIM_DIM_Q) |
        (1u << PESIM_DIM_R) | (1u << PESIM_DIM_S),
    (1u << PESIM_DIM_G) | (1u << PESIM_DIM_N) | (1u << PESIM_DIM_K) | (1u << PESIM_DIM_P) | (1u << PESIM_DIM_Q),
};
#define RELEVANT(t, d) ((relevant[t] >> (d)) & 1u)



/* Up to two (extent, count) pairs: the tiles of a dim of bound D cut at
 * granularity g are floor(D/g) full tiles and one tile of D mod g. */
typedef struct dist {
    int k;
    int64_t ext[2], cnt[2];
} dist;

static dist make_dist(int64_t D, int64_t g)
{
    dist r = {0, {0, 0}, {0, 0}};
    if (g >= D) {
        r.k = 1, r.ext[0] = D, r.cnt[0] = 1;
        return r;
    }
    int64_t q, rem;
    if ((D | g) >> 31) q = D / g, rem = D % g;
    else q = (uint32_t)D / (uint32_t)g, rem = (uint32_t)D % (uint32_t)g; /* cheaper division */
    r.ext[0] = g, r.cnt[0] = q, r.k = 1;
    if (rem) r.ext[1] = rem, r.cnt[1] = 1, r.k = 2;
    return r;
}

/* Number of assignments of the selected digits (bit i of sel) with the others
 * at 0 whose value is below D: the non-empty tuples of those loops. */
static int64_t count_nonempty_raw(const pesim_nest_digits *g, int d, uint32_t sel)
{
    const int64_t *f = g->f[d], *w = g->below[d];
    /* the selected digits, ascending, and the combinations below each */
    int idx[PESIM_NEST_DIGITS], ns = 0;
    int64_t full[PESIM_NEST_DIGITS], prod = 1;
    for (uint32_t b = sel; b; b &= b - 1) {
        int k = __builtin_ctz(b);
        idx[ns] = k, full[ns++] = prod;
        prod *= f[k];
    }
    int64_t bound = g->bound[d], total = 0;
    for (int j = ns - 1; j >= 0; j--) {
        int i = idx[j];
        /* 32-bit division when it fits: the common case, and much cheaper */
        int64_t q = (bound | w[i]) >> 31 ? bound / w[i] : (int64_t)((uint32_t)bound / (uint32_t)w[i]);
        if (q >= f[i]) return total + f[i] * full[j];
        total += q * full[j];
        bound -= q * w[i];
        if (bound == 0) return total;
    }
    return total + (bound > 0);
}

static int64_t count_nonempty(pesim_nest_digits *g, int d, uint32_t sel)
{
    sel &= g->nontrivial[d];
    if (g->bound[d] == 1 || sel == 0) return 1; /* only the all-zero tuple */
    for (int i = 0; i < 4; i++)
        if (g->memo_sel[d][i] == sel) return g->memo_val[d][i];
    int64_t v = count_nonempty_raw(g, d, sel);
    int k = g->memo_next[d]++ & 3;
    g->memo_sel[d][k] = sel, g->memo_val[d][k] = v;
    return v;
}

/* Input rows touched by an (A x B) block of (output rows x filter rows). */
int64_t pesim_nest_wdist(const pesim_layer *l, int h, int64_t A, int64_t B)
{
    return h ? pesim_window_distinct(A, B, l->stride_h, l->dilation_h)
             : pesim_window_distinct(A, B, l->stride_w, l->dilation_w);
}

/* Sum over the tiles of (out, filt) at granularities (go, gf) of the rows touched. */
static int64_t halo_sum(const pesim_layer *l, int h, int64_t D_out, int64_t go, int64_t D_filt, int64_t gf)
{
    dist a = make_dist(D_out, go), b = make_dist(D_filt, gf);
    int64_t s = 0;
    for (int i = 0; i < a.k; i++)
        for (int j = 0; j < b.k; j++) s += a.cnt[i] * b.cnt[j] * pesim_nest_wdist(l, h, a.ext[i], b.ext[j]);
    return s;
}

/* Footprint sum of tensor t over all tiles, each dim cut at granularity gr[d]
 * (relevant dims only; irrelevant ones are the caller's multipliers). */
static int64_t footprint_sum(const pesim_layer *l, pesim_tensor t, const int64_t *gr)
{
    const int64_t *D = l->dim;
    switch (t) {
    case PESIM_WEIGHTS:
        return D[PESIM_DIM_G] * D[PESIM_DIM_K] * D[PESIM_DIM_C] * D[PESIM_DIM_R] * D[PESIM_DIM_S];
    case PESIM_OUTPUTS:
        return D[PESIM_DIM_G] * D[PESIM_DIM_N] * D[PESIM_DIM_K] * D[PESIM_DIM_P] * D[PESIM_DIM_Q];
    default:
        return D[PESIM_DIM_G] * D[PESIM_DIM_N] * D[PESIM_DIM_C] *
               halo_sum(l, 1, D[PESIM_DIM_P], gr[PESIM_DIM_P], D[PESIM_DIM_R], gr[PESIM_DIM_R]) *
               halo_sum(l, 0, D[PESIM_DIM_Q], gr[PESIM_DIM_Q], D[PESIM_DIM_S], gr[PESIM_DIM_S]);
    }
}

/* Words of the largest tile of t with extents min(g[d], D[d]). */
static int64_t tile_words(const pesim_layer *l, pesim_tensor t, const int64_t *g)
{
    int64_t e[ND];
    for (int d = 0; d < ND; d++) e[d] = g[d] < l->dim[d] ? g[d] : l->dim[d];
    switch (t) {
    case PESIM_WEIGHTS:
        return e[PESIM_DIM_G] * e[PESIM_DIM_K] * e[PESIM_DIM_C] * e[PESIM_DIM_R] * e[PESIM_DIM_S];
    case PESIM_OUTPUTS:
        return e[PESIM_DIM_G] * e[PESIM_DIM_N] * e[PESIM_DIM_K] * e[PESIM_DIM_P] * e[PESIM_DIM_Q];
    default:
        return e[PESIM_DIM_G] * e[PESIM_DIM_N] * e[PESIM_DIM_C] * pesim_nest_wdist(l, 1, e[PESIM_DIM_P], e[PESIM_DIM_R]) *
               pesim_nest_wdist(l, 0, e[PESIM_DIM_Q], e[PESIM_DIM_S]);
    }
}

/* Overlap of the rows of two adjacent blocks along the advancing dim (a_prev,
 * a_new) with the partner extent b fixed: |S1| + |S2| - |S1 u S2|. adv_is_out:
 * the advancing dim is the output dim (P or Q), else the filter dim. */
int64_t pesim_nest_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t b)
{
    if (adv_is_out) return pesim_nest_wdist(l, h, ap, b) + pesim_nest_wdist(l, h, an, b) - pesim_nest_wdist(l, h, ap + an, b);
    return pesim_nest_wdist(l, h, b, ap) + pesim_nest_wdist(l, h, b, an) - pesim_nest_wdist(l, h, b, ap + an);
}

#define HALO_BITS (1 << 18)

/* |union of the children's new rows| - |union of the children's deltas| for one
 * advance: the children share the advancing range (prev [0,ap), new [ap,ap+an))
 * and split the partner range [0, bu) in consecutive chunks of bc. Returns -1
 * if the pattern is too large to enumerate. */
int64_t pesim_nest_shared_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t bu,
                              int64_t bc)
{
    int64_t st = h ? l->stride_h : l->stride_w, dl = h ? l->dilation_h : l->dilation_w;
    int64_t so = adv_is_out ? st : dl, sp = adv_is_out ? dl : st; /* strides of advancing / partner dim */
    int64_t span = (ap + an) * so + bu * sp + 1;
    if (span > HALO_BITS) return -1;
    static _Thread_local uint64_t bits[HALO_BITS / 64];
    size_t words = (size_t)(span + 63) / 64;
    memset(bits, 0, words * sizeof bits[0]);
    int64_t n_delta = 0;
    for (int64_t b0 = 0; b0 < bu; b0 += bc) {
        int64_t b1 = b0 + bc < bu ? b0 + bc : bu;
        for (int64_t x = ap; x < ap + an; x++)
            for (int64_t y = b0; y < b1; y++) {
                int64_t v = x * so + y * sp;
                /* is v also in this child's previous block? */
                int prev = 0;
                for (int64_t x2 = 0; x2 < ap && !prev; x2++) {
                    int64_t r = v - x2 * so;
                    if (r >= b0 * sp && r < b1 * sp && r % sp == 0) prev = 1;
                }
                if (prev || ((bits[v >> 6] >> (v & 63)) & 1u)) continue;
                bits[v >> 6] |= 1ull << (v & 63);
                n_delta++;
            }
    }
    int64_t n_new = adv_is_out ? pesim_nest_wdist(l, h, an, bu) : pesim_nest_wdist(l, h, bu, an);
    return n_new - n_delta;
}

static int fail(char *reason, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes the reason for an invalid mapping and returns 0 (invalid). */
static int fail(char *reason, size_t n, const char *fmt, ...)
{
    if (reason && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, n, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* The (P,R) / (Q,S) partner of a halo dim. */
static int partner(int d)
{
    switch (d) {
    case PESIM_DIM_P: return PESIM_DIM_R;
    case PESIM_DIM_R: return PESIM_DIM_P;
    case PESIM_DIM_Q: return PESIM_DIM_S;
    case PESIM_DIM_S: return PESIM_DIM_Q;
    default: return -1;
    }
}

/* Counts one (child c, parent p) pair of tensor t; c == -1 is the MAC array. */
static int count_pair(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, pesim_nest_digits *g,
                      pesim_tensor t, int c, int p, pesim_nest_counts *out, char *reason, size_t rn)
{
    const int M = a->n_levels;
    /* Unsupported shape: a spatial factor of a relevant dim above a temporal
     * factor of the same dim at a level the tensor bypasses (the children's
     * union would not be one block). */
    uint32_t t_between = 0, s_between = 0; /* temporal digits of bypassed levels, spatial digits c+1..p */
    for (int lv = c + 1; lv <= p; lv++) {
        s_between |= 1u << (2 * lv);
        if (lv < p) t_between |= 1u << (2 * lv + 1);
    }
    for (int d = 0; d < ND; d++) {
        uint32_t tm = g->nontrivial[d] & t_between;
        if (!tm || !RELEVANT(t, d)) continue;
        uint32_t above = ~((tm & (0u - tm)) - 1u); /* digits above the lowest such temporal digit */
        if (g->nontrivial[d] & s_between & above) {
            int lv = __builtin_ctz(tm) / 2;
            out->violation = pesim_violation_make(PESIM_VIOLATION_UNSUPPORTED);
            out->violation.level = lv, out->violation.tensor = (int32_t)t, out->violation.dim = d;
            return fail(reason, rn, "unsupported mapping: %s bypass %s with a temporal %s factor below a "
                                    "spatial one", pesim_tensor_name(t), a->level[lv].name,
                        pesim_dim_name((pesim_dim)d));
        }
    }

    /* j*: the innermost temporal loop above c with factor > 1 that is relevant
     * to t (any loop for the MAC array, which keeps nothing). The selected
     * loops are those at or outside it; loops of factor 1 never matter. */
    int js = -1;
    for (int i = 0; i < g->n_loops && g->loop_level[i] > c; i++)
        if (c < 0 || RELEVANT(t, g->loop_dim[i])) js = i;
    int jl = js >= 0 ? g->loop_level[js] : -1, jd = js >= 0 ? g->loop_dim[js] : -1;
    uint32_t tsel[ND] = {0};
    for (int i = 0; i <= js; i++) tsel[g->loop_dim[i]] |= 1u << (2 * g->loop_level[i] + 1);
    /* spatial digits above c (child instances) and above p (parent instances) */
    uint32_t sp_c = 0, sp_p = 0;
    for (int lv = c + 1; lv < M; lv++) {
        sp_c |= 1u << (2 * lv);
        if (lv > p) sp_p |= 1u << (2 * lv);
    }
    /* Granularities: the child's tile (gc) and the children's union (gv);
     * dims of bound 1 keep 1 (any granularity covers them). */
    int64_t gc[ND] = {1, 1, 1, 1, 1, 1, 1, 1}, gv[ND] = {1, 1, 1, 1, 1, 1, 1, 1};
    int64_t irr_c = 1, irr_p = 1, irr_sp = 1;
    for (int i = 0; i < g->n_active; i++) {
        int d = g->active[i];
        gc[d] = gv[d] = g->below[d][2 * (c + 1)];
        if (g->nontrivial[d] & s_between)
            for (int lv = c + 1; lv <= p; lv++) gv[d] *= g->f[d][2 * lv];
        if (!RELEVANT(t, d)) {
            irr_c *= count_nonempty(g, d, tsel[d] | sp_c);
            irr_p *= count_nonempty(g, d, tsel[d] | sp_p);
            if (t == PESIM_OUTPUTS) irr_sp *= count_nonempty(g, d, sp_p);
        }
    }
    int64_t E = footprint_sum(l, t, gc) * irr_c; /* words of all child tile loads */
    int64_t U = footprint_sum(l, t, gv) * irr_p; /* words of all children's unions */

    pesim_access *pa = &out->access[p][t];
    pesim_access *ca = c >= 0 ? &out->access[c][t] : NULL;
    if (t == PESIM_OUTPUTS) {
        int64_t F = footprint_sum(l, t, gv) * irr_sp; /* first writes: nothing to read back */
        pa->updates += U;
        pa->reads += U - F;
        if (ca) ca->fills += U - F, ca->reads += E;
        out->noc_words[p][t] += E + (U - F);
        out->noc_reads[p][t] += U - F;
        return 1;
    }

    /* Sliding-window reuse of input halos at the child. */
    int64_t Oc = 0, Op = 0;
    int pd = jd >= 0 ? partner(jd) : -1;
    if (t == PESIM_INPUTS && c >= 0 && a->level[c].sliding_reuse && pd >= 0) {
        int64_t ssp = 1;
        for (int lv = c + 1; lv <= jl; lv++) ssp *= g->f[jd][2 * lv];
        int64_t D = l->dim[jd], gj = gc[jd], fJ = m->level[jl].temporal[jd];
        if (ssp == 1 && gj < D) {
            int64_t ntiles = (D + gj - 1) / gj, nctx = (D + gj * fJ - 1) / (gj * fJ);
            int64_t rem = D % gj, adv = ntiles - nctx;
            int64_t adv_rem = (rem && (ntiles - 1) % fJ) ? 1 : 0, adv_full = adv - adv_rem;
            int h = (jd == PESIM_DIM_P || jd == PESIM_DIM_R);
            int is_out = (jd == PESIM_DIM_P || jd == PESIM_DIM_Q);
            int od = h ? PESIM_DIM_Q : PESIM_DIM_P, of = h ? PESIM_DIM_S : PESIM_DIM_R; /* other pair */
            const int64_t *Dm = l->dim;
            int64_t base = Dm[PESIM_DIM_G] * Dm[PESIM_DIM_N] * Dm[PESIM_DIM_C];
            /* child side: each child keeps its own previous window */
            dist pc = make_dist(l->dim[pd], gc[pd]);
            int64_t sc = 0;
            for (int i = 0; i < pc.k; i++) {
                sc += adv_full * pc.cnt[i] * pesim_nest_overlap(l, h, is_out, gj, gj, pc.ext[i]);
                if (adv_rem) sc += pc.cnt[i] * pesim_nest_overlap(l, h, is_out, gj, rem, pc.ext[i]);
            }
            Oc = sc * base * halo_sum(l, !h, Dm[od], gc[od], Dm[of], gc[of]) * irr_c;
            /* parent side: union over the children (they may split the partner dim) */
            dist pv = make_dist(l->dim[pd], gv[pd]);
            int64_t sp = 0;
            for (int i = 0; i < pv.k; i++) {
                int64_t o_full = 0, o_rem = 0;
                if (gv[pd] == gc[pd]) {
                    o_full = pesim_nest_overlap(l, h, is_out, gj, gj, pv.ext[i]);
                    if (adv_rem) o_rem = pesim_nest_overlap(l, h, is_out, gj, rem, pv.ext[i]);
                } else {
                    o_full = pesim_nest_shared_overlap(l, h, is_out, gj, gj, pv.ext[i], gc[pd]);
                    if (adv_rem) o_rem = pesim_nest_shared_overlap(l, h, is_out, gj, rem, pv.ext[i], gc[pd]);
                    if (o_full < 0 || o_rem < 0) {
                        out->violation = pesim_violation_make(PESIM_VIOLATION_UNSUPPORTED);
                        out->violation.tensor = (int32_t)t, out->violation.dim = jd;
                        return fail(reason, rn, "unsupported mapping: halo pattern of %s too large",
                                    pesim_tensor_name(t));
                    }
                }
                sp += pv.cnt[i] * (adv_full * o_full + adv_rem * o_rem);
            }
            Op = sp * base * halo_sum(l, !h, Dm[od], gv[od], Dm[of], gv[of]) * irr_p;
        }
    }
    pa->reads += U - Op;
    if (ca) ca->fills += E - Oc;
    out->noc_words[p][t] += E - Oc;
    /* words the network injects: a unicast network one copy per child, a bus or
     * systolic one the multicast union (the MAC array's own paths: the union) */
    out->noc_reads[p][t] += c >= 0 && a->level[p].noc[t].kind == PESIM_NOC_UNICAST ? E - Oc : U - Op;
    return 1;
}

int pesim_nest_digits_init(pesim_nest_digits *g, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m)
{
    const int M = a->n_levels;
    int bad = m->n_levels != M;
    g->n = 2 * M;
    g->n_active = 0;
    int64_t fx[PESIM_MAX_LEVELS] = {1, 1, 1, 1, 1, 1, 1, 1}, fy[PESIM_MAX_LEVELS] = {1, 1, 1, 1, 1, 1, 1, 1};
    for (int d = 0; d < ND; d++) {
        g->bound[d] = l->dim[d];
        if (l->dim[d] > 1) g->active[g->n_active++] = (uint8_t)d;
        int64_t *f = g->f[d], *below = g->below[d];
        uint32_t nt = 0;
        below[0] = 1;
        for (int lv = 0; lv < M; lv++) {
            const pesim_level_map *lm = &m->level[lv];
            int64_t x = lm->spatial_x[d], y = lm->spatial_y[d], t = lm->temporal[d];
            bad |= (x < 1) | (y < 1) | (t < 1);
            bad |= (x > 1 && !((a->level[lv].spatial_x_dims >> d) & 1u)) |
                   (y > 1 && !((a->level[lv].spatial_y_dims >> d) & 1u));
            fx[lv] *= x, fy[lv] *= y;
            f[2 * lv] = x * y;
            f[2 * lv + 1] = t;
            below[2 * lv + 1] = below[2 * lv] * f[2 * lv];
            below[2 * lv + 2] = below[2 * lv + 1] * t;
            nt |= (uint32_t)(x * y > 1) << (2 * lv) | (uint32_t)(t > 1) << (2 * lv + 1);
        }
        bad |= below[2 * M] < l->dim[d];
        g->nontrivial[d] = nt;
        g->memo_next[d] = 0;
        for (int i = 0; i < 4; i++) g->memo_sel[d][i] = 0; /* 0 is never looked up */
    }
    g->n_loops = 0;
    for (int lv = M - 1; lv >= 0; lv--) {
        const pesim_level_map *lm = &m->level[lv];
        unsigned seen = 0;
        bad |= fx[lv] > a->level[lv].fanout_x || fy[lv] > a->level[lv].fanout_y;
        bad |= (lm->bypass[0] > 1) | (lm->bypass[1] > 1) | (lm->bypass[2] > 1);
        for (int i = 0; i < ND; i++) {
            int d = lm->order[i] & 7;
            bad |= lm->order[i] >= ND;
            seen |= 1u << d;
            if (lm->temporal[d] > 1)
                g->loop_level[g->n_loops] = (uint8_t)lv, g->loop_dim[g->n_loops++] = (uint8_t)d;
        }
        bad |= seen != 0xFFu;
    }
    return !bad;
}

int pesim_nest_level_fits(const pesim_arch *a, const pesim_layer *l, int lv, const int64_t gt[PESIM_NDIMS],
                          const uint8_t keeps[PESIM_NTENSORS], int64_t words[PESIM_NTENSORS], pesim_violation *v)
{
    const pesim_level *lev = &a->level[lv];
    const int64_t mult = lev->double_buffered ? 2 : 1;
    int64_t shared = 0;
    for (int t = 0; t < NT; t++) {
        int64_t w = keeps[t] ? tile_words(l, (pesim_tensor)t, gt) : 0;
        if (words) words[t] = w;
        if (!keeps[t]) continue;
        if (lev->tensor_capacity_words[t] > 0) {
            if (w * mult > lev->tensor_capacity_words[t]) {
                if (v) {
                    *v = pesim_violation_make(PESIM_VIOLATION_CAPACITY);
                    v->level = lv, v->tensor = t;
                    v->amount = (double)(w * mult), v->limit = (double)lev->tensor_capacity_words[t];
                }
                return 0;
            }
        } else {
            shared += w;
        }
    }
    if (lev->capacity_words > 0 && shared * mult > lev->capacity_words) {
        if (v) {
            *v = pesim_violation_make(PESIM_VIOLATION_CAPACITY);
            v->level = lv;
            v->amount = (double)(shared * mult), v->limit = (double)lev->capacity_words;
        }
        return 0;
    }
    return 1;
}

int pesim_nest_count(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                     pesim_nest_counts *out, char *reason, size_t n)
{
    memset(out, 0, sizeof *out);
    out->violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    if (reason && n) reason[0] = '\0';
    const int M = a->n_levels;
    pesim_nest_digits g;
    if (m->n_levels != M || !pesim_nest_digits_init(&g, a, l, m)) { /* the slow path says what is wrong */
        pesim_error err;
        if (pesim_mapping_check(m, a, l, &err) == PESIM_OK)
            snprintf(err.key, sizeof err.key, "%s", "mapping"), snprintf(err.msg, sizeof err.msg, "invalid");
        if (reason && n) snprintf(reason, n, "%s%s%s", err.key, err.key[0] ? ": " : "", err.msg);
        out->violation = pesim_violation_make(PESIM_VIOLATION_STRUCTURE);
        return 0;
    }

    /* Capacity of every bounded level. */
    for (int lv = 0; lv < M - 1; lv++) {
        int64_t gt[ND];
        uint8_t keeps[NT];
        for (int d = 0; d < ND; d++) gt[d] = g.below[d][2 * lv + 2];
        for (int t = 0; t < NT; t++) keeps[t] = (uint8_t)pesim_mapping_keeps(a, m, lv, (pesim_tensor)t);
        if (!pesim_nest_level_fits(a, l, lv, gt, keeps, out->tile_words[lv], &out->violation)) {
            const pesim_violation *v = &out->violation;
            char buf[96];
            int db = a->level[lv].double_buffered != 0;
            snprintf(buf, sizeof buf, "%lld words%s > %lld", (long long)(v->amount / (db ? 2 : 1)),
                     db ? " x2 (double-buffered)" : "", (long long)v->limit);
            if (v->tensor >= 0)
                return fail(reason, n, "capacity exceeded at %s for %s: %s", a->level[lv].name,
                            pesim_tensor_name((pesim_tensor)v->tensor), buf);
            return fail(reason, n, "capacity exceeded at %s for the shared tiles: %s", a->level[lv].name, buf);
        }
    }

    for (int t = 0; t < NT; t++) {
        int c = -1;
        for (int p = 0; p < M; p++) {
            if (!pesim_mapping_keeps(a, m, p, (pesim_tensor)t)) continue;
            if (!count_pair(a, l, m, &g, (pesim_tensor)t, c, p, out, reason, n)) return 0;
            c = p;
        }
    }

    /* Every digit selected covers each dim exactly: the MACs are the layer's
     * (tests/nest_ref.h checks this by enumeration). */
    int64_t macs = 1, steps = 1, lanes = 1;
    uint32_t temporal = 0;
    for (int lv = 0; lv < M; lv++) temporal |= 1u << (2 * lv + 1);
    for (int d = 0; d < ND; d++) {
        macs *= l->dim[d];
        steps *= count_nonempty(&g, d, temporal);
        for (int lv = 0; lv < M; lv++) lanes *= g.f[d][2 * lv];
    }
    out->macs = macs;
    out->temporal_steps = steps;
    out->spatial_used = lanes;
    return 1;
}
