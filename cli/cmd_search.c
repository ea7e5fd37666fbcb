/* cli/cmd_search.c - `pesim search`: the mapping search of one layer, or of
 * every MAC layer of a network (one search each, totals at the end), with
 * any registered algorithm, recorded in a result store that a killed run
 * resumes from.
 *
 * Order of checks, so the exit status says what went wrong: options (2),
 * inputs (2), the store (2: missing on --resume, locked, corrupt), then the
 * searches; an interrupted search or a layer without any valid candidate
 * exits 1 after writing every output. POSIX: sigaction. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "inputs.h"
#include "json.h"
#include "opts.h"
#include "output.h"
#include "paths.h"
#include "search_run.h"

#define SEARCH_DEFAULT_ALGO "genetic"
#define SEARCH_DEFAULT_BUDGET 1000
#define SEARCH_DEFAULT_OUT "pesim-search-out"

static const cli_usage usage = {
    "search",
    "[--arch FILE] [--workload FILE] [--layer NAME] [--algo NAME] [--budget N]\n"
    "                    [--seed S] [--objective latency|energy|edp] [--eval analytical|cycle]\n"
    "                    [--db FILE] [--resume] [--json FILE] [--out DIR] [--threads N]\n"
    "                    [--batch N]",
    "Searches the mapping (tile factors per level, loop orders, spatial unrolling,\n"
    "bypass) of one layer (--layer) or of every MAC layer of the workload, one\n"
    "search per layer, with an ask/tell algorithm: exhaustive, random, annealing,\n"
    "genetic or timeloop. Every evaluation is recorded in a result store (SQLite);\n"
    "--resume continues a killed or interrupted run to its budget, losing and\n"
    "repeating nothing. The best mapping of each layer is written to\n"
    "DIR/<layer>.cfg (it runs again with 'pesim run --layer L --mapping FILE'),\n"
    "the convergence to DIR/<layer>.csv.",
    "Defaults: --arch " CLI_DEFAULT_ARCH ", --workload " CLI_DEFAULT_WORKLOAD ",\n"
    "--algo " SEARCH_DEFAULT_ALGO ", --budget 1000 (evaluations per layer), --seed 1, --objective edp,\n"
    "--eval analytical, --out " SEARCH_DEFAULT_OUT ", --db DIR/search.db, --threads 1,\n"
    "--batch = --threads. The same seed and batch give the same run; --resume needs\n"
    "the options of the run it continues. Ctrl-C stops between batches and writes\n"
    "the best so far. Exit status: 0 success, 1 interrupted or no valid mapping\n"
    "found for a layer, 2 bad usage or bad input (also a locked or corrupt store).\n"
    "Algorithms and outputs: docs/search.md, docs/cli.md.",
};

typedef struct cmd_args {
    cli_input_args in;
    const char *algo, *budget, *seed, *objective, *eval, *db, *json, *out, *threads, *batch;
    int resume;
} cmd_args;

/* Parses a decimal integer in [lo, hi]; prints a message naming the option
 * and returns -1 when it is not one. */
static int parse_int(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi) {
        cli_error("search: --%s %s: expected an integer in [%lld, %lld]", opt, s, (long long)lo, (long long)hi);
        return -1;
    }
    *v = x;
    return 0;
}

static int parse_seed(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || s[0] == '+') {
        cli_error("search: --seed %s: expected an integer in [0, 18446744073709551615]", s);
        return -1;
    }
    *v = x;
    return 0;
}

/* Checks every option that needs no file and fills a. */
static int check_args(const cmd_args *o, search_args *a)
{
    if (cli_inputs_check("search", &o->in) != CLI_OK)
        return CLI_USAGE;
    memset(a, 0, sizeof *a);
    a->algo = o->algo ? o->algo : SEARCH_DEFAULT_ALGO;
    const char *const *names = pesim_algo_names();
    int known = 0;
    for (int i = 0; names[i]; i++)
        known |= strcmp(names[i], a->algo) == 0;
    if (!known) {
        char list[256] = "";
        for (int i = 0; names[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "|" : "", names[i]);
        cli_error("search: unknown algorithm '%s' (--algo %s)", a->algo, list);
        return CLI_USAGE;
    }
    int64_t v;
    a->budget = SEARCH_DEFAULT_BUDGET;
    if (o->budget) {
        if (parse_int("budget", o->budget, 1, INT64_C(1000000000000), &v))
            return CLI_USAGE;
        a->budget = v;
    }
    a->seed = 1;
    if (o->seed && parse_seed(o->seed, &a->seed))
        return CLI_USAGE;
    a->objective = PESIM_OBJ_EDP;
    if (o->objective) {
        int ob = pesim_objective_parse(o->objective);
        if (ob < 0 || ob == PESIM_OBJ_WEIGHTED) {
            cli_error("search: unknown objective '%s' (--objective latency|energy|edp)", o->objective);
            return CLI_USAGE;
        }
        a->objective = (pesim_objective)ob;
    }
    a->fidelity = PESIM_FIDELITY_ANALYTICAL;
    if (o->eval) {
        int f = pesim_fidelity_parse(o->eval);
        if (f < 0) {
            cli_error("search: unknown evaluator '%s' (--eval analytical|cycle)", o->eval);
            return CLI_USAGE;
        }
        a->fidelity = (pesim_fidelity)f;
    }
    a->threads = 1;
    if (o->threads) {
        if (parse_int("threads", o->threads, 1, 1024, &v))
            return CLI_USAGE;
        a->threads = (int32_t)v;
    }
    a->batch = a->threads;
    if (o->batch) {
        if (parse_int("batch", o->batch, 1, 65536, &v))
            return CLI_USAGE;
        a->batch = (int32_t)v;
    }
    a->resume = o->resume;
    a->out_dir = o->out ? o->out : SEARCH_DEFAULT_OUT;
    return CLI_OK;
}

/* ---------------------------------------------------------------- output */

typedef struct search_report {
    const search_args *a;
    const cli_inputs *in;
    const char *db;
    search_layer *layers;
    int32_t n;                     /* searched (or started) */
    int32_t n_planned;
    int single;                    /* --layer */
} search_report;

typedef struct totals {
    int64_t samples, cycles;
    double energy_pj, objective;
    int32_t valid_layers;
} totals;

static totals sum_layers(const search_report *rp)
{
    totals t;
    memset(&t, 0, sizeof t);
    for (int32_t i = 0; i < rp->n; i++) {
        const search_layer *s = &rp->layers[i];
        t.samples += s->samples;
        if (!s->found)
            continue;
        t.valid_layers++;
        t.cycles += s->best.cycles;
        t.energy_pj += s->best.energy_pj;
    }
    switch (rp->a->objective) {
    case PESIM_OBJ_LATENCY: t.objective = (double)t.cycles; break;
    case PESIM_OBJ_ENERGY: t.objective = t.energy_pj; break;
    default: t.objective = t.energy_pj * (double)t.cycles; break; /* EDP of the network */
    }
    return t;
}

static void json_best(json_writer *w, const search_layer *s)
{
    json_key(w, "best");
    if (!s->found) {
        json_null(w);
        return;
    }
    json_begin_object(w);
    json_kv_double(w, "objective", s->best.objective);
    json_kv_int(w, "cycles", s->best.cycles);
    json_kv_double(w, "energy_pj", s->best.energy_pj);
    json_kv_string(w, "mapping", s->mapping_file[0] ? s->mapping_file : NULL);
    json_kv_int(w, "sample", s->best_sample);
    json_end_object(w);
}

static void json_layer_fields(json_writer *w, const search_layer *s)
{
    json_best(w, s);
    json_kv_int(w, "samples", s->samples);
    json_kv_int(w, "valid_samples", s->valid);
    json_kv_int(w, "resumed_samples", s->replayed);
    json_kv_int(w, "run_id", s->run_id);
    json_kv_string(w, "convergence", s->csv_file[0] ? s->csv_file : NULL);
    json_kv_bool(w, "stopped_by_algorithm", s->algo_done);
    json_kv_bool(w, "interrupted", s->interrupted);
    json_kv_double(w, "wall_s", s->wall_s);
}

static void write_json(const search_report *rp, FILE *f)
{
    const search_args *a = rp->a;
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "arch", rp->in->arch->name);
    json_kv_string(&w, "arch_file", rp->in->arch_path);
    json_kv_string(&w, "workload", rp->in->net.name);
    json_kv_string(&w, "workload_file", rp->in->workload_path);
    json_kv_string(&w, "algo", a->algo);
    json_kv_string(&w, "objective", pesim_objective_name(a->objective));
    json_kv_string(&w, "eval", pesim_fidelity_name(a->fidelity));
    json_kv_int(&w, "budget", a->budget);
    json_kv_int(&w, "batch", a->batch);
    json_kv_string(&w, "db", rp->db);
    json_kv_string(&w, "out", a->out_dir);
    if (rp->single && rp->n == 1) {
        json_kv_string(&w, "layer", rp->layers[0].layer->name);
        json_layer_fields(&w, &rp->layers[0]);
    } else {
        totals t = sum_layers(rp);
        int all = t.valid_layers == rp->n_planned;
        /* "best" of a network: the totals of the layers' best mappings. */
        json_key(&w, "best");
        json_begin_object(&w);
        json_kv_double(&w, "objective", t.objective);
        json_kv_int(&w, "cycles", t.cycles);
        json_kv_double(&w, "energy_pj", t.energy_pj);
        json_kv_null(&w, "mapping");
        json_end_object(&w);
        json_kv_int(&w, "samples", t.samples);
        json_key(&w, "layers");
        json_begin_array(&w);
        for (int32_t i = 0; i < rp->n; i++) {
            json_begin_object(&w);
            json_kv_string(&w, "name", rp->layers[i].layer->name);
            json_layer_fields(&w, &rp->layers[i]);
            json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "total");
        json_begin_object(&w);
        json_kv_double(&w, "objective", t.objective);
        json_kv_int(&w, "cycles", t.cycles);
        json_kv_double(&w, "energy_pj", t.energy_pj);
        json_kv_int(&w, "samples", t.samples);
        json_kv_int(&w, "layers", rp->n_planned);
        json_kv_int(&w, "layers_searched", rp->n);
        json_kv_int(&w, "layers_with_valid_mapping", t.valid_layers);
        json_kv_bool(&w, "valid", all);
        json_end_object(&w);
    }
    /* the seed as a JSON integer (a double above INT64_MAX: JSON readers
     * rarely take more than 64-bit signed integers) */
    if (a->seed <= (uint64_t)INT64_MAX)
        json_kv_int(&w, "seed", (int64_t)a->seed);
    else
        json_kv_double(&w, "seed", (double)a->seed);
    json_end_object(&w);
}

static void write_text(const search_report *rp, FILE *f)
{
    const search_args *a = rp->a;
    char b1[32], b2[32], b3[32], b4[32];
    fprintf(f, "search %s on %s, %s: objective %s, %s, budget %s, seed %" PRIu64 ", batch %d\n\n", a->algo,
            rp->in->arch->name, rp->in->net.name, pesim_objective_name(a->objective),
            pesim_fidelity_name(a->fidelity), cli_fmt_count(a->budget, b1, sizeof b1), a->seed, (int)a->batch);
    fprintf(f, "%-16s %9s %9s %14s %14s %12s %9s  %s\n", "layer", "samples", "valid", "best objective", "cycles",
            "energy", "found at", "mapping");
    for (int32_t i = 0; i < rp->n; i++) {
        const search_layer *s = &rp->layers[i];
        fprintf(f, "%-16s %9s %9s ", s->layer->name, cli_fmt_count(s->samples, b1, sizeof b1),
                cli_fmt_count(s->valid, b2, sizeof b2));
        if (s->found)
            fprintf(f, "%14.6g %14s %12s %9s  %s", s->best.objective, cli_fmt_count(s->best.cycles, b3, sizeof b3),
                    cli_fmt_energy_pj(s->best.energy_pj, b4, sizeof b4),
                    cli_fmt_count(s->best_sample, b1, sizeof b1), s->mapping_file);
        else
            fprintf(f, "%14s %14s %12s %9s  %s", "-", "-", "-", "-", "no valid mapping found");
        if (s->interrupted)
            fputs(" (interrupted)", f);
        else if (s->algo_done)
            fputs(" (algorithm finished)", f);
        fputc('\n', f);
    }
    if (!rp->single) {
        totals t = sum_layers(rp);
        fprintf(f, "%-16s %9s %9s %14.6g %14s %12s\n", "total", cli_fmt_count(t.samples, b1, sizeof b1), "",
                t.objective, cli_fmt_count(t.cycles, b3, sizeof b3), cli_fmt_energy_pj(t.energy_pj, b4, sizeof b4));
        if (t.valid_layers < rp->n_planned)
            fprintf(f, "(totals over the %d of %d layers with a valid mapping)\n", (int)t.valid_layers,
                    (int)rp->n_planned);
    }
    fprintf(f, "\nstore: %s; convergence: %s/<layer>.csv\n", rp->db, a->out_dir);
}

/* ---------------------------------------------------------------- the run */

static void on_sigint(int sig)
{
    (void)sig;
    cli_search_stop = 1;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Searches the layers and writes the outputs; returns the exit status. */
static int search_all(const search_args *a, const cmd_args *o, cli_inputs *in)
{
    search_report rp;
    memset(&rp, 0, sizeof rp);
    rp.a = a;
    rp.in = in;
    rp.single = in->only >= 0;
    int32_t *todo = malloc((size_t)(in->net.n_layers > 0 ? in->net.n_layers : 1) * sizeof *todo);
    rp.layers = calloc((size_t)(in->net.n_layers > 0 ? in->net.n_layers : 1), sizeof *rp.layers);
    if (!todo || !rp.layers) {
        free(todo);
        free(rp.layers);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (int32_t i = 0; i < in->net.n_layers; i++)
        if ((in->only < 0 || in->only == i) && pesim_layer_has_macs(&in->net.layers[i]))
            todo[rp.n_planned++] = i;

    int rc = CLI_OK;
    char dbbuf[SEARCH_PATH_MAX];
    FILE *jf = NULL;
    pesim_store *st = NULL;
    if (rp.single && rp.n_planned == 0) {
        cli_error("search: layer '%s' has no MACs; there is no mapping to search", o->in.layer);
        rc = CLI_USAGE;
        goto done;
    }
    if (cli_make_dir(a->out_dir) != 0) {
        rc = CLI_USAGE;
        goto done;
    }
    if (o->db) {
        snprintf(dbbuf, sizeof dbbuf, "%s", o->db);
    } else if (snprintf(dbbuf, sizeof dbbuf, "%s/search.db", a->out_dir) >= (int)sizeof dbbuf) {
        cli_error("%s: path too long", a->out_dir);
        rc = CLI_USAGE;
        goto done;
    }
    rp.db = dbbuf;
    if (a->resume && !file_exists(dbbuf)) {
        cli_error("search: --resume: %s does not exist (nothing to resume; --db names the store)", dbbuf);
        rc = CLI_USAGE;
        goto done;
    }
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_store_open(dbbuf, &st, &e) != PESIM_OK) {
        cli_report(&e, dbbuf);
        rc = CLI_USAGE;
        goto done;
    }
    if (o->json && !(jf = cli_open_out(o->json))) {
        rc = CLI_USAGE;
        goto done;
    }

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    cli_search_stop = 0;
    sigaction(SIGINT, &sa, &old);
    search_progress prog;
    cli_search_progress_start(&prog, a->budget, rp.n_planned);
    prog.of = rp.n_planned;
    for (int32_t i = 0; i < rp.n_planned && rc == CLI_OK; i++) {
        prog.nth = i + 1;
        rc = cli_search_layer(a, in->arch, &in->net.layers[todo[i]], st, &prog, &rp.layers[rp.n]);
        if (rc == CLI_OK || rp.layers[rp.n].samples > 0)
            rp.n++;
        if (rc == CLI_OK && rp.layers[rp.n - 1].interrupted)
            break;
    }
    cli_progress_end(&prog.line);
    sigaction(SIGINT, &old, NULL);
    /* Complete: the runs are finished (an interrupted search leaves them
     * running, for --resume). */
    int interrupted = rp.n > 0 && rp.layers[rp.n - 1].interrupted;
    for (int32_t i = 0; i < rp.n && rc == CLI_OK && !interrupted; i++)
        if (pesim_store_finish_run(st, rp.layers[i].run_id, &e) != PESIM_OK) {
            cli_report(&e, dbbuf);
            rc = CLI_FAIL;
        }

    if (rc == CLI_OK) {
        if (!cli_is_stdout(o->json))
            write_text(&rp, stdout);
        if (jf)
            write_json(&rp, jf);
        int missing = 0;
        for (int32_t i = 0; i < rp.n; i++)
            missing += !rp.layers[i].found;
        if (interrupted) {
            cli_error("search: interrupted after %lld samples of layer '%s'; the best so far is written; "
                      "--resume continues", (long long)rp.layers[rp.n - 1].samples,
                      rp.layers[rp.n - 1].layer->name);
            rc = CLI_FAIL;
        } else if (missing) {
            cli_error("search: no valid mapping found for %d layer%s within the budget", missing,
                      missing > 1 ? "s" : "");
            rc = CLI_FAIL;
        }
    }
done:
    if (cli_close_out(jf, o->json) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    pesim_store_close(st);
    free(todo);
    free(rp.layers);
    return rc;
}

int cli_cmd_search(int argc, char **argv)
{
    cmd_args o;
    memset(&o, 0, sizeof o);
    const cli_opt opts[] = {
        {"arch", "FILE", "architecture config [" CLI_DEFAULT_ARCH "]", &o.in.arch, NULL},
        {"workload", "FILE", "workload config [" CLI_DEFAULT_WORKLOAD "]", &o.in.workload, NULL},
        {"layer", "NAME", "search only this layer [every MAC layer]", &o.in.layer, NULL},
        {"algo", "NAME", "exhaustive|random|annealing|genetic|timeloop [" SEARCH_DEFAULT_ALGO "]", &o.algo, NULL},
        {"budget", "N", "evaluations per layer [1000]", &o.budget, NULL},
        {"seed", "S", "seed of the algorithm's generator [1]", &o.seed, NULL},
        {"objective", "NAME", "latency|energy|edp, lower is better [edp]", &o.objective, NULL},
        {"eval", "NAME", "analytical|cycle [analytical]", &o.eval, NULL},
        {"db", "FILE", "result store (SQLite) [DIR/search.db]", &o.db, NULL},
        {"resume", NULL, "continue the run recorded in the store", NULL, &o.resume},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"out", "DIR", "best mappings and convergence CSVs [" SEARCH_DEFAULT_OUT "]", &o.out, NULL},
        {"threads", "N", "evaluator threads [1]", &o.threads, NULL},
        {"batch", "N", "candidates per ask [--threads]", &o.batch, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    search_args a;
    if ((rc = check_args(&o, &a)) != CLI_OK)
        return rc;
    cli_inputs in;
    rc = cli_inputs_load("search", &o.in, &in);
    if (rc == CLI_OK) {
        a.arch_path = in.arch_path;
        a.workload_path = in.workload_path;
        rc = search_all(&a, &o, &in);
    }
    cli_inputs_free(&in);
    return rc;
}
