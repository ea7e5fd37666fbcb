/* search/algorithms/genetic.c - a genetic algorithm with GAMMA's operators
 * (Kao & Krishna, "GAMMA: Automating the HW Mapping of DNN Models on
 * Accelerators via Genetic Algorithm", ICCAD 2020), on any space.
 *
 * Genome: the candidate's choice vector; a mapping space's genes are grouped
 * in blocks by storage level (tile factors, loop order, spatial dims and
 * factors, bypass of that level), as GAMMA's genome has one block per level.
 *
 * Each generation after the first keeps the
 * E best of the current population unchanged (elitism: not evaluated again)
 * and breeds P - E children:
 * - ranking: by objective, every valid candidate before every invalid one,
 *   invalid ones by how far they overflow a capacity (Deb's feasibility
 *   rules, algo_violation): in small-buffer spaces most random candidates
 *   are invalid, and this leads the population toward the valid region;
 * - selection: two parents, each the best of `tournament` candidates
 *   drawn uniformly from the population (tournament);
 * - crossover (probability `p_cross`): per level block, the child takes
 *   the whole block from one parent or the other (uniformly); parameters of
 *   no level (hardware, placement) are crossed one by one;
 * - mutations, each applied independently:
 *   - tile factor (`p_tile`, repeated with probability 1/2): one tile
 *     factor moves to a neighbouring or any other choice;
 *   - parallel dim (`p_parallel`): one spatial dim, or one spatial factor,
 *     gets another choice;
 *   - reorder (`p_order`): two loops of a level's order swap;
 *   - bypass (`p_bypass`): one keep/bypass flag flips;
 *   - other kinds (hardware, placement; `p_other`): one gets another
 *     choice;
 * - a child already evaluated (or already bred) is bred again, up to
 *   GENETIC_TRIES times, so the budget is spent on new candidates.
 * Generation 0 is the valid starting points of algo_valid_starts (the
 * default mapper's design, then candidates of the masked step decode).
 * Options (--algo-opt): population P (64), elites E (max(1, P/10)),
 * tournament, the probabilities above, local; nothing depends on the budget
 * (anytime): the run continues generation after generation.
 * Asks hand out the children of the current generation in order (an ask
 * never spans two generations); the next generation is bred when the last
 * child is told. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_impl.h"

#define GENETIC_TRIES 20

enum {
    OPT_POPULATION, OPT_ELITES, OPT_TOURNAMENT, OPT_P_CROSS, OPT_P_TILE, OPT_P_PARALLEL, OPT_P_ORDER,
    OPT_P_BYPASS, OPT_P_OTHER, OPT_LOCAL, OPT_VALID_START, N_OPTS
};
const algo_opt_desc algo_genetic_opts[N_OPTS] = {
    {"population", 1, 64, 2, 100000, "individuals per generation"},
    {"elites", 1, 0, 0, 100000, "best individuals kept unchanged (0: population / 10, at least 1)"},
    {"tournament", 1, 3, 1, 1000, "candidates drawn per parent selection"},
    {"p_cross", 0, 0.9, 0, 1, "probability of crossover (else a parent is copied)"},
    {"p_tile", 0, 0.7, 0, 1, "probability of a tile-factor mutation"},
    {"p_parallel", 0, 0.3, 0, 1, "probability of a spatial dim or factor mutation"},
    {"p_order", 0, 0.3, 0, 1, "probability of a loop-order mutation (two loops swap)"},
    {"p_bypass", 0, 0.1, 0, 1, "probability of a bypass flip"},
    {"p_other", 0, 0.7, 0, 1, "probability of a hardware or placement mutation"},
    {"local", 0, 0.5, 0, 1, "share of +-1 steps when an ordered parameter moves"},
    {"valid_start", 1, 1, 0, 1, "1: generation 0 from the default mapping and masked samples; 0: uniform"},
};
const int32_t algo_genetic_n_opts = N_OPTS;

typedef struct genetic_state {
    const algo_space *sp;
    gsl_rng *rng;
    int32_t n, P, E, tournament;
    double p_cross, p_tile, p_par, p_order, p_bypass, p_other, local;
    int32_t *block;            /* per parameter: its crossover block */
    int32_t *pop;              /* P x n, the current population */
    double *pop_val;           /* P: algo_value */
    double *pop_viol;          /* P: algo_violation (0 = valid) */
    int32_t pop_size;          /* individuals in pop (0 before generation 0 is told) */
    int32_t *kid;              /* P x n, the generation being evaluated */
    double *kid_val, *kid_viol;
    int32_t n_kids, kids_asked, kids_told;
    int32_t *rank;             /* scratch: population indices by value */
    int32_t *tmp;              /* scratch: 2P x n */
    double *tmp_val, *tmp_viol;
    int64_t generation;
    algo_seen seen;
} genetic_state;

void algo_genetic_destroy(void *state)
{
    genetic_state *s = state;
    if (!s)
        return;
    free(s->block);
    free(s->pop);
    free(s->pop_val);
    free(s->pop_viol);
    free(s->kid_viol);
    free(s->tmp_viol);
    free(s->kid);
    free(s->kid_val);
    free(s->rank);
    free(s->tmp);
    free(s->tmp_val);
    algo_seen_free(&s->seen);
    free(s);
}

pesim_status algo_genetic_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                 pesim_error *e)
{
    genetic_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->sp = sp;
    s->rng = rng;
    s->n = sp->n;
    s->P = (int32_t)opt[OPT_POPULATION];
    s->E = opt[OPT_ELITES] > 0 ? (int32_t)opt[OPT_ELITES] : s->P / 10 < 1 ? 1 : s->P / 10;
    if (s->E >= s->P) s->E = s->P - 1;
    s->tournament = (int32_t)opt[OPT_TOURNAMENT];
    s->p_cross = opt[OPT_P_CROSS];
    s->p_tile = opt[OPT_P_TILE];
    s->p_par = opt[OPT_P_PARALLEL];
    s->p_order = opt[OPT_P_ORDER];
    s->p_bypass = opt[OPT_P_BYPASS];
    s->p_other = opt[OPT_P_OTHER];
    s->local = opt[OPT_LOCAL];
    size_t pn = (size_t)s->P * (size_t)s->n, pn2 = 2 * pn, P2 = 2 * (size_t)s->P;
    s->block = malloc((size_t)s->n * sizeof *s->block);
    s->pop = malloc(pn2 * sizeof *s->pop);
    s->pop_val = malloc(P2 * sizeof *s->pop_val);
    s->pop_viol = malloc(P2 * sizeof *s->pop_viol);
    s->kid_viol = malloc((size_t)s->P * sizeof *s->kid_viol);
    s->tmp_viol = malloc(P2 * sizeof *s->tmp_viol);
    s->kid = malloc(pn * sizeof *s->kid);
    s->kid_val = malloc((size_t)s->P * sizeof *s->kid_val);
    s->rank = malloc(P2 * sizeof *s->rank);
    s->tmp = malloc(pn2 * sizeof *s->tmp);
    s->tmp_val = malloc(P2 * sizeof *s->tmp_val);
    if (!s->block || !s->pop || !s->pop_val || !s->pop_viol || !s->kid_viol || !s->tmp_viol || !s->kid || !s->kid_val || !s->rank || !s->tmp ||
        !s->tmp_val) {
        algo_genetic_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int32_t i = 0; i < s->n; i++)
        s->block[i] = sp->level[i] >= 0 ? sp->level[i] : PESIM_MAX_LEVELS + i;
    /* Generation 0: valid starting points (or uniform random ones), distinct
     * where the space allows. */
    if (opt[OPT_VALID_START] != 0)
        algo_valid_starts(sp, rng, s->kid, s->P);
    for (int32_t c = 0; c < s->P; c++) {
        int32_t *x = s->kid + (size_t)c * (size_t)s->n;
        for (int t = 0; t < GENETIC_TRIES && (opt[OPT_VALID_START] == 0 || algo_seen_has(&s->seen, x, s->n)); t++) {
            algo_random_point(sp, rng, x);
            if (!algo_seen_has(&s->seen, x, s->n))
                break;
        }
        algo_seen_add(&s->seen, x, s->n);
    }
    s->n_kids = s->P;
    *state = s;
    return PESIM_OK;
}

int32_t algo_genetic_ask(void *state, int32_t *choices, int32_t max)
{
    genetic_state *s = state;
    int32_t k = s->n_kids - s->kids_asked;
    if (k > max)
        k = max;
    memcpy(choices, s->kid + (size_t)s->kids_asked * (size_t)s->n, (size_t)k * (size_t)s->n * sizeof *choices);
    s->kids_asked += k;
    return k;
}

/* 1 if population member i is better than j (Deb's feasibility rules). */
static int better(const genetic_state *s, int32_t i, int32_t j)
{
    return algo_better(s->pop_val[i], s->pop_viol[i], s->pop_val[j], s->pop_viol[j]);
}

/* The best of `tournament` uniform draws from the population. */
static int32_t tournament(genetic_state *s)
{
    int32_t best = -1;
    for (int t = 0; t < s->tournament; t++) {
        int32_t i = (int32_t)gsl_rng_uniform_int(s->rng, (unsigned long)s->pop_size);
        if (best < 0 || better(s, i, best) || (!better(s, best, i) && i < best))
            best = i;
    }
    return best;
}

/* Per-block crossover of parents a and b into x. */
static void crossover(genetic_state *s, const int32_t *a, const int32_t *b, int32_t *x)
{
    /* One coin per block, drawn in block order so a run is reproducible. */
    uint8_t from_b[PESIM_MAX_LEVELS];
    for (int32_t L = 0; L < PESIM_MAX_LEVELS; L++)
        from_b[L] = gsl_rng_uniform(s->rng) < 0.5;
    for (int32_t i = 0; i < s->n; i++) {
        int32_t blk = s->block[i];
        int take_b = blk < PESIM_MAX_LEVELS ? from_b[blk] : gsl_rng_uniform(s->rng) < 0.5;
        x[i] = take_b ? b[i] : a[i];
    }
}

static void mutate_kind(genetic_state *s, int32_t *x, pesim_param_kind k, double local)
{
    int32_t i = algo_random_param_of_kind(s->sp, s->rng, k);
    if (i >= 0)
        algo_mutate_param(s->sp, s->rng, x, i, local);
}

/* GAMMA's mutations. */
static void mutate(genetic_state *s, int32_t *x)
{
    gsl_rng *r = s->rng;
    if (gsl_rng_uniform(r) < s->p_tile) {
        do
            mutate_kind(s, x, PESIM_PARAM_TILE, s->local);
        while (gsl_rng_uniform(r) < 0.5);
    }
    if (gsl_rng_uniform(r) < s->p_par) {
        /* a spatial dim (one-dim encoding) or a spatial factor */
        pesim_param_kind k = gsl_rng_uniform(r) < 0.5 ? PESIM_PARAM_SPATIAL_DIM : PESIM_PARAM_SPATIAL_FACTOR;
        if (algo_random_param_of_kind(s->sp, r, k) < 0) k = PESIM_PARAM_SPATIAL_FACTOR;
        mutate_kind(s, x, k, s->local);
    }
    if (gsl_rng_uniform(r) < s->p_order) {
        pesim_param_kind k = PESIM_PARAM_ORDER;
        if (algo_random_param_of_kind(s->sp, r, k) < 0) k = PESIM_PARAM_ORDER_POS;
        mutate_kind(s, x, k, 0.0);
    }
    if (gsl_rng_uniform(r) < s->p_bypass)
        mutate_kind(s, x, PESIM_PARAM_BYPASS, 0.0);
    if (gsl_rng_uniform(r) < s->p_other) {
        pesim_param_kind k = gsl_rng_uniform(r) < 0.5 ? PESIM_PARAM_HARDWARE : PESIM_PARAM_PLACEMENT;
        if (algo_random_param_of_kind(s->sp, r, k) < 0)
            k = k == PESIM_PARAM_HARDWARE ? PESIM_PARAM_PLACEMENT : PESIM_PARAM_HARDWARE;
        mutate_kind(s, x, k, s->local);
    }
}

/* Sorts the m candidates of tmp/tmp_val/tmp_viol into rank[] (stable). */
static void rank_tmp(genetic_state *s, int32_t m)
{
    for (int32_t i = 0; i < m; i++) {
        int32_t b = i;
        for (; b > 0 && algo_better(s->tmp_val[i], s->tmp_viol[i], s->tmp_val[s->rank[b - 1]],
                                    s->tmp_viol[s->rank[b - 1]]); b--)
            s->rank[b] = s->rank[b - 1];
        s->rank[b] = i;
    }
}

/* The generation just told joins the survivors of the population (the E
 * best: elitism); the best P of the union are the next population, and the
 * next generation is bred from them. */
static void next_generation(genetic_state *s)
{
    const size_t n = (size_t)s->n;
    int32_t m = 0;
    /* the survivors: the population's best first */
    for (int32_t i = 0; i < s->pop_size; i++) {
        memcpy(s->tmp + (size_t)i * n, s->pop + (size_t)i * n, n * sizeof *s->tmp);
        s->tmp_val[i] = s->pop_val[i];
        s->tmp_viol[i] = s->pop_viol[i];
    }
    rank_tmp(s, s->pop_size);
    int32_t keep = s->pop_size < s->E ? s->pop_size : s->E;
    for (int32_t j = 0; j < keep; j++, m++) {
        memcpy(s->pop + (size_t)m * n, s->tmp + (size_t)s->rank[j] * n, n * sizeof *s->pop);
        s->pop_val[m] = s->tmp_val[s->rank[j]];
        s->pop_viol[m] = s->tmp_viol[s->rank[j]];
    }
    for (int32_t c = 0; c < s->n_kids; c++, m++) {
        memcpy(s->pop + (size_t)m * n, s->kid + (size_t)c * n, n * sizeof *s->pop);
        s->pop_val[m] = s->kid_val[c];
        s->pop_viol[m] = s->kid_viol[c];
    }
    if (m > s->P) {            /* truncate to the best P */
        memcpy(s->tmp, s->pop, (size_t)m * n * sizeof *s->tmp);
        memcpy(s->tmp_val, s->pop_val, (size_t)m * sizeof *s->tmp_val);
        memcpy(s->tmp_viol, s->pop_viol, (size_t)m * sizeof *s->tmp_viol);
        rank_tmp(s, m);
        for (int32_t j = 0; j < s->P; j++) {
            memcpy(s->pop + (size_t)j * n, s->tmp + (size_t)s->rank[j] * n, n * sizeof *s->pop);
            s->pop_val[j] = s->tmp_val[s->rank[j]];
            s->pop_viol[j] = s->tmp_viol[s->rank[j]];
        }
        m = s->P;
    }
    s->pop_size = m;
    s->generation++;
    /* Breed P - E children. */
    s->n_kids = s->P - s->E;
    for (int32_t c = 0; c < s->n_kids; c++) {
        int32_t *x = s->kid + (size_t)c * n;
        for (int t = 0; t < GENETIC_TRIES; t++) {
            const int32_t *a = s->pop + (size_t)tournament(s) * n;
            const int32_t *b = s->pop + (size_t)tournament(s) * n;
            if (gsl_rng_uniform(s->rng) < s->p_cross)
                crossover(s, a, b, x);
            else
                memcpy(x, a, n * sizeof *x);
            mutate(s, x);
            if (!algo_seen_has(&s->seen, x, s->n))
                break;
        }
        algo_seen_add(&s->seen, x, s->n);
    }
    s->kids_asked = s->kids_told = 0;
}

void algo_genetic_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked)
{
    genetic_state *s = state;
    if (!asked) {              /* not ours: only remember it was evaluated */
        for (int32_t c = 0; c < n; c++)
            algo_seen_add(&s->seen, choices + (size_t)c * (size_t)s->n, s->n);
        return;
    }
    /* The handle tells the last ask's candidates in ask order: they are
     * kid[kids_told .. kids_told + n). */
    for (int32_t c = 0; c < n && s->kids_told < s->n_kids; c++) {
        s->kid_val[s->kids_told] = algo_value(&r[c]);
        s->kid_viol[s->kids_told++] = algo_violation(&r[c]);
    }
    if (s->kids_told == s->n_kids)
        next_generation(s);
}
