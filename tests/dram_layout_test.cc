// dram_layout_test.cc - a tensor's row-major DRAM layout and the bursts a
// tile's box covers (engine/dram_layout.h), traced by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "engine/dram_layout.h"
}

namespace {

void collect(void *ctx, uint64_t addr) { static_cast<std::vector<uint64_t> *>(ctx)->push_back(addr); }

// NCHW activations 1 x 2 x 4 x 8 of 16-bit words at byte 0: strides W 1, H 8,
// C 32, N 64 words.
pesim_dram_layout nchw()
{
    pesim_dram_layout L = {4, {1, 2, 4, 8}, 0, 2};
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
    pesim_dram_box b = {{0, 0, 1, 2}, {1, 2, 2, 4}};
    EXPECT_EQ(bursts(nchw(), b, 16), (std::vector<uint64_t>{16, 32, 80, 96}));
    // 64-byte bursts: bytes 20-27 and 36-43 share burst 0, 84-91 and 100-107 burst 64
    EXPECT_EQ(bursts(nchw(), b, 64), (std::vector<uint64_t>{0, 64}));
}

// Whole rows merge: W whole, H [1,3): one run of 16 words (32 bytes) per
// channel, at bytes 16 and 80: bursts 16, 32 and 80, 96. The whole tensor is
// one run of 128 bytes: 8 bursts from 0.
TEST(DramLayout, WholeInnerDimsMergeIntoOneRun)
{
    pesim_dram_box b = {{0, 0, 1, 0}, {1, 2, 2, 8}};
    EXPECT_EQ(bursts(nchw(), b, 16), (std::vector<uint64_t>{16, 32, 80, 96}));
    pesim_dram_box all = {{0, 0, 0, 0}, {1, 2, 4, 8}};
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
    pesim_dram_box b = {{0, 1, -1, 6}, {1, 1, 2, 4}};   // C 1, H [0,1), W [6,8)
    EXPECT_EQ(bursts(L, b, 16), (std::vector<uint64_t>{(1u << 20) + 64 + 0}));  // words 38-39: bytes 76-79
    pesim_dram_box e = {{0, 0, 0, 0}, {1, 0, 4, 8}};
    EXPECT_TRUE(bursts(L, e, 16).empty());
}
