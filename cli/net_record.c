/* cli/net_record.c - a design run as one network and recorded in a store
 * (see net_record.h). */
#include <string.h>

#include "net_record.h"

pesim_status cli_net_record(pesim_store *st, int64_t run_id, int64_t sample, const pesim_arch *arch,
                            const pesim_network *net, const pesim_mapping *const *maps,
                            const pesim_placement *placement, const char *placement_name, int *valid,
                            pesim_error *e)
{
    return cli_net_record_opts(st, run_id, sample, arch, net, NULL, maps, placement, placement_name, valid, e);
}

pesim_status cli_net_record_opts(pesim_store *st, int64_t run_id, int64_t sample, const pesim_arch *arch,
                                 const pesim_network *net, const pesim_net_options *opt,
                                 const pesim_mapping *const *maps, const pesim_placement *placement,
                                 const char *placement_name, int *valid, pesim_error *e)
{
    *valid = 0;
    pesim_net *n = NULL;
    pesim_placement greedy;
    memset(&greedy, 0, sizeof greedy);
    const pesim_net_result *r = NULL;
    pesim_status s = pesim_net_create(arch, net, opt, &n, e);
    for (int32_t i = 0; s == PESIM_OK && maps && i < net->n_layers; i++)
        if (maps[i]) s = pesim_net_set_mapping(n, i, maps[i], e);
    if (s == PESIM_OK && !placement) {
        s = pesim_net_place_greedy(n, &greedy, e);
        placement = &greedy;
        placement_name = "greedy";
    }
    if (s == PESIM_OK) s = pesim_net_run(n, placement, PESIM_NET_CYCLE, &r, e);
    if (s == PESIM_OK) s = pesim_store_add_network(st, run_id, sample, placement_name, n, r, CLI_NET_DRAM_BINS, e);
    if (s == PESIM_OK) *valid = r->valid != 0;
    pesim_placement_free(&greedy);
    pesim_net_destroy(n);
    return s;
}
