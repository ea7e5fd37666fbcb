/* cost.c - names of the cost fields that need them. */
#include "pesim/cost.h"

static const char *const stall_names[PESIM_STALL_COUNT] = {
    "dram_bandwidth", "dram_latency", "bank_conflict", "buffer_bandwidth",
    "noc_bandwidth",  "fill_drain",   "buffer_space",
};

const char *pesim_stall_name(pesim_stall s)
{
    return (unsigned)s < PESIM_STALL_COUNT ? stall_names[s] : "?";
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
