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
    // compare --placement takes them alike: every evaluator runs the search's best
    Result c = Pesim("compare" + in + " --placement dram --mappings " + d + " --json -");
    ASSERT_EQ(c.status, 0) << c.err;
    Json cj = ParseJson(c.out);
    EXPECT_EQ(cj["cycle"]["cycles"].num, best);
    EXPECT_EQ(cj["options"]["mappings"].str, d);
    EXPECT_TRUE(cj["layers"].arr.at(0)["mapping_given"].b);
    Result ct = Pesim("compare" + in + " --placement dram --mappings " + d);
    EXPECT_EQ(ct.status, 0) << ct.err;
    EXPECT_NE(ct.out.find("1 of 1 MAC layers ran theirs"), std::string::npos) << ct.out;
    Result cn = Pesim("compare" + in + " --placement dram --json -");
    ASSERT_EQ(cn.status, 0) << cn.err;
    EXPECT_EQ(ParseJson(cn.out)["options"]["mappings"].type, Json::kNull);
    EXPECT_FALSE(ParseJson(cn.out)["layers"].arr.at(0)["mapping_given"].b);
    // bad input: a directory without mappings, a mapping that does not load, no --placement
    std::string e = TempDir("net_mappings_empty");
    EXPECT_EQ(Pesim("run" + in + " --placement dram --mappings " + e).status, 2);
    Result ce = Pesim("compare" + in + " --placement dram --mappings " + e);
    EXPECT_EQ(ce.status, 2);
    EXPECT_NE(ce.err.find("compare: --mappings " + e + ": no mapping file"), std::string::npos) << ce.err;
    FILE *f = fopen((e + "/conv.cfg").c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("mapping = { levels = ( { name = \"NOPE\"; } ); };\n", f);
    fclose(f);
    Result bad = Pesim("run" + in + " --placement dram --mappings " + e);
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("conv.cfg"), std::string::npos) << bad.err;
    Result cbad = Pesim("compare" + in + " --placement dram --mappings " + e);
    EXPECT_EQ(cbad.status, 2);
    EXPECT_NE(cbad.err.find("conv.cfg"), std::string::npos) << cbad.err;
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

// A table cell's number: "21,321" as 21321, "-" as -1.
double Cell(std::string cell)
{
    cell.erase(std::remove(cell.begin(), cell.end(), ','), cell.end());
    return cell == "-" ? -1 : std::stod(cell);
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
    while (line >> cell) v.push_back(Cell(cell));
    return v;
}

// The lines of `pesim compare --placement`'s per-layer table, its header
// first (the lines after the caption "per layer: ...", up to a blank line),
// each split at blanks.
std::vector<std::vector<std::string>> LayerTable(const std::string &out)
{
    std::vector<std::vector<std::string>> rows;
    size_t at = out.find("\nper layer: ");
    if (at != std::string::npos) at = out.find('\n', at + 1);
    while (at != std::string::npos && at + 1 < out.size() && out[at + 1] != '\n') {
        size_t end = out.find('\n', at + 1);
        std::istringstream line(out.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1));
        std::vector<std::string> cells;
        std::string cell;
        while (line >> cell) cells.push_back(cell);
        rows.push_back(cells);
        at = end;
    }
    return rows;
}

// "1.157x": the ratio as the tables print it.
std::string Ratio(double x, double ref)
{
    char b[64];
    snprintf(b, sizeof b, "%.3fx", x / ref);
    return b;
}

// `pesim compare --placement P`: the whole network under every evaluator, on
// the same placement. Its columns are what `pesim run --placement P --eval
// NAME` gives, for the network and for each layer (a row of the per-layer
// table and an entry of the JSON "layers" per layer of the network, its
// cycles from start to end cycle); the engine is not below the bound; the
// SystemC reference, where built, reproduces the engine, or is not run when
// the machine is out of its range; an infeasible placement is exit 1 in every
// column; usage is exit 2.
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
        Json runs[2];
        for (int k = 0; k < 2; k++) {
            Result run = Pesim("run" + in + opts + " --eval " + names[k] + " --json -");
            ASSERT_EQ(run.status, 0) << run.err;
            runs[k] = ParseJson(run.out);
            EXPECT_EQ(cycles[(size_t)k], runs[k]["total"]["cycles"].num) << opts << " " << names[k];
            ASSERT_EQ(runs[k]["layers"].arr.size(), 4u) << opts << " " << names[k];
        }
        EXPECT_LE(cycles[0], cycles[1]);
        // a row per layer of the network, in order: name, type, the analytical
        // cycles, then per simulating evaluator its cycles and ratio
        std::vector<std::vector<std::string>> t = LayerTable(r.out);
        ASSERT_EQ(t.size(), 1 + runs[0]["layers"].arr.size()) << r.out;
#ifdef PESIM_SYSTEMC_BUILT
        EXPECT_EQ(t[0],
                  (std::vector<std::string>{"layer", "type", "analytical", "cycle", "ratio", "systemc", "ratio"}));
#else
        EXPECT_EQ(t[0], (std::vector<std::string>{"layer", "type", "analytical", "cycle", "ratio"}));
#endif
        for (size_t i = 0; i + 1 < t.size(); i++) {
            const std::vector<std::string> &row = t[i + 1];
            const Json &a = runs[0]["layers"].arr[i], &c = runs[1]["layers"].arr[i];
            double span[2] = {a["end_cycle"].num - a["start_cycle"].num, c["end_cycle"].num - c["start_cycle"].num};
            ASSERT_EQ(row.size(), t[0].size()) << r.out;
            EXPECT_EQ(row[0], a["name"].str);
            EXPECT_EQ(row[1], a["type"].str);
            EXPECT_EQ(Cell(row[2]), span[0]) << opts << " " << row[0];
            EXPECT_EQ(Cell(row[3]), span[1]) << opts << " " << row[0];
            EXPECT_EQ(row[4], span[0] > 0 ? Ratio(span[1], span[0]) : "-") << opts << " " << row[0];
#ifdef PESIM_SYSTEMC_BUILT
            EXPECT_EQ(row[5], row[3]) << row[0];
            EXPECT_EQ(row[6], row[4]) << row[0];
#endif
        }
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
        // "layers": per layer of the network, each evaluator's times as run gives them
        ASSERT_EQ(j["layers"].arr.size(), runs[0]["layers"].arr.size());
        for (size_t i = 0; i < j["layers"].arr.size(); i++) {
            const Json &l = j["layers"].arr[i];
            EXPECT_EQ(l["name"].str, runs[0]["layers"].arr[i]["name"].str);
            EXPECT_EQ(l["type"].str, runs[0]["layers"].arr[i]["type"].str);
            for (int k = 0; k < 2; k++) {
                const Json &x = l[names[k]], &want = runs[k]["layers"].arr[i];
                std::string what = std::string(opts) + " " + names[k] + " " + l["name"].str;
                ASSERT_EQ(x.type, Json::kObj) << what;
                EXPECT_EQ(x["start_cycle"].num, want["start_cycle"].num) << what;
                EXPECT_EQ(x["end_cycle"].num, want["end_cycle"].num) << what;
                EXPECT_EQ(x["cycles"].num, want["end_cycle"].num - want["start_cycle"].num) << what;
                EXPECT_EQ(x["compute_cycles"].num, want["compute_cycles"].num) << what;
                EXPECT_DOUBLE_EQ(x["energy_pj"].num, want["energy_pj"].num) << what;
            }
#ifdef PESIM_SYSTEMC_BUILT
            EXPECT_EQ(l["systemc"]["start_cycle"].num, l["cycle"]["start_cycle"].num);
            EXPECT_EQ(l["systemc"]["end_cycle"].num, l["cycle"]["end_cycle"].num);
#else
            EXPECT_TRUE(l.Has("systemc"));
            EXPECT_EQ(l["systemc"].type, Json::kNull);
#endif
        }
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
    // not run: "-" in its columns, null in "layers"
    std::vector<std::vector<std::string>> ot = LayerTable(odd.out);
    EXPECT_EQ(ot.size(), 5u) << odd.out;
    for (size_t i = 1; i < ot.size(); i++) {
        ASSERT_EQ(ot[i].size(), 7u) << odd.out;
        EXPECT_NE(ot[i][3], "-") << odd.out;
        EXPECT_EQ(ot[i][5] + ot[i][6], "--") << odd.out;
    }
    for (const Json &l : oj["layers"].arr) {
        EXPECT_EQ(l["systemc"].type, Json::kNull);
        EXPECT_EQ(l["cycle"].type, Json::kObj);
    }
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
    Json oj2 = ParseJson(ReadFile(d + "/over.json"));
    EXPECT_FALSE(oj2["valid"].b);
    // infeasible: every layer still listed in JSON, without figures
    ASSERT_EQ(oj2["layers"].arr.size(), 4u);
    for (const Json &l : oj2["layers"].arr) {
        EXPECT_EQ(l["analytical"].type, Json::kNull) << l["name"].str;
        EXPECT_EQ(l["cycle"].type, Json::kNull) << l["name"].str;
    }
    EXPECT_EQ(bad.out.find("per layer: "), std::string::npos) << bad.out;  // the text has no rows of dashes
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

// Simba: weights may live in the PEs' weight buffers, below the vector unit at
// the global buffer. The network runs (it was refused as an arch whose vector
// unit sits above a home), its gemms' weights in WeightBuf, the layer norm's
// scale and shift at or above the vector unit (DRAM: GlobalBuf keeps no
// weights), and the SystemC reference reproduces the engine. A placement with
// them in WeightBuf is bad input naming the file, the entry's line and why,
// exit 2 (compare said "the analytical model failed", exit 1).
TEST(NetCli, SimbaKeepsWeightsInThePEsAndVectorOperandsAboveTheUnit)
{
    const std::string in = " --arch configs/arch/simba.cfg --workload tests/data/cli/small_ln.cfg";
    std::string d = TempDir("net_simba"), placed = d + "/placed.cfg";
    Result run = Pesim("run" + in + " --placement greedy --eval cycle --write-placement " + placed);
    ASSERT_EQ(run.status, 0) << run.err;
    std::string text = ReadFile(placed);
    for (const char *line : {"{ layer = \"proj\"; weights = \"WeightBuf\"; outputs = \"GlobalBuf\";",
                             "{ layer = \"ln\"; weights = \"DRAM\"; outputs = \"GlobalBuf\";",
                             "{ layer = \"ffn\"; weights = \"WeightBuf\";"})
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
#ifdef PESIM_SYSTEMC_BUILT
    Result r = Pesim("compare" + in + " --placement greedy");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("systemc vs cycle: equal on the network and every layer"), std::string::npos) << r.out;
#endif
    std::string bad = text;
    size_t at = bad.find("layer = \"ln\"; weights = \"DRAM\"");
    ASSERT_NE(at, std::string::npos);
    bad.replace(bad.find("DRAM", at), 4, "WeightBuf");
    std::string badf = d + "/bad.cfg";
    ASSERT_TRUE(WriteFile(badf, bad));
    // named at the entry's line, before anything runs (compare too)
    const std::string line = std::to_string(1 + std::count(bad.begin(), bad.begin() + (long)at, '\n'));
    for (const char *cmd : {"run", "compare"}) {
        Result b = Pesim(cmd + in + " --placement " + badf);
        EXPECT_EQ(b.status, 2) << cmd;
        EXPECT_EQ(b.out, "") << cmd;
        EXPECT_NE(b.err.find(badf + ":" + line + ": ln: weights of 'ln' cannot live in level WeightBuf: a vector layer "
                             "reads or writes it, so it lives at or above the vector unit's level GlobalBuf (it may "
                             "live in: DRAM)"),
                  std::string::npos) << cmd << ": " << b.err;
    }
}

// BERT-base's layer-norm shape on tiny.cfg: no row fits the GLB, so each is
// read twice in pieces (it was infeasible: "one row (3072 words) does not
// fit"). The layer norm reads its 98,304 inputs from DRAM twice and each
// row's 1,536 words of scale and shift once (393,216 words), the softmax its
// inputs twice (196,608); the reference reproduces the engine.
TEST(NetCli, WideRowsRunOnTinyReadTwiceInPieces)
{
    const std::string in = " --arch configs/arch/tiny.cfg --workload tests/data/cli/wide_rows.cfg";
    std::string d = TempDir("net_wide_rows");
    Result run = Pesim("run" + in + " --placement greedy --eval cycle --csv " + d + "/r.csv");
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out.find("infeasible"), std::string::npos) << run.out;
    std::string csv = ReadFile(d + "/r.csv");
    size_t h = csv.find('\n');
    ASSERT_NE(h, std::string::npos);
    std::vector<std::string> cols;
    std::stringstream header(csv.substr(0, h));
    for (std::string c; std::getline(header, c, ',');) cols.push_back(c);
    auto col = std::find(cols.begin(), cols.end(), "DRAM_reads");
    ASSERT_NE(col, cols.end()) << csv.substr(0, h);
    std::stringstream rows(csv.substr(h + 1));
    std::vector<std::string> want = {"393216", "196608"};
    int k = 0;
    for (std::string line; std::getline(rows, line) && k < 2; k++) {
        std::stringstream row(line);
        std::string f;
        for (long i = 0; i <= col - cols.begin(); i++) std::getline(row, f, ',');
        EXPECT_EQ(f, want[(size_t)k]) << line;
    }
    EXPECT_EQ(k, 2);
#ifdef PESIM_SYSTEMC_BUILT
    Result r = Pesim("compare" + in + " --placement greedy");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("systemc vs cycle: equal on the network and every layer"), std::string::npos) << r.out;
#endif
}

// An infeasible placement says whether --rectify could make it run: with a
// 320-word GLB, greedy's placement leaves the global pool's one channel
// (256 words) too little room, and rectification spills what crowds it out;
// with everything in DRAM nothing can move, and the channel (257 words with
// its output) does not fit a 128-word GLB at all, so no hint.
TEST(NetCli, AnInfeasiblePlacementSaysWhetherRectifyingHelps)
{
    std::string d = TempDir("net_infeasible");
    std::string arch = ReadFile("tests/data/cli/tiny_arch.cfg");
    const std::string from = "capacity_words = 16384;";
    ASSERT_NE(arch.find(from), std::string::npos);
    const std::string hint = " (--rectify spills what does not fit to the next level out)";
    for (int words : {320, 128}) {
        std::string a = arch;
        a.replace(a.find(from), from.size(), "capacity_words = " + std::to_string(words) + ";");
        std::string af = d + "/glb" + std::to_string(words) + ".cfg";
        ASSERT_TRUE(WriteFile(af, a));
        const std::string in = " --arch " + af + " --workload tests/data/cli/small_gap.cfg";
        const char *placement = words == 320 ? " --placement greedy" : " --placement dram";
        for (const char *cmd : {"run", "compare"}) {
            Result r = Pesim(cmd + in + placement);
            EXPECT_EQ(r.status, 1) << cmd << words << r.err;
            EXPECT_NE(r.err.find("infeasible placement: layer gap: one channel of a row ("),
                      std::string::npos) << cmd << words << r.err;
            EXPECT_EQ(r.err.find(hint) != std::string::npos, words == 320) << cmd << words << r.err;
        }
        Result fixed = Pesim("run" + in + placement + " --rectify");
        EXPECT_EQ(fixed.status, words == 320 ? 0 : 1) << words << fixed.err;
        EXPECT_EQ(fixed.err.find(hint), std::string::npos) << words << fixed.err;
    }
}

}  // namespace
