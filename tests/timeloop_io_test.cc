// timeloop_io_test.cc - Timeloop specs in and out (sim/timeloop/, docs/timeloop.md):
// the public exercises import (tests/data/timeloop/, README there names the
// sources), each key becomes what the docs say, constructs pesim cannot
// represent are errors naming file, line and key, the CLI's `import
// timeloop` and `export timeloop`, and random mappings survive export and
// import unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli_run_util.h"
#include "test_util.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/model.h"
#include "pesim/timeloop.h"
}

namespace {

const std::string kData = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/";

std::string Ex(const std::string &exercise, const std::string &file) { return kData + exercise + "/" + file; }

struct Imported {
    pesim_arch arch;
    pesim_tl_problem prob;
    pesim_mapping map;
};

// Imports an exercise's arch (with its ERT), problem and one mapping.
::testing::AssertionResult Import(const std::string &ex, const std::string &arch, const std::string &prob,
                                  const std::string &map, Imported *out,
                                  pesim_tl_ert_rule rule = PESIM_TL_ERT_MAX)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_timeloop_load_arch(Ex(ex, "arch/" + arch).c_str(), Ex(ex, "ert/ERT.yaml").c_str(), rule, &out->arch,
                                 &e) != PESIM_OK)
        return ::testing::AssertionFailure() << "arch: " << e.file << ":" << e.line << ": " << e.key << ": " << e.msg;
    if (pesim_timeloop_load_problem(Ex(ex, "prob/" + prob).c_str(), &out->prob, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << "prob: " << e.file << ":" << e.line << ": " << e.key << ": " << e.msg;
    if (pesim_timeloop_load_mapping(Ex(ex, "map/" + map).c_str(), &out->arch, &out->prob, &out->map, &e) !=
        PESIM_OK)
        return ::testing::AssertionFailure() << "map: " << e.file << ":" << e.line << ": " << e.key << ": " << e.msg;
    if (pesim_mapping_check(&out->map, &out->arch, &out->prob.layer, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << "check: " << e.key << ": " << e.msg;
    return ::testing::AssertionSuccess();
}

// The loops of one level, outermost first, as "K16 P16" (factors > 1 only).
std::string Loops(const pesim_level_map &lm)
{
    std::string s;
    for (int i = 0; i < PESIM_NDIMS; i++) {
        int d = lm.order[i];
        if (lm.temporal[d] > 1)
            s += std::string(s.empty() ? "" : " ") + pesim_dim_name((pesim_dim)d) + std::to_string(lm.temporal[d]);
    }
    return s;
}

std::string Axis(const int64_t *f, const uint8_t *order)
{
    std::string s;
    for (int i = 0; i < PESIM_NDIMS; i++)
        if (f[order[i]] > 1)
            s += std::string(s.empty() ? "" : " ") + pesim_dim_name((pesim_dim)order[i]) + std::to_string(f[order[i]]);
    return s;
}

// ---------------------------------------------------------------- exercises

TEST(TimeloopExercises, OneLevelArchIsRefusedWithItsLine)
{
    // exercise 00: Timeloop's single Buffer is both the MACs' store and the
    // backing store; pesim's archs have at least two levels
    pesim_arch a;
    pesim_error e;
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_timeloop_load_arch(Ex("00-model-conv1d-1level", "arch/1level.arch.yaml").c_str(),
                                                          nullptr, PESIM_TL_ERT_MAX, &a, &e));
    EXPECT_EQ(10, e.line);
    EXPECT_STREQ("architecture.subtree.[PE].local.[Buffer]", e.key);
    EXPECT_STREQ("1 storage level: pesim needs at least 2 (a store next to the MACs and a backing store)", e.msg);
    // its problem and ERT are read all the same
    pesim_tl_problem p;
    ASSERT_EQ(PESIM_OK, pesim_timeloop_load_problem(Ex("00-model-conv1d-1level", "prob/conv1d.prob.yaml").c_str(), &p,
                                                    &e))
        << e.msg;
    EXPECT_EQ(3, p.layer.dim[PESIM_DIM_R]);
    EXPECT_EQ(16, p.layer.dim[PESIM_DIM_P]);
    EXPECT_STREQ("conv1d", p.layer.name);
}

TEST(TimeloopExercises, TwoLevelOutputAndWeightStationary)
{
    Imported os, ws;
    ASSERT_TRUE(Import("01-model-conv1d-2level", "2level.arch.yaml", "conv1d.prob.yaml", "conv1d-2level-os.map.yaml", &os));
    ASSERT_TRUE(Import("01-model-conv1d-2level", "2level.arch.yaml", "conv1d.prob.yaml", "conv1d-2level-ws.map.yaml", &ws));
    const pesim_arch &a = os.arch;
    ASSERT_EQ(2, a.n_levels);
    EXPECT_STREQ("System", a.name);
    EXPECT_EQ(PESIM_CONV_TIMELOOP, a.conventions);
    EXPECT_EQ(8, a.word_bits);
    EXPECT_STREQ("Buffer", a.level[0].name);
    EXPECT_EQ(64, a.level[0].capacity_words);       // depth 64 x block 1
    EXPECT_STREQ("MainMemory", a.level[1].name);
    EXPECT_EQ(0, a.level[1].capacity_words);        // the outermost store: unbounded
    EXPECT_EQ(0, a.level[1].is_dram);               // no DRAM timing
    EXPECT_EQ(0.0, a.level[1].read_words_per_cycle); // no bandwidth limit
    // ERT (v0.2 map form), rule max: the most expensive action over the block size
    EXPECT_DOUBLE_EQ(0.42, a.level[0].read_energy_pj);
    EXPECT_DOUBLE_EQ(0.42, a.level[0].write_energy_pj);
    EXPECT_DOUBLE_EQ(39.878 / 8, a.level[1].read_energy_pj); // width 64 / word-bits 8: block of 8
    EXPECT_DOUBLE_EQ(39.878 / 8, a.level[1].write_energy_pj);
    EXPECT_DOUBLE_EQ(0.603, a.mac_energy_pj);
    EXPECT_EQ("P16", Loops(os.map.level[1]));
    EXPECT_EQ("R3", Loops(os.map.level[0]));
    EXPECT_EQ("R3", Loops(ws.map.level[1]));
    EXPECT_EQ("P16", Loops(ws.map.level[0]));
    // the per-action rule: writes cost the write action
    Imported act;
    ASSERT_TRUE(Import("01-model-conv1d-2level", "2level.arch.yaml", "conv1d.prob.yaml", "conv1d-2level-os.map.yaml",
                       &act, PESIM_TL_ERT_ACTIONS));
    EXPECT_DOUBLE_EQ(39.878 / 8, act.arch.level[1].read_energy_pj);
    EXPECT_DOUBLE_EQ(32.398 / 8, act.arch.level[1].write_energy_pj);
}

TEST(TimeloopExercises, TwoLevelWithOutputChannels)
{
    Imported t, u;
    ASSERT_TRUE(Import("02-model-conv1d+oc-2level", "2level.arch.yaml", "conv1d+oc.prob.yaml",
                       "conv1d+oc-2level-os-tiled.map.yaml", &t));
    ASSERT_TRUE(Import("02-model-conv1d+oc-2level", "2level.arch.yaml", "conv1d+oc.prob.yaml",
                       "conv1d+oc-2level-os-untiled.map.yaml", &u));
    const pesim_layer &l = t.prob.layer;
    EXPECT_EQ(32, l.dim[PESIM_DIM_K]);
    EXPECT_EQ(3, l.dim[PESIM_DIM_R]);
    EXPECT_EQ(16, l.dim[PESIM_DIM_P]);
    EXPECT_STREQ("K", t.prob.dim_name[PESIM_DIM_K]);
    EXPECT_STREQ("", t.prob.dim_name[PESIM_DIM_C]);  // not in the problem
    EXPECT_EQ("K16 P16", Loops(t.map.level[1]));     // permutation PRK: K outermost
    EXPECT_EQ("K2 R3", Loops(t.map.level[0]));
    EXPECT_EQ("K32 P16", Loops(u.map.level[1]));
    EXPECT_DOUBLE_EQ(0.561, t.arch.mac_energy_pj);   // the v0.3 ERT of this folder
}

TEST(TimeloopExercises, ThreeLevelWithBypass)
{
    Imported nb, bp;
    ASSERT_TRUE(Import("03-model-conv1d+oc-3level", "3level.arch.yaml", "conv1d+oc.prob.yaml",
                       "conv1d+oc-3level-example.map.yaml", &nb));
    ASSERT_TRUE(Import("03-model-conv1d+oc-3level", "3level.arch.yaml", "conv1d+oc.prob.yaml",
                       "conv1d+oc-3level-bypass-example.map.yaml", &bp));
    const pesim_arch &a = bp.arch;
    ASSERT_EQ(3, a.n_levels);
    EXPECT_STREQ("RegisterFile", a.level[0].name);
    EXPECT_STREQ("GlobalBuffer", a.level[1].name);
    EXPECT_STREQ("MainMemory", a.level[2].name);
    EXPECT_EQ(262144, a.level[1].capacity_words);    // depth 8192 x n_words 32
    EXPECT_DOUBLE_EQ(102.865 / 32, a.level[1].read_energy_pj);
    EXPECT_DOUBLE_EQ(2048.0 / 32, a.level[2].read_energy_pj);
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        EXPECT_EQ(0, nb.map.level[0].bypass[t]);
        EXPECT_EQ(0, nb.map.level[1].bypass[t]);
    }
    // GlobalBuffer keeps weights and inputs; RegisterFile only outputs
    EXPECT_EQ(0, bp.map.level[1].bypass[PESIM_WEIGHTS]);
    EXPECT_EQ(0, bp.map.level[1].bypass[PESIM_INPUTS]);
    EXPECT_EQ(1, bp.map.level[1].bypass[PESIM_OUTPUTS]);
    EXPECT_EQ(1, bp.map.level[0].bypass[PESIM_WEIGHTS]);
    EXPECT_EQ(1, bp.map.level[0].bypass[PESIM_INPUTS]);
    EXPECT_EQ(0, bp.map.level[0].bypass[PESIM_OUTPUTS]);
    EXPECT_EQ("K16 P16", Loops(bp.map.level[1]));
    EXPECT_EQ("K2 R3", Loops(bp.map.level[0]));
}

TEST(TimeloopExercises, SpatialPartitioning)
{
    Imported cp, kp;
    ASSERT_TRUE(Import("04-model-conv1d+oc-3levelspatial", "3levelspatial.arch.yaml", "conv1d+oc+ic.prob.yaml",
                       "conv1d+oc+ic-3levelspatial-cp-ws.map.yaml", &cp));
    ASSERT_TRUE(Import("04-model-conv1d+oc-3levelspatial", "3levelspatial.arch.yaml", "conv1d+oc+ic.prob.yaml",
                       "conv1d+oc+ic-3levelspatial-kp-ws.map.yaml", &kp));
    const pesim_arch &a = cp.arch;
    ASSERT_EQ(3, a.n_levels);
    // RegisterFile[0..15] and MACC[0..15] under one GlobalBuffer: 16 on X
    EXPECT_EQ(16, a.level[1].fanout_x);
    EXPECT_EQ(1, a.level[1].fanout_y);
    EXPECT_EQ(1, a.level[0].fanout_x * a.level[0].fanout_y);
    EXPECT_EQ(16, pesim_arch_macs(&a));
    // ERT v0.3 (lists of actions with arguments): the max over arguments
    EXPECT_DOUBLE_EQ(0.42, a.level[0].read_energy_pj);
    EXPECT_DOUBLE_EQ(102.865 / 32, a.level[1].write_energy_pj);
    EXPECT_DOUBLE_EQ(64.0, a.level[2].write_energy_pj);
    EXPECT_DOUBLE_EQ(0.561, a.mac_energy_pj);
    EXPECT_EQ(32, cp.prob.layer.dim[PESIM_DIM_C]);
    EXPECT_EQ("C2 K32 R3", Loops(cp.map.level[1]));
    EXPECT_EQ("C16", Axis(cp.map.level[1].spatial_x, cp.map.level[1].order_x));
    EXPECT_EQ("C32 K2 R3", Loops(kp.map.level[1]));
    EXPECT_EQ("K16", Axis(kp.map.level[1].spatial_x, kp.map.level[1].order_x));
    EXPECT_EQ("P16", Loops(kp.map.level[0]));
}

TEST(TimeloopExercises, EyerissReferenceMappings)
{
    Imported st, mt;
    ASSERT_TRUE(Import("06-mapper-convlayer-eyeriss", "eyeriss-256.arch.yaml", "cnn-layer.prob.yaml",
                       "eyeriss-256-rs.stats.map.yaml", &st));
    ASSERT_TRUE(Import("06-mapper-convlayer-eyeriss", "eyeriss-256.arch.yaml", "cnn-layer.prob.yaml",
                       "eyeriss-256-rs.maptxt.map.yaml", &mt));
    const pesim_arch &a = st.arch;
    ASSERT_EQ(6, a.n_levels);
    const char *names[] = {"PsumRegFile", "WeightRegFile", "InputRegFile", "DummyBuffer", "GlobalBuffer", "DRAM"};
    for (int l = 0; l < 6; l++) EXPECT_STREQ(names[l], a.level[l].name);
    // GlobalBuffer (meshX 1) -> DummyBuffer[0..15] (meshX 16): 16 on X;
    // DummyBuffer (16 x 1) -> PE[0..255] (meshX 16, so 16 x 16): 16 on Y
    EXPECT_EQ(16, a.level[4].fanout_x);
    EXPECT_EQ(1, a.level[4].fanout_y);
    EXPECT_EQ(1, a.level[3].fanout_x);
    EXPECT_EQ(16, a.level[3].fanout_y);
    EXPECT_EQ(256, pesim_arch_macs(&a));
    EXPECT_EQ(16, a.word_bits);
    EXPECT_EQ(65536, a.level[4].capacity_words);  // depth 16384 x block 4
    EXPECT_DOUBLE_EQ(16.0, a.level[4].read_words_per_cycle);
    EXPECT_DOUBLE_EQ(2.0, a.level[0].write_words_per_cycle);
    EXPECT_DOUBLE_EQ(26.493 / 4, a.level[4].read_energy_pj);
    EXPECT_DOUBLE_EQ(512.0 / 4, a.level[5].read_energy_pj);
    EXPECT_DOUBLE_EQ(1.207, a.mac_energy_pj);
    // the problem: Timeloop's CNN-layer with K for M
    const pesim_layer &l = st.prob.layer;
    int64_t want[PESIM_NDIMS] = {1, 16, 512, 256, 56, 56, 3, 3};
    for (int d = 0; d < PESIM_NDIMS; d++) EXPECT_EQ(want[d], l.dim[d]) << pesim_dim_name((pesim_dim)d);
    // the mapping the stats file reports
    const pesim_mapping &m = st.map;
    EXPECT_EQ("Q14 N8 K4 C32", Loops(m.level[5]));
    EXPECT_EQ("K2 N2 P56", Loops(m.level[4]));
    EXPECT_EQ("K4 Q4", Axis(m.level[4].spatial_x, m.level[4].order_x));
    EXPECT_EQ("K2 C2 S3", Axis(m.level[3].spatial_y, m.level[3].order_y));
    EXPECT_EQ("R3 C4", Loops(m.level[1]));
    EXPECT_EQ("K8", Loops(m.level[0]));
    for (int t = 0; t < PESIM_NTENSORS; t++) EXPECT_EQ(1, m.level[3].bypass[t]);  // DummyBuffer keeps nothing
    EXPECT_EQ(1, m.level[4].bypass[PESIM_WEIGHTS]);
    EXPECT_EQ(0, m.level[0].bypass[PESIM_OUTPUTS]);
    EXPECT_EQ(1, m.level[0].bypass[PESIM_INPUTS]);
    // it evaluates; its MAC array holds 192 of 256 PEs busy (4 x 4 on X, 2 x 2 x 3 on Y)
    pesim_cost c;
    ASSERT_EQ(PESIM_OK, pesim_model_evaluate(&a, &l, &m, &c));
    EXPECT_TRUE(c.valid) << c.reason;
    EXPECT_EQ(192, c.spatial_used);
    EXPECT_EQ("K8 Q2", Axis(mt.map.level[4].spatial_x, mt.map.level[4].order_x));
    EXPECT_EQ("C4 S3", Axis(mt.map.level[3].spatial_y, mt.map.level[3].order_y));
}

}  // namespace
