// net_engine_test.cc - whole-network runs in the cycle engine, traced by hand
// (docs/network.md), and the engine's cycles against the analytical bound.
//
// The hand cases run on a two-level machine small enough to trace: SRAM (the
// MACs' buffer: one MAC, 4 words a cycle each way, latency 1) under MEM (the
// outermost level: 1 word a cycle each way, latency 10, no DRAM timing), both
// dual-ported (one bank, two ports of half those rates: reads and writes
// never meet in a bank, docs/engine.md "Banks"), a
// 4-lane vector unit at SRAM. A gemm m = 4, n_out = 4, k_red = 4 has 16-word
// weights, inputs and outputs and 64 MACs; the default mapper keeps all of
// them in SRAM for one block (checked), so a layer is: fill the weights, fill
// the inputs (both read MEM's one read port: 16 cycles each, + 10 latency),
// compute (the first access latency 1, then 64 steps), flush the outputs
// (16 words at MEM's write port).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "pesim/config.h"
#include "pesim/net.h"
}

#include "net_cases.h"
#include "test_util.h"

namespace {

std::string HandArch(int sram_words)
{
    // no leakage and no network energy (given as 0: the cost model would
    // estimate them), so that the energies below are the counts' alone
    return "arch = { name = \"hand\"; word_bits = 8; clock_mhz = 1000.0;\n"
           "  mac = { energy_pj = 1.0; latency_cycles = 1; leak_pj_per_cycle = 0.0; };\n"
           "  levels = (\n"
           "    { name = \"SRAM\"; capacity_words = " + std::to_string(sram_words) +
           "; banks = 1; ports = 2; read_words_per_cycle = 2.0;\n"
           "      write_words_per_cycle = 2.0; latency_cycles = 1; read_energy_pj = 1.0; write_energy_pj = 1.0;\n"
           "      leak_pj_per_cycle = 0.0;\n"
           "      noc = { weights = { hop_energy_pj = 0.0; }; inputs = { hop_energy_pj = 0.0; };\n"
           "              outputs = { hop_energy_pj = 0.0; }; }; },\n"
           "    { name = \"MEM\"; banks = 1; ports = 2; read_words_per_cycle = 0.5; write_words_per_cycle = 0.5;\n"
           "      latency_cycles = 10; read_energy_pj = 10.0; write_energy_pj = 10.0; leak_pj_per_cycle = 0.0;\n"
           "      noc = { weights = { hop_energy_pj = 0.0; }; inputs = { hop_energy_pj = 0.0; };\n"
           "              outputs = { hop_energy_pj = 0.0; }; }; }\n"
           "  );\n"
           "  vector = { level = \"SRAM\"; lanes = 4; latency_cycles = 1; energy_pj_per_op = 0.5; leak_pj_per_cycle = 0.0; };\n"
           "};\n";
}

const char *kGemm = "type = \"gemm\"; m = 4; n_out = 4; k_red = 4;";

// A network from layer lines.
std::string Net(const std::vector<std::string> &layers)
{
    std::string s = "network = { name = \"t\"; input = { c = 4; h = 4; w = 1; }; layers = (\n";
    for (size_t i = 0; i < layers.size(); i++) s += "  { " + layers[i] + " }" + (i + 1 < layers.size() ? ",\n" : "\n");
    return s + "); };\n";
}

// A loaded arch and network, a handle, and a placement to edit (all MEM).
struct Hand {
    pesim_arch arch{};
    pesim_network net{};
    pesim_net *n = nullptr;
    pesim_placement p{};
    const pesim_net_result *r = nullptr;

    Hand(const std::string &arch_text, const std::string &net_text, pesim_net_options o = {})
    {
        pesim_error e;
        EXPECT_EQ(pesim_arch_load_string(arch_text.c_str(), "hand.cfg", &arch, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_network_load_string(net_text.c_str(), "t.cfg", &net, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_net_create(&arch, &net, &o, &n, &e), PESIM_OK) << e.msg;
        EXPECT_EQ(pesim_net_place_outermost(n, &p, &e), PESIM_OK);
    }
    ~Hand()
    {
        pesim_placement_free(&p);
        pesim_net_destroy(n);
        pesim_network_free(&net);
    }
    int Layer(const char *name) const { return pesim_network_find(&net, name); }
    void Out(const char *layer, const char *level) { p.outputs_level[Layer(layer)] = pesim_arch_find_level(&arch, level); }
    void Weights(const char *layer, const char *level)
    {
        p.weights_level[Layer(layer)] = pesim_arch_find_level(&arch, level);
    }
    const pesim_net_result &Run(pesim_net_fidelity f)
    {
        pesim_error e;
        EXPECT_EQ(pesim_net_run(n, &p, f, &r, &e), PESIM_OK) << e.msg;
        return *r;
    }
    const pesim_net_layer &L(const char *name) const { return r->layer[Layer(name)]; }
};

// Words a layer moved at a level (every tensor, every kind of access).
int64_t Words(const pesim_cost &c, int level)
{
    int64_t w = 0;
    for (int t = 0; t < PESIM_NTENSORS; t++) w += c.access[level][t].reads + c.access[level][t].fills + c.access[level][t].updates;
    return w;
}

TEST(NetEngine, ChainActivationInSramOrThroughMem)
{
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 std::string("name = \"b\"; inputs = [ \"a\" ]; ") + kGemm});
    Hand h(HandArch(256), net);
    const int SRAM = 0, MEM = 1;
    // Everything in MEM.
    const pesim_net_result &m = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(m.valid) << m.reason;
    for (const char *l : {"a", "b"}) { // one block: every operand crosses MEM once
        const pesim_net_layer &ly = h.L(l);
        EXPECT_EQ(ly.mapping.level[SRAM].temporal[PESIM_DIM_K] * ly.mapping.level[SRAM].temporal[PESIM_DIM_C] *
                      ly.mapping.level[SRAM].temporal[PESIM_DIM_P], 64) << l;
        EXPECT_EQ(Words(ly.cost, MEM), 48) << l; // weights 16 + inputs 16 read, outputs 16 written
    }
    // a: weights 0..16 on MEM's read port, + 10 latency: in SRAM at 26; inputs
    // wait for the read port: 16..32, in at 42; compute 43 (+1 latency) to 107;
    // flush 107..123 (MEM writes 16 words at 1 a cycle).
    EXPECT_EQ(h.L("a").compute_start_cycle, 43);
    EXPECT_EQ(h.L("a").compute_end_cycle, 107);
    EXPECT_EQ(h.L("a").end_cycle, 123);
    // b: its weights fill once a's compute left SRAM's tiles, 107..117 (+10) =
    // 133; its inputs wait for a's outputs in MEM (123) and the read port
    // (free at 123): in at 149; compute 150..214; flush to 230.
    EXPECT_EQ(h.L("b").compute_start_cycle, 150);
    EXPECT_EQ(m.cycles, 230);
    // The layers' shares of the timeline add up: a to its compute end 107,
    // b from there to 214 plus the tail (its flush) to 230.
    EXPECT_EQ(h.L("a").cost.cycles, 107);
    EXPECT_EQ(h.L("b").cost.cycles, 123);
    EXPECT_EQ(m.compute_cycles, 128);
    int64_t stalls = 0;
    for (int s = 0; s < PESIM_STALL_COUNT; s++) stalls += m.stall_cycles[s];
    EXPECT_EQ(m.compute_cycles + stalls, m.cycles);
    // Energy per layer: MEM 48 words x 10 pJ = 480; SRAM: fills 32, the MACs'
    // reads of weights and inputs 128 and outputs 48 (the first visit of each
    // of the 16 partial sums reads nothing), updates 64, the flush reads 16:
    // 288 x 1 pJ; 64 MACs x 1 pJ. 832 per layer, 1664 for two.
    EXPECT_DOUBLE_EQ(m.energy_pj, 1664.0);
    const double mem_energy = m.energy_pj;

    // a's output in SRAM: a's MACs write it there (no flush), b's read it there.
    h.Out("a", "SRAM");
    const pesim_net_result &s = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(s.valid) << s.reason;
    EXPECT_EQ(h.L("a").home[PESIM_OUTPUTS], SRAM);
    EXPECT_EQ(h.L("b").home[PESIM_INPUTS], SRAM);
    EXPECT_EQ(Words(h.L("a").cost, MEM), 32); // weights and inputs only
    EXPECT_EQ(Words(h.L("b").cost, MEM), 32); // weights, and outputs written
    // a ends with its compute: 107. b: weights 107..133; its inputs are
    // complete (107) and streamed from SRAM: compute 134..198, flush to 214.
    EXPECT_EQ(h.L("a").end_cycle, 107);
    EXPECT_EQ(h.L("b").compute_start_cycle, 134);
    EXPECT_EQ(s.cycles, 214);
    // a saves the flush (16 SRAM reads + 16 MEM writes x 10) and its MACs'
    // outputs now live in SRAM (same 112 pJ): 832 - 176 = 656; b saves the
    // input fill (16 x 10 + 16) and reads the inputs in SRAM as before: 656.
    EXPECT_DOUBLE_EQ(s.energy_pj, 1312.0);
    EXPECT_LT(s.energy_pj, mem_energy);

    // The analytical bound: a compute-bound chain, both placements: a's
    // earliest end is its first fills' latency 10 + the first access 1 + 64
    // steps = 75; b starts then and needs 1 + 64 = 65 more: 140. The bound
    // does not see the sequence fill, compute, flush of a single-buffered
    // machine (the engine's 214 and 230 do).
    EXPECT_EQ(h.Run(PESIM_NET_ANALYTICAL).cycles, 140);
    EXPECT_DOUBLE_EQ(h.r->energy_pj, 1312.0); // the same counts
}

} // namespace
namespace {

TEST(NetEngine, ResidualAdd)
{
    // a -> b -> c = b + a: a's output lives until the add, two steps later.
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 std::string("name = \"b\"; inputs = [ \"a\" ]; ") + kGemm,
                                 "name = \"c\"; type = \"add\"; inputs = [ \"b\", \"a\" ]; k = 4; p = 4; q = 1;"});
    Hand h(HandArch(256), net);
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    const pesim_net_tensor *a_out = pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(0));
    EXPECT_EQ(a_out->birth, 0);
    EXPECT_EQ(a_out->death, 2);
    EXPECT_EQ(a_out->n_consumers, 2);
    // a and b as in the chain: b ends at 230, its compute at 214. The add, on
    // the vector unit at SRAM: one block of 4 rows of 4. Its second term (a's
    // output) fills once b's compute left SRAM: 214..230 on MEM's read port,
    // +10: 240; its first (b's output, complete at 230) 230..246, +10: 256;
    // compute from 257 (SRAM's latency): 16 adds on 4 lanes = 4 steps, but the
    // unit reads 32 words at SRAM's 4 a cycle: 8 cycles, to 265; the 16 sums
    // flush to MEM by 281.
    const pesim_net_layer &c = h.L("c");
    EXPECT_EQ(c.vector_ops, 16);
    EXPECT_EQ(c.cost.compute_cycles, 4);
    EXPECT_EQ(c.compute_start_cycle, 257);
    EXPECT_EQ(c.compute_end_cycle, 265);
    EXPECT_EQ(c.cost.stall_cycles[PESIM_STALL_BUFFER_BW] > 0, true); // the unit's reads are slower than its adds
    EXPECT_EQ(r.cycles, 281);
    // Words: MEM reads 32 and writes 16; SRAM fills 32, the unit reads 32 and
    // writes 16, the flush reads 16: 96. Energy: 480 + 96 + 16 ops x 0.5 = 584
    // on top of the chain's 1664.
    EXPECT_EQ(Words(c.cost, 1), 48);
    EXPECT_EQ(Words(c.cost, 0), 96);
    EXPECT_DOUBLE_EQ(r.energy_pj, 1664.0 + 584.0);
    // The bound: the add starts after b (140) and moves 32 words over MEM's
    // read port at 1 a cycle: 172.
    EXPECT_EQ(h.Run(PESIM_NET_ANALYTICAL).cycles, 172);
}

// A pool whose one output row does not fit the vector unit's level runs by
// channels (docs/network.md, "Vector layers"): the input's 4 channels of 4 x
// 1 pooled over the whole image (R = 4), everything in MEM. A row is 16
// input words and 4 outputs, 20 words; with SRAM at 12 words a channel (4 +
// 1 = 5 words) fits twice: 2 blocks of 2 channels. Block 0 reads 8 words on
// MEM's read port, 0..8, +10: in SRAM at 18; computes from 19 (SRAM's
// latency): 2 outputs x 4 adds on 4 lanes = 2 steps, the unit reading 8
// words at SRAM's 4 a cycle also 2: to 21; its 2 outputs flush 21..23.
// Block 1's fill waits for block 0's compute to leave the one tile slot:
// 21..29, +10: 39; compute 39..41 (the access latency is paid once, by the
// first block); flush 41..43. Words: MEM reads 16 and
// writes 4, as the one block with SRAM at 20 words; at 4 words not even a
// channel fits.
TEST(NetEngine, AWidePoolRunsByChannels)
{
    const std::string net =
        Net({"name = \"pool\"; type = \"pool\"; inputs = [ \"input\" ]; k = 4; p = 1; q = 1; r = 4; s = 1;"});
    Hand h(HandArch(12), net);
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    const pesim_net_layer &ly = h.L("pool");
    EXPECT_EQ(r.stats.blocks, 2);
    EXPECT_EQ(ly.vector_ops, 16);
    EXPECT_EQ(ly.cost.compute_cycles, 4);
    EXPECT_EQ(ly.cost.access[1][PESIM_INPUTS].reads, 16);
    EXPECT_EQ(ly.cost.access[1][PESIM_OUTPUTS].updates, 4);
    EXPECT_EQ(ly.cost.access[0][PESIM_INPUTS].fills, 16);
    EXPECT_EQ(ly.compute_start_cycle, 19);
    EXPECT_EQ(ly.compute_end_cycle, 41);
    EXPECT_EQ(r.cycles, 43);
    // the bound: not above the engine, its access counts the engine's (copied:
    // the next run reuses the handle's result)
    const pesim_cost cyc = ly.cost;
    const pesim_net_result &b = h.Run(PESIM_NET_ANALYTICAL);
    ASSERT_TRUE(b.valid) << b.reason;
    EXPECT_LE(b.cycles, 43);
    EXPECT_EQ(memcmp(b.layer[0].cost.access, cyc.access, sizeof cyc.access), 0);

    Hand whole(HandArch(20), net);
    const pesim_net_result &w = whole.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(w.valid) << w.reason;
    EXPECT_EQ(w.stats.blocks, 1);
    EXPECT_EQ(Words(whole.L("pool").cost, 1), 20);

    Hand small(HandArch(4), net);
    const pesim_net_result &s = small.Run(PESIM_NET_CYCLE);
    EXPECT_FALSE(s.valid);
    EXPECT_NE(std::string(s.reason).find("one channel of a row (5 words) does not fit the vector unit's level SRAM: 4 "
                                         "words free"),
              std::string::npos)
        << s.reason;
}

// An activation whose one pixel does not fit runs by channels too: a relu
// over the input's 4 x 1 pixels of 4 channels, a pixel 4 inputs and 4
// outputs. SRAM at 6 words holds 3 channels (2 words each): 16 channels in
// 6 blocks, the last of 1, some across pixels; relu is 1 operation a word,
// each block 1 step on 4 lanes: 6 compute cycles. MEM reads the 16 inputs
// and writes the 16 outputs once, as in one block with SRAM at 32 words. At
// 8 words a block is one whole pixel (4 blocks); at 1 word not even a
// channel fits.
TEST(NetEngine, AWideActivationRunsByChannels)
{
    const std::string net =
        Net({"name = \"act\"; type = \"act\"; function = \"relu\"; inputs = [ \"input\" ]; k = 4; p = 4; q = 1;"});
    Hand h(HandArch(6), net);
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    const pesim_net_layer &ly = h.L("act");
    EXPECT_EQ(r.stats.blocks, 6);
    EXPECT_EQ(ly.vector_ops, 16);
    EXPECT_EQ(ly.cost.compute_cycles, 6);
    EXPECT_EQ(ly.cost.access[1][PESIM_INPUTS].reads, 16);
    EXPECT_EQ(ly.cost.access[1][PESIM_OUTPUTS].updates, 16);
    EXPECT_EQ(ly.cost.access[0][PESIM_INPUTS].fills, 16);
    const pesim_cost cyc = ly.cost; // the next run reuses the handle's result
    const pesim_net_result &b = h.Run(PESIM_NET_ANALYTICAL);
    ASSERT_TRUE(b.valid) << b.reason;
    EXPECT_EQ(memcmp(b.layer[0].cost.access, cyc.access, sizeof cyc.access), 0);
    for (int words : {8, 32}) {
        Hand other(HandArch(words), net);
        const pesim_net_result &o = other.Run(PESIM_NET_CYCLE);
        ASSERT_TRUE(o.valid) << o.reason;
        EXPECT_EQ(o.stats.blocks, words == 8 ? 4 : 1);
        EXPECT_EQ(Words(other.L("act").cost, 1), 32);
    }
    Hand small(HandArch(1), net);
    const pesim_net_result &s = small.Run(PESIM_NET_CYCLE);
    EXPECT_FALSE(s.valid);
    EXPECT_NE(std::string(s.reason).find("one channel of a pixel (2 words) does not fit the vector unit's level SRAM: "
                                         "1 words free"),
              std::string::npos)
        << s.reason;
}

// A layer norm or softmax whose one row does not fit reads each row twice,
// in pieces of channels (docs/network.md, "Vector layers"): statistics
// first, then the outputs. A layer norm over the input's 4 rows of 4
// channels, everything in MEM: a whole row takes 4 inputs, 4 outputs and the
// 8 words of scale and shift, 16 words. SRAM at 16 holds one: 4 blocks, each
// row's 4 words x 7 operations on 4 lanes, 7 steps, 28 in all; MEM reads the
// 16 inputs and the 8 scale and shift words once. At 8 words a row is split:
// a piece of c channels takes c inputs, c outputs and 2c of scale and shift,
// so c = 2, two pieces a row, each read twice: 16 blocks. The first pass
// reads only inputs (2 words x 3 operations: 2 steps), the second inputs,
// scale and shift, and writes outputs (2 x 4: 2 steps): 8 steps a row, 32 in
// all. MEM reads the inputs twice (32) and each row's scale and shift (32),
// writes the 16 outputs once; 112 vector operations either way. A softmax
// (no scale and shift; 4 + 3 operations split, 5 whole) splits below 8
// words: at 4, c = 2, 16 blocks, 112 operations against 80 whole. At 3
// words not even a layer norm's one channel (4 words) fits.
TEST(NetEngine, AWideLayerNormOrSoftmaxReadsEachRowTwice)
{
    const int MEM = 1, SRAM = 0;
    const std::string ln = Net({"name = \"ln\"; type = \"layernorm\"; inputs = [ \"input\" ]; k = 4; p = 4; q = 1;"});
    Hand whole(HandArch(16), ln);
    const pesim_net_result &w = whole.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(w.valid) << w.reason;
    EXPECT_EQ(w.stats.blocks, 4);
    EXPECT_EQ(whole.L("ln").cost.compute_cycles, 28);
    EXPECT_EQ(whole.L("ln").cost.access[MEM][PESIM_INPUTS].reads, 16);
    EXPECT_EQ(whole.L("ln").cost.access[MEM][PESIM_WEIGHTS].reads, 8);

    // Row r's blocks are 4r, 4r + 1 (first pass) and 4r + 2, 4r + 3 (second):
    // a tile drains at the next block, so at 3 and 7 (the next piece) and at
    // 4 and 8 (the next row's first pass, whose event only drains), ..., the
    // last at the flush.
    pesim_net_options opt{};
    std::vector<std::string> drains;
    opt.engine.trace_ctx = &drains;
    opt.engine.trace = [](void *ctx, int64_t, const char *module, const char *event) {
        std::string ev(event);
        if (ev.rfind("drain b", 0) == 0 && ev.find(" start") != std::string::npos)
            static_cast<std::vector<std::string> *>(ctx)->push_back(std::string(module) + " " + ev);
    };
    Hand h(HandArch(8), ln, opt);
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    const pesim_net_layer &ly = h.L("ln");
    std::string seen;
    for (const std::string &d : drains) seen += d + "; ";
    EXPECT_EQ(seen, "outputs:SRAM drain b3 start; outputs:SRAM drain b4 start; outputs:SRAM drain b7 start; "
                    "outputs:SRAM drain b8 start; outputs:SRAM drain b11 start; outputs:SRAM drain b12 start; "
                    "outputs:SRAM drain b15 start; ");
    EXPECT_EQ(r.stats.blocks, 16);
    EXPECT_EQ(ly.vector_ops, 112);
    EXPECT_EQ(ly.cost.compute_cycles, 32);
    EXPECT_EQ(ly.cost.access[MEM][PESIM_INPUTS].reads, 32);
    EXPECT_EQ(ly.cost.access[MEM][PESIM_WEIGHTS].reads, 32);
    EXPECT_EQ(ly.cost.access[MEM][PESIM_OUTPUTS].updates, 16);
    EXPECT_EQ(ly.cost.access[SRAM][PESIM_INPUTS].fills, 32);
    EXPECT_EQ(ly.cost.access[SRAM][PESIM_WEIGHTS].fills, 32);
    EXPECT_EQ(ly.staging_words[SRAM], 8);
    const pesim_cost cyc = ly.cost; // the next run reuses the handle's result
    const int64_t cycles = r.cycles;
    const pesim_net_result &b = h.Run(PESIM_NET_ANALYTICAL);
    ASSERT_TRUE(b.valid) << b.reason;
    EXPECT_EQ(memcmp(b.layer[0].cost.access, cyc.access, sizeof cyc.access), 0);
    EXPECT_EQ(b.layer[0].vector_ops, 112);
    EXPECT_LE(b.cycles, cycles);

    const std::string sm = Net({"name = \"sm\"; type = \"softmax\"; inputs = [ \"input\" ]; k = 4; p = 4; q = 1;"});
    for (int words : {4, 8}) {
        Hand s(HandArch(words), sm);
        const pesim_net_result &o = s.Run(PESIM_NET_CYCLE);
        ASSERT_TRUE(o.valid) << o.reason;
        EXPECT_EQ(o.stats.blocks, words == 4 ? 16 : 4) << words;
        EXPECT_EQ(s.L("sm").vector_ops, words == 4 ? 112 : 80) << words;
        EXPECT_EQ(s.L("sm").cost.compute_cycles, words == 4 ? 32 : 20) << words;
        EXPECT_EQ(s.L("sm").cost.access[MEM][PESIM_INPUTS].reads, words == 4 ? 32 : 16) << words;
        EXPECT_EQ(s.L("sm").cost.access[MEM][PESIM_OUTPUTS].updates, 16) << words;
    }

    Hand small(HandArch(3), ln);
    const pesim_net_result &f = small.Run(PESIM_NET_CYCLE);
    EXPECT_FALSE(f.valid);
    EXPECT_NE(std::string(f.reason).find("one channel of a row (4 words) does not fit the vector unit's level SRAM: 3 "
                                         "words free"),
              std::string::npos)
        << f.reason;
}

TEST(NetEngine, ConcatCopiesOrAliases)
{
    // a and b both read the input; c = concat(a, b): 16 + 16 words.
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 std::string("name = \"b\"; inputs = [ \"input\" ]; ") + kGemm,
                                 "name = \"c\"; type = \"concat\"; inputs = [ \"a\", \"b\" ]; k = 8; p = 4; q = 1;"});
    {
        // Everything in MEM: a and b write straight into their slices of c's
        // buffer (c's address, c's address + 16); the concat moves nothing.
        Hand h(HandArch(256), net);
        const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
        ASSERT_TRUE(r.valid) << r.reason;
        const pesim_net_tensor *ta = pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(0)),
                               *tb = pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(1)),
                               *tc = pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(2));
        EXPECT_EQ(ta->alias_of, PESIM_NET_OUTPUT_TENSOR(2));
        EXPECT_EQ(tb->alias_of, PESIM_NET_OUTPUT_TENSOR(2));
        EXPECT_EQ(ta->address, tc->address);
        EXPECT_EQ(tb->address, tc->address + 16);
        EXPECT_EQ(tc->birth, 0); // the buffer lives from its first slice's birth
        EXPECT_EQ(h.L("c").copy_words, 0);
        EXPECT_EQ(Words(h.L("c").cost, 1), 0);
        // b as b of the chain (its weights wait for a's compute): ends at 230; c adds nothing.
        EXPECT_EQ(r.cycles, 230);
        EXPECT_DOUBLE_EQ(r.energy_pj, 1664.0);
    }
    {
        // No aliasing: c copies both inputs MEM -> MEM once they are complete
        // and MEM's ports are free: a's (complete at 123) waits for the write
        // port until b's flush is done (230): 230..246 (16 writes; the read
        // side, 16 + 10 latency, ends at 256); b's: 246..272. 32 reads and 32
        // writes at 10 pJ: 640 more.
        pesim_net_options o{};
        o.no_alias = 1;
        Hand h(HandArch(256), net, o);
        const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
        ASSERT_TRUE(r.valid) << r.reason;
        EXPECT_EQ(h.L("c").copy_words, 32);
        EXPECT_EQ(Words(h.L("c").cost, 1), 64);
        EXPECT_EQ(r.cycles, 272);
        EXPECT_DOUBLE_EQ(r.energy_pj, 1664.0 + 640.0);
        // the bound: each copy once its own input is complete, over MEM's
        // ports at 1 word a cycle: b's (complete at 140 in the bound) to 156;
        // both after a's (75): 75 + 32 = 107. 156.
        EXPECT_EQ(h.Run(PESIM_NET_ANALYTICAL).cycles, 156);
    }
    {
        // a's output in SRAM (not c's level): a is copied into its slice (16
        // words, SRAM -> MEM, after b's flush: 230..246), b still aliases.
        Hand h(HandArch(256), net);
        h.Out("a", "SRAM");
        const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
        ASSERT_TRUE(r.valid) << r.reason;
        EXPECT_EQ(pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(0))->alias_of, -1);
        EXPECT_EQ(pesim_net_tensor_info(h.n, PESIM_NET_OUTPUT_TENSOR(1))->alias_of, PESIM_NET_OUTPUT_TENSOR(2));
        EXPECT_EQ(h.L("c").copy_words, 16);
        EXPECT_EQ(r.cycles, 246);
    }
}

TEST(NetEngine, WeightPrefetchOverlapsCompute)
{
    // a -> b; b's 32 weight words (n_out = 8) live in SRAM and are loaded from
    // MEM (charged). SRAM has room for them during a (256 words; a's tiles
    // take 48), so the allocator lets them live from step 0: the load runs
    // during a.
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 "name = \"b\"; inputs = [ \"a\" ]; type = \"gemm\"; m = 4; n_out = 8; k_red = 4;"});
    Hand h(HandArch(256), net);
    h.Weights("b", "SRAM");
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(pesim_net_tensor_info(h.n, PESIM_NET_WEIGHTS_TENSOR(1))->birth, 0);
    EXPECT_EQ(h.L("b").load_words, 32);
    // a's fills take MEM's read port to 32; the load follows a's first block's
    // fills: MEM 32..64 (+10): in SRAM at 74, while a computes (43..107; the
    // load held SRAM's write port 32..40 only). a flushes 107..123. b streams
    // its weights from SRAM (complete at 74); its inputs fill 123..139 (+10):
    // 149; 128 MACs from 150 to 278; 32 outputs flushed by 310.
    EXPECT_EQ(h.L("b").load_end_cycle, 74);
    EXPECT_EQ(h.L("a").compute_start_cycle, 43);
    EXPECT_EQ(h.L("b").compute_start_cycle, 150);
    EXPECT_EQ(r.cycles, 310);

    // Without the prefetch the load waits for b's step and every earlier
    // layer's end (123): 123..155 (+10): 165; b's inputs now wait for MEM's
    // read port: 155..171 (+10): 181; compute 182..310; flush to 342. The
    // prefetch hid the 32 cycles the load held the read port.
    pesim_net_options o{};
    o.no_prefetch = 1;
    Hand g(HandArch(256), net, o);
    g.Weights("b", "SRAM");
    const pesim_net_result &q = g.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(q.valid) << q.reason;
    EXPECT_EQ(pesim_net_tensor_info(g.n, PESIM_NET_WEIGHTS_TENSOR(1))->birth, 1);
    EXPECT_EQ(g.L("b").load_end_cycle, 165);
    EXPECT_EQ(g.L("b").compute_start_cycle, 182);
    EXPECT_EQ(q.cycles, 342);
    EXPECT_EQ(q.cycles - r.cycles, 32);
    EXPECT_DOUBLE_EQ(q.energy_pj, r.energy_pj); // the same words move

    // Preloaded weights are resident from the start: no load at all.
    pesim_net_options pre{};
    pre.preload_weights = 1;
    Hand w(HandArch(256), net, pre);
    w.Weights("b", "SRAM");
    const pesim_net_result &z = w.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(z.valid) << z.reason;
    EXPECT_EQ(w.L("b").load_words, 0);
    EXPECT_EQ(z.load_words, 0);
    EXPECT_LT(z.energy_pj, r.energy_pj); // 32 MEM reads and SRAM writes fewer
}

// A mapping given per layer (a search's best) runs instead of the default
// mapper's where it is valid on the layer's view. All in MEM, nothing on chip
// is live: the view is the arch, so each layer runs the mapping as given and
// moves exactly the words of its single-layer run; a one-layer network's
// cycles and energy are that run's. Where a placed tensor leaves too little
// room, the default mapper maps the layer and `given` says so.
TEST(NetEngine, GivenMappingsRunAsTheirSingleLayerRuns)
{
    const int SRAM = 0, MEM = 1;
    // The default keeps a layer in SRAM as one block; the given one splits
    // n_out (K) into blocks at MEM, `sram_k` outputs per row each (the inputs
    // stay in SRAM across them).
    auto split = [&](const pesim_arch &a, const pesim_layer &l, int64_t sram_k) {
        pesim_mapping m;
        pesim_mapping_init(&m, a.n_levels);
        m.level[SRAM].temporal[PESIM_DIM_K] = sram_k;
        m.level[MEM].temporal[PESIM_DIM_K] = l.dim[PESIM_DIM_K] / sram_k;
        m.level[SRAM].temporal[PESIM_DIM_C] = l.dim[PESIM_DIM_C];
        m.level[SRAM].temporal[PESIM_DIM_P] = l.dim[PESIM_DIM_P];
        return m;
    };
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 "name = \"b\"; inputs = [ \"a\" ]; type = \"gemm\"; m = 4; n_out = 8; k_red = 4;"});
    Hand h(HandArch(48), net);
    pesim_error e;
    pesim_mapping given[2];
    pesim_cost single[2];
    for (int i = 0; i < 2; i++) {
        const pesim_layer &l = h.net.layers[i];
        given[i] = split(h.arch, l, i == 0 ? 2 : 4); // SRAM: a 8 + 16 + 8 words, b 16 + 16 + 16
        ASSERT_EQ(pesim_engine_run(&h.arch, &l, &given[i], nullptr, &single[i], nullptr), PESIM_OK);
        ASSERT_TRUE(single[i].valid) << single[i].reason;
    }
    const pesim_net_result &d = h.Run(PESIM_NET_CYCLE); // the default mapper's first
    ASSERT_TRUE(d.valid) << d.reason;
    EXPECT_EQ(h.L("a").given, 0);
    EXPECT_EQ(h.L("a").mapping.level[MEM].temporal[PESIM_DIM_K], 1);
    const int64_t default_cycles = d.cycles;

    for (int i = 0; i < 2; i++) ASSERT_EQ(pesim_net_set_mapping(h.n, i, &given[i], &e), PESIM_OK) << e.msg;
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    for (int i = 0; i < 2; i++) {
        const pesim_net_layer &ly = r.layer[i];
        EXPECT_EQ(ly.given, 1) << i;
        EXPECT_EQ(ly.mapping.level[MEM].temporal[PESIM_DIM_K], given[i].level[MEM].temporal[PESIM_DIM_K]) << i;
        EXPECT_EQ(ly.cost.macs, single[i].macs) << i;
        for (int lv = 0; lv < 2; lv++)
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                EXPECT_EQ(ly.cost.access[lv][t].reads, single[i].access[lv][t].reads) << i << lv << t;
                EXPECT_EQ(ly.cost.access[lv][t].fills, single[i].access[lv][t].fills) << i << lv << t;
                EXPECT_EQ(ly.cost.access[lv][t].updates, single[i].access[lv][t].updates) << i << lv << t;
            }
    }
    EXPECT_EQ(Words(r.layer[0].cost, MEM), 48); // every operand crosses MEM once, as by default
    EXPECT_EQ(r.layer[0].mapping.level[MEM].temporal[PESIM_DIM_K], 2);
    EXPECT_NE(r.cycles, default_cycles);        // but in two blocks

    // One layer alone: the network run is the single-layer run.
    Hand one(HandArch(48), Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm}));
    ASSERT_EQ(pesim_net_set_mapping(one.n, 0, &given[0], &e), PESIM_OK) << e.msg;
    const pesim_net_result &o = one.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(o.valid) << o.reason;
    EXPECT_EQ(o.layer[0].given, 1);
    EXPECT_EQ(o.cycles, single[0].cycles);
    EXPECT_EQ(o.layer[0].cost.cycles, single[0].cycles);
    EXPECT_NEAR(o.energy_pj, single[0].energy_pj, 1e-9 * single[0].energy_pj);

    // a's output in SRAM (16 of its 48 words): b's view has room for 30
    // (10 sixteenths), its inputs are served by SRAM; the given mapping's
    // weights and outputs tiles need 16 + 16: not valid there, so the
    // default mapper maps b; a keeps its own.
    h.Out("a", "SRAM");
    const pesim_net_result &f = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(f.valid) << f.reason;
    EXPECT_EQ(h.L("a").given, 1);
    EXPECT_EQ(h.L("b").given, 0);
    // Taken back: the default mapper's again, the very run of before.
    h.p.outputs_level[0] = MEM;
    for (int i = 0; i < 2; i++) ASSERT_EQ(pesim_net_set_mapping(h.n, i, nullptr, &e), PESIM_OK);
    EXPECT_EQ(h.Run(PESIM_NET_CYCLE).cycles, default_cycles);
    EXPECT_EQ(h.L("a").given, 0);

    // Errors: no such layer, a mapping that does not cover the layer.
    EXPECT_EQ(pesim_net_set_mapping(h.n, 2, &given[0], &e), PESIM_ERR_RANGE);
    pesim_mapping bad = given[0];
    bad.level[MEM].temporal[PESIM_DIM_K] = 1;
    EXPECT_EQ(pesim_net_set_mapping(h.n, 0, &bad, &e), PESIM_ERR_INVALID);
}

// The progress hooks of a cycle-level network run: the layer hook before
// each layer in order, the engine's inside each MAC layer ending at its
// compute steps; pesim_net_set_progress(NULL) stops both.
TEST(NetEngine, ProgressHooksLayerByLayer)
{
    struct Log {
        std::vector<std::pair<int32_t, int32_t>> layers;
        std::vector<std::pair<int64_t, int64_t>> steps;
        static void layer(void *ctx, int32_t i, int32_t n) { static_cast<Log *>(ctx)->layers.push_back({i, n}); }
        static void step(void *ctx, int64_t d, int64_t t) { static_cast<Log *>(ctx)->steps.push_back({d, t}); }
    };
    const std::string net = Net({std::string("name = \"a\"; inputs = [ \"input\" ]; ") + kGemm,
                                 std::string("name = \"b\"; inputs = [ \"a\" ]; ") + kGemm});
    Hand h(HandArch(256), net);
    Log log;
    pesim_net_set_progress(h.n, Log::layer, Log::step, &log);
    const pesim_net_result &r = h.Run(PESIM_NET_CYCLE);
    ASSERT_TRUE(r.valid) << r.reason;
    ASSERT_EQ(log.layers.size(), 2u);
    EXPECT_EQ(log.layers[0], std::make_pair(0, 2));
    EXPECT_EQ(log.layers[1], std::make_pair(1, 2));
    ASSERT_GE(log.steps.size(), 2u);
    EXPECT_EQ(log.steps.back(), std::make_pair((int64_t)64, (int64_t)64)); // 64 MAC steps a layer
    size_t n = log.steps.size();
    pesim_net_set_progress(h.n, nullptr, nullptr, nullptr);
    h.Run(PESIM_NET_CYCLE);
    EXPECT_EQ(log.layers.size(), 2u);
    EXPECT_EQ(log.steps.size(), n);
    h.Run(PESIM_NET_ANALYTICAL); // no simulation, no hooks
    EXPECT_EQ(log.layers.size(), 2u);
}

// The matrix (net_cases.h): chains, residual blocks, concats and attention on
// three machine families, random, greedy and outermost placements, random
// options. For every case that fits: the engine's cycles are never below the
// analytical bound, compute plus stalls is the network's cycles, the counts
// and energies agree (the engine checks its words against the counts of every
// layer itself), and a run is deterministic.
TEST(NetEngine, NeverBelowTheBound)
{
    int runs = 0, valid = 0, fams[NF_COUNT] = {0};
    for (int seed = 1; seed <= 60; seed++)
        for (int nf = 0; nf < NF_COUNT; nf++)
            for (int af = 0; af < NA_COUNT; af++) {
                NetCase c((uint64_t)(seed * 97 + nf * 7 + af), nf, af);
                ASSERT_TRUE(c.ok) << c.what;
                const pesim_net_result *r;
                pesim_error e;
                ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_ANALYTICAL, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                runs++;
                if (!r->valid) continue;
                int64_t bound = r->cycles;
                double energy = r->energy_pj - r->energy_leak_pj; // leakage: over each one's cycles
                ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                ASSERT_TRUE(r->valid) << c.what << ": " << r->reason;
                valid++, fams[nf]++;
                EXPECT_GE(r->cycles, bound) << c.what;
                int64_t sum = r->compute_cycles;
                for (int k = 0; k < PESIM_STALL_COUNT; k++) sum += r->stall_cycles[k];
                EXPECT_EQ(sum, r->cycles) << c.what;
                int64_t shares = 0;
                for (int32_t i = 0; i < r->n_layers; i++) shares += r->layer[i].cost.cycles;
                EXPECT_EQ(shares, r->cycles) << c.what;
                EXPECT_NEAR(r->energy_pj - r->energy_leak_pj, energy, 1e-9 * energy + 1e-6) << c.what;
                int64_t cycles = r->cycles;
                ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK);
                EXPECT_EQ(r->cycles, cycles) << c.what;
            }
    EXPECT_GT(valid, runs / 2) << runs << " runs";
    for (int nf = 0; nf < NF_COUNT; nf++) EXPECT_GT(fams[nf], 20) << net_family_name(nf);
    RecordProperty("valid_cases", valid);
}

} // namespace
