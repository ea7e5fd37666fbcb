// arch_test.cc - the shipped architecture library (configs/arch/*.cfg).
//
// Every file in configs/arch/ is found by listing the directory, so a new file is
// covered without editing this test: it must load, pass pesim_arch_check, be named
// like its file, keep DRAM outermost with a plausible peak bandwidth, bound every
// on-chip level, and round-trip through pesim_arch_write. Then the key published
// facts of each shipped architecture are checked (docs/architectures.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "pesim/config.h"

namespace fs = std::filesystem;

namespace {

std::string arch_dir() { return std::string(PESIM_SOURCE_DIR) + "/configs/arch"; }

std::string arch_path(const std::string &name) { return arch_dir() + "/" + name + ".cfg"; }

std::vector<std::string> arch_files()
{
    std::vector<std::string> v;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(arch_dir(), ec))
        if (e.is_regular_file() && e.path().extension() == ".cfg") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
}

std::string stem(const std::string &path) { return fs::path(path).stem().string(); }

// A GoogleTest-safe test name from a file path (letters, digits, '_').
std::string param_name(const testing::TestParamInfo<std::string> &info)
{
    std::string s = stem(info.param);
    for (char &c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

testing::AssertionResult load(const std::string &path, pesim_arch *a)
{
    pesim_error e;
    pesim_error_clear(&e);
    std::memset(a, 0, sizeof *a);
    if (pesim_arch_load(path.c_str(), a, &e) != PESIM_OK) {
        char buf[1024];
        return testing::AssertionFailure() << "load " << path << ": " << pesim_error_format(&e, buf, sizeof buf);
    }
    return testing::AssertionSuccess();
}

// Peak DRAM bandwidth of the outermost level, in GB/s.
double dram_gbps(const pesim_arch &a)
{
    const pesim_level &top = a.level[a.n_levels - 1];
    double wpc = pesim_dram_words_per_cycle(&top.dram, a.word_bits, a.clock_mhz);
    return wpc * (a.word_bits / 8.0) * a.clock_mhz / 1000.0;
}

bool has_dim(uint32_t mask, pesim_dim d) { return (mask >> d) & 1u; }

// ---------------------------------------------------------------------------
// Every file of the directory.

class ArchFileTest : public testing::TestWithParam<std::string> {};

TEST_P(ArchFileTest, LoadsAndPassesCheck)
{
    pesim_arch a;
    ASSERT_TRUE(load(GetParam(), &a));
    pesim_error e;
    pesim_error_clear(&e);
    char buf[1024];
    EXPECT_EQ(pesim_arch_check(&a, GetParam().c_str(), &e), PESIM_OK) << pesim_error_format(&e, buf, sizeof buf);

    EXPECT_EQ(std::string(a.name), stem(GetParam())) << "an architecture is named like its file";
    EXPECT_GT(std::strlen(a.source), 0u) << "every architecture cites its source";
    static const char *const dataflows[] = {"ws", "os", "is", "rs", "nvdla", "any"};
    EXPECT_TRUE(std::any_of(std::begin(dataflows), std::end(dataflows),
                            [&](const char *d) { return std::strcmp(d, a.dataflow) == 0; }))
        << "dataflow '" << a.dataflow << "'";
    EXPECT_GE(pesim_arch_macs(&a), 1);
    EXPECT_GT(a.mac_energy_pj, 0.0);
    EXPECT_GT(pesim_arch_area_um2(&a), 0.0);
    EXPECT_NE(a.tech_nm, 0) << "every architecture states its technology node";
}

TEST_P(ArchFileTest, OnChipLevelsAreBoundedAndCostEnergy)
{
    pesim_arch a;
    ASSERT_TRUE(load(GetParam(), &a));
    for (int l = 0; l < a.n_levels; l++) {
        const pesim_level &v = a.level[l];
        EXPECT_GT(v.read_energy_pj, 0.0) << v.name;
        EXPECT_GT(v.write_energy_pj, 0.0) << v.name;
        if (l == a.n_levels - 1) continue;
        EXPECT_FALSE(v.is_dram) << v.name << ": only the outermost level is DRAM";
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!v.keeps[t]) continue;
            EXPECT_TRUE(v.tensor_capacity_words[t] > 0 || v.capacity_words > 0)
                << v.name << " keeps " << pesim_tensor_name(static_cast<pesim_tensor>(t)) << " without a capacity";
        }
    }
}

TEST_P(ArchFileTest, DramOutermostWithPlausibleBandwidth)
{
    pesim_arch a;
    ASSERT_TRUE(load(GetParam(), &a));
    const pesim_level &top = a.level[a.n_levels - 1];
    ASSERT_TRUE(top.is_dram) << "the outermost level of a shipped architecture is DRAM";
    double wpc = pesim_dram_words_per_cycle(&top.dram, a.word_bits, a.clock_mhz);
    EXPECT_GT(wpc, 0.1) << "words per accelerator cycle";
    EXPECT_LT(wpc, 1.0e4) << "words per accelerator cycle";
    double gbps = dram_gbps(a);
    EXPECT_GE(gbps, 1.0);     // at least a 16-bit DDR device
    EXPECT_LE(gbps, 2000.0);  // at most a few HBM stacks
    // Independent figure: bus width x 2 beats per tCK x channels.
    double expect = top.dram.channels * (top.dram.bus_bits / 8.0) * 2.0 / top.dram.tck_ns;
    EXPECT_NEAR(gbps, expect, 1e-6 * expect);
}

TEST_P(ArchFileTest, RoundTripsThroughWriter)
{
    pesim_arch a, b;
    ASSERT_TRUE(load(GetParam(), &a));
    std::string out = (fs::temp_directory_path() /
                       ("pesim_arch_test_" + std::to_string(getpid()) + "_" + stem(GetParam()) + ".cfg"))
                          .string();
    pesim_error e;
    pesim_error_clear(&e);
    char buf[1024];
    ASSERT_EQ(pesim_arch_write(out.c_str(), &a, &e), PESIM_OK) << pesim_error_format(&e, buf, sizeof buf);
    ASSERT_TRUE(load(out, &b));
    std::remove(out.c_str());
    EXPECT_STREQ(a.name, b.name);
    EXPECT_STREQ(a.source, b.source);
    EXPECT_STREQ(a.dataflow, b.dataflow);
    EXPECT_EQ(a.word_bits, b.word_bits);
    EXPECT_DOUBLE_EQ(a.clock_mhz, b.clock_mhz);
    EXPECT_DOUBLE_EQ(a.mac_energy_pj, b.mac_energy_pj);
    ASSERT_EQ(a.n_levels, b.n_levels);
    for (int l = 0; l < a.n_levels; l++) {
        const pesim_level &x = a.level[l], &y = b.level[l];
        SCOPED_TRACE(x.name);
        EXPECT_STREQ(x.name, y.name);
        EXPECT_EQ(x.is_dram, y.is_dram);
        EXPECT_EQ(x.capacity_words, y.capacity_words);
        EXPECT_EQ(x.fanout_x, y.fanout_x);
        EXPECT_EQ(x.fanout_y, y.fanout_y);
        EXPECT_EQ(x.spatial_x_dims, y.spatial_x_dims);
        EXPECT_EQ(x.spatial_y_dims, y.spatial_y_dims);
        EXPECT_EQ(x.banks, y.banks);
        EXPECT_DOUBLE_EQ(x.read_words_per_cycle, y.read_words_per_cycle);
        EXPECT_DOUBLE_EQ(x.read_energy_pj, y.read_energy_pj);
        EXPECT_DOUBLE_EQ(x.area_um2, y.area_um2);
        EXPECT_EQ(pesim_level_tile_slots(&x), pesim_level_tile_slots(&y));
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            EXPECT_EQ(x.keeps[t], y.keeps[t]);
            EXPECT_EQ(x.tensor_capacity_words[t], y.tensor_capacity_words[t]);
            EXPECT_EQ(x.noc[t].kind, y.noc[t].kind);
            EXPECT_EQ(x.noc[t].reduce, y.noc[t].reduce);
            EXPECT_DOUBLE_EQ(x.noc[t].words_per_cycle, y.noc[t].words_per_cycle);
            EXPECT_DOUBLE_EQ(x.noc[t].hop_energy_pj, y.noc[t].hop_energy_pj);
        }
        if (x.is_dram) {
            EXPECT_EQ(x.dram.channels, y.dram.channels);
            EXPECT_EQ(x.dram.bus_bits, y.dram.bus_bits);
            EXPECT_DOUBLE_EQ(x.dram.tck_ns, y.dram.tck_ns);
            EXPECT_EQ(x.dram.tRCD, y.dram.tRCD);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(arch_files, ArchFileTest, testing::ValuesIn(arch_files()), param_name);

// ---------------------------------------------------------------------------
// The shipped library and its published facts.

TEST(arch_library, ShippedFilesPresent)
{
    for (const char *n :
         {"eyeriss", "eyeriss_ddr3", "simba", "tpu_32x32", "tpu_128x128", "nvdla", "nnpi", "vta", "tiny"})
        EXPECT_TRUE(fs::is_regular_file(arch_path(n))) << arch_path(n);
}

// Peak DRAM bandwidth each file is meant to have (docs/architectures.md).
TEST(arch_library, DramPeakMatchesDocumentedFigure)
{
    const std::map<std::string, std::pair<const char *, double>> want = {
        {"eyeriss", {"lpddr4-2400", 19.2}},   // one 64-bit LPDDR4-2400 channel
        {"eyeriss_ddr3", {"ddr3-1600", 12.8}},  // one 64-bit DDR3-1600 channel
        {"simba", {"ddr4-3200", 25.6}},       // one 64-bit DDR4-3200 channel
        {"tpu_32x32", {"ddr4-3200", 25.6}},
        {"tpu_128x128", {"hbm2", 256.0}},     // one HBM2 stack of 8 channels
        {"nvdla", {"lpddr4-2400", 38.4}},     // 2 channels
        {"nnpi", {"lpddr4-2400", 67.2}},      // 7 x 32-bit = Spring Hill's 4 x 32-bit LPDDR4x-4200
        {"vta", {"ddr4-3200", 6.4}},          // one 16-bit device
        {"tiny", {"ddr4-3200", 25.6}},
    };
    for (const auto &[name, w] : want) {
        pesim_arch a;
        ASSERT_TRUE(load(arch_path(name), &a));
        const pesim_level &top = a.level[a.n_levels - 1];
        EXPECT_STREQ(top.dram.preset, w.first) << name;
        EXPECT_NEAR(dram_gbps(a), w.second, 0.02 * w.second) << name;
    }
}

TEST(arch_facts, Eyeriss)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("eyeriss"), &a));
    EXPECT_EQ(pesim_arch_macs(&a), 168);  // 12 x 14 PEs, one MAC each
    EXPECT_EQ(a.word_bits, 16);
    EXPECT_DOUBLE_EQ(a.clock_mhz, 200.0);
    EXPECT_STREQ(a.dataflow, "rs");
    ASSERT_EQ(a.n_levels, 3);
    int rf = pesim_arch_find_level(&a, "RF"), glb = pesim_arch_find_level(&a, "GLB");
    ASSERT_EQ(rf, 0);
    ASSERT_EQ(glb, 1);
    EXPECT_EQ(pesim_arch_instances(&a, rf), 168);
    EXPECT_EQ(a.level[rf].tensor_capacity_words[PESIM_WEIGHTS], 224);
    EXPECT_EQ(a.level[rf].tensor_capacity_words[PESIM_INPUTS], 12);
    EXPECT_EQ(a.level[rf].tensor_capacity_words[PESIM_OUTPUTS], 24);
    EXPECT_EQ(a.level[glb].capacity_words, 55296);  // 108 KiB of 16-bit words
    EXPECT_EQ(a.level[glb].capacity_words * a.word_bits / 8, 108 * 1024);
    EXPECT_EQ(a.level[glb].fanout_x, 14);
    EXPECT_EQ(a.level[glb].fanout_y, 12);
    EXPECT_FALSE(a.level[glb].keeps[PESIM_WEIGHTS]);  // weights bypass the GLB
    EXPECT_TRUE(a.level[glb].keeps[PESIM_INPUTS]);
    EXPECT_TRUE(a.level[glb].keeps[PESIM_OUTPUTS]);
    EXPECT_TRUE(has_dim(a.level[glb].spatial_y_dims, PESIM_DIM_R));  // row stationary: filter rows on Y
    // 65 nm, 16-bit MACs; energies left to the estimator (their ratios against the
    // published 1 : 2 : 6 : 200: tests/estimate_test.cc, EyerissRatios)
    EXPECT_EQ(a.tech_nm, 65);
    EXPECT_EQ(pesim_arch_operand(&a), PESIM_OPERAND_INT16);
    for (int l = 0; l < a.n_levels; l++)
        EXPECT_TRUE(a.level[l].estimated & PESIM_EST_READ_ENERGY) << a.level[l].name;
    EXPECT_TRUE(a.estimated & PESIM_EST_MAC_ENERGY);
}

// The two TPU-like arrays share one structure.
void check_tpu(const char *name, int edge, int word_bits)
{
    SCOPED_TRACE(name);
    pesim_arch a;
    ASSERT_TRUE(load(arch_path(name), &a));
    EXPECT_EQ(pesim_arch_macs(&a), (int64_t)edge * edge);
    EXPECT_EQ(a.word_bits, word_bits);
    EXPECT_STREQ(a.dataflow, "ws");
    ASSERT_EQ(a.n_levels, 3);
    const pesim_level &reg = a.level[0], &sram = a.level[1];
    // Weights only, one word, in each PE.
    EXPECT_TRUE(reg.keeps[PESIM_WEIGHTS]);
    EXPECT_FALSE(reg.keeps[PESIM_INPUTS]);
    EXPECT_FALSE(reg.keeps[PESIM_OUTPUTS]);
    EXPECT_EQ(reg.capacity_words, 1);
    EXPECT_EQ(pesim_arch_instances(&a, 0), (int64_t)edge * edge);
    // K across columns, reduction dims down rows.
    EXPECT_EQ(sram.fanout_x, edge);
    EXPECT_EQ(sram.fanout_y, edge);
    EXPECT_EQ(sram.spatial_x_dims, 1u << PESIM_DIM_K);
    EXPECT_TRUE(has_dim(sram.spatial_y_dims, PESIM_DIM_C));
    EXPECT_TRUE(has_dim(sram.spatial_y_dims, PESIM_DIM_R));
    EXPECT_TRUE(has_dim(sram.spatial_y_dims, PESIM_DIM_S));
    EXPECT_FALSE(has_dim(sram.spatial_y_dims, PESIM_DIM_K));
    // Inputs flow systolically along X, partial sums accumulate systolically down Y.
    EXPECT_EQ(sram.noc[PESIM_INPUTS].kind, PESIM_NOC_SYSTOLIC);
    EXPECT_EQ(sram.noc[PESIM_OUTPUTS].reduce, PESIM_REDUCE_SYSTOLIC);
    // SCALE-Sim-like partitions.
    for (int t = 0; t < PESIM_NTENSORS; t++) EXPECT_GT(sram.tensor_capacity_words[t], 0);
}

TEST(arch_facts, Tpu32x32) { check_tpu("tpu_32x32", 32, 8); }

TEST(arch_facts, Tpu128x128)
{
    check_tpu("tpu_128x128", 128, 16);
    pesim_arch small, big;
    ASSERT_TRUE(load(arch_path("tpu_32x32"), &small));
    ASSERT_TRUE(load(arch_path("tpu_128x128"), &big));
    EXPECT_GT(big.level[2].dram.channels, small.level[2].dram.channels);
    EXPECT_GT(dram_gbps(big), dram_gbps(small));
}

TEST(arch_facts, Simba)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("simba"), &a));
    EXPECT_EQ(pesim_arch_macs(&a), 1024);  // 16 PEs x 8 vector MACs x 8 lanes
    EXPECT_EQ(a.word_bits, 8);
    int in = pesim_arch_find_level(&a, "InputBuf"), wb = pesim_arch_find_level(&a, "WeightBuf");
    int acc = pesim_arch_find_level(&a, "AccBuf"), gb = pesim_arch_find_level(&a, "GlobalBuf");
    ASSERT_GE(in, 0);
    ASSERT_GE(wb, 0);
    ASSERT_GE(acc, 0);
    ASSERT_GE(gb, 0);
    EXPECT_EQ(pesim_arch_instances(&a, in), 16);  // 4 x 4 PEs
    EXPECT_EQ(a.level[gb].fanout_x * a.level[gb].fanout_y, 16);
    EXPECT_EQ(pesim_arch_instances(&a, wb), 16 * 8);  // one per vector MAC
    // Per-PE capacities in bytes: 8 KiB inputs, 32 KiB weights; 64 KiB global buffer.
    EXPECT_EQ(a.level[in].capacity_words, 8 * 1024);
    EXPECT_EQ(a.level[wb].capacity_words * 8, 32 * 1024);
    EXPECT_EQ(a.level[gb].capacity_words, 64 * 1024);
    // 3 KiB accumulation buffer per PE = 8 x 128 partial sums of 24 bits.
    EXPECT_EQ(a.level[acc].capacity_words * 8 * 3, 3 * 1024);
    EXPECT_FALSE(a.level[gb].keeps[PESIM_WEIGHTS]);
}

TEST(arch_facts, Nvdla)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("nvdla"), &a));
    EXPECT_EQ(pesim_arch_macs(&a), 2048);  // Atomic-C 64 x Atomic-K 32
    EXPECT_STREQ(a.dataflow, "nvdla");
    EXPECT_EQ(a.word_bits, 8);
    int cbuf = pesim_arch_find_level(&a, "CBUF"), cacc = pesim_arch_find_level(&a, "CACC");
    ASSERT_GE(cbuf, 0);
    ASSERT_GE(cacc, 0);
    EXPECT_EQ(a.level[cbuf].capacity_words, 512 * 1024);  // 512 KiB at 8 bits
    EXPECT_EQ(a.level[cbuf].banks, 16);
    EXPECT_EQ(a.level[cacc].fanout_x, 32);
    EXPECT_EQ(a.level[cacc].fanout_y, 64);
}

TEST(arch_facts, Vta)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("vta"), &a));
    EXPECT_EQ(pesim_arch_macs(&a), 256);  // BATCH 1 x BLOCK_IN 16 x BLOCK_OUT 16
    ASSERT_EQ(a.n_levels, 2);
    const pesim_level &buf = a.level[0];
    EXPECT_EQ(buf.fanout_x * buf.fanout_y, 256);
    EXPECT_EQ(buf.tensor_capacity_words[PESIM_INPUTS], 32 * 1024);          // 32 KiB of 8-bit inputs
    EXPECT_EQ(buf.tensor_capacity_words[PESIM_WEIGHTS], 256 * 1024);        // 256 KiB of 8-bit weights
    EXPECT_EQ(buf.tensor_capacity_words[PESIM_OUTPUTS] * 4, 128 * 1024);    // 128 KiB of 32-bit accumulators
    EXPECT_TRUE(std::strcmp(a.dataflow, "ws") == 0 || std::strcmp(a.dataflow, "any") == 0);
}

TEST(arch_facts, Nnpi)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("nnpi"), &a));
    EXPECT_EQ(pesim_arch_macs(&a), 12 * 4096);  // 12 ICEs x 4K MACs
    int dram = pesim_arch_find_level(&a, "DRAM"), llc = pesim_arch_find_level(&a, "LLC");
    int sram = pesim_arch_find_level(&a, "SRAM");
    ASSERT_GE(dram, 0);
    ASSERT_GE(llc, 0);
    ASSERT_GE(sram, 0);
    // The placement levels, innermost first, DRAM outermost.
    EXPECT_LT(sram, llc);
    EXPECT_LT(llc, dram);
    EXPECT_EQ(dram, a.n_levels - 1);
    EXPECT_EQ(pesim_arch_instances(&a, llc), 1);
    EXPECT_EQ(pesim_arch_instances(&a, sram), 12);  // one deep SRAM per ICE
    EXPECT_EQ(a.level[llc].fanout_x * a.level[llc].fanout_y, 12);
    EXPECT_EQ(a.level[sram].capacity_words, 4LL << 20);  // 4 MiB at 8 bits
    EXPECT_EQ(a.level[llc].capacity_words, 24LL << 20);  // 24 MiB
    // Bandwidths at the chosen clock: SRAM ~6.8 TB/s over 12 ICEs, LLC ~680 GB/s.
    double bytes_per_cycle_to_gbps = a.clock_mhz / 1000.0 * a.word_bits / 8.0;
    EXPECT_NEAR(12 * a.level[sram].read_words_per_cycle * bytes_per_cycle_to_gbps, 6800.0, 0.05 * 6800.0);
    EXPECT_NEAR(a.level[llc].read_words_per_cycle * bytes_per_cycle_to_gbps, 680.0, 0.05 * 680.0);
    // Each faster level is faster per instance-group than the one above.
    EXPECT_GT(12 * a.level[sram].read_words_per_cycle, a.level[llc].read_words_per_cycle);
    EXPECT_GT(a.level[llc].read_words_per_cycle, pesim_dram_words_per_cycle(&a.level[dram].dram, a.word_bits,
                                                                              a.clock_mhz));
}

TEST(arch_facts, Tiny)
{
    pesim_arch a;
    ASSERT_TRUE(load(arch_path("tiny"), &a));
    ASSERT_EQ(a.n_levels, 3);
    EXPECT_EQ(pesim_arch_macs(&a), 16);  // 4 x 4
    EXPECT_STREQ(a.dataflow, "any");
    EXPECT_STREQ(a.level[2].dram.preset, "ddr4-3200");
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        EXPECT_GT(a.level[0].tensor_capacity_words[t], 0);
        EXPECT_LE(a.level[0].tensor_capacity_words[t], 8);  // small enough for tests to overflow
    }
    EXPECT_GT(a.level[1].capacity_words, 0);
    EXPECT_LE(a.level[1].capacity_words, 4096);
}

}  // namespace
