/* cli/main.c - `pesim`: the dispatch table of subcommands, top-level help
 * and version. Each subcommand lives in its own file (cmd_<name>.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef PESIM_VERSION
#define PESIM_VERSION "unknown"
#endif

static const cli_command commands[] = {
    {"info", "describe a workload (layer shapes, MACs) or an architecture", cli_cmd_info},
    {"run", "evaluate a network or one layer on an architecture", cli_cmd_run},
    {"compare", "every evaluator side by side: analytical vs cycle engine (vs SystemC)", cli_cmd_compare},
    {"search", "search mappings (per layer), hardware (--experiment) or placements (--placement)", cli_cmd_search},
    {"sweep", "sweep the hardware parameters of an experiment: every point, the Pareto front", cli_cmd_sweep},
    {"report", "one self-contained HTML page of a result store: convergence, Pareto fronts, fidelity", cli_cmd_report},
    {"dram", "run the DRAM model on a request trace (DRAMsim3 format)", cli_cmd_dram},
    {"scalesim", "SCALE-Sim's compute cycles of each layer (os, ws, is), both conventions", cli_cmd_scalesim},
    {"import", "Timeloop specs (arch, problem, mapping, ERT YAML) into pesim configs", cli_cmd_import},
    {"export", "one layer, its arch and mapping as Timeloop specs (YAML)", cli_cmd_export},
    {"das", "co-search an agent network and its accelerator by DAS (score against FPS)", cli_cmd_das},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *f)
{
    fputs("usage: pesim <command> [options]\n"
          "       pesim <command> --help\n\n"
          "pesim simulates a DNN accelerator (a PE array and its memory hierarchy).\n\n"
          "commands:\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       'pesim help COMMAND' is 'pesim COMMAND --help'\n\n"
          "options:\n"
          "  -h, --help     show this help and exit\n"
          "  --version      show the version and exit\n\n"
          "Without --arch/--workload, run uses the shipped defaults "
          "(configs/arch/eyeriss.cfg, workloads/resnet50.cfg).\n"
          "Exit status: 0 success, 1 the run failed, 2 bad usage or bad input.\n"
          "Documentation: docs/cli.md\n", f);
}

int main(int argc, char **argv)
{
    cli_set_argv0(argc > 0 ? argv[0] : NULL);
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("pesim %s\n", PESIM_VERSION);
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc == 2) {
            usage(stdout);
            return CLI_OK;
        }
        const cli_command *c = find_command(argv[2]);
        if (!c) {
            cli_error("unknown command '%s' (see 'pesim --help')", argv[2]);
            return CLI_USAGE;
        }
        char *help_argv[] = {argv[2], (char *)"--help", NULL};
        return c->run(2, help_argv);
    }
    const cli_command *c = find_command(name);
    if (!c) {
        cli_error("unknown command '%s' (see 'pesim --help')", name);
        return CLI_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
