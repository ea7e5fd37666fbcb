/* tl_yaml.h - the YAML layer of sim/timeloop/ (private): documents parsed by
 * libyaml, nodes with the key path that led to them (for messages), typed
 * getters that fail with file, line and key, and an emitter into memory.
 *
 * Getters leave their output untouched when they fail. Lookups follow YAML
 * merge keys (`<<`, and timeloopfe's `<<<`) and never loop on recursive
 * aliases (a depth limit). */
#ifndef PESIM_TL_YAML_H
#define PESIM_TL_YAML_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "pesim/status.h"

typedef struct tl_doc {
    const char *name;      /* the file name in messages */
    pesim_error *e;        /* where errors go (may be NULL) */
    char *text;            /* the file's text when read from a path (owned) */
    yaml_document_t doc;
    int loaded;
} tl_doc;

/* A node (NULL: absent) and its key path from the document root. */
typedef struct tl_at {
    yaml_node_t *n;
    int line;              /* 1-based; of the parent when absent */
    char path[PESIM_KEY_MAX];
} tl_at;

/* Reads path (text NULL) or parses text (path NULL; name labels it).
 * PESIM_ERR_IO, PESIM_ERR_PARSE (libyaml's problem with its line), or
 * PESIM_ERR_MISSING for an empty document. Call tl_close in every case. */
pesim_status tl_open(tl_doc *d, const char *path, const char *text, const char *name, pesim_error *e);
void tl_close(tl_doc *d);

tl_at tl_root(tl_doc *d);
int tl_is_map(const tl_at *a);
int tl_is_seq(const tl_at *a);
/* The scalar's text, or NULL when a is absent or not a scalar. */
const char *tl_scalar(const tl_at *a);
/* An explicit local tag (`!Component`) or NULL. */
const char *tl_tag(const tl_at *a);

/* Member `key` of map m (absent: n == NULL); m may be absent or not a map. */
tl_at tl_get(tl_doc *d, const tl_at *m, const char *key);
/* Entries of a sequence (0 when a is no sequence) and entry i. */
int tl_len(const tl_at *a);
tl_at tl_item(tl_doc *d, const tl_at *seq, int i);
/* Pairs of a map (merge keys not expanded): count, and the key and value of pair i. */
int tl_pairs(const tl_at *m);
const char *tl_pair(tl_doc *d, const tl_at *m, int i, tl_at *value);

/* Fails at node a (its line and path) or, for a missing key, at map m. */
pesim_status tl_fail(tl_doc *d, const tl_at *a, pesim_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
pesim_status tl_missing(tl_doc *d, const tl_at *m, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Typed values of a scalar node. */
pesim_status tl_need_map(tl_doc *d, const tl_at *a);
pesim_status tl_need_seq(tl_doc *d, const tl_at *a);
pesim_status tl_string(tl_doc *d, const tl_at *a, char *buf, size_t n);
pesim_status tl_int(tl_doc *d, const tl_at *a, int64_t min, int64_t max, int64_t *out);
pesim_status tl_num(tl_doc *d, const tl_at *a, double min, double max, double *out);
pesim_status tl_bool(tl_doc *d, const tl_at *a, int *out);
/* 1 when a is absent or the YAML null (`~`, `null`, empty). */
int tl_is_null(const tl_at *a);

/* 1 when a and b are the same ASCII text but for case. */
int tl_ieq(const char *a, const char *b);

/* "RegisterFile[0..15]" -> "RegisterFile" in buf and 16 in *count (1 without
 * a range). 0 when the range is malformed. */
int tl_split_range(const char *name, char *buf, size_t n, int64_t *count);

/* ---- emitting ---- */

typedef struct tl_emit {
    yaml_emitter_t em;
    char *buf;
    size_t len, cap;
    int failed;
} tl_emit;

void tl_emit_begin(tl_emit *t);
void tl_emit_map(tl_emit *t, int flow);
void tl_emit_seq(tl_emit *t, int flow);
void tl_emit_end_map(tl_emit *t);
void tl_emit_end_seq(tl_emit *t);
/* A scalar: plain when it reads back as the same string, else quoted. */
void tl_emit_str(tl_emit *t, const char *s);
void tl_emit_int(tl_emit *t, int64_t v);
void tl_emit_num(tl_emit *t, double v);
void tl_emit_kv(tl_emit *t, const char *key, const char *value);
void tl_emit_kv_int(tl_emit *t, const char *key, int64_t v);
void tl_emit_kv_num(tl_emit *t, const char *key, double v);
/* Ends the document; the text (caller frees) or NULL with e filled. */
char *tl_emit_finish(tl_emit *t, pesim_error *e);

#endif
