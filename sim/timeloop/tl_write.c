/* tl_write.c - a pesim arch as a Timeloop architecture and ERT
 * (docs/timeloop.md, "Export"), and the plan of its Timeloop levels
 * (tl_plan.h). One `local` list, outermost first, each element with its
 * `instances` and `meshX` (so no name ranges are needed); the arithmetic
 * units last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/dram.h"
#include "pesim/timeloop.h"
#include "timeloop/tl_plan.h"
#include "timeloop/tl_yaml.h"

/* 1 when name is taken by a level of a or by one of the first n planned. */
static int taken(const pesim_arch *a, const tl_level *p, int n, const char *name)
{
    if (pesim_arch_find_level(a, name) >= 0) return 1;
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].name, name) == 0) return 1;
    return 0;
}

int tl_plan(const pesim_arch *a, tl_level out[TL_PLAN_MAX])
{
    int n = 0;
    for (int L = a->n_levels - 1; L >= 0; L--) {
        const pesim_level *v = &a->level[L];
        unsigned kept = 0, own = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!v->keeps[t] && L < a->n_levels - 1) continue;
            kept |= 1u << t;
            if (v->tensor_capacity_words[t] > 0 && L < a->n_levels - 1) own |= 1u << t;
        }
        if (!own) {
            tl_level *p = &out[n++];
            p->level = L, p->tensors = kept, p->innermost = 1;
            p->depth_words = L < a->n_levels - 1 ? v->capacity_words : 0;
            snprintf(p->name, sizeof p->name, "%s", v->name);
            continue;
        }
        /* one buffer per partition, one for the tensors sharing the level's capacity */
        int first = n;
        unsigned shared = kept & ~own;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            unsigned group = (own >> t) & 1u ? 1u << t : ((shared >> t) & 1u) && !(shared & ((1u << t) - 1)) ? shared : 0;
            if (!group) continue;
            tl_level *p = &out[n];
            p->level = L, p->tensors = group, p->innermost = 0;
            p->depth_words = (own >> t) & 1u ? v->tensor_capacity_words[t] : v->capacity_words;
            char base[PESIM_NAME_MAX];
            snprintf(base, sizeof base, "%.40s_%s", v->name, group == (1u << t) ? pesim_tensor_name((pesim_tensor)t) : "shared");
            snprintf(p->name, sizeof p->name, "%s", base);
            for (int k = 2; taken(a, out, n, p->name); k++) snprintf(p->name, sizeof p->name, "%.50s%d", base, k);
            n++;
        }
        if (n > first) out[n - 1].innermost = 1;
    }
    return n;
}

/* A name for the MAC units that no Timeloop level has. */
static void mac_name(const pesim_arch *a, char *buf, size_t n)
{
    tl_level plan[TL_PLAN_MAX];
    int np = tl_plan(a, plan);
    snprintf(buf, n, "MAC");
    for (int k = 2; taken(a, plan, np, buf); k++) snprintf(buf, n, "MAC%d", k);
}

/* The mesh of level L's instances: X is the product of the fan-outs' X above it. */
static void mesh(const pesim_arch *a, int L, int64_t *mx, int64_t *my)
{
    *mx = *my = 1;
    for (int l = L + 1; l < a->n_levels; l++) *mx *= a->level[l].fanout_x, *my *= a->level[l].fanout_y;
}

static pesim_status writable(const pesim_arch *a, pesim_error *e)
{
    pesim_error ce;
    pesim_error_clear(&ce);
    if (pesim_arch_check(a, NULL, &ce) != PESIM_OK) return pesim_error_set(e, ce.code, NULL, 0, ce.key, "%s", ce.msg);
    return PESIM_OK;
}

/* Checks a, names its MAC units and opens `top: { version: 0.3, list: [`. */
static int start(tl_emit *t, const pesim_arch *a, pesim_error *e, const char *top, const char *list,
                 char mac[PESIM_NAME_MAX])
{
    pesim_error_clear(e);
    if (!a || writable(a, e) != PESIM_OK) return 0;
    mac_name(a, mac, PESIM_NAME_MAX);
    tl_emit_begin(t);
    tl_emit_map(t, 0);
    tl_emit_str(t, top);
    tl_emit_map(t, 0);
    tl_emit_kv(t, "version", "0.3");
    tl_emit_str(t, list);
    tl_emit_seq(t, 0);
    return 1;
}

char *pesim_timeloop_arch_text(const pesim_arch *a, pesim_error *e)
{
    char mac[PESIM_NAME_MAX];
    tl_emit t;
    if (!start(&t, a, e, "architecture", "subtree", mac)) return NULL;
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", a->name);
    tl_emit_str(&t, "local");
    tl_emit_seq(&t, 0);
    tl_level plan[TL_PLAN_MAX];
    int np = tl_plan(a, plan);
    for (int i = 0; i < np; i++) {
        int L = plan[i].level;
        const pesim_level *v = &a->level[L];
        int64_t mx, my;
        mesh(a, L, &mx, &my);
        tl_emit_map(&t, 0);
        tl_emit_kv(&t, "name", plan[i].name);
        tl_emit_kv(&t, "class", L == a->n_levels - 1 ? "DRAM" : L == 0 ? "regfile" : "SRAM");
        tl_emit_str(&t, "attributes");
        tl_emit_map(&t, 0);
        tl_emit_kv_int(&t, "instances", mx * my);
        tl_emit_kv_int(&t, "meshX", mx);
        tl_emit_kv_int(&t, "word-bits", pesim_level_word_bits(a, L)); /* the arch's at the DRAM */
        tl_emit_kv_int(&t, "block-size", 1);
        if (v->cluster_size > 1) tl_emit_kv_int(&t, "cluster-size", v->cluster_size);
        tl_emit_kv_int(&t, "width", pesim_level_word_bits(a, L) * (v->cluster_size > 1 ? v->cluster_size : 1));
        if (plan[i].depth_words > 0) tl_emit_kv_int(&t, "depth", plan[i].depth_words);
        /* Timeloop has no DRAM timing: for DRAM its peak (or the port's, if lower) stands in */
        double rd = pesim_arch_instance_words_per_cycle(a, L, 0), wr = pesim_arch_instance_words_per_cycle(a, L, 1);
        if (rd > 0) tl_emit_kv_num(&t, "read_bandwidth", rd);
        if (wr > 0) tl_emit_kv_num(&t, "write_bandwidth", wr);
        if (pesim_level_tile_slots(v) > 1) tl_emit_kv_int(&t, "multiple-buffering", pesim_level_tile_slots(v));
        tl_emit_kv_int(&t, "n_banks", v->banks);
        if (v->ports <= 2) tl_emit_kv_int(&t, "n_ports", v->ports);
        tl_emit_end_map(&t);
        tl_emit_end_map(&t);
    }
    int64_t mx, my;
    mesh(a, -1, &mx, &my);
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", mac);
    tl_emit_kv(&t, "class", "intmac");
    tl_emit_str(&t, "attributes");
    tl_emit_map(&t, 0);
    tl_emit_kv_int(&t, "instances", mx * my);
    tl_emit_kv_int(&t, "meshX", mx);
    tl_emit_kv_int(&t, "datawidth", a->word_bits);
    tl_emit_end_map(&t);
    tl_emit_end_map(&t);
    tl_emit_end_seq(&t); /* local */
    tl_emit_end_map(&t);
    tl_emit_end_seq(&t); /* subtree */
    tl_emit_end_map(&t);
    tl_emit_end_map(&t);
    return tl_emit_finish(&t, e);
}

static void action(tl_emit *t, const char *name, double pj)
{
    tl_emit_map(t, 1);
    tl_emit_kv(t, "name", name);
    tl_emit_kv_num(t, "energy", pj);
    tl_emit_end_map(t);
}

char *pesim_timeloop_ert_text(const pesim_arch *a, pesim_error *e)
{
    char mac[PESIM_NAME_MAX];
    tl_emit t;
    if (!start(&t, a, e, "ERT", "tables", mac)) return NULL;
    tl_level plan[TL_PLAN_MAX];
    int np = tl_plan(a, plan);
    for (int i = 0; i < np; i++) {
        const pesim_level *v = &a->level[plan[i].level];
        tl_emit_map(&t, 0);
        tl_emit_kv(&t, "name", plan[i].name);
        tl_emit_str(&t, "actions");
        tl_emit_seq(&t, 0);
        action(&t, "read", v->read_energy_pj);
        action(&t, "write", v->write_energy_pj);
        tl_emit_end_seq(&t);
        tl_emit_end_map(&t);
    }
    tl_emit_map(&t, 0);
    tl_emit_kv(&t, "name", mac);
    tl_emit_str(&t, "actions");
    tl_emit_seq(&t, 0);
    action(&t, "mac_random", a->mac_energy_pj);
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t);
    tl_emit_end_seq(&t);
    tl_emit_end_map(&t);
    tl_emit_end_map(&t);
    return tl_emit_finish(&t, e);
}
