// mapping_test.cc - the canonical form of a mapping (pesim_mapping_canonical,
// docs/model.md section 8): it keeps every access count, it is idempotent and
// structurally valid, equivalent mappings (loops of trip count 1 anywhere in an
// order, factors past what a dim needs, bypass flags where nothing is kept)
// share it and the search's design hash, and instance counting.
#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"

extern "C" {
#include "nest/nest.h"
#include "../search/space_impl.h"
}

static bool same_counts(const pesim_nest_counts &x, const pesim_nest_counts &y)
{
    return memcmp(x.access, y.access, sizeof x.access) == 0 && x.macs == y.macs &&
           x.temporal_steps == y.temporal_steps;
}

TEST(MappingCanonical, KeepsCountsAndIsIdempotent)
{
    int changed = 0;
    for (int seed = 1; seed <= 2000; seed++) {
        TestRng rng(seed + 31337);
        bool general = seed % 2 == 0;
        pesim_arch a = general ? test_arch_wide(rng, (int)rng.uni(2, 4)) : test_arch(rng, (int)rng.uni(2, 4));
        a.conventions = seed % 3 == 0 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 7),
                                   rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = general ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
        pesim_mapping c = m;
        pesim_mapping_canonical(&a, &l, &c);
        pesim_error e;
        ASSERT_EQ(pesim_mapping_check(&c, &a, &l, &e), PESIM_OK) << "seed " << seed << ": " << e.msg;
        pesim_nest_counts n1, n2;
        char r1[PESIM_REASON_MAX], r2[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &n1, r1, sizeof r1)) << r1;
        ASSERT_TRUE(pesim_nest_count(&a, &l, &c, &n2, r2, sizeof r2)) << r2;
        ASSERT_TRUE(same_counts(n1, n2)) << "seed " << seed;
        pesim_mapping c2 = c;
        pesim_mapping_canonical(&a, &l, &c2);
        ASSERT_EQ(memcmp(&c, &c2, sizeof c), 0) << "seed " << seed;
        changed += memcmp(&c, &m, sizeof c) != 0;
    }
    EXPECT_GT(changed, 1000);
}

// Variants of one mapping that mean the same: they have one canonical form
// and one search hash; a mapping that differs in a factor that matters does not.
TEST(MappingCanonical, EquivalentMappingsHashEqual)
{
    for (int seed = 1; seed <= 500; seed++) {
        TestRng rng(seed + 4711);
        pesim_arch a = test_arch_wide(rng, 3);
        pesim_layer l = test_layer(1, rng.uni(1, 2), rng.uni(2, 6), rng.uni(1, 5), rng.uni(2, 7), rng.uni(1, 4),
                                   rng.uni(1, 3), rng.uni(1, 3));
        pesim_mapping m = test_mapping_general(rng, a, l);
        pesim_mapping v = m;
        for (int lv = 0; lv < a.n_levels; lv++) {
            pesim_level_map &lm = v.level[lv];
            // shuffle the loops of trip count 1 among themselves
            test_shuffle_order(rng, lm);
            uint8_t keep[PESIM_NDIMS];
            int n = 0;
            for (int i = 0; i < PESIM_NDIMS; i++)
                if (m.level[lv].temporal[m.level[lv].order[i]] > 1) keep[n++] = m.level[lv].order[i];
            for (int i = 0, j = 0; i < PESIM_NDIMS; i++)
                if (lm.temporal[lm.order[i]] > 1) lm.order[i] = keep[j++];
            for (int t = 0; t < PESIM_NTENSORS; t++)
                if (!a.level[lv].keeps[t] || lv == a.n_levels - 1) lm.bypass[t] = 1;
        }
        // the outermost level may run more iterations of a covered dim
        int top = a.n_levels - 1;
        for (int d = 0; d < PESIM_NDIMS; d++)
            if (pesim_mapping_dim_product(&v, (pesim_dim)d) >= l.dim[d] * v.level[top].temporal[d])
                v.level[top].temporal[d] *= 2;
        pesim_mapping cm = m, cv = v;
        pesim_mapping_canonical(&a, &l, &cm);
        pesim_mapping_canonical(&a, &l, &cv);
        ASSERT_EQ(memcmp(&cm, &cv, sizeof cm), 0) << "seed " << seed;
        EXPECT_EQ(srch_hash_mapping(1, &a, &l, &m), srch_hash_mapping(1, &a, &l, &v)) << "seed " << seed;
        // a different tiling is a different design
        pesim_mapping w = m;
        int d = PESIM_DIM_K;
        w.level[0].temporal[d] = m.level[0].temporal[d] + 1;
        w.level[top].temporal[d] = l.dim[d];
        pesim_mapping cw = w;
        pesim_mapping_canonical(&a, &l, &cw);
        if (memcmp(&cw, &cm, sizeof cw) != 0) {
            EXPECT_NE(srch_hash_mapping(1, &a, &l, &w), srch_hash_mapping(1, &a, &l, &m)) << "seed " << seed;
        }
    }
}

// Instances are counted in one place: the product of the spatial factors above a level.
TEST(MappingInstances, ProductOfTheFanOutsAbove)
{
    pesim_mapping m;
    pesim_mapping_init(&m, 3);
    m.level[2].spatial_x[PESIM_DIM_K] = 4;
    m.level[2].spatial_y[PESIM_DIM_C] = 3;
    m.level[1].spatial_x[PESIM_DIM_P] = 2;
    m.level[0].spatial_x[PESIM_DIM_Q] = 5;
    EXPECT_EQ(pesim_mapping_instances(&m, 2), 1);
    EXPECT_EQ(pesim_mapping_instances(&m, 1), 12);
    EXPECT_EQ(pesim_mapping_instances(&m, 0), 24);
    EXPECT_EQ(pesim_mapping_instances(&m, -1), 120); // the MAC lanes
}
