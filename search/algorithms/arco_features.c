/* search/algorithms/arco_features.c - the features and labels of a
 * candidate for the surrogates of ARCO and the AutoTVM-like baseline
 * (arco_impl.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arco_impl.h"

pesim_status arco_features_init(arco_features *f, const algo_space *sp, pesim_error *e)
{
    f->n = sp->n;
    f->off = calloc((size_t)sp->n, sizeof *f->off);
    int64_t total = 0;
    for (int32_t i = 0; f->off && i < sp->n; i++) f->off[i] = total, total += sp->n_choices[i];
    f->val = calloc((size_t)(total ? total : 1), sizeof *f->val);
    if (!f->off || !f->val) {
        arco_features_free(f);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int32_t i = 0; i < sp->n; i++)
        for (int32_t c = 0; c < sp->n_choices[i]; c++) {
            double v = c;
            pesim_choice_value cv;
            if (sp->space && sp->kind[i] != PESIM_PARAM_ORDER_POS &&
                pesim_space_choice_value(sp->space, i, c, NULL, &cv) && isfinite(cv.number)) {
                int ordered = sp->kind[i] == PESIM_PARAM_TILE || sp->kind[i] == PESIM_PARAM_SPATIAL_FACTOR ||
                              sp->kind[i] == PESIM_PARAM_HARDWARE;
                v = ordered && cv.number > 0 ? log2(cv.number) : cv.number;
            }
            f->val[f->off[i] + c] = v;
        }
    return PESIM_OK;
}

void arco_features_free(arco_features *f)
{
    free(f->off);
    free(f->val);
    f->off = NULL, f->val = NULL;
}

void arco_features_row(const arco_features *f, const int32_t *x, double *row)
{
    for (int32_t i = 0; i < f->n; i++) row[i] = f->val[f->off[i] + x[i]];
}

void arco_labels_free(arco_labels *l)
{
    free(l->pending);
    l->pending = NULL;
    l->n_pending = 0;
}

void arco_labels_add(arco_labels *l, pesim_surrogate *sur, const double *f, int valid, double y, double penalty)
{
    if (valid) {
        if (!l->have_valid || y > l->worst) l->worst = y;
        l->have_valid = 1;
        pesim_surrogate_add(sur, f, &y, 1, NULL);
    } else if (l->have_valid) {
        double v = l->worst + penalty;
        pesim_surrogate_add(sur, f, &v, 1, NULL);
    } else {
        double *p = realloc(l->pending, (size_t)(l->n_pending + 1) * (size_t)l->nf * sizeof *p);
        if (!p) return;
        l->pending = p;
        memcpy(p + (size_t)l->n_pending * (size_t)l->nf, f, (size_t)l->nf * sizeof *f);
        l->n_pending++;
    }
}

void arco_labels_flush(arco_labels *l, pesim_surrogate *sur, double penalty)
{
    if (!l->have_valid) return;
    double v = l->worst + penalty;
    for (int64_t k = 0; k < l->n_pending; k++) pesim_surrogate_add(sur, l->pending + (size_t)k * (size_t)l->nf, &v, 1, NULL);
    l->n_pending = 0;
}
