/* cli/info.h - the two halves of `pesim info` (cmd_info.c parses and
 * dispatches). Each prints its human table on `text` (NULL: none) and writes
 * JSON / CSV on the given streams (NULL: none). */
#ifndef PESIM_CLI_INFO_H
#define PESIM_CLI_INFO_H

#include <stdio.h>

#include "pesim/arch.h"
#include "pesim/workload.h"

void cli_info_workload_text(const pesim_network *net, const char *path, FILE *text);
void cli_info_workload_json(const pesim_network *net, const char *path, FILE *f);
void cli_info_workload_csv(const pesim_network *net, FILE *f);

void cli_info_arch_text(const pesim_arch *a, const char *path, FILE *text);
void cli_info_arch_json(const pesim_arch *a, const char *path, FILE *f);
void cli_info_arch_csv(const pesim_arch *a, FILE *f);

#endif
