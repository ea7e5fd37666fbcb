// tests/search_cli_test.cc - `pesim search` as users and scripts see it: the
// options and exit statuses, the JSON/CSV/mapping outputs, reproducibility,
// and the store: a search killed with SIGKILL (or stopped with SIGINT) and
// resumed with --resume ends with exactly `budget` evaluations, samples
// 0..budget-1, the same as an uninterrupted run; locked and corrupt stores
// are clear errors (exit 2). Runs the built binary (PESIM_BINARY) from the
// source root.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pesim/config.h"
#include "pesim/search.h"

#include "cli_run_util.h"
#include "store_cut.h"

namespace {

const char *const kMicroArch = "tests/data/search/micro_arch.cfg";
const char *const kMicro = "tests/data/search/micro.cfg";
const char *const kTinyArch = "tests/data/cli/tiny_arch.cfg";
const char *const kSmall = "tests/data/cli/small.cfg";

// Starts `pesim ARGS...` (stdout and stderr to files in dir); returns the pid.
pid_t Spawn(const std::vector<std::string> &args, const std::string &dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        int o = open((dir + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open((dir + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o >= 0) dup2(o, 1);
        if (e >= 0) dup2(e, 2);
        std::vector<char *> argv;
        argv.push_back(const_cast<char *>(PESIM_BINARY));
        for (const std::string &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(PESIM_BINARY, argv.data());
        _exit(127);
    }
    return pid;
}

off_t FileSize(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

// Waits until `path` holds at least `bytes` bytes (or the child exits), then
// sends sig. Returns the child's wait status.
int SignalWhenGrown(pid_t pid, const std::string &path, off_t bytes, int sig)
{
    int st = 0;
    for (int i = 0; i < 200000; i++) {  // at most ~40 s
        if (waitpid(pid, &st, WNOHANG) == pid) return st;
        if (FileSize(path) >= bytes) break;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, nullptr);
    }
    kill(pid, sig);
    waitpid(pid, &st, 0);
    return st;
}


// One stored evaluation.
struct Eval {
    int64_t sample;
    std::vector<int32_t> choices;
    int valid;
    double objective;
    bool operator==(const Eval &o) const
    {
        return sample == o.sample && choices == o.choices && valid == o.valid && objective == o.objective;
    }
};

// The evaluations of run `run` of the store at path (n_params choices each).
std::vector<Eval> Stored(const std::string &path, int64_t run, int32_t n_params)
{
    pesim_store *st = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    std::vector<Eval> evals;
    EXPECT_EQ(pesim_store_open(path.c_str(), &st, &e), PESIM_OK) << e.msg;
    if (!st) return evals;
    const int32_t chunk = 256;
    std::vector<int32_t> x((size_t)chunk * n_params);
    std::vector<pesim_result> r(chunk);
    for (int64_t at = 0;; at += chunk) {
        int32_t got = 0;
        EXPECT_EQ(pesim_store_read(st, run, at, chunk, n_params, x.data(), r.data(), &got, &e), PESIM_OK) << e.msg;
        for (int32_t i = 0; i < got; i++)
            evals.push_back({at + i, std::vector<int32_t>(&x[(size_t)i * n_params], &x[(size_t)(i + 1) * n_params]),
                             r[i].valid, r[i].objective});
        if (got < chunk) break;
    }
    pesim_store_close(st);
    return evals;
}

// The number of parameters of a layer's mapping space.
int32_t SpaceParams(const char *arch_path, const char *net_path, const char *layer)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    int32_t n = -1;
    if (pesim_arch_load(arch_path, &a, &e) != PESIM_OK || pesim_network_load(net_path, &net, &e) != PESIM_OK)
        return -1;
    for (int32_t i = 0; i < net.n_layers; i++)
        if (strcmp(net.layers[i].name, layer) == 0) {
            pesim_space *s = nullptr;
            if (pesim_space_mapping(&a, &net.layers[i], &s, &e) == PESIM_OK) n = pesim_space_n_params(s);
            pesim_space_destroy(s);
        }
    pesim_network_free(&net);
    return n;
}

// Checks a store run: exactly `budget` evaluations, samples 0..budget-1.
void ExpectComplete(const std::vector<Eval> &ev, int64_t budget)
{
    ASSERT_EQ((int64_t)ev.size(), budget);
    for (int64_t i = 0; i < budget; i++) ASSERT_EQ(ev[i].sample, i) << "sample lost or repeated";
}

std::string MicroArgs(const std::string &dir, const char *algo, int64_t budget, int batch, uint64_t seed)
{
    return std::string("search --arch ") + kMicroArch + " --workload " + kMicro + " --layer fc --algo " + algo +
           " --budget " + std::to_string(budget) + " --seed " + std::to_string(seed) + " --batch " +
           std::to_string(batch) + " --out " + dir + " --db " + dir + "/s.db";
}

}  // namespace

// ---- options and exit statuses ------------------------------------------------

TEST(SearchCli, HelpNamesTheContract)
{
    Result r = Pesim("search --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    for (const char *opt : {"--arch", "--workload", "--layer", "--algo", "--budget", "--seed", "--objective",
                            "--eval", "--db", "--resume", "--json", "--out", "--threads", "--batch"})
        EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
    for (const char *algo : {"exhaustive", "random", "annealing", "genetic", "timeloop"})
        EXPECT_NE(r.out.find(algo), std::string::npos) << algo;
}

TEST(SearchCli, BadUsageIsExit2)
{
    std::string d = TempDir("usage");
    std::string base = std::string("search --arch ") + kMicroArch + " --workload " + kMicro + " --out " + d;
    struct Case {
        std::string args, msg;
    } cases[] = {
        {base + " --algo bogus", "unknown algorithm 'bogus'"},
        {base + " --budget 0", "--budget 0"},
        {base + " --budget 12x", "--budget 12x"},
        {base + " --seed -1", "--seed -1"},
        {base + " --objective weighted", "unknown objective"},
        {base + " --eval systemc", "unknown evaluator"},
        {base + " --threads 0", "--threads 0"},
        {base + " --batch 0", "--batch 0"},
        {base + " --layer nope", "nope"},
        {base + " --resume --db " + d + "/missing.db", "does not exist"},
        {std::string("search --arch ") + kTinyArch + " --workload " + kSmall + " --layer pool_a --out " + d,
         "has no MACs"},
        {std::string("search --arch configs/arch/eyeriss.cfg --workload workloads/resnet50.cfg --layer conv1 "
                     "--algo exhaustive --out ") + d, "max_points"},
        {base + " --algo genetic --algo-opt popsize=10", "has no option 'popsize'; did you mean 'population'?"},
        {base + " --algo genetic --algo-opt population=1", "population=1"},
        {base + " --algo genetic --algo-opt population=ten", "population=ten"},
        {base + " --algo random --algo-opt victory=3", "has no option 'victory'"},
        {base + " --encoding order=random", "order=random"},
        {base + " --resume --new-run", "give one"},
        {base + " --resume --db none", "--db none records nothing"},
    };
    for (const Case &c : cases) {
        Result r = Pesim(c.args);
        EXPECT_EQ(r.status, 2) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(c.msg), std::string::npos) << c.args << "\n" << r.err;
        EXPECT_EQ(r.err.rfind("pesim: ", 0), 0u) << r.err;
    }
}

// ---- outputs -------------------------------------------------------------------

TEST(SearchCli, OneLayerJsonCsvAndMappingRoundTrip)
{
    std::string d = TempDir("one");
    Result r = Pesim(std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                     " --layer conv_a --algo genetic --budget 300 --seed 3 --objective latency --out " + d +
                     " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Json j = ParseJson(r.out);  // --json -: stdout is pure JSON
    EXPECT_EQ(j["samples"].num, 300);
    EXPECT_EQ(j["seed"].num, 3);
    EXPECT_EQ(j["layer"].str, "conv_a");
    EXPECT_EQ(j["algo"].str, "genetic");
    const Json &best = j["best"];
    ASSERT_EQ(best.type, Json::kObj);
    for (const char *k : {"objective", "cycles", "energy_pj", "mapping"}) EXPECT_TRUE(best.Has(k)) << k;
    EXPECT_EQ(best["objective"].num, best["cycles"].num);  // latency: the objective is the cycles
    EXPECT_EQ(best["mapping"].str, d + "/conv_a.cfg");
    EXPECT_EQ(j["db"].str, d + "/search.db");
    EXPECT_TRUE(Exists(d + "/search.db"));

    // The convergence CSV: one row per sample, best_objective non-increasing
    // and ending at the JSON's best.
    std::vector<std::string> lines = Split(ReadFile(j["convergence"].str), '\n');
    ASSERT_EQ(lines.size(), 301u);
    EXPECT_EQ(lines[0], "sample,valid,objective,best_objective,cycles,energy_pj,violation,reason");
    double prev = 1e308, best_seen = 1e308;
    for (size_t i = 1; i < lines.size(); i++) {
        std::vector<std::string> f = Split(lines[i] + ",", ',');
        ASSERT_GE(f.size(), 4u) << lines[i];
        EXPECT_EQ(f[0], std::to_string(i - 1));
        if (f[1] == "1") best_seen = std::min(best_seen, std::strtod(f[2].c_str(), nullptr));
        if (!f[3].empty()) {
            double b = std::strtod(f[3].c_str(), nullptr);
            EXPECT_LE(b, prev);
            EXPECT_EQ(b, best_seen);
            prev = b;
        }
    }
    EXPECT_EQ(prev, best["objective"].num);

    // The mapping runs again to the same cycles and energy.
    Result run = Pesim(std::string("run --arch ") + kTinyArch + " --workload " + kSmall +
                       " --layer conv_a --mapping " + best["mapping"].str + " --json -");
    ASSERT_EQ(run.status, 0) << run.err;
    Json rj = ParseJson(run.out);
    EXPECT_EQ(rj["layers"].arr[0]["cycles"].num, best["cycles"].num);
    EXPECT_EQ(rj["layers"].arr[0]["energy_pj"].num, best["energy_pj"].num);

    // The human report when JSON goes to a file.
    Result h = Pesim(std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                     " --layer conv_a --budget 50 --out " + d + " --db " + d + "/h.db --json " + d + "/h.json");
    ASSERT_EQ(h.status, 0) << h.err;
    EXPECT_NE(h.out.find("conv_a"), std::string::npos);
    EXPECT_NE(h.out.find("best objective"), std::string::npos);
    EXPECT_EQ(ParseJson(ReadFile(d + "/h.json"))["samples"].num, 50);
}

TEST(SearchCli, NetworkSearchesEveryMacLayerWithTotals)
{
    std::string d = TempDir("net");
    Result r = Pesim(std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                     " --algo random --budget 120 --seed 2 --objective energy --threads 2 --out " + d +
                     " --encoding spatial=dim --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    const std::vector<Json> &layers = j["layers"].arr;
    ASSERT_EQ(layers.size(), 3u);  // conv_a, conv_b, fc (pool_a has no MACs)
    EXPECT_EQ(layers[0]["name"].str, "conv_a");
    EXPECT_EQ(layers[1]["name"].str, "conv_b");
    EXPECT_EQ(layers[2]["name"].str, "fc");
    double energy = 0, cycles = 0;
    for (const Json &l : layers) {
        EXPECT_EQ(l["samples"].num, 120);
        ASSERT_EQ(l["best"].type, Json::kObj);
        energy += l["best"]["energy_pj"].num;
        cycles += l["best"]["cycles"].num;
        EXPECT_TRUE(Exists(l["best"]["mapping"].str));
    }
    EXPECT_EQ(j["samples"].num, 360);
    EXPECT_DOUBLE_EQ(j["total"]["energy_pj"].num, energy);
    EXPECT_EQ(j["total"]["cycles"].num, cycles);
    EXPECT_DOUBLE_EQ(j["best"]["objective"].num, energy);  // objective energy: the total energy
    EXPECT_TRUE(j["total"]["valid"].b);
    EXPECT_EQ(j["batch"].num, 2);  // --batch defaults to --threads
}

// A search of every MAC layer of a network records the whole network run
// with each layer's best mapping (greedy placement, cycle level) for the
// report: net_runs, a net_layers row per layer (MAC layers that run their
// searched mapping: mapped = 2), occupancy and DRAM; `pesim report` draws it.
// A one-layer search (--layer) records none.
TEST(SearchCli, NetworkSearchStoresTheWholeNetworkRun)
{
    std::string d = TempDir("net_store");
    Result r = Pesim(std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                     " --algo annealing --budget 12 --seed 2 --out " + d + " --db " + d + "/s.db");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string db = d + "/s.db";
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM net_runs WHERE valid AND placement = 'greedy'"), 1);
    // the first layer's run and its best sample
    EXPECT_EQ(Count(db, "SELECT n.run = MIN(r.id) FROM net_runs n, runs r"), 1);
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM net_layers"), 4);
    EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM net_layers WHERE mapped = 0"), 1);  // pool_a
    EXPECT_GE(Count(db, "SELECT COUNT(*) FROM net_layers WHERE mapped = 2"), 1);
    EXPECT_GT(Count(db, "SELECT COUNT(*) FROM net_occupancy"), 0);
    EXPECT_GT(Count(db, "SELECT COUNT(*) FROM net_dram"), 0);
    Result h = Pesim("report " + db + " --html " + d + "/r.html");
    ASSERT_EQ(h.status, 0) << h.err;
    std::string page = ReadFile(d + "/r.html");
    EXPECT_NE(page.find("data-plot=\"layer-breakdown-0\""), std::string::npos);
    EXPECT_NE(page.find("data-plot=\"occupancy-0\""), std::string::npos);
    const std::string ran = std::to_string(Count(db, "SELECT COUNT(*) FROM net_layers WHERE mapped = 2")) +
                            " of its 3 MAC layers ran the mapping the search found";
    EXPECT_NE(page.find(ran), std::string::npos) << ran;

    std::string d1 = TempDir("net_store1");
    Result one = Pesim(std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                       " --layer conv_b --algo annealing --budget 4 --out " + d1 + " --db " + d1 + "/s.db");
    ASSERT_EQ(one.status, 0) << one.err;
    EXPECT_EQ(Count(d1 + "/s.db", "SELECT COUNT(*) FROM net_runs"), 0);
}

TEST(SearchCli, SameSeedSameRun)
{
    for (const char *algo : {"annealing", "genetic", "timeloop"}) {
        std::string d1 = TempDir("seed1"), d2 = TempDir("seed2"), d3 = TempDir("seed3");
        ASSERT_EQ(Pesim(MicroArgs(d1, algo, 400, 3, 11)).status, 0);
        ASSERT_EQ(Pesim(MicroArgs(d2, algo, 400, 3, 11) + " --threads 4").status, 0);  // threads: same run
        ASSERT_EQ(Pesim(MicroArgs(d3, algo, 400, 3, 12)).status, 0);
        std::string c1 = ReadFile(d1 + "/fc.csv");
        EXPECT_EQ(c1, ReadFile(d2 + "/fc.csv")) << algo;
        EXPECT_NE(c1, ReadFile(d3 + "/fc.csv")) << algo;
        EXPECT_EQ(ReadFile(d1 + "/fc.cfg"), ReadFile(d2 + "/fc.cfg")) << algo;
    }
}

// ---- the store: kill, interrupt, resume ------------------------------------------

TEST(SearchCli, KilledRunResumesWithoutLossOrRepeat)
{
    const int64_t kBudget = 30000;
    const int32_t np = SpaceParams(kMicroArch, kMicro, "fc");
    ASSERT_GT(np, 0);
    std::string dk = TempDir("kill"), du = TempDir("whole");
    std::vector<std::string> args = Split(MicroArgs(dk, "genetic", kBudget, 4, 5), ' ');
    pid_t pid = Spawn(args, dk);
    ASSERT_GT(pid, 0);
    int st = SignalWhenGrown(pid, dk + "/fc.csv", 200000, SIGKILL);  // some thousand samples in
    ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        << "the search ended before it could be killed; raise kBudget";
    std::vector<Eval> partial = Stored(dk + "/s.db", 1, np);
    ASSERT_GT(partial.size(), 0u);
    ASSERT_LT((int64_t)partial.size(), kBudget);
    for (size_t i = 0; i < partial.size(); i++) ASSERT_EQ(partial[i].sample, (int64_t)i);

    Result r = Pesim(MicroArgs(dk, "genetic", kBudget, 4, 5) + " --resume --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    EXPECT_EQ(j["resumed_samples"].num, (double)partial.size());
    EXPECT_EQ(j["samples"].num, (double)kBudget);
    EXPECT_EQ(j["run_id"].num, 1);
    std::vector<Eval> resumed = Stored(dk + "/s.db", 1, np);
    ExpectComplete(resumed, kBudget);

    // The same run uninterrupted: the same evaluations, outputs and best.
    Result u = Pesim(MicroArgs(du, "genetic", kBudget, 4, 5) + " --json -");
    ASSERT_EQ(u.status, 0) << u.err;
    std::vector<Eval> whole = Stored(du + "/s.db", 1, np);
    ExpectComplete(whole, kBudget);
    for (int64_t i = 0; i < kBudget; i++) ASSERT_TRUE(resumed[i] == whole[i]) << "sample " << i << " differs";
    EXPECT_EQ(ReadFile(dk + "/fc.csv"), ReadFile(du + "/fc.csv"));
    EXPECT_EQ(ReadFile(dk + "/fc.cfg"), ReadFile(du + "/fc.cfg"));
    EXPECT_EQ(ParseJson(u.out)["best"]["objective"].num, j["best"]["objective"].num);

    // A resume with a smaller budget than the run has is refused; --new-run
    // starts another run in the same store.
    Result again = Pesim(MicroArgs(dk, "genetic", 100, 4, 5) + " --resume --json -");
    EXPECT_EQ(again.status, 2) << again.err;
    EXPECT_NE(again.err.find("more than the budget 100"), std::string::npos) << again.err;
    again = Pesim(MicroArgs(dk, "genetic", 100, 4, 5) + " --new-run --json -");
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(ParseJson(again.out)["run_id"].num, 2);
    EXPECT_EQ(ParseJson(again.out)["resumed_samples"].num, 0);
}

TEST(SearchCli, SigintStopsCleanlyAndResumes)
{
    const int64_t kBudget = 30000;
    std::string d = TempDir("int");
    std::vector<std::string> args = Split(MicroArgs(d, "annealing", kBudget, 1, 9), ' ');
    args.push_back("--json");
    args.push_back(d + "/int.json");
    pid_t pid = Spawn(args, d);
    ASSERT_GT(pid, 0);
    int st = SignalWhenGrown(pid, d + "/fc.csv", 100000, SIGINT);
    ASSERT_TRUE(WIFEXITED(st)) << "SIGINT must stop the search cleanly, not kill it";
    ASSERT_EQ(WEXITSTATUS(st), 1) << ReadFile(d + "/stderr");
    EXPECT_NE(ReadFile(d + "/stderr").find("interrupted"), std::string::npos);
    Json j = ParseJson(ReadFile(d + "/int.json"));
    EXPECT_TRUE(j["interrupted"].b);
    EXPECT_LT(j["samples"].num, kBudget);
    EXPECT_GT(j["samples"].num, 0);
    ASSERT_EQ(j["best"].type, Json::kObj);
    EXPECT_TRUE(Exists(j["best"]["mapping"].str));  // the best so far is written

    Result r = Pesim(MicroArgs(d, "annealing", kBudget, 1, 9) + " --resume --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json k = ParseJson(r.out);
    EXPECT_EQ(k["resumed_samples"].num, j["samples"].num);
    EXPECT_EQ(k["samples"].num, kBudget);
    EXPECT_LE(k["best"]["objective"].num, j["best"]["objective"].num);
    ExpectComplete(Stored(d + "/s.db", 1, SpaceParams(kMicroArch, kMicro, "fc")), kBudget);
}

TEST(SearchCli, KilledNetworkSearchReplaysTheLayersItFinished)
{
    const int64_t kBudget = 8000;
    std::string d = TempDir("knet"), du = TempDir("knetu");
    auto args = [&](const std::string &dir) {
        return std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
               " --algo random --seed 4 --encoding spatial=dim --budget " + std::to_string(kBudget) + " --out " + dir;
    };
    pid_t pid = Spawn(Split(args(d), ' '), d);
    ASSERT_GT(pid, 0);
    int st = SignalWhenGrown(pid, d + "/conv_b.csv", 100000, SIGKILL);  // within the second layer
    ASSERT_TRUE(WIFSIGNALED(st)) << "the search ended before it could be killed; raise kBudget";
    Result r = Pesim(args(d) + " --resume --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    const std::vector<Json> &layers = j["layers"].arr;
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0]["resumed_samples"].num, kBudget);  // conv_a: replayed, not searched again
    EXPECT_GT(layers[1]["resumed_samples"].num, 0);
    EXPECT_LT(layers[1]["resumed_samples"].num, kBudget);
    EXPECT_EQ(layers[2]["resumed_samples"].num, 0);
    Result u = Pesim(args(du) + " --json -");
    ASSERT_EQ(u.status, 0) << u.err;
    Json w = ParseJson(u.out);
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(layers[i]["best"]["objective"].num, w["layers"].arr[i]["best"]["objective"].num) << i;
    EXPECT_EQ(ReadFile(d + "/conv_b.csv"), ReadFile(du + "/conv_b.csv"));
}

TEST(SearchCli, LockedAndCorruptStoresAreExit2)
{
    std::string d = TempDir("lock");
    ASSERT_EQ(Pesim(MicroArgs(d, "random", 20, 1, 1)).status, 0);
    // Another process (here: this one) holds the store's write lock.
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open((d + "/s.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    Result r = Pesim(MicroArgs(d, "random", 20, 1, 1) + " --new-run");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("locked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(d + "/s.db"), std::string::npos) << r.err;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    EXPECT_EQ(Pesim(MicroArgs(d, "random", 20, 1, 1) + " --new-run").status, 0);  // free again

    // Not a store: garbage, or another application's database. Left untouched.
    std::string bad = d + "/bad.db";
    {
        std::ofstream f(bad, std::ios::binary);
        for (int i = 0; i < 300; i++) f << "this is not an SQLite database ";
    }
    std::string before = ReadFile(bad);
    r = Pesim(std::string("search --arch ") + kMicroArch + " --workload " + kMicro + " --budget 20 --out " + d +
              " --db " + bad);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("not a pesim store"), std::string::npos) << r.err;
    EXPECT_EQ(ReadFile(bad), before);
    r = Pesim(std::string("search --arch ") + kMicroArch + " --workload " + kMicro + " --budget 20 --out " + d +
              " --db " + bad + " --resume");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("not a pesim store"), std::string::npos) << r.err;
}

// ---- resume as users expect ---------------------------------------------------

// Every refusal exits 2 with a message naming what differs; nothing is
// evaluated or recorded by a refused command.
TEST(SearchCli, ResumeRefusalsNameTheOption)
{
    std::string d = TempDir("refuse");
    ASSERT_EQ(Pesim(MicroArgs(d, "genetic", 60, 2, 7) + " --algo-opt population=10").status, 0);
    const std::string before = ReadFile(d + "/s.db");
    struct Case {
        std::string args, msg;
    } cases[] = {
        {MicroArgs(d, "genetic", 60, 2, 7) + " --algo-opt population=10",
         "already has run 1 of 'fc' (genetic, seed 7, 60 of 60 evaluations, finished); --resume continues it"},
        {MicroArgs(d, "annealing", 120, 2, 7) + " --resume", "started with --algo genetic, not --algo annealing"},
        {MicroArgs(d, "genetic", 120, 2, 8) + " --resume --algo-opt population=10",
         "started with --seed 7, not --seed 8"},
        {MicroArgs(d, "genetic", 120, 2, 7) + " --resume --algo-opt population=10 --objective latency",
         "started with --objective edp, not --objective latency"},
        {MicroArgs(d, "genetic", 120, 3, 7) + " --resume --algo-opt population=10",
         "started with --batch 2, not --batch 3"},
        {MicroArgs(d, "genetic", 120, 2, 7) + " --resume --algo-opt population=12", "--algo-opt"},
        {MicroArgs(d, "genetic", 120, 2, 7) + " --resume --algo-opt population=10 --eval cycle",
         "started with --eval analytical, not --eval cycle"},
        {MicroArgs(d, "genetic", 50, 2, 7) + " --resume --algo-opt population=10", "more than the budget 50"},
    };
    for (const Case &c : cases) {
        Result r = Pesim(c.args);
        EXPECT_EQ(r.status, 2) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(c.msg), std::string::npos) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(d + "/s.db"), std::string::npos) << r.err;
    }
    EXPECT_EQ(ReadFile(d + "/s.db"), before) << "a refused command wrote to the store";
    // with the run's own options a finished run extends, as a straight run would go
    Result r = Pesim(MicroArgs(d, "genetic", 120, 2, 7) + " --resume --algo-opt population=10 --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    EXPECT_EQ(j["run_id"].num, 1);
    EXPECT_EQ(j["resumed_samples"].num, 60);
    EXPECT_EQ(j["samples"].num, 120);
    std::string u = TempDir("refuse_straight");
    ASSERT_EQ(Pesim(MicroArgs(u, "genetic", 120, 2, 7) + " --algo-opt population=10").status, 0);
    EXPECT_EQ(ReadFile(d + "/fc.csv"), ReadFile(u + "/fc.csv"));
    EXPECT_EQ(ReadFile(d + "/fc.cfg"), ReadFile(u + "/fc.cfg"));
}

// A store another pesim process has open is refused at once (exit 2), the
// first process goes on undisturbed.
TEST(SearchCli, StoreInUseByAnotherProcess)
{
    std::string d = TempDir("busy"), d2 = TempDir("busy2");
    std::vector<std::string> args = Split(MicroArgs(d, "random", 2000000, 1, 3), ' ');
    pid_t pid = Spawn(args, d);
    ASSERT_GT(pid, 0);
    for (int i = 0; i < 200000 && FileSize(d + "/fc.csv") < 1000; i++) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, nullptr);
    }
    Result r = Pesim(std::string("search --arch ") + kMicroArch + " --workload " + kMicro +
                     " --layer fc --budget 10 --out " + d2 + " --db " + d + "/s.db --new-run");
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("in use by another pesim process"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(d + "/s.db"), std::string::npos) << r.err;
    kill(pid, SIGINT);
    int st = 0;
    waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st)) << "the first search must stop cleanly";
    EXPECT_EQ(WEXITSTATUS(st), 1) << ReadFile(d + "/stderr");  // interrupted
    EXPECT_EQ(ReadFile(d + "/stderr").find("error"), std::string::npos) << ReadFile(d + "/stderr");
}

// A store whose tail is corrupt is refused (exit 2) and left byte for byte.
TEST(SearchCli, CorruptTailIsExit2AndUntouched)
{
    std::string d = TempDir("tail");
    ASSERT_EQ(Pesim(MicroArgs(d, "random", 4000, 64, 1)).status, 0);
    const std::string db = d + "/s.db";
    ASSERT_FALSE(Exists(db + "-wal"));
    off_t size = FileSize(db);
    ASSERT_GT(size, 16 * 4096);
    int fd = open(db.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::string junk(4096, '\x7f');
    ASSERT_EQ(pwrite(fd, junk.data(), junk.size(), size - 4096), 4096);
    close(fd);
    const std::string before = ReadFile(db);
    for (const char *flag : {" --resume", " --new-run"}) {
        Result r = Pesim(MicroArgs(d, "random", 8000, 64, 1) + flag);
        EXPECT_EQ(r.status, 2) << r.err;
        EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
        EXPECT_EQ(ReadFile(db), before);
        EXPECT_FALSE(Exists(db + "-wal"));
    }
}

// Layers whose names make the same file name ("conv/a", "conv_a", "CONV_A")
// get files of their own, named in the JSON; each mapping runs again.
TEST(SearchCli, CollidingLayerNamesGetTheirOwnFiles)
{
    std::string d = TempDir("names");
    const std::string wl = d + "/collide.cfg";
    {
        std::ofstream f(wl);
        f << "network = { name = \"collide\"; input = { n = 1; c = 2; h = 1; w = 1; };\n"
             "  layers = (\n"
             "    { name = \"conv/a\"; type = \"gemm\"; inputs = [ \"input\" ]; m = 1; n_out = 4; k_red = 2; },\n"
             "    { name = \"conv_a\"; type = \"gemm\"; inputs = [ \"input\" ]; m = 1; n_out = 2; k_red = 2; },\n"
             "    { name = \"CONV_A\"; type = \"gemm\"; inputs = [ \"input\" ]; m = 2; n_out = 2; k_red = 2; }\n"
             "  ); };\n";
    }
    Result r = Pesim(std::string("search --arch ") + kMicroArch + " --workload " + wl +
                     " --algo genetic --budget 80 --out " + d + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    const std::vector<Json> &layers = j["layers"].arr;
    ASSERT_EQ(layers.size(), 3u);
    std::set<std::string> maps, csvs;
    for (const Json &l : layers) {
        maps.insert(l["best"]["mapping"].str);
        csvs.insert(l["convergence"].str);
        EXPECT_TRUE(Exists(l["best"]["mapping"].str));
        EXPECT_EQ(std::count_if(layers.begin(), layers.end(),
                                [&](const Json &o) { return strcasecmp(o["best"]["mapping"].str.c_str(),
                                                                       l["best"]["mapping"].str.c_str()) == 0; }),
                  1);
        Result run = Pesim(std::string("run --arch ") + kMicroArch + " --workload " + wl + " --layer " +
                           l["name"].str + " --mapping " + l["best"]["mapping"].str + " --json -");
        ASSERT_EQ(run.status, 0) << run.err;
        EXPECT_EQ(ParseJson(run.out)["layers"].arr[0]["cycles"].num, l["best"]["cycles"].num) << l["name"].str;
    }
    EXPECT_EQ(maps.size(), 3u);
    EXPECT_EQ(csvs.size(), 3u);
    EXPECT_EQ(layers[1]["best"]["mapping"].str, d + "/conv_a.cfg");  // a name that is a file name stays
    EXPECT_EQ(layers[0]["best"]["mapping"].str.find(d + "/conv_a-"), 0u) << layers[0]["best"]["mapping"].str;
}

// --db none: a search that records nothing (no store file), and resumes nothing.
TEST(SearchCli, NoStore)
{
    std::string d = TempDir("nostore");
    const std::string args = std::string("search --arch ") + kMicroArch + " --workload " + kMicro +
                             " --layer fc --algo annealing --budget 200 --batch 4 --out " + d + " --db none --json -";
    Result r = Pesim(args);
    ASSERT_EQ(r.status, 0) << r.err;
    Json j = ParseJson(r.out);
    EXPECT_EQ(j["db"].type, Json::kNull);
    EXPECT_EQ(j["samples"].num, 200);
    EXPECT_FALSE(Exists(d + "/search.db"));
    EXPECT_FALSE(Exists(d + "/s.db"));
    EXPECT_TRUE(Exists(d + "/fc.cfg"));
    Result again = Pesim(args);
    ASSERT_EQ(again.status, 0) << again.err;  // nothing to refuse: the same run again
    EXPECT_EQ(ParseJson(again.out)["best"]["objective"].num, j["best"]["objective"].num);
}

// ---- several seeds (--seeds) ---------------------------------------------------

namespace {

// Every stored evaluation and every run's label and seed, as text rows in
// run and sample order (the run ids included).
std::vector<std::string> StoreRows(const std::string &path)
{
    std::vector<std::string> rows;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << path;
        sqlite3_close(db);
        return rows;
    }
    const char *sql[] = {"SELECT id, label, seed, space, algorithm, budget FROM runs ORDER BY id",
                         "SELECT run, sample, choices, valid, reason, objective, cycles, energy_pj FROM evaluations "
                         "ORDER BY run, sample"};
    for (const char *q : sql) {
        sqlite3_stmt *s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, q, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        while (s && sqlite3_step(s) == SQLITE_ROW) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                const unsigned char *t = sqlite3_column_text(s, c);
                row += (t ? reinterpret_cast<const char *>(t) : "NULL") + std::string("|");
            }
            rows.push_back(row);
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return rows;
}

}  // namespace

TEST(SearchCli, SeedsAreTheSingleSeedRunsInOneStore)
{
    const std::string dp = TempDir("seedsp"), dm = TempDir("seedsm"), dr = TempDir("seedsr");
    const std::string args = std::string("search --arch ") + kTinyArch + " --workload " + kSmall +
                             " --algo annealing --budget 90 --batch 8 ";
    const std::vector<std::string> seeds = {"2", "5", "7"}, layers = {"conv_a", "conv_b", "fc"};
    // one command per seed into one store (--new-run for the second and third)
    std::vector<Json> single;
    for (size_t k = 0; k < seeds.size(); k++) {
        Result r = Pesim(args + "--seed " + seeds[k] + " --db " + dp + "/s.db --out " + dp + "/seed-" + seeds[k] +
                         (k ? " --new-run" : "") + " --json -");
        ASSERT_EQ(r.status, 0) << r.err;
        single.push_back(ParseJson(r.out));
    }
    Result m = Pesim(args + "--seeds 2,5-5,7 --out " + dm + " --json " + dm + "/out.json");
    ASSERT_EQ(m.status, 0) << m.err;
    std::vector<std::string> rows = StoreRows(dm + "/search.db");
    EXPECT_EQ(rows.size(), 9u + 9u * 90u);  // a run per seed and layer, in seed order
    EXPECT_EQ(rows, StoreRows(dp + "/s.db"));
    EXPECT_EQ(rows[0].substr(0, 11), "1|conv_a|2|");
    EXPECT_EQ(rows[8].substr(0, 7), "9|fc|7|");
    for (const std::string &s : seeds)
        for (const std::string &l : layers)
            for (const char *ext : {".cfg", ".csv"}) {
                std::string f = "/seed-" + s + "/" + l + ext;
                ASSERT_TRUE(Exists(dm + f)) << f;
                EXPECT_EQ(ReadFile(dm + f), ReadFile(dp + f)) << f;
            }
    Json j = ParseJson(ReadFile(dm + "/out.json"));
    ASSERT_EQ(j["seeds"].arr.size(), 3u);
    double lo = 1e300;
    for (size_t k = 0; k < seeds.size(); k++) {
        const Json &s = j["seeds"].arr[k];
        EXPECT_EQ(s["seed"].num, std::stod(seeds[k]));
        EXPECT_EQ(s["out"].str, dm + "/seed-" + seeds[k]);
        EXPECT_EQ(s["best"]["objective"].num, single[k]["best"]["objective"].num) << seeds[k];
        EXPECT_EQ(s["samples"].num, 270);
        for (size_t i = 0; i < layers.size(); i++) {
            EXPECT_EQ(s["layers"].arr[i]["run_id"].num, (double)(3 * k + i + 1));
            EXPECT_EQ(s["layers"].arr[i]["best"]["cycles"].num, single[k]["layers"].arr[i]["best"]["cycles"].num);
        }
        lo = std::min(lo, s["best"]["objective"].num);
    }
    EXPECT_EQ(j["summary"]["valid_seeds"].num, 3);
    EXPECT_EQ(j["summary"]["min_objective"].num, lo);
    EXPECT_NE(m.out.find("3 seeds with a valid result"), std::string::npos) << m.out;

    // A campaign cut in the second seed: --resume searches what is missing
    // only (the first seed is replayed from the store, nothing evaluated) and
    // ends as the uncut campaign.
    ASSERT_EQ(system(("cp " + dm + "/search.db " + dr + "/search.db").c_str()), 0);
    CutAfterTheFirstSeed(dr + "/search.db", 40);
    Result r = Pesim(args + "--seeds 2,5,7 --resume --out " + dr + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(StoreRows(dr + "/search.db"), rows);
    Json jr = ParseJson(r.out);
    for (const Json &l : jr["seeds"].arr[0]["layers"].arr) EXPECT_EQ(l["resumed_samples"].num, 90);
    EXPECT_EQ(jr["seeds"].arr[1]["layers"].arr[0]["resumed_samples"].num, 40);
    EXPECT_EQ(jr["seeds"].arr[1]["layers"].arr[1]["resumed_samples"].num, 0);
    EXPECT_EQ(jr["seeds"].arr[2]["layers"].arr[0]["resumed_samples"].num, 0);
    EXPECT_EQ(ReadFile(dr + "/seed-5/conv_a.csv"), ReadFile(dm + "/seed-5/conv_a.csv"));
    EXPECT_EQ(ReadFile(dr + "/seed-2/fc.cfg"), ReadFile(dm + "/seed-2/fc.cfg"));

    // Runs are found by seed: the same seeds again need --resume; another
    // seed joins the store as its own runs.
    Result again = Pesim(args + "--seeds 5 --out " + dm);
    EXPECT_EQ(again.status, 2);
    EXPECT_NE(again.err.find("already has run 4 of 'conv_a' (annealing, seed 5"), std::string::npos) << again.err;
    Result more = Pesim(args + "--seeds 11 --out " + dm + " --json -");
    ASSERT_EQ(more.status, 0) << more.err;
    EXPECT_EQ(ParseJson(more.out)["seeds"].arr[0]["layers"].arr[0]["run_id"].num, 10);

    const std::string base = std::string("search --arch ") + kMicroArch + " --workload " + kMicro + " --out " + dm;
    struct Case {
        std::string args, msg;
    } cases[] = {
        {base + " --seeds 3-1", "--seeds 3-1: expected seeds and ranges"},
        {base + " --seeds 1,,2", "--seeds 1,,2: expected"},
        {base + " --seeds x", "--seeds x: expected"},
        {base + " --seeds 1,2-4,3", "seed 3 is given twice"},
        {base + " --seeds 1-5000", "more than 4096 seeds"},
        {base + " --seed 1 --seeds 1-2", "--seed S runs one seed, --seeds LIST several: give one"},
    };
    for (const Case &c : cases) {
        Result b = Pesim(c.args);
        EXPECT_EQ(b.status, 2) << c.args << "\n" << b.err;
        EXPECT_NE(b.err.find(c.msg), std::string::npos) << c.args << "\n" << b.err;
    }
}

TEST(SearchCli, SeedsOfAHardwareSearchAreTheSingleSeedRuns)
{
    // --experiment (and --placement) with --seeds: a run per seed in one
    // store, each seed's design in DIR/seed-S, resumed seed by seed.
    const std::string dp = TempDir("xseedsp"), dm = TempDir("xseedsm");
    const std::string args = "search --experiment tests/data/search/tiny_sweep.cfg --algo random --budget 40 --batch 8 ";
    std::vector<Json> single;
    for (const char *seed : {"1", "3"}) {
        Result r = Pesim(args + "--seed " + seed + " --db " + dp + "/s.db --out " + dp + "/seed-" + seed +
                         (std::string(seed) == "3" ? " --new-run" : "") + " --json -");
        ASSERT_EQ(r.status, 0) << r.err;
        single.push_back(ParseJson(r.out));
    }
    Result m = Pesim(args + "--seeds 1,3 --out " + dm + " --json " + dm + "/out.json");
    ASSERT_EQ(m.status, 0) << m.err;
    std::vector<std::string> rows = StoreRows(dm + "/search.db");
    EXPECT_EQ(rows.size(), 2u + 80u);
    EXPECT_EQ(rows, StoreRows(dp + "/s.db"));
    for (const char *f : {"/seed-1/best_arch.cfg", "/seed-3/best_arch.cfg", "/seed-3/convergence.csv"})
        EXPECT_EQ(ReadFile(dm + f), ReadFile(dp + f)) << f;
    Json j = ParseJson(ReadFile(dm + "/out.json"));
    ASSERT_EQ(j["seeds"].arr.size(), 2u);
    for (size_t k = 0; k < 2; k++) {
        EXPECT_EQ(j["seeds"].arr[k]["best"]["objective"].num, single[k]["best"]["objective"].num);
        EXPECT_EQ(j["seeds"].arr[k]["run_id"].num, (double)(k + 1));
    }
    EXPECT_EQ(j["summary"]["min_objective"].num,
              std::min(single[0]["best"]["objective"].num, single[1]["best"]["objective"].num));

    // the second seed's run cut to 16 evaluations: --resume replays the first, continues the second
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open((dm + "/search.db").c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "DELETE FROM evals WHERE (id >> 40) = 2 AND (id & 1099511627775) >= 16; "
                              "UPDATE runs SET finished = NULL, status = 'running' WHERE id = 2;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
    Result r = Pesim(args + "--seeds 1,3 --resume --out " + dm + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    Json jr = ParseJson(r.out);
    EXPECT_EQ(jr["seeds"].arr[0]["resumed_samples"].num, 40);
    EXPECT_EQ(jr["seeds"].arr[1]["resumed_samples"].num, 16);
    EXPECT_EQ(StoreRows(dm + "/search.db"), rows);
}
