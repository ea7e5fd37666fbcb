/* cli/cmd_import.c - `pesim import timeloop --arch A.yaml [--prob P.yaml]
 * [--map M.yaml] [--ert ERT.yaml] [--ert-rule actions|max]
 * [--first-read-elision on|off] [--constraints on|off] --out DIR`:
 * Timeloop specs into pesim configs (DIR/arch.cfg, DIR/workload.cfg and,
 * with --map, DIR/mapping.cfg). Everything is read and checked before
 * anything is written. */
#include <stdio.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/timeloop.h"

#include "cli.h"
#include "opts.h"
#include "output.h"
#include "paths.h"

static const cli_usage usage = {
    "import timeloop",
    "--arch A.yaml [--prob P.yaml] [--map M.yaml] [--ert ERT.yaml]\n"
    "                 [--ert-rule actions|max] [--first-read-elision on|off]\n"
    "                 [--constraints on|off] --out DIR",
    "Reads a Timeloop architecture (v0.2/v0.3 subtree/local tree or v0.4 nodes),\n"
    "problem and mapping and writes the pesim configs DIR/arch.cfg (conventions\n"
    "\"timeloop\"), DIR/workload.cfg (one layer, named after P.yaml; \"input\", the\n"
    "name of a network's input, becomes \"input_layer\") and, with --map,\n"
    "DIR/mapping.cfg. Without --prob the problem is A.yaml's (timeloopfe's\n"
    "parsed-processed-input.yaml holds both). Energies come from Accelergy's ERT\n"
    "(--ert); without it from vector-access-energy attributes, else they are 0.\n"
    "A v0.4 spec's arch counts with first-read elision (first_read_elision = true:\n"
    "a first visit of an output word is no fill), as the Timeloop that reads v0.4\n"
    "does by default; a v0.2/v0.3 spec's without, as the v3 exercises' Timeloop;\n"
    "--first-read-elision sets it either way (Timeloop's\n"
    "TIMELOOP_ENABLE_FIRST_READ_ELISION). The data spaces A.yaml's dataspace\n"
    "constraints (architecture_constraints, mapspace_constraints) bypass at a level\n"
    "are ones the level does not keep (its keeps), so that pesim's default mapper\n"
    "and searches stay in Timeloop's mapspace; --constraints off ignores them.",
    "--ert-rule max (default): every access and MAC costs the component's most\n"
    "expensive action, as the Timeloop that produced the public exercises' reference\n"
    "outputs charged them; actions: reads cost the ERT's read action, fills and\n"
    "updates its write action, a MAC mac_random (Timeloop's later per-action rule).\n"
    "Energies are per word: the ERT's per access divided by the block size.\n"
    "A construct pesim cannot represent is an error naming the YAML file, line and\n"
    "key. Exit status: 0 success, 2 bad usage or bad input. Mapping of every key:\n"
    "docs/timeloop.md.",
};

/* DIR/name into buf; -1 (message printed) when it does not fit. */
static int out_path(const char *dir, const char *name, char *buf, size_t n)
{
    if ((size_t)snprintf(buf, n, "%s/%s", dir, name) >= n) {
        cli_error("%s: path too long", dir);
        return -1;
    }
    return 0;
}

/* The one-layer network of problem p: its input tensor is the layer's
 * (padded) input. */
static void one_layer_network(const pesim_tl_problem *p, pesim_network *net, pesim_layer *storage)
{
    const pesim_layer *l = &p->layer;
    memset(net, 0, sizeof *net);
    snprintf(net->name, sizeof net->name, "%s", l->name);
    snprintf(net->source, sizeof net->source, "imported from a Timeloop problem");
    net->input_n = l->dim[PESIM_DIM_N];
    net->input_c = l->dim[PESIM_DIM_G] * l->dim[PESIM_DIM_C];
    net->input_h = (l->dim[PESIM_DIM_P] - 1) * l->stride_h + (l->dim[PESIM_DIM_R] - 1) * l->dilation_h + 1;
    net->input_w = (l->dim[PESIM_DIM_Q] - 1) * l->stride_w + (l->dim[PESIM_DIM_S] - 1) * l->dilation_w + 1;
    *storage = *l;
    net->n_layers = 1;
    net->layers = storage;
}

int cli_cmd_import(int argc, char **argv)
{
    int skip = cli_format_word("import", "timeloop",
                               "pesim import timeloop --arch A.yaml [--prob P.yaml] [--map M.yaml] "
                               "[--ert ERT.yaml] --out DIR",
                               argc, argv);
    if (skip < 0)
        return CLI_USAGE;
    const char *arch = NULL, *prob = NULL, *map = NULL, *ert = NULL, *rule = NULL, *elide = NULL, *cons = NULL,
               *out = NULL;
    const cli_opt opts[] = {
        {"arch", "A.yaml", "Timeloop architecture (architecture:)", &arch, NULL},
        {"prob", "P.yaml", "Timeloop problem (problem:); default: A.yaml's", &prob, NULL},
        {"map", "M.yaml", "Timeloop mapping (mapping:), optional", &map, NULL},
        {"ert", "ERT.yaml", "Accelergy energy reference table (ERT:), optional", &ert, NULL},
        {"ert-rule", "RULE", "max (default) or actions: how ERT actions become energies", &rule, NULL},
        {"first-read-elision", "on|off", "default: on for a v0.4 spec, else off", &elide, NULL},
        {"constraints", "on|off", "the spec's dataspace constraints as the levels' keeps (default on)", &cons, NULL},
        {"out", "DIR", "output directory (created if missing)", &out, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc - skip, argv + skip);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!arch || !out) {
        cli_error("import timeloop: --arch and --out are required");
        return CLI_USAGE;
    }
    if (!prob) prob = arch; /* one file with both (timeloopfe's processed input) */
    pesim_tl_ert_rule r = PESIM_TL_ERT_MAX;
    if (rule && strcmp(rule, "actions") == 0)
        r = PESIM_TL_ERT_ACTIONS;
    else if (rule && strcmp(rule, "max") != 0) {
        cli_error("import timeloop: --ert-rule is max or actions, not '%s'", rule);
        return CLI_USAGE;
    }
    if (rule && !ert) {
        cli_error("import timeloop: --ert-rule needs --ert");
        return CLI_USAGE;
    }
    if (elide && strcmp(elide, "on") != 0 && strcmp(elide, "off") != 0) {
        cli_error("import timeloop: --first-read-elision is on or off, not '%s'", elide);
        return CLI_USAGE;
    }

    if (cons && strcmp(cons, "on") != 0 && strcmp(cons, "off") != 0) {
        cli_error("import timeloop: --constraints is on or off, not '%s'", cons);
        return CLI_USAGE;
    }

    /* read and check everything first: nothing is written on bad input */
    pesim_error e;
    pesim_error_clear(&e);
    pesim_arch a;
    pesim_tl_problem p;
    pesim_mapping m;
    if (pesim_timeloop_load_arch(arch, ert, r, &a, &e) != PESIM_OK) {
        cli_report(&e, arch);
        return CLI_USAGE;
    }
    if (elide) a.first_read_elision = strcmp(elide, "on") == 0;
    const int cons_off = cons && strcmp(cons, "off") == 0;
    int bypassed = 0; /* (level, tensor) pairs the constraints bypass: every level keeps all without them */
    for (int L = 0; L < a.n_levels; L++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            bypassed += !a.level[L].keeps[t];
            if (cons_off) a.level[L].keeps[t] = 1;
        }
    if (pesim_timeloop_load_problem(prob, &p, &e) != PESIM_OK) {
        cli_report(&e, prob);
        return CLI_USAGE;
    }
    if (strcmp(p.layer.name, "input") == 0) /* a network's input has that name */
        snprintf(p.layer.name, sizeof p.layer.name, "input_layer");
    if (map) {
        if (pesim_timeloop_load_mapping(map, &a, &p, &m, &e) != PESIM_OK) {
            cli_report(&e, map);
            return CLI_USAGE;
        }
        if (pesim_mapping_check(&m, &a, &p.layer, &e) != PESIM_OK) {
            cli_report(&e, map);
            cli_error("import timeloop: %s is not a mapping of problem %s on this architecture", map, prob);
            return CLI_USAGE;
        }
    }
    char path_arch[PESIM_PATH_MAX * 4], path_work[PESIM_PATH_MAX * 4], path_map[PESIM_PATH_MAX * 4];
    if (out_path(out, "arch.cfg", path_arch, sizeof path_arch) ||
        out_path(out, "workload.cfg", path_work, sizeof path_work) ||
        out_path(out, "mapping.cfg", path_map, sizeof path_map) || cli_make_dir(out))
        return CLI_USAGE;
    pesim_network net;
    pesim_layer one;
    one_layer_network(&p, &net, &one);
    if (pesim_arch_write(path_arch, &a, &e) != PESIM_OK || pesim_network_write(path_work, &net, &e) != PESIM_OK ||
        (map && pesim_mapping_write(path_map, &m, &a, p.layer.name, &e) != PESIM_OK)) {
        cli_report(&e, out);
        return CLI_USAGE;
    }
    char b[32];
    printf("arch      %s: %d levels, %s MAC units, conventions \"timeloop\"%s -> %s\n", a.name, a.n_levels,
           cli_fmt_count(pesim_arch_macs(&a), b, sizeof b), a.first_read_elision ? " with first-read elision" : "",
           path_arch);
    printf("workload  layer %s -> %s\n", p.layer.name, path_work);
    if (map)
        printf("mapping   %s -> %s\n", map, path_map);
    if (bypassed)
        printf("%s %d data space%s bypassed at their levels by the spec's constraints%s\n",
               cons_off ? "note      ignored:" : "keeps    ", bypassed, bypassed == 1 ? "" : "s",
               cons_off ? " (--constraints off)" : " (levels' keeps)");
    if (!ert)
        printf("note      no --ert: energies are the vector-access-energy attributes or 0\n");
    if (fflush(stdout) != 0) {
        cli_error("cannot write to stdout");
        return CLI_FAIL;
    }
    return CLI_OK;
}
