/* search/algorithms/random.c - random search: every candidate drawn
 * uniformly and independently (each parameter's choice uniform), with
 * replacement. The baseline every other algorithm must beat. */
#include <stdlib.h>

#include "algo_impl.h"

typedef struct random_state {
    const algo_space *sp;
    gsl_rng *rng;
} random_state;

const algo_opt_desc algo_random_opts[1] = {{"", 0, 0, 0, 0, ""}}; /* none */
const int32_t algo_random_n_opts = 0;

pesim_status algo_random_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                pesim_error *e)
{
    (void)opt;
    random_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    *state = s;
    return PESIM_OK;
}

int32_t algo_random_ask(void *state, int32_t *choices, int32_t max)
{
    random_state *s = state;
    for (int32_t c = 0; c < max; c++)
        algo_random_point(s->sp, s->rng, choices + (size_t)c * (size_t)s->sp->n);
    return max;
}

void algo_random_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    (void)state; (void)choices; (void)r; (void)n; (void)asked; /* memoryless */
}

void algo_random_destroy(void *state) { free(state); }
