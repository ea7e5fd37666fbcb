/* experiment.c - reading experiment files (docs/search.md "Experiments"):
 * the only file of search/ that includes libconfig.h.
 *
 * An experiment names a base architecture and a workload, the objective and
 * budgets, optional search defaults, and the hardware parameters: each a key
 * (or a tuple of keys set together) and a list of values, given as `values`,
 * a linear `range = [from, to, step]` or a `geometric = [from, to, factor]`.
 * Keys are checked against a declarative table (hw_keys below); unknown keys,
 * wrong types and out-of-range values are errors naming the file, the line
 * and the key. */
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "space_impl.h"

#define MAX_VALUES 4096

typedef enum vkind { V_INT = 0, V_NUM, V_DATAFLOW, V_DIMS, V_BOOL } vkind;

/* What a key may set, after "LEVEL." ('*' stands for a tensor name). */
typedef struct hw_spec {
    const char *pattern;
    hw_field field;
    vkind kind;
    double min, max;
} hw_spec;

static const hw_spec hw_specs[] = {
    {"fanout_x", HW_FANOUT_X, V_INT, 1, 65536},
    {"fanout_y", HW_FANOUT_Y, V_INT, 1, 65536},
    {"capacity_words", HW_CAPACITY, V_INT, 1, 1e15},
    {"tensor_capacity.*", HW_TENSOR_CAPACITY, V_INT, 1, 1e15},
    {"read_words_per_cycle", HW_READ_BW, V_NUM, 0, 1e12},
    {"write_words_per_cycle", HW_WRITE_BW, V_NUM, 0, 1e12},
    {"words_per_cycle", HW_BW, V_NUM, 0, 1e12},
    {"noc.*.words_per_cycle", HW_NOC_BW, V_NUM, 0, 1e12},
    {"dram.channels", HW_DRAM_CHANNELS, V_INT, 1, 1024},
    {"spatial_x", HW_SPATIAL_X, V_DIMS, 0, 0},
    {"spatial_y", HW_SPATIAL_Y, V_DIMS, 0, 0},
    {"banks", HW_BANKS, V_INT, 1, 65536},
    {"double_buffered", HW_DOUBLE_BUFFERED, V_BOOL, 0, 1},
    {"multiple_buffering", HW_TILE_SLOTS, V_INT, 1, PESIM_TILE_SLOTS_MAX},
    {"ports", HW_PORTS, V_INT, 1, 64},
    {"word_bits", HW_LEVEL_WORD_BITS, V_INT, 1, 64},
};

static const char *const dataflows[] = {"ws", "os", "is", "rs", "nvdla", "any"};

static const char *const top_keys[] = {"name",   "arch",           "workload",        "layer",  "joint",
                                       "objective", "weights",     "area_budget_um2", "power_budget_mw",
                                       "scale_area_energy", "search", "params", "agents", "score_weight", NULL};

typedef struct reader {
    const char *path;
    pesim_error *e;
} reader;

static pesim_status fail(reader *r, const config_setting_t *at, pesim_status code, const char *key, const char *fmt,
                         ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static pesim_status fail(reader *r, const config_setting_t *at, pesim_status code, const char *key, const char *fmt,
                         ...)
{
    char msg[PESIM_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pesim_error_set(r->e, code, r->path, at ? (int)config_setting_source_line(at) : 0, key, "%s", msg);
}

static pesim_status check_keys(reader *r, const config_setting_t *g, const char *const *allowed, const char *where)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        int ok = 0;
        for (int k = 0; allowed[k] && !ok; k++) ok = name && strcmp(name, allowed[k]) == 0;
        if (!ok) {
            char list[256] = "";
            for (int k = 0; allowed[k]; k++) {
                strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[k], sizeof list - strlen(list) - 1);
            }
            char key[PESIM_KEY_MAX];
            snprintf(key, sizeof key, "%s%s%s", where, where[0] ? "." : "", name ? name : "?");
            return fail(r, m, PESIM_ERR_KEY, key, "unknown key (expected one of: %s)", list);
        }
    }
    return PESIM_OK;
}

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static double number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_FLOAT) return config_setting_get_float(s);
    return (double)config_setting_get_int64(s);
}

static pesim_status get_string(reader *r, const config_setting_t *g, const char *name, const char *key, char *out,
                               size_t n)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s) return PESIM_OK;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) return fail(r, s, PESIM_ERR_TYPE, key, "expected a string");
    const char *v = config_setting_get_string(s);
    if (strlen(v) >= n) return fail(r, s, PESIM_ERR_RANGE, key, "longer than %d characters", (int)n - 1);
    snprintf(out, n, "%s", v);
    return PESIM_OK;
}

static pesim_status get_double(reader *r, const config_setting_t *g, const char *name, const char *key, double *out,
                               double min)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s) return PESIM_OK;
    if (!is_number(s)) return fail(r, s, PESIM_ERR_TYPE, key, "expected a number");
    double v = number(s);
    if (!(v >= min) || !isfinite(v)) return fail(r, s, PESIM_ERR_RANGE, key, "must be >= %g, got %g", min, v);
    *out = v;
    return PESIM_OK;
}

static pesim_status get_bool(reader *r, const config_setting_t *g, const char *name, const char *key, int32_t *out)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s) return PESIM_OK;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) return fail(r, s, PESIM_ERR_TYPE, key, "expected true or false");
    *out = config_setting_get_bool(s) ? 1 : 0;
    return PESIM_OK;
}

/* A relative path: from the current directory if it exists there, else from
 * the experiment file's directory. */
static void resolve(const char *exp_path, const char *p, char *out, size_t n)
{
    if (!p[0] || p[0] == '/' || access(p, F_OK) == 0) {
        snprintf(out, n, "%s", p);
        return;
    }
    const char *slash = strrchr(exp_path, '/');
    if (!slash) {
        snprintf(out, n, "%s", p);
        return;
    }
    char cand[2 * PESIM_PATH_MAX];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)(slash - exp_path), exp_path, p);
    snprintf(out, n, "%s", access(cand, F_OK) == 0 && strlen(cand) < n ? cand : p);
}

/* ------------------------------------------------------------ keys */

/* Resolves key text against the arch: fills k and the spec. */
static pesim_status parse_key(reader *r, const config_setting_t *at, const char *where, const char *text,
                              const pesim_arch *a, hw_key *k, const hw_spec **spec)
{
    memset(k, 0, sizeof *k);
    snprintf(k->text, sizeof k->text, "%s", text);
    k->level = k->tensor = -1;
    static const hw_spec dataflow_spec = {"dataflow", HW_DATAFLOW, V_DATAFLOW, 0, 0};
    static const hw_spec word_bits_spec = {"word_bits", HW_WORD_BITS, V_INT, 1, 64};
    if (strcmp(text, "dataflow") == 0 || strcmp(text, "word_bits") == 0) {
        *spec = text[0] == 'd' ? &dataflow_spec : &word_bits_spec;
        k->field = (*spec)->field;
        return PESIM_OK;
    }
    const char *dot = strchr(text, '.');
    if (!dot)
        return fail(r, at, PESIM_ERR_KEY, where,
                    "'%s': expected 'dataflow', 'word_bits' or LEVEL.FIELD (e.g. GLB.fanout_x, "
                    "GLB.tensor_capacity.weights)", text);
    char level[PESIM_NAME_MAX];
    snprintf(level, sizeof level, "%.*s", (int)(dot - text), text);
    k->level = pesim_arch_find_level(a, level);
    if (k->level < 0) {
        char list[256] = "";
        for (int l = 0; l < a->n_levels; l++) {
            strncat(list, l ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, a->level[l].name, sizeof list - strlen(list) - 1);
        }
        return fail(r, at, PESIM_ERR_KEY, where, "'%s': arch '%s' has no level '%s' (levels: %s)", text, a->name,
                    level, list);
    }
    const char *rest = dot + 1;
    for (size_t i = 0; i < sizeof hw_specs / sizeof hw_specs[0]; i++) {
        const char *pat = hw_specs[i].pattern, *star = strchr(pat, '*');
        if (!star) {
            if (strcmp(rest, pat) != 0) continue;
        } else {
            size_t pre = (size_t)(star - pat), post = strlen(star + 1), len = strlen(rest);
            if (len <= pre + post || strncmp(rest, pat, pre) != 0 || strcmp(rest + len - post, star + 1) != 0) continue;
            char tensor[32];
            snprintf(tensor, sizeof tensor, "%.*s", (int)(len - pre - post), rest + pre);
            k->tensor = pesim_tensor_parse(tensor);
            if (k->tensor < 0)
                return fail(r, at, PESIM_ERR_KEY, where, "'%s': unknown tensor '%s' (weights, inputs, outputs)", text,
                            tensor);
        }
        k->field = hw_specs[i].field;
        *spec = &hw_specs[i];
        if (k->field == HW_DRAM_CHANNELS && !a->level[k->level].is_dram)
            return fail(r, at, PESIM_ERR_INVALID, where, "'%s': level %s is not a DRAM level", text, level);
        if (k->field == HW_LEVEL_WORD_BITS && pesim_level_width_is_arch(a, k->level))
            return fail(r, at, PESIM_ERR_INVALID, where,
                        "'%s': the %s level's words are the arch's (sweep 'word_bits' for them)", text,
                        a->level[k->level].is_dram ? "DRAM" : "outermost");
        return PESIM_OK;
    }
    char list[512] = "";
    for (size_t i = 0; i < sizeof hw_specs / sizeof hw_specs[0]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, hw_specs[i].pattern, sizeof list - strlen(list) - 1);
    }
    return fail(r, at, PESIM_ERR_KEY, where, "'%s': unknown field '%s' (fields: %s; '*' is a tensor)", text, rest,
                list);
}

/* One value of a key, checked against its spec. */
static pesim_status parse_value(reader *r, const config_setting_t *v, const char *where, const hw_key *k,
                                const hw_spec *spec, hw_value *out)
{
    memset(out, 0, sizeof *out);
    switch (spec->kind) {
    case V_INT:
    case V_NUM: {
        if (!is_number(v)) return fail(r, v, PESIM_ERR_TYPE, where, "%s: expected a number", k->text);
        double x = number(v);
        if (spec->kind == V_INT && x != floor(x))
            return fail(r, v, PESIM_ERR_TYPE, where, "%s: expected an integer, got %g", k->text, x);
        if (!(x >= spec->min && x <= spec->max))
            return fail(r, v, PESIM_ERR_RANGE, where, "%s: %g is out of range [%g, %g]", k->text, x, spec->min,
                        spec->max);
        out->num = x;
        return PESIM_OK;
    }
    case V_BOOL:
        if (config_setting_type(v) == CONFIG_TYPE_BOOL) {
            out->num = config_setting_get_bool(v) ? 1 : 0;
            return PESIM_OK;
        }
        if (is_number(v) && (number(v) == 0 || number(v) == 1)) {
            out->num = number(v);
            return PESIM_OK;
        }
        return fail(r, v, PESIM_ERR_TYPE, where, "%s: expected true or false", k->text);
    case V_DATAFLOW: {
        if (config_setting_type(v) != CONFIG_TYPE_STRING)
            return fail(r, v, PESIM_ERR_TYPE, where, "%s: expected a string", k->text);
        const char *s = config_setting_get_string(v);
        for (size_t i = 0; i < sizeof dataflows / sizeof dataflows[0]; i++)
            if (strcmp(s, dataflows[i]) == 0) {
                snprintf(out->str, sizeof out->str, "%s", s);
                return PESIM_OK;
            }
        return fail(r, v, PESIM_ERR_RANGE, where, "dataflow '%s': expected ws, os, is, rs, nvdla or any", s);
    }
    case V_DIMS: {
        if (config_setting_type(v) != CONFIG_TYPE_STRING)
            return fail(r, v, PESIM_ERR_TYPE, where, "%s: expected a string of dims such as \"KC\"", k->text);
        const char *s = config_setting_get_string(v);
        for (const char *c = s; *c; c++) {
            if (*c == ',' || *c == ' ') continue;
            char one[2] = {*c, 0};
            int d = pesim_dim_parse(one);
            if (d < 0) return fail(r, v, PESIM_ERR_RANGE, where, "%s: '%c' is not a dim (G N K C P Q R S)", k->text, *c);
            out->mask |= 1u << d;
        }
        if (!out->mask) return fail(r, v, PESIM_ERR_RANGE, where, "%s: no dims", k->text);
        snprintf(out->str, sizeof out->str, "%s", s);
        return PESIM_OK;
    }
    }
    return PESIM_ERR_INTERNAL;
}

/* The values of a single-key param from range = [from, to, step] or
 * geometric = [from, to, factor]. */
static pesim_status expand(reader *r, const config_setting_t *g, const char *where, const hw_key *k,
                           const hw_spec *spec, int geometric, hw_value *vals, int32_t *n)
{
    if (spec->kind != V_INT && spec->kind != V_NUM)
        return fail(r, g, PESIM_ERR_TYPE, where, "%s: ranges are for numeric keys; use values", k->text);
    if (config_setting_length(g) != 3 || !is_number(config_setting_get_elem(g, 0)) ||
        !is_number(config_setting_get_elem(g, 1)) || !is_number(config_setting_get_elem(g, 2)))
        return fail(r, g, PESIM_ERR_TYPE, where, "expected [from, to, %s]", geometric ? "factor" : "step");
    double from = number(config_setting_get_elem(g, 0)), to = number(config_setting_get_elem(g, 1)),
           step = number(config_setting_get_elem(g, 2));
    if (geometric ? !(from > 0 && step > 1) : !(step > 0))
        return fail(r, g, PESIM_ERR_RANGE, where, geometric ? "need from > 0 and factor > 1" : "need step > 0");
    if (to < from) return fail(r, g, PESIM_ERR_RANGE, where, "to (%g) < from (%g)", to, from);
    *n = 0;
    for (int i = 0;; i++) {
        double x = geometric ? from * pow(step, i) : from + step * i;
        if (x > to * (1 + 1e-12)) break;
        if (*n == MAX_VALUES) return fail(r, g, PESIM_ERR_RANGE, where, "more than %d values", MAX_VALUES);
        if (spec->kind == V_INT) x = floor(x + 0.5);
        if (!(x >= spec->min && x <= spec->max))
            return fail(r, g, PESIM_ERR_RANGE, where, "%s: %g is out of range [%g, %g]", k->text, x, spec->min,
                        spec->max);
        if (*n && vals[*n - 1].num == x) continue; /* rounding made a duplicate */
        memset(&vals[*n], 0, sizeof vals[*n]);
        vals[(*n)++].num = x;
    }
    return PESIM_OK;
}

/* One entry of params: fills hp. */
static pesim_status read_param(reader *r, const config_setting_t *p, int idx, const pesim_arch *a, hw_param *hp)
{
    static const char *const param_keys[] = {"name", "key", "keys", "values", "range", "geometric", "group", NULL};
    char where[PESIM_KEY_MAX];
    snprintf(where, sizeof where, "params.[%d]", idx);
    pesim_status st;
    memset(hp, 0, sizeof *hp);
    if (config_setting_type(p) != CONFIG_TYPE_GROUP)
        return fail(r, p, PESIM_ERR_TYPE, where, "expected a group { key = ...; values = [...]; }");
    if ((st = check_keys(r, p, param_keys, where))) return st;
    const config_setting_t *key = config_setting_get_member(p, "key"), *keys = config_setting_get_member(p, "keys");
    if (!!key == !!keys) return fail(r, p, PESIM_ERR_MISSING, where, "give exactly one of key or keys");
    const hw_spec *spec[HW_MAX_KEYS];
    if (key) {
        if (config_setting_type(key) != CONFIG_TYPE_STRING)
            return fail(r, key, PESIM_ERR_TYPE, where, "key: expected a string");
        hp->n_keys = 1;
        if ((st = parse_key(r, key, where, config_setting_get_string(key), a, &hp->key[0], &spec[0]))) return st;
    } else {
        int n = config_setting_length(keys);
        int t = config_setting_type(keys);
        if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1 || n > HW_MAX_KEYS)
            return fail(r, keys, PESIM_ERR_TYPE, where, "keys: expected 1 to %d strings", HW_MAX_KEYS);
        hp->n_keys = n;
        for (int i = 0; i < n; i++) {
            const config_setting_t *ks = config_setting_get_elem(keys, (unsigned)i);
            if (config_setting_type(ks) != CONFIG_TYPE_STRING)
                return fail(r, ks, PESIM_ERR_TYPE, where, "keys: expected strings");
            if ((st = parse_key(r, ks, where, config_setting_get_string(ks), a, &hp->key[i], &spec[i]))) return st;
        }
    }
    if ((st = get_string(r, p, "name", where, hp->name, sizeof hp->name))) return st;
    char group[16] = "";
    if ((st = get_string(r, p, "group", where, group, sizeof group))) return st;
    hp->group = PESIM_GROUP_HARDWARE;
    if (group[0]) { /* an arch knob a schedule decides (double buffering, ...): ARCO's agents */
        hp->group = -1;
        for (int g = 0; g < PESIM_GROUP_COUNT; g++)
            if (strcmp(group, pesim_param_group_name((pesim_param_group)g)) == 0) hp->group = g;
        if (hp->group < 0 || hp->group == PESIM_GROUP_PLACEMENT)
            return fail(r, config_setting_get_member(p, "group"), PESIM_ERR_RANGE, where,
                        "group: expected \"hardware\", \"tiling\" or \"schedule\", got \"%s\"", group);
    }
    if (!hp->name[0]) { /* the keys joined by '+', truncated */
        size_t at = 0;
        for (int i = 0; i < hp->n_keys && at + 1 < sizeof hp->name; i++) {
            const char *t = hp->key[i].text;
            if (i) hp->name[at++] = '+';
            size_t k = strlen(t);
            if (k > sizeof hp->name - 1 - at) k = sizeof hp->name - 1 - at;
            memcpy(hp->name + at, t, k);
            at += k;
        }
        hp->name[at] = '\0';
    }
    const config_setting_t *values = config_setting_get_member(p, "values"),
                           *range = config_setting_get_member(p, "range"),
                           *geo = config_setting_get_member(p, "geometric");
    if (!!values + !!range + !!geo != 1)
        return fail(r, p, PESIM_ERR_MISSING, where, "give exactly one of values, range or geometric");
    hp->values = calloc((size_t)MAX_VALUES * (size_t)hp->n_keys, sizeof *hp->values);
    if (!hp->values) return fail(r, p, PESIM_ERR_NOMEM, where, "out of memory");
    if (!values) {
        if (hp->n_keys != 1) return fail(r, p, PESIM_ERR_INVALID, where, "ranges are for a single key; use values");
        return expand(r, range ? range : geo, where, &hp->key[0], spec[0], !range, hp->values, &hp->n_values);
    }
    int t = config_setting_type(values), n = config_setting_length(values);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n < 1)
        return fail(r, values, PESIM_ERR_TYPE, where, "values: expected a non-empty list");
    if (n > MAX_VALUES) return fail(r, values, PESIM_ERR_RANGE, where, "more than %d values", MAX_VALUES);
    for (int i = 0; i < n; i++) {
        const config_setting_t *v = config_setting_get_elem(values, (unsigned)i);
        if (hp->n_keys == 1) {
            if ((st = parse_value(r, v, where, &hp->key[0], spec[0], &hp->values[i]))) return st;
            continue;
        }
        int vt = config_setting_type(v);
        if ((vt != CONFIG_TYPE_ARRAY && vt != CONFIG_TYPE_LIST) || config_setting_length(v) != hp->n_keys)
            return fail(r, v, PESIM_ERR_TYPE, where, "values[%d]: expected a tuple of %d values, one per key", i,
                        hp->n_keys);
        for (int k = 0; k < hp->n_keys; k++)
            if ((st = parse_value(r, config_setting_get_elem(v, (unsigned)k), where, &hp->key[k], spec[k],
                                  &hp->values[(size_t)i * (size_t)hp->n_keys + (size_t)k])))
                return st;
    }
    hp->n_values = n;
    return PESIM_OK;
}

/* ---------------------------------------------------------- the file */

/* The agent networks of a co-search: agents = ( { workload; score; }, ... )
 * and score_weight (default 1). */
static pesim_status read_agents(reader *r, const config_setting_t *x, const char *path, pesim_experiment *out)
{
    out->score_weight = 1;
    pesim_status st = get_double(r, x, "score_weight", "score_weight", &out->score_weight, 0);
    if (st) return st;
    const config_setting_t *ag = config_setting_get_member(x, "agents");
    if (!ag) return PESIM_OK;
    int n = config_setting_length(ag);
    if (config_setting_type(ag) != CONFIG_TYPE_LIST || n < 1)
        return fail(r, ag, PESIM_ERR_TYPE, "agents", "expected a non-empty list ( { workload = ...; score = ...; }, ... )");
    if (n > PESIM_MAX_AGENTS)
        return fail(r, ag, PESIM_ERR_RANGE, "agents", "%d agent networks, at most %d", n, PESIM_MAX_AGENTS);
    static const char *const akeys[] = {"workload", "score", NULL};
    for (int i = 0; i < n; i++) {
        const config_setting_t *a = config_setting_get_elem(ag, (unsigned)i);
        char where[32], key[48], tmp[PESIM_PATH_MAX] = "";
        snprintf(where, sizeof where, "agents[%d]", i);
        if (config_setting_type(a) != CONFIG_TYPE_GROUP)
            return fail(r, a, PESIM_ERR_TYPE, where, "expected a group { workload = ...; score = ...; }");
        if ((st = check_keys(r, a, akeys, where))) return st;
        snprintf(key, sizeof key, "%s.workload", where);
        if ((st = get_string(r, a, "workload", key, tmp, sizeof tmp))) return st;
        if (!tmp[0]) return fail(r, a, PESIM_ERR_MISSING, key, "an agent needs a workload file");
        resolve(path, tmp, out->agent_workload[i], sizeof out->agent_workload[i]);
        snprintf(key, sizeof key, "%s.score", where);
        if (!config_setting_get_member(a, "score")) return fail(r, a, PESIM_ERR_MISSING, key, "an agent needs a score");
        if ((st = get_double(r, a, "score", key, &out->agent_score[i], -1e300))) return st;
    }
    out->n_agents = n;
    return PESIM_OK;
}

pesim_status srch_experiment_read(const char *path, const pesim_arch *base, pesim_space *s, pesim_experiment *out,
                                  pesim_error *e)
{
    reader r = {path, e};
    memset(out, 0, sizeof *out);
    if (!path) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "experiment: NULL path");
    FILE *f = fopen(path, "r");
    if (!f) return pesim_error_set(e, PESIM_ERR_IO, path, 0, NULL, "cannot open: %s", strerror(errno));
    config_t cfg;
    config_init(&cfg);
    int ok = config_read(&cfg, f);
    fclose(f);
    pesim_status st = PESIM_OK;
    if (!ok) {
        st = pesim_error_set(e, PESIM_ERR_PARSE, path, config_error_line(&cfg), NULL, "%s",
                             config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
        goto done;
    }
    const config_setting_t *root = config_root_setting(&cfg);
    static const char *const root_keys[] = {"experiment", NULL};
    if ((st = check_keys(&r, root, root_keys, ""))) goto done;
    const config_setting_t *x = config_setting_get_member(root, "experiment");
    if (!x) {
        st = pesim_error_set(e, PESIM_ERR_MISSING, path, 0, "experiment", "no experiment group");
        goto done;
    }
    if (config_setting_type(x) != CONFIG_TYPE_GROUP) {
        st = fail(&r, x, PESIM_ERR_TYPE, "experiment", "expected a group");
        goto done;
    }
    if ((st = check_keys(&r, x, top_keys, ""))) goto done;
    char tmp[PESIM_PATH_MAX] = "";
    if ((st = get_string(&r, x, "name", "name", out->name, sizeof out->name))) goto done;
    if ((st = get_string(&r, x, "arch", "arch", tmp, sizeof tmp))) goto done;
    resolve(path, tmp, out->arch_path, sizeof out->arch_path);
    tmp[0] = '\0';
    if ((st = get_string(&r, x, "workload", "workload", tmp, sizeof tmp))) goto done;
    resolve(path, tmp, out->workload_path, sizeof out->workload_path);
    if ((st = get_string(&r, x, "layer", "layer", out->layer, sizeof out->layer))) goto done;
    if ((st = get_bool(&r, x, "joint", "joint", &out->joint))) goto done;
    {
        char obj[32] = "latency";
        if ((st = get_string(&r, x, "objective", "objective", obj, sizeof obj))) goto done;
        int o = pesim_objective_parse(obj);
        if (o < 0) {
            st = fail(&r, config_setting_get_member(x, "objective"), PESIM_ERR_RANGE, "objective",
                      "'%s': expected latency, energy, edp or weighted", obj);
            goto done;
        }
        out->eval.objective = (pesim_objective)o;
    }
    const config_setting_t *w = config_setting_get_member(x, "weights");
    if (w) {
        static const char *const wkeys[] = {"latency", "energy", "area", NULL};
        if (config_setting_type(w) != CONFIG_TYPE_GROUP) {
            st = fail(&r, w, PESIM_ERR_TYPE, "weights", "expected a group { latency = 1.0; ... }");
            goto done;
        }
        if ((st = check_keys(&r, w, wkeys, "weights")) ||
            (st = get_double(&r, w, "latency", "weights.latency", &out->eval.w_latency, 0)) ||
            (st = get_double(&r, w, "energy", "weights.energy", &out->eval.w_energy, 0)) ||
            (st = get_double(&r, w, "area", "weights.area", &out->eval.w_area, 0)))
            goto done;
    }
    if (out->eval.objective == PESIM_OBJ_WEIGHTED && out->eval.w_latency + out->eval.w_energy + out->eval.w_area <= 0) {
        st = fail(&r, w ? w : x, PESIM_ERR_MISSING, "weights", "the weighted objective needs weights, not all 0");
        goto done;
    }
    if ((st = get_double(&r, x, "area_budget_um2", "area_budget_um2", &out->eval.area_budget_um2, 0)) ||
        (st = get_double(&r, x, "power_budget_mw", "power_budget_mw", &out->eval.power_budget_mw, 0)))
        goto done;
    int32_t scale = 1;
    if ((st = get_bool(&r, x, "scale_area_energy", "scale_area_energy", &scale))) goto done;
    const config_setting_t *sr = config_setting_get_member(x, "search");
    if (sr) {
        static const char *const skeys[] = {"algo", "budget", "seed", NULL};
        if (config_setting_type(sr) != CONFIG_TYPE_GROUP) {
            st = fail(&r, sr, PESIM_ERR_TYPE, "search", "expected a group { algo = ...; budget = ...; seed = ...; }");
            goto done;
        }
        if ((st = check_keys(&r, sr, skeys, "search")) ||
            (st = get_string(&r, sr, "algo", "search.algo", out->algo, sizeof out->algo)))
            goto done;
        static const char *const ints[] = {"budget", "seed"};
        for (int i = 0; i < 2; i++) {
            const config_setting_t *v = config_setting_get_member(sr, ints[i]);
            if (!v) continue;
            char key[32];
            snprintf(key, sizeof key, "search.%s", ints[i]);
            int t = config_setting_type(v);
            if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
                st = fail(&r, v, PESIM_ERR_TYPE, key, "expected an integer");
                goto done;
            }
            long long val = config_setting_get_int64(v);
            if (val < (i == 0 ? 1 : 0)) {
                st = fail(&r, v, PESIM_ERR_RANGE, key, "must be >= %d, got %lld", i == 0 ? 1 : 0, val);
                goto done;
            }
            if (i == 0)
                out->budget = (int64_t)val;
            else
                out->seed = (uint64_t)val;
        }
    }
    if ((st = read_agents(&r, x, path, out))) goto done;
    const config_setting_t *params = config_setting_get_member(x, "params");
    if (!params) {
        st = pesim_error_set(e, PESIM_ERR_MISSING, path, (int)config_setting_source_line(x), "params",
                             "no hardware parameters (params = ( { key = ...; values = [...]; }, ... ))");
        goto done;
    }
    if (config_setting_type(params) != CONFIG_TYPE_LIST || config_setting_length(params) < 1) {
        st = fail(&r, params, PESIM_ERR_TYPE, "params", "expected a non-empty list ( { ... }, { ... } )");
        goto done;
    }
    out->n_params = config_setting_length(params);
    if (!base || !s) goto done; /* pesim_experiment_load: no arch to resolve keys against */
    s->scale_area_energy = scale;
    snprintf(s->experiment, sizeof s->experiment, "%s", out->name[0] ? out->name : "experiment");
    s->hw = calloc((size_t)out->n_params, sizeof *s->hw);
    if (!s->hw) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, path, 0, NULL, "out of memory");
        goto done;
    }
    for (int i = 0; i < out->n_params; i++) {
        s->n_hw = i + 1; /* so that destroy frees what was read */
        if ((st = read_param(&r, config_setting_get_elem(params, (unsigned)i), i, base, &s->hw[i]))) goto done;
        /* one key, one parameter: a key set twice would make the second win silently */
        for (int j = 0; j < i; j++)
            for (int a = 0; a < s->hw[i].n_keys; a++)
                for (int b = 0; b < s->hw[j].n_keys; b++)
                    if (strcmp(s->hw[i].key[a].text, s->hw[j].key[b].text) == 0) {
                        st = fail(&r, config_setting_get_elem(params, (unsigned)i), PESIM_ERR_INVALID, "params",
                                  "key '%s' is set by params [%d] and [%d]", s->hw[i].key[a].text, j, i);
                        goto done;
                    }
    }
done:
    config_destroy(&cfg);
    return st;
}
