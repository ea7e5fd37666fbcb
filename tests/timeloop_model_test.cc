// timeloop_model_test.cc - conventions = "timeloop" reproduces Timeloop's
// reference outputs of the public exercises (Accelergy-Project/
// timeloop-accelergy-exercises, folder exercises/timeloop/; the
// ref-output/*/timeloop-model.stats.txt or timeloop-mapper.stats.txt of each,
// at commit 0d5bb48 of that repository, the same commit as the arch of
// exercise 06). The pesim configs were written by hand from the exercises'
// YAML (tests/data/timeloop/<exercise>/pesim/, each file says where it comes
// from). Every number below is the reference output's, with its file: counts
// and cycles exactly, energies to the printed precision (two decimals, pJ).
// Timeloop prints per-instance counts; the totals are these times the
// utilized instances.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/engine.h"
#include "pesim/model.h"
#include "pesim/timeloop.h"
}

namespace {

struct Loaded {
    pesim_arch a;
    pesim_layer l;
    pesim_mapping m;
    pesim_cost c;
};

// Loads <dir>/pesim/{arch,workload,<map>}.cfg and evaluates the model.
::testing::AssertionResult load(const std::string &dir, const char *map, Loaded *x)
{
    std::string base = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/" + dir + "/pesim/";
    pesim_error e;
    if (pesim_arch_load((base + "arch.cfg").c_str(), &x->a, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << e.msg;
    pesim_network net;
    if (pesim_network_load((base + "workload.cfg").c_str(), &net, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << e.msg;
    x->l = net.layers[0];
    pesim_network_free(&net);
    if (pesim_mapping_load((base + map).c_str(), &x->a, &x->m, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << e.msg;
    if (pesim_model_evaluate(&x->a, &x->l, &x->m, &x->c) != PESIM_OK || !x->c.valid)
        return ::testing::AssertionFailure() << "invalid: " << x->c.reason;
    return ::testing::AssertionSuccess();
}

// One tensor at one level as Timeloop prints it (per instance).
struct Ref {
    const char *level;
    pesim_tensor t;
    int64_t reads, fills, updates, instances, capacity;
    double energy_total_pj;
};

// Timeloop prints energies with two decimals: each printed value is within
// 0.005 of the exact one.
constexpr double kPrinted = 0.0051;

void expect_level_tensors(const Loaded &x, const std::vector<Ref> &refs)
{
    for (const Ref &r : refs) {
        int lv = pesim_arch_find_level(&x.a, r.level);
        ASSERT_GE(lv, 0) << r.level;
        std::string what = std::string(r.level) + " " + pesim_tensor_name(r.t);
        const pesim_access &pi = x.c.access_per_instance[lv][r.t], &tot = x.c.access[lv][r.t];
        EXPECT_EQ(pi.reads, r.reads) << what << " reads per instance";
        EXPECT_EQ(pi.fills, r.fills) << what << " fills per instance";
        EXPECT_EQ(pi.updates, r.updates) << what << " updates per instance";
        EXPECT_EQ(x.c.utilized_instances[lv][r.t], r.instances) << what << " utilized instances";
        EXPECT_EQ(tot.reads, r.reads * r.instances) << what << " reads";
        EXPECT_EQ(tot.fills, r.fills * r.instances) << what << " fills";
        EXPECT_EQ(tot.updates, r.updates * r.instances) << what << " updates";
        EXPECT_EQ(x.c.utilized_capacity_words[lv][r.t], r.capacity) << what << " utilized capacity";
        double e = pesim_cost_access_energy_pj(&x.a, lv, &tot, x.c.utilized_instances[lv][r.t]);
        EXPECT_NEAR(e, r.energy_total_pj, kPrinted) << what << " energy";
    }
    // no other (level, tensor) is kept or accessed
    for (int lv = 0; lv < x.a.n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            bool listed = false;
            for (const Ref &r : refs) listed |= pesim_arch_find_level(&x.a, r.level) == lv && r.t == t;
            if (listed) continue;
            const pesim_access &tot = x.c.access[lv][t];
            EXPECT_EQ(tot.reads + tot.fills + tot.updates, 0) << x.a.level[lv].name << " " << pesim_tensor_name((pesim_tensor)t);
        }
}

// One network as Timeloop prints it: per instance of its source level.
struct NetRef {
    const char *source; // the level that fans out
    pesim_tensor t;
    int64_t fanout, multicast, ingresses, spatial_reductions;
    double avg_hops;
};

void expect_networks(const Loaded &x, const std::vector<NetRef> &refs)
{
    for (const NetRef &r : refs) {
        int lv = pesim_arch_find_level(&x.a, r.source);
        ASSERT_GE(lv, 0) << r.source;
        std::string what = std::string(r.source) + " network " + pesim_tensor_name(r.t);
        int64_t inst = pesim_mapping_instances(&x.m, lv);
        EXPECT_EQ(x.c.noc_fanout[lv][r.t], r.fanout) << what << " fanout";
        EXPECT_DOUBLE_EQ(x.c.noc_multicast[lv][r.t], (double)r.multicast) << what << " multicast";
        EXPECT_EQ(x.c.noc_ingress_words[lv][r.t], r.ingresses * inst) << what << " ingresses";
        EXPECT_EQ(x.c.noc_spatial_reductions[lv][r.t], r.spatial_reductions * inst) << what << " spatial reductions";
        EXPECT_NEAR(x.c.noc_word_hops[lv][r.t] / (double)x.c.noc_ingress_words[lv][r.t], r.avg_hops, 0.0051)
            << what << " average hops";
    }
}

// engine: also run the cycle engine (too slow for exercise 06's 3.2 million blocks)
void expect_summary(const Loaded &x, int64_t cycles, double energy_pj, double utilization, bool engine = true)
{
    EXPECT_EQ(x.c.cycles, cycles);
    EXPECT_NEAR(x.c.energy_pj, energy_pj, kPrinted) << "within the printed total";
    EXPECT_NEAR(x.c.utilization, utilization, 0.005);
    if (!engine) return;
    // the engine counts the same accesses (its cycles are its own)
    pesim_cost ce;
    ASSERT_EQ(pesim_engine_run(&x.a, &x.l, &x.m, nullptr, &ce, nullptr), PESIM_OK);
    EXPECT_EQ(memcmp(ce.access, x.c.access, sizeof ce.access), 0);
    EXPECT_EQ(memcmp(ce.noc_ingress_words, x.c.noc_ingress_words, sizeof ce.noc_ingress_words), 0);
}

} // namespace

// exercises/timeloop/00-model-conv1d-1level/ref-output/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex00OneLevel)
{
    Loaded x;
    ASSERT_TRUE(load("00-model-conv1d-1level", "mapping.cfg", &x));
    expect_level_tensors(x, {
        {"Buffer", PESIM_WEIGHTS, 48, 0, 0, 1, 3, 20.16},
        {"Buffer", PESIM_INPUTS, 48, 0, 0, 1, 18, 20.16},
        {"Buffer", PESIM_OUTPUTS, 32, 0, 48, 1, 16, 33.60},
    });
    EXPECT_NEAR(x.c.energy_mac_pj, 28.94, kPrinted);
    expect_networks(x, {{"Buffer", PESIM_WEIGHTS, 1, 1, 48, 0, 0.50},
                        {"Buffer", PESIM_INPUTS, 1, 1, 48, 0, 0.50},
                        {"Buffer", PESIM_OUTPUTS, 1, 1, 48, 0, 0.50}});
    expect_summary(x, 48, 102.86, 1.00); // "Total topology energy: 102.86 pJ"
}

// exercises/timeloop/01-model-conv1d-2level/ref-output/os/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex01OutputStationary)
{
    Loaded x;
    ASSERT_TRUE(load("01-model-conv1d-2level", "mapping-os.cfg", &x));
    expect_level_tensors(x, {
        {"Buffer", PESIM_WEIGHTS, 48, 3, 0, 1, 3, 21.42},
        {"Buffer", PESIM_INPUTS, 48, 18, 0, 1, 3, 27.72},
        {"Buffer", PESIM_OUTPUTS, 32, 16, 48, 1, 1, 40.32},
        {"MainMemory", PESIM_WEIGHTS, 3, 0, 0, 1, 3, 39.88},
        {"MainMemory", PESIM_INPUTS, 18, 0, 0, 1, 18, 119.63},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 16, 1, 16, 79.76},
    });
    expect_networks(x, {{"MainMemory", PESIM_WEIGHTS, 1, 1, 3, 0, 0.50},
                        {"MainMemory", PESIM_INPUTS, 1, 1, 18, 0, 0.50},
                        {"MainMemory", PESIM_OUTPUTS, 1, 1, 16, 0, 0.50}});
    expect_summary(x, 48, 357.67, 1.00);
}

// exercises/timeloop/01-model-conv1d-2level/ref-output/ws/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex01WeightStationary)
{
    Loaded x;
    ASSERT_TRUE(load("01-model-conv1d-2level", "mapping-ws.cfg", &x));
    expect_level_tensors(x, {
        {"Buffer", PESIM_WEIGHTS, 48, 3, 0, 1, 1, 21.42},
        {"Buffer", PESIM_INPUTS, 48, 18, 0, 1, 16, 27.72},
        {"Buffer", PESIM_OUTPUTS, 32, 16, 48, 1, 16, 40.32},
        {"MainMemory", PESIM_WEIGHTS, 3, 0, 0, 1, 3, 39.88},
        {"MainMemory", PESIM_INPUTS, 18, 0, 0, 1, 18, 119.63},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 16, 1, 16, 79.76},
    });
    expect_summary(x, 48, 357.67, 1.00);
}

// exercises/timeloop/02-model-conv1d+oc-2level/ref-output/tiling/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex02Tiled)
{
    Loaded x;
    ASSERT_TRUE(load("02-model-conv1d+oc-2level", "mapping-tiling.cfg", &x));
    expect_level_tensors(x, {
        {"Buffer", PESIM_WEIGHTS, 1536, 96, 0, 1, 6, 685.44},
        {"Buffer", PESIM_INPUTS, 1536, 288, 0, 1, 3, 766.08},
        {"Buffer", PESIM_OUTPUTS, 1024, 512, 1536, 1, 2, 1290.24},
        {"MainMemory", PESIM_WEIGHTS, 96, 0, 0, 1, 96, 478.54},
        {"MainMemory", PESIM_INPUTS, 288, 0, 0, 1, 18, 1435.61},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 512, 1, 512, 2552.19},
    });
    EXPECT_NEAR(x.c.energy_mac_pj, 926.21, kPrinted);
    expect_summary(x, 1536, 8134.30, 1.00);
}

// exercises/timeloop/03-model-conv1d+oc-3level/ref-output/bypass/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex03Bypass)
{
    Loaded x;
    ASSERT_TRUE(load("03-model-conv1d+oc-3level", "mapping-bypass.cfg", &x));
    expect_level_tensors(x, {
        {"RegisterFile", PESIM_OUTPUTS, 1024, 512, 1536, 1, 2, 1290.24},
        {"GlobalBuffer", PESIM_WEIGHTS, 1536, 96, 0, 1, 96, 5246.11},
        {"GlobalBuffer", PESIM_INPUTS, 1536, 18, 0, 1, 18, 5040.38},
        {"MainMemory", PESIM_WEIGHTS, 96, 0, 0, 1, 96, 6144.00},
        {"MainMemory", PESIM_INPUTS, 18, 0, 0, 1, 18, 2048.00},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 512, 1, 512, 32768.00},
    });
    EXPECT_NEAR(x.c.energy_mac_pj, 926.21, kPrinted);
    EXPECT_EQ(x.c.cycles, 1536);
    // the total is the sum of the per-tensor energies and the MACs' (the file
    // prints no total to more than 3 digits: "Energy: 0.05 uJ")
    EXPECT_NEAR(x.c.energy_pj, 926.21 + 1290.24 + 5246.11 + 5040.38 + 6144.00 + 2048.00 + 32768.00, 7 * kPrinted);
}

// exercises/timeloop/04-model-conv1d+oc-3levelspatial/ref-output/kp/timeloop-model.stats.txt
TEST(TimeloopExercises, Ex04KParallel)
{
    Loaded x;
    ASSERT_TRUE(load("04-model-conv1d+oc-3levelspatial", "mapping-kp.cfg", &x));
    expect_level_tensors(x, {
        {"RegisterFile", PESIM_WEIGHTS, 3072, 192, 0, 16, 1, 21934.08},
        {"RegisterFile", PESIM_INPUTS, 3072, 1152, 0, 16, 16, 28385.28},
        {"RegisterFile", PESIM_OUTPUTS, 3040, 1024, 3072, 16, 16, 47953.92},
        {"GlobalBuffer", PESIM_WEIGHTS, 3072, 3072, 0, 1, 3072, 19750.08},
        {"GlobalBuffer", PESIM_INPUTS, 1152, 576, 0, 1, 576, 5554.71},
        {"GlobalBuffer", PESIM_OUTPUTS, 15872, 512, 16384, 1, 512, 105333.76},
        {"MainMemory", PESIM_WEIGHTS, 3072, 0, 0, 1, 3072, 196608.00},
        {"MainMemory", PESIM_INPUTS, 576, 0, 0, 1, 576, 36864.00},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 512, 1, 512, 32768.00},
    });
    EXPECT_NEAR(x.c.energy_mac_pj, 29638.66, kPrinted);
    EXPECT_EQ(x.c.cycles, 3072);
    EXPECT_NEAR(x.c.utilization, 1.00, 0.005);
}

// exercises/timeloop/04-model-conv1d+oc-3levelspatial/ref-output/cp/timeloop-model.stats.txt:
// spatial reduction of the outputs over the 16 register files
TEST(TimeloopExercises, Ex04CParallel)
{
    Loaded x;
    ASSERT_TRUE(load("04-model-conv1d+oc-3levelspatial", "mapping-cp.cfg", &x));
    expect_level_tensors(x, {
        {"RegisterFile", PESIM_WEIGHTS, 3072, 192, 0, 16, 1, 21934.08},
        {"RegisterFile", PESIM_INPUTS, 3072, 1152, 0, 16, 16, 28385.28},
        {"RegisterFile", PESIM_OUTPUTS, 2560, 1024, 3072, 16, 16, 44728.32},
        {"GlobalBuffer", PESIM_WEIGHTS, 3072, 3072, 0, 1, 3072, 19750.08},
        {"GlobalBuffer", PESIM_INPUTS, 18432, 576, 0, 1, 576, 61101.81},
        {"GlobalBuffer", PESIM_OUTPUTS, 512, 512, 1024, 1, 512, 6583.36},
        {"MainMemory", PESIM_WEIGHTS, 3072, 0, 0, 1, 3072, 196608.00},
        {"MainMemory", PESIM_INPUTS, 576, 0, 0, 1, 576, 36864.00},
        {"MainMemory", PESIM_OUTPUTS, 0, 0, 512, 1, 512, 32768.00},
    });
    expect_networks(x, {
        {"RegisterFile", PESIM_WEIGHTS, 1, 1, 3072, 0, 0.50},
        {"GlobalBuffer", PESIM_WEIGHTS, 16, 1, 3072, 0, 2.00},
        {"GlobalBuffer", PESIM_INPUTS, 16, 1, 18432, 0, 2.00},
        {"GlobalBuffer", PESIM_OUTPUTS, 16, 16, 1024, 15360, 15.50},
        {"MainMemory", PESIM_OUTPUTS, 1, 1, 512, 0, 0.50},
    });
    expect_summary(x, 3072, 478361.59, 1.00); // "Total topology energy: 478361.59 pJ"
}

// exercises/timeloop/06-mapper-convlayer-eyeriss/ref-output/timeloop-mapper.stats.txt: the
// mapper's best mapping of a VGG-like layer (batch 16) on a 16 x 16 Eyeriss-like array:
// row-stationary, four spatial dims over two fan-out levels, per-tensor register files,
// a DummyBuffer that keeps nothing, weights bypassing the global buffer, and the partial
// sums' register file throttled by its write bandwidth.
TEST(TimeloopExercises, Ex06EyerissMapper)
{
    Loaded x;
    ASSERT_TRUE(load("06-mapper-convlayer-eyeriss", "mapping.cfg", &x));
    expect_level_tensors(x, {
        {"PsumRegFile", PESIM_OUTPUTS, 307478528, 25690112, 308281344, 192, 8, 24877996179.46},
        {"WeightRegFile", PESIM_WEIGHTS, 308281344, 2752512, 0, 192, 96, 91787335041.02},
        {"InputRegFile", PESIM_INPUTS, 308281344, 13303808, 0, 192, 12, 11607937646.59},
        {"GlobalBuffer", PESIM_INPUTS, 319291392, 79822848, 0, 1, 5568, 2643433390.08},
        {"GlobalBuffer", PESIM_OUTPUTS, 796393472, 25690112, 822083584, 1, 57344, 10889730195.46},
        {"DRAM", PESIM_WEIGHTS, 132120576, 0, 0, 1, 1179648, 16911433728.00},
        {"DRAM", PESIM_INPUTS, 79822848, 0, 0, 1, 13778944, 10217324544.00},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 25690112, 1, 25690112, 3288334336.00},
    });
    EXPECT_NEAR(x.c.energy_mac_pj, 71442351783.94, kPrinted);
    // Networks 0-5 of the file: each level's network, per instance of the level
    expect_networks(x, {
        {"PsumRegFile", PESIM_WEIGHTS, 1, 1, 308281344, 0, 0.50},
        {"PsumRegFile", PESIM_INPUTS, 1, 1, 308281344, 0, 0.50},
        {"PsumRegFile", PESIM_OUTPUTS, 1, 1, 308281344, 0, 0.50},
        {"WeightRegFile", PESIM_WEIGHTS, 1, 1, 308281344, 0, 0.50},
        {"WeightRegFile", PESIM_INPUTS, 1, 1, 308281344, 0, 0.50},
        {"WeightRegFile", PESIM_OUTPUTS, 1, 1, 25690112, 0, 0.50},
        {"InputRegFile", PESIM_WEIGHTS, 1, 1, 2752512, 0, 0.50},
        {"InputRegFile", PESIM_INPUTS, 1, 1, 308281344, 0, 0.50},
        {"InputRegFile", PESIM_OUTPUTS, 1, 1, 25690112, 0, 0.50},
        {"DummyBuffer", PESIM_WEIGHTS, 12, 1, 33030144, 0, 1.73},
        {"DummyBuffer", PESIM_INPUTS, 12, 2, 79822848, 0, 3.97},
        {"DummyBuffer", PESIM_OUTPUTS, 12, 6, 51380224, 256901120, 8.08},
        {"GlobalBuffer", PESIM_WEIGHTS, 16, 4, 132120576, 0, 7.50},
        {"GlobalBuffer", PESIM_INPUTS, 16, 4, 319291392, 0, 7.50},
        {"GlobalBuffer", PESIM_OUTPUTS, 16, 1, 822083584, 0, 2.00},
        {"DRAM", PESIM_WEIGHTS, 1, 1, 132120576, 0, 0.50},
        {"DRAM", PESIM_INPUTS, 1, 1, 79822848, 0, 0.50},
        {"DRAM", PESIM_OUTPUTS, 1, 1, 25690112, 0, 0.50},
    });
    // "Cycles: 333971456" (PsumRegFile: "Bandwidth throttling : 0.92"), "Utilization: 0.69",
    // "Total topology energy: 243665876844.54 pJ"
    EXPECT_EQ(x.c.compute_cycles, 308281344);
    EXPECT_EQ(x.c.level_cycles[0], 333971456);
    expect_summary(x, 333971456, 243665876844.54, 0.69, false);
}

// A current Timeloop (v0.4, timeloopfe) example design from
// workspace/example_designs: its processed input (architecture and problem in
// one file, with `densities: {}` and dummy_storage levels) imported as it is,
// with the mapping its reference stats.txt reports; with an ERT, its energies
// by actions (a current Timeloop's rule).
::testing::AssertionResult load_example(const std::string &dir, const std::string &file, const std::string &map,
                                        Loaded *x, const char *ert = nullptr)
{
    const std::string base = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/" + dir + "/";
    const std::string ert_path = ert ? base + ert : std::string();
    pesim_tl_problem prob;
    pesim_error e;
    if (pesim_timeloop_load_arch((base + file).c_str(), ert ? ert_path.c_str() : nullptr,
                                 ert ? PESIM_TL_ERT_ACTIONS : PESIM_TL_ERT_MAX, &x->a, &e) != PESIM_OK ||
        pesim_timeloop_load_problem((base + file).c_str(), &prob, &e) != PESIM_OK ||
        pesim_timeloop_load_mapping((base + map).c_str(), &x->a, &prob, &x->m, &e) != PESIM_OK ||
        pesim_mapping_check(&x->m, &x->a, &prob.layer, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << e.msg;
    x->l = prob.layer;
    if (pesim_model_evaluate(&x->a, &x->l, &x->m, &x->c) != PESIM_OK || !x->c.valid)
        return ::testing::AssertionFailure() << "invalid: " << x->c.reason;
    return ::testing::AssertionSuccess();
}

// stats.txt per instance: "Scalar reads", "fills", "updates", "Utilized
// instances", "Utilized capacity" (no energies: the examples' ERTs are not
// in tests/data)
struct CountRef {
    const char *level;
    pesim_tensor t;
    int64_t reads, fills, updates, instances, capacity;
};

void expect_counts(const Loaded &x, const std::vector<CountRef> &refs)
{
    for (const CountRef &r : refs) {
        int lv = pesim_arch_find_level(&x.a, r.level);
        ASSERT_GE(lv, 0) << r.level;
        std::string what = std::string(r.level) + " " + pesim_tensor_name(r.t);
        const pesim_access &pi = x.c.access_per_instance[lv][r.t];
        EXPECT_EQ(pi.reads, r.reads) << what;
        EXPECT_EQ(pi.fills, r.fills) << what;
        EXPECT_EQ(pi.updates, r.updates) << what;
        EXPECT_EQ(x.c.utilized_instances[lv][r.t], r.instances) << what;
        EXPECT_EQ(x.c.utilized_capacity_words[lv][r.t], r.capacity) << what;
    }
}

// "Energy (total)" of each level (its tensors' summed) and of the MACs in
// stats.txt: pesim's equal Timeloop's to the printed 0.01 pJ.
struct LevelEnergy {
    const char *level;
    double pj;
};

void expect_energies(const Loaded &x, double mac_pj, const std::vector<LevelEnergy> &refs)
{
    for (const LevelEnergy &r : refs) {
        int lv = pesim_arch_find_level(&x.a, r.level);
        ASSERT_GE(lv, 0) << r.level;
        EXPECT_NEAR(x.c.energy_level_pj[lv], r.pj, 0.01) << r.level;
    }
    EXPECT_NEAR(x.c.energy_mac_pj, mac_pj, 0.01);
}

// The same design counted without first-read elision (the v3 exercises'
// Timeloop, TIMELOOP_ENABLE_FIRST_READ_ELISION=0 on a current one): every
// load of an output tile is a fill, first visits included (docs/model.md,
// rule F). Only the output fills of the levels below the outermost change.
void expect_without_elision(Loaded x, const std::vector<CountRef> &refs)
{
    ASSERT_EQ(x.a.first_read_elision, 1); /* a v0.4 spec: on */
    x.a.first_read_elision = 0;
    ASSERT_EQ(pesim_model_evaluate(&x.a, &x.l, &x.m, &x.c), PESIM_OK);
    ASSERT_TRUE(x.c.valid) << x.c.reason;
    expect_counts(x, refs);
}

// The spec's dataspace constraints are the levels' keeps (docs/timeloop.md,
// "Constraints"), so pesim's default mapper finds a valid mapping; with every
// level keeping all three tensors (--constraints off) it finds none: nothing
// fits the one-word registers.
void expect_default_mapper_valid(const Loaded &x)
{
    pesim_mapping dm;
    pesim_error e;
    ASSERT_EQ(pesim_mapper_default(&x.a, &x.l, &dm, &e), PESIM_OK) << e.msg;
    pesim_cost dc;
    ASSERT_EQ(pesim_model_evaluate(&x.a, &x.l, &dm, &dc), PESIM_OK);
    EXPECT_TRUE(dc.valid) << dc.reason;
    pesim_arch all = x.a;
    for (int L = 0; L < all.n_levels; L++)
        for (int t = 0; t < PESIM_NTENSORS; t++) all.level[L].keeps[t] = 1;
    EXPECT_NE(pesim_mapper_default(&all, &x.l, &dm, &e), PESIM_OK);
}

// simple_weight_stationary: a dummy_storage level for the PE array and three
// one-word registers. Every count is Timeloop's, the output fills with
// first-read elision (a v0.4 spec's default): output_activation_reg loads
// 802,816 words a PE, its 903,168 tiles less the 100,352 it starts at 0.
TEST(TimeloopExamples, SimpleWeightStationaryV04)
{
    Loaded x;
    ASSERT_TRUE(load_example("example-simple-weight-stationary", "simple_weight_stationary.yaml",
                             "map/from-stats.map.yaml", &x, "ert/ERT.yaml"));
    expect_counts(x, {
        {"output_activation_reg", PESIM_OUTPUTS, 802816, 802816, 903168, 12, 1},
        {"input_activation_reg", PESIM_INPUTS, 903168, 903168, 0, 12, 1},
        {"weight_reg", PESIM_WEIGHTS, 903168, 2016, 0, 12, 1},
        {"pe_spad", PESIM_WEIGHTS, 2016, 2016, 0, 12, 3},
        {"shared_glb", PESIM_WEIGHTS, 24192, 864, 0, 1, 864},
        {"shared_glb", PESIM_INPUTS, 2709504, 151875, 0, 1, 11475},
        {"shared_glb", PESIM_OUTPUTS, 3211264, 0, 3612672, 1, 28672},
        {"DRAM", PESIM_WEIGHTS, 864, 0, 0, 1, 864},
        {"DRAM", PESIM_INPUTS, 151875, 0, 0, 1, 151875},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 401408, 1, 401408},
    });
    // "Cycles: 903168", "Utilization: 4.69%", "Computes = 10838016"
    EXPECT_EQ(x.c.macs, 10838016);
    EXPECT_EQ(x.c.cycles, 903168);
    EXPECT_NEAR(x.c.utilization, 0.0469, 0.00005);
    // Each kind of access in whole blocks (4 words at shared_glb and DRAM): the
    // 151,875 input words are 37,968.75 blocks, charged as 37,969, as Timeloop
    // charges them. Leakage: pe_spad 12,626.29 pJ and shared_glb 4,834.66 pJ.
    expect_energies(x, 3413975.04,
                    {{"output_activation_reg", 1387266.05},
                     {"input_activation_reg", 1560674.30},
                     {"weight_reg", 1560674.30},
                     {"pe_spad", 54744.44},
                     {"shared_glb", 201470.67 + 22925078.11 + 49617448.29},
                     {"DRAM", 110592.00 + 19440128.00 + 51380224.00}});
    EXPECT_NEAR(x.c.energy_leak_pj, 12626.29 + 4834.66, 0.02);
    EXPECT_NEAR(x.c.energy_pj, 151.67e6, 0.005e6); // "Energy: 151.67 uJ"
    expect_without_elision(x, {
        {"output_activation_reg", PESIM_OUTPUTS, 802816, 903168, 903168, 12, 1},
        {"shared_glb", PESIM_OUTPUTS, 3211264, 401408, 3612672, 1, 28672},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 401408, 1, 401408},
    });
    expect_default_mapper_valid(x);
}

// simple_output_stationary: the same PE array, each PE's pe_spad keeping its
// outputs (56 words) over C3 P4 S3, the 16 PEs splitting M; shared_glb
// bypasses the outputs. Every count is Timeloop's: with first-read elision
// output_activation_reg loads 652,288 words a PE (its 677,376 loads less the
// 25,088 outputs it holds) and pe_spad none (each of its outputs is visited
// by one DRAM pass).
TEST(TimeloopExamples, SimpleOutputStationaryV04)
{
    Loaded x;
    ASSERT_TRUE(load_example("example-simple-output-stationary", "simple_output_stationary.yaml",
                             "map/from-stats.map.yaml", &x, "ert/ERT.yaml"));
    expect_counts(x, {
        {"output_activation_reg", PESIM_OUTPUTS, 652288, 652288, 677376, 16, 1},
        {"input_activation_reg", PESIM_INPUTS, 677376, 677376, 0, 16, 1},
        {"weight_reg", PESIM_WEIGHTS, 677376, 48384, 0, 16, 1},
        {"pe_spad", PESIM_OUTPUTS, 652288, 0, 677376, 16, 56},
        {"shared_glb", PESIM_WEIGHTS, 774144, 13824, 0, 1, 432},
        {"shared_glb", PESIM_INPUTS, 677376, 157296, 0, 1, 9831},
        {"DRAM", PESIM_WEIGHTS, 13824, 0, 0, 1, 864},
        {"DRAM", PESIM_INPUTS, 157296, 0, 0, 1, 151875},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 401408, 1, 401408},
    });
    // "Cycles: 677376", "Utilization: 6.25%", "Computes = 10838016"
    EXPECT_EQ(x.c.macs, 10838016);
    EXPECT_EQ(x.c.cycles, 677376);
    EXPECT_NEAR(x.c.utilization, 0.0625, 0.00005);
    // Leakage: the ERT's leak action a cycle for each utilized instance, pe_spad
    // 12,626.29 pJ and shared_glb 3,625.99 pJ ("Leakage energy (total)"); the
    // MACs' leak action is not charged, by Timeloop either.
    expect_energies(x, 3413975.04,
                    {{"output_activation_reg", 1502871.55},
                     {"input_activation_reg", 1560674.30},
                     {"weight_reg", 1560674.30},
                     {"pe_spad", 24252456.40},
                     {"shared_glb", 6356663.22 + 6511574.88},
                     {"DRAM", 1769472.00 + 20133888.00 + 51380224.00}});
    EXPECT_NEAR(x.c.energy_leak_pj, 12626.29 + 3625.99, 0.02);
    EXPECT_NEAR(x.c.energy_pj, 118.46e6, 0.005e6); // "Energy: 118.46 uJ"
    // the cycle engine counts the same accesses, first-read elision and all
    pesim_cost ce;
    ASSERT_EQ(pesim_engine_run(&x.a, &x.l, &x.m, nullptr, &ce, nullptr), PESIM_OK);
    EXPECT_EQ(memcmp(ce.access, x.c.access, sizeof ce.access), 0);
    expect_without_elision(x, {
        {"output_activation_reg", PESIM_OUTPUTS, 652288, 677376, 677376, 16, 1},
        {"pe_spad", PESIM_OUTPUTS, 652288, 25088, 677376, 16, 56},
    });
    expect_default_mapper_valid(x);
}

// eyeriss_like: two dummy_storage levels (the array's 14 columns, Q14 along
// X; 12 PEs each, C3 S3 down Y: 126 used), 8-bit spads of 2-word blocks
// beside a 16-bit psum spad. Every count is Timeloop's but one: shared_glb's
// input reads, rule W: pesim 911,232 where Timeloop prints 1,354,752 (every
// ifmap fill). pesim's "timeloop" rule shares identical windows of the
// parent's direct children, found among the parent's own spatial loops;
// shared_glb has none (its fan-out is the bypassed dummy levels'), so pesim
// shares the input column a PE at (q, s = 2) and one at (q + 1, s = 0) both
// read, which Timeloop, comparing column boxes that overlap but differ,
// does not.
TEST(TimeloopExamples, EyerissLikeV04)
{
    Loaded x;
    ASSERT_TRUE(
        load_example("example-eyeriss-like", "eyeriss_like.yaml", "map/from-map-txt.map.yaml", &x, "ert/ERT.yaml"));
    expect_counts(x, {
        {"psum_spad", PESIM_OUTPUTS, 57344, 0, 86016, 126, 8},
        {"weights_spad", PESIM_WEIGHTS, 86016, 1536, 0, 126, 24},
        {"ifmap_spad", PESIM_INPUTS, 86016, 10752, 0, 126, 3},
        {"shared_glb", PESIM_INPUTS, 911232 /* Timeloop: 1354752 */, 157296, 0, 1, 9831},
        {"shared_glb", PESIM_OUTPUTS, 0, 0, 401408, 1, 6272},
        {"DRAM", PESIM_WEIGHTS, 13824, 0, 0, 1, 864},
        {"DRAM", PESIM_INPUTS, 157296, 0, 0, 1, 151875},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 401408, 1, 401408},
    });
    // "Cycles: 86016", 126 of 168 MACs
    EXPECT_EQ(x.c.macs, 10838016);
    EXPECT_EQ(x.c.cycles, 86016);
    EXPECT_NEAR(x.c.utilization, 0.75, 0.00005);
    // Energies: Timeloop's but shared_glb's, lower by rule W's 443,520 input
    // reads (55,440 reads of its 8-word blocks at 18.183829 pJ); leakage as
    // Timeloop's. Timeloop's total: "Energy: 59.28 uJ".
    const double rule_w_pj = (1354752 - 911232) / 8 * 18.183829;
    expect_energies(x, 2250969.22,
                    {{"psum_spad", 4190338.25},
                     {"weights_spad", 10893306.24},
                     {"ifmap_spad", 1216735.96},
                     {"shared_glb", 3357302.30 + 709384.73 - rule_w_pj},
                     {"DRAM", 884736.00 + 10066944.00 + 25690112.00}});
    EXPECT_NEAR(x.c.energy_leak_pj, 1452.29 + 17254.12 + 1094.64 + 486.16, 0.04);
    EXPECT_NEAR(x.c.energy_pj, 59.28e6 - rule_w_pj, 0.005e6);
    expect_without_elision(x, {
        {"psum_spad", PESIM_OUTPUTS, 57344, 28672, 86016, 126, 8},
        {"shared_glb", PESIM_OUTPUTS, 0, 401408, 401408, 1, 6272},
    });
    expect_default_mapper_valid(x);
}

// simba_like: nine storage levels (three of them dummy_storage fan-outs), and
// PEWeightRegs, one register per MAC, in clusters of 64 (`cluster_size: 64`,
// `width: 512`: blocks of one 8-bit word). Every count, the cycles and every
// energy are Timeloop's. Timeloop charges a clustered level's accesses once
// per utilized cluster: its 48 utilized registers spread over the 256 / 64 = 4
// clusters, so PEWeightRegs costs 4 registers' accesses, not 48.
TEST(TimeloopExamples, SimbaLikeV04)
{
    Loaded x;
    ASSERT_TRUE(
        load_example("example-simba-like", "simba_like.yaml", "map/from-stats.map.yaml", &x, "ert/ERT.yaml"));
    ASSERT_EQ(x.a.n_levels, 9);
    const int regs = pesim_arch_find_level(&x.a, "PEWeightRegs");
    ASSERT_GE(regs, 0);
    EXPECT_EQ(x.a.level[regs].cluster_size, 64);
    EXPECT_EQ(x.a.level[regs].block_words, 1);
    EXPECT_EQ(x.a.level[regs].capacity_words, 1);
    expect_counts(x, {
        {"PEWeightRegs", PESIM_WEIGHTS, 225792, 32256, 0, 48, 1},
        {"PEAccuBuffer", PESIM_OUTPUTS, 200704, 50176, 225792, 48, 14},
        {"PEWeightBuffer", PESIM_WEIGHTS, 32256, 18, 0, 48, 18},
        {"PEInputBuffer", PESIM_INPUTS, 225792, 56700, 0, 12, 513},
        {"GlobalBuffer", PESIM_INPUTS, 170100, 151875, 0, 1, 6075},
        {"GlobalBuffer", PESIM_OUTPUTS, 802816, 0, 1204224, 1, 14336},
        {"DRAM", PESIM_WEIGHTS, 864, 0, 0, 1, 864},
        {"DRAM", PESIM_INPUTS, 151875, 0, 0, 1, 151875},
        {"DRAM", PESIM_OUTPUTS, 0, 0, 401408, 1, 401408},
    });
    // "Cycles: 225792", "Utilization: 18.75%", "Computes = 10838016"
    EXPECT_EQ(x.c.macs, 10838016);
    EXPECT_EQ(x.c.cycles, 225792);
    EXPECT_NEAR(x.c.utilization, 0.1875, 0.00005);
    expect_energies(x, 3413975.04,
                    {{"PEWeightRegs", 245072.31},
                     {"PEAccuBuffer", 67862952.49},
                     {"PEWeightBuffer", 23505671.40},
                     {"PEInputBuffer", 102530765.43},
                     {"GlobalBuffer", 590523.43 + 3796748.18},
                     {"DRAM", 55296.00 + 9720320.00 + 25690112.00}});
    // leakage for each utilized instance (48 registers, not 4 clusters)
    EXPECT_NEAR(x.c.energy_leak_pj, 1831.62 + 37022.66 + 1132952.00 + 562189.57 + 731.79, 0.03);
    EXPECT_NEAR(x.c.energy_pj, 239.15e6, 0.005e6); // "Energy: 239.15 uJ"
    // without the clusters each of the 48 registers pays its own accesses
    Loaded y = x;
    y.a.level[regs].cluster_size = 0;
    ASSERT_EQ(pesim_model_evaluate(&y.a, &y.l, &y.m, &y.c), PESIM_OK);
    EXPECT_NEAR(y.c.energy_level_pj[regs], 245072.31 * 48 / 4, 0.12);
    EXPECT_EQ(memcmp(y.c.access, x.c.access, sizeof y.c.access), 0);
    // the cycle engine counts the same accesses on the nine levels
    pesim_cost ce;
    ASSERT_EQ(pesim_engine_run(&x.a, &x.l, &x.m, nullptr, &ce, nullptr), PESIM_OK);
    EXPECT_EQ(memcmp(ce.access, x.c.access, sizeof ce.access), 0);
    // its dataspace constraints are the levels' keeps: the registers keep the
    // weights alone, the dummy levels nothing
    const int dummy = pesim_arch_find_level(&x.a, "inter_PE_spatial");
    ASSERT_GE(dummy, 0);
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        EXPECT_EQ(x.a.level[regs].keeps[t], t == PESIM_WEIGHTS) << t;
        EXPECT_EQ(x.a.level[dummy].keeps[t], 0) << t;
    }
    expect_default_mapper_valid(x);
}
