/* cli/evaluators.h - the evaluators `--eval NAME` selects, as a static table.
 *
 * Every evaluator has the analytical model's signature (pesim/model.h): it
 * fully overwrites *out; an infeasible mapping is out->valid == 0 with a
 * reason, and a non-OK status means the arguments were unusable. An entry
 * whose fn is NULL is a known evaluator that is not built yet: selecting it
 * is a failed run (exit 1), not bad usage. Adding an evaluator is one line in
 * evaluators.c. */
#ifndef PESIM_CLI_EVALUATORS_H
#define PESIM_CLI_EVALUATORS_H

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

typedef pesim_status (*cli_eval_fn)(const pesim_arch *a, const pesim_layer *l,
                                    const pesim_mapping *m, pesim_cost *out);

typedef struct cli_evaluator {
    const char *name;      /* the --eval value */
    cli_eval_fn fn;        /* NULL: not built yet */
} cli_evaluator;

/* The default --eval value. */
#define CLI_DEFAULT_EVALUATOR "analytical"

/* The evaluator called name, or NULL (unknown name). */
const cli_evaluator *cli_evaluator_find(const char *name);

/* "analytical|cycle|systemc": the names, for messages and help. */
const char *cli_evaluator_names(void);

#endif
