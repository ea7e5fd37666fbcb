// engine_detail_test.cc - the machine details of the cycle engine, traced by
// hand (the arithmetic is in the comments): in-network reduction latency, a 2-D
// mesh with XY routing and link contention, a shared port (one bank, one port)
// against separate read and write ports, ports that scale the bandwidth, DRAM reads in flight, and a drain
// that frees its child when its words left, before the reduction tree; plus the
// engine's invariants on random machines with meshes, reductions and several
// reads in flight.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "pesim/engine.h"
#include "nest/nest.h"
#include "pesim/config.h"
#include "pesim/dram.h"
#include "pesim/model.h"
#include "pesim/net.h"
}

static pesim_arch two_level(int fx, int fy) { return test_two_level_arch(fx, fy); }

static pesim_cost run_engine(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    pesim_cost c;
    EXPECT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, nullptr), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
    return c;
}

// One dim split 8 ways over 8 PEs in a row (L1 spatial_x), nothing else.
static pesim_mapping split8(pesim_dim d)
{
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[1].spatial_x[d] = 8;
    return m;
}

// C = 8 spread over 8 PEs (L1 spatial_x C = 8), one MAC each: every PE holds
// one partial sum of the single output, which is reduced on its way up.
TEST(EngineDetail, ReductionTreeLatency)
{
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 1, 1, 1);
    pesim_mapping m = split8(PESIM_DIM_C);
    pesim_arch a = two_level(8, 1);
    // The fills take no time (unlimited ports and networks, no latency): the
    // one compute step is cycles 0-1. The flush of the output tile from L0 to
    // L1 starts at 1 and crosses L1's outputs network: a tree over n = 8
    // children adds ceil(log2 8) = 3 -> the sum is in L1 at 4. MAC latency 1
    // adds nothing: 4 cycles.
    a.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_TREE;
    EXPECT_EQ(pesim_engine_reduce_latency_cycles(&a, &m, 1), 3);
    EXPECT_EQ(pesim_engine_reduce_latency_cycles(&a, &m, 0), 0); // no spatial factor at L0
    pesim_cost c = run_engine(a, l, m);
    EXPECT_EQ(c.cycles, 4);
    EXPECT_EQ(c.compute_cycles, 1);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_FILL_DRAIN], 3);
    // A systolic chain adds n - 1 = 7: 1 + 7 = 8.
    a.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_SYSTOLIC;
    EXPECT_EQ(run_engine(a, l, m).cycles, 8);
    // With a rate of 1 word a cycle, the one reduced word holds the network 1
    // cycle and the tree's 3 follow: 1 + 1 + 3 = 5.
    a.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_TREE;
    a.level[1].noc[PESIM_OUTPUTS].words_per_cycle = 1;
    EXPECT_EQ(run_engine(a, l, m).cycles, 5);
    // 5 children: ceil(log2 5) = 3 (the factor 8 covers C = 5 with 3 idle PEs:
    // the tree still has 8 leaves).
    pesim_layer l5 = test_layer(1, 1, 1, 5, 1, 1, 1, 1);
    EXPECT_EQ(run_engine(a, l5, m).cycles, 5);
    // A spatial split of K (outputs depend on it) reduces nothing: 1 + 1 = 2.
    pesim_layer lk = test_layer(1, 1, 8, 1, 1, 1, 1, 1);
    pesim_mapping mk = split8(PESIM_DIM_K);
    EXPECT_EQ(pesim_engine_reduce_latency_cycles(&a, &mk, 1), 0);
    // the 8 outputs, one per PE, cross the 1-word network one after the other: 1 + 8
    EXPECT_EQ(run_engine(a, lk, mk).cycles, 9);
    // Vector lanes under L0 reduce into L0 through its tree: 4 lanes over C,
    // ceil(log2 4) = 2 more cycles of MAC pipeline. C = 4 on the lanes, 1 step.
    pesim_arch lanes = two_level(1, 1);
    lanes.level[0].fanout_x = 4;
    pesim_layer l4 = test_layer(1, 1, 1, 4, 1, 1, 1, 1);
    pesim_mapping ml;
    pesim_mapping_init(&ml, 2);
    ml.level[0].spatial_x[PESIM_DIM_C] = 4;
    pesim_cost cl = run_engine(lanes, l4, ml);
    EXPECT_EQ(cl.cycles, 1 + 2);
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, 5);
}

TEST(EngineDetail, ReduceNoneMakesSpatialReductionInvalid)
{
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 1, 1, 1);
    pesim_mapping m = split8(PESIM_DIM_C);
    pesim_arch a = two_level(8, 1);
    a.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_NONE;
    pesim_cost c, cm;
    ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, nullptr), PESIM_OK);
    EXPECT_FALSE(c.valid);
    EXPECT_EQ(c.violation.kind, PESIM_VIOLATION_SPATIAL_DIM);
    EXPECT_EQ(c.violation.level, 1);
    EXPECT_EQ(c.violation.dim, PESIM_DIM_C);
    EXPECT_NE(std::string(c.reason).find("reduce = \"none\""), std::string::npos) << c.reason;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_FALSE(cm.valid);
    // splitting K instead (no reduction) is fine on the same machine
    pesim_layer lk = test_layer(1, 1, 8, 1, 1, 1, 1, 1);
    pesim_mapping mk = split8(PESIM_DIM_K);
    EXPECT_TRUE(run_engine(a, lk, mk).valid);
}

// K = 8 over a 4 x 2 array of PEs (L1 spatial_x K = 4, spatial_y K = 2), C = 2
// in each PE: every PE needs its own 2 weights, 16 copies in all; the inputs
// (C) are multicast on an unlimited bus.
TEST(EngineDetail, MeshXYRoutingWithLinkContention)
{
    pesim_layer l = test_layer(1, 1, 8, 2, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[1].spatial_x[PESIM_DIM_K] = 4;
    m.level[1].spatial_y[PESIM_DIM_K] = 2;
    m.level[0].temporal[PESIM_DIM_C] = 2;
    pesim_arch a = two_level(4, 2);
    a.level[1].noc[PESIM_WEIGHTS].kind = PESIM_NOC_MESH;
    a.level[1].noc[PESIM_WEIGHTS].words_per_cycle = 1;
    // XY routing from the corner PE (0, 0): the link east of (0, 0) carries the
    // copies of columns 1-3 in both rows, 3 x 2 x 2 = 12 words; the busiest
    // south link (column x, row 0 -> 1) carries 2. At 1 word a cycle per link
    // the weights take 12 cycles, and the last word then goes 3 more hops to
    // (3, 1) (4 hops from the corner, the first one counted in the 12): in L0
    // at 15. Compute 2 steps: 15-17; the outputs go up at once: 17 cycles.
    EXPECT_EQ(pesim_nest_mesh_link_words(&m, 1, 16, 1), 12);
    EXPECT_EQ(pesim_nest_mesh_hops(&m, 1), 4);
    pesim_cost c = run_engine(a, l, m);
    EXPECT_EQ(c.cycles, 17);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_NOC_BW], 15);
    // Energy hops: each PE's 2 words travel 1 + x + y hops (the corner's
    // injection hop, then X, then Y): 2 x (8 + (0+1+2+3) x 2 + (0+1) x 4) = 48.
    EXPECT_DOUBLE_EQ(c.noc_word_hops[1][PESIM_WEIGHTS], 48);
    // The analytical bound sees the busiest link: 12 words at 1 a cycle.
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_EQ(cm.cycles, 12 + 0);
    EXPECT_LE(cm.cycles, c.cycles);
    // A unicast network injects all 16 copies through one port: 16 + 2 = 18.
    a.level[1].noc[PESIM_WEIGHTS].kind = PESIM_NOC_UNICAST;
    EXPECT_EQ(run_engine(a, l, m).cycles, 18);
    // One row of 8 (spatial_x K = 8): the east link out of the corner carries
    // 7 x 2 = 14 words, then 6 more hops to (7, 0): 14 + 6 = 20, + 2 = 22.
    pesim_arch row = two_level(8, 1);
    row.level[1].noc[PESIM_WEIGHTS].kind = PESIM_NOC_MESH;
    row.level[1].noc[PESIM_WEIGHTS].words_per_cycle = 1;
    pesim_mapping mr;
    pesim_mapping_init(&mr, 2);
    mr.level[1].spatial_x[PESIM_DIM_K] = 8;
    mr.level[0].temporal[PESIM_DIM_C] = 2;
    EXPECT_EQ(run_engine(row, l, mr).cycles, 22);
    // One column of 8 (spatial_y K = 8): the first link south carries 14 too.
    pesim_arch col = two_level(1, 8);
    col.level[1].noc[PESIM_WEIGHTS] = row.level[1].noc[PESIM_WEIGHTS];
    pesim_mapping mc = mr;
    mc.level[1].spatial_x[PESIM_DIM_K] = 1;
    mc.level[1].spatial_y[PESIM_DIM_K] = 8;
    EXPECT_EQ(run_engine(col, l, mc).cycles, 22);
}

// Two blocks (p = 0, 1) of 4 MACs each (C = 4 in L0); L0's ports move 1 word a
// cycle and it is double-buffered, L1 is unlimited. Per block the MACs read 4
// weights, 4 inputs and 3 partial sums (the first of the 4 updates reads
// nothing) from L0 and write 4 partial sums into it.
TEST(EngineDetail, SharedPortAgainstSeparateReadAndWritePorts)
{
    pesim_layer l = test_layer(1, 1, 1, 4, 2, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 4;
    m.level[1].temporal[PESIM_DIM_P] = 2;
    pesim_arch a = two_level(1, 1);
    a.level[0].read_words_per_cycle = 1;
    a.level[0].write_words_per_cycle = 1;
    a.level[0].tile_slots = 2;
    // Separate read and write ports (banks = 2, accesses of one line):
    // block 0: weights 4 words over L0's write port 0-4, inputs 4-8; compute
    //   from 8: 11 reads on the read port and 4 writes on the write port at the
    //   same time: 8-19; the writes lose cycle 8 to the reads in bank 0, then
    //   alternate banks with them: 9-13 (read port free at 19, write port at 13).
    // block 1: the drain of block 0's output waits for the compute (19), 1
    //   word over the read port: 19-20. The new inputs go into the second
    //   buffer once the write port is free: 13-17 (beside the reads, odd
    //   cycles after them: no conflict). The output tile (a first
    //   visit, nothing to read back) waits for the drain: 20. Compute 20-31.
    // end: the last output drains over the read port 31-32.
    pesim_cost sep = run_engine(a, l, m);
    EXPECT_EQ(sep.access[0][PESIM_OUTPUTS].reads, 2 * 3 + 2); // the MACs' 3 a block, and the 2 drains
    EXPECT_EQ(sep.access[0][PESIM_OUTPUTS].updates, 8);
    EXPECT_EQ(sep.cycles, 32);
    // One bank and one port: reads and writes take turns on one port.
    // block 0: W 0-4, I 4-8, compute 8-23 (11 reads + 4 writes = 15 cycles).
    // block 1: the drain 23-24; the inputs wait for the port: 24-28; compute
    //   28-43; the last drain 43-44.
    a.level[0].banks = 1;
    pesim_cost shared = run_engine(a, l, m);
    EXPECT_EQ(shared.cycles, 44);
    EXPECT_GT(shared.stall_cycles[PESIM_STALL_BANK_CONFLICT], 0);
    EXPECT_EQ(sep.stall_cycles[PESIM_STALL_BANK_CONFLICT], 0);
    // A second port relieves the conflict as a second bank does, and doubles
    // L0's rates (2 read and 2 write ports at 1 word a cycle each):
    // block 0: W 0-2, I 2-4, compute from 4: 11 reads over the read ports
    //   (6 cycles) and 4 writes over the write ports (2) beside 4 steps:
    //   4-10 (read ports free at 10, write ports at 6).
    // block 1: the drain 10-11 (1 word, rounded up to a cycle); the inputs into
    //   the second buffer 6-8; compute 11-17; the last drain 17-18.
    a.level[0].ports = 2;
    pesim_cost two = run_engine(a, l, m);
    EXPECT_EQ(two.cycles, 18);
    EXPECT_EQ(two.stall_cycles[PESIM_STALL_BANK_CONFLICT], 0);
}

// One block of 16 MACs on one PE (C = 16 in L0); L1 keeps everything and has
// `ports` read and write ports of 1 word a cycle each, L0 is unlimited. The
// weights (16 words) and then the inputs (16) cross L1's read ports, the one
// output goes back over its write ports: a transfer-bound layer.
TEST(EngineDetail, PortsScaleTheBandwidth)
{
    pesim_layer l = test_layer(1, 1, 1, 16, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 16;
    pesim_arch a = two_level(1, 1);
    a.level[1].read_words_per_cycle = 1;
    a.level[1].write_words_per_cycle = 1;
    // ports = 1: W 0-16, I 16-32, compute 32-48, the drain 48-49.
    // ports = 2: W 0-8,  I 8-16,  compute 16-32, the drain 32-33.
    // ports = 4: W 0-4,  I 4-8,   compute 8-24,  the drain 24-25 (1 word still
    //   takes a cycle).
    const int ports[3] = {1, 2, 4};
    const int64_t want[3] = {49, 33, 25};
    for (int i = 0; i < 3; i++) {
        a.level[1].ports = ports[i];
        pesim_cost c = run_engine(a, l, m);
        EXPECT_EQ(c.cycles, want[i]) << "ports " << ports[i];
        EXPECT_EQ(c.compute_cycles, 16);
        EXPECT_EQ(c.access[1][PESIM_WEIGHTS].reads, 16); // the same words, only faster
        // the analytical bound: L1's 32 reads over `ports` words a cycle
        pesim_cost b;
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &b), PESIM_OK);
        EXPECT_EQ(b.level_cycles[1], 32 / ports[i]);
        EXPECT_LE(b.cycles, c.cycles);
    }
    // One bank and one port: the single port is shared, its rates are still
    // per port: the same 49 cycles (nothing overlaps here).
    a.level[1].ports = 1, a.level[1].banks = 1;
    EXPECT_EQ(run_engine(a, l, m).cycles, 49);
}

// A custom DRAM whose timing is small enough to trace: tCK 1 ns at a 1 GHz
// accelerator (one DRAM cycle per accelerator cycle), tRCD 3, CL 2, BL 2 (one
// bus cycle a burst of 16 bytes = 8 words), one rank of 2 x 2 banks.
static pesim_arch dram_arch(int reads_in_flight)
{
    pesim_arch a = two_level(1, 1);
    pesim_level &d = a.level[1];
    d.is_dram = 1;
    pesim_dram_preset("ddr4-3200", &d.dram);
    d.dram.tck_ns = 1;
    d.dram.CL = 2, d.dram.CWL = 2, d.dram.tRCD = 3, d.dram.tRP = 3, d.dram.tRAS = 6, d.dram.tRC = 9;
    d.dram.BL = 2, d.dram.tCCD_S = 1, d.dram.tCCD_L = 1, d.dram.tRRD_S = 1, d.dram.tRRD_L = 1, d.dram.tFAW = 4;
    d.dram.tWTR_S = 1, d.dram.tWTR_L = 1, d.dram.tWR = 2, d.dram.tRTP = 1, d.dram.tRTRS = 1;
    d.dram.channels = 1, d.dram.ranks = 1, d.dram.bankgroups = 2, d.dram.banks_per_group = 2;
    d.dram.bus_bits = 64, d.dram.row_bytes = 1024;
    d.dram.reads_in_flight = reads_in_flight;
    return a;
}

TEST(EngineDetail, DramReadsInFlight)
{
    // One block: 8 weights and 8 inputs (one burst each) from DRAM into L0.
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 8;
    pesim_engine_options o;
    memset(&o, 0, sizeof o);
    o.no_refresh = 1;
    pesim_cost c1, c2;
    pesim_engine_stats s1, s2;
    pesim_arch a1 = dram_arch(1), a2 = dram_arch(2);
    ASSERT_EQ(pesim_engine_run(&a1, &l, &m, &o, &c1, &s1), PESIM_OK);
    ASSERT_EQ(pesim_engine_run(&a2, &l, &m, &o, &c2, &s2), PESIM_OK);
    ASSERT_TRUE(c1.valid && c2.valid);
    // Each tensor's region starts on a MiB boundary, which this organisation
    // maps to the same bank, another row: the two reads conflict.
    // One read in flight: the weights' burst is accepted at 0, ACT at 1, RD at
    // 1 + tRCD = 4, data from 4 + CL = 6 for BL/2 = 1 cycle: done at 7. The
    // inputs' burst arrives the cycle after that data, 8: PRE at 9, ACT at
    // 9 + tRP = 12, RD at 15, data 17-18: done at 18. Compute 18-26, then the
    // output's write to DRAM: 10 cycles, 36.
    // Two in flight: both bursts arrive at 0; the weights' as before (done at
    // 7); the inputs' PRE waits for tRAS after the ACT at 1: PRE at 7, ACT at
    // 10, RD at 13, data 15-16: done at 16. Compute 16-24, the same write: 34.
    EXPECT_EQ(c1.cycles, 36);
    EXPECT_EQ(c2.cycles, 34);
    EXPECT_EQ(c1.compute_cycles, 8);
    EXPECT_EQ(s1.dram_reads, s2.dram_reads);
    EXPECT_EQ(s1.dram_reads, 2);
    EXPECT_EQ(s1.dram_act, s2.dram_act);
    // compute + stalls == cycles, and the bound holds, in both
    for (const pesim_cost *c : {&c1, &c2}) {
        int64_t sum = c->compute_cycles;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) sum += c->stall_cycles[s];
        EXPECT_EQ(sum, c->cycles);
    }
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a2, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, c2.cycles);
    // the key is written by the config writer only when it differs from one
    EXPECT_EQ(memcmp(c1.access, c2.access, sizeof c1.access), 0);
}

// The invariants of engine_test.cc's property test on one case: the engine
// and the model agree on validity and accesses, the engine's cycles are at or
// above the analytical bound, its stalls add up. *ce: the engine's cost.
static void check_invariants(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, int seed,
                             pesim_cost *ce)
{
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, ce, nullptr), PESIM_OK);
    ASSERT_EQ(cm.valid, ce->valid) << "seed " << seed;
    if (!cm.valid) return;
    ASSERT_EQ(memcmp(cm.access, ce->access, sizeof cm.access), 0) << "seed " << seed;
    ASSERT_GE(ce->cycles, cm.cycles) << "seed " << seed;
    int64_t sum = ce->compute_cycles;
    for (int s = 0; s < PESIM_STALL_COUNT; s++) {
        ASSERT_GE(ce->stall_cycles[s], 0) << "seed " << seed;
        sum += ce->stall_cycles[s];
    }
    ASSERT_EQ(sum, ce->cycles) << "seed " << seed;
}

// The invariants of engine_test.cc's property test on machines with meshes,
// every reduction kind and DRAM with several reads in flight.
TEST(EngineDetail, PropertyMeshReductionReadsInFlight)
{
    int checked = 0, meshes = 0, reduced = 0;
    for (int seed = 1; seed <= 600; seed++) {
        TestRng rng(seed + 977);
        int levels = (int)rng.uni(2, 4);
        pesim_arch a = test_arch(rng, levels);
        static const double rates[] = {0, 1, 2, 4, 0.5};
        for (int lv = 0; lv + 1 < levels; lv++) {
            pesim_level &v = a.level[lv];
            v.fanout_x = (int)rng.uni(1, 4), v.fanout_y = (int)rng.uni(1, 4);
            v.read_words_per_cycle = rates[rng.uni(0, 4)];
            v.write_words_per_cycle = rates[rng.uni(0, 4)];
            v.latency_cycles = (int)rng.uni(0, 2);
            v.banks = (int)rng.uni(1, 2);
            v.tile_slots = rng.coin(50) ? 2 : 1;
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                v.noc[t].words_per_cycle = rates[rng.uni(0, 4)];
                v.noc[t].kind = rng.coin(50) ? PESIM_NOC_MESH : rng.coin(50) ? PESIM_NOC_UNICAST : PESIM_NOC_BUS;
                v.noc[t].reduce = rng.coin(50) ? PESIM_REDUCE_TREE : PESIM_REDUCE_SYSTOLIC;
            }
        }
        pesim_level &top = a.level[levels - 1];
        top.is_dram = 1;
        pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram);
        top.dram.reads_in_flight = (int)rng.uni(1, 4);
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 4),
                                   rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping_general(rng, a, l);
        pesim_cost ce;
        check_invariants(a, l, m, seed, &ce);
        if (HasFatalFailure()) return;
        if (!ce.valid) continue;
        for (int lv = 0; lv + 1 < levels; lv++) {
            int used = 0;
            for (int t = 0; t < PESIM_NTENSORS; t++) used |= a.level[lv].noc[t].kind == PESIM_NOC_MESH;
            meshes += used && pesim_nest_mesh_hops(&m, lv) > 1;
            reduced += pesim_engine_reduce_latency_cycles(&a, &m, lv) > 0;
        }
        checked++;
    }
    EXPECT_GT(checked, 300);
    EXPECT_GT(meshes, 100);
    EXPECT_GT(reduced, 100);
}

// The keys of these features load, range-check and round-trip through the writer.
TEST(EngineDetail, ConfigKeysMeshAndReadsInFlight)
{
    const char *text =
        "arch = { name = \"t\"; word_bits = 8; clock_mhz = 1000.0;\n"
        "  levels = ( { name = \"RF\"; },\n"
        "    { name = \"GLB\"; fanout_x = 4; fanout_y = 4;\n"
        "      noc = { weights = { kind = \"mesh\"; words_per_cycle = 2.0; }; }; },\n"
        "    { name = \"DRAM\"; dram = { preset = \"ddr4-3200\"; reads_in_flight = 4; }; } ); };\n";
    pesim_arch a, b;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load_string(text, "t.cfg", &a, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(a.level[1].noc[PESIM_WEIGHTS].kind, PESIM_NOC_MESH);
    EXPECT_EQ(a.level[2].dram.reads_in_flight, 4);
    std::string path = ::testing::TempDir() + "engine_detail_arch.cfg";
    ASSERT_EQ(pesim_arch_write(path.c_str(), &a, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_arch_load(path.c_str(), &b, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(b.level[1].noc[PESIM_WEIGHTS].kind, PESIM_NOC_MESH);
    EXPECT_EQ(b.level[2].dram.reads_in_flight, 4);
    std::remove(path.c_str());
    std::string bad(text);
    bad.replace(bad.find("reads_in_flight = 4"), 19, "reads_in_flight = -1");
    ASSERT_EQ(pesim_arch_load_string(bad.c_str(), "t.cfg", &a, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "levels.[DRAM].dram.reads_in_flight");
}

// K = 3 and C = 3, each split over 2 PEs (L1 spatial_x K = 2, spatial_y C =
// 2) with 2 more in each PE (L0 temporal K = 2, C = 2): imperfect factors, so
// the PEs of the second column and row get edge tiles. Weights (K x C) per
// PE: (0,0) 2 x 2 = 4, (1,0) 1 x 2 = 2, (0,1) 2 x 1 = 2, (1,1) 1 x 1 = 1: 9 in
// all, 2.25 on average, 4 for the slowest PE. L0's write port moves 1 word a
// cycle; everything else is unlimited.
TEST(EngineDetail, EdgeTilesTheSlowestInstanceSetsThePace)
{
    pesim_layer l = test_layer(1, 1, 3, 3, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[1].spatial_x[PESIM_DIM_K] = 2;
    m.level[1].spatial_y[PESIM_DIM_C] = 2;
    m.level[0].temporal[PESIM_DIM_K] = 2;
    m.level[0].temporal[PESIM_DIM_C] = 2;
    pesim_arch a = two_level(2, 2);
    a.level[0].write_words_per_cycle = 1;
    // One block. Weights: PE (0,0) takes 4 words, 0-4 (the average, ceil(9 /
    // 4) = 3, would end at 3). Inputs (C only): 2 words for the PEs of row 0,
    // 4-6. Compute: 2 x 2 = 4 steps from 6 (the MACs' 4 partial-sum writes per
    // PE fit the 4 steps): 6-10. The outputs then go up through L1's tree over
    // the 2 PEs that split C: ceil(log2 2) = 1, so 11.
    pesim_cost c = run_engine(a, l, m);
    EXPECT_EQ(c.access[0][PESIM_WEIGHTS].fills, 9);
    EXPECT_EQ(c.access[0][PESIM_INPUTS].fills, 6);
    EXPECT_EQ(c.cycles, 11);
    EXPECT_EQ(c.compute_cycles, 4);
    // A perfect split (K = 4, C = 4) moves 4 weights per PE too: same time.
    pesim_layer l4 = test_layer(1, 1, 4, 4, 1, 1, 1, 1);
    EXPECT_EQ(run_engine(a, l4, m).cycles, 11);
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, c.cycles);
}

struct TraceEvent {
    int64_t cycle;
    std::string module, event;
};

static void collect_trace(void *ctx, int64_t cycle, const char *module, const char *event)
{
    static_cast<std::vector<TraceEvent> *>(ctx)->push_back({cycle, module, event});
}

// The cycle of the first trace event `event` of `module`, -1 if none.
static int64_t trace_cycle(const std::vector<TraceEvent> &tr, const char *module, const char *event)
{
    for (const TraceEvent &e : tr)
        if (e.module == module && e.event == event) return e.cycle;
    return -1;
}

// Two levels, C split over 8 PEs reduced by L1's tree (ceil(log2 8) = 3
// cycles) over a 1-word-per-cycle outputs network; everything else unlimited.
static pesim_arch tree8_arch()
{
    pesim_arch a = two_level(8, 1);
    a.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_TREE;
    a.level[1].noc[PESIM_OUTPUTS].words_per_cycle = 1;
    return a;
}

// The engine's run of (a, l, m) with its trace in *tr.
static pesim_cost run_traced(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m,
                             std::vector<TraceEvent> *tr)
{
    pesim_engine_options o;
    memset(&o, 0, sizeof o);
    o.trace = collect_trace, o.trace_ctx = tr;
    pesim_cost c;
    EXPECT_EQ(pesim_engine_run(&a, &l, &m, &o, &c, nullptr), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
    return c;
}

// Four blocks on outputs:L0: the drains of blocks 1-3 start, leave and land
// (end) at the given cycles, and blocks 0-3 compute from compute[b].
static void expect_drains(const std::vector<TraceEvent> &tr, const int64_t *start, const int64_t *left,
                          const int64_t *landed, const int64_t *compute)
{
    for (int b = 1; b <= 3; b++) {
        std::string d = "drain b" + std::to_string(b);
        EXPECT_EQ(trace_cycle(tr, "outputs:L0", (d + " start").c_str()), start[b - 1]) << d;
        EXPECT_EQ(trace_cycle(tr, "outputs:L0", (d + " left").c_str()), left[b - 1]) << d;
        EXPECT_EQ(trace_cycle(tr, "outputs:L0", (d + " end").c_str()), landed[b - 1]) << d;
    }
    for (int b = 0; b < 4; b++)
        EXPECT_EQ(trace_cycle(tr, "mac", ("compute b" + std::to_string(b) + " start").c_str()), compute[b]) << b;
}

// C = 8 over 8 PEs (L1 spatial_x C = 8) and K = 4 output tiles one after the
// other (L1 temporal K = 4): each block computes one output, whose 8 partial
// sums are reduced by L1's tree (ceil(log2 8) = 3 cycles) on their way up.
// L1's outputs network moves 1 word a cycle; everything else is unlimited.
// A drain holds the network 1 cycle (the one reduced word); its words have
// LEFT the PEs after that cycle, and LAND in L1 3 cycles later. The PE's
// output buffer is free when they left: the next tile's compute does not wait
// for the tree.
//   block 0: compute 0-1.
//   block 1: drain b1 of tile 0 starts at 1 (after the compute), left 2,
//            landed 2 + 3 = 5; compute 2-3 (its output fill waits for left).
//   block 2: drain b2 starts at 3, left 4, landed 7; compute 4-5.
//   block 3: drain b3 starts at 5, left 6, landed 9; compute 6-7.
//   flush of tile 3: from 7 (the last compute; the previous drain left at 6),
//            network 7-8, landed 8 + 3 = 11.
// Total 11 cycles: 4 of compute; 3 of waiting for the drains' network hold
// (noc_bandwidth, one per block 1-3) and the last 4 (the flush) fill_drain.
// (Freeing the buffer only when the words landed gave 1 + 3 x (4 + 1) + 4 = 20.)
TEST(EngineDetail, DrainFreesTheChildWhenItsWordsLeft)
{
    pesim_layer l = test_layer(1, 1, 4, 8, 1, 1, 1, 1);
    pesim_mapping m = split8(PESIM_DIM_C);
    m.level[1].temporal[PESIM_DIM_K] = 4;
    pesim_arch a = tree8_arch();
    ASSERT_EQ(pesim_engine_reduce_path_cycles(&a, &m, 0, 1), 3);
    std::vector<TraceEvent> tr;
    pesim_cost c = run_traced(a, l, m, &tr);
    const char *out = "outputs:L0";
    const int64_t start[] = {1, 3, 5}, left[] = {2, 4, 6}, landed[] = {5, 7, 9}, compute[] = {0, 2, 4, 6};
    expect_drains(tr, start, left, landed, compute);
    EXPECT_EQ(trace_cycle(tr, out, "flush start"), 7);
    EXPECT_EQ(trace_cycle(tr, out, "flush done"), 11);
    EXPECT_EQ(c.cycles, 11);
    EXPECT_EQ(c.compute_cycles, 4);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_NOC_BW], 3);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_FILL_DRAIN], 4);
    // The analytical bound charges no reduction latency: at most the 4 steps
    // and the network's 4 words.
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, 8);
}

// A read-back of partial sums waits for the drain of ITS tile to land, not the
// pair's latest. K = 2 output tiles, C = 16 as C = 8 over 8 PEs (a tree: 3
// cycles) times a temporal C = 2 outside the K loop at L1 (order C, K): blocks
// b0 (c0 k0), b1 (c0 k1), b2 (c1 k0: k0 read back), b3 (c1 k1: k1 read back).
// Ports unlimited, L1's outputs network 1 word a cycle, one step per block:
//   b0 compute 0-1.
//   b1 drain k0 1 (ce), left 2 (1 word), lands 5 (+3); fill k1 (first visit,
//      no words) waits for left: compute 2-3.
//   b2 drain k1 3, left 4, lands 7; the read-back of k0 waits for left (4) and
//      for k0's drain to land (5): fill 5-6 (1 word), compute 6-7.
//   b3 drain k0 7, left 8, lands 11; the read-back of k1 waits for left (8),
//      k1's drain landed at 7: fill 8-9, compute 9-10.
//   flush of k1 at 10, left 11, lands 14: 14 cycles.
// With the old rule (a read-back waits for the pair's latest drain to land) b2's
// fill waited for k1's drain (7) and b3's for k0's (13): 19 cycles.
TEST(EngineDetail, ReadBackWaitsForItsOwnTilesDrain)
{
    pesim_layer l = test_layer(1, 1, 2, 16, 1, 1, 1, 1);
    pesim_mapping m = split8(PESIM_DIM_C);
    m.level[1].temporal[PESIM_DIM_C] = 2;
    m.level[1].temporal[PESIM_DIM_K] = 2;
    const uint8_t order[PESIM_NDIMS] = {PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_G, PESIM_DIM_N,
                                        PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_R, PESIM_DIM_S};
    memcpy(m.level[1].order, order, sizeof order);
    pesim_arch a = tree8_arch();
    std::vector<TraceEvent> tr;
    pesim_cost c = run_traced(a, l, m, &tr);
    const char *out = "outputs:L0";
    const int64_t start[] = {1, 3, 7}, left[] = {2, 4, 8}, landed[] = {5, 7, 11}, compute[] = {0, 2, 6, 9};
    expect_drains(tr, start, left, landed, compute);
    EXPECT_EQ(trace_cycle(tr, out, "fill b2 start"), 5);
    EXPECT_EQ(trace_cycle(tr, out, "fill b2 done"), 6);
    EXPECT_EQ(trace_cycle(tr, out, "fill b3 start"), 8);
    EXPECT_EQ(trace_cycle(tr, out, "fill b3 done"), 9);
    EXPECT_EQ(trace_cycle(tr, out, "flush start"), 10);
    EXPECT_EQ(trace_cycle(tr, out, "flush done"), 14);
    EXPECT_EQ(c.cycles, 14);
    EXPECT_EQ(c.compute_cycles, 4);
    // waits on the network: 1 (b1) + 3 (b2) + 2 (b3); the flush's 4 are the tail
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_NOC_BW], 6);
    EXPECT_EQ(c.stall_cycles[PESIM_STALL_FILL_DRAIN], 4);
    pesim_cost cm;
    ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, c.cycles);
}

// The DRAM level's port (docs/engine.md, DRAM): one block of C = 32 reads 32
// weights and 32 inputs (64 bytes, four 16-byte bursts each) and writes one
// output word, on dram_arch's DRAM (16 bytes a cycle at its peak), one read in
// flight. A read port of 2 words (4 bytes) a cycle binds: a burst crosses it
// in 4 cycles.
static pesim_cost run_port(double rd_wpc, double wr_wpc, pesim_engine_stats *st)
{
    pesim_layer l = test_layer(1, 1, 1, 32, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 32;
    pesim_arch a = dram_arch(1);
    a.level[1].read_words_per_cycle = rd_wpc;
    a.level[1].write_words_per_cycle = wr_wpc;
    pesim_engine_options o;
    memset(&o, 0, sizeof o);
    o.no_refresh = 1;
    pesim_cost c;
    EXPECT_EQ(pesim_engine_run(&a, &l, &m, &o, &c, st), PESIM_OK);
    EXPECT_TRUE(c.valid) << c.reason;
    int64_t sum = c.compute_cycles;
    for (int s = 0; s < PESIM_STALL_COUNT; s++) sum += c.stall_cycles[s];
    EXPECT_EQ(sum, c.cycles);
    pesim_cost cm;
    EXPECT_EQ(pesim_model_evaluate(&a, &l, &m, &cm), PESIM_OK);
    EXPECT_LE(cm.cycles, c.cycles);
    return c;
}

TEST(EngineDetail, DramPortPacesBursts)
{
    pesim_engine_stats s0, s2;
    // No port (as DramReadsInFlight traces it): the weights' four bursts are
    // accepted at 0, ACT at 1, RDs at 4-7, data done at 10; the inputs' arrive
    // at 11 (same bank, another row): PRE 12, ACT 15, RDs 18-21, done at 24.
    // Compute 24-56, the output's write 56-66.
    pesim_cost c0 = run_port(0, 0, &s0);
    EXPECT_EQ(c0.cycles, 66);
    // Read port 2 words a cycle: the weights' bursts enter at 0, 4, 8, 12 (the
    // 16 bytes before each crossed at 4 bytes a cycle); ACT 1, RDs 4, 5, 9, 13:
    // done at 16, the port's end 0 + 64 / 4 = 16 too. The inputs' first burst
    // arrives the cycle after that data, 17, the rest at 21, 25, 29: PRE 18,
    // ACT 21, RDs 24, 25, 26, 30: done at 33 (the port's end 17 + 16). Compute
    // 33-65, the write (its port is unlimited) 65-75.
    pesim_cost c2 = run_port(2, 0, &s2);
    EXPECT_EQ(c2.cycles, 75);
    EXPECT_EQ(c2.compute_cycles, 32);
    EXPECT_EQ(s2.dram_reads, 8);
    EXPECT_EQ(s2.dram_writes, 1);
    EXPECT_EQ(s2.dram_act, s0.dram_act);
    EXPECT_GT(c2.stall_cycles[PESIM_STALL_DRAM_BW], c0.stall_cycles[PESIM_STALL_DRAM_BW]);
    // The write port is the write's: 2 bytes at 1 word a cycle take a cycle,
    // hidden behind the write's own latency. A read port of 1 word a cycle
    // doubles the crossing: the weights' bursts enter at 0, 8, 16, 24 (RD 25,
    // data done at 28) and the port holds the stream to 0 + 64 / 2 = 32; the
    // inputs' enter at 32, 40, 48, 56 (PRE 33, ACT 36, RDs 39, 41, 49, 57: data
    // done at 60), the port's end 64. Compute 64-96, the write 96-106.
    EXPECT_EQ(run_port(2, 1, nullptr).cycles, 75);
    EXPECT_EQ(run_port(1, 0, nullptr).cycles, 106);
}

// A port at or above the DRAM's peak (8 words = 16 bytes a cycle here) lets
// the bursts in no later than the timing serves them: nothing changes.
TEST(EngineDetail, DramPortAboveTheTimingChangesNothing)
{
    pesim_engine_stats s0, s8, s100;
    pesim_cost c0 = run_port(0, 0, &s0), c8 = run_port(8, 8, &s8), c100 = run_port(100, 100, &s100);
    EXPECT_EQ(c8.cycles, c0.cycles);
    EXPECT_EQ(c100.cycles, c0.cycles);
    EXPECT_EQ(memcmp(c8.stall_cycles, c0.stall_cycles, sizeof c0.stall_cycles), 0);
    EXPECT_EQ(memcmp(c100.stall_cycles, c0.stall_cycles, sizeof c0.stall_cycles), 0);
    EXPECT_EQ(s8.dram_act, s0.dram_act);
    EXPECT_EQ(s8.dram_row_hits, s0.dram_row_hits);
}

// VTA's memory bandwidth as ARCO's space varies it (configs/experiments/
// vta_arco.cfg, mem_bw: the DRAM port 8/16/32 words a cycle with 1/2/4
// channels) changes the cycles of resnet18's res3a_branch2a at cycle level
// (default mapper), and the port alone does: 16 words a cycle on the one
// channel is faster than VTA's 8.
TEST(EngineDetail, VtaMemBwThePortSetsTheBandwidth)
{
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/vta.cfg", &a, &e), PESIM_OK) << e.msg;
    pesim_layer l = test_layer(1, 1, 128, 64, 28, 28, 3, 3, 2);
    pesim_mapping m;
    ASSERT_EQ(pesim_mapper_default(&a, &l, &m, &e), PESIM_OK) << e.msg;
    pesim_level &d = a.level[a.n_levels - 1];
    ASSERT_TRUE(d.is_dram);
    ASSERT_EQ(d.read_words_per_cycle, 8.0);
    auto cycles = [&](double port, int channels) {
        pesim_arch b = a;
        b.level[b.n_levels - 1].read_words_per_cycle = b.level[b.n_levels - 1].write_words_per_cycle = port;
        b.level[b.n_levels - 1].dram.channels = channels;
        return run_engine(b, l, m).cycles;
    };
    const int64_t c8 = cycles(8, 1), c16 = cycles(16, 2), c32 = cycles(32, 4);
    printf("vta res3a_branch2a: mem_bw 8/1 %lld, 16/2 %lld, 32/4 %lld cycles\n", (long long)c8, (long long)c16,
           (long long)c32);
    EXPECT_GT(c8, c16);
    EXPECT_GT(c16, c32);
    EXPECT_LT(cycles(16, 1), c8);
    EXPECT_EQ(cycles(8, 4), c8) << "the port binds, not the channels";
}

// Bank conflicts traced by hand (docs/engine.md "Banks"). C = 3 in L0, P = 3
// blocks in L1; L0 keeps only the inputs (two tile slots, access latency 1),
// reads 2 words a cycle (accesses 2 lines wide) and writes 1 (1 line wide);
// the weights and outputs stream from L1, which is unlimited. Each block
// fills 3 input words into L0 (3 write accesses) and its compute reads them
// back (2 read accesses, over 3 steps). Block b + 1's fill comes after block
// b's compute in program order: the compute's reads are the older stream.
TEST(EngineDetail, BankConflictsMoreBanksRelieve)
{
    pesim_layer l = test_layer(1, 1, 1, 3, 3, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 3;
    m.level[1].temporal[PESIM_DIM_P] = 3;
    pesim_arch a = two_level(1, 1);
    pesim_level &v = a.level[0];
    v.keeps[PESIM_WEIGHTS] = v.keeps[PESIM_OUTPUTS] = 0;
    v.read_words_per_cycle = 2, v.write_words_per_cycle = 1;
    v.latency_cycles = 1, v.tile_slots = 2;
    // banks = 1, one shared port:
    //   b0: fill 0-3; compute from 3 + 1 (the first access latency) 4-7, its
    //       reads hold the port 4-6.
    //   b1: the fill (room at once: two slots) waits for the port: 6-9; compute 9-12 (port 9-11).
    //   b2: the fill (room after b0's compute, 7) waits for the port: 11-14; compute 14-17.
    // banks = 2: a read access (2 lines) takes both banks.
    //   b0: as above, reads on cycles 4 and 5.
    //   b1: the fill from 3 (the write side is free): cycle 3 bank 0, then it
    //       loses 4 and 5 to the reads, banks 1 and 0 on 6 and 7: done at 8;
    //       compute 8-11 (reads on 8 and 9).
    //   b2: the fill from 8 loses 8 and 9, writes on 10, 11, 12: done at 13; compute 13-16.
    // banks = 4: the reads take groups {0,1} then {2,3}.
    //   b1: the fill: cycle 3 bank 0 (no read yet); 4: bank 1 meets {0,1}, lost;
    //       5: bank 1 beside {2,3}; 6: bank 2: done at 7. Compute 7-10 (reads on 7, 8).
    //   b2: the fill from 7 (room after b0's compute, 7): 7: bank 0 meets {0,1},
    //       lost; 8, 9, 10: banks 0, 1, 2 beside {2,3} and then alone: done at 11;
    //       compute 11-14.
    const int banks[3] = {1, 2, 4};
    const int64_t want[3] = {17, 16, 14};
    for (int i = 0; i < 3; i++) {
        v.banks = banks[i];
        pesim_cost c = run_engine(a, l, m);
        EXPECT_EQ(c.cycles, want[i]) << banks[i] << " banks";
        EXPECT_EQ(c.compute_cycles, 9);
        int64_t sum = c.compute_cycles;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) sum += c.stall_cycles[s];
        EXPECT_EQ(sum, c.cycles);
        pesim_cost b; // the analytical bound ignores bank conflicts: still a lower bound
        ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &b), PESIM_OK);
        EXPECT_LE(b.cycles, c.cycles);
    }
    // banks = 4, b2 waited 10-11 for a fill that waited for no resource and
    // lost a cycle in the banks: bank_conflict; banks = 1: the shared port
    v.banks = 4;
    EXPECT_EQ(run_engine(a, l, m).stall_cycles[PESIM_STALL_BANK_CONFLICT], 1);
    v.banks = 1;
    EXPECT_GT(run_engine(a, l, m).stall_cycles[PESIM_STALL_BANK_CONFLICT], 0);
}

// Banked levels (docs/engine.md "Banks"): 600 random machines whose on-chip
// levels have 2, 3, 4 or 8 banks, lines of 1 or 2 words and random rates. The
// analytical bound ignores bank conflicts, which only add cycles: the
// invariants hold, and the conflicts show as bank_conflict stalls on many.
TEST(EngineDetail, PropertyBankedLevelsStayAboveTheBound)
{
    int checked = 0, conflicts = 0;
    for (int seed = 1; seed <= 600; seed++) {
        TestRng rng(seed + 9191);
        int levels = (int)rng.uni(2, 4);
        pesim_arch a = test_arch(rng, levels);
        static const double rates[] = {0, 1, 2, 4, 0.5, 3};
        static const int banks[] = {2, 3, 4, 8};
        for (int lv = 0; lv + 1 < levels; lv++) {
            pesim_level &v = a.level[lv];
            v.read_words_per_cycle = rates[rng.uni(0, 5)];
            v.write_words_per_cycle = rates[rng.uni(0, 5)];
            v.latency_cycles = (int)rng.uni(0, 2);
            v.banks = banks[rng.uni(0, 3)], v.block_words = (int)rng.uni(1, 2), v.ports = (int)rng.uni(1, 2);
            v.tile_slots = (int)rng.uni(1, 3);
        }
        pesim_level &top = a.level[levels - 1];
        top.is_dram = 1;
        pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram);
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 4),
                                   rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_cost ce;
        check_invariants(a, l, m, seed, &ce);
        if (HasFatalFailure()) return;
        if (!ce.valid) continue;
        conflicts += ce.stall_cycles[PESIM_STALL_BANK_CONFLICT] > 0;
        checked++;
    }
    EXPECT_GT(checked, 300);
    EXPECT_GT(conflicts, 50);
}

// Runs the engine without refresh; whether it ran and the mapping was valid.
static bool run_no_refresh(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, pesim_cost *c,
                           pesim_engine_stats *s)
{
    pesim_engine_options o;
    memset(&o, 0, sizeof o);
    o.no_refresh = 1;
    return pesim_engine_run(&a, &l, &m, &o, c, s) == PESIM_OK && c->valid;
}

// Operand streams straight from DRAM read each tensor from its own region
// (docs/engine.md, "DRAM address layout"): L0 keeps only the output, the MAC
// array streams 8 weights and 8 inputs (one 16-byte burst each) from DRAM. The
// weights' region and the inputs' start on MiB boundaries, which dram_arch's
// organisation maps to the same bank, another row: the inputs' burst is a row
// conflict (ACT for the weights, PRE + ACT for the inputs), and so is the
// output's write at the end (the outputs' region): 2 conflicts, no hit. In one
// region, as before, the two reads were one transfer of two bursts in one row:
// a miss and a hit, then the write's conflict.
TEST(EngineDetail, DramStreamsReadTheirOwnRegions)
{
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 8;
    pesim_arch a = dram_arch(1);
    a.level[0].keeps[PESIM_WEIGHTS] = a.level[0].keeps[PESIM_INPUTS] = 0;
    pesim_cost c;
    pesim_engine_stats s;
    ASSERT_TRUE(run_no_refresh(a, l, m, &c, &s)) << c.reason;
    EXPECT_EQ(s.dram_reads, 2);
    EXPECT_EQ(s.dram_row_conflicts, 2);
    EXPECT_EQ(s.dram_row_hits, 0);
    EXPECT_EQ(s.dram_row_misses, 1);
}

// Partial sums streamed straight from DRAM are read from the outputs' region
// (docs/engine.md, "DRAM"): L0 keeps the weights and inputs, the MAC array
// reads and updates its outputs in DRAM. K 2, C 8: two blocks (L1's K loop),
// each 8 steps on one output word: 7 partial-sum reads and 8 updates, one
// 16-byte burst each. The default map (rorabacobgch) puts a region's first
// burst in bank group 0 and its second in bank group 1; the three regions
// start on MiB boundaries: one bank, three rows. The inputs' and outputs'
// regions are one burst long (the cursor wraps to 0). Block 0: the weights'
// fill (burst 0) is a miss, the inputs' a conflict, the partial sums' read a
// conflict (outputs' row), their write a hit. Block 1 (new weights, same
// inputs): the weights' fill (burst 1, bank group 1) a miss, the read and the
// write hits. 2 misses, 2 conflicts, 3 hits. Charged to the inputs' region (as
// before), block 0's read hit the inputs' row and the write conflicted, block
// 1's read and write conflicted: 2 misses, 4 conflicts, 1 hit.
TEST(EngineDetail, DramPartialSumsReadTheOutputsRegion)
{
    pesim_layer l = test_layer(1, 1, 2, 8, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 8;
    m.level[1].temporal[PESIM_DIM_K] = 2;
    pesim_arch a = dram_arch(1);
    a.level[0].keeps[PESIM_OUTPUTS] = 0;
    pesim_cost c;
    pesim_engine_stats s;
    ASSERT_TRUE(run_no_refresh(a, l, m, &c, &s)) << c.reason;
    EXPECT_EQ(c.access[1][PESIM_OUTPUTS].reads, 14);
    EXPECT_EQ(c.access[1][PESIM_OUTPUTS].updates, 16);
    EXPECT_EQ(s.dram_reads, 5);
    EXPECT_EQ(s.dram_writes, 2);
    EXPECT_EQ(s.dram_row_misses, 2);
    EXPECT_EQ(s.dram_row_conflicts, 2);
    EXPECT_EQ(s.dram_row_hits, 3);
}

// What a run reads from DRAM in one layout and order: its read bursts, row
// misses, conflicts and hits; one write burst (the flush).
struct LayoutWant {
    int layout, order;
    int64_t reads, misses, conflicts, hits;
};

static void expect_dram_per_layout(pesim_arch a, const pesim_layer &l, const pesim_mapping &m, const LayoutWant *want,
                                   int n)
{
    for (int i = 0; i < n; i++) {
        const LayoutWant &w = want[i];
        a.level[1].dram.layout = w.layout, a.level[1].dram.order = w.order;
        pesim_cost c;
        pesim_engine_stats s;
        ASSERT_TRUE(run_no_refresh(a, l, m, &c, &s)) << c.reason;
        SCOPED_TRACE(std::string(pesim_dram_layout_name((pesim_dram_layout_kind)w.layout)) + " " +
                     pesim_dram_order_name((pesim_dram_order)w.order));
        EXPECT_EQ(s.dram_reads, w.reads);
        EXPECT_EQ(s.dram_writes, 1);
        EXPECT_EQ(s.dram_row_misses, w.misses);
        EXPECT_EQ(s.dram_row_conflicts, w.conflicts);
        EXPECT_EQ(s.dram_row_hits, w.hits);
    }
}

// The C-tiles of DramRowMajorReadsTheTilesBoxes: L0 temporal C 4, Q 2; the
// DRAM's loop C 2.
static pesim_mapping c_tiles_mapping()
{
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 4;
    m.level[0].temporal[PESIM_DIM_Q] = 2;
    m.level[1].temporal[PESIM_DIM_C] = 2;
    return m;
}

// A row-major layout (docs/engine.md, "DRAM address layout"): a transfer
// reads the bursts its tile's box covers. A 1 x 1 conv, C 8, Q 2 (K, P, R, S
// 1), 16-bit words, dram_arch's 16-byte bursts (8 words); L0 (keeps all)
// holds C 4 x Q 2 (temporal C 4, Q 2), DRAM's loop C 2: blocks c = 0, 1. The
// regions start on MiB boundaries: weights 0, inputs 1 MiB, outputs 2 MiB,
// one bank (the default map rorabacobgch: bursts 0 and 32 in bank group 0,
// 16 and 48 in bank group 1), three rows.
// - Tile-major (the default): a weights tile is 4 words, an inputs tile 8,
//   one burst each, the next of the region (the weights' region is one burst,
//   the cursor wraps): W+0, I+0, then W+0, I+16; the flush O+0: 4 reads, 1
//   write. W+0 (bg 0) miss, I+0 (bg 0) conflict; W+0 conflict, I+16 (bg 1)
//   miss; O+0 (bg 0, row W open) conflict: 2 misses, 3 conflicts, no hit.
// - Row-major NHWC (inputs N H W G C = 1 1 2 1 8, weights G K R S C = 1 1 1 1
//   8): the input tile c is W [0, 2) x C [4c, 4c + 4): two runs of 4 words
//   (8 bytes), at words 4c and 8 + 4c: bytes 0-7 and 16-23 (c = 0), 8-15 and
//   24-31 (c = 1): bursts I+0, I+16 for each tile; the weights' tile c is
//   words 4c .. 4c + 3, bytes 8c .. 8c + 7: burst W+0 both times. 6 reads:
//   block 0 W+0 (bg 0) miss, I+0 (bg 0) conflict, I+16 (bg 1) miss; block 1
//   W+0 (bg 0, row I open) conflict, I+0 conflict, I+16 (bg 1, row I open)
//   hit; the flush O+0 (the whole 2-word output tile, bg 0, row I) conflict:
//   2 misses, 4 conflicts, 1 hit.
// - Row-major NCHW (N G C H W = 1 1 8 1 2): the tile c is channels 4c ..
//   4c + 3 with H and W whole: one run of 8 words, bytes 16c .. 16c + 15:
//   I+0, then I+16; the weights (KCRS, R S 1) as above. 4 reads: W+0 miss,
//   I+0 conflict; W+0 conflict, I+16 (bg 1) miss; O+0 (bg 0, row W) conflict:
//   2 misses, 3 conflicts, no hit.
TEST(EngineDetail, DramRowMajorReadsTheTilesBoxes)
{
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 2, 1, 1);
    pesim_mapping m = c_tiles_mapping();
    pesim_arch a = dram_arch(1);
    a.word_bits = 16;
    const LayoutWant want[] = {{PESIM_DRAM_TILE_MAJOR, PESIM_DRAM_NHWC, 4, 2, 3, 0},
                               {PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NHWC, 6, 2, 4, 1},
                               {PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NCHW, 4, 2, 3, 0}};
    expect_dram_per_layout(a, l, m, want, 3);
}

// The layout keys of the dram group: read, written back only when not the
// default, and a bad value is an error naming the key.
TEST(EngineDetail, DramLayoutKeysLoadAndWriteBack)
{
    const char *text = "arch = { name = \"t\"; word_bits = 8; clock_mhz = 1000.0;\n"
                       "  levels = ( { name = \"RF\"; },\n"
                       "    { name = \"DRAM\"; dram = { preset = \"ddr4-3200\"; layout = \"row_major\"; "
                       "order = \"nchw\"; }; } ); };\n";
    pesim_arch a, b;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load_string(text, "t.cfg", &a, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(a.level[1].dram.layout, PESIM_DRAM_ROW_MAJOR);
    EXPECT_EQ(a.level[1].dram.order, PESIM_DRAM_NCHW);
    std::string path = ::testing::TempDir() + "engine_detail_layout.cfg";
    ASSERT_EQ(pesim_arch_write(path.c_str(), &a, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_arch_load(path.c_str(), &b, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(b.level[1].dram.layout, PESIM_DRAM_ROW_MAJOR);
    EXPECT_EQ(b.level[1].dram.order, PESIM_DRAM_NCHW);
    // the defaults are not written
    a.level[1].dram.layout = PESIM_DRAM_TILE_MAJOR, a.level[1].dram.order = PESIM_DRAM_NHWC;
    ASSERT_EQ(pesim_arch_write(path.c_str(), &a, &e), PESIM_OK) << e.msg;
    FILE *f = fopen(path.c_str(), "r");
    ASSERT_TRUE(f);
    std::string written;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) written.append(buf, n);
    fclose(f);
    EXPECT_EQ(written.find("layout"), std::string::npos);
    EXPECT_EQ(written.find("order"), std::string::npos);
    std::remove(path.c_str());
    for (const char *bad_value : {"layout = \"row_major\";", "order = \"nchw\";"}) {
        std::string bad(text), key = std::string(bad_value).substr(0, std::string(bad_value).find(' '));
        bad.replace(bad.find(bad_value), strlen(bad_value), key + " = \"columns\";");
        ASSERT_NE(pesim_arch_load_string(bad.c_str(), "t.cfg", &a, &e), PESIM_OK) << key;
        EXPECT_EQ(std::string(e.key), "levels.[DRAM].dram." + key);
        EXPECT_EQ(e.line, 3) << e.msg;
        EXPECT_NE(std::string(e.msg).find("columns"), std::string::npos) << e.msg;
    }
}

// Row-major boxes enclose what the model counts: with no padding (the only
// rows a box leaves out) and stride 1 (a window's rows are then one block, so
// its box is exact and an advance's new rows are past the previous box), the
// bytes of the bursts a row-major run reads from DRAM are at least the words
// the model reads there, on 400 random machines and mappings. A box that
// missed part of a tile's union, or an advance that dropped new rows, would
// read fewer. (With stride 2 the enclosing box reads the rows between, and a
// later window finds them read: fewer bytes than counted, by design.) Cases
// where the MAC array streams an operand straight from DRAM are left out: a
// stream reads step by step and re-reads of one burst by consecutive steps
// merge (EngineDetail.DramRowMajorStreamsReadTheirSteps).
TEST(EngineDetail, PropertyRowMajorBoxesEncloseTheCountedWords)
{
    int checked = 0;
    for (int seed = 1; seed <= 400; seed++) {
        TestRng rng(seed + 4242);
        int levels = (int)rng.uni(2, 4);
        pesim_arch a = test_arch(rng, levels);
        pesim_level &top = a.level[levels - 1];
        top.is_dram = 1;
        pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram);
        top.dram.layout = PESIM_DRAM_ROW_MAJOR;
        top.dram.order = rng.coin(50) ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 4),
                                   rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_cost c;
        pesim_engine_stats s;
        if (!run_no_refresh(a, l, m, &c, &s)) continue;
        /* an operand the MAC array streams straight from DRAM reads step by step, and
         * consecutive steps that read one burst read it once: fewer bytes than counted */
        bool streams = false;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            bool kept = false;
            for (int lv = 0; lv < levels - 1; lv++) kept |= pesim_mapping_keeps(&a, &m, lv, (pesim_tensor)t) != 0;
            streams |= !kept;
        }
        if (streams) continue;
        int64_t words = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) words += c.access[levels - 1][t].reads;
        int64_t bytes = s.dram_reads * (int64_t)pesim_dram_burst_bytes(&top.dram);
        EXPECT_GE(bytes, words * pesim_arch_word_bytes(&a)) << "seed " << seed;
        checked++;
    }
    EXPECT_GT(checked, 150);
}

// The MAC array's operand stream straight from DRAM under row-major
// (docs/engine.md, "DRAM address layout"): step by step, the bursts of the
// lanes' box, a burst equal to the previous one not read again. A 1 x 1
// conv, C 4, Q 4 (K, P, R, S 1), 16-bit words, dram_arch's 16-byte bursts (8
// words). L0 keeps the weights and the outputs, not the inputs: one block
// (no DRAM loop) of 16 steps, L0's temporal C 4 outside Q 4 (the default
// order G N K C P Q R S, outermost first): steps (c, q), q fastest. The
// regions start on MiB boundaries (weights 0, inputs 1 MiB, outputs 2 MiB):
// one bank per bank group, three rows; bursts I+0 in bank group 0 (with W+0
// and O+0), I+16 in bank group 1.
// - Tile-major: the weights' fill W+0 (4 words, miss), the stream's 16 words
//   (32 bytes): I+0 (bank group 0, row W open: conflict), I+16 (miss); the
//   flush O+0 (4 words, bank group 0, row I: conflict). 3 reads, 2 misses,
//   2 conflicts, no hit.
// - Row-major NHWC (inputs N H W G C = 1 1 4 1 4: (q, c) at word 4q + c):
//   step (c, q) reads word 4q + c, burst I+0 for q 0-1, I+16 for q 2-3: per
//   c, I+0 I+0 I+16 I+16; merged, I+0 I+16 four times: 8 reads. W+0 miss,
//   I+0 conflict, I+16 miss, 6 hits, O+0 conflict: 9 reads, 2 misses, 2
//   conflicts, 6 hits.
// - Row-major NCHW (N G C H W = 1 1 4 1 4: word 4c + q): c 0-1 read I+0,
//   c 2-3 I+16: merged, I+0 I+16: 3 reads, as tile-major.
TEST(EngineDetail, DramRowMajorStreamsReadTheirSteps)
{
    pesim_layer l = test_layer(1, 1, 1, 4, 1, 4, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 4;
    m.level[0].temporal[PESIM_DIM_Q] = 4;
    pesim_arch a = dram_arch(1);
    a.word_bits = 16;
    a.level[0].keeps[PESIM_INPUTS] = 0;
    const LayoutWant want[] = {{PESIM_DRAM_TILE_MAJOR, PESIM_DRAM_NHWC, 3, 2, 2, 0},
                               {PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NHWC, 9, 2, 2, 6},
                               {PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NCHW, 3, 2, 2, 0}};
    expect_dram_per_layout(a, l, m, want, 3);
    pesim_cost c;
    ASSERT_TRUE(run_no_refresh(a, l, m, &c, nullptr)) << c.reason;
    EXPECT_EQ(c.access[1][PESIM_INPUTS].reads, 16); /* the stream's words, whatever the layout */
}

// Under row-major the DRAM port carries the bursts a transfer issues, an
// enclosing box's over-fetch included (docs/engine.md, "DRAM port"). The
// layer, mapping and layout of DramRowMajorReadsTheTilesBoxes with a read
// port of 0.25 words (0.5 bytes) a cycle: a 16-byte burst crosses it in 32
// cycles, longer than any burst's DRAM latency (a row conflict's PRE, ACT,
// CL and burst: about 10), so each read lasts its port span and the reads
// follow one another on the one DMA stream (one read in flight); the rest
// (compute, the flush's write, its port unlimited) is the same in every
// layout. Per block, tile-major moves the weights' 4 words (8 bytes: 16
// cycles) and the inputs' 8 (16 bytes: 32 cycles). Row-major NHWC issues
// one burst for the weights (32 cycles, +16) and two for the inputs (each
// C-tile cuts the innermost dim: 64 cycles, +32): +48 a block, +96 over the
// two blocks. NCHW: the weights' burst +16, the inputs' one burst as
// tile-major: +32.
TEST(EngineDetail, DramRowMajorPortCarriesTheBursts)
{
    pesim_layer l = test_layer(1, 1, 1, 8, 1, 2, 1, 1);
    pesim_mapping m = c_tiles_mapping();
    pesim_arch a = dram_arch(1);
    a.word_bits = 16;
    a.level[1].read_words_per_cycle = 0.25;
    auto run = [&](int layout, int order) {
        a.level[1].dram.layout = layout, a.level[1].dram.order = order;
        pesim_cost c;
        pesim_engine_stats s;
        EXPECT_TRUE(run_no_refresh(a, l, m, &c, &s)) << c.reason;
        return c.cycles;
    };
    const int64_t tile = run(PESIM_DRAM_TILE_MAJOR, PESIM_DRAM_NHWC);
    EXPECT_EQ(run(PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NHWC) - tile, 96);
    EXPECT_EQ(run(PESIM_DRAM_ROW_MAJOR, PESIM_DRAM_NCHW) - tile, 32);
}

// A partial-sum stream straight from DRAM under row-major: a step reads its
// output word back only when a reduction loop has left 0 (here the inner C),
// and writes it every step. K 16, C 2 (1 x 1), 16-bit words, 16-byte bursts
// (8 words): L0 keeps the weights and the inputs, the MAC array reads and
// updates the outputs in DRAM. One block; L0's loops C 2 outside K 16 (order
// C K ...): steps (c, k), k fastest. Outputs N P Q G K = 1 1 1 1 16: word k,
// bursts O+0 (k 0-7) and O+16 (k 8-15). Reads: c = 0 reads nothing, c = 1
// reads k 0-15: O+0, O+16 (merged within each): 2 bursts (4 if c = 0 read
// too). Writes: O+0, O+16 for c = 0, again for c = 1: 4 bursts. The weights'
// fill (G K R S C: all 32 words, 64 bytes) 4 bursts and the inputs' (2
// words) 1: 7 reads, 4 writes.
TEST(EngineDetail, DramRowMajorPartialSumStreamReadsAfterTheFirstStep)
{
    pesim_layer l = test_layer(1, 1, 16, 2, 1, 1, 1, 1);
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    m.level[0].temporal[PESIM_DIM_C] = 2;
    m.level[0].temporal[PESIM_DIM_K] = 16;
    const uint8_t order[PESIM_NDIMS] = {PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_G, PESIM_DIM_N,
                                        PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_R, PESIM_DIM_S};
    memcpy(m.level[0].order, order, sizeof order);
    pesim_arch a = dram_arch(1);
    a.word_bits = 16;
    a.level[0].keeps[PESIM_OUTPUTS] = 0;
    a.level[1].dram.layout = PESIM_DRAM_ROW_MAJOR;
    pesim_cost c;
    pesim_engine_stats s;
    ASSERT_TRUE(run_no_refresh(a, l, m, &c, &s)) << c.reason;
    EXPECT_EQ(c.access[1][PESIM_OUTPUTS].reads, 16);
    EXPECT_EQ(c.access[1][PESIM_OUTPUTS].updates, 32);
    EXPECT_EQ(s.dram_reads, 7);
    EXPECT_EQ(s.dram_writes, 4);
}

// A concat's copies under the row-major layout (docs/engine.md, "DRAM address
// layout"), in a whole network on tiny.cfg (16-bit words, DDR4 64-byte
// bursts): two 1 x 1 convs of 16 channels over a 4 x 4 input live in the GLB
// and are copied into a concat output of 32 channels in DRAM (weights
// preloaded in the GLB, so the copies are the only DRAM writes; the input's
// load from its image, 4 x 16 words = 128 bytes, the only reads: 2 bursts in
// every layout). Tile-major, each copy writes its 16 x 16 words = 512 bytes
// as 8 consecutive bursts: 16 writes. NHWC: a pixel of the output is 32
// channels = 64 bytes, one burst; each copy writes 32 bytes of every one of
// the 16 pixels, 16 bursts each: 32 writes. NCHW (one image): each copy's 16
// channel planes of 32 bytes are 512 contiguous bytes: 8 bursts each, 16.
TEST(EngineDetail, DramRowMajorConcatCopiesWriteTheirSlices)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/tiny.cfg", &a, &e), PESIM_OK) << e.msg;
    const char *text =
        "network = { name = \"cat\"; input = { c = 4; h = 4; w = 4; }; layers = (\n"
        "  { name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; k = 16; c = 4; p = 4; q = 4; },\n"
        "  { name = \"b\"; type = \"conv\"; inputs = [ \"input\" ]; k = 16; c = 4; p = 4; q = 4; },\n"
        "  { name = \"cat\"; type = \"concat\"; inputs = [ \"a\", \"b\" ]; k = 32; p = 4; q = 4; }\n"
        "); };\n";
    ASSERT_EQ(pesim_network_load_string(text, "cat.cfg", &net, &e), PESIM_OK) << e.msg;
    const int top = a.n_levels - 1;
    int64_t writes[3], reads[3];
    for (int v = 0; v < 3; v++) {
        a.level[top].dram.layout = v == 0 ? PESIM_DRAM_TILE_MAJOR : PESIM_DRAM_ROW_MAJOR;
        a.level[top].dram.order = v == 2 ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
        pesim_net_options o{};
        o.preload_weights = 1;
        pesim_net *n = nullptr;
        ASSERT_EQ(pesim_net_create(&a, &net, &o, &n, &e), PESIM_OK) << e.msg;
        pesim_placement p{};
        ASSERT_EQ(pesim_net_place_outermost(n, &p, &e), PESIM_OK) << e.msg;
        p.input_level = 1;
        p.weights_level[0] = p.weights_level[1] = 1;
        p.outputs_level[0] = p.outputs_level[1] = 1;
        p.outputs_level[2] = top;
        const pesim_net_result *r;
        ASSERT_EQ(pesim_net_run(n, &p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << e.msg;
        ASSERT_TRUE(r->valid) << r->reason;
        EXPECT_EQ(r->layer[2].copy_words, 512);
        writes[v] = r->stats.dram_writes, reads[v] = r->stats.dram_reads;
        pesim_placement_free(&p);
        pesim_net_destroy(n);
    }
    pesim_network_free(&net);
    EXPECT_EQ(writes[0], 16);
    EXPECT_EQ(writes[1], 32);
    EXPECT_EQ(writes[2], 16);
    for (int v = 0; v < 3; v++) EXPECT_EQ(reads[v], 2) << v;
}

// A pool's block under the row-major layout: 1 x 1 windows at stride 2 over
// a 4 x 4 network input of 16 channels in DRAM (tiny.cfg: 16-bit words,
// 64-byte bursts; the output in the GLB, one block of both output rows).
// The windows read rows 0 and 2, columns 0 and 2: 4 pixels of 16 channels =
// 32 bytes each. Tile-major: the 64 words counted, 128 bytes from the base,
// 2 bursts. NHWC: pixel (h, w) at byte 32 (4h + w): pixels 0, 2, 8, 10 at
// bytes 0, 64, 256, 320, one burst each: 4. NCHW: 16 planes of 32 bytes,
// every plane read (bytes 0, 4, 16, 20 of it), two planes a burst: 8.
TEST(EngineDetail, DramRowMajorPoolReadsItsWindowsRows)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load(PESIM_SOURCE_DIR "/configs/arch/tiny.cfg", &a, &e), PESIM_OK) << e.msg;
    const char *text =
        "network = { name = \"pool\"; input = { c = 16; h = 4; w = 4; }; layers = (\n"
        "  { name = \"pool\"; type = \"pool\"; inputs = [ \"input\" ]; k = 16; p = 2; q = 2; r = 1; s = 1;\n"
        "    stride = [ 2, 2 ]; }\n"
        "); };\n";
    ASSERT_EQ(pesim_network_load_string(text, "pool.cfg", &net, &e), PESIM_OK) << e.msg;
    const int top = a.n_levels - 1;
    int64_t reads[3];
    for (int v = 0; v < 3; v++) {
        a.level[top].dram.layout = v == 0 ? PESIM_DRAM_TILE_MAJOR : PESIM_DRAM_ROW_MAJOR;
        a.level[top].dram.order = v == 2 ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
        pesim_net_options o{};
        pesim_net *n = nullptr;
        ASSERT_EQ(pesim_net_create(&a, &net, &o, &n, &e), PESIM_OK) << e.msg;
        pesim_placement p{};
        ASSERT_EQ(pesim_net_place_outermost(n, &p, &e), PESIM_OK) << e.msg;
        p.input_level = top;
        p.outputs_level[0] = 1;
        const pesim_net_result *r;
        ASSERT_EQ(pesim_net_run(n, &p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << e.msg;
        ASSERT_TRUE(r->valid) << r->reason;
        EXPECT_EQ(r->layer[0].cost.access[top][PESIM_INPUTS].reads, 64);
        EXPECT_EQ(r->stats.dram_writes, 0);
        reads[v] = r->stats.dram_reads;
        pesim_placement_free(&p);
        pesim_net_destroy(n);
    }
    pesim_network_free(&net);
    EXPECT_EQ(reads[0], 2);
    EXPECT_EQ(reads[1], 4);
    EXPECT_EQ(reads[2], 8);
}
