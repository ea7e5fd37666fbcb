/* tl_prob.c - Timeloop problems in and out (docs/timeloop.md, "Problem").
 *
 * Reading works from the data spaces' projections, not from dim names: each
 * rank of a projection is one dim, or (in the inputs) a sliding window
 * `[[R, dilation], [P, stride]]` of a filter dim and an output dim. Which
 * data spaces hold a dim gives its role (G in all three, K in weights and
 * outputs, C in weights and inputs, N in inputs and outputs); names break the
 * ties (the window pairs with P/R or Q/S, a plain inputs-and-outputs dim
 * named P or Q). Whatever is not such a convolution is refused. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "pesim/timeloop.h"
#include "timeloop/tl_yaml.h"

#define DIMS_MAX 16
#define COEFS_MAX 16
#define RANKS_MAX 8

/* Timeloop's built-in CNN-layer shape, used when a problem names no shape or
 * names `cnn-layer`; also what the writer writes. Pairs: R with P (W
 * direction in Timeloop's names), S with Q. */
static const char *const cnn_layer =
    "shape:\n"
    "  name: CNN-Layer\n"
    "  dimensions: [ C, M, R, S, N, P, Q ]\n"
    "  coefficients:\n"
    "  - { name: Wstride, default: 1 }\n"
    "  - { name: Hstride, default: 1 }\n"
    "  - { name: Wdilation, default: 1 }\n"
    "  - { name: Hdilation, default: 1 }\n"
    "  data-spaces:\n"
    "  - name: Weights\n"
    "    projection: [ [[C]], [[M]], [[R]], [[S]] ]\n"
    "  - name: Inputs\n"
    "    projection: [ [[N]], [[C]], [[R, Wdilation], [P, Wstride]], [[S, Hdilation], [Q, Hstride]] ]\n"
    "  - name: Outputs\n"
    "    projection: [ [[N]], [[M]], [[P]], [[Q]] ]\n"
    "    read-write: True\n";

typedef struct term {
    int dim;          /* index into the problem's dims */
    int64_t coef;     /* its coefficient's value (1 without one) */
} term;

typedef struct rank {
    int n;            /* 1 or 2 terms */
    term t[2];
    tl_at at;
} rank;

typedef struct space {
    char name[PESIM_NAME_MAX];
    int tensor;       /* pesim_tensor */
    int read_write;
    int n_ranks;
    rank r[RANKS_MAX];
    tl_at at;
} space;

typedef struct shape {
    int n_dims;
    char dim[DIMS_MAX][16];
    tl_at dim_at[DIMS_MAX];
    int n_coefs;
    char coef[COEFS_MAX][32];
    int64_t coef_value[COEFS_MAX];
    int n_spaces;
    space sp[PESIM_NTENSORS];
} shape;

static int find_dim(const shape *s, const char *name)
{
    for (int i = 0; i < s->n_dims; i++)
        if (strcmp(s->dim[i], name) == 0) return i;
    return -1;
}

static int find_coef(const shape *s, const char *name)
{
    for (int i = 0; i < s->n_coefs; i++)
        if (strcmp(s->coef[i], name) == 0) return i;
    return -1;
}

/* dimensions and coefficients of a shape map */
static pesim_status read_names(tl_doc *d, const tl_at *sh, shape *s)
{
    pesim_status st;
    tl_at dims = tl_get(d, sh, "dimensions");
    if (!dims.n) return tl_missing(d, sh, "dimensions", "a shape lists its dimensions");
    if ((st = tl_need_seq(d, &dims))) return st;
    if (tl_len(&dims) < 1 || tl_len(&dims) > PESIM_NDIMS)
        return tl_fail(d, &dims, PESIM_ERR_RANGE, "%d dimensions: pesim's layers have 1 to %d", tl_len(&dims),
                       PESIM_NDIMS);
    for (int i = 0; i < tl_len(&dims); i++) {
        tl_at it = tl_item(d, &dims, i);
        if ((st = tl_string(d, &it, s->dim[i], sizeof s->dim[i]))) return st;
        if (!s->dim[i][0]) return tl_fail(d, &it, PESIM_ERR_RANGE, "an empty dimension name");
        if (find_dim(s, s->dim[i]) >= 0)
            return tl_fail(d, &it, PESIM_ERR_INVALID, "dimension '%s' is listed twice", s->dim[i]);
        s->dim_at[i] = it;
        s->n_dims = i + 1;
    }
    tl_at coefs = tl_get(d, sh, "coefficients");
    if (coefs.n && !tl_is_null(&coefs)) {
        if ((st = tl_need_seq(d, &coefs))) return st;
        if (tl_len(&coefs) > COEFS_MAX) return tl_fail(d, &coefs, PESIM_ERR_RANGE, "more than %d coefficients", COEFS_MAX);
        for (int i = 0; i < tl_len(&coefs); i++) {
            tl_at c = tl_item(d, &coefs, i), v = tl_get(d, &c, "name");
            if (!v.n) return tl_missing(d, &c, "name", "a coefficient has a name");
            if ((st = tl_string(d, &v, s->coef[i], sizeof s->coef[i]))) return st;
            s->coef_value[i] = 1;
            v = tl_get(d, &c, "default");
            if (v.n && (st = tl_int(d, &v, 1, INT32_MAX, &s->coef_value[i]))) return st;
            s->n_coefs = i + 1;
        }
    }
    return PESIM_OK;
}

static pesim_status read_spaces(tl_doc *d, const tl_at *sh, shape *s)
{
    pesim_status st;
    tl_at list = tl_get(d, sh, "data-spaces");
    if (!list.n) list = tl_get(d, sh, "data_spaces");
    if (!list.n) return tl_missing(d, sh, "data-spaces", "a shape lists its data spaces");
    if ((st = tl_need_seq(d, &list))) return st;
    if (tl_len(&list) != PESIM_NTENSORS)
        return tl_fail(d, &list, PESIM_ERR_INVALID,
                       "%d data spaces: pesim's layers have three (weights, inputs, outputs)", tl_len(&list));
    for (int i = 0; i < PESIM_NTENSORS; i++) {
        space *sp = &s->sp[i];
        tl_at it = tl_item(d, &list, i), v = tl_get(d, &it, "name");
        sp->at = it;
        if (!v.n) return tl_missing(d, &it, "name", "a data space has a name");
        if ((st = tl_string(d, &v, sp->name, sizeof sp->name))) return st;
        v = tl_get(d, &it, "read-write");
        if (!v.n) v = tl_get(d, &it, "read_write");
        if (v.n && (st = tl_bool(d, &v, &sp->read_write))) return st;
        tl_at proj = tl_get(d, &it, "projection");
        if (!proj.n) return tl_missing(d, &it, "projection", "a data space has a projection");
        if ((st = tl_need_seq(d, &proj))) return st;
        if (tl_len(&proj) > RANKS_MAX) return tl_fail(d, &proj, PESIM_ERR_RANGE, "more than %d ranks", RANKS_MAX);
        for (int k = 0; k < tl_len(&proj); k++) {
            rank *r = &sp->r[k];
            tl_at rk = tl_item(d, &proj, k);
            r->at = rk;
            if ((st = tl_need_seq(d, &rk))) return st;
            if (tl_len(&rk) < 1 || tl_len(&rk) > 2)
                return tl_fail(d, &rk, PESIM_ERR_INVALID,
                               "a rank of %d terms: pesim's layers have one dim, or a sliding window of two",
                               tl_len(&rk));
            r->n = tl_len(&rk);
            for (int j = 0; j < r->n; j++) {
                tl_at tm = tl_item(d, &rk, j);
                if ((st = tl_need_seq(d, &tm))) return st;
                if (tl_len(&tm) < 1 || tl_len(&tm) > 2)
                    return tl_fail(d, &tm, PESIM_ERR_INVALID, "a term is [dim] or [dim, coefficient]");
                tl_at dn = tl_item(d, &tm, 0);
                const char *name = tl_scalar(&dn);
                int di = name ? find_dim(s, name) : -1;
                if (di < 0)
                    return tl_fail(d, &dn, PESIM_ERR_INVALID, "'%s' is not one of the shape's dimensions",
                                   name ? name : "?");
                r->t[j].dim = di;
                r->t[j].coef = 1;
                if (tl_len(&tm) == 2) {
                    tl_at cn = tl_item(d, &tm, 1);
                    const char *c = tl_scalar(&cn);
                    int ci = c ? find_coef(s, c) : -1;
                    if (ci < 0 && (st = tl_int(d, &cn, 1, INT32_MAX, &r->t[j].coef)))
                        return tl_fail(d, &cn, PESIM_ERR_INVALID, "'%s' is not a coefficient of the shape",
                                       c ? c : "?");
                    if (ci >= 0) r->t[j].coef = -1 - ci; /* resolved once the instance is read */
                }
            }
            sp->n_ranks = k + 1;
        }
    }
    /* which is which: by name, else the read-write one is the outputs and the
     * one with a sliding window the inputs (Timeloop lists Weights, Inputs, Outputs) */
    static const char *const names[PESIM_NTENSORS] = {"weights", "inputs", "outputs"};
    int taken = 0;
    for (int i = 0; i < PESIM_NTENSORS; i++) {
        s->sp[i].tensor = -1;
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (tl_ieq(s->sp[i].name, names[t]) && !(taken & (1 << t))) s->sp[i].tensor = t, taken |= 1 << t;
    }
    for (int i = 0; i < PESIM_NTENSORS; i++)
        if (s->sp[i].tensor < 0 && s->sp[i].read_write && !(taken & (1 << PESIM_OUTPUTS)))
            s->sp[i].tensor = PESIM_OUTPUTS, taken |= 1 << PESIM_OUTPUTS;
    for (int i = 0; i < PESIM_NTENSORS; i++)
        for (int t = 0; s->sp[i].tensor < 0 && t < PESIM_NTENSORS; t++)
            if (!(taken & (1 << t))) s->sp[i].tensor = t, taken |= 1 << t;
    for (int i = 0; i < PESIM_NTENSORS; i++)
        if ((s->sp[i].tensor == PESIM_OUTPUTS) != (s->sp[i].read_write != 0))
            return tl_fail(d, &s->sp[i].at, PESIM_ERR_INVALID,
                           "data space '%s': the outputs, and only they, are read-write (a partial sum)",
                           s->sp[i].name);
    return PESIM_OK;
}

/* Timeloop's densities (Sparseloop's sparse data): none, an empty map or
 * every data space's density 1 (a number, or a map whose `density` is 1) is
 * a dense layer, which pesim models; a density below 1 is an error. */
static pesim_status check_dense(tl_doc *d, const tl_at *dens)
{
    pesim_status st;
    if (!dens->n || tl_is_null(dens)) return PESIM_OK;
    if ((st = tl_need_map(d, dens))) return st;
    for (int i = 0; i < tl_pairs(dens); i++) {
        tl_at v, x;
        tl_pair(d, dens, i, &v);
        x = tl_is_map(&v) ? tl_get(d, &v, "density") : v;
        if (!x.n) return tl_missing(d, &v, "density", "a data space's density (sparse data: pesim models dense layers)");
        double rho;
        if ((st = tl_num(d, &x, 0.0, 1.0, &rho))) return st;
        if (rho != 1.0)
            return tl_fail(d, &x, PESIM_ERR_INVALID, "density %g (sparse data): pesim models dense layers", rho);
    }
    return PESIM_OK;
}

/* The bounds and coefficient values of the instance (a map, or the keys
 * directly under `problem` in the old format). */
static pesim_status read_instance(tl_doc *d, const tl_at *inst, shape *s, int64_t bound[DIMS_MAX])
{
    pesim_status st;
    if ((st = tl_need_map(d, inst))) return st;
    for (int i = 0; i < s->n_dims; i++) {
        tl_at v = tl_get(d, inst, s->dim[i]);
        if (!v.n) return tl_missing(d, inst, s->dim[i], "the instance gives every dimension's bound");
        if ((st = tl_int(d, &v, 1, PESIM_LAYER_ITERS_MAX, &bound[i]))) return st;
    }
    for (int i = 0; i < s->n_coefs; i++) {
        tl_at v = tl_get(d, inst, s->coef[i]);
        if (v.n && (st = tl_int(d, &v, 1, INT32_MAX, &s->coef_value[i]))) return st;
    }
    tl_at dens = tl_get(d, inst, "densities");
    if ((st = check_dense(d, &dens))) return st;
    for (int i = 0; i < PESIM_NTENSORS; i++)
        for (int k = 0; k < s->sp[i].n_ranks; k++)
            for (int j = 0; j < s->sp[i].r[k].n; j++) {
                term *t = &s->sp[i].r[k].t[j];
                if (t->coef < 0) t->coef = s->coef_value[-1 - t->coef];
            }
    return PESIM_OK;
}

/* Roles: which pesim dim each problem dim is (docs/timeloop.md). */
static pesim_status assign(tl_doc *d, const tl_at *sh, shape *s, const int64_t bound[DIMS_MAX], pesim_tl_problem *out)
{
    enum { IN_W = 1, IN_I = 2, IN_O = 4, WIN_OUT = 8, WIN_FILT = 16 };
    int flags[DIMS_MAX] = {0}, role[DIMS_MAX];
    int win_of[DIMS_MAX];           /* the window a dim is in (0 first, 1 second), -1 none */
    int64_t coef[DIMS_MAX];         /* a windowed dim's coefficient */
    int n_win = 0;
    for (int i = 0; i < DIMS_MAX; i++) role[i] = -1, win_of[i] = -1, coef[i] = 1;
    for (int i = 0; i < PESIM_NTENSORS; i++) {
        const space *sp = &s->sp[i];
        int in = sp->tensor == PESIM_WEIGHTS ? IN_W : sp->tensor == PESIM_INPUTS ? IN_I : IN_O;
        for (int k = 0; k < sp->n_ranks; k++) {
            const rank *r = &sp->r[k];
            for (int j = 0; j < r->n; j++)
                if (flags[r->t[j].dim] & in)
                    return tl_fail(d, &r->at, PESIM_ERR_INVALID, "dimension '%s' indexes data space '%s' twice",
                                   s->dim[r->t[j].dim], sp->name);
            if (r->n == 1 && r->t[0].coef == 1) {
                flags[r->t[0].dim] |= in;
                continue;
            }
            /* a window: in the inputs only, an output dim (stride) and a filter dim (dilation) */
            if (sp->tensor != PESIM_INPUTS || n_win == 2)
                return tl_fail(d, &r->at, PESIM_ERR_INVALID,
                               "a rank with a coefficient or two terms: pesim has such sliding windows only in the "
                               "inputs, at most two");
            for (int j = 0; j < r->n; j++) {
                flags[r->t[j].dim] |= in;
                win_of[r->t[j].dim] = n_win;
                coef[r->t[j].dim] = r->t[j].coef;
            }
            n_win++;
        }
    }
    /* the window dims: the one in the outputs is the output dim, the one in the weights the filter dim */
    for (int i = 0; i < s->n_dims; i++) {
        if (win_of[i] < 0) continue;
        int f = flags[i] & (IN_W | IN_O);
        if (f == IN_O) flags[i] |= WIN_OUT;
        else if (f == IN_W) flags[i] |= WIN_FILT;
        else
            return tl_fail(d, &s->dim_at[i], PESIM_ERR_INVALID,
                           "dimension '%s' is in a sliding window of the inputs but in %s: it must be in the outputs "
                           "(like P) or in the weights (like R), not both or neither",
                           s->dim[i], f ? "both weights and outputs" : "neither weights nor outputs");
    }
    /* windows: the first pairs with P/R and the second with Q/S, unless names say otherwise */
    int win_slot[2] = {0, 1};
    for (int i = 0; i < s->n_dims; i++) {
        if (win_of[i] < 0) continue;
        const char *n = s->dim[i];
        int want = -1;
        if (tl_ieq(n, "P") || tl_ieq(n, "R")) want = 0;
        if (tl_ieq(n, "Q") || tl_ieq(n, "S")) want = 1;
        if (want >= 0) {
            win_slot[win_of[i]] = want;
            win_slot[1 - win_of[i]] = 1 - want;
        }
    }
    int used = 0, plain_io[DIMS_MAX] = {0};
    for (int i = 0; i < s->n_dims; i++) {
        int f = flags[i] & (IN_W | IN_I | IN_O);
        if (flags[i] & WIN_OUT) role[i] = win_slot[win_of[i]] ? PESIM_DIM_Q : PESIM_DIM_P;
        else if (flags[i] & WIN_FILT) role[i] = win_slot[win_of[i]] ? PESIM_DIM_S : PESIM_DIM_R;
        else if (f == (IN_W | IN_I | IN_O)) role[i] = PESIM_DIM_G;
        else if (f == (IN_W | IN_O)) role[i] = PESIM_DIM_K;
        else if (f == (IN_W | IN_I)) role[i] = PESIM_DIM_C;
        else if (f == (IN_I | IN_O)) plain_io[i] = 1; /* N, or a P / Q without its filter dim: below */
        else
            return tl_fail(d, &s->dim_at[i], PESIM_ERR_INVALID,
                           "dimension '%s' indexes %s: in pesim's layers a dim indexes two or three of weights, "
                           "inputs and outputs",
                           s->dim[i],
                           f == IN_W ? "only the weights" : f == IN_I ? "only the inputs"
                                                          : f == IN_O ? "only the outputs" : "no data space");
        if (role[i] >= 0) {
            if ((used >> role[i]) & 1)
                return tl_fail(d, &s->dim_at[i], PESIM_ERR_INVALID,
                               "dimension '%s' would be pesim's %s, which another dimension already is", s->dim[i],
                               pesim_dim_name((pesim_dim)role[i]));
            used |= 1 << role[i];
        }
    }
    /* inputs-and-outputs dims: N, P or Q (by name first, then in that order) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->n_dims; i++) {
            if (!plain_io[i] || role[i] >= 0) continue;
            int want = tl_ieq(s->dim[i], "P") ? PESIM_DIM_P : tl_ieq(s->dim[i], "Q") ? PESIM_DIM_Q : PESIM_DIM_N;
            if (pass == 1) want = !((used >> PESIM_DIM_N) & 1)   ? PESIM_DIM_N
                                  : !((used >> PESIM_DIM_P) & 1) ? PESIM_DIM_P
                                  : !((used >> PESIM_DIM_Q) & 1) ? PESIM_DIM_Q
                                                                 : -1;
            if (want >= 0 && !((used >> want) & 1)) {
                role[i] = want;
                used |= 1 << want;
            } else if (pass == 1) {
                return tl_fail(d, &s->dim_at[i], PESIM_ERR_INVALID,
                               "dimension '%s': more inputs-and-outputs dims than pesim's N, P and Q", s->dim[i]);
            }
        }
    /* a P (Q) that is plain in the inputs must not meet an R (S) */
    for (int i = 0; i < s->n_dims; i++)
        if ((role[i] == PESIM_DIM_P && win_of[i] < 0 && ((used >> PESIM_DIM_R) & 1)) ||
            (role[i] == PESIM_DIM_Q && win_of[i] < 0 && ((used >> PESIM_DIM_S) & 1)))
            return tl_fail(d, &s->dim_at[i], PESIM_ERR_INVALID, "dimension '%s' and its filter dimension are not a "
                           "sliding window of the inputs", s->dim[i]);
    pesim_layer *l = &out->layer;
    for (int k = 0; k < PESIM_NDIMS; k++) l->dim[k] = 1;
    l->stride_h = l->stride_w = l->dilation_h = l->dilation_w = 1;
    for (int i = 0; i < s->n_dims; i++) {
        int r = role[i];
        l->dim[r] = bound[i];
        snprintf(out->dim_name[r], sizeof out->dim_name[r], "%s", s->dim[i]);
        if (coef[i] < 1 || coef[i] > INT32_MAX)
            return tl_fail(d, &s->dim_at[i], PESIM_ERR_RANGE, "a stride or dilation of %lld", (long long)coef[i]);
        if (r == PESIM_DIM_P) l->stride_h = (int32_t)coef[i];
        if (r == PESIM_DIM_Q) l->stride_w = (int32_t)coef[i];
        if (r == PESIM_DIM_R) l->dilation_h = (int32_t)coef[i];
        if (r == PESIM_DIM_S) l->dilation_w = (int32_t)coef[i];
    }
    for (int i = 0; i < PESIM_NTENSORS; i++)
        snprintf(out->space_name[s->sp[i].tensor], sizeof out->space_name[0], "%s", s->sp[i].name);
    if (!pesim_layer_within_bounds(l))
        return tl_fail(d, sh, PESIM_ERR_RANGE, "the layer's iterations or input words exceed 2^48");
    return PESIM_OK;
}

static pesim_status load(tl_doc *d, pesim_tl_problem *out)
{
    pesim_status st;
    tl_at root = tl_root(d);
    if ((st = tl_need_map(d, &root))) return st;
    tl_at prob = tl_get(d, &root, "problem");
    if (!prob.n) return tl_missing(d, &root, "problem", "no `problem` in this file (is it a Timeloop problem?)");
    if ((st = tl_need_map(d, &prob))) return st;
    shape *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(d->e, PESIM_ERR_NOMEM, d->name, 0, NULL, "out of memory");
    tl_at sh = tl_get(d, &prob, "shape");
    tl_doc builtin;
    memset(&builtin, 0, sizeof builtin);
    tl_doc *sd = d;
    const char *named = tl_scalar(&sh);
    if (!sh.n || named) {
        if (named && !tl_ieq(named, "cnn-layer") && !tl_ieq(named, "cnn_layer")) {
            st = tl_fail(d, &sh, PESIM_ERR_INVALID,
                         "the built-in shape '%s': pesim knows cnn-layer; give other shapes in full", named);
            goto out;
        }
        if ((st = tl_open(&builtin, NULL, cnn_layer, "<cnn-layer shape>", d->e))) goto out;
        sd = &builtin;
        tl_at broot = tl_root(&builtin);
        sh = tl_get(&builtin, &broot, "shape");
    }
    if ((st = tl_need_map(sd, &sh)) || (st = read_names(sd, &sh, s)) || (st = read_spaces(sd, &sh, s))) goto out;
    int64_t bound[DIMS_MAX];
    tl_at inst = tl_get(d, &prob, "instance");
    if ((st = read_instance(d, inst.n ? &inst : &prob, s, bound))) goto out;
    memset(out, 0, sizeof *out);
    if ((st = assign(d, &prob, s, bound, out))) goto out;
    out->layer.op = PESIM_OP_CONV;
    out->layer.n_inputs = 1;
    out->layer.inputs[0] = PESIM_NETWORK_INPUT;
    out->layer.line = prob.line;
    /* named after the file: "prob/conv1d.prob.yaml" -> "conv1d" */
    const char *base = strrchr(d->name, '/');
    base = base ? base + 1 : d->name;
    size_t len = strcspn(base, ".");
    if (len == 0 || len >= sizeof out->layer.name) len = strlen("layer"), base = "layer";
    memcpy(out->layer.name, base, len);
    out->layer.name[len] = '\0';
    pesim_error le;
    pesim_error_clear(&le);
    if ((st = pesim_layer_check(&out->layer, &le))) st = tl_fail(d, &prob, st, "%s", le.msg);
out:
    if (sd == &builtin || builtin.loaded) tl_close(&builtin);
    free(s);
    return st;
}

pesim_status pesim_timeloop_load_problem(const char *path, pesim_tl_problem *out, pesim_error *e)
{
    if (!path || !out) return pesim_error_set(e, PESIM_ERR_INVALID, path, 0, NULL, "timeloop problem: NULL argument");
    tl_doc d;
    pesim_status st = tl_open(&d, path, NULL, NULL, e);
    if (!st) st = load(&d, out);
    tl_close(&d);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

pesim_status pesim_timeloop_load_problem_string(const char *text, const char *name, pesim_tl_problem *out,
                                                pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "timeloop problem: NULL argument");
    tl_doc d;
    pesim_status st = tl_open(&d, NULL, text, name, e);
    if (!st) st = load(&d, out);
    tl_close(&d);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

/* ---------------------------------------------------------------- writing */

/* A rank of one dim, [[name]]. */
static void rank1(tl_emit *t, const char *dim)
{
    tl_emit_seq(t, 1);
    tl_emit_seq(t, 1);
    tl_emit_str(t, dim);
    tl_emit_end_seq(t);
    tl_emit_end_seq(t);
}

/* A window rank, [[filter, dilation], [output, stride]]. */
static void rank_window(tl_emit *t, const char *filt, const char *dil, const char *outd, const char *stride)
{
    tl_emit_seq(t, 1);
    tl_emit_seq(t, 1);
    tl_emit_str(t, filt);
    tl_emit_str(t, dil);
    tl_emit_end_seq(t);
    tl_emit_seq(t, 1);
    tl_emit_str(t, outd);
    tl_emit_str(t, stride);
    tl_emit_end_seq(t);
    tl_emit_end_seq(t);
}

char *pesim_timeloop_problem_text(const pesim_layer *l, pesim_tl_problem *names, pesim_error *e)
{
    pesim_error_clear(e);
    /* padding is not written: pesim's loops already run over the padded input, as Timeloop's do */
    if (!l || !pesim_layer_has_macs(l)) {
        pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, l ? l->name : NULL, "a Timeloop problem is a MAC layer");
        return NULL;
    }
    if (pesim_layer_check(l, e) != PESIM_OK) return NULL;
    /* pesim dim -> Timeloop name; G only when there are groups */
    static const char *const tl_name[PESIM_NDIMS] = {"G", "N", "M", "C", "P", "Q", "R", "S"};
    int grouped = l->dim[PESIM_DIM_G] > 1;
    pesim_tl_problem p;
    memset(&p, 0, sizeof p);
    p.layer = *l;
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (d != PESIM_DIM_G || grouped) snprintf(p.dim_name[d], sizeof p.dim_name[d], "%s", tl_name[d]);
    snprintf(p.space_name[PESIM_WEIGHTS], sizeof p.space_name[0], "Weights");
    snprintf(p.space_name[PESIM_INPUTS], sizeof p.space_name[0], "Inputs");
    snprintf(p.space_name[PESIM_OUTPUTS], sizeof p.space_name[0], "Outputs");
    tl_emit t;
    tl_emit_begin(&t);
    tl_emit_map(&t, 0);
    tl_emit_str(&t, "problem");
    tl_emit_map(&t, 0);
    tl_emit_str(&t, "shape");
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", grouped ? "Grouped-CNN-Layer" : "CNN-Layer");
    tl_emit_str(&t, "dimensions");
    tl_emit_seq(&t, 1);
    static const int order[] = {PESIM_DIM_G, PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_R, PESIM_DIM_S,
                                PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_Q};
    for (int i = 0; i < PESIM_NDIMS; i++)
        if (p.dim_name[order[i]][0]) tl_emit_str(&t, p.dim_name[order[i]]);
    tl_emit_end_seq(&t);
    tl_emit_str(&t, "coefficients");
    tl_emit_seq(&t, 0);
    static const char *const coefs[4] = {"Wstride", "Hstride", "Wdilation", "Hdilation"};
    for (int i = 0; i < 4; i++) {
        tl_emit_map(&t, 1);
        tl_emit_kv(&t, "name", coefs[i]);
        tl_emit_kv_int(&t, "default", 1);
        tl_emit_end_map(&t);
    }
    tl_emit_end_seq(&t);
    tl_emit_str(&t, "data-spaces");
    tl_emit_seq(&t, 0);
    /* Weights [G][C][M][R][S], Inputs [N][G][C][R,P][S,Q], Outputs [N][G][M][P][Q] */
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", "Weights");
    tl_emit_str(&t, "projection");
    tl_emit_seq(&t, 1);
    if (grouped) rank1(&t, "G");
    rank1(&t, "C"), rank1(&t, "M"), rank1(&t, "R"), rank1(&t, "S");
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t);
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", "Inputs");
    tl_emit_str(&t, "projection");
    tl_emit_seq(&t, 1);
    rank1(&t, "N");
    if (grouped) rank1(&t, "G");
    rank1(&t, "C");
    rank_window(&t, "R", "Wdilation", "P", "Wstride");
    rank_window(&t, "S", "Hdilation", "Q", "Hstride");
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t);
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", "Outputs");
    tl_emit_str(&t, "projection");
    tl_emit_seq(&t, 1);
    rank1(&t, "N");
    if (grouped) rank1(&t, "G");
    rank1(&t, "M"), rank1(&t, "P"), rank1(&t, "Q");
    tl_emit_end_seq(&t);
    tl_emit_kv(&t, "read-write", "True");
    tl_emit_end_map(&t);
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t); /* shape */
    tl_emit_str(&t, "instance");
    tl_emit_map(&t, 0);
    for (int i = 0; i < PESIM_NDIMS; i++)
        if (p.dim_name[order[i]][0]) tl_emit_kv_int(&t, p.dim_name[order[i]], l->dim[order[i]]);
    /* Timeloop pairs R with P under the W names: pesim's (P, R) direction */
    tl_emit_kv_int(&t, "Wstride", l->stride_h);
    tl_emit_kv_int(&t, "Hstride", l->stride_w);
    tl_emit_kv_int(&t, "Wdilation", l->dilation_h);
    tl_emit_kv_int(&t, "Hdilation", l->dilation_w);
    tl_emit_end_map(&t);
    tl_emit_end_map(&t); /* problem */
    tl_emit_end_map(&t);
    char *text = tl_emit_finish(&t, e);
    if (text && names) *names = p;
    return text;
}
