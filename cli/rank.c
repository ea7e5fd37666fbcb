/* cli/rank.c - Spearman and Kendall rank agreement (see rank.h). Kendall's
 * tau-b counts pairs directly (O(n^2): the studies rank hundreds of
 * mappings, not millions). */
#include <math.h>
#include <stdlib.h>

#include "rank.h"

static const double *g_key;   /* qsort has no context argument in C11 */

static int cmp_idx(const void *pa, const void *pb)
{
    double x = g_key[*(const int64_t *)pa], y = g_key[*(const int64_t *)pb];
    return x < y ? -1 : x > y;
}

/* Average ranks (1-based) of v into r. */
static int ranks(const double *v, int64_t n, double *r)
{
    int64_t *ord = malloc((size_t)(n > 0 ? n : 1) * sizeof *ord);
    if (!ord)
        return -1;
    for (int64_t i = 0; i < n; i++)
        ord[i] = i;
    g_key = v;
    qsort(ord, (size_t)n, sizeof *ord, cmp_idx);
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j + 1 < n && v[ord[j + 1]] == v[ord[i]])
            j++;
        double mean = 0.5 * (double)(i + j) + 1.0;
        for (int64_t k = i; k <= j; k++)
            r[ord[k]] = mean;
        i = j + 1;
    }
    free(ord);
    return 0;
}

static double pearson(const double *x, const double *y, int64_t n)
{
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= (double)n, my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

int cli_rank_agree(const double *a, const double *b, int64_t n, cli_rank_agreement *out)
{
    out->n = n;
    out->pairs = n * (n - 1) / 2;
    out->discordant = 0;
    out->spearman = out->kendall = NAN;
    if (n < 2)
        return 0;
    double *ra = malloc((size_t)n * sizeof *ra), *rb = malloc((size_t)n * sizeof *rb);
    if (!ra || !rb || ranks(a, n, ra) != 0 || ranks(b, n, rb) != 0) {
        free(ra);
        free(rb);
        return -1;
    }
    out->spearman = pearson(ra, rb, n);
    free(ra);
    free(rb);
    int64_t conc = 0, disc = 0, tie_a = 0, tie_b = 0;   /* tie_a: tied in a only; tie_b: in b only */
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) {
            double da = a[i] - a[j], db = b[i] - b[j];
            if (da == 0 && db == 0)
                continue;
            if (da == 0)
                tie_a++;
            else if (db == 0)
                tie_b++;
            else if ((da > 0) == (db > 0))
                conc++;
            else
                disc++;
        }
    out->discordant = disc;
    double den = sqrt((double)(conc + disc + tie_a) * (double)(conc + disc + tie_b));
    out->kendall = den > 0 ? (double)(conc - disc) / den : NAN;
    return 0;
}
