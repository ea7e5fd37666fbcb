// model_test.cc - the analytical model: hand-computed cases (the arithmetic is
// in each test's comments) and properties over thousands of random mappings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "test_util.h"

extern "C" {
#include "pesim/model.h"
}

namespace {

// A machine of n levels (0 innermost); every level keeps every tensor,
// unbounded, no latency, unlimited bandwidth, 1 pJ per access, 1 pJ per MAC.
pesim_arch plain_arch(int n)
{
    pesim_arch a;
    memset(&a, 0, sizeof a);
    strcpy(a.name, "hand");
    strcpy(a.dataflow, "any");
    a.word_bits = 16;
    a.clock_mhz = 1000;
    a.mac_latency_cycles = 1;
    a.mac_energy_pj = 1;
    a.n_levels = n;
    for (int l = 0; l < n; l++) {
        pesim_level &v = a.level[l];
        snprintf(v.name, sizeof v.name, "L%d", l);
        v.keeps[0] = v.keeps[1] = v.keeps[2] = 1;
        v.fanout_x = v.fanout_y = 1;
        v.spatial_x_dims = v.spatial_y_dims = 0xFF;
        v.banks = v.ports = 1;
        v.sliding_reuse = 1;
        v.read_energy_pj = v.write_energy_pj = 1;
    }
    return a;
}

pesim_cost eval(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    pesim_cost c;
    EXPECT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
    return c;
}

void set_order(pesim_mapping &m, int lv, const char *order)
{
    for (int i = 0; i < PESIM_NDIMS; i++) m.level[lv].order[i] = (uint8_t)pesim_dim_parse(std::string(1, order[i]).c_str());
}

constexpr int W = PESIM_WEIGHTS, I = PESIM_INPUTS, O = PESIM_OUTPUTS;

}  // namespace

// GEMM O[4][3] = A[4][2] x B[2][3] (P=4, K=3, C=2) entirely in L0 of Buf+DRAM.
static void gemm_in_l0(pesim_layer *l, pesim_mapping *m)
{
    *l = test_layer(1, 1, 3, 2, 4, 1, 1, 1);
    l->op = PESIM_OP_GEMM;
    pesim_mapping_init(m, 2);
    m->level[0].temporal[PESIM_DIM_P] = 4;
    m->level[0].temporal[PESIM_DIM_K] = 3;
    m->level[0].temporal[PESIM_DIM_C] = 2;
}

TEST(ModelHand, OneLevelGemm)
{
    pesim_arch a = plain_arch(2);
    pesim_layer l;
    pesim_mapping m;
    gemm_in_l0(&l, &m);
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.macs, 24);                 // 4*3*2
    // MACs read both operands from L0 every MAC: 24 each.
    EXPECT_EQ(c.access[0][W].reads + 0, 24 + 0);
    // Outputs: 24 psum updates into L0; the first of each of the 12 outputs
    // reads nothing (24 - 12 = 12 reads) ...
    EXPECT_EQ(c.access[0][O].updates, 24);
    // ... plus 12 reads to drain the outputs to DRAM: 12 + 12.
    EXPECT_EQ(c.access[0][O].reads, 24);
    EXPECT_EQ(c.access[0][I].reads, 24);
    // Nothing above L0 iterates: each tile is loaded once. B: 6 words, A: 8.
    EXPECT_EQ(c.access[0][W].fills, 6);
    EXPECT_EQ(c.access[0][I].fills, 8);
    EXPECT_EQ(c.access[0][O].fills, 0);    // never read back
    EXPECT_EQ(c.access[1][W].reads, 6);
    EXPECT_EQ(c.access[1][I].reads, 8);
    EXPECT_EQ(c.access[1][O].updates, 12); // each output written once
    EXPECT_EQ(c.access[1][O].reads, 0);
    // 24 temporal steps, no latency, unlimited bandwidth.
    EXPECT_EQ(c.compute_cycles, 24);
    EXPECT_EQ(c.cycles, 24);
    // Energy: 24 MACs + L0 (24+24+24 reads, 6+8 fills, 24 updates = 110)
    //         + DRAM (6+8 reads, 12 updates = 26) = 160 pJ.
    EXPECT_DOUBLE_EQ(c.energy_pj, 160.0);
    EXPECT_DOUBLE_EQ(c.edp_pj_cycles, 160.0 * 24);

    // DRAM-side bandwidth bound: 0.5 reads a cycle -> 14 reads take 28 cycles.
    a.level[1].read_words_per_cycle = 0.5;
    c = eval(a, l, m);
    EXPECT_EQ(c.cycles, 28);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_BUFFER_BW], 4);
}

// The rates are per port: the same GEMM with L1 at 0.25 reads a cycle per port
// reads its 14 words in 56 cycles over 1 port, 28 over 2, 14 over 4 (under the
// 24 compute steps: the bound is the compute). Writes likewise: L0's 24 + 14
// = 38 fills and updates at 0.5 a cycle per port take 76, 38, 19 cycles.
TEST(ModelHand, PortsScaleTheBandwidthBound)
{
    pesim_arch a = plain_arch(2);
    pesim_layer l;
    pesim_mapping m;
    gemm_in_l0(&l, &m);
    a.level[1].read_words_per_cycle = 0.25;
    a.level[0].write_words_per_cycle = 0.5;
    const int ports[3] = {1, 2, 4};
    const int64_t rd[3] = {56, 28, 14}, wr[3] = {76, 38, 19}, cycles[3] = {76, 38, 24};
    for (int i = 0; i < 3; i++) {
        a.level[0].ports = a.level[1].ports = ports[i];
        pesim_cost c = eval(a, l, m);
        EXPECT_EQ(c.level_cycles[1], rd[i]) << "ports " << ports[i];
        EXPECT_EQ(c.level_cycles[0], wr[i]) << "ports " << ports[i];
        EXPECT_EQ(c.cycles, cycles[i]) << "ports " << ports[i];
    }
}

// 1-D conv P=4, R=3, stride 1: L0 holds R=3, L1 walks P=4. Input rows: the
// first window is 3 rows; each P step slides by one row: 3+1+1+1 = 6 fills
// (the 6 distinct rows), against 4*3 = 12 without sliding-window reuse.
TEST(ModelHand, TwoLevelConvWithHalos)
{
    pesim_arch a = plain_arch(3);
    pesim_layer l = test_layer(1, 1, 1, 1, 4, 1, 3, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[0].temporal[PESIM_DIM_R] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 4;
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.macs, 12);
    EXPECT_EQ(c.access[0][I].fills, 6);
    EXPECT_EQ(c.access[1][I].reads, 6);
    EXPECT_EQ(c.access[1][I].fills, 6);     // L1's tile is all 6 rows, once
    EXPECT_EQ(c.access[2][I].reads, 6);
    EXPECT_EQ(c.access[0][W].fills, 3);     // P does not index weights: loaded once
    // Outputs: 12 MAC updates into L0, 4 first writes -> 8 reads; 4 drains.
    EXPECT_EQ(c.access[0][O].updates, 12);
    EXPECT_EQ(c.access[0][O].reads, 8 + 4);
    EXPECT_EQ(c.access[1][O].updates, 4);
    EXPECT_EQ(c.access[1][O].reads, 4);     // no read-back; 4 drains to L2

    a.level[0].sliding_reuse = 0;           // the level keeps no halo
    c = eval(a, l, m);
    EXPECT_EQ(c.access[0][I].fills, 12);
    EXPECT_EQ(c.access[1][I].reads, 12);

    // Stride 2, dilation 1: windows rows {0,1,2},{2,3,4},{4,5,6},{6,7,8}:
    // 3 + 2 + 2 + 2 = 9 fills, the 9 distinct rows.
    a.level[0].sliding_reuse = 1;
    l.stride_h = 2;
    c = eval(a, l, m);
    EXPECT_EQ(c.access[0][I].fills, 9);
    EXPECT_EQ(pesim_layer_tensor_words(&l, PESIM_INPUTS), 9);
}

// Multicast: 4 PEs under L1 split K; inputs do not depend on K, so one L1
// read feeds all 4 PEs. P=3, K=4, C=2; L0 holds C=2, L1 walks P=3.
TEST(ModelHand, Multicast)
{
    pesim_arch a = plain_arch(3);
    a.level[1].fanout_x = 4;
    pesim_layer l = test_layer(1, 1, 4, 2, 3, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[1].spatial_x[PESIM_DIM_K] = 4;
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_P] = 3;
    pesim_cost c = eval(a, l, m);
    // Inputs: each PE loads its C=2 tile for each of the 3 P steps: 4*3*2 = 24
    // fills; L1 reads each word once for all 4 PEs: 3*2 = 6.
    EXPECT_EQ(c.access[0][I].fills, 24);
    EXPECT_EQ(c.access[1][I].reads, 6);
    EXPECT_EQ(c.noc_words[1][I], 24);
    // Weights: each PE keeps its own k (C=2 words), loaded once: 8 fills,
    // 8 distinct L1 reads (no multicast: K indexes weights).
    EXPECT_EQ(c.access[0][W].fills, 8);
    EXPECT_EQ(c.access[1][W].reads, 8);
    EXPECT_EQ(c.spatial_used, 4);
    EXPECT_EQ(c.compute_cycles, 6);         // 24 MACs on 4 PEs
}

// Spatial reduction: 4 PEs split C (C=4), each computes K=2 outputs. The 8
// partial sums going up are reduced to the 2 outputs before L1.
TEST(ModelHand, SpatialReduction)
{
    pesim_arch a = plain_arch(3);
    a.level[1].fanout_x = 4;
    pesim_layer l = test_layer(1, 1, 2, 4, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[1].spatial_x[PESIM_DIM_C] = 4;
    m.level[0].temporal[PESIM_DIM_K] = 2;
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.macs, 8);
    // Each PE: 2 MACs into 2 distinct outputs: 2 updates, 0 reads (first).
    EXPECT_EQ(c.access[0][O].updates, 8);
    // drains: 4 PEs x 2 words = 8 reads.
    EXPECT_EQ(c.access[0][O].reads, 8);
    EXPECT_EQ(c.access[1][O].updates, 2);   // reduced 4:1
    EXPECT_EQ(c.access[1][O].reads, 2);     // no read-back; 2 drains to L2
    EXPECT_EQ(c.access[0][O].fills, 0);
    EXPECT_EQ(c.access[2][O].updates, 2);
}

// Imperfect factors: P=5 tiled 2 x 3 (= 6 > 5). Tiles of 2, 2, 1: no padded
// work, no padded traffic. With R=3 the windows are 4, 4 and 3 rows; sliding
// keeps the overlap: 4 + 2 + 1 = 7 = (5-1) + 3 distinct rows.
TEST(ModelHand, ImperfectFactors)
{
    pesim_arch a = plain_arch(2);
    pesim_layer l = test_layer(1, 1, 1, 1, 5, 1, 3, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_P] = 2;
    m.level[0].temporal[PESIM_DIM_R] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 3;
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.macs, 15);                  // 5 * 3, not 6 * 3
    EXPECT_EQ(c.compute_cycles, 15);
    EXPECT_EQ(c.access[0][I].fills, 7);
    EXPECT_EQ(c.access[1][I].reads, 7);
    EXPECT_EQ(c.access[1][O].updates, 5);   // outputs 2 + 2 + 1
    a.level[0].sliding_reuse = 0;
    c = eval(a, l, m);
    EXPECT_EQ(c.access[0][I].fills, 4 + 4 + 3);
}

// Depthwise 3x1 conv over 4 channels: G=4, K=C=1 per group, P=2, R=3.
// MACs 4*2*3 = 24; weights 4*3 = 12; inputs 4 * (2-1+3) = 16 rows.
TEST(ModelHand, Depthwise)
{
    pesim_arch a = plain_arch(2);
    pesim_layer l = test_layer(4, 1, 1, 1, 2, 1, 3, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_P] = 2;
    m.level[0].temporal[PESIM_DIM_R] = 3;
    m.level[1].temporal[PESIM_DIM_G] = 4;
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.macs, 24);
    // Every G step brings new weights and inputs: DRAM reads are exactly the sizes.
    EXPECT_EQ(c.access[1][W].reads, 12);
    EXPECT_EQ(c.access[1][I].reads, 16);
    EXPECT_EQ(c.access[1][O].updates, 8);
}

// Bypass: weights skip L1 and go DRAM -> L0 directly. P=4, K=3, C=2; L0 holds
// C=2; L1 walks K and P. With K outside P, each weight tile (one k) is loaded
// once per k: 3 * 2 = 6; with P outside K it is reloaded for every p: 24.
TEST(ModelHand, BypassAndLoopOrder)
{
    pesim_arch a = plain_arch(3);
    pesim_layer l = test_layer(1, 1, 3, 2, 4, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_K] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 4;
    m.level[1].bypass[W] = 1;
    set_order(m, 1, "GNKPCQRS");
    pesim_cost c = eval(a, l, m);
    EXPECT_EQ(c.access[1][W].reads + c.access[1][W].fills + c.access[1][W].updates, 0);
    EXPECT_EQ(c.access[0][W].fills, 6);
    EXPECT_EQ(c.access[2][W].reads, 6);
    set_order(m, 1, "GNPKCQRS");
    c = eval(a, l, m);
    EXPECT_EQ(c.access[0][W].fills, 24);
    EXPECT_EQ(c.access[2][W].reads, 24);
}

// Invalid mappings are results with reasons that name the level and tensor.
TEST(ModelHand, InvalidMappingsCarryReasons)
{
    pesim_arch a = plain_arch(3);
    a.level[0].tensor_capacity_words[W] = 2;
    a.level[1].fanout_x = 2;
    pesim_layer l = test_layer(1, 1, 3, 2, 4, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[0].temporal[PESIM_DIM_K] = 3;   // weights tile 6 > 2
    m.level[2].temporal[PESIM_DIM_P] = 4;
    pesim_cost c;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_NE(std::string(c.reason).find("L0"), std::string::npos) << c.reason;
    EXPECT_NE(std::string(c.reason).find("weights"), std::string::npos) << c.reason;

    m.level[0].temporal[PESIM_DIM_K] = 1;   // K no longer covered: 1 < 3
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_NE(std::string(c.reason).find("K"), std::string::npos) << c.reason;

    m.level[2].temporal[PESIM_DIM_K] = 1;
    m.level[1].spatial_x[PESIM_DIM_K] = 3;  // fan-out is 2
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_NE(std::string(c.reason).find("L1"), std::string::npos) << c.reason;

    a.level[1].tile_slots = 2;  // double buffering needs two tiles
    a.level[1].capacity_words = 20;
    m.level[1].spatial_x[PESIM_DIM_K] = 1;
    m.level[1].temporal[PESIM_DIM_K] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 4;
    m.level[2].temporal[PESIM_DIM_P] = 1;
    a.level[0].tensor_capacity_words[W] = 0;
    // L1 tiles: W 6 + I 8 + O 12 = 26 words, x2 = 52 > 20.
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_NE(std::string(c.reason).find("double"), std::string::npos) << c.reason;
}

// N tile slots need the kept tiles N times: a mapping whose L1 tiles fit twice
// but not three times is valid with 2 slots and invalid with 3, the reason
// naming the level and the slots.
TEST(ModelHand, TileSlotsMultiplyTheCapacity)
{
    pesim_arch a = plain_arch(3);
    pesim_layer l = test_layer(1, 1, 3, 2, 4, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_K] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 4;
    // L1 tiles: W 6 + I 8 + O 12 = 26 words: x2 = 52 <= 60 < 78 = x3.
    a.level[1].capacity_words = 60;
    pesim_cost c;
    for (int n : {1, 2}) {
        a.level[1].tile_slots = n;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
        EXPECT_TRUE(c.valid) << n << ": " << c.reason;
    }
    a.level[1].tile_slots = 3;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_NE(std::string(c.reason).find("L1"), std::string::npos) << c.reason;
    EXPECT_NE(std::string(c.reason).find("26 words x3 (3 tile slots) > 60"), std::string::npos) << c.reason;
    a.level[1].capacity_words = 78;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
}

// Properties over thousands of random valid mappings of random layers.
TEST(ModelProperty, RandomMappings)
{
    int valid = 0;
    for (int seed = 1; seed <= 4000; seed++) {
        TestRng rng(seed + 100000);
        pesim_arch a = test_arch(rng, (int)rng.uni(2, 4));
        a.level[0].fanout_x = a.level[0].fanout_y = 1; // operands go to one MAC
        a.level[0].keeps[0] = a.level[0].keeps[1] = a.level[0].keeps[2] = 1;
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 3), rng.uni(1, 8), rng.uni(1, 8), rng.uni(1, 9),
                                   rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = test_mapping(rng, a, l);
        for (int t = 0; t < 3; t++) m.level[0].bypass[t] = 0;
        pesim_cost c;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &c), PESIM_OK);
        if (!c.valid) {
            EXPECT_GT(strlen(c.reason), 10u) << "seed " << seed;
            continue;
        }
        valid++;
        const int top = a.n_levels - 1;
        ASSERT_EQ(c.macs, pesim_layer_macs(&l)) << "seed " << seed;
        ASSERT_EQ(c.access[0][W].reads, c.macs) << "seed " << seed;
        ASSERT_EQ(c.access[0][I].reads, c.macs) << "seed " << seed;
        ASSERT_GE(c.access[top][W].reads, pesim_layer_tensor_words(&l, PESIM_WEIGHTS)) << "seed " << seed;
        ASSERT_GE(c.access[top][I].reads, pesim_layer_tensor_words(&l, PESIM_INPUTS)) << "seed " << seed;
        ASSERT_GE(c.access[top][O].updates, pesim_layer_output_words(&l)) << "seed " << seed;
        ASSERT_GE(c.cycles, c.compute_cycles);
        ASSERT_GE(c.compute_cycles * c.spatial_used, c.macs);

        // Moving loops whose factor is 1 anywhere in an order changes nothing.
        pesim_mapping m2 = m;
        for (int lv = 0; lv < a.n_levels; lv++) {
            std::vector<uint8_t> ones, rest;
            for (int i = 0; i < PESIM_NDIMS; i++) {
                uint8_t d = m.level[lv].order[i];
                (m.level[lv].temporal[d] == 1 ? ones : rest).push_back(d);
            }
            std::reverse(ones.begin(), ones.end());
            // interleave the factor-1 loops at other positions
            int i = 0;
            size_t r = 0, o = 0;
            while (r < rest.size() || o < ones.size()) {
                if (o < ones.size() && (rng.coin(50) || r == rest.size())) m2.level[lv].order[i++] = ones[o++];
                else m2.level[lv].order[i++] = rest[r++];
            }
        }
        pesim_cost c2;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m2, &c2), PESIM_OK);
        ASSERT_TRUE(c2.valid);
        ASSERT_EQ(memcmp(c.access, c2.access, sizeof c.access), 0) << "seed " << seed;
        ASSERT_EQ(c.cycles, c2.cycles);
        ASSERT_DOUBLE_EQ(c.energy_pj, c2.energy_pj);
    }
    EXPECT_GT(valid, 3000);
}

// The DRAM term of the bound (docs/model.md): reads and writes share the
// timing's peak, and the DRAM level's read and write ports (0 = unlimited)
// each carry their own. GEMM P=1, K=64, C=64 all in L0 under DRAM: DRAM reads
// 64*64 weights + 64 inputs = 4,160 words, writes the 64 outputs. DDR4-3200
// (64-bit bus, tCK 0.625 ns) at 1 GHz: 2 x 8 bytes / 0.625 ns = 25.6 bytes =
// 12.8 words a cycle, so the timing alone takes ceil(4,224 / 12.8) = 330.
TEST(ModelHand, DramTermIsTheTimingOrThePortWhicheverIsSlower)
{
    pesim_arch a = plain_arch(2);
    a.level[1].is_dram = 1;
    ASSERT_EQ(pesim_dram_preset("ddr4-3200", &a.level[1].dram), PESIM_OK);
    pesim_layer l = test_layer(1, 1, 64, 64, 1, 1, 1, 1);
    l.op = PESIM_OP_GEMM;
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_K] = 64;
    m.level[0].temporal[PESIM_DIM_C] = 64;
    pesim_cost c = eval(a, l, m);
    ASSERT_EQ(c.access[1][W].reads + c.access[1][I].reads, 4160);
    ASSERT_EQ(c.access[1][O].updates + c.access[1][O].fills, 64);
    EXPECT_EQ(c.level_cycles[1], 330);
    // A read port of 4 words a cycle binds: 4,160 / 4 = 1,040.
    a.level[1].read_words_per_cycle = 4;
    EXPECT_EQ(eval(a, l, m).level_cycles[1], 1040);
    // A write port of 0.05 words a cycle binds harder: 64 / 0.05 = 1,280.
    a.level[1].write_words_per_cycle = 0.05;
    EXPECT_EQ(eval(a, l, m).level_cycles[1], 1280);
    // Ports above the peak: the timing again.
    a.level[1].read_words_per_cycle = a.level[1].write_words_per_cycle = 100;
    EXPECT_EQ(eval(a, l, m).level_cycles[1], 330);
    // The bound: compute 4,096 MAC steps is slower than all of these; a
    // port of 2 words a cycle (2,080) is not, a port of 0.5 (8,320) is.
    a.level[1].read_words_per_cycle = 0.5;
    pesim_cost slow = eval(a, l, m);
    EXPECT_EQ(slow.level_cycles[1], 8320);
    EXPECT_EQ(slow.cycles, 8320);
    EXPECT_EQ(slow.compute_cycles, 4096);
    EXPECT_EQ(slow.stall_cycles[PESIM_STALL_DRAM_BW], 8320 - 4096 - slow.stall_cycles[PESIM_STALL_FILL_DRAIN]);
    a.level[1].read_words_per_cycle = 2;
    EXPECT_EQ(eval(a, l, m).stall_cycles[PESIM_STALL_DRAM_BW], 0);
}
