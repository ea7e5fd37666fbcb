/* search/rl/pg.c - on-policy rollouts and the policy-gradient learners:
 * REINFORCE with a learned baseline, A2C and PPO-clip (docs/rl.md).
 *
 * Returns and advantages, per transition t of the rollout (d_t = done):
 *   REINFORCE: G_t = r_t + gamma (1 - d_t) G_{t+1};  A_t = G_t - V(s_t)
 *   A2C, PPO:  delta_t = r_t + gamma (1 - d_t) V(s_{t+1}) - V(s_t)
 *              A_t = delta_t + gamma lambda (1 - d_t) A_{t+1}     (GAE)
 * with V(s_{n}) the value of the bootstrap state of a cut rollout. Value
 * targets: A_t + V(s_t) (= G_t for REINFORCE). A value head on the actor
 * is trained with the actor (loss policy + value_coef * value); a separate
 * critic with its own Adam. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../algo_impl.h"
#include "rl_impl.h"

/* ------------------------------------------------------------- rollouts */

struct pesim_rl_rollout {
    int32_t obs_dim, critic_dim, n_heads, n_logits;
    int32_t n;
    int64_t cap;
    double *obs, *cobs, *reward;
    uint8_t *mask, *done;
    int32_t *actions;
    double *boot;              /* critic input of the state after the last transition */
    int has_boot;
};

pesim_status pesim_rl_rollout_create(int32_t obs_dim, int32_t critic_dim, int32_t n_heads, int32_t n_logits,
                                     pesim_rl_rollout **out, pesim_error *e)
{
    *out = NULL;
    if (obs_dim < 1 || critic_dim < 0 || n_heads < 1 || n_logits < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "rollout",
                               "need obs_dim >= 1, critic_dim >= 0, n_heads >= 1, n_logits >= 0 "
                               "(got %d, %d, %d, %d)", (int)obs_dim, (int)critic_dim, (int)n_heads, (int)n_logits);
    pesim_rl_rollout *r = calloc(1, sizeof *r);
    if (!r)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    r->obs_dim = obs_dim;
    r->critic_dim = critic_dim;
    r->n_heads = n_heads;
    r->n_logits = n_logits;
    r->boot = malloc((size_t)(critic_dim > 0 ? critic_dim : obs_dim) * sizeof(double));
    if (!r->boot) {
        free(r);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    *out = r;
    return PESIM_OK;
}

void pesim_rl_rollout_destroy(pesim_rl_rollout *r)
{
    if (!r)
        return;
    free(r->obs);
    free(r->cobs);
    free(r->reward);
    free(r->mask);
    free(r->done);
    free(r->actions);
    free(r->boot);
    free(r);
}

static int rollout_reserve(pesim_rl_rollout *r, int64_t n)
{
    if (n <= r->cap)
        return 1;
    int64_t c = r->cap > 0 ? 2 * r->cap : 64;
    while (c < n)
        c *= 2;
    double *o = realloc(r->obs, (size_t)c * (size_t)r->obs_dim * sizeof *o);
    if (o)
        r->obs = o;
    double *co = r->critic_dim ? realloc(r->cobs, (size_t)c * (size_t)r->critic_dim * sizeof *co) : r->cobs;
    if (co)
        r->cobs = co;
    double *rw = realloc(r->reward, (size_t)c * sizeof *rw);
    if (rw)
        r->reward = rw;
    uint8_t *m = r->n_logits ? realloc(r->mask, (size_t)c * (size_t)r->n_logits) : r->mask;
    if (m)
        r->mask = m;
    uint8_t *d = realloc(r->done, (size_t)c);
    if (d)
        r->done = d;
    int32_t *a = realloc(r->actions, (size_t)c * (size_t)r->n_heads * sizeof *a);
    if (a)
        r->actions = a;
    if (!o || (r->critic_dim && !co) || !rw || (r->n_logits && !m) || !d || !a)
        return 0;
    r->cap = c;
    return 1;
}

pesim_status pesim_rl_rollout_add(pesim_rl_rollout *r, const double *obs, const double *critic_obs,
                                  const uint8_t *mask, const int32_t *actions, double reward, int done,
                                  pesim_error *e)
{
    if ((r->critic_dim && !critic_obs) || (r->n_logits && !mask) || !obs || !actions)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "rollout",
                               "missing %s", !obs ? "obs" : !actions ? "actions" : !mask && r->n_logits ? "mask"
                                                                                                : "critic_obs");
    if (!isfinite(reward))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "reward", "not finite (%g)", reward);
    if (r->n == INT32_MAX || !rollout_reserve(r, (int64_t)r->n + 1))
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (rollout of %d)", (int)r->n);
    int64_t t = r->n;
    memcpy(r->obs + t * r->obs_dim, obs, (size_t)r->obs_dim * sizeof(double));
    if (r->critic_dim)
        memcpy(r->cobs + t * r->critic_dim, critic_obs, (size_t)r->critic_dim * sizeof(double));
    if (r->n_logits)
        memcpy(r->mask + t * r->n_logits, mask, (size_t)r->n_logits);
    memcpy(r->actions + t * r->n_heads, actions, (size_t)r->n_heads * sizeof(int32_t));
    r->reward[t] = reward;
    r->done[t] = done != 0;
    r->n++;
    r->has_boot = 0;
    return PESIM_OK;
}

pesim_status pesim_rl_rollout_set_bootstrap(pesim_rl_rollout *r, const double *critic_obs, pesim_error *e)
{
    if (!critic_obs)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "rollout", "no bootstrap observation");
    memcpy(r->boot, critic_obs, (size_t)(r->critic_dim ? r->critic_dim : r->obs_dim) * sizeof(double));
    r->has_boot = 1;
    return PESIM_OK;
}

void pesim_rl_rollout_clear(pesim_rl_rollout *r)
{
    r->n = 0;
    r->has_boot = 0;
}

int32_t pesim_rl_rollout_size(const pesim_rl_rollout *r) { return r->n; }

/* -------------------------------------------------------------- learner */

struct pesim_rl_pg {
    pesim_rl_pg_config cfg;
    pesim_rl_net *actor, *critic;  /* critic NULL: the actor's value output 0 */
    pesim_rl_adam *opt_a, *opt_c;
    gsl_rng *rng;
};

void pesim_rl_pg_config_default(pesim_rl_pg_kind kind, pesim_rl_pg_config *c)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->lr = 3e-4;
    c->critic_lr = 1e-3;
    c->gamma = 0.99;
    c->gae_lambda = kind == PESIM_RL_PPO ? 0.95 : 1.0;
    c->entropy_coef = 0.01;
    c->value_coef = 0.5;
    c->max_grad_norm = 0.5;
    c->clip = 0.2;
    c->epochs = kind == PESIM_RL_PPO ? 4 : 1;
    c->minibatch = kind == PESIM_RL_PPO ? 64 : 0;
    c->normalize_advantages = kind == PESIM_RL_PPO;
}

static pesim_status check_config(const pesim_rl_pg_config *c, pesim_error *e)
{
    if (c->kind != PESIM_RL_REINFORCE && c->kind != PESIM_RL_A2C && c->kind != PESIM_RL_PPO)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "kind", "unknown learner %d", (int)c->kind);
    if (!(c->lr > 0) || !(c->critic_lr > 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "lr", "learning rates must be > 0 (%g, %g)", c->lr,
                               c->critic_lr);
    if (!(c->gamma >= 0 && c->gamma <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "gamma", "must be in [0, 1], got %g", c->gamma);
    if (!(c->gae_lambda >= 0 && c->gae_lambda <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "gae_lambda", "must be in [0, 1], got %g",
                               c->gae_lambda);
    if (!(c->entropy_coef >= 0) || !(c->value_coef > 0) || !(c->max_grad_norm >= 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "coef",
                               "entropy_coef >= 0, value_coef > 0, max_grad_norm >= 0 (got %g, %g, %g)",
                               c->entropy_coef, c->value_coef, c->max_grad_norm);
    if (c->kind == PESIM_RL_PPO && (!(c->clip > 0) || c->epochs < 1 || c->minibatch < 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "ppo",
                               "clip > 0, epochs >= 1, minibatch >= 0 (got %g, %d, %d)", c->clip, (int)c->epochs,
                               (int)c->minibatch);
    return PESIM_OK;
}

void pesim_rl_pg_destroy(pesim_rl_pg *pg)
{
    if (!pg)
        return;
    pesim_rl_adam_destroy(pg->opt_a);
    pesim_rl_adam_destroy(pg->opt_c);
    if (pg->rng)
        gsl_rng_free(pg->rng);
    free(pg);
}

pesim_status pesim_rl_pg_create(const pesim_rl_pg_config *cfg, pesim_rl_net *actor, pesim_rl_net *critic,
                                uint64_t seed, pesim_rl_pg **out, pesim_error *e)
{
    *out = NULL;
    pesim_status st = check_config(cfg, e);
    if (st != PESIM_OK)
        return st;
    if (!actor)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "actor", "no actor network");
    if (critic == actor)
        critic = NULL;
    if (!critic && pesim_rl_net_layout(actor)->n_values < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "critic",
                               "no critic, and the actor has no value output to use instead");
    if (critic && pesim_rl_net_layout(critic)->n_values < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "critic", "the critic has no value output");
    pesim_rl_pg *pg = calloc(1, sizeof *pg);
    if (!pg)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    pg->cfg = *cfg;
    pg->actor = actor;
    pg->critic = critic;
    pesim_rl_adam_config ac = {cfg->lr, 0, 0, 0, 0}, cc = {cfg->critic_lr, 0, 0, 0, 0};
    st = pesim_rl_adam_create(pesim_rl_net_n_params(actor), &ac, &pg->opt_a, e);
    if (st == PESIM_OK && critic)
        st = pesim_rl_adam_create(pesim_rl_net_n_params(critic), &cc, &pg->opt_c, e);
    if (st == PESIM_OK && !(pg->rng = algo_rng_create(seed)))
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st != PESIM_OK) {
        pesim_rl_pg_destroy(pg);
        return st;
    }
    *out = pg;
    return PESIM_OK;
}

/* Scratch of one update. */
typedef struct pg_work {
    int32_t n, mb;
    double *out, *dout;        /* n x actor out_dim */
    double *cout, *dcout;      /* n x critic out_dim */
    double *values, *adv, *target, *logp_old;
    int32_t *perm;
    double *g_obs, *g_cobs;    /* gathered minibatch */
    uint8_t *g_mask;
    int32_t *g_act;
    double *g_adv, *g_target, *g_old;
} pg_work;

static void work_free(pg_work *w)
{
    free(w->out);
    free(w->dout);
    free(w->cout);
    free(w->dcout);
    free(w->values);
    free(w->adv);
    free(w->target);
    free(w->logp_old);
    free(w->perm);
    free(w->g_obs);
    free(w->g_cobs);
    free(w->g_mask);
    free(w->g_act);
    free(w->g_adv);
    free(w->g_target);
    free(w->g_old);
}

/* One gradient step of a network from dout: backward into its gradient
 * (zero on entry), clip, Adam; leaves the gradient zero. */
static pesim_status net_step(pesim_rl_net *net, pesim_rl_adam *opt, const double *dout, double max_norm,
                             double *norm, pesim_error *e)
{
    pesim_status st = pesim_rl_net_backward(net, dout, e);
    if (st != PESIM_OK)
        return st;
    double g = pesim_rl_net_adam_step(net, opt, max_norm);
    if (norm)
        *norm = g;
    return PESIM_OK;
}

/* Checks the networks' current layouts against the rollout. */
static pesim_status check_shapes(const pesim_rl_pg *pg, const pesim_rl_rollout *r, pesim_error *e)
{
    const pesim_rl_layout *A = pesim_rl_net_layout(pg->actor);
    if (A->in_dim != r->obs_dim || A->n_heads != r->n_heads || (r->n_logits && A->n_logits != r->n_logits))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "rollout",
                               "the rollout (obs %d, heads %d, mask %d) does not fit the actor (in %d, heads %d, "
                               "logits %d)", (int)r->obs_dim, (int)r->n_heads, (int)r->n_logits, (int)A->in_dim,
                               (int)A->n_heads, (int)A->n_logits);
    int32_t cdim = r->critic_dim ? r->critic_dim : r->obs_dim;
    if (pg->critic && pesim_rl_net_layout(pg->critic)->in_dim != cdim)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "critic",
                               "the critic takes %d inputs, the rollout gives %d",
                               (int)pesim_rl_net_layout(pg->critic)->in_dim, (int)cdim);
    if (!pg->critic && r->critic_dim)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "critic",
                               "the rollout has critic observations but the learner has no separate critic");
    return PESIM_OK;
}

/* Copies the rows perm[0..m) of src (rows of row_bytes bytes) into dst. */
static void gather(void *dst, const void *src, const int32_t *perm, int32_t m, size_t row_bytes)
{
    for (int32_t i = 0; i < m; i++)
        memcpy((char *)dst + (size_t)i * row_bytes, (const char *)src + (size_t)perm[i] * row_bytes, row_bytes);
}

pesim_status pesim_rl_pg_update(pesim_rl_pg *pg, const pesim_rl_rollout *r, pesim_rl_update_stats *stats,
                                pesim_error *e)
{
    const pesim_rl_pg_config *c = &pg->cfg;
    pesim_rl_update_stats S;
    memset(&S, 0, sizeof S);
    S.n = r->n;
    if (stats)
        *stats = S;
    if (r->n == 0)
        return PESIM_OK;
    pesim_status st = check_shapes(pg, r, e);
    if (st != PESIM_OK)
        return st;
    int32_t n = r->n;
    int last_cut = !r->done[n - 1];
    if (last_cut && c->kind == PESIM_RL_REINFORCE)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "rollout",
                               "REINFORCE needs complete episodes: the last transition is not done");
    if (last_cut && !r->has_boot)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "rollout",
                               "the rollout ends mid-episode: give its bootstrap state "
                               "(pesim_rl_rollout_set_bootstrap)");

    const pesim_rl_layout *A = pesim_rl_net_layout(pg->actor);
    const pesim_rl_layout *C = pg->critic ? pesim_rl_net_layout(pg->critic) : A;
    int32_t ad = A->out_dim, cd = C->out_dim;
    int32_t cdim = r->critic_dim ? r->critic_dim : r->obs_dim;
    const double *cobs = r->critic_dim ? r->cobs : r->obs;
    const uint8_t *mask = r->n_logits ? r->mask : NULL;
    int32_t mb = c->kind == PESIM_RL_PPO && c->minibatch > 0 && c->minibatch < n ? c->minibatch : n;

    pg_work w;
    memset(&w, 0, sizeof w);
    size_t nd = (size_t)n;
    int ok = (w.out = malloc(nd * (size_t)ad * sizeof(double))) && (w.dout = malloc(nd * (size_t)ad * sizeof(double))) &&
             (w.cout = malloc((nd + 1) * (size_t)cd * sizeof(double))) &&
             (w.dcout = malloc(nd * (size_t)cd * sizeof(double))) && (w.values = malloc((nd + 1) * sizeof(double))) &&
             (w.adv = malloc(nd * sizeof(double))) && (w.target = malloc(nd * sizeof(double))) &&
             (w.logp_old = malloc(nd * sizeof(double))) && (w.perm = malloc(nd * sizeof(int32_t))) &&
             (w.g_obs = malloc((size_t)mb * (size_t)r->obs_dim * sizeof(double))) &&
             (w.g_cobs = malloc((size_t)mb * (size_t)cdim * sizeof(double))) &&
             (w.g_mask = malloc((size_t)mb * (size_t)(r->n_logits ? r->n_logits : 1))) &&
             (w.g_act = malloc((size_t)mb * (size_t)r->n_heads * sizeof(int32_t))) &&
             (w.g_adv = malloc((size_t)mb * sizeof(double))) && (w.g_target = malloc((size_t)mb * sizeof(double))) &&
             (w.g_old = malloc((size_t)mb * sizeof(double)));
    if (!ok) {
        work_free(&w);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (rollout of %d)", (int)n);
    }

    /* values V(s_t) (and of the bootstrap state), and the old log-probabilities */
    if (pg->critic) {
        st = pesim_rl_net_forward(pg->critic, cobs, n, w.cout, e);
        if (st == PESIM_OK && last_cut)
            st = pesim_rl_net_forward(pg->critic, r->boot, 1, w.cout + (size_t)n * cd, e);
    } else if (last_cut) {
        st = pesim_rl_net_forward(pg->actor, r->boot, 1, w.cout + (size_t)n * cd, e);
    }
    if (st == PESIM_OK)
        st = pesim_rl_net_forward(pg->actor, r->obs, n, w.out, e);
    if (st == PESIM_OK)
        st = pesim_rl_heads_logp(A, w.out, mask, r->actions, n, w.logp_old, NULL, e);
    if (st != PESIM_OK) {
        work_free(&w);
        return st;
    }
    for (int32_t t = 0; t < n; t++)
        w.values[t] = pg->critic ? w.cout[(size_t)t * cd + C->n_logits] : w.out[(size_t)t * ad + A->n_logits];
    w.values[n] = last_cut ? w.cout[(size_t)n * cd + C->n_logits] : 0;

    /* advantages and value targets */
    double next_g = w.values[n], next_a = 0;
    for (int32_t t = n - 1; t >= 0; t--) {
        double nd_ = r->done[t] ? 0 : 1;
        if (c->kind == PESIM_RL_REINFORCE) {
            next_g = r->reward[t] + c->gamma * nd_ * next_g;
            w.target[t] = next_g;
            w.adv[t] = next_g - w.values[t];
        } else {
            double delta = r->reward[t] + c->gamma * nd_ * w.values[t + 1] - w.values[t];
            next_a = delta + c->gamma * c->gae_lambda * nd_ * next_a;
            w.adv[t] = next_a;
            w.target[t] = next_a + w.values[t];
        }
    }
    for (int32_t t = 0; t < n; t++)
        S.mean_return += w.target[t] / n;
    if (c->normalize_advantages && n > 1) {
        double m = 0, v = 0;
        for (int32_t t = 0; t < n; t++)
            m += w.adv[t] / n;
        for (int32_t t = 0; t < n; t++)
            v += (w.adv[t] - m) * (w.adv[t] - m) / n;
        double sd = sqrt(v) + 1e-8;
        for (int32_t t = 0; t < n; t++)
            w.adv[t] = (w.adv[t] - m) / sd;
    }

    /* gradient steps: REINFORCE and A2C one on the whole rollout, PPO
     * epochs x minibatches */
    int32_t epochs = c->kind == PESIM_RL_PPO ? c->epochs : 1;
    for (int32_t t = 0; t < n; t++)
        w.perm[t] = t;
    int32_t steps = 0;
    /* zeroed once: each net_step leaves its network's gradient zero */
    pesim_rl_net_zero_grad(pg->actor);
    if (pg->critic)
        pesim_rl_net_zero_grad(pg->critic);
    for (int32_t ep = 0; ep < epochs && st == PESIM_OK; ep++) {
        if (c->kind == PESIM_RL_PPO && mb < n)
            gsl_ran_shuffle(pg->rng, w.perm, (size_t)n, sizeof(int32_t));
        for (int32_t s0 = 0; s0 < n && st == PESIM_OK; s0 += mb) {
            int32_t m = n - s0 < mb ? n - s0 : mb;
            const int32_t *idx = w.perm + s0;
            gather(w.g_obs, r->obs, idx, m, (size_t)r->obs_dim * sizeof(double));
            gather(w.g_cobs, cobs, idx, m, (size_t)cdim * sizeof(double));
            if (mask)
                gather(w.g_mask, mask, idx, m, (size_t)r->n_logits);
            gather(w.g_act, r->actions, idx, m, (size_t)r->n_heads * sizeof(int32_t));
            gather(w.g_adv, w.adv, idx, m, sizeof(double));
            gather(w.g_target, w.target, idx, m, sizeof(double));
            gather(w.g_old, w.logp_old, idx, m, sizeof(double));
            /* actor (and its value head) */
            st = pesim_rl_net_forward(pg->actor, w.g_obs, m, w.out, e);
            if (st != PESIM_OK)
                break;
            memset(w.dout, 0, (size_t)m * (size_t)ad * sizeof(double));
            pesim_rl_pg_loss_stats ls;
            double pl = pesim_rl_loss_policy(A, w.out, mask ? w.g_mask : NULL, w.g_act, w.g_adv,
                                             c->kind == PESIM_RL_PPO ? w.g_old : NULL, c->clip, c->entropy_coef, m,
                                             w.dout, &ls);
            double vl = 0;
            if (!pg->critic)
                vl = pesim_rl_loss_value(A, w.out, 0, w.g_target, c->value_coef, m, w.dout) / c->value_coef;
            st = net_step(pg->actor, pg->opt_a, w.dout, c->max_grad_norm, &S.grad_norm, e);
            /* separate critic */
            if (st == PESIM_OK && pg->critic) {
                st = pesim_rl_net_forward(pg->critic, w.g_cobs, m, w.cout, e);
                if (st != PESIM_OK)
                    break;
                memset(w.dcout, 0, (size_t)m * (size_t)cd * sizeof(double));
                vl = pesim_rl_loss_value(C, w.cout, 0, w.g_target, 1.0, m, w.dcout);
                st = net_step(pg->critic, pg->opt_c, w.dcout, c->max_grad_norm, NULL, e);
            }
            S.policy_loss += pl;
            S.value_loss += vl;
            S.entropy += ls.entropy;
            S.approx_kl += ls.approx_kl;
            S.clip_fraction += ls.clip_fraction;
            steps++;
        }
    }
    work_free(&w);
    if (st != PESIM_OK)
        return st;
    if (steps > 0) {
        S.policy_loss /= steps;
        S.value_loss /= steps;
        S.entropy /= steps;
        S.approx_kl /= steps;
        S.clip_fraction /= steps;
    }
    if (stats)
        *stats = S;
    return PESIM_OK;
}
