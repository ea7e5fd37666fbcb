/* tl_arch.c - a Timeloop architecture (and its ERT) into a pesim arch
 * (docs/timeloop.md, "Architecture"). The tree is walked into a list of
 * elements, outermost first (a `local` list is outer to inner, a subtree is
 * inside its parent's `local`); storage elements become pesim levels and the
 * one arithmetic element, innermost, the MAC units. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/timeloop.h"
#include "timeloop/tl_yaml.h"

#define ELEM_MAX 32       /* elements of one architecture */
#define INHERIT_MAX 16    /* nesting of subtrees / containers whose attributes are inherited */
#define TREE_DEPTH_MAX 32

typedef enum elem_kind { ELEM_STORE, ELEM_COMPUTE } elem_kind;

typedef struct elem {
    tl_at at;                       /* the element's node */
    char name[PESIM_NAME_MAX];      /* without its [0..N-1] range */
    char cls[64];
    elem_kind kind;
    int64_t instances;
    int64_t mesh_x;                 /* 0: not given (then instances / mesh_y, or all on X) */
    int64_t mesh_y;
    tl_at attrs[INHERIT_MAX + 1];   /* its own attributes, then its containers' (innermost first) */
    int n_attrs;
} elem;

typedef struct walk {
    tl_doc *d;
    elem el[ELEM_MAX];
    int n;
    char arch_name[PESIM_NAME_MAX];
    double cycle_seconds;           /* v0.4 global_cycle_seconds (0: not given) */
} walk;

/* Storage and arithmetic classes, as Timeloop tells them apart (a class
 * containing one of these names). */
static const char *const store_classes[] = {"DRAM", "SRAM", "regfile", "smartbuffer", "storage", "buffet", "buffer",
                                            "Buffer", "memory", NULL};
static const char *const compute_classes[] = {"mac", "MAC", "compute", "mult", NULL};

static int class_in(const char *cls, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strstr(cls, list[i])) return 1;
    return 0;
}

/* The first of `keys` set in the element's attributes (own first). */
static tl_at attr(walk *w, const elem *e, const char *const *keys)
{
    for (int a = 0; a < e->n_attrs; a++)
        for (int k = 0; keys[k]; k++) {
            tl_at v = tl_get(w->d, &e->attrs[a], keys[k]);
            if (v.n) return v;
        }
    tl_at none = {NULL, e->at.line, ""};
    if (snprintf(none.path, sizeof none.path, "%s.attributes.%s", e->at.path, keys[0]) < 0) none.path[0] = '\0';
    return none;
}

static pesim_status add_elem(walk *w, const tl_at *node, const tl_at *inherit, int n_inherit, int64_t mult_x,
                             int64_t mult_y, int v04)
{
    tl_doc *d = w->d;
    pesim_status st;
    if ((st = tl_need_map(d, node))) return st;
    if (w->n == ELEM_MAX) return tl_fail(d, node, PESIM_ERR_RANGE, "more than %d elements", ELEM_MAX);
    elem *e = &w->el[w->n];
    memset(e, 0, sizeof *e);
    e->at = *node;
    char full[256];
    tl_at v = tl_get(d, node, "name");
    if (!v.n) return tl_missing(d, node, "name", "an element needs a name");
    if ((st = tl_string(d, &v, full, sizeof full))) return st;
    int64_t count;
    if (!tl_split_range(full, e->name, sizeof e->name, &count) || !e->name[0])
        return tl_fail(d, &v, PESIM_ERR_RANGE, "'%s' is not a name or name[first..last]", full);
    if (strlen(full) >= sizeof e->name && !strchr(full, '['))
        return tl_fail(d, &v, PESIM_ERR_RANGE, "is longer than %d characters", PESIM_NAME_MAX - 1);
    v = tl_get(d, node, "class");
    if (!v.n) return tl_missing(d, node, "class", "an element needs a class (SRAM, DRAM, regfile, intmac, ...)");
    if ((st = tl_string(d, &v, e->cls, sizeof e->cls))) return st;
    if (class_in(e->cls, compute_classes)) e->kind = ELEM_COMPUTE;
    else if (class_in(e->cls, store_classes)) e->kind = ELEM_STORE;
    else
        return tl_fail(d, &v, PESIM_ERR_INVALID,
                       "class '%s' is neither storage (DRAM, SRAM, regfile, smartbuffer, storage, buffer) nor "
                       "arithmetic (mac, intmac, fpmac, compute): pesim imports a chain of stores over MAC units",
                       e->cls);
    tl_at own = tl_get(d, node, "attributes");
    if (own.n && !tl_is_null(&own) && (st = tl_need_map(d, &own))) return st;
    if (own.n && tl_is_map(&own)) e->attrs[e->n_attrs++] = own;
    for (int i = 0; i < n_inherit && e->n_attrs <= INHERIT_MAX; i++) e->attrs[e->n_attrs++] = inherit[i];
    /* v0.4: a component's own `spatial` replicates it */
    int64_t sx = 1, sy = 1;
    tl_at sp = tl_get(d, node, "spatial");
    if (v04 && sp.n) {
        tl_at m = tl_get(d, &sp, "meshX");
        if (m.n && (st = tl_int(d, &m, 1, 1 << 20, &sx))) return st;
        m = tl_get(d, &sp, "meshY");
        if (m.n && (st = tl_int(d, &m, 1, 1 << 20, &sy))) return st;
    }
    e->instances = mult_x * mult_y * count * sx * sy;
    if (v04) {
        e->mesh_x = mult_x * sx * count;
        e->mesh_y = mult_y * sy;
    }
    /* `instances`, meshX and meshY attributes override the counts from the tree */
    static const char *const overrides[3] = {"instances", "meshX", "meshY"};
    int64_t *dst[3] = {&e->instances, &e->mesh_x, &e->mesh_y};
    for (int k = 0; k < 3; k++) {
        tl_at a = tl_get(d, &own, overrides[k]);
        if (a.n && (st = tl_int(d, &a, 1, INT64_C(1) << 40, dst[k]))) return st;
    }
    if (e->instances > (INT64_C(1) << 40))
        return tl_fail(d, node, PESIM_ERR_RANGE, "%lld instances: pesim takes at most 2^40",
                       (long long)e->instances);
    /* Timeloop's rule: meshX and meshY tile the instances */
    if (!e->mesh_x && !e->mesh_y) e->mesh_x = e->instances, e->mesh_y = 1;
    else if (!e->mesh_y) {
        if (e->instances % e->mesh_x)
            return tl_fail(d, node, PESIM_ERR_INVALID, "meshX = %lld does not divide the %lld instances",
                           (long long)e->mesh_x, (long long)e->instances);
        e->mesh_y = e->instances / e->mesh_x;
    } else if (!e->mesh_x) {
        if (e->instances % e->mesh_y)
            return tl_fail(d, node, PESIM_ERR_INVALID, "meshY = %lld does not divide the %lld instances",
                           (long long)e->mesh_y, (long long)e->instances);
        e->mesh_x = e->instances / e->mesh_y;
    }
    if (e->mesh_x * e->mesh_y != e->instances)
        return tl_fail(d, node, PESIM_ERR_INVALID, "meshX * meshY = %lld x %lld is not the %lld instances",
                       (long long)e->mesh_x, (long long)e->mesh_y, (long long)e->instances);
    w->n++;
    return PESIM_OK;
}

/* v0.2 / v0.3: `local` (outer to inner), then the one `subtree` inside. */
static pesim_status walk_tree(walk *w, const tl_at *node, tl_at *inherit, int n_inherit, int64_t mult, int depth)
{
    tl_doc *d = w->d;
    pesim_status st;
    if (depth > TREE_DEPTH_MAX) return tl_fail(d, node, PESIM_ERR_RANGE, "subtrees nested too deep");
    if ((st = tl_need_map(d, node))) return st;
    tl_at attrs = tl_get(d, node, "attributes");
    if (attrs.n && tl_is_map(&attrs) && n_inherit < INHERIT_MAX) {
        memmove(inherit + 1, inherit, (size_t)n_inherit * sizeof *inherit);
        inherit[0] = attrs;
        n_inherit++;
    }
    tl_at local = tl_get(d, node, "local");
    if (local.n) {
        if ((st = tl_need_seq(d, &local))) return st;
        for (int i = 0; i < tl_len(&local); i++) {
            tl_at it = tl_item(d, &local, i);
            if ((st = add_elem(w, &it, inherit, n_inherit, mult, 1, 0))) return st;
        }
    }
    tl_at sub = tl_get(d, node, "subtree");
    if (!sub.n) return PESIM_OK;
    if ((st = tl_need_seq(d, &sub))) return st;
    if (tl_len(&sub) == 0) return PESIM_OK;
    if (tl_len(&sub) > 1)
        return tl_fail(d, &sub, PESIM_ERR_INVALID,
                       "%d subtrees side by side: Timeloop's model and pesim take one chain (one subtree per level)",
                       tl_len(&sub));
    tl_at child = tl_item(d, &sub, 0);
    if ((st = tl_need_map(d, &child))) return st;
    tl_at nm = tl_get(d, &child, "name");
    char full[256], base[PESIM_NAME_MAX];
    int64_t count = 1;
    if (nm.n) {
        if ((st = tl_string(d, &nm, full, sizeof full))) return st;
        if (!tl_split_range(full, base, sizeof base, &count))
            return tl_fail(d, &nm, PESIM_ERR_RANGE, "'%s' is not a name or name[first..last]", full);
        if (!w->arch_name[0]) snprintf(w->arch_name, sizeof w->arch_name, "%s", base);
    }
    if (mult > (INT64_C(1) << 40) / count) return tl_fail(d, &child, PESIM_ERR_RANGE, "more than 2^40 instances");
    return walk_tree(w, &child, inherit, n_inherit, mult * count, depth + 1);
}

/* v0.4: `nodes`, a list of containers (attributes and a spatial mesh for
 * everything after them), components, and nested parallel or hierarchical
 * node lists (taken in order, as a chain). */
static pesim_status walk_nodes(walk *w, const tl_at *list, tl_at *inherit, int n_inherit, int64_t mx, int64_t my,
                               int depth)
{
    tl_doc *d = w->d;
    pesim_status st;
    if (depth > TREE_DEPTH_MAX) return tl_fail(d, list, PESIM_ERR_RANGE, "node lists nested too deep");
    if ((st = tl_need_seq(d, list))) return st;
    tl_at inh[INHERIT_MAX];
    memcpy(inh, inherit, (size_t)n_inherit * sizeof *inh);
    for (int i = 0; i < tl_len(list); i++) {
        tl_at n = tl_item(d, list, i);
        if ((st = tl_need_map(d, &n))) return st;
        const char *tag = tl_tag(&n);
        tl_at nested = tl_get(d, &n, "nodes");
        tl_at cls = tl_get(d, &n, "class");
        if ((tag && (strcmp(tag, "!Parallel") == 0 || strcmp(tag, "!Hierarchical") == 0)) || (!tag && nested.n)) {
            if (!nested.n) return tl_missing(d, &n, "nodes", "a %s node lists its `nodes`", tag);
            if ((st = walk_nodes(w, &nested, inh, n_inherit, mx, my, depth + 1))) return st;
        } else if ((tag && (strcmp(tag, "!Component") == 0 || strcmp(tag, "!Element") == 0)) || (!tag && cls.n)) {
            if ((st = add_elem(w, &n, inh, n_inherit, mx, my, 1))) return st;
        } else if ((tag && strcmp(tag, "!Container") == 0) || !tag) {
            tl_at attrs = tl_get(d, &n, "attributes");
            if (attrs.n && tl_is_map(&attrs)) {
                if (n_inherit < INHERIT_MAX) {
                    memmove(inh + 1, inh, (size_t)n_inherit * sizeof *inh);
                    inh[0] = attrs;
                    n_inherit++;
                }
                tl_at cs = tl_get(d, &attrs, "global_cycle_seconds");
                if (cs.n && (st = tl_num(d, &cs, 1e-6 / PESIM_CFG_MAX_CLOCK_MHZ, HUGE_VAL, &w->cycle_seconds))) return st;
            }
            tl_at nm = tl_get(d, &n, "name");
            if (!w->arch_name[0] && tl_scalar(&nm)) snprintf(w->arch_name, sizeof w->arch_name, "%s", tl_scalar(&nm));
            tl_at sp = tl_get(d, &n, "spatial");
            int64_t sx = 1, sy = 1;
            tl_at m = tl_get(d, &sp, "meshX");
            if (m.n && (st = tl_int(d, &m, 1, 1 << 20, &sx))) return st;
            m = tl_get(d, &sp, "meshY");
            if (m.n && (st = tl_int(d, &m, 1, 1 << 20, &sy))) return st;
            if (mx * sx > (INT64_C(1) << 40) / (my * sy))
                return tl_fail(d, &n, PESIM_ERR_RANGE, "more than 2^40 instances");
            mx *= sx, my *= sy;
        } else {
            return tl_fail(d, &n, PESIM_ERR_INVALID,
                           "unknown node tag %s (expected !Container, !Component, !Parallel or !Hierarchical)", tag);
        }
    }
    return PESIM_OK;
}

/* ---------------------------------------------------------------- levels */

static const char *const k_word_bits[] = {"word-bits", "word_width", "datawidth", "word_bits", NULL};
static const char *const k_block[] = {"block-size", "block_size", "n_words", NULL};
static const char *const k_cluster[] = {"cluster-size", "cluster_size", NULL};
static const char *const k_width[] = {"width", "memory_width", "data_storage_width", NULL};
static const char *const k_entries[] = {"entries", NULL};
static const char *const k_depth[] = {"depth", "memory_depth", "data_storage_depth", NULL};
static const char *const k_size_kb[] = {"sizeKB", NULL};
static const char *const k_ports[] = {"num-ports", "n_ports", NULL};
static const char *const k_banks[] = {"num-banks", "n_banks", NULL};
static const char *const k_bw[] = {"bandwidth", NULL};
static const char *const k_rbw[] = {"read_bandwidth", NULL};
static const char *const k_wbw[] = {"write_bandwidth", NULL};
static const char *const k_multibuf[] = {"multiple-buffering", "multiple_buffering", NULL};
static const char *const k_minutil[] = {"min-utilization", "min_utilization", NULL};
static const char *const k_vae[] = {"vector-access-energy", "vector_access_energy", NULL};
static const char *const k_epo[] = {"energy-per-op", "energy_per_op", NULL};

/* Attributes that change what Timeloop computes and that pesim has no
 * equivalent for: refused when set (to a value that matters). */
static const char *const refused_keys[] = {"network_read", "network_fill", "network_drain", "network_update",
                                           "metadata_storage_depth", "metadata_datawidth", NULL};

/* Per-level figures kept for the ERT (which gives energies per block). */
typedef struct level_extra {
    int64_t block;
    double vae_pj;                  /* vector-access-energy, per block (-1: not given) */
} level_extra;

static pesim_status read_store(walk *w, const elem *e, pesim_level *v, int64_t *word_bits, level_extra *x)
{
    tl_doc *d = w->d;
    pesim_status st;
    tl_at a;
    int64_t wb = 16, block = 1, cluster = 1, width = 0;
    int block_set = 0, cluster_set = 0;
    snprintf(v->name, sizeof v->name, "%s", e->name);
    v->line = e->at.line;
    if ((a = attr(w, e, k_word_bits)).n && (st = tl_int(d, &a, 1, 64, &wb))) return st;
    tl_at ba = attr(w, e, k_block), ca = attr(w, e, k_cluster), wa = attr(w, e, k_width);
    if (ba.n) {
        if ((st = tl_int(d, &ba, 1, 65536, &block))) return st;
        block_set = 1;
    }
    if (ca.n) {
        if ((st = tl_int(d, &ca, 1, 1 << 20, &cluster))) return st;
        cluster_set = 1;
    }
    if (wa.n) {
        if ((st = tl_int(d, &wa, 1, INT64_C(1) << 30, &width))) return st;
        if (width % (wb * block))
            return tl_fail(d, &wa, PESIM_ERR_INVALID, "width %lld is not a multiple of word-bits x block-size = %lld",
                           (long long)width, (long long)(wb * block));
        /* Timeloop's rule: the width sets whichever of block and cluster size is not given */
        if (block_set && cluster_set) {
            if (block * wb * cluster != width)
                return tl_fail(d, &wa, PESIM_ERR_INVALID, "width != block-size x word-bits x cluster-size");
        } else if (cluster_set) {
            if (width % (wb * cluster))
                return tl_fail(d, &wa, PESIM_ERR_INVALID,
                               "width %lld is not a multiple of word-bits x cluster-size = %lld", (long long)width,
                               (long long)(wb * cluster));
            block = width / cluster / wb;
        } else if (block_set) {
            cluster = width / (wb * block);
        } else {
            block = width / wb;
        }
        if (block > 65536)
            return tl_fail(d, &wa, PESIM_ERR_RANGE, "a block of %lld words: pesim takes at most 65536",
                           (long long)block);
    }
    /* Timeloop spreads the utilized instances over instances / cluster-size
     * clusters; pesim takes only clusters that tile the instances */
    if (cluster > 1 && e->instances % cluster)
        return tl_fail(d, cluster_set ? &ca : &wa, PESIM_ERR_INVALID,
                       "a cluster size of %lld does not divide the %lld instances", (long long)cluster,
                       (long long)e->instances);
    v->cluster_size = cluster > 1 ? (int32_t)cluster : 0;
    int64_t size = 0;
    if ((a = attr(w, e, k_entries)).n) {
        if ((st = tl_int(d, &a, 0, INT64_C(1) << 50, &size))) return st;
    } else if ((a = attr(w, e, k_depth)).n) {
        if ((st = tl_int(d, &a, 0, (INT64_C(1) << 50) / block, &size))) return st;
        size *= block;
    } else if ((a = attr(w, e, k_size_kb)).n) {
        if ((st = tl_int(d, &a, 0, INT64_C(1) << 30, &size))) return st;
        size = size * 1024 * 8 / wb;
    }
    v->capacity_words = size;
    for (int t = 0; t < PESIM_NTENSORS; t++) v->keeps[t] = 1;
    int64_t ports = 2, banks = 2;
    if ((a = attr(w, e, k_ports)).n && (st = tl_int(d, &a, 1, 2, &ports))) return st;
    if ((a = attr(w, e, k_banks)).n && (st = tl_int(d, &a, 1, 65536, &banks))) return st;
    v->ports = (int32_t)ports;
    v->banks = (int32_t)banks;
    double bw;
    if ((a = attr(w, e, k_bw)).n) { /* deprecated in Timeloop: half each way */
        if ((st = tl_num(d, &a, 0, HUGE_VAL, &bw))) return st;
        v->read_words_per_cycle = v->write_words_per_cycle = bw / 2;
    }
    if ((a = attr(w, e, k_rbw)).n && (st = tl_num(d, &a, 0, HUGE_VAL, &v->read_words_per_cycle))) return st;
    if ((a = attr(w, e, k_wbw)).n && (st = tl_num(d, &a, 0, HUGE_VAL, &v->write_words_per_cycle))) return st;
    const double rates[2] = {v->read_words_per_cycle, v->write_words_per_cycle};
    for (int k = 0; k < 2; k++)
        if (rates[k] != 0 && (rates[k] < 1.0 / 1024 || rates[k] > 1e12))
            return tl_fail(d, &e->at, PESIM_ERR_RANGE, "a bandwidth of %g words per cycle: pesim takes 0 (unlimited) "
                           "or 1/1024 to 1e12", rates[k]);
    /* Timeloop's bandwidths are the instance's; pesim's rates are per port */
    v->read_words_per_cycle /= (double)ports;
    v->write_words_per_cycle /= (double)ports;
    double mb = 1;
    if ((a = attr(w, e, k_multibuf)).n && (st = tl_num(d, &a, 0, HUGE_VAL, &mb))) return st;
    if (mb != floor(mb) || mb < 1 || mb > PESIM_TILE_SLOTS_MAX)
        return tl_fail(d, &a, PESIM_ERR_INVALID, "multiple-buffering %g: pesim takes a whole number of tile slots, "
                       "1 to %d", mb, PESIM_TILE_SLOTS_MAX);
    v->tile_slots = (int32_t)mb;
    double mu = 0;
    if ((a = attr(w, e, k_minutil)).n && (st = tl_num(d, &a, 0, HUGE_VAL, &mu))) return st;
    if (mu != 0)
        return tl_fail(d, &a, PESIM_ERR_INVALID, "min-utilization %g: pesim has no minimum-utilization rule", mu);
    for (int k = 0; refused_keys[k]; k++) {
        const char *one[] = {refused_keys[k], NULL};
        if ((a = attr(w, e, one)).n && !tl_is_null(&a))
            return tl_fail(d, &a, PESIM_ERR_INVALID, "pesim cannot represent '%s' (named networks, metadata)",
                           refused_keys[k]);
    }
    x->block = block;
    v->block_words = (int32_t)block; /* Timeloop charges whole blocks; a bank's line */
    x->vae_pj = -1;
    if ((a = attr(w, e, k_vae)).n && (st = tl_num(d, &a, 0, PESIM_CFG_MAX_ENERGY_PJ, &x->vae_pj))) return st;
    v->fanout_x = v->fanout_y = 1;
    v->spatial_x_dims = v->spatial_y_dims = (1u << PESIM_NDIMS) - 1;
    v->latency_cycles = 0;  /* Timeloop has no access latency */
    v->sliding_reuse = 1;
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        v->noc[t].kind = PESIM_NOC_BUS;
        v->noc[t].reduce = PESIM_REDUCE_TREE;
    }
    *word_bits = wb;
    return PESIM_OK;
}

/* ------------------------------------------------------------------- ERT */

/* One component's action energies (max over each action's argument sets). */
typedef struct ert_entry {
    char name[PESIM_NAME_MAX];      /* the component, without hierarchy or range */
    tl_at at;
    int n;
    char action[32][32];
    double energy[32];
} ert_entry;

static void component_name(const char *full, char *out, size_t n)
{
    /* "System.Chip.PE.RegisterFile[0..15]" -> "RegisterFile" */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", full);
    char *br = strchr(buf, '[');
    if (br) *br = '\0';
    const char *dot = strrchr(buf, '.');
    snprintf(out, n, "%s", dot ? dot + 1 : buf);
}

static pesim_status ert_action(tl_doc *d, ert_entry *en, const char *action, const tl_at *val)
{
    pesim_status st;
    double best = 0;
    int found = 0;
    /* a list of {arguments, energy} (v0.3, and v0.2 with arguments) or one {energy} */
    int n = tl_is_seq(val) ? tl_len(val) : 1;
    for (int i = 0; i < n; i++) {
        tl_at it = tl_is_seq(val) ? tl_item(d, val, i) : *val;
        tl_at ea = tl_get(d, &it, "energy");
        if (!ea.n) continue;
        double x;
        if ((st = tl_num(d, &ea, 0, PESIM_CFG_MAX_ENERGY_PJ, &x))) return st;
        if (!found || x > best) best = x;
        found = 1;
    }
    if (!found) return PESIM_OK;
    for (int k = 0; k < en->n; k++)
        if (strcmp(en->action[k], action) == 0) {
            if (best > en->energy[k]) en->energy[k] = best;
            return PESIM_OK;
        }
    if (en->n == 32) return tl_fail(d, val, PESIM_ERR_RANGE, "more than 32 actions");
    snprintf(en->action[en->n], sizeof en->action[en->n], "%s", action);
    en->energy[en->n++] = best;
    return PESIM_OK;
}

/* The ERT's tables: v0.3/v0.4 a list of {name, actions: [{name, arguments, energy}]},
 * v0.2 a map from component to a map from action to its entries. */
static pesim_status ert_read(tl_doc *d, ert_entry *tab, int *n_tab, int cap)
{
    pesim_status st;
    tl_at root = tl_root(d);
    if ((st = tl_need_map(d, &root))) return st;
    tl_at ert = tl_get(d, &root, "ERT");
    if (!ert.n) return tl_missing(d, &root, "ERT", "no `ERT` in this file (is it Accelergy's ERT.yaml?)");
    tl_at tables = tl_get(d, &ert, "tables");
    if (!tables.n) return tl_missing(d, &ert, "tables", "an ERT lists its tables");
    *n_tab = 0;
    if (tl_is_seq(&tables)) {
        for (int i = 0; i < tl_len(&tables) && *n_tab < cap; i++) {
            tl_at t = tl_item(d, &tables, i);
            ert_entry *en = &tab[*n_tab];
            memset(en, 0, sizeof *en);
            en->at = t;
            char full[256];
            tl_at nm = tl_get(d, &t, "name");
            if (!nm.n) return tl_missing(d, &t, "name", "an ERT table names its component");
            if ((st = tl_string(d, &nm, full, sizeof full))) return st;
            component_name(full, en->name, sizeof en->name);
            tl_at acts = tl_get(d, &t, "actions");
            if ((st = tl_need_seq(d, &acts))) return st;
            for (int k = 0; k < tl_len(&acts); k++) {
                tl_at ac = tl_item(d, &acts, k);
                char an[32];
                tl_at an_at = tl_get(d, &ac, "name");
                if (!an_at.n) return tl_missing(d, &ac, "name", "an ERT action has a name");
                if ((st = tl_string(d, &an_at, an, sizeof an)) || (st = ert_action(d, en, an, &ac))) return st;
            }
            (*n_tab)++;
        }
    } else if (tl_is_map(&tables)) {
        for (int i = 0; i < tl_pairs(&tables) && *n_tab < cap; i++) {
            tl_at comp;
            const char *full = tl_pair(d, &tables, i, &comp);
            ert_entry *en = &tab[*n_tab];
            memset(en, 0, sizeof *en);
            en->at = comp;
            component_name(full ? full : "", en->name, sizeof en->name);
            if ((st = tl_need_map(d, &comp))) return st;
            for (int k = 0; k < tl_pairs(&comp); k++) {
                tl_at val;
                const char *an = tl_pair(d, &comp, k, &val);
                if (an && (st = ert_action(d, en, an, &val))) return st;
            }
            (*n_tab)++;
        }
    } else {
        return tl_fail(d, &tables, PESIM_ERR_TYPE, "expected a list (v0.3) or a map (v0.2) of tables");
    }
    return PESIM_OK;
}

/* The energy of the first action of `names` the component has (-1: none). */
static double ert_pick(const ert_entry *en, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        for (int k = 0; k < en->n; k++)
            if (strcmp(en->action[k], names[i]) == 0) return en->energy[k];
    return -1;
}

static double ert_max(const ert_entry *en)
{
    double m = 0;
    for (int k = 0; k < en->n; k++)
        if (en->energy[k] > m) m = en->energy[k];
    return m;
}

static const char *const a_read[] = {"random_read", "read", NULL};
static const char *const a_fill[] = {"random_fill", "random_write", "fill", "write", NULL};
static const char *const a_update[] = {"random_update", "update", "write", NULL};
static const char *const a_mac[] = {"mac_random", "mult_random", "mac", "mult", "compute", NULL};
static const char *const a_leak[] = {"leak", NULL};

#define ERT_TABLES_MAX 64

static pesim_status apply_ert(tl_doc *d, pesim_tl_ert_rule rule, pesim_arch *a, const level_extra *x,
                              const char *mac_name)
{
    ert_entry *tab = calloc(ERT_TABLES_MAX, sizeof *tab);
    if (!tab) return pesim_error_set(d->e, PESIM_ERR_NOMEM, d->name, 0, NULL, "out of memory");
    int n = 0;
    pesim_status st = ert_read(d, tab, &n, ERT_TABLES_MAX);
    for (int i = 0; !st && i < n; i++) {
        const ert_entry *en = &tab[i];
        if (strcmp(en->name, mac_name) == 0) {
            double m = rule == PESIM_TL_ERT_MAX ? ert_max(en) : ert_pick(en, a_mac);
            if (m >= 0) a->mac_energy_pj = m;
            continue;
        }
        int L = pesim_arch_find_level(a, en->name);
        if (L < 0) continue; /* wires, networks, components the model does not use */
        double r, f, u;
        if (rule == PESIM_TL_ERT_MAX) {
            r = f = u = ert_max(en);
        } else {
            r = ert_pick(en, a_read), f = ert_pick(en, a_fill), u = ert_pick(en, a_update);
            if (f >= 0 && u >= 0 && f != u) {
                st = tl_fail(d, &en->at, PESIM_ERR_INVALID,
                             "component '%s': fills cost %g pJ and updates %g pJ; pesim has one write energy per level",
                             en->name, f, u);
                break;
            }
            if (f < 0) f = u;
        }
        if (r >= 0) a->level[L].read_energy_pj = r / (double)x[L].block;
        if (f >= 0) a->level[L].write_energy_pj = f / (double)x[L].block;
        /* a cycle of one instance; the MACs' is not read: Timeloop charges none */
        double lk = ert_pick(en, a_leak);
        if (lk >= 0) a->level[L].leak_pj_per_cycle = lk;
    }
    free(tab);
    return st;
}

/* --------------------------------------------------------------- the arch */

static pesim_status build(walk *w, pesim_arch *a, level_extra *x, char *mac_name, size_t mac_n)
{
    tl_doc *d = w->d;
    pesim_status st;
    int n_store = 0, compute = -1;
    for (int i = 0; i < w->n; i++) {
        if (w->el[i].kind == ELEM_STORE) {
            if (compute >= 0)
                return tl_fail(d, &w->el[i].at, PESIM_ERR_INVALID,
                               "storage '%s' is inside the arithmetic units: they must be the innermost element",
                               w->el[i].name);
            n_store++;
        } else if (compute >= 0) {
            return tl_fail(d, &w->el[i].at, PESIM_ERR_INVALID, "a second arithmetic element ('%s' after '%s')",
                           w->el[i].name, w->el[compute].name);
        } else {
            compute = i;
        }
    }
    tl_at root = tl_root(d);
    if (compute < 0) return tl_fail(d, &root, PESIM_ERR_MISSING, "no arithmetic element (class intmac, mac, ...)");
    if (n_store < 2)
        return tl_fail(d, n_store ? &w->el[0].at : &root, PESIM_ERR_INVALID,
                       "%d storage level%s: the importer needs at least 2 (a store next to the MACs and a backing store)",
                       n_store, n_store == 1 ? "" : "s");
    if (n_store > PESIM_MAX_LEVELS)
        return tl_fail(d, &w->el[PESIM_MAX_LEVELS].at, PESIM_ERR_RANGE, "more than %d storage levels",
                       PESIM_MAX_LEVELS);
    a->n_levels = n_store;
    /* word-bits: the outermost store's (Timeloop's DRAM) is the arch's, the
     * operands' width; a store of another width keeps its own (arch.h:
     * pesim_level.word_bits), its depth, bandwidths and energies in its words */
    int64_t wb0 = 0;
    for (int i = 0; i < n_store; i++) {
        int L = n_store - 1 - i;
        int64_t wb;
        if ((st = read_store(w, &w->el[i], &a->level[L], &wb, &x[L]))) return st;
        if (i == 0) wb0 = wb;
        else if (wb != wb0) a->level[L].word_bits = (int32_t)wb;
        for (int k = 0; k < i; k++)
            if (strcmp(w->el[k].name, w->el[i].name) == 0)
                return tl_fail(d, &w->el[i].at, PESIM_ERR_INVALID, "a second storage element named '%s' (line %d)",
                               w->el[i].name, w->el[k].at.line);
    }
    /* the outermost store holds everything: pesim checks no capacity there */
    a->level[n_store - 1].capacity_words = 0;
    a->word_bits = (int32_t)wb0;
    /* fan-outs: each store's children are the next element inward */
    for (int i = 0; i < n_store; i++) {
        const elem *p = &w->el[i], *c = &w->el[i + 1];
        if (c->mesh_x % p->mesh_x || c->mesh_y % p->mesh_y)
            return tl_fail(d, &c->at, PESIM_ERR_INVALID,
                           "its %lld x %lld mesh does not tile the %lld x %lld mesh of '%s' above it",
                           (long long)c->mesh_x, (long long)c->mesh_y, (long long)p->mesh_x, (long long)p->mesh_y,
                           p->name);
        int64_t fx = c->mesh_x / p->mesh_x, fy = c->mesh_y / p->mesh_y;
        if (fx > 65536 || fy > 65536 || fx * fy > (INT64_C(1) << 30))
            return tl_fail(d, &c->at, PESIM_ERR_RANGE, "a fan-out of %lld x %lld: pesim takes at most 65536 a side",
                           (long long)fx, (long long)fy);
        a->level[n_store - 1 - i].fanout_x = (int32_t)fx;
        a->level[n_store - 1 - i].fanout_y = (int32_t)fy;
    }
    const elem *mac = &w->el[compute];
    snprintf(mac_name, mac_n, "%s", mac->name);
    a->mac_latency_cycles = 1;
    tl_at ea = attr(w, mac, k_epo);
    if (ea.n && (st = tl_num(d, &ea, 0, PESIM_CFG_MAX_ENERGY_PJ, &a->mac_energy_pj))) return st;
    for (int L = 0; L < n_store; L++)
        if (x[L].vae_pj >= 0) a->level[L].read_energy_pj = a->level[L].write_energy_pj = x[L].vae_pj / (double)x[L].block;
    return PESIM_OK;
}

/* Timeloop's dataspace constraints (`architecture_constraints` or
 * `mapspace_constraints`, a list or its `targets`; `type` dataspace, datatype,
 * bypass or bypassing): a data space a level's constraint bypasses is one the
 * level does not keep (pesim_level.keeps), so pesim's mappers and searches
 * respect it. A `keep` list changes nothing (a pesim mapping may still bypass
 * there); the other constraint types (factors, permutations, utilization) are
 * not read. Data spaces by their CNN-layer names, Weights, Inputs, Outputs. */
static pesim_status apply_constraints(tl_doc *d, const tl_at *root, pesim_arch *a)
{
    static const char *const sections[] = {"architecture_constraints", "mapspace_constraints", NULL};
    static const char *const types[] = {"dataspace", "datatype", "bypass", "bypassing", NULL};
    static const char *const spaces[PESIM_NTENSORS] = {"Weights", "Inputs", "Outputs"}; /* pesim_tensor order */
    pesim_status st;
    for (int s = 0; sections[s]; s++) {
        tl_at sec = tl_get(d, root, sections[s]);
        tl_at list = tl_is_map(&sec) ? tl_get(d, &sec, "targets") : sec;
        if (tl_is_null(&list)) continue;
        if ((st = tl_need_seq(d, &list))) return st;
        for (int i = 0; i < tl_len(&list); i++) {
            tl_at c = tl_item(d, &list, i), ty = tl_get(d, &c, "type"), tg = tl_get(d, &c, "target");
            const char *type = tl_scalar(&ty);
            int k = 0;
            while (type && types[k] && strcmp(type, types[k]) != 0) k++;
            if (!type || !types[k]) continue;
            char name[PESIM_NAME_MAX];
            if (!tg.n) return tl_missing(d, &c, "target", "a dataspace constraint names its storage level");
            if ((st = tl_string(d, &tg, name, sizeof name))) return st;
            int L = pesim_arch_find_level(a, name);
            if (L < 0) return tl_fail(d, &tg, PESIM_ERR_INVALID, "'%s' is not a storage level of the architecture", name);
            tl_at b = tl_get(d, &c, "bypass");
            if (tl_is_null(&b)) continue;
            if ((st = tl_need_seq(d, &b))) return st;
            for (int j = 0; j < tl_len(&b); j++) {
                tl_at it = tl_item(d, &b, j);
                const char *sp = tl_scalar(&it);
                int t = 0;
                while (sp && t < PESIM_NTENSORS && !tl_ieq(sp, spaces[t])) t++;
                if (!sp || t == PESIM_NTENSORS)
                    return tl_fail(d, &it, PESIM_ERR_INVALID,
                                   "'%s' is not a data space the constraints can name (Weights, Inputs, Outputs); "
                                   "import with --constraints off", sp ? sp : "?");
                if (L == a->n_levels - 1)
                    return tl_fail(d, &it, PESIM_ERR_INVALID, "the outermost level (%s) keeps every data space", name);
                a->level[L].keeps[t] = 0;
            }
        }
    }
    return PESIM_OK;
}

static pesim_status load(tl_doc *d, tl_doc *ert, pesim_tl_ert_rule rule, pesim_arch *a)
{
    pesim_status st;
    walk *w = calloc(1, sizeof *w);
    if (!w) return pesim_error_set(d->e, PESIM_ERR_NOMEM, d->name, 0, NULL, "out of memory");
    w->d = d;
    tl_at root = tl_root(d), top;
    level_extra x[PESIM_MAX_LEVELS];
    char mac_name[PESIM_NAME_MAX] = "";
    tl_at inherit[INHERIT_MAX];
    if ((st = tl_need_map(d, &root))) goto out;
    top = tl_get(d, &root, "architecture");
    if (!top.n) top = tl_get(d, &root, "arch");
    if (!top.n) {
        st = tl_missing(d, &root, "architecture", "no `architecture` in this file (is it a Timeloop arch spec?)");
        goto out;
    }
    if ((st = tl_need_map(d, &top))) goto out;
    double version = 0.3;
    tl_at ver = tl_get(d, &top, "version");
    if (ver.n && (st = tl_num(d, &ver, 0, HUGE_VAL, &version))) goto out;
    if (version != 0.2 && version != 0.3 && version != 0.4) {
        st = tl_fail(d, &ver, PESIM_ERR_RANGE, "version %g: pesim reads 0.2, 0.3 and 0.4", version);
        goto out;
    }
    tl_at nodes = tl_get(d, &top, "nodes");
    if (nodes.n) st = walk_nodes(w, &nodes, inherit, 0, 1, 1, 0);
    else st = walk_tree(w, &top, inherit, 0, 1, 0);
    if (st) goto out;
    memset(a, 0, sizeof *a);
    if ((st = build(w, a, x, mac_name, sizeof mac_name))) goto out;
    snprintf(a->name, sizeof a->name, "%s", w->arch_name[0] ? w->arch_name : "timeloop");
    snprintf(a->source, sizeof a->source, "imported from the Timeloop architecture %.200s", d->name);
    strcpy(a->dataflow, "any");
    a->conventions = PESIM_CONV_TIMELOOP;
    /* the Timeloop that reads v0.4 specs elides first reads by default (its
     * TIMELOOP_ENABLE_FIRST_READ_ELISION); the v3 exercises' Timeloop did not */
    a->first_read_elision = version >= 0.4;
    /* Timeloop counts cycles only; its v0.4 global_cycle_seconds, else 1 GHz (a cycle is a ns) */
    a->clock_mhz = w->cycle_seconds > 0 ? 1e-6 / w->cycle_seconds : 1000.0;
    if (ert && (st = apply_ert(ert, rule, a, x, mac_name))) goto out;
    if ((st = apply_constraints(d, &root, a))) goto out;
    pesim_error le;
    pesim_error_clear(&le);
    if ((st = pesim_arch_check(a, d->name, &le)) != PESIM_OK)
        st = pesim_error_set(d->e, st, d->name, le.line, le.key, "%s", le.msg);
out:
    free(w);
    return st;
}

static pesim_status load_both(const char *arch_path, const char *arch_text, const char *arch_name,
                              const char *ert_path, const char *ert_text, const char *ert_name,
                              pesim_tl_ert_rule rule, pesim_arch *out, pesim_error *e)
{
    if (!out || (unsigned)rule >= PESIM_TL_ERT_RULE_COUNT)
        return pesim_error_set(e, PESIM_ERR_INVALID, arch_path ? arch_path : arch_name, 0, NULL,
                               "timeloop arch: bad argument");
    memset(out, 0, sizeof *out);
    tl_doc d, r;
    int have_ert = ert_path || ert_text;
    pesim_status st = tl_open(&d, arch_path, arch_text, arch_name, e);
    memset(&r, 0, sizeof r);
    if (!st && have_ert) st = tl_open(&r, ert_path, ert_text, ert_name, e);
    if (!st) st = load(&d, have_ert ? &r : NULL, rule, out);
    tl_close(&d);
    if (have_ert) tl_close(&r);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

pesim_status pesim_timeloop_load_arch(const char *arch_path, const char *ert_path, pesim_tl_ert_rule rule,
                                      pesim_arch *out, pesim_error *e)
{
    if (!arch_path) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "timeloop arch: NULL path");
    return load_both(arch_path, NULL, NULL, ert_path, NULL, NULL, rule, out, e);
}

pesim_status pesim_timeloop_load_arch_string(const char *arch_text, const char *arch_name, const char *ert_text,
                                             const char *ert_name, pesim_tl_ert_rule rule, pesim_arch *out,
                                             pesim_error *e)
{
    return load_both(NULL, arch_text, arch_name, NULL, ert_text, ert_name, rule, out, e);
}
