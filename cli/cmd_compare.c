/* cli/cmd_compare.c - `pesim compare`: every available evaluator on the same
 * layers with the same mappings, side by side (see compare.h).
 *
 * The reference (analytical) runs first and maps each layer (--mapping or the
 * default mapper); every other available evaluator then runs the reference's
 * mappings. Order of checks as in `run`: options (2), inputs (2), outputs can
 * be opened (2), then the runs. Exit 1 when a layer is invalid, or when two
 * evaluators disagree on a layer's validity or access counts (a bug: they
 * share the mapping semantics, so their counts are equal by construction),
 * when a simulation's cycles fall below the analytical bound, or when the
 * SystemC reference does not reproduce the cycle engine exactly. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "inputs.h"
#include "opts.h"
#include "output.h"
#include "paths.h"
#include "run_net.h"
#include "pesim/search.h"

static const cli_usage usage = {
    "compare",
    "[--arch FILE] [--workload FILE] [--layer NAME] [--mapping FILE]\n"
    "                     [--json FILE] [--csv FILE] [--stall-free]\n"
    "                     [--dram-sched frfcfs|fcfs] [--no-refresh]\n"
    "                     [--mappings N [--search-algo NAME] [--search-budget N] [--seed S]\n"
    "                      [--threads N] [--db FILE] [--systemc K]]\n"
    "                     [--placement FILE|greedy|dram|optimal [--preload-weights] [--rectify]\n"
    "                      [--no-alias] [--no-prefetch] [--mappings DIR]]",
    "Runs every available evaluator (analytical model, cycle engine; the SystemC\n"
    "reference when built) on each MAC layer with the same mapping, and reports per\n"
    "layer the analytical and simulated cycles, their ratio, the gap split by cause\n"
    "(compute and stall cycles of the engine minus those of the analytical model, as\n"
    "a percentage of the analytical cycles), and whether the access counts of the\n"
    "evaluators are identical (they must be); the SystemC reference must reproduce\n"
    "the cycle engine exactly (cycles, stalls, energy, DRAM statistics).",
    "Inputs and defaults as in 'pesim run': --arch " CLI_DEFAULT_ARCH ",\n"
    "--workload " CLI_DEFAULT_WORKLOAD "; without --mapping each layer gets the\n"
    "default mapper's mapping. --stall-free, --dram-sched and --no-refresh apply to\n"
    "the simulating evaluators. FILE '-' writes to stdout (the table is then not\n"
    "printed). Exit status: 0 success, 1 a layer is invalid or the evaluators\n"
    "disagree (validity, access counts, the analytical lower bound, SystemC against\n"
    "the engine: a bug), 2 bad usage or bad input. Fields: docs/cli.md.\n"
    "--mappings N compares the analytical model and the cycle engine over many\n"
    "mappings of each layer instead: N random valid ones and those a search of\n"
    "--search-budget evaluations [N] of --search-algo [annealing] evaluates (seeded\n"
    "--seed [1] + layer): mean and max |error| % of cycles and energy, Spearman and\n"
    "Kendall rank correlation, the pairs whose order flips, the simulated rank of\n"
    "the model's best, and the gap by stall cause; --csv gets one row per layer\n"
    "and set; --db stores the mappings for 'pesim report' (docs/workflows.md);\n"
    "--systemc K runs the first K mappings of each set on the SystemC reference too,\n"
    "which must reproduce the engine exactly.\n"
    "--placement P runs the whole network as one simulation with its tensors placed\n"
    "(as 'pesim run --placement P') under every evaluator instead: the analytical\n"
    "bound, the cycle engine and the SystemC reference side by side; every layer's\n"
    "access counts must be equal, the engine's cycles not below the bound, and the\n"
    "reference must reproduce the engine on the network and every layer; with\n"
    "--mappings DIR each MAC layer runs the mapping in DIR/<layer>.cfg, as in 'run'.",
};

typedef struct compare_args {
    cli_input_args in;
    const char *json, *csv;
    cli_engine_args engine;
    const char *mappings, *search_algo, *search_budget, *seed, *threads, *db, *systemc;
    net_run_args net;             /* --placement and its options */
} compare_args;

/* Fills the evaluators of r (available ones in table order, the others in
 * r->missing) with the shared inputs. */
static void setup(compare_result *r, const cli_inputs *in, const compare_args *o,
                  const pesim_engine_options *eo)
{
    size_t n;
    const cli_evaluator *list = cli_evaluator_list(&n);
    for (size_t k = 0; k < n && k < CLI_COMPARE_MAX; k++) {
        if (!list[k].fn) {
            r->missing[r->n_missing++] = &list[k];
            continue;
        }
        run_result *x = &r->run[r->n_runs++];
        x->ev = &list[k];
        x->engine_opt = *eo;
        x->arch = in->arch;
        x->arch_path = in->arch_path;
        x->net = &in->net;
        x->workload_path = in->workload_path;
        x->mapping_path = o->in.mapping;
        x->single = o->in.layer != NULL;
    }
}

/* Runs the evaluators; -1 when out of memory. */
static int run_all(compare_result *r, const cli_inputs *in)
{
    if (cli_run_layers(&r->run[0], in->user, in->only) != 0)
        return -1;
    for (size_t k = 1; k < r->n_runs; k++)
        if (cli_run_layers_like(&r->run[k], &r->run[0]) != 0)
            return -1;
    return 0;
}

/* One message on stderr per layer where an evaluator disagrees with the
 * reference: that is a bug to report, not a property of the design. */
static void report_disagreements(const compare_result *r)
{
    for (size_t k = 1; k < r->n_runs; k++) {
        for (int32_t i = 0; i < r->run[0].n; i++) {
            compare_check c;
            cli_compare_check(r, k, i, &c);
            if (c.verdict != CMP_AGREE)
                cli_error("compare: layer %s: %s and %s disagree (%s); this is a bug",
                          r->run[0].layers[i].layer->name, r->run[0].ev->name,
                          r->run[k].ev->name, c.difference);
        }
        size_t j = cli_compare_twin(r, k);
        char diff[CLI_COMPARE_DIFF_MAX];
        for (int32_t i = 0; j > 0 && i < r->run[0].n; i++)
            if (cli_compare_exact(r, j, k, i, diff, sizeof diff) == 0)
                cli_error("compare: layer %s: %s does not reproduce %s (%s); this is a bug",
                          r->run[0].layers[i].layer->name, r->run[k].ev->name, r->run[j].ev->name, diff);
    }
}

static int compare_and_report(compare_result *r, const compare_args *o, const cli_inputs *in)
{
    FILE *jf = o->json ? cli_open_out(o->json) : NULL;
    FILE *cf = o->csv ? cli_open_out(o->csv) : NULL;
    int rc = CLI_OK;
    if ((o->json && !jf) || (o->csv && !cf))
        rc = CLI_USAGE;
    else if (run_all(r, in) != 0)
        rc = CLI_FAIL;
    if (rc == CLI_OK) {
        if (!cli_is_stdout(o->json) && !cli_is_stdout(o->csv))
            cli_compare_text(r, stdout);
        if (jf) cli_compare_json(r, jf);
        if (cf) cli_compare_csv(r, cf);
        report_disagreements(r);
        if (cli_compare_disagreements(r) > 0 || cli_compare_invalid(r) > 0)
            rc = CLI_FAIL;
    }
    int bad = cli_close_out(jf, o->json);
    bad |= cli_close_out(cf, o->csv);
    bad |= cli_close_out(stdout, "-");
    if (bad && rc == CLI_OK)
        rc = CLI_FAIL;
    return rc;
}

/* `--mappings N`: the study over many mappings (compare_rank.c). */
static int compare_mappings(const compare_args *o)
{
    compare_mappings_args a;
    memset(&a, 0, sizeof a);
    int64_t v;
    if (!o->mappings) {
        cli_error("compare: --search-algo, --search-budget, --seed, --threads, --db and --systemc go with "
                  "--mappings N");
        return CLI_USAGE;
    }
    if (o->in.mapping || o->json || o->engine.stall_free || o->engine.dram_sched || o->engine.no_refresh) {
        cli_error("compare: --mappings takes no --mapping, --json, --stall-free, --dram-sched or --no-refresh");
        return CLI_USAGE;
    }
    if (cli_parse_i64("compare", "mappings", o->mappings, 0, 100000, &v))
        return CLI_USAGE;
    a.n_random = a.search_budget = v;
    if (o->search_budget && cli_parse_i64("compare", "search-budget", o->search_budget, 0, 1000000, &a.search_budget))
        return CLI_USAGE;
    a.search_algo = o->search_algo ? o->search_algo : "annealing";
    if (!pesim_algo_summary(a.search_algo)) {
        cli_error("compare: --search-algo %s: no such algorithm", a.search_algo);
        return CLI_USAGE;
    }
    a.seed = 1;
    if (o->seed) {
        if (cli_parse_i64("compare", "seed", o->seed, 0, INT64_MAX, &v))
            return CLI_USAGE;
        a.seed = (uint64_t)v;
    }
    a.threads = 1;
    if (o->threads) {
        if (cli_parse_i64("compare", "threads", o->threads, 1, 64, &v))
            return CLI_USAGE;
        a.threads = (int32_t)v;
    }
    if (o->systemc && cli_parse_i64("compare", "systemc", o->systemc, 0, 100000, &a.n_systemc))
        return CLI_USAGE;
    a.db = o->db;
    a.csv = o->csv;
    cli_inputs in;
    int rc = cli_inputs_load("compare", &o->in, &in);
    FILE *cf = NULL;
    if (rc == CLI_OK && o->csv && !(cf = cli_open_out(o->csv)))
        rc = CLI_USAGE;
    if (rc == CLI_OK)
        rc = cli_compare_mappings(&in, &a, cf);
    if (cli_close_out(cf, o->csv) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    cli_inputs_free(&in);
    return rc;
}

/* `--placement P`: the whole network as one simulation (compare_net.c). */
static int compare_network(const compare_args *o, const pesim_engine_options *eo)
{
    if (!o->net.placement) {
        cli_error("compare: --preload-weights, --rectify, --no-alias and --no-prefetch go with --placement");
        return CLI_USAGE;
    }
    if (o->in.layer || o->in.mapping || o->csv || o->search_algo || o->search_budget || o->seed || o->threads ||
        o->db || o->systemc) {
        cli_error("compare: --placement runs the whole network: --layer, --mapping, --csv and the options of "
                  "--mappings N do not apply (pesim run --placement P --eval NAME --csv FILE writes one "
                  "evaluator's layers)");
        return CLI_USAGE;
    }
    net_run_args na = o->net;
    na.json = o->json;
    na.mappings = o->mappings; /* DIR here, as in `run --placement` */
    cli_inputs in;
    int rc = cli_inputs_load("compare", &o->in, &in);
    if (rc == CLI_OK)
        rc = cli_compare_network(&in, &na, eo);
    cli_inputs_free(&in);
    return rc;
}

int cli_cmd_compare(int argc, char **argv)
{
    compare_args o;
    memset(&o, 0, sizeof o);
    const cli_opt opts[] = {
        {"arch", "FILE", "architecture config [" CLI_DEFAULT_ARCH "]", &o.in.arch, NULL},
        {"workload", "FILE", "workload config [" CLI_DEFAULT_WORKLOAD "]", &o.in.workload, NULL},
        {"layer", "NAME", "compare only this layer (with details)", &o.in.layer, NULL},
        {"mapping", "FILE", "the layer's mapping (needs --layer) [default mapper]", &o.in.mapping, NULL},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"csv", "FILE", "also write CSV, one row per layer, to FILE", &o.csv, NULL},
        {"stall-free", NULL, "cycle engine: transfers take no time (compute only)", NULL, &o.engine.stall_free},
        {"dram-sched", "NAME", "cycle engine: DRAM scheduler frfcfs|fcfs [frfcfs]", &o.engine.dram_sched, NULL},
        {"no-refresh", NULL, "cycle engine: no DRAM refresh", NULL, &o.engine.no_refresh},
        {"mappings", "N|DIR", "compare over N random and the searched mappings of each layer; with --placement, "
                               "DIR: each MAC layer's mapping from DIR/<layer>.cfg", &o.mappings, NULL},
        {"search-algo", "NAME", "--mappings: the search of the searched set [annealing]", &o.search_algo, NULL},
        {"search-budget", "N", "--mappings: its evaluations per layer [N]", &o.search_budget, NULL},
        {"seed", "S", "--mappings: seed of the random set and the search [1]", &o.seed, NULL},
        {"threads", "N", "--mappings: evaluator threads [1]", &o.threads, NULL},
        {"db", "FILE", "--mappings: store the mappings and both costs (SQLite)", &o.db, NULL},
        {"systemc", "K", "--mappings: the SystemC reference also runs K mappings per set [0]", &o.systemc, NULL},
        CLI_NET_OPTS(o.net),
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    pesim_engine_options eo;
    if (cli_inputs_check("compare", &o.in) != CLI_OK ||
        cli_engine_options("compare", &o.engine, &eo) != CLI_OK)
        return CLI_USAGE;
    if (cli_is_stdout(o.json) && cli_is_stdout(o.csv)) {
        cli_error("compare: --json and --csv cannot both write to stdout");
        return CLI_USAGE;
    }

    if (o.net.placement || o.net.preload_weights || o.net.rectify || o.net.no_alias || o.net.no_prefetch)
        return compare_network(&o, &eo);
    if (o.mappings || o.search_algo || o.search_budget || o.seed || o.threads || o.db || o.systemc)
        return compare_mappings(&o);
    compare_result *r = calloc(1, sizeof *r);
    if (!r) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_inputs in;
    rc = cli_inputs_load("compare", &o.in, &in);
    if (rc == CLI_OK) {
        setup(r, &in, &o, &eo);
        rc = compare_and_report(r, &o, &in);
    }
    for (size_t k = 0; k < r->n_runs; k++)
        free(r->run[k].layers);
    free(r);
    cli_inputs_free(&in);
    return rc;
}
