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

TEST(Walk, BlocksAddUpToTheClosedForm)
{
    int checked = 0, bypass_class = 0;
    for (int seed = 1; seed <= 4000; seed++) {
        TestRng rng(seed + 7777);
        bool general = seed % 2 == 0;
        pesim_arch a = general ? test_arch_wide(rng, (int)rng.uni(2, 4)) : test_arch(rng, (int)rng.uni(2, 4));
        a.conventions = (seed / 2) % 2 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
        pesim_layer l = test_layer(rng.uni(1, 2), rng.uni(1, 2), rng.uni(1, 6), rng.uni(1, 5), rng.uni(1, 7),
                                   rng.uni(1, 4), rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2),
                                   (int)rng.uni(1, 2));
        pesim_mapping m = general ? test_mapping_general(rng, a, l) : test_mapping(rng, a, l);
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
