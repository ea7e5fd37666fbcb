/* engine/dram_layout.h - a tensor's row-major layout in DRAM and the bursts
 * that a tile's box covers (docs/engine.md, "DRAM layout"). Internal to sim/.
 *
 * A tensor is laid out densely in a declared dimension order, outermost
 * first (NCHW or NHWC for activations, KCRS for weights): element (i_0, ...,
 * i_{n-1}) is at byte base + word_bytes * sum_k i_k * stride_k, where
 * stride_{n-1} = 1 and stride_k = stride_{k+1} * size_{k+1}. A box (an
 * origin and an extent per dim, clipped to the tensor) covers one contiguous
 * run of bytes per combination of its outer dims; its innermost dims merge
 * into one run while the dims inside them are whole. */
#ifndef PESIM_ENGINE_DRAM_LAYOUT_H
#define PESIM_ENGINE_DRAM_LAYOUT_H

#include <stdint.h>

#define PESIM_LAYOUT_MAX_DIMS 6

typedef struct pesim_dram_layout {
    int n;                                  /* dims, 1 .. PESIM_LAYOUT_MAX_DIMS, outermost first */
    int64_t size[PESIM_LAYOUT_MAX_DIMS];    /* extent of each dim (>= 1) */
    uint64_t base;                          /* byte address of element 0 */
    int64_t word_bytes;                     /* bytes of one element (>= 1) */
} pesim_dram_layout;

typedef struct pesim_dram_box {
    int64_t origin[PESIM_LAYOUT_MAX_DIMS];
    int64_t extent[PESIM_LAYOUT_MAX_DIMS];
} pesim_dram_box;

/* The bursts (burst_bytes-aligned byte addresses) that box b of layout L
 * covers, run by run in address order of the runs (outer dims first): emit
 * is called once per burst, except that a burst shared by two consecutive
 * runs is emitted once. The box is clipped to the tensor (a negative origin
 * or one past the end covers less); an empty box covers nothing. Returns the
 * number of calls. */
int64_t pesim_dram_layout_bursts(const pesim_dram_layout *L, const pesim_dram_box *b, uint64_t burst_bytes,
                                 void (*emit)(void *ctx, uint64_t addr), void *ctx);

#endif
