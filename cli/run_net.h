/* cli/run_net.h - `pesim run --placement`: a whole network as one simulation
 * with its tensors placed (pesim/net.h, docs/network.md): the report, JSON,
 * CSV and the occupancy timeline. */
#ifndef PESIM_CLI_RUN_NET_H
#define PESIM_CLI_RUN_NET_H

#include <stdio.h>

#include "pesim/engine.h"
#include "pesim/net.h"

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

/* The network of `in` with o's options (and o->mappings) and its placement
 * o->placement: "greedy", "dram", "optimal" (at `fidelity`'s evaluator; the
 * analytical one for SystemC) or a placement file. *n (destroy it) and *p
 * (pesim_placement_free) on CLI_OK; *source describes the placement (static
 * storage). Errors are printed, after the command's name cmd ("run",
 * "compare"): CLI_USAGE (bad input, named), CLI_FAIL (out of memory). */
int cli_net_open(const char *cmd, const cli_inputs *in, const net_run_args *o, const pesim_engine_options *eo,
                 int fidelity, pesim_net **n, pesim_placement *p, const char **source);
/* "mappings   DIR: K of M MAC layers ran theirs (...)" and a newline: how
 * many of net's MAC layers ran the mapping --mappings DIR gave them (layer:
 * a network result's layers, pesim_net_layer.given). */
void cli_net_mappings_text(const char *dir, const pesim_network *net, const pesim_net_layer *layer, FILE *f);
/* "CMD: infeasible placement: REASON" on stderr and, where --rectify was not
 * given and p keeps a tensor inside the outermost level (of `levels`), how
 * rectification would make it run. */
void cli_net_infeasible(const char *cmd, const net_run_args *o, const pesim_placement *p, int levels,
                        const char *reason);
/* The pesim_net_fidelity named eval ("analytical", "cycle", "systemc"), or -1. */
int cli_net_fidelity(const char *eval);
/* pesim_net_run at `fidelity` (pesim_net_fidelity; PESIM_NET_SYSTEMC: the
 * SystemC reference, where built), with a progress line on a terminal. *r is
 * the handle's, overwritten by its next run. */
pesim_status cli_net_run(pesim_net *n, const pesim_placement *p, int fidelity, const pesim_net_result **r, pesim_error *e);

/* The option-table entries (cli_opt, opts.h) of the placement and its
 * options, into the net_run_args a (run and compare take them alike). */
#define CLI_NET_OPTS(a)                                                                                              \
    {"placement", "P", "whole network with placed tensors: FILE|greedy|dram|optimal", &(a).placement, NULL},        \
    {"preload-weights", NULL, "placement: weights resident from the start (load not charged)", NULL,                \
     &(a).preload_weights},                                                                                          \
    {"rectify", NULL, "placement: spill what does not fit to the next level out", NULL, &(a).rectify},              \
    {"no-alias", NULL, "placement: a concat always copies its inputs", NULL, &(a).no_alias},                        \
    {"no-prefetch", NULL, "placement: no weight load starts before its layer", NULL, &(a).no_prefetch}

/* Runs the network of `in` (loaded; no --layer/--mapping) with the options
 * and writes every output. Returns CLI_OK, CLI_FAIL (infeasible placement,
 * or the evaluator failed; every output is still written) or CLI_USAGE (a
 * bad placement file, an output that cannot be opened). */
int cli_run_network(const cli_inputs *in, const net_run_args *o, const pesim_engine_options *eo);

#endif
