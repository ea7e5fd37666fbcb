/* search/algorithms/exhaustive.c - every point of a small space, in an order
 * that lets capacity failures prune what they imply.
 *
 * Order. The parameters are enumerated as an odometer (mixed radix, the last
 * position fastest) over a fixed position order: first the parameters that
 * are not monotone but may change a footprint (spatial dims, bypass,
 * hardware, ...), in their space order; then the monotone ones (tile and
 * spatial factors, whose choices the spaces list ascending) by storage
 * level, innermost level first; last the loop orders, which change no
 * footprint.
 *
 * Pruning (sound, not a heuristic). A level's footprint grows with every tile
 * or spatial factor at that level or inside it, and does not depend on the
 * factors of outer levels. So when candidate c is invalid because level L's
 * capacity is exceeded, every candidate x with
 *   x[0..p-1] == c[0..p-1] and x[p] >= c[p]
 * is invalid too, where p is the earliest position of the monotone block such
 * that each later position either is at its smallest choice in c, or belongs
 * to a level outside L, or is a loop order. That set is one interval of the enumeration order, so
 * the odometer jumps over it (carry at p-1). An inner-level failure thus
 * skips every outer-level combination of the same inner tiles and every
 * larger inner tile. Nothing else is pruned (a loop order, bypass or spatial
 * dim can change a footprint either way). With batched asks the candidates
 * already proposed are evaluated anyway; the jump applies from the next ask.
 *
 * Spaces above `max_points` points (1e7) are refused at creation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

enum { OPT_MAX_POINTS, N_OPTS };
const algo_opt_desc algo_exhaustive_opts[N_OPTS] = {
    {"max_points", 0, 1e7, 1, 1e15, "refuse a space of more points than this"},
};
const int32_t algo_exhaustive_n_opts = N_OPTS;

typedef struct region {        /* { x : x[0..p-1] == c[0..p-1], x[p] >= c[p] } */
    int32_t p;
    int32_t *c;                /* n, in position order */
} region;

typedef struct exhaustive_state {
    const algo_space *sp;
    int32_t n, first_mono;     /* positions [first_mono, first_free) are monotone, */
    int32_t first_free;        /* positions >= first_free are loop orders */
    int32_t *param;            /* position -> parameter */
    int32_t *x;                /* the odometer, in position order */
    int done;
    region *reg;
    int32_t n_reg, cap_reg;
    int64_t pruned_jumps;      /* for tests and curiosity */
} exhaustive_state;

/* The level a parameter sorts by: none (-1) after every level. */
static int32_t sort_level(const algo_space *sp, int32_t i)
{
    return sp->level[i] < 0 ? PESIM_MAX_LEVELS : sp->level[i];
}

void algo_exhaustive_destroy(void *state)
{
    exhaustive_state *s = state;
    if (!s)
        return;
    for (int32_t r = 0; r < s->n_reg; r++)
        free(s->reg[r].c);
    free(s->reg);
    free(s->param);
    free(s->x);
    free(s);
}

pesim_status algo_exhaustive_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                    pesim_error *e)
{
    (void)rng;                 /* deterministic; the seed plays no part */
    double lg = algo_space_log10_size(sp);
    if (lg > log10(opt[OPT_MAX_POINTS]) + 1e-9)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "algo",
                               "exhaustive: the space has about 10^%.1f points, more than the %.3g "
                               "that exhaustive search enumerates (--algo-opt max_points=N); use random, "
                               "annealing, genetic or timeloop", lg, opt[OPT_MAX_POINTS]);
    exhaustive_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->n = sp->n;
    s->param = malloc((size_t)s->n * sizeof *s->param);
    s->x = calloc((size_t)s->n, sizeof *s->x);
    if (!s->param || !s->x) {
        algo_exhaustive_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    int32_t k = 0;
    for (int32_t i = 0; i < s->n; i++)
        if (!algo_param_monotone(sp, i) && !algo_param_capacity_free(sp, i))
            s->param[k++] = i;
    s->first_mono = k;
    for (int32_t i = 0; i < s->n; i++)
        if (algo_param_monotone(sp, i))
            s->param[k++] = i;
    s->first_free = k;
    for (int32_t i = 0; i < s->n; i++)
        if (algo_param_capacity_free(sp, i))
            s->param[k++] = i;
    /* Insertion sort of the monotone block by level (stable: space order
     * within a level); a few dozen parameters at most. */
    for (int32_t a = s->first_mono + 1; a < s->first_free; a++) {
        int32_t v = s->param[a], b = a;
        for (; b > s->first_mono && sort_level(sp, s->param[b - 1]) > sort_level(sp, v); b--)
            s->param[b] = s->param[b - 1];
        s->param[b] = v;
    }
    *state = s;
    return PESIM_OK;
}

/* Sets the odometer to the first point after every point sharing its first p
 * positions (carry at p-1); done when there is none. */
static void carry_from(exhaustive_state *s, int32_t p)
{
    for (int32_t k = p; k < s->n; k++)
        s->x[k] = 0;
    for (int32_t k = p - 1; k >= 0; k--) {
        if (++s->x[k] < s->sp->n_choices[s->param[k]])
            return;
        s->x[k] = 0;
    }
    s->done = 1;
}

static int in_region(const exhaustive_state *s, const region *r)
{
    for (int32_t k = 0; k < r->p; k++)
        if (s->x[k] != r->c[k])
            return 0;
    return s->x[r->p] >= r->c[r->p];
}

/* 1 if the odometer is past the region (its prefix is lexicographically
 * greater than the region's): the region can be dropped. */
static int past_region(const exhaustive_state *s, const region *r)
{
    for (int32_t k = 0; k < r->p; k++)
        if (s->x[k] != r->c[k])
            return s->x[k] > r->c[k];
    return 0;
}

/* Moves the odometer out of every pruned interval it is in. */
static void skip_pruned(exhaustive_state *s)
{
    int moved = 1;
    while (moved && !s->done) {
        moved = 0;
        for (int32_t r = 0; r < s->n_reg && !s->done; r++)
            if (in_region(s, &s->reg[r])) {
                carry_from(s, s->reg[r].p);
                s->pruned_jumps++;
                moved = 1;
            }
    }
    /* Drop the intervals the odometer has left behind. */
    int32_t w = 0;
    for (int32_t r = 0; r < s->n_reg; r++) {
        if (s->done || past_region(s, &s->reg[r]))
            free(s->reg[r].c);
        else
            s->reg[w++] = s->reg[r];
    }
    s->n_reg = w;
}

int32_t algo_exhaustive_ask(void *state, int32_t *choices, int32_t max)
{
    exhaustive_state *s = state;
    int32_t k = 0;
    while (k < max) {
        skip_pruned(s);
        if (s->done)
            break;
        int32_t *out = choices + (size_t)k * (size_t)s->n;
        for (int32_t p = 0; p < s->n; p++)
            out[s->param[p]] = s->x[p];
        k++;
        carry_from(s, s->n);   /* the next point */
    }
    return k;
}

/* Records the interval a capacity failure of c (parameter order) implies. */
static void prune(exhaustive_state *s, const int32_t *c, int32_t L)
{
    if (s->first_mono >= s->first_free)
        return;                /* no monotone parameter: nothing implied */
    int32_t p = s->n - 1;
    for (; p > s->first_mono; p--) {
        int32_t lv = s->sp->level[s->param[p]];
        int affects = (lv < 0 || lv <= L) && p < s->first_free;
        if (affects && c[s->param[p]] != 0)
            break;
    }
    if (s->n_reg == s->cap_reg) {
        int32_t cap = s->cap_reg ? 2 * s->cap_reg : 16;
        region *r = realloc(s->reg, (size_t)cap * sizeof *r);
        if (!r)
            return;            /* pruning is an optimisation: skip it */
        s->reg = r;
        s->cap_reg = cap;
    }
    int32_t *cp = malloc((size_t)s->n * sizeof *cp);
    if (!cp)
        return;
    for (int32_t k = 0; k < s->n; k++)
        cp[k] = c[s->param[k]];
    s->reg[s->n_reg].p = p;
    s->reg[s->n_reg].c = cp;
    s->n_reg++;
}

void algo_exhaustive_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    exhaustive_state *s = state;
    (void)asked;               /* any capacity failure implies the same */
    for (int32_t i = 0; i < n; i++) {
        int32_t L;
        if (!s->done && algo_capacity_failure(s->sp, &r[i], &L))
            prune(s, choices + (size_t)i * (size_t)s->n, L);
    }
}
