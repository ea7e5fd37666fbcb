// walk_test.cc - the block walker (sim/nest/walk.c) reports transfers whose
// words, summed over every block, equal the closed-form counts of
// pesim_nest_count exactly, and compute steps that add up to the temporal steps.
#include <gtest/gtest.h>

#include "test_util.h"

extern "C" {
#include "nest/nest.h"
#include "nest/walk.h"
}

static void walk_sum(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m, pesim_nest_counts *out,
                     int64_t *blocks)
{
    memset(out, 0, sizeof *out);
    pesim_walk w;
    pesim_block b;
    pesim_walk_init(&w, &a, &l, &m);
    *blocks = 0;
    while (pesim_walk_next(&w, &b)) {
        ++*blocks;
        out->temporal_steps += b.steps;
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer &x = b.xfer[i];
            pesim_access &pa = out->access[x.parent][x.tensor];
            pa.reads += x.parent_reads;
            pa.updates += x.parent_updates;
            if (x.child >= 0) {
                out->access[x.child][x.tensor].fills += x.child_fills;
                out->access[x.child][x.tensor].reads += x.child_reads;
            }
        }
    }
}

// A random machine (2 to 4 levels; the wide ones on even seeds, with
// general mappings), layer and structurally valid mapping, of the "timeloop"
// conventions on every other pair of seeds; the generator is seeded with
// seed + offset.
static void random_case(int seed, int offset, pesim_arch *a, pesim_layer *l, pesim_mapping *m)
{
    TestRng rng(seed + offset);
    bool general = seed % 2 == 0;
    *a = general ? test_arch_wide(rng, (int)rng.uni(2, 4)) : test_arch(rng, (int)rng.uni(2, 4));
    a->conventions = (seed / 2) % 2 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
    *l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 7), rng.uni(1, 4),
                    rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
    *m = general ? test_mapping_general(rng, *a, *l) : test_mapping(rng, *a, *l);
}

TEST(Walk, BlocksAddUpToTheClosedForm)
{
    int checked = 0, bypass_class = 0;
    for (int seed = 1; seed <= 4000; seed++) {
        pesim_arch a;
        pesim_layer l;
        pesim_mapping m;
        random_case(seed, 7777, &a, &l, &m);
        pesim_nest_counts nc, ws;
        char reason[PESIM_REASON_MAX];
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "seed " << seed << ": " << reason;
        int64_t blocks;
        walk_sum(a, l, m, &ws, &blocks);
        ASSERT_EQ(ws.temporal_steps, nc.temporal_steps) << "seed " << seed;
        for (int lv = 0; lv < a.n_levels; lv++)
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                const pesim_access &x = ws.access[lv][t], &y = nc.access[lv][t];
                ASSERT_EQ(x.reads, y.reads) << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
                ASSERT_EQ(x.fills, y.fills) << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
                ASSERT_EQ(x.updates, y.updates) << "seed " << seed << " level " << lv << " " << pesim_tensor_name((pesim_tensor)t);
            }
        checked++;
        bypass_class += test_bypass_below_spatial(a, l, m);
    }
    EXPECT_EQ(checked, 4000);
    EXPECT_GT(bypass_class, 400);
}

// The largest instance's words (pesim_xfer.parent_max, update_max, fill_max,
// child_max) bound the average from above and the total from below: the
// instances' words add up to the total, so the largest is at least the mean
// (x instances >= total) and at most all of it. With perfect factors (every
// dim's factors multiply to its bound: no tile is clipped) every instance
// moves the same, so largest x instances == total exactly. Random machines
// and mappings of both conventions; the SystemC reference's own maxima
// (SystemCLoopNest.BlocksEqualTheWalker) check the values themselves.
TEST(Walk, LargestInstanceBoundsTheAverage)
{
    int checked = 0, perfect = 0, unequal = 0;
    for (int seed = 1; seed <= 1500; seed++) {
        pesim_arch a;
        pesim_layer l;
        pesim_mapping m;
        random_case(seed, 9191, &a, &l, &m);
        char reason[PESIM_REASON_MAX];
        static pesim_nest_counts nc;
        ASSERT_TRUE(pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) << "seed " << seed << ": " << reason;
        bool exact = true;
        for (int d = 0; d < PESIM_NDIMS; d++) {
            int64_t f = 1;
            for (int lv = 0; lv < m.n_levels; lv++)
                f *= m.level[lv].temporal[d] * m.level[lv].spatial_x[d] * m.level[lv].spatial_y[d];
            exact = exact && f == l.dim[d];
        }
        perfect += exact;
        static pesim_walk w;
        static pesim_block b;
        pesim_walk_init(&w, &a, &l, &m);
        while (pesim_walk_next(&w, &b))
            for (int i = 0; i < b.n_xfers; i++) {
                const pesim_xfer &x = b.xfer[i];
                const int64_t np = pesim_mapping_instances(&m, x.parent);
                struct { int64_t largest, total; const char *what; } s[3] = {
                    {x.parent_max, x.parent_reads, "parent_max"},
                    {x.update_max, x.parent_updates, "update_max"},
                    {x.fill_max, x.stream ? 0 : x.child_fills, "fill_max"}};
                for (const auto &v : s) {
                    if (np == 1) {
                        ASSERT_EQ(v.largest, 0) << "seed " << seed << " " << v.what;
                        continue;
                    }
                    ASSERT_GE(v.largest * np, v.total) << "seed " << seed << " " << v.what;
                    ASSERT_LE(v.largest, v.total) << "seed " << seed << " " << v.what;
                    if (exact) {
                        ASSERT_EQ(v.largest * np, v.total) << "seed " << seed << " " << v.what;
                    }
                    unequal += v.largest * np != v.total;
                }
                if (x.stream) continue;
                const int64_t nc_ = pesim_mapping_instances(&m, x.child);
                const int64_t tile = x.tensor == PESIM_OUTPUTS && x.child_reads ? x.child_reads : x.child_fills;
                ASSERT_GE(x.child_max * nc_, tile) << "seed " << seed << " child_max";
                if (exact) {
                    ASSERT_EQ(x.child_max * nc_, tile) << "seed " << seed << " child_max";
                }
            }
        checked++;
    }
    EXPECT_EQ(checked, 1500);
    EXPECT_GT(perfect, 50);  // both kinds are drawn (82 perfect of 1500)
    EXPECT_GT(unequal, 1000);
}
