/* search/rl/adam.c - Adam over a flat vector, global-norm gradient
 * clipping, and the learners' fused passes over flat vectors (clipping,
 * Adam and zeroing in one; Polyak averaging with a gradient norm; see
 * rl_impl.h).
 *
 * Step t (from 1): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * x -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr wd x. */
#include <math.h>
#include <stdlib.h>

#include "rl_impl.h"

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

/* One step's coefficients (the step count advanced). */
typedef struct adam_coef {
    double b1, b2, k1, k2;     /* beta1, beta2, 1 - beta1, 1 - beta2 */
    double c1, c2;             /* the bias corrections 1 / (1 - beta^t) */
    double lr, eps, wd;
} adam_coef;

static adam_coef adam_begin(pesim_rl_adam *a)
{
    a->t++;
    a->b1t *= a->b1;
    a->b2t *= a->b2;
    return (adam_coef){a->b1, a->b2, 1 - a->b1, 1 - a->b2, 1 / (1 - a->b1t), 1 / (1 - a->b2t), a->lr, a->eps, a->wd};
}

/* One element: its moments m, v and its value x, for the gradient g. */
static inline void adam_elem(const adam_coef *c, double *restrict m, double *restrict v, double *restrict x,
                             double g)
{
    *m = c->b1 * *m + c->k1 * g;
    *v = c->b2 * *v + c->k2 * g * g;
    *x -= c->lr * (*m * c->c1 / (sqrt(*v * c->c2) + c->eps) + c->wd * *x);
}

/* The loops are written for the vectoriser: the state in locals, the
 * arrays restrict (x and grad are the network's parameters and gradients,
 * never the optimiser's own moments), and this file is compiled with
 * -fno-math-errno (search/CMakeLists.txt) so that sqrt has no errno path;
 * every value is computed by the same operations in the same order as one
 * element at a time, so the results are the same bits. */
void pesim_rl_adam_step(pesim_rl_adam *a, double *restrict x, const double *restrict grad)
{
    const adam_coef c = adam_begin(a);
    double *restrict m = a->m, *restrict v = a->v;
    const int64_t n = a->n;
    for (int64_t i = 0; i < n; i++)
        adam_elem(&c, &m[i], &v[i], &x[i], grad[i]);
}

double rl_grad_norm(const double *g, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += g[i] * g[i];
    return sqrt(s);
}

/* The factor that brings a gradient of L2 norm `norm` to at most max_norm
 * (max_norm <= 0: none); 1 when it is within. */
static double clip_factor(double norm, double max_norm)
{
    return max_norm > 0 && norm > max_norm ? max_norm / norm : 1;
}

double pesim_rl_clip_grad_norm(double *g, int64_t n, double max_norm)
{
    double norm = rl_grad_norm(g, n), k = clip_factor(norm, max_norm);
    if (k != 1)
        for (int64_t i = 0; i < n; i++)
            g[i] *= k;
    return norm;
}

/* As pesim_rl_adam_step on the clipped gradient: k = 1 is exact
 * (g * 1 == g), and grad[i] * k in a register is the value that
 * pesim_rl_clip_grad_norm's `g[i] *= k` stores. The sum of squares of
 * `next` is rl_grad_norm's, in the same order: its serial chain of adds
 * (latency-bound) overlaps Adam's work in the first loop. */
double rl_adam_step_clear(pesim_rl_adam *a, double *restrict x, double *restrict grad, double norm, double max_norm,
                          const double *restrict next, int64_t n_next)
{
    const double k = clip_factor(norm, max_norm);
    const adam_coef c = adam_begin(a);
    double *restrict m = a->m, *restrict v = a->v;
    const int64_t n = a->n, nf = next ? (n < n_next ? n : n_next) : 0;
    double s = 0;
    for (int64_t i = 0; i < nf; i++) {
        s += next[i] * next[i];
        const double g = grad[i] * k;
        grad[i] = 0;
        adam_elem(&c, &m[i], &v[i], &x[i], g);
    }
    for (int64_t i = nf; i < n; i++) {
        const double g = grad[i] * k;
        grad[i] = 0;
        adam_elem(&c, &m[i], &v[i], &x[i], g);
    }
    if (!next)
        return 0;
    for (int64_t i = nf; i < n_next; i++)
        s += next[i] * next[i];
    return sqrt(s);
}

double pesim_rl_net_adam_step(pesim_rl_net *net, pesim_rl_adam *a, double max_norm)
{
    const double norm = rl_grad_norm(net->grads, net->n_params);
    rl_adam_step_clear(a, net->params, net->grads, norm, max_norm, NULL, 0);
    return norm;
}

double rl_polyak_norm(double *dst, const double *src, int64_t n, double tau, const double *g, int64_t n_g)
{
    const double u = 1 - tau;
    const int64_t nf = g ? (n < n_g ? n : n_g) : 0;
    double s = 0;
    for (int64_t i = 0; i < nf; i++) {
        s += g[i] * g[i];
        dst[i] = tau * src[i] + u * dst[i];
    }
    for (int64_t i = nf; i < n; i++)
        dst[i] = tau * src[i] + u * dst[i];
    if (!g)
        return 0;
    for (int64_t i = nf; i < n_g; i++)
        s += g[i] * g[i];
    return sqrt(s);
}
