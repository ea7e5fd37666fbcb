/* cli/pareto.h - the latency-energy-area Pareto front of `pesim sweep` and
 * `pesim report`: a valid point is on the front when no valid point is at
 * least as good in cycles, energy and area and better in one of them. */
#ifndef PESIM_CLI_PARETO_H
#define PESIM_CLI_PARETO_H

#include <stdint.h>

#include "pesim/search.h"

/* Marks pareto[i] = 1 for the valid points of r[0..n) that no valid point
 * dominates, 0 for the others. Returns the front's size, or -1 when out of
 * memory. Not reentrant (qsort without a context). */
int64_t cli_pareto_mark(const pesim_result *r, int64_t n, char *pareto);

#endif
