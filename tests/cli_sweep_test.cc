// tests/cli_sweep_test.cc - `pesim sweep` beyond the default mapper: hardware
// parameters on the command line (--param lists and ranges, their cartesian
// product), an inner search per point (each point's costs equal to
// pesim_sweep_point on the point's architecture; the same rows on 1 and 2
// threads), and a killed sweep resumed from its store giving the rows of a
// straight run. Runs the built binary (PESIM_BINARY) from the source root.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "cli_run_util.h"
#include "pesim/search.h"

namespace {

const char *const kExp = "tests/data/search/tiny_sweep.cfg";  // 36 points, 12 over the area budget
const char *const kTiny = "--arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg";

std::vector<std::vector<std::string>> Rows(const std::string &csv)
{
    std::vector<std::vector<std::string>> rows;
    for (const std::string &line : Split(ReadFile(csv), '\n'))
        if (!line.empty()) rows.push_back(Split(line, ','));
    return rows;
}

TEST(CliSweep, ParamListsAndRangesGiveTheirCartesianProduct)
{
    std::string d = TempDir("sweep_param");
    Result r = Pesim(std::string("sweep ") + kTiny +
                     " --param GLB.fanout_y=2,4 --param GLB.capacity_words=1024:16384:x4"
                     " --param GLB.words_per_cycle=4:12:+4 --objective edp --csv " + d + "/s.csv");
    ASSERT_EQ(r.status, 0) << r.err;
    auto rows = Rows(d + "/s.csv");
    ASSERT_EQ(rows.size(), 1u + 2 * 3 * 3);
    EXPECT_EQ(rows[0][1], "GLB.fanout_y");
    EXPECT_EQ(rows[0][2], "GLB.capacity_words");
    EXPECT_EQ(rows[0][3], "GLB.words_per_cycle");
    std::set<std::string> seen;
    for (size_t i = 1; i < rows.size(); i++) seen.insert(rows[i][1] + "/" + rows[i][2] + "/" + rows[i][3]);
    EXPECT_EQ(seen.size(), 18u);
    EXPECT_TRUE(seen.count("2/1024/4"));
    EXPECT_TRUE(seen.count("4/16384/12"));
    EXPECT_TRUE(seen.count("4/4096/8"));
}

TEST(CliSweep, BadParamAndOptionCombinationsAreExit2)
{
    EXPECT_EQ(Pesim("sweep --param GLB.fanout_y").status, 2);
    EXPECT_EQ(Pesim("sweep --param GLB.fanout_y=8:2:x2").status, 2);  // from > to
    EXPECT_EQ(Pesim("sweep --param GLB.fanout_y=2:8:x1").status, 2);  // factor 1
    EXPECT_EQ(Pesim("sweep --param GLB.fanout_y=2,4 --objective fast").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --param GLB.fanout_y=2,4").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --inner nosuch").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --inner-budget 5").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --resume").status, 2);
    Result r = Pesim(std::string("sweep --experiment ") + kExp + " --inner random --inner-opt nosuch=1");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
}

TEST(CliSweep, InnerSearchCostsArePesimSweepPointsOnAnyThreads)
{
    std::string d = TempDir("sweep_inner");
    std::string base = std::string("sweep --experiment ") + kExp + " --inner annealing --inner-budget 12 --seed 3";
    Result r1 = Pesim(base + " --threads 1 --csv " + d + "/t1.csv");
    ASSERT_EQ(r1.status, 0) << r1.err;
    Result r2 = Pesim(base + " --threads 2 --csv " + d + "/t2.csv");
    ASSERT_EQ(r2.status, 0) << r2.err;
    EXPECT_EQ(ReadFile(d + "/t1.csv"), ReadFile(d + "/t2.csv"));
    Result def = Pesim(std::string("sweep --experiment ") + kExp + " --csv " + d + "/def.csv");
    ASSERT_EQ(def.status, 0) << def.err;

    // every row within the area budget is pesim_sweep_point on the point's architecture
    pesim_error e;
    pesim_error_clear(&e);
    pesim_space *s = nullptr;
    ASSERT_EQ(pesim_space_from_experiment(kExp, nullptr, nullptr, 0, &s, &e), PESIM_OK) << e.msg;
    pesim_experiment ex;
    ASSERT_EQ(pesim_experiment_load(kExp, &ex, &e), PESIM_OK) << e.msg;
    pesim_network net = {};
    net.n_layers = pesim_space_n_layers(s);
    std::vector<pesim_layer> layers;
    for (int32_t i = 0; i < net.n_layers; i++) layers.push_back(*pesim_space_layer(s, i));
    net.layers = layers.data();
    pesim_inner_options in = {};
    in.algo = "annealing";
    in.budget = 12;
    in.seed = 3;
    in.fidelity = PESIM_FIDELITY_ANALYTICAL;
    auto rows = Rows(d + "/t1.csv"), drows = Rows(d + "/def.csv");
    ASSERT_EQ(rows.size(), 37u);
    ASSERT_EQ(drows.size(), 37u);
    const std::vector<std::string> &h = rows[0];
    auto col = [&](const char *name) { return (size_t)(std::find(h.begin(), h.end(), name) - h.begin()); };
    int checked = 0, better = 0, worse = 0;
    for (size_t i = 1; i < rows.size(); i++) {
        int64_t point = std::stoll(rows[i][0]);
        int32_t x[3] = {(int32_t)(point / 12), (int32_t)(point / 4 % 3), (int32_t)(point % 4)};
        pesim_design dsg;
        char why[256];
        ASSERT_EQ(pesim_space_decode(s, x, &dsg, why, sizeof why), 1) << why;
        pesim_result res;
        ASSERT_EQ(pesim_sweep_point(&dsg.arch, &net, &ex.eval, &in, &res, nullptr, &e), PESIM_OK) << e.msg;
        ASSERT_EQ(std::to_string(res.valid), rows[i][col("valid")]) << "point " << point << ": " << res.reason;
        if (!res.valid) continue;
        EXPECT_EQ(std::to_string(res.cycles), rows[i][col("cycles")]) << "point " << point;
        EXPECT_NEAR(res.energy_pj, std::stod(rows[i][col("energy_pj")]), 1e-9 * res.energy_pj);
        double edp = std::stod(rows[i][col("edp")]), dedp = std::stod(drows[i][col("edp")]);
        better += edp < dedp;
        worse += edp > dedp * (1 + 1e-12);
        checked++;
    }
    EXPECT_EQ(checked, 24);
    EXPECT_GT(better, 0);  // the inner search, not the default mapper, mapped the layers
    (void)worse;           // a short search may do worse than the mapper on some points
    pesim_space_destroy(s);
}

// Deletes the samples >= keep of the store's runs and marks them running:
// the store of a sweep killed after committing `keep` points.
void Kill(const std::string &db, int keep)
{
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    std::string sql = "DELETE FROM evals WHERE (id & 1099511627775) >= " + std::to_string(keep) +
                      "; UPDATE runs SET finished = NULL;";
    ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
    sqlite3_close(h);
}

TEST(CliSweep, AKilledSweepResumesToTheStraightResults)
{
    std::string d = TempDir("sweep_resume");
    std::string base = std::string("sweep --experiment ") + kExp + " --inner annealing --inner-budget 10 --threads 2";
    Result a = Pesim(base + " --db " + d + "/a.db --csv " + d + "/a.csv");
    ASSERT_EQ(a.status, 0) << a.err;
    Result b = Pesim(base + " --db " + d + "/b.db --csv " + d + "/b0.csv");
    ASSERT_EQ(b.status, 0) << b.err;
    Kill(d + "/b.db", 10);
    ASSERT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM evals"), 10);
    // other options than the run's are refused, naming what differs
    Result bad = Pesim(base + " --seed 9 --resume --db " + d + "/b.db --csv " + d + "/bad.csv");
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("--seed"), std::string::npos) << bad.err;
    Result c = Pesim(base + " --resume --db " + d + "/b.db --csv " + d + "/b.csv");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(ReadFile(d + "/a.csv"), ReadFile(d + "/b.csv"));
    EXPECT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM runs"), 1);
    EXPECT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM evals"), 36);
    EXPECT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL"), 1);
    // the default mapper's sweep resumes too
    std::string plain = std::string("sweep --experiment ") + kExp;
    ASSERT_EQ(Pesim(plain + " --db " + d + "/p.db --csv " + d + "/p.csv").status, 0);
    Kill(d + "/p.db", 7);
    ASSERT_EQ(Pesim(plain + " --resume --db " + d + "/p.db --csv " + d + "/p2.csv").status, 0);
    EXPECT_EQ(ReadFile(d + "/p.csv"), ReadFile(d + "/p2.csv"));
}

// With --db the best point by the objective (--detail pareto: every Pareto
// point) is run as a whole network and stored for the report (a row per layer
// of tests/data/cli/small.cfg); --detail none stores none; --detail without
// --db or with another value is exit 2.
TEST(CliSweep, DetailRunsTheBestOrTheParetoPointsAsANetwork)
{
    std::string d = TempDir("sweep_detail");
    std::string x = std::string("sweep --experiment ") + kExp + " --csv " + d + "/s.csv --db ";
    Result a = Pesim(x + d + "/a.db");
    ASSERT_EQ(a.status, 0) << a.err;
    auto rows = Rows(d + "/s.csv");
    ASSERT_EQ(rows.size(), 37u);
    size_t cv = 0, ce = 0, cp = 0;
    for (size_t k = 0; k < rows[0].size(); k++) {
        if (rows[0][k] == "valid") cv = k;
        if (rows[0][k] == "edp") ce = k;
        if (rows[0][k] == "pareto") cp = k;
    }
    int64_t best = -1, pareto = 0;
    double best_edp = 0;
    for (size_t i = 1; i < rows.size(); i++) {
        if (rows[i][cv] != "1") continue;
        pareto += rows[i][cp] == "1";
        double edp = std::stod(rows[i][ce]);
        if (best < 0 || edp < best_edp) best = (int64_t)i - 1, best_edp = edp;
    }
    ASSERT_GE(best, 0);
    EXPECT_EQ(Count(d + "/a.db", "SELECT COUNT(*) FROM net_runs"), 1);
    EXPECT_EQ(Count(d + "/a.db", "SELECT sample FROM net_runs"), best);
    EXPECT_EQ(Count(d + "/a.db", "SELECT COUNT(*) FROM net_layers"), 4);
    EXPECT_GT(Count(d + "/a.db", "SELECT COUNT(*) FROM net_occupancy"), 0);
    EXPECT_GT(Count(d + "/a.db", "SELECT COUNT(*) FROM net_dram"), 0);
    Result b = Pesim(x + d + "/b.db --detail pareto");
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_GT(pareto, 1);
    EXPECT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM net_runs"), pareto);
    EXPECT_EQ(Count(d + "/b.db", "SELECT COUNT(*) FROM net_layers"), 4 * pareto);
    Result c = Pesim(x + d + "/c.db --detail none");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(Count(d + "/c.db", "SELECT COUNT(*) FROM net_runs"), 0);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --detail best").status, 2);
    EXPECT_EQ(Pesim(x + d + "/e.db --detail some").status, 2);
}

// With an inner search, the sweep's whole-network run gives each MAC layer
// the inner search's best mapping (annealing, 60 evaluations: faster than the
// default mapper's here). One convolution whose tensors do not fit
// the 4,096-word GLB: the greedy placement leaves them in the outermost
// memory (plain, no DRAM: a DRAM's row hits depend on where a network lays
// tensors out), nothing else is live, so the layer runs that mapping as
// given (mapped = 2) and the
// stored run is its single-layer cycle-level run: the sweep's own cycles for
// the point (--eval cycle). Without --inner the default mapper's (mapped = 1).
TEST(CliSweep, NetworkRunUsesTheInnerSearchsMappings)
{
    std::string d = TempDir("sweep_inner_net");
    const std::string x = "sweep --arch tests/data/cli/tiny_mem_arch.cfg --workload tests/data/cli/one_conv.cfg"
                          " --param GLB.capacity_words=4096 --param GLB.fanout_x=2,4 --objective latency"
                          " --eval cycle --csv " + d + "/s.csv --db ";
    Result r = Pesim(x + d + "/s.db --inner annealing --inner-budget 60 --seed 3");
    ASSERT_EQ(r.status, 0) << r.err;
    auto rows = Rows(d + "/s.csv");
    ASSERT_EQ(rows.size(), 3u);
    size_t cc = 0, cv = 0;
    for (size_t k = 0; k < rows[0].size(); k++) {
        if (rows[0][k] == "cycles") cc = k;
        if (rows[0][k] == "valid") cv = k;
    }
    int64_t best = -1, best_cycles = 0;
    for (size_t i = 1; i < rows.size(); i++) {
        if (rows[i][cv] != "1") continue;
        int64_t c = std::stoll(rows[i][cc]);
        if (best < 0 || c < best_cycles) best = (int64_t)i - 1, best_cycles = c;
    }
    ASSERT_GE(best, 0);
    EXPECT_EQ(Count(d + "/s.db", "SELECT sample FROM net_runs WHERE valid"), best);
    EXPECT_EQ(Count(d + "/s.db", "SELECT COUNT(*) FROM net_layers"), 1);
    EXPECT_EQ(Count(d + "/s.db", "SELECT mapped FROM net_layers"), 2);
    EXPECT_EQ(Count(d + "/s.db", "SELECT cycles FROM net_layers"), best_cycles);
    EXPECT_EQ(Count(d + "/s.db", "SELECT cycles FROM net_runs"), best_cycles);

    // The default mapper's run (mapped = 1) is another, slower one: the
    // network run above did not remap the layer.
    Result p = Pesim(x + d + "/p.db");
    ASSERT_EQ(p.status, 0) << p.err;
    EXPECT_EQ(Count(d + "/p.db", "SELECT mapped FROM net_layers"), 1);
    EXPECT_GT(Count(d + "/p.db", "SELECT cycles FROM net_runs"), best_cycles);
}

// --detail best takes the valid points in order of the objective until one
// runs as a whole network: here the fastest point (GLB of 128 words, 22,168
// cycles summed per layer) cannot (one channel of the row of gap, a global
// pool over 16 x 16 pixels, reads 256 words, and the vector unit's GLB has
// 112 free), the next (16,384 words, 22,201 cycles) can; both are recorded,
// and the report names the first's reason and draws the second.
TEST(CliSweep, DetailBestFallsBackToTheNextPointThatRunsAsANetwork)
{
    std::string d = TempDir("sweep_fallback");
    Result r = Pesim(std::string("sweep --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small_gap.cfg") +
                     " --param GLB.capacity_words=64,128,256,16384 --param GLB.fanout_x=1,4 --objective latency"
                     " --csv " + d + "/s.csv --db " + d + "/s.db");
    ASSERT_EQ(r.status, 0) << r.err;
    auto rows = Rows(d + "/s.csv");
    ASSERT_EQ(rows.size(), 9u);
    EXPECT_EQ(rows[4][5], "22168");  // point 3: GLB 128 words, 4 PEs - the fastest
    EXPECT_EQ(rows[8][5], "22201");  // point 7: GLB 16,384 words, 4 PEs - the next
    EXPECT_EQ(Count(d + "/s.db", "SELECT COUNT(*) FROM net_runs"), 2);
    EXPECT_EQ(Count(d + "/s.db", "SELECT sample FROM net_runs WHERE NOT valid"), 3);
    EXPECT_EQ(Count(d + "/s.db", "SELECT sample FROM net_runs WHERE valid"), 7);
    EXPECT_EQ(Count(d + "/s.db", "SELECT COUNT(*) FROM net_layers WHERE sample = 7"), 7);
    Result h = Pesim("report " + d + "/s.db --html " + d + "/r.html");
    ASSERT_EQ(h.status, 0) << h.err;
    std::string html = ReadFile(d + "/r.html");
    EXPECT_NE(html.find("point 3 (greedy placement): does not run as a whole network: layer gap"),
              std::string::npos);
    EXPECT_NE(html.find("data-plot=\"layer-breakdown-0\""), std::string::npos);
    EXPECT_EQ(html.find("data-plot=\"layer-breakdown-1\""), std::string::npos);
}

}  // namespace
