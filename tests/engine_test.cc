// engine_test.cc - the cycle engine: its access counts equal the analytical
// model's exactly, its cycles are never below the analytical bound, its
// stall breakdown adds up, on thousands of random mappings of random layers on
// random machines with bandwidths, latencies, double buffering and DRAM timing;
// plus tiny cases traced by hand.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "test_util.h"

extern "C" {
#include "pesim/engine.h"
#include "pesim/model.h"
}

// A random machine: test_arch's structure plus port bandwidths, latencies,
// banks/ports, double buffering, network rates and a DDR4 or LPDDR4 top level.
static pesim_arch timed_arch(TestRng &rng, int levels)
{
    pesim_arch a = test_arch(rng, levels);
    static const double rates[] = {0, 1, 2, 4, 0.5};
    for (int l = 0; l < levels - 1; l++) {
        pesim_level &v = a.level[l];
        v.read_words_per_cycle = rates[rng.uni(0, 4)];
        v.write_words_per_cycle = rates[rng.uni(0, 4)];
        v.latency_cycles = (int)rng.uni(0, 2);
        v.banks = (int)rng.uni(1, 2);
        v.ports = (int)rng.uni(1, 2);
        v.tile_slots = rng.coin(50) ? 2 : 1;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            v.noc[t].words_per_cycle = rates[rng.uni(0, 4)];
            v.noc[t].kind = rng.coin(20) ? PESIM_NOC_SYSTOLIC : rng.coin(30) ? PESIM_NOC_UNICAST : PESIM_NOC_BUS;
        }
    }
    pesim_level &top = a.level[levels - 1];
    top.is_dram = 1;
    pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram);
    a.clock_mhz = rng.coin(50) ? 1000 : 500;
    return a;
}

TEST(EngineProperty, AccessesEqualCyclesBoundedStallsAddUp)
{
    int checked = 0, bypass_class = 0, leaky = 0;
    for (int seed = 1; seed <= 3000; seed++) {
        TestRng rng(seed + 4242);
        bool general = seed % 2 == 0; /* the general classes, half of them by the "timeloop" conventions */
        pesim_arch a = timed_arch(rng, (int)rng.uni(2, 4));
        if (general) {
            for (int lv = 0; lv + 1 < a.n_levels; lv++)
                a.level[lv].fanout_x = (int)rng.uni(1, 4), a.level[lv].fanout_y = (int)rng.uni(1, 4);
            a.conventions = seed % 4 == 0 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
            a.first_read_elision = seed % 8 == 0; /* half of those with first-read elision */
            for (int lv = 0; lv < a.n_levels; lv++) a.level[lv].leak_pj_per_cycle = 0.01 * (lv + 1);
        }
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 7),
                                   rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = general ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
        bypass_class += test_bypass_below_spatial(a, l, m);
        pesim_cost cm, ce;
        pesim_engine_stats st;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &ce, &st), PESIM_OK);
        ASSERT_EQ(cm.valid, ce.valid) << "seed " << seed;
        if (!cm.valid) continue;
        ASSERT_EQ(ce.macs, pesim_layer_macs(&l));
        ASSERT_EQ(memcmp(cm.access, ce.access, sizeof cm.access), 0) << "seed " << seed;
        /* "timeloop" cycles are Timeloop's throttled estimate, not a bound of the machine's */
        if (a.conventions == PESIM_CONV_PESIM) {
            ASSERT_GE(ce.cycles, cm.cycles) << "seed " << seed;
        }
        ASSERT_EQ(ce.compute_cycles, cm.compute_cycles) << "seed " << seed;
        int64_t sum = ce.compute_cycles;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) {
            ASSERT_GE(ce.stall_cycles[s], 0) << "seed " << seed << " " << pesim_stall_name((pesim_stall)s);
            sum += ce.stall_cycles[s];
        }
        ASSERT_EQ(sum, ce.cycles) << "seed " << seed;
        if (a.conventions == PESIM_CONV_PESIM) { // more leakage time only
            ASSERT_GE(ce.energy_pj, cm.energy_pj - 1e-6 * cm.energy_pj) << "seed " << seed;
        }
        ASSERT_NEAR(ce.energy_pj - ce.energy_leak_pj, cm.energy_pj - cm.energy_leak_pj, 1e-9 * cm.energy_pj)
            << "seed " << seed; // the same accesses
        /* the same leaking instances ("timeloop": the utilized ones), each over its own cycles */
        ASSERT_NEAR(ce.energy_leak_pj / (double)ce.cycles, cm.energy_leak_pj / (double)cm.cycles,
                    1e-12 + 1e-9 * cm.energy_leak_pj / (double)cm.cycles)
            << "seed " << seed;
        if (general) leaky += cm.energy_leak_pj > 0;
        ASSERT_EQ(memcmp(ce.access_per_instance, cm.access_per_instance, sizeof cm.access_per_instance), 0);
        ASSERT_EQ(memcmp(ce.noc_ingress_words, cm.noc_ingress_words, sizeof cm.noc_ingress_words), 0);
        checked++;
    }
    EXPECT_GT(checked, 2000);
    EXPECT_GT(bypass_class, 300);
    EXPECT_GT(leaky, 1000);
}

// Deep hierarchies, 9 to PESIM_MAX_LEVELS levels, fan-outs on a few of them:
// the engine moves the model's words, its cycles are at least the bound and
// its stalls add up.
TEST(EngineProperty, DeepHierarchiesAccessesEqualModel)
{
    int checked = 0;
    for (int seed = 1; seed <= 200; seed++) {
        TestRng rng(seed + 90210);
        pesim_arch a = timed_arch(rng, (int)rng.uni(9, PESIM_MAX_LEVELS));
        test_thin_fanouts(rng, a);
        if (seed % 2 == 0) a.conventions = PESIM_CONV_TIMELOOP, a.first_read_elision = seed % 4 == 0;
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 6), rng.uni(1, 4), rng.uni(1, 5), rng.uni(1, 4),
                                   rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
        pesim_mapping m = seed % 3 ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
        pesim_cost cm, ce;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &ce, nullptr), PESIM_OK);
        ASSERT_EQ(cm.valid, ce.valid) << "seed " << seed;
        if (!cm.valid) continue;
        ASSERT_EQ(memcmp(cm.access, ce.access, sizeof cm.access), 0) << "seed " << seed;
        if (a.conventions == PESIM_CONV_PESIM) {
            ASSERT_GE(ce.cycles, cm.cycles) << "seed " << seed;
        }
        int64_t sum = ce.compute_cycles;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) sum += ce.stall_cycles[s];
        ASSERT_EQ(sum, ce.cycles) << "seed " << seed;
        checked++;
    }
    EXPECT_GT(checked, 150);
}

// A systolic array R x C under an SRAM, for SCALE-Sim's formulas.
static pesim_arch systolic_arch(int rows, int cols)
{
    pesim_arch a;
    memset(&a, 0, sizeof a);
    strcpy(a.name, "sa");
    a.word_bits = 16;
    a.clock_mhz = 1000;
    a.mac_latency_cycles = 1;
    a.n_levels = 3;
    const char *names[] = {"PE", "SRAM", "DRAM"};
    for (int l = 0; l < 3; l++) {
        pesim_level &v = a.level[l];
        strcpy(v.name, names[l]);
        v.keeps[0] = v.keeps[1] = v.keeps[2] = 1;
        v.fanout_x = v.fanout_y = 1;
        v.spatial_x_dims = v.spatial_y_dims = 0xFF;
        v.banks = v.ports = 2;
    }
    a.level[1].fanout_x = cols;
    a.level[1].fanout_y = rows;
    for (int t = 0; t < PESIM_NTENSORS; t++) a.level[1].noc[t].kind = PESIM_NOC_SYSTOLIC;
    a.level[2].is_dram = 1;
    pesim_dram_preset("ddr4-3200", &a.level[2].dram);
    return a;
}

// SCALE-Sim's compute cycles with stall-free memory: folds x (T + R + C - 2)
// for os, folds x (2R + C + T - 2) for ws and is, (Sr, Sc, T) = (M, N, K) for
// os, (K, N, M) for ws, (K, M, N) for is, folds = ceil(Sr/R) x ceil(Sc/C).
TEST(EngineScaleSim, FormulasOnAGrid)
{
    const int64_t shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {64, 64, 64}, {100, 37, 9}, {196, 256, 1152}, {33, 65, 17}};
    const int arrays[][2] = {{4, 4}, {8, 16}, {32, 32}, {16, 8}};
    int n = 0;
    for (const char *df : {"os", "ws", "is"})
        for (auto &sh : shapes)
            for (auto &ar : arrays) {
                int64_t M = sh[0], Nn = sh[1], Kr = sh[2];
                int R = ar[0], Cc = ar[1];
                pesim_arch a = systolic_arch(R, Cc);
                pesim_layer l = test_layer(1, 1, Nn, Kr, M, 1, 1, 1), g;
                pesim_mapping m;
                pesim_error err;
                ASSERT_EQ(pesim_mapper_scalesim(&a, &l, df, &g, &m, &err), PESIM_OK) << err.msg;
                pesim_engine_options o = {};
                o.stall_free = 1;
                pesim_cost c;
                ASSERT_EQ(pesim_engine_run(&a, &g, &m, &o, &c, nullptr), PESIM_OK);
                ASSERT_TRUE(c.valid) << c.reason;
                int64_t Sr, Sc, T;
                if (!strcmp(df, "os")) Sr = M, Sc = Nn, T = Kr;
                else if (!strcmp(df, "ws")) Sr = Kr, Sc = Nn, T = M;
                else Sr = Kr, Sc = M, T = Nn;
                int64_t folds = ((Sr + R - 1) / R) * ((Sc + Cc - 1) / Cc);
                int64_t expect = strcmp(df, "os") ? folds * (2 * R + Cc + T - 2) : folds * (T + R + Cc - 2);
                EXPECT_EQ(c.cycles, expect) << df << " M=" << M << " N=" << Nn << " K=" << Kr << " array " << R << "x" << Cc;
                n++;
            }
    EXPECT_EQ(n, 72);
}

// The same formulas when the SRAM is too small for a whole fold's stream: the
// streamed dim runs in chunks that fit, and chunks do not add folds.
TEST(EngineScaleSim, FormulasWithChunkedStreams)
{
    int n = 0;
    for (const char *df : {"os", "ws", "is"})
        for (int64_t T : {300, 1000}) {
            pesim_arch a = systolic_arch(8, 8);
            a.level[1].capacity_words = 2048; // 8x8 stationary + 8 x chunk rows of two streams
            pesim_layer l = !strcmp(df, "os") ? test_layer(1, 1, 20, T, 20, 1, 1, 1)
                            : !strcmp(df, "ws") ? test_layer(1, 1, 20, 20, T, 1, 1, 1)
                                                : test_layer(1, 1, T, 20, 20, 1, 1, 1);
            pesim_layer g;
            pesim_mapping m;
            pesim_error err;
            ASSERT_EQ(pesim_mapper_scalesim(&a, &l, df, &g, &m, &err), PESIM_OK) << err.msg;
            ASSERT_LT(m.level[1].temporal[!strcmp(df, "os") ? PESIM_DIM_C : !strcmp(df, "ws") ? PESIM_DIM_P : PESIM_DIM_K], T)
                << "expected a chunked stream";
            pesim_engine_options o = {};
            o.stall_free = 1;
            pesim_cost c;
            ASSERT_EQ(pesim_engine_run(&a, &g, &m, &o, &c, nullptr), PESIM_OK);
            ASSERT_TRUE(c.valid) << c.reason;
            int64_t folds = 3 * 3; // ceil(20/8)^2
            int64_t expect = strcmp(df, "os") ? folds * (2 * 8 + 8 + T - 2) : folds * (T + 8 + 8 - 2);
            EXPECT_EQ(c.cycles, expect) << df << " T=" << T;
            n++;
        }
    EXPECT_EQ(n, 6);
}

// A two-level machine traced by hand: L0 (the PE's register file) under L1
// (an on-chip buffer, 1 word/cycle read port, 2-cycle access latency).
// GEMM P=2, K=1, C=2: L0 holds C=2, L1 walks P=2, so there are two blocks of
// two MACs each.
static pesim_arch hand_arch(int tile_slots, double l0_write_rate)
{
    pesim_arch a = test_two_level_arch(1, 1);
    a.level[0].write_words_per_cycle = l0_write_rate;
    a.level[0].tile_slots = tile_slots;
    a.level[1].read_words_per_cycle = 1;
    a.level[1].latency_cycles = 2;
    return a;
}

// Its mapping: L0 holds C=2, L1 walks P=2.
static pesim_mapping hand_mapping()
{
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_P] = 2;
    return m;
}

TEST(EngineHand, TwoBlocksSingleBuffered)
{
    pesim_arch a = hand_arch(0, 1.0);
    pesim_layer l = test_layer(1, 1, 1, 2, 2, 1, 1, 1);
    pesim_mapping m = hand_mapping();
    pesim_cost c;
    pesim_engine_stats st;
    ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, &st), PESIM_OK);
    ASSERT_TRUE(c.valid) << c.reason;
    // Block 0 (p = 0):
    //   weights: 2 words over L1's read port (cycles 0-2) + 2 latency -> in L0 at 4
    //   inputs:  2 words, the read port is busy until 2: cycles 2-4, +2 -> 6
    //   outputs: first visit, nothing to read back
    //   compute: starts at 6 (waited 6 for the inputs), 2 MACs; the MACs'
    //            2 partial-sum writes take L0's write port 2 cycles -> 6-8
    // Block 1 (p = 1): the weights stay (P does not index them)
    //   drain the output of p = 0 at 8 (no port limit on L0 reads / L1 writes)
    //   inputs: single-buffered, so only after block 0 computed: 8-10, +2 -> 12
    //   compute 12-14
    // End: 14 + (MAC latency 1 - 1); the last drain takes no time.
    EXPECT_EQ(c.cycles, 14);
    EXPECT_EQ(c.compute_cycles, 4);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_BUFFER_BW], 10); // 6 + 4 waiting on L1's port + latency
    EXPECT_EQ(st.blocks, 2);
    EXPECT_EQ(st.transfers, 5); // W, I (block 0); drain, I (block 1); final drain
    // The analytical bound: L0's write port carries 2 + 4 fills + 4 updates
    // = 10 words at 1/cycle: 10 cycles <= 14.
    pesim_cost cm;
    pesim_model_evaluate(&a, &l, &m, &cm);
    EXPECT_EQ(cm.cycles, 10);
}

TEST(EngineHand, DoubleBufferingOverlapsTheNextTile)
{
    // Same layer; L0's write port unlimited. Single-buffered: block 0 as
    // before (inputs in at 6, compute 6-8); block 1's inputs wait for 8:
    // 8-10 + 2 = 12, compute 12-14.
    pesim_layer l = test_layer(1, 1, 1, 2, 2, 1, 1, 1);
    pesim_mapping m = hand_mapping();
    pesim_cost c;
    pesim_arch single = hand_arch(0, 0);
    ASSERT_EQ(pesim_engine_run(&single, &l, &m, nullptr, &c, nullptr), PESIM_OK);
    EXPECT_EQ(c.cycles, 14);
    // Double-buffered: block 1's inputs go into the second buffer as soon as
    // L1's port is free (at 4): 4-6 + 2 = 8, exactly when block 0 finishes:
    // compute 8-10, no stall.
    pesim_arch dbl = hand_arch(2, 0);
    ASSERT_EQ(pesim_engine_run(&dbl, &l, &m, nullptr, &c, nullptr), PESIM_OK);
    EXPECT_EQ(c.cycles, 10);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_BUFFER_BW], 6); // only block 0's wait
}

// N tile slots, traced by hand. L0 holds K=4 (C=1, P=1) under L1 with a read
// port of 0.5 word/cycle and no latency; L1 walks K=2 (outer), P=5 (inner).
// A block computes 4 MACs (4 cycles); its inputs tile is 1 word (2 cycles on
// L1's port), and every 5th block brings a new weights tile of 4 words (8
// cycles). On average the port keeps up (8 + 5 x 2 = 18 <= 20 cycles per 5
// blocks); in order on the port, the weights of block 5 and the inputs of
// blocks 4 and 5 take 2 + 8 + 2 = 12 cycles, and the inputs of block 4 may
// start only when their slot frees.
static pesim_arch slots_arch(int tile_slots)
{
    pesim_arch a = test_two_level_arch(1, 1);
    a.level[0].tile_slots = tile_slots;
    a.level[1].read_words_per_cycle = 0.5;
    return a;
}

static pesim_mapping slots_mapping()
{
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_K] = 4;
    m.level[1].temporal[PESIM_DIM_K] = 2;
    m.level[1].temporal[PESIM_DIM_P] = 5;
    return m;
}

TEST(EngineHand, ThreeSlotsHideAStallTwoCannot)
{
    pesim_layer l = test_layer(1, 1, 8, 1, 5, 1, 1, 1);
    pesim_mapping m = slots_mapping();
    int64_t cycles[4] = {0, 0, 0, 0};
    for (int n = 1; n <= 3; n++) {
        pesim_arch a = slots_arch(n);
        pesim_cost c;
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, nullptr), PESIM_OK);
        ASSERT_TRUE(c.valid) << c.reason;
        EXPECT_EQ(c.compute_cycles, 40);
        cycles[n] = c.cycles;
    }
    // The port (W: weights, I: inputs, in block order) and the compute; a
    // fill's room is the end of the block before the pair's event N - 1 events
    // back (N = 1: the previous block's end). All N: W0 0-8, I0 8-10, b0 10-14.
    // N = 1: every I after the previous compute: I1 14-16, b1 16-20, ... b4
    //   34-38; W5 38-46, I5 46-48, b5 48-52; I6 52-54, ... b9 72-76.
    // N = 2: I1 (room 0) 10-12, b1 14-18; I2 (room: b0's end) 14-16, b2
    //   18-22; I3 18-20, b3 22-26; I4 (room: b2's end, 22) 22-24, b4 26-30;
    //   W5 (room free) waits for the port: 24-32, I5 32-34, b5 34-38 (4
    //   cycles of stall); I6 34-36, b6 38-42; ... b9 50-54.
    // N = 3: I1 10-12; I2 (room 0) 12-14; I3 (room: b0's end, 14) 14-16; I4
    //   (b1's end, 18) 18-20; W5 20-28, I5 28-30; b5 30-34 right after b4:
    //   no stall; I6..I9 30-32, 32-34, 34-36, 38-40; b9 46-50.
    EXPECT_EQ(cycles[1], 76);
    EXPECT_EQ(cycles[2], 54);
    EXPECT_EQ(cycles[3], 50);
}

// Equal fills: two slots already hide every fill no longer than a block's
// compute, and no number of slots hides longer ones; N = 3 and 4 give N =
// 2's cycles exactly (the layer of DoubleBufferingOverlapsTheNextTile, and a
// longer one whose inputs take 2 of every 4 cycles, then 6).
TEST(EngineHand, EqualFillsThreeSlotsEqualTwo)
{
    pesim_layer l = test_layer(1, 1, 1, 2, 2, 1, 1, 1);
    pesim_mapping m = hand_mapping();
    pesim_cost c;
    for (int n = 2; n <= 4; n++) {
        pesim_arch a = hand_arch(n, 0);
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, nullptr), PESIM_OK);
        EXPECT_EQ(c.cycles, 10) << n;
    }
    // K=4 at L0 (4 cycles a block), P=6 at L1; inputs 1 word a block at 0.5
    // word/cycle (2 cycles), or 3 words (C=3, 12 cycles a block, 6 of fill).
    for (int64_t ch : {1, 3}) {
        pesim_layer g = test_layer(1, 1, 4, ch, 6, 1, 1, 1);
        pesim_mapping gm;
        pesim_mapping_init(&gm, 2);
        gm.level[0].temporal[PESIM_DIM_K] = 4;
        gm.level[0].temporal[PESIM_DIM_C] = ch;
        gm.level[1].temporal[PESIM_DIM_P] = 6;
        int64_t two = -1;
        for (int n = 2; n <= 4; n++) {
            pesim_arch a = slots_arch(n);
            ASSERT_EQ(pesim_engine_run(&a, &g, &gm, nullptr, &c, nullptr), PESIM_OK);
            ASSERT_TRUE(c.valid) << c.reason;
            if (n == 2) two = c.cycles;
            EXPECT_EQ(c.cycles, two) << "C=" << ch << " N=" << n;
        }
        // the weights (4 x C words) come first, then the first inputs; then no stall
        EXPECT_EQ(two, 2 * 4 * ch + 2 * ch + 6 * 4 * ch) << "C=" << ch;
    }
}

// More slots never cost cycles (N = 1 >= 2 >= 3 >= 4) on the engine's random
// machines and mappings, wherever the tiles fit N times, and they save some,
// when the outermost level is a fixed-latency store. With a DRAM there, an
// earlier fill can meet a busier bank or a refresh and end later (10 of these
// 600 cases, N = 1 to 2 among them: docs/engine.md, "Tile slots").
TEST(EngineProperty, MoreTileSlotsNeverSlower)
{
    int checked = 0, saved3 = 0;
    for (int seed = 1; seed <= 600; seed++) {
        TestRng rng(seed + 4242);
        pesim_arch a = timed_arch(rng, (int)rng.uni(2, 4));
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 7),
                                   rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_level &top = a.level[a.n_levels - 1]; // a store of 2 words a cycle each way, 10 cycles away
        top.is_dram = 0;
        top.read_words_per_cycle = top.write_words_per_cycle = 2;
        top.latency_cycles = 10;
        int64_t prev = -1, two = -1;
        bool all = true;
        for (int n = 1; n <= 4 && all; n++) {
            for (int lv = 0; lv + 1 < a.n_levels; lv++) a.level[lv].tile_slots = n;
            pesim_cost c;
            ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, nullptr), PESIM_OK);
            if (!c.valid) {
                all = false;
                break;
            }
            if (prev >= 0) {
                EXPECT_LE(c.cycles, prev) << "seed " << seed << " N=" << n;
            }
            if (n == 2) two = c.cycles;
            if (n == 3 && c.cycles < two) saved3++;
            prev = c.cycles;
        }
        checked += all;
    }
    printf("more tile slots: %d cases valid with 4 slots, 3 slots faster than 2 on %d\n", checked, saved3);
    EXPECT_GE(checked, 100);
    EXPECT_GE(saved3, 10);
}

// The progress hook: called every progress_every_blocks compute blocks and once
// at the end, with the compute steps done so far (increasing) of the layer's
// total (its compute cycles), ending at done == total; the results are the
// same with and without it.
struct ProgressLog {
    std::vector<std::pair<int64_t, int64_t>> calls;
    static void on(void *ctx, int64_t done, int64_t total)
    {
        static_cast<ProgressLog *>(ctx)->calls.emplace_back(done, total);
    }
};

TEST(EngineProgress, CalledWithIncreasingProgressEndingAtTheTotal)
{
    int layers = 0;
    for (int seed = 1; seed <= 60; seed++) {
        TestRng rng(seed + 777);
        pesim_arch a = timed_arch(rng, 3);
        pesim_layer l = test_layer(1, 1, rng.uni(4, 16), rng.uni(4, 16), rng.uni(4, 16), rng.uni(2, 6), 3, 3);
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_cost plain, with;
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &plain, nullptr), PESIM_OK);
        if (!plain.valid) continue;
        pesim_engine_stats st;
        ProgressLog log;
        pesim_engine_options o = {};
        o.progress = ProgressLog::on;
        o.progress_ctx = &log;
        o.progress_every_blocks = 3;
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, &o, &with, &st), PESIM_OK);
        ASSERT_TRUE(with.valid);
        EXPECT_EQ(with.cycles, plain.cycles) << "seed " << seed;
        EXPECT_EQ(with.energy_pj, plain.energy_pj) << "seed " << seed;
        ASSERT_EQ((int64_t)log.calls.size(), st.blocks / 3 + 1) << "seed " << seed;
        for (size_t i = 0; i < log.calls.size(); i++) {
            EXPECT_EQ(log.calls[i].second, with.compute_cycles) << "seed " << seed;
            if (i) {
                EXPECT_GE(log.calls[i].first, log.calls[i - 1].first) << "seed " << seed;
            }
            EXPECT_LE(log.calls[i].first, with.compute_cycles) << "seed " << seed;
        }
        EXPECT_EQ(log.calls.back().first, with.compute_cycles) << "seed " << seed;
        if (st.blocks >= 6) layers++;
    }
    EXPECT_GT(layers, 10) << "layers with several progress calls";
}
