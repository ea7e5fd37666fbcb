/* reduce.c - the latency of in-network reduction (docs/engine.md, "Networks"). */
#include "pesim/engine.h"

int64_t pesim_engine_reduce_latency_cycles(const pesim_arch *a, const pesim_mapping *m, int level)
{
    if (level < 0 || level >= a->n_levels || level >= m->n_levels) return 0;
    const pesim_noc *noc = &a->level[level].noc[PESIM_OUTPUTS];
    if (noc->kind == PESIM_NOC_SYSTOLIC) return 0;
    int64_t n = 1;
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (!pesim_dim_relevant(PESIM_OUTPUTS, (pesim_dim)d))
            n *= m->level[level].spatial_x[d] * m->level[level].spatial_y[d];
    if (n <= 1) return 0;
    switch (noc->reduce) {
    case PESIM_REDUCE_TREE: {
        int64_t depth = 0;
        while (((int64_t)1 << depth) < n) depth++;
        return depth;
    }
    case PESIM_REDUCE_SYSTOLIC: return n - 1;
    default: return 0;
    }
}

int64_t pesim_engine_reduce_path_cycles(const pesim_arch *a, const pesim_mapping *m, int child, int parent)
{
    int64_t sum = 0;
    for (int lv = child + 1; lv <= parent; lv++) sum += pesim_engine_reduce_latency_cycles(a, m, lv);
    return sum;
}
