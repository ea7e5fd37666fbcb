/* search/rl/rl_impl.h - the private side of pesim/rl.h: the network object
 * shared by net.c (parameters, layout, acting), mlp.c, gnn.c and netio.c.
 * Not a published API. */
#ifndef PESIM_SEARCH_RL_IMPL_H
#define PESIM_SEARCH_RL_IMPL_H

#include <stdint.h>

#include "pesim/rl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RL_TENSOR_NAME_MAX 24

typedef struct rl_tensor_slot {
    char name[RL_TENSOR_NAME_MAX];
    int32_t rows, cols;
    int64_t offset;
} rl_tensor_slot;

struct pesim_rl_net {
    pesim_rl_net_kind kind;
    pesim_rl_layout layout;       /* head_size/head_offset point at the arrays below */
    int32_t *head_size, *head_offset;
    int64_t n_params;
    double *params, *grads;
    int32_t n_tensors, cap_tensors;
    rl_tensor_slot *tensors;
    pesim_rl_mlp_config mlp;      /* kind == PESIM_RL_MLP; mlp.head_sizes = mlp_heads */
    int32_t *mlp_heads;
    pesim_rl_gnn_config gnn;      /* kind == PESIM_RL_GNN */
    void *impl;                   /* mlp_state / gnn_state: caches, graph */
};

/* ------------------------------------------------ net.c (shared helpers) */

/* A net of `kind` built from its config (checked; errors name `file`
 * when not NULL): layout, tensors, zeroed parameters, no weights drawn. */
pesim_status rl_net_build(pesim_rl_net_kind kind, const pesim_rl_mlp_config *mc, const pesim_rl_gnn_config *gc,
                          const char *file, pesim_rl_net **out, pesim_error *e);
/* Appends a tensor of rows x cols to the parameter layout (before
 * rl_net_finish_params); returns its index or -1 on out of memory. */
int32_t rl_net_add_tensor(pesim_rl_net *n, const char *name, int32_t rows, int32_t cols);
/* Allocates params and grads (zeroed) for the tensors added. */
pesim_status rl_net_finish_params(pesim_rl_net *n, pesim_error *e);
/* Sets the head layout: n_heads heads of the given sizes, then n_values. */
pesim_status rl_net_set_layout(pesim_rl_net *n, int32_t in_dim, int32_t n_heads, const int32_t *sizes,
                               int32_t n_values, pesim_error *e);
/* Fills a tensor with N(0, scale^2) (rows [r0, r1) only). */
void rl_init_normal(pesim_rl_net *n, int32_t tensor, int32_t r0, int32_t r1, double scale, gsl_rng *rng);
/* The first tensor named `name`, or -1. */
int32_t rl_net_find_tensor(const pesim_rl_net *n, const char *name);
/* Makes OpenBLAS single-threaded (once per process). */
void rl_blas_init(void);
/* Grows a malloc'ed buffer to at least n elements of size sz. */
int rl_grow(void **p, int64_t *cap, int64_t n, size_t sz);

/* Dense helpers on row-major matrices (cblas). */
/* Y[m x out] = X[m x in] W^T (W: out x in) + b (b may be NULL). */
void rl_linear_fwd(const double *X, int32_t m, int32_t in, const double *W, const double *b, int32_t out,
                   double *Y);
/* gW += dY^T X, gb += colsum(dY) (gb may be NULL), dX = dY W (dX may be NULL). */
void rl_linear_bwd(const double *X, int32_t m, int32_t in, const double *W, int32_t out, const double *dY,
                   double *gW, double *gb, double *dX);
/* Activation in place, and its derivative from the activated values:
 * d[i] *= act'(h[i]). */
void rl_act_fwd(pesim_rl_act a, double *h, int64_t n);
void rl_act_bwd(pesim_rl_act a, const double *h, double *d, int64_t n);

/* ------------------------------------------------------------ adam.c */

/* The L2 norm of g[0..n), summed in index order (the order fixes the bits;
 * pesim_rl_clip_grad_norm's norm). */
double rl_grad_norm(const double *g, int64_t n);
/* One learner step on a gradient `grad` of the optimiser's n values whose
 * L2 norm is `norm` (rl_grad_norm): global-norm clipping to max_norm
 * (<= 0: none), then an Adam step on x, in one pass that also zeroes grad
 * (the next backward then accumulates from zero without
 * pesim_rl_net_zero_grad). In the same pass, the L2 norm of next[0..n_next)
 * (another network's gradient, stepped next), returned (0 when next is
 * NULL): rl_grad_norm's value. x, grad and next must not overlap. x, the
 * optimiser's state and the norm returned are the same bits as
 * pesim_rl_clip_grad_norm then pesim_rl_adam_step, and rl_grad_norm. */
double rl_adam_step_clear(pesim_rl_adam *a, double *x, double *grad, double norm, double max_norm,
                          const double *next, int64_t n_next);

/* Polyak averaging dst = tau src + (1 - tau) dst over n values (dst ==
 * src allowed), and in the same pass the L2 norm of g[0..n_g) (a gradient,
 * not overlapping dst), returned (0 when g is NULL): rl_grad_norm's value,
 * summed in the same order, its serial adds overlapping the averaging. */
double rl_polyak_norm(double *dst, const double *src, int64_t n, double tau, const double *g, int64_t n_g);
/* net.c: pesim_rl_net_polyak (its checks and errors) with rl_polyak_norm's
 * norm of g[0..n_g) in *norm (when g is not NULL). */
pesim_status rl_net_polyak_norm(pesim_rl_net *dst, const pesim_rl_net *src, double tau, const double *g,
                                int64_t n_g, double *norm, pesim_error *e);

/* ------------------------------------------------------ per-kind hooks */
pesim_status rl_mlp_build(pesim_rl_net *n, pesim_error *e);           /* tensors + state from n->mlp */
pesim_status rl_mlp_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out, pesim_error *e);
pesim_status rl_mlp_backward(pesim_rl_net *n, const double *dout, pesim_error *e);
void rl_mlp_init_weights(pesim_rl_net *n, gsl_rng *rng);
void rl_mlp_free(pesim_rl_net *n);

pesim_status rl_gnn_build(pesim_rl_net *n, pesim_error *e);
pesim_status rl_gnn_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out, pesim_error *e);
pesim_status rl_gnn_backward(pesim_rl_net *n, const double *dout, pesim_error *e);
void rl_gnn_init_weights(pesim_rl_net *n, gsl_rng *rng);
void rl_gnn_free(pesim_rl_net *n);
/* 1 if two GNNs work on the same graph (same normalised adjacency). */
int rl_gnn_same_graph(const pesim_rl_net *a, const pesim_rl_net *b);
/* Copies the graph of src into dst (both GNNs). */
pesim_status rl_gnn_copy_graph(pesim_rl_net *dst, const pesim_rl_net *src, pesim_error *e);

/* Config checks shared by create and load. */
pesim_status rl_mlp_check(const pesim_rl_mlp_config *c, const char *file, pesim_error *e);
pesim_status rl_gnn_check(const pesim_rl_gnn_config *c, const char *file, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
