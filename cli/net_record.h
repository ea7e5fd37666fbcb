/* cli/net_record.h - a design run as one network (pesim/net.h: the cycle
 * engine over every layer, tensors placed) and recorded in a store for
 * `pesim report` (pesim_store_add_network): what `pesim sweep --db` and
 * `pesim search --db` keep of their best designs. */
#ifndef PESIM_CLI_NET_RECORD_H
#define PESIM_CLI_NET_RECORD_H

#include <stdint.h>

#include "pesim/net.h"
#include "pesim/search.h"

/* DRAM traffic over time is stored in this many bins. */
#define CLI_NET_DRAM_BINS 64

/* Runs `net` on `arch` at cycle level and records the run as the network run
 * of sample `sample` of run run_id. maps (may be NULL) has an entry per
 * layer of net: a MAC layer's mapping to run (a search's best;
 * pesim_net_set_mapping: run where it is valid in the room the placement
 * leaves), NULL for the default mapper's. placement NULL: the greedy one
 * (recorded as "greedy"), else that one (recorded as `placement_name`).
 * *valid: the run is feasible (an infeasible one is recorded with its
 * reason). PESIM_OK, or the error with e set. */
pesim_status cli_net_record(pesim_store *st, int64_t run_id, int64_t sample, const pesim_arch *arch,
                            const pesim_network *net, const pesim_mapping *const *maps,
                            const pesim_placement *placement, const char *placement_name, int *valid,
                            pesim_error *e);

/* cli_net_record with the whole-network options `opt` (NULL: the defaults;
 * a placement search passes its space's, so that its best placement runs as
 * the search evaluated it: weights preloaded, rectified where asked). */
pesim_status cli_net_record_opts(pesim_store *st, int64_t run_id, int64_t sample, const pesim_arch *arch,
                                 const pesim_network *net, const pesim_net_options *opt,
                                 const pesim_mapping *const *maps, const pesim_placement *placement,
                                 const char *placement_name, int *valid, pesim_error *e);

#endif
