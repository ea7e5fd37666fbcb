/* cfg_util.h - helpers shared by the config loaders and writers (private to
 * sim/config/, the only module of pesim that includes libconfig.h).
 *
 * Loading: pesim_cfg_open() parses a file or a string into a cfg_ctx; the
 * getters check one setting's type and range and, on failure, fill the
 * context's pesim_error with the file, the line and the key path of the
 * setting (docs/config.md, "Errors") and return the status. Every getter
 * leaves its output untouched when it fails or when an optional key is absent,
 * so callers preset defaults and then read.
 *
 * Writing: a cfg_buf collects the text in memory; pesim_cfg_save() writes it
 * in one go. Floats are written so that they parse back to the same double. */
#ifndef PESIM_CFG_UTIL_H
#define PESIM_CFG_UTIL_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "pesim/status.h"

/* One parsed config file. */
typedef struct cfg_ctx {
    const char *name;   /* file name used in messages (the path, or the *_string name) */
    pesim_error *e;     /* where errors go; may be NULL */
    config_t cfg;
    int cfg_live;       /* 1 once config_init ran (pesim_cfg_close destroys it) */
    char *text;         /* the file's contents when read from a path (owned) */
    char *dir;          /* the file's directory, for @include (owned) */
} cfg_ctx;

/* Reads path (text == NULL) or parses text (path == NULL; name labels it in
 * messages, NULL: "<string>"). Errors: PESIM_ERR_IO (cannot read the file),
 * PESIM_ERR_PARSE (libconfig's syntax error with its line, or an integer
 * literal libconfig 1.5 would silently wrap). Call pesim_cfg_close() in every
 * case. @include paths are relative to the including file's directory. */
pesim_status pesim_cfg_open(cfg_ctx *c, const char *path, const char *text, const char *name,
                            pesim_error *e);
void pesim_cfg_close(cfg_ctx *c);

/* ---- checks of the text that libconfig 1.5 cannot make (cfg_text.c) ----
 * text past a UTF-8 byte-order mark (text itself when there is none); */
const char *pesim_cfg_skip_bom(const char *text);
/* every @include target of text, and of what they include, is a regular
 * file when it exists (libconfig reports a missing one; a directory would
 * make its scanner exit()): PESIM_ERR_IO naming the include line; an
 * included file that starts with a byte-order mark is PESIM_ERR_PARSE; */
pesim_status pesim_cfg_check_includes(const cfg_ctx *c, const char *text);
/* integer literals libconfig 1.5 would silently wrap (beyond 32 bits without
 * an L suffix) or clamp (beyond 64 bits): PESIM_ERR_PARSE with the line
 * (the text was parsed already; included files are not scanned); */
pesim_status pesim_cfg_check_literals(const cfg_ctx *c, const char *text);
/* after libconfig's "duplicate setting name" on `line` of text: 1 and the
 * key path of the repeated key (docs/config.md) and the line of its first
 * occurrence, or 0 when the repeat is not found on that line. */
int pesim_cfg_find_duplicate(const char *text, int line, char *key, size_t n, int *first_line);

/* The top-level group `key` ("network", "arch", ...). The root may hold only
 * the known top-level groups (so one file can carry several kinds). */
pesim_status pesim_cfg_top(cfg_ctx *c, const char *key, const config_setting_t **out);

/* Fails with `code` at setting s: file, s's line and key path. Returns code. */
pesim_status pesim_cfg_fail(const cfg_ctx *c, const config_setting_t *s, pesim_status code,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Same, for key `key` of group g (which may be absent): g's line, path g.key. */
pesim_status pesim_cfg_fail_at(const cfg_ctx *c, const config_setting_t *g, const char *key,
                               pesim_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The key path of s (docs/config.md): relative to the top-level group, list
 * entries as [name] when they have a string `name` or `layer`, else [index]. */
void pesim_cfg_path(const config_setting_t *s, char *buf, size_t n);

/* Checks that g is a group whose every key is in `allowed` (NULL-terminated).
 * An unknown key is PESIM_ERR_KEY naming the key, a did-you-mean suggestion
 * when one is close, and the allowed keys. `where` (e.g. "a gemm layer") makes
 * the message say the key is not allowed there; NULL for plain "unknown key". */
pesim_status pesim_cfg_check_keys(const cfg_ctx *c, const config_setting_t *g,
                                  const char *const *allowed, const char *where);

/* Member `key` of group g. Absent: *out = NULL and PESIM_OK when !required,
 * PESIM_ERR_MISSING when required. */
pesim_status pesim_cfg_member(const cfg_ctx *c, const config_setting_t *g, const char *key,
                              int required, const config_setting_t **out);

/* Value checks of one setting. */
pesim_status pesim_cfg_group(const cfg_ctx *c, const config_setting_t *s);
/* An array [ ] or a list ( ) with min_len..max_len elements. */
pesim_status pesim_cfg_array(const cfg_ctx *c, const config_setting_t *s, int min_len, int max_len);
/* An integer (int or int64 setting) in [min, max]. */
pesim_status pesim_cfg_int(const cfg_ctx *c, const config_setting_t *s, int64_t min, int64_t max,
                           int64_t *out);
/* A finite number (int or float setting) >= min, or > min when strict. */
pesim_status pesim_cfg_float(const cfg_ctx *c, const config_setting_t *s, double min, int strict,
                             double *out);
pesim_status pesim_cfg_bool(const cfg_ctx *c, const config_setting_t *s, int32_t *out);
/* A string that fits buf (n bytes with the NUL); non-empty when nonempty. */
pesim_status pesim_cfg_string(const cfg_ctx *c, const config_setting_t *s, char *buf, size_t n,
                              int nonempty);
/* A string that parse() accepts (returns >= 0). Otherwise PESIM_ERR_RANGE
 * "unknown <what> 'x' (expected one of: names...)" with a suggestion. */
pesim_status pesim_cfg_enum(const cfg_ctx *c, const config_setting_t *s, int (*parse)(const char *),
                            const char *const *names, int n_names, const char *what, int *out);
/* An array/list of distinct names accepted by parse(), as a bit mask. */
pesim_status pesim_cfg_name_set(const cfg_ctx *c, const config_setting_t *s,
                                int (*parse)(const char *), const char *const *names, int n_names,
                                const char *what, uint32_t *mask);

/* Declarative scalar fields (Redis-style): loaded and written from one table. */
typedef enum cfg_kind { CFG_I32, CFG_I64, CFG_F64, CFG_BOOL } cfg_kind;
#define CFG_REQUIRED 1u   /* the key must be present */
#define CFG_GT 2u         /* value must be > min (floats), not >= min */
#define CFG_RATE 4u       /* floats: 0 (unlimited) or at least CFG_RATE_MIN */
#define CFG_RATE_MIN (1.0 / 1024)

typedef struct cfg_field {
    const char *key;
    cfg_kind kind;
    size_t offset;      /* of an int32_t, int64_t, double or int32_t (bool) in the struct */
    int64_t min;        /* lower bound (ints and floats) */
    int64_t max;        /* upper bound (ints and floats); 0 = the type's limit (floats: none) */
    unsigned flags;
} cfg_field;

/* Reads every field of `fields` present in group g into base (absent ones
 * keep their preset value). all_required: treat every field as CFG_REQUIRED. */
pesim_status pesim_cfg_read_fields(const cfg_ctx *c, const config_setting_t *g,
                                   const cfg_field *fields, int n, void *base, int all_required);

/* Index of the first field of base whose value pesim_cfg_read_fields() would
 * reject (out of range, not finite, a bool not 0/1), or -1 when all load back.
 * Writers use it to refuse what they cannot write faithfully. */
int pesim_cfg_fields_bad(const cfg_field *fields, int n, const void *base);


/* A fixed-size hash index from names to int32 values (layer name -> index),
 * so that files of 100,000 layers load in linear time. The names are not
 * copied: they must outlive the index. */
typedef struct cfg_names {
    const char **key;
    int32_t *val;
    size_t cap;         /* a power of two, at least twice the names it holds */
} cfg_names;
/* Room for up to `n` names; 0 when out of memory. */
int pesim_cfg_names_init(cfg_names *x, size_t n);
/* The value of name, or -1. */
int32_t pesim_cfg_names_find(const cfg_names *x, const char *name);
/* Adds name -> v (a name already present keeps its first value). At most the
 * `n` names of init may be added. */
void pesim_cfg_names_add(cfg_names *x, const char *name, int32_t v);
void pesim_cfg_names_free(cfg_names *x);

/* Case-insensitive Levenshtein distance suggestion: the entry of names
 * (n entries, or NULL-terminated when n < 0) closest to got, or NULL when
 * none is within distance 2 (and shorter than got itself). */
const char *pesim_cfg_suggest(const char *got, const char *const *names, int n);

/* ---- writing ---- */

typedef struct cfg_buf {
    char *p;
    size_t len, cap;
    int nomem;          /* an allocation failed: the text is incomplete */
} cfg_buf;

void pesim_cfg_printf(cfg_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A quoted libconfig string with escapes. */
void pesim_cfg_put_string(cfg_buf *b, const char *s);
/* An integer; with the L suffix when it does not fit in 32 bits. */
void pesim_cfg_put_int(cfg_buf *b, int64_t v);
/* The shortest decimal that parses back to v, always with a '.' or exponent.
 * v must be finite. */
void pesim_cfg_put_float(cfg_buf *b, double v);
/* Appends " seg", or "\n" + indent spaces + seg when it would pass 96 columns. */
void pesim_cfg_put_wrapped(cfg_buf *b, const char *seg, int indent);
/* Writes `key = value;` for each field of base, separated by a space, starting
 * a new line indented by `indent` spaces before a line would pass 96 columns. */
void pesim_cfg_put_fields(cfg_buf *b, const cfg_field *fields, int n, const void *base, int indent);
/* Writes the text to path and frees it. PESIM_ERR_IO / PESIM_ERR_NOMEM. */
pesim_status pesim_cfg_save(cfg_buf *b, const char *path, pesim_error *e);
/* Hands over the text (caller frees), or NULL after an allocation failure. */
char *pesim_cfg_take(cfg_buf *b);
void pesim_cfg_buf_free(cfg_buf *b);

/* 1 when the NUL-terminated s fits in a char[n] and is NUL-terminated there. */
int pesim_cfg_str_ok(const char *s, size_t n);

#endif
