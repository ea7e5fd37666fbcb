/* walk.c - the mapping's execution as blocks and transfers (see walk.h).
 *
 * The counts of one event are the counts of nest.c restricted to one value
 * of the outer loops: per dim, a histogram of the tile extents over the digits
 * summed (the instances, and for streams the inner loops), then the same
 * footprint algebra. The extents at one granularity take at most two values
 * (full and edge), so a histogram is tiny and computed in O(digits). */
#include "nest/walk.h"

#include <string.h>

#define ND PESIM_NDIMS

enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
       P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };

static const unsigned relevant[PESIM_NTENSORS] = {
    (1u << G) | (1u << K) | (1u << C) | (1u << R) | (1u << S),
    (1u << G) | (1u << N) | (1u << C) | (1u << P) | (1u << Q) | (1u << R) | (1u << S),
    (1u << G) | (1u << N) | (1u << K) | (1u << P) | (1u << Q),
};
#define RELEVANT(t, d) ((relevant[t] >> (d)) & 1u)

typedef pesim_hist hist;

static void hist_add(hist *h, int64_t e, int64_t c)
{
    for (int i = 0; i < h->k; i++)
        if (h->ext[i] == e) {
            h->cnt[i] += c;
            return;
        }
    h->ext[h->k] = e, h->cnt[h->k++] = c;
}

/* Adds, for every assignment of the digits dig[0..n) (ascending significance),
 * the extent min(gran, rem - sum) when positive; mult is the weight of this
 * branch. Assignments whose remaining room exceeds the largest value the
 * lower digits can add are all full: counted at once. */
static void enum_digits(const pesim_nest_digits *g, int d, const int *dig, int n, int64_t rem, int64_t gran,
                        int64_t mult, hist *h)
{
    if (n == 0) {
        if (rem > 0) hist_add(h, rem < gran ? rem : gran, mult);
        return;
    }
    int i = dig[n - 1];
    int64_t w = g->below[d][i], f = g->f[d][i];
    int64_t q = rem / w; /* x < q: rem - x*w >= w, every lower assignment full */
    if (q > 0) {
        int64_t lower = 1;
        for (int j = 0; j < n - 1; j++) lower *= g->f[d][dig[j]];
        int64_t nf = q < f ? q : f;
        hist_add(h, gran, mult * nf * lower);
        if (q >= f) return;
    }
    if (rem - q * w > 0) enum_digits(g, d, dig, n - 1, rem - q * w, gran, mult, h);
}

static hist make_hist(const pesim_nest_digits *g, int d, int64_t off, uint32_t sum, int64_t gran)
{
    hist h = {0, {0}, {0}};
    int64_t rem = g->bound[d] - off;
    uint32_t live = sum & g->nontrivial[d];
    if (!live) { /* nothing to sum: one assignment */
        if (rem > 0) h.k = 1, h.ext[0] = rem < gran ? rem : gran, h.cnt[0] = 1;
        return h;
    }
    int dig[PESIM_NEST_DIGITS], n = 0;
    for (uint32_t b = live; b; b &= b - 1) dig[n++] = __builtin_ctz(b);
    enum_digits(g, d, dig, n, g->bound[d] - off, gran, 1, &h);
    return h;
}

/* make_hist through the memo slot of (pair k, role r, dim d). */
static const hist one_tile = {1, {1, 0, 0, 0}, {1, 0, 0, 0}}; /* a dim of bound 1 */

static const hist *memo_hist(pesim_walk *w, int k, int r, int d, int64_t off, uint32_t sum, int64_t gran)
{
    if (w->g.bound[d] == 1) return &one_tile; /* one assignment, extent 1, whatever the digits */
    pesim_hist_memo *mm = &w->memo[k][r][d];
    if (mm->valid && mm->off == off && mm->sum == sum && mm->gran == gran) return &mm->h;
    mm->h = make_hist(&w->g, d, off, sum, gran);
    mm->off = off, mm->sum = sum, mm->gran = gran, mm->valid = 1;
    return &mm->h;
}

static int64_t hsum(const hist *h)
{
    int64_t s = 0;
    for (int i = 0; i < h->k; i++) s += h->ext[i] * h->cnt[i];
    return s;
}

static int64_t hcnt(const hist *h)
{
    int64_t s = 0;
    for (int i = 0; i < h->k; i++) s += h->cnt[i];
    return s;
}

/* Sum over pairs of (output, filter) extents of the input rows touched. */
static int64_t hpair(const pesim_layer *l, int conv, int hdir, const hist *o, const hist *f)
{
    int64_t s = 0;
    for (int i = 0; i < o->k; i++)
        for (int j = 0; j < f->k; j++)
            s += o->cnt[i] * f->cnt[j] * pesim_nest_wdist(l, conv, hdir, o->ext[i], f->ext[j]);
    return s;
}

/* Footprint sum of tensor t over the assignments the histograms describe
 * (irrelevant dims' histograms were built with granularity 1: counts). */
static int64_t foot(const pesim_layer *l, int conv, int t, const hist *const *h)
{
    switch (t) {
    case PESIM_WEIGHTS:
        return hsum(h[G]) * hsum(h[K]) * hsum(h[C]) * hsum(h[R]) * hsum(h[S]) * hcnt(h[N]) * hcnt(h[P]) *
               hcnt(h[Q]);
    case PESIM_OUTPUTS:
        return hsum(h[G]) * hsum(h[N]) * hsum(h[K]) * hsum(h[P]) * hsum(h[Q]) * hcnt(h[C]) * hcnt(h[R]) *
               hcnt(h[S]);
    default:
        return hsum(h[G]) * hsum(h[N]) * hsum(h[C]) * hpair(l, conv, 1, h[P], h[R]) * hpair(l, conv, 0, h[Q], h[S]) *
               hcnt(h[K]);
    }
}

/* The input footprint without the (d, partner) pair's factor. */
static int64_t foot_input_rest(const pesim_layer *l, int conv, const hist *const *h, int hdir)
{
    int64_t other = hdir ? hpair(l, conv, 0, h[Q], h[S]) : hpair(l, conv, 1, h[P], h[R]);
    return hsum(h[G]) * hsum(h[N]) * hsum(h[C]) * other * hcnt(h[K]);
}

static int partner(int d)
{
    return d == P ? R : d == R ? P : d == Q ? S : d == S ? Q : -1;
}

void pesim_walk_init(pesim_walk *w, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m)
{
    memset(w, 0, sizeof *w);
    w->arch = a, w->layer = l, w->map = m;
    pesim_nest_digits_init(&w->g, a, l, m);
    const int M = a->n_levels;
    /* pairs, outermost parent first (an upstream tile arrives before it is forwarded) */
    for (int p = M - 1; p >= 0; p--)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!pesim_mapping_keeps(a, m, p, (pesim_tensor)t)) continue;
            int c = p - 1;
            while (c >= 0 && !pesim_mapping_keeps(a, m, c, (pesim_tensor)t)) c--;
            pesim_walk_pair *pr = &w->pair[w->n_pairs++];
            pesim_nest_pair_init(pr, &w->g, a, m, t, c, p);
            w->pinst[w->n_pairs - 1] = pesim_mapping_instances(m, p);
            if (c >= 0 && pr->js + 1 > w->J) w->J = pr->js + 1;
        }
    for (int k = 0; k < w->n_pairs; k++) { /* the partial-sum tiles a read-back may return to */
        const pesim_walk_pair *pr = &w->pair[k];
        w->tile_r0[k] = -1, w->tiles[k] = 0;
        if (pr->tensor != PESIM_OUTPUTS || pr->child < 0) continue;
        for (int i = 0; i <= pr->js && w->tile_r0[k] < 0; i++)
            if (!RELEVANT(PESIM_OUTPUTS, w->g.loop_dim[i])) w->tile_r0[k] = i;
        if (w->tile_r0[k] < 0) continue;
        w->tiles[k] = 1;
        for (int i = w->tile_r0[k] + 1; i <= pr->js; i++)
            if (RELEVANT(PESIM_OUTPUTS, w->g.loop_dim[i]))
                w->tiles[k] *= w->g.f[w->g.loop_dim[i]][2 * w->g.loop_level[i] + 1];
    }
}

int64_t pesim_walk_tiles(const pesim_walk *w, int k) { return w->tiles[k]; }

/* Words the children of histograms h keep when pair pr's window advances
 * along j*: each child's overlap of its previous (full) and new window. */
static int64_t kept_child(const pesim_layer *l, int conv, const pesim_walk_pair *pr, const hist *const *h)
{
    int jd = pr->jd, pd = partner(jd);
    int hdir = (jd == P || jd == R), is_out = (jd == P || jd == Q);
    int64_t s = 0;
    for (int i = 0; i < h[jd]->k; i++)
        for (int j = 0; j < h[pd]->k; j++)
            s += h[jd]->cnt[i] * h[pd]->cnt[j] *
                 pesim_nest_overlap(l, conv, hdir, is_out, pr->gc[jd], h[jd]->ext[i], h[pd]->ext[j], pr->shift);
    return s * foot_input_rest(l, conv, h, hdir);
}

/* The same at the parent (a pair that is not slow) over the parent
 * histograms h: "pesim", the children's windows (the advancing dim is not
 * split); "timeloop", the box of their union. */
static int64_t kept_parent(const pesim_layer *l, int conv, const pesim_walk_pair *pr, const hist *const *h)
{
    int jd = pr->jd, pd = partner(jd);
    int hdir = (jd == P || jd == R), is_out = (jd == P || jd == Q);
    int shared = conv != PESIM_CONV_TIMELOOP && pr->gv[pd] != pr->gc[pd];
    int64_t s = 0;
    for (int i = 0; i < h[jd]->k; i++)
        for (int j = 0; j < h[pd]->k; j++) {
            int64_t o = shared ? pesim_nest_shared_overlap(l, hdir, is_out, pr->gc[jd], h[jd]->ext[i], h[pd]->ext[j],
                                                           pr->gc[pd])
                               : pesim_nest_overlap(l, conv, hdir, is_out, pr->gv[jd], h[jd]->ext[i], h[pd]->ext[j],
                                                    pr->shift);
            s += h[jd]->cnt[i] * h[pd]->cnt[j] * o;
        }
    return s * foot_input_rest(l, conv, h, hdir);
}

static void event(pesim_walk *w, int k, int changed, pesim_xfer *x)
{
    const pesim_walk_pair *pr = &w->pair[k];
    const pesim_nest_digits *g = &w->g;
    const pesim_layer *l = w->layer;
    const int t = pr->tensor, c = pr->child, p = pr->parent, conv = g->conv;
    const int tl = conv == PESIM_CONV_TIMELOOP, adv = pr->sliding && changed == pr->js;
    const hist *hc[ND], *hp[ND];
    for (int d = 0; d < ND; d++) {
        int rel = RELEVANT(t, d);
        hc[d] = memo_hist(w, k, 0, d, w->off[d], pr->sp_c, rel ? pr->gc[d] : 1);
        if (!pr->slow) hp[d] = memo_hist(w, k, 1, d, w->off[d], pr->sp_p, rel ? pr->gv[d] : 1);
    }
    int64_t E = foot(l, conv, t, hc), U;
    hist one[ND]; /* the largest extent of every dim: the largest instance's tile */
    const hist *hm[ND];
    for (int d = 0; d < ND; d++) {
        int64_t mx = 0;
        for (int i = 0; i < hc[d]->k; i++)
            if (hc[d]->cnt[i] > 0 && hc[d]->ext[i] > mx) mx = hc[d]->ext[i];
        memset(&one[d], 0, sizeof one[d]);
        one[d].k = 1, one[d].ext[0] = mx, one[d].cnt[0] = 1;
        hm[d] = &one[d];
    }
    int64_t Emax = foot(l, conv, t, hm) - (adv ? kept_child(l, conv, pr, hm) : 0);
    if (pr->slow) {
        uint32_t mask[ND];
        for (int d = 0; d < ND; d++) mask[d] = pr->sp_p;
        U = pesim_nest_parent_words(g, l, pr, mask, w->off, adv);
        if (U < 0) w->oom = 1, U = 0;
    } else {
        U = foot(l, conv, t, hp);
    }
    /* the largest parent instance: the one at the origin (all its spatial
     * digits 0), whose children's tiles are the least clipped by the bounds */
    int64_t Umax = 0, Emax_p = 0;
    if (w->pinst[k] > 1) {
        if (pr->slow) {
            const uint32_t none[ND] = {0};
            Umax = pesim_nest_parent_words(g, l, pr, none, w->off, adv);
            if (Umax < 0) w->oom = 1, Umax = 0;
        } else {
            hist h0[ND];
            const hist *p0[ND];
            for (int d = 0; d < ND; d++) h0[d] = make_hist(g, d, w->off[d], 0, RELEVANT(t, d) ? pr->gv[d] : 1), p0[d] = &h0[d];
            Umax = foot(l, conv, t, p0) - (adv ? kept_parent(l, conv, pr, p0) : 0);
        }
        const hist *c0[ND]; /* the children of that parent instance */
        for (int d = 0; d < ND; d++)
            c0[d] = memo_hist(w, k, 4, d, w->off[d], pr->sp_c & ~pr->sp_p, RELEVANT(t, d) ? pr->gc[d] : 1);
        Emax_p = foot(l, conv, t, c0) - (adv ? kept_child(l, conv, pr, c0) : 0);
    }
    memset(x, 0, sizeof *x);
    x->tensor = (int8_t)t, x->child = (int8_t)c, x->parent = (int8_t)p, x->pair = (int8_t)k;
    x->advance = (int8_t)adv;
    x->child_max = Emax;
    x->parent_max = Umax, x->fill_max = Emax_p;
    if (t == PESIM_OUTPUTS) {
        int first = 1; /* no reduction loop outside j* has left 0: nothing to read back */
        for (int i = 0; i <= pr->js; i++)
            if (!RELEVANT(t, g->loop_dim[i]) && w->idx[i] > 0) first = 0;
        x->parent_updates = U;
        x->parent_reads = first ? 0 : U;
        for (int i = w->tile_r0[k] + 1; w->tile_r0[k] >= 0 && i <= pr->js; i++) /* mixed radix, outermost first */
            if (RELEVANT(t, g->loop_dim[i]))
                x->tile = x->tile * g->f[g->loop_dim[i]][2 * g->loop_level[i] + 1] + w->idx[i];
        /* "timeloop": every load is a fill, first visits too (with first-read
         * elision every load but a first visit: the children start at 0 when
         * the parent does); "pesim": the read-backs */
        const int elided = tl && g->elide && first;
        x->child_fills = tl && !elided ? E : x->parent_reads;
        x->child_reads = tl ? 0 : E; /* "pesim": the drain is read at the child */
        x->update_max = Umax;
        x->parent_max = first ? 0 : Umax;
        if (!tl || elided) x->fill_max = x->parent_max;
        return;
    }
    int64_t Oc = adv ? kept_child(l, conv, pr, hc) : 0, Op = adv && !pr->slow ? kept_parent(l, conv, pr, hp) : 0;
    x->parent_reads = U - Op;
    x->child_fills = E - Oc;
}

/* MAC-array operand streams over the current block. */
static void stream(pesim_walk *w, int k, pesim_xfer *x)
{
    const pesim_walk_pair *pr = &w->pair[k];
    const pesim_nest_digits *g = &w->g;
    const pesim_layer *l = w->layer;
    const int t = pr->tensor, p = pr->parent;
    uint32_t inner[ND] = {0}, mask[ND];
    for (int i = w->J; i < g->n_loops; i++) inner[g->loop_dim[i]] |= 1u << (2 * g->loop_level[i] + 1);
    const hist *h[ND];
    int64_t U;
    if (pr->slow) {
        for (int d = 0; d < ND; d++) mask[d] = inner[d] | pr->sp_p;
        U = pesim_nest_parent_words(g, l, pr, mask, w->off, 0);
        if (U < 0) w->oom = 1, U = 0;
    } else {
        for (int d = 0; d < ND; d++)
            h[d] = memo_hist(w, k, 2, d, w->off[d], inner[d] | pr->sp_p, RELEVANT(t, d) ? pr->gv[d] : 1);
        U = foot(l, PESIM_CONV_PESIM, t, h); /* single words: the distinct rows */
    }
    /* the largest parent instance: the one at the origin (its spatial digits 0) */
    const int big = w->pinst[k] > 1;
    const hist *h0[ND];
    int64_t U0 = 0;
    uint32_t mask0[ND];
    if (big && pr->slow) {
        for (int d = 0; d < ND; d++) mask0[d] = inner[d];
        U0 = pesim_nest_parent_words(g, l, pr, mask0, w->off, 0);
        if (U0 < 0) w->oom = 1, U0 = 0;
    } else if (big) {
        for (int d = 0; d < ND; d++)
            h0[d] = memo_hist(w, k, 5, d, w->off[d], inner[d], RELEVANT(t, d) ? pr->gv[d] : 1);
        U0 = foot(l, PESIM_CONV_PESIM, t, h0);
    }
    memset(x, 0, sizeof *x);
    x->tensor = (int8_t)t, x->child = -1, x->parent = (int8_t)p, x->stream = 1, x->pair = (int8_t)k;
    if (t != PESIM_OUTPUTS) {
        x->parent_reads = U;
        x->parent_max = U0;
        return;
    }
    int64_t F = 0;
    int outer_zero = 1;
    for (int i = 0; i < w->J; i++)
        if (!RELEVANT(t, g->loop_dim[i]) && w->idx[i] > 0) outer_zero = 0;
    if (outer_zero) {
        if (pr->slow) {
            for (int d = 0; d < ND; d++)
                if (!RELEVANT(t, d)) mask[d] = pr->sp_p;
            F = pesim_nest_parent_words(g, l, pr, mask, w->off, 0);
            if (F < 0) w->oom = 1, F = 0;
        } else {
            for (int d = 0; d < ND; d++)
                if (!RELEVANT(t, d)) h[d] = memo_hist(w, k, 3, d, w->off[d], pr->sp_p, 1);
            F = foot(l, PESIM_CONV_PESIM, t, h);
        }
    }
    int64_t F0 = 0; /* the first writes of the largest parent instance */
    if (outer_zero && big) {
        if (pr->slow) {
            for (int d = 0; d < ND; d++)
                if (!RELEVANT(t, d)) mask0[d] = 0;
            F0 = pesim_nest_parent_words(g, l, pr, mask0, w->off, 0);
            if (F0 < 0) w->oom = 1, F0 = 0;
        } else {
            hist one0[ND];
            for (int d = 0; d < ND; d++)
                if (!RELEVANT(t, d)) one0[d] = make_hist(g, d, w->off[d], 0, 1), h0[d] = &one0[d];
            F0 = foot(l, PESIM_CONV_PESIM, t, h0);
        }
    }
    x->parent_updates = U;
    x->parent_reads = U - F;
    x->update_max = U0;
    x->parent_max = U0 - F0;
}

int64_t pesim_walk_share(int64_t total, int64_t instances, int64_t largest)
{
    if (total <= 0 || instances <= 0) return 0;
    int64_t avg = (total + instances - 1) / instances;
    return largest > avg ? largest : avg;
}

int64_t pesim_walk_readback_words(const pesim_xfer *x, int64_t instances)
{
    int64_t tiles = x->child_reads > 0 ? x->child_reads : x->child_fills;
    if (tiles <= 0) return 0;
    int64_t big = (int64_t)(((__int128)x->child_max * x->child_fills + tiles - 1) / tiles);
    return pesim_walk_share(x->child_fills, instances, big);
}

int64_t pesim_walk_child_words(const pesim_xfer *x, int64_t total, int64_t instances)
{
    return pesim_walk_share(total, instances, x->child_max);
}

int pesim_walk_next(pesim_walk *w, pesim_block *b)
{
    if (w->done) return 0;
    const pesim_nest_digits *g = &w->g;
    int changed = -1;
    if (!w->started) {
        w->started = 1;
    } else {
        int i = w->J - 1;
        for (;; i--) {
            if (i < 0) {
                w->done = 1;
                return 0;
            }
            int d = g->loop_dim[i];
            int64_t wt = g->below[d][2 * g->loop_level[i] + 1];
            w->idx[i]++;
            w->off[d] += wt;
            if (w->idx[i] < g->f[d][2 * g->loop_level[i] + 1] && w->off[d] < g->bound[d]) break;
            w->off[d] -= w->idx[i] * wt;
            w->idx[i] = 0;
        }
        changed = i;
    }
    b->index = w->next_index++;
    b->changed = changed;
    b->n_xfers = 0;
    for (int k = 0; k < w->n_pairs; k++) {
        const pesim_walk_pair *pr = &w->pair[k];
        if (pr->child < 0) continue;
        if (changed < 0 || changed <= pr->js) event(w, k, changed, &b->xfer[b->n_xfers++]);
    }
    for (int k = 0; k < w->n_pairs; k++)
        if (w->pair[k].child < 0) stream(w, k, &b->xfer[b->n_xfers++]);
    uint32_t inner[ND] = {0};
    for (int i = w->J; i < g->n_loops; i++) inner[g->loop_dim[i]] |= 1u << (2 * g->loop_level[i] + 1);
    int64_t steps = 1;
    for (int d = 0; d < ND; d++) {
        steps *= hcnt(memo_hist(w, PESIM_WALK_MAX_XFERS, 0, d, w->off[d], inner[d], 1));
    }
    b->steps = steps;
    return 1;
}
