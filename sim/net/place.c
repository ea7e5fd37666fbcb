/* place.c - from a placement to homes and lifetimes; the outermost and greedy
 * placers (docs/network.md "Placement").
 *
 * Lifetimes are in steps (step i = layer i), inclusive:
 *   the network input      [its first reader, its last reader], loaded from
 *                          the outermost level before its first reader when
 *                          it lives on chip;
 *   a layer's output       [its producer, its last reader] (no reader: to the
 *                          last step, the network's result);
 *   a layer's weights      [i, i], loaded from the outermost level into their
 *                          home during step i (run.c may start the load one
 *                          step earlier when the allocation leaves room: the
 *                          prefetch); preloaded weights live [0, L-1] and cost
 *                          no load.
 * A concat input aliases a slice of the concat's output when both live in the
 * same level, the concat is over channels of one image (N = G = 1), no
 * address pins them elsewhere, and the input is not already a slice of another
 * concat: the producer writes straight into the slice and the concat moves
 * nothing. The output's buffer then lives from the first slice's birth to the
 * last reader of any of them, and holds the slices back to back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

pesim_status net_resolve(pesim_net *n, const pesim_placement *p, int64_t *pin, pesim_error *e)
{
    if (!p || p->n_layers != n->L || !p->weights_level || !p->outputs_level)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "placement",
                               "the placement has %d layers, network '%s' %d", p ? (int)p->n_layers : -1, n->net.name,
                               (int)n->L);
    for (int32_t id = 0; id < n->T; id++) {
        pesim_net_tensor *t = &n->tensor[id];
        int32_t lv;
        int64_t addr;
        const char *what;
        if (id == PESIM_NET_INPUT_TENSOR) {
            lv = p->input_level, addr = p->input_address, what = "the network input";
        } else if (t->kind == PESIM_NET_WEIGHTS) {
            lv = p->weights_level[t->layer], addr = p->weights_address ? p->weights_address[t->layer] : -1;
            what = "weights";
        } else {
            lv = p->outputs_level[t->layer], addr = p->outputs_address ? p->outputs_address[t->layer] : -1;
            what = "output";
        }
        if (t->words == 0) { /* a layer without weights: nothing to place */
            t->level = t->placed_level = n->M - 1;
            pin[id] = -1;
            continue;
        }
        /* the entry's line in the placement file, where it was loaded from one */
        int32_t line = id == PESIM_NET_INPUT_TENSOR ? p->input_line : p->line ? p->line[t->layer] : 0;
        if (lv < 0 || lv >= n->M || !net_can_hold(n, id, lv)) {
            const char *ln = id == PESIM_NET_INPUT_TENSOR ? "input" : n->net.layers[t->layer].name;
            char homes[PESIM_MAX_LEVELS * (PESIM_NAME_MAX + 2)] = "";
            int32_t hl[PESIM_MAX_LEVELS];
            int nh = pesim_net_tensor_homes(n, id, hl);
            size_t used = 0;
            for (int k = 0; k < nh && used < sizeof homes; k++)
                used += (size_t)snprintf(homes + used, sizeof homes - used, "%s%s", k ? ", " : "",
                                         n->arch.level[hl[k]].name);
            /* below the vector unit's level: a vector layer stages it from its home into that level */
            int32_t kl[PESIM_MAX_LEVELS];
            int below = 0, nk = pesim_net_home_levels(n, (pesim_net_tensor_kind)t->kind, kl);
            for (int k = 0; k < nk; k++) below |= kl[k] == lv && lv < n->floor[id];
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, line, ln,
                                   "%s of '%s' cannot live in level %s%s%s (it may live in: %s)", what, ln,
                                   lv >= 0 && lv < n->M ? n->arch.level[lv].name : "(out of range)",
                                   below ? ": a vector layer reads or writes it, so it lives at or above the "
                                           "vector unit's level "
                                         : "",
                                   below ? n->arch.level[n->floor[id]].name : "", homes);
        }
        if (addr < -1) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, line, "placement", "negative address");
        t->level = t->placed_level = lv;
        pin[id] = addr;
    }
    return PESIM_OK;
}

/* 1 if concat layer c's input (tensor id) may alias its slice at `off`:
 * neither address pinned, or both pinned consistently. */
static int aliasable(const pesim_net *n, int32_t c, int32_t id, int64_t off, const int64_t *pin)
{
    const pesim_layer *l = &n->net.layers[c];
    int32_t out = PESIM_NET_OUTPUT_TENSOR(c);
    const pesim_net_tensor *t = &n->tensor[id], *o = &n->tensor[out];
    if (n->opt.no_alias || l->dim[PESIM_DIM_N] != 1 || l->dim[PESIM_DIM_G] != 1) return 0;
    if (t->level != o->level || t->alias_of >= 0) return 0;
    if ((pin[id] >= 0 || pin[out] >= 0) && (pin[id] < 0 || pin[out] < 0 || pin[id] != pin[out] + off)) return 0;
    if (id == PESIM_NET_INPUT_TENSOR) return 0;
    /* a tensor that already holds slices is a buffer of its own */
    for (int32_t j = 0; j < n->T; j++)
        if (n->tensor[j].alias_of == id) return 0;
    return 1;
}

pesim_status pesim_net_check_placement(pesim_net *n, const pesim_placement *p, pesim_error *e)
{
    return net_resolve(n, p, n->pin, e);
}

void net_lifetimes(pesim_net *n, const int64_t *pin)
{
    const int32_t L = n->L;
    for (int32_t id = 0; id < n->T; id++) {
        pesim_net_tensor *t = &n->tensor[id];
        t->alias_of = -1;
        t->address = -1;
        n->alias_base[id] = 0;
        if (t->words == 0) {
            t->birth = t->death = -1;
            t->inst_words = 0;
            continue;
        }
        t->inst_words = (t->words + n->inst[t->level] - 1) / n->inst[t->level];
        if (n->align[t->level] > 1) t->inst_words = (t->inst_words + n->align[t->level] - 1) / n->align[t->level] *
                                                    n->align[t->level];
        if (t->kind == PESIM_NET_INPUT) {
            t->birth = t->first_use >= 0 ? t->first_use : 0;
            t->death = t->last_use >= 0 ? t->last_use : t->birth;
        } else if (t->kind == PESIM_NET_WEIGHTS) {
            if (n->opt.preload_weights) t->birth = 0, t->death = L - 1;
            else t->birth = t->death = t->layer;
        } else {
            t->birth = t->layer, t->death = t->last_use >= 0 ? t->last_use : L - 1;
        }
    }
    for (int32_t c = 0; c < L; c++) {
        if (n->net.layers[c].op != PESIM_OP_CONCAT) continue;
        pesim_net_tensor *o = &n->tensor[PESIM_NET_OUTPUT_TENSOR(c)];
        const int32_t *r = &n->reads[(size_t)c * PESIM_MAX_INPUTS];
        int64_t off = 0, any = 0;
        for (int k = 0; k < n->net.layers[c].n_inputs; k++) {
            const pesim_net_tensor *in = &n->tensor[r[k]];
            int64_t slice = (in->words + n->inst[o->level] - 1) / n->inst[o->level];
            int dup = 0;
            for (int j = 0; j < k; j++) dup |= r[j] == r[k];
            if (!dup && aliasable(n, c, r[k], off, pin)) {
                pesim_net_tensor *t = &n->tensor[r[k]];
                t->alias_of = PESIM_NET_OUTPUT_TENSOR(c);
                n->alias_base[r[k]] = off;
                if (t->birth < o->birth) o->birth = t->birth;
                if (t->death > o->death) o->death = t->death;
                any = 1;
            }
            off += slice;
        }
        if (any && off > o->inst_words) o->inst_words = off;
    }
}

pesim_status pesim_net_place_outermost(const pesim_net *n, pesim_placement *out, pesim_error *e)
{
    return pesim_placement_init(out, n->L, n->M - 1, e);
}

/* Writes the homes of the tensors into a placement. */
static void homes_to_placement(const pesim_net *n, pesim_placement *p)
{
    p->input_level = n->tensor[PESIM_NET_INPUT_TENSOR].level;
    for (int32_t i = 0; i < n->L; i++) {
        p->weights_level[i] = n->tensor[PESIM_NET_WEIGHTS_TENSOR(i)].level;
        p->outputs_level[i] = n->tensor[PESIM_NET_OUTPUT_TENSOR(i)].level;
    }
}

pesim_status pesim_net_place_greedy(pesim_net *n, pesim_placement *out, pesim_error *e)
{
    pesim_status st = pesim_placement_init(out, n->L, n->M - 1, e);
    if (st) return st;
    int64_t *pin = malloc((size_t)n->T * sizeof *pin);
    if (!pin) {
        pesim_placement_free(out);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "greedy", "out of memory");
    }
    /* everything starts in the outermost level, then moves in, one tensor at a time */
    for (int32_t id = 0; id < n->T; id++) {
        n->tensor[id].level = n->tensor[id].placed_level = n->M - 1;
        pin[id] = -1;
    }
    /* topological order: the input, then per layer its weights and its output */
    for (int32_t k = 0; k < n->T; k++) {
        int32_t id = k; /* ids are already in that order */
        pesim_net_tensor *t = &n->tensor[id];
        if (t->words == 0) continue;
        int32_t homes[PESIM_MAX_LEVELS];
        int nh = pesim_net_tensor_homes(n, id, homes);
        for (int h = nh - 1; h >= 0; h--) { /* innermost (fastest) first */
            int32_t lv = homes[h];
            if (lv == n->M - 1) break; /* unbounded: it stays there */
            t->level = lv;
            net_lifetimes(n, pin);
            pesim_net_result scratch;
            if (net_alloc_level(n, lv, pin, &scratch)) break;
            t->level = n->M - 1;
        }
    }
    net_lifetimes(n, pin);
    homes_to_placement(n, out);
    free(pin);
    return PESIM_OK;
}
