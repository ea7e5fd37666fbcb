/* tl_yaml.c - libyaml documents, node paths, typed getters and the emitter.
 * Contracts: tl_yaml.h. */
#include "timeloop/tl_yaml.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Merge keys may chain (`<<` inside a merged map); aliases may be recursive. */
#define MERGE_DEPTH_MAX 16

pesim_status tl_open(tl_doc *d, const char *path, const char *text, const char *name, pesim_error *e)
{
    memset(d, 0, sizeof *d);
    d->e = e;
    d->name = path ? path : (name ? name : "<string>");
    pesim_error_clear(e);
    if (path) {
        pesim_status st = pesim_io_read_text(path, &d->text, e);
        if (st) return st;
        text = d->text;
    } else if (!text) {
        return pesim_error_set(e, PESIM_ERR_INVALID, d->name, 0, NULL, "no text to parse (NULL)");
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return pesim_error_set(e, PESIM_ERR_NOMEM, d->name, 0, NULL, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int ok = yaml_parser_load(&p, &d->doc);
    if (!ok) {
        pesim_status st = pesim_error_set(e, p.error == YAML_MEMORY_ERROR ? PESIM_ERR_NOMEM : PESIM_ERR_PARSE, d->name,
                                          (int)p.problem_mark.line + 1, NULL, "YAML: %s%s%s",
                                          p.problem ? p.problem : "cannot parse", p.context ? " " : "",
                                          p.context ? p.context : "");
        yaml_parser_delete(&p);
        return st;
    }
    yaml_parser_delete(&p);
    d->loaded = 1;
    if (!yaml_document_get_root_node(&d->doc))
        return pesim_error_set(e, PESIM_ERR_MISSING, d->name, 0, NULL, "the file holds no YAML document (empty)");
    return PESIM_OK;
}

void tl_close(tl_doc *d)
{
    if (d->loaded) yaml_document_delete(&d->doc);
    free(d->text);
    memset(d, 0, sizeof *d);
}

static tl_at at_node(yaml_node_t *n, int parent_line, const char *parent, const char *seg, int bracket)
{
    tl_at a;
    a.n = n;
    a.line = n ? (int)n->start_mark.line + 1 : parent_line;
    if (!seg) {
        snprintf(a.path, sizeof a.path, "%s", parent);
    } else {
        int k = snprintf(a.path, sizeof a.path, "%s%s%s%s%s", parent, parent[0] ? "." : "", bracket ? "[" : "", seg,
                         bracket ? "]" : "");
        if (k < 0) a.path[0] = '\0';
    }
    return a;
}

tl_at tl_root(tl_doc *d)
{
    return at_node(yaml_document_get_root_node(&d->doc), 0, "", NULL, 0);
}

int tl_is_map(const tl_at *a)
{
    return a->n && a->n->type == YAML_MAPPING_NODE;
}

int tl_is_seq(const tl_at *a)
{
    return a->n && a->n->type == YAML_SEQUENCE_NODE;
}

const char *tl_scalar(const tl_at *a)
{
    return a->n && a->n->type == YAML_SCALAR_NODE ? (const char *)a->n->data.scalar.value : NULL;
}

const char *tl_tag(const tl_at *a)
{
    const char *t = a->n ? (const char *)a->n->tag : NULL;
    return t && t[0] == '!' ? t : NULL;
}

int tl_is_null(const tl_at *a)
{
    const char *s = tl_scalar(a);
    if (!a->n) return 1;
    if (!s || a->n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    return !s[0] || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static const char *node_scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of key in map node n, following merge keys. */
static yaml_node_t *map_find(tl_doc *d, yaml_node_t *n, const char *key, int depth)
{
    if (!n || n->type != YAML_MAPPING_NODE || depth > MERGE_DEPTH_MAX) return NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = node_scalar(yaml_document_get_node(&d->doc, p->key));
        if (k && strcmp(k, key) == 0) return yaml_document_get_node(&d->doc, p->value);
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = node_scalar(yaml_document_get_node(&d->doc, p->key));
        if (!k || (strcmp(k, "<<") != 0 && strcmp(k, "<<<") != 0)) continue;
        yaml_node_t *v = yaml_document_get_node(&d->doc, p->value);
        if (v && v->type == YAML_MAPPING_NODE) {
            yaml_node_t *r = map_find(d, v, key, depth + 1);
            if (r) return r;
        } else if (v && v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                yaml_node_t *r = map_find(d, yaml_document_get_node(&d->doc, *it), key, depth + 1);
                if (r) return r;
            }
        }
    }
    return NULL;
}

tl_at tl_get(tl_doc *d, const tl_at *m, const char *key)
{
    return at_node(map_find(d, m->n, key, 0), m->line, m->path, key, 0);
}

int tl_len(const tl_at *a)
{
    return tl_is_seq(a) ? (int)(a->n->data.sequence.items.top - a->n->data.sequence.items.start) : 0;
}

tl_at tl_item(tl_doc *d, const tl_at *seq, int i)
{
    yaml_node_t *n = yaml_document_get_node(&d->doc, seq->n->data.sequence.items.start[i]);
    const char *label = NULL;
    if (n && n->type == YAML_MAPPING_NODE) {
        label = node_scalar(map_find(d, n, "name", 0));
        if (!label) label = node_scalar(map_find(d, n, "target", 0));
    }
    char idx[16];
    snprintf(idx, sizeof idx, "%d", i);
    return at_node(n, seq->line, seq->path, label && label[0] ? label : idx, 1);
}

int tl_pairs(const tl_at *m)
{
    return tl_is_map(m) ? (int)(m->n->data.mapping.pairs.top - m->n->data.mapping.pairs.start) : 0;
}

const char *tl_pair(tl_doc *d, const tl_at *m, int i, tl_at *value)
{
    yaml_node_pair_t *p = &m->n->data.mapping.pairs.start[i];
    const char *k = node_scalar(yaml_document_get_node(&d->doc, p->key));
    *value = at_node(yaml_document_get_node(&d->doc, p->value), m->line, m->path, k ? k : "?", 0);
    return k;
}

pesim_status tl_fail(tl_doc *d, const tl_at *a, pesim_status code, const char *fmt, ...)
{
    char msg[PESIM_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pesim_error_set(d->e, code, d->name, a->line, a->path[0] ? a->path : NULL, "%s", msg);
}

pesim_status tl_missing(tl_doc *d, const tl_at *m, const char *key, const char *fmt, ...)
{
    tl_at a = at_node(NULL, m->line, m->path, key, 0);
    char msg[PESIM_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pesim_error_set(d->e, PESIM_ERR_MISSING, d->name, a.line, a.path, "%s", msg);
}

static const char *kind_name(const tl_at *a)
{
    if (!a->n) return "nothing";
    switch (a->n->type) {
    case YAML_MAPPING_NODE: return "a map";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a scalar";
    }
}

pesim_status tl_need_map(tl_doc *d, const tl_at *a)
{
    return tl_is_map(a) ? PESIM_OK : tl_fail(d, a, PESIM_ERR_TYPE, "expected a map (key: value, ...), got %s", kind_name(a));
}

pesim_status tl_need_seq(tl_doc *d, const tl_at *a)
{
    return tl_is_seq(a) ? PESIM_OK : tl_fail(d, a, PESIM_ERR_TYPE, "expected a list (- ...), got %s", kind_name(a));
}

pesim_status tl_string(tl_doc *d, const tl_at *a, char *buf, size_t n)
{
    const char *s = tl_scalar(a);
    if (!s) return tl_fail(d, a, PESIM_ERR_TYPE, "expected a string, got %s", kind_name(a));
    size_t len = strlen(s);
    if (len >= n) return tl_fail(d, a, PESIM_ERR_RANGE, "is too long (%zu characters, at most %zu)", len, n - 1);
    memcpy(buf, s, len + 1);
    return PESIM_OK;
}

pesim_status tl_int(tl_doc *d, const tl_at *a, int64_t min, int64_t max, int64_t *out)
{
    const char *s = tl_scalar(a);
    if (!s) return tl_fail(d, a, PESIM_ERR_TYPE, "expected an integer, got %s", kind_name(a));
    const char *p = s;
    while (*p == ' ') p++;
    int base = 10;
    if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) || (p[0] == '+' && p[1] == '0' && (p[2] == 'x' || p[2] == 'X')))
        base = 16;
    errno = 0;
    char *end;
    long long v = strtoll(p, &end, base);
    while (end && *end == ' ') end++;
    if (!*p || *end || errno == ERANGE)
        return tl_fail(d, a, PESIM_ERR_TYPE, "expected an integer, got '%.40s'%s", s,
                       strchr(s, '{') || strchr(s, '*') || strchr(s, '/') ? " (expressions are timeloopfe's: give the value)"
                                                                          : "");
    if (v < min) return tl_fail(d, a, PESIM_ERR_RANGE, "must be >= %lld, got %lld", (long long)min, v);
    if (v > max) return tl_fail(d, a, PESIM_ERR_RANGE, "must be <= %lld, got %lld", (long long)max, v);
    *out = (int64_t)v;
    return PESIM_OK;
}

pesim_status tl_num(tl_doc *d, const tl_at *a, double min, double max, double *out)
{
    const char *s = tl_scalar(a);
    if (!s) return tl_fail(d, a, PESIM_ERR_TYPE, "expected a number, got %s", kind_name(a));
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ') end++;
    if (!s[0] || *end) return tl_fail(d, a, PESIM_ERR_TYPE, "expected a number, got '%.40s'", s);
    if (!isfinite(v)) return tl_fail(d, a, PESIM_ERR_RANGE, "must be finite, got %s", s);
    if (!(v >= min)) return tl_fail(d, a, PESIM_ERR_RANGE, "must be >= %g, got %g", min, v);
    if (v > max) return tl_fail(d, a, PESIM_ERR_RANGE, "must be <= %g, got %g", max, v);
    *out = v;
    return PESIM_OK;
}

pesim_status tl_bool(tl_doc *d, const tl_at *a, int *out)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const f[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    const char *s = tl_scalar(a);
    for (size_t i = 0; s && i < sizeof t / sizeof t[0]; i++) {
        if (strcmp(s, t[i]) == 0) {
            *out = 1;
            return PESIM_OK;
        }
        if (strcmp(s, f[i]) == 0) {
            *out = 0;
            return PESIM_OK;
        }
    }
    return tl_fail(d, a, PESIM_ERR_TYPE, "expected true or false, got %s%.40s%s", s ? "'" : kind_name(a), s ? s : "",
                   s ? "'" : "");
}

int tl_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int tl_split_range(const char *name, char *buf, size_t n, int64_t *count)
{
    const char *br = strchr(name, '[');
    size_t len = br ? (size_t)(br - name) : strlen(name);
    if (len >= n) len = n - 1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    *count = 1;
    if (!br) return 1;
    char *end;
    errno = 0;
    long long lo = strtoll(br + 1, &end, 10);
    if (end == br + 1 || strncmp(end, "..", 2) != 0) return 0;
    const char *q = end + 2;
    long long hi = strtoll(q, &end, 10);
    if (end == q || strcmp(end, "]") != 0 || errno || lo < 0 || hi < lo || hi - lo >= (1LL << 40)) return 0;
    *count = hi - lo + 1;
    return 1;
}

/* ---------------------------------------------------------------- emitting */

static int write_handler(void *ctx, unsigned char *buffer, size_t size)
{
    tl_emit *t = ctx;
    if (t->len + size + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + size + 1) cap *= 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) return 0;
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, buffer, size);
    t->len += size;
    t->buf[t->len] = '\0';
    return 1;
}

static void emit(tl_emit *t, yaml_event_t *ev, int made)
{
    if (t->failed) {
        if (made) yaml_event_delete(ev);
        return;
    }
    if (!made || !yaml_emitter_emit(&t->em, ev)) t->failed = 1; /* emit() deletes the event either way */
}

void tl_emit_begin(tl_emit *t)
{
    memset(t, 0, sizeof *t);
    if (!yaml_emitter_initialize(&t->em)) {
        t->failed = 2;
        return;
    }
    yaml_emitter_set_output(&t->em, write_handler, t);
    yaml_emitter_set_unicode(&t->em, 1);
    yaml_emitter_set_width(&t->em, 100);
    yaml_emitter_set_indent(&t->em, 2);
    yaml_event_t ev;
    emit(t, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(t, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
}

void tl_emit_map(tl_emit *t, int flow)
{
    yaml_event_t ev;
    emit(t, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                     flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

void tl_emit_seq(tl_emit *t, int flow)
{
    yaml_event_t ev;
    emit(t, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                      flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

void tl_emit_end_map(tl_emit *t)
{
    yaml_event_t ev;
    emit(t, &ev, yaml_mapping_end_event_initialize(&ev));
}

void tl_emit_end_seq(tl_emit *t)
{
    yaml_event_t ev;
    emit(t, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void scalar(tl_emit *t, const char *s, yaml_scalar_style_t style)
{
    /* libyaml copies the value but takes it as non-const */
    size_t n = strlen(s);
    yaml_char_t *v = malloc(n + 1);
    if (!v) {
        t->failed = t->failed ? t->failed : 1;
        return;
    }
    memcpy(v, s, n + 1);
    yaml_event_t ev;
    emit(t, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL, v, (int)n, 1, 1, style));
    free(v);
}

void tl_emit_str(tl_emit *t, const char *s)
{
    scalar(t, s, YAML_ANY_SCALAR_STYLE);
}

void tl_emit_int(tl_emit *t, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    scalar(t, b, YAML_PLAIN_SCALAR_STYLE);
}

void tl_emit_num(tl_emit *t, double v)
{
    char b[PESIM_IO_DOUBLE_MAX];
    pesim_io_format_double(v, b);
    scalar(t, b, YAML_PLAIN_SCALAR_STYLE);
}

void tl_emit_kv(tl_emit *t, const char *key, const char *value)
{
    tl_emit_str(t, key);
    tl_emit_str(t, value);
}

void tl_emit_kv_int(tl_emit *t, const char *key, int64_t v)
{
    tl_emit_str(t, key);
    tl_emit_int(t, v);
}

void tl_emit_kv_num(tl_emit *t, const char *key, double v)
{
    tl_emit_str(t, key);
    tl_emit_num(t, v);
}

char *tl_emit_finish(tl_emit *t, pesim_error *e)
{
    yaml_event_t ev;
    emit(t, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(t, &ev, yaml_stream_end_event_initialize(&ev));
    if (t->failed != 2 && !t->failed && !yaml_emitter_flush(&t->em)) t->failed = 1;
    const char *problem = t->failed == 1 && t->em.problem ? t->em.problem : "out of memory";
    int failed = t->failed;
    if (failed != 2) yaml_emitter_delete(&t->em);
    char *out = t->buf;
    if (failed || !out) {
        free(out);
        pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "cannot write YAML: %s", problem);
        return NULL;
    }
    return out;
}
