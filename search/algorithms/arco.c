/* search/algorithms/arco.c - ARCO (Fayyazi et al., ASP-DAC 2025; papers.md
 * section 2, docs/arco.md): three actor-critic agents co-optimising
 * hardware, tiling and schedule, with confidence sampling.
 *
 * Agents. The parameters are split by group (pesim_space_param_group:
 * hardware; tiling; schedule, which also takes placement): one agent per
 * non-empty group. Each agent's actor is a decentralised MLP (search/rl)
 * whose heads are its parameters' choices and whose observation is its own
 * (the first layer's node features; a constant on a synthetic space): one
 * design is a one-step episode, each agent acting once. One centralised
 * critic, an MLP, sees all three agents' choices (each parameter's choice
 * index / (n_choices - 1)) plus a view flag: view 0 all choices, view 1 + g
 * the same with agent g's choices hidden (zeros). Agent g's advantage is
 * r - V(view 1 + g): a baseline that sees every other agent's choice but
 * not g's own, so it stays unbiased (rl.h) while it removes the other
 * agents' share of the reward. Per update the critic regresses r on every
 * view, then each actor takes one policy-gradient step (normalised
 * advantages, entropy bonus, global-norm clipping, Adam).
 *
 * Reward. r = -(asinh(objective) - ref) in natural-log units (asinh ~ ln
 * for large costs), ref = asinh of the first valid value seen; an invalid
 * design gets r = -`penalty`.
 *
 * Confidence sampling (confidence = 1). For an ask of b candidates the
 * agents propose b * `proposals` designs (a share `guide` of them drawn by
 * the masked step decode, pesim_cursor_sample, instead of the actors: they
 * train the critic and the surrogate, not the actors). The caller's cheap
 * predictor (pesim_algo_env, the analytical model) evaluates all of them
 * outside the budget; the surrogate (pesim/surrogate.h: an XGBoost ensemble
 * fit online on the measured samples, features arco_features_row + the
 * predictor's asinh(objective)) predicts the expensive evaluator's
 * asinh(objective) as a mean and a spread once `min_fit` valid samples are
 * measured. The agents learn from every proposal (reward of the surrogate's
 * mean, or the predictor's value before the surrogate is fit), and only the
 * b proposals predicted best with confidence - lowest mean + `kappa` * std,
 * among those the predictor finds valid and that were never measured - go to
 * the expensive evaluator. With confidence = 0 (plain MARL) the agents'
 * proposals are measured as they come and the agents learn from the
 * measurements only.
 *
 * predictor = surrogate (1) makes the XGBoost surrogate the only cheap
 * predictor: pesim_algo_env is never called, the surrogate's features are
 * arco_features_row alone, and it learns every measured design, an invalid
 * one labelled the worst valid label + `penalty` (arco_labels, as the
 * AutoTVM-like model), since nothing else tells it where designs fail.
 * Until `min_fit` valid designs are measured there is no ranking: the
 * masked step decode's proposals (valid for capacity, fan-out and the area
 * budget by construction; untrained actors' are mostly invalid) are
 * measured first, and the critic learns from their measurements. Then the
 * proposals are ranked by the surrogate's mean + `kappa` * std.
 *
 * Masks (mask = 1). Each actor's heads are then drawn step by step in the
 * space's decode order through the cursor's masks (pesim_cursor_mask:
 * capacity, fan-out, the area budget), so the actors' proposals, and the
 * neighbours that replace repeated ones, are valid by construction; the
 * policy gradient takes the log-probability of the masked softmax (the
 * masks replayed from the design). Without it (0, the default) the heads are
 * independent and untrained actors propose many invalid designs, which the
 * analytical predictor filters (predictor = model) and the surrogate must
 * learn (predictor = surrogate).
 *
 * Determinism: every draw comes from the handle's rng, XGBoost runs
 * single-threaded with seeds from it, and the predictor is deterministic, so
 * a resumed run (a replay through ask/tell) rebuilds the same agents and
 * surrogate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arco_impl.h"
#include "pesim/rl.h"
#include "pesim/surrogate.h"

enum {
    OPT_PROPOSALS, OPT_CONFIDENCE, OPT_KAPPA, OPT_GUIDE, OPT_LR, OPT_CRITIC_LR, OPT_ENTROPY, OPT_HIDDEN,
    OPT_MEMBERS, OPT_ROUNDS, OPT_MIN_FIT, OPT_PENALTY, OPT_PREDICTOR, OPT_MASK, N_OPTS
};
const algo_opt_desc algo_arco_opts[N_OPTS] = {
    {"proposals", 1, 32, 1, 1000, "designs the agents propose per design measured (confidence sampling)"},
    {"confidence", 1, 1, 0, 1, "1: confidence sampling; 0: measure the agents' proposals as they come (plain MARL)"},
    {"kappa", 0, 1, 0, 100, "pessimism: a proposal's score is the surrogate's mean + kappa * std (ln units)"},
    {"guide", 0, 0.5, 0, 1, "share of proposals drawn by the masked step decode instead of the actors"},
    {"lr", 0, 0.01, 1e-6, 1, "actors' Adam step size"},
    {"critic_lr", 0, 0.01, 1e-6, 1, "centralised critic's Adam step size"},
    {"entropy", 0, 0.01, 0, 10, "entropy bonus of the actors' policy loss"},
    {"hidden", 1, 32, 1, 1024, "hidden width of the actors and the critic (one layer)"},
    {"members", 1, 5, 1, 50, "surrogate ensemble size (its spread is the uncertainty)"},
    {"rounds", 1, 40, 1, 1000, "boosting rounds per surrogate member"},
    {"min_fit", 1, 8, 2, 1e6, "valid measured samples before the surrogate ranks proposals"},
    {"penalty", 0, 3, 0, 100, "reward of an invalid design, below the reference (ln units)"},
    {"predictor", 1, 0, 0, 1,
     "cheap predictor: 0 or model (the analytical model, also a surrogate feature), 1 or surrogate (XGBoost only)"},
    {"mask", 1, 0, 0, 1, "1: the actors decode through the space's masks (valid proposals); 0: free heads"},
};
const algo_opt_word algo_arco_words[] = {
    {"predictor", "model", 0},
    {"predictor", "surrogate", 1},
    {NULL, NULL, 0},
};
const int32_t algo_arco_n_opts = N_OPTS;

#define ARCO_AGENTS 3
#define ARCO_VIEWS (ARCO_AGENTS + 1)
#define ARCO_TRIES 20

typedef struct agent {
    int32_t n;                 /* parameters */
    int32_t *param;            /* n: their indices */
    pesim_rl_net *actor;
    pesim_rl_adam *adam;
} agent;

typedef struct arco_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n;
    double opt[N_OPTS];
    agent ag[ARCO_AGENTS];
    int32_t *group;            /* n: the agent of each parameter */
    int32_t *head;             /* n: the parameter's head in its agent's actor */
    int32_t *moff;             /* n + 1: each parameter's first byte in a mask row */
    pesim_cursor *cur;         /* mask = 1 on a real space: the step decode's masks */
    uint8_t *mrow;             /* moff[n]: one candidate's masks */
    uint8_t *pmask;            /* cap x moff[n]: the masks each proposal of the last propose() saw */
    double *logits[ARCO_AGENTS]; /* mask = 1: each actor's output on the observation */
    double *prob;              /* the widest parameter's choices */
    int32_t obs_dim;
    double *obs;               /* the actors' observation */
    pesim_rl_net *critic;
    pesim_rl_adam *critic_adam;
    int32_t crit_dim;          /* n + ARCO_VIEWS */
    arco_features feat;
    int sur_only;              /* predictor=surrogate: no analytical call */
    int32_t nf;                /* surrogate features: n, + the analytical value unless sur_only */
    arco_labels lab;           /* sur_only: the surrogate's labels, invalid designs included */
    int ask_learned;           /* the last ask trained the agents on predictions */
    pesim_surrogate *sur;
    int64_t sur_valid, sur_fit_at; /* valid samples added; count at the last fit */
    algo_seen seen;            /* asked or told: never measured twice */
    double ref;
    int have_ref;
    /* scratch of one ask (cap rows) */
    int32_t cap;
    int32_t *px, *acts;
    uint8_t *from_actor, *fresh, *pred_ok;
    pesim_result *pr;
    double *ana, *mean, *sd, *reward, *rows, *buf, *buf2, *buf3;
    int32_t *idx;
    /* the last ask: per candidate, the predictor's feature and whether an actor drew it */
    int32_t n_last;
    double *last_ana;
    uint8_t *last_actor;
    arco_stats stats;
} arco_state;

const arco_stats *arco_get_stats(const void *state) { return &((const arco_state *)state)->stats; }
int32_t arco_agent_params(const void *state, int g)
{
    return g >= 0 && g < ARCO_AGENTS ? ((const arco_state *)state)->ag[g].n : 0;
}
int32_t arco_critic_inputs(const void *state) { return ((const arco_state *)state)->crit_dim; }
const pesim_surrogate *arco_surrogate(const void *state) { return ((const arco_state *)state)->sur; }

void algo_arco_destroy(void *state)
{
    arco_state *s = state;
    if (!s) return;
    for (int g = 0; g < ARCO_AGENTS; g++) {
        free(s->ag[g].param);
        pesim_rl_net_destroy(s->ag[g].actor);
        pesim_rl_adam_destroy(s->ag[g].adam);
    }
    pesim_rl_net_destroy(s->critic);
    pesim_rl_adam_destroy(s->critic_adam);
    pesim_surrogate_destroy(s->sur);
    arco_features_free(&s->feat);
    arco_labels_free(&s->lab);
    algo_seen_free(&s->seen);
    pesim_cursor_destroy(s->cur);
    for (int g = 0; g < ARCO_AGENTS; g++) free(s->logits[g]);
    free(s->prob);
    free(s->group), free(s->head), free(s->moff), free(s->mrow), free(s->obs);
    free(s->px), free(s->acts), free(s->from_actor), free(s->fresh), free(s->pred_ok), free(s->pr);
    free(s->pmask);
    free(s->ana), free(s->mean), free(s->sd), free(s->reward), free(s->rows), free(s->buf), free(s->buf2),
        free(s->buf3), free(s->idx), free(s->last_ana), free(s->last_actor);
    free(s);
}

static int32_t agent_of(const algo_space *sp, int32_t i)
{
    pesim_param_group g = sp->space ? pesim_space_param_group(sp->space, i) : pesim_param_group_of(sp->kind[i]);
    return g == PESIM_GROUP_PLACEMENT ? PESIM_GROUP_SCHEDULE : (int32_t)g;
}

static pesim_status make_mlp(int32_t in, int32_t hidden, int32_t n_heads, const int32_t *heads, int32_t n_values,
                             double lr, gsl_rng *rng, pesim_rl_net **net, pesim_rl_adam **adam, pesim_error *e)
{
    pesim_rl_mlp_config c;
    memset(&c, 0, sizeof c);
    c.in_dim = in;
    c.n_hidden = 1;
    c.hidden[0] = hidden;
    c.act = PESIM_RL_TANH;
    c.n_heads = n_heads;
    c.head_sizes = heads;
    c.n_values = n_values;
    pesim_status st = pesim_rl_mlp_create(&c, rng, net, e);
    if (st != PESIM_OK) return st;
    pesim_rl_adam_config ac = {lr, 0, 0, 0, 0};
    return pesim_rl_adam_create(pesim_rl_net_n_params(*net), &ac, adam, e);
}

pesim_status algo_arco_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    arco_state *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    memcpy(s->opt, opt, sizeof s->opt);
    s->sur_only = opt[OPT_PREDICTOR] != 0;
    s->nf = s->n + !s->sur_only;
    s->lab.nf = s->nf;
    s->group = calloc((size_t)s->n, sizeof *s->group);
    s->head = calloc((size_t)s->n, sizeof *s->head);
    s->moff = calloc((size_t)s->n + 1, sizeof *s->moff);
    int32_t *heads = calloc((size_t)s->n, sizeof *heads);
    pesim_status st = PESIM_OK;
    int32_t widest = 1;
    for (int32_t i = 0; s->moff && i < s->n; i++) {
        s->moff[i + 1] = s->moff[i] + sp->n_choices[i];
        if (sp->n_choices[i] > widest) widest = sp->n_choices[i];
    }
    s->prob = calloc((size_t)widest, sizeof *s->prob);
    s->mrow = calloc(s->moff ? (size_t)s->moff[s->n] + 1 : 1, 1);
    if (!s->group || !s->head || !s->moff || !heads || !s->prob || !s->mrow) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    for (int32_t i = 0; i < s->n; i++) s->ag[s->group[i] = agent_of(sp, i)].n++;
    /* The actors' observation: the first layer's features (constant over a run). */
    s->obs_dim = sp->space && pesim_space_n_layers(sp->space) > 0 ? PESIM_NODE_FEATURES : 1;
    s->obs = calloc((size_t)s->obs_dim, sizeof *s->obs);
    if (!s->obs) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (s->obs_dim > 1) {
        const pesim_network *net = pesim_space_network_of(sp->space);
        int32_t first = 0;
        for (int32_t l = 0; l < net->n_layers; l++)
            if (pesim_layer_has_macs(&net->layers[l])) {
                first = l;
                break;
            }
        pesim_space_node_features(sp->space, first, s->obs, s->obs_dim);
        for (int32_t k = 0; k < s->obs_dim; k++) s->obs[k] /= 16.0; /* log2 sizes to about [0, 2] */
    } else {
        s->obs[0] = 1.0;
    }
    int32_t hidden = (int32_t)opt[OPT_HIDDEN];
    for (int g = 0; g < ARCO_AGENTS; g++) {
        agent *a = &s->ag[g];
        if (!a->n) continue;
        a->param = calloc((size_t)a->n, sizeof *a->param);
        if (!a->param) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        int32_t k = 0;
        for (int32_t i = 0; i < s->n; i++)
            if (s->group[i] == g) heads[k] = sp->n_choices[i], s->head[i] = k, a->param[k++] = i;
        st = make_mlp(s->obs_dim, hidden, a->n, heads, 0, opt[OPT_LR], rng, &a->actor, &a->adam, e);
        if (st != PESIM_OK) goto fail;
        s->logits[g] = calloc((size_t)pesim_rl_net_layout(a->actor)->out_dim, sizeof *s->logits[g]);
        if (!s->logits[g]) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto fail;
        }
    }
    /* mask = 1: the actors decode step by step through the space's masks (a
     * synthetic space has none: its heads stay free) */
    if (opt[OPT_MASK] != 0 && sp->space && (st = pesim_cursor_create(sp->space, &sp->eval, &s->cur, e)) != PESIM_OK)
        goto fail;
    s->crit_dim = s->n + ARCO_VIEWS;
    st = make_mlp(s->crit_dim, hidden, 0, NULL, 1, opt[OPT_CRITIC_LR], rng, &s->critic, &s->critic_adam, e);
    if (st != PESIM_OK) goto fail;
    if ((st = arco_features_init(&s->feat, sp, e)) != PESIM_OK) goto fail;
    pesim_surrogate_options so;
    pesim_surrogate_options_default(&so);
    so.members = (int32_t)opt[OPT_MEMBERS];
    so.rounds = (int32_t)opt[OPT_ROUNDS];
    so.seed = gsl_rng_get(rng);
    if ((st = pesim_surrogate_create(s->nf, &so, &s->sur, e)) != PESIM_OK) goto fail;
    free(heads);
    *state = s;
    return PESIM_OK;
fail:
    free(heads);
    algo_arco_destroy(s);
    return st;
}

/* Grows the per-ask scratch to m rows. */
static int reserve(arco_state *s, int32_t m)
{
    if (m <= s->cap) return 1;
    size_t n = (size_t)s->n, rows = (size_t)m * ARCO_VIEWS;
    size_t wide = (size_t)(s->crit_dim > s->obs_dim ? s->crit_dim : s->obs_dim);
    int32_t *px = realloc(s->px, (size_t)m * n * sizeof *px);
    if (px) s->px = px;
    int32_t *acts = realloc(s->acts, (size_t)m * n * sizeof *acts);
    if (acts) s->acts = acts;
    uint8_t *fa = realloc(s->from_actor, (size_t)m), *fr = realloc(s->fresh, (size_t)m);
    if (fa) s->from_actor = fa;
    if (fr) s->fresh = fr;
    uint8_t *po = realloc(s->pred_ok, (size_t)m);
    if (po) s->pred_ok = po;
    pesim_result *pr = realloc(s->pr, (size_t)m * sizeof *pr);
    if (pr) s->pr = pr;
    double **d[] = {&s->ana, &s->mean, &s->sd, &s->reward, &s->last_ana};
    int ok = px && acts && fa && fr && po && pr;
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        double *q = realloc(*d[k], (size_t)m * sizeof *q);
        if (q) *d[k] = q;
        ok = ok && q;
    }
    double *r1 = realloc(s->rows, rows * wide * sizeof *r1);
    if (r1) s->rows = r1;
    double *b1 = realloc(s->buf, rows * (n + 8) * sizeof *b1); /* outputs: logits of an agent <= sum of choices */
    if (b1) s->buf = b1;
    double *b2 = realloc(s->buf2, rows * sizeof *b2), *b3 = realloc(s->buf3, rows * sizeof *b3);
    if (b2) s->buf2 = b2;
    if (b3) s->buf3 = b3;
    int32_t *ix = realloc(s->idx, (size_t)m * sizeof *ix);
    if (ix) s->idx = ix;
    uint8_t *la = realloc(s->last_actor, (size_t)m);
    if (la) s->last_actor = la;
    uint8_t *pm = s->cur ? realloc(s->pmask, (size_t)m * (size_t)s->moff[s->n] + 1) : NULL;
    if (pm) s->pmask = pm;
    ok = ok && r1 && b1 && b2 && b3 && ix && la && (pm || !s->cur);
    if (ok) s->cap = m;
    return ok;
}

/* The critic's input for candidate x in view v (0: all; 1 + g: agent g hidden). */
static void critic_row(const arco_state *s, const int32_t *x, int v, double *row)
{
    for (int32_t i = 0; i < s->n; i++) {
        int32_t nc = s->sp->n_choices[i];
        row[i] = (v == 1 + s->group[i] || nc < 2) ? 0.0 : (double)x[i] / (double)(nc - 1);
    }
    for (int k = 0; k < ARCO_VIEWS; k++) row[s->n + k] = k == v;
}

double arco_baseline(void *state, const int32_t *x, int g)
{
    arco_state *s = state;
    double *row = malloc((size_t)s->crit_dim * sizeof *row), v = NAN;
    if (row) {
        critic_row(s, x, 1 + g, row);
        if (pesim_rl_net_forward(s->critic, row, 1, &v, NULL) != PESIM_OK) v = NAN;
    }
    free(row);
    return v;
}

/* The actors' masked step decode of one candidate (mask = 1): the
 * parameters in the cursor's order, each taking
 * - given[p] when replay (a replay, for the masks a decode saw);
 * - else given[p] when given, p != redraw and the mask allows it (a masked
 *   neighbour of given: parameter redraw drawn afresh, later ones kept where
 *   they still fit);
 * - else a draw from its head's softmax over the choices its mask allows
 *   (an empty mask: choice 0).
 * drawn (may be NULL) gets the choices; s->mrow gets each parameter's mask
 * as it was when the parameter was chosen. s->logits must hold the actors'
 * outputs unless replay. */
static void masked_decode(arco_state *s, const int32_t *given, int32_t redraw, int replay, int32_t *drawn)
{
    pesim_cursor_reset(s->cur);
    for (int32_t t = 0; t < s->n; t++) {
        int32_t p = pesim_cursor_next(s->cur);
        if (p < 0 || p >= s->n) break; /* cannot happen: each step chooses one */
        int32_t nc = s->sp->n_choices[p], c = 0;
        uint8_t *m = s->mrow + s->moff[p];
        int32_t allowed = pesim_cursor_mask(s->cur, p, m, NULL);
        if (given && (replay || (p != redraw && m[given[p]]))) {
            c = given[p];
        } else if (allowed > 0) {
            int g = s->group[p];
            const pesim_rl_layout *L = pesim_rl_net_layout(s->ag[g].actor);
            pesim_rl_softmax(s->logits[g] + L->head_offset[s->head[p]], m, nc, 1.0, s->prob);
            c = pesim_rl_sample_index(s->prob, nc, s->rng);
            if (c < 0) /* round-off left nothing: the first allowed */
                for (c = 0; c < nc - 1 && !m[c]; c++) {}
        }
        if (drawn) drawn[p] = c;
        pesim_cursor_set(s->cur, p, c);
    }
}

/* One actor-critic update on m designs x (m x n) with rewards r; only rows
 * with actor[k] train the actors. mask = 1: seen (m rows of moff[n] bytes)
 * holds the masks each row's decode saw, or is NULL (the decodes are then
 * replayed). Failures (out of memory) skip the update. */
static void learn(arco_state *s, const int32_t *x, const uint8_t *actor, const double *r, int32_t m,
                  const uint8_t *seen)
{
    if (m < 1 || !reserve(s, m)) return;
    size_t cd = (size_t)s->crit_dim;
    /* The critic on every view. */
    for (int32_t k = 0; k < m; k++)
        for (int v = 0; v < ARCO_VIEWS; v++) {
            critic_row(s, x + (size_t)k * (size_t)s->n, v, s->rows + ((size_t)k * ARCO_VIEWS + (size_t)v) * cd);
            s->buf2[(size_t)k * ARCO_VIEWS + (size_t)v] = r[k];
        }
    int32_t rows = m * ARCO_VIEWS;
    const pesim_rl_layout *CL = pesim_rl_net_layout(s->critic);
    pesim_rl_net_zero_grad(s->critic);
    if (pesim_rl_net_forward(s->critic, s->rows, rows, s->buf, NULL) != PESIM_OK) return;
    memset(s->buf3, 0, (size_t)rows * sizeof *s->buf3);
    pesim_rl_loss_value(CL, s->buf, 0, s->buf2, 1.0, rows, s->buf3);
    if (pesim_rl_net_backward(s->critic, s->buf3, NULL) != PESIM_OK) return;
    pesim_rl_net_adam_step(s->critic, s->critic_adam, 1.0); /* clipped to norm 1 */
    /* Each actor against its baseline V(view 1 + g). */
    int32_t ma = 0;
    for (int32_t k = 0; k < m; k++)
        if (actor[k]) s->idx[ma++] = k;
    if (ma < 2) return;
    /* mask = 1: the masks each row's decode saw (given, or a replay), for
     * the masked softmax's log-probability; a parameter chosen under an
     * empty mask (or, defensively, outside its mask) is a head that did not
     * act */
    size_t mb = (size_t)s->moff[s->n];
    uint8_t *masks = s->cur ? malloc((size_t)ma * mb + 1) : NULL;
    if (s->cur && !masks) return;
    for (int32_t j = 0; masks && j < ma; j++) {
        if (!seen) masked_decode(s, x + (size_t)s->idx[j] * (size_t)s->n, -1, 1, NULL);
        memcpy(masks + (size_t)j * mb, seen ? seen + (size_t)s->idx[j] * mb : s->mrow, mb);
    }
    for (int g = 0; g < ARCO_AGENTS; g++) {
        agent *a = &s->ag[g];
        if (!a->n) continue;
        for (int32_t j = 0; j < ma; j++) critic_row(s, x + (size_t)s->idx[j] * (size_t)s->n, 1 + g, s->rows + (size_t)j * cd);
        if (pesim_rl_net_forward(s->critic, s->rows, ma, s->buf, NULL) != PESIM_OK) return;
        double mu = 0, var = 0;
        for (int32_t j = 0; j < ma; j++) {
            s->buf2[j] = r[s->idx[j]] - s->buf[j];
            mu += s->buf2[j] / ma;
        }
        for (int32_t j = 0; j < ma; j++) var += (s->buf2[j] - mu) * (s->buf2[j] - mu) / ma;
        double sdv = sqrt(var) + 1e-8;
        for (int32_t j = 0; j < ma; j++) s->buf2[j] = (s->buf2[j] - mu) / sdv;
        const pesim_rl_layout *L = pesim_rl_net_layout(a->actor);
        uint8_t *amask = masks ? malloc((size_t)ma * (size_t)L->n_logits + 1) : NULL;
        for (int32_t j = 0; j < ma; j++) {
            memcpy(s->rows + (size_t)j * (size_t)s->obs_dim, s->obs, (size_t)s->obs_dim * sizeof *s->obs);
            for (int32_t h = 0; h < a->n; h++) {
                int32_t p = a->param[h], c = x[(size_t)s->idx[j] * (size_t)s->n + (size_t)p];
                if (amask) {
                    const uint8_t *mp = masks + (size_t)j * mb + (size_t)s->moff[p];
                    memcpy(amask + (size_t)j * (size_t)L->n_logits + (size_t)L->head_offset[h], mp,
                           (size_t)s->sp->n_choices[p]);
                    if (!mp[c]) c = -1;
                }
                s->acts[(size_t)j * (size_t)a->n + (size_t)h] = c;
            }
        }
        double *out = malloc((size_t)ma * (size_t)L->out_dim * sizeof *out);
        double *dout = calloc((size_t)ma * (size_t)L->out_dim, sizeof *dout);
        if (out && dout && (amask || !masks) && pesim_rl_net_forward(a->actor, s->rows, ma, out, NULL) == PESIM_OK) {
            pesim_rl_net_zero_grad(a->actor);
            pesim_rl_loss_policy(L, out, amask, s->acts, s->buf2, NULL, 0, s->opt[OPT_ENTROPY], ma, dout, NULL);
            if (pesim_rl_net_backward(a->actor, dout, NULL) == PESIM_OK) pesim_rl_net_adam_step(a->actor, a->adam, 1.0);
        }
        free(amask);
        free(out);
        free(dout);
    }
    free(masks);
    s->stats.updates++;
}

/* The agents' joint proposals for rows [from, to) of px: each actor's heads
 * drawn independently, or (mask = 1) the masked step decode. */
static void propose(arco_state *s, int32_t from, int32_t to)
{
    int32_t m = to - from;
    if (m < 1) return;
    if (s->cur) {
        for (int g = 0; g < ARCO_AGENTS; g++) {
            agent *a = &s->ag[g];
            if (a->n && pesim_rl_net_forward(a->actor, s->obs, 1, s->logits[g], NULL) != PESIM_OK)
                memset(s->logits[g], 0, (size_t)pesim_rl_net_layout(a->actor)->out_dim * sizeof *s->logits[g]);
        }
        size_t mb = (size_t)s->moff[s->n];
        for (int32_t j = from; j < to; j++) {
            masked_decode(s, NULL, -1, 0, s->px + (size_t)j * (size_t)s->n);
            memcpy(s->pmask + (size_t)j * mb, s->mrow, mb);
        }
        return;
    }
    for (int32_t j = 0; j < m; j++)
        memcpy(s->rows + (size_t)j * (size_t)s->obs_dim, s->obs, (size_t)s->obs_dim * sizeof *s->obs);
    for (int g = 0; g < ARCO_AGENTS; g++) {
        agent *a = &s->ag[g];
        if (!a->n) continue;
        if (pesim_rl_net_act(a->actor, s->rows, NULL, m, PESIM_RL_SAMPLE, s->rng, s->acts, NULL, NULL, NULL) !=
            PESIM_OK) {
            for (int32_t j = 0; j < m * a->n; j++) s->acts[j] = 0;
        }
        for (int32_t j = 0; j < m; j++)
            for (int32_t h = 0; h < a->n; h++) {
                int32_t c = s->acts[(size_t)j * (size_t)a->n + (size_t)h];
                s->px[(size_t)(from + j) * (size_t)s->n + (size_t)a->param[h]] = c < 0 ? 0 : c;
            }
    }
}

/* 1 if x is one of the k rows of xs. */
static int in_rows(const int32_t *xs, int32_t k, const int32_t *x, int32_t n)
{
    for (int32_t j = 0; j < k; j++)
        if (memcmp(xs + (size_t)j * (size_t)n, x, (size_t)n * sizeof *x) == 0) return 1;
    return 0;
}

static double value_of(double objective) { return asinh(objective); }

static double reward_of(arco_state *s, int valid, double v)
{
    if (!valid) return -s->opt[OPT_PENALTY];
    if (!s->have_ref) s->ref = v, s->have_ref = 1;
    return -(v - s->ref);
}

/* A proposal's rank key: predicted valid first, then the lower score, then
 * the earlier proposal. */
typedef struct rank_key {
    int ok;
    double score;
    int32_t k;
} rank_key;
static int by_key(const void *pa, const void *pb)
{
    const rank_key *a = pa, *b = pb;
    if (a->ok != b->ok) return a->ok ? -1 : 1;
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

int32_t algo_arco_ask(void *state, int32_t *choices, int32_t max)
{
    arco_state *s = state;
    int conf = s->opt[OPT_CONFIDENCE] != 0;
    int32_t P = conf ? max * (int32_t)s->opt[OPT_PROPOSALS] : max;
    if (!reserve(s, P)) return 0;
    size_t n = (size_t)s->n;
    /* 1. proposals: guided ones, then the actors' */
    int32_t n_guide = (int32_t)floor(s->opt[OPT_GUIDE] * P + 0.5);
    if (n_guide > 0) algo_valid_starts(s->sp, s->rng, s->px, n_guide);
    propose(s, n_guide, P);
    for (int32_t k = 0; k < P; k++) s->from_actor[k] = k >= n_guide;
    /* fresh: never measured, not a repeat within this ask */
    algo_seen batch = {0};
    for (int32_t k = 0; k < P; k++) {
        const int32_t *x = s->px + (size_t)k * n;
        s->fresh[k] = !algo_seen_has(&s->seen, x, s->n) && algo_seen_add(&batch, x, s->n) == 0;
    }
    algo_seen_free(&batch);
    s->stats.proposed += P;
    /* 2. the predictor and the surrogate (confidence sampling only). With
     * predictor=surrogate there is no analytical call: before the surrogate
     * is fit, the masked step decode's proposals (valid for capacity, fan-out
     * and area by construction) rank first, in proposal order. */
    const pesim_algo_env *env = s->sp->env;
    int have_pred = conf && !s->sur_only && env && env->predict &&
                    env->predict(env->ctx, s->px, P, PESIM_FIDELITY_ANALYTICAL, s->pr, NULL) == PESIM_OK;
    for (int32_t k = 0; k < P; k++) {
        s->pred_ok[k] = s->sur_only ? !s->from_actor[k] || s->cur : !have_pred || s->pr[k].valid;
        s->ana[k] = have_pred && s->pr[k].valid ? value_of(s->pr[k].objective) : 0;
        s->mean[k] = s->ana[k];
        s->sd[k] = 0;
    }
    int use_sur = conf && pesim_surrogate_fitted(s->sur);
    if (use_sur) {
        size_t nf = (size_t)s->nf;
        double *feat = malloc((size_t)P * nf * sizeof *feat);
        if (feat) {
            for (int32_t k = 0; k < P; k++) {
                arco_features_row(&s->feat, s->px + (size_t)k * n, feat + (size_t)k * nf);
                if (!s->sur_only) feat[(size_t)k * nf + n] = s->ana[k];
                else s->pred_ok[k] = 1; /* the surrogate has learned the invalid designs' labels */
            }
            if (pesim_surrogate_predict(s->sur, feat, P, s->mean, s->sd, NULL) != PESIM_OK) use_sur = 0;
            free(feat);
        } else {
            use_sur = 0;
        }
        if (!use_sur)
            for (int32_t k = 0; k < P; k++) s->mean[k] = s->ana[k], s->sd[k] = 0;
    }
    /* 3. the agents learn from the predictions */
    s->ask_learned = conf && (have_pred || use_sur);
    if (s->ask_learned) {
        for (int32_t k = 0; k < P; k++) s->reward[k] = reward_of(s, s->pred_ok[k], s->mean[k]);
        learn(s, s->px, s->from_actor, s->reward, P, s->pmask); /* rows [n_guide, P) propose()'s */
    }
    /* 4. the confident-best fresh proposals, or (plain) the fresh ones in order */
    int32_t m = 0;
    for (int32_t k = 0; k < P; k++)
        if (s->fresh[k]) {
            s->idx[m++] = k;
            if (conf) s->mean[k] += s->opt[OPT_KAPPA] * s->sd[k];
        }
    if (conf && (have_pred || use_sur || s->sur_only) && m > 1) {
        rank_key *key = malloc((size_t)m * sizeof *key);
        if (key) {
            for (int32_t j = 0; j < m; j++) key[j] = (rank_key){s->pred_ok[s->idx[j]], s->mean[s->idx[j]], s->idx[j]};
            qsort(key, (size_t)m, sizeof *key, by_key);
            for (int32_t j = 0; j < m; j++) s->idx[j] = key[j].k;
            free(key);
        }
    }
    int32_t k = 0;
    for (; k < max && k < m; k++) {
        int32_t j = s->idx[k];
        memcpy(choices + (size_t)k * n, s->px + (size_t)j * n, n * sizeof *choices);
        s->last_ana[k] = s->ana[j];
        s->last_actor[k] = s->from_actor[j];
    }
    /* Too few fresh proposals (a policy that has converged on designs already
     * measured): neighbours of the best-ranked proposals (one parameter
     * changed, algo_mutate_param; with mask = 1 one parameter redrawn by the
     * actors through the masks, the later ones kept where they still fit),
     * fresh ones if possible. */
    for (int32_t fill = 0; k < max; fill++) {
        int32_t *x = choices + (size_t)k * n;
        int32_t src = m > 0 ? s->idx[fill % m] : fill % P;
        for (int t = 0; t < ARCO_TRIES; t++) {
            const int32_t *from = s->px + (size_t)src * n;
            if (s->cur) {
                masked_decode(s, from, (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)s->n), 0, x);
            } else {
                memcpy(x, from, n * sizeof *x);
                int32_t moves = 1 + t / 4; /* wider as tries fail */
                for (int32_t q = 0; q < moves; q++)
                    algo_mutate_param(s->sp, s->rng, x, (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)s->n), 0.5);
            }
            if (!algo_seen_has(&s->seen, x, s->n) && !in_rows(choices, k, x, s->n)) break;
        }
        s->last_ana[k] = 0;
        s->last_actor[k] = 0;
        if (have_pred) {
            pesim_result r1;
            if (env->predict(env->ctx, x, 1, PESIM_FIDELITY_ANALYTICAL, &r1, NULL) == PESIM_OK && r1.valid)
                s->last_ana[k] = value_of(r1.objective);
        }
        k++;
    }
    for (int32_t j = 0; j < k; j++) algo_seen_add(&s->seen, choices + (size_t)j * n, s->n);
    s->n_last = k;
    return k;
}

void algo_arco_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    arco_state *s = state;
    int conf = s->opt[OPT_CONFIDENCE] != 0;
    size_t np = (size_t)s->n;
    size_t nf = (size_t)s->nf;
    double *feat = malloc((size_t)(n > 0 ? n : 1) * nf * sizeof *feat);
    double *y = malloc((size_t)(n > 0 ? n : 1) * sizeof *y);
    if (!feat || !y || !reserve(s, n)) {
        free(feat), free(y);
        return;
    }
    const pesim_algo_env *env = s->sp->env;
    int32_t nv = 0;
    for (int32_t c = 0; c < n; c++) {
        const int32_t *x = choices + (size_t)c * np;
        algo_seen_add(&s->seen, x, s->n);
        s->stats.measured += asked;
        if (!r[c].valid) continue;
        arco_features_row(&s->feat, x, feat + (size_t)nv * nf);
        if (!s->sur_only) {
            double ana = asked && c < s->n_last ? s->last_ana[c] : 0;
            if (!asked && conf && env && env->predict) {
                pesim_result r1;
                if (env->predict(env->ctx, x, 1, PESIM_FIDELITY_ANALYTICAL, &r1, NULL) == PESIM_OK && r1.valid)
                    ana = value_of(r1.objective);
            }
            feat[(size_t)nv * nf + np] = ana;
        }
        y[nv++] = value_of(r[c].objective);
    }
    /* The surrogate's error on these samples before it sees them (held back). */
    if (nv > 0 && pesim_surrogate_fitted(s->sur)) {
        double mu[1];
        for (int32_t j = 0; j < nv; j++)
            if (pesim_surrogate_predict(s->sur, feat + (size_t)j * nf, 1, mu, NULL, NULL) == PESIM_OK) {
                s->stats.holdout_sq += (mu[0] - y[j]) * (mu[0] - y[j]);
                s->stats.holdout_n++;
            }
    }
    if (s->sur_only) {
        /* every measured design, an invalid one labelled the worst valid
         * label + penalty (as the AutoTVM-like model): without the analytical
         * model the surrogate is what must learn where designs fail */
        double *f = malloc(nf * sizeof *f);
        for (int32_t c = 0, j = 0; f && c < n; c++) {
            double *row = r[c].valid ? feat + (size_t)j++ * nf : f;
            if (!r[c].valid) arco_features_row(&s->feat, choices + (size_t)c * np, f);
            arco_labels_add(&s->lab, s->sur, row, r[c].valid, r[c].valid ? value_of(r[c].objective) : 0,
                            s->opt[OPT_PENALTY]);
        }
        free(f);
        arco_labels_flush(&s->lab, s->sur, s->opt[OPT_PENALTY]);
        s->sur_valid += nv;
    } else if (nv > 0 && pesim_surrogate_add(s->sur, feat, y, nv, NULL) == PESIM_OK) {
        s->sur_valid += nv;
    }
    if (conf && s->sur_valid >= (int64_t)s->opt[OPT_MIN_FIT] && s->sur_valid > s->sur_fit_at &&
        pesim_surrogate_fit(s->sur, NULL) == PESIM_OK) {
        s->sur_fit_at = s->sur_valid;
        s->stats.fits++;
    }
    /* Plain MARL learns from the measurements; with confidence sampling the
     * agents learned from the predictions at ask time, except with
     * predictor=surrogate before the surrogate is fit (the critic learns from
     * the measured masked-decode designs). */
    if (asked && (!conf || (s->sur_only && !s->ask_learned))) {
        for (int32_t c = 0; c < n; c++)
            s->reward[c] = reward_of(s, r[c].valid, r[c].valid ? value_of(r[c].objective) : 0);
        learn(s, choices, s->last_actor, s->reward, n, NULL);
    }
    free(feat);
    free(y);
}
