/* search/algorithms/arco_impl.h - what ARCO (arco.c) and the AutoTVM-like
 * baseline (autotvm.c) share: the numeric features of a candidate that their
 * XGBoost surrogates (pesim/surrogate.h) learn from. Private to search/. */
#ifndef PESIM_SEARCH_ARCO_IMPL_H
#define PESIM_SEARCH_ARCO_IMPL_H

#include "../algo_impl.h"
#include "pesim/surrogate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One feature per parameter: the value behind the choice (pesim_space_
 * choice_value) as log2 for the ordered numeric kinds (tile and spatial
 * factors, hardware values > 0: sizes and bandwidths span decades), the
 * number itself for the others (loop-order rank, spatial dim, bypass flag),
 * the choice index where there is no number (ORDER_POS, whose value depends
 * on the positions before it; string hardware values; synthetic spaces).
 * Tabulated once per (parameter, choice). */
typedef struct arco_features {
    int32_t n;                 /* parameters = features */
    int64_t *off;              /* n: the first entry of parameter i in val */
    double *val;               /* sum of n_choices */
} arco_features;

pesim_status arco_features_init(arco_features *f, const algo_space *sp, pesim_error *e);
void arco_features_free(arco_features *f);
/* row[0..n) = the features of candidate x. */
void arco_features_row(const arco_features *f, const int32_t *x, double *row);

/* The labels of measured samples for a surrogate that also learns where
 * designs fail (the AutoTVM-like model; ARCO with predictor=surrogate): a
 * valid sample is labelled y = asinh(objective); an invalid one (the worst
 * valid label so far) + penalty, as AutoTVM scores a failed build the worst.
 * Invalid samples measured before any valid one wait (pending) until
 * arco_labels_flush finds a valid label. */
typedef struct arco_labels {
    int32_t nf;                /* features per row */
    int have_valid;
    double worst;              /* worst valid label so far */
    int64_t n_pending;
    double *pending;           /* n_pending x nf: invalid rows not yet labelled */
} arco_labels;
void arco_labels_free(arco_labels *l);
/* Adds row f (nf features) to sur: labelled y when valid, else worst +
 * penalty, or kept pending while nothing valid is known. */
void arco_labels_add(arco_labels *l, pesim_surrogate *sur, const double *f, int valid, double y, double penalty);
/* Labels the pending rows (worst + penalty) once a valid label exists. */
void arco_labels_flush(arco_labels *l, pesim_surrogate *sur, double penalty);

/* What an ARCO run has done so far (arco_get_stats on the state of an
 * "arco" handle: pesim_algo_state). The surrogate's held-back error: each
 * valid measured sample predicted before the surrogate is told it. */
typedef struct arco_stats {
    int64_t proposed;          /* designs the agents proposed */
    int64_t measured;          /* designs asked to be measured (told back) */
    int64_t fits;              /* surrogate fits */
    int64_t updates;           /* actor-critic updates */
    int64_t holdout_n;         /* samples scored before they were learned */
    double holdout_sq;         /* sum of their squared errors (asinh(objective) units) */
} arco_stats;
const arco_stats *arco_get_stats(const void *state);
/* The shape of the agents (tests): parameters of agent g (0 hardware, 1
 * tiling, 2 schedule), the critic's input width, and the critic's baseline
 * for agent g on design x (the critic in view 1 + g: g's choices hidden). */
int32_t arco_agent_params(const void *state, int g);
int32_t arco_critic_inputs(const void *state);
double arco_baseline(void *state, const int32_t *x, int g);
/* The run's surrogate (tests: its feature count). */
const pesim_surrogate *arco_surrogate(const void *state);

#ifdef __cplusplus
}
#endif
#endif
