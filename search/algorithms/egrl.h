/* search/algorithms/egrl.h - what tests see of the state of EGRL and its
 * ablations (egrl.c; algo_impl.h declares create/ask/tell/destroy). Not a
 * published API. `state` is what algo_egrl_create (or _ea_, _pg_) made.
 *
 * A genome is a member's flat vector: a GNN policy's parameters
 * (pesim_rl_net_params order), or a Boltzmann chromosome's priors (heads x
 * head size, head h = node * 2 + decision, decision 0 the weights and 1 the
 * output) followed by its temperatures (one per node). */
#ifndef PESIM_SEARCH_EGRL_H
#define PESIM_SEARCH_EGRL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int32_t egrl_n_members(const void *state);
int egrl_member_is_gnn(const void *state, int32_t i);
/* Heads, actions per head, nodes of the problem. */
void egrl_shape(const void *state, int32_t *n_heads, int32_t *head_size, int32_t *n_nodes);
/* Copies member i's genome into g (may be NULL) and returns its length. */
int64_t egrl_genome(const void *state, int32_t i, double *g);
void egrl_set_genome(void *state, int32_t i, const double *g);
/* One draw of chromosome i's actions (n_heads; -1 for an inactive head);
 * returns n_heads, or 0 if member i is not a chromosome. */
int32_t egrl_boltzmann_sample(void *state, int32_t i, int32_t *actions);
/* A child of member a (with b: a crossover, b < 0: none; mutate: 1 to
 * mutate) in member a's kind, written to child (egrl_genome's length of a). */
void egrl_make_child(void *state, int32_t a, int32_t b, int mutate, double *child);
/* Member i's fitness: the reward of its last rollout (-HUGE_VAL before). */
double egrl_member_fitness(const void *state, int32_t i);
/* What the last evolution ranked member i by (elites, tournaments,
 * migration's worst): its fitness then, or EGRL_CLEARED if clearing
 * (--algo-opt clear_radius=R, R >= 0) cleared it: its last placement
 * differed in at most R parameters from that of a fitter member kept
 * before it. -HUGE_VAL before the first evolution. */
#define EGRL_CLEARED (-6.0)
double egrl_member_selection(const void *state, int32_t i);
/* Copies the learner's actor parameters into p (may be NULL) and returns
 * their number; 0 without a learner (ea). */
int64_t egrl_learner_params(const void *state, double *p);
/* The learner's critics' value of n candidates (rows of the space's n
 * choices): q[i] = min(Q1, Q2) of candidate i's actions at the fixed
 * observation (pesim_rl_sac_q: how each critic values a joint action).
 * A diagnostic: it draws nothing and changes nothing, so a run that calls it
 * between generations is the run that does not. Returns 1, or 0 without a
 * learner (ea, greedy) or on failure (out of memory). */
int egrl_critic_values(void *state, const int32_t *choices, int32_t n, double *q);
/* The upper-bound diagnostic (docs/egrl.md "Can the critic represent the
 * top's order?"): adds n transitions (candidate i's actions with reward[i],
 * one-step episodes) to the learner's replay, then takes `steps` of the
 * learner's own SAC updates (critics, actor, targets; its batch, loss and
 * Adam) as a generation's update does. It changes the learner and draws
 * from its generator: not for a run that must stay the plain run. Returns
 * 1, or 0 without a learner or on failure. */
int egrl_critic_train(void *state, const int32_t *choices, const double *reward, int32_t n, int32_t steps);
/* Where a candidate came from (docs/egrl.md "Why EGRL's valid candidates do
 * not improve its best"): an origin is one EGRL_FROM_* (how the proposing
 * member was made by the last evolution, or the learner's own rollout, or
 * greedy's first candidate) or'ed with EGRL_ORIGIN_GNN (the member is a GNN
 * policy; else a chromosome) and EGRL_ORIGIN_LINEAGE (the member descends
 * from a migrant, the learner's copy: a migrant, its children, a
 * crossover with it as either parent, a chromosome from its distribution;
 * set on the learner's rollouts too) and EGRL_ORIGIN_STEPPED. */
enum {
    EGRL_FROM_INITIAL = 0, /* the initial population, never evolved */
    EGRL_FROM_ELITE,       /* an elite, kept unchanged */
    EGRL_FROM_COPY,        /* a child neither crossed nor mutated: its parent's genome */
    EGRL_FROM_MUTANT,      /* a mutated child, no crossover */
    EGRL_FROM_CROSS,       /* a crossover child, not mutated */
    EGRL_FROM_CROSS_MUTANT, /* a crossover child, mutated */
    EGRL_FROM_GNN,         /* a chromosome from a GNN parent's distribution (mutated or not) */
    EGRL_FROM_MIGRANT,     /* the GNN slot the learner's policy was copied into */
    EGRL_FROM_LEARNER,     /* the learner's own rollout (not a member) */
    EGRL_FROM_GREEDY,      /* greedy's candidate, every run's first */
    EGRL_N_FROM
};
#define EGRL_ORIGIN_HOW(o) ((o) & 15)
#define EGRL_ORIGIN_GNN 16
#define EGRL_ORIGIN_LINEAGE 32
#define EGRL_ORIGIN_STEPPED 64 /* the member took CEM-RL's actor steps (pop_grad) in the last evolution */
/* The origins of the candidates the last ask returned, in its order,
 * written to origin (room for that ask's count); returns the count (0
 * before any ask). A diagnostic: it draws and changes nothing. Call it
 * between the ask and its tell. */
int32_t egrl_ask_origins(const void *state, int32_t *origin);
/* The name of an EGRL_FROM_* ("mutant", ...; "?" out of range). */
const char *egrl_origin_name(int32_t how);
/* The reference objective of the reward (the greedy placement's), 0 before. */
double egrl_reference(const void *state);
int64_t egrl_generations(const void *state);

#ifdef __cplusplus
}
#endif
#endif
