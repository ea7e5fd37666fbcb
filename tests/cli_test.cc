// tests/cli_test.cc - the `pesim` command as a user and a script see it: exit
// statuses, messages, the human tables and the JSON/CSV contract of DESIGN.md.
// Runs the built binary (PESIM_BINARY) from the source root; library values
// (MAC counts) are computed with the library itself and compared.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "pesim/config.h"
#include "pesim/workload.h"

#include "cli_run_util.h"

namespace {

const char *const kTinyArch = "tests/data/cli/tiny_arch.cfg";
const char *const kSmall = "tests/data/cli/small.cfg";

::testing::AssertionResult ParseJson(const std::string &text, Json *out)
{
    if (JsonParser(text).Parse(out))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "not valid JSON:\n" << text.substr(0, 2000);
}

// "4089184256" -> "4,089,184,256", as the tables print counts.
std::string Grouped(int64_t v)
{
    std::string d = std::to_string(v), out;
    for (size_t i = 0; i < d.size(); i++) {
        if (i > 0 && (d.size() - i) % 3 == 0)
            out.push_back(',');
        out.push_back(d[i]);
    }
    return out;
}

int64_t NetworkMacs(const char *path)
{
    pesim_network net;
    std::memset(&net, 0, sizeof net);
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_network_load(path, &net, &e), PESIM_OK) << e.msg;
    int64_t macs = pesim_network_macs(&net);
    pesim_network_free(&net);
    return macs;
}

int CountLines(const std::string &s)
{
    int n = 0;
    for (char c : s)
        n += c == '\n';
    return n;
}

// The keys DESIGN.md's contract promises for one layer of `run`.
void ExpectRunLayerContract(const Json &l)
{
    for (const char *k : {"name", "macs", "valid", "reason", "cycles", "energy_pj",
                          "utilization", "stalls", "accesses"})
        EXPECT_TRUE(l.Has(k)) << "layer lacks key " << k;
    EXPECT_EQ(l["stalls"].type, Json::kObj);
    EXPECT_EQ(l["accesses"].type, Json::kArr);
    for (const Json &a : l["accesses"].arr) {
        for (const char *k : {"level", "tensor", "reads", "writes", "fills", "updates"})
            EXPECT_TRUE(a.Has(k)) << "access lacks key " << k;
        EXPECT_EQ(a["writes"].num, a["fills"].num + a["updates"].num);
    }
}

// ---- the command line itself -------------------------------------------------

TEST(cli, HelpAndVersion)
{
    Result r = Pesim("--help");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    for (const char *cmd : {"info", "run", "compare", "search", "sweep", "dram"})
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
    EXPECT_EQ(Pesim("help").status, 0);
    r = Pesim("--version");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("pesim ", 0), 0u);
}

TEST(cli, EverySubcommandHasHelp)
{
    for (const char *cmd : {"info", "run", "compare", "search", "sweep", "dram"}) {
        Result r = Pesim(std::string(cmd) + " --help");
        EXPECT_EQ(r.status, 0) << cmd;
        EXPECT_EQ(r.err, "") << cmd;
        EXPECT_NE(r.out.find(std::string("usage: pesim ") + cmd), std::string::npos) << cmd;
        Result h = Pesim(std::string("help ") + cmd);
        EXPECT_EQ(h.status, 0) << cmd;
        EXPECT_EQ(h.out, r.out) << cmd;
    }
    EXPECT_NE(Pesim("run --help").out.find("--print-mapping"), std::string::npos);
}

TEST(cli, BadUsageIsExit2)
{
    Result r = Pesim("");
    EXPECT_EQ(r.status, 2);
    r = Pesim("frobnicate");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = Pesim("info --workload workloads/resnet50.cfg --frob");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--frob"), std::string::npos) << r.err;
    EXPECT_EQ(Pesim("info").status, 2);  // neither --workload nor --arch
    EXPECT_EQ(Pesim(std::string("info --workload ") + kSmall + " --arch " + kTinyArch).status, 2);
    EXPECT_EQ(Pesim("info --workload").status, 2);  // missing value
    EXPECT_EQ(Pesim(std::string("info --workload ") + kSmall + " stray").status, 2);
    EXPECT_EQ(Pesim(std::string("info --workload ") + kSmall + " --workload " + kSmall).status, 2);
}

TEST(cli, SweepNeedsAnExperiment)
{
    // every subcommand is available (sweep: tests/sweep_cli_test.cc)
    Result r = Pesim("sweep");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--experiment"), std::string::npos) << r.err;
}

// ---- info --------------------------------------------------------------------

TEST(cli_info, ResNet50TableAndTotal)
{
    Result r = Pesim("info --workload workloads/resnet50.cfg");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("conv1"), std::string::npos);
    int64_t macs = NetworkMacs("workloads/resnet50.cfg");
    EXPECT_GT(macs, 4000000000LL);  // ResNet-50: about 4.09 GMACs
    EXPECT_NE(r.out.find(Grouped(macs)), std::string::npos) << Grouped(macs) << "\n" << r.out;
}

TEST(cli_info, WorkloadJsonAndCsv)
{
    std::string dir = TempDir("info");
    std::string json = dir + "/info.json", csv = dir + "/info.csv";
    Result r = Pesim(std::string("info --workload ") + kSmall + " --json " + json + " --csv " + csv);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    ASSERT_EQ(j["layers"].type, Json::kArr);
    ASSERT_EQ(j["layers"].arr.size(), 4u);
    const Json &conv = j["layers"].arr[0];
    EXPECT_EQ(conv["name"].str, "conv_a");
    EXPECT_EQ(conv["type"].str, "conv");
    EXPECT_EQ(conv["macs"].num, 16.0 * 8 * 16 * 16 * 3 * 3);
    EXPECT_EQ(conv["k"].num, 16);
    EXPECT_EQ(j["layers"].arr[1]["macs"].num, 0);  // the pool
    EXPECT_EQ(j["total"]["macs"].num, static_cast<double>(NetworkMacs(kSmall)));

    std::string c = ReadFile(csv);
    EXPECT_EQ(c.rfind("layer,type,", 0), 0u);
    EXPECT_EQ(CountLines(c), 5);  // header + 4 layers
}

TEST(cli_info, JsonToStdoutReplacesTheTable)
{
    Result r = Pesim(std::string("info --workload ") + kSmall + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j;
    EXPECT_TRUE(ParseJson(r.out, &j));
}

TEST(cli_info, Arch)
{
    std::string dir = TempDir("arch");
    std::string json = dir + "/arch.json";
    Result r = Pesim(std::string("info --arch ") + kTinyArch + " --json " + json);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    for (const char *s : {"RF", "GLB", "DRAM", "ddr4-3200", "GB/s", "mm2"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    EXPECT_EQ(j["arch"]["mac_units"].num, 16);
    ASSERT_EQ(j["arch"]["levels"].arr.size(), 3u);
    EXPECT_EQ(j["arch"]["levels"].arr[0]["instances"].num, 16);
    EXPECT_GT(j["arch"]["levels"].arr[2]["dram"]["peak_gbps"].num, 1.0);
    // every cost figure with its source: given in the file, or estimated
    EXPECT_NE(r.out.find("figures and their sources"), std::string::npos) << r.out;
    EXPECT_EQ(j["arch"]["levels"].arr[1]["sources"]["read_energy_pj"].str, "given");
    EXPECT_EQ(j["arch"]["levels"].arr[1]["sources"]["area_um2"].str, "given");
    EXPECT_EQ(j["arch"]["sources"]["mac_energy_pj"].str, "given");
    EXPECT_EQ(j["arch"]["sources"]["mac_leak_pj_per_cycle"].str, "estimated: int16 MAC, 45 nm");
    EXPECT_EQ(j["arch"]["technology_nm"].num, 45);
    EXPECT_EQ(j["arch"]["levels"].arr[1]["noc"]["inputs"]["hop_energy_source"].str.rfind("estimated: wire", 0), 0u);
    EXPECT_GT(j["arch"]["levels"].arr[2]["dram"]["power"]["act_pj"].num, 0);
}

// The bandwidth columns are what the evaluators use: an on-chip instance moves
// ports x the per-port rate, a DRAM level the lower of its timing's peak and
// its port (VTA's 8 words/cycle port is below DDR4-3200's 64).
TEST(cli_info, ArchRatesArePerInstanceAndTheDramPortBinds)
{
    std::string arch = ReadFile(kTinyArch);
    size_t at = arch.find("read_words_per_cycle = 16.0;");
    ASSERT_NE(at, std::string::npos);
    arch.insert(at, "ports = 2; ");
    std::string dir = TempDir("arch_rates");
    std::string two = dir + "/tiny_two_ports.cfg";
    FILE *f = fopen(two.c_str(), "w");
    ASSERT_TRUE(f);
    fputs(arch.c_str(), f);
    fclose(f);
    Result r = Pesim("info --arch " + two + " --json " + dir + "/a.json");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(dir + "/a.json"), &j));
    const Json &glb = j["arch"]["levels"].arr[1];
    EXPECT_EQ(glb["read_words_per_cycle"].num, 16);  // per port, as configured
    EXPECT_EQ(glb["instance_read_words_per_cycle"].num, 32);
    EXPECT_EQ(glb["instance_write_words_per_cycle"].num, 32);
    r = Pesim("info --arch configs/arch/vta.cfg --json " + dir + "/v.json");
    ASSERT_EQ(r.status, 0) << r.err;
    Json v;  // a fresh one: ParseJson fills an empty value
    ASSERT_TRUE(ParseJson(ReadFile(dir + "/v.json"), &v));
    const Json &dram = v["arch"]["levels"].arr[1];
    EXPECT_EQ(dram["dram"]["peak_words_per_cycle"].num, 64);
    EXPECT_EQ(dram["instance_read_words_per_cycle"].num, 8);
    EXPECT_NE(r.out.find("port 8 read / 8 write words/cycle: below the timing's peak"), std::string::npos) << r.out;
}

// Where a whole network's tensors may live (pesim_net_arch_home_levels), as
// text and JSON: on Simba weights in DRAM or the PEs' WeightBuf, activations
// in DRAM or GlobalBuf, and what a vector layer touches at or above the
// vector unit's GlobalBuf; an arch without a vector unit says only MAC
// layers run as a network.
TEST(cli_info, ArchSaysWhereANetworksTensorsMayLive)
{
    std::string dir = TempDir("arch_homes");
    Result r = Pesim("info --arch configs/arch/simba.cfg --json " + dir + "/s.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("whole network: weights may live in DRAM, WeightBuf; activations in DRAM, GlobalBuf; what a "
                         "vector layer reads or writes at or above GlobalBuf (its vector unit's level)\n"),
              std::string::npos) << r.out;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(dir + "/s.json"), &j));
    const Json &h = j["arch"]["network_homes"];
    ASSERT_EQ(h["weights"].arr.size(), 2u);
    EXPECT_EQ(h["weights"].arr[0].str, "DRAM");
    EXPECT_EQ(h["weights"].arr[1].str, "WeightBuf");
    ASSERT_EQ(h["activations"].arr.size(), 2u);
    EXPECT_EQ(h["activations"].arr[1].str, "GlobalBuf");
    EXPECT_EQ(h["vector_operands_at_or_above"].str, "GlobalBuf");
    std::string text = ReadFile("configs/arch/tiny.cfg");
    size_t at = text.find("  vector = {");
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find('\n', at) - at);
    ASSERT_TRUE(WriteFile(dir + "/novec.cfg", text));
    r = Pesim("info --arch " + dir + "/novec.cfg");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("; no vector unit, so only MAC layers run as a whole network\n"), std::string::npos) << r.out;
}

TEST(cli_info, ArchEstimatedFigures)
{
    std::string dir = TempDir("arch_est");
    std::string json = dir + "/arch.json", csv = dir + "/arch.csv";
    Result r = Pesim("info --arch configs/arch/eyeriss.cfg --json " + json + " --csv " + csv);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("estimated: SRAM 108 KiB x 16 bit, 27 banks, 1 port, 65 nm"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("estimated access time"), std::string::npos) << r.out;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    EXPECT_EQ(j["arch"]["technology_nm"].num, 65);
    EXPECT_EQ(j["arch"]["mac_type"].str, "int16");
    EXPECT_EQ(j["arch"]["levels"].arr[1]["sources"]["read_energy_pj"].str,
              "estimated: SRAM 108 KiB x 16 bit, 27 banks, 1 port, 65 nm");
    EXPECT_GT(j["arch"]["levels"].arr[1]["estimated_access_ns"].num, 0);
    EXPECT_EQ(j["arch"]["levels"].arr[2]["sources"]["read_energy_pj"].str.rfind("estimated: DRAM lpddr4-2400 IDD", 0),
              0u);
    std::string c = ReadFile(csv);
    EXPECT_NE(c.find(",read_energy_source,write_energy_source,leak_source,area_source\n"), std::string::npos) << c;
    EXPECT_NE(c.find("estimated: SRAM 108 KiB"), std::string::npos) << c;
}

// ---- bad input ----------------------------------------------------------------

TEST(cli_errors, TypoNamesFileLineAndKey)
{
    Result r = Pesim("info --arch tests/data/cli/typo_arch.cfg");
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("pesim: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("tests/data/cli/typo_arch.cfg:13"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("capacity_wrods"), std::string::npos) << r.err;

    r = Pesim(std::string("run --arch ") + kTinyArch + " --workload tests/data/cli/typo_workload.cfg");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("tests/data/cli/typo_workload.cfg:9"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("strid"), std::string::npos) << r.err;
}

TEST(cli_errors, MissingFileIsExit2)
{
    Result r = Pesim("info --workload tests/data/cli/no_such_file.cfg");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("no_such_file.cfg"), std::string::npos) << r.err;
    r = Pesim(std::string("run --arch tests/data/cli/no_such_arch.cfg --workload ") + kSmall);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("no_such_arch.cfg"), std::string::npos) << r.err;
}

// ---- run -------------------------------------------------------------------------

std::string RunArgs() { return std::string("run --arch ") + kTinyArch + " --workload " + kSmall; }

TEST(cli_run, OneLayerJson)
{
    std::string dir = TempDir("run1");
    std::string json = dir + "/conv_a.json";
    Result r = Pesim(RunArgs() + " --layer conv_a --json " + json);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("conv_a"), std::string::npos);
    EXPECT_NE(r.out.find("accesses"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("mapping"), std::string::npos) << r.out;

    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    ASSERT_EQ(j["layers"].arr.size(), 1u);
    const Json &l = j["layers"].arr[0];
    ExpectRunLayerContract(l);
    EXPECT_EQ(l["name"].str, "conv_a");
    EXPECT_EQ(l["macs"].num, 16.0 * 8 * 16 * 16 * 3 * 3);
    EXPECT_TRUE(l["valid"].b);
    EXPECT_EQ(l["reason"].type, Json::kNull);
    EXPECT_GE(l["cycles"].num, l["macs"].num / 16);  // 16 MAC units at best
    EXPECT_GT(l["energy_pj"].num, 0);
    EXPECT_GT(l["utilization"].num, 0);
    EXPECT_LE(l["utilization"].num, 1.0 + 1e-12);
    EXPECT_FALSE(l["accesses"].arr.empty());
    for (const char *k : {"macs", "cycles", "energy_pj"})
        EXPECT_TRUE(j["total"].Has(k)) << k;
    EXPECT_EQ(j["total"]["cycles"].num, l["cycles"].num);
}

TEST(cli_run, WholeNetworkJsonAndCsv)
{
    std::string dir = TempDir("runall");
    std::string json = dir + "/run.json", csv = dir + "/run.csv";
    Result r = Pesim(RunArgs() + " --json " + json + " --csv " + csv);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("no MACs, not mapped"), std::string::npos) << r.out;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    ASSERT_EQ(j["layers"].arr.size(), 4u);
    double cycles = 0;
    for (const Json &l : j["layers"].arr) {
        ExpectRunLayerContract(l);
        cycles += l["cycles"].num;
    }
    const Json &pool = j["layers"].arr[1];
    EXPECT_FALSE(pool["mapped"].b);
    EXPECT_EQ(pool["cycles"].num, 0);
    EXPECT_EQ(j["total"]["macs"].num, static_cast<double>(NetworkMacs(kSmall)));
    EXPECT_EQ(j["total"]["cycles"].num, cycles);
    EXPECT_TRUE(j["total"]["valid"].b);

    std::string c = ReadFile(csv);
    EXPECT_EQ(c.rfind("layer,type,macs,", 0), 0u);
    EXPECT_EQ(CountLines(c), 5);
}

TEST(cli_run, UnknownLayerListsCloseNames)
{
    Result r = Pesim(RunArgs() + " --layer conv_c");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("conv_c"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("conv_a"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("conv_b"), std::string::npos) << r.err;
}

TEST(cli_run, OptionErrors)
{
    EXPECT_EQ(Pesim(RunArgs() + " --mapping tests/data/cli/over_capacity.cfg").status, 2);
    EXPECT_EQ(Pesim(RunArgs() + " --eval bogus").status, 2);
    EXPECT_EQ(Pesim(RunArgs() + " --layer pool_a --mapping tests/data/cli/over_capacity.cfg").status, 2);
    EXPECT_EQ(Pesim(RunArgs() + " --json - --csv -").status, 2);
}

#ifdef PESIM_SYSTEMC_BUILT
// The SystemC reference is built: --eval systemc runs it, with the cycle
// engine's results (tests/systemc_test.cc cross-checks the two in depth).
TEST(cli_run, EvalSystemcEqualsTheCycleEngine)
{
    std::string dir = TempDir("runsc");
    Result r = Pesim(RunArgs() + " --eval systemc --json " + dir + "/sc.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Result c = Pesim(RunArgs() + " --eval cycle --json " + dir + "/cy.json");
    ASSERT_EQ(c.status, 0) << c.err;
    Json js, jc;
    ASSERT_TRUE(ParseJson(ReadFile(dir + "/sc.json"), &js));
    ASSERT_TRUE(ParseJson(ReadFile(dir + "/cy.json"), &jc));
    ASSERT_EQ(js["layers"].arr.size(), jc["layers"].arr.size());
    for (size_t i = 0; i < js["layers"].arr.size(); i++) {
        ExpectRunLayerContract(js["layers"].arr[i]);
        EXPECT_EQ(js["layers"].arr[i]["cycles"].num, jc["layers"].arr[i]["cycles"].num) << i;
    }
    EXPECT_EQ(js["total"]["cycles"].num, jc["total"]["cycles"].num);
}
#else
TEST(cli_run, EvaluatorNotBuiltExit1)
{
    Result r = Pesim(RunArgs() + " --eval systemc");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("evaluator 'systemc' is not built yet"), std::string::npos) << r.err;
}
#endif

TEST(cli_run, NonMacLayerIsListedNotMapped)
{
    Result r = Pesim(RunArgs() + " --layer pool_a");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("no MACs, not mapped"), std::string::npos) << r.out;
}

TEST(cli_run, InvalidMappingIsExit1WithReason)
{
    std::string dir = TempDir("invalid");
    std::string json = dir + "/bad.json";
    Result r = Pesim(RunArgs() + " --layer conv_a --mapping tests/data/cli/over_capacity.cfg --json " + json);
    EXPECT_EQ(r.status, 1) << r.err << r.out;
    EXPECT_NE(r.out.find("invalid"), std::string::npos) << r.out;
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    const Json &l = j["layers"].arr.at(0);
    EXPECT_FALSE(l["valid"].b);
    EXPECT_EQ(l["reason"].type, Json::kStr);
    EXPECT_FALSE(l["reason"].str.empty());
    EXPECT_FALSE(j["total"]["valid"].b);
}

TEST(cli_run, PrintedMappingRunsAgainToTheSameResult)
{
    std::string dir = TempDir("mapping");
    std::string maps = dir + "/maps", a = dir + "/a.json", b = dir + "/b.json";
    Result r = Pesim(RunArgs() + " --print-mapping " + maps + " --json " + a);
    ASSERT_EQ(r.status, 0) << r.err;
    struct stat st;
    EXPECT_EQ(stat((maps + "/conv_a.cfg").c_str(), &st), 0);
    EXPECT_EQ(stat((maps + "/conv_b.cfg").c_str(), &st), 0);
    EXPECT_EQ(stat((maps + "/fc.cfg").c_str(), &st), 0);
    EXPECT_NE(stat((maps + "/pool_a.cfg").c_str(), &st), 0);  // not mapped

    Json ja, jb;
    ASSERT_TRUE(ParseJson(ReadFile(a), &ja));
    for (const Json &l : ja["layers"].arr) {
        if (!l["mapped"].b)
            continue;
        std::string name = l["name"].str;
        r = Pesim(RunArgs() + " --layer " + name + " --mapping " + maps + "/" + name +
                  ".cfg --json " + b);
        ASSERT_EQ(r.status, 0) << name << ": " << r.err;
        jb = Json();
        ASSERT_TRUE(ParseJson(ReadFile(b), &jb));
        const Json &again = jb["layers"].arr.at(0);
        EXPECT_EQ(again["cycles"].num, l["cycles"].num) << name;
        EXPECT_EQ(again["energy_pj"].num, l["energy_pj"].num) << name;
        EXPECT_EQ(again["accesses"].arr.size(), l["accesses"].arr.size()) << name;
    }
}

TEST(cli_run, MappingOfAnotherLayerIsBadInput)
{
    std::string dir = TempDir("other");
    Result r = Pesim(RunArgs() + " --layer conv_a --print-mapping " + dir);
    ASSERT_EQ(r.status, 0) << r.err;
    // conv_b has K = 32, C = 16: conv_a's factors (K 16, C 8) do not cover it.
    r = Pesim(RunArgs() + " --layer conv_b --mapping " + dir + "/conv_a.cfg");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.err.find("conv_a.cfg"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("conv_b"), std::string::npos) << r.err;
}

// ---- run --eval cycle ----------------------------------------------------------
// The cycle engine on small.cfg's layers (milliseconds each): big layers would
// make the suite slow.

Json RunJson(const std::string &args, const char *tag)
{
    std::string json = TempDir(tag) + "/run.json";
    Result r = Pesim(RunArgs() + args + " --json " + json);
    EXPECT_EQ(r.status, 0) << args << ": " << r.err << r.out;
    EXPECT_EQ(r.err, "") << args;
    Json j;
    EXPECT_TRUE(ParseJson(ReadFile(json), &j)) << args;
    return j;
}

double StallSum(const Json &layer)
{
    double sum = 0;
    for (const auto &kv : layer["stalls"].obj)
        sum += kv.second.num;
    return sum;
}

TEST(cli_cycle, RunIsValidAndNeverBelowTheAnalyticalModel)
{
    Json cyc = RunJson(" --eval cycle", "cyc");
    Json ana = RunJson("", "ana");
    EXPECT_EQ(cyc["evaluator"].str, "cycle");
    EXPECT_EQ(cyc["engine_options"]["dram_sched"].str, "frfcfs");
    EXPECT_FALSE(cyc["engine_options"]["stall_free"].b);
    EXPECT_TRUE(cyc["engine_options"]["refresh"].b);
    ASSERT_EQ(cyc["layers"].arr.size(), 4u);
    ASSERT_EQ(ana["layers"].arr.size(), 4u);
    double total = 0;
    for (size_t i = 0; i < 4; i++) {
        const Json &c = cyc["layers"].arr[i], &a = ana["layers"].arr[i];
        ExpectRunLayerContract(c);
        std::string name = c["name"].str;
        EXPECT_TRUE(c["valid"].b) << name << ": " << c["reason"].str;
        total += c["cycles"].num;
        if (!c["mapped"].b) {
            EXPECT_EQ(c["engine"].type, Json::kNull) << name;
            continue;
        }
        EXPECT_GE(c["cycles"].num, a["cycles"].num) << name;
        EXPECT_EQ(StallSum(c) + c["compute_cycles"].num, c["cycles"].num) << name;
        EXPECT_EQ(c["level_cycles"].type, Json::kNull) << name;  // bounds: analytical only
        for (const char *k : {"blocks", "transfers", "folds", "dram_reads", "dram_writes",
                              "dram_row_hits", "dram_row_misses", "dram_row_conflicts",
                              "dram_refreshes", "dram_cycles", "dram_act", "dram_pre", "dram_rd",
                              "dram_wr", "dram_active_cycles", "dram_precharged_cycles"})
            EXPECT_EQ(c["engine"][k].type, Json::kNum) << name << ": engine." << k;
        EXPECT_GT(c["engine"]["blocks"].num, 0) << name;
        EXPECT_GT(c["engine"]["dram_reads"].num, 0) << name;  // the weights come from DRAM
        EXPECT_EQ(c["engine"]["dram_rd"].num, c["engine"]["dram_reads"].num) << name;  // one RD a burst
        EXPECT_GT(c["engine"]["dram_cycles"].num, 0) << name;
        EXPECT_EQ(c["accesses"].arr.size(), a["accesses"].arr.size()) << name;
    }
    EXPECT_EQ(cyc["total"]["cycles"].num, total);
    // The analytical JSON keeps its bounds and has no engine keys.
    EXPECT_EQ(ana["engine_options"].type, Json::kNull);
    EXPECT_EQ(ana["layers"].arr[0]["level_cycles"].type, Json::kObj);
    EXPECT_FALSE(ana["layers"].arr[0].Has("engine"));
}

TEST(cli_cycle, TablesShowStallsAndEngineCounters)
{
    Result r = Pesim(RunArgs() + " --eval cycle");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("evaluator  cycle (DRAM FR-FCFS, refresh on)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("stall cycles by cause"), std::string::npos) << r.out;
    r = Pesim(RunArgs() + " --eval cycle --layer conv_a");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char *s : {"stalls ", "blocks", "transfers", "folds", "bursts", "hits", "misses",
                          "accesses in words"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    EXPECT_EQ(r.out.find("bound by"), std::string::npos) << r.out;  // analytical bounds only
}

TEST(cli_cycle, StallFreeIsNeverSlower)
{
    Json dflt = RunJson(" --eval cycle", "dflt");
    Json free_ = RunJson(" --eval cycle --stall-free", "free");
    EXPECT_TRUE(free_["engine_options"]["stall_free"].b);
    ASSERT_EQ(free_["layers"].arr.size(), dflt["layers"].arr.size());
    for (size_t i = 0; i < dflt["layers"].arr.size(); i++) {
        const Json &d = dflt["layers"].arr[i], &f = free_["layers"].arr[i];
        EXPECT_LE(f["cycles"].num, d["cycles"].num) << d["name"].str;
        EXPECT_EQ(f["compute_cycles"].num, d["compute_cycles"].num) << d["name"].str;
    }
}

TEST(cli_cycle, DramOptions)
{
    Json fcfs = RunJson(" --eval cycle --dram-sched fcfs --no-refresh", "fcfs");
    EXPECT_EQ(fcfs["engine_options"]["dram_sched"].str, "fcfs");
    EXPECT_FALSE(fcfs["engine_options"]["refresh"].b);
    for (const Json &l : fcfs["layers"].arr) {
        if (l["mapped"].b) {
            EXPECT_EQ(l["engine"]["dram_refreshes"].num, 0) << l["name"].str;
        }
    }
    EXPECT_EQ(RunJson(" --eval=cycle --dram-sched=frfcfs", "frfcfs")["engine_options"]["dram_sched"].str,
              "frfcfs");
}

TEST(cli_cycle, EngineOptionErrorsAreExit2)
{
    Result r = Pesim(RunArgs() + " --eval cycle --dram-sched lifo");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("lifo"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = Pesim(std::string("compare --arch ") + kTinyArch + " --workload " + kSmall +
              " --dram-sched lifo");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("lifo"), std::string::npos) << r.err;
    // Engine options without a simulating evaluator would be silently ignored.
    r = Pesim(RunArgs() + " --stall-free");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--eval cycle"), std::string::npos) << r.err;
    EXPECT_EQ(Pesim(RunArgs() + " --eval cycle --stall-free --stall-free").status, 2);
    EXPECT_EQ(Pesim(RunArgs() + " --eval cycle --no-refresh=1").status, 2);
}

// ---- compare ----------------------------------------------------------------------

std::string CompareArgs()
{
    return std::string("compare --arch ") + kTinyArch + " --workload " + kSmall;
}

TEST(cli_compare, JsonNestsEveryEvaluatorWithEqualAccesses)
{
    std::string json = TempDir("cmp") + "/cmp.json";
    Result r = Pesim(CompareArgs() + " --json " + json);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err, "");
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    ASSERT_EQ(j["analytical"].type, Json::kObj);
    ASSERT_EQ(j["cycle"].type, Json::kObj);
    EXPECT_TRUE(j.Has("systemc"));
#ifdef PESIM_SYSTEMC_BUILT
    ASSERT_EQ(j["systemc"].type, Json::kObj);  // a column like the others
    EXPECT_TRUE(j["comparison"]["systemc"]["total"]["accesses_equal"].b);
    EXPECT_EQ(j["systemc"]["total"]["cycles"].num, j["cycle"]["total"]["cycles"].num);
    // the reference reproduces the engine, and the comparison says so per layer
    EXPECT_EQ(j["comparison"]["systemc"]["reproduces"].str, "cycle");
    EXPECT_EQ(j["comparison"]["systemc"]["total"]["layers_not_reproduced"].num, 0);
    for (const Json &l : j["comparison"]["systemc"]["layers"].arr) {
        EXPECT_TRUE(l["reproduced"].b) << l["name"].str << ": " << l["reproduction_difference"].str;
        EXPECT_EQ(l["reproduction_difference"].type, Json::kNull) << l["name"].str;
    }
#else
    EXPECT_EQ(j["systemc"].type, Json::kNull);  // not built: listed, no results
#endif
    EXPECT_EQ(j["reference"].str, "analytical");
    EXPECT_TRUE(j["agree"].b);
    const Json &a = j["analytical"], &c = j["cycle"], &cmp = j["comparison"]["cycle"];
    EXPECT_EQ(a["evaluator"].str, "analytical");
    EXPECT_EQ(c["evaluator"].str, "cycle");
    ASSERT_EQ(a["layers"].arr.size(), 4u);
    ASSERT_EQ(c["layers"].arr.size(), 4u);
    ASSERT_EQ(cmp["layers"].arr.size(), 4u);
    EXPECT_EQ(a["total"]["macs"].num, static_cast<double>(NetworkMacs(kSmall)));
    EXPECT_EQ(c["total"]["macs"].num, a["total"]["macs"].num);
    for (size_t i = 0; i < 4; i++) {
        const Json &la = a["layers"].arr[i], &lc = c["layers"].arr[i], &lx = cmp["layers"].arr[i];
        std::string name = la["name"].str;
        ExpectRunLayerContract(la);
        ExpectRunLayerContract(lc);
        EXPECT_EQ(lc["name"].str, name);
        EXPECT_EQ(lx["name"].str, name);
        EXPECT_TRUE(lx["accesses_equal"].b) << name << ": " << lx["difference"].str;
        // The counts themselves, checked here too rather than trusting the flag.
        ASSERT_EQ(la["accesses"].arr.size(), lc["accesses"].arr.size()) << name;
        for (size_t k = 0; k < la["accesses"].arr.size(); k++) {
            const Json &x = la["accesses"].arr[k], &y = lc["accesses"].arr[k];
            EXPECT_EQ(x["level"].str, y["level"].str) << name;
            EXPECT_EQ(x["tensor"].str, y["tensor"].str) << name;
            for (const char *f : {"reads", "fills", "updates"})
                EXPECT_EQ(x[f].num, y[f].num) << name << " " << x["level"].str << " "
                                              << x["tensor"].str << " " << f;
        }
        if (!la["mapped"].b) {
            EXPECT_EQ(lx["status"].str, "not_mapped");
            EXPECT_EQ(lx["ratio"].type, Json::kNull);
            continue;
        }
        EXPECT_EQ(lx["status"].str, "compared") << name;
        EXPECT_GE(lc["cycles"].num, la["cycles"].num) << name;
        EXPECT_DOUBLE_EQ(lx["ratio"].num, lc["cycles"].num / la["cycles"].num) << name;
        EXPECT_EQ(lx["gap_cycles"].num, lc["cycles"].num - la["cycles"].num) << name;
        double parts = 0;
        for (const auto &kv : lx["gap_by_cause"].obj)
            parts += kv.second.num;
        EXPECT_EQ(parts, lx["gap_cycles"].num) << name;  // the gap is split exactly
    }
    EXPECT_EQ(cmp["total"]["cycles"].num, c["total"]["cycles"].num);
    EXPECT_EQ(cmp["total"]["reference_cycles"].num, a["total"]["cycles"].num);
    EXPECT_TRUE(cmp["total"]["accesses_equal"].b);
    EXPECT_EQ(cmp["total"]["layers_compared"].num, 3);
    EXPECT_EQ(cmp["reproduces"].type, Json::kNull);  // the engine reproduces no other evaluator
    EXPECT_EQ(cmp["total"]["layers_not_reproduced"].type, Json::kNull);
}

TEST(cli_compare, TableAndCsv)
{
    std::string csv = TempDir("cmpcsv") + "/cmp.csv";
    Result r = Pesim(CompareArgs() + " --csv " + csv);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
#ifdef PESIM_SYSTEMC_BUILT
    const char *systemc_line = "systemc vs analytical";
    const char *twin_line = "systemc vs cycle: equal on every layer";
    const char *twin_col = ",systemc_reproduced,systemc_reproduction_difference";
#else
    const char *systemc_line = "systemc not built yet";
    const char *twin_line = "total";
    const char *twin_col = ",cycle_difference";
#endif
    for (const char *s : {"cycle vs analytical", systemc_line, twin_line, "ratio", "accesses",
                          "equal", "no MACs, not mapped", "total"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    EXPECT_EQ(r.out.find("DIFFER"), std::string::npos) << r.out;
    std::string c = ReadFile(csv);
    EXPECT_EQ(CountLines(c), 5);  // header + 4 layers
    std::string header = c.substr(0, c.find('\n'));
    for (const char *col : {"layer,", ",analytical_cycles,", ",analytical_energy_pj,",
                            ",cycle_cycles,", ",cycle_energy_pj,", ",cycle_stall_fill_drain_cycles,",
                            ",cycle_status,", ",cycle_ratio,", ",cycle_accesses_equal,", twin_col})
        EXPECT_NE(header.find(col), std::string::npos) << col << "\n" << header;
    EXPECT_EQ(header.find(",cycle_reproduced"), std::string::npos) << header;
    EXPECT_NE(c.find(",compared,"), std::string::npos) << c;      // the MAC layers' status
    EXPECT_NE(c.find(",not_mapped,"), std::string::npos) << c;    // the pool's
}

TEST(cli_compare, OneLayerDetails)
{
    Result r = Pesim(CompareArgs() + " --layer conv_b --no-refresh --dram-sched fcfs");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char *s : {"conv_b", "cycles by cause", "compute", "energy", "blocks", "bursts",
                          "DRAM FCFS, refresh off"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    r = Pesim(CompareArgs() + " --layer conv_b --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j;
    ASSERT_TRUE(ParseJson(r.out, &j));
    EXPECT_EQ(j["cycle"]["layers"].arr.size(), 1u);
}

TEST(cli_compare, InvalidMappingIsExit1AndUsageIsExit2)
{
    Result r = Pesim(CompareArgs() + " --layer conv_a --mapping tests/data/cli/over_capacity.cfg");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("invalid"), std::string::npos) << r.out;
    EXPECT_EQ(Pesim(CompareArgs() + " --mapping tests/data/cli/over_capacity.cfg").status, 2);
    EXPECT_EQ(Pesim(CompareArgs() + " --eval cycle").status, 2);
    EXPECT_EQ(Pesim(CompareArgs() + " --layer conv_c").status, 2);
    EXPECT_EQ(Pesim(CompareArgs() + " --json - --csv -").status, 2);
}

// An evaluator that cannot run a mapping because it is out of its range
// (the SystemC reference on OddClockArch) leaves the
// layer "not run": not a disagreement, not a failure to reproduce the engine,
// exit 0; `pesim run --eval systemc` says why and exits 1.
TEST(cli_compare, AnEvaluatorOutOfItsRangeLeavesTheLayerNotRun)
{
    std::string d = TempDir("cmp_range"), arch = OddClockArch(d);
    const std::string args = "compare --arch " + arch + " --workload " + kSmall;
    Result r = Pesim(args + " --json " + d + "/c.json --csv " + d + "/c.csv");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err, "");
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(d + "/c.json"), &j));
    EXPECT_TRUE(j["agree"].b);
    EXPECT_TRUE(j["valid"].b);
    EXPECT_EQ(j["comparison"]["cycle"]["total"]["layers_compared"].num, 3);
    EXPECT_EQ(j["comparison"]["cycle"]["total"]["layers_not_run"].num, 0);
#ifdef PESIM_SYSTEMC_BUILT
    EXPECT_NE(r.out.find("not run: out of the SystemC reference's range: DRAM tCK 0.625 ns at 333.333 MHz"),
              std::string::npos) << r.out;
    EXPECT_NE(r.out.find("systemc vs cycle: no layer run by both; 3 layers not run"), std::string::npos) << r.out;
    const Json &cmp = j["comparison"]["systemc"];
    EXPECT_EQ(cmp["total"]["layers_not_run"].num, 3);
    EXPECT_EQ(cmp["total"]["layers_compared"].num, 0);
    EXPECT_EQ(cmp["total"]["layers_differ"].num, 0);
    EXPECT_EQ(cmp["total"]["layers_not_reproduced"].num, 0);
    for (const Json &l : cmp["layers"].arr) {
        if (l["status"].str == "not_mapped")
            continue;
        EXPECT_EQ(l["status"].str, "not_run") << l["name"].str;
        EXPECT_EQ(l["reproduced"].type, Json::kNull) << l["name"].str;
        EXPECT_EQ(l["difference"].type, Json::kNull) << l["name"].str;
    }
    std::string c = ReadFile(d + "/c.csv");
    EXPECT_NE(c.find(",systemc_status,"), std::string::npos) << c;
    EXPECT_NE(c.find(",not_run,"), std::string::npos) << c;
    Result run = Pesim("run --eval systemc --arch " + arch + " --workload " + kSmall);
    EXPECT_EQ(run.status, 1) << run.out;
    EXPECT_NE(run.out.find("out of the SystemC reference's range"), std::string::npos) << run.out;
#else
    EXPECT_EQ(j["systemc"].type, Json::kNull);
#endif
}

// ---- the shipped defaults ------------------------------------------------------

TEST(cli_defaults, RunFromSourceRootAndElsewhere)
{
    Result r = Pesim("run --layer conv1");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("eyeriss"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("resnet50"), std::string::npos) << r.out;

    // From another directory the defaults are found above the executable.
    std::string dir = TempDir("elsewhere");
    Result e = Pesim("run --layer conv1", dir);
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_NE(e.out.find("eyeriss"), std::string::npos) << e.out;
}

TEST(cli_defaults, WholeResNet50)
{
    std::string dir = TempDir("resnet");
    std::string json = dir + "/resnet50.json";
    Result r = Pesim("run --json " + json);
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err, "");
    Json j;
    ASSERT_TRUE(ParseJson(ReadFile(json), &j));
    EXPECT_EQ(j["total"]["macs"].num, static_cast<double>(NetworkMacs("workloads/resnet50.cfg")));
    EXPECT_TRUE(j["total"]["valid"].b);
    EXPECT_GT(j["total"]["cycles"].num, 0);
}

}  // namespace

namespace {

// `pesim run ` + args on tiny_arch.cfg and small.cfg with the progress line
// from its first update (PESIM_PROGRESS_DELAY_S=0): stderr piped, or on a
// pseudo-terminal from script(1), whose output is then the terminal's.
Result RunPiped(const std::string &args)
{
    return Shell("PESIM_PROGRESS_DELAY_S=0 '" PESIM_BINARY "' run --arch tests/data/cli/tiny_arch.cfg --workload "
                 "tests/data/cli/small.cfg " + args);
}
Result RunOnTerminal(const std::string &args)
{
    return Shell("PESIM_PROGRESS_DELAY_S=0 script -qec \"'" PESIM_BINARY "' run --arch tests/data/cli/tiny_arch.cfg "
                 "--workload tests/data/cli/small.cfg " + args + " >/dev/null\" /dev/null </dev/null");
}

// Progress inside a long layer: on a terminal the cycle engine's progress
// hook updates the line while the layer runs - "100% of the MACs" with a rate
// and an ETA comes from inside the only layer (the line before it says 0%);
// piped, stderr stays empty.
TEST(cli, ProgressInsideALayerOnATerminalQuietWhenPiped)
{
    Result piped = RunPiped("--layer conv_b --eval cycle");
    EXPECT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err, "");
    EXPECT_NE(piped.out.find("conv_b"), std::string::npos);
    Result tty = RunOnTerminal("--layer conv_b --eval cycle");
    EXPECT_EQ(tty.status, 0) << tty.err;
    EXPECT_NE(tty.out.find("cycle engine: 100% of the MACs"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("ETA 0 s (conv_b)"), std::string::npos) << tty.out;
}

// A whole network at cycle level (run --placement) shows the network's MACs
// done, the rate, the ETA and the layer running (layer i of n) on a terminal;
// piped, nothing.
TEST(cli, NetworkRunProgressOnATerminalQuietWhenPiped)
{
    Result piped = RunPiped("--placement greedy --eval cycle");
    EXPECT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err, "");
    Result tty = RunOnTerminal("--placement greedy --eval cycle");
    EXPECT_EQ(tty.status, 0) << tty.err;
    EXPECT_NE(tty.out.find("network (cycle engine): 0% of the MACs"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("(layer 1 of 4: conv_a)"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("(layer 2 of 4: pool_a)"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("100% of the MACs"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("ETA 0 s (layer 4 of 4: fc)"), std::string::npos) << tty.out;
    Result an = RunOnTerminal("--placement greedy --eval analytical"); // no simulation, no line
    EXPECT_EQ(an.status, 0);
    EXPECT_EQ(an.out.find("of the MACs"), std::string::npos) << an.out;
}

// Inside a SystemC layer (run in a child process) the progress comes over
// the child's pipe: the same line on a terminal, nothing when piped.
#ifdef PESIM_SYSTEMC_BUILT
TEST(cli, SystemCProgressOnATerminalQuietWhenPiped)
{
    Result piped = RunPiped("--layer conv_b --eval systemc");
    EXPECT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err, "");
    Result tty = RunOnTerminal("--layer conv_b --eval systemc");
    EXPECT_EQ(tty.status, 0) << tty.err;
    EXPECT_NE(tty.out.find("SystemC reference: 100% of the MACs"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("(conv_b)"), std::string::npos) << tty.out;
    Result net = RunOnTerminal("--placement greedy --eval systemc"); // a whole network: layer by layer
    EXPECT_EQ(net.status, 0) << net.out;
    EXPECT_NE(net.out.find("network (SystemC reference): "), std::string::npos) << net.out;
    EXPECT_NE(net.out.find("(layer 4 of 4: fc)"), std::string::npos) << net.out;
}
#endif

}  // namespace
