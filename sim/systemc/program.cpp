// sim/systemc/program.cpp - see program.h.
#include "program.h"

#include <cmath>
#include <cstring>

extern "C" {
#include "nest/walk.h"
}

namespace pesim_sc {

namespace {
constexpr int NT = PESIM_NTENSORS;

int64_t cdiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }
}  // namespace

int64_t share_cycles(int64_t words, double rate)
{
    if (words <= 0 || rate <= 0) return 0;
    // words / rate rounded up; decimal rates (0.1) may land a hair above an integer
    return (int64_t)std::ceil((double)words / rate - 1e-9);
}

int Program::res_id(int level, int kind, int tensor)
{
    if (kind == 0 && shared[level]) kind = 1;
    for (size_t i = 0; i < res.size(); i++)
        if (res[i].level == level && res[i].kind == kind && (kind != 2 || res[i].tensor == tensor)) return (int)i;
    Resource r;
    r.level = level;
    r.kind = kind;
    r.tensor = kind == 2 ? tensor : -1;
    r.shared = kind == 1 && shared[level];
    const char *ln = arch->level[level].name;
    r.name = kind == 2 ? std::string(ln) + ".noc." + pesim_tensor_name((pesim_tensor)tensor)
                       : std::string(ln) + (kind == 0 ? ".rd" : r.shared ? ".port" : ".wr");
    res.push_back(r);
    return (int)res.size() - 1;
}

namespace {

// An item being built, with its dependencies and list.
struct Draft {
    Item it;
    std::vector<Dep> deps;
    std::vector<int> list;
};

struct Builder {
    Program &p;
    const pesim_arch *a;
    int16_t xmod[PESIM_NTENSORS][PESIM_MAX_LEVELS];  // trace name of (tensor, child level), -1: not yet

    int16_t xfer(int t, int child)
    {
        int16_t &m = xmod[t][child];
        if (m < 0) m = module(std::string(pesim_tensor_name((pesim_tensor)t)) + ":" + a->level[child].name);
        return m;
    }

    int16_t module(const std::string &name)
    {
        for (size_t i = 0; i < p.modules.size(); i++)
            if (p.modules[i] == name) return (int16_t)i;
        p.modules.push_back(name);
        return (int16_t)(p.modules.size() - 1);
    }

    int add_item(const Draft &d)
    {
        Item it = d.it;
        it.dep_off = (uint32_t)p.dep_pool.size(), it.n_deps = (uint16_t)d.deps.size();
        p.dep_pool.insert(p.dep_pool.end(), d.deps.begin(), d.deps.end());
        it.list_off = (uint32_t)p.list_pool.size(), it.n_list = (uint16_t)d.list.size();
        p.list_pool.insert(p.list_pool.end(), d.list.begin(), d.list.end());
        it.use_off = (uint32_t)p.use_pool.size(), it.n_uses = 0;
        p.items.push_back(it);
        return (int)p.items.size() - 1;
    }

    // Uses are added to the item built last.
    void add_use(int item, int level, int kind, int tensor, int64_t share, int64_t words, double rate,
                 int64_t latency, int8_t *slot)
    {
        Item &it = p.items[(size_t)item];
        int r = p.res_id(level, kind, tensor);
        p.use_pool.push_back(Use{r, share, words, rate, latency});
        p.res[(size_t)r].users.emplace_back(item, (int)it.n_uses);
        if (slot) *slot = (int8_t)it.n_uses;
        it.n_uses++;
    }

    int64_t bursts(int64_t words) const
    {
        int64_t bytes = words * ((a->word_bits + 7) / 8);
        return cdiv(bytes, (int64_t)p.burst_bytes);
    }

    int add_desc(int kind, int item, int tensor, int64_t words, int fence_of = kNone)
    {
        Desc d{kind, item, tensor, words, kind == D_FENCE ? 0 : bursts(words), fence_of};
        if (kind != D_FENCE && d.bursts == 0) return kNone;
        p.descs.push_back(d);
        return (int)p.descs.size() - 1;
    }

    // A tile transfer of tensor t: src_words read at level src, dst_words
    // written at level dst, noc_words over level net's network. Each port and
    // the network are held for their own share; the source adds its access
    // latency, the network its reduction latency (net_latency, outputs going
    // up); at DRAM the words become burst requests of the DMA stream.
    void transfer(int item, int t, int src, int64_t src_words, int dst, int64_t dst_words, int net,
                  int64_t noc_words, int dram_kind, int64_t net_latency = 0)
    {
        Item &it = p.items[(size_t)item];
        it.has_xfer = true;
        it.src = (int8_t)src, it.dst = (int8_t)dst;
        p.transfers++;
        if (p.opt.stall_free) return;  // every transfer takes no time and holds nothing
        const pesim_level &vs = a->level[src], &vd = a->level[dst];
        if (!vs.is_dram)
            add_use(item, src, 0, t, share_cycles(src_words, vs.read_words_per_cycle), src_words,
                    vs.read_words_per_cycle, vs.latency_cycles, &p.items[(size_t)item].use_src);
        if (!vd.is_dram)
            add_use(item, dst, 1, t, share_cycles(dst_words, vd.write_words_per_cycle), dst_words,
                    vd.write_words_per_cycle, 0, &p.items[(size_t)item].use_dst);
        double nr = a->level[net].noc[t].words_per_cycle;
        add_use(item, net, 2, t, share_cycles(noc_words, nr), noc_words, nr, net_latency,
                &p.items[(size_t)item].use_net);
        if (p.has_dram && vs.is_dram) {
            p.items[(size_t)item].desc = add_desc(dram_kind, item, t, src_words);
            p.items[(size_t)item].dram_words = src_words;
        }
        if (p.has_dram && vd.is_dram) {
            p.items[(size_t)item].desc = add_desc(dram_kind, item, t, dst_words);
            p.items[(size_t)item].dram_words = dst_words;
        }
    }
};

}  // namespace

bool build_program(Program &p, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                   const pesim_engine_options &opt)
{
    p.arch = a, p.layer = l, p.map = m, p.opt = opt;
    p.M = a->n_levels;
    std::memset(p.access, 0, sizeof p.access);
    for (int lv = 0; lv < p.M; lv++) {
        p.inst[lv] = pesim_mapping_instances(m, lv);
        p.shared[lv] = a->level[lv].banks * a->level[lv].ports < 2 && !a->level[lv].is_dram;
    }
    const pesim_level &top = a->level[p.M - 1];
    p.has_dram = top.is_dram && !opt.stall_free;
    if (p.has_dram) {
        // Tiles are laid out contiguously, each tensor in its own region
        // starting on a MiB boundary; a transfer takes the next bursts of its
        // tensor's region (wrapping at its end).
        p.burst_bytes = (uint64_t)(top.dram.bus_bits / 8) * (uint64_t)top.dram.BL;   // one burst: bus x BL
        uint64_t base = 0, wb = (uint64_t)(a->word_bits + 7) / 8;
        for (int t = 0; t < NT; t++) {
            uint64_t sz = (uint64_t)pesim_layer_tensor_words(l, (pesim_tensor)t) * wb;
            sz = (sz + p.burst_bytes - 1) / p.burst_bytes * p.burst_bytes;
            if (sz == 0) sz = p.burst_bytes;
            p.tensor_base[t] = (int64_t)base, p.tensor_span[t] = (int64_t)sz;
            base += (sz + (1u << 20) - 1) / (1u << 20) * (1u << 20);
        }
    }

    // The systolic level: the first (from the PEs up) with a systolic network.
    int sys = -1;
    for (int lv = 1; lv < p.M && sys < 0; lv++)
        for (int t = 0; t < NT; t++)
            if (a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC) sys = lv;
    int64_t skew = sys > 0 ? a->level[sys].fanout_x + a->level[sys].fanout_y - 2 : 0;
    int64_t preload = sys > 0 ? a->level[sys].fanout_y : 0;

    static thread_local pesim_walk w;
    static thread_local pesim_block b;
    pesim_walk_init(&w, a, l, m);
    const int np = w.n_pairs;
    bool sys_pe_pair = false;
    for (int k = 0; k < np; k++) sys_pe_pair |= sys > 0 && w.pair[k].child == sys - 1;
    std::vector<int> kp((size_t)np, kNone);
    for (int k = 0; k < np; k++)
        for (int j = 0; j < np; j++)
            if (w.pair[j].tensor == w.pair[k].tensor && w.pair[j].child == w.pair[k].parent) kp[(size_t)k] = j;
    int64_t first_lat = 0;
    for (int k = 0; k < np; k++)
        if (w.pair[k].child < 0 && pesim_level_latency_cycles(a, w.pair[k].parent) > first_lat)
            first_lat = pesim_level_latency_cycles(a, w.pair[k].parent);
    if (opt.stall_free) first_lat = 0;

    Builder B{p, a, {}};
    std::memset(B.xmod, -1, sizeof B.xmod);
    std::vector<int> last_fill((size_t)np, kNone), last_drain((size_t)np, kNone), prev_event((size_t)np, kNone);
    std::vector<int64_t> up_child((size_t)np, 0), up_parent((size_t)np, 0), up_inst((size_t)np, 0);
    int prev_compute = kNone;
    while (pesim_walk_next(&w, &b)) {
        if (p.items.size() > kMaxItems) return false;
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer &x = b.xfer[i];
            p.access[x.parent][x.tensor].reads += x.parent_reads;
            p.access[x.parent][x.tensor].updates += x.parent_updates;
            if (x.child >= 0) {
                p.access[x.child][x.tensor].fills += x.child_fills;
                p.access[x.child][x.tensor].reads += x.child_reads;
            }
        }
        // Drains: the old output tiles go up, innermost pair first.
        for (int i = b.n_xfers - 1; i >= 0; i--) {
            const pesim_xfer &x = b.xfer[i];
            const int k = x.pair;
            if (x.stream || x.tensor != PESIM_OUTPUTS) continue;
            if (b.index == 0 || !(up_child[(size_t)k] || up_parent[(size_t)k])) continue;
            Draft d;
            Item &it = d.it;
            it.kind = IT_DRAIN, it.block = b.index, it.pair = k, it.tensor = x.tensor, it.child = x.child,
            it.parent = x.parent, it.prev_compute = prev_compute;
            it.module = B.xfer(x.tensor, x.child);
            if (prev_compute != kNone) d.deps.push_back({prev_compute, ST_END});
            for (int j = 0; j < np; j++)
                if (w.pair[j].tensor == PESIM_OUTPUTS && w.pair[j].parent == x.child && last_drain[(size_t)j] != kNone)
                    d.deps.push_back({last_drain[(size_t)j], ST_END});
            int id = B.add_item(d);
            int64_t wc = up_inst[(size_t)k], wp = cdiv(up_parent[(size_t)k], p.inst[x.parent]);
            B.transfer(id, PESIM_OUTPUTS, x.child, wc, x.parent, wp, x.parent, wp, D_WRITE_POSTED,
                       pesim_engine_reduce_path_cycles(a, m, x.child, x.parent));
            last_drain[(size_t)k] = id;
        }
        // Fills: the new tiles come down, outermost pair first.
        bool fold = b.index == 0 && sys > 0 && !sys_pe_pair, fold_preload = false;
        std::vector<int> fills;
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer &x = b.xfer[i];
            const int k = x.pair;
            if (x.stream) continue;
            Draft d;
            Item &it = d.it;
            it.kind = IT_FILL, it.block = b.index, it.pair = k, it.tensor = x.tensor, it.child = x.child,
            it.parent = x.parent, it.prev_compute = prev_compute;
            it.module = B.xfer(x.tensor, x.child);
            it.room = a->level[x.child].double_buffered ? prev_event[(size_t)k] : prev_compute;
            if (it.room != kNone) d.deps.push_back({it.room, ST_END});
            int fence = kNone;
            if (x.tensor == PESIM_OUTPUTS && last_drain[(size_t)k] != kNone) {
                it.drain = last_drain[(size_t)k];
                it.readback = x.parent_reads > 0;
                d.deps.push_back({it.drain, it.readback ? ST_LANDED : ST_END});
                if (it.readback) fence = p.items[(size_t)it.drain].desc;
            }
            it.parent_fill = kp[(size_t)k] != kNone ? last_fill[(size_t)kp[(size_t)k]] : kNone;
            if (it.parent_fill != kNone) d.deps.push_back({it.parent_fill, ST_END});
            int id = B.add_item(d);
            if (fence != kNone) B.add_desc(D_FENCE, id, PESIM_OUTPUTS, 0, fence);
            // the slowest child instance (the largest tile) sets the pace of an operand fill
            int64_t wpar = cdiv(x.parent_reads, p.inst[x.parent]);
            int64_t wch = x.tensor == PESIM_OUTPUTS ? cdiv(x.child_fills, p.inst[x.child])
                                                    : pesim_walk_child_words(&x, x.child_fills, p.inst[x.child]);
            // a unicast network carries one copy per child; a mesh as many over its busiest link,
            // then hops to the farthest child; a bus or systolic one, the multicast union
            const pesim_noc_kind nk = a->level[x.parent].noc[x.tensor].kind;
            int64_t wnet = wpar, lnet = 0;
            if (nk == PESIM_NOC_UNICAST) wnet = cdiv(x.child_fills, p.inst[x.parent]);
            if (nk == PESIM_NOC_MESH) {
                wnet = pesim_nest_mesh_link_words(m, x.parent, cdiv(x.child_fills, p.inst[x.parent]), 1);
                lnet = wnet > 0 ? pesim_nest_mesh_hops(m, x.parent) - 1 : 0;
            }
            if (wpar > 0 || wch > 0)
                B.transfer(id, x.tensor, x.parent, wpar, x.child, wch, x.parent, wnet, D_READ, lnet);
            prev_event[(size_t)k] = prev_compute;
            if (x.tensor == PESIM_OUTPUTS) {
                up_child[(size_t)k] = x.child_reads, up_parent[(size_t)k] = x.parent_updates;
                up_inst[(size_t)k] = pesim_walk_child_words(&x, x.child_reads, p.inst[x.child]);
            }
            last_fill[(size_t)k] = id;
            fills.push_back(id);
            if (sys > 0 && x.child == sys - 1) {
                fold = true;
                if (x.tensor != PESIM_OUTPUTS) fold_preload = true;
            }
        }
        // Compute: the MAC array streams its operands over the innermost
        // levels' ports and networks; one step a cycle.
        Draft cd;
        Item &c = cd.it;
        c.kind = IT_COMPUTE, c.block = b.index, c.prev_compute = prev_compute, c.steps = b.steps;
        c.module = B.module("mac");
        c.fold = fold;
        c.extra = fold ? skew + (fold_preload ? preload : 0) : 0;
        cd.list = fills;
        c.first_latency = b.index == 0 ? first_lat : 0;
        if (prev_compute != kNone) cd.deps.push_back({prev_compute, ST_END});
        for (int f : fills) cd.deps.push_back({f, ST_END});
        int cid = B.add_item(cd);
        if (!opt.stall_free) {
            int64_t rw[PESIM_MAX_LEVELS] = {0}, uw[PESIM_MAX_LEVELS] = {0};
            for (int i = 0; i < b.n_xfers; i++) {
                const pesim_xfer &x = b.xfer[i];
                if (!x.stream) continue;
                int lv = x.parent;
                int64_t r = cdiv(x.parent_reads, p.inst[lv]), u = cdiv(x.parent_updates, p.inst[lv]);
                rw[lv] += r, uw[lv] += u;
                double nr = a->level[lv].noc[x.tensor].words_per_cycle;
                B.add_use(cid, lv, 2, x.tensor, share_cycles(r + u, nr), r + u, nr, 0, nullptr);
            }
            for (int lv = 0; lv < p.M; lv++) {
                if (!(rw[lv] || uw[lv])) continue;
                const pesim_level &v = a->level[lv];
                if (v.is_dram) {  // operands straight from DRAM: reads, then writes
                    if (!p.has_dram) continue;
                    if (rw[lv]) p.items[(size_t)cid].dram_rd = B.add_desc(D_READ, cid, PESIM_INPUTS, rw[lv]);
                    if (uw[lv]) p.items[(size_t)cid].dram_wr = B.add_desc(D_WRITE, cid, PESIM_OUTPUTS, uw[lv]);
                    continue;
                }
                int64_t cr = share_cycles(rw[lv], v.read_words_per_cycle);
                int64_t cu = share_cycles(uw[lv], v.write_words_per_cycle);
                if (p.shared[lv]) {
                    B.add_use(cid, lv, 1, -1, cr + cu, rw[lv] + uw[lv], 0, 0, nullptr);
                } else {
                    if (rw[lv]) B.add_use(cid, lv, 0, -1, cr, rw[lv], v.read_words_per_cycle, 0, nullptr);
                    if (uw[lv]) B.add_use(cid, lv, 1, -1, cu, uw[lv], v.write_words_per_cycle, 0, nullptr);
                }
            }
        }
        if (fold) p.folds++;
        p.busy += b.steps;
        p.blocks++;
        prev_compute = cid;
    }
    // The last output tiles drain, innermost pair first; then every write lands.
    int prev = prev_compute;
    for (int c = 0; c < p.M; c++) {
        int k = kNone;
        for (int j = 0; j < np; j++)
            if (w.pair[j].tensor == PESIM_OUTPUTS && w.pair[j].child == c) k = j;
        if (k == kNone) continue;
        Draft d;
        Item &it = d.it;
        it.kind = IT_FLUSH, it.block = p.blocks, it.pair = k, it.tensor = PESIM_OUTPUTS, it.child = (int8_t)c,
        it.parent = w.pair[k].parent, it.prev = prev;
        it.module = B.xfer(PESIM_OUTPUTS, c);
        it.drain = last_drain[(size_t)k];
        if (prev != kNone) d.deps.push_back({prev, ST_END});
        if (it.drain != kNone) d.deps.push_back({it.drain, ST_END});
        int id = B.add_item(d);
        int64_t wc = up_inst[(size_t)k], wp = cdiv(up_parent[(size_t)k], p.inst[w.pair[k].parent]);
        B.transfer(id, PESIM_OUTPUTS, c, wc, w.pair[k].parent, wp, w.pair[k].parent, wp, D_WRITE,
                   pesim_engine_reduce_path_cycles(a, m, c, w.pair[k].parent));
        prev = id;
    }
    Draft fd;
    Item &fin = fd.it;
    fin.kind = IT_FINISH, fin.block = p.blocks, fin.prev = prev, fin.prev_compute = prev_compute;
    fin.module = B.module("mac");
    if (prev != kNone) fd.deps.push_back({prev, ST_END});
    for (int k = 0; k < np; k++)
        if (last_drain[(size_t)k] != kNone) {
            fd.deps.push_back({last_drain[(size_t)k], ST_LANDED});
            fd.list.push_back(last_drain[(size_t)k]);
        }
    int fid = B.add_item(fd);
    for (int dr : fd.list)
        if (p.items[(size_t)dr].desc != kNone) B.add_desc(D_FENCE, fid, PESIM_OUTPUTS, 0, p.items[(size_t)dr].desc);

    // Who waits for whom, per stage (compressed rows).
    for (int s = 0; s < 2; s++) p.dep_index[s].assign(p.items.size() + 1, 0);
    for (const Dep &d : p.dep_pool) p.dep_index[d.stage][(size_t)d.item + 1]++;
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < p.items.size(); i++) p.dep_index[s][i + 1] += p.dep_index[s][i];
        p.dep_items[s].assign(p.dep_index[s].back(), 0);
    }
    std::vector<uint32_t> fillp[2] = {p.dep_index[0], p.dep_index[1]};
    for (size_t i = 0; i < p.items.size(); i++)
        for (const Dep &d : p.deps(p.items[i])) p.dep_items[d.stage][fillp[d.stage][(size_t)d.item]++] = (int)i;
    return true;
}

}  // namespace pesim_sc
