/* status.c - the error record. */
#include "pesim/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy_str(char *dst, size_t n, const char *src)
{
    if (!src) src = "";
    size_t len = strlen(src);
    if (len >= n) len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

pesim_status pesim_error_set(pesim_error *e, pesim_status code, const char *file,
                             int line, const char *key, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    copy_str(e->file, sizeof e->file, file);
    e->line = line;
    copy_str(e->key, sizeof e->key, key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void pesim_error_clear(pesim_error *e)
{
    if (e) memset(e, 0, sizeof *e);
}

const char *pesim_error_format(const pesim_error *e, char *buf, size_t n)
{
    if (!buf || n == 0) return buf;
    buf[0] = '\0';
    if (!e) return buf;
    /* Built in pieces; snprintf truncates safely and keeps the NUL. */
    char line[32] = "";
    if (e->file[0] && e->line > 0) snprintf(line, sizeof line, "%d:", e->line);
    snprintf(buf, n, "%s%s%s%s%s%s", e->file, e->file[0] ? ":" : "", line, e->file[0] ? " " : "",
             e->key[0] ? e->key : "", e->key[0] ? ": " : "");
    size_t used = strlen(buf);
    if (used + 1 < n) snprintf(buf + used, n - used, "%s", e->msg[0] ? e->msg : pesim_status_name(e->code));
    return buf;
}

const char *pesim_status_name(pesim_status s)
{
    switch (s) {
    case PESIM_OK: return "ok";
    case PESIM_ERR_IO: return "cannot read or write file";
    case PESIM_ERR_PARSE: return "syntax error";
    case PESIM_ERR_KEY: return "unknown key";
    case PESIM_ERR_TYPE: return "wrong type";
    case PESIM_ERR_RANGE: return "value out of range";
    case PESIM_ERR_MISSING: return "missing required key";
    case PESIM_ERR_INVALID: return "invalid input";
    case PESIM_ERR_NOMEM: return "out of memory";
    case PESIM_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}
