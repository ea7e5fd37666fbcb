// tests/das_test.cc - DAS (search/das/relax.c, search/algorithms/das.c) and
// the agent networks it co-searches (workloads/atari_a3c.cfg,
// workloads/resnet14_agent.cfg).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <gsl/gsl_rng.h>

#include "../search/algo_impl.h"
#include "pesim/config.h"
#include "pesim/das.h"
#include "pesim/engine.h"
#include "pesim/model.h"
#include "pesim/rl.h"
#include "pesim/search.h"
#include "search_test_util.h"

namespace {

using CostFn = std::function<void(const int32_t *, double *)>;

pesim_status CallCost(void *ctx, const int32_t *x, double *out)
{
    (*static_cast<CostFn *>(ctx))(x, out);
    return PESIM_OK;
}

struct Rng {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    explicit Rng(unsigned long seed) { gsl_rng_set(r, seed); }
    ~Rng() { gsl_rng_free(r); }
};

// A random table of n_out costs over a small space.
struct Table {
    std::vector<int32_t> nc;
    std::vector<double> j;
    int32_t n_out;
    Table(std::vector<int32_t> n_choices, int32_t outs, gsl_rng *r) : nc(n_choices), n_out(outs)
    {
        int64_t pts = 1;
        for (int32_t c : nc) pts *= c;
        j.resize((size_t)pts * n_out);
        for (double &v : j) v = gsl_rng_uniform(r) * 10 - 3;
    }
    CostFn Fn() const
    {
        return [this](const int32_t *x, double *out) {
            int64_t k = 0;
            for (size_t i = 0; i < nc.size(); i++) k = k * nc[i] + x[i];
            for (int32_t o = 0; o < n_out; o++) out[o] = j[(size_t)k * n_out + o];
        };
    }
};

}  // namespace

TEST(DasRelax, GumbelSoftmaxDrawsFromTheSoftmaxAndSoftSampleFollows)
{
    Rng rng(7);
    const double logits[4] = {0.3, -1.0, 1.2, 0.0};
    double p[4], y[4];
    pesim_rl_softmax(logits, nullptr, 4, 1.0, p);
    std::vector<int> count(4, 0);
    const int N = 40000;
    for (int k = 0; k < N; k++) {
        int32_t h = pesim_das_gumbel_softmax(logits, 4, 0.5, rng.r, y);
        ASSERT_GE(h, 0);
        ASSERT_LT(h, 4);
        count[h]++;
        double s = 0;
        int32_t arg = 0;
        for (int c = 0; c < 4; c++) {
            s += y[c];
            if (y[c] > y[arg]) arg = c;
        }
        EXPECT_NEAR(s, 1.0, 1e-12);
        EXPECT_EQ(arg, h);  // the soft sample's mode is the hard one at any temperature
    }
    for (int c = 0; c < 4; c++) EXPECT_NEAR(count[c] / (double)N, p[c], 0.01) << c;
    // a low temperature makes the soft sample nearly one-hot
    int near = 0;
    for (int k = 0; k < 1000; k++) {
        int32_t h = pesim_das_gumbel_softmax(logits, 4, 0.01, rng.r, y);
        near += y[h] > 0.99;
    }
    EXPECT_GT(near, 950);
}

TEST(DasRelax, ExpectedCostGradientMatchesFiniteDifferences)
{
    Rng rng(3);
    Table t({3, 4, 2, 5}, 2, rng.r);
    CostFn f = t.Fn();
    const int32_t total = 3 + 4 + 2 + 5;
    for (int trial = 0; trial < 5; trial++) {
        std::vector<double> th(total), g((size_t)total * 2);
        for (double &v : th) v = gsl_rng_uniform(rng.r) * 4 - 2;
        double val[2];
        pesim_error e;
        ASSERT_EQ(pesim_das_expected_cost(4, t.nc.data(), th.data(), CallCost, &f, 2, 1000, val, g.data(), &e),
                  PESIM_OK)
            << e.msg;
        const double h = 1e-5;
        for (int32_t k = 0; k < total; k++) {
            double up[2], dn[2];
            std::vector<double> a = th, b = th;
            a[k] += h, b[k] -= h;
            pesim_das_expected_cost(4, t.nc.data(), a.data(), CallCost, &f, 2, 1000, up, nullptr, &e);
            pesim_das_expected_cost(4, t.nc.data(), b.data(), CallCost, &f, 2, 1000, dn, nullptr, &e);
            for (int o = 0; o < 2; o++) EXPECT_NEAR(g[(size_t)k * 2 + o], (up[o] - dn[o]) / (2 * h), 1e-7) << k;
        }
    }
    // too many points to enumerate is refused
    double val[2];
    pesim_error e;
    EXPECT_EQ(pesim_das_expected_cost(4, t.nc.data(), std::vector<double>(total).data(), CallCost, &f, 2, 100, val,
                                      nullptr, &e),
              PESIM_ERR_RANGE);
}

// The straight-through gradient from a hard sample, without Gumbel noise
// (y = softmax(logits), tau 1), averaged over the hard samples weighted by
// their probability, is the exact gradient: the estimator is unbiased.
TEST(DasRelax, StraightThroughGradientIsUnbiased)
{
    Rng rng(11);
    Table t({3, 2, 4}, 1, rng.r);
    CostFn f = t.Fn();
    const int32_t off[3] = {0, 3, 5}, total = 9;
    std::vector<double> th(total), exact(total), p(total), mean(total, 0.0);
    for (double &v : th) v = gsl_rng_uniform(rng.r) * 2 - 1;
    double val;
    ASSERT_EQ(pesim_das_expected_cost(3, t.nc.data(), th.data(), CallCost, &f, 1, 100, &val, exact.data(), nullptr),
              PESIM_OK);
    for (int i = 0; i < 3; i++) pesim_rl_softmax(&th[off[i]], nullptr, t.nc[i], 1.0, &p[off[i]]);
    int32_t x[3];
    for (x[0] = 0; x[0] < 3; x[0]++)
        for (x[1] = 0; x[1] < 2; x[1]++)
            for (x[2] = 0; x[2] < 4; x[2]++) {
                double w = p[off[0] + x[0]] * p[off[1] + x[1]] * p[off[2] + x[2]];
                for (int i = 0; i < 3; i++) {
                    std::vector<double> v(t.nc[i]), g(t.nc[i]);
                    for (int c = 0; c < t.nc[i]; c++) {
                        int32_t z[3] = {x[0], x[1], x[2]};
                        z[i] = c;
                        f(z, &v[c]);
                    }
                    EXPECT_EQ(pesim_das_st_grad(&p[off[i]], v.data(), t.nc[i], 1.0, g.data()), t.nc[i]);
                    for (int c = 0; c < t.nc[i]; c++) mean[off[i] + c] += w * g[c];
                }
            }
    for (int k = 0; k < total; k++) EXPECT_NEAR(mean[k], exact[k], 1e-12) << k;
    // an unknown choice (NaN) gets no gradient, the known ones centre on their own mean
    const double y[3] = {0.2, 0.5, 0.3}, v[3] = {1.0, NAN, 4.0};
    double g[3];
    EXPECT_EQ(pesim_das_st_grad(y, v, 3, 0.5, g), 2);
    EXPECT_EQ(g[1], 0.0);
    EXPECT_NEAR(0.2 * 1.0 + 0.3 * 4.0, 0.5 * (0.2 * 1 + 0.3 * 4) / 0.5, 1e-12);
    EXPECT_NEAR(g[0], 0.2 * (1.0 - 2.8) / 0.5, 1e-12);
    EXPECT_NEAR(g[2], 0.3 * (4.0 - 2.8) / 0.5, 1e-12);
}

namespace {

const char kJointExperiment[] = R"(experiment = {
  name = "das_joint";
  arch = "configs/arch/eyeriss.cfg";
  workload = "workloads/atari_a3c.cfg";
  layer = "conv2";
  joint = true;
  objective = "edp";
  params = (
    { key = "GLB.fanout_y"; values = [ 4, 8, 12 ]; },
    { key = "GLB.fanout_x"; values = [ 4, 14, 16 ]; },
    { key = "GLB.capacity_words"; values = [ 8192, 55296 ]; },
    { key = "GLB.words_per_cycle"; values = [ 4.0, 16.0 ]; },
    { key = "dataflow"; values = [ "rs", "ws" ]; }
  );
};
)";

const char kHwExperiment[] = R"(experiment = {
  name = "das_hw";
  arch = "configs/arch/eyeriss.cfg";
  workload = "workloads/atari_a3c.cfg";
  objective = "edp";
  area_budget_um2 = 1.5e6;
  params = (
    { key = "GLB.fanout_y"; values = [ 4, 8, 12, 16 ]; },
    { key = "GLB.fanout_x"; values = [ 4, 8, 14, 16, 24 ]; },
    { key = "GLB.capacity_words"; geometric = [ 13824, 221184, 2 ]; },
    { key = "GLB.words_per_cycle"; values = [ 4.0, 8.0, 16.0 ]; },
    { key = "dataflow"; values = [ "rs", "ws", "os" ]; }
  );
};
)";

struct SpaceOf {
    pesim_space *s = nullptr;
    std::string path;
    SpaceOf(const char *name, const char *text, int joint)
    {
        path = write_temp(name, text);
        pesim_error e;
        EXPECT_EQ(pesim_space_from_experiment(path.c_str(), nullptr, nullptr, joint, &s, &e), PESIM_OK) << e.msg;
    }
    ~SpaceOf()
    {
        pesim_space_destroy(s);
        remove(path.c_str());
    }
};

}  // namespace

// At one-hot points the relaxed latency, energy and area (the expectation
// over the evaluator's costs) are the discrete model's: pesim_model_evaluate
// (whose energy is pesim_estimate_cost's) of the decoded design, and its area.
TEST(DasRelax, OneHotPointsAgreeWithTheDiscreteModel)
{
    SpaceOf sp("das_joint.cfg", kJointExperiment, 1);
    ASSERT_NE(sp.s, nullptr);
    pesim_evaluator *ev = nullptr;
    pesim_eval_options eo{};
    eo.objective = PESIM_OBJ_EDP;
    ASSERT_EQ(pesim_evaluator_create(sp.s, nullptr, &eo, &ev, nullptr), PESIM_OK);
    const int32_t n = pesim_space_n_params(sp.s);
    std::vector<int32_t> nc(n);
    int32_t total = 0;
    for (int32_t i = 0; i < n; i++) total += nc[i] = pesim_space_param(sp.s, i)->n_choices;
    CostFn f = [&](const int32_t *x, double *out) {
        pesim_result r;
        ASSERT_EQ(pesim_evaluator_run(ev, x, 1, PESIM_FIDELITY_ANALYTICAL, &r), PESIM_OK);
        out[0] = r.valid ? (double)r.cycles : -1;
        out[1] = r.valid ? r.energy_pj : -1;
        out[2] = r.area_um2;
    };
    pesim_cursor *cur = nullptr;
    ASSERT_EQ(pesim_cursor_create(sp.s, nullptr, &cur, nullptr), PESIM_OK);
    Rng rng(5);
    int checked_valid = 0;
    for (int k = 0; k < 200; k++) {
        std::vector<int32_t> x(n);
        if (k % 4 == 3) {
            for (int32_t i = 0; i < n; i++) x[i] = (int32_t)gsl_rng_uniform_int(rng.r, (unsigned long)nc[i]);
        } else {
            pesim_cursor_reset(cur);
            pesim_cursor_sample(
                cur, [](void *c) { return gsl_rng_uniform(static_cast<gsl_rng *>(c)); }, rng.r, x.data());
        }
        std::vector<double> th(total, -800.0);  // softmax: exactly one-hot
        for (int32_t i = 0, o = 0; i < n; o += nc[i], i++) th[o + x[i]] = 0;
        double relaxed[3];
        ASSERT_EQ(pesim_das_expected_cost(n, nc.data(), th.data(), CallCost, &f, 3, INT64_MAX, relaxed, nullptr,
                                          nullptr),
                  PESIM_OK);
        // the discrete model, directly
        pesim_design d;
        char why[256];
        int ok = pesim_space_decode(sp.s, x.data(), &d, why, sizeof why);
        pesim_cost c;
        if (ok) {
            ASSERT_EQ(pesim_model_evaluate(&d.arch, pesim_space_layer(sp.s, 0), &d.mappings[0], &c), PESIM_OK);
        }
        if (ok && c.valid) {
            checked_valid++;
            EXPECT_EQ(relaxed[0], (double)c.cycles) << k;
            EXPECT_NEAR(relaxed[1], c.energy_pj, 1e-9 * c.energy_pj) << k;
            EXPECT_NEAR(relaxed[2], pesim_arch_area_um2(&d.arch), 1e-9 * relaxed[2]) << k;
        } else {
            EXPECT_EQ(relaxed[0], -1.0) << k;
        }
    }
    EXPECT_GT(checked_valid, 50);
    pesim_cursor_destroy(cur);
    pesim_evaluator_destroy(ev);
}

namespace {

// A toy space with a known optimum: a separable bowl around t plus a
// coupling that makes parameter 1 want parameter 0's value.
struct Toy {
    std::vector<int32_t> nc{6, 6, 5, 8, 4, 7}, t{4, 4, 1, 6, 2, 0}, level, dim;
    std::vector<pesim_param_kind> kind;
    algo_space sp{};
    Toy()
    {
        level.assign(nc.size(), -1), dim.assign(nc.size(), -1), kind.assign(nc.size(), PESIM_PARAM_HARDWARE);
        sp.n = (int32_t)nc.size(), sp.n_choices = nc.data(), sp.kind = kind.data(), sp.level = level.data();
        sp.dim = dim.data();
    }
    double J(const int32_t *x) const
    {
        double v = 10;
        for (size_t i = 0; i < nc.size(); i++) v += (x[i] - t[i]) * (x[i] - t[i]);
        return v + 3.0 * (x[1] != x[0]);
    }
    pesim_result Result(const int32_t *x) const
    {
        pesim_result r{};
        r.valid = x[5] < 5;  // choices 5, 6 of the last parameter are invalid
        r.objective = r.valid ? J(x) : PESIM_INVALID_PENALTY;
        r.violation = pesim_violation_make(r.valid ? PESIM_VIOLATION_NONE : PESIM_VIOLATION_AREA);
        r.violation.amount = 1 + x[5], r.violation.limit = 5;
        return r;
    }
};

pesim_status ToyPredict(void *ctx, const int32_t *x, int32_t n, pesim_fidelity, pesim_result *out, pesim_cost *)
{
    const Toy *t = static_cast<const Toy *>(ctx);
    for (int32_t k = 0; k < n; k++) out[k] = t->Result(x + (size_t)k * t->sp.n);
    return PESIM_OK;
}

// Runs DAS on the toy; returns the best objective and when it was reached.
double RunToy(const Toy &toy, uint64_t seed, int64_t budget, bool predictor, const std::vector<const char *> &kv,
              int64_t *at)
{
    pesim_algo_options o{};
    o.kv = kv.data(), o.n_kv = (int32_t)kv.size();
    pesim_algo *al = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_algo_create_core("das", &toy.sp, seed, &o, &al, &e), PESIM_OK) << e.msg;
    if (!al) return HUGE_VAL;
    if (predictor) {
        pesim_algo_env env = {ToyPredict, const_cast<Toy *>(&toy)};
        pesim_algo_set_env(al, &env);
    }
    const int32_t n = toy.sp.n;
    std::vector<int32_t> x(4 * (size_t)n);
    std::vector<pesim_result> r(4);
    double best = HUGE_VAL;
    int64_t s = 0;
    *at = -1;
    while (s < budget) {
        int32_t k = pesim_algo_ask(al, x.data(), 4);
        if (k <= 0) break;
        for (int32_t c = 0; c < k; c++) {
            r[c] = toy.Result(&x[(size_t)c * n]);
            if (r[c].valid && r[c].objective < best) best = r[c].objective, *at = s + c;
        }
        pesim_algo_tell(al, x.data(), r.data(), k);
        s += k;
    }
    pesim_algo_destroy(al);
    return best;
}

}  // namespace

// DAS finds the known optimum of the toy space (10: every parameter at its
// target) for every seed, with the gradient from a predictor and with every
// gradient cost asked (the budget then counts them all), in both estimators.
TEST(Das, FindsTheToyOptimum)
{
    Toy toy;
    int64_t at;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        EXPECT_EQ(RunToy(toy, seed, 200, true, {}, &at), 10.0) << seed;
        EXPECT_EQ(RunToy(toy, seed, 3000, false, {}, &at), 10.0) << seed;
        EXPECT_EQ(RunToy(toy, seed, 200, true, {"gumbel=0"}, &at), 10.0) << seed;
    }
    // and the argmax of the logits (asked every greedy-th design) settles there
    pesim_algo_options o{};
    pesim_algo *al = nullptr;
    ASSERT_EQ(pesim_algo_create_core("das", &toy.sp, 9, &o, &al, nullptr), PESIM_OK);
    pesim_algo_env env = {ToyPredict, &toy};
    pesim_algo_set_env(al, &env);
    std::vector<int32_t> x(toy.sp.n);
    double last_greedy = HUGE_VAL;
    for (int k = 0; k < 300; k++) {
        ASSERT_EQ(pesim_algo_ask(al, x.data(), 1), 1);
        pesim_result r = toy.Result(x.data());
        if (k % 10 == 9) last_greedy = r.objective;
        pesim_algo_tell(al, x.data(), &r, 1);
    }
    EXPECT_EQ(last_greedy, 10.0);
    pesim_algo_destroy(al);
}

// Through the campaign on a real hardware space with an area budget: the
// design found meets the budget (the penalty steers away from the designs
// over it), and at cycle level its latency lies within the
// analytical-vs-cycle gap that the same evaluators show on the base
// architecture for this network (what `pesim compare` reports).
TEST(Das, MeetsTheAreaBudgetAndHoldsAtCycleLevel)
{
    SpaceOf sp("das_hw.cfg", kHwExperiment, 0);
    ASSERT_NE(sp.s, nullptr);
    pesim_campaign_options o{};
    o.algo = "das";
    o.seed = 2;
    o.budget = 40;
    o.batch = 4;
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.eval.objective = PESIM_OBJ_EDP;
    o.eval.area_budget_um2 = 1.5e6;
    o.mode = PESIM_RUN_NEW;
    pesim_campaign *c = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_campaign_create(sp.s, nullptr, &o, &c, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_campaign_run(c, &e), PESIM_OK) << e.msg;
    const pesim_campaign_report *rep = pesim_campaign_get_report(c);
    ASSERT_TRUE(rep->found);
    EXPECT_LE(rep->best.area_um2, 1.5e6);
    EXPECT_GT(rep->predictions, 0);  // the gradient came from the predictor
    const int32_t n = pesim_space_n_params(sp.s);
    std::vector<int32_t> best(pesim_campaign_best_choices(c), pesim_campaign_best_choices(c) + n);
    pesim_campaign_destroy(c);

    pesim_evaluator *ev = nullptr;
    pesim_eval_options free_eval = o.eval;
    free_eval.area_budget_um2 = 0;  // the base design is over the budget; its gap is what we compare with
    ASSERT_EQ(pesim_evaluator_create(sp.s, nullptr, &free_eval, &ev, &e), PESIM_OK) << e.msg;
    auto gap = [&](const int32_t *x, double *total) {
        const int32_t L = pesim_space_n_layers(sp.s);
        std::vector<pesim_cost> an(L), cy(L);
        pesim_result ra, rc;
        EXPECT_EQ(pesim_evaluator_run_detail(ev, x, 1, PESIM_FIDELITY_ANALYTICAL, &ra, an.data()), PESIM_OK);
        EXPECT_EQ(pesim_evaluator_run_detail(ev, x, 1, PESIM_FIDELITY_CYCLE, &rc, cy.data()), PESIM_OK);
        EXPECT_TRUE(ra.valid && rc.valid) << ra.reason << " / " << rc.reason;
        double worst = 0;
        for (int32_t l = 0; l < L; l++)
            worst = std::max(worst, std::fabs((double)cy[l].cycles - (double)an[l].cycles) / (double)cy[l].cycles);
        if (total) *total = std::fabs((double)rc.cycles - (double)ra.cycles) / (double)rc.cycles;
        return worst;
    };
    std::vector<int32_t> base(n);
    ASSERT_TRUE(pesim_space_default_choices(sp.s, base.data()));
    double das_total = 0, base_gap = gap(base.data(), nullptr), das_gap = gap(best.data(), &das_total);
    // the network's cycles, and every layer's, within the largest per-layer gap
    // of the base architecture
    EXPECT_LE(das_total, base_gap) << "base " << base_gap;
    EXPECT_LE(das_gap, base_gap * 1.1) << "base " << base_gap;
    pesim_evaluator_destroy(ev);
}

// The agent networks: MAC totals counted from their layer lists.
TEST(DasWorkloads, AgentNetworksMacTotals)
{
    struct {
        const char *file;
        int64_t macs;
        int32_t layers;
    } nets[] = {{"workloads/atari_a3c.cfg", 2970368LL, 5},
                {"workloads/resnet14_agent.cfg", 184699072LL, 23},
                {"workloads/impala_deep.cfg", 54227712LL, 27},
                {"workloads/dqn_atari.cfg", 9352192LL, 5}};
    for (auto &w : nets) {
        pesim_network net;
        pesim_error e;
        ASSERT_EQ(pesim_network_load(w.file, &net, &e), PESIM_OK) << e.msg;
        int64_t macs = 0;
        for (int32_t i = 0; i < net.n_layers; i++) macs += pesim_layer_macs(&net.layers[i]);
        EXPECT_EQ(macs, w.macs) << w.file;
        EXPECT_EQ(net.n_layers, w.layers) << w.file;
        pesim_network_free(&net);
    }
}

namespace {

std::string AgentsExperiment(const char *agents, const char *budget)
{
    return std::string(R"(experiment = {
  name = "das_co";
  arch = "configs/arch/eyeriss.cfg";
  workload = "workloads/atari_a3c.cfg";
  objective = "latency";
  area_budget_um2 = )") + budget + R"(;
  score_weight = 1.0;
  agents = ( )" + agents + R"( );
  params = (
    { key = "GLB.fanout_y"; values = [ 4, 8, 12, 16 ]; },
    { key = "GLB.fanout_x"; values = [ 4, 8, 14, 16 ]; },
    { key = "GLB.words_per_cycle"; values = [ 2.0, 8.0 ]; }
  );
};
)";
}

// The co-search of the experiment text (written to a temporary file), into
// store st (may be NULL) in the given mode; *msg (may be NULL) gets the error.
pesim_das_cosearch_result CoSearch(const std::string &text, uint64_t seed, pesim_status want = PESIM_OK,
                                   int64_t budget = 20, pesim_store *st = nullptr,
                                   pesim_run_mode mode = PESIM_RUN_NEW, std::string *msg = nullptr)
{
    std::string path = write_temp("das_co.cfg", text);
    pesim_das_cosearch_options o{};
    o.budget = budget;
    o.seed = seed;
    o.fidelity = PESIM_FIDELITY_ANALYTICAL;
    o.store = st;
    o.mode = mode;
    pesim_das_cosearch_result r;
    pesim_error e;
    pesim_error_clear(&e);
    EXPECT_EQ(pesim_das_cosearch(path.c_str(), &o, &r, &e), want) << e.msg;
    if (msg) *msg = e.msg;
    remove(path.c_str());
    return r;
}

}  // namespace

// The agent network is a categorical choice: of two copies of one network
// the higher score wins; at equal scores the network with more FPS wins;
// the design meets the area budget and its cycle-level run is valid.
TEST(DasCoSearch, ChoosesTheAgentByScoreAndFps)
{
    for (uint64_t seed : {1, 2}) {
        pesim_das_cosearch_result r = CoSearch(
            AgentsExperiment(R"({ workload = "workloads/atari_a3c.cfg"; score = 0.0; },
                             { workload = "workloads/atari_a3c.cfg"; score = 5.0; })",
                             "3.0e6"),
            seed);
        ASSERT_TRUE(r.found);
        EXPECT_EQ(r.agent, 1) << seed;
        EXPECT_EQ(r.samples, 20);
        EXPECT_GT(r.predictions, 20);
        EXPECT_LE(r.best.area_um2, 3.0e6);
        EXPECT_TRUE(r.cycle.valid);
        EXPECT_GT(r.cycle_fps, 0.0);
        EXPECT_NEAR(r.objective, -std::log(r.fps) - 5.0, 1e-9);
        if (seed > 1) continue;  // the larger network is slow to map: one seed
        r = CoSearch(AgentsExperiment(R"({ workload = "workloads/resnet14_agent.cfg"; score = 1.0; },
                                      { workload = "workloads/atari_a3c.cfg"; score = 1.0; })",
                                      "3.0e6"),
                     seed);
        ASSERT_TRUE(r.found);
        EXPECT_EQ(r.agent, 1) << seed;  // 62x fewer MACs
        EXPECT_GT(r.agent_best_fps[1], r.agent_best_fps[0]);
    }
    // the same seed gives the same run
    const std::string two = AgentsExperiment(R"({ workload = "workloads/atari_a3c.cfg"; score = 1.0; },
                                             { workload = "workloads/atari_a3c.cfg"; score = 1.2; })",
                                             "3.0e6");
    pesim_das_cosearch_result a = CoSearch(two, 4, PESIM_OK, 10), b = CoSearch(two, 4, PESIM_OK, 10);
    EXPECT_EQ(a.objective, b.objective);
    EXPECT_EQ(a.best_sample, b.best_sample);
    EXPECT_EQ(a.predictions, b.predictions);
    // an experiment without agents is refused, naming the key
    CoSearch(R"(experiment = { arch = "configs/arch/eyeriss.cfg"; workload = "workloads/atari_a3c.cfg";
               params = ( { key = "GLB.fanout_y"; values = [ 4, 8 ]; } ); };)",
             1, PESIM_ERR_MISSING);
}

// A co-search recorded in a store and cut (a smaller budget) resumes to the
// very result of the uncut run: the stored designs are replayed, not
// evaluated again, and DAS asks the same designs after them. A resume with
// other options is refused; a new run where one exists is refused.
TEST(DasCoSearch, ResumesACutRunToTheUncutResult)
{
    const std::string text = AgentsExperiment(R"({ workload = "workloads/atari_a3c.cfg"; score = 1.0; },
                                              { workload = "workloads/dqn_atari.cfg"; score = 1.4; })",
                                              "3.0e6");
    std::string db = write_temp("das_resume.db", "");
    remove(db.c_str());
    auto run = [&](pesim_store *st, pesim_run_mode mode, int64_t budget, uint64_t seed, pesim_status want,
                   std::string *msg = nullptr) { return CoSearch(text, seed, want, budget, st, mode, msg); };
    pesim_das_cosearch_result uncut = run(nullptr, PESIM_RUN_NEW, 30, 5, PESIM_OK);
    ASSERT_TRUE(uncut.found);
    EXPECT_EQ(uncut.run_id, 0);
    pesim_store *st = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_store_open(db.c_str(), &st, &e), PESIM_OK) << e.msg;
    pesim_das_cosearch_result cut = run(st, PESIM_RUN_NEW, 11, 5, PESIM_OK);
    EXPECT_EQ(cut.samples, 11);
    EXPECT_GT(cut.run_id, 0);
    EXPECT_FALSE(cut.resumed);
    std::string msg;
    run(st, PESIM_RUN_NEW, 30, 5, PESIM_ERR_INVALID, &msg);  // the store has a run of this co-search
    EXPECT_NE(msg.find("--resume"), std::string::npos) << msg;
    run(st, PESIM_RUN_RESUME, 30, 6, PESIM_ERR_INVALID, &msg);  // another seed
    EXPECT_NE(msg.find("--seed"), std::string::npos) << msg;
    pesim_das_cosearch_result resumed = run(st, PESIM_RUN_RESUME, 30, 5, PESIM_OK);
    EXPECT_TRUE(resumed.resumed);
    EXPECT_EQ(resumed.run_id, cut.run_id);
    EXPECT_EQ(resumed.replayed, 11);
    EXPECT_EQ(resumed.samples, uncut.samples);
    ASSERT_TRUE(resumed.found);
    EXPECT_EQ(resumed.agent, uncut.agent);
    EXPECT_EQ(resumed.objective, uncut.objective);
    EXPECT_EQ(resumed.best_sample, uncut.best_sample);
    EXPECT_EQ(resumed.predictions, uncut.predictions);
    EXPECT_EQ(std::vector<int32_t>(resumed.hw, resumed.hw + resumed.n_hw),
              std::vector<int32_t>(uncut.hw, uncut.hw + uncut.n_hw));
    for (int32_t a = 0; a < 2; a++) EXPECT_EQ(resumed.agent_samples[a], uncut.agent_samples[a]) << a;
    EXPECT_EQ(resumed.cycle.cycles, uncut.cycle.cycles);
    // every design is in the store, in order: the agent, then the hardware
    std::vector<int32_t> x(30 * (size_t)(uncut.n_hw + 1));
    std::vector<pesim_result> res(30);
    int32_t got = 0;
    ASSERT_EQ(pesim_store_read(st, resumed.run_id, 0, 30, uncut.n_hw + 1, x.data(), res.data(), &got, &e), PESIM_OK)
        << e.msg;
    EXPECT_EQ(got, 30);
    // resuming the finished run replays all of it and evaluates nothing
    pesim_das_cosearch_result again = run(st, PESIM_RUN_RESUME, 30, 5, PESIM_OK);
    EXPECT_EQ(again.replayed, 30);
    EXPECT_EQ(again.objective, uncut.objective);
    // another run in the same store starts from scratch
    pesim_das_cosearch_result other = run(st, PESIM_RUN_ANOTHER, 5, 5, PESIM_OK);
    EXPECT_NE(other.run_id, resumed.run_id);
    EXPECT_EQ(other.replayed, 0);
    pesim_store_close(st);
    remove(db.c_str());
    remove((db + "-wal").c_str());
    remove((db + "-shm").c_str());
}

TEST(DasCoSearch, BadAgentsNameFileLineAndKey)
{
    struct {
        const char *agents, *key;
    } bad[] = {{R"({ workload = "workloads/atari_a3c.cfg"; })", "agents[0].score"},
               {R"({ score = 1.0; })", "agents[0].workload"},
               {R"({ workload = "workloads/atari_a3c.cfg"; score = 1.0; speed = 2; })", "agents[0].speed"},
               {R"({ workload = "workloads/atari_a3c.cfg"; score = "high"; })", "agents[0].score"}};
    for (auto &b : bad) {
        std::string path = write_temp("das_bad.cfg", AgentsExperiment(b.agents, "3.0e6"));
        pesim_experiment x;
        pesim_error e;
        pesim_error_clear(&e);
        EXPECT_NE(pesim_experiment_load(path.c_str(), &x, &e), PESIM_OK) << b.agents;
        EXPECT_STREQ(e.key, b.key) << e.msg;
        EXPECT_EQ(std::string(e.file), path);
        EXPECT_GT(e.line, 0) << b.agents;
        remove(path.c_str());
    }
}

// ------------------------------------------- fixed-template baselines

namespace {

struct ArchNet {
    pesim_arch arch{};
    pesim_network net{};
    ArchNet(const char *workload)
    {
        pesim_error e;
        EXPECT_EQ(pesim_arch_load("configs/arch/eyeriss.cfg", &arch, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_network_load(workload, &net, &e), PESIM_OK) << e.msg;
    }
    ~ArchNet() { pesim_network_free(&net); }
};

}  // namespace

// DNNBuilder-like template: one stage per MAC layer, PEs and buffer words
// split in proportion to MACs^alpha, each stage an array of fy x fx with fy a
// power of two; the frame's latency, the interval, energy, area and FPS are
// the stated sums and maximum of the stages'.
TEST(DasTemplate, PipelineHasOneStagePerMacLayerSplitByWork)
{
    ArchNet w("workloads/atari_a3c.cfg");
    pesim_eval_options eval{};
    eval.objective = PESIM_OBJ_EDP;
    pesim_pipeline_point pt = {168, 55296, 1.0};
    pesim_pipeline_result r;
    pesim_error e;
    ASSERT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "GLB", &pt, &eval, &r, &e), PESIM_OK) << e.msg;
    ASSERT_TRUE(r.valid) << r.reason;
    ASSERT_EQ(r.n_stages, 5);  // conv1, conv2, fc3, fc_policy, fc_value
    double total_macs = 0;
    for (int32_t s = 0; s < r.n_stages; s++) total_macs += (double)pesim_layer_macs(&w.net.layers[r.stage[s].layer]);
    int64_t pes = 0, words = 0, lat = 0, interval = 0;
    double energy = 0, area = 0;
    for (int32_t s = 0; s < r.n_stages; s++) {
        const pesim_pipeline_stage &st = r.stage[s];
        double share = (double)pesim_layer_macs(&w.net.layers[st.layer]) / total_macs;
        int64_t p = std::max<int64_t>(1, (int64_t)std::floor(share * 168));
        EXPECT_LE((int64_t)st.fanout_x * st.fanout_y, p) << s;
        EXPECT_GT((int64_t)st.fanout_y * 2 * st.fanout_y * 2, p) << s;  // fy: the largest power of two, fy^2 <= p
        EXPECT_EQ(st.fanout_y & (st.fanout_y - 1), 0) << s;
        EXPECT_EQ(st.words, std::max<int64_t>(1, (int64_t)std::floor(share * 55296))) << s;
        pes += (int64_t)st.fanout_x * st.fanout_y;
        words += st.words;
        lat += st.cycles;
        interval = std::max(interval, st.cycles);
        energy += st.energy_pj;
        area += st.area_um2;
        EXPECT_GT(st.cycles, 0);
    }
    EXPECT_LE(pes, 168);
    EXPECT_LE(words, 55296);
    EXPECT_EQ(r.latency_cycles, lat);
    EXPECT_EQ(r.interval_cycles, interval);
    EXPECT_LT(r.interval_cycles, r.latency_cycles);  // pipelined: a frame every slowest stage
    EXPECT_NEAR(r.energy_pj, energy, 1e-9 * energy);
    EXPECT_NEAR(r.area_um2, area, 1e-9 * area);
    EXPECT_DOUBLE_EQ(r.fps, w.arch.clock_mhz * 1e6 / (double)interval);
    EXPECT_DOUBLE_EQ(r.objective, pesim_objective_value(&eval, lat, r.energy_pj, r.area_um2));
    // the biggest layer (conv2 of atari_a3c: most MACs) gets the most PEs at alpha 1
    int32_t big = 0;
    for (int32_t s = 1; s < r.n_stages; s++)
        if (pesim_layer_macs(&w.net.layers[r.stage[s].layer]) > pesim_layer_macs(&w.net.layers[r.stage[big].layer]))
            big = s;
    for (int32_t s = 0; s < r.n_stages; s++)
        EXPECT_LE(r.stage[s].fanout_x * r.stage[s].fanout_y, r.stage[big].fanout_x * r.stage[big].fanout_y);
    // alpha 0: equal shares, the same array everywhere
    pesim_pipeline_point eq = {160, 55296, 0.0};
    ASSERT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "GLB", &eq, &eval, &r, &e), PESIM_OK) << e.msg;
    for (int32_t s = 0; s < r.n_stages; s++) {
        EXPECT_EQ(r.stage[s].fanout_x * r.stage[s].fanout_y, 32) << s;  // 160 / 5 = 32 = 4 x 8
        EXPECT_EQ(r.stage[s].words, 55296 / 5) << s;
    }
    // bad input: a level the arch does not have, a point out of range
    EXPECT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "L9", &pt, &eval, &r, &e), PESIM_ERR_KEY);
    pesim_pipeline_point bad = {0, 10, 1.0};
    EXPECT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "GLB", &bad, &eval, &r, &e), PESIM_ERR_RANGE);
}

// The template's search meets the area budget, stops at its budget of
// points, and reports why when no point fits.
TEST(DasTemplate, PipelineSearchMeetsTheBudgets)
{
    ArchNet w("workloads/atari_a3c.cfg");
    pesim_eval_options eval{};
    eval.objective = PESIM_OBJ_EDP;
    eval.area_budget_um2 = 1.5e6;  // the base design is ~1.9e6 um2
    pesim_pipeline_result best;
    int64_t n = 0;
    pesim_error e;
    ASSERT_EQ(pesim_pipeline_search(&w.arch, &w.net, "GLB", &eval, 1000, &best, &n, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(n, pesim_pipeline_grid_size());
    EXPECT_EQ(n, 45);
    ASSERT_TRUE(best.valid) << best.reason;
    EXPECT_LE(best.area_um2, 1.5e6);
    // no valid point of the grid beats it
    for (double alpha : {0.0, 0.5, 1.0}) {
        pesim_pipeline_result r;
        pesim_pipeline_point pt = {84, 55296, alpha};
        ASSERT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "GLB", &pt, &eval, &r, &e), PESIM_OK);
        if (r.valid) {
            EXPECT_GE(r.objective, best.objective) << alpha;
        }
    }
    ASSERT_EQ(pesim_pipeline_search(&w.arch, &w.net, "GLB", &eval, 4, &best, &n, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(n, 4);
    eval.area_budget_um2 = 1e3;
    ASSERT_EQ(pesim_pipeline_search(&w.arch, &w.net, "GLB", &eval, 1000, &best, &n, &e), PESIM_OK) << e.msg;
    EXPECT_FALSE(best.valid);
    EXPECT_NE(std::string(best.reason).find("area"), std::string::npos) << best.reason;
}

// CHaiDNN-like baseline: configs/experiments/das_chaidnn.cfg is exactly the
// eight published (KER_PROC, PIX_PROC) arrays on the base arch, output
// stationary, K across the columns and output pixels down the rows; its best
// design under the area budget meets it.
TEST(DasTemplate, ChaiDnnSpaceIsThePublishedArrays)
{
    pesim_network net;
    pesim_error e;
    ASSERT_EQ(pesim_network_load("workloads/atari_a3c.cfg", &net, &e), PESIM_OK) << e.msg;
    pesim_space *s = nullptr;
    ASSERT_EQ(pesim_space_from_experiment("configs/experiments/das_chaidnn.cfg", nullptr, &net, 0, &s, &e), PESIM_OK)
        << e.msg;
    int64_t points = 1;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) points *= pesim_space_param(s, i)->n_choices;
    EXPECT_EQ(points, 8);
    const int published[8][2] = {{8, 8}, {16, 4}, {8, 16}, {16, 8}, {8, 32}, {16, 16}, {8, 64}, {16, 32}};
    std::vector<int32_t> x(pesim_space_n_params(s), 0);
    int glb = pesim_arch_find_level(pesim_space_arch(s), "GLB");
    pesim_eval_options eo{};
    eo.objective = PESIM_OBJ_EDP;
    eo.area_budget_um2 = 3.0e6;
    pesim_evaluator *ev = nullptr;
    ASSERT_EQ(pesim_evaluator_create(s, nullptr, &eo, &ev, &e), PESIM_OK) << e.msg;
    int valid = 0;
    for (int c = 0; c < 8; c++) {
        x[0] = c;
        pesim_design d;
        char why[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_space_decode(s, x.data(), &d, why, sizeof why)) << why;
        EXPECT_EQ(d.arch.level[glb].fanout_x, published[c][0]) << c;
        EXPECT_EQ(d.arch.level[glb].fanout_y, published[c][1]) << c;
        EXPECT_STREQ(d.arch.dataflow, "os");
        pesim_result r;
        ASSERT_EQ(pesim_evaluator_run(ev, x.data(), 1, PESIM_FIDELITY_ANALYTICAL, &r), PESIM_OK);
        if (r.valid) {
            valid++;
            EXPECT_LE(r.area_um2, 3.0e6);
        }
    }
    EXPECT_GT(valid, 0);
    pesim_evaluator_destroy(ev);
    pesim_space_destroy(s);
    pesim_network_free(&net);
}

// A one-stage pipeline is the base arch with the stage's array and buffer:
// its cycles, energy and area are what the evaluator gives that hardware
// point (the same default mapper, analytical model and area/energy rescaling).
TEST(DasTemplate, OneStageIsTheEvaluatorsHardwarePoint)
{
    std::string wl = write_temp("das_one.cfg", R"(network = {
  name = "one"; source = "test";
  input = { n = 1; c = 4; h = 84; w = 84; };
  layers = (
    { name = "conv1"; type = "conv"; inputs = [ "input" ];
      n = 1; k = 16; c = 4; p = 20; q = 20; r = 8; s = 8;
      stride = [ 4, 4 ]; pad = [ 0, 0 ]; dilation = [ 1, 1 ]; groups = 1; }
  );
};
)");
    ArchNet w(wl.c_str());
    pesim_eval_options eval{};
    eval.objective = PESIM_OBJ_EDP;
    for (int64_t pes : {168, 40, 7}) {
        pesim_pipeline_point pt = {pes, 20000, 1.0};
        pesim_pipeline_result r;
        pesim_error e;
        ASSERT_EQ(pesim_pipeline_evaluate(&w.arch, &w.net, "GLB", &pt, &eval, &r, &e), PESIM_OK) << e.msg;
        ASSERT_TRUE(r.valid) << r.reason;
        ASSERT_EQ(r.n_stages, 1);
        const pesim_pipeline_stage &st = r.stage[0];
        EXPECT_EQ(r.latency_cycles, r.interval_cycles);
        char exp[1024];
        snprintf(exp, sizeof exp, R"(experiment = {
  arch = "configs/arch/eyeriss.cfg"; workload = "%s"; objective = "edp";
  params = ( { key = "GLB.fanout_x"; values = [ %d ]; }, { key = "GLB.fanout_y"; values = [ %d ]; },
             { key = "GLB.capacity_words"; values = [ %lld ]; } );
};
)",
                 wl.c_str(), (int)st.fanout_x, (int)st.fanout_y, (long long)st.words);
        SpaceOf sp("das_one_exp.cfg", exp, 0);
        ASSERT_NE(sp.s, nullptr);
        pesim_evaluator *ev = nullptr;
        ASSERT_EQ(pesim_evaluator_create(sp.s, nullptr, &eval, &ev, &e), PESIM_OK) << e.msg;
        int32_t x[3] = {0, 0, 0};
        pesim_result er;
        ASSERT_EQ(pesim_evaluator_run(ev, x, 1, PESIM_FIDELITY_ANALYTICAL, &er), PESIM_OK);
        ASSERT_TRUE(er.valid) << er.reason;
        EXPECT_EQ(er.cycles, r.latency_cycles) << pes;
        EXPECT_NEAR(er.energy_pj, r.energy_pj, 1e-9 * er.energy_pj) << pes;
        EXPECT_NEAR(er.area_um2, r.area_um2, 1e-9 * er.area_um2) << pes;
        pesim_evaluator_destroy(ev);
    }
    remove(wl.c_str());
}
