// timeloop_io_test.cc - Timeloop specs in and out (sim/timeloop/, docs/timeloop.md):
// the public exercises import (tests/data/timeloop/, README there names the
// sources), each key becomes what the docs say, constructs pesim cannot
// represent are errors naming file, line and key, the CLI's `import
// timeloop` and `export timeloop`, and random mappings survive export and
// import unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
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
    EXPECT_STREQ("1 storage level: the importer needs at least 2 (a store next to the MACs and a backing store)", e.msg);
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
    // Timeloop's bandwidths are the instance's, pesim's rates per port (2 by default)
    EXPECT_EQ(2, a.level[4].ports);
    EXPECT_DOUBLE_EQ(16.0, pesim_level_read_words_per_cycle(&a.level[4]));
    EXPECT_DOUBLE_EQ(8.0, a.level[4].read_words_per_cycle);
    EXPECT_DOUBLE_EQ(2.0, pesim_level_write_words_per_cycle(&a.level[0]));
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

namespace {

// ---------------------------------------------------------------- architectures

pesim_status LoadArch(const std::string &text, pesim_arch *a, pesim_error *e, const char *ert = nullptr,
                      pesim_tl_ert_rule rule = PESIM_TL_ERT_MAX)
{
    return pesim_timeloop_load_arch_string(text.c_str(), "a.yaml", ert, "e.yaml", rule, a, e);
}

// Dataspace constraints become the levels' keeps: a data space a level's
// constraint bypasses is one it does not keep (a level may keep none: a pure
// fan-out, Timeloop's dummy_storage); `keep` lists and other constraint types
// change nothing; bad names fail at their line and key.
TEST(TimeloopArch, DataspaceConstraintsBecomeKeeps)
{
    const std::string arch = "architecture:\n  subtree:\n  - name: S\n    local:\n"
                             "    - {name: M, class: DRAM}\n"
                             "    - {name: G, class: SRAM, attributes: {depth: 64, word-bits: 8}}\n"
                             "    - {name: 'D[0..3]', class: dummy_storage, attributes: {depth: 1, word-bits: 8}}\n"
                             "    - {name: 'R[0..3]', class: regfile, attributes: {depth: 4, word-bits: 8}}\n"
                             "    - {name: 'X[0..3]', class: intmac}\n";  // lines 1-9
    const std::string cons = "architecture_constraints:\n  targets:\n"                             // 10-11
                             "  - {type: dataspace, target: G, keep: [Inputs], bypass: [Weights]}\n" // 12
                             "  - {type: temporal, target: G, factors: C=1}\n"                         // 13
                             "  - {type: dataspace, target: D, bypass: [Weights, Inputs, Outputs]}\n"  // 14
                             "  - {type: bypass, target: R, keep: [Weights], bypass: [outputs]}\n";   // 15
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadArch(arch + cons, &a, &e)) << e.msg;
    ASSERT_EQ(4, a.n_levels);
    const uint8_t want[4][PESIM_NTENSORS] = {{1, 1, 0}, {0, 0, 0}, {0, 1, 1}, {1, 1, 1}}; // R, D, G, M
    for (int L = 0; L < 4; L++)
        for (int t = 0; t < PESIM_NTENSORS; t++) EXPECT_EQ(want[L][t], a.level[L].keeps[t]) << a.level[L].name << t;
    // the same under mapspace_constraints, as a plain list
    std::string alt = cons;
    alt.replace(0, std::string("architecture_constraints:\n  targets:\n").size(), "mapspace_constraints:\n");
    ASSERT_EQ(PESIM_OK, LoadArch(arch + alt, &a, &e)) << e.msg;
    EXPECT_EQ(0, a.level[1].keeps[PESIM_INPUTS]);
    const struct {
        const char *line, *key, *msg;
    } bad[] = {
        {"  - {type: dataspace, target: G, bypass: [Psums]}\n", "architecture_constraints.targets.[G].bypass.[0]",
         "'Psums' is not a data space the constraints can name"},
        {"  - {type: dataspace, target: Q, bypass: [Inputs]}\n", "architecture_constraints.targets.[Q].target",
         "'Q' is not a storage level"},
        {"  - {type: dataspace, target: M, bypass: [Inputs]}\n", "architecture_constraints.targets.[M].bypass.[0]",
         "the outermost level (M) keeps every data space"},
    };
    for (const auto &b : bad) {
        std::string text = arch + "architecture_constraints:\n  targets:\n"  // lines 10-11, then 12-14
                           "  - {type: temporal, target: G}\n  - {type: temporal, target: G}\n"
                           "  - {type: temporal, target: G}\n" + b.line;                    // line 15
        EXPECT_EQ(PESIM_ERR_INVALID, LoadArch(text, &a, &e)) << b.line;
        EXPECT_EQ(15, e.line) << e.msg;
        EXPECT_STREQ(b.key, e.key) << e.msg;
        EXPECT_NE(nullptr, strstr(e.msg, b.msg)) << e.msg;
    }
}

TEST(TimeloopArch, V04NodesWithContainersAndParallelBranches)
{
    const char *text =
        "architecture:\n"
        "  version: 0.4\n"
        "  nodes:\n"
        "  - !Container\n"
        "    name: system\n"
        "    attributes: {datawidth: 8, global_cycle_seconds: 2e-9}\n"
        "  - !Component\n"
        "    name: DRAM\n"
        "    class: DRAM\n"
        "    attributes: {width: 64, block_size: 8}\n"
        "  - !Component\n"
        "    name: shared_glb\n"
        "    class: smartbuffer_SRAM\n"
        "    attributes: {depth: 2048, width: 64, block_size: 8, read_bandwidth: 16, write_bandwidth: 16}\n"
        "  - !Container\n"
        "    name: PE_column\n"
        "    spatial: {meshX: 14}\n"
        "  - !Container\n"
        "    name: PE\n"
        "    spatial: {meshY: 12}\n"
        "  - !Parallel\n"
        "    nodes:\n"
        "    - !Component\n"
        "      name: ifmap_spad\n"
        "      class: smartbuffer_RF\n"
        "      attributes: {depth: 12, width: 8}\n"
        "    - !Component\n"
        "      name: psum_spad\n"
        "      class: smartbuffer_RF\n"
        "      attributes: {depth: 16, width: 8, multiple-buffering: 2}\n"
        "  - !Component\n"
        "    name: mac\n"
        "    class: intmac\n"
        "    attributes: {}\n";
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadArch(text, &a, &e)) << e.line << ": " << e.key << ": " << e.msg;
    ASSERT_EQ(4, a.n_levels);
    EXPECT_STREQ("system", a.name);
    EXPECT_DOUBLE_EQ(500.0, a.clock_mhz);  // 2 ns a cycle
    EXPECT_EQ(8, a.word_bits);              // inherited from the container
    EXPECT_STREQ("psum_spad", a.level[0].name);
    EXPECT_STREQ("ifmap_spad", a.level[1].name);
    EXPECT_STREQ("shared_glb", a.level[2].name);
    EXPECT_STREQ("DRAM", a.level[3].name);
    EXPECT_EQ(14, a.level[2].fanout_x);
    EXPECT_EQ(12, a.level[2].fanout_y);
    EXPECT_EQ(1, a.level[1].fanout_x * a.level[1].fanout_y);
    EXPECT_EQ(168, pesim_arch_macs(&a));
    EXPECT_EQ(2048 * 8, a.level[2].capacity_words);
    EXPECT_EQ(2, a.level[0].tile_slots);
    EXPECT_DOUBLE_EQ(16.0, pesim_level_read_words_per_cycle(&a.level[2]));
    EXPECT_DOUBLE_EQ(16.0 / a.level[2].ports, a.level[2].read_words_per_cycle);
}

TEST(TimeloopArch, MergeKeysAndInstancesAndMesh)
{
    const char *text =
        "common: &rf {class: regfile, attributes: {depth: 32, word-bits: 16, meshX: 4}}\n"
        "architecture:\n"
        "  subtree:\n"
        "  - name: Top\n"
        "    local:\n"
        "    - {name: Mem, class: DRAM, attributes: {word-bits: 16}}\n"
        "    subtree:\n"
        "    - name: PE[0..15]\n"
        "      local:\n"
        "      - <<: *rf\n"
        "        name: RF\n"
        "      - {name: MAC, class: intmac, attributes: {meshX: 4}}\n";
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadArch(text, &a, &e)) << e.line << ": " << e.key << ": " << e.msg;
    ASSERT_EQ(2, a.n_levels);
    EXPECT_EQ(32, a.level[0].capacity_words);
    EXPECT_EQ(4, a.level[1].fanout_x);  // 16 PEs, meshX 4: a 4 x 4 mesh
    EXPECT_EQ(4, a.level[1].fanout_y);
}

// Stores of several word-bits (docs/timeloop.md, "word-bits"): the outermost
// store's (the DRAM's) is the arch's; another width becomes the level's, with
// its depth, sizeKB and bandwidths in its own words. By hand: B is 48 bits
// wide at 24-bit words, so a block of 2 words: depth 64 = 128 words; C's
// sizeKB 3 at 24 bits = 3 x 1024 x 8 / 24 = 1024 words; RF has the DRAM's 8.
TEST(TimeloopArch, StoresOfOtherWordBitsBecomeLevelWidths)
{
    const char *text =
        "architecture:\n"
        "  subtree:\n"
        "  - name: S\n"
        "    local:\n"
        "    - {name: M, class: DRAM, attributes: {word-bits: 8}}\n"
        "    - {name: C, class: SRAM, attributes: {word-bits: 24, sizeKB: 3}}\n"
        "    - {name: B, class: SRAM, attributes: {word-bits: 24, width: 48, depth: 64}}\n"
        "    - {name: RF, class: regfile, attributes: {word-bits: 8, depth: 4}}\n"
        "    - {name: X, class: intmac}\n";
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadArch(text, &a, &e)) << e.line << ": " << e.key << ": " << e.msg;
    ASSERT_EQ(4, a.n_levels);
    EXPECT_EQ(8, a.word_bits);
    EXPECT_STREQ("B", a.level[1].name);
    EXPECT_EQ(24, pesim_level_word_bits(&a, 1));
    EXPECT_EQ(128, a.level[1].capacity_words);
    EXPECT_EQ(24, pesim_level_word_bits(&a, 2));
    EXPECT_EQ(1024, a.level[2].capacity_words);
    EXPECT_EQ(0, a.level[0].word_bits);   // the DRAM's width: no level width
    EXPECT_EQ(0, a.level[3].word_bits);
    // a DRAM wider than the stores inside it: the arch takes the DRAM's 16 bits
    const char *wide =
        "architecture:\n"
        "  subtree:\n"
        "  - name: S\n"
        "    local:\n"
        "    - {name: M, class: DRAM, attributes: {word-bits: 16}}\n"
        "    - {name: RF, class: regfile, attributes: {word-bits: 8, depth: 4}}\n"
        "    - {name: X, class: intmac}\n";
    ASSERT_EQ(PESIM_OK, LoadArch(wide, &a, &e)) << e.line << ": " << e.key << ": " << e.msg;
    EXPECT_EQ(16, a.word_bits);
    EXPECT_EQ(8, pesim_level_word_bits(&a, 0));
    EXPECT_EQ(16, pesim_level_word_bits(&a, 1));
}

// simba.cfg's 24-bit AccBuf exports as word-bits 24 and imports back as the
// level's width; every other level keeps the arch's 8.
TEST(TimeloopRoundTrip, LevelWidthsSurviveExportAndImport)
{
    pesim_arch a, b;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_arch_load((std::string(PESIM_SOURCE_DIR) + "/configs/arch/simba.cfg").c_str(), &a, &e))
        << e.msg;
    ASSERT_EQ(24, pesim_level_word_bits(&a, 1));
    char *text = pesim_timeloop_arch_text(&a, &e);
    ASSERT_NE(nullptr, text) << e.msg;
    EXPECT_NE(nullptr, strstr(text, "word-bits: 24")) << text;
    ASSERT_EQ(PESIM_OK, pesim_timeloop_load_arch_string(text, "arch.yaml", nullptr, nullptr, PESIM_TL_ERT_MAX, &b, &e))
        << e.msg << text;
    free(text);
    ASSERT_EQ(a.n_levels, b.n_levels);
    EXPECT_EQ(8, b.word_bits);
    for (int l = 0; l < a.n_levels; l++) EXPECT_EQ(pesim_level_word_bits(&a, l), pesim_level_word_bits(&b, l)) << l;
}

struct ArchError {
    const char *text;
    int line;
    const char *key;
    const char *msg_part;
};

TEST(TimeloopArch, WhatPesimCannotRepresentNamesFileLineKey)
{
    const std::string head = "architecture:\n  subtree:\n  - name: S\n    local:\n";  // lines 1-4
    const ArchError cases[] = {
        {"    - {name: M, class: DRAM}\n    - {name: B, class: crossbar}\n    - {name: X, class: intmac}\n", 6,
         "architecture.subtree.[S].local.[B].class", "class 'crossbar' is neither storage"},
        {"    - {name: M, class: DRAM}\n    - {name: X, class: intmac}\n    - {name: B, class: SRAM}\n", 7,
         "architecture.subtree.[S].local.[B]", "must be the innermost element"},
        {"    - {name: M, class: DRAM}\n    - {name: 'B[0..5]', class: SRAM, attributes: {meshX: 4}}\n"
         "    - {name: 'X[0..5]', class: intmac}\n",
         6, "architecture.subtree.[S].local.[B[0..5]]", "meshX = 4 does not divide the 6 instances"},
        {"    - {name: M, class: DRAM}\n    - {name: B, class: SRAM, attributes: {multiple-buffering: 1.5}}\n"
         "    - {name: X, class: intmac}\n",
         6, "architecture.subtree.[S].local.[B].attributes.multiple-buffering", "a whole number of tile slots, 1 to 8"},
        {"    - {name: M, class: DRAM}\n    - {name: B, class: SRAM, attributes: {multiple-buffering: 9}}\n"
         "    - {name: X, class: intmac}\n",
         6, "architecture.subtree.[S].local.[B].attributes.multiple-buffering", "a whole number of tile slots, 1 to 8"},
        {"    - {name: M, class: DRAM}\n"
         "    - {name: B, class: SRAM, attributes: {width: 64, word-bits: 8, block-size: 2}}\n"
         "    - {name: X, class: intmac}\n",
         6, "architecture.subtree.[S].local.[B].attributes.width", "a cluster size of 4"},
        {"    - {name: M, class: DRAM}\n"
         "    - {name: 'B[0..7]', class: SRAM, attributes: {cluster-size: 3, width: 48, word-bits: 8}}\n"
         "    - {name: 'X[0..7]', class: intmac}\n",
         6, "architecture.subtree.[S].local.[B[0..7]].attributes.cluster-size",
         "a cluster size of 3 does not divide the 8 instances"},
        {"    - {name: M, class: DRAM}\n"
         "    - {name: 'B[0..7]', class: SRAM, attributes: {cluster-size: 4, width: 48, word-bits: 8}}\n"
         "    - {name: 'X[0..7]', class: intmac}\n",
         6, "architecture.subtree.[S].local.[B[0..7]].attributes.width",
         "width 48 is not a multiple of word-bits x cluster-size = 32"},
        {"    - {name: M, class: DRAM}\n    - {name: B, class: SRAM, attributes: {depth: '{{ 16 * 2 }}'}}\n"
         "    - {name: X, class: intmac}\n",
         6, "architecture.subtree.[S].local.[B].attributes.depth", "expressions are timeloopfe's"},
        {"    - {name: M, class: DRAM}\n    - {name: B, class: SRAM, attributes: {min-utilization: 0.5}}\n"
         "    - {name: X, class: intmac}\n",
         6, "architecture.subtree.[S].local.[B].attributes.min-utilization", "no minimum-utilization rule"},
        {"    - {name: M, class: DRAM}\n    - {name: X, class: intmac}\n", 5,
         "architecture.subtree.[S].local.[M]", "1 storage level"},
        {"    - {name: M, class: DRAM}\n    - {name: 'B[0..3]', class: SRAM}\n    - {name: 'C[0..5]', class: SRAM}\n"
         "    - {name: 'X[0..5]', class: intmac}\n",
         7, "architecture.subtree.[S].local.[C[0..5]]", "does not tile the 4 x 1 mesh of 'B'"},
    };
    for (const ArchError &c : cases) {
        pesim_arch a;
        pesim_error e;
        pesim_error_clear(&e);
        std::string text = head + c.text;
        EXPECT_NE(PESIM_OK, LoadArch(text, &a, &e)) << text;
        EXPECT_STREQ("a.yaml", e.file);
        EXPECT_EQ(c.line, e.line) << text << e.msg;
        EXPECT_STREQ(c.key, e.key) << text << e.msg;
        EXPECT_NE(nullptr, strstr(e.msg, c.msg_part)) << e.msg;
    }
    // two subtrees side by side; a version pesim does not know; YAML syntax
    pesim_arch a;
    pesim_error e;
    EXPECT_EQ(PESIM_ERR_INVALID, LoadArch("architecture:\n  subtree:\n  - name: A\n  - name: B\n", &a, &e));
    EXPECT_EQ(3, e.line);
    EXPECT_STREQ("architecture.subtree", e.key);
    EXPECT_EQ(PESIM_ERR_RANGE, LoadArch("architecture:\n  version: 0.5\n", &a, &e));
    EXPECT_STREQ("architecture.version", e.key);
    EXPECT_EQ(PESIM_ERR_PARSE, LoadArch("architecture:\n  subtree: [\n  - x\n", &a, &e));
    EXPECT_EQ(3, e.line);
    EXPECT_NE(nullptr, strstr(e.msg, "YAML: ")) << e.msg;
    EXPECT_EQ(PESIM_ERR_MISSING, LoadArch("problem: {}\n", &a, &e));
    EXPECT_STREQ("architecture", e.key);
}

TEST(TimeloopArch, ErtRules)
{
    const std::string arch = "architecture:\n  subtree:\n  - name: S\n    local:\n"
                             "    - {name: M, class: DRAM, attributes: {word-bits: 8, block-size: 4}}\n"
                             "    - {name: B, class: SRAM, attributes: {word-bits: 8}}\n"
                             "    - {name: X, class: intmac}\n";
    const char *ert = "ERT:\n  version: 0.3\n  tables:\n"
                      "  - name: S.M\n    actions: [{name: read, energy: 40}, {name: write, energy: 20}]\n"
                      "  - name: S.B\n    actions: [{name: random_read, energy: 2}, {name: read, energy: 9},\n"
                      "                {name: random_fill, energy: 3}, {name: random_update, energy: 3},\n"
                      "                {name: idle, energy: 11}]\n"
                      "  - name: S.X\n    actions: [{name: mac_gated, energy: 0.1}, {name: mac_random, energy: 1.5}]\n"
                      "  - name: S.wire\n    actions: [{name: transfer_random, energy: 7}]\n";
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadArch(arch, &a, &e, ert, PESIM_TL_ERT_ACTIONS)) << e.msg;
    EXPECT_DOUBLE_EQ(10.0, a.level[1].read_energy_pj);  // 40 per block of 4 words
    EXPECT_DOUBLE_EQ(5.0, a.level[1].write_energy_pj);
    EXPECT_DOUBLE_EQ(2.0, a.level[0].read_energy_pj);   // random_read comes before read
    EXPECT_DOUBLE_EQ(3.0, a.level[0].write_energy_pj);
    EXPECT_DOUBLE_EQ(1.5, a.mac_energy_pj);
    ASSERT_EQ(PESIM_OK, LoadArch(arch, &a, &e, ert, PESIM_TL_ERT_MAX)) << e.msg;
    EXPECT_DOUBLE_EQ(10.0, a.level[1].write_energy_pj);
    EXPECT_DOUBLE_EQ(11.0, a.level[0].read_energy_pj);  // the most expensive action, idle included
    EXPECT_DOUBLE_EQ(11.0, a.level[0].write_energy_pj);
    // fills and updates that cost differently cannot be one write energy
    std::string bad = ert;
    bad.replace(bad.find("random_update, energy: 3"), 24, "random_update, energy: 4");
    EXPECT_EQ(PESIM_ERR_INVALID, LoadArch(arch, &a, &e, bad.c_str(), PESIM_TL_ERT_ACTIONS));
    EXPECT_STREQ("e.yaml", e.file);
    EXPECT_EQ(6, e.line);
    EXPECT_STREQ("ERT.tables.[S.B]", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "one write energy per level")) << e.msg;
    // an energy the arch format cannot hold (its limit, 1e9 pJ) is refused at its line, not
    // written into an arch.cfg that does not load back
    bad = ert;
    bad.replace(bad.find("energy: 11"), 10, "energy: 1e20");
    EXPECT_EQ(PESIM_ERR_RANGE, LoadArch(arch, &a, &e, bad.c_str(), PESIM_TL_ERT_MAX));
    EXPECT_STREQ("e.yaml", e.file);
    EXPECT_EQ(9, e.line);  // idle's entry
    EXPECT_NE(nullptr, strstr(e.msg, "must be <= 1e+09")) << e.msg;
}

// ---------------------------------------------------------------- problems

pesim_status LoadProb(const std::string &text, pesim_tl_problem *p, pesim_error *e)
{
    return pesim_timeloop_load_problem_string(text.c_str(), "dir/layer3.prob.yaml", p, e);
}

TEST(TimeloopProblem, BuiltInCnnLayerWithStridesAndDilations)
{
    pesim_tl_problem p;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadProb("problem:\n  instance: {C: 3, M: 64, R: 7, S: 5, N: 2, P: 56, Q: 28,\n"
                                 "             Wstride: 2, Hstride: 3, Wdilation: 1, Hdilation: 2}\n",
                                 &p, &e))
        << e.msg;
    const pesim_layer &l = p.layer;
    EXPECT_STREQ("layer3", l.name);
    EXPECT_EQ(64, l.dim[PESIM_DIM_K]);
    EXPECT_STREQ("M", p.dim_name[PESIM_DIM_K]);
    EXPECT_EQ(7, l.dim[PESIM_DIM_R]);  // R pairs with P (Timeloop's W names)
    EXPECT_EQ(56, l.dim[PESIM_DIM_P]);
    EXPECT_EQ(2, l.stride_h);          // Wstride: the (P, R) direction
    EXPECT_EQ(3, l.stride_w);
    EXPECT_EQ(1, l.dilation_h);
    EXPECT_EQ(2, l.dilation_w);
    EXPECT_EQ(1, l.dim[PESIM_DIM_G]);
    EXPECT_STREQ("", p.dim_name[PESIM_DIM_G]);
    EXPECT_STREQ("Weights", p.space_name[PESIM_WEIGHTS]);
}

TEST(TimeloopProblem, CustomShapesMapByProjection)
{
    // a GEMM with its own names: A[m][k] x B[k][n]; B is the weights
    pesim_tl_problem p;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, LoadProb("problem:\n  shape:\n    name: GEMM\n    dimensions: [m, n, k]\n"
                                 "    data-spaces:\n"
                                 "    - {name: B, projection: [[[k]], [[n]]]}\n"
                                 "    - {name: A, projection: [[[m]], [[k]]]}\n"
                                 "    - {name: Z, projection: [[[m]], [[n]]], read-write: true}\n"
                                 "  instance: {m: 128, n: 64, k: 256}\n",
                                 &p, &e))
        << e.msg;
    EXPECT_EQ(64, p.layer.dim[PESIM_DIM_K]);   // in weights and outputs
    EXPECT_EQ(256, p.layer.dim[PESIM_DIM_C]);  // in weights and inputs
    EXPECT_EQ(128, p.layer.dim[PESIM_DIM_N]);  // in inputs and outputs
    EXPECT_STREQ("k", p.dim_name[PESIM_DIM_C]);
    EXPECT_STREQ("Z", p.space_name[PESIM_OUTPUTS]);
    // a grouped convolution: G in every data space
    ASSERT_EQ(PESIM_OK, LoadProb("problem:\n  shape:\n    dimensions: [G, C, K, R, P]\n"
                                 "    data-spaces:\n"
                                 "    - {name: Weights, projection: [[[G]], [[C]], [[K]], [[R]]]}\n"
                                 "    - {name: Inputs, projection: [[[G]], [[C]], [[R], [P]]]}\n"
                                 "    - {name: Outputs, projection: [[[G]], [[K]], [[P]]], read-write: True}\n"
                                 "  instance: {G: 4, C: 2, K: 3, R: 3, P: 10}\n",
                                 &p, &e))
        << e.msg;
    EXPECT_EQ(4, p.layer.dim[PESIM_DIM_G]);
    EXPECT_EQ(10, p.layer.dim[PESIM_DIM_P]);
}

struct ProbError {
    const char *text;
    int line;
    const char *key;
    const char *msg_part;
};

// Densities of 1 (none, an empty map as timeloopfe writes it, a number, or a
// distribution's `density`) are a dense layer; the bounds are the same as
// without them.
TEST(TimeloopProblem, DensitiesOfOneAreADenseLayer)
{
    const std::string bounds = "problem:\n  instance: {C: 3, M: 4, R: 1, S: 1, N: 1, P: 5, Q: 5";
    for (const char *dens : {"", ", densities: {}", ", densities: null",
                             ", densities: {Weights: 1, Inputs: 1.0, Outputs: {distribution: fixed_structured, "
                             "density: 1}}"}) {
        pesim_tl_problem p;
        pesim_error e;
        ASSERT_EQ(PESIM_OK, LoadProb(bounds + dens + "}\n", &p, &e)) << dens << ": " << e.msg;
        EXPECT_EQ(p.layer.dim[PESIM_DIM_C], 3) << dens;
        EXPECT_EQ(p.layer.dim[PESIM_DIM_K], 4) << dens;
        EXPECT_EQ(p.layer.dim[PESIM_DIM_Q], 5) << dens;
    }
}

TEST(TimeloopProblem, WhatIsNoConvolutionNamesFileLineKey)
{
    const ProbError cases[] = {
        {"problem:\n  shape:\n    dimensions: [A, B]\n    data-spaces:\n"
         "    - {name: Weights, projection: [[[A]]]}\n    - {name: Inputs, projection: [[[A]]]}\n"
         "    - {name: Outputs, projection: [[[B]]], read-write: True}\n  instance: {A: 2, B: 3}\n",
         3, "problem.shape.dimensions.[1]", "indexes only the outputs"},
        {"problem:\n  shape:\n    dimensions: [A]\n    data-spaces:\n"
         "    - {name: Weights, projection: [[[A]]]}\n    - {name: Inputs, projection: [[[A]]]}\n"
         "    - {name: Outputs, projection: [[[A]]], read-write: True}\n    - {name: Extra, projection: [[[A]]]}\n"
         "  instance: {A: 2}\n",
         5, "problem.shape.data-spaces", "4 data spaces"},
        {"problem:\n  shape:\n    dimensions: [R, P, S]\n    data-spaces:\n"
         "    - {name: Weights, projection: [[[R]], [[S]]]}\n    - {name: Inputs, projection: [[[R], [P], [S]]]}\n"
         "    - {name: Outputs, projection: [[[P]]], read-write: True}\n  instance: {R: 2, P: 3, S: 1}\n",
         6, "problem.shape.data-spaces.[Inputs].projection.[0]", "a rank of 3 terms"},
        {"problem:\n  instance: {C: 3, M: 4, R: 1, S: 1, N: 1, P: 5}\n", 2, "problem.instance.Q",
         "every dimension's bound"},
        {"problem:\n  instance: {C: 3, M: 4, R: 1, S: 1, N: 1, P: 5, Q: 5, densities: {Weights: 0.5}}\n", 2,
         "problem.instance.densities.Weights", "density 0.5 (sparse data): pesim models dense layers"},
        {"problem:\n  instance: {C: 3, M: 4, R: 1, S: 1, N: 1, P: 5, Q: 5,\n"
         "    densities: {Inputs: 1, Weights: {distribution: fixed_structured, density: 0.25}}}\n",
         3, "problem.instance.densities.Weights.density", "density 0.25"},
        {"problem:\n  instance: {C: 3, M: 4, R: 1, S: 1, N: 1, P: 5, Q: 5, densities: {Weights: {distribution: x}}}\n",
         2, "problem.instance.densities.Weights.density", "a data space's density"},
        {"problem:\n  shape:\n    dimensions: [R, P]\n    data-spaces:\n"
         "    - {name: Weights, projection: [[[R], [P]]]}\n    - {name: Inputs, projection: [[[R], [P]]]}\n"
         "    - {name: Outputs, projection: [[[P]]], read-write: True}\n  instance: {R: 2, P: 3}\n",
         5, "problem.shape.data-spaces.[Weights].projection.[0]", "only in the inputs"},
        {"problem:\n  shape:\n    dimensions: [R, P]\n    data-spaces:\n"
         "    - {name: Weights, projection: [[[R]]]}\n    - {name: Inputs, projection: [[[R], [X]]]}\n"
         "    - {name: Outputs, projection: [[[P]]], read-write: True}\n  instance: {R: 2, P: 3}\n",
         6, "problem.shape.data-spaces.[Inputs].projection.[0].[1].[0]", "'X' is not one of the shape's"},
        {"problem:\n  shape: depthwise-layer\n", 2, "problem.shape", "pesim knows cnn-layer"},
    };
    for (const ProbError &c : cases) {
        pesim_tl_problem p;
        pesim_error e;
        pesim_error_clear(&e);
        EXPECT_NE(PESIM_OK, LoadProb(c.text, &p, &e)) << c.text;
        EXPECT_STREQ("dir/layer3.prob.yaml", e.file);
        EXPECT_EQ(c.line, e.line) << c.text << e.msg;
        EXPECT_STREQ(c.key, e.key) << c.text << e.msg;
        EXPECT_NE(nullptr, strstr(e.msg, c.msg_part)) << e.msg;
    }
}

}  // namespace

namespace {

// ---------------------------------------------------------------- mappings

// The 04 exercise's arch and problem, for mapping texts.
struct Ex04 : public ::testing::Test {
    void SetUp() override
    {
        ASSERT_EQ(PESIM_OK, pesim_timeloop_load_arch(Ex("04-model-conv1d+oc-3levelspatial",
                                                        "arch/3levelspatial.arch.yaml").c_str(),
                                                     nullptr, PESIM_TL_ERT_MAX, &a, &e))
            << e.msg;
        ASSERT_EQ(PESIM_OK, pesim_timeloop_load_problem(Ex("04-model-conv1d+oc-3levelspatial",
                                                           "prob/conv1d+oc+ic.prob.yaml").c_str(),
                                                        &p, &e))
            << e.msg;
    }
    pesim_status Load(const std::string &text)
    {
        pesim_error_clear(&e);
        return pesim_timeloop_load_mapping_string(text.c_str(), "m.yaml", &a, &p, &m, &e);
    }
    pesim_arch a;
    pesim_tl_problem p;
    pesim_mapping m;
    pesim_error e;
};

TEST_F(Ex04, DirectivesBecomeLevelMaps)
{
    // target by index, factors as a list, 0 for the whole dim, a partial permutation
    ASSERT_EQ(PESIM_OK, Load("mapping:\n"
                             "- {target: 2, type: temporal, factors: [C=0, K=2]}\n"
                             "- {target: GlobalBuffer, type: temporal, factors: R3 K4, permutation: KR}\n"
                             "- {target: GlobalBuffer, type: spatial, factors: K=4 P=4, permutation: PK, split: 2}\n"
                             "- {target: RegisterFile, type: temporal, factors: P4}\n"
                             "- {target: RegisterFile, type: bypass, bypass: [Weights], keep: [Outputs]}\n"))
        << e.msg;
    EXPECT_EQ("C32 K2", Loops(m.level[2]));      // C=0: all of C
    EXPECT_EQ("R3 K4", Loops(m.level[1]));       // KR: K innermost
    EXPECT_EQ("K4 P4", Axis(m.level[1].spatial_x, m.level[1].order_x));  // PK: P fastest across the PEs
    EXPECT_EQ("", Axis(m.level[1].spatial_y, m.level[1].order_y));
    EXPECT_EQ(1, m.level[0].bypass[PESIM_WEIGHTS]);
    EXPECT_EQ(0, m.level[0].bypass[PESIM_OUTPUTS]);
    EXPECT_EQ(PESIM_OK, pesim_mapping_check(&m, &a, &p.layer, &e)) << e.msg;
}

struct MapError {
    const char *text;
    int line;
    const char *key;
    const char *msg_part;
};

TEST_F(Ex04, WhatPesimCannotRepresentNamesFileLineKey)
{
    const MapError cases[] = {
        {"mapping:\n- {target: L2, type: temporal}\n", 2, "mapping.[L2].target", "no storage level 'L2'"},
        {"mapping:\n- {target: GlobalBuffer, type: temporal, factors: Z3}\n", 2, "mapping.[GlobalBuffer].factors",
         "'Z' is not a dimension of the problem"},
        {"mapping:\n- {target: GlobalBuffer, type: temporal, permutation: KKR}\n", 2,
         "mapping.[GlobalBuffer].permutation", "'K' is listed twice"},
        {"mapping:\n- {target: GlobalBuffer, type: temporal}\n- {target: GlobalBuffer, type: temporal}\n", 3,
         "mapping.[GlobalBuffer]", "a second temporal directive for GlobalBuffer (first at line 2)"},
        {"mapping:\n- {target: MainMemory, type: bypass, bypass: [Inputs]}\n", 2,
         "mapping.[MainMemory].bypass.[0]", "the outermost level (MainMemory) keeps every data space"},
        {"mapping:\n- {target: GlobalBuffer, type: spatial, factors: K32}\n", 2, "mapping.[GlobalBuffer]",
         "spatial factors 32 on X and 1 on Y, but GlobalBuffer has 16 x 1 children"},
        {"mapping:\n- {target: GlobalBuffer, type: parallel}\n", 2, "mapping.[GlobalBuffer].type",
         "type 'parallel'"},
        {"mapping:\n- {target: GlobalBuffer, type: temporal, permutaton: KR}\n", 2,
         "mapping.[GlobalBuffer].permutaton", "unknown key 'permutaton'"},
        {"mapping:\n- {target: RegisterFile, type: bypass, keep: [Psums]}\n", 2,
         "mapping.[RegisterFile].keep.[0]", "'Psums' is not a data space"},
    };
    for (const MapError &c : cases) {
        EXPECT_NE(PESIM_OK, Load(c.text)) << c.text;
        EXPECT_STREQ("m.yaml", e.file);
        EXPECT_EQ(c.line, e.line) << c.text << e.msg;
        EXPECT_STREQ(c.key, e.key) << c.text << e.msg;
        EXPECT_NE(nullptr, strstr(e.msg, c.msg_part)) << e.msg;
    }
}

// ---------------------------------------------------------------- export and import back

// A layer whose bounds are products of small primes, so that mappings can
// split them exactly (Timeloop needs each dim's factors to multiply to it).
pesim_layer RandomLayer(TestRng &rng)
{
    static const int64_t sizes[] = {1, 2, 3, 4, 6, 8, 12};
    auto pick = [&]() { return sizes[rng.uni(0, 6)]; };
    pesim_layer l = test_layer(rng.coin(25) ? 2 : 1, pick(), pick(), pick(), pick(), pick(), rng.uni(1, 3),
                               rng.uni(1, 3), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
    l.stride_w = (int32_t)rng.uni(1, 2);
    l.dilation_w = (int32_t)rng.uni(1, 2);
    return l;
}

// A structurally valid mapping with exact factors: each prime factor of each
// dim goes to a random temporal loop or spatial axis that still has room (a
// dim on one axis per level), loop and axis orders shuffled, some bypasses.
pesim_mapping RandomExactMapping(TestRng &rng, const pesim_arch &a, const pesim_layer &l)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    int64_t used_x[PESIM_MAX_LEVELS], used_y[PESIM_MAX_LEVELS];
    for (int lv = 0; lv < a.n_levels; lv++) used_x[lv] = used_y[lv] = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t n = l.dim[d];
        for (int64_t q = 2; n > 1;) {
            if (n % q) {
                q++;
                continue;
            }
            n /= q;
            int lv = (int)rng.uni(0, a.n_levels - 1);
            pesim_level_map &lm = m.level[lv];
            int kind = (int)rng.uni(0, 2);
            if (kind == 1 && used_x[lv] * q <= a.level[lv].fanout_x && lm.spatial_y[d] == 1) {
                lm.spatial_x[d] *= q, used_x[lv] *= q;
            } else if (kind == 2 && used_y[lv] * q <= a.level[lv].fanout_y && lm.spatial_x[d] == 1) {
                lm.spatial_y[d] *= q, used_y[lv] *= q;
            } else {
                lm.temporal[d] *= q;
            }
        }
    }
    for (int lv = 0; lv < a.n_levels; lv++) {
        pesim_level_map &lm = m.level[lv];
        test_shuffle_order(rng, lm);
        for (int i = PESIM_NDIMS - 1; i > 0; i--) {
            std::swap(lm.order_x[i], lm.order_x[rng.uni(0, i)]);
            std::swap(lm.order_y[i], lm.order_y[rng.uni(0, i)]);
        }
        if (lv < a.n_levels - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++) lm.bypass[t] = rng.coin(20);
    }
    return m;
}

// An arch of 2 to 6 levels with fan-outs up to 4 x 4 and distinct energies,
// bandwidths and capacities: what Timeloop's format carries.
pesim_arch RandomArch(TestRng &rng)
{
    pesim_arch a = test_arch(rng, (int)rng.uni(2, 6));
    for (int l = 0; l < a.n_levels; l++) {
        pesim_level &v = a.level[l];
        if (l < a.n_levels - 1) {
            v.fanout_x = (int)rng.uni(1, 4);
            v.fanout_y = (int)rng.uni(1, 4);
        }
        v.sliding_reuse = 1;  // what an import writes (Timeloop has no such switch)
        v.latency_cycles = 0; // Timeloop has no access latency
        v.read_energy_pj = 0.25 * (double)rng.uni(1, 400);
        v.write_energy_pj = 0.25 * (double)rng.uni(1, 400);
        v.read_words_per_cycle = rng.coin(50) ? 0.0 : 0.5 * (double)rng.uni(1, 64);
        v.write_words_per_cycle = rng.coin(50) ? 0.0 : 0.5 * (double)rng.uni(1, 64);
        v.tile_slots = rng.coin(30) ? 2 : 1;
        v.banks = (int)rng.uni(1, 4);
        v.ports = (int)rng.uni(1, 2);
    }
    a.mac_energy_pj = 0.125 * (double)rng.uni(1, 40);
    return a;
}

// Same loops, factors, orders of the loops that iterate, and kept tensors.
void ExpectSameMapping(const pesim_arch &a1, const pesim_mapping &m1, const pesim_arch &a2, const pesim_mapping &m2)
{
    ASSERT_EQ(m1.n_levels, m2.n_levels);
    for (int lv = 0; lv < m1.n_levels; lv++) {
        SCOPED_TRACE(lv);
        const pesim_level_map &x = m1.level[lv], &y = m2.level[lv];
        for (int d = 0; d < PESIM_NDIMS; d++) {
            EXPECT_EQ(x.temporal[d], y.temporal[d]);
            EXPECT_EQ(x.spatial_x[d], y.spatial_x[d]);
            EXPECT_EQ(x.spatial_y[d], y.spatial_y[d]);
        }
        EXPECT_EQ(Loops(x), Loops(y));
        EXPECT_EQ(Axis(x.spatial_x, x.order_x), Axis(y.spatial_x, y.order_x));
        EXPECT_EQ(Axis(x.spatial_y, x.order_y), Axis(y.spatial_y, y.order_y));
        for (int t = 0; t < PESIM_NTENSORS; t++)
            EXPECT_EQ(pesim_mapping_keeps(&a1, &m1, lv, (pesim_tensor)t),
                      pesim_mapping_keeps(&a2, &m2, lv, (pesim_tensor)t));
    }
}

TEST(TimeloopRoundTrip, RandomMappingsSurviveExportAndImport)
{
    TestRng rng(20251);
    int checked = 0;
    for (int iter = 0; iter < 400; iter++) {
        SCOPED_TRACE(iter);
        pesim_arch a = RandomArch(rng);
        if (iter % 4 == 1) a.level[iter % a.n_levels].tile_slots = 3 + iter % 6; // N tile slots, 3 to 8
        if (iter % 3 == 2) a.level[iter % (a.n_levels - 1)].word_bits = 9 + iter % 56; // a level width, not DRAM's
        if (iter % 5 == 3) { // clusters (a "timeloop" convention) of 2 or all of a level's instances
            int lv = iter % (a.n_levels - 1);
            int64_t inst = pesim_arch_instances(&a, lv);
            a.conventions = PESIM_CONV_TIMELOOP;
            a.level[lv].cluster_size = (int32_t)(inst % 2 == 0 && iter % 2 ? 2 : inst);
        }
        if (pesim_arch_check(&a, "rand", nullptr) != PESIM_OK) continue;
        pesim_layer l = RandomLayer(rng);
        pesim_mapping m = RandomExactMapping(rng, a, l);
        pesim_error e;
        ASSERT_EQ(PESIM_OK, pesim_mapping_check(&m, &a, &l, &e)) << e.msg;
        pesim_tl_problem names;
        char *arch_y = pesim_timeloop_arch_text(&a, &e);
        char *ert_y = pesim_timeloop_ert_text(&a, &e);
        char *prob_y = pesim_timeloop_problem_text(&l, &names, &e);
        char *map_y = prob_y ? pesim_timeloop_mapping_text(&a, &names, &m, &e) : nullptr;
        ASSERT_TRUE(arch_y && ert_y && prob_y && map_y) << e.key << ": " << e.msg;
        pesim_arch a2;
        pesim_tl_problem p2;
        pesim_mapping m2;
        ASSERT_EQ(PESIM_OK, pesim_timeloop_load_arch_string(arch_y, "arch.yaml", ert_y, "ERT.yaml",
                                                            PESIM_TL_ERT_ACTIONS, &a2, &e))
            << e.line << ": " << e.key << ": " << e.msg << "\n" << arch_y;
        ASSERT_EQ(PESIM_OK, pesim_timeloop_load_problem_string(prob_y, "problem.yaml", &p2, &e)) << e.msg << prob_y;
        ASSERT_EQ(PESIM_OK, pesim_timeloop_load_mapping_string(map_y, "mapping.yaml", &a2, &p2, &m2, &e))
            << e.line << ": " << e.key << ": " << e.msg << "\n" << map_y;
        // the arch: levels, fan-outs, capacities, bandwidths, energies
        ASSERT_EQ(a.n_levels, a2.n_levels);
        for (int lv = 0; lv < a.n_levels; lv++) {
            const pesim_level &v = a.level[lv], &w = a2.level[lv];
            EXPECT_STREQ(v.name, w.name);
            EXPECT_EQ(v.fanout_x, w.fanout_x);
            EXPECT_EQ(v.fanout_y, w.fanout_y);
            EXPECT_EQ(v.capacity_words, w.capacity_words);
            EXPECT_EQ(v.read_words_per_cycle, w.read_words_per_cycle);
            EXPECT_EQ(v.write_words_per_cycle, w.write_words_per_cycle);
            EXPECT_EQ(v.read_energy_pj, w.read_energy_pj);
            EXPECT_EQ(v.write_energy_pj, w.write_energy_pj);
            EXPECT_EQ(pesim_level_tile_slots(&v), pesim_level_tile_slots(&w));
            EXPECT_EQ(v.banks, w.banks);
            EXPECT_EQ(v.ports, w.ports);
            EXPECT_EQ(pesim_level_word_bits(&a, lv), pesim_level_word_bits(&a2, lv));
            EXPECT_EQ(v.cluster_size > 1 ? v.cluster_size : 1, w.cluster_size > 1 ? w.cluster_size : 1);
        }
        EXPECT_EQ(a.mac_energy_pj, a2.mac_energy_pj);
        // the layer (its name is the file's)
        for (int d = 0; d < PESIM_NDIMS; d++) EXPECT_EQ(l.dim[d], p2.layer.dim[d]);
        EXPECT_EQ(l.stride_h, p2.layer.stride_h);
        EXPECT_EQ(l.stride_w, p2.layer.stride_w);
        EXPECT_EQ(l.dilation_h, p2.layer.dilation_h);
        EXPECT_EQ(l.dilation_w, p2.layer.dilation_w);
        // the mapping, and the same evaluation under the same conventions
        ExpectSameMapping(a, m, a2, m2);
        a2.conventions = a.conventions;
        pesim_cost c1, c2;
        ASSERT_EQ(PESIM_OK, pesim_model_evaluate(&a, &l, &m, &c1));
        ASSERT_EQ(PESIM_OK, pesim_model_evaluate(&a2, &p2.layer, &m2, &c2));
        EXPECT_EQ(c1.valid, c2.valid);
        EXPECT_EQ(c1.cycles, c2.cycles);
        EXPECT_EQ(c1.energy_pj, c2.energy_pj);
        EXPECT_EQ(0, memcmp(c1.access, c2.access, sizeof c1.access));
        free(arch_y);
        free(ert_y);
        free(prob_y);
        free(map_y);
        checked++;
    }
    EXPECT_GT(checked, 350);
}

TEST(TimeloopRoundTrip, ExportRefusesWhatTimeloopCannotExpress)
{
    TestRng rng(7);
    pesim_arch a = test_arch(rng, 3);
    a.level[1].fanout_x = a.level[1].fanout_y = 4;
    pesim_layer l = test_layer(1, 1, 8, 4, 6, 6, 3, 3);
    pesim_tl_problem names;
    pesim_error e;
    char *prob = pesim_timeloop_problem_text(&l, &names, &e);
    ASSERT_NE(nullptr, prob);
    free(prob);
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[2].temporal[PESIM_DIM_K] = 3;  // 3 x 3 = 9 for a K of 8: imperfect
    m.level[0].temporal[PESIM_DIM_K] = 3;
    m.level[2].temporal[PESIM_DIM_C] = 4;
    m.level[2].temporal[PESIM_DIM_P] = 6;
    m.level[2].temporal[PESIM_DIM_Q] = 6;
    m.level[2].temporal[PESIM_DIM_R] = 3;
    m.level[2].temporal[PESIM_DIM_S] = 3;
    EXPECT_EQ(nullptr, pesim_timeloop_mapping_text(&a, &names, &m, &e));
    EXPECT_STREQ("K", e.key);
    EXPECT_STREQ("the factors of K multiply to 9, not its bound 8: Timeloop needs exact factors", e.msg);
    // K on both axes of one level
    m.level[0].temporal[PESIM_DIM_K] = 1;
    m.level[2].temporal[PESIM_DIM_K] = 2;
    m.level[1].spatial_x[PESIM_DIM_K] = 2;
    m.level[1].spatial_y[PESIM_DIM_K] = 2;
    EXPECT_EQ(nullptr, pesim_timeloop_mapping_text(&a, &names, &m, &e));
    EXPECT_STREQ("L1", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "unrolled on both X and Y")) << e.msg;
    // a layer without MACs
    pesim_layer pool = l;
    pool.op = PESIM_OP_POOL;
    EXPECT_EQ(nullptr, pesim_timeloop_problem_text(&pool, &names, &e));
}

TEST(TimeloopRoundTrip, PerTensorCapacitiesBecomeABufferPerTensor)
{
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_arch_load((std::string(PESIM_SOURCE_DIR) + "/configs/arch/tiny.cfg").c_str(), &a, &e))
        << e.msg;
    char *text = pesim_timeloop_arch_text(&a, &e);
    ASSERT_NE(nullptr, text) << e.msg;
    pesim_arch b;
    ASSERT_EQ(PESIM_OK, pesim_timeloop_load_arch_string(text, "arch.yaml", nullptr, nullptr, PESIM_TL_ERT_MAX, &b, &e))
        << e.msg << text;
    free(text);
    // RF (4 words of each tensor) -> RF_weights, RF_inputs, RF_outputs
    ASSERT_EQ(5, b.n_levels);
    EXPECT_STREQ("RF_outputs", b.level[0].name);
    EXPECT_STREQ("RF_inputs", b.level[1].name);
    EXPECT_STREQ("RF_weights", b.level[2].name);
    for (int l = 0; l < 3; l++) EXPECT_EQ(4, b.level[l].capacity_words);
    EXPECT_EQ(4, b.level[3].fanout_x);  // GLB's 4 x 4 PEs
    EXPECT_EQ(4, b.level[3].fanout_y);
    EXPECT_EQ(1, b.level[2].fanout_x * b.level[2].fanout_y);
    EXPECT_EQ(16, pesim_arch_macs(&b));
}


// A DRAM level's bandwidth in the export is its timing's peak, or its port's
// where that is lower: VTA's 64-bit AXI port, 8 words a cycle, against the
// 16-bit DDR4-3200's 64 (6.4 GB/s at 100 MHz, one-byte words).
TEST(TimeloopRoundTrip, DramBandwidthIsTheTimingOrThePort)
{
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_arch_load((std::string(PESIM_SOURCE_DIR) + "/configs/arch/vta.cfg").c_str(), &a, &e))
        << e.msg;
    const int d = a.n_levels - 1;
    ASSERT_DOUBLE_EQ(pesim_dram_words_per_cycle(&a.level[d].dram, a.word_bits, a.clock_mhz), 64.0);
    auto exported = [&](const pesim_arch &x, double *rd, double *wr) {
        char *text = pesim_timeloop_arch_text(&x, &e);
        ASSERT_NE(nullptr, text) << e.msg;
        pesim_arch b;
        ASSERT_EQ(PESIM_OK,
                  pesim_timeloop_load_arch_string(text, "arch.yaml", nullptr, nullptr, PESIM_TL_ERT_MAX, &b, &e))
            << e.msg << text;
        free(text);
        *rd = b.level[b.n_levels - 1].read_words_per_cycle;
        *wr = b.level[b.n_levels - 1].write_words_per_cycle;
    };
    double rd = 0, wr = 0;
    exported(a, &rd, &wr);
    EXPECT_EQ(rd, 8.0);
    EXPECT_EQ(wr, 8.0);
    a.level[d].read_words_per_cycle = 0;     // no read port: the timing's peak
    a.level[d].write_words_per_cycle = 100;  // a port above the peak: the peak
    exported(a, &rd, &wr);
    EXPECT_EQ(rd, 64.0);
    EXPECT_EQ(wr, 64.0);
}

}  // namespace

namespace {

// ---------------------------------------------------------------- the CLI

struct ExerciseCase {
    const char *ex, *arch, *prob, *map, *layer;
};

const ExerciseCase kCases[] = {
    {"01-model-conv1d-2level", "2level.arch.yaml", "conv1d.prob.yaml", "conv1d-2level-os.map.yaml", "conv1d"},
    {"01-model-conv1d-2level", "2level.arch.yaml", "conv1d.prob.yaml", "conv1d-2level-ws.map.yaml", "conv1d"},
    {"02-model-conv1d+oc-2level", "2level.arch.yaml", "conv1d+oc.prob.yaml", "conv1d+oc-2level-os-tiled.map.yaml",
     "conv1d+oc"},
    {"02-model-conv1d+oc-2level", "2level.arch.yaml", "conv1d+oc.prob.yaml",
     "conv1d+oc-2level-os-untiled.map.yaml", "conv1d+oc"},
    {"03-model-conv1d+oc-3level", "3level.arch.yaml", "conv1d+oc.prob.yaml", "conv1d+oc-3level-example.map.yaml",
     "conv1d+oc"},
    {"03-model-conv1d+oc-3level", "3level.arch.yaml", "conv1d+oc.prob.yaml",
     "conv1d+oc-3level-bypass-example.map.yaml", "conv1d+oc"},
    {"04-model-conv1d+oc-3levelspatial", "3levelspatial.arch.yaml", "conv1d+oc+ic.prob.yaml",
     "conv1d+oc+ic-3levelspatial-cp-ws.map.yaml", "conv1d+oc+ic"},
    {"04-model-conv1d+oc-3levelspatial", "3levelspatial.arch.yaml", "conv1d+oc+ic.prob.yaml",
     "conv1d+oc+ic-3levelspatial-kp-ws.map.yaml", "conv1d+oc+ic"},
    {"06-mapper-convlayer-eyeriss", "eyeriss-256.arch.yaml", "cnn-layer.prob.yaml", "eyeriss-256-rs.stats.map.yaml",
     "cnn-layer"},
    {"06-mapper-convlayer-eyeriss", "eyeriss-256.arch.yaml", "cnn-layer.prob.yaml",
     "eyeriss-256-rs.maptxt.map.yaml", "cnn-layer"},
};

std::string ImportArgs(const ExerciseCase &c, const std::string &out)
{
    return "import timeloop --arch '" + Ex(c.ex, std::string("arch/") + c.arch) + "' --prob '" +
           Ex(c.ex, std::string("prob/") + c.prob) + "' --map '" + Ex(c.ex, std::string("map/") + c.map) +
           "' --ert '" + Ex(c.ex, "ert/ERT.yaml") + "' --out '" + out + "'";
}

TEST(TimeloopCli, EveryExerciseImportsAndRuns)
{
    std::string dir = TempDir("tl_import");
    for (const ExerciseCase &c : kCases) {
        SCOPED_TRACE(std::string(c.ex) + " " + c.map);
        std::string out = dir + "/" + c.ex + "_" + c.map;
        Result r = Pesim(ImportArgs(c, out));
        ASSERT_EQ(0, r.status) << r.err;
        EXPECT_EQ("", r.err);
        EXPECT_NE(std::string::npos, r.out.find("conventions \"timeloop\"")) << r.out;
        // the configs are pesim's own: they load and run
        pesim_arch a;
        pesim_network net;
        pesim_mapping m;
        pesim_error e;
        ASSERT_EQ(PESIM_OK, pesim_arch_load((out + "/arch.cfg").c_str(), &a, &e)) << e.msg;
        EXPECT_EQ(PESIM_CONV_TIMELOOP, a.conventions);
        ASSERT_EQ(PESIM_OK, pesim_network_load((out + "/workload.cfg").c_str(), &net, &e)) << e.msg;
        ASSERT_EQ(1, net.n_layers);
        EXPECT_STREQ(c.layer, net.layers[0].name);
        ASSERT_EQ(PESIM_OK, pesim_mapping_load((out + "/mapping.cfg").c_str(), &a, &m, &e)) << e.msg;
        pesim_network_free(&net);
        r = Pesim("run --arch '" + out + "/arch.cfg' --workload '" + out + "/workload.cfg' --layer '" + c.layer +
                  "' --mapping '" + out + "/mapping.cfg' --json -");
        EXPECT_EQ(0, r.status) << r.err;
        Json j = ParseJson(r.out);
        ASSERT_EQ(1u, j["layers"].arr.size()) << r.out;
        EXPECT_TRUE(j["layers"].arr[0]["valid"].b) << r.out;
    }
}

TEST(TimeloopCli, ImportErrorsNameTheYamlAndWriteNothing)
{
    std::string dir = TempDir("tl_import_err");
    // exercise 00: a one-level arch
    std::string out = dir + "/x";
    std::string arch = Ex("00-model-conv1d-1level", "arch/1level.arch.yaml");
    Result r = Pesim("import timeloop --arch '" + arch + "' --prob '" +
                     Ex("00-model-conv1d-1level", "prob/conv1d.prob.yaml") + "' --out '" + out + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + arch + ":10: architecture.subtree.[PE].local.[Buffer]: 1 storage level: the importer needs at "
                                 "least 2 (a store next to the MACs and a backing store)\n",
              r.err);
    EXPECT_FALSE(Exists(out));
    // a mapping that names a level the arch does not have: nothing written
    std::string map = dir + "/bad.map.yaml";
    FILE *f = fopen(map.c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs("mapping:\n  - target: Buffer\n    type: temporal\n    factors: R3\n"
          "  - target: L3\n    type: temporal\n", f);
    fclose(f);
    const ExerciseCase &c = kCases[0];
    r = Pesim("import timeloop --arch '" + Ex(c.ex, std::string("arch/") + c.arch) + "' --prob '" +
              Ex(c.ex, std::string("prob/") + c.prob) + "' --map '" + map + "' --out '" + out + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + map + ":5: mapping.[L3].target: no storage level 'L3' (the levels, outermost first: "
                                "MainMemory, Buffer)\n",
              r.err);
    EXPECT_FALSE(Exists(out));
    // a mapping that does not cover the problem
    f = fopen(map.c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs("mapping:\n  - target: Buffer\n    type: temporal\n    factors: R3 P8\n", f);
    fclose(f);
    r = Pesim("import timeloop --arch '" + Ex(c.ex, std::string("arch/") + c.arch) + "' --prob '" +
              Ex(c.ex, std::string("prob/") + c.prob) + "' --map '" + map + "' --out '" + out + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_NE(std::string::npos, r.err.find("is not a mapping of problem")) << r.err;
    EXPECT_FALSE(Exists(out));
    // usage
    r = Pesim("import --arch a.yaml");
    EXPECT_EQ(2, r.status);
    EXPECT_NE(std::string::npos, r.err.find("the format comes first")) << r.err;
    r = Pesim("import timeloop --prob p.yaml --out x");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: import timeloop: --arch and --out are required\n", r.err);
    // without --prob the problem is the architecture file's: none there is bad input
    r = Pesim("import timeloop --arch '" + Ex("01-model-conv1d-2level", "arch/2level.arch.yaml") + "' --out x");
    EXPECT_EQ(2, r.status);
    EXPECT_NE(std::string::npos, r.err.find("2level.arch.yaml:1: problem: no `problem` in this file")) << r.err;
    r = Pesim("import timeloop --arch a --prob p --out x --ert-rule avg --ert e");
    EXPECT_EQ(2, r.status);
    r = Pesim("import timeloop --help");
    EXPECT_EQ(0, r.status);
    EXPECT_NE(std::string::npos, r.out.find("--ert-rule")) << r.out;
}

// timeloopfe's processed input holds the architecture and the problem: --arch
// alone reads both. Named input.yaml, the layer would take the name of a
// network's input; it is input_layer, and the configs run.
TEST(TimeloopCli, OneFileHoldsArchitectureAndProblem)
{
    std::string dir = TempDir("tl_one_file");
    const std::string src = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/example-simple-weight-stationary/";
    std::ifstream in(src + "simple_weight_stationary.yaml");
    std::ofstream(dir + "/input.yaml") << in.rdbuf();
    Result r = Pesim("import timeloop --arch '" + dir + "/input.yaml' --map '" + src + "map/from-stats.map.yaml' --out '" +
                     dir + "/out'");
    ASSERT_EQ(0, r.status) << r.err;
    EXPECT_NE(std::string::npos, r.out.find("workload  layer input_layer")) << r.out;
    r = Pesim("run --arch '" + dir + "/out/arch.cfg' --workload '" + dir + "/out/workload.cfg' --layer input_layer "
              "--mapping '" + dir + "/out/mapping.cfg' --json -");
    ASSERT_EQ(0, r.status) << r.err;
    EXPECT_NE(std::string::npos, r.out.find("\"cycles\": 903168")) << r.out.substr(0, 400);
}

// The import says how many data spaces the spec's constraints bypass and
// writes them as the levels' keeps; --constraints off keeps everything.
TEST(TimeloopCli, ConstraintsBecomeKeepsUnlessOff)
{
    std::string dir = TempDir("tl_constraints");
    const std::string src = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/example-simba-like/";
    const std::string imp = "import timeloop --arch '" + src + "simba_like.yaml' --out '" + dir;
    Result on = Pesim(imp + "/on'");
    ASSERT_EQ(0, on.status) << on.err;
    EXPECT_NE(std::string::npos, on.out.find("keeps     18 data spaces bypassed at their levels by the spec's "
                                             "constraints (levels' keeps)"))
        << on.out;
    std::string cfg = ReadFile(dir + "/on/arch.cfg");
    EXPECT_NE(std::string::npos, cfg.find("{ name = \"PEWeightRegs\";\n      keeps = [ \"weights\" ];")) << cfg;
    EXPECT_NE(std::string::npos, cfg.find("{ name = \"inter_PE_spatial\";\n      keeps = [ ];")) << cfg;
    Result run = Pesim("run --arch '" + dir + "/on/arch.cfg' --workload '" + dir + "/on/workload.cfg'");
    ASSERT_EQ(0, run.status) << run.err;
    EXPECT_NE(std::string::npos, run.out.find("1 valid, 0 invalid")) << run.out; // the default mapper's mapping
    Result off = Pesim(imp + "/off' --constraints off");
    ASSERT_EQ(0, off.status) << off.err;
    EXPECT_NE(std::string::npos, off.out.find("note      ignored: 18 data spaces bypassed at their levels by the "
                                              "spec's constraints (--constraints off)"))
        << off.out;
    EXPECT_EQ(std::string::npos, ReadFile(dir + "/off/arch.cfg").find("keeps = [ \"weights\" ];"));
    Result bad = Pesim(imp + "/bad' --constraints maybe");
    EXPECT_EQ(2, bad.status);
    EXPECT_NE(std::string::npos, bad.err.find("--constraints is on or off, not 'maybe'")) << bad.err;
}

// A v0.4 spec's import counts with first-read elision (a current Timeloop's
// default), a v0.3 spec's without (exercise 01, os: the register file's 16
// output fills are all first visits); --first-read-elision sets either.
TEST(TimeloopCli, FirstReadElisionFollowsTheSpecVersionOrTheFlag)
{
    std::string dir = TempDir("tl_elide");
    const std::string tl = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/";
    const std::string sws = tl + "example-simple-weight-stationary/";
    auto fills = [&](const std::string &out, const std::string &layer, const char *level) {
        Result r = Pesim("run --arch '" + out + "/arch.cfg' --workload '" + out + "/workload.cfg' --layer " + layer +
                         " --mapping '" + out + "/mapping.cfg' --json -");
        EXPECT_EQ(0, r.status) << r.err;
        Json j = ParseJson(r.out);
        for (const Json &lv : j["layers"].arr[0]["accesses"].arr)
            if (lv["level"].str == level && lv["tensor"].str == "outputs") return (int64_t)lv["fills"].num;
        ADD_FAILURE() << "no " << level << " outputs in " << r.out.substr(0, 400);
        return (int64_t)-1;
    };
    const std::string v04 = "import timeloop --arch '" + sws + "simple_weight_stationary.yaml' --map '" + sws +
                            "map/from-stats.map.yaml' --out '" + dir;
    Result on = Pesim(v04 + "/on'");
    ASSERT_EQ(0, on.status) << on.err;
    EXPECT_NE(std::string::npos, on.out.find("conventions \"timeloop\" with first-read elision")) << on.out;
    EXPECT_NE(std::string::npos, ReadFile(dir + "/on/arch.cfg").find("first_read_elision = true;"));
    EXPECT_EQ(12 * 802816, fills(dir + "/on", "simple_weight_stationary", "output_activation_reg"));
    ASSERT_EQ(0, Pesim(v04 + "/off' --first-read-elision off").status);
    EXPECT_EQ(std::string::npos, ReadFile(dir + "/off/arch.cfg").find("first_read_elision"));
    EXPECT_EQ(12 * 903168, fills(dir + "/off", "simple_weight_stationary", "output_activation_reg"));

    const std::string ex01 = tl + "01-model-conv1d-2level/";
    const std::string v03 = "import timeloop --arch '" + ex01 + "arch/2level.arch.yaml' --prob '" + ex01 +
                            "prob/conv1d.prob.yaml' --map '" + ex01 + "map/conv1d-2level-os.map.yaml' --out '" + dir;
    ASSERT_EQ(0, Pesim(v03 + "/v03'").status);
    EXPECT_EQ(16, fills(dir + "/v03", "conv1d", "Buffer"));
    ASSERT_EQ(0, Pesim(v03 + "/v03on' --first-read-elision on").status);
    EXPECT_EQ(0, fills(dir + "/v03on", "conv1d", "Buffer"));

    Result bad = Pesim(v04 + "/bad' --first-read-elision yes");
    EXPECT_EQ(2, bad.status);
    EXPECT_NE(std::string::npos, bad.err.find("--first-read-elision is on or off, not 'yes'")) << bad.err;
}

TEST(TimeloopCli, ExportThenImportEvaluatesTheSame)
{
    std::string dir = TempDir("tl_export");
    std::string work = dir + "/net.cfg";
    FILE *f = fopen(work.c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs("network = { name = \"n\"; input = { c = 8; h = 10; w = 10; };\n"
          "  layers = ( { name = \"c1\"; type = \"conv\"; inputs = [ \"input\" ]; k = 8; c = 8; p = 8; q = 8; "
          "r = 3; s = 3; } ); };\n",
          f);
    fclose(f);
    std::string arch = std::string(PESIM_SOURCE_DIR) + "/configs/arch/tiny.cfg";
    Result r = Pesim("export timeloop --arch '" + arch + "' --workload '" + work + "' --layer c1 --out '" + dir +
                     "/tl'");
    ASSERT_EQ(0, r.status) << r.err;
    EXPECT_NE(std::string::npos, r.out.find("with TIMELOOP_ENABLE_FIRST_READ_ELISION=0 (first_read_elision = false)"))
        << r.out;
    for (const char *file : {"arch.yaml", "ERT.yaml", "problem.yaml", "mapping.yaml"})
        EXPECT_TRUE(Exists(dir + "/tl/" + file)) << file;
    r = Pesim("import timeloop --arch '" + dir + "/tl/arch.yaml' --prob '" + dir + "/tl/problem.yaml' --map '" + dir +
              "/tl/mapping.yaml' --ert '" + dir + "/tl/ERT.yaml' --ert-rule actions --out '" + dir + "/back'");
    ASSERT_EQ(0, r.status) << r.err;
    // The import declares Timeloop's counting conventions; tiny.cfg has pesim's.
    // Evaluated under the same conventions, the round trip changes nothing but
    // what Timeloop's ERT does not carry: leakage and network hop energy.
    std::string back = ReadFile(dir + "/back/arch.cfg");
    size_t at = back.find("conventions = \"timeloop\"");
    ASSERT_NE(std::string::npos, at) << back;
    back.replace(at, strlen("conventions = \"timeloop\""), "conventions = \"pesim\"");
    f = fopen((dir + "/back/arch_pesim.cfg").c_str(), "w");
    ASSERT_NE(nullptr, f);
    fputs(back.c_str(), f);
    fclose(f);
    Result before = Pesim("run --arch '" + arch + "' --workload '" + work + "' --layer c1 --json -");
    Result after = Pesim("run --arch '" + dir + "/back/arch_pesim.cfg' --workload '" + dir +
                         "/back/workload.cfg' --layer problem --mapping '" + dir + "/back/mapping.cfg' --json -");
    ASSERT_EQ(0, before.status) << before.err;
    ASSERT_EQ(0, after.status) << after.err;
    Json b = ParseJson(before.out)["layers"].arr.at(0), a = ParseJson(after.out)["layers"].arr.at(0);
    EXPECT_EQ(b["macs"].num, a["macs"].num);
    EXPECT_EQ(b["cycles"].num, a["cycles"].num);
    auto dynamic = [](const Json &x) {
        const Json &br = x["energy_breakdown_pj"];
        return x["energy_pj"].num - br["noc"].num - br["leakage"].num;
    };
    EXPECT_GT(b["energy_breakdown_pj"]["noc"].num + b["energy_breakdown_pj"]["leakage"].num, 0.0);
    EXPECT_EQ(0.0, a["energy_breakdown_pj"]["noc"].num + a["energy_breakdown_pj"]["leakage"].num);
    EXPECT_NEAR(dynamic(b), dynamic(a), 1e-9 * dynamic(b));
    // refused: a layer without MACs, an imperfect mapping
    std::string resnet = std::string(PESIM_SOURCE_DIR) + "/workloads/resnet50.cfg";
    r = Pesim("export timeloop --workload '" + resnet + "' --layer pool1 --out '" + dir + "/p'");
    EXPECT_EQ(2, r.status);
    EXPECT_NE(std::string::npos, r.err.find("has no MACs")) << r.err;
    std::string map = dir + "/imperfect.cfg";
    f = fopen(map.c_str(), "w");  // K: 3 x 3 = 9 for a bound of 8
    ASSERT_NE(nullptr, f);
    fputs("mapping = { levels = ( { name = \"RF\"; temporal = { K = 3; }; }, { name = \"GLB\"; },\n"
          "  { name = \"DRAM\"; temporal = { K = 3; C = 8; P = 8; Q = 8; R = 3; S = 3; }; } ); };\n",
          f);
    fclose(f);
    r = Pesim("export timeloop --arch '" + arch + "' --workload '" + work + "' --layer c1 --mapping '" + map +
              "' --out '" + dir + "/q'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + map + ": K: the factors of K multiply to 9, not its bound 8: Timeloop needs exact factors\n"
                                "pesim: export timeloop: cannot express this in Timeloop's format\n",
              r.err);
    EXPECT_FALSE(Exists(dir + "/q"));
    r = Pesim("export timeloop --out x");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: export timeloop: --layer and --out are required\n", r.err);
}

}  // namespace
