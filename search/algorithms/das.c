/* search/algorithms/das.c - DAS: differentiable accelerator search (the
 * accelerator side of A3C-S, Fu et al. DAC 2021; docs/das.md).
 *
 * Every parameter of the space (hardware: array shape, buffer sizes,
 * bandwidths, dataflow; mapping: tile and spatial factors, orders, bypass)
 * has a logit vector. One step:
 * - a Gumbel-softmax sample per parameter (pesim_das_gumbel_softmax at the
 *   current temperature): the hard design h and the soft sample y;
 * - the relaxed cost's gradient at h (pesim/das.h): the cost J of h and of
 *   single-choice changes of h, for every parameter (or `coords` of them
 *   drawn at random), each with its `alts` alternatives (all of them when
 *   the parameter has no more; else the +-1 neighbours of an ordered kind
 *   and draws from y without replacement);
 * - the straight-through gradient per parameter (pesim_das_st_grad) and one
 *   Adam step (search/rl) on the logits;
 * - the temperature anneals: tau = max(tau_min, tau0 * exp(-anneal * step)).
 * J is asinh(objective) for a valid design (log-like, so steps are relative);
 * an invalid one (capacity, fan-out, area or power over the budget: the
 * budgets are penalties) costs the worst valid J seen plus
 * penalty * (1 + ln(overflow)) (algo_violation: amount / limit), so the
 * gradient pulls toward the budget.
 * Evaluations: with the caller's predictor (pesim_algo_env, the campaign's
 * evaluator outside the budget; option predict=1) the gradient's costs are
 * predicted at the analytical fidelity and only h is asked (every
 * `greedy`-th step the argmax of the logits instead: the final discrete
 * design, evaluated at the campaign's fidelity, the cycle engine with
 * --fidelity cycle); the budget then counts designs, as DOSA counts
 * samples. Without one (or predict=0) every cost of a step is asked, so the
 * budget counts every model call. Logits start at 0, plus `init_bias` on the
 * space's default design (the default mapper's mapping and the base arch),
 * so the first samples are near a valid design. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"
#include "pesim/das.h"
#include "pesim/rl.h"

enum { OPT_LR, OPT_TAU0, OPT_TAU_MIN, OPT_ANNEAL, OPT_ALTS, OPT_COORDS, OPT_GUMBEL, OPT_INIT_BIAS, OPT_PREDICT,
       OPT_GREEDY, OPT_PENALTY, N_OPTS };
const algo_opt_desc algo_das_opts[N_OPTS] = {
    {"lr", 0, 0.1, 1e-6, 100, "Adam step size on the logits"},
    {"tau0", 0, 1.0, 1e-3, 100, "initial Gumbel-softmax temperature"},
    {"tau_min", 0, 0.1, 1e-3, 100, "lowest temperature"},
    {"anneal", 0, 0.02, 0, 10, "temperature decay rate per step: tau0 * exp(-anneal * step)"},
    {"alts", 1, 8, 1, 1e6, "alternatives per parameter evaluated for the gradient"},
    {"coords", 1, 0, 0, 1e6, "parameters differentiated per step, drawn at random (0: all)"},
    {"gumbel", 1, 1, 0, 1, "1: straight-through Gumbel-softmax; 0: samples from softmax(logits), tau 1"},
    {"init_bias", 0, 2.0, 0, 100, "initial logit of the space's default design's choices"},
    {"predict", 1, 1, 0, 1, "1: gradient costs from the caller's predictor (analytical, outside the budget)"},
    {"greedy", 1, 10, 1, 1e9, "every greedy-th design asked is the argmax of the logits"},
    {"penalty", 0, 1.0, 0, 1e6, "cost of an invalid design above the worst valid one, per ln(overflow)"},
};
const int32_t algo_das_n_opts = N_OPTS;

typedef struct das_state {
    const algo_space *sp;
    gsl_rng *rng;
    const double *opt;
    int32_t n, total;        /* parameters, logits */
    int32_t *off;            /* n: first logit of each parameter */
    double *theta, *grad, *y, *v; /* total each */
    int32_t *h;              /* the step's hard sample */
    pesim_rl_adam *adam;
    int64_t step;
    double worst_valid;      /* largest J of a valid design seen (-inf: none) */
    /* the step's candidates: cand[k] (n each), which parameter and choice it changes (-1: h itself, -2: greedy) */
    int32_t cap, n_cand, n_asked, n_told;
    int32_t *cand, *cand_param, *cand_choice;
    pesim_result *res;
    uint8_t *pick;           /* scratch, max n_choices */
    double *py;              /* scratch, max n_choices */
} das_state;

void algo_das_destroy(void *state)
{
    das_state *s = state;
    if (!s) return;
    free(s->off);
    free(s->theta);
    free(s->grad);
    free(s->y);
    free(s->v);
    free(s->h);
    free(s->cand);
    free(s->cand_param);
    free(s->cand_choice);
    free(s->res);
    free(s->pick);
    free(s->py);
    pesim_rl_adam_destroy(s->adam);
    free(s);
}

static int use_predictor(const das_state *s) { return s->opt[OPT_PREDICT] != 0 && s->sp->env && s->sp->env->predict; }

pesim_status algo_das_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state, pesim_error *e)
{
    das_state *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp, s->rng = rng, s->opt = opt, s->n = sp->n;
    s->worst_valid = -HUGE_VAL;
    int32_t max_choices = 1;
    s->off = malloc((size_t)s->n * sizeof *s->off);
    if (!s->off) goto nomem;
    s->cap = 2; /* h and a greedy design */
    for (int32_t i = 0; i < s->n; i++) {
        s->off[i] = s->total;
        s->total += sp->n_choices[i];
        if (sp->n_choices[i] > max_choices) max_choices = sp->n_choices[i];
        int32_t a = sp->n_choices[i] - 1 < (int32_t)opt[OPT_ALTS] ? sp->n_choices[i] - 1 : (int32_t)opt[OPT_ALTS];
        s->cap += a;
    }
    s->theta = calloc((size_t)s->total, sizeof *s->theta);
    s->grad = calloc((size_t)s->total, sizeof *s->grad);
    s->y = calloc((size_t)s->total, sizeof *s->y);
    s->v = calloc((size_t)s->total, sizeof *s->v);
    s->h = calloc((size_t)s->n, sizeof *s->h);
    s->cand = calloc((size_t)s->cap * (size_t)s->n, sizeof *s->cand);
    s->cand_param = calloc((size_t)s->cap, sizeof *s->cand_param);
    s->cand_choice = calloc((size_t)s->cap, sizeof *s->cand_choice);
    s->res = calloc((size_t)s->cap, sizeof *s->res);
    s->pick = calloc((size_t)max_choices, sizeof *s->pick);
    s->py = calloc((size_t)max_choices, sizeof *s->py);
    if (!s->theta || !s->grad || !s->y || !s->v || !s->h || !s->cand || !s->cand_param || !s->cand_choice ||
        !s->res || !s->pick || !s->py)
        goto nomem;
    pesim_rl_adam_config ac = {.lr = opt[OPT_LR]};
    pesim_status st = pesim_rl_adam_create(s->total, &ac, &s->adam, e);
    if (st != PESIM_OK) {
        algo_das_destroy(s);
        return st;
    }
    if (opt[OPT_INIT_BIAS] > 0 && sp->space) { /* lean toward the default design */
        int32_t *d = s->h;
        pesim_space_default_choices(sp->space, d);
        for (int32_t i = 0; i < s->n; i++)
            if (d[i] >= 0 && d[i] < sp->n_choices[i]) s->theta[s->off[i] + d[i]] = opt[OPT_INIT_BIAS];
    }
    *state = s;
    return PESIM_OK;
nomem:
    algo_das_destroy(s);
    return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static double temperature(const das_state *s)
{
    double t = s->opt[OPT_TAU0] * exp(-s->opt[OPT_ANNEAL] * (double)s->step);
    return t > s->opt[OPT_TAU_MIN] ? t : s->opt[OPT_TAU_MIN];
}

static int ordered_kind(pesim_param_kind k)
{
    return k == PESIM_PARAM_TILE || k == PESIM_PARAM_SPATIAL_FACTOR || k == PESIM_PARAM_HARDWARE;
}

static void push(das_state *s, const int32_t *x, int32_t param, int32_t choice)
{
    int32_t *c = s->cand + (size_t)s->n_cand * (size_t)s->n;
    memcpy(c, x, (size_t)s->n * sizeof *c);
    if (param >= 0) c[param] = choice;
    s->cand_param[s->n_cand] = param;
    s->cand_choice[s->n_cand] = choice;
    s->n_cand++;
}

/* The argmax of the logits (the lowest index on a tie). */
static void greedy_design(const das_state *s, int32_t *x)
{
    for (int32_t i = 0; i < s->n; i++) {
        const double *t = s->theta + s->off[i];
        x[i] = 0;
        for (int32_t c = 1; c < s->sp->n_choices[i]; c++)
            if (t[c] > t[x[i]]) x[i] = c;
    }
}

/* Plans a step: the hard sample, its soft samples, and the candidates whose
 * costs give the gradient (h first). */
static void plan(das_state *s)
{
    const algo_space *sp = s->sp;
    double tau = temperature(s);
    int gumbel = s->opt[OPT_GUMBEL] != 0;
    for (int32_t i = 0; i < s->n; i++) {
        double *y = s->y + s->off[i];
        if (gumbel) {
            s->h[i] = pesim_das_gumbel_softmax(s->theta + s->off[i], sp->n_choices[i], tau, s->rng, y);
        } else {
            pesim_rl_softmax(s->theta + s->off[i], NULL, sp->n_choices[i], 1.0, y);
            s->h[i] = pesim_rl_sample_index(y, sp->n_choices[i], s->rng);
            if (s->h[i] < 0) s->h[i] = 0;
        }
    }
    s->n_cand = 0;
    push(s, s->h, -1, -1);
    /* which parameters: all, or `coords` drawn without replacement */
    int32_t coords = (int32_t)s->opt[OPT_COORDS], movable = 0;
    for (int32_t i = 0; i < s->n; i++) movable += sp->n_choices[i] > 1;
    int32_t want = coords > 0 && coords < movable ? coords : movable, alts = (int32_t)s->opt[OPT_ALTS];
    for (int32_t i = 0, seen = 0; i < s->n && want > 0; i++) {
        int32_t nc = sp->n_choices[i];
        if (nc <= 1) continue;
        /* selection sampling: parameter i is taken with probability want / (movable - seen) */
        if (gsl_rng_uniform(s->rng) * (double)(movable - seen++) >= (double)want) continue;
        want--;
        if (nc - 1 <= alts) {
            for (int32_t c = 0; c < nc; c++)
                if (c != s->h[i]) push(s, s->h, i, c);
            continue;
        }
        memset(s->pick, 0, (size_t)nc);
        s->pick[s->h[i]] = 1;
        int32_t got = 0;
        if (ordered_kind(sp->kind[i]))
            for (int32_t d = -1; d <= 1; d += 2) {
                int32_t c = s->h[i] + d;
                if (c >= 0 && c < nc && got < alts) s->pick[c] = 1, push(s, s->h, i, c), got++;
            }
        while (got < alts) { /* draws from y without replacement */
            for (int32_t c = 0; c < nc; c++) s->py[c] = s->pick[c] ? 0 : s->y[s->off[i] + c] + 1e-12;
            double sum = 0;
            for (int32_t c = 0; c < nc; c++) sum += s->py[c];
            for (int32_t c = 0; c < nc; c++) s->py[c] /= sum;
            int32_t c = pesim_rl_sample_index(s->py, nc, s->rng);
            if (c < 0) break;
            s->pick[c] = 1, push(s, s->h, i, c), got++;
        }
    }
}

static double cost_of(das_state *s, const pesim_result *r)
{
    double v = algo_value(r);
    if (v < PESIM_INVALID_PENALTY) return asinh(v);
    double over = algo_violation(r);
    double base = s->worst_valid > -HUGE_VAL ? s->worst_valid : 0;
    return base + s->opt[OPT_PENALTY] * (1 + log(over > 1 ? over : 1));
}

/* The gradient from the step's results (res[k] for cand[k]) and one Adam step. */
static void update(das_state *s)
{
    for (int32_t k = 0; k < s->n_cand; k++) {
        double v = algo_value(&s->res[k]);
        if (v < PESIM_INVALID_PENALTY && asinh(v) > s->worst_valid) s->worst_valid = asinh(v);
    }
    for (int32_t t = 0; t < s->total; t++) s->v[t] = NAN;
    double jh = NAN;
    for (int32_t k = 0; k < s->n_cand; k++) {
        double j = cost_of(s, &s->res[k]);
        if (s->cand_param[k] == -1) jh = j;
        else if (s->cand_param[k] >= 0) s->v[s->off[s->cand_param[k]] + s->cand_choice[k]] = j;
    }
    int gumbel = s->opt[OPT_GUMBEL] != 0;
    double tau = gumbel ? temperature(s) : 1.0;
    for (int32_t i = 0; i < s->n; i++) {
        double *v = s->v + s->off[i];
        int32_t nc = s->sp->n_choices[i], known = 0;
        for (int32_t c = 0; c < nc; c++) known += isfinite(v[c]);
        if (known == 0) { /* not differentiated this step */
            memset(s->grad + s->off[i], 0, (size_t)nc * sizeof *s->grad);
            continue;
        }
        v[s->h[i]] = jh;
        pesim_das_st_grad(s->y + s->off[i], v, nc, tau, s->grad + s->off[i]);
    }
    pesim_rl_adam_step(s->adam, s->theta, s->grad);
    s->step++;
}

static int greedy_turn(const das_state *s) { return (s->step + 1) % (int64_t)s->opt[OPT_GREEDY] == 0; }

int32_t algo_das_ask(void *state, int32_t *choices, int32_t max)
{
    das_state *s = state;
    int32_t n = s->n, k = 0;
    if (use_predictor(s)) { /* one step per design asked */
        for (; k < max; k++) {
            plan(s);
            if (s->sp->env->predict(s->sp->env->ctx, s->cand, s->n_cand, PESIM_FIDELITY_ANALYTICAL, s->res, NULL) !=
                PESIM_OK)
                for (int32_t c = 0; c < s->n_cand; c++) s->res[c] = (pesim_result){.objective = PESIM_INVALID_PENALTY};
            int greedy = greedy_turn(s);
            if (greedy) greedy_design(s, choices + (size_t)k * (size_t)n);
            else memcpy(choices + (size_t)k * (size_t)n, s->h, (size_t)n * sizeof *choices);
            update(s);
        }
        return k;
    }
    if (s->n_asked == s->n_cand) { /* a new step: every cost is asked */
        int greedy = greedy_turn(s);
        plan(s);
        if (greedy) {
            greedy_design(s, s->cand + (size_t)s->n_cand * (size_t)n);
            s->cand_param[s->n_cand] = -2, s->cand_choice[s->n_cand] = -1, s->n_cand++;
        }
        s->n_asked = s->n_told = 0;
    }
    for (; k < max && s->n_asked < s->n_cand; k++, s->n_asked++)
        memcpy(choices + (size_t)k * (size_t)n, s->cand + (size_t)s->n_asked * (size_t)n, (size_t)n * sizeof *choices);
    return k;
}

void algo_das_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    das_state *s = state;
    (void)choices;
    if (!asked) {
        for (int32_t k = 0; k < n; k++) {
            double v = algo_value(&r[k]);
            if (v < PESIM_INVALID_PENALTY && asinh(v) > s->worst_valid) s->worst_valid = asinh(v);
        }
        return;
    }
    if (use_predictor(s)) return;
    for (int32_t k = 0; k < n && s->n_told < s->n_cand; k++) s->res[s->n_told++] = r[k];
    if (s->n_told == s->n_cand) update(s);
}
