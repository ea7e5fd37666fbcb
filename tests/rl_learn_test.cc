// rl_learn_test.cc - the RL core's learners (pesim/rl.h) on toy tasks with
// fixed seeds and budgets: REINFORCE, A2C and PPO on a 10-armed bandit (with
// and without a mask), PPO on a corridor and on an autoregressive two-step
// decode, A2C with centralised critics, discrete SAC on a contextual
// bandit, a corridor and a graph placement with a GNN; returns and
// advantages by hand; the replay buffer under concurrent producers; the
// same seed gives bitwise the same run.
#include "pesim/rl.h"
#include "rl_test_util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace {

pesim_rl_net *make_mlp(gsl_rng *rng, int in, std::vector<int> hidden, const std::vector<int32_t> &heads, int values)
{
    auto c = mlp_config(in, hidden, PESIM_RL_TANH, heads, values, 0.0);  // 0: the default head gain
    pesim_rl_net *n = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_rl_mlp_create(&c, rng, &n, &e), PESIM_OK) << e.msg;
    return n;
}

// ------------------------------------------------------------ the bandit

const double kArmMean[10] = {0.2, 0.5, 0.1, 0.8, 0.3, 0.6, 0.0, 0.4, 0.7, 0.35};  // best: arm 3, then 8

struct BanditResult {
    double p_best;
    int greedy;
    std::vector<double> params;
};

// Trains on the 10-armed bandit (rewards N(mean, 0.1^2)) for `iters`
// updates of 32 pulls. masked: arm 3 is not allowed (the best allowed is 8).
BanditResult train_bandit(pesim_rl_pg_kind kind, bool value_head, bool masked, int iters, uint64_t seed)
{
    Rng rng(seed), env(seed + 1000);
    std::vector<int32_t> heads = {10};
    Net actor, critic;
    actor.n = make_mlp(rng.r, 1, {16}, heads, value_head ? 1 : 0);
    if (!value_head)
        critic.n = make_mlp(rng.r, 1, {16}, {}, 1);
    pesim_rl_pg_config cfg;
    pesim_rl_pg_config_default(kind, &cfg);
    cfg.lr = kind == PESIM_RL_PPO ? 0.01 : 0.02;
    cfg.critic_lr = 0.02;
    cfg.entropy_coef = 0.001;
    cfg.minibatch = 16;
    pesim_rl_pg *pg = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, seed, &pg, &e), PESIM_OK) << e.msg;
    pesim_rl_rollout *ro = nullptr;
    EXPECT_EQ(pesim_rl_rollout_create(1, 0, 1, masked ? 10 : 0, &ro, &e), PESIM_OK);
    const int B = 32;
    std::vector<double> obs(B, 1.0);
    std::vector<uint8_t> mask(B * 10, 1);
    if (masked)
        for (int b = 0; b < B; b++)
            mask[b * 10 + 3] = 0;
    std::vector<int32_t> act(B);
    for (int it = 0; it < iters; it++) {
        EXPECT_EQ(pesim_rl_net_act(actor.n, obs.data(), masked ? mask.data() : nullptr, B, PESIM_RL_SAMPLE, rng.r,
                                   act.data(), nullptr, nullptr, &e),
                  PESIM_OK);
        for (int b = 0; b < B; b++) {
            double r = kArmMean[act[b]] + gsl_ran_gaussian(env.r, 0.1);
            EXPECT_EQ(pesim_rl_rollout_add(ro, &obs[b], nullptr, masked ? &mask[b * 10] : nullptr, &act[b], r, 1, &e),
                      PESIM_OK);
        }
        EXPECT_EQ(pesim_rl_pg_update(pg, ro, nullptr, &e), PESIM_OK) << e.msg;
        pesim_rl_rollout_clear(ro);
    }
    BanditResult res;
    int best = masked ? 8 : 3;
    auto p = probs(actor.n, obs.data(), masked ? mask.data() : nullptr, 0);
    res.p_best = p[best];
    int32_t g;
    EXPECT_EQ(pesim_rl_net_act(actor.n, obs.data(), masked ? mask.data() : nullptr, 1, PESIM_RL_GREEDY, nullptr, &g,
                               nullptr, nullptr, &e),
              PESIM_OK);
    res.greedy = g;
    res.params.assign(pesim_rl_net_params(actor.n), pesim_rl_net_params(actor.n) + pesim_rl_net_n_params(actor.n));
    pesim_rl_rollout_destroy(ro);
    pesim_rl_pg_destroy(pg);
    return res;
}

}  // namespace

// Thresholds: after 100 updates (3,200 pulls) the best arm has probability
// >= 0.9 and is the greedy choice (a uniform policy gives it 0.1).
TEST(RlLearn, ReinforceWithBaselineLearnsTheBandit)
{
    auto r = train_bandit(PESIM_RL_REINFORCE, false, false, 100, 1);
    EXPECT_EQ(r.greedy, 3);
    EXPECT_GE(r.p_best, 0.9);
}

TEST(RlLearn, A2cWithAValueHeadLearnsTheBandit)
{
    auto r = train_bandit(PESIM_RL_A2C, true, false, 100, 2);
    EXPECT_EQ(r.greedy, 3);
    EXPECT_GE(r.p_best, 0.9);
}

TEST(RlLearn, PpoLearnsTheBandit)
{
    auto r = train_bandit(PESIM_RL_PPO, false, false, 100, 3);
    EXPECT_EQ(r.greedy, 3);
    EXPECT_GE(r.p_best, 0.9);
}

TEST(RlLearn, PpoLearnsTheBestAllowedArmUnderAMask)
{
    auto r = train_bandit(PESIM_RL_PPO, true, true, 100, 4);
    EXPECT_EQ(r.greedy, 8);
    EXPECT_GE(r.p_best, 0.9);
}

TEST(RlLearn, SameSeedSameRunOtherSeedOtherRun)
{
    auto a = train_bandit(PESIM_RL_PPO, false, false, 10, 5);
    auto b = train_bandit(PESIM_RL_PPO, false, false, 10, 5);
    auto c = train_bandit(PESIM_RL_PPO, false, false, 10, 6);
    ASSERT_EQ(a.params.size(), b.params.size());
    EXPECT_EQ(memcmp(a.params.data(), b.params.data(), a.params.size() * sizeof(double)), 0);
    EXPECT_NE(a.params, c.params);
}

TEST(RlLearn, AgentsInParallelThreadsMatchSequentialRuns)
{
    // one agent per thread, each with its own networks and learner (the
    // MARL layout): no hidden shared state, one-threaded BLAS, so the
    // threads' results are bitwise those of running the agents one by one
    BanditResult seq[3], par[3];
    for (int i = 0; i < 3; i++)
        seq[i] = train_bandit(i == 1 ? PESIM_RL_A2C : PESIM_RL_PPO, i == 1, i == 2, 15, 90 + i);
    std::vector<std::thread> th;
    for (int i = 0; i < 3; i++)
        th.emplace_back([&par, i]() {
            par[i] = train_bandit(i == 1 ? PESIM_RL_A2C : PESIM_RL_PPO, i == 1, i == 2, 15, 90 + i);
        });
    for (auto &t : th)
        t.join();
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(seq[i].params.size(), par[i].params.size());
        EXPECT_EQ(memcmp(seq[i].params.data(), par[i].params.data(), seq[i].params.size() * sizeof(double)), 0) << i;
    }
}

// ----------------------------------------------------------- the corridor

namespace {

// Positions 0..N-1, start 0, actions left/right (left at 0 stays), reward
// +1 on reaching N-1 (done), -0.01 per other step, done after 4N steps.
struct Corridor {
    int N, pos = 0, t = 0;
    explicit Corridor(int n) : N(n) {}
    void obs(double *o) const
    {
        for (int i = 0; i < N; i++)
            o[i] = i == pos;
    }
    double step(int a, int *done)
    {
        pos = a == 1 ? pos + 1 : (pos > 0 ? pos - 1 : 0);
        t++;
        *done = pos == N - 1 || t >= 4 * N;
        return pos == N - 1 ? 1.0 : -0.01;
    }
    void reset() { pos = t = 0; }
};

// Greedy steps to the goal (4N if it never gets there).
int greedy_steps(pesim_rl_net *actor, int N)
{
    Corridor c(N);
    std::vector<double> o(N);
    pesim_error e;
    for (int s = 0; s < 4 * N; s++) {
        c.obs(o.data());
        int32_t a;
        EXPECT_EQ(pesim_rl_net_act(actor, o.data(), nullptr, 1, PESIM_RL_GREEDY, nullptr, &a, nullptr, nullptr, &e),
                  PESIM_OK);
        int done;
        c.step(a, &done);
        if (c.pos == N - 1)
            return s + 1;
    }
    return 4 * N;
}

// 1 if the policy moves right with probability >= p_min in every cell but
// the goal (and so walks the shortest path greedily).
bool walks_right(pesim_rl_net *actor, int N, double p_min)
{
    std::vector<double> o(N);
    for (int c = 0; c < N - 1; c++) {
        for (int i = 0; i < N; i++)
            o[i] = i == c;
        if (probs(actor, o.data(), nullptr, 0)[1] < p_min)
            return false;
    }
    return greedy_steps(actor, N) == N - 1;
}

}  // namespace

// Threshold: within 60 updates of 128 steps the policy moves right with
// probability >= 0.9 in every cell of the 8-cell corridor.
TEST(RlLearn, PpoLearnsTheCorridor)
{
    const int N = 8;
    Rng rng(11);
    std::vector<int32_t> heads = {2};
    Net actor, critic;
    actor.n = make_mlp(rng.r, N, {32}, heads, 0);
    critic.n = make_mlp(rng.r, N, {32}, {}, 1);
    pesim_rl_pg_config cfg;
    pesim_rl_pg_config_default(PESIM_RL_PPO, &cfg);
    cfg.lr = 0.003;
    cfg.critic_lr = 0.01;
    cfg.minibatch = 32;
    pesim_rl_pg *pg = nullptr;
    pesim_rl_rollout *ro = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 12, &pg, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_rollout_create(N, 0, 1, 0, &ro, &e), PESIM_OK);
    Corridor env(N);
    std::vector<double> o(N);
    int solved_at = -1;
    for (int it = 0; it < 60 && solved_at < 0; it++) {
        for (int s = 0; s < 128; s++) {
            env.obs(o.data());
            int32_t a;
            ASSERT_EQ(pesim_rl_net_act(actor.n, o.data(), nullptr, 1, PESIM_RL_SAMPLE, rng.r, &a, nullptr, nullptr, &e),
                      PESIM_OK);
            int done;
            double r = env.step(a, &done);
            ASSERT_EQ(pesim_rl_rollout_add(ro, o.data(), nullptr, nullptr, &a, r, done, &e), PESIM_OK);
            if (done)
                env.reset();
        }
        env.obs(o.data());  // the rollout is cut mid-episode: bootstrap from here
        ASSERT_EQ(pesim_rl_rollout_set_bootstrap(ro, o.data(), &e), PESIM_OK);
        pesim_rl_update_stats st;
        ASSERT_EQ(pesim_rl_pg_update(pg, ro, &st, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(st.n, 128);
        pesim_rl_rollout_clear(ro);
        if (walks_right(actor.n, N, 0.9))
            solved_at = it;
    }
    EXPECT_GE(solved_at, 0) << "PPO did not learn the corridor in 60 updates";
    RecordProperty("solved_at_update", solved_at);
    pesim_rl_rollout_destroy(ro);
    pesim_rl_pg_destroy(pg);
}

// Autoregressive decoding: one network with two heads, one head acting per
// step (the other's action is -1), the first choice fed back as input.
// Reward at the end: 1 if (a0, a1) == (2, 3), 0.3 if a1 == a0 + 1 mod 4,
// else 0. Threshold: within 80 updates of 64 decodes the policy picks 2
// first and then 3 with probability >= 0.9 each.
TEST(RlLearn, PpoLearnsAnAutoregressiveDecode)
{
    Rng rng(21);
    std::vector<int32_t> heads = {4, 4};
    Net actor, critic;
    const int in = 1 + 4 + 1;  // step flag, one-hot of a0, bias
    actor.n = make_mlp(rng.r, in, {32}, heads, 0);
    critic.n = make_mlp(rng.r, in, {32}, {}, 1);
    pesim_rl_pg_config cfg;
    pesim_rl_pg_config_default(PESIM_RL_PPO, &cfg);
    cfg.lr = 0.005;
    cfg.critic_lr = 0.01;
    cfg.gamma = 1.0;
    cfg.minibatch = 32;
    pesim_rl_pg *pg = nullptr;
    pesim_rl_rollout *ro = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 22, &pg, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_rollout_create(in, 0, 2, 8, &ro, &e), PESIM_OK);
    // masks: step 0 lets only head 0 act, step 1 only head 1
    uint8_t m0[8] = {1, 1, 1, 1, 0, 0, 0, 0}, m1[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    auto decode = [&](pesim_rl_pick pick, int32_t *a0, int32_t *a1, double *o0, double *o1) {
        double x0[in] = {0, 0, 0, 0, 0, 1};
        int32_t act[2];
        EXPECT_EQ(pesim_rl_net_act(actor.n, x0, m0, 1, pick, rng.r, act, nullptr, nullptr, &e), PESIM_OK);
        EXPECT_EQ(act[1], -1);  // the masked-out head did not act
        *a0 = act[0];
        double x1[in] = {1, 0, 0, 0, 0, 1};
        x1[1 + *a0] = 1;
        EXPECT_EQ(pesim_rl_net_act(actor.n, x1, m1, 1, pick, rng.r, act, nullptr, nullptr, &e), PESIM_OK);
        EXPECT_EQ(act[0], -1);
        *a1 = act[1];
        if (o0)
            memcpy(o0, x0, sizeof x0), memcpy(o1, x1, sizeof x1);
    };
    bool solved = false;
    for (int it = 0; it < 80 && !solved; it++) {
        for (int k = 0; k < 64; k++) {
            int32_t a0, a1;
            double o0[in], o1[in];
            decode(PESIM_RL_SAMPLE, &a0, &a1, o0, o1);
            double r = a0 == 2 && a1 == 3 ? 1.0 : a1 == (a0 + 1) % 4 ? 0.3 : 0.0;
            int32_t s0[2] = {a0, -1}, s1[2] = {-1, a1};
            ASSERT_EQ(pesim_rl_rollout_add(ro, o0, nullptr, m0, s0, 0.0, 0, &e), PESIM_OK);
            ASSERT_EQ(pesim_rl_rollout_add(ro, o1, nullptr, m1, s1, r, 1, &e), PESIM_OK);
        }
        ASSERT_EQ(pesim_rl_pg_update(pg, ro, nullptr, &e), PESIM_OK) << e.msg;
        pesim_rl_rollout_clear(ro);
        double x0[in] = {0, 0, 0, 0, 0, 1}, x1[in] = {1, 0, 0, 1, 0, 1};  // x1: after a0 = 2
        solved = probs(actor.n, x0, m0, 0)[2] >= 0.9 && probs(actor.n, x1, m1, 1)[3] >= 0.9;
        if (solved)
            RecordProperty("solved_at_update", it);
    }
    EXPECT_TRUE(solved);
    pesim_rl_rollout_destroy(ro);
    pesim_rl_pg_destroy(pg);
}

// Two agents, decentralised actors, each with a centralised critic that
// sees the other agent's choice (one-hot); team reward
// 0.5 [a0 == 2] + 0.5 [a1 == 2] + [a0 == a1]. Threshold: within 150 updates
// of 32 joint actions both agents choose 2 with probability >= 0.9.
TEST(RlLearn, A2cWithCentralisedCriticsCoordinates)
{
    Rng rng(31);
    std::vector<int32_t> heads = {3};
    Net actor[2], critic[2];
    pesim_rl_pg *pg[2] = {nullptr, nullptr};
    pesim_rl_rollout *ro[2] = {nullptr, nullptr};
    pesim_error e;
    pesim_rl_pg_config cfg;
    pesim_rl_pg_config_default(PESIM_RL_A2C, &cfg);
    cfg.lr = 0.02;
    cfg.critic_lr = 0.02;
    cfg.entropy_coef = 0.001;
    for (int i = 0; i < 2; i++) {
        actor[i].n = make_mlp(rng.r, 1, {8}, heads, 0);
        critic[i].n = make_mlp(rng.r, 3, {8}, {}, 1);  // input: the other agent's action, one-hot
        ASSERT_EQ(pesim_rl_pg_create(&cfg, actor[i].n, critic[i].n, 32 + i, &pg[i], &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_rollout_create(1, 3, 1, 0, &ro[i], &e), PESIM_OK);
    }
    // a critic that takes 3 inputs cannot learn from a rollout without critic observations
    pesim_rl_rollout *plain = nullptr;
    ASSERT_EQ(pesim_rl_rollout_create(1, 0, 1, 0, &plain, &e), PESIM_OK);
    double one = 1.0;
    int32_t zero = 0;
    ASSERT_EQ(pesim_rl_rollout_add(plain, &one, nullptr, nullptr, &zero, 0.0, 1, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_pg_update(pg[0], plain, nullptr, &e), PESIM_ERR_INVALID);
    pesim_rl_rollout_destroy(plain);
    for (int it = 0; it < 150; it++) {
        for (int k = 0; k < 32; k++) {
            int32_t a[2];
            for (int i = 0; i < 2; i++)
                ASSERT_EQ(pesim_rl_net_act(actor[i].n, &one, nullptr, 1, PESIM_RL_SAMPLE, rng.r, &a[i], nullptr, nullptr,
                                           &e),
                          PESIM_OK);
            double r = 0.5 * (a[0] == 2) + 0.5 * (a[1] == 2) + (a[0] == a[1]);
            for (int i = 0; i < 2; i++) {
                double cobs[3] = {0, 0, 0};
                cobs[a[1 - i]] = 1;
                ASSERT_EQ(pesim_rl_rollout_add(ro[i], &one, cobs, nullptr, &a[i], r, 1, &e), PESIM_OK);
            }
        }
        for (int i = 0; i < 2; i++) {
            ASSERT_EQ(pesim_rl_pg_update(pg[i], ro[i], nullptr, &e), PESIM_OK) << e.msg;
            pesim_rl_rollout_clear(ro[i]);
        }
    }
    for (int i = 0; i < 2; i++) {
        EXPECT_GE(probs(actor[i].n, &one, nullptr, 0)[2], 0.9) << "agent " << i;
        pesim_rl_rollout_destroy(ro[i]);
        pesim_rl_pg_destroy(pg[i]);
    }
}

// -------------------------------------------- returns and advantages by hand

namespace {
// mean_return of one update on rewards {1, 0, 2}, done {0, 1, 0}, with a
// critic that outputs the constant c everywhere (bootstrap included).
double mean_target(pesim_rl_pg_kind kind, double gamma, double lambda, bool last_done, double c)
{
    Rng rng(1);
    std::vector<int32_t> heads = {2};
    Net actor, critic;
    actor.n = make_mlp(rng.r, 1, {}, heads, 0);
    critic.n = make_mlp(rng.r, 1, {}, {}, 1);
    double w[2] = {0.0, c};  // out.w (1 x 1), out.b
    pesim_rl_net_set_params(critic.n, w);
    pesim_rl_pg_config cfg;
    pesim_rl_pg_config_default(kind, &cfg);
    cfg.gamma = gamma;
    cfg.gae_lambda = lambda;
    pesim_rl_pg *pg = nullptr;
    pesim_rl_rollout *ro = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 1, &pg, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_rollout_create(1, 0, 1, 0, &ro, &e), PESIM_OK);
    double o = 1, r[3] = {1, 0, 2};
    int d[3] = {0, 1, last_done ? 1 : 0};
    int32_t a = 0;
    for (int t = 0; t < 3; t++)
        EXPECT_EQ(pesim_rl_rollout_add(ro, &o, nullptr, nullptr, &a, r[t], d[t], &e), PESIM_OK);
    if (!last_done) {
        EXPECT_EQ(pesim_rl_rollout_set_bootstrap(ro, &o, &e), PESIM_OK);
    }
    pesim_rl_update_stats st;
    EXPECT_EQ(pesim_rl_pg_update(pg, ro, &st, &e), PESIM_OK) << e.msg;
    pesim_rl_rollout_destroy(ro);
    pesim_rl_pg_destroy(pg);
    return st.mean_return;
}
}  // namespace

TEST(RlLearn, ReturnsAndAdvantagesByHand)
{
    // REINFORCE: G = {1 + 0.9 * 0, 0, 2} whatever the critic
    EXPECT_NEAR(mean_target(PESIM_RL_REINFORCE, 0.9, 1.0, true, 0.5), 3.0 / 3, 1e-12);
    // A2C, lambda 1, bootstrap V = 0.5: targets {1, 0, 2 + 0.9 * 0.5}
    EXPECT_NEAR(mean_target(PESIM_RL_A2C, 0.9, 1.0, false, 0.5), (1 + 0 + 2.45) / 3, 1e-12);
    // GAE lambda 0.5: A2 = 1.95, A1 = -0.5, A0 = 0.95 + 0.45 * (-0.5); targets A + 0.5
    EXPECT_NEAR(mean_target(PESIM_RL_PPO, 0.9, 0.5, false, 0.5), (1.225 + 0 + 2.45) / 3, 1e-12);
    // lambda 0 (TD(0)): A0 = 0.95, target 1.45
    EXPECT_NEAR(mean_target(PESIM_RL_A2C, 0.9, 0.0, false, 0.5), (1.45 + 0 + 2.45) / 3, 1e-12);
}

TEST(RlLearn, RolloutsThatCannotBeLearnedAreErrors)
{
    Rng rng(1);
    std::vector<int32_t> heads = {2};
    Net actor, critic;
    actor.n = make_mlp(rng.r, 1, {}, heads, 0);
    critic.n = make_mlp(rng.r, 1, {}, {}, 1);
    pesim_rl_pg_config cfg;
    pesim_rl_pg *pg = nullptr;
    pesim_rl_rollout *ro = nullptr;
    pesim_error e;
    pesim_rl_pg_config_default(PESIM_RL_REINFORCE, &cfg);
    ASSERT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 1, &pg, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_rollout_create(1, 0, 1, 0, &ro, &e), PESIM_OK);
    double o = 1;
    int32_t a = 0;
    ASSERT_EQ(pesim_rl_rollout_add(ro, &o, nullptr, nullptr, &a, 1.0, 0, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_pg_update(pg, ro, nullptr, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("complete episodes"), std::string::npos) << e.msg;
    pesim_rl_pg_destroy(pg);
    pesim_rl_pg_config_default(PESIM_RL_A2C, &cfg);
    ASSERT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 1, &pg, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_pg_update(pg, ro, nullptr, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("bootstrap"), std::string::npos) << e.msg;
    a = 5;  // out of range
    pesim_rl_rollout_clear(ro);
    ASSERT_EQ(pesim_rl_rollout_add(ro, &o, nullptr, nullptr, &a, 1.0, 1, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_pg_update(pg, ro, nullptr, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(pesim_rl_rollout_add(ro, &o, nullptr, nullptr, &a, NAN, 1, &e), PESIM_ERR_RANGE);
    pesim_rl_pg_destroy(pg);
    // no critic and no value head
    EXPECT_EQ(pesim_rl_pg_create(&cfg, actor.n, nullptr, 1, &pg, &e), PESIM_ERR_INVALID);
    cfg.gamma = 2;
    EXPECT_EQ(pesim_rl_pg_create(&cfg, actor.n, critic.n, 1, &pg, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "gamma");
    pesim_rl_rollout_destroy(ro);
}

// ------------------------------------------------------------ discrete SAC

namespace {
struct Sac {
    Net actor, q1, q2;
    pesim_rl_sac *s = nullptr;
    pesim_rl_replay *rb = nullptr;
    // An MLP actor and twin MLP critics of the same shape.
    void mlps(gsl_rng *r, int in, std::vector<int> hidden, const std::vector<int32_t> &heads)
    {
        actor.n = make_mlp(r, in, hidden, heads, 0);
        q1.n = make_mlp(r, in, hidden, heads, 0);
        q2.n = make_mlp(r, in, hidden, heads, 0);
    }
    ~Sac()
    {
        pesim_rl_sac_destroy(s);
        pesim_rl_replay_destroy(rb);
    }
};
}  // namespace

// A contextual bandit: 4 contexts (one-hot), two heads of 4 actions,
// reward 0.5 [a0 == ctx] + 0.5 [a1 == ctx + 1 mod 4]. Threshold: within 60
// rounds (32 new transitions, 20 gradient steps each) the policy is right
// with probability >= 0.9 on every head of every context.
TEST(RlLearn, SacLearnsAContextualBandit)
{
    Rng rng(41), env(42);
    std::vector<int32_t> heads = {4, 4};
    Sac t;
    t.mlps(rng.r, 4, {32}, heads);
    pesim_rl_sac_config cfg;
    pesim_rl_sac_config_default(&cfg);
    cfg.lr = 3e-3;
    cfg.critic_lr = 3e-3;
    cfg.alpha = 0.02;
    cfg.tau = 0.05;
    pesim_error e;
    ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 43, &t.s, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_create(4, 2, 0, 10000, &t.rb, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_sac_update(t.s, t.rb, 1, nullptr, &e), PESIM_ERR_INVALID);  // empty
    auto solved = [&]() {
        for (int c = 0; c < 4; c++) {
            double o[4] = {0, 0, 0, 0};
            o[c] = 1;
            if (probs(t.actor.n, o, nullptr, 0)[c] < 0.9 || probs(t.actor.n, o, nullptr, 1)[(c + 1) % 4] < 0.9)
                return false;
        }
        return true;
    };
    int solved_at = -1;
    pesim_rl_sac_stats st;
    for (int it = 0; it < 60 && solved_at < 0; it++) {
        for (int k = 0; k < 32; k++) {
            int c = (int)gsl_rng_uniform_int(env.r, 4);
            double o[4] = {0, 0, 0, 0};
            o[c] = 1;
            int32_t a[2];
            ASSERT_EQ(pesim_rl_net_act(t.actor.n, o, nullptr, 1, PESIM_RL_SAMPLE, rng.r, a, nullptr, nullptr, &e),
                      PESIM_OK);
            double r = 0.5 * (a[0] == c) + 0.5 * (a[1] == (c + 1) % 4);
            ASSERT_EQ(pesim_rl_replay_add(t.rb, o, nullptr, a, r, nullptr, nullptr, 1, &e), PESIM_OK);
        }
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 20, &st, &e), PESIM_OK) << e.msg;
        if (solved())
            solved_at = it;
    }
    EXPECT_GE(solved_at, 0);
    RecordProperty("solved_at_round", solved_at);
    EXPECT_TRUE(std::isfinite(st.critic_loss) && std::isfinite(st.actor_loss));
}

// Replay from another policy (EGRL's learner trains on every member's
// rollouts): two heads of two actions, an additive reward
// r = [a0 = 1] - 3 [a1 = 1], and a replay whose behaviour moves the two heads
// together (45 % (0, 0), 45 % (1, 1), 5 % each mixed pair). Head 0's best
// action is 1 whatever head 1 does, but given a0 = 1 the replay's reward
// averages -1.7 against -0.3 given a0 = 0. The additive critic (the
// default, PESIM_RL_SAC_SUM) fits each head's share with the other's action
// accounted for, and the actor learns a0 = 1 (probability >= 0.9 after 300
// steps); the per-head critic learns the biased means and the actor a0 = 0.
// Both learn a1 = 0.
TEST(RlLearn, SacSumCriticIsNotBiasedByTheReplaysPolicy)
{
    for (pesim_rl_sac_critic kind : {PESIM_RL_SAC_SUM, PESIM_RL_SAC_PER_HEAD}) {
        Rng rng(81);
        std::vector<int32_t> heads = {2, 2};
        Sac t;
        t.mlps(rng.r, 1, {16}, heads);
        pesim_rl_sac_config cfg;
        pesim_rl_sac_config_default(&cfg);
        EXPECT_EQ(cfg.critic, PESIM_RL_SAC_SUM);
        cfg.critic = kind;
        cfg.lr = 3e-3;
        cfg.critic_lr = 3e-3;
        cfg.tau = 0.05;
        pesim_error e;
        ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 82, &t.s, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_replay_create(0, 2, 0, 1000, &t.rb, &e), PESIM_OK);
        const double obs = 1;
        ASSERT_EQ(pesim_rl_sac_set_fixed_obs(t.s, &obs, &e), PESIM_OK);
        const int count[2][2] = {{45, 5}, {5, 45}};  // [a0][a1]
        for (int a0 = 0; a0 < 2; a0++)
            for (int a1 = 0; a1 < 2; a1++)
                for (int k = 0; k < count[a0][a1]; k++) {
                    int32_t a[2] = {a0, a1};
                    ASSERT_EQ(pesim_rl_replay_add(t.rb, nullptr, nullptr, a, (a0 == 1) - 3.0 * (a1 == 1), nullptr,
                                                  nullptr, 1, &e),
                              PESIM_OK);
                }
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 300, nullptr, &e), PESIM_OK) << e.msg;
        const double p0 = probs(t.actor.n, &obs, nullptr, 0)[1], p1 = probs(t.actor.n, &obs, nullptr, 1)[1];
        if (kind == PESIM_RL_SAC_SUM)
            EXPECT_GE(p0, 0.9) << "the additive critic credits head 0's action 1";
        else
            EXPECT_LE(p0, 0.1) << "the per-head critic is biased by the replay's correlation";
        EXPECT_LE(p1, 0.1) << kind;
    }
}

// An interaction between heads (what capacity makes in a placement): two
// nodes of a two-node graph, one decision of two levels each, reward 1 when
// their levels differ and 0 when they are equal, and a replay that holds
// the four joint actions alike (25 each). Each level is worth nothing on
// its own, so the additive critic's best fit is a constant and its actor
// stays near uniform (P(levels differ) <= 0.6); the joint critic's
// counterfactual Q of node 0's level given node 1's is the XOR (after 400
// steps, node 0's level 1 beats level 0 by >= 0.5 when node 1 is at level
// 0, and loses by >= 0.5 when node 1 is at level 1, where the additive
// critic's gap is < 0.1 either way), and its actor coordinates the two
// nodes: P(levels differ) >= 0.9.
TEST(RlLearn, SacJointCriticLearnsAnInteractionTheAdditiveCannot)
{
    const double obs[4] = {1, 0, 0, 1};  // two nodes, two features each
    const int32_t src[1] = {0}, dst[1] = {1};
    for (pesim_rl_sac_critic kind : {PESIM_RL_SAC_SUM, PESIM_RL_SAC_JOINT}) {
        Rng rng(61);
        pesim_rl_gnn_config c;
        pesim_rl_gnn_config_default(&c);
        c.in_features = 2;
        c.hidden = 16;
        c.depth = 0;
        c.n_decisions = 1;
        c.decision_sizes[0] = 2;
        Sac t;
        pesim_error e;
        ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &t.actor.n, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_net_set_graph(t.actor.n, 2, 1, src, dst, &e), PESIM_OK);
        if (kind == PESIM_RL_SAC_JOINT)
            c.in_features += pesim_rl_joint_critic_extra(t.actor.n);
        for (Net *q : {&t.q1, &t.q2}) {
            ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &q->n, &e), PESIM_OK);
            ASSERT_EQ(pesim_rl_net_set_graph(q->n, 2, 1, src, dst, &e), PESIM_OK);
        }
        pesim_rl_sac_config cfg;
        pesim_rl_sac_config_default(&cfg);
        cfg.critic = kind;
        cfg.lr = 3e-3;
        cfg.critic_lr = 3e-3;
        ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 62, &t.s, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_replay_create(0, 2, 0, 1000, &t.rb, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_sac_set_fixed_obs(t.s, obs, &e), PESIM_OK);
        for (int k = 0; k < 25; k++)
            for (int32_t a0 = 0; a0 < 2; a0++)
                for (int32_t a1 = 0; a1 < 2; a1++) {
                    int32_t a[2] = {a0, a1};
                    ASSERT_EQ(pesim_rl_replay_add(t.rb, nullptr, nullptr, a, a0 != a1 ? 1.0 : 0.0, nullptr, nullptr,
                                                  1, &e),
                              PESIM_OK);
                }
        pesim_rl_sac_stats st;
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 400, &st, &e), PESIM_OK) << e.msg;
        const double p0 = probs(t.actor.n, obs, nullptr, 0)[1], p1 = probs(t.actor.n, obs, nullptr, 1)[1];
        const double differ = p0 * (1 - p1) + (1 - p0) * p1;
        // node 0's Q gap (level 1 minus level 0) with node 1 at level 0, then 1
        double gap[2];
        for (int32_t a1 = 0; a1 < 2; a1++) {
            double out[4], x[8];
            const int32_t a[2] = {-1, a1};
            if (kind == PESIM_RL_SAC_JOINT) {
                pesim_rl_joint_critic_input(t.actor.n, obs, a, 0, x);
                ASSERT_EQ(pesim_rl_net_forward(t.q1.n, x, 1, out, &e), PESIM_OK);
            } else {
                ASSERT_EQ(pesim_rl_net_forward(t.q1.n, obs, 1, out, &e), PESIM_OK);  // no action input
            }
            gap[a1] = out[1] - out[0];
        }
        RecordProperty(kind == PESIM_RL_SAC_JOINT ? "joint_p_differ" : "additive_p_differ", std::to_string(differ));
        if (kind == PESIM_RL_SAC_JOINT) {
            EXPECT_GE(gap[0], 0.5) << "node 1 at level 0: node 0 should take level 1";
            EXPECT_LE(gap[1], -0.5) << "node 1 at level 1: node 0 should take level 0";
            EXPECT_GE(differ, 0.9) << "p0 " << p0 << " p1 " << p1;
        } else {
            EXPECT_LT(std::fabs(gap[0]), 0.1);
            EXPECT_EQ(gap[0], gap[1]) << "the additive critic does not see node 1's level";
            EXPECT_LE(differ, 0.6) << "p0 " << p0 << " p1 " << p1;
        }
        EXPECT_TRUE(std::isfinite(st.critic_loss) && std::isfinite(st.actor_loss));
        // pesim_rl_sac_q, the diagnostic, against the networks by hand: each
        // critic's Q of (a0, a1) is SUM out[a0] + out[2 + a1] of the plain
        // input, JOINT the mean of head 0's output at a0 with head 0 blanked
        // and head 1's at a1 with head 1 blanked; q = the lower critic's. A
        // row without an active head is 0; an action outside its head is
        // refused. The joint critic ranks both "differ" placements (reward 1)
        // above both "same" ones (reward 0).
        const int32_t acts[10] = {0, 0, 0, 1, 1, 0, 1, 1, -1, -1};
        double q[5];
        ASSERT_EQ(pesim_rl_sac_q(t.s, nullptr, acts, 5, q, &e), PESIM_OK) << e.msg;
        for (int i = 0; i < 4; i++) {
            const int32_t *a = acts + 2 * i;
            double v[2];
            for (int k = 0; k < 2; k++) {
                pesim_rl_net *net = k == 0 ? t.q1.n : t.q2.n;
                double out[4], x[8];
                if (kind == PESIM_RL_SAC_JOINT) {
                    double sum = 0;
                    for (int32_t h = 0; h < 2; h++) {
                        pesim_rl_joint_critic_input(t.actor.n, obs, a, h, x);
                        ASSERT_EQ(pesim_rl_net_forward(net, x, 1, out, &e), PESIM_OK);
                        sum += out[2 * h + a[h]];
                    }
                    v[k] = sum / 2;
                } else {
                    ASSERT_EQ(pesim_rl_net_forward(net, obs, 1, out, &e), PESIM_OK);
                    v[k] = out[a[0]] + out[2 + a[1]];
                }
            }
            EXPECT_NEAR(q[i], std::min(v[0], v[1]), 1e-12) << "action " << a[0] << a[1];
        }
        EXPECT_EQ(q[4], 0.0);
        if (kind == PESIM_RL_SAC_JOINT) {
            EXPECT_GT(std::min(q[1], q[2]), std::max(q[0], q[3]));
        }
        const int32_t bad[2] = {2, 0};
        EXPECT_EQ(pesim_rl_sac_q(t.s, nullptr, bad, 1, q, &e), PESIM_ERR_INVALID);
    }
}

// Bootstrapped targets: SAC on the 6-cell corridor (gamma 0.9). Threshold:
// within 100 rounds of 32 steps (16 gradient steps each) the policy moves
// right with probability >= 0.9 in every cell.
TEST(RlLearn, SacLearnsTheCorridor)
{
    const int N = 6;
    Rng rng(51);
    std::vector<int32_t> heads = {2};
    Sac t;
    t.mlps(rng.r, N, {32}, heads);
    pesim_rl_sac_config cfg;
    pesim_rl_sac_config_default(&cfg);
    cfg.lr = 3e-3;
    cfg.critic_lr = 3e-3;
    cfg.gamma = 0.9;
    cfg.alpha = 0.01;
    cfg.tau = 0.02;
    pesim_error e;
    ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 52, &t.s, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_create(N, 1, 0, 20000, &t.rb, &e), PESIM_OK);
    Corridor env(N);
    std::vector<double> o(N), o2(N);
    int solved_at = -1;
    for (int it = 0; it < 100 && solved_at < 0; it++) {
        for (int s = 0; s < 32; s++) {
            env.obs(o.data());
            int32_t a;
            ASSERT_EQ(pesim_rl_net_act(t.actor.n, o.data(), nullptr, 1, PESIM_RL_SAMPLE, rng.r, &a, nullptr, nullptr, &e),
                      PESIM_OK);
            int done;
            double r = env.step(a, &done);
            env.obs(o2.data());
            ASSERT_EQ(pesim_rl_replay_add(t.rb, o.data(), nullptr, &a, r, o2.data(), nullptr, done, &e), PESIM_OK);
            if (done)
                env.reset();
        }
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 16, nullptr, &e), PESIM_OK) << e.msg;
        if (walks_right(t.actor.n, N, 0.9))
            solved_at = it;
    }
    EXPECT_GE(solved_at, 0);
    RecordProperty("solved_at_round", solved_at);
}

// EGRL's shape: a GNN actor and GNN critics on one fixed graph (the replay
// stores no observations), a head per node; the best placement of a node is
// its type (one-hot feature), reward = the number of nodes placed right
// (each head's Q regresses the shared reward, so a node's own share, 1,
// must stand out against alpha: with EGRL's 0.05 the policy commits to the
// critic's first guesses and stays there on this task; 0.2 here).
// Threshold: within 150 rounds of 8 placements (4 gradient steps each) every
// node's right level has probability >= 0.9.
TEST(RlLearn, SacWithAGnnLearnsAPlacementOnAFixedGraph)
{
    Rng rng(61);
    const int N = 7, T = 3;
    const int types[N] = {0, 2, 1, 1, 0, 2, 1};
    std::vector<int32_t> src = {0, 1, 2, 3, 4, 5, 1}, dst = {1, 2, 3, 4, 5, 6, 4};
    std::vector<double> feat(N * (T + 1));
    for (int i = 0; i < N; i++) {
        feat[i * (T + 1) + types[i]] = 1;
        feat[i * (T + 1) + T] = (double)i / N;  // a position feature
    }
    pesim_rl_gnn_config c;
    memset(&c, 0, sizeof c);
    c.in_features = T + 1;
    c.hidden = 16;
    c.depth = 2;
    c.ratio = 0.5;
    c.act = PESIM_RL_RELU;
    c.n_decisions = 1;
    c.decision_sizes[0] = T;
    c.root_weight = 1;
    Sac t;
    pesim_error e;
    for (Net *n : {&t.actor, &t.q1, &t.q2}) {
        ASSERT_EQ(pesim_rl_gnn_create(&c, rng.r, &n->n, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_net_set_graph(n->n, N, (int64_t)src.size(), src.data(), dst.data(), &e), PESIM_OK);
    }
    pesim_rl_sac_config cfg;
    pesim_rl_sac_config_default(&cfg);
    cfg.lr = 1e-3;
    cfg.alpha = 0.2;
    cfg.critic_lr = 3e-3;
    cfg.batch = 32;
    cfg.tau = 0.05;
    ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 62, &t.s, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_create(0, N, 0, 5000, &t.rb, &e), PESIM_OK);
    int32_t a[N] = {0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(pesim_rl_replay_add(t.rb, nullptr, nullptr, a, 0.0, nullptr, nullptr, 1, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_sac_update(t.s, t.rb, 1, nullptr, &e), PESIM_ERR_INVALID);  // no fixed observation yet
    EXPECT_NE(std::string(e.msg).find("pesim_rl_sac_set_fixed_obs"), std::string::npos) << e.msg;
    ASSERT_EQ(pesim_rl_sac_set_fixed_obs(t.s, feat.data(), &e), PESIM_OK);
    auto right = [&](const int32_t *x) {
        int k = 0;
        for (int i = 0; i < N; i++)
            k += x[i] == types[i];
        return k;
    };
    int solved_at = -1;
    for (int it = 0; it < 150 && solved_at < 0; it++) {
        for (int k = 0; k < 8; k++) {
            ASSERT_EQ(pesim_rl_net_act(t.actor.n, feat.data(), nullptr, 1, PESIM_RL_SAMPLE, rng.r, a, nullptr, nullptr, &e),
                      PESIM_OK);
            ASSERT_EQ(pesim_rl_replay_add(t.rb, nullptr, nullptr, a, (double)right(a), nullptr, nullptr, 1, &e),
                      PESIM_OK);
        }
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 4, nullptr, &e), PESIM_OK) << e.msg;
        bool ok = true;
        for (int i = 0; i < N; i++)
            ok = ok && probs(t.actor.n, feat.data(), nullptr, i)[types[i]] >= 0.9;
        if (ok)
            solved_at = it;
    }
    EXPECT_GE(solved_at, 0);
    RecordProperty("solved_at_round", solved_at);
}

// CEM-RL's steps on a population member (pesim_rl_sac_actor_steps): the
// critics of a fixed state are first trained on an additive reward; a
// member with its own weights then takes actor steps against them. The
// SAC actor loss at one state is minimised by pi_h = softmax(min(Q1, Q2)_h /
// alpha) over each head's allowed actions, so after enough steps the
// member's heads are that distribution (total variation < 0.02), computed
// here from the critics' outputs; a masked action keeps probability 0.
// The critics and the learner's actor are bit-for-bit as they were; zero
// steps change nothing; a joint critic, a missing fixed observation and an
// actor of other heads are refused.
TEST(RlLearn, SacActorStepsMoveAMemberToTheCriticsSoftmax)
{
    Rng rng(91);
    const std::vector<int32_t> heads = {3, 4};
    Sac t;
    t.mlps(rng.r, 3, {16}, heads);
    Net member, other;
    member.n = make_mlp(rng.r, 3, {16}, heads, 0);
    other.n = make_mlp(rng.r, 3, {16}, {3, 3}, 0);
    pesim_rl_sac_config cfg;
    pesim_rl_sac_config_default(&cfg);
    cfg.lr = 1e-2;
    cfg.critic_lr = 1e-2;
    cfg.alpha = 0.3;
    cfg.tau = 0.05;
    pesim_error e;
    ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 92, &t.s, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_sac_actor_steps(t.s, member.n, nullptr, 1, &e), PESIM_ERR_INVALID);  // no fixed observation
    const double obs[3] = {0.5, -1.0, 2.0};
    ASSERT_EQ(pesim_rl_sac_set_fixed_obs(t.s, obs, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_create(0, 2, 7, 10000, &t.rb, &e), PESIM_OK);
    const double r0[3] = {0.0, 0.4, -0.3}, r1[4] = {0.2, -0.5, 0.1, 0.6};
    std::vector<uint8_t> mask(7, 1);
    mask[3 + 3] = 0;  // head 1's action 3 is not allowed
    for (int k = 0; k < 2000; k++) {
        int32_t a[2] = {(int32_t)gsl_rng_uniform_int(rng.r, 3), (int32_t)gsl_rng_uniform_int(rng.r, 3)};
        ASSERT_EQ(pesim_rl_replay_add(t.rb, nullptr, mask.data(), a, r0[a[0]] + r1[a[1]], nullptr, nullptr, 1, &e),
                  PESIM_OK);
    }
    ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 300, nullptr, &e), PESIM_OK) << e.msg;
    auto params = [](pesim_rl_net *n) {
        std::vector<double> w(pesim_rl_net_n_params(n));
        pesim_rl_net_get_params(n, w.data());
        return w;
    };
    const std::vector<double> q1 = params(t.q1.n), q2 = params(t.q2.n), learner = params(t.actor.n);
    const std::vector<double> before = params(member.n);
    ASSERT_EQ(pesim_rl_sac_actor_steps(t.s, member.n, mask.data(), 0, &e), PESIM_OK);
    EXPECT_EQ(params(member.n), before);
    ASSERT_EQ(pesim_rl_sac_actor_steps(t.s, member.n, mask.data(), 1500, &e), PESIM_OK) << e.msg;
    EXPECT_NE(params(member.n), before);
    EXPECT_EQ(params(t.q1.n), q1);
    EXPECT_EQ(params(t.q2.n), q2);
    EXPECT_EQ(params(t.actor.n), learner);
    std::vector<double> qa(7), qb(7);
    ASSERT_EQ(pesim_rl_net_forward(t.q1.n, obs, 1, qa.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_net_forward(t.q2.n, obs, 1, qb.data(), &e), PESIM_OK);
    for (int h = 0; h < 2; h++) {
        const int off = h == 0 ? 0 : 3, n = heads[h];
        std::vector<double> want(n);
        double z = 0;
        for (int j = 0; j < n; j++)
            z += want[j] = mask[off + j] ? std::exp(std::min(qa[off + j], qb[off + j]) / cfg.alpha) : 0.0;
        const std::vector<double> got = probs(member.n, obs, mask.data(), h);
        double tv = 0;
        for (int j = 0; j < n; j++)
            tv += 0.5 * std::fabs(got[j] - want[j] / z);
        EXPECT_LT(tv, 0.02) << "head " << h;
        if (h == 1) {
            EXPECT_EQ(got[3], 0.0);
        }
    }
    EXPECT_EQ(pesim_rl_sac_actor_steps(t.s, other.n, nullptr, 1, &e), PESIM_ERR_INVALID);  // other heads
    // a joint critic is refused
    Sac j;
    Rng r2(93);
    j.actor.n = make_mlp(r2.r, 3, {8}, heads, 0);
    const int32_t extra = pesim_rl_joint_critic_extra(j.actor.n);
    j.q1.n = make_mlp(r2.r, 3 + extra, {8}, heads, 0);
    j.q2.n = make_mlp(r2.r, 3 + extra, {8}, heads, 0);
    cfg.critic = PESIM_RL_SAC_JOINT;
    ASSERT_EQ(pesim_rl_sac_create(&cfg, j.actor.n, j.q1.n, j.q2.n, 94, &j.s, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_sac_set_fixed_obs(j.s, obs, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_sac_actor_steps(j.s, j.actor.n, nullptr, 1, &e), PESIM_ERR_INVALID);
}

TEST(RlLearn, SacSameSeedSameRun)
{
    std::vector<double> params[2];
    for (int run = 0; run < 2; run++) {
        Rng rng(71);
        std::vector<int32_t> heads = {3};
        Sac t;
        t.mlps(rng.r, 2, {8}, heads);
        pesim_rl_sac_config cfg;
        pesim_rl_sac_config_default(&cfg);
        pesim_error e;
        ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 72, &t.s, &e), PESIM_OK);
        ASSERT_EQ(pesim_rl_replay_create(2, 1, 0, 100, &t.rb, &e), PESIM_OK);
        for (int k = 0; k < 50; k++) {
            double o[2] = {k % 2 * 1.0, 1.0};
            int32_t a = k % 3;
            ASSERT_EQ(pesim_rl_replay_add(t.rb, o, nullptr, &a, a == 1 ? 1.0 : 0.0, o, nullptr, k % 5 == 0, &e), PESIM_OK);
        }
        ASSERT_EQ(pesim_rl_sac_update(t.s, t.rb, 10, nullptr, &e), PESIM_OK);
        for (Net *n : {&t.actor, &t.q1, &t.q2})
            params[run].insert(params[run].end(), pesim_rl_net_params(n->n),
                               pesim_rl_net_params(n->n) + pesim_rl_net_n_params(n->n));
    }
    EXPECT_EQ(memcmp(params[0].data(), params[1].data(), params[0].size() * sizeof(double)), 0);
}

// ------------------------------------------------------------ the replay

TEST(RlReplay, ManyProducersFillItConsistently)
{
    // 4 threads add 1,000 transitions each to a buffer of 2,500; every row
    // stays whole (obs, action and reward of one add) and the counts add up
    pesim_rl_replay *rb = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_replay_create(3, 2, 4, 2500, &rb, &e), PESIM_OK);
    std::vector<std::thread> th;
    for (int t = 0; t < 4; t++)
        th.emplace_back([rb, t]() {
            pesim_error e2;
            for (int k = 0; k < 1000; k++) {
                double id = t * 1000 + k;
                double o[3] = {id, id + 0.5, -id};
                uint8_t m[4] = {1, (uint8_t)(k & 1), 1, 1};
                int32_t a[2] = {(int32_t)id, -1};
                EXPECT_EQ(pesim_rl_replay_add(rb, o, m, a, id, o, m, 0, &e2), PESIM_OK);
            }
        });
    for (auto &x : th)
        x.join();
    EXPECT_EQ(pesim_rl_replay_size(rb), 2500);
    EXPECT_EQ(pesim_rl_replay_n_added(rb), 4000);
    // every row drawn is one add, whole
    Rng rng(1);
    const int n = 3000;
    std::vector<double> o(n * 3), o2(n * 3), r(n);
    std::vector<uint8_t> m(n * 4), m2(n * 4), d(n);
    std::vector<int32_t> a(n * 2);
    ASSERT_EQ(pesim_rl_replay_sample(rb, rng.r, n, o.data(), m.data(), a.data(), r.data(), o2.data(), m2.data(),
                                     d.data(), &e),
              PESIM_OK);
    for (int i = 0; i < n; i++) {
        double id = r[i];
        ASSERT_EQ(o[i * 3], id);
        ASSERT_EQ(o[i * 3 + 1], id + 0.5);
        ASSERT_EQ(o[i * 3 + 2], -id);
        ASSERT_EQ(o2[i * 3], id);
        ASSERT_EQ(a[i * 2], (int32_t)id);
        ASSERT_EQ(a[i * 2 + 1], -1);
        ASSERT_EQ(m[i * 4 + 1], (uint8_t)((int)id % 1000 & 1));
        ASSERT_EQ(d[i], 0);
    }
    // the learner refuses stored actions its heads cannot have taken
    std::vector<int32_t> heads = {2, 2};
    Sac t;
    t.mlps(rng.r, 3, {4}, heads);
    pesim_rl_sac_config cfg;
    pesim_rl_sac_config_default(&cfg);
    ASSERT_EQ(pesim_rl_sac_create(&cfg, t.actor.n, t.q1.n, t.q2.n, 1, &t.s, &e), PESIM_OK);
    EXPECT_EQ(pesim_rl_sac_update(t.s, rb, 1, nullptr, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("outside"), std::string::npos) << e.msg;
    pesim_rl_replay_destroy(rb);
}

TEST(RlReplay, KeepsTheLastCapacityTransitions)
{
    pesim_rl_replay *rb = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_replay_create(1, 1, 0, 4, &rb, &e), PESIM_OK);
    Rng rng(2);
    double r;
    EXPECT_EQ(pesim_rl_replay_sample(rb, rng.r, 1, nullptr, nullptr, nullptr, &r, nullptr, nullptr, nullptr, &e),
              PESIM_ERR_INVALID);
    for (int k = 0; k < 10; k++) {
        double o = k;
        int32_t a = 0;
        ASSERT_EQ(pesim_rl_replay_add(rb, &o, nullptr, &a, k, nullptr, nullptr, 1, &e), PESIM_OK);
    }
    EXPECT_EQ(pesim_rl_replay_size(rb), 4);
    std::vector<double> got(400), obs(400), next(400);
    ASSERT_EQ(pesim_rl_replay_sample(rb, rng.r, 400, obs.data(), nullptr, nullptr, got.data(), next.data(), nullptr,
                                     nullptr, &e),
              PESIM_OK);
    int seen[10] = {0};
    for (int i = 0; i < 400; i++) {
        seen[(int)got[i]]++;
        EXPECT_EQ(obs[i], got[i]);
        EXPECT_EQ(next[i], 0.0);  // done without a next state: zeros
    }
    for (int k = 0; k < 10; k++)
        EXPECT_EQ(seen[k] > 0, k >= 6) << k;
    int32_t a = 0;
    double o = 0;
    EXPECT_EQ(pesim_rl_replay_add(rb, &o, nullptr, &a, 0.0, nullptr, nullptr, 0, &e), PESIM_ERR_INVALID);  // no next
    pesim_rl_replay_destroy(rb);
}

// ------------------------------------------------------------ rank-prioritised replay

// Rank sampling (pesim/rl.h PESIM_RL_REPLAY_RANK) at alpha 0.7 over the 6
// rows a ring of capacity 6 holds after 9 adds (rewards 5, -1, 7 were
// overwritten; held: 3, 0.5, 9, 2, 8, -4, so rank 1 is reward 9, then 8, 3,
// 2, 0.5, -4). 60,000 draws on a fixed seed: each rank's count is within
// 4.5 binomial standard deviations sqrt(n P (1 - P)) of n P(k),
// P(k) = k^-0.7 / sum_{j<=6} j^-0.7 (the expected values are the formula's,
// not the code's), and a chi-square test against P gives p > 1e-3; the same
// counts against uniform draws (1/6) give p < 1e-6, so the test can tell
// the two apart. The ranking is rebuilt after adds: a draw before the last
// four adds sees only the rows held then, and no overwritten row is drawn.
TEST(RlReplay, RankSamplingFollowsRankToTheMinusAlpha)
{
    pesim_rl_replay *rb = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_replay_create(0, 1, 0, 6, &rb, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 0.7, 0.5, &e), PESIM_OK);
    const double rew[9] = {5, -1, 7, 3, 0.5, 9, 2, 8, -4};
    const int32_t a = 0;
    Rng rng(11);
    for (int k = 0; k < 5; k++)
        ASSERT_EQ(pesim_rl_replay_add(rb, nullptr, nullptr, &a, rew[k], nullptr, nullptr, 1, &e), PESIM_OK);
    std::vector<double> r(200);
    ASSERT_EQ(pesim_rl_replay_sample(rb, rng.r, 200, nullptr, nullptr, nullptr, r.data(), nullptr, nullptr, nullptr,
                                     &e),
              PESIM_OK);
    int top = 0;  // rank 1 of the first five is reward 7
    for (double x : r) {
        ASSERT_TRUE(x == 5 || x == -1 || x == 7 || x == 3 || x == 0.5) << x;
        top += x == 7;
    }
    EXPECT_GT(top, 200 / 5);  // P(rank 1 of 5) = 1 / (1 + 2^-.7 + 3^-.7 + 4^-.7 + 5^-.7) = 0.355
    for (int k = 5; k < 9; k++)
        ASSERT_EQ(pesim_rl_replay_add(rb, nullptr, nullptr, &a, rew[k], nullptr, nullptr, 1, &e), PESIM_OK);
    const int n = 60000;
    r.assign(n, 0);
    std::vector<double> w(n);
    ASSERT_EQ(pesim_rl_replay_sample_weighted(rb, rng.r, n, nullptr, nullptr, nullptr, r.data(), nullptr, nullptr,
                                              nullptr, w.data(), &e),
              PESIM_OK);
    const double by_rank[6] = {9, 8, 3, 2, 0.5, -4};
    double count[6] = {0}, z = 0;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < 6 && by_rank[k] != r[i]) k++;
        ASSERT_LT(k, 6) << "an overwritten row was drawn: " << r[i];
        count[k]++;
        ASSERT_NEAR(w[i], std::pow((k + 1) / 6.0, 0.7 * 0.5), 1e-15);
    }
    for (int k = 1; k <= 6; k++) z += std::pow(k, -0.7);
    double chi2 = 0, chi2_uniform = 0;
    for (int k = 0; k < 6; k++) {
        const double p = std::pow(k + 1, -0.7) / z, m = n * p;
        EXPECT_NEAR(count[k], m, 4.5 * std::sqrt(n * p * (1 - p))) << "rank " << k + 1;
        chi2 += (count[k] - m) * (count[k] - m) / m;
        chi2_uniform += (count[k] - n / 6.0) * (count[k] - n / 6.0) / (n / 6.0);
    }
    EXPECT_GT(gsl_cdf_chisq_Q(chi2, 5), 1e-3) << chi2;
    EXPECT_LT(gsl_cdf_chisq_Q(chi2_uniform, 5), 1e-6) << chi2_uniform;
    pesim_rl_replay_destroy(rb);
}

namespace {

// Adds n done transitions to rb (obs_dim 1, one head): transition k has
// obs k (its tag), action 0 and reward rew[k].
void AddTagged(pesim_rl_replay *rb, const double *rew, int n)
{
    pesim_error e;
    for (int k = 0; k < n; k++) {
        double tag = k;
        int32_t a = 0;
        ASSERT_EQ(pesim_rl_replay_add(rb, &tag, nullptr, &a, rew[k], nullptr, nullptr, 1, &e), PESIM_OK);
    }
}

}  // namespace

// The importance-sampling weights by hand, N = 4 rows (rewards 1, 4, 2, 3:
// ranks 4, 1, 3, 2), alpha 1, beta 0.5: P(k) = (1/k) / (1 + 1/2 + 1/3 + 1/4)
// = (12/25) / k, so N P(k) = 48 / (25 k); (N P(k))^-0.5 over its largest
// (k = 4: (12/25)^-0.5) is (4 / k)^-0.5 = sqrt(k / 4): rank 1 (reward 4)
// 0.5, rank 2 (3) 0.70710678, rank 3 (2) 0.8660254, rank 4 (1) 1. Equal
// rewards rank the older row first (rows 4 and 5 both 5: row 4 is rank 1;
// after the ring wrapped, the older by age, not by row).
// Alpha 0 weighs every row 1. Bad settings are PESIM_ERR_RANGE.
TEST(RlReplay, RankImportanceWeightsByHand)
{
    pesim_rl_replay *rb = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_replay_create(1, 1, 0, 10, &rb, &e), PESIM_OK);
    const double rew[4] = {1, 4, 2, 3};
    AddTagged(rb, rew, 4);
    ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 1.0, 0.5, &e), PESIM_OK);
    Rng rng(3);
    const int n = 400;
    std::vector<double> r(n), w(n), o(n);
    auto draw = [&]() {  // n rows: their obs (the row's number), reward and weight
        return pesim_rl_replay_sample_weighted(rb, rng.r, n, o.data(), nullptr, nullptr, r.data(), nullptr, nullptr,
                                               nullptr, w.data(), &e) == PESIM_OK;
    };
    ASSERT_TRUE(draw());
    const std::map<double, double> hand = {{4, 0.5}, {3, 0.70710678118654752}, {2, 0.86602540378443865}, {1, 1.0}};
    std::set<double> seen;
    for (int i = 0; i < n; i++) {
        EXPECT_NEAR(w[i], hand.at(r[i]), 1e-15) << r[i];
        EXPECT_EQ(rew[(int)o[i]], r[i]);  // the row whole
        seen.insert(r[i]);
    }
    EXPECT_EQ(seen.size(), 4u);
    // ties: rows 4 and 5 both reward 5; at alpha 30 rank 1 (row 4, the older)
    // takes 1 / (1 + 2^-30 + ...) of the draws, so all 400 here
    for (int k = 4; k < 6; k++) {
        double ok = k;
        int32_t a = 0;
        ASSERT_EQ(pesim_rl_replay_add(rb, &ok, nullptr, &a, 5.0, nullptr, nullptr, 1, &e), PESIM_OK);
    }
    ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 30.0, 1.0, &e), PESIM_OK);
    ASSERT_TRUE(draw());
    for (int i = 0; i < n; i++) {
        ASSERT_EQ(o[i], 4.0);
        ASSERT_NEAR(w[i], std::pow(1 / 6.0, 30.0), 1e-30);  // (1 / N)^(alpha beta)
    }
    ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 0.0, 1.0, &e), PESIM_OK);
    ASSERT_TRUE(draw());
    for (int i = 0; i < n; i++) {
        ASSERT_EQ(w[i], 1.0);
    }
    // ties after the ring wrapped: capacity 3, adds tagged 0-3 with rewards
    // 1, 5, 2, 5; tag 3 overwrote tag 0 in row 0, so row 0 (tag 3) is the
    // newest and row 1 (tag 1) the oldest: rank 1 is tag 1
    pesim_rl_replay *ring = nullptr;
    ASSERT_EQ(pesim_rl_replay_create(1, 1, 0, 3, &ring, &e), PESIM_OK);
    const double ring_rew[4] = {1, 5, 2, 5};
    AddTagged(ring, ring_rew, 4);
    ASSERT_EQ(pesim_rl_replay_set_sampling(ring, PESIM_RL_REPLAY_RANK, 30.0, 1.0, &e), PESIM_OK);
    ASSERT_EQ(pesim_rl_replay_sample(ring, rng.r, n, o.data(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                     &e),
              PESIM_OK);
    for (int i = 0; i < n; i++) ASSERT_EQ(o[i], 1.0);
    pesim_rl_replay_destroy(ring);
    EXPECT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, -0.1, 0.5, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 0.7, 1.5, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, NAN, 0.5, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_rl_replay_set_sampling(rb, (pesim_rl_replay_sampling)2, 0.7, 0.5, &e), PESIM_ERR_RANGE);
    pesim_rl_replay_destroy(rb);
}

// Uniform sampling is the draw it always was: row gsl_rng_uniform_int(rng,
// size) per draw (the oracle: the same generator stream replayed by hand),
// weights all 1, whether the replay was never set, set to uniform, or set
// to rank and back (a rank draw in between).
TEST(RlReplay, UniformSamplingIsUnchanged)
{
    pesim_rl_replay *rb = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_rl_replay_create(1, 1, 0, 50, &rb, &e), PESIM_OK);
    for (int k = 0; k < 37; k++) {
        double o = k;
        int32_t a = k % 3;
        ASSERT_EQ(pesim_rl_replay_add(rb, &o, nullptr, &a, 0.1 * k, nullptr, nullptr, 1, &e), PESIM_OK);
    }
    for (int round = 0; round < 3; round++) {
        if (round == 1) {
            ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_UNIFORM, 0.7, 0.5, &e), PESIM_OK);
        }
        if (round == 2) {
            ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_RANK, 0.7, 0.5, &e), PESIM_OK);
            double x;
            Rng r0(1);
            ASSERT_EQ(pesim_rl_replay_sample(rb, r0.r, 1, &x, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &e),
                      PESIM_OK);
            ASSERT_EQ(pesim_rl_replay_set_sampling(rb, PESIM_RL_REPLAY_UNIFORM, 0.7, 0.5, &e), PESIM_OK);
        }
        Rng a(5), b(5);
        const int n = 500;
        std::vector<double> o(n), w(n);
        ASSERT_EQ(pesim_rl_replay_sample_weighted(rb, a.r, n, o.data(), nullptr, nullptr, nullptr, nullptr, nullptr,
                                                  nullptr, w.data(), &e),
                  PESIM_OK);
        for (int i = 0; i < n; i++) {
            ASSERT_EQ(o[i], (double)gsl_rng_uniform_int(b.r, 37)) << "round " << round << " draw " << i;
            ASSERT_EQ(w[i], 1.0);
        }
    }
    pesim_rl_replay_destroy(rb);
}
