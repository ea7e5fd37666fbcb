/* cli/cmd_sweep.c - `pesim sweep`: evaluates every point of a hardware space
 * (an experiment file, docs/search.md 1.2, or --param options), or a seeded
 * random sample of --limit distinct points when the space is larger; each
 * MAC layer of a point is mapped by the default mapper on the decoded arch,
 * or by an inner search (--inner ALGO, pesim_sweep_point; points run in
 * parallel on --threads, sweep_inner.h), and costs are summed over the
 * network; under mpirun the points go to the worker ranks (mpi_run.h),
 * balanced dynamically, with or without an inner search; marks the
 * latency-energy-area Pareto front of the valid points; writes a CSV row per
 * point, a summary and JSON; records every point in the store (--db), one
 * committed batch at a time, so that --resume continues a killed sweep
 * where it stopped with the same results as a straight run.
 *
 * Order of checks: options (2), the experiment and its inputs (2), outputs
 * and the store (2), then the sweep; a sweep without any valid point exits 1
 * after writing every output. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"

#include "cli.h"
#include "experiment.h"
#include "json.h"
#include "mpi_run.h"
#include "net_record.h"
#include "opts.h"
#include "output.h"
#include "pareto.h"
#include "paths.h"
#include "progress.h"
#include "search_run.h"
#include "sweep_inner.h"
#include "sweep_param.h"

#define SWEEP_DEFAULT_CSV "sweep.csv"
#define SWEEP_MAX_POINTS 10000000   /* without --limit, as exhaustive search */
#define SWEEP_BATCH 256
#define SWEEP_INNER_BUDGET 100

static const cli_usage usage = {
    "sweep",
    "--experiment FILE | --param KEY=VALUES... [--workload FILE] [--arch FILE]\n"
    "                   [--objective NAME] [--eval analytical|cycle] [--inner ALGO]\n"
    "                   [--inner-budget N] [--inner-opt K=V,...] [--threads N] [--limit N]\n"
    "                   [--seed S] [--csv FILE] [--json FILE] [--db FILE [--resume]\n"
    "                   [--detail best|pareto|none]]",
    "Evaluates every point of a hardware space - the experiment's (docs/search.md\n"
    "1.2), or the cartesian product of the --param options (repeatable:\n"
    "--param GLB.capacity_words=16384:262144:x2 --param GLB.fanout_y=8,16,32) - or a\n"
    "seeded random sample of --limit distinct points when the space is larger. Each\n"
    "MAC layer of a point is mapped by the default mapper on the point's\n"
    "architecture, or with --inner ALGO by an inner search of --inner-budget\n"
    "evaluations per layer (its best mapping by the objective); costs are summed\n"
    "over the network. Writes one CSV row per point (the hardware values by key,\n"
    "valid, reason, cycles, energy_pj, area_um2, edp, pareto), prints the\n"
    "latency-energy-area Pareto front of the valid points and the best point per\n"
    "objective. --db records every point; --resume continues the store's sweep of\n"
    "the same space and options where it stopped. With --db the best point by the\n"
    "objective (--detail: or every Pareto point) is also run as one network at cycle\n"
    "level with the greedy placement (each layer with the inner search's mapping\n"
    "where it fits the room left), and its per-layer stall breakdown, memory\n"
    "occupancy and DRAM traffic over time are stored. 'pesim report' renders the store.",
    "Defaults: --arch and --workload: the experiment's (with --param: " CLI_DEFAULT_ARCH "\n"
    "and " CLI_DEFAULT_WORKLOAD "), --objective: the experiment's (--param: latency),\n"
    "--eval analytical, the default mapper (--inner: none), --inner-budget "
    "100,\n--threads 1 (points in parallel with --inner, else the evaluator's threads),\n"
    "--limit: every point (a space of more than 1e7 points needs --limit), --seed 1\n"
    "(also the inner searches': layer i of every point is seeded S + i),\n"
    "--csv " SWEEP_DEFAULT_CSV ". The area and power budgets are the experiment's (a\n"
    "point over budget is invalid). FILE '-' writes to stdout (the summary is then\n"
    "not printed). Exit status: 0 success, 1 no valid point, 2 bad usage or bad input.",
};

typedef struct sweep_opts {
    const char *experiment, *workload, *arch, *eval, *threads, *limit, *seed, *csv, *json, *db;
    const char *objective, *inner, *inner_budget, *inner_opt, *detail;
    int resume;
    const char *params[SWEEP_MAX_PARAMS];
    int n_params;
} sweep_opts;

/* splitmix64: the sample's generator (seeded by --seed). */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1 (rejection: no modulo bias). */
static uint64_t uniform(uint64_t *state, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = next_u64(state);
    while (x >= lim);
    return x % n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* n distinct indices of [0, size), ascending: every index when n == size,
 * else a uniform sample (rejection through an open-addressing set). */
static uint64_t *pick_points(uint64_t size, int64_t n, uint64_t seed)
{
    uint64_t *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    if ((uint64_t)n == size) {
        for (int64_t i = 0; i < n; i++)
            idx[i] = (uint64_t)i;
        return idx;
    }
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    uint64_t *set = malloc(cap * sizeof *set);   /* entries are index + 1; 0 = empty */
    if (!set) {
        free(idx);
        return NULL;
    }
    memset(set, 0, cap * sizeof *set);
    uint64_t st = seed;
    for (int64_t i = 0; i < n;) {
        uint64_t v = uniform(&st, size);
        size_t h = (size_t)((v * UINT64_C(0x9E3779B97F4A7C15)) >> 7) & (cap - 1);
        while (set[h] && set[h] != v + 1)
            h = (h + 1) & (cap - 1);
        if (set[h])
            continue;
        set[h] = v + 1;
        idx[i++] = v;
    }
    free(set);
    qsort(idx, (size_t)n, sizeof *idx, cmp_u64);
    return idx;
}

/* Mixed radix, the last parameter fastest (the odometer of exhaustive). */
static void index_to_choices(const pesim_space *s, uint64_t idx, int32_t *x)
{
    for (int32_t i = pesim_space_n_params(s) - 1; i >= 0; i--) {
        uint64_t nc = (uint64_t)pesim_space_param(s, i)->n_choices;
        x[i] = (int32_t)(idx % nc);
        idx /= nc;
    }
}

/* ------------------------------------------------------------ outputs */

enum { BEST_LATENCY, BEST_ENERGY, BEST_AREA, BEST_EDP, BEST_OBJECTIVE, BEST_COUNT };
static const char *const best_names[BEST_COUNT] = {"latency", "energy", "area", "edp", "objective"};

static double edp_of(const pesim_result *r) { return r->energy_pj * (double)r->cycles; }

static double best_key(const pesim_result *r, int k)
{
    switch (k) {
    case BEST_LATENCY: return (double)r->cycles;
    case BEST_ENERGY: return r->energy_pj;
    case BEST_AREA: return r->area_um2;
    case BEST_EDP: return edp_of(r);
    default: return r->objective;
    }
}

typedef struct sweep {
    const sweep_opts *o;
    cli_experiment *x;
    pesim_fidelity fidelity;
    int32_t threads;
    search_args inner;            /* --inner: algo, its options (algo NULL: the default mapper) */
    int64_t inner_budget;
    uint64_t seed;
    double space_points;          /* the space's size */
    int sampled;
    int64_t n;                    /* points evaluated */
    int32_t np;
    int32_t *choices;             /* n x np */
    pesim_result *r;
    char *pareto;
    int64_t n_valid, n_pareto;
    int64_t best[BEST_COUNT];     /* point index, -1: none */
    int64_t worker_evals;         /* points evaluated on MPI worker ranks */
} sweep;

static void json_point(json_writer *w, const sweep *s, int64_t i)
{
    const pesim_space *sp = s->x->space;
    const int32_t *c = s->choices + (size_t)i * (size_t)s->np;
    const pesim_result *r = &s->r[i];
    json_begin_object(w);
    json_kv_int(w, "point", i);
    json_key(w, "params");
    json_begin_object(w);
    char buf[64];
    for (int32_t p = 0; p < cli_experiment_n_hw(sp); p++)
        for (int32_t k = 0; k < pesim_space_hw_n_keys(sp, p); k++) {
            pesim_space_hw_value(sp, p, k, c[p], buf, sizeof buf);
            json_kv_string(w, pesim_space_hw_key(sp, p, k), buf);
        }
    json_end_object(w);
    json_kv_int(w, "cycles", r->cycles);
    json_kv_double(w, "energy_pj", r->energy_pj);
    json_kv_double(w, "area_um2", r->area_um2);
    json_kv_double(w, "edp", edp_of(r));
    json_kv_double(w, "objective", r->objective);
    json_end_object(w);
}

static void write_json(const sweep *s, FILE *f)
{
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "experiment", s->x->ex.name);
    json_kv_string(&w, "arch_file", s->x->arch_path);
    json_kv_string(&w, "workload_file", s->x->workload_path);
    json_kv_string(&w, "eval", pesim_fidelity_name(s->fidelity));
    json_kv_string(&w, "inner", s->inner.algo);   /* null: the default mapper */
    if (s->inner.algo)
        json_kv_int(&w, "inner_budget", s->inner_budget);
    json_kv_string(&w, "objective", pesim_objective_name(s->x->ex.eval.objective));
    json_kv_double(&w, "space_points", s->space_points);
    json_kv_bool(&w, "sampled", s->sampled);
    if (s->seed <= (uint64_t)INT64_MAX)
        json_kv_int(&w, "seed", (int64_t)s->seed);
    else
        json_kv_double(&w, "seed", (double)s->seed);
    json_kv_int(&w, "points", s->n);
    json_kv_int(&w, "valid", s->n_valid);
    json_kv_int(&w, "ranks", pesim_mpi_size());
    json_kv_int(&w, "worker_evaluations", s->worker_evals);
    json_kv_string(&w, "csv", s->o->csv ? s->o->csv : SWEEP_DEFAULT_CSV);
    json_kv_string(&w, "db", s->o->db);
    json_key(&w, "pareto");
    json_begin_array(&w);
    for (int64_t i = 0; i < s->n; i++)
        if (s->pareto[i])
            json_point(&w, s, i);
    json_end_array(&w);
    json_key(&w, "best");
    json_begin_object(&w);
    for (int k = 0; k < BEST_COUNT; k++) {
        json_key(&w, best_names[k]);
        if (s->best[k] < 0)
            json_null(&w);
        else
            json_point(&w, s, s->best[k]);
    }
    json_end_object(&w);
    json_end_object(&w);
}

static void write_csv(const sweep *s, FILE *f)
{
    const pesim_space *sp = s->x->space;
    fputs("point,", f);
    cli_experiment_csv_header(f, sp);
    fputs("valid,reason,cycles,energy_pj,area_um2,edp,pareto\n", f);
    for (int64_t i = 0; i < s->n; i++) {
        const pesim_result *r = &s->r[i];
        cli_csv_int(f, i);
        fputc(',', f);
        cli_experiment_csv_values(f, sp, s->choices + (size_t)i * (size_t)s->np);
        cli_csv_int(f, r->valid ? 1 : 0);
        fputc(',', f);
        cli_csv_field(f, r->valid ? NULL : r->reason);
        fputc(',', f);
        if (r->valid)
            cli_csv_int(f, r->cycles);
        fputc(',', f);
        if (r->valid)
            cli_csv_double(f, r->energy_pj);
        fputc(',', f);
        if (r->area_um2 > 0)
            cli_csv_double(f, r->area_um2);
        fputc(',', f);
        if (r->valid)
            cli_csv_double(f, edp_of(r));
        fputc(',', f);
        cli_csv_int(f, s->pareto[i]);
        fputc('\n', f);
    }
}

static void text_values(const sweep *s, int64_t i, FILE *f)
{
    const pesim_space *sp = s->x->space;
    const int32_t *c = s->choices + (size_t)i * (size_t)s->np;
    char buf[64];
    int first = 1;
    for (int32_t p = 0; p < cli_experiment_n_hw(sp); p++)
        for (int32_t k = 0; k < pesim_space_hw_n_keys(sp, p); k++) {
            pesim_space_hw_value(sp, p, k, c[p], buf, sizeof buf);
            fprintf(f, "%s%s=%s", first ? "" : " ", pesim_space_hw_key(sp, p, k), buf);
            first = 0;
        }
}

static void text_row(const sweep *s, const char *label, int64_t i, FILE *f)
{
    const pesim_result *r = &s->r[i];
    char b1[32], b2[32];
    fprintf(f, "  %-14s %8lld %14s %12s %12.4g %12.4g  ", label, (long long)i, cli_fmt_count(r->cycles, b1, sizeof b1),
            cli_fmt_energy_pj(r->energy_pj, b2, sizeof b2), r->area_um2, edp_of(r));
    text_values(s, i, f);
    fputc('\n', f);
}

static void write_text(const sweep *s, FILE *f)
{
    char b1[32], b2[32];
    fprintf(f, "sweep %s: %s on %s, %s: %s of %.6g points%s, %s valid, %lld on the Pareto front\n",
            s->x->ex.name[0] ? s->x->ex.name : "experiment", s->x->workload_path, s->x->arch_path,
            pesim_fidelity_name(s->fidelity), cli_fmt_count(s->n, b1, sizeof b1), s->space_points,
            s->sampled ? " (a random sample)" : "", cli_fmt_count(s->n_valid, b2, sizeof b2), (long long)s->n_pareto);
    fprintf(f, "\n  %-14s %8s %14s %12s %12s %12s  %s\n", "", "point", "cycles", "energy", "area_um2", "edp",
            "hardware");
    int64_t shown = 0;
    for (int64_t i = 0; i < s->n && shown < 20; i++)
        if (s->pareto[i]) {
            text_row(s, "pareto", i, f);
            shown++;
        }
    if (s->n_pareto > shown)
        fprintf(f, "  (%lld more Pareto points in the CSV)\n", (long long)(s->n_pareto - shown));
    fputc('\n', f);
    for (int k = 0; k < BEST_COUNT; k++) {
        if (s->best[k] < 0)
            continue;
        char label[32];
        if (k == BEST_OBJECTIVE)
            snprintf(label, sizeof label, "best %s", pesim_objective_name(s->x->ex.eval.objective));
        else
            snprintf(label, sizeof label, "best %s", best_names[k]);
        if (k == BEST_OBJECTIVE && s->x->ex.eval.objective != PESIM_OBJ_WEIGHTED)
            continue;   /* the same as one of the rows above */
        text_row(s, label, s->best[k], f);
    }
    fprintf(f, "\ncsv: %s\n", s->o->csv ? s->o->csv : SWEEP_DEFAULT_CSV);
}

/* ------------------------------------------------------------ inner searches */

/* "inner=ALGO,inner_budget=N[,OPTS]" (OPTS: --inner-opt as given): what the
 * inner searches depend on (a resume compares it); "" with the default mapper. */
static void inner_describe(const sweep *s, char *buf, size_t n)
{
    buf[0] = '\0';
    if (s->inner.algo)
        snprintf(buf, n, "inner=%s,inner_budget=%lld%s%s", s->inner.algo, (long long)s->inner_budget,
                 s->inner.algo_opt_text ? "," : "", s->inner.algo_opt_text ? s->inner.algo_opt_text : "");
}

/* ------------------------------------------------------------ network runs */

#define SWEEP_DETAIL_TRIES 8

/* With an inner search, the best mapping the sweep's inner search finds for
 * each MAC layer on arch (pesim_sweep_point again: a point's result depends
 * on its arguments only, so these are the mappings its costs came from, also
 * after a resume): maps[i] for layer i of the full network (NULL: none, the
 * default mapper's), pointing into store (the space's MAC layers, in order,
 * are the network's; one whose name differs keeps the default mapper).
 * PESIM_OK or the error with e set. */
static pesim_status inner_mappings(const cli_sweep_inner *in, const pesim_arch *arch, const pesim_network *full,
                                   pesim_mapping *store, const pesim_mapping **maps, pesim_error *e)
{
    pesim_result res;
    pesim_status st = pesim_sweep_point(arch, &in->net, &in->eval, &in->in, &res, store, e);
    for (int32_t i = 0, k = 0; i < full->n_layers; i++) {
        maps[i] = NULL;
        if (!pesim_layer_has_macs(&full->layers[i]) || k >= in->net.n_layers)
            continue;
        if (st == PESIM_OK && res.valid && strcmp(full->layers[i].name, in->net.layers[k].name) == 0)
            maps[i] = &store[k];
        k++;
    }
    return st;
}

/* The whole-network run of point i (its architecture, the workload's whole
 * network, the greedy placement, the cycle engine; with an inner search each
 * MAC layer given the inner search's best mapping, which it runs where it is
 * valid in the room the placement leaves) recorded in the store for the
 * report (cli_net_record), feasible or not. 1: the run is valid, 0:
 * infeasible (its reason is recorded), -1 after a message. */
static int record_network(const sweep *s, const cli_sweep_inner *inner, pesim_store *st, int64_t run_id, int64_t i,
                          const pesim_network *full)
{
    pesim_design d;
    pesim_violation v;
    char reason[PESIM_REASON_MAX];
    if (!pesim_space_decode_why(s->x->space, s->choices + (size_t)i * (size_t)s->np, &d, reason, sizeof reason, &v))
        return 0; /* a point that does not decode was not valid */
    pesim_error e;
    pesim_error_clear(&e);
    pesim_mapping *store = NULL;
    const pesim_mapping **maps = NULL;
    if (inner) {
        store = malloc((size_t)(inner->net.n_layers > 0 ? inner->net.n_layers : 1) * sizeof *store);
        maps = malloc((size_t)(full->n_layers > 0 ? full->n_layers : 1) * sizeof *maps);
        if (!store || !maps) {
            free(store), free(maps);
            cli_error("out of memory");
            return -1;
        }
    }
    int valid = 0, rc;
    if ((inner && inner_mappings(inner, &d.arch, full, store, maps, &e) != PESIM_OK) ||
        cli_net_record(st, run_id, i, &d.arch, full, maps, NULL, NULL, &valid, &e) != PESIM_OK) {
        cli_report(&e, s->x->workload_path);
        rc = -1;
    } else {
        rc = valid;
    }
    free(store);
    free(maps);
    return rc;
}

static const pesim_result *sort_results; /* for by_objective (qsort has no context) */

static int by_objective(const void *a, const void *b)
{
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    double x = sort_results[i].objective, y = sort_results[j].objective;
    return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

/* The network runs --detail asks for. best: the valid points in order of
 * the objective until one runs as a whole network (a point's layers may fit
 * one by one and its network not: a vector layer's rows, tensors that must
 * stay live), at most SWEEP_DETAIL_TRIES of them, each recorded; pareto:
 * every Pareto point. */
static int record_networks(const sweep *s, const cli_sweep_inner *inner, pesim_store *st, int64_t run_id)
{
    const char *which = s->o->detail ? s->o->detail : "best";
    if (strcmp(which, "none") == 0 || s->best[BEST_OBJECTIVE] < 0)
        return 0;
    pesim_network full;
    memset(&full, 0, sizeof full);
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_network_load(s->x->workload_path, &full, &e) != PESIM_OK) {
        cli_report(&e, s->x->workload_path);
        return -1;
    }
    int rc = 0;
    if (strcmp(which, "pareto") == 0) {
        for (int64_t i = 0; i < s->n && rc >= 0; i++)
            if (s->pareto[i])
                rc = record_network(s, inner, st, run_id, i, &full);
    } else {
        int64_t *order = malloc((size_t)(s->n_valid > 0 ? s->n_valid : 1) * sizeof *order), k = 0;
        if (!order) {
            cli_error("out of memory");
            pesim_network_free(&full);
            return -1;
        }
        for (int64_t i = 0; i < s->n; i++)
            if (s->r[i].valid)
                order[k++] = i;
        sort_results = s->r;
        qsort(order, (size_t)k, sizeof *order, by_objective);
        rc = 0;
        for (int64_t t = 0; t < k && t < SWEEP_DETAIL_TRIES && rc == 0; t++)
            rc = record_network(s, inner, st, run_id, order[t], &full);
        free(order);
    }
    pesim_network_free(&full);
    return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ the run */

static pesim_status eval_plain(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    return pesim_evaluator_run((pesim_evaluator *)ctx, choices, n, f, out);
}

/* The recipe of MPI workers (cli_mpi_recipe kind "sweep"): the experiment
 * file ("" with --param), --arch, --workload, --objective, --inner,
 * --inner-budget, --inner-opt, --seed, --threads, then each --param. Nonzero
 * when it does not fit. */
static int sweep_recipe(const sweep_opts *o, const sweep *s, char *buf, size_t n)
{
    char budget[32], seed[32], threads[32];
    snprintf(budget, sizeof budget, "%lld", (long long)s->inner_budget);
    snprintf(seed, sizeof seed, "%" PRIu64, s->seed);
    snprintf(threads, sizeof threads, "%d", (int)s->threads);
    const char *f[9 + SWEEP_MAX_PARAMS] = {o->n_params ? "" : o->experiment, o->arch, o->workload, o->objective,
                                           s->inner.algo, budget, s->inner.algo_opt_text, seed, threads};
    for (int i = 0; i < o->n_params; i++)
        f[9 + i] = o->params[i];
    return cli_mpi_recipe(buf, n, "sweep", f, 9 + o->n_params);
}

static int run_sweep(const sweep_opts *o, sweep *s, int64_t limit)
{
    pesim_space *sp = s->x->space;
    int32_t np = pesim_space_n_params(sp);
    s->np = np;
    if (cli_experiment_n_hw(sp) != np) {
        cli_error("sweep: %s: a joint experiment; sweep covers the hardware parameters only (each layer mapped "
                  "by the default mapper): set joint = false, or use 'pesim search --experiment FILE --joint'",
                  o->experiment);
        return CLI_USAGE;
    }
    double l10 = pesim_space_log10_size(sp);
    s->space_points = pow(10.0, l10);
    uint64_t size = 1;
    int fits = l10 < 18.5;
    for (int32_t i = 0; i < np && fits; i++)
        size *= (uint64_t)pesim_space_param(sp, i)->n_choices;
    if (!fits) {
        if (limit <= 0) {
            cli_error("sweep: %s: %.3g points; give --limit N to sample N of them", o->experiment, s->space_points);
            return CLI_USAGE;
        }
    } else {
        s->space_points = (double)size;
        if (limit <= 0 && size > SWEEP_MAX_POINTS) {
            cli_error("sweep: %s: %" PRIu64 " points, more than %d; give --limit N to sample N of them",
                      o->experiment, size, SWEEP_MAX_POINTS);
            return CLI_USAGE;
        }
    }
    s->sampled = !fits || (limit > 0 && (uint64_t)limit < size);
    s->n = s->sampled ? limit : (int64_t)size;

    s->choices = malloc((size_t)s->n * (size_t)(np > 0 ? np : 1) * sizeof *s->choices);
    s->r = calloc((size_t)s->n, sizeof *s->r);
    s->pareto = calloc((size_t)s->n, 1);
    if (!s->choices || !s->r || !s->pareto) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    if (fits) {
        uint64_t *idx = pick_points(size, s->n, s->seed);
        if (!idx) {
            cli_error("out of memory");
            return CLI_FAIL;
        }
        for (int64_t i = 0; i < s->n; i++)
            index_to_choices(sp, idx[i], s->choices + (size_t)i * (size_t)np);
        free(idx);
    } else {
        uint64_t st = s->seed;
        for (int64_t i = 0; i < s->n; i++)
            for (int32_t p = 0; p < np; p++)
                s->choices[(size_t)i * (size_t)np + (size_t)p] =
                    (int32_t)uniform(&st, (uint64_t)pesim_space_param(sp, p)->n_choices);
    }

    /* outputs first, so a bad path fails before the work */
    int rc = CLI_OK;
    const char *csv_path = o->csv ? o->csv : SWEEP_DEFAULT_CSV;
    FILE *cf = NULL, *jf = NULL;
    pesim_store *st = NULL;
    pesim_evaluator *ev = NULL;
    int64_t run_id = 0;
    pesim_error e;
    pesim_error_clear(&e);
    if (!(cf = cli_open_out(csv_path)) || (o->json && !(jf = cli_open_out(o->json)))) {
        rc = CLI_USAGE;
        goto done;
    }
    pesim_eval_options eo = s->x->ex.eval;
    eo.threads = s->inner.algo ? 1 : s->threads;
    if (pesim_evaluator_create(sp, NULL, &eo, &ev, &e) != PESIM_OK) {
        cli_report(&e, NULL);
        rc = CLI_FAIL;
        goto done;
    }
    /* with --inner, the points' evaluation step: an inner search per layer */
    cli_sweep_inner inner;
    pesim_inner_options io;
    memset(&io, 0, sizeof io);
    io.algo = s->inner.algo;
    io.algo_opt.kv = s->inner.algo_kv;
    io.algo_opt.n_kv = s->inner.n_algo_kv;
    io.budget = s->inner_budget;
    io.seed = s->seed;
    io.fidelity = s->fidelity;
    if (cli_sweep_inner_init(&inner, sp, &eo, &io, s->threads, &e) != PESIM_OK) {
        cli_report(&e, NULL);
        rc = CLI_FAIL;
        goto done;
    }
    int64_t start = 0;
    if (o->db) {
        if (pesim_store_open(o->db, &st, &e) != PESIM_OK) {
            cli_report(&e, o->db);
            rc = CLI_USAGE;
            goto done_inner;
        }
        pesim_run_info info;
        memset(&info, 0, sizeof info);
        snprintf(info.label, sizeof info.label, "sweep");
        snprintf(info.space, sizeof info.space, "%s", pesim_space_describe(sp));
        snprintf(info.algo, sizeof info.algo, "sweep");
        info.seed = s->seed;
        info.budget = s->n;
        snprintf(info.objective, sizeof info.objective, "%s", pesim_objective_name(eo.objective));
        snprintf(info.fidelity, sizeof info.fidelity, "%s", pesim_fidelity_name(s->fidelity));
        info.batch = SWEEP_BATCH;
        inner_describe(s, info.algo_options, sizeof info.algo_options);
        snprintf(info.eval_options, sizeof info.eval_options, "area_budget_um2=%.17g power_budget_mw=%.17g",
                 eo.area_budget_um2, eo.power_budget_mw);
        pesim_run_info old;
        int found = 0;
        if (o->resume && pesim_store_find_run(st, info.label, info.space, &old, &found, &e) != PESIM_OK) {
            cli_report(&e, o->db);
            rc = CLI_FAIL;
            goto done_inner;
        }
        if (found) {
            const char *what = old.seed != info.seed                             ? "--seed"
                               : old.budget != info.budget                       ? "--limit"
                               : strcmp(old.fidelity, info.fidelity)             ? "--eval"
                               : strcmp(old.objective, info.objective)           ? "the objective"
                               : strcmp(old.algo_options, info.algo_options)     ? "--inner, --inner-budget or --inner-opt"
                               : strcmp(old.eval_options, info.eval_options)     ? "the area or power budget"
                                                                                 : NULL;
            if (what) {
                cli_error("sweep: %s: run %lld of this space differs in %s; resume with the same options, or drop "
                          "--resume to start another run", o->db, (long long)old.id, what);
                rc = CLI_USAGE;
                goto done_inner;
            }
            int32_t *xs = malloc((size_t)(old.samples > 0 ? old.samples : 1) * (size_t)(np > 0 ? np : 1) * sizeof *xs);
            int32_t got = 0;
            if (!xs) {
                cli_error("out of memory");
                rc = CLI_FAIL;
                goto done_inner;
            }
            if (old.samples > 0 &&
                pesim_store_read(st, old.id, 0, (int32_t)old.samples, np, xs, s->r, &got, &e) != PESIM_OK) {
                free(xs);
                cli_report(&e, o->db);
                rc = CLI_FAIL;
                goto done_inner;
            }
            int same = memcmp(xs, s->choices, (size_t)got * (size_t)np * sizeof *xs) == 0;
            free(xs);
            if (!same) {
                cli_error("sweep: %s: run %lld holds other points than this sweep's; drop --resume to start another "
                          "run", o->db, (long long)old.id);
                rc = CLI_USAGE;
                goto done_inner;
            }
            start = got;
            run_id = old.id;
            if (pesim_store_reopen_run(st, run_id, s->n, &e) != PESIM_OK) {
                cli_report(&e, o->db);
                rc = CLI_FAIL;
                goto done_inner;
            }
        } else {
            char config[8192];
            size_t w = (size_t)snprintf(config, sizeof config,
                                        "pesim sweep --experiment %s --arch %s --workload %s --eval %s --limit %lld "
                                        "--seed %" PRIu64 "%s%s\n",
                                        o->experiment, s->x->arch_path, s->x->workload_path,
                                        pesim_fidelity_name(s->fidelity), (long long)limit, s->seed,
                                        info.algo_options[0] ? " " : "", info.algo_options);
            /* one line per hardware parameter: its keys and values, for readers of the store */
            for (int32_t p = 0; p < np && w < sizeof config; p++) {
                w += (size_t)snprintf(config + w, sizeof config - w, "param %d", (int)p);
                for (int32_t kk = 0; kk < pesim_space_hw_n_keys(sp, p) && w < sizeof config; kk++) {
                    w += (size_t)snprintf(config + w, sizeof config - w, "%s%s", kk ? "," : " ",
                                          pesim_space_hw_key(sp, p, kk));
                    for (int32_t c = 0; c < pesim_space_param(sp, p)->n_choices && w < sizeof config; c++) {
                        char val[64];
                        pesim_space_hw_value(sp, p, kk, c, val, sizeof val);
                        w += (size_t)snprintf(config + w, sizeof config - w, "%s%s", c ? "|" : "=", val);
                    }
                }
                if (w < sizeof config)
                    w += (size_t)snprintf(config + w, sizeof config - w, "\n");
            }
            if (pesim_store_new_run(st, &info, config, &run_id, &e) != PESIM_OK) {
                cli_report(&e, o->db);
                rc = CLI_USAGE;
                goto done_inner;
            }
        }
    }

    /* The points go to the MPI worker ranks when there are any, else to the
     * evaluator's threads (with --inner: an inner search per point, points
     * on --threads). Each worker builds the same evaluation step from the
     * recipe; chunks go to whichever worker is free (dynamic load
     * balancing): SWEEP_BATCH points per chunk, or with --inner one point
     * per worker thread, since one inner search costs as much as thousands
     * of plain evaluations. A batch is committed to the store at once. */
    cli_eval_step step;
    char recipe[8192];
    const int32_t workers = cli_mpi_workers();
    const int32_t chunk = s->inner.algo ? s->threads : SWEEP_BATCH;
    int bad = sweep_recipe(o, s, recipe, sizeof recipe);
    if ((rc = cli_eval_step_open_fn("sweep", &step, s->inner.algo ? cli_sweep_inner_eval : eval_plain,
                                    s->inner.algo ? (void *)&inner : (void *)ev, sp, bad ? NULL : recipe, &eo,
                                    workers > 0 ? chunk : 0)))
        goto done_inner;
    const int64_t batch = workers > 0 ? (int64_t)chunk * workers * (s->inner.algo ? 4 : 1)
                                      : s->inner.algo ? 2 * s->threads : SWEEP_BATCH;
    cli_progress prog;
    cli_progress_start(&prog, "sweep", s->n);
    prog.unit = "points";
    pesim_error_clear(&e);
    for (int64_t at = start; at < s->n; at += batch) {
        int32_t k = (int32_t)(s->n - at < batch ? s->n - at : batch);
        const int32_t *x = s->choices + (size_t)at * (size_t)np;
        pesim_status es = !step.farm && s->inner.algo ? cli_sweep_inner_run(&inner, x, k, s->fidelity, s->r + at, &e)
                                                      : step.fn(step.ctx, x, k, s->fidelity, s->r + at);
        if (es != PESIM_OK && !e.msg[0])
            pesim_error_set(&e, es, NULL, 0, NULL, "the evaluation failed (%s)", pesim_status_name(es));
        if (es != PESIM_OK) {
            cli_eval_step_close(&step);
            cli_progress_end(&prog);
            cli_report(&e, NULL);
            rc = CLI_FAIL;
            goto done_inner;
        }
        if (st && pesim_store_add_batch(st, run_id, at, k, x, np, s->r + at, &e) != PESIM_OK) {
            cli_eval_step_close(&step);
            cli_progress_end(&prog);
            cli_report(&e, o->db);
            rc = CLI_FAIL;
            goto done_inner;
        }
        char item[96] = "";
        double best = PESIM_INVALID_PENALTY;
        for (int64_t i = 0; i < at + k; i++)
            if (s->r[i].valid && s->r[i].objective < best)
                best = s->r[i].objective;
        if (best < PESIM_INVALID_PENALTY)
            snprintf(item, sizeof item, "best %s %.4g", pesim_objective_name(eo.objective), best);
        cli_progress_step(&prog, at + k, item[0] ? item : NULL);
    }
    s->worker_evals = pesim_mpi_farm_get_stats(step.farm).candidates;
    cli_eval_step_close(&step);
    cli_progress_end(&prog);
    if (st && pesim_store_finish_run(st, run_id, &e) != PESIM_OK) {
        cli_report(&e, o->db);
        rc = CLI_FAIL;
        goto done_inner;
    }

    for (int k = 0; k < BEST_COUNT; k++)
        s->best[k] = -1;
    for (int64_t i = 0; i < s->n; i++) {
        if (!s->r[i].valid)
            continue;
        s->n_valid++;
        for (int k = 0; k < BEST_COUNT; k++)
            if (s->best[k] < 0 || best_key(&s->r[i], k) < best_key(&s->r[s->best[k]], k))
                s->best[k] = i;
    }
    s->n_pareto = cli_pareto_mark(s->r, s->n, s->pareto);
    if (s->n_pareto < 0) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done_inner;
    }
    write_csv(s, cf);
    if (jf)
        write_json(s, jf);
    if (!cli_is_stdout(o->csv) && !cli_is_stdout(o->json))
        write_text(s, stdout);
    /* after every other output: a failed network run loses none of them */
    if (st && record_networks(s, s->inner.algo ? &inner : NULL, st, run_id) != 0)
        rc = CLI_FAIL;
    if (s->n_valid == 0) {
        cli_error("sweep: no valid point among the %lld evaluated (see the reasons in %s)", (long long)s->n,
                  csv_path);
        rc = CLI_FAIL;
    }
done_inner:
    cli_sweep_inner_free(&inner);
done:
    if (cli_close_out(cf, csv_path) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(jf, o->json) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    pesim_evaluator_destroy(ev);
    pesim_store_close(st);
    return rc;
}

static int sweep_main(int argc, char **argv)
{
    sweep_opts o;
    memset(&o, 0, sizeof o);
    const cli_opt opts[] = {
        {"experiment", "FILE", "experiment config: the hardware parameters (docs/search.md)", &o.experiment, NULL},
        {"param", "KEY=VALUES", "a hardware parameter: 8,16,32 or FROM:TO:xFACTOR or FROM:TO:+STEP (repeatable)",
         NULL, NULL},
        {"objective", "NAME", "with --param: latency|energy|edp [latency]", &o.objective, NULL},
        {"inner", "ALGO", "map each layer of a point by this search [the default mapper]", &o.inner, NULL},
        {"inner-budget", "N", "evaluations per layer of the inner search [100]", &o.inner_budget, NULL},
        {"inner-opt", "K=V,...", "options of the inner search (--inner-opt help lists them)", &o.inner_opt, NULL},
        {"workload", "FILE", "workload config [the experiment's]", &o.workload, NULL},
        {"arch", "FILE", "base architecture config [the experiment's]", &o.arch, NULL},
        {"eval", "NAME", "analytical|cycle [analytical]", &o.eval, NULL},
        {"threads", "N", "evaluator threads [1]", &o.threads, NULL},
        {"limit", "N", "evaluate a random sample of N points when the space is larger [every point]", &o.limit,
         NULL},
        {"seed", "S", "seed of the sample [1]", &o.seed, NULL},
        {"csv", "FILE", "one row per point [" SWEEP_DEFAULT_CSV "]", &o.csv, NULL},
        {"json", "FILE", "also write JSON results to FILE", &o.json, NULL},
        {"db", "FILE", "record every evaluation in this result store (SQLite)", &o.db, NULL},
        {"resume", NULL, "continue the store's sweep of this space and these options", NULL, &o.resume},
        {"detail", "WHICH", "with --db: the points run as a whole network for the report: best|pareto|none [best]",
         &o.detail, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    if (cli_sweep_take_params(&argc, argv, o.params, &o.n_params) != 0)
        return CLI_USAGE;
    int rc = cli_parse(&usage, opts, argc, argv);
    if (rc != CLI_PARSE_OK)
        return rc == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
    if (!o.experiment == !o.n_params) {
        cli_error("sweep: give --experiment FILE (e.g. configs/experiments/vta_gemm_sweep.cfg) or --param "
                  "KEY=VALUES options, %s", o.experiment ? "not both" : "one of them");
        return CLI_USAGE;
    }
    if (o.objective && !o.n_params) {
        cli_error("sweep: --objective goes with --param (an experiment names its objective)");
        return CLI_USAGE;
    }
    if (o.objective && (pesim_objective_parse(o.objective) < 0 || strcmp(o.objective, "weighted") == 0)) {
        cli_error("sweep: --objective %s: expected latency, energy or edp", o.objective);
        return CLI_USAGE;
    }
    if (o.detail && (!o.db || (strcmp(o.detail, "best") && strcmp(o.detail, "pareto") && strcmp(o.detail, "none")))) {
        cli_error("sweep: --detail %s: %s", o.detail, o.db ? "expected best, pareto or none" : "goes with --db FILE");
        return CLI_USAGE;
    }
    if (o.resume && !o.db) {
        cli_error("sweep: --resume needs --db FILE (the store of the sweep to continue)");
        return CLI_USAGE;
    }
    sweep s;
    memset(&s, 0, sizeof s);
    s.o = &o;
    s.threads = 1;
    int64_t v, limit = 0;
    if (o.threads) {
        if (cli_parse_i64("sweep", "threads", o.threads, 1, 64, &v))
            return CLI_USAGE;
        s.threads = (int32_t)v;
    }
    if ((o.inner_budget || o.inner_opt) && !o.inner) {
        cli_error("sweep: --inner-budget and --inner-opt go with --inner ALGO");
        return CLI_USAGE;
    }
    s.inner_budget = SWEEP_INNER_BUDGET;
    if (o.inner_budget) {
        if (cli_parse_i64("sweep", "inner-budget", o.inner_budget, 1, 100000000, &v))
            return CLI_USAGE;
        s.inner_budget = v;
    }
    if (o.inner) {
        if (!pesim_algo_summary(o.inner)) {
            cli_error("sweep: --inner %s: no such algorithm (pesim search --help lists them)", o.inner);
            return CLI_USAGE;
        }
        s.inner.algo = o.inner;
        int help_shown = 0;
        if ((rc = cli_search_algo_opts(&s.inner, o.inner_opt, &help_shown)) != CLI_OK || help_shown)
            return rc;
    }
    if (o.limit) {
        if (cli_parse_i64("sweep", "limit", o.limit, 1, SWEEP_MAX_POINTS, &v))
            return CLI_USAGE;
        limit = v;
    }
    s.seed = 1;
    if (o.seed) {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(o.seed, &end, 10);
        if (errno || end == o.seed || *end || o.seed[0] == '-' || o.seed[0] == '+') {
            cli_error("sweep: --seed %s: expected an integer in [0, 18446744073709551615]", o.seed);
            return CLI_USAGE;
        }
        s.seed = x;
    }
    s.fidelity = PESIM_FIDELITY_ANALYTICAL;
    if (o.eval) {
        int f = pesim_fidelity_parse(o.eval);
        if (f < 0) {
            cli_error("sweep: unknown evaluator '%s' (--eval analytical|cycle)", o.eval);
            return CLI_USAGE;
        }
        s.fidelity = (pesim_fidelity)f;
    }
    if (cli_is_stdout(o.csv) && cli_is_stdout(o.json)) {
        cli_error("sweep: --csv - and --json - both write to stdout; give a file to one of them");
        return CLI_USAGE;
    }
    cli_experiment x;
    rc = cli_sweep_load(o.n_params ? NULL : o.experiment, o.arch, o.workload, o.objective, o.params, o.n_params, &x);
    if (o.n_params)
        o.experiment = "(--param)";
    if (rc == CLI_OK) {
        s.x = &x;
        rc = run_sweep(&o, &s, limit);
    }
    free(s.choices);
    free(s.r);
    free(s.pareto);
    cli_experiment_free(&x);
    return rc;
}

int cli_cmd_sweep(int argc, char **argv) { return cli_mpi_main("sweep", sweep_main, argc, argv); }
