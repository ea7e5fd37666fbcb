/* cli/output.h - output files ("-" is stdout), CSV fields and number
 * formatting for the human tables. */
#ifndef PESIM_CLI_OUTPUT_H
#define PESIM_CLI_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

/* Opens path for writing ("-" is stdout). On failure prints a message naming
 * the path and returns NULL. */
FILE *cli_open_out(const char *path);

/* Closes what cli_open_out returned (stdout is only flushed). Returns 0, or
 * prints a message naming the path and returns -1 when any write failed.
 * f == NULL is a no-op returning 0. */
int cli_close_out(FILE *f, const char *path);

/* 1 if path names stdout ("-"). NULL is not stdout. */
int cli_is_stdout(const char *path);

/* Writes s as one CSV field (RFC 4180: quoted when it holds a comma, quote,
 * CR or LF; quotes doubled). NULL writes an empty field. */
void cli_csv_field(FILE *f, const char *s);
/* Numeric CSV fields: plain integers; doubles with up to 17 significant
 * digits, exactly like the JSON writer; non-finite values as an empty field. */
void cli_csv_int(FILE *f, int64_t v);
void cli_csv_double(FILE *f, double v);

/* Formats helpers for the human tables; each writes into buf (n bytes, always
 * NUL-terminated) and returns buf. */
/* 4089184256 -> "4,089,184,256". */
const char *cli_fmt_count(int64_t v, char *buf, size_t n);
/* An energy in pJ with a unit that keeps 1 <= value < 1000: "150.0 uJ". */
const char *cli_fmt_energy_pj(double pj, char *buf, size_t n);
/* A time in seconds with a unit that keeps 1 <= value < 1000: "6.173 ms". */
const char *cli_fmt_seconds(double s, char *buf, size_t n);

#endif
