// tests/search_hw_cli_test.cc - `pesim search --experiment` (hardware and
// joint spaces, the whole network in one run) and `pesim search --placement`:
// exhaustive search over a small hardware space finds the sweep's best point,
// the written best_arch.cfg and per-layer mappings reproduce the reported
// cycles and energy through `pesim run`, --resume continues the run, the
// placement written loads back, and the option combinations that make no
// sense are exit 2. Runs the built binary (PESIM_BINARY) from the source root.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cmath>

#include "cli_run_util.h"
#include "pesim/config.h"

namespace {

const char *const kExp = "tests/data/search/tiny_sweep.cfg";  // 36 points on tiny_arch.cfg, small.cfg
const char *const kSmall = "tests/data/cli/small.cfg";

}  // namespace

TEST(SearchHwCli, ExhaustiveFindsTheSweepsBestAndTheFilesReproduceIt)
{
    std::string dir = TempDir("hw_exh");
    Result sw = Pesim(std::string("sweep --experiment ") + kExp + " --csv " + dir + "/s.csv --json " + dir +
                      "/s.json");
    ASSERT_EQ(sw.status, 0) << sw.err;
    Json s = ParseJson(ReadFile(dir + "/s.json"));
    const Json &sbest = s["best"]["edp"];
    ASSERT_EQ(sbest.type, Json::kObj);

    // the experiment's defaults: exhaustive, budget 36, objective edp
    Result r = Pesim(std::string("search --experiment ") + kExp + " --out " + dir + "/out --json " + dir + "/h.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Json j = ParseJson(ReadFile(dir + "/h.json"));
    EXPECT_EQ(j["mode"].str, "hardware");
    EXPECT_EQ(j["algo"].str, "exhaustive");
    EXPECT_EQ(j["objective"].str, "edp");
    EXPECT_EQ(j["samples"].num, 36);
    EXPECT_EQ(j["seed"].num, 1);
    const Json &b = j["best"];
    ASSERT_EQ(b.type, Json::kObj);
    EXPECT_EQ(b["cycles"].num, sbest["cycles"].num);
    EXPECT_DOUBLE_EQ(b["energy_pj"].num, sbest["energy_pj"].num);
    EXPECT_DOUBLE_EQ(b["objective"].num, sbest["edp"].num);
    EXPECT_EQ(b["hardware"]["GLB.fanout_x"].str, sbest["params"]["GLB.fanout_x"].str);
    EXPECT_EQ(b["mapping"].type, Json::kNull);
    EXPECT_TRUE(Exists(j["convergence"].str));
    EXPECT_EQ(Split(ReadFile(j["convergence"].str), '\n').size(), 37u);  // header + 36 samples

    // pesim run with the written arch and each MAC layer's mapping gives the same costs
    std::string arch = b["arch"].str;
    ASSERT_TRUE(Exists(arch)) << arch;
    ASSERT_EQ(b["mappings"].arr.size(), 3u);  // conv_a, conv_b, fc (pool_a has no MACs)
    double cycles = 0, energy = 0;
    for (const Json &m : b["mappings"].arr) {
        Result run = Pesim("run --arch " + arch + " --workload " + kSmall + " --layer " + m["layer"].str +
                           " --mapping " + m["mapping"].str + " --json -");
        ASSERT_EQ(run.status, 0) << run.err;
        Json rj = ParseJson(run.out);
        cycles += rj["total"]["cycles"].num;
        energy += rj["total"]["energy_pj"].num;
    }
    EXPECT_EQ(cycles, b["cycles"].num);
    EXPECT_NEAR(energy, b["energy_pj"].num, 1e-9 * b["energy_pj"].num);
}

TEST(SearchHwCli, ResumeContinuesTheRun)
{
    std::string dir = TempDir("hw_resume");
    std::string base = std::string("search --experiment ") + kExp + " --algo random --seed 5 --out " + dir;
    Result full = Pesim(base + " --budget 20 --db " + dir + "/full.db --json " + dir + "/full.json");
    ASSERT_EQ(full.status, 0) << full.err;
    Result part = Pesim(base + " --budget 8 --db " + dir + "/part.db");
    ASSERT_EQ(part.status, 0) << part.err;
    {  // as if it had been killed after 8 samples: its run is still running
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open((dir + "/part.db").c_str(), &db), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db, "UPDATE runs SET status = 'running', finished = NULL", nullptr, nullptr, nullptr),
                  SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    Result rest = Pesim(base + " --budget 20 --db " + dir + "/part.db --resume --json " + dir + "/rest.json");
    ASSERT_EQ(rest.status, 0) << rest.err;
    Json f = ParseJson(ReadFile(dir + "/full.json")), r = ParseJson(ReadFile(dir + "/rest.json"));
    EXPECT_EQ(r["resumed_samples"].num, 8);
    EXPECT_EQ(r["samples"].num, 20);
    EXPECT_EQ(r["best"]["objective"].num, f["best"]["objective"].num);
    EXPECT_EQ(r["best"]["sample"].num, f["best"]["sample"].num);
}

TEST(SearchHwCli, JointSpaceRuns)
{
    std::string dir = TempDir("hw_joint");
    Result r = Pesim(std::string("search --experiment ") + kExp + " --joint --algo random --budget 40 --out " + dir +
                     " --json " + dir + "/j.json");
    EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;  // 1: nothing valid within 40 random samples
    Json j = ParseJson(ReadFile(dir + "/j.json"));
    EXPECT_EQ(j["mode"].str, "joint");
    EXPECT_EQ(j["samples"].num, 40);
}

TEST(SearchHwCli, PlacementSearchWritesALoadablePlacement)
{
    std::string dir = TempDir("hw_place");
    Result r = Pesim("search --placement --arch configs/arch/nnpi.cfg --workload workloads/dqn_atari.cfg "
                     "--algo genetic --budget 60 --out " + dir + " --json " + dir + "/p.json");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(ReadFile(dir + "/p.json"));
    EXPECT_EQ(j["mode"].str, "placement");
    std::string file = j["best"]["placement"].str;
    ASSERT_TRUE(Exists(file)) << file;
    pesim_arch a;
    pesim_network net;
    pesim_placement p;
    pesim_error e;
    pesim_error_clear(&e);
    ASSERT_EQ(pesim_arch_load("configs/arch/nnpi.cfg", &a, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_network_load("workloads/dqn_atari.cfg", &net, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_placement_load(file.c_str(), &a, &net, &p, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(p.n_layers, net.n_layers);
    pesim_placement_free(&p);
    pesim_network_free(&net);
}

// `--placement --rectify` (issue #16): on DQN over the small NNP-I, where
// most placements do not fit, no evaluation of a rectified search is refused
// while the same search without it has refusals; the best placement's file
// says the `pesim run` command that evaluates it as the search did, and that
// command gives the reported cycles; the store's cycle-level run of the best
// placement is rectified too (valid).
TEST(SearchHwCli, RectifiedPlacementSearchNeverScoresARefusal)
{
    std::string dir = TempDir("hw_rectify");
    const std::string base = "search --placement --arch tests/data/search/nnpi_small.cfg --workload "
                             "workloads/dqn_atari.cfg --algo random --budget 40 --seed 3 --objective latency";
    Result u = Pesim(base + " --out " + dir + "/u --db " + dir + "/u.db");
    ASSERT_EQ(u.status, 0) << u.err;
    EXPECT_GT(Count(dir + "/u.db", "SELECT COUNT(*) FROM evaluations WHERE NOT valid"), 5);
    Result r = Pesim(base + " --rectify --out " + dir + "/r --db " + dir + "/r.db --json " + dir + "/r.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(Count(dir + "/r.db", "SELECT COUNT(*) FROM evaluations WHERE valid"), 40);
    EXPECT_EQ(Count(dir + "/r.db", "SELECT COUNT(*) FROM runs WHERE space LIKE '% rectify %' AND config LIKE "
                                   "'% --rectify'"), 1);
    EXPECT_EQ(Count(dir + "/r.db", "SELECT COUNT(*) FROM net_runs WHERE valid AND placement = 'searched'"), 1);
    Json j = ParseJson(ReadFile(dir + "/r.json"));
    const std::string file = j["best"]["placement"].str;
    std::vector<std::string> lines = Split(ReadFile(file), '\n');
    ASSERT_GE(lines.size(), 3u);
    const std::string head = "# pesim run ";
    ASSERT_EQ(lines[1].rfind(head, 0), 0u) << lines[1];
    EXPECT_NE(lines[1].find(" --preload-weights --rectify"), std::string::npos) << lines[1];
    Result run = Pesim(lines[1].substr(head.size() - 4) + " --json " + dir + "/run.json");
    ASSERT_EQ(run.status, 0) << run.err;
    Json rj = ParseJson(ReadFile(dir + "/run.json"));
    EXPECT_EQ(rj["total"]["cycles"].num, j["best"]["cycles"].num);
    EXPECT_TRUE(rj["placement"]["rectified"].b);
}

// --rectify is part of the placement search: a run stopped part-way resumes
// with it to the straight run's result, and a --resume without it is refused
// (exit 2, naming --rectify) instead of starting an unrectified run.
TEST(SearchHwCli, RectifyRoundTripsThroughResume)
{
    std::string dir = TempDir("hw_rect_resume");
    const std::string base = "search --placement --rectify --arch tests/data/search/nnpi_small.cfg --workload "
                             "workloads/dqn_atari.cfg --algo ea --batch 7 --seed 2 --objective latency --out " + dir;
    Result full = Pesim(base + " --budget 42 --db " + dir + "/full.db --json " + dir + "/full.json");
    ASSERT_EQ(full.status, 0) << full.err;
    Result part = Pesim(base + " --budget 21 --db " + dir + "/part.db");
    ASSERT_EQ(part.status, 0) << part.err;
    std::string plain = base;
    plain.erase(plain.find(" --rectify"), 10);
    Result bad = Pesim(plain + " --budget 42 --db " + dir + "/part.db --resume");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("started with --rectify"), std::string::npos) << bad.err;
    EXPECT_EQ(Count(dir + "/part.db", "SELECT COUNT(*) FROM runs"), 1);  // nothing started
    Result rest = Pesim(base + " --budget 42 --db " + dir + "/part.db --resume --json " + dir + "/rest.json");
    ASSERT_EQ(rest.status, 0) << rest.err;
    Json f = ParseJson(ReadFile(dir + "/full.json")), r = ParseJson(ReadFile(dir + "/rest.json"));
    EXPECT_EQ(r["resumed_samples"].num, 21);
    EXPECT_EQ(r["samples"].num, 42);
    EXPECT_EQ(r["best"]["objective"].num, f["best"]["objective"].num);
    EXPECT_EQ(r["best"]["sample"].num, f["best"]["sample"].num);
    EXPECT_EQ(Count(dir + "/part.db", "SELECT COUNT(*) FROM evaluations WHERE NOT valid"), 0);
}

// A hardware search records its best design run as one network (the arch it
// found, each layer by the default mapper as the search evaluated it, the
// greedy placement) as the network run of the best sample.
TEST(SearchHwCli, BestDesignIsStoredAsAWholeNetworkRun)
{
    std::string dir = TempDir("hw_net");
    Result r = Pesim(std::string("search --experiment ") + kExp + " --algo random --budget 8 --seed 1 --out " + dir +
                     " --json " + dir + "/h.json --db " + dir + "/s.db");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(ReadFile(dir + "/h.json"));
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/s.db").c_str(), &h), SQLITE_OK);
    sqlite3_stmt *q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT sample, placement, (SELECT COUNT(*) FROM net_layers) FROM net_runs", -1,
                                 &q, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(q, 0), (int64_t)j["best"]["sample"].num);
    EXPECT_STREQ(reinterpret_cast<const char *>(sqlite3_column_text(q, 1)), "greedy");
    EXPECT_EQ(sqlite3_column_int64(q, 2), 4);  // small.cfg's layers (valid as a network here)
    EXPECT_EQ(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

TEST(SearchHwCli, BadCombinationsAreExit2)
{
    std::string dir = TempDir("hw_bad");
    EXPECT_EQ(Pesim("search --joint --out " + dir).status, 2);
    EXPECT_EQ(Pesim(std::string("search --experiment ") + kExp + " --layer conv_a --out " + dir).status, 2);
    EXPECT_EQ(Pesim(std::string("search --experiment ") + kExp + " --placement --out " + dir).status, 2);
    // --rectify belongs to placement searches
    Result rect = Pesim(std::string("search --experiment ") + kExp + " --rectify --out " + dir);
    EXPECT_EQ(rect.status, 2);
    EXPECT_NE(rect.err.find("--rectify"), std::string::npos) << rect.err;
    EXPECT_EQ(Pesim("search --layer conv_a --rectify --out " + dir).status, 2);
    EXPECT_EQ(Pesim("search --experiment tests/data/search/no_such.cfg --out " + dir).status, 2);
    Result h = Pesim("search --help");
    EXPECT_EQ(h.status, 0);
    EXPECT_NE(h.out.find("--experiment"), std::string::npos);
}
