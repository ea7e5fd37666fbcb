// tests/search_algo_test.cc - the ask/tell algorithms (search/algo.c,
// search/algorithms/*.c).
//
// Part 1 runs each algorithm's core on synthetic spaces (algo_space: only
// cardinalities, kinds and levels) with synthetic objectives whose optimum
// is known: a separable bowl, a deceptive trap, and a "capacity" objective
// whose invalid points follow the monotone rule exhaustive pruning relies on.
// Part 2 runs them on pesim's real mapping spaces with the analytical
// evaluator: exhaustive finds the true optimum of a small space, and the GA
// beats random search over seeds and layers by a one-sided sign test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gsl/gsl_cdf.h>

#include "../search/algo_impl.h"
#include "synthetic_space.h"
#include "pesim/config.h"
#include "pesim/search.h"

namespace {

const char *const kAlgos[] = {"exhaustive", "random", "annealing", "genetic", "timeloop", "rl", "marl", "das"};

// A synthetic space owning its arrays, and its size.
struct Space : SyntheticSpace {
    double Log10Size() const
    {
        double s = 0;
        for (int32_t c : n_choices) s += std::log10((double)c);
        return s;
    }
};

// A mapping-like space: per level 0..2 a loop order over 3 dims (3! = 6),
// a spatial dim, and tile factors of 4 dims; plus a bypass flag.
Space MappingLike(int tiles = 6)
{
    Space s;
    for (int lv = 0; lv < 3; lv++) {
        for (int d = 0; d < 4; d++) s.Add(tiles, PESIM_PARAM_TILE, lv);
        s.Add(6, PESIM_PARAM_ORDER, lv);
        if (lv < 2) s.Add(3, PESIM_PARAM_SPATIAL_DIM, lv);
        if (lv < 2) s.Add(4, PESIM_PARAM_SPATIAL_FACTOR, lv);
    }
    s.Add(2, PESIM_PARAM_BYPASS, 1);
    return s;
}

using Objective = std::function<pesim_result(const int32_t *x)>;

pesim_result Valid(double v)
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.valid = 1;
    r.objective = v;
    return r;
}

pesim_result Invalid(const char *reason, pesim_violation_kind kind = PESIM_VIOLATION_OTHER, int level = -1,
                     double amount = 0, double limit = 0)
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.valid = 0;
    r.objective = PESIM_INVALID_PENALTY;
    snprintf(r.reason, sizeof r.reason, "%s", reason);
    r.violation = pesim_violation_make(kind);
    r.violation.level = level;
    r.violation.amount = amount;
    r.violation.limit = limit;
    return r;
}

// A separable bowl: sum of weighted squared distances to a target, + 1.
Objective Bowl(const Space &s, uint64_t salt = 7)
{
    std::vector<int32_t> target(s.n_choices.size());
    for (size_t i = 0; i < target.size(); i++) target[i] = (int32_t)((i * 7919 + salt) % s.n_choices[i]);
    return [target](const int32_t *x) {
        double v = 1;
        for (size_t i = 0; i < target.size(); i++) v += (1.0 + i % 3) * (x[i] - target[i]) * (x[i] - target[i]);
        return Valid(v);
    };
}

// Deceptive (Deb's trap on blocks of 3 params): a block scores best at its
// all-zero setting but every step away from zero looks better locally.
Objective Trap(const Space &s)
{
    size_t n = s.n_choices.size();
    return [n](const int32_t *x) {
        double v = 1;
        for (size_t b = 0; b + 3 <= n; b += 3) {
            int u = (x[b] > 0) + (x[b + 1] > 0) + (x[b + 2] > 0);
            v += u == 0 ? 0 : 4 - u;   // 0 best, then 3 away from it is 1, ...
        }
        return Valid(v);
    };
}

// Capacity: level L's footprint is the product of (1 + choice) of the tile
// and spatial factors of levels <= L (and bypass halves GLB); over a limit it
// is a capacity violation at L (as data, with the reason in words). Valid
// points score a bowl.
Objective Capacity(const Space &s, std::vector<double> limit)
{
    Objective bowl = Bowl(s, 3);
    std::vector<int32_t> level = s.level;
    std::vector<pesim_param_kind> kind = s.kind;
    return [=](const int32_t *x) {
        for (int L = 0; L < (int)limit.size(); L++) {
            double fp = 1;
            for (size_t i = 0; i < level.size(); i++)
                if (level[i] <= L && (kind[i] == PESIM_PARAM_TILE || kind[i] == PESIM_PARAM_SPATIAL_FACTOR))
                    fp *= 1 + x[i];
            for (size_t i = 0; i < level.size(); i++)
                if (kind[i] == PESIM_PARAM_BYPASS && level[i] == L && x[i]) fp /= 2;
            if (fp > limit[L]) {
                char reason[128];
                snprintf(reason, sizeof reason, "capacity exceeded at level %d for the shared tiles: %g > %g", L,
                         fp, limit[L]);
                return Invalid(reason, PESIM_VIOLATION_CAPACITY, L, fp, limit[L]);
            }
        }
        return bowl(x);
    };
}

struct Trace {
    std::vector<int32_t> cands;   // every proposed candidate, in order
    std::vector<double> vals;
    double best = PESIM_INVALID_PENALTY;
    int64_t samples = 0;
    int64_t asks = 0;
};

// Drives an algorithm to its budget (or until it stops): asks min(batch,
// left), evaluates, tells (in reverse order when asked to).
Trace Drive(const char *name, const algo_space *sp, const Objective &f, uint64_t seed, int64_t budget, int batch,
          pesim_algo_options opt = pesim_algo_options(), bool reverse = false)
{
    Trace run;
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_algo_create_core(name, sp, seed, &opt, &al, &e), PESIM_OK) << name << ": " << e.msg;
    if (!al) return run;
    const int32_t n = sp->n;
    std::vector<int32_t> x((size_t)batch * n);
    std::vector<pesim_result> r(batch);
    while (run.samples < budget) {
        int32_t want = (int32_t)std::min<int64_t>(batch, budget - run.samples);
        int32_t k = pesim_algo_ask(al, x.data(), want);
        EXPECT_LE(k, want) << name;
        if (k <= 0) break;
        run.asks++;
        for (int32_t c = 0; c < k; c++) {
            const int32_t *xc = &x[(size_t)c * n];
            for (int32_t i = 0; i < n; i++) {
                EXPECT_GE(xc[i], 0) << name;
                EXPECT_LT(xc[i], sp->n_choices[i]) << name;
            }
            r[c] = f(xc);
            run.cands.insert(run.cands.end(), xc, xc + n);
            double v = r[c].valid ? r[c].objective : PESIM_INVALID_PENALTY;
            run.vals.push_back(v);
            run.best = std::min(run.best, v);
        }
        run.samples += k;
        if (reverse) {
            for (int32_t c = k - 1; c >= 0; c--) pesim_algo_tell(al, &x[(size_t)c * n], &r[c], 1);
        } else {
            pesim_algo_tell(al, x.data(), r.data(), k);
        }
    }
    pesim_algo_destroy(al);
    return run;
}

// ---- the handle and the helpers --------------------------------------------

TEST(SearchAlgo, NamesAndUnknownName)
{
    const char *const *names = pesim_algo_names();
    std::set<std::string> got;
    for (int i = 0; names[i]; i++) got.insert(names[i]);
    for (const char *a : kAlgos) EXPECT_TRUE(got.count(a)) << a;
    Space s = MappingLike();
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_algo_create_core("bogus", s.Get(), 1, nullptr, &al, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(al, nullptr);
    EXPECT_NE(std::string(e.msg).find("unknown search algorithm 'bogus'"), std::string::npos) << e.msg;
    for (int i = 0; names[i]; i++)  // the message names every algorithm there is
        EXPECT_NE(std::string(e.msg).find(names[i]), std::string::npos) << names[i] << ": " << e.msg;
    pesim_algo_destroy(nullptr);  // a no-op
}

TEST(SearchAlgo, PermutationRankRoundTrip)
{
    for (int m = 1; m <= 6; m++) {
        int64_t f = 1;
        for (int i = 2; i <= m; i++) f *= i;
        EXPECT_EQ(algo_factorial_inverse(f), m > 1 ? m : 1);
        std::set<std::vector<int32_t>> seen;
        for (int64_t r = 0; r < f; r++) {
            std::vector<int32_t> p(m);
            algo_perm_unrank(m, r, p.data());
            EXPECT_EQ(algo_perm_rank(m, p.data()), r);
            std::vector<int32_t> sorted = p;
            std::sort(sorted.begin(), sorted.end());
            for (int i = 0; i < m; i++) EXPECT_EQ(sorted[i], i);
            seen.insert(p);
            if (r == 0) {
                EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));  // rank 0: identity
            }
        }
        EXPECT_EQ((int64_t)seen.size(), f);
    }
    EXPECT_EQ(algo_factorial_inverse(7), -1);
}

// algo_seen as a set and as a map (the memo of egrl's repeats=recall):
// 5,000 distinct vectors (the table grows from 1,024 slots three times)
// each get back the value put, against a std::map of the same puts; a
// second put replaces the value without adding; a set's members (added
// before the first put) read back as 0 after it turns into a map; an absent
// vector leaves *v alone.
TEST(SearchAlgo, SeenSetAndMemoMap)
{
    algo_seen s = {};
    std::map<std::vector<int32_t>, double> want;
    int32_t x[3] = {0, 0, 0};
    double v = -1;
    EXPECT_EQ(algo_seen_get(&s, x, 3, &v), 0);
    for (int32_t i = 0; i < 100; i++) {
        x[0] = i, x[1] = -i, x[2] = 7;
        ASSERT_EQ(algo_seen_add(&s, x, 3), 0);
        want[{x[0], x[1], x[2]}] = 0;
    }
    for (int32_t i = 50; i < 5050; i++) {
        x[0] = i, x[1] = -i, x[2] = i % 2 ? 7 : 9;
        ASSERT_EQ(algo_seen_put(&s, x, 3, 0.5 * i), 0);
        want[{x[0], x[1], x[2]}] = 0.5 * i;
    }
    x[0] = 60, x[1] = -60, x[2] = 9;
    ASSERT_EQ(algo_seen_put(&s, x, 3, -3.25), 0); /* a replacement */
    want[{60, -60, 9}] = -3.25;
    EXPECT_EQ(s.count, (int64_t)want.size());
    EXPECT_GE(s.cap, 2 * s.count);
    for (const auto &kv : want) {
        v = 1e300;
        ASSERT_EQ(algo_seen_get(&s, kv.first.data(), 3, &v), 1);
        EXPECT_EQ(v, kv.second) << kv.first[0];
        EXPECT_EQ(algo_seen_has(&s, kv.first.data(), 3), 1);
        EXPECT_EQ(algo_seen_add(&s, kv.first.data(), 3), 1); /* already there: no change */
    }
    x[0] = 6000, x[1] = 0, x[2] = 0;
    v = 42;
    EXPECT_EQ(algo_seen_get(&s, x, 3, &v), 0);
    EXPECT_EQ(v, 42);
    EXPECT_EQ(algo_seen_has(&s, x, 3), 0);
    algo_seen_free(&s);
    EXPECT_EQ(s.cap, 0);
    EXPECT_EQ(algo_seen_get(&s, x, 3, &v), 0);
}

TEST(SearchAlgo, MutationStaysInRangeAndChanges)
{
    Space s = MappingLike();
    const algo_space *sp = s.Get();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    std::vector<int32_t> x(sp->n);
    for (int t = 0; t < 2000; t++) {
        algo_random_point(sp, rng, x.data());
        int32_t i = (int32_t)gsl_rng_uniform_int(rng, sp->n);
        std::vector<int32_t> y = x;
        algo_mutate_param(sp, rng, y.data(), i, 0.5);
        for (int32_t j = 0; j < sp->n; j++) {
            ASSERT_GE(y[j], 0);
            ASSERT_LT(y[j], sp->n_choices[j]);
            if (j != i) {
                EXPECT_EQ(y[j], x[j]);
            }
        }
        if (sp->n_choices[i] > 1) {
            EXPECT_NE(y[i], x[i]);
        }
    }
    gsl_rng_free(rng);
}

// The violation as data: the level of a capacity failure, how far over (no
// reason text is read: the reasons here say something else on purpose).
TEST(SearchAlgo, ViolationAsData)
{
    Space s = MappingLike();
    const algo_space *sp = s.Get();
    int32_t L = -1;
    pesim_result a = Invalid("says nothing", PESIM_VIOLATION_CAPACITY, 1, 10, 5);
    pesim_result b = Invalid("capacity exceeded at GLB", PESIM_VIOLATION_CAPACITY, -1, 30, 5);
    pesim_result c = Invalid("capacity exceeded at GLB for inputs: 10 > 5", PESIM_VIOLATION_FANOUT, 0, 32, 16);
    pesim_result d = Valid(3);
    pesim_result f = Invalid("capacity exceeded at GLB for inputs: 10 > 5", PESIM_VIOLATION_UNSUPPORTED, 0);
    EXPECT_TRUE(algo_capacity_failure(sp, &a, &L));
    EXPECT_EQ(L, 1);
    EXPECT_TRUE(algo_capacity_failure(sp, &b, &L));
    EXPECT_EQ(L, PESIM_MAX_LEVELS);  // unknown level: conservative
    EXPECT_FALSE(algo_capacity_failure(sp, &c, &L));
    EXPECT_FALSE(algo_capacity_failure(sp, &d, &L));
    EXPECT_FALSE(algo_capacity_failure(sp, &f, &L));
    EXPECT_DOUBLE_EQ(algo_violation(&a), 2.0);
    EXPECT_DOUBLE_EQ(algo_violation(&b), 6.0);
    EXPECT_DOUBLE_EQ(algo_violation(&c), 2.0);
    EXPECT_EQ(algo_violation(&d), 0.0);
    EXPECT_EQ(algo_violation(&f), ALGO_VIOLATION_OTHER);
}

// ---- every algorithm: reproducible, in range, within the budget -------------

TEST(SearchAlgo, SameSeedSameRunAlsoBatched)
{
    Space s = MappingLike(5);
    s.n_choices.resize(8);  // a small space (exhaustive accepts it)
    s.kind.resize(8);
    s.level.resize(8);
    s.dim.resize(8);
    const algo_space *sp = s.Get();
    Objective f = Capacity(s, {40, 400, 1e9});
    for (const char *a : kAlgos)
        for (int batch : {1, 7}) {
            Trace r1 = Drive(a, sp, f, 42, 300, batch);
            Trace r2 = Drive(a, sp, f, 42, 300, batch);
            Trace r3 = Drive(a, sp, f, 42, 300, batch, pesim_algo_options(), true);  // told in reverse
            EXPECT_EQ(r1.samples, 300) << a;
            EXPECT_EQ(r1.cands, r2.cands) << a << " batch " << batch;
            EXPECT_EQ(r1.cands, r3.cands) << a << " batch " << batch << ": tell order changed the run";
            if (strcmp(a, "exhaustive") != 0) {
                Trace r4 = Drive(a, sp, f, 43, 300, batch);
                EXPECT_NE(r1.cands, r4.cands) << a << ": the seed plays no part";
            }
        }
}

TEST(SearchAlgo, RespectBudgetAndRange)
{
    Space big = MappingLike(12);
    const algo_space *sp = big.Get();
    Objective f = Capacity(big, {200, 5000, 1e12});
    for (const char *a : kAlgos) {
        if (strcmp(a, "exhaustive") == 0) continue;  // the space is too large for it
        for (int batch : {1, 5, 64}) {
            for (int64_t budget : {1, 17, 250}) {
                Trace r = Drive(a, sp, f, 5, budget, batch);
                EXPECT_EQ(r.samples, budget) << a << " batch " << batch;
                EXPECT_EQ((int64_t)r.vals.size(), budget);
            }
        }
    }
}

TEST(SearchAlgo, AskWhileCandidatesOutstandingProposesNothing)
{
    Space s = MappingLike();
    pesim_algo *al = nullptr;
    ASSERT_EQ(pesim_algo_create_core("random", s.Get(), 1, nullptr, &al, nullptr), PESIM_OK);
    std::vector<int32_t> x(4 * s.Get()->n);
    EXPECT_EQ(pesim_algo_ask(al, x.data(), 4), 4);
    EXPECT_EQ(pesim_algo_ask(al, x.data(), 4), 0);
    pesim_result r[4] = {Valid(1), Valid(2), Valid(3), Valid(4)};
    pesim_algo_tell(al, x.data(), r, 4);
    EXPECT_EQ(pesim_algo_ask(al, x.data(), 4), 4);
    pesim_algo_destroy(al);
}

// ---- exhaustive ------------------------------------------------------------

TEST(SearchAlgo, ExhaustiveEnumeratesEveryPointOnce)
{
    Space s;
    s.Add(3, PESIM_PARAM_ORDER, 0);
    s.Add(4, PESIM_PARAM_TILE, 0);
    s.Add(2, PESIM_PARAM_TILE, 1);
    s.Add(5, PESIM_PARAM_HARDWARE, -1);
    const algo_space *sp = s.Get();
    Trace r = Drive("exhaustive", sp, Bowl(s), 1, 1000, 4);
    EXPECT_EQ(r.samples, 3 * 4 * 2 * 5);
    std::set<std::vector<int32_t>> pts;
    for (int64_t c = 0; c < r.samples; c++)
        pts.insert(std::vector<int32_t>(r.cands.begin() + c * sp->n, r.cands.begin() + (c + 1) * sp->n));
    EXPECT_EQ((int64_t)pts.size(), r.samples);
    EXPECT_EQ(r.best, 1.0);  // the bowl's optimum
}

TEST(SearchAlgo, ExhaustivePruningIsSoundAndSaves)
{
    Space t;
    for (int d = 0; d < 3; d++) t.Add(4, PESIM_PARAM_TILE, 0);
    t.Add(3, PESIM_PARAM_SPATIAL_FACTOR, 0);
    t.Add(3, PESIM_PARAM_SPATIAL_DIM, 1);
    for (int d = 0; d < 3; d++) t.Add(4, PESIM_PARAM_TILE, 1);
    t.Add(3, PESIM_PARAM_SPATIAL_FACTOR, 1);
    t.Add(2, PESIM_PARAM_BYPASS, 1);
    for (int d = 0; d < 2; d++) t.Add(3, PESIM_PARAM_TILE, 2);
    const algo_space *sp = t.Get();
    ASSERT_LE(t.Log10Size(), 7.0);
    Objective f = Capacity(t, {20, 600, 1e18});
    // Brute force.
    int64_t total = 1;
    for (int32_t c : t.n_choices) total *= c;
    std::vector<int32_t> x(sp->n, 0);
    double truth = PESIM_INVALID_PENALTY;
    int64_t valid = 0;
    for (int64_t k = 0; k < total; k++) {
        int64_t v = k;
        for (int32_t i = sp->n - 1; i >= 0; i--) {
            x[i] = (int32_t)(v % sp->n_choices[i]);
            v /= sp->n_choices[i];
        }
        pesim_result r = f(x.data());
        if (r.valid) {
            valid++;
            truth = std::min(truth, r.objective);
        }
    }
    ASSERT_LT(truth, PESIM_INVALID_PENALTY);
    for (int batch : {1, 16}) {
        Trace r = Drive("exhaustive", sp, f, 1, total, batch);
        EXPECT_EQ(r.best, truth) << "batch " << batch;
        EXPECT_LT(r.samples, total) << "nothing pruned";
        EXPECT_GE(r.samples, valid);  // every valid point is still evaluated
        int64_t n_valid = std::count_if(r.vals.begin(), r.vals.end(),
                                        [](double v) { return v < PESIM_INVALID_PENALTY; });
        EXPECT_EQ(n_valid, valid) << "a valid point was pruned";
        if (batch == 1) {
            printf("exhaustive: %lld points, %lld valid, %lld evaluated with pruning\n", (long long)total,
                   (long long)valid, (long long)r.samples);
        }
    }
}

TEST(SearchAlgo, ExhaustiveRefusesLargeSpaces)
{
    Space s = MappingLike(12);
    ASSERT_GT(s.Log10Size(), 7.0);
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_algo_create_core("exhaustive", s.Get(), 1, nullptr, &al, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(al, nullptr);
    EXPECT_NE(std::string(e.msg).find("max_points"), std::string::npos) << e.msg;
}

// ---- timeloop --------------------------------------------------------------

TEST(SearchAlgo, TimeloopVictoryCondition)
{
    Space s = MappingLike(8);
    const algo_space *sp = s.Get();
    pesim_algo_options opt = pesim_algo_options();
    const char *kv[] = {"victory=50"};
    opt.kv = kv;
    opt.n_kv = 1;
    // A constant objective never improves after the first valid sample.
    Trace r = Drive("timeloop", sp, [](const int32_t *) { return Valid(5); }, 1, 100000, 8, opt);
    EXPECT_EQ(r.samples, 56);  // 1 + 50 valid, rounded up to the batch of 8
    // Always invalid: Timeloop's timeout (1000 consecutive invalid) stops it.
    Trace t = Drive("timeloop", sp, [](const int32_t *) { return Invalid("unsupported"); }, 1, 100000, 10);
    EXPECT_EQ(t.samples, 1000);
}

TEST(SearchAlgo, TimeloopRejectsImpliedCapacityFailures)
{
    Space s = MappingLike(10);
    const algo_space *sp = s.Get();
    Objective f = Capacity(s, {1000, 2e6, 1e18});
    int64_t inv_random = 0, inv_timeloop = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        Trace a = Drive("random", sp, f, seed, 400, 4);
        Trace b = Drive("timeloop", sp, f, seed, 400, 4);
        inv_random += std::count(a.vals.begin(), a.vals.end(), PESIM_INVALID_PENALTY);
        inv_timeloop += std::count(b.vals.begin(), b.vals.end(), PESIM_INVALID_PENALTY);
    }
    printf("invalid samples of 2000: random %lld, timeloop %lld\n", (long long)inv_random,
           (long long)inv_timeloop);
    EXPECT_LT(inv_timeloop, inv_random * 9 / 10);
}

// ---- quality on synthetic objectives ---------------------------------------

TEST(SearchAlgo, LocalSearchesBeatRandomOnSyntheticObjectives)
{
    Space s = MappingLike(16);
    const algo_space *sp = s.Get();
    struct Case {
        const char *name;
        Objective f;
    } cases[] = {{"bowl", Bowl(s)}, {"trap", Trap(s)}, {"capacity", Capacity(s, {5000, 3e7, 1e18})}};
    for (const Case &c : cases) {
        std::map<std::string, double> mean;
        for (const char *a : {"random", "annealing", "genetic"})
            for (uint64_t seed = 1; seed <= 8; seed++) mean[a] += Drive(a, sp, c.f, seed, 600, 1).best / 8;
        printf("%-9s random %.3g  annealing %.3g  genetic %.3g\n", c.name, mean["random"], mean["annealing"],
               mean["genetic"]);
        if (strcmp(c.name, "trap") != 0) {  // deceptive: no promise
            EXPECT_LT(mean["genetic"], mean["random"]) << c.name;
            EXPECT_LT(mean["annealing"], mean["random"]) << c.name;
        }
    }
}

}  // namespace

// ---- part 2: real mapping spaces, the analytical evaluator ------------------

namespace {

struct RealLayer {
    const char *arch, *workload, *layer;
};

// A layer's mapping space and evaluator (analytical, objective EDP).
struct Real {
    pesim_arch arch;
    pesim_network net;
    pesim_space *space = nullptr;
    pesim_evaluator *ev = nullptr;
    bool ok = false;

    Real(const RealLayer &rl, pesim_objective obj = PESIM_OBJ_EDP)
    {
        memset(&net, 0, sizeof net);
        pesim_error e;
        pesim_error_clear(&e);
        std::string src = PESIM_SOURCE_DIR "/";
        if (pesim_arch_load((src + rl.arch).c_str(), &arch, &e) != PESIM_OK ||
            pesim_network_load((src + rl.workload).c_str(), &net, &e) != PESIM_OK) {
            ADD_FAILURE() << e.file << ": " << e.msg;
            return;
        }
        int32_t li = -1;
        for (int32_t i = 0; i < net.n_layers; i++)
            if (strcmp(net.layers[i].name, rl.layer) == 0) li = i;
        if (li < 0) {
            ADD_FAILURE() << "no layer " << rl.layer;
            return;
        }
        if (pesim_space_mapping(&arch, &net.layers[li], &space, &e) != PESIM_OK) {
            ADD_FAILURE() << e.msg;
            return;
        }
        pesim_eval_options o;
        memset(&o, 0, sizeof o);
        o.objective = obj;
        o.threads = 1;
        if (pesim_evaluator_create(space, nullptr, &o, &ev, &e) != PESIM_OK) {
            ADD_FAILURE() << e.msg;
            return;
        }
        ok = true;
    }
    ~Real()
    {
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(space);
        pesim_network_free(&net);
    }
    Objective F()
    {
        pesim_evaluator *e = ev;
        return [e](const int32_t *x) {
            pesim_result r;
            pesim_evaluator_run(e, x, 1, PESIM_FIDELITY_ANALYTICAL, &r);
            return r;
        };
    }
};

// Drives a real space through pesim_algo_create (not the core entry).
double RealBest(const char *algo, Real &re, uint64_t seed, int64_t budget, int batch,
                pesim_algo_options opt = pesim_algo_options())
{
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_algo_create(algo, re.space, seed, &opt, &al, &e), PESIM_OK) << e.msg;
    if (!al) return PESIM_INVALID_PENALTY;
    const int32_t n = pesim_space_n_params(re.space);
    std::vector<int32_t> x((size_t)batch * n);
    std::vector<pesim_result> r(batch);
    double best = PESIM_INVALID_PENALTY;
    for (int64_t done = 0; done < budget;) {
        int32_t k = pesim_algo_ask(al, x.data(), (int32_t)std::min<int64_t>(batch, budget - done));
        if (k <= 0) break;
        EXPECT_EQ(pesim_evaluator_run(re.ev, x.data(), k, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
        for (int32_t c = 0; c < k; c++)
            if (r[c].valid) best = std::min(best, r[c].objective);
        pesim_algo_tell(al, x.data(), r.data(), k);
        done += k;
    }
    pesim_algo_destroy(al);
    return best;
}

// The statistical test's layer set: a ResNet-50 3x3 conv, a BERT FFN GEMM, a
// MobileNet-V2 depthwise conv and the DQN's second conv, on an Eyeriss-like
// row-stationary array and a 32x32 TPU-like systolic array.
const char *const kArchs[] = {"configs/arch/eyeriss.cfg", "configs/arch/tpu_32x32.cfg"};
const RealLayer kLayers[] = {
    {"", "workloads/resnet50.cfg", "res2a_branch2b"},
    {"", "workloads/bert_base_128.cfg", "l1_ffn1"},
    {"", "workloads/mobilenet_v2.cfg", "b2_dw"},
    {"", "workloads/dqn_atari.cfg", "conv2"},
};

}  // namespace

TEST(SearchAlgoReal, SpacesLookAsTheAlgorithmsAssume)
{
    RealLayer rl = kLayers[0];
    rl.arch = kArchs[0];
    Real re(rl);
    ASSERT_TRUE(re.ok);
    pesim_algo *al = nullptr;
    ASSERT_EQ(pesim_algo_create("random", re.space, 1, nullptr, &al, nullptr), PESIM_OK);
    const algo_space *sp = pesim_algo_space(al);
    EXPECT_EQ(sp->n, pesim_space_n_params(re.space));
    for (int32_t i = 0; i < sp->n; i++) {
        if (sp->kind[i] == PESIM_PARAM_ORDER) {
            EXPECT_GE(algo_factorial_inverse(sp->n_choices[i]), 2) << "order choices are permutations";
        }
        const pesim_param *p = pesim_space_param(re.space, i);
        EXPECT_EQ(sp->level[i], p->level);
        EXPECT_EQ(sp->dim[i], p->dim);
        EXPECT_EQ(sp->layer[i], p->layer);
        EXPECT_EQ(sp->tensor[i], p->tensor);
    }
    pesim_algo_destroy(al);
}

// The GA against random search: 10 seeds x 4 layers x 2 architectures at a
// budget of 500 evaluations (objective EDP, batch 8). Per (layer, arch) each
// run's best is normalised by the best of all its runs. Pass: a one-sided
// sign test over the 80 (seed, layer, arch) pairs rejects "the GA is no
// better than random" at p < 0.01, and the GA's mean normalised best (the
// geometric mean, robust to a single lucky or unlucky run) is lower.
TEST(SearchAlgoReal, GeneticBeatsRandom)
{
    const int kSeeds = 10;
    const int64_t kBudget = 500;
    int wins = 0, losses = 0;
    double log_ga = 0, log_rnd = 0, mean_ga = 0, mean_rnd = 0;
    int cases = 0;
    for (const char *arch : kArchs)
        for (RealLayer rl : kLayers) {
            rl.arch = arch;
            Real re(rl);
            ASSERT_TRUE(re.ok);
            std::vector<double> ga, rnd;
            for (int s = 1; s <= kSeeds; s++) {
                ga.push_back(RealBest("genetic", re, (uint64_t)s, kBudget, 8));
                rnd.push_back(RealBest("random", re, (uint64_t)s, kBudget, 8));
            }
            double ref = std::min(*std::min_element(ga.begin(), ga.end()), *std::min_element(rnd.begin(), rnd.end()));
            ASSERT_LT(ref, PESIM_INVALID_PENALTY);
            double lg = 0, lr = 0;
            for (int s = 0; s < kSeeds; s++) {
                // a run without any valid mapping counts as 1e6 x the best
                double g = std::min(ga[s] / ref, 1e6), r = std::min(rnd[s] / ref, 1e6);
                lg += std::log(g) / kSeeds;
                lr += std::log(r) / kSeeds;
                mean_ga += g;
                mean_rnd += r;
                wins += ga[s] < rnd[s];
                losses += ga[s] > rnd[s];
            }
            log_ga += lg;
            log_rnd += lr;
            cases++;
            printf("%-27s %-28s %-15s normalised best (geomean): GA %7.2f  random %7.2f\n", arch, rl.workload,
                   rl.layer, std::exp(lg), std::exp(lr));
        }
    double p = gsl_cdf_binomial_Q((unsigned)(wins - 1), 0.5, (unsigned)(wins + losses));
    printf("GA better in %d, worse in %d of %d pairs; one-sided sign test p = %.3g\n", wins, losses,
           kSeeds * cases, p);
    printf("mean normalised best: geometric GA %.2f random %.2f; arithmetic GA %.2f random %.2f\n",
           std::exp(log_ga / cases), std::exp(log_rnd / cases), mean_ga / (kSeeds * cases),
           mean_rnd / (kSeeds * cases));
    EXPECT_LT(p, 0.01);
    EXPECT_LT(log_ga, log_rnd);
}

TEST(SearchAlgoReal, ExhaustiveFindsTheTrueOptimum)
{
    // A micro layer whose whole mapping space (~2e5 points) is enumerated
    // here by brute force, without pruning, and by the exhaustive algorithm.
    Real re({"tests/data/search/micro_arch.cfg", "tests/data/search/micro.cfg", "fc"});
    ASSERT_TRUE(re.ok);
    const int32_t n = pesim_space_n_params(re.space);
    ASSERT_LE(pesim_space_log10_size(re.space), 6.0);
    std::vector<int32_t> nc(n);
    int64_t total = 1;
    for (int32_t i = 0; i < n; i++) total *= (nc[i] = pesim_space_param(re.space, i)->n_choices);
    const int32_t kChunk = 4096;
    std::vector<int32_t> x((size_t)kChunk * n);
    std::vector<pesim_result> r(kChunk);
    double truth = PESIM_INVALID_PENALTY;
    int64_t valid = 0;
    for (int64_t base = 0; base < total; base += kChunk) {
        int32_t k = (int32_t)std::min<int64_t>(kChunk, total - base);
        for (int32_t c = 0; c < k; c++) {
            int64_t v = base + c;
            for (int32_t i = n - 1; i >= 0; i--) {
                x[(size_t)c * n + i] = (int32_t)(v % nc[i]);
                v /= nc[i];
            }
        }
        ASSERT_EQ(pesim_evaluator_run(re.ev, x.data(), k, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
        for (int32_t c = 0; c < k; c++)
            if (r[c].valid) {
                valid++;
                truth = std::min(truth, r[c].objective);
            }
    }
    ASSERT_GT(valid, 0);
    // The algorithm, with its pruning, through the ask/tell API.
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_error_clear(&e);
    ASSERT_EQ(pesim_algo_create("exhaustive", re.space, 1, nullptr, &al, &e), PESIM_OK) << e.msg;
    double best = PESIM_INVALID_PENALTY;
    int64_t evaluated = 0, found_valid = 0;
    for (;;) {
        int32_t k = pesim_algo_ask(al, x.data(), 64);
        if (k == 0) break;
        ASSERT_EQ(pesim_evaluator_run(re.ev, x.data(), k, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
        for (int32_t c = 0; c < k; c++)
            if (r[c].valid) {
                found_valid++;
                best = std::min(best, r[c].objective);
            }
        pesim_algo_tell(al, x.data(), r.data(), k);
        evaluated += k;
    }
    pesim_algo_destroy(al);
    printf("micro space: %lld points, %lld valid; exhaustive evaluated %lld (pruned %.0f%%)\n", (long long)total,
           (long long)valid, (long long)evaluated, 100.0 * (double)(total - evaluated) / (double)total);
    EXPECT_EQ(best, truth);
    EXPECT_EQ(found_valid, valid) << "pruning skipped a valid mapping";
    EXPECT_LT(evaluated, total);
}

// ---- algorithm options and valid starts ---------------------------------------

// Every algorithm's option table: documented, defaults within bounds, values
// read (the options change the run), unknown keys and bad values refused.
TEST(SearchAlgo, OptionTables)
{
    Space s = MappingLike(5);
    const algo_space *sp = s.Get();
    for (const char *a : kAlgos) {
        int32_t n = pesim_algo_n_options(a);
        ASSERT_GE(n, 0) << a;
        EXPECT_NE(pesim_algo_summary(a), nullptr);
        for (int32_t i = 0; i < n; i++) {
            pesim_algo_option_info o;
            ASSERT_EQ(pesim_algo_option_info_get(a, i, &o), 1);
            EXPECT_GE(o.def, o.min) << a << " " << o.name;
            EXPECT_LE(o.def, o.max) << a << " " << o.name;
            EXPECT_GT(strlen(o.help), 10u) << a << " " << o.name;
        }
        EXPECT_EQ(pesim_algo_option_info_get(a, n, nullptr), 0);
        pesim_algo_options opt = pesim_algo_options();
        const char *bad[] = {"no_such_option=1"};
        opt.kv = bad;
        opt.n_kv = 1;
        pesim_algo *al = nullptr;
        pesim_error e;
        EXPECT_EQ(pesim_algo_create_core(a, sp, 1, &opt, &al, &e), PESIM_ERR_KEY) << a;
        EXPECT_NE(std::string(e.msg).find("'no_such_option'"), std::string::npos) << e.msg;
        EXPECT_EQ(al, nullptr);
    }
    EXPECT_EQ(pesim_algo_n_options("bogus"), -1);
    // values out of range, not numbers, not integers
    for (const char *kv : {"population=1", "population=x", "population=2.5", "p_cross=1.5", "population="}) {
        pesim_algo_options opt = pesim_algo_options();
        opt.kv = &kv;
        opt.n_kv = 1;
        pesim_algo *al = nullptr;
        pesim_error e;
        EXPECT_EQ(pesim_algo_create_core("genetic", sp, 1, &opt, &al, &e), PESIM_ERR_RANGE) << kv;
        EXPECT_NE(std::string(e.msg).find(kv), std::string::npos) << e.msg;
    }
    // the options are read: another population is another run, and the
    // description lists every value as used
    Objective f = Bowl(s);
    const char *p16[] = {"population=16", "p_cross=0.5"};
    pesim_algo_options o16 = pesim_algo_options();
    o16.kv = p16;
    o16.n_kv = 2;
    Trace a = Drive("genetic", sp, f, 3, 200, 8), b = Drive("genetic", sp, f, 3, 200, 8, o16);
    EXPECT_NE(a.cands, b.cands);
    pesim_algo *al = nullptr;
    ASSERT_EQ(pesim_algo_create_core("genetic", sp, 1, &o16, &al, nullptr), PESIM_OK);
    char desc[512];
    pesim_algo_describe_options(al, desc, sizeof desc);
    EXPECT_NE(std::string(desc).find("population=16,"), std::string::npos) << desc;
    EXPECT_NE(std::string(desc).find("p_cross=0.5,"), std::string::npos) << desc;
    EXPECT_NE(std::string(desc).find("tournament=3"), std::string::npos) << desc;
    pesim_algo_destroy(al);
    // annealing's schedule is an option too
    const char *seg[] = {"segment=50", "init=5"};
    pesim_algo_options os = pesim_algo_options();
    os.kv = seg;
    os.n_kv = 2;
    EXPECT_NE(Drive("annealing", sp, f, 3, 200, 1).cands, Drive("annealing", sp, f, 3, 200, 1, os).cands);
}

// Annealing and the GA start from valid designs: at a budget of 100 they
// find valid mappings where uniform random starts mostly cannot.
TEST(SearchAlgoReal, ValidStartsAtASmallBudget)
{
    int found[2] = {0, 0}, runs = 0;
    for (const char *arch : kArchs)
        for (RealLayer rl : kLayers) {
            rl.arch = arch;
            Real re(rl);
            ASSERT_TRUE(re.ok);
            for (const char *algo : {"annealing", "genetic"})
                for (uint64_t seed = 1; seed <= 3; seed++) {
                    runs++;
                    for (int v = 0; v < 2; v++) {
                        const char *kv[] = {v ? "valid_start=1" : "valid_start=0"};
                        pesim_algo_options opt = pesim_algo_options();
                        opt.kv = kv;
                        opt.n_kv = 1;
                        double best = RealBest(algo, re, seed, 100, 1, opt);
                        found[v] += best < PESIM_INVALID_PENALTY;
                        if (v) {
                            EXPECT_LT(best, PESIM_INVALID_PENALTY) << algo << " " << arch << " " << rl.layer;
                        }
                    }
                }
        }
    printf("runs with a valid design at a budget of 100: %d of %d from valid starts, %d of %d from uniform ones\n",
           found[1], runs, found[0], runs);
    EXPECT_EQ(found[1], runs);
    EXPECT_GT(found[1], found[0]);
}
