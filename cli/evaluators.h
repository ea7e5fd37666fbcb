/* cli/evaluators.h - the evaluators `--eval NAME` selects, as a static table,
 * and the cycle engine's options shared by `run` and `compare`.
 *
 * Every evaluator has one signature: it fully overwrites *out (pesim/cost.h);
 * an infeasible mapping is out->valid == 0 with a reason, and a non-OK status
 * means the arguments were unusable. opt and stats matter only to evaluators
 * with CLI_EVAL_ENGINE (others ignore opt and zero *stats). An entry whose fn
 * is NULL is a known evaluator that is not built yet: selecting it is a
 * failed run (exit 1), not bad usage. Adding an evaluator is one line in
 * evaluators.c. */
#ifndef PESIM_CLI_EVALUATORS_H
#define PESIM_CLI_EVALUATORS_H

#include <stddef.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/engine.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

typedef pesim_status (*cli_eval_fn)(const pesim_arch *a, const pesim_layer *l,
                                    const pesim_mapping *m, const pesim_engine_options *opt,
                                    pesim_cost *out, pesim_engine_stats *stats);

/* What an evaluator's results hold beyond pesim_cost's common fields. */
enum {
    CLI_EVAL_BOUNDS = 1,  /* level_cycles and noc_cycles: closed-form bandwidth bounds */
    CLI_EVAL_ENGINE = 2   /* simulates: takes pesim_engine_options, fills pesim_engine_stats */
};

typedef struct cli_evaluator {
    const char *name;      /* the --eval value, and the key in compare's JSON */
    const char *title;     /* for the human reports: "cycle engine" */
    cli_eval_fn fn;        /* NULL: not built yet */
    int flags;             /* CLI_EVAL_* */
    const char *equals;    /* the evaluator whose every result this one must equal exactly (the SystemC
                            * reference: "cycle", the engine it checks cycle for cycle), or NULL */
} cli_evaluator;

/* The default --eval value, and the reference `compare` measures the others against. */
#define CLI_DEFAULT_EVALUATOR "analytical"

/* The evaluator called name, or NULL (unknown name). */
const cli_evaluator *cli_evaluator_find(const char *name);

/* The table, in its order (the reference first); *n gets its length. */
const cli_evaluator *cli_evaluator_list(size_t *n);

/* 1 when an evaluator's status s says it could not run a mapping because
 * the mapping is out of its range (PESIM_ERR_RANGE: the SystemC reference
 * holds at most 4M transfers and blocks, and needs a DRAM clock ratio with
 * a denominator up to 1e6; pesim/systemc.h): "not run", not a failure. */
static inline int cli_eval_out_of_range(pesim_status s)
{
    return s == PESIM_ERR_RANGE;
}

/* Why evaluator ev could not run a mapping (status s, its message why) into
 * buf: "out of the SystemC reference's range: ..." when out of range, else
 * "evaluator: ...". */
void cli_eval_failure_text(const cli_evaluator *ev, pesim_status s, const char *why, char *buf, size_t n);

/* "analytical|cycle|systemc": the names, for messages and help. */
const char *cli_evaluator_names(void);

/* The cycle engine's options as given on the command line (NULL / 0: not given). */
typedef struct cli_engine_args {
    const char *dram_sched;   /* --dram-sched frfcfs|fcfs */
    int stall_free;           /* --stall-free */
    int no_refresh;           /* --no-refresh */
} cli_engine_args;

/* Checks and converts the engine options of subcommand cmd into *out.
 * Returns CLI_OK, or prints a message and returns CLI_USAGE (a bad
 * --dram-sched value). */
int cli_engine_options(const char *cmd, const cli_engine_args *in, pesim_engine_options *out);

/* 1 if any engine option was given. */
int cli_engine_args_given(const cli_engine_args *in);

/* "frfcfs" or "fcfs": the --dram-sched value of opt. */
const char *cli_dram_sched_name(const pesim_engine_options *opt);

#endif
