/* cli/evaluators.c - the --eval table and the engine options (see evaluators.h). */
#include <stdio.h>
#include <string.h>

#include "pesim/model.h"
#ifdef PESIM_HAVE_SYSTEMC
#include "pesim/systemc.h"
#define SYSTEMC_EVAL pesim_systemc_run
#else
#define SYSTEMC_EVAL NULL /* not built: the SystemC library was not found */
#endif

#include "cli.h"
#include "evaluators.h"

/* The analytical model under the common signature: no options, no stats. */
static pesim_status analytical(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                               const pesim_engine_options *opt, pesim_cost *out,
                               pesim_engine_stats *stats)
{
    (void)opt;
    if (stats)
        memset(stats, 0, sizeof *stats);
    return pesim_model_evaluate(a, l, m, out);
}

static const cli_evaluator evaluators[] = {
    {"analytical", "analytical model", analytical, CLI_EVAL_BOUNDS, NULL},
    {"cycle", "cycle engine", pesim_engine_run, CLI_EVAL_ENGINE, NULL},
    {"systemc", "SystemC reference", SYSTEMC_EVAL, CLI_EVAL_ENGINE, "cycle"},
};
#define N_EVALUATORS (sizeof evaluators / sizeof evaluators[0])

const cli_evaluator *cli_evaluator_find(const char *name)
{
    for (size_t i = 0; i < N_EVALUATORS; i++)
        if (strcmp(evaluators[i].name, name) == 0)
            return &evaluators[i];
    return NULL;
}

const cli_evaluator *cli_evaluator_list(size_t *n)
{
    *n = N_EVALUATORS;
    return evaluators;
}

void cli_eval_failure_text(const cli_evaluator *ev, pesim_status s, const char *why, char *buf, size_t n)
{
    if (!why || !why[0])
        why = pesim_status_name(s);
    if (cli_eval_out_of_range(s))
        snprintf(buf, n, "out of the %s's range: %.*s", ev->title, PESIM_MSG_MAX, why);
    else
        snprintf(buf, n, "evaluator: %.*s", PESIM_MSG_MAX, why);
}

const char *cli_evaluator_names(void)
{
    static char names[128];
    if (!names[0]) {
        for (size_t i = 0; i < N_EVALUATORS; i++) {
            if (i > 0)
                strncat(names, "|", sizeof names - strlen(names) - 1);
            strncat(names, evaluators[i].name, sizeof names - strlen(names) - 1);
        }
    }
    return names;
}

int cli_engine_args_given(const cli_engine_args *in)
{
    return in->dram_sched || in->stall_free || in->no_refresh;
}

int cli_engine_options(const char *cmd, const cli_engine_args *in, pesim_engine_options *out)
{
    memset(out, 0, sizeof *out);
    out->stall_free = in->stall_free != 0;
    out->no_refresh = in->no_refresh != 0;
    if (!in->dram_sched || strcmp(in->dram_sched, "frfcfs") == 0) {
        out->dram_fcfs = 0;
    } else if (strcmp(in->dram_sched, "fcfs") == 0) {
        out->dram_fcfs = 1;
    } else {
        cli_error("%s: unknown DRAM scheduler '%s' (--dram-sched frfcfs|fcfs)", cmd,
                  in->dram_sched);
        return CLI_USAGE;
    }
    return CLI_OK;
}

const char *cli_dram_sched_name(const pesim_engine_options *opt)
{
    return opt->dram_fcfs ? "fcfs" : "frfcfs";
}
