/* search/algorithms/arco_features.c - the features of a candidate for the
 * surrogates of ARCO and the AutoTVM-like baseline (arco_impl.h). */
#include <math.h>
#include <stdlib.h>

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
