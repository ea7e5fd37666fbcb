// sim/systemc/program.cpp - see program.h.
#include "program.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "loopnest.h"

namespace pesim_sc {

namespace {
constexpr int NT = PESIM_NTENSORS;

int64_t cdiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

// A level instance's read (write) side: `ports` ports side by side, each
// moving read_words_per_cycle (write_words_per_cycle) words a cycle, one
// transfer striped over all of them (docs/engine.md "Ports"); 0 = unlimited.
double read_rate(const pesim_level &v) { return std::max(v.ports, 1) * v.read_words_per_cycle; }
double write_rate(const pesim_level &v) { return std::max(v.ports, 1) * v.write_words_per_cycle; }
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

Carry::Carry()
{
    for (int t = 0; t < NT; t++)
        for (int l = 0; l < PESIM_MAX_LEVELS; l++) {
            last_drain[t][l] = kNone;
            for (int j = 0; j < kSlotRing; j++) prev_event[t][l][j] = room_drain[t][l][j] = kNone;
        }
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
    const pesim_arch *a;                             // the current step's view of the arch
    int16_t xmod[PESIM_NTENSORS][PESIM_MAX_LEVELS];  // trace name of (tensor, child level), -1: not yet
    int16_t step = 0;
    int region[NT] = {kNone, kNone, kNone};          // the step's operand regions

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
        it.step = step;
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
        int64_t bytes = words * pesim_arch_word_bytes(a);
        return cdiv(bytes, (int64_t)p.burst_bytes);
    }

    // The words that bursts bl carry (rounded up).
    int64_t listed_words(const std::vector<uint64_t> &bl) const
    {
        return cdiv((int64_t)bl.size() * (int64_t)p.burst_bytes, pesim_arch_word_bytes(a));
    }

    // bl: the bursts of a tile's box in a row-major layout (nullptr: the
    // next bursts of region rg, tile-major)
    int add_desc(int kind, int item, int rg, int64_t words, int fence_of = kNone, bool after_prev = false,
                 const std::vector<uint64_t> *bl = nullptr)
    {
        Desc d{kind, item, rg, words, kind == D_FENCE ? 0 : bursts(words), fence_of, after_prev};
        if (bl) d.bursts = (int64_t)bl->size();
        if (kind != D_FENCE && d.bursts == 0) return kNone;
        if (bl) {
            d.addr_off = (int64_t)p.addrs.size();
            p.addrs.insert(p.addrs.end(), bl->begin(), bl->end());
        }
        p.descs.push_back(d);
        return (int)p.descs.size() - 1;
    }

    // A tile transfer of tensor t: src_words read at level src, dst_words
    // written at level dst, noc_words over level net's network (net < 0:
    // none, a DMA). Each port and the network are held for their own share;
    // the source adds its access latency, the network its reduction or hop
    // latency (net_latency); at DRAM the words become burst requests of the DMA
    // stream in the regions rs (source) and rd (destination); from DRAM to DRAM
    // the write follows the read's data. bl: the bursts of the DRAM side (the
    // read's, from DRAM to DRAM), bl_dst the write's from DRAM to DRAM.
    void transfer(int item, int t, int src, int64_t src_words, int dst, int64_t dst_words, int net,
                  int64_t noc_words, int dram_kind, int rs, int rd, int64_t net_latency = 0,
                  const std::vector<uint64_t> *bl = nullptr, const std::vector<uint64_t> *bl_dst = nullptr)
    {
        Item &it = p.items[(size_t)item];
        it.has_xfer = true;
        it.src = (int8_t)src, it.dst = (int8_t)dst;
        p.transfers++;
        if (p.opt.stall_free) return;  // every transfer takes no time and holds nothing
        const pesim_level &vs = a->level[src], &vd = a->level[dst];
        // a copy within a level of one port: the port reads, then writes
        const bool one_port = src == dst && p.shared[src] && !vs.is_dram;
        if (one_port)
            add_use(item, src, 0, t,
                    share_cycles(src_words, read_rate(vs)) + share_cycles(dst_words, write_rate(vd)),
                    src_words + dst_words, 0, vs.latency_cycles, &p.items[(size_t)item].use_src);
        else if (!vs.is_dram)
            add_use(item, src, 0, t, share_cycles(src_words, read_rate(vs)), src_words,
                    read_rate(vs), vs.latency_cycles, &p.items[(size_t)item].use_src);
        if (!vd.is_dram && !one_port)
            add_use(item, dst, 1, t, share_cycles(dst_words, write_rate(vd)), dst_words,
                    write_rate(vd), 0, &p.items[(size_t)item].use_dst);
        if (net >= 0) {
            double nr = a->level[net].noc[t].words_per_cycle;
            add_use(item, net, 2, t, share_cycles(noc_words, nr), noc_words, nr, net_latency,
                    &p.items[(size_t)item].use_net);
        }
        // row-major: the stall cause's ideal time counts the bursts' words (over-fetch included)
        if (p.has_dram && vs.is_dram) {
            p.items[(size_t)item].desc = add_desc(D_READ, item, rs, src_words, kNone, false, bl);
            p.items[(size_t)item].dram_words = bl ? listed_words(*bl) : src_words;
        }
        if (p.has_dram && vd.is_dram) {
            const std::vector<uint64_t> *wl = vs.is_dram ? bl_dst : bl;
            int d = add_desc(dram_kind, item, rd, dst_words, kNone, vs.is_dram, wl);
            if (vs.is_dram) p.items[(size_t)item].desc2 = d;
            else p.items[(size_t)item].desc = d;
            p.items[(size_t)item].dram_words = wl ? listed_words(*wl) : dst_words;
            p.items[(size_t)item].dram_write = true;
        }
    }
};

// A row-major DRAM layout (docs/engine.md, "DRAM address layout"), this
// reference's own code: a tensor's five dims, outermost first, each a loop
// dim's letter or H / W (the input image's rows and columns, the padding not
// stored), and a tile as a range [lo, hi) per dim.
struct RowMajor {
    char dim[5] = {0, 0, 0, 0, 0};
    int64_t size[5] = {1, 1, 1, 1, 1};
    int64_t stride[5] = {0, 0, 0, 0, 1};  // words between neighbours along each dim
    uint64_t base = 0;
    uint64_t word_bytes = 1;
};
// Per layout dim, the indices a tile reads as sorted maximal runs [lo, hi)
// (not yet cut to the tensor); a dim without runs reads nothing.
using Runs = std::vector<std::pair<int64_t, int64_t>>;
struct TileBox {
    Runs dim[5];
};

const char kLoopDims[] = "GNKCPQRS";  // pesim_dim order

int64_t window_rows(const pesim_layer *l, bool h, int64_t outs, int64_t taps)
{
    return (outs - 1) * (h ? l->stride_h : l->stride_w) + (taps - 1) * (h ? l->dilation_h : l->dilation_w) + 1;
}

// Activations NHWC (weights KRSC) or NCHW (KCRS); groups next to the channels.
RowMajor row_major_layout(const pesim_layer *l, int t, int order, uint64_t base, uint64_t word_bytes)
{
    static const char *const kOrder[PESIM_NTENSORS][2] = {{"GKRSC", "GKCRS"}, {"NHWGC", "NGCHW"}, {"NPQGK", "NGKPQ"}};
    RowMajor L;
    L.base = base, L.word_bytes = word_bytes;
    for (int i = 0; i < 5; i++) {
        char c = L.dim[i] = kOrder[t][order == PESIM_DRAM_NCHW ? 1 : 0][i];
        if (c == 'H' || c == 'W') {
            bool h = c == 'H';
            // the largest image whose output is P rows: the rows of P + 1 outputs but one
            int64_t n = window_rows(l, h, l->dim[h ? PESIM_DIM_P : PESIM_DIM_Q] + 1,
                                    l->dim[h ? PESIM_DIM_R : PESIM_DIM_S]) - 1 - 2 * (int64_t)(h ? l->pad_h : l->pad_w);
            L.size[i] = std::max<int64_t>(1, n);
        } else {
            L.size[i] = l->dim[std::strchr(kLoopDims, c) - kLoopDims];
        }
    }
    for (int i = 4; i >= 0; i--) L.stride[i] = i == 4 ? 1 : L.stride[i + 1] * L.size[i + 1];
    return L;
}

// An activation layout as the slice sl of its holder (net_step.h
// pesim_engine_slice): the same pixels, the holder's channels per pixel, its
// own channels from sl.offset on. Every dim's stride is rederived: the
// channel dims (G and C or K) in the tensor's own sizes, the pixel dims (H W
// or P Q) and N in the holder's.
void slice_layout(RowMajor &L, const pesim_engine_slice &sl)
{
    int64_t own = 1, pixels = 1;
    for (int i = 0; i < 5; i++) {
        char c = L.dim[i];
        if (c == 'G' || c == 'C' || c == 'K') own *= L.size[i];
        else if (c != 'N') pixels *= L.size[i];
    }
    if (sl.holder <= 0 || sl.offset < 0 || sl.holder < sl.offset + own) return;
    const bool nhwc = L.dim[4] == 'C' || L.dim[4] == 'K';
    int64_t words = 1;  // the holder's words inside dim i
    for (int i = 4; i >= 0; i--) {
        L.stride[i] = words;
        char c = L.dim[i];
        bool channel = c == 'G' || c == 'C' || c == 'K';
        // NHWC: a pixel spans the holder's channels; NCHW: an image its planes
        if (nhwc && channel && i == 3) words = sl.holder;
        else if (!nhwc && c == 'G') words = sl.holder * pixels;
        else words *= L.size[i];
    }
    L.base = sl.base + (uint64_t)(sl.offset * (nhwc ? 1 : pixels)) * L.word_bytes;
}

// The tile of an event (Xfer::lo, ext over the loop dims) in layout L. An
// input tile's rows (columns) are p*stride + r*dilation - pad over its p and
// r, listed one by one and merged into runs: exactly the rows its windows
// read, except with a stride and a dilation both above 1, where docs/engine.md
// takes the enclosing range from the first to the last.
TileBox tile_box(const pesim_layer *l, const RowMajor &L, const Xfer &x)
{
    TileBox b;
    for (int i = 0; i < 5; i++) {
        char c = L.dim[i];
        if (c != 'H' && c != 'W') {
            int d = (int)(std::strchr(kLoopDims, c) - kLoopDims);
            if (x.ext[d] > 0) b.dim[i].push_back({x.lo[d], x.lo[d] + x.ext[d]});
            continue;
        }
        bool h = c == 'H';
        int o = h ? PESIM_DIM_P : PESIM_DIM_Q, f = h ? PESIM_DIM_R : PESIM_DIM_S;
        if (x.ext[o] <= 0 || x.ext[f] <= 0) continue;  // empty
        int64_t st = h ? l->stride_h : l->stride_w, dl = h ? l->dilation_h : l->dilation_w;
        int64_t first = window_rows(l, h, x.lo[o] + 1, x.lo[f] + 1) - 1 - (h ? l->pad_h : l->pad_w);
        if (st > 1 && dl > 1) {
            b.dim[i].push_back({first, first + window_rows(l, h, x.ext[o], x.ext[f])});
            continue;
        }
        std::vector<int64_t> rows;
        for (int64_t p = 0; p < x.ext[o]; p++)
            for (int64_t r = 0; r < x.ext[f]; r++) rows.push_back(first + p * st + r * dl);
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        for (int64_t v : rows)
            if (!b.dim[i].empty() && b.dim[i].back().second == v)
                b.dim[i].back().second++;
            else
                b.dim[i].push_back({v, v + 1});
    }
    return b;
}

// Runs of one length at one spacing (two or more): their length and spacing.
bool periodic(const Runs &r, int64_t *len, int64_t *gap)
{
    if (r.size() < 2) return false;
    *len = r[0].second - r[0].first, *gap = r[1].first - r[0].first;
    for (size_t i = 1; i < r.size(); i++)
        if (r[i].second - r[i].first != *len || r[i].first - r[i - 1].first != *gap) return false;
    return true;
}

// A sliding window's advance: b differs from the previous tile in one dim
// only, where both are one run, or runs of one length at one spacing whose
// first indices are a whole number of spacings apart, and b starts inside
// the previous tile (or at its end): only the part past its end.
void advance_box(TileBox &b, const TileBox &prev)
{
    int k = -1;
    for (int i = 0; i < 5; i++)
        if (b.dim[i] != prev.dim[i]) {
            if (k >= 0) return;
            k = i;
        }
    if (k < 0 || b.dim[k].empty() || prev.dim[k].empty()) return;
    Runs &r = b.dim[k];
    const Runs &q = prev.dim[k];
    int64_t start = r.front().first, end = q.back().second;
    if (start < q.front().first || start > end) return;
    if (r.size() == 1 && q.size() == 1) {
        r[0].first = end;
        r[0].second = std::max(r[0].second, end);
        return;
    }
    int64_t lr, gr, lq, gq;
    if (!periodic(r, &lr, &gr) || !periodic(q, &lq, &gq) || lr != lq || gr != gq || (start - q.front().first) % gr)
        return;
    Runs past;
    for (const auto &x : r)
        if (x.first >= end) past.push_back(x);
    r = past;
}

// Appends the bursts of box b (cut to the tensor) in address order: every
// index of the outer dims, and along the innermost dim each run from its
// first byte's burst to its last's, a burst equal to the one appended last
// not repeated.
void box_bursts(const RowMajor &L, const TileBox &b, uint64_t burst, std::vector<uint64_t> &out)
{
    const int64_t *stride = L.stride;
    std::vector<int64_t> idx[4];
    Runs inner;
    for (int i = 4; i >= 0; i--) {
        for (const auto &x : b.dim[i]) {
            int64_t lo = std::max<int64_t>(x.first, 0), hi = std::min(x.second, L.size[i]);
            if (i == 4 && hi > lo) inner.push_back({lo, hi});
            for (int64_t v = lo; i < 4 && v < hi; v++) idx[i].push_back(v);
        }
        if (i == 4 ? inner.empty() : idx[i].empty()) return;
    }
    size_t at[4] = {0, 0, 0, 0};
    while (true) {
        int64_t w = 0;
        for (int i = 0; i < 4; i++) w += idx[i][at[i]] * stride[i];
        for (const auto &x : inner) {
            uint64_t first = L.base + (uint64_t)(w + x.first) * L.word_bytes;
            uint64_t last = L.base + (uint64_t)(w + x.second) * L.word_bytes - 1;
            for (uint64_t a = first / burst; a <= last / burst; a++)
                if (out.empty() || out.back() != a * burst) out.push_back(a * burst);
        }
        int i = 3;
        while (i >= 0 && ++at[i] == idx[i].size()) at[i] = 0, i--;
        if (i < 0) return;
    }
}

// The bursts of the MAC array's stream x (its parent DRAM) over the block:
// step by step, the block's inner loops as an odometer (outermost first), the
// lanes' box moved by the step's offsets; psum_reads (outputs): only the
// steps that read partial sums back (x.psum_all, or an inner reduction loop
// past its first iteration).
void stream_bursts(const pesim_layer *l, const RowMajor &L, const Xfer &x, const std::vector<StepLoop> &loops,
                   bool psum_reads, uint64_t burst, std::vector<uint64_t> &out)
{
    out.clear();
    std::vector<int64_t> ix(loops.size(), 0);
    Xfer s = x;
    while (true) {
        bool reads = x.psum_all;
        std::copy(x.lo, x.lo + PESIM_NDIMS, s.lo);
        for (size_t i = 0; i < loops.size(); i++) {
            s.lo[loops[i].dim] += ix[i] * loops[i].weight;
            const int d = loops[i].dim;
            reads |= ix[i] > 0 && (d == PESIM_DIM_C || d == PESIM_DIM_R || d == PESIM_DIM_S);
        }
        if (!psum_reads || reads) {
            for (int d = 0; d < PESIM_NDIMS; d++)
                s.ext[d] = std::max<int64_t>(0, std::min(s.lo[d] + x.span[d], l->dim[d]) - s.lo[d]);
            box_bursts(L, tile_box(l, L, s), burst, out);
        }
        size_t i = loops.size();
        while (i > 0 && ++ix[i - 1] == loops[i - 1].factor) ix[--i] = 0;
        if (i == 0) return;
    }
}

// A vector layer's operand t as a layer of its own (docs/engine.md, "DRAM
// address layout"): a pool as a depthwise conv of K groups (its input image
// and windows as a conv's), any other op's operands all of its outputs'
// shape (*lt: the tensor whose layout it takes); false for layernorm's
// scale and shift (a dense whole tensor, its region's bursts).
bool vector_operand(const pesim_layer *l, int t, pesim_layer *v, int *lt)
{
    *v = *l, *lt = t;
    if (l->op == PESIM_OP_POOL) {
        v->dim[PESIM_DIM_G] *= l->dim[PESIM_DIM_K];
        v->dim[PESIM_DIM_K] = v->dim[PESIM_DIM_C] = 1;
        return t != PESIM_WEIGHTS;
    }
    if (t == PESIM_WEIGHTS && l->op != PESIM_OP_ADD) return false;
    v->dim[PESIM_DIM_C] = v->dim[PESIM_DIM_R] = v->dim[PESIM_DIM_S] = 1;
    *lt = PESIM_OUTPUTS;
    return true;
}

// The bursts of units [u0, u1) of a vector step's operand (layer v of
// vector_operand, layout L), this reference's own enumeration: unit by
// unit, one channel of a pool's output row (n, p, k: the channel is
// vector_operand's group) with all its columns (its inputs the rows and
// columns its windows read, tile_box), any other op's one channel of a
// pixel of one group, the units counted in the layout's order of N P Q G
// (NHWC) or N G P Q (NCHW), then K, the fastest; then every burst once, in
// address order.
void unit_bursts(const pesim_layer &v, bool pool, int order, const RowMajor &L, int64_t u0, int64_t u1,
                 uint64_t burst, std::vector<uint64_t> &out)
{
    out.clear();
    static const int kPool[3] = {PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_G};
    static const int kNhwc[5] = {PESIM_DIM_N, PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_G, PESIM_DIM_K};
    static const int kNchw[5] = {PESIM_DIM_N, PESIM_DIM_G, PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_K};
    const int *ud = pool ? kPool : order == PESIM_DRAM_NCHW ? kNchw : kNhwc;
    const int nd = pool ? 3 : 5;
    for (int64_t u = u0; u < u1; u++) {
        Xfer x;
        for (int d = 0; d < PESIM_NDIMS; d++) x.lo[d] = 0, x.ext[d] = v.dim[d];
        int64_t r = u;
        for (int k = nd - 1; k >= 0; k--) {
            int64_t n = std::max<int64_t>(1, v.dim[ud[k]]);
            x.lo[ud[k]] = r % n, x.ext[ud[k]] = 1;
            r /= n;
        }
        if (r > 0) break;  // past the tensor
        box_bursts(L, tile_box(&v, L, x), burst, out);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

// A concat copy's DRAM side (net_step.h pesim_engine_dma.channels): the
// concat's output with `channels` channels, dense from `base` or the slice
// sl of its holder; the bursts of all of it.
void copy_bursts(const pesim_layer *l, int order, int64_t channels, const pesim_engine_slice &sl, uint64_t base,
                 uint64_t word_bytes, uint64_t burst, std::vector<uint64_t> &out)
{
    RowMajor L = row_major_layout(l, PESIM_OUTPUTS, order, base, word_bytes);
    TileBox b;
    for (int i = 0; i < 5; i++)
        if (L.dim[i] == 'K') L.size[i] = channels;
    for (int i = 4; i >= 0; i--) {
        L.stride[i] = i == 4 ? 1 : L.stride[i + 1] * L.size[i + 1];
        b.dim[i].push_back({0, L.size[i]});
    }
    if (sl.holder > 0) slice_layout(L, sl);
    out.clear();
    box_bursts(L, b, burst, out);
}

int add_region(Program &p, uint64_t base, uint64_t span)
{
    if (span == 0) span = p.burst_bytes ? p.burst_bytes : 1;
    p.regions.push_back(Region{base, span});
    return (int)p.regions.size() - 1;
}

// The level serving tensor t where the walker says `level`: the outermost is
// the operand's home.
int phys(const pesim_engine_step &st, int M, int t, int level) { return level == M - 1 ? st.home[t] : level; }

// The blocks of one step (a layer of a network, or the single layer of a
// plain program): drains, fills, DMAs, compute; then the flushes. Returns
// false past kMaxItems items. flushes receives the step's flush items, drains
// the latest drain of each pair that drained (pair order): what lands last.
bool build_blocks(Program &p, Builder &B, StepInput &in, Carry &carry, std::vector<int> &flushes,
                  std::vector<int> &drains)
{
    const pesim_engine_step &st = in.st;
    const pesim_arch *a = st.arch;
    const pesim_mapping *m = st.map;
    const int M = p.M;
    B.a = a;
    int64_t inst[PESIM_MAX_LEVELS];
    for (int lv = 0; lv < M; lv++) {
        inst[lv] = m ? pesim_mapping_instances(m, lv) : pesim_arch_instances(a, lv);
    }
    // The systolic level: the first (from the PEs up) with a systolic network.
    int sys = -1;
    for (int lv = 1; lv < M && sys < 0 && !st.vector; lv++)
        for (int t = 0; t < NT; t++)
            if (a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC) sys = lv;
    int64_t skew = sys > 0 ? a->level[sys].fanout_x + a->level[sys].fanout_y - 2 : 0;
    int64_t preload = sys > 0 ? a->level[sys].fanout_y : 0;

    // The blocks: this reference's own loop-nest interpreter for a mapping,
    // or the step's own blocks (a vector layer of a network, sim/net's plan).
    static thread_local LoopNest nest;
    static thread_local Block b;
    static thread_local pesim_block nb;
    std::vector<NestPair> pairs;
    if (m) {
        nest.init(a, st.layer, m, !p.network);
        pairs = nest.pairs();
    } else {
        for (int k = 0; k < st.n_pairs; k++)
            pairs.push_back(NestPair{st.pairs[k].tensor, st.pairs[k].child, st.pairs[k].parent});
    }
    auto next_block = [&]() -> bool {
        if (m) return nest.next(b);
        if (!(st.next && st.next(st.ctx, &nb))) return false;
        b.index = nb.index, b.steps = nb.steps, b.macs = 0, b.n = nb.n_xfers, b.unit0 = nb.unit0, b.unit1 = nb.unit1;
        for (int i = 0; i < nb.n_xfers; i++) {
            const pesim_xfer &y = nb.xfer[i];
            Xfer &x = b.x[i];
            x.tensor = y.tensor, x.child = y.child, x.parent = y.parent, x.pair = y.pair, x.stream = y.stream != 0;
            x.parent_reads = y.parent_reads, x.child_fills = y.child_fills, x.parent_updates = y.parent_updates;
            x.child_reads = y.child_reads, x.child_max = y.child_max;
            x.parent_max = y.parent_max, x.update_max = y.update_max, x.fill_max = y.fill_max;
            x.advance = y.advance != 0, x.drain_only = y.drain_only != 0;
        }
        return true;
    };
    const int np = (int)pairs.size();
    const pesim_level &topl = a->level[M - 1];
    const int rif = topl.is_dram && topl.dram.reads_in_flight > 1 ? topl.dram.reads_in_flight : 1;
    bool sys_pe_pair = false;
    for (int k = 0; k < np; k++) sys_pe_pair |= sys > 0 && pairs[k].child == sys - 1;
    std::vector<int> kp((size_t)np, kNone);
    for (int k = 0; k < np; k++)
        for (int j = 0; j < np; j++)
            if (pairs[j].tensor == pairs[k].tensor && pairs[j].child == pairs[k].parent) kp[(size_t)k] = j;
    int64_t first_lat = 0;
    for (int k = 0; k < np; k++)
        if (pairs[k].child < 0 &&
            pesim_level_latency_cycles(a, phys(st, M, pairs[k].tensor, pairs[k].parent)) > first_lat)
            first_lat = pesim_level_latency_cycles(a, phys(st, M, pairs[k].tensor, pairs[k].parent));
    if (p.opt.stall_free) first_lat = 0;

    std::vector<int> last_fill((size_t)np, kNone), last_drain((size_t)np, kNone);
    using Ring = std::array<int, kSlotRing>;  // newest first
    Ring none;
    none.fill(kNone);
    std::vector<Ring> prev_event((size_t)np, none), room_drain((size_t)np, none);
    auto push = [](Ring &r, int id) {
        std::copy_backward(r.begin(), r.end() - 1, r.end());
        r[0] = id;
    };
    std::vector<int64_t> up_child((size_t)np, 0), up_parent((size_t)np, 0), up_inst((size_t)np, 0);
    std::vector<int64_t> up_pmax((size_t)np, 0);  // the largest parent instance's share of up_parent
    for (int k = 0; k < np; k++) /* the buffers as the last step left them */
        if (pairs[k].child >= 0) {
            std::copy_n(carry.prev_event[pairs[k].tensor][pairs[k].child], kSlotRing, prev_event[(size_t)k].begin());
            std::copy_n(carry.room_drain[pairs[k].tensor][pairs[k].child], kSlotRing, room_drain[(size_t)k].begin());
            last_drain[(size_t)k] = carry.last_drain[pairs[k].tensor][pairs[k].child];
        }
    std::vector<bool> drained_here((size_t)np, false);
    // outputs: each pair's current tile (its origin) and the last drain of every tile it left
    using Origin = std::array<int64_t, 5>;
    std::vector<Origin> cur_tile((size_t)np, Origin{});
    std::vector<std::map<Origin, int>> tile_drain((size_t)np);
    // a row-major DRAM layout: each tensor of a MAC layer at its region's base; per
    // pair whose parent is DRAM, its current tile's box (what its drain writes)
    // (a vector step: its operands' layouts, each tile its block's units); an operand
    // that is a slice of a concat's output in its holder (not a MAC layer's weights slot)
    const bool row_major = p.has_dram && (m || st.vector) && a->level[M - 1].dram.layout == PESIM_DRAM_ROW_MAJOR;
    const int order = a->level[M - 1].dram.order;
    RowMajor lay[NT];
    bool laid[NT] = {false, false, false};
    pesim_layer vop[NT];  // a vector step: each operand as a layer of its own
    for (int t = 0; row_major && t < NT; t++) {
        const uint64_t base = p.regions[(size_t)B.region[t]].base, wb = (uint64_t)pesim_arch_word_bytes(a);
        int lt = t;
        if (m) lay[t] = row_major_layout(st.layer, t, order, base, wb), laid[t] = true;
        else if ((laid[t] = vector_operand(st.layer, t, &vop[t], &lt))) lay[t] = row_major_layout(&vop[t], lt, order, base, wb);
        if (laid[t] && st.slice[t].holder > 0 && !(m && t == PESIM_WEIGHTS)) slice_layout(lay[t], st.slice[t]);
    }
    const bool pool = st.layer && st.layer->op == PESIM_OP_POOL;
    std::vector<TileBox> tile_box_of((size_t)np);
    std::vector<std::pair<int64_t, int64_t>> units_of((size_t)np);  // a vector step: each pair's tile's units
    // the bursts a drain or flush of pair k writes: its tile's box, or units
    auto tile_bursts = [&](int k, std::vector<uint64_t> &out) {
        out.clear();
        if (m) box_bursts(lay[PESIM_OUTPUTS], tile_box_of[(size_t)k], p.burst_bytes, out);
        else unit_bursts(vop[PESIM_OUTPUTS], pool, order, lay[PESIM_OUTPUTS], units_of[(size_t)k].first,
                         units_of[(size_t)k].second, p.burst_bytes, out);
    };
    std::vector<bool> has_box((size_t)np, false);
    std::vector<uint64_t> bl;  // the bursts of the transfer being built
    std::vector<StepLoop> steps;  // row-major: the block's inner loops (its streams' steps)
    int prev_compute = carry.prev_compute;
    // the DMAs before the first block
    size_t next_dma = 0;
    auto issue_dmas = [&](int64_t after) {
        for (; next_dma < in.dma.size() && in.dma[next_dma].d.after_block == after; next_dma++) {
            DmaInput &di = in.dma[next_dma];
            const pesim_engine_dma &d = di.d;
            Draft dd;
            Item &it = dd.it;
            it.kind = IT_DMA, it.block = after, it.tensor = (int8_t)d.tensor, it.child = (int8_t)d.dst,
            it.parent = (int8_t)d.src;
            it.module = B.xfer(d.tensor, d.dst);
            for (int x : di.deps) dd.deps.push_back({x, ST_END});
            int id = B.add_item(dd);
            int rs = add_region(p, d.src_region.base, d.src_region.span);
            int rd = add_region(p, d.dst_region.base, d.dst_region.span);
            // row-major, a concat's copy: each DRAM side's bursts
            const bool listed = p.has_dram && d.channels > 0 && a->level[M - 1].dram.layout == PESIM_DRAM_ROW_MAJOR;
            std::vector<uint64_t> ls, ld;
            if (listed) {
                const uint64_t wb = (uint64_t)pesim_arch_word_bytes(a);
                copy_bursts(st.layer, order, d.channels, d.src_slice, d.src_region.base, wb, p.burst_bytes, ls);
                copy_bursts(st.layer, order, d.channels, d.dst_slice, d.dst_region.base, wb, p.burst_bytes, ld);
            }
            const std::vector<uint64_t> *l1 = !listed ? nullptr : a->level[d.src].is_dram ? &ls : &ld;
            B.transfer(id, d.tensor, d.src, cdiv(d.words, pesim_arch_instances(a, d.src)), d.dst,
                       cdiv(d.words, pesim_arch_instances(a, d.dst)), -1, 0, D_WRITE, rs, rd, 0, l1,
                       listed ? &ld : nullptr);
            di.item = id;
        }
    };
    issue_dmas(-1);
    for (int t = 0; t < NT; t++) /* an operand its own load completes */
        if (st.ready_dma[t] > 0) in.complete[t] = in.dma[(size_t)st.ready_dma[t] - 1].item;
    Program::Step *ps = p.network ? &p.steps.back() : nullptr;
    while (next_block()) {
        if (p.items.size() > kMaxItems) return false;
        for (int i = 0; i < b.n; i++) {
            const Xfer &x = b.x[i];
            int pp = phys(st, M, x.tensor, x.parent);
            for (pesim_access(*acc)[NT] : {p.access, ps ? ps->access : nullptr}) {
                if (!acc) continue;
                acc[pp][x.tensor].reads += x.parent_reads;
                acc[pp][x.tensor].updates += x.parent_updates;
                if (x.child >= 0) {
                    acc[x.child][x.tensor].fills += x.child_fills;
                    acc[x.child][x.tensor].reads += x.child_reads;
                }
            }
        }
        // Drains: the old output tiles go up, innermost pair first.
        for (int i = b.n - 1; i >= 0; i--) {
            const Xfer &x = b.x[i];
            const int k = x.pair;
            if (x.stream || x.tensor != PESIM_OUTPUTS) continue;
            if (b.index == 0 || !(up_child[(size_t)k] || up_parent[(size_t)k])) continue;
            Draft d;
            Item &it = d.it;
            int pp = phys(st, M, x.tensor, x.parent);
            it.kind = IT_DRAIN, it.block = b.index, it.pair = k, it.tensor = x.tensor, it.child = x.child,
            it.parent = (int8_t)pp, it.prev_compute = prev_compute;
            it.module = B.xfer(x.tensor, x.child);
            if (prev_compute != kNone) d.deps.push_back({prev_compute, ST_END});
            for (int j = 0; j < np; j++) /* the lower drains' words landed in this child (END, on chip) */
                if (pairs[j].tensor == PESIM_OUTPUTS && pairs[j].parent == x.child && last_drain[(size_t)j] != kNone)
                    d.deps.push_back({last_drain[(size_t)j], ST_END});
            int id = B.add_item(d);
            int64_t wc = up_inst[(size_t)k], wp = slowest_share(up_parent[(size_t)k], inst[pp], up_pmax[(size_t)k]);
            bl.clear();
            if (has_box[(size_t)k]) tile_bursts(k, bl);
            B.transfer(id, PESIM_OUTPUTS, x.child, wc, pp, wp, pp, wp, D_WRITE_POSTED, B.region[PESIM_OUTPUTS],
                       B.region[PESIM_OUTPUTS], m ? reduce_path(a, m, x.child, x.parent) : 0,
                       has_box[(size_t)k] ? &bl : nullptr);
            last_drain[(size_t)k] = id;
            push(room_drain[(size_t)k], id);
            drained_here[(size_t)k] = true;
            if (m) tile_drain[(size_t)k][cur_tile[(size_t)k]] = id;
        }
        // Fills: the new tiles come down, outermost pair first.
        bool fold = b.index == 0 && sys > 0 && !sys_pe_pair, fold_preload = false;
        std::vector<int> blk_reads;  // the block's reads in flight (descriptors), in order
        size_t resolved = 0;         // how many of them have their data before the next one issues
        std::vector<int> fills;
        for (int i = 0; i < b.n; i++) {
            const Xfer &x = b.x[i];
            const int k = x.pair;
            if (x.stream) continue;
            if (x.drain_only) {  // the old tile drained above; no new one
                up_child[(size_t)k] = up_parent[(size_t)k] = 0;
                continue;
            }
            Draft d;
            Item &it = d.it;
            int pp = phys(st, M, x.tensor, x.parent);
            it.kind = IT_FILL, it.block = b.index, it.pair = k, it.tensor = x.tensor, it.child = x.child,
            it.parent = (int8_t)pp, it.prev_compute = prev_compute;
            it.module = B.xfer(x.tensor, x.child);
            // room: the slot of the tile N events back (N tile slots)
            const int slots = pesim_level_tile_slots(&a->level[x.child]);
            it.room = slots > 1 ? prev_event[(size_t)k][(size_t)(slots - 2)] : prev_compute;
            if (it.room != kNone) d.deps.push_back({it.room, ST_END});
            int fence = kNone;
            if (x.tensor == PESIM_OUTPUTS) { /* room: that tile's words left */
                it.drain = room_drain[(size_t)k][(size_t)(slots > 1 ? slots - 2 : 0)];
                if (it.drain != kNone) d.deps.push_back({it.drain, ST_LEFT});
            }
            if (x.tensor == PESIM_OUTPUTS && last_drain[(size_t)k] != kNone) {
                it.readback = x.parent_reads > 0;
                if (it.readback) { /* the partial sums of this tile landed: its own last drain */
                    Origin o;
                    std::copy(x.origin, x.origin + 5, o.begin());
                    auto f = tile_drain[(size_t)k].find(o);
                    it.readback_of = !m ? last_drain[(size_t)k] : f != tile_drain[(size_t)k].end() ? f->second : kNone;
                    if (it.readback_of != kNone) {
                        d.deps.push_back({it.readback_of, ST_LANDED});
                        fence = p.items[(size_t)it.readback_of].desc;
                    }
                }
            }
            if (x.tensor == PESIM_OUTPUTS) std::copy(x.origin, x.origin + 5, cur_tile[(size_t)k].begin());
            it.parent_fill = kp[(size_t)k] != kNone ? last_fill[(size_t)kp[(size_t)k]] : kNone;
            if (it.parent_fill != kNone) d.deps.push_back({it.parent_fill, ST_END});
            if (kp[(size_t)k] == kNone && in.complete[x.tensor] != kNone) { /* the operand must be complete */
                it.complete = in.complete[x.tensor];
                it.complete_is_load = st.ready_is_load[x.tensor] != 0;
                d.deps.push_back({it.complete, ST_END});
            }
            int id = B.add_item(d);
            if (fence != kNone) B.add_desc(D_FENCE, id, kNone, 0, fence);
            // the slowest child instance (the largest tile) sets the pace of an operand fill
            // and the slowest parent instance (its children's union the largest) at the parent
            int64_t wpar = slowest_share(x.parent_reads, inst[pp], x.parent_max);
            int64_t wch = x.tensor == PESIM_OUTPUTS ? slowest_readback_words(x, inst[x.child])
                                                    : slowest_child_words(x, x.child_fills, inst[x.child]);
            // a unicast network carries one copy per child; a mesh as many over its busiest link,
            // then hops to the farthest child; a bus or systolic one, the multicast union
            const pesim_noc_kind nk = a->level[pp].noc[x.tensor].kind;
            int64_t wnet = wpar, lnet = 0, copies = slowest_share(x.child_fills, inst[pp], x.fill_max);
            if (nk == PESIM_NOC_UNICAST) wnet = copies;
            if (nk == PESIM_NOC_MESH && m) {
                wnet = mesh_link_words(m, pp, copies);
                lnet = wnet > 0 ? mesh_far_hops(m, pp) - 1 : 0;
            }
            // reads in flight: a fill that needs its parent's data waits for it and for every
            // read of the block issued before it; a read beyond the window waits for the oldest
            if (kp[(size_t)k] != kNone)
                for (size_t j = resolved; j < blk_reads.size(); j++)
                    if (p.items[(size_t)p.descs[(size_t)blk_reads[j]].item].pair == kp[(size_t)k]) resolved = j + 1;
            bool boxed = row_major && a->level[pp].is_dram && laid[x.tensor];
            if (boxed && !m) {  // a vector step: the block's units
                const int64_t u0 = b.unit0, u1 = b.unit1;
                units_of[(size_t)k] = {u0, u1}, has_box[(size_t)k] = true;
                unit_bursts(vop[x.tensor], pool, order, lay[x.tensor], u0, u1, p.burst_bytes, bl);
            } else if (boxed) {  // the tile's box; an advancing window reads its new rows only
                TileBox tb = tile_box(st.layer, lay[x.tensor], x);
                bl.clear();
                if (x.tensor == PESIM_INPUTS && x.advance && x.child_fills > 0 && has_box[(size_t)k]) {
                    TileBox fresh = tb;
                    advance_box(fresh, tile_box_of[(size_t)k]);
                    box_bursts(lay[x.tensor], fresh, p.burst_bytes, bl);
                } else {
                    box_bursts(lay[x.tensor], tb, p.burst_bytes, bl);
                }
                tile_box_of[(size_t)k] = tb, has_box[(size_t)k] = true;
            }
            if (wpar > 0 || wch > 0)
                B.transfer(id, x.tensor, pp, wpar, x.child, wch, pp, wnet, D_READ, B.region[x.tensor],
                           B.region[x.tensor], lnet, boxed ? &bl : nullptr);
            if (rif > 1 && p.has_dram && a->level[pp].is_dram && p.items[(size_t)id].desc != kNone) {
                Desc &dr = p.descs[(size_t)p.items[(size_t)id].desc];
                if (blk_reads.size() - resolved >= (size_t)rif) resolved++;
                dr.in_flight = true, dr.block = b.index, dr.wait_n = (int)resolved, dr.seq = (int)blk_reads.size();
                blk_reads.push_back(p.items[(size_t)id].desc);
            }
            push(prev_event[(size_t)k], prev_compute);
            if (x.tensor == PESIM_OUTPUTS) {
                up_child[(size_t)k] = x.child_reads, up_parent[(size_t)k] = x.parent_updates;
                up_inst[(size_t)k] = slowest_child_words(x, x.child_reads, inst[x.child]);
                up_pmax[(size_t)k] = x.update_max;
            }
            last_fill[(size_t)k] = id;
            fills.push_back(id);
            if (sys > 0 && x.child == sys - 1) {
                fold = true;
                if (x.tensor != PESIM_OUTPUTS) fold_preload = true;
            }
        }
        // Operands streamed straight from their home must be complete.
        std::vector<Dep> gates;
        for (int i = 0; i < b.n; i++) {
            const Xfer &x = b.x[i];
            if (!x.stream || kp[(size_t)x.pair] != kNone || in.complete[x.tensor] == kNone) continue;
            gates.push_back({in.complete[x.tensor], st.ready_is_load[x.tensor] ? 1 : 0});
        }
        issue_dmas(b.index);
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
        for (const Dep &g : gates) cd.deps.push_back({g.item, ST_END});
        int cid = B.add_item(cd);
        if (p.network) {
            p.stream_gates.resize(p.items.size());
            p.stream_gates[(size_t)cid] = gates;
        }
        if (!p.opt.stall_free) {
            int64_t rw[PESIM_MAX_LEVELS] = {0}, uw[PESIM_MAX_LEVELS] = {0}, dram_rw[PESIM_NTENSORS] = {0};
            const Xfer *dram_x[PESIM_NTENSORS] = {nullptr, nullptr, nullptr};  // each tensor's stream from DRAM
            for (int i = 0; i < b.n; i++) {
                const Xfer &x = b.x[i];
                if (!x.stream) continue;
                int lv = phys(st, M, x.tensor, x.parent);
                // the lanes of the slowest parent instance (the largest tile) set the pace
                int64_t r = slowest_share(x.parent_reads, inst[lv], x.parent_max);
                int64_t u = slowest_share(x.parent_updates, inst[lv], x.update_max);
                rw[lv] += r, uw[lv] += u;
                if (a->level[lv].is_dram) dram_rw[x.tensor] += r, dram_x[x.tensor] = &x;
                double nr = a->level[lv].noc[x.tensor].words_per_cycle;
                B.add_use(cid, lv, 2, x.tensor, share_cycles(r + u, nr), r + u, nr, 0, nullptr);
            }
            for (int lv = 0; lv < p.M; lv++) {
                if (!(rw[lv] || uw[lv])) continue;
                const pesim_level &v = a->level[lv];
                if (v.is_dram) {  // operands straight from DRAM: reads a tensor at a time (weights, inputs,
                    if (!p.has_dram) continue;  // partial sums), each from its own region; then writes
                    // row-major: the bursts of the streams' steps
                    if (row_major && m) nest.step_loops(steps);
                    for (int t = 0; t < PESIM_NTENSORS; t++) {
                        if (!dram_rw[t]) continue;
                        if (row_major && m)
                            stream_bursts(st.layer, lay[t], *dram_x[t], steps, t == PESIM_OUTPUTS, p.burst_bytes, bl);
                        int rg = B.region[t];
                        int d = B.add_desc(D_READ, cid, rg, dram_rw[t], kNone, false, row_major && m ? &bl : nullptr);
                        if (p.items[(size_t)cid].dram_rd == kNone) p.items[(size_t)cid].dram_rd = d;
                        p.items[(size_t)cid].dram_rd_n++;
                    }
                    if (uw[lv]) {
                        if (row_major && m)
                            stream_bursts(st.layer, lay[PESIM_OUTPUTS], *dram_x[PESIM_OUTPUTS], steps, false,
                                          p.burst_bytes, bl);
                        p.items[(size_t)cid].dram_wr = B.add_desc(D_WRITE, cid, B.region[PESIM_OUTPUTS], uw[lv],
                                                                  kNone, false, row_major && m ? &bl : nullptr);
                    }
                    continue;
                }
                int64_t cr = share_cycles(rw[lv], read_rate(v));
                int64_t cu = share_cycles(uw[lv], write_rate(v));
                if (p.shared[lv]) {
                    B.add_use(cid, lv, 1, -1, cr + cu, rw[lv] + uw[lv], 0, 0, nullptr);
                } else {
                    if (rw[lv]) B.add_use(cid, lv, 0, -1, cr, rw[lv], read_rate(v), 0, nullptr);
                    if (uw[lv]) B.add_use(cid, lv, 1, -1, cu, uw[lv], write_rate(v), 0, nullptr);
                }
            }
        }
        if (fold) p.folds++;
        p.busy += b.steps;
        p.macs += b.macs;
        if (ps) ps->busy += b.steps;
        p.blocks++;
        if (ps && ps->first_compute == kNone) ps->first_compute = cid;
        prev_compute = cid;
    }
    issue_dmas(INT64_MAX); /* after_block past the last: none in practice */
    if (m && !p.network) {
        nest.report(p.nets);
        p.has_nets = true;
    }
    // The last output tiles drain, innermost pair first; then every write lands.
    int prev = prev_compute;
    for (int c = 0; c < p.M; c++) {
        int k = kNone;
        for (int j = 0; j < np; j++)
            if (pairs[j].tensor == PESIM_OUTPUTS && pairs[j].child == c) k = j;
        if (k == kNone) continue;
        Draft d;
        Item &it = d.it;
        int pp = phys(st, M, PESIM_OUTPUTS, pairs[k].parent);
        it.kind = IT_FLUSH, it.block = p.blocks, it.pair = k, it.tensor = PESIM_OUTPUTS, it.child = (int8_t)c,
        it.parent = (int8_t)pp, it.prev = prev;
        it.module = B.xfer(PESIM_OUTPUTS, c);
        it.drain = last_drain[(size_t)k];
        if (prev != kNone) d.deps.push_back({prev, ST_END});
        if (it.drain != kNone) d.deps.push_back({it.drain, ST_LEFT});
        int id = B.add_item(d);
        int64_t wc = up_inst[(size_t)k], wp = slowest_share(up_parent[(size_t)k], inst[pp], up_pmax[(size_t)k]);
        bl.clear();
        if (has_box[(size_t)k]) tile_bursts(k, bl);
        B.transfer(id, PESIM_OUTPUTS, c, wc, pp, wp, pp, wp, D_WRITE, B.region[PESIM_OUTPUTS],
                   B.region[PESIM_OUTPUTS], m ? reduce_path(a, m, c, pairs[k].parent) : 0,
                   has_box[(size_t)k] ? &bl : nullptr);
        prev = id;
        flushes.push_back(id);
        carry.last_drain[PESIM_OUTPUTS][c] = id; /* the buffer is empty once the flush left it */
        push(room_drain[(size_t)k], id);
    }
    for (int k = 0; k < np; k++) {
        if (pairs[k].child >= 0) {
            std::copy_n(prev_event[(size_t)k].begin(), kSlotRing, carry.prev_event[pairs[k].tensor][pairs[k].child]);
            std::copy_n(room_drain[(size_t)k].begin(), kSlotRing, carry.room_drain[pairs[k].tensor][pairs[k].child]);
        }
        if (drained_here[(size_t)k]) drains.push_back(last_drain[(size_t)k]); /* its latest: the rest landed before */
    }
    if (ps) ps->last_compute = ps->first_compute != kNone ? prev_compute : kNone; /* a copy step computes nothing */
    carry.prev_compute = prev_compute;
    return true;
}

// Per stage, the items waiting on each item (compressed rows).
void index_dependents(Program &p)
{
    for (int s = 0; s < kStages; s++) p.dep_index[s].assign(p.items.size() + 1, 0);
    for (const Dep &d : p.dep_pool) p.dep_index[d.stage][(size_t)d.item + 1]++;
    for (int s = 0; s < kStages; s++) {
        for (size_t i = 0; i < p.items.size(); i++) p.dep_index[s][i + 1] += p.dep_index[s][i];
        p.dep_items[s].assign(p.dep_index[s].back(), 0);
    }
    std::vector<uint32_t> fillp[kStages];
    for (int s = 0; s < kStages; s++) fillp[s] = p.dep_index[s];
    for (size_t i = 0; i < p.items.size(); i++)
        for (const Dep &d : p.deps(p.items[i])) p.dep_items[d.stage][fillp[d.stage][(size_t)d.item]++] = (int)i;
}

void begin(Program &p, const pesim_arch *a, const pesim_engine_options &opt)
{
    p.arch = a, p.opt = opt;
    p.M = a->n_levels;
    std::memset(p.access, 0, sizeof p.access);
    for (int lv = 0; lv < p.M; lv++) p.shared[lv] = a->level[lv].banks * a->level[lv].ports < 2 && !a->level[lv].is_dram;
    const pesim_level &top = a->level[p.M - 1];
    p.has_dram = top.is_dram && !opt.stall_free;
    if (p.has_dram) p.burst_bytes = (uint64_t)(top.dram.bus_bits / 8) * (uint64_t)top.dram.BL; // one burst: bus x BL
}

}  // namespace

bool build_program(Program &p, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                   const pesim_engine_options &opt)
{
    begin(p, a, opt);
    p.layer = l, p.map = m;
    for (int lv = 0; lv < p.M; lv++) {
        int64_t n = 1;
        for (int u = lv + 1; u < p.M; u++)
            for (int d = 0; d < PESIM_NDIMS; d++) n *= m->level[u].spatial_x[d] * m->level[u].spatial_y[d];
        p.inst[lv] = n;
    }
    Builder B{p, a, {}};
    std::memset(B.xmod, -1, sizeof B.xmod);
    StepInput in;
    std::memset(&in.st, 0, sizeof in.st);
    in.st.arch = a, in.st.layer = l, in.st.map = m;
    for (int t = 0; t < NT; t++) {
        in.st.home[t] = p.M - 1;
        in.complete[t] = kNone;
    }
    if (p.has_dram) {
        // Tiles are laid out contiguously, each tensor in its own region
        // starting on a MiB boundary; a transfer takes the next bursts of its
        // tensor's region (wrapping at its end).
        uint64_t base = 0, wb = (uint64_t)pesim_arch_word_bytes(a);
        for (int t = 0; t < NT; t++) {
            uint64_t sz = (uint64_t)pesim_layer_tensor_words(l, (pesim_tensor)t) * wb;
            sz = (sz + p.burst_bytes - 1) / p.burst_bytes * p.burst_bytes;
            if (sz == 0) sz = p.burst_bytes;
            B.region[t] = add_region(p, base, sz);
            base += (sz + (1u << 20) - 1) / (1u << 20) * (1u << 20);
        }
    }
    Carry carry;
    std::vector<int> flushes, drains;
    if (!build_blocks(p, B, in, carry, flushes, drains)) return false;
    Draft fd;
    Item &fin = fd.it;
    int prev = flushes.empty() ? carry.prev_compute : flushes.back();
    fin.kind = IT_FINISH, fin.block = p.blocks, fin.prev = prev, fin.prev_compute = carry.prev_compute;
    fin.module = B.module("mac");
    if (prev != kNone) fd.deps.push_back({prev, ST_END});
    // every drain's writes land
    for (int dr : drains) {
        fd.deps.push_back({dr, ST_LANDED});
        fd.list.push_back(dr);
    }
    int fid = B.add_item(fd);
    for (int dr : fd.list)
        if (p.items[(size_t)dr].desc != kNone) B.add_desc(D_FENCE, fid, kNone, 0, p.items[(size_t)dr].desc);
    index_dependents(p);
    return true;
}

void begin_network(Program &p, const pesim_arch *a, const pesim_engine_options &opt)
{
    begin(p, a, opt);
    p.network = true;
    p.layer = nullptr, p.map = nullptr;
}

int add_network_step(Program &p, StepInput &in, Carry &carry)
{
    p.steps.emplace_back();
    Program::Step &s = p.steps.back();
    s.arch = in.st.arch;
    s.first_item = (int)p.items.size();
    s.vector = in.st.vector != 0;
    s.act_steps = in.st.act_steps;
    s.reduce0 = in.st.map ? reduce_cycles(in.st.arch, in.st.map, 0) : 0;
    std::memset(s.access, 0, sizeof s.access);
    Builder B{p, in.st.arch, {}};
    std::memset(B.xmod, -1, sizeof B.xmod);
    B.step = (int16_t)(p.steps.size() - 1);
    for (int t = 0; t < NT; t++) B.region[t] = p.has_dram ? add_region(p, in.st.region[t].base, in.st.region[t].span) : kNone;
    std::vector<int> flushes, drains;
    if (!build_blocks(p, B, in, carry, flushes, drains)) return kNone;
    // The layer's end: its last compute, its flushes and every drain landed,
    // its pipeline, its fused activation; a copy step's DMAs and inputs.
    Draft ed;
    Item &en = ed.it;
    en.kind = IT_END, en.block = p.blocks;
    en.module = B.module("mac");
    en.prev_compute = p.steps.back().last_compute;
    if (en.prev_compute != kNone) ed.deps.push_back({en.prev_compute, ST_END});
    for (int f : flushes) ed.deps.push_back({f, ST_END});
    for (int dr : drains) {
        ed.deps.push_back({dr, ST_LANDED});
        ed.list.push_back(dr);
    }
    if (p.steps.back().first_compute == kNone) /* a copy step: its DMAs and inputs */
        for (const DmaInput &d : in.dma)
            if (d.d.after_block < 0) ed.deps.push_back({d.item, ST_END});
    for (int x : in.end_deps) ed.deps.push_back({x, ST_END});
    int eid = B.add_item(ed);
    for (int dr : ed.list) /* the DMA stream waits until they landed (the engine resolves them) */
        if (p.items[(size_t)dr].desc != kNone) B.add_desc(D_FENCE, eid, kNone, 0, p.items[(size_t)dr].desc);
    p.steps.back().end_item = eid;
    return eid;
}

void end_network(Program &p)
{
    Builder B{p, p.arch, {}};
    std::memset(B.xmod, -1, sizeof B.xmod);
    B.step = (int16_t)(p.steps.empty() ? 0 : p.steps.size() - 1);
    Draft fd;
    Item &fin = fd.it;
    fin.kind = IT_FINISH, fin.block = p.blocks;
    fin.module = B.module("mac");
    for (const Program::Step &s : p.steps) fd.deps.push_back({s.end_item, ST_END});
    B.add_item(fd);
    index_dependents(p);
}

}  // namespace pesim_sc
