/* cfg_util.c - reading, checking and writing helpers shared by the loaders.
 * See cfg_util.h for the contracts. */
#include "config/cfg_util.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Top-level groups a file may hold; each loader reads its own and ignores the
 * others, so that one file can carry e.g. an arch and a mapping. */
static const char *const top_keys[] = {"network", "arch", "mapping", "placement", NULL};

/* Room for a "; did you mean '...'?" hint or a name quoted in a message. */
#define HINT_MAX 96

/* ---------------------------------------------------------------- errors */

static const char *type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a float";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_GROUP: return "a group { }";
    case CONFIG_TYPE_ARRAY: return "an array [ ]";
    case CONFIG_TYPE_LIST: return "a list ( )";
    default: return "nothing";
    }
}

/* " 3.5" / " \"64\"" / "": the value of a scalar, for "got a float 3.5". */
static void value_text(const config_setting_t *s, char *buf, size_t n)
{
    buf[0] = '\0';
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: snprintf(buf, n, " %lld", config_setting_get_int64(s)); break;
    case CONFIG_TYPE_FLOAT: snprintf(buf, n, " %g", config_setting_get_float(s)); break;
    case CONFIG_TYPE_STRING: snprintf(buf, n, " \"%.40s\"", config_setting_get_string(s)); break;
    case CONFIG_TYPE_BOOL: snprintf(buf, n, " %s", config_setting_get_bool(s) ? "true" : "false"); break;
    default: break;
    }
}

/* The file a setting came from: its @include file, else the context's name. */
static const char *file_of(const cfg_ctx *c, const config_setting_t *s)
{
    const char *f = s ? config_setting_source_file(s) : NULL;
    return f ? f : c->name;
}

/* 1 when s is the root or one of the top-level groups (these contribute no
 * segment to key paths: paths are relative to the top-level group). */
static int is_top(const config_setting_t *s)
{
    return !s || !config_setting_parent(s) || !config_setting_parent(config_setting_parent(s));
}

/* The segment of s in a key path: its name, or [name] / [index] in a list. */
static void segment(const config_setting_t *s, char *buf, size_t n)
{
    if (config_setting_name(s)) {
        snprintf(buf, n, "%s", config_setting_name(s));
        return;
    }
    if (config_setting_is_group(s)) {
        static const char *const label_keys[] = {"name", "layer"};
        for (size_t i = 0; i < sizeof label_keys / sizeof label_keys[0]; i++) {
            const config_setting_t *m = config_setting_get_member(s, label_keys[i]);
            if (m && config_setting_type(m) == CONFIG_TYPE_STRING && config_setting_get_string(m)[0]) {
                snprintf(buf, n, "[%s]", config_setting_get_string(m));
                return;
            }
        }
    }
    snprintf(buf, n, "[%d]", config_setting_index(s));
}

static void append_path(const config_setting_t *s, char *buf, size_t n, int depth)
{
    if (is_top(s) || depth > 32) return;
    append_path(config_setting_parent(s), buf, n, depth + 1);
    char seg[PESIM_KEY_MAX];
    segment(s, seg, sizeof seg);
    size_t len = strlen(buf);
    if (len + 1 < n) snprintf(buf + len, n - len, "%s%s", len ? "." : "", seg);
}

void pesim_cfg_path(const config_setting_t *s, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = '\0';
    append_path(s, buf, n, 0);
    if (!buf[0] && s && config_setting_name(s)) snprintf(buf, n, "%s", config_setting_name(s));
}

static pesim_status vfail(const cfg_ctx *c, const config_setting_t *s, const char *sub, pesim_status code,
                          const char *fmt, va_list ap)
{
    char key[PESIM_KEY_MAX] = "";
    char msg[PESIM_MSG_MAX];
    /* a key below a group: the group's path (empty for a top-level group) */
    if (s && sub) append_path(s, key, sizeof key, 0);
    else if (s) pesim_cfg_path(s, key, sizeof key);
    if (sub) {
        size_t len = strlen(key);
        snprintf(key + len, sizeof key - len, "%s%s", len ? "." : "", sub);
    }
    vsnprintf(msg, sizeof msg, fmt, ap);
    return pesim_error_set(c->e, code, file_of(c, s), s ? (int)config_setting_source_line(s) : 0, key, "%s",
                           msg);
}

pesim_status pesim_cfg_fail(const cfg_ctx *c, const config_setting_t *s, pesim_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pesim_status st = vfail(c, s, NULL, code, fmt, ap);
    va_end(ap);
    return st;
}

pesim_status pesim_cfg_fail_at(const cfg_ctx *c, const config_setting_t *g, const char *key, pesim_status code,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pesim_status st = vfail(c, g, key, code, fmt, ap);
    va_end(ap);
    return st;
}

/* ------------------------------------------------------------ suggestions */

/* Case-insensitive Levenshtein distance; strings longer than 63 give a large value. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return INT_MAX;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *pesim_cfg_suggest(const char *got, const char *const *names, int n)
{
    const char *best = NULL;
    int best_d = INT_MAX;
    int len = (int)strlen(got);
    for (int i = 0; n < 0 ? names[i] != NULL : i < n; i++) {
        int d = distance(got, names[i]);
        /* a case-only difference (d == 0) always qualifies; otherwise the edit
         * must be small and smaller than the word (no 'x' -> 'n' guesses) */
        if (d < best_d && (d == 0 || (d <= 2 && d < len))) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}

/* ---------------------------------------------------------- name index */

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int pesim_cfg_names_init(cfg_names *x, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n && cap < SIZE_MAX / 4) cap *= 2;
    x->key = calloc(cap, sizeof *x->key);
    x->val = malloc(cap * sizeof *x->val);
    x->cap = cap;
    if (!x->key || !x->val) {
        pesim_cfg_names_free(x);
        return 0;
    }
    return 1;
}

int32_t pesim_cfg_names_find(const cfg_names *x, const char *name)
{
    for (size_t i = name_hash(name) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
        if (!x->key[i]) return -1;
        if (strcmp(x->key[i], name) == 0) return x->val[i];
    }
}

void pesim_cfg_names_add(cfg_names *x, const char *name, int32_t v)
{
    size_t i = name_hash(name) & (x->cap - 1);
    while (x->key[i] && strcmp(x->key[i], name) != 0) i = (i + 1) & (x->cap - 1);
    if (x->key[i]) return;
    x->key[i] = name;
    x->val[i] = v;
}

void pesim_cfg_names_free(cfg_names *x)
{
    free(x->key);
    free(x->val);
    memset(x, 0, sizeof *x);
}

/* ", "-joined names into buf (truncated with "..." if too long). */
static void join_names(const char *const *names, int n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; n < 0 ? names[i] != NULL : i < n; i++) {
        int k = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", names[i]);
        if (k < 0 || (size_t)k >= cap - used) {
            if (cap > 4) memcpy(buf + cap - 4, "...", 4);
            return;
        }
        used += (size_t)k;
    }
}

/* ------------------------------------------------------------ reading */

pesim_status pesim_cfg_open(cfg_ctx *c, const char *path, const char *text, const char *name, pesim_error *e)
{
    memset(c, 0, sizeof *c);
    c->e = e;
    c->name = path ? path : (name ? name : "<string>");
    pesim_error_clear(e);
    if (path) {
        pesim_status st = pesim_io_read_text(path, &c->text, e);
        if (st) return st;
        text = c->text;
        const char *slash = strrchr(path, '/');
        if (slash) {
            size_t n = (size_t)(slash - path);
            c->dir = malloc(n + 2);
            if (!c->dir) return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
            memcpy(c->dir, path, n ? n : 1); /* "/x.cfg": the directory is "/" */
            c->dir[n ? n : 1] = '\0';
        }
    } else if (!text) {
        return pesim_error_set(e, PESIM_ERR_INVALID, c->name, 0, NULL, "no text to parse (NULL)");
    }
    /* libconfig 1.5 reads a byte-order mark as a syntax error: skip it (lines are unchanged) */
    text = pesim_cfg_skip_bom(text);
    config_init(&c->cfg);
    c->cfg_live = 1;
    if (c->dir) config_set_include_dir(&c->cfg, c->dir);
    /* an @include of a directory would make libconfig's scanner call exit() */
    pesim_status st = pesim_cfg_check_includes(c, text);
    if (st) return st;
    if (!config_read_string(&c->cfg, text)) {
        const char *file = config_error_file(&c->cfg);
        const char *what = config_error_text(&c->cfg);
        pesim_status code = config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO ? PESIM_ERR_IO : PESIM_ERR_PARSE;
        int line = config_error_line(&c->cfg);
        char key[PESIM_KEY_MAX];
        int first = 0;
        if (!file && what && strcmp(what, "duplicate setting name") == 0 &&
            pesim_cfg_find_duplicate(text, line, key, sizeof key, &first))
            return pesim_error_set(e, PESIM_ERR_PARSE, c->name, line, key,
                                   "duplicate key: this group already has it (first at line %d)", first);
        /* libconfig reports a file cut short as a syntax error on its last line */
        int last = 0;
        for (const char *p = text; *p; p++) last += *p == '\n';
        if (text[0] && text[strlen(text) - 1] != '\n') last++;
        int at_end = !file && what && strcmp(what, "syntax error") == 0 && line >= last;
        return pesim_error_set(e, code, file ? file : c->name, line, NULL, "%s%s", what ? what : "cannot parse",
                               at_end ? " at the end of the file (truncated, or a missing closing bracket?)" : "");
    }
    return pesim_cfg_check_literals(c, text);
}

void pesim_cfg_close(cfg_ctx *c)
{
    if (c->cfg_live) config_destroy(&c->cfg);
    free(c->text);
    free(c->dir);
    memset(c, 0, sizeof *c);
}

pesim_status pesim_cfg_top(cfg_ctx *c, const char *key, const config_setting_t **out)
{
    const config_setting_t *root = config_root_setting(&c->cfg);
    *out = NULL;
    pesim_status st = pesim_cfg_check_keys(c, root, top_keys, NULL);
    if (st) return st;
    const config_setting_t *g = config_setting_get_member(root, key);
    if (!g) {
        if (config_setting_length(root) > 0)
            return pesim_error_set(c->e, PESIM_ERR_MISSING, c->name, 0, key,
                                   "no '%s' group in this file (it has '%s': is it the right kind of file?)", key,
                                   config_setting_name(config_setting_get_elem(root, 0)));
        return pesim_error_set(c->e, PESIM_ERR_MISSING, c->name, 0, key, "no '%s' group in this file (it is empty)",
                               key);
    }
    st = pesim_cfg_group(c, g);
    if (st) return st;
    *out = g;
    return PESIM_OK;
}

pesim_status pesim_cfg_check_keys(const cfg_ctx *c, const config_setting_t *g, const char *const *allowed,
                                  const char *where)
{
    pesim_status st = pesim_cfg_group(c, g);
    if (st) return st;
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        int known = 0;
        for (int k = 0; allowed[k]; k++)
            if (strcmp(allowed[k], name) == 0) known = 1;
        if (known) continue;
        char list[320], hint[HINT_MAX];
        join_names(allowed, -1, list, sizeof list);
        const char *sug = pesim_cfg_suggest(name, allowed, -1);
        hint[0] = '\0';
        if (sug) snprintf(hint, sizeof hint, "; did you mean '%.63s'?", sug);
        if (where)
            return pesim_cfg_fail(c, m, PESIM_ERR_KEY, "key '%s' is not allowed in %s%s (expected one of: %s)", name,
                                  where, hint, list);
        return pesim_cfg_fail(c, m, PESIM_ERR_KEY, "unknown key '%s'%s (expected one of: %s)", name, hint, list);
    }
    return PESIM_OK;
}

pesim_status pesim_cfg_member(const cfg_ctx *c, const config_setting_t *g, const char *key, int required,
                              const config_setting_t **out)
{
    *out = config_setting_get_member(g, key);
    if (!*out && required)
        return pesim_cfg_fail_at(c, g, key, PESIM_ERR_MISSING, "required key '%s' is missing", key);
    return PESIM_OK;
}

pesim_status pesim_cfg_group(const cfg_ctx *c, const config_setting_t *s)
{
    if (config_setting_is_group(s)) return PESIM_OK;
    char v[64];
    value_text(s, v, sizeof v);
    return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected a group { ... }, got %s%s", type_name(s), v);
}

pesim_status pesim_cfg_array(const cfg_ctx *c, const config_setting_t *s, int min_len, int max_len)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        char v[64];
        value_text(s, v, sizeof v);
        return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected an array [ ... ], got %s%s", type_name(s), v);
    }
    int n = config_setting_length(s);
    if (n < min_len || n > max_len) {
        if (min_len == max_len)
            return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must have %d elements, got %d", min_len, n);
        return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must have %d to %d elements, got %d", min_len, max_len, n);
    }
    return PESIM_OK;
}

pesim_status pesim_cfg_int(const cfg_ctx *c, const config_setting_t *s, int64_t min, int64_t max, int64_t *out)
{
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        char v[64];
        value_text(s, v, sizeof v);
        return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected an integer, got %s%s", type_name(s), v);
    }
    long long v = config_setting_get_int64(s);
    if (v < min) return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must be >= %lld, got %lld", (long long)min, v);
    if (v > max) return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must be <= %lld, got %lld", (long long)max, v);
    *out = (int64_t)v;
    return PESIM_OK;
}

pesim_status pesim_cfg_float(const cfg_ctx *c, const config_setting_t *s, double min, int strict, double *out)
{
    int t = config_setting_type(s);
    double v;
    if (t == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else {
        char vt[64];
        value_text(s, vt, sizeof vt);
        return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected a number, got %s%s", type_name(s), vt);
    }
    if (!isfinite(v)) return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must be finite, got %g", v);
    if (strict ? !(v > min) : !(v >= min))
        return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must be %s %g, got %g", strict ? ">" : ">=", min, v);
    *out = v;
    return PESIM_OK;
}

pesim_status pesim_cfg_bool(const cfg_ctx *c, const config_setting_t *s, int32_t *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        char v[64];
        value_text(s, v, sizeof v);
        return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected a boolean (true or false), got %s%s", type_name(s), v);
    }
    *out = config_setting_get_bool(s) ? 1 : 0;
    return PESIM_OK;
}

pesim_status pesim_cfg_string(const cfg_ctx *c, const config_setting_t *s, char *buf, size_t n, int nonempty)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        char v[64];
        value_text(s, v, sizeof v);
        return pesim_cfg_fail(c, s, PESIM_ERR_TYPE, "expected a string, got %s%s", type_name(s), v);
    }
    const char *v = config_setting_get_string(s);
    size_t len = strlen(v);
    if (len >= n)
        return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "is too long (%zu characters, at most %zu)", len, n - 1);
    if (nonempty && len == 0) return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must not be empty");
    memcpy(buf, v, len + 1);
    return PESIM_OK;
}

pesim_status pesim_cfg_enum(const cfg_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                            const char *const *names, int n_names, const char *what, int *out)
{
    char v[HINT_MAX];
    pesim_status st = pesim_cfg_string(c, s, v, sizeof v, 0);
    if (st == PESIM_ERR_RANGE) v[0] = '\0'; /* too long to be any name: fall through to the list */
    else if (st) return st;
    int k = v[0] ? parse(v) : -1;
    if (k >= 0) {
        *out = k;
        return PESIM_OK;
    }
    char list[320], hint[HINT_MAX] = "";
    join_names(names, n_names, list, sizeof list);
    const char *sug = v[0] ? pesim_cfg_suggest(v, names, n_names) : NULL;
    if (sug) snprintf(hint, sizeof hint, "; did you mean '%s'?", sug);
    return pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "unknown %s '%.63s'%s (expected one of: %s)", what,
                          config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "", hint,
                          list);
}

pesim_status pesim_cfg_name_set(const cfg_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                                const char *const *names, int n_names, const char *what, uint32_t *mask)
{
    pesim_status st = pesim_cfg_array(c, s, 0, 32);
    if (st) return st;
    uint32_t m = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        int k;
        st = pesim_cfg_enum(c, el, parse, names, n_names, what, &k);
        if (st) return st;
        if (k >= 32) return pesim_cfg_fail(c, el, PESIM_ERR_INTERNAL, "name index %d too large for a mask", k);
        if (m & (1u << k))
            return pesim_cfg_fail(c, el, PESIM_ERR_INVALID, "'%s' is listed twice", config_setting_get_string(el));
        m |= 1u << k;
    }
    *mask = m;
    return PESIM_OK;
}


pesim_status pesim_cfg_read_fields(const cfg_ctx *c, const config_setting_t *g, const cfg_field *fields, int n,
                                   void *base, int all_required)
{
    for (int i = 0; i < n; i++) {
        const cfg_field *f = &fields[i];
        const config_setting_t *s;
        pesim_status st = pesim_cfg_member(c, g, f->key, all_required || (f->flags & CFG_REQUIRED), &s);
        if (st) return st;
        if (!s) continue;
        char *at = (char *)base + f->offset;
        switch (f->kind) {
        case CFG_I32: {
            int64_t v;
            st = pesim_cfg_int(c, s, f->min, f->max ? f->max : INT32_MAX, &v);
            if (!st) {
                int32_t v32 = (int32_t)v;
                memcpy(at, &v32, sizeof v32);
            }
            break;
        }
        case CFG_I64: {
            int64_t v;
            st = pesim_cfg_int(c, s, f->min, f->max ? f->max : INT64_MAX, &v);
            if (!st) memcpy(at, &v, sizeof v);
            break;
        }
        case CFG_F64: {
            double v;
            st = pesim_cfg_float(c, s, (double)f->min, (f->flags & CFG_GT) != 0, &v);
            if (!st && f->max && v > (double)f->max)
                st = pesim_cfg_fail(c, s, PESIM_ERR_RANGE, "must be <= %g, got %g", (double)f->max, v);
            if (!st && (f->flags & CFG_RATE) && v != 0 && v < CFG_RATE_MIN)
                st = pesim_cfg_fail(c, s, PESIM_ERR_RANGE,
                                    "must be 0 (unlimited) or at least 1/1024 = %g words per cycle, got %g",
                                    CFG_RATE_MIN, v);
            if (!st) memcpy(at, &v, sizeof v);
            break;
        }
        case CFG_BOOL: {
            int32_t v;
            st = pesim_cfg_bool(c, s, &v);
            if (!st) memcpy(at, &v, sizeof v);
            break;
        }
        }
        if (st) return st;
    }
    return PESIM_OK;
}

int pesim_cfg_fields_bad(const cfg_field *fields, int n, const void *base)
{
    for (int i = 0; i < n; i++) {
        const cfg_field *f = &fields[i];
        const char *at = (const char *)base + f->offset;
        int ok = 1;
        switch (f->kind) {
        case CFG_I32: {
            int32_t x;
            memcpy(&x, at, sizeof x);
            ok = x >= f->min && x <= (f->max ? f->max : INT32_MAX);
            break;
        }
        case CFG_I64: {
            int64_t x;
            memcpy(&x, at, sizeof x);
            ok = x >= f->min && x <= (f->max ? f->max : INT64_MAX);
            break;
        }
        case CFG_F64: {
            double x;
            memcpy(&x, at, sizeof x);
            ok = isfinite(x) && ((f->flags & CFG_GT) ? x > (double)f->min : x >= (double)f->min) &&
                 (!f->max || x <= (double)f->max) && (!(f->flags & CFG_RATE) || x == 0 || x >= CFG_RATE_MIN);
            break;
        }
        case CFG_BOOL: {
            int32_t x;
            memcpy(&x, at, sizeof x);
            ok = x == 0 || x == 1;
            break;
        }
        }
        if (!ok) return i;
    }
    return -1;
}

int pesim_cfg_str_ok(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

/* ------------------------------------------------------------ writing */

static int reserve(cfg_buf *b, size_t extra)
{
    if (b->nomem) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->nomem = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->nomem = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

static void vput(cfg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (k < 0) {
        b->nomem = 1;
        return;
    }
    if (!reserve(b, (size_t)k)) return;
    vsnprintf(b->p + b->len, (size_t)k + 1, fmt, ap);
    b->len += (size_t)k;
}

void pesim_cfg_printf(cfg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(b, fmt, ap);
    va_end(ap);
}

void pesim_cfg_put_string(cfg_buf *b, const char *s)
{
    pesim_cfg_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') pesim_cfg_printf(b, "\\%c", *p);
        else if (*p == '\n') pesim_cfg_printf(b, "\\n");
        else if (*p == '\t') pesim_cfg_printf(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f) pesim_cfg_printf(b, "\\x%02x", *p);
        else pesim_cfg_printf(b, "%c", *p);
    }
    pesim_cfg_printf(b, "\"");
}

void pesim_cfg_put_int(cfg_buf *b, int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX) pesim_cfg_printf(b, "%lldL", (long long)v);
    else pesim_cfg_printf(b, "%lld", (long long)v);
}

void pesim_cfg_put_float(cfg_buf *b, double v)
{
    char s[PESIM_IO_DOUBLE_MAX + 2];
    pesim_io_format_double(v, s);
    /* libconfig reads "3" as an integer: force a float token */
    if (!strpbrk(s, ".eEn")) strcat(s, ".0");
    pesim_cfg_printf(b, "%s", s);
}

/* Characters since the last newline. */
static size_t column(const cfg_buf *b)
{
    size_t i = b->len;
    while (i > 0 && b->p[i - 1] != '\n') i--;
    return b->len - i;
}

void pesim_cfg_put_wrapped(cfg_buf *b, const char *seg, int indent)
{
    size_t col = b->len ? column(b) : 0;
    if (col + 1 + strlen(seg) > 96) pesim_cfg_printf(b, "\n%*s%s", indent, "", seg);
    else pesim_cfg_printf(b, " %s", seg);
}

void pesim_cfg_put_fields(cfg_buf *b, const cfg_field *fields, int n, const void *base, int indent)
{
    for (int i = 0; i < n; i++) {
        const cfg_field *f = &fields[i];
        const char *at = (const char *)base + f->offset;
        /* format the value alone first, to know whether it still fits the line */
        cfg_buf v = {0};
        switch (f->kind) {
        case CFG_I32: {
            int32_t x;
            memcpy(&x, at, sizeof x);
            pesim_cfg_put_int(&v, x);
            break;
        }
        case CFG_I64: {
            int64_t x;
            memcpy(&x, at, sizeof x);
            pesim_cfg_put_int(&v, x);
            break;
        }
        case CFG_F64: {
            double x;
            memcpy(&x, at, sizeof x);
            pesim_cfg_put_float(&v, x);
            break;
        }
        case CFG_BOOL: {
            int32_t x;
            memcpy(&x, at, sizeof x);
            pesim_cfg_printf(&v, "%s", x ? "true" : "false");
            break;
        }
        }
        if (v.nomem) {
            b->nomem = 1;
            pesim_cfg_buf_free(&v);
            return;
        }
        cfg_buf kv = {0};
        pesim_cfg_printf(&kv, "%s = %s;", f->key, v.p);
        pesim_cfg_buf_free(&v);
        if (kv.nomem) {
            b->nomem = 1;
            pesim_cfg_buf_free(&kv);
            return;
        }
        if (i == 0) pesim_cfg_printf(b, "%s", kv.p);
        else pesim_cfg_put_wrapped(b, kv.p, indent);
        pesim_cfg_buf_free(&kv);
    }
}

pesim_status pesim_cfg_save(cfg_buf *b, const char *path, pesim_error *e)
{
    if (b->nomem) {
        pesim_cfg_buf_free(b);
        return pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        int err = errno;
        pesim_cfg_buf_free(b);
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot open file for writing: %s", strerror(err));
    }
    size_t put = b->len ? fwrite(b->p, 1, b->len, f) : 0;
    int err = put != b->len ? errno : 0;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    size_t len = b->len;
    pesim_cfg_buf_free(b);
    if (err || put != len)
        return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot write file: %s", strerror(err ? err : EIO));
    return PESIM_OK;
}

char *pesim_cfg_take(cfg_buf *b)
{
    if (b->nomem || !reserve(b, 0)) {
        pesim_cfg_buf_free(b);
        return NULL;
    }
    b->p[b->len] = '\0';
    char *p = b->p;
    memset(b, 0, sizeof *b);
    return p;
}

void pesim_cfg_buf_free(cfg_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
