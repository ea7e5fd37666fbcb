/* campaign.c - the campaign loop (pesim/search.h "the campaign loop";
 * docs/search.md "The campaign loop"): ask, replay check, evaluate, store,
 * tell, callback, per batch; the run settled in the store (new, resumed,
 * refused) before anything is evaluated.
 *
 * The serial part of a batch is the algorithm's ask and tell, the replay
 * comparison and a copy into the store's queue; the evaluation runs on the
 * evaluator's threads, and the store's writer thread commits the previous
 * batch meanwhile. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/search.h"

#define READ_AHEAD 4096 /* stored samples read per query while replaying */

struct pesim_campaign {
    pesim_space *s;
    pesim_store *st;
    pesim_campaign_options o;
    char label[128];
    int32_t np;
    pesim_evaluator *ev;
    pesim_algo *al;
    pesim_eval_fn eval;
    void *eval_ctx;
    pesim_campaign_fn cb;
    void *cb_ctx;
    int64_t stored;           /* samples the run had in the store when it was settled */
    pesim_campaign_report rep;
    int32_t *best_x;
    /* replay read-ahead: stored samples [ra_first, ra_first + ra_n) */
    int64_t ra_first;
    int32_t ra_n;
    int32_t *ra_x;
    pesim_result *ra_r;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The built-in evaluation step. */
static pesim_status eval_builtin(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    return pesim_evaluator_run((pesim_evaluator *)ctx, choices, n, f, out);
}

/* The algorithm's predictor: the campaign's evaluator, outside the budget. */
static pesim_status predict(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out,
                            pesim_cost *costs)
{
    pesim_campaign *c = ctx;
    c->rep.predictions += n;
    return costs ? pesim_evaluator_run_detail(c->ev, choices, n, f, out, costs)
                 : pesim_evaluator_run(c->ev, choices, n, f, out);
}

/* The evaluation options that change results, as text (weights, budgets). */
static void eval_key(const pesim_eval_options *o, char *buf, size_t n)
{
    snprintf(buf, n, "weights=%.17g,%.17g,%.17g area_budget_um2=%.17g power_budget_mw=%.17g", o->w_latency,
             o->w_energy, o->w_area, o->area_budget_um2, o->power_budget_mw);
}

/* Equal option texts. Stores written before pesim_run_info.algo_options
 * held 2048 characters kept 511: a stored text of exactly 511 is compared
 * as a prefix (egrl's options are longer), so those runs still resume. */
static int same_options(const char *want, const char *have)
{
    size_t h = strlen(have);
    return h == 511 ? strncmp(want, have, h) == 0 : strcmp(want, have) == 0;
}

/* What a resume needs to match, compared field by field. */
static pesim_status compare_run(const char *path, const pesim_run_info *want, const pesim_run_info *have,
                                pesim_error *e)
{
    char a[sizeof want->algo_options], b[sizeof want->algo_options];
    const char *what = NULL;
    if (strcmp(want->algo, have->algo) != 0) {
        what = "--algo";
        snprintf(a, sizeof a, "%s", have->algo), snprintf(b, sizeof b, "%s", want->algo);
    } else if (want->seed != have->seed) {
        what = "--seed";
        snprintf(a, sizeof a, "%" PRIu64, have->seed), snprintf(b, sizeof b, "%" PRIu64, want->seed);
    } else if (strcmp(want->objective, have->objective) != 0) {
        what = "--objective";
        snprintf(a, sizeof a, "%s", have->objective), snprintf(b, sizeof b, "%s", want->objective);
    } else if (want->batch != have->batch) {
        what = "--batch";
        snprintf(a, sizeof a, "%d", (int)have->batch), snprintf(b, sizeof b, "%d", (int)want->batch);
    } else if (strcmp(want->fidelity, have->fidelity) != 0) {
        what = "--eval";
        snprintf(a, sizeof a, "%s", have->fidelity), snprintf(b, sizeof b, "%s", want->fidelity);
    } else if (!same_options(want->algo_options, have->algo_options)) {
        what = "--algo-opt";
        snprintf(a, sizeof a, "%s", have->algo_options), snprintf(b, sizeof b, "%s", want->algo_options);
    } else if (strcmp(want->eval_options, have->eval_options) != 0) {
        what = "the evaluation options";
        snprintf(a, sizeof a, "%s", have->eval_options), snprintf(b, sizeof b, "%s", want->eval_options);
    }
    if (!what) return PESIM_OK;
    return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                           "cannot resume run %" PRId64 " of '%s': it was started with %s %s, not %s %s (a resume "
                           "continues a run with its own options; --new-run starts another run in this store)",
                           have->id, want->label, what, a, what, b);
}

/* pesim_store_settle_run; by_seed: the run of this search is the latest of
 * want's label, space and seed (pesim_campaign_options.by_seed). */
static pesim_status settle(pesim_store *st, const pesim_run_info *want, int by_seed, pesim_run_mode mode,
                           const char *config, int64_t *run_id, int64_t *stored, int *resumed, pesim_error *e)
{
    *run_id = 0;
    *stored = 0;
    if (resumed) *resumed = 0;
    pesim_run_info have;
    int found = 0;
    pesim_status rc = by_seed ? pesim_store_find_run_seed(st, want->label, want->space, want->seed, &have, &found, e)
                              : pesim_store_find_run(st, want->label, want->space, &have, &found, e);
    if (rc) return rc;
    const char *path = pesim_store_path(st);
    if (found && mode == PESIM_RUN_NEW)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                               "the store already has run %" PRId64 " of '%s' (%s, seed %" PRIu64 ", %" PRId64
                               " of %" PRId64 " evaluations, %s); --resume continues it (also with a larger "
                               "--budget), --new-run starts another run in this store",
                               have.id, want->label, have.algo, have.seed, have.samples, have.budget,
                               have.finished ? "finished" : "not finished");
    if (found && mode == PESIM_RUN_RESUME) {
        if ((rc = compare_run(path, want, &have, e))) return rc;
        if (have.samples > want->budget)
            return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL,
                                   "run %" PRId64 " of '%s' already has %" PRId64 " evaluations, more than the "
                                   "budget %" PRId64,
                                   have.id, want->label, have.samples, want->budget);
        if ((rc = pesim_store_reopen_run(st, have.id, want->budget, e))) return rc;
        *run_id = have.id;
        *stored = have.samples;
        if (resumed) *resumed = 1;
        return PESIM_OK;
    }
    return pesim_store_new_run(st, want, config, run_id, e);
}

pesim_status pesim_store_settle_run(pesim_store *st, const pesim_run_info *want, pesim_run_mode mode,
                                    const char *config, int64_t *run_id, int64_t *stored, int *resumed,
                                    pesim_error *e)
{
    return settle(st, want, 0, mode, config, run_id, stored, resumed, e);
}

/* Settles the run in the store according to the mode. */
static pesim_status settle_run(pesim_campaign *c, pesim_error *e)
{
    const pesim_campaign_options *o = &c->o;
    pesim_run_info want;
    memset(&want, 0, sizeof want);
    snprintf(want.label, sizeof want.label, "%s", c->label);
    snprintf(want.space, sizeof want.space, "%s", pesim_space_describe(c->s));
    snprintf(want.algo, sizeof want.algo, "%s", o->algo);
    want.seed = o->seed;
    want.budget = o->budget;
    snprintf(want.objective, sizeof want.objective, "%s", pesim_objective_name(o->eval.objective));
    snprintf(want.fidelity, sizeof want.fidelity, "%s", pesim_fidelity_name(o->fidelity));
    want.batch = o->batch;
    pesim_algo_describe_options(c->al, want.algo_options, sizeof want.algo_options);
    eval_key(&o->eval, want.eval_options, sizeof want.eval_options);
    return settle(c->st, &want, o->by_seed, o->mode, o->config, &c->rep.run_id, &c->stored, &c->rep.resumed, e);
}

pesim_status pesim_campaign_create(pesim_space *s, pesim_store *st, const pesim_campaign_options *o,
                                   pesim_campaign **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "campaign", "NULL output");
    *out = NULL;
    if (!s || !o || !o->algo) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "campaign", "NULL argument");
    if (o->budget < 1 || o->batch < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "campaign", "budget and batch must be >= 1");
    if ((unsigned)o->mode > PESIM_RUN_ANOTHER || (unsigned)o->fidelity > PESIM_FIDELITY_CYCLE)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "campaign", "unknown run mode or fidelity");
    pesim_campaign *c = calloc(1, sizeof *c);
    if (!c) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "campaign", "out of memory");
    c->s = s;
    c->st = st;
    c->o = *o;
    c->o.label = c->o.config = NULL; /* not kept: copied below or used at once */
    snprintf(c->label, sizeof c->label, "%s", o->label ? o->label : "");
    c->np = pesim_space_n_params(s);
    c->rep.best_sample = -1;
    size_t np = (size_t)(c->np > 0 ? c->np : 1);
    c->best_x = calloc(np, sizeof *c->best_x);
    pesim_status rc = PESIM_OK;
    if (!c->best_x) rc = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "campaign", "out of memory");
    if (!rc) rc = pesim_evaluator_create(s, NULL, &o->eval, &c->ev, e);
    if (!rc) {
        pesim_algo_options ao = o->algo_opt;
        ao.eval = &o->eval;
        rc = pesim_algo_create(o->algo, s, o->seed, &ao, &c->al, e);
    }
    if (!rc) {
        pesim_algo_env env = {predict, c};
        pesim_algo_set_env(c->al, &env);
        c->eval = eval_builtin;
        c->eval_ctx = c->ev;
        if (st) {
            c->o.config = o->config;
            rc = settle_run(c, e);
            c->o.config = NULL;
        }
    }
    if (rc) {
        pesim_campaign_destroy(c);
        return rc;
    }
    *out = c;
    return PESIM_OK;
}

void pesim_campaign_destroy(pesim_campaign *c)
{
    if (!c) return;
    if (c->st) pesim_store_flush(c->st, NULL);
    pesim_algo_destroy(c->al);
    pesim_evaluator_destroy(c->ev);
    free(c->best_x);
    free(c->ra_x);
    free(c->ra_r);
    free(c);
}

void pesim_campaign_set_evaluate(pesim_campaign *c, pesim_eval_fn fn, void *ctx)
{
    if (!c) return;
    c->eval = fn ? fn : eval_builtin;
    c->eval_ctx = fn ? ctx : c->ev;
}

void pesim_campaign_set_callback(pesim_campaign *c, pesim_campaign_fn fn, void *ctx)
{
    if (!c) return;
    c->cb = fn;
    c->cb_ctx = ctx;
}

const pesim_campaign_report *pesim_campaign_get_report(const pesim_campaign *c) { return c ? &c->rep : NULL; }
const int32_t *pesim_campaign_best_choices(const pesim_campaign *c) { return c ? c->best_x : NULL; }
pesim_evaluator *pesim_campaign_evaluator(const pesim_campaign *c) { return c ? c->ev : NULL; }
pesim_algo *pesim_campaign_algo(const pesim_campaign *c) { return c ? c->al : NULL; }

/* The stored results of samples [s, s + k) into r, checking that they are
 * the candidates x the algorithm proposes. */
static pesim_status replay(pesim_campaign *c, int64_t s, int32_t k, const int32_t *x, pesim_result *r, pesim_error *e)
{
    const size_t np = (size_t)c->np;
    for (int32_t i = 0; i < k; i++) {
        int64_t sample = s + i;
        if (sample < c->ra_first || sample >= c->ra_first + c->ra_n) {
            if (!c->ra_x) {
                c->ra_x = malloc((size_t)READ_AHEAD * (np ? np : 1) * sizeof *c->ra_x);
                c->ra_r = malloc((size_t)READ_AHEAD * sizeof *c->ra_r);
                if (!c->ra_x || !c->ra_r) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "campaign", "out of memory");
            }
            int64_t left = c->stored - sample;
            int32_t want = left < READ_AHEAD ? (int32_t)left : READ_AHEAD;
            pesim_status st = pesim_store_read(c->st, c->rep.run_id, sample, want, c->np, c->ra_x, c->ra_r, &c->ra_n, e);
            if (st) return st;
            c->ra_first = sample;
            if (c->ra_n < want)
                return pesim_error_set(e, PESIM_ERR_INVALID, pesim_store_path(c->st), 0, NULL,
                                       "run %" PRId64 ": sample %" PRId64 " is missing", c->rep.run_id,
                                       sample + c->ra_n);
        }
        const int32_t *stored = c->ra_x + (size_t)(sample - c->ra_first) * np;
        if (memcmp(stored, x + (size_t)i * np, np * sizeof *x) != 0)
            return pesim_error_set(e, PESIM_ERR_INVALID, pesim_store_path(c->st), 0, NULL,
                                   "run %" PRId64 " of '%s' does not replay: sample %" PRId64 " is not the candidate "
                                   "this search proposes (a store written by another version of pesim?)",
                                   c->rep.run_id, c->label, sample);
        r[i] = c->ra_r[sample - c->ra_first];
    }
    return PESIM_OK;
}

/* pesim_algo_record's pairs into the run's metadata. */
typedef struct meta_ctx {
    pesim_store *st;
    int64_t run;
} meta_ctx;

static pesim_status put_meta(void *ctx, const char *key, const char *value, pesim_error *e)
{
    meta_ctx *m = ctx;
    return pesim_store_set_meta(m->st, m->run, key, value, e);
}

pesim_status pesim_campaign_run(pesim_campaign *c, pesim_error *e)
{
    if (!c) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "campaign", "NULL campaign");
    const double t0 = now_s();
    const size_t np = (size_t)c->np;
    const int32_t B = c->o.batch;
    int32_t *x = malloc((size_t)B * (np ? np : 1) * sizeof *x);
    pesim_result *r = malloc((size_t)B * sizeof *r);
    pesim_status st = PESIM_OK;
    if (!x || !r) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "campaign", "out of memory");
    pesim_campaign_report *rep = &c->rep;
    rep->stopped = rep->algo_done = 0;
    int64_t s = rep->samples;
    while (!st && s < c->o.budget) {
        if (c->o.stop && *c->o.stop) {
            rep->stopped = 1;
            break;
        }
        int32_t want = (int32_t)(c->o.budget - s < B ? c->o.budget - s : B);
        int32_t k = pesim_algo_ask(c->al, x, want);
        if (k <= 0) {
            rep->algo_done = 1;
            break;
        }
        int32_t from = 0; /* candidates [0, from) are in the store */
        if (s < c->stored) {
            from = c->stored - s < k ? (int32_t)(c->stored - s) : k;
            if ((st = replay(c, s, from, x, r, e))) break;
        }
        if (from < k) {
            st = c->eval(c->eval_ctx, x + (size_t)from * np, k - from, c->o.fidelity, r + from);
            if (st) {
                pesim_error_set(e, st, NULL, 0, "campaign", "'%s': the evaluation step failed (%s)", c->label,
                                pesim_status_name(st));
                break;
            }
            if (c->st && (st = pesim_store_queue(c->st, rep->run_id, s + from, k - from, x + (size_t)from * np,
                                                 c->np, r + from, e)))
                break;
        }
        pesim_algo_tell(c->al, x, r, k);
        for (int32_t i = 0; i < k; i++) {
            if (!r[i].valid) continue;
            rep->valid++;
            if (!rep->found || r[i].objective < rep->best.objective) {
                rep->found = 1;
                rep->best = r[i];
                rep->best_sample = s + i;
                memcpy(c->best_x, x + (size_t)i * np, np * sizeof *x);
            }
        }
        s += k;
        rep->samples = s;
        rep->replayed = s < c->stored ? s : c->stored;
        if (c->cb) {
            pesim_campaign_batch b = {s - k, k, from, x, r};
            if (c->cb(c->cb_ctx, &b)) {
                rep->stopped = 1;
                break;
            }
        }
    }
    if (c->st) {
        pesim_error fe;
        pesim_status fs = pesim_store_flush(c->st, &fe);
        if (!fs) { /* what the algorithm learned (marl's clustering) and started from */
            meta_ctx m = {c->st, rep->run_id};
            fs = pesim_algo_record(c->al, put_meta, &m, &fe);
        }
        if (!st && fs) {
            st = fs;
            if (e) *e = fe;
        }
    }
    free(x);
    free(r);
    rep->wall_s += now_s() - t0;
    return st;
}

pesim_status pesim_campaign_finish(pesim_campaign *c, pesim_error *e)
{
    if (!c) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "campaign", "NULL campaign");
    if (!c->st) return PESIM_OK;
    return pesim_store_finish_run(c->st, c->rep.run_id, e);
}
