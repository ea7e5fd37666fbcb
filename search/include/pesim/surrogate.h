/* pesim/surrogate.h - a learned cost model with uncertainty: an ensemble of
 * gradient-boosted tree regressors (XGBoost's C API) fit on (features,
 * value) samples, predicting a mean and a spread (docs/arco.md).
 *
 * Uncertainty. Member m of the ensemble is trained on a bootstrap resample
 * of the samples (multinomial counts drawn from the handle's gsl_rng, given
 * to XGBoost as instance weights) with its own column subsample
 * (colsample_bytree) and seed, so members agree where the data pin the
 * function down and disagree away from it. mean = the members' mean, std =
 * their standard deviation (0 with one member).
 *
 * Determinism. XGBoost runs single-threaded (nthread = 1) with the exact
 * tree method, and every seed comes from the handle's rng: the same samples,
 * options and seed give bitwise the same predictions. The handle never
 * prints (XGBoost's verbosity is 0) and never exits; XGBoost's errors come
 * back as PESIM_ERR_INVALID with XGBoost's message.
 *
 * Models round-trip: pesim_surrogate_save gives a byte buffer (every
 * member's model in XGBoost's UBJSON, the samples and the rng state) from
 * which pesim_surrogate_load makes a handle that predicts the same numbers
 * and refits the same way. */
#ifndef PESIM_SURROGATE_H
#define PESIM_SURROGATE_H

#include <stddef.h>
#include <stdint.h>

#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_surrogate pesim_surrogate; /* opaque */

typedef struct pesim_surrogate_options {
    int32_t members;          /* ensemble size, >= 1 (0 means 5) */
    int32_t rounds;           /* boosting rounds per member (0 means 60) */
    int32_t max_depth;        /* tree depth (0 means 4) */
    double eta;               /* learning rate (0 means 0.15) */
    double colsample;         /* share of features per tree, (0, 1] (0 means 0.8) */
    int bootstrap;            /* 1: bootstrap resample per member (the default, set by ..._default) */
    uint64_t seed;
} pesim_surrogate_options;
void pesim_surrogate_options_default(pesim_surrogate_options *o);

/* A surrogate over n_features features (>= 1). PESIM_ERR_RANGE for a bad
 * option (naming it). */
pesim_status pesim_surrogate_create(int32_t n_features, const pesim_surrogate_options *o, pesim_surrogate **out,
                                    pesim_error *e);
void pesim_surrogate_destroy(pesim_surrogate *s); /* NULL is a no-op */
int32_t pesim_surrogate_n_features(const pesim_surrogate *s);

/* Adds n samples (x: n x n_features, y: n; all finite, else PESIM_ERR_RANGE
 * and nothing added). They are used by the next fit. */
pesim_status pesim_surrogate_add(pesim_surrogate *s, const double *x, const double *y, int32_t n, pesim_error *e);
int64_t pesim_surrogate_n_samples(const pesim_surrogate *s);
/* Refits every member on all samples so far (from scratch). With no sample
 * it is PESIM_ERR_INVALID. */
pesim_status pesim_surrogate_fit(pesim_surrogate *s, pesim_error *e);
int pesim_surrogate_fitted(const pesim_surrogate *s);
/* mean[i], std[i] (std may be NULL) for the rows of x (n x n_features).
 * PESIM_ERR_INVALID before the first fit. */
pesim_status pesim_surrogate_predict(pesim_surrogate *s, const double *x, int32_t n, double *mean, double *std,
                                     pesim_error *e);
/* Root-mean-square error of the mean prediction on (x, y), n >= 1. */
pesim_status pesim_surrogate_rmse(pesim_surrogate *s, const double *x, const double *y, int32_t n, double *rmse,
                                  pesim_error *e);

/* The whole handle as bytes (malloc'ed into *buf; free it), and back. */
pesim_status pesim_surrogate_save(const pesim_surrogate *s, unsigned char **buf, size_t *len, pesim_error *e);
pesim_status pesim_surrogate_load(const unsigned char *buf, size_t len, pesim_surrogate **out, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
