/* search/rl/gnn.c - a Graph U-Net (Gao & Ji, ICML 2019) with a categorical
 * head per decision per node.
 *
 * With n_0 the graph's nodes, h the hidden width and D the depth:
 *   down_0:  H_0 = act(A_0 X W_0^T + b_0)                    (X: n_0 x features)
 *   for l = 1..D (pooling):
 *     s = H_{l-1} p_l / |p_l|, keep the k_l = ceil(ratio n_{l-1}) nodes of
 *     largest s (ties: lower index), in index order: idx_l;
 *     Xt_l = H_{l-1}[idx_l] * tanh(s[idx_l])                 (row gates)
 *     A_l  = the kept nodes, joined when within two hops in A_{l-1}
 *     H_l  = act(A_l Xt_l W_l^T + b_l)
 *   x = H_D; for l = D-1..0 (unpooling):
 *     U_l = H_l + scatter(x to the rows idx_{l+1})           (skip connection)
 *     x = act(A_l U_l V_l^T + c_l)
 *   logits of node i = head.w x_i + head.b   (every decision's actions)
 *   values = value.w mean_i(x_i) + value.b
 * where each A is normalised with doubled self loops, D^-1/2 (A + 2I) D^-1/2
 * (D the degrees of A + 2I), kept in CSR, and each convolution may add a
 * root term H R^T (root_weight: a node's own features weighed apart from
 * its neighbours') (sparse: networks have up to a few hundred nodes). The top-k
 * selection is piecewise constant: gradients flow through the gates and the
 * kept rows, as in the paper.
 *
 * Tensors: down0.w (h x features), [down0.r], down0.b; per level l = 1..D:
 * pool<l>.p (1 x h), down<l>.w (h x h), [down<l>.r], down<l>.b; per
 * l = 0..D-1: up<l>.w, [up<l>.r], up<l>.b; head.w (per-node logits x h),
 * head.b; value.w (n_values x h), value.b. ([.r]: with a root weight.)
 *
 * A batch row is one graph's node features. Each distinct row is computed
 * once (consecutive equal rows share a forward; backward sums their output
 * gradients, which is exact because backward is linear in them) and keeps
 * its own cache: about 6 n_0 h doubles per distinct row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "rl_impl.h"

#define GNN_MAX_DEPTH 8
/* The weight of a node's own features in a convolution: A + 2I, the
 * "improved" GCN that Graph U-Net implementations use, so that a node's
 * embedding keeps more of itself against its neighbours. */
#define GNN_SELF_WEIGHT 2.0

typedef struct rl_csr {
    int32_t n;                 /* rows */
    int32_t *ptr;              /* n + 1 */
    int32_t *col;              /* nnz */
    double *val;               /* nnz */
    int64_t cap;               /* entries col/val hold */
} rl_csr;

typedef struct gnn_sample {
    int sized;                 /* buffers sized for the current graph */
    double *x0;                /* n_0 x features */
    double *hd[GNN_MAX_DEPTH + 1];  /* down outputs, n_l x h */
    double *xt[GNN_MAX_DEPTH + 1];  /* gated pooled rows (l >= 1), n_l x h */
    double *score[GNN_MAX_DEPTH + 1]; /* l >= 1: n_{l-1} scores */
    double *gate[GNN_MAX_DEPTH + 1];  /* l >= 1: n_l */
    int32_t *idx[GNN_MAX_DEPTH + 1];  /* l >= 1: n_l indices into level l-1 */
    rl_csr adj[GNN_MAX_DEPTH + 1];    /* l >= 1 (level 0 is the state's) */
    double *u[GNN_MAX_DEPTH];         /* up inputs, n_l x h */
    double *hu[GNN_MAX_DEPTH];        /* up outputs, n_l x h */
    double *mean;                     /* h */
} gnn_sample;

/* A convolution's tensors (r = -1 without a root weight). */
typedef struct gnn_conv {
    int32_t w, r, b;
} gnn_conv;

typedef struct gnn_state {
    int has_graph;
    int32_t n_at[GNN_MAX_DEPTH + 1];  /* nodes per level */
    rl_csr adj0;
    int32_t per_node;                 /* logits per node */
    gnn_conv down[GNN_MAX_DEPTH + 1], up[GNN_MAX_DEPTH];
    int32_t t_p[GNN_MAX_DEPTH + 1];
    int32_t t_hw, t_hb, t_vw, t_vb;   /* -1 when absent */
    gnn_sample *samples;
    int32_t cap_samples, n_samples;
    int32_t *row_of;                  /* batch: which sample each row is */
    int64_t cap_rows;
    int32_t batch;
    /* scratch, sized for the graph */
    double *t, *ba, *bb, *du, *dxt, *dsum;
    double *dhd[GNN_MAX_DEPTH + 1];
    int32_t *pos, *stamp;
    struct scored { double s; int32_t i; } *order;
} gnn_state;

/* ------------------------------------------------------------- config */

void pesim_rl_gnn_config_default(pesim_rl_gnn_config *c)
{
    memset(c, 0, sizeof *c);
    c->hidden = 128;
    c->depth = 3;
    c->ratio = 0.5;
    c->act = PESIM_RL_RELU;
    c->head_gain = 0.01;
    c->root_weight = 1;
}

pesim_status rl_gnn_check(const pesim_rl_gnn_config *c, const char *file, pesim_error *e)
{
    if (c->in_features < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "in_features", "must be >= 1, got %d",
                               (int)c->in_features);
    if (c->hidden < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "hidden", "must be >= 1, got %d", (int)c->hidden);
    if (c->depth < 0 || c->depth > GNN_MAX_DEPTH)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "depth", "must be in [0, %d], got %d", GNN_MAX_DEPTH,
                               (int)c->depth);
    if (!(c->ratio > 0 && c->ratio <= 1))
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "ratio", "must be in (0, 1], got %g", c->ratio);
    if (c->act != PESIM_RL_TANH && c->act != PESIM_RL_RELU)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "act", "unknown activation %d", (int)c->act);
    if (c->n_decisions < 0 || c->n_decisions > PESIM_RL_MAX_DECISIONS)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "decisions", "must be in [0, %d], got %d",
                               PESIM_RL_MAX_DECISIONS, (int)c->n_decisions);
    for (int32_t d = 0; d < c->n_decisions; d++)
        if (c->decision_sizes[d] < 1 || c->decision_sizes[d] > 1 << 20)
            return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "decision_sizes",
                                   "decision %d has %d actions (must be in [1, 2^20])", (int)d,
                                   (int)c->decision_sizes[d]);
    if (c->n_values < 0 || c->n_values > 1 << 20 || c->n_decisions + c->n_values < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "values",
                               "need at least one decision or value output (decisions %d, values %d)",
                               (int)c->n_decisions, (int)c->n_values);
    if (!(c->head_gain >= 0) || !isfinite(c->head_gain))
        return pesim_error_set(e, PESIM_ERR_RANGE, file, 0, "head_gain", "must be finite and >= 0, got %g",
                               c->head_gain);
    return PESIM_OK;
}

/* Adds <prefix><l>.w (h x din), .r (h x din, with a root weight), .b. */
static int add_conv(pesim_rl_net *n, gnn_conv *cv, const char *prefix, int32_t l, int32_t din)
{
    char nm[RL_TENSOR_NAME_MAX];
    int32_t h = n->gnn.hidden;
    snprintf(nm, sizeof nm, "%s%d.w", prefix, (int)l);
    cv->w = rl_net_add_tensor(n, nm, h, din);
    cv->r = -1;
    if (n->gnn.root_weight) {
        snprintf(nm, sizeof nm, "%s%d.r", prefix, (int)l);
        cv->r = rl_net_add_tensor(n, nm, h, din);
    }
    snprintf(nm, sizeof nm, "%s%d.b", prefix, (int)l);
    cv->b = rl_net_add_tensor(n, nm, 1, h);
    return cv->w >= 0 && cv->b >= 0 && (cv->r >= 0 || !n->gnn.root_weight);
}

pesim_status rl_gnn_build(pesim_rl_net *n, pesim_error *e)
{
    const pesim_rl_gnn_config *c = &n->gnn;
    gnn_state *g = calloc(1, sizeof *g);
    if (!g)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    n->impl = g;
    g->per_node = 0;
    for (int32_t d = 0; d < c->n_decisions; d++)
        g->per_node += c->decision_sizes[d];
    int32_t h = c->hidden;
    char nm[RL_TENSOR_NAME_MAX];
    int ok = 1;
    for (int32_t l = 0; l <= c->depth; l++) {
        if (l > 0) {
            snprintf(nm, sizeof nm, "pool%d.p", (int)l);
            ok &= (g->t_p[l] = rl_net_add_tensor(n, nm, 1, h)) >= 0;
        }
        ok &= add_conv(n, &g->down[l], "down", l, l == 0 ? c->in_features : h);
    }
    for (int32_t l = 0; l < c->depth; l++)
        ok &= add_conv(n, &g->up[l], "up", l, h);
    g->t_hw = g->t_hb = g->t_vw = g->t_vb = -1;
    if (g->per_node > 0) {
        ok &= (g->t_hw = rl_net_add_tensor(n, "head.w", g->per_node, h)) >= 0;
        ok &= (g->t_hb = rl_net_add_tensor(n, "head.b", 1, g->per_node)) >= 0;
    }
    if (c->n_values > 0) {
        ok &= (g->t_vw = rl_net_add_tensor(n, "value.w", c->n_values, h)) >= 0;
        ok &= (g->t_vb = rl_net_add_tensor(n, "value.b", 1, c->n_values)) >= 0;
    }
    if (!ok)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    pesim_status st = rl_net_set_layout(n, 0, 0, NULL, c->n_values, e);
    if (st != PESIM_OK)
        return st;
    return rl_net_finish_params(n, e);
}

/* With a root weight the two terms share the variance of one layer. */
static void init_conv(pesim_rl_net *n, const gnn_conv *cv, double scale, gsl_rng *rng)
{
    double k = cv->r >= 0 ? sqrt(0.5) : 1.0;
    rl_init_normal(n, cv->w, 0, n->gnn.hidden, k * scale, rng);
    if (cv->r >= 0)
        rl_init_normal(n, cv->r, 0, n->gnn.hidden, k * scale, rng);
}

void rl_gnn_init_weights(pesim_rl_net *n, gsl_rng *rng)
{
    const pesim_rl_gnn_config *c = &n->gnn;
    gnn_state *g = n->impl;
    double act_gain = c->act == PESIM_RL_RELU ? sqrt(2.0) : 1.0;
    double fh = 1.0 / sqrt((double)c->hidden);
    for (int32_t l = 0; l <= c->depth; l++) {
        if (l > 0)
            rl_init_normal(n, g->t_p[l], 0, 1, fh, rng);
        double fan = 1.0 / sqrt((double)(l == 0 ? c->in_features : c->hidden));
        init_conv(n, &g->down[l], act_gain * fan, rng);
    }
    for (int32_t l = 0; l < c->depth; l++)
        init_conv(n, &g->up[l], act_gain * fh, rng);
    if (g->t_hw >= 0)
        rl_init_normal(n, g->t_hw, 0, g->per_node, (c->head_gain > 0 ? c->head_gain : 0.01) * fh, rng);
    if (g->t_vw >= 0)
        rl_init_normal(n, g->t_vw, 0, c->n_values, fh, rng);
}

/* --------------------------------------------------------------- memory */

static void csr_free(rl_csr *a)
{
    free(a->ptr);
    free(a->col);
    free(a->val);
    memset(a, 0, sizeof *a);
}

/* Makes room for n rows and nnz entries. */
static int csr_reserve(rl_csr *a, int32_t n, int64_t nnz)
{
    int32_t *p = realloc(a->ptr, (size_t)(n + 1) * sizeof *p);
    if (!p)
        return 0;
    a->ptr = p;
    a->n = n;
    if (nnz > a->cap) {
        int64_t c = a->cap > 0 ? a->cap : 16;
        while (c < nnz)
            c *= 2;
        int32_t *col = realloc(a->col, (size_t)c * sizeof *col);
        if (!col)
            return 0;
        a->col = col;
        double *val = realloc(a->val, (size_t)c * sizeof *val);
        if (!val)
            return 0;
        a->val = val;
        a->cap = c;
    }
    return 1;
}

/* Symmetric normalisation of a pattern that includes self loops, with the
 * self loops weighted GNN_SELF_WEIGHT: val(i, j) = w_ij / sqrt(d_i d_j),
 * d_i = sum_j w_ij. */
static void csr_normalise(rl_csr *a)
{
    for (int32_t i = 0; i < a->n; i++)
        for (int32_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            int32_t j = a->col[k];
            double di = a->ptr[i + 1] - a->ptr[i] - 1 + GNN_SELF_WEIGHT;
            double dj = a->ptr[j + 1] - a->ptr[j] - 1 + GNN_SELF_WEIGHT;
            a->val[k] = (i == j ? GNN_SELF_WEIGHT : 1.0) / sqrt(di * dj);
        }
}

static void sample_free(gnn_sample *s)
{
    free(s->x0);
    for (int32_t l = 0; l <= GNN_MAX_DEPTH; l++) {
        free(s->hd[l]);
        free(s->xt[l]);
        free(s->score[l]);
        free(s->gate[l]);
        free(s->idx[l]);
        csr_free(&s->adj[l]);
    }
    for (int32_t l = 0; l < GNN_MAX_DEPTH; l++) {
        free(s->u[l]);
        free(s->hu[l]);
    }
    free(s->mean);
    memset(s, 0, sizeof *s);
}

static int sample_size(const pesim_rl_net *n, const gnn_state *g, gnn_sample *s)
{
    if (s->sized)
        return 1;
    int32_t h = n->gnn.hidden, D = n->gnn.depth;
    size_t dsz = sizeof(double);
    int ok = (s->x0 = malloc((size_t)g->n_at[0] * (size_t)n->gnn.in_features * dsz)) != NULL;
    for (int32_t l = 0; l <= D; l++) {
        size_t nl = (size_t)g->n_at[l];
        ok &= (s->hd[l] = malloc(nl * (size_t)h * dsz)) != NULL;
        if (l > 0) {
            ok &= (s->xt[l] = malloc(nl * (size_t)h * dsz)) != NULL;
            ok &= (s->score[l] = malloc((size_t)g->n_at[l - 1] * dsz)) != NULL;
            ok &= (s->gate[l] = malloc(nl * dsz)) != NULL;
            ok &= (s->idx[l] = malloc(nl * sizeof(int32_t))) != NULL;
        }
        if (l < D) {
            ok &= (s->u[l] = malloc(nl * (size_t)h * dsz)) != NULL;
            ok &= (s->hu[l] = malloc(nl * (size_t)h * dsz)) != NULL;
        }
    }
    ok &= (s->mean = malloc((size_t)h * dsz)) != NULL;
    if (!ok) {
        sample_free(s);
        return 0;
    }
    s->sized = 1;
    return 1;
}

static void free_graph_buffers(gnn_state *g)
{
    for (int32_t i = 0; i < g->cap_samples; i++)
        sample_free(&g->samples[i]);
    free(g->t);
    free(g->ba);
    free(g->bb);
    free(g->du);
    free(g->dxt);
    free(g->dsum);
    for (int32_t l = 0; l <= GNN_MAX_DEPTH; l++) {
        free(g->dhd[l]);
        g->dhd[l] = NULL;
    }
    free(g->pos);
    free(g->stamp);
    free(g->order);
    g->t = g->ba = g->bb = g->du = g->dxt = g->dsum = NULL;
    g->pos = g->stamp = NULL;
    g->order = NULL;
}

void rl_gnn_free(pesim_rl_net *n)
{
    gnn_state *g = n->impl;
    if (!g)
        return;
    free_graph_buffers(g);
    free(g->samples);
    free(g->row_of);
    csr_free(&g->adj0);
    free(g);
    n->impl = NULL;
}

/* --------------------------------------------------------------- graph */

static int cmp_pair(const void *a, const void *b)
{
    const int32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Installs g->adj0 (already built) as the graph: sizes, layout, scratch. */
static pesim_status install_graph(pesim_rl_net *n, pesim_error *e)
{
    gnn_state *g = n->impl;
    const pesim_rl_gnn_config *c = &n->gnn;
    free_graph_buffers(g);
    g->has_graph = 0;
    int32_t n0 = g->adj0.n;
    g->n_at[0] = n0;
    for (int32_t l = 1; l <= c->depth; l++) {
        double k = ceil(c->ratio * g->n_at[l - 1] - 1e-9);
        int32_t ki = (int32_t)k;
        g->n_at[l] = ki < 1 ? 1 : ki > g->n_at[l - 1] ? g->n_at[l - 1] : ki;
    }
    int64_t n_heads = (int64_t)n0 * c->n_decisions;
    if (n_heads > INT32_MAX / 2 || (int64_t)n0 * g->per_node > INT32_MAX / 2 ||
        (int64_t)n0 * c->in_features > INT32_MAX / 2)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "graph", "too many nodes (%d)", (int)n0);
    int32_t *sizes = malloc((size_t)(n_heads > 0 ? n_heads : 1) * sizeof *sizes);
    if (!sizes)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (int64_t i = 0; i < n_heads; i++)
        sizes[i] = c->decision_sizes[i % c->n_decisions];
    pesim_status st = rl_net_set_layout(n, n0 * c->in_features, (int32_t)n_heads, sizes, c->n_values, e);
    free(sizes);
    if (st != PESIM_OK)
        return st;
    size_t w = (size_t)(c->hidden > c->in_features ? c->hidden : c->in_features);
    size_t nw = (size_t)n0 * w * sizeof(double);
    int ok = (g->t = malloc(nw)) && (g->ba = malloc(nw)) && (g->bb = malloc(nw)) && (g->du = malloc(nw)) &&
             (g->dxt = malloc(nw)) && (g->dsum = malloc((size_t)n->layout.out_dim * sizeof(double) + 8)) &&
             (g->pos = malloc((size_t)n0 * sizeof(int32_t))) &&
             (g->stamp = malloc((size_t)n0 * sizeof(int32_t))) && (g->order = malloc((size_t)n0 * sizeof *g->order));
    for (int32_t l = 0; ok && l <= c->depth; l++)
        ok = (g->dhd[l] = malloc((size_t)g->n_at[l] * (size_t)c->hidden * sizeof(double))) != NULL;
    if (!ok) {
        free_graph_buffers(g);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory (%d nodes)", (int)n0);
    }
    g->has_graph = 1;
    g->batch = 0;
    g->n_samples = 0;
    return PESIM_OK;
}

pesim_status pesim_rl_net_set_graph(pesim_rl_net *n, int32_t n_nodes, int64_t n_edges, const int32_t *src,
                                    const int32_t *dst, pesim_error *e)
{
    if (n->kind != PESIM_RL_GNN)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "graph", "only a GNN takes a graph");
    if (n_nodes < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "graph", "a graph needs >= 1 node, got %d",
                               (int)n_nodes);
    if (n_edges < 0 || (n_edges > 0 && (!src || !dst)) || n_edges > INT32_MAX / 4)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "graph", "bad edge list (%lld edges)",
                               (long long)n_edges);
    for (int64_t k = 0; k < n_edges; k++)
        if (src[k] < 0 || src[k] >= n_nodes || dst[k] < 0 || dst[k] >= n_nodes)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "graph",
                                   "edge %lld (%d -> %d) names a node outside [0, %d)", (long long)k,
                                   (int)src[k], (int)dst[k], (int)n_nodes);
    /* both directions of every edge, plus the self loops; sorted, deduplicated */
    int64_t np = 2 * n_edges + n_nodes;
    int32_t *pairs = malloc((size_t)np * 2 * sizeof *pairs);
    if (!pairs)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    int64_t m = 0;
    for (int64_t k = 0; k < n_edges; k++) {
        if (src[k] == dst[k])
            continue;
        pairs[2 * m] = src[k], pairs[2 * m + 1] = dst[k], m++;
        pairs[2 * m] = dst[k], pairs[2 * m + 1] = src[k], m++;
    }
    for (int32_t i = 0; i < n_nodes; i++)
        pairs[2 * m] = i, pairs[2 * m + 1] = i, m++;
    qsort(pairs, (size_t)m, 2 * sizeof *pairs, cmp_pair);
    gnn_state *g = n->impl;
    if (!csr_reserve(&g->adj0, n_nodes, m)) {
        free(pairs);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    int64_t nnz = 0;
    int32_t row = 0;
    g->adj0.ptr[0] = 0;
    for (int64_t k = 0; k < m; k++) {
        if (k > 0 && pairs[2 * k] == pairs[2 * k - 2] && pairs[2 * k + 1] == pairs[2 * k - 1])
            continue;
        while (row < pairs[2 * k])
            g->adj0.ptr[++row] = (int32_t)nnz;
        g->adj0.col[nnz++] = pairs[2 * k + 1];
    }
    while (row < n_nodes)
        g->adj0.ptr[++row] = (int32_t)nnz;
    free(pairs);
    csr_normalise(&g->adj0);
    return install_graph(n, e);
}

int rl_gnn_same_graph(const pesim_rl_net *a, const pesim_rl_net *b)
{
    const gnn_state *x = a->impl, *y = b->impl;
    if (x->has_graph != y->has_graph)
        return 0;
    if (!x->has_graph)
        return 1;
    int32_t n = x->adj0.n;
    if (y->adj0.n != n || memcmp(x->adj0.ptr, y->adj0.ptr, (size_t)(n + 1) * sizeof(int32_t)) != 0)
        return 0;
    return memcmp(x->adj0.col, y->adj0.col, (size_t)x->adj0.ptr[n] * sizeof(int32_t)) == 0;
}

pesim_status rl_gnn_copy_graph(pesim_rl_net *dst, const pesim_rl_net *src, pesim_error *e)
{
    const gnn_state *s = src->impl;
    gnn_state *d = dst->impl;
    if (!s->has_graph)
        return PESIM_OK;
    int32_t nn = s->adj0.n;
    int64_t nnz = s->adj0.ptr[nn];
    if (!csr_reserve(&d->adj0, nn, nnz))
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    memcpy(d->adj0.ptr, s->adj0.ptr, (size_t)(nn + 1) * sizeof(int32_t));
    memcpy(d->adj0.col, s->adj0.col, (size_t)nnz * sizeof(int32_t));
    memcpy(d->adj0.val, s->adj0.val, (size_t)nnz * sizeof(double));
    return install_graph(dst, e);
}

/* ----------------------------------------------------------- the layers */

/* Y[n x w] = A X (A: CSR n x n, X: n x w). */
static void spmm(const rl_csr *A, const double *X, int32_t w, double *Y)
{
    for (int32_t i = 0; i < A->n; i++) {
        double *y = Y + (int64_t)i * w;
        memset(y, 0, (size_t)w * sizeof *y);
        for (int32_t k = A->ptr[i]; k < A->ptr[i + 1]; k++) {
            const double *x = X + (int64_t)A->col[k] * w;
            double v = A->val[k];
            for (int32_t c = 0; c < w; c++)
                y[c] += v * x[c];
        }
    }
}

#define P(t) (n->params + n->tensors[(t)].offset)
#define G(t) (n->grads + n->tensors[(t)].offset)

/* H = act(A (X W^T) + X R^T + b): X n x din, W and R h x din (no R term
 * without a root weight); T is n x h scratch. */
static void conv_fwd(const pesim_rl_net *n, const gnn_conv *cv, const rl_csr *A, const double *X, int32_t din,
                     double *T, double *H)
{
    int32_t m = A->n, h = n->gnn.hidden;
    rl_linear_fwd(X, m, din, P(cv->w), NULL, h, T);
    spmm(A, T, h, H);
    if (cv->r >= 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, h, din, 1.0, X, din, P(cv->r), din, 1.0, H, h);
    const double *b = P(cv->b);
    for (int32_t i = 0; i < m; i++)
        cblas_daxpy(h, 1.0, b, 1, H + (int64_t)i * h, 1);
    rl_act_fwd(n->gnn.act, H, (int64_t)m * h);
}

/* Backward of conv_fwd: dH (clobbered: becomes dZ) -> the gradients of W,
 * R, b, and dX (may be NULL). A is symmetric, so A^T dZ = A dZ. T is n x h
 * scratch. */
static void conv_bwd(pesim_rl_net *n, const gnn_conv *cv, const rl_csr *A, const double *X, int32_t din,
                     const double *H, double *dH, double *T, double *dX)
{
    int32_t m = A->n, h = n->gnn.hidden;
    rl_act_bwd(n->gnn.act, H, dH, (int64_t)m * h);
    double *gb = G(cv->b);
    for (int32_t i = 0; i < m; i++)
        cblas_daxpy(h, 1.0, dH + (int64_t)i * h, 1, gb, 1);
    spmm(A, dH, h, T);
    rl_linear_bwd(X, m, din, P(cv->w), h, T, G(cv->w), NULL, dX);
    if (cv->r >= 0) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h, din, m, 1.0, dH, h, X, din, 1.0, G(cv->r), din);
        if (dX)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, din, h, 1.0, dH, h, P(cv->r), din, 1.0, dX, din);
    }
}

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->s != y->s)
        return x->s > y->s ? -1 : 1;  /* larger score first */
    return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* The norm used for the pooling projection (never 0). */
static double proj_norm(const double *p, int32_t h)
{
    double r = 1e-24;
    for (int32_t c = 0; c < h; c++)
        r += p[c] * p[c];
    return sqrt(r);
}

/* The kept nodes idx[0..k) of A_prev, joined when within two hops
 * (A_prev's pattern holds its self loops, so A_prev^2 covers one and two
 * hops), with self loops, normalised. */
static int pool_adj(gnn_state *g, const rl_csr *Ap, const int32_t *idx, int32_t k, rl_csr *out)
{
    for (int32_t i = 0; i < Ap->n; i++)
        g->pos[i] = -1;
    for (int32_t a = 0; a < k; a++) {
        g->pos[idx[a]] = a;
        g->stamp[a] = -1;
    }
    if (!csr_reserve(out, k, k))
        return 0;
    int64_t nnz = 0;
    out->ptr[0] = 0;
    for (int32_t a = 0; a < k; a++) {
        int32_t i = idx[a];
        for (int32_t k1 = Ap->ptr[i]; k1 < Ap->ptr[i + 1]; k1++) {
            int32_t j = Ap->col[k1];
            for (int32_t k2 = Ap->ptr[j]; k2 < Ap->ptr[j + 1]; k2++) {
                int32_t b = g->pos[Ap->col[k2]];
                if (b < 0 || g->stamp[b] == a)
                    continue;
                g->stamp[b] = a;
                if (nnz >= out->cap && !csr_reserve(out, k, nnz + 1))
                    return 0;
                out->col[nnz++] = b;
            }
        }
        out->ptr[a + 1] = (int32_t)nnz;
    }
    csr_normalise(out);
    return 1;
}

static const rl_csr *adj_at(const gnn_state *g, const gnn_sample *s, int32_t l)
{
    return l == 0 ? &g->adj0 : &s->adj[l];
}

static int sample_forward(pesim_rl_net *n, gnn_state *g, gnn_sample *s, const double *x, double *out)
{
    const pesim_rl_gnn_config *c = &n->gnn;
    int32_t h = c->hidden, D = c->depth, n0 = g->n_at[0];
    memcpy(s->x0, x, (size_t)n0 * (size_t)c->in_features * sizeof(double));
    conv_fwd(n, &g->down[0], &g->adj0, s->x0, c->in_features, g->t, s->hd[0]);
    for (int32_t l = 1; l <= D; l++) {
        int32_t np = g->n_at[l - 1], k = g->n_at[l];
        const double *p = P(g->t_p[l]);
        double r = proj_norm(p, h);
        const double *Hp = s->hd[l - 1];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, np, h, 1.0 / r, Hp, h, p, 1, 0.0, s->score[l], 1);
        for (int32_t i = 0; i < np; i++) {
            g->order[i].s = s->score[l][i];
            g->order[i].i = i;
        }
        qsort(g->order, (size_t)np, sizeof *g->order, cmp_scored);
        for (int32_t a = 0; a < k; a++)
            s->idx[l][a] = g->order[a].i;
        qsort(s->idx[l], (size_t)k, sizeof(int32_t), cmp_i32);
        for (int32_t a = 0; a < k; a++) {
            int32_t i = s->idx[l][a];
            double gt = tanh(s->score[l][i]);
            s->gate[l][a] = gt;
            for (int32_t q = 0; q < h; q++)
                s->xt[l][(int64_t)a * h + q] = Hp[(int64_t)i * h + q] * gt;
        }
        if (!pool_adj(g, adj_at(g, s, l - 1), s->idx[l], k, &s->adj[l]))
            return 0;
        conv_fwd(n, &g->down[l], &s->adj[l], s->xt[l], h, g->t, s->hd[l]);
    }
    const double *cur = s->hd[D];
    for (int32_t l = D - 1; l >= 0; l--) {
        int32_t nl = g->n_at[l];
        memcpy(s->u[l], s->hd[l], (size_t)nl * (size_t)h * sizeof(double));
        for (int32_t a = 0; a < g->n_at[l + 1]; a++)
            cblas_daxpy(h, 1.0, cur + (int64_t)a * h, 1, s->u[l] + (int64_t)s->idx[l + 1][a] * h, 1);
        conv_fwd(n, &g->up[l], adj_at(g, s, l), s->u[l], h, g->t, s->hu[l]);
        cur = s->hu[l];
    }
    if (g->per_node > 0)
        rl_linear_fwd(cur, n0, h, P(g->t_hw), P(g->t_hb), g->per_node, out);
    if (c->n_values > 0) {
        for (int32_t q = 0; q < h; q++)
            s->mean[q] = 0;
        for (int32_t i = 0; i < n0; i++)
            cblas_daxpy(h, 1.0 / n0, cur + (int64_t)i * h, 1, s->mean, 1);
        rl_linear_fwd(s->mean, 1, h, P(g->t_vw), P(g->t_vb), c->n_values, out + n->layout.n_logits);
    }
    return 1;
}

static void sample_backward(pesim_rl_net *n, gnn_state *g, gnn_sample *s, const double *dout)
{
    const pesim_rl_gnn_config *c = &n->gnn;
    int32_t h = c->hidden, D = c->depth, n0 = g->n_at[0];
    const double *xf = D > 0 ? s->hu[0] : s->hd[0];
    double *dx = g->ba;
    if (g->per_node > 0)
        rl_linear_bwd(xf, n0, h, P(g->t_hw), g->per_node, dout, G(g->t_hw), G(g->t_hb), dx);
    else
        memset(dx, 0, (size_t)n0 * (size_t)h * sizeof(double));
    if (c->n_values > 0) {
        const double *dv = dout + n->layout.n_logits;
        double *dm = g->du; /* h entries */
        rl_linear_bwd(s->mean, 1, h, P(g->t_vw), c->n_values, dv, G(g->t_vw), G(g->t_vb), dm);
        for (int32_t i = 0; i < n0; i++)
            cblas_daxpy(h, 1.0 / n0, dm, 1, dx + (int64_t)i * h, 1);
    }
    for (int32_t l = 0; l <= D; l++)
        memset(g->dhd[l], 0, (size_t)g->n_at[l] * (size_t)h * sizeof(double));
    if (D == 0) {
        cblas_daxpy(n0 * h, 1.0, dx, 1, g->dhd[0], 1);
    } else {
        double *cur = dx, *nxt = g->bb;
        for (int32_t l = 0; l < D; l++) {
            int32_t nl = g->n_at[l], k = g->n_at[l + 1];
            conv_bwd(n, &g->up[l], adj_at(g, s, l), s->u[l], h, s->hu[l], cur, g->t, g->du);
            cblas_daxpy(nl * h, 1.0, g->du, 1, g->dhd[l], 1);  /* the skip connection */
            double *dst = l + 1 == D ? g->dhd[D] : nxt;
            if (l + 1 < D)
                memset(nxt, 0, (size_t)k * (size_t)h * sizeof(double));
            for (int32_t a = 0; a < k; a++)                     /* the unpooling scatter */
                cblas_daxpy(h, 1.0, g->du + (int64_t)s->idx[l + 1][a] * h, 1, dst + (int64_t)a * h, 1);
            double *t = cur;
            cur = nxt;
            nxt = t;
        }
    }
    for (int32_t l = D; l >= 0; l--) {
        const double *X = l == 0 ? s->x0 : s->xt[l];
        int32_t din = l == 0 ? c->in_features : h;
        conv_bwd(n, &g->down[l], adj_at(g, s, l), X, din, s->hd[l], g->dhd[l], g->t, l > 0 ? g->dxt : NULL);
        if (l == 0)
            break;
        /* pooling: Xt[a] = H[idx a] tanh(s[idx a]), s = H p / |p| */
        int32_t np = g->n_at[l - 1], k = g->n_at[l];
        const double *Hp = s->hd[l - 1], *p = P(g->t_p[l]);
        double r = proj_norm(p, h);
        double *dH = g->dhd[l - 1], *gp = G(g->t_p[l]);
        double *dq = g->t; /* h entries */
        memset(dq, 0, (size_t)h * sizeof(double));
        (void)np;
        for (int32_t a = 0; a < k; a++) {
            int32_t i = s->idx[l][a];
            const double *dxa = g->dxt + (int64_t)a * h, *hi = Hp + (int64_t)i * h;
            double gt = s->gate[l][a];
            double dgate = cblas_ddot(h, dxa, 1, hi, 1);
            double dsc = dgate * (1 - gt * gt);
            cblas_daxpy(h, gt, dxa, 1, dH + (int64_t)i * h, 1);
            cblas_daxpy(h, dsc / r, p, 1, dH + (int64_t)i * h, 1);  /* ds * q */
            cblas_daxpy(h, dsc, hi, 1, dq, 1);
        }
        /* dp = (dq - q (q . dq)) / r with q = p / r */
        double qdq = cblas_ddot(h, p, 1, dq, 1) / r;
        for (int32_t q = 0; q < h; q++)
            gp[q] += (dq[q] - p[q] / r * qdq) / r;
    }
}

/* -------------------------------------------------------------- batches */

pesim_status rl_gnn_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out, pesim_error *e)
{
    gnn_state *g = n->impl;
    if (!g->has_graph)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "graph",
                               "the GNN has no graph (pesim_rl_net_set_graph)");
    if (!rl_grow((void **)&g->row_of, &g->cap_rows, batch, sizeof(int32_t)))
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    int32_t in = n->layout.in_dim, od = n->layout.out_dim;
    g->batch = 0;
    g->n_samples = 0;
    for (int32_t b = 0; b < batch; b++) {
        const double *xb = x + (int64_t)b * in;
        if (b > 0 && memcmp(xb, xb - in, (size_t)in * sizeof(double)) == 0) {
            g->row_of[b] = g->row_of[b - 1];
            memcpy(out + (int64_t)b * od, out + (int64_t)(b - 1) * od, (size_t)od * sizeof(double));
            continue;
        }
        if (g->n_samples == g->cap_samples) {
            int32_t c2 = g->cap_samples ? 2 * g->cap_samples : 4;
            gnn_sample *ns = realloc(g->samples, (size_t)c2 * sizeof *ns);
            if (!ns)
                return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            memset(ns + g->cap_samples, 0, (size_t)(c2 - g->cap_samples) * sizeof *ns);
            g->samples = ns;
            g->cap_samples = c2;
        }
        gnn_sample *s = &g->samples[g->n_samples];
        if (!sample_size(n, g, s) || !sample_forward(n, g, s, xb, out + (int64_t)b * od))
            return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        g->row_of[b] = g->n_samples++;
    }
    g->batch = batch;
    return PESIM_OK;
}

pesim_status rl_gnn_backward(pesim_rl_net *n, const double *dout, pesim_error *e)
{
    (void)e;
    gnn_state *g = n->impl;
    int32_t od = n->layout.out_dim;
    for (int32_t b = 0; b < g->batch;) {
        int32_t b1 = b + 1;
        while (b1 < g->batch && g->row_of[b1] == g->row_of[b])
            b1++;
        const double *d = dout + (int64_t)b * od;
        if (b1 - b > 1) {
            memcpy(g->dsum, d, (size_t)od * sizeof(double));
            for (int32_t r = b + 1; r < b1; r++)
                cblas_daxpy(od, 1.0, dout + (int64_t)r * od, 1, g->dsum, 1);
            d = g->dsum;
        }
        sample_backward(n, g, &g->samples[g->row_of[b]], d);
        b = b1;
    }
    return PESIM_OK;
}
