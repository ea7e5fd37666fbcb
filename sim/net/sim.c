/* sim.c - the whole network in the cycle engine (docs/network.md "Cycle
 * engine").
 *
 * One engine state for the run; the layers are its steps, in order. For each
 * layer: its view of the arch and its mapping (a MAC layer) or its blocks (a
 * vector layer), each operand's home and DRAM region (from its address), and
 * when each operand is complete: a producer's output when that layer ended, a
 * loaded tensor when its load did. Loads are DMA transfers from the
 * outermost level (the tensor's image there, in a region of its own) into the
 * tensor's home, once every layer before its birth step has ended (its
 * addresses are then free): a weight born a step before its layer (the
 * allocator found it room, place.c) is loaded during the previous layer,
 * after that layer's first block; otherwise before its own layer's first
 * block. A concat's copies are DMA transfers once their inputs are complete.
 * The counts are the analytical ones (the walker's, by construction); the
 * engine gives the time. */
#include <stdio.h>
#include <string.h>

#include "engine/engine_net.h"
#include "net/net_impl.h"

/* The vector layer's block generator. */
static int vec_next(void *ctx, pesim_block *b)
{
    net_vec_gen *g = ctx;
    if (g->next >= g->s->vec.blocks) return 0;
    net_vec_block(g->n, g->s, g->li, g->next++, b);
    return 1;
}

uint64_t net_bytes(const pesim_net *n, int64_t words)
{
    return (uint64_t)words * (uint64_t)pesim_arch_word_bytes(&n->arch);
}

pesim_engine_region net_region(const pesim_net *n, int32_t id)
{
    pesim_engine_region r = {0, 0};
    if (id < 0) return r;
    const pesim_net_tensor *t = &n->tensor[id];
    if (t->words == 0 || t->address < 0) return r;
    r.base = net_bytes(n, t->address);
    r.span = net_bytes(n, t->inst_words);
    return r;
}

/* The pixels (N P Q) of concat layer c, and in *ch the channels of a
 * tensor of `words` words over them; 0 when they do not divide. */
static int64_t concat_channels(const pesim_layer *c, int64_t words, int64_t *ch)
{
    int64_t px = c->dim[PESIM_DIM_N] * c->dim[PESIM_DIM_P] * c->dim[PESIM_DIM_Q];
    *ch = px > 0 && words % px == 0 ? words / px : 0;
    return px;
}

/* Row-major (pesim_engine_slice): where tensor id's channels sit when it is
 * a slice of a concat's output in the outermost level (place.c: an aliased
 * input, its offset alias_base words there, one instance). */
static pesim_engine_slice net_slice(const pesim_net *n, int32_t id)
{
    pesim_engine_slice sl = {0, 0, 0};
    if (id < 0 || n->tensor[id].alias_of < 0 || n->tensor[id].level != n->M - 1) return sl;
    const pesim_net_tensor *x = &n->tensor[id];
    const pesim_layer *c = &n->net.layers[n->tensor[x->alias_of].layer];
    int64_t ch, off, px = concat_channels(c, x->words, &ch);
    if (ch == 0 || n->alias_base[id] % px != 0) return sl;
    off = n->alias_base[id] / px;
    sl.base = net_region(n, x->alias_of).base;
    sl.holder = c->dim[PESIM_DIM_K] * c->dim[PESIM_DIM_G];
    sl.offset = off;
    return sl;
}

/* A load of tensor id from the outermost level into its home, after block
 * `after_block` of the step, from its image there (run.c: above the
 * addresses of what lives in the outermost level). */
static void load_dma(const pesim_net *n, int32_t id, int64_t after_block, pesim_engine_dma *d)
{
    const pesim_net_tensor *x = &n->tensor[id];
    memset(d, 0, sizeof *d);
    d->src = n->M - 1, d->dst = x->level, d->words = x->words;
    d->tensor = x->kind == PESIM_NET_WEIGHTS ? PESIM_WEIGHTS : PESIM_INPUTS;
    d->after_block = after_block;
    d->src_region.base = n->image[id];
    d->src_region.span = net_bytes(n, x->words);
}

void net_make_step(const pesim_net *n, int32_t i, net_plan_step *pl)
{
    const net_step *s = &n->step[i];
    const pesim_layer *l = &n->net.layers[i];
    const int M = n->M;
    pesim_engine_step *st = &pl->step;
    memset(st, 0, sizeof *st);
    st->arch = &s->arch;
    st->layer = l;
    st->dma = pl->dma;
    for (int k = 0; k < PESIM_MAX_INPUTS + 4; k++) pl->dma_after_all[k] = 0, pl->copy_layer[k] = pl->copy_load[k] = -1;
    /* its own loads, before its first block */
    int own[2] = {-1, -1};
    for (int k = 0; k < s->n_loads; k++) {
        if (n->tensor[s->load[k]].birth < i) continue; /* prefetched during the layer before */
        own[k] = st->n_dma;
        pl->dma_after_all[st->n_dma] = 1;
        load_dma(n, s->load[k], -1, &pl->dma[st->n_dma++]);
    }
    for (int t = 0; t < NT; t++) {
        pl->op_layer[t] = pl->op_load[t] = -1;
        st->home[t] = s->home[t];
        st->region[t] = net_region(n, s->src[t]);
        st->slice[t] = net_slice(n, s->src[t]);
        int32_t id = s->src[t];
        if (id < 0 || t == PESIM_OUTPUTS) continue;
        const pesim_net_tensor *x = &n->tensor[id];
        if (x->kind == PESIM_NET_ACTIVATION) {
            pl->op_layer[t] = x->layer;
            continue;
        }
        for (int k = 0; k < s->n_loads; k++)
            if (s->load[k] == id) {
                st->ready_is_load[t] = 1;
                pl->op_load[t] = id;
                if (own[k] >= 0) st->ready_dma[t] = own[k] + 1;
            }
    }
    if (s->kind == NET_MAC) {
        st->map = &s->map;
    } else if (s->kind == NET_VECTOR) {
        st->vector = 1;
        net_vec_pairs(n, s, pl->pairs, &st->n_pairs);
        st->pairs = pl->pairs;
        pl->gen.n = n, pl->gen.s = s, pl->gen.li = i, pl->gen.next = 0;
        st->next = vec_next;
        st->ctx = &pl->gen;
    }
    if (s->act_ops) {
        int64_t inst = n->inst[n->arch.vector.level];
        int64_t per = (n->tensor[PESIM_NET_OUTPUT_TENSOR(i)].words + inst - 1) / inst;
        st->act_steps = net_vec_steps(&n->arch, per, net_act_ops((pesim_act)l->act)) +
                        (n->arch.vector.latency_cycles > 0 ? n->arch.vector.latency_cycles - 1 : 0);
    }
    /* a concat's copies, once each input is complete: into its slice of the
     * output (row-major: channels [c0, c0 + its channels) of the output, or
     * of the output's holder where the output is itself a slice) */
    int64_t off = 0, c0 = 0; /* c0 < 0: an input before was no whole number of pixels */
    pesim_engine_slice out_sl = net_slice(n, PESIM_NET_OUTPUT_TENSOR(i));
    if (!out_sl.holder) out_sl.base = net_region(n, PESIM_NET_OUTPUT_TENSOR(i)).base, out_sl.holder = l->dim[PESIM_DIM_K];
    const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
    for (int k = 0; s->kind == NET_COPY && k < l->n_inputs; k++) {
        int32_t id = r[k];
        const pesim_net_tensor *x = &n->tensor[id];
        int copied = 0;
        for (int j = 0; j < s->n_copies; j++) copied |= s->copy_from[j] == id;
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= r[j] == id;
        int64_t slice = (x->words + n->inst[s->home[PESIM_OUTPUTS]] - 1) / n->inst[s->home[PESIM_OUTPUTS]];
        if (copied && !dup) {
            pesim_engine_dma *d = &pl->dma[st->n_dma];
            memset(d, 0, sizeof *d);
            d->src = x->level, d->dst = s->home[PESIM_OUTPUTS], d->tensor = PESIM_OUTPUTS, d->words = x->words;
            d->after_block = -1;
            d->src_region = net_region(n, id);
            d->dst_region = net_region(n, PESIM_NET_OUTPUT_TENSOR(i));
            if (d->dst_region.span) {
                d->dst_region.base += net_bytes(n, off);
                d->dst_region.span = net_bytes(n, slice);
            }
            concat_channels(l, x->words, &d->channels);
            if (d->channels > 0 && c0 >= 0 && c0 + d->channels <= l->dim[PESIM_DIM_K]) {
                d->src_slice = net_slice(n, id);
                d->dst_slice = out_sl;
                d->dst_slice.offset += c0;
            } else {
                d->channels = 0;
            }
            if (x->kind == PESIM_NET_ACTIVATION) pl->copy_layer[st->n_dma] = x->layer;
            else pl->copy_load[st->n_dma] = id;
            st->n_dma++;
        }
        off += slice;
        int64_t ch;
        concat_channels(l, x->words, &ch);
        c0 = ch > 0 && c0 >= 0 ? c0 + ch : -1;
    }
    (void)M;
    /* the next layer's prefetched loads, during this one (after its first block) */
    pl->prefetch = -1;
    pl->prefetch_id = -1;
    if (i + 1 < n->L) {
        const net_step *sn = &n->step[i + 1];
        for (int k = 0; k < sn->n_loads; k++)
            if (n->tensor[sn->load[k]].birth == i) {
                pl->prefetch = st->n_dma;
                pl->prefetch_id = sn->load[k];
                pl->dma_after_all[st->n_dma] = 1;
                load_dma(n, sn->load[k], s->kind == NET_COPY ? -1 : 0, &pl->dma[st->n_dma++]);
            }
    }
}

int net_same_counts(const pesim_net *n, int32_t i, const pesim_cost *sim)
{
    const net_step *s = &n->step[i];
    pesim_access want[MAXL][NT];
    memcpy(want, n->layer[i].cost.access, sizeof want);
    /* the layer's cost also holds its loads and copies (DMA transfers) */
    for (int k = 0; k < s->n_loads; k++) {
        const pesim_net_tensor *x = &n->tensor[s->load[k]];
        int slot = x->kind == PESIM_NET_WEIGHTS ? PESIM_WEIGHTS : PESIM_INPUTS;
        want[n->M - 1][slot].reads -= x->words;
        want[x->level][slot].fills -= x->words;
    }
    for (int k = 0; s->kind == NET_COPY && k < s->n_copies; k++) {
        const pesim_net_tensor *x = &n->tensor[s->copy_from[k]];
        want[x->level][PESIM_INPUTS].reads -= x->words;
        want[s->home[PESIM_OUTPUTS]][PESIM_OUTPUTS].fills -= x->words;
    }
    return memcmp(want, sim->access, sizeof want) == 0;
}

void net_set_timing(pesim_net *n, pesim_net_result *res, const pesim_engine_times *tm, const pesim_cost *c,
                    int64_t net_end)
{
    int64_t ce = 0;
    for (int32_t i = 0; i < n->L; i++) {
        pesim_net_layer *ly = &n->layer[i];
        ly->start_cycle = tm[i].start;
        ly->end_cycle = tm[i].end;
        ly->compute_start_cycle = tm[i].compute_start;
        ly->compute_end_cycle = tm[i].compute_end;
        pesim_cost *lc = &ly->cost;
        lc->cycles = tm[i].timeline;
        lc->compute_cycles = c[i].compute_cycles;
        memcpy(lc->stall_cycles, c[i].stall_cycles, sizeof lc->stall_cycles);
        ce += tm[i].timeline;
    }
    /* the tail after the last compute (pipelines, flushes, writes landing) */
    pesim_cost *last = &n->layer[n->L - 1].cost;
    last->cycles += net_end - ce;
    last->stall_cycles[PESIM_STALL_FILL_DRAIN] += net_end - ce;
    res->cycles = net_end;
}

int64_t net_copy_inputs_end(const pesim_net *n, int32_t i, const int64_t *end, const int64_t *load_done)
{
    int64_t t = 0;
    const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
    for (int k = 0; k < n->net.layers[i].n_inputs; k++) {
        const pesim_net_tensor *x = &n->tensor[r[k]];
        int64_t done = x->kind == PESIM_NET_ACTIVATION ? end[x->layer] : load_done[r[k]];
        if (done > t) t = done;
    }
    return t;
}

pesim_status net_simulate(pesim_net *n, pesim_net_result *res, pesim_error *e)
{
    const int32_t L = n->L;
    char why[PESIM_REASON_MAX];
    pesim_engine_state *es = NULL;
    pesim_status st = pesim_engine_state_create(&n->arch, &n->opt.engine, &es, why, sizeof why);
    if (st) return pesim_error_set(e, st, NULL, 0, "engine", "%s", why);
    int64_t *end = n->scratch, *load_done = n->scratch + L;
    for (int32_t id = 0; id < n->T; id++) load_done[id] = 0;
    static _Thread_local net_plan_step pl; /* large: kept off the stack */
    pesim_engine_times *tm = n->times;
    pesim_cost *c = n->costs;
    int64_t net_end = 0, before = 0; /* every layer before this one has ended */
    for (int32_t i = 0; i < L && !st; i++) {
        if (n->opt.layer_progress) n->opt.layer_progress(n->opt.layer_progress_ctx, i, L);
        net_make_step(n, i, &pl);
        for (int t = 0; t < NT; t++) {
            if (pl.op_layer[t] >= 0) pl.step.ready[t] = end[pl.op_layer[t]];
            if (pl.op_load[t] >= 0 && !pl.step.ready_dma[t]) pl.step.ready[t] = load_done[pl.op_load[t]];
        }
        for (int k = 0; k < pl.step.n_dma; k++) {
            pesim_engine_dma *d = &pl.dma[k];
            if (pl.dma_after_all[k]) d->ready = before;
            if (pl.copy_layer[k] >= 0) d->ready = end[pl.copy_layer[k]];
            if (pl.copy_load[k] >= 0) d->ready = load_done[pl.copy_load[k]];
        }
        if ((st = pesim_engine_state_run(es, &pl.step, &c[i], &tm[i]))) break;
        if (!c[i].valid) {
            st = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, n->net.layers[i].name, "engine: %s", c[i].reason);
            break;
        }
        if (!net_same_counts(n, i, &c[i])) {
            st = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, n->net.layers[i].name,
                                 "the engine moved other words than the analytical counts");
            break;
        }
        n->layer[i].load_end_cycle = 0;
        for (int t = 0; t < NT; t++) {
            int k = pl.step.ready_dma[t] - 1;
            if (k >= 0) load_done[pl.op_load[t]] = pl.dma[k].done;
            if (pl.op_load[t] >= 0 && load_done[pl.op_load[t]] > n->layer[i].load_end_cycle)
                n->layer[i].load_end_cycle = load_done[pl.op_load[t]];
        }
        if (pl.prefetch_id >= 0) load_done[pl.prefetch_id] = pl.dma[pl.prefetch].done;
        if (n->step[i].kind == NET_COPY) { /* a concat's output is complete when its slices are */
            int64_t in_end = net_copy_inputs_end(n, i, end, load_done);
            if (in_end > tm[i].end) tm[i].end = in_end;
            if (pl.step.n_dma == 0) tm[i].start = tm[i].compute_start = tm[i].compute_end = tm[i].end;
        }
        end[i] = tm[i].end;
        if (tm[i].end > net_end) net_end = tm[i].end;
        if (tm[i].end > before) before = tm[i].end;
    }
    if (!st) {
        pesim_engine_state_end(es, net_end);
        pesim_engine_state_stats(es, &res->stats);
        net_set_timing(n, res, tm, c, net_end);
    }
    pesim_engine_state_destroy(es);
    return st;
}
