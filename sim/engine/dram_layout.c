/* engine/dram_layout.c - the bursts a tile's box covers in a row-major
 * tensor layout (engine/dram_layout.h). */
#include "engine/dram_layout.h"

/* One dim of a box: the blocks [origin + i period, + width) for i < blocks,
 * each cut to [0, size). A range is one block. */
typedef struct box_dim {
    int64_t origin, period, width, blocks;
    int64_t size; /* where the blocks are cut: the tensor's end, or the box's if sooner */
} box_dim;

typedef struct burst_walk {
    const pesim_dram_layout *L;
    box_dim dim[PESIM_LAYOUT_MAX_DIMS];
    int64_t stride[PESIM_LAYOUT_MAX_DIMS]; /* words */
    int r;                                 /* the run's dim: every dim inside it is whole */
    uint64_t burst, last;                  /* burst bytes; the burst emitted last */
    int64_t calls;
    void (*emit)(void *ctx, uint64_t addr);
    void *ctx;
} burst_walk;

/* Block i of dim d cut to the tensor: [*a, *e), empty when *e <= *a. */
static void block_of(const box_dim *d, int64_t i, int64_t *a, int64_t *e)
{
    int64_t s = d->origin + i * d->period;
    *a = s < 0 ? 0 : s;
    *e = s + d->width < d->size ? s + d->width : d->size;
}

/* Emits the runs of dims k .. r at word offset w (the outer dims' part). */
static void walk_runs(burst_walk *b, int k, int64_t w)
{
    const box_dim *d = &b->dim[k];
    for (int64_t i = 0; i < d->blocks; i++) {
        int64_t a, e;
        block_of(d, i, &a, &e);
        if (k < b->r) {
            for (int64_t x = a; x < e; x++) walk_runs(b, k + 1, w + x * b->stride[k]);
            continue;
        }
        if (e <= a) continue;
        uint64_t wb = (uint64_t)b->L->word_bytes, bb = b->burst;
        uint64_t first = b->L->base + (uint64_t)(w + a * b->stride[k]) * wb;
        uint64_t end = b->L->base + (uint64_t)(w + e * b->stride[k]) * wb;
        for (uint64_t x = first / bb * bb; x < end; x += bb) {
            if (x == b->last) continue;
            b->emit(b->ctx, x);
            b->last = x, b->calls++;
        }
    }
}

int64_t pesim_dram_layout_bursts(const pesim_dram_layout *L, const pesim_dram_box *b, uint64_t burst_bytes,
                                 void (*emit)(void *ctx, uint64_t addr), void *ctx)
{
    const int n = L->n;
    if (n < 1 || n > PESIM_LAYOUT_MAX_DIMS || burst_bytes == 0 || L->word_bytes < 1) return 0;
    burst_walk w = {L, {{0}}, {0}, 0, burst_bytes, UINT64_MAX, 0, emit, ctx};
    int whole[PESIM_LAYOUT_MAX_DIMS], given = 0;
    for (int k = 0; k < n; k++) given |= L->stride[k] != 0;
    for (int k = n - 1; k >= 0; k--) {
        w.stride[k] = given ? L->stride[k] : k == n - 1 ? 1 : w.stride[k + 1] * L->size[k + 1];
        box_dim *d = &w.dim[k];
        int64_t a = b->origin[k], e = b->origin[k] + b->extent[k];
        d->size = e < L->size[k] ? e : L->size[k]; /* the cut: the tensor's end or the box's */
        if (b->period[k] > 0 && b->width[k] > 0 && b->width[k] < b->period[k]) {
            d->origin = a, d->period = b->period[k], d->width = b->width[k];
            d->blocks = e > a ? (e - a - d->width) / d->period + 1 : 0;
        } else { /* a range: one block, cut to the tensor here */
            d->origin = a < 0 ? 0 : a, d->period = 0, d->width = d->size - d->origin;
            d->blocks = 1;
        }
        int any = 0; /* an empty dim: the box covers nothing */
        for (int64_t i = 0; i < d->blocks && !any; i++) {
            int64_t x, y;
            block_of(d, i, &x, &y);
            any = y > x;
        }
        if (!any) return 0;
        whole[k] = d->period == 0 && d->origin == 0 && d->width == L->size[k];
    }
    w.r = n - 1; /* the run: dims r .. n-1, every dim inside r whole and contiguous with the next outer */
    while (w.r > 0 && whole[w.r] && w.stride[w.r - 1] == L->size[w.r] * w.stride[w.r]) w.r--;
    walk_runs(&w, 0, 0);
    return w.calls;
}

/* The layout's dims, outermost first, per tensor and order (pesim_dram_order):
 * loop dims, or -1 for the input rows H and -2 for its columns W. */
#define ROWS_H (-1)
#define ROWS_W (-2)
static const int lay_dims[PESIM_NTENSORS][2][5] = {
    [PESIM_WEIGHTS] = {{PESIM_DIM_G, PESIM_DIM_K, PESIM_DIM_R, PESIM_DIM_S, PESIM_DIM_C},
                       {PESIM_DIM_G, PESIM_DIM_K, PESIM_DIM_C, PESIM_DIM_R, PESIM_DIM_S}},
    [PESIM_INPUTS] = {{PESIM_DIM_N, ROWS_H, ROWS_W, PESIM_DIM_G, PESIM_DIM_C},
                      {PESIM_DIM_N, PESIM_DIM_G, PESIM_DIM_C, ROWS_H, ROWS_W}},
    [PESIM_OUTPUTS] = {{PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_G, PESIM_DIM_K},
                       {PESIM_DIM_N, PESIM_DIM_G, PESIM_DIM_K, PESIM_DIM_P, PESIM_DIM_Q}},
};

void pesim_dram_tensor_layout(const pesim_layer *l, int t, int order, uint64_t base, int64_t word_bytes,
                              pesim_dram_layout *L)
{
    const int64_t *d = l->dim;
    int64_t h = d[PESIM_DIM_P] * l->stride_h + (d[PESIM_DIM_R] - 1) * l->dilation_h - 2 * (int64_t)l->pad_h;
    int64_t w = d[PESIM_DIM_Q] * l->stride_w + (d[PESIM_DIM_S] - 1) * l->dilation_w - 2 * (int64_t)l->pad_w;
    L->n = 5, L->base = base, L->word_bytes = word_bytes;
    for (int k = 0; k < PESIM_LAYOUT_MAX_DIMS; k++) L->stride[k] = 0;
    for (int k = 0; k < 5; k++) {
        int x = lay_dims[t][order ? 1 : 0][k];
        L->size[k] = x == ROWS_H ? (h > 1 ? h : 1) : x == ROWS_W ? (w > 1 ? w : 1) : d[x];
    }
}

void pesim_dram_tensor_box(const pesim_layer *l, int t, int order, const int64_t lo[PESIM_NDIMS],
                           const int64_t ext[PESIM_NDIMS], pesim_dram_box *b)
{
    for (int k = 0; k < 5; k++) {
        int x = lay_dims[t][order ? 1 : 0][k];
        b->period[k] = b->width[k] = 0;
        if (x >= 0) {
            b->origin[k] = lo[x], b->extent[k] = ext[x];
            continue;
        }
        int o = x == ROWS_H ? PESIM_DIM_P : PESIM_DIM_Q, f = x == ROWS_H ? PESIM_DIM_R : PESIM_DIM_S;
        int64_t st = x == ROWS_H ? l->stride_h : l->stride_w, dl = x == ROWS_H ? l->dilation_h : l->dilation_w;
        int64_t pad = x == ROWS_H ? l->pad_h : l->pad_w;
        if (ext[o] < 1 || ext[f] < 1) {
            b->origin[k] = 0, b->extent[k] = 0;
            continue;
        }
        b->origin[k] = lo[o] * st + lo[f] * dl - pad;
        b->extent[k] = (ext[o] - 1) * st + (ext[f] - 1) * dl + 1;
        if (dl == 1 && ext[o] > 1 && ext[f] < st) /* windows of ext[f] rows every stride */
            b->period[k] = st, b->width[k] = ext[f];
        else if (st == 1 && ext[f] > 1 && ext[o] < dl) /* ext[o] rows at every tap, dilation apart */
            b->period[k] = dl, b->width[k] = ext[o];
    }
}

int pesim_dram_box_advance(pesim_dram_box *b, const pesim_dram_box *prev, int n)
{
    int k = -1;
    for (int i = 0; i < n; i++) {
        if (b->origin[i] == prev->origin[i] && b->extent[i] == prev->extent[i] && b->period[i] == prev->period[i] &&
            b->width[i] == prev->width[i])
            continue;
        if (k >= 0) return 0;
        k = i;
    }
    if (k < 0) return 0;
    int64_t P = b->period[k];
    if (P != prev->period[k] || b->width[k] != prev->width[k]) return 0;
    int64_t pend = prev->origin[k] + prev->extent[k], end = b->origin[k] + b->extent[k];
    if (b->origin[k] < prev->origin[k] || b->origin[k] > pend) return 0;
    if (P == 0) {
        b->origin[k] = pend, b->extent[k] = end > pend ? end - pend : 0;
        return 1;
    }
    if ((b->origin[k] - prev->origin[k]) % P != 0) return 0;
    /* the blocks line up with prev's: the first block past prev's end */
    int64_t o = b->origin[k] + (pend - b->origin[k] + P - 1) / P * P;
    b->origin[k] = o, b->extent[k] = end > o ? end - o : 0;
    return 1;
}

void pesim_dram_layout_slice(pesim_dram_layout *L, int order, uint64_t base, int64_t holder, int64_t offset)
{
    /* the channel dims (G C) and the pixel dims of the orders' five dims */
    const int c0 = order ? 1 : 3;
    int64_t ch = L->size[c0] * L->size[c0 + 1];
    if (L->n != 5 || offset < 0 || holder < offset + ch) return;
    int64_t *st = L->stride;
    if (!order) { /* N H W G C: a pixel spans holder channels */
        st[4] = 1, st[3] = L->size[4], st[2] = holder, st[1] = L->size[2] * holder, st[0] = L->size[1] * st[1];
        L->base = base + (uint64_t)(offset * L->word_bytes);
    } else { /* N G C H W: an image spans holder planes */
        int64_t plane = L->size[3] * L->size[4];
        st[4] = 1, st[3] = L->size[4], st[2] = plane, st[1] = L->size[2] * plane, st[0] = holder * plane;
        L->base = base + (uint64_t)(offset * plane * L->word_bytes);
    }
}

/* A vector layer as the layer whose layouts and boxes are its own: a pool as
 * a depthwise conv (K groups of one channel); 0 for an operand that is not
 * an activation of the layer's shape. *t becomes the tensor whose layout the
 * operand takes. */
static int vector_shape(const pesim_layer *l, int *t, pesim_layer *v)
{
    *v = *l;
    if (l->op == PESIM_OP_POOL) {
        v->dim[PESIM_DIM_G] = l->dim[PESIM_DIM_G] * l->dim[PESIM_DIM_K];
        v->dim[PESIM_DIM_K] = v->dim[PESIM_DIM_C] = 1;
        return *t != PESIM_WEIGHTS;
    }
    if (*t == PESIM_WEIGHTS && l->op != PESIM_OP_ADD) return 0;
    v->dim[PESIM_DIM_C] = v->dim[PESIM_DIM_R] = v->dim[PESIM_DIM_S] = 1;
    *t = PESIM_OUTPUTS;
    return 1;
}

int pesim_dram_vector_layout(const pesim_layer *l, int t, int order, uint64_t base, int64_t word_bytes,
                             pesim_dram_layout *L)
{
    pesim_layer v;
    if (!vector_shape(l, &t, &v)) return 0;
    pesim_dram_tensor_layout(&v, t, order, base, word_bytes, L);
    return 1;
}

/* Cuts the units [lo, hi) of unit dims k .. D-1 (loop dims ud, radices rad)
 * into boxes (box_lo, box_ext per loop dim; dims outside k .. D-1 as set),
 * in unit order; appends them to out as boxes of tensor t of layer v. */
typedef struct unit_cut {
    const pesim_layer *v;
    int t, order, D, ud[5], n;
    int64_t rad[5], inner[5];
    int64_t lo[PESIM_NDIMS], ext[PESIM_NDIMS];
    pesim_dram_box *out;
} unit_cut;

static void cut_emit(unit_cut *c) { pesim_dram_tensor_box(c->v, c->t, c->order, c->lo, c->ext, &c->out[c->n++]); }

static void cut_units(unit_cut *c, int k, int64_t lo, int64_t hi)
{
    int d = c->ud[k];
    int64_t in = c->inner[k], a = lo / in, b = hi / in;
    if (a == (hi - 1) / in) { /* one index of dim k */
        c->lo[d] = a, c->ext[d] = 1;
        if (k + 1 < c->D) cut_units(c, k + 1, lo - a * in, hi - a * in);
        else cut_emit(c);
        return;
    }
    if (lo % in) { /* the partial index first */
        c->lo[d] = a, c->ext[d] = 1;
        cut_units(c, k + 1, lo % in, in);
        a++;
    }
    if (b > a) { /* whole indices: the inner dims whole */
        for (int j = k + 1; j < c->D; j++) c->lo[c->ud[j]] = 0, c->ext[c->ud[j]] = c->rad[j];
        c->lo[d] = a, c->ext[d] = b - a;
        cut_emit(c);
    }
    if (hi % in) { /* the partial last index */
        c->lo[d] = b, c->ext[d] = 1;
        cut_units(c, k + 1, 0, hi % in);
    }
}

int pesim_dram_vector_boxes(const pesim_layer *l, int t, int order, int64_t u0, int64_t u1,
                            pesim_dram_box out[PESIM_DRAM_UNIT_BOXES])
{
    pesim_layer v;
    unit_cut c;
    c.t = t;
    if (!vector_shape(l, &c.t, &v)) return 0;
    c.v = &v, c.order = order, c.n = 0, c.out = out;
    for (int d = 0; d < PESIM_NDIMS; d++) c.lo[d] = 0, c.ext[d] = v.dim[d];
    static const int pool_units[] = {PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_G}; /* G: the pool's channels */
    static const int units[2][5] = {{PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_G, PESIM_DIM_K},
                                    {PESIM_DIM_N, PESIM_DIM_G, PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_K}};
    const int *ud = l->op == PESIM_OP_POOL ? pool_units : units[order ? 1 : 0];
    c.D = l->op == PESIM_OP_POOL ? 3 : 5;
    int64_t all = 1;
    for (int k = c.D - 1; k >= 0; k--) {
        c.ud[k] = ud[k], c.rad[k] = v.dim[ud[k]] > 0 ? v.dim[ud[k]] : 1;
        c.inner[k] = all, all *= c.rad[k];
    }
    if (u0 < 0) u0 = 0;
    if (u1 > all) u1 = all;
    if (u1 > u0) cut_units(&c, 0, u0, u1);
    return c.n;
}
