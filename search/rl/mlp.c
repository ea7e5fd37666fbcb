/* search/rl/mlp.c - multilayer perceptrons: n_hidden dense layers with an
 * activation, then one linear layer holding every head's logits and the
 * value outputs.
 *
 * Tensors, in parameter order: fc<l>.w (width_l x width_{l-1}), fc<l>.b
 * (1 x width_l) per hidden layer l, then out.w (out_dim x last width) and
 * out.b. Forward keeps the input and every hidden activation of the batch;
 * backward runs the layers in reverse with two scratch buffers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl_impl.h"

typedef struct mlp_state {
    int32_t n_layers;                       /* n_hidden + 1 */
    int32_t dim[PESIM_RL_MAX_HIDDEN + 2];   /* dim[0] = in, dim[l + 1] = width of layer l */
    int32_t tw[PESIM_RL_MAX_HIDDEN + 1], tb[PESIM_RL_MAX_HIDDEN + 1]; /* tensor indices */
    int32_t batch;
    int64_t cap_rows;                       /* rows the caches hold */
    double *a[PESIM_RL_MAX_HIDDEN + 1];     /* a[0]: input copy; a[l]: activation of hidden layer l-1 */
    double *d1, *d2;                        /* backward scratch, cap_rows x max dim */
    int32_t max_dim;
} mlp_state;

pesim_status rl_mlp_check(const pesim_rl_mlp_config *c, const char *file, pesim_error *e)
{
    if (c->in_dim < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "in_dim", "must be >= 1, got %d", (int)c->in_dim);
    if (c->n_hidden < 0 || c->n_hidden > PESIM_RL_MAX_HIDDEN)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "n_hidden", "must be in [0, %d], got %d",
                               PESIM_RL_MAX_HIDDEN, (int)c->n_hidden);
    for (int32_t l = 0; l < c->n_hidden; l++)
        if (c->hidden[l] < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "hidden", "layer %d has width %d (must be >= 1)",
                                   (int)l, (int)c->hidden[l]);
    if (c->act != PESIM_RL_TANH && c->act != PESIM_RL_RELU)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "act", "unknown activation %d", (int)c->act);
    if (c->n_heads < 0 || c->n_values < 0 || c->n_heads + c->n_values < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "heads",
                               "need at least one head or value output (heads %d, values %d)", (int)c->n_heads,
                               (int)c->n_values);
    if (c->n_heads > 0 && !c->head_sizes)
        return pesim_error_set(e, PESIM_ERR_INVALID, file, 0, "head_sizes", "missing for %d heads",
                               (int)c->n_heads);
    int64_t total = c->n_values;
    for (int32_t h = 0; h < c->n_heads; h++) {
        if (c->head_sizes[h] < 1)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "head_sizes", "head %d has %d actions (must be >= 1)",
                                   (int)h, (int)c->head_sizes[h]);
        total += c->head_sizes[h];
        if (total > INT32_MAX / 2)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "head_sizes", "too many outputs");
    }
    if (!(c->head_gain >= 0) || !isfinite(c->head_gain))
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "head_gain", "must be finite and >= 0, got %g",
                               c->head_gain);
    return PESIM_OK;
}

pesim_status rl_mlp_build(pesim_rl_net *n, pesim_error *e)
{
    const pesim_rl_mlp_config *c = &n->mlp;
    mlp_state *s = calloc(1, sizeof *s);
    if (!s)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    n->impl = s;
    pesim_status st = rl_net_set_layout(n, c->in_dim, c->n_heads, c->head_sizes, c->n_values, e);
    if (st != PESIM_OK)
        return st;
    s->n_layers = c->n_hidden + 1;
    s->dim[0] = c->in_dim;
    for (int32_t l = 0; l < c->n_hidden; l++)
        s->dim[l + 1] = c->hidden[l];
    s->dim[s->n_layers] = n->layout.out_dim;
    s->max_dim = 0;
    for (int32_t l = 0; l <= s->n_layers; l++)
        if (s->dim[l] > s->max_dim)
            s->max_dim = s->dim[l];
    for (int32_t l = 0; l < s->n_layers; l++) {
        char wn[RL_TENSOR_NAME_MAX], bn[RL_TENSOR_NAME_MAX];
        if (l < c->n_hidden) {
            snprintf(wn, sizeof wn, "fc%d.w", (int)l);
            snprintf(bn, sizeof bn, "fc%d.b", (int)l);
        } else {
            snprintf(wn, sizeof wn, "out.w");
            snprintf(bn, sizeof bn, "out.b");
        }
        s->tw[l] = rl_net_add_tensor(n, wn, s->dim[l + 1], s->dim[l]);
        s->tb[l] = rl_net_add_tensor(n, bn, 1, s->dim[l + 1]);
        if (s->tw[l] < 0 || s->tb[l] < 0)
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    return rl_net_finish_params(n, e);
}

void rl_mlp_init_weights(pesim_rl_net *n, gsl_rng *rng)
{
    mlp_state *s = n->impl;
    double g = n->mlp.act == PESIM_RL_RELU ? sqrt(2.0) : 1.0;
    double hg = n->mlp.head_gain > 0 ? n->mlp.head_gain : 0.01;
    for (int32_t l = 0; l < s->n_layers; l++) {
        double fan = 1.0 / sqrt((double)s->dim[l]);
        if (l < s->n_layers - 1) {
            rl_init_normal(n, s->tw[l], 0, s->dim[l + 1], g * fan, rng);
        } else {
            rl_init_normal(n, s->tw[l], 0, n->layout.n_logits, hg * fan, rng);
            rl_init_normal(n, s->tw[l], n->layout.n_logits, n->layout.out_dim, fan, rng);
        }
    }
}

void rl_mlp_free(pesim_rl_net *n)
{
    mlp_state *s = n->impl;
    if (!s)
        return;
    for (int32_t l = 0; l < PESIM_RL_MAX_HIDDEN + 1; l++)
        free(s->a[l]);
    free(s->d1);
    free(s->d2);
    free(s);
    n->impl = NULL;
}

/* Makes the caches hold `rows` rows. */
static int reserve(mlp_state *s, int32_t rows)
{
    if (rows <= s->cap_rows)
        return 1;
    int64_t cap = s->cap_rows > 0 ? s->cap_rows : 1;
    while (cap < rows)
        cap *= 2;
    for (int32_t l = 0; l < s->n_layers; l++) {
        double *p = realloc(s->a[l], (size_t)cap * (size_t)s->dim[l] * sizeof(double));
        if (!p)
            return 0;
        s->a[l] = p;
    }
    double *p1 = realloc(s->d1, (size_t)cap * (size_t)s->max_dim * sizeof(double));
    if (!p1)
        return 0;
    s->d1 = p1;
    double *p2 = realloc(s->d2, (size_t)cap * (size_t)s->max_dim * sizeof(double));
    if (!p2)
        return 0;
    s->d2 = p2;
    s->cap_rows = cap;
    return 1;
}

pesim_status rl_mlp_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out, pesim_error *e)
{
    mlp_state *s = n->impl;
    if (!reserve(s, batch))
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (batch %d)", (int)batch);
    s->batch = batch;
    if (batch == 0)
        return PESIM_OK;
    memcpy(s->a[0], x, (size_t)batch * (size_t)s->dim[0] * sizeof(double));
    for (int32_t l = 0; l < s->n_layers; l++) {
        const double *W = n->params + n->tensors[s->tw[l]].offset;
        const double *b = n->params + n->tensors[s->tb[l]].offset;
        int last = l == s->n_layers - 1;
        double *y = last ? out : s->a[l + 1];
        rl_linear_fwd(s->a[l], batch, s->dim[l], W, b, s->dim[l + 1], y);
        if (!last)
            rl_act_fwd(n->mlp.act, y, (int64_t)batch * s->dim[l + 1]);
    }
    return PESIM_OK;
}

pesim_status rl_mlp_backward(pesim_rl_net *n, const double *dout, pesim_error *e)
{
    (void)e;
    mlp_state *s = n->impl;
    int32_t B = s->batch;
    if (B == 0)
        return PESIM_OK;
    const double *d = dout;
    double *next = s->d1, *spare = s->d2;
    for (int32_t l = s->n_layers - 1; l >= 0; l--) {
        const double *W = n->params + n->tensors[s->tw[l]].offset;
        double *gW = n->grads + n->tensors[s->tw[l]].offset;
        double *gb = n->grads + n->tensors[s->tb[l]].offset;
        double *dx = l > 0 ? next : NULL;
        rl_linear_bwd(s->a[l], B, s->dim[l], W, s->dim[l + 1], d, gW, gb, dx);
        if (l > 0) {
            rl_act_bwd(n->mlp.act, s->a[l], dx, (int64_t)B * s->dim[l]);
            d = dx;
            double *t = next;
            next = spare;
            spare = t;
        }
    }
    return PESIM_OK;
}
