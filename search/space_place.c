/* space_place.c - the placement space of a network (docs/search.md
 * "Placement space"), EGRL-style: for each layer, the level holding its
 * output activation, and for each layer with weights (conv, gemm, layernorm),
 * the level holding its weights.
 *
 * Candidate levels are the tensor's homes in the whole-network simulation
 * (pesim_net_tensor_homes: the levels above the innermost level with a
 * fan-out, or that level too when only the outermost is above it, and none
 * below the vector unit's for what a vector layer touches), outermost
 * first, so choice 0 is the outermost level (DRAM) and the all-zeros
 * candidate is the placement "everything in DRAM". The network input lives
 * in the outermost level.
 *
 * Cost: the placement as one whole-network run of sim/net (pesim/net.h) at
 * the asked fidelity, analytical (the bound) or cycle (the engine): capacity
 * over time with the staging each layer's remapped mapping needs, the
 * allocator, every layer costed. An infeasible placement is an invalid result
 * with sim/net's reason (tensor, level, step, words over), unless the space's
 * options rectify it. The space's default options are those of an inference
 * server in steady state, EGRL's setting: weights resident (preloaded), no
 * rectification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "space_impl.h"

pesim_status srch_place_net(const pesim_space *s, pesim_net **out, pesim_error *e)
{
    return pesim_net_create(&s->arch, &s->net, &s->place_opt, out, e);
}

int srch_place_eval(const pesim_space *s, pesim_net *n, const pesim_placement *p, pesim_fidelity f, pesim_result *r,
                    pesim_cost *costs)
{
    const pesim_net_result *res;
    pesim_error err;
    pesim_error_clear(&err);
    pesim_net_fidelity nf = f == PESIM_FIDELITY_CYCLE ? PESIM_NET_CYCLE : PESIM_NET_ANALYTICAL;
    if (pesim_net_run(n, p, nf, &res, &err) != PESIM_OK) {
        snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1, err.msg);
        r->violation = pesim_violation_make(PESIM_VIOLATION_OTHER);
        return 0;
    }
    if (!res->valid) {
        snprintf(r->reason, sizeof r->reason, "%s", res->reason);
        /* per instance: what was live (capacity + words over) against the capacity */
        r->violation = pesim_violation_make(PESIM_VIOLATION_PLACEMENT);
        r->violation.level = res->fail_level, r->violation.layer = res->fail_step;
        if (res->fail_level >= 0 && res->fail_step >= 0 && res->n_layers > 0) {
            int64_t cap = res->occupancy[(size_t)res->fail_level * (size_t)res->n_layers].capacity_words;
            r->violation.amount = (double)(cap + res->fail_words_over), r->violation.limit = (double)cap;
        }
        return 0;
    }
    r->cycles = res->cycles;
    r->energy_pj = res->energy_pj;
    /* each MAC layer's share, with the layers without MACs that follow it (those
     * before the first MAC layer go to it): the shares sum to the network's */
    int64_t pre_cycles = 0;
    double pre_energy = 0;
    for (int32_t i = 0, k = -1; costs && i < res->n_layers; i++) {
        const pesim_cost *c = &res->layer[i].cost;
        if (k + 1 < s->n_mac && s->mac[k + 1] == i) {
            k++;
            costs[k] = *c;
            if (k == 0) costs[0].cycles += pre_cycles, costs[0].energy_pj += pre_energy;
        } else if (k >= 0) {
            costs[k].cycles += c->cycles, costs[k].energy_pj += c->energy_pj;
        } else {
            pre_cycles += c->cycles, pre_energy += c->energy_pj;
        }
    }
    return 1;
}

/* Capacity a level offers to placed tensors, per instance (0 = unbounded):
 * its shared capacity plus its partitions. */
static int64_t place_capacity(const pesim_arch *a, int32_t level)
{
    const pesim_level *v = &a->level[level];
    int64_t parts = 0;
    int all = 1;
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        parts += v->tensor_capacity_words[t];
        if (v->keeps[t] && v->tensor_capacity_words[t] == 0) all = 0;
    }
    if (v->capacity_words > 0) return v->capacity_words + parts;
    return all ? parts : 0;
}

int srch_place_check(const pesim_space *s, const pesim_arch *a, const pesim_placement *p, int64_t *live,
                     char *reason, size_t n, pesim_violation *v)
{
    const int32_t L = s->net.n_layers, ML = PESIM_MAX_LEVELS;
    const int top = a->n_levels - 1;
    memset(live, 0, ((size_t)L + 1) * ML * sizeof *live);
    for (int32_t j = 0; j < L; j++) {
        const pesim_layer *l = &s->net.layers[j];
        int lw = p->weights_level[j];
        if (pesim_layer_has_macs(l) && l->op != PESIM_OP_MATMUL && lw != top) { /* a MAC layer's weights */
            int64_t w = (pesim_layer_tensor_words(l, PESIM_WEIGHTS) + pesim_arch_instances(a, lw) - 1) /
                        pesim_arch_instances(a, lw);
            int32_t b = s->place_opt.preload_weights ? 0 : j, d = s->place_opt.preload_weights ? L - 1 : j;
            live[(size_t)b * ML + lw] += w, live[(size_t)(d + 1) * ML + lw] -= w;
        }
        int lo = p->outputs_level[j];
        if (l->op == PESIM_OP_CONCAT || lo == top) continue; /* a concat's output may hold its inputs (aliased) */
        int32_t last = j;
        for (int32_t k = j + 1; k < L; k++)
            for (int i = 0; i < s->net.layers[k].n_inputs; i++)
                if (s->net.layers[k].inputs[i] == j) last = k;
        if (last == j) last = L - 1; /* a network output: to the end */
        int64_t o = (pesim_layer_output_words(l) + pesim_arch_instances(a, lo) - 1) / pesim_arch_instances(a, lo);
        live[(size_t)j * ML + lo] += o, live[(size_t)(last + 1) * ML + lo] -= o;
    }
    for (int lv = 0; lv < top; lv++) {
        int64_t cap = place_capacity(a, lv), sum = 0;
        for (int32_t j = 0; j < L; j++) {
            sum += live[(size_t)j * ML + lv];
            if (cap > 0 && sum > cap) {
                if (reason && n)
                    snprintf(reason, n, "level %s over capacity at layer %s: %lld live words per instance > %lld",
                             a->level[lv].name, s->net.layers[j].name, (long long)sum, (long long)cap);
                if (v) {
                    *v = pesim_violation_make(PESIM_VIOLATION_PLACEMENT);
                    v->level = lv, v->layer = j, v->amount = (double)sum, v->limit = (double)cap;
                }
                return 0;
            }
        }
    }
    return 1;
}

pesim_status pesim_space_placement_opts(const pesim_arch *a, const pesim_network *net, const pesim_net_options *opt,
                                        pesim_space **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "NULL output");
    *out = NULL;
    if (!a) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "arch", "NULL architecture");
    pesim_status st = pesim_arch_check(a, NULL, e);
    if (st) return st;
    if (!net || net->n_layers < 1 || !net->layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "network", "empty or NULL network");
    /* the whole-network simulation checks the network (order, layer types, a vector unit) */
    pesim_net *probe = NULL;
    st = pesim_net_create(a, net, opt, &probe, e);
    if (st) return st;
    pesim_space *s = srch_space_new(SPACE_PLACEMENT, a, net, e);
    if (!s) {
        pesim_net_destroy(probe);
        return PESIM_ERR_NOMEM;
    }
    if (opt) s->place_opt = *opt;
    s->place_opt.engine.trace = NULL, s->place_opt.engine.trace_ctx = NULL;
    const int M = a->n_levels;
    const int32_t L = net->n_layers;
    /* the candidate levels: a home of some tensor, outermost first */
    int32_t hw[PESIM_MAX_LEVELS], ha[PESIM_MAX_LEVELS];
    int nw = pesim_net_home_levels(probe, PESIM_NET_WEIGHTS, hw), na = pesim_net_home_levels(probe, PESIM_NET_ACTIVATION, ha);
    for (int lv = M - 1; lv >= 0; lv--) {
        int any = 0;
        for (int k = 0; k < nw; k++) any |= hw[k] == lv;
        for (int k = 0; k < na; k++) any |= ha[k] == lv;
        if (any) s->place_level[s->n_place_levels++] = lv;
    }

    s->place_w = malloc((size_t)L * sizeof *s->place_w);
    s->place_o = malloc((size_t)L * sizeof *s->place_o);
    s->place_choice = malloc((size_t)L * 2 * PESIM_MAX_LEVELS * sizeof *s->place_choice);
    s->default_maps = calloc((size_t)(s->n_mac > 0 ? s->n_mac : 1), sizeof *s->default_maps);
    if (!s->place_w || !s->place_o || !s->place_choice || !s->default_maps) {
        pesim_net_destroy(probe);
        pesim_space_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    }
    for (int32_t i = 0; i < L && !st; i++) {
        const pesim_layer *l = &net->layers[i];
        int32_t *pc = &s->place_choice[(size_t)i * 2 * PESIM_MAX_LEVELS];
        for (int w = 0; w < 2; w++) {
            int32_t *row = pc + w * PESIM_MAX_LEVELS, nch = 0, homes[PESIM_MAX_LEVELS];
            int nh = pesim_net_tensor_homes(probe, w ? PESIM_NET_OUTPUT_TENSOR(i) : PESIM_NET_WEIGHTS_TENSOR(i), homes);
            for (int k = 0; k < PESIM_MAX_LEVELS; k++) row[k] = M - 1;
            for (int k = 0; k < nh; k++) row[nch++] = homes[k];
            int32_t *slot = w ? &s->place_o[i] : &s->place_w[i];
            *slot = -1;
            if (nch < 2 || (!w && !pesim_layer_has_weights(l))) continue;
            char name[160];
            snprintf(name, sizeof name, "%s.%s", l->name, w ? "outputs" : "weights");
            *slot = srch_add_param(s, name, PESIM_PARAM_PLACEMENT, nch, -1, -1, w ? PESIM_OUTPUTS : PESIM_WEIGHTS, i);
            if (*slot < 0) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
        }
    }
    pesim_net_destroy(probe);
    /* the designs' mappings: each MAC layer's on the base arch, everything in
     * the outermost level (the evaluator remaps every layer for the placement) */
    for (int32_t i = 0; i < s->n_mac && !st; i++) {
        const pesim_layer *l = &net->layers[s->mac[i]];
        pesim_error err;
        pesim_error_clear(&err);
        if (pesim_mapper_default(a, l, &s->default_maps[i], &err) != PESIM_OK)
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name,
                                 "no default mapping on arch '%s': %s", a->name, err.msg);
    }
    if (!st) st = srch_space_finish(s, e);
    if (st) {
        pesim_space_destroy(s);
        return st;
    }
    *out = s;
    return PESIM_OK;
}

pesim_status pesim_space_placement_greedy(const pesim_space *s, int32_t *choices, int32_t *input_level,
                                          pesim_error *e)
{
    if (!s || !choices) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "NULL space or choices");
    if (s->kind != SPACE_PLACEMENT)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "not a placement space");
    pesim_net *n = NULL;
    pesim_status st = srch_place_net(s, &n, e);
    if (st) return st;
    pesim_placement g;
    memset(&g, 0, sizeof g);
    st = pesim_net_place_greedy(n, &g, e);
    pesim_net_destroy(n);
    if (st) return st;
    if (input_level) *input_level = g.input_level;
    for (int32_t i = 0; i < s->n_params; i++) choices[i] = 0;
    for (int32_t li = 0; li < s->net.n_layers && !st; li++) {
        const int32_t *pc = &s->place_choice[(size_t)li * 2 * PESIM_MAX_LEVELS];
        for (int w = 0; w < 2 && !st; w++) {
            int32_t p = w ? s->place_o[li] : s->place_w[li], want = w ? g.outputs_level[li] : g.weights_level[li];
            if (p < 0) continue; /* one home only, or no weights */
            int32_t c = 0;
            while (c < s->params[p].n_choices && pc[w * PESIM_MAX_LEVELS + c] != want) c++;
            if (c == s->params[p].n_choices) /* homes are the choices: cannot happen */
                st = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, s->params[p].name,
                                     "the greedy placer chose level %d, not a choice of the space", (int)want);
            else
                choices[p] = c;
        }
    }
    pesim_placement_free(&g);
    return st;
}

pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out, pesim_error *e)
{
    pesim_net_options o;
    memset(&o, 0, sizeof o);
    o.preload_weights = 1; /* EGRL's setting: weights resident */
    return pesim_space_placement_opts(a, net, &o, out, e);
}
