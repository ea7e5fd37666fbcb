// tests/search_rl_algo_test.cc - the learned mapping searches "rl" and
// "marl" (search/algorithms/rl_team.c, rl.c, marl.c): learning on synthetic
// spaces whose optimum is known (both beat random search at equal budget),
// marl's clustering recovers planted groups of correlated parameters, masks
// are never violated on real spaces, determinism per seed and whatever the
// number of threads, policies save, reload to the same actions and transfer
// to another layer, what marl records with a run (its clustering) through
// the campaign into the store, and MARL against single-agent RL on the
// issue's layer set (a one-sided Wilcoxon signed-rank test). Determinism per
// batch, budgets, option tables and resume through the campaign loop are in
// search_algo_test.cc and search_campaign_test.cc (rl and marl are in their
// algorithm lists).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gsl/gsl_cdf.h>

#include "search_test_util.h"

#include "../search/algo_impl.h"
#include "synthetic_space.h"
#include "../search/algorithms/rl_team.h"

extern "C" {
#include "pesim/config.h"
#include "pesim/search.h"
}

namespace {

using Space = SyntheticSpace;

pesim_result Valid(double v)
{
    pesim_result r;
    memset(&r, 0, sizeof r);
    r.valid = 1;
    r.objective = v;
    return r;
}

using Objective = std::function<pesim_result(const int32_t *x)>;

// Groups of g parameters: inside a group every pair should agree (squared
// differences), and each group's first parameter has a target: the optimum
// (value 1) is unique and known.
Objective Groups(int32_t n_groups, int32_t g, int32_t choices)
{
    return [=](const int32_t *x) {
        double v = 1;
        for (int32_t b = 0; b < n_groups; b++) {
            const int32_t *y = x + b * g;
            int32_t target = (b * 5 + 2) % choices;
            v += 0.5 * (y[0] - target) * (y[0] - target);
            for (int32_t i = 0; i < g; i++)
                for (int32_t j = i + 1; j < g; j++) v += 2.0 * (y[i] - y[j]) * (y[i] - y[j]);
        }
        return Valid(v);
    };
}

struct Trace {
    std::vector<int32_t> cands;
    double best = PESIM_INVALID_PENALTY;
};


Trace Drive(const char *algo, const algo_space *sp, const Objective &f, uint64_t seed, int64_t budget, int batch,
          std::vector<const char *> kv = {})
{
    Trace run;
    pesim_algo_options o = pesim_algo_options();
    o.kv = kv.data();
    o.n_kv = (int32_t)kv.size();
    pesim_algo *al = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_algo_create_core(algo, sp, seed, &o, &al, &e), PESIM_OK) << e.msg;
    if (!al) return run;
    std::vector<int32_t> x((size_t)batch * sp->n);
    std::vector<pesim_result> r(batch);
    for (int64_t done = 0; done < budget;) {
        int32_t k = pesim_algo_ask(al, x.data(), (int32_t)std::min<int64_t>(batch, budget - done));
        if (k <= 0) break;
        for (int32_t c = 0; c < k; c++) {
            r[c] = f(&x[(size_t)c * sp->n]);
            run.best = std::min(run.best, r[c].objective);
        }
        run.cands.insert(run.cands.end(), x.begin(), x.begin() + (size_t)k * sp->n);
        pesim_algo_tell(al, x.data(), r.data(), k);
        done += k;
    }
    pesim_algo_destroy(al);
    return run;
}

// A real one-layer mapping space with its analytical evaluator.
struct Real {
    Loaded x;
    pesim_space *space = nullptr;
    pesim_evaluator *ev = nullptr;
    Real(const char *arch, const char *net, const char *layer) : x(arch, net)
    {
        pesim_error e;
        EXPECT_EQ(pesim_space_mapping(&x.arch, x.layer(layer), &space, &e), PESIM_OK) << e.msg;
        pesim_eval_options o;
        memset(&o, 0, sizeof o);
        o.objective = PESIM_OBJ_EDP;
        o.threads = 1;
        EXPECT_EQ(pesim_evaluator_create(space, nullptr, &o, &ev, &e), PESIM_OK) << e.msg;
    }
    ~Real()
    {
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(space);
    }
};

// Runs algo on a real space; returns the best objective and (all) the candidates.
Trace RealRun(const char *algo, Real &re, uint64_t seed, int64_t budget, int batch, std::vector<const char *> kv = {},
            pesim_algo **keep = nullptr)
{
    Trace run;
    pesim_algo_options o = pesim_algo_options();
    o.kv = kv.data();
    o.n_kv = (int32_t)kv.size();
    pesim_algo *al = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_algo_create(algo, re.space, seed, &o, &al, &e), PESIM_OK) << e.msg;
    if (!al) return run;
    const int32_t n = pesim_space_n_params(re.space);
    std::vector<int32_t> x((size_t)batch * n);
    std::vector<pesim_result> r(batch);
    for (int64_t done = 0; done < budget;) {
        int32_t k = pesim_algo_ask(al, x.data(), (int32_t)std::min<int64_t>(batch, budget - done));
        if (k <= 0) break;
        EXPECT_EQ(pesim_evaluator_run(re.ev, x.data(), k, PESIM_FIDELITY_ANALYTICAL, r.data()), PESIM_OK);
        for (int32_t c = 0; c < k; c++)
            if (r[c].valid) run.best = std::min(run.best, r[c].objective);
        run.cands.insert(run.cands.end(), x.begin(), x.begin() + (size_t)k * n);
        pesim_algo_tell(al, x.data(), r.data(), k);
        done += k;
    }
    if (keep)
        *keep = al;
    else
        pesim_algo_destroy(al);
    return run;
}

// The greedy candidate of an rl or marl search (false: marl has no agents yet).
bool Greedy(const char *algo, pesim_algo *al, int32_t *x)
{
    void *st = pesim_algo_state(al);
    rl_team *t = strcmp(algo, "rl") == 0 ? (rl_team *)st : algo_marl_team(st);
    if (!t) return false;
    rl_team_greedy(t, x);
    return true;
}

}  // namespace

// marl_cluster on a block distance matrix: cut at k, and at a threshold.
TEST(SearchRlAlgo, ClusterCutsAtKAndAtAThreshold)
{
    // items 0,2,4 close (0.1), 1,3 close (0.2), 5 alone; others 0.9
    const int n = 6;
    std::vector<double> d(n * n, 0.9);
    auto set = [&](int a, int b, double v) { d[a * n + b] = d[b * n + a] = v; };
    for (int i = 0; i < n; i++) d[i * n + i] = 0;
    set(0, 2, 0.1), set(0, 4, 0.1), set(2, 4, 0.1), set(1, 3, 0.2);
    std::vector<int32_t> label(n);
    EXPECT_EQ(marl_cluster(d.data(), n, 3, 0, label.data()), 3);
    EXPECT_EQ(label, (std::vector<int32_t>{0, 1, 0, 1, 0, 2}));
    EXPECT_EQ(marl_cluster(d.data(), n, 0, 0.5, label.data()), 3);
    EXPECT_EQ(label, (std::vector<int32_t>{0, 1, 0, 1, 0, 2}));
    EXPECT_EQ(marl_cluster(d.data(), n, 0, 0.15, label.data()), 4);  // 1 and 3 stay apart
    EXPECT_EQ(label, (std::vector<int32_t>{0, 1, 0, 2, 0, 3}));
    EXPECT_EQ(marl_cluster(d.data(), n, 1, 0, label.data()), 1);
    EXPECT_EQ(marl_cluster(d.data(), n, n, 0, label.data()), n);
}

// Planted groups: 4 groups of 3 parameters that must agree inside a group,
// in a shuffled order. The correlations over the best 10 % of 600 uniform
// samples recover the groups exactly, cut at 4 agents and at the default
// threshold (0.8), on 3 seeds; and through the algorithm (warm-up 400, its
// default elite share and threshold) whose description lists each agent's
// parameters.
TEST(SearchRlAlgo, ClusteringRecoversPlantedGroups)
{
    const int G = 4, g = 3, C = 8, n = G * g;
    // parameter i belongs to group perm[i] / g
    std::vector<int32_t> perm = {5, 0, 9, 3, 11, 6, 1, 8, 2, 10, 4, 7};
    Objective base = Groups(G, g, C);
    Objective f = [&](const int32_t *x) {
        int32_t y[n];
        for (int i = 0; i < n; i++) y[perm[i]] = x[i];
        return base(y);
    };
    Space s;
    for (int i = 0; i < n; i++) s.Add(C);
    const algo_space *sp = s.Get();
    for (uint64_t seed : {1, 2, 3}) {
        gsl_rng *rng = algo_rng_create(seed);
        const int m = 600;
        std::vector<int32_t> x((size_t)m * n);
        std::vector<double> v(m);
        for (int k = 0; k < m; k++) {
            algo_random_point(sp, rng, &x[(size_t)k * n]);
            v[k] = f(&x[(size_t)k * n]).objective;
        }
        gsl_rng_free(rng);
        std::vector<double> rho_obj(n), rho(n * n), d(n * n);
        ASSERT_EQ(marl_correlations(x.data(), v.data(), m, n, 0.1, rho_obj.data(), rho.data(), nullptr), PESIM_OK);
        for (int i = 0; i < n * n; i++) d[i] = 1 - std::fabs(rho[i]);
        std::vector<int32_t> label(n);
        for (int k : {G, 0}) {
            ASSERT_EQ(marl_cluster(d.data(), n, k, 0.8, label.data()), G) << "seed " << seed << " k " << k;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    EXPECT_EQ(label[i] == label[j], perm[i] / g == perm[j] / g) << i << " " << j;
        }
    }
    // through the algorithm: after its warm-up, the agents are the groups
    pesim_algo_options o = pesim_algo_options();
    std::vector<const char *> kv = {"warmup=400"};
    o.kv = kv.data();
    o.n_kv = 1;
    pesim_algo *al = nullptr;
    ASSERT_EQ(pesim_algo_create_core("marl", sp, 5, &o, &al, nullptr), PESIM_OK);
    char desc[4096];
    EXPECT_EQ(pesim_algo_describe_state(al, desc, sizeof desc), 0);  // nothing before the warm-up
    std::vector<int32_t> xs(64 * n);
    std::vector<pesim_result> r(64);
    for (int done = 0; done < 400;) {
        int k = pesim_algo_ask(al, xs.data(), 64);
        ASSERT_GT(k, 0);
        for (int c = 0; c < k; c++) r[c] = f(&xs[(size_t)c * n]);
        pesim_algo_tell(al, xs.data(), r.data(), k);
        done += k;
    }
    ASSERT_GT(pesim_algo_describe_state(al, desc, sizeof desc), 0);
    std::string text(desc);
    EXPECT_NE(text.find("agents 4 "), std::string::npos) << text;
    EXPECT_NE(text.find("rho_obj="), std::string::npos) << text;
    // each "agent j:" line lists exactly one group
    for (int j = 0; j < G; j++) {
        size_t at = text.find("agent " + std::to_string(j) + ":");
        ASSERT_NE(at, std::string::npos) << text;
        std::string line = text.substr(at, text.find('\n', at) - at);
        std::set<int> groups;
        int count = 0;
        for (size_t p = line.find(" p"); p != std::string::npos; p = line.find(" p", p + 1)) {
            groups.insert(perm[std::stoi(line.substr(p + 2))] / g);
            count++;
        }
        EXPECT_EQ(groups.size(), 1u) << line;
        EXPECT_EQ(count, g) << line;
    }
    pesim_algo_destroy(al);
}

// Learning where the optimum is known: on the planted-groups objective
// (12 parameters x 8 choices, optimum 1) RL and MARL each reach a better
// best than random search at a budget of 1,500 on every one of 5 seeds.
TEST(SearchRlAlgo, RlAndMarlBeatRandomOnASyntheticSpace)
{
    const int G = 4, g = 3, C = 8;
    Space s;
    for (int i = 0; i < G * g; i++) s.Add(C);
    const algo_space *sp = s.Get();
    Objective f = Groups(G, g, C);
    double sum_rl = 0, sum_marl = 0, sum_rnd = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        double rnd = Drive("random", sp, f, seed, 1500, 16).best;
        double rl = Drive("rl", sp, f, seed, 1500, 16).best;
        double marl = Drive("marl", sp, f, seed, 1500, 16).best;
        printf("seed %d: random %.1f rl %.1f marl %.1f (optimum 1)\n", (int)seed, rnd, rl, marl);
        EXPECT_LT(rl, rnd) << "seed " << seed;
        EXPECT_LT(marl, rnd) << "seed " << seed;
        sum_rl += rl, sum_marl += marl, sum_rnd += rnd;
    }
    EXPECT_LT(sum_rl, sum_rnd);
    EXPECT_LT(sum_marl, sum_rnd);
}

// Every candidate of rl and marl on real spaces respects the cursor's
// masks: replaying the decode, each choice is allowed where anything is.
TEST(SearchRlAlgo, MasksAreNeverViolated)
{
    Real re("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg", "res2a_branch2b");
    ASSERT_NE(re.ev, nullptr);
    const int32_t n = pesim_space_n_params(re.space);
    pesim_cursor *cur = nullptr;
    ASSERT_EQ(pesim_cursor_create(re.space, nullptr, &cur, nullptr), PESIM_OK);
    for (const char *algo : {"rl", "marl"})
        for (const char *ar : {"autoregressive=0", "autoregressive=1"}) {
            std::vector<const char *> kv = {ar};
            if (strcmp(algo, "marl") == 0) kv.push_back("warmup=32");
            Trace run = RealRun(algo, re, 3, 96, 8, kv);
            ASSERT_EQ(run.cands.size(), (size_t)96 * n);
            int32_t learned = 0;
            for (size_t c = 32; c < 96; c++) {  // past marl's warm-up (valid starts)
                const int32_t *x = &run.cands[c * n];
                pesim_cursor_reset(cur);
                bool ok = true;
                for (int32_t s = 0; s < n; s++) {
                    int32_t p = pesim_cursor_next(cur);
                    std::vector<uint8_t> m(pesim_space_param(re.space, p)->n_choices);
                    if (pesim_cursor_mask(cur, p, m.data(), nullptr) > 0 && !m[x[p]]) ok = false;
                    pesim_cursor_set(cur, p, x[p]);
                }
                EXPECT_TRUE(ok) << algo << " " << ar << " candidate " << c;
                learned++;
            }
            EXPECT_EQ(learned, 64);
            EXPECT_LT(run.best, PESIM_INVALID_PENALTY) << algo << " " << ar;
        }
    pesim_cursor_destroy(cur);
}

// The same seed gives the same run, whatever the number of threads the
// agents use; another seed another run.
TEST(SearchRlAlgo, DeterministicPerSeedAndThreads)
{
    Real re("configs/arch/tpu_32x32.cfg", "workloads/dqn_atari.cfg", "conv2");
    ASSERT_NE(re.ev, nullptr);
    Trace a = RealRun("marl", re, 9, 120, 8, {"warmup=24", "agents=4", "threads=1"});
    Trace b = RealRun("marl", re, 9, 120, 8, {"warmup=24", "agents=4", "threads=4"});
    Trace c = RealRun("marl", re, 10, 120, 8, {"warmup=24", "agents=4", "threads=4"});
    EXPECT_EQ(a.cands, b.cands);
    EXPECT_NE(a.cands, c.cands);
    Trace d = RealRun("rl", re, 9, 80, 8, {"autoregressive=1"});
    Trace e = RealRun("rl", re, 9, 80, 8, {"autoregressive=1"});
    EXPECT_EQ(d.cands, e.cands);
}

// A trained policy saved and loaded into a fresh search of the same space
// gives the same greedy candidate; it transfers to another layer's space
// (other tile choices: the overlap is copied); a policy for another number
// of parameters is refused, naming the file.
TEST(SearchRlAlgo, PoliciesSaveReloadAndTransfer)
{
    TempDir dir("pesim_rlalgo");
    Real a("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg", "res2a_branch2b");
    Real b("configs/arch/eyeriss.cfg", "workloads/resnet50.cfg", "res3a_branch2b");
    Real other("configs/arch/tpu_32x32.cfg", "workloads/dqn_atari.cfg", "conv2");
    ASSERT_NE(a.ev, nullptr);
    const int32_t n = pesim_space_n_params(a.space);
    for (const char *algo : {"rl", "marl"}) {
        std::string path = dir.file(algo);
        pesim_algo *trained = nullptr;
        pesim_error e;
        std::vector<const char *> kv;
        if (strcmp(algo, "marl") == 0) kv = {"warmup=32", "agents=3"};
        RealRun(algo, a, 4, 160, 16, kv, &trained);
        ASSERT_NE(trained, nullptr);
        ASSERT_EQ(pesim_algo_save_policy(trained, path.c_str(), &e), PESIM_OK) << e.msg;
        pesim_algo_options o = pesim_algo_options();
        o.kv = kv.data();
        o.n_kv = (int32_t)kv.size();
        pesim_algo *fresh = nullptr;
        ASSERT_EQ(pesim_algo_create(algo, a.space, 99, &o, &fresh, &e), PESIM_OK);
        std::vector<int32_t> g1(n), g2(n), g0(n);
        ASSERT_TRUE(Greedy(algo, trained, g1.data()));
        EXPECT_EQ(Greedy(algo, fresh, g0.data()), strcmp(algo, "rl") == 0);  // marl: no agents before its warm-up
        ASSERT_EQ(pesim_algo_load_policy(fresh, path.c_str(), &e), PESIM_OK) << e.msg;
        ASSERT_TRUE(Greedy(algo, fresh, g2.data()));
        if (strcmp(algo, "rl") == 0) {
            EXPECT_NE(g0, g1) << "the trained policy should differ from an untrained one";
        }
        EXPECT_EQ(g1, g2) << algo << ": the reloaded policy acts differently";
        // the loaded marl adopted the clustering: no warm-up, learned choices at once
        char desc[4096];
        if (strcmp(algo, "marl") == 0) {
            EXPECT_GT(pesim_algo_describe_state(fresh, desc, sizeof desc), 0);
            EXPECT_NE(std::string(desc).find("agents 3 "), std::string::npos) << desc;
        }
        pesim_algo_destroy(fresh);
        // transfer to another layer of the same arch
        pesim_algo *tb = nullptr;
        ASSERT_EQ(pesim_algo_create(algo, b.space, 5, &o, &tb, &e), PESIM_OK);
        ASSERT_EQ(pesim_space_n_params(b.space), n);
        EXPECT_EQ(pesim_algo_load_policy(tb, path.c_str(), &e), PESIM_OK) << e.msg;
        pesim_algo_destroy(tb);
        // another number of parameters is refused
        pesim_algo *to = nullptr;
        ASSERT_EQ(pesim_algo_create(algo, other.space, 5, &o, &to, &e), PESIM_OK);
        if (pesim_space_n_params(other.space) != n) {
            EXPECT_EQ(pesim_algo_load_policy(to, path.c_str(), &e), PESIM_ERR_INVALID);
            EXPECT_NE(std::string(e.msg).find("parameters"), std::string::npos) << e.msg;
            EXPECT_STREQ(e.file, path.c_str());
        }
        pesim_algo_destroy(to);
        pesim_algo_destroy(trained);
    }
    // algorithms without a policy say so
    pesim_algo *al = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_algo_create("annealing", a.space, 1, nullptr, &al, &e), PESIM_OK);
    EXPECT_EQ(pesim_algo_save_policy(al, dir.file("x").c_str(), &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("no policy"), std::string::npos) << e.msg;
    pesim_algo_destroy(al);
}

// What marl records with its run: a campaign into a store; the run's
// metadata holds the team's owners (the very clustering the search used),
// the agent count, the warm-up size, n + n x n correlations and the text of
// pesim_algo_describe_state. A marl search started from that run's saved
// policy records the loaded clustering (warm-up 0, no correlations), the
// policy's path and its FNV-1a hash; rl without a policy records nothing.
TEST(SearchRlAlgo, ClusteringIsRecordedInTheStore)
{
    TempDir dir("pesim_rlrec");
    Real re("configs/arch/tpu_32x32.cfg", "workloads/dqn_atari.cfg", "conv2");
    ASSERT_NE(re.ev, nullptr);
    const int32_t n = pesim_space_n_params(re.space);
    const std::string db = dir.file("c.db");
    pesim_store *st = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    auto meta = [&](int64_t run, const char *key) {
        char *v = nullptr;
        EXPECT_EQ(pesim_store_get_meta(st, run, key, &v, &e), PESIM_OK) << e.msg;
        std::string out = v ? v : "<none>";
        free(v);
        return out;
    };
    const char *kv[] = {"warmup=24", "agents=3"};
    pesim_campaign_options o;
    memset(&o, 0, sizeof o);
    o.algo = "marl";
    o.algo_opt.kv = kv;
    o.algo_opt.n_kv = 2;
    o.seed = 7;
    o.budget = 64;
    o.batch = 8;
    o.eval.objective = PESIM_OBJ_EDP;
    o.eval.threads = 1;
    o.label = "conv2";
    pesim_campaign *c = nullptr;
    ASSERT_EQ(pesim_campaign_create(re.space, st, &o, &c, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
    int64_t run = pesim_campaign_get_report(c)->run_id;
    rl_team *team = algo_marl_team(pesim_algo_state(pesim_campaign_algo(c)));
    ASSERT_NE(team, nullptr);
    std::string owner;
    for (int32_t i = 0; i < n; i++) owner += (i ? "," : "") + std::to_string(rl_team_owner(team)[i]);
    EXPECT_EQ(meta(run, "marl.owner"), owner);
    EXPECT_EQ(meta(run, "marl.agents"), "3");
    EXPECT_EQ(meta(run, "marl.warmup"), "24");
    EXPECT_EQ(meta(run, "marl.elite"), "0.25");
    std::string rho_obj = meta(run, "marl.rho_obj"), rho = meta(run, "marl.rho");
    EXPECT_EQ(std::count(rho_obj.begin(), rho_obj.end(), ','), n - 1);
    EXPECT_EQ(std::count(rho.begin(), rho.end(), ','), n * n - 1);
    EXPECT_EQ(rho.substr(0, 2), "1,");  // rho[0][0]
    char desc[16384];
    ASSERT_GT(pesim_algo_describe_state(pesim_campaign_algo(c), desc, sizeof desc), 0);
    EXPECT_EQ(meta(run, "marl.clustering"), desc);
    EXPECT_EQ(meta(run, "policy_in"), "<none>");
    // a search started from the saved policy
    std::string pol = dir.file("marl.policy");
    ASSERT_EQ(pesim_algo_save_policy(pesim_campaign_algo(c), pol.c_str(), &e), PESIM_OK) << e.msg;
    pesim_campaign_destroy(c);
    o.label = "conv2 from a policy";
    ASSERT_EQ(pesim_campaign_create(re.space, st, &o, &c, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_algo_load_policy(pesim_campaign_algo(c), pol.c_str(), &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
    run = pesim_campaign_get_report(c)->run_id;
    EXPECT_EQ(meta(run, "marl.owner"), owner);  // the loaded clustering
    EXPECT_EQ(meta(run, "marl.warmup"), "0");
    EXPECT_EQ(meta(run, "marl.rho"), "<none>");  // no warm-up, no correlations
    EXPECT_EQ(meta(run, "policy_in"), pol);
    uint64_t h = 0;
    ASSERT_EQ(rl_team_policy_hash(pol.c_str(), 3, &h, &e), PESIM_OK) << e.msg;
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    EXPECT_EQ(meta(run, "policy_in_fnv1a64"), hex);
    pesim_campaign_destroy(c);
    o.algo = "rl";
    o.algo_opt.n_kv = 0;
    o.label = "conv2 rl";
    ASSERT_EQ(pesim_campaign_create(re.space, st, &o, &c, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
    run = pesim_campaign_get_report(c)->run_id;
    EXPECT_EQ(meta(run, "policy_in"), "<none>");
    EXPECT_EQ(meta(run, "marl.owner"), "<none>");
    pesim_campaign_destroy(c);
    pesim_store_close(st);
}

// MARL against single-agent RL on the layer set of search_algo_test (a
// ResNet-50 3x3 conv, a BERT FFN GEMM, a MobileNet-V2 depthwise conv, the
// DQN's second conv, on eyeriss and tpu_32x32), objective EDP, a budget of
// 256 samples (marl's warm-up of 64 included), seeds 1-3, default options.
// Pass: on the 24 (case, seed) pairs of d = ln(best RL / best MARL), the
// one-sided exact Wilcoxon signed-rank test rejects "MARL is no better" at
// p < 0.05, and the mean of d (the geometric mean ratio) is positive. The
// sign test's p-value is printed too (it does not enter the verdict).
TEST(SearchRlAlgo, MarlBeatsSingleAgentRlOnTheLayerSet)
{
    EXPECT_NEAR(WilcoxonP({1, 2, 3, 4, 5, 6}), 1.0 / 64, 1e-12);  // the statistic's own checks
    EXPECT_NEAR(WilcoxonP({-1, 2, 3, 4, 5, 6}), 2.0 / 64, 1e-12);
    EXPECT_NEAR(WilcoxonP({-1, 1, 2}), 3.0 / 8, 1e-12);  // tied |d|: ranks 1.5, 1.5, 3; W- = 1.5
    const char *const archs[] = {"configs/arch/eyeriss.cfg", "configs/arch/tpu_32x32.cfg"};
    const char *const layers[][2] = {{"workloads/resnet50.cfg", "res2a_branch2b"},
                                     {"workloads/bert_base_128.cfg", "l1_ffn1"},
                                     {"workloads/mobilenet_v2.cfg", "b2_dw"},
                                     {"workloads/dqn_atari.cfg", "conv2"}};
    std::vector<double> d;
    int wins = 0, losses = 0;
    for (const char *arch : archs)
        for (const auto &wl : layers) {
            Real re(arch, wl[0], wl[1]);
            ASSERT_NE(re.ev, nullptr);
            for (uint64_t seed = 1; seed <= 3; seed++) {
                double rl = RealRun("rl", re, seed, 256, 8).best, marl = RealRun("marl", re, seed, 256, 8).best;
                ASSERT_LT(rl, PESIM_INVALID_PENALTY);
                ASSERT_LT(marl, PESIM_INVALID_PENALTY);
                d.push_back(std::log(rl / marl));
                wins += marl < rl;
                losses += rl < marl;
                printf("%-26s %-15s seed %d: rl %.4g marl %.4g\n", arch, wl[1], (int)seed, rl, marl);
            }
        }
    double mean = 0;
    for (double x : d) mean += x / d.size();
    double p = WilcoxonP(d);
    double p_sign = wins > 0 ? gsl_cdf_binomial_Q((unsigned)wins - 1u, 0.5, (unsigned)(wins + losses)) : 1;
    printf("MARL better in %d, worse in %d of %zu pairs; mean ln(rl / marl) %.3f; one-sided Wilcoxon signed-rank "
           "p = %.3g (sign test p = %.3g)\n",
           wins, losses, d.size(), mean, p, p_sign);
    EXPECT_GT(mean, 0);
    EXPECT_LT(p, 0.05);
}
