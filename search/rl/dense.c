/* search/rl/dense.c - the dense kernels of the RL core on OpenBLAS's CBLAS:
 * linear layers forward and backward, activations, and the one-BLAS-thread
 * rule. (GSL links its own reference CBLAS, libgslcblas, which defines the
 * same symbols; the build puts OpenBLAS first, and tests/rl_net_test.cc
 * checks that cblas_dgemm resolves to OpenBLAS.) */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "rl_impl.h"

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single_thread(void) { openblas_set_num_threads(1); }
void rl_blas_init(void) { pthread_once(&blas_once, blas_single_thread); }

int rl_grow(void **p, int64_t *cap, int64_t n, size_t sz)
{
    if (n <= *cap)
        return 1;
    int64_t c = *cap > 0 ? *cap : 16;
    while (c < n)
        c *= 2;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q)
        return 0;
    *p = q;
    *cap = c;
    return 1;
}

void rl_linear_fwd(const double *X, int32_t m, int32_t in, const double *W, const double *b, int32_t out,
                   double *Y)
{
    if (m <= 0 || out <= 0)
        return;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, out, in, 1.0, X, in, W, in, 0.0, Y, out);
    if (b)
        for (int32_t i = 0; i < m; i++)
            cblas_daxpy(out, 1.0, b, 1, Y + (int64_t)i * out, 1);
}

void rl_linear_bwd(const double *X, int32_t m, int32_t in, const double *W, int32_t out, const double *dY,
                   double *gW, double *gb, double *dX)
{
    if (m <= 0 || out <= 0)
        return;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, m, 1.0, dY, out, X, in, 1.0, gW, in);
    if (gb)
        for (int32_t i = 0; i < m; i++)
            cblas_daxpy(out, 1.0, dY + (int64_t)i * out, 1, gb, 1);
    if (dX)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, in, out, 1.0, dY, out, W, in, 0.0, dX, in);
}

void rl_act_fwd(pesim_rl_act a, double *h, int64_t n)
{
    if (a == PESIM_RL_TANH)
        for (int64_t i = 0; i < n; i++)
            h[i] = tanh(h[i]);
    else
        for (int64_t i = 0; i < n; i++)
            h[i] = h[i] > 0 ? h[i] : 0;
}

void rl_act_bwd(pesim_rl_act a, const double *h, double *d, int64_t n)
{
    if (a == PESIM_RL_TANH)
        for (int64_t i = 0; i < n; i++)
            d[i] *= 1 - h[i] * h[i];
    else
        for (int64_t i = 0; i < n; i++)
            if (!(h[i] > 0))
                d[i] = 0;
}

