/* cli/inputs.h - the inputs `run` and `compare` share: an architecture, a
 * network, optionally one layer of it and a mapping for that layer. */
#ifndef PESIM_CLI_INPUTS_H
#define PESIM_CLI_INPUTS_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/config.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

/* The options as given (NULL: not given). */
typedef struct cli_input_args {
    const char *arch, *workload, *layer, *mapping;
} cli_input_args;

/* The loaded inputs. Large structs live on the heap (the arch alone is
 * several kB). */
typedef struct cli_inputs {
    const char *arch_path, *workload_path;   /* resolved (given, or the shipped default) */
    pesim_arch *arch;
    pesim_network net;
    int32_t only;                            /* --layer's index, or -1: every layer */
    pesim_mapping *user;                     /* --mapping, or NULL: the default mapper */
    char arch_buf[PESIM_PATH_MAX * 4], workload_buf[PESIM_PATH_MAX * 4];
} cli_inputs;

/* Checks the combination of options that needs no file (--mapping needs
 * --layer). Returns CLI_OK or prints a message and returns CLI_USAGE. */
int cli_inputs_check(const char *cmd, const cli_input_args *o);

/* Resolves the default paths and loads everything into *in (zeroed first).
 * Returns CLI_OK; CLI_USAGE for bad input (message printed: missing file,
 * config error, unknown layer, a mapping that is not one of the layer on the
 * arch); CLI_FAIL when out of memory. *in must be freed with cli_inputs_free
 * whatever the result. */
int cli_inputs_load(const char *cmd, const cli_input_args *o, cli_inputs *in);

void cli_inputs_free(cli_inputs *in);

#endif
