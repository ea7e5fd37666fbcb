// arch_keys_test.cc - every key the architecture format accepts has an effect
// (issue #21: "every parameter the architecture format accepts has an effect,
// or it is removed"). Each case changes one key of a small machine (4x4 PEs,
// register files, a global buffer, DDR4, a vector unit) and requires that
// something pesim reports changes: a layer's cycles, stalls, energy or engine
// counters (cycle engine and analytical model), the whole network's cost with
// a placement, or the area. A key whose effect needs a context (a second rank
// for tRTRS, a DRAM-bound layer for the DRAM port) gets it in both runs.
// `name` and `source` are labels, the only keys exempt.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cli_run_util.h"

namespace {

const char *const kBase = R"(arch = {
  name = "keys"; source = "arch_keys_test"; dataflow = "any"; conventions = "pesim";
  word_bits = 16; clock_mhz = 500.0; technology_nm = 45;
  mac = { type = "int16"; latency_cycles = 1; };
  levels = (
    { name = "RF"; keeps = [ "weights", "inputs", "outputs" ]; capacity_words = 64; },
    { name = "GLB"; capacity_words = 16384; fanout_x = 4; fanout_y = 4; banks = 1; ports = 1;
      read_words_per_cycle = 4.0; write_words_per_cycle = 4.0; latency_cycles = 1;
      noc = { inputs = { kind = "bus"; words_per_cycle = 4.0; };
              outputs = { kind = "bus"; reduce = "tree"; }; }; },
    { name = "DRAM"; dram = { preset = "ddr4-3200"; channels = 1; }; }
  );
  vector = { level = "GLB"; lanes = 4; latency_cycles = 2; };
};
)";

// One key's change: `find` replaced by `repl` (find must occur once); `ctx_find`
// -> `ctx_repl` first, in both runs, when the key needs a context.
struct KeyCase {
    const char *key, *find, *repl, *ctx_find, *ctx_repl;
};

const KeyCase kCases[] = {
    {"dataflow", "dataflow = \"any\";", "dataflow = \"os\";", nullptr, nullptr},
    {"conventions", "conventions = \"pesim\";", "conventions = \"timeloop\";", nullptr, nullptr},
    // the RF's output fills lose their first visits
    {"first_read_elision", "conventions = \"timeloop\";", "conventions = \"timeloop\"; first_read_elision = true;",
     "conventions = \"pesim\";", "conventions = \"timeloop\";"},
    {"word_bits", "word_bits = 16;", "word_bits = 8;", nullptr, nullptr},
    {"clock_mhz", "clock_mhz = 500.0;", "clock_mhz = 1500.0;", nullptr, nullptr},
    {"technology_nm", "technology_nm = 45;", "technology_nm = 28;", nullptr, nullptr},
    {"mac.type", "type = \"int16\";", "type = \"fp32\";", nullptr, nullptr},
    {"mac.latency_cycles", "latency_cycles = 1; };\n  levels", "latency_cycles = 9; };\n  levels", nullptr, nullptr},
    {"mac.energy_pj", "mac = {", "mac = { energy_pj = 9.0;", nullptr, nullptr},
    {"mac.area_um2", "mac = {", "mac = { area_um2 = 9000.0;", nullptr, nullptr},
    {"mac.leak_pj_per_cycle", "mac = {", "mac = { leak_pj_per_cycle = 9.0;", nullptr, nullptr},
    {"keeps", "keeps = [ \"weights\", \"inputs\", \"outputs\" ];", "keeps = [ \"weights\", \"outputs\" ];", nullptr,
     nullptr},
    {"capacity_words", "capacity_words = 64;", "capacity_words = 24;", nullptr, nullptr},
    {"tensor_capacity", "capacity_words = 64;",
     "capacity_words = 64; tensor_capacity = { weights = 8; inputs = 24; outputs = 32; };", nullptr, nullptr},
    {"fanout_x", "fanout_x = 4;", "fanout_x = 2;", nullptr, nullptr},
    {"fanout_y", "fanout_y = 4;", "fanout_y = 2;", nullptr, nullptr},
    {"spatial_x", "fanout_x = 4;", "fanout_x = 4; spatial_x = [ \"C\" ];", nullptr, nullptr},
    {"spatial_y", "fanout_y = 4;", "fanout_y = 4; spatial_y = [ \"K\" ];", nullptr, nullptr},
    {"banks", "banks = 1;", "banks = 4;", nullptr, nullptr},
    {"ports", "ports = 1;", "ports = 2;", nullptr, nullptr},
    {"read_words_per_cycle", "read_words_per_cycle = 4.0;", "read_words_per_cycle = 1.0;", nullptr, nullptr},
    {"write_words_per_cycle", "write_words_per_cycle = 4.0;", "write_words_per_cycle = 1.0;", nullptr, nullptr},
    {"latency_cycles", "latency_cycles = 1;\n", "latency_cycles = 40;\n", nullptr, nullptr},
    {"read_energy_pj", "banks = 1;", "banks = 1; read_energy_pj = 50.0;", nullptr, nullptr},
    {"write_energy_pj", "banks = 1;", "banks = 1; write_energy_pj = 50.0;", nullptr, nullptr},
    {"leak_pj_per_cycle", "banks = 1;", "banks = 1; leak_pj_per_cycle = 50.0;", nullptr, nullptr},
    {"area_um2", "banks = 1;", "banks = 1; area_um2 = 5.0e6;", nullptr, nullptr},
    {"reduce_energy_pj", "banks = 1;", "banks = 1; reduce_energy_pj = 50.0;", nullptr, nullptr},
    {"reduce_area_um2", "banks = 1;", "banks = 1; reduce_area_um2 = 5.0e6;", nullptr, nullptr},
    {"multiple_buffering", "banks = 1;", "banks = 1; multiple_buffering = 2;", nullptr, nullptr},
    {"double_buffered", "banks = 1;", "banks = 1; double_buffered = true;", nullptr, nullptr},
    {"sliding_reuse", "banks = 1;", "banks = 1; sliding_reuse = false;", nullptr, nullptr},
    // the GLB's own words at 32 bits: its SRAM, port and network wires estimated twice as wide
    {"level word_bits", "banks = 1;", "banks = 1; word_bits = 32;", nullptr, nullptr},
    {"block_words", "banks = 1;", "banks = 1; block_words = 4;", "conventions = \"pesim\";",
     "conventions = \"timeloop\";"},
    // a bank's line under the pesim conventions: 4 banks, lines of 4 words make each side's access one bank wide
    {"block_words (banks)", "banks = 4;", "banks = 4; block_words = 4;", "banks = 1;", "banks = 4;"},
    // the 16 RFs in clusters of 4: "timeloop" conventions charge their accesses once per utilized cluster
    {"cluster_size", "capacity_words = 64; },", "capacity_words = 64; cluster_size = 4; },", "conventions = \"pesim\";",
     "conventions = \"timeloop\";"},
    // the MAC array's reads against its updates in the GLB's 4 banks (the RF keeps only the weights;
    // reads 2 lines wide, writes 1: some of their accesses meet)
    {"arbitration", "banks = 4;", "banks = 4; arbitration = \"round_robin\";",
     "keeps = [ \"weights\", \"inputs\", \"outputs\" ]; capacity_words = 64; },\n    { name = \"GLB\"; capacity_words = "
     "16384; fanout_x = 4; fanout_y = 4; banks = 1; ports = 1;\n      read_words_per_cycle = 4.0; write_words_per_cycle = 4.0;",
     "keeps = [ \"weights\" ]; capacity_words = 64; },\n    { name = \"GLB\"; capacity_words = 16384; fanout_x = 4; "
     "fanout_y = 4; banks = 4; ports = 1;\n      read_words_per_cycle = 2.0; write_words_per_cycle = 1.0;"},
    {"noc.kind", "inputs = { kind = \"bus\";", "inputs = { kind = \"systolic\";", nullptr, nullptr},
    {"noc.words_per_cycle", "words_per_cycle = 4.0; };", "words_per_cycle = 1.0; };", nullptr, nullptr},
    {"noc.hop_energy_pj", "outputs = { kind = \"bus\";", "outputs = { kind = \"bus\"; hop_energy_pj = 9.0;", nullptr,
     nullptr},
    {"noc.reduce", "reduce = \"tree\";", "reduce = \"none\";", nullptr, nullptr},
    {"dram.preset", "preset = \"ddr4-3200\";", "preset = \"lpddr4-2400\";", nullptr, nullptr},
    {"dram.channels", "channels = 1;", "channels = 2;", nullptr, nullptr},
    // several DRAM reads in one block: weights bypass the GLB, so RF fills read them from DRAM
    {"dram.reads_in_flight", "channels = 1;", "channels = 1; reads_in_flight = 8;", "capacity_words = 16384;",
     "capacity_words = 16384; keeps = [ \"inputs\", \"outputs\" ];"},
    // the address layout: a transfer reads its tile's box in the tensor's row-major layout
    {"dram.layout", "channels = 1;", "channels = 1; layout = \"row_major\";", nullptr, nullptr},
    {"dram.order", "channels = 1;", "channels = 1; order = \"nchw\";", "preset = \"ddr4-3200\";",
     "preset = \"ddr4-3200\"; layout = \"row_major\";"},
    {"DRAM read_words_per_cycle", "dram = {", "read_words_per_cycle = 0.5; dram = {", nullptr, nullptr},
    {"DRAM write_words_per_cycle", "dram = {", "write_words_per_cycle = 0.5; dram = {", nullptr, nullptr},
    // beside the register files (rows of the pool must fit them): below the homes, as it must be
    {"vector.level", "level = \"GLB\";", "level = \"RF\";", "capacity_words = 64;", "capacity_words = 2048;"},
    {"vector.lanes", "lanes = 4;", "lanes = 1;", nullptr, nullptr},
    {"vector.ops_per_cycle", "lanes = 4;", "lanes = 4; ops_per_cycle = 0.25;", nullptr, nullptr},
    {"vector.latency_cycles", "latency_cycles = 2; };", "latency_cycles = 200; };", nullptr, nullptr},
    {"vector.energy_pj_per_op", "lanes = 4;", "lanes = 4; energy_pj_per_op = 9.0;", nullptr, nullptr},
    {"vector.area_um2", "lanes = 4;", "lanes = 4; area_um2 = 9.0e5;", nullptr, nullptr},
    {"vector.leak_pj_per_cycle", "lanes = 4;", "lanes = 4; leak_pj_per_cycle = 9.0;", nullptr, nullptr},
};

// The DRAM timings (docs/config.md, "dram keys"), each set to twice the
// ddr4-3200 preset's value (sim/core/arch.c), which stays valid.
const struct {
    const char *key;
    int doubled;
} kDramTimings[] = {{"CL", 44},     {"CWL", 32},    {"tRCD", 44},   {"tRP", 44},     {"tRAS", 104},  {"tRC", 148},
                    {"tCCD_S", 8},  {"tCCD_L", 16}, {"tRRD_S", 8},  {"tRRD_L", 16},  {"tFAW", 68},   {"tWTR_S", 8},
                    {"tWTR_L", 24}, {"tWR", 48},    {"tRTP", 24},   {"tRTRS", 2},    {"tRFC", 1120}, {"tREFI", 24960}};

bool Replace(std::string &s, const char *find, const char *repl)
{
    size_t at = s.find(find);
    if (at == std::string::npos || s.find(find, at + 1) != std::string::npos) return false;
    s.replace(at, strlen(find), repl);
    return true;
}

// What pesim reports about the machine on the small network: the cycle engine
// and the model per layer, the whole network with the greedy placement, the area.
std::string FingerprintOnce(const std::string &dir, const std::string &text, std::string *err);
std::string Fingerprint(const std::string &dir, const std::string &text, std::string *err)
{
    static std::map<std::string, std::string> seen;  // the unchanged machine recurs: run it once
    auto it = seen.find(text);
    if (it != seen.end()) return it->second;
    std::string fp = FingerprintOnce(dir, text, err);
    if (err->empty()) seen[text] = fp;
    return fp;
}

std::string FingerprintOnce(const std::string &dir, const std::string &text, std::string *err)
{
    std::string path = dir + "/arch.cfg";
    FILE *f = fopen(path.c_str(), "w");
    if (!f) return "";
    fputs(text.c_str(), f);
    fclose(f);
    std::string out, wl = " --workload tests/data/cli/small.cfg --json -";
    for (const char *eval : {"cycle", "analytical"}) {
        Result r = Pesim("run --arch " + path + wl + " --eval " + eval);
        if (r.status != 0) *err += r.err;
        out += r.out;
    }
    Result n = Pesim("run --arch " + path + wl + " --eval cycle --placement greedy");
    if (n.status != 0) *err += n.err;
    out += n.out;
    Result info = Pesim("info --arch " + path + " --json -");
    if (info.status != 0) *err += info.err;
    Json j = ParseJson(info.out);
    out += "area " + std::to_string(j["arch"]["area_um2"].num);
    for (const Json &lv : j["arch"]["levels"].arr) out += " " + std::to_string(lv["area_um2"].num);
    return out;
}

// A DRAM trace that reaches every timing: 600 reads and writes in runs of
// 1-8, random addresses over both ranks and every bank (some rows reused), one
// request a cycle (seeded); then 200 reads, each a new row of the next of the
// four banks of bank group 0 of rank 0 (the default map rorabacobgch puts the
// bank group at bits 6-7, the bank at 15-16, the rank at 17): activations as
// fast as tRRD_L and tFAW allow.
std::string DramTrace(const std::string &dir)
{
    std::string path = dir + "/trace.txt";
    FILE *f = fopen(path.c_str(), "w");
    if (!f) return path;
    uint64_t x = 12345, row = 0;
    int write = 0, run = 0;
    for (int i = 0; i < 600; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if (run-- <= 0) write = !write, run = (int)((x >> 40) % 8);
        if ((x >> 20) % 4 == 0) row = x >> 33;  // a new row now and then, else the same one
        uint64_t addr = ((row & 0xffff) << 17 | ((x >> 50) & 0x1ffff)) & ~(uint64_t)63;
        fprintf(f, "0x%llx %s %d\n", (unsigned long long)addr, write ? "WRITE" : "READ", i);
    }
    for (int i = 0; i < 200; i++) {
        uint64_t addr = (uint64_t)(i % 4) << 15 | (uint64_t)(1000 + i / 4) << 18;
        fprintf(f, "0x%llx READ %d\n", (unsigned long long)addr, 600 + i);
    }
    fclose(f);
    return path;
}

void ExpectAnEffect(const std::string &dir, const std::string &key, std::string base, const char *find,
                    const char *repl, const char *ctx_find, const char *ctx_repl, bool dram_trace = false)
{
    if (ctx_find) {
        ASSERT_TRUE(Replace(base, ctx_find, ctx_repl)) << key << ": context " << ctx_find;
    }
    std::string changed = base;
    ASSERT_TRUE(Replace(changed, find, repl)) << key << ": " << find;
    std::string e0, e1;
    std::string before = Fingerprint(dir, base, &e0), after = Fingerprint(dir, changed, &e1);
    if (dram_trace) {  // the DRAM model alone on a trace (the arch file as its preset)
        std::string trace = DramTrace(dir), arch = dir + "/arch.cfg";
        for (std::string *text : {&base, &changed}) {
            FILE *f = fopen(arch.c_str(), "w");
            ASSERT_TRUE(f);
            fputs(text->c_str(), f);
            fclose(f);
            Result r = Pesim("dram --preset " + arch + " --trace " + trace);
            (text == &base ? e0 : e1) += r.status ? r.err : "";
            (text == &base ? before : after) += r.out;
        }
    }
    ASSERT_EQ(e0, "") << key;
    ASSERT_EQ(e1, "") << key << "\n" << changed;
    EXPECT_TRUE(before != after) << key << " has no effect: " << repl;
}

TEST(ArchKeys, EveryKeyChangesWhatPesimReports)
{
    std::string dir = TempDir("arch_keys");
    for (const KeyCase &c : kCases) ExpectAnEffect(dir, c.key, kBase, c.find, c.repl, c.ctx_find, c.ctx_repl);
}

// The vector unit stages its operands' tiles from their homes, so what a
// vector layer reads or writes lives at or above it: with a DRAM-side unit,
// the pool's input and output live in DRAM while the convolutions' weights
// and the gemm's input may stay in the GLB (this arch was an input error; before
// that, an internal error of the network simulation: "the engine moved other
// words than the analytical counts"). The engine and the reference agree.
TEST(ArchKeys, VectorUnitAboveAHomeStagesFromAtOrAboveIt)
{
    std::string dir = TempDir("arch_vector"), text = kBase, path = dir + "/arch.cfg", placed = dir + "/placed.cfg";
    ASSERT_TRUE(Replace(text, "level = \"GLB\";", "level = \"DRAM\";"));
    ASSERT_TRUE(WriteFile(path, text));
    const std::string run = "run --arch " + path + " --workload tests/data/cli/small.cfg --placement ";
    Result r = Pesim(run + "greedy --write-placement " + placed);
    ASSERT_EQ(r.status, 0) << r.err;
    std::string p = ReadFile(placed);
    for (const char *line : {"{ layer = \"conv_a\"; weights = \"GLB\"; outputs = \"DRAM\";",
                             "{ layer = \"pool_a\"; weights = \"DRAM\"; outputs = \"DRAM\";",
                             "{ layer = \"conv_b\"; weights = \"GLB\"; outputs = \"GLB\";"})
        EXPECT_NE(p.find(line), std::string::npos) << line << "\n" << p;
#ifdef PESIM_SYSTEMC_BUILT
    Result c = Pesim("compare --arch " + path + " --workload tests/data/cli/small.cfg --placement greedy");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_NE(c.out.find("systemc vs cycle: equal on the network and every layer"), std::string::npos) << c.out;
#endif
    ASSERT_TRUE(Replace(p, "{ layer = \"pool_a\"; weights = \"DRAM\"; outputs = \"DRAM\";",
                        "{ layer = \"pool_a\"; weights = \"DRAM\"; outputs = \"GLB\";"));
    ASSERT_TRUE(WriteFile(placed, p));
    r = Pesim(run + placed);
    EXPECT_EQ(r.status, 2);
    const std::string line = std::to_string(1 + std::count(p.begin(), p.begin() + (long)p.find("\"pool_a\""), '\n'));
    EXPECT_NE(r.err.find(placed + ":" + line + ": pool_a: output of 'pool_a' cannot live in level GLB: a vector layer reads or writes it, so it "
                         "lives at or above the vector unit's level DRAM (it may live in: DRAM)"),
              std::string::npos) << r.err;
}

TEST(ArchKeys, EveryDramKeyChangesWhatPesimReports)
{
    std::string dir = TempDir("arch_dram_keys");
    for (const auto &t : kDramTimings) {
        std::string key = t.key, repl = "channels = 1; " + key + " = " + std::to_string(t.doubled) + ";";
        // activations bound by tRRD_L or tFAW, not by a bank's row cycle: a short tRC
        bool act = key == "tRRD_L" || key == "tFAW";
        ExpectAnEffect(dir, "dram." + key, kBase, "channels = 1;", repl.c_str(), act ? "preset" : nullptr,
                       "tRAS = 20; tRP = 10; tRC = 30; preset", true);
    }
    const KeyCase dram[] = {
        {"dram.ranks", "channels = 1;", "channels = 1; ranks = 1;", nullptr, nullptr},
        {"dram.bus_bits", "channels = 1;", "channels = 1; bus_bits = 32;", nullptr, nullptr},
        {"dram.device_bits", "channels = 1;", "channels = 1; device_bits = 16;", nullptr, nullptr},
        {"dram.bankgroups", "channels = 1;", "channels = 1; bankgroups = 1;", nullptr, nullptr},
        {"dram.banks_per_group", "channels = 1;", "channels = 1; banks_per_group = 1;", nullptr, nullptr},
        {"dram.row_bytes", "channels = 1;", "channels = 1; row_bytes = 1024;", nullptr, nullptr},
        {"dram.tck_ns", "channels = 1;", "channels = 1; tck_ns = 1.25;", nullptr, nullptr},
        {"dram.BL", "channels = 1;", "channels = 1; BL = 16;", nullptr, nullptr},
        {"dram.VDD", "channels = 1;", "channels = 1; VDD = 1.5;", nullptr, nullptr},
        {"dram.IDD0", "channels = 1;", "channels = 1; IDD0 = 200.0;", nullptr, nullptr},
        {"dram.IDD2N", "channels = 1;", "channels = 1; IDD2N = 200.0;", nullptr, nullptr},
        {"dram.IDD3N", "channels = 1;", "channels = 1; IDD3N = 200.0;", nullptr, nullptr},
        {"dram.IDD4R", "channels = 1;", "channels = 1; IDD4R = 900.0;", nullptr, nullptr},
        {"dram.IDD4W", "channels = 1;", "channels = 1; IDD4W = 900.0;", nullptr, nullptr},
        {"dram.IDD5AB", "channels = 1;", "channels = 1; IDD5AB = 900.0;", nullptr, nullptr},
        {"dram.io_read_pj_per_bit", "channels = 1;", "channels = 1; io_read_pj_per_bit = 50.0;", nullptr, nullptr},
        {"dram.io_write_pj_per_bit", "channels = 1;", "channels = 1; io_write_pj_per_bit = 50.0;", nullptr,
         nullptr},
    };
    for (const KeyCase &c : dram) ExpectAnEffect(dir, c.key, kBase, c.find, c.repl, c.ctx_find, c.ctx_repl, true);
}

}  // namespace
