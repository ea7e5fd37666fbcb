// rl_test_util.h - helpers shared by the RL core's test suites
// (rl_net_test.cc, rl_learn_test.cc).
#ifndef PESIM_TESTS_RL_TEST_UTIL_H
#define PESIM_TESTS_RL_TEST_UTIL_H

#include "pesim/rl.h"

#include <gsl/gsl_rng.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

// A seeded mt19937 that frees itself.
struct Rng {
    gsl_rng *r;
    explicit Rng(unsigned long seed) : r(gsl_rng_alloc(gsl_rng_mt19937)) { gsl_rng_set(r, seed); }
    ~Rng() { gsl_rng_free(r); }
    Rng(const Rng &) = delete;
    Rng &operator=(const Rng &) = delete;
    double normal() { return gsl_rng_uniform(r) * 2 - 1; }  // uniform in [-1, 1)
};

// A network that destroys itself.
struct Net {
    pesim_rl_net *n = nullptr;
    Net() = default;
    Net(const Net &) = delete;
    Net &operator=(const Net &) = delete;
    ~Net() { pesim_rl_net_destroy(n); }
    const pesim_rl_layout *L() const { return pesim_rl_net_layout(n); }
};

// An MLP config; head_sizes points into `heads` (keep it alive). head_gain 1:
// larger first logits than the default 0.01, so that gradients test something.
inline pesim_rl_mlp_config mlp_config(int in, std::vector<int> hidden, pesim_rl_act act,
                                      const std::vector<int32_t> &heads, int values, double head_gain = 1.0)
{
    pesim_rl_mlp_config c;
    memset(&c, 0, sizeof c);
    c.in_dim = in;
    c.n_hidden = (int32_t)hidden.size();
    for (size_t i = 0; i < hidden.size(); i++)
        c.hidden[i] = hidden[i];
    c.act = act;
    c.n_heads = (int32_t)heads.size();
    c.head_sizes = heads.data();
    c.n_values = values;
    c.head_gain = head_gain;
    return c;
}

// The policy's probabilities of head h for one observation.
inline std::vector<double> probs(pesim_rl_net *n, const double *obs, const uint8_t *mask, int h)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(n);
    std::vector<double> out(L->out_dim), p(L->head_size[h]);
    pesim_error e;
    EXPECT_EQ(pesim_rl_net_forward(n, obs, 1, out.data(), &e), PESIM_OK);
    pesim_rl_softmax(out.data() + L->head_offset[h], mask ? mask + L->head_offset[h] : nullptr, L->head_size[h], 1.0,
                     p.data());
    return p;
}

#endif
