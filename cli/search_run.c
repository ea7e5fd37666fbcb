/* cli/search_run.c - one search of a space on the library's campaign loop,
 * and one layer's mapping search on top of it (see search_run.h). What is
 * here is the command's part: the options, the convergence CSV and the
 * progress line (from the campaign's per-batch callback), the messages.
 * POSIX: clock_gettime. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/config.h"

#include "cli.h"
#include "mpi_run.h"
#include "output.h"
#include "paths.h"
#include "progress.h"
#include "search_run.h"
#include "suggest.h"

volatile sig_atomic_t cli_search_stop = 0;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_search_progress_start(search_progress *p, int64_t budget, int32_t layers)
{
    memset(p, 0, sizeof *p);
    cli_progress_start(&p->line, "search", budget * layers);
    p->t0 = now_s();
    p->total = budget * layers;
}

/* ------------------------------------------------------- --algo-opt */

static int cli_search_learned_opts(search_args *a);

int cli_search_algo_opts(search_args *a, const char *text, int *help_shown)
{
    *help_shown = 0;
    a->n_algo_kv = 0;
    a->algo_opt_text = text;
    if (!text)
        return cli_search_learned_opts(a);
    int32_t n = pesim_algo_n_options(a->algo);
    if (strcmp(text, "help") == 0) {
        printf("options of --algo %s (--algo-opt key=value[,key=value...]):\n", a->algo);
        if (n == 0)
            printf("  (none)\n");
        for (int32_t i = 0; i < n; i++) {
            pesim_algo_option_info o;
            pesim_algo_option_info_get(a->algo, i, &o);
            printf("  %-14s %-8s default %-8.6g [%.6g, %.6g]  %s\n", o.name, o.integer ? "integer" : "number",
                   o.def, o.min, o.max, o.help);
        }
        *help_shown = 1;
        return CLI_OK;
    }
    if (strlen(text) >= sizeof a->algo_kv_buf) {
        cli_error("search: --algo-opt is too long");
        return CLI_USAGE;
    }
    snprintf(a->algo_kv_buf, sizeof a->algo_kv_buf, "%s", text);
    const char *names[64];
    for (int32_t i = 0; i < n && i < 64; i++) {
        pesim_algo_option_info o;
        pesim_algo_option_info_get(a->algo, i, &o);
        names[i] = o.name;
    }
    for (char *p = a->algo_kv_buf; p && *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (a->n_algo_kv == SEARCH_MAX_ALGO_OPTS) {
            cli_error("search: more than %d --algo-opt settings", SEARCH_MAX_ALGO_OPTS);
            return CLI_USAGE;
        }
        char *eq = strchr(p, '=');
        size_t klen = eq ? (size_t)(eq - p) : strlen(p);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(klen < sizeof key ? klen : sizeof key - 1), p);
        int known = 0;
        for (int32_t i = 0; i < n && i < 64; i++)
            known |= strcmp(names[i], key) == 0;
        if (!known) {
            const char *close[CLI_SUGGEST_MAX];
            size_t k = cli_suggest(key, names, (size_t)(n < 64 ? n : 64), close, 3);
            char hint[256] = "";
            for (int32_t i = 0; !k && i < n && i < 64; i++) /* or one that starts the same ("pop...") */
                if (strlen(key) >= 3 && strncmp(names[i], key, 3) == 0)
                    close[k++] = names[i];
            if (k)
                snprintf(hint, sizeof hint, "; did you mean '%s'?", close[0]);
            cli_error("search: --algo-opt: algorithm '%s' has no option '%s'%s (--algo-opt help lists them)", a->algo,
                      key, hint);
            return CLI_USAGE;
        }
        if (!eq) {
            cli_error("search: --algo-opt %s: expected key=value", p);
            return CLI_USAGE;
        }
        a->algo_kv[a->n_algo_kv++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return cli_search_learned_opts(a);
}

/* --agents (marl) becomes "agents=K" after the --algo-opt settings;
 * --policy-in needs a learned algorithm. */
static int cli_search_learned_opts(search_args *a)
{
    int learned = strcmp(a->algo, "rl") == 0 || strcmp(a->algo, "marl") == 0;
    if (a->policy_in && !learned) {
        cli_error("search: --policy-in is for the learned algorithms (rl, marl), not '%s'", a->algo);
        return CLI_USAGE;
    }
    if (!a->agents)
        return CLI_OK;
    if (strcmp(a->algo, "marl") != 0) {
        cli_error("search: --agents is for --algo marl, not '%s'", a->algo);
        return CLI_USAGE;
    }
    char *end = NULL;
    long k = strcmp(a->agents, "auto") == 0 ? 0 : strtol(a->agents, &end, 10);
    if (strcmp(a->agents, "auto") != 0 && (!end || *end || end == a->agents || k < 1 || k > 100000)) {
        cli_error("search: --agents %s: expected a count in [1, 100000] or 'auto'", a->agents);
        return CLI_USAGE;
    }
    if (a->n_algo_kv == SEARCH_MAX_ALGO_OPTS) {
        cli_error("search: more than %d --algo-opt settings", SEARCH_MAX_ALGO_OPTS);
        return CLI_USAGE;
    }
    snprintf(a->agents_kv, sizeof a->agents_kv, "agents=%ld", k);
    a->algo_kv[a->n_algo_kv++] = a->agents_kv;
    return CLI_OK;
}

/* pesim_algo_record's pair "policy_in_fnv1a64" into the layer's report. */
static pesim_status take_policy_hash(void *ctx, const char *key, const char *value, pesim_error *e)
{
    (void)e;
    search_layer *out = ctx;
    if (strcmp(key, "policy_in_fnv1a64") == 0)
        snprintf(out->policy_fnv1a64, sizeof out->policy_fnv1a64, "%.*s", (int)sizeof out->policy_fnv1a64 - 1,
                 value);
    return PESIM_OK;
}

/* The learned algorithms' outputs next to the convergence CSV: the policy
 * (DIR/<stem>.policy, pesim_algo_save_policy) and what they learned of the
 * space (DIR/<stem>.agents.txt: marl's clustering), which is also printed;
 * the policy the search started from, with its hash, for the JSON report. */
static int write_learned(const search_args *a, pesim_campaign *c, const search_spec *spec, search_layer *out)
{
    pesim_algo *al = pesim_campaign_algo(c);
    if (strcmp(a->algo, "rl") != 0 && strcmp(a->algo, "marl") != 0)
        return CLI_OK;
    if (a->policy_in) {
        out->policy_in = a->policy_in;
        pesim_algo_record(al, take_policy_hash, out, NULL);
    }
    char path[SEARCH_PATH_MAX + 16];
    pesim_error e;
    pesim_error_clear(&e);
    char desc[16384];
    if (pesim_algo_describe_state(al, desc, sizeof desc) > 0) {
        snprintf(path, sizeof path, "%s/%s.agents.txt", a->out_dir, spec->stem);
        FILE *f = fopen(path, "w");
        if (!f || fputs(desc, f) < 0 || fclose(f) != 0) {
            cli_error("%s: cannot write: %s", path, strerror(errno));
            return CLI_FAIL;
        }
        printf("%s: %s", spec->name, desc);
    }
    snprintf(path, sizeof path, "%s/%s.policy", a->out_dir, spec->stem);
    pesim_status st = pesim_algo_save_policy(al, path, &e);
    if (st != PESIM_OK && st != PESIM_ERR_INVALID) { /* INVALID: no policy yet (marl inside its warm-up) */
        cli_report(&e, path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* ----------------------------------------------------- the campaign */

/* The per-batch state of a search (the campaign's callback). */
typedef struct run_ctx {
    search_progress *prog;
    search_layer *out;
    FILE *csv;
    double best;                   /* running best objective, for the CSV */
    int found;
} run_ctx;

void cli_search_csv_row(FILE *f, int64_t sample, const pesim_result *r, int found, double best)
{
    cli_csv_int(f, sample);
    fputc(',', f);
    cli_csv_int(f, r->valid ? 1 : 0);
    fputc(',', f);
    if (r->valid)
        cli_csv_double(f, r->objective);
    fputc(',', f);
    if (found)
        cli_csv_double(f, best);
    fputc(',', f);
    if (r->valid)
        cli_csv_int(f, r->cycles);
    fputc(',', f);
    if (r->valid)
        cli_csv_double(f, r->energy_pj);
    fputc(',', f);
    cli_csv_field(f, r->valid ? NULL : pesim_violation_name(r->violation.kind));
    fputc(',', f);
    cli_csv_field(f, r->valid ? NULL : r->reason);
    fputc('\n', f);
}

void cli_search_progress_show(search_progress *p, const char *name, int64_t samples, int found, double best,
                              int force)
{
    if (!p->line.on)
        return;
    double now = now_s(), dt = now - p->t0;
    if (dt < p->line.delay_s || (!force && now - p->shown_at < 0.1))
        return;
    p->shown_at = now;
    int64_t done = p->before + samples;
    if (p->jobs > 0) { /* whole searches on MPI workers, in completion order */
        fprintf(stderr, "\r\033[Kpesim: search: %d of %d searches done", (int)p->jobs_done,
                (int)p->jobs);
        if (p->seed_of > 1)
            fprintf(stderr, ", %d of %d seeds", (int)p->seeds_done, (int)p->seed_of);
        fprintf(stderr, " (last: %s", name);
        if (p->seed_of > 1)
            fprintf(stderr, ", seed %llu", (unsigned long long)p->seed);
        fputc(')', stderr);
    } else {
        fprintf(stderr, "\r\033[Kpesim: search %s", name);
        if (p->seed_of > 1)
            fprintf(stderr, " (seed %llu, %d of %d)", (unsigned long long)p->seed, (int)p->seed_nth,
                    (int)p->seed_of);
        if (p->of > 1)
            fprintf(stderr, " (layer %d of %d)", (int)p->nth, (int)p->of);
    }
    fprintf(stderr, ": %lld/%lld samples", (long long)done, (long long)p->total);
    if (p->fresh > 0 && dt > 0) {
        double rate = (double)p->fresh / dt;
        fprintf(stderr, ", %.0f/s, ETA %.0f s", rate, (double)(p->total - done) / rate);
    }
    if (found)
        fprintf(stderr, ", best %.4g", best);
    else if (p->jobs == 0)
        fputs(", nothing valid yet", stderr);
    fflush(stderr);
    p->line.shown = 1;
}

static int on_batch(void *ctx, const pesim_campaign_batch *b)
{
    run_ctx *c = ctx;
    for (int32_t i = 0; i < b->n; i++) {
        const pesim_result *r = &b->results[i];
        if (r->valid && (!c->found || r->objective < c->best))
            c->found = 1, c->best = r->objective;
        cli_search_csv_row(c->csv, b->first + i, r, c->found, c->best);
    }
    fflush(c->csv);
    c->prog->fresh += b->n - b->replayed;
    cli_search_progress_show(c->prog, c->out->name, b->first + b->n, c->found, c->best, 0);
    return 0;
}

void cli_search_campaign_options(const search_args *a, const pesim_eval_options *eval, const char *label,
                                 const char *config, pesim_campaign_options *co)
{
    memset(co, 0, sizeof *co);
    co->algo = a->algo;
    co->algo_opt.kv = a->algo_kv;
    co->algo_opt.n_kv = a->n_algo_kv;
    co->seed = a->seed;
    co->budget = a->budget;
    co->batch = a->batch;
    co->fidelity = a->fidelity;
    co->eval = *eval;
    co->eval.threads = a->threads;
    co->mode = a->mode;
    co->label = label;
    co->config = config;
    co->by_seed = a->by_seed;
}

int cli_search_space(const search_args *a, pesim_space *sp, const search_spec *spec, pesim_store *st,
                     search_progress *prog, search_layer *out, int32_t *best_x)
{
    memset(out, 0, sizeof *out);
    out->layer = spec->layer;
    out->name = spec->name;
    out->best_sample = -1;
    pesim_error e;
    pesim_error_clear(&e);
    int rc = CLI_OK;
    const int32_t np = pesim_space_n_params(sp);

    pesim_campaign_options co;
    cli_search_campaign_options(a, &spec->eval, spec->label, spec->config, &co);
    co.stop = (const volatile int *)&cli_search_stop;
    pesim_campaign *c = NULL;
    if (pesim_campaign_create(sp, st, &co, &c, &e) != PESIM_OK) {
        if (e.file[0])
            cli_report(&e, NULL);
        else if (spec->layer)
            cli_error("search: layer '%s': %s", spec->name, e.msg);
        else
            cli_error("search: %s: %s", spec->name, e.msg);
        rc = e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_IO ? CLI_FAIL : CLI_USAGE;
        return rc;
    }
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.prog = prog;
    ctx.out = out;
    char csv_name[SEARCH_PATH_MAX];
    if (snprintf(csv_name, sizeof csv_name, "%s/%s.csv", a->out_dir, spec->stem) >= (int)sizeof csv_name) {
        cli_error("%s: path too long", a->out_dir);
        pesim_campaign_destroy(c);
        return CLI_USAGE;
    }
    snprintf(out->csv_file, sizeof out->csv_file, "%s", csv_name);
    ctx.csv = fopen(out->csv_file, "w");
    if (!ctx.csv) {
        cli_error("%s: cannot write: %s", out->csv_file, strerror(errno));
        pesim_campaign_destroy(c);
        return CLI_USAGE;
    }
    fputs(CLI_SEARCH_CSV_HEADER, ctx.csv);
    pesim_campaign_set_callback(c, on_batch, &ctx);
    if (a->policy_in && pesim_algo_load_policy(pesim_campaign_algo(c), a->policy_in, &e) != PESIM_OK) {
        cli_report(&e, a->policy_in);
        fclose(ctx.csv);
        pesim_campaign_destroy(c);
        return e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    cli_eval_step step; /* the MPI worker ranks, when there are any */
    if ((rc = cli_eval_step_open("search", &step, pesim_campaign_evaluator(c), sp, spec->recipe, &co.eval)) != CLI_OK) {
        fclose(ctx.csv);
        pesim_campaign_destroy(c);
        return rc;
    }
    pesim_campaign_set_evaluate(c, step.fn, step.ctx);
    pesim_status rs = pesim_campaign_run(c, &e);
    out->worker_evals = pesim_mpi_farm_get_stats(step.farm).candidates;
    cli_eval_step_close(&step);
    const pesim_campaign_report *rep = pesim_campaign_get_report(c);
    out->run_id = rep->run_id;
    out->found = rep->found;
    out->best = rep->best;
    out->best_sample = rep->best_sample;
    out->samples = rep->samples;
    out->valid = rep->valid;
    out->replayed = rep->replayed;
    out->algo_done = rep->algo_done;
    out->interrupted = rep->stopped;
    out->wall_s = rep->wall_s;
    out->predictions = rep->predictions;
    if (rep->found)
        memcpy(best_x, pesim_campaign_best_choices(c), (size_t)(np > 0 ? np : 0) * sizeof *best_x);
    if (rs != PESIM_OK) {
        cli_report(&e, pesim_store_path(st));
        rc = e.code == PESIM_ERR_INVALID ? CLI_USAGE : CLI_FAIL;
    }
    if (rc == CLI_OK)
        rc = write_learned(a, c, spec, out);
    prog->before += out->samples;
    if (fclose(ctx.csv) != 0 && rc == CLI_OK) {
        cli_error("%s: write error", out->csv_file);
        rc = CLI_FAIL;
    }
    pesim_campaign_destroy(c);
    return rc;
}

int cli_search_write_best(const search_args *a, pesim_space *sp, const pesim_arch *arch, const int32_t *best_x,
                          const char *stem, search_layer *out)
{
    pesim_design d;
    char reason[PESIM_REASON_MAX] = "";
    if (!pesim_space_decode(sp, best_x, &d, reason, sizeof reason) || d.n_layers < 1) {
        cli_error("search: %s: the best candidate does not decode (%s)", out->layer->name, reason);
        return CLI_FAIL;
    }
    if (snprintf(out->mapping_file, sizeof out->mapping_file, "%s/%s.cfg", a->out_dir, stem) >=
        (int)sizeof out->mapping_file) {
        cli_error("%s: path too long", a->out_dir);
        out->mapping_file[0] = '\0';
        return CLI_USAGE;
    }
    pesim_error e;
    pesim_error_clear(&e);
    pesim_mapping_canonical(arch, out->layer, &d.mappings[0]); /* what search writes is canonical */
    if (pesim_mapping_write(out->mapping_file, &d.mappings[0], arch, out->layer->name, &e) != PESIM_OK) {
        cli_report(&e, out->mapping_file);
        out->mapping_file[0] = '\0';
        return CLI_FAIL;
    }
    return CLI_OK;
}

void cli_search_layer_config(const search_args *a, const pesim_layer *l, char *buf, size_t n)
{
    snprintf(buf, n,
             "pesim search --arch %s --workload %s --layer %s --algo %s --budget %lld --seed %llu "
             "--objective %s --eval %s --batch %d --threads %d%s%s",
             a->arch_path, a->workload_path, l->name, a->algo, (long long)a->budget, (unsigned long long)a->seed,
             pesim_objective_name(a->objective), pesim_fidelity_name(a->fidelity), (int)a->batch, (int)a->threads,
             a->algo_opt_text ? " --algo-opt " : "", a->algo_opt_text ? a->algo_opt_text : "");
}

int cli_search_layer(const search_args *a, const pesim_arch *arch, const pesim_layer *l, pesim_store *st,
                     cli_names *names, search_progress *prog, search_layer *out)
{
    pesim_error e;
    pesim_error_clear(&e);
    memset(out, 0, sizeof *out);
    out->layer = l;
    out->name = l->name;
    out->best_sample = -1;
    char stem[96];
    if (cli_names_stem(names, l->name, stem, sizeof stem) != 0) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    pesim_space *sp = NULL;
    if (pesim_space_mapping_opt(arch, l, &a->encoding, &sp, &e) != PESIM_OK) {
        cli_report(&e, a->arch_path);
        return CLI_USAGE;
    }
    char config[1024];
    cli_search_layer_config(a, l, config, sizeof config);
    search_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.layer = l;
    spec.name = l->name;
    spec.label = l->name;
    spec.stem = stem;
    spec.config = config;
    spec.eval.objective = a->objective;
    char recipe[4 * SEARCH_PATH_MAX];
    const char *rf[] = {a->arch_path, a->workload_path, l->name, a->encoding_text};
    spec.recipe = cli_mpi_recipe(recipe, sizeof recipe, "mapping", rf, 4) == 0 ? recipe : NULL;
    int32_t *best_x = malloc((size_t)(pesim_space_n_params(sp) > 0 ? pesim_space_n_params(sp) : 1) * sizeof *best_x);
    int rc;
    if (!best_x) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    } else {
        rc = cli_search_space(a, sp, &spec, st, prog, out, best_x);
        if (rc == CLI_OK && out->found)
            rc = cli_search_write_best(a, sp, arch, best_x, stem, out);
    }
    free(best_x);
    pesim_space_destroy(sp);
    return rc;
}
