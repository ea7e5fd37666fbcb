/* cli/cmd_export.c - `pesim export timeloop [--arch FILE] [--workload FILE]
 * --layer L [--mapping FILE] --out DIR`: one layer, its arch and its mapping
 * (no --mapping: the default mapper's) as Timeloop specs: DIR/arch.yaml,
 * DIR/ERT.yaml, DIR/problem.yaml and DIR/mapping.yaml. Everything is
 * produced before anything is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "pesim/timeloop.h"

#include "cli.h"
#include "inputs.h"
#include "opts.h"
#include "paths.h"

static const cli_usage usage = {
    "export timeloop",
    "[--arch FILE] [--workload FILE] --layer NAME [--mapping FILE] --out DIR",
    "Writes one layer of the workload, the architecture and the layer's mapping as\n"
    "Timeloop specs: DIR/arch.yaml (v0.3 tree), DIR/ERT.yaml (the arch's energies),\n"
    "DIR/problem.yaml (a CNN-layer problem) and DIR/mapping.yaml, for\n"
    "  timeloop-model DIR/arch.yaml DIR/ERT.yaml DIR/problem.yaml DIR/mapping.yaml\n"
    "Without --mapping the default mapper's mapping is written. A spec does not say\n"
    "whether Timeloop elides first reads (its TIMELOOP_ENABLE_FIRST_READ_ELISION, on\n"
    "by default); stdout names the setting that counts as the arch does.",
    "Defaults: --arch " CLI_DEFAULT_ARCH ", --workload " CLI_DEFAULT_WORKLOAD ".\n"
    "Refused (exit 2, with the reason): imperfect factors (Timeloop needs each dim's\n"
    "factors to multiply to its bound), a dim on both spatial axes of one level,\n"
    "layers without MACs. A level with per-tensor capacities becomes one Timeloop\n"
    "level per tensor; padding is not written (the loops run over the padded input,\n"
    "as Timeloop's do). DRAM timing becomes its peak bandwidth; latencies, leakage,\n"
    "area and network kinds are not written. Exit status: 0 success, 2 bad usage or\n"
    "bad input. docs/timeloop.md.",
};

static int save(const char *dir, const char *name, const char *text)
{
    char path[PESIM_PATH_MAX * 4];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        cli_error("%s: path too long", dir);
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error("%s: cannot open for writing", path);
        return -1;
    }
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad) {
        cli_error("%s: cannot write", path);
        return -1;
    }
    printf("wrote %s\n", path);
    return 0;
}

int cli_cmd_export(int argc, char **argv)
{
    int skip = cli_format_word("export", "timeloop", "pesim export timeloop --layer NAME --out DIR", argc, argv);
    if (skip < 0)
        return CLI_USAGE;
    cli_input_args in_args = {NULL, NULL, NULL, NULL};
    const char *out = NULL;
    const cli_opt opts[] = {
        {"arch", "FILE", "an architecture config", &in_args.arch, NULL},
        {"workload", "FILE", "a workload config", &in_args.workload, NULL},
        {"layer", "NAME", "the layer to export (a MAC layer)", &in_args.layer, NULL},
        {"mapping", "FILE", "a mapping of the layer (default: the default mapper's)", &in_args.mapping, NULL},
        {"out", "DIR", "output directory (created if missing)", &out, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc - skip, argv + skip);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!in_args.layer || !out) {
        cli_error("export timeloop: --layer and --out are required");
        return CLI_USAGE;
    }
    cli_inputs in;
    rc = cli_inputs_load("export timeloop", &in_args, &in);
    char *texts[4] = {NULL, NULL, NULL, NULL};
    if (rc != CLI_OK) goto done;
    const pesim_layer *l = &in.net.layers[in.only];
    pesim_error e;
    pesim_error_clear(&e);
    if (!pesim_layer_has_macs(l)) {
        cli_error("export timeloop: layer '%s' (%s) has no MACs: Timeloop models MAC layers", l->name,
                  pesim_op_name(l->op));
        rc = CLI_USAGE;
        goto done;
    }
    pesim_mapping m;
    if (in.user) {
        m = *in.user;
    } else if (pesim_mapper_default(in.arch, l, &m, &e) != PESIM_OK) {
        cli_report(&e, in.arch_path);
        rc = CLI_USAGE;
        goto done;
    }
    pesim_tl_problem p;
    const char *what[4] = {in.arch_path, in.arch_path, in.workload_path,
                           in_args.mapping ? in_args.mapping : "the default mapping"};
    if (!(texts[0] = pesim_timeloop_arch_text(in.arch, &e)) || !(texts[1] = pesim_timeloop_ert_text(in.arch, &e)) ||
        !(texts[2] = pesim_timeloop_problem_text(l, &p, &e)) ||
        !(texts[3] = pesim_timeloop_mapping_text(in.arch, &p, &m, &e))) {
        int k = !texts[0] ? 0 : !texts[1] ? 1 : !texts[2] ? 2 : 3;
        cli_report(&e, what[k]);
        cli_error("export timeloop: cannot express this in Timeloop's format");
        rc = CLI_USAGE;
        goto done;
    }
    if (cli_make_dir(out) || save(out, "arch.yaml", texts[0]) || save(out, "ERT.yaml", texts[1]) ||
        save(out, "problem.yaml", texts[2]) || save(out, "mapping.yaml", texts[3])) {
        rc = CLI_USAGE;
        goto done;
    }
    /* the spec cannot carry it: Timeloop reads it from its environment */
    printf("note      run timeloop-model with TIMELOOP_ENABLE_FIRST_READ_ELISION=%d (first_read_elision = %s)\n",
           in.arch->first_read_elision, in.arch->first_read_elision ? "true" : "false");
    if (fflush(stdout) != 0) {
        cli_error("cannot write to stdout");
        rc = CLI_FAIL;
    }
done:
    for (int k = 0; k < 4; k++)
        free(texts[k]);
    cli_inputs_free(&in);
    return rc;
}
