/* cli/load.h - loading the inputs of a subcommand, reporting errors the
 * command-line way. Each returns CLI_OK, or prints "pesim: file:line: key:
 * message" on stderr and returns CLI_USAGE (bad input is exit status 2). On
 * failure the output is left as the library leaves it (zeroed/freed). */
#ifndef PESIM_CLI_LOAD_H
#define PESIM_CLI_LOAD_H

#include <stddef.h>

#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

int cli_load_network(const char *path, pesim_network *out);
int cli_load_arch(const char *path, pesim_arch *out);
int cli_load_mapping(const char *path, const pesim_arch *a, pesim_mapping *out);

/* Resolves an input path: the user's path when given (returned unchanged),
 * else the shipped default found by cli_find_data (into buf). Returns NULL
 * and prints a message when the default cannot be found. */
const char *cli_input_path(const char *given, const char *default_rel, const char *what,
                           char *buf, size_t n);

/* Looks up a layer by name. Returns its index, or prints "unknown layer" with
 * the closest names of the network on stderr and returns -1. */
int cli_find_layer(const pesim_network *net, const char *name, const char *path);

#endif
