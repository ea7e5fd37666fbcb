/* core/util.h - small helpers shared inside sim/ (private): reading a text
 * file, formatting a double, checked multiplication. Used by the config
 * (libconfig) and Timeloop (libyaml) readers and writers and the core. */
#ifndef PESIM_CORE_UTIL_H
#define PESIM_CORE_UTIL_H

#include <stdint.h>

#include "pesim/status.h"

/* 1 when a * b (both >= 0) fits in int64_t; *r = a * b then. */
int pesim_mul_ok(int64_t a, int64_t b, int64_t *r);

/* Reads a whole file (pipes too) into a malloc'ed NUL-terminated string the
 * caller frees. PESIM_ERR_IO (cannot open or read: a directory too),
 * PESIM_ERR_NOMEM, PESIM_ERR_PARSE (the file holds a NUL byte, so it is not
 * text and a parser would silently stop there). */
pesim_status pesim_io_read_text(const char *path, char **out, pesim_error *e);

/* Room for pesim_io_format_double's text, with the NUL. */
#define PESIM_IO_DOUBLE_MAX 40

/* The shortest decimal (of %.15g to %.17g) that reads back to the finite v,
 * with a '.' as the decimal point whatever the locale ("3", "0.1", "1e-300"). */
void pesim_io_format_double(double v, char out[PESIM_IO_DOUBLE_MAX]);

#endif
