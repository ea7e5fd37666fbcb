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
