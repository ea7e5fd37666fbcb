/* cli/msg.c - messages on stderr (see cli.h for the rules). */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

static const char *g_argv0 = "pesim";

void cli_set_argv0(const char *argv0)
{
    if (argv0 && argv0[0])
        g_argv0 = argv0;
}

const char *cli_argv0(void) { return g_argv0; }

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("pesim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_report(const pesim_error *e, const char *path)
{
    char buf[PESIM_PATH_MAX + PESIM_KEY_MAX + PESIM_MSG_MAX + 32];
    pesim_error_format(e, buf, sizeof buf);
    if (e->file[0] == '\0' && path && path[0])
        cli_error("%s: %s", path, buf);
    else
        cli_error("%s", buf);
}
