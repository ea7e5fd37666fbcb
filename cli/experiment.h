/* cli/experiment.h - what `pesim sweep` and `pesim search --experiment`
 * share: an experiment file (docs/search.md 1.2) loaded into its hardware
 * space, with --arch / --workload overriding the files the experiment names,
 * and the hardware values of a point as text, by key. */
#ifndef PESIM_CLI_EXPERIMENT_H
#define PESIM_CLI_EXPERIMENT_H

#include <stdio.h>

#include "pesim/arch.h"
#include "pesim/search.h"
#include "pesim/workload.h"

typedef struct cli_experiment {
    pesim_experiment ex;           /* what the file says */
    const char *arch_path;         /* used: --arch, else the experiment's */
    const char *workload_path;     /* used: --workload, else the experiment's */
    pesim_arch *arch;              /* loaded from --arch, else NULL */
    pesim_network net;             /* loaded from --workload (n_layers 0 when not) */
    int have_net;
    pesim_space *space;
} cli_experiment;

/* Loads the experiment `path` and builds its space (joint: hardware + every
 * layer's mapping; the experiment's own `joint = true` also makes it joint;
 * enc: the mapping encodings, NULL for the defaults). arch / workload (may
 * be NULL) override the experiment's files. Returns
 * CLI_OK, or prints a message and returns CLI_USAGE (CLI_FAIL when out of
 * memory). *x must be freed with cli_experiment_free whatever the result. */
int cli_experiment_load(const char *cmd, const char *path, const char *arch, const char *workload, int joint,
                        const pesim_space_options *enc, cli_experiment *x);
void cli_experiment_free(cli_experiment *x);

/* The number of hardware parameters at the front of the space. */
int32_t cli_experiment_n_hw(const pesim_space *s);

/* Writes the CSV header fields of the hardware keys ("BUF.fanout_x,...,")
 * and the values of a point's choices, each followed by a comma. */
void cli_experiment_csv_header(FILE *f, const pesim_space *s);
void cli_experiment_csv_values(FILE *f, const pesim_space *s, const int32_t *choices);

#endif
