/* cli/output.c - output files, CSV fields, number formatting (see output.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"

int cli_is_stdout(const char *path) { return path && strcmp(path, "-") == 0; }

FILE *cli_open_out(const char *path)
{
    if (cli_is_stdout(path))
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        cli_error("%s: cannot write: %s", path, strerror(errno));
    return f;
}

int cli_close_out(FILE *f, const char *path)
{
    if (!f)
        return 0;
    int bad = ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (bad) {
        cli_error("%s: write failed", cli_is_stdout(path) ? "stdout" : path);
        return -1;
    }
    return 0;
}

void cli_csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cli_csv_int(FILE *f, int64_t v) { fprintf(f, "%" PRId64, v); }

void cli_csv_double(FILE *f, double v)
{
    if (!isfinite(v))
        return;
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {   /* shortest exact form, as json.c */
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

const char *cli_fmt_count(int64_t v, char *buf, size_t n)
{
    char digits[32];
    /* Through uint64 so INT64_MIN has a magnitude. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(digits, sizeof digits, "%" PRIu64, mag);
    size_t len = strlen(digits), o = 0;
    char out[48];
    if (v < 0)
        out[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}

/* value in base units scaled by 1000s over the prefixes; prefixes[base] is
 * the prefix of the unit value is given in. */
static const char *fmt_scaled(double value, const char *const *prefixes, int count,
                              int base, const char *unit, char *buf, size_t n)
{
    if (!isfinite(value)) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (value == 0.0) {
        snprintf(buf, n, "0 %s%s", prefixes[base], unit);
        return buf;
    }
    int i = base;
    double v = value;
    while (fabs(v) >= 1000.0 && i + 1 < count) {
        v /= 1000.0;
        i++;
    }
    while (fabs(v) < 1.0 && i > 0) {
        v *= 1000.0;
        i--;
    }
    int decimals = fabs(v) >= 100.0 ? 1 : fabs(v) >= 10.0 ? 2 : 3;
    snprintf(buf, n, "%.*f %s%s", decimals, v, prefixes[i], unit);
    return buf;
}

const char *cli_fmt_energy_pj(double pj, char *buf, size_t n)
{
    static const char *const p[] = {"f", "p", "n", "u", "m", "", "k"};
    return fmt_scaled(pj, p, 7, 1, "J", buf, n);
}

const char *cli_fmt_seconds(double s, char *buf, size_t n)
{
    static const char *const p[] = {"p", "n", "u", "m", ""};
    return fmt_scaled(s, p, 5, 4, "s", buf, n);
}
