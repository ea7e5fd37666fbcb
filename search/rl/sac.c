/* search/rl/sac.c - the replay buffer and the discrete soft actor-critic
 * learner for factored categorical actions (docs/rl.md).
 *
 * Per gradient step on a batch of transitions (s, a, r, s', d):
 *   V'(s') = sum (SUM critic) or mean (PER_HEAD) over the heads active at s'
 *            of sum_a pi(a|s') (min(Q1', Q2')(s', a) - alpha log pi(a|s'))
 *   y      = r + gamma (1 - d) V'(s')            (targets Q1', Q2': Polyak copies)
 *   critics: SUM      pesim_rl_loss_sac_critic_sum(Q_i(s), a, y): the heads'
 *                     Q at the taken actions add up to the joint Q;
 *            PER_HEAD pesim_rl_loss_sac_critic(Q_i(s), a, y): each head's
 *                     Q regresses y alone; one Adam step each;
 *   actor:   pesim_rl_loss_sac_actor(pi(s), min(Q1, Q2)(s) after the
 *            critics' step), one Adam step;
 *   targets: Q_i' = tau Q_i + (1 - tau) Q_i'.
 * The joint action of a placement (9^nodes) has no tabular Q. The SUM
 * critic is a value decomposition (Sunehag et al., AAMAS 2018): with
 * independent heads, E_pi[Q(s, a)] - alpha log pi(a|s) splits into the
 * heads' terms, so the actor's loss is exactly the joint one. PER_HEAD is
 * the action-branching form (Tavakoli et al., AAAI 2018): each head's Q
 * learns the reward's mean given its own action, averaged over whatever
 * the other heads did in the replay. JOINT is COMA's critic (Foerster et
 * al., AAAI 2018): the critics take the joint action as input, and head
 * h's outputs, with h's own action blanked from the input, are the
 * counterfactual Q(s, a_-h, .) of h's actions; each step pairs a row with
 * one head drawn uniformly (critic: the replay's action; actor: a joint
 * action drawn from the actor, so the other heads are the learner's own). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../algo_impl.h"
#include "heads_impl.h"
#include "rl_impl.h"

/* --------------------------------------------------------------- replay */

struct pesim_rl_replay {
    int32_t obs_dim, n_heads, n_logits;
    int64_t capacity;
    int64_t alloc;             /* rows allocated (grows up to capacity) */
    int64_t size, next, added; /* rows held, the next row to write, adds ever */
    double *obs, *next_obs, *reward;
    uint8_t *mask, *next_mask, *done;
    int32_t *actions;
    pthread_mutex_t mu;
    /* PESIM_RL_REPLAY_RANK: the rows by reward (best first) and the running
     * sums of rank^-alpha, rebuilt when rows were added since (sorted_at). */
    pesim_rl_replay_sampling sampling;
    double alpha, beta;
    int64_t sorted_at, sorted_n;
    int64_t *by_rank;
    double *cum;
};

pesim_status pesim_rl_replay_create(int32_t obs_dim, int32_t n_heads, int32_t n_logits, int64_t capacity,
                                    pesim_rl_replay **out, pesim_error *e)
{
    *out = NULL;
    if (obs_dim < 0 || n_heads < 1 || n_logits < 0 || capacity < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "replay",
                               "need obs_dim >= 0, n_heads >= 1, n_logits >= 0, capacity >= 1 "
                               "(got %d, %d, %d, %lld)", (int)obs_dim, (int)n_heads, (int)n_logits,
                               (long long)capacity);
    pesim_rl_replay *rb = calloc(1, sizeof *rb);
    if (!rb)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    rb->obs_dim = obs_dim;
    rb->n_heads = n_heads;
    rb->n_logits = n_logits;
    rb->capacity = capacity;
    if (pthread_mutex_init(&rb->mu, NULL) != 0) {
        free(rb);
        return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, NULL, "cannot create a mutex");
    }
    *out = rb;
    return PESIM_OK;
}

void pesim_rl_replay_destroy(pesim_rl_replay *rb)
{
    if (!rb)
        return;
    pthread_mutex_destroy(&rb->mu);
    free(rb->obs);
    free(rb->next_obs);
    free(rb->reward);
    free(rb->mask);
    free(rb->next_mask);
    free(rb->done);
    free(rb->actions);
    free(rb->by_rank);
    free(rb->cum);
    free(rb);
}

pesim_status pesim_rl_replay_set_sampling(pesim_rl_replay *rb, pesim_rl_replay_sampling sampling, double alpha,
                                          double beta, pesim_error *e)
{
    if ((sampling != PESIM_RL_REPLAY_UNIFORM && sampling != PESIM_RL_REPLAY_RANK) || !(alpha >= 0) ||
        !isfinite(alpha) || !(beta >= 0 && beta <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "replay",
                               "sampling %d with alpha %g, beta %g: need uniform (0) or rank (1), alpha >= 0 "
                               "and finite, beta in [0, 1]", (int)sampling, alpha, beta);
    pthread_mutex_lock(&rb->mu);
    rb->sampling = sampling;
    rb->alpha = alpha;
    rb->beta = beta;
    rb->sorted_n = 0; /* re-rank at the next draw */
    pthread_mutex_unlock(&rb->mu);
    return PESIM_OK;
}

#define RESIZE(field, width, type)                                                                   \
    do {                                                                                             \
        if ((width) > 0) {                                                                           \
            type *p_ = realloc(rb->field, (size_t)c * (size_t)(width) * sizeof(type));               \
            if (!p_)                                                                                 \
                return 0;                                                                            \
            rb->field = p_;                                                                          \
        }                                                                                            \
    } while (0)

/* Makes room for one more row (called with the mutex held). */
static int replay_room(pesim_rl_replay *rb)
{
    if (rb->size < rb->alloc || rb->alloc == rb->capacity)
        return 1;
    int64_t c = rb->alloc > 0 ? 2 * rb->alloc : 256;
    if (c > rb->capacity)
        c = rb->capacity;
    RESIZE(obs, rb->obs_dim, double);
    RESIZE(next_obs, rb->obs_dim, double);
    RESIZE(reward, 1, double);
    RESIZE(mask, rb->n_logits, uint8_t);
    RESIZE(next_mask, rb->n_logits, uint8_t);
    RESIZE(done, 1, uint8_t);
    RESIZE(actions, rb->n_heads, int32_t);
    rb->alloc = c;
    return 1;
}
#undef RESIZE

pesim_status pesim_rl_replay_add(pesim_rl_replay *rb, const double *obs, const uint8_t *mask,
                                 const int32_t *actions, double reward, const double *next_obs,
                                 const uint8_t *next_mask, int done, pesim_error *e)
{
    if (!actions || (rb->obs_dim && !obs) || (rb->n_logits && !mask) ||
        (!done && ((rb->obs_dim && !next_obs) || (rb->n_logits && !next_mask))))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "replay",
                               "a transition needs actions, obs and mask (when stored), and next_obs and "
                               "next_mask unless done");
    if (!isfinite(reward))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "reward", "not finite (%g)", reward);
    pthread_mutex_lock(&rb->mu);
    if (!replay_room(rb)) {
        pthread_mutex_unlock(&rb->mu);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (replay of %lld)",
                               (long long)rb->size);
    }
    int64_t i = rb->next;
    size_t od = (size_t)rb->obs_dim, nl = (size_t)rb->n_logits;
    if (od) {
        memcpy(rb->obs + i * (int64_t)od, obs, od * sizeof(double));
        if (next_obs)
            memcpy(rb->next_obs + i * (int64_t)od, next_obs, od * sizeof(double));
        else
            memset(rb->next_obs + i * (int64_t)od, 0, od * sizeof(double));
    }
    if (nl) {
        memcpy(rb->mask + i * (int64_t)nl, mask, nl);
        if (next_mask)
            memcpy(rb->next_mask + i * (int64_t)nl, next_mask, nl);
        else
            memset(rb->next_mask + i * (int64_t)nl, 1, nl);
    }
    memcpy(rb->actions + i * rb->n_heads, actions, (size_t)rb->n_heads * sizeof(int32_t));
    rb->reward[i] = reward;
    rb->done[i] = done != 0;
    rb->next = (i + 1) % rb->capacity;
    if (rb->size < rb->capacity)
        rb->size++;
    rb->added++;
    pthread_mutex_unlock(&rb->mu);
    return PESIM_OK;
}

int64_t pesim_rl_replay_size(pesim_rl_replay *rb)
{
    pthread_mutex_lock(&rb->mu);
    int64_t n = rb->size;
    pthread_mutex_unlock(&rb->mu);
    return n;
}

int64_t pesim_rl_replay_n_added(pesim_rl_replay *rb)
{
    pthread_mutex_lock(&rb->mu);
    int64_t n = rb->added;
    pthread_mutex_unlock(&rb->mu);
    return n;
}

/* ------------------------------------------------------------- learner */

struct pesim_rl_sac {
    pesim_rl_sac_config cfg;
    pesim_rl_net *actor, *q1, *q2;  /* borrowed */
    pesim_rl_net *t1, *t2;          /* target critics (owned) */
    pesim_rl_adam *oa, *o1, *o2;
    gsl_rng *rng;
    double *fixed_obs;
    int32_t fixed_dim;
    /* scratch of one step, for `cap` rows */
    int32_t cap, in_dim, out_dim, n_heads, n_logits;
    int has_mask;              /* the replay of this update stores masks */
    double *obs, *nobs, *rew, *target, *out, *dout, *qa, *qb, *dq, *nout, *nqa, *nqb;
    double *w;                 /* the batch's importance-sampling weights (1: uniform) */
    uint8_t *mask, *nmask, *done;
    int32_t *act;
    /* JOINT only: critic inputs, one-head actions, drawn actions, heads, one-head masks */
    int32_t cin_dim;
    double *xj;
    int32_t *actj, *pact, *headj;
    uint8_t *mj;
};

void pesim_rl_sac_config_default(pesim_rl_sac_config *c)
{
    memset(c, 0, sizeof *c);
    c->lr = 3e-4;
    c->critic_lr = 3e-4;
    c->gamma = 0.99;
    c->alpha = 0.05;
    c->tau = 0.005;
    c->batch = 64;
    c->max_grad_norm = 10;
    c->critic = PESIM_RL_SAC_SUM;
}

static void scratch_free(pesim_rl_sac *s)
{
    free(s->obs);
    free(s->nobs);
    free(s->rew);
    free(s->target);
    free(s->out);
    free(s->dout);
    free(s->qa);
    free(s->qb);
    free(s->dq);
    free(s->nout);
    free(s->nqa);
    free(s->nqb);
    free(s->w);
    free(s->mask);
    free(s->nmask);
    free(s->done);
    free(s->act);
    free(s->xj);
    free(s->actj);
    free(s->pact);
    free(s->headj);
    free(s->mj);
    s->xj = NULL;
    s->actj = s->pact = s->headj = NULL;
    s->mj = NULL;
    s->cin_dim = 0;
    s->obs = s->nobs = s->rew = s->target = s->out = s->dout = s->qa = s->qb = s->dq = NULL;
    s->nout = s->nqa = s->nqb = s->w = NULL;
    s->mask = s->nmask = s->done = NULL;
    s->act = NULL;
    s->cap = 0;
}

void pesim_rl_sac_destroy(pesim_rl_sac *s)
{
    if (!s)
        return;
    scratch_free(s);
    pesim_rl_net_destroy(s->t1);
    pesim_rl_net_destroy(s->t2);
    pesim_rl_adam_destroy(s->oa);
    pesim_rl_adam_destroy(s->o1);
    pesim_rl_adam_destroy(s->o2);
    if (s->rng)
        gsl_rng_free(s->rng);
    free(s->fixed_obs);
    free(s);
}

pesim_status pesim_rl_sac_create(const pesim_rl_sac_config *cfg, pesim_rl_net *actor, pesim_rl_net *q1,
                                 pesim_rl_net *q2, uint64_t seed, pesim_rl_sac **out, pesim_error *e)
{
    *out = NULL;
    if (!(cfg->lr > 0) || !(cfg->critic_lr > 0) || !(cfg->gamma >= 0 && cfg->gamma <= 1) || !(cfg->alpha >= 0) ||
        !(cfg->tau > 0 && cfg->tau <= 1) || cfg->batch < 1 || !(cfg->max_grad_norm >= 0) ||
        (cfg->critic != PESIM_RL_SAC_SUM && cfg->critic != PESIM_RL_SAC_PER_HEAD &&
         cfg->critic != PESIM_RL_SAC_JOINT))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "sac",
                               "need lr, critic_lr > 0, gamma in [0, 1], alpha >= 0, tau in (0, 1], batch >= 1, "
                               "max_grad_norm >= 0, critic SUM, PER_HEAD or JOINT");
    if (!actor || !q1 || !q2 || q1 == q2)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac", "need an actor and two distinct critics");
    pesim_rl_sac *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->cfg = *cfg;
    s->actor = actor;
    s->q1 = q1;
    s->q2 = q2;
    pesim_rl_adam_config ac = {cfg->lr, 0, 0, 0, 0}, cc = {cfg->critic_lr, 0, 0, 0, 0};
    pesim_status st = pesim_rl_net_clone(q1, &s->t1, e);
    if (st == PESIM_OK)
        st = pesim_rl_net_clone(q2, &s->t2, e);
    if (st == PESIM_OK)
        st = pesim_rl_adam_create(pesim_rl_net_n_params(actor), &ac, &s->oa, e);
    if (st == PESIM_OK)
        st = pesim_rl_adam_create(pesim_rl_net_n_params(q1), &cc, &s->o1, e);
    if (st == PESIM_OK)
        st = pesim_rl_adam_create(pesim_rl_net_n_params(q2), &cc, &s->o2, e);
    if (st == PESIM_OK && !(s->rng = algo_rng_create(seed)))
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st != PESIM_OK) {
        pesim_rl_sac_destroy(s);
        return st;
    }
    *out = s;
    return PESIM_OK;
}

pesim_status pesim_rl_sac_set_fixed_obs(pesim_rl_sac *s, const double *obs, pesim_error *e)
{
    int32_t d = pesim_rl_net_layout(s->actor)->in_dim;
    double *p = realloc(s->fixed_obs, (size_t)(d > 0 ? d : 1) * sizeof *p);
    if (!p)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    memcpy(p, obs, (size_t)d * sizeof *p);
    s->fixed_obs = p;
    s->fixed_dim = d;
    return PESIM_OK;
}

/* Same heads and output width. */
static int same_layout(const pesim_rl_layout *a, const pesim_rl_layout *b)
{
    if (a->in_dim != b->in_dim || a->n_heads != b->n_heads || a->out_dim != b->out_dim)
        return 0;
    for (int32_t h = 0; h < a->n_heads; h++)
        if (a->head_size[h] != b->head_size[h])
            return 0;
    return 1;
}

/* ------------------------------------------------ the joint critic's input */

int32_t pesim_rl_joint_critic_extra(const pesim_rl_net *actor)
{
    const pesim_rl_gnn_config *g = pesim_rl_net_gnn_config(actor);
    if (!g)
        return pesim_rl_net_layout(actor)->n_logits;
    if (pesim_rl_net_layout(actor)->in_dim == 0)
        return 0;
    int32_t extra = 0;
    for (int32_t d = 0; d < g->n_decisions; d++)
        extra += g->decision_sizes[d];
    return extra;
}

/* The joint critic's in_dim for this actor. */
static int32_t joint_in_dim(const pesim_rl_net *actor)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(actor);
    const pesim_rl_gnn_config *g = pesim_rl_net_gnn_config(actor);
    int32_t extra = pesim_rl_joint_critic_extra(actor);
    return g ? L->in_dim + (L->in_dim / g->in_features) * extra : L->in_dim + extra;
}

void pesim_rl_joint_critic_input(const pesim_rl_net *actor, const double *obs, const int32_t *actions,
                                 int32_t blank, double *x)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(actor);
    const pesim_rl_gnn_config *g = pesim_rl_net_gnn_config(actor);
    memset(x, 0, (size_t)joint_in_dim(actor) * sizeof *x);
    if (!g) {
        memcpy(x, obs, (size_t)L->in_dim * sizeof *x);
        for (int32_t h = 0; h < L->n_heads; h++)
            if (h != blank && actions[h] >= 0 && actions[h] < L->head_size[h])
                x[L->in_dim + L->head_offset[h] + actions[h]] = 1;
        return;
    }
    const int32_t F = g->in_features, D = g->n_decisions, W = F + pesim_rl_joint_critic_extra(actor);
    const int32_t nodes = L->in_dim / F;
    for (int32_t v = 0; v < nodes; v++) {
        double *row = x + (int64_t)v * W;
        memcpy(row, obs + (int64_t)v * F, (size_t)F * sizeof *row);
        int32_t off = F;
        for (int32_t d = 0; d < D; off += g->decision_sizes[d], d++) {
            int32_t h = v * D + d, a = actions[h];
            if (h != blank && a >= 0 && a < g->decision_sizes[d])
                row[off + a] = 1;
        }
    }
}

/* Same heads and outputs; the input is the actor's (or, joint, the joint
 * critic's input for it). */
static int critic_fits(const pesim_rl_net *actor, const pesim_rl_net *q, int joint)
{
    const pesim_rl_layout *A = pesim_rl_net_layout(actor), *Q = pesim_rl_net_layout(q);
    if (!joint)
        return same_layout(A, Q);
    if (Q->in_dim != joint_in_dim(actor) || A->n_heads != Q->n_heads || A->out_dim != Q->out_dim ||
        pesim_rl_net_kind_of(actor) != pesim_rl_net_kind_of(q))
        return 0;
    for (int32_t h = 0; h < A->n_heads; h++)
        if (A->head_size[h] != Q->head_size[h])
            return 0;
    return 1;
}

static pesim_status check_and_size(pesim_rl_sac *s, pesim_rl_replay *rb, pesim_error *e)
{
    const pesim_rl_layout *A = pesim_rl_net_layout(s->actor);
    const int joint = s->cfg.critic == PESIM_RL_SAC_JOINT;
    if (!critic_fits(s->actor, s->q1, joint) || !critic_fits(s->actor, s->q2, joint))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac",
                               joint ? "the joint critics' heads and outputs must be the actor's and their input "
                                       "the joint critic input (%d values)"
                                     : "the critics' inputs, heads and outputs must be the actor's (%d values)",
                               (int)(joint ? joint_in_dim(s->actor) : A->in_dim));
    /* a GNN's graph may have changed since the targets were cloned */
    pesim_status st = PESIM_OK;
    if (pesim_rl_net_kind_of(s->q1) == PESIM_RL_GNN) {
        if (!rl_gnn_same_graph(s->t1, s->q1))
            st = rl_gnn_copy_graph(s->t1, s->q1, e);
        if (st == PESIM_OK && !rl_gnn_same_graph(s->t2, s->q2))
            st = rl_gnn_copy_graph(s->t2, s->q2, e);
        if (st != PESIM_OK)
            return st;
    }
    if (rb->n_heads != A->n_heads || (rb->n_logits && rb->n_logits != A->n_logits))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "replay",
                               "the replay holds %d heads and %d mask entries, the actor has %d heads and %d logits",
                               (int)rb->n_heads, (int)rb->n_logits, (int)A->n_heads, (int)A->n_logits);
    if (rb->obs_dim ? rb->obs_dim != A->in_dim : s->fixed_dim != A->in_dim || !s->fixed_obs)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "replay",
                               rb->obs_dim ? "the replay's observations have %d values, the actor takes %d"
                                           : "the replay stores no observations: give the fixed one (%d values, "
                                             "the actor takes %d) with pesim_rl_sac_set_fixed_obs",
                               (int)(rb->obs_dim ? rb->obs_dim : s->fixed_dim), (int)A->in_dim);
    int32_t B = s->cfg.batch;
    int32_t cin = joint ? joint_in_dim(s->actor) : 0;
    if (s->cap == B && s->in_dim == A->in_dim && s->out_dim == A->out_dim && s->n_heads == A->n_heads &&
        s->n_logits == A->n_logits && s->cin_dim == cin)
        return PESIM_OK;
    scratch_free(s);
    size_t in = (size_t)A->in_dim, od = (size_t)A->out_dim, nl = (size_t)(A->n_logits > 0 ? A->n_logits : 1);
    size_t b = (size_t)B, dz = sizeof(double);
    int ok = (s->obs = malloc(b * in * dz)) && (s->nobs = malloc(b * in * dz)) && (s->rew = malloc(b * dz)) &&
             (s->target = malloc(b * dz)) && (s->out = malloc(b * od * dz)) && (s->dout = malloc(b * od * dz)) &&
             (s->qa = malloc(b * od * dz)) && (s->qb = malloc(b * od * dz)) && (s->dq = malloc(b * od * dz)) &&
             (s->nout = malloc(b * od * dz)) && (s->nqa = malloc(b * od * dz)) && (s->nqb = malloc(b * od * dz)) &&
             (s->w = malloc(b * dz)) &&
             (s->mask = malloc(b * nl)) && (s->nmask = malloc(b * nl)) && (s->done = malloc(b)) &&
             (s->act = malloc(b * (size_t)A->n_heads * sizeof(int32_t)));
    if (ok && joint)
        ok = (s->xj = malloc(b * (size_t)cin * dz)) && (s->actj = malloc(b * (size_t)A->n_heads * sizeof(int32_t))) &&
             (s->pact = malloc(b * (size_t)A->n_heads * sizeof(int32_t))) && (s->headj = malloc(b * sizeof(int32_t))) &&
             (s->mj = malloc(b * nl));
    if (!ok) {
        scratch_free(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (batch %d)", (int)B);
    }
    s->cap = B;
    s->in_dim = A->in_dim;
    s->out_dim = A->out_dim;
    s->n_heads = A->n_heads;
    s->n_logits = A->n_logits;
    s->cin_dim = cin;
    return PESIM_OK;
}

typedef struct ranked_row {
    double reward;
    int64_t age;               /* 0 the oldest row held */
    int64_t row;
} ranked_row;

/* Best reward first; equal rewards the older row first. */
static int by_reward_desc(const void *pa, const void *pb)
{
    const ranked_row *a = pa, *b = pb;
    if (a->reward != b->reward)
        return a->reward > b->reward ? -1 : 1;
    return (a->age > b->age) - (a->age < b->age);
}

/* RANK: (re)builds by_rank and cum for the rows held now, if rows were
 * added since the last build (called with the mutex held). 0: out of
 * memory. */
static int replay_rank(pesim_rl_replay *rb)
{
    if (rb->sorted_n == rb->size && rb->sorted_at == rb->added)
        return 1;
    const int64_t n = rb->size;
    ranked_row *t = malloc((size_t)n * sizeof *t);
    int64_t *by = realloc(rb->by_rank, (size_t)n * sizeof *by);
    if (by)
        rb->by_rank = by;
    double *cum = realloc(rb->cum, (size_t)n * sizeof *cum);
    if (cum)
        rb->cum = cum;
    if (!t || !by || !cum) {
        free(t);
        rb->sorted_n = 0;
        return 0;
    }
    /* the ring's oldest row is `next` once full, row 0 before (next == n) */
    for (int64_t i = 0; i < n; i++)
        t[i] = (ranked_row){rb->reward[i], (i - rb->next + n) % n, i};
    qsort(t, (size_t)n, sizeof *t, by_reward_desc);
    double c = 0;
    for (int64_t k = 0; k < n; k++) {
        by[k] = t[k].row;
        c += pow((double)(k + 1), -rb->alpha);
        cum[k] = c;
    }
    free(t);
    rb->sorted_n = n;
    rb->sorted_at = rb->added;
    return 1;
}

/* RANK: the 0-based rank drawn for a uniform u in [0, 1): the first k with
 * cum[k] > u cum[n - 1]. */
static int64_t draw_rank(const pesim_rl_replay *rb, double u)
{
    const double x = u * rb->cum[rb->sorted_n - 1];
    int64_t lo = 0, hi = rb->sorted_n - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (rb->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

pesim_status pesim_rl_replay_sample_weighted(pesim_rl_replay *rb, gsl_rng *rng, int32_t n, double *obs,
                                             uint8_t *mask, int32_t *actions, double *reward, double *next_obs,
                                             uint8_t *next_mask, uint8_t *done, double *weight, pesim_error *e)
{
    size_t od = (size_t)rb->obs_dim, nl = (size_t)rb->n_logits, nh = (size_t)rb->n_heads;
    pthread_mutex_lock(&rb->mu);
    if (rb->size == 0) {
        pthread_mutex_unlock(&rb->mu);
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "replay", "the replay buffer is empty");
    }
    const int rank = rb->sampling == PESIM_RL_REPLAY_RANK;
    if (rank && !replay_rank(rb)) {
        pthread_mutex_unlock(&rb->mu);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (ranking a replay of %lld)",
                               (long long)rb->size);
    }
    /* RANK's weight of rank k (1-based) of N: (N P(k))^-beta over the
     * largest, that of rank N: (k / N)^(alpha beta). */
    const double ab = rb->alpha * rb->beta, N = (double)rb->size;
    for (int32_t b = 0; b < n; b++) {
        int64_t i;
        double w = 1;
        if (rank) {
            int64_t k = draw_rank(rb, gsl_rng_uniform(rng));
            i = rb->by_rank[k];
            w = pow((double)(k + 1) / N, ab);
        } else {
            i = (int64_t)gsl_rng_uniform_int(rng, (unsigned long)rb->size);
        }
        if (weight)
            weight[b] = w;
        if (od && obs)
            memcpy(obs + b * od, rb->obs + i * (int64_t)od, od * sizeof(double));
        if (od && next_obs)
            memcpy(next_obs + b * od, rb->next_obs + i * (int64_t)od, od * sizeof(double));
        if (nl && mask)
            memcpy(mask + b * nl, rb->mask + i * (int64_t)nl, nl);
        if (nl && next_mask)
            memcpy(next_mask + b * nl, rb->next_mask + i * (int64_t)nl, nl);
        if (actions)
            memcpy(actions + b * nh, rb->actions + i * (int64_t)nh, nh * sizeof(int32_t));
        if (reward)
            reward[b] = rb->reward[i];
        if (done)
            done[b] = rb->done[i];
    }
    pthread_mutex_unlock(&rb->mu);
    return PESIM_OK;
}

pesim_status pesim_rl_replay_sample(pesim_rl_replay *rb, gsl_rng *rng, int32_t n, double *obs, uint8_t *mask,
                                    int32_t *actions, double *reward, double *next_obs, uint8_t *next_mask,
                                    uint8_t *done, pesim_error *e)
{
    return pesim_rl_replay_sample_weighted(rb, rng, n, obs, mask, actions, reward, next_obs, next_mask, done, NULL,
                                           e);
}

/* Draws the batch into the scratch; the actions must fit the heads. */
static pesim_status draw_batch(pesim_rl_sac *s, pesim_rl_replay *rb, pesim_error *e)
{
    int32_t B = s->cfg.batch;
    size_t in = (size_t)s->in_dim;
    pesim_status st = pesim_rl_replay_sample_weighted(rb, s->rng, B, s->obs, s->mask, s->act, s->rew, s->nobs,
                                                      s->nmask, s->done, s->w, e);
    if (st != PESIM_OK)
        return st;
    if (!rb->obs_dim)
        for (int32_t b = 0; b < B; b++) {
            memcpy(s->obs + b * in, s->fixed_obs, in * sizeof(double));
            memcpy(s->nobs + b * in, s->fixed_obs, in * sizeof(double));
        }
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    for (int32_t b = 0; b < B; b++)
        for (int32_t h = 0; h < L->n_heads; h++) {
            int32_t a = s->act[(size_t)b * L->n_heads + h];
            if (a < -1 || a >= L->head_size[h])
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "actions",
                                       "a stored action of head %d is %d, outside [-1, %d)", (int)h, (int)a,
                                       (int)L->head_size[h]);
        }
    return PESIM_OK;
}

/* JOINT: per row b, one head drawn uniformly among those acting in
 * acts[b] (headj[b], -1 if none), the critic input of obs[b] and acts[b]
 * with that head blanked (xj), and acts[b] with only that head kept
 * (actj). */
static void joint_rows(pesim_rl_sac *s, const double *obs, const int32_t *acts, int32_t B)
{
    const int32_t H = s->n_heads;
    for (int32_t b = 0; b < B; b++) {
        const int32_t *a = acts + (int64_t)b * H;
        int32_t n = 0, h = -1;
        for (int32_t k = 0; k < H; k++)
            n += a[k] >= 0;
        if (n > 0)
            for (int32_t k = 0, pick = (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)n); k < H; k++)
                if (a[k] >= 0 && pick-- == 0) {
                    h = k;
                    break;
                }
        s->headj[b] = h;
        pesim_rl_joint_critic_input(s->actor, obs + (int64_t)b * s->in_dim, a, h, s->xj + (int64_t)b * s->cin_dim);
        for (int32_t k = 0; k < H; k++)
            s->actj[(int64_t)b * H + k] = k == h ? a[k] : -1;
    }
}

/* JOINT targets' V'(s'): a joint action a' drawn from pi(s'), one head h,
 * sum_j pi_h(j|s') min(Q1', Q2')(s', a'_-h, j) + alpha sum_k H_k(pi(s')),
 * added (times gamma) to the targets of the rows that are not done. */
static pesim_status joint_targets(pesim_rl_sac *s, pesim_error *e)
{
    int32_t B = s->cfg.batch;
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    const uint8_t *nmask = s->has_mask ? s->nmask : NULL;
    pesim_status st = pesim_rl_net_forward(s->actor, s->nobs, B, s->nout, e);
    if (st != PESIM_OK)
        return st;
    pesim_rl_heads_pick(L, s->nout, nmask, B, PESIM_RL_SAMPLE, s->rng, s->pact, NULL);
    joint_rows(s, s->nobs, s->pact, B);
    if ((st = pesim_rl_net_forward(s->t1, s->xj, B, s->nqa, e)) != PESIM_OK ||
        (st = pesim_rl_net_forward(s->t2, s->xj, B, s->nqb, e)) != PESIM_OK)
        return st;
    for (int32_t b = 0; b < B; b++) {
        int32_t h = s->headj[b];
        if (s->done[b] || h < 0)
            continue;
        int64_t ro = (int64_t)b * L->out_dim;
        const uint8_t *mrow = nmask ? nmask + (int64_t)b * L->n_logits : NULL;
        double v = 0, ent = 0;
        for (int32_t k = 0; k < L->n_heads; k++) {
            int32_t off = L->head_offset[k], n = L->head_size[k];
            const uint8_t *m = mrow ? mrow + off : NULL;
            double lse = rl_head_lse(s->nout + ro + off, m, n);
            if (lse == -INFINITY)
                continue;
            ent += rl_head_entropy(s->nout + ro + off, m, n, lse);
            if (k != h)
                continue;
            for (int32_t j = 0; j < n; j++)
                if (!m || m[j]) {
                    double qa = s->nqa[ro + off + j], qb = s->nqb[ro + off + j];
                    v += exp(s->nout[ro + off + j] - lse) * (qa < qb ? qa : qb);
                }
        }
        s->target[b] += s->cfg.gamma * (v + s->cfg.alpha * ent);
    }
    return PESIM_OK;
}

/* JOINT actor step's critic values: a joint action drawn from the actor's
 * output s->out per row, one head per row (the others' actions as the
 * critics' input), both critics' outputs in qa, qb, and mj the row's mask
 * with every other head masked out, so that pesim_rl_loss_sac_actor takes
 * that head's term only. */
static pesim_status joint_actor_q(pesim_rl_sac *s, const uint8_t *mask, pesim_error *e)
{
    int32_t B = s->cfg.batch;
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    pesim_rl_heads_pick(L, s->out, mask, B, PESIM_RL_SAMPLE, s->rng, s->pact, NULL);
    joint_rows(s, s->obs, s->pact, B);
    pesim_status st = pesim_rl_net_forward(s->q1, s->xj, B, s->qa, e);
    if (st == PESIM_OK)
        st = pesim_rl_net_forward(s->q2, s->xj, B, s->qb, e);
    if (st != PESIM_OK)
        return st;
    size_t nl = (size_t)L->n_logits;
    memset(s->mj, 0, (size_t)B * nl);
    for (int32_t b = 0; b < B; b++) {
        int32_t h = s->headj[b];
        if (h < 0)
            continue;
        uint8_t *dst = s->mj + b * nl + L->head_offset[h];
        if (mask)
            memcpy(dst, mask + b * nl + L->head_offset[h], (size_t)L->head_size[h]);
        else
            memset(dst, 1, (size_t)L->head_size[h]);
    }
    return PESIM_OK;
}

/* y = r + gamma (1 - d) V'(s'), V' the sum (SUM critic) or the mean
 * (PER_HEAD) of the active heads' soft values (JOINT: joint_targets). */
static pesim_status targets(pesim_rl_sac *s, pesim_error *e)
{
    int32_t B = s->cfg.batch;
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    int any = 0;
    for (int32_t b = 0; b < B; b++)
        any |= !s->done[b];
    for (int32_t b = 0; b < B; b++)
        s->target[b] = s->rew[b];
    if (!any || s->cfg.gamma == 0)
        return PESIM_OK;
    if (s->cfg.critic == PESIM_RL_SAC_JOINT)
        return joint_targets(s, e);
    pesim_status st = pesim_rl_net_forward(s->actor, s->nobs, B, s->nout, e);
    if (st == PESIM_OK)
        st = pesim_rl_net_forward(s->t1, s->nobs, B, s->nqa, e);
    if (st == PESIM_OK)
        st = pesim_rl_net_forward(s->t2, s->nobs, B, s->nqb, e);
    if (st != PESIM_OK)
        return st;
    double alpha = s->cfg.alpha;
    for (int32_t b = 0; b < B; b++) {
        if (s->done[b])
            continue;
        int64_t ro = (int64_t)b * L->out_dim;
        const uint8_t *mrow = s->has_mask ? s->nmask + (int64_t)b * L->n_logits : NULL;
        double v = 0;
        int32_t heads = 0;
        for (int32_t h = 0; h < L->n_heads; h++) {
            int32_t off = L->head_offset[h], n = L->head_size[h];
            const double *z = s->nout + ro + off;
            const uint8_t *m = mrow ? mrow + off : NULL;
            double lse = rl_head_lse(z, m, n);
            if (lse == -INFINITY)
                continue;
            for (int32_t j = 0; j < n; j++)
                if (!m || m[j]) {
                    double lp = z[j] - lse, qa = s->nqa[ro + off + j], qb = s->nqb[ro + off + j];
                    v += exp(lp) * ((qa < qb ? qa : qb) - alpha * lp);
                }
            heads++;
        }
        if (heads > 0)
            s->target[b] += s->cfg.gamma * (s->cfg.critic == PESIM_RL_SAC_SUM ? v : v / heads);
    }
    return PESIM_OK;
}

pesim_status pesim_rl_sac_update(pesim_rl_sac *s, pesim_rl_replay *rb, int32_t n_steps, pesim_rl_sac_stats *stats,
                                 pesim_error *e)
{
    if (pesim_rl_replay_size(rb) == 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "replay", "the replay buffer is empty");
    pesim_status st = check_and_size(s, rb, e);
    if (st != PESIM_OK)
        return st;
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    int32_t B = s->cfg.batch;
    size_t od = (size_t)L->out_dim * (size_t)B * sizeof(double);
    s->has_mask = rb->n_logits > 0;
    const uint8_t *mask = s->has_mask ? s->mask : NULL;
    const int joint = s->cfg.critic == PESIM_RL_SAC_JOINT;
    pesim_rl_sac_stats S = {0, 0, 0, 0};
    /* the nets are the caller's: their gradients are zeroed once here, and
     * each rl_adam_step_clear leaves them zero for the next step */
    pesim_rl_net_zero_grad(s->q1);
    pesim_rl_net_zero_grad(s->q2);
    pesim_rl_net_zero_grad(s->actor);
    for (int32_t k = 0; k < n_steps; k++) {
        if ((st = draw_batch(s, rb, e)) != PESIM_OK)
            return st;
        if ((st = targets(s, e)) != PESIM_OK)
            return st;
        int weighted = 0;
        for (int32_t b = 0; b < B; b++)
            weighted |= s->w[b] != 1;
        /* critics */
        pesim_rl_net *q[2] = {s->q1, s->q2};
        pesim_rl_adam *o[2] = {s->o1, s->o2};
        S.critic_loss = 0;
        if (joint) /* the replay's actions, one head blanked per row */
            joint_rows(s, s->obs, s->act, B);
        for (int32_t i = 0; i < 2; i++) {
            if ((st = pesim_rl_net_forward(q[i], joint ? s->xj : s->obs, B, s->qa, e)) != PESIM_OK)
                return st;
            memset(s->dq, 0, od);
            S.critic_loss += 0.5 * (s->cfg.critic == PESIM_RL_SAC_SUM
                                        ? pesim_rl_loss_sac_critic_sum(L, s->qa, s->act, s->target, B, s->dq)
                                        : pesim_rl_loss_sac_critic(L, s->qa, joint ? s->actj : s->act, s->target,
                                                                   B, s->dq));
            if (weighted) /* row b's error counts w_b times */
                for (int32_t b = 0; b < B; b++)
                    for (int32_t j = 0; j < L->out_dim; j++)
                        s->dq[(int64_t)b * L->out_dim + j] *= s->w[b];
            if ((st = pesim_rl_net_backward(q[i], s->dq, e)) != PESIM_OK)
                return st;
        }
        /* both critics' Adam steps after both backward passes (neither
         * reads the other), so that q2's gradient norm is summed in q1's
         * Adam pass */
        double norm = rl_grad_norm(s->q1->grads, s->q1->n_params);
        norm = rl_adam_step_clear(o[0], s->q1->params, s->q1->grads, norm, s->cfg.max_grad_norm, s->q2->grads,
                                  s->q2->n_params);
        rl_adam_step_clear(o[1], s->q2->params, s->q2->grads, norm, s->cfg.max_grad_norm, NULL, 0);
        /* actor, on the updated critics */
        if (!joint && ((st = pesim_rl_net_forward(s->q1, s->obs, B, s->qa, e)) != PESIM_OK ||
                       (st = pesim_rl_net_forward(s->q2, s->obs, B, s->qb, e)) != PESIM_OK))
            return st;
        if ((st = pesim_rl_net_forward(s->actor, s->obs, B, s->out, e)) != PESIM_OK)
            return st;
        if (joint && (st = joint_actor_q(s, mask, e)) != PESIM_OK)
            return st;
        memset(s->dout, 0, od);
        S.actor_loss = pesim_rl_loss_sac_actor(L, s->out, joint ? s->mj : mask, s->qa, s->qb, s->cfg.alpha, B,
                                               s->dout);
        /* the actor's step, and the targets: t1's Polyak pass (the critics
         * are final) sums the actor's gradient norm */
        double anorm = 0;
        if ((st = pesim_rl_net_backward(s->actor, s->dout, e)) != PESIM_OK ||
            (st = rl_net_polyak_norm(s->t1, s->q1, s->cfg.tau, s->actor->grads, s->actor->n_params, &anorm, e)) !=
                PESIM_OK)
            return st;
        rl_adam_step_clear(s->oa, s->actor->params, s->actor->grads, anorm, s->cfg.max_grad_norm, NULL, 0);
        if ((st = pesim_rl_net_polyak(s->t2, s->q2, s->cfg.tau, e)) != PESIM_OK)
            return st;
        /* stats: the entropy of the actor's heads before its step, the mean target */
        S.entropy = 0;
        S.mean_target = 0;
        for (int32_t b = 0; b < B; b++) {
            S.mean_target += s->target[b] / B;
            const uint8_t *mrow = mask ? mask + (int64_t)b * L->n_logits : NULL;
            for (int32_t h = 0; h < L->n_heads; h++) {
                const double *z = s->out + (int64_t)b * L->out_dim + L->head_offset[h];
                const uint8_t *m = mrow ? mrow + L->head_offset[h] : NULL;
                double lse = rl_head_lse(z, m, L->head_size[h]);
                if (lse > -INFINITY)
                    S.entropy += rl_head_entropy(z, m, L->head_size[h], lse) / B;
            }
        }
    }
    if (stats)
        *stats = S;
    return PESIM_OK;
}

/* ------------------------------------------------ the critics' value (diagnostic) */

/* One critic's Q of each of rows joint actions from its output rows (out,
 * per = 1 row per action; JOINT: per = n_heads rows per action, row k with
 * head k blanked): SUM the sum, PER_HEAD the mean of the active heads'
 * Q_h(s, a_h); JOINT the mean of Q(s, a_-h, a_h). */
static void critic_values(const pesim_rl_sac *s, const pesim_rl_layout *L, const double *out, const int32_t *acts,
                          int32_t rows, double *v)
{
    const int joint = s->cfg.critic == PESIM_RL_SAC_JOINT;
    for (int32_t i = 0; i < rows; i++) {
        const int32_t *a = acts + (int64_t)i * L->n_heads;
        double sum = 0;
        int32_t heads = 0;
        for (int32_t h = 0; h < L->n_heads; h++) {
            if (a[h] < 0)
                continue;
            const double *row = out + ((int64_t)i * (joint ? L->n_heads : 1) + (joint ? h : 0)) * L->out_dim;
            sum += row[L->head_offset[h] + a[h]];
            heads++;
        }
        v[i] = heads == 0 ? 0 : s->cfg.critic == PESIM_RL_SAC_SUM ? sum : sum / heads;
    }
}

pesim_status pesim_rl_sac_q(pesim_rl_sac *s, const double *obs, const int32_t *actions, int32_t n, double *q,
                            pesim_error *e)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    const int joint = s->cfg.critic == PESIM_RL_SAC_JOINT;
    if (!obs && (!s->fixed_obs || s->fixed_dim != L->in_dim))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac",
                               "no observation: give one per row or the fixed one (pesim_rl_sac_set_fixed_obs)");
    if (!critic_fits(s->actor, s->q1, joint) || !critic_fits(s->actor, s->q2, joint))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac", "the critics do not fit the actor");
    for (int64_t k = 0; k < (int64_t)n * L->n_heads; k++)
        if (actions[k] < -1 || actions[k] >= L->head_size[k % L->n_heads])
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "actions",
                                   "action %d of head %d is outside [-1, %d)", (int)actions[k],
                                   (int)(k % L->n_heads), (int)L->head_size[k % L->n_heads]);
    enum { CHUNK = 64 }; /* joint actions per forward pass */
    const int32_t per = joint ? L->n_heads : 1, in = L->in_dim, cin = joint ? joint_in_dim(s->actor) : in;
    const size_t rows = (size_t)CHUNK * (size_t)per;
    double *x = malloc(rows * (size_t)cin * sizeof *x), *oa = malloc(rows * (size_t)L->out_dim * sizeof *oa);
    double *ob = malloc(rows * (size_t)L->out_dim * sizeof *ob), *va = malloc(CHUNK * sizeof *va);
    double *vb = malloc(CHUNK * sizeof *vb);
    pesim_status st = x && oa && ob && va && vb ? PESIM_OK
                                                : pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (int32_t i0 = 0; st == PESIM_OK && i0 < n; i0 += CHUNK) {
        const int32_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (int32_t i = 0; i < m; i++) {
            const double *o = obs ? obs + (int64_t)(i0 + i) * in : s->fixed_obs;
            const int32_t *a = actions + (int64_t)(i0 + i) * L->n_heads;
            for (int32_t r = 0; r < per; r++) {
                double *xr = x + ((int64_t)i * per + r) * cin;
                if (joint)
                    pesim_rl_joint_critic_input(s->actor, o, a, r, xr);
                else
                    memcpy(xr, o, (size_t)in * sizeof *xr);
            }
        }
        if ((st = pesim_rl_net_forward(s->q1, x, m * per, oa, e)) != PESIM_OK ||
            (st = pesim_rl_net_forward(s->q2, x, m * per, ob, e)) != PESIM_OK)
            break;
        critic_values(s, L, oa, actions + (int64_t)i0 * L->n_heads, m, va);
        critic_values(s, L, ob, actions + (int64_t)i0 * L->n_heads, m, vb);
        for (int32_t i = 0; i < m; i++)
            q[i0 + i] = va[i] < vb[i] ? va[i] : vb[i];
    }
    free(x);
    free(oa);
    free(ob);
    free(va);
    free(vb);
    return st;
}

/* ------------------------------------- a population member's actor steps */

pesim_status pesim_rl_sac_actor_steps(pesim_rl_sac *s, pesim_rl_net *actor, const uint8_t *mask, int32_t n_steps,
                                      pesim_error *e)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(s->actor);
    if (s->cfg.critic == PESIM_RL_SAC_JOINT)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac",
                               "actor steps need an additive or per-head critic (a joint critic's Q depends on the "
                               "other heads' actions)");
    if (!s->fixed_obs || s->fixed_dim != L->in_dim)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac",
                               "actor steps need the fixed observation (pesim_rl_sac_set_fixed_obs)");
    if (!actor || !same_layout(L, pesim_rl_net_layout(actor)) || !critic_fits(s->actor, s->q1, 0) ||
        !critic_fits(s->actor, s->q2, 0))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "sac", "the actor's heads are not the learner's");
    if (n_steps <= 0)
        return PESIM_OK;
    const size_t od = (size_t)L->out_dim;
    double *qa = malloc(od * sizeof *qa), *qb = malloc(od * sizeof *qb);
    double *out = malloc(od * sizeof *out), *dout = malloc(od * sizeof *dout);
    pesim_rl_adam *opt = NULL;
    pesim_rl_adam_config ac = {s->cfg.lr, 0, 0, 0, 0};
    pesim_status st = qa && qb && out && dout ? PESIM_OK
                                              : pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st == PESIM_OK)
        st = pesim_rl_adam_create(actor->n_params, &ac, &opt, e);
    /* the critics do not change: their Q-values at the fixed observation once */
    if (st == PESIM_OK && (st = pesim_rl_net_forward(s->q1, s->fixed_obs, 1, qa, e)) == PESIM_OK)
        st = pesim_rl_net_forward(s->q2, s->fixed_obs, 1, qb, e);
    if (st == PESIM_OK)
        pesim_rl_net_zero_grad(actor);
    for (int32_t k = 0; st == PESIM_OK && k < n_steps; k++) {
        if ((st = pesim_rl_net_forward(actor, s->fixed_obs, 1, out, e)) != PESIM_OK)
            break;
        memset(dout, 0, od * sizeof *dout);
        pesim_rl_loss_sac_actor(L, out, mask, qa, qb, s->cfg.alpha, 1, dout);
        if ((st = pesim_rl_net_backward(actor, dout, e)) != PESIM_OK)
            break;
        pesim_rl_net_adam_step(actor, opt, s->cfg.max_grad_norm);
    }
    pesim_rl_adam_destroy(opt);
    free(qa);
    free(qb);
    free(out);
    free(dout);
    return st;
}
