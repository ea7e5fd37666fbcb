/* pesim/status.h - status codes and the error record every fallible call fills.
 *
 * Contract: a function that can fail returns pesim_status (PESIM_OK == 0) and,
 * when given a non-NULL pesim_error, fills it with a message that names the file,
 * the line and the key involved (where a config is involved). Library code never
 * prints and never exits; the caller decides what to do with the message. */
#ifndef PESIM_STATUS_H
#define PESIM_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pesim_status {
    PESIM_OK = 0,
    PESIM_ERR_IO,        /* file missing, unreadable or unwritable */
    PESIM_ERR_PARSE,     /* syntax error (truncated file, bad token) */
    PESIM_ERR_KEY,       /* unknown key (a typo) */
    PESIM_ERR_TYPE,      /* a value of the wrong type */
    PESIM_ERR_RANGE,     /* a value out of its allowed range */
    PESIM_ERR_MISSING,   /* a required key is absent */
    PESIM_ERR_INVALID,   /* inconsistent input (e.g. unknown layer name) */
    PESIM_ERR_NOMEM,     /* allocation failed */
    PESIM_ERR_INTERNAL   /* a broken internal invariant (a pesim bug) */
} pesim_status;

#define PESIM_PATH_MAX 256
#define PESIM_KEY_MAX 128
#define PESIM_MSG_MAX 512

/* What went wrong and where. line == 0 when no line applies. */
typedef struct pesim_error {
    pesim_status code;
    char file[PESIM_PATH_MAX];
    int line;
    char key[PESIM_KEY_MAX];
    char msg[PESIM_MSG_MAX];
} pesim_error;

/* Fills e (if non-NULL) and returns code, so callers can write
 * `return pesim_error_set(e, PESIM_ERR_RANGE, file, line, key, "...", ...);`.
 * file and key may be NULL. */
pesim_status pesim_error_set(pesim_error *e, pesim_status code, const char *file,
                             int line, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Clears e to PESIM_OK with empty strings. */
void pesim_error_clear(pesim_error *e);

/* Writes "file:line: key: msg" (parts that are empty are left out) into buf
 * (always NUL-terminated) and returns buf. */
const char *pesim_error_format(const pesim_error *e, char *buf, size_t n);

/* A short English name of a status code ("unknown key", ...). Never NULL. */
const char *pesim_status_name(pesim_status s);

#ifdef __cplusplus
}
#endif
#endif
