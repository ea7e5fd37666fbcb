/* cli/run_net.h - `pesim run --placement`: a whole network as one simulation
 * with its tensors placed (pesim/net.h, docs/network.md): the report, JSON,
 * CSV and the occupancy timeline. */
#ifndef PESIM_CLI_RUN_NET_H
#define PESIM_CLI_RUN_NET_H

#include "pesim/engine.h"

#include "inputs.h"

/* The network options as given (NULL / 0: not given). */
typedef struct net_run_args {
    const char *placement;        /* FILE | "greedy" | "dram" */
    const char *write_placement;  /* FILE: the placement as run (rectified, with addresses) */
    const char *occupancy;        /* FILE: CSV, a row per (level, step) */
    const char *json, *csv, *print_mapping;
    const char *eval;             /* analytical | cycle | systemc */
    const char *mappings;         /* DIR: each MAC layer's mapping from DIR/<stem>.cfg, the stems `pesim
                                   * search` gives a network's layers (a layer without a file: the default
                                   * mapper's) */
    int preload_weights, rectify, no_alias, no_prefetch;
} net_run_args;

/* Runs the network of `in` (loaded; no --layer/--mapping) with the options
 * and writes every output. Returns CLI_OK, CLI_FAIL (infeasible placement,
 * or the evaluator failed; every output is still written) or CLI_USAGE (a
 * bad placement file, an output that cannot be opened). */
int cli_run_network(const cli_inputs *in, const net_run_args *o, const pesim_engine_options *eo);

#endif
