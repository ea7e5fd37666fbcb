/* search/algorithms/autotvm.c - an AutoTVM-like tuner (Chen et al.,
 * "Learning to Optimize Tensor Programs", NeurIPS 2018; ARCO's baseline,
 * docs/arco.md): a gradient-boosted-tree cost model (pesim/surrogate.h, one
 * XGBoost model, no ensemble) fit on the measured samples, and simulated
 * annealing on the model choosing the next batch to measure.
 *
 * - First `init` designs: valid starting points (algo_valid_starts: the
 *   default design and masked step-decode samples; AutoTVM's first batch is
 *   random, and in a joint space uniform points are almost all invalid).
 * - Model: features arco_features_row, label asinh(objective) of each valid
 *   measurement; an invalid one is labelled (the worst valid label so far) +
 *   `penalty` once a valid label exists (AutoTVM scores a failed build 0
 *   GFLOPS, i.e. the worst). Refit after every batch.
 * - Batch of b: `chains` annealing walks on the model (AutoTVM's
 *   SimulatedAnnealingOptimizer): they start from the previous round's
 *   points (the first time from the best measured designs and random ones),
 *   each of `steps` steps moves every walk by one parameter
 *   (algo_mutate_param) and accepts by Metropolis at a temperature falling
 *   linearly from `t0` to 0; the b best distinct never-measured designs the
 *   walks visit (by predicted value) are the batch, except that each slot is
 *   a uniformly random fresh design with probability `eps` (AutoTVM's
 *   epsilon-greedy). Without a fitted model (nothing valid yet): valid
 *   starting points.
 * - `mask` = 1 (on a real space): AutoTVM's knobs are valid by construction
 *   (split factors that divide), so its walks never leave the valid
 *   configurations; here they move only to choices the space's masks allow
 *   (pesim_cursor_mask with every other parameter chosen: capacity, fan-out,
 *   arch check, area budget), and the walks' random starts and the random
 *   slots are drawn by the masked step decode. mask = 0 keeps the walks
 *   unconstrained. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arco_impl.h"
#include "pesim/surrogate.h"

enum { OPT_INIT, OPT_CHAINS, OPT_STEPS, OPT_T0, OPT_EPS, OPT_ROUNDS, OPT_PENALTY, OPT_MASK, N_OPTS };
const algo_opt_desc algo_autotvm_opts[N_OPTS] = {
    {"init", 1, 16, 1, 1e6, "designs measured before the cost model is used (valid starting points)"},
    {"chains", 1, 64, 1, 4096, "annealing walks on the cost model per batch"},
    {"steps", 1, 100, 1, 1e5, "annealing steps per batch"},
    {"t0", 0, 1, 0, 1e3, "initial temperature, in asinh(objective) units (linear to 0)"},
    {"eps", 0, 0.05, 0, 1, "share of each batch drawn uniformly at random"},
    {"rounds", 1, 60, 1, 1000, "boosting rounds of the cost model"},
    {"penalty", 0, 1, 0, 100, "label of an invalid design above the worst valid one (asinh units)"},
    {"mask", 1, 0, 0, 1, "1: the walks move only to choices the space's masks allow, from valid starts"},
};
const int32_t algo_autotvm_n_opts = N_OPTS;

#define AT_TRIES 20

typedef struct autotvm_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n;
    double opt[N_OPTS];
    arco_features feat;
    pesim_surrogate *model;
    algo_seen seen;            /* measured (asked or told) */
    int64_t told, asked_init;
    arco_labels lab;           /* the model's labels (invalid ones: worst valid + penalty) */
    int32_t *chain;            /* chains x n: the walks' points, kept between batches */
    double *chain_v;           /* chains: their predicted values */
    int chains_ready;
    int32_t *best_x;           /* the best measured design */
    double best_v;
    pesim_cursor *cur;         /* mask = 1 on a real space, else NULL */
    uint8_t *allowed;          /* the largest n_choices: a mask */
} autotvm_state;

void algo_autotvm_destroy(void *state)
{
    autotvm_state *s = state;
    if (!s) return;
    pesim_surrogate_destroy(s->model);
    arco_features_free(&s->feat);
    algo_seen_free(&s->seen);
    arco_labels_free(&s->lab);
    free(s->chain), free(s->chain_v), free(s->best_x);
    pesim_cursor_destroy(s->cur);
    free(s->allowed);
    free(s);
}

pesim_status algo_autotvm_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                 pesim_error *e)
{
    autotvm_state *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    s->lab.nf = sp->n;
    memcpy(s->opt, opt, sizeof s->opt);
    int32_t chains = (int32_t)opt[OPT_CHAINS];
    s->chain = calloc((size_t)chains * (size_t)s->n, sizeof *s->chain);
    s->chain_v = calloc((size_t)chains, sizeof *s->chain_v);
    s->best_x = calloc((size_t)s->n, sizeof *s->best_x);
    s->best_v = HUGE_VAL;
    pesim_status st = PESIM_OK;
    if (!s->chain || !s->chain_v || !s->best_x) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st == PESIM_OK) st = arco_features_init(&s->feat, sp, e);
    if (st == PESIM_OK && opt[OPT_MASK] != 0 && sp->space) {
        int32_t most = 1;
        for (int32_t i = 0; i < sp->n; i++)
            if (sp->n_choices[i] > most) most = sp->n_choices[i];
        s->allowed = malloc((size_t)most);
        if (!s->allowed) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        else st = pesim_cursor_create(sp->space, &sp->eval, &s->cur, e);
    }
    if (st == PESIM_OK) {
        pesim_surrogate_options so;
        pesim_surrogate_options_default(&so);
        so.members = 1;
        so.bootstrap = 0;
        so.colsample = 1;
        so.rounds = (int32_t)opt[OPT_ROUNDS];
        so.seed = gsl_rng_get(rng);
        st = pesim_surrogate_create(s->n, &so, &s->model, e);
    }
    if (st != PESIM_OK) {
        algo_autotvm_destroy(s);
        return st;
    }
    *state = s;
    return PESIM_OK;
}

/* A fresh random design (unseen if possible): uniform, or under `mask` a
 * valid starting point. */
static void fresh_random(autotvm_state *s, int32_t *x)
{
    for (int t = 0; t < AT_TRIES; t++) {
        if (s->cur) algo_masked_point(s->cur, s->rng, x);
        else algo_random_point(s->sp, s->rng, x);
        if (!algo_seen_has(&s->seen, x, s->n)) return;
    }
}

/* One annealing move of x: parameter i changed by algo_mutate_param; under
 * `mask`, to a choice the masks allow with every other parameter of x
 * chosen (a drawn move the masks exclude is drawn again, up to AT_TRIES
 * times, then a uniform allowed other choice; x stays when none is). */
static void move(autotvm_state *s, int32_t *x, int32_t i)
{
    if (!s->cur) {
        algo_mutate_param(s->sp, s->rng, x, i, 0.5);
        return;
    }
    pesim_cursor_reset(s->cur);
    for (int32_t p = 0; p < s->n; p++) pesim_cursor_set(s->cur, p, x[p]);
    int32_t was = x[i], others = pesim_cursor_mask(s->cur, i, s->allowed, NULL) - (s->allowed[was] != 0);
    if (others <= 0) return;
    for (int t = 0; t < AT_TRIES; t++) {
        algo_mutate_param(s->sp, s->rng, x, i, 0.5);
        if (x[i] != was && s->allowed[x[i]]) return;
        x[i] = was;
    }
    int32_t k = (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)others);
    for (int32_t c = 0; c < s->sp->n_choices[i]; c++)
        if (c != was && s->allowed[c] && k-- == 0) {
            x[i] = c;
            return;
        }
}

/* Predicted values of m designs (HUGE_VAL where the model fails). */
static void predict(autotvm_state *s, const int32_t *x, int32_t m, double *feat, double *v)
{
    for (int32_t k = 0; k < m; k++) arco_features_row(&s->feat, x + (size_t)k * (size_t)s->n, feat + (size_t)k * (size_t)s->n);
    if (pesim_surrogate_predict(s->model, feat, m, v, NULL, NULL) != PESIM_OK)
        for (int32_t k = 0; k < m; k++) v[k] = HUGE_VAL;
}

/* The annealing walks on the model; fills the `max` best distinct fresh
 * designs they visit into out (returns how many). */
static int32_t anneal(autotvm_state *s, int32_t *out, int32_t max)
{
    int32_t C = (int32_t)s->opt[OPT_CHAINS], steps = (int32_t)s->opt[OPT_STEPS];
    size_t n = (size_t)s->n;
    int32_t *cand = malloc((size_t)C * n * sizeof *cand);
    double *feat = malloc((size_t)C * n * sizeof *feat), *cv = malloc((size_t)C * sizeof *cv);
    double *top_v = malloc((size_t)max * sizeof *top_v);
    if (!cand || !feat || !cv || !top_v) {
        free(cand), free(feat), free(cv), free(top_v);
        return 0;
    }
    if (!s->chains_ready) { /* the best measured design, then random ones */
        for (int32_t c = 0; c < C; c++) {
            if (c == 0 && s->lab.have_valid)
                memcpy(s->chain, s->best_x, n * sizeof *s->chain);
            else if (s->cur)
                algo_masked_point(s->cur, s->rng, s->chain + (size_t)c * n);
            else
                algo_random_point(s->sp, s->rng, s->chain + (size_t)c * n);
        }
        s->chains_ready = 1;
    }
    predict(s, s->chain, C, feat, s->chain_v);
    int32_t top = 0;
    algo_seen in_top = {0};
    for (int32_t t = 0; t <= steps; t++) {
        const int32_t *pts = t == 0 ? s->chain : cand;
        const double *pv = t == 0 ? s->chain_v : cv;
        if (t > 0) {
            for (int32_t c = 0; c < C; c++) {
                int32_t *x = cand + (size_t)c * n;
                memcpy(x, s->chain + (size_t)c * n, n * sizeof *x);
                move(s, x, (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)s->n));
            }
            predict(s, cand, C, feat, cv);
            double T = s->opt[OPT_T0] * (1.0 - (double)t / (double)steps);
            for (int32_t c = 0; c < C; c++) {
                double d = cv[c] - s->chain_v[c];
                if (d <= 0 || (T > 0 && gsl_rng_uniform(s->rng) < exp(-d / T))) {
                    memcpy(s->chain + (size_t)c * n, cand + (size_t)c * n, n * sizeof *cand);
                    s->chain_v[c] = cv[c];
                }
            }
        }
        /* Keep the best distinct fresh points visited. */
        for (int32_t c = 0; c < C; c++) {
            const int32_t *x = pts + (size_t)c * n;
            if (!isfinite(pv[c]) || algo_seen_has(&s->seen, x, s->n) || algo_seen_has(&in_top, x, s->n)) continue;
            int32_t at;
            if (top < max) {
                at = top++;
            } else {
                at = 0;
                for (int32_t j = 1; j < top; j++)
                    if (top_v[j] > top_v[at]) at = j;
                if (pv[c] >= top_v[at]) continue;
                /* the replaced one leaves the set (rebuilt below) */
            }
            memcpy(out + (size_t)at * n, x, n * sizeof *x);
            top_v[at] = pv[c];
            algo_seen_free(&in_top);
            for (int32_t j = 0; j < top; j++) algo_seen_add(&in_top, out + (size_t)j * n, s->n);
        }
    }
    algo_seen_free(&in_top);
    /* The best first (stable: by value, then slot). */
    for (int32_t i = 1; i < top; i++)
        for (int32_t j = i; j > 0 && top_v[j] < top_v[j - 1]; j--) {
            double tv = top_v[j];
            top_v[j] = top_v[j - 1], top_v[j - 1] = tv;
            for (size_t q = 0; q < n; q++) {
                int32_t a = out[(size_t)j * n + q];
                out[(size_t)j * n + q] = out[(size_t)(j - 1) * n + q], out[(size_t)(j - 1) * n + q] = a;
            }
        }
    free(cand), free(feat), free(cv), free(top_v);
    return top;
}

int32_t algo_autotvm_ask(void *state, int32_t *choices, int32_t max)
{
    autotvm_state *s = state;
    size_t n = (size_t)s->n;
    int32_t init = (int32_t)s->opt[OPT_INIT];
    if (s->asked_init < init || !pesim_surrogate_fitted(s->model)) {
        int32_t k = max;
        if (s->asked_init < init && init - s->asked_init < k) k = (int32_t)(init - s->asked_init);
        algo_valid_starts(s->sp, s->rng, choices, k);
        for (int32_t j = 0; j < k; j++) {
            int32_t *x = choices + (size_t)j * n;
            if (algo_seen_has(&s->seen, x, s->n)) fresh_random(s, x);
        }
        s->asked_init += k;
        return k;
    }
    int32_t got = anneal(s, choices, max);
    for (int32_t k = 0; k < max; k++)
        if (k >= got || gsl_rng_uniform(s->rng) < s->opt[OPT_EPS]) fresh_random(s, choices + (size_t)k * n);
    return max;
}

void algo_autotvm_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    (void)asked;
    autotvm_state *s = state;
    size_t np = (size_t)s->n;
    double *f = malloc(np * sizeof *f);
    if (!f) return;
    for (int32_t c = 0; c < n; c++) {
        const int32_t *x = choices + (size_t)c * np;
        algo_seen_add(&s->seen, x, s->n);
        arco_features_row(&s->feat, x, f);
        if (r[c].valid) {
            double y = asinh(r[c].objective);
            if (y < s->best_v) s->best_v = y, memcpy(s->best_x, x, np * sizeof *x);
        }
        arco_labels_add(&s->lab, s->model, f, r[c].valid, r[c].valid ? asinh(r[c].objective) : 0,
                        s->opt[OPT_PENALTY]);
    }
    arco_labels_flush(&s->lab, s->model, s->opt[OPT_PENALTY]);
    s->told += n;
    if (s->lab.have_valid) pesim_surrogate_fit(s->model, NULL);
    free(f);
}
