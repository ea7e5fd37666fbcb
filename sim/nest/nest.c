/* nest.c - exact access counts of a mapping (the semantics of docs/model.md).
 *
 * Every dim d of the nest is a mixed-radix number whose digits, least
 * significant first, are s_0 t_0 s_1 t_1 ... (spatial factor, then temporal
 * factor, of each level). A point of the iteration space is valid iff every
 * dim's value is below its bound; invalid points (imperfect factors) are
 * skipped. Because the space is a box, every count below factorises over dims
 * (and over the (P,R) and (Q,S) pairs for the input halo).
 *
 * For a (child c, parent p) pair, the digits of a dim split into the child's
 * tile (digits below level c+1: one block of `gc`), the children of one
 * parent (the spatial digits of levels c+1..p, "union digits"), and the fixed
 * digits of an event (the selected temporal digits and the parent instance's
 * spatial digits). When a temporal digit of a level between child and parent
 * (a level the tensor bypasses) sits below a union digit, the children's
 * union along that dim is not one block but a comb; for weights and outputs
 * that changes nothing in the totals (each value is still counted once), for
 * input windows it does, and the parent side is then counted by enumerating
 * the children of one parent (pesim_nest_halo_parent), once per distinct
 * shape of the union, over histograms of those shapes. */
#include "nest/nest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ND PESIM_NDIMS
#define NT PESIM_NTENSORS

enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
       P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };

/* Bit d set: dim d indexes the tensor (pesim_dim_relevant, as a table). */
static const unsigned relevant[NT] = {
    (1u << G) | (1u << K) | (1u << C) | (1u << R) | (1u << S),
    (1u << G) | (1u << N) | (1u << C) | (1u << P) | (1u << Q) | (1u << R) | (1u << S),
    (1u << G) | (1u << N) | (1u << K) | (1u << P) | (1u << Q),
};
#define RELEVANT(t, d) ((relevant[t] >> (d)) & 1u)
#define HALO_DIMS ((1u << P) | (1u << Q) | (1u << R) | (1u << S))

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

/* count_nonempty of selected digits sel != 0, through g's memo. */
static int64_t count_nonempty_memo(pesim_nest_digits *g, int d, uint32_t sel)
{
    for (int i = 0; i < 4; i++)
        if (g->memo_sel[d][i] == sel) return g->memo_val[d][i];
    int64_t v = count_nonempty_raw(g, d, sel);
    int k = g->memo_next[d]++ & 3;
    g->memo_sel[d][k] = sel, g->memo_val[d][k] = v;
    return v;
}

static inline int64_t count_nonempty(pesim_nest_digits *g, int d, uint32_t sel)
{
    sel &= g->nontrivial[d]; /* none when the bound is 1: no digit can pass 0 */
    return sel == 0 ? 1 : count_nonempty_memo(g, d, sel); /* 0: only the all-zero tuple */
}

static int64_t stride_of(const pesim_layer *l, int h) { return h ? l->stride_h : l->stride_w; }
static int64_t dil_of(const pesim_layer *l, int h) { return h ? l->dilation_h : l->dilation_w; }

/* Input rows touched by an (A x B) block of (output rows x filter rows). */
int64_t pesim_nest_wdist(const pesim_layer *l, int conv, int h, int64_t A, int64_t B)
{
    if (A <= 0 || B <= 0) return 0;
    if (conv == PESIM_CONV_TIMELOOP) return (A - 1) * stride_of(l, h) + (B - 1) * dil_of(l, h) + 1;
    return pesim_window_distinct(A, B, stride_of(l, h), dil_of(l, h));
}

/* Sum over the tiles of (out, filt) at granularities (go, gf) of the rows touched. */
static int64_t halo_sum(const pesim_layer *l, int conv, int h, int64_t D_out, int64_t go, int64_t D_filt,
                        int64_t gf)
{
    dist a = make_dist(D_out, go), b = make_dist(D_filt, gf);
    int64_t s = 0;
    for (int i = 0; i < a.k; i++)
        for (int j = 0; j < b.k; j++) s += a.cnt[i] * b.cnt[j] * pesim_nest_wdist(l, conv, h, a.ext[i], b.ext[j]);
    return s;
}

/* Footprint sum of tensor t over all tiles, each dim cut at granularity gr[d]
 * (relevant dims only; irrelevant ones are the caller's multipliers). */
static int64_t footprint_sum(const pesim_layer *l, int conv, pesim_tensor t, const int64_t *gr)
{
    const int64_t *D = l->dim;
    switch (t) {
    case PESIM_WEIGHTS: return D[G] * D[K] * D[C] * D[R] * D[S];
    case PESIM_OUTPUTS: return D[G] * D[N] * D[K] * D[P] * D[Q];
    default:
        return D[G] * D[N] * D[C] * halo_sum(l, conv, 1, D[P], gr[P], D[R], gr[R]) *
               halo_sum(l, conv, 0, D[Q], gr[Q], D[S], gr[S]);
    }
}

/* Words of the tile of t with extents e[d] (each at most the bound). */
static int64_t tile_words_of(const pesim_layer *l, int conv, pesim_tensor t, const int64_t *e)
{
    switch (t) {
    case PESIM_WEIGHTS: return e[G] * e[K] * e[C] * e[R] * e[S];
    case PESIM_OUTPUTS: return e[G] * e[N] * e[K] * e[P] * e[Q];
    default:
        return e[G] * e[N] * e[C] * pesim_nest_wdist(l, conv, 1, e[P], e[R]) * pesim_nest_wdist(l, conv, 0, e[Q], e[S]);
    }
}

/* Words of the largest tile of t with extents min(g[d], D[d]). */
static int64_t tile_words(const pesim_layer *l, int conv, pesim_tensor t, const int64_t *g)
{
    int64_t e[ND];
    for (int d = 0; d < ND; d++) e[d] = g[d] < l->dim[d] ? g[d] : l->dim[d];
    return tile_words_of(l, conv, t, e);
}

int64_t pesim_nest_overlap(const pesim_layer *l, int conv, int h, int adv_is_out, int64_t ap, int64_t an,
                           int64_t b, int64_t shift)
{
    if (conv == PESIM_CONV_TIMELOOP) {
        int64_t rp = pesim_nest_wdist(l, conv, h, adv_is_out ? ap : b, adv_is_out ? b : ap);
        int64_t rn = pesim_nest_wdist(l, conv, h, adv_is_out ? an : b, adv_is_out ? b : an);
        int64_t o = rp - shift * (adv_is_out ? stride_of(l, h) : dil_of(l, h));
        return o <= 0 ? 0 : o < rn ? o : rn;
    }
    (void)shift; /* adjacent windows */
    if (adv_is_out)
        return pesim_nest_wdist(l, conv, h, ap, b) + pesim_nest_wdist(l, conv, h, an, b) -
               pesim_nest_wdist(l, conv, h, ap + an, b);
    return pesim_nest_wdist(l, conv, h, b, ap) + pesim_nest_wdist(l, conv, h, b, an) -
           pesim_nest_wdist(l, conv, h, b, ap + an);
}

/* A bitmap of rows, one window of MARK_BITS rows at a time: callers that mark
 * a set larger than a window repeat the marking once per window. */
#define MARK_BITS (1 << 18)
static _Thread_local uint64_t mark_bits[MARK_BITS / 64];

typedef struct rowmark {
    int64_t base, n; /* rows [base, base + n) of this window */
    int64_t count;
} rowmark;

static void mark_reset(rowmark *m, int64_t base, int64_t span)
{
    m->base = base;
    m->n = span < MARK_BITS ? span : MARK_BITS;
    m->count = 0;
    memset(mark_bits, 0, (size_t)(m->n + 63) / 64 * sizeof mark_bits[0]);
}

static void mark_row(rowmark *m, int64_t v)
{
    int64_t i = v - m->base;
    if (i < 0 || i >= m->n) return;
    uint64_t bit = 1ull << (i & 63);
    if (mark_bits[i >> 6] & bit) return;
    mark_bits[i >> 6] |= bit;
    m->count++;
}

/* 1 if some p in [p0, p1) and r in [r0, r1) give p*so + r*sf == v. */
static int window_has(int64_t v, int64_t p0, int64_t p1, int64_t r0, int64_t r1, int64_t so, int64_t sf)
{
    for (int64_t r = r0; r < r1; r++) {
        int64_t x = v - r * sf;
        if (x < p0 * so || x >= p1 * so) continue;
        if (x % so == 0) return 1;
    }
    return 0;
}

int64_t pesim_nest_shared_overlap(const pesim_layer *l, int h, int adv_is_out, int64_t ap, int64_t an, int64_t bu,
                                  int64_t bc)
{
    int64_t st = stride_of(l, h), dl = dil_of(l, h);
    int64_t so = adv_is_out ? st : dl, sp = adv_is_out ? dl : st; /* strides of advancing / partner dim */
    int64_t span = (ap + an) * so + bu * sp + 1, n_delta = 0;
    for (int64_t base = 0; base < span; base += MARK_BITS) {
        rowmark mk;
        mark_reset(&mk, base, span - base);
        for (int64_t b0 = 0; b0 < bu; b0 += bc) {
            int64_t b1 = b0 + bc < bu ? b0 + bc : bu;
            for (int64_t x = ap; x < ap + an; x++)
                for (int64_t y = b0; y < b1; y++) {
                    int64_t v = x * so + y * sp;
                    if (!window_has(v, 0, ap, b0, b1, so, sp)) mark_row(&mk, v); /* not in this child's previous block */
                }
        }
        n_delta += mk.count;
    }
    int64_t n_new = adv_is_out ? pesim_nest_wdist(l, PESIM_CONV_PESIM, h, an, bu)
                               : pesim_nest_wdist(l, PESIM_CONV_PESIM, h, bu, an);
    return n_new - n_delta;
}

/* The (P,R) / (Q,S) partner of a halo dim. */
static int partner(int d)
{
    switch (d) {
    case P: return R;
    case R: return P;
    case Q: return S;
    case S: return Q;
    default: return -1;
    }
}

/* The per-dim fields of pair pr for parent p (un, top, gc, gv, gsub, comb)
 * and its general and slow flags. */
static void pair_dims(pesim_nest_pair *pr, const pesim_nest_digits *g, int t, int c, int p)
{
    uint32_t between = 0; /* spatial digits of levels c+1..p */
    for (int lv = c + 1; lv <= p; lv++) between |= 1u << (2 * lv);
    int64_t g0[ND];
    for (int d = 0; d < ND; d++) {
        g0[d] = g->below[d][2 * (c + 1)];
        pr->gc[d] = pr->gv[d] = pr->gsub[d] = g0[d];
        pr->un[d] = pr->top[d] = 0;
        pr->comb[d] = 0;
    }
    int slow = 0;
    for (int k = 0; k < g->n_active; k++) {
        int d = g->active[k];
        uint32_t un = g->nontrivial[d] & between;
        if (!un) continue;
        pr->un[d] = un;
        pr->top[d] = un & (1u << (2 * p));
        int64_t gv = g0[d];
        for (uint32_t b = un; b; b &= b - 1) {
            int i = __builtin_ctz(b);
            gv += (g->f[d][i] - 1) * g->below[d][i];
        }
        pr->gv[d] = pr->gsub[d] = gv;
        if (pr->top[d]) pr->gsub[d] -= (g->f[d][2 * p] - 1) * g->below[d][2 * p];
        /* a running non-union digit between the tile and the top union digit? */
        int top = 31 - __builtin_clz(un);
        uint32_t range = ((2u << top) - 1u) & ~((1u << (2 * (c + 1))) - 1u);
        pr->comb[d] = (g->nontrivial[d] & range & ~un) != 0;
        slow |= pr->comb[d] && RELEVANT(t, d);
    }
    pr->general = 0;
    if (t == PESIM_INPUTS) {
        pr->general = pr->comb[P] | pr->comb[Q] | pr->comb[R] | pr->comb[S];
        /* "timeloop" shares identical windows of the parent's direct children only */
        if (pr->conv == PESIM_CONV_TIMELOOP && (pr->top[P] | pr->top[Q] | pr->top[R] | pr->top[S])) pr->general = 1;
    }
    pr->slow = pr->general | slow;
}

void pesim_nest_pair_init(pesim_nest_pair *pr, const pesim_nest_digits *g, const pesim_arch *a,
                          const pesim_mapping *m, int t, int c, int p)
{
    (void)m;
    const int M = a->n_levels;
    pr->tensor = (int8_t)t, pr->child = (int8_t)c, pr->parent = (int8_t)p;
    pr->conv = (int8_t)(c < 0 ? PESIM_CONV_PESIM : g->conv);
    /* j*: the innermost temporal loop above c with factor > 1 that is relevant
     * to t (any loop for the MAC array, which keeps nothing). The selected
     * loops are those at or outside it; loops of factor 1 never matter. */
    pr->js = -1, pr->jd = -1, pr->sliding = 0, pr->shift = 0;
    for (int i = 0; i < g->n_loops && g->loop_level[i] > c; i++)
        if (c < 0 || RELEVANT(t, g->loop_dim[i])) pr->js = i;
    memset(pr->tsel, 0, sizeof pr->tsel);
    for (int i = 0; i <= pr->js; i++) pr->tsel[g->loop_dim[i]] |= 1u << (2 * g->loop_level[i] + 1);
    pr->sp_c = pr->sp_p = 0;
    for (int lv = c + 1; lv < M; lv++) {
        pr->sp_c |= 1u << (2 * lv);
        if (lv > p) pr->sp_p |= 1u << (2 * lv);
    }
    pair_dims(pr, g, t, c, p);
    if (pr->js < 0) return;
    int jd = pr->jd = g->loop_dim[pr->js], jl = g->loop_level[pr->js];
    pr->shift = g->below[jd][2 * jl + 1];
    if (t == PESIM_INPUTS && c >= 0 && partner(jd) >= 0 && pr->gc[jd] < g->bound[jd]) {
        if (g->conv == PESIM_CONV_TIMELOOP) {
            /* Timeloop keeps the overlap of a child's consecutive windows,
             * unless a loop with factor > 1 runs inside j* above the child */
            pr->sliding = 1;
            for (int i = pr->js + 1; i < g->n_loops; i++)
                if (g->loop_level[i] > c) pr->sliding = 0;
        } else if (a->level[c].sliding_reuse) {
            uint32_t ssp = 0; /* spatial factors of jd between the child and j* */
            for (int lv = c + 1; lv <= jl; lv++) ssp |= g->nontrivial[jd] & (1u << (2 * lv));
            pr->sliding = ssp == 0;
        }
    }
}

/* The pair pr with its parent moved down to level lv (between its child and
 * its parent): the union at lv's granularity, for lv's network. */
static void pair_at(pesim_nest_pair *vp, const pesim_nest_pair *pr, const pesim_nest_digits *g, int M, int lv)
{
    *vp = *pr;
    vp->parent = (int8_t)lv;
    vp->sp_p = 0;
    for (int u = lv + 1; u < M; u++) vp->sp_p |= 1u << (2 * u);
    pair_dims(vp, g, pr->tensor, pr->child, lv);
}

/* ---- the children of one parent along a halo dim ---- */

typedef struct teeth {
    int n;                          /* union digits */
    int64_t w[PESIM_NEST_DIGITS], f[PESIM_NEST_DIGITS];
    int64_t g;                      /* child tile granularity */
    int64_t u[PESIM_NEST_DIGITS];   /* odometer */
    int64_t base;                   /* the current child's origin */
} teeth;

/* The children along dim d named by the digits `mask`, each a tooth of gran. */
static void teeth_mask(teeth *tt, const pesim_nest_digits *g, int d, uint32_t mask, int64_t gran)
{
    tt->n = 0;
    for (uint32_t b = mask; b; b &= b - 1) {
        int i = __builtin_ctz(b);
        tt->w[tt->n] = g->below[d][i], tt->f[tt->n++] = g->f[d][i];
    }
    tt->g = gran;
}

/* The children of the pair along dim d: "pesim", every child tile;
 * "timeloop" (teeth_init_top), the parent's direct children, whose subtree
 * boxes are measured by sub_extent. */
static void teeth_init(teeth *tt, const pesim_nest_digits *g, const pesim_nest_pair *pr, int d)
{
    teeth_mask(tt, g, d, pr->un[d], pr->gc[d]);
}

static void teeth_init_top(teeth *tt, const pesim_nest_digits *g, const pesim_nest_pair *pr, int d)
{
    teeth_mask(tt, g, d, pr->top[d], pr->gsub[d]);
}

static void teeth_first(teeth *tt)
{
    for (int i = 0; i < tt->n; i++) tt->u[i] = 0;
    tt->base = 0;
}

static int teeth_next(teeth *tt)
{
    for (int i = 0; i < tt->n; i++) {
        tt->base += tt->w[i];
        if (++tt->u[i] < tt->f[i]) return 1;
        tt->base -= tt->u[i] * tt->w[i];
        tt->u[i] = 0;
    }
    return 0;
}

/* "timeloop": extent along dim d of the box of the values below e of the
 * direct child whose origin is b (its subtree's leaves, a comb when a level
 * the tensor bypasses splits them). */
static int64_t sub_extent(const pesim_nest_digits *g, const pesim_nest_pair *pr, int d, int64_t b, int64_t e)
{
    int64_t room = e - b;
    if (room <= 0) return 0;
    if (room >= pr->gsub[d]) return pr->gsub[d];
    teeth lt; /* the leaves' teeth below the parent's own digits */
    teeth_mask(&lt, g, d, pr->un[d] & ~pr->top[d], pr->gc[d]);
    int64_t end = 0;
    teeth_first(&lt);
    do
        if (lt.base < room) {
            int64_t hi = lt.base + pr->gc[d] < room ? lt.base + pr->gc[d] : room;
            if (hi > end) end = hi;
        }
    while (teeth_next(&lt));
    return end;
}

typedef struct span2 {
    int64_t lo, len;
} span2;

static int span2_cmp(const void *x, const void *y)
{
    const span2 *a = x, *b = y;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

#define WIN_BUF 4096
static _Thread_local span2 win_buf[WIN_BUF];

int64_t pesim_nest_halo_parent(const pesim_nest_digits *g, const pesim_layer *l, const pesim_nest_pair *pr,
                               int h, int64_t eo, int64_t ef, int adv)
{
    const int od = h ? P : Q, fd = h ? R : S;
    const int conv = pr->conv;
    const int64_t so = stride_of(l, h), sf = dil_of(l, h);
    teeth to, tf;
    int adv_o = adv && pr->sliding && pr->jd == od, adv_f = adv && pr->sliding && pr->jd == fd;
    int64_t sh = pr->shift;
    if (conv == PESIM_CONV_TIMELOOP) {
        /* the sum over the distinct windows (or deltas) of the parent's direct
         * children, each the box of its subtree's windows */
        teeth_init_top(&to, g, pr, od);
        teeth_init_top(&tf, g, pr, fd);
        int64_t n_kids = 1;
        for (int i = 0; i < to.n; i++) n_kids *= to.f[i];
        for (int i = 0; i < tf.n; i++) n_kids *= tf.f[i];
        span2 *buf = n_kids <= WIN_BUF ? win_buf : malloc((size_t)n_kids * sizeof *buf);
        if (!buf) return -1;
        int64_t n = 0;
        teeth_first(&to);
        do {
            int64_t xo = sub_extent(g, pr, od, to.base, eo);
            if (xo <= 0) continue;
            teeth_first(&tf);
            do {
                int64_t xf = sub_extent(g, pr, fd, tf.base, ef);
                if (xf <= 0) continue;
                span2 w = {to.base * so + tf.base * sf, (xo - 1) * so + (xf - 1) * sf + 1};
                if (adv_o || adv_f) { /* the previous window, one advance earlier */
                    int64_t po = adv_o ? sub_extent(g, pr, od, to.base, eo + sh) : xo;
                    int64_t pf = adv_f ? sub_extent(g, pr, fd, tf.base, ef + sh) : xf;
                    int64_t plo = w.lo - sh * (adv_o ? so : sf);
                    int64_t phi = plo + (po - 1) * so + (pf - 1) * sf + 1;
                    if (phi > w.lo) { /* overlapping: keep what is new */
                        int64_t hi = w.lo + w.len;
                        if (phi >= hi) continue;
                        w.len = hi - phi, w.lo = phi;
                    }
                }
                buf[n++] = w;
            } while (teeth_next(&tf));
        } while (teeth_next(&to));
        qsort(buf, (size_t)n, sizeof *buf, span2_cmp);
        int64_t sum = 0;
        for (int64_t i = 0; i < n; i++)
            if (i == 0 || buf[i].lo != buf[i - 1].lo || buf[i].len != buf[i - 1].len) sum += buf[i].len;
        if (buf != win_buf) free(buf);
        return sum;
    }
    /* "pesim": the union of the children's rows (or of their deltas) */
    teeth_init(&to, g, pr, od);
    teeth_init(&tf, g, pr, fd);
    int64_t lo = 0, hi = (eo - 1) * so + (ef - 1) * sf + 1, total = 0;
    for (int64_t base = lo; base < hi; base += MARK_BITS) {
        rowmark mk;
        mark_reset(&mk, base, hi - base);
        teeth_first(&to);
        do {
            int64_t xo = eo - to.base < to.g ? eo - to.base : to.g;
            if (xo <= 0) continue;
            teeth_first(&tf);
            do {
                int64_t xf = ef - tf.base < tf.g ? ef - tf.base : tf.g;
                if (xf <= 0) continue;
                int64_t p0 = to.base, r0 = tf.base;
                int64_t pp0 = adv_o ? p0 - sh : p0, rp0 = adv_f ? r0 - sh : r0; /* previous window */
                int64_t pp1 = adv_o ? pp0 + to.g : p0 + xo, rp1 = adv_f ? rp0 + tf.g : r0 + xf;
                for (int64_t p = p0; p < p0 + xo; p++)
                    for (int64_t r = r0; r < r0 + xf; r++) {
                        int64_t v = p * so + r * sf;
                        if (v < mk.base || v >= mk.base + mk.n) continue;
                        if ((adv_o || adv_f) && window_has(v, pp0, pp1, rp0, rp1, so, sf)) continue;
                        mark_row(&mk, v);
                    }
            } while (teeth_next(&tf));
        } while (teeth_next(&to));
        total += mk.count;
    }
    return total;
}

/* ---- histograms of shapes over digit assignments ---- */

/* (extent, count of assignments, of which with the j* digit at 0) */
typedef struct hent {
    int64_t e, n, z;
} hent;

typedef struct hist {
    int k, cap;
    hent *v;
    int heap;       /* v was malloc'd */
    int oom;
} hist;

static void hist_add(hist *h, int64_t e, int64_t n, int64_t z)
{
    if (n == 0) return;
    for (int i = 0; i < h->k; i++)
        if (h->v[i].e == e) {
            h->v[i].n += n, h->v[i].z += z;
            return;
        }
    if (h->k == h->cap) {
        int cap = h->cap * 4;
        hent *nv = malloc((size_t)cap * sizeof *nv);
        if (!nv) {
            h->oom = 1;
            return;
        }
        memcpy(nv, h->v, (size_t)h->k * sizeof *nv);
        if (h->heap) free(h->v);
        h->v = nv, h->cap = cap, h->heap = 1;
    }
    h->v[h->k++] = (hent){e, n, z};
}

typedef struct henum {
    const pesim_nest_digits *g;
    int d, nd, jpos;        /* jpos: index of the j* digit in dig, -1 */
    int dig[PESIM_NEST_DIGITS];
    int64_t maxlow[PESIM_NEST_DIGITS + 1]; /* largest value of digits below dig[i] */
    int64_t prodlow[PESIM_NEST_DIGITS + 1];
    int64_t gran;
    hist *h;
} henum;

/* Assignments of dig[0..i] (most significant first) with room `rem` left. */
static void henum_rec(henum *e, int i, int64_t rem, int64_t mult, int zero)
{
    if (rem <= 0) return;
    if (i == e->nd) {
        hist_add(e->h, rem < e->gran ? rem : e->gran, mult, zero ? mult : 0);
        return;
    }
    int k = e->dig[i];
    int64_t w = e->g->below[e->d][k], f = e->g->f[e->d][k];
    /* values x whose every completion is full: rem - x*w - maxlow >= gran */
    int64_t room = rem - e->maxlow[i + 1] - e->gran, nf = 0;
    if (room >= 0) nf = room / w + 1 < f ? room / w + 1 : f;
    if (nf > 0) {
        int64_t lower = e->prodlow[i + 1], z = 0;
        if (zero) {
            if (i == e->jpos) z = lower;                       /* x = 0 only */
            else if (e->jpos > i) z = nf * lower / e->g->f[e->d][e->dig[e->jpos]];
            else z = nf * lower;
        }
        hist_add(e->h, e->gran, mult * nf * lower, mult * z);
    }
    for (int64_t x = nf; x < f && rem - x * w > 0; x++) henum_rec(e, i + 1, rem - x * w, mult, zero && !(i == e->jpos && x > 0));
}

/* Histogram of the extents min(bound - off - value, gran) > 0 over the
 * assignments of the digits `mask` of dim d; z counts those with digit jdig
 * (an index, or -1) at 0. */
static void build_hist(const pesim_nest_digits *g, int d, uint32_t mask, int jdig, int64_t off, int64_t gran, hist *h)
{
    henum e;
    e.g = g, e.d = d, e.gran = gran, e.h = h, e.nd = 0, e.jpos = -1;
    mask &= g->nontrivial[d];
    for (int i = g->n - 1; i >= 0; i--) /* the arch's 2 x n_levels digits */
        if ((mask >> i) & 1u) {
            if (i == jdig) e.jpos = e.nd;
            e.dig[e.nd++] = i;
        }
    e.maxlow[e.nd] = 0, e.prodlow[e.nd] = 1;
    for (int i = e.nd - 1; i >= 0; i--) {
        int k = e.dig[i];
        e.maxlow[i] = e.maxlow[i + 1] + (g->f[d][k] - 1) * g->below[d][k];
        e.prodlow[i] = e.prodlow[i + 1] * g->f[d][k];
    }
    henum_rec(&e, 0, g->bound[d] - off, 1, 1);
}

#define HIST_INIT(name, buf) hist name = {0, (int)(sizeof buf / sizeof buf[0]), buf, 0, 0}
static void hist_free(hist *h)
{
    if (h->heap) free(h->v);
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

/* Child-side rows of the (h) halo pair kept at advances of j* (summed over
 * the child instances and events): the overlap of each advanced window with
 * its previous one. */
static int64_t child_kept_rows(pesim_nest_digits *g, const pesim_layer *l, const pesim_nest_pair *pr)
{
    int jd = pr->jd, pd = partner(jd), jl = g->loop_level[pr->js];
    int h = (jd == P || jd == R), is_out = (jd == P || jd == Q);
    hent b1[8], b2[8];
    HIST_INIT(hj, b1);
    HIST_INIT(hp, b2);
    build_hist(g, jd, pr->tsel[jd] | pr->sp_c, 2 * jl + 1, 0, pr->gc[jd], &hj);
    build_hist(g, pd, pr->tsel[pd] | pr->sp_c, -1, 0, pr->gc[pd], &hp);
    int64_t s = 0;
    for (int i = 0; i < hj.k; i++)
        for (int j = 0; j < hp.k; j++)
            s += (hj.v[i].n - hj.v[i].z) * hp.v[j].n *
                 pesim_nest_overlap(l, g->conv, h, is_out, pr->gc[jd], hj.v[i].e, hp.v[j].e, pr->shift);
    hist_free(&hj), hist_free(&hp);
    return s;
}

int64_t pesim_nest_comb_size(const pesim_nest_digits *g, const pesim_nest_pair *pr, int d, int64_t e)
{
    if (!pr->comb[d]) return e < pr->gv[d] ? e : pr->gv[d];
    teeth tt;
    teeth_init(&tt, g, pr, d);
    teeth_first(&tt);
    int64_t s = 0;
    do {
        int64_t x = e - tt.base < tt.g ? e - tt.base : tt.g;
        if (x > 0) s += x;
    } while (teeth_next(&tt));
    return s;
}

int64_t pesim_nest_parent_words(const pesim_nest_digits *gd, const pesim_layer *l, const pesim_nest_pair *pr,
                                const uint32_t *mask, const int64_t *off, int adv)
{
    const pesim_nest_digits *g = gd;
    const int t = pr->tensor;
    int jdig = pr->js >= 0 && pr->sliding ? 2 * g->loop_level[pr->js] + 1 : -1;
    int64_t words = 1;
    int ok = 1;
    for (int d = 0; d < ND && ok && words; d++) {
        if (t == PESIM_INPUTS && ((HALO_DIMS >> d) & 1u)) continue;
        hent b[8];
        HIST_INIT(h, b);
        int rel = RELEVANT(t, d);
        build_hist(g, d, mask[d], -1, off[d], rel ? pr->gv[d] : 1, &h);
        int64_t s = 0;
        for (int i = 0; i < h.k; i++) s += h.v[i].n * (rel ? pesim_nest_comb_size(g, pr, d, h.v[i].e) : 1);
        ok = !h.oom;
        hist_free(&h);
        words *= s;
    }
    if (t != PESIM_INPUTS || !ok || !words) return ok ? words : -1;
    for (int hh = 1; hh >= 0 && ok && words; hh--) {
        int od = hh ? P : Q, fd = hh ? R : S;
        int split = adv == 2 && jdig >= 0 && (pr->jd == od || pr->jd == fd);
        hent b1[8], b2[8];
        HIST_INIT(ho, b1);
        HIST_INIT(hf, b2);
        build_hist(g, od, mask[od], split && pr->jd == od ? jdig : -1, off[od], pr->gv[od], &ho);
        build_hist(g, fd, mask[fd], split && pr->jd == fd ? jdig : -1, off[fd], pr->gv[fd], &hf);
        int64_t s = 0;
        ok = !ho.oom && !hf.oom;
        for (int i = 0; i < ho.k && ok; i++)
            for (int j = 0; j < hf.k && ok; j++) {
                int64_t n = ho.v[i].n * hf.v[j].n, nadv = 0;
                if (split) nadv = pr->jd == od ? (ho.v[i].n - ho.v[i].z) * hf.v[j].n : ho.v[i].n * (hf.v[j].n - hf.v[j].z);
                else if (adv == 1 && (pr->jd == od || pr->jd == fd)) nadv = n;
                int64_t w0 = n > nadv ? pesim_nest_halo_parent(g, l, pr, hh, ho.v[i].e, hf.v[j].e, 0) : 0;
                int64_t w1 = nadv ? pesim_nest_halo_parent(g, l, pr, hh, ho.v[i].e, hf.v[j].e, 1) : 0;
                if (w0 < 0 || w1 < 0) ok = 0;
                else s += (n - nadv) * w0 + nadv * w1;
            }
        hist_free(&ho), hist_free(&hf);
        words *= s;
    }
    return ok ? words : -1;
}

int64_t pesim_nest_mesh_link_words(const pesim_mapping *m, int lv, int64_t copies, int round_up)
{
    int64_t ux = 1, uy = 1;
    for (int d = 0; d < ND; d++) ux *= m->level[lv].spatial_x[d], uy *= m->level[lv].spatial_y[d];
    int64_t num = uy * (ux - 1) > uy - 1 ? uy * (ux - 1) : uy - 1, den = ux * uy;
    if (copies <= 0 || num <= 0) return 0;
    int64_t q = copies / den, r = copies % den; /* copies * num / den, exactly */
    return q * num + (r * num) / den + (round_up && (r * num) % den ? 1 : 0);
}

int64_t pesim_nest_mesh_hops(const pesim_mapping *m, int lv)
{
    int64_t ux = 1, uy = 1;
    for (int d = 0; d < ND; d++) ux *= m->level[lv].spatial_x[d], uy *= m->level[lv].spatial_y[d];
    return ux - 1 + uy - 1;
}

/* Timeloop's average hops of a word multicast to m of n children on a mesh
 * entered from its side (its legacy network model). */
static double mesh_hops(double m, double n)
{
    if (m <= 0 || n <= 0) return 0;
    double rm = sqrt(m), rn = sqrt(n);
    return rn * rm + 0.5 * (rn - rm) - rn / rm + 0.5;
}

/* Distance between neighbours along an axis for every dim d: the product of
 * the factors of the dims after d's first place in the axis order (they vary
 * faster); 1 for a dim the order omits. One pass from the innermost entry.
 * The products are of integers below 2^53 (a valid mapping's factors on an
 * axis multiply to at most its fan-out), so they are exact in any order. */
static void axis_strides(const pesim_level_map *lm, int y, double st[ND])
{
    const uint8_t *ord = y ? lm->order_y : lm->order_x;
    const int64_t *f = y ? lm->spatial_y : lm->spatial_x;
    double after = 1;
    for (int d = 0; d < ND; d++) st[d] = 1;
    for (int i = ND - 1; i >= 0; i--) {
        int e = ord[i] & 7;
        st[e] = after;
        after *= (double)f[e];
    }
}

/* pesim_nest_hops with lv's fan-out used, fan (the product of its spatial
 * factors), known. */
static double hops_fan(const pesim_arch *a, const pesim_mapping *m, int lv, int t, int conv, int64_t ingress,
                       int64_t delivered, int64_t fan)
{
    const pesim_level_map *lm = &m->level[lv];
    if (ingress <= 0) return 0;
    pesim_noc_kind kind = a->level[lv].noc[t].kind;
    if (conv == PESIM_CONV_TIMELOOP || kind == PESIM_NOC_BUS)
        return (double)ingress * mesh_hops((double)delivered / (double)ingress, (double)fan);
    if (kind == PESIM_NOC_UNICAST || kind == PESIM_NOC_MESH) { /* every copy from the array's corner */
        double mean = 1, sx[ND], sy[ND];
        axis_strides(lm, 0, sx);
        axis_strides(lm, 1, sy);
        for (int d = 0; d < ND; d++)
            mean += (double)(lm->spatial_x[d] - 1) / 2 * sx[d] + (double)(lm->spatial_y[d] - 1) / 2 * sy[d];
        return (double)delivered * mean;
    }
    /* systolic: operands are forwarded along X (one line per row that needs
     * them), partial sums along Y (one line per column that adds to them); a
     * word travels from the edge to the farthest child of its group */
    int along = t == PESIM_OUTPUTS;
    const int64_t *fa = along ? lm->spatial_y : lm->spatial_x, *fl = along ? lm->spatial_x : lm->spatial_y;
    double far = 0, lines = 1, st[ND];
    axis_strides(lm, along, st);
    for (int d = 0; d < ND; d++) {
        int rel = RELEVANT(t, d);
        far += (double)(fa[d] - 1) * (rel ? 0.5 : 1) * st[d];
        if (!rel) lines *= (double)fl[d];
    }
    return (double)ingress * lines * (1 + far);
}

double pesim_nest_hops(const pesim_arch *a, const pesim_mapping *m, int lv, int t, int conv, int64_t ingress,
                       int64_t delivered)
{
    const pesim_level_map *lm = &m->level[lv];
    int64_t fan = 1;
    for (int d = 0; d < ND; d++) fan *= lm->spatial_x[d] * lm->spatial_y[d];
    return hops_fan(a, m, lv, t, conv, ingress, delivered, fan);
}

/* The words of one pair, totals over events and instances. */
typedef struct pwords {
    int64_t E;      /* words of all child tile loads (before what the child keeps) */
    int64_t Oc;     /* of which the child kept at window advances */
    int64_t parent; /* operands: words read at the parent; outputs: updates (the union) */
    int64_t F;      /* outputs: first writes (nothing to read back) */
    int64_t Fc;     /* outputs: the children's first visits (every word once per child instance) */
} pwords;

/* Computes pw for pair pr (whose parent may be a level between the child and
 * the real parent: the network statistics at that level). 0 when out of memory. */
static int pair_words(const pesim_layer *l, pesim_nest_digits *g, const pesim_nest_pair *pr, int child_side,
                      pwords *pw)
{
    const int t = pr->tensor, c = pr->child;
    /* the MAC array's operands are single words: their windows are the distinct rows */
    const int conv = c < 0 ? PESIM_CONV_PESIM : g->conv;
    /* the children's first visits: a level's (the MAC array holds nothing) */
    const int elide = t == PESIM_OUTPUTS && child_side && g->elide && c >= 0;
    int64_t irr_c = 1, irr_p = 1, irr_sp = 1, irr_sc = 1;
    for (int i = 0; i < g->n_active; i++) {
        int d = g->active[i];
        if (RELEVANT(t, d)) continue;
        if (child_side) irr_c *= count_nonempty(g, d, pr->tsel[d] | pr->sp_c);
        irr_p *= count_nonempty(g, d, pr->tsel[d] | pr->sp_p);
        if (t == PESIM_OUTPUTS) irr_sp *= count_nonempty(g, d, pr->sp_p);
        if (elide) irr_sc *= count_nonempty(g, d, pr->sp_c);
    }
    memset(pw, 0, sizeof *pw);
    if (child_side) pw->E = footprint_sum(l, conv, (pesim_tensor)t, pr->gc) * irr_c;
    if (t != PESIM_INPUTS || (!pr->sliding && !pr->general)) {
        /* the union of the children's tiles, each word once per event and
         * parent instance (outputs: children that differ only in C, R, S reduce) */
        int64_t foot = footprint_sum(l, conv, (pesim_tensor)t, pr->gv);
        pw->parent = foot * irr_p;
        if (t == PESIM_OUTPUTS) pw->F = foot * irr_sp;
        if (elide) pw->Fc = foot * irr_sc;
        return 1;
    }
    /* Inputs with sliding windows or a general union. */
    const int64_t *D = l->dim;
    const int64_t base = D[G] * D[N] * D[C];
    int hj = pr->sliding ? (pr->jd == P || pr->jd == R) : 1; /* the pair that advances */
    if (pr->sliding && child_side) {
        int od = hj ? Q : P, of = hj ? S : R; /* the other pair */
        pw->Oc = child_kept_rows(g, l, pr) * base * halo_sum(l, conv, !hj, D[od], pr->gc[od], D[of], pr->gc[of]) * irr_c;
    }
    if (pr->general) {
        uint32_t mask[ND];
        int64_t off[ND] = {0};
        for (int d = 0; d < ND; d++) mask[d] = pr->tsel[d] | pr->sp_p;
        pw->parent = pesim_nest_parent_words(g, l, pr, mask, off, 2);
        return pw->parent >= 0;
    }
    /* one block per dim: the union minus what the children kept, where the
     * children share the advancing range and may split its partner */
    int jd = pr->jd, pd = partner(jd), jl = g->loop_level[pr->js];
    int is_out = (jd == P || jd == Q), od = hj ? Q : P, of = hj ? S : R;
    int64_t U = footprint_sum(l, conv, (pesim_tensor)t, pr->gv) * irr_p;
    hent b1[8], b2[8];
    HIST_INIT(hjd, b1);
    HIST_INIT(hpd, b2);
    build_hist(g, jd, pr->tsel[jd] | pr->sp_p, 2 * jl + 1, 0, pr->gv[jd], &hjd);
    build_hist(g, pd, pr->tsel[pd] | pr->sp_p, -1, 0, pr->gv[pd], &hpd);
    int64_t sp = 0;
    for (int i = 0; i < hjd.k; i++)
        for (int j = 0; j < hpd.k; j++) {
            int64_t nadv = (hjd.v[i].n - hjd.v[i].z) * hpd.v[j].n;
            if (!nadv) continue;
            /* "pesim": the children's windows (the advancing dim is not split);
             * "timeloop": the box of their union */
            int64_t o = conv == PESIM_CONV_TIMELOOP || pr->gv[pd] == pr->gc[pd]
                            ? pesim_nest_overlap(l, conv, hj, is_out, pr->gv[jd], hjd.v[i].e, hpd.v[j].e, pr->shift)
                            : pesim_nest_shared_overlap(l, hj, is_out, pr->gc[jd], hjd.v[i].e, hpd.v[j].e, pr->gc[pd]);
            sp += nadv * o;
        }
    hist_free(&hjd), hist_free(&hpd);
    pw->parent = U - sp * base * halo_sum(l, conv, !hj, D[od], pr->gv[od], D[of], pr->gv[of]) * irr_p;
    return 1;
}

/* Counts one pair and the networks between its child and its parent;
 * returns 0 with a reason when out of memory. */
static int count_pair(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, pesim_nest_digits *g,
                      const pesim_nest_pair *pr, pesim_nest_counts *out, char *reason, size_t rn)
{
    const int t = pr->tensor, c = pr->child, p = pr->parent;
    const int tl = g->conv == PESIM_CONV_TIMELOOP;
    pwords pw;
    if (!pair_words(l, g, pr, 1, &pw)) return fail(reason, rn, "out of memory counting %s", pesim_tensor_name((pesim_tensor)t));
    pesim_access *pa = &out->access[p][t];
    pesim_access *ca = c >= 0 ? &out->access[c][t] : NULL;
    int64_t down; /* words delivered to the children */
    if (t == PESIM_OUTPUTS) {
        int64_t U = pw.parent, F = pw.F;
        pa->updates += U;
        pa->reads += U - F;
        /* "timeloop": every child loads its tile, first visits too (with
         * first-read elision, all but the first visits of each child) */
        down = tl ? pw.E - pw.Fc : U - F;
        if (ca) {
            ca->fills += down;
            if (!tl) ca->reads += pw.E; /* "pesim": the drains leave through the child's port */
        }
        out->noc_words[p][t] += pw.E + down;
        out->noc_reads[p][t] += U - F;
    } else {
        down = pw.E - pw.Oc;
        pa->reads += pw.parent;
        if (ca) ca->fills += down;
        out->noc_words[p][t] += down;
        /* words the network injects: a unicast network one copy per child, a bus or
         * systolic one the multicast union (the MAC array's own paths: the union) */
        pesim_noc_kind nk = a->level[p].noc[t].kind;
        out->noc_reads[p][t] += c < 0 ? pw.parent
                                : nk == PESIM_NOC_UNICAST ? down
                                : nk == PESIM_NOC_MESH ? pesim_nest_mesh_link_words(m, p, down, 0)
                                                       : pw.parent;
    }
    /* The network of every level between the child and the parent (each fans
     * out to the level below it): the words entering it are the union at that
     * level's granularity, the words it delivers those entering the next one
     * down (or the child's). */
    int64_t below = t == PESIM_OUTPUTS ? pw.E : down;
    for (int lv = c + 1; lv <= p; lv++) {
        int64_t in = below, fan = 1;
        for (int d = 0; d < ND; d++) fan *= g->f[d][2 * lv];
        if (lv == p) {
            in = pw.parent;
        } else if (fan > 1) {
            pesim_nest_pair vp;
            pwords vw;
            pair_at(&vp, pr, g, a->n_levels, lv);
            if (!pair_words(l, g, &vp, 0, &vw)) return fail(reason, rn, "out of memory counting %s", pesim_tensor_name((pesim_tensor)t));
            in = vw.parent;
        }
        out->noc_ingress[lv][t] += in;
        out->noc_delivered[lv][t] += below;
        out->fanout_used[lv][t] = fan;
        out->noc_hops[lv][t] += hops_fan(a, m, lv, t, g->conv, in, below, fan); /* fan: the same product */
        below = in;
    }
    return 1;
}

int pesim_nest_digits_init(pesim_nest_digits *g, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m)
{
    const int M = a->n_levels;
    int bad = m->n_levels != M;
    g->n = 2 * M;
    g->conv = a->conventions == PESIM_CONV_TIMELOOP ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
    g->elide = g->conv == PESIM_CONV_TIMELOOP && a->first_read_elision;
    g->n_active = 0;
    int64_t fx[PESIM_MAX_LEVELS], fy[PESIM_MAX_LEVELS]; /* each level's spatial product on X and Y */
    for (int lv = 0; lv < M && lv < PESIM_MAX_LEVELS; lv++) fx[lv] = fy[lv] = 1;
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
            /* a digit matters when it can be past 0 at a valid point */
            nt |= (uint32_t)(x * y > 1 && below[2 * lv] < l->dim[d]) << (2 * lv) |
                  (uint32_t)(t > 1 && below[2 * lv + 1] < l->dim[d]) << (2 * lv + 1);
        }
        bad |= below[2 * M] < l->dim[d];
        g->nontrivial[d] = nt;
        g->memo_next[d] = 0;
        for (int i = 0; i < 4; i++) g->memo_sel[d][i] = 0; /* 0 is never looked up */
    }
    g->n_loops = 0;
    for (int lv = M - 1; lv >= 0; lv--) {
        const pesim_level_map *lm = &m->level[lv];
        unsigned seen = 0, seen_x = 0, seen_y = 0;
        bad |= fx[lv] > a->level[lv].fanout_x || fy[lv] > a->level[lv].fanout_y;
        bad |= (lm->bypass[0] > 1) | (lm->bypass[1] > 1) | (lm->bypass[2] > 1);
        for (int i = 0; i < ND; i++) {
            int d = lm->order[i] & 7;
            bad |= (lm->order[i] >= ND) | (lm->order_x[i] >= ND) | (lm->order_y[i] >= ND);
            seen |= 1u << d;
            seen_x |= 1u << (lm->order_x[i] & 7);
            seen_y |= 1u << (lm->order_y[i] & 7);
            if ((g->nontrivial[d] >> (2 * lv + 1)) & 1u) /* loops that only run past the bound do not count */
                g->loop_level[g->n_loops] = (uint8_t)lv, g->loop_dim[g->n_loops++] = (uint8_t)d;
        }
        bad |= (seen != 0xFFu) | (seen_x != 0xFFu) | (seen_y != 0xFFu);
    }
    return !bad;
}

int pesim_nest_level_fits(const pesim_arch *a, const pesim_layer *l, int lv, const int64_t gt[PESIM_NDIMS],
                          const uint8_t keeps[PESIM_NTENSORS], int64_t words[PESIM_NTENSORS], pesim_violation *v)
{
    const pesim_level *lev = &a->level[lv];
    const int64_t mult = pesim_level_tile_slots(lev);
    const int conv = a->conventions == PESIM_CONV_TIMELOOP ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
    int64_t shared = 0, e[ND];
    for (int d = 0; d < ND; d++) e[d] = gt[d] < l->dim[d] ? gt[d] : l->dim[d];
    for (int t = 0; t < NT; t++) {
        int64_t w = keeps[t] ? tile_words_of(l, conv, (pesim_tensor)t, e) : 0;
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

int pesim_nest_tiles_fit(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, int from,
                         int64_t words[][PESIM_NTENSORS], pesim_violation *v)
{
    int64_t gt[ND];
    for (int d = 0; d < ND; d++) gt[d] = 1;
    for (int lv = 0; lv < a->n_levels - 1; lv++) {
        const pesim_level_map *x = &m->level[lv];
        for (int d = 0; d < ND; d++) {
            gt[d] *= x->spatial_x[d] * x->spatial_y[d] * x->temporal[d];
            if (gt[d] > l->dim[d]) gt[d] = l->dim[d]; /* the footprint clamps there anyway */
        }
        if (lv < from) continue;
        uint8_t keeps[NT];
        for (int t = 0; t < NT; t++) keeps[t] = (uint8_t)pesim_mapping_keeps(a, m, lv, (pesim_tensor)t);
        if (!pesim_nest_level_fits(a, l, lv, gt, keeps, words ? words[lv] : NULL, v)) return 0;
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

    /* A network without reduction cannot add partial sums of its children. */
    for (int lv = 0; lv < M; lv++) {
        if (a->level[lv].noc[PESIM_OUTPUTS].reduce != PESIM_REDUCE_NONE) continue;
        for (int d = 0; d < ND; d++) {
            int64_t f = m->level[lv].spatial_x[d] * m->level[lv].spatial_y[d];
            if (pesim_dim_relevant(PESIM_OUTPUTS, (pesim_dim)d) || f <= 1) continue;
            out->violation = pesim_violation_make(PESIM_VIOLATION_SPATIAL_DIM);
            out->violation.level = lv, out->violation.tensor = PESIM_OUTPUTS, out->violation.dim = d;
            out->violation.amount = (double)f, out->violation.limit = 1;
            return fail(reason, n, "%s reduces outputs over %s spatially (x%lld) but its outputs network has "
                        "reduce = \"none\"", a->level[lv].name, pesim_dim_name((pesim_dim)d), (long long)f);
        }
    }

    /* Capacity of every bounded level. */
    if (!pesim_nest_tiles_fit(a, l, m, 0, out->tile_words, &out->violation)) {
        const pesim_violation *v = &out->violation;
        const int lv = v->level;
        char buf[96];
        int slots = pesim_level_tile_slots(&a->level[lv]);
        char times[40] = "";
        if (slots == 2) snprintf(times, sizeof times, " x2 (double-buffered)");
        if (slots > 2) snprintf(times, sizeof times, " x%d (%d tile slots)", slots, slots);
        snprintf(buf, sizeof buf, "%lld words%.*s > %lld", (long long)(v->amount / slots), (int)sizeof times,
                 times, (long long)v->limit);
        if (v->tensor >= 0)
            return fail(reason, n, "capacity exceeded at %s for %s: %s", a->level[lv].name,
                        pesim_tensor_name((pesim_tensor)v->tensor), buf);
        return fail(reason, n, "capacity exceeded at %s for the shared tiles: %s", a->level[lv].name, buf);
    }
    for (int t = 0; t < NT; t++) { /* the outermost level holds the whole tensor */
        int64_t gt[ND];
        for (int d = 0; d < ND; d++) gt[d] = l->dim[d];
        out->tile_words[M - 1][t] = tile_words(l, g.conv, (pesim_tensor)t, gt);
    }

    for (int t = 0; t < NT; t++) {
        int c = -1;
        for (int p = 0; p < M; p++) {
            if (!pesim_mapping_keeps(a, m, p, (pesim_tensor)t)) continue;
            pesim_nest_pair pr;
            pesim_nest_pair_init(&pr, &g, a, m, t, c, p);
            if (!count_pair(a, l, m, &g, &pr, out, reason, n)) return 0;
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

void pesim_nest_results(const pesim_arch *a, const pesim_mapping *m, const pesim_nest_counts *nc, pesim_cost *out)
{
    int64_t insts[PESIM_MAX_LEVELS];
    pesim_mapping_instances_all(m, insts);
    for (int lv = 0; lv < a->n_levels; lv++) {
        int64_t inst = insts[lv];
        for (int t = 0; t < NT; t++) {
            if (pesim_mapping_keeps(a, m, lv, (pesim_tensor)t)) {
                const pesim_access *x = &out->access[lv][t];
                pesim_access *y = &out->access_per_instance[lv][t];
                y->reads = (x->reads + inst - 1) / inst;
                y->fills = (x->fills + inst - 1) / inst;
                y->updates = (x->updates + inst - 1) / inst;
                out->utilized_instances[lv][t] = inst;
                out->utilized_capacity_words[lv][t] = nc->tile_words[lv][t];
            }
            int64_t in = nc->noc_ingress[lv][t], dl = nc->noc_delivered[lv][t];
            out->noc_ingress_words[lv][t] = in;
            out->noc_multicast[lv][t] = in > 0 ? (double)dl / (double)in : 0;
            out->noc_spatial_reductions[lv][t] = t == PESIM_OUTPUTS && dl > in ? dl - in : 0;
            out->noc_fanout[lv][t] = nc->fanout_used[lv][t];
            out->noc_word_hops[lv][t] = nc->noc_hops[lv][t];
        }
    }
}

pesim_status pesim_nest_result_begin(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                     pesim_cost *out)
{
    memset(out, 0, sizeof *out);
    out->violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    if (!pesim_layer_has_macs(l)) {
        snprintf(out->reason, sizeof out->reason, "layer %s (%s) has no MACs", l->name, pesim_op_name(l->op));
        out->violation.kind = PESIM_VIOLATION_STRUCTURE;
        return PESIM_ERR_INVALID;
    }
    if (m->n_levels != a->n_levels) {
        snprintf(out->reason, sizeof out->reason, "mapping has %d levels, arch %s has %d", m->n_levels, a->name,
                 a->n_levels);
        out->violation.kind = PESIM_VIOLATION_STRUCTURE;
        return PESIM_ERR_INVALID;
    }
    return PESIM_OK;
}
