/* cli/paths.h - finding the shipped data files (configs/, workloads/) and
 * naming output files. */
#ifndef PESIM_CLI_PATHS_H
#define PESIM_CLI_PATHS_H

#include <stddef.h>

/* The shipped defaults of `pesim run` and friends. */
#define CLI_DEFAULT_ARCH "configs/arch/eyeriss.cfg"
#define CLI_DEFAULT_WORKLOAD "workloads/resnet50.cfg"

/* Finds a shipped file given by its path relative to the source tree (e.g.
 * CLI_DEFAULT_ARCH). Looks, in order, relative to the current directory, then
 * relative to the executable's directory's parent, grandparent and great-
 * grandparent (so build/cli/pesim and build/Release/cli/pesim both find the
 * source tree). Writes the first existing path into buf and returns 0, or
 * returns -1 when none exists (buf then holds rel). */
int cli_find_data(const char *rel, char *buf, size_t n);

/* Writes "dir/<name>.cfg" into buf, with every character of name outside
 * [A-Za-z0-9._-] replaced by '_' (layer names become file names). Returns 0,
 * or -1 if it does not fit. */
int cli_cfg_path(const char *dir, const char *name, char *buf, size_t n);

/* Unique file stems for the outputs of one command (layer names become file
 * names): the stem of a name is the name with every character outside
 * [A-Za-z0-9._-] replaced by '_'; when that changed the name ("conv/a"),
 * "-" and 8 hex digits of a hash of the name follow ("conv_a-5c0f3e1a"), so
 * that it cannot be another layer's ("conv_a"); a stem already given (case
 * ignored, for case-insensitive file systems) gets "-2", "-3", ... Names are
 * given in a fixed order (the network's), so stems are stable across runs. */
typedef struct cli_names {
    int n, cap;
    char (*used)[96];
} cli_names;
/* Writes name's stem into buf (n bytes) and reserves it; 0, or -1 when it
 * does not fit or memory runs out. */
int cli_names_stem(cli_names *u, const char *name, char *buf, size_t n);
void cli_names_free(cli_names *u);

/* Creates directory dir if it does not exist (not its parents). Returns 0, or
 * prints a message and returns -1. */
int cli_make_dir(const char *dir);

#endif
