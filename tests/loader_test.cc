// loader_test.cc - the config loaders' answers to the bad inputs of issue #11
// ("Bad-input findings in the loaders"), each through the pesim binary with
// its exit status and the message (file:line: key: ...), and in the library
// where the point is that it returns instead of exiting. Also: an unbounded
// backing store (an outermost level with no DRAM and no bandwidth limit).
#include <gtest/gtest.h>

#include <string>

#include "cli_run_util.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/engine.h"
#include "pesim/model.h"
}

namespace {

// A small arch in the config format; the markers @GLB@, @MAC@ and @DRAM@
// receive extra keys of the GLB level, the mac group and the dram group.
const char *kArch =
    "arch = {\n"                                                              // 1
    "  name = \"t\"; word_bits = 16; clock_mhz = 500.0;\n"                    // 2
    "  mac = { energy_pj = 1.0; @MAC@ };\n"                                   // 3
    "  levels = (\n"                                                          // 4
    "    { name = \"RF\"; tensor_capacity = { weights = 4; inputs = 4; outputs = 4; }; },\n"  // 5
    "    { name = \"GLB\"; capacity_words = 1024; fanout_x = 4; fanout_y = 4;\n"  // 6
    "      read_words_per_cycle = 4.0; write_words_per_cycle = 4.0; @GLB@ },\n"   // 7
    "    { name = \"DRAM\";\n"                                                // 8
    "      dram = { preset = \"ddr4-3200\"; @DRAM@ };\n"                      // 9
    "      read_energy_pj = 100.0; write_energy_pj = 100.0; }\n"             // 10
    "  );\n"
    "};\n";

const char *kNet =
    "network = { name = \"n\"; input = { c = 8; h = 10; w = 10; };\n"
    "  layers = ( { name = \"c1\"; type = \"conv\"; inputs = [ \"input\" ]; k = 8; c = 8; p = 8; q = 8; r = 3; s = 3; } ); };\n";

std::string Replace(std::string s, const std::string &from, const std::string &to)
{
    size_t at = s.find(from);
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

std::string Arch(const std::string &glb, const std::string &mac = "", const std::string &dram = "")
{
    return Replace(Replace(Replace(kArch, "@GLB@", glb), "@MAC@", mac), "@DRAM@", dram);
}

class LoaderTest : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = TempDir("loader"); }
    std::string Write(const std::string &name, const std::string &text)
    {
        std::string p = dir_ + "/" + name;
        FILE *f = fopen(p.c_str(), "wb");
        EXPECT_NE(nullptr, f);
        if (f) {
            fwrite(text.data(), 1, text.size(), f);
            fclose(f);
        }
        return p;
    }
    // `pesim info --arch` on the text; the expected stderr is "pesim: FILE" + rest.
    void ExpectArchError(const std::string &text, const std::string &rest)
    {
        std::string p = Write("arch.cfg", text);
        Result r = Pesim("info --arch '" + p + "'");
        EXPECT_EQ(2, r.status) << r.out;
        EXPECT_EQ("pesim: " + p + rest + "\n", r.err);
    }
    std::string dir_;
};

TEST_F(LoaderTest, TheBaseArchLoads)
{
    std::string p = Write("arch.cfg", Arch(""));
    Result r = Pesim("info --arch '" + p + "'");
    EXPECT_EQ(0, r.status) << r.err;
}

// A 9e18-MAC layer used to load and print negative access counts.
TEST_F(LoaderTest, LayerCountsAreBoundedAtLoad)
{
    std::string a = Write("arch.cfg", Arch(""));
    std::string w = Write("big.cfg",
                          "network = { name = \"big\"; input = { c = 1; h = 1; w = 1; };\n"
                          "  layers = ( { name = \"fc\"; type = \"gemm\"; inputs = [ \"input\" ];\n"
                          "               m = 3000000000L; n_out = 3000000000L; k_red = 1; } ); };\n");
    Result r = Pesim("run --arch '" + a + "' --workload '" + w + "' --eval analytical");
    EXPECT_EQ(2, r.status) << r.out;
    EXPECT_EQ("pesim: " + w + ":2: layers.[fc]: layer 'fc' is too large: its MACs (the product of its bounds) or "
                              "its input words exceed 2^48 = 281474976710656\n", r.err);
    EXPECT_EQ("", r.out);
    // exactly 2^48 MACs is allowed
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_network_load_string("network = { name = \"n\"; input = { c = 1; h = 1; w = 1; };\n"
                                                  "  layers = ( { name = \"fc\"; type = \"gemm\"; inputs = [ \"input\" ];\n"
                                                  "    m = 16777216; n_out = 16777216; k_red = 1; } ); };",
                                                  "edge.cfg", &net, &e))
        << e.msg;
    EXPECT_EQ((int64_t)1 << 48, pesim_network_macs(&net));
    pesim_network_free(&net);
    // a network's MACs are bounded too: five 2^48-MAC layers pass 2^50 at the fifth
    std::string text = "network = { name = \"n\"; input = { c = 1; h = 1; w = 1; };\n  layers = (\n";
    for (int i = 0; i < 5; i++)
        text += std::string("    { name = \"l") + std::to_string(i) +
                "\"; type = \"gemm\"; inputs = [ \"input\" ]; m = 16777216; n_out = 16777216; k_red = 1; }" +
                (i < 4 ? ",\n" : "\n");
    text += "  ); };\n";
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_network_load_string(text.c_str(), "five.cfg", &net, &e));
    EXPECT_EQ(7, e.line);
    EXPECT_STREQ("layers.[l4]", e.key);
    EXPECT_STREQ("the network's MACs pass 2^50 = 1125899906842624 at this layer", e.msg);
}

// DRAM fields used to load and fail only at evaluation (exit 1, no file/line/key).
TEST_F(LoaderTest, DramFieldsAreCheckedAtLoad)
{
    ExpectArchError(Arch("", "", "channels = 2147483647;"),
                    ":9: levels.[DRAM].dram.channels: must be in [1, 1024], got 2147483647");
    ExpectArchError(Arch("", "", "bus_bits = 12;"),
                    ":9: levels.[DRAM].dram.bus_bits: must be a multiple of 8 in [8, 4096], got 12");
    ExpectArchError(Arch("", "", "row_bytes = 100;"),
                    ":9: levels.[DRAM].dram.row_bytes: must be a multiple of the burst (64 bytes) up to 1 GiB, "
                    "got 100");
    // a preset's value that the file's other fields make wrong: named at the dram group
    ExpectArchError(Arch("", "", "bus_bits = 4096; BL = 64;"),
                    ":9: levels.[DRAM].dram.row_bytes: must be a multiple of the burst (32768 bytes) up to 1 GiB, "
                    "got 8192 (the value of preset 'ddr4-3200')");
    // the same through run: exit 2 before anything is evaluated
    std::string a = Write("arch.cfg", Arch("", "", "channels = 2147483647;"));
    std::string w = Write("net.cfg", kNet);
    Result r = Pesim("run --arch '" + a + "' --workload '" + w + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("", r.out);
}

// latency_cycles = 2^31 or tck_ns = 1e-10 made the cycle engine run for minutes.
TEST_F(LoaderTest, NumericFieldsAreBounded)
{
    ExpectArchError(Arch("latency_cycles = 2147483647;"),
                    ":7: levels.[GLB].latency_cycles: must be <= 1048576, got 2147483647");
    ExpectArchError(Arch("", "latency_cycles = 2147483647;"),
                    ":3: mac.latency_cycles: must be <= 1048576, got 2147483647");
    ExpectArchError(Arch("", "", "tck_ns = 1e-10;"),
                    ":9: levels.[DRAM].dram.tck_ns: a DRAM clock of 1e+13 MHz is more than 1024 times the "
                    "accelerator clock (clock_mhz = 500): tck_ns must be >= 0.00195312");
    ExpectArchError(Arch("", "", "tREFI = 100; tRFC = 90;"),
                    ":9: levels.[DRAM].dram.tREFI: refresh needs tRFC >= 1 and tREFI >= tRFC + 184 (tRC + tRCD + "
                    "max(CL, CWL) + BL + tWR + tRTP + tRP: room for one access between refreshes), got tRFC = 90, "
                    "tREFI = 100");
    ExpectArchError(Arch("", "", "tCCD_L = 2000000;"),
                    ":9: levels.[DRAM].dram.tCCD_L: must be in [1, 1000000] cycles, got 2000000");
    ExpectArchError(Replace(Arch(""), "read_words_per_cycle = 4.0", "read_words_per_cycle = 1e-9"),
                    ":7: levels.[GLB].read_words_per_cycle: must be 0 (unlimited) or at least 1/1024 = "
                    "0.000976562 words per cycle, got 1e-09");
    ExpectArchError(Replace(Arch(""), "clock_mhz = 500.0", "clock_mhz = 1e7"),
                    ":2: clock_mhz: must be <= 1e+06, got 1e+07");
    ExpectArchError(Arch("banks = 100000;"), ":7: levels.[GLB].banks: must be <= 65536, got 100000");
    ExpectArchError(Replace(Arch(""), "capacity_words = 1024", "capacity_words = 2000000000000000L"),
                    ":6: levels.[GLB].capacity_words: must be <= 1125899906842624, got 2000000000000000");
    ExpectArchError(Replace(Arch(""), "energy_pj = 1.0", "energy_pj = 1e10"),
                    ":3: mac.energy_pj: must be <= 1e+09, got 1e+10");
}

// At the bounds, the cycle engine still finishes a small layer (at once: a
// slow run would hit the suite's time limit, not an assertion).
TEST_F(LoaderTest, CycleEngineRunsAtTheBounds)
{
    std::string w = Write("net.cfg", kNet);
    const std::string cases[][2] = {
        {"latency_cycles = 1048576;", ""},
        {"", "tck_ns = 0.001953125;"},  // DRAM clock = 1024 x the accelerator's
        {"", "tRFC = 1; tREFI = 185;"}, // the shortest refresh interval allowed
    };
    for (const auto &c : cases) {
        std::string a = Write("arch.cfg", Arch(c[0], "", c[1]));
        Result r = Pesim("run --arch '" + a + "' --workload '" + w + "' --eval cycle --json -");
        EXPECT_EQ(0, r.status) << c[0] << c[1] << r.err;
        Json j = ParseJson(r.out);
        EXPECT_TRUE(j["layers"].arr.size() == 1 && j["layers"].arr[0]["valid"].b) << r.out;
    }
}

// @include of a directory made libconfig's scanner call exit() inside the library.
TEST_F(LoaderTest, IncludeOfADirectoryIsAnError)
{
    std::string sub = dir_ + "/sub";
    ASSERT_EQ(0, mkdir(sub.c_str(), 0755));
    ExpectArchError("arch = {\n@include \"sub\"\n};\n",
                    ":2: @include: \"sub\" (" + dir_ + "/sub) is a directory, not a config file");
    // one level down: the error names the included file and its line
    std::string inner = Write("inner.cfg", "  name = \"t\";\n  @include \"sub\"\n");
    std::string outer = Write("outer.cfg", "arch = {\n  @include \"inner.cfg\"\n};\n");
    Result r = Pesim("info --arch '" + outer + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + inner + ":2: @include: \"sub\" (" + dir_ + "/sub) is a directory, not a config file\n",
              r.err);
    // in the library: an error returned (were it exit(), this test would end here)
    pesim_arch a;
    pesim_error e;
    EXPECT_EQ(PESIM_ERR_IO, pesim_arch_load_string(("arch = {\n@include \"" + sub + "\"\n};\n").c_str(), "s.cfg",
                                                   &a, &e));
    EXPECT_EQ(2, e.line);
    EXPECT_STREQ("@include", e.key);
    // a device is no config file either (reading it could block or never end)
    EXPECT_EQ(PESIM_ERR_IO, pesim_arch_load_string("arch = {\n@include \"/dev/zero\"\n};\n", "s.cfg", &a, &e));
    EXPECT_STREQ("\"/dev/zero\" (/dev/zero) is not a regular file", e.msg);
    // an @include inside a comment or a string is not one
    std::string ok = Write("ok.cfg", Replace(Arch(""), "arch = {\n", "arch = {\n/*\n@include \"sub\"\n*/\n"));
    r = Pesim("info --arch '" + ok + "'");
    EXPECT_EQ(0, r.status) << r.err;
}

// "duplicate setting name" did not name the key.
TEST_F(LoaderTest, DuplicateKeyIsNamed)
{
    ExpectArchError("arch = {\n  name = \"x\";\n  word_bits = 8;\n  name = \"y\";\n};\n",
                    ":4: name: duplicate key: this group already has it (first at line 2)");
    // in a list entry: the path names the entry by its name
    ExpectArchError(Arch("banks = 2;\n      banks = 4;"),
                    ":8: levels.[GLB].banks: duplicate key: this group already has it (first at line 7)");
    // a nested group; the same key in two different groups is no duplicate
    ExpectArchError(Arch("", "", "channels = 1;") + "\nnetwork = { name = \"n\"; input = { c = 1; c = 2; }; };\n",
                    ":14: input.c: duplicate key: this group already has it (first at line 14)");
    // a workload: layers without a name are [index]
    std::string w = Write("dup.cfg", "network = { name = \"n\"; input = { c = 1; h = 1; w = 1; };\n"
                                     "  layers = ( { name = \"a\"; type = \"add\"; inputs = [ \"input\" ]; },\n"
                                     "             { type = \"add\"; inputs = [ \"a\" ];\n"
                                     "               type = \"add\"; } ); };\n");
    Result r = Pesim("info --workload '" + w + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + w + ":4: layers.[1].type: duplicate key: this group already has it (first at line 3)\n",
              r.err);
}

// A UTF-8 byte-order mark was a bare "syntax error".
TEST_F(LoaderTest, ByteOrderMarkIsSkipped)
{
    std::string p = Write("bom.cfg", "\xEF\xBB\xBF" + Arch(""));
    Result r = Pesim("info --arch '" + p + "'");
    EXPECT_EQ(0, r.status) << r.err;
    // lines are counted as before
    ExpectArchError("\xEF\xBB\xBF" + Arch("banks = 0;"), ":7: levels.[GLB].banks: must be >= 1, got 0");
    // in an included file libconfig reads it: said so, not a bare syntax error
    std::string inc = Write("inc.cfg", "\xEF\xBB\xBF  name = \"t\";\n");
    std::string main = Write("main.cfg", "arch = {\n@include \"inc.cfg\"\n};\n");
    r = Pesim("info --arch '" + main + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pesim: " + inc + ":1: the file starts with a UTF-8 byte-order mark (bytes EF BB BF): save it "
                                "without one (pesim skips it in the main file, libconfig does not in an included "
                                "file)\n",
              r.err);
}

// A 100,000-layer workload took 59 s to load (name lookups were quadratic).
TEST(LoaderScale, HundredThousandLayersLoad)
{
    const int n = 100000;
    std::string text = "network = { name = \"deep\"; input = { c = 1; h = 1; w = 1; };\n  layers = (\n";
    text.reserve((size_t)n * 64);
    for (int i = 0; i < n; i++)
        text += "{name=\"l" + std::to_string(i) + "\";type=\"add\";inputs=[\"" +
                (i ? "l" + std::to_string(i - 1) : std::string("input")) + "\"];}" + (i + 1 < n ? ",\n" : "\n");
    text += "); };\n";
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_network_load_string(text.c_str(), "deep.cfg", &net, &e)) << e.msg;
    ASSERT_EQ(n, net.n_layers);
    EXPECT_EQ(n - 2, net.layers[n - 1].inputs[0]);
    EXPECT_EQ(PESIM_NETWORK_INPUT, net.layers[0].inputs[0]);
    pesim_network_free(&net);
}

// `info` multiplied fanout_x * fanout_y in an int.
TEST_F(LoaderTest, InfoOnAHugeFanOut)
{
    ExpectArchError(Replace(Arch(""), "fanout_x = 4; fanout_y = 4;", "fanout_x = 65536; fanout_y = 65536;"),
                    ":6: levels.[GLB]: fanout_x * fanout_y = 4294967296 children is more than 2^30");
    std::string p = Write("arch.cfg", Replace(Arch(""), "fanout_x = 4; fanout_y = 4;", "fanout_x = 32768; fanout_y = 32768;"));
    Result r = Pesim("info --arch '" + p + "'");
    EXPECT_EQ(0, r.status) << r.err;
    EXPECT_NE(std::string::npos, r.out.find("1,073,741,824 MAC units")) << r.out;
    EXPECT_NE(std::string::npos, r.out.find("network below GLB:")) << r.out;
    r = Pesim("info --arch '" + p + "' --json -");
    Json j = ParseJson(r.out);
    EXPECT_EQ(1073741824.0, j["arch"]["mac_units"].num);
    EXPECT_EQ(32768.0, j["arch"]["levels"].arr[1]["fanout_y"].num);
}

// An unbounded backing store: an outermost level with no `dram` group and no
// bandwidth limit loads, validates and runs on every evaluator; no cycle is a
// DRAM stall.
TEST_F(LoaderTest, UnboundedBackingStore)
{
    std::string text = Arch("");
    text = Replace(text, "dram = { preset = \"ddr4-3200\";  };", "latency_cycles = 0;");
    ASSERT_EQ(std::string::npos, text.find("dram ="));
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_arch_load_string(text.c_str(), "ub.cfg", &a, &e)) << e.msg;
    EXPECT_EQ(0, a.level[2].is_dram);
    EXPECT_EQ(0.0, a.level[2].read_words_per_cycle);
    EXPECT_EQ(0.0, a.level[2].write_words_per_cycle);
    EXPECT_EQ(PESIM_OK, pesim_arch_check(&a, "ub.cfg", &e));
    std::string p = Write("ub.cfg", text), w = Write("net.cfg", kNet);
    const char *evals[] = {"analytical", "cycle"
#ifdef PESIM_SYSTEMC_BUILT
                           , "systemc"
#endif
    };
    double cycles[3] = {0, 0, 0};
    int k = 0;
    for (const char *ev : evals) {
        Result r = Pesim(std::string("run --arch '") + p + "' --workload '" + w + "' --eval " + ev + " --json -");
        ASSERT_EQ(0, r.status) << ev << r.err;
        Json l = ParseJson(r.out)["layers"].arr.at(0);
        EXPECT_TRUE(l["valid"].b) << ev;
        EXPECT_EQ(0.0, l["stalls"]["dram_bandwidth"].num) << ev;
        EXPECT_EQ(0.0, l["stalls"]["dram_latency"].num) << ev;
        EXPECT_EQ(0.0, l["level_cycles"]["DRAM"].num) << ev;  // no bandwidth bound at the store
        cycles[k++] = l["cycles"].num;
    }
    EXPECT_GT(cycles[1], 0.0);
    if (k == 3) {
        EXPECT_EQ(cycles[1], cycles[2]);  // engine == SystemC
    }
}

}  // namespace
