/* cli/rank.h - rank agreement of two evaluators over the same candidates
 * (`pesim compare --mappings`, `pesim report`): Spearman's rho (Pearson's
 * correlation of the average ranks, ties sharing their mean rank), Kendall's
 * tau-b (ties corrected) and the pairs the two order differently. */
#ifndef PESIM_CLI_RANK_H
#define PESIM_CLI_RANK_H

#include <stdint.h>

typedef struct cli_rank_agreement {
    int64_t n;             /* candidates */
    double spearman;       /* NaN when n < 2 or one side is constant */
    double kendall;        /* tau-b; NaN likewise */
    int64_t pairs;         /* n (n - 1) / 2 */
    int64_t discordant;    /* pairs ordered one way by a and the other by b (ties in either: not counted) */
} cli_rank_agreement;

/* Rank agreement of a[i] and b[i], i < n. Returns -1 when out of memory. */
int cli_rank_agree(const double *a, const double *b, int64_t n, cli_rank_agreement *out);

#endif
