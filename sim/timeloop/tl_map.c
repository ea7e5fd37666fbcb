/* tl_map.c - Timeloop mappings in and out (docs/timeloop.md, "Mapping").
 *
 * Timeloop lists a level's loops innermost first (`permutation: RP` is
 * `for P { for R }`); pesim's orders are outermost first. A spatial
 * directive's permutation is split: the dims before `split` unroll on X,
 * the rest on Y, each innermost (fastest across the children) first. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/timeloop.h"
#include "timeloop/tl_plan.h"
#include "timeloop/tl_yaml.h"

/* The pesim dim the problem calls `name`, or -1. */
static int dim_of(const pesim_tl_problem *p, const char *name, size_t len)
{
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (p->dim_name[d][0] && strlen(p->dim_name[d]) == len && strncmp(p->dim_name[d], name, len) == 0) return d;
    return -1;
}

/* 1 when every dim name of the problem is one character (permutations are
 * then read a character at a time, as Timeloop does). */
static int single_letter_dims(const pesim_tl_problem *p)
{
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (strlen(p->dim_name[d]) > 1) return 0;
    return 1;
}

/* The text of a string, or of a list of strings joined by spaces. */
static pesim_status text_of(tl_doc *d, const tl_at *a, char *buf, size_t n)
{
    if (tl_scalar(a)) return tl_string(d, a, buf, n);
    if (!tl_is_seq(a)) return tl_fail(d, a, PESIM_ERR_TYPE, "expected a string or a list of strings");
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < tl_len(a); i++) {
        tl_at it = tl_item(d, a, i);
        const char *s = tl_scalar(&it);
        if (!s) return tl_fail(d, &it, PESIM_ERR_TYPE, "expected a string");
        int k = snprintf(buf + used, n - used, "%s%s", used ? " " : "", s);
        if (k < 0 || (size_t)k >= n - used) return tl_fail(d, a, PESIM_ERR_RANGE, "is too long");
        used += (size_t)k;
    }
    return PESIM_OK;
}

/* `factors`: "R=3 P16" (or a list of such): into f[] (pesim dims). */
static pesim_status read_factors(tl_doc *d, const tl_at *a, const pesim_tl_problem *p, int64_t f[PESIM_NDIMS])
{
    char buf[512];
    pesim_status st = text_of(d, a, buf, sizeof buf);
    if (st) return st;
    unsigned seen = 0;
    const char *s = buf;
    for (;;) {
        while (*s && !isalpha((unsigned char)*s) && *s != '_') {
            if (!isspace((unsigned char)*s) && *s != ',')
                return tl_fail(d, a, PESIM_ERR_PARSE, "cannot read '%s' (expected dim=factor ...)", s);
            s++;
        }
        if (!*s) break;
        /* Timeloop's rule: a name is letters ("R3" and "R=3" are R, 3) */
        const char *name = s;
        while (isalpha((unsigned char)*s) || *s == '_') s++;
        size_t len = (size_t)(s - name);
        while (*s == ' ' || *s == '=') s++;
        if (!isdigit((unsigned char)*s))
            return tl_fail(d, a, PESIM_ERR_PARSE, "'%.*s' has no factor (expected %.*s=N)", (int)len, name, (int)len,
                           name);
        char *end;
        long long v = strtoll(s, &end, 10);
        s = end;
        int dim = dim_of(p, name, len);
        if (dim < 0)
            return tl_fail(d, a, PESIM_ERR_INVALID, "'%.*s' is not a dimension of the problem", (int)len, name);
        if (seen & (1u << dim))
            return tl_fail(d, a, PESIM_ERR_INVALID, "'%.*s' has two factors", (int)len, name);
        seen |= 1u << dim;
        if (v < 0 || v > PESIM_LAYER_ITERS_MAX)
            return tl_fail(d, a, PESIM_ERR_RANGE, "factor %lld of %.*s is out of range", v, (int)len, name);
        /* Timeloop reads 0 as the whole dimension */
        f[dim] = v == 0 ? p->layer.dim[dim] : (int64_t)v;
    }
    return PESIM_OK;
}

/* `permutation`, innermost first: into perm[] (pesim dims); returns the count. */
static pesim_status read_perm(tl_doc *d, const tl_at *a, const pesim_tl_problem *p, int perm[PESIM_NDIMS], int *n)
{
    char buf[512];
    pesim_status st = text_of(d, a, buf, sizeof buf);
    if (st) return st;
    int letters = single_letter_dims(p);
    unsigned seen = 0;
    *n = 0;
    for (const char *s = buf; *s;) {
        if (isspace((unsigned char)*s) || *s == ',') {
            s++;
            continue;
        }
        size_t len = 1;
        if (!letters)
            while (s[len] && !isspace((unsigned char)s[len]) && s[len] != ',') len++;
        int dim = dim_of(p, s, len);
        if (dim < 0) return tl_fail(d, a, PESIM_ERR_INVALID, "'%.*s' is not a dimension of the problem", (int)len, s);
        if (seen & (1u << dim)) return tl_fail(d, a, PESIM_ERR_INVALID, "'%.*s' is listed twice", (int)len, s);
        seen |= 1u << dim;
        perm[(*n)++] = dim;
        s += len;
    }
    return PESIM_OK;
}

/* An order (outermost first) from an innermost-first list: the pesim dims
 * not in it first (outermost, in GNKCPQRS order), then the list reversed. */
static void order_from(const int *inner_first, int n, uint8_t order[PESIM_NDIMS])
{
    unsigned in = 0;
    for (int i = 0; i < n; i++) in |= 1u << inner_first[i];
    int k = 0;
    for (int d = 0; d < PESIM_NDIMS; d++)
        if (!(in & (1u << d))) order[k++] = (uint8_t)d;
    for (int i = n - 1; i >= 0; i--) order[k++] = (uint8_t)inner_first[i];
}

static int space_of(const pesim_tl_problem *p, const char *name)
{
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (strcmp(p->space_name[t], name) == 0) return t;
    for (int t = 0; t < PESIM_NTENSORS; t++)
        if (tl_ieq(p->space_name[t], name)) return t;
    return -1;
}

static pesim_status read_spaces(tl_doc *d, const tl_at *a, const pesim_tl_problem *p, int value, int L,
                                const pesim_arch *arch, pesim_level_map *lm)
{
    pesim_status st;
    if ((st = tl_need_seq(d, a))) return st;
    for (int i = 0; i < tl_len(a); i++) {
        tl_at it = tl_item(d, a, i);
        const char *s = tl_scalar(&it);
        int t = s ? space_of(p, s) : -1;
        if (t < 0)
            return tl_fail(d, &it, PESIM_ERR_INVALID, "'%s' is not a data space of the problem (%s, %s, %s)",
                           s ? s : "?", p->space_name[0], p->space_name[1], p->space_name[2]);
        if (value && L == arch->n_levels - 1)
            return tl_fail(d, &it, PESIM_ERR_INVALID, "the outermost level (%s) keeps every data space",
                           arch->level[L].name);
        if (!value && !arch->level[L].keeps[t])
            return tl_fail(d, &it, PESIM_ERR_INVALID, "level %s cannot keep %s (the arch does not let it)",
                           arch->level[L].name, s);
        lm->bypass[t] = (uint8_t)value;
    }
    return PESIM_OK;
}

static const char *const directive_keys[] = {"target", "type", "factors", "permutation", "split", "keep", "bypass",
                                             NULL};

static pesim_status load(tl_doc *d, const pesim_arch *a, const pesim_tl_problem *p, pesim_mapping *m)
{
    pesim_status st;
    tl_at root = tl_root(d);
    if ((st = tl_need_map(d, &root))) return st;
    tl_at list = tl_get(d, &root, "mapping");
    if (!list.n) return tl_missing(d, &root, "mapping", "no `mapping` in this file (is it a Timeloop mapping?)");
    if ((st = tl_need_seq(d, &list))) return st;
    pesim_mapping_init(m, a->n_levels);
    int seen_t[PESIM_MAX_LEVELS] = {0}, seen_s[PESIM_MAX_LEVELS] = {0};
    for (int i = 0; i < tl_len(&list); i++) {
        tl_at dir = tl_item(d, &list, i);
        if ((st = tl_need_map(d, &dir))) return st;
        for (int k = 0; k < tl_pairs(&dir); k++) {
            tl_at v;
            const char *key = tl_pair(d, &dir, k, &v);
            int known = 0;
            for (int j = 0; directive_keys[j]; j++) known |= key && strcmp(key, directive_keys[j]) == 0;
            if (!known)
                return tl_fail(d, &v, PESIM_ERR_KEY, "unknown key '%s' in a mapping directive (expected one of: "
                               "target, type, factors, permutation, split, keep, bypass)", key ? key : "?");
        }
        tl_at tg = tl_get(d, &dir, "target");
        if (!tg.n) return tl_missing(d, &dir, "target", "a directive names its target level");
        const char *tname = tl_scalar(&tg);
        int L = tname ? pesim_arch_find_level(a, tname) : -1;
        if (L < 0) {
            int64_t idx;
            pesim_error keep = d->e ? *d->e : (pesim_error){0};
            if (tname && tl_int(d, &tg, 0, a->n_levels - 1, &idx) == PESIM_OK) {
                L = (int)idx;
            } else {
                if (d->e) *d->e = keep;
                char levels[PESIM_MAX_LEVELS * (PESIM_NAME_MAX + 2)] = "";
                for (int l = a->n_levels - 1; l >= 0; l--)
                    snprintf(levels + strlen(levels), sizeof levels - strlen(levels), "%s%s", a->level[l].name,
                             l ? ", " : "");
                return tl_fail(d, &tg, PESIM_ERR_INVALID, "no storage level '%s' (the levels, outermost first: %s)",
                               tname ? tname : "?", levels);
            }
        }
        char type[32];
        tl_at ty = tl_get(d, &dir, "type");
        if (!ty.n) return tl_missing(d, &dir, "type", "a directive has a type (temporal, spatial, bypass)");
        if ((st = tl_string(d, &ty, type, sizeof type))) return st;
        pesim_level_map *lm = &m->level[L];
        if (strcmp(type, "temporal") == 0 || strcmp(type, "spatial") == 0) {
            int spatial = type[0] == 's';
            if ((spatial ? seen_s : seen_t)[L])
                return tl_fail(d, &dir, PESIM_ERR_INVALID, "a second %s directive for %s (first at line %d)", type,
                               a->level[L].name, (spatial ? seen_s : seen_t)[L]);
            (spatial ? seen_s : seen_t)[L] = dir.line;
            int64_t f[PESIM_NDIMS];
            for (int k = 0; k < PESIM_NDIMS; k++) f[k] = 1;
            tl_at fa = tl_get(d, &dir, "factors");
            if (fa.n && (st = read_factors(d, &fa, p, f))) return st;
            int perm[PESIM_NDIMS], n = 0;
            tl_at pa = tl_get(d, &dir, "permutation");
            if (pa.n && (st = read_perm(d, &pa, p, perm, &n))) return st;
            /* dims left out of the permutation are outermost, in the problem's order */
            for (int k = 0; k < PESIM_NDIMS; k++) {
                int in = 0;
                for (int j = 0; j < n; j++) in |= perm[j] == k;
                if (!in && p->dim_name[k][0]) {
                    if (f[k] > 1 && spatial && pa.n)
                        return tl_fail(d, &pa, PESIM_ERR_INVALID,
                                       "%s has a spatial factor but no place in the permutation (which says X or Y)",
                                       p->dim_name[k]);
                    perm[n++] = k;
                }
            }
            if (!spatial) {
                for (int k = 0; k < PESIM_NDIMS; k++) lm->temporal[k] = f[k];
                order_from(perm, n, lm->order);
                continue;
            }
            int64_t split = n;
            tl_at sa = tl_get(d, &dir, "split");
            if (sa.n && (st = tl_int(d, &sa, 0, PESIM_NDIMS, &split))) return st;
            if (split > n) split = n;
            int xs[PESIM_NDIMS], ys[PESIM_NDIMS], nx = 0, ny = 0;
            for (int j = 0; j < n; j++) {
                if (j < split) xs[nx++] = perm[j];
                else ys[ny++] = perm[j];
            }
            int64_t px = 1, py = 1;
            for (int j = 0; j < nx; j++) lm->spatial_x[xs[j]] = f[xs[j]], px *= f[xs[j]];
            for (int j = 0; j < ny; j++) lm->spatial_y[ys[j]] = f[ys[j]], py *= f[ys[j]];
            if (px > a->level[L].fanout_x || py > a->level[L].fanout_y)
                return tl_fail(d, &dir, PESIM_ERR_INVALID,
                               "spatial factors %lld on X and %lld on Y, but %s has %d x %d children", (long long)px,
                               (long long)py, a->level[L].name, a->level[L].fanout_x, a->level[L].fanout_y);
            order_from(xs, nx, lm->order_x);
            order_from(ys, ny, lm->order_y);
        } else if (strcmp(type, "bypass") == 0 || strcmp(type, "datatype") == 0 || strcmp(type, "dataspace") == 0) {
            tl_at k = tl_get(d, &dir, "keep");
            if (k.n && (st = read_spaces(d, &k, p, 0, L, a, lm))) return st;
            tl_at b = tl_get(d, &dir, "bypass");
            if (b.n && (st = read_spaces(d, &b, p, 1, L, a, lm))) return st;
        } else {
            return tl_fail(d, &ty, PESIM_ERR_INVALID, "type '%s' (expected temporal, spatial or bypass)", type);
        }
    }
    /* a tensor the arch does not let a level keep is bypassed there */
    for (int L = 0; L < a->n_levels - 1; L++)
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (!a->level[L].keeps[t]) m->level[L].bypass[t] = 1;
    return PESIM_OK;
}

static pesim_status args(const pesim_arch *a, const pesim_tl_problem *p, pesim_mapping *out, const char *name,
                         pesim_error *e)
{
    if (!a || !p || !out) return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "timeloop mapping: NULL argument");
    if (a->n_levels < 1 || a->n_levels > PESIM_MAX_LEVELS)
        return pesim_error_set(e, PESIM_ERR_INVALID, name, 0, NULL, "timeloop mapping: the arch has %d levels",
                               a->n_levels);
    return PESIM_OK;
}

pesim_status pesim_timeloop_load_mapping(const char *path, const pesim_arch *a, const pesim_tl_problem *p,
                                         pesim_mapping *out, pesim_error *e)
{
    pesim_status st = path ? args(a, p, out, path, e)
                           : pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "timeloop mapping: NULL path");
    if (st) return st;
    tl_doc d;
    if (!(st = tl_open(&d, path, NULL, NULL, e))) st = load(&d, a, p, out);
    tl_close(&d);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

pesim_status pesim_timeloop_load_mapping_string(const char *text, const char *name, const pesim_arch *a,
                                                const pesim_tl_problem *p, pesim_mapping *out, pesim_error *e)
{
    pesim_status st = args(a, p, out, name, e);
    if (st) return st;
    tl_doc d;
    if (!(st = tl_open(&d, NULL, text, name, e))) st = load(&d, a, p, out);
    tl_close(&d);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

/* ---------------------------------------------------------------- writing */

/* "C=1 M=2 ..." over the problem's dims, in the problem's order. */
static void factors_text(const pesim_tl_problem *p, const int64_t f[PESIM_NDIMS], char *buf, size_t n)
{
    static const int order[] = {PESIM_DIM_G, PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_R, PESIM_DIM_S,
                                PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_Q};
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < PESIM_NDIMS; i++) {
        int d = order[i];
        if (!p->dim_name[d][0]) continue;
        int k = snprintf(buf + used, n - used, "%s%s=%lld", used ? " " : "", p->dim_name[d], (long long)f[d]);
        if (k > 0 && (size_t)k < n - used) used += (size_t)k;
    }
}

/* The problem's dims of order (outermost first), innermost first. */
static void perm_text(const pesim_tl_problem *p, const uint8_t *order, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = PESIM_NDIMS - 1; i >= 0; i--) {
        const char *nm = p->dim_name[order[i]];
        if (!nm[0]) continue;
        int k = snprintf(buf + used, n - used, "%s", nm);
        if (k > 0 && (size_t)k < n - used) used += (size_t)k;
    }
}

char *pesim_timeloop_mapping_text(const pesim_arch *a, const pesim_tl_problem *p, const pesim_mapping *m,
                                  pesim_error *e)
{
    pesim_error_clear(e);
    const pesim_layer *l = &p->layer;
    pesim_error ce;
    if (pesim_mapping_check(m, a, l, &ce) != PESIM_OK) {
        pesim_error_set(e, ce.code, NULL, 0, ce.key[0] ? ce.key : NULL, "%s", ce.msg);
        return NULL;
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        if (pesim_mapping_dim_product(m, (pesim_dim)d) != l->dim[d]) {
            pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, pesim_dim_name((pesim_dim)d),
                            "the factors of %s multiply to %lld, not its bound %lld: Timeloop needs exact factors",
                            pesim_dim_name((pesim_dim)d), (long long)pesim_mapping_dim_product(m, (pesim_dim)d),
                            (long long)l->dim[d]);
            return NULL;
        }
        if (!p->dim_name[d][0] && l->dim[d] != 1) {
            pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, pesim_dim_name((pesim_dim)d),
                            "the problem has no dimension for %s", pesim_dim_name((pesim_dim)d));
            return NULL;
        }
    }
    tl_emit t;
    tl_emit_begin(&t);
    tl_emit_map(&t, 0);
    tl_emit_str(&t, "mapping");
    tl_emit_seq(&t, 0);
    char buf[512];
    tl_level plan[TL_PLAN_MAX];
    int np = tl_plan(a, plan);
    pesim_level_map none;
    memset(&none, 0, sizeof none);
    for (int d = 0; d < PESIM_NDIMS; d++) {
        none.temporal[d] = none.spatial_x[d] = none.spatial_y[d] = 1;
        none.order[d] = none.order_x[d] = none.order_y[d] = (uint8_t)d;
    }
    for (int i = 0; i < np; i++) {
        int L = plan[i].level;
        /* a level split into per-tensor buffers: its loops go to the innermost */
        const pesim_level_map *lm = plan[i].innermost ? &m->level[L] : &none;
        const char *name = plan[i].name;
        tl_emit_map(&t, 0);
        tl_emit_kv(&t, "target", name);
        tl_emit_kv(&t, "type", "temporal");
        factors_text(p, lm->temporal, buf, sizeof buf);
        tl_emit_kv(&t, "factors", buf);
        perm_text(p, lm->order, buf, sizeof buf);
        tl_emit_kv(&t, "permutation", buf);
        tl_emit_end_map(&t);
        if (plan[i].innermost && (int64_t)a->level[L].fanout_x * a->level[L].fanout_y > 1) {
            /* the X dims then the Y dims, each innermost first; a dim on both axes cannot be written */
            int64_t f[PESIM_NDIMS];
            uint8_t xy[PESIM_NDIMS];
            int n = 0, nx = 0;
            for (int d = 0; d < PESIM_NDIMS; d++) {
                if (lm->spatial_x[d] > 1 && lm->spatial_y[d] > 1) {
                    pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, a->level[L].name,
                                    "%s is unrolled on both X and Y of %s: a Timeloop permutation puts a dim on one",
                                    pesim_dim_name((pesim_dim)d), a->level[L].name);
                    free(tl_emit_finish(&t, NULL));
                    return NULL;
                }
                f[d] = lm->spatial_x[d] * lm->spatial_y[d];
            }
            for (int k = PESIM_NDIMS - 1; k >= 0; k--)
                if (lm->spatial_x[lm->order_x[k]] > 1) xy[n++] = lm->order_x[k];
            nx = n;
            for (int k = PESIM_NDIMS - 1; k >= 0; k--)
                if (lm->spatial_y[lm->order_y[k]] > 1) xy[n++] = lm->order_y[k];
            for (int d = 0; d < PESIM_NDIMS; d++)
                if (f[d] == 1) xy[n++] = (uint8_t)d;
            size_t used = 0;
            buf[0] = '\0';
            int split = 0;
            for (int k = 0; k < n; k++) {
                if (!p->dim_name[xy[k]][0]) continue;
                if (k < nx) split++;
                int w = snprintf(buf + used, sizeof buf - used, "%s", p->dim_name[xy[k]]);
                if (w > 0 && (size_t)w < sizeof buf - used) used += (size_t)w;
            }
            tl_emit_map(&t, 0);
            tl_emit_kv(&t, "target", name);
            tl_emit_kv(&t, "type", "spatial");
            char fb[512];
            factors_text(p, f, fb, sizeof fb);
            tl_emit_kv(&t, "factors", fb);
            tl_emit_kv(&t, "permutation", buf);
            tl_emit_kv_int(&t, "split", split);
            tl_emit_end_map(&t);
        }
        if (L < a->n_levels - 1) {
            /* keep what this buffer may hold and the mapping keeps at the level */
            int keep[PESIM_NTENSORS];
            for (int k = 0; k < PESIM_NTENSORS; k++)
                keep[k] = ((plan[i].tensors >> k) & 1u) && pesim_mapping_keeps(a, m, L, (pesim_tensor)k);
            tl_emit_map(&t, 0);
            tl_emit_kv(&t, "target", name);
            tl_emit_kv(&t, "type", "bypass");
            for (int pass = 0; pass < 2; pass++) {
                int any = 0;
                for (int k = 0; k < PESIM_NTENSORS; k++) any |= keep[k] == !pass;
                if (!any) continue;
                tl_emit_str(&t, pass ? "bypass" : "keep");
                tl_emit_seq(&t, 1);
                for (int k = 0; k < PESIM_NTENSORS; k++)
                    if (keep[k] == !pass) tl_emit_str(&t, p->space_name[k]);
                tl_emit_end_seq(&t);
            }
            tl_emit_end_map(&t);
        }
    }
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t);
    return tl_emit_finish(&t, e);
}
