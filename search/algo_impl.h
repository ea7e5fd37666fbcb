/* search/algo_impl.h - the private interface between the algorithm handle
 * (algo.c) and the algorithms (algorithms/<name>.c). Not a published API:
 * pesim/search.h is the contract; this header is for search/ and its tests.
 *
 * An algorithm sees the space as an algo_space: per parameter the number of
 * choices, kind, level, dim, layer and tensor, so its core can be unit-tested
 * on synthetic cardinalities and objectives without a decoder or an
 * evaluator; and, on a real space, the space itself (`space`: the value
 * behind each choice, context features, masks and the step decode of
 * pesim/search.h) and the caller's services (`env`: a predictor outside the
 * budget). Results carry the violation as data (pesim_result.violation).
 *
 * The handle owns the gsl_rng (seeded once from the user's seed), parses the
 * options against the algorithm's table, and keeps the bookkeeping of the
 * ask/tell protocol. What it guarantees the algorithms:
 * - ask(st, x, max) is called with 1 <= max and never while candidates of a
 *   previous ask are still untold;
 * - tell(st, x, r, n, 1) receives the candidates of the last ask, all of
 *   them, in the order ask proposed them, whatever order the caller told
 *   them in - so a run depends on the seed, the options and the batch sizes
 *   only;
 * - tell(st, x, r, n, 0) passes candidates the algorithm did not propose
 *   (a caller's seeds or a warm start), for its bookkeeping only.
 * An algorithm must propose only choices in [0, n_choices) and may propose
 * fewer than max (the end of a generation); it returns 0 only when it has
 * nothing more to propose (exhaustive done, Timeloop's victory).
 * Algorithms are anytime: none knows the budget, so a run of N evaluations is
 * the first N evaluations of any longer run with the same seed, options and
 * batch - which is what makes `--resume --budget M` a straight run of M. */
#ifndef PESIM_SEARCH_ALGO_IMPL_H
#define PESIM_SEARCH_ALGO_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "pesim/search.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an algorithm knows of a space. Arrays have n entries. */
typedef struct algo_space {
    int32_t n;                       /* parameters (>= 1) */
    int32_t *n_choices;              /* >= 1 each */
    pesim_param_kind *kind;
    int32_t *level;                  /* storage level it belongs to, -1: none */
    int32_t *dim;                    /* loop dim, -1: none */
    int32_t *layer;                  /* layer of the space's network, -1: none */
    int32_t *tensor;                 /* tensor, -1: none */
    const pesim_space *space;        /* the real space, NULL on a synthetic one */
    const pesim_algo_env *env;       /* the caller's services (never NULL; members may be) */
    pesim_eval_options eval;         /* what the evaluation checks (the area budget, for masks) */
} algo_space;

/* One option of an algorithm (--algo-opt key=value): a number, integer or
 * real, with a default and inclusive bounds. The table is the algorithm's
 * documentation (docs/search.md lists it; `pesim search --algo-opt help`). */
typedef struct algo_opt_desc {
    const char *name;
    int integer;                     /* 1: an integer */
    double def, min, max;
    const char *help;                /* one line, with the unit */
} algo_opt_desc;

/* A word that stands for a number in an option's value (`--algo-opt
 * predictor=surrogate`): option `opt` given as `word` is `value`. An
 * algorithm's list ends with a NULL opt; the number is still accepted, and
 * the store records the number. */
typedef struct algo_opt_word {
    const char *opt, *word;
    double value;
} algo_opt_word;

typedef pesim_status (*algo_create_fn)(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,
                                       pesim_error *e);
typedef int32_t (*algo_ask_fn)(void *state, int32_t *choices, int32_t max);
typedef void (*algo_tell_fn)(void *state, const int32_t *choices, const pesim_result *r, int32_t n,
                             int asked);
typedef void (*algo_destroy_fn)(void *state);
/* Learned algorithms only (NULL for the others): their policy to and from
 * a file, and a text account of what they learned about the space (marl's
 * clustering), as pesim_algo_save_policy / _load_policy / _describe_state. */
typedef pesim_status (*algo_save_fn)(void *state, const char *path, pesim_error *e);
typedef pesim_status (*algo_load_fn)(void *state, const char *path, pesim_error *e);
typedef int (*algo_describe_fn)(void *state, char *buf, size_t n);
/* ... and the key/value pairs they record with a run (pesim_algo_record). */
typedef pesim_status (*algo_record_fn)(void *state, pesim_algo_record_fn put, void *ctx, pesim_error *e);

/* One entry of the registry (algo.c). opt[] given to create holds the
 * value of each option of the table, in table order. */
typedef struct algo_entry {
    const char *name;
    const char *summary;             /* one line */
    const algo_opt_desc *opts;       /* n_opts entries */
    int32_t n_opts;
    algo_create_fn create;
    algo_ask_fn ask;
    algo_tell_fn tell;
    algo_destroy_fn destroy;
    algo_save_fn save;
    algo_load_fn load;
    algo_describe_fn describe;
    algo_record_fn record;
    const algo_opt_word *words;      /* NULL: numbers only */
} algo_entry;

/* The algorithms (one file each in algorithms/): their functions and their
 * option tables. */
#define ALGO_DECLARE(x)                                                                                   \
    pesim_status algo_##x##_create(const algo_space *sp, gsl_rng *rng, const double *opt, void **state,     \
                                   pesim_error *e);                                                       \
    int32_t algo_##x##_ask(void *state, int32_t *choices, int32_t max);                                   \
    void algo_##x##_tell(void *state, const int32_t *choices, const pesim_result *r, int32_t n, int asked); \
    void algo_##x##_destroy(void *state);                                                                 \
    extern const algo_opt_desc algo_##x##_opts[];                                                         \
    extern const int32_t algo_##x##_n_opts;
ALGO_DECLARE(exhaustive)
ALGO_DECLARE(random)
ALGO_DECLARE(annealing)
ALGO_DECLARE(genetic)
ALGO_DECLARE(timeloop)
ALGO_DECLARE(rl)
ALGO_DECLARE(marl)
ALGO_DECLARE(egrl)
ALGO_DECLARE(ea)
ALGO_DECLARE(pg)
ALGO_DECLARE(greedy)
extern const algo_opt_word algo_arco_words[];
extern const algo_opt_word algo_egrl_words[]; /* egrl, ea, pg: critic=additive|per_head|joint */
ALGO_DECLARE(arco)
ALGO_DECLARE(autotvm)
ALGO_DECLARE(das)
#undef ALGO_DECLARE
#define ALGO_DECLARE_LEARNED(x)                                                    \
    pesim_status algo_##x##_save(void *state, const char *path, pesim_error *e); \
    pesim_status algo_##x##_load(void *state, const char *path, pesim_error *e); \
    int algo_##x##_describe(void *state, char *buf, size_t n);                  \
    pesim_status algo_##x##_record(void *state, pesim_algo_record_fn put, void *ctx, pesim_error *e);
ALGO_DECLARE_LEARNED(rl)
ALGO_DECLARE_LEARNED(marl)
#undef ALGO_DECLARE_LEARNED

/* Creates an algorithm on a synthetic space (what pesim_algo_create does
 * after reading the real space's parameters). sp is copied. */
pesim_status pesim_algo_create_core(const char *name, const algo_space *sp, uint64_t seed,
                                    const pesim_algo_options *opt, pesim_algo **out, pesim_error *e);
/* The algorithm's state (for tests of one algorithm's internals). */
void *pesim_algo_state(const pesim_algo *al);
/* The space an algorithm handle works on. */
const algo_space *pesim_algo_space(const pesim_algo *al);
/* The algorithm's own state (what its create made), for its tests and stats. */
void *pesim_algo_state(const pesim_algo *al);

/* ------------------------------------------------ shared helpers (algo.c) */

/* Deep-copies src into dst (arrays malloc'ed; space and env are shared);
 * algo_space_free releases them. */
pesim_status algo_space_copy(algo_space *dst, const algo_space *src);
void algo_space_free(algo_space *sp);
/* log10 of the number of points of the space. */
double algo_space_log10_size(const algo_space *sp);

/* The lower-better value an algorithm optimises: the objective of a valid
 * result, PESIM_INVALID_PENALTY otherwise (whatever the result says). */
double algo_value(const pesim_result *r);
/* How far an invalid result is from being valid, for algorithms that rank
 * invalid candidates (Deb's feasibility rules: a valid candidate beats an
 * invalid one; of two invalid ones the smaller violation wins): 0 for a
 * valid result; amount / limit (> 1) of a violation that has both (capacity,
 * fan-out, area, power, placement: how far over); ALGO_VIOLATION_OTHER for
 * any other. */
#define ALGO_VIOLATION_OTHER 1e6
double algo_violation(const pesim_result *r);
/* 1 if (value a, violation va) is strictly better than (b, vb) by those
 * rules; values are algo_value()s. */
int algo_better(double a, double va, double b, double vb);

/* 1 if the result is invalid because a level's capacity was exceeded; *level
 * gets the level (PESIM_MAX_LEVELS when the violation does not say: every
 * level then counts as below it, the conservative choice for pruning). */
int algo_capacity_failure(const algo_space *sp, const pesim_result *r, int32_t *level);
/* 1 if the parameter grows every footprint it affects when its choice grows
 * (tile and spatial factors, whose choices the spaces list ascending), so
 * capacity failures are monotone in it. */
int algo_param_monotone(const algo_space *sp, int32_t i);

/* 1 if the parameter never changes a footprint (loop orders, as a rank or a
 * position: a level holds
 * the tiles it keeps, whose sizes are products of factors, docs/model.md),
 * so capacity failures do not depend on it. */
int algo_param_capacity_free(const algo_space *sp, int32_t i);

/* A gsl_rng_mt19937 seeded from a 64-bit seed through splitmix64 (seeds
 * that differ only in their high bits give different streams): how every
 * handle of search/ that owns a generator seeds it. NULL: out of memory. */
gsl_rng *algo_rng_create(uint64_t seed);

/* A uniformly random candidate. */
void algo_random_point(const algo_space *sp, gsl_rng *rng, int32_t *x);

/* Valid starting points (annealing, genetic): the space's default design
 * (pesim_space_default_choices, when it is in the space), then candidates
 * drawn by the masked step decode (pesim_cursor_sample: valid for capacity,
 * fan-out and the area budget). On a synthetic space, uniform random ones.
 * Fills n candidates (n x sp->n) and returns how many came from the masks
 * or the default (the rest are uniform). */
int32_t algo_valid_starts(const algo_space *sp, gsl_rng *rng, int32_t *x, int32_t n);
/* A candidate x (sp->n) drawn by the masked step decode of cursor c (reset
 * first). Returns how many parameters had no allowed choice (0: valid for
 * what the masks check). */
int32_t algo_masked_point(pesim_cursor *c, gsl_rng *rng, int32_t *x);
/* Changes parameter i of x to another choice (when it has one): for ordered
 * kinds (tile, spatial factor, hardware) a step of +-1 with probability
 * `local`, otherwise a uniform other choice; for a loop order, a swap of two
 * loops (when n_choices is a factorial) or a uniform other choice. */
void algo_mutate_param(const algo_space *sp, gsl_rng *rng, int32_t *x, int32_t i, double local);
/* A uniformly random parameter of kind k, or -1 if the space has none. */
int32_t algo_random_param_of_kind(const algo_space *sp, gsl_rng *rng, pesim_param_kind k);

/* Loop orders: a permutation of m items <-> its lexicographic rank. m! must
 * fit in int32 (m <= 12). algo_factorial_inverse gives m with m! == v, or -1. */
int32_t algo_factorial_inverse(int64_t v);
void algo_perm_unrank(int32_t m, int64_t rank, int32_t *perm);
int64_t algo_perm_rank(int32_t m, const int32_t *perm);

/* A set of candidates seen (64-bit hashes of the choice vectors; a collision
 * only makes an algorithm skip a candidate it has not seen: harmless), or,
 * filled by algo_seen_put, a map from candidate to a value (a memo of what
 * the run measured: a collision, about 2^-64 a pair, would give a
 * candidate another's value). Zero-initialised is an empty set. */
typedef struct algo_seen {
    uint64_t *slot;                  /* 0 = empty */
    double *val;                     /* cap values, or NULL until the first algo_seen_put */
    int64_t cap, count;
} algo_seen;
uint64_t algo_hash(const int32_t *x, int32_t n);
/* Returns 1 if x was already in the set, else adds it and returns 0 (or -1
 * when out of memory: the set then stays as it was). A value added this way
 * is 0. */
int algo_seen_add(algo_seen *s, const int32_t *x, int32_t n);
int algo_seen_has(const algo_seen *s, const int32_t *x, int32_t n);
/* x's value is v (added, or replacing the one it had); 0, or -1 when out of
 * memory (the map then stays as it was). */
int algo_seen_put(algo_seen *s, const int32_t *x, int32_t n, double v);
/* 1 and *v = x's value when x is in the map, else 0 (*v unchanged). */
int algo_seen_get(const algo_seen *s, const int32_t *x, int32_t n, double *v);
void algo_seen_free(algo_seen *s);

#ifdef __cplusplus
}
#endif
#endif
