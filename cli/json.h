/* cli/json.h - a tiny streaming JSON writer (no dependency).
 *
 * The writer tracks nesting and commas; the caller emits values in order:
 *   json_begin_object(w); json_key(w, "name"); json_string(w, "conv1"); ...
 * Output is indented with two spaces per level and ends with a newline after
 * the outermost value. Contracts:
 * - strings are escaped (quote, backslash, control characters as \n, \t, ...
 *   or \u00XX); other bytes pass through unchanged (inputs are UTF-8);
 * - doubles are written with the fewest digits (at most 17, "%.17g") that read
 *   back to the same value; NaN and infinities are written as null;
 * - a NULL string is written as null.
 * Misuse (a key outside an object, nesting deeper than JSON_MAX_DEPTH) is a
 * programming error caught by assert. Write errors are left in the FILE's
 * error flag for the caller to check when closing. */
#ifndef PESIM_CLI_JSON_H
#define PESIM_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

typedef struct json_writer {
    FILE *f;
    int depth;                      /* open containers */
    char kind[JSON_MAX_DEPTH];      /* '{' or '[' per open container */
    int count[JSON_MAX_DEPTH];      /* members written so far per container */
    int after_key;                  /* a key was written; its value comes next */
} json_writer;

void json_init(json_writer *w, FILE *f);

void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);

/* The key of the next member of the current object. */
void json_key(json_writer *w, const char *key);

void json_string(json_writer *w, const char *s);
void json_int(json_writer *w, int64_t v);
void json_double(json_writer *w, double v);
void json_bool(json_writer *w, int b);
void json_null(json_writer *w);

/* key + value in one call. */
void json_kv_string(json_writer *w, const char *key, const char *s);
void json_kv_int(json_writer *w, const char *key, int64_t v);
void json_kv_double(json_writer *w, const char *key, double v);
void json_kv_bool(json_writer *w, const char *key, int b);
void json_kv_null(json_writer *w, const char *key);

/* Writes s as a JSON string literal (with quotes) to f. */
void json_write_escaped(FILE *f, const char *s);

#endif
