/* cli/cmd_stubs.c - subcommands that are in the command table and the help
 * but not implemented yet. Each prints "not available yet" and exits 1 (a run
 * that cannot be done), after honouring --help. When one is implemented it
 * moves to its own cmd_<name>.c and its entry here goes away. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct stub {
    const char *name;
    const char *synopsis;   /* the contract of DESIGN.md, for --help */
    const char *plan;       /* what will add it */
} stub;

static const stub stubs[] = {
    {"sweep", "...", "issue: hardware sweeps"},
};

static int run_stub(const char *name, int argc, char **argv)
{
    const stub *s = NULL;
    for (size_t i = 0; i < sizeof stubs / sizeof stubs[0]; i++)
        if (strcmp(stubs[i].name, name) == 0)
            s = &stubs[i];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: pesim %s %s\n\nnot available yet (%s).\n", s->name, s->synopsis,
                   s->plan);
            return CLI_OK;
        }
    }
    cli_error("%s: not available yet (%s)", s->name, s->plan);
    return CLI_FAIL;
}

int cli_cmd_sweep(int argc, char **argv) { return run_stub("sweep", argc, argv); }
