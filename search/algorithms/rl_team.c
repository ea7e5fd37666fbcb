/* search/algorithms/rl_team.c - a team of policy-gradient agents that
 * decodes candidates under the space's masks (rl_team.h says what it does;
 * "rl" and "marl" are built on it). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl_team.h"

#define TEAM_MAX_THREADS 64
#define TEAM_CTX_SCALE 0.1 /* context features are log2 sizes (up to ~30): scaled to about [0, 3] */

typedef struct agent {
    int32_t n_own, *own;       /* owned parameters, in index order */
    int32_t *head_off;         /* per owned head: its first logit */
    int32_t n_logits, out_dim;
    pesim_rl_net *actor, *critic;
    pesim_rl_pg *pg;
    pesim_rl_rollout *ro;
    double *out;               /* the last forward's row */
    double *obs, *cobs;        /* transition scratch */
    uint8_t *mask;
    int32_t *act;
    pesim_status st;           /* of the last threaded job */
    pesim_error err;
} agent;

struct rl_team {
    const algo_space *sp;
    gsl_rng *rng;
    rl_team_options o;
    int32_t n, n_agents;
    agent *ag;
    int32_t *owner, *head;     /* per parameter: its agent, its head in the agent */
    int32_t *oh_off, oh_dim;   /* per parameter: offset of its one-hot block; the total */
    int32_t ctx_dim;
    double *ctx;
    int32_t obs_dim, cobs_dim;
    int32_t max_choices;
    double *prob;              /* max_choices */
    pesim_cursor *cur;         /* NULL on a synthetic space */
    /* the candidates of the last ask */
    int32_t cap, n_pending;
    int32_t *px;               /* cap x n choices */
    uint8_t *pmask;            /* cap x oh_dim: each parameter's mask met in the decode */
    int32_t *porder;           /* cap x n: the decode order */
    int32_t in_rollout;        /* candidates in the rollouts */
    /* the reward's state */
    int has_ref;
    double ref_e, worst_r;
    algo_seen seen;
    int failed;
    /* the policy loaded last (rl_team_record) */
    char policy_in[PESIM_PATH_MAX];
    uint64_t policy_hash;
};

void rl_team_options_read(const double *opt, rl_team_options *o)
{
    memset(o, 0, sizeof *o);
    o->hidden = (int32_t)opt[0];
    o->critic_hidden = (int32_t)opt[1];
    o->lr = opt[2];
    o->critic_lr = opt[3];
    o->entropy = opt[4];
    o->clip = opt[5];
    o->epochs = (int32_t)opt[6];
    o->rollout = (int32_t)opt[7];
    o->learner = (int32_t)opt[8];
    o->autoregressive = (int32_t)opt[9];
    o->tries = (int32_t)opt[10];
    o->threads = 1;
}

int32_t rl_team_n_agents(const rl_team *t) { return t->n_agents; }
const int32_t *rl_team_owner(const rl_team *t) { return t->owner; }

static void agent_free(agent *a)
{
    pesim_rl_pg_destroy(a->pg);
    pesim_rl_rollout_destroy(a->ro);
    pesim_rl_net_destroy(a->actor);
    pesim_rl_net_destroy(a->critic);
    free(a->own);
    free(a->head_off);
    free(a->out);
    free(a->obs);
    free(a->cobs);
    free(a->mask);
    free(a->act);
}

void rl_team_destroy(rl_team *t)
{
    if (!t)
        return;
    for (int32_t j = 0; t->ag && j < t->n_agents; j++)
        agent_free(&t->ag[j]);
    free(t->ag);
    free(t->owner);
    free(t->head);
    free(t->oh_off);
    free(t->ctx);
    free(t->prob);
    free(t->px);
    free(t->pmask);
    free(t->porder);
    pesim_cursor_destroy(t->cur);
    algo_seen_free(&t->seen);
    free(t);
}

static pesim_status nomem(pesim_error *e) { return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory"); }

/* The agent's networks, learner and buffers. */
static pesim_status agent_init(rl_team *t, int32_t j, uint64_t seed, pesim_error *e)
{
    agent *a = &t->ag[j];
    const algo_space *sp = t->sp;
    int32_t *sizes = malloc((size_t)a->n_own * sizeof *sizes);
    if (!sizes)
        return nomem(e);
    a->n_logits = 0;
    for (int32_t h = 0; h < a->n_own; h++) {
        sizes[h] = sp->n_choices[a->own[h]];
        a->n_logits += sizes[h];
    }
    pesim_rl_mlp_config c;
    memset(&c, 0, sizeof c);
    c.in_dim = t->obs_dim;
    c.n_hidden = t->o.hidden > 0;
    c.hidden[0] = t->o.hidden;
    c.act = PESIM_RL_TANH;
    c.n_heads = a->n_own;
    c.head_sizes = sizes;
    c.n_values = 0;
    c.head_gain = 0.01;
    pesim_status st = pesim_rl_mlp_create(&c, t->rng, &a->actor, e);
    free(sizes);
    if (st)
        return st;
    pesim_rl_mlp_config cc;
    memset(&cc, 0, sizeof cc);
    cc.in_dim = t->cobs_dim > 0 ? t->cobs_dim : t->obs_dim;
    cc.n_hidden = t->o.critic_hidden > 0;
    cc.hidden[0] = t->o.critic_hidden;
    cc.act = PESIM_RL_TANH;
    cc.n_values = 1;
    if ((st = pesim_rl_mlp_create(&cc, t->rng, &a->critic, e)))
        return st;
    const pesim_rl_layout *L = pesim_rl_net_layout(a->actor);
    a->out_dim = L->out_dim;
    a->head_off = malloc((size_t)a->n_own * sizeof *a->head_off);
    a->out = calloc((size_t)L->out_dim, sizeof *a->out);
    a->obs = calloc((size_t)t->obs_dim, sizeof *a->obs);
    a->cobs = calloc((size_t)(t->cobs_dim > 0 ? t->cobs_dim : 1), sizeof *a->cobs);
    a->mask = calloc((size_t)a->n_logits, 1);
    a->act = calloc((size_t)a->n_own, sizeof *a->act);
    if (!a->head_off || !a->out || !a->obs || !a->cobs || !a->mask || !a->act)
        return nomem(e);
    memcpy(a->head_off, L->head_offset, (size_t)a->n_own * sizeof *a->head_off);
    pesim_rl_pg_config pc;
    pesim_rl_pg_config_default((pesim_rl_pg_kind)t->o.learner, &pc);
    pc.lr = t->o.lr;
    pc.critic_lr = t->o.critic_lr;
    pc.entropy_coef = t->o.entropy;
    pc.clip = t->o.clip;
    pc.epochs = t->o.epochs;
    pc.minibatch = 0;
    pc.gamma = 1;
    pc.gae_lambda = 1;
    pc.normalize_advantages = 1;
    if ((st = pesim_rl_pg_create(&pc, a->actor, a->critic, seed * 1000003u + (uint64_t)j, &a->pg, e)))
        return st;
    return pesim_rl_rollout_create(t->obs_dim, t->cobs_dim, a->n_own, a->n_logits, &a->ro, e);
}

pesim_status rl_team_create(const algo_space *sp, gsl_rng *rng, const rl_team_options *o, int32_t n_agents,
                            const int32_t *owner, uint64_t seed, rl_team **out, pesim_error *e)
{
    *out = NULL;
    rl_team *t = calloc(1, sizeof *t);
    if (!t)
        return nomem(e);
    t->sp = sp;
    t->rng = rng;
    t->o = *o;
    t->n = sp->n;
    t->n_agents = n_agents;
    t->owner = malloc((size_t)t->n * sizeof *t->owner);
    t->head = malloc((size_t)t->n * sizeof *t->head);
    t->oh_off = malloc((size_t)t->n * sizeof *t->oh_off);
    t->ag = calloc((size_t)n_agents, sizeof *t->ag);
    pesim_status st = PESIM_OK;
    if (!t->owner || !t->head || !t->oh_off || !t->ag) {
        st = nomem(e);
        goto fail;
    }
    memcpy(t->owner, owner, (size_t)t->n * sizeof *owner);
    for (int32_t i = 0; i < t->n; i++) {
        if (owner[i] < 0 || owner[i] >= n_agents) {
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "agents", "parameter %d has owner %d of %d agents",
                                 (int)i, (int)owner[i], (int)n_agents);
            goto fail;
        }
        t->oh_off[i] = t->oh_dim;
        t->oh_dim += sp->n_choices[i];
        if (sp->n_choices[i] > t->max_choices)
            t->max_choices = sp->n_choices[i];
        t->head[i] = t->ag[owner[i]].n_own++;
    }
    for (int32_t j = 0; j < n_agents; j++) {
        if (t->ag[j].n_own == 0) {
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "agents", "agent %d owns no parameter", (int)j);
            goto fail;
        }
        if (!(t->ag[j].own = malloc((size_t)t->ag[j].n_own * sizeof(int32_t)))) {
            st = nomem(e);
            goto fail;
        }
    }
    for (int32_t i = 0; i < t->n; i++)
        t->ag[owner[i]].own[t->head[i]] = i;
    /* context: a constant 1, and the first layer's features on a real space */
    t->ctx_dim = 1 + (sp->space ? PESIM_NODE_FEATURES : 0);
    t->ctx = calloc((size_t)t->ctx_dim, sizeof *t->ctx);
    t->prob = calloc((size_t)t->max_choices, sizeof *t->prob);
    if (!t->ctx || !t->prob) {
        st = nomem(e);
        goto fail;
    }
    t->ctx[0] = 1;
    if (sp->space) {
        pesim_space_node_features(sp->space, 0, t->ctx + 1, PESIM_NODE_FEATURES);
        for (int32_t k = 1; k < t->ctx_dim; k++)
            t->ctx[k] *= TEAM_CTX_SCALE;
        if ((st = pesim_cursor_create(sp->space, &sp->eval, &t->cur, e)))
            goto fail;
    }
    t->obs_dim = t->ctx_dim + (o->autoregressive ? t->oh_dim : 0);
    t->cobs_dim = o->central ? t->ctx_dim + t->oh_dim : 0;
    for (int32_t j = 0; j < n_agents; j++)
        if ((st = agent_init(t, j, seed, e)))
            goto fail;
    *out = t;
    return PESIM_OK;
fail:
    rl_team_destroy(t);
    return st;
}

/* ------------------------------------------------------------- threads */

typedef void (*agent_job)(rl_team *t, agent *a);
typedef struct worker {
    rl_team *t;
    agent_job job;
    int32_t first, stride;
    pthread_t th;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (int32_t j = w->first; j < w->t->n_agents; j += w->stride)
        w->job(w->t, &w->t->ag[j]);
    return NULL;
}

/* Runs job on every agent, in up to o.threads threads (the caller's one
 * included); falls back to fewer threads when one cannot be started. */
static void run_agents(rl_team *t, agent_job job)
{
    int32_t T = t->o.threads > 0 ? t->o.threads : 4;
    if (T > t->n_agents)
        T = t->n_agents;
    if (T > TEAM_MAX_THREADS)
        T = TEAM_MAX_THREADS;
    worker w[TEAM_MAX_THREADS];
    int32_t started = 1;
    for (int32_t k = 0; k < T; k++)
        w[k] = (worker){t, job, k, T, 0};
    for (int32_t k = 1; k < T; k++) {
        if (pthread_create(&w[k].th, NULL, worker_main, &w[k]) != 0)
            break;
        started++;
    }
    if (started < T) { /* the agents of unstarted workers are done here */
        for (int32_t k = started; k < T; k++)
            worker_main(&w[k]);
    }
    worker_main(&w[0]);
    for (int32_t k = 1; k < started; k++)
        pthread_join(w[k].th, NULL);
}

static void job_forward_ctx(rl_team *t, agent *a)
{
    a->st = pesim_rl_net_forward(a->actor, t->ctx, 1, a->out, &a->err);
}

static void job_update(rl_team *t, agent *a)
{
    (void)t;
    a->st = pesim_rl_pg_update(a->pg, a->ro, NULL, &a->err);
    pesim_rl_rollout_clear(a->ro);
}

static int agents_failed(rl_team *t)
{
    for (int32_t j = 0; j < t->n_agents; j++)
        if (t->ag[j].st != PESIM_OK)
            t->failed = 1;
    return t->failed;
}

/* -------------------------------------------------------------- decode */

/* obs = context, then (autoregressive) the one-hot of the choices of
 * order[0..s). */
static void fill_obs(const rl_team *t, double *obs, const int32_t *x, const int32_t *order, int32_t s)
{
    memcpy(obs, t->ctx, (size_t)t->ctx_dim * sizeof *obs);
    if (!t->o.autoregressive)
        return;
    double *oh = obs + t->ctx_dim;
    memset(oh, 0, (size_t)t->oh_dim * sizeof *oh);
    for (int32_t k = 0; k < s; k++)
        oh[t->oh_off[order[k]] + x[order[k]]] = 1;
}

/* Decodes one candidate into x (masks: oh_dim bytes, each parameter's mask;
 * order: the decode order). Factored heads need the agents' forward on the
 * context first. Returns 0, or -1 on a failed forward. */
static int decode(rl_team *t, int32_t *x, uint8_t *masks, int32_t *order, pesim_rl_pick pick)
{
    const algo_space *sp = t->sp;
    if (t->cur)
        pesim_cursor_reset(t->cur);
    for (int32_t s = 0; s < t->n; s++) {
        int32_t p = t->cur ? pesim_cursor_next(t->cur) : s;
        if (p < 0 || p >= t->n) /* cannot happen: every parameter is unchosen until its step */
            return -1;
        order[s] = p;
        int32_t nc = sp->n_choices[p];
        uint8_t *m = masks + t->oh_off[p];
        int32_t allowed;
        if (t->cur) {
            allowed = pesim_cursor_mask(t->cur, p, m, NULL);
        } else {
            memset(m, 1, (size_t)nc);
            allowed = nc;
        }
        agent *a = &t->ag[t->owner[p]];
        if (t->o.autoregressive) {
            fill_obs(t, a->obs, x, order, s);
            if (pesim_rl_net_forward(a->actor, a->obs, 1, a->out, &a->err) != PESIM_OK)
                return -1;
        }
        int32_t c = 0;
        if (allowed > 0) {
            pesim_rl_softmax(a->out + a->head_off[t->head[p]], m, nc, 1.0, t->prob);
            if (pick == PESIM_RL_SAMPLE) {
                c = pesim_rl_sample_index(t->prob, nc, t->rng);
                if (c < 0) /* round-off left nothing: the first allowed */
                    for (c = 0; c < nc - 1 && !m[c]; c++) {}
            } else {
                for (int32_t k = 1; k < nc; k++)
                    if (t->prob[k] > t->prob[c])
                        c = k;
            }
        } /* else an empty mask: choice 0, the head does not act */
        x[p] = c;
        if (t->cur)
            pesim_cursor_set(t->cur, p, c);
    }
    return 0;
}

static pesim_status grow_pending(rl_team *t, int32_t max)
{
    if (max <= t->cap)
        return PESIM_OK;
    int32_t *px = realloc(t->px, (size_t)max * (size_t)t->n * sizeof *px);
    if (px)
        t->px = px;
    uint8_t *pm = realloc(t->pmask, (size_t)max * (size_t)t->oh_dim);
    if (pm)
        t->pmask = pm;
    int32_t *po = realloc(t->porder, (size_t)max * (size_t)t->n * sizeof *po);
    if (po)
        t->porder = po;
    if (!px || !pm || !po)
        return PESIM_ERR_NOMEM;
    t->cap = max;
    return PESIM_OK;
}

int32_t rl_team_ask(rl_team *t, int32_t *choices, int32_t max)
{
    if (t->failed || grow_pending(t, max) != PESIM_OK)
        return 0;
    if (!t->o.autoregressive) {
        run_agents(t, job_forward_ctx);
        if (agents_failed(t))
            return 0;
    }
    const size_t n = (size_t)t->n;
    for (int32_t k = 0; k < max; k++) {
        int32_t *x = t->px + (size_t)k * n;
        uint8_t *m = t->pmask + (size_t)k * (size_t)t->oh_dim;
        int32_t *ord = t->porder + (size_t)k * n;
        for (int32_t tr = 0; tr < t->o.tries; tr++) {
            if (decode(t, x, m, ord, PESIM_RL_SAMPLE) != 0) {
                t->failed = 1;
                return 0;
            }
            if (!algo_seen_has(&t->seen, x, t->n))
                break;
        }
        algo_seen_add(&t->seen, x, t->n);
        memcpy(choices + (size_t)k * n, x, n * sizeof *x);
    }
    t->n_pending = max;
    return max;
}

void rl_team_greedy(rl_team *t, int32_t *choices)
{
    uint8_t *m = malloc((size_t)t->oh_dim);
    int32_t *ord = malloc((size_t)t->n * sizeof *ord);
    if (m && ord) {
        if (!t->o.autoregressive)
            run_agents(t, job_forward_ctx);
        if (decode(t, choices, m, ord, PESIM_RL_GREEDY) != 0)
            t->failed = 1;
    }
    free(m);
    free(ord);
}

/* --------------------------------------------------------------- reward */

void rl_team_observe(rl_team *t, const pesim_result *r, int32_t n)
{
    for (int32_t c = 0; c < n; c++) {
        double v = algo_value(&r[c]);
        if (v >= PESIM_INVALID_PENALTY)
            continue;
        double en = asinh(v);
        if (!t->has_ref) {
            t->has_ref = 1;
            t->ref_e = en;
        }
        if (t->ref_e - en < t->worst_r)
            t->worst_r = t->ref_e - en;
    }
}

double rl_team_reward(rl_team *t, const pesim_result *r)
{
    double v = algo_value(r);
    if (v < PESIM_INVALID_PENALTY && t->has_ref)
        return t->ref_e - asinh(v);
    double viol = algo_violation(r);
    return (t->worst_r < 0 ? t->worst_r : 0) - 1 - log(viol > 1 ? viol : 1);
}

/* ----------------------------------------------------------------- tell */

/* Agent a's transitions of candidate x (masks, decode order) with reward R. */
static pesim_status add_transitions(rl_team *t, agent *a, int32_t j, const int32_t *x, const uint8_t *masks,
                                    const int32_t *order, double R, pesim_error *e)
{
    const algo_space *sp = t->sp;
    double *cobs = NULL;
    if (t->cobs_dim > 0) { /* the context, then the one-hot of the others' choices */
        cobs = a->cobs;
        memcpy(cobs, t->ctx, (size_t)t->ctx_dim * sizeof *cobs);
        memset(cobs + t->ctx_dim, 0, (size_t)t->oh_dim * sizeof *cobs);
        for (int32_t i = 0; i < t->n; i++)
            if (t->owner[i] != j)
                cobs[t->ctx_dim + t->oh_off[i] + x[i]] = 1;
    }
    if (!t->o.autoregressive) {
        for (int32_t h = 0; h < a->n_own; h++) {
            int32_t p = a->own[h], nc = sp->n_choices[p], any = 0;
            memcpy(a->mask + a->head_off[h], masks + t->oh_off[p], (size_t)nc);
            for (int32_t k = 0; k < nc; k++)
                any |= masks[t->oh_off[p] + k];
            a->act[h] = any ? x[p] : -1;
        }
        return pesim_rl_rollout_add(a->ro, t->ctx, cobs, a->mask, a->act, R, 1, e);
    }
    int32_t last = -1;
    for (int32_t s = 0; s < t->n; s++)
        if (t->owner[order[s]] == j)
            last = s;
    for (int32_t s = 0; s <= last; s++) {
        int32_t p = order[s];
        if (t->owner[p] != j)
            continue;
        int32_t h = t->head[p], nc = sp->n_choices[p], any = 0;
        fill_obs(t, a->obs, x, order, s);
        memset(a->mask, 0, (size_t)a->n_logits);
        memcpy(a->mask + a->head_off[h], masks + t->oh_off[p], (size_t)nc);
        for (int32_t k = 0; k < nc; k++)
            any |= masks[t->oh_off[p] + k];
        for (int32_t g = 0; g < a->n_own; g++)
            a->act[g] = -1;
        a->act[h] = any ? x[p] : -1;
        pesim_status st = pesim_rl_rollout_add(a->ro, a->obs, cobs, a->mask, a->act, s == last ? R : 0, s == last, e);
        if (st)
            return st;
    }
    return PESIM_OK;
}

void rl_team_tell(rl_team *t, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    rl_team_observe(t, r, n);
    for (int32_t c = 0; c < n; c++)
        algo_seen_add(&t->seen, choices + (size_t)c * (size_t)t->n, t->n);
    if (!asked || t->failed)
        return;
    pesim_error e;
    for (int32_t c = 0; c < n && c < t->n_pending; c++) {
        double R = rl_team_reward(t, &r[c]);
        const int32_t *x = t->px + (size_t)c * (size_t)t->n;
        for (int32_t j = 0; j < t->n_agents; j++)
            if (add_transitions(t, &t->ag[j], j, x, t->pmask + (size_t)c * (size_t)t->oh_dim,
                                t->porder + (size_t)c * (size_t)t->n, R, &e) != PESIM_OK) {
                t->failed = 1;
                return;
            }
        t->in_rollout++;
    }
    t->n_pending = 0;
    if (t->in_rollout >= t->o.rollout) {
        run_agents(t, job_update);
        agents_failed(t);
        t->in_rollout = 0;
    }
}

/* ------------------------------------------------------------ save/load */

pesim_status rl_team_save(const rl_team *t, const char *path, pesim_error *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot write: %s", strerror(errno));
    fprintf(f, "pesim-rl-team 1\nparams %d\nagents %d\n", (int)t->n, (int)t->n_agents);
    for (int32_t i = 0; i < t->n; i++)
        fprintf(f, "owner %d %d\n", (int)i, (int)t->owner[i]);
    if (fclose(f) != 0)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot write: %s", strerror(errno));
    char sub[PESIM_PATH_MAX + 16];
    for (int32_t j = 0; j < t->n_agents; j++) {
        snprintf(sub, sizeof sub, "%s.%d", path, (int)j);
        pesim_status st = pesim_rl_net_save(t->ag[j].actor, sub, e);
        if (st)
            return st;
    }
    return PESIM_OK;
}

pesim_status rl_team_read_index(const char *path, int32_t *n_params, int32_t *n_agents, int32_t **owner,
                                pesim_error *e)
{
    *owner = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot read: %s", strerror(errno));
    int ver = 0, np = 0, na = 0, line = 3;
    pesim_status st = PESIM_OK;
    if (fscanf(f, "pesim-rl-team %d\n", &ver) != 1 || ver != 1) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, 1, "pesim-rl-team", "not a pesim-rl-team 1 file");
    } else if (fscanf(f, "params %d\n", &np) != 1 || np < 1) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, 2, "params", "expected 'params N' with N >= 1");
    } else if (fscanf(f, "agents %d\n", &na) != 1 || na < 1 || na > np) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, 3, "agents", "expected 'agents K' with 1 <= K <= params");
    } else if (!(*owner = malloc((size_t)np * sizeof **owner))) {
        st = nomem(e);
    } else {
        for (int i = 0; i < np && !st; i++) {
            int k = -1, o = -1;
            line++;
            if (fscanf(f, "owner %d %d\n", &k, &o) != 2 || k != i || o < 0 || o >= na)
                st = pesim_error_set(e, PESIM_ERR_PARSE, path, line, "owner",
                                     "expected 'owner %d J' with 0 <= J < %d", i, na);
            else
                (*owner)[i] = o;
        }
    }
    fclose(f);
    if (st) {
        free(*owner);
        *owner = NULL;
        return st;
    }
    *n_params = np;
    *n_agents = na;
    return PESIM_OK;
}

/* FNV-1a (64-bit) of a file's bytes, continuing from h. */
static pesim_status fnv1a_file(const char *path, uint64_t *h, pesim_error *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot read: %s", strerror(errno));
    unsigned char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < k; i++)
            *h = (*h ^ buf[i]) * 0x100000001b3ULL;
    int bad = ferror(f);
    fclose(f);
    return bad ? pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "read error") : PESIM_OK;
}

pesim_status rl_team_policy_hash(const char *path, int32_t n_agents, uint64_t *hash, pesim_error *e)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    pesim_status st = fnv1a_file(path, &h, e);
    char sub[PESIM_PATH_MAX + 16];
    for (int32_t j = 0; j < n_agents && !st; j++) {
        snprintf(sub, sizeof sub, "%.*s.%d", PESIM_PATH_MAX - 1, path, (int)j);
        st = fnv1a_file(sub, &h, e);
    }
    if (!st)
        *hash = h;
    return st;
}

pesim_status rl_team_record(const rl_team *t, pesim_algo_record_fn put, void *ctx, pesim_error *e)
{
    if (!t->policy_in[0])
        return PESIM_OK;
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)t->policy_hash);
    pesim_status st = put(ctx, "policy_in", t->policy_in, e);
    return st ? st : put(ctx, "policy_in_fnv1a64", hex, e);
}

pesim_status rl_team_load(rl_team *t, const char *path, pesim_error *e)
{
    int32_t np, na, *owner;
    pesim_status st = rl_team_read_index(path, &np, &na, &owner, e);
    if (st)
        return st;
    free(owner);
    if (np != t->n || na != t->n_agents)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 2, "params",
                               "the policy is for %d parameters and %d agents; this search has %d and %d", (int)np,
                               (int)na, (int)t->n, (int)t->n_agents);
    char sub[PESIM_PATH_MAX + 16];
    for (int32_t j = 0; j < t->n_agents; j++) {
        snprintf(sub, sizeof sub, "%s.%d", path, (int)j);
        if ((st = pesim_rl_net_load_into(t->ag[j].actor, sub, PESIM_RL_LOAD_ADAPT, e)))
            return st;
    }
    if ((st = rl_team_policy_hash(path, t->n_agents, &t->policy_hash, e)))
        return st;
    snprintf(t->policy_in, sizeof t->policy_in, "%.*s", PESIM_PATH_MAX - 1, path);
    return PESIM_OK;
}
