// nest_test.cc - the closed-form access counts of sim/nest against the
// brute-force reference walker (tests/nest_ref.h) on thousands of random
// (architecture, layer, mapping) cases in both counting conventions:
// imperfect factors, halos, several dims per spatial axis, and operands that
// bypass a level whose temporal loops sit below a parent's spatial split.
#include <gtest/gtest.h>

#include "nest_ref.h"
#include "test_util.h"

extern "C" {
#include "nest/nest.h"
}

static void expect_same(const pesim_arch &a, const pesim_nest_counts &nc, const RefCounts &ref, int seed)
{
    ASSERT_EQ(nc.macs, ref.macs) << "seed " << seed;
    ASSERT_EQ(nc.temporal_steps, ref.temporal_steps) << "seed " << seed;
    for (int lv = 0; lv < a.n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access &x = nc.access[lv][t], &y = ref.access[lv][t];
            ASSERT_EQ(x.reads, y.reads) << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
            ASSERT_EQ(x.fills, y.fills) << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
            ASSERT_EQ(x.updates, y.updates)
                << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
        }
}

// Runs `cases` random cases in one convention; returns how many were in the
// class that bypasses a level whose temporal loops sit below a spatial split,
// and how many put two dims on one spatial axis.
static void check_random(int conv, int cases, int seed0, int *bypass_class, int *multi_axis)
{
    *bypass_class = *multi_axis = 0;
    for (int seed = 1; seed <= cases; seed++) {
        TestRng rng(seed + seed0);
        bool general = seed % 2 == 0;
        pesim_arch a = general ? test_arch_wide(rng, (int)rng.uni(2, 4)) : test_arch(rng, (int)rng.uni(2, 4));
        a.conventions = conv;
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 5),
                                   rng.uni(1, 3), rng.uni(1, 3), rng.uni(1, 2), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = general ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
        pesim_nest_counts nc;
        char reason[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "seed " << seed << ": " << reason;
        RefCounts ref = nest_reference(a, l, m);
        expect_same(a, nc, ref, seed);
        if (::testing::Test::HasFatalFailure()) return;
        *bypass_class += test_bypass_below_spatial(a, l, m);
        *multi_axis += test_multi_dim_axis(m);
    }
}

TEST(Nest, PesimConventionMatchesReference)
{
    int bypass_class, multi_axis;
    check_random(PESIM_CONV_PESIM, 3000, 0, &bypass_class, &multi_axis);
    EXPECT_GT(bypass_class, 200); // the class that used to be refused as "unsupported"
    EXPECT_GT(multi_axis, 300);
}

TEST(Nest, TimeloopConventionMatchesReference)
{
    int bypass_class, multi_axis;
    check_random(PESIM_CONV_TIMELOOP, 3000, 50000, &bypass_class, &multi_axis);
    EXPECT_GT(bypass_class, 200);
    EXPECT_GT(multi_axis, 300);
}

// Thousands of mappings of the class that used to be refused: an operand
// bypasses a level whose temporal loop over a dim it depends on sits below a
// spatial split of that dim (the children's union is a comb), half of them
// with two dims on a spatial axis too.
TEST(Nest, BypassBelowSpatialSplitMatchesReference)
{
    int checked[PESIM_CONV_COUNT] = {0, 0}, multi = 0;
    for (int seed = 1; checked[0] + checked[1] < 2000; seed++) {
        ASSERT_LT(seed, 20000) << "the generator rarely makes the class";
        TestRng rng(seed + 123456);
        int conv = seed % 2;
        pesim_arch a = test_arch_wide(rng, (int)rng.uni(3, 4));
        a.conventions = conv;
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 5), rng.uni(1, 3),
                                   rng.uni(1, 3), rng.uni(1, 2), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
        pesim_mapping m = test_mapping_general(rng, a, l);
        if (!test_bypass_below_spatial(a, l, m)) continue;
        pesim_nest_counts nc;
        char reason[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "seed " << seed << ": " << reason;
        expect_same(a, nc, nest_reference(a, l, m), seed);
        if (HasFatalFailure()) return;
        checked[conv]++;
        multi += test_multi_dim_axis(m);
    }
    EXPECT_GE(checked[PESIM_CONV_PESIM], 900);
    EXPECT_GE(checked[PESIM_CONV_TIMELOOP], 900);
    EXPECT_GT(multi, 300);
}

// Larger windows: strides and dilations up to 3, filters up to 5, so that
// halos, gaps between windows (stride > dilation) and the diagonal sharing of
// row-stationary arrays all occur.
TEST(Nest, WindowsMatchReferenceInBothConventions)
{
    for (int conv = 0; conv < PESIM_CONV_COUNT; conv++)
        for (int seed = 1; seed <= 800; seed++) {
            TestRng rng(seed + 90000 + conv * 7);
            pesim_arch a = test_arch(rng, (int)rng.uni(2, 3));
            a.conventions = conv;
            pesim_layer l = test_layer(1, 1, rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 7), rng.uni(1, 3),
                                       rng.uni(1, 5), rng.uni(1, 3), (int)rng.uni(1, 3), (int)rng.uni(1, 3));
            pesim_mapping m = test_mapping(rng, a, l);
            pesim_nest_counts nc;
            char reason[PESIM_REASON_MAX];
            ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << reason;
            expect_same(a, nc, nest_reference(a, l, m), seed);
            if (HasFatalFailure()) return;
        }
}
