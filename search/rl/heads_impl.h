/* search/rl/heads_impl.h - per-head kernels shared by heads.c, loss.c and
 * the learners. Not a published API. */
#ifndef PESIM_SEARCH_RL_HEADS_IMPL_H
#define PESIM_SEARCH_RL_HEADS_IMPL_H

#include <stdint.h>

#include "pesim/rl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* log sum_j exp(z_j) over the allowed entries (m NULL: all); -INFINITY
 * when none is allowed (an inactive head). */
double rl_head_lse(const double *z, const uint8_t *m, int32_t n);
/* The entropy of the masked softmax whose log-sum-exp is lse. */
double rl_head_entropy(const double *z, const uint8_t *m, int32_t n, double lse);

#ifdef __cplusplus
}
#endif
#endif
