/* search/das/cosearch.c - the agent-accelerator co-search (pesim/das.h):
 * DAS over (agent network, hardware parameters), one hardware space and
 * evaluator per agent network, all with the experiment's parameters. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algo_impl.h"
#include "space_impl.h"
#include "pesim/config.h"
#include "pesim/das.h"

typedef struct cosearch {
    pesim_experiment x;
    int32_t n_agents, n_hw;
    pesim_space *space[PESIM_MAX_AGENTS];
    pesim_evaluator *ev[PESIM_MAX_AGENTS];
    double clock_mhz[PESIM_MAX_AGENTS]; /* scratch: of the last decoded design */
    int64_t predictions;
} cosearch;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The co-search's view of result r of candidate x (agent, hardware...): J as
 * the objective of a valid design, PESIM_INVALID_PENALTY otherwise; *fps gets
 * the frames per second of a valid design (0 otherwise). */
static void score(const cosearch *c, const int32_t *x, pesim_result *r, double *fps)
{
    int32_t a = x[0];
    *fps = 0;
    if (!r->valid || r->cycles <= 0) {
        r->valid = 0;
        r->objective = PESIM_INVALID_PENALTY;
        return;
    }
    pesim_design d;
    char why[PESIM_REASON_MAX];
    double clock = pesim_space_arch(c->space[a])->clock_mhz;
    if (pesim_space_decode(c->space[a], x + 1, &d, why, sizeof why)) clock = d.arch.clock_mhz;
    *fps = clock * 1e6 / (double)r->cycles;
    r->objective = -log(*fps) - c->x.score_weight * c->x.agent_score[a];
}

/* Evaluates candidate x at fidelity f into *r, scored (score). */
static pesim_status evaluate(cosearch *c, const int32_t *x, pesim_fidelity f, pesim_result *r, double *fps)
{
    pesim_status st = pesim_evaluator_run(c->ev[x[0]], x + 1, 1, f, r);
    if (st != PESIM_OK) return st;
    score(c, x, r, fps);
    return PESIM_OK;
}

/* The run's identity in the store (pesim_store_settle_run): the hardware
 * space, a hash of every agent's space and score, the weight and budgets. */
static void run_info(const cosearch *c, const pesim_das_cosearch_options *o, const pesim_algo *al,
                     pesim_run_info *w)
{
    memset(w, 0, sizeof *w);
    uint64_t h = SRCH_HASH_SEED;
    for (int32_t a = 0; a < c->n_agents; a++) {
        h = srch_hash_str(h, pesim_space_describe(c->space[a]));
        h = srch_hash_double(h, c->x.agent_score[a]);
    }
    snprintf(w->label, sizeof w->label, "das-cosearch");
    snprintf(w->space, sizeof w->space, "agents=%d (hash %016" PRIx64 "); hardware: %.*s", (int)c->n_agents,
             srch_hfinal(h), 400, pesim_space_describe(c->space[0]));
    snprintf(w->algo, sizeof w->algo, "das");
    w->seed = o->seed;
    w->budget = o->budget;
    snprintf(w->objective, sizeof w->objective, "fps-score");
    snprintf(w->fidelity, sizeof w->fidelity, "%s", pesim_fidelity_name(o->fidelity));
    w->batch = 1;
    pesim_algo_describe_options(al, w->algo_options, sizeof w->algo_options);
    snprintf(w->eval_options, sizeof w->eval_options,
             "score_weight=%.17g area_budget_um2=%.17g power_budget_mw=%.17g", c->x.score_weight,
             c->x.eval.area_budget_um2, c->x.eval.power_budget_mw);
}

static pesim_status predict(void *ctx, const int32_t *x, int32_t n, pesim_fidelity f, pesim_result *out,
                            pesim_cost *costs)
{
    cosearch *c = ctx;
    (void)costs;
    c->predictions += n;
    for (int32_t k = 0; k < n; k++) {
        double fps;
        pesim_status st = evaluate(c, x + (size_t)k * (size_t)(c->n_hw + 1), f, &out[k], &fps);
        if (st != PESIM_OK) return st;
    }
    return PESIM_OK;
}

static void cosearch_free(cosearch *c)
{
    for (int32_t a = 0; a < PESIM_MAX_AGENTS; a++) {
        pesim_evaluator_destroy(c->ev[a]);
        pesim_space_destroy(c->space[a]);
    }
    free(c);
}

pesim_status pesim_das_cosearch(const char *path, const pesim_das_cosearch_options *o, pesim_das_cosearch_result *out,
                                pesim_error *e)
{
    memset(out, 0, sizeof *out);
    if (!o || o->budget < 1) return pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "budget", "must be >= 1");
    double t0 = now_s();
    int32_t nc[PESIM_DAS_MAX_HW + 1], lv[PESIM_DAS_MAX_HW + 1], x[PESIM_DAS_MAX_HW + 1], xs[PESIM_DAS_MAX_HW + 1];
    int64_t stored = 0;
    pesim_param_kind kind[PESIM_DAS_MAX_HW + 1];
    algo_space sp;
    pesim_algo *al = NULL;
    pesim_eval_options eo;
    cosearch *c = calloc(1, sizeof *c);
    if (!c) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    pesim_status st = pesim_experiment_load(path, &c->x, e);
    if (st != PESIM_OK) goto done;
    if (c->x.n_agents < 1) {
        st = pesim_error_set(e, PESIM_ERR_MISSING, path, 0, "agents",
                             "a co-search needs agents = ( { workload = ...; score = ...; }, ... )");
        goto done;
    }
    c->n_agents = c->x.n_agents;
    eo = c->x.eval;
    eo.threads = o->threads;
    for (int32_t a = 0; a < c->n_agents; a++) {
        pesim_network net;
        if ((st = pesim_network_load(c->x.agent_workload[a], &net, e)) != PESIM_OK) goto done;
        st = pesim_space_from_experiment(path, NULL, &net, 0, &c->space[a], e);
        pesim_network_free(&net);
        if (st != PESIM_OK) goto done;
        if ((st = pesim_evaluator_create(c->space[a], NULL, &eo, &c->ev[a], e)) != PESIM_OK) goto done;
    }
    c->n_hw = pesim_space_n_params(c->space[0]);
    if (c->n_hw > PESIM_DAS_MAX_HW) {
        st = pesim_error_set(e, PESIM_ERR_RANGE, path, 0, "params", "%d hardware parameters, at most %d", c->n_hw,
                             PESIM_DAS_MAX_HW);
        goto done;
    }
    /* the joint space: the agent, then the hardware parameters */
    nc[0] = c->n_agents;
    for (int32_t i = 0; i <= c->n_hw; i++) kind[i] = PESIM_PARAM_HARDWARE, lv[i] = -1;
    for (int32_t i = 0; i < c->n_hw; i++) nc[i + 1] = pesim_space_param(c->space[0], i)->n_choices;
    memset(&sp, 0, sizeof sp);
    sp.n = c->n_hw + 1, sp.n_choices = nc, sp.kind = kind, sp.level = lv, sp.dim = lv, sp.layer = lv, sp.tensor = lv;
    sp.eval = eo;
    {
        pesim_algo_options ao = {o->kv, o->n_kv, &eo};
        if ((st = pesim_algo_create_core("das", &sp, o->seed, &ao, &al, e)) != PESIM_OK) goto done;
        pesim_algo_env env = {predict, c};
        pesim_algo_set_env(al, &env);
    }
    out->n_hw = c->n_hw;
    if (o->store) {
        pesim_run_info want;
        run_info(c, o, al, &want);
        st = pesim_store_settle_run(o->store, &want, o->mode, o->config, &out->run_id, &stored, &out->resumed, e);
        if (st != PESIM_OK) goto loop_done;
    }
    for (out->samples = 0; out->samples < o->budget; out->samples++) {
        if (pesim_algo_ask(al, x, 1) != 1) break;
        pesim_result r;
        double fps;
        if (out->samples < stored) { /* a resumed run: the stored result of the very same candidate */
            int32_t got = 0;
            st = pesim_store_read(o->store, out->run_id, out->samples, 1, c->n_hw + 1, xs, &r, &got, e);
            if (st != PESIM_OK) break;
            if (got != 1 || memcmp(xs, x, (size_t)(c->n_hw + 1) * sizeof *x) != 0) {
                st = pesim_error_set(e, PESIM_ERR_INVALID, pesim_store_path(o->store), 0, NULL,
                                     "cannot resume run %" PRId64 " of 'das-cosearch': its sample %" PRId64
                                     " is not the design DAS asks now (a store written by another version?)",
                                     out->run_id, out->samples);
                break;
            }
            score(c, x, &r, &fps);
            out->replayed++;
        } else {
            if ((st = evaluate(c, x, o->fidelity, &r, &fps)) != PESIM_OK) {
                pesim_error_set(e, st, path, 0, NULL, "evaluation failed");
                break;
            }
            if (o->store &&
                (st = pesim_store_add(o->store, out->run_id, out->samples, x, c->n_hw + 1, &r, e)) != PESIM_OK)
                break;
        }
        out->agent_samples[x[0]]++;
        if (r.valid && fps > out->agent_best_fps[x[0]]) out->agent_best_fps[x[0]] = fps;
        if (r.valid && (!out->found || r.objective < out->objective)) {
            out->found = 1;
            out->agent = x[0];
            memcpy(out->hw, x + 1, (size_t)c->n_hw * sizeof *x);
            out->objective = r.objective;
            out->score = c->x.agent_score[x[0]];
            out->fps = fps;
            out->best = r;
            out->best_sample = out->samples;
        }
        pesim_algo_tell(al, x, &r, 1);
    }
    if (st == PESIM_OK && o->store && out->samples == o->budget)
        st = pesim_store_finish_run(o->store, out->run_id, e);
loop_done:
    pesim_algo_destroy(al);
    if (st == PESIM_OK && out->found) { /* the final discrete design on the cycle engine */
        x[0] = out->agent;
        memcpy(x + 1, out->hw, (size_t)c->n_hw * sizeof *x);
        st = evaluate(c, x, PESIM_FIDELITY_CYCLE, &out->cycle, &out->cycle_fps);
    }
    out->predictions = c->predictions;
done:
    out->wall_s = now_s() - t0;
    cosearch_free(c);
    return st;
}
