/* search/algorithms/marl.c - multi-agent reinforcement learning with agent
 * clustering (papers.md section 1, pesim's version; docs/rl.md "marl").
 *
 * 1. Warm-up: `warmup` candidates (counted in the budget, like every
 *    evaluation): the valid starting points of algo_valid_starts (the
 *    default mapper's design, then the masked step decode's uniform draws;
 *    uniform points on a synthetic space).
 * 2. Correlations (marl_correlations, GSL's Spearman): of each parameter
 *    with the value (asinh of the objective; invalid candidates after every
 *    valid one, by their violation) over the warm-up, and between
 *    parameters over its `elite` best share: uniform draws make parameters
 *    independent, so they correlate only where the objective selects them
 *    together (linkage).
 * 3. Clustering (marl_cluster): average linkage on d = 1 - |rho| between
 *    the parameters with more than one choice, cut at `agents` clusters, or
 *    (agents = 0) where the closest clusters are `cut` apart or more.
 *    Parameters with a single choice join agent 0. Agents are numbered by
 *    their first parameter.
 * 4. One agent per cluster (rl_team.h): decentralised actors (each its own
 *    network over its parameters), one shared team reward, a centralised
 *    critic per agent that sees the other agents' choices (central = 1),
 *    forwards and updates in `threads` threads.
 * The clustering, the correlations behind it and each agent's parameters
 * are what pesim_algo_describe_state prints (and the CLI stores with the
 * run). Nothing depends on the budget (anytime). */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl_team.h"

#define MARL_INVALID_E 1e9

enum { OPT_AGENTS = RL_TEAM_N_OPTS, OPT_WARMUP, OPT_ELITE, OPT_CUT, OPT_CENTRAL, OPT_THREADS, N_OPTS };
const algo_opt_desc algo_marl_opts[N_OPTS] = {
    RL_TEAM_OPTS,
    {"agents", 1, 0, 0, 100000, "agents (clusters of parameters); 0: cut the clustering at `cut`"},
    {"warmup", 1, 64, 4, 1e6, "warm-up samples for the correlations (counted in the budget)"},
    {"elite", 0, 0.25, 0.01, 1, "share of the best warm-up samples the parameters' correlations use"},
    {"cut", 0, 0.8, 0, 1, "agents=0: clusters closer than this (1 - |rank correlation|) merge"},
    {"central", 1, 1, 0, 1, "1: each agent's critic sees the other agents' choices; 0: a baseline only"},
    {"threads", 1, 0, 0, 64, "threads the agents act and learn in (0: min(agents, 4))"},
};
const int32_t algo_marl_n_opts = N_OPTS;

typedef struct marl_state {
    const algo_space *sp;
    gsl_rng *rng;
    rl_team_options o;
    int32_t req_agents;
    double elite, cut;
    uint64_t seed;
    int32_t n, n_warm, warm_asked, warm_told;
    int32_t *warm_x;           /* n_warm x n */
    double *warm_v;            /* n_warm */
    pesim_result *warm_r;      /* n_warm (the reward's reference) */
    double *rho_obj, *rho;     /* n, n x n: the clustering's evidence */
    int32_t *owner;
    rl_team *team;             /* NULL during the warm-up */
    int failed;
} marl_state;

void algo_marl_destroy(void *state)
{
    marl_state *s = state;
    if (!s)
        return;
    rl_team_destroy(s->team);
    free(s->warm_x);
    free(s->warm_v);
    free(s->warm_r);
    free(s->rho_obj);
    free(s->rho);
    free(s->owner);
    free(s);
}

pesim_status algo_marl_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    marl_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    rl_team_options_read(opt, &s->o);
    s->o.central = (int32_t)opt[OPT_CENTRAL];
    s->o.threads = (int32_t)opt[OPT_THREADS];
    s->req_agents = (int32_t)opt[OPT_AGENTS];
    s->n_warm = (int32_t)opt[OPT_WARMUP];
    s->elite = opt[OPT_ELITE];
    s->cut = opt[OPT_CUT];
    s->seed = gsl_rng_get(rng);
    size_t n = (size_t)s->n;
    s->warm_x = malloc((size_t)s->n_warm * n * sizeof *s->warm_x);
    s->warm_v = malloc((size_t)s->n_warm * sizeof *s->warm_v);
    s->warm_r = malloc((size_t)s->n_warm * sizeof *s->warm_r);
    s->rho_obj = calloc(n, sizeof *s->rho_obj);
    s->rho = calloc(n * n, sizeof *s->rho);
    s->owner = calloc(n, sizeof *s->owner);
    if (!s->warm_x || !s->warm_v || !s->warm_r || !s->rho_obj || !s->rho || !s->owner) {
        algo_marl_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    algo_valid_starts(sp, rng, s->warm_x, s->n_warm);
    *state = s;
    return PESIM_OK;
}

rl_team *algo_marl_team(void *state) { return ((marl_state *)state)->team; }

/* ------------------------------------------------------------ clustering */

pesim_status marl_correlations(const int32_t *x, const double *v, int32_t m, int32_t n, double elite,
                               double *rho_obj, double *rho, pesim_error *e)
{
    size_t mm = (size_t)m;
    double *col = malloc((size_t)n * mm * sizeof *col), *work = malloc(2 * mm * sizeof *work);
    double *ecol = malloc((size_t)n * mm * sizeof *ecol);
    size_t *idx = malloc(mm * sizeof *idx);
    if (!col || !work || !ecol || !idx) {
        free(col);
        free(work);
        free(ecol);
        free(idx);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    int32_t me = (int32_t)ceil(elite * m);
    if (me < 3)
        me = 3;
    if (me > m)
        me = m;
    gsl_sort_index(idx, v, 1, mm); /* ascending: the best first */
    int *constant = calloc((size_t)n, sizeof *constant), *econst = calloc((size_t)n, sizeof *econst);
    for (int32_t i = 0; i < n; i++) {
        double *c = col + (size_t)i * mm, *ec = ecol + (size_t)i * mm;
        for (int32_t k = 0; k < m; k++)
            c[k] = x[(size_t)k * (size_t)n + (size_t)i];
        for (int32_t k = 0; k < me; k++)
            ec[k] = x[idx[k] * (size_t)n + (size_t)i];
        if (constant && econst) {
            constant[i] = econst[i] = 1;
            for (int32_t k = 1; k < m; k++)
                constant[i] &= c[k] == c[0];
            for (int32_t k = 1; k < me; k++)
                econst[i] &= ec[k] == ec[0];
        }
    }
    int vconst = 1;
    for (int32_t k = 1; k < m; k++)
        vconst &= v[k] == v[0];
    for (int32_t i = 0; i < n; i++) {
        int ci = !constant || constant[i];
        rho_obj[i] = ci || vconst || m < 3 ? 0 : gsl_stats_spearman(col + (size_t)i * mm, 1, v, 1, mm, work);
        for (int32_t j = 0; j < n; j++) {
            double r;
            if (i == j)
                r = 1;
            else if (j < i)
                r = rho[(size_t)j * (size_t)n + (size_t)i];
            else if (!econst || econst[i] || econst[j])
                r = 0;
            else
                r = gsl_stats_spearman(ecol + (size_t)i * mm, 1, ecol + (size_t)j * mm, 1, (size_t)me, work);
            rho[(size_t)i * (size_t)n + (size_t)j] = isfinite(r) ? r : 0;
        }
        if (!isfinite(rho_obj[i]))
            rho_obj[i] = 0;
    }
    int fail = !constant || !econst;
    free(constant);
    free(econst);
    free(col);
    free(ecol);
    free(work);
    free(idx);
    return fail ? pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory") : PESIM_OK;
}

int32_t marl_cluster(const double *dist, int32_t n, int32_t k, double cut, int32_t *label)
{
    size_t nn = (size_t)n;
    double *D = malloc(nn * nn * sizeof *D);
    int32_t *size = malloc(nn * sizeof *size), *root = malloc(nn * sizeof *root);
    if (!D || !size || !root) {
        free(D);
        free(size);
        free(root);
        return -1;
    }
    memcpy(D, dist, nn * nn * sizeof *D);
    for (int32_t i = 0; i < n; i++) {
        size[i] = 1;   /* > 0: cluster i is active */
        root[i] = i;   /* item i belongs to cluster root[i] */
    }
    int32_t active = n;
    while (active > 1 && (k <= 0 || active > k)) {
        int32_t a = -1, b = -1;
        double best = HUGE_VAL;
        for (int32_t i = 0; i < n; i++)
            for (int32_t j = i + 1; size[i] && j < n; j++)
                if (size[j] && D[(size_t)i * nn + (size_t)j] < best) {
                    best = D[(size_t)i * nn + (size_t)j];
                    a = i;
                    b = j;
                }
        if (a < 0 || (k <= 0 && best >= cut))
            break;
        /* merge b into a (Lance-Williams for average linkage) */
        for (int32_t j = 0; j < n; j++) {
            if (!size[j] || j == a || j == b)
                continue;
            double d = (size[a] * D[(size_t)a * nn + (size_t)j] + size[b] * D[(size_t)b * nn + (size_t)j]) /
                       (size[a] + size[b]);
            D[(size_t)a * nn + (size_t)j] = D[(size_t)j * nn + (size_t)a] = d;
        }
        size[a] += size[b];
        size[b] = 0;
        for (int32_t i = 0; i < n; i++)
            if (root[i] == b)
                root[i] = a;
        active--;
    }
    /* labels by first appearance */
    for (int32_t i = 0; i < n; i++)
        size[i] = -1;
    int32_t next = 0;
    for (int32_t i = 0; i < n; i++) {
        if (size[root[i]] < 0)
            size[root[i]] = next++;
        label[i] = size[root[i]];
    }
    free(D);
    free(size);
    free(root);
    return next;
}

/* The warm-up is over: correlations, clusters, the team. */
static pesim_status build_team(marl_state *s, pesim_error *e)
{
    const algo_space *sp = s->sp;
    int32_t n = s->n;
    pesim_status st = marl_correlations(s->warm_x, s->warm_v, s->n_warm, n, s->elite, s->rho_obj, s->rho, e);
    if (st)
        return st;
    int32_t nm = 0, *movable = malloc((size_t)n * sizeof *movable), *label = malloc((size_t)n * sizeof *label);
    double *dist = malloc((size_t)n * (size_t)n * sizeof *dist);
    if (!movable || !label || !dist) {
        free(movable);
        free(label);
        free(dist);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int32_t i = 0; i < n; i++)
        if (sp->n_choices[i] > 1)
            movable[nm++] = i;
    int32_t k = 1;
    if (nm > 0) {
        for (int32_t a = 0; a < nm; a++)
            for (int32_t b = 0; b < nm; b++)
                dist[(size_t)a * (size_t)nm + (size_t)b] =
                    a == b ? 0 : 1 - fabs(s->rho[(size_t)movable[a] * (size_t)n + (size_t)movable[b]]);
        k = marl_cluster(dist, nm, s->req_agents > nm ? nm : s->req_agents, s->cut, label);
    }
    if (k < 0) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    } else {
        for (int32_t i = 0; i < n; i++)
            s->owner[i] = 0;
        for (int32_t a = 0; a < nm; a++)
            s->owner[movable[a]] = label[a];
        /* number agents by their first parameter (single-choice ones are agent 0's) */
        int32_t *ren = malloc((size_t)(k > 0 ? k : 1) * sizeof *ren), next = 0;
        if (!ren) {
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        } else {
            for (int32_t j = 0; j < k; j++)
                ren[j] = -1;
            for (int32_t i = 0; i < n; i++)
                if (ren[s->owner[i]] < 0)
                    ren[s->owner[i]] = next++;
            for (int32_t i = 0; i < n; i++)
                s->owner[i] = ren[s->owner[i]];
            free(ren);
            st = rl_team_create(sp, s->rng, &s->o, k < 1 ? 1 : k, s->owner, s->seed, &s->team, e);
        }
    }
    free(movable);
    free(label);
    free(dist);
    return st;
}

/* ----------------------------------------------------------- ask / tell */

int32_t algo_marl_ask(void *state, int32_t *choices, int32_t max)
{
    marl_state *s = state;
    if (s->failed)
        return 0;
    if (s->team)
        return rl_team_ask(s->team, choices, max);
    int32_t k = 0;
    for (; k < max && s->warm_asked < s->n_warm; k++, s->warm_asked++)
        memcpy(choices + (size_t)k * (size_t)s->n, s->warm_x + (size_t)s->warm_asked * (size_t)s->n,
               (size_t)s->n * sizeof *choices);
    return k;
}

static double warm_value(const pesim_result *r)
{
    double v = algo_value(r);
    return v < PESIM_INVALID_PENALTY ? asinh(v) : MARL_INVALID_E + log(algo_violation(r));
}

void algo_marl_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    marl_state *s = state;
    if (s->team) {
        rl_team_tell(s->team, choices, r, n, asked);
        return;
    }
    if (!asked)
        return;
    for (int32_t c = 0; c < n && s->warm_told < s->n_warm; c++, s->warm_told++) {
        s->warm_v[s->warm_told] = warm_value(&r[c]);
        s->warm_r[s->warm_told] = r[c];
    }
    if (s->warm_told < s->n_warm)
        return;
    if (build_team(s, NULL) != PESIM_OK) {
        s->failed = 1;
        return;
    }
    rl_team_tell(s->team, s->warm_x, s->warm_r, s->n_warm, 0); /* the reward's reference, the seen set */
}

/* ------------------------------------------------------------ policies */

pesim_status algo_marl_save(void *state, const char *path, pesim_error *e)
{
    marl_state *s = state;
    if (!s->team)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "algo",
                               "marl has no policy before its warm-up of %d samples ends", (int)s->n_warm);
    return rl_team_save(s->team, path, e);
}

pesim_status algo_marl_load(void *state, const char *path, pesim_error *e)
{
    marl_state *s = state;
    if (s->team)
        return rl_team_load(s->team, path, e);
    if (s->warm_asked > 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "algo",
                               "marl: a policy is loaded before the search starts or after its warm-up");
    int32_t np, na, *owner;
    pesim_status st = rl_team_read_index(path, &np, &na, &owner, e);
    if (st)
        return st;
    if (np != s->n) {
        free(owner);
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 2, "params",
                               "the policy is for %d parameters; this search has %d", (int)np, (int)s->n);
    }
    memcpy(s->owner, owner, (size_t)np * sizeof *owner);
    free(owner);
    if ((st = rl_team_create(s->sp, s->rng, &s->o, na, s->owner, s->seed, &s->team, e)))
        return st;
    s->n_warm = 0; /* the saved clustering replaces the warm-up */
    return rl_team_load(s->team, path, e);
}

int algo_marl_describe(void *state, char *buf, size_t n)
{
    marl_state *s = state;
    if (!s->team)
        return n ? snprintf(buf, n, "%s", "") : 0;
    const algo_space *sp = s->sp;
    int32_t K = rl_team_n_agents(s->team);
    size_t k = 0;
#define OUT(...)                                                          \
    do {                                                                  \
        int w_ = snprintf(k < n ? buf + k : NULL, k < n ? n - k : 0, __VA_ARGS__); \
        if (w_ > 0)                                                       \
            k += (size_t)w_;                                              \
    } while (0)
    OUT("agents %d (%s; warm-up %d samples, elite %.2f)\n", (int)K,
        s->req_agents > 0 ? "cut at the requested count" : "cut at the distance threshold", (int)s->n_warm,
        s->elite);
    for (int32_t j = 0; j < K; j++) {
        OUT("agent %d:", (int)j);
        for (int32_t i = 0; i < s->n; i++) {
            if (s->owner[i] != j)
                continue;
            /* the strongest partner in the same agent, the evidence of the merge */
            int32_t part = -1;
            double pr = 0;
            for (int32_t q = 0; q < s->n; q++)
                if (q != i && s->owner[q] == j && fabs(s->rho[(size_t)i * (size_t)s->n + (size_t)q]) >= fabs(pr)) {
                    part = q;
                    pr = s->rho[(size_t)i * (size_t)s->n + (size_t)q];
                }
            OUT(" p%d(%s", (int)i, pesim_param_kind_name(sp->kind[i]));
            if (sp->level[i] >= 0)
                OUT(" l%d", (int)sp->level[i]);
            if (sp->dim[i] >= 0)
                OUT(" d%d", (int)sp->dim[i]);
            OUT(" rho_obj=%+.2f", s->rho_obj[i]);
            if (part >= 0)
                OUT(" rho_p%d=%+.2f", (int)part, pr);
            OUT(")");
        }
        OUT("\n");
    }
#undef OUT
    return (int)k;
}

/* ------------------------------------------------------------- record */

/* A list of n numbers ("%.4g", comma-separated) into a malloc'ed string. */
static char *number_list(const double *v, size_t n)
{
    size_t cap = 16 * (n ? n : 1), k = 0;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    b[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(b + k, cap - k, "%s%.4g", i ? "," : "", v[i]);
        if (w < 0 || (size_t)w >= cap - k) { /* cannot happen: %.4g is at most 11 characters */
            free(b);
            return NULL;
        }
        k += (size_t)w;
    }
    return b;
}

/* The clustering as run metadata (docs/rl.md "What marl records"): agents,
 * warm-up size (0: the clustering came from a loaded policy), elite share,
 * owner per parameter, the correlations behind it (rho_obj: n values; rho:
 * n x n, row-major; both only after a warm-up) and the text of
 * algo_marl_describe; then the team's (the policy it started from). */
pesim_status algo_marl_record(void *state, pesim_algo_record_fn put, void *ctx, pesim_error *e)
{
    marl_state *s = state;
    if (!s->team)
        return PESIM_OK;
    size_t n = (size_t)s->n;
    char num[64];
    pesim_status st;
    snprintf(num, sizeof num, "%d", (int)rl_team_n_agents(s->team));
    if ((st = put(ctx, "marl.agents", num, e)))
        return st;
    snprintf(num, sizeof num, "%d", (int)s->n_warm);
    if ((st = put(ctx, "marl.warmup", num, e)))
        return st;
    snprintf(num, sizeof num, "%.17g", s->elite);
    if ((st = put(ctx, "marl.elite", num, e)))
        return st;
    double *own = malloc(n * sizeof *own);
    char *owner = NULL, *rho_obj = NULL, *rho = NULL, *text = NULL;
    if (own) {
        for (size_t i = 0; i < n; i++)
            own[i] = s->owner[i];
        owner = number_list(own, n);
        free(own);
    }
    int len = algo_marl_describe(s, NULL, 0);
    if (len >= 0 && (text = malloc((size_t)len + 1)))
        algo_marl_describe(s, text, (size_t)len + 1);
    if (s->n_warm > 0) {
        rho_obj = number_list(s->rho_obj, n);
        rho = number_list(s->rho, n * n);
    }
    if (!owner || !text || (s->n_warm > 0 && (!rho_obj || !rho)))
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (!st)
        st = put(ctx, "marl.owner", owner, e);
    if (!st && rho_obj)
        st = put(ctx, "marl.rho_obj", rho_obj, e);
    if (!st && rho)
        st = put(ctx, "marl.rho", rho, e);
    if (!st)
        st = put(ctx, "marl.clustering", text, e);
    free(owner);
    free(rho_obj);
    free(rho);
    free(text);
    return st ? st : rl_team_record(s->team, put, ctx, e);
}
