// level_width_test.cc - a storage level's own word width (arch.h:
// pesim_level.word_bits, pesim_level_word_bits; docs/config.md "word_bits"):
// the key loads, round-trips through the writer and is refused where the
// words must be the arch's; the estimator sizes the level's SRAM, port and
// network wires by it (checked against the SRAM, register-file and wire
// models called directly, with the bits and widths computed here by hand);
// the design hash sees it; `pesim info --arch` shows it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_run_util.h"
#include "test_util.h"

extern "C" {
#include "pesim/arch.h"
#include "pesim/config.h"
#include "pesim/estimate.h"
#include "pesim/search.h"
}

namespace {

// An 8-bit arch, one level a line (line numbers below count from 1):
// RF (16 weights per MAC) under Acc (1024 outputs, 4 children, 2 words a
// cycle per port) under DRAM. `acc` and `dram` are extra keys of those levels.
std::string ArchText(const std::string &acc, const std::string &dram, const std::string &top_name = "DRAM")
{
    return "arch = {\n"                                                                             // 1
           "  name = \"w\"; word_bits = 8; clock_mhz = 1000.0; technology_nm = 45;\n"              // 2
           "  levels = (\n"                                                                         // 3
           "    { name = \"RF\"; keeps = [\"weights\"]; capacity_words = 16; },\n"                  // 4
           "    { name = \"Acc\"; keeps = [\"outputs\"]; capacity_words = 1024; fanout_x = 4; spatial_x = [\"K\"]; "
           "read_words_per_cycle = 2.0; write_words_per_cycle = 2.0; " + acc + " },\n"              // 5
           "    { name = \"" + top_name + "\"; " +
           (top_name == "DRAM" ? "dram = { preset = \"ddr4-3200\"; }; " : "") + dram + " }\n"     // 6
           "  );\n"                                                                                 // 7
           "};\n";                                                                                  // 8
}

pesim_status Load(const std::string &text, pesim_arch *a, pesim_error *e)
{
    pesim_error_clear(e);
    return pesim_arch_load_string(text.c_str(), "w.cfg", a, e);
}

int Occurrences(const std::string &s, const std::string &what)
{
    int n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
    return n;
}

std::string WriteAndRead(const pesim_arch &a)
{
    std::string path = ::testing::TempDir() + "level_width_" + std::to_string(getpid()) + ".cfg";
    pesim_error e;
    EXPECT_EQ(PESIM_OK, pesim_arch_write(path.c_str(), &a, &e)) << e.msg;
    std::string text = ReadFile(path);
    std::remove(path.c_str());
    return text;
}

TEST(LevelWidth, LoadsAndRoundTripsThroughTheWriter)
{
    pesim_arch a, b;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, Load(ArchText("word_bits = 24;", ""), &a, &e)) << e.line << ": " << e.key << ": " << e.msg;
    EXPECT_EQ(24, a.level[1].word_bits);
    EXPECT_EQ(0, a.level[0].word_bits);  // left out: 0, the arch's
    EXPECT_EQ(8, pesim_level_word_bits(&a, 0));
    EXPECT_EQ(24, pesim_level_word_bits(&a, 1));
    EXPECT_EQ(8, pesim_level_word_bits(&a, 2));
    std::string text = WriteAndRead(a);
    EXPECT_EQ(1, Occurrences(text, "word_bits = 24;")) << text;
    EXPECT_EQ(2, Occurrences(text, "word_bits")) << text;  // the arch's and Acc's only
    ASSERT_EQ(PESIM_OK, Load(text, &b, &e)) << e.line << ": " << e.key << ": " << e.msg << "\n" << text;
    for (int l = 0; l < a.n_levels; l++) EXPECT_EQ(a.level[l].word_bits, b.level[l].word_bits) << l;
    EXPECT_EQ(a.level[1].read_energy_pj, b.level[1].read_energy_pj);  // estimated again at 24 bits
    // without the key nothing is written; the DRAM may state the arch's own width
    ASSERT_EQ(PESIM_OK, Load(ArchText("", "word_bits = 8;"), &a, &e)) << e.msg;
    EXPECT_EQ(8, a.level[2].word_bits);
    a.level[2].word_bits = 0;
    EXPECT_EQ(1, Occurrences(WriteAndRead(a), "word_bits"));
}

struct BadWidth {
    std::string acc, dram, top;
    pesim_status code;
    int line;
    const char *key, *msg_part;
};

TEST(LevelWidth, RefusedValuesNameFileLineAndKey)
{
    const BadWidth cases[] = {
        {"word_bits = 0;", "", "DRAM", PESIM_ERR_RANGE, 5, "levels.[Acc].word_bits", "must be >= 1, got 0"},
        {"word_bits = 65;", "", "DRAM", PESIM_ERR_RANGE, 5, "levels.[Acc].word_bits", "must be <= 64, got 65"},
        {"", "word_bits = 16;", "DRAM", PESIM_ERR_INVALID, 6, "levels.[DRAM].word_bits",
         "the DRAM level's words are the arch's (word_bits = 8)"},
        {"", "word_bits = 16;", "Top", PESIM_ERR_INVALID, 6, "levels.[Top].word_bits",
         "the outermost level's words are the arch's (word_bits = 8)"},
    };
    for (const BadWidth &c : cases) {
        pesim_arch a;
        pesim_error e;
        std::string text = ArchText(c.acc, c.dram, c.top);
        EXPECT_EQ(c.code, Load(text, &a, &e)) << text;
        EXPECT_STREQ("w.cfg", e.file);
        EXPECT_EQ(c.line, e.line) << e.msg;
        EXPECT_STREQ(c.key, e.key) << e.msg;
        EXPECT_NE(nullptr, strstr(e.msg, c.msg_part)) << e.msg;
    }
    // the same rules on an arch built in code (pesim_arch_check)
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, Load(ArchText("", ""), &a, &e)) << e.msg;
    a.level[2].word_bits = 16;
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_arch_check(&a, "x", &e));
    EXPECT_STREQ("levels.[DRAM]", e.key);
    a.level[2].word_bits = 0;
    a.level[1].word_bits = 65;
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_check(&a, "x", &e));
    a.level[1].word_bits = -1;
    EXPECT_EQ(PESIM_ERR_RANGE, pesim_arch_check(&a, "x", &e));
    a.level[1].word_bits = 64;
    EXPECT_EQ(PESIM_OK, pesim_arch_check(&a, "x", &e)) << e.msg;
}

// Acc at 24 bits: 1024 words x 24 = 24576 bits (an SRAM: more than
// PESIM_EST_REGFILE_MAX_BITS), 2 words per access on one bank = a 48-bit
// port, so a word costs half an access; at 8 bits: 8192 bits, a 16-bit port.
// RF (16 x 8 = 128 bits: a register file of 16 entries of 8 bits, one word
// an access) and the DRAM have no key and estimate alike in both archs.
TEST(LevelWidth, EstimatorSizesTheLevelByItsWidth)
{
    pesim_arch a8, a24;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, Load(ArchText("", ""), &a8, &e)) << e.msg;
    ASSERT_EQ(PESIM_OK, Load(ArchText("word_bits = 24;", ""), &a24, &e)) << e.msg;
    pesim_tech t;
    ASSERT_EQ(PESIM_OK, pesim_estimate_tech(45, &t));
    pesim_est s24, s8, rf;
    pesim_estimate_sram(&t, 1024.0 * 24, 2 * 24, 1, 1, &s24);
    pesim_estimate_sram(&t, 1024.0 * 8, 2 * 8, 1, 1, &s8);
    pesim_estimate_regfile(&t, 16, 8, 1, &rf);
    EXPECT_DOUBLE_EQ(s24.read_pj / 2, a24.level[1].read_energy_pj);
    EXPECT_DOUBLE_EQ(s24.write_pj / 2, a24.level[1].write_energy_pj);
    EXPECT_DOUBLE_EQ(s24.area_um2, a24.level[1].area_um2);
    EXPECT_DOUBLE_EQ(s8.read_pj / 2, a8.level[1].read_energy_pj);
    EXPECT_DOUBLE_EQ(s8.area_um2, a8.level[1].area_um2);
    EXPECT_GT(a24.level[1].read_energy_pj, a8.level[1].read_energy_pj);
    EXPECT_GT(a24.level[1].area_um2, a8.level[1].area_um2);
    pesim_level_est x;
    pesim_estimate_level(&a24, 1, &x);
    EXPECT_NE(nullptr, strstr(x.what, "x 48 bit")) << x.what;
    // the network below Acc: wire energy x 24 bits x the pitch of the RF + MAC
    // under it (the same in both archs: nothing below Acc changed)
    pesim_floorplan fp8, fp24;
    pesim_estimate_floorplan(&a8, 1, &fp8);
    pesim_estimate_floorplan(&a24, 1, &fp24);
    EXPECT_EQ(fp8.pitch_mm, fp24.pitch_mm);
    EXPECT_DOUBLE_EQ(pesim_estimate_wire_pj_per_bit_mm(&t) * 24 * fp24.pitch_mm,
                     a24.level[1].noc[PESIM_OUTPUTS].hop_energy_pj);
    EXPECT_DOUBLE_EQ(pesim_estimate_wire_pj_per_bit_mm(&t) * 8 * fp8.pitch_mm,
                     a8.level[1].noc[PESIM_OUTPUTS].hop_energy_pj);
    // levels without the key: exactly as before
    EXPECT_DOUBLE_EQ(rf.read_pj, a24.level[0].read_energy_pj);
    EXPECT_DOUBLE_EQ(rf.area_um2, a24.level[0].area_um2);
    for (int l : {0, 2}) {
        EXPECT_EQ(a8.level[l].read_energy_pj, a24.level[l].read_energy_pj) << l;
        EXPECT_EQ(a8.level[l].write_energy_pj, a24.level[l].write_energy_pj) << l;
        EXPECT_EQ(a8.level[l].area_um2, a24.level[l].area_um2) << l;
        EXPECT_EQ(a8.level[l].leak_pj_per_cycle, a24.level[l].leak_pj_per_cycle) << l;
    }
    // a width stated equal to the arch's is the arch's
    pesim_arch same;
    ASSERT_EQ(PESIM_OK, Load(ArchText("word_bits = 8;", ""), &same, &e)) << e.msg;
    EXPECT_EQ(a8.level[1].read_energy_pj, same.level[1].read_energy_pj);
    EXPECT_EQ(a8.level[1].noc[PESIM_OUTPUTS].hop_energy_pj, same.level[1].noc[PESIM_OUTPUTS].hop_energy_pj);
}

// The hash of the first design of a mapping space on `a` that decodes.
uint64_t DesignHash(const pesim_arch &a)
{
    pesim_layer l = test_layer(1, 1, 8, 4, 4, 4, 1, 1);
    pesim_space *s = nullptr;
    pesim_error e;
    EXPECT_EQ(PESIM_OK, pesim_space_mapping(&a, &l, &s, &e)) << e.msg;
    if (!s) return 0;
    std::vector<int32_t> c((size_t)pesim_space_n_params(s), 0);
    pesim_design d;
    int ok = pesim_space_decode(s, c.data(), &d, nullptr, 0);
    EXPECT_EQ(1, ok);
    uint64_t h = d.hash;
    pesim_space_destroy(s);
    return h;
}

// Only the width changes (the energies stay the loaded 8-bit ones): the
// evaluator's cache must not take the two for one design; a width stated as
// the arch's is the same design as none.
TEST(LevelWidth, DesignHashSeesTheWidth)
{
    pesim_arch a;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, Load(ArchText("", ""), &a, &e)) << e.msg;
    pesim_arch w = a, same = a;
    w.level[1].word_bits = 24;
    same.level[1].word_bits = 8;
    uint64_t h = DesignHash(a);
    EXPECT_NE(h, DesignHash(w));
    EXPECT_EQ(h, DesignHash(same));
}

TEST(LevelWidth, InfoArchShowsEachLevelsWidth)
{
    std::string dir = TempDir("level_width");
    std::string json = dir + "/arch.json", csv = dir + "/arch.csv";
    Result r = Pesim("info --arch configs/arch/simba.cfg --json " + json + " --csv " + csv);
    ASSERT_EQ(0, r.status) << r.err;
    Json j = ParseJson(ReadFile(json));
    const Json &lv = j["arch"]["levels"];
    ASSERT_EQ(6u, lv.arr.size());
    EXPECT_EQ("AccBuf", lv.arr[1]["name"].str);
    EXPECT_EQ(24, lv.arr[1]["word_bits"].num);  // simba.cfg: 24-bit partial sums
    EXPECT_EQ(8, lv.arr[2]["word_bits"].num);
    EXPECT_EQ(8, lv.arr[5]["word_bits"].num);
    // the SRAM estimate of AccBuf: 128 words x 24 bits = 384 B, two words an access = 48 bits
    EXPECT_EQ("estimated: SRAM 384 B x 48 bit, 1 bank, 1 port, 16 nm", lv.arr[1]["sources"]["read_energy_pj"].str);
    std::string c = ReadFile(csv);
    EXPECT_EQ(0u, c.rfind("level,keeps,word_bits,capacity_words,", 0)) << c;
    EXPECT_NE(std::string::npos, c.find("\nAccBuf,O,24,128,")) << c;
    EXPECT_NE(std::string::npos, r.out.find("AccBuf      O       24 128")) << r.out;
}

}  // namespace

namespace {

// `LEVEL.word_bits` as a hardware-space parameter (docs/search.md): AccBuf at
// 8 and 24 bits on simba.cfg, whose AccBuf costs are left to the estimator,
// so each decoded design takes the estimate at its width: at 24 bits the
// loaded simba.cfg's (its config states 24), at 8 bits the SRAM model of
// 128 x 8 = 1024 bits with a 16-bit port (2 words an access) at 16 nm.
TEST(LevelWidth, HardwareSpaceSweepsALevelsWidth)
{
    std::string dir = TempDir("level_width_sweep"), exp = dir + "/exp.cfg";
    FILE *f = fopen(exp.c_str(), "w");
    ASSERT_TRUE(f);
    fputs("experiment = {\n  name = \"w\"; arch = \"configs/arch/simba.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
          "  layer = \"res3a_branch2b\"; objective = \"edp\";\n"
          "  params = ( { key = \"AccBuf.word_bits\"; values = [ 8, 24 ]; } );\n};\n",
          f);
    fclose(f);
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(PESIM_OK, pesim_space_from_experiment(exp.c_str(), nullptr, nullptr, 0, &s, &e)) << e.msg;
    pesim_arch simba;
    ASSERT_EQ(PESIM_OK, pesim_arch_load("configs/arch/simba.cfg", &simba, &e)) << e.msg;
    std::vector<int32_t> c((size_t)pesim_space_n_params(s), 0);
    pesim_design d0, d1;
    ASSERT_EQ(1, pesim_space_decode(s, c.data(), &d0, nullptr, 0));
    pesim_arch a8 = d0.arch;
    uint64_t h8 = d0.hash;
    c[0] = 1;
    ASSERT_EQ(1, pesim_space_decode(s, c.data(), &d1, nullptr, 0));
    EXPECT_EQ(8, pesim_level_word_bits(&a8, 1));
    EXPECT_EQ(24, pesim_level_word_bits(&d1.arch, 1));
    EXPECT_NE(h8, d1.hash);
    EXPECT_DOUBLE_EQ(simba.level[1].read_energy_pj, d1.arch.level[1].read_energy_pj);
    pesim_tech t;
    ASSERT_EQ(PESIM_OK, pesim_estimate_tech(16, &t));
    pesim_est s8;
    pesim_estimate_sram(&t, 128.0 * 8, 2 * 8, 1, 1, &s8);
    EXPECT_DOUBLE_EQ(s8.read_pj / 2, a8.level[1].read_energy_pj);
    std::vector<int32_t> back(c.size(), -1);
    ASSERT_EQ(1, pesim_space_encode(s, &d1, back.data()));
    EXPECT_EQ(1, back[0]);
    pesim_space_destroy(s);
    // the DRAM's words are the arch's: refused at the key
    f = fopen(exp.c_str(), "w");
    ASSERT_TRUE(f);
    fputs("experiment = {\n  name = \"w\"; arch = \"configs/arch/simba.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
          "  params = ( { key = \"DRAM.word_bits\"; values = [ 8, 16 ]; } );\n};\n",
          f);
    fclose(f);
    EXPECT_EQ(PESIM_ERR_INVALID, pesim_space_from_experiment(exp.c_str(), nullptr, nullptr, 0, &s, &e));
    EXPECT_EQ(3, e.line);
    EXPECT_NE(nullptr, strstr(e.msg, "the DRAM level's words are the arch's")) << e.msg;
}

}  // namespace
