// tests/das_cli_test.cc - `pesim das` (cli/cmd_das.c): the co-search from the
// command line, its JSON, and its refusals.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "cli_run_util.h"

namespace {

const char kExperiment[] = R"(experiment = {
  arch = "configs/arch/eyeriss.cfg";
  workload = "workloads/atari_a3c.cfg";
  objective = "latency";
  area_budget_um2 = 3.0e6;
  search = { budget = 12; seed = 3; };
  agents = ( { workload = "workloads/atari_a3c.cfg"; score = 1.0; },
             { workload = "workloads/dqn_atari.cfg"; score = 0.5; } );
  params = (
    { key = "GLB.fanout_y"; values = [ 4, 8, 12 ]; },
    { key = "GLB.words_per_cycle"; values = [ 2.0, 8.0 ]; }
  );
};
)";

std::string Write(const std::string &dir, const char *name, const std::string &text)
{
    std::string path = dir + "/" + name;
    FILE *f = fopen(path.c_str(), "w");
    EXPECT_NE(f, nullptr);
    if (f) {
        fputs(text.c_str(), f);
        fclose(f);
    }
    return path;
}

}  // namespace

TEST(DasCli, CoSearchWritesTheBestDesignAsJson)
{
    std::string dir = TempDir("das");
    std::string exp = Write(dir, "exp.cfg", kExperiment);
    Result r = Pesim("das --experiment " + exp + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Json j = ParseJson(r.out);
    EXPECT_EQ(j["samples"].num, 12);  // the experiment's budget
    EXPECT_EQ(j["seed"].num, 3);
    ASSERT_EQ(j["agents"].arr.size(), 2u);
    EXPECT_EQ(j["agents"].arr[0]["designs"].num + j["agents"].arr[1]["designs"].num, 12);
    ASSERT_EQ(j["best"].type, Json::kObj);
    EXPECT_GT(j["best"]["fps"].num, 0);
    EXPECT_GT(j["best"]["cycle_fps"].num, 0);
    EXPECT_LE(j["best"]["area_um2"].num, 3.0e6);
    EXPECT_EQ(j["best"]["hardware"].arr.size(), 2u);
    // the text table names every agent and the best design
    Result t = Pesim("das --experiment " + exp + " --budget 5 --seed 1");
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_NE(t.out.find("workloads/dqn_atari.cfg"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("best: "), std::string::npos) << t.out;
    EXPECT_EQ(system(("rm -rf '" + dir + "'").c_str()), 0);
}

TEST(DasCli, RefusesBadUsageAndExperimentsWithoutAgents)
{
    std::string dir = TempDir("das_bad");
    std::string no_agents = Write(dir, "none.cfg", R"(experiment = { arch = "configs/arch/eyeriss.cfg";
  workload = "workloads/atari_a3c.cfg"; params = ( { key = "GLB.fanout_y"; values = [ 4, 8 ]; } ); };)");
    Result r = Pesim("das --experiment " + no_agents);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("agents"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("none.cfg"), std::string::npos) << r.err;
    EXPECT_EQ(Pesim("das").status, 2);  // no --experiment
    std::string exp = Write(dir, "exp.cfg", kExperiment);
    EXPECT_EQ(Pesim("das --experiment " + exp + " --budget 0").status, 2);
    EXPECT_EQ(Pesim("das --experiment " + exp + " --eval systemc").status, 2);
    Result o = Pesim("das --experiment " + exp + " --algo-opt bogus=1");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("bogus"), std::string::npos) << o.err;
    EXPECT_EQ(system(("rm -rf '" + dir + "'").c_str()), 0);
}

// --db records the co-search; a run cut short (a smaller --budget) and
// continued with --resume prints the uncut run's best design; --resume
// refuses another seed (exit 2) and a store that does not exist.
TEST(DasCli, ResumeContinuesTheStoredRun)
{
    std::string dir = TempDir("das_resume");
    std::string exp = Write(dir, "exp.cfg", kExperiment);
    std::string db = dir + "/das.db";
    Result uncut = Pesim("das --experiment " + exp + " --budget 14 --json -");
    ASSERT_EQ(uncut.status, 0) << uncut.err;
    Result cut = Pesim("das --experiment " + exp + " --budget 6 --db " + db + " --json -");
    ASSERT_EQ(cut.status, 0) << cut.err;
    EXPECT_EQ(ParseJson(cut.out)["replayed"].num, 0);
    Result again = Pesim("das --experiment " + exp + " --budget 14 --db " + db);
    EXPECT_EQ(again.status, 2);  // the store has the run: --resume or --new-run
    EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
    Result seed = Pesim("das --experiment " + exp + " --budget 14 --seed 9 --db " + db + " --resume");
    EXPECT_EQ(seed.status, 2);
    EXPECT_NE(seed.err.find("--seed"), std::string::npos) << seed.err;
    Result resumed = Pesim("das --experiment " + exp + " --budget 14 --db " + db + " --resume --json -");
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    Json u = ParseJson(uncut.out), r = ParseJson(resumed.out);
    EXPECT_TRUE(r["resumed"].b);
    EXPECT_EQ(r["replayed"].num, 6);
    EXPECT_EQ(r["samples"].num, 14);
    EXPECT_EQ(r["best"]["objective"].num, u["best"]["objective"].num);
    EXPECT_EQ(r["best"]["sample"].num, u["best"]["sample"].num);
    EXPECT_EQ(r["best"]["agent"].num, u["best"]["agent"].num);
    EXPECT_EQ(Pesim("das --experiment " + exp + " --db " + dir + "/nope.db --resume").status, 2);
    EXPECT_EQ(Pesim("das --experiment " + exp + " --resume").status, 2);  // no --db
    EXPECT_EQ(system(("rm -rf '" + dir + "'").c_str()), 0);
}

// --baseline pipeline: the DNNBuilder-like template's search on the
// experiment's arch and budgets (its workload or --workload); bad names and
// options that belong to it alone are refused.
TEST(DasCli, PipelineBaselineMeetsTheExperimentsBudget)
{
    std::string dir = TempDir("das_pipe");
    std::string exp = Write(dir, "exp.cfg", kExperiment);
    Result r = Pesim("das --baseline pipeline --experiment " + exp + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    EXPECT_EQ(j["points"].num, 45);
    ASSERT_EQ(j["best"].type, Json::kObj);
    EXPECT_EQ(j["best"]["stages"].num, 5);  // atari_a3c's MAC layers
    EXPECT_LE(j["best"]["area_um2"].num, 3.0e6);
    EXPECT_LE(j["best"]["interval_cycles"].num, j["best"]["latency_cycles"].num);
    Result d = Pesim("das --baseline pipeline --experiment " + exp + " --workload workloads/dqn_atari.cfg --budget 3 "
                     "--json -");
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(ParseJson(d.out)["points"].num, 3);
    EXPECT_EQ(Pesim("das --baseline bogus --experiment " + exp).status, 2);
    EXPECT_EQ(Pesim("das --experiment " + exp + " --workload workloads/dqn_atari.cfg").status, 2);
    EXPECT_EQ(Pesim("das --baseline pipeline --experiment " + exp + " --level NOPE").status, 2);
    EXPECT_EQ(system(("rm -rf '" + dir + "'").c_str()), 0);
}
