// functional_test.cc - the functional mode (sim/engine/functional.c): real
// values travel the simulated paths and the outputs equal a plain convolution
// exactly, on random architectures and on the shipped tiny, eyeriss and
// tpu_32x32, for convs with stride and dilation, depthwise and grouped convs,
// GEMMs and batched matmuls, imperfect factors, bypass, multicast, spatial
// reduction and sliding-window halos. The words the run moves equal the block
// walker's per block and the analytical counts in total. Deliberately
// corrupted transfers (the test hooks of pesim_functional_options) must fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "test_util.h"

extern "C" {
#include "nest/nest.h"
#include "nest/walk.h"
#include "pesim/config.h"
#include "pesim/functional.h"
#include "pesim/model.h"
}

namespace {

std::string mapping_text(const pesim_arch &a, const pesim_mapping &m)
{
    char *s = pesim_mapping_to_string(&m, &a, "L");
    std::string out = s ? s : "(unprintable mapping)";
    free(s);
    return out;
}

std::string layer_text(const pesim_layer &l)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s G%lld N%lld K%lld C%lld P%lld Q%lld R%lld S%lld stride %d,%d dilation %d,%d",
             pesim_op_name(l.op), (long long)l.dim[0], (long long)l.dim[1], (long long)l.dim[2], (long long)l.dim[3],
             (long long)l.dim[4], (long long)l.dim[5], (long long)l.dim[6], (long long)l.dim[7], l.stride_h,
             l.stride_w, l.dilation_h, l.dilation_w);
    return buf;
}

// One case: valid, every output exact, every MAC done, the traffic equal to
// the walker's per block and to the closed-form counts in total.
::testing::AssertionResult functional_exact(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m,
                                            uint64_t seed)
{
    std::string what = std::string(a.name) + ", " + layer_text(l) + ", seed " + std::to_string(seed) + "\n" +
                       mapping_text(a, m);
    pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    if (!pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason))
        return ::testing::AssertionFailure() << "invalid mapping (" << reason << "): " << what;
    pesim_functional_result r;
    pesim_error e;
    pesim_status st = pesim_functional_run(&a, &l, &m, seed, &r, &e);
    if (st != PESIM_OK)
        return ::testing::AssertionFailure() << pesim_status_name(st) << ": " << e.msg << "\n" << what;
    if (r.mismatches)
        return ::testing::AssertionFailure()
               << r.mismatches << " of " << r.outputs << " outputs differ (max error " << r.max_abs_error
               << ", first at g,n,k,p,q = " << r.first_bad[PESIM_DIM_G] << "," << r.first_bad[PESIM_DIM_N] << ","
               << r.first_bad[PESIM_DIM_K] << "," << r.first_bad[PESIM_DIM_P] << "," << r.first_bad[PESIM_DIM_Q]
               << "): " << what;
    if (r.outputs != pesim_layer_output_words(&l))
        return ::testing::AssertionFailure() << r.outputs << " outputs compared: " << what;
    if (r.macs_done != pesim_layer_macs(&l))
        return ::testing::AssertionFailure() << r.macs_done << " MACs done of " << pesim_layer_macs(&l) << ": " << what;
    if (r.traffic_mismatches)
        return ::testing::AssertionFailure() << r.traffic_mismatches << " traffic differences, first: "
                                             << r.traffic_note << "\n" << what;
    for (int lv = 0; lv < a.n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access &x = r.access[lv][t], &y = nc.access[lv][t];
            if (x.reads != y.reads || x.fills != y.fills || x.updates != y.updates)
                return ::testing::AssertionFailure()
                       << a.level[lv].name << " " << pesim_tensor_name((pesim_tensor)t) << ": moved reads/fills/updates "
                       << x.reads << "/" << x.fills << "/" << x.updates << ", model " << y.reads << "/" << y.fills << "/"
                       << y.updates << ": " << what;
        }
    return ::testing::AssertionSuccess();
}

// functional_exact, with the counts the run is compared to taken under the
// "pesim" conventions whatever the arch declares.
::testing::AssertionResult functional_exact_pesim(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m,
                                                  uint64_t seed)
{
    pesim_arch ap = a;
    ap.conventions = PESIM_CONV_PESIM;
    ap.first_read_elision = 0;
    pesim_functional_result r1, r2;
    pesim_error e;
    if (pesim_functional_run(&a, &l, &m, seed, &r1, &e) != PESIM_OK ||
        pesim_functional_run(&ap, &l, &m, seed, &r2, &e) != PESIM_OK)
        return ::testing::AssertionFailure() << e.msg;
    if (memcmp(r1.access, r2.access, sizeof r1.access) != 0)
        return ::testing::AssertionFailure() << "the declared conventions changed the functional run";
    return functional_exact(ap, l, m, seed);
}

// What a set of cases exercised.
struct Coverage {
    int cases = 0, strided = 0, dilated = 0, grouped = 0, gemm = 0, imperfect = 0, bypass = 0;
    int sliding = 0, readback = 0, reduction = 0, multicast = 0;
};

// Does some input pair keep its previous tile at a j* advance (sliding window)?
bool slides(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    pesim_walk w;
    pesim_block b;
    pesim_walk_init(&w, &a, &l, &m);
    while (pesim_walk_next(&w, &b))
        for (int k = 0; k < w.n_pairs; k++)
            if (w.pair[k].sliding && b.changed >= 0 && b.changed == w.pair[k].js) return true;
    return false;
}

void cover(Coverage &cv, const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    if (!pesim_nest_count(&a, &l, &m, &nc, reason, sizeof reason)) return;
    cv.cases++;
    cv.strided += l.stride_h > 1 || l.stride_w > 1;
    cv.dilated += l.dilation_h > 1 || l.dilation_w > 1;
    cv.grouped += l.dim[PESIM_DIM_G] > 1;
    cv.gemm += l.op == PESIM_OP_GEMM || l.op == PESIM_OP_MATMUL;
    bool imperfect = false, bypass = false, red = false, mc = false;
    for (int d = 0; d < PESIM_NDIMS; d++) imperfect |= pesim_mapping_dim_product(&m, (pesim_dim)d) > l.dim[d];
    for (int lv = 0; lv + 1 < a.n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) bypass |= !pesim_mapping_keeps(&a, &m, lv, (pesim_tensor)t);
    for (int lv = 0; lv < a.n_levels; lv++)
        for (int d = 0; d < PESIM_NDIMS; d++) {
            if (m.level[lv].spatial_x[d] * m.level[lv].spatial_y[d] <= 1 || l.dim[d] <= 1) continue;
            red |= !pesim_dim_relevant(PESIM_OUTPUTS, (pesim_dim)d);
            mc |= !pesim_dim_relevant(PESIM_WEIGHTS, (pesim_dim)d) || !pesim_dim_relevant(PESIM_INPUTS, (pesim_dim)d);
        }
    bool rb = false;
    for (int lv = 0; lv < a.n_levels; lv++) rb |= nc.access[lv][PESIM_OUTPUTS].fills > 0;
    cv.imperfect += imperfect;
    cv.bypass += bypass;
    cv.reduction += red;
    cv.multicast += mc;
    cv.readback += rb;
    cv.sliding += slides(a, l, m);
}

void print_coverage(const char *name, const Coverage &c)
{
    printf("[ %s ] %d cases: %d strided, %d dilated, %d grouped, %d gemm/matmul, %d imperfect, %d bypass, "
           "%d sliding, %d read-back, %d spatial reduction, %d multicast\n",
           name, c.cases, c.strided, c.dilated, c.grouped, c.gemm, c.imperfect, c.bypass, c.sliding, c.readback,
           c.reduction, c.multicast);
}

// A small random MAC layer: conv (stride, dilation), depthwise/grouped conv,
// GEMM or batched matmul. maxk bounds K and C.
pesim_layer random_layer(TestRng &rng, int64_t maxk)
{
    switch (rng.uni(0, 5)) {
    case 0: { // depthwise
        pesim_layer l = test_layer(rng.uni(2, 4), rng.uni(1, 2), 1, 1, rng.uni(1, 7), rng.uni(1, 5), rng.uni(1, 3),
                                   rng.uni(1, 3), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
        return l;
    }
    case 1: { // GEMM: O[M][N] = A[M][K] B[K][N] is P = M, K = N, C = K
        pesim_layer l = test_layer(1, 1, rng.uni(1, maxk), rng.uni(1, maxk), rng.uni(1, 9), 1, 1, 1);
        l.op = PESIM_OP_GEMM;
        return l;
    }
    case 2: { // batched matmul: the batch in G
        pesim_layer l = test_layer(rng.uni(2, 3), 1, rng.uni(1, maxk), rng.uni(1, maxk), rng.uni(1, 6), 1, 1, 1);
        l.op = PESIM_OP_MATMUL;
        return l;
    }
    default: { // conv, sometimes grouped, strides and dilations independent per axis
        pesim_layer l = test_layer(rng.coin(25) ? 2 : 1, rng.uni(1, 2), rng.uni(1, maxk), rng.uni(1, maxk),
                                   rng.uni(1, 7), rng.uni(1, 5), rng.uni(1, 3), rng.uni(1, 3));
        l.stride_h = (int)rng.uni(1, 3), l.stride_w = (int)rng.uni(1, 2);
        l.dilation_h = (int)rng.uni(1, 2), l.dilation_w = (int)rng.uni(1, 3);
        return l;
    }
    }
}

// A random mapping for a shipped architecture: spatial factors only on the
// dims each axis allows and within the fan-outs, small temporal factors at the
// inner levels (often none at level 0, whose buffers are tiny), the rest at
// the outermost level; imperfect factors whenever a factor does not divide
// what is left; random bypass of the tensors a level may keep.
pesim_mapping config_mapping(TestRng &rng, const pesim_arch &a, const pesim_layer &l)
{
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    int64_t left[PESIM_NDIMS];
    for (int d = 0; d < PESIM_NDIMS; d++) left[d] = l.dim[d];
    const int M = a.n_levels;
    for (int lv = 0; lv < M; lv++) {
        pesim_level_map &lm = m.level[lv];
        const pesim_level &v = a.level[lv];
        for (int axis = 0; axis < 2; axis++) {
            int64_t room = axis ? v.fanout_y : v.fanout_x;
            uint32_t allowed = axis ? v.spatial_y_dims : v.spatial_x_dims;
            for (int tries = 0; tries < 3 && room > 1; tries++) {
                int d = (int)rng.uni(0, PESIM_NDIMS - 1);
                if (!((allowed >> d) & 1u) || left[d] <= 1) continue;
                int64_t f = rng.uni(1, std::min(room, left[d]));
                if (rng.coin(50)) f = std::min(room, left[d]); // fill the array
                (axis ? lm.spatial_y : lm.spatial_x)[d] *= f;
                room /= f;
                left[d] = (left[d] + f - 1) / f;
            }
        }
        if (lv < M - 1) {
            for (int d = 0; d < PESIM_NDIMS; d++)
                if (left[d] > 1 && rng.coin(lv == 0 ? 25 : 50)) {
                    int64_t f = rng.uni(1, std::min<int64_t>(left[d], lv == 0 ? 3 : 4));
                    lm.temporal[d] = f;
                    left[d] = (left[d] + f - 1) / f;
                }
            for (int t = 0; t < PESIM_NTENSORS; t++) lm.bypass[t] = v.keeps[t] && rng.coin(20);
        } else {
            for (int d = 0; d < PESIM_NDIMS; d++) lm.temporal[d] = left[d];
        }
        for (int i = PESIM_NDIMS - 1; i > 0; i--) {
            int j = (int)rng.uni(0, i);
            std::swap(lm.order[i], lm.order[j]);
        }
    }
    return m;
}

bool valid_by_model(const pesim_arch &a, const pesim_layer &l, const pesim_mapping &m)
{
    pesim_cost c;
    return pesim_model_evaluate(&a, &l, &m, &c) == PESIM_OK && c.valid;
}

pesim_arch load_arch(const char *name)
{
    pesim_arch a;
    pesim_error e;
    std::string path = std::string(PESIM_SOURCE_DIR) + "/configs/arch/" + name + ".cfg";
    pesim_status st = pesim_arch_load(path.c_str(), &a, &e);
    EXPECT_EQ(st, PESIM_OK) << path << ": " << e.msg;
    return a;
}

} // namespace

// Random architectures of 2-4 levels (random keeps, fan-outs up to 3 x 3,
// sliding reuse) and random structurally valid mappings (imperfect factors,
// bypass, any dims unrolled).
TEST(Functional, RandomArchitecturesMatchTheReference)
{
    Coverage cv;
    for (int seed = 1; seed <= 1500; seed++) {
        TestRng rng(seed + 4242);
        pesim_arch a = test_arch(rng, (int)rng.uni(2, 4));
        pesim_layer l = random_layer(rng, 6);
        pesim_mapping m = test_mapping(rng, a, l);
        if (!valid_by_model(a, l, m)) continue;
        ASSERT_TRUE(functional_exact(a, l, m, (uint64_t)seed));
        cover(cv, a, l, m);
    }
    print_coverage("random archs", cv);
    EXPECT_GE(cv.cases, 1000);
    EXPECT_GE(cv.strided, 100);
    EXPECT_GE(cv.dilated, 100);
    EXPECT_GE(cv.grouped, 100);
    EXPECT_GE(cv.gemm, 100);
    EXPECT_GE(cv.imperfect, 100);
    EXPECT_GE(cv.bypass, 100);
    EXPECT_GE(cv.sliding, 50);
    EXPECT_GE(cv.readback, 100);
    EXPECT_GE(cv.reduction, 100);
    EXPECT_GE(cv.multicast, 100);
}

// The general mapping classes: operands that bypass a level whose temporal
// loop sits below a parent's spatial split of the same dim (the children's
// union is a comb), two dims on one spatial axis, wider fan-outs; in both
// conventions (the data moves the same way: the run counts by "pesim").
TEST(Functional, GeneralMappingsMatchTheReference)
{
    int cases = 0, bypass_class = 0, multi_axis = 0, timeloop = 0;
    for (int seed = 1; seed <= 8000 && bypass_class < 1000; seed++) {
        TestRng rng(seed + 77001);
        pesim_arch a = test_arch_wide(rng, (int)rng.uni(2, 4));
        a.conventions = seed % 3 == 0 ? PESIM_CONV_TIMELOOP : PESIM_CONV_PESIM;
        a.first_read_elision = seed % 6 == 0; /* half of the "timeloop" ones */
        pesim_layer l = random_layer(rng, 5);
        pesim_mapping m = test_mapping_general(rng, a, l);
        if (!valid_by_model(a, l, m)) continue;
        ASSERT_TRUE(functional_exact_pesim(a, l, m, (uint64_t)seed));
        cases++;
        bypass_class += test_bypass_below_spatial(a, l, m);
        multi_axis += test_multi_dim_axis(m);
        timeloop += a.conventions == PESIM_CONV_TIMELOOP;
    }
    printf("[ general ] %d cases: %d bypass below a spatial split, %d with two dims on an axis, %d timeloop\n", cases,
           bypass_class, multi_axis, timeloop);
    EXPECT_GE(bypass_class, 1000);
    EXPECT_GE(multi_axis, 500);
    EXPECT_GE(timeloop, 300);
}

// The shipped architectures, with their capacities, keeps (eyeriss's weights
// bypass the GLB; tpu_32x32's PE register keeps only one weight) and allowed
// spatial dims: random mappings the model calls valid, and the default
// mapper's mapping of each layer.
TEST(Functional, ShippedArchitecturesMatchTheReference)
{
    const char *names[] = {"tiny", "eyeriss", "tpu_32x32"};
    for (const char *name : names) {
        pesim_arch a = load_arch(name);
        ASSERT_FALSE(::testing::Test::HasFailure());
        Coverage cv;
        int defaults = 0;
        for (int seed = 1; seed <= 40; seed++) {
            TestRng rng(seed * 7919 + 11);
            pesim_layer l = random_layer(rng, 8);
            pesim_mapping m;
            pesim_error e;
            if (pesim_mapper_default(&a, &l, &m, &e) == PESIM_OK && valid_by_model(a, l, m)) {
                ASSERT_TRUE(functional_exact(a, l, m, (uint64_t)seed)) << "default mapping";
                defaults++;
            }
            int found = 0;
            for (int tries = 0; tries < 400 && found < 2; tries++) {
                m = config_mapping(rng, a, l);
                if (!valid_by_model(a, l, m)) continue;
                ASSERT_TRUE(functional_exact(a, l, m, (uint64_t)seed));
                cover(cv, a, l, m);
                found++;
            }
        }
        print_coverage(name, cv);
        printf("[ %s ] %d default mappings\n", name, defaults);
        EXPECT_GE(cv.cases, 50) << name;
        EXPECT_GE(defaults, 30) << name;
        EXPECT_GE(cv.imperfect, 10) << name;
        EXPECT_GE(cv.grouped, 5) << name;
        EXPECT_GE(cv.gemm, 5) << name;
        EXPECT_GE(cv.strided, 5) << name;
    }
}

// The default mapper's mappings on every shipped architecture (wide arrays
// such as tpu_128x128 and nnpi's 12 x 32 x 128 lanes included).
TEST(Functional, EveryShippedArchitectureWithTheDefaultMapper)
{
    const char *names[] = {"tiny", "eyeriss", "tpu_32x32", "tpu_128x128", "simba", "nvdla", "vta", "nnpi"};
    const int64_t shapes[][10] = {
        // G N K C P Q R S stride dilation
        {1, 1, 16, 8, 7, 7, 3, 3, 1, 1},
        {1, 2, 8, 3, 9, 9, 5, 5, 2, 1},
        {8, 1, 1, 1, 6, 6, 3, 3, 1, 2},
        {1, 1, 40, 24, 10, 1, 1, 1, 1, 1},
    };
    int cases = 0;
    for (const char *name : names) {
        pesim_arch a = load_arch(name);
        ASSERT_FALSE(::testing::Test::HasFailure());
        for (const auto &sh : shapes) {
            pesim_layer l = test_layer(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7], (int)sh[8], (int)sh[9]);
            pesim_mapping m;
            pesim_error e;
            ASSERT_EQ(pesim_mapper_default(&a, &l, &m, &e), PESIM_OK) << name << ": " << e.msg;
            ASSERT_TRUE(functional_exact(a, l, m, (uint64_t)cases + 1));
            cases++;
        }
    }
    EXPECT_EQ(cases, 32);
}

// The same layer and mapping give the same values for the same seed; the
// seed changes the values, not the verdict.
TEST(Functional, SeedsAreReproducible)
{
    TestRng rng(99);
    pesim_arch a = test_arch(rng, 3);
    pesim_layer l = test_layer(1, 2, 3, 4, 5, 4, 3, 2, 2, 1);
    pesim_mapping m;
    do m = test_mapping(rng, a, l);
    while (!valid_by_model(a, l, m));
    for (uint64_t seed : {0ull, 1ull, 12345678901ull}) {
        pesim_functional_result r1, r2;
        pesim_error e;
        ASSERT_EQ(pesim_functional_run(&a, &l, &m, seed, &r1, &e), PESIM_OK) << e.msg;
        ASSERT_EQ(pesim_functional_run(&a, &l, &m, seed, &r2, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(r1.mismatches, 0);
        EXPECT_EQ(0, memcmp(&r1, &r2, sizeof r1));
        for (int d = 0; d < PESIM_NDIMS; d++) EXPECT_EQ(r1.first_bad[d], -1);
    }
}

// ---- The check has teeth: corrupted data movement fails. ----

namespace {

// A 3-level machine (RF keeps all, GLB keeps all over 2 x 2 PEs with sliding
// reuse, DRAM) and a conv whose mapping exercises every path: weights reused
// over P and Q, inputs sliding along P, output partial sums revisited over C.
struct Fixed {
    pesim_arch a;
    pesim_layer l;
    pesim_mapping m;
    Fixed()
    {
        TestRng rng(1);
        a = test_arch(rng, 3);
        for (int lv = 0; lv < 3; lv++) {
            for (int t = 0; t < PESIM_NTENSORS; t++) a.level[lv].keeps[t] = 1;
            a.level[lv].fanout_x = a.level[lv].fanout_y = 1;
            a.level[lv].sliding_reuse = 1;
        }
        a.level[1].fanout_x = a.level[1].fanout_y = 2;
        l = test_layer(1, 1, 4, 4, 6, 5, 3, 3);
        pesim_mapping_init(&m, 3);
        // RF: a 3 x 3 filter window and one output row at a time
        m.level[0].temporal[PESIM_DIM_R] = 3;
        m.level[0].temporal[PESIM_DIM_S] = 3;
        m.level[0].temporal[PESIM_DIM_Q] = 5;
        // GLB: K over X, C over Y; C and P in time (P innermost: sliding rows)
        m.level[1].spatial_x[PESIM_DIM_K] = 2;
        m.level[1].spatial_y[PESIM_DIM_C] = 2;
        m.level[1].temporal[PESIM_DIM_C] = 2;
        m.level[1].temporal[PESIM_DIM_P] = 6;
        const uint8_t order1[PESIM_NDIMS] = {PESIM_DIM_G, PESIM_DIM_N, PESIM_DIM_K, PESIM_DIM_Q,
                                             PESIM_DIM_R, PESIM_DIM_S, PESIM_DIM_C, PESIM_DIM_P};
        memcpy(m.level[1].order, order1, sizeof order1);
        // DRAM: K in time
        m.level[2].temporal[PESIM_DIM_K] = 2;
    }
};

pesim_status run_fault(const Fixed &f, pesim_functional_fault fault, int level, pesim_tensor t, pesim_dim d,
                       pesim_functional_result *r, pesim_error *e)
{
    pesim_functional_options o;
    memset(&o, 0, sizeof o);
    o.fault = fault, o.fault_level = level, o.fault_tensor = t, o.fault_dim = d;
    return pesim_functional_run_opts(&f.a, &f.l, &f.m, 7, &o, r, e);
}

} // namespace

TEST(Functional, FixedCaseIsExactWithoutFaults)
{
    Fixed f;
    ASSERT_TRUE(valid_by_model(f.a, f.l, f.m));
    ASSERT_TRUE(functional_exact(f.a, f.l, f.m, 7));
    ASSERT_TRUE(slides(f.a, f.l, f.m));
    pesim_functional_result r;
    pesim_error e;
    ASSERT_EQ(run_fault(f, PESIM_FUNCTIONAL_FAULT_NONE, 0, PESIM_WEIGHTS, PESIM_DIM_K, &r, &e), PESIM_OK);
    EXPECT_EQ(r.faults_injected, 0);
    EXPECT_EQ(r.mismatches, 0);
}

// Two weights swapped in one transfer into a PE's register file.
TEST(Functional, SwappedWeightsAreCaught)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    ASSERT_EQ(run_fault(f, PESIM_FUNCTIONAL_FAULT_SWAP_WORDS, 0, PESIM_WEIGHTS, PESIM_DIM_K, &r, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(r.faults_injected, 1);
    EXPECT_GT(r.mismatches, 0);
    EXPECT_GT(r.max_abs_error, 0);
    EXPECT_GE(r.first_bad[PESIM_DIM_K], 0);
    EXPECT_EQ(r.first_bad[PESIM_DIM_C], -1);
}

// Two inputs swapped in one transfer into the global buffer.
TEST(Functional, SwappedInputsAreCaught)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    ASSERT_EQ(run_fault(f, PESIM_FUNCTIONAL_FAULT_SWAP_WORDS, 1, PESIM_INPUTS, PESIM_DIM_K, &r, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(r.faults_injected, 1);
    EXPECT_GT(r.mismatches, 0);
}

// An input tile's origin off by one row (the RF reads its window one row too
// high in the GLB, which holds every row): wrong values, no bad access.
TEST(Functional, OffByOneInputOriginIsCaught)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    ASSERT_EQ(run_fault(f, PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN, 0, PESIM_INPUTS, PESIM_DIM_P, &r, &e), PESIM_OK)
        << e.msg;
    EXPECT_GT(r.faults_injected, 0);
    EXPECT_GT(r.mismatches, 0);
    // with the sliding window only the new row of each advance is read
    // shifted: the first row of the layer is right, the others are not
    EXPECT_EQ(r.first_bad[PESIM_DIM_P], 1);
}

// A weight tile's origin off by one in K, into a GLB whose tile starts at the
// same K: the transfer reads outside its parent's tile, an error that says so.
TEST(Functional, AccessOutsideATileIsAnError)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    pesim_status st = run_fault(f, PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN, 0, PESIM_WEIGHTS, PESIM_DIM_K, &r, &e);
    ASSERT_EQ(st, PESIM_ERR_INTERNAL);
    EXPECT_NE(std::string(e.msg).find("outside the tile of level L1"), std::string::npos) << e.msg;
    EXPECT_NE(std::string(e.msg).find("semantics were violated"), std::string::npos) << e.msg;
}

// Output partial sums written back one column off.
TEST(Functional, OffByOneOutputDrainIsCaught)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    pesim_status st = run_fault(f, PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN, 1, PESIM_OUTPUTS, PESIM_DIM_K, &r, &e);
    ASSERT_EQ(st, PESIM_OK) << e.msg; // the DRAM holds the whole tensor
    EXPECT_GT(r.faults_injected, 0);
    EXPECT_GT(r.mismatches, 0);
}

// A revisited output tile that starts from zero instead of the partial sums.
TEST(Functional, LostPartialSumsAreCaught)
{
    Fixed f;
    pesim_functional_result r;
    pesim_error e;
    ASSERT_EQ(run_fault(f, PESIM_FUNCTIONAL_FAULT_SKIP_READBACK, 0, PESIM_OUTPUTS, PESIM_DIM_K, &r, &e), PESIM_OK)
        << e.msg;
    EXPECT_GT(r.faults_injected, 0);
    EXPECT_GT(r.mismatches, 0);
}

// Every kind of fault over many random cases: whenever it fires, the run
// fails (mismatches, or an error for an access outside a tile). A swap can
// go unseen when the two words meet equal partners in every MAC that uses
// them (values are drawn from 16), hence the small tolerance for it; the
// fixed cases above are exact.
TEST(Functional, RandomFaultsAreCaught)
{
    const pesim_functional_fault kinds[] = {PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN, PESIM_FUNCTIONAL_FAULT_SWAP_WORDS,
                                            PESIM_FUNCTIONAL_FAULT_SKIP_READBACK};
    for (pesim_functional_fault kind : kinds) {
        int fired = 0, caught = 0;
        for (int seed = 1; seed <= 2000; seed++) {
            TestRng rng(seed + 4242);
            pesim_arch a = test_arch(rng, (int)rng.uni(2, 4));
            pesim_layer l = random_layer(rng, 6);
            pesim_mapping m = test_mapping(rng, a, l);
            if (!valid_by_model(a, l, m)) continue;
            pesim_functional_options o;
            memset(&o, 0, sizeof o);
            o.fault = kind;
            o.fault_level = (int32_t)rng.uni(0, a.n_levels - 2);
            o.fault_tensor = kind == PESIM_FUNCTIONAL_FAULT_SKIP_READBACK ? PESIM_OUTPUTS
                             : kind == PESIM_FUNCTIONAL_FAULT_SWAP_WORDS  ? (pesim_tensor)rng.uni(0, 1)
                                                                          : (pesim_tensor)rng.uni(0, 2);
            do o.fault_dim = (pesim_dim)rng.uni(0, PESIM_NDIMS - 1);
            while (!pesim_dim_relevant(o.fault_tensor, o.fault_dim));
            pesim_functional_result r;
            pesim_error e;
            pesim_status st = pesim_functional_run_opts(&a, &l, &m, (uint64_t)seed, &o, &r, &e);
            ASSERT_TRUE(st == PESIM_OK || st == PESIM_ERR_INTERNAL) << e.msg;
            if (st == PESIM_OK && r.faults_injected == 0) continue;
            fired++;
            caught += st != PESIM_OK || r.mismatches > 0;
        }
        printf("[ fault %d ] fired in %d cases, caught in %d\n", (int)kind, fired, caught);
        EXPECT_GE(fired, 100) << "fault " << kind;
        if (kind == PESIM_FUNCTIONAL_FAULT_SWAP_WORDS)
            EXPECT_GE(caught * 100, fired * 98) << "fault " << kind;
        else
            EXPECT_EQ(caught, fired) << "fault " << kind;
    }
}

// ---- Arguments ----

TEST(Functional, RefusesLayersTooBigToSimulate)
{
    TestRng rng(3);
    pesim_arch a = test_arch(rng, 2);
    pesim_layer l = test_layer(1, 1, 64, 64, 32, 32, 3, 3); // 37.7 M MACs
    pesim_mapping m;
    pesim_mapping_init(&m, 2);
    for (int d = 0; d < PESIM_NDIMS; d++) m.level[1].temporal[d] = l.dim[d];
    pesim_functional_result r;
    pesim_error e;
    EXPECT_EQ(pesim_functional_run(&a, &l, &m, 1, &r, &e), PESIM_ERR_RANGE);
    EXPECT_NE(std::string(e.msg).find("at most"), std::string::npos) << e.msg;
}

TEST(Functional, RejectsInvalidMappingsWithTheModelsReason)
{
    pesim_arch a = load_arch("tiny");
    pesim_layer l = test_layer(1, 1, 4, 4, 4, 4, 3, 3);
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    for (int d = 0; d < PESIM_NDIMS; d++) m.level[1].temporal[d] = l.dim[d];
    m.level[0].temporal[PESIM_DIM_K] = 4; // 4 x 3 weights in a 4-word RF partition
    m.level[0].temporal[PESIM_DIM_R] = 3;
    pesim_functional_result r;
    pesim_error e;
    EXPECT_EQ(pesim_functional_run(&a, &l, &m, 1, &r, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("invalid mapping"), std::string::npos) << e.msg;
    EXPECT_NE(std::string(e.msg).find("capacity"), std::string::npos) << e.msg;

    pesim_mapping_init(&m, a.n_levels); // covers nothing
    EXPECT_EQ(pesim_functional_run(&a, &l, &m, 1, &r, &e), PESIM_ERR_INVALID);
    pesim_mapping_init(&m, a.n_levels - 1);
    EXPECT_EQ(pesim_functional_run(&a, &l, &m, 1, &r, &e), PESIM_ERR_INVALID);
}

TEST(Functional, RejectsLayersWithoutMacs)
{
    pesim_arch a = load_arch("tiny");
    pesim_layer l = test_layer(1, 1, 4, 1, 4, 4, 2, 2);
    l.op = PESIM_OP_POOL;
    pesim_mapping m;
    pesim_mapping_init(&m, a.n_levels);
    for (int d = 0; d < PESIM_NDIMS; d++) m.level[a.n_levels - 1].temporal[d] = l.dim[d];
    pesim_functional_result r;
    pesim_error e;
    EXPECT_EQ(pesim_functional_run(&a, &l, &m, 1, &r, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("no MACs"), std::string::npos) << e.msg;
}
