/* search/algorithms/rl.c - single-agent reinforcement learning over any
 * space: one agent owns every parameter (a team of one, rl_team.h: factored
 * or autoregressive categorical heads decoded under the space's masks,
 * reward = the objective's improvement on a log scale, invalid designs
 * penalised by their violation, PPO-clip from search/rl by default). One
 * candidate is one episode; the policy is updated every `rollout`
 * candidates. Nothing depends on the budget (anytime). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl_team.h"

const algo_opt_desc algo_rl_opts[RL_TEAM_N_OPTS] = {RL_TEAM_OPTS};
const int32_t algo_rl_n_opts = RL_TEAM_N_OPTS;

pesim_status algo_rl_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    rl_team_options o;
    rl_team_options_read(opt, &o);
    int32_t *owner = calloc((size_t)sp->n, sizeof *owner); /* all agent 0 */
    if (!owner)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    uint64_t seed = gsl_rng_get(rng);
    rl_team *t = NULL;
    pesim_status st = rl_team_create(sp, rng, &o, 1, owner, seed, &t, e);
    free(owner);
    *state = t;
    return st;
}

int32_t algo_rl_ask(void *state, int32_t *choices, int32_t max) { return rl_team_ask(state, choices, max); }

void algo_rl_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    rl_team_tell(state, choices, r, n, asked);
}

void algo_rl_destroy(void *state) { rl_team_destroy(state); }

pesim_status algo_rl_save(void *state, const char *path, pesim_error *e) { return rl_team_save(state, path, e); }

pesim_status algo_rl_load(void *state, const char *path, pesim_error *e) { return rl_team_load(state, path, e); }

/* One agent owns everything: nothing learned about the space's structure. */
int algo_rl_describe(void *state, char *buf, size_t n)
{
    (void)state;
    return snprintf(buf, n, "%s", "");
}

pesim_status algo_rl_record(void *state, pesim_algo_record_fn put, void *ctx, pesim_error *e)
{
    return rl_team_record(state, put, ctx, e);
}
