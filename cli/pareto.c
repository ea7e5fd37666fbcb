/* cli/pareto.c - the latency-energy-area Pareto front (see pareto.h). */
#include <stdlib.h>

#include "pareto.h"

static int dominates(const pesim_result *a, const pesim_result *b)
{
    return a->cycles <= b->cycles && a->energy_pj <= b->energy_pj && a->area_um2 <= b->area_um2 &&
           (a->cycles < b->cycles || a->energy_pj < b->energy_pj || a->area_um2 < b->area_um2);
}

static const pesim_result *g_sort_r;   /* qsort has no context argument in C11 */

static int cmp_lex(const void *pa, const void *pb)
{
    const pesim_result *a = &g_sort_r[*(const int64_t *)pa], *b = &g_sort_r[*(const int64_t *)pb];
    if (a->cycles != b->cycles)
        return a->cycles < b->cycles ? -1 : 1;
    if (a->energy_pj != b->energy_pj)
        return a->energy_pj < b->energy_pj ? -1 : 1;
    if (a->area_um2 != b->area_um2)
        return a->area_um2 < b->area_um2 ? -1 : 1;
    int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;
    return x < y ? -1 : x > y;
}

/* In lexicographic (cycles, energy, area) order a dominator comes first, and
 * a dominated point is dominated by a point of the front (transitivity), so
 * each point is compared with the front found so far only. */
int64_t cli_pareto_mark(const pesim_result *r, int64_t n, char *pareto)
{
    int64_t *ord = malloc((size_t)(n > 0 ? n : 1) * sizeof *ord), *front = malloc((size_t)(n > 0 ? n : 1) * sizeof *front);
    if (!ord || !front) {
        free(ord);
        free(front);
        return -1;
    }
    int64_t nv = 0, nf = 0;
    for (int64_t i = 0; i < n; i++) {
        pareto[i] = 0;
        if (r[i].valid)
            ord[nv++] = i;
    }
    g_sort_r = r;
    qsort(ord, (size_t)nv, sizeof *ord, cmp_lex);
    for (int64_t k = 0; k < nv; k++) {
        const pesim_result *p = &r[ord[k]];
        int dom = 0;
        for (int64_t j = 0; j < nf && !dom; j++)
            dom = dominates(&r[front[j]], p);
        if (!dom) {
            front[nf++] = ord[k];
            pareto[ord[k]] = 1;
        }
    }
    free(ord);
    free(front);
    return nf;
}

