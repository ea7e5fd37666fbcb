/* cli/cli.h - what the subcommands of `pesim` share: exit codes, the command
 * table entry, and the messaging rules.
 *
 * Rules every subcommand follows (docs/cli.md):
 * - human output goes to stdout; messages (errors, warnings) go to stderr, each
 *   prefixed with "pesim: "; nothing is written to stderr on success;
 * - exit status CLI_OK (0) success, CLI_FAIL (1) the run failed (an evaluation
 *   gave an invalid result, an evaluator is not built), CLI_USAGE (2) bad usage
 *   or bad input (unknown option, missing file, config error);
 * - a subcommand never calls exit(): it returns its status to main(). */
#ifndef PESIM_CLI_H
#define PESIM_CLI_H

#include "pesim/status.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* One subcommand. argv[0] is the subcommand's name; the return value is the
 * process exit status. */
typedef struct cli_command {
    const char *name;
    const char *summary;          /* one line for `pesim --help` */
    int (*run)(int argc, char **argv);
} cli_command;

/* The subcommands (one file each: cmd_<name>.c). */
int cli_cmd_info(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_search(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_dram(int argc, char **argv);
int cli_cmd_scalesim(int argc, char **argv);
int cli_cmd_import(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);
int cli_cmd_das(int argc, char **argv);

/* Prints "pesim: <message>\n" on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Prints a library error as "pesim: file:line: key: message" on stderr. When
 * the error names no file, `path` (may be NULL) is used in its place. */
void cli_report(const pesim_error *e, const char *path);

/* Records argv[0] of the process, used to find the executable's directory
 * when /proc/self/exe is not available. Called once by main(). */
void cli_set_argv0(const char *argv0);
const char *cli_argv0(void);

#endif
