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

#endif
