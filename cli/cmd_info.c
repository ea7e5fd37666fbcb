/* cli/cmd_info.c - `pesim info --workload FILE | --arch FILE [--json FILE]
 * [--csv FILE]`: what a workload or an architecture file describes. */
#include <string.h>

#include "pesim/arch.h"
#include "pesim/workload.h"

#include "cli.h"
#include "info.h"
#include "load.h"
#include "opts.h"
#include "output.h"

static const cli_usage usage = {
    "info",
    "--workload FILE | --arch FILE [--json FILE] [--csv FILE]",
    "Describes a workload (per layer: shape, MACs, tensor sizes in words; totals)\n"
    "or an architecture (storage levels, instances, fan-out, bandwidth, energies,\n"
    "DRAM, MAC units, area). Exactly one of --workload and --arch is given.",
    "FILE '-' writes to stdout (and the table is then not printed).\n"
    "Exit status: 0 success, 2 bad usage or bad input. Fields: docs/cli.md.",
};

int cli_cmd_info(int argc, char **argv)
{
    const char *workload = NULL, *arch = NULL, *json = NULL, *csv = NULL;
    const cli_opt opts[] = {
        {"workload", "FILE", "a workload config (workloads/*.cfg)", &workload, NULL},
        {"arch", "FILE", "an architecture config (configs/arch/*.cfg)", &arch, NULL},
        {"json", "FILE", "also write JSON (shapes and MACs) to FILE", &json, NULL},
        {"csv", "FILE", "also write CSV, one row per layer or level", &csv, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if ((workload != NULL) == (arch != NULL)) {
        cli_error("info: give exactly one of --workload FILE and --arch FILE");
        return CLI_USAGE;
    }
    if (cli_is_stdout(json) && cli_is_stdout(csv)) {
        cli_error("info: --json and --csv cannot both write to stdout");
        return CLI_USAGE;
    }

    pesim_network net;
    pesim_arch a;
    memset(&net, 0, sizeof net);
    if (workload ? cli_load_network(workload, &net) : cli_load_arch(arch, &a))
        return CLI_USAGE;

    rc = CLI_OK;
    FILE *jf = json ? cli_open_out(json) : NULL;
    FILE *cf = csv ? cli_open_out(csv) : NULL;
    if ((json && !jf) || (csv && !cf)) {
        rc = CLI_USAGE;
    } else {
        FILE *text = cli_is_stdout(json) || cli_is_stdout(csv) ? NULL : stdout;
        if (workload) {
            cli_info_workload_text(&net, workload, text);
            if (jf) cli_info_workload_json(&net, workload, jf);
            if (cf) cli_info_workload_csv(&net, cf);
        } else {
            cli_info_arch_text(&a, arch, text);
            if (jf) cli_info_arch_json(&a, arch, jf);
            if (cf) cli_info_arch_csv(&a, cf);
        }
    }
    int bad = cli_close_out(jf, json);
    bad |= cli_close_out(cf, csv);
    bad |= cli_close_out(stdout, "-");
    if (bad && rc == CLI_OK)
        rc = CLI_FAIL;         /* a write failed: the outputs are incomplete */
    pesim_network_free(&net);
    return rc;
}
