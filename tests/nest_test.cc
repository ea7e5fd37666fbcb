// nest_test.cc - the closed-form access counts of sim/nest against the
// brute-force reference walker (tests/nest_ref.h) on thousands of random
// (architecture, layer, mapping) cases in both counting conventions:
// imperfect factors, halos, several dims per spatial axis, and operands that
// bypass a level whose temporal loops sit below a parent's spatial split.
#include <gtest/gtest.h>

#include <cstring>
#include <utility>

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
        /* "timeloop": every third case with first-read elision */
        a.first_read_elision = conv == PESIM_CONV_TIMELOOP && seed % 3 == 0;
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
        a.first_read_elision = conv == PESIM_CONV_TIMELOOP && seed % 4 == 1;
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

// Deep hierarchies, 9 to PESIM_MAX_LEVELS levels (a Timeloop design with a
// dummy level per fan-out has 9): the same counts as the reference, in both
// conventions, with fan-outs on a few levels (the MAC count stays small).
TEST(Nest, DeepHierarchiesMatchReference)
{
    int deep = 0;
    for (int seed = 1; seed <= 600; seed++) {
        TestRng rng(seed + 777000);
        bool general = seed % 2 == 0;
        int levels = (int)rng.uni(9, PESIM_MAX_LEVELS);
        pesim_arch a = general ? test_arch_wide(rng, levels) : test_arch(rng, levels);
        test_thin_fanouts(rng, a);
        a.conventions = seed % 4 < 2 ? PESIM_CONV_PESIM : PESIM_CONV_TIMELOOP;
        a.first_read_elision = a.conventions == PESIM_CONV_TIMELOOP && seed % 3 == 0;
        pesim_error e;
        ASSERT_EQ(pesim_arch_check(&a, "deep", &e), PESIM_OK) << "seed " << seed << ": " << e.key << ": " << e.msg;
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 4), rng.uni(1, 3),
                                   rng.uni(1, 3), rng.uni(1, 2), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
        pesim_mapping m = general ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
        pesim_nest_counts nc;
        char reason[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "seed " << seed << ": " << reason;
        expect_same(a, nc, nest_reference(a, l, m), seed);
        if (HasFatalFailure()) return;
        deep += levels > 8;
    }
    EXPECT_EQ(deep, 600);
}

// A spatial factor past its level's fan-out is refused on every level of a
// deep hierarchy too (the per-level products start at 1 on all of them).
TEST(Nest, SpatialPastFanoutRefusedOnDeepLevels)
{
    TestRng rng(4242);
    pesim_arch a = test_arch(rng, PESIM_MAX_LEVELS);
    for (int lv = 0; lv < a.n_levels; lv++) a.level[lv].fanout_x = a.level[lv].fanout_y = 1;
    pesim_layer l = test_layer(1, 1, 4, 1, 1, 1, 1, 1, 1, 1);
    for (int lv = 0; lv < a.n_levels - 1; lv++) {
        pesim_mapping m;
        pesim_mapping_init(&m, a.n_levels);
        m.level[lv].spatial_x[PESIM_DIM_K] = 2;
        m.level[lv].temporal[PESIM_DIM_K] = 2;
        pesim_nest_counts nc;
        char reason[PESIM_REASON_MAX];
        EXPECT_FALSE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "level " << lv;
        a.level[lv].fanout_x = 2; /* now it fits */
        EXPECT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "level " << lv << ": " << reason;
        a.level[lv].fanout_x = 1;
    }
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

// pesim_mapping_instances_all gives every level's pesim_mapping_instances.
TEST(Nest, InstancesInOnePassAreTheMappingsInstances)
{
    for (int seed = 1; seed <= 500; seed++) {
        TestRng rng(seed + 7100);
        pesim_arch a = test_arch_wide(rng, (int)rng.uni(2, 5));
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 5),
                                   rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping_general(rng, a, l);
        int64_t inst[PESIM_MAX_LEVELS];
        pesim_mapping_instances_all(&m, inst);
        for (int lv = 0; lv < a.n_levels; lv++) ASSERT_EQ(inst[lv], pesim_mapping_instances(&m, lv)) << "seed " << seed;
    }
}

// The word-hops of a network as the model first defined them (every dim's
// axis stride a product taken from its place in the axis order), for the
// unicast and systolic kinds that use the strides.
static double hops_reference(const pesim_arch &a, const pesim_mapping &m, int lv, int t, int64_t ingress,
                             int64_t delivered)
{
    const pesim_level_map &lm = m.level[lv];
    if (ingress <= 0) return 0;
    auto stride = [&](int y, int d) {
        const uint8_t *ord = y ? lm.order_y : lm.order_x;
        const int64_t *f = y ? lm.spatial_y : lm.spatial_x;
        double st = 1;
        int after = 0;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int e = ord[i] & 7;
            if (after) st *= (double)f[e];
            if (e == d) after = 1;
        }
        return st;
    };
    pesim_noc_kind kind = a.level[lv].noc[t].kind;
    if (kind == PESIM_NOC_UNICAST || kind == PESIM_NOC_MESH) {
        double mean = 1;
        for (int d = 0; d < PESIM_NDIMS; d++)
            mean += (double)(lm.spatial_x[d] - 1) / 2 * stride(0, d) + (double)(lm.spatial_y[d] - 1) / 2 * stride(1, d);
        return (double)delivered * mean;
    }
    int along = t == PESIM_OUTPUTS;
    const int64_t *fa = along ? lm.spatial_y : lm.spatial_x, *fl = along ? lm.spatial_x : lm.spatial_y;
    double far = 0, lines = 1;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int rel = pesim_dim_relevant((pesim_tensor)t, (pesim_dim)d);
        far += (double)(fa[d] - 1) * (rel ? 0.5 : 1) * stride(along, d);
        if (!rel) lines *= (double)fl[d];
    }
    return (double)ingress * lines * (1 + far);
}

// The axis strides computed in one pass give the same hops, bit for bit.
TEST(Nest, HopsMatchTheStrideByStrideDefinition)
{
    int compared = 0;
    for (int seed = 1; seed <= 1000; seed++) {
        TestRng rng(seed + 7300);
        pesim_arch a = test_arch_wide(rng, (int)rng.uni(2, 4));
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 8), rng.uni(1, 6), rng.uni(1, 5),
                                   rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping_general(rng, a, l);
        for (int lv = 0; lv < a.n_levels; lv++) {
            pesim_level_map &lm = m.level[lv];
            for (int i = PESIM_NDIMS - 1; i > 0; i--) { // random axis orders too
                int j = (int)rng.uni(0, i), k = (int)rng.uni(0, i);
                std::swap(lm.order_x[i], lm.order_x[j]);
                std::swap(lm.order_y[i], lm.order_y[k]);
            }
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                a.level[lv].noc[t].kind = rng.coin(50) ? PESIM_NOC_UNICAST : PESIM_NOC_SYSTOLIC;
                int64_t in = rng.uni(1, 1000), dl = in * rng.uni(1, 16);
                double got = pesim_nest_hops(&a, &m, lv, t, PESIM_CONV_PESIM, in, dl);
                double want = hops_reference(a, m, lv, t, in, dl);
                ASSERT_EQ(memcmp(&got, &want, sizeof got), 0) << "seed " << seed << ": " << got << " vs " << want;
                compared += pesim_nest_mesh_hops(&m, lv) > 1; // two spatial factors or more: strides matter
            }
        }
    }
    EXPECT_GT(compared, 1000);
}
