/* engine/dram_layout.h - a tensor's row-major layout in DRAM and the bursts
 * that a tile's box covers (docs/engine.md, "DRAM layout"). Internal to sim/.
 *
 * A tensor is laid out densely in a declared dimension order, outermost
 * first (NCHW or NHWC for activations, KCRS for weights): element (i_0, ...,
 * i_{n-1}) is at byte base + word_bytes * sum_k i_k * stride_k, where
 * stride_{n-1} = 1 and stride_k = stride_{k+1} * size_{k+1} (dense), or
 * as given (a slice of channels of a wider tensor). A box (per dim
 * a range, or equally long blocks at a period, clipped to the tensor) covers
 * one contiguous run of bytes per combination of its outer dims' indices;
 * its innermost dims merge into one run while the dims inside them are
 * whole. */
#ifndef PESIM_ENGINE_DRAM_LAYOUT_H
#define PESIM_ENGINE_DRAM_LAYOUT_H

#include <stdint.h>

#include "pesim/workload.h"

#define PESIM_LAYOUT_MAX_DIMS 6

typedef struct pesim_dram_layout {
    int n;                                  /* dims, 1 .. PESIM_LAYOUT_MAX_DIMS, outermost first */
    int64_t size[PESIM_LAYOUT_MAX_DIMS];    /* extent of each dim (>= 1) */
    uint64_t base;                          /* byte address of element 0 */
    int64_t word_bytes;                     /* bytes of one element (>= 1) */
    int64_t stride[PESIM_LAYOUT_MAX_DIMS];  /* words between neighbours along each dim; all 0: dense (above);
                                             * else stride[n-1] is 1 */
} pesim_dram_layout;

/* Per dim k, the indices [origin, origin + extent) when period[k] is 0; else
 * only those x with (x - origin) mod period < width: blocks of `width`
 * indices every `period` (0 < width < period), extent a whole number of
 * periods plus one width, e.g. the rows a strided window reads. A box whose
 * period and width are zero-initialised is the plain range. */
typedef struct pesim_dram_box {
    int64_t origin[PESIM_LAYOUT_MAX_DIMS];
    int64_t extent[PESIM_LAYOUT_MAX_DIMS];
    int64_t period[PESIM_LAYOUT_MAX_DIMS];
    int64_t width[PESIM_LAYOUT_MAX_DIMS];
} pesim_dram_box;

/* The bursts (burst_bytes-aligned byte addresses) that box b of layout L
 * covers, run by run in address order of the runs (outer dims first; a run
 * merges a dim into the next outer one only where the box covers it whole
 * and the two are contiguous): emit is called once per burst, except that
 * a burst shared by two consecutive runs is emitted once. The box is clipped to the tensor (a negative origin
 * or one past the end covers less); an empty box covers nothing. Returns the
 * number of calls. */
int64_t pesim_dram_layout_bursts(const pesim_dram_layout *L, const pesim_dram_box *b, uint64_t burst_bytes,
                                 void (*emit)(void *ctx, uint64_t addr), void *ctx);

/* The row-major layout of tensor t (pesim_tensor) of MAC layer l in order
 * `order` (pesim_dram_order), at byte `base`, elements of word_bytes bytes.
 * Dims, outermost first:
 *   weights  KRSC: G K R S C      KCRS: G K C R S
 *   inputs   NHWC: N H W G C      NCHW: N G C H W
 *   outputs  NHWC: N P Q G K      NCHW: N G K P Q
 * (groups next to the channels: G C is the folded channel g * C + c). The
 * inputs' rows: the largest image the layer's P fits (P = (H + 2 pad - (R -
 * 1) dilation - 1) / stride + 1, rounded down), H = P stride_h + (R - 1)
 * dilation_h - 2 pad_h (at least 1; 56 for ResNet-50's 3 x 3 stride-2 conv
 * to 28), W likewise; the padding is not stored. */
void pesim_dram_tensor_layout(const pesim_layer *l, int t, int order, uint64_t base, int64_t word_bytes,
                              pesim_dram_layout *L);

/* The box of tensor t in that layout of a tile that is the box [lo[d], lo[d]
 * + ext[d]) of the loop dims d (pesim_dim; only the dims t depends on are
 * read): inputs map (P, R) to rows p * stride_h + r * dilation_h - pad_h and
 * (Q, S) to columns, exactly the rows the windows read: a range when they
 * touch; windows of `taps` rows every `stride` when the stride leaves rows
 * between them (no dilation, taps < stride); `outputs` rows every
 * `dilation` when the dilation leaves rows between the taps (stride 1,
 * outputs < dilation). With both a stride and a dilation above 1 the box
 * encloses the rows from the first to the last. */
void pesim_dram_tensor_box(const pesim_layer *l, int t, int order, const int64_t lo[PESIM_NDIMS],
                           const int64_t ext[PESIM_NDIMS], pesim_dram_box *b);

/* A sliding window's new part: when box b (n dims) equals prev in every dim
 * but one, k, along which both are ranges or both are blocks of one width
 * at one period whose origins are a whole number of periods apart, and b
 * starts inside prev (or just past its end), narrows b along k to the
 * indices past prev's end (none if it ends inside prev) and returns 1; else
 * leaves b and returns 0. */
int pesim_dram_box_advance(pesim_dram_box *b, const pesim_dram_box *prev, int n);

/* Makes activation layout L (pesim_dram_tensor_layout of inputs or outputs,
 * or pesim_dram_vector_layout, in order `order`) the slice of channels
 * [offset, offset + its G C) of a holder with the same pixels and `holder`
 * channels per pixel whose element 0 is at byte `base` (a concat's output
 * holding its aliased inputs): NHWC, a pixel's channels are a run inside the
 * holder's pixel of `holder` channels; NCHW, each channel plane moves by
 * `offset` planes and an image spans `holder` planes. A holder narrower than
 * offset + G C leaves L as it is. */
void pesim_dram_layout_slice(pesim_dram_layout *L, int order, uint64_t base, int64_t holder, int64_t offset);

/* A vector layer's tensors (docs/engine.md, "DRAM address layout"). A pool
 * (dims N K P Q R S) is laid out as a depthwise conv of K groups: inputs N H
 * W K (NCHW: N K H W), the rows of its P outputs as for a conv, outputs N P
 * Q K; any other vector op's operands (the add's two, an activation's,
 * softmax's, layernorm's input; dims G N K P Q) have the outputs' shape and
 * layout, N P Q G K (NCHW: N G K P Q). Returns 0 for an operand that is no
 * activation of that shape (layernorm's scale and shift in the weights
 * slot: a dense whole tensor), else 1 with L set. */
int pesim_dram_vector_layout(const pesim_layer *l, int t, int order, uint64_t base, int64_t word_bytes,
                             pesim_dram_layout *L);

#define PESIM_DRAM_UNIT_BOXES 9 /* the most boxes of a range of units */

/* The boxes, in L's index space, of the units [u0, u1) of vector layer l's
 * operand t (pesim_dram_vector_layout): a pool's unit is one channel of an
 * output row (n, p, k), the channel fastest: its outputs all Q columns of
 * that channel, its inputs the rows its windows read (pesim_dram_tensor_box:
 * the stride's blocks), all columns, of that channel;
 * any other op's unit is one channel of one pixel of one group, the units
 * counted in the layout's order of the pixel and group dims, then the
 * channel (NHWC: N P Q G K, NCHW: N G P Q K; the innermost fastest). The
 * range is cut into at most
 * PESIM_DRAM_UNIT_BOXES boxes in unit order (a partial run of the
 * innermost unit dim, whole ones, a partial one, per outer dim). Returns how
 * many. */
int pesim_dram_vector_boxes(const pesim_layer *l, int t, int order, int64_t u0, int64_t u1,
                            pesim_dram_box out[PESIM_DRAM_UNIT_BOXES]);

#endif
