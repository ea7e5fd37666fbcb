/* search/algorithms/annealing.c - simulated annealing over the categorical
 * parameters.
 *
 * Energy. E = asinh(objective) for a valid candidate (like ln for the large
 * costs of cycles, pJ and EDP, so temperatures are relative, and defined for
 * objectives <= 0), ANNEAL_INVALID_E + ln(violation) for an invalid one
 * (algo_violation: how far a capacity is overflowed): a move to an invalid
 * candidate is never accepted from a valid one, and from an invalid one the
 * walk is drawn toward smaller overflows.
 *
 * Schedule (documented in docs/search.md):
 * - start: n_init = clamp(budget/20, 1, 50) uniform random samples (20 when
 *   the budget is unknown); the best becomes the current point;
 * - initial temperature T0: the --temperature option, else the standard
 *   deviation of E over the valid initial samples (White's rule), else 1;
 * - geometric cooling, one step per sample: T = T0 * alpha^k with alpha
 *   chosen so that T falls to T0 * 1e-3 at the end of each segment;
 * - restarts: the remaining budget is split into R = clamp(remaining/250,
 *   1, 4) segments; each restarts from the best point found so far at T0
 *   (reheating). An unknown budget means segments of 1000 samples, forever;
 * - neighbourhood: change one parameter chosen uniformly among those with
 *   more than one choice (algo_mutate_param: ordered kinds step +-1 half of
 *   the time, else any other choice; loop orders swap two loops); up to 20
 *   draws avoid candidates already evaluated;
 * - batches: an ask of b proposes b neighbours of the current point; the best
 *   of them is accepted or rejected by the Metropolis rule, exp(-dE/T), and
 *   the temperature advances b steps. With b = 1 this is textbook SA;
 * - while no valid candidate has been found, max(ANNEAL_STUCK, segment/4)
 *   samples without a smaller overflow restart the walk from a fresh random
 *   point (the evaluator reports only the first overflow it finds, so a walk
 *   by single changes can be trapped). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

#define ANNEAL_INVALID_E 1e9
#define ANNEAL_TRIES 20
#define ANNEAL_STUCK 50

typedef struct anneal_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n;
    int64_t budget;            /* 0: unknown */
    int32_t n_init, init_asked, init_told;
    double init_sum, init_sum2; /* of E over the valid initial samples */
    int32_t init_valid;
    int started;               /* the initial phase is over */
    int reseed;                /* the next ask is random: a restart from scratch */
    int64_t samples, improved_at; /* samples told; when the best last improved */
    double T0, T, alpha, user_T0;
    int64_t seg_len, step;     /* samples per segment, samples into it */
    int32_t *cur, *best, *tmp;
    double cur_e, best_e;
    algo_seen seen;
} anneal_state;

static double energy(const pesim_result *r)
{
    double v = algo_value(r);
    return v >= PESIM_INVALID_PENALTY ? ANNEAL_INVALID_E + log(algo_violation(r)) : asinh(v);
}

void algo_annealing_destroy(void *state)
{
    anneal_state *s = state;
    if (!s)
        return;
    free(s->cur);
    free(s->best);
    free(s->tmp);
    algo_seen_free(&s->seen);
    free(s);
}

pesim_status algo_annealing_create(const algo_space *sp, gsl_rng *rng, const pesim_algo_options *opt,
                                   void **state, pesim_error *e)
{
    anneal_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    s->budget = opt->budget;
    s->user_T0 = opt->temperature;
    s->n_init = 20;
    if (s->budget > 0)
        s->n_init = (int32_t)(s->budget / 20 < 1 ? 1 : s->budget / 20 > 50 ? 50 : s->budget / 20);
    s->cur = calloc((size_t)s->n, sizeof *s->cur);
    s->best = calloc((size_t)s->n, sizeof *s->best);
    s->tmp = calloc((size_t)s->n, sizeof *s->tmp);
    if (!s->cur || !s->best || !s->tmp) {
        algo_annealing_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    s->cur_e = s->best_e = HUGE_VAL;
    *state = s;
    return PESIM_OK;
}

/* Draws x until it is not in the seen set (at most ANNEAL_TRIES draws). */
static void fresh_random(anneal_state *s, int32_t *x)
{
    for (int t = 0; t < ANNEAL_TRIES; t++) {
        algo_random_point(s->sp, s->rng, x);
        if (!algo_seen_has(&s->seen, x, s->n))
            return;
    }
}

/* A neighbour of the current point, unseen if possible. */
static void neighbour(anneal_state *s, int32_t *x)
{
    int32_t movable = 0;
    for (int32_t i = 0; i < s->n; i++)
        movable += s->sp->n_choices[i] > 1;
    if (movable == 0) {
        memcpy(x, s->cur, (size_t)s->n * sizeof *x);
        return;
    }
    for (int t = 0; t < ANNEAL_TRIES; t++) {
        memcpy(x, s->cur, (size_t)s->n * sizeof *x);
        int32_t pick = (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)movable), i = 0;
        for (;; i++)
            if (s->sp->n_choices[i] > 1 && pick-- == 0)
                break;
        algo_mutate_param(s->sp, s->rng, x, i, 0.5);
        if (!algo_seen_has(&s->seen, x, s->n))
            return;
    }
}

int32_t algo_annealing_ask(void *state, int32_t *choices, int32_t max)
{
    anneal_state *s = state;
    int32_t k = 0;
    if (s->reseed) {
        for (; k < max; k++)
            fresh_random(s, choices + (size_t)k * (size_t)s->n);
        return k;
    }
    if (!s->started) {         /* the initial random samples, nothing else */
        while (k < max && s->init_asked < s->n_init) {
            fresh_random(s, choices + (size_t)k * (size_t)s->n);
            k++;
            s->init_asked++;
        }
        return k;
    }
    for (; k < max; k++)
        neighbour(s, choices + (size_t)k * (size_t)s->n);
    return k;
}

/* Ends the initial phase: current = best, T0 and the segments. */
static void start(anneal_state *s)
{
    s->started = 1;
    memcpy(s->cur, s->best, (size_t)s->n * sizeof *s->cur);
    s->cur_e = s->best_e;
    if (s->user_T0 > 0) {
        s->T0 = s->user_T0;
    } else if (s->init_valid >= 2) {
        double m = s->init_sum / s->init_valid;
        double var = s->init_sum2 / s->init_valid - m * m;
        s->T0 = var > 1e-12 ? sqrt(var) : 1.0;
    } else {
        s->T0 = 1.0;
    }
    if (s->budget > 0) {
        int64_t rest = s->budget - s->n_init;
        int64_t R = rest / 250;
        R = R < 1 ? 1 : R > 4 ? 4 : R;
        s->seg_len = rest > 0 ? (rest + R - 1) / R : 1;
    } else {
        s->seg_len = 1000;
    }
    s->alpha = pow(1e-3, 1.0 / (double)s->seg_len);
    s->T = s->T0;
    s->step = 0;
}

/* Keeps the best point and the seen set up to date. */
static void observe(anneal_state *s, const int32_t *x, double e)
{
    algo_seen_add(&s->seen, x, s->n);
    s->samples++;
    if (e < s->best_e) {
        s->best_e = e;
        s->improved_at = s->samples;
        memcpy(s->best, x, (size_t)s->n * sizeof *x);
    }
}

void algo_annealing_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    anneal_state *s = state;
    int32_t arg = -1;
    double arg_e = HUGE_VAL;
    for (int32_t c = 0; c < n; c++) {
        const int32_t *x = choices + (size_t)c * (size_t)s->n;
        double e = energy(&r[c]);
        observe(s, x, e);
        if (e < arg_e) {
            arg_e = e;
            arg = c;
        }
        if (asked && !s->started && e < ANNEAL_INVALID_E) {
            s->init_valid++;
            s->init_sum += e;
            s->init_sum2 += e * e;
        }
    }
    if (!asked || arg < 0)
        return;
    if (!s->started) {
        s->init_told += n;
        if (s->init_told >= s->n_init)
            start(s);
        return;
    }
    /* Metropolis on the best of the batch (a reseed batch is taken as is). */
    double d = arg_e - s->cur_e;
    double u = gsl_rng_uniform(s->rng);
    if (s->reseed || d <= 0 || (s->T > 0 && u < exp(-d / s->T))) {
        memcpy(s->cur, choices + (size_t)arg * (size_t)s->n, (size_t)s->n * sizeof *s->cur);
        s->cur_e = arg_e;
    }
    s->reseed = 0;
    s->step += n;
    if (s->step >= s->seg_len) {           /* restart from the best, reheated */
        memcpy(s->cur, s->best, (size_t)s->n * sizeof *s->cur);
        s->cur_e = s->best_e;
        s->step = 0;
    }
    /* Still nothing valid and stuck (the reported overflow is only the first
     * one found, so single moves can be trapped): start from a random point. */
    int64_t stuck = s->seg_len / 4 > ANNEAL_STUCK ? s->seg_len / 4 : ANNEAL_STUCK;
    if (s->best_e >= ANNEAL_INVALID_E && s->samples - s->improved_at >= stuck) {
        s->reseed = 1;
        s->improved_at = s->samples;
    }
    s->T = s->T0 * pow(s->alpha, (double)s->step);
}
