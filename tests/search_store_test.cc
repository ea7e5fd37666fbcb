// search_store_test.cc - the SQLite result store: round trip, resume, replay
// order, best, durability against SIGKILL, and the errors (locked, corrupt,
// wrong schema, read-only) that must name the file and touch nothing.
#include <gtest/gtest.h>

#include "search_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/search.h"
}

namespace {


std::string slurp(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool exists(const std::string &path)
{
    struct stat sb;
    return stat(path.c_str(), &sb) == 0;
}

std::string formatted(const pesim_error &e)
{
    char buf[1024];
    return pesim_error_format(&e, buf, sizeof buf);
}

pesim_result make_result(int k, int valid)
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.valid = valid;
    r.cycles = 1000 + 7 * k;
    r.energy_pj = 0.5 + k;
    r.area_um2 = 12345.25;
    r.objective = valid ? (double)(100 - (k * 37) % 100) : PESIM_INVALID_PENALTY;
    r.design_hash = 0xfedcba9876543210ULL + (uint64_t)k; // top bit set: the int64 bit pattern round-trips
    r.fidelity = k % 2 ? PESIM_FIDELITY_CYCLE : PESIM_FIDELITY_ANALYTICAL;
    r.wall_s = 1e-6 * k;
    r.cached = k % 3 == 0;
    r.violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    if (!valid) {
        snprintf(r.reason, sizeof r.reason, "capacity exceeded at GLB for inputs (%d)", k);
        r.violation = pesim_violation_make(PESIM_VIOLATION_CAPACITY);
        r.violation.level = 1, r.violation.tensor = 1, r.violation.layer = k % 3;
        r.violation.amount = 100 + k, r.violation.limit = 64;
    }
    return r;
}

std::vector<int32_t> make_choices(int k, int np)
{
    std::vector<int32_t> c((size_t)np);
    for (int i = 0; i < np; i++) c[(size_t)i] = (k * 31 + i * 7) % 50;
    return c;
}

pesim_run_info make_info(const char *label, const char *algo, uint64_t seed, int64_t budget)
{
    pesim_run_info i;
    memset(&i, 0, sizeof i);
    snprintf(i.label, sizeof i.label, "%s", label);
    snprintf(i.space, sizeof i.space, "mapping arch=x layer=y");
    snprintf(i.algo, sizeof i.algo, "%s", algo);
    i.seed = seed;
    i.budget = budget;
    snprintf(i.objective, sizeof i.objective, "edp");
    snprintf(i.fidelity, sizeof i.fidelity, "analytical");
    i.batch = 4;
    snprintf(i.algo_options, sizeof i.algo_options, "population=64");
    snprintf(i.eval_options, sizeof i.eval_options, "weights=1,1,0");
    return i;
}

// Reads samples [0, n) of a run.
std::vector<pesim_result> read_all(pesim_store *st, int64_t run, int np, int64_t n,
                                   std::vector<std::vector<int32_t>> *choices = nullptr)
{
    std::vector<int32_t> x((size_t)(n + 1) * np);
    std::vector<pesim_result> r((size_t)n + 1);
    int32_t got = -1;
    pesim_error e;
    EXPECT_EQ(pesim_store_read(st, run, 0, (int32_t)n + 1, np, x.data(), r.data(), &got, &e), PESIM_OK)
        << formatted(e);
    EXPECT_EQ(got, n);
    r.resize((size_t)(got > 0 ? got : 0));
    if (choices)
        for (int32_t i = 0; i < got; i++)
            choices->emplace_back(&x[(size_t)i * np], &x[(size_t)(i + 1) * np]);
    return r;
}

const uint64_t kSeed = 0x8000000000000001ULL; // above INT64_MAX

// A new store at path with one run of label "s"; false (and a test failure) if not.
bool open_with_run(const std::string &path, pesim_store **st, int64_t *run)
{
    pesim_error e;
    pesim_run_info info = make_info("s", "random", 1, 10);
    EXPECT_EQ(pesim_store_open(path.c_str(), st, &e), PESIM_OK) << formatted(e);
    if (!*st) return false;
    EXPECT_EQ(pesim_store_new_run(*st, &info, "", run, &e), PESIM_OK) << formatted(e);
    return !::testing::Test::HasFailure();
}

TEST(SearchStore, RoundTripRunsAndReads)
{
    TempDir dir;
    const std::string db = dir.file("campaign.db");
    const int np = 17;
    pesim_error e;
    pesim_store *st = nullptr;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    EXPECT_EQ(std::string(pesim_store_path(st)), db);
    pesim_run_info info = make_info("conv1", "genetic", kSeed, 100), have;
    int found = -1;
    ASSERT_EQ(pesim_store_find_run(st, "conv1", info.space, &have, &found, &e), PESIM_OK);
    EXPECT_EQ(found, 0);
    int64_t run = 0;
    ASSERT_EQ(pesim_store_new_run(st, &info, "cfg = 1;", &run, &e), PESIM_OK) << formatted(e);
    EXPECT_GT(run, 0);
    // 10 single adds, a committed batch of 15, two queued batches of 5
    for (int k = 0; k < 10; k++) {
        std::vector<int32_t> c = make_choices(k, np);
        pesim_result r = make_result(k, k % 4 != 1);
        ASSERT_EQ(pesim_store_add(st, run, k, c.data(), np, &r, &e), PESIM_OK) << formatted(e);
    }
    for (int first : {10, 25, 30}) {
        int n = first == 10 ? 15 : 5;
        std::vector<int32_t> c;
        std::vector<pesim_result> r;
        for (int k = first; k < first + n; k++) {
            std::vector<int32_t> x = make_choices(k, np);
            c.insert(c.end(), x.begin(), x.end());
            r.push_back(make_result(k, k % 4 != 1));
        }
        if (first == 10)
            ASSERT_EQ(pesim_store_add_batch(st, run, first, n, c.data(), np, r.data(), &e), PESIM_OK) << formatted(e);
        else
            ASSERT_EQ(pesim_store_queue(st, run, first, n, c.data(), np, r.data(), &e), PESIM_OK) << formatted(e);
    }
    ASSERT_EQ(pesim_store_flush(st, &e), PESIM_OK) << formatted(e);
    // a duplicate sample is refused, with nothing of its batch kept
    {
        std::vector<int32_t> c = make_choices(0, np);
        std::vector<int32_t> c2 = c;
        c2.insert(c2.end(), c.begin(), c.end());
        pesim_result r2[2] = {make_result(35, 1), make_result(3, 1)};
        EXPECT_EQ(pesim_store_add_batch(st, run, 34, 2, c2.data(), np, r2, &e), PESIM_ERR_INVALID);
        EXPECT_NE(std::string(e.msg).find("already recorded"), std::string::npos) << e.msg;
    }
    // best: the lowest valid objective, earliest on ties
    int64_t best_sample = -1;
    pesim_result best;
    std::vector<int32_t> best_c((size_t)np);
    ASSERT_EQ(pesim_store_best(st, run, np, best_c.data(), &best, &best_sample, &found, &e), PESIM_OK);
    ASSERT_EQ(found, 1);
    double want = 1e308;
    int64_t want_k = -1;
    for (int k = 0; k < 35; k++) {
        pesim_result r = make_result(k, k % 4 != 1);
        if (r.valid && r.objective < want) want = r.objective, want_k = k;
    }
    EXPECT_EQ(best_sample, want_k);
    EXPECT_EQ(best.objective, want);
    EXPECT_EQ(best_c, make_choices((int)want_k, np));
    pesim_store_close(st);

    // the run is found again by label and space, with its options and count
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_store_find_run(st, "conv1", info.space, &have, &found, &e), PESIM_OK);
    ASSERT_EQ(found, 1);
    EXPECT_EQ(have.id, run);
    EXPECT_EQ(have.samples, 35);
    EXPECT_EQ(have.seed, kSeed);
    EXPECT_STREQ(have.algo, "genetic");
    EXPECT_STREQ(have.algo_options, "population=64");
    EXPECT_STREQ(have.eval_options, "weights=1,1,0");
    EXPECT_EQ(have.batch, 4);
    EXPECT_EQ(have.finished, 0);
    ASSERT_EQ(pesim_store_find_run(st, "conv2", info.space, &have, &found, &e), PESIM_OK);
    EXPECT_EQ(found, 0) << "another label is another search";
    std::vector<std::vector<int32_t>> got_c;
    std::vector<pesim_result> got = read_all(st, run, np, 35, &got_c);
    for (int k = 0; k < (int)got.size(); k++) {
        EXPECT_EQ(got_c[(size_t)k], make_choices(k, np));
        pesim_result r = make_result(k, k % 4 != 1);
        const pesim_result &y = got[(size_t)k];
        EXPECT_EQ(y.valid, r.valid);
        EXPECT_STREQ(y.reason, r.reason);
        EXPECT_EQ(y.violation.kind, r.valid ? PESIM_VIOLATION_NONE : r.violation.kind);
        if (!r.valid) {
            EXPECT_EQ(y.violation.level, r.violation.level);
            EXPECT_EQ(y.violation.tensor, r.violation.tensor);
            EXPECT_EQ(y.violation.layer, r.violation.layer);
            EXPECT_EQ(y.violation.amount, r.violation.amount);
            EXPECT_EQ(y.violation.limit, r.violation.limit);
        }
        EXPECT_EQ(y.cycles, r.cycles);
        EXPECT_EQ(y.energy_pj, r.energy_pj);
        EXPECT_EQ(y.area_um2, r.area_um2);
        EXPECT_EQ(y.objective, r.objective);
        EXPECT_EQ(y.design_hash, r.design_hash);
        EXPECT_EQ(y.fidelity, r.fidelity);
        EXPECT_EQ(y.wall_s, r.wall_s);
        EXPECT_EQ(y.cached, r.cached);
    }
    // a read with another parameter count is refused
    {
        std::vector<int32_t> x((size_t)(np + 1) * 5);
        std::vector<pesim_result> r(5);
        int32_t n = 0;
        EXPECT_EQ(pesim_store_read(st, run, 0, 5, np + 1, x.data(), r.data(), &n, &e), PESIM_ERR_INVALID);
        EXPECT_NE(std::string(e.msg).find("not this space"), std::string::npos) << e.msg;
    }
    ASSERT_EQ(pesim_store_finish_run(st, run, &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_store_find_run(st, "conv1", info.space, &have, &found, &e), PESIM_OK);
    EXPECT_EQ(have.finished, 1);
    ASSERT_EQ(pesim_store_reopen_run(st, run, 200, &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_store_find_run(st, "conv1", info.space, &have, &found, &e), PESIM_OK);
    EXPECT_EQ(have.finished, 0);
    EXPECT_EQ(have.budget, 200);
    ASSERT_EQ(pesim_store_finish_run(st, run, &e), PESIM_OK) << formatted(e);
    EXPECT_EQ(pesim_store_finish_run(st, 9999, &e), PESIM_ERR_INVALID);
    pesim_store_close(st);
    pesim_store_close(nullptr);

    // the tables and the views, as a user would query them
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt *q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw,
                                 "SELECT algorithm, seed, budget, config, status, finished IS NOT NULL, label FROM runs "
                                 "WHERE id = ?1",
                                 -1, &q, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(q, 1, run);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 0), "genetic");
    EXPECT_EQ((uint64_t)sqlite3_column_int64(q, 1), kSeed);
    EXPECT_EQ(sqlite3_column_int64(q, 2), 200); // the budget of the reopened run
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 3), "cfg = 1;");
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 4), "finished");
    EXPECT_EQ(sqlite3_column_int(q, 5), 1);
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 6), "conv1");
    sqlite3_finalize(q);
    ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT sample, best FROM best_so_far WHERE run = ?1 ORDER BY sample", -1, &q,
                                 nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(q, 1, run);
    double running = 1e308;
    int rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        pesim_result r = make_result(rows, rows % 4 != 1);
        if (r.valid && r.objective < running) running = r.objective;
        EXPECT_EQ(sqlite3_column_int64(q, 0), rows);
        EXPECT_EQ(sqlite3_column_double(q, 1), running);
        rows++;
    }
    EXPECT_EQ(rows, 35);
    sqlite3_finalize(q);
    ASSERT_EQ(sqlite3_prepare_v2(raw,
                                 "SELECT valid, fidelity, cached, violation, violation_level, violation_tensor, "
                                 "violation_amount, violation_limit, choices FROM evaluations WHERE run = ?1 AND sample = 5",
                                 -1, &q, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(q, 1, run);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    pesim_result r5 = make_result(5, 0);
    EXPECT_EQ(sqlite3_column_int(q, 0), 0);
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 1), "cycle");
    EXPECT_EQ(sqlite3_column_int(q, 2), 0);
    EXPECT_STREQ((const char *)sqlite3_column_text(q, 3), "capacity");
    EXPECT_EQ(sqlite3_column_int(q, 4), r5.violation.level);
    EXPECT_EQ(sqlite3_column_int(q, 5), r5.violation.tensor);
    EXPECT_EQ(sqlite3_column_double(q, 6), r5.violation.amount);
    EXPECT_EQ(sqlite3_column_double(q, 7), r5.violation.limit);
    std::string text = (const char *)sqlite3_column_text(q, 8);
    EXPECT_EQ(text.substr(0, text.find(',')), std::to_string(make_choices(5, np)[0]));
    sqlite3_finalize(q);
    sqlite3_close(raw);
}

// A process killed right after its adds return (and after a flush of queued
// batches) loses nothing.
TEST(SearchStore, DurableAgainstSigkill)
{
    TempDir dir;
    const std::string db = dir.file("kill.db");
    const int np = 5;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        pesim_store *st = nullptr;
        pesim_error e;
        int64_t run;
        pesim_run_info info = make_info("s", "random", 1, 10);
        if (pesim_store_open(db.c_str(), &st, &e) || pesim_store_new_run(st, &info, "", &run, &e)) _exit(3);
        for (int k = 0; k < 7; k++) {
            std::vector<int32_t> c = make_choices(k, np);
            pesim_result r = make_result(k, 1);
            if (pesim_store_add(st, run, k, c.data(), np, &r, &e)) _exit(4);
        }
        for (int k = 7; k < 10; k++) {
            std::vector<int32_t> c = make_choices(k, np);
            pesim_result r = make_result(k, 1);
            if (pesim_store_queue(st, run, k, 1, c.data(), np, &r, &e)) _exit(4);
        }
        if (pesim_store_flush(st, &e)) _exit(6);
        raise(SIGKILL); // no close, no checkpoint
        _exit(5);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
    pesim_store *st = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    pesim_run_info have;
    int found = 0;
    ASSERT_EQ(pesim_store_find_run(st, "s", make_info("s", "random", 1, 10).space, &have, &found, &e), PESIM_OK);
    ASSERT_EQ(found, 1);
    EXPECT_EQ(have.samples, 10);
    std::vector<std::vector<int32_t>> c;
    read_all(st, have.id, np, 10, &c);
    ASSERT_EQ(c.size(), 10u);
    EXPECT_EQ(c[9], make_choices(9, np));
    pesim_store_close(st);
}

// A failed write of the writer thread (a duplicate sample) is reported by
// the flush, and the store stays usable for reads.
TEST(SearchStore, QueuedFailureIsReported)
{
    TempDir dir;
    pesim_error e;
    pesim_store *st = nullptr;
    int64_t run;
    ASSERT_TRUE(open_with_run(dir.file("q.db"), &st, &run));
    std::vector<int32_t> c = make_choices(0, 3);
    pesim_result r = make_result(0, 1);
    ASSERT_EQ(pesim_store_queue(st, run, 0, 1, c.data(), 3, &r, &e), PESIM_OK);
    pesim_store_queue(st, run, 0, 1, c.data(), 3, &r, &e);  // the same sample again
    EXPECT_EQ(pesim_store_flush(st, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("already recorded"), std::string::npos) << e.msg;
    pesim_store_close(st);
}

TEST(SearchStore, LockedFailsFast)
{
    TempDir dir;
    const std::string db = dir.file("locked.db");
    pesim_error e;
    pesim_store *st = nullptr;
    int64_t run;
    ASSERT_TRUE(open_with_run(db, &st, &run));

    // another connection takes the write lock and holds it (in WAL mode,
    // BEGIN EXCLUSIVE is the write lock; readers are not blocked)
    sqlite3 *other = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE; UPDATE runs SET budget = budget", nullptr, nullptr, nullptr),
              SQLITE_OK);
    // an open store cannot write: a clear error, fast
    std::vector<int32_t> c = make_choices(0, 3);
    pesim_result r = make_result(0, 1);
    EXPECT_EQ(pesim_store_add(st, run, 0, c.data(), 3, &r, &e), PESIM_ERR_IO);
    EXPECT_NE(formatted(e).find("locked"), std::string::npos) << formatted(e);
    EXPECT_NE(formatted(e).find(db), std::string::npos) << formatted(e);
    // a second pesim handle is refused while the first is open
    pesim_store *st2 = nullptr;
    EXPECT_EQ(pesim_store_open(db.c_str(), &st2, &e), PESIM_ERR_IO);
    EXPECT_EQ(st2, nullptr);
    EXPECT_NE(formatted(e).find("in use by another pesim process"), std::string::npos) << formatted(e);
    pesim_store_close(st);
    // with the pesim handle closed, the SQLite lock is what stops a new one
    EXPECT_EQ(pesim_store_open(db.c_str(), &st2, &e), PESIM_ERR_IO);
    EXPECT_EQ(st2, nullptr);
    EXPECT_NE(formatted(e).find("locked"), std::string::npos) << formatted(e);
    EXPECT_NE(formatted(e).find(db), std::string::npos) << formatted(e);

    // released: it opens and writes again
    ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    EXPECT_EQ(pesim_store_add(st, run, 0, c.data(), 3, &r, &e), PESIM_OK) << formatted(e);
    pesim_store_close(st);

    // a connection in exclusive locking mode shuts out even readers: the
    // read-only inspection fails, fast, and names the file
    ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE runs SET budget = budget",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(pesim_store_open(db.c_str(), &st2, &e), PESIM_ERR_IO);
    EXPECT_NE(formatted(e).find("locked"), std::string::npos) << formatted(e);
    EXPECT_NE(formatted(e).find(db), std::string::npos) << formatted(e);
    ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    ASSERT_EQ(pesim_store_open(db.c_str(), &st2, &e), PESIM_OK) << formatted(e);
    pesim_store_close(st2);
}

// A store another process has open (idle, holding no SQLite lock) is
// refused with a clear message, and left as it was.
TEST(SearchStore, InUseByAnotherProcess)
{
    TempDir dir;
    const std::string db = dir.file("busy.db");
    pesim_error e;
    pesim_store *st = nullptr;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    pesim_store_close(st);
    int to_child[2], to_parent[2];
    ASSERT_EQ(pipe(to_child), 0);
    ASSERT_EQ(pipe(to_parent), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        pesim_store *mine = nullptr;
        pesim_error ce;
        char c = pesim_store_open(db.c_str(), &mine, &ce) == PESIM_OK ? 'y' : 'n';
        if (write(to_parent[1], &c, 1) != 1) _exit(2);
        if (read(to_child[0], &c, 1) != 1) _exit(2);  // until the parent is done
        pesim_store_close(mine);
        _exit(0);
    }
    char c = 0;
    ASSERT_EQ(read(to_parent[0], &c, 1), 1);
    ASSERT_EQ(c, 'y');
    const std::string before = slurp(db);
    EXPECT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_ERR_IO);
    EXPECT_EQ(st, nullptr);
    EXPECT_NE(formatted(e).find("in use by another pesim process"), std::string::npos) << formatted(e);
    EXPECT_NE(formatted(e).find(db), std::string::npos) << formatted(e);
    EXPECT_EQ(slurp(db), before);
    ASSERT_EQ(write(to_child[1], "x", 1), 1);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);  // free again
    pesim_store_close(st);
    close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

// Not a store: random bytes, a text file, an SQLite database of another
// schema or version. Each is an error naming the file, and the file is left
// byte for byte as it was, with no journal or WAL file created next to it.
TEST(SearchStore, CorruptOrForeignFilesUntouched)
{
    TempDir dir;
    struct Case {
        const char *name;
        std::string expect;
    };
    std::vector<Case> cases;
    // random bytes
    {
        std::string p = dir.file("random.db");
        std::ofstream f(p, std::ios::binary);
        uint64_t x = 88172645463325252ull;
        for (int i = 0; i < 8192; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            f.put((char)(x & 0xff));
        }
        cases.push_back({"random.db", "not a pesim store"});
    }
    // text
    {
        std::ofstream f(dir.file("notes.txt"));
        f << "my precious notes\n";
        cases.push_back({"notes.txt", "not a pesim store"});
    }
    // an SQLite database with someone else's tables
    {
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open(dir.file("foreign.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE customers(id INTEGER, name TEXT); INSERT INTO customers VALUES(1, 'a')",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
        cases.push_back({"foreign.db", "not a pesim store"});
    }
    // a pesim store of a future schema version
    {
        pesim_store *st = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_store_open(dir.file("future.db").c_str(), &st, &e), PESIM_OK);
        pesim_store_close(st);
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open(dir.file("future.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
        cases.push_back({"future.db", "schema version 99"});
    }
    // a store whose last pages are garbage (a torn or overwritten tail)
    {
        const std::string p = dir.file("tail.db");
        pesim_store *st = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_store_open(p.c_str(), &st, &e), PESIM_OK);
        pesim_run_info info = make_info("s", "random", 1, 3000);
        int64_t run;
        ASSERT_EQ(pesim_store_new_run(st, &info, "", &run, &e), PESIM_OK);
        std::vector<int32_t> c;
        std::vector<pesim_result> r;
        for (int k = 0; k < 3000; k++) {
            std::vector<int32_t> x = make_choices(k, 20);
            c.insert(c.end(), x.begin(), x.end());
            r.push_back(make_result(k, k % 2));
        }
        ASSERT_EQ(pesim_store_add_batch(st, run, 0, 3000, c.data(), 20, r.data(), &e), PESIM_OK);
        pesim_store_close(st);  // the last connection: the WAL is checkpointed into the file
        ASSERT_FALSE(exists(p + "-wal"));
        struct stat sb;
        ASSERT_EQ(stat(p.c_str(), &sb), 0);
        ASSERT_GT(sb.st_size, 8 * 4096);
        int fd = open(p.c_str(), O_WRONLY);
        ASSERT_GE(fd, 0);
        std::string junk(2 * 4096, '\x5a');
        ASSERT_EQ(pwrite(fd, junk.data(), junk.size(), sb.st_size - (off_t)junk.size()), (ssize_t)junk.size());
        close(fd);
        cases.push_back({"tail.db", "corrupt"});
    }
    for (const Case &c : cases) {
        const std::string p = dir.file(c.name);
        const std::string before = slurp(p);
        pesim_store *st = nullptr;
        pesim_error e;
        EXPECT_NE(pesim_store_open(p.c_str(), &st, &e), PESIM_OK) << c.name;
        EXPECT_EQ(st, nullptr);
        EXPECT_NE(formatted(e).find(p), std::string::npos) << formatted(e);
        EXPECT_NE(formatted(e).find(c.expect), std::string::npos) << formatted(e);
        EXPECT_EQ(slurp(p), before) << c.name << " was modified";
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            EXPECT_FALSE(exists(p + suffix)) << c.name << suffix << " was created";
    }
    // an empty file is an empty database: it becomes a store
    {
        const std::string p = dir.file("empty.db");
        std::ofstream(p).close();
        pesim_store *st = nullptr;
        pesim_error e;
        EXPECT_EQ(pesim_store_open(p.c_str(), &st, &e), PESIM_OK) << formatted(e);
        pesim_store_close(st);
    }
    // a directory, a missing directory
    {
        pesim_store *st = nullptr;
        pesim_error e;
        EXPECT_EQ(pesim_store_open(dir.path.c_str(), &st, &e), PESIM_ERR_IO);
        EXPECT_NE(formatted(e).find("not a regular file"), std::string::npos) << formatted(e);
        const std::string missing = dir.file("no/such/dir/x.db");
        EXPECT_EQ(pesim_store_open(missing.c_str(), &st, &e), PESIM_ERR_IO);
        EXPECT_NE(formatted(e).find(missing), std::string::npos) << formatted(e);
        EXPECT_FALSE(exists(missing));
        EXPECT_EQ(pesim_store_open("", &st, &e), PESIM_ERR_INVALID);
    }
}

// Read-only: a file the user cannot write, and a writable file in a
// directory the user cannot write (SQLite puts its WAL files there); both are
// errors naming the file, and neither file changes. root ignores permission
// bits (CI runs the tests as root), so as root the checks run in a child
// process that drops to the unprivileged uid 65534 (nobody), where the same
// bits apply; only if that is impossible is the sub-case skipped, with a note.
std::string readonly_checks(const std::string &dir, const std::string &db, bool as_nobody)
{
    std::string fails;
    auto check = [&](const std::string &path, const char *word, bool must_exist) {
        pesim_store *st = nullptr;
        pesim_error e;
        const std::string before = must_exist ? slurp(path) : "";
        pesim_status rc = pesim_store_open(path.c_str(), &st, &e);
        std::string msg = formatted(e);
        if (rc != PESIM_ERR_IO) fails += "open " + path + " did not fail with an I/O error: " + msg + "\n";
        if (st) fails += "a handle was returned\n", pesim_store_close(st);
        if (msg.find(word) == std::string::npos) fails += "message lacks '" + std::string(word) + "': " + msg + "\n";
        if (msg.find(path) == std::string::npos) fails += "message does not name the file: " + msg + "\n";
        if (must_exist && slurp(path) != before) fails += path + " changed\n";
        if (!must_exist && exists(path)) fails += path + " was created\n";
    };
    // a file this user cannot write
    if (!as_nobody) chmod(db.c_str(), 0444);
    check(db, "read-only", true);
    // a writable file in a directory this user cannot write
    chmod(db.c_str(), as_nobody ? 0666 : 0644);
    if (!as_nobody) chmod(dir.c_str(), 0555);
    check(db, "read-only", true);
    check(dir + "/new.db", "cannot create", false);
    return fails;
}

TEST(SearchStore, ReadOnly)
{
    TempDir dir;
    const std::string db = dir.file("ro.db");
    pesim_store *st = nullptr;
    int64_t run;
    ASSERT_TRUE(open_with_run(db, &st, &run));
    pesim_store_close(st);
    ASSERT_EQ(chmod(dir.path.c_str(), 0755), 0); // nobody may enter, not write
    ASSERT_EQ(chmod(db.c_str(), 0644), 0);
    if (geteuid() != 0) {
        EXPECT_EQ(readonly_checks(dir.path, db, false), "");
        return;
    }
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(pipefd[0]);
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
        std::string fails = readonly_checks(dir.path, db, true);
        if (write(pipefd[1], fails.data(), fails.size()) < 0) _exit(2);
        _exit(fails.empty() ? 0 : 1);
    }
    close(pipefd[1]);
    std::string out;
    char buf[512];
    ssize_t k;
    while ((k = read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, (size_t)k);
    close(pipefd[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        printf("[  NOTE    ] running as root and cannot drop to uid 65534: the read-only sub-cases are skipped "
               "(root ignores permission bits); they run as a normal user\n");
        return;
    }
    EXPECT_EQ(WEXITSTATUS(status), 0) << out;
    EXPECT_EQ(out, "");
}

// One integer from a query on the store file (a second, read-only connection).
int64_t query_int(const std::string &db, const std::string &sql)
{
    sqlite3 *h = nullptr;
    int64_t v = -1;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt *q = nullptr;
        if (sqlite3_prepare_v2(h, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        else
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(h);
        sqlite3_finalize(q);
    }
    sqlite3_close(h);
    return v;
}

// pesim_store_add_network keeps a network run's layers (compute and every
// stall cause as the run computed them), occupancy and DRAM bins under its
// (run, sample), and a second call for the same sample replaces the first.
TEST(SearchStore, NetworkRunTablesHoldTheRunAndAreReplaced)
{
    TempDir dir;
    const std::string db = dir.file("net.db");
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_arch_load("tests/data/cli/tiny_arch.cfg", &a, &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_network_load("tests/data/cli/small.cfg", &net, &e), PESIM_OK) << formatted(e);
    pesim_net *n = nullptr;
    ASSERT_EQ(pesim_net_create(&a, &net, nullptr, &n, &e), PESIM_OK) << formatted(e);
    pesim_placement p;
    memset(&p, 0, sizeof p);
    ASSERT_EQ(pesim_net_place_greedy(n, &p, &e), PESIM_OK) << formatted(e);
    const pesim_net_result *r = nullptr;
    ASSERT_EQ(pesim_net_run(n, &p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << formatted(e);
    ASSERT_TRUE(r->valid) << r->reason;
    pesim_store *st = nullptr;
    int64_t run = 0;
    ASSERT_TRUE(open_with_run(db, &st, &run));
    for (int pass = 0; pass < 2; pass++)
        ASSERT_EQ(pesim_store_add_network(st, run, 3, "greedy", n, r, 16, &e), PESIM_OK) << formatted(e);
    int64_t stalls = 0, dram_rd = 0;
    for (int32_t i = 0; i < r->n_layers; i++) {
        for (int k = 0; k < PESIM_STALL_COUNT; k++) stalls += r->layer[i].cost.stall_cycles[k];
        for (int t = 0; t < PESIM_NTENSORS; t++) dram_rd += r->layer[i].cost.access[a.n_levels - 1][t].reads;
    }
    int64_t occ = 0;
    for (int32_t k = 0; k < r->n_occupancy; k++)
        occ += r->occupancy[k].capacity_words || r->occupancy[k].live_words || r->occupancy[k].staging_words;
    pesim_store_close(st);
    std::string key = " WHERE run = " + std::to_string(run) + " AND sample = 3";
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM net_runs" + key), 1);
    EXPECT_EQ(query_int(db, "SELECT cycles FROM net_runs" + key), r->cycles);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM net_layers" + key), r->n_layers);
    EXPECT_EQ(query_int(db, "SELECT SUM(cycles) FROM net_layers" + key), r->cycles) << "the shares sum to the run";
    EXPECT_EQ(query_int(db, "SELECT SUM(stall_dram_bandwidth + stall_dram_latency + stall_bank_conflict + "
                            "stall_buffer_bandwidth + stall_noc_bandwidth + stall_fill_drain + stall_buffer_space) "
                            "FROM net_layers" + key),
              stalls);
    EXPECT_EQ(query_int(db, "SELECT SUM(dram_read_words) FROM net_layers" + key), dram_rd);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM net_occupancy" + key), occ);
    EXPECT_GT(occ, 0);
    int64_t bins = query_int(db, "SELECT COUNT(*) FROM net_dram" + key);
    EXPECT_GE(bins, 1);
    EXPECT_LE(bins, 16);
    EXPECT_EQ(query_int(db, "SELECT MAX(end_cycle) FROM net_dram" + key), r->cycles);
    EXPECT_EQ(query_int(db, "SELECT CAST(ROUND(SUM(read_words)) AS INTEGER) FROM net_dram" + key), dram_rd);
    pesim_placement_free(&p);
    pesim_net_destroy(n);
    pesim_network_free(&net);
}

} // namespace

// Run metadata (run_meta): set, replace, read back after a reopen; a key a
// run lacks reads as NULL; a run that does not exist is refused. A store
// written before the table existed (schema version 2 without run_meta)
// gains it on open, its runs untouched.
TEST(SearchStore, RunMetadata)
{
    TempDir dir;
    const std::string db = dir.file("meta.db");
    pesim_store *st = nullptr;
    int64_t run = 0;
    ASSERT_TRUE(open_with_run(db, &st, &run));
    pesim_error e;
    ASSERT_EQ(pesim_store_set_meta(st, run, "marl.owner", "0,1,0", &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_store_set_meta(st, run, "marl.agents", "2", &e), PESIM_OK) << formatted(e);
    ASSERT_EQ(pesim_store_set_meta(st, run, "marl.agents", "3", &e), PESIM_OK) << formatted(e);  // replaced
    EXPECT_EQ(pesim_store_set_meta(st, run + 1, "k", "v", &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("no run"), std::string::npos) << e.msg;
    EXPECT_STREQ(e.file, db.c_str());
    pesim_store_close(st);
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    char *v = nullptr;
    ASSERT_EQ(pesim_store_get_meta(st, run, "marl.agents", &v, &e), PESIM_OK) << formatted(e);
    ASSERT_NE(v, nullptr);
    EXPECT_STREQ(v, "3");
    free(v);
    ASSERT_EQ(pesim_store_get_meta(st, run, "marl.owner", &v, &e), PESIM_OK);
    ASSERT_NE(v, nullptr);
    EXPECT_STREQ(v, "0,1,0");
    free(v);
    ASSERT_EQ(pesim_store_get_meta(st, run, "policy_in", &v, &e), PESIM_OK);
    EXPECT_EQ(v, nullptr);
    pesim_store_close(st);

    // a version-2 store from before run_meta: drop the table, reopen
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE run_meta", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << formatted(e);
    pesim_run_info have;
    int found = 0;
    ASSERT_EQ(pesim_store_find_run(st, "s", "mapping arch=x layer=y", &have, &found, &e), PESIM_OK);
    EXPECT_EQ(found, 1);
    ASSERT_EQ(pesim_store_get_meta(st, run, "marl.agents", &v, &e), PESIM_OK) << formatted(e);
    EXPECT_EQ(v, nullptr);
    ASSERT_EQ(pesim_store_set_meta(st, run, "marl.agents", "4", &e), PESIM_OK) << formatted(e);
    pesim_store_close(st);
}
