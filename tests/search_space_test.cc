// search_space_test.cc - spaces: parameter lists, decode/encode, validity, the
// design hash; mapping, network, placement, hardware and joint spaces.
#include <gtest/gtest.h>

#include "search_test_util.h"

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

#include <unistd.h>

extern "C" {
#include "pesim/config.h"
#include "pesim/estimate.h"
#include "pesim/model.h"
#include "pesim/search.h"
}

namespace {


const char *kArchs[] = {"configs/arch/eyeriss.cfg", "configs/arch/tiny.cfg",     "configs/arch/vta.cfg",
                        "configs/arch/nnpi.cfg",    "configs/arch/simba.cfg",    "configs/arch/nvdla.cfg",
                        "configs/arch/tpu_32x32.cfg"};

std::vector<int32_t> random_choices(const pesim_space *s, TestRng &rng)
{
    std::vector<int32_t> c((size_t)pesim_space_n_params(s));
    for (int32_t i = 0; i < pesim_space_n_params(s); i++)
        c[(size_t)i] = (int32_t)rng.uni(0, pesim_space_param(s, i)->n_choices - 1);
    return c;
}

// Decodes c; checks decode-valid <=> pesim_mapping_check OK for every mapping,
// and the encode round trip (same design hash). Returns validity.
int check_candidate(pesim_space *s, const std::vector<int32_t> &c, uint64_t *hash = nullptr)
{
    pesim_design d;
    char why[PESIM_REASON_MAX];
    int ok = pesim_space_decode(s, c.data(), &d, why, sizeof why);
    if (!ok) {
        EXPECT_STRNE(why, "") << "an invalid candidate needs a reason";
    }
    if (ok) {
        EXPECT_EQ(d.n_layers, pesim_space_n_layers(s));
        for (int32_t i = 0; i < d.n_layers; i++) {
            pesim_error e;
            EXPECT_EQ(pesim_mapping_check(&d.mappings[i], &d.arch, pesim_space_layer(s, i), &e), PESIM_OK)
                << e.msg << " (layer " << pesim_space_layer(s, i)->name << ")";
        }
        uint64_t h = d.hash;
        if (hash) *hash = h;
        std::vector<int32_t> back(c.size());
        EXPECT_EQ(pesim_space_encode(s, &d, back.data()), 1);
        pesim_design d2;
        EXPECT_EQ(pesim_space_decode(s, back.data(), &d2, why, sizeof why), 1) << why;
        EXPECT_EQ(d2.hash, h) << "encode(decode(c)) must decode to the same design";
    }
    return ok;
}

const pesim_space_options kDimFactor = {PESIM_ORDER_RANK, PESIM_SPATIAL_DIM_FACTOR};

// The one-dim-per-axis encoding (PESIM_SPATIAL_DIM_FACTOR).
TEST(SearchSpace, MappingParamsShape)
{
    Loaded x("configs/arch/eyeriss.cfg", "workloads/resnet18.cfg");
    const pesim_layer *l = x.layer("res2a_branch2a");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping_opt(&x.arch, l, &kDimFactor, &s, &e), PESIM_OK) << e.msg;
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(pesim_space_n_layers(s), 1);
    std::set<std::string> names;
    double lg = 0;
    int counts[PESIM_PARAM_KIND_COUNT] = {0};
    int nd = 0;
    for (int d = 0; d < PESIM_NDIMS; d++) nd += l->dim[d] > 1;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        EXPECT_GE(p->n_choices, 2) << p->name;
        EXPECT_TRUE(names.insert(p->name).second) << "duplicate " << p->name;
        lg += std::log10((double)p->n_choices);
        counts[p->kind]++;
        if (p->kind == PESIM_PARAM_ORDER) {
            int f = 1;
            for (int k = 2; k <= nd; k++) f *= k;
            EXPECT_EQ(p->n_choices, f);
        }
        if (p->kind == PESIM_PARAM_TILE) {
            EXPECT_LT(p->level, x.arch.n_levels - 1) << "the outermost level takes the remainder";
            EXPECT_GT(l->dim[p->dim], 1);
        }
    }
    EXPECT_NEAR(pesim_space_log10_size(s), lg, 1e-9);
    EXPECT_EQ(counts[PESIM_PARAM_TILE], nd * (x.arch.n_levels - 1));
    EXPECT_EQ(counts[PESIM_PARAM_ORDER], x.arch.n_levels);
    EXPECT_EQ(counts[PESIM_PARAM_SPATIAL_DIM], 2); // GLB's X and Y
    EXPECT_EQ(counts[PESIM_PARAM_SPATIAL_FACTOR], 2);
    EXPECT_EQ(counts[PESIM_PARAM_BYPASS], 3 + 2); // RF keeps 3 tensors, GLB 2
    EXPECT_NE(std::string(pesim_space_describe(s)).find("mapping arch=eyeriss layer=res2a_branch2a"), std::string::npos)
        << pesim_space_describe(s);
    EXPECT_EQ(pesim_space_param(s, -1), nullptr);
    EXPECT_EQ(pesim_space_param(s, pesim_space_n_params(s)), nullptr);
    pesim_space_destroy(s);
    pesim_space_destroy(nullptr);
}

// The default encodings: a factor per axis and allowed dim (several dims per
// axis), orders as ranks; and the loop order as a sequence of positions.
TEST(SearchSpace, MappingParamsShapeFactorsAndSequence)
{
    Loaded x("configs/arch/eyeriss.cfg", "workloads/resnet18.cfg");
    const pesim_layer *l = x.layer("res2a_branch2a");
    int nd = 0;
    for (int d = 0; d < PESIM_NDIMS; d++) nd += l->dim[d] > 1;
    for (int seq = 0; seq < 2; seq++) {
        pesim_space_options o = {seq ? PESIM_ORDER_SEQUENCE : PESIM_ORDER_RANK, PESIM_SPATIAL_FACTORS};
        pesim_space *s = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_space_mapping_opt(&x.arch, l, &o, &s, &e), PESIM_OK) << e.msg;
        int counts[PESIM_PARAM_KIND_COUNT] = {0}, want_spatial = 0;
        for (int lv = 0; lv < x.arch.n_levels; lv++)
            for (int ax = 0; ax < 2; ax++) {
                const pesim_level *v = &x.arch.level[lv];
                if ((ax ? v->fanout_y : v->fanout_x) <= 1) continue;
                for (int d = 0; d < PESIM_NDIMS; d++)
                    want_spatial += l->dim[d] > 1 && (((ax ? v->spatial_y_dims : v->spatial_x_dims) >> d) & 1u);
            }
        for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
            const pesim_param *p = pesim_space_param(s, i);
            counts[p->kind]++;
            if (p->kind == PESIM_PARAM_SPATIAL_FACTOR) {
                const pesim_level *v = &x.arch.level[p->level];
                int64_t fan = p->axis ? v->fanout_y : v->fanout_x;
                EXPECT_GE(p->dim, 0);
                EXPECT_EQ(p->n_choices, std::min<int64_t>(fan, l->dim[p->dim])) << p->name;
            }
            if (p->kind == PESIM_PARAM_ORDER_POS) {
                EXPECT_EQ(p->n_choices, nd - p->pos) << p->name;
                EXPECT_EQ(p->axis, -1);
            }
            if (p->kind != PESIM_PARAM_ORDER_POS) {
                EXPECT_EQ(p->pos, -1) << p->name;
            }
        }
        EXPECT_EQ(counts[PESIM_PARAM_SPATIAL_DIM], 0);
        EXPECT_EQ(counts[PESIM_PARAM_SPATIAL_FACTOR], want_spatial);
        EXPECT_EQ(counts[PESIM_PARAM_ORDER], seq ? 0 : x.arch.n_levels);
        EXPECT_EQ(counts[PESIM_PARAM_ORDER_POS], seq ? (nd - 1) * x.arch.n_levels : 0);
        EXPECT_NE(std::string(pesim_space_describe(s)).find(seq ? "order:sequence" : "order:rank"), std::string::npos);
        pesim_space_destroy(s);
    }
    pesim_space_options o;
    pesim_error e;
    EXPECT_EQ(pesim_space_options_parse("order=sequence,spatial=dim", &o, &e), PESIM_OK);
    EXPECT_EQ(o.order, PESIM_ORDER_SEQUENCE);
    EXPECT_EQ(o.spatial, PESIM_SPATIAL_DIM_FACTOR);
    EXPECT_EQ(pesim_space_options_parse("order=random", &o, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_space_options_parse("tiles=log", &o, &e), PESIM_ERR_KEY);
    EXPECT_NE(std::string(e.msg).find("tiles"), std::string::npos) << e.msg;
}

// The tile candidates: 1..D for D <= 32, else divisors + powers of two + ceil(D/2^k).
TEST(SearchSpace, TileCandidates)
{
    Loaded x("configs/arch/tiny.cfg", nullptr);
    pesim_layer l = test_layer(1, 1, 112, 24, 7, 1, 1, 1); // K = 112, C = 24, P = 7
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping(&x.arch, &l, &s, &e), PESIM_OK) << e.msg;
    std::vector<int32_t> c((size_t)pesim_space_n_params(s), 0);
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind != PESIM_PARAM_TILE || p->level != 0) continue;
        std::vector<int64_t> vals;
        for (int32_t v = 0; v < p->n_choices; v++) {
            c[(size_t)i] = v;
            pesim_design d;
            ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
            vals.push_back(d.mappings[0].level[0].temporal[p->dim]);
        }
        c[(size_t)i] = 0;
        for (size_t k = 1; k < vals.size(); k++) EXPECT_LT(vals[k - 1], vals[k]);
        int64_t D = l.dim[p->dim];
        if (D <= 32) {
            ASSERT_EQ((int64_t)vals.size(), D);
            EXPECT_EQ(vals.front(), 1);
            EXPECT_EQ(vals.back(), D);
        } else {
            std::set<int64_t> want;
            for (int64_t k = 1; k <= D; k++)
                if (D % k == 0) want.insert(k);
            for (int64_t p2 = 2; p2 < D; p2 *= 2) want.insert(p2), want.insert((D + p2 - 1) / p2);
            EXPECT_EQ(std::set<int64_t>(vals.begin(), vals.end()), want);
        }
    }
    pesim_space_destroy(s);
}

TEST(SearchSpace, AllZerosAndBoundaries)
{
    for (const char *af : kArchs) {
        Loaded x(af, "workloads/resnet18.cfg");
        pesim_space *s = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_space_mapping(&x.arch, x.layer("res3a_branch2a"), &s, &e), PESIM_OK) << af << e.msg;
        const int32_t np = pesim_space_n_params(s);
        std::vector<int32_t> zero((size_t)np, 0), top((size_t)np);
        for (int32_t i = 0; i < np; i++) top[(size_t)i] = pesim_space_param(s, i)->n_choices - 1;
        EXPECT_EQ(check_candidate(s, zero), 1) << af;
        EXPECT_EQ(check_candidate(s, top), 1) << af;
        pesim_design d;
        char why[PESIM_REASON_MAX];
        // all zeros: every factor at the outermost level, identity orders, nothing bypassed
        ASSERT_EQ(pesim_space_decode(s, zero.data(), &d, why, sizeof why), 1);
        const pesim_layer *l = x.layer("res3a_branch2a");
        for (int dm = 0; dm < PESIM_NDIMS; dm++)
            EXPECT_EQ(d.mappings[0].level[x.arch.n_levels - 1].temporal[dm], l->dim[dm]);
        // out of range, either side: invalid with a reason naming the parameter
        for (int32_t i = 0; i < np; i += 3) {
            std::vector<int32_t> bad = zero;
            bad[(size_t)i] = pesim_space_param(s, i)->n_choices;
            EXPECT_EQ(pesim_space_decode(s, bad.data(), &d, why, sizeof why), 0);
            EXPECT_NE(std::string(why).find(pesim_space_param(s, i)->name), std::string::npos) << why;
            bad[(size_t)i] = -1;
            EXPECT_EQ(pesim_space_decode(s, bad.data(), &d, why, sizeof why), 0);
        }
        EXPECT_EQ(pesim_space_decode(s, nullptr, &d, why, sizeof why), 0);
        pesim_space_destroy(s);
    }
}

// Digits past the bound decode as 1: huge layers on deep hierarchies with the
// largest factor everywhere stay far from 64-bit overflow (UBSan would say).
TEST(SearchSpace, FactorsPastTheBound)
{
    Loaded x("configs/arch/simba.cfg", nullptr);
    pesim_layer l = test_layer(1, 1, 50257, 12288, 50000, 1, 1, 1);
    l.op = PESIM_OP_GEMM;
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping(&x.arch, &l, &s, &e), PESIM_OK) << e.msg;
    const int32_t np = pesim_space_n_params(s);
    std::vector<int32_t> top((size_t)np);
    for (int32_t i = 0; i < np; i++) top[(size_t)i] = pesim_space_param(s, i)->n_choices - 1;
    pesim_design d;
    char why[PESIM_REASON_MAX];
    ASSERT_EQ(pesim_space_decode(s, top.data(), &d, why, sizeof why), 1) << why;
    for (int dm = 0; dm < PESIM_NDIMS; dm++) {
        // the innermost digit with factor D covers the dim: every other digit is 1
        int64_t prod = pesim_mapping_dim_product(&d.mappings[0], (pesim_dim)dm);
        EXPECT_GE(prod, l.dim[dm]);
        EXPECT_LE(prod, l.dim[dm] * 65536) << pesim_dim_name((pesim_dim)dm);
    }
    EXPECT_EQ(check_candidate(s, top), 1);
    pesim_cost c;
    EXPECT_EQ(pesim_model_evaluate(&d.arch, &l, &d.mappings[0], &c), PESIM_OK);
    // level 0 covers K: a level-1 K factor of 5 decodes as 1, and hashes like 1
    std::vector<int32_t> a((size_t)np, 0), b;
    for (int32_t i = 0; i < np; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind == PESIM_PARAM_TILE && p->dim == PESIM_DIM_K && p->level == 0) a[(size_t)i] = p->n_choices - 1;
    }
    ASSERT_EQ(pesim_space_decode(s, a.data(), &d, nullptr, 0), 1);
    const uint64_t h = d.hash;
    b = a;
    for (int32_t i = 0; i < np; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind == PESIM_PARAM_TILE && p->dim == PESIM_DIM_K && p->level == 1) b[(size_t)i] = 4;
    }
    ASSERT_EQ(pesim_space_decode(s, b.data(), &d, nullptr, 0), 1);
    EXPECT_EQ(d.mappings[0].level[1].temporal[PESIM_DIM_K], 1);
    EXPECT_EQ(d.hash, h);
    pesim_space_destroy(s);
}

// On a fixed arch, the one-dim encoding is always structurally valid; the
// factors encoding is invalid exactly when an axis's factors exceed its
// fan-out (a FANOUT violation), and valid candidates pass pesim_mapping_check.
TEST(SearchSpace, RandomCandidatesEveryArch)
{
    const char *layers[] = {"conv1", "res2a_branch2a", "res4a_branch1", "fc"};
    TestRng rng(7);
    for (const char *af : kArchs)
        for (const char *ln : layers)
            for (int enc = 0; enc < 2; enc++) {
                Loaded x(af, "workloads/resnet18.cfg");
                int32_t li = pesim_network_find(&x.net, ln);
                ASSERT_GE(li, 0) << ln;
                pesim_space *s = nullptr;
                pesim_error e;
                pesim_space_options o = {PESIM_ORDER_RANK, enc ? PESIM_SPATIAL_DIM_FACTOR : PESIM_SPATIAL_FACTORS};
                ASSERT_EQ(pesim_space_mapping_opt(&x.arch, &x.net.layers[li], &o, &s, &e), PESIM_OK) << af << e.msg;
                int valid = 0;
                for (int k = 0; k < 60; k++) {
                    std::vector<int32_t> c = random_choices(s, rng);
                    int ok = check_candidate(s, c);
                    valid += ok;
                    if (enc) {
                        EXPECT_EQ(ok, 1) << af << " " << ln; // fixed arch: always structurally valid
                    }
                    if (!ok) {
                        pesim_design d;
                        pesim_violation v;
                        char why[PESIM_REASON_MAX];
                        EXPECT_EQ(pesim_space_decode_why(s, c.data(), &d, why, sizeof why, &v), 0);
                        EXPECT_EQ(v.kind, PESIM_VIOLATION_FANOUT) << why;
                        EXPECT_GT(v.amount, v.limit) << why;
                        EXPECT_NE(std::string(why).find("fan-out"), std::string::npos) << why;
                    }
                }
                if (enc) {
                    EXPECT_EQ(valid, 60) << af << " " << ln;
                }
                pesim_space_destroy(s);
            }
}

// Different choice vectors that make the same design hash equal; different designs differ.
TEST(SearchSpace, DesignHash)
{
    Loaded x("configs/arch/eyeriss.cfg", "workloads/resnet18.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_mapping_opt(&x.arch, x.layer("res2a_branch2a"), &kDimFactor, &s, &e), PESIM_OK) << e.msg;
    const int32_t np = pesim_space_n_params(s);
    std::vector<int32_t> c((size_t)np, 0);
    pesim_design d;
    ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
    const uint64_t h0 = d.hash;
    // spatial dim "none": the factor does not matter
    for (int32_t i = 0; i < np; i++)
        if (pesim_space_param(s, i)->kind == PESIM_PARAM_SPATIAL_FACTOR) {
            c[(size_t)i] = 3;
            ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
            EXPECT_EQ(d.hash, h0);
            c[(size_t)i] = 0;
        }
    // all factors at the outermost level: the inner orders do not matter
    for (int32_t i = 0; i < np; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind == PESIM_PARAM_ORDER && p->level < x.arch.n_levels - 1) {
            c[(size_t)i] = p->n_choices - 1;
            ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
            EXPECT_EQ(d.hash, h0) << p->name;
            c[(size_t)i] = 0;
        }
    }
    // the outermost order does matter (every dim iterates there)
    for (int32_t i = 0; i < np; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind == PESIM_PARAM_ORDER && p->level == x.arch.n_levels - 1) {
            c[(size_t)i] = 1;
            ASSERT_EQ(pesim_space_decode(s, c.data(), &d, nullptr, 0), 1);
            EXPECT_NE(d.hash, h0);
            c[(size_t)i] = 0;
        }
    }
    // random designs: equal hashes exactly when the normalised designs are equal
    TestRng rng(11);
    std::set<uint64_t> seen;
    std::set<std::string> designs;
    for (int k = 0; k < 400; k++) {
        std::vector<int32_t> r = random_choices(s, rng);
        ASSERT_EQ(pesim_space_decode(s, r.data(), &d, nullptr, 0), 1);
        seen.insert(d.hash);
        designs.insert(std::string((const char *)r.data(), r.size() * sizeof(int32_t)));
    }
    EXPECT_GT(seen.size(), 390u); // a 10^20 space: random vectors are distinct designs
    pesim_space_destroy(s);
}

TEST(SearchSpace, NetworkSpace)
{
    Loaded x("configs/arch/simba.cfg", "workloads/resnet18.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_network_opt(&x.arch, &x.net, &kDimFactor, &s, &e), PESIM_OK) << e.msg;
    int macs = 0;
    for (int32_t i = 0; i < x.net.n_layers; i++) macs += pesim_layer_has_macs(&x.net.layers[i]);
    EXPECT_EQ(pesim_space_n_layers(s), macs);
    // every param names its layer, and the layers' blocks are in network order
    int32_t last = -1;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        ASSERT_GE(p->layer, last);
        last = p->layer;
        std::string pre = std::string(x.net.layers[p->layer].name) + ":";
        EXPECT_EQ(std::string(p->name).compare(0, pre.size(), pre), 0) << p->name;
    }
    TestRng rng(3);
    for (int k = 0; k < 20; k++) EXPECT_EQ(check_candidate(s, random_choices(s, rng)), 1);
    pesim_space_destroy(s);
    pesim_network empty;
    memset(&empty, 0, sizeof empty);
    EXPECT_NE(pesim_space_network(&x.arch, &empty, &s, &e), PESIM_OK);
    EXPECT_EQ(s, nullptr);
}

TEST(SearchSpace, MappingSpaceRejectsBadInput)
{
    Loaded x("configs/arch/tiny.cfg", "workloads/resnet18.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_space_mapping(&x.arch, x.layer("pool1"), &s, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("no MACs"), std::string::npos) << e.msg;
    EXPECT_EQ(pesim_space_mapping(nullptr, x.layer("conv1"), &s, &e), PESIM_ERR_INVALID);
    pesim_arch bad = x.arch;
    bad.n_levels = 0;
    EXPECT_NE(pesim_space_mapping(&bad, x.layer("conv1"), &s, &e), PESIM_OK);
    EXPECT_EQ(s, nullptr);
}

TEST(SearchSpace, PlacementSpace)
{
    Loaded x("configs/arch/nnpi.cfg", "workloads/resnet50.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_placement(&x.arch, &x.net, &s, &e), PESIM_OK) << e.msg;
    const int sram = pesim_arch_find_level(&x.arch, "SRAM"), llc = pesim_arch_find_level(&x.arch, "LLC"),
              dram = pesim_arch_find_level(&x.arch, "DRAM");
    int nw = 0, no = 0;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        EXPECT_EQ(p->kind, PESIM_PARAM_PLACEMENT);
        EXPECT_EQ(p->n_choices, 3) << p->name; // DRAM, LLC, SRAM
        if (p->tensor == PESIM_WEIGHTS) {
            nw++;
            EXPECT_TRUE(pesim_layer_has_macs(&x.net.layers[p->layer]));
        }
        if (p->tensor == PESIM_OUTPUTS) no++;
    }
    int macs = 0;
    for (int32_t i = 0; i < x.net.n_layers; i++) macs += pesim_layer_has_macs(&x.net.layers[i]);
    EXPECT_EQ(nw, macs);
    EXPECT_EQ(no, x.net.n_layers); // every layer's output, pool and add included
    std::vector<int32_t> c((size_t)pesim_space_n_params(s), 0);
    pesim_design d;
    char why[PESIM_REASON_MAX];
    ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
    ASSERT_EQ(d.placement.n_layers, x.net.n_layers);
    for (int32_t i = 0; i < x.net.n_layers; i++) {
        EXPECT_EQ(d.placement.outputs_level[i], dram);
        EXPECT_EQ(d.placement.weights_level[i], dram);
    }
    std::set<int> levels;
    TestRng rng(5);
    for (int k = 0; k < 50; k++) {
        std::vector<int32_t> r = random_choices(s, rng);
        ASSERT_EQ(pesim_space_decode(s, r.data(), &d, why, sizeof why), 1) << why;
        for (int32_t i = 0; i < x.net.n_layers; i++) levels.insert(d.placement.outputs_level[i]);
        std::vector<int32_t> back(r.size());
        ASSERT_EQ(pesim_space_encode(s, &d, back.data()), 1);
        EXPECT_EQ(back, r);
    }
    EXPECT_EQ(levels, (std::set<int>{sram, llc, dram}));
    pesim_space_destroy(s);
}

// Each tensor's choices are its own homes (pesim_net_tensor_homes): on Simba a
// layer norm's scale and shift cannot live in the PEs' weight buffers, below
// the vector unit that reads them, so they have no choice and no parameter;
// the gemms' weights choose DRAM or WeightBuf, every output DRAM or GlobalBuf.
// Every candidate decodes to a placement the network runs.
TEST(SearchSpace, PlacementChoicesAreEachTensorsHomes)
{
    Loaded x("configs/arch/simba.cfg", "tests/data/cli/small_ln.cfg");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_placement(&x.arch, &x.net, &s, &e), PESIM_OK) << e.msg;
    const int wb = pesim_arch_find_level(&x.arch, "WeightBuf"), gb = pesim_arch_find_level(&x.arch, "GlobalBuf"),
              dram = pesim_arch_find_level(&x.arch, "DRAM"), ln = pesim_network_find(&x.net, "ln");
    std::set<std::string> names;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        names.insert(p->name);
        EXPECT_EQ(p->n_choices, 2) << p->name;
    }
    EXPECT_EQ(names, (std::set<std::string>{"proj.weights", "proj.outputs", "res.outputs", "ln.outputs", "ffn.weights",
                                            "ffn.outputs"}));
    pesim_eval_options o{};
    pesim_evaluator *ev = nullptr;
    ASSERT_EQ(pesim_evaluator_create(s, &x.net, &o, &ev, &e), PESIM_OK) << e.msg;
    std::set<int> wlevels, olevels;
    TestRng rng(9);
    for (int k = 0; k < 20; k++) {
        std::vector<int32_t> c = random_choices(s, rng);
        pesim_design d;
        char why[PESIM_REASON_MAX];
        ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
        EXPECT_EQ(d.placement.weights_level[ln], dram);
        for (int32_t i = 0; i < x.net.n_layers; i++) {
            if (i != ln && pesim_layer_has_weights(&x.net.layers[i])) wlevels.insert(d.placement.weights_level[i]);
            olevels.insert(d.placement.outputs_level[i]);
        }
        pesim_result r;
        ASSERT_EQ(pesim_evaluator_run(ev, c.data(), 1, PESIM_FIDELITY_ANALYTICAL, &r), PESIM_OK);
        EXPECT_TRUE(r.valid) << r.reason;
    }
    EXPECT_EQ(wlevels, (std::set<int>{wb, dram}));
    EXPECT_EQ(olevels, (std::set<int>{gb, dram}));
    pesim_evaluator_destroy(ev);
    pesim_space_destroy(s);
}

// ------------------------------------------------------------ hardware spaces


TEST(SearchSpace, ExperimentLoad)
{
    pesim_experiment ex;
    pesim_error e;
    ASSERT_EQ(pesim_experiment_load("configs/experiments/vta_gemm_sweep.cfg", &ex, &e), PESIM_OK) << e.msg;
    EXPECT_STREQ(ex.name, "vta_gemm_sweep");
    EXPECT_STREQ(ex.arch_path, "configs/arch/vta.cfg");
    EXPECT_STREQ(ex.workload_path, "workloads/resnet18.cfg");
    EXPECT_EQ(ex.eval.objective, PESIM_OBJ_LATENCY);
    EXPECT_EQ(ex.eval.area_budget_um2, 3.0e6);
    EXPECT_STREQ(ex.algo, "random");
    EXPECT_EQ(ex.budget, 200);
    EXPECT_EQ(ex.seed, 1u);
    EXPECT_EQ(ex.n_params, 5);
    EXPECT_EQ(ex.joint, 0);
    ASSERT_EQ(pesim_experiment_load("configs/experiments/eyeriss_array_sweep.cfg", &ex, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(ex.eval.objective, PESIM_OBJ_EDP);
}

TEST(SearchSpace, HardwareSpace)
{
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_from_experiment("configs/experiments/vta_gemm_sweep.cfg", nullptr, nullptr, 0, &s, &e),
              PESIM_OK)
        << e.msg;
    const int want[] = {7, 5, 5, 5, 3};
    ASSERT_EQ(pesim_space_n_params(s), 5);
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(pesim_space_param(s, i)->kind, PESIM_PARAM_HARDWARE);
        EXPECT_EQ(pesim_space_param(s, i)->n_choices, want[i]) << pesim_space_param(s, i)->name;
    }
    EXPECT_STREQ(pesim_space_param(s, 0)->name, "hw.gemm_core");
    EXPECT_STREQ(pesim_space_param(s, 2)->name, "hw.BUF.tensor_capacity.weights");
    EXPECT_NEAR(pesim_space_log10_size(s), std::log10(7.0 * 125 * 3), 1e-9);
    Loaded x("configs/arch/vta.cfg", "workloads/resnet18.cfg");
    int macs = 0;
    for (int32_t i = 0; i < x.net.n_layers; i++) macs += pesim_layer_has_macs(&x.net.layers[i]);
    EXPECT_EQ(pesim_space_n_layers(s), macs);

    // the VTA default (16 x 16, 32 Ki / 256 Ki / 32 Ki words, 1 channel) is in the space
    std::vector<int32_t> c = {3, 2, 2, 2, 0};
    pesim_design d;
    char why[PESIM_REASON_MAX];
    ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
    const int buf = pesim_arch_find_level(&x.arch, "BUF");
    EXPECT_EQ(d.arch.level[buf].fanout_x, 16);
    EXPECT_EQ(d.arch.level[buf].noc[PESIM_WEIGHTS].words_per_cycle, 256.0);
    EXPECT_EQ(d.arch.level[buf].tensor_capacity_words[PESIM_WEIGHTS], 262144);
    EXPECT_EQ(d.arch.level[buf].area_um2, x.arch.level[buf].area_um2) << "same capacity, same area";
    pesim_design base_d = d;
    // the default mapper's mapping of each layer on the decoded arch
    for (int32_t i = 0; i < d.n_layers; i++) {
        pesim_mapping m;
        ASSERT_EQ(pesim_mapper_default(&d.arch, pesim_space_layer(s, i), &m, &e), PESIM_OK);
        EXPECT_EQ(memcmp(&m, &d.mappings[i], sizeof m), 0) << pesim_space_layer(s, i)->name;
    }
    // the vta.cfg arch itself hashes like the decoded default (names aside, equal archs)
    // and the cost fields follow the estimator (docs/estimate.md): a given field is
    // scaled by estimate(new) / estimate(base), an estimated one is the new estimate
    c = {0, 0, 0, 0, 2};
    ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
    EXPECT_NE(d.hash, base_d.hash);
    EXPECT_EQ(d.arch.level[buf].fanout_y, 8);
    EXPECT_EQ(d.arch.level[buf].read_words_per_cycle, 80.0);
    EXPECT_EQ(d.arch.level[pesim_arch_find_level(&x.arch, "DRAM")].dram.channels, 4);
    pesim_level_est now, was;
    pesim_estimate_level(&d.arch, buf, &now);
    pesim_estimate_level(&x.arch, buf, &was);
    const pesim_level &vb = x.arch.level[buf], &vd = d.arch.level[buf];
    const double want_area = (vb.estimated & PESIM_EST_AREA) ? now.area_um2 : vb.area_um2 * now.area_um2 / was.area_um2;
    const double want_rd = (vb.estimated & PESIM_EST_READ_ENERGY)
                               ? now.read_energy_pj
                               : vb.read_energy_pj * now.read_energy_pj / was.read_energy_pj;
    EXPECT_NEAR(vd.area_um2, want_area, 1e-9 * want_area);
    EXPECT_NEAR(vd.read_energy_pj, want_rd, 1e-9 * want_rd);
    EXPECT_LT(vd.area_um2, vb.area_um2) << "a quarter of the capacity";
    EXPECT_LT(vd.read_energy_pj, vb.read_energy_pj) << "smaller, narrower SRAM";
    // every candidate: valid, and encode round-trips
    TestRng rng(12);
    for (int k = 0; k < 30; k++) EXPECT_EQ(check_candidate(s, random_choices(s, rng)), 1);
    pesim_space_destroy(s);
}

TEST(SearchSpace, JointSpace)
{
    pesim_space *s = nullptr;
    pesim_error e;
    const std::string exp = write_temp("joint.cfg", R"(
experiment = {
  name = "joint_small"; arch = "configs/arch/vta.cfg"; workload = "workloads/resnet18.cfg";
  layer = "res3a_branch2a"; joint = true;
  params = (
    { keys = [ "BUF.fanout_y", "BUF.fanout_x" ]; values = ( [ 8, 8 ], [ 16, 16 ], [ 32, 32 ] ); },
    { key = "BUF.spatial_x"; values = [ "K", "KN" ]; }
  );
};
)");
    ASSERT_EQ(pesim_space_from_experiment_opt(exp.c_str(), nullptr, nullptr, 0, &kDimFactor, &s, &e), PESIM_OK)
        << e.msg;
    EXPECT_EQ(pesim_space_n_layers(s), 1);
    int hw = 0, spatial = 0;
    for (int32_t i = 0; i < pesim_space_n_params(s); i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (p->kind == PESIM_PARAM_HARDWARE) {
            EXPECT_EQ(hw, i) << "hardware params come first";
            hw++;
        }
        if (p->kind == PESIM_PARAM_SPATIAL_FACTOR) {
            EXPECT_EQ(p->n_choices, 32) << "factors up to the largest fan-out";
            spatial++;
        }
    }
    EXPECT_EQ(hw, 2);
    EXPECT_EQ(spatial, 2);
    const int32_t np = pesim_space_n_params(s);
    std::vector<int32_t> zero((size_t)np, 0);
    EXPECT_EQ(check_candidate(s, zero), 1);
    // X factor 20 on the 8-wide array: invalid, reason names the fan-out; on 32: valid
    std::vector<int32_t> c = zero;
    for (int32_t i = 0; i < np; i++) {
        const pesim_param *p = pesim_space_param(s, i);
        if (std::string(p->name) == "res3a_branch2a:BUF.x.dim") c[(size_t)i] = 1; // K
        if (std::string(p->name) == "res3a_branch2a:BUF.x.factor") c[(size_t)i] = 19;
    }
    pesim_design d;
    char why[PESIM_REASON_MAX];
    EXPECT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 0);
    EXPECT_NE(std::string(why).find("exceeds the fan-out 8"), std::string::npos) << why;
    c[0] = 2;
    EXPECT_EQ(check_candidate(s, c), 1);
    // X offers none and K (N has bound 1 in this layer)
    for (int32_t i = 0; i < np; i++) {
        if (std::string(pesim_space_param(s, i)->name) == "res3a_branch2a:BUF.x.dim") {
            EXPECT_EQ(pesim_space_param(s, i)->n_choices, 2);
        }
    }
    // random candidates: decode-valid <=> pesim_mapping_check on the decoded arch
    TestRng rng(13);
    int valid = 0;
    for (int k = 0; k < 300; k++) valid += check_candidate(s, random_choices(s, rng));
    EXPECT_GT(valid, 0);
    EXPECT_LT(valid, 300);
    pesim_space_destroy(s);
    // the factors encoding: K and N may share X where the arch allows both
    ASSERT_EQ(pesim_space_from_experiment(exp.c_str(), nullptr, nullptr, 0, &s, &e), PESIM_OK) << e.msg;
    const int32_t nf = pesim_space_n_params(s);
    std::vector<int32_t> f((size_t)nf, 0);
    int32_t xk = -1;
    for (int32_t i = 0; i < nf; i++)
        if (std::string(pesim_space_param(s, i)->name) == "res3a_branch2a:BUF.x.K") xk = i;
    ASSERT_GE(xk, 0);
    f[(size_t)xk] = 19; // 20 on the 8-wide array: fan-out
    pesim_violation v;
    EXPECT_EQ(pesim_space_decode_why(s, f.data(), &d, why, sizeof why, &v), 0);
    EXPECT_EQ(v.kind, PESIM_VIOLATION_FANOUT);
    EXPECT_EQ(v.amount, 20);
    EXPECT_EQ(v.limit, 8);
    EXPECT_EQ(v.dim, PESIM_DIM_K);
    f[0] = 2;
    EXPECT_EQ(check_candidate(s, f), 1);
    pesim_space_destroy(s);
    remove(exp.c_str());
}

double rng_u01(void *ctx)
{
    return (double)static_cast<TestRng *>(ctx)->uni(0, (1 << 30) - 1) / (double)(1 << 30);
}

// LEVEL.multiple_buffering: the level's tile slots as an integer parameter; the
// design hash tells the values apart, encode finds them back, and the mask
// checks the tiles fit N times (with 4 slots every masked sample decodes valid,
// though some tilings valid with 1 slot are not; small buffers, so that tiles
// near the capacity are common).
TEST(SearchSpace, MultipleBufferingParameter)
{
    pesim_space *s = nullptr;
    pesim_error e;
    const std::string exp = write_temp("slots.cfg", R"(
experiment = {
  name = "slots"; arch = "configs/arch/vta.cfg"; workload = "workloads/resnet18.cfg";
  layer = "res3a_branch2a"; joint = true;
  params = ( { key = "BUF.multiple_buffering"; values = [ 1, 2, 4 ]; group = "schedule"; },
             { key = "BUF.tensor_capacity.weights"; values = [ 4096 ]; },
             { key = "BUF.tensor_capacity.inputs"; values = [ 4096 ]; },
             { key = "BUF.tensor_capacity.outputs"; values = [ 4096 ]; } );
};
)");
    ASSERT_EQ(pesim_space_from_experiment(exp.c_str(), nullptr, nullptr, 0, &s, &e), PESIM_OK) << e.msg;
    remove(exp.c_str());
    ASSERT_STREQ(pesim_space_param(s, 0)->name, "hw.BUF.multiple_buffering");
    ASSERT_EQ(pesim_space_param(s, 0)->n_choices, 3);
    EXPECT_EQ(pesim_space_param_group(s, 0), PESIM_GROUP_SCHEDULE);
    char text[32];
    ASSERT_EQ(pesim_space_hw_value(s, 0, 0, 2, text, sizeof text), 1);
    EXPECT_STREQ(text, "4");
    const int32_t np = pesim_space_n_params(s);
    Loaded x("configs/arch/vta.cfg", "workloads/resnet18.cfg");
    const int buf = pesim_arch_find_level(&x.arch, "BUF");
    pesim_cursor *cur = nullptr;
    ASSERT_EQ(pesim_cursor_create(s, nullptr, &cur, &e), PESIM_OK) << e.msg;
    TestRng rng(77);
    int refused_by_four = 0, fit_four = 0;
    const pesim_layer *l = pesim_space_layer(s, 0);
    for (int k = 0; k < 200; k++) {
        pesim_cursor_reset(cur);
        ASSERT_EQ(pesim_cursor_set(cur, 0, 0), PESIM_OK); // 1 slot
        std::vector<int32_t> c((size_t)np);
        if (pesim_cursor_sample(cur, rng_u01, &rng, c.data()) != 0) continue;
        uint64_t h1 = 0;
        ASSERT_EQ(check_candidate(s, c, &h1), 1);
        pesim_design d;
        pesim_cost cost;
        char why[PESIM_REASON_MAX];
        ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
        ASSERT_EQ(pesim_model_evaluate(&d.arch, l, &d.mappings[0], &cost), PESIM_OK);
        EXPECT_EQ(std::string(cost.reason).find("capacity"), std::string::npos) << "1 slot: " << cost.reason;
        c[0] = 2; // the same tiling with 4 slots
        ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
        EXPECT_EQ(d.arch.level[buf].tile_slots, 4);
        EXPECT_NE(d.hash, h1);
        ASSERT_EQ(pesim_model_evaluate(&d.arch, l, &d.mappings[0], &cost), PESIM_OK);
        if (!cost.valid && std::string(cost.reason).find("x4 (4 tile slots)") != std::string::npos) refused_by_four++;
        pesim_cursor_reset(cur);
        ASSERT_EQ(pesim_cursor_set(cur, 0, 2), PESIM_OK); // 4 slots: the mask sees them
        if (pesim_cursor_sample(cur, rng_u01, &rng, c.data()) != 0) continue;
        EXPECT_EQ(c[0], 2);
        ASSERT_EQ(check_candidate(s, c), 1);
        ASSERT_EQ(pesim_space_decode(s, c.data(), &d, why, sizeof why), 1) << why;
        ASSERT_EQ(pesim_model_evaluate(&d.arch, l, &d.mappings[0], &cost), PESIM_OK);
        EXPECT_EQ(std::string(cost.reason).find("capacity"), std::string::npos) << "4 slots: " << cost.reason;
        fit_four++;
    }
    EXPECT_GT(fit_four, 100);
    EXPECT_GT(refused_by_four, 0);
    pesim_cursor_destroy(cur);
    pesim_space_destroy(s);
}

// Equal archs from different choice vectors hash equal.
TEST(SearchSpace, HardwareHashEqualDesigns)
{
    const std::string exp = write_temp("dup.cfg", R"(
experiment = {
  arch = "configs/arch/tiny.cfg"; workload = "workloads/resnet18.cfg"; layer = "conv1";
  params = ( { key = "GLB.capacity_words"; values = [ 1024, 2048, 1024 ]; },
             { key = "GLB.words_per_cycle"; range = [ 2.0, 8.0, 3.0 ]; },
             { key = "GLB.fanout_x"; geometric = [ 1, 16, 2 ]; } );
};
)");
    pesim_space *s = nullptr;
    pesim_error e;
    ASSERT_EQ(pesim_space_from_experiment(exp.c_str(), nullptr, nullptr, 0, &s, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_space_param(s, 1)->n_choices, 3); // 2, 5, 8
    EXPECT_EQ(pesim_space_param(s, 2)->n_choices, 5); // 1, 2, 4, 8, 16
    pesim_design d;
    int32_t c[3] = {0, 2, 4};
    ASSERT_EQ(pesim_space_decode(s, c, &d, nullptr, 0), 1);
    EXPECT_EQ(d.arch.level[1].read_words_per_cycle, 8.0);
    EXPECT_EQ(d.arch.level[1].fanout_x, 16);
    uint64_t h0 = d.hash;
    c[0] = 2;
    ASSERT_EQ(pesim_space_decode(s, c, &d, nullptr, 0), 1);
    EXPECT_EQ(d.hash, h0);
    c[0] = 1;
    ASSERT_EQ(pesim_space_decode(s, c, &d, nullptr, 0), 1);
    EXPECT_NE(d.hash, h0);
    pesim_space_destroy(s);
    remove(exp.c_str());
}

// Bad experiment files: errors name the file, the line and the key.
TEST(SearchSpace, ExperimentErrors)
{
    struct Case {
        const char *body;
        pesim_status code;
        int line;
        const char *key, *words;
    } cases[] = {
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  objectiv = \"edp\"; params = ( { key = \"GLB.banks\"; values = [ 1 ]; } ); };\n",
         PESIM_ERR_KEY, 2, "objectiv", "unknown key"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"GBL.banks\"; values = [ 1 ]; } ); };\n",
         PESIM_ERR_KEY, 2, "params.[0]", "no level 'GBL'"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"GLB.bankz\"; values = [ 1 ]; } ); };\n",
         PESIM_ERR_KEY, 2, "params.[0]", "unknown field 'bankz'"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = (\n { key = \"GLB.fanout_x\"; values = [ 0 ]; } ); };\n",
         PESIM_ERR_RANGE, 3, "params.[0]", "out of range"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"GLB.fanout_x\"; values = [ \"4\" ]; } ); };\n",
         PESIM_ERR_TYPE, 2, "params.[0]", "expected a number"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { keys = [ \"GLB.fanout_x\", \"GLB.fanout_y\" ]; values = ( ( 4, 4 ), ( 2 ) ); } ); };\n",
         PESIM_ERR_TYPE, 2, "params.[0]", "tuple of 2"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"GLB.banks\"; values = [ 1 ]; },\n { key = \"GLB.banks\"; values = [ 2 ]; } ); };\n",
         PESIM_ERR_INVALID, 3, "params", "set by params [0] and [1]"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\"; };\n",
         PESIM_ERR_MISSING, 1, "params", "no hardware parameters"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"RF.dram.channels\"; values = [ 1 ]; } ); };\n",
         PESIM_ERR_INVALID, 2, "params.[0]", "not a DRAM level"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; workload = \"workloads/resnet18.cfg\";\n"
         "  params = ( { key = \"GLB.spatial_x\"; values = [ \"KZ\" ]; } ); };\n",
         PESIM_ERR_RANGE, 2, "params.[0]", "not a dim"},
        {"experiment = { arch = \"configs/arch/tiny.cfg\"; objective = \"fast\";\n"
         "  params = ( { key = \"GLB.banks\"; values = [ 1 ]; } ); };\n",
         PESIM_ERR_RANGE, 1, "objective", "expected latency"},
        {"experiment = {\n arch = ; };\n", PESIM_ERR_PARSE, 2, "", "syntax"},
    };
    int k = 0;
    for (const Case &c : cases) {
        std::string p = write_temp("bad" + std::to_string(k++) + ".cfg", c.body);
        pesim_space *s = nullptr;
        pesim_error e;
        pesim_error_clear(&e);
        EXPECT_EQ(pesim_space_from_experiment(p.c_str(), nullptr, nullptr, 0, &s, &e), c.code) << c.body << e.msg;
        EXPECT_EQ(s, nullptr);
        EXPECT_STREQ(e.file, p.c_str());
        EXPECT_EQ(e.line, c.line) << e.msg;
        EXPECT_STREQ(e.key, c.key) << e.msg;
        EXPECT_NE(std::string(e.msg).find(c.words), std::string::npos) << e.msg;
        remove(p.c_str());
    }
    pesim_space *s = nullptr;
    pesim_error e;
    EXPECT_EQ(pesim_space_from_experiment("/nonexistent/x.cfg", nullptr, nullptr, 0, &s, &e), PESIM_ERR_IO);
    EXPECT_STREQ(e.file, "/nonexistent/x.cfg");
}

} // namespace
