/* run.c - pesim_net_run: a placement through homes, lifetimes, allocation,
 * rectification, the layers' plans, and an evaluation at the asked fidelity
 * (docs/network.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

/* Moves tensor id one level out (rectification). 0 if it cannot go further. */
static int spill(pesim_net *n, int32_t id, int32_t step)
{
    pesim_net_tensor *t = &n->tensor[id];
    int32_t to = net_next_level(n, id, t->level);
    if (to < 0 || n->res.n_spills >= n->cap_spills) return 0;
    pesim_net_spill *s = &n->spills[n->res.n_spills++];
    s->tensor = id, s->from_level = t->level, s->to_level = to, s->step = step, s->words = t->words;
    n->res.spilled_words += t->words;
    t->level = to;
    n->pin[id] = -1;
    return 1;
}

/* The largest tensor living in `level` at `step` (not a slice), or -1. */
static int32_t largest_live(const pesim_net *n, int level, int32_t step)
{
    int32_t best = -1;
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        if (t->words == 0 || t->level != level || t->birth > step || t->death < step) continue;
        int32_t root = t->alias_of >= 0 ? t->alias_of : id;
        if (best < 0 || n->tensor[root].inst_words > n->tensor[best].inst_words) best = root;
    }
    return best;
}

/* A weight load starts a step early (during the layer before) where its
 * level has room for it then: in layer order, each on-chip weight tensor is
 * moved to a run free over both steps, if there is one. */
static void prefetch(pesim_net *n)
{
    if (n->opt.preload_weights || n->opt.no_prefetch) return;
    for (int32_t i = 1; i < n->L; i++) {
        int32_t id = PESIM_NET_WEIGHTS_TENSOR(i);
        pesim_net_tensor *w = &n->tensor[id];
        if (w->words == 0 || w->level >= n->M - 1 || w->birth != i) continue;
        net_alloc_extend(n, id, i - 1, n->pin[id] >= 0);
    }
}

/* The images of the tensors loaded from the outermost level: above what
 * lives there, each on its own 4 KiB, in tensor order. */
static void images(pesim_net *n)
{
    const int top = n->M - 1;
    uint64_t at = 0, page = 4096;
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        if (t->words > 0 && t->level == top && t->alias_of < 0 && t->address >= 0) {
            uint64_t e = net_bytes(n, t->address + t->inst_words);
            if (e > at) at = e;
        }
    }
    at = (at + (1u << 20) - 1) / (1u << 20) * (1u << 20);
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        n->image[id] = 0;
        if (t->words == 0 || t->level == top || t->kind == PESIM_NET_ACTIVATION) continue;
        n->image[id] = at;
        at += (net_bytes(n, t->words) + page - 1) / page * page;
    }
}

/* Homes to lifetimes to addresses; plans. 1 when everything fits. */
static int fit(pesim_net *n, pesim_net_result *r)
{
    net_lifetimes(n, n->pin);
    for (int lv = 0; lv < n->M; lv++)
        if (!net_alloc_level(n, lv, n->pin, r)) return 0;
    prefetch(n);
    images(n);
    return net_plan(n, r);
}

static void clear_result(pesim_net *n)
{
    pesim_net_result *r = &n->res;
    pesim_placement keep = r->placement;
    memset(r, 0, sizeof *r);
    r->placement = keep;
    r->valid = 1;
    r->fail_tensor = r->fail_level = r->fail_step = -1;
    r->n_layers = n->L;
    r->layer = n->layer;
    r->n_tensors = n->T;
    r->tensor = n->tensor;
    r->n_occupancy = n->M * n->L;
    r->occupancy = n->occ;
    r->spill = n->spills;
    memset(n->layer, 0, (size_t)n->L * sizeof *n->layer);
}

/* Occupancy per (level, step) and the levels' peaks. */
static void occupancy(pesim_net *n, pesim_net_result *r)
{
    for (int lv = 0; lv < n->M; lv++) {
        for (int32_t s = 0; s < n->L; s++) {
            pesim_net_occupancy *o = &n->occ[(size_t)lv * (size_t)n->L + (size_t)s];
            o->level = lv, o->step = s;
            net_room(n, lv, s, &o->live_words, &o->top_address);
            o->staging_words = n->layer[s].staging_words[lv];
            o->capacity_words = n->cap[lv];
            if (o->live_words > r->peak_words[lv]) r->peak_words[lv] = o->live_words;
            if (o->top_address > r->top_address[lv]) r->top_address[lv] = o->top_address;
        }
        r->fragmentation[lv] = r->top_address[lv] > 0
                                   ? 1.0 - (double)r->peak_words[lv] / (double)r->top_address[lv] : 0.0;
    }
}

/* The placement as run: homes after rectification, every address. */
static void placement_as_run(pesim_net *n, pesim_placement *p)
{
    const pesim_net_tensor *in = &n->tensor[PESIM_NET_INPUT_TENSOR];
    p->input_level = in->level;
    p->input_address = in->address;
    for (int32_t i = 0; i < n->L; i++) {
        const pesim_net_tensor *w = &n->tensor[PESIM_NET_WEIGHTS_TENSOR(i)], *o = &n->tensor[PESIM_NET_OUTPUT_TENSOR(i)];
        p->weights_level[i] = w->words > 0 ? w->level : n->M - 1;
        p->weights_address[i] = w->words > 0 ? w->address : -1;
        p->outputs_level[i] = o->level;
        p->outputs_address[i] = o->address;
    }
}

/* Totals over the layers (their counts and energies are set). */
static void totals(pesim_net *n, pesim_net_result *r)
{
    double leak = net_leak_per_cycle(n);
    for (int32_t i = 0; i < n->L; i++) {
        const pesim_net_layer *ly = &n->layer[i];
        const pesim_cost *c = &ly->cost;
        r->compute_cycles += c->compute_cycles;
        for (int k = 0; k < PESIM_STALL_COUNT; k++) r->stall_cycles[k] += c->stall_cycles[k];
        r->energy_pj += c->energy_pj;
        r->energy_mac_pj += c->energy_mac_pj;
        r->energy_noc_pj += c->energy_noc_pj;
        r->energy_vector_pj += c->energy_vector_pj;
        for (int lv = 0; lv < n->M; lv++) {
            r->energy_level_pj[lv] += c->energy_level_pj[lv];
            for (int t = 0; t < NT; t++) {
                r->access[lv][t].reads += c->access[lv][t].reads;
                r->access[lv][t].fills += c->access[lv][t].fills;
                r->access[lv][t].updates += c->access[lv][t].updates;
            }
        }
        r->macs += c->macs;
        r->vector_ops += ly->vector_ops;
        r->load_words += ly->load_words;
        r->copy_words += ly->copy_words;
    }
    r->energy_leak_pj = leak * (double)r->cycles;
    r->energy_pj += r->energy_leak_pj;
    r->utilization = r->cycles > 0 ? (double)r->macs / ((double)r->cycles * (double)pesim_arch_macs(&n->arch)) : 0;
    for (int32_t i = 0; i < n->L; i++) {
        pesim_cost *c = &n->layer[i].cost;
        c->energy_leak_pj = leak * (double)c->cycles;
        c->energy_pj += c->energy_leak_pj;
        c->edp_pj_cycles = c->energy_pj * (double)c->cycles;
        c->utilization = c->cycles > 0 ? (double)c->macs / ((double)c->cycles * (double)pesim_arch_macs(&n->arch)) : 0;
        c->area_um2 = pesim_arch_area_um2(&n->arch);
    }
}

pesim_status net_run_with(pesim_net *n, const pesim_placement *p, pesim_net_fidelity f, net_sim_fn sim,
                          const pesim_net_result **out, pesim_error *e)
{
    if (out) *out = NULL;
    if (!n || !out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "net", "NULL argument");
    clear_result(n);
    pesim_net_result *r = &n->res;
    r->fidelity = f;
    pesim_status st = net_resolve(n, p, n->pin, e);
    if (st) return st;
    /* rectification: spill what does not fit, one tensor at a time, until it fits */
    for (;;) {
        pesim_net_result fail_info;
        memset(&fail_info, 0, sizeof fail_info);
        fail_info.valid = 1;
        if (fit(n, &fail_info)) break;
        int32_t victim = fail_info.fail_tensor;
        if (victim < 0 && fail_info.fail_level >= 0) victim = largest_live(n, fail_info.fail_level, fail_info.fail_step);
        if (victim >= 0 && n->tensor[victim].alias_of >= 0) victim = n->tensor[victim].alias_of;
        if (!n->opt.rectify || victim < 0 || !spill(n, victim, fail_info.fail_step)) {
            r->valid = 0;
            memcpy(r->reason, fail_info.reason, sizeof r->reason);
            r->fail_tensor = fail_info.fail_tensor;
            r->fail_level = fail_info.fail_level;
            r->fail_step = fail_info.fail_step;
            r->fail_words_over = fail_info.fail_words_over;
            *out = r;
            return PESIM_OK;
        }
    }
    r->rectified = r->n_spills > 0;
    net_bound(n, r);
    if (sim && (st = sim(n, r, e))) return st;
    totals(n, r);
    occupancy(n, r);
    placement_as_run(n, &r->placement);
    *out = r;
    return PESIM_OK;
}

pesim_status pesim_net_run(pesim_net *n, const pesim_placement *p, pesim_net_fidelity f,
                           const pesim_net_result **out, pesim_error *e)
{
    if (out) *out = NULL;
    if ((unsigned)f >= PESIM_NET_FIDELITY_COUNT)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "fidelity", "unknown fidelity %d", (int)f);
    if (f == PESIM_NET_SYSTEMC)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "fidelity",
                               "the SystemC reference runs a network with pesim_systemc_net_run (pesim/systemc.h)");
    return net_run_with(n, p, f, f == PESIM_NET_CYCLE ? net_simulate : NULL, out, e);
}
