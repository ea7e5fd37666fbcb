/* cli/sweep_param.c - `pesim sweep --param` (see sweep_param.h). POSIX:
 * mkstemp. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "paths.h"
#include "sweep_param.h"

int cli_sweep_take_params(int *argc, char **argv, const char **params, int *n)
{
    int out = 1;
    *n = 0;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--param") == 0) {
            if (i + 1 >= *argc) {
                cli_error("sweep: --param needs KEY=VALUES (e.g. --param GLB.capacity_words=16384:262144:x2)");
                return -1;
            }
            v = argv[++i];
        } else if (strncmp(argv[i], "--param=", 8) == 0) {
            v = argv[i] + 8;
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (*n == SWEEP_MAX_PARAMS) {
            cli_error("sweep: more than %d --param options", SWEEP_MAX_PARAMS);
            return -1;
        }
        params[(*n)++] = v;
    }
    *argc = out;
    return 0;
}

/* 1 when s is a whole finite number. */
static int is_number(const char *s, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    return end != s && !*end && !errno;
}

/* Writes one --param's entry; -1 after a message. */
static int write_param(FILE *f, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        cli_error("sweep: --param %s: expected KEY=VALUES (a list 8,16,32, or FROM:TO:xFACTOR, or FROM:TO:+STEP)",
                  spec);
        return -1;
    }
    for (const char *p = spec; p < eq; p++)
        if (!(p[0] == '.' || p[0] == '_' || (p[0] >= '0' && p[0] <= '9') || (p[0] >= 'a' && p[0] <= 'z') ||
              (p[0] >= 'A' && p[0] <= 'Z'))) {
            cli_error("sweep: --param %s: '%.*s' is not an architecture key (e.g. GLB.capacity_words)", spec,
                      (int)(eq - spec), spec);
            return -1;
        }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", eq + 1);
    fprintf(f, "    { key = \"%.*s\"; ", (int)(eq - spec), spec);
    if (strchr(buf, ':')) {
        char *a = buf, *b = strchr(a, ':'), *c;
        *b++ = '\0';
        c = strchr(b, ':');
        if (c)
            *c++ = '\0';
        double x0, x1, st;
        int geo = c && *c == 'x', ok = c && is_number(a, &x0) && is_number(b, &x1);
        if (ok)
            ok = is_number(c + (*c == 'x' || *c == '+'), &st) && x0 <= x1 && (geo ? st > 1 : st > 0);
        if (!ok) {
            cli_error("sweep: --param %s: a range is FROM:TO:xFACTOR (factor > 1) or FROM:TO:+STEP (step > 0), "
                      "FROM <= TO", spec);
            return -1;
        }
        fprintf(f, "%s = [ %.17g, %.17g, %.17g ]; }", geo ? "geometric" : "range", x0, x1, st);
        return 0;
    }
    fputs("values = [ ", f);
    int first = 1;
    for (char *p = buf; p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        double x;
        if (!*p || strchr(p, '"') || strchr(p, '\\')) {
            cli_error("sweep: --param %s: an empty or quoted value in the list", spec);
            return -1;
        }
        fprintf(f, first ? "" : ", ");
        if (is_number(p, &x))
            fprintf(f, "%s", p);
        else if (strcmp(p, "true") == 0 || strcmp(p, "false") == 0)
            fprintf(f, "%s", p);
        else
            fprintf(f, "\"%s\"", p);
        first = 0;
        p = comma ? comma + 1 : NULL;
    }
    fputs(" ]; }", f);
    return 0;
}

int cli_sweep_write_experiment(const char *path, const char *arch, const char *workload, const char *objective,
                               const char *const *params, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error("sweep: %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# written by pesim sweep --param\nexperiment = {\n  name = \"cli\";\n");
    fprintf(f, "  arch = \"%s\";\n  workload = \"%s\";\n", arch, workload);
    if (objective)
        fprintf(f, "  objective = \"%s\";\n", objective);
    fputs("  params = (\n", f);
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        bad = write_param(f, params[i]);
        fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    fputs("  );\n};\n", f);
    if (fclose(f) != 0 && !bad) {
        cli_error("sweep: %s: %s", path, strerror(errno));
        return -1;
    }
    return bad ? -1 : 0;
}

int cli_sweep_load(const char *experiment, const char *arch, const char *workload, const char *objective,
                   const char *const *params, int n, cli_experiment *x)
{
    memset(x, 0, sizeof *x);
    if (experiment)
        return cli_experiment_load("sweep", experiment, arch, workload, 0, NULL, x);
    char a[1024], w[1024], tmp[64];
    cli_find_data(arch ? arch : CLI_DEFAULT_ARCH, a, sizeof a);
    cli_find_data(workload ? workload : CLI_DEFAULT_WORKLOAD, w, sizeof w);
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%.40s/pesim-sweep-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error("sweep: %s: %s", tmp, strerror(errno));
        return CLI_FAIL;
    }
    close(fd);
    int rc = CLI_USAGE;
    if (cli_sweep_write_experiment(tmp, a, w, objective, params, n) == 0)
        rc = cli_experiment_load("sweep", tmp, NULL, NULL, 0, NULL, x);
    remove(tmp);
    return rc;
}
