// scalesim_cli_test.cc - `pesim scalesim` prints SCALE-Sim's compute cycles
// in both conventions (pesim's and SCALE-Sim v2's, one less per layer).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

static std::string run(const std::string &args, int *status)
{
    std::string cmd = std::string(PESIM_BINARY) + " " + args + " 2>&1";
    FILE *p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

TEST(ScaleSimCli, DqnConv1InputStationary)
{
    int st;
    std::string out = run("scalesim --dataflow is --arch configs/arch/tpu_32x32.cfg --workload "
                          "workloads/dqn_atari.cfg --layer conv1 --json -", &st);
    ASSERT_EQ(st, 0) << out;
    // DQN conv1: 32 filters of 8x8x4 over a 20x20 output: M = 400, N = 32,
    // K = 256. is: (Sr, Sc, T) = (K, M, N) = (256, 400, 32); folds = 8 x 13 =
    // 104; each 2R + C + T - 2 = 64 + 32 + 32 - 2 = 126: 13104 cycles, and
    // SCALE-Sim v2 reports 13103.
    EXPECT_NE(out.find("\"cycles\": 13104"), std::string::npos) << out;
    EXPECT_NE(out.find("\"scalesim_v2_cycles\": 13103"), std::string::npos) << out;
}

TEST(ScaleSimCli, BadDataflowIsUsageError)
{
    int st;
    std::string out = run("scalesim --dataflow rs", &st);
    EXPECT_EQ(st, 2) << out;
}
