// rl_net_test.cc - the RL core's networks (pesim/rl.h): MLP and Graph U-Net
// gradients against central finite differences, every loss's gradient
// through a network, masked categorical heads, parameter vectors, Adam,
// save/load and the OpenBLAS binding.
#include "pesim/rl.h"
#include "rl_test_util.h"
#include "../search/rl/rl_impl.h"

#include <dlfcn.h>
#include <gsl/gsl_rng.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {
// A layout by hand: one input, heads of the given sizes one after the
// other (off gets their offsets), no value outputs.
pesim_rl_layout HandLayout(int32_t n_heads, int32_t *size, int32_t *off)
{
    pesim_rl_layout L;
    memset(&L, 0, sizeof L);
    L.in_dim = 1;
    L.n_heads = n_heads;
    L.head_size = size;
    L.head_offset = off;
    for (int32_t h = 0; h < n_heads; h++) off[h] = L.n_logits, L.n_logits += size[h];
    L.out_dim = L.n_logits;
    return L;
}


pesim_rl_gnn_config gnn_config(int features, int hidden, int depth, double ratio, pesim_rl_act act,
                               std::vector<int> decisions, int values)
{
    pesim_rl_gnn_config c;
    memset(&c, 0, sizeof c);
    c.in_features = features;
    c.hidden = hidden;
    c.depth = depth;
    c.ratio = ratio;
    c.act = act;
    c.n_decisions = (int32_t)decisions.size();
    for (size_t i = 0; i < decisions.size(); i++)
        c.decision_sizes[i] = decisions[i];
    c.n_values = values;
    c.head_gain = 1.0;
    c.root_weight = 1;
    return c;
}

// A small random graph: a path plus some chords (connected, irregular).
void set_test_graph(pesim_rl_net *n, int nodes, unsigned long seed)
{
    Rng rng(seed);
    std::vector<int32_t> s, d;
    for (int i = 0; i + 1 < nodes; i++)
        s.push_back(i), d.push_back(i + 1);
    for (int k = 0; k < nodes / 2; k++)
        s.push_back((int32_t)gsl_rng_uniform_int(rng.r, nodes)), d.push_back((int32_t)gsl_rng_uniform_int(rng.r, nodes));
    pesim_error e;
    ASSERT_EQ(pesim_rl_net_set_graph(n, nodes, (int64_t)s.size(), s.data(), d.data(), &e), PESIM_OK) << e.msg;
}

// A scalar loss of a network's output batch: returns L and adds dL/dout.
using LossFn = std::function<double(const double *out, double *dout)>;

// Compares backward's gradient with central differences on every parameter
// (or `max_checked` spread over the vector). Returns the worst relative error.
double grad_check(pesim_rl_net *n, const std::vector<double> &x, int batch, const LossFn &loss,
                  int64_t max_checked = 4000, double h = 1e-5)
{
    pesim_error e;
    const pesim_rl_layout *L = pesim_rl_net_layout(n);
    std::vector<double> out((size_t)batch * L->out_dim), dout(out.size(), 0.0);
    pesim_rl_net_zero_grad(n);
    EXPECT_EQ(pesim_rl_net_forward(n, x.data(), batch, out.data(), &e), PESIM_OK) << e.msg;
    loss(out.data(), dout.data());
    EXPECT_EQ(pesim_rl_net_backward(n, dout.data(), &e), PESIM_OK) << e.msg;
    int64_t np = pesim_rl_net_n_params(n);
    std::vector<double> g(pesim_rl_net_grads(n), pesim_rl_net_grads(n) + np);
    double *p = pesim_rl_net_params(n);
    auto value = [&]() {
        std::vector<double> o(out.size()), d(out.size(), 0.0);
        EXPECT_EQ(pesim_rl_net_forward(n, x.data(), batch, o.data(), &e), PESIM_OK);
        return loss(o.data(), d.data());
    };
    int64_t step = std::max<int64_t>(1, np / max_checked);
    double worst = 0;
    int64_t nonzero = 0;
    for (int64_t i = 0; i < np; i += step) {
        double keep = p[i];
        p[i] = keep + h;
        double lp = value();
        p[i] = keep - h;
        double lm = value();
        p[i] = keep;
        double num = (lp - lm) / (2 * h);
        double err = std::fabs(num - g[i]) / std::max(1e-4, std::fabs(num) + std::fabs(g[i]));
        worst = std::max(worst, err);
        nonzero += std::fabs(g[i]) > 1e-9;
        EXPECT_LT(err, 1e-5) << "parameter " << i << ": backward " << g[i] << ", finite difference " << num;
    }
    EXPECT_GT(nonzero, 0) << "the check compared only zero gradients";
    return worst;
}

std::vector<double> random_vec(size_t n, unsigned long seed, double scale = 1.0)
{
    Rng rng(seed);
    std::vector<double> v(n);
    for (auto &x : v)
        x = rng.normal() * scale;
    return v;
}

// A linear functional of the output: L = sum w * out.
LossFn linear_loss(const std::vector<double> &w)
{
    return [w](const double *out, double *dout) {
        double s = 0;
        for (size_t i = 0; i < w.size(); i++) {
            s += w[i] * out[i];
            dout[i] += w[i];
        }
        return s;
    };
}

// A random mask with at least one allowed action per head, and some heads
// fully masked (inactive) when `inactive`.
std::vector<uint8_t> random_mask(const pesim_rl_layout *L, int batch, unsigned long seed, bool inactive)
{
    Rng rng(seed);
    std::vector<uint8_t> m((size_t)batch * L->n_logits);
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < L->n_heads; h++) {
            uint8_t *row = m.data() + (size_t)b * L->n_logits + L->head_offset[h];
            bool off = inactive && gsl_rng_uniform(rng.r) < 0.15;
            int any = 0;
            for (int j = 0; j < L->head_size[h]; j++)
                any += row[j] = !off && gsl_rng_uniform(rng.r) < 0.7;
            if (!off && !any)
                row[gsl_rng_uniform_int(rng.r, L->head_size[h])] = 1;
        }
    return m;
}

// Allowed actions for the mask (-1 for inactive heads).
std::vector<int32_t> random_actions(const pesim_rl_layout *L, const std::vector<uint8_t> &m, int batch,
                                    unsigned long seed)
{
    Rng rng(seed);
    std::vector<int32_t> a((size_t)batch * L->n_heads);
    for (int b = 0; b < batch; b++)
        for (int h = 0; h < L->n_heads; h++) {
            const uint8_t *row = m.data() + (size_t)b * L->n_logits + L->head_offset[h];
            std::vector<int> ok;
            for (int j = 0; j < L->head_size[h]; j++)
                if (row[j])
                    ok.push_back(j);
            a[(size_t)b * L->n_heads + h] = ok.empty() ? -1 : ok[gsl_rng_uniform_int(rng.r, ok.size())];
        }
    return a;
}

}  // namespace

// ----------------------------------------------------------------- BLAS

TEST(RlNet, CblasResolvesToOpenBlas)
{
    // GSL links its reference CBLAS (libgslcblas), which defines the same
    // symbols; the core must run on OpenBLAS.
    Rng rng(1);
    std::vector<int32_t> heads = {2};
    auto c = mlp_config(3, {4}, PESIM_RL_TANH, heads, 0);
    Net n;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &n.n, &e), PESIM_OK);
    void *sym = dlsym(RTLD_DEFAULT, "cblas_dgemm");
    ASSERT_NE(sym, nullptr);
    Dl_info info;
    ASSERT_NE(dladdr(sym, &info), 0);
    EXPECT_NE(std::string(info.dli_fname).find("openblas"), std::string::npos) << info.dli_fname;
}

// ------------------------------------------------------------ MLP grads

TEST(RlNet, MlpGradientsMatchFiniteDifferences)
{
    struct Case {
        std::vector<int> hidden;
        pesim_rl_act act;
        std::vector<int32_t> heads;
        int values, batch;
    } cases[] = {
        {{}, PESIM_RL_TANH, {3}, 0, 1},
        {{5}, PESIM_RL_TANH, {3, 4}, 1, 4},
        {{6, 5}, PESIM_RL_RELU, {2, 2, 5}, 0, 7},
        {{4, 7, 3}, PESIM_RL_TANH, {}, 2, 3},
        {{8, 8}, PESIM_RL_RELU, {6}, 1, 16},
    };
    int k = 0;
    for (const Case &cs : cases) {
        SCOPED_TRACE(k);
        Rng rng(10 + k);
        auto c = mlp_config(5, cs.hidden, cs.act, cs.heads, cs.values);
        Net n;
        pesim_error e;
        ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &n.n, &e), PESIM_OK) << e.msg;
        // biases away from zero so ReLU units are not all on one side
        double *p = pesim_rl_net_params(n.n);
        for (int64_t i = 0; i < pesim_rl_net_n_params(n.n); i++)
            p[i] += 0.1 * rng.normal();
        auto x = random_vec((size_t)cs.batch * 5, 100 + k);
        auto w = random_vec((size_t)cs.batch * n.L()->out_dim, 200 + k);
        grad_check(n.n, x, cs.batch, linear_loss(w));
        k++;
    }
}

TEST(RlNet, MlpForwardIsTheFormula)
{
    // one hidden tanh layer, written out by hand
    Rng rng(3);
    std::vector<int32_t> heads = {2};
    auto c = mlp_config(2, {3}, PESIM_RL_TANH, heads, 1);
    Net n;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &n.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_n_tensors(n.n), 4);
    pesim_rl_tensor W0 = pesim_rl_net_tensor(n.n, 0), b0 = pesim_rl_net_tensor(n.n, 1);
    pesim_rl_tensor W1 = pesim_rl_net_tensor(n.n, 2), b1 = pesim_rl_net_tensor(n.n, 3);
    EXPECT_STREQ(W0.name, "fc0.w");
    EXPECT_EQ(W0.rows, 3);
    EXPECT_EQ(W0.cols, 2);
    EXPECT_STREQ(W1.name, "out.w");
    EXPECT_EQ(W1.rows, 3);  // 2 logits + 1 value
    const double *p = pesim_rl_net_params(n.n);
    double x[2] = {0.3, -0.7}, out[3];
    ASSERT_EQ(pesim_rl_net_forward(n.n, x, 1, out, &e), PESIM_OK);
    double hdn[3];
    for (int i = 0; i < 3; i++)
        hdn[i] = std::tanh(p[W0.offset + i * 2] * x[0] + p[W0.offset + i * 2 + 1] * x[1] + p[b0.offset + i]);
    for (int o = 0; o < 3; o++) {
        double y = p[b1.offset + o];
        for (int i = 0; i < 3; i++)
            y += p[W1.offset + o * 3 + i] * hdn[i];
        EXPECT_NEAR(out[o], y, 1e-14);
    }
}

// ---------------------------------------------------------- loss grads

namespace {
struct LossFixture {
    Rng rng{7};
    Net n;
    std::vector<int32_t> heads{3, 1, 4, 2};
    int batch = 6;
    std::vector<double> x;
    std::vector<uint8_t> mask;
    std::vector<int32_t> actions;
    LossFixture(int values)
    {
        auto c = mlp_config(4, {6}, PESIM_RL_TANH, heads, values);
        pesim_error e;
        EXPECT_EQ(pesim_rl_mlp_create(&c, rng.r, &n.n, &e), PESIM_OK);
        x = random_vec((size_t)batch * 4, 5);
        mask = random_mask(n.L(), batch, 6, true);
        actions = random_actions(n.L(), mask, batch, 8);
    }
};
}  // namespace

TEST(RlNet, PolicyLossGradientWithMasksAndEntropy)
{
    LossFixture f(0);
    auto adv = random_vec((size_t)f.batch, 9);
    const pesim_rl_layout *L = f.n.L();
    auto loss = [&](const double *out, double *dout) {
        return pesim_rl_loss_policy(L, out, f.mask.data(), f.actions.data(), adv.data(), nullptr, 0.2, 0.03, f.batch,
                                    dout, nullptr);
    };
    grad_check(f.n.n, f.x, f.batch, loss);
    // masked logits get no gradient
    std::vector<double> out((size_t)f.batch * L->out_dim), dout(out.size(), 0.0);
    pesim_error e;
    ASSERT_EQ(pesim_rl_net_forward(f.n.n, f.x.data(), f.batch, out.data(), &e), PESIM_OK);
    loss(out.data(), dout.data());
    for (size_t i = 0; i < dout.size(); i++) {
        if (!f.mask[i]) {
            EXPECT_EQ(dout[i], 0.0) << i;
        }
    }
}

TEST(RlNet, PpoClipLossGradient)
{
    LossFixture f(0);
    const pesim_rl_layout *L = f.n.L();
    std::vector<double> out((size_t)f.batch * L->out_dim);
    pesim_error e;
    ASSERT_EQ(pesim_rl_net_forward(f.n.n, f.x.data(), f.batch, out.data(), &e), PESIM_OK);
    std::vector<double> logp(f.batch);
    ASSERT_EQ(pesim_rl_heads_logp(L, out.data(), f.mask.data(), f.actions.data(), f.batch, logp.data(), nullptr, &e),
              PESIM_OK);
    // old log-probabilities that put rows inside and outside the clip range,
    // with both signs of advantage (well away from the kinks)
    std::vector<double> old(f.batch), adv(f.batch);
    const double shift[] = {0.0, 0.5, -0.5, 0.05, -0.6, 0.4};
    for (int b = 0; b < f.batch; b++) {
        old[b] = logp[b] + shift[b];
        adv[b] = (b % 2 ? -1.0 : 1.0) * (0.5 + b);
    }
    pesim_rl_pg_loss_stats st;
    std::vector<double> d(out.size(), 0.0);
    pesim_rl_loss_policy(L, out.data(), f.mask.data(), f.actions.data(), adv.data(), old.data(), 0.2, 0.0, f.batch,
                         d.data(), &st);
    EXPECT_GT(st.clip_fraction, 0.0);
    EXPECT_LT(st.clip_fraction, 1.0);
    auto loss = [&](const double *o, double *dout) {
        return pesim_rl_loss_policy(L, o, f.mask.data(), f.actions.data(), adv.data(), old.data(), 0.2, 0.01, f.batch,
                                    dout, nullptr);
    };
    grad_check(f.n.n, f.x, f.batch, loss);
}

TEST(RlNet, ValueLossGradient)
{
    LossFixture f(2);
    auto target = random_vec((size_t)f.batch, 11);
    const pesim_rl_layout *L = f.n.L();
    auto loss = [&](const double *out, double *dout) {
        return pesim_rl_loss_value(L, out, 1, target.data(), 0.7, f.batch, dout);
    };
    grad_check(f.n.n, f.x, f.batch, loss);
}

TEST(RlNet, SacActorAndCriticLossGradients)
{
    LossFixture f(0);
    const pesim_rl_layout *L = f.n.L();
    auto q1 = random_vec((size_t)f.batch * L->out_dim, 12), q2 = random_vec((size_t)f.batch * L->out_dim, 13);
    auto actor = [&](const double *out, double *dout) {
        return pesim_rl_loss_sac_actor(L, out, f.mask.data(), q1.data(), q2.data(), 0.3, f.batch, dout);
    };
    grad_check(f.n.n, f.x, f.batch, actor);
    auto target = random_vec((size_t)f.batch, 14);
    auto critic = [&](const double *out, double *dout) {
        return pesim_rl_loss_sac_critic(L, out, f.actions.data(), target.data(), f.batch, dout);
    };
    grad_check(f.n.n, f.x, f.batch, critic);
    auto critic_sum = [&](const double *out, double *dout) {
        return pesim_rl_loss_sac_critic_sum(L, out, f.actions.data(), target.data(), f.batch, dout);
    };
    grad_check(f.n.n, f.x, f.batch, critic_sum);
}

// The additive critic's loss by hand: the heads' Q at the taken actions
// add up to the joint Q (an inactive head, action -1, adds nothing), one
// squared error per row; the gradient is the row's error at each taken
// action and nothing elsewhere.
TEST(RlNet, SacSumCriticLossIsTheJointErrorByHand)
{
    int32_t size[3] = {2, 3, 2}, off[3];
    const pesim_rl_layout L = HandLayout(3, size, off);
    const double q[14] = {0.5, -1.0, 2.0, 0.25, 3.0, 7.0, 1.5,   // row 0
                          1.0, 2.0, -3.0, 4.0, 0.0, -1.0, 0.5};  // row 1
    const int32_t act[6] = {1, 2, 0, 0, -1, 1};
    const double y[2] = {4.0, -2.0};
    double d[14] = {0};
    const double e0 = (-1.0 + 3.0 + 7.0) - 4.0, e1 = (1.0 + 0.5) - (-2.0);
    EXPECT_NEAR(pesim_rl_loss_sac_critic_sum(&L, q, act, y, 2, d), 0.5 * (e0 * e0 + e1 * e1) / 2, 1e-12);
    for (int k = 0; k < 14; k++) {
        const bool taken = k == 1 || k == 4 || k == 5 || k == 7 || k == 13;
        EXPECT_NEAR(d[k], taken ? (k < 7 ? e0 : e1) / 2 : 0.0, 1e-12) << k;
    }
    // the per-head critic regresses each head alone on the same batch
    double d2[14] = {0};
    const double per_head = 0.5 * ((-1.0 - 4) * (-1.0 - 4) + (3.0 - 4) * (3.0 - 4) + (7.0 - 4) * (7.0 - 4) +
                                   (1.0 + 2) * (1.0 + 2) + (0.5 + 2) * (0.5 + 2)) / 5;
    EXPECT_NEAR(pesim_rl_loss_sac_critic(&L, q, act, y, 2, d2), per_head, 1e-12);
}

TEST(RlNet, SacActorLossIsTheExpectationByHand)
{
    // one row, one head of 3 actions, action 1 masked
    int32_t size = 3, off;
    const pesim_rl_layout L = HandLayout(1, &size, &off);
    double z[3] = {0.2, 5.0, -0.4}, q1[3] = {1.0, 9.0, 2.0}, q2[3] = {1.5, 9.0, 1.0}, d[3] = {0, 0, 0};
    uint8_t m[3] = {1, 0, 1};
    double p0 = std::exp(0.2) / (std::exp(0.2) + std::exp(-0.4)), p2 = 1 - p0, alpha = 0.5;
    double want = p0 * (alpha * std::log(p0) - 1.0) + p2 * (alpha * std::log(p2) - 1.0);
    EXPECT_NEAR(pesim_rl_loss_sac_actor(&L, z, m, q1, q2, alpha, 1, d), want, 1e-12);
    EXPECT_EQ(d[1], 0.0);
}

// ------------------------------------------------------------- GNN grads

TEST(RlNet, GnnGradientsMatchFiniteDifferences)
{
    struct Case {
        int nodes, depth;
        double ratio;
        pesim_rl_act act;
        std::vector<int> decisions;
        int values, batch;
    } cases[] = {
        {1, 2, 0.5, PESIM_RL_TANH, {3}, 1, 1},
        {7, 0, 0.5, PESIM_RL_TANH, {3, 2}, 0, 2},
        {9, 2, 0.5, PESIM_RL_TANH, {3, 2}, 1, 3},
        {12, 3, 0.5, PESIM_RL_RELU, {3, 3}, 0, 2},
        {10, 2, 0.7, PESIM_RL_TANH, {}, 2, 2},
    };
    int k = 0;
    for (int root = 0; root < 2; root++) {
        for (const Case &cs : cases) {
            SCOPED_TRACE(k);
            Rng rng(30 + k);
            auto c = gnn_config(4, 5, cs.depth, cs.ratio, cs.act, cs.decisions, cs.values);
            c.root_weight = root;
            Net n;
            pesim_error e;
            ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n.n, &e), PESIM_OK) << e.msg;
            set_test_graph(n.n, cs.nodes, 40 + k);
            double *p = pesim_rl_net_params(n.n);
            for (int64_t i = 0; i < pesim_rl_net_n_params(n.n); i++)
                p[i] += 0.1 * rng.normal();
            int in = n.L()->in_dim;
            ASSERT_EQ(in, cs.nodes * 4);
            auto x = random_vec((size_t)cs.batch * in, 50 + k);
            if (cs.batch == 3)  // a repeated row: the shared forward must give the summed gradient
                std::copy(x.begin(), x.begin() + in, x.begin() + in);
            auto w = random_vec((size_t)cs.batch * n.L()->out_dim, 60 + k);
            grad_check(n.n, x, cs.batch, linear_loss(w));
            k++;
        }
    }
}

TEST(RlNet, GnnPolicyLossGradientThroughPoolingWithMasks)
{
    Rng rng(77);
    auto c = gnn_config(3, 6, 3, 0.5, PESIM_RL_TANH, {3, 3}, 1);
    Net n;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n.n, &e), PESIM_OK);
    set_test_graph(n.n, 11, 78);
    int batch = 2;
    auto x = random_vec((size_t)batch * n.L()->in_dim, 79);
    auto mask = random_mask(n.L(), batch, 80, true);
    auto actions = random_actions(n.L(), mask, batch, 81);
    auto adv = random_vec((size_t)batch, 82);
    auto target = random_vec((size_t)batch, 83);
    const pesim_rl_layout *L = n.L();
    auto loss = [&](const double *out, double *dout) {
        return pesim_rl_loss_policy(L, out, mask.data(), actions.data(), adv.data(), nullptr, 0.2, 0.05, batch, dout,
                                    nullptr) +
               pesim_rl_loss_value(L, out, 0, target.data(), 0.5, batch, dout);
    };
    grad_check(n.n, x, batch, loss);
}

// The joint critic's input (PESIM_RL_SAC_JOINT) by hand: a GNN's node
// gets its features, then the one-hot of each of its decisions' actions;
// the blanked head and an inactive one (-1) get zeros. An MLP's row is the
// observation, then every head's one-hot.
TEST(RlNet, JointCriticInputIsTheActionsAsNodeFeatures)
{
    Rng rng(86);
    auto c = gnn_config(2, 4, 1, 0.5, PESIM_RL_TANH, {3, 2}, 0);
    Net g;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &g.n, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_joint_critic_extra(g.n), 0) << "no graph yet";
    set_test_graph(g.n, 3, 87);
    ASSERT_EQ(pesim_rl_joint_critic_extra(g.n), 5);
    const double obs[6] = {1, 2, 3, 4, 5, 6};
    const int32_t act[6] = {2, 0, -1, 1, 0, 1};  // node 1's weights inactive; head 4 (node 2, decision 0) blanked
    std::vector<double> x(3 * 7, -9.0);
    pesim_rl_joint_critic_input(g.n, obs, act, 4, x.data());
    const std::vector<double> want = {1, 2, 0, 0, 1, 1, 0,   // node 0: level 2, level 0
                                      3, 4, 0, 0, 0, 0, 1,   // node 1: none, level 1
                                      5, 6, 0, 0, 0, 0, 1};  // node 2: blanked, level 1
    EXPECT_EQ(x, want);
    std::vector<int32_t> heads = {2, 3};
    auto mc = mlp_config(2, {4}, PESIM_RL_TANH, heads, 0);
    Net m;
    ASSERT_EQ(pesim_rl_mlp_create(&mc, rng.r, &m.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_joint_critic_extra(m.n), 5);
    const int32_t ma[2] = {1, 2};
    std::vector<double> y(7, -9.0);
    pesim_rl_joint_critic_input(m.n, obs, ma, -1, y.data());
    EXPECT_EQ(y, (std::vector<double>{1, 2, 0, 1, 0, 0, 1}));
    pesim_rl_joint_critic_input(m.n, obs, ma, 0, y.data());
    EXPECT_EQ(y, (std::vector<double>{1, 2, 0, 0, 0, 0, 1}));
}

// The joint critic's losses through Graph U-Nets against central finite
// differences: a critic on the joint input (the actor's node features plus
// the actions, one head per row blanked) regressing the target at that
// head's action, and the actor's loss on the one head per row that the
// learner's actor step keeps (the others masked out).
TEST(RlNet, JointCriticGradientsMatchFiniteDifferences)
{
    Rng rng(88);
    const int nodes = 6, F = 3, batch = 5;
    auto ac = gnn_config(F, 6, 2, 0.5, PESIM_RL_TANH, {3, 2}, 0);
    Net actor, q;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&ac, rng.r, &actor.n, &e), PESIM_OK);
    set_test_graph(actor.n, nodes, 89);
    auto qc = gnn_config(F + pesim_rl_joint_critic_extra(actor.n), 6, 2, 0.5, PESIM_RL_TANH, {3, 2}, 0);
    ASSERT_EQ(pesim_rl_gnn_create(&qc, rng.r, &q.n, &e), PESIM_OK);
    set_test_graph(q.n, nodes, 89);
    const pesim_rl_layout *L = actor.L(), *Lq = q.L();
    ASSERT_EQ(Lq->in_dim, nodes * (F + 5));
    ASSERT_EQ(Lq->out_dim, L->out_dim);
    auto obs = random_vec((size_t)batch * L->in_dim, 90);
    auto mask = random_mask(L, batch, 91, true);
    auto act = random_actions(L, mask, batch, 92);
    std::vector<double> x((size_t)batch * Lq->in_dim);
    std::vector<int32_t> one((size_t)batch * L->n_heads, -1);
    std::vector<uint8_t> mj((size_t)batch * L->n_logits, 0);
    for (int b = 0; b < batch; b++) {
        int h = (3 * b + 1) % L->n_heads;
        while (act[(size_t)b * L->n_heads + h] < 0)
            h = (h + 1) % L->n_heads;
        pesim_rl_joint_critic_input(actor.n, obs.data() + (size_t)b * L->in_dim, act.data() + (size_t)b * L->n_heads,
                                    h, x.data() + (size_t)b * Lq->in_dim);
        one[(size_t)b * L->n_heads + h] = act[(size_t)b * L->n_heads + h];
        for (int j = 0; j < L->head_size[h]; j++)
            mj[(size_t)b * L->n_logits + L->head_offset[h] + j] = mask[(size_t)b * L->n_logits + L->head_offset[h] + j];
    }
    auto target = random_vec((size_t)batch, 93);
    grad_check(q.n, x, batch, [&](const double *out, double *dout) {
        return pesim_rl_loss_sac_critic(Lq, out, one.data(), target.data(), batch, dout);
    });
    auto q1 = random_vec((size_t)batch * L->out_dim, 94), q2 = random_vec((size_t)batch * L->out_dim, 95);
    grad_check(actor.n, obs, batch, [&](const double *out, double *dout) {
        return pesim_rl_loss_sac_actor(L, out, mj.data(), q1.data(), q2.data(), 0.3, batch, dout);
    });
}

TEST(RlNet, GnnIsEquivariantToNodeRelabelling)
{
    // relabelling the nodes permutes the per-node outputs and leaves the
    // graph-level value alone (ties in the pooling scores aside: none here)
    Rng rng(90);
    auto c = gnn_config(3, 8, 2, 0.5, PESIM_RL_TANH, {2}, 1);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &a.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_clone(a.n, &b.n, &e), PESIM_OK);
    const int N = 10;
    std::vector<int32_t> s = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 5}, d = {1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 9, 8};
    std::vector<int> perm = {3, 7, 0, 9, 1, 5, 8, 2, 6, 4};  // old node i is new node perm[i]
    std::vector<int32_t> ps, pd;
    for (size_t k = 0; k < s.size(); k++)
        ps.push_back(perm[s[k]]), pd.push_back(perm[d[k]]);
    ASSERT_EQ(pesim_rl_net_set_graph(a.n, N, (int64_t)s.size(), s.data(), d.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_set_graph(b.n, N, (int64_t)ps.size(), ps.data(), pd.data(), &e), PESIM_OK);
    auto x = random_vec(N * 3, 91);
    std::vector<double> px(x.size());
    for (int i = 0; i < N; i++)
        for (int f = 0; f < 3; f++)
            px[perm[i] * 3 + f] = x[i * 3 + f];
    std::vector<double> oa(a.L()->out_dim), ob(b.L()->out_dim);
    ASSERT_EQ(pesim_rl_net_forward(a.n, x.data(), 1, oa.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_forward(b.n, px.data(), 1, ob.data(), &e), PESIM_OK);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++)
            EXPECT_NEAR(oa[i * 2 + j], ob[perm[i] * 2 + j], 1e-12) << i;
    EXPECT_NEAR(oa[N * 2], ob[N * 2], 1e-12);
}

TEST(RlNet, GnnBatchRowsAreIndependentAndRepeatsShareAForward)
{
    Rng rng(95);
    auto c = gnn_config(2, 4, 2, 0.5, PESIM_RL_RELU, {3}, 1);
    Net n;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n.n, &e), PESIM_OK);
    set_test_graph(n.n, 8, 96);
    int in = n.L()->in_dim, od = n.L()->out_dim;
    auto x1 = random_vec(in, 97), x2 = random_vec(in, 98);
    std::vector<double> xb;
    for (auto *v : {&x1, &x1, &x2, &x1})
        xb.insert(xb.end(), v->begin(), v->end());
    std::vector<double> ob(4 * od), o1(od), o2(od);
    ASSERT_EQ(pesim_rl_net_forward(n.n, x1.data(), 1, o1.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_forward(n.n, x2.data(), 1, o2.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_forward(n.n, xb.data(), 4, ob.data(), &e), PESIM_OK);
    for (int j = 0; j < od; j++) {
        EXPECT_EQ(ob[j], o1[j]);
        EXPECT_EQ(ob[od + j], o1[j]);
        EXPECT_EQ(ob[2 * od + j], o2[j]);
        EXPECT_EQ(ob[3 * od + j], o1[j]);
    }
}

TEST(RlNet, GnnWeightsDoNotDependOnTheGraph)
{
    Rng rng(99);
    auto c = gnn_config(3, 16, 3, 0.5, PESIM_RL_RELU, {3, 3}, 0);
    Net n;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n.n, &e), PESIM_OK);
    int64_t np = pesim_rl_net_n_params(n.n);
    std::vector<double> out(1);
    EXPECT_EQ(pesim_rl_net_forward(n.n, out.data(), 1, out.data(), &e), PESIM_ERR_INVALID);  // no graph yet
    for (int nodes : {1, 5, 40}) {
        set_test_graph(n.n, nodes, 100 + nodes);
        EXPECT_EQ(pesim_rl_net_n_params(n.n), np);
        EXPECT_EQ(n.L()->n_heads, nodes * 2);
        EXPECT_EQ(n.L()->n_logits, nodes * 6);
        auto x = random_vec((size_t)n.L()->in_dim, 5);
        std::vector<double> o(n.L()->out_dim);
        ASSERT_EQ(pesim_rl_net_forward(n.n, x.data(), 1, o.data(), &e), PESIM_OK);
        for (double v : o)
            EXPECT_TRUE(std::isfinite(v));
    }
    int32_t bad_s = 0, bad_d = 7;
    EXPECT_EQ(pesim_rl_net_set_graph(n.n, 5, 1, &bad_s, &bad_d, &e), PESIM_ERR_RANGE);
    EXPECT_NE(std::string(e.msg).find("outside"), std::string::npos) << e.msg;
}

TEST(RlNet, GnnRootWeightSeparatesNodesThatAPlainGcnMixes)
{
    // Per-node labels from one-hot node features on a 7-node graph whose
    // nodes 1 and 4 have different labels but nearly the same average of
    // their neighbourhood: 300 Adam steps of supervised cross-entropy.
    // Threshold: with the root weight every node's label has probability
    // >= 0.9; without it (A_hat H W only) the worst node stays below 0.6.
    const int N = 7, T = 3;
    const int types[N] = {0, 2, 1, 1, 0, 2, 1};
    std::vector<int32_t> src = {0, 1, 2, 3, 4, 5, 1}, dst = {1, 2, 3, 4, 5, 6, 4};
    std::vector<double> feat(N * (T + 1));
    for (int i = 0; i < N; i++) {
        feat[i * (T + 1) + types[i]] = 1;
        feat[i * (T + 1) + T] = (double)i / N;
    }
    double worst[2];
    for (int root = 0; root < 2; root++) {
        Rng rng(61);
        auto c = gnn_config(T + 1, 16, 3, 0.5, PESIM_RL_RELU, {T}, 0);
        c.root_weight = root;
        c.head_gain = 0.01;
        Net n;
        pesim_error e;
        ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n.n, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_net_set_graph(n.n, N, (int64_t)src.size(), src.data(), dst.data(), &e), PESIM_OK);
        pesim_rl_adam *ad = nullptr;
        pesim_rl_adam_config ac = {1e-3, 0, 0, 0, 0};
        ASSERT_EQ(pesim_rl_adam_create(pesim_rl_net_n_params(n.n), &ac, &ad, &e), PESIM_OK);
        std::vector<double> out(n.L()->out_dim), dout(out.size());
        int32_t label[N];
        for (int i = 0; i < N; i++)
            label[i] = types[i];
        double adv = 1;
        for (int it = 0; it < 300; it++) {
            pesim_rl_net_zero_grad(n.n);
            ASSERT_EQ(pesim_rl_net_forward(n.n, feat.data(), 1, out.data(), &e), PESIM_OK);
            std::fill(dout.begin(), dout.end(), 0.0);
            pesim_rl_loss_policy(n.L(), out.data(), nullptr, label, &adv, nullptr, 0, 0, 1, dout.data(), nullptr);
            ASSERT_EQ(pesim_rl_net_backward(n.n, dout.data(), &e), PESIM_OK);
            pesim_rl_adam_step(ad, pesim_rl_net_params(n.n), pesim_rl_net_grads(n.n));
        }
        pesim_rl_adam_destroy(ad);
        ASSERT_EQ(pesim_rl_net_forward(n.n, feat.data(), 1, out.data(), &e), PESIM_OK);
        worst[root] = 1;
        for (int i = 0; i < N; i++) {
            double p[T];
            pesim_rl_softmax(out.data() + i * T, nullptr, T, 1.0, p);
            worst[root] = std::min(worst[root], p[types[i]]);
        }
    }
    RecordProperty("worst_without_root", std::to_string(worst[0]));
    RecordProperty("worst_with_root", std::to_string(worst[1]));
    EXPECT_LT(worst[0], 0.6);
    EXPECT_GE(worst[1], 0.9);
}

// ---------------------------------------------------------------- heads

TEST(RlHeads, MaskedSoftmaxAndTemperature)
{
    double z[4] = {1.0, 2.0, 3.0, 0.5}, p[4];
    uint8_t m[4] = {1, 1, 0, 1};
    ASSERT_EQ(pesim_rl_softmax(z, m, 4, 2.0, p), 3);
    double s = std::exp(0.5) + std::exp(1.0) + std::exp(0.25);
    EXPECT_NEAR(p[0], std::exp(0.5) / s, 1e-15);
    EXPECT_NEAR(p[1], std::exp(1.0) / s, 1e-15);
    EXPECT_EQ(p[2], 0.0);
    EXPECT_NEAR(p[3], std::exp(0.25) / s, 1e-15);
    uint8_t none[4] = {0, 0, 0, 0};
    EXPECT_EQ(pesim_rl_softmax(z, none, 4, 1.0, p), 0);
    EXPECT_EQ(pesim_rl_sample_index(p, 4, nullptr), -1);
}

TEST(RlHeads, SamplingFollowsTheMaskedSoftmax)
{
    int32_t size[2] = {4, 3}, off[2];
    const pesim_rl_layout L = HandLayout(2, size, off);
    double z[7] = {0.1, 1.2, -0.3, 0.7, /* head 1 */ 2.0, 1.0, 0.0};
    uint8_t m[7] = {1, 1, 1, 0, /* head 1: inactive */ 0, 0, 0};
    double p[4];
    pesim_rl_softmax(z, m, 4, 1.0, p);
    Rng rng(5);
    const int n = 40000;
    int count[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; i++) {
        int32_t a[2];
        double lp;
        pesim_rl_heads_pick(&L, z, m, 1, PESIM_RL_SAMPLE, rng.r, a, &lp);
        ASSERT_GE(a[0], 0);
        ASSERT_NE(a[0], 3) << "a masked action was sampled";
        EXPECT_EQ(a[1], -1);
        EXPECT_NEAR(lp, std::log(p[a[0]]), 1e-12);
        count[a[0]]++;
    }
    for (int j = 0; j < 3; j++)  // 4 standard deviations of a binomial
        EXPECT_NEAR(count[j] / (double)n, p[j], 4 * std::sqrt(p[j] * (1 - p[j]) / n)) << j;
    int32_t a[2];
    pesim_rl_heads_pick(&L, z, m, 1, PESIM_RL_GREEDY, nullptr, a, nullptr);
    EXPECT_EQ(a[0], 1);
    EXPECT_EQ(a[1], -1);
    pesim_rl_heads_pick(&L, z, nullptr, 1, PESIM_RL_GREEDY, nullptr, a, nullptr);
    EXPECT_EQ(a[1], 0);
}

TEST(RlHeads, LogProbabilitiesAndEntropyByHand)
{
    pesim_rl_layout L;
    int32_t size[2] = {3, 2}, off[2] = {0, 3};
    L.in_dim = 1;
    L.n_heads = 2;
    L.head_size = size;
    L.head_offset = off;
    L.n_logits = 5;
    L.n_values = 1;
    L.out_dim = 6;
    double out[6] = {0.0, 1.0, 2.0, -1.0, 1.0, 42.0};
    uint8_t m[5] = {1, 0, 1, 1, 1};
    int32_t act[2] = {2, 0};
    double lp, H;
    pesim_error e;
    ASSERT_EQ(pesim_rl_heads_logp(&L, out, m, act, 1, &lp, &H, &e), PESIM_OK);
    double l0 = std::log(std::exp(0.0) + std::exp(2.0)), l1 = std::log(std::exp(-1.0) + std::exp(1.0));
    EXPECT_NEAR(lp, (2.0 - l0) + (-1.0 - l1), 1e-14);
    auto ent = [](double a, double b) {
        double pa = std::exp(a) / (std::exp(a) + std::exp(b)), pb = 1 - pa;
        return -pa * std::log(pa) - pb * std::log(pb);
    };
    EXPECT_NEAR(H, ent(0.0, 2.0) + ent(-1.0, 1.0), 1e-14);
    int32_t skip[2] = {2, -1};  // head 1 did not act
    ASSERT_EQ(pesim_rl_heads_logp(&L, out, m, skip, 1, &lp, &H, &e), PESIM_OK);
    EXPECT_NEAR(lp, 2.0 - l0, 1e-14);
    EXPECT_NEAR(H, ent(0.0, 2.0), 1e-14);
    int32_t masked[2] = {1, 0};
    EXPECT_EQ(pesim_rl_heads_logp(&L, out, m, masked, 1, &lp, &H, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("masked"), std::string::npos);
    int32_t range[2] = {0, 2};
    EXPECT_EQ(pesim_rl_heads_logp(&L, out, m, range, 1, &lp, &H, &e), PESIM_ERR_INVALID);
}

// ---------------------------------------------------- parameter vectors

TEST(RlParams, GetSetCopyPolyakAndTensorsCoverTheVector)
{
    Rng rng(21);
    std::vector<int32_t> heads = {3, 2};
    auto c = mlp_config(4, {5, 6}, PESIM_RL_RELU, heads, 1);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &a.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &b.n, &e), PESIM_OK);
    int64_t np = pesim_rl_net_n_params(a.n);
    EXPECT_EQ(np, 5 * 4 + 5 + 6 * 5 + 6 + 6 * 6 + 6);
    int64_t next = 0;
    for (int32_t t = 0; t < pesim_rl_net_n_tensors(a.n); t++) {
        pesim_rl_tensor ti = pesim_rl_net_tensor(a.n, t);
        EXPECT_EQ(ti.offset, next) << ti.name;
        next += (int64_t)ti.rows * ti.cols;
    }
    EXPECT_EQ(next, np);
    std::vector<double> pa(np), pb(np);
    pesim_rl_net_get_params(a.n, pa.data());
    pesim_rl_net_get_params(b.n, pb.data());
    EXPECT_NE(pa, pb);
    ASSERT_EQ(pesim_rl_net_polyak(a.n, b.n, 0.25, &e), PESIM_OK);
    for (int64_t i = 0; i < np; i++)
        EXPECT_DOUBLE_EQ(pesim_rl_net_params(a.n)[i], 0.25 * pb[i] + 0.75 * pa[i]);
    pesim_rl_net_set_params(a.n, pa.data());
    EXPECT_EQ(std::vector<double>(pesim_rl_net_params(a.n), pesim_rl_net_params(a.n) + np), pa);
    ASSERT_EQ(pesim_rl_net_copy_params(a.n, b.n, &e), PESIM_OK);
    EXPECT_EQ(std::vector<double>(pesim_rl_net_params(a.n), pesim_rl_net_params(a.n) + np), pb);
    // other architectures are refused
    std::vector<int32_t> heads2 = {3, 3};
    auto c2 = mlp_config(4, {5, 6}, PESIM_RL_RELU, heads2, 1);
    Net d;
    ASSERT_EQ(pesim_rl_mlp_create(&c2, rng.r, &d.n, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_net_copy_params(a.n, d.n, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(pesim_rl_net_polyak(a.n, d.n, 0.5, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(pesim_rl_net_polyak(a.n, b.n, 1.5, &e), PESIM_ERR_RANGE);
}

TEST(RlParams, PerturbChangesTheRequestedFractionReproducibly)
{
    const int64_t n = 20000;
    std::vector<double> x(n, 1.0), y(n, 1.0);
    Rng r1(4), r2(4);
    int64_t c1 = pesim_rl_perturb(x.data(), n, r1.r, 0.05, 0.1, 0);
    int64_t c2 = pesim_rl_perturb(y.data(), n, r2.r, 0.05, 0.1, 0);
    EXPECT_EQ(c1, c2);
    EXPECT_EQ(x, y);
    EXPECT_NEAR(c1 / (double)n, 0.05, 4 * std::sqrt(0.05 * 0.95 / n));
    int64_t changed = 0;
    double s2 = 0;
    for (double v : x) {
        changed += v != 1.0;
        s2 += (v - 1) * (v - 1);
    }
    EXPECT_EQ(changed, c1);
    EXPECT_NEAR(std::sqrt(s2 / c1), 0.1, 0.01);
    // relative noise leaves zeros where they are and scales with |x|
    std::vector<double> z(100, 0.0);
    Rng r3(5);
    EXPECT_EQ(pesim_rl_perturb(z.data(), 100, r3.r, 1.0, 0.5, 1), 100);
    for (double v : z)
        EXPECT_EQ(v, 0.0);
}

// The changed entries are picked by geometric runs between them: every
// position is as likely as any other (the first and the last included) and
// positions are independent, as with one Bernoulli draw per entry.
TEST(RlParams, PerturbPicksEveryEntryIndependentlyWithTheFraction)
{
    const int n = 8, reps = 40000;
    const double p = 0.3;
    Rng r(11);
    std::vector<int64_t> hits(n, 0), per_run(n + 1, 0);
    int64_t both01 = 0;
    for (int k = 0; k < reps; k++) {
        std::vector<double> x(n, 1.0);
        int64_t c = pesim_rl_perturb(x.data(), n, r.r, p, 0.5, 0);
        per_run[c]++;
        for (int i = 0; i < n; i++)
            hits[i] += x[i] != 1.0;
        both01 += x[0] != 1.0 && x[n - 1] != 1.0;
    }
    const double sd = std::sqrt(p * (1 - p) / reps);
    for (int i = 0; i < n; i++)
        EXPECT_NEAR(hits[i] / (double)reps, p, 5 * sd) << "entry " << i;
    EXPECT_NEAR(both01 / (double)reps, p * p, 5 * std::sqrt(p * p * (1 - p * p) / reps));
    // the count of changed entries is Binomial(n, p)
    for (int c = 0; c <= n; c++) {
        double pc = std::tgamma(n + 1.0) / (std::tgamma(c + 1.0) * std::tgamma(n - c + 1.0)) * std::pow(p, c) *
                    std::pow(1 - p, n - c);
        EXPECT_NEAR(per_run[c] / (double)reps, pc, 5 * std::sqrt(pc * (1 - pc) / reps) + 1e-4) << c << " changed";
    }
    // fraction 0 changes nothing and draws nothing
    std::vector<double> y(n, 1.0);
    Rng a(3), b(3);
    EXPECT_EQ(pesim_rl_perturb(y.data(), n, a.r, 0.0, 0.5, 0), 0);
    EXPECT_EQ(gsl_rng_get(a.r), gsl_rng_get(b.r));
}

TEST(RlParams, CreationIsSeeded)
{
    std::vector<int32_t> heads = {4};
    auto c = mlp_config(3, {8}, PESIM_RL_TANH, heads, 1);
    Rng r1(123), r2(123), r3(124);
    Net a, b, d;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, r1.r, &a.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&c, r2.r, &b.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&c, r3.r, &d.n, &e), PESIM_OK);
    int64_t np = pesim_rl_net_n_params(a.n);
    EXPECT_EQ(memcmp(pesim_rl_net_params(a.n), pesim_rl_net_params(b.n), np * sizeof(double)), 0);
    EXPECT_NE(memcmp(pesim_rl_net_params(a.n), pesim_rl_net_params(d.n), np * sizeof(double)), 0);
}

TEST(RlParams, ConfigErrorsNameTheField)
{
    Rng rng(1);
    pesim_error e;
    pesim_rl_net *n = nullptr;
    std::vector<int32_t> heads = {0};
    auto c = mlp_config(3, {8}, PESIM_RL_TANH, heads, 0);
    EXPECT_EQ(pesim_rl_mlp_create(&c, rng.r, &n, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "head_sizes");
    std::vector<int32_t> two = {2};
    c = mlp_config(0, {8}, PESIM_RL_TANH, two, 0);
    EXPECT_EQ(pesim_rl_mlp_create(&c, rng.r, &n, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "in_dim");
    auto g = gnn_config(3, 8, 2, 0.0, PESIM_RL_TANH, {3}, 0);
    EXPECT_EQ(pesim_rl_gnn_create(&g, rng.r, &n, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "ratio");
    g = gnn_config(3, 8, 9, 0.5, PESIM_RL_TANH, {3}, 0);
    EXPECT_EQ(pesim_rl_gnn_create(&g, rng.r, &n, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "depth");
    EXPECT_EQ(n, nullptr);
}

// ----------------------------------------------------------------- Adam

TEST(RlAdam, FirstStepIsLrTimesTheSignAndItMinimisesAQuadratic)
{
    pesim_rl_adam *a = nullptr;
    pesim_error e;
    pesim_rl_adam_config c = {0.1, 0, 0, 0, 0};
    ASSERT_EQ(pesim_rl_adam_create(3, &c, &a, &e), PESIM_OK);
    double x[3] = {1.0, -2.0, 3.0}, g[3] = {4.0, -0.001, 0.0};
    pesim_rl_adam_step(a, x, g);
    EXPECT_NEAR(x[0], 0.9, 1e-6);   // bias-corrected: |first step| = lr
    EXPECT_NEAR(x[1], -1.9, 1e-4);
    EXPECT_EQ(x[2], 3.0);
    pesim_rl_adam_reset(a);
    // f = sum (x_i - i)^2 scaled badly: Adam is scale-free per coordinate
    const double scale[3] = {1e-3, 1.0, 1e3};
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < 3; i++)
            g[i] = 2 * scale[i] * (x[i] - i);
        pesim_rl_adam_step(a, x, g);
    }
    for (int i = 0; i < 3; i++)
        EXPECT_NEAR(x[i], i, 1e-2) << i;
    pesim_rl_adam_destroy(a);
}

TEST(RlAdam, GlobalNormClipping)
{
    double g[2] = {3.0, 4.0};
    EXPECT_DOUBLE_EQ(pesim_rl_clip_grad_norm(g, 2, 1.0), 5.0);
    EXPECT_DOUBLE_EQ(g[0], 0.6);
    EXPECT_DOUBLE_EQ(g[1], 0.8);
    EXPECT_DOUBLE_EQ(pesim_rl_clip_grad_norm(g, 2, 2.0), 1.0);  // under the bound: unchanged
    EXPECT_DOUBLE_EQ(g[0], 0.6);
    EXPECT_DOUBLE_EQ(pesim_rl_clip_grad_norm(g, 2, 0.0), 1.0);  // 0: no clipping
}

// The learners' fused step (rl_adam_step_clear: clip, Adam and zeroing in
// one pass, another gradient's norm summed alongside) against the separate
// public calls, pesim_rl_clip_grad_norm then pesim_rl_adam_step, which the
// tests above check by hand: the same bits, step after step, the
// gradient left zero, and the other gradient's norm: sqrt(3^2 + 4^2) = 5,
// sqrt(1 + 4 + 4 + 16) = 5 over a vector shorter or longer than x.
TEST(RlAdam, FusedClipStepIsTheSeparateCallsBitForBit)
{
    const int n = 5;
    pesim_rl_adam *a = nullptr, *b = nullptr;
    pesim_error e;
    pesim_rl_adam_config c = {0.1, 0, 0, 0, 0.01};
    ASSERT_EQ(pesim_rl_adam_create(n, &c, &a, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_adam_create(n, &c, &b, &e), PESIM_OK);
    double xa[n] = {1.0, -2.0, 3.0, 0.5, -0.25}, xb[n];
    memcpy(xb, xa, sizeof xa);
    const double next_short[2] = {3.0, 4.0}, next_long[7] = {1.0, 0.0, -2.0, 0.0, 2.0, 0.0, 4.0};
    // steps with the norm above max_norm 1 (clipped) and below (not)
    const double grads[3][n] = {{3.0, -4.0, 0.0, 12.0, 0.5}, {0.1, 0.2, -0.3, 0.0, 0.1}, {-7.0, 1.0, 2.0, 0.3, 9.0}};
    for (int t = 0; t < 3; t++) {
        double ga[n], gb[n];
        memcpy(ga, grads[t], sizeof ga);
        memcpy(gb, grads[t], sizeof gb);
        const double norm = pesim_rl_clip_grad_norm(ga, n, 1.0);
        pesim_rl_adam_step(a, xa, ga);
        EXPECT_EQ(rl_grad_norm(gb, n), norm) << t;
        const double *next = t == 1 ? next_long : next_short;
        const int64_t n_next = t == 1 ? 7 : 2;
        EXPECT_EQ(rl_adam_step_clear(b, xb, gb, rl_grad_norm(gb, n), 1.0, next, n_next), 5.0) << t;
        EXPECT_EQ(memcmp(xa, xb, sizeof xa), 0) << t;
        for (int i = 0; i < n; i++)
            EXPECT_EQ(gb[i], 0.0) << t << " " << i;
    }
    double zero[n] = {0, 0, 0, 0, 0};
    EXPECT_EQ(rl_adam_step_clear(b, xb, zero, 0.0, 1.0, nullptr, 0), 0.0); // no next: 0
    pesim_rl_adam_destroy(a);
    pesim_rl_adam_destroy(b);
}

// The public one-call step (pesim_rl_net_adam_step, ARCO's, PG's and the
// CEM-RL actor steps') against pesim_rl_clip_grad_norm, pesim_rl_adam_step
// and pesim_rl_net_zero_grad on a twin network: the same parameters bit for
// bit after steps with the gradient's norm above max_norm 1 and below it,
// the norm before clipping returned, the gradient left zero.
TEST(RlAdam, NetStepIsClipStepAndZero)
{
    Rng ra(5), rb(5);
    std::vector<int32_t> heads = {2}; // the config points into it
    auto c = mlp_config(3, {4}, PESIM_RL_TANH, heads, 0);
    Net na, nb;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, ra.r, &na.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&c, rb.r, &nb.n, &e), PESIM_OK);
    const int64_t np = pesim_rl_net_n_params(na.n);
    pesim_rl_adam *a = nullptr, *b = nullptr;
    pesim_rl_adam_config ac = {0.05, 0, 0, 0, 0};
    ASSERT_EQ(pesim_rl_adam_create(np, &ac, &a, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_adam_create(np, &ac, &b, &e), PESIM_OK);
    for (int t = 0; t < 4; t++) {
        double *ga = pesim_rl_net_grads(na.n), *gb = pesim_rl_net_grads(nb.n);
        for (int64_t i = 0; i < np; i++)
            ga[i] = gb[i] = (t % 2 ? 0.01 : 3.0) * std::sin(1.0 + (double)(i * (t + 1)));
        const double norm = pesim_rl_clip_grad_norm(ga, np, 1.0);
        pesim_rl_adam_step(a, pesim_rl_net_params(na.n), ga);
        pesim_rl_net_zero_grad(na.n);
        EXPECT_EQ(pesim_rl_net_adam_step(nb.n, b, 1.0), norm) << t;
        EXPECT_EQ(t % 2 ? norm < 1 : norm > 1, true) << t << " " << norm;
        EXPECT_EQ(memcmp(pesim_rl_net_params(na.n), pesim_rl_net_params(nb.n), (size_t)np * sizeof(double)), 0) << t;
        for (int64_t i = 0; i < np; i++)
            ASSERT_EQ(gb[i], 0.0) << t << " " << i;
    }
    pesim_rl_adam_destroy(a);
    pesim_rl_adam_destroy(b);
}

// Polyak with a gradient norm in the same pass (rl_polyak_norm, SAC's t1
// update summing the actor's norm), by hand: tau 0.25 of (4, 8, -4) into
// (0, 4, 4) is (1, 5, 2) (exact in binary); the norm of (3, 4) is 5 and of
// (1, 2, 2, 4) is 5, over a gradient shorter and longer than the vector;
// NULL gradient: 0; dst == src leaves the values (x/4 + 3x/4 == x here).
TEST(RlPolyak, PolyakWithTheNormOfAnotherVector)
{
    double dst[3] = {0, 4, 4};
    const double src[3] = {4, 8, -4}, g2[2] = {3, 4}, g4[4] = {1, 2, 2, 4};
    EXPECT_EQ(rl_polyak_norm(dst, src, 3, 0.25, g2, 2), 5.0);
    EXPECT_EQ(dst[0], 1.0);
    EXPECT_EQ(dst[1], 5.0);
    EXPECT_EQ(dst[2], 2.0);
    EXPECT_EQ(rl_polyak_norm(dst, dst, 3, 0.25, g4, 4), 5.0);
    EXPECT_EQ(dst[0], 1.0);
    EXPECT_EQ(dst[1], 5.0);
    EXPECT_EQ(dst[2], 2.0);
    EXPECT_EQ(rl_polyak_norm(dst, src, 3, 1.0, nullptr, 0), 0.0);
    EXPECT_EQ(dst[2], -4.0);
}

// ------------------------------------------------------------- save/load

namespace {
std::string tmp_path(const char *name)
{
    return std::string(::testing::TempDir()) + "rl_net_test_" + name;
}

std::string read_all(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "r");
    std::string s;
    if (!f)
        return s;
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, k);
    fclose(f);
    return s;
}

void write_all(const std::string &path, const std::string &s)
{
    FILE *f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fwrite(s.data(), 1, s.size(), f);
    fclose(f);
}
}  // namespace

TEST(RlSave, MlpReloadsBitExactAndActsTheSame)
{
    Rng rng(31);
    std::vector<int32_t> heads = {5, 3, 7};
    auto c = mlp_config(6, {16, 16}, PESIM_RL_TANH, heads, 1);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &a.n, &e), PESIM_OK);
    std::string path = tmp_path("mlp.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_rl_net_load(path.c_str(), &b.n, &e), PESIM_OK) << e.msg;
    int64_t np = pesim_rl_net_n_params(a.n);
    ASSERT_EQ(pesim_rl_net_n_params(b.n), np);
    EXPECT_EQ(memcmp(pesim_rl_net_params(a.n), pesim_rl_net_params(b.n), np * sizeof(double)), 0);
    const int B = 50;
    auto x = random_vec(B * 6, 32, 3.0);
    auto mask = random_mask(a.L(), B, 33, false);
    std::vector<int32_t> aa(B * 3), ab(B * 3);
    std::vector<double> la(B), lb(B);
    Rng s1(34), s2(34);
    ASSERT_EQ(pesim_rl_net_act(a.n, x.data(), mask.data(), B, PESIM_RL_SAMPLE, s1.r, aa.data(), la.data(), nullptr, &e),
              PESIM_OK);
    ASSERT_EQ(pesim_rl_net_act(b.n, x.data(), mask.data(), B, PESIM_RL_SAMPLE, s2.r, ab.data(), lb.data(), nullptr, &e),
              PESIM_OK);
    EXPECT_EQ(aa, ab);
    EXPECT_EQ(la, lb);
    // a second save of the loaded net is the same file
    std::string path2 = tmp_path("mlp2.net");
    ASSERT_EQ(pesim_rl_net_save(b.n, path2.c_str(), &e), PESIM_OK);
    EXPECT_EQ(read_all(path), read_all(path2));
    EXPECT_EQ(read_all(path).rfind("pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 6\nhidden 2 16 16\nheads 3 5 3 7\n", 0),
              0u);
}

TEST(RlSave, GnnReloadsAndRunsOnAnotherGraph)
{
    Rng rng(41);
    auto c = gnn_config(4, 8, 3, 0.5, PESIM_RL_RELU, {3, 3}, 1);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &a.n, &e), PESIM_OK);
    set_test_graph(a.n, 13, 42);
    std::string path = tmp_path("gnn.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_load(path.c_str(), &b.n, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_rl_net_kind_of(b.n), PESIM_RL_GNN);
    EXPECT_EQ(pesim_rl_net_gnn_config(b.n)->ratio, 0.5);
    set_test_graph(b.n, 13, 42);
    auto x = random_vec(a.L()->in_dim, 43);
    std::vector<int32_t> aa(a.L()->n_heads), ab(b.L()->n_heads);
    ASSERT_EQ(pesim_rl_net_act(a.n, x.data(), nullptr, 1, PESIM_RL_GREEDY, nullptr, aa.data(), nullptr, nullptr, &e),
              PESIM_OK);
    ASSERT_EQ(pesim_rl_net_act(b.n, x.data(), nullptr, 1, PESIM_RL_GREEDY, nullptr, ab.data(), nullptr, nullptr, &e),
              PESIM_OK);
    EXPECT_EQ(aa, ab);
    set_test_graph(b.n, 30, 44);  // transfer: the same weights on a larger network
    auto y = random_vec(b.L()->in_dim, 45);
    std::vector<int32_t> ay(b.L()->n_heads);
    ASSERT_EQ(pesim_rl_net_act(b.n, y.data(), nullptr, 1, PESIM_RL_GREEDY, nullptr, ay.data(), nullptr, nullptr, &e),
              PESIM_OK);
}

TEST(RlSave, LoadIntoStrictRefusesAnotherArchitecture)
{
    Rng rng(51);
    std::vector<int32_t> heads = {4, 4};
    auto c = mlp_config(6, {8}, PESIM_RL_TANH, heads, 0);
    Net a, b, same;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &a.n, &e), PESIM_OK);
    std::string path = tmp_path("strict.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &same.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_load_into(same.n, path.c_str(), PESIM_RL_LOAD_STRICT, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(memcmp(pesim_rl_net_params(a.n), pesim_rl_net_params(same.n), pesim_rl_net_n_params(a.n) * 8), 0);
    auto c2 = mlp_config(7, {8}, PESIM_RL_TANH, heads, 0);
    ASSERT_EQ(pesim_rl_mlp_create(&c2, rng.r, &b.n, &e), PESIM_OK);
    std::vector<double> before(pesim_rl_net_params(b.n), pesim_rl_net_params(b.n) + pesim_rl_net_n_params(b.n));
    EXPECT_EQ(pesim_rl_net_load_into(b.n, path.c_str(), PESIM_RL_LOAD_STRICT, &e), PESIM_ERR_INVALID);
    EXPECT_STREQ(e.key, "in_dim");
    EXPECT_EQ(e.line, 4);
    EXPECT_EQ(path, e.file);
    EXPECT_NE(std::string(e.msg).find("file 6, network 7"), std::string::npos) << e.msg;
    EXPECT_EQ(std::vector<double>(pesim_rl_net_params(b.n), pesim_rl_net_params(b.n) + before.size()), before);
    // and a GNN file into an MLP
    auto g = gnn_config(6, 8, 1, 0.5, PESIM_RL_TANH, {4}, 0);
    Net gn;
    ASSERT_EQ(pesim_rl_gnn_create(&g, rng.r, &gn.n, &e), PESIM_OK);
    std::string gpath = tmp_path("strict_gnn.net");
    ASSERT_EQ(pesim_rl_net_save(gn.n, gpath.c_str(), &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_net_load_into(a.n, gpath.c_str(), PESIM_RL_LOAD_ADAPT, &e), PESIM_ERR_INVALID);
    EXPECT_STREQ(e.key, "kind");
}

TEST(RlSave, LoadIntoAdaptCopiesTheOverlap)
{
    // transfer to a layer whose space has other sizes: 5 inputs -> 7, heads
    // {3, 4} -> {4, 2, 5}, one value output -> none
    Rng rng(61);
    std::vector<int32_t> ha = {3, 4}, hb = {4, 2, 5};
    auto ca = mlp_config(5, {6}, PESIM_RL_TANH, ha, 1), cb = mlp_config(7, {6}, PESIM_RL_TANH, hb, 0);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&ca, rng.r, &a.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_mlp_create(&cb, rng.r, &b.n, &e), PESIM_OK);
    std::string path = tmp_path("adapt.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK);
    std::vector<double> before(pesim_rl_net_params(b.n), pesim_rl_net_params(b.n) + pesim_rl_net_n_params(b.n));
    EXPECT_EQ(pesim_rl_net_load_into(b.n, path.c_str(), PESIM_RL_LOAD_STRICT, &e), PESIM_ERR_INVALID);
    ASSERT_EQ(pesim_rl_net_load_into(b.n, path.c_str(), PESIM_RL_LOAD_ADAPT, &e), PESIM_OK) << e.msg;
    const double *pa = pesim_rl_net_params(a.n), *pb = pesim_rl_net_params(b.n);
    // fc0.w: 6 x 5 -> 6 x 7: columns 0..4 copied, 5..6 kept
    for (int r = 0; r < 6; r++)
        for (int col = 0; col < 7; col++)
            EXPECT_EQ(pb[r * 7 + col], col < 5 ? pa[r * 5 + col] : before[r * 7 + col]) << r << "," << col;
    // fc0.b equal
    for (int r = 0; r < 6; r++)
        EXPECT_EQ(pb[42 + r], pa[30 + r]);
    // out.w rows: b's head 0 (4 rows) <- a's head 0 (3 rows); head 1 (2) <- a's head 1 rows 0..1; head 2 kept
    int64_t ow_a = 36, ow_b = 48, ob_a = 36 + 8 * 6, ob_b = 48 + 11 * 6;
    int map[11] = {0, 1, 2, -1, 3, 4, -1, -1, -1, -1, -1};
    for (int r = 0; r < 11; r++)
        for (int col = 0; col < 6; col++) {
            double want = map[r] >= 0 ? pa[ow_a + map[r] * 6 + col] : before[ow_b + r * 6 + col];
            EXPECT_EQ(pb[ow_b + r * 6 + col], want) << r;
        }
    for (int r = 0; r < 11; r++)
        EXPECT_EQ(pb[ob_b + r], map[r] >= 0 ? pa[ob_a + map[r]] : before[ob_b + r]) << r;
    // a different hidden width cannot be adapted
    auto cc = mlp_config(5, {9}, PESIM_RL_TANH, ha, 1);
    Net d;
    ASSERT_EQ(pesim_rl_mlp_create(&cc, rng.r, &d.n, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_net_load_into(d.n, path.c_str(), PESIM_RL_LOAD_ADAPT, &e), PESIM_ERR_INVALID);
    EXPECT_STREQ(e.key, "hidden");
}

TEST(RlSave, GnnAdaptAcrossDecisionsAndFeatures)
{
    Rng rng(71);
    auto ca = gnn_config(4, 6, 2, 0.5, PESIM_RL_TANH, {3, 3}, 0);
    auto cb = gnn_config(5, 6, 2, 0.5, PESIM_RL_TANH, {2, 3, 2}, 0);
    Net a, b;
    pesim_error e;
    ASSERT_EQ(pesim_rl_gnn_create(&ca, rng.r, &a.n, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_gnn_create(&cb, rng.r, &b.n, &e), PESIM_OK);
    std::string path = tmp_path("gnn_adapt.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_net_load_into(b.n, path.c_str(), PESIM_RL_LOAD_STRICT, &e), PESIM_ERR_INVALID);
    EXPECT_STREQ(e.key, "in_features");
    std::vector<double> before(pesim_rl_net_params(b.n), pesim_rl_net_params(b.n) + pesim_rl_net_n_params(b.n));
    ASSERT_EQ(pesim_rl_net_load_into(b.n, path.c_str(), PESIM_RL_LOAD_ADAPT, &e), PESIM_OK) << e.msg;
    for (int32_t t = 0; t < pesim_rl_net_n_tensors(b.n); t++) {
        pesim_rl_tensor tb = pesim_rl_net_tensor(b.n, t);
        pesim_rl_tensor ta = {nullptr, 0, 0, 0};
        for (int32_t u = 0; u < pesim_rl_net_n_tensors(a.n); u++)
            if (!strcmp(pesim_rl_net_tensor(a.n, u).name, tb.name))
                ta = pesim_rl_net_tensor(a.n, u);
        ASSERT_NE(ta.name, nullptr) << tb.name;
        const double *pa = pesim_rl_net_params(a.n) + ta.offset, *pb = pesim_rl_net_params(b.n) + tb.offset;
        if (!strcmp(tb.name, "down0.w") || !strcmp(tb.name, "down0.r")) {  // 6 x 4 -> 6 x 5
            for (int r = 0; r < 6; r++)
                for (int col = 0; col < 5; col++)
                    EXPECT_EQ(pb[r * 5 + col], col < 4 ? pa[r * 4 + col] : before[tb.offset + r * 5 + col]);
        } else if (!strcmp(tb.name, "head.w")) {  // decisions {3,3} -> {2,3,2}: rows 0,1 <- 0,1; 2,3,4 <- 3,4,5
            int map[7] = {0, 1, 3, 4, 5, -1, -1};
            for (int r = 0; r < 7; r++)
                for (int col = 0; col < 6; col++)
                    EXPECT_EQ(pb[r * 6 + col], map[r] >= 0 ? pa[map[r] * 6 + col] : before[tb.offset + r * 6 + col]);
        } else if (strcmp(tb.name, "head.b") != 0) {
            ASSERT_EQ(ta.rows * ta.cols, tb.rows * tb.cols) << tb.name;
            for (int i = 0; i < tb.rows * tb.cols; i++)
                EXPECT_EQ(pb[i], pa[i]) << tb.name;
        }
    }
}

TEST(RlSave, BadFilesAreClearErrors)
{
    Rng rng(81);
    std::vector<int32_t> heads = {2};
    auto c = mlp_config(2, {3}, PESIM_RL_TANH, heads, 0);
    Net a;
    pesim_error e;
    ASSERT_EQ(pesim_rl_mlp_create(&c, rng.r, &a.n, &e), PESIM_OK);
    std::string path = tmp_path("bad.net");
    ASSERT_EQ(pesim_rl_net_save(a.n, path.c_str(), &e), PESIM_OK);
    std::string good = read_all(path);
    struct Case {
        std::string text;
        pesim_status code;
        const char *key;
        int line;
        const char *words;
    } cases[] = {
        {good.substr(0, good.size() - 30), PESIM_ERR_PARSE, "params", 0, "truncated"},
        {good.substr(0, good.size() - 4), PESIM_ERR_PARSE, "end", 0, "truncated"},
        {"pesim-rl-net 2\n" + good.substr(good.find('\n') + 1), PESIM_ERR_INVALID, "", 1, "version 2"},
        {"hello\n", PESIM_ERR_PARSE, "", 1, "not a pesim network"},
        {"pesim-rl-net 1\nkind cnn\n", PESIM_ERR_RANGE, "kind", 2, "unknown kind"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhiden 1 3\n", PESIM_ERR_KEY, "", 5, "unknown key 'hiden'"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\ndepth 3\n", PESIM_ERR_KEY, "", 5, "unknown key 'depth'"},
        {"pesim-rl-net 1\nkind mlp\nact sigmoid\n", PESIM_ERR_RANGE, "act", 3, "sigmoid"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim x\n", PESIM_ERR_TYPE, "in_dim", 4, "integer"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nin_dim 3\n", PESIM_ERR_INVALID, "in_dim", 5, "repeated"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhidden 1 3\nheads 1 2\nvalues 0\nparams 0\nend\n",
         PESIM_ERR_MISSING, "head_gain", 8, "missing"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhidden 1 3\nheads 1 0\n", PESIM_ERR_RANGE, "heads", 6,
         "outside"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhidden 1 3\nheads 1 2\nvalues 0\nhead_gain -1\nparams 0\nend\n",
         PESIM_ERR_RANGE, "head_gain", 8, "must be finite"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhidden 1 3\nheads 1 2\nvalues 0\nhead_gain 1\nparams 2\n1\n2\nend\n",
         PESIM_ERR_INVALID, "params", 9, "17 parameters"},
        {"pesim-rl-net 1\nkind mlp\nact tanh\nin_dim 2\nhidden 1 3 4\n", PESIM_ERR_PARSE, "hidden", 5, "unexpected"},
    };
    std::string bad = tmp_path("bad2.net");
    int k = 0;
    for (const Case &cs : cases) {
        SCOPED_TRACE(k++);
        write_all(bad, cs.text);
        pesim_rl_net *n = nullptr;
        EXPECT_EQ(pesim_rl_net_load(bad.c_str(), &n, &e), cs.code) << e.msg;
        EXPECT_EQ(n, nullptr);
        EXPECT_EQ(bad, e.file);
        EXPECT_STREQ(e.key, cs.key);
        if (cs.line) {
            EXPECT_EQ(e.line, cs.line);
        }
        EXPECT_NE(std::string(e.msg).find(cs.words), std::string::npos) << e.msg;
    }
    pesim_rl_net *n = nullptr;
    EXPECT_EQ(pesim_rl_net_load(tmp_path("missing.net").c_str(), &n, &e), PESIM_ERR_IO);
}
