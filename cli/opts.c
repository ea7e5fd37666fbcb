/* cli/opts.c - long-option parsing and generated help (see opts.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"

/* The option called name (n characters of it), or NULL. */
static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t n)
{
    for (const cli_opt *o = opts; o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

int cli_parse(const cli_usage *u, const cli_opt *opts, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_help(u, opts, stdout);
            return CLI_PARSE_HELP;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            cli_error("%s: unexpected argument '%s' (see 'pesim %s --help')",
                      u->name, arg, u->name);
            return CLI_PARSE_ERROR;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const cli_opt *o = find_opt(opts, name, n);
        if (!o) {
            cli_error("%s: unknown option '--%.*s' (see 'pesim %s --help')",
                      u->name, (int)n, name, u->name);
            return CLI_PARSE_ERROR;
        }
        if (!o->metavar) {                    /* a flag */
            if (eq) {
                cli_error("%s: option '--%s' takes no value", u->name, o->name);
                return CLI_PARSE_ERROR;
            }
            if (*o->flag) {
                cli_error("%s: option '--%s' given twice", u->name, o->name);
                return CLI_PARSE_ERROR;
            }
            *o->flag = 1;
            continue;
        }
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            cli_error("%s: option '--%s' needs a value (%s)", u->name, o->name, o->metavar);
            return CLI_PARSE_ERROR;
        }
        if (value[0] == '\0') {
            cli_error("%s: option '--%s' has an empty value", u->name, o->name);
            return CLI_PARSE_ERROR;
        }
        if (*o->value) {
            cli_error("%s: option '--%s' given twice", u->name, o->name);
            return CLI_PARSE_ERROR;
        }
        *o->value = value;
    }
    return CLI_PARSE_OK;
}

void cli_help(const cli_usage *u, const cli_opt *opts, FILE *f)
{
    fprintf(f, "usage: pesim %s %s\n\n%s\n", u->name, u->synopsis, u->summary);
    if (opts[0].name) {
        fputs("\noptions:\n", f);
        for (const cli_opt *o = opts; o->name; o++) {
            char head[64];
            snprintf(head, sizeof head, "--%s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
            fprintf(f, "  %-24s %s\n", head, o->help);
        }
    }
    fprintf(f, "  %-24s %s\n", "-h, --help", "show this help and exit");
    if (u->notes)
        fprintf(f, "\n%s\n", u->notes);
}

int cli_format_word(const char *cmd, const char *format, const char *example, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], format) == 0)
        return 1;
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        return 0;
    cli_error("%s: the format comes first: '%s' (%s is the one format)", cmd, example, format);
    return -1;
}

int cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi) {
        cli_error("%s: --%s %s: expected an integer in [%lld, %lld]", cmd, opt, s, (long long)lo, (long long)hi);
        return -1;
    }
    *v = x;
    return 0;
}
