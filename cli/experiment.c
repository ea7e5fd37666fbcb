/* cli/experiment.c - experiment files for `sweep` and `search --experiment`
 * (see experiment.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "experiment.h"
#include "load.h"
#include "output.h"

int cli_experiment_load(const char *cmd, const char *path, const char *arch, const char *workload, int joint,
                        const pesim_space_options *enc, cli_experiment *x)
{
    memset(x, 0, sizeof *x);
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_experiment_load(path, &x->ex, &e) != PESIM_OK) {
        cli_report(&e, path);
        return e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    if (arch) {
        x->arch = malloc(sizeof *x->arch);
        if (!x->arch) {
            cli_error("out of memory");
            return CLI_FAIL;
        }
        if (cli_load_arch(arch, x->arch) != CLI_OK)
            return CLI_USAGE;
    }
    if (workload) {
        if (cli_load_network(workload, &x->net) != CLI_OK)
            return CLI_USAGE;
        x->have_net = 1;
    }
    x->arch_path = arch ? arch : x->ex.arch_path;
    x->workload_path = workload ? workload : x->ex.workload_path;
    if (!x->arch_path[0] || !x->workload_path[0]) {
        cli_error("%s: %s: the experiment names no %s; give --%s", cmd, path, x->arch_path[0] ? "workload" : "arch",
                  x->arch_path[0] ? "workload" : "arch");
        return CLI_USAGE;
    }
    if (pesim_space_from_experiment_opt(path, x->arch, x->have_net ? &x->net : NULL, joint, enc, &x->space, &e) !=
        PESIM_OK) {
        cli_report(&e, path);
        return e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    return CLI_OK;
}

void cli_experiment_free(cli_experiment *x)
{
    pesim_space_destroy(x->space);
    free(x->arch);
    if (x->have_net)
        pesim_network_free(&x->net);
    memset(x, 0, sizeof *x);
}

int32_t cli_experiment_n_hw(const pesim_space *s)
{
    int32_t n = 0;
    while (n < pesim_space_n_params(s) && pesim_space_param(s, n)->kind == PESIM_PARAM_HARDWARE)
        n++;
    return n;
}

void cli_experiment_csv_header(FILE *f, const pesim_space *s)
{
    int32_t n = cli_experiment_n_hw(s);
    for (int32_t i = 0; i < n; i++)
        for (int32_t k = 0; k < pesim_space_hw_n_keys(s, i); k++) {
            cli_csv_field(f, pesim_space_hw_key(s, i, k));
            fputc(',', f);
        }
}

void cli_experiment_csv_values(FILE *f, const pesim_space *s, const int32_t *choices)
{
    int32_t n = cli_experiment_n_hw(s);
    char buf[64];
    for (int32_t i = 0; i < n; i++)
        for (int32_t k = 0; k < pesim_space_hw_n_keys(s, i); k++) {
            pesim_space_hw_value(s, i, k, choices[i], buf, sizeof buf);
            cli_csv_field(f, buf);
            fputc(',', f);
        }
}
