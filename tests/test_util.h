// test_util.h - small helpers shared by the tests: a seeded generator of random
// architectures, layers and structurally valid mappings.
#ifndef PESIM_TESTS_TEST_UTIL_H
#define PESIM_TESTS_TEST_UTIL_H

#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"
}

struct TestRng {
    uint64_t s;
    explicit TestRng(uint64_t seed) : s(seed * 2654435761u + 88172645463325252ull) {}
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    int64_t uni(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }
    bool coin(int pct) { return (int64_t)(next() % 100) < pct; }
};

inline pesim_layer test_layer(int64_t g, int64_t n, int64_t k, int64_t c, int64_t p, int64_t q, int64_t r,
                              int64_t s, int stride = 1, int dil = 1)
{
    pesim_layer l;
    memset(&l, 0, sizeof l);
    strcpy(l.name, "L");
    l.op = PESIM_OP_CONV;
    int64_t v[PESIM_NDIMS] = {g, n, k, c, p, q, r, s};
    for (int d = 0; d < PESIM_NDIMS; d++) l.dim[d] = v[d];
    l.stride_h = l.stride_w = stride;
    l.dilation_h = l.dilation_w = dil;
    l.n_inputs = 1;
    l.inputs[0] = PESIM_NETWORK_INPUT;
    return l;
}

// An architecture of `levels` levels with unbounded capacities: only the
// fan-outs, keeps and flags matter for access counts.
inline pesim_arch test_arch(TestRng &rng, int levels)
{
    pesim_arch a;
    memset(&a, 0, sizeof a);
    strcpy(a.name, "rand");
    a.word_bits = 16;
    a.clock_mhz = 1000;
    a.mac_latency_cycles = 1;
    a.mac_energy_pj = 1;
    a.n_levels = levels;
    for (int l = 0; l < levels; l++) {
        pesim_level &v = a.level[l];
        snprintf(v.name, sizeof v.name, "L%d", l);
        for (int t = 0; t < PESIM_NTENSORS; t++) v.keeps[t] = l == levels - 1 || rng.coin(70);
        v.fanout_x = (int)rng.uni(1, 3);
        v.fanout_y = (int)rng.uni(1, 3);
        if (l == levels - 1) v.fanout_x = v.fanout_y = 1;
        v.spatial_x_dims = v.spatial_y_dims = 0xFFu;
        v.banks = v.ports = 1;
        v.sliding_reuse = rng.coin(70);
        v.latency_cycles = 1;
        v.read_energy_pj = v.write_energy_pj = 1;
    }
    a.level[levels - 1].is_dram = 0;
    return a;
}

// A random loop order for one level (Fisher-Yates on rng).
inline void test_shuffle_order(TestRng &rng, pesim_level_map &lm)
{
    for (int i = PESIM_NDIMS - 1; i > 0; i--) {
        int j = (int)rng.uni(0, i);
        uint8_t tmp = lm.order[i];
        lm.order[i] = lm.order[j];
        lm.order[j] = tmp;
    }
}

// Splits what the spatial factors leave of each dim over the levels' temporal
// factors, innermost first, imperfectly; the outermost takes the rest.
inline void test_split_temporal(TestRng &rng, const pesim_arch &a, const pesim_layer &l, pesim_mapping &m)
{
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t sp = pesim_mapping_dim_product(&m, (pesim_dim)d);
        int64_t need = (l.dim[d] + sp - 1) / sp;
        for (int lv = 0; lv < a.n_levels && need > 1; lv++) {
            int64_t f = lv == a.n_levels - 1 ? need : rng.uni(1, need);
            m.level[lv].temporal[d] = f;
            need = (need + f - 1) / f;
        }
        if (need > 1) m.level[a.n_levels - 1].temporal[d] *= need;
    }
}

// Two levels for hand-traced cases: L0 (a PE's register file) under L1 (a
// buffer) with fx x fy PEs; 16-bit words at 1 GHz, MAC latency 1, every port
// and network unlimited, no access latency, 2 banks of 1 port.
inline pesim_arch test_two_level_arch(int fx, int fy)
{
    pesim_arch a;
    memset(&a, 0, sizeof a);
    strcpy(a.name, "hand");
    a.word_bits = 16;
    a.clock_mhz = 1000;
    a.mac_latency_cycles = 1;
    a.n_levels = 2;
    for (int l = 0; l < 2; l++) {
        pesim_level &v = a.level[l];
        snprintf(v.name, sizeof v.name, "L%d", l);
        v.keeps[0] = v.keeps[1] = v.keeps[2] = 1;
        v.fanout_x = v.fanout_y = 1;
        v.spatial_x_dims = v.spatial_y_dims = 0xFF;
        v.banks = 2;
        v.ports = 1;
    }
    a.level[1].fanout_x = fx;
    a.level[1].fanout_y = fy;
    return a;
}

// A structurally valid random mapping (imperfect factors included).
inline pesim_mapping test_mapping(TestRng &rng, const pesim_arch &a, const pesim_layer &l)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    for (int lv = 0; lv < a.n_levels; lv++) {
        pesim_level_map &lm = m.level[lv];
        int64_t bx = a.level[lv].fanout_x, by = a.level[lv].fanout_y;
        for (int tries = 0; tries < 2; tries++) {
            int d = (int)rng.uni(0, PESIM_NDIMS - 1);
            int64_t f = rng.uni(1, bx);
            if (lm.spatial_x[d] * f <= bx && f <= l.dim[d] + 1) lm.spatial_x[d] *= f, bx /= f;
            d = (int)rng.uni(0, PESIM_NDIMS - 1);
            f = rng.uni(1, by);
            if (lm.spatial_y[d] * f <= by && f <= l.dim[d] + 1) lm.spatial_y[d] *= f, by /= f;
        }
        test_shuffle_order(rng, lm);
        if (lv < a.n_levels - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++) lm.bypass[t] = rng.coin(20);
    }
    test_split_temporal(rng, a, l, m);
    return m;
}

// A random machine with wider fan-outs (up to 4 x 4 per level), so that two
// dims can share a spatial axis.
inline pesim_arch test_arch_wide(TestRng &rng, int levels)
{
    pesim_arch a = test_arch(rng, levels);
    for (int lv = 0; lv < levels - 1; lv++) {
        a.level[lv].fanout_x = (int)rng.uni(1, 4);
        a.level[lv].fanout_y = (int)rng.uni(1, 4);
    }
    return a;
}

// A deep hierarchy (9 to PESIM_MAX_LEVELS levels) keeps its fan-outs on about
// a quarter of its levels, so that the MAC count stays small. A level may keep
// no tensor (a pure fan-out), as test_arch sometimes draws.
inline void test_thin_fanouts(TestRng &rng, pesim_arch &a)
{
    for (int lv = 0; lv < a.n_levels; lv++)
        if (!rng.coin(25)) a.level[lv].fanout_x = a.level[lv].fanout_y = 1;
}

// A random mapping of the general classes: up to two dims per spatial axis
// in a random axis order, frequent bypasses, imperfect temporal factors.
inline pesim_mapping test_mapping_general(TestRng &rng, const pesim_arch &a, const pesim_layer &l)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    for (int lv = 0; lv < a.n_levels; lv++) {
        pesim_level_map &lm = m.level[lv];
        for (int axis = 0; axis < 2; axis++) {
            int64_t room = axis ? a.level[lv].fanout_y : a.level[lv].fanout_x;
            int64_t *sp = axis ? lm.spatial_y : lm.spatial_x;
            uint8_t *ord = axis ? lm.order_y : lm.order_x;
            for (int k = (int)rng.uni(1, 3); k > 0 && room > 1; k--) {
                int d = (int)rng.uni(0, PESIM_NDIMS - 1);
                int64_t f = rng.uni(2, room > 2 && rng.coin(60) ? 2 : room);
                if (sp[d] > 1 || f > l.dim[d] + 1 || lm.spatial_x[d] * lm.spatial_y[d] > 1) continue;
                sp[d] = f, room /= f;
            }
            for (int i = PESIM_NDIMS - 1; i > 0; i--) {
                int j = (int)rng.uni(0, i);
                uint8_t tmp = ord[i];
                ord[i] = ord[j], ord[j] = tmp;
            }
        }
        test_shuffle_order(rng, lm);
        if (lv < a.n_levels - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++) lm.bypass[t] = rng.coin(35);
    }
    test_split_temporal(rng, a, l, m);
    if (rng.coin(60)) { /* an operand bypassing a level with a temporal loop below a spatial split */
        int t = (int)rng.uni(0, PESIM_NTENSORS - 1), d = (int)rng.uni(0, PESIM_NDIMS - 1);
        int b = (int)rng.uni(0, a.n_levels - 2);
        int u = (int)rng.uni(b + 1, a.n_levels - 1);
        if (pesim_dim_relevant((pesim_tensor)t, (pesim_dim)d) && l.dim[d] >= 2) {
            for (int lv = b; lv < u; lv++) m.level[lv].bypass[t] = 1;
            pesim_level_map &mu = m.level[u];
            int64_t room_x = a.level[u].fanout_x, room_y = a.level[u].fanout_y;
            for (int e = 0; e < PESIM_NDIMS; e++) room_x /= mu.spatial_x[e], room_y /= mu.spatial_y[e];
            if (mu.spatial_x[d] * mu.spatial_y[d] == 1 && room_x >= 2) mu.spatial_x[d] = 2;
            else if (mu.spatial_x[d] * mu.spatial_y[d] == 1 && room_y >= 2) mu.spatial_y[d] = 2;
            if (m.level[b].temporal[d] < 2) m.level[b].temporal[d] = 2;
            int64_t prod = pesim_mapping_dim_product(&m, (pesim_dim)d);
            if (prod < l.dim[d]) m.level[a.n_levels - 1].temporal[d] *= (l.dim[d] + prod - 1) / prod;
        }
    }
    return m;
}

// 1 if some operand bypasses a level whose temporal loop over a dim relevant
// to it sits below a spatial split of the same dim before its next keeping
// level (the children's union is then not one block).
inline int test_bypass_below_spatial(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    for (int t = 0; t < PESIM_NTENSORS; t++) {
        int c = -1;
        for (int p = 0; p < a.n_levels; p++) {
            if (!pesim_mapping_keeps(&a, &m, p, (pesim_tensor)t)) continue;
            for (int b = c + 1; b < p; b++)
                for (int d = 0; d < PESIM_NDIMS; d++) {
                    if (!pesim_dim_relevant((pesim_tensor)t, (pesim_dim)d) || m.level[b].temporal[d] < 2 || l.dim[d] < 2)
                        continue;
                    for (int u = b + 1; u <= p; u++)
                        if (m.level[u].spatial_x[d] * m.level[u].spatial_y[d] > 1) return 1;
                }
            c = p;
        }
    }
    return 0;
}

// 1 if some level unrolls two or more dims on one spatial axis.
inline int test_multi_dim_axis(const pesim_mapping &m)
{
    for (int lv = 0; lv < m.n_levels; lv++) {
        int nx = 0, ny = 0;
        for (int d = 0; d < PESIM_NDIMS; d++) nx += m.level[lv].spatial_x[d] > 1, ny += m.level[lv].spatial_y[d] > 1;
        if (nx > 1 || ny > 1) return 1;
    }
    return 0;
}

#endif
