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
 * Schedule (documented in docs/search.md; the options in parentheses):
 * - start: `init` starting points (algo_valid_starts: the default mapper's
 *   design and candidates of the masked step decode, so the walk starts from
 *   valid designs; `valid_start=0`: uniform random ones); the best becomes
 *   the current point;
 * - initial temperature T0: `t0`, else the standard deviation of E over the
 *   valid starting points (White's rule), else 1;
 * - geometric cooling, one step per sample: T = T0 * alpha^k with alpha
 *   chosen so that T falls to T0 * `t_ratio` at the end of each segment of
 *   `segment` samples; each segment restarts from the best point found so
 *   far at T0 (reheating). Nothing depends on the budget (anytime);
 * - neighbourhood: change one parameter chosen uniformly among those with
 *   more than one choice (algo_mutate_param: ordered kinds step +-1 a share
 *   `local` of the time, else any other choice; loop orders swap two loops);
 *   up to 20 draws avoid candidates already evaluated;
 * - batches: an ask of b proposes b neighbours of the current point; the best
 *   of them is accepted or rejected by the Metropolis rule, exp(-dE/T), and
 *   the temperature advances b steps. With b = 1 this is textbook SA;
 * - while no valid candidate has been found, `stuck` samples without a
 *   smaller overflow restart the walk from a fresh random point (the
 *   evaluator reports only the first overflow it finds, so a walk by single
 *   changes can be trapped). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

#define ANNEAL_INVALID_E 1e9
#define ANNEAL_TRIES 20

enum { OPT_INIT, OPT_SEGMENT, OPT_T0, OPT_T_RATIO, OPT_LOCAL, OPT_STUCK, OPT_VALID_START, N_OPTS };
const algo_opt_desc algo_annealing_opts[N_OPTS] = {
    {"init", 1, 20, 1, 1e6, "starting points evaluated before the walk"},
    {"segment", 1, 1000, 1, 1e12, "samples per cooling segment (then reheat from the best)"},
    {"t0", 0, 0, 0, 1e300, "initial temperature, in units of asinh(objective) (0: White's rule)"},
    {"t_ratio", 0, 1e-3, 1e-12, 1, "temperature at a segment's end / t0"},
    {"local", 0, 0.5, 0, 1, "share of +-1 steps when an ordered parameter moves"},
    {"stuck", 1, 50, 1, 1e12, "samples without progress before a fresh start, while nothing is valid"},
    {"valid_start", 1, 1, 0, 1, "1: start from the default mapping and masked samples; 0: uniform ones"},
};
const int32_t algo_annealing_n_opts = N_OPTS;

typedef struct anneal_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n;
    int32_t n_init, init_asked, init_told;
    int32_t *init;             /* n_init x n: the starting points */
    int64_t stuck_after;
    double local, t_ratio;
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

static void fresh_random(struct anneal_state *s, int32_t *x);

void algo_annealing_destroy(void *state)
{
    anneal_state *s = state;
    if (!s)
        return;
    free(s->cur);
    free(s->best);
    free(s->tmp);
    free(s->init);
    algo_seen_free(&s->seen);
    free(s);
}

pesim_status algo_annealing_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                   pesim_error *e)
{
    anneal_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    s->user_T0 = opt[OPT_T0];
    s->n_init = (int32_t)opt[OPT_INIT];
    s->seg_len = (int64_t)opt[OPT_SEGMENT];
    s->t_ratio = opt[OPT_T_RATIO];
    s->local = opt[OPT_LOCAL];
    s->stuck_after = (int64_t)opt[OPT_STUCK];
    s->cur = calloc((size_t)s->n, sizeof *s->cur);
    s->best = calloc((size_t)s->n, sizeof *s->best);
    s->tmp = calloc((size_t)s->n, sizeof *s->tmp);
    s->init = calloc((size_t)s->n_init * (size_t)s->n, sizeof *s->init);
    if (!s->cur || !s->best || !s->tmp || !s->init) {
        algo_annealing_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (opt[OPT_VALID_START] != 0)
        algo_valid_starts(sp, rng, s->init, s->n_init);
    else
        for (int32_t k = 0; k < s->n_init; k++) fresh_random(s, s->init + (size_t)k * (size_t)s->n);
    s->cur_e = s->best_e = HUGE_VAL;
    *state = s;
    return PESIM_OK;
}

/* Draws x until it is not in the seen set (at most ANNEAL_TRIES draws). */
static void fresh_random(struct anneal_state *s, int32_t *x)
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
        algo_mutate_param(s->sp, s->rng, x, i, s->local);
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
    if (!s->started) {         /* the starting points, nothing else */
        while (k < max && s->init_asked < s->n_init) {
            memcpy(choices + (size_t)k * (size_t)s->n, s->init + (size_t)s->init_asked * (size_t)s->n,
                   (size_t)s->n * sizeof *choices);
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
    s->alpha = pow(s->t_ratio, 1.0 / (double)s->seg_len);
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
    if (s->best_e >= ANNEAL_INVALID_E && s->samples - s->improved_at >= s->stuck_after) {
        s->reseed = 1;
        s->improved_at = s->samples;
    }
    s->T = s->T0 * pow(s->alpha, (double)s->step);
}
