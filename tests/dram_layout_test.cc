// dram_layout_test.cc - a tensor's row-major DRAM layout and the bursts a
// tile's box covers (engine/dram_layout.h), traced by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

extern "C" {
#include "engine/dram_layout.h"
#include "pesim/arch.h"
}

namespace {

void collect(void *ctx, uint64_t addr) { static_cast<std::vector<uint64_t> *>(ctx)->push_back(addr); }

// NCHW activations 1 x 2 x 4 x 8 of 16-bit words at byte 0: strides W 1, H 8,
// C 32, N 64 words.
pesim_dram_layout nchw()
{
    pesim_dram_layout L = {4, {1, 2, 4, 8}, 0, 2, {0}};
    return L;
}

std::vector<uint64_t> bursts(const pesim_dram_layout &L, const pesim_dram_box &b, uint64_t bb)
{
    std::vector<uint64_t> v;
    int64_t n = pesim_dram_layout_bursts(&L, &b, bb, collect, &v);
    EXPECT_EQ(n, (int64_t)v.size());
    return v;
}

}  // namespace

// A strided box: C [0,2), H [1,3), W [2,6): four runs of 4 words (8 bytes),
// at words 10, 18, 42, 50 = bytes 20, 36, 84, 100: one 16-byte burst each,
// at 16, 32, 80, 96.
TEST(DramLayout, StridedBoxOneRunPerRow)
{
    pesim_dram_box b = {{0, 0, 1, 2}, {1, 2, 2, 4}, {0}, {0}};
    EXPECT_EQ(bursts(nchw(), b, 16), (std::vector<uint64_t>{16, 32, 80, 96}));
    // 64-byte bursts: bytes 20-27 and 36-43 share burst 0, 84-91 and 100-107 burst 64
    EXPECT_EQ(bursts(nchw(), b, 64), (std::vector<uint64_t>{0, 64}));
}

// Whole rows merge: W whole, H [1,3): one run of 16 words (32 bytes) per
// channel, at bytes 16 and 80: bursts 16, 32 and 80, 96. The whole tensor is
// one run of 128 bytes: 8 bursts from 0.
TEST(DramLayout, WholeInnerDimsMergeIntoOneRun)
{
    pesim_dram_box b = {{0, 0, 1, 0}, {1, 2, 2, 8}, {0}, {0}};
    EXPECT_EQ(bursts(nchw(), b, 16), (std::vector<uint64_t>{16, 32, 80, 96}));
    pesim_dram_box all = {{0, 0, 0, 0}, {1, 2, 4, 8}, {0}, {0}};
    std::vector<uint64_t> v = bursts(nchw(), all, 16);
    ASSERT_EQ(v.size(), 8u);
    for (size_t i = 0; i < v.size(); i++) EXPECT_EQ(v[i], 16 * i);
}

// A box is clipped to the tensor (a halo past the edge), an empty box covers
// nothing, and the base shifts every address.
TEST(DramLayout, ClippedEmptyAndBase)
{
    pesim_dram_layout L = nchw();
    L.base = 1 << 20;
    pesim_dram_box b = {{0, 1, -1, 6}, {1, 1, 2, 4}, {0}, {0}};   // C 1, H [0,1), W [6,8)
    EXPECT_EQ(bursts(L, b, 16), (std::vector<uint64_t>{(1u << 20) + 64 + 0}));  // words 38-39: bytes 76-79
    pesim_dram_box e = {{0, 0, 0, 0}, {1, 0, 4, 8}, {0}, {0}};
    EXPECT_TRUE(bursts(L, e, 16).empty());
}

// The layouts of a layer's tensors (pesim_dram_tensor_layout): a 3 x 3 conv,
// pad 1, stride 1, P = Q = 4, C = 2, K = 3, G = 1, N = 1. The inputs' rows
// are 4 x 1 + (3 - 1) - 2 = 4 (the image whose "same" conv gives P 4); NHWC is N H W G C = 1 4 4 1 2, NCHW
// N G C H W = 1 1 2 4 4; the weights KRSC are G K R S C = 1 3 3 3 2, KCRS
// G K C R S = 1 3 2 3 3; the outputs NHWC N P Q G K = 1 4 4 1 3.
TEST(DramLayout, TensorLayoutsOfAConv)
{
    pesim_layer l = {};
    int64_t dims[PESIM_NDIMS] = {1, 1, 3, 2, 4, 4, 3, 3};
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = l.dilation_h = l.dilation_w = 1;
    l.pad_h = l.pad_w = 1;
    pesim_dram_layout L;
    auto sizes = [&](int t, int order) {
        pesim_dram_tensor_layout(&l, t, order, 4096, 2, &L);
        EXPECT_EQ(L.base, 4096u);
        EXPECT_EQ(L.word_bytes, 2);
        return std::vector<int64_t>(L.size, L.size + L.n);
    };
    EXPECT_EQ(sizes(PESIM_INPUTS, PESIM_DRAM_NHWC), (std::vector<int64_t>{1, 4, 4, 1, 2}));
    EXPECT_EQ(sizes(PESIM_INPUTS, PESIM_DRAM_NCHW), (std::vector<int64_t>{1, 1, 2, 4, 4}));
    EXPECT_EQ(sizes(PESIM_WEIGHTS, PESIM_DRAM_NHWC), (std::vector<int64_t>{1, 3, 3, 3, 2}));
    EXPECT_EQ(sizes(PESIM_WEIGHTS, PESIM_DRAM_NCHW), (std::vector<int64_t>{1, 3, 2, 3, 3}));
    EXPECT_EQ(sizes(PESIM_OUTPUTS, PESIM_DRAM_NHWC), (std::vector<int64_t>{1, 4, 4, 1, 3}));

    // An input tile P [2, 4), R [0, 3), Q [0, 4), S [0, 3), C [1, 2): rows
    // 2 + 0 - 1 = 1 to 3 + 2 - 1 = 4 (extent 4, clipped by the layout to
    // [1, 4)), columns -1 to 4 (extent 6). NHWC: N H W G C.
    int64_t lo[PESIM_NDIMS] = {0, 0, 0, 1, 2, 0, 0, 0}, ext[PESIM_NDIMS] = {1, 1, 3, 1, 2, 4, 3, 3};
    pesim_dram_box b;
    pesim_dram_tensor_box(&l, PESIM_INPUTS, PESIM_DRAM_NHWC, lo, ext, &b);
    EXPECT_EQ(std::vector<int64_t>(b.origin, b.origin + 5), (std::vector<int64_t>{0, 1, -1, 0, 1}));
    EXPECT_EQ(std::vector<int64_t>(b.extent, b.extent + 5), (std::vector<int64_t>{1, 4, 6, 1, 1}));
    // its bursts (16 bytes = 8 words): rows 1-3, columns 0-3, channel 1: words
    // (h * 4 + w) * 2 + 1 = 9, 11, 13, 15 (row 1: bytes 18-31, burst 16), then
    // rows 2 and 3 (words 17-23, 25-31: bursts 32, 48): one burst a row.
    pesim_dram_tensor_layout(&l, PESIM_INPUTS, PESIM_DRAM_NHWC, 0, 2, &L);
    EXPECT_EQ(bursts(L, b, 16), (std::vector<uint64_t>{16, 32, 48}));

    // A window sliding one row down: every dim kept but the rows, which
    // start inside the previous ones (rows [0, 3), then [1, 4)): the new
    // part is row 3 alone.
    pesim_dram_box prev = b, next = b;
    prev.origin[1] = 0, prev.extent[1] = 3;
    next.origin[1] = 1, next.extent[1] = 3;
    ASSERT_EQ(pesim_dram_box_advance(&next, &prev, 5), 1);
    EXPECT_EQ(next.origin[1], 3);
    EXPECT_EQ(next.extent[1], 1);
    // two dims differ: not an advance, the box is left whole
    pesim_dram_box two = b;
    two.origin[1] = 1, two.origin[4] = 0;
    pesim_dram_box keep = two;
    EXPECT_EQ(pesim_dram_box_advance(&two, &prev, 5), 0);
    EXPECT_EQ(two.origin[1], keep.origin[1]);
    EXPECT_EQ(two.extent[1], keep.extent[1]);
}

// A 1 x 1 conv of stride 2 (P = Q = 2, C = 2, no padding) reads rows and
// columns {0, 2} of its 4 x 4 input: NHWC, 16-bit words, element (h, w, c) at
// word (h * 4 + w) * 2 + c. The box is blocks of 1 row every 2 (extent 3);
// its bursts of 4 bytes are the four pixels' words 0-1, 4-5, 16-17, 20-21 =
// bytes 0, 8, 32, 40, where the enclosing rows 0-2 x columns 0-2 would read
// 9 bursts (0, 4, 8, 16, 20, 24, 32, 36, 40).
TEST(DramLayout, StridedWindowsReadOnlyTheirRows)
{
    pesim_layer l = {};
    int64_t dims[PESIM_NDIMS] = {1, 1, 1, 2, 2, 2, 1, 1};  // G N K C P Q R S
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = 2, l.dilation_h = l.dilation_w = 1;
    pesim_dram_layout L;
    pesim_dram_tensor_layout(&l, PESIM_INPUTS, PESIM_DRAM_NHWC, 0, 2, &L);
    EXPECT_EQ(std::vector<int64_t>(L.size, L.size + 5), (std::vector<int64_t>{1, 4, 4, 1, 2}));
    int64_t lo[PESIM_NDIMS] = {0}, ext[PESIM_NDIMS] = {1, 1, 1, 2, 2, 2, 1, 1};
    pesim_dram_box b;
    pesim_dram_tensor_box(&l, PESIM_INPUTS, PESIM_DRAM_NHWC, lo, ext, &b);
    for (int k : {1, 2}) {
        EXPECT_EQ(b.origin[k], 0);
        EXPECT_EQ(b.extent[k], 3);
        EXPECT_EQ(b.period[k], 2);
        EXPECT_EQ(b.width[k], 1);
    }
    EXPECT_EQ(bursts(L, b, 4), (std::vector<uint64_t>{0, 8, 32, 40}));
    pesim_dram_box enclosing = b;
    for (int k : {1, 2}) enclosing.period[k] = enclosing.width[k] = 0;
    EXPECT_EQ(bursts(L, enclosing, 4), (std::vector<uint64_t>{0, 4, 8, 16, 20, 24, 32, 36, 40}));
}

// Dilation 3 at stride 1: 2 outputs x 2 taps read rows {0, 1, 3, 4} (blocks
// of 2 every 3, extent 5); with 3 outputs the blocks touch (rows 0-5: a
// range); with a stride and a dilation both 2, 3 outputs x 2 taps read rows
// {0, 2, 4} + {0, 2} = {0, 2, 4, 6}, enclosed as the range 0-6 (extent 7).
TEST(DramLayout, DilatedTapsAndTheEnclosedCase)
{
    pesim_layer l = {};
    int64_t dims[PESIM_NDIMS] = {1, 1, 1, 1, 4, 1, 2, 1};
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = 1, l.dilation_h = 3, l.dilation_w = 1;
    int64_t lo[PESIM_NDIMS] = {0}, ext[PESIM_NDIMS] = {1, 1, 1, 1, 2, 1, 2, 1};
    pesim_dram_box b;
    pesim_dram_tensor_box(&l, PESIM_INPUTS, PESIM_DRAM_NCHW, lo, ext, &b);  // N G C H W
    EXPECT_EQ(b.origin[3], 0);
    EXPECT_EQ(b.extent[3], 5);
    EXPECT_EQ(b.period[3], 3);
    EXPECT_EQ(b.width[3], 2);
    ext[PESIM_DIM_P] = 3;
    pesim_dram_tensor_box(&l, PESIM_INPUTS, PESIM_DRAM_NCHW, lo, ext, &b);
    EXPECT_EQ(b.extent[3], 6);
    EXPECT_EQ(b.period[3], 0);
    l.stride_h = 2, l.dilation_h = 2;
    pesim_dram_tensor_box(&l, PESIM_INPUTS, PESIM_DRAM_NCHW, lo, ext, &b);
    EXPECT_EQ(b.extent[3], 7);
    EXPECT_EQ(b.period[3], 0);
}

// Blocks of 2 every 3: the previous tile reads rows {0, 1, 3, 4, 6, 7}
// (origin 0, extent 8), the next {3, 4, 6, 7, 9, 10} (origin 3): its blocks
// line up with the previous ones, so only the block past row 7 is new, rows
// 9-10. Origins 1 apart (rows {1, 2, 4, 5, ...}) do not line up: the whole box.
TEST(DramLayout, AdvancingBlocksReadOnlyTheBlocksPastThePrevious)
{
    pesim_dram_box prev = {{0, 0}, {1, 8}, {0, 3}, {0, 2}};
    pesim_dram_box next = {{0, 3}, {1, 8}, {0, 3}, {0, 2}};
    ASSERT_EQ(pesim_dram_box_advance(&next, &prev, 2), 1);
    EXPECT_EQ(next.origin[1], 9);
    EXPECT_EQ(next.extent[1], 2);
    EXPECT_EQ(next.period[1], 3);
    pesim_dram_box off = {{0, 1}, {1, 8}, {0, 3}, {0, 2}};
    EXPECT_EQ(pesim_dram_box_advance(&off, &prev, 2), 0);
    EXPECT_EQ(off.origin[1], 1);
    EXPECT_EQ(off.extent[1], 8);
    // a range after blocks: not the same shape, the whole box
    pesim_dram_box range = {{0, 3}, {1, 8}, {0, 0}, {0, 0}};
    EXPECT_EQ(pesim_dram_box_advance(&range, &prev, 2), 0);
    EXPECT_EQ(range.extent[1], 8);
}

namespace {

// The bursts of every box of units [u0, u1) of vector layer l's operand t,
// each once, in address order (the engine's contract for a vector block).
std::vector<uint64_t> unit_bursts(const pesim_layer &l, int t, int order, int64_t u0, int64_t u1, uint64_t bb,
                                  int *boxes)
{
    pesim_dram_layout L;
    EXPECT_EQ(pesim_dram_vector_layout(&l, t, order, 0, 1, &L), 1);
    pesim_dram_box bx[PESIM_DRAM_UNIT_BOXES];
    *boxes = pesim_dram_vector_boxes(&l, t, order, u0, u1, bx);
    std::vector<uint64_t> v;
    for (int i = 0; i < *boxes; i++) pesim_dram_layout_bursts(&L, &bx[i], bb, collect, &v);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

}  // namespace

// A concat of two inputs into an NHWC output (one-byte words, 4-byte
// bursts): 4 pixels of 8 channels, input A channels 0-1, input B channels
// 2-7, so pixel i holds A at bytes 8i, 8i+1 and B at 8i+2 .. 8i+7. B's copy
// writes one run of 6 bytes per pixel: bytes 2-7 (bursts 0, 4), 10-15 (8,
// 12), 18-23 (16, 20), 26-31 (24, 28): 8 bursts. A's writes 2 bytes per
// pixel: bursts 0, 8, 16, 24 (tile-major's cursor: 8 contiguous bytes, 2
// bursts). NCHW (one image): a channel is a plane of 4 bytes, B's channels
// the planes 2-7, bytes 8-31 from the base moved by 2 planes: 6 bursts from
// 8; A's bytes 0-7: bursts 0, 4.
TEST(DramLayout, ConcatSlicesOfAnNhwcOutput)
{
    pesim_dram_layout B = {5, {1, 1, 4, 1, 6}, 0, 1, {0}}, A = {5, {1, 1, 4, 1, 2}, 0, 1, {0}};
    pesim_dram_box all = {{0}, {1, 1, 4, 1, 6}, {0}, {0}}, alla = {{0}, {1, 1, 4, 1, 2}, {0}, {0}};
    pesim_dram_layout_slice(&B, PESIM_DRAM_NHWC, 0, 8, 2);
    pesim_dram_layout_slice(&A, PESIM_DRAM_NHWC, 0, 8, 0);
    EXPECT_EQ(bursts(B, all, 4), (std::vector<uint64_t>{0, 4, 8, 12, 16, 20, 24, 28}));
    EXPECT_EQ(bursts(A, alla, 4), (std::vector<uint64_t>{0, 8, 16, 24}));
    // NCHW: N G C H W
    pesim_dram_layout Bc = {5, {1, 1, 6, 1, 4}, 0, 1, {0}}, Ac = {5, {1, 1, 2, 1, 4}, 0, 1, {0}};
    pesim_dram_box allc = {{0}, {1, 1, 6, 1, 4}, {0}, {0}}, allac = {{0}, {1, 1, 2, 1, 4}, {0}, {0}};
    pesim_dram_layout_slice(&Bc, PESIM_DRAM_NCHW, 0, 8, 2);
    pesim_dram_layout_slice(&Ac, PESIM_DRAM_NCHW, 0, 8, 0);
    EXPECT_EQ(bursts(Bc, allc, 4), (std::vector<uint64_t>{8, 12, 16, 20, 24, 28}));
    EXPECT_EQ(bursts(Ac, allac, 4), (std::vector<uint64_t>{0, 4}));
    // a holder narrower than the slice leaves the layout dense
    pesim_dram_layout D = {5, {1, 1, 4, 1, 6}, 0, 1, {0}};
    pesim_dram_layout_slice(&D, PESIM_DRAM_NHWC, 0, 7, 2);
    EXPECT_EQ(bursts(D, all, 4), (std::vector<uint64_t>{0, 4, 8, 12, 16, 20}));
}

// An aliased producer's tile inside the concat's output: a 2 x 2 output of
// K 2 channels is channels 3-4 of a holder of 8 (NHWC, one-byte words,
// 2-byte bursts). Its tile P [1, 2), Q [0, 2), K [0, 2): pixels 2 and 3 of
// the holder, bytes 2 x 8 + 3 = 19, 20 and 27, 28: bursts 18, 20, 26, 28.
// The dense tensor would have been bytes 4-7: bursts 4, 6.
TEST(DramLayout, AnAliasedProducersTileInItsHolder)
{
    pesim_layer l = {};
    int64_t dims[PESIM_NDIMS] = {1, 1, 2, 4, 2, 2, 1, 1};  // G N K C P Q R S
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = l.dilation_h = l.dilation_w = 1;
    pesim_dram_layout L;
    pesim_dram_tensor_layout(&l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, 1000, 1, &L);
    int64_t lo[PESIM_NDIMS] = {0, 0, 0, 0, 1, 0, 0, 0}, ext[PESIM_NDIMS] = {1, 1, 2, 4, 1, 2, 1, 1};
    pesim_dram_box b;
    pesim_dram_tensor_box(&l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, lo, ext, &b);
    pesim_dram_layout dense = L;
    dense.base = 0;
    EXPECT_EQ(bursts(dense, b, 2), (std::vector<uint64_t>{4, 6}));
    pesim_dram_layout_slice(&L, PESIM_DRAM_NHWC, 0, 8, 3);
    EXPECT_EQ(bursts(L, b, 2), (std::vector<uint64_t>{18, 20, 26, 28}));
}

// A pool's bursts: K 2 channels, P = Q = 2 outputs of 1 x 1 windows at
// stride 2 (no padding): a 4 x 4 input image, one-byte words, 4-byte bursts.
// A unit is one channel of an output row, the channel fastest: units [0, 4)
// are both rows, which read input rows 0 and 2 and, in them, columns 0 and 2
// (blocks of 1 every 2): pixels (0,0) (0,2) (2,0) (2,2) at bytes 2 x (4h +
// w): 0, 4, 16, 20, one burst each (tile-major's cursor: the 8 words
// counted, bursts 0 and 4). Their outputs: all of the 2 x 2 x 2 output,
// bytes 0-7: bursts 0, 4. Row 1 alone (units [2, 4)): input row 2: bursts
// 16, 20; output bytes 4-7: burst 4. Units [1, 3), channel 1 of row 0 and
// channel 0 of row 1 (one-byte bursts): inputs bytes 1, 5 and 16, 20,
// outputs 2 x (2p + q) + k: 1, 3 and 4, 6, two boxes each.
TEST(DramLayout, APoolReadsTheRowsAndColumnsOfItsWindows)
{
    pesim_layer l = {};
    l.op = PESIM_OP_POOL;
    int64_t dims[PESIM_NDIMS] = {1, 1, 2, 1, 2, 2, 1, 1};
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = 2;
    l.dilation_h = l.dilation_w = 1;
    int nb;
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NHWC, 0, 4, 4, &nb), (std::vector<uint64_t>{0, 4, 16, 20}));
    EXPECT_EQ(nb, 1);
    EXPECT_EQ(unit_bursts(l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, 0, 4, 4, &nb), (std::vector<uint64_t>{0, 4}));
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NHWC, 2, 4, 4, &nb), (std::vector<uint64_t>{16, 20}));
    EXPECT_EQ(unit_bursts(l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, 2, 4, 4, &nb), (std::vector<uint64_t>{4}));
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NHWC, 1, 3, 1, &nb), (std::vector<uint64_t>{1, 5, 16, 20}));
    EXPECT_EQ(nb, 2);
    EXPECT_EQ(unit_bursts(l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, 1, 3, 1, &nb), (std::vector<uint64_t>{1, 3, 4, 6}));
    EXPECT_EQ(nb, 2);
    // NCHW: channel k's plane is bytes 16k .. 16k + 15: rows 0 and 2, columns
    // 0 and 2: bytes 0, 2, 8, 10 and 16, 18, 24, 26 (2-byte bursts); units
    // [1, 3): channel 1's row 0 (16, 18), channel 0's row 2 (8, 10)
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NCHW, 0, 4, 2, &nb),
              (std::vector<uint64_t>{0, 2, 8, 10, 16, 18, 24, 26}));
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NCHW, 1, 3, 1, &nb), (std::vector<uint64_t>{8, 10, 16, 18}));
    pesim_dram_layout L;
    EXPECT_EQ(pesim_dram_vector_layout(&l, PESIM_WEIGHTS, PESIM_DRAM_NHWC, 0, 1, &L), 0);
}

// An add of K 2 channels over P 2 x Q 3 pixels, NCHW, one-byte words, 2-byte
// bursts. Units are channels of pixels in N G P Q K order; [2, 10) is
// pixels (0,1) (0,2) (1,0) (1,1), whole: two boxes (row 0 columns 1-2, row 1
// columns 0-1), plane offsets 1-4, in channel 0 bytes 1-4 (bursts 0, 2, 4)
// and channel 1 bytes 7-10 (6, 8, 10). NHWC: pixels 1-4 are bytes 2-9,
// bursts 2, 4, 6, 8. Units [3, 7), one-byte bursts: channel 1 of pixel 1,
// pixel 2, channel 0 of pixel 3: NHWC bytes 2i + k: 3-6, three boxes; NCHW
// 6k + i: 7, 2, 8, 3. The layernorm's scale and shift (weights slot) have
// no layout; the add's second term takes the outputs' shape.
TEST(DramLayout, AnAddsUnitsCutIntoBoxes)
{
    pesim_layer l = {};
    l.op = PESIM_OP_ADD;
    int64_t dims[PESIM_NDIMS] = {1, 1, 2, 1, 2, 3, 1, 1};
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = dims[d];
    l.stride_h = l.stride_w = l.dilation_h = l.dilation_w = 1;
    int nb;
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NCHW, 2, 10, 2, &nb),
              (std::vector<uint64_t>{0, 2, 4, 6, 8, 10}));
    EXPECT_EQ(nb, 2);
    EXPECT_EQ(unit_bursts(l, PESIM_WEIGHTS, PESIM_DRAM_NHWC, 2, 10, 2, &nb), (std::vector<uint64_t>{2, 4, 6, 8}));
    EXPECT_EQ(nb, 2);
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NHWC, 3, 7, 1, &nb), (std::vector<uint64_t>{3, 4, 5, 6}));
    EXPECT_EQ(nb, 3);
    EXPECT_EQ(unit_bursts(l, PESIM_INPUTS, PESIM_DRAM_NCHW, 3, 7, 1, &nb), (std::vector<uint64_t>{2, 3, 7, 8}));
    // the whole range: one box
    EXPECT_EQ(unit_bursts(l, PESIM_OUTPUTS, PESIM_DRAM_NHWC, 0, 12, 2, &nb).size(), 6u);
    EXPECT_EQ(nb, 1);
    l.op = PESIM_OP_LAYERNORM;
    pesim_dram_layout L;
    EXPECT_EQ(pesim_dram_vector_layout(&l, PESIM_WEIGHTS, PESIM_DRAM_NHWC, 0, 1, &L), 0);
    EXPECT_EQ(pesim_dram_vector_layout(&l, PESIM_INPUTS, PESIM_DRAM_NHWC, 0, 1, &L), 1);
}
