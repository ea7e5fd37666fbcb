// tests/search_rl_cli_test.cc - `pesim search --algo rl|marl` from the
// command line: --agents K|auto, the agents file and the policy file next to
// the convergence CSV, --policy-in starting another layer's search from a
// saved policy, and the usage errors of the two options.
#include <gtest/gtest.h>

#include "cli_run_util.h"

namespace {

const std::string kSpace =
    "search --arch configs/arch/tpu_32x32.cfg --workload workloads/dqn_atari.cfg --db none --batch 4 --budget 120";

}  // namespace

TEST(SearchRlCli, MarlWritesItsAgentsAndPolicyAndRlStartsFromAPolicy)
{
    std::string dir = TempDir("rl");
    Result m = Pesim(kSpace + " --layer conv2 --algo marl --agents 3 --algo-opt warmup=32 --out " + dir + "/m");
    ASSERT_EQ(m.status, 0) << m.err;
    EXPECT_NE(m.out.find("conv2: agents 3 "), std::string::npos) << m.out;
    std::string agents = ReadFile(dir + "/m/conv2.agents.txt");
    EXPECT_NE(agents.find("agent 2:"), std::string::npos) << agents;
    EXPECT_EQ(agents.find("agent 3:"), std::string::npos) << agents;
    EXPECT_EQ(ReadFile(dir + "/m/conv2.policy").rfind("pesim-rl-team 1\n", 0), 0u);
    EXPECT_TRUE(Exists(dir + "/m/conv2.policy.2"));
    // --agents auto is agents=0; the same seed gives the same convergence
    Result a1 = Pesim(kSpace + " --layer conv2 --algo marl --agents auto --out " + dir + "/a1");
    Result a2 = Pesim(kSpace + " --layer conv2 --algo marl --algo-opt agents=0 --out " + dir + "/a2");
    ASSERT_EQ(a1.status, 0) << a1.err;
    EXPECT_EQ(ReadFile(dir + "/a1/conv2.csv"), ReadFile(dir + "/a2/conv2.csv"));
    // rl: a policy from conv2, loaded by the search of conv3 (transfer)
    Result r = Pesim(kSpace + " --layer conv2 --algo rl --out " + dir + "/r");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(Exists(dir + "/r/conv2.agents.txt"));
    Result t = Pesim(kSpace + " --layer conv3 --algo rl --policy-in " + dir + "/r/conv2.policy --out " + dir + "/t");
    EXPECT_EQ(t.status, 0) << t.err;
    Result u = Pesim(kSpace + " --layer conv3 --algo rl --out " + dir + "/u");
    EXPECT_NE(ReadFile(dir + "/t/conv3.csv"), ReadFile(dir + "/u/conv3.csv")) << "the policy played no part";
}

TEST(SearchRlCli, UsageErrors)
{
    Result a = Pesim(kSpace + " --layer conv2 --algo genetic --agents 3 --out /tmp/pesim_rlcli_x");
    EXPECT_EQ(a.status, 2);
    EXPECT_NE(a.err.find("--agents is for --algo marl"), std::string::npos) << a.err;
    Result b = Pesim(kSpace + " --layer conv2 --algo marl --agents zero --out /tmp/pesim_rlcli_x");
    EXPECT_EQ(b.status, 2);
    EXPECT_NE(b.err.find("--agents zero"), std::string::npos) << b.err;
    Result c = Pesim(kSpace + " --layer conv2 --algo annealing --policy-in x.policy --out /tmp/pesim_rlcli_x");
    EXPECT_EQ(c.status, 2);
    EXPECT_NE(c.err.find("--policy-in is for the learned algorithms"), std::string::npos) << c.err;
    Result d = Pesim(kSpace + " --layer conv2 --algo rl --policy-in /nonexistent.policy --out /tmp/pesim_rlcli_x");
    EXPECT_EQ(d.status, 2);
    EXPECT_NE(d.err.find("/nonexistent.policy"), std::string::npos) << d.err;
}

// Every space kind: the hardware and joint spaces of an experiment, and a
// network's placement, with both learned algorithms.
TEST(SearchRlCli, EverySpaceKind)
{
    std::string dir = TempDir("rlkinds");
    const std::string kinds[] = {"--experiment tests/data/search/tiny_sweep.cfg",
                                 "--experiment tests/data/search/tiny_sweep.cfg --joint",
                                 "--placement --arch configs/arch/nnpi.cfg --workload workloads/dqn_atari.cfg"};
    int k = 0;
    for (const std::string &kind : kinds)
        for (const char *algo : {"rl", "marl"}) {
            std::string out = dir + "/" + std::to_string(k++);
            Result r = Pesim("search " + kind + " --algo " + algo + " --algo-opt rollout=8" +
                             (std::string(algo) == "marl" ? ",warmup=16 --agents 2" : "") +
                             " --budget 48 --db none --out " + out);
            EXPECT_EQ(r.status, 0) << kind << " " << algo << ": " << r.err;
            EXPECT_EQ(ReadFile(out + "/convergence.policy").rfind("pesim-rl-team 1\n", 0), 0u) << kind << " " << algo;
            if (std::string(algo) == "marl") {
                EXPECT_NE(ReadFile(out + "/convergence.agents.txt").find("agents 2 "), std::string::npos);
            }
        }
}
