// config_fuzz_test.cc - the config loaders on deterministic mutations of the
// shipped configs (byte flips, truncations, duplicated and deleted spans,
// inserted keywords): no crash, no hang, no leak (the ASan build checks).
// The same entry point is a libFuzzer target (tests/fuzz/config_fuzz.c).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "test_util.h"

extern "C" int pesim_fuzz_config_one(const uint8_t *data, size_t size);

static std::string slurp(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(ConfigFuzz, MutatedConfigsNeverCrash)
{
    const char *files[] = {"configs/arch/eyeriss.cfg", "configs/arch/tpu_32x32.cfg", "workloads/dqn_atari.cfg",
                           "tests/data/config/map_good.cfg"};
    static const char *tokens[] = {"=", ";", "{", "}", "(", ")", "[", "]", "\"", "0x", "-1", "1e400",
                                   "levels", "layers", "@include \"x\"", "9999999999", ",", "L", "\n"};
    TestRng rng(12345);
    int runs = 0;
    for (const char *f : files) {
        std::string base = slurp(std::string(PESIM_SOURCE_DIR) + "/" + f);
        if (base.empty()) continue;
        for (int i = 0; i < 400; i++) {
            std::string s = base;
            int edits = (int)rng.uni(1, 4);
            for (int k = 0; k < edits && !s.empty(); k++) {
                size_t pos = (size_t)rng.uni(0, (int64_t)s.size() - 1);
                switch (rng.uni(0, 4)) {
                case 0: s[pos] = (char)rng.uni(1, 255); break;
                case 1: s.resize(pos); break;
                case 2: s.erase(pos, (size_t)rng.uni(1, 40)); break;
                case 3: s.insert(pos, tokens[rng.uni(0, sizeof tokens / sizeof tokens[0] - 1)]); break;
                default: s.insert(pos, s.substr(pos, (size_t)rng.uni(1, 60))); break;
                }
            }
            pesim_fuzz_config_one(reinterpret_cast<const uint8_t *>(s.data()), s.size());
            runs++;
        }
    }
    EXPECT_GE(runs, 1200);
}
