/* cli/paths.c - shipped data lookup and output file names (see paths.h).
 * POSIX: readlink, realpath, stat, mkdir. */
#define _XOPEN_SOURCE 700  /* realpath is XSI */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory of the running executable into buf; -1 if unknown. Uses
 * /proc/self/exe (Linux), else argv[0] when it contains a '/'. */
static int exe_dir(char *buf, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len > 0) {
        buf[len] = '\0';
    } else {
        const char *a0 = cli_argv0();
        if (!strchr(a0, '/') || (size_t)snprintf(buf, n, "%s", a0) >= n)
            return -1;
    }
    char *slash = strrchr(buf, '/');
    if (!slash)
        return -1;
    if (slash == buf)
        slash[1] = '\0';   /* the executable is in "/" */
    else
        *slash = '\0';
    return 0;
}

int cli_find_data(const char *rel, char *buf, size_t n)
{
    if (is_file(rel)) {
        snprintf(buf, n, "%s", rel);
        return 0;
    }
    char dir[PATH_MAX];
    if (exe_dir(dir, sizeof dir) == 0) {
        static const char *const up[] = {"/..", "/../..", "/../../.."};
        for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
            if ((size_t)snprintf(buf, n, "%s%s/%s", dir, up[i], rel) < n && is_file(buf)) {
                char clean[PATH_MAX];          /* show /src/configs/..., not cli/../../.. */
                if (realpath(buf, clean) && strlen(clean) < n)
                    memcpy(buf, clean, strlen(clean) + 1);
                return 0;
            }
        }
    }
    snprintf(buf, n, "%s", rel);
    return -1;
}

int cli_cfg_path(const char *dir, const char *name, char *buf, size_t n)
{
    char safe[256];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof safe; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        safe[i] = ok ? c : '_';
    }
    safe[i] = '\0';
    int len = snprintf(buf, n, "%s/%s.cfg", dir, safe);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

static int taken(const cli_names *u, const char *stem)
{
    for (int i = 0; i < u->n; i++)
        if (strcasecmp(u->used[i], stem) == 0)
            return 1;
    return 0;
}

int cli_names_stem(cli_names *u, const char *name, char *buf, size_t n)
{
    char safe[64];
    size_t i = 0;
    int changed = 0;
    for (; name[i] && i + 1 < sizeof safe; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        safe[i] = ok ? c : '_';
        changed |= !ok;
    }
    safe[i] = '\0';
    changed |= name[i] != '\0';           /* cut */
    char stem[96];
    if (changed) {
        uint32_t h = 2166136261u;          /* FNV-1a of the name */
        for (const char *p = name; *p; p++)
            h = (h ^ (uint8_t)*p) * 16777619u;
        snprintf(stem, sizeof stem, "%s-%08x", safe, (unsigned)h);
    } else {
        snprintf(stem, sizeof stem, "%s", safe);
    }
    char try_[96];
    snprintf(try_, sizeof try_, "%s", stem);
    for (int k = 2; taken(u, try_); k++)
        snprintf(try_, sizeof try_, "%.80s-%d", stem, k);
    if (u->n == u->cap) {
        int cap = u->cap ? 2 * u->cap : 16;
        char (*used)[96] = realloc(u->used, (size_t)cap * sizeof *used);
        if (!used)
            return -1;
        u->used = used;
        u->cap = cap;
    }
    snprintf(u->used[u->n++], sizeof u->used[0], "%s", try_);
    int len = snprintf(buf, n, "%s", try_);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

void cli_names_free(cli_names *u)
{
    free(u->used);
    u->used = NULL;
    u->n = u->cap = 0;
}

int cli_make_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        cli_error("%s: exists and is not a directory", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}
