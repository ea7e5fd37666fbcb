// tests/mpi_test.cc - `mpirun -np 3 pesim search|sweep` on one machine
// (--oversubscribe): the same best design and the same stored evaluations as
// the single-process run with the same seed and batch; a worker rank killed
// part-way ends the job without corrupting the store, and --resume (without
// MPI, and with it) carries on to exactly the straight run, nothing lost or
// repeated. Runs the built binary (PESIM_BINARY) under the mpiexec CMake
// found (PESIM_MPIEXEC); skipped only when pesim is built without MPI.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "pesim/mpi.h"
#include "pesim/search.h"

#include "cli_run_util.h"
#include "store_cut.h"

namespace {

TEST(Mpi, OutsideAnMpiJobThereIsOneRankAndNoFarm)
{
    // A plain process is not an MPI job: pesim never initialises MPI there.
    EXPECT_FALSE(pesim_mpi_launched());
    EXPECT_EQ(pesim_mpi_init(nullptr, nullptr, nullptr), PESIM_OK);
    EXPECT_EQ(pesim_mpi_rank(), 0);
    EXPECT_EQ(pesim_mpi_size(), 1);
    pesim_eval_options eo;
    memset(&eo, 0, sizeof eo);
    pesim_mpi_farm *f = reinterpret_cast<pesim_mpi_farm *>(&eo);
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_mpi_farm_open("mapping", &eo, 1, nullptr, 0, &f, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(f, nullptr);
    EXPECT_NE(std::string(e.msg).find(pesim_mpi_built() ? "two ranks" : "without MPI"), std::string::npos) << e.msg;
    EXPECT_EQ(pesim_mpi_serve(nullptr, nullptr, nullptr, &e), PESIM_ERR_INVALID);
    pesim_mpi_finalize(); // a no-op
}

#ifdef PESIM_HAVE_MPI

// The launcher's environment (a shell prefix): mpirun refuses root (CI runs as
// root) unless told; under ASan, full stack unwinding so that the leaks Open
// MPI's components leave at exit have a frame in a named library for
// tests/lsan.supp to match (a component is unloaded before LSan reports, and
// the fast unwinder stops inside it). Ignored by a build without ASan.
std::string MpiEnv()
{
    const char *asan = getenv("ASAN_OPTIONS");
    std::string env = "ASAN_OPTIONS='" + std::string(asan && *asan ? std::string(asan) + ":" : "") +
                      "fast_unwind_on_malloc=0' ";
    if (geteuid() == 0) env += "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
    return env;
}

// `mpirun --oversubscribe -np N pesim ARGS` from the source root.
Result Mpirun(int np, const std::string &args)
{
    return Shell(MpiEnv() + "'" PESIM_MPIEXEC "' --oversubscribe -np " + std::to_string(np) + " '" PESIM_BINARY "' " +
                 args);
}

// The text output with the output directory's name taken out.
std::string Without(std::string s, const std::string &dir)
{
    for (size_t at; (at = s.find(dir)) != std::string::npos;) s.replace(at, dir.size(), "DIR");
    return s;
}

// One stored evaluation, every field but where and how long it ran (wall_s,
// cached: a worker rank has its own cache).
struct Row {
    int64_t run, sample;
    std::string choices, reason, violation;
    int valid;
    double objective, energy_pj, area_um2;
    int64_t cycles, hash;
    bool operator==(const Row &o) const
    {
        return run == o.run && sample == o.sample && choices == o.choices && reason == o.reason &&
               violation == o.violation && valid == o.valid && objective == o.objective &&
               energy_pj == o.energy_pj && area_um2 == o.area_um2 && cycles == o.cycles && hash == o.hash;
    }
};

std::string Text(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return t ? std::string(reinterpret_cast<const char *>(t)) : std::string("NULL");
}

// Waits (at most 60 s) until no process holds the store's lock: when
// mpiexec returns after a rank was killed, Open MPI may still be ending the
// other ranks, and rank 0 holds the store until it exits. 1 once free.
int WaitStoreFree(const std::string &path)
{
    for (int k = 0; k < 600; k++) {
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return 0;
        int got = flock(fd, LOCK_EX | LOCK_NB) == 0;
        close(fd); // releases the lock
        if (got) return 1;
        usleep(100000);
    }
    return 0;
}

// Every evaluation of the store, by run and sample; *runs gets the number of
// runs. pesim_store_open checks it first (PRAGMA quick_check included).
std::vector<Row> Stored(const std::string &path, int64_t *runs = nullptr)
{
    std::vector<Row> rows;
    pesim_store *st = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_store_open(path.c_str(), &st, &e), PESIM_OK) << path << ": " << e.msg;
    pesim_store_close(st);
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << path << ": " << sqlite3_errmsg(db);
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt *q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT run, sample, choices, valid, reason, objective, energy_pj, area_um2, "
                                 "cycles, design_hash, violation FROM evaluations ORDER BY run, sample",
                                 -1, &q, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    std::set<int64_t> ids;
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        Row r;
        r.run = sqlite3_column_int64(q, 0);
        r.sample = sqlite3_column_int64(q, 1);
        r.choices = Text(q, 2);
        r.valid = sqlite3_column_int(q, 3);
        r.reason = Text(q, 4);
        r.objective = sqlite3_column_double(q, 5);
        r.energy_pj = sqlite3_column_double(q, 6);
        r.area_um2 = sqlite3_column_double(q, 7);
        r.cycles = sqlite3_column_int64(q, 8);
        r.hash = sqlite3_column_int64(q, 9);
        r.violation = Text(q, 10);
        ids.insert(r.run);
        rows.push_back(r);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (runs) *runs = (int64_t)ids.size();
    return rows;
}

void ExpectSameRows(const std::vector<Row> &a, const std::vector<Row> &b)
{
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); i++)
        ASSERT_TRUE(a[i] == b[i]) << "row " << i << ": run " << a[i].run << " sample " << a[i].sample;
}

// The convergence CSVs and best mappings of two output directories are the same files.
void ExpectSameFiles(const std::string &d1, const std::string &d3, int want)
{
    DIR *dir = opendir(d1.c_str());
    ASSERT_NE(dir, nullptr);
    int files = 0;
    for (struct dirent *de; (de = readdir(dir));) {
        std::string n = de->d_name;
        if (n.size() < 4 || (n.substr(n.size() - 4) != ".cfg" && n.substr(n.size() - 4) != ".csv")) continue;
        EXPECT_EQ(ReadFile(d3 + "/" + n), ReadFile(d1 + "/" + n)) << n;
        files++;
    }
    closedir(dir);
    EXPECT_EQ(files, want);
}

TEST(Mpi, SearchOnThreeRanksIsTheSingleProcessSearch)
{
    // Every MAC layer of a network (a campaign per layer on rank 0, its
    // batches on the workers: they open and close a space per layer), two
    // evaluator threads per rank.
    const std::string d1 = TempDir("mpi1"), d3 = TempDir("mpi3");
    const std::string args = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg --algo genetic "
                             "--budget 300 --batch 16 --seed 7 --threads 2 --distribute batches --out ";
    Result one = Pesim(args + d1 + " --json " + d1 + "/out.json");
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, args + d3 + " --json " + d3 + "/out.json");
    ASSERT_EQ(three.status, 0) << three.err << three.out;
    EXPECT_EQ(Without(three.out, d3), Without(one.out, d1));
    int64_t runs = 0;
    std::vector<Row> r1 = Stored(d1 + "/search.db", &runs), r3 = Stored(d3 + "/search.db");
    EXPECT_GE(runs, 2);
    EXPECT_EQ((int64_t)r1.size(), 300 * runs);
    // rank 0 evaluated nothing itself: the workers did every evaluation
    Json j1 = ParseJson(ReadFile(d1 + "/out.json")), j3 = ParseJson(ReadFile(d3 + "/out.json"));
    EXPECT_EQ(j1["ranks"].num, 1);
    EXPECT_EQ(j3["ranks"].num, 3);
    EXPECT_EQ(j3["distribute"].str, "batches");
    ASSERT_EQ((int64_t)j3["layers"].arr.size(), runs);
    for (const Json &l : j3["layers"].arr) EXPECT_EQ(l["worker_evaluations"].num, 300);
    for (const Json &l : j1["layers"].arr) EXPECT_EQ(l["worker_evaluations"].num, 0);
    ExpectSameRows(r3, r1);
    ExpectSameFiles(d1, d3, 2 * (int)runs); // the same best mappings and convergence files
}

// The sweep SWEEP_ARGS (ending in a space) on one process into d1 and on 3
// ranks into d3, as NAME.csv / NAME.db (/ NAME.json on 3 ranks): every one of
// the `points` points evaluated on a worker, and the same CSV, printed output
// and stored rows as the single process.
void ExpectSweepOnThreeRanksIsOneProcess(const std::string &sweep_args, const std::string &d1, const std::string &d3,
                                         const std::string &name, size_t points)
{
    const std::string f1 = d1 + "/" + name, f3 = d3 + "/" + name;
    Result one = Pesim(sweep_args + "--csv " + f1 + ".csv --db " + f1 + ".db");
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, sweep_args + "--csv " + f3 + ".csv --db " + f3 + ".db --json " + f3 + ".json");
    ASSERT_EQ(three.status, 0) << three.err;
    Json j = ParseJson(ReadFile(f3 + ".json"));
    EXPECT_EQ(j["ranks"].num, 3);
    EXPECT_EQ(j["worker_evaluations"].num, (double)points);
    EXPECT_EQ(ReadFile(f3 + ".csv"), ReadFile(f1 + ".csv"));
    EXPECT_EQ(Without(three.out, d3), Without(one.out, d1));
    std::vector<Row> s1 = Stored(f1 + ".db");
    EXPECT_EQ(s1.size(), points);
    ExpectSameRows(Stored(f3 + ".db"), s1);
}

TEST(Mpi, HardwareSearchAndSweepOnThreeRanksAreTheSingleProcessOnes)
{
    const std::string d1 = TempDir("mpix1"), d3 = TempDir("mpix3");
    const std::string args = "--experiment tests/data/search/tiny_sweep.cfg --algo random --budget 40 --batch 8 --out ";
    Result one = Pesim("search " + args + d1);
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, "search " + args + d3 + " --json " + d3 + "/out.json");
    ASSERT_EQ(three.status, 0) << three.err;
    EXPECT_EQ(ParseJson(ReadFile(d3 + "/out.json"))["worker_evaluations"].num, 40);
    EXPECT_EQ(Without(three.out, d3), Without(one.out, d1));
    ExpectSameRows(Stored(d3 + "/search.db"), Stored(d1 + "/search.db"));
    EXPECT_EQ(ReadFile(d3 + "/best_arch.cfg"), ReadFile(d1 + "/best_arch.cfg"));

    // every point of the sweep (36), balanced over the two workers
    ExpectSweepOnThreeRanksIsOneProcess("sweep --experiment tests/data/search/tiny_sweep.cfg --threads 2 ", d1, d3,
                                        "sweep", 36);
}

// A rectified placement search (issue #16): the workers build the space from
// the recipe with --rectify too, so every candidate they evaluate is valid,
// and the rows are the single process's (a worker that built the unrectified
// space would be refused: its space's description differs).
TEST(Mpi, RectifiedPlacementSearchOnThreeRanksIsTheSingleProcessOne)
{
    const std::string d1 = TempDir("mpir1"), d3 = TempDir("mpir3");
    const std::string args = "--placement --rectify --arch tests/data/search/nnpi_small.cfg --workload "
                             "workloads/dqn_atari.cfg --algo random --budget 24 --batch 8 --objective latency --out ";
    Result one = Pesim("search " + args + d1);
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, "search " + args + d3 + " --json " + d3 + "/out.json");
    ASSERT_EQ(three.status, 0) << three.err;
    EXPECT_EQ(ParseJson(ReadFile(d3 + "/out.json"))["worker_evaluations"].num, 24);
    std::vector<Row> r1 = Stored(d1 + "/search.db");
    ASSERT_EQ(r1.size(), 24u);
    for (const Row &r : r1) EXPECT_EQ(r.valid, 1) << r.sample << " " << r.reason;
    ExpectSameRows(Stored(d3 + "/search.db"), r1);
    auto body = [](const std::string &d) {  // the header names the file's own path
        std::string t = ReadFile(d + "/best_placement.cfg");
        return t.substr(std::min(t.size(), t.find("\nplacement")));
    };
    EXPECT_EQ(body(d3), body(d1));
    EXPECT_NE(body(d1), "");
}

// The store as a kill leaves it: the samples >= keep of every run gone, every run running.
void KeepSamples(const std::string &db, int keep)
{
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    std::string sql = "DELETE FROM evals WHERE (id & 1099511627775) >= " + std::to_string(keep) +
                      "; UPDATE runs SET finished = NULL, status = 'running';";
    ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
    sqlite3_close(h);
}

TEST(Mpi, LayerSearchesOnTheWorkersAreTheSingleProcessSearch)
{
    // --distribute searches: each layer's whole search (algorithm included)
    // on a worker, the next layer to the first free worker; rank 0 stores.
    const std::string d1 = TempDir("mpil1"), d3 = TempDir("mpil3"), dk = TempDir("mpilk");
    const std::string args = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--algo annealing --budget 120 --batch 8 --seed 5 --distribute searches --out ";
    Result one = Pesim(args + d1 + " --json " + d1 + "/out.json");
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, args + d3 + " --json " + d3 + "/out.json");
    ASSERT_EQ(three.status, 0) << three.err << three.out;
    EXPECT_EQ(Without(three.out, d3), Without(one.out, d1));
    int64_t runs = 0;
    std::vector<Row> r1 = Stored(d1 + "/search.db", &runs);
    EXPECT_GE(runs, 3);
    EXPECT_EQ((int64_t)r1.size(), 120 * runs);
    ExpectSameRows(Stored(d3 + "/search.db"), r1);
    ExpectSameFiles(d1, d3, 2 * (int)runs);
    Json j3 = ParseJson(ReadFile(d3 + "/out.json"));
    EXPECT_EQ(j3["distribute"].str, "searches");
    ASSERT_EQ((int64_t)j3["layers"].arr.size(), runs);
    for (const Json &l : j3["layers"].arr) EXPECT_EQ(l["worker_evaluations"].num, 120);

    // A store killed part-way (60 samples of every layer): --resume on three
    // ranks with a larger budget is the straight single-process run of it.
    std::string cp = "cp " + d3 + "/search.db " + dk + "/search.db";
    ASSERT_EQ(system(cp.c_str()), 0);
    KeepSamples(dk + "/search.db", 60);
    const std::string more = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--algo annealing --budget 200 --batch 8 --seed 5 ";
    Result resumed = Mpirun(3, more + "--resume --out " + dk + " --json " + dk + "/out.json"); // auto: searches
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_EQ(ParseJson(ReadFile(dk + "/out.json"))["distribute"].str, "searches");
    Result straight = Pesim(more + "--out " + d1 + "/straight");
    ASSERT_EQ(straight.status, 0) << straight.err;
    std::vector<Row> rk = Stored(dk + "/search.db"), rs = Stored(d1 + "/straight/search.db");
    EXPECT_EQ((int64_t)rs.size(), 200 * runs);
    ExpectSameRows(rk, rs);
    ExpectSameFiles(d1 + "/straight", dk, 2 * (int)runs);

    Result bad = Pesim(more + "--distribute layers --out " + dk);
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("--distribute layers: expected auto, batches or searches"), std::string::npos) << bad.err;
}

TEST(Mpi, SweepPointsWithAnInnerSearchRunOnTheWorkers)
{
    // Each point an inner search over the layers, a point per worker thread
    // at a time, balanced dynamically; then a killed store resumes on MPI.
    const std::string d1 = TempDir("mpisw1"), d3 = TempDir("mpisw3");
    const std::string sw = "sweep --experiment tests/data/search/tiny_sweep.cfg --inner annealing --inner-budget 10 "
                           "--seed 3 --threads 2 ";
    ExpectSweepOnThreeRanksIsOneProcess(sw, d1, d3, "s", 36);
    if (::testing::Test::HasFatalFailure()) return;
    std::vector<Row> s1 = Stored(d1 + "/s.db");

    KeepSamples(d3 + "/s.db", 10);
    Result resumed = Mpirun(3, sw + "--resume --csv " + d3 + "/r.csv --db " + d3 + "/s.db --json " + d3 + "/r.json");
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_EQ(ParseJson(ReadFile(d3 + "/r.json"))["worker_evaluations"].num, 26);
    EXPECT_EQ(ReadFile(d3 + "/r.csv"), ReadFile(d1 + "/s.csv"));
    ExpectSameRows(Stored(d3 + "/s.db"), s1);

    // --param (each worker writes the experiment for itself)
    const std::string pa = "sweep --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                           "--param GLB.fanout_y=2,4 --param GLB.capacity_words=1024,4096 --inner annealing "
                           "--inner-budget 10 --csv ";
    Result one = Pesim(pa + d1 + "/p.csv");
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, pa + d3 + "/p.csv");
    ASSERT_EQ(three.status, 0) << three.err;
    EXPECT_EQ(ReadFile(d3 + "/p.csv"), ReadFile(d1 + "/p.csv"));
}

TEST(Mpi, AWorkerThatCannotBuildTheSpaceIsAClearError)
{
    // The workers start in another directory, where the relative paths name nothing.
    const std::string d = TempDir("mpiwdir");
    const std::string args = " search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--layer conv_a --budget 20 --db none --out " + d;
    Result r = Shell(MpiEnv() + "'" PESIM_MPIEXEC "' --oversubscribe -np 1 '" PESIM_BINARY "'" + args + " : -np 2 -wdir '" +
                     d + "' '" PESIM_BINARY "'" + args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("search: rank "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("could not load the inputs (tests/data/cli/tiny_arch.cfg"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("in " + d), std::string::npos) << r.err;

    // the same for whole layer searches and for a sweep's points with an inner search
    const std::string layers = " search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                               "--budget 20 --db none --distribute searches --out " + d;
    r = Shell(MpiEnv() + "'" PESIM_MPIEXEC "' --oversubscribe -np 1 '" PESIM_BINARY "'" + layers + " : -np 2 -wdir '" +
              d + "' '" PESIM_BINARY "'" + layers);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("search: rank "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("could not load the inputs (tests/data/cli/tiny_arch.cfg"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("in " + d), std::string::npos) << r.err;
    const std::string sw = " sweep --experiment tests/data/search/tiny_sweep.cfg --inner annealing --inner-budget 5 "
                           "--csv " + d + "/s.csv";
    r = Shell(MpiEnv() + "'" PESIM_MPIEXEC "' --oversubscribe -np 1 '" PESIM_BINARY "'" + sw + " : -np 2 -wdir '" + d +
              "' '" PESIM_BINARY "'" + sw);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("could not load the sweep's experiment tests/data/search/tiny_sweep.cfg in " + d),
              std::string::npos)
        << r.err;
}

TEST(Mpi, SeedsOnThreeRanksAreTheSingleProcessSeeds)
{
    // --seeds: every seed's layer searches (9) dealt to the two workers,
    // stored in seed order: the single process's runs, rows and files.
    const std::string d1 = TempDir("mpis1"), d3 = TempDir("mpis3"), dk = TempDir("mpisk");
    const std::string args = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--algo annealing --budget 100 --batch 8 --seeds 1-3 ";
    Result one = Pesim(args + "--out " + d1 + " --json " + d1 + "/out.json");
    ASSERT_EQ(one.status, 0) << one.err;
    Result three = Mpirun(3, args + "--out " + d3 + " --json " + d3 + "/out.json"); // auto: searches
    ASSERT_EQ(three.status, 0) << three.err << three.out;
    EXPECT_EQ(Without(three.out, d3), Without(one.out, d1));
    int64_t runs = 0;
    std::vector<Row> r1 = Stored(d1 + "/search.db", &runs);
    EXPECT_EQ(runs, 9);
    EXPECT_EQ(r1.size(), 900u);
    ExpectSameRows(Stored(d3 + "/search.db"), r1);
    for (const char *s : {"/seed-1", "/seed-2", "/seed-3"}) ExpectSameFiles(d1 + s, d3 + s, 6);
    Json j3 = ParseJson(ReadFile(d3 + "/out.json"));
    ASSERT_EQ(j3["seeds"].arr.size(), 3u);
    for (const Json &s : j3["seeds"].arr) {
        EXPECT_EQ(s["distribute"].str, "searches");
        for (const Json &l : s["layers"].arr) EXPECT_EQ(l["worker_evaluations"].num, 100);
    }
    EXPECT_EQ(j3["summary"]["min_objective"].num, ParseJson(ReadFile(d1 + "/out.json"))["summary"]["min_objective"].num);

    // cut in the second seed, resumed on three ranks: the first seed comes
    // from the store (no worker evaluates it), the rest as the straight run
    ASSERT_EQ(system(("cp " + d1 + "/search.db " + dk + "/search.db").c_str()), 0);
    CutAfterTheFirstSeed(dk + "/search.db", 30);
    Result resumed = Mpirun(3, args + "--resume --out " + dk + " --json " + dk + "/out.json");
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    ExpectSameRows(Stored(dk + "/search.db"), r1);
    for (const char *s : {"/seed-1", "/seed-2", "/seed-3"}) ExpectSameFiles(d1 + s, dk + s, 6);
    Json jk = ParseJson(ReadFile(dk + "/out.json"));
    for (const Json &l : jk["seeds"].arr[0]["layers"].arr) {
        EXPECT_EQ(l["worker_evaluations"].num, 0);
        EXPECT_EQ(l["resumed_samples"].num, 100);
    }
    EXPECT_EQ(jk["seeds"].arr[1]["layers"].arr[0]["resumed_samples"].num, 30);
    EXPECT_EQ(jk["seeds"].arr[2]["layers"].arr[2]["worker_evaluations"].num, 100);

    // the seeds one after another with their batches on the workers
    Result batches = Mpirun(3, "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                               "--algo annealing --budget 100 --batch 8 --seeds 1-2 --distribute batches --out " +
                                   d3 + "/b --json " + d3 + "/b.json");
    ASSERT_EQ(batches.status, 0) << batches.err;
    std::vector<Row> rb = Stored(d3 + "/b/search.db");
    ASSERT_EQ(rb.size(), 600u);
    ExpectSameRows(rb, std::vector<Row>(r1.begin(), r1.begin() + 600));
    EXPECT_EQ(ParseJson(ReadFile(d3 + "/b.json"))["seeds"].arr[1]["distribute"].str, "batches");

    // a hardware search's seeds, one after another, each seed's batches on the workers
    const std::string hw = "search --experiment tests/data/search/tiny_sweep.cfg --algo random --budget 40 --batch 8 "
                           "--seeds 1,3 --out ";
    Result h1 = Pesim(hw + d1 + "/hw");
    ASSERT_EQ(h1.status, 0) << h1.err;
    Result h3 = Mpirun(3, hw + d3 + "/hw --json " + d3 + "/hw.json");
    ASSERT_EQ(h3.status, 0) << h3.err;
    EXPECT_EQ(Without(h3.out, d3), Without(h1.out, d1));
    ExpectSameRows(Stored(d3 + "/hw/search.db"), Stored(d1 + "/hw/search.db"));
    Json jh = ParseJson(ReadFile(d3 + "/hw.json"));
    ASSERT_EQ(jh["seeds"].arr.size(), 2u);
    for (const Json &s : jh["seeds"].arr) EXPECT_EQ(s["worker_evaluations"].num, 40);
}

TEST(Mpi, AWorkerKilledDuringWholeSearchesLosesNothing)
{
    // mpiexec -np 3 pesim search --distribute searches: worker rank 1 kills
    // itself with SIGKILL when handed its second whole search
    // (PESIM_MPI_KILL_WORKER=1:1, a deterministic point instead of a timed
    // signal); Open MPI ends the job. By then rank 0 has stored the first
    // (rank 1 gets another search only after rank 0 stored its answer).
    const std::string dk = TempDir("mpiks"), ds = TempDir("mpiss"), dm = TempDir("mpism");
    const std::string args = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--algo annealing --budget 150 --batch 8 --seeds 4-6 --distribute searches ";
    Result straight = Pesim(args + "--out " + ds);
    ASSERT_EQ(straight.status, 0) << straight.err;
    std::vector<Row> want = Stored(ds + "/search.db");
    ASSERT_EQ(want.size(), 9u * 150u);

    Result killed = Shell("PESIM_MPI_KILL_WORKER=1:1 " + MpiEnv() + "'" PESIM_MPIEXEC
                          "' --oversubscribe -x PESIM_MPI_KILL_WORKER -np 3 '" PESIM_BINARY "' " + args + "--out " + dk);
    EXPECT_NE(killed.status, 0) << "the job went on without its worker";
    EXPECT_EQ(killed.out.find("store:"), std::string::npos) << killed.out; // no summary
    ASSERT_TRUE(WaitStoreFree(dk + "/search.db")) << "rank 0 outlived the job";
    // The store opens (quick_check) and holds whole layer searches only,
    // each as the straight run stored it: the first one at least.
    std::vector<Row> got = Stored(dk + "/search.db");
    ASSERT_GE(got.size(), 150u);
    ASSERT_LT(got.size(), want.size());
    ASSERT_EQ(got.size() % 150, 0u);
    for (const Row &r : got) {
        const Row &w = want[(size_t)(r.run - 1) * 150 + (size_t)r.sample];
        ASSERT_TRUE(r == w) << "run " << r.run << " sample " << r.sample;
    }
    EXPECT_EQ(got[0].run, 1);
    ASSERT_EQ(system(("cp -r " + dk + " " + dm + "/k").c_str()), 0);

    // --resume without MPI, and (from the same killed store) on three ranks:
    // each the straight run, nothing lost or repeated
    Result r = Pesim(args + "--resume --out " + dk);
    ASSERT_EQ(r.status, 0) << r.err;
    ExpectSameRows(Stored(dk + "/search.db"), want);
    r = Mpirun(3, args + "--resume --out " + dm + "/k --json " + dm + "/k.json");
    ASSERT_EQ(r.status, 0) << r.err;
    ExpectSameRows(Stored(dm + "/k/search.db"), want);
    for (const char *s : {"/seed-4", "/seed-5", "/seed-6"}) ExpectSameFiles(ds + s, dm + "/k" + s, 6);
    int64_t from_store = 0;
    Json jm = ParseJson(ReadFile(dm + "/k.json"));
    for (const Json &s : jm["seeds"].arr)
        for (const Json &l : s["layers"].arr) from_store += l["worker_evaluations"].num == 0;
    EXPECT_EQ(from_store * 150, (int64_t)got.size()); // the stored searches were not searched again
}

// Progress of whole searches on the workers: rank 0 draws the line when
// mpirun's stderr is a terminal (a pseudo-terminal from script(1); Open MPI
// pipes the ranks' stderr), and stays quiet when it is piped.
TEST(Mpi, ProgressOfWholeSearchesOnATerminalQuietWhenPiped)
{
    const std::string d = TempDir("mpiprog");
    const std::string args = "search --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg "
                             "--algo annealing --budget 50 --batch 8 --seeds 1-2 --db none --distribute searches --out " +
                             d;
    Result piped = Shell("PESIM_PROGRESS_DELAY_S=0 " + MpiEnv() + "'" PESIM_MPIEXEC "' --oversubscribe -np 3 '" PESIM_BINARY
                         "' " + args);
    ASSERT_EQ(piped.status, 0) << piped.err;
    EXPECT_EQ(piped.err.find("pesim: search:"), std::string::npos) << piped.err;
    Result tty = Shell("PESIM_PROGRESS_DELAY_S=0 " + MpiEnv() + "script -qec \"'" PESIM_MPIEXEC
                       "' --oversubscribe -np 3 '" PESIM_BINARY "' " + args + " >/dev/null\" /dev/null </dev/null");
    ASSERT_EQ(tty.status, 0) << tty.err;
    EXPECT_NE(tty.out.find("pesim: search: 6 of 6 searches done, 2 of 2 seeds (last: "), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("300/300 samples"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("/s, ETA 0 s"), std::string::npos) << tty.out;
}

// The pid of the MPI rank `rank` among the processes under `launcher`.
pid_t RankPid(pid_t launcher, int rank)
{
    const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
    DIR *proc = opendir("/proc");
    if (!proc) return -1;
    pid_t found = -1;
    for (struct dirent *de; found < 0 && (de = readdir(proc));) {
        pid_t pid = (pid_t)atoi(de->d_name);
        if (pid <= 0) continue;
        std::string stat = ReadFile("/proc/" + std::string(de->d_name) + "/stat");
        size_t rp = stat.rfind(')');
        if (rp == std::string::npos) continue;
        int ppid = 0;
        char state;
        if (sscanf(stat.c_str() + rp + 1, " %c %d", &state, &ppid) != 2 || ppid != launcher) continue;
        std::string env = ReadFile("/proc/" + std::string(de->d_name) + "/environ");
        for (size_t at = 0; at < env.size();) {
            size_t end = env.find('\0', at);
            if (end == std::string::npos) end = env.size();
            if (env.compare(at, end - at, want) == 0) found = pid;
            at = end + 1;
        }
    }
    closedir(proc);
    return found;
}

TEST(Mpi, AWorkerKilledMidRunLosesNothingAndResumeCarriesOn)
{
    const std::string d = TempDir("mpikill"), dm = TempDir("mpistraight");
    const std::string common = "--arch tests/data/search/micro_arch.cfg --workload tests/data/search/micro.cfg "
                               "--algo annealing --seed 3 --batch 16 ";
    // A search that would run for hours, killed once it has stored some batches.
    pid_t pid = fork();
    if (pid == 0) {
        int o = open((d + "/stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open((d + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o >= 0) dup2(o, 1);
        if (e >= 0) dup2(e, 2);
        std::string cmd = MpiEnv() + "exec '" PESIM_MPIEXEC "' --oversubscribe -np 3 '" PESIM_BINARY "' search " + common +
                          "--budget 1000000000 --out " + d;
        execl("/bin/sh", "sh", "-c", cmd.c_str(), (char *)nullptr);
        _exit(127);
    }
    ASSERT_GT(pid, 0);
    std::string csv;
    {
        DIR *dir = nullptr;
        for (int i = 0; i < 600000 && !dir; i++) { // the layer's CSV appears once the search runs
            struct stat st;
            dir = opendir(d.c_str());
            csv.clear();
            for (struct dirent *de; dir && (de = readdir(dir));) {
                std::string n = de->d_name;
                if (n.size() > 4 && n.substr(n.size() - 4) == ".csv") csv = d + "/" + n;
            }
            if (dir) closedir(dir);
            dir = nullptr;
            if (!csv.empty() && stat(csv.c_str(), &st) == 0 && st.st_size > 20000) break;
            int wst;
            ASSERT_NE(waitpid(pid, &wst, WNOHANG), pid) << ReadFile(d + "/stderr");
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, nullptr);
        }
    }
    pid_t worker = -1;
    for (int i = 0; i < 1000 && worker < 0; i++) worker = RankPid(pid, 1);
    ASSERT_GT(worker, 0) << "no rank 1 under mpirun " << pid;
    ASSERT_EQ(kill(worker, SIGKILL), 0);
    int wst = 0;
    ASSERT_EQ(waitpid(pid, &wst, 0), pid);
    EXPECT_FALSE(WIFEXITED(wst) && WEXITSTATUS(wst) == 0) << "the job went on without its worker";
    ASSERT_TRUE(WaitStoreFree(d + "/search.db")) << "rank 0 outlived the job";

    // The store opens (quick_check passes) and holds samples 0..S-1 of one run.
    std::vector<Row> killed = Stored(d + "/search.db");
    const int64_t S = (int64_t)killed.size();
    ASSERT_GT(S, 0);
    RecordProperty("stored_when_killed", std::to_string(S));
    for (int64_t i = 0; i < S; i++) ASSERT_EQ(killed[i].sample, i);

    // --resume without MPI to S + 48, then with MPI to S + 96: each the straight run.
    const std::string more = std::to_string(S + 48), most = std::to_string(S + 96);
    Result r = Pesim("search " + common + "--budget " + more + " --resume --out " + d);
    ASSERT_EQ(r.status, 0) << r.err;
    Result s = Pesim("search " + common + "--budget " + more + " --out " + dm);
    ASSERT_EQ(s.status, 0) << s.err;
    std::vector<Row> resumed = Stored(d + "/search.db"), straight = Stored(dm + "/search.db");
    EXPECT_EQ((int64_t)resumed.size(), S + 48);
    ExpectSameRows(resumed, straight);
    for (int64_t i = 0; i < S; i++) ASSERT_TRUE(resumed[i] == killed[i]); // nothing repeated or changed

    r = Mpirun(3, "search " + common + "--budget " + most + " --resume --out " + d);
    ASSERT_EQ(r.status, 0) << r.err;
    s = Pesim("search " + common + "--budget " + most + " --resume --out " + dm);
    ASSERT_EQ(s.status, 0) << s.err;
    resumed = Stored(d + "/search.db");
    EXPECT_EQ((int64_t)resumed.size(), S + 96);
    ExpectSameRows(resumed, Stored(dm + "/search.db"));
    EXPECT_EQ(ReadFile(d + "/stdout").find("best"), std::string::npos); // the killed job printed no summary
}

#else

TEST(Mpi, BuiltWithoutMpi)
{
    GTEST_SKIP() << "pesim is built without Open MPI (scripts/setup.sh installs libopenmpi-dev)";
}

#endif

} // namespace
