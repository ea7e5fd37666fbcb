/* search/algo.c - the algorithm handle: the registry of ask/tell algorithms,
 * their option tables, the seeded generator, the ask/tell bookkeeping, and
 * the helpers the algorithms share (algo_impl.h). */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

/* The registry: a static table (no constructor magic). Names are the
 * contract of `pesim search --algo`. */
#define ENTRY(x, summary)                                                                                        \
    {#x, summary, algo_##x##_opts, 0, algo_##x##_create, algo_##x##_ask, algo_##x##_tell, algo_##x##_destroy, \
     NULL, NULL, NULL, NULL, NULL}
#define LEARNED(x, summary)                                                                                    \
    {#x, summary, algo_##x##_opts, 0, algo_##x##_create, algo_##x##_ask, algo_##x##_tell, algo_##x##_destroy,   \
     algo_##x##_save, algo_##x##_load, algo_##x##_describe, algo_##x##_record, NULL}
static algo_entry registry[] = {
    ENTRY(exhaustive, "every point of a small space, pruning what capacity failures imply"),
    ENTRY(random, "uniform random candidates (the baseline)"),
    ENTRY(annealing, "simulated annealing from valid starting points, reheated per segment"),
    ENTRY(genetic, "GAMMA-like genetic algorithm from a valid population"),
    ENTRY(timeloop, "Timeloop's random-pruned mapper with its victory condition"),
    LEARNED(rl, "single-agent reinforcement learning (PPO) over every parameter, under the masks"),
    LEARNED(marl, "multi-agent RL, one agent per cluster of correlated parameters (warm-up, then PPO)"),
    ENTRY(egrl, "EGRL: GNN policies and Boltzmann chromosomes evolved, with a SAC learner (placement)"),
    ENTRY(ea, "EGRL's evolution only: GNN policies and Boltzmann chromosomes, no learner"),
    ENTRY(pg, "EGRL's learner only: a Graph U-Net trained by discrete SAC, no population"),
    ENTRY(greedy, "the native-compiler placer: each tensor to the fastest level that fits"),
    ENTRY(arco, "ARCO: hardware/tiling/schedule actor-critic agents with confidence sampling"),
    ENTRY(autotvm, "AutoTVM-like: XGBoost cost model on measured samples, annealing on the model"),
    ENTRY(das, "DAS: Gumbel-softmax logits per choice, Adam on the relaxed cost's gradient"),
};
#undef ENTRY
#undef LEARNED
#define N_REGISTRY ((int)(sizeof registry / sizeof registry[0]))

static const char *const names[] = {"exhaustive", "random", "annealing", "genetic", "timeloop", "rl", "marl",
                                    "egrl", "ea", "pg", "greedy", "arco", "autotvm", "das", NULL};

/* The option counts are file-level constants of the algorithms' files. */
static void registry_init(void)
{
    registry[0].n_opts = algo_exhaustive_n_opts;
    registry[1].n_opts = algo_random_n_opts;
    registry[2].n_opts = algo_annealing_n_opts;
    registry[3].n_opts = algo_genetic_n_opts;
    registry[4].n_opts = algo_timeloop_n_opts;
    registry[5].n_opts = algo_rl_n_opts;
    registry[6].n_opts = algo_marl_n_opts;
    registry[7].n_opts = algo_egrl_n_opts;
    registry[7].words = algo_egrl_words;
    registry[8].n_opts = algo_ea_n_opts;
    registry[8].words = algo_egrl_words;
    registry[9].n_opts = algo_pg_n_opts;
    registry[9].words = algo_egrl_words;
    registry[10].n_opts = algo_greedy_n_opts;
    registry[11].n_opts = algo_arco_n_opts;
    registry[11].words = algo_arco_words;
    registry[12].n_opts = algo_autotvm_n_opts;
    registry[13].n_opts = algo_das_n_opts;
}

#define ALGO_MAX_OPTS 48 /* the most options of one algorithm (egrl, ea, pg: 32) */

struct pesim_algo {
    const algo_entry *impl;
    void *state;
    gsl_rng *rng;              /* owned; the only source of randomness */
    algo_space sp;
    pesim_algo_env env;
    double opt[ALGO_MAX_OPTS]; /* option values, in table order */
    /* The last ask, until every candidate of it has been told. */
    int32_t n_asked, n_pending, cap, next_slot;
    int32_t *asked;            /* cap x sp.n */
    uint8_t *told;             /* cap */
    pesim_result *results;     /* cap */
};

const char *const *pesim_algo_names(void) { return names; }

const algo_space *pesim_algo_space(const pesim_algo *al) { return &al->sp; }

void *pesim_algo_state(const pesim_algo *al) { return al->state; }

static const algo_entry *find(const char *name)
{
    registry_init();
    for (int i = 0; name && i < N_REGISTRY; i++)
        if (strcmp(registry[i].name, name) == 0) return &registry[i];
    return NULL;
}

int32_t pesim_algo_n_options(const char *name)
{
    const algo_entry *a = find(name);
    return a ? a->n_opts : -1;
}

int pesim_algo_option_info_get(const char *name, int32_t i, pesim_algo_option_info *out)
{
    const algo_entry *a = find(name);
    if (!a || !out || i < 0 || i >= a->n_opts) return 0;
    const algo_opt_desc *d = &a->opts[i];
    out->name = d->name;
    out->integer = d->integer;
    out->def = d->def, out->min = d->min, out->max = d->max;
    out->help = d->help;
    return 1;
}

const char *pesim_algo_summary(const char *name)
{
    const algo_entry *a = find(name);
    return a ? a->summary : NULL;
}

/* splitmix64: spreads a 64-bit seed over the 32 bits gsl's generators use,
 * so seeds that differ only in their high bits give different runs. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Reads the "key=value" options into v (defaults first). */
static pesim_status parse_options(const algo_entry *impl, const pesim_algo_options *o, double *v, pesim_error *e)
{
    for (int32_t i = 0; i < impl->n_opts; i++) v[i] = impl->opts[i].def;
    for (int32_t k = 0; o && k < o->n_kv; k++) {
        const char *kv = o->kv[k] ? o->kv[k] : "";
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
        int32_t i = 0;
        while (i < impl->n_opts && !(strlen(impl->opts[i].name) == klen && strncmp(impl->opts[i].name, kv, klen) == 0))
            i++;
        if (i == impl->n_opts) {
            char known[512] = "";
            for (int32_t j = 0; j < impl->n_opts; j++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", j ? ", " : "", impl->opts[j].name);
            return pesim_error_set(e, PESIM_ERR_KEY, NULL, 0, "algo-opt", "algorithm '%s' has no option '%.*s' (%s%s)",
                                   impl->name, (int)klen, kv, impl->n_opts ? "its options: " : "it has none",
                                   known);
        }
        const algo_opt_desc *d = &impl->opts[i];
        char *end = NULL;
        errno = 0;
        double x = eq ? strtod(eq + 1, &end) : NAN;
        int word = 0; /* the value is one of the option's words */
        for (const algo_opt_word *w = impl->words; eq && w && w->opt; w++)
            if (strcmp(w->opt, d->name) == 0 && strcmp(w->word, eq + 1) == 0) x = w->value, word = 1;
        if (!eq || (!word && (end == eq + 1 || *end || errno)) || !isfinite(x) || x < d->min || x > d->max ||
            (d->integer && x != floor(x)))
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "algo-opt",
                                   "%s option %s=%s: expected %s in [%.17g, %.17g] (%s)", impl->name, d->name,
                                   eq ? eq + 1 : "(no value)", d->integer ? "an integer" : "a number", d->min, d->max,
                                   d->help);
        v[i] = x;
    }
    return PESIM_OK;
}

gsl_rng *algo_rng_create(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r) {
        uint64_t m = mix64(seed);
        gsl_rng_set(r, (unsigned long)((m ^ (m >> 32)) & 0xffffffffu));
    }
    return r;
}

pesim_status pesim_algo_create_core(const char *name, const algo_space *sp, uint64_t seed,
                                    const pesim_algo_options *opt, pesim_algo **out, pesim_error *e)
{
    *out = NULL;
    const algo_entry *impl = find(name);
    if (!impl) {
        char known[256] = "";
        size_t used = 0;
        for (int i = 0; names[i] && used < sizeof known; i++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", names[i]);
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "algo", "unknown search algorithm '%s' (known: %s)",
                               name ? name : "(null)", known);
    }
    if (sp->n < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "algo", "the space has no parameters");
    for (int32_t i = 0; i < sp->n; i++)
        if (sp->n_choices[i] < 1)
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "algo",
                                   "parameter %d of the space has %d choices", (int)i, (int)sp->n_choices[i]);
    assert(impl->n_opts <= ALGO_MAX_OPTS);
    double v[ALGO_MAX_OPTS];
    pesim_status st = parse_options(impl, opt, v, e);
    if (st) return st;

    pesim_algo *al = calloc(1, sizeof *al);
    if (!al)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    al->impl = impl;
    memcpy(al->opt, v, sizeof v);
    al->rng = algo_rng_create(seed);
    if (!al->rng || algo_space_copy(&al->sp, sp) != PESIM_OK) {
        pesim_algo_destroy(al);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    al->sp.env = &al->env;
    if (opt && opt->eval) al->sp.eval = *opt->eval;
    st = impl->create(&al->sp, al->rng, al->opt, &al->state, e);
    if (st != PESIM_OK) {
        pesim_algo_destroy(al);
        return st;
    }
    *out = al;
    return PESIM_OK;
}

pesim_status pesim_algo_create(const char *name, const pesim_space *s, uint64_t seed,
                               const pesim_algo_options *opt, pesim_algo **out, pesim_error *e)
{
    *out = NULL;
    algo_space sp;
    memset(&sp, 0, sizeof sp);
    sp.n = s ? pesim_space_n_params(s) : 0;
    if (sp.n < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "algo", "the space has no parameters");
    size_t n = (size_t)sp.n;
    sp.n_choices = malloc(n * sizeof *sp.n_choices);
    sp.kind = malloc(n * sizeof *sp.kind);
    sp.level = malloc(n * sizeof *sp.level);
    sp.dim = malloc(n * sizeof *sp.dim);
    sp.layer = malloc(n * sizeof *sp.layer);
    sp.tensor = malloc(n * sizeof *sp.tensor);
    sp.space = s;
    pesim_status st = PESIM_OK;
    if (!sp.n_choices || !sp.kind || !sp.level || !sp.dim || !sp.layer || !sp.tensor) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    for (int32_t i = 0; i < sp.n; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        sp.n_choices[i] = p->n_choices;
        sp.kind[i] = p->kind;
        sp.level[i] = p->level >= 0 && p->level < PESIM_MAX_LEVELS ? p->level : -1;
        sp.dim[i] = p->dim;
        sp.layer[i] = p->layer;
        sp.tensor[i] = p->tensor;
    }
    st = pesim_algo_create_core(name, &sp, seed, opt, out, e);
done:
    free(sp.n_choices);
    free(sp.kind);
    free(sp.level);
    free(sp.dim);
    free(sp.layer);
    free(sp.tensor);
    return st;
}

void pesim_algo_set_env(pesim_algo *al, const pesim_algo_env *env)
{
    if (!al) return;
    if (env)
        al->env = *env;
    else
        memset(&al->env, 0, sizeof al->env);
}

int pesim_algo_describe_options(const pesim_algo *al, char *buf, size_t n)
{
    if (!al || !buf || !n) return 0;
    buf[0] = '\0';
    size_t k = 0;
    for (int32_t i = 0; i < al->impl->n_opts; i++) {
        int w = snprintf(buf + k, k < n ? n - k : 0, "%s%s=%.17g", i ? "," : "", al->impl->opts[i].name, al->opt[i]);
        if (w < 0) break;
        k += (size_t)w;
    }
    return (int)k;
}

pesim_status pesim_algo_save_policy(const pesim_algo *al, const char *path, pesim_error *e)
{
    if (!al || !al->impl->save)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "algo", "algorithm '%s' has no policy to save",
                               al ? al->impl->name : "(null)");
    return al->impl->save(al->state, path, e);
}

pesim_status pesim_algo_load_policy(pesim_algo *al, const char *path, pesim_error *e)
{
    if (!al || !al->impl->load)
        return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, "algo", "algorithm '%s' has no policy to load",
                               al ? al->impl->name : "(null)");
    return al->impl->load(al->state, path, e);
}

int pesim_algo_describe_state(const pesim_algo *al, char *buf, size_t n)
{
    if (!al || !buf || !n)
        return 0;
    buf[0] = '\0';
    return al->impl->describe ? al->impl->describe(al->state, buf, n) : 0;
}

pesim_status pesim_algo_record(const pesim_algo *al, pesim_algo_record_fn put, void *ctx, pesim_error *e)
{
    if (!al || !put || !al->impl->record)
        return PESIM_OK;
    return al->impl->record(al->state, put, ctx, e);
}

void pesim_algo_destroy(pesim_algo *al)
{
    if (!al)
        return;
    if (al->state)
        al->impl->destroy(al->state);
    gsl_rng_free(al->rng);
    algo_space_free(&al->sp);
    free(al->asked);
    free(al->told);
    free(al->results);
    free(al);
}

/* Room for max candidates in the ask bookkeeping. */
static int reserve(pesim_algo *al, int32_t max)
{
    if (max <= al->cap)
        return 0;
    int32_t *a = realloc(al->asked, (size_t)max * (size_t)al->sp.n * sizeof *a);
    if (!a)
        return -1;
    al->asked = a;
    uint8_t *t = realloc(al->told, (size_t)max);
    if (!t)
        return -1;
    al->told = t;
    pesim_result *r = realloc(al->results, (size_t)max * sizeof *r);
    if (!r)
        return -1;
    al->results = r;
    al->cap = max;
    return 0;
}

int32_t pesim_algo_ask(pesim_algo *al, int32_t *choices, int32_t max)
{
    /* Asking again before every candidate was told is a caller's mistake:
     * nothing is proposed (the algorithm's next proposals depend on them). */
    if (!al || max < 1 || al->n_pending > 0 || reserve(al, max) != 0)
        return 0;
    int32_t k = al->impl->ask(al->state, choices, max);
    assert(k >= 0 && k <= max);
    const int32_t n = al->sp.n;
    for (int32_t c = 0; c < k; c++)
        for (int32_t i = 0; i < n; i++)
            assert(choices[c * n + i] >= 0 && choices[c * n + i] < al->sp.n_choices[i]);
    memcpy(al->asked, choices, (size_t)k * (size_t)n * sizeof *choices);
    memset(al->told, 0, (size_t)k);
    al->n_asked = al->n_pending = k;
    al->next_slot = 0;
    return k;
}

void pesim_algo_tell(pesim_algo *al, const int32_t *choices, const pesim_result *r, int32_t n)
{
    if (!al)
        return;
    const int32_t np = al->sp.n;
    for (int32_t c = 0; c < n; c++) {
        const int32_t *x = choices + (size_t)c * (size_t)np;
        int32_t slot = -1;
        /* told in ask order (the usual case): the next slot, at once */
        int32_t j0 = al->next_slot;
        if (j0 < al->n_asked && !al->told[j0] &&
            memcmp(al->asked + (size_t)j0 * (size_t)np, x, (size_t)np * sizeof *x) == 0)
            slot = j0;
        for (int32_t j = 0; j < al->n_asked && slot < 0; j++)
            if (!al->told[j] && memcmp(al->asked + (size_t)j * (size_t)np, x, (size_t)np * sizeof *x) == 0)
                slot = j;
        if (slot >= 0) al->next_slot = slot + 1;
        if (slot < 0) {           /* not one of the last ask: an observation */
            al->impl->tell(al->state, x, &r[c], 1, 0);
            continue;
        }
        al->told[slot] = 1;
        al->results[slot] = r[c];
        if (--al->n_pending == 0) {
            int32_t k = al->n_asked;
            al->n_asked = 0;
            al->impl->tell(al->state, al->asked, al->results, k, 1);
        }
    }
}

/* ------------------------------------------------------------ helpers */

/* A copy of n entries of src (-1 each when src is NULL: a synthetic space
 * that does not say). */
static int32_t *copy_ints(const int32_t *src, size_t n)
{
    int32_t *d = malloc((n ? n : 1) * sizeof *d);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = src ? src[i] : -1;
    return d;
}

pesim_status algo_space_copy(algo_space *dst, const algo_space *src)
{
    *dst = *src;
    size_t n = (size_t)src->n;
    dst->n_choices = copy_ints(src->n_choices, n);
    dst->kind = malloc((n ? n : 1) * sizeof *dst->kind);
    dst->level = copy_ints(src->level, n);
    dst->dim = copy_ints(src->dim, n);
    dst->layer = copy_ints(src->layer, n);
    dst->tensor = copy_ints(src->tensor, n);
    if (!dst->n_choices || !dst->kind || !dst->level || !dst->dim || !dst->layer || !dst->tensor) {
        algo_space_free(dst);
        return PESIM_ERR_NOMEM;
    }
    memcpy(dst->kind, src->kind, n * sizeof *dst->kind);
    return PESIM_OK;
}

void algo_space_free(algo_space *sp)
{
    free(sp->n_choices);
    free(sp->kind);
    free(sp->level);
    free(sp->dim);
    free(sp->layer);
    free(sp->tensor);
    sp->n_choices = NULL;
    sp->kind = NULL;
    sp->level = sp->dim = sp->layer = sp->tensor = NULL;
}

double algo_space_log10_size(const algo_space *sp)
{
    double s = 0.0;
    for (int32_t i = 0; i < sp->n; i++)
        s += log10((double)sp->n_choices[i]);
    return s;
}

double algo_value(const pesim_result *r)
{
    if (!r->valid || !(r->objective < PESIM_INVALID_PENALTY)) /* also NaN */
        return PESIM_INVALID_PENALTY;
    return r->objective;
}

double algo_violation(const pesim_result *r)
{
    if (r->valid)
        return 0.0;
    const pesim_violation *v = &r->violation;
    switch (v->kind) {
    case PESIM_VIOLATION_CAPACITY:
    case PESIM_VIOLATION_FANOUT:
    case PESIM_VIOLATION_AREA:
    case PESIM_VIOLATION_POWER:
    case PESIM_VIOLATION_PLACEMENT: {
        double x = v->limit > 0 ? v->amount / v->limit : ALGO_VIOLATION_OTHER;
        return x > 1.0 ? (x < ALGO_VIOLATION_OTHER ? x : ALGO_VIOLATION_OTHER) : 1.0;
    }
    default: return ALGO_VIOLATION_OTHER;
    }
}

int algo_better(double a, double va, double b, double vb)
{
    if ((va == 0) != (vb == 0))
        return va == 0;         /* valid beats invalid */
    return va == 0 ? a < b : va < vb;
}

int algo_capacity_failure(const algo_space *sp, const pesim_result *r, int32_t *level)
{
    (void)sp;
    if (r->valid || r->violation.kind != PESIM_VIOLATION_CAPACITY)
        return 0;
    int32_t L = r->violation.level;
    *level = L >= 0 && L < PESIM_MAX_LEVELS ? L : PESIM_MAX_LEVELS;
    return 1;
}

int algo_param_monotone(const algo_space *sp, int32_t i)
{
    return sp->kind[i] == PESIM_PARAM_TILE || sp->kind[i] == PESIM_PARAM_SPATIAL_FACTOR;
}

int algo_param_capacity_free(const algo_space *sp, int32_t i)
{
    return sp->kind[i] == PESIM_PARAM_ORDER || sp->kind[i] == PESIM_PARAM_ORDER_POS;
}

void algo_random_point(const algo_space *sp, gsl_rng *rng, int32_t *x)
{
    for (int32_t i = 0; i < sp->n; i++)
        x[i] = sp->n_choices[i] > 1 ? (int32_t)gsl_rng_uniform_int(rng, (unsigned long)sp->n_choices[i]) : 0;
}

static double rng_u01(void *ctx) { return gsl_rng_uniform((gsl_rng *)ctx); }

int32_t algo_masked_point(pesim_cursor *c, gsl_rng *rng, int32_t *x)
{
    pesim_cursor_reset(c);
    return pesim_cursor_sample(c, rng_u01, rng, x);
}

int32_t algo_valid_starts(const algo_space *sp, gsl_rng *rng, int32_t *x, int32_t n)
{
    int32_t k = 0, good = 0;
    pesim_cursor *c = NULL;
    if (sp->space && pesim_cursor_create(sp->space, &sp->eval, &c, NULL) == PESIM_OK) {
        if (n > 0 && pesim_space_default_choices(sp->space, x)) k = good = 1; /* the mapper's: valid */
        for (; k < n; k++)
            if (algo_masked_point(c, rng, x + (size_t)k * (size_t)sp->n) == 0) good++;
    }
    pesim_cursor_destroy(c);
    for (; k < n; k++) algo_random_point(sp, rng, x + (size_t)k * (size_t)sp->n);
    return good;
}

int32_t algo_factorial_inverse(int64_t v)
{
    int64_t f = 1;
    for (int32_t m = 1; m <= 12; m++) {
        f *= m;
        if (f == v)
            return m;
        if (f > v)
            return -1;
    }
    return -1;
}

void algo_perm_unrank(int32_t m, int64_t rank, int32_t *perm)
{
    int32_t items[12];
    int64_t f = 1;
    for (int32_t i = 0; i < m; i++) {
        items[i] = i;
        if (i > 0)
            f *= i;             /* f = (m-1)! at the end */
    }
    for (int32_t i = 0; i < m; i++) {
        int64_t q = f > 0 ? rank / f : 0;
        rank -= q * f;
        perm[i] = items[q];
        memmove(&items[q], &items[q + 1], (size_t)(m - 1 - i - q) * sizeof items[0]);
        if (m - 1 - i > 0)
            f /= (m - 1 - i);
    }
}

int64_t algo_perm_rank(int32_t m, const int32_t *perm)
{
    int64_t rank = 0;
    for (int32_t i = 0; i < m; i++) {
        int32_t smaller = 0;    /* later items smaller than perm[i]: its Lehmer digit */
        for (int32_t j = i + 1; j < m; j++)
            smaller += perm[j] < perm[i];
        rank = rank * (m - i) + smaller;
    }
    return rank;
}

void algo_mutate_param(const algo_space *sp, gsl_rng *rng, int32_t *x, int32_t i, double local)
{
    const int32_t n = sp->n_choices[i];
    if (n <= 1)
        return;
    const pesim_param_kind k = sp->kind[i];
    if (k == PESIM_PARAM_ORDER) {
        int32_t m = algo_factorial_inverse(n);
        if (m >= 2) {           /* swap two loops of the permutation */
            int32_t perm[12];
            algo_perm_unrank(m, x[i], perm);
            int32_t a = (int32_t)gsl_rng_uniform_int(rng, (unsigned long)m);
            int32_t b = (int32_t)gsl_rng_uniform_int(rng, (unsigned long)(m - 1));
            if (b >= a)
                b++;
            int32_t t = perm[a];
            perm[a] = perm[b];
            perm[b] = t;
            x[i] = (int32_t)algo_perm_rank(m, perm);
            return;
        }
    } else if ((k == PESIM_PARAM_TILE || k == PESIM_PARAM_SPATIAL_FACTOR || k == PESIM_PARAM_HARDWARE) &&
               gsl_rng_uniform(rng) < local) {
        int32_t v = x[i] + (gsl_rng_uniform(rng) < 0.5 ? -1 : 1);
        if (v < 0)
            v = 1;              /* at an end: the only neighbour */
        if (v >= n)
            v = n - 2;
        x[i] = v;
        return;
    }
    int32_t v = (int32_t)gsl_rng_uniform_int(rng, (unsigned long)(n - 1));
    x[i] = v >= x[i] ? v + 1 : v;   /* uniform over the other choices */
}

int32_t algo_random_param_of_kind(const algo_space *sp, gsl_rng *rng, pesim_param_kind k)
{
    int32_t count = 0;
    for (int32_t i = 0; i < sp->n; i++)
        count += sp->kind[i] == k && sp->n_choices[i] > 1;
    if (count == 0)
        return -1;
    int32_t pick = (int32_t)gsl_rng_uniform_int(rng, (unsigned long)count);
    for (int32_t i = 0; i < sp->n; i++)
        if (sp->kind[i] == k && sp->n_choices[i] > 1 && pick-- == 0)
            return i;
    return -1;
}

uint64_t algo_hash(const int32_t *x, int32_t n)
{
    uint64_t h = 0x243f6a8885a308d3ull;
    for (int32_t i = 0; i < n; i++)
        h = mix64(h ^ (uint64_t)(uint32_t)x[i]);
    return h ? h : 1;           /* 0 marks an empty slot */
}

static int seen_grow(algo_seen *s)
{
    int64_t cap = s->cap ? 2 * s->cap : 1024;
    uint64_t *slot = calloc((size_t)cap, sizeof *slot);
    double *val = s->val ? malloc((size_t)cap * sizeof *val) : NULL;
    if (!slot || (s->val && !val)) {
        free(slot);
        free(val);
        return -1;
    }
    for (int64_t i = 0; i < s->cap; i++) {
        uint64_t h = s->slot[i];
        if (!h)
            continue;
        int64_t j = (int64_t)(h & (uint64_t)(cap - 1));
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = h;
        if (val)
            val[j] = s->val[i];
    }
    free(s->slot);
    free(s->val);
    s->slot = slot;
    s->val = val;
    s->cap = cap;
    return 0;
}

/* The slot of x's hash h: where it is, or the empty slot where it would go
 * (s->cap > 0). */
static int64_t seen_slot(const algo_seen *s, uint64_t h)
{
    int64_t j = (int64_t)(h & (uint64_t)(s->cap - 1));
    while (s->slot[j] && s->slot[j] != h)
        j = (j + 1) & (s->cap - 1);
    return j;
}

int algo_seen_has(const algo_seen *s, const int32_t *x, int32_t n)
{
    return s->cap && s->slot[seen_slot(s, algo_hash(x, n))] != 0;
}

int algo_seen_get(const algo_seen *s, const int32_t *x, int32_t n, double *v)
{
    if (!s->cap)
        return 0;
    int64_t j = seen_slot(s, algo_hash(x, n));
    if (!s->slot[j])
        return 0;
    *v = s->val ? s->val[j] : 0;
    return 1;
}

/* Adds x (value v) unless it is there; 1 if it was, 0 added, -1 out of memory. */
static int seen_insert(algo_seen *s, const int32_t *x, int32_t n, double v, int64_t *at)
{
    uint64_t h = algo_hash(x, n);
    if (s->cap && s->slot[*at = seen_slot(s, h)])
        return 1;
    if (2 * (s->count + 1) > s->cap && seen_grow(s) != 0)
        return -1;
    *at = seen_slot(s, h);
    s->slot[*at] = h;
    if (s->val)
        s->val[*at] = v;
    s->count++;
    return 0;
}

int algo_seen_add(algo_seen *s, const int32_t *x, int32_t n)
{
    int64_t at;
    return seen_insert(s, x, n, 0, &at);
}

int algo_seen_put(algo_seen *s, const int32_t *x, int32_t n, double v)
{
    if (!s->val) { /* a set becomes a map: its members' values are 0 */
        if (!s->cap && seen_grow(s) != 0)
            return -1;
        if (!(s->val = calloc((size_t)s->cap, sizeof *s->val)))
            return -1;
    }
    int64_t at;
    int rc = seen_insert(s, x, n, v, &at);
    if (rc < 0)
        return -1;
    s->val[at] = v;
    return 0;
}

void algo_seen_free(algo_seen *s)
{
    free(s->slot);
    free(s->val);
    s->slot = NULL;
    s->val = NULL;
    s->cap = s->count = 0;
}
