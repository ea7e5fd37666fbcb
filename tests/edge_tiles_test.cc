// edge_tiles_test.cc - edge tiles on the parent side (docs/engine.md, "The
// machine", per-instance work): with imperfect factors the instances at the
// edges get smaller tiles, and the slowest instance sets the pace of the
// parent side of a fill, of a network, of the MAC array's operand streams,
// of a partial-sum read-back and of an advancing sliding window. Every expected value is traced by hand in the comments; the
// "before" figures are what the average per instance, ceil(total /
// instances), gave.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "nest/walk.h"
#include "pesim/engine.h"
}

namespace {

// Three levels for hand-traced cases: L0 (a PE's register file) under L1
// (a cluster's buffer, fx1 x fy1 PEs each) under L2 (a global buffer, fx2 x
// fy2 clusters); every port and network unlimited, no access latency
// (test_two_level_arch's levels plus one).
pesim_arch three_level(int fx1, int fy1, int fx2, int fy2)
{
    pesim_arch a = test_two_level_arch(fx1, fy1);
    a.n_levels = 3;
    a.level[2] = a.level[1];
    std::snprintf(a.level[2].name, sizeof a.level[2].name, "L%d", 2);
    a.level[2].fanout_x = fx2;
    a.level[2].fanout_y = fy2;
    return a;
}

struct TraceEvent {
    int64_t cycle;
    std::string module, event;
};

void collect(void *ctx, int64_t cycle, const char *module, const char *event)
{
    static_cast<std::vector<TraceEvent> *>(ctx)->push_back({cycle, module, event});
}

// The cycle of the trace event `event` of `module`, -1 if none.
int64_t at(const std::vector<TraceEvent> &tr, const char *module, const char *event)
{
    for (const TraceEvent &e : tr)
        if (e.module == module && e.event == event) return e.cycle;
    return -1;
}

pesim_cost run(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, std::vector<TraceEvent> *tr)
{
    pesim_engine_options o;
    std::memset(&o, 0, sizeof o);
    o.trace = collect;
    o.trace_ctx = tr;
    pesim_cost c;
    EXPECT_EQ(pesim_engine_run(&a, &l, &m, &o, &c, nullptr), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
    return c;
}

// Block `block`'s event (or stream, child -1) of tensor t into `child`.
pesim_xfer xfer_at(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, int block, int t, int child)
{
    static pesim_walk w;
    static pesim_block b;
    pesim_walk_init(&w, &a, &l, &m);
    for (int i = 0; i <= block; i++) EXPECT_TRUE(pesim_walk_next(&w, &b));
    for (int i = 0; i < b.n_xfers; i++)
        if (b.xfer[i].tensor == t && b.xfer[i].child == child) return b.xfer[i];
    ADD_FAILURE() << "no transfer";
    return pesim_xfer{};
}

pesim_xfer first_xfer(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, int t, int child)
{
    return xfer_at(a, l, m, 0, t, child);
}

// Dims dx and dy each split 2 ways over level `at`'s spatial X and Y, with 2
// of each in the PE (L0 temporal dx = 2, dy = 2): with bounds of 3, the
// instances at the edges get 1 of a dim where the others get 2.
pesim_mapping split_2x2(int levels, int at, pesim_dim dx, pesim_dim dy)
{
    pesim_mapping m;
    pesim_mapping_init(&m, levels);
    m.level[at].spatial_x[dx] = 2;
    m.level[at].spatial_y[dy] = 2;
    m.level[0].temporal[dx] = 2;
    m.level[0].temporal[dy] = 2;
    return m;
}

}  // namespace

// K = 3 and C = 3 over 2 x 2 clusters (L2 spatial_x K = 2, spatial_y C = 2),
// one PE each, with 2 of each in the PE (L0 temporal K = 2, C = 2): the
// clusters' weight tiles (K x C) are (0,0) 2 x 2 = 4, (1,0) 1 x 2 = 2, (0,1)
// 2 x 1 = 2, (1,1) 1 x 1 = 1: 9 in all, ceil(9 / 4) = 3 on average, 4 for
// the largest. L1's read port moves 1 word a cycle, all else is unlimited.
// One block: the weights' fill L2 -> L1 takes no time (0-0); the fill L1 ->
// L0 reads the largest cluster's union at its L1: 4 words, 0-4 (the average
// ended it at 3). The child side alone (L0's write port) was already paced
// by the largest tile; here only the parent's port is limited.
TEST(EdgeTiles, ParentsSlowestInstanceSetsTheFill)
{
    pesim_layer l = test_layer(1, 1, 3, 3, 1, 1, 1, 1);
    pesim_mapping m = split_2x2(3, 2, PESIM_DIM_K, PESIM_DIM_C);
    pesim_arch a = three_level(1, 1, 2, 2);
    a.level[1].read_words_per_cycle = 1;
    pesim_xfer x = first_xfer(a, l, m, PESIM_WEIGHTS, 0);
    EXPECT_EQ(x.parent_reads, 9);
    EXPECT_EQ(x.parent_max, 4);
    EXPECT_EQ(x.fill_max, 4); // one PE per cluster: its copies are its union
    EXPECT_EQ(pesim_walk_share(x.parent_reads, 4, x.parent_max), 4);
    // L2 has one instance: the total is exact, no largest instance is kept
    EXPECT_EQ(first_xfer(a, l, m, PESIM_WEIGHTS, 1).parent_max, 0);
    std::vector<TraceEvent> tr;
    run(a, l, m, &tr);
    EXPECT_EQ(at(tr, "weights:L0", "fill b0 start"), 0);
    EXPECT_EQ(at(tr, "weights:L0", "fill b0 done"), 4);
    // A perfect split (K = 4, C = 4) reads 4 words at every cluster: the same.
    pesim_layer l4 = test_layer(1, 1, 4, 4, 1, 1, 1, 1);
    EXPECT_EQ(first_xfer(a, l4, m, PESIM_WEIGHTS, 0).parent_max, 4);
    tr.clear();
    run(a, l4, m, &tr);
    EXPECT_EQ(at(tr, "weights:L0", "fill b0 done"), 4);
}

// K = 2 and C = 3: C over 2 clusters (L2 spatial_x C = 2, 2 in the PE: L0
// temporal C = 2), K over the 2 PEs of a cluster (L1 spatial_y K = 2). The
// inputs (C only) of cluster 0 are C 0-1, of cluster 1 C 2: the union at
// the clusters' L1 is 2 and 1 words (3 in all), and both PEs of a cluster
// get its inputs: 4 copies at cluster 0, 2 at cluster 1 (6 in all). L1's
// inputs network is unicast at 1 word a cycle, all else unlimited: the fill
// L1 -> L0 holds it for the largest cluster's 4 copies, 0-4 (the average,
// ceil(6 / 2) = 3, ended it at 3). As a bus it carries the union: cluster
// 0's 2 words = ceil(3 / 2) = 2, the average already.
TEST(EdgeTiles, NetworkOfTheEdgeInstanceCarriesFewerWords)
{
    pesim_layer l = test_layer(1, 1, 2, 3, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[2].spatial_x[PESIM_DIM_C] = 2;
    m.level[1].spatial_y[PESIM_DIM_K] = 2;
    m.level[0].temporal[PESIM_DIM_C] = 2;
    pesim_arch a = three_level(1, 2, 2, 1);
    a.level[1].noc[PESIM_INPUTS].kind = PESIM_NOC_UNICAST;
    a.level[1].noc[PESIM_INPUTS].words_per_cycle = 1;
    pesim_xfer x = first_xfer(a, l, m, PESIM_INPUTS, 0);
    EXPECT_EQ(x.parent_reads, 3);
    EXPECT_EQ(x.child_fills, 6);
    EXPECT_EQ(x.parent_max, 2);
    EXPECT_EQ(x.fill_max, 4);
    std::vector<TraceEvent> tr;
    run(a, l, m, &tr);
    EXPECT_EQ(at(tr, "inputs:L0", "fill b0 done"), 4);
    a.level[1].noc[PESIM_INPUTS].kind = PESIM_NOC_BUS;
    tr.clear();
    run(a, l, m, &tr);
    EXPECT_EQ(at(tr, "inputs:L0", "fill b0 done"), 2);
}

// K = 3 and C = 3 over 2 x 2 PEs (L1 spatial_x K = 2, spatial_y C = 2), 2 of
// each in the PE (L0 temporal K = 2, C = 2): one block of 2 x 2 = 4 steps.
// Per PE (k, c) the MAC lanes read from L0 over the block: weights K x C
// (4, 2, 2, 1: 9, average 3); inputs C x the K iterations (PE (0,0) 2 x 2 =
// 4, (1,0) 2 x 1 = 2, (0,1) 1 x 2 = 2, (1,1) 1: 9, average 3); partial sums
// read back: K x C updates less the K first writes (4 - 2 = 2, 2 - 1 = 1, 0,
// 0: 3, average 1). L0's read port moves 1 word a cycle, all else unlimited.
// The block takes PE (0,0)'s 4 + 4 + 2 = 10 reads (the average 3 + 3 + 1 = 7):
// compute 0-10. The flush reads PE (0,0)'s 2 outputs at L0, 10-12; L1's tree
// over the 2 PEs that split C adds ceil(log2 2) = 1 cycle behind the network's
// words, which take none: 0 + 1 <= 2, so the flush ends at 12 (the average: 9).
TEST(EdgeTiles, MacOperandStreamOfTheLargestInstance)
{
    pesim_layer l = test_layer(1, 1, 3, 3, 1, 1, 1, 1);
    pesim_mapping m = split_2x2(2, 1, PESIM_DIM_K, PESIM_DIM_C);
    pesim_arch a = test_two_level_arch(2, 2);
    a.level[0].read_words_per_cycle = 1;
    pesim_xfer w = first_xfer(a, l, m, PESIM_WEIGHTS, -1), in = first_xfer(a, l, m, PESIM_INPUTS, -1),
               o = first_xfer(a, l, m, PESIM_OUTPUTS, -1);
    EXPECT_EQ(w.parent_reads, 9);
    EXPECT_EQ(w.parent_max, 4);
    EXPECT_EQ(in.parent_reads, 9);
    EXPECT_EQ(in.parent_max, 4);
    EXPECT_EQ(o.parent_updates, 9);
    EXPECT_EQ(o.update_max, 4);
    EXPECT_EQ(o.parent_reads, 3);
    EXPECT_EQ(o.parent_max, 2);
    std::vector<TraceEvent> tr;
    pesim_cost c = run(a, l, m, &tr);
    EXPECT_EQ(at(tr, "mac", "compute b0 start"), 0);
    EXPECT_EQ(at(tr, "mac", "compute b0 end"), 10);
    EXPECT_EQ(c.compute_cycles, 4);
    EXPECT_EQ(c.cycles, 12);
}

// Outputs K x P = 3 x 3 over 2 x 2 PEs (L1 spatial_x K = 2, spatial_y P = 2),
// 2 of each in the PE (L0 temporal K = 2, P = 2); L1 runs C = 2 outside Q =
// 2 (order G N K C P Q: C is the outer loop), so blocks 2 and 3 (c = 1) read
// back the partial sums that blocks 0 and 1 left. The PEs' output tiles (K x
// P x 1 of Q) are 4, 2, 2, 1 (9 in all, no spatial reduction): a read-back
// gives the largest PE its 4 words (ceil(4 x 9 / 9)), where the average gave
// ceil(9 / 4) = 3. L0's write port moves 1 word a cycle, all else unlimited:
// the read-back fill of block 2 holds it 4 cycles (the average: 3).
TEST(EdgeTiles, PartialSumsReadBackIntoTheLargestTile)
{
    pesim_layer l = test_layer(1, 1, 3, 2, 3, 2, 1, 1);
    pesim_mapping m = split_2x2(2, 1, PESIM_DIM_K, PESIM_DIM_P);
    m.level[1].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_Q] = 2;
    pesim_arch a = test_two_level_arch(2, 2);
    a.level[0].write_words_per_cycle = 1;
    pesim_xfer o = xfer_at(a, l, m, 2, PESIM_OUTPUTS, 0); // block 2: a read-back
    EXPECT_EQ(o.parent_reads, 9);
    EXPECT_EQ(o.child_fills, 9);
    EXPECT_EQ(o.child_reads, 9);
    EXPECT_EQ(o.child_max, 4);
    EXPECT_EQ(pesim_walk_readback_words(&o, 4), 4);
    std::vector<TraceEvent> tr;
    run(a, l, m, &tr);
    int64_t s = at(tr, "outputs:L0", "fill b2 start");
    ASSERT_GE(s, 0);
    EXPECT_EQ(at(tr, "outputs:L0", "fill b2 done") - s, 4);
    EXPECT_EQ(at(tr, "outputs:L0", "fill b0 start"), -1); // a first visit reads nothing back
}

// A sliding window that advances: C = 3 over 2 PEs (L1 spatial_x C = 2, L0
// temporal C = 2), P = 4 in two blocks (L0 temporal P = 2, L1 temporal P =
// 2) with R = 3 in the PE; L0 keeps the overlap of consecutive windows
// (sliding_reuse). A PE's window is 2 + 3 - 1 = 4 input rows; at block 1 it
// moves by 2 rows and keeps 2, so it reads 2 new rows of its C tile: PE 0
// 2 x 2 = 4 words, PE 1 1 x 2 = 2 (6 in all, the average ceil(6 / 2) = 3).
// L0's write port moves 1 word a cycle, all else unlimited: block 1's
// inputs fill holds it 4 cycles (the average: 3).
TEST(EdgeTiles, AdvancingWindowOfTheLargestInstance)
{
    pesim_layer l = test_layer(1, 1, 1, 3, 4, 1, 3, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[1].spatial_x[PESIM_DIM_C] = 2;
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[0].temporal[PESIM_DIM_P] = 2;
    m.level[0].temporal[PESIM_DIM_R] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 2;
    pesim_arch a = test_two_level_arch(2, 1);
    a.level[0].sliding_reuse = 1;
    a.level[0].write_words_per_cycle = 1;
    pesim_xfer in = xfer_at(a, l, m, 1, PESIM_INPUTS, 0); // block 1: the advance
    EXPECT_EQ(in.advance, 1);
    EXPECT_EQ(in.child_fills, 6);
    EXPECT_EQ(in.child_max, 4);
    std::vector<TraceEvent> tr;
    run(a, l, m, &tr);
    int64_t s = at(tr, "inputs:L0", "fill b1 start");
    ASSERT_GE(s, 0);
    EXPECT_EQ(at(tr, "inputs:L0", "fill b1 done") - s, 4);
}
