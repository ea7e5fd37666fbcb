// nest_ref.h - a brute-force reference of the mapping semantics (docs/model.md),
// for tests only. It walks every point of the loop nest, builds each instance's
// tiles as explicit sets of tensor elements, and counts reads, fills and updates
// by the operational rules. The closed forms of sim/nest/nest.c must agree with
// it exactly. Slow by design: use it on small layers.
#ifndef PESIM_TESTS_NEST_REF_H
#define PESIM_TESTS_NEST_REF_H

#include <algorithm>
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

inline int64_t elem(const pesim_layer &l, int t, const int64_t *v)
{
    const int64_t *D = l.dim;
    enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
           P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };
    if (t == PESIM_WEIGHTS) return (((v[G] * D[K] + v[K]) * D[C] + v[C]) * D[R] + v[R]) * D[S] + v[S];
    if (t == PESIM_OUTPUTS) return (((v[G] * D[N] + v[N]) * D[K] + v[K]) * D[P] + v[P]) * D[Q] + v[Q];
    int64_t h = v[P] * l.stride_h + v[R] * l.dilation_h;
    int64_t w = v[Q] * l.stride_w + v[S] * l.dilation_w;
    int64_t H = (D[P] - 1) * l.stride_h + (D[R] - 1) * l.dilation_h + 1;
    int64_t W = (D[Q] - 1) * l.stride_w + (D[S] - 1) * l.dilation_w + 1;
    return (((v[G] * D[N] + v[N]) * D[C] + v[C]) * H + h) * W + w;
}

inline bool keeps(const pesim_arch &a, const pesim_mapping &m, int lv, int t)
{
    return lv == a.n_levels - 1 || (a.level[lv].keeps[t] && !m.level[lv].bypass[t]);
}

}  // namespace nestref

// Returns the reference counts; the mapping must be structurally valid.
inline RefCounts nest_reference(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    using namespace nestref;
    const int M = a.n_levels;
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
            int js = -1;
            for (int i = 0; i < NL; i++)
                if (!loops[i].spatial && loops[i].level > c && loops[i].factor > 1 &&
                    (c < 0 || pesim_dim_relevant((pesim_tensor)t, (pesim_dim)loops[i].dim)))
                    js = i;
            bool sliding = false;
            if (t == PESIM_INPUTS && c >= 0 && a.level[c].sliding_reuse && js >= 0) {
                int jd = loops[js].dim;
                if (jd == PESIM_DIM_P || jd == PESIM_DIM_Q || jd == PESIM_DIM_R || jd == PESIM_DIM_S) {
                    int64_t ssp = 1;
                    for (int lv = c + 1; lv <= loops[js].level; lv++)
                        ssp *= m.level[lv].spatial_x[jd] * m.level[lv].spatial_y[jd];
                    sliding = ssp == 1;
                }
            }
            // key: (parent instance, selected tuple) -> child instance -> tile
            typedef std::vector<int64_t> Key;
            std::map<Key, std::map<Key, std::set<int64_t>>> ev;  // ordered by time within a parent
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
                ev[pk][child].insert(elem(l, t, v));
            }
            // Walk events per parent instance in time order.
            std::map<Key, std::set<int64_t>> prev_tile;  // child instance -> last tile
            std::map<Key, Key> prev_sel;                 // child instance -> last selected tuple
            std::map<Key, std::set<int64_t>> visited;    // parent instance -> outputs written
            for (auto &e : ev) {
                Key parent(e.first.begin(), std::find(e.first.begin(), e.first.end(), -1));
                Key sel(std::find(e.first.begin(), e.first.end(), -1) + 1, e.first.end());
                std::set<int64_t> uni;
                for (auto &ch : e.second) {
                    const std::set<int64_t> &tile = ch.second;
                    std::set<int64_t> delta = tile;
                    if (sliding && prev_sel.count(ch.first)) {
                        // an advance of j* by one with everything outside it unchanged?
                        const Key &ps = prev_sel[ch.first];
                        bool adv = ps.size() == sel.size() && !sel.empty() && ps.back() + 1 == sel.back();
                        for (size_t i = 0; adv && i + 1 < sel.size(); i++) adv = ps[i] == sel[i];
                        if (adv)
                            for (int64_t x : prev_tile[ch.first]) delta.erase(x);
                    }
                    if (t == PESIM_OUTPUTS) {
                        if (c >= 0) out.access[c][t].reads += (int64_t)tile.size();
                        uni.insert(tile.begin(), tile.end());
                    } else {
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
                    if (c >= 0) out.access[c][t].fills += again;
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
