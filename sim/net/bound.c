/* bound.c - the analytical network: a lower bound of the cycle engine's
 * cycles with the engine's structure (docs/network.md "Analytical bound").
 *
 * Per layer, from its counts (a MAC layer's from the nest semantics, with the
 * traffic its outermost pairs read from the outermost level moved to the
 * operands' homes; a vector layer's from its blocks; a copy's words):
 *   A  = max(first access latency + compute + systolic skew + pipeline,
 *            each level's read and write ports, its networks, DRAM at peak)
 *        over the words that cannot move before the layer starts: the first
 *        tile of every weights pair (and the second when the child is
 *        double-buffered) and the first tile of an input at a double-buffered
 *        child may move earlier, so they are left out;
 *   Af = the same over every word, plus the first fills' access latencies;
 *        valid when no child of the layer is double-buffered, from the end of
 *        the previous compute (nothing of the layer can start before it).
 * The schedule: a layer starts (S) when its inputs are complete and, unless it
 * is a copy, the previous layer's compute has ended (one compute timeline:
 * the MAC array and the vector unit take turns); it ends (E) no earlier than
 * S + A, nor (all single-buffered) than the previous compute's end + Af, nor
 * S + its fused activation on the vector unit; its compute ends no earlier
 * than S + first latency + its compute. The network's cycles are the latest
 * E, or more when some port, network or the DRAM has more to move over the
 * whole run (loads and copies included) than that time allows. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nest/nest.h"
#include "net/net_impl.h"
#include "pesim/estimate.h"

static int64_t cdiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

static int64_t span(double words, double rate)
{
    if (words <= 0 || rate <= 0) return 0;
    return (int64_t)ceil(words / rate - 1e-9);
}

/* Access latency of a level as a source on chip (DRAM: 0, its timing varies
 * with the open rows, which persist between layers). */
static int64_t onchip_latency(const pesim_arch *a, int lv)
{
    return a->level[lv].is_dram ? 0 : a->level[lv].latency_cycles;
}

/* What bound.c keeps per layer while it schedules. */
typedef struct layer_bound {
    double rd[MAXL], wr[MAXL];              /* per instance: words read / written at each level (DRAM: in all) */
    double noc[MAXL][NT];                   /* per instance: words on each level's network */
    double dram;                            /* words at DRAM */
    int64_t compute, first_lat, tail;       /* MAC steps or vector steps; first access latency; pipeline + skew */
    int64_t chain;                          /* first fills' access latencies (for Af) */
    int single;                             /* no double-buffered child */
    int64_t act;                            /* fused activation steps */
} layer_bound;

/* Traffic time of one layer's words (ports per instance, networks, DRAM). */
static int64_t traffic(const pesim_net *n, const pesim_arch *a, const layer_bound *b, pesim_stall *cause)
{
    int64_t best = 0;
    for (int lv = 0; lv < n->M; lv++) {
        const pesim_level *v = &a->level[lv];
        /* on chip over all its ports; at DRAM, its read and write ports (docs/engine.md, DRAM) */
        int64_t r = span(b->rd[lv], v->is_dram ? v->read_words_per_cycle : pesim_level_read_words_per_cycle(v)),
                w = span(b->wr[lv], v->is_dram ? v->write_words_per_cycle : pesim_level_write_words_per_cycle(v));
        if (r < w) r = w;
        if (r > best) best = r, *cause = v->is_dram ? PESIM_STALL_DRAM_BW : PESIM_STALL_BUFFER_BW;
        for (int t = 0; t < NT; t++) {
            int64_t c = span(b->noc[lv][t], v->noc[t].words_per_cycle);
            if (c > best) best = c, *cause = PESIM_STALL_NOC_BW;
        }
    }
    int64_t d = n->dram_wpc > 0 ? span(b->dram, n->dram_wpc) : 0;
    if (d > best) best = d, *cause = PESIM_STALL_DRAM_BW;
    return best;
}

/* Adds a count to the layer's cost and its bound (per instance). */
static void add_words(const pesim_net *n, layer_bound *b, int lv, double rd, double wr, int64_t inst)
{
    if (n->arch.level[lv].is_dram) { /* one DRAM: its timing and its ports carry every instance's words */
        b->dram += rd + wr;
        b->rd[lv] += rd;
        b->wr[lv] += wr;
        return;
    }
    b->rd[lv] += rd / (double)inst;
    b->wr[lv] += wr / (double)inst;
}

/* The instances of each level a mapping uses. */
static void used_instances(const pesim_mapping *m, int M, int64_t *inst)
{
    inst[M - 1] = 1;
    for (int l = M - 1; l > 0; l--) {
        int64_t f = 1;
        for (int d = 0; d < PESIM_NDIMS; d++) f *= m->level[l].spatial_x[d] * m->level[l].spatial_y[d];
        inst[l - 1] = inst[l] * f;
    }
}

/* A MAC layer: counts with homes, the bound's two traffic sets. */
static void mac_layer(const pesim_net *n, const net_step *s, const pesim_layer *l, pesim_cost *c, layer_bound *ex,
                      layer_bound *full, int64_t *staging)
{
    const int M = n->M;
    const pesim_arch *a = &s->arch;
    pesim_nest_counts nc;
    char why[PESIM_REASON_MAX];
    pesim_nest_count(a, l, &s->map, &nc, why, sizeof why); /* the plan checked it */
    int64_t inst[MAXL];
    used_instances(&s->map, M, inst);
    for (int lv = 0; lv < M; lv++) {
        staging[lv] = 0;
        for (int t = 0; t < NT; t++) staging[lv] += nc.tile_words[lv][t];
        staging[lv] *= pesim_level_tile_slots(&a->level[lv]);
    }
    /* the outermost pair of an operand living on chip reads from its home */
    for (int t = 0; t < NT; t++) {
        int h = s->home[t];
        if (h >= M - 1) continue;
        pesim_access *top = &nc.access[M - 1][t], *dst = &nc.access[h][t];
        dst->reads += top->reads, dst->fills += top->fills, dst->updates += top->updates;
        memset(top, 0, sizeof *top);
        nc.noc_words[h][t] += nc.noc_words[M - 1][t], nc.noc_words[M - 1][t] = 0;
        nc.noc_reads[h][t] += nc.noc_reads[M - 1][t], nc.noc_reads[M - 1][t] = 0;
        nc.noc_hops[h][t] += nc.noc_hops[M - 1][t], nc.noc_hops[M - 1][t] = 0;
    }
    memcpy(c->access, nc.access, sizeof c->access);
    memcpy(c->noc_words, nc.noc_words, sizeof c->noc_words);
    pesim_nest_results(a, &s->map, &nc, c);
    c->macs = nc.macs;
    c->compute_cycles = nc.temporal_steps;
    c->spatial_used = nc.spatial_used;
    for (int lv = 0; lv < M; lv++) {
        double rd = 0, wr = 0;
        for (int t = 0; t < NT; t++) {
            rd += (double)nc.access[lv][t].reads;
            wr += (double)(nc.access[lv][t].fills + nc.access[lv][t].updates);
            full->noc[lv][t] = (double)nc.noc_reads[lv][t] / (double)inst[lv];
        }
        add_words(n, full, lv, rd, wr, inst[lv]);
    }
    *ex = *full;
    /* the pairs of the view (as the walker forms them), parents remapped */
    full->single = 1;
    int64_t chain_max = 0;
    for (int t = 0; t < NT; t++) {
        int child = -1;
        int64_t chain = 0;
        for (int p = 0; p < M; p++) {
            if (!pesim_mapping_keeps(a, &s->map, p, (pesim_tensor)t)) continue;
            int pp = p == M - 1 && s->home[t] < M - 1 ? s->home[t] : p;
            if (child >= 0) {
                int slots = pesim_level_tile_slots(&a->level[child]);
                if (slots > 1) full->single = 0;
                /* the tiles prefetched during the previous layer: N - 1 of the N slots (all N for the
                 * layer's own weights); a matmul's B operand is an activation: like its inputs */
                int own_w = t == PESIM_WEIGHTS && s->src[t] >= 0 && n->tensor[s->src[t]].kind == PESIM_NET_WEIGHTS;
                int k = own_w ? slots : (t != PESIM_OUTPUTS ? slots - 1 : 0);
                double sub = (double)nc.tile_words[child][t] * (double)inst[child] * k;
                if (sub > 0) {
                    double cf = (double)nc.access[child][t].fills, pr = (double)nc.access[pp][t].reads;
                    double fsub = sub < cf ? sub : cf, psub = sub < pr ? sub : pr;
                    if (!a->level[child].is_dram) ex->wr[child] -= fsub / (double)inst[child];
                    if (a->level[pp].is_dram) ex->dram -= psub, ex->rd[pp] -= psub;
                    else ex->rd[pp] -= psub / (double)inst[pp];
                    double nr = (double)nc.noc_reads[pp][t] / (double)inst[pp];
                    double nsub = psub / (double)inst[pp];
                    ex->noc[pp][t] = nr - (nsub < nr ? nsub : nr);
                }
                if (t != PESIM_OUTPUTS) chain += onchip_latency(a, pp);
            }
            child = p;
        }
        if (chain > chain_max) chain_max = chain;
    }
    for (int lv = 0; lv < M; lv++) {
        if (ex->rd[lv] < 0) ex->rd[lv] = 0;
        if (ex->wr[lv] < 0) ex->wr[lv] = 0;
    }
    if (ex->dram < 0) ex->dram = 0;
    /* the first access latency of the MAC-side streams (as the engine waits it) */
    int64_t first = 0;
    for (int t = 0; t < NT; t++) {
        int p = 0;
        while (p < M && !pesim_mapping_keeps(a, &s->map, p, (pesim_tensor)t)) p++;
        if (p == M) continue;
        int pp = p == M - 1 && s->home[t] < M - 1 ? s->home[t] : p;
        int64_t lat = pesim_level_latency_cycles(a, pp);
        if (lat > first) first = lat;
    }
    int64_t skew = 0;
    for (int lv = 1; lv < M && !skew; lv++) {
        int systolic = 0;
        for (int t = 0; t < NT; t++) systolic |= a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC;
        if (!systolic) continue;
        int64_t x = 1, y = 1;
        for (int d = 0; d < PESIM_NDIMS; d++) x *= s->map.level[lv].spatial_x[d], y *= s->map.level[lv].spatial_y[d];
        skew = x + y - 2;
        if (!skew) break;
    }
    full->compute = ex->compute = nc.temporal_steps;
    full->first_lat = ex->first_lat = n->opt.engine.stall_free ? 0 : first;
    full->tail = ex->tail = skew + a->mac_latency_cycles - 1;
    full->chain = chain_max;
}

/* A vector layer: its blocks' counts. */
static void vector_layer(pesim_net *n, const net_step *s, int32_t li, pesim_cost *c, layer_bound *ex,
                         layer_bound *full)
{
    const int V = n->arch.vector.level;
    const pesim_arch *a = &s->arch;
    static _Thread_local pesim_block b;
    int64_t steps = 0;
    const int slots = pesim_level_tile_slots(&a->level[V]);
    full->single = slots == 1;
    for (int64_t k = 0; k < s->vec.blocks; k++) {
        steps += net_vec_block(n, s, li, k, &b);
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer *x = &b.xfer[i];
            int t = x->tensor, p = x->parent;
            c->access[p][t].reads += x->parent_reads;
            c->access[p][t].updates += x->parent_updates;
            int64_t pi = x->stream ? n->inst[V] : n->inst[p];
            if (x->stream) {
                add_words(n, full, p, (double)x->parent_reads, (double)x->parent_updates, pi);
                continue;
            }
            c->access[V][t].fills += x->child_fills;
            c->access[V][t].reads += x->child_reads;
            c->noc_words[p][t] += x->child_fills + x->parent_updates;
            c->noc_word_hops[p][t] += (double)(x->child_fills + x->parent_updates); /* one hop below p */
            add_words(n, full, p, (double)x->parent_reads, (double)x->parent_updates, pi);
            add_words(n, full, V, (double)x->child_reads, (double)x->child_fills, n->inst[V]);
            full->noc[p][t] += (double)(x->parent_reads + x->parent_updates) / (double)pi;
            /* prefetchable: the scale and shift; the first N - 1 input tiles at a level of N tile slots */
            if ((k == 0 && t == PESIM_WEIGHTS && s->vec.weight_words) || (k < slots - 1 && t != PESIM_OUTPUTS)) {
                add_words(n, ex, p, -(double)x->parent_reads, 0, pi);
                add_words(n, ex, V, 0, -(double)x->child_fills, n->inst[V]);
                ex->noc[p][t] -= (double)x->parent_reads / (double)pi;
            }
        }
    }
    for (int lv = 0; lv < n->M; lv++) {
        ex->rd[lv] += full->rd[lv], ex->wr[lv] += full->wr[lv];
        if (ex->rd[lv] < 0) ex->rd[lv] = 0;
        if (ex->wr[lv] < 0) ex->wr[lv] = 0;
        for (int t = 0; t < NT; t++) {
            ex->noc[lv][t] += full->noc[lv][t];
            if (ex->noc[lv][t] < 0) ex->noc[lv][t] = 0;
        }
    }
    ex->dram += full->dram;
    if (ex->dram < 0) ex->dram = 0;
    c->compute_cycles = steps;
    full->compute = ex->compute = steps;
    full->first_lat = ex->first_lat = n->opt.engine.stall_free ? 0 : pesim_level_latency_cycles(a, V);
    int64_t vl = a->vector.latency_cycles > 0 ? a->vector.latency_cycles - 1 : 0;
    full->tail = ex->tail = vl;
    /* the first fills' latencies: the operands' homes */
    int64_t chain = 0;
    for (int t = 0; t < NT; t++)
        if (t != PESIM_OUTPUTS && s->src[t] >= 0 && s->home[t] != V && onchip_latency(a, s->home[t]) > chain)
            chain = onchip_latency(a, s->home[t]);
    full->chain = chain;
}

void net_energy(const pesim_net *n, const pesim_arch *a, pesim_cost *c, int64_t vector_ops)
{
    (void)n;
    int64_t cycles = c->cycles; /* no leakage here: the network's is over its whole span */
    c->cycles = 0;
    c->vector_ops = vector_ops; /* the vector unit's energy is charged with the rest */
    pesim_estimate_cost(a, NULL, c);
    c->cycles = cycles;
}

/* Leakage of the whole machine per cycle (MACs, levels, a DRAM's background
 * when its energy is estimated): pesim_estimate_cost of no work over 2^20
 * cycles, per cycle. */
static double leak_per_cycle(const pesim_net *n)
{
    static _Thread_local pesim_cost z;
    const int64_t span = INT64_C(1) << 20;
    memset(&z, 0, sizeof z);
    z.cycles = span;
    pesim_estimate_cost(&n->arch, NULL, &z);
    return z.energy_pj / (double)span;
}

/* Adds a DMA transfer's words (a copy or a load) to a cost and a bound. */
static void dma_words(const pesim_net *n, pesim_cost *c, layer_bound *b, int src, int dst, int t_src, int t_dst,
                      int64_t words)
{
    c->access[src][t_src].reads += words;
    c->access[dst][t_dst].fills += words;
    add_words(n, b, src, (double)words, 0, n->inst[src]);
    add_words(n, b, dst, 0, (double)words, n->inst[dst]);
}

void net_bound(pesim_net *n, pesim_net_result *res)
{
    const int M = n->M;
    const int32_t L = n->L;
    layer_bound total;
    memset(&total, 0, sizeof total);
    int64_t ce = 0, emax = 0;
    int64_t *end = n->scratch; /* E per layer */
    for (int32_t i = 0; i < L; i++) {
        const pesim_layer *l = &n->net.layers[i];
        const net_step *s = &n->step[i];
        pesim_net_layer *out = &n->layer[i];
        pesim_cost *c = &out->cost;
        memset(c, 0, sizeof *c);
        c->valid = 1;
        memcpy(out->home, s->home, sizeof out->home);
        out->mapped = s->kind == NET_MAC;
        if (out->mapped) out->mapping = s->map;
        out->given = out->mapped && s->given;
        layer_bound ex, full;
        memset(&ex, 0, sizeof ex);
        memset(&full, 0, sizeof full);
        int64_t vops = 0;
        if (s->kind == NET_MAC) {
            mac_layer(n, s, l, c, &ex, &full, out->staging_words);
        } else if (s->kind == NET_VECTOR) {
            vector_layer(n, s, i, c, &ex, &full);
            vops = s->vec.ops * pesim_layer_output_words(l);
            out->staging_words[n->arch.vector.level] = net_vec_working_set(n, s, i);
        } else {
            for (int k = 0; k < s->n_copies; k++) {
                const pesim_net_tensor *t = &n->tensor[s->copy_from[k]];
                dma_words(n, c, &full, t->level, s->home[PESIM_OUTPUTS], PESIM_INPUTS, PESIM_OUTPUTS, t->words);
                out->copy_words += t->words;
            }
            ex = full;
            full.single = 0;
        }
        /* the fused activation runs beside the layer on the vector unit */
        if (s->act_ops) {
            int64_t per = cdiv(pesim_layer_output_words(l), n->inst[n->arch.vector.level]);
            full.act = ex.act = net_vec_steps(&n->arch, per, net_act_ops((pesim_act)l->act)) +
                                (n->arch.vector.latency_cycles > 0 ? n->arch.vector.latency_cycles - 1 : 0);
            vops += s->act_ops;
        }
        out->vector_ops = vops;
        /* the load of its weights into their home, before it (not part of its span) */
        layer_bound load;
        memset(&load, 0, sizeof load);
        pesim_cost lc;
        memset(&lc, 0, sizeof lc);
        for (int k = 0; k < s->n_loads; k++) {
            const pesim_net_tensor *w = &n->tensor[s->load[k]];
            int slot = w->kind == PESIM_NET_WEIGHTS ? PESIM_WEIGHTS : PESIM_INPUTS;
            dma_words(n, &lc, &load, M - 1, w->level, slot, slot, w->words);
            out->load_words += w->words;
        }
        if (s->n_loads) {
            for (int lv = 0; lv < M; lv++)
                for (int t = 0; t < NT; t++) {
                    c->access[lv][t].reads += lc.access[lv][t].reads;
                    c->access[lv][t].fills += lc.access[lv][t].fills;
                }
        }
        /* the schedule */
        int64_t S = 0;
        const int32_t *r = &n->reads[(size_t)i * PESIM_MAX_INPUTS];
        for (int k = 0; k < l->n_inputs; k++) {
            const pesim_net_tensor *t = &n->tensor[r[k]];
            int64_t done = t->kind == PESIM_NET_INPUT ? 0 : end[t->layer];
            if (done > S) S = done;
        }
        pesim_stall cause = PESIM_STALL_FILL_DRAIN, cause_full = PESIM_STALL_FILL_DRAIN;
        int64_t E, bound;
        if (s->kind == NET_COPY) {
            /* each copy starts once its own input is complete: after the
             * earliest input all of them, after each input its own */
            int64_t A = traffic(n, &s->arch, &ex, &cause), first = S;
            E = S;
            for (int k = 0; k < s->n_copies; k++) {
                const pesim_net_tensor *t = &n->tensor[s->copy_from[k]];
                int64_t done = t->kind == PESIM_NET_ACTIVATION ? end[t->layer] : 0;
                if (done < first) first = done;
                layer_bound one;
                memset(&one, 0, sizeof one);
                add_words(n, &one, t->level, (double)t->words, 0, n->inst[t->level]);
                add_words(n, &one, s->home[PESIM_OUTPUTS], 0, (double)t->words, n->inst[s->home[PESIM_OUTPUTS]]);
                pesim_stall ignore;
                if (done + traffic(n, &s->arch, &one, &ignore) > E) E = done + traffic(n, &s->arch, &one, &ignore);
            }
            if (s->n_copies && first + A > E) E = first + A;
            bound = E - S;
            out->compute_start_cycle = out->compute_end_cycle = S;
        } else {
            if (ce > S) S = ce;
            int64_t work = ex.first_lat + ex.compute + ex.tail;
            int64_t A = traffic(n, &s->arch, &ex, &cause);
            if (work >= A) A = work, cause = PESIM_STALL_FILL_DRAIN;
            E = S + A;
            if (S + ex.first_lat + ex.act > E) E = S + ex.first_lat + ex.act, cause = PESIM_STALL_FILL_DRAIN;
            bound = E - S;
            if (full.single) {
                int64_t Af = traffic(n, &s->arch, &full, &cause_full);
                int64_t wf = full.chain + full.first_lat + full.compute + full.tail;
                if (wf >= Af) Af = wf, cause_full = PESIM_STALL_FILL_DRAIN;
                if (ce + Af > E) E = ce + Af, cause = cause_full;
                if (Af > bound) bound = Af;
            }
            out->compute_start_cycle = S + ex.first_lat;
            out->compute_end_cycle = S + ex.first_lat + ex.compute;
            ce = out->compute_end_cycle;
        }
        end[i] = E;
        out->start_cycle = S;
        out->end_cycle = E;
        out->bound_cycles = bound;
        /* the layer's share of the timeline, compute first, the rest to its bound's cause */
        int64_t share = E > emax ? E - emax : 0;
        if (E > emax) emax = E;
        c->cycles = share;
        int64_t busy = s->kind == NET_COPY ? 0 : (ex.compute < share ? ex.compute : share);
        c->stall_cycles[cause] = share - busy;
        if (s->kind == NET_COPY) c->compute_cycles = 0;
        else c->compute_cycles = busy;
        /* energy (leakage is the network's) */
        net_energy(n, &s->arch, c, vops);
        /* the run's totals: full traffic, loads */
        for (int lv = 0; lv < M; lv++) {
            total.rd[lv] += full.rd[lv] + load.rd[lv];
            total.wr[lv] += full.wr[lv] + load.wr[lv];
            for (int t = 0; t < NT; t++) total.noc[lv][t] += full.noc[lv][t];
        }
        total.dram += full.dram + load.dram;
    }
    pesim_stall cause = PESIM_STALL_COUNT;
    int64_t res_bound = traffic(n, &n->arch, &total, &cause);
    int64_t cycles = emax > res_bound ? emax : res_bound;
    if (cycles > emax && L > 0) { /* a port, network or DRAM over the whole run: the last share waits */
        pesim_cost *c = &n->layer[L - 1].cost;
        c->cycles += cycles - emax;
        c->stall_cycles[cause] += cycles - emax;
    }
    res->cycles = cycles;
    (void)res;
    (void)leak_per_cycle;
}

double net_leak_per_cycle(const pesim_net *n) { return leak_per_cycle(n); }
