// nest_test.cc - the closed-form access counts of sim/nest against the
// brute-force reference walker (tests/nest_ref.h) on thousands of random
// (architecture, layer, mapping) cases, imperfect factors and halos included.
#include <gtest/gtest.h>

#include "nest_ref.h"
#include "test_util.h"

extern "C" {
#include "nest/nest.h"
}

static void expect_same(const pesim_arch &a, const pesim_layer &, const pesim_mapping &m, const pesim_nest_counts &nc,
                        const RefCounts &ref, int seed)
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
    (void)m;
}

TEST(Nest, MatchesReferenceOnRandomMappings)
{
    int checked = 0, unsupported = 0;
    for (int seed = 1; seed <= 3000; seed++) {
        TestRng rng(seed);
        pesim_arch a = test_arch(rng, (int)rng.uni(2, 4));
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 5),
                                   rng.uni(1, 3), rng.uni(1, 3), rng.uni(1, 2), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_nest_counts nc;
        char reason[PESIM_REASON_MAX];
        if (!pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) {
            ASSERT_TRUE(strstr(reason, "unsupported") != nullptr) << "seed " << seed << ": " << reason;
            unsupported++;
            continue;
        }
        RefCounts ref = nest_reference(a, l, m);
        expect_same(a, l, m, nc, ref, seed);
        if (::testing::Test::HasFatalFailure()) return;
        checked++;
    }
    EXPECT_GT(checked, 2500);
    RecordProperty("unsupported", unsupported);
}
