// surrogate_test.cc - the XGBoost ensemble surrogate (pesim/surrogate.h): it
// fits a known function within a stated error on held-back samples, its
// spread is larger off the data than on it, it is deterministic per seed,
// and its byte form round-trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

extern "C" {
#include "pesim/surrogate.h"
}

namespace {

// f(a, b) = sin(3a) + b^2 on [0, 1]^2: smooth, range about [0, 2].
double f(double a, double b) { return std::sin(3 * a) + b * b; }

// n points on a fixed low-discrepancy grid (no rng in the test).
void grid(int n, int offset, std::vector<double> &x, std::vector<double> &y)
{
    for (int i = 0; i < n; i++) {
        double a = std::fmod((i + offset) * 0.618033988749895, 1.0);
        double b = std::fmod((i + offset) * 0.754877666246693, 1.0);
        x.push_back(a);
        x.push_back(b);
        y.push_back(f(a, b));
    }
}

struct Sur {
    pesim_surrogate *s = nullptr;
    explicit Sur(uint64_t seed, int32_t nf = 2)
    {
        pesim_surrogate_options o;
        pesim_surrogate_options_default(&o);
        o.seed = seed;
        pesim_error e;
        EXPECT_EQ(pesim_surrogate_create(nf, &o, &s, &e), PESIM_OK) << e.msg;
    }
    ~Sur() { pesim_surrogate_destroy(s); }
};

}  // namespace

// Fit on 300 samples, score on 100 others: RMSE below 0.1 (5% of the range).
TEST(Surrogate, FitsAKnownFunctionWithinABoundOnHeldBackSamples)
{
    std::vector<double> x, y, hx, hy;
    grid(300, 0, x, y);
    grid(100, 1000, hx, hy);
    Sur s(7);
    pesim_error e;
    ASSERT_EQ(pesim_surrogate_add(s.s, x.data(), y.data(), 300, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_surrogate_fit(s.s, &e), PESIM_OK) << e.msg;
    double rmse = 0;
    ASSERT_EQ(pesim_surrogate_rmse(s.s, hx.data(), hy.data(), 100, &rmse, &e), PESIM_OK) << e.msg;
    printf("surrogate: held-back RMSE %.4f on sin(3a) + b^2 (range ~2)\n", rmse);
    EXPECT_LT(rmse, 0.1);
    // A constant predictor (the mean) does far worse: the fit is real.
    double m = 0, var = 0;
    for (double v : hy) m += v / 100;
    for (double v : hy) var += (v - m) * (v - m) / 100;
    EXPECT_LT(rmse, 0.25 * std::sqrt(var));
}

// Trained where a == b only (the diagonal), target a + b: members that split
// on a and those that split on b agree on the diagonal and disagree off it.
TEST(Surrogate, SpreadIsLargerOffTheData)
{
    std::vector<double> x, y;
    for (int i = 0; i < 200; i++) {
        double a = i / 199.0;
        x.push_back(a);
        x.push_back(a);
        y.push_back(2 * a);
    }
    Sur s(3);
    pesim_error e;
    ASSERT_EQ(pesim_surrogate_add(s.s, x.data(), y.data(), 200, &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_fit(s.s, &e), PESIM_OK) << e.msg;
    std::vector<double> on, off;
    for (int i = 0; i < 20; i++) {
        double a = (i + 0.5) / 20;
        on.push_back(a), on.push_back(a);
        off.push_back(a), off.push_back(1 - a);
    }
    std::vector<double> m_on(20), s_on(20), m_off(20), s_off(20);
    ASSERT_EQ(pesim_surrogate_predict(s.s, on.data(), 20, m_on.data(), s_on.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_predict(s.s, off.data(), 20, m_off.data(), s_off.data(), &e), PESIM_OK);
    double son = 0, soff = 0;
    for (int i = 0; i < 20; i++) son += s_on[i] / 20, soff += s_off[i] / 20;
    printf("surrogate: mean spread on the data %.4f, off it %.4f\n", son, soff);
    EXPECT_GT(soff, 2 * son);
}

TEST(Surrogate, DeterministicPerSeedAndRoundTripsThroughBytes)
{
    std::vector<double> x, y, hx, hy;
    grid(120, 0, x, y);
    grid(30, 500, hx, hy);
    Sur a(11), b(11), c(12);
    pesim_error e;
    for (Sur *s : {&a, &b, &c}) {
        ASSERT_EQ(pesim_surrogate_add(s->s, x.data(), y.data(), 120, &e), PESIM_OK);
        ASSERT_EQ(pesim_surrogate_fit(s->s, &e), PESIM_OK) << e.msg;
    }
    std::vector<double> ma(30), sa(30), mb(30), sb(30), mc(30), sc(30);
    ASSERT_EQ(pesim_surrogate_predict(a.s, hx.data(), 30, ma.data(), sa.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_predict(b.s, hx.data(), 30, mb.data(), sb.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_predict(c.s, hx.data(), 30, mc.data(), sc.data(), &e), PESIM_OK);
    EXPECT_EQ(ma, mb);
    EXPECT_EQ(sa, sb);
    EXPECT_NE(sa, sc);  // another seed, other bootstraps

    unsigned char *buf = nullptr;
    size_t len = 0;
    ASSERT_EQ(pesim_surrogate_save(a.s, &buf, &len, &e), PESIM_OK) << e.msg;
    pesim_surrogate *l = nullptr;
    ASSERT_EQ(pesim_surrogate_load(buf, len, &l, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_surrogate_n_samples(l), 120);
    std::vector<double> ml(30), sl(30);
    ASSERT_EQ(pesim_surrogate_predict(l, hx.data(), 30, ml.data(), sl.data(), &e), PESIM_OK) << e.msg;
    EXPECT_EQ(ma, ml);
    EXPECT_EQ(sa, sl);
    // The loaded one refits as the original does (same samples, same rng state).
    std::vector<double> x2, y2;
    grid(10, 2000, x2, y2);
    ASSERT_EQ(pesim_surrogate_add(a.s, x2.data(), y2.data(), 10, &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_add(l, x2.data(), y2.data(), 10, &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_fit(a.s, &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_fit(l, &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_predict(a.s, hx.data(), 30, ma.data(), sa.data(), &e), PESIM_OK);
    ASSERT_EQ(pesim_surrogate_predict(l, hx.data(), 30, ml.data(), sl.data(), &e), PESIM_OK);
    EXPECT_EQ(ma, ml);
    EXPECT_EQ(sa, sl);
    pesim_surrogate_destroy(l);
    // A truncated form is an error, not a crash.
    EXPECT_EQ(pesim_surrogate_load(buf, len / 2, &l, &e), PESIM_ERR_INVALID);
    EXPECT_EQ(l, nullptr);
    free(buf);
}

TEST(Surrogate, BadInputIsAnError)
{
    Sur s(1);
    pesim_error e;
    double x[2] = {0, NAN}, y[1] = {1};
    EXPECT_EQ(pesim_surrogate_add(s.s, x, y, 1, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_surrogate_n_samples(s.s), 0);
    EXPECT_EQ(pesim_surrogate_fit(s.s, &e), PESIM_ERR_INVALID);
    double m = 0;
    EXPECT_EQ(pesim_surrogate_predict(s.s, x, 1, &m, nullptr, &e), PESIM_ERR_INVALID);
    unsigned char *buf = nullptr;  // an empty one round-trips too
    size_t len = 0;
    ASSERT_EQ(pesim_surrogate_save(s.s, &buf, &len, &e), PESIM_OK);
    pesim_surrogate *l = nullptr;
    ASSERT_EQ(pesim_surrogate_load(buf, len, &l, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_surrogate_n_samples(l), 0);
    EXPECT_FALSE(pesim_surrogate_fitted(l));
    pesim_surrogate_destroy(l);
    free(buf);
    pesim_surrogate_options o;
    pesim_surrogate_options_default(&o);
    o.colsample = 2;
    pesim_surrogate *bad = nullptr;
    EXPECT_EQ(pesim_surrogate_create(2, &o, &bad, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "colsample");
}
