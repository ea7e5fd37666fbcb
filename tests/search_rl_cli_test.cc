// tests/search_rl_cli_test.cc - `pesim search --algo rl|marl` from the
// command line: --agents K|auto, the agents file and the policy file next to
// the convergence CSV, --policy-in starting another layer's search from a
// saved policy, and the usage errors of the two options.
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <set>

#include "cli_run_util.h"

extern "C" {
#include "pesim/search.h"
}

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

namespace {

// 64-bit FNV-1a over the bytes of the files, in order (the policy's hash).
std::string Fnv1a(const std::vector<std::string> &files)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const std::string &f : files)
        for (unsigned char c : ReadFile(f)) h = (h ^ c) * 0x100000001b3ULL;
    char hex[32];
    snprintf(hex, sizeof hex, "%016" PRIx64, h);
    return hex;
}

// A run's metadata value ("" when the run has no such key).
std::string Meta(const std::string &db, int64_t run, const char *key)
{
    pesim_store *st = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    if (!st) return "";
    char *v = nullptr;
    EXPECT_EQ(pesim_store_get_meta(st, run, key, &v, &e), PESIM_OK) << e.msg;
    std::string out = v ? v : "";
    free(v);
    pesim_store_close(st);
    return out;
}

}  // namespace

// With a store, marl's clustering is recorded with the run (agents, warm-up
// size, owner per parameter, the correlations behind it, the text of the
// agents file), and a search started from a policy records the policy's path
// and content hash (FNV-1a over the index and the agents' files), in the
// store and in the JSON report.
TEST(SearchRlCli, ClusteringAndPolicyInAreRecordedWithTheRun)
{
    std::string dir = TempDir("rlstore");
    const std::string base =
        "search --arch configs/arch/tpu_32x32.cfg --workload workloads/dqn_atari.cfg --batch 4 --budget 120";
    Result m = Pesim(base + " --layer conv2 --algo marl --agents 3 --algo-opt warmup=32 --db " + dir +
                     "/m.db --json " + dir + "/m.json --out " + dir + "/m");
    ASSERT_EQ(m.status, 0) << m.err;
    Json mj = ParseJson(ReadFile(dir + "/m.json"));
    int64_t run = (int64_t)mj["run_id"].num;
    ASSERT_GT(run, 0);
    EXPECT_EQ(Meta(dir + "/m.db", run, "marl.agents"), "3");
    EXPECT_EQ(Meta(dir + "/m.db", run, "marl.warmup"), "32");
    EXPECT_EQ(Meta(dir + "/m.db", run, "marl.clustering"), ReadFile(dir + "/m/conv2.agents.txt"));
    // one owner in [0, 3) per parameter, every agent owning one; n rho_obj, n x n rho
    std::string owner = Meta(dir + "/m.db", run, "marl.owner");
    std::vector<int> owners;
    for (size_t p = 0; p < owner.size();) {
        owners.push_back(std::atoi(owner.c_str() + p));
        size_t c = owner.find(',', p);
        p = c == std::string::npos ? owner.size() : c + 1;
    }
    ASSERT_GT(owners.size(), 3u) << owner;
    std::set<int> agents(owners.begin(), owners.end());
    EXPECT_EQ(agents, (std::set<int>{0, 1, 2})) << owner;
    const size_t n = owners.size();
    auto count = [](const std::string &s) { return (size_t)std::count(s.begin(), s.end(), ',') + 1; };
    EXPECT_EQ(count(Meta(dir + "/m.db", run, "marl.rho_obj")), n);
    EXPECT_EQ(count(Meta(dir + "/m.db", run, "marl.rho")), n * n);
    EXPECT_EQ(Meta(dir + "/m.db", run, "policy_in"), "");  // started from scratch
    EXPECT_FALSE(mj.Has("policy_in"));

    // rl on conv3 from rl's policy of conv2 (transfer)
    Result r = Pesim(base + " --layer conv2 --algo rl --db none --out " + dir + "/r");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string pol = dir + "/r/conv2.policy";
    const std::string hash = Fnv1a({pol, pol + ".0"});
    const std::string cmd = base + " --layer conv3 --algo rl --policy-in " + pol + " --db " + dir + "/t.db --json " +
                            dir + "/t.json --out " + dir + "/t";
    Result t = Pesim(cmd);
    ASSERT_EQ(t.status, 0) << t.err;
    Json tj = ParseJson(ReadFile(dir + "/t.json"));
    EXPECT_EQ(tj["policy_in"]["file"].str, pol);
    EXPECT_EQ(tj["policy_in"]["fnv1a64"].str, hash);
    run = (int64_t)tj["run_id"].num;
    EXPECT_EQ(Meta(dir + "/t.db", run, "policy_in"), pol);
    EXPECT_EQ(Meta(dir + "/t.db", run, "policy_in_fnv1a64"), hash);
    EXPECT_EQ(Meta(dir + "/t.db", run, "marl.owner"), "");  // rl has no clustering
    // marl's policy (3 agent files) hashes all its files
    Result u = Pesim(base + " --layer conv2 --algo marl --agents 3 --policy-in " + dir +
                     "/m/conv2.policy --db none --json " + dir + "/u.json --out " + dir + "/u");
    ASSERT_EQ(u.status, 0) << u.err;
    const std::string mp = dir + "/m/conv2.policy";
    EXPECT_EQ(ParseJson(ReadFile(dir + "/u.json"))["policy_in"]["fnv1a64"].str,
              Fnv1a({mp, mp + ".0", mp + ".1", mp + ".2"}));
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
