/* search/rl/net.c - what every network of the RL core shares: the flat
 * parameter array and its tensors, the head layout, creation, cloning,
 * forward/backward dispatch, and the parameter-vector operations (get/set,
 * Polyak, perturbation) evolution uses. The dense kernels are in dense.c
 * (cblas.h and GSL's headers declare the same CBLAS enums: a file includes
 * one or the other). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "rl_impl.h"

/* ------------------------------------------------------ building a net */

static pesim_rl_net *net_alloc(pesim_rl_net_kind kind)
{
    rl_blas_init();
    pesim_rl_net *n = calloc(1, sizeof *n);
    if (n)
        n->kind = kind;
    return n;
}

int32_t rl_net_add_tensor(pesim_rl_net *n, const char *name, int32_t rows, int32_t cols)
{
    if (n->n_tensors == n->cap_tensors) {
        int32_t c = n->cap_tensors ? 2 * n->cap_tensors : 16;
        rl_tensor_slot *t = realloc(n->tensors, (size_t)c * sizeof *t);
        if (!t)
            return -1;
        n->tensors = t;
        n->cap_tensors = c;
    }
    rl_tensor_slot *t = &n->tensors[n->n_tensors];
    memset(t, 0, sizeof *t);
    strncpy(t->name, name, RL_TENSOR_NAME_MAX - 1);
    t->rows = rows;
    t->cols = cols;
    t->offset = n->n_params;
    n->n_params += (int64_t)rows * cols;
    return n->n_tensors++;
}

pesim_status rl_net_finish_params(pesim_rl_net *n, pesim_error *e)
{
    size_t sz = (size_t)(n->n_params > 0 ? n->n_params : 1) * sizeof(double);
    n->params = calloc(1, sz);
    n->grads = calloc(1, sz);
    if (!n->params || !n->grads)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (%lld parameters)",
                               (long long)n->n_params);
    return PESIM_OK;
}

pesim_status rl_net_set_layout(pesim_rl_net *n, int32_t in_dim, int32_t n_heads, const int32_t *sizes,
                               int32_t n_values, pesim_error *e)
{
    int32_t *hs = malloc((size_t)(n_heads > 0 ? n_heads : 1) * sizeof *hs);
    int32_t *ho = malloc((size_t)(n_heads > 0 ? n_heads : 1) * sizeof *ho);
    if (!hs || !ho) {
        free(hs);
        free(ho);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (%d heads)", (int)n_heads);
    }
    int32_t off = 0;
    for (int32_t h = 0; h < n_heads; h++) {
        hs[h] = sizes[h];
        ho[h] = off;
        off += sizes[h];
    }
    free(n->head_size);
    free(n->head_offset);
    n->head_size = hs;
    n->head_offset = ho;
    n->layout.in_dim = in_dim;
    n->layout.n_heads = n_heads;
    n->layout.head_size = hs;
    n->layout.head_offset = ho;
    n->layout.n_logits = off;
    n->layout.n_values = n_values;
    n->layout.out_dim = off + n_values;
    return PESIM_OK;
}

void rl_init_normal(pesim_rl_net *n, int32_t tensor, int32_t r0, int32_t r1, double scale, gsl_rng *rng)
{
    const rl_tensor_slot *t = &n->tensors[tensor];
    double *p = n->params + t->offset;
    for (int64_t i = (int64_t)r0 * t->cols; i < (int64_t)r1 * t->cols; i++)
        p[i] = scale == 0 ? 0 : gsl_ran_gaussian(rng, scale);
}

int32_t rl_net_find_tensor(const pesim_rl_net *n, const char *name)
{
    for (int32_t i = 0; i < n->n_tensors; i++)
        if (strcmp(n->tensors[i].name, name) == 0)
            return i;
    return -1;
}

static void net_free(pesim_rl_net *n)
{
    if (n->kind == PESIM_RL_MLP)
        rl_mlp_free(n);
    else
        rl_gnn_free(n);
    free(n->params);
    free(n->grads);
    free(n->tensors);
    free(n->head_size);
    free(n->head_offset);
    free(n->mlp_heads);
    free(n);
}

void pesim_rl_net_destroy(pesim_rl_net *n)
{
    if (n)
        net_free(n);
}

pesim_status rl_net_build(pesim_rl_net_kind kind, const pesim_rl_mlp_config *mc, const pesim_rl_gnn_config *gc,
                          const char *file, pesim_rl_net **out, pesim_error *e)
{
    *out = NULL;
    pesim_status st = kind == PESIM_RL_MLP ? rl_mlp_check(mc, file, e) : rl_gnn_check(gc, file, e);
    if (st != PESIM_OK)
        return st;
    pesim_rl_net *n = net_alloc(kind);
    if (!n)
        return pesim_error_set(e, PESIM_ERR_NOMEM, file, 0, NULL, "out of memory");
    if (kind == PESIM_RL_MLP) {
        n->mlp = *mc;
        n->mlp_heads = malloc((size_t)(mc->n_heads > 0 ? mc->n_heads : 1) * sizeof(int32_t));
        if (!n->mlp_heads) {
            net_free(n);
            return pesim_error_set(e, PESIM_ERR_NOMEM, file, 0, NULL, "out of memory");
        }
        if (mc->n_heads > 0)
            memcpy(n->mlp_heads, mc->head_sizes, (size_t)mc->n_heads * sizeof(int32_t));
        n->mlp.head_sizes = n->mlp_heads;
        st = rl_mlp_build(n, e);
    } else {
        n->gnn = *gc;
        st = rl_gnn_build(n, e);
    }
    if (st != PESIM_OK) {
        net_free(n);
        return st;
    }
    *out = n;
    return PESIM_OK;
}

pesim_status pesim_rl_mlp_create(const pesim_rl_mlp_config *cfg, gsl_rng *rng, pesim_rl_net **out,
                                 pesim_error *e)
{
    pesim_status st = rl_net_build(PESIM_RL_MLP, cfg, NULL, NULL, out, e);
    if (st == PESIM_OK)
        rl_mlp_init_weights(*out, rng);
    return st;
}

pesim_status pesim_rl_gnn_create(const pesim_rl_gnn_config *cfg, gsl_rng *rng, pesim_rl_net **out,
                                 pesim_error *e)
{
    pesim_status st = rl_net_build(PESIM_RL_GNN, NULL, cfg, NULL, out, e);
    if (st == PESIM_OK)
        rl_gnn_init_weights(*out, rng);
    return st;
}

pesim_status pesim_rl_net_clone(const pesim_rl_net *src, pesim_rl_net **out, pesim_error *e)
{
    pesim_rl_net *n;
    pesim_status st = rl_net_build(src->kind, &src->mlp, &src->gnn, NULL, &n, e);
    if (st == PESIM_OK && src->kind == PESIM_RL_GNN)
        st = rl_gnn_copy_graph(n, src, e);
    if (st != PESIM_OK) {
        pesim_rl_net_destroy(n);
        *out = NULL;
        return st;
    }
    memcpy(n->params, src->params, (size_t)src->n_params * sizeof(double));
    memcpy(n->grads, src->grads, (size_t)src->n_params * sizeof(double));
    *out = n;
    return PESIM_OK;
}

pesim_rl_net_kind pesim_rl_net_kind_of(const pesim_rl_net *n) { return n->kind; }

const pesim_rl_mlp_config *pesim_rl_net_mlp_config(const pesim_rl_net *n)
{
    return n->kind == PESIM_RL_MLP ? &n->mlp : NULL;
}

const pesim_rl_gnn_config *pesim_rl_net_gnn_config(const pesim_rl_net *n)
{
    return n->kind == PESIM_RL_GNN ? &n->gnn : NULL;
}

const pesim_rl_layout *pesim_rl_net_layout(const pesim_rl_net *n) { return &n->layout; }

pesim_status pesim_rl_net_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out, pesim_error *e)
{
    if (batch < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "batch", "negative batch size %d", (int)batch);
    return n->kind == PESIM_RL_MLP ? rl_mlp_forward(n, x, batch, out, e) : rl_gnn_forward(n, x, batch, out, e);
}

pesim_status pesim_rl_net_backward(pesim_rl_net *n, const double *dout, pesim_error *e)
{
    return n->kind == PESIM_RL_MLP ? rl_mlp_backward(n, dout, e) : rl_gnn_backward(n, dout, e);
}

void pesim_rl_net_zero_grad(pesim_rl_net *n) { memset(n->grads, 0, (size_t)n->n_params * sizeof(double)); }

/* ------------------------------------------------ parameters as vectors */

int64_t pesim_rl_net_n_params(const pesim_rl_net *n) { return n->n_params; }
double *pesim_rl_net_params(pesim_rl_net *n) { return n->params; }
double *pesim_rl_net_grads(pesim_rl_net *n) { return n->grads; }

void pesim_rl_net_get_params(const pesim_rl_net *n, double *dst)
{
    memcpy(dst, n->params, (size_t)n->n_params * sizeof(double));
}

void pesim_rl_net_set_params(pesim_rl_net *n, const double *src)
{
    memcpy(n->params, src, (size_t)n->n_params * sizeof(double));
}

int32_t pesim_rl_net_n_tensors(const pesim_rl_net *n) { return n->n_tensors; }

pesim_rl_tensor pesim_rl_net_tensor(const pesim_rl_net *n, int32_t i)
{
    pesim_rl_tensor t = {NULL, 0, 0, 0};
    if (i >= 0 && i < n->n_tensors) {
        t.name = n->tensors[i].name;
        t.rows = n->tensors[i].rows;
        t.cols = n->tensors[i].cols;
        t.offset = n->tensors[i].offset;
    }
    return t;
}

/* Same kind and the same tensors (names and shapes). */
static pesim_status same_arch(const pesim_rl_net *a, const pesim_rl_net *b, pesim_error *e)
{
    if (a->kind != b->kind || a->n_tensors != b->n_tensors || a->n_params != b->n_params)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "params",
                               "the networks differ in architecture (%lld and %lld parameters)",
                               (long long)a->n_params, (long long)b->n_params);
    for (int32_t i = 0; i < a->n_tensors; i++)
        if (a->tensors[i].rows != b->tensors[i].rows || a->tensors[i].cols != b->tensors[i].cols ||
            strcmp(a->tensors[i].name, b->tensors[i].name) != 0)
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, a->tensors[i].name,
                                   "the networks differ in architecture (%s: %dx%d and %s: %dx%d)",
                                   a->tensors[i].name, (int)a->tensors[i].rows, (int)a->tensors[i].cols,
                                   b->tensors[i].name, (int)b->tensors[i].rows, (int)b->tensors[i].cols);
    return PESIM_OK;
}

pesim_status pesim_rl_net_copy_params(pesim_rl_net *dst, const pesim_rl_net *src, pesim_error *e)
{
    pesim_status st = same_arch(dst, src, e);
    if (st == PESIM_OK)
        memcpy(dst->params, src->params, (size_t)src->n_params * sizeof(double));
    return st;
}

pesim_status rl_net_polyak_norm(pesim_rl_net *dst, const pesim_rl_net *src, double tau, const double *g,
                                int64_t n_g, double *norm, pesim_error *e)
{
    if (!(tau >= 0 && tau <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "tau", "must be in [0, 1], got %g", tau);
    pesim_status st = same_arch(dst, src, e);
    if (st != PESIM_OK)
        return st;
    /* the arrays as arguments (locals), so that the loop vectorises
     * (-fno-strict-aliasing: a store through dst->params could otherwise
     * change dst itself); each element is the same operations as one at a
     * time, so the same bits */
    double r = rl_polyak_norm(dst->params, src->params, dst->n_params, tau, g, n_g);
    if (g)
        *norm = r;
    return PESIM_OK;
}

pesim_status pesim_rl_net_polyak(pesim_rl_net *dst, const pesim_rl_net *src, double tau, pesim_error *e)
{
    return rl_net_polyak_norm(dst, src, tau, NULL, 0, NULL, e);
}

/* The entries changed are independent Bernoulli(fraction) draws, so the
 * runs of unchanged entries between them are geometric: P(run >= k) =
 * (1 - fraction)^k = P(u <= (1 - fraction)^k) for u uniform in (0, 1), i.e.
 * run = floor(log u / log(1 - fraction)). One uniform per changed entry picks
 * them, not one per entry (a GNN's mutation touches a few percent of its
 * 200,000 weights). */
int64_t pesim_rl_perturb(double *x, int64_t n, gsl_rng *rng, double fraction, double sigma, int relative)
{
    if (!(fraction > 0))
        return 0;
    const double log_keep = fraction < 1 ? log1p(-fraction) : 0; /* < 0 */
    int64_t changed = 0;
    for (int64_t i = 0; i < n; i++) {
        if (fraction < 1) {
            double run = floor(log(gsl_rng_uniform_pos(rng)) / log_keep);
            if (run >= (double)(n - i))
                break;
            i += (int64_t)run;
        }
        double s = relative ? sigma * fabs(x[i]) : sigma;
        x[i] += gsl_ran_gaussian(rng, 1.0) * s;
        changed++;
    }
    return changed;
}
