/* cli/inputs.c - loading the inputs of `run` and `compare` (see inputs.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inputs.h"
#include "load.h"
#include "paths.h"

int cli_inputs_check(const char *cmd, const cli_input_args *o)
{
    if (o->mapping && !o->layer) {
        cli_error("%s: --mapping needs --layer NAME (a mapping is for one layer)", cmd);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* A --mapping must be a mapping of the --layer on the arch (factors cover the
 * layer's dims, spatial factors fit the fan-outs): one that is not is bad
 * input, reported as "pesim: FILE: key: message". Capacity is not checked
 * here: an over-capacity mapping is an invalid result (exit 1). */
static int check_mapping(const char *cmd, const char *path, const pesim_mapping *m,
                         const pesim_arch *a, const pesim_layer *l)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_mapping_check(m, a, l, &e) == PESIM_OK)
        return CLI_OK;
    cli_report(&e, path);
    cli_error("%s: %s is not a mapping of layer '%s' on arch '%s'", cmd, path, l->name, a->name);
    return CLI_USAGE;
}

int cli_inputs_load(const char *cmd, const cli_input_args *o, cli_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->only = -1;
    in->arch_path = cli_input_path(o->arch, CLI_DEFAULT_ARCH, "arch", in->arch_buf,
                                   sizeof in->arch_buf);
    in->workload_path = cli_input_path(o->workload, CLI_DEFAULT_WORKLOAD, "workload",
                                       in->workload_buf, sizeof in->workload_buf);
    if (!in->arch_path || !in->workload_path)
        return CLI_USAGE;
    in->arch = calloc(1, sizeof *in->arch);
    if (!in->arch) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    if (cli_load_arch(in->arch_path, in->arch) || cli_load_network(in->workload_path, &in->net))
        return CLI_USAGE;
    if (o->layer && (in->only = cli_find_layer(&in->net, o->layer, in->workload_path)) < 0)
        return CLI_USAGE;
    if (!o->mapping)
        return CLI_OK;
    const pesim_layer *l = &in->net.layers[in->only];
    if (!pesim_layer_has_macs(l)) {
        cli_error("%s: layer '%s' has no MACs; --mapping does not apply", cmd, o->layer);
        return CLI_USAGE;
    }
    in->user = calloc(1, sizeof *in->user);
    if (!in->user) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    if (cli_load_mapping(o->mapping, in->arch, in->user) ||
        check_mapping(cmd, o->mapping, in->user, in->arch, l))
        return CLI_USAGE;
    return CLI_OK;
}

void cli_inputs_free(cli_inputs *in)
{
    pesim_network_free(&in->net);
    free(in->user);
    free(in->arch);
    in->user = NULL;
    in->arch = NULL;
}
