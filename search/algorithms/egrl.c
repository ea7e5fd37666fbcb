/* search/algorithms/egrl.c - EGRL, memory placement by evolutionary graph
 * reinforcement learning (Khadka et al., ICLR 2021; papers.md section 3;
 * docs/egrl.md), and the paper's baselines on the same machinery:
 *   egrl    a population of Graph U-Net policies and Boltzmann chromosomes
 *           evolved by tournament selection, crossover and mutation, plus a
 *           discrete soft actor-critic learner trained from one replay buffer
 *           that every rollout feeds; the learner's policy is copied into the
 *           population every generation;
 *   ea      the same population and evolution, no learner;
 *   pg      the learner alone (its own rollouts only, no population);
 *   greedy  the native-compiler placer of the whole-network simulation
 *           (pesim_net_place_greedy): in topological order, each tensor to
 *           the fastest level that still fits over its lifetime.
 *
 * The problem as the policies see it: every node of the network graph (a
 * layer) has two decisions, where its weights go (decision 0) and where its
 * output goes (decision 1); a parameter of the space is one (node, decision)
 * head, found by its layer and tensor. A head without a parameter (a layer
 * without weights) is masked out (inactive); a head offers the largest number
 * of choices of any parameter, the extra ones masked. Placement choices are
 * ordered outermost first (search.h), so a higher choice is a faster level.
 * On a space without layers (a synthetic one) every parameter is a node of a
 * chain with one decision.
 *
 * Each run starts with the greedy placement (one candidate, make_greedy):
 * its objective, on the campaign's evaluator and fidelity, is the
 * reference of the reward, speedup^2 - 1 with speedup = reference /
 * objective (lower-better objectives: latency, energy, EDP), and -5 for a
 * placement the evaluator refuses. Without a valid greedy placement the
 * first valid objective becomes the reference.
 *
 * A generation samples every member's rollout (from the handle's
 * generator) and the learner's (from the learner's own, seeded from the
 * handle's at creation) at once, then proposes them across as many asks as the
 * batch size needs; when the last result is told, the transitions enter the
 * replay in generation order, the learner takes its gradient steps, and the
 * population evolves. So a run depends on the seed and options only, never
 * on the batch size, and resume (which replays the asks) is exact. The
 * members of a generation are evaluated in parallel by the evaluator's
 * threads (they are one batch when the batch size allows). With
 * repeats=recall a placement the run has already evaluated is not asked
 * again: its reward is recalled (it still sets its member's fitness and
 * enters the replay), so the budget buys only new placements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "algo_impl.h"
#include "egrl.h"
#include "pesim/rl.h"

typedef enum egrl_mode { MODE_EGRL = 0, MODE_EA, MODE_PG, MODE_GREEDY } egrl_mode;

/* Option indices (the same table for egrl, ea and pg; the ablations ignore
 * what they do not have). */
enum {
    O_POP_GNN, O_POP_BOLTZ, O_ELITE, O_TOURNAMENT, O_P_CROSS, O_P_MUT, O_WEIGHT_FRAC, O_WEIGHT_SIGMA,
    O_BOLTZ_FRAC, O_BOLTZ_SIGMA, O_TEMP_MIN, O_TEMP_MAX, O_ROLLOUTS, O_STEPS, O_ALPHA, O_LR, O_CRITIC_LR,
    O_TAU, O_BATCH, O_HIDDEN, O_DEPTH, O_RATIO, O_REPLAY, O_CRITIC, O_REPLAY_SAMPLE, O_REPLAY_ALPHA, O_REPLAY_BETA,
    O_MIGRATE, O_REPEATS, O_CLEAR_RADIUS, O_POP_GRAD, O_POP_GRAD_FRAC, N_OPTS
};

#define OPT_TABLE(pop_gnn, pop_boltz, rollouts)                                                                \
    {                                                                                                          \
        {"pop_gnn", 1, pop_gnn, 0, 1000, "GNN policies in the population"},                                   \
        {"pop_boltz", 1, pop_boltz, 0, 1000, "Boltzmann chromosomes in the population"},                       \
        {"elite", 0, 0.1, 0, 1, "fraction of the population kept unchanged (at least 2)"},                     \
        {"tournament", 1, 3, 1, 1000, "members drawn per parent selection"},                                    \
        {"p_cross", 0, 0.3, 0, 1, "probability that a child is a crossover of two parents"},                   \
        {"p_mut", 0, 0.85, 0, 1, "probability that a child is mutated"},                                       \
        {"weight_frac", 0, 0.05, 0, 1, "GNN mutation: at most this fraction of the weights changes"},          \
        {"weight_sigma", 0, 0.1, 0, 100, "GNN mutation: relative Gaussian noise on a changed weight"},         \
        {"boltz_frac", 0, 0.1, 0, 1, "chromosome mutation: fraction of priors and temperatures changed"},      \
        {"boltz_sigma", 0, 0.2, 0, 100, "chromosome mutation: relative (multiplicative) Gaussian noise"},      \
        {"temp_min", 0, 0.1, 1e-6, 1e6, "lowest temperature of a chromosome"},                                 \
        {"temp_max", 0, 10, 1e-6, 1e6, "highest temperature of a chromosome"},                                 \
        {"rollouts", 1, rollouts, 0, 100000, "learner rollouts (evaluations) per generation"},                 \
        {"steps", 1, 16, 0, 100000, "learner gradient steps per generation"},                                  \
        {"alpha", 0, 0.05, 0, 100, "SAC entropy coefficient (fixed)"},                                         \
        {"lr", 0, 3e-4, 0, 1, "SAC actor step size (Adam)"},                                                   \
        {"critic_lr", 0, 3e-4, 0, 1, "SAC critics' step size (Adam)"},                                         \
        {"tau", 0, 0.005, 1e-9, 1, "Polyak factor of the target critics"},                                     \
        {"batch", 1, 64, 1, 100000, "transitions per gradient step"},                                           \
        {"hidden", 1, 128, 1, 4096, "Graph U-Net width"},                                                       \
        {"depth", 1, 3, 0, 8, "Graph U-Net pooling levels"},                                                    \
        {"ratio", 0, 0.5, 0.01, 1, "Graph U-Net top-k kept fraction"},                                         \
        {"replay", 1, 100000, 1, 100000000, "replay buffer capacity (transitions)"},                           \
        {"critic", 1, 0, 0, 2,                                                                                 \
         "SAC critic: additive (0, the heads' Q sum to the joint Q), per_head (1), joint (2, COMA's)"},          \
        {"replay_sample", 1, 0, 0, 1, "replay sampling: uniform (0) or rank (1, prioritised by reward rank)"},   \
        {"replay_alpha", 0, 0.7, 0, 10, "rank replay: P(rank k) proportional to k^-replay_alpha"},              \
        {"replay_beta", 0, 0.5, 0, 1, "rank replay: importance-sampling exponent of the critics' weights"},    \
        {"migrate", 1, 0, 0, 1,                                                                                \
         "migration: the learner's copy as a GNN member (0, member) or its distribution as a chromosome (1)"}, \
        {"repeats", 1, 0, 0, 1,                                                                                \
         "a placement the run already evaluated: asked again (0, evaluate) or its reward recalled (1, recall)"}, \
        {"clear_radius", 1, -1, -1, 1000000,                                                                  \
         "clearing before selection: -1 off; r >= 0: a member whose placement differs in at most r "           \
         "parameters from a fitter kept member's ranks below every kept member"},                               \
        {"pop_grad", 1, 0, 0, 100000,                                                                          \
         "CEM-RL: actor steps on the learner's critics for a share of the non-elite GNN children (0: off)"},   \
        {"pop_grad_frac", 0, 0.5, 0, 1, "CEM-RL: the share of non-elite GNN children that take pop_grad steps"}, \
    }

const algo_opt_desc algo_egrl_opts[N_OPTS] = OPT_TABLE(10, 10, 1);
const int32_t algo_egrl_n_opts = N_OPTS;
const algo_opt_desc algo_ea_opts[N_OPTS] = OPT_TABLE(10, 10, 0);
const int32_t algo_ea_n_opts = N_OPTS;
const algo_opt_desc algo_pg_opts[N_OPTS] = OPT_TABLE(0, 0, 20);
const int32_t algo_pg_n_opts = N_OPTS;
const algo_opt_word algo_egrl_words[] = {
    {"critic", "additive", 0},
    {"critic", "per_head", 1},
    {"critic", "joint", 2},
    {"replay_sample", "uniform", 0},
    {"replay_sample", "rank", 1},
    {"migrate", "member", 0},
    {"migrate", "chromosome", 1},
    {"repeats", "evaluate", 0},
    {"repeats", "recall", 1},
    {NULL, NULL, 0},
};
const algo_opt_desc algo_greedy_opts[1] = {{"", 0, 0, 0, 0, ""}}; /* none */
const int32_t algo_greedy_n_opts = 0;

#define N_DEC 2              /* decisions per node: weights, outputs */
#define FAIL_REWARD (-5.0)   /* a placement the evaluator refuses (papers.md) */
#define RECALL_MAX 16        /* repeats=recall: generations in a row with nothing to ask before one is asked whole */
_Static_assert(EGRL_CLEARED < FAIL_REWARD, "a cleared member ranks below every reward");

typedef struct member {
    pesim_rl_net *net;       /* a GNN policy, or NULL: a Boltzmann chromosome */
    double *prior;           /* chromosome: n_logits (head-major, as the GNN's logits) */
    double *temp;            /* chromosome: n_nodes, in [temp_min, temp_max] */
    double fitness;          /* reward of its last rollout */
    double selection;        /* what the last evolution ranked it by: fitness, or EGRL_CLEARED */
    uint8_t how;             /* EGRL_FROM_*: how the last evolution made it (calloc: initial) */
    uint8_t lineage;         /* 1: it descends from a migrant (the learner's copy) */
    uint8_t stepped;         /* 1: the last evolution gave it actor steps (pop_grad) */
} member;

struct egrl_state {
    const algo_space *sp;
    gsl_rng *rng;            /* the handle's: the population's draws */
    gsl_rng *lrng;           /* the learner's own (its networks, its rollouts, its minibatches' seed) */
    egrl_mode mode;
    double opt[N_OPTS];
    /* the problem as nodes x decisions */
    int32_t n_nodes, n_heads, hsize, n_logits, n_feat;
    int32_t *param_head;     /* per parameter: its head (node * N_DEC + decision) */
    int32_t *head_param;     /* per head: its parameter, -1 */
    uint8_t *mask;           /* n_logits: the fixed mask */
    double *obs;             /* n_nodes x n_feat: node features, standardised */
    /* the population and the learner */
    member *pop;
    int32_t n_pop;
    pesim_rl_net *actor, *q1, *q2;
    pesim_rl_sac *sac;
    pesim_rl_replay *rb;
    double *out;             /* one network output row */
    double *pbuf;            /* one head's probabilities */
    double *snap;            /* snapshot of the population's genomes during evolution */
    int64_t gnn_len, boltz_len;
    /* greedy and the reference */
    int32_t *greedy;
    int greedy_state;        /* 0: not asked, 1: asked, 2: told */
    int have_ref;
    double ref;
    /* the current generation: gen_n candidates, of which gen_n_ask are
     * asked (all, unless repeats=recall), gen_asked of those asked so far
     * and gen_told told */
    int32_t gen_cap, gen_n, gen_n_ask, gen_asked, gen_told;
    int32_t *gen_x;          /* gen_n x sp->n */
    int32_t *gen_act;        /* gen_n x n_heads */
    int32_t *gen_who;        /* member index, -1: the learner */
    int32_t *gen_ask;        /* gen_n_ask candidate indices, in ask order */
    int32_t *gen_src;        /* per candidate: -1 asked, -2 reward recalled, else the asked candidate it repeats */
    int32_t ask_first, ask_n; /* the last ask: its first position in gen_ask (-1: greedy's), count */
    double *gen_reward;
    algo_seen memo;          /* repeats=recall: every placement told, to its reward */
    int64_t generation;
};
typedef struct egrl_state egrl_state;

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* ------------------------------------------------------ the problem shape */

/* Nodes, heads and parameters; the graph edges (caller frees *src, *dst). */
static int build_shape(egrl_state *s, int32_t **src, int32_t **dst, int64_t *n_edges)
{
    const algo_space *sp = s->sp;
    int32_t n = sp->n;
    pesim_graph g;
    memset(&g, 0, sizeof g);
    if (sp->space) pesim_space_graph(sp->space, &g);
    int by_layer = sp->layer != NULL && sp->tensor != NULL;
    int32_t max_layer = -1;
    for (int32_t i = 0; by_layer && i < n; i++) {
        if (sp->layer[i] < 0) by_layer = 0;
        else if (sp->layer[i] > max_layer) max_layer = sp->layer[i];
    }
    s->n_nodes = by_layer ? (g.n_nodes > max_layer ? g.n_nodes : max_layer + 1) : n;
    s->n_heads = s->n_nodes * N_DEC;
    s->hsize = 1;
    for (int32_t i = 0; i < n; i++)
        if (sp->n_choices[i] > s->hsize) s->hsize = sp->n_choices[i];
    s->n_logits = s->n_heads * s->hsize;
    s->param_head = malloc((size_t)n * sizeof *s->param_head);
    s->head_param = malloc((size_t)s->n_heads * sizeof *s->head_param);
    s->mask = calloc((size_t)s->n_logits, 1);
    if (!s->param_head || !s->head_param || !s->mask) return 0;
    for (int32_t h = 0; h < s->n_heads; h++) s->head_param[h] = -1;
    for (int32_t i = 0; i < n; i++) {
        int32_t h = by_layer ? sp->layer[i] * N_DEC + (sp->tensor[i] == PESIM_WEIGHTS ? 0 : 1) : i * N_DEC + 1;
        if (s->head_param[h] >= 0) { /* two parameters on one head: treat every parameter as a node */
            if (!by_layer) return 0;
            free(s->param_head), free(s->head_param), free(s->mask);
            s->param_head = NULL, s->head_param = NULL, s->mask = NULL;
            algo_space flat = *sp;
            flat.layer = NULL;
            const algo_space *keep = s->sp;
            s->sp = &flat;
            int ok = build_shape(s, src, dst, n_edges);
            s->sp = keep;
            return ok;
        }
        s->head_param[h] = i;
        s->param_head[i] = h;
        memset(s->mask + (size_t)h * s->hsize, 1, (size_t)sp->n_choices[i]);
    }
    /* features and edges */
    const int real = by_layer && g.n_nodes == s->n_nodes && sp->space;
    s->n_feat = real ? PESIM_NODE_FEATURES : 4;
    s->obs = calloc((size_t)s->n_nodes * s->n_feat, sizeof *s->obs);
    int64_t ne = real ? g.n_edges : s->n_nodes - 1, k = 0;
    *src = malloc((size_t)(ne > 0 ? ne : 1) * sizeof **src);
    *dst = malloc((size_t)(ne > 0 ? ne : 1) * sizeof **dst);
    if (!s->obs || !*src || !*dst) return 0;
    for (int32_t v = 0; v < s->n_nodes; v++) {
        double *f = s->obs + (size_t)v * s->n_feat;
        if (real) {
            pesim_space_node_features(sp->space, v, f, s->n_feat);
        } else { /* position, parities, choices: enough to tell the nodes apart */
            int32_t p = by_layer ? -1 : v;
            f[0] = s->n_nodes > 1 ? (double)v / (s->n_nodes - 1) : 0;
            f[1] = v % 2;
            f[2] = (v % 3) / 2.0;
            f[3] = p >= 0 ? (double)sp->n_choices[p] / s->hsize : 1;
        }
    }
    if (real) {
        for (int32_t j = 0; j < g.n_edges; j++)
            if (g.edges[j].src >= 0) (*src)[k] = g.edges[j].src, (*dst)[k] = g.edges[j].dst, k++;
    } else {
        for (int32_t v = 0; v + 1 < s->n_nodes; v++) (*src)[k] = v, (*dst)[k] = v + 1, k++;
    }
    *n_edges = k;
    /* standardise each column over the nodes (a constant column becomes 0) */
    for (int32_t c = 0; c < s->n_feat; c++) {
        double m = 0, q = 0;
        for (int32_t v = 0; v < s->n_nodes; v++) m += s->obs[(size_t)v * s->n_feat + c];
        m /= s->n_nodes;
        for (int32_t v = 0; v < s->n_nodes; v++) {
            double d = s->obs[(size_t)v * s->n_feat + c] - m;
            q += d * d;
        }
        double sd = sqrt(q / s->n_nodes);
        for (int32_t v = 0; v < s->n_nodes; v++) {
            double *x = &s->obs[(size_t)v * s->n_feat + c];
            *x = sd > 1e-12 ? (*x - m) / sd : 0;
        }
    }
    return 1;
}

/* A Graph U-Net with a head per (node, decision) on the problem's graph,
 * taking extra features per node after the node features (a joint critic's
 * actions). */
static pesim_status make_gnn(egrl_state *s, gsl_rng *rng, const int32_t *src, const int32_t *dst, int64_t ne,
                             int32_t extra, pesim_rl_net **out, pesim_error *e)
{
    pesim_rl_gnn_config cfg;
    pesim_rl_gnn_config_default(&cfg);
    cfg.in_features = s->n_feat + extra;
    cfg.hidden = (int32_t)s->opt[O_HIDDEN];
    cfg.depth = (int32_t)s->opt[O_DEPTH];
    cfg.ratio = s->opt[O_RATIO];
    cfg.n_decisions = N_DEC;
    for (int d = 0; d < N_DEC; d++) cfg.decision_sizes[d] = s->hsize;
    cfg.n_values = 0;
    pesim_status st = pesim_rl_gnn_create(&cfg, rng, out, e);
    if (st == PESIM_OK) st = pesim_rl_net_set_graph(*out, s->n_nodes, ne, src, dst, e);
    return st;
}

/* ------------------------------------------------------ sampling */

/* A chromosome's actions: per active head a draw from softmax(prior / T). */
static void boltz_sample(egrl_state *s, const member *m, int32_t *act)
{
    for (int32_t h = 0; h < s->n_heads; h++) {
        act[h] = -1;
        if (s->head_param[h] < 0) continue;
        size_t off = (size_t)h * s->hsize;
        if (pesim_rl_softmax(m->prior + off, s->mask + off, s->hsize, m->temp[h / N_DEC], s->pbuf) > 0)
            act[h] = pesim_rl_sample_index(s->pbuf, s->hsize, s->rng);
    }
}

static void sample_net(egrl_state *s, pesim_rl_net *net, gsl_rng *rng, int32_t *act)
{
    if (pesim_rl_net_act(net, s->obs, s->mask, 1, PESIM_RL_SAMPLE, rng, act, NULL, s->out, NULL) != PESIM_OK)
        for (int32_t h = 0; h < s->n_heads; h++) act[h] = -1;
}

/* Choices of a candidate from head actions (an inactive head's parameter,
 * which cannot happen with the fixed mask, takes 0). */
static void actions_to_choices(const egrl_state *s, const int32_t *act, int32_t *x)
{
    for (int32_t i = 0; i < s->sp->n; i++) {
        int32_t a = act[s->param_head[i]];
        x[i] = a >= 0 && a < s->sp->n_choices[i] ? a : 0;
    }
}

static void choices_to_actions(const egrl_state *s, const int32_t *x, int32_t *act)
{
    for (int32_t h = 0; h < s->n_heads; h++) act[h] = s->head_param[h] >= 0 ? x[s->head_param[h]] : -1;
}

/* The greedy placement. On a placement space: the whole-network simulation's
 * native-compiler placer (pesim_space_placement_greedy: in topological
 * order, each tensor to the fastest home where it fits over its lifetime,
 * the allocator finding it an address). On another real space: parameters in
 * space order, each the highest choice the masks allow given the choices
 * before it. On a synthetic space (no capacities known): the highest choice
 * of every parameter. */
static pesim_status make_greedy(egrl_state *s, pesim_error *e)
{
    const algo_space *sp = s->sp;
    for (int32_t i = 0; i < sp->n; i++) s->greedy[i] = sp->n_choices[i] - 1;
    if (!sp->space) return PESIM_OK;
    pesim_error err;
    pesim_error_clear(&err);
    pesim_status st = pesim_space_placement_greedy(sp->space, s->greedy, NULL, &err);
    if (st == PESIM_OK) return PESIM_OK;
    for (int32_t i = 0; i < sp->n; i++) s->greedy[i] = sp->n_choices[i] - 1;
    int placement = 1;
    for (int32_t i = 0; i < sp->n; i++) placement &= sp->kind[i] == PESIM_PARAM_PLACEMENT;
    if (placement) { /* a placement space the greedy placer could not place */
        if (e) *e = err;
        return st;
    }
    pesim_cursor *c = NULL;
    if (pesim_cursor_create(sp->space, &sp->eval, &c, NULL) != PESIM_OK) return PESIM_OK;
    uint8_t *m = malloc((size_t)s->hsize);
    for (int32_t i = 0; m && i < sp->n; i++) {
        int32_t k = sp->n_choices[i] - 1;
        if (pesim_cursor_mask(c, i, m, NULL) > 0)
            while (k > 0 && !m[k]) k--;
        s->greedy[i] = k;
        pesim_cursor_set(c, i, k);
    }
    free(m);
    pesim_cursor_destroy(c);
    return PESIM_OK;
}

/* ------------------------------------------------------ create / destroy */

static void member_free(member *m)
{
    pesim_rl_net_destroy(m->net);
    free(m->prior);
    free(m->temp);
}

void algo_egrl_destroy(void *state)
{
    egrl_state *s = state;
    if (!s) return;
    for (int32_t i = 0; s->pop && i < s->n_pop; i++) member_free(&s->pop[i]);
    free(s->pop);
    pesim_rl_sac_destroy(s->sac);
    pesim_rl_replay_destroy(s->rb);
    pesim_rl_net_destroy(s->actor);
    pesim_rl_net_destroy(s->q1);
    pesim_rl_net_destroy(s->q2);
    if (s->lrng) gsl_rng_free(s->lrng);
    free(s->param_head), free(s->head_param), free(s->mask), free(s->obs), free(s->out), free(s->pbuf), free(s->snap);
    free(s->greedy), free(s->gen_x), free(s->gen_act), free(s->gen_who), free(s->gen_reward);
    free(s->gen_ask), free(s->gen_src);
    algo_seen_free(&s->memo);
    free(s);
}

static pesim_status create_mode(const algo_space *sp, gsl_rng *rng, const double *opt, egrl_mode mode, void **state,
                                pesim_error *e)
{
    egrl_state *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp, s->rng = rng, s->mode = mode;
    for (int i = 0; i < N_OPTS; i++) s->opt[i] = mode == MODE_GREEDY ? algo_egrl_opts[i].def : opt[i];
    if (mode == MODE_EA) s->opt[O_ROLLOUTS] = 0;
    if (mode == MODE_PG) s->opt[O_POP_GNN] = s->opt[O_POP_BOLTZ] = 0;
    int32_t *src = NULL, *dst = NULL;
    int64_t ne = 0;
    pesim_status st = PESIM_OK;
    s->greedy = malloc((size_t)sp->n * sizeof *s->greedy);
    if (!s->greedy || !build_shape(s, &src, &dst, &ne)) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    if (s->opt[O_TEMP_MIN] > s->opt[O_TEMP_MAX]) {
        st = pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "algo-opt", "temp_min %g > temp_max %g",
                             s->opt[O_TEMP_MIN], s->opt[O_TEMP_MAX]);
        goto done;
    }
    st = make_greedy(s, e);
    if (st || mode == MODE_GREEDY) goto done;
    /* The learner's generator, seeded by the same draw in egrl, ea and pg:
     * the learner never draws from the population's stream, so egrl and ea
     * with one seed start from the same population and draw alike until
     * the learner's rewards change a selection. */
    {
        uint64_t lseed = ((uint64_t)gsl_rng_get(rng) << 32) ^ gsl_rng_get(rng);
        if (!(s->lrng = algo_rng_create(lseed))) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto done;
        }
    }
    s->n_pop = (int32_t)(s->opt[O_POP_GNN] + s->opt[O_POP_BOLTZ]);
    const int32_t rollouts = (int32_t)s->opt[O_ROLLOUTS];
    if (s->n_pop + rollouts < 1) {
        st = pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "algo-opt",
                             "pop_gnn + pop_boltz + rollouts must be at least 1 (nothing to evaluate)");
        goto done;
    }
    s->out = malloc((size_t)s->n_logits * sizeof *s->out);
    s->pbuf = malloc((size_t)s->hsize * sizeof *s->pbuf);
    s->pop = calloc((size_t)(s->n_pop > 0 ? s->n_pop : 1), sizeof *s->pop);
    s->gen_cap = s->n_pop + rollouts;
    s->gen_x = malloc((size_t)s->gen_cap * sp->n * sizeof *s->gen_x);
    s->gen_act = malloc((size_t)s->gen_cap * s->n_heads * sizeof *s->gen_act);
    s->gen_who = malloc((size_t)s->gen_cap * sizeof *s->gen_who);
    s->gen_reward = malloc((size_t)s->gen_cap * sizeof *s->gen_reward);
    s->gen_ask = malloc((size_t)s->gen_cap * sizeof *s->gen_ask);
    s->gen_src = malloc((size_t)s->gen_cap * sizeof *s->gen_src);
    if (!s->out || !s->pbuf || !s->pop || !s->gen_x || !s->gen_act || !s->gen_who || !s->gen_reward || !s->gen_ask ||
        !s->gen_src) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    s->boltz_len = (int64_t)s->n_logits + s->n_nodes;
    for (int32_t i = 0; i < s->n_pop && !st; i++) {
        member *m = &s->pop[i];
        m->fitness = m->selection = -HUGE_VAL;
        if (i < (int32_t)s->opt[O_POP_GNN]) {
            st = make_gnn(s, rng, src, dst, ne, 0, &m->net, e);
            if (!st) s->gnn_len = pesim_rl_net_n_params(m->net);
            continue;
        }
        m->prior = malloc((size_t)s->n_logits * sizeof *m->prior);
        m->temp = malloc((size_t)s->n_nodes * sizeof *m->temp);
        if (!m->prior || !m->temp) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        /* priors N(0, 1); temperatures log-uniform over [temp_min, temp_max] */
        for (int32_t k = 0; k < s->n_logits; k++) m->prior[k] = gsl_ran_gaussian(rng, 1.0);
        double lo = log(s->opt[O_TEMP_MIN]), hi = log(s->opt[O_TEMP_MAX]);
        for (int32_t v = 0; v < s->n_nodes; v++) m->temp[v] = exp(lo + (hi - lo) * gsl_rng_uniform(rng));
    }
    if (st) goto done;
    if (s->n_pop > 0) {
        int64_t len = s->gnn_len > s->boltz_len ? s->gnn_len : s->boltz_len;
        s->snap = malloc((size_t)s->n_pop * (size_t)len * sizeof *s->snap);
        if (!s->snap) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto done;
        }
    }
    if (rollouts > 0 || mode == MODE_EGRL) {
        gsl_rng *lr = s->lrng;
        const int joint = s->opt[O_CRITIC] == 2;
        if (joint && mode == MODE_EGRL && s->opt[O_POP_GRAD] > 0) {
            st = pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "algo-opt",
                                 "pop_grad needs critic=additive or per_head (a joint critic's Q of one head "
                                 "depends on the other heads' actions)");
            goto done;
        }
        if ((st = make_gnn(s, lr, src, dst, ne, 0, &s->actor, e)))
            goto done;
        const int32_t extra = joint ? pesim_rl_joint_critic_extra(s->actor) : 0;
        if ((st = make_gnn(s, lr, src, dst, ne, extra, &s->q1, e)) ||
            (st = make_gnn(s, lr, src, dst, ne, extra, &s->q2, e)))
            goto done;
        pesim_rl_sac_config sc;
        pesim_rl_sac_config_default(&sc);
        sc.alpha = s->opt[O_ALPHA], sc.lr = s->opt[O_LR], sc.critic_lr = s->opt[O_CRITIC_LR];
        sc.tau = s->opt[O_TAU], sc.batch = (int32_t)s->opt[O_BATCH];
        sc.critic = joint ? PESIM_RL_SAC_JOINT : s->opt[O_CRITIC] > 0 ? PESIM_RL_SAC_PER_HEAD : PESIM_RL_SAC_SUM;
        uint64_t seed = ((uint64_t)gsl_rng_get(lr) << 32) ^ gsl_rng_get(lr);
        if ((st = pesim_rl_sac_create(&sc, s->actor, s->q1, s->q2, seed, &s->sac, e)) ||
            (st = pesim_rl_sac_set_fixed_obs(s->sac, s->obs, e)) ||
            (st = pesim_rl_replay_create(0, s->n_heads, s->n_logits, (int64_t)s->opt[O_REPLAY], &s->rb, e)) ||
            (st = pesim_rl_replay_set_sampling(s->rb, (pesim_rl_replay_sampling)s->opt[O_REPLAY_SAMPLE],
                                               s->opt[O_REPLAY_ALPHA], s->opt[O_REPLAY_BETA], e)))
            goto done;
    }
done:
    free(src);
    free(dst);
    if (st) {
        algo_egrl_destroy(s);
        return st;
    }
    *state = s;
    return PESIM_OK;
}

pesim_status algo_egrl_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    return create_mode(sp, rng, opt, MODE_EGRL, state, e);
}
pesim_status algo_ea_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    return create_mode(sp, rng, opt, MODE_EA, state, e);
}
pesim_status algo_pg_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    return create_mode(sp, rng, opt, MODE_PG, state, e);
}
pesim_status algo_greedy_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                pesim_error *e)
{
    return create_mode(sp, rng, opt, MODE_GREEDY, state, e);
}

/* ------------------------------------------------------ evolution */

static int64_t genome_len(const egrl_state *s, const member *m) { return m->net ? s->gnn_len : s->boltz_len; }

static void genome_get(const egrl_state *s, const member *m, double *g)
{
    if (m->net) {
        pesim_rl_net_get_params(m->net, g);
        return;
    }
    memcpy(g, m->prior, (size_t)s->n_logits * sizeof *g);
    memcpy(g + s->n_logits, m->temp, (size_t)s->n_nodes * sizeof *g);
}

static void genome_set(egrl_state *s, member *m, const double *g)
{
    if (m->net) {
        pesim_rl_net_set_params(m->net, g);
        return;
    }
    memcpy(m->prior, g, (size_t)s->n_logits * sizeof *g);
    memcpy(m->temp, g + s->n_logits, (size_t)s->n_nodes * sizeof *g);
}

/* A chromosome from a GNN's policy: its logits as the prior, temperature 1
 * (the same distribution). */
static void genome_from_gnn(egrl_state *s, pesim_rl_net *net, double *g)
{
    if (pesim_rl_net_forward(net, s->obs, 1, s->out, NULL) != PESIM_OK) memset(s->out, 0, (size_t)s->n_logits * sizeof *s->out);
    memcpy(g, s->out, (size_t)s->n_logits * sizeof *g);
    for (int32_t v = 0; v < s->n_nodes; v++) g[s->n_logits + v] = clampd(1.0, s->opt[O_TEMP_MIN], s->opt[O_TEMP_MAX]);
}

/* Tournament selection among the members with is_gnn (-1: any): the best
 * selection fitness of `tournament` draws (the lower index on a tie). Returns -1 if
 * no member qualifies. */
static int32_t tournament(egrl_state *s, int is_gnn)
{
    int32_t pool[4096], n = 0;
    for (int32_t i = 0; i < s->n_pop && n < 4096; i++)
        if (is_gnn < 0 || (s->pop[i].net != NULL) == is_gnn) pool[n++] = i;
    if (n == 0) return -1;
    int32_t best = -1;
    for (int32_t k = 0; k < (int32_t)s->opt[O_TOURNAMENT]; k++) {
        int32_t c = pool[gsl_rng_uniform_int(s->rng, (unsigned long)n)];
        if (best < 0 || s->pop[c].selection > s->pop[best].selection ||
            (s->pop[c].selection == s->pop[best].selection && c < best))
            best = c;
    }
    return best;
}

/* Crossover into child genome c (a copy of parent a) from parent b: GNN,
 * each row (neuron) of each weight tensor from b with probability 1/2;
 * chromosome, each node (its priors and temperature) from b with
 * probability 1/2. */
static void crossover(egrl_state *s, const member *shape, double *c, const double *b)
{
    if (shape->net) {
        int32_t nt = pesim_rl_net_n_tensors(shape->net);
        for (int32_t t = 0; t < nt; t++) {
            pesim_rl_tensor T = pesim_rl_net_tensor(shape->net, t);
            for (int32_t r = 0; r < T.rows; r++)
                if (gsl_rng_uniform(s->rng) < 0.5)
                    memcpy(c + T.offset + (int64_t)r * T.cols, b + T.offset + (int64_t)r * T.cols, (size_t)T.cols * sizeof *c);
        }
        return;
    }
    for (int32_t v = 0; v < s->n_nodes; v++) {
        if (gsl_rng_uniform(s->rng) >= 0.5) continue;
        size_t off = (size_t)v * N_DEC * s->hsize;
        memcpy(c + off, b + off, (size_t)N_DEC * s->hsize * sizeof *c);
        c[s->n_logits + v] = b[s->n_logits + v];
    }
}

static void mutate(egrl_state *s, const member *shape, double *g)
{
    if (shape->net) {
        double frac = s->opt[O_WEIGHT_FRAC] * gsl_rng_uniform(s->rng); /* up to weight_frac of the weights */
        pesim_rl_perturb(g, s->gnn_len, s->rng, frac, s->opt[O_WEIGHT_SIGMA], 1);
        return;
    }
    pesim_rl_perturb(g, s->boltz_len, s->rng, s->opt[O_BOLTZ_FRAC], s->opt[O_BOLTZ_SIGMA], 1);
    for (int32_t v = 0; v < s->n_nodes; v++)
        g[s->n_logits + v] = clampd(g[s->n_logits + v], s->opt[O_TEMP_MIN], s->opt[O_TEMP_MAX]);
}

/* Sorts order (member indices) by selection fitness, descending; stable,
 * so equal ones keep their order. */
static void sort_by_selection(const egrl_state *s, int32_t *order)
{
    for (int32_t i = 1; i < s->n_pop; i++) /* insertion sort */
        for (int32_t j = i; j > 0 && s->pop[order[j]].selection > s->pop[order[j - 1]].selection; j--) {
            int32_t t = order[j];
            order[j] = order[j - 1], order[j - 1] = t;
        }
}

/* Clearing (Petrowski 1996), one winner per niche: in order (by fitness,
 * descending), a member whose last placement differs in at most r
 * parameters from that of a member kept before it is cleared (its
 * selection fitness becomes EGRL_CLEARED); the others are kept. Member i's last
 * placement is candidate i of the generation just told (new_generation
 * puts the members first, in order). Draws nothing. */
static void clear_niches(egrl_state *s, const int32_t *order, int32_t r)
{
    const int32_t n = s->sp->n;
    int32_t kept[4096], n_kept = 0;
    for (int32_t k = 0; k < s->n_pop; k++) {
        const int32_t i = order[k], *xi = s->gen_x + (size_t)i * n;
        int near = 0;
        for (int32_t j = 0; j < n_kept && !near; j++) {
            const int32_t *xj = s->gen_x + (size_t)kept[j] * n;
            int32_t d = 0;
            for (int32_t p = 0; p < n && d <= r; p++) d += xi[p] != xj[p];
            near = d <= r;
        }
        if (near) s->pop[i].selection = EGRL_CLEARED;
        else kept[n_kept++] = i;
    }
}

/* Member i's genome as this generation's evolution began (len: snap's
 * stride): a GNN elite's own weights (elites are not rewritten), else its
 * snapshot in snap. */
static const double *old_genome(egrl_state *s, const uint8_t *elite, int32_t i, int64_t len)
{
    return elite[i] && s->pop[i].net ? pesim_rl_net_params(s->pop[i].net) : s->snap + (size_t)i * len;
}

/* One generation of the EA. Members rank by selection fitness: their
 * fitness, or after clearing (clear_radius >= 0) EGRL_CLEARED for the cleared.
 * The elites (the best ranked) stay; every other slot gets a child
 * of its own kind from tournament parents of the old population (a
 * chromosome slot may take a GNN parent: the child then starts from that
 * policy's distribution); then (egrl) migration: the learner's policy
 * replaces the worst GNN member that is not an elite (migrate=member), or
 * its distribution (its logits as the prior, temperature 1, as a chromosome
 * from a GNN parent) replaces the worst chromosome that is not an elite
 * (migrate=chromosome); none without a non-elite slot of that kind.
 * Migration draws nothing. Then (egrl, pop_grad > 0; CEM-RL, Pourchot and
 * Sigaud, ICLR 2019) the first ceil(pop_grad_frac x n) in slot order of
 * the n non-elite GNN members other than the migrant each take pop_grad
 * actor steps against the learner's critics (pesim_rl_sac_actor_steps),
 * which draws nothing either. */
static void evolve(egrl_state *s)
{
    const int32_t P = s->n_pop;
    if (P == 0) return;
    int32_t order[4096], n_el;
    for (int32_t i = 0; i < P; i++) order[i] = i, s->pop[i].selection = s->pop[i].fitness, s->pop[i].stepped = 0;
    sort_by_selection(s, order);
    if (s->opt[O_CLEAR_RADIUS] >= 0) {
        clear_niches(s, order, (int32_t)s->opt[O_CLEAR_RADIUS]);
        sort_by_selection(s, order);
    }
    n_el = (int32_t)lround(s->opt[O_ELITE] * P);
    if (n_el < 2) n_el = 2;
    if (n_el > P) n_el = P;
    uint8_t elite[4096] = {0}, lineage[4096];
    for (int32_t k = 0; k < n_el; k++) elite[order[k]] = 1;
    for (int32_t i = 0; i < P; i++) lineage[i] = s->pop[i].lineage;
    const int64_t len = s->gnn_len > s->boltz_len ? s->gnn_len : s->boltz_len;
    for (int32_t i = 0; i < P; i++)
        if (!(elite[i] && s->pop[i].net)) genome_get(s, &s->pop[i], s->snap + (size_t)i * len);
    double *child = malloc((size_t)s->boltz_len * sizeof *child); /* a chromosome's; a GNN child is built in place */
    if (!child) return;
    for (int32_t i = 0; i < P; i++) {
        member *m = &s->pop[i];
        if (elite[i]) {
            m->how = EGRL_FROM_ELITE;
            continue;
        }
        const int is_gnn = m->net != NULL;
        int32_t a = tournament(s, is_gnn ? 1 : -1);
        if (a < 0) continue;
        double *g = is_gnn ? pesim_rl_net_params(m->net) : child; /* its old genome is in snap */
        if (!is_gnn && s->pop[a].net) {
            pesim_rl_net *pn = s->pop[a].net;
            if (elite[a]) {
                genome_from_gnn(s, pn, child);
            } else { /* the parent's slot may already hold a child: run its net on the old weights */
                double *keep = malloc((size_t)s->gnn_len * sizeof *keep);
                if (!keep) continue;
                pesim_rl_net_get_params(pn, keep);
                pesim_rl_net_set_params(pn, s->snap + (size_t)a * len);
                genome_from_gnn(s, pn, child);
                pesim_rl_net_set_params(pn, keep);
                free(keep);
            }
            m->how = EGRL_FROM_GNN, m->lineage = lineage[a];
        } else {
            memcpy(g, old_genome(s, elite, a, len), (size_t)genome_len(s, m) * sizeof *g);
            m->how = EGRL_FROM_COPY, m->lineage = lineage[a];
            if (gsl_rng_uniform(s->rng) < s->opt[O_P_CROSS]) {
                int32_t b = tournament(s, is_gnn);
                if (b >= 0) {
                    crossover(s, m, g, old_genome(s, elite, b, len));
                    m->how = EGRL_FROM_CROSS, m->lineage |= lineage[b];
                }
            }
        }
        if (gsl_rng_uniform(s->rng) < s->opt[O_P_MUT]) {
            mutate(s, m, g);
            if (m->how == EGRL_FROM_COPY) m->how = EGRL_FROM_MUTANT;
            else if (m->how == EGRL_FROM_CROSS) m->how = EGRL_FROM_CROSS_MUTANT;
        }
        if (!is_gnn) genome_set(s, m, child);
    }
    int32_t worst = -1;
    if (s->mode == MODE_EGRL && s->actor) { /* migration */
        const int as_gnn = s->opt[O_MIGRATE] == 0;
        for (int32_t k = P - 1; k >= 0 && worst < 0; k--)
            if ((s->pop[order[k]].net != NULL) == as_gnn && !elite[order[k]]) worst = order[k];
        if (worst >= 0) {
            member *m = &s->pop[worst];
            if (as_gnn) {
                pesim_rl_net_copy_params(m->net, s->actor, NULL);
            } else {
                genome_from_gnn(s, s->actor, child);
                genome_set(s, m, child);
            }
            m->how = EGRL_FROM_MIGRANT, m->lineage = 1;
        }
    }
    free(child);
    if (s->mode == MODE_EGRL && s->sac && s->opt[O_POP_GRAD] > 0) { /* CEM-RL's gradient steps */
        int32_t n_c = 0, k = 0;
        for (int32_t i = 0; i < P; i++) n_c += s->pop[i].net && !elite[i] && i != worst;
        const int32_t n_step = (int32_t)ceil(s->opt[O_POP_GRAD_FRAC] * n_c - 1e-9);
        for (int32_t i = 0; i < P && k < n_step; i++) {
            member *m = &s->pop[i];
            if (!m->net || elite[i] || i == worst) continue;
            k++;
            if (pesim_rl_sac_actor_steps(s->sac, m->net, s->mask, (int32_t)s->opt[O_POP_GRAD], NULL) == PESIM_OK)
                m->stepped = 1;
        }
    }
}

/* ------------------------------------------------------ ask / tell */

/* A generation's candidates: every member's rollout, then the learner's.
 * With recall (repeats=recall) a placement the run has told is not asked
 * (its reward is the memo's), nor a repeat within the generation (it gets
 * its first copy's reward); the others are asked, in candidate order. The
 * choice depends only on what was told before, so a run still depends on
 * the seed and options only. */
static void new_generation(egrl_state *s, int recall)
{
    const int32_t n = s->sp->n, rollouts = (int32_t)s->opt[O_ROLLOUTS];
    s->gen_n = 0;
    for (int32_t i = 0; i < s->n_pop; i++, s->gen_n++) {
        int32_t *act = s->gen_act + (size_t)s->gen_n * s->n_heads;
        if (s->pop[i].net) sample_net(s, s->pop[i].net, s->rng, act);
        else boltz_sample(s, &s->pop[i], act);
        s->gen_who[s->gen_n] = i;
    }
    for (int32_t k = 0; k < rollouts && s->actor; k++, s->gen_n++) {
        sample_net(s, s->actor, s->lrng, s->gen_act + (size_t)s->gen_n * s->n_heads);
        s->gen_who[s->gen_n] = -1;
    }
    algo_seen first = {0}; /* this generation's asked placements, to their index */
    s->gen_n_ask = 0;
    for (int32_t c = 0; c < s->gen_n; c++) {
        int32_t *x = s->gen_x + (size_t)c * n, *act = s->gen_act + (size_t)c * s->n_heads;
        actions_to_choices(s, act, x);
        choices_to_actions(s, x, act); /* the actions as evaluated */
        double v;
        s->gen_src[c] = -1;
        if (recall && algo_seen_get(&s->memo, x, n, &v)) {
            s->gen_src[c] = -2, s->gen_reward[c] = v;
        } else if (recall && algo_seen_get(&first, x, n, &v)) {
            s->gen_src[c] = (int32_t)v;
        } else {
            s->gen_ask[s->gen_n_ask++] = c;
            if (recall) algo_seen_put(&first, x, n, c); /* out of memory: the repeat is asked */
        }
    }
    algo_seen_free(&first);
    s->gen_asked = s->gen_told = 0;
}

static void end_generation(egrl_state *s);

/* The next generation with something to ask: with repeats=recall one whose
 * every candidate is known ends at once, its rewards recalled, up to
 * RECALL_MAX in a row; the next is then asked whole, known or not, so a run
 * whose policies propose nothing new still spends its budget. */
static void next_generation(egrl_state *s)
{
    const int recall = s->opt[O_REPEATS] == 1;
    for (int32_t k = 0;; k++) {
        new_generation(s, recall && k < RECALL_MAX);
        if (s->gen_n_ask > 0) return;
        end_generation(s);
    }
}

int32_t algo_egrl_ask(void *state, int32_t *choices, int32_t max)
{
    egrl_state *s = state;
    const int32_t n = s->sp->n;
    if (s->greedy_state == 0) {
        memcpy(choices, s->greedy, (size_t)n * sizeof *choices);
        s->greedy_state = 1;
        s->ask_first = -1, s->ask_n = 1;
        return 1;
    }
    if (s->mode == MODE_GREEDY) {
        s->ask_n = 0;
        return 0;
    }
    if (s->gen_asked == s->gen_n_ask && s->gen_told == s->gen_n_ask) next_generation(s);
    int32_t k = s->gen_n_ask - s->gen_asked;
    if (k > max) k = max;
    for (int32_t j = 0; j < k; j++)
        memcpy(choices + (size_t)j * n, s->gen_x + (size_t)s->gen_ask[s->gen_asked + j] * n, (size_t)n * sizeof *choices);
    s->ask_first = s->gen_asked, s->ask_n = k;
    s->gen_asked += k;
    return k;
}

static double reward_of(egrl_state *s, const pesim_result *r)
{
    if (!r->valid) return FAIL_REWARD;
    if (!s->have_ref && r->objective > 0) s->ref = r->objective, s->have_ref = 1;
    if (!s->have_ref || r->objective <= 0) return 0;
    double sp = s->ref / r->objective;
    return sp * sp - 1;
}

static void end_generation(egrl_state *s)
{
    for (int32_t c = 0; c < s->gen_n; c++)
        if (s->gen_src[c] >= 0) s->gen_reward[c] = s->gen_reward[s->gen_src[c]];
    for (int32_t c = 0; c < s->gen_n; c++) {
        if (s->gen_who[c] >= 0) s->pop[s->gen_who[c]].fitness = s->gen_reward[c];
        if (s->rb)
            pesim_rl_replay_add(s->rb, NULL, s->mask, s->gen_act + (size_t)c * s->n_heads, s->gen_reward[c], NULL,
                                NULL, 1, NULL);
    }
    if (s->sac && s->opt[O_STEPS] > 0 && pesim_rl_replay_size(s->rb) > 0)
        pesim_rl_sac_update(s->sac, s->rb, (int32_t)s->opt[O_STEPS], NULL, NULL);
    if (s->mode != MODE_PG) evolve(s);
    s->generation++;
}

void algo_egrl_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    egrl_state *s = state;
    if (!asked) return;
    const int recall = s->opt[O_REPEATS] == 1;
    for (int32_t i = 0; i < n; i++) {
        const int32_t *x = choices + (size_t)i * s->sp->n;
        if (s->greedy_state == 1) {
            s->greedy_state = 2;
            double rw = reward_of(s, &r[i]);
            if (recall) algo_seen_put(&s->memo, x, s->sp->n, rw); /* out of memory: asked again when proposed */
            if (s->rb) {
                int32_t *act = malloc((size_t)s->n_heads * sizeof *act);
                if (act) {
                    choices_to_actions(s, x, act);
                    pesim_rl_replay_add(s->rb, NULL, s->mask, act, rw, NULL, NULL, 1, NULL);
                    free(act);
                }
            }
            continue;
        }
        if (s->gen_told >= s->gen_asked) continue; /* not ours (the handle never does this) */
        const int32_t c = s->gen_ask[s->gen_told++];
        s->gen_reward[c] = reward_of(s, &r[i]);
        if (recall) algo_seen_put(&s->memo, x, s->sp->n, s->gen_reward[c]);
        if (s->gen_told == s->gen_n_ask) end_generation(s);
    }
}

int32_t algo_ea_ask(void *state, int32_t *choices, int32_t max) { return algo_egrl_ask(state, choices, max); }
int32_t algo_pg_ask(void *state, int32_t *choices, int32_t max) { return algo_egrl_ask(state, choices, max); }
int32_t algo_greedy_ask(void *state, int32_t *choices, int32_t max) { return algo_egrl_ask(state, choices, max); }
void algo_ea_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    algo_egrl_tell(state, choices, r, n, asked);
}
void algo_pg_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    algo_egrl_tell(state, choices, r, n, asked);
}
void algo_greedy_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    algo_egrl_tell(state, choices, r, n, asked);
}
void algo_ea_destroy(void *state) { algo_egrl_destroy(state); }
void algo_pg_destroy(void *state) { algo_egrl_destroy(state); }
void algo_greedy_destroy(void *state) { algo_egrl_destroy(state); }

/* ------------------------------------------------------ for tests (egrl.h) */

int32_t egrl_n_members(const void *state) { return ((const egrl_state *)state)->n_pop; }
int egrl_member_is_gnn(const void *state, int32_t i) { return ((const egrl_state *)state)->pop[i].net != NULL; }

void egrl_shape(const void *state, int32_t *n_heads, int32_t *head_size, int32_t *n_nodes)
{
    const egrl_state *s = state;
    *n_heads = s->n_heads, *head_size = s->hsize, *n_nodes = s->n_nodes;
}

int64_t egrl_genome(const void *state, int32_t i, double *g)
{
    const egrl_state *s = state;
    if (g) genome_get(s, &s->pop[i], g);
    return genome_len(s, &s->pop[i]);
}

void egrl_set_genome(void *state, int32_t i, const double *g)
{
    egrl_state *s = state;
    genome_set(s, &s->pop[i], g);
}

int32_t egrl_boltzmann_sample(void *state, int32_t i, int32_t *actions)
{
    egrl_state *s = state;
    if (i < 0 || i >= s->n_pop || s->pop[i].net) return 0;
    boltz_sample(s, &s->pop[i], actions);
    return s->n_heads;
}

void egrl_make_child(void *state, int32_t a, int32_t b, int mut, double *child)
{
    egrl_state *s = state;
    genome_get(s, &s->pop[a], child);
    if (b >= 0) {
        double *g = malloc((size_t)genome_len(s, &s->pop[b]) * sizeof *g);
        if (!g) return;
        genome_get(s, &s->pop[b], g);
        crossover(s, &s->pop[a], child, g);
        free(g);
    }
    if (mut) mutate(s, &s->pop[a], child);
}

int32_t egrl_ask_origins(const void *state, int32_t *origin)
{
    const egrl_state *s = state;
    if (s->ask_first < 0) {
        if (s->ask_n > 0) origin[0] = EGRL_FROM_GREEDY;
        return s->ask_n;
    }
    for (int32_t c = 0; c < s->ask_n; c++) {
        const int32_t who = s->gen_who[s->gen_ask[s->ask_first + c]];
        const member *m = who >= 0 ? &s->pop[who] : NULL;
        origin[c] = !m ? EGRL_FROM_LEARNER | EGRL_ORIGIN_LINEAGE
                       : m->how | (m->net ? EGRL_ORIGIN_GNN : 0) | (m->lineage ? EGRL_ORIGIN_LINEAGE : 0) |
                             (m->stepped ? EGRL_ORIGIN_STEPPED : 0);
    }
    return s->ask_n;
}

const char *egrl_origin_name(int32_t how)
{
    static const char *const name[EGRL_N_FROM] = {"initial", "elite",  "copy",   "mutant", "cross",
                                                  "cross+mutant", "from-gnn", "migrant", "learner", "greedy"};
    return how >= 0 && how < EGRL_N_FROM ? name[how] : "?";
}

double egrl_reference(const void *state) { return ((const egrl_state *)state)->ref; }
int64_t egrl_generations(const void *state) { return ((const egrl_state *)state)->generation; }
double egrl_member_fitness(const void *state, int32_t i) { return ((const egrl_state *)state)->pop[i].fitness; }
double egrl_member_selection(const void *state, int32_t i) { return ((const egrl_state *)state)->pop[i].selection; }

int64_t egrl_learner_params(const void *state, double *p)
{
    const egrl_state *s = state;
    if (!s->actor) return 0;
    if (p) pesim_rl_net_get_params(s->actor, p);
    return pesim_rl_net_n_params(s->actor);
}

int egrl_critic_values(void *state, const int32_t *choices, int32_t n, double *q)
{
    egrl_state *s = state;
    if (!s->sac) return 0;
    int32_t *act = malloc((size_t)(n > 0 ? n : 1) * (size_t)s->n_heads * sizeof *act);
    if (!act) return 0;
    for (int32_t i = 0; i < n; i++) choices_to_actions(s, choices + (size_t)i * s->sp->n, act + (size_t)i * s->n_heads);
    pesim_status st = pesim_rl_sac_q(s->sac, NULL, act, n, q, NULL);
    free(act);
    return st == PESIM_OK;
}

int egrl_critic_train(void *state, const int32_t *choices, const double *reward, int32_t n, int32_t steps)
{
    egrl_state *s = state;
    if (!s->sac) return 0;
    int32_t *act = malloc((size_t)s->n_heads * sizeof *act);
    if (!act) return 0;
    pesim_status st = PESIM_OK;
    for (int32_t i = 0; i < n && st == PESIM_OK; i++) {
        choices_to_actions(s, choices + (size_t)i * s->sp->n, act);
        st = pesim_rl_replay_add(s->rb, NULL, s->mask, act, reward[i], NULL, NULL, 1, NULL);
    }
    free(act);
    if (st == PESIM_OK && steps > 0) st = pesim_rl_sac_update(s->sac, s->rb, steps, NULL, NULL);
    return st == PESIM_OK;
}
