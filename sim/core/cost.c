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
