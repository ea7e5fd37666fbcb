/* search/algorithms/rl_team.h - what the learned mapping searches "rl" and
 * "marl" share (rl_team.c), and the clustering of "marl" (marl.c), for
 * search/ and its tests. Not a published API.
 *
 * A team is a set of agents, each owning a set of the space's parameters
 * (every parameter has exactly one owner). An agent is a small policy
 * network (pesim/rl.h: an MLP with one categorical head per owned
 * parameter) and a critic, trained by a policy-gradient learner of
 * search/rl (PPO by default) from the team's shared reward. "rl" is a team
 * of one agent; "marl" a team of one agent per cluster of parameters.
 *
 * One candidate is one episode. It is decoded in the space's step order
 * (pesim_cursor_next): each parameter in turn gets its mask from the
 * cursor given the choices so far, and its owner's head draws from the
 * masked softmax. Factored heads (autoregressive = 0): an agent's logits
 * depend on the context only (one forward per ask), one transition per
 * candidate and agent with every owned head acting under the masks met in
 * the decode. Autoregressive heads (autoregressive = 1): the observation
 * also holds the one-hot of every choice made so far, one forward and one
 * transition per parameter (only its head acts), the reward at the agent's
 * last step (gamma = lambda = 1: the advantage of a step is the episode's
 * return minus the critic's value).
 *
 * Reward: the objective's improvement on a log scale over the first valid
 * objective seen, R = asinh(ref) - asinh(objective) (asinh is ln(2x) for
 * the large costs of cycles, pJ and EDP, and defined for objectives <= 0,
 * as annealing's energy); an invalid candidate gets R = min(0, the worst
 * valid R seen) - 1 - ln(violation) (algo_violation: how far over a limit),
 * so invalid designs rank below every valid one and among themselves by
 * how far they are from valid.
 *
 * Critic: central = 0, each agent's critic sees the agent's observation (a
 * learned baseline); central = 1, each agent's critic also sees the one-hot
 * of the choices of every other agent in the candidate (a centralised
 * critic: it never sees the agent's own choices, so the baseline stays
 * unbiased, and it subtracts what the others' choices did to the shared
 * reward).
 *
 * Threads: the agents' forwards (factored heads) and their learners'
 * updates run in up to `threads` threads, one agent per thread at a time;
 * every agent owns its networks, learner (seeded from the team's seed and
 * the agent's index) and rollout, so a run is the same whatever the number
 * of threads. */
#ifndef PESIM_SEARCH_RL_TEAM_H
#define PESIM_SEARCH_RL_TEAM_H

#include <stdint.h>

#include "../algo_impl.h"
#include "pesim/rl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rl_team_options {
    int32_t hidden;            /* actor's hidden width (one tanh layer), 0: linear */
    int32_t critic_hidden;     /* critic's hidden width, 0: linear */
    double lr, critic_lr, entropy, clip;
    int32_t epochs;            /* PPO passes over a rollout */
    int32_t rollout;           /* candidates per update */
    int32_t learner;           /* pesim_rl_pg_kind */
    int32_t autoregressive;
    int32_t central;
    int32_t tries;             /* draws to avoid a candidate already evaluated (1: no avoidance) */
    int32_t threads;           /* 0: min(agents, 4) */
} rl_team_options;

/* The options "rl" and "marl" share: the first RL_TEAM_N_OPTS entries of
 * both tables, in this order (rl_team_options_read reads them). */
#define RL_TEAM_N_OPTS 11
#define RL_TEAM_OPTS                                                                                            \
    {"hidden", 1, 64, 0, 4096, "actor's hidden width (one tanh layer; 0: linear logits)"},                       \
        {"critic_hidden", 1, 0, 0, 4096, "critic's hidden width (0: a linear critic)"},                          \
        {"lr", 0, 0.01, 1e-7, 1, "actor's Adam step size"},                                                     \
        {"critic_lr", 0, 0.01, 1e-7, 1, "critic's Adam step size"},                                             \
        {"entropy", 0, 0.01, 0, 10, "entropy regularisation coefficient"},                                     \
        {"clip", 0, 0.2, 1e-3, 10, "PPO clip epsilon"},                                                         \
        {"epochs", 1, 4, 1, 1000, "PPO passes over each rollout"},                                              \
        {"rollout", 1, 16, 1, 100000, "candidates per policy update"},                                          \
        {"learner", 1, 2, 0, 2, "0: REINFORCE with a learned baseline, 1: A2C, 2: PPO-clip"},                    \
        {"autoregressive", 1, 0, 0, 1, "1: each choice sees the choices made before it; 0: factored heads"},    \
        {"tries", 1, 10, 1, 1000, "draws per candidate to avoid one already evaluated"}
/* Fills o from the first RL_TEAM_N_OPTS option values (central and threads
 * are the caller's). */
void rl_team_options_read(const double *opt, rl_team_options *o);

typedef struct rl_team rl_team; /* opaque */

/* A team on the space; owner[i] in [0, n_agents) is the agent owning
 * parameter i (every agent owns at least one). seed seeds the learners. */
pesim_status rl_team_create(const algo_space *sp, gsl_rng *rng, const rl_team_options *o, int32_t n_agents,
                            const int32_t *owner, uint64_t seed, rl_team **out, pesim_error *e);
void rl_team_destroy(rl_team *t);
int32_t rl_team_n_agents(const rl_team *t);
const int32_t *rl_team_owner(const rl_team *t);

/* ask/tell as algo_impl.h says; ask returns 0 after an internal failure
 * (out of memory in a learner). */
int32_t rl_team_ask(rl_team *t, int32_t *choices, int32_t max);
void rl_team_tell(rl_team *t, const int32_t *choices, const pesim_result *r, int32_t n, int asked);
/* Keeps the reward's reference up to date with results the team did not
 * propose (a warm-up sample, a caller's seeds). */
void rl_team_observe(rl_team *t, const pesim_result *r, int32_t n);
/* The most likely candidate (greedy decode under the masks). */
void rl_team_greedy(rl_team *t, int32_t *choices);
/* The reward of a result (the definition above, with the team's state). */
double rl_team_reward(rl_team *t, const pesim_result *r);

/* Policies: agent j's actor is written to "<path>.<j>" (pesim-rl-net 1)
 * and an index to path: "pesim-rl-team 1", then "params N", "agents K",
 * then per parameter "owner i j". rl_team_load reads the actors into the
 * team's networks in the ADAPT mode of pesim_rl_net_load_into (transfer to
 * another layer: overlapping heads and actions copied), agent by agent. */
pesim_status rl_team_save(const rl_team *t, const char *path, pesim_error *e);
pesim_status rl_team_load(rl_team *t, const char *path, pesim_error *e);
/* The hash a loaded policy is recorded with: 64-bit FNV-1a over the bytes
 * of the index file, then of "<path>.0" ... "<path>.<n_agents - 1>". */
pesim_status rl_team_policy_hash(const char *path, int32_t n_agents, uint64_t *hash, pesim_error *e);
/* The team's part of pesim_algo_record: after rl_team_load, "policy_in"
 * (the path as given) and "policy_in_fnv1a64" (16 hex digits). */
pesim_status rl_team_record(const rl_team *t, pesim_algo_record_fn put, void *ctx, pesim_error *e);
/* Reads a saved team's index: n_params and the owners (owner: n_params
 * entries malloc'ed, freed by the caller). */
pesim_status rl_team_read_index(const char *path, int32_t *n_params, int32_t *n_agents, int32_t **owner,
                                pesim_error *e);

/* ------------------------------------------------------ marl's clustering */

/* The team of a "marl" state (NULL during its warm-up). */
rl_team *algo_marl_team(void *marl_state);

/* Spearman rank correlations over m samples x[m x n] (choice indices) with
 * their values v[m] (lower-better; an invalid sample should carry a value
 * worse than every valid one): rho_obj[i] of parameter i with the value over
 * all samples; rho[i * n + j] between parameters i and j over the `elite`
 * best samples (fraction in (0, 1], at least 3 samples): on a uniform
 * sample parameters are independent, so their correlation shows only where
 * the objective selects (linkage). A parameter constant over the samples
 * correlates 0 with everything. */
pesim_status marl_correlations(const int32_t *x, const double *v, int32_t m, int32_t n, double elite,
                               double *rho_obj, double *rho, pesim_error *e);
/* Average-linkage hierarchical clustering of n items on dist[n x n]
 * (symmetric), merging the closest pair until k clusters remain (k >= 1) or,
 * k == 0, while the closest pair is nearer than cut. label[i] gets the
 * cluster of item i, numbered in order of first appearance. Returns the
 * number of clusters (-1: out of memory). */
int32_t marl_cluster(const double *dist, int32_t n, int32_t k, double cut, int32_t *label);

#ifdef __cplusplus
}
#endif
#endif
