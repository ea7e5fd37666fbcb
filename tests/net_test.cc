// net_test.cc - the whole-network module's tensors, placement, capacity over
// time, allocation, rectification and placers (sim/net, docs/network.md),
// with the arithmetic in comments.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/net.h"
}

namespace {

// SRAM holds `sram` words (one instance) under a 4-PE array's buffer; MEM is
// the outermost level (no DRAM timing).
std::string Arch(int sram, bool vector = true, const char *vector_level = "GLB")
{
    return "arch = { name = \"t\"; word_bits = 8; clock_mhz = 1000.0;\n"
           "  mac = { energy_pj = 1.0; latency_cycles = 1; };\n"
           "  levels = (\n"
           "    { name = \"RF\"; tensor_capacity = { weights = 16; inputs = 16; outputs = 16; }; },\n"
           "    { name = \"GLB\"; capacity_words = 1024; fanout_x = 4; read_words_per_cycle = 16.0;\n"
           "      write_words_per_cycle = 16.0; },\n"
           "    { name = \"SRAM\"; capacity_words = " + std::to_string(sram) +
           "; banks = 2; read_words_per_cycle = 4.0;\n"
           "      write_words_per_cycle = 4.0; read_energy_pj = 1.0; write_energy_pj = 1.0; },\n"
           "    { name = \"MEM\"; banks = 2; read_words_per_cycle = 1.0; write_words_per_cycle = 1.0;\n"
           "      latency_cycles = 10; read_energy_pj = 10.0; write_energy_pj = 10.0; }\n"
           "  );\n" +
           (vector ? std::string("  vector = { level = \"") + vector_level + "\"; lanes = 4; };\n" : "") + "};\n";
}

std::string Net(const std::vector<std::string> &layers)
{
    std::string s = "network = { name = \"t\"; input = { c = 4; h = 4; w = 1; }; layers = (\n";
    for (size_t i = 0; i < layers.size(); i++) s += "  { " + layers[i] + " }" + (i + 1 < layers.size() ? ",\n" : "\n");
    return s + "); };\n";
}

// A gemm reading `in` with m = 4, k_red = 4 and n_out outputs per row:
// weights 4 x n_out words, output 4 x n_out words.
std::string Gemm(const char *name, const char *in, int n_out = 4)
{
    return std::string("name = \"") + name + "\"; type = \"gemm\"; inputs = [ \"" + in + "\" ]; m = 4; n_out = " +
           std::to_string(n_out) + "; k_red = 4;";
}

struct Net_ {
    pesim_arch arch{};
    pesim_network net{};
    pesim_net *n = nullptr;
    pesim_placement p{};
    const pesim_net_result *r = nullptr;
    pesim_error e{};

    Net_(const std::string &arch_text, const std::string &net_text, pesim_net_options o = {})
    {
        EXPECT_EQ(pesim_arch_load_string(arch_text.c_str(), "t.cfg", &arch, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_network_load_string(net_text.c_str(), "n.cfg", &net, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_net_create(&arch, &net, &o, &n, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_net_place_outermost(n, &p, &e), PESIM_OK);
    }
    ~Net_()
    {
        pesim_placement_free(&p);
        pesim_net_destroy(n);
        pesim_network_free(&net);
    }
    int Level(const char *name) const { return pesim_arch_find_level(&arch, name); }
    int Layer(const char *name) const { return pesim_network_find(&net, name); }
    void Out(const char *layer, const char *level) { p.outputs_level[Layer(layer)] = Level(level); }
    void Weights(const char *layer, const char *level) { p.weights_level[Layer(layer)] = Level(level); }
    const pesim_net_result &Run(pesim_net_fidelity f = PESIM_NET_ANALYTICAL)
    {
        EXPECT_EQ(pesim_net_run(n, &p, f, &r, &e), PESIM_OK) << e.msg;
        return *r;
    }
};

TEST(Net, TensorsAndLifetimes)
{
    // a -> b -> c, d = c + a, e = layernorm(d)
    Net_ t(Arch(4096), Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b"),
                            "name = \"d\"; type = \"add\"; inputs = [ \"c\", \"a\" ]; k = 4; p = 4; q = 1;",
                            "name = \"e\"; type = \"layernorm\"; inputs = [ \"d\" ]; k = 4; p = 4; q = 1;"}));
    EXPECT_EQ(pesim_net_n_tensors(t.n), 1 + 2 * 5);
    const pesim_net_tensor *in = pesim_net_tensor_info(t.n, PESIM_NET_INPUT_TENSOR);
    EXPECT_EQ(in->kind, PESIM_NET_INPUT);
    EXPECT_EQ(in->words, 16);
    EXPECT_EQ(in->n_consumers, 1);
    const pesim_net_tensor *wa = pesim_net_tensor_info(t.n, PESIM_NET_WEIGHTS_TENSOR(0));
    EXPECT_EQ(wa->kind, PESIM_NET_WEIGHTS);
    EXPECT_EQ(wa->words, 16); // k_red x n_out
    EXPECT_EQ(pesim_net_tensor_info(t.n, PESIM_NET_WEIGHTS_TENSOR(3))->words, 0); // an add has no weights
    EXPECT_EQ(pesim_net_tensor_info(t.n, PESIM_NET_WEIGHTS_TENSOR(4))->words, 8); // layernorm: scale, shift
    const pesim_net_tensor *oa = pesim_net_tensor_info(t.n, PESIM_NET_OUTPUT_TENSOR(0));
    EXPECT_EQ(oa->n_consumers, 2);
    EXPECT_EQ(oa->first_use, 1);
    EXPECT_EQ(oa->last_use, 3);
    const pesim_net_result &r = t.Run();
    ASSERT_TRUE(r.valid) << r.reason;
    // lifetimes: a's output from its producer to the add; weights at their
    // layer's step (charged); e's output, the network's result, to the end
    EXPECT_EQ(r.tensor[PESIM_NET_OUTPUT_TENSOR(0)].birth, 0);
    EXPECT_EQ(r.tensor[PESIM_NET_OUTPUT_TENSOR(0)].death, 3);
    EXPECT_EQ(r.tensor[PESIM_NET_WEIGHTS_TENSOR(1)].birth, 1);
    EXPECT_EQ(r.tensor[PESIM_NET_WEIGHTS_TENSOR(1)].death, 1);
    EXPECT_EQ(r.tensor[PESIM_NET_OUTPUT_TENSOR(4)].death, 4);
    EXPECT_EQ(r.tensor[PESIM_NET_INPUT_TENSOR].birth, 0);
    EXPECT_EQ(r.tensor[PESIM_NET_INPUT_TENSOR].death, 0);
    // the vector layers: the add's 16 sums, the layernorm's 7 operations a word
    EXPECT_EQ(r.layer[3].vector_ops, 16);
    EXPECT_EQ(r.layer[4].vector_ops, 7 * 16);
    EXPECT_EQ(r.vector_ops, 16 + 7 * 16);
    EXPECT_EQ(r.macs, 3 * 64);

    // preloaded weights live the whole run
    pesim_net_options o{};
    o.preload_weights = 1;
    Net_ u(Arch(4096), Net({Gemm("a", "input"), Gemm("b", "a")}), o);
    const pesim_net_result &q = u.Run();
    EXPECT_EQ(q.tensor[PESIM_NET_WEIGHTS_TENSOR(1)].birth, 0);
    EXPECT_EQ(q.tensor[PESIM_NET_WEIGHTS_TENSOR(1)].death, 1);
}

TEST(Net, HomesAndFeatures)
{
    Net_ t(Arch(4096), Net({Gemm("a", "input"), Gemm("b", "a"),
                            "name = \"c\"; type = \"add\"; inputs = [ \"b\", \"a\" ]; k = 4; p = 4; q = 1; "
                            "activation = \"relu\";"}));
    int32_t lv[PESIM_MAX_LEVELS];
    // above the innermost fan-out (GLB): SRAM and MEM, outermost first
    ASSERT_EQ(pesim_net_home_levels(t.n, PESIM_NET_WEIGHTS, lv), 2);
    EXPECT_EQ(lv[0], t.Level("MEM"));
    EXPECT_EQ(lv[1], t.Level("SRAM"));
    ASSERT_EQ(pesim_net_home_levels(t.n, PESIM_NET_ACTIVATION, lv), 2);
    std::vector<pesim_net_node> nodes(3);
    std::vector<int32_t> edges(2 * 3 * PESIM_MAX_INPUTS);
    ASSERT_EQ(pesim_net_features(t.n, nodes.data(), edges.data()), 4); // input->a, a->b, b->c, a->c
    EXPECT_EQ(edges[0], -1);
    EXPECT_EQ(edges[1], 0);
    EXPECT_EQ(edges[6], 0); // a -> c (c's second input)
    EXPECT_EQ(edges[7], 2);
    EXPECT_EQ(nodes[0].op, PESIM_OP_GEMM);
    EXPECT_EQ(nodes[0].macs, 64);
    EXPECT_EQ(nodes[0].weight_words, 16);
    EXPECT_EQ(nodes[0].output_words, 16);
    EXPECT_EQ(nodes[0].n_consumers, 2);
    EXPECT_EQ(nodes[0].death, 2);
    EXPECT_EQ(nodes[2].op, PESIM_OP_ADD);
    EXPECT_EQ(nodes[2].input_words, 32);
    EXPECT_EQ(nodes[2].vector_ops, 16 + 16); // the add and its fused relu
    EXPECT_EQ(nodes[2].position, 2);
    // a level that cannot hold a tensor is bad input, named
    t.p.weights_level[0] = t.Level("GLB");
    const pesim_net_result *r;
    EXPECT_EQ(pesim_net_run(t.n, &t.p, PESIM_NET_ANALYTICAL, &r, &t.e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(t.e.msg).find("cannot live in level GLB"), std::string::npos) << t.e.msg;
    EXPECT_NE(std::string(t.e.msg).find("SRAM"), std::string::npos) << t.e.msg;
}

// The vector unit stages its operands' tiles from their homes into its level,
// so what a vector layer reads or writes lives at or above that level; the
// other tensors keep every home of their kind. With the unit beside MEM (a
// near-memory unit) and c = a + b: a's, b's and c's outputs live in MEM only;
// the input, the weights and d's output in SRAM or MEM. Placers keep to it and
// a placement that does not is bad input, naming why.
TEST(Net, VectorOperandsLiveAtOrAboveTheVectorUnit)
{
    Net_ t(Arch(4096, true, "MEM"), Net({Gemm("a", "input"), Gemm("b", "a"),
                                         "name = \"c\"; type = \"add\"; inputs = [ \"b\", \"a\" ]; k = 4; p = 4; q = 1;",
                                         Gemm("d", "c")}));
    const int S = t.Level("SRAM"), M = t.Level("MEM");
    int32_t lv[PESIM_MAX_LEVELS];
    ASSERT_EQ(pesim_net_home_levels(t.n, PESIM_NET_ACTIVATION, lv), 2); // the kind's homes: unchanged
    auto homes = [&](int32_t id) {
        int k = pesim_net_tensor_homes(t.n, id, lv);
        return std::vector<int32_t>(lv, lv + k);
    };
    const std::vector<int32_t> both{M, S}, mem{M};
    EXPECT_EQ(homes(PESIM_NET_INPUT_TENSOR), both);
    for (int i : {0, 1, 3}) EXPECT_EQ(homes(PESIM_NET_WEIGHTS_TENSOR(i)), both) << i;
    for (int i : {0, 1, 2}) EXPECT_EQ(homes(PESIM_NET_OUTPUT_TENSOR(i)), mem) << i;
    EXPECT_EQ(homes(PESIM_NET_OUTPUT_TENSOR(3)), both);
    EXPECT_EQ(pesim_net_tensor_homes(t.n, -1, lv), 0);
    EXPECT_EQ(pesim_net_tensor_homes(t.n, pesim_net_n_tensors(t.n), lv), 0);
    // greedy: everything that may goes to SRAM (4096 words hold it all)
    pesim_placement g;
    ASSERT_EQ(pesim_net_place_greedy(t.n, &g, &t.e), PESIM_OK);
    EXPECT_EQ(g.input_level, S);
    for (int i : {0, 1, 3}) EXPECT_EQ(g.weights_level[i], S) << i;
    for (int i : {0, 1, 2}) EXPECT_EQ(g.outputs_level[i], M) << i;
    EXPECT_EQ(g.outputs_level[3], S);
    const pesim_net_result *r;
    for (pesim_net_fidelity f : {PESIM_NET_ANALYTICAL, PESIM_NET_CYCLE}) {
        ASSERT_EQ(pesim_net_run(t.n, &g, f, &r, &t.e), PESIM_OK) << t.e.msg;
        EXPECT_TRUE(r->valid) << r->reason;
        EXPECT_EQ(r->layer[2].home[PESIM_INPUTS], M);
        EXPECT_EQ(r->layer[2].home[PESIM_WEIGHTS], M); // b, the add's second term
        EXPECT_EQ(r->layer[2].home[PESIM_OUTPUTS], M);
    }
    pesim_placement_free(&g);
    // the optimum, exhaustive and by the ILP, chooses among the same homes
    for (int64_t evals : {1000, 1}) {
        pesim_placement o;
        pesim_net_optimum info;
        ASSERT_EQ(pesim_net_place_optimal(t.n, PESIM_NET_ANALYTICAL, evals, &o, &info, &t.e), PESIM_OK) << t.e.msg;
        EXPECT_EQ(info.exhaustive, evals > 1);
        for (int i : {0, 1, 2}) EXPECT_EQ(o.outputs_level[i], M) << evals << " " << i;
        pesim_placement_free(&o);
    }
    // a vector layer's operand below the unit: named, with the levels it may
    // live in and the placement entry's line where it came from a file
    EXPECT_EQ(pesim_net_check_placement(t.n, &t.p, &t.e), PESIM_OK);
    t.Out("c", "SRAM");
    t.p.line = static_cast<int32_t *>(calloc(4, sizeof(int32_t)));
    ASSERT_NE(t.p.line, nullptr);
    t.p.line[2] = 13;
    pesim_error_clear(&t.e);
    EXPECT_EQ(pesim_net_check_placement(t.n, &t.p, &t.e), PESIM_ERR_INVALID);
    EXPECT_EQ(t.e.line, 13);
    EXPECT_STREQ(t.e.key, "c");
    EXPECT_EQ(pesim_net_run(t.n, &t.p, PESIM_NET_ANALYTICAL, &r, &t.e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(t.e.msg).find("output of 'c' cannot live in level SRAM: a vector layer reads or writes it, "
                                        "so it lives at or above the vector unit's level MEM (it may live in: MEM)"),
              std::string::npos) << t.e.msg;
    // a level that is no home of its kind keeps the plain message
    t.Out("c", "MEM");
    t.Out("a", "GLB");
    EXPECT_EQ(pesim_net_run(t.n, &t.p, PESIM_NET_ANALYTICAL, &r, &t.e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(t.e.msg).find("output of 'a' cannot live in level GLB (it may live in: MEM)"),
              std::string::npos) << t.e.msg;
}

TEST(Net, OverflowAtOneStepOnly)
{
    // SRAM holds 40 words. a -> b -> c -> d = c + a. In SRAM: a's output (16
    // words, steps 0..3), b's output (16, steps 1..2) and b's weights (16,
    // step 1). Live at step 0: 16; step 1: a + b + b's weights = 48 > 40, 8
    // over; step 2: a + b = 32; step 3: a = 16. Only step 1 overflows; the
    // tensor named is the one born last there (b's weights and output are
    // both born at 1 and equal: the first, b's weights).
    Net_ t(Arch(40), Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b"),
                          "name = \"d\"; type = \"add\"; inputs = [ \"c\", \"a\" ]; k = 4; p = 4; q = 1;"}));
    t.Out("a", "SRAM");
    t.Out("b", "SRAM");
    t.Weights("b", "SRAM");
    const pesim_net_result &r = t.Run();
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(r.fail_level, t.Level("SRAM"));
    EXPECT_EQ(r.fail_step, 1);
    EXPECT_EQ(r.fail_tensor, PESIM_NET_WEIGHTS_TENSOR(1));
    EXPECT_EQ(r.fail_words_over, 8);
    EXPECT_NE(std::string(r.reason).find("level SRAM over capacity at step 1 (layer b)"), std::string::npos) << r.reason;
    EXPECT_NE(std::string(r.reason).find("8 over"), std::string::npos) << r.reason;
    // b's weights elsewhere: 32 words at most, it fits
    t.Weights("b", "MEM");
    EXPECT_TRUE(t.Run().valid) << t.r->reason;
    // the same three in a 48-word SRAM fit exactly
    Net_ u(Arch(48), Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b"),
                          "name = \"d\"; type = \"add\"; inputs = [ \"c\", \"a\" ]; k = 4; p = 4; q = 1;"}));
    u.Out("a", "SRAM");
    u.Out("b", "SRAM");
    u.Weights("b", "SRAM");
    const pesim_net_result &q = u.Run();
    ASSERT_TRUE(q.valid) << q.reason;
    EXPECT_EQ(q.peak_words[u.Level("SRAM")], 48);
    // at step 1 nothing is left for b's tiles in SRAM: its mapping stages nothing there
    EXPECT_EQ(q.layer[1].room_words[u.Level("SRAM")], 0);
    EXPECT_EQ(q.layer[1].staging_words[u.Level("SRAM")], 0);
}

TEST(Net, Rectification)
{
    // The overflowing placement above, rectified: the tensor that does not
    // fit (b's weights) moves to the next level out, MEM; then everything
    // fits. The result is the run of the placement with b's weights in MEM,
    // and says what moved.
    pesim_net_options o{};
    o.rectify = 1;
    const std::string net = Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b"),
                                 "name = \"d\"; type = \"add\"; inputs = [ \"c\", \"a\" ]; k = 4; p = 4; q = 1;"});
    Net_ t(Arch(40), net, o);
    t.Out("a", "SRAM");
    t.Out("b", "SRAM");
    t.Weights("b", "SRAM");
    for (pesim_net_fidelity f : {PESIM_NET_ANALYTICAL, PESIM_NET_CYCLE}) {
        const pesim_net_result &r = t.Run(f);
        ASSERT_TRUE(r.valid) << r.reason;
        EXPECT_TRUE(r.rectified);
        ASSERT_EQ(r.n_spills, 1);
        EXPECT_EQ(r.spill[0].tensor, PESIM_NET_WEIGHTS_TENSOR(1));
        EXPECT_EQ(r.spill[0].from_level, t.Level("SRAM"));
        EXPECT_EQ(r.spill[0].to_level, t.Level("MEM"));
        EXPECT_EQ(r.spill[0].step, 1);
        EXPECT_EQ(r.spill[0].words, 16);
        EXPECT_EQ(r.spilled_words, 16);
        EXPECT_EQ(r.placement.weights_level[1], t.Level("MEM"));
        EXPECT_EQ(r.tensor[PESIM_NET_WEIGHTS_TENSOR(1)].placed_level, t.Level("SRAM"));
        int64_t cycles = r.cycles;
        double energy = r.energy_pj;
        Net_ m(Arch(40), net);
        m.Out("a", "SRAM");
        m.Out("b", "SRAM");
        const pesim_net_result &q = m.Run(f);
        ASSERT_TRUE(q.valid) << q.reason;
        EXPECT_FALSE(q.rectified);
        EXPECT_EQ(q.cycles, cycles);
        EXPECT_DOUBLE_EQ(q.energy_pj, energy);
    }
    // Rectification makes any placement feasible: everything in a 20-word SRAM.
    Net_ s(Arch(20), net, o);
    for (int i = 0; i < 4; i++) s.p.outputs_level[i] = s.p.weights_level[i] = s.Level("SRAM");
    s.p.input_level = s.Level("SRAM");
    const pesim_net_result &r = s.Run();
    ASSERT_TRUE(r.valid) << r.reason;
    EXPECT_GT(r.n_spills, 0);
    for (int lv = 0; lv < s.arch.n_levels; lv++) EXPECT_LE(r.peak_words[lv], lv == s.Level("SRAM") ? 20 : INT64_MAX);
}

TEST(Net, AllocatorFragmentationAndPins)
{
    // SRAM 48 words; steps x 0, y 1, z 2, w 3. In SRAM: x's output (16
    // words, steps 0..3: w reads it) and z's (32, steps 2..3: nobody reads
    // it, the network's result). At most 48 live. Best fit, largest first: z
    // at 0, then x beside it at 32.
    const std::string net = Net({Gemm("x", "input"), Gemm("y", "input"), Gemm("z", "y", 8),
                                 "name = \"w\"; type = \"add\"; inputs = [ \"x\", \"x\" ]; k = 4; p = 4; q = 1;"});
    Net_ t(Arch(48), net);
    t.Out("x", "SRAM");
    t.Out("z", "SRAM");
    const pesim_net_result &r = t.Run();
    ASSERT_TRUE(r.valid) << r.reason;
    const pesim_net_tensor &x = r.tensor[PESIM_NET_OUTPUT_TENSOR(0)], &z = r.tensor[PESIM_NET_OUTPUT_TENSOR(2)];
    EXPECT_EQ(z.address, 0);
    EXPECT_EQ(x.address, 32);
    EXPECT_EQ(r.fragmentation[t.Level("SRAM")], 0.0);
    // Pinning x at 16 leaves runs of 16 and 16 at step 2: z (32) no longer
    // fits anywhere although 48 - 16 = 32 words are free: fragmentation.
    t.p.outputs_address[0] = 16;
    const pesim_net_result &q = t.Run();
    EXPECT_FALSE(q.valid);
    EXPECT_EQ(q.fail_tensor, PESIM_NET_OUTPUT_TENSOR(2));
    EXPECT_EQ(q.fail_words_over, 0);
    EXPECT_NE(std::string(q.reason).find("fragmentation"), std::string::npos) << q.reason;
    EXPECT_NE(std::string(q.reason).find("the largest is 16 words"), std::string::npos) << q.reason;
    // pins that overlap in time and space are refused
    t.p.outputs_address[0] = 0;
    t.p.outputs_address[2] = 8;
    EXPECT_FALSE(t.Run().valid);
    EXPECT_NE(std::string(t.r->reason).find("pinned"), std::string::npos) << t.r->reason;
}

TEST(Net, PlacementWithAddressesRoundTrips)
{
    const std::string net = Net({Gemm("a", "input"), Gemm("b", "a"),
                                 "name = \"c\"; type = \"concat\"; inputs = [ \"a\", \"b\" ]; k = 8; p = 4; q = 1;"});
    Net_ t(Arch(1024), net);
    t.Out("a", "SRAM");
    t.Out("b", "SRAM");
    t.Out("c", "SRAM");
    t.Weights("b", "SRAM");
    const pesim_net_result &r = t.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(r.layer[2].copy_words, 0); // a and b alias their slices of c
    std::string path = std::string("/tmp/pesim_net_test_") + std::to_string(getpid()) + ".cfg";
    ASSERT_EQ(pesim_placement_write(path.c_str(), &r.placement, &t.arch, &t.net, &t.e), PESIM_OK) << t.e.msg;
    pesim_placement back;
    ASSERT_EQ(pesim_placement_load(path.c_str(), &t.arch, &t.net, &back, &t.e), PESIM_OK) << t.e.msg;
    EXPECT_EQ(back.input_level, r.placement.input_level);
    EXPECT_EQ(back.input_address, r.placement.input_address);
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(back.outputs_level[i], r.placement.outputs_level[i]);
        EXPECT_EQ(back.outputs_address[i], r.placement.outputs_address[i]);
        EXPECT_EQ(back.weights_level[i], r.placement.weights_level[i]);
        EXPECT_EQ(back.weights_address[i], r.placement.weights_address[i]);
    }
    // the written placement runs to the same result (pinned slices keep the aliasing)
    int64_t cycles = r.cycles;
    double energy = r.energy_pj;
    const pesim_net_result *q;
    ASSERT_EQ(pesim_net_run(t.n, &back, PESIM_NET_CYCLE, &q, &t.e), PESIM_OK);
    ASSERT_TRUE(q->valid) << q->reason;
    EXPECT_EQ(q->cycles, cycles);
    EXPECT_DOUBLE_EQ(q->energy_pj, energy);
    EXPECT_EQ(q->layer[2].copy_words, 0);
    pesim_placement_free(&back);
    remove(path.c_str());
    // an old placement (levels of MAC layers only) still loads
    const char *old = "placement = { tensors = ( { layer = \"a\"; weights = \"SRAM\"; outputs = \"SRAM\"; },\n"
                      "  { layer = \"b\"; weights = \"MEM\"; outputs = \"MEM\"; } ); };\n";
    pesim_placement p;
    ASSERT_EQ(pesim_placement_load_string(old, "old.cfg", &t.arch, &t.net, &p, &t.e), PESIM_OK) << t.e.msg;
    EXPECT_EQ(p.input_level, t.Level("MEM"));
    EXPECT_EQ(p.outputs_address[0], -1);
    EXPECT_EQ(p.outputs_level[2], t.Level("MEM"));
    pesim_placement_free(&p);
}

TEST(Net, GreedyPlacerAndOutermost)
{
    // a -> b -> c in a 40-word SRAM (charged weights of 16 words, outputs of
    // 16). Greedy, tensors in topological order, each to the fastest home
    // where it fits over its life: the input (16, step 0) SRAM; a's weights
    // (16, step 0) SRAM; a's output (16, steps 0..1): 48 > 40 at step 0, MEM;
    // b's weights (step 1) SRAM; b's output (steps 1..2) SRAM (16 + 16 = 32);
    // c's weights (step 2) SRAM (32); c's output (step 2) 48 > 40: MEM.
    Net_ t(Arch(40), Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b")}));
    pesim_placement g;
    ASSERT_EQ(pesim_net_place_greedy(t.n, &g, &t.e), PESIM_OK);
    const int S = t.Level("SRAM"), M = t.Level("MEM");
    EXPECT_EQ(g.input_level, S);
    EXPECT_EQ(g.weights_level[0], S);
    EXPECT_EQ(g.outputs_level[0], M);
    EXPECT_EQ(g.weights_level[1], S);
    EXPECT_EQ(g.outputs_level[1], S);
    EXPECT_EQ(g.weights_level[2], S);
    EXPECT_EQ(g.outputs_level[2], M);
    const pesim_net_result *r;
    ASSERT_EQ(pesim_net_run(t.n, &g, PESIM_NET_CYCLE, &r, &t.e), PESIM_OK);
    EXPECT_TRUE(r->valid) << r->reason;
    // deterministic
    pesim_placement h;
    ASSERT_EQ(pesim_net_place_greedy(t.n, &h, &t.e), PESIM_OK);
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(g.weights_level[i], h.weights_level[i]);
        EXPECT_EQ(g.outputs_level[i], h.outputs_level[i]);
    }
    pesim_placement_free(&g);
    pesim_placement_free(&h);
    pesim_placement o;
    ASSERT_EQ(pesim_net_place_outermost(t.n, &o, &t.e), PESIM_OK);
    for (int i = 0; i < 3; i++) EXPECT_EQ(o.outputs_level[i], M);
    EXPECT_EQ(o.input_level, M);
    pesim_placement_free(&o);
}

TEST(Net, RefusesWhatItCannotCost)
{
    pesim_arch a;
    pesim_network net;
    pesim_error e;
    pesim_net *n = nullptr;
    // no vector unit, a pool layer
    std::string arch = Arch(64, false);
    ASSERT_EQ(pesim_arch_load_string(arch.c_str(), "novec.cfg", &a, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_network_load_string(Net({Gemm("a", "input"), "name = \"p\"; type = \"pool\"; inputs = [ \"a\" ]; "
                                             "k = 4; p = 2; q = 1; r = 2; s = 1; stride = [ 2, 1 ];"}).c_str(),
                                        "n.cfg", &net, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_net_create(&a, &net, nullptr, &n, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("needs a vector unit"), std::string::npos) << e.msg;
    EXPECT_EQ(n, nullptr);
    pesim_network_free(&net);
    // an add of three inputs
    pesim_arch b;
    ASSERT_EQ(pesim_arch_load_string(Arch(64).c_str(), "t.cfg", &b, &e), PESIM_OK);
    ASSERT_EQ(pesim_network_load_string(Net({Gemm("a", "input"), Gemm("b", "input"),
                                             "name = \"s\"; type = \"add\"; inputs = [ \"a\", \"b\", \"a\" ]; k = 4; "
                                             "p = 4; q = 1;"}).c_str(), "n.cfg", &net, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(pesim_net_create(&b, &net, nullptr, &n, &e), PESIM_ERR_INVALID);
    EXPECT_NE(std::string(e.msg).find("adds of two inputs"), std::string::npos) << e.msg;
    pesim_network_free(&net);
}

} // namespace

namespace {

// The analytical cycles of a placement (-1: infeasible).
int64_t Cycles(Net_ &t, const pesim_placement &p)
{
    const pesim_net_result *r;
    EXPECT_EQ(pesim_net_run(t.n, &p, PESIM_NET_ANALYTICAL, &r, &t.e), PESIM_OK) << t.e.msg;
    return r->valid ? r->cycles : -1;
}

TEST(Net, OptimumExhaustiveAndIlp)
{
    // a -> b -> c in a 40-word SRAM: 7 placeable tensors (the input, three
    // weights, three outputs), each in SRAM or MEM: 2^7 = 128 placements.
    Net_ t(Arch(40), Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b")}));
    const int S = t.Level("SRAM"), M = t.Level("MEM");
    pesim_placement opt, ilp, g;
    pesim_net_optimum info;
    ASSERT_EQ(pesim_net_place_optimal(t.n, PESIM_NET_ANALYTICAL, 1000, &opt, &info, &t.e), PESIM_OK) << t.e.msg;
    EXPECT_EQ(info.exhaustive, 1);
    EXPECT_EQ(info.evaluated, 128);
    const int64_t best = Cycles(t, opt);
    ASSERT_GT(best, 0);
    EXPECT_EQ(info.predicted_cycles, best);
    // no placement does better: greedy, all-MEM, and every one of the 128
    ASSERT_EQ(pesim_net_place_greedy(t.n, &g, &t.e), PESIM_OK);
    const int64_t greedy = Cycles(t, g);
    EXPECT_LE(best, greedy);
    EXPECT_LT(best, Cycles(t, t.p)); // all in MEM: every word over MEM's 1-word ports
    pesim_placement q;
    ASSERT_EQ(pesim_net_place_outermost(t.n, &q, &t.e), PESIM_OK);
    int valid = 0;
    for (int bits = 0; bits < 128; bits++) {
        q.input_level = bits & 1 ? S : M;
        for (int i = 0; i < 3; i++) {
            q.weights_level[i] = bits >> (1 + i) & 1 ? S : M;
            q.outputs_level[i] = bits >> (4 + i) & 1 ? S : M;
        }
        int64_t c = Cycles(t, q);
        if (c < 0) continue;
        valid++;
        EXPECT_GE(c, best) << bits;
    }
    EXPECT_GT(valid, 10);
    EXPECT_LT(valid, 128); // the capacity binds

    // The ILP (the space over max_evals): one all-MEM run and one run per
    // tensor alone in SRAM (7), then GLPK. Its objective is at most that of
    // any placement that fits its capacity rows, greedy's included: all-MEM
    // cycles plus the savings of greedy's SRAM tensors, each measured alone.
    ASSERT_EQ(pesim_net_place_optimal(t.n, PESIM_NET_ANALYTICAL, 1, &ilp, &info, &t.e), PESIM_OK) << t.e.msg;
    EXPECT_EQ(info.exhaustive, 0);
    EXPECT_EQ(info.evaluated, 8);
    const int64_t base = Cycles(t, t.p);
    int64_t greedy_pred = base;
    for (int32_t id = 0; id < pesim_net_n_tensors(t.n); id++) {
        const pesim_net_tensor *x = pesim_net_tensor_info(t.n, id);
        if (x->words == 0) continue;
        int32_t lv = id == PESIM_NET_INPUT_TENSOR ? g.input_level
                     : id % 2 ? g.weights_level[(id - 1) / 2] : g.outputs_level[(id - 1) / 2];
        if (lv != S) continue;
        pesim_placement one;
        ASSERT_EQ(pesim_net_place_outermost(t.n, &one, &t.e), PESIM_OK);
        if (id == PESIM_NET_INPUT_TENSOR) one.input_level = S;
        else if (id % 2) one.weights_level[(id - 1) / 2] = S;
        else one.outputs_level[(id - 1) / 2] = S;
        greedy_pred += Cycles(t, one) - base;
        pesim_placement_free(&one);
    }
    EXPECT_LE(info.predicted_cycles, greedy_pred);
    const int64_t ilp_cycles = Cycles(t, ilp);
    ASSERT_GT(ilp_cycles, 0);       // it fits here
    EXPECT_GE(ilp_cycles, best);    // the exhaustive optimum is a lower bound of every placement
    EXPECT_LT(ilp_cycles, base);
    // deterministic
    pesim_placement again;
    ASSERT_EQ(pesim_net_place_optimal(t.n, PESIM_NET_ANALYTICAL, 1, &again, &info, &t.e), PESIM_OK);
    EXPECT_EQ(again.input_level, ilp.input_level);
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(again.weights_level[i], ilp.weights_level[i]);
        EXPECT_EQ(again.outputs_level[i], ilp.outputs_level[i]);
    }
    for (pesim_placement *x : {&opt, &ilp, &g, &q, &again}) pesim_placement_free(x);
}

} // namespace

namespace {

// pesim_net_dram_series: the bins tile the run's timeline [0, cycles), there
// are at most n_bins of them, together they hold every layer's outermost-level
// words (reads; fills and updates), and a bin has words only while a layer
// that moves outermost-level words is running.
// The network's analytical bound charges a level's traffic over all its ports
// (the rates are per port): with every tensor in MEM (1 word a cycle per port)
// the run is MEM-bound, and a second port at MEM shortens it.
TEST(Net, BoundScalesWithPorts)
{
    const std::string net = Net({Gemm("a", "input"), Gemm("b", "a"), Gemm("c", "b")});
    std::string two = Arch(40);
    const std::string mem = "{ name = \"MEM\"; banks = 2;";
    ASSERT_NE(two.find(mem), std::string::npos);
    two.replace(two.find(mem), mem.size(), mem + " ports = 2;");
    Net_ t1(Arch(40), net), t2(two, net);
    ASSERT_EQ(t2.arch.level[t2.Level("MEM")].ports, 2);
    const int64_t c1 = Cycles(t1, t1.p), c2 = Cycles(t2, t2.p);
    ASSERT_GT(c2, 0);
    EXPECT_LT(c2, c1);
}

TEST(Net, DramSeriesBinsEveryWordWithinItsLayer)
{
    Net_ t(Arch(4096), Net({Gemm("a", "input"), Gemm("b", "a", 8), Gemm("c", "b")}));
    const pesim_net_result &r = t.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    ASSERT_GT(r.cycles, 0);
    const int top = t.arch.n_levels - 1;
    double rd = 0, wr = 0;
    for (int32_t i = 0; i < r.n_layers; i++)
        for (int k = 0; k < PESIM_NTENSORS; k++) {
            rd += (double)r.layer[i].cost.access[top][k].reads;
            wr += (double)r.layer[i].cost.access[top][k].fills + (double)r.layer[i].cost.access[top][k].updates;
        }
    ASSERT_GT(rd, 0);
    ASSERT_GT(wr, 0);
    for (int32_t want : {1, 3, 7, (int32_t)r.cycles, (int32_t)r.cycles + 5}) {
        std::vector<pesim_net_dram_bin> b((size_t)want);
        int32_t nb = pesim_net_dram_series(t.n, &r, want, b.data());
        ASSERT_GE(nb, 1);
        ASSERT_LE(nb, want);
        EXPECT_EQ(b[0].start_cycle, 0);
        EXPECT_EQ(b[(size_t)nb - 1].end_cycle, r.cycles);
        double sr = 0, sw = 0;
        for (int32_t i = 0; i < nb; i++) {
            EXPECT_LT(b[(size_t)i].start_cycle, b[(size_t)i].end_cycle) << want << " bin " << i;
            if (i) {
                EXPECT_EQ(b[(size_t)i].start_cycle, b[(size_t)i - 1].end_cycle);
            }
            sr += b[(size_t)i].read_words, sw += b[(size_t)i].write_words;
        }
        EXPECT_NEAR(sr, rd, 1e-6 * rd) << want;
        EXPECT_NEAR(sw, wr, 1e-6 * wr) << want;
        if (nb != r.cycles) continue;
        for (int32_t i = 0; i < nb; i++) { /* one bin per cycle: words only inside a moving layer's span */
            if (b[(size_t)i].read_words + b[(size_t)i].write_words == 0) continue;
            bool inside = false;
            for (int32_t l = 0; l < r.n_layers && !inside; l++)
                inside = r.layer[l].start_cycle <= i && (i < r.layer[l].end_cycle || r.layer[l].start_cycle == i);
            EXPECT_TRUE(inside) << "cycle " << i;
        }
    }
    pesim_net_dram_bin one;
    EXPECT_EQ(pesim_net_dram_series(t.n, &r, 0, &one), 0);
}

// The plan memo (sim/net/layer.c, memo_rooms) keys a MAC layer's room by what
// the model's capacity checks see: a level that keeps nothing, or one where
// the layer's whole tensors fit, shares its plan with every room that does
// too. The oracle is a fresh network per placement (an empty memo: every
// plan made from its own room): ResNet-18 on the small NNP-I, weights
// preloaded, rectified, 40 placements drawn from a fixed LCG over the levels
// each tensor may live in, run one after another on one network (its memo
// filling) must give exactly the fresh network's cycles, energy and every
// layer's mapping (the last placement, the memo full, at cycle level too).
// Checked to fail when memo_rooms keys every bounded level as WHOLE (a
// partial room then shares a whole room's plan).
TEST(Net, MemoisedPlansAreTheFreshPlans)
{
    pesim_arch arch{};
    pesim_network net{};
    pesim_error e{};
    ASSERT_EQ(pesim_arch_load("tests/data/search/nnpi_small.cfg", &arch, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_network_load("workloads/resnet18.cfg", &net, &e), PESIM_OK) << e.msg;
    pesim_net_options o{};
    o.preload_weights = 1;
    o.rectify = 1;
    pesim_net *shared = nullptr;
    ASSERT_EQ(pesim_net_create(&arch, &net, &o, &shared, &e), PESIM_OK) << e.msg;
    int32_t wl[PESIM_MAX_LEVELS], al[PESIM_MAX_LEVELS];
    const int nw = pesim_net_home_levels(shared, PESIM_NET_WEIGHTS, wl);
    const int na = pesim_net_home_levels(shared, PESIM_NET_ACTIVATION, al);
    ASSERT_EQ(nw, 3); // DRAM, LLC, SRAM
    ASSERT_EQ(na, 3);
    pesim_placement p{};
    ASSERT_EQ(pesim_net_place_outermost(shared, &p, &e), PESIM_OK);
    uint64_t x = 12345;
    auto draw = [&x](int n) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return (int)((x >> 33) % (uint64_t)n);
    };
    int valid = 0;
    for (int k = 0; k < 40; k++) {
        for (int32_t i = 0; i < p.n_layers; i++) {
            p.weights_level[i] = wl[draw(nw)];
            p.outputs_level[i] = al[draw(na)];
        }
        const pesim_net_result *r = nullptr, *f = nullptr;
        ASSERT_EQ(pesim_net_run(shared, &p, PESIM_NET_ANALYTICAL, &r, &e), PESIM_OK) << e.msg;
        pesim_net *fresh = nullptr;
        ASSERT_EQ(pesim_net_create(&arch, &net, &o, &fresh, &e), PESIM_OK) << e.msg;
        ASSERT_EQ(pesim_net_run(fresh, &p, PESIM_NET_ANALYTICAL, &f, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(r->valid, f->valid) << k;
        EXPECT_EQ(r->cycles, f->cycles) << k;
        EXPECT_EQ(r->energy_pj, f->energy_pj) << k;
        ASSERT_EQ(r->n_layers, f->n_layers);
        for (int32_t i = 0; i < r->n_layers; i++) {
            EXPECT_EQ(r->layer[i].mapped, f->layer[i].mapped) << k << " " << i;
            if (!r->layer[i].mapped || !f->layer[i].mapped) continue;
            const pesim_mapping &a = r->layer[i].mapping, &b = f->layer[i].mapping;
            ASSERT_EQ(a.n_levels, b.n_levels);
            for (int lv = 0; lv < a.n_levels; lv++) { // field by field: the struct has padding
                const pesim_level_map &u = a.level[lv], &v = b.level[lv];
                EXPECT_TRUE(!memcmp(u.temporal, v.temporal, sizeof u.temporal) &&
                            !memcmp(u.spatial_x, v.spatial_x, sizeof u.spatial_x) &&
                            !memcmp(u.spatial_y, v.spatial_y, sizeof u.spatial_y) &&
                            !memcmp(u.order, v.order, sizeof u.order) && !memcmp(u.order_x, v.order_x, sizeof u.order_x) &&
                            !memcmp(u.order_y, v.order_y, sizeof u.order_y) && !memcmp(u.bypass, v.bypass, sizeof u.bypass))
                    << k << " layer " << i << " level " << lv;
            }
        }
        valid += r->valid;
        if (k == 39) { // the memo full; the cycle engine reads the view's keeps, not its capacities
            ASSERT_EQ(pesim_net_run(shared, &p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << e.msg;
            const int64_t rc = r->cycles;
            ASSERT_EQ(pesim_net_run(fresh, &p, PESIM_NET_CYCLE, &f, &e), PESIM_OK) << e.msg;
            EXPECT_EQ(rc, f->cycles) << k;
        }
        pesim_net_destroy(fresh);
    }
    EXPECT_GE(valid, 30); // rectified: the draws are runs, not refusals
    pesim_placement_free(&p);
    pesim_net_destroy(shared);
    pesim_network_free(&net);
}

}  // namespace
