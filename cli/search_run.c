/* cli/search_run.c - one search of a space, and one layer's mapping search
 * on top of it (see search_run.h).
 *
 * The loop, per batch: ask the algorithm for up to --batch candidates; take
 * the results of those the store already has (a resumed run: they must be
 * the very candidates stored, in order), evaluate the others, record them in
 * the store in one transaction, then tell the algorithm every result in ask
 * order. A run is thus a function of (algorithm, seed, batch, space): a
 * resumed run asks exactly what the killed one asked, and no completed
 * evaluation is lost (it is in the store) or repeated (it is replayed).
 * SIGINT is checked between batches. POSIX: clock_gettime. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/config.h"

#include "cli.h"
#include "output.h"
#include "paths.h"
#include "progress.h"
#include "search_run.h"

volatile sig_atomic_t cli_search_stop = 0;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The stored evaluations of a resumed run, in sample order. */
typedef struct replay_buf {
    int32_t n_params;
    int64_t n, cap;
    int32_t *choices;
    pesim_result *r;
    int64_t gap;                   /* first sample out of order, -1: none */
    int nomem;
} replay_buf;

static void replay_cb(void *ctx, int64_t sample, const int32_t *choices, const pesim_result *r)
{
    replay_buf *b = ctx;
    if (b->nomem || b->gap >= 0)
        return;
    if (sample != b->n) {
        b->gap = b->n;
        return;
    }
    if (b->n == b->cap) {
        int64_t cap = b->cap ? 2 * b->cap : 256;
        int32_t *c = realloc(b->choices, (size_t)cap * (size_t)b->n_params * sizeof *c);
        if (c)
            b->choices = c;
        pesim_result *rr = c ? realloc(b->r, (size_t)cap * sizeof *rr) : NULL;
        if (!c || !rr) {
            b->nomem = 1;
            return;
        }
        b->r = rr;
        b->cap = cap;
    }
    memcpy(b->choices + (size_t)b->n * (size_t)b->n_params, choices, (size_t)b->n_params * sizeof *choices);
    b->r[b->n++] = *r;
}

/* "dir/<layer>.csv", the name made safe as the mapping's is. */
static int csv_path(const char *dir, const char *name, char *buf, size_t n)
{
    if (cli_cfg_path(dir, name, buf, n) != 0)
        return -1;
    size_t len = strlen(buf);          /* ends in ".cfg" */
    memcpy(buf + len - 4, ".csv", 4);
    return 0;
}

void cli_search_progress_start(search_progress *p, int64_t budget, int32_t layers)
{
    memset(p, 0, sizeof *p);
    cli_progress_start(&p->line, "search", budget * layers);
    p->t0 = now_s();
    p->total = budget * layers;
}

/* The progress line: samples, rate, best so far, ETA (terminal only; from
 * the first second on, at most ten times a second). */
static void show_progress(search_progress *p, const search_layer *o)
{
    if (!p->line.on)
        return;
    double now = now_s(), dt = now - p->t0;
    if (dt < 1.0 || now - p->shown_at < 0.1)
        return;
    p->shown_at = now;
    int64_t done = p->before + o->samples;
    fprintf(stderr, "\r\033[Kpesim: search %s", o->name);
    if (p->of > 1)
        fprintf(stderr, " (layer %d of %d)", (int)p->nth, (int)p->of);
    fprintf(stderr, ": %lld/%lld samples", (long long)done, (long long)p->total);
    if (p->fresh > 0) {
        double rate = (double)p->fresh / dt;
        fprintf(stderr, ", %.0f/s, ETA %.0f s", rate, (double)(p->total - done) / rate);
    }
    if (o->found)
        fprintf(stderr, ", best %.4g", o->best.objective);
    else
        fputs(", nothing valid yet", stderr);
    fflush(stderr);
    p->line.shown = 1;
}

static void csv_row(FILE *f, int64_t sample, const pesim_result *r, const search_layer *o)
{
    cli_csv_int(f, sample);
    fputc(',', f);
    cli_csv_int(f, r->valid ? 1 : 0);
    fputc(',', f);
    if (r->valid)
        cli_csv_double(f, r->objective);
    fputc(',', f);
    if (o->found)
        cli_csv_double(f, o->best.objective);
    fputc(',', f);
    if (r->valid)
        cli_csv_int(f, r->cycles);
    fputc(',', f);
    if (r->valid)
        cli_csv_double(f, r->energy_pj);
    fputc(',', f);
    cli_csv_field(f, r->valid ? NULL : r->reason);
    fputc('\n', f);
}

/* Writes the best candidate's mapping to out->mapping_file. */
static int write_best(const search_args *a, pesim_space *sp, const pesim_arch *arch, const int32_t *best_x,
                      search_layer *out)
{
    pesim_design d;
    char reason[PESIM_REASON_MAX] = "";
    if (!pesim_space_decode(sp, best_x, &d, reason, sizeof reason) || d.n_layers < 1) {
        cli_error("search: %s: the best candidate does not decode (%s)", out->layer->name, reason);
        return CLI_FAIL;
    }
    if (cli_cfg_path(a->out_dir, out->layer->name, out->mapping_file, sizeof out->mapping_file) != 0) {
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

int cli_search_layer(const search_args *a, const pesim_arch *arch, const pesim_layer *l, pesim_store *st,
                     search_progress *prog, search_layer *out)
{
    pesim_error e;
    pesim_error_clear(&e);
    pesim_space *sp = NULL;
    if (pesim_space_mapping(arch, l, &sp, &e) != PESIM_OK) {
        memset(out, 0, sizeof *out);
        out->layer = l;
        out->name = l->name;
        out->best_sample = -1;
        cli_report(&e, a->arch_path);
        return CLI_USAGE;
    }
    char config[1024];
    snprintf(config, sizeof config,
             "pesim search --arch %s --workload %s --layer %s --algo %s --budget %lld --seed %llu "
             "--objective %s --eval %s --batch %d --threads %d",
             a->arch_path, a->workload_path, l->name, a->algo, (long long)a->budget, (unsigned long long)a->seed,
             pesim_objective_name(a->objective), pesim_fidelity_name(a->fidelity), (int)a->batch, (int)a->threads);
    search_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.layer = l;
    spec.name = l->name;
    spec.csv_name = l->name;
    spec.config = config;
    spec.eval.objective = a->objective;
    int32_t *best_x = malloc((size_t)(pesim_space_n_params(sp) > 0 ? pesim_space_n_params(sp) : 1) * sizeof *best_x);
    int rc;
    if (!best_x) {
        memset(out, 0, sizeof *out);
        out->layer = l;
        out->name = l->name;
        cli_error("out of memory");
        rc = CLI_FAIL;
    } else {
        rc = cli_search_space(a, sp, &spec, st, prog, out, best_x);
        if (rc == CLI_OK && out->found)
            rc = write_best(a, sp, arch, best_x, out);
    }
    free(best_x);
    pesim_space_destroy(sp);
    return rc;
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
    pesim_evaluator *ev = NULL;
    pesim_algo *al = NULL;
    int32_t *x = NULL;
    pesim_result *r = NULL;
    replay_buf rb;
    memset(&rb, 0, sizeof rb);
    rb.gap = -1;
    FILE *csv = NULL;
    double t0 = now_s();
    int rc = CLI_OK;

    const int32_t np = pesim_space_n_params(sp);
    pesim_eval_options eo = spec->eval;
    eo.threads = a->threads;
    if (pesim_evaluator_create(sp, NULL, &eo, &ev, &e) != PESIM_OK) {
        cli_report(&e, NULL);
        rc = CLI_FAIL;
        goto done;
    }
    pesim_algo_options ao;
    memset(&ao, 0, sizeof ao);
    ao.batch = a->batch;
    ao.budget = a->budget;
    if (pesim_algo_create(a->algo, sp, a->seed, &ao, &al, &e) != PESIM_OK) {
        if (spec->layer)
            cli_error("search: layer '%s': %s", spec->name, e.msg);
        else
            cli_error("search: %s: %s", spec->name, e.msg);
        rc = e.code == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
        goto done;
    }

    /* The run in the store. --resume finds it by algorithm, seed and "space"
     * key, which is the space's description followed by every other option
     * that changes the candidates or their results (objective, evaluator,
     * batch, and the caller's extra: budgets, weights): a run resumes only
     * with the options it was started with. */
    char key[1024];
    snprintf(key, sizeof key, "%s | objective=%s eval=%s batch=%d%s", pesim_space_describe(sp),
             pesim_objective_name(eo.objective), pesim_fidelity_name(a->fidelity), (int)a->batch,
             spec->key_extra ? spec->key_extra : "");
    int64_t stored = 0;
    if (pesim_store_begin_run(st, a->algo, key, a->seed, a->budget, spec->config, a->resume, &out->run_id, &stored,
                              &e) != PESIM_OK) {
        cli_report(&e, pesim_store_path(st));
        rc = CLI_USAGE;
        goto done;
    }
    if (stored > a->budget) {
        cli_error("%s: run %lld already has %lld evaluations, more than --budget %lld",
                  pesim_store_path(st), (long long)out->run_id, (long long)stored, (long long)a->budget);
        rc = CLI_USAGE;
        goto done;
    }
    if (stored > 0) {
        rb.n_params = np;
        if (pesim_store_replay(st, out->run_id, np, replay_cb, &rb, &e) != PESIM_OK) {
            cli_report(&e, pesim_store_path(st));
            rc = CLI_USAGE;
            goto done;
        }
        if (rb.nomem) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            goto done;
        }
        if (rb.gap >= 0 || rb.n != stored) {
            cli_error("%s: run %lld: the stored samples are not 0..%lld in order (sample %lld is missing)",
                      pesim_store_path(st), (long long)out->run_id, (long long)stored - 1,
                      (long long)(rb.gap >= 0 ? rb.gap : rb.n));
            rc = CLI_USAGE;
            goto done;
        }
    }

    if (csv_path(a->out_dir, spec->csv_name, out->csv_file, sizeof out->csv_file) != 0) {
        cli_error("%s: path too long", a->out_dir);
        rc = CLI_USAGE;
        goto done;
    }
    csv = fopen(out->csv_file, "w");
    if (!csv) {
        cli_error("%s: cannot write: %s", out->csv_file, strerror(errno));
        rc = CLI_USAGE;
        goto done;
    }
    fputs("sample,valid,objective,best_objective,cycles,energy_pj,reason\n", csv);

    x = malloc((size_t)a->batch * (size_t)(np > 0 ? np : 1) * sizeof *x);
    r = malloc((size_t)a->batch * sizeof *r);
    if (!x || !r) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }

    int64_t s = 0;
    while (s < a->budget) {
        if (cli_search_stop) {
            out->interrupted = 1;
            break;
        }
        int32_t want = (int32_t)(a->budget - s < a->batch ? a->budget - s : a->batch);
        int32_t k = pesim_algo_ask(al, x, want);
        if (k <= 0) {
            out->algo_done = 1;
            break;
        }
        int32_t from = 0;      /* candidates [0, from) are in the store */
        for (; from < k && s + from < stored; from++) {
            const int32_t *xs = rb.choices + (size_t)(s + from) * (size_t)np;
            if (memcmp(xs, x + (size_t)from * (size_t)np, (size_t)np * sizeof *x) != 0) {
                cli_error("%s: run %lld does not replay: sample %lld is not the candidate this search "
                          "proposes (a store written by another version of pesim?)",
                          pesim_store_path(st), (long long)out->run_id, (long long)(s + from));
                rc = CLI_USAGE;
                goto done;
            }
            r[from] = rb.r[s + from];
        }
        if (from < k) {
            pesim_status es = pesim_evaluator_run(ev, x + (size_t)from * (size_t)np, k - from, a->fidelity,
                                                  r + from);
            if (es != PESIM_OK) {
                cli_error("search: %s: the evaluator failed (%s)", spec->name, pesim_status_name(es));
                rc = CLI_FAIL;
                goto done;
            }
            if (pesim_store_add_batch(st, out->run_id, s + from, k - from, x + (size_t)from * (size_t)np, np,
                                      r + from, &e) != PESIM_OK) {
                cli_report(&e, pesim_store_path(st));
                rc = CLI_FAIL;
                goto done;
            }
            prog->fresh += k - from;
        }
        pesim_algo_tell(al, x, r, k);
        for (int32_t c = 0; c < k; c++) {
            if (r[c].valid) {
                out->valid++;
                if (!out->found || r[c].objective < out->best.objective) {
                    out->found = 1;
                    out->best = r[c];
                    out->best_sample = s + c;
                    memcpy(best_x, x + (size_t)c * (size_t)np, (size_t)np * sizeof *x);
                }
            }
            csv_row(csv, s + c, &r[c], out);
        }
        s += k;
        out->samples = s;
        out->replayed = s < stored ? s : stored;
        fflush(csv);
        show_progress(prog, out);
    }

done:
    prog->before += out->samples;
    out->wall_s = now_s() - t0;
    if (csv && fclose(csv) != 0 && rc == CLI_OK) {
        cli_error("%s: write error", out->csv_file);
        rc = CLI_FAIL;
    }
    free(rb.choices);
    free(rb.r);
    free(x);
    free(r);
    pesim_algo_destroy(al);
    pesim_evaluator_destroy(ev);
    return rc;
}
