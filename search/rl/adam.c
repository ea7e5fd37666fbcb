/* search/rl/adam.c - Adam over a flat vector, and global-norm gradient
 * clipping.
 *
 * Step t (from 1): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * x -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr wd x. */
#include <math.h>
#include <stdlib.h>

#include "pesim/rl.h"

struct pesim_rl_adam {
    int64_t n;
    double lr, b1, b2, eps, wd;
    double *m, *v;
    int64_t t;
    double b1t, b2t;           /* b1^t, b2^t */
};

pesim_status pesim_rl_adam_create(int64_t n, const pesim_rl_adam_config *cfg, pesim_rl_adam **out,
                                  pesim_error *e)
{
    *out = NULL;
    pesim_rl_adam_config c = {0, 0, 0, 0, 0};
    if (cfg)
        c = *cfg;
    if (n < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "n", "negative size %lld", (long long)n);
    if (c.lr < 0 || c.beta1 < 0 || c.beta1 >= 1 || c.beta2 < 0 || c.beta2 >= 1 || c.eps < 0 ||
        c.weight_decay < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "adam",
                               "lr, eps, weight_decay must be >= 0 and betas in [0, 1)");
    pesim_rl_adam *a = calloc(1, sizeof *a);
    if (!a)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    a->n = n;
    a->lr = c.lr > 0 ? c.lr : 3e-4;
    a->b1 = c.beta1 > 0 ? c.beta1 : 0.9;
    a->b2 = c.beta2 > 0 ? c.beta2 : 0.999;
    a->eps = c.eps > 0 ? c.eps : 1e-8;
    a->wd = c.weight_decay;
    a->m = calloc((size_t)(n > 0 ? n : 1), sizeof *a->m);
    a->v = calloc((size_t)(n > 0 ? n : 1), sizeof *a->v);
    if (!a->m || !a->v) {
        pesim_rl_adam_destroy(a);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (%lld values)", (long long)n);
    }
    pesim_rl_adam_reset(a);
    *out = a;
    return PESIM_OK;
}

void pesim_rl_adam_destroy(pesim_rl_adam *a)
{
    if (!a)
        return;
    free(a->m);
    free(a->v);
    free(a);
}

void pesim_rl_adam_reset(pesim_rl_adam *a)
{
    for (int64_t i = 0; i < a->n; i++)
        a->m[i] = a->v[i] = 0;
    a->t = 0;
    a->b1t = a->b2t = 1;
}

void pesim_rl_adam_set_lr(pesim_rl_adam *a, double lr) { a->lr = lr; }

/* The loop is written for the vectoriser: the state in locals, the arrays
 * restrict (x and grad are the network's parameters and gradients, never
 * the optimiser's own moments), and this file is compiled with
 * -fno-math-errno (search/CMakeLists.txt) so that sqrt has no errno path;
 * every value is computed by the same operations in the same order as one
 * element at a time, so the results are the same bits. */
void pesim_rl_adam_step(pesim_rl_adam *a, double *restrict x, const double *restrict grad)
{
    a->t++;
    a->b1t *= a->b1;
    a->b2t *= a->b2;
    const double c1 = 1 / (1 - a->b1t), c2 = 1 / (1 - a->b2t);
    const double b1 = a->b1, b2 = a->b2, k1 = 1 - a->b1, k2 = 1 - a->b2, lr = a->lr, eps = a->eps, wd = a->wd;
    double *restrict m = a->m, *restrict v = a->v;
    const int64_t n = a->n;
    for (int64_t i = 0; i < n; i++) {
        const double g = grad[i];
        m[i] = b1 * m[i] + k1 * g;
        v[i] = b2 * v[i] + k2 * g * g;
        x[i] -= lr * (m[i] * c1 / (sqrt(v[i] * c2) + eps) + wd * x[i]);
    }
}

double pesim_rl_clip_grad_norm(double *g, int64_t n, double max_norm)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += g[i] * g[i];
    double norm = sqrt(s);
    if (max_norm > 0 && norm > max_norm) {
        double k = max_norm / norm;
        for (int64_t i = 0; i < n; i++)
            g[i] *= k;
    }
    return norm;
}
