/* cli/opts.h - a declarative long-option parser and the --help it implies.
 *
 * A subcommand declares its options as a static table; cli_parse() fills the
 * table's targets and cli_help() prints the help from the same table, so the
 * two never disagree. Accepted forms: `--name VALUE`, `--name=VALUE`, `--flag`,
 * and `-h`/`--help` everywhere. Positional arguments are rejected, as is an
 * option given twice (a repeated option is almost always a mistake in a
 * script). */
#ifndef PESIM_CLI_OPTS_H
#define PESIM_CLI_OPTS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cli_opt {
    const char *name;     /* long name without "--"; NULL ends the table */
    const char *metavar;  /* NULL: a flag without a value */
    const char *help;     /* one line */
    const char **value;   /* options with a value: set to the argument (argv storage) */
    int *flag;            /* flags: set to 1 when given */
} cli_opt;

/* Help text of one subcommand. */
typedef struct cli_usage {
    const char *name;     /* "run" */
    const char *synopsis; /* "--arch FILE --workload FILE [--layer NAME] ..." */
    const char *summary;  /* one paragraph, may contain newlines */
    const char *notes;    /* printed after the options; may be NULL */
} cli_usage;

enum { CLI_PARSE_OK = 0, CLI_PARSE_HELP = 1, CLI_PARSE_ERROR = 2 };

/* Parses argv[1..argc-1] against opts. Returns CLI_PARSE_OK, CLI_PARSE_HELP
 * (help was printed on stdout; the caller exits 0) or CLI_PARSE_ERROR (a
 * message naming the problem was printed on stderr; the caller exits 2). */
int cli_parse(const cli_usage *u, const cli_opt *opts, int argc, char **argv);

/* For subcommands whose first word is a format (`pesim import timeloop ...`):
 * how many arguments after argv[0] precede the options (1: the format; 0:
 * -h/--help given instead), or -1 after printing "<cmd>: the format comes
 * first: '<example>' (<format> is the one format)" on stderr. */
int cli_format_word(const char *cmd, const char *format, const char *example, int argc, char **argv);

/* Parses a decimal integer option value in [lo, hi] into *v; returns 0, or
 * -1 after "<cmd>: --<opt> <s>: expected an integer in [lo, hi]". */
int cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *v);

/* Prints the usage line, summary, option table and notes to f. */
void cli_help(const cli_usage *u, const cli_opt *opts, FILE *f);

#endif
