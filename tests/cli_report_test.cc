// tests/cli_report_test.cc - `pesim report CAMPAIGN.db`: a small campaign
// (per-layer searches by two algorithms and two seeds, a sweep, a compare
// over many mappings, all in one store) gives one self-contained HTML page
// whose every plot (inline <svg data-plot>, each with a title and marks) and
// table is found by parsing it; nothing in it needs the network. Runs the
// built binary (PESIM_BINARY) from the source root.
#include <gtest/gtest.h>

#include <set>

#include "cli_run_util.h"

namespace {

const char *const kTiny = "--arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg";

// The values of attribute `attr` of every <tag ...> of html.
std::vector<std::string> Attrs(const std::string &html, const std::string &tag, const std::string &attr)
{
    std::vector<std::string> out;
    const std::string open = "<" + tag + " ", key = " " + attr + "=\"";
    for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
        size_t end = html.find('>', at);
        size_t k = html.find(key, at);
        if (end == std::string::npos || k == std::string::npos || k > end) continue;
        size_t v = k + key.size(), q = html.find('"', v);
        if (q != std::string::npos && q < end) out.push_back(html.substr(v, q - v));
    }
    return out;
}

size_t CountOf(const std::string &s, const std::string &what)
{
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
    return n;
}

// The text between the i-th occurrence of open and the next close.
std::string Section(const std::string &s, const std::string &open, const std::string &close, size_t from)
{
    size_t a = s.find(open, from);
    if (a == std::string::npos) return "";
    size_t b = s.find(close, a);
    return b == std::string::npos ? "" : s.substr(a, b - a);
}

TEST(CliReport, EveryPlotAndTableOfASmallCampaignIsInThePage)
{
    std::string d = TempDir("report");
    std::string db = d + "/campaign.db";
    for (const char *algo : {"random", "annealing"})
        for (int seed : {1, 2}) {
            Result r = Pesim(std::string("search ") + kTiny + " --algo " + algo + " --budget 40 --seed " +
                             std::to_string(seed) + " --db " + db + " --new-run --out " + d + "/out");
            ASSERT_TRUE(r.status == 0 || r.status == 1) << r.err;  // 1: a layer without a valid mapping
        }
    Result s = Pesim("sweep --experiment tests/data/search/tiny_sweep.cfg --db " + db + " --csv " + d + "/s.csv");
    ASSERT_EQ(s.status, 0) << s.err;
    Result c = Pesim(std::string("compare ") + kTiny + " --mappings 6 --search-budget 12 --db " + db);
    ASSERT_EQ(c.status, 0) << c.err;
    Result r = Pesim("report " + db + " --html " + d + "/report.html --title tiny");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("report.html"), std::string::npos);
    std::string html = ReadFile(d + "/report.html");
    ASSERT_FALSE(html.empty());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
    // self-contained: no script, no external resource
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("href="), std::string::npos);

    std::vector<std::string> plots = Attrs(html, "svg", "data-plot");
    std::set<std::string> ids(plots.begin(), plots.end());
    EXPECT_EQ(ids.size(), plots.size()) << "plot ids are unique";
    EXPECT_EQ(CountOf(html, "<svg "), plots.size());
    EXPECT_EQ(CountOf(html, "</svg>"), plots.size());
    // convergence: one per searched layer (3 MAC layers), each with both algorithms
    // the sweep's best point run as a whole network: its per-layer stall breakdown, memory
    // occupancy timeline and DRAM bandwidth over time
    for (const char *id : {"convergence-0", "convergence-1", "convergence-2", "layer-cycles", "pareto-0",
                           "heatmap-0", "fidelity-scatter", "layer-breakdown-0", "occupancy-0", "dram-bandwidth-0"})
        EXPECT_TRUE(ids.count(id)) << id;
    for (const std::string &id : plots) {
        std::string svg = Section(html, "data-plot=\"" + id + "\"", "</svg>", 0);
        EXPECT_NE(svg.find("<title>"), std::string::npos) << id;
        bool marks = svg.find("<polyline") != std::string::npos || svg.find("<circle") != std::string::npos ||
                     svg.find("<rect x=") != std::string::npos;
        EXPECT_TRUE(marks) << id << " has no marks";
    }
    std::string conv = Section(html, "data-plot=\"convergence-0\"", "</svg>", 0);
    EXPECT_NE(conv.find("random (2 seeds)"), std::string::npos);
    EXPECT_NE(conv.find("annealing (2 seeds)"), std::string::npos);
    EXPECT_NE(conv.find("<polygon"), std::string::npos) << "the band over seeds";

    std::vector<std::string> tables = Attrs(html, "table", "id");
    std::set<std::string> tids(tables.begin(), tables.end());
    for (const char *id : {"table-runs", "table-pareto-0", "table-fidelity", "table-network-0"})
        EXPECT_TRUE(tids.count(id)) << id;
    // the network run's table: a row per layer of tests/data/cli/small.cfg (4), each layer a bar
    std::string layers = Section(html, "id=\"table-network-0\"", "</table>", 0);
    EXPECT_EQ(CountOf(layers, "<tr>"), 1u + 4);
    std::string bars = Section(html, "data-plot=\"layer-breakdown-0\"", "</svg>", 0);
    for (const char *name : {"conv_a", "pool_a", "conv_b", "fc"}) EXPECT_NE(bars.find(name), std::string::npos) << name;
    EXPECT_NE(bars.find("compute"), std::string::npos);
    std::string occ = Section(html, "data-plot=\"occupancy-0\"", "</svg>", 0);
    EXPECT_NE(occ.find("GLB"), std::string::npos) << "the global buffer's timeline";
    std::string bw = Section(html, "data-plot=\"dram-bandwidth-0\"", "</svg>", 0);
    EXPECT_NE(bw.find("DRAM peak"), std::string::npos);
    // the runs table has a row per run: 4 searches x 3 layers, the sweep, 2 compare sets x 3 layers x 2 fidelities
    std::string runs = Section(html, "id=\"table-runs\"", "</table>", 0);
    EXPECT_EQ(CountOf(runs, "<tr>"), 1u + 12 + 1 + 12);
    // the page says how many of each it holds
    EXPECT_NE(html.find(std::to_string(plots.size()) + " plots, " + std::to_string(tables.size()) + " tables"),
              std::string::npos);
}

TEST(CliReport, BadUsageIsExit2)
{
    std::string d = TempDir("report_bad");
    EXPECT_EQ(Pesim("report").status, 2);
    EXPECT_EQ(Pesim("report " + d + "/missing.db --html " + d + "/r.html").status, 2);
    std::ofstream(d + "/not.db") << "not a database";
    EXPECT_EQ(Pesim("report " + d + "/not.db --html " + d + "/r.html").status, 2);
}

}  // namespace
