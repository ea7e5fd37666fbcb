/* engine/dram_layout.c - the bursts a tile's box covers in a row-major
 * tensor layout (engine/dram_layout.h). */
#include "engine/dram_layout.h"

int64_t pesim_dram_layout_bursts(const pesim_dram_layout *L, const pesim_dram_box *b, uint64_t burst_bytes,
                                 void (*emit)(void *ctx, uint64_t addr), void *ctx)
{
    const int n = L->n;
    if (n < 1 || n > PESIM_LAYOUT_MAX_DIMS || burst_bytes == 0 || L->word_bytes < 1) return 0;
    int64_t lo[PESIM_LAYOUT_MAX_DIMS], ext[PESIM_LAYOUT_MAX_DIMS], stride[PESIM_LAYOUT_MAX_DIMS];
    for (int k = n - 1; k >= 0; k--) {
        stride[k] = k == n - 1 ? 1 : stride[k + 1] * L->size[k + 1];
        int64_t a = b->origin[k] < 0 ? 0 : b->origin[k], e = b->origin[k] + b->extent[k];
        if (e > L->size[k]) e = L->size[k];
        if (e <= a) return 0;
        lo[k] = a, ext[k] = e - a;
    }
    /* the run: dims r .. n-1, where every dim inside r is whole */
    int r = n - 1;
    while (r > 0 && ext[r] == L->size[r]) r--;
    int64_t run_words = ext[r] * stride[r];
    uint64_t bb = burst_bytes, wb = (uint64_t)L->word_bytes;
    int64_t idx[PESIM_LAYOUT_MAX_DIMS] = {0}, calls = 0;
    uint64_t last = UINT64_MAX;
    for (;;) {
        int64_t w = 0;
        for (int k = 0; k < n; k++) w += (lo[k] + (k < r ? idx[k] : 0)) * stride[k];
        uint64_t first = L->base + (uint64_t)w * wb, end = first + (uint64_t)run_words * wb;
        for (uint64_t a = first / bb * bb; a < end; a += bb) {
            if (a == last) continue;
            emit(ctx, a);
            last = a, calls++;
        }
        int k = r - 1; /* the odometer over the outer dims */
        while (k >= 0 && ++idx[k] == ext[k]) idx[k--] = 0;
        if (k < 0) return calls;
    }
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
    }
}

int pesim_dram_box_advance(pesim_dram_box *b, const pesim_dram_box *prev, int n)
{
    int k = -1;
    for (int i = 0; i < n; i++) {
        if (b->origin[i] == prev->origin[i] && b->extent[i] == prev->extent[i]) continue;
        if (k >= 0) return 0;
        k = i;
    }
    if (k < 0) return 0;
    int64_t pend = prev->origin[k] + prev->extent[k], end = b->origin[k] + b->extent[k];
    if (b->origin[k] < prev->origin[k] || b->origin[k] > pend) return 0;
    b->origin[k] = pend, b->extent[k] = end > pend ? end - pend : 0;
    return 1;
}
