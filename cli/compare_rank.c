/* cli/compare_rank.c - `pesim compare --mappings N`: per MAC layer, the
 * analytical model and the cycle engine over many mappings of the layer -
 * N random valid ones (the step decode under masks, seeded) and the
 * mappings a search evaluates (--search-budget evaluations of --search-algo,
 * the analytical model guiding it) - with the mean and max absolute % error
 * of cycles and energy, the Spearman and Kendall rank correlation of the two
 * evaluators per set, the pairs whose order flips, whether the model's best
 * is the simulator's, and the mean gap by stall cause (% of the analytical
 * cycles). With --db, each set is stored as two runs (analytical, cycle) of
 * the same candidates, which `pesim report` pairs into its scatter. Every
 * mapping is checked for what the two must agree on (disagreements(): a
 * disagreement is a bug, reported per layer, and the exit status is 1).
 * With --systemc K the SystemC reference also runs the first K mappings of
 * each set and must reproduce the engine exactly (systemc_check). */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "output.h"
#include "rank.h"
#include "pesim/search.h"

enum { SET_RANDOM = 0, SET_SEARCHED, SET_COUNT };
static const char *const set_names[SET_COUNT] = {"random", "searched"};

typedef struct set_stats {
    int64_t n;                        /* candidates valid at both fidelities */
    double mean_err_cycles, max_err_cycles, mean_err_energy, max_err_energy; /* % */
    cli_rank_agreement rank;
    int best_agrees;                  /* the model's best is the simulator's best (cycles) */
    int64_t sim_rank_of_model_best;   /* 1-based rank by simulated cycles of the model's best */
    double gap_compute;               /* mean (cycle - analytical) compute cycles, % of analytical cycles */
    double gap_stall[PESIM_STALL_COUNT];
} set_stats;

static double u01(void *ctx) { return gsl_rng_uniform((gsl_rng *)ctx); }

/* Collects the searched candidates. */
typedef struct collect {
    int32_t *x;
    int64_t n, cap;
    int32_t np;
} collect;

static int on_batch(void *ctx, const pesim_campaign_batch *b)
{
    collect *c = ctx;
    for (int32_t i = 0; i < b->n; i++) {
        if (!b->results[i].valid || c->n == c->cap)
            continue;
        memcpy(c->x + (size_t)c->n * (size_t)c->np, b->choices + (size_t)i * (size_t)c->np,
               (size_t)c->np * sizeof *c->x);
        c->n++;
    }
    return 0;
}

static void stats_of(const pesim_result *ra, const pesim_result *rc, const pesim_cost *ca, const pesim_cost *cc,
                     int64_t n, set_stats *s)
{
    memset(s, 0, sizeof *s);
    double *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a), *b = malloc((size_t)(n > 0 ? n : 1) * sizeof *b);
    if (!a || !b) {
        free(a), free(b);
        return;
    }
    int64_t best_a = -1;
    for (int64_t i = 0; i < n; i++) {
        if (!ra[i].valid || !rc[i].valid || ra[i].cycles <= 0 || ra[i].energy_pj <= 0)
            continue;
        double ec = 100.0 * fabs((double)(rc[i].cycles - ra[i].cycles)) / (double)ra[i].cycles;
        double ee = 100.0 * fabs(rc[i].energy_pj - ra[i].energy_pj) / ra[i].energy_pj;
        s->mean_err_cycles += ec, s->max_err_cycles = fmax(s->max_err_cycles, ec);
        s->mean_err_energy += ee, s->max_err_energy = fmax(s->max_err_energy, ee);
        s->gap_compute += 100.0 * (double)(cc[i].compute_cycles - ca[i].compute_cycles) / (double)ra[i].cycles;
        for (int k = 0; k < PESIM_STALL_COUNT; k++)
            s->gap_stall[k] += 100.0 * (double)(cc[i].stall_cycles[k] - ca[i].stall_cycles[k]) / (double)ra[i].cycles;
        a[s->n] = (double)ra[i].cycles, b[s->n] = (double)rc[i].cycles;
        if (best_a < 0 || a[s->n] < a[best_a])
            best_a = s->n;
        s->n++;
    }
    if (s->n > 0) {
        double k = (double)s->n;
        s->mean_err_cycles /= k, s->mean_err_energy /= k, s->gap_compute /= k;
        for (int c = 0; c < PESIM_STALL_COUNT; c++)
            s->gap_stall[c] /= k;
        s->sim_rank_of_model_best = 1;
        for (int64_t i = 0; i < s->n; i++)
            if (b[i] < b[best_a])
                s->sim_rank_of_model_best++;
        s->best_agrees = s->sim_rank_of_model_best == 1;
    }
    if (cli_rank_agree(a, b, s->n, &s->rank) != 0)
        s->rank.spearman = s->rank.kendall = NAN;
    free(a), free(b);
}

/* The mappings on which the model and the engine disagree, each a bug
 * (cli_compare_costs: the rule `pesim compare` applies to one mapping; the
 * bound holds, as --mappings takes no --stall-free). The first is described
 * in diff, with its index in *first. */
static int64_t disagreements(const pesim_arch *arch, const pesim_cost *ca, const pesim_cost *cc, int64_t n,
                             int64_t *first, char *diff, size_t nd)
{
    int64_t bad = 0;
    char d[CLI_COMPARE_DIFF_MAX];
    for (int64_t i = 0; i < n; i++) {
        const compare_side a = {"analytical", ca[i].valid, ca[i].reason, &ca[i]};
        const compare_side c = {"cycle", cc[i].valid, cc[i].reason, &cc[i]};
        if (cli_compare_costs(arch, &a, &c, 1, d, sizeof d) == CMP_AGREE)
            continue;
        if (bad++ == 0)
            *first = i, snprintf(diff, nd, "%s", d);
    }
    return bad;
}

/* The SystemC reference on the first n mappings at x (of layer space sp),
 * each beside a run of the engine it must reproduce (its evaluator's
 * `equals`), both with the default engine options, as the evaluator's cycle
 * fidelity uses. *ran gets the mappings run (those that decode), and
 * *too_large those out of the reference's range (PESIM_ERR_RANGE, such as
 * more transfers and blocks than it keeps in memory; not compared). Returns
 * those that differ (the first described in diff, with its index in
 * *first), or -1 when a run failed (diff says which, and why). */
static int64_t systemc_check(pesim_space *sp, const int32_t *x, int64_t n, int32_t np, const cli_evaluator *sc,
                             int64_t *ran, int64_t *too_large, int64_t *first, char *diff, size_t nd)
{
    const cli_evaluator *eng = cli_evaluator_find(sc->equals);
    const pesim_layer *l = pesim_space_layer(sp, 0);
    int64_t bad = 0;
    char d[CLI_COMPARE_DIFF_MAX], why[256];
    *ran = *too_large = 0;
    for (int64_t i = 0; i < n; i++) {
        pesim_design des;
        if (!pesim_space_decode(sp, x + (size_t)i * (size_t)np, &des, why, sizeof why))
            continue; /* not a mapping: neither evaluator can run it */
        pesim_cost ce, cs;
        pesim_engine_stats se, ss;
        if (eng->fn(&des.arch, l, &des.mappings[0], NULL, &ce, &se) != PESIM_OK) {
            snprintf(diff, nd, "mapping %lld: %s: %.400s", (long long)(i + 1), eng->name, ce.reason);
            return -1;
        }
        pesim_status st = sc->fn(&des.arch, l, &des.mappings[0], NULL, &cs, &ss);
        if (cli_eval_out_of_range(st)) { /* e.g. more transfers than it holds: not run */
            ++*too_large;
            continue;
        }
        if (st != PESIM_OK) {
            snprintf(diff, nd, "mapping %lld: %s: %.400s", (long long)(i + 1), sc->name, cs.reason);
            return -1;
        }
        ++*ran;
        const compare_side a = {eng->name, ce.valid, ce.reason, &ce}, b = {sc->name, cs.valid, cs.reason, &cs};
        if (cli_compare_same(&des.arch, &a, &se, &b, &ss, d, sizeof d))
            continue;
        if (bad++ == 0)
            *first = i, snprintf(diff, nd, "%s", d);
    }
    return bad;
}

/* Stores one set as two runs of the same candidates. */
static int store_set(pesim_store *st, pesim_space *sp, const char *layer, const char *set, uint64_t seed,
                     const int32_t *x, int64_t n, int32_t np, const pesim_result *ra, const pesim_result *rc)
{
    pesim_error e;
    pesim_error_clear(&e);
    for (int f = 0; f < 2; f++) {
        pesim_run_info info;
        memset(&info, 0, sizeof info);
        snprintf(info.label, sizeof info.label, "compare:%.80s:%s", layer, set);
        snprintf(info.space, sizeof info.space, "%s", pesim_space_describe(sp));
        snprintf(info.algo, sizeof info.algo, "compare");
        info.seed = seed;
        info.budget = n;
        snprintf(info.objective, sizeof info.objective, "latency");
        snprintf(info.fidelity, sizeof info.fidelity, "%s", f ? "cycle" : "analytical");
        info.batch = (int32_t)(n > 0 ? n : 1);
        int64_t id = 0;
        if (pesim_store_new_run(st, &info, "pesim compare --mappings", &id, &e) != PESIM_OK ||
            (n > 0 && pesim_store_add_batch(st, id, 0, (int32_t)n, x, np, f ? rc : ra, &e) != PESIM_OK) ||
            pesim_store_finish_run(st, id, &e) != PESIM_OK) {
            cli_report(&e, pesim_store_path(st));
            return -1;
        }
    }
    return 0;
}

static void print_set(FILE *f, const char *layer, const char *set, const set_stats *s)
{
    char gap[512];
    size_t w = (size_t)snprintf(gap, sizeof gap, "compute %+.1f%%", s->gap_compute);
    for (int k = 0; k < PESIM_STALL_COUNT && w < sizeof gap; k++)
        if (fabs(s->gap_stall[k]) >= 0.05)
            w += (size_t)snprintf(gap + w, sizeof gap - w, ", %s %+.1f%%", pesim_stall_name((pesim_stall)k),
                                  s->gap_stall[k]);
    fprintf(f, "  %-18.18s %-8s %6lld %8.2f %8.2f %8.2f %8.2f %8.3f %8.3f %7lld/%-7lld %4lld  %s\n", layer, set,
            (long long)s->n, s->mean_err_cycles, s->max_err_cycles, s->mean_err_energy, s->max_err_energy,
            s->rank.spearman, s->rank.kendall, (long long)s->rank.discordant, (long long)s->rank.pairs,
            (long long)s->sim_rank_of_model_best, gap);
}

static void csv_set(FILE *f, const char *layer, const char *set, const set_stats *s)
{
    cli_csv_field(f, layer);
    fputc(',', f);
    cli_csv_field(f, set);
    fprintf(f, ",%lld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%lld,%lld,%lld,%.6g", (long long)s->n, s->mean_err_cycles,
            s->max_err_cycles, s->mean_err_energy, s->max_err_energy, s->rank.spearman, s->rank.kendall,
            (long long)s->rank.discordant, (long long)s->rank.pairs, (long long)s->sim_rank_of_model_best,
            s->gap_compute);
    for (int k = 0; k < PESIM_STALL_COUNT; k++)
        fprintf(f, ",%.6g", s->gap_stall[k]);
    fputc('\n', f);
}

int cli_compare_mappings(const cli_inputs *in, const compare_mappings_args *a, FILE *csv)
{
    pesim_store *st = NULL;
    pesim_error e;
    pesim_error_clear(&e);
    if (a->db && pesim_store_open(a->db, &st, &e) != PESIM_OK) {
        cli_report(&e, a->db);
        return CLI_USAGE;
    }
    if (csv) {
        fputs("layer,set,mappings,mean_err_cycles_pct,max_err_cycles_pct,mean_err_energy_pct,max_err_energy_pct,"
              "spearman,kendall,discordant_pairs,pairs,sim_rank_of_model_best,gap_compute_pct",
              csv);
        for (int k = 0; k < PESIM_STALL_COUNT; k++)
            fprintf(csv, ",gap_%s_pct", pesim_stall_name((pesim_stall)k));
        fputc('\n', csv);
    }
    if (!cli_is_stdout(a->csv)) {
        printf("analytical model vs cycle engine over %lld random and %lld searched (%s) mappings per layer, seed %llu\n"
               "(err: |cycle - analytical| / analytical; rho: Spearman, tau: Kendall tau-b, of the cycles; flips: "
               "pairs ordered differently; rank: the simulated rank of the model's best; gap: mean by cause)\n\n",
               (long long)a->n_random, (long long)a->search_budget, a->search_algo, (unsigned long long)a->seed);
        printf("  %-18s %-8s %6s %8s %8s %8s %8s %8s %8s %15s %4s  %s\n", "layer", "set", "n", "cyc err", "max",
               "en err", "max", "rho", "tau", "flips", "rank", "gap by cause");
    }
    int rc = CLI_OK;
    int64_t n_bugs = 0; /* layers whose evaluators disagree on some mapping */
    int64_t sc_run = 0, sc_bad = 0, sc_big = 0; /* mappings the SystemC reference ran, did not reproduce,
                                                 * and could not run (out of its range) */
    const cli_evaluator *sc = cli_evaluator_find("systemc");
    if (a->n_systemc > 0 && (!sc || !sc->fn)) {
        pesim_store_close(st);
        cli_error("compare: --systemc: the SystemC reference is not built (docs/build.md)");
        return CLI_FAIL;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        pesim_store_close(st);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    int32_t mac = -1;
    for (int32_t li = 0; li < in->net.n_layers && rc == CLI_OK; li++) {
        const pesim_layer *l = &in->net.layers[li];
        if (!pesim_layer_has_macs(l))
            continue;
        mac++;
        if (in->only >= 0 && li != in->only)
            continue;
        pesim_space *sp = NULL;
        pesim_evaluator *ev = NULL;
        pesim_cursor *cur = NULL;
        pesim_campaign *camp = NULL;
        pesim_eval_options eo;
        memset(&eo, 0, sizeof eo);
        eo.objective = PESIM_OBJ_LATENCY;
        eo.threads = a->threads;
        int64_t cap = a->n_random + a->search_budget;
        int32_t np = 0;
        int32_t *x = NULL;
        pesim_result *ra = NULL, *rcy = NULL;
        pesim_cost *ca = NULL, *cc = NULL;
        collect col;
        memset(&col, 0, sizeof col);
        if (pesim_space_mapping(in->arch, l, &sp, &e) != PESIM_OK || pesim_evaluator_create(sp, NULL, &eo, &ev, &e) != PESIM_OK ||
            pesim_cursor_create(sp, &eo, &cur, &e) != PESIM_OK) {
            cli_report(&e, NULL);
            rc = CLI_FAIL;
            goto next;
        }
        np = pesim_space_n_params(sp);
        x = malloc((size_t)(cap > 0 ? cap : 1) * (size_t)np * sizeof *x);
        ra = calloc((size_t)(cap > 0 ? cap : 1), sizeof *ra);
        rcy = calloc((size_t)(cap > 0 ? cap : 1), sizeof *rcy);
        ca = calloc((size_t)(cap > 0 ? cap : 1), sizeof *ca);
        cc = calloc((size_t)(cap > 0 ? cap : 1), sizeof *cc);
        if (!x || !ra || !rcy || !ca || !cc) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            goto next;
        }
        /* random valid mappings: the step decode under masks (seed + layer) */
        gsl_rng_set(rng, (unsigned long)(a->seed + (uint64_t)mac));
        int64_t nr = 0;
        for (int64_t t = 0; t < 20 * a->n_random && nr < a->n_random; t++) {
            pesim_cursor_reset(cur);
            if (pesim_cursor_sample(cur, u01, rng, x + (size_t)nr * (size_t)np) == 0)
                nr++;
        }
        /* the mappings a search evaluates (valid ones) */
        col.x = x + (size_t)nr * (size_t)np, col.cap = a->search_budget, col.np = np;
        if (a->search_budget > 0) {
            pesim_campaign_options co;
            memset(&co, 0, sizeof co);
            co.algo = a->search_algo;
            co.seed = a->seed + (uint64_t)mac;
            co.budget = a->search_budget;
            co.batch = 16;
            co.fidelity = PESIM_FIDELITY_ANALYTICAL;
            co.eval = eo;
            co.label = l->name;
            if (pesim_campaign_create(sp, NULL, &co, &camp, &e) != PESIM_OK) {
                cli_report(&e, NULL);
                rc = CLI_USAGE;
                goto next;
            }
            pesim_campaign_set_callback(camp, on_batch, &col);
            if (pesim_campaign_run(camp, &e) != PESIM_OK) {
                cli_report(&e, NULL);
                rc = CLI_FAIL;
                goto next;
            }
        }
        int64_t n = nr + col.n;
        if (n > 0 && (pesim_evaluator_run_detail(ev, x, (int32_t)n, PESIM_FIDELITY_ANALYTICAL, ra, ca) != PESIM_OK ||
                      pesim_evaluator_run_detail(ev, x, (int32_t)n, PESIM_FIDELITY_CYCLE, rcy, cc) != PESIM_OK)) {
            cli_error("compare: layer %s: the evaluator failed", l->name);
            rc = CLI_FAIL;
            goto next;
        }
        int64_t first[SET_COUNT] = {0, nr}, count[SET_COUNT] = {nr, col.n};
        for (int s = 0; s < SET_COUNT; s++) {
            set_stats ss;
            stats_of(ra + first[s], rcy + first[s], ca + first[s], cc + first[s], count[s], &ss);
            if (!cli_is_stdout(a->csv))
                print_set(stdout, l->name, set_names[s], &ss);
            if (csv)
                csv_set(csv, l->name, set_names[s], &ss);
            if (st && store_set(st, sp, l->name, set_names[s], a->seed + (uint64_t)mac,
                                x + (size_t)first[s] * (size_t)np, count[s], np, ra + first[s], rcy + first[s]) != 0) {
                rc = CLI_FAIL;
                goto next;
            }
        }
        int64_t at = 0;
        char diff[CLI_COMPARE_DIFF_MAX];
        int64_t bad = disagreements(in->arch, ca, cc, n, &at, diff, sizeof diff);
        if (bad > 0) {
            int s = at < nr ? SET_RANDOM : SET_SEARCHED;
            cli_error("compare: layer %s: analytical and cycle disagree on %lld of %lld mappings (first: %s "
                      "mapping %lld, seed %llu: %s); this is a bug",
                      l->name, (long long)bad, (long long)n, set_names[s], (long long)(at - first[s] + 1),
                      (unsigned long long)(a->seed + (uint64_t)mac), diff);
            n_bugs++;
        }
        for (int s = 0; s < SET_COUNT && a->n_systemc > 0; s++) {
            int64_t m = count[s] < a->n_systemc ? count[s] : a->n_systemc, ran = 0, big = 0, at_s = 0;
            int64_t b = systemc_check(sp, x + (size_t)first[s] * (size_t)np, m, np, sc, &ran, &big, &at_s, diff,
                                      sizeof diff);
            if (b < 0) {
                cli_error("compare: layer %s: %s mappings, seed %llu: %s", l->name, set_names[s],
                          (unsigned long long)(a->seed + (uint64_t)mac), diff);
                rc = CLI_FAIL;
                goto next;
            }
            sc_run += ran, sc_bad += b, sc_big += big;
            if (b > 0) {
                cli_error("compare: layer %s: systemc does not reproduce cycle on %lld of %lld %s mappings (first: "
                          "mapping %lld, seed %llu: %s); this is a bug",
                          l->name, (long long)b, (long long)ran, set_names[s], (long long)(at_s + 1),
                          (unsigned long long)(a->seed + (uint64_t)mac), diff);
                n_bugs++;
            }
        }
    next:
        pesim_campaign_destroy(camp);
        pesim_cursor_destroy(cur);
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(sp);
        free(x), free(ra), free(rcy), free(ca), free(cc);
    }
    gsl_rng_free(rng);
    pesim_store_close(st);
    if (rc == CLI_OK && a->n_systemc > 0 && !cli_is_stdout(a->csv))
        printf("\nsystemc vs cycle: %lld of %lld mappings reproduced exactly (cycles, stalls, energy, network "
               "figures, DRAM statistics); %lld not run, out of the reference's range\n", (long long)(sc_run - sc_bad),
               (long long)sc_run, (long long)sc_big);
    if (rc == CLI_OK && a->db && !cli_is_stdout(a->csv))
        printf("\nstore: %s ('pesim report %s' plots it)\n", a->db, a->db);
    return rc == CLI_OK && n_bugs > 0 ? CLI_FAIL : rc;
}
