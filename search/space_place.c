/* space_place.c - the placement space of a network (docs/search.md
 * "Placement space"), EGRL-style: for each layer, the level holding its
 * output activation, and for each layer with weights (conv, gemm, layernorm),
 * the level holding its weights.
 *
 * Candidate levels are the whole-network simulation's homes
 * (pesim_net_home_levels: the levels above the innermost level with a
 * fan-out, or that level too when only the outermost is above it), outermost
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

int srch_place_eval(pesim_net *n, const pesim_placement *p, pesim_fidelity f, pesim_result *r)
{
    const pesim_net_result *res;
    pesim_error err;
    pesim_error_clear(&err);
    pesim_net_fidelity nf = f == PESIM_FIDELITY_CYCLE ? PESIM_NET_CYCLE : PESIM_NET_ANALYTICAL;
    if (pesim_net_run(n, p, nf, &res, &err) != PESIM_OK) {
        snprintf(r->reason, sizeof r->reason, "%s", err.msg);
        return 0;
    }
    if (!res->valid) {
        snprintf(r->reason, sizeof r->reason, "%s", res->reason);
        return 0;
    }
    r->cycles = res->cycles;
    r->energy_pj = res->energy_pj;
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
    pesim_net_destroy(probe);
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
        pesim_space_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    }
    for (int32_t i = 0; i < L && !st; i++) {
        const pesim_layer *l = &net->layers[i];
        int32_t *pc = &s->place_choice[(size_t)i * 2 * PESIM_MAX_LEVELS];
        for (int w = 0; w < 2; w++) {
            int32_t *row = pc + w * PESIM_MAX_LEVELS, nch = 0;
            const int32_t *homes = w ? ha : hw;
            int nh = w ? na : nw;
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

pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out, pesim_error *e)
{
    pesim_net_options o;
    memset(&o, 0, sizeof o);
    o.preload_weights = 1; /* EGRL's setting: weights resident */
    return pesim_space_placement_opts(a, net, &o, out, e);
}
