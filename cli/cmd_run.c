/* cli/cmd_run.c - `pesim run`: map and evaluate every MAC layer of a network
 * (or the one named by --layer) on an architecture, then report.
 *
 * Order of checks, so the exit status says what went wrong: options (2),
 * inputs (2), the evaluator is built (1), outputs can be opened (2), then the
 * run; a run with any invalid layer exits 1 after writing every output. */
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"

#include "cli.h"
#include "evaluators.h"
#include "inputs.h"
#include "opts.h"
#include "output.h"
#include "paths.h"
#include "run.h"
#include "run_net.h"

static const cli_usage usage = {
    "run",
    "[--arch FILE] [--workload FILE] [--layer NAME] [--mapping FILE]\n"
    "                 [--eval analytical|cycle|systemc] [--json FILE] [--csv FILE]\n"
    "                 [--print-mapping DIR] [--stall-free] [--dram-sched frfcfs|fcfs]\n"
    "                 [--no-refresh] [--placement FILE|greedy|dram|optimal [--preload-weights]\n"
    "                 [--rectify] [--no-alias] [--no-prefetch] [--write-placement FILE]\n"
    "                 [--occupancy FILE] [--mappings DIR]]",
    "Maps every MAC layer of the workload (or the one named by --layer) onto the\n"
    "architecture and evaluates it: cycles, time at the arch clock, energy, EDP,\n"
    "utilization, and for one layer the accesses per level and tensor. Layers\n"
    "without MACs (pool, add, concat) are listed as \"no MACs, not mapped\".\n"
    "Without --mapping each layer gets the default mapper's mapping.\n"
    "--eval cycle simulates the machine cycle by cycle and also reports the stall\n"
    "cycles by cause (and, for one layer, the engine's counters).\n"
    "--placement runs the whole network as one simulation with its tensors placed\n"
    "(docs/network.md): FILE (a placement config), greedy (the native-compiler\n"
    "placer), dram (everything in the outermost level) or optimal (every placement\n"
    "when there are at most 4096, else an ILP solved by GLPK). Every layer is costed,\n"
    "those without MACs on the vector unit; each MAC layer is remapped for where\n"
    "its operands live (--mappings DIR: runs DIR/<layer>.cfg, as 'pesim search\n"
    "--out DIR' writes them, where it fits); capacity is checked over time.",
    "Defaults: --arch " CLI_DEFAULT_ARCH ", --workload " CLI_DEFAULT_WORKLOAD "\n"
    "(looked up in the current directory, then above the executable), --eval analytical.\n"
    "FILE '-' writes to stdout (and the table is then not printed).\n"
    "--print-mapping DIR writes DIR/<layer>.cfg; 'pesim run --layer L --mapping\n"
    "DIR/L.cfg' with the same arch and workload evaluates that mapping again.\n"
    "--stall-free, --dram-sched and --no-refresh are options of the cycle engine\n"
    "(--eval cycle); with --eval analytical they are bad usage.\n"
    "With --placement: --preload-weights (weights resident from the start, their\n"
    "load not charged), --rectify (spill what does not fit outwards), --no-alias\n"
    "(a concat always copies), --no-prefetch (no weight load before its layer),\n"
    "--write-placement FILE (the placement as run, with addresses), --occupancy\n"
    "FILE (CSV per level and step; scripts/plot_occupancy.py draws it); --layer\n"
    "and --mapping do not apply. An infeasible placement exits 1 with the tensor,\n"
    "level, step and words over.\n"
    "Exit status: 0 success, 1 a layer's result is invalid or the evaluator is not\n"
    "built, 2 bad usage or bad input. Fields and units: docs/cli.md.",
};

typedef struct run_args {
    cli_input_args in;
    const char *eval, *json, *csv, *print_mapping;
    cli_engine_args engine;
    net_run_args net;
} run_args;

/* Writes each mapped layer's mapping, in its canonical form, to
 * DIR/<layer>.cfg. Returns 0 or -1 (message printed). */
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
        pesim_mapping canon = rl->mapping;
        pesim_mapping_canonical(r->arch, rl->layer, &canon);
        if (pesim_mapping_write(rl->mapping_file, &canon, r->arch, rl->layer->name, &e)) {
            cli_report(&e, rl->mapping_file);
            rl->mapping_file[0] = '\0';
            return -1;
        }
    }
    return 0;
}

/* Checks the options that do not need the inputs; fills the evaluator and
 * the engine options of r. */
static int check_args(const run_args *o, run_result *r)
{
    if (cli_inputs_check("run", &o->in) != CLI_OK)
        return CLI_USAGE;
    r->ev = cli_evaluator_find(o->eval);
    if (!r->ev) {
        cli_error("run: unknown evaluator '%s' (--eval %s)", o->eval, cli_evaluator_names());
        return CLI_USAGE;
    }
    if (cli_engine_options("run", &o->engine, &r->engine_opt) != CLI_OK)
        return CLI_USAGE;
    if (!(r->ev->flags & CLI_EVAL_ENGINE) && cli_engine_args_given(&o->engine)) {
        cli_error("run: --stall-free, --dram-sched and --no-refresh are options of a simulating "
                  "evaluator (--eval cycle), not of '%s'", r->ev->name);
        return CLI_USAGE;
    }
    if (cli_is_stdout(o->json) && cli_is_stdout(o->csv)) {
        cli_error("run: --json and --csv cannot both write to stdout");
        return CLI_USAGE;
    }
    const net_run_args *n = &o->net;
    if (!n->placement && (n->write_placement || n->occupancy || n->preload_weights || n->rectify || n->no_alias ||
                          n->no_prefetch || n->mappings)) {
        cli_error("run: --preload-weights, --rectify, --no-alias, --no-prefetch, --mappings, --write-placement and "
                  "--occupancy are options of a whole-network run (--placement)");
        return CLI_USAGE;
    }
    if (n->placement && (o->in.layer || o->in.mapping)) {
        cli_error("run: --placement runs the whole network: --layer and --mapping do not apply");
        return CLI_USAGE;
    }
    if (n->placement && cli_is_stdout(n->occupancy) && (cli_is_stdout(o->json) || cli_is_stdout(o->csv))) {
        cli_error("run: only one of --json, --csv and --occupancy can write to stdout");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* After the inputs are loaded: runs, writes every output, returns the status. */
static int run_and_report(run_result *r, const run_args *o, const pesim_mapping *user,
                          int32_t only)
{
    if (!r->ev->fn) {   /* before any output file is created or truncated */
        cli_error("run: evaluator '%s' is not built yet", r->ev->name);
        return CLI_FAIL;
    }
    FILE *jf = o->json ? cli_open_out(o->json) : NULL;
    FILE *cf = o->csv ? cli_open_out(o->csv) : NULL;
    int rc = CLI_OK;
    if ((o->json && !jf) || (o->csv && !cf) || (o->print_mapping && cli_make_dir(o->print_mapping)))
        rc = CLI_USAGE;
    else if (cli_run_layers(r, user, only) != 0)
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
        {"arch", "FILE", "architecture config [" CLI_DEFAULT_ARCH "]", &o.in.arch, NULL},
        {"workload", "FILE", "workload config [" CLI_DEFAULT_WORKLOAD "]", &o.in.workload, NULL},
        {"layer", "NAME", "run only this layer (with details)", &o.in.layer, NULL},
        {"mapping", "FILE", "the layer's mapping (needs --layer) [default mapper]", &o.in.mapping, NULL},
        {"eval", "NAME", "evaluator: analytical|cycle|systemc [analytical]", &o.eval, NULL},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"csv", "FILE", "also write CSV, one row per layer, to FILE", &o.csv, NULL},
        {"print-mapping", "DIR", "write each layer's mapping to DIR/<layer>.cfg", &o.print_mapping, NULL},
        {"stall-free", NULL, "cycle engine: transfers take no time (compute only)", NULL, &o.engine.stall_free},
        {"dram-sched", "NAME", "cycle engine: DRAM scheduler frfcfs|fcfs [frfcfs]", &o.engine.dram_sched, NULL},
        {"no-refresh", NULL, "cycle engine: no DRAM refresh", NULL, &o.engine.no_refresh},
        CLI_NET_OPTS(o.net),
        {"write-placement", "FILE", "placement: write the placement as run to FILE", &o.net.write_placement, NULL},
        {"occupancy", "FILE", "placement: per-level occupancy over time (CSV) to FILE", &o.net.occupancy, NULL},
        {"mappings", "DIR", "placement: MAC layers' mappings from DIR/<layer>.cfg (pesim search --out DIR)",
         &o.net.mappings, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!o.eval)
        o.eval = CLI_DEFAULT_EVALUATOR;
    run_result r;
    memset(&r, 0, sizeof r);
    if ((rc = check_args(&o, &r)) != CLI_OK)
        return rc;

    cli_inputs in;
    rc = cli_inputs_load("run", &o.in, &in);
    if (rc == CLI_OK && o.net.placement) {
        o.net.eval = o.eval, o.net.json = o.json, o.net.csv = o.csv, o.net.print_mapping = o.print_mapping;
        rc = cli_run_network(&in, &o.net, &r.engine_opt);
    } else if (rc == CLI_OK) {
        r.arch = in.arch;
        r.arch_path = in.arch_path;
        r.net = &in.net;
        r.workload_path = in.workload_path;
        r.mapping_path = o.in.mapping;
        r.single = o.in.layer != NULL;
        rc = run_and_report(&r, &o, in.user, in.only);
    }
    free(r.layers);
    cli_inputs_free(&in);
    return rc;
}
