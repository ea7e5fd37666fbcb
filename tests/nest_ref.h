// nest_ref.h - a brute-force reference of the mapping semantics (docs/model.md),
// for tests only. It walks every point of the loop nest, builds each instance's
// tiles as explicit sets of tensor elements (and, for the "timeloop"
// conventions, as axis-aligned boxes), and counts reads, fills and updates by
// the operational rules of either convention. It shares no code with sim/nest:
// the closed forms of sim/nest/nest.c must agree with it exactly. Slow by
// design: use it on small layers.
#ifndef PESIM_TESTS_NEST_REF_H
#define PESIM_TESTS_NEST_REF_H

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

extern "C" {
#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"
}

struct RefCounts {
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS] = {};
    int64_t macs = 0;
    int64_t temporal_steps = 0;
};

namespace nestref {

struct Loop {
    int level, dim;
    bool spatial;
    int64_t factor;
};

// The five coordinates of tensor t's element at dim values v (inputs: rows
// h = p*stride + r*dilation and columns w).
inline std::array<int64_t, 5> coords(const pesim_layer &l, int t, const int64_t *v)
{
    enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
           P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };
    if (t == PESIM_WEIGHTS) return {v[G], v[K], v[C], v[R], v[S]};
    if (t == PESIM_OUTPUTS) return {v[G], v[N], v[K], v[P], v[Q]};
    return {v[G], v[N], v[C], v[P] * l.stride_h + v[R] * l.dilation_h, v[Q] * l.stride_w + v[S] * l.dilation_w};
}

inline int64_t linear(const std::array<int64_t, 5> &x)
{
    int64_t id = 0;
    for (int i = 0; i < 5; i++) id = id * 4096 + x[i];
    return id;
}

inline bool keeps(const pesim_arch &a, const pesim_mapping &m, int lv, int t)
{
    return lv == a.n_levels - 1 || (a.level[lv].keeps[t] && !m.level[lv].bypass[t]);
}

// An axis-aligned box [lo, hi] per coordinate (Timeloop's tile shape).
struct Box {
    bool empty = true;
    std::array<int64_t, 5> lo{}, hi{};
    void add(const std::array<int64_t, 5> &x)
    {
        for (int i = 0; i < 5; i++) {
            if (empty || x[i] < lo[i]) lo[i] = x[i];
            if (empty || x[i] > hi[i]) hi[i] = x[i];
        }
        empty = false;
    }
    int64_t size() const
    {
        if (empty) return 0;
        int64_t s = 1;
        for (int i = 0; i < 5; i++) s *= hi[i] - lo[i] + 1;
        return s;
    }
    bool operator<(const Box &o) const
    {
        if (empty != o.empty) return empty;
        return lo != o.lo ? lo < o.lo : hi < o.hi;
    }
    bool operator==(const Box &o) const { return empty == o.empty && (empty || (lo == o.lo && hi == o.hi)); }
};

// Timeloop's delta of a new box against the previous one: what is left of
// the new box when the previous one overlaps it and both differ along at most
// one axis; the whole new box otherwise.
inline Box box_delta(const Box &nw, const Box &pv)
{
    if (pv.empty || nw.empty) return nw;
    if (nw == pv) return Box();
    for (int i = 0; i < 5; i++)
        if (pv.hi[i] < nw.lo[i] || pv.lo[i] > nw.hi[i]) return nw;
    int axis = -1;
    for (int i = 0; i < 5; i++)
        if (nw.lo[i] != pv.lo[i] || nw.hi[i] != pv.hi[i]) {
            if (axis >= 0) return nw;
            axis = i;
        }
    Box d = nw;
    if (pv.lo[axis] <= nw.lo[axis]) {
        if (pv.hi[axis] >= nw.hi[axis]) return Box();
        d.lo[axis] = pv.hi[axis] + 1;
    } else {
        if (pv.hi[axis] < nw.hi[axis]) return nw; // would fracture
        d.hi[axis] = pv.lo[axis] - 1;
    }
    return d;
}

// "timeloop": what a direct child of the parent (a subtree) needs at an
// event: per coordinate the values of its leaves' tiles, the input rows and
// columns closed into their span (Timeloop's tiles are boxes). Its words are
// the product of the coordinates' sizes.
struct SubTile {
    std::array<std::set<int64_t>, 5> v;
    void add(const std::set<int64_t> *leaf)
    {
        for (int i = 0; i < 5; i++) v[i].insert(leaf[i].begin(), leaf[i].end());
    }
    void close_rows()
    {
        for (int i = 3; i < 5; i++)
            if (!v[i].empty())
                for (int64_t x = *v[i].begin(); x <= *v[i].rbegin(); x++) v[i].insert(x);
    }
    int64_t size() const
    {
        int64_t s = 1;
        for (int i = 0; i < 5; i++) s *= (int64_t)v[i].size();
        return s;
    }
    bool operator<(const SubTile &o) const { return v < o.v; }
};

// Timeloop's delta of a subtree's tile against its previous one: the new rows
// (or columns) when only they moved and the spans overlap, else the whole tile.
inline SubTile sub_delta(const SubTile &nw, const SubTile &pv)
{
    int axis = -1;
    for (int i = 0; i < 5; i++)
        if (nw.v[i] != pv.v[i]) {
            if (axis >= 0 || i < 3) return nw;
            axis = i;
        }
    if (axis < 0) return SubTile();
    int64_t nlo = *nw.v[axis].begin(), nhi = *nw.v[axis].rbegin();
    int64_t plo = *pv.v[axis].begin(), phi = *pv.v[axis].rbegin();
    if (phi < nlo || plo > nhi || plo > nlo) return nw;
    SubTile d = nw;
    d.v[axis].clear();
    for (int64_t x = phi + 1; x <= nhi; x++) d.v[axis].insert(x);
    return d;
}

}  // namespace nestref

// Returns the reference counts under a.conventions; the mapping must be
// structurally valid.
inline RefCounts nest_reference(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    using namespace nestref;
    const int M = a.n_levels;
    const bool tl = a.conventions == PESIM_CONV_TIMELOOP;
    const bool elide = tl && a.first_read_elision; // a child's first visit of an output word is no fill
    std::vector<Loop> loops;  // outermost first
    for (int lv = M - 1; lv >= 0; lv--) {
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int d = m.level[lv].order[i];
            loops.push_back({lv, d, false, m.level[lv].temporal[d]});
        }
        for (int d = 0; d < PESIM_NDIMS; d++)
            loops.push_back({lv, d, true, m.level[lv].spatial_x[d] * m.level[lv].spatial_y[d]});
    }
    const int NL = (int)loops.size();
    // weight of each loop's digit within its dim: product of the factors of the
    // same dim that are deeper in the nest
    std::vector<int64_t> weight(NL);
    for (int i = 0; i < NL; i++) {
        int64_t w = 1;
        for (int j = i + 1; j < NL; j++)
            if (loops[j].dim == loops[i].dim) w *= loops[j].factor;
        weight[i] = w;
    }

    // Enumerate the points once, in nest order.
    std::vector<std::vector<int64_t>> pts;  // digits of valid points
    std::vector<int64_t> dig(NL, 0);
    RefCounts out;
    std::set<std::vector<int64_t>> tsteps;
    for (;;) {
        int64_t v[PESIM_NDIMS] = {0};
        for (int i = 0; i < NL; i++) v[loops[i].dim] += dig[i] * weight[i];
        bool ok = true;
        for (int d = 0; d < PESIM_NDIMS; d++) ok = ok && v[d] < l.dim[d];
        if (ok) {
            pts.push_back(dig);
            std::vector<int64_t> ts;
            for (int i = 0; i < NL; i++)
                if (!loops[i].spatial) ts.push_back(dig[i]);
            tsteps.insert(ts);
        }
        int i = NL - 1;
        while (i >= 0 && ++dig[i] == loops[i].factor) dig[i--] = 0;
        if (i < 0) break;
    }
    out.macs = (int64_t)pts.size();
    out.temporal_steps = (int64_t)tsteps.size();

    auto values = [&](const std::vector<int64_t> &dg, int64_t *v) {
        for (int d = 0; d < PESIM_NDIMS; d++) v[d] = 0;
        for (int i = 0; i < NL; i++) v[loops[i].dim] += dg[i] * weight[i];
    };

    for (int t = 0; t < PESIM_NTENSORS; t++) {
        int c = -1;
        for (int p = 0; p < M; p++) {
            if (!keeps(a, m, p, t)) continue;
            // j*: innermost temporal loop above c with factor > 1, relevant to t
            // (a loop "> 1" is one whose index can be past 0 at a valid point)
            auto runs = [&](int i) { return loops[i].factor > 1 && weight[i] < l.dim[loops[i].dim]; };
            int js = -1;
            for (int i = 0; i < NL; i++)
                if (!loops[i].spatial && loops[i].level > c && runs(i) &&
                    (c < 0 || pesim_dim_relevant((pesim_tensor)t, (pesim_dim)loops[i].dim)))
                    js = i;
            // When a child keeps what it had at an advance of j* by one:
            // "pesim": inputs at a level with sliding_reuse, advancing a P, Q,
            // R or S loop with no spatial factor of that dim between the child
            // and the loop; "timeloop": any tensor (the box difference), when
            // no loop with factor > 1 sits inside j* above the child.
            bool sliding = false;
            if (c >= 0 && js >= 0) {
                int jd = loops[js].dim;
                if (tl) {
                    sliding = true;
                    for (int i = js + 1; i < NL; i++)
                        if (!loops[i].spatial && loops[i].level > c && runs(i)) sliding = false;
                } else if (t == PESIM_INPUTS && a.level[c].sliding_reuse &&
                           (jd == PESIM_DIM_P || jd == PESIM_DIM_Q || jd == PESIM_DIM_R || jd == PESIM_DIM_S)) {
                    bool ssp = false;
                    for (int i = 0; i < NL; i++)
                        ssp |= loops[i].spatial && loops[i].dim == jd && loops[i].level > c &&
                               loops[i].level <= loops[js].level && runs(i);
                    sliding = !ssp;
                }
            }
            // key: (parent instance, selected tuple) -> child instance -> tile
            typedef std::vector<int64_t> Key;
            // "timeloop": the parent's fan-out compares its direct children,
            // the subtrees of level p-1: the first `sub` digits of a child key
            // (levels p and up) name its subtree
            size_t sub = 0;
            for (int i = 0; i < NL; i++) sub += loops[i].spatial && loops[i].level >= p && loops[i].level > c;
            struct Tile {
                std::set<int64_t> pts;
                Box box;
                std::set<int64_t> co[5]; // the values of each coordinate
            };
            std::map<Key, std::map<Key, Tile>> ev;  // ordered by time within a parent
            for (const auto &dg : pts) {
                Key child, parent, sel;
                for (int i = 0; i < NL; i++) {
                    if (loops[i].spatial && loops[i].level > c) {
                        child.push_back(dg[i]);
                        if (loops[i].level > p) parent.push_back(dg[i]);
                    }
                    if (!loops[i].spatial && loops[i].level > c && i <= js) sel.push_back(dg[i]);
                }
                int64_t v[PESIM_NDIMS];
                values(dg, v);
                Key pk = parent;
                pk.push_back(-1);
                pk.insert(pk.end(), sel.begin(), sel.end());
                Tile &tile = ev[pk][child];
                auto x = coords(l, t, v);
                tile.pts.insert(linear(x));
                tile.box.add(x);
                for (int i = 0; i < 5; i++) tile.co[i].insert(x[i]);
            }
            // Walk events per parent instance in time order.
            std::map<Key, Tile> prev_tile;             // child instance -> last tile
            std::map<Key, Key> prev_sel;               // child instance -> last selected tuple
            std::map<Key, std::set<int64_t>> visited;  // parent instance -> outputs written
            std::map<Key, std::set<int64_t>> held;     // child instance -> outputs it has held
            std::map<Key, SubTile> prev_sub;            // subtree -> last tile
            std::map<Key, Key> prev_sub_sel;            // subtree -> last selected tuple
            for (auto &e : ev) {
                Key parent(e.first.begin(), std::find(e.first.begin(), e.first.end(), -1));
                Key sel(std::find(e.first.begin(), e.first.end(), -1) + 1, e.first.end());
                std::set<int64_t> uni;
                std::map<Key, SubTile> subs; // subtree -> what its children need
                for (auto &ch : e.second) subs[Key(ch.first.begin(), ch.first.begin() + (long)sub)].add(ch.second.co);
                for (auto &sb : subs) sb.second.close_rows();
                for (auto &ch : e.second) {
                    const Tile &tile = ch.second;
                    // an advance of j* by one with everything outside it unchanged?
                    bool adv = false;
                    if (sliding && prev_sel.count(ch.first)) {
                        const Key &ps = prev_sel[ch.first];
                        adv = ps.size() == sel.size() && !sel.empty() && ps.back() + 1 == sel.back();
                        for (size_t i = 0; adv && i + 1 < sel.size(); i++) adv = ps[i] == sel[i];
                    }
                    if (t == PESIM_OUTPUTS) {
                        if (c >= 0) {
                            if (!tl) out.access[c][t].reads += (int64_t)tile.pts.size(); // the drain
                            if (tl && !elide) out.access[c][t].fills += (int64_t)tile.pts.size(); // every load, first too
                            if (elide) { // every load of a word this child instance has held before
                                std::set<int64_t> &h = held[ch.first];
                                for (int64_t x : tile.pts) out.access[c][t].fills += (int64_t)h.count(x);
                                h.insert(tile.pts.begin(), tile.pts.end());
                            }
                        }
                        uni.insert(tile.pts.begin(), tile.pts.end());
                    } else if (tl && c >= 0 && t == PESIM_INPUTS) {
                        Box d = adv ? box_delta(tile.box, prev_tile[ch.first].box) : tile.box;
                        out.access[c][t].fills += d.size();
                    } else {
                        std::set<int64_t> delta = tile.pts;
                        if (adv)
                            for (int64_t x : prev_tile[ch.first].pts) delta.erase(x);
                        if (c >= 0) out.access[c][t].fills += (int64_t)delta.size();
                        uni.insert(delta.begin(), delta.end());
                    }
                    prev_tile[ch.first] = tile;
                    prev_sel[ch.first] = sel;
                }
                if (t == PESIM_OUTPUTS) {
                    std::set<int64_t> &vis = visited[parent];
                    int64_t again = 0;
                    for (int64_t x : uni) again += vis.count(x);
                    vis.insert(uni.begin(), uni.end());
                    out.access[p][t].updates += (int64_t)uni.size();
                    out.access[p][t].reads += again;
                    if (c >= 0 && !tl) out.access[c][t].fills += again;
                } else if (tl && c >= 0 && t == PESIM_INPUTS) {
                    // the subtrees' deltas; only identical ones are shared
                    std::set<SubTile> deltas;
                    for (auto &sb : subs) {
                        Key k = parent;
                        k.insert(k.end(), sb.first.begin(), sb.first.end());
                        bool adv = false;
                        if (sliding && prev_sub_sel.count(k)) {
                            const Key &ps = prev_sub_sel[k];
                            adv = ps.size() == sel.size() && !sel.empty() && ps.back() + 1 == sel.back();
                            for (size_t i = 0; adv && i + 1 < sel.size(); i++) adv = ps[i] == sel[i];
                        }
                        SubTile d = adv ? sub_delta(sb.second, prev_sub[k]) : sb.second;
                        if (d.size()) deltas.insert(d);
                        prev_sub[k] = sb.second;
                        prev_sub_sel[k] = sel;
                    }
                    for (const SubTile &d : deltas) out.access[p][t].reads += d.size();
                } else {
                    out.access[p][t].reads += (int64_t)uni.size();
                }
            }
            c = p;
        }
    }
    return out;
}

#endif
