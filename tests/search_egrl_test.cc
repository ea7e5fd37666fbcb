// search_egrl_test.cc - EGRL and its ablations (search/algorithms/egrl.c):
// a Boltzmann chromosome samples softmax(prior / T); crossover and mutation
// keep a genome's shape and bounds; on a synthetic placement problem with a
// known optimum (tensor sizes, three levels of increasing speed, capacities
// over the fast ones; the optimum by dynamic programming) EGRL finds it and
// beats the learner only over seeds (a permutation test); a run is a
// function of its seed (whatever the batch); greedy is net's greedy placer;
// on a real placement space every algorithm resumes through the campaign,
// and rectification makes every placement feasible.
#include <gtest/gtest.h>

#include "search_test_util.h"
#include "search_egrl_problem.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "../search/algo_impl.h"
#include "../search/algorithms/egrl.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/net.h"
#include "pesim/rl.h"
#include "pesim/search.h"
}

namespace {

using egrl_problem::Invalid;
using egrl_problem::PlaceSpace;
using egrl_problem::Problem;
using egrl_problem::Valid;

struct Trace {
    std::vector<int32_t> cands;
    std::vector<double> best_after;  // best objective after each evaluation
    double best = PESIM_INVALID_PENALTY;
};

// after_tell, when set, is called with the handle after every tell;
// origins, when given, gets each ask's origins (egrl_ask_origins, read
// between the ask and its tell).
Trace Drive(const char *name, const algo_space *sp, const std::function<pesim_result(const int32_t *)> &f,
            uint64_t seed, int64_t budget, int batch, std::vector<std::string> kv = {},
            const std::function<void(pesim_algo *)> &after_tell = nullptr,
            std::vector<std::vector<int32_t>> *origins = nullptr)
{
    Trace run;
    std::vector<const char *> p;
    for (auto &s : kv) p.push_back(s.c_str());
    pesim_algo_options opt;
    memset(&opt, 0, sizeof opt);
    opt.kv = p.data();
    opt.n_kv = (int32_t)p.size();
    pesim_algo *al = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_algo_create_core(name, sp, seed, &opt, &al, &e), PESIM_OK) << name << ": " << e.msg;
    if (!al) return run;
    std::vector<int32_t> x((size_t)batch * sp->n);
    std::vector<pesim_result> r(batch);
    while ((int64_t)run.best_after.size() < budget) {
        int32_t want = (int32_t)std::min<int64_t>(batch, budget - (int64_t)run.best_after.size());
        int32_t k = pesim_algo_ask(al, x.data(), want);
        if (k <= 0) break;
        if (origins) {
            std::vector<int32_t> o((size_t)k);
            EXPECT_EQ(egrl_ask_origins(pesim_algo_state(al), o.data()), k);
            origins->push_back(o);
        }
        for (int32_t c = 0; c < k; c++) {
            for (int32_t i = 0; i < sp->n; i++) {
                EXPECT_GE(x[(size_t)c * sp->n + i], 0);
                EXPECT_LT(x[(size_t)c * sp->n + i], sp->n_choices[i]);
            }
            r[c] = f(&x[(size_t)c * sp->n]);
            if (r[c].valid) run.best = std::min(run.best, r[c].objective);
            run.best_after.push_back(run.best);
        }
        run.cands.insert(run.cands.end(), x.begin(), x.begin() + (size_t)k * sp->n);
        pesim_algo_tell(al, x.data(), r.data(), k);
        if (after_tell) after_tell(al);
    }
    pesim_algo_destroy(al);
    return run;
}

// Options of an algorithm's table by name, defaults elsewhere.
std::vector<double> Opts(const char *algo, std::vector<std::pair<const char *, double>> set)
{
    std::vector<double> v;
    pesim_algo_option_info info;
    for (int32_t i = 0; pesim_algo_option_info_get(algo, i, &info); i++) {
        double x = info.def;
        for (auto &kv : set)
            if (strcmp(kv.first, info.name) == 0) x = kv.second;
        v.push_back(x);
    }
    return v;
}

// One-sided exact permutation test of "a's mean is lower than b's" (two
// independent samples): the share of the C(n_a + n_b, n_a) relabellings of
// the pooled values whose mean difference is at most the observed one.
double PermutationP(const std::vector<double> &a, const std::vector<double> &b)
{
    std::vector<double> all(a);
    all.insert(all.end(), b.begin(), b.end());
    const size_t n = all.size(), na = a.size();
    const double total = std::accumulate(all.begin(), all.end(), 0.0);
    auto diff = [&](double sum_a) { return sum_a / na - (total - sum_a) / (n - na); };
    const double observed = diff(std::accumulate(a.begin(), a.end(), 0.0));
    std::vector<int> pick(n, 0);
    std::fill(pick.begin(), pick.begin() + (long)na, 1);
    std::sort(pick.begin(), pick.end());
    long at_most = 0, splits = 0;
    do {
        double sa = 0;
        for (size_t i = 0; i < n; i++) sa += pick[i] ? all[i] : 0;
        at_most += diff(sa) <= observed + 1e-12;
        splits++;
    } while (std::next_permutation(pick.begin(), pick.end()));
    return (double)at_most / (double)splits;
}

// Every candidate of a small space (mixed radix, the first parameter
// fastest), or every stride-th; at most 10,000 of them, candidate-major.
std::vector<int32_t> EveryCandidate(const pesim_space *s, int64_t stride = 1)
{
    const int32_t n = pesim_space_n_params(s);
    int64_t points = 1;
    for (int32_t i = 0; i < n; i++) points *= pesim_space_param(s, i)->n_choices;
    const bool small = (points + stride - 1) / stride <= 10000;
    EXPECT_TRUE(small) << points << " candidates";
    std::vector<int32_t> x;
    for (int64_t k = 0; k < points && small; k += stride)
        for (int32_t i = 0, rest = (int32_t)k; i < n; i++) {
            const int32_t c = pesim_space_param(s, i)->n_choices;
            x.push_back(rest % c);
            rest /= c;
        }
    return x;
}

// Small networks for the tests (the paper's width of 128 is the default).
const std::vector<std::string> kSmall = {"hidden=16", "depth=2"};

}  // namespace

// A chromosome's draws follow softmax(prior / T) per head (a chi-square
// test at a fixed seed), inactive heads (layers without weights here: none;
// the unused decision of a synthetic node) draw -1, and masked actions (a
// parameter with fewer choices than the head) never appear.
TEST(SearchEgrl, ChromosomeSamplesSoftmaxOfPriorOverTemperature)
{
    PlaceSpace ps(2);
    ps.n_choices[3] = 2;  // layer 1's outputs: DRAM or LLC only
    gsl_rng *rng = algo_rng_create(5);
    std::vector<double> o = Opts("ea", {{"pop_gnn", 0}, {"pop_boltz", 2}});
    void *st = nullptr;
    pesim_error e;
    ASSERT_EQ(algo_ea_create(&ps.sp, rng, o.data(), &st, &e), PESIM_OK) << e.msg;
    int32_t H, S, N;
    egrl_shape(st, &H, &S, &N);
    ASSERT_EQ(N, 2);
    ASSERT_EQ(H, 4);
    ASSERT_EQ(S, 3);
    ASSERT_EQ(egrl_member_is_gnn(st, 0), 0);
    std::vector<double> g((size_t)egrl_genome(st, 0, nullptr));
    ASSERT_EQ(g.size(), (size_t)(H * S + N));
    const double prior[4][3] = {{0.5, -1.0, 2.0}, {1.0, 0.0, -0.5}, {0.0, 1.5, 0.3}, {-2.0, 1.0, 9.0}};
    const double temp[2] = {0.7, 3.0};
    for (int h = 0; h < H; h++)
        for (int a = 0; a < S; a++) g[(size_t)h * S + a] = prior[h][a];
    g[(size_t)H * S] = temp[0], g[(size_t)H * S + 1] = temp[1];
    egrl_set_genome(st, 0, g.data());
    const int draws = 20000;
    std::vector<std::vector<int>> count(H, std::vector<int>(S, 0));
    std::vector<int32_t> act(H);
    for (int d = 0; d < draws; d++) {
        ASSERT_EQ(egrl_boltzmann_sample(st, 0, act.data()), H);
        for (int h = 0; h < H; h++) {
            ASSERT_GE(act[h], 0);
            ASSERT_LT(act[h], h == 3 ? 2 : 3) << "a masked choice was drawn";
            count[h][act[h]]++;
        }
    }
    for (int h = 0; h < H; h++) {
        int allowed = h == 3 ? 2 : 3;
        double T = temp[h / 2], z = 0, chi2 = 0;
        for (int a = 0; a < allowed; a++) z += std::exp(prior[h][a] / T);
        for (int a = 0; a < allowed; a++) {
            double expect = draws * std::exp(prior[h][a] / T) / z;
            chi2 += (count[h][a] - expect) * (count[h][a] - expect) / expect;
        }
        double p = gsl_cdf_chisq_Q(chi2, allowed - 1);
        EXPECT_GT(p, 1e-3) << "head " << h << ": chi2 " << chi2;
    }
    // a wrong temperature is detected: T = 1 on head 0 would give other counts
    double z1 = 0, chi2 = 0;
    for (int a = 0; a < 3; a++) z1 += std::exp(prior[0][a]);
    for (int a = 0; a < 3; a++) {
        double expect = draws * std::exp(prior[0][a]) / z1;
        chi2 += (count[0][a] - expect) * (count[0][a] - expect) / expect;
    }
    EXPECT_LT(gsl_cdf_chisq_Q(chi2, 2), 1e-6);
    algo_ea_destroy(st);
    gsl_rng_free(rng);
}

// Crossover and mutation keep a genome's length; a chromosome's crossover
// takes each node (its priors and temperature) whole from one parent, a
// GNN's takes each entry from one parent; mutation keeps temperatures in
// [temp_min, temp_max] and changes something; a mutated GNN still acts.
TEST(SearchEgrl, CrossoverAndMutationKeepShapes)
{
    PlaceSpace ps(5);
    gsl_rng *rng = algo_rng_create(9);
    std::vector<double> o = Opts("ea", {{"pop_gnn", 2}, {"pop_boltz", 2}, {"hidden", 8}, {"depth", 1}});
    void *st = nullptr;
    pesim_error e;
    ASSERT_EQ(algo_ea_create(&ps.sp, rng, o.data(), &st, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(egrl_n_members(st), 4);
    int32_t H, S, N;
    egrl_shape(st, &H, &S, &N);
    for (int kind = 0; kind < 2; kind++) {  // 0: GNN members 0, 1; 1: chromosomes 2, 3
        int a = kind ? 2 : 0, b = a + 1;
        ASSERT_EQ(egrl_member_is_gnn(st, a), !kind);
        size_t len = (size_t)egrl_genome(st, a, nullptr);
        ASSERT_EQ(len, (size_t)egrl_genome(st, b, nullptr));
        std::vector<double> ga(len), gb(len), c(len, NAN);
        egrl_genome(st, a, ga.data());
        egrl_genome(st, b, gb.data());
        egrl_make_child(st, a, b, 0, c.data());
        size_t from_a = 0, from_b = 0;
        for (size_t i = 0; i < len; i++) {
            ASSERT_TRUE(c[i] == ga[i] || c[i] == gb[i]) << i;
            from_a += c[i] == ga[i] && c[i] != gb[i];
            from_b += c[i] == gb[i] && c[i] != ga[i];
        }
        EXPECT_GT(from_a, 0u);
        EXPECT_GT(from_b, 0u);
        if (kind) {
            for (int v = 0; v < N; v++) {  // a node comes whole from one parent
                bool is_b = c[(size_t)H * S + v] == gb[(size_t)H * S + v];
                for (int k = 0; k < 2 * S; k++) {
                    size_t i = (size_t)v * 2 * S + k;
                    EXPECT_EQ(c[i], is_b ? gb[i] : ga[i]) << "node " << v;
                }
            }
        }
        std::vector<double> m(len);
        int changed = 0;
        for (int rep = 0; rep < 20; rep++) {
            egrl_make_child(st, a, -1, 1, m.data());
            for (size_t i = 0; i < len; i++) {
                ASSERT_TRUE(std::isfinite(m[i]));
                changed += m[i] != ga[i];
            }
            if (kind)
                for (int v = 0; v < N; v++) {
                    EXPECT_GE(m[(size_t)H * S + v], 0.1);
                    EXPECT_LE(m[(size_t)H * S + v], 10.0);
                }
        }
        EXPECT_GT(changed, 0);
        egrl_set_genome(st, a, m.data());
    }
    // the population still proposes valid choices after the edits
    std::vector<int32_t> x((size_t)8 * ps.sp.n);
    int32_t k = algo_ea_ask(st, x.data(), 8);
    ASSERT_EQ(k, 1);  // the greedy placement first
    pesim_result r = Valid(10);
    algo_ea_tell(st, x.data(), &r, 1, 1);
    k = algo_ea_ask(st, x.data(), 8);
    ASSERT_EQ(k, 4);
    for (int32_t i = 0; i < k * ps.sp.n; i++) {
        EXPECT_GE(x[(size_t)i], 0);
        EXPECT_LT(x[(size_t)i], 3);
    }
    EXPECT_EQ(egrl_reference(st), 10);
    algo_ea_destroy(st);
    gsl_rng_free(rng);
}

// The synthetic problem with rectification (scripts/study_egrl_rectify.sh):
// every placement of a 6-layer space is valid; a feasible one costs what it
// costs unrectified; a refused one costs what the placement it is rectified
// to (each tensor in order, spilled outward until it fits) costs, and that
// placement is feasible; the optimum is unchanged.
TEST(SearchEgrl, SyntheticRectificationSpillsOutward)
{
    PlaceSpace ps(6);
    Problem plain(ps.sp.n), rect(ps.sp.n, true);
    const int32_t n = ps.sp.n;
    std::vector<int32_t> x((size_t)n, 0);
    int refused = 0;
    double best = PESIM_INVALID_PENALTY;
    for (int64_t k = 0; k < 531441; k++) {  // 3^12: every placement
        for (int32_t i = 0, rest = (int32_t)k; i < n; i++, rest /= 3) x[(size_t)i] = rest % 3;
        const pesim_result p = plain(x.data()), r = rect(x.data());
        ASSERT_TRUE(r.valid) << k;
        best = std::min(best, r.objective);
        if (p.valid) {
            ASSERT_EQ(r.objective, p.objective) << k;
            continue;
        }
        refused++;
        // the rule, spelled out: each tensor at the level it asked for or the
        // first one out where it fits
        std::vector<int32_t> y = x;
        double used[3] = {0, 0, 0};
        const double cap[3] = {INFINITY, plain.cap_llc, plain.cap_sram};
        for (int32_t i = 0; i < n; i++) {
            while (used[y[(size_t)i]] + plain.words[(size_t)i] > cap[y[(size_t)i]]) y[(size_t)i]--;
            used[y[(size_t)i]] += plain.words[(size_t)i];
        }
        const pesim_result q = plain(y.data());
        ASSERT_TRUE(q.valid) << k;
        ASSERT_EQ(r.objective, q.objective) << k;
    }
    EXPECT_GT(refused, 0);
    EXPECT_EQ(best, plain.Optimum());
}

// Greedy proposes one placement, everything in the fastest level on a
// synthetic space (no capacities known), and stops.
TEST(SearchEgrl, GreedyOnSyntheticSpace)
{
    PlaceSpace ps(3);
    Problem f(ps.sp.n);
    Trace t = Drive("greedy", &ps.sp, f, 1, 10, 4);
    ASSERT_EQ(t.best_after.size(), 1u);
    for (int32_t i = 0; i < ps.sp.n; i++) EXPECT_EQ(t.cands[(size_t)i], 2);
}

// A run is a function of the seed: batches of 1 and of 7 give the same
// candidates; another seed gives other ones.
TEST(SearchEgrl, SameSeedSameRunWhateverTheBatch)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    for (const char *algo : {"egrl", "ea", "pg"}) {
        std::vector<std::string> kv = kSmall;
        kv.push_back("steps=2");
        kv.push_back("batch=8");
        if (strcmp(algo, "pg") == 0) kv.push_back("rollouts=5");
        Trace a = Drive(algo, &ps.sp, f, 3, 60, 1, kv);
        Trace b = Drive(algo, &ps.sp, f, 3, 60, 7, kv);
        Trace c = Drive(algo, &ps.sp, f, 4, 60, 7, kv);
        ASSERT_EQ(a.cands.size(), (size_t)60 * ps.sp.n) << algo;
        EXPECT_EQ(a.cands, b.cands) << algo;
        EXPECT_NE(a.cands, c.cands) << algo;
    }
}

// `critic=joint` (the joint-action critic, docs/egrl.md): the word is the
// option's value 2 (the same run), a run depends on the seed only (batch 1
// or 7), and it proposes what the additive critic's run proposes for greedy
// and the first generation's 20 members (the population's generator is
// not the learner's), then differs (the learner's rollouts, whose
// generator made critics of another width first, and the migrated
// learner). pg runs with it too.
TEST(SearchEgrl, JointCriticIsAnOptionWordAndARunOfItsSeed)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    auto kv = [](const char *critic) {
        std::vector<std::string> v = kSmall;
        v.push_back("steps=2");
        v.push_back("batch=8");
        v.push_back(std::string("critic=") + critic);
        return v;
    };
    Trace word = Drive("egrl", &ps.sp, f, 3, 80, 1, kv("joint"));
    Trace num = Drive("egrl", &ps.sp, f, 3, 80, 7, kv("2"));
    Trace add = Drive("egrl", &ps.sp, f, 3, 80, 7, kv("additive"));
    ASSERT_EQ(word.cands.size(), (size_t)80 * ps.sp.n);
    EXPECT_EQ(word.cands, num.cands);
    const size_t first = (size_t)(1 + 20) * ps.sp.n;
    EXPECT_TRUE(std::equal(word.cands.begin(), word.cands.begin() + (long)first, add.cands.begin()));
    EXPECT_NE(word.cands, add.cands);
    std::vector<std::string> pg = kv("joint");
    pg.push_back("rollouts=5");
    Trace p1 = Drive("pg", &ps.sp, f, 3, 40, 1, pg), p7 = Drive("pg", &ps.sp, f, 3, 40, 7, pg);
    ASSERT_EQ(p1.cands.size(), (size_t)40 * ps.sp.n);
    EXPECT_EQ(p1.cands, p7.cands);
}

// The critic-fit diagnostic (egrl_critic_values, docs/egrl.md "Does the
// critic learn the landscape?") is an observer: a run that asks the
// critics' values of 4,096 placements (the first in base-3 order) after every tell
// proposes exactly what the run that does not proposes, with the additive
// and the joint critic; the values are finite and not all equal once the
// learner has trained; ea has no critic (0).
TEST(SearchEgrl, CriticValuesObserveWithoutChangingTheRun)
{
    PlaceSpace ps(6);
    Problem f(ps.sp.n);
    std::vector<int32_t> all;
    for (int32_t k = 0; k < 4096; k++)  // placement k in base 3, parameter 0 the lowest digit
        for (int32_t i = 0, v = k; i < ps.sp.n; i++, v /= 3) all.push_back(v % 3);
    for (const char *critic : {"critic=additive", "critic=joint"}) {
        std::vector<std::string> kv = kSmall;
        kv.push_back("steps=2");
        kv.push_back("batch=8");
        kv.push_back(critic);
        int calls = 0;
        double spread = 0;
        auto look = [&](pesim_algo *al) {
            std::vector<double> q(4096);
            ASSERT_EQ(egrl_critic_values(pesim_algo_state(al), all.data(), 4096, q.data()), 1);
            for (double v : q) ASSERT_TRUE(std::isfinite(v));
            spread = *std::max_element(q.begin(), q.end()) - *std::min_element(q.begin(), q.end());
            calls++;
        };
        Trace plain = Drive("egrl", &ps.sp, f, 9, 64, 21, kv), seen = Drive("egrl", &ps.sp, f, 9, 64, 21, kv, look);
        ASSERT_EQ(plain.cands.size(), (size_t)64 * ps.sp.n);
        EXPECT_EQ(plain.cands, seen.cands) << critic;
        EXPECT_EQ(calls, 4) << critic;  // greedy, then three generations of 21
        EXPECT_GT(spread, 0) << critic;
    }
    Drive("ea", &ps.sp, f, 9, 22, 21, kSmall, [&](pesim_algo *al) {
        double q;
        EXPECT_EQ(egrl_critic_values(pesim_algo_state(al), all.data(), 1, &q), 0);
    });
}

// The learner draws from its own generator: egrl and ea with one seed
// start from the same population and propose the same first generation
// (egrl's last candidate of it is the learner's own rollout), and so does
// egrl whether its learner trains or not (steps 0 or 16) up to the first
// migration.
TEST(SearchEgrl, TheLearnerDrawsFromItsOwnGenerator)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    const int gen = 1 + 20;  // greedy, then the 20 members
    Trace ea = Drive("ea", &ps.sp, f, 7, gen, 21, kSmall);
    std::vector<std::string> kv = kSmall;
    Trace egrl = Drive("egrl", &ps.sp, f, 7, gen + 1, 21, kv);
    kv.push_back("steps=0");
    Trace still = Drive("egrl", &ps.sp, f, 7, 2 * (gen + 1) - 1, 21, kv);
    Trace trained = Drive("egrl", &ps.sp, f, 7, 2 * (gen + 1) - 1, 21, kSmall);
    ASSERT_EQ(ea.cands.size(), (size_t)gen * ps.sp.n);
    ASSERT_EQ(egrl.cands.size(), (size_t)(gen + 1) * ps.sp.n);
    EXPECT_TRUE(std::equal(ea.cands.begin(), ea.cands.end(), egrl.cands.begin()));
    // the second generation: one GNN slot holds the migrated learner (its
    // weights differ with training), every chromosome's draw is the same
    ASSERT_EQ(still.cands.size(), trained.cands.size());
    const size_t n = (size_t)ps.sp.n, g2 = (size_t)(gen + 1) * n;
    int same = 0;
    for (size_t c = 0; c < 20; c++)
        same += std::equal(still.cands.begin() + g2 + c * n, still.cands.begin() + g2 + (c + 1) * n,
                           trained.cands.begin() + g2 + c * n);
    EXPECT_GE(same, 19) << "only the migrated member may differ";
}

// Migration: after a generation is told, the learner's actor (trained on
// it) is copied into exactly one member, the GNN member of lowest fitness
// among those that are not elites (the top 2 of 8 here), and into no
// other; every member's fitness is the reward of its own rollout.
TEST(SearchEgrl, MigrationCopiesTheLearnerIntoTheWorstGnnThatIsNotAnElite)
{
    PlaceSpace ps(4);
    gsl_rng *rng = algo_rng_create(11);
    std::vector<double> o =
        Opts("egrl", {{"pop_gnn", 4}, {"pop_boltz", 4}, {"hidden", 8}, {"depth", 1}, {"steps", 2}, {"batch", 8}});
    void *st = nullptr;
    pesim_error e;
    ASSERT_EQ(algo_egrl_create(&ps.sp, rng, o.data(), &st, &e), PESIM_OK) << e.msg;
    const int32_t P = egrl_n_members(st);
    ASSERT_EQ(P, 8);
    std::vector<int32_t> x((size_t)16 * ps.sp.n);
    ASSERT_EQ(algo_egrl_ask(st, x.data(), 16), 1);  // greedy
    pesim_result ref = Valid(100);
    algo_egrl_tell(st, x.data(), &ref, 1, 1);
    ASSERT_EQ(algo_egrl_ask(st, x.data(), 16), P + 1);  // the members, then the learner's rollout
    // member i's objective 100 / (1 + i / 8): speedup (1 + i / 8), reward its square - 1;
    // member 5 refused (-5)
    std::vector<pesim_result> r(P + 1);
    for (int32_t i = 0; i <= P; i++) r[i] = i == 5 ? Invalid() : Valid(100 / (1 + i / 8.0));
    const int64_t n = egrl_learner_params(st, nullptr);
    ASSERT_GT(n, 0);
    std::vector<double> before((size_t)n), after((size_t)n), g;
    egrl_learner_params(st, before.data());
    algo_egrl_tell(st, x.data(), r.data(), P + 1, 1);
    egrl_learner_params(st, after.data());
    EXPECT_NE(before, after) << "the learner trained on the generation";
    std::vector<int32_t> order(P);
    std::iota(order.begin(), order.end(), 0);
    for (int32_t i = 0; i < P; i++) {
        const double sp = 1 + i / 8.0;
        EXPECT_NEAR(egrl_member_fitness(st, i), i == 5 ? -5.0 : sp * sp - 1, 1e-12) << i;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return egrl_member_fitness(st, a) > egrl_member_fitness(st, b); });
    int32_t worst = -1;  // the lowest-fitness GNN outside the top 2
    for (int32_t k = P - 1; k >= 2 && worst < 0; k--)
        if (egrl_member_is_gnn(st, order[k])) worst = order[k];
    ASSERT_GE(worst, 0);
    for (int32_t i = 0; i < P; i++) {
        if (!egrl_member_is_gnn(st, i)) continue;
        g.assign((size_t)egrl_genome(st, i, nullptr), 0);
        egrl_genome(st, i, g.data());
        EXPECT_EQ(g == after, i == worst) << "member " << i << ", worst GNN outside the elites " << worst;
    }
    algo_egrl_destroy(st);
    gsl_rng_free(rng);
}

// CEM-RL's steps (pop_grad, docs/egrl.md "Critic steps on the members"):
// after a generation, exactly the first ceil(pop_grad_frac x n) in slot
// order of the n non-elite GNN members other than the migrant take actor
// steps (their origins carry EGRL_ORIGIN_STEPPED in the next ask). The
// steps draw nothing, so the run with pop_grad=0 from the same seed holds
// the same genomes everywhere else, and the stepped ones differ from it.
// A run with steps depends on its seed only (batch 1 or 7) and differs from
// the run without; a joint critic is refused.
TEST(SearchEgrl, PopGradStepsTheFirstShareOfNonEliteGnnChildren)
{
    PlaceSpace ps(4);
    auto make = [&](double pop_grad, void **st) {
        gsl_rng *rng = algo_rng_create(11);
        std::vector<double> o = Opts("egrl", {{"pop_gnn", 6}, {"pop_boltz", 4}, {"hidden", 8}, {"depth", 1},
                                              {"steps", 2}, {"batch", 8}, {"pop_grad", pop_grad}});
        pesim_error e;
        EXPECT_EQ(algo_egrl_create(&ps.sp, rng, o.data(), st, &e), PESIM_OK) << e.msg;
        return rng;
    };
    void *st = nullptr, *plain = nullptr;
    gsl_rng *r1 = make(8, &st), *r2 = make(0, &plain);
    ASSERT_TRUE(st && plain);
    const int32_t P = egrl_n_members(st);
    ASSERT_EQ(P, 10);
    std::vector<int32_t> x((size_t)16 * ps.sp.n), y((size_t)16 * ps.sp.n);
    pesim_result ref = Valid(100);
    for (void *h : {st, plain}) {
        ASSERT_EQ(algo_egrl_ask(h, x.data(), 16), 1);  // greedy
        algo_egrl_tell(h, x.data(), &ref, 1, 1);
    }
    ASSERT_EQ(algo_egrl_ask(st, x.data(), 16), P + 1);
    ASSERT_EQ(algo_egrl_ask(plain, y.data(), 16), P + 1);
    EXPECT_EQ(x, y);
    // member i's speedup 1 + ((i * 7) % 10) / 10: a shuffled ranking
    std::vector<pesim_result> r(P + 1);
    for (int32_t i = 0; i <= P; i++) r[i] = Valid(100 / (1 + ((i * 7) % 10) / 10.0));
    algo_egrl_tell(st, x.data(), r.data(), P + 1, 1);
    algo_egrl_tell(plain, y.data(), r.data(), P + 1, 1);
    std::vector<int32_t> order(P);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return egrl_member_fitness(st, a) > egrl_member_fitness(st, b); });
    std::vector<bool> elite(P, false);
    elite[order[0]] = elite[order[1]] = true;  // 10 % of 10, at least 2
    int32_t migrant = -1;
    for (int32_t k = P - 1; k >= 2 && migrant < 0; k--)
        if (egrl_member_is_gnn(st, order[k])) migrant = order[k];
    ASSERT_GE(migrant, 0);
    std::vector<int32_t> children;
    for (int32_t i = 0; i < P; i++)
        if (egrl_member_is_gnn(st, i) && !elite[i] && i != migrant) children.push_back(i);
    ASSERT_GE(children.size(), 3u);
    const size_t want = (children.size() + 1) / 2;
    std::vector<bool> stepped(P, false);
    for (size_t k = 0; k < want; k++) stepped[children[k]] = true;
    for (int32_t i = 0; i < P; i++) {
        std::vector<double> a((size_t)egrl_genome(st, i, nullptr)), b((size_t)egrl_genome(plain, i, nullptr));
        egrl_genome(st, i, a.data());
        egrl_genome(plain, i, b.data());
        EXPECT_EQ(a != b, (bool)stepped[i]) << "member " << i;
    }
    ASSERT_EQ(algo_egrl_ask(st, x.data(), 16), P + 1);
    std::vector<int32_t> origin(P + 1);
    ASSERT_EQ(egrl_ask_origins(st, origin.data()), P + 1);
    for (int32_t i = 0; i < P; i++)
        EXPECT_EQ((origin[i] & EGRL_ORIGIN_STEPPED) != 0, (bool)stepped[i]) << "member " << i;
    EXPECT_EQ(origin[P] & EGRL_ORIGIN_STEPPED, 0);  // the learner's rollout
    algo_egrl_destroy(st);
    algo_egrl_destroy(plain);
    gsl_rng_free(r1);
    gsl_rng_free(r2);

    Problem f(ps.sp.n);
    std::vector<std::string> kv = kSmall;
    kv.push_back("steps=2");
    kv.push_back("batch=8");
    Trace off = Drive("egrl", &ps.sp, f, 3, 80, 7, kv);
    kv.push_back("pop_grad=64");
    Trace a = Drive("egrl", &ps.sp, f, 3, 80, 1, kv), b = Drive("egrl", &ps.sp, f, 3, 80, 7, kv);
    ASSERT_EQ(a.cands.size(), (size_t)80 * ps.sp.n);
    EXPECT_EQ(a.cands, b.cands);
    EXPECT_NE(a.cands, off.cands);
    std::vector<double> o = Opts("egrl", {{"critic", 2}, {"pop_grad", 4}});
    gsl_rng *rng = algo_rng_create(1);
    void *bad = nullptr;
    pesim_error e;
    EXPECT_EQ(algo_egrl_create(&ps.sp, rng, o.data(), &bad, &e), PESIM_ERR_RANGE);
    EXPECT_NE(std::string(e.msg).find("pop_grad"), std::string::npos) << e.msg;
    gsl_rng_free(rng);
}

// On a small placement problem with a known optimum (12 tensors, 3 levels,
// two capacities: 531441 points; the optimum by dynamic programming), at
// 1000 evaluations over 12 seeds: EGRL's final gap to the optimum is lower
// than the learner alone's, by a one-sided exact permutation test at
// p < 0.05. Evolution only and random search are run and printed, not
// asserted against: EGRL does not beat them here (docs/egrl.md "Tests").
// How often EGRL ends at the exact optimum is printed, not asserted: about
// 1 seed in 12 (0 to 4 of these 12 with one random stream or another), too
// rare for 12 seeds; FindsTheOptimumOfASmallNetwork asserts it over 24.
TEST(SearchEgrl, FindsTheKnownOptimumAndBeatsTheLearnerAlone)
{
    PlaceSpace ps(6);
    Problem f(ps.sp.n);
    const double opt = f.Optimum();
    ASSERT_LT(opt, PESIM_INVALID_PENALTY);
    const int seeds = 12, budget = 1000;
    std::vector<std::string> kv = kSmall;
    std::vector<std::string> pg = kv;
    pg.push_back("rollouts=20");
    const std::vector<std::string> none;
    std::vector<double> gap[4];
    int found = 0;
    const char *algos[4] = {"egrl", "ea", "pg", "random"};
    for (int s = 0; s < seeds; s++) {
        for (int a = 0; a < 4; a++) {
            Trace t = Drive(algos[a], &ps.sp, f, 100 + s, budget, 21, a == 2 ? pg : a == 3 ? none : kv);
            double g = t.best < PESIM_INVALID_PENALTY ? t.best / opt - 1 : 10;
            gap[a].push_back(g);
            if (a == 0 && g < 1e-12) found++;
        }
    }
    double mean[4];
    for (int a = 0; a < 4; a++) {
        mean[a] = std::accumulate(gap[a].begin(), gap[a].end(), 0.0) / seeds;
        printf("%-6s gap per seed:", algos[a]);
        for (double g : gap[a]) printf(" %.4f", g);
        printf("  mean %.4f", mean[a]);
        if (a > 0) printf("  one-sided p (egrl lower) %.4f", PermutationP(gap[0], gap[a]));
        printf("\n");
    }
    printf("egrl found the optimum %d times of %d\n", found, seeds);
    EXPECT_LT(mean[0], mean[2]) << "EGRL " << mean[0] << " vs PG only " << mean[2];
    const double p = PermutationP(gap[0], gap[2]);
    EXPECT_LT(p, 0.05) << "EGRL vs PG only: one-sided p " << p;
}

// On a real placement space: greedy proposes net's greedy placement (one
// candidate, feasible, costed by the same whole-network run), and every
// algorithm stopped part-way and resumed to twice its budget equals the
// straight run.
TEST(SearchEgrl, RealSpaceGreedyAndResume)
{
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_placement(&small.arch, &small.net, &s, &e), PESIM_OK) << e.msg;
    for (const char *spec : {"greedy", "egrl", "ea", "pg", "egrl recall", "pg recall"}) {
        const std::string name(spec, strcspn(spec, " "));
        const char *algo = name.c_str();
        std::vector<const char *> kv = {"hidden=8", "depth=1", "steps=2", "batch=8", "pop_gnn=2", "pop_boltz=2"};
        if (strcmp(algo, "greedy") == 0) kv.clear();
        if (strchr(spec, ' ')) kv.push_back("repeats=recall");
        pesim_campaign_options o;
        memset(&o, 0, sizeof o);
        o.algo = algo;
        o.algo_opt.kv = kv.data();
        o.algo_opt.n_kv = (int32_t)kv.size();
        o.seed = 11;
        o.batch = 3;
        o.fidelity = PESIM_FIDELITY_ANALYTICAL;
        o.eval.objective = PESIM_OBJ_LATENCY;
        o.label = "L";
        TempDir d;
        auto run = [&](const std::string &db, int64_t budget, pesim_run_mode mode, int64_t stop_at) {
            pesim_store *st = nullptr;
            EXPECT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
            o.budget = budget;
            o.mode = mode;
            pesim_campaign *c = nullptr;
            EXPECT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << algo << ": " << e.msg;
            struct Stop {
                int64_t at;
            } stop{stop_at};
            if (c && stop_at > 0)
                pesim_campaign_set_callback(
                    c, [](void *ctx, const pesim_campaign_batch *b) { return (int)(b->first + b->n >= ((Stop *)ctx)->at); },
                    &stop);
            if (c) {
                EXPECT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
            }
            pesim_campaign_report rep;
            memset(&rep, 0, sizeof rep);
            std::vector<int32_t> best;
            if (c) {
                rep = *pesim_campaign_get_report(c);
                if (rep.found) best.assign(pesim_campaign_best_choices(c), pesim_campaign_best_choices(c) + pesim_space_n_params(s));
            }
            pesim_campaign_destroy(c);
            pesim_store_close(st);
            return std::make_pair(rep, best);
        };
        auto a = run(d.file("r.db"), 30, PESIM_RUN_NEW, 10);
        auto b = run(d.file("r.db"), 30, PESIM_RUN_RESUME, 0);
        auto c = run(d.file("straight.db"), 30, PESIM_RUN_NEW, 0);
        EXPECT_EQ(b.first.resumed, 1) << algo;
        EXPECT_EQ(b.first.samples, c.first.samples) << algo;
        EXPECT_EQ(b.first.best.objective, c.first.best.objective) << algo;
        EXPECT_EQ(b.first.best_sample, c.first.best_sample) << algo;
        EXPECT_EQ(b.second, c.second) << algo;
        ASSERT_TRUE(c.first.found) << algo << ": the greedy placement is feasible";
        if (strcmp(algo, "greedy") == 0) {
            EXPECT_EQ(c.first.samples, 1);
            // The one greedy: the candidate is net's native-compiler placer's placement
            // (pesim_net_place_greedy), tensor by tensor, the network input (no
            // parameter of the space) kept in the outermost level.
            std::vector<int32_t> g((size_t)pesim_space_n_params(s));
            int32_t in_level = -1;
            ASSERT_EQ(pesim_space_placement_greedy(s, g.data(), &in_level, &e), PESIM_OK) << e.msg;
            EXPECT_EQ(c.second, g);
            pesim_net_options no{};
            no.preload_weights = 1;  // pesim_space_placement's options
            pesim_net *n = nullptr;
            ASSERT_EQ(pesim_net_create(&small.arch, &small.net, &no, &n, &e), PESIM_OK) << e.msg;
            pesim_placement np;
            ASSERT_EQ(pesim_net_place_greedy(n, &np, &e), PESIM_OK);
            EXPECT_EQ(in_level, np.input_level);
            pesim_design gd;
            char why[256];
            ASSERT_TRUE(pesim_space_decode(s, c.second.data(), &gd, why, sizeof why)) << why;
            int moved = 0;
            for (int32_t li = 0; li < small.net.n_layers; li++) {
                EXPECT_EQ(gd.placement.outputs_level[li], np.outputs_level[li]) << li;
                if (pesim_layer_has_weights(&small.net.layers[li])) {
                    EXPECT_EQ(gd.placement.weights_level[li], np.weights_level[li]) << li;
                }
                moved += np.outputs_level[li] != small.arch.n_levels - 1;
            }
            EXPECT_GT(moved, 0) << "greedy moved nothing out of DRAM";
            // its objective is that placement's network latency on the same evaluator
            np.input_level = small.arch.n_levels - 1;
            const pesim_net_result *nr = nullptr;
            ASSERT_EQ(pesim_net_run(n, &np, PESIM_NET_ANALYTICAL, &nr, &e), PESIM_OK) << e.msg;
            ASSERT_TRUE(nr->valid) << nr->reason;
            EXPECT_EQ(c.first.best.objective, (double)nr->cycles);
            pesim_placement_free(&np);
            pesim_net_destroy(n);
        } else {
            EXPECT_EQ(c.first.samples, 30) << algo;
        }
    }
    pesim_space_destroy(s);
}

// Rectification makes any placement feasible (the environment of issue
// #16): on the small network, every one of the placement space's candidates
// (each tensor in the global buffer or DRAM) evaluates; without
// rectification some are over the buffer's capacity (the GEMM's 20,480
// weight words alone exceed its 16,384) and are refused. A rectified
// candidate costs what the placement as run (after its spills) costs
// unrectified: the penalty is the slower level, not a refusal.
TEST(SearchEgrl, RectificationMakesEveryPlacementFeasible)
{
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    pesim_error e;
    pesim_net_options o{};
    o.preload_weights = 1;
    pesim_space *plain = nullptr, *rect = nullptr;
    ASSERT_EQ(pesim_space_placement_opts(&small.arch, &small.net, &o, &plain, &e), PESIM_OK) << e.msg;
    o.rectify = 1;
    ASSERT_EQ(pesim_space_placement_opts(&small.arch, &small.net, &o, &rect, &e), PESIM_OK) << e.msg;
    const int32_t n = pesim_space_n_params(rect);
    ASSERT_EQ(n, pesim_space_n_params(plain));
    const std::vector<int32_t> x = EveryCandidate(rect);
    const int64_t points = (int64_t)x.size() / n;
    ASSERT_GE(points, 64);
    pesim_eval_options eo{};
    eo.objective = PESIM_OBJ_LATENCY;
    pesim_evaluator *er = nullptr, *ep = nullptr;
    ASSERT_EQ(pesim_evaluator_create(rect, nullptr, &eo, &er, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_evaluator_create(plain, nullptr, &eo, &ep, &e), PESIM_OK) << e.msg;
    std::vector<pesim_result> rr((size_t)points), rp((size_t)points);
    ASSERT_EQ(pesim_evaluator_run(er, x.data(), (int32_t)points, PESIM_FIDELITY_ANALYTICAL, rr.data()), PESIM_OK);
    ASSERT_EQ(pesim_evaluator_run(ep, x.data(), (int32_t)points, PESIM_FIDELITY_ANALYTICAL, rp.data()), PESIM_OK);
    int refused = 0;
    o.rectify = 0;
    pesim_net *net = nullptr;
    ASSERT_EQ(pesim_net_create(&small.arch, &small.net, &o, &net, &e), PESIM_OK) << e.msg;
    o.rectify = 1;
    pesim_net *rnet = nullptr;
    ASSERT_EQ(pesim_net_create(&small.arch, &small.net, &o, &rnet, &e), PESIM_OK) << e.msg;
    for (int64_t k = 0; k < points; k++) {
        EXPECT_TRUE(rr[(size_t)k].valid) << "candidate " << k << ": " << rr[(size_t)k].reason;
        if (rp[(size_t)k].valid) {
            EXPECT_EQ(rr[(size_t)k].cycles, rp[(size_t)k].cycles) << k;  // nothing to rectify
            continue;
        }
        refused++;
        // the rectified placement, run as it is without rectification
        pesim_design d;
        char why[256];
        ASSERT_TRUE(pesim_space_decode(rect, &x[(size_t)k * n], &d, why, sizeof why)) << why;
        const pesim_net_result *r = nullptr;
        ASSERT_EQ(pesim_net_run(rnet, &d.placement, PESIM_NET_ANALYTICAL, &r, &e), PESIM_OK) << e.msg;
        ASSERT_TRUE(r->valid && r->rectified) << k;
        pesim_placement as_run;
        ASSERT_EQ(pesim_placement_copy(&as_run, &r->placement, &e), PESIM_OK);
        const int64_t rect_cycles = r->cycles;
        for (int32_t li = 0; li < as_run.n_layers; li++) as_run.weights_address[li] = as_run.outputs_address[li] = -1;
        as_run.input_address = -1;
        const pesim_net_result *q = nullptr;
        ASSERT_EQ(pesim_net_run(net, &as_run, PESIM_NET_ANALYTICAL, &q, &e), PESIM_OK) << e.msg;
        EXPECT_TRUE(q->valid) << k << ": " << q->reason;
        EXPECT_EQ(q->cycles, rect_cycles) << k;
        EXPECT_EQ(rr[(size_t)k].cycles, rect_cycles) << k;
        pesim_placement_free(&as_run);
    }
    printf("%lld placements, %d refused without rectification, all feasible with it\n", (long long)points, refused);
    EXPECT_GT(refused, 0);
    pesim_net_destroy(net);
    pesim_net_destroy(rnet);
    pesim_evaluator_destroy(er);
    pesim_evaluator_destroy(ep);
    pesim_space_destroy(rect);
    pesim_space_destroy(plain);
}

// The capacity-bound problem (egrl_problem::kCapArch, kCapWorkload: DQN on a
// small NNP-I, rectified; docs/egrl.md "A problem where capacity binds"):
// rectification keeps every placement feasible while most do not fit
// without it, and capacity still shapes the optimum: the greedy placer (the
// native compiler) and "everything in the fastest level" (rectified) cost
// more than twice the best of every 7th placement of the space (an upper
// bound on the optimum, which enumeration puts at 4,330 cycles), and random
// search at the study's budget (630) ends above that bound in every seed.
TEST(SearchEgrl, CapacityStillBindsAfterRectification)
{
    egrl_problem::RealPlacement rect(egrl_problem::kCapArch, egrl_problem::kCapWorkload, nullptr, true),
        plain(egrl_problem::kCapArch, egrl_problem::kCapWorkload, nullptr, false);
    ASSERT_TRUE(rect.ok) << rect.error.msg;
    ASSERT_TRUE(plain.ok) << plain.error.msg;
    const int32_t n = rect.n();
    ASSERT_EQ(n, 10);
    const std::vector<int32_t> x = EveryCandidate(rect.s, 7);
    ASSERT_EQ(x.size() / (size_t)n, 8436u);  // of 59,049
    const int32_t points = (int32_t)(x.size() / (size_t)n);
    std::vector<pesim_result> rr((size_t)points), rp((size_t)points);
    ASSERT_EQ(pesim_evaluator_run(rect.ev, x.data(), points, PESIM_FIDELITY_ANALYTICAL, rr.data()), PESIM_OK);
    ASSERT_EQ(pesim_evaluator_run(plain.ev, x.data(), points, PESIM_FIDELITY_ANALYTICAL, rp.data()), PESIM_OK);
    double bound = PESIM_INVALID_PENALTY;
    int refused = 0;
    for (int32_t k = 0; k < points; k++) {
        ASSERT_TRUE(rr[(size_t)k].valid) << k << ": " << rr[(size_t)k].reason;
        bound = std::min(bound, rr[(size_t)k].objective);
        refused += !rp[(size_t)k].valid;
    }
    EXPECT_GT(refused, points / 2);  // capacity binds: most placements do not fit as asked
    const std::vector<int32_t> g = rect.Greedy();
    ASSERT_EQ((int32_t)g.size(), n);
    std::vector<int32_t> inner((size_t)n);
    for (int32_t i = 0; i < n; i++) inner[(size_t)i] = pesim_space_param(rect.s, i)->n_choices - 1;
    const pesim_result gr = rect(g.data()), ir = rect(inner.data());
    ASSERT_TRUE(gr.valid && ir.valid);
    printf("%d placements sampled, %d refused without rectification; best %.0f, greedy %.0f, all-innermost %.0f\n",
           (int)points, refused, bound, gr.objective, ir.objective);
    EXPECT_GT(gr.objective, 2 * bound);
    EXPECT_GT(ir.objective, 2 * bound);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        pesim_algo *al = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_algo_create("random", rect.s, seed, nullptr, &al, &e), PESIM_OK) << e.msg;
        std::vector<int32_t> c((size_t)21 * n);
        std::vector<pesim_result> r(21);
        double best = PESIM_INVALID_PENALTY;
        for (int done = 0; done < 630; done += 21) {
            ASSERT_EQ(pesim_algo_ask(al, c.data(), 21), 21);
            ASSERT_EQ(pesim_evaluator_run(rect.ev, c.data(), 21, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
            for (auto &q : r) best = std::min(best, q.objective);
            pesim_algo_tell(al, c.data(), r.data(), 21);
        }
        pesim_algo_destroy(al);
        printf("random seed %d: best %.0f\n", (int)seed, best);
        EXPECT_GT(best, bound) << "seed " << seed;
    }
}

// On a small network with a known optimum (egrl_problem::kFc6: every one of its 4,096
// placements evaluated; the optimum, 2 placements at 2,577 cycles, is 7 %
// faster than greedy's 2,761), EGRL through the campaign on the real space
// (net's greedy placement first), 630 evaluations (15 % of the space), 24
// seeds: it finds the exact optimum in at least one seed, and never ends
// worse than greedy. It finds it in about 1 seed of 5 or 6 (9 of 48 in docs/egrl.md
// "With rectification", 3 of these 24), so 24 seeds fail to find it with a
// chance near 1 % for a new random stream, where 6 failed near 30 %.
// Evolution only, the learner only and random search are run over seeds 1-6
// and printed, not asserted against (docs/egrl.md "Tests"; 48 seeds, with
// and without rectification: "With rectification"; EGRL does not beat EA
// there either).
TEST(SearchEgrl, FindsTheOptimumOfASmallNetwork)
{
    Loaded t("tests/data/cli/tiny_arch.cfg", nullptr);
    pesim_error e;
    pesim_network net;
    ASSERT_EQ(pesim_network_load_string(egrl_problem::kFc6, "fc6.cfg", &net, &e), PESIM_OK) << e.msg;
    pesim_space *s = nullptr;
    ASSERT_EQ(pesim_space_placement(&t.arch, &net, &s, &e), PESIM_OK) << e.msg;
    const int32_t n = pesim_space_n_params(s);
    const std::vector<int32_t> x = EveryCandidate(s);
    const int64_t points = (int64_t)x.size() / n;
    ASSERT_EQ(points, 4096);
    pesim_eval_options eo{};
    eo.objective = PESIM_OBJ_LATENCY;
    pesim_evaluator *ev = nullptr;
    ASSERT_EQ(pesim_evaluator_create(s, nullptr, &eo, &ev, &e), PESIM_OK) << e.msg;
    std::vector<pesim_result> r((size_t)points);
    ASSERT_EQ(pesim_evaluator_run(ev, x.data(), (int32_t)points, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
    double opt = PESIM_INVALID_PENALTY;
    int valid = 0, at_opt = 0;
    for (auto &q : r)
        if (q.valid) valid++, opt = std::min(opt, q.objective);
    for (auto &q : r) at_opt += q.valid && q.objective == opt;
    std::vector<int32_t> g((size_t)n);
    ASSERT_EQ(pesim_space_placement_greedy(s, g.data(), nullptr, &e), PESIM_OK);
    pesim_result gr;
    ASSERT_EQ(pesim_evaluator_run(ev, g.data(), 1, PESIM_FIDELITY_ANALYTICAL, &gr), PESIM_OK);
    printf("%lld points, %d valid, optimum %.0f (%d points), greedy %.0f\n", (long long)points, valid, opt, at_opt,
           gr.valid ? gr.objective : -1.0);
    // each algorithm through the campaign on the real space (net's greedy first)
    auto best_of = [&](const char *algo, uint64_t seed, int64_t budget) {
        std::vector<const char *> kv = {"hidden=16", "depth=2"};
        if (strcmp(algo, "random") == 0) kv.clear();
        pesim_campaign_options o;
        memset(&o, 0, sizeof o);
        o.algo = algo;
        o.algo_opt.kv = kv.data();
        o.algo_opt.n_kv = (int32_t)kv.size();
        o.seed = seed;
        o.batch = 21;
        o.budget = budget;
        o.mode = PESIM_RUN_NEW;
        o.fidelity = PESIM_FIDELITY_ANALYTICAL;
        o.eval.objective = PESIM_OBJ_LATENCY;
        o.label = "fc6";
        TempDir d;
        pesim_store *st = nullptr;
        EXPECT_EQ(pesim_store_open(d.file("r.db").c_str(), &st, &e), PESIM_OK) << e.msg;
        pesim_campaign *c = nullptr;
        EXPECT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << algo << ": " << e.msg;
        double best = PESIM_INVALID_PENALTY;
        if (c && pesim_campaign_run(c, &e) == PESIM_OK && pesim_campaign_get_report(c)->found)
            best = pesim_campaign_get_report(c)->best.objective;
        pesim_campaign_destroy(c);
        pesim_store_close(st);
        return best;
    };
    const int64_t budget = 630;
    ASSERT_TRUE(gr.valid) << gr.reason;
    ASSERT_LT(opt, gr.objective);  // greedy is not the optimum here
    for (const char *algo : {"egrl", "ea", "pg", "random"}) {
        const int seeds = strcmp(algo, "egrl") == 0 ? 24 : 6;
        int found = 0;
        double gap = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            double b = best_of(algo, (uint64_t)seed, budget);
            ASSERT_GE(b, opt) << algo;
            found += b == opt;
            gap += (b / opt - 1) / seeds;
            if (strcmp(algo, "egrl") == 0) {
                EXPECT_LE(b, gr.objective) << "seed " << seed;  // greedy first
            }
        }
        printf("%s found the optimum in %d of %d seeds, mean gap %.5f\n", algo, found, seeds, gap);
        if (strcmp(algo, "egrl") == 0) {
            EXPECT_GE(found, 1) << "EGRL never found the optimum";
        }
    }
    pesim_evaluator_destroy(ev);
    pesim_space_destroy(s);
    pesim_network_free(&net);
}

// replay_sample (docs/egrl.md "Options"): uniform is the default, so a run
// with replay_sample=uniform is the plain run candidate for candidate;
// "rank" is the number 1; a rank run proposes the plain run's greedy and
// first generation (the learner has not trained yet: 1 + 21 candidates),
// and its learner ends with other weights than the plain run's (its critics
// train on other draws with other weights; the proposals of so short a run
// need not differ); bad values are PESIM_ERR_RANGE naming the key (the
// CLI's exit 2).
TEST(SearchEgrl, RankReplayIsAnOptionAndUniformIsTheDefault)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    auto kv = [](std::vector<std::string> more) {
        std::vector<std::string> v = kSmall;
        v.push_back("steps=4");
        v.push_back("batch=8");
        v.insert(v.end(), more.begin(), more.end());
        return v;
    };
    std::vector<double> w_plain, w_rank;
    auto keep = [](std::vector<double> *w) {
        return [w](pesim_algo *al) {
            w->assign((size_t)egrl_learner_params(pesim_algo_state(al), nullptr), 0.0);
            egrl_learner_params(pesim_algo_state(al), w->data());
        };
    };
    Trace plain = Drive("egrl", &ps.sp, f, 5, 90, 21, kv({}), keep(&w_plain));
    Trace uni = Drive("egrl", &ps.sp, f, 5, 90, 21, kv({"replay_sample=uniform", "replay_alpha=3"}));
    Trace rank = Drive("egrl", &ps.sp, f, 5, 90, 21, kv({"replay_sample=rank"}), keep(&w_rank));
    Trace one = Drive("egrl", &ps.sp, f, 5, 90, 7, kv({"replay_sample=1", "replay_alpha=0.7", "replay_beta=0.5"}));
    ASSERT_EQ(plain.cands.size(), (size_t)90 * ps.sp.n);
    EXPECT_EQ(plain.cands, uni.cands);
    EXPECT_EQ(rank.cands, one.cands);
    const size_t first = (size_t)(1 + 21) * ps.sp.n;
    EXPECT_TRUE(std::equal(plain.cands.begin(), plain.cands.begin() + (long)first, rank.cands.begin()));
    ASSERT_GT(w_plain.size(), 0u);
    ASSERT_EQ(w_plain.size(), w_rank.size());
    EXPECT_NE(w_plain, w_rank);
    for (const char *bad : {"replay_sample=2", "replay_sample=ranked", "replay_alpha=-1", "replay_alpha=11",
                            "replay_beta=1.5", "replay_beta=-0.1"}) {
        const char *p[1] = {bad};
        pesim_algo_options o;
        memset(&o, 0, sizeof o);
        o.kv = p;
        o.n_kv = 1;
        pesim_algo *al = nullptr;
        pesim_error e;
        EXPECT_EQ(pesim_algo_create_core("egrl", &ps.sp, 1, &o, &al, &e), PESIM_ERR_RANGE) << bad;
        const std::string key(bad, strchr(bad, '=') - bad);
        EXPECT_NE(std::string(e.msg).find("option " + key + "="), std::string::npos) << e.msg;
        pesim_algo_destroy(al);
    }
}

// The transformer problem (docs/egrl.md "A transformer block (wave 11)"):
// the first 2 of BERT-base's encoder layers on NNP-I with its SRAM and LLC
// cut to a sixth. Expected values by hand from the two data files: 28
// layers, of which the 12 gemm and the 4 layer norm have weights, so 16 + 28
// = 44 placement parameters of 3 levels (DRAM, LLC, SRAM); the gemm weights
// are 2 * (4 * 768^2 + 2 * 768 * 3072) = 14,155,776 words, more than the SRAM
// (12 ICEs x 699,050 = 8,388,600) and the LLC (4,194,304) each, so weights all
// in SRAM or all in the LLC are refused (not rectified) and capacity binds:
// greedy cannot put every weight in SRAM; DRAM holds anything.
TEST(SearchEgrl, TransformerProblemCapacityBinds)
{
    egrl_problem::RealPlacement tf(egrl_problem::kTfArch, egrl_problem::kTfWorkload, nullptr, false);
    ASSERT_TRUE(tf.ok) << tf.error.msg;
    const int32_t n = tf.n();
    ASSERT_EQ(n, 44);
    const pesim_network *net = pesim_space_network_of(tf.s);
    ASSERT_EQ(net->n_layers, 28);
    int weights = 0, gemm = 0, norm = 0;
    for (int32_t i = 0; i < n; i++) {
        const pesim_param *p = pesim_space_param(tf.s, i);
        ASSERT_EQ(p->n_choices, 3) << p->name;
        if (p->tensor != PESIM_WEIGHTS) continue;
        weights++;
        gemm += net->layers[p->layer].op == PESIM_OP_GEMM;
        norm += net->layers[p->layer].op == PESIM_OP_LAYERNORM;
    }
    EXPECT_EQ(weights, 16);
    EXPECT_EQ(gemm, 12);
    EXPECT_EQ(norm, 4);
    std::vector<int32_t> x((size_t)n, 0);
    EXPECT_TRUE(tf(x.data()).valid);  // all in DRAM
    for (int32_t level : {1, 2}) {    // every weight in the LLC, then in the SRAM
        for (int32_t i = 0; i < n; i++)
            if (pesim_space_param(tf.s, i)->tensor == PESIM_WEIGHTS) x[(size_t)i] = level;
        EXPECT_FALSE(tf(x.data()).valid) << "weights at level " << level;
    }
    const std::vector<int32_t> g = tf.Greedy();
    ASSERT_EQ((int32_t)g.size(), n);
    EXPECT_TRUE(tf(g.data()).valid);
    int off_sram = 0;
    for (int32_t i = 0; i < n; i++) off_sram += pesim_space_param(tf.s, i)->tensor == PESIM_WEIGHTS && g[(size_t)i] != 2;
    EXPECT_GT(off_sram, 0);
}

// Today's runs, for the mechanism study's changes (docs/egrl.md "Why EGRL's
// valid candidates do not improve its best"): egrl, ea and pg at seed 3, 90
// evaluations on the synthetic problem of 4 tensors, proposed exactly what
// they proposed before origin recording and the intervention's option were
// added. The golden hashes were printed by this test on main at f737eec
// (before any change to egrl.c), not derived by hand; egrl's and ea's were
// printed again when mutation began to pick its entries by geometric runs
// (pesim_rl_perturb: the same distribution, a new random stream; pg, which
// mutates nothing, kept its hash).
TEST(SearchEgrl, DefaultRunsAreTheRunsBeforeTheMechanismStudy)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    const struct {
        const char *algo;
        uint64_t hash;
    } golden[] = {{"egrl", 9755231289053921586ull}, {"ea", 12736283686608150192ull}, {"pg", 9624630760900878210ull}};
    for (const auto &g : golden)
        for (const char *migrate : {"", "migrate=member", "migrate=0", "repeats=evaluate"}) {
            std::vector<std::string> kv = kSmall;
            kv.push_back("steps=2");
            kv.push_back("batch=8");
            if (*migrate) kv.push_back(migrate);
            Trace t = Drive(g.algo, &ps.sp, f, 3, 90, 21, kv);
            ASSERT_EQ(t.cands.size(), (size_t)90 * ps.sp.n) << g.algo;
            EXPECT_EQ(Fnv1a(t.cands), g.hash) << g.algo << " " << migrate;
        }
}

// Candidate origins (docs/egrl.md "Why EGRL's valid candidates do not
// improve its best"), traced by hand from evolve() with 10 GNN members
// (slots 0-9), 10 chromosomes (10-19), 1 learner rollout (position 20):
// greedy's candidate first; the first generation's members are initial
// (GNN bit on 0-9) and the learner's rollout carries the lineage bit; from
// the second generation on, exactly 2 elites (lround(0.1 x 20)) and exactly
// one migrant, a GNN slot with the lineage bit (migrate=member) or a
// chromosome slot (migrate=chromosome); the learner's rollout stays last;
// an elite keeps its lineage bit; a GNN slot never holds a chromosome made
// from a GNN (from-gnn); ea has no learner, no migrant and no lineage.
// Reading the origins changes nothing: the run is the golden run of
// DefaultRunsAreTheRunsBeforeTheMechanismStudy. Over 30 generations, the
// GNN children that are not elites or migrants are mutated with p_mut 0.85
// and crossed with p_cross 0.3 (b always exists): with 200+ such children
// the shares lie within 0.85 +- 0.12 and 0.3 +- 0.15 (more than 4 binomial
// standard deviations; a swapped label, e.g. copy for mutant, falls out).
TEST(SearchEgrl, OriginsFollowEvolutionAndChangeNothing)
{
    PlaceSpace ps(4);
    Problem f(ps.sp.n);
    std::vector<std::string> kv = kSmall;
    kv.push_back("steps=2");
    kv.push_back("batch=8");
    std::vector<std::vector<int32_t>> og, ochrom, oea;
    Trace t = Drive("egrl", &ps.sp, f, 3, 90, 21, kv, nullptr, &og);
    EXPECT_EQ(Fnv1a(t.cands), 9755231289053921586ull);
    std::vector<std::string> kc = kv;
    kc.push_back("migrate=chromosome");
    Trace c = Drive("egrl", &ps.sp, f, 3, 1 + 21 * 30, 21, kc, nullptr, &ochrom);
    Trace a = Drive("ea", &ps.sp, f, 3, 1 + 20 * 5, 21, kv, nullptr, &oea);
    // migrate=chromosome: the same greedy and first generation, then not
    // (over the 30 generations: a 4-tensor problem has 81 placements, so the
    // two migrants may propose the same ones for a few generations)
    Trace t30 = Drive("egrl", &ps.sp, f, 3, 1 + 21 * 30, 21, kv);
    const size_t first = (size_t)(1 + 21) * ps.sp.n;
    EXPECT_TRUE(std::equal(t.cands.begin(), t.cands.end(), t30.cands.begin()));
    EXPECT_TRUE(std::equal(t30.cands.begin(), t30.cands.begin() + (long)first, c.cands.begin()));
    EXPECT_NE(t30.cands, c.cands);
    for (auto *runs : {&og, &ochrom}) {
        const bool as_gnn = runs == &og;
        ASSERT_GE(runs->size(), 5u);
        ASSERT_EQ((*runs)[0].size(), 1u);
        EXPECT_EQ((*runs)[0][0], EGRL_FROM_GREEDY);
        for (size_t g = 1; g < runs->size(); g++) {
            const std::vector<int32_t> &o = (*runs)[g];
            if (runs == &og && g == 5) { /* 90 = 1 + 4 x 21 + 5: the last ask holds 5 members */
                ASSERT_EQ(o.size(), 5u);
                continue;
            }
            ASSERT_EQ(o.size(), 21u) << g;
            EXPECT_EQ(o[20], EGRL_FROM_LEARNER | EGRL_ORIGIN_LINEAGE) << g;
            int elites = 0, migrants = 0;
            for (int32_t i = 0; i < 20; i++) {
                const int32_t how = EGRL_ORIGIN_HOW(o[(size_t)i]);
                EXPECT_EQ((o[(size_t)i] & EGRL_ORIGIN_GNN) != 0, i < 10) << g << " " << i;
                if (g == 1) {
                    EXPECT_EQ(o[(size_t)i], i < 10 ? EGRL_ORIGIN_GNN : 0) << i;
                    continue;
                }
                EXPECT_NE(how, EGRL_FROM_INITIAL);
                EXPECT_NE(how, EGRL_FROM_LEARNER);
                if (i < 10) {
                    EXPECT_NE(how, EGRL_FROM_GNN);
                }
                elites += how == EGRL_FROM_ELITE;
                if (how == EGRL_FROM_ELITE) {
                    EXPECT_EQ(o[(size_t)i] & EGRL_ORIGIN_LINEAGE, (*runs)[g - 1][(size_t)i] & EGRL_ORIGIN_LINEAGE);
                }
                if (how == EGRL_FROM_MIGRANT) {
                    migrants++;
                    EXPECT_EQ(i < 10, as_gnn) << g;
                    EXPECT_NE(o[(size_t)i] & EGRL_ORIGIN_LINEAGE, 0);
                }
                if (g == 2 && how != EGRL_FROM_MIGRANT) {
                    EXPECT_EQ(o[(size_t)i] & EGRL_ORIGIN_LINEAGE, 0) << i;
                }
            }
            if (g > 1) {
                EXPECT_EQ(elites, 2) << g;
                EXPECT_EQ(migrants, 1) << g;
            }
        }
    }
    int children = 0, mutated = 0, crossed = 0;
    for (size_t g = 2; g < ochrom.size(); g++)
        for (int32_t i = 0; i < 10; i++) {
            const int32_t how = EGRL_ORIGIN_HOW(ochrom[g][(size_t)i]);
            if (how == EGRL_FROM_ELITE || how == EGRL_FROM_MIGRANT) continue;
            children++;
            mutated += how == EGRL_FROM_MUTANT || how == EGRL_FROM_CROSS_MUTANT;
            crossed += how == EGRL_FROM_CROSS || how == EGRL_FROM_CROSS_MUTANT;
        }
    ASSERT_GE(children, 200);
    EXPECT_NEAR((double)mutated / children, 0.85, 0.12);
    EXPECT_NEAR((double)crossed / children, 0.3, 0.15);
    ASSERT_EQ(oea.size(), 6u);
    for (size_t g = 1; g < oea.size(); g++) {
        ASSERT_EQ(oea[g].size(), 20u);
        for (int32_t o : oea[g]) {
            EXPECT_EQ(o & EGRL_ORIGIN_LINEAGE, 0);
            EXPECT_NE(EGRL_ORIGIN_HOW(o), EGRL_FROM_MIGRANT);
            EXPECT_NE(EGRL_ORIGIN_HOW(o), EGRL_FROM_LEARNER);
        }
    }
    EXPECT_STREQ(egrl_origin_name(EGRL_FROM_CROSS_MUTANT), "cross+mutant");
    EXPECT_STREQ(egrl_origin_name(EGRL_N_FROM), "?");
}

// egrl's options text is longer than 511 characters (the store's run identity
// kept 511 before 2026-12-06, so migrate and replay_beta were cut off): a
// resume with another migrate is refused, naming --algo-opt, and one with the
// same options resumes.
TEST(SearchEgrl, ResumeComparesEveryOption)
{
    Loaded small("tests/data/cli/tiny_arch.cfg", "tests/data/cli/small.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_placement(&small.arch, &small.net, &s, &e), PESIM_OK) << e.msg;
    TempDir d;
    auto start = [&](const char *migrate, pesim_run_mode mode, pesim_status want) {
        const char *kv[] = {"hidden=8", "depth=1", "steps=2", "batch=8", "pop_gnn=2", "pop_boltz=2", migrate};
        pesim_campaign_options o;
        memset(&o, 0, sizeof o);
        o.algo = "egrl";
        o.algo_opt.kv = kv;
        o.algo_opt.n_kv = 7;
        o.seed = 3;
        o.batch = 3;
        o.budget = 6;
        o.fidelity = PESIM_FIDELITY_ANALYTICAL;
        o.eval.objective = PESIM_OBJ_LATENCY;
        o.label = "L";
        o.mode = mode;
        pesim_store *st = nullptr;
        ASSERT_EQ(pesim_store_open(d.file("r.db").c_str(), &st, &e), PESIM_OK) << e.msg;
        pesim_campaign *c = nullptr;
        pesim_status got = pesim_campaign_create(s, st, &o, &c, &e);
        EXPECT_EQ(got, want) << migrate << ": " << (got ? e.msg : "");
        if (got != PESIM_OK) {
            EXPECT_NE(std::string(e.msg).find("--algo-opt"), std::string::npos) << e.msg;
        }
        if (c) {
            EXPECT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
        }
        pesim_campaign_destroy(c);
        pesim_store_close(st);
    };
    start("migrate=chromosome", PESIM_RUN_NEW, PESIM_OK);
    start("migrate=member", PESIM_RUN_RESUME, PESIM_ERR_INVALID);
    start("migrate=chromosome", PESIM_RUN_RESUME, PESIM_OK);
    pesim_space_destroy(s);
}

// repeats=recall (docs/egrl.md "Not charging the learner for repeats"): a
// placement the run has already been told is not asked again, nor a repeat
// within a generation; its reward is recalled, so the run's populations,
// fitnesses, replay and learner are those of the default run, which asks
// every candidate. The expected asks are derived from the default run's
// candidates by this test's own filter (a std::set of placements, nothing
// of egrl.c's memo): walk its generations (greedy's one candidate, then a
// generation per ask at batch = the generation's size); a generation's
// placements not told before and not earlier in it are asked, in order; a
// generation with none is skipped unasked, at most 16 in a row, and the
// next one is then asked whole, repeats and all. On PlaceSpace(2) (81
// placements) the space runs out within the default run, so the skip and
// the whole-generation fallback both occur (counted below). The recall run
// asks at batch 5, so a generation spans asks and one ask spans nothing of
// the next: the run still depends on the seed and options only.
TEST(SearchEgrl, RecallAsksOnlyNewPlacementsAndKeepsTheRun)
{
    PlaceSpace ps(2);
    Problem f(ps.sp.n);
    const int32_t n = ps.sp.n;
    for (const auto &a : std::vector<std::pair<const char *, int>>{{"egrl", 21}, {"ea", 20}, {"pg", 20}}) {
        std::vector<std::string> kv = kSmall;
        kv.push_back("steps=2");
        kv.push_back("batch=8");
        const int gens = 120, g = a.second;
        Trace full = Drive(a.first, &ps.sp, f, 5, 1 + (int64_t)g * gens, g, kv);
        ASSERT_EQ(full.cands.size(), (size_t)(1 + g * gens) * n) << a.first;
        using P = std::vector<int32_t>;
        auto at = [&](size_t k) { return P(full.cands.begin() + (long)(k * n), full.cands.begin() + (long)((k + 1) * n)); };
        std::set<P> told = {at(0)};
        std::vector<int32_t> want = at(0);
        int streak = 0, skipped = 0, whole = 0;
        for (int gen = 0; gen < gens; gen++) {
            std::vector<P> fresh;
            std::set<P> here;
            for (int c = 0; c < g; c++) {
                P x = at(1 + (size_t)gen * g + c);
                if (!told.count(x) && here.insert(x).second) fresh.push_back(x);
            }
            if (fresh.empty() && streak < 16) {
                streak++, skipped++;
                continue;
            }
            if (fresh.empty()) { /* the 17th in a row: asked whole */
                for (int c = 0; c < g; c++) fresh.push_back(at(1 + (size_t)gen * g + c));
                whole++;
            }
            streak = 0;
            for (auto &x : fresh) {
                want.insert(want.end(), x.begin(), x.end());
                told.insert(x);
            }
        }
        std::vector<std::string> kr = kv;
        kr.push_back("repeats=recall");
        const int64_t asks = (int64_t)want.size() / n;
        Trace rec = Drive(a.first, &ps.sp, f, 5, asks, 5, kr);
        EXPECT_EQ(rec.cands, want) << a.first << ": " << asks << " asks, " << skipped << " generations skipped, "
                                   << whole << " asked whole";
        EXPECT_LE(told.size(), 81u);
        EXPECT_GT(skipped, 0) << a.first << ": the space (81 placements) never ran out; the test needs it to";
    }
}

// Clearing (--algo-opt clear_radius=R, docs/egrl.md "Clearing"): after every
// generation, each member's selection fitness is what the test derives on
// its own from the generation's candidates (recorded as the objective sees
// them, member i the i-th of the generation, the learner's rollout last):
// members ranked by objective (valid before invalid, lower first, ties by
// index: the reward speedup^2 - 1 is decreasing in the objective), a member
// whose placement differs in at most R parameters from that of a member
// kept before it is cleared (EGRL_CLEARED), every other keeps its fitness,
// which is the test's own reward (the run's first valid objective over its
// objective, squared, minus 1; -5 refused). The next generation's two elites are the
// two best by that ranking (the cleared below every kept one, ties by
// index). R = -1 (the default) clears nothing and ranks by fitness. On the
// 81-placement space both clearing radii clear members in most generations
// of egrl and ea (asserted, so the test cannot pass without clearing).
TEST(SearchEgrl, ClearingRanksEachNicheOnceAndTheClearedLast)
{
    PlaceSpace ps(2);
    Problem f(ps.sp.n);
    const int32_t n = ps.sp.n;
    for (const auto &a : std::vector<std::pair<const char *, int>>{{"egrl", 21}, {"ea", 20}})
        for (int r : {-1, 0, 2}) {
            std::vector<std::string> kv = kSmall;
            kv.push_back("steps=2");
            kv.push_back("batch=8");
            kv.push_back("clear_radius=" + std::to_string(r));
            const int g = a.second, gens = 30;
            std::vector<std::vector<int32_t>> xs;
            std::vector<pesim_result> rs;
            auto rec = [&](const int32_t *x) {
                xs.emplace_back(x, x + n);
                rs.push_back(f(x));
                return rs.back();
            };
            int64_t seen_gens = 0;
            int gens_clearing = 0;
            std::vector<int32_t> want_elites;
            std::vector<std::vector<int32_t>> origins;
            auto check = [&](pesim_algo *al) {
                void *st = pesim_algo_state(al);
                const int64_t gen = egrl_generations(st);
                if (gen == seen_gens) return;
                ASSERT_EQ(gen, seen_gens + 1);
                seen_gens = gen;
                const size_t first = 1 + (size_t)(gen - 1) * g;
                ASSERT_EQ(xs.size(), first + g);
                double ref = 0; /* the reward's reference: the run's first valid objective */
                for (size_t k = 0; k < rs.size() && ref == 0; k++) ref = rs[k].valid ? rs[k].objective : 0;
                std::vector<int32_t> order(20);
                std::iota(order.begin(), order.end(), 0);
                auto key = [&](int32_t i) {
                    const pesim_result &q = rs[first + i];
                    return std::make_pair(q.valid ? 0 : 1, q.valid ? q.objective : 0.0);
                };
                std::stable_sort(order.begin(), order.end(), [&](int32_t u, int32_t v) { return key(u) < key(v); });
                std::vector<int32_t> kept, cleared;
                for (int32_t i : order) {
                    bool near = false;
                    for (int32_t j : kept) {
                        int d = 0;
                        for (int32_t p = 0; p < n; p++) d += xs[first + i][p] != xs[first + j][p];
                        near = near || (r >= 0 && d <= r);
                    }
                    (near ? cleared : kept).push_back(i);
                }
                gens_clearing += !cleared.empty();
                for (int32_t i = 0; i < 20; i++) {
                    const pesim_result &q = rs[first + i];
                    const double reward = q.valid ? (ref / q.objective) * (ref / q.objective) - 1 : -5.0;
                    EXPECT_NEAR(egrl_member_fitness(st, i), reward, 1e-12) << a.first << " " << i;
                    const bool is_cleared = std::find(cleared.begin(), cleared.end(), i) != cleared.end();
                    EXPECT_EQ(egrl_member_selection(st, i), is_cleared ? EGRL_CLEARED : egrl_member_fitness(st, i))
                        << a.first << " r=" << r << " generation " << gen << " member " << i;
                }
                kept.insert(kept.end(), cleared.begin(), cleared.end());
                want_elites = {std::min(kept[0], kept[1]), std::max(kept[0], kept[1])};
            };
            auto check_elites = [&]() {
                if (origins.empty() || origins.back().size() != (size_t)g || want_elites.empty()) return;
                std::vector<int32_t> elites;
                for (int32_t i = 0; i < 20; i++)
                    if (EGRL_ORIGIN_HOW(origins.back()[(size_t)i]) == EGRL_FROM_ELITE) elites.push_back(i);
                EXPECT_EQ(elites, want_elites) << a.first << " r=" << r;
            };
            Drive(a.first, &ps.sp, rec, 5, 1 + (int64_t)g * gens, g, kv,
                  [&](pesim_algo *al) {
                      check_elites();
                      check(al);
                  },
                  &origins);
            EXPECT_EQ(seen_gens, gens) << a.first;
            if (r < 0) EXPECT_EQ(gens_clearing, 0) << a.first;
            else EXPECT_GE(gens_clearing, gens / 2) << a.first << " r=" << r;
        }
}

// Tournaments rank by the same selection fitness: with tournament=1000 (a
// member is missed by all 1,000 draws with probability (19/20)^1000 < 1e-22)
// and no crossover or mutation, every GNN slot that is not an elite (the
// first two by selection, ties by index; ea: no migrant) becomes a copy of
// the best-ranked GNN member by selection fitness: exact genome equality
// with that member's genome before the evolution. Checked at the first
// evolution of 60 seeds, where the 10 GNN members are distinct random
// networks. Radius 1: at radius 0 a cleared member only ever ties a kept
// one, which ranks before it anyway; at 1, in some seeds the best-ranked
// GNN is not the fittest (a fitter member's placement is one parameter
// away from the fittest GNN's): asserted, so ranking tournaments by raw
// fitness fails the test.
TEST(SearchEgrl, ClearedMembersLoseTournaments)
{
    PlaceSpace ps(2);
    Problem f(ps.sp.n);
    std::vector<std::string> kv = kSmall;
    for (const char *o : {"clear_radius=1", "tournament=1000", "p_cross=0", "p_mut=0"}) kv.push_back(o);
    int checked = 0, differs = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        std::vector<std::vector<double>> before(20);
        auto after = [&](pesim_algo *al) {
            void *st = pesim_algo_state(al);
            if (egrl_generations(st) == 0) { /* greedy's tell: the initial genomes */
                for (int32_t i = 0; i < 20; i++) {
                    before[(size_t)i].resize((size_t)egrl_genome(st, i, nullptr));
                    egrl_genome(st, i, before[(size_t)i].data());
                }
                return;
            }
            ASSERT_EQ(egrl_generations(st), 1);
            int32_t best_sel = -1, best_fit = -1;
            for (int32_t i = 0; i < 20; i++) {
                if (!egrl_member_is_gnn(st, i)) continue;
                if (best_sel < 0 || egrl_member_selection(st, i) > egrl_member_selection(st, best_sel)) best_sel = i;
                if (best_fit < 0 || egrl_member_fitness(st, i) > egrl_member_fitness(st, best_fit)) best_fit = i;
            }
            ASSERT_GE(best_sel, 0);
            differs += before[(size_t)best_sel] != before[(size_t)best_fit];
            std::vector<int32_t> rank(20);
            std::iota(rank.begin(), rank.end(), 0);
            std::stable_sort(rank.begin(), rank.end(), [&](int32_t u, int32_t v) {
                return egrl_member_selection(st, u) > egrl_member_selection(st, v);
            });
            for (int32_t i = 0; i < 20; i++) {
                if (!egrl_member_is_gnn(st, i) || i == rank[0] || i == rank[1]) continue;
                std::vector<double> g((size_t)egrl_genome(st, i, nullptr));
                egrl_genome(st, i, g.data());
                EXPECT_EQ(g, before[(size_t)best_sel]) << "seed " << seed << " member " << i;
                checked++;
            }
        };
        Drive("ea", &ps.sp, f, seed, 1 + 20, 20, kv, after);
    }
    EXPECT_GE(checked, 400);
    EXPECT_GE(differs, 1) << "the fittest GNN was never cleared; the test needs it to be";
}
