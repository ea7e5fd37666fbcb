// search_arco_test.cc - ARCO (search/algorithms/arco.c) and the AutoTVM-like
// baseline (autotvm.c) on the VTA joint space of configs/experiments/vta_arco.cfg:
// the three agents split the parameters by group and the centralised critic
// sees all of them; confidence sampling measures fewer designs than the
// agents propose and never one twice; runs are deterministic per seed and
// resume through the campaign; ARCO reaches the genetic algorithm's best in
// fewer measured samples over seeds (a sign test).
//
// The measured evaluator here is the analytical model with a deterministic
// per-design distortion (up to +-25%, from the design's hash): a stand-in
// for the cycle engine that the predictor (the plain analytical model) ranks
// well but not exactly, and cheap enough for a test. docs/arco.md has the
// study with the cycle engine.
#include <gtest/gtest.h>

#include "search_test_util.h"
#include "synthetic_space.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "../search/algo_impl.h"
#include "../search/algorithms/arco_impl.h"
#include "pesim/surrogate.h"

extern "C" {
#include "pesim/search.h"
}

namespace {

const char *kExperiment = "configs/experiments/vta_arco.cfg";

struct Space {
    pesim_space *s = nullptr;
    pesim_experiment x;
    Space()
    {
        pesim_error e;
        EXPECT_EQ(pesim_experiment_load(kExperiment, &x, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_space_from_experiment(kExperiment, nullptr, nullptr, 1, &s, &e), PESIM_OK) << e.msg;
    }
    ~Space() { pesim_space_destroy(s); }
};

pesim_campaign_options Options(const char *algo, uint64_t seed, int64_t budget, int32_t batch,
                               const pesim_experiment &x, pesim_run_mode mode = PESIM_RUN_NEW)
{
    pesim_campaign_options o;
    memset(&o, 0, sizeof o);
    o.algo = algo;
    o.seed = seed;
    o.budget = budget;
    o.batch = batch;
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.eval = x.eval;
    o.eval.objective = PESIM_OBJ_LATENCY;
    o.mode = mode;
    o.label = "arco";
    return o;
}

// o with one --algo-opt setting (kv: one "key=value" that outlives o).
pesim_campaign_options WithOpt(pesim_campaign_options o, const char *const *kv)
{
    o.algo_opt.kv = kv;
    o.algo_opt.n_kv = 1;
    return o;
}

// The "measured" evaluator: the analytical model, distorted per design.
struct Distort {
    pesim_campaign *c;
};
pesim_status distorted(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    Distort *d = (Distort *)ctx;
    pesim_status st = pesim_evaluator_run(pesim_campaign_evaluator(d->c), choices, n, f, out);
    for (int32_t i = 0; st == PESIM_OK && i < n; i++)
        if (out[i].valid) {
            double u = (double)(out[i].design_hash % 1000003) / 1000003.0;
            out[i].objective *= 1.0 + 0.5 * (u - 0.5);
        }
    return st;
}

struct Trace {
    pesim_campaign_report rep;
    std::vector<std::vector<int32_t>> x;
    std::vector<double> value;   // objective, or +inf for an invalid design
    arco_stats stats;
};
// How many of a run's measured designs were invalid.
int invalid(const Trace &r)
{
    int k = 0;
    for (double v : r.value) k += std::isinf(v);
    return k;
}
int collect(void *ctx, const pesim_campaign_batch *b);
struct Collect {
    Trace *run;
    int32_t np;
};
int collect(void *ctx, const pesim_campaign_batch *b)
{
    Collect *c = (Collect *)ctx;
    for (int32_t i = 0; i < b->n; i++) {
        c->run->x.emplace_back(b->choices + (size_t)i * c->np, b->choices + (size_t)(i + 1) * c->np);
        c->run->value.push_back(b->results[i].valid ? b->results[i].objective : INFINITY);
    }
    return 0;
}

Trace RunOne(pesim_space *s, const pesim_campaign_options &o, const std::string &db = "")
{
    Trace run;
    memset(&run.rep, 0, sizeof run.rep);
    memset(&run.stats, 0, sizeof run.stats);
    pesim_error e;
    pesim_store *st = nullptr;
    if (!db.empty()) {
        EXPECT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    }
    pesim_campaign *c = nullptr;
    EXPECT_EQ(pesim_campaign_create(s, st, &o, &c, &e), PESIM_OK) << e.msg;
    if (c) {
        Distort d{c};
        Collect col{&run, pesim_space_n_params(s)};
        pesim_campaign_set_evaluate(c, distorted, &d);
        pesim_campaign_set_callback(c, collect, &col);
        EXPECT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
        run.rep = *pesim_campaign_get_report(c);
        if (strcmp(o.algo, "arco") == 0) run.stats = *arco_get_stats(pesim_algo_state(pesim_campaign_algo(c)));
    }
    pesim_campaign_destroy(c);
    pesim_store_close(st);
    return run;
}

}  // namespace

// The agents partition the parameters by group (the virtual threads, declared
// with group = "schedule", goes to the schedule agent), and the critic's input
// has a column for every parameter of every agent plus the view flags.
TEST(SearchArco, ThreeAgentsAndACentralisedCriticOverAllChoices)
{
    Space sp;
    ASSERT_NE(sp.s, nullptr);
    pesim_algo *al = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_algo_create("arco", sp.s, 1, nullptr, &al, &e), PESIM_OK) << e.msg;
    const int32_t np = pesim_space_n_params(sp.s);
    int32_t want[3] = {0, 0, 0};
    int db = -1;
    for (int32_t i = 0; i < np; i++) {
        pesim_param_group g = pesim_space_param_group(sp.s, i);
        want[g == PESIM_GROUP_PLACEMENT ? PESIM_GROUP_SCHEDULE : g]++;
        if (strcmp(pesim_space_param(sp.s, i)->name, "hw.BUF.multiple_buffering") == 0) db = (int)g;
    }
    EXPECT_EQ(db, PESIM_GROUP_SCHEDULE);
    EXPECT_EQ(pesim_space_param(sp.s, 0)->kind, PESIM_PARAM_HARDWARE);
    EXPECT_EQ(pesim_space_param_group(sp.s, 0), PESIM_GROUP_HARDWARE);
    void *state = pesim_algo_state(al);
    int32_t total = 0;
    for (int g = 0; g < 3; g++) {
        EXPECT_GT(want[g], 0) << g;
        EXPECT_EQ(arco_agent_params(state, g), want[g]) << g;
        total += arco_agent_params(state, g);
    }
    EXPECT_EQ(total, np);
    EXPECT_EQ(arco_critic_inputs(state), np + 4);
    pesim_algo_destroy(al);
}

// The critic's baseline for agent g hides g's choices and sees the others':
// two designs that differ only in the hardware agent's choices get the same
// baseline for it, and different baselines for the tiling agent, which sees them.
TEST(SearchArco, CriticBaselineHidesOnlyTheActingAgent)
{
    Space sp;
    pesim_algo *al = nullptr;
    pesim_error e;
    pesim_algo_options ao = {nullptr, 0, &sp.x.eval};
    ASSERT_EQ(pesim_algo_create("arco", sp.s, 3, &ao, &al, &e), PESIM_OK);
    const int32_t np = pesim_space_n_params(sp.s);
    std::vector<int32_t> x((size_t)np * 8);
    ASSERT_EQ(pesim_algo_ask(al, x.data(), 8), 8);
    std::vector<pesim_result> res(8);
    for (int i = 0; i < 8; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].valid = 1;
        res[i].objective = 1000.0 * (1 + i);
    }
    pesim_algo_tell(al, x.data(), res.data(), 8);
    void *state = pesim_algo_state(al);
    std::vector<int32_t> a(x.begin(), x.begin() + np), b = a;
    int32_t hw = -1, other = -1;
    for (int32_t i = 0; i < np; i++) {
        pesim_param_group g = pesim_space_param_group(sp.s, i);
        if (g == PESIM_GROUP_HARDWARE && hw < 0 && pesim_space_param(sp.s, i)->n_choices > 1) hw = i;
        if (g == PESIM_GROUP_TILING && other < 0 && pesim_space_param(sp.s, i)->n_choices > 1) other = i;
    }
    ASSERT_GE(hw, 0);
    ASSERT_GE(other, 0);
    b[hw] = (a[hw] + 1) % pesim_space_param(sp.s, hw)->n_choices;
    EXPECT_EQ(arco_baseline(state, a.data(), PESIM_GROUP_HARDWARE), arco_baseline(state, b.data(), PESIM_GROUP_HARDWARE));
    EXPECT_NE(arco_baseline(state, a.data(), PESIM_GROUP_TILING), arco_baseline(state, b.data(), PESIM_GROUP_TILING));
    pesim_algo_destroy(al);
}

// Confidence sampling: many more proposals than measurements, every measured
// design distinct; plain MARL (confidence=0) measures what it proposes.
TEST(SearchArco, ConfidenceSamplingMeasuresFewerThanItProposesAndNeverTwice)
{
    Space sp;
    Trace r = RunOne(sp.s, Options("arco", 5, 48, 4, sp.x));
    ASSERT_EQ(r.rep.samples, 48);
    EXPECT_EQ(r.stats.measured, 48);
    EXPECT_EQ(r.stats.proposed, 48 * 32);
    EXPECT_EQ(r.rep.predictions, 48 * 32);  // the predictor saw every proposal, outside the budget
    std::set<std::vector<int32_t>> distinct(r.x.begin(), r.x.end());
    EXPECT_EQ(distinct.size(), r.x.size());
    EXPECT_GT(r.stats.fits, 0);
    EXPECT_GT(r.stats.holdout_n, 0);
    printf("arco: surrogate held-back RMSE %.3f (asinh units) over %lld samples\n",
           std::sqrt(r.stats.holdout_sq / (double)r.stats.holdout_n), (long long)r.stats.holdout_n);
    const char *kv[] = {"confidence=0"};
    Trace p = RunOne(sp.s, WithOpt(Options("arco", 5, 24, 4, sp.x), kv));
    EXPECT_EQ(p.stats.proposed, 24);
    EXPECT_EQ(p.rep.predictions, 0);
}

// predictor=surrogate: the analytical model is never called (the campaign
// counts every call of its predictor: 0), the surrogate's features are the
// design's alone, and confidence sampling still measures fewer designs than
// the agents propose, never one twice.
TEST(SearchArco, SurrogatePredictorNeverCallsTheAnalyticalModel)
{
    Space sp;
    const char *kv[] = {"predictor=surrogate"};
    Trace r = RunOne(sp.s, WithOpt(Options("arco", 5, 48, 4, sp.x), kv));
    ASSERT_EQ(r.rep.samples, 48);
    EXPECT_EQ(r.rep.predictions, 0);
    EXPECT_EQ(r.stats.measured, 48);
    EXPECT_EQ(r.stats.proposed, 48 * 32);
    std::set<std::vector<int32_t>> distinct(r.x.begin(), r.x.end());
    EXPECT_EQ(distinct.size(), r.x.size());
    EXPECT_GT(r.stats.fits, 0);      // the surrogate ranked the later batches
    EXPECT_GT(r.stats.holdout_n, 0);
    EXPECT_TRUE(r.rep.found);
    printf("arco predictor=surrogate: held-back RMSE %.3f (asinh units) over %lld samples, best %.0f\n",
           std::sqrt(r.stats.holdout_sq / (double)r.stats.holdout_n), (long long)r.stats.holdout_n,
           r.rep.best.objective);
    // the surrogate's features: one per parameter (no analytical value)
    for (const char *pred : {"predictor=model", "predictor=surrogate"}) {
        const char *kv1[] = {pred};
        pesim_algo_options ao = {kv1, 1, &sp.x.eval};
        pesim_algo *al = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_algo_create("arco", sp.s, 1, &ao, &al, &e), PESIM_OK) << e.msg;
        int32_t want = pesim_space_n_params(sp.s) + (strcmp(pred, "predictor=model") == 0);
        EXPECT_EQ(pesim_surrogate_n_features(arco_surrogate(pesim_algo_state(al))), want) << pred;
        pesim_algo_destroy(al);
    }
}

// mask=1: the actors decode step by step through the space's masks
// (capacity, fan-out, the area budget), so every design they propose is
// valid (their neighbours too, when the actors repeat measured designs);
// with free heads (mask=0) untrained actors propose many invalid designs
// (11 of 24 at this seed). Plain MARL (confidence=0) measures the actors' proposals as they
// come, so the measured designs are theirs; with predictor=surrogate (no
// analytical filter) every measured design is valid too.
TEST(SearchArco, MaskedActorsProposeOnlyValidDesigns)
{
    Space sp;
    const char *plain_masked[] = {"confidence=0", "mask=1"};
    pesim_campaign_options o = Options("arco", 3, 24, 4, sp.x);
    o.algo_opt.kv = plain_masked;
    o.algo_opt.n_kv = 2;
    Trace m = RunOne(sp.s, o);
    ASSERT_EQ(m.rep.samples, 24);
    EXPECT_EQ(invalid(m), 0);
    EXPECT_GT(m.stats.updates, 0);  // the actors learned through their masks
    const char *plain_free[] = {"confidence=0", "mask=0"};
    o.algo_opt.kv = plain_free;
    Trace f = RunOne(sp.s, o);
    ASSERT_EQ(f.rep.samples, 24);
    EXPECT_GT(invalid(f), 6);
    printf("arco plain: %d of 24 invalid with free heads, %d masked\n", invalid(f), invalid(m));
    const char *sur_masked[] = {"predictor=surrogate", "mask=1"};
    o = Options("arco", 5, 48, 4, sp.x);
    o.algo_opt.kv = sur_masked;
    o.algo_opt.n_kv = 2;
    Trace s = RunOne(sp.s, o);
    ASSERT_EQ(s.rep.samples, 48);
    EXPECT_EQ(s.rep.predictions, 0);
    EXPECT_EQ(invalid(s), 0);
    std::set<std::vector<int32_t>> distinct(s.x.begin(), s.x.end());
    EXPECT_EQ(distinct.size(), s.x.size());
    EXPECT_GT(s.stats.fits, 0);
    printf("arco predictor=surrogate mask=1: best %.0f, held-back RMSE %.3f over %lld samples\n",
           s.rep.best.objective, std::sqrt(s.stats.holdout_sq / (double)s.stats.holdout_n),
           (long long)s.stats.holdout_n);
}

TEST(SearchArco, DeterministicPerSeed)
{
    Space sp;
    for (const char *algo : {"arco", "autotvm"}) {
        Trace a = RunOne(sp.s, Options(algo, 9, 28, 4, sp.x));
        Trace b = RunOne(sp.s, Options(algo, 9, 28, 4, sp.x));
        Trace c = RunOne(sp.s, Options(algo, 10, 28, 4, sp.x));
        EXPECT_EQ(a.x, b.x) << algo;
        EXPECT_EQ(a.value, b.value) << algo;
        EXPECT_NE(a.x, c.x) << algo;
    }
}

// Today's runs, recorded: a change meant to keep ARCO's and AutoTVM's
// results (a faster learner step, a refactoring) must keep these hashes of
// every measured design's choices and its value's bits, 64 samples at seed 9
// in batches of 4 (the learners update, the XGBoost models refit). A change
// that is meant to alter the runs records new values here and says why.
TEST(SearchArco, RunsAreTheRecordedRuns)
{
    Space sp;
    const struct {
        const char *algo;
        uint64_t hash;
    } golden[] = {{"arco", 11691243179695182963ull}, {"autotvm", 18155110598352954878ull}};
    for (const auto &g : golden) {
        Trace t = RunOne(sp.s, Options(g.algo, 9, 64, 4, sp.x));
        ASSERT_EQ(t.x.size(), 64u) << g.algo;
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < t.x.size(); i++) {
            h = Fnv1aBytes(t.x[i].data(), t.x[i].size() * sizeof(int32_t), h);
            h = Fnv1aBytes(&t.value[i], sizeof t.value[i], h);
        }
        EXPECT_EQ(h, g.hash) << g.algo;
    }
}

// A run stopped and resumed with a larger budget is the straight run: the
// agents, the critic and the XGBoost models are rebuilt by the replay.
TEST(SearchArco, ResumesThroughTheCampaign)
{
    Space sp;
    for (const char *algo : {"arco", "autotvm"}) {
        TempDir d;
        Trace a = RunOne(sp.s, Options(algo, 4, 20, 4, sp.x), d.file("r.db"));
        Trace b = RunOne(sp.s, Options(algo, 4, 40, 4, sp.x, PESIM_RUN_RESUME), d.file("r.db"));
        EXPECT_EQ(b.rep.resumed, 1) << algo;
        EXPECT_EQ(b.rep.replayed, 20) << algo;
        Trace c = RunOne(sp.s, Options(algo, 4, 40, 4, sp.x), d.file("straight.db"));
        ASSERT_EQ(b.x.size(), 40u) << algo;
        EXPECT_EQ(b.x, c.x) << algo;
        EXPECT_EQ(b.value, c.value) << algo;
        EXPECT_EQ(b.rep.best.objective, c.rep.best.objective) << algo;
        std::vector<std::vector<int32_t>> first(c.x.begin(), c.x.begin() + 20);
        EXPECT_EQ(a.x, first) << algo;
    }
    // the same with predictor=surrogate: the surrogate, its invalid labels
    // and the critic's pre-fit updates are rebuilt by the replay
    TempDir d;
    const char *kv[] = {"predictor=surrogate"};
    auto opts = [&](int64_t budget, pesim_run_mode mode) {
        return WithOpt(Options("arco", 4, budget, 4, sp.x, mode), kv);
    };
    Trace a = RunOne(sp.s, opts(20, PESIM_RUN_NEW), d.file("s.db"));
    Trace b = RunOne(sp.s, opts(40, PESIM_RUN_RESUME), d.file("s.db"));
    Trace c = RunOne(sp.s, opts(40, PESIM_RUN_NEW), d.file("s_straight.db"));
    EXPECT_EQ(b.rep.resumed, 1);
    EXPECT_EQ(b.rep.replayed, 20);
    EXPECT_GT(c.stats.fits, 0);
    ASSERT_EQ(b.x.size(), 40u);
    EXPECT_EQ(b.x, c.x);
    EXPECT_EQ(b.value, c.value);
    EXPECT_EQ(b.rep.predictions, 0);
    std::vector<std::vector<int32_t>> first(c.x.begin(), c.x.begin() + 20);
    EXPECT_EQ(a.x, first);
}

// Over 12 seeds (1-12), the measured samples ARCO needs to reach the genetic
// algorithm's best of 64 (65 when it never does) against the samples the
// genetic algorithm needed to find it: fewer on average, and a one-sided
// Wilcoxon signed-rank test on the paired differences gives p < 0.05. (Six
// seeds were too few to be stable: with the adder trees' area in the cost
// model seeds 1-6 gave p = 0.22; seeds 1-12 give p = 0.010. In 8 of the 12
// ARCO's first measured design, the best of its proposals ranked by the
// analytical model, already beats the genetic algorithm's best.)
TEST(SearchArco, ReachesTheGeneticBestInFewerMeasuredSamples)
{
    EXPECT_NEAR(WilcoxonP({1, 2, 3, 4, 5, 6}), 1.0 / 64, 1e-12);  // the test's own check
    EXPECT_NEAR(WilcoxonP({-1, 2, 3, 4, 5, 6}), 2.0 / 64, 1e-12);
    Space sp;
    const int64_t B = 64;
    const int seeds = 12;
    double mean_arco = 0, mean_ga = 0;
    std::vector<double> diff;
    for (int seed = 1; seed <= seeds; seed++) {
        Trace g = RunOne(sp.s, Options("genetic", (uint64_t)seed, B, 4, sp.x));
        Trace a = RunOne(sp.s, Options("arco", (uint64_t)seed, B, 4, sp.x));
        double target = INFINITY;
        int64_t g_at = B;
        for (int64_t i = 0; i < (int64_t)g.value.size(); i++)
            if (g.value[i] < target) target = g.value[i], g_at = i + 1;
        int64_t at = B + 1;
        for (int64_t i = 0; i < (int64_t)a.value.size(); i++)
            if (a.value[i] <= target) {
                at = i + 1;
                break;
            }
        printf("seed %d: genetic best %.0f at sample %lld; arco reaches it at %lld\n", seed, target,
               (long long)g_at, (long long)at);
        diff.push_back((double)(g_at - at));
        mean_arco += (double)at / seeds;
        mean_ga += (double)g_at / seeds;
    }
    double p = WilcoxonP(diff);
    printf("samples to the genetic best: arco %.1f, genetic %.1f on average (Wilcoxon p = %.3f)\n", mean_arco,
           mean_ga, p);
    EXPECT_LT(mean_arco, mean_ga);
    EXPECT_LT(p, 0.05);
}

TEST(SearchArco, OptionsAreChecked)
{
    Space sp;
    pesim_algo *al = nullptr;
    pesim_error e;
    const char *kv[] = {"proposals=0"};
    pesim_algo_options ao = {kv, 1, nullptr};
    EXPECT_EQ(pesim_algo_create("arco", sp.s, 1, &ao, &al, &e), PESIM_ERR_RANGE);
    // predictor takes a word or its number; another word is out of range
    const char *kv3[] = {"predictor=surrogat"};
    pesim_algo_options ao3 = {kv3, 1, nullptr};
    EXPECT_EQ(pesim_algo_create("arco", sp.s, 1, &ao3, &al, &e), PESIM_ERR_RANGE);
    EXPECT_NE(std::string(e.msg).find("predictor"), std::string::npos) << e.msg;
    for (const char *ok : {"predictor=surrogate", "predictor=1", "predictor=model"}) {
        const char *kv4[] = {ok};
        pesim_algo_options ao4 = {kv4, 1, nullptr};
        ASSERT_EQ(pesim_algo_create("arco", sp.s, 1, &ao4, &al, &e), PESIM_OK) << ok << ": " << e.msg;
        char buf[1024];
        pesim_algo_describe_options(al, buf, sizeof buf);
        EXPECT_NE(std::string(buf).find(strcmp(ok, "predictor=model") ? "predictor=1" : "predictor=0"),
                  std::string::npos) << buf;
        pesim_algo_destroy(al);
    }
    const char *kv2[] = {"chains=8", "steps=5"};
    pesim_algo_options ao2 = {kv2, 2, nullptr};
    ASSERT_EQ(pesim_algo_create("autotvm", sp.s, 1, &ao2, &al, &e), PESIM_OK) << e.msg;
    pesim_algo_destroy(al);
}

// `group` in an experiment's parameter moves a hardware knob to another
// agent; placement (no hardware knob is one) and unknown names are errors
// that name the file and the parameter.
TEST(SearchArco, ExperimentGroupKey)
{
    auto text = [](const char *group) {
        return std::string(
        "experiment = { arch = \"configs/arch/vta.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
        "  layer = \"res5a_branch1\"; joint = true;\n"
        "  params = ( { key = \"BUF.tensor_capacity.inputs\"; values = [ 8192, 16384 ]; },\n"
        "             { key = \"BUF.double_buffered\"; values = [ false, true ]; group = \"") +
               group + "\"; } ); };\n";
    };
    std::string ok = write_temp("arco_group_ok.cfg", text("tiling"));
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_from_experiment(ok.c_str(), nullptr, nullptr, 1, &s, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_space_param_group(s, 0), PESIM_GROUP_HARDWARE);
    EXPECT_EQ(pesim_space_param_group(s, 1), PESIM_GROUP_TILING);
    EXPECT_EQ(pesim_space_param(s, 1)->kind, PESIM_PARAM_HARDWARE);
    EXPECT_EQ(pesim_space_param_group(s, 2), pesim_param_group_of(pesim_space_param(s, 2)->kind));
    pesim_space_destroy(s);
    remove(ok.c_str());
    for (const char *bad : {"placement", "memory"}) {
        std::string path = write_temp("arco_group_bad.cfg", text(bad));
        s = nullptr;
        EXPECT_EQ(pesim_space_from_experiment(path.c_str(), nullptr, nullptr, 1, &s, &e), PESIM_ERR_RANGE) << bad;
        EXPECT_EQ(s, nullptr);
        EXPECT_NE(std::string(e.msg).find("group"), std::string::npos) << e.msg;
        EXPECT_NE(std::string(e.key).find("params.[1]"), std::string::npos) << e.key;
        EXPECT_EQ(e.line, 4) << bad;
        remove(path.c_str());
    }
}

// Learning on a toy problem whose optimum is known: 2 hardware, 4 tile and
// 2 order parameters, cost 1 + sum (x_i - t_i)^2 + (x_hw0 - x_tile0)^2 with
// the optimum at x = t (cost 1; a uniform design costs ~100). Plain MARL
// (the agents alone, learning from measurements) and confidence sampling
// (no predictor on a synthetic space: the surrogate alone ranks proposals)
// both end far below where they start.
TEST(SearchArco, AgentsLearnAToyProblem)
{
    const pesim_param_kind kind[8] = {PESIM_PARAM_HARDWARE, PESIM_PARAM_HARDWARE, PESIM_PARAM_TILE,
                                      PESIM_PARAM_TILE,     PESIM_PARAM_TILE,     PESIM_PARAM_TILE,
                                      PESIM_PARAM_ORDER,    PESIM_PARAM_ORDER};
    const int32_t t[8] = {5, 2, 5, 1, 6, 3, 4, 0};
    SyntheticSpace space;
    for (int i = 0; i < 8; i++) space.Add(i < 6 ? 8 : 6, kind[i], 0);
    const algo_space &sp = *space.Get(true);
    auto cost = [&](const int32_t *x) {
        double c = 1 + (x[0] - x[2]) * (x[0] - x[2]);
        for (int i = 0; i < 8; i++) c += (x[i] - t[i]) * (x[i] - t[i]);
        return c;
    };
    for (const char *conf : {"confidence=0", "confidence=1"}) {
        pesim_algo *al = nullptr;
        pesim_error e;
        // guide=0: on a synthetic space the masked decode is uniform sampling
        const char *kv[] = {conf, "guide=0", "hidden=8"};
        pesim_algo_options ao = {kv, 3, nullptr};
        ASSERT_EQ(pesim_algo_create_core("arco", &sp, 2, &ao, &al, &e), PESIM_OK) << e.msg;
        const int32_t B = 16, rounds = 40;
        std::vector<int32_t> x((size_t)B * 8);
        std::vector<pesim_result> r(B);
        double first = 0, last = 0;
        for (int k = 0; k < rounds; k++) {
            ASSERT_EQ(pesim_algo_ask(al, x.data(), B), B);
            double mean = 0;
            for (int i = 0; i < B; i++) {
                memset(&r[i], 0, sizeof r[i]);
                r[i].valid = 1;
                r[i].objective = cost(&x[(size_t)i * 8]);
                mean += r[i].objective / B;
            }
            if (k < 4) first += mean / 4;
            if (k >= rounds - 4) last += mean / 4;
            pesim_algo_tell(al, x.data(), r.data(), B);
        }
        printf("%s: mean cost of the first 64 designs %.1f, of the last 64 %.1f (optimum 1)\n", conf, first, last);
        EXPECT_LT(last, 0.5 * first) << conf;
        pesim_algo_destroy(al);
    }
}

// The AutoTVM-like tuner with mask=1: its annealing walks move only to
// choices the space's masks allow and start from masked samples, so on the
// joint space every measured design is valid (the space has an area budget,
// which the masks check, and no power budget); unmasked, the walks' moves and
// uniform starts leave the valid designs (the test fails if the masks do not
// reach the walks). Deterministic per seed and resumable like mask=0.
TEST(SearchArco, AutotvmMaskedWalksStayValid)
{
    Space sp;
    const char *masked[] = {"mask=1"};
    const char *free_[] = {"mask=0"};
    Trace m = RunOne(sp.s, WithOpt(Options("autotvm", 3, 48, 4, sp.x), masked));
    Trace f = RunOne(sp.s, WithOpt(Options("autotvm", 3, 48, 4, sp.x), free_));
    ASSERT_EQ(m.rep.samples, 48);
    ASSERT_EQ(f.rep.samples, 48);
    EXPECT_EQ(invalid(m), 0);
    EXPECT_GT(invalid(f), 12);
    std::set<std::vector<int32_t>> distinct(m.x.begin(), m.x.end());
    EXPECT_EQ(distinct.size(), m.x.size());
    // the first batch is the same valid starts in both runs (later init
    // batches differ where a repeat of the default design is replaced: by a
    // masked sample under mask=1, a uniform one without)
    std::vector<std::vector<int32_t>> m4(m.x.begin(), m.x.begin() + 4), f4(f.x.begin(), f.x.begin() + 4);
    EXPECT_EQ(m4, f4);
    Trace again = RunOne(sp.s, WithOpt(Options("autotvm", 3, 48, 4, sp.x), masked));
    EXPECT_EQ(again.x, m.x);
    TempDir d;
    Trace a = RunOne(sp.s, WithOpt(Options("autotvm", 3, 24, 4, sp.x), masked), d.file("r.db"));
    Trace b = RunOne(sp.s, WithOpt(Options("autotvm", 3, 48, 4, sp.x, PESIM_RUN_RESUME), masked), d.file("r.db"));
    EXPECT_EQ(b.rep.replayed, 24);
    EXPECT_EQ(b.x, m.x);
    printf("autotvm: %d of 48 invalid unmasked, %d masked; best %.0f masked, %.0f unmasked\n", invalid(f),
           invalid(m), m.rep.best.objective, f.rep.best.objective);
}
