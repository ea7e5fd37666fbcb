// config_fuzz_test.cc - the config loaders and the Timeloop YAML readers on
// deterministic mutations of the shipped configs and the Timeloop exercises'
// YAML (byte flips, truncations, duplicated and deleted spans, inserted
// keywords): no crash, no hang, no leak (the ASan build checks).
// The same entry point is a libFuzzer target (tests/fuzz/config_fuzz.c).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" int pesim_fuzz_config_one(const uint8_t *data, size_t size);

static std::string slurp(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Feeds `per_file` mutations of each file (1 to 4 edits each: a byte flip, a
// truncation, a deleted span, an inserted token, a duplicated span) to the
// fuzz entry; returns how many ran.
static int MutateAndRun(const std::vector<const char *> &files, const std::vector<const char *> &tokens,
                        uint64_t seed, int per_file)
{
    TestRng rng(seed);
    int runs = 0;
    for (const char *f : files) {
        std::string base = slurp(std::string(PESIM_SOURCE_DIR) + "/" + f);
        EXPECT_FALSE(base.empty()) << f;
        if (base.empty()) continue;
        for (int i = 0; i < per_file; i++) {
            std::string s = base;
            int edits = (int)rng.uni(1, 4);
            for (int k = 0; k < edits && !s.empty(); k++) {
                size_t pos = (size_t)rng.uni(0, (int64_t)s.size() - 1);
                switch (rng.uni(0, 4)) {
                case 0: s[pos] = (char)rng.uni(1, 255); break;
                case 1: s.resize(pos); break;
                case 2: s.erase(pos, (size_t)rng.uni(1, 40)); break;
                case 3: s.insert(pos, tokens[(size_t)rng.uni(0, (int64_t)tokens.size() - 1)]); break;
                default: s.insert(pos, s.substr(pos, (size_t)rng.uni(1, 60))); break;
                }
            }
            pesim_fuzz_config_one(reinterpret_cast<const uint8_t *>(s.data()), s.size());
            runs++;
        }
    }
    return runs;
}

TEST(ConfigFuzz, MutatedConfigsNeverCrash)
{
    int runs = MutateAndRun({"configs/arch/eyeriss.cfg", "configs/arch/tpu_32x32.cfg", "workloads/dqn_atari.cfg",
                             "tests/data/config/map_good.cfg"},
                            {"=", ";", "{", "}", "(", ")", "[", "]", "\"", "0x", "-1", "1e400", "levels", "layers",
                             "@include \"x\"", "9999999999", ",", "L", "\n"},
                            12345, 400);
    EXPECT_EQ(1600, runs);
}

TEST(ConfigFuzz, MutatedTimeloopYamlNeverCrashes)
{
    int runs = MutateAndRun({"tests/data/timeloop/06-mapper-convlayer-eyeriss/arch/eyeriss-256.arch.yaml",
                             "tests/data/timeloop/06-mapper-convlayer-eyeriss/prob/cnn-layer.prob.yaml",
                             "tests/data/timeloop/06-mapper-convlayer-eyeriss/map/eyeriss-256-rs.stats.map.yaml",
                             "tests/data/timeloop/04-model-conv1d+oc-3levelspatial/ert/ERT.yaml"},
                            {":", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "!Container ", "\t", "'", "\"",
                             "0..", "[0..99999999999]", "-1", "1e400", "split: 9\n", ",", "\n  "},
                            4242, 300);
    EXPECT_EQ(1200, runs);
}
