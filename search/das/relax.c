/* search/das/relax.c - the relaxed (expected) cost over categorical choices,
 * Gumbel-softmax samples and the straight-through gradient (pesim/das.h). */
#include "pesim/das.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/rl.h"

int32_t pesim_das_gumbel_softmax(const double *logits, int32_t n, double tau, gsl_rng *rng, double *y)
{
    double z[64], *zz = n <= 64 ? z : malloc((size_t)n * sizeof *zz);
    int32_t hard = 0;
    if (!zz) { /* out of memory: the argmax of the logits, no noise */
        for (int32_t c = 1; c < n; c++)
            if (logits[c] > logits[hard]) hard = c;
        if (y) pesim_rl_softmax(logits, NULL, n, tau, y);
        return hard;
    }
    for (int32_t c = 0; c < n; c++) {
        double u = gsl_rng_uniform_pos(rng);
        zz[c] = logits[c] - log(-log(u));
        if (zz[c] > zz[hard]) hard = c;
    }
    if (y) pesim_rl_softmax(zz, NULL, n, tau, y);
    if (zz != z) free(zz);
    return hard;
}

int32_t pesim_das_st_grad(const double *y, const double *v, int32_t n, double tau, double *grad)
{
    double sy = 0, syv = 0;
    int32_t known = 0;
    for (int32_t c = 0; c < n; c++)
        if (isfinite(v[c])) {
            known++;
            sy += y[c];
            syv += y[c] * v[c];
        }
    double vbar = sy > 0 ? syv / sy : 0;
    for (int32_t c = 0; c < n; c++) grad[c] = isfinite(v[c]) ? y[c] * (v[c] - vbar) / tau : 0;
    return known;
}

pesim_status pesim_das_expected_cost(int32_t n_params, const int32_t *n_choices, const double *logits,
                                     pesim_das_cost_fn fn, void *ctx, int32_t n_out, int64_t max_points,
                                     double *value, double *grad, pesim_error *e)
{
    if (n_params < 1 || n_out < 1)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "das: %d parameters, %d costs", n_params, n_out);
    int32_t total = 0;
    for (int32_t i = 0; i < n_params; i++) {
        if (n_choices[i] < 1)
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "das: parameter %d has no choice", i);
        total += n_choices[i];
    }
    double *p = malloc((size_t)total * sizeof *p);
    double *cond = calloc((size_t)total * (size_t)n_out, sizeof *cond); /* sum of w J over x with x_i = c */
    double *j = malloc((size_t)n_out * sizeof *j);
    int32_t *x = calloc((size_t)n_params, sizeof *x), *off = malloc((size_t)n_params * sizeof *off);
    int32_t *sup = malloc((size_t)total * sizeof *sup), *ns = calloc((size_t)n_params, sizeof *ns);
    int32_t *at = calloc((size_t)n_params, sizeof *at);
    pesim_status st = PESIM_OK;
    if (!p || !cond || !j || !x || !off || !sup || !ns || !at) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    /* the support: the choices of nonzero probability (the others weigh 0 in F
     * and get a zero gradient, p_c = 0) */
    int64_t points = 1;
    for (int32_t i = 0, o = 0; i < n_params; o += n_choices[i], i++) {
        off[i] = o;
        pesim_rl_softmax(logits + o, NULL, n_choices[i], 1.0, p + o);
        for (int32_t c = 0; c < n_choices[i]; c++)
            if (p[o + c] > 0) sup[o + ns[i]++] = c;
        if (points > max_points / ns[i]) {
            st = pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, NULL,
                                 "das: the support has more than %lld points to enumerate", (long long)max_points);
            goto done;
        }
        points *= ns[i];
        x[i] = sup[o];
    }
    for (int32_t o = 0; o < n_out; o++) value[o] = 0;
    for (int64_t k = 0; k < points; k++) {
        double w = 1;
        for (int32_t i = 0; i < n_params; i++) w *= p[off[i] + x[i]];
        st = fn(ctx, x, j);
        if (st != PESIM_OK) {
            pesim_error_set(e, st, NULL, 0, NULL, "das: the cost function failed at point %lld", (long long)k);
            goto done;
        }
        for (int32_t o = 0; o < n_out; o++) {
            value[o] += w * j[o];
            for (int32_t i = 0; i < n_params; i++) cond[(size_t)(off[i] + x[i]) * (size_t)n_out + (size_t)o] += w * j[o];
        }
        for (int32_t i = n_params - 1; i >= 0; i--) { /* the next point, the last parameter fastest */
            if (++at[i] < ns[i]) {
                x[i] = sup[off[i] + at[i]];
                break;
            }
            at[i] = 0;
            x[i] = sup[off[i]];
        }
    }
    /* cond[c] = p_c E[J | x_i = c], so dF/dlogit_c = p_c (E[J | c] - F) = cond[c] - p_c F */
    if (grad)
        for (int32_t i = 0; i < n_params; i++)
            for (int32_t c = 0; c < n_choices[i]; c++)
                for (int32_t o = 0; o < n_out; o++) {
                    size_t a = (size_t)(off[i] + c) * (size_t)n_out + (size_t)o;
                    grad[a] = cond[a] - p[off[i] + c] * value[o];
                }
done:
    free(p);
    free(cond);
    free(j);
    free(x);
    free(off);
    free(sup);
    free(ns);
    free(at);
    return st;
}
