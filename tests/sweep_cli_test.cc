// tests/sweep_cli_test.cc - `pesim sweep` as users and scripts see it: one CSV
// row per point of the experiment's hardware space, the Pareto column checked
// against a brute-force dominance test (every Pareto row non-dominated, every
// other valid row dominated), the JSON summary, --limit's seeded sample of
// distinct points, the store (--db), bad usage, and scripts/plot_sweep.py on
// the CSV. Runs the built binary (PESIM_BINARY) from the source root.
#include <gtest/gtest.h>

#include <set>

#include "cli_run_util.h"
#include "pesim/search.h"

namespace {

const char *const kExp = "tests/data/search/tiny_sweep.cfg";  // 36 points, 12 over the area budget

// One CSV record (RFC 4180 quoting).
std::vector<std::string> CsvFields(const std::string &line)
{
    std::vector<std::string> out;
    std::string cur;
    bool q = false;
    for (size_t i = 0; i < line.size(); i++) {
        char c = line[i];
        if (q) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur.push_back('"');
                i++;
            } else if (c == '"') {
                q = false;
            } else {
                cur.push_back(c);
            }
        } else if (c == '"') {
            q = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

struct Csv {
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
};

Csv ReadCsv(const std::string &path)
{
    Csv c;
    std::vector<std::string> lines = Split(ReadFile(path), '\n');
    if (lines.empty()) return c;
    c.header = CsvFields(lines[0]);
    for (size_t i = 1; i < lines.size(); i++) {
        std::vector<std::string> f = CsvFields(lines[i]);
        EXPECT_EQ(f.size(), c.header.size()) << lines[i];
        std::map<std::string, std::string> row;
        for (size_t k = 0; k < f.size() && k < c.header.size(); k++) row[c.header[k]] = f[k];
        c.rows.push_back(row);
    }
    return c;
}

struct Point {
    double cycles, energy, area;
};

bool Dominates(const Point &a, const Point &b)
{
    return a.cycles <= b.cycles && a.energy <= b.energy && a.area <= b.area &&
           (a.cycles < b.cycles || a.energy < b.energy || a.area < b.area);
}

// The hardware values of a row (every column before "valid" but "point").
std::string Values(const Csv &c, const std::map<std::string, std::string> &row)
{
    std::string v;
    for (const std::string &h : c.header) {
        if (h == "valid") break;
        if (h != "point") v += row.at(h) + ";";
    }
    return v;
}

}  // namespace

TEST(SweepCli, EveryPointOneRowAndTheParetoFront)
{
    std::string dir = TempDir("sweep_all");
    Result r = Pesim(std::string("sweep --experiment ") + kExp + " --csv " + dir + "/s.csv --json " + dir + "/s.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("36 of 36 points"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("best edp"), std::string::npos) << r.out;

    Csv c = ReadCsv(dir + "/s.csv");
    ASSERT_EQ(c.rows.size(), 36u);
    const std::vector<std::string> want = {"point", "GLB.fanout_y", "GLB.fanout_x", "GLB.capacity_words",
                                           "GLB.words_per_cycle", "valid", "reason", "cycles", "energy_pj",
                                           "area_um2", "edp", "pareto"};
    EXPECT_EQ(c.header, want);
    std::set<std::string> distinct;
    std::vector<Point> pts;
    std::vector<bool> pareto;
    int valid = 0, n_pareto = 0;
    for (const auto &row : c.rows) {
        distinct.insert(Values(c, row));
        if (row.at("valid") != "1") {
            EXPECT_NE(row.at("reason"), "") << "an invalid point has a reason";
            EXPECT_EQ(row.at("pareto"), "0");
            EXPECT_EQ(row.at("GLB.fanout_x"), "8") << "only the 4 x 8 array is over the area budget";
            continue;
        }
        valid++;
        Point p{std::stod(row.at("cycles")), std::stod(row.at("energy_pj")), std::stod(row.at("area_um2"))};
        EXPECT_DOUBLE_EQ(std::stod(row.at("edp")), p.cycles * p.energy);
        pts.push_back(p);
        pareto.push_back(row.at("pareto") == "1");
        n_pareto += row.at("pareto") == "1";
    }
    EXPECT_EQ(distinct.size(), 36u) << "every point once";
    EXPECT_EQ(valid, 24);
    ASSERT_GT(n_pareto, 0);
    for (size_t i = 0; i < pts.size(); i++) {
        bool dominated = false;
        for (size_t j = 0; j < pts.size() && !dominated; j++) dominated = Dominates(pts[j], pts[i]);
        EXPECT_EQ(dominated, !pareto[i]) << "valid row " << i << (pareto[i] ? " is on the front but dominated"
                                                                            : " is off the front but non-dominated");
    }

    Json j = ParseJson(ReadFile(dir + "/s.json"));
    EXPECT_EQ(j["points"].num, 36);
    EXPECT_EQ(j["valid"].num, 24);
    ASSERT_EQ(j["pareto"].type, Json::kArr);
    EXPECT_EQ((int)j["pareto"].arr.size(), n_pareto);
    EXPECT_EQ(j["sampled"].b, false);
    // the best EDP is the row with the lowest edp, and it is on the front
    double best = 1e300;
    for (const Point &p : pts) best = std::min(best, p.cycles * p.energy);
    const Json &b = j["best"]["edp"];
    ASSERT_EQ(b.type, Json::kObj);
    EXPECT_DOUBLE_EQ(b["edp"].num, best);
    EXPECT_EQ(b["params"]["GLB.fanout_x"].str, "4");
    EXPECT_EQ(c.rows[(size_t)b["point"].num].at("pareto"), "1");
    for (const char *k : {"latency", "energy", "area", "edp", "objective"}) EXPECT_TRUE(j["best"].Has(k)) << k;
}

TEST(SweepCli, LimitSamplesDistinctPointsSeeded)
{
    std::string dir = TempDir("sweep_limit");
    std::string base = std::string("sweep --experiment ") + kExp + " --limit 10";
    Result r1 = Pesim(base + " --seed 7 --csv " + dir + "/a.csv --json " + dir + "/a.json");
    ASSERT_EQ(r1.status, 0) << r1.err;
    Result r2 = Pesim(base + " --seed 7 --csv " + dir + "/b.csv");
    ASSERT_EQ(r2.status, 0) << r2.err;
    Result r3 = Pesim(base + " --seed 8 --csv " + dir + "/c.csv");
    ASSERT_EQ(r3.status, 0) << r3.err;
    Csv a = ReadCsv(dir + "/a.csv");
    ASSERT_EQ(a.rows.size(), 10u);
    std::set<std::string> distinct;
    for (const auto &row : a.rows) distinct.insert(Values(a, row));
    EXPECT_EQ(distinct.size(), 10u) << "a sample without repetition";
    EXPECT_EQ(ReadFile(dir + "/a.csv"), ReadFile(dir + "/b.csv")) << "same seed, same sample";
    EXPECT_NE(ReadFile(dir + "/a.csv"), ReadFile(dir + "/c.csv")) << "another seed, another sample";
    Json j = ParseJson(ReadFile(dir + "/a.json"));
    EXPECT_EQ(j["points"].num, 10);
    EXPECT_EQ(j["space_points"].num, 36);
    EXPECT_EQ(j["sampled"].b, true);
    // a limit at least the space's size evaluates every point
    Result all = Pesim(std::string("sweep --experiment ") + kExp + " --limit 100 --csv " + dir + "/d.csv");
    ASSERT_EQ(all.status, 0) << all.err;
    EXPECT_EQ(ReadCsv(dir + "/d.csv").rows.size(), 36u);
}

TEST(SweepCli, ThreadsGiveTheSameRowsAndTheStoreHasEveryEvaluation)
{
    std::string dir = TempDir("sweep_db");
    Result r1 = Pesim(std::string("sweep --experiment ") + kExp + " --csv " + dir + "/one.csv");
    ASSERT_EQ(r1.status, 0) << r1.err;
    Result r2 = Pesim(std::string("sweep --experiment ") + kExp + " --threads 2 --csv " + dir + "/two.csv --db " +
                      dir + "/s.db");
    ASSERT_EQ(r2.status, 0) << r2.err;
    EXPECT_EQ(ReadFile(dir + "/one.csv"), ReadFile(dir + "/two.csv"));
    pesim_store *st = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    ASSERT_EQ(pesim_store_open((dir + "/s.db").c_str(), &st, &e), PESIM_OK) << e.msg;
    int32_t choices[3];
    pesim_result best;
    int64_t sample = -1;
    int found = 0;
    EXPECT_EQ(pesim_store_best(st, 1, 3, choices, &best, &sample, &found, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(found, 1);
    int32_t count = 0;
    std::vector<int32_t> x(40 * 3);
    std::vector<pesim_result> r(40);
    EXPECT_EQ(pesim_store_read(st, 1, 0, 40, 3, x.data(), r.data(), &count, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(count, 36);
    pesim_store_close(st);
}

TEST(SweepCli, BadUsageIsExit2)
{
    std::string dir = TempDir("sweep_bad");
    EXPECT_EQ(Pesim("sweep").status, 2);
    EXPECT_EQ(Pesim("sweep --help").status, 0);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --limit 0").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --eval frob").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --threads x").status, 2);
    EXPECT_EQ(Pesim("sweep --experiment tests/data/search/no_such.cfg").status, 2);
    EXPECT_EQ(Pesim(std::string("sweep --experiment ") + kExp + " --csv /no/such/dir/s.csv").status, 2);
    // a joint experiment is a search's business
    std::string joint = dir + "/joint.cfg";
    std::string text = ReadFile(kExp);
    size_t at = text.find("objective");
    ASSERT_NE(at, std::string::npos);
    text.insert(at, "joint = true;\n  ");
    size_t a1 = text.find("\"../cli/");
    while (a1 != std::string::npos) {  // the paths, from the source root
        text.replace(a1, 8, "\"tests/data/cli/");
        a1 = text.find("\"../cli/");
    }
    std::ofstream(joint) << text;
    Result r = Pesim("sweep --experiment " + joint + " --csv " + dir + "/j.csv");
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("joint"), std::string::npos) << r.err;
}

TEST(SweepCli, PlotScriptRunsOnTheCsv)
{
    if (system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "no /usr/bin/python3 with matplotlib";
    }
    std::string dir = TempDir("sweep_plot");
    Result r = Pesim(std::string("sweep --experiment ") + kExp + " --csv " + dir + "/s.csv");
    ASSERT_EQ(r.status, 0) << r.err;
    std::string cmd = "/usr/bin/python3 scripts/plot_sweep.py " + dir + "/s.csv " + dir + "/s.png >/dev/null";
    EXPECT_EQ(system(cmd.c_str()), 0);
    EXPECT_GT(ReadFile(dir + "/s.png").size(), 1000u);
}
