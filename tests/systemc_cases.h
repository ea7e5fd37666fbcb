// systemc_cases.h - the cases of the SystemC cross-check matrix
// (tests/systemc_test.cc) and of its benchmark (scripts/bench/systemc_bench.cc):
// small layers (conv, depthwise, GEMM, strided, dilated, grouped; imperfect
// tiles) with random valid mappings on five machine families, all from one
// fixed seed, so that case i is the same everywhere.
//
//   0 systolic  tpu_32x32.cfg with an 8x8 array: systolic networks, 1-word
//               weight registers, double-buffered SRAM, DDR4 at 700 MHz
//   1 bus       tiny.cfg: 4x4 PEs on multicast buses, 4-word register files,
//               a 1024-word buffer, DDR4 at 500 MHz
//   2 eyeriss   eyeriss.cfg with 3x4 PEs: row-stationary spatial dims, weights
//               bypass the buffer, LPDDR4 at 200 MHz
//   3 hier3     three on-chip levels (RF, L1, L2) under two LPDDR4 channels at
//               800 MHz: fractional port rates, a single-ported L2 (bank
//               conflicts), double buffering, latencies
//   4 random    a random 2-4 level machine (port and network rates, latencies,
//               banks, double buffering, systolic networks, DDR4 or LPDDR4)
//   5 mesh      (built in tests/systemc_test.cc, make_detail_case) random 2-4
//               level machines whose networks are 2-D meshes, unicast or buses
//               with tree or systolic-chain reduction
#ifndef PESIM_TESTS_SYSTEMC_CASES_H
#define PESIM_TESTS_SYSTEMC_CASES_H

#include <cstdio>
#include <cstring>
#include <string>

#include "test_util.h"

extern "C" {
#include "nest/nest.h"
#include "pesim/config.h"
#include "pesim/dram.h"
#include "pesim/engine.h"
#include "pesim/model.h"
}

namespace sc_cases {

constexpr int kFamilies = 5;   // the families make_case draws from
constexpr int kMeshFamily = 5; // tests/systemc_test.cc's detail cases: meshes, unicast, reduction kinds
inline const char *family_name(int f)
{
    static const char *const n[kFamilies + 1] = {"systolic", "bus", "eyeriss", "hier3", "random", "mesh"};
    return f >= 0 && f <= kFamilies ? n[f] : "shipped";
}

inline bool load_arch(const char *file, pesim_arch *a, const char *root)
{
    pesim_error e;
    std::string path = std::string(root) + "/configs/arch/" + file;
    return pesim_arch_load(path.c_str(), a, &e) == PESIM_OK;
}

inline pesim_arch hier3()
{
    pesim_arch a;
    std::memset(&a, 0, sizeof a);
    std::strcpy(a.name, "hier3");
    a.word_bits = 16;
    a.clock_mhz = 800;
    a.mac_latency_cycles = 2;
    a.mac_energy_pj = 1;
    a.n_levels = 4;
    const char *names[] = {"RF", "L1", "L2", "DRAM"};
    for (int l = 0; l < 4; l++) {
        pesim_level &v = a.level[l];
        std::strcpy(v.name, names[l]);
        v.keeps[0] = v.keeps[1] = v.keeps[2] = 1;
        v.fanout_x = v.fanout_y = 1;
        v.spatial_x_dims = v.spatial_y_dims = 0xFF;
        v.banks = v.ports = 1;
        v.read_energy_pj = v.write_energy_pj = 1.0 + 4 * l;
    }
    pesim_level &rf = a.level[0], &l1 = a.level[1], &l2 = a.level[2], &dr = a.level[3];
    rf.tensor_capacity_words[0] = rf.tensor_capacity_words[1] = rf.tensor_capacity_words[2] = 16;
    rf.banks = 2;
    l1.capacity_words = 256;
    l1.fanout_x = 2, l1.fanout_y = 2;
    l1.banks = 2;
    l1.read_words_per_cycle = 1.5, l1.write_words_per_cycle = 2;
    l1.latency_cycles = 1;
    l1.tile_slots = 2;
    l1.sliding_reuse = 1;
    for (int t = 0; t < 3; t++) l1.noc[t].words_per_cycle = 2;
    l2.capacity_words = 2048;
    l2.fanout_x = 2, l2.fanout_y = 2;
    l2.banks = 1, l2.ports = 1;  // one shared port: reads and writes take turns
    l2.read_words_per_cycle = 4, l2.write_words_per_cycle = 0.5;
    l2.latency_cycles = 2;
    for (int t = 0; t < 3; t++) l2.noc[t].words_per_cycle = t == 1 ? 3 : 0.75;
    dr.is_dram = 1;
    pesim_dram_preset("lpddr4-2400", &dr.dram);
    dr.dram.channels = 2;
    for (int t = 0; t < 3; t++) dr.noc[t].words_per_cycle = 8;
    return a;
}

inline pesim_arch random_machine(TestRng &rng)
{
    int levels = (int)rng.uni(2, 4);
    pesim_arch a = test_arch(rng, levels);
    static const double rates[] = {0, 1, 2, 4, 0.5, 1.5};
    for (int l = 0; l < levels - 1; l++) {
        pesim_level &v = a.level[l];
        v.read_words_per_cycle = rates[rng.uni(0, 5)];
        v.write_words_per_cycle = rates[rng.uni(0, 5)];
        v.latency_cycles = (int)rng.uni(0, 2);
        v.banks = (int)rng.uni(1, 2);
        v.ports = (int)rng.uni(1, 2);
        v.tile_slots = rng.coin(50) ? 2 : 1;
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            v.noc[t].words_per_cycle = rates[rng.uni(0, 5)];
            v.noc[t].kind = rng.coin(20) ? PESIM_NOC_SYSTOLIC : PESIM_NOC_BUS;
        }
    }
    pesim_level &top = a.level[levels - 1];
    top.is_dram = 1;
    pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram);
    for (int t = 0; t < PESIM_NTENSORS; t++) top.noc[t].words_per_cycle = rng.coin(50) ? 0 : 4;
    a.clock_mhz = rng.coin(50) ? 1000 : 500;
    a.mac_latency_cycles = (int)rng.uni(1, 3);
    return a;
}

// A small layer of kind k: conv, depthwise, GEMM, strided conv, dilated conv,
// grouped/batched.
inline pesim_layer small_layer(TestRng &rng, int k)
{
    switch (k) {
    case 0:
        return test_layer(1, rng.uni(1, 2), rng.uni(2, 8), rng.uni(1, 6), rng.uni(2, 7), rng.uni(2, 6), rng.uni(1, 3),
                          rng.uni(1, 3));
    case 1:
        return test_layer(rng.uni(2, 8), 1, 1, 1, rng.uni(2, 8), rng.uni(2, 8), 3, 3);
    case 2: {
        pesim_layer l = test_layer(1, 1, rng.uni(2, 16), rng.uni(2, 16), rng.uni(2, 12), 1, 1, 1);
        l.op = PESIM_OP_GEMM;
        return l;
    }
    case 3:
        return test_layer(1, 1, rng.uni(2, 8), rng.uni(1, 4), rng.uni(2, 6), rng.uni(2, 6), rng.uni(1, 3),
                          rng.uni(1, 3), 2);
    case 4:
        return test_layer(1, 1, rng.uni(2, 6), rng.uni(1, 4), rng.uni(2, 5), rng.uni(2, 5), rng.uni(2, 3),
                          rng.uni(2, 3), (int)rng.uni(1, 2), 2);
    default:
        return test_layer(rng.uni(2, 3), rng.uni(1, 2), rng.uni(1, 4), rng.uni(1, 4), rng.uni(2, 5), rng.uni(1, 4),
                          rng.uni(1, 2), rng.uni(1, 2));
    }
}

// A structurally valid random mapping that respects the architecture's
// spatial dims (imperfect factors included).
inline pesim_mapping random_mapping(TestRng &rng, const pesim_arch &a, const pesim_layer &l)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    for (int lv = 0; lv < a.n_levels; lv++) {
        pesim_level_map &lm = m.level[lv];
        const pesim_level &v = a.level[lv];
        for (int axis = 0; axis < 2; axis++) {
            int64_t budget = axis == 0 ? v.fanout_x : v.fanout_y;
            uint32_t allowed = axis == 0 ? v.spatial_x_dims : v.spatial_y_dims;
            int64_t *f = axis == 0 ? lm.spatial_x : lm.spatial_y;
            for (int tries = 0; tries < 2 && budget > 1; tries++) {
                int d = (int)rng.uni(0, PESIM_NDIMS - 1);
                if (!(allowed >> d & 1)) continue;
                int64_t x = rng.uni(1, budget);
                if (x > l.dim[d] + 1) x = l.dim[d];
                if (x < 1) x = 1;
                if (f[d] * x <= (axis == 0 ? v.fanout_x : v.fanout_y)) f[d] *= x, budget /= x;
            }
        }
        test_shuffle_order(rng, lm);
        if (lv < a.n_levels - 1)
            for (int t = 0; t < PESIM_NTENSORS; t++) lm.bypass[t] = rng.coin(15);
    }
    test_split_temporal(rng, a, l, m);
    return m;
}

struct Case {
    int index = 0, family = 0, layer_kind = 0;
    bool default_mapper = false;
    pesim_arch arch;
    pesim_layer layer;
    pesim_mapping map;
    pesim_engine_options opt;
    std::string describe() const
    {
        if (family < 0) return "layer case " + std::to_string(index - 100000) + ": " + layer.name;
        static const char *const kinds[] = {"conv", "depthwise", "gemm", "strided", "dilated", "grouped"};
        char b[256];
        std::snprintf(b, sizeof b,
                      "case %d: %s arch, %s layer G%lld N%lld K%lld C%lld P%lld Q%lld R%lld S%lld stride %d dil %d, "
                      "%s mapping%s%s%s",
                      index, family_name(family), kinds[layer_kind], (long long)layer.dim[0], (long long)layer.dim[1],
                      (long long)layer.dim[2], (long long)layer.dim[3], (long long)layer.dim[4],
                      (long long)layer.dim[5], (long long)layer.dim[6], (long long)layer.dim[7], layer.stride_h,
                      layer.dilation_h, default_mapper ? "default-mapper" : "random",
                      opt.stall_free ? ", stall-free" : "", opt.dram_fcfs ? ", DRAM FCFS" : "",
                      opt.no_refresh ? ", no refresh" : "");
        return b;
    }
};

// Case i of the matrix (fixed seed). Returns false if the architectures
// cannot be loaded (the test then fails).
inline bool make_case(int i, const char *root, Case *c)
{
    TestRng rng(20240601u + (uint64_t)i * 7919u);
    c->index = i;
    c->family = i % kFamilies;
    c->layer_kind = (i / kFamilies) % 6;
    pesim_arch &a = c->arch;
    switch (c->family) {
    case 0:
        if (!load_arch("tpu_32x32.cfg", &a, root)) return false;
        a.level[1].fanout_x = a.level[1].fanout_y = 8;
        break;
    case 1:
        if (!load_arch("tiny.cfg", &a, root)) return false;
        break;
    case 2:
        if (!load_arch("eyeriss.cfg", &a, root)) return false;
        a.level[1].fanout_x = 4, a.level[1].fanout_y = 3;
        break;
    case 3:
        a = hier3();
        break;
    default:
        a = random_machine(rng);
        break;
    }
    c->layer = small_layer(rng, c->layer_kind);
    std::memset(&c->opt, 0, sizeof c->opt);
    c->opt.dram_fcfs = i % 7 == 3;
    c->opt.no_refresh = i % 11 == 5;
    c->opt.stall_free = i % 23 == 13;
    static thread_local pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    c->default_mapper = i % 6 == 1;
    if (!c->default_mapper) {
        for (int tries = 0; tries < 400; tries++) {
            c->map = random_mapping(rng, a, c->layer);
            if (pesim_nest_count(&a, &c->layer, &c->map, &nc, reason, sizeof reason)) return true;
        }
        c->default_mapper = true;
    }
    pesim_error e;
    return pesim_mapper_default(&a, &c->layer, &c->map, &e) == PESIM_OK;
}

// General case i (its own fixed seed): a random machine with fan-outs up to
// 4 x 4, a mapping of the general classes (an operand that bypasses a level
// whose temporal loop sits below a spatial split, two dims on one axis), and
// every other case counted by the "timeloop" conventions (half of those with
// first-read elision). False only if no
// such mapping was found.
inline bool make_general_case(int i, Case *c)
{
    TestRng rng(777001u + (uint64_t)i * 104729u);
    c->index = 200000 + i;
    c->family = kFamilies - 1;
    c->layer_kind = i % 6;
    c->default_mapper = false;
    static thread_local pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    for (int machines = 0; machines < 50; machines++) {
        do c->arch = random_machine(rng); /* a level above the bypassed one must fan out */
        while (c->arch.n_levels < 3);
        for (int lv = 0; lv + 1 < c->arch.n_levels; lv++) {
            c->arch.level[lv].fanout_x = (int)rng.uni(1, 4);
            c->arch.level[lv].fanout_y = (int)rng.uni(1, 4);
        }
        c->arch.conventions = i % 2 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
        c->arch.first_read_elision = i % 4 == 3; /* half of those with first-read elision */
        c->layer = small_layer(rng, c->layer_kind);
        std::memset(&c->opt, 0, sizeof c->opt);
        c->opt.dram_fcfs = i % 5 == 3;
        for (int tries = 0; tries < 200; tries++) {
            c->map = test_mapping_general(rng, c->arch, c->layer);
            if (test_bypass_below_spatial(c->arch, c->layer, c->map) &&
                pesim_nest_count(&c->arch, &c->layer, &c->map, &nc, reason, sizeof reason))
                return true;
        }
    }
    return false;
}

// Real layers with the default mapper on every shipped architecture, as
// shipped (20,000 to 250,000 cycles each): the second tier of the matrix.
struct LayerCase {
    const char *arch, *net, *layer;
};
inline const LayerCase *layer_cases(int *n)
{
    static const LayerCase c[] = {
        {"tiny", "mobilenet_v2", "b7_dw"},          {"tiny", "gemm", "db_device_M64_N1_K1216"},
        {"eyeriss", "resnet18", "res3a_branch1"},   {"eyeriss", "mobilenet_v2", "b1_project"},
        {"eyeriss", "dqn_atari", "conv1"},          {"eyeriss", "gemm", "db_device_M64_N1_K1216"},
        {"tpu_32x32", "resnet18", "res2a_branch2a"}, {"tpu_32x32", "mobilenet_v2", "conv1"},
        {"tpu_32x32", "alexnet", "conv5"},          {"tpu_32x32", "bert_base_128", "l1_q"},
        {"tpu_128x128", "resnet18", "conv1"},       {"tpu_128x128", "mobilenet_v2", "conv1"},
        {"tpu_128x128", "alexnet", "conv2"},        {"tpu_128x128", "bert_base_128", "l1_q"},
        {"simba", "resnet18", "res3a_branch2a"},    {"simba", "mobilenet_v2", "b1_project"},
        {"simba", "alexnet", "conv5"},              {"simba", "bert_base_128", "l1_q"},
        {"nvdla", "resnet18", "res2a_branch2a"},    {"nvdla", "mobilenet_v2", "conv1"},
        {"nvdla", "alexnet", "conv3"},              {"nvdla", "bert_base_128", "l1_q"},
        {"nnpi", "resnet18", "conv1"},              {"nnpi", "mobilenet_v2", "b2_expand"},
        {"nnpi", "alexnet", "conv1"},               {"nnpi", "bert_base_128", "l1_ffn1"},
        {"vta", "resnet18", "res3a_branch1"},       {"vta", "mobilenet_v2", "b1_project"},
        {"vta", "alexnet", "fc8"},                  {"vta", "bert_base_128", "l1_scores"},
    };
    *n = (int)(sizeof c / sizeof c[0]);
    return c;
}

// Layer case j; false (with why) if a file or the layer is missing.
inline bool make_layer_case(int j, const char *root, Case *c, std::string *why)
{
    int n;
    const LayerCase &lc = layer_cases(&n)[j];
    c->index = 100000 + j;
    c->family = -1;
    c->default_mapper = true;
    std::memset(&c->opt, 0, sizeof c->opt);
    c->opt.dram_fcfs = j % 3 == 2;
    if (!load_arch((std::string(lc.arch) + ".cfg").c_str(), &c->arch, root)) return *why = lc.arch, false;
    pesim_network net;
    pesim_error e;
    std::string np = std::string(root) + "/workloads/" + lc.net + ".cfg";
    if (pesim_network_load(np.c_str(), &net, &e) != PESIM_OK) return *why = e.msg, false;
    int li = pesim_network_find(&net, lc.layer);
    if (li >= 0) c->layer = net.layers[li];
    pesim_network_free(&net);
    if (li < 0) return *why = std::string("no layer ") + lc.layer, false;
    if (pesim_mapper_default(&c->arch, &c->layer, &c->map, &e) != PESIM_OK) return *why = e.msg, false;
    *why = std::string(lc.arch) + " " + lc.net + " " + lc.layer + (c->opt.dram_fcfs ? ", DRAM FCFS" : "");
    return true;
}

}  // namespace sc_cases

#endif
