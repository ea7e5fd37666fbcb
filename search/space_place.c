/* space_place.c - the placement space of a network (docs/search.md
 * "Placement space"), EGRL-style: for each layer, the level holding its
 * output activation, and for each layer with weights (conv, gemm), the level
 * holding its weights.
 *
 * Candidate levels: the levels above the innermost level with a fan-out (the
 * PE array's feeding buffer stages tiles; its reuse is the mapping's business),
 * outermost first, so choice 0 is the outermost level (DRAM) and the
 * all-zeros candidate is the placement "everything in DRAM". If that leaves
 * only the outermost level, the fan-out level is a candidate too. A level is a
 * candidate for weights if it keeps weights, for an activation if it keeps
 * inputs and outputs. The network input and unplaced tensors live in the
 * outermost level.
 *
 * Cost (analytical): each MAC layer is mapped once, at creation, by the
 * default mapper on the base arch. For a placement, a tensor placed in level
 * p bypasses the levels p .. M-2 (so the outermost level serves it directly
 * to the level below p) and the traffic the model then counts at the
 * outermost level for that tensor is served by p instead: its accesses move
 * to p, priced at p's per-word energies and timed at p's bandwidth; cycles
 * and energy are recomputed with the model's own formulas (docs/model.md 6).
 *
 * Capacity over lifetimes (topological order = layer order): an activation
 * lives from its producer to its last consumer (a network output, to its
 * producer's step only); weights have no producer: they are loaded with the
 * network and stay resident for the whole run (an inference server's steady
 * state, as on NNP-I), so they count at every step. At every step the live
 * tensors placed in a level must fit its capacity (shared + partitions, words
 * per instance) x instances; the first step and level that overflow are
 * named. Tiles staged through a level by the mappings are not counted (they
 * are the mapping's business, checked by the model). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"
#include "space_impl.h"

static int has_weights(const pesim_layer *l) { return l->op == PESIM_OP_CONV || l->op == PESIM_OP_GEMM; }

int64_t srch_place_capacity(const pesim_arch *a, int32_t level)
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

void srch_place_operands(const pesim_space *s, const pesim_placement *p, int32_t li, int32_t level[PESIM_NTENSORS])
{
    const pesim_layer *l = &s->net.layers[li];
    const int32_t top = s->arch.n_levels - 1;
    int32_t in0 = l->n_inputs > 0 ? l->inputs[0] : PESIM_NETWORK_INPUT;
    int32_t in1 = l->n_inputs > 1 ? l->inputs[1] : PESIM_NETWORK_INPUT;
    level[PESIM_OUTPUTS] = p->outputs_level[li];
    level[PESIM_INPUTS] = in0 >= 0 ? p->outputs_level[in0] : top;
    /* a matmul's second operand (its "weights") is another layer's output */
    level[PESIM_WEIGHTS] = has_weights(l) ? p->weights_level[li] : in1 >= 0 ? p->outputs_level[in1] : top;
}

int srch_place_check(const pesim_space *s, const pesim_arch *a, const pesim_placement *p, int64_t *live,
                     char *reason, size_t n, pesim_violation *v)
{
    const int32_t L = s->net.n_layers, ML = PESIM_MAX_LEVELS;
    memset(live, 0, ((size_t)L + 1) * ML * sizeof *live);
    for (int32_t j = 0; j < L; j++) {
        const pesim_layer *l = &s->net.layers[j];
        if (has_weights(l)) /* resident for the whole run */
            live[p->weights_level[j]] += pesim_layer_tensor_words(l, PESIM_WEIGHTS);
        int64_t o = pesim_layer_output_words(l);
        live[(size_t)j * ML + p->outputs_level[j]] += o;
        live[(size_t)(s->last_use[j] + 1) * ML + p->outputs_level[j]] -= o;
    }
    for (int lv = 0; lv < a->n_levels; lv++) {
        int64_t cap = srch_place_capacity(a, lv), inst = pesim_arch_instances(a, lv), sum = 0;
        for (int32_t j = 0; j < L; j++) {
            sum += live[(size_t)j * ML + lv];
            if (cap > 0 && sum > cap * inst) {
                if (reason && n)
                    snprintf(reason, n, "level %s over capacity at layer %s: %lld live words > %lld (%lld x %lld)",
                             a->level[lv].name, s->net.layers[j].name, (long long)sum, (long long)(cap * inst),
                             (long long)cap, (long long)inst);
                if (v) {
                    *v = pesim_violation_make(PESIM_VIOLATION_PLACEMENT);
                    v->level = lv, v->layer = j, v->amount = (double)sum, v->limit = (double)(cap * inst);
                }
                return 0;
            }
        }
    }
    return 1;
}

/* Instances of level lv the mapping uses (its spatial factors above lv), as
 * in the model. */
static int64_t ceil_div_d(double words, double per_cycle)
{
    if (per_cycle <= 0 || words <= 0) return 0;
    return (int64_t)ceil(words / per_cycle - 1e-9);
}

pesim_status srch_place_eval_layer(const pesim_space *s, const pesim_arch *a, int32_t mi,
                                   const int32_t lv[PESIM_NTENSORS], pesim_fidelity f, pesim_mapping *m,
                                   pesim_cost *c)
{
    const pesim_layer *l = &s->net.layers[s->mac[mi]];
    const int M = a->n_levels;
    (void)f; /* analytical only: the evaluator refuses the cycle fidelity here */
    *m = s->default_maps[mi];
    for (int t = 0; t < PESIM_NTENSORS; t++)
        for (int L = lv[t]; L < M - 1; L++)
            if (a->level[L].keeps[t]) m->level[L].bypass[t] = 1;
    pesim_status st = pesim_model_evaluate(a, l, m, c);
    if (st != PESIM_OK || !c->valid) return st;
    int moved = 0;
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        if (lv[t] >= M - 1) continue;
        pesim_access *top = &c->access[M - 1][t], *dst = &c->access[lv[t]][t];
        dst->reads += top->reads, dst->fills += top->fills, dst->updates += top->updates;
        memset(top, 0, sizeof *top);
        moved = 1;
    }
    if (!moved) return PESIM_OK;
    /* the model's cycle and energy formulas over the moved counts */
    int64_t compute = c->compute_cycles, bound = compute, fill = c->stall_cycles[PESIM_STALL_FILL_DRAIN];
    pesim_stall cause = PESIM_STALL_COUNT;
    double energy = c->energy_mac_pj, leak = 0;
    for (int L = 0; L < M; L++) {
        const pesim_level *v = &a->level[L];
        double rd = 0, wr = 0, e = 0;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access *x = &c->access[L][t];
            rd += (double)x->reads;
            wr += (double)(x->fills + x->updates);
            e += (double)x->reads * v->read_energy_pj + (double)(x->fills + x->updates) * v->write_energy_pj;
        }
        int64_t cyc;
        if (v->is_dram) {
            cyc = ceil_div_d(rd + wr, pesim_dram_words_per_cycle(&v->dram, a->word_bits, a->clock_mhz));
        } else {
            double inst = (double)pesim_mapping_instances(m, L);
            int64_t rc = ceil_div_d(rd / inst, v->read_words_per_cycle), wc = ceil_div_d(wr / inst, v->write_words_per_cycle);
            cyc = rc > wc ? rc : wc;
        }
        c->level_cycles[L] = cyc;
        if (cyc > bound) bound = cyc, cause = v->is_dram ? PESIM_STALL_DRAM_BW : PESIM_STALL_BUFFER_BW;
        if (c->noc_cycles[L] > bound) bound = c->noc_cycles[L], cause = PESIM_STALL_NOC_BW;
        c->energy_level_pj[L] = e;
        energy += e;
        leak += (double)pesim_arch_instances(a, L) * v->leak_pj_per_cycle;
    }
    c->cycles = compute + fill > bound ? compute + fill : bound;
    for (int k = 0; k < PESIM_STALL_COUNT; k++)
        if (k != PESIM_STALL_FILL_DRAIN) c->stall_cycles[k] = 0;
    if (bound > compute + fill && cause != PESIM_STALL_COUNT) c->stall_cycles[cause] = bound - compute - fill;
    c->energy_leak_pj = leak * (double)c->cycles;
    c->energy_pj = energy + c->energy_noc_pj + c->energy_leak_pj;
    c->edp_pj_cycles = c->energy_pj * (double)c->cycles;
    c->utilization = (double)c->macs / ((double)c->cycles * (double)pesim_arch_macs(a));
    return PESIM_OK;
}

pesim_status pesim_space_placement(const pesim_arch *a, const pesim_network *net, pesim_space **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "space", "NULL output");
    *out = NULL;
    if (!a) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "arch", "NULL architecture");
    pesim_status st = pesim_arch_check(a, NULL, e);
    if (st) return st;
    if (!net || net->n_layers < 1 || !net->layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "network", "empty or NULL network");
    for (int32_t i = 0; i < net->n_layers; i++)
        for (int k = 0; k < net->layers[i].n_inputs; k++)
            if (net->layers[i].inputs[k] >= i)
                return pesim_error_set(e, PESIM_ERR_INVALID, NULL, net->layers[i].line, net->layers[i].name,
                                       "layers are not in topological order");
    pesim_space *s = srch_space_new(SPACE_PLACEMENT, a, net, e);
    if (!s) return PESIM_ERR_NOMEM;
    const int M = a->n_levels;
    const int32_t L = net->n_layers;
    int inner = 0; /* innermost level with a fan-out */
    while (inner < M && a->level[inner].fanout_x * a->level[inner].fanout_y <= 1) inner++;
    if (inner == M) inner = 0;
    for (int lv = M - 1; lv > inner; lv--) s->place_level[s->n_place_levels++] = lv;
    if (s->n_place_levels == 1 && inner < M - 1) s->place_level[s->n_place_levels++] = inner;

    s->place_w = malloc((size_t)L * sizeof *s->place_w);
    s->place_o = malloc((size_t)L * sizeof *s->place_o);
    s->last_use = malloc((size_t)L * sizeof *s->last_use);
    s->place_choice = malloc((size_t)L * 2 * PESIM_MAX_LEVELS * sizeof *s->place_choice);
    s->default_maps = calloc((size_t)(s->n_mac > 0 ? s->n_mac : 1), sizeof *s->default_maps);
    if (!s->place_w || !s->place_o || !s->last_use || !s->place_choice || !s->default_maps) {
        pesim_space_destroy(s);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
    }
    for (int32_t i = 0; i < L; i++) s->last_use[i] = i;
    for (int32_t i = 0; i < L; i++)
        for (int k = 0; k < net->layers[i].n_inputs; k++)
            if (net->layers[i].inputs[k] >= 0) s->last_use[net->layers[i].inputs[k]] = i;
    for (int32_t i = 0; i < L && !st; i++) {
        const pesim_layer *l = &net->layers[i];
        int32_t *pc = &s->place_choice[(size_t)i * 2 * PESIM_MAX_LEVELS];
        for (int w = 0; w < 2; w++) {
            int32_t *row = pc + w * PESIM_MAX_LEVELS, nch = 0;
            for (int k = 0; k < PESIM_MAX_LEVELS; k++) row[k] = M - 1;
            for (int k = 0; k < s->n_place_levels; k++) {
                const pesim_level *v = &a->level[s->place_level[k]];
                int ok = w ? v->keeps[PESIM_INPUTS] && v->keeps[PESIM_OUTPUTS] : v->keeps[PESIM_WEIGHTS];
                if (ok) row[nch++] = s->place_level[k];
            }
            int32_t *slot = w ? &s->place_o[i] : &s->place_w[i];
            *slot = -1;
            if (nch < 2 || (!w && !has_weights(l))) continue;
            char name[160];
            snprintf(name, sizeof name, "%s.%s", l->name, w ? "outputs" : "weights");
            *slot = srch_add_param(s, name, PESIM_PARAM_PLACEMENT, nch, -1, -1, w ? PESIM_OUTPUTS : PESIM_WEIGHTS, i);
            if (*slot < 0) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "space", "out of memory");
        }
    }
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
