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
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pesim/config.h"

#include "cli.h"
#include "experiment.h"
#include "inputs.h"
#include "json.h"
#include "mpi_run.h"
#include "net_record.h"
#include "search_split.h"
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
    "                    [--algo-opt K=V[,K=V...]] [--seed S] [--objective latency|energy|edp]\n"
    "                    [--eval analytical|cycle] [--db FILE] [--resume | --new-run]\n"
    "                    [--json FILE] [--out DIR] [--threads N] [--batch N]\n"
    "                    [--encoding order=rank|sequence,spatial=factors|dim]\n"
    "                    [--agents K|auto] [--policy-in FILE]\n"
    "                    [--distribute auto|batches|searches] [--seeds LIST]\n"
    "       pesim search --experiment FILE [--joint] [options above but --layer]\n"
    "       pesim search --placement [--rectify] [--arch FILE] [--workload FILE] [options above but --layer]",
    "Searches the mapping (tile factors per level, loop orders, spatial unrolling,\n"
    "bypass) of one layer (--layer) or of every MAC layer of the workload, one\n"
    "search per layer, with an ask/tell algorithm: exhaustive, random, annealing,\n"
    "genetic, timeloop, rl, marl or das; for placement also egrl, ea, pg and greedy; for\n"
    "--experiment --joint also arco and autotvm (ARCO's co-design agents and AutoTVM's\n"
    "tuner). --algo-opt help lists an algorithm's options; rl and marl also write\n"
    "DIR/<layer>.policy, marl its agents to DIR/<layer>.agents.txt. Every\n"
    "evaluation is recorded in a result store (SQLite); --resume continues the\n"
    "store's run of this search, killed or finished, to --budget (a larger budget\n"
    "extends it: the same as a straight run of that budget), losing and repeating\n"
    "nothing; --new-run starts another run in a store that has one. The best\n"
    "mapping of each layer is written to DIR/<layer>.cfg (it runs again with\n"
    "'pesim run --layer L --mapping FILE'), the convergence to DIR/<layer>.csv\n"
    "(a name with other characters than [A-Za-z0-9._-] gets a hash suffix).\n"
    "--experiment FILE searches the experiment's hardware space (docs/search.md\n"
    "1.2; each layer mapped by the default mapper; --joint: hardware and every\n"
    "layer's mapping together) for the whole network, one run; --placement\n"
    "searches where each layer's weights and outputs live (EGRL-style; --rectify:\n"
    "a placement that does not fit is spilled outwards as a compiler would, and\n"
    "costs the rectified run, instead of being refused). They write\n"
    "DIR/best_arch.cfg and DIR/<layer>.cfg for every MAC layer (or\n"
    "DIR/best_placement.cfg) and the convergence to DIR/convergence.csv. With a\n"
    "store, the best design (of a network: each layer's best mapping) also runs as\n"
    "one network at cycle level, recorded for 'pesim report'.\n"
    "--seeds LIST (e.g. 1-5 or 1,2,7; instead of --seed) runs the search once per\n"
    "seed, in the order given, as `--seed S` would: one store (a run per seed and\n"
    "layer or design, labelled as one seed's, seed recorded; --resume continues\n"
    "each seed's own runs), each seed's files in DIR/seed-S/, the JSON an object\n"
    "per seed and a summary; under mpirun the seeds' layer searches are dealt to\n"
    "the workers.",
    "Defaults: --arch " CLI_DEFAULT_ARCH ", --workload " CLI_DEFAULT_WORKLOAD ",\n"
    "--algo " SEARCH_DEFAULT_ALGO ", --budget 1000 (evaluations per layer), --seed 1, --objective edp,\n"
    "--eval analytical, --out " SEARCH_DEFAULT_OUT ", --db DIR/search.db, --threads 1,\n"
    "--batch = --threads; with --experiment, the experiment's algorithm, budget, seed,\n"
    "objective and budgets unless given. The same seed, options and batch give the\n"
    "same run; --resume refuses other options than the run's (saying which), and a\n"
    "store with a run of this search needs --resume or --new-run. Under mpirun,\n"
    "--distribute (default auto) sends the batches' candidates or whole layer searches\n"
    "to the other ranks (docs/cluster.md). Ctrl-C stops\n"
    "between batches and writes the best so far. Exit status: 0 success, 1\n"
    "interrupted or no valid mapping found for a layer, 2 bad usage or bad input\n"
    "(also a refused resume, a store in use by another pesim, a corrupt store).\n"
    "Algorithms and outputs: docs/search.md, docs/cli.md.",
};

typedef struct cmd_args {
    cli_input_args in;
    const char *algo, *budget, *seed, *objective, *eval, *db, *json, *out, *threads, *batch;
    const char *experiment, *algo_opt, *encoding, *agents, *policy_in, *distribute, *seeds;
    int resume, new_run, joint, placement, rectify;
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
    a->agents = o->agents;
    a->policy_in = o->policy_in;
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
    if (o->resume && o->new_run) {
        cli_error("search: --resume continues a run, --new-run starts another: give one");
        return CLI_USAGE;
    }
    int d = cli_distribute_parse(o->distribute);
    if (d < 0) {
        cli_error("search: --distribute %s: expected auto, batches or searches", o->distribute);
        return CLI_USAGE;
    }
    a->distribute = d;
    a->mode = o->resume ? PESIM_RUN_RESUME : o->new_run ? PESIM_RUN_ANOTHER : PESIM_RUN_NEW;
    a->out_dir = o->out ? o->out : SEARCH_DEFAULT_OUT;
    pesim_error e;
    pesim_error_clear(&e);
    a->encoding_text = o->encoding;
    if (pesim_space_options_parse(o->encoding, &a->encoding, &e) != PESIM_OK) {
        cli_error("search: --encoding: %s", e.msg);
        return CLI_USAGE;
    }
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
    int split;                     /* whole searches ran on MPI workers (--distribute) */
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

/* A seed as a JSON integer (a double above INT64_MAX: JSON readers rarely
 * take more than 64-bit signed integers). */
static void json_kv_seed(json_writer *w, const char *key, uint64_t seed)
{
    if (seed <= (uint64_t)INT64_MAX)
        json_kv_int(w, key, (int64_t)seed);
    else
        json_kv_double(w, key, (double)seed);
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

/* The policy a learned search started from (--policy-in), with its hash. */
static void json_policy_in(json_writer *w, const search_layer *s)
{
    if (!s->policy_in)
        return;
    json_key(w, "policy_in");
    json_begin_object(w);
    json_kv_string(w, "file", s->policy_in);
    json_kv_string(w, "fnv1a64", s->policy_fnv1a64[0] ? s->policy_fnv1a64 : NULL);
    json_end_object(w);
}

/* The fields of one search's run (a layer's or a whole design's). */
static void json_run_fields(json_writer *w, const search_layer *s)
{
    json_kv_int(w, "samples", s->samples);
    json_kv_int(w, "valid_samples", s->valid);
    json_kv_int(w, "resumed_samples", s->replayed);
    json_kv_int(w, "run_id", s->run_id);
    json_kv_string(w, "convergence", s->csv_file[0] ? s->csv_file : NULL);
    json_kv_bool(w, "stopped_by_algorithm", s->algo_done);
    json_kv_bool(w, "interrupted", s->interrupted);
    json_kv_double(w, "wall_s", s->wall_s);
    json_kv_int(w, "predicted_samples", s->predictions);
    json_kv_int(w, "worker_evaluations", s->worker_evals);
    json_policy_in(w, s);
}

static void json_layer_fields(json_writer *w, const search_layer *s)
{
    json_best(w, s);
    json_run_fields(w, s);
}

static void write_json_object(const search_report *rp, json_writer *w)
{
    const search_args *a = rp->a;
    json_begin_object(w);
    json_kv_string(w, "arch", rp->in->arch->name);
    json_kv_string(w, "arch_file", rp->in->arch_path);
    json_kv_string(w, "workload", rp->in->net.name);
    json_kv_string(w, "workload_file", rp->in->workload_path);
    json_kv_string(w, "algo", a->algo);
    json_kv_string(w, "objective", pesim_objective_name(a->objective));
    json_kv_string(w, "eval", pesim_fidelity_name(a->fidelity));
    json_kv_int(w, "budget", a->budget);
    json_kv_int(w, "batch", a->batch);
    json_kv_string(w, "db", strcmp(rp->db, "none") ? rp->db : NULL);
    json_kv_string(w, "out", a->out_dir);
    json_kv_int(w, "ranks", pesim_mpi_size());
    json_kv_string(w, "distribute", pesim_mpi_size() < 2 ? NULL : rp->split ? "searches" : "batches");
    if (rp->single && rp->n == 1) {
        json_kv_string(w, "layer", rp->layers[0].layer->name);
        json_layer_fields(w, &rp->layers[0]);
    } else {
        totals t = sum_layers(rp);
        int all = t.valid_layers == rp->n_planned;
        /* "best" of a network: the totals of the layers' best mappings. */
        json_key(w, "best");
        json_begin_object(w);
        json_kv_double(w, "objective", t.objective);
        json_kv_int(w, "cycles", t.cycles);
        json_kv_double(w, "energy_pj", t.energy_pj);
        json_kv_null(w, "mapping");
        json_end_object(w);
        json_kv_int(w, "samples", t.samples);
        json_key(w, "layers");
        json_begin_array(w);
        for (int32_t i = 0; i < rp->n; i++) {
            json_begin_object(w);
            json_kv_string(w, "name", rp->layers[i].layer->name);
            json_layer_fields(w, &rp->layers[i]);
            json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "total");
        json_begin_object(w);
        json_kv_double(w, "objective", t.objective);
        json_kv_int(w, "cycles", t.cycles);
        json_kv_double(w, "energy_pj", t.energy_pj);
        json_kv_int(w, "samples", t.samples);
        json_kv_int(w, "layers", rp->n_planned);
        json_kv_int(w, "layers_searched", rp->n);
        json_kv_int(w, "layers_with_valid_mapping", t.valid_layers);
        json_kv_bool(w, "valid", all);
        json_end_object(w);
    }
    json_kv_seed(w, "seed", a->seed);
    json_end_object(w);
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

/* Opens the outputs a search shares: DIR, the store, the JSON file. */
static int open_outputs(const search_args *a, const cmd_args *o, char *dbbuf, size_t n, pesim_store **st,
                        FILE **jf)
{
    if (cli_make_dir(a->out_dir) != 0)
        return CLI_USAGE;
    if (o->db && strcmp(o->db, "none") == 0) { /* nothing recorded, nothing to resume */
        snprintf(dbbuf, n, "none");
        *st = NULL;
        if (a->mode != PESIM_RUN_NEW) {
            cli_error("search: --db none records nothing: there is no run to resume or to add to");
            return CLI_USAGE;
        }
    } else if (o->db) {
        snprintf(dbbuf, n, "%s", o->db);
    } else if (snprintf(dbbuf, n, "%s/search.db", a->out_dir) >= (int)n) {
        cli_error("%s: path too long", a->out_dir);
        return CLI_USAGE;
    }
    if (a->mode == PESIM_RUN_RESUME && !file_exists(dbbuf)) {
        cli_error("search: --resume: %s does not exist (nothing to resume; --db names the store)", dbbuf);
        return CLI_USAGE;
    }
    pesim_error e;
    pesim_error_clear(&e);
    if (strcmp(dbbuf, "none") != 0 && pesim_store_open(dbbuf, st, &e) != PESIM_OK) {
        cli_report(&e, dbbuf);
        return CLI_USAGE;
    }
    if (o->json && !(*jf = cli_open_out(o->json)))
        return CLI_USAGE;
    return CLI_OK;
}

/* The whole network of a search of every MAC layer, each running the best
 * mapping found for it (read back from its file), with the greedy placement
 * at cycle level, recorded in the store for the report as the network run
 * of the first layer's run and best sample. CLI_OK, or CLI_FAIL after a
 * message. */
static int record_layers_network(const search_report *rp, pesim_store *st)
{
    const pesim_network *net = &rp->in->net;
    if (rp->n < 1)
        return CLI_OK;
    pesim_mapping *store = malloc((size_t)rp->n * sizeof *store);
    const pesim_mapping **maps = calloc((size_t)(net->n_layers > 0 ? net->n_layers : 1), sizeof *maps);
    int rc = CLI_OK, valid = 0;
    pesim_error e;
    pesim_error_clear(&e);
    if (!store || !maps) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    for (int32_t k = 0; rc == CLI_OK && k < rp->n; k++) {
        const search_layer *s = &rp->layers[k];
        if (!s->mapping_file[0] || !s->layer)
            continue; /* none written: the default mapper's */
        if (pesim_mapping_load(s->mapping_file, rp->in->arch, &store[k], &e) != PESIM_OK) {
            cli_report(&e, s->mapping_file);
            rc = CLI_FAIL;
        } else {
            maps[s->layer - net->layers] = &store[k];
        }
    }
    if (rc == CLI_OK && cli_net_record(st, rp->layers[0].run_id, rp->layers[0].best_sample, rp->in->arch, net, maps,
                                       NULL, NULL, &valid, &e) != PESIM_OK) {
        cli_report(&e, rp->db);
        rc = CLI_FAIL;
    }
    free(store);
    free(maps);
    return rc;
}

/* ------------------------------------------------ several seeds (--seeds) */

#define SEEDS_MAX 4096

/* Parses --seeds: comma-separated seeds and ranges A-B (A <= B), each seed
 * once, at most SEEDS_MAX in all, into *out (malloc'd, in the order given).
 * Prints a message naming the option and returns -1 when it is not one. */
static int parse_seeds(const char *text, uint64_t **out, int32_t *n)
{
    *out = NULL;
    *n = 0;
    uint64_t *v = malloc(SEEDS_MAX * sizeof *v);
    if (!v) {
        cli_error("out of memory");
        return -1;
    }
    const char *p = text;
    for (;;) {
        char *end;
        uint64_t lo, hi;
        if (*p < '0' || *p > '9')
            goto bad;
        errno = 0;
        lo = strtoull(p, &end, 10);
        if (errno)
            goto bad;
        hi = lo;
        if (*end == '-') {
            p = end + 1;
            if (*p < '0' || *p > '9')
                goto bad;
            hi = strtoull(p, &end, 10);
            if (errno || hi < lo)
                goto bad;
        }
        for (uint64_t x = lo;; x++) {
            for (int32_t i = 0; i < *n; i++)
                if (v[i] == x) {
                    cli_error("search: --seeds %s: seed %llu is given twice", text, (unsigned long long)x);
                    free(v);
                    return -1;
                }
            if (*n == SEEDS_MAX) {
                cli_error("search: --seeds %s: more than %d seeds", text, SEEDS_MAX);
                free(v);
                return -1;
            }
            v[(*n)++] = x;
            if (x == hi)
                break;
        }
        if (*end == '\0')
            break;
        if (*end != ',')
            goto bad;
        p = end + 1;
    }
    *out = v;
    return 0;
bad:
    cli_error("search: --seeds %s: expected seeds and ranges such as 1-5 or 1,2,7 (integers, A-B with A <= B)", text);
    free(v);
    *n = 0;
    return -1;
}

/* The objective of one seed's search (a layer's best, or the network's
 * total); 0 when a layer has no valid mapping. */
static int seed_objective(const search_report *rp, double *obj)
{
    if (rp->single && rp->n == 1) {
        *obj = rp->layers[0].best.objective;
        return rp->layers[0].found;
    }
    totals t = sum_layers(rp);
    *obj = t.objective;
    return rp->n == rp->n_planned && t.valid_layers == rp->n_planned;
}

/* Each seed's result: the seed, whether it has a valid result, its
 * objective (a layer's best, a network's total, a design's best). */
typedef struct seed_result {
    uint64_t seed;
    int ok;
    double objective;
} seed_result;

static seed_result seed_result_of(const search_report *rp)
{
    seed_result r = {rp->a->seed, 0, 0.0};
    r.ok = seed_objective(rp, &r.objective);
    return r;
}

/* The objectives of the seeds with a valid result: how many, the mean, the
 * sample standard deviation, the lowest (and its seed) and highest. */
typedef struct seed_stats {
    int32_t k;
    uint64_t best_seed;
    double mean, sd, lo, hi;
} seed_stats;

static seed_stats stats_of_seeds(const seed_result *r, int32_t n)
{
    seed_stats t;
    memset(&t, 0, sizeof t);
    double sum = 0, sum2 = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!r[i].ok)
            continue;
        double v = r[i].objective;
        sum += v, sum2 += v * v;
        if (t.k == 0 || v < t.lo)
            t.lo = v, t.best_seed = r[i].seed;
        if (t.k == 0 || v > t.hi)
            t.hi = v;
        t.k++;
    }
    if (t.k > 0) {
        t.mean = sum / t.k;
        double var = t.k > 1 ? (sum2 - sum * t.mean) / (t.k - 1) : 0.0;
        t.sd = var > 0 ? sqrt(var) : 0.0;
    }
    return t;
}

/* After every seed's table: the objective per seed and across them. */
static void text_seeds(const seed_result *r, int32_t n, FILE *f)
{
    fprintf(f, "%-22s %14s\n", "seed", "best objective");
    for (int32_t i = 0; i < n; i++) {
        if (r[i].ok)
            fprintf(f, "%-22llu %14.6g\n", (unsigned long long)r[i].seed, r[i].objective);
        else
            fprintf(f, "%-22llu %14s\n", (unsigned long long)r[i].seed, "-");
    }
    seed_stats t = stats_of_seeds(r, n);
    if (t.k > 0)
        fprintf(f, "%d seeds with a valid result: mean %.6g, sd %.3g, min %.6g (seed %llu), max %.6g\n", (int)t.k,
                t.mean, t.sd, t.lo, (unsigned long long)t.best_seed, t.hi);
}

/* One seed's options (--seeds): a's with the seed, its runs found by seed,
 * its files in dir = DIR/seed-S (made). Returns CLI_OK or the exit status
 * after a message. */
static int seed_args(const search_args *a, uint64_t seed, search_args *out, char *dir, size_t n)
{
    *out = *a;
    out->seed = seed;
    out->by_seed = 1;
    out->out_dir = dir;
    if (snprintf(dir, n, "%s/seed-%llu", a->out_dir, (unsigned long long)seed) >= (int)n) {
        cli_error("%s: path too long", a->out_dir);
        return CLI_USAGE;
    }
    return cli_make_dir(dir) != 0 ? CLI_USAGE : CLI_OK;
}

/* Writes one JSON object per search (item fn(items[k])): a single one as
 * it is (seeds NULL), or {"seeds": [ each seed's object ], "summary": {...}}
 * for --seeds. */
typedef void (*json_item_fn)(const void *item, json_writer *w);

static void json_results(FILE *f, const uint64_t *seeds, const seed_result *r, int32_t n, json_item_fn fn,
                         const void *items, size_t size)
{
    json_writer w;
    json_init(&w, f);
    if (!seeds) {
        fn(items, &w);
        return;
    }
    json_begin_object(&w);
    json_key(&w, "seeds");
    json_begin_array(&w);
    for (int32_t k = 0; k < n; k++)
        fn((const char *)items + (size_t)k * size, &w);
    json_end_array(&w);
    json_key(&w, "summary");
    json_begin_object(&w);
    seed_stats t = stats_of_seeds(r, n);
    json_kv_int(&w, "seeds", n);
    json_kv_int(&w, "valid_seeds", t.k);
    if (t.k > 0) {
        json_kv_double(&w, "mean_objective", t.mean);
        json_kv_double(&w, "sd_objective", t.sd);
        json_kv_double(&w, "min_objective", t.lo);
        json_kv_double(&w, "max_objective", t.hi);
        json_kv_seed(&w, "best_seed", t.best_seed);
    }
    json_end_object(&w);
    json_end_object(&w);
}

static void json_search_item(const void *rp, json_writer *w) { write_json_object(rp, w); }

/* The mapping search of the planned layers (every MAC layer, or --layer)
 * with a's seed (seeds NULL), or with --seeds: once per seed as `--seed S
 * --out DIR/seed-S` would run it, into one store (runs found by seed). In
 * seed, then layer order on this process, or as whole searches on the MPI
 * workers (--distribute). Writes the outputs; returns the exit status. */
static int search_mapping(const search_args *a, const cmd_args *o, cli_inputs *in, const uint64_t *seeds, int32_t ns)
{
    if (!seeds)
        ns = 1;
    int32_t nl = in->net.n_layers > 0 ? in->net.n_layers : 1;
    search_args *as = calloc((size_t)ns, sizeof *as);
    search_report *rps = calloc((size_t)ns, sizeof *rps);
    search_layer *all = calloc((size_t)ns * (size_t)nl, sizeof *all);
    char (*dirs)[SEARCH_PATH_MAX] = calloc((size_t)ns, sizeof *dirs);
    const pesim_layer **ls = calloc((size_t)nl, sizeof *ls);
    seed_result *sr = NULL;
    int rc = CLI_OK;
    char dbbuf[SEARCH_PATH_MAX];
    FILE *jf = NULL;
    pesim_store *st = NULL;
    int32_t planned = 0;
    if (!as || !rps || !all || !dirs || !ls) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    for (int32_t i = 0; i < in->net.n_layers; i++)
        if ((in->only < 0 || in->only == i) && pesim_layer_has_macs(&in->net.layers[i]))
            ls[planned++] = &in->net.layers[i];
    if (in->only >= 0 && planned == 0) {
        cli_error("search: layer '%s' has no MACs; there is no mapping to search", o->in.layer);
        rc = CLI_USAGE;
        goto done;
    }
    rc = open_outputs(a, o, dbbuf, sizeof dbbuf, &st, &jf);
    for (int32_t k = 0; k < ns && rc == CLI_OK; k++) {
        as[k] = *a;
        if (seeds)
            rc = seed_args(a, seeds[k], &as[k], dirs[k], sizeof dirs[k]);
        rps[k].a = &as[k];
        rps[k].in = in;
        rps[k].db = dbbuf;
        rps[k].single = in->only >= 0;
        rps[k].n_planned = planned;
        rps[k].layers = all + (size_t)k * (size_t)planned;
    }
    if (rc != CLI_OK)
        goto done;

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    cli_search_stop = 0;
    sigaction(SIGINT, &sa, &old);
    search_progress prog;
    cli_search_progress_start(&prog, a->budget, planned * ns);
    prog.of = planned;
    prog.seed_of = seeds ? ns : 0;
    pesim_error e;
    pesim_error_clear(&e);
    int split = cli_search_split(a, (cli_distribute)a->distribute, planned, ns);
    int32_t seeds_done = 0, interrupted = 0;
    if (split) {
        /* whole layer searches on the MPI workers (search_split.h) */
        cli_names names;
        memset(&names, 0, sizeof names);
        int32_t filled = 0;
        rc = cli_search_layers_split(as, ns, in->arch, ls, planned, st, &names, &prog, all, &filled);
        cli_names_free(&names);
        for (int32_t k = 0; k < ns && rc == CLI_OK; k++)
            rps[k].n = planned, rps[k].split = 1;
        for (int32_t j = 0; st && rc == CLI_OK && j < ns * planned; j++)
            if (pesim_store_finish_run(st, all[j].run_id, &e) != PESIM_OK) {
                cli_report(&e, dbbuf);
                rc = CLI_FAIL;
            }
        seeds_done = rc == CLI_OK ? ns : 0;
    }
    for (int32_t k = 0; !split && k < ns && rc == CLI_OK && !interrupted; k++) {
        search_report *rp = &rps[k];
        cli_names names;
        memset(&names, 0, sizeof names);
        prog.seed = as[k].seed;
        prog.seed_nth = k + 1;
        for (int32_t i = 0; i < planned && rc == CLI_OK; i++) {
            prog.nth = i + 1;
            rc = cli_search_layer(&as[k], in->arch, ls[i], st, &names, &prog, &rp->layers[rp->n]);
            if (rc == CLI_OK || rp->layers[rp->n].samples > 0)
                rp->n++;
            if (rc == CLI_OK && rp->layers[rp->n - 1].interrupted) {
                interrupted = 1;
                break;
            }
        }
        cli_names_free(&names);
        /* Complete: the seed's runs are finished (an interrupted search
         * leaves them running, for --resume). */
        for (int32_t i = 0; st && i < rp->n && rc == CLI_OK && !interrupted; i++)
            if (pesim_store_finish_run(st, rp->layers[i].run_id, &e) != PESIM_OK) {
                cli_report(&e, dbbuf);
                rc = CLI_FAIL;
            }
        if (rc == CLI_OK || rp->n > 0)
            seeds_done = k + 1;
    }
    cli_progress_end(&prog.line);
    sigaction(SIGINT, &old, NULL);

    sr = calloc((size_t)ns, sizeof *sr);
    if (rc == CLI_OK && !sr) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    for (int32_t k = 0; sr && k < seeds_done; k++)
        sr[k] = seed_result_of(&rps[k]);
    if (rc == CLI_OK) {
        if (!cli_is_stdout(o->json)) {
            for (int32_t k = 0; k < seeds_done; k++) {
                write_text(&rps[k], stdout);
                if (seeds)
                    fputc('\n', stdout);
            }
            if (seeds)
                text_seeds(sr, seeds_done, stdout);
        }
        if (jf)
            json_results(jf, seeds, sr, seeds_done, json_search_item, rps, sizeof *rps);
        int missing = 0;
        for (int32_t k = 0; k < seeds_done; k++)
            for (int32_t i = 0; i < rps[k].n; i++)
                missing += !rps[k].layers[i].found;
        const search_report *rp = &rps[seeds_done > 0 ? seeds_done - 1 : 0];
        if (interrupted) {
            char of_seed[48] = "";
            if (seeds)
                snprintf(of_seed, sizeof of_seed, " of seed %llu", (unsigned long long)rp->a->seed);
            cli_error("search: interrupted after %lld samples of layer '%s'%s; the best so far is written; "
                      "--resume continues", (long long)rp->layers[rp->n - 1].samples,
                      rp->layers[rp->n - 1].layer->name, of_seed);
            rc = CLI_FAIL;
        } else if (missing) {
            cli_error("search: no valid mapping found for %d %s within the budget", missing,
                      seeds ? (missing > 1 ? "layer searches" : "layer search") : (missing > 1 ? "layers" : "layer"));
            rc = CLI_FAIL;
        } else if (st && !rp->single) {
            for (int32_t k = 0; k < seeds_done && rc == CLI_OK; k++) /* each seed's network */
                if (record_layers_network(&rps[k], st) != CLI_OK)
                    rc = CLI_FAIL; /* after every other output: nothing is lost */
        }
    }
done:
    if (cli_close_out(jf, o->json) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    pesim_store_close(st);
    free(sr);
    free(as);
    free(rps);
    free(all);
    free(dirs);
    free(ls);
    return rc;
}

/* ------------------------------------------- whole-design searches */

/* What a hardware, joint or placement search did. */
typedef struct design_report {
    const search_args *a;
    const char *mode;              /* "hardware", "joint", "placement" */
    const char *experiment;        /* the file, or NULL */
    const char *name;              /* the experiment's name, or "placement" */
    const char *arch_path, *workload_path, *db;
    pesim_space *sp;
    search_layer s;
    int32_t *best_x;
    char arch_file[SEARCH_PATH_MAX];       /* "" when not written */
    char placement_file[SEARCH_PATH_MAX];
    int32_t n_maps;
    char (*map_files)[SEARCH_PATH_MAX];    /* per MAC layer of the space */
    double area_budget_um2;
} design_report;

/* Puts, above what pesim_placement_write wrote, the `pesim run` command that
 * evaluates the placement with the search's whole-network options (weights
 * preloaded; --rectify where the search rectified), so that it reproduces the
 * reported cost. CLI_OK, or CLI_FAIL after a message. */
static int placement_header(const design_report *rp)
{
    const pesim_net_options *no = pesim_space_placement_options(rp->sp);
    const char *path = rp->placement_file;
    FILE *f = fopen(path, "rb");
    char *body = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (body = malloc((size_t)n + 1)) && fread(body, 1, (size_t)n, f) != (size_t)n)
        n = -1;
    if (f)
        fclose(f);
    int rc = CLI_FAIL;
    if (body && n >= 0 && (f = fopen(path, "wb"))) {
        int w = fprintf(f,
                        "# the best placement of pesim search --placement%s; its cost is that of\n"
                        "# pesim run --arch %s --workload %s --placement %s%s%s%s%s\n",
                        no && no->rectify ? " --rectify" : "", rp->arch_path, rp->workload_path, path,
                        no && no->preload_weights ? " --preload-weights" : "", no && no->rectify ? " --rectify" : "",
                        no && no->no_alias ? " --no-alias" : "", no && no->no_prefetch ? " --no-prefetch" : "");
        if (w > 0 && fwrite(body, 1, (size_t)n, f) == (size_t)n)
            rc = CLI_OK;
        if (fclose(f) != 0)
            rc = CLI_FAIL;
    }
    free(body);
    if (rc != CLI_OK)
        cli_error("%s: cannot rewrite the placement file: %s", path, strerror(errno));
    return rc;
}

/* Writes the best design's files: the arch and each MAC layer's mapping
 * (hardware and joint spaces), or the placement. */
static int write_design(design_report *rp, const pesim_network *net)
{
    pesim_design d;
    char reason[PESIM_REASON_MAX] = "";
    if (!pesim_space_decode(rp->sp, rp->best_x, &d, reason, sizeof reason)) {
        cli_error("search: the best candidate does not decode (%s)", reason);
        return CLI_FAIL;
    }
    pesim_error e;
    pesim_error_clear(&e);
    const char *dir = rp->a->out_dir;
    if (strcmp(rp->mode, "placement") == 0) {
        if (cli_cfg_path(dir, "best_placement", rp->placement_file, sizeof rp->placement_file) != 0) {
            cli_error("%s: path too long", dir);
            return CLI_USAGE;
        }
        if (pesim_placement_write(rp->placement_file, &d.placement, &d.arch, net, &e) != PESIM_OK) {
            cli_report(&e, rp->placement_file);
            rp->placement_file[0] = '\0';
            return CLI_FAIL;
        }
        return placement_header(rp);
    }
    if (cli_cfg_path(dir, "best_arch", rp->arch_file, sizeof rp->arch_file) != 0) {
        cli_error("%s: path too long", dir);
        return CLI_USAGE;
    }
    if (pesim_arch_write(rp->arch_file, &d.arch, &e) != PESIM_OK) {
        cli_report(&e, rp->arch_file);
        rp->arch_file[0] = '\0';
        return CLI_FAIL;
    }
    rp->n_maps = d.n_layers;
    rp->map_files = calloc((size_t)(d.n_layers > 0 ? d.n_layers : 1), sizeof *rp->map_files);
    if (!rp->map_files) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_names names;    /* the fixed names first: no layer takes them */
    memset(&names, 0, sizeof names);
    char stem[96];
    int bad = cli_names_stem(&names, "best_arch", stem, sizeof stem) || cli_names_stem(&names, "convergence", stem, sizeof stem);
    for (int32_t i = 0; i < d.n_layers && !bad; i++) {
        const pesim_layer *l = pesim_space_layer(rp->sp, i);
        if (cli_names_stem(&names, l->name, stem, sizeof stem) != 0 ||
            snprintf(rp->map_files[i], sizeof rp->map_files[i], "%s/%s.cfg", dir, stem) >= (int)sizeof rp->map_files[i]) {
            bad = 1;
            break;
        }
        pesim_mapping_canonical(&d.arch, l, &d.mappings[i]); /* what search writes is canonical */
        if (pesim_mapping_write(rp->map_files[i], &d.mappings[i], &d.arch, l->name, &e) != PESIM_OK) {
            cli_report(&e, rp->map_files[i]);
            rp->map_files[i][0] = '\0';
            cli_names_free(&names);
            return CLI_FAIL;
        }
    }
    cli_names_free(&names);
    if (bad) {
        cli_error("%s: path too long", dir);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The best design run as one network at cycle level, recorded in the store
 * for the report as the network run of its sample: a placement search's
 * placement; a hardware search's arch (each layer mapped by the default
 * mapper, as the search evaluated it) with the greedy placement; a joint
 * search's arch and mappings with the greedy placement. CLI_OK, or CLI_FAIL
 * after a message. */
static int record_design_network(design_report *rp, const pesim_network *net, pesim_store *st)
{
    pesim_design d;
    char reason[PESIM_REASON_MAX] = "";
    if (!pesim_space_decode(rp->sp, rp->best_x, &d, reason, sizeof reason)) {
        cli_error("search: the best candidate does not decode (%s)", reason);
        return CLI_FAIL;
    }
    int placed = strcmp(rp->mode, "placement") == 0, joint = strcmp(rp->mode, "joint") == 0;
    const pesim_mapping **maps = calloc((size_t)(net->n_layers > 0 ? net->n_layers : 1), sizeof *maps);
    if (!maps) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (int32_t i = 0, k = 0; joint && i < net->n_layers && k < d.n_layers; i++)
        if (pesim_layer_has_macs(&net->layers[i]))
            maps[i] = &d.mappings[k++];
    pesim_error e;
    pesim_error_clear(&e);
    int valid = 0, rc = CLI_OK;
    if (cli_net_record_opts(st, rp->s.run_id, rp->s.best_sample, &d.arch, net, pesim_space_placement_options(rp->sp),
                            maps, placed ? &d.placement : NULL, "searched", &valid, &e) != PESIM_OK) {
        cli_report(&e, rp->db);
        rc = CLI_FAIL;
    }
    free(maps);
    return rc;
}

static void json_design_object(const design_report *rp, json_writer *w)
{
    const search_args *a = rp->a;
    const search_layer *s = &rp->s;
    json_begin_object(w);
    json_kv_string(w, "mode", rp->mode);
    json_kv_string(w, "experiment", rp->experiment);
    json_kv_string(w, "name", rp->name);
    json_kv_string(w, "arch_file", rp->arch_path);
    json_kv_string(w, "workload_file", rp->workload_path);
    json_kv_string(w, "algo", a->algo);
    json_kv_string(w, "objective", pesim_objective_name(a->objective));
    json_kv_string(w, "eval", pesim_fidelity_name(a->fidelity));
    json_kv_int(w, "budget", a->budget);
    json_kv_int(w, "batch", a->batch);
    json_kv_double(w, "area_budget_um2", rp->area_budget_um2);
    json_kv_string(w, "db", strcmp(rp->db, "none") ? rp->db : NULL);
    json_kv_string(w, "out", a->out_dir);
    json_key(w, "best");
    if (!s->found) {
        json_null(w);
    } else {
        json_begin_object(w);
        json_kv_double(w, "objective", s->best.objective);
        json_kv_int(w, "cycles", s->best.cycles);
        json_kv_double(w, "energy_pj", s->best.energy_pj);
        json_kv_double(w, "area_um2", s->best.area_um2);
        json_kv_null(w, "mapping");
        json_kv_string(w, "arch", rp->arch_file[0] ? rp->arch_file : NULL);
        json_kv_string(w, "placement", rp->placement_file[0] ? rp->placement_file : NULL);
        json_key(w, "mappings");
        json_begin_array(w);
        for (int32_t i = 0; i < rp->n_maps; i++) {
            json_begin_object(w);
            json_kv_string(w, "layer", pesim_space_layer(rp->sp, i)->name);
            json_kv_string(w, "mapping", rp->map_files[i]);
            json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "hardware");
        json_begin_object(w);
        char buf[64];
        for (int32_t p = 0; p < cli_experiment_n_hw(rp->sp); p++)
            for (int32_t k = 0; k < pesim_space_hw_n_keys(rp->sp, p); k++) {
                pesim_space_hw_value(rp->sp, p, k, rp->best_x[p], buf, sizeof buf);
                json_kv_string(w, pesim_space_hw_key(rp->sp, p, k), buf);
            }
        json_end_object(w);
        json_kv_int(w, "sample", s->best_sample);
        json_end_object(w);
    }
    json_run_fields(w, s);
    json_kv_int(w, "ranks", pesim_mpi_size());
    json_kv_seed(w, "seed", a->seed);
    json_end_object(w);
}

static void json_design_item(const void *rp, json_writer *w) { json_design_object(rp, w); }

static void text_design(const design_report *rp, FILE *f)
{
    const search_args *a = rp->a;
    const search_layer *s = &rp->s;
    char b1[32], b2[32], b3[32];
    fprintf(f, "search %s (%s space, %.3g points) of %s on %s: objective %s, %s, budget %s, seed %" PRIu64
            ", batch %d\n\n",
            a->algo, rp->mode, pow(10.0, pesim_space_log10_size(rp->sp)), rp->workload_path, rp->arch_path,
            pesim_objective_name(a->objective), pesim_fidelity_name(a->fidelity),
            cli_fmt_count(a->budget, b1, sizeof b1), a->seed, (int)a->batch);
    fprintf(f, "samples %s, valid %s", cli_fmt_count(s->samples, b1, sizeof b1), cli_fmt_count(s->valid, b2, sizeof b2));
    if (s->predictions > 0)
        fprintf(f, ", predicted %s (outside the budget), %.1f s", cli_fmt_count(s->predictions, b3, sizeof b3), s->wall_s);
    if (s->interrupted)
        fputs(" (interrupted)", f);
    else if (s->algo_done)
        fputs(" (algorithm finished)", f);
    fputc('\n', f);
    if (!s->found) {
        fputs("no valid design found\n", f);
    } else {
        fprintf(f, "best: objective %.6g, %s cycles, %s, area %.6g um2 (sample %s)\n", s->best.objective,
                cli_fmt_count(s->best.cycles, b1, sizeof b1), cli_fmt_energy_pj(s->best.energy_pj, b2, sizeof b2),
                s->best.area_um2, cli_fmt_count(s->best_sample, b3, sizeof b3));
        char buf[64];
        for (int32_t p = 0; p < cli_experiment_n_hw(rp->sp); p++)
            for (int32_t k = 0; k < pesim_space_hw_n_keys(rp->sp, p); k++) {
                pesim_space_hw_value(rp->sp, p, k, rp->best_x[p], buf, sizeof buf);
                fprintf(f, "  %-36s %s\n", pesim_space_hw_key(rp->sp, p, k), buf);
            }
        if (rp->arch_file[0])
            fprintf(f, "arch: %s; mappings: %s/<layer>.cfg (%d MAC layers)\n", rp->arch_file, a->out_dir,
                    (int)rp->n_maps);
        if (rp->placement_file[0])
            fprintf(f, "placement: %s\n", rp->placement_file);
    }
    fprintf(f, "\nstore: %s; convergence: %s\n", rp->db, s->csv_file);
}

/* --resume of a placement search: --rectify is part of the search (its
 * space's description), so a store whose run of the placement search has the
 * other setting, and none with this one, is refused (exit 2) rather than
 * resumed as another run that evaluates differently. */
static int resume_rectify_check(const cmd_args *o, const cli_inputs *in, const pesim_space *sp, pesim_store *st,
                                const char *db)
{
    pesim_net_options no = *pesim_space_placement_options(sp);
    no.rectify = !no.rectify;
    pesim_space *other = NULL;
    pesim_error e;
    pesim_error_clear(&e);
    pesim_run_info have;
    int ours = 0, theirs = 0;
    if (pesim_space_placement_opts(in->arch, &in->net, &no, &other, &e) != PESIM_OK ||
        pesim_store_find_run(st, "placement", pesim_space_describe(sp), &have, &ours, &e) != PESIM_OK ||
        (!ours && pesim_store_find_run(st, "placement", pesim_space_describe(other), &have, &theirs, &e) != PESIM_OK)) {
        pesim_space_destroy(other);
        cli_report(&e, db);
        return e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    pesim_space_destroy(other);
    if (ours || !theirs)
        return CLI_OK;
    cli_error("search: --resume: the store's run %lld of this placement search was started %s --rectify; "
              "give the same (--new-run starts another run)",
              (long long)have.id, o->rectify ? "without" : "with");
    return CLI_USAGE;
}

/* --experiment / --placement: one search of the whole design. */
static int search_design(search_args *a, const cmd_args *o, const uint64_t *seeds, int32_t ns)
{
    design_report rp;
    memset(&rp, 0, sizeof rp);
    rp.a = a;
    cli_experiment x;
    memset(&x, 0, sizeof x);
    cli_inputs in;
    memset(&in, 0, sizeof in);
    int have_in = 0;
    pesim_eval_options eo;
    memset(&eo, 0, sizeof eo);
    const pesim_network *net = NULL;
    int rc;
    if (o->experiment) {
        rc = cli_experiment_load("search", o->experiment, o->in.arch, o->in.workload, o->joint, &a->encoding, &x);
        if (rc != CLI_OK)
            goto out;
        const pesim_experiment *ex = &x.ex;
        if (!o->algo && ex->algo[0])
            a->algo = ex->algo;
        int help_shown = 0;
        if ((rc = cli_search_algo_opts(a, o->algo_opt, &help_shown)) != CLI_OK || help_shown)
            goto out;
        if (!o->budget && ex->budget > 0)
            a->budget = ex->budget;
        if (!o->seed && ex->seed)
            a->seed = ex->seed;
        eo = ex->eval;
        if (o->objective)
            eo.objective = a->objective;
        else
            a->objective = eo.objective;
        rp.sp = x.space;
        rp.mode = cli_experiment_n_hw(x.space) == pesim_space_n_params(x.space) ? "hardware" : "joint";
        rp.experiment = o->experiment;
        rp.name = ex->name[0] ? ex->name : "experiment";
        rp.arch_path = x.arch_path;
        rp.workload_path = x.workload_path;
        net = pesim_space_network_of(x.space);
    } else {
        have_in = 1;
        rc = cli_inputs_load("search", &o->in, &in);
        if (rc != CLI_OK)
            goto out;
        pesim_error e;
        pesim_error_clear(&e);
        pesim_net_options no;
        memset(&no, 0, sizeof no);
        no.preload_weights = 1; /* pesim_space_placement's: EGRL's setting */
        no.rectify = o->rectify;
        if (pesim_space_placement_opts(in.arch, &in.net, &no, &x.space, &e) != PESIM_OK) {
            cli_report(&e, in.arch_path);
            rc = e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
            goto out;
        }
        eo.objective = a->objective;
        rp.sp = x.space;
        rp.mode = "placement";
        rp.name = "placement";
        rp.arch_path = in.arch_path;
        rp.workload_path = in.workload_path;
        net = &in.net;
    }
    rp.area_budget_um2 = eo.area_budget_um2;
    a->arch_path = rp.arch_path;
    a->workload_path = rp.workload_path;

    char dbbuf[SEARCH_PATH_MAX];
    FILE *jf = NULL;
    pesim_store *st = NULL;
    rc = open_outputs(a, o, dbbuf, sizeof dbbuf, &st, &jf);
    rp.db = dbbuf;
    if (rc == CLI_OK && have_in && st && a->mode == PESIM_RUN_RESUME)
        rc = resume_rectify_check(o, &in, x.space, st, dbbuf);
    int32_t np = pesim_space_n_params(rp.sp);
    /* one report per seed (--seeds: each in DIR/seed-S, its runs found by seed) */
    int32_t nr = seeds ? ns : 1;
    design_report *rps = calloc((size_t)nr, sizeof *rps);
    search_args *as = calloc((size_t)nr, sizeof *as);
    seed_result *sr = calloc((size_t)nr, sizeof *sr);
    char (*dirs)[SEARCH_PATH_MAX] = calloc((size_t)nr, sizeof *dirs);
    if (rc == CLI_OK && (!rps || !as || !sr || !dirs)) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    for (int32_t k = 0; rps && as && dirs && k < nr && rc == CLI_OK; k++) {
        as[k] = *a;
        rps[k] = rp;
        rps[k].a = &as[k];
        if (!(rps[k].best_x = calloc((size_t)(np > 0 ? np : 1), sizeof *rps[k].best_x))) {
            cli_error("out of memory");
            rc = CLI_FAIL;
        }
        if (seeds && rc == CLI_OK)
            rc = seed_args(a, seeds[k], &as[k], dirs[k], sizeof dirs[k]);
    }
    int32_t done = 0;
    for (int32_t k = 0; k < nr && rc == CLI_OK; k++) {
        design_report *r = &rps[k];
        const search_args *ak = &as[k];
        char config[2048], label[160];
        snprintf(config, sizeof config,
                 "pesim search %s%s%s --arch %s --workload %s --algo %s --budget %lld --seed %llu "
                 "--objective %s --eval %s --batch %d --threads %d%s%s%s",
                 o->experiment ? "--experiment " : "--placement", o->experiment ? o->experiment : "",
                 o->joint ? " --joint" : "", r->arch_path, r->workload_path, ak->algo, (long long)ak->budget,
                 (unsigned long long)ak->seed, pesim_objective_name(ak->objective), pesim_fidelity_name(ak->fidelity),
                 (int)ak->batch, (int)ak->threads, ak->algo_opt_text ? " --algo-opt " : "",
                 ak->algo_opt_text ? ak->algo_opt_text : "", o->rectify ? " --rectify" : "");
        snprintf(label, sizeof label, "%s%s%s", r->mode, o->experiment ? ":" : "", o->experiment ? r->name : "");
        search_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.name = r->name;
        spec.label = label;
        spec.stem = "convergence";
        spec.config = config;
        spec.eval = eo;
        char recipe[4 * SEARCH_PATH_MAX];
        const char *xf[] = {o->experiment, o->in.arch, o->in.workload, o->joint ? "1" : "0", ak->encoding_text};
        const char *pf[] = {r->arch_path, r->workload_path, o->rectify ? "1" : "0"};
        int bad = o->experiment ? cli_mpi_recipe(recipe, sizeof recipe, "experiment", xf, 5)
                                : cli_mpi_recipe(recipe, sizeof recipe, "placement", pf, 3);
        spec.recipe = bad ? NULL : recipe;

        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        cli_search_stop = 0;
        sigaction(SIGINT, &sa, &old);
        search_progress prog;
        cli_search_progress_start(&prog, ak->budget, 1);
        prog.nth = prog.of = 1;
        prog.seed = ak->seed, prog.seed_nth = k + 1, prog.seed_of = seeds ? nr : 0;
        rc = cli_search_space(ak, r->sp, &spec, st, &prog, &r->s, r->best_x);
        cli_progress_end(&prog.line);
        sigaction(SIGINT, &old, NULL);
        pesim_error e;
        pesim_error_clear(&e);
        if (rc == CLI_OK && st && !r->s.interrupted && pesim_store_finish_run(st, r->s.run_id, &e) != PESIM_OK) {
            cli_report(&e, dbbuf);
            rc = CLI_FAIL;
        }
        if (rc == CLI_OK && r->s.found)
            rc = write_design(r, net);
        if (rc == CLI_OK && r->s.found && st)
            rc = record_design_network(r, net, st);
        if (rc != CLI_OK)
            break;
        done = k + 1;
        sr[k] = (seed_result){ak->seed, r->s.found, r->s.best.objective};
        if (!cli_is_stdout(o->json)) {
            text_design(r, stdout);
            if (seeds)
                fputc('\n', stdout);
        }
        if (r->s.interrupted)
            break;
    }
    if (rc == CLI_OK) {
        if (seeds && !cli_is_stdout(o->json))
            text_seeds(sr, done, stdout);
        if (jf)
            json_results(jf, seeds, sr, done, json_design_item, rps, sizeof *rps);
        int missing = 0;
        for (int32_t k = 0; k < done; k++)
            missing += !rps[k].s.found;
        const design_report *r = &rps[done > 0 ? done - 1 : 0];
        if (done > 0 && r->s.interrupted) {
            cli_error("search: interrupted after %lld samples; the best so far is written; --resume continues",
                      (long long)r->s.samples);
            rc = CLI_FAIL;
        } else if (missing) {
            cli_error("search: no valid design found within the budget%s", seeds ? " for some seeds" : "");
            rc = CLI_FAIL;
        }
    }
    if (cli_close_out(jf, o->json) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    pesim_store_close(st);
    for (int32_t k = 0; rps && k < nr; k++) {
        free(rps[k].best_x);
        free(rps[k].map_files);
    }
    free(rps);
    free(as);
    free(sr);
    free(dirs);
out:
    if (have_in)
        cli_inputs_free(&in);
    cli_experiment_free(&x);
    return rc;
}

static int search_main(int argc, char **argv)
{
    cmd_args o;
    memset(&o, 0, sizeof o);
    const cli_opt opts[] = {
        {"arch", "FILE", "architecture config [" CLI_DEFAULT_ARCH "]", &o.in.arch, NULL},
        {"workload", "FILE", "workload config [" CLI_DEFAULT_WORKLOAD "]", &o.in.workload, NULL},
        {"layer", "NAME", "search only this layer [every MAC layer]", &o.in.layer, NULL},
        {"algo", "NAME", "exhaustive|random|annealing|genetic|timeloop|rl|marl|das|egrl|ea|pg|greedy|arco|autotvm [" SEARCH_DEFAULT_ALGO "]", &o.algo, NULL},
        {"budget", "N", "evaluations per layer [1000]", &o.budget, NULL},
        {"seed", "S", "seed of the algorithm's generator [1]", &o.seed, NULL},
        {"objective", "NAME", "latency|energy|edp, lower is better [edp]", &o.objective, NULL},
        {"eval", "NAME", "analytical|cycle [analytical]", &o.eval, NULL},
        {"db", "FILE", "result store (SQLite; none: record nothing) [DIR/search.db]", &o.db, NULL},
        {"resume", NULL, "continue (or extend) the store's run of this search", NULL, &o.resume},
        {"new-run", NULL, "start another run in a store that has one", NULL, &o.new_run},
        {"algo-opt", "K=V,...", "algorithm options (--algo-opt help lists them)", &o.algo_opt, NULL},
        {"agents", "K|auto", "marl: agents (clusters of parameters) [auto]", &o.agents, NULL},
        {"policy-in", "FILE", "rl, marl: start from a saved policy (DIR/<layer>.policy of a run)", &o.policy_in,
         NULL},
        {"encoding", "SPEC", "order=rank|sequence,spatial=factors|dim [rank,factors]", &o.encoding, NULL},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"out", "DIR", "best mappings and convergence CSVs [" SEARCH_DEFAULT_OUT "]", &o.out, NULL},
        {"threads", "N", "evaluator threads [1]", &o.threads, NULL},
        {"batch", "N", "candidates per ask [--threads]", &o.batch, NULL},
        {"distribute", "HOW", "under mpirun: auto|batches|searches [auto]", &o.distribute, NULL},
        {"seeds", "LIST", "one run per seed, e.g. 1-5 or 1,2,7 (files in DIR/seed-S/)", &o.seeds, NULL},
        {"experiment", "FILE", "search the experiment's hardware space for the whole network", &o.experiment, NULL},
        {"joint", NULL, "with --experiment: hardware and every layer's mapping together", NULL, &o.joint},
        {"placement", NULL, "search the memory placement of the network's tensors", NULL, &o.placement},
        {"rectify", NULL, "with --placement: spill what does not fit outwards (never refused)", NULL, &o.rectify},
        {NULL, NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    search_args a;
    if ((rc = check_args(&o, &a)) != CLI_OK)
        return rc;
    int help_shown = 0;
    if (!o.experiment && (rc = cli_search_algo_opts(&a, o.algo_opt, &help_shown)) != CLI_OK)
        return rc;
    if (help_shown)
        return CLI_OK;
    if (o.joint && !o.experiment) {
        cli_error("search: --joint needs --experiment FILE");
        return CLI_USAGE;
    }
    if (o.rectify && !o.placement) {
        cli_error("search: --rectify is for --placement searches (a placement that does not fit)");
        return CLI_USAGE;
    }
    uint64_t *seeds = NULL;
    int32_t n_seeds = 0;
    if (o.seeds) {
        if (o.seed) {
            cli_error("search: --seed S runs one seed, --seeds LIST several: give one");
            return CLI_USAGE;
        }
        if (parse_seeds(o.seeds, &seeds, &n_seeds) != 0)
            return CLI_USAGE;
    }
    if (o.experiment || o.placement) {
        if (o.experiment && o.placement) {
            cli_error("search: --experiment and --placement are two different searches; give one");
            rc = CLI_USAGE;
        } else if (o.in.layer) {
            cli_error("search: --layer is for mapping searches; --%s searches the whole network",
                      o.experiment ? "experiment" : "placement");
            rc = CLI_USAGE;
        } else {
            rc = search_design(&a, &o, seeds, n_seeds);
        }
        free(seeds);
        return rc;
    }
    cli_inputs in;
    rc = cli_inputs_load("search", &o.in, &in);
    if (rc == CLI_OK) {
        a.arch_path = in.arch_path;
        a.workload_path = in.workload_path;
        rc = search_mapping(&a, &o, &in, seeds, n_seeds);
    }
    cli_inputs_free(&in);
    free(seeds);
    return rc;
}

int cli_cmd_search(int argc, char **argv) { return cli_mpi_main("search", search_main, argc, argv); }
