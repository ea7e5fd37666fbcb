/* cli/sweep_param.h - `pesim sweep --param KEY=SPEC`: hardware parameters on
 * the command line, written as an experiment file (docs/search.md 1.2) that
 * the sweep then loads like any other.
 *
 * SPEC is a list "8,16,32" (numbers, or words such as "rs" that become
 * strings), a geometric range "16384:262144:x2" (from, to, factor) or an
 * arithmetic one "4096:65536:+4096" (from, to, step; both inclusive). */
#ifndef PESIM_CLI_SWEEP_PARAM_H
#define PESIM_CLI_SWEEP_PARAM_H

#include <stddef.h>

#include "experiment.h"

#define SWEEP_MAX_PARAMS 32

/* Removes every "--param X" / "--param=X" of argv (argc updated, order of the
 * rest kept) into params (at most SWEEP_MAX_PARAMS; *n their count). Returns
 * 0, or -1 after a message (a --param without its value, too many). */
int cli_sweep_take_params(int *argc, char **argv, const char **params, int *n);

/* Writes the experiment of the --param specs to `path`: name "cli", the
 * arch and workload files, the objective (NULL: the default). Returns 0, or
 * -1 after a message naming the --param that is wrong (exit 2) or the file
 * that cannot be written. */
int cli_sweep_write_experiment(const char *path, const char *arch, const char *workload, const char *objective,
                               const char *const *params, int n);

/* Loads the experiment of a sweep: the file `experiment` (arch, workload:
 * NULL for the experiment's), or when it is NULL the --param specs (arch,
 * workload: NULL for the defaults, found by cli_find_data; objective: NULL
 * for the default) through a temporary experiment file under $TMPDIR, which
 * is removed. Returns CLI_OK, or the exit status after a message. */
int cli_sweep_load(const char *experiment, const char *arch, const char *workload, const char *objective,
                   const char *const *params, int n, cli_experiment *x);

#endif
