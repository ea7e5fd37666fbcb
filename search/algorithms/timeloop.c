/* search/algorithms/timeloop.c - the field's reference mapper: Timeloop's
 * random-pruned search (Parashar et al., ISPASS 2019; its `random-pruned`
 * mapper), on pesim's spaces.
 *
 * - Sampling: uniform random candidates, as Timeloop's mapper threads draw
 *   random mapping IDs from the mapspace.
 * - Early rejection (Timeloop's pre-evaluation capacity check): every
 *   capacity failure it is told is remembered, with the level L that
 *   overflowed. A new sample is rejected before it is proposed, without
 *   costing an evaluation, when it is implied to overflow L too: it has the
 *   same choices as the failed candidate on every spatial dim, bypass or
 *   other non-monotone parameter of a level <= L (or of no level), and
 *   choices >= on every tile and spatial factor of a level <= L (footprints
 *   grow with them; loop orders and parameters of outer levels do not
 *   matter). At most `reject_tries` draws (200) are rejected per proposal;
 *   the last draw is then proposed anyway.
 * - Termination (Timeloop's victory condition and timeout, both options):
 *   the search stops (ask returns 0) after `victory` consecutive valid
 *   candidates without an improvement of the best (500), or after `timeout`
 *   consecutive invalid ones (1000), or when the caller's budget is spent.
 * Batches: the counters advance over a batch's results in ask order. */
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

#define TIMELOOP_MAX_FAILURES 512

enum { OPT_VICTORY, OPT_TIMEOUT, OPT_REJECT_TRIES, N_OPTS };
const algo_opt_desc algo_timeloop_opts[N_OPTS] = {
    {"victory", 1, 500, 1, 1e12, "stop after this many consecutive valid samples without improvement"},
    {"timeout", 1, 1000, 1, 1e12, "stop after this many consecutive invalid samples"},
    {"reject_tries", 1, 200, 1, 1e6, "draws rejected early per proposal, at most"},
};
const int32_t algo_timeloop_n_opts = N_OPTS;

typedef struct failure {
    int32_t level;
    int32_t *x;
} failure;

typedef struct timeloop_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n;
    int64_t victory, timeout, reject_tries;
    double best;
    int64_t since_improvement, invalid_run, rejected;
    int done;
    failure fail[TIMELOOP_MAX_FAILURES]; /* minimal capacity failures seen */
    int32_t n_fail, next_fail;
} timeloop_state;

void algo_timeloop_destroy(void *state)
{
    timeloop_state *s = state;
    if (!s)
        return;
    for (int32_t i = 0; i < TIMELOOP_MAX_FAILURES; i++)
        free(s->fail[i].x);
    free(s);
}

pesim_status algo_timeloop_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                  pesim_error *e)
{
    timeloop_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    s->victory = (int64_t)opt[OPT_VICTORY];
    s->timeout = (int64_t)opt[OPT_TIMEOUT];
    s->reject_tries = (int64_t)opt[OPT_REJECT_TRIES];
    s->best = PESIM_INVALID_PENALTY;
    *state = s;
    return PESIM_OK;
}

/* 1 if x is implied to overflow level L, as the failed candidate fx did. */
static int implied(const timeloop_state *s, int32_t L, const int32_t *fx, const int32_t *x)
{
    for (int32_t i = 0; i < s->n; i++) {
        int32_t lv = s->sp->level[i];
        if ((lv >= 0 && lv > L) || algo_param_capacity_free(s->sp, i))
            continue;          /* an outer level or a loop order: no effect on the footprint */
        if (algo_param_monotone(s->sp, i) ? x[i] < fx[i] : x[i] != fx[i])
            return 0;
    }
    return 1;
}

static int rejected(const timeloop_state *s, const int32_t *x)
{
    for (int32_t f = 0; f < s->n_fail; f++)
        if (implied(s, s->fail[f].level, s->fail[f].x, x))
            return 1;
    return 0;
}

int32_t algo_timeloop_ask(void *state, int32_t *choices, int32_t max)
{
    timeloop_state *s = state;
    if (s->done)
        return 0;
    for (int32_t c = 0; c < max; c++) {
        int32_t *x = choices + (size_t)c * (size_t)s->n;
        for (int64_t t = 0; t < s->reject_tries; t++) {
            algo_random_point(s->sp, s->rng, x);
            if (!rejected(s, x))
                break;
            s->rejected++;
        }
    }
    return max;
}

static void remember(timeloop_state *s, const int32_t *x, int32_t level)
{
    /* Keep only the minimal failures: one implied by a record adds nothing,
     * and records the new one implies are dropped (a frontier). */
    for (int32_t f = 0; f < s->n_fail; f++)
        if (s->fail[f].level <= level && implied(s, s->fail[f].level, s->fail[f].x, x))
            return;
    for (int32_t f = 0; f < s->n_fail;) {
        if (level <= s->fail[f].level && implied(s, level, x, s->fail[f].x)) {
            int32_t *keep = s->fail[f].x;          /* swap with the last record */
            s->fail[f] = s->fail[s->n_fail - 1];
            s->fail[s->n_fail - 1].x = keep;
            s->n_fail--;
        } else {
            f++;
        }
    }
    if (s->n_fail == TIMELOOP_MAX_FAILURES)
        s->next_fail = (int32_t)gsl_rng_uniform_int(s->rng, TIMELOOP_MAX_FAILURES); /* replace one */
    else
        s->next_fail = s->n_fail;
    failure *f = &s->fail[s->next_fail];
    if (!f->x && !(f->x = malloc((size_t)s->n * sizeof *f->x)))
        return;
    memcpy(f->x, x, (size_t)s->n * sizeof *x);
    f->level = level;
    if (s->n_fail < TIMELOOP_MAX_FAILURES)
        s->n_fail++;
}

void algo_timeloop_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    timeloop_state *s = state;
    for (int32_t c = 0; c < n; c++) {
        const int32_t *x = choices + (size_t)c * (size_t)s->n;
        double v = algo_value(&r[c]);
        int32_t L;
        if (algo_capacity_failure(s->sp, &r[c], &L))
            remember(s, x, L);
        if (!asked)
            continue;          /* not sampled by us: no effect on termination */
        if (v < PESIM_INVALID_PENALTY) {
            s->invalid_run = 0;
            if (v < s->best) {
                s->best = v;
                s->since_improvement = 0;
            } else if (++s->since_improvement >= s->victory) {
                s->done = 1;
            }
        } else if (++s->invalid_run >= s->timeout) {
            s->done = 1;
        }
    }
}
