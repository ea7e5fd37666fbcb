/* cli/load.c - input loading with command-line error reporting (see load.h). */
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"

#include "cli.h"
#include "load.h"
#include "paths.h"
#include "suggest.h"

int cli_load_network(const char *path, pesim_network *out)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_network_load(path, out, &e) != PESIM_OK) {
        cli_report(&e, path);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_load_arch(const char *path, pesim_arch *out)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_arch_load(path, out, &e) != PESIM_OK) {
        cli_report(&e, path);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_load_mapping(const char *path, const pesim_arch *a, pesim_mapping *out)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_mapping_load(path, a, out, &e) != PESIM_OK) {
        cli_report(&e, path);
        return CLI_USAGE;
    }
    return CLI_OK;
}

const char *cli_input_path(const char *given, const char *default_rel, const char *what,
                           char *buf, size_t n)
{
    if (given)
        return given;
    if (cli_find_data(default_rel, buf, n) != 0) {
        cli_error("no --%s given and the default %s was not found (looked in the current "
                  "directory and above the executable)", what, default_rel);
        return NULL;
    }
    return buf;
}

int cli_find_layer(const pesim_network *net, const char *name, const char *path)
{
    int32_t i = pesim_network_find(net, name);
    if (i >= 0)
        return i;
    const char **names = malloc((size_t)(net->n_layers > 0 ? net->n_layers : 1) * sizeof *names);
    if (!names) {
        cli_error("%s: no layer called '%s'", path, name);
        return -1;
    }
    for (int32_t k = 0; k < net->n_layers; k++)
        names[k] = net->layers[k].name;
    const char *close[CLI_SUGGEST_MAX];
    size_t n = cli_suggest(name, names, (size_t)net->n_layers, close, CLI_SUGGEST_MAX);
    if (n == 0) {
        cli_error("%s: no layer called '%s' (see 'pesim info --workload %s' for the list)",
                  path, name, path);
    } else {
        char list[CLI_SUGGEST_MAX * (PESIM_NAME_MAX + 2)] = "";
        for (size_t k = 0; k < n; k++) {
            if (k > 0)
                strcat(list, ", ");
            strcat(list, close[k]);
        }
        cli_error("%s: no layer called '%s'; close names: %s", path, name, list);
    }
    free(names);
    return -1;
}
