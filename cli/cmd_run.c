/* cli/cmd_run.c - `pesim run`: map and evaluate every MAC layer of a network
 * (or the one named by --layer) on an architecture, then report.
 *
 * Order of checks, so the exit status says what went wrong: options (2),
 * inputs (2), the evaluator is built (1), outputs can be opened (2), then the
 * run; a run with any invalid layer exits 1 after writing every output. */
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/model.h"

#include "cli.h"
#include "evaluators.h"
#include "load.h"
#include "opts.h"
#include "output.h"
#include "paths.h"
#include "run.h"

static const cli_usage usage = {
    "run",
    "[--arch FILE] [--workload FILE] [--layer NAME] [--mapping FILE]\n"
    "                 [--eval analytical|cycle|systemc] [--json FILE] [--csv FILE]\n"
    "                 [--print-mapping DIR]",
    "Maps every MAC layer of the workload (or the one named by --layer) onto the\n"
    "architecture and evaluates it: cycles, time at the arch clock, energy, EDP,\n"
    "utilization, and for one layer the accesses per level and tensor. Layers\n"
    "without MACs (pool, add, concat) are listed as \"no MACs, not mapped\".\n"
    "Without --mapping each layer gets the default mapper's mapping.",
    "Defaults: --arch " CLI_DEFAULT_ARCH ", --workload " CLI_DEFAULT_WORKLOAD "\n"
    "(looked up in the current directory, then above the executable), --eval analytical.\n"
    "FILE '-' writes to stdout (and the table is then not printed).\n"
    "--print-mapping DIR writes DIR/<layer>.cfg; 'pesim run --layer L --mapping\n"
    "DIR/L.cfg' with the same arch and workload evaluates that mapping again.\n"
    "Exit status: 0 success, 1 a layer's result is invalid or the evaluator is not\n"
    "built, 2 bad usage or bad input. Fields and units: docs/cli.md.",
};

typedef struct run_args {
    const char *arch, *workload, *layer, *mapping, *eval, *json, *csv, *print_mapping;
} run_args;

/* Maps and evaluates one MAC layer into rl. user (may be NULL) is the
 * --mapping mapping. Never fails: problems become rl->valid == 0 + reason. */
static void evaluate(const pesim_arch *a, const cli_evaluator *ev, const pesim_mapping *user,
                     run_layer *rl)
{
    const pesim_layer *l = rl->layer;
    if (user) {
        rl->mapping = *user;
    } else {
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapper_default(a, l, &rl->mapping, &e) != PESIM_OK) {
            snprintf(rl->reason, sizeof rl->reason, "no mapping: %s",
                     e.msg[0] ? e.msg : pesim_status_name(e.code));
            return;
        }
    }
    rl->has_mapping = 1;
    pesim_status s = ev->fn(a, l, &rl->mapping, &rl->cost);
    if (s != PESIM_OK) {
        snprintf(rl->reason, sizeof rl->reason, "evaluator: %s",
                 rl->cost.reason[0] ? rl->cost.reason : pesim_status_name(s));
        return;
    }
    rl->evaluated = 1;
    rl->valid = rl->cost.valid != 0;
    if (!rl->valid)
        snprintf(rl->reason, sizeof rl->reason, "%s",
                 rl->cost.reason[0] ? rl->cost.reason : "invalid (no reason given)");
}

/* Writes each mapped layer's mapping to DIR/<layer>.cfg. Returns 0 or -1
 * (message printed). */
static int print_mappings(run_result *r, const char *dir)
{
    for (int32_t i = 0; i < r->n; i++) {
        run_layer *rl = &r->layers[i];
        if (!rl->has_mapping)
            continue;
        if (cli_cfg_path(dir, rl->layer->name, rl->mapping_file, sizeof rl->mapping_file)) {
            cli_error("%s: path too long", dir);
            return -1;
        }
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapping_write(rl->mapping_file, &rl->mapping, r->arch, rl->layer->name, &e)) {
            cli_report(&e, rl->mapping_file);
            rl->mapping_file[0] = '\0';
            return -1;
        }
    }
    return 0;
}

/* Runs the selected layers (all, or only index `only` >= 0) and sums up. */
static int run_layers(run_result *r, const cli_evaluator *ev, const pesim_mapping *user,
                      int32_t only)
{
    const pesim_network *net = r->net;
    r->n = only >= 0 ? 1 : net->n_layers;
    r->layers = calloc((size_t)(r->n > 0 ? r->n : 1), sizeof *r->layers);
    if (!r->layers) {
        cli_error("out of memory");
        return -1;
    }
    for (int32_t i = 0; i < r->n; i++) {
        run_layer *rl = &r->layers[i];
        rl->layer = &net->layers[only >= 0 ? only : i];
        rl->has_macs = pesim_layer_has_macs(rl->layer) != 0;
        r->macs += pesim_layer_macs(rl->layer);
        if (!rl->has_macs) {
            rl->valid = 1;
            continue;
        }
        r->n_mac_layers++;
        evaluate(r->arch, ev, user, rl);
        if (rl->valid) {
            r->n_valid++;
            r->cycles += rl->cost.cycles;
            r->energy_pj += rl->cost.energy_pj;
        } else {
            r->n_invalid++;
        }
    }
    return 0;
}

/* A --mapping must be a mapping of the --layer on the arch (factors cover the
 * layer's dims, spatial factors fit the fan-outs): one that is not is bad
 * input, reported as "pesim: FILE: key: message". Capacity is not checked
 * here: an over-capacity mapping is an invalid result (exit 1). */
static int check_mapping(const char *path, const pesim_mapping *m, const pesim_arch *a,
                         const pesim_layer *l)
{
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_mapping_check(m, a, l, &e) == PESIM_OK)
        return CLI_OK;
    cli_report(&e, path);
    cli_error("run: %s is not a mapping of layer '%s' on arch '%s'", path, l->name, a->name);
    return CLI_USAGE;
}

/* Checks the options that do not need the inputs. */
static int check_args(const run_args *o, const cli_evaluator **ev)
{
    if (o->mapping && !o->layer) {
        cli_error("run: --mapping needs --layer NAME (a mapping is for one layer)");
        return CLI_USAGE;
    }
    *ev = cli_evaluator_find(o->eval);
    if (!*ev) {
        cli_error("run: unknown evaluator '%s' (--eval %s)", o->eval, cli_evaluator_names());
        return CLI_USAGE;
    }
    if (cli_is_stdout(o->json) && cli_is_stdout(o->csv)) {
        cli_error("run: --json and --csv cannot both write to stdout");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* After the inputs are loaded: runs, writes every output, returns the status. */
static int run_and_report(run_result *r, const run_args *o, const cli_evaluator *ev,
                          const pesim_mapping *user, int32_t only)
{
    if (!ev->fn) {   /* before any output file is created or truncated */
        cli_error("run: evaluator '%s' is not built yet", ev->name);
        return CLI_FAIL;
    }
    FILE *jf = o->json ? cli_open_out(o->json) : NULL;
    FILE *cf = o->csv ? cli_open_out(o->csv) : NULL;
    int rc = CLI_OK;
    if ((o->json && !jf) || (o->csv && !cf) || (o->print_mapping && cli_make_dir(o->print_mapping)))
        rc = CLI_USAGE;
    else if (run_layers(r, ev, user, only) != 0)
        rc = CLI_FAIL;
    else if (o->print_mapping && print_mappings(r, o->print_mapping) != 0)
        rc = CLI_USAGE;
    if (rc == CLI_OK) {
        if (!cli_is_stdout(o->json) && !cli_is_stdout(o->csv))
            cli_run_text(r, stdout);
        if (jf) cli_run_json(r, jf);
        if (cf) cli_run_csv(r, cf);
        if (r->n_invalid > 0)
            rc = CLI_FAIL;
    }
    int bad = cli_close_out(jf, o->json);
    bad |= cli_close_out(cf, o->csv);
    bad |= cli_close_out(stdout, "-");
    if (bad && rc == CLI_OK)
        rc = CLI_FAIL;
    return rc;
}

int cli_cmd_run(int argc, char **argv)
{
    run_args o;
    memset(&o, 0, sizeof o);
    const cli_opt opts[] = {
        {"arch", "FILE", "architecture config [" CLI_DEFAULT_ARCH "]", &o.arch, NULL},
        {"workload", "FILE", "workload config [" CLI_DEFAULT_WORKLOAD "]", &o.workload, NULL},
        {"layer", "NAME", "run only this layer (with details)", &o.layer, NULL},
        {"mapping", "FILE", "the layer's mapping (needs --layer) [default mapper]", &o.mapping, NULL},
        {"eval", "NAME", "evaluator: analytical|cycle|systemc [analytical]", &o.eval, NULL},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"csv", "FILE", "also write CSV, one row per layer, to FILE", &o.csv, NULL},
        {"print-mapping", "DIR", "write each layer's mapping to DIR/<layer>.cfg", &o.print_mapping, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!o.eval)
        o.eval = CLI_DEFAULT_EVALUATOR;
    const cli_evaluator *ev = NULL;
    if ((rc = check_args(&o, &ev)) != CLI_OK)
        return rc;

    char arch_buf[PESIM_PATH_MAX * 4], wl_buf[PESIM_PATH_MAX * 4];
    const char *arch_path = cli_input_path(o.arch, CLI_DEFAULT_ARCH, "arch", arch_buf, sizeof arch_buf);
    const char *wl_path = cli_input_path(o.workload, CLI_DEFAULT_WORKLOAD, "workload", wl_buf,
                                         sizeof wl_buf);
    if (!arch_path || !wl_path)
        return CLI_USAGE;

    /* Large structs live on the heap: the arch alone is several kB. */
    pesim_arch *arch = calloc(1, sizeof *arch);
    pesim_mapping *user = calloc(1, sizeof *user);
    pesim_network net;
    memset(&net, 0, sizeof net);
    run_result r;
    memset(&r, 0, sizeof r);
    int32_t only = -1;
    if (!arch || !user) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    } else if (cli_load_arch(arch_path, arch) || cli_load_network(wl_path, &net)) {
        rc = CLI_USAGE;
    } else if (o.layer && (only = cli_find_layer(&net, o.layer, wl_path)) < 0) {
        rc = CLI_USAGE;
    } else if (o.mapping && !pesim_layer_has_macs(&net.layers[only])) {
        cli_error("run: layer '%s' has no MACs; --mapping does not apply", o.layer);
        rc = CLI_USAGE;
    } else if (o.mapping && (cli_load_mapping(o.mapping, arch, user) ||
                             check_mapping(o.mapping, user, arch, &net.layers[only]))) {
        rc = CLI_USAGE;
    } else {
        r.arch = arch;
        r.arch_path = arch_path;
        r.net = &net;
        r.workload_path = wl_path;
        r.evaluator = ev->name;
        r.mapping_path = o.mapping;
        r.single = o.layer != NULL;
        rc = run_and_report(&r, &o, ev, o.mapping ? user : NULL, only);
    }
    free(r.layers);
    pesim_network_free(&net);
    free(user);
    free(arch);
    return rc;
}
