/* cost.c - names of the cost fields that need them, and the energy of a
 * level's accesses. */
#include "pesim/cost.h"

static const char *const stall_names[PESIM_STALL_COUNT] = {
    "dram_bandwidth", "dram_latency", "bank_conflict", "buffer_bandwidth",
    "noc_bandwidth",  "fill_drain",   "buffer_space",
};

const char *pesim_stall_name(pesim_stall s)
{
    return (unsigned)s < PESIM_STALL_COUNT ? stall_names[s] : "?";
}

/* Words charged for n accesses per instance in blocks of b words. */
static double blocked(int64_t n, int64_t b)
{
    return b > 1 ? (double)((n + b - 1) / b * b) : (double)n;
}

double pesim_cost_access_energy_pj(const pesim_arch *a, int level, const pesim_access *x, int64_t instances)
{
    const pesim_level *v = &a->level[level];
    if (a->conventions != PESIM_CONV_TIMELOOP || instances < 1)
        return (double)x->reads * v->read_energy_pj + (double)(x->fills + x->updates) * v->write_energy_pj;
    int64_t b = v->block_words > 1 ? v->block_words : 1, n = instances;
    double r = blocked((x->reads + n - 1) / n, b), f = blocked((x->fills + n - 1) / n, b),
           u = blocked((x->updates + n - 1) / n, b);
    if (v->cluster_size > 1) { /* one access per cluster, Timeloop's utilized clusters */
        int64_t clusters = pesim_arch_instances(a, level) / v->cluster_size;
        if (clusters < n) n = clusters;
    }
    return (double)n * (r * v->read_energy_pj + (f + u) * v->write_energy_pj);
}

static const char *const violation_names[PESIM_VIOLATION_KIND_COUNT] = {
    "none", "capacity", "fanout", "spatial_dim", "coverage", "unsupported",
    "structure", "area", "power", "mapper", "placement", "other"};

const char *pesim_violation_name(pesim_violation_kind k)
{
    return (unsigned)k < PESIM_VIOLATION_KIND_COUNT ? violation_names[k] : "?";
}

pesim_violation pesim_violation_make(pesim_violation_kind k)
{
    pesim_violation v;
    v.kind = k;
    v.layer = v.level = v.tensor = v.dim = -1;
    v.amount = v.limit = 0;
    return v;
}
