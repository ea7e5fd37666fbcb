/* layer.c - each layer's plan for a run (docs/network.md "Layers").
 *
 * A MAC layer runs its given mapping (pesim_net_set_mapping) when that is
 * valid on its view of the arch, else the default mapper's on the view: an
 * operand living in level h is served by h, so no level from h outwards
 * stages it (the walker's outermost pair for it then reads from h); a level
 * holding live tensors offers its free room to the layer's tiles, rounded
 * down to a sixteenth of its capacity (nothing under a sixteenth: the level
 * stages nothing) so that plans are memoised per (layer, homes, rooms).
 * A vector layer streams rows through the vector unit's level: each block
 * fills a tile of every operand that lives elsewhere (from its home), the
 * unit computes, and the output tile drains to its home; a tile is as many
 * rows per instance as the room there holds (doubled when the level is
 * double-buffered); a pool, add or activation whose one row (pixel) does
 * not fit is tiled over its channels, which are independent; a softmax or
 * layer norm whose one row does not fit reads each row twice in pieces of
 * channels, first for its statistics, then to write the outputs. A concat
 * copies the inputs that do not alias their slice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nest/nest.h"
#include "net/net_impl.h"
#include "pesim/model.h"

#define ROOM_Q 16 /* room quanta per capacity */

/* ------------------------------------------------------------- memo */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

static uint64_t memo_key(int32_t layer, const int32_t home[NT], const int16_t q[MAXL])
{
    uint64_t h = mix(0xcbf29ce484222325ULL, (uint64_t)layer);
    for (int t = 0; t < NT; t++) h = mix(h, (uint64_t)home[t]);
    for (int l = 0; l < MAXL; l++) h = mix(h, (uint64_t)(uint16_t)q[l]);
    return h ? h : 1;
}

static int memo_same(const net_memo *m, uint64_t key, int32_t layer, const int32_t home[NT], const int16_t q[MAXL])
{
    return m->key == key && m->layer == layer && memcmp(m->home, home, sizeof m->home) == 0 &&
           memcmp(m->room_q, q, sizeof m->room_q) == 0;
}

/* The slot of the key: a filled match, or the empty slot to fill (NULL: out of memory). */
static net_memo *memo_slot(pesim_net *n, uint64_t key, int32_t layer, const int32_t home[NT], const int16_t q[MAXL])
{
    if (!n->memo || (n->memo_used + 1) * 10 > n->memo_cap * 7) {
        uint32_t cap = n->memo ? n->memo_cap * 2 : 256;
        if (cap > (1u << 16)) cap = 1u << 16; /* past that, start over */
        net_memo *old = n->memo;
        uint32_t old_cap = n->memo_cap;
        net_memo *nm = calloc(cap, sizeof *nm);
        if (!nm) return NULL;
        n->memo = nm, n->memo_cap = cap, n->memo_used = 0;
        if (old && cap > old_cap)
            for (uint32_t i = 0; i < old_cap; i++) {
                if (!old[i].key) continue;
                uint32_t j = (uint32_t)old[i].key & (cap - 1);
                while (nm[j].key) j = (j + 1) & (cap - 1);
                nm[j] = old[i];
                n->memo_used++;
            }
        free(old);
    }
    uint32_t j = (uint32_t)key & (n->memo_cap - 1);
    while (n->memo[j].key && !memo_same(&n->memo[j], key, layer, home, q)) j = (j + 1) & (n->memo_cap - 1);
    return &n->memo[j];
}

/* ------------------------------------------------------------- views */

/* The layer's view of the arch: operands served by their homes, the room left. */
static void mac_view(const pesim_net *n, const net_step *s, pesim_arch *a)
{
    *a = n->arch;
    const int M = n->M;
    for (int t = 0; t < NT; t++)
        for (int lv = s->home[t]; lv < M - 1; lv++) a->level[lv].keeps[t] = 0;
    for (int lv = 0; lv < M - 1; lv++) {
        if (s->room_q[lv] >= ROOM_Q || n->cap[lv] == 0) continue;
        pesim_level *v = &a->level[lv];
        if (s->room_q[lv] == 0) {
            for (int t = 0; t < NT; t++) v->keeps[t] = 0;
            continue;
        }
        /* every part of the capacity scaled to the room (a part scaled to nothing keeps nothing) */
        int64_t q = s->room_q[lv];
        if (v->capacity_words > 0) {
            v->capacity_words = v->capacity_words * q / ROOM_Q;
            if (v->capacity_words == 0)
                for (int t = 0; t < NT; t++)
                    if (v->tensor_capacity_words[t] == 0) v->keeps[t] = 0;
        }
        for (int t = 0; t < NT; t++) {
            if (v->tensor_capacity_words[t] == 0) continue;
            v->tensor_capacity_words[t] = v->tensor_capacity_words[t] * q / ROOM_Q;
            if (v->tensor_capacity_words[t] == 0) v->keeps[t] = 0; /* 0 would read as "shared" */
        }
    }
}

/* A vector layer's view: its streams do not use the array's networks. */
static void vector_view(const pesim_net *n, pesim_arch *a)
{
    *a = n->arch;
    pesim_level *v = &a->level[n->arch.vector.level];
    for (int t = 0; t < NT; t++) v->noc[t].words_per_cycle = 0, v->noc[t].hop_energy_pj = 0;
}

void net_step_view(const pesim_net *n, const net_step *s, pesim_arch *a)
{
    if (s->kind == NET_MAC) mac_view(n, s, a);
    else if (s->kind == NET_VECTOR) vector_view(n, a);
    else *a = n->arch;
}

/* ------------------------------------------------------------- vector */

static int64_t cdiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

int64_t net_vec_steps(const pesim_arch *a, int64_t words_per_inst, int64_t ops)
{
    double rate = (double)a->vector.lanes * a->vector.ops_per_cycle;
    if (words_per_inst <= 0 || ops <= 0 || rate <= 0) return 0;
    double x = (double)words_per_inst * (double)ops / rate;
    int64_t s = (int64_t)x;
    return (double)s < x - 1e-9 ? s + 1 : s;
}

/* Input words of a pool's `u` units at one instance (a unit is one channel
 * of one output row): whole rows read K channels of the rows their windows
 * span; less than a row, u channels of one row's windows; more, not a whole
 * number of rows (a last block's share), the rows it touches whole. */
static int64_t pool_in_words(const pesim_layer *l, int64_t u)
{
    const int64_t K = l->dim[PESIM_DIM_K];
    int64_t rows = u < K ? 1 : (u + K - 1) / K, ch = u < K ? u : K;
    int64_t h = pesim_window_distinct(rows, l->dim[PESIM_DIM_R], l->stride_h, 1);
    int64_t w = pesim_window_distinct(l->dim[PESIM_DIM_Q], l->dim[PESIM_DIM_S], l->stride_w, 1);
    return ch * h * w;
}

/* Words a tile of `u` units takes per instance at the vector level. */
static int64_t vec_working_set(const pesim_net *n, const net_step *s, const pesim_layer *l, int64_t u)
{
    const int V = n->arch.vector.level;
    const net_vec *v = &s->vec;
    int64_t w = 0;
    if (s->home[PESIM_INPUTS] != V) w += v->pool ? pool_in_words(l, u) : u * v->unit_in[PESIM_INPUTS];
    if (s->home[PESIM_WEIGHTS] != V) w += u * v->unit_in[PESIM_WEIGHTS];
    if (s->home[PESIM_OUTPUTS] != V) w += u * v->unit_out;
    w *= pesim_level_tile_slots(&n->arch.level[V]);
    if (v->weight_words && s->home[PESIM_WEIGHTS] != V) w += v->weight_words;
    return w;
}

int64_t net_vec_working_set(const pesim_net *n, const net_step *s, int32_t li)
{
    return vec_working_set(n, s, &n->net.layers[li], s->vec.tile);
}

/* The largest whole number of grains (of g units) in [1, most] whose tile
 * fits room; 0 when one does not. */
static int64_t vec_fit(const pesim_net *n, const net_step *s, const pesim_layer *l, int64_t g, int64_t most,
                       int64_t room)
{
    int64_t lo = 1, hi = most;
    if (vec_working_set(n, s, l, g) > room) return 0;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (vec_working_set(n, s, l, mid * g) <= room) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Plans a vector layer; 0 with a reason when its smallest tile does not fit:
 * one channel of a row (a pool, and a softmax or layer norm, whose row of K,
 * the normalised axis, is split in pieces read twice) or of a pixel (an add,
 * an activation), whose channels are independent. A split row's piece is
 * tile x inst channels: every instance takes tile of them, and the unit
 * combines the instances' statistics (two words each, not counted). */
static int plan_vector(pesim_net *n, net_step *s, int32_t li, int64_t room, char *why, size_t nwhy)
{
    const pesim_layer *l = &n->net.layers[li];
    const int64_t *d = l->dim;
    net_vec *v = &s->vec;
    memset(v, 0, sizeof *v);
    v->inst = n->inst[n->arch.vector.level];
    v->ops = net_vector_ops_per_word(l);
    v->grain = d[PESIM_DIM_K];
    int split = l->op == PESIM_OP_POOL || l->op == PESIM_OP_ADD || l->op == PESIM_OP_ACT;
    if (l->op == PESIM_OP_POOL) { /* units (n, p, k), k fastest: a row is K of them */
        v->pool = 1;
        v->units = d[PESIM_DIM_N] * d[PESIM_DIM_P] * d[PESIM_DIM_K];
        v->unit_out = d[PESIM_DIM_Q];
    } else { /* units (pixel of a group, k), k fastest: a pixel is K of them */
        v->units = d[PESIM_DIM_G] * d[PESIM_DIM_N] * d[PESIM_DIM_P] * d[PESIM_DIM_Q] * d[PESIM_DIM_K];
        v->unit_out = 1;
        v->unit_in[PESIM_INPUTS] = 1;
        if (l->op == PESIM_OP_ADD) v->unit_in[PESIM_WEIGHTS] = 1;
        if (l->op == PESIM_OP_LAYERNORM) v->weight_words = pesim_layer_weight_words(l);
    }
    int64_t most = cdiv(cdiv(v->units, v->grain), v->inst);
    if (n->cap[n->arch.vector.level] == 0 || room == INT64_MAX) {
        v->tile = most * v->grain;
    } else {
        int64_t k = vec_fit(n, s, l, v->grain, most, room);
        if (k == 0 && split && v->grain > 1) { /* a whole row or pixel does not fit: its channels */
            int64_t c = vec_fit(n, s, l, 1, v->grain - 1, room);
            if (c > 0) v->grain = 1, k = c;
        } else if (k == 0 && v->grain > 1) { /* a softmax's or layer norm's row: in pieces, twice */
            v->ops = net_vector_split_ops(l, &v->ops1);
            v->weight_words = 0; /* a piece's scale and shift come with it */
            v->unit_in[PESIM_WEIGHTS] = l->op == PESIM_OP_LAYERNORM ? 2 : 0;
            int64_t c = vec_fit(n, s, l, 1, cdiv(v->grain, v->inst), room);
            if (c > 0) {
                v->tile = c;
                v->pieces = cdiv(v->grain, c * v->inst);
                v->blocks = v->units / v->grain * 2 * v->pieces;
                return 1;
            }
        }
        if (k == 0) {
            snprintf(why, nwhy, "one %s (%lld words) does not fit the vector unit's level %s: %lld words free",
                     split && !v->pool ? "channel of a pixel" : "channel of a row", (long long)vec_working_set(n, s, l, 1),
                     n->arch.level[n->arch.vector.level].name, (long long)room);
            return 0;
        }
        v->tile = k * v->grain;
    }
    v->blocks = cdiv(v->units, v->tile * v->inst);
    return 1;
}

void net_vec_pairs(const pesim_net *n, const net_step *s, pesim_walk_pair *pairs, int *n_pairs)
{
    const int V = n->arch.vector.level;
    int k = 0;
    memset(pairs, 0, 3 * 2 * sizeof *pairs);
    /* operands home -> V (the walker's order: outer pairs first, then streams) */
    static const int order[NT] = {PESIM_WEIGHTS, PESIM_INPUTS, PESIM_OUTPUTS};
    for (int i = 0; i < NT; i++) {
        int t = order[i];
        if (s->src[t] < 0 || s->home[t] == V) continue;
        pairs[k].tensor = (int8_t)t, pairs[k].child = (int8_t)V, pairs[k].parent = (int8_t)s->home[t];
        k++;
    }
    for (int i = 0; i < NT; i++) {
        int t = order[i];
        if (s->src[t] < 0) continue;
        pairs[k].tensor = (int8_t)t, pairs[k].child = -1, pairs[k].parent = (int8_t)V;
        k++;
    }
    *n_pairs = k;
}

int64_t net_vec_block(const pesim_net *n, const net_step *s, int32_t li, int64_t b, pesim_block *out)
{
    const pesim_layer *l = &n->net.layers[li];
    const net_vec *v = &s->vec;
    const int V = n->arch.vector.level;
    int64_t u0, u1, per, pass = 0; /* pass: a split row's first (1) or second (2) */
    if (v->pieces) { /* a row's pieces for its statistics, then again for its outputs */
        int64_t piece = v->tile * v->inst, r = b / (2 * v->pieces), j = b % (2 * v->pieces);
        pass = 1 + (j >= v->pieces);
        u0 = r * v->grain + j % v->pieces * piece, u1 = u0 + piece;
        if (u1 > (r + 1) * v->grain) u1 = (r + 1) * v->grain;
        per = cdiv(u1 - u0, v->inst);
    } else {
        u0 = b * v->tile * v->inst, u1 = u0 + v->tile * v->inst;
        if (u1 > v->units) u1 = v->units;
        per = cdiv(cdiv(u1 - u0, v->grain), v->inst) * v->grain;
    }
    int64_t cnt = u1 - u0, used = cdiv(cnt, per);
    int64_t in_words[NT] = {0};
    in_words[PESIM_INPUTS] = v->pool ? used * pool_in_words(l, per) : cnt * v->unit_in[PESIM_INPUTS];
    in_words[PESIM_WEIGHTS] = pass == 1 ? 0 : cnt * v->unit_in[PESIM_WEIGHTS];
    int64_t out_words = pass == 1 ? 0 : cnt * v->unit_out;
    pesim_walk_pair pairs[2 * NT];
    int np;
    net_vec_pairs(n, s, pairs, &np);
    out->index = b;
    out->changed = b == 0 ? -1 : 0;
    out->n_xfers = 0;
    out->unit0 = u0, out->unit1 = u1;
    for (int k = 0; k < np; k++) {
        const pesim_walk_pair *pr = &pairs[k];
        pesim_xfer *x = &out->xfer[out->n_xfers];
        int t = pr->tensor;
        /* statistics: the inputs only, and the last piece's outputs drain */
        if (pass == 1 && t != PESIM_INPUTS && !(t == PESIM_OUTPUTS && pr->child >= 0)) continue;
        memset(x, 0, sizeof *x);
        x->tensor = pr->tensor, x->child = pr->child, x->parent = pr->parent, x->pair = (int8_t)k;
        if (pr->child >= 0) { /* an event of the pair */
            if (t == PESIM_OUTPUTS && pass == 1) {
                x->drain_only = 1;
            } else if (t == PESIM_OUTPUTS) {
                x->child_reads = x->parent_updates = out_words; /* drained at the next event */
            } else if (t == PESIM_WEIGHTS && v->weight_words) {
                if (b > 0) continue; /* the scale and shift stay for the whole layer */
                x->parent_reads = v->weight_words;
                x->child_fills = v->weight_words * v->inst; /* every instance holds them */
            } else {
                x->parent_reads = x->child_fills = in_words[t];
            }
        } else { /* the vector unit's stream over the block */
            x->stream = 1;
            if (t == PESIM_OUTPUTS) x->parent_updates = out_words;
            else if (t == PESIM_WEIGHTS && v->weight_words) x->parent_reads = 2 * out_words; /* scale, shift */
            else x->parent_reads = in_words[t];
        }
        out->n_xfers++;
    }
    (void)V;
    out->steps = net_vec_steps(&n->arch, per * v->unit_out, pass == 0 ? v->ops : pass == 1 ? v->ops1 : v->ops - v->ops1);
    return out->steps;
}

/* ------------------------------------------------------------- plan */

static int16_t room_quantum(int64_t room, int64_t cap)
{
    if (cap == 0 || room >= cap) return ROOM_Q;
    return (int16_t)(room * ROOM_Q / cap);
}

/* 1 if the given mapping m of layer l is valid on the layer's view a (its
 * operands served by their homes, the room left): what the analytical model
 * accepts there. */
static int given_fits(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m)
{
    pesim_cost c;
    pesim_error err;
    pesim_error_clear(&err);
    if (pesim_mapping_check(m, a, l, &err) != PESIM_OK) return 0;
    return pesim_model_evaluate(a, l, m, &c) == PESIM_OK && c.valid;
}

static void memo_clear(pesim_net *n)
{
    if (n->memo) memset(n->memo, 0, n->memo_cap * sizeof *n->memo);
    n->memo_used = 0;
}

pesim_status pesim_net_set_mapping(pesim_net *n, int32_t layer, const pesim_mapping *m, pesim_error *e)
{
    if (layer < 0 || layer >= n->L)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "net", "layer %d out of range (the network has %d)",
                               (int)layer, (int)n->L);
    const pesim_layer *l = &n->net.layers[layer];
    if (m) {
        if (!pesim_layer_has_macs(l))
            return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name,
                                   "layer '%s' has no MACs: it runs on the vector unit, not with a mapping", l->name);
        pesim_status st = pesim_mapping_check(m, &n->arch, l, e);
        if (st != PESIM_OK) return st;
        if (!n->given) {
            n->given = calloc((size_t)n->L, sizeof *n->given);
            n->has_given = calloc((size_t)n->L, sizeof *n->has_given);
            if (!n->given || !n->has_given) {
                free(n->given), free(n->has_given);
                n->given = NULL, n->has_given = NULL;
                return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "net", "out of memory");
            }
        }
        n->given[layer] = *m;
        n->has_given[layer] = 1;
    } else if (n->has_given) {
        n->has_given[layer] = 0;
    }
    memo_clear(n); /* plans of the layer were memoised with the mapping before */
    return PESIM_OK;
}

/* The rooms of a MAC layer's view (s->arch, mac_view's) as the memo keys
 * them. The plan sees a level's room only through the model's capacity
 * checks of the tiles the level keeps (pesim_nest_level_fits; the mapper
 * scores mappings by pesim_model_evaluate, which reads capacities nowhere
 * else), so two rooms that pass and fail the same checks plan alike:
 * - a level that keeps nothing checks nothing: ROOM_IDLE;
 * - a level where the layer's whole tensors fit passes every check (a tile
 *   is at most its whole tensor: the walker clamps tiles to the dims), as
 *   in every larger room: ROOM_WHOLE less the mask of what it keeps (the
 *   keeps differ where a capacity part scales to nothing);
 * - any other level: its quantum.
 * Keying by these is exact (Net.MemoisedPlansAreTheFreshPlans) and lets
 * the many rooms a search's placements leave share a plan. */
#define ROOM_IDLE (-1)
#define ROOM_WHOLE (-2)
static void memo_rooms(const pesim_net *n, const net_step *s, const pesim_layer *l, int16_t q[MAXL])
{
    memset(q, 0, MAXL * sizeof *q);
    for (int lv = 0; lv < n->M; lv++) {
        const pesim_level *v = &s->arch.level[lv];
        uint8_t keeps[NT];
        int mask = 0;
        for (int t = 0; t < NT; t++) keeps[t] = v->keeps[t] != 0, mask |= keeps[t] << t;
        if (lv == n->M - 1) q[lv] = s->room_q[lv];
        else if (!mask) q[lv] = ROOM_IDLE;
        else if (pesim_nest_level_fits(&s->arch, l, lv, l->dim, keeps, NULL, NULL)) q[lv] = (int16_t)(ROOM_WHOLE - mask);
        else q[lv] = s->room_q[lv];
    }
}

/* A MAC layer's mapping for its homes and room (memoised). */
static int plan_mac(pesim_net *n, net_step *s, int32_t li, pesim_net_result *res)
{
    const pesim_layer *l = &n->net.layers[li];
    int16_t q[MAXL];
    mac_view(n, s, &s->arch);
    memo_rooms(n, s, l, q);
    uint64_t key = memo_key(li, s->home, q);
    net_memo *e = memo_slot(n, key, li, s->home, q);
    net_memo fresh;
    if (!e || !e->key) {
        net_memo *m = e ? e : &fresh;
        memset(m, 0, sizeof *m);
        m->key = key, m->layer = li;
        memcpy(m->home, s->home, sizeof m->home);
        memcpy(m->room_q, q, sizeof m->room_q);
        pesim_error err;
        pesim_error_clear(&err);
        if (n->has_given && n->has_given[li] && given_fits(&s->arch, l, &n->given[li])) {
            m->map = n->given[li];
            m->valid = m->given = 1;
        } else if (pesim_mapper_default(&s->arch, l, &m->map, &err) == PESIM_OK) {
            m->valid = 1;
        }
        if (m->valid) {
            /* bypass where the view keeps nothing, so the mapping reads the same on the arch itself */
            for (int lv = 0; lv < n->M - 1; lv++)
                for (int t = 0; t < NT; t++)
                    if (!s->arch.level[lv].keeps[t] && n->arch.level[lv].keeps[t]) m->map.level[lv].bypass[t] = 1;
        } else {
            snprintf(m->reason, sizeof m->reason, "%.*s", (int)sizeof m->reason - 1, err.msg);
        }
        if (e) n->memo_used++;
        e = m;
    }
    if (!e->valid) {
        res->valid = 0;
        res->fail_tensor = -1;
        res->fail_step = li;
        res->fail_words_over = 0;
        int worst = -1;
        for (int lv = 0; lv < n->M - 1; lv++)
            if (s->room_q[lv] < ROOM_Q && (worst < 0 || s->room_q[lv] < s->room_q[worst])) worst = lv;
        res->fail_level = worst;
        snprintf(res->reason, sizeof res->reason, "layer %.40s: no mapping in the room left%s%.32s: %.78s", l->name,
                 worst >= 0 ? " at " : "", worst >= 0 ? n->arch.level[worst].name : "", e->reason);
        return 0;
    }
    s->map = e->map;
    s->given = e->given;
    return 1;
}

int net_plan(pesim_net *n, pesim_net_result *res)
{
    const int M = n->M, V = n->arch.vector.level;
    for (int32_t i = 0; i < n->L; i++) {
        const pesim_layer *l = &n->net.layers[i];
        net_step *s = &n->step[i];
        const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
        net_kind kind;
        net_kind_of(l, &kind);
        s->kind = kind;
        for (int t = 0; t < NT; t++) s->src[t] = -1, s->home[t] = M - 1;
        int32_t w = PESIM_NET_WEIGHTS_TENSOR(i), o = PESIM_NET_OUTPUT_TENSOR(i);
        s->src[PESIM_OUTPUTS] = o;
        s->src[PESIM_INPUTS] = r[0];
        if (n->tensor[w].words > 0) s->src[PESIM_WEIGHTS] = w;
        else if (l->n_inputs > 1 && kind != NET_COPY) s->src[PESIM_WEIGHTS] = r[1];
        for (int t = 0; t < NT; t++)
            if (s->src[t] >= 0) s->home[t] = n->tensor[s->src[t]].level;
        s->act_ops = l->op != PESIM_OP_ACT && l->act != PESIM_ACT_NONE
                         ? n->tensor[o].words * net_act_ops((pesim_act)l->act) : 0;
        s->n_loads = 0;
        if (n->tensor[w].words > 0 && n->tensor[w].level < M - 1 && !n->opt.preload_weights) s->load[s->n_loads++] = w;
        const pesim_net_tensor *in = &n->tensor[PESIM_NET_INPUT_TENSOR];
        if (in->level < M - 1 && in->first_use == i) s->load[s->n_loads++] = PESIM_NET_INPUT_TENSOR;
        pesim_net_layer *out = &n->layer[i];
        for (int lv = 0; lv < M; lv++) {
            int64_t room = n->cap[lv] ? net_room(n, lv, i, NULL, NULL) : INT64_MAX;
            s->room_q[lv] = lv < M - 1 ? room_quantum(room, n->cap[lv]) : ROOM_Q;
            out->room_words[lv] = room == INT64_MAX ? 0 : room;
        }
        if (kind == NET_MAC) {
            if (!plan_mac(n, s, i, res)) return 0;
        } else if (kind == NET_VECTOR) {
            vector_view(n, &s->arch);
            int64_t room = n->cap[V] ? net_room(n, V, i, NULL, NULL) : INT64_MAX;
            char why[160];
            if (!plan_vector(n, s, i, room, why, sizeof why)) {
                res->valid = 0;
                res->fail_tensor = -1, res->fail_level = V, res->fail_step = i, res->fail_words_over = 0;
                snprintf(res->reason, sizeof res->reason, "layer %.40s: %.140s", l->name, why);
                return 0;
            }
        } else {
            s->arch = n->arch;
            s->n_copies = 0;
            for (int k = 0; k < l->n_inputs; k++) {
                int dup = 0;
                for (int j = 0; j < k; j++) dup |= r[j] == r[k];
                if (!dup && n->tensor[r[k]].alias_of != o) s->copy_from[s->n_copies++] = r[k];
            }
        }
    }
    return 1;
}
