/* cli/json.c - the streaming JSON writer (see json.h). */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "json.h"

void json_init(json_writer *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->after_key = 0;
}

static void indent(json_writer *w)
{
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Everything a value needs before it: a comma and a new line inside an array;
 * nothing after a key (json_key wrote the separator). */
static void before_value(json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    assert(w->kind[w->depth - 1] == '[');   /* object members need a key */
    if (w->count[w->depth - 1]++ > 0)
        fputc(',', w->f);
    indent(w);
}

/* After a complete value at the outermost level, end the line. */
static void after_value(json_writer *w)
{
    if (w->depth == 0)
        fputc('\n', w->f);
}

static void begin(json_writer *w, char kind)
{
    before_value(w);
    if (w->depth < 0 || w->depth >= JSON_MAX_DEPTH) {  /* misuse: nested too deep */
        assert(!"JSON nested deeper than JSON_MAX_DEPTH");
        return;
    }
    fputc(kind, w->f);
    w->kind[w->depth] = kind;
    w->count[w->depth] = 0;
    w->depth++;
}

static void end(json_writer *w, char kind)
{
    if (w->depth <= 0 || w->depth > JSON_MAX_DEPTH) {   /* misuse: nothing open */
        assert(!"JSON end without a begin");
        return;
    }
    assert(w->kind[w->depth - 1] == kind && !w->after_key);
    w->depth--;
    if (w->count[w->depth] > 0)
        indent(w);
    fputc(kind == '{' ? '}' : ']', w->f);
    after_value(w);
}

void json_begin_object(json_writer *w) { begin(w, '{'); }
void json_end_object(json_writer *w) { end(w, '{'); }
void json_begin_array(json_writer *w) { begin(w, '['); }
void json_end_array(json_writer *w) { end(w, '['); }

void json_write_escaped(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':  fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", (unsigned)*p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void json_key(json_writer *w, const char *key)
{
    assert(w->depth > 0 && w->kind[w->depth - 1] == '{' && !w->after_key);
    if (w->count[w->depth - 1]++ > 0)
        fputc(',', w->f);
    indent(w);
    json_write_escaped(w->f, key);
    fputs(": ", w->f);
    w->after_key = 1;
}

void json_string(json_writer *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    before_value(w);
    json_write_escaped(w->f, s);
    after_value(w);
}

void json_int(json_writer *w, int64_t v)
{
    before_value(w);
    fprintf(w->f, "%" PRId64, v);
    after_value(w);
}

void json_double(json_writer *w, double v)
{
    if (!isfinite(v)) {
        json_null(w);
        return;
    }
    char buf[40];
    /* The shortest of %.15g, %.16g, %.17g that reads back exactly; %.17g always does. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    before_value(w);
    fputs(buf, w->f);
    after_value(w);
}

void json_bool(json_writer *w, int b)
{
    before_value(w);
    fputs(b ? "true" : "false", w->f);
    after_value(w);
}

void json_null(json_writer *w)
{
    before_value(w);
    fputs("null", w->f);
    after_value(w);
}

void json_kv_string(json_writer *w, const char *key, const char *s) { json_key(w, key); json_string(w, s); }
void json_kv_int(json_writer *w, const char *key, int64_t v) { json_key(w, key); json_int(w, v); }
void json_kv_double(json_writer *w, const char *key, double v) { json_key(w, key); json_double(w, v); }
void json_kv_bool(json_writer *w, const char *key, int b) { json_key(w, key); json_bool(w, b); }
void json_kv_null(json_writer *w, const char *key) { json_key(w, key); json_null(w); }
