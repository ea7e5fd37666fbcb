/* util.c - helpers shared inside sim/ (core/util.h). */
#include "core/util.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pesim_status pesim_io_read_text(const char *path, char **out, pesim_error *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot open file: %s", strerror(errno));
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    for (;;) {
        if (cap - len < 2) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(buf);
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot read file: %s", strerror(err));
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        /* libconfig would stop at the NUL and silently ignore the rest */
        free(buf);
        return pesim_error_set(e, PESIM_ERR_PARSE, path, 0, NULL, "the file contains a NUL byte (not a text file?)");
    }
    *out = buf;
    return PESIM_OK;
}

void pesim_io_format_double(double v, char out[PESIM_IO_DOUBLE_MAX])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, PESIM_IO_DOUBLE_MAX, "%.*g", prec, v);
        if (strtod(out, NULL) == v) break;
    }
    /* the C library follows the locale; config and YAML files always use '.' */
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && strcmp(dp, ".") != 0) {
        char *at = strstr(out, dp);
        if (at) {
            size_t dl = strlen(dp);
            *at = '.';
            memmove(at + 1, at + dl, strlen(at + dl) + 1);
        }
    }
}

int pesim_mul_ok(int64_t a, int64_t b, int64_t *r)
{
    if (a < 0 || b < 0 || (a != 0 && b > INT64_MAX / a)) return 0;
    *r = a * b;
    return 1;
}
