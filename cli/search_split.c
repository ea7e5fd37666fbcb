/* cli/search_split.c - whole layer searches on MPI worker ranks (see
 * search_split.h).
 *
 * A job is a recipe text: "layer-search" arch workload layer encoding algo
 * algo-opt budget seed batch fidelity objective threads. The worker runs the
 * layer's campaign without a store and answers with a job_head, the
 * candidates (samples x n_params int32, padded to 8 bytes) and their results
 * (samples pesim_result), in sample order. A campaign is a function of its
 * options, so these are the evaluations the single process makes. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inputs.h"
#include "mpi_run.h"
#include "output.h"
#include "search_split.h"

#define JOB_FIELDS 12
#define STORE_ROWS 4096 /* evaluations per store transaction */

typedef struct job_head {
    int64_t samples, algo_done, n_params, predictions;
    double wall_s;
    char describe[PESIM_MPI_DESCRIBE_MAX];
} job_head;

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

int cli_distribute_parse(const char *s)
{
    if (!s || strcmp(s, "auto") == 0)
        return CLI_DISTRIBUTE_AUTO;
    if (strcmp(s, "batches") == 0)
        return CLI_DISTRIBUTE_BATCHES;
    if (strcmp(s, "searches") == 0)
        return CLI_DISTRIBUTE_SEARCHES;
    return -1;
}

int cli_search_split(const search_args *a, cli_distribute d, int32_t n_layers, int32_t n_seeds)
{
    int learned = strcmp(a->algo, "rl") == 0 || strcmp(a->algo, "marl") == 0 || a->policy_in;
    if (cli_mpi_workers() < 1 || learned || d == CLI_DISTRIBUTE_BATCHES)
        return 0;
    if (d == CLI_DISTRIBUTE_SEARCHES)
        return 1;
    int64_t jobs = (int64_t)n_layers * n_seeds;
    return jobs >= 2 && (a->fidelity == PESIM_FIDELITY_ANALYTICAL || (n_seeds > 1 && jobs >= cli_mpi_workers()));
}

/* ------------------------------------------------------------ worker */

/* Appends a batch's candidates and results to the growing arrays. */
typedef struct collect {
    int32_t np;
    int64_t n, cap;
    int32_t *x;
    pesim_result *r;
    int failed;
} collect;

static int on_batch(void *ctx, const pesim_campaign_batch *b)
{
    collect *c = ctx;
    if (c->n + b->n > c->cap) {
        int64_t cap = c->cap ? c->cap : 1024;
        while (cap < c->n + b->n)
            cap *= 2;
        int32_t *x = realloc(c->x, (size_t)cap * (size_t)(c->np > 0 ? c->np : 1) * sizeof *x);
        if (x)
            c->x = x;
        pesim_result *r = realloc(c->r, (size_t)cap * sizeof *r);
        if (r)
            c->r = r;
        if (!x || !r) {
            c->failed = 1;
            return 1;
        }
        c->cap = cap;
    }
    memcpy(c->x + (size_t)c->n * (size_t)c->np, b->choices, (size_t)b->n * (size_t)c->np * sizeof *c->x);
    memcpy(c->r + c->n, b->results, (size_t)b->n * sizeof *c->r);
    c->n += b->n;
    return 0;
}

pesim_status cli_search_layer_job(void *ctx, const char *job, void **data, size_t *bytes, pesim_error *e)
{
    (void)ctx;
    *data = NULL;
    *bytes = 0;
    size_t len = strlen(job);
    char *buf = malloc(len + 1);
    if (!buf)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
    memcpy(buf, job, len + 1);
    const char *f[JOB_FIELDS + 1] = {NULL};
    int nf = 0;
    for (char *p = buf; p && nf <= JOB_FIELDS;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        f[nf++] = p;
        p = nl ? nl + 1 : NULL;
    }
    pesim_status st = PESIM_OK;
    cli_inputs in;
    memset(&in, 0, sizeof in);
    pesim_space *sp = NULL;
    pesim_campaign *c = NULL;
    collect col;
    memset(&col, 0, sizeof col);
    search_args a;
    memset(&a, 0, sizeof a);
    if (nf != JOB_FIELDS + 1 || strcmp(f[0], "layer-search") != 0) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "unknown job '%.60s'", f[0] ? f[0] : "");
        goto out;
    }
    cli_input_args ia = {f[1][0] ? f[1] : NULL, f[2][0] ? f[2] : NULL, f[3], NULL};
    pesim_space_options enc;
    if ((st = pesim_space_options_parse(f[4][0] ? f[4] : NULL, &enc, e)) != PESIM_OK)
        goto out;
    if (cli_inputs_load("search", &ia, &in) != CLI_OK || in.only < 0) {
        char at[800];
        st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "could not load the inputs (%s, %s, layer %s) %s",
                             f[1], f[2], f[3], cli_mpi_where(at, sizeof at));
        goto out;
    }
    if ((st = pesim_space_mapping_opt(in.arch, &in.net.layers[in.only], &enc, &sp, e)) != PESIM_OK)
        goto out;
    a.algo = f[5];
    int help_shown = 0;
    if (cli_search_algo_opts(&a, f[6][0] ? f[6] : NULL, &help_shown) != CLI_OK || help_shown) {
        st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "bad --algo-opt %s", f[6]);
        goto out;
    }
    a.budget = strtoll(f[7], NULL, 10);
    a.seed = strtoull(f[8], NULL, 10);
    a.batch = (int32_t)strtol(f[9], NULL, 10);
    a.fidelity = (pesim_fidelity)pesim_fidelity_parse(f[10]);
    a.threads = (int32_t)strtol(f[12], NULL, 10);
    a.mode = PESIM_RUN_NEW;
    pesim_eval_options eo;
    memset(&eo, 0, sizeof eo);
    eo.objective = (pesim_objective)pesim_objective_parse(f[11]);
    pesim_campaign_options co;
    cli_search_campaign_options(&a, &eo, in.net.layers[in.only].name, NULL, &co);
    if ((st = pesim_campaign_create(sp, NULL, &co, &c, e)) != PESIM_OK)
        goto out;
    col.np = pesim_space_n_params(sp);
    pesim_campaign_set_callback(c, on_batch, &col);
    if ((st = pesim_campaign_run(c, e)) != PESIM_OK)
        goto out;
    if (col.failed) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
        goto out;
    }
    const pesim_campaign_report *rep = pesim_campaign_get_report(c);
    size_t xb = pad8((size_t)col.n * (size_t)col.np * sizeof(int32_t));
    size_t total = sizeof(job_head) + xb + (size_t)col.n * sizeof(pesim_result);
    char *d = calloc(total, 1);
    if (!d) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
        goto out;
    }
    job_head h;
    memset(&h, 0, sizeof h);
    h.samples = col.n;
    h.algo_done = rep->algo_done;
    h.n_params = col.np;
    h.predictions = rep->predictions;
    h.wall_s = rep->wall_s;
    snprintf(h.describe, sizeof h.describe, "%s", pesim_space_describe(sp));
    memcpy(d, &h, sizeof h);
    if (col.n > 0) {
        memcpy(d + sizeof h, col.x, (size_t)col.n * (size_t)col.np * sizeof(int32_t));
        memcpy(d + sizeof h + xb, col.r, (size_t)col.n * sizeof(pesim_result));
    }
    *data = d;
    *bytes = total;
out:
    pesim_campaign_destroy(c);
    pesim_space_destroy(sp);
    cli_inputs_free(&in);
    free(col.x);
    free(col.r);
    free(buf);
    return st;
}

/* ------------------------------------------------------------ rank 0 */

typedef struct split_layer {
    pesim_space *sp;
    int64_t stored;                /* evaluations the store already has (a resumed run) */
    int complete;                  /* the stored run has the whole budget: not searched again */
    char stem[96];
    char job[4 * SEARCH_PATH_MAX + 1024];
} split_layer;

typedef struct split {
    const search_args *as;         /* per seed */
    int32_t n;                     /* layers per seed: job j is layer j % n of seed j / n */
    const pesim_arch *arch;
    const pesim_layer *const *layers;
    pesim_store *st;
    search_progress *p;
    search_layer *out;
    split_layer *L;
    int cli_rc;                    /* the exit status of the first failure */
    const int32_t *job_of;         /* the search (index of out[]) of each job sent */
    int32_t *left;                 /* per seed: layers not done yet */
} split;

/* Layer i's search arrived: the store, the CSV, the best mapping, out[i]. */
static pesim_status layer_done(void *ctx, int32_t i, const void *data, size_t bytes, pesim_error *e)
{
    split *s = ctx;
    split_layer *L = &s->L[i];
    search_layer *out = &s->out[i];
    const search_args *a = &s->as[i / s->n];
    job_head h;
    const int32_t np = pesim_space_n_params(L->sp);
    s->cli_rc = CLI_FAIL;
    if (bytes < sizeof h)
        return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "a short answer for layer '%s'", out->name);
    memcpy(&h, data, sizeof h);
    h.describe[sizeof h.describe - 1] = '\0';
    size_t xb = pad8((size_t)h.samples * (size_t)(np > 0 ? np : 0) * sizeof(int32_t));
    if (h.n_params != np || strcmp(h.describe, pesim_space_describe(L->sp)) != 0) {
        s->cli_rc = CLI_USAGE;
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi",
                               "a worker built another space for layer '%s' (%.300s) than rank 0 (%.300s); do all "
                               "the ranks read the same files?",
                               out->name, h.describe, pesim_space_describe(L->sp));
    }
    if (h.samples < 0 || bytes != sizeof h + xb + (size_t)h.samples * sizeof(pesim_result))
        return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "mpi", "a malformed answer for layer '%s'", out->name);
    const int32_t *x = (const int32_t *)((const char *)data + sizeof h);
    pesim_result *r = malloc((size_t)(h.samples > 0 ? h.samples : 1) * sizeof *r);
    int32_t *best_x = malloc((size_t)(np > 0 ? np : 1) * sizeof *best_x);
    if (!r || !best_x) {
        free(r), free(best_x);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
    }
    if (h.samples > 0)
        memcpy(r, (const char *)data + sizeof h + xb, (size_t)h.samples * sizeof *r);
    pesim_status st = PESIM_OK;
    /* a resumed run: the worker's first evaluations must be the stored ones */
    if (L->stored > h.samples)
        L->stored = h.samples;
    if (s->st && L->stored > 0) {
        int32_t *sx = malloc((size_t)L->stored * (size_t)(np > 0 ? np : 1) * sizeof *sx);
        pesim_result *sr = malloc((size_t)L->stored * sizeof *sr);
        int32_t got = 0;
        if (!sx || !sr)
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
        else if ((st = pesim_store_read(s->st, out->run_id, 0, (int32_t)L->stored, np, sx, sr, &got, e)) == PESIM_OK &&
                 (got != L->stored || memcmp(sx, x, (size_t)got * (size_t)np * sizeof *sx) != 0))
            st = pesim_error_set(e, PESIM_ERR_INVALID, pesim_store_path(s->st), 0, NULL,
                                 "run %lld of '%s' does not replay: its stored samples are not the candidates this "
                                 "search proposes (a store written by another version of pesim?)",
                                 (long long)out->run_id, out->name);
        if (st == PESIM_OK)
            memcpy(r, sr, (size_t)got * sizeof *r); /* as a resumed campaign: the stored results */
        free(sx);
        free(sr);
        if (st != PESIM_OK)
            s->cli_rc = st == PESIM_ERR_INVALID ? CLI_USAGE : CLI_FAIL;
    }
    for (int64_t at = L->stored; st == PESIM_OK && s->st && at < h.samples; at += STORE_ROWS) {
        int32_t k = (int32_t)(h.samples - at < STORE_ROWS ? h.samples - at : STORE_ROWS);
        st = pesim_store_add_batch(s->st, out->run_id, at, k, x + (size_t)at * (size_t)np, np, r + at, e);
    }
    /* the convergence CSV and the best (the first of the lowest objective) */
    FILE *csv = NULL;
    if (st == PESIM_OK && !(csv = fopen(out->csv_file, "w")))
        st = pesim_error_set(e, PESIM_ERR_IO, out->csv_file, 0, NULL, "cannot write");
    if (csv)
        fputs(CLI_SEARCH_CSV_HEADER, csv);
    for (int64_t k = 0; st == PESIM_OK && k < h.samples; k++) {
        if (r[k].valid) {
            out->valid++;
            if (!out->found || r[k].objective < out->best.objective) {
                out->found = 1;
                out->best = r[k];
                out->best_sample = k;
                memcpy(best_x, x + (size_t)k * (size_t)np, (size_t)np * sizeof *best_x);
            }
        }
        cli_search_csv_row(csv, k, &r[k], out->found, out->best.objective);
    }
    if (csv && fclose(csv) != 0 && st == PESIM_OK)
        st = pesim_error_set(e, PESIM_ERR_IO, out->csv_file, 0, NULL, "write error");
    out->samples = h.samples;
    out->replayed = L->stored;
    out->algo_done = (int)h.algo_done;
    out->worker_evals = L->complete ? 0 : h.samples;
    out->wall_s = h.wall_s;
    out->predictions = h.predictions;
    s->p->before += h.samples;
    s->p->fresh += h.samples - L->stored;
    s->p->jobs_done++;
    s->p->seed = a->seed;
    if (--s->left[i / s->n] == 0)
        s->p->seeds_done++;
    cli_search_progress_show(s->p, out->name, 0, 0, 0.0, 1);
    if (st == PESIM_OK && out->found) {
        int rc = cli_search_write_best(a, L->sp, s->arch, best_x, L->stem, out);
        if (rc != CLI_OK) {
            s->cli_rc = rc;
            st = pesim_error_set(e, PESIM_ERR_IO, NULL, 0, NULL, "%s", ""); /* already reported */
        }
    }
    free(r);
    free(best_x);
    if (st == PESIM_OK)
        s->cli_rc = CLI_OK;
    return st;
}

/* Job k of those sent to the workers arrived. */
static pesim_status sent_done(void *ctx, int32_t k, const void *data, size_t bytes, pesim_error *e)
{
    split *s = ctx;
    return layer_done(s, s->job_of[k], data, bytes, e);
}

/* A complete stored run (L->complete): its evaluations read back from the
 * store as a worker's answer, so that layer_done writes its outputs. */
static pesim_status from_store(split *s, int32_t i, pesim_error *e)
{
    split_layer *L = &s->L[i];
    const int32_t np = pesim_space_n_params(L->sp);
    size_t xb = pad8((size_t)L->stored * (size_t)np * sizeof(int32_t));
    size_t total = sizeof(job_head) + xb + (size_t)L->stored * sizeof(pesim_result);
    char *d = calloc(total, 1);
    if (!d)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
    job_head h;
    memset(&h, 0, sizeof h);
    h.samples = L->stored;
    h.n_params = np;
    snprintf(h.describe, sizeof h.describe, "%s", pesim_space_describe(L->sp));
    memcpy(d, &h, sizeof h);
    int32_t got = 0;
    pesim_status st = pesim_store_read(s->st, s->out[i].run_id, 0, (int32_t)L->stored, np,
                                       (int32_t *)(void *)(d + sizeof h), (pesim_result *)(void *)(d + sizeof h + xb),
                                       &got, e);
    if (st == PESIM_OK && got != L->stored)
        st = pesim_error_set(e, PESIM_ERR_INVALID, pesim_store_path(s->st), 0, NULL,
                             "run %lld of '%s' lost samples while it was read", (long long)s->out[i].run_id,
                             s->out[i].name);
    if (st == PESIM_OK)
        st = layer_done(s, i, d, total, e);
    free(d);
    return st;
}

int cli_search_layers_split(const search_args *as, int32_t n_seeds, const pesim_arch *arch,
                            const pesim_layer *const *layers, int32_t n, pesim_store *st, cli_names *names,
                            search_progress *p, search_layer *out, int32_t *done)
{
    *done = 0;
    const int32_t n_jobs = n * n_seeds;
    split s;
    memset(&s, 0, sizeof s);
    s.as = as, s.n = n, s.arch = arch, s.layers = layers, s.st = st, s.p = p, s.out = out;
    s.L = calloc((size_t)(n_jobs > 0 ? n_jobs : 1), sizeof *s.L);
    const char **jobs = calloc((size_t)(n_jobs > 0 ? n_jobs : 1), sizeof *jobs);
    int32_t *job_of = calloc((size_t)(n_jobs > 0 ? n_jobs : 1), sizeof *job_of);
    s.left = calloc((size_t)(n_seeds > 0 ? n_seeds : 1), sizeof *s.left);
    int rc = CLI_OK;
    pesim_error e;
    pesim_error_clear(&e);
    for (int32_t k = 0; s.left && k < n_seeds; k++)
        s.left[k] = n;
    if (!s.L || !jobs || !job_of || !s.left) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto out;
    }
    /* The runs are settled in seed order, then layer order (the run ids of
     * one process). */
    int32_t n_send = 0;
    for (int32_t j = 0; j < n_jobs && rc == CLI_OK; j++) {
        const search_args *a = &as[j / n];
        const pesim_layer *l = layers[j % n];
        split_layer *L = &s.L[j];
        memset(&out[j], 0, sizeof out[j]);
        out[j].layer = l;
        out[j].name = l->name;
        out[j].best_sample = -1;
        if (j < n) {
            if (cli_names_stem(names, l->name, L->stem, sizeof L->stem) != 0) {
                cli_error("out of memory");
                rc = CLI_FAIL;
                break;
            }
        } else {
            memcpy(L->stem, s.L[j % n].stem, sizeof L->stem); /* each seed's own directory */
        }
        if (snprintf(out[j].csv_file, sizeof out[j].csv_file, "%s/%s.csv", a->out_dir, L->stem) >=
            (int)sizeof out[j].csv_file) {
            cli_error("%s: path too long", a->out_dir);
            rc = CLI_USAGE;
            break;
        }
        if (pesim_space_mapping_opt(arch, l, &a->encoding, &L->sp, &e) != PESIM_OK) {
            cli_report(&e, a->arch_path);
            rc = CLI_USAGE;
            break;
        }
        char budget[32], seed[32], batch[32], threads[32];
        snprintf(budget, sizeof budget, "%lld", (long long)a->budget);
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)a->seed);
        snprintf(batch, sizeof batch, "%d", (int)a->batch);
        snprintf(threads, sizeof threads, "%d", (int)a->threads);
        const char *jf[] = {a->arch_path, a->workload_path, l->name, a->encoding_text, a->algo, a->algo_opt_text,
                            budget, seed, batch, pesim_fidelity_name(a->fidelity), pesim_objective_name(a->objective),
                            threads};
        if (cli_mpi_recipe(L->job, sizeof L->job, "layer-search", jf, JOB_FIELDS) != 0) {
            cli_error("search: %s: the paths are too long for the MPI workers", l->name);
            rc = CLI_USAGE;
            break;
        }
        if (st) {
            pesim_eval_options eo; /* as cli_search_layer's */
            memset(&eo, 0, sizeof eo);
            eo.objective = a->objective;
            char config[1024];
            cli_search_layer_config(a, l, config, sizeof config);
            pesim_campaign_options co;
            cli_search_campaign_options(a, &eo, l->name, config, &co);
            co.eval.threads = 1; /* only settles the run */
            pesim_campaign *c = NULL;
            if (pesim_campaign_create(L->sp, st, &co, &c, &e) != PESIM_OK) {
                if (e.file[0])
                    cli_report(&e, NULL);
                else
                    cli_error("search: layer '%s': %s", l->name, e.msg);
                rc = e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_IO ? CLI_FAIL : CLI_USAGE;
                break;
            }
            const pesim_campaign_report *rep = pesim_campaign_get_report(c);
            out[j].run_id = rep->run_id;
            if (rep->resumed) {
                pesim_run_info have;
                int found = 0;
                pesim_status fs =
                    a->by_seed ? pesim_store_find_run_seed(st, l->name, pesim_space_describe(L->sp), a->seed, &have,
                                                           &found, &e)
                               : pesim_store_find_run(st, l->name, pesim_space_describe(L->sp), &have, &found, &e);
                if (fs != PESIM_OK) {
                    cli_report(&e, pesim_store_path(st));
                    rc = CLI_FAIL;
                }
                L->stored = found ? have.samples : 0;
                L->complete = L->stored == a->budget;
            }
            pesim_campaign_destroy(c);
        }
        if (!L->complete) {
            job_of[n_send] = j;
            jobs[n_send++] = L->job;
        }
    }
    p->jobs = n_jobs;
    /* The complete runs come from the store; the others from the workers. */
    for (int32_t j = 0; j < n_jobs && rc == CLI_OK; j++) {
        if (!s.L[j].complete)
            continue;
        s.cli_rc = CLI_OK;
        if (from_store(&s, j, &e) != PESIM_OK) {
            rc = s.cli_rc != CLI_OK ? s.cli_rc : CLI_FAIL;
            if (e.file[0])
                cli_report(&e, NULL);
            else if (e.msg[0])
                cli_error("search: %s", e.msg);
        }
    }
    if (rc == CLI_OK) {
        s.cli_rc = CLI_OK;
        s.job_of = job_of;
        if (pesim_mpi_jobs(n_send, jobs, sent_done, &s, &e) != PESIM_OK) {
            rc = s.cli_rc != CLI_OK ? s.cli_rc : e.code == PESIM_ERR_INVALID ? CLI_USAGE : CLI_FAIL;
            if (e.file[0])
                cli_report(&e, NULL);
            else if (e.msg[0])
                cli_error("search: %s", e.msg);
        } else {
            *done = n_jobs;
        }
    }
out:
    for (int32_t j = 0; s.L && j < n_jobs; j++)
        pesim_space_destroy(s.L[j].sp);
    free(s.L);
    free(jobs);
    free(job_of);
    free(s.left);
    return rc;
}
