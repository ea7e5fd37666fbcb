// net_cli_test.cc - `pesim run --placement` end to end: the three built-in
// placers and a placement file, JSON, CSV, the occupancy timeline and the
// written placement (which runs again to the same result), bad placements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run_util.h"

namespace {

const char *const kArgs = "run --arch configs/arch/nnpi.cfg --workload tests/data/cli/small.cfg";

int Lines(const std::string &s)
{
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

TEST(NetCli, PlacersJsonCsvOccupancyAndRoundTrip)
{
    std::string dir = TempDir("net");
    for (const char *placer : {"greedy", "dram", "optimal"}) {
        std::string j = dir + "/" + placer + ".json", c = dir + "/" + placer + ".csv", o = dir + "/" + placer + "_occ.csv",
                    w = dir + "/" + placer + ".cfg";
        Result r = Pesim(std::string(kArgs) + " --placement " + placer + " --eval cycle --json " + j + " --csv " + c +
                         " --occupancy " + o + " --write-placement " + w);
        ASSERT_EQ(r.status, 0) << placer << ": " << r.err << r.out;
        EXPECT_EQ(r.err, "");
        Json js = ParseJson(ReadFile(j));
        EXPECT_TRUE(js["valid"].b) << placer;
        EXPECT_EQ(js["placement"]["source"].str.rfind(placer, 0), 0u) << js["placement"]["source"].str;
        ASSERT_EQ(js["layers"].arr.size(), 4u);
        double shares = 0;
        for (const Json &l : js["layers"].arr) shares += l["cycles"].num;
        EXPECT_EQ(shares, js["total"]["cycles"].num) << placer; // the layers' shares of the timeline
        // CSV: a header and one row per layer; occupancy: a header and one
        // row per bounded level (nnpi: REG, TCM, SRAM, LLC) and step (4),
        // and DRAM's steps with something in it
        std::string cs = ReadFile(c), os = ReadFile(o);
        EXPECT_EQ(cs.rfind("layer,type,macs,", 0), 0u);
        EXPECT_EQ(Lines(cs), 5);
        EXPECT_EQ(os.rfind("level,instances,step,layer,start_cycle,end_cycle,live_words,staging_words,", 0), 0u);
        EXPECT_GE(Lines(os), 1 + 4 * 4);
        EXPECT_LE(Lines(os), 1 + 5 * 4);
        int sram = 0;
        for (size_t at = os.find("\nSRAM,"); at != std::string::npos; at = os.find("\nSRAM,", at + 1)) sram++;
        EXPECT_EQ(sram, 4);
        // the placement as run loads and runs to the same result
        Result again = Pesim(std::string(kArgs) + " --placement " + w + " --eval cycle --json -");
        ASSERT_EQ(again.status, 0) << again.err;
        EXPECT_EQ(ParseJson(again.out)["total"]["cycles"].num, js["total"]["cycles"].num) << placer;
    }
}

// --mappings DIR: a network search's best mappings (DIR/<layer>.cfg) run in
// the whole network. One convolution left in a plain outermost memory (no
// DRAM timing): the network run is the search's best, which is the
// single-layer run of its mapping file, cycle for cycle.
TEST(NetCli, MappingsFromASearchRunInTheNetwork)
{
    std::string d = TempDir("net_mappings");
    const std::string in = " --arch tests/data/cli/tiny_mem_arch.cfg --workload tests/data/cli/one_conv.cfg";
    Result s = Pesim("search" + in + " --algo annealing --budget 30 --eval cycle --db none --out " + d + " --json -");
    ASSERT_EQ(s.status, 0) << s.err;
    double best = ParseJson(s.out)["layers"].arr.at(0)["best"]["cycles"].num;
    Result one = Pesim("run" + in + " --layer conv --mapping " + d + "/conv.cfg --eval cycle --json -");
    ASSERT_EQ(one.status, 0) << one.err;
    EXPECT_EQ(ParseJson(one.out)["total"]["cycles"].num, best);
    Result r = Pesim("run" + in + " --placement dram --eval cycle --mappings " + d + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(ParseJson(r.out)["total"]["cycles"].num, best);
    Result t = Pesim("run" + in + " --placement dram --mappings " + d);
    EXPECT_NE(t.out.find("1 of 1 MAC layers ran theirs"), std::string::npos) << t.out;
    // bad input: a directory without mappings, a mapping that does not load, no --placement
    std::string e = TempDir("net_mappings_empty");
    EXPECT_EQ(Pesim("run" + in + " --placement dram --mappings " + e).status, 2);
    FILE *f = fopen((e + "/conv.cfg").c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("mapping = { levels = ( { name = \"NOPE\"; } ); };\n", f);
    fclose(f);
    Result bad = Pesim("run" + in + " --placement dram --mappings " + e);
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("conv.cfg"), std::string::npos) << bad.err;
    EXPECT_EQ(Pesim("run" + in + " --mappings " + d).status, 2);
}

TEST(NetCli, BadPlacementFileNamesFileAndKey)
{
    std::string dir = TempDir("netbad");
    std::string w = dir + "/bad.cfg";
    FILE *f = fopen(w.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("placement = {\n  tensors = (\n    { layer = \"conv_a\"; weights = \"SRAM\"; outputs = \"NOPE\"; }\n  );\n};\n", f);
    fclose(f);
    Result r = Pesim(std::string(kArgs) + " --placement " + w);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("bad.cfg"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("NOPE"), std::string::npos) << r.err;
    EXPECT_EQ(Pesim(std::string(kArgs) + " --placement " + dir + "/missing.cfg").status, 2);
}

// The figures in the row `name` of `pesim compare --placement`'s table, one
// per evaluator column ("-" as -1).
std::vector<double> Row(const std::string &out, const std::string &name)
{
    std::vector<double> v;
    size_t at = out.find("\n" + name + " ");
    if (at == std::string::npos) return v;
    std::istringstream line(out.substr(at + 1 + name.size(), out.find('\n', at + 1) - at - 1 - name.size()));
    std::string cell;
    while (line >> cell) {
        cell.erase(std::remove(cell.begin(), cell.end(), ','), cell.end());
        v.push_back(cell == "-" ? -1 : std::stod(cell));
    }
    return v;
}

// `pesim compare --placement P`: the whole network under every evaluator, on
// the same placement. Its columns are what `pesim run --placement P --eval
// NAME` gives; the engine is not below the bound; the SystemC reference, where
// built, reproduces the engine, or is not run when the machine is out of its
// range; an infeasible placement is exit 1 in every column; usage is exit 2.
TEST(NetCli, CompareRunsTheNetworkUnderEveryEvaluator)
{
    const std::string in = " --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg";
    for (const char *opts : {" --placement greedy", " --placement dram --preload-weights --no-prefetch"}) {
        Result r = Pesim("compare" + in + opts);
        ASSERT_EQ(r.status, 0) << opts << ": " << r.err << r.out;
        EXPECT_EQ(r.err, "") << opts;
        std::vector<double> cycles = Row(r.out, "cycles");
#ifdef PESIM_SYSTEMC_BUILT
        ASSERT_EQ(cycles.size(), 3u) << r.out;
        EXPECT_EQ(cycles[2], cycles[1]) << r.out;
        EXPECT_NE(r.out.find("systemc vs cycle: equal on the network and every layer"), std::string::npos) << r.out;
#else
        ASSERT_EQ(cycles.size(), 2u) << r.out;
        EXPECT_NE(r.out.find("systemc not built yet"), std::string::npos) << r.out;
#endif
        EXPECT_NE(r.out.find("cycle vs analytical: the same MACs and access counts on every layer, cycles not below "
                             "the bound"), std::string::npos) << r.out;
        const char *names[] = {"analytical", "cycle"};
        for (int k = 0; k < 2; k++) {
            Result run = Pesim("run" + in + opts + " --eval " + names[k] + " --json -");
            ASSERT_EQ(run.status, 0) << run.err;
            Json j = ParseJson(run.out);
            EXPECT_EQ(cycles[(size_t)k], j["total"]["cycles"].num) << opts << " " << names[k];
        }
        EXPECT_LE(cycles[0], cycles[1]);
        // JSON: the same figures and verdicts
        Result jr = Pesim("compare" + in + opts + " --json -");
        ASSERT_EQ(jr.status, 0) << jr.err;
        Json j = ParseJson(jr.out);
        EXPECT_TRUE(j["agree"].b);
        EXPECT_TRUE(j["valid"].b);
        EXPECT_EQ(j["reference"].str, "analytical");
        EXPECT_EQ(j["analytical"]["cycles"].num, cycles[0]);
        EXPECT_EQ(j["cycle"]["cycles"].num, cycles[1]);
        EXPECT_TRUE(j["comparison"]["cycle"]["agrees"].b);
        EXPECT_DOUBLE_EQ(j["comparison"]["cycle"]["ratio"].num, cycles[1] / cycles[0]);
        EXPECT_EQ(j["comparison"]["cycle"]["reproduced"].type, Json::kNull);
#ifdef PESIM_SYSTEMC_BUILT
        EXPECT_TRUE(j["comparison"]["systemc"]["reproduced"].b) << j["comparison"]["systemc"]["reproduction_difference"].str;
        EXPECT_EQ(j["comparison"]["systemc"]["reproduces"].str, "cycle");
#else
        EXPECT_EQ(j["systemc"].type, Json::kNull);
#endif
    }
    std::string d = TempDir("net_compare");
    Result odd = Pesim("compare --arch " + OddClockArch(d) + " --workload tests/data/cli/small.cfg --placement greedy"
                       " --json " + d + "/odd.json");
    EXPECT_EQ(odd.status, 0) << odd.err;
#ifdef PESIM_SYSTEMC_BUILT
    EXPECT_NE(odd.out.find("systemc: not run, out of the SystemC reference's range"), std::string::npos) << odd.out;
    Json oj = ParseJson(ReadFile(d + "/odd.json"));
    EXPECT_FALSE(oj["systemc"]["ran"].b);
    EXPECT_NE(oj["systemc"]["not_run_reason"].str.find("range"), std::string::npos);
    EXPECT_EQ(oj["comparison"]["systemc"]["agrees"].type, Json::kNull);
    EXPECT_EQ(oj["comparison"]["systemc"]["reproduced"].type, Json::kNull);
    EXPECT_TRUE(oj["agree"].b);
#endif
    // fc's weights (20,480 words) in the GLB (16,384): infeasible, unless rectified
    std::string over = d + "/over.cfg";
    std::ofstream(over) << "placement = {\n  input = \"GLB\";\n  tensors = (\n"
                           "    { layer = \"conv_a\"; weights = \"GLB\"; outputs = \"GLB\"; },\n"
                           "    { layer = \"pool_a\"; outputs = \"GLB\"; },\n"
                           "    { layer = \"conv_b\"; weights = \"GLB\"; outputs = \"GLB\"; },\n"
                           "    { layer = \"fc\"; weights = \"GLB\"; outputs = \"GLB\"; }\n  );\n};\n";
    Result bad = Pesim("compare" + in + " --placement " + over + " --json " + d + "/over.json");
    EXPECT_EQ(bad.status, 1) << bad.err;
    EXPECT_FALSE(ParseJson(ReadFile(d + "/over.json"))["valid"].b);
    EXPECT_NE(bad.err.find("infeasible placement: level GLB over capacity"), std::string::npos) << bad.err;
    EXPECT_NE(bad.out.find("cycle vs analytical: infeasible in both"), std::string::npos) << bad.out;
    EXPECT_EQ(Pesim("compare" + in + " --placement " + over + " --rectify").status, 0);
    EXPECT_EQ(Pesim("compare" + in + " --placement greedy --csv " + d + "/x.csv").status, 2);
    EXPECT_EQ(Pesim("compare" + in + " --placement greedy --layer conv_a").status, 2);
    EXPECT_EQ(Pesim("compare" + in + " --rectify").status, 2);
    Result missing = Pesim("compare" + in + " --placement " + d + "/missing.cfg");
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.err.find("missing.cfg"), std::string::npos) << missing.err;
}

}  // namespace
