// config_test.cc - the config module (sim/config/): every loader's good input
// and its errors (file, line, key, code), and writer round trips.
// Fixtures: tests/data/config/.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/estimate.h"
#include "pesim/estimate.h"
}
#include "test_util.h"

namespace {

std::string Data(const std::string &f) { return std::string(PESIM_SOURCE_DIR) + "/tests/data/config/" + f; }

// A fresh path in the test temp dir (removed by the fixture below).
std::string Temp(const std::string &f)
{
    return testing::TempDir() + "pesim_config_test_" + std::to_string(getpid()) + "_" + f;
}

std::string Slurp(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string Fmt(const pesim_error &e)
{
    char buf[1024];
    return pesim_error_format(&e, buf, sizeof buf);
}

// Field-by-field network comparison (line numbers are where a layer came
// from, not part of its value, so they are not compared).
void ExpectSameNetwork(const pesim_network &a, const pesim_network &b)
{
    EXPECT_STREQ(a.name, b.name);
    EXPECT_STREQ(a.source, b.source);
    EXPECT_EQ(a.input_n, b.input_n);
    EXPECT_EQ(a.input_c, b.input_c);
    EXPECT_EQ(a.input_h, b.input_h);
    EXPECT_EQ(a.input_w, b.input_w);
    ASSERT_EQ(a.n_layers, b.n_layers);
    for (int i = 0; i < a.n_layers; i++) {
        const pesim_layer &x = a.layers[i], &y = b.layers[i];
        SCOPED_TRACE(x.name);
        EXPECT_STREQ(x.name, y.name);
        EXPECT_EQ(x.op, y.op);
        for (int d = 0; d < PESIM_NDIMS; d++) EXPECT_EQ(x.dim[d], y.dim[d]) << pesim_dim_name((pesim_dim)d);
        EXPECT_EQ(x.stride_h, y.stride_h);
        EXPECT_EQ(x.stride_w, y.stride_w);
        EXPECT_EQ(x.dilation_h, y.dilation_h);
        EXPECT_EQ(x.dilation_w, y.dilation_w);
        EXPECT_EQ(x.pad_h, y.pad_h);
        EXPECT_EQ(x.pad_w, y.pad_w);
        ASSERT_EQ(x.n_inputs, y.n_inputs);
        for (int j = 0; j < x.n_inputs; j++) EXPECT_EQ(x.inputs[j], y.inputs[j]);
    }
}

// memcmp-equal archs once the line fields (where each level came from) are cleared
// and one tile slot is 1 (an arch built in code may say 0, written as 1).
void ExpectSameArch(pesim_arch a, pesim_arch b)
{
    for (int l = 0; l < PESIM_MAX_LEVELS; l++) {
        a.level[l].line = b.level[l].line = 0;
        if (a.level[l].tile_slots == 0) a.level[l].tile_slots = 1;
        if (b.level[l].tile_slots == 0) b.level[l].tile_slots = 1;
    }
    EXPECT_EQ(0, memcmp(&a, &b, sizeof a));
}

// A minimal arch: RF under a 4x2 GLB under DRAM (for mapping and placement strings).
const char *kSmallArch =
    "arch = { name = \"small\"; word_bits = 8; clock_mhz = 1000;\n"
    "  levels = ( { name = \"RF\"; }, { name = \"GLB\"; fanout_x = 4; fanout_y = 2; },\n"
    "             { name = \"DRAM\"; dram = { preset = \"ddr4-3200\"; }; } ); };\n";

class ConfigTest : public testing::Test {
protected:
    pesim_error e{};
    std::vector<std::string> temps;
    std::string TempFile(const std::string &f)
    {
        temps.push_back(Temp(f));
        return temps.back();
    }
    void TearDown() override
    {
        for (auto &t : temps) std::remove(t.c_str());
    }
    pesim_arch SmallArch()
    {
        pesim_arch a;
        EXPECT_EQ(PESIM_OK, pesim_arch_load_string(kSmallArch, "small.cfg", &a, &e)) << Fmt(e);
        return a;
    }
};

// ------------------------------------------------------------ networks

TEST_F(ConfigTest, NetworkGood)
{
    pesim_network n;
    ASSERT_EQ(PESIM_OK, pesim_network_load(Data("net_good.cfg").c_str(), &n, &e)) << Fmt(e);
    EXPECT_STREQ("tiny", n.name);
    EXPECT_STREQ("hand-written \"test\" network", n.source);
    EXPECT_EQ(2, n.input_n);
    EXPECT_EQ(32, n.input_c);
    ASSERT_EQ(8, n.n_layers);

    const pesim_layer &conv = n.layers[0];
    EXPECT_EQ(PESIM_OP_CONV, conv.op);
    EXPECT_EQ(8, conv.line);
    EXPECT_EQ(1, conv.n_inputs);
    EXPECT_EQ(PESIM_NETWORK_INPUT, conv.inputs[0]);
    EXPECT_EQ(2, conv.stride_h);
    EXPECT_EQ(1, conv.pad_w);

    const pesim_layer &dw = n.layers[1];  // depthwise: G = 64, K = C = 1
    EXPECT_EQ(64, dw.dim[PESIM_DIM_G]);
    EXPECT_EQ(1, dw.dim[PESIM_DIM_K]);
    EXPECT_EQ(1, dw.dim[PESIM_DIM_C]);
    EXPECT_EQ(2, dw.dilation_h);
    EXPECT_EQ(0, dw.inputs[0]);

    const pesim_layer &grp = n.layers[2];  // groups 4: K = 128/4, C = 64/4
    EXPECT_EQ(4, grp.dim[PESIM_DIM_G]);
    EXPECT_EQ(32, grp.dim[PESIM_DIM_K]);
    EXPECT_EQ(16, grp.dim[PESIM_DIM_C]);
    EXPECT_EQ(1, grp.stride_h);
    EXPECT_EQ(2, grp.stride_w);

    const pesim_layer &pool = n.layers[3];
    EXPECT_EQ(PESIM_OP_POOL, pool.op);
    EXPECT_EQ(0, pesim_layer_macs(&pool));

    const pesim_layer &fc = n.layers[4];  // gemm: P = m, K = n_out, C = k_red
    EXPECT_EQ(PESIM_OP_GEMM, fc.op);
    EXPECT_EQ(16, fc.dim[PESIM_DIM_P]);
    EXPECT_EQ(100, fc.dim[PESIM_DIM_K]);
    EXPECT_EQ(128, fc.dim[PESIM_DIM_C]);
    EXPECT_EQ(2, fc.dim[PESIM_DIM_N]);
    EXPECT_EQ(1, fc.dim[PESIM_DIM_G]);

    const pesim_layer &att = n.layers[5];  // matmul: batch -> G; an int64 literal (25L)
    EXPECT_EQ(4, att.dim[PESIM_DIM_G]);
    EXPECT_EQ(25, att.dim[PESIM_DIM_C]);
    EXPECT_EQ(2, att.n_inputs);

    const pesim_layer &cat = n.layers[7];
    EXPECT_EQ(3, cat.n_inputs);
    EXPECT_EQ(6, cat.inputs[0]);
    EXPECT_EQ(PESIM_NETWORK_INPUT, cat.inputs[1]);
    EXPECT_EQ(3, cat.inputs[2]);
    pesim_network_free(&n);
}

TEST_F(ConfigTest, NetworkTypo)
{
    pesim_network n;
    std::string path = Data("net_typo.cfg");
    ASSERT_EQ(PESIM_ERR_KEY, pesim_network_load(path.c_str(), &n, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(15, e.line);
    EXPECT_STREQ("layers.[grp3].strid", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "unknown key 'strid'")) << e.msg;
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'stride'?")) << e.msg;
    EXPECT_NE(std::string::npos, Fmt(e).find("net_typo.cfg:15: layers.[grp3].strid: unknown key")) << Fmt(e);
    EXPECT_EQ(0, n.n_layers);
    EXPECT_EQ(nullptr, n.layers);
}

const char *kNetHead = "network = { name = \"n\"; input = { c = 3; h = 8; w = 8; };\n  layers = (\n";

pesim_status LoadNet(const std::string &layers, pesim_error *e)
{
    pesim_network n;
    std::string text = std::string(kNetHead) + layers + "\n  );\n};\n";
    pesim_status st = pesim_network_load_string(text.c_str(), "mem.cfg", &n, e);
    if (st == PESIM_OK) pesim_network_free(&n);
    else EXPECT_EQ(nullptr, n.layers);
    return st;
}

TEST_F(ConfigTest, NetworkWrongType)
{
    ASSERT_EQ(PESIM_ERR_TYPE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ];\n"
                                      "  k = \"64\"; }", &e));
    EXPECT_STREQ("mem.cfg", e.file);
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("layers.[a].k", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "expected an integer, got a string")) << e.msg;
    ASSERT_EQ(PESIM_ERR_TYPE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = \"input\"; }", &e));
    EXPECT_STREQ("layers.[a].inputs", e.key);
    ASSERT_EQ(PESIM_ERR_TYPE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; c = 4.0; }", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "got a float")) << e.msg;
}

TEST_F(ConfigTest, NetworkOutOfRange)
{
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ];\n"
                                       "  stride = [ 1, 0 ]; }", &e));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("layers.[a].stride.[1]", e.key);
    EXPECT_STREQ("must be >= 1, got 0", e.msg);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; k = 0; }", &e));
    EXPECT_STREQ("must be >= 1, got 0", e.msg);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; pad = [ -1, 0 ]; }",
                                       &e));
    EXPECT_STREQ("must be >= 0, got -1", e.msg);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ ]; }", &e));
    EXPECT_STREQ("layers.[a].inputs", e.key);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"pooling\"; inputs = [ \"input\" ]; }", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "unknown layer type 'pooling'")) << e.msg;
    // MACs past 2^63 are refused rather than overflowing later
    ASSERT_EQ(PESIM_ERR_RANGE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ];"
                                       " k = 4000000000L; c = 4000000000L; p = 4000000000L; }", &e));
    EXPECT_STREQ("layers.[a]", e.key);
}

TEST_F(ConfigTest, NetworkMissing)
{
    ASSERT_EQ(PESIM_ERR_MISSING, LoadNet("{ name = \"a\"; type = \"gemm\"; inputs = [ \"input\" ];\n"
                                         "  m = 4; n_out = 8; }", &e));
    EXPECT_EQ(3, e.line);  // the layer's line: the key is absent
    EXPECT_STREQ("layers.[a].k_red", e.key);
    ASSERT_EQ(PESIM_ERR_MISSING, LoadNet("{ type = \"conv\"; inputs = [ \"input\" ]; }", &e));
    EXPECT_STREQ("layers.[0].name", e.key);
    pesim_network n;
    ASSERT_EQ(PESIM_ERR_MISSING,
              pesim_network_load_string("network = { name = \"n\"; layers = ( ); };", "m.cfg", &n, &e));
    EXPECT_STREQ("input", e.key);
    // the wrong kind of file says so
    ASSERT_EQ(PESIM_ERR_MISSING, pesim_network_load(Data("arch_full.cfg").c_str(), &n, &e));
    EXPECT_NE(nullptr, strstr(e.msg, "it has 'arch'")) << e.msg;
}

TEST_F(ConfigTest, NetworkMissingFile)
{
    pesim_network n;
    ASSERT_EQ(PESIM_ERR_IO, pesim_network_load("/nonexistent/dir/net.cfg", &n, &e));
    EXPECT_STREQ("/nonexistent/dir/net.cfg", e.file);
    EXPECT_NE(std::string::npos, Fmt(e).find("/nonexistent/dir/net.cfg")) << Fmt(e);
    ASSERT_EQ(PESIM_ERR_IO, pesim_network_load(Data("").c_str(), &n, &e));  // a directory
}

TEST_F(ConfigTest, NetworkTruncated)
{
    pesim_network n;
    std::string path = Data("net_truncated.cfg");
    ASSERT_EQ(PESIM_ERR_PARSE, pesim_network_load(path.c_str(), &n, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(14, e.line);  // the file ends in the middle of line 14
    EXPECT_NE(nullptr, strstr(e.msg, "syntax error")) << e.msg;
    EXPECT_NE(nullptr, strstr(e.msg, "truncated")) << e.msg;
}

TEST_F(ConfigTest, NetworkSemantics)
{
    // producers first
    ASSERT_EQ(PESIM_ERR_INVALID, LoadNet("{ name = \"a\"; type = \"add\"; inputs = [ \"b\" ]; },\n"
                                         "{ name = \"b\"; type = \"add\"; inputs = [ \"input\" ]; }", &e));
    EXPECT_EQ(3, e.line);
    EXPECT_STREQ("layers.[a].inputs.[0]", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "topological order")) << e.msg;
    ASSERT_EQ(PESIM_ERR_INVALID, LoadNet("{ name = \"a\"; type = \"add\"; inputs = [ \"a\" ]; }", &e));
    ASSERT_EQ(PESIM_ERR_INVALID, LoadNet("{ name = \"a\"; type = \"add\"; inputs = [ \"inptu\" ]; }", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'input'?")) << e.msg;
    // unique names
    ASSERT_EQ(PESIM_ERR_INVALID, LoadNet("{ name = \"a\"; type = \"add\"; inputs = [ \"input\" ]; },\n"
                                         "{ name = \"a\"; type = \"add\"; inputs = [ \"input\" ]; }", &e));
    EXPECT_EQ(4, e.line);
    EXPECT_NE(nullptr, strstr(e.msg, "first at line 3")) << e.msg;
    ASSERT_EQ(PESIM_ERR_INVALID, LoadNet("{ name = \"input\"; type = \"add\"; inputs = [ \"input\" ]; }", &e));
    // groups divides k and c
    ASSERT_EQ(PESIM_ERR_INVALID,
              LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; k = 6; c = 4; groups = 4; }", &e));
    EXPECT_STREQ("layers.[a].groups", e.key);
    // per-type keys: conv keys are not gemm keys, and the message lists the right ones
    ASSERT_EQ(PESIM_ERR_KEY, LoadNet("{ name = \"a\"; type = \"gemm\"; inputs = [ \"input\" ];\n"
                                     "  m = 1; n_out = 2; k_red = 3; k = 4; }", &e));
    EXPECT_STREQ("layers.[a].k", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "not allowed in a gemm layer")) << e.msg;
    EXPECT_NE(nullptr, strstr(e.msg, "n_out")) << e.msg;
    ASSERT_EQ(PESIM_ERR_KEY, LoadNet("{ name = \"a\"; type = \"add\"; inputs = [ \"input\" ]; r = 3; }", &e));
    ASSERT_EQ(PESIM_ERR_KEY, LoadNet("{ name = \"a\"; type = \"gemm\"; inputs = [ \"input\" ];"
                                     " m = 1; n_out = 2; k_red = 3; batch = 2; }", &e));
    ASSERT_EQ(PESIM_ERR_KEY, LoadNet("{ name = \"a\"; type = \"pool\"; inputs = [ \"input\" ]; dilation = [2, 2]; }",
                                     &e));
}

TEST_F(ConfigTest, IntegerLiteralsBeyond32BitsNeedL)
{
    // libconfig 1.5 would read 5000000000 as 705032704: refused with a fix
    ASSERT_EQ(PESIM_ERR_PARSE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ];\n"
                                       "  k = 5000000000; }", &e));
    EXPECT_EQ(4, e.line);
    EXPECT_NE(nullptr, strstr(e.msg, "5000000000L")) << e.msg;
    ASSERT_EQ(PESIM_ERR_PARSE, LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; k = -2147483649; }", &e));
    ASSERT_EQ(PESIM_ERR_PARSE,
              LoadNet("{ name = \"a\"; type = \"conv\"; inputs = [ \"input\" ]; k = 99999999999999999999L; }", &e));
    // with L it is fine; and numbers in strings and comments are left alone
    ASSERT_EQ(PESIM_OK, LoadNet("{ name = \"5000000000\"; type = \"conv\"; inputs = [ \"input\" ]; # 5000000000\n"
                                "  k = 5000000000L; /* 9999999999 */ pad = [ 2147483647, 0 ]; }", &e)) << Fmt(e);
}

TEST_F(ConfigTest, NullErrorIsAllowed)
{
    pesim_network n;
    EXPECT_EQ(PESIM_ERR_IO, pesim_network_load("/nonexistent.cfg", &n, nullptr));
    EXPECT_EQ(PESIM_ERR_PARSE, pesim_network_load_string("network = {", nullptr, &n, nullptr));
    EXPECT_EQ(PESIM_ERR_KEY, pesim_network_load_string("x = 1;", nullptr, &n, nullptr));
}

// ------------------------------------------------------------ architectures

TEST_F(ConfigTest, ArchGood)
{
    pesim_arch a;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a, &e)) << Fmt(e);
    EXPECT_STREQ("full", a.name);
    EXPECT_STREQ("rs", a.dataflow);
    EXPECT_EQ(16, a.word_bits);
    EXPECT_DOUBLE_EQ(333.3, a.clock_mhz);
    EXPECT_EQ(3, a.mac_latency_cycles);
    ASSERT_EQ(3, a.n_levels);
    const pesim_level &rf = a.level[0], &glb = a.level[1], &dram = a.level[2];
    EXPECT_EQ(10, rf.line);
    EXPECT_EQ(224, rf.tensor_capacity_words[PESIM_WEIGHTS]);
    EXPECT_EQ(1u << PESIM_DIM_K, rf.spatial_x_dims);
    EXPECT_EQ(0u, rf.spatial_y_dims);
    EXPECT_EQ(PESIM_NOC_UNICAST, rf.noc[PESIM_OUTPUTS].kind);
    EXPECT_EQ(PESIM_REDUCE_NONE, rf.noc[PESIM_OUTPUTS].reduce);
    EXPECT_EQ(PESIM_NOC_BUS, rf.noc[PESIM_INPUTS].kind);  // default
    EXPECT_DOUBLE_EQ(2.0, rf.read_words_per_cycle);       // an int where a float goes
    EXPECT_EQ(0, rf.sliding_reuse);
    EXPECT_EQ(0, glb.keeps[PESIM_WEIGHTS]);
    EXPECT_EQ(1, glb.keeps[PESIM_INPUTS]);
    EXPECT_EQ(5000000000LL, glb.capacity_words);
    EXPECT_EQ(0, glb.tensor_capacity_words[PESIM_OUTPUTS]);
    EXPECT_EQ(14, glb.fanout_x);
    // dims are case-insensitive ("r")
    EXPECT_EQ((1u << PESIM_DIM_R) | (1u << PESIM_DIM_S) | (1u << PESIM_DIM_C), glb.spatial_y_dims);
    EXPECT_EQ(2, glb.tile_slots);
    EXPECT_EQ(PESIM_NOC_SYSTOLIC, glb.noc[PESIM_WEIGHTS].kind);
    EXPECT_DOUBLE_EQ(14.0, glb.noc[PESIM_INPUTS].words_per_cycle);
    EXPECT_EQ(PESIM_REDUCE_SYSTOLIC, glb.noc[PESIM_OUTPUTS].reduce);
    EXPECT_EQ(0, glb.is_dram);
    // the preset, then the overrides
    EXPECT_EQ(1, dram.is_dram);
    pesim_dram ref;
    ASSERT_EQ(PESIM_OK, pesim_dram_preset("lpddr4-2400", &ref));
    EXPECT_STREQ("lpddr4-2400", dram.dram.preset);
    EXPECT_EQ(ref.CL, dram.dram.CL);
    EXPECT_EQ(ref.tFAW, dram.dram.tFAW);
    EXPECT_EQ(2, dram.dram.channels);
    EXPECT_EQ(3, dram.dram.tRTRS);
    EXPECT_EQ(4096, dram.dram.row_bytes);
    EXPECT_DOUBLE_EQ(0.8333, dram.dram.tck_ns);
    for (int t = 0; t < PESIM_NTENSORS; t++) EXPECT_EQ(1, dram.keeps[t]);
    // cost keys: the node, the MAC type, DRAM power; keys left out are estimated
    EXPECT_EQ(28, a.tech_nm);
    EXPECT_EQ(PESIM_OPERAND_BF16, a.mac_operand);
    EXPECT_DOUBLE_EQ(0.002, a.mac_leak_pj_per_cycle);
    EXPECT_EQ(0u, a.estimated);  // every MAC figure given
    EXPECT_EQ(16, dram.dram.device_bits);
    EXPECT_DOUBLE_EQ(1.1, dram.dram.vdd_v);
    EXPECT_DOUBLE_EQ(81.0, dram.dram.idd0_ma);
    EXPECT_DOUBLE_EQ(281.0, dram.dram.idd5ab_ma);
    EXPECT_EQ(ref.idd2n_ma, 34.0);  // the preset's, overridden above
    // no hop_energy_pj, no reduce_energy_pj, no reduce_area_um2
    const uint32_t reduce = PESIM_EST_REDUCE | PESIM_EST_REDUCE_AREA;
    EXPECT_EQ(PESIM_EST_HOP(0) | PESIM_EST_HOP(1) | PESIM_EST_HOP(2) | reduce, rf.estimated);
    EXPECT_EQ(PESIM_EST_HOP(PESIM_INPUTS) | reduce, glb.estimated);
    EXPECT_DOUBLE_EQ(0.05, glb.noc[PESIM_WEIGHTS].hop_energy_pj);
    EXPECT_GT(glb.noc[PESIM_INPUTS].hop_energy_pj, 0.0);  // estimated from the floorplan
    EXPECT_EQ(PESIM_EST_AREA | PESIM_EST_LEAK | PESIM_EST_HOP(0) | PESIM_EST_HOP(1) | PESIM_EST_HOP(2) | reduce,
              dram.estimated);
    EXPECT_DOUBLE_EQ(0.0, dram.area_um2);  // off chip
}

TEST_F(ConfigTest, ArchTypo)
{
    pesim_arch a;
    std::string path = Data("arch_typo.cfg");
    ASSERT_EQ(PESIM_ERR_KEY, pesim_arch_load(path.c_str(), &a, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(26, e.line);
    EXPECT_STREQ("levels.[GLB].fanot_y", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'fanout_y'?")) << e.msg;
    EXPECT_EQ(0, a.n_levels);
    // case-only typos in DRAM timing names get a suggestion
    std::string text = std::string(kSmallArch);
    text.replace(text.find("preset = \"ddr4-3200\";"), 21, "preset = \"ddr4-3200\"; trcd = 3;");
    ASSERT_EQ(PESIM_ERR_KEY, pesim_arch_load_string(text.c_str(), "s.cfg", &a, &e));
    EXPECT_STREQ("levels.[DRAM].dram.trcd", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'tRCD'?")) << e.msg;
    // an unknown preset names the file, line and key, suggests the nearest, lists them all
    text = std::string(kSmallArch);
    text.replace(text.find("preset = \"ddr4-3200\";"), 21, "preset = \"ddr3-1660\";");
    ASSERT_EQ(PESIM_ERR_RANGE, pesim_arch_load_string(text.c_str(), "s.cfg", &a, &e));
    EXPECT_STREQ("s.cfg", e.file);
    EXPECT_GT(e.line, 0);
    EXPECT_STREQ("levels.[DRAM].dram.preset", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'ddr3-1600'?")) << e.msg;
    EXPECT_NE(nullptr, strstr(e.msg, "ddr4-3200, lpddr4-2400, hbm2, ddr3-1600)")) << e.msg;
}

// RF under a GLB with `glb_keys` under DRAM ("t.cfg", the GLB on line 3), into *a.
pesim_status LoadArchWithGlb(const std::string &glb_keys, pesim_arch *a, pesim_error *e)
{
    std::string text = "arch = { name = \"t\"; word_bits = 8; clock_mhz = 100.0;\n  levels = ( { name = \"RF\"; },\n"
                       "    { name = \"GLB\"; " + glb_keys + " },\n    { name = \"DRAM\"; } ); };\n";
    return pesim_arch_load_string(text.c_str(), "t.cfg", a, e);
}

pesim_status LoadArchLevel(const std::string &glb_keys, pesim_error *e)
{
    pesim_arch a;
    return LoadArchWithGlb(glb_keys, &a, e);
}

TEST_F(ConfigTest, ArchWrongType)
{
    ASSERT_EQ(PESIM_ERR_TYPE, LoadArchLevel("banks = 2.5;", &e));
    EXPECT_EQ(3, e.line);
    EXPECT_STREQ("levels.[GLB].banks", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "expected an integer, got a float")) << e.msg;
    ASSERT_EQ(PESIM_ERR_TYPE, LoadArchLevel("double_buffered = 1;", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "expected a boolean")) << e.msg;
    ASSERT_EQ(PESIM_ERR_TYPE, LoadArchLevel("read_energy_pj = \"1.0\";", &e));
    ASSERT_EQ(PESIM_ERR_TYPE, LoadArchLevel("noc = 3;", &e));
    EXPECT_STREQ("levels.[GLB].noc", e.key);
}

// multiple_buffering = N is the level's tile slots; double_buffered = true / false
// is N = 2 / 1; both given and disagreeing is an error at double_buffered's line.
TEST_F(ConfigTest, MultipleBufferingIsTheTileSlots)
{
    auto load = [&](const std::string &glb, pesim_arch *a) {
        std::string text = "arch = { name = \"t\"; word_bits = 8; clock_mhz = 100.0;\n  levels = ( { name = \"RF\"; },\n"
                           "    { name = \"GLB\"; " + glb + " },\n    { name = \"DRAM\"; } ); };\n";
        return pesim_arch_load_string(text.c_str(), "t.cfg", a, &e);
    };
    pesim_arch a;
    ASSERT_EQ(PESIM_OK, load("", &a)) << Fmt(e);
    EXPECT_EQ(1, a.level[1].tile_slots);
    ASSERT_EQ(PESIM_OK, load("multiple_buffering = 3;", &a)) << Fmt(e);
    EXPECT_EQ(3, a.level[1].tile_slots);
    EXPECT_EQ(3, pesim_level_tile_slots(&a.level[1]));
    ASSERT_EQ(PESIM_OK, load("double_buffered = true;", &a)) << Fmt(e);
    EXPECT_EQ(2, a.level[1].tile_slots);
    ASSERT_EQ(PESIM_OK, load("double_buffered = false;", &a)) << Fmt(e);
    EXPECT_EQ(1, a.level[1].tile_slots);
    ASSERT_EQ(PESIM_OK, load("multiple_buffering = 2; double_buffered = true;", &a)) << Fmt(e);
    EXPECT_EQ(2, a.level[1].tile_slots);
    ASSERT_EQ(PESIM_OK, load("multiple_buffering = 8;", &a)) << Fmt(e);
    EXPECT_EQ(8, a.level[1].tile_slots);

    ASSERT_EQ(PESIM_ERR_INVALID, load("multiple_buffering = 3;\n      double_buffered = true;", &a));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[GLB].double_buffered", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "multiple_buffering = 3 (line 3)")) << e.msg;
    ASSERT_EQ(PESIM_ERR_INVALID, load("multiple_buffering = 1; double_buffered = true;", &a));
    ASSERT_EQ(PESIM_ERR_RANGE, load("multiple_buffering = 9;", &a));
    EXPECT_STREQ("levels.[GLB].multiple_buffering", e.key);
    ASSERT_EQ(PESIM_ERR_RANGE, load("multiple_buffering = 0;", &a));
    ASSERT_EQ(PESIM_ERR_TYPE, load("multiple_buffering = 2.5;", &a));

    // written and read back; an arch built in code (0) is written as 1
    ASSERT_EQ(PESIM_OK, load("multiple_buffering = 3;", &a)) << Fmt(e);
    a.level[0].tile_slots = 0;
    std::string p = TempFile("arch_slots.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a, &e)) << Fmt(e);
    pesim_arch b;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &b, &e)) << Fmt(e);
    EXPECT_EQ(1, b.level[0].tile_slots);
    EXPECT_EQ(3, b.level[1].tile_slots);
    a.level[1].tile_slots = 9;
    EXPECT_NE(PESIM_OK, pesim_arch_write(p.c_str(), &a, &e));
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_check(&a, "t.cfg", &e));
}

// arbitration (docs/config.md): a banked on-chip level's policy between the MAC
// array's reads and updates; reads_first by default; unknown names, a level of
// one bank and a DRAM level are errors naming the file, line and key; written
// only when not the default, and read back.
TEST_F(ConfigTest, ArbitrationOfABankedLevel)
{
    auto load = [&](const std::string &glb, pesim_arch *a) { return LoadArchWithGlb(glb, a, &e); };
    pesim_arch a;
    ASSERT_EQ(PESIM_OK, load("banks = 4;", &a)) << Fmt(e);
    EXPECT_EQ(PESIM_ARB_READS_FIRST, a.level[1].arbitration);
    ASSERT_EQ(PESIM_OK, load("banks = 4; arbitration = \"updates_first\";", &a)) << Fmt(e);
    EXPECT_EQ(PESIM_ARB_UPDATES_FIRST, a.level[1].arbitration);
    ASSERT_EQ(PESIM_OK, load("banks = 4; arbitration = \"reads_first\";", &a)) << Fmt(e);
    EXPECT_EQ(PESIM_ARB_READS_FIRST, a.level[1].arbitration);
    ASSERT_EQ(PESIM_OK, load("banks = 4; arbitration = \"round_robin\";", &a)) << Fmt(e);
    EXPECT_EQ(PESIM_ARB_ROUND_ROBIN, a.level[1].arbitration);

    std::string p = TempFile("arch_arbitration.cfg");  // written and read back
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a, &e)) << Fmt(e);
    pesim_arch b;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &b, &e)) << Fmt(e);
    EXPECT_EQ(PESIM_ARB_ROUND_ROBIN, b.level[1].arbitration);
    EXPECT_EQ(PESIM_ARB_READS_FIRST, b.level[0].arbitration);

    ASSERT_EQ(PESIM_ERR_RANGE, load("banks = 4;\n      arbitration = \"round_robbin\";", &a));
    EXPECT_STREQ("t.cfg", e.file);
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[GLB].arbitration", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'round_robin'?")) << e.msg;
    ASSERT_EQ(PESIM_ERR_TYPE, load("banks = 4; arbitration = 1;", &a));
    EXPECT_STREQ("levels.[GLB].arbitration", e.key);
    ASSERT_EQ(PESIM_ERR_INVALID, load("arbitration = \"updates_first\";", &a));
    EXPECT_STREQ("levels.[GLB].arbitration", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "banks >= 2")) << e.msg;
    a.level[1].arbitration = PESIM_ARB_COUNT;
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_check(&a, "t.cfg", &e));
}

TEST_F(ConfigTest, ArchOutOfRange)
{
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("fanout_x = 0;", &e));
    EXPECT_EQ(3, e.line);
    EXPECT_STREQ("levels.[GLB].fanout_x", e.key);
    EXPECT_STREQ("must be >= 1, got 0", e.msg);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("read_energy_pj = -0.5;", &e));
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("fanout_x = 3000000000L;", &e));  // int32 field
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("noc = { inputs = { kind = \"systolik\"; }; };", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'systolic'?")) << e.msg;
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("spatial_x = [ \"Q\", \"X\" ];", &e));
    EXPECT_STREQ("levels.[GLB].spatial_x.[1]", e.key);
    ASSERT_EQ(PESIM_ERR_RANGE, LoadArchLevel("dram = { preset = \"ddr5\"; };", &e));
    pesim_arch a;
    ASSERT_EQ(PESIM_ERR_RANGE, pesim_arch_load_string("arch = { name = \"x\"; word_bits = 65; clock_mhz = 1.0;\n"
                                                      "levels = ( { name = \"A\"; }, { name = \"B\"; } ); };",
                                                      "x.cfg", &a, &e));
    EXPECT_STREQ("word_bits", e.key);
    EXPECT_STREQ("must be <= 64, got 65", e.msg);
}

// pesim_arch_word_bytes: word_bits rounded up to whole bytes, by hand:
// 1..8 bits -> 1 byte, 9..16 -> 2, 64 -> 8; the loader keeps word_bits in
// [1, 64] (0 and 65 are range errors), so it is 1 to 8.
TEST_F(ConfigTest, WordBytesRoundWordBitsUpToWholeBytes)
{
    const int bits[] = {1, 7, 8, 9, 12, 16, 17, 32, 63, 64};
    const int64_t bytes[] = {1, 1, 1, 2, 2, 2, 3, 4, 8, 8};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        std::string text = "arch = { name = \"x\"; word_bits = " + std::to_string(bits[i]) +
                           "; clock_mhz = 1.0;\nlevels = ( { name = \"A\"; }, { name = \"B\"; } ); };";
        pesim_arch a;
        ASSERT_EQ(PESIM_OK, pesim_arch_load_string(text.c_str(), "x.cfg", &a, &e)) << e.msg;
        EXPECT_EQ(bytes[i], pesim_arch_word_bytes(&a)) << bits[i] << " bits";
    }
    pesim_arch a;
    ASSERT_EQ(PESIM_ERR_RANGE, pesim_arch_load_string("arch = { name = \"x\"; word_bits = 0; clock_mhz = 1.0;\n"
                                                      "levels = ( { name = \"A\"; }, { name = \"B\"; } ); };",
                                                      "x.cfg", &a, &e));
    EXPECT_STREQ("word_bits", e.key);
}

TEST_F(ConfigTest, ArchMissing)
{
    ASSERT_EQ(PESIM_ERR_MISSING, LoadArchLevel("dram = { CL = 22; };", &e));
    EXPECT_STREQ("levels.[GLB].dram.tck_ns", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "without a preset")) << e.msg;
    pesim_arch a;
    ASSERT_EQ(PESIM_ERR_MISSING, pesim_arch_load_string("arch = { name = \"x\"; word_bits = 8;\n"
                                                        "levels = ( { name = \"A\"; }, { name = \"B\"; } ); };",
                                                        "x.cfg", &a, &e));
    EXPECT_STREQ("clock_mhz", e.key);
    EXPECT_EQ(1, e.line);
}

TEST_F(ConfigTest, ArchSemantics)
{
    // pesim_arch_check's findings come with the file, a line and a levels.[...] key
    ASSERT_EQ(PESIM_ERR_KEY, LoadArchLevel("keeps = [ \"weights\" ]; kept = 1;", &e));
    pesim_arch a;
    ASSERT_EQ(PESIM_ERR_INVALID,
              pesim_arch_load_string("arch = { name = \"x\"; word_bits = 8; clock_mhz = 1.0;\n"
                                     "levels = ( { name = \"A\"; },\n { name = \"B\"; keeps = [ \"weights\" ]; } ); };",
                                     "x.cfg", &a, &e));
    EXPECT_STREQ("x.cfg", e.file);
    EXPECT_EQ(3, e.line);
    EXPECT_STREQ("levels.[B]", e.key);
    ASSERT_EQ(PESIM_ERR_INVALID, LoadArchLevel("keeps = [ \"inputs\", \"inputs\" ];", &e));
    EXPECT_NE(nullptr, strstr(e.msg, "listed twice")) << e.msg;
    // level names unique (the second RF)
    ASSERT_EQ(PESIM_ERR_INVALID,
              pesim_arch_load_string("arch = { name = \"x\"; word_bits = 8; clock_mhz = 1.0;\n"
                                     "levels = ( { name = \"A\"; },\n { name = \"A\"; } ); };", "x.cfg", &a, &e));
    EXPECT_EQ(3, e.line);
    // one level is a single buffer holding everything; none is an error
    ASSERT_EQ(PESIM_OK, pesim_arch_load_string("arch = { name = \"x\"; word_bits = 8; clock_mhz = 1.0;\n"
                                               "levels = ( { name = \"A\"; } ); };", "x.cfg", &a, &e)) << e.msg;
    EXPECT_EQ(1, a.n_levels);
    ASSERT_EQ(PESIM_ERR_RANGE, pesim_arch_load_string("arch = { name = \"x\"; word_bits = 8; clock_mhz = 1.0;\n"
                                                      "levels = ( ); };", "x.cfg", &a, &e));
    EXPECT_STREQ("levels", e.key);
    // a systolic network among one PE's MAC lanes (level 0 with a fan-out) has no skew in any evaluator: refused,
    // naming the network; with one lane it forwards nothing, and on the level above it is the PE array's
    auto sys0 = [](int fanout, const char *kind) {
        return "arch = { name = \"x\"; word_bits = 8; clock_mhz = 1.0;\n"
               "levels = ( { name = \"RF\"; fanout_x = " + std::to_string(fanout) + "; spatial_x = [ \"K\" ];\n"
               "  noc = { outputs = { kind = \"" + kind + "\"; }; }; },\n"
               " { name = \"D\"; fanout_x = 4; spatial_x = [ \"C\" ];\n"
               "  noc = { inputs = { kind = \"systolic\"; }; }; } ); };";
    };
    ASSERT_EQ(PESIM_ERR_INVALID, pesim_arch_load_string(sys0(4, "systolic").c_str(), "x.cfg", &a, &e));
    EXPECT_STREQ("x.cfg", e.file);
    EXPECT_EQ(3, e.line); // the key's own line
    EXPECT_STREQ("levels.[RF].noc.outputs.kind", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "level above the PEs")) << e.msg;
    EXPECT_EQ(PESIM_OK, pesim_arch_load_string(sys0(1, "systolic").c_str(), "x.cfg", &a, &e)) << e.msg;
    EXPECT_EQ(PESIM_OK, pesim_arch_load_string(sys0(4, "bus").c_str(), "x.cfg", &a, &e)) << e.msg;
}

TEST_F(ConfigTest, ArchMissingFileAndTruncated)
{
    pesim_arch a;
    ASSERT_EQ(PESIM_ERR_IO, pesim_arch_load("/nonexistent/arch.cfg", &a, &e));
    EXPECT_STREQ("/nonexistent/arch.cfg", e.file);
    std::string path = Data("arch_truncated.cfg");
    ASSERT_EQ(PESIM_ERR_PARSE, pesim_arch_load(path.c_str(), &a, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(23, e.line);
    EXPECT_EQ(0, a.n_levels);
}

TEST_F(ConfigTest, ArchInclude)
{
    // @include is relative to the including file, wherever the process runs
    pesim_arch a, b;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("include_main.cfg").c_str(), &a, &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &b, &e)) << Fmt(e);
    EXPECT_EQ(0, memcmp(&a, &b, sizeof a));
    pesim_mapping m;
    ASSERT_EQ(PESIM_OK, pesim_mapping_load(Data("include_main.cfg").c_str(), &a, &m, &e)) << Fmt(e);
}

// ------------------------------------------------------------ mappings

class ConfigMappingTest : public ConfigTest {
protected:
    pesim_arch a{};
    void SetUp() override { ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a, &e)) << Fmt(e); }
    pesim_status Load(const std::string &levels)
    {
        std::string text = "mapping = {\n  levels = (\n" + levels + "\n  );\n};\n";
        pesim_mapping m;
        pesim_status st = pesim_mapping_load_string(text.c_str(), "m.cfg", &a, &m, &e);
        if (st) {
            pesim_mapping zero;
            memset(&zero, 0, sizeof zero);
            EXPECT_EQ(0, memcmp(&m, &zero, sizeof m));
        }
        return st;
    }
};

TEST_F(ConfigMappingTest, Good)
{
    pesim_mapping m;
    ASSERT_EQ(PESIM_OK, pesim_mapping_load(Data("map_good.cfg").c_str(), &a, &m, &e)) << Fmt(e);
    ASSERT_EQ(3, m.n_levels);
    EXPECT_EQ(3, m.level[0].temporal[PESIM_DIM_S]);
    EXPECT_EQ(1, m.level[0].temporal[PESIM_DIM_K]);
    EXPECT_EQ(4, m.level[0].spatial_x[PESIM_DIM_K]);
    EXPECT_EQ(7, m.level[1].spatial_y[PESIM_DIM_C]);
    EXPECT_EQ(1, m.level[1].bypass[PESIM_WEIGHTS]);
    EXPECT_EQ(0, m.level[1].bypass[PESIM_INPUTS]);
    EXPECT_EQ(1, m.level[1].bypass[PESIM_OUTPUTS]);
    const uint8_t identity[PESIM_NDIMS] = {0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_EQ(0, memcmp(identity, m.level[1].order, sizeof identity));  // lower case accepted
    const uint8_t nkpqcgrs[PESIM_NDIMS] = {PESIM_DIM_N, PESIM_DIM_K, PESIM_DIM_P, PESIM_DIM_Q,
                                           PESIM_DIM_C, PESIM_DIM_G, PESIM_DIM_R, PESIM_DIM_S};
    EXPECT_EQ(0, memcmp(nkpqcgrs, m.level[2].order, sizeof nkpqcgrs));
    // imperfect: C = 5 * 7 = 35 covers conv1's c = 32; still structurally valid for the arch
    pesim_network n;
    ASSERT_EQ(PESIM_OK, pesim_network_load(Data("net_good.cfg").c_str(), &n, &e)) << Fmt(e);
    EXPECT_EQ(PESIM_OK, pesim_mapping_check(&m, &a, &n.layers[0], &e)) << Fmt(e);
    pesim_network_free(&n);
}

TEST_F(ConfigMappingTest, Typo)
{
    pesim_mapping m;
    std::string path = Data("map_typo.cfg");
    ASSERT_EQ(PESIM_ERR_KEY, pesim_mapping_load(path.c_str(), &a, &m, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(7, e.line);
    EXPECT_STREQ("levels.[GLB].temporall", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'temporal'?")) << e.msg;
    ASSERT_EQ(PESIM_ERR_KEY, Load("{ name = \"RF\"; temporal = { X = 2; }; }, { name = \"GLB\"; }, "
                                  "{ name = \"DRAM\"; }"));
    EXPECT_STREQ("levels.[RF].temporal.X", e.key);
    ASSERT_EQ(PESIM_ERR_KEY, Load("{ name = \"RF\"; temporal = { k = 2; }; }, { name = \"GLB\"; }, "
                                  "{ name = \"DRAM\"; }"));
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'K'?")) << e.msg;
}

TEST_F(ConfigMappingTest, WrongType)
{
    ASSERT_EQ(PESIM_ERR_TYPE, Load("{ name = \"RF\"; },\n{ name = \"GLB\"; temporal = { K = 2.0; }; },\n"
                                   "{ name = \"DRAM\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[GLB].temporal.K", e.key);
    ASSERT_EQ(PESIM_ERR_TYPE, Load("{ name = \"RF\"; order = 3; }, { name = \"GLB\"; }, { name = \"DRAM\"; }"));
    ASSERT_EQ(PESIM_ERR_TYPE, Load("{ name = \"RF\"; bypass = \"weights\"; }, { name = \"GLB\"; }, "
                                   "{ name = \"DRAM\"; }"));
}

TEST_F(ConfigMappingTest, OutOfRange)
{
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; },\n{ name = \"GLB\"; spatial_x = { K = 0; }; },\n"
                                    "{ name = \"DRAM\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[GLB].spatial_x.K", e.key);
    EXPECT_STREQ("must be >= 1, got 0", e.msg);
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; order = \"GNKCPQRR\"; }, { name = \"GLB\"; }, "
                                    "{ name = \"DRAM\"; }"));
    EXPECT_NE(nullptr, strstr(e.msg, "R appears twice")) << e.msg;
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; order = \"GNKC\"; }, { name = \"GLB\"; }, "
                                    "{ name = \"DRAM\"; }"));
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; order = \"GNKCPQRX\"; }, { name = \"GLB\"; }, "
                                    "{ name = \"DRAM\"; }"));
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; bypass = [ \"weight\" ]; }, { name = \"GLB\"; }, "
                                    "{ name = \"DRAM\"; }"));
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'weights'?")) << e.msg;
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; temporal = { K = 4000000000L; }; },"
                                    "{ name = \"GLB\"; temporal = { K = 4000000000L; }; },"
                                    "{ name = \"DRAM\"; temporal = { K = 4000000000L; }; }"));
}

TEST_F(ConfigMappingTest, Missing)
{
    ASSERT_EQ(PESIM_ERR_MISSING, Load("{ name = \"RF\"; },\n{ temporal = { K = 2; }; },\n{ name = \"DRAM\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[1].name", e.key);
    pesim_mapping m;
    ASSERT_EQ(PESIM_ERR_MISSING, pesim_mapping_load_string("mapping = { arch = \"full\"; };", "m.cfg", &a, &m, &e));
    EXPECT_STREQ("levels", e.key);
}

TEST_F(ConfigMappingTest, Structure)
{
    // one entry per arch level, in arch order, by name
    ASSERT_EQ(PESIM_ERR_INVALID, Load("{ name = \"RF\"; }, { name = \"DRAM\"; }"));
    EXPECT_NE(nullptr, strstr(e.msg, "RF, GLB, DRAM")) << e.msg;
    ASSERT_EQ(PESIM_ERR_INVALID, Load("{ name = \"RF\"; },\n{ name = \"DRAM\"; },\n{ name = \"GLB\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("levels.[DRAM].name", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "expected level 'GLB'")) << e.msg;
    pesim_mapping m;
    ASSERT_EQ(PESIM_ERR_INVALID,
              pesim_mapping_load_string("mapping = { arch = \"eyeriss\"; levels = ( ); };", "m.cfg", &a, &m, &e));
    EXPECT_STREQ("arch", e.key);
}

TEST_F(ConfigMappingTest, MissingFileAndTruncated)
{
    pesim_mapping m;
    ASSERT_EQ(PESIM_ERR_IO, pesim_mapping_load("/nonexistent/map.cfg", &a, &m, &e));
    EXPECT_STREQ("/nonexistent/map.cfg", e.file);
    std::string path = Data("map_truncated.cfg");
    ASSERT_EQ(PESIM_ERR_PARSE, pesim_mapping_load(path.c_str(), &a, &m, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(8, e.line);  // the file ends in the middle of line 8
}

// ------------------------------------------------------------ placements

class ConfigPlacementTest : public ConfigTest {
protected:
    pesim_arch a{};
    pesim_network n{};
    void SetUp() override
    {
        ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a, &e)) << Fmt(e);
        ASSERT_EQ(PESIM_OK, pesim_network_load(Data("net_good.cfg").c_str(), &n, &e)) << Fmt(e);
    }
    void TearDown() override
    {
        pesim_network_free(&n);
        ConfigTest::TearDown();
    }
    // tensors for every MAC layer (conv1 dw2 grp3 fc5 att6) plus `extra`
    pesim_status Load(const std::string &first, const std::string &extra = "")
    {
        std::string text = "placement = {\n  tensors = (\n" + first +
                           ",\n{ layer = \"dw2\"; weights = \"RF\"; outputs = \"RF\"; },"
                           " { layer = \"grp3\"; weights = \"RF\"; outputs = \"RF\"; },"
                           " { layer = \"fc5\"; weights = \"RF\"; outputs = \"RF\"; },"
                           " { layer = \"att6\"; weights = \"RF\"; outputs = \"RF\"; }" + extra + "\n  );\n};\n";
        pesim_placement p;
        pesim_status st = pesim_placement_load_string(text.c_str(), "p.cfg", &a, &n, &p, &e);
        if (st) {
            EXPECT_EQ(nullptr, p.weights_level);
        }
        pesim_placement_free(&p);
        return st;
    }
};

TEST_F(ConfigPlacementTest, Good)
{
    pesim_placement p;
    ASSERT_EQ(PESIM_OK, pesim_placement_load(Data("place_good.cfg").c_str(), &a, &n, &p, &e)) << Fmt(e);
    ASSERT_EQ(8, p.n_layers);
    EXPECT_EQ(1, p.weights_level[0]);
    EXPECT_EQ(0, p.weights_level[1]);
    EXPECT_EQ(2, p.outputs_level[1]);
    EXPECT_EQ(0, p.outputs_level[4]);
    EXPECT_EQ(1, p.outputs_level[6]);  // add7
    EXPECT_EQ(2, p.weights_level[6]);  // no weights: the outermost level
    EXPECT_EQ(2, p.outputs_level[7]);  // cat8 not listed: the outermost level
    EXPECT_EQ(PESIM_OK, Load("{ layer = \"conv1\"; weights = \"RF\"; outputs = \"RF\"; }")) << Fmt(e);
    pesim_placement_free(&p);
}

TEST_F(ConfigPlacementTest, Typo)
{
    pesim_placement p;
    std::string path = Data("place_typo.cfg");
    ASSERT_EQ(PESIM_ERR_KEY, pesim_placement_load(path.c_str(), &a, &n, &p, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(7, e.line);
    EXPECT_STREQ("tensors.[fc5].weight", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'weights'?")) << e.msg;
    EXPECT_EQ(nullptr, p.weights_level);
}

TEST_F(ConfigPlacementTest, WrongType)
{
    ASSERT_EQ(PESIM_ERR_TYPE, Load("{ layer = \"conv1\";\n  weights = 1; outputs = \"RF\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("tensors.[conv1].weights", e.key);
    ASSERT_EQ(PESIM_ERR_TYPE, Load("( \"conv1\", \"RF\" )"));
}

TEST_F(ConfigPlacementTest, OutOfRange)
{
    ASSERT_EQ(PESIM_ERR_RANGE, Load("{ layer = \"conv1\";\n  weights = \"GBL\"; outputs = \"RF\"; }"));
    EXPECT_EQ(4, e.line);
    EXPECT_STREQ("tensors.[conv1].weights", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'GLB'?")) << e.msg;
    EXPECT_NE(nullptr, strstr(e.msg, "RF, GLB, DRAM")) << e.msg;
}

TEST_F(ConfigPlacementTest, Missing)
{
    ASSERT_EQ(PESIM_ERR_MISSING, Load("{ layer = \"conv1\"; outputs = \"RF\"; }"));
    EXPECT_STREQ("tensors.[conv1].weights", e.key);
    EXPECT_EQ(3, e.line);
    // every MAC layer needs an entry; conv1 has none here
    ASSERT_EQ(PESIM_ERR_MISSING, Load("{ layer = \"add7\"; outputs = \"RF\"; }"));
    EXPECT_STREQ("tensors", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "'conv1'")) << e.msg;
}

TEST_F(ConfigPlacementTest, Semantics)
{
    ASSERT_EQ(PESIM_ERR_INVALID, Load("{ layer = \"conv1\"; weights = \"RF\"; outputs = \"RF\"; }",
                                      ",\n{ layer = \"conv1\"; weights = \"RF\"; outputs = \"RF\"; }"));
    EXPECT_NE(nullptr, strstr(e.msg, "placed twice")) << e.msg;
    ASSERT_EQ(PESIM_ERR_INVALID, Load("{ layer = \"conv9\"; weights = \"RF\"; outputs = \"RF\"; }"));
}

TEST_F(ConfigPlacementTest, MissingFileAndTruncated)
{
    pesim_placement p;
    ASSERT_EQ(PESIM_ERR_IO, pesim_placement_load("/nonexistent/place.cfg", &a, &n, &p, &e));
    EXPECT_STREQ("/nonexistent/place.cfg", e.file);
    std::string path = Data("place_truncated.cfg");
    ASSERT_EQ(PESIM_ERR_PARSE, pesim_placement_load(path.c_str(), &a, &n, &p, &e));
    EXPECT_EQ(path, e.file);
    EXPECT_EQ(5, e.line);
}

// ------------------------------------------------------------ round trips

TEST_F(ConfigTest, NetworkRoundTrip)
{
    pesim_network n1, n2, n3;
    ASSERT_EQ(PESIM_OK, pesim_network_load(Data("net_good.cfg").c_str(), &n1, &e)) << Fmt(e);
    std::string p1 = TempFile("net1.cfg"), p2 = TempFile("net2.cfg");
    ASSERT_EQ(PESIM_OK, pesim_network_write(p1.c_str(), &n1, &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_network_load(p1.c_str(), &n2, &e)) << Fmt(e) << "\n" << Slurp(p1);
    ExpectSameNetwork(n1, n2);
    // writing what was loaded from a written file gives the same text
    ASSERT_EQ(PESIM_OK, pesim_network_write(p2.c_str(), &n2, &e)) << Fmt(e);
    EXPECT_EQ(Slurp(p1), Slurp(p2));
    ASSERT_EQ(PESIM_OK, pesim_network_load(p2.c_str(), &n3, &e)) << Fmt(e);
    for (int i = 0; i < n2.n_layers; i++) EXPECT_EQ(0, memcmp(&n2.layers[i], &n3.layers[i], sizeof n2.layers[i]));
    pesim_network_free(&n1);
    pesim_network_free(&n2);
    pesim_network_free(&n3);
}

TEST_F(ConfigTest, NetworkWriterRefusesWhatCannotLoadBack)
{
    pesim_network n;
    ASSERT_EQ(PESIM_OK, pesim_network_load(Data("net_good.cfg").c_str(), &n, &e)) << Fmt(e);
    std::string p = TempFile("bad.cfg");
    n.layers[4].dim[PESIM_DIM_R] = 3;  // a gemm has no r
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_network_write(p.c_str(), &n, &e));
    EXPECT_STREQ("layers.[fc5]", e.key);
    n.layers[4].dim[PESIM_DIM_R] = 1;
    n.layers[3].inputs[0] = 5;  // not an earlier layer
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_network_write(p.c_str(), &n, &e));
    n.layers[3].inputs[0] = 2;
    strcpy(n.layers[3].name, "conv1");  // duplicate
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_network_write(p.c_str(), &n, &e));
    strcpy(n.layers[3].name, "pool4");
    EXPECT_EQ(PESIM_ERR_IO, pesim_network_write("/nonexistent/dir/x.cfg", &n, &e));
    EXPECT_STREQ("/nonexistent/dir/x.cfg", e.file);
    EXPECT_EQ(PESIM_OK, pesim_network_write(p.c_str(), &n, &e)) << Fmt(e);
    pesim_network_free(&n);
}

TEST_F(ConfigTest, ArchRoundTrip)
{
    pesim_arch a1, a2, a3;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a1, &e)) << Fmt(e);
    std::string p1 = TempFile("arch1.cfg"), p2 = TempFile("arch2.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p1.c_str(), &a1, &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p1.c_str(), &a2, &e)) << Fmt(e) << "\n" << Slurp(p1);
    ExpectSameArch(a1, a2);
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p2.c_str(), &a2, &e)) << Fmt(e);
    EXPECT_EQ(Slurp(p1), Slurp(p2));
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p2.c_str(), &a3, &e)) << Fmt(e);
    EXPECT_EQ(0, memcmp(&a2, &a3, sizeof a2));  // same text, same lines too
}

TEST_F(ConfigTest, ConventionsRoundTripAndBadValue)
{
    pesim_arch a1, a2;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a1, &e)) << Fmt(e);
    EXPECT_EQ(PESIM_CONV_PESIM, a1.conventions);  // the default
    a1.conventions = PESIM_CONV_TIMELOOP;
    std::string p = TempFile("arch_conv.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    EXPECT_NE(std::string::npos, Slurp(p).find("conventions = \"timeloop\";"));
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &a2, &e)) << Fmt(e);
    EXPECT_EQ(PESIM_CONV_TIMELOOP, a2.conventions);
    std::string text = Slurp(p);
    text.replace(text.find("\"timeloop\""), 10, "\"timeloopp\"");
    std::string q = TempFile("arch_conv_bad.cfg");
    FILE *f = fopen(q.c_str(), "w");
    fputs(text.c_str(), f);
    fclose(f);
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_load(q.c_str(), &a2, &e));
    EXPECT_STREQ("conventions", e.key);
    EXPECT_NE(nullptr, strstr(e.msg, "did you mean 'timeloop'")) << e.msg;
}

// first_read_elision: written only when set, read back; with the "pesim"
// conventions refused at its own line.
TEST_F(ConfigTest, FirstReadElisionRoundTripAndOnlyWithTimeloop)
{
    pesim_arch a1, a2;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a1, &e)) << Fmt(e);
    EXPECT_EQ(0, a1.first_read_elision);  // the default
    std::string p = TempFile("arch_elide.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    EXPECT_EQ(std::string::npos, Slurp(p).find("first_read_elision"));
    a1.first_read_elision = 1;
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_arch_write(p.c_str(), &a1, &e));  // "pesim" conventions
    EXPECT_STREQ("first_read_elision", e.key);
    a1.conventions = 7;  // an arch built in code: pesim_arch_check refuses what no config could say
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_write(p.c_str(), &a1, &e));
    EXPECT_STREQ("conventions", e.key);
    a1.conventions = PESIM_CONV_TIMELOOP;
    a1.first_read_elision = 2;
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_write(p.c_str(), &a1, &e));
    EXPECT_STREQ("first_read_elision", e.key);
    a1.first_read_elision = 1;
    a1.conventions = PESIM_CONV_TIMELOOP;
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    std::string text = Slurp(p);
    EXPECT_NE(std::string::npos, text.find("first_read_elision = true;"));
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &a2, &e)) << Fmt(e);
    EXPECT_EQ(1, a2.first_read_elision);
    text.replace(text.find("\"timeloop\""), 10, "\"pesim\"");
    int line = 1;
    for (size_t i = 0; i < text.find("first_read_elision"); i++) line += text[i] == '\n';
    std::string q = TempFile("arch_elide_bad.cfg");
    std::ofstream(q) << text;
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_arch_load(q.c_str(), &a2, &e));
    EXPECT_STREQ("first_read_elision", e.key);
    EXPECT_EQ(line, e.line);
    EXPECT_NE(nullptr, strstr(e.msg, "\"timeloop\" convention")) << e.msg;
}

// cluster_size (Timeloop's cluster-size): written only when above 1, read
// back; refused with the "pesim" conventions, when it does not divide the
// level's instances, and below 1, each at the key's own line.
TEST_F(ConfigTest, ClusterSizeRoundTripAndChecks)
{
    pesim_arch a1, a2;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a1, &e)) << Fmt(e);
    ASSERT_EQ(168, pesim_arch_instances(&a1, 0));  // RF: 14 x 12 GLB children
    std::string p = TempFile("arch_cluster.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    EXPECT_EQ(std::string::npos, Slurp(p).find("cluster_size"));
    a1.level[0].cluster_size = 4;
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_arch_write(p.c_str(), &a1, &e));  // "pesim" conventions
    EXPECT_STREQ("levels.[RF].cluster_size", e.key);
    a1.conventions = PESIM_CONV_TIMELOOP;
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    std::string text = Slurp(p);
    EXPECT_NE(std::string::npos, text.find("cluster_size = 4;")) << text;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &a2, &e)) << Fmt(e);
    EXPECT_EQ(4, a2.level[0].cluster_size);
    int line = 1;
    for (size_t i = 0; i < text.find("cluster_size"); i++) line += text[i] == '\n';
    auto bad = [&](const std::string &from, const std::string &to, pesim_status want, const char *msg) {
        std::string t = text;
        t.replace(t.find(from), from.size(), to);
        std::string q = TempFile("arch_cluster_bad.cfg");
        std::ofstream(q) << t;
        EXPECT_EQ(want, pesim_arch_load(q.c_str(), &a2, &e)) << to;
        EXPECT_STREQ("levels.[RF].cluster_size", e.key) << to;
        EXPECT_EQ(line, e.line) << to;
        EXPECT_NE(nullptr, strstr(e.msg, msg)) << e.msg;
    };
    bad("\"timeloop\"", "\"pesim\"", PESIM_ERR_INVALID, "\"timeloop\" convention");
    bad("cluster_size = 4;", "cluster_size = 5;", PESIM_ERR_INVALID, "does not divide the level's 168 instances");
    bad("cluster_size = 4;", "cluster_size = 0;", PESIM_ERR_RANGE, "");
}

TEST_F(ConfigTest, ArchRoundTripExactFloatsAndStrings)
{
    pesim_arch a1, a2;
    ASSERT_EQ(PESIM_OK, pesim_arch_load(Data("arch_full.cfg").c_str(), &a1, &e)) << Fmt(e);
    memset(a1.name, 0, sizeof a1.name);  // memcmp sees the bytes after the NUL too
    strcpy(a1.name, "quote\" back\\slash\ttab");
    memset(a1.source, 0, sizeof a1.source);
    strcpy(a1.source, "utf-8: \xc3\xa9t\xc3\xa9");
    a1.clock_mhz = 1000 * (0.1 + 0.2);  // 300.00000000000006
    a1.mac_energy_pj = 1e-300;
    a1.mac_area_um2 = 123456789012345.678;  // below the 1e15 bound
    a1.level[0].read_energy_pj = std::nextafter(1.0, 2.0);
    a1.level[1].leak_pj_per_cycle = 5.0;  // integral: still written as a float
    a1.level[1].noc[PESIM_INPUTS].words_per_cycle = 1.0 / 3.0;
    a1.level[1].capacity_words = (int64_t)1 << 50;  // the largest capacity allowed
    ASSERT_EQ(PESIM_OK, pesim_estimate_arch(&a1, &e)) << Fmt(e);  // what the loader does to the fields left unset
    std::string p = TempFile("arch_exact.cfg");
    ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a1, &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &a2, &e)) << Fmt(e) << "\n" << Slurp(p);
    ExpectSameArch(a1, a2);
    EXPECT_NE(std::string::npos, Slurp(p).find("leak_pj_per_cycle = 5.0;"));
}

TEST_F(ConfigTest, RandomArchsAndMappingsRoundTrip)
{
    TestRng rng(12345);
    int checked = 0;
    for (int iter = 0; iter < 200; iter++) {
        pesim_arch a = test_arch(rng, (int)rng.uni(2, PESIM_MAX_LEVELS));
        for (int l = 0; l < a.n_levels; l++) {  // arbitrary doubles within the bounds
            a.level[l].read_energy_pj = (double)(rng.next() >> 4) / 1e10;
            a.level[l].write_words_per_cycle = 1.0 / 1024 + (double)(rng.next() >> 11) * 0x1p-53;
        }
        if (pesim_arch_check(&a, "rand", nullptr) != PESIM_OK) continue;
        std::string p = TempFile("rand_arch.cfg"), q = TempFile("rand_map.cfg");
        pesim_arch b;
        ASSERT_STREQ("", a.dataflow);  // no hint: written as "any", its meaning
        ASSERT_EQ(PESIM_OK, pesim_arch_write(p.c_str(), &a, &e)) << Fmt(e);
        ASSERT_EQ(PESIM_OK, pesim_arch_load(p.c_str(), &b, &e)) << Fmt(e) << "\n" << Slurp(p);
        strcpy(a.dataflow, "any");
        ExpectSameArch(a, b);
        pesim_layer l = test_layer(rng.uni(1, 3), rng.uni(1, 4), rng.uni(1, 64), rng.uni(1, 64), rng.uni(1, 30),
                                   rng.uni(1, 30), rng.uni(1, 5), rng.uni(1, 5));
        pesim_mapping m = test_mapping(rng, a, l), m2;
        ASSERT_EQ(PESIM_OK, pesim_mapping_write(q.c_str(), &m, &a, "L", &e)) << Fmt(e);
        ASSERT_EQ(PESIM_OK, pesim_mapping_load(q.c_str(), &b, &m2, &e)) << Fmt(e) << "\n" << Slurp(q);
        EXPECT_EQ(0, memcmp(&m, &m2, sizeof m));
        checked++;
    }
    EXPECT_GT(checked, 100);
}

TEST_F(ConfigMappingTest, RoundTrip)
{
    pesim_mapping m1, m2;
    ASSERT_EQ(PESIM_OK, pesim_mapping_load(Data("map_good.cfg").c_str(), &a, &m1, &e)) << Fmt(e);
    std::string p = TempFile("map.cfg");
    ASSERT_EQ(PESIM_OK, pesim_mapping_write(p.c_str(), &m1, &a, "conv1", &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_mapping_load(p.c_str(), &a, &m2, &e)) << Fmt(e) << "\n" << Slurp(p);
    EXPECT_EQ(0, memcmp(&m1, &m2, sizeof m1));
    // the string form is the file's text
    char *s = pesim_mapping_to_string(&m1, &a, "conv1");
    ASSERT_NE(nullptr, s);
    EXPECT_EQ(Slurp(p), std::string(s));
    EXPECT_NE(nullptr, strstr(s, "layer = \"conv1\";"));
    EXPECT_NE(nullptr, strstr(s, "bypass = [ \"weights\", \"outputs\" ];"));
    free(s);
    // no layer name: no layer key; still loads
    s = pesim_mapping_to_string(&m1, &a, nullptr);
    ASSERT_NE(nullptr, s);
    EXPECT_EQ(nullptr, strstr(s, "layer ="));
    ASSERT_EQ(PESIM_OK, pesim_mapping_load_string(s, "s.cfg", &a, &m2, &e)) << Fmt(e);
    EXPECT_EQ(0, memcmp(&m1, &m2, sizeof m1));
    free(s);
}

TEST_F(ConfigMappingTest, SeveralDimsOnOneAxisRoundTrip)
{
    pesim_mapping m1, m2;
    pesim_mapping_init(&m1, a.n_levels);
    m1.level[1].spatial_x[PESIM_DIM_Q] = 2;
    m1.level[1].spatial_x[PESIM_DIM_K] = 3;
    const uint8_t ox[PESIM_NDIMS] = {PESIM_DIM_Q, PESIM_DIM_K, PESIM_DIM_G, PESIM_DIM_N,
                                     PESIM_DIM_C, PESIM_DIM_P, PESIM_DIM_R, PESIM_DIM_S};
    memcpy(m1.level[1].order_x, ox, sizeof ox);
    char *s = pesim_mapping_to_string(&m1, &a, nullptr);
    ASSERT_NE(nullptr, s);
    EXPECT_NE(nullptr, strstr(s, "order_x = \"QKGNCPRS\";")) << s;
    EXPECT_EQ(nullptr, strstr(s, "order_y")) << s;  // nothing shares Y: not written
    ASSERT_EQ(PESIM_OK, pesim_mapping_load_string(s, "s.cfg", &a, &m2, &e)) << Fmt(e);
    EXPECT_EQ(0, memcmp(&m1, &m2, sizeof m1));
    free(s);
    // an axis order that is not a permutation is refused by the loader and the check
    EXPECT_EQ(PESIM_ERR_RANGE, Load("{ name = \"RF\"; }, { name = \"GLB\"; order_x = \"GGKCPQRS\"; }, "
                                    "{ name = \"DRAM\"; }"));
    EXPECT_STREQ("levels.[GLB].order_x", e.key);
    m1.level[1].order_y[3] = m1.level[1].order_y[4];
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_mapping_check(&m1, &a, nullptr, &e));
    EXPECT_NE(nullptr, strstr(e.msg, "Y axis order")) << e.msg;
}

TEST_F(ConfigMappingTest, WriterRefusesBadMappings)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    m.level[1].order[0] = m.level[1].order[1];
    EXPECT_EQ(nullptr, pesim_mapping_to_string(&m, &a, nullptr));
    pesim_mapping_init(&m, a.n_levels);
    m.level[0].temporal[PESIM_DIM_K] = 0;
    EXPECT_EQ(nullptr, pesim_mapping_to_string(&m, &a, nullptr));
    pesim_mapping_init(&m, 2);
    EXPECT_EQ(nullptr, pesim_mapping_to_string(&m, &a, nullptr));
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_mapping_write(TempFile("x.cfg").c_str(), &m, &a, nullptr, &e));
    EXPECT_EQ(nullptr, pesim_mapping_to_string(nullptr, &a, nullptr));
}

TEST_F(ConfigPlacementTest, RoundTrip)
{
    pesim_placement p1, p2;
    ASSERT_EQ(PESIM_OK, pesim_placement_load(Data("place_good.cfg").c_str(), &a, &n, &p1, &e)) << Fmt(e);
    p1.weights_level[7] = 1;  // a layer without weights keeps any level it is given
    std::string path = TempFile("place.cfg");
    ASSERT_EQ(PESIM_OK, pesim_placement_write(path.c_str(), &p1, &a, &n, &e)) << Fmt(e);
    ASSERT_EQ(PESIM_OK, pesim_placement_load(path.c_str(), &a, &n, &p2, &e)) << Fmt(e) << "\n" << Slurp(path);
    ASSERT_EQ(p1.n_layers, p2.n_layers);
    for (int i = 0; i < p1.n_layers; i++) {
        EXPECT_EQ(p1.weights_level[i], p2.weights_level[i]) << i;
        EXPECT_EQ(p1.outputs_level[i], p2.outputs_level[i]) << i;
    }
    p1.outputs_level[0] = 3;  // no such level
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_placement_write(path.c_str(), &p1, &a, &n, &e));
    pesim_placement_free(&p1);
    pesim_placement_free(&p2);
}

// Every shipped workload and architecture loads, and round-trips.
TEST_F(ConfigTest, ShippedFilesLoadAndRoundTrip)
{
    namespace fs = std::filesystem;
    int seen = 0;
    for (const char *dir : {"workloads", "configs/arch"}) {
        fs::path root = fs::path(PESIM_SOURCE_DIR) / dir;
        if (!fs::is_directory(root)) continue;
        for (const auto &ent : fs::directory_iterator(root)) {
            if (ent.path().extension() != ".cfg") continue;
            std::string path = ent.path().string(), out = TempFile("shipped.cfg");
            SCOPED_TRACE(path);
            seen++;
            if (std::string(dir) == "workloads") {
                pesim_network a, b;
                ASSERT_EQ(PESIM_OK, pesim_network_load(path.c_str(), &a, &e)) << Fmt(e);
                ASSERT_EQ(PESIM_OK, pesim_network_write(out.c_str(), &a, &e)) << Fmt(e);
                ASSERT_EQ(PESIM_OK, pesim_network_load(out.c_str(), &b, &e)) << Fmt(e);
                ExpectSameNetwork(a, b);
                pesim_network_free(&a);
                pesim_network_free(&b);
            } else {
                pesim_arch a, b;
                ASSERT_EQ(PESIM_OK, pesim_arch_load(path.c_str(), &a, &e)) << Fmt(e);
                ASSERT_EQ(PESIM_OK, pesim_arch_write(out.c_str(), &a, &e)) << Fmt(e);
                ASSERT_EQ(PESIM_OK, pesim_arch_load(out.c_str(), &b, &e)) << Fmt(e);
                ExpectSameArch(a, b);
            }
        }
    }
    EXPECT_GT(seen, 0);
}

}  // namespace
