// net_systemc_test.cc - whole networks: the cycle engine against the SystemC
// reference on the matrix of net_cases.h (chains, residual blocks, concats,
// attention; three machine families; random, greedy and outermost placements;
// preloaded or loaded weights, prefetch, rectification, aliasing): every
// layer's times, compute and stalls, the network's cycles and the engine's
// statistics are equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "net_cases.h"

#ifdef PESIM_SYSTEMC_BUILT
extern "C" {
#include "pesim/systemc.h"
}

namespace {

struct Ev {
    int64_t cycle;
    std::string module, event;
    bool operator<(const Ev &o) const
    {
        return cycle != o.cycle ? cycle < o.cycle : module != o.module ? module < o.module : event < o.event;
    }
};

void collect(void *ctx, int64_t cycle, const char *module, const char *event)
{
    static_cast<std::vector<Ev> *>(ctx)->push_back({cycle, module, event});
}

// The two traces of a case around their first difference.
std::string Divergence(NetCase &c)
{
    std::vector<Ev> eng, sc;
    pesim_net_options o = c.opt;
    o.engine.trace = collect;
    o.engine.trace_ctx = &eng;
    pesim_net *n = nullptr;
    pesim_error e;
    if (pesim_net_create(&c.arch, &c.net, &o, &n, &e) != PESIM_OK) return e.msg;
    const pesim_net_result *r;
    pesim_net_run(n, &c.p, PESIM_NET_CYCLE, &r, &e);
    pesim_trace t;
    pesim_systemc_net_run_traced(n, &c.p, &r, &t, &e);
    for (size_t i = 0; i < t.n; i++) sc.push_back({t.events[i].cycle, t.events[i].module, t.events[i].event});
    pesim_trace_free(&t);
    pesim_net_destroy(n);
    std::sort(eng.begin(), eng.end());
    std::sort(sc.begin(), sc.end());
    size_t i = 0;
    while (i < eng.size() && i < sc.size() && eng[i].cycle == sc[i].cycle && eng[i].module == sc[i].module &&
           eng[i].event == sc[i].event)
        i++;
    std::string out = "first difference at event " + std::to_string(i) + "\n";
    for (size_t k = i > 14 ? i - 14 : 0; k < i + 6; k++) {
        std::string a = k < eng.size() ? std::to_string(eng[k].cycle) + " " + eng[k].module + " " + eng[k].event : "-";
        std::string b = k < sc.size() ? std::to_string(sc[k].cycle) + " " + sc[k].module + " " + sc[k].event : "-";
        out += "  engine " + a + "  |  systemc " + b + "\n";
    }
    return out;
}

// Progress of a network in the SystemC reference: the child reports compute
// steps over its pipe; the layer hook names each layer with compute steps in
// order, the step hook's total is that layer's compute cycles, done never
// over it and never decreasing within a layer, the last call done == total;
// the run is the one without hooks.
TEST(NetSystemC, ProgressOverThePipeLayerByLayer)
{
    struct Log {
        std::vector<int32_t> layers;
        std::vector<std::tuple<int32_t, int64_t, int64_t>> steps;
        static void layer(void *ctx, int32_t i, int32_t) { static_cast<Log *>(ctx)->layers.push_back(i); }
        static void step(void *ctx, int64_t done, int64_t total)
        {
            Log *l = static_cast<Log *>(ctx);
            l->steps.emplace_back(l->layers.empty() ? -1 : l->layers.back(), done, total);
        }
    };
    int checked = 0, layered = 0;
    for (int seed = 1; seed <= 6 && checked < 3; seed++) {
        NetCase c((uint64_t)(seed * 97), seed % NF_COUNT, seed % NA_COUNT);
        ASSERT_TRUE(c.ok) << c.what;
        const pesim_net_result *r;
        pesim_error e;
        ASSERT_EQ(pesim_systemc_net_run(c.n, &c.p, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
        if (!r->valid) continue;
        const int64_t cycles = r->cycles;
        Log log;
        pesim_net_options o = c.opt;
        o.engine.progress_every_blocks = 16; // cycles, in the reference
        pesim_net *m = nullptr;
        ASSERT_EQ(pesim_net_create(&c.arch, &c.net, &o, &m, &e), PESIM_OK) << e.msg;
        pesim_net_set_progress(m, Log::layer, Log::step, &log);
        pesim_status st = pesim_systemc_net_run(m, &c.p, &r, &e);
        std::unique_ptr<pesim_net, void (*)(pesim_net *)> own(m, pesim_net_destroy);
        ASSERT_EQ(st, PESIM_OK) << c.what << ": " << e.msg;
        ASSERT_TRUE(r->valid);
        EXPECT_EQ(r->cycles, cycles) << c.what;
        ASSERT_FALSE(log.layers.empty()) << c.what;
        for (size_t k = 1; k < log.layers.size(); k++) {
            EXPECT_GT(log.layers[k], log.layers[k - 1]) << c.what;
        }
        for (size_t k = 0; k < log.steps.size(); k++) {
            int32_t i = std::get<0>(log.steps[k]);
            ASSERT_GE(i, 0) << c.what;
            EXPECT_EQ(std::get<2>(log.steps[k]), r->layer[i].cost.compute_cycles) << c.what << " layer " << i;
            EXPECT_LE(std::get<1>(log.steps[k]), std::get<2>(log.steps[k])) << c.what;
            if (k && std::get<0>(log.steps[k - 1]) == i) {
                EXPECT_GE(std::get<1>(log.steps[k]), std::get<1>(log.steps[k - 1])) << c.what;
            }
        }
        ASSERT_FALSE(log.steps.empty());
        EXPECT_EQ(std::get<1>(log.steps.back()), std::get<2>(log.steps.back())) << c.what;
        int32_t last = -1;
        for (int32_t i = 0; i < r->n_layers; i++)
            if (r->layer[i].cost.compute_cycles > 0) last = i;
        EXPECT_EQ(std::get<0>(log.steps.back()), last) << c.what;
        checked++;
        layered += log.layers.size() >= 2;
    }
    EXPECT_EQ(checked, 3);
    EXPECT_GE(layered, 2) << "cases reported layer by layer";
}

TEST(NetSystemC, EngineEqualsSystemC)
{
    int compared = 0, fams[NF_COUNT] = {0}, archs[NA_COUNT] = {0}, loads = 0, copies = 0, below = 0;
    for (int seed = 1; seed <= 14; seed++)
        for (int nf = 0; nf < NF_COUNT; nf++)
            for (int af = 0; af < NA_COUNT; af++) {
                NetCase c((uint64_t)(seed * 97 + nf * 7 + af), nf, af);
                ASSERT_TRUE(c.ok) << c.what;
                const pesim_net_result *r;
                pesim_error e;
                ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                if (!r->valid) continue;
                // keep the engine's results (the next run overwrites the handle's)
                std::vector<pesim_net_layer> el(r->layer, r->layer + r->n_layers);
                int64_t cycles = r->cycles;
                pesim_engine_stats es = r->stats;
                int64_t stalls[PESIM_STALL_COUNT];
                memcpy(stalls, r->stall_cycles, sizeof stalls);
                ASSERT_EQ(pesim_systemc_net_run(c.n, &c.p, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                ASSERT_TRUE(r->valid) << c.what;
                EXPECT_EQ(r->fidelity, PESIM_NET_SYSTEMC);
                EXPECT_EQ(r->cycles, cycles) << c.what;
                for (int k = 0; k < PESIM_STALL_COUNT; k++)
                    EXPECT_EQ(r->stall_cycles[k], stalls[k]) << c.what << ": " << pesim_stall_name((pesim_stall)k);
                for (int32_t i = 0; i < r->n_layers; i++) {
                    const pesim_net_layer &a = el[(size_t)i], &b = r->layer[i];
                    std::string where = c.what + ": layer " + c.net.layers[i].name;
                    EXPECT_EQ(b.start_cycle, a.start_cycle) << where;
                    EXPECT_EQ(b.end_cycle, a.end_cycle) << where;
                    EXPECT_EQ(b.compute_start_cycle, a.compute_start_cycle) << where;
                    EXPECT_EQ(b.compute_end_cycle, a.compute_end_cycle) << where;
                    EXPECT_EQ(b.load_end_cycle, a.load_end_cycle) << where;
                    EXPECT_EQ(b.cost.cycles, a.cost.cycles) << where;
                    EXPECT_EQ(b.cost.compute_cycles, a.cost.compute_cycles) << where;
                    for (int k = 0; k < PESIM_STALL_COUNT; k++)
                        EXPECT_EQ(b.cost.stall_cycles[k], a.cost.stall_cycles[k])
                            << where << ": " << pesim_stall_name((pesim_stall)k);
                    EXPECT_EQ(memcmp(b.cost.access, a.cost.access, sizeof a.cost.access), 0) << where;
                    loads += b.load_words > 0;
                    copies += b.copy_words > 0;
                }
                bool under = false;  // an operand living below the vector unit (the near machine's SRAM)
                for (int32_t i = 0; i < r->n_layers; i++)
                    for (int t = 0; t < PESIM_NTENSORS; t++) under |= r->layer[i].home[t] >= 0 && r->layer[i].home[t] < c.arch.vector.level;
                below += under;
                EXPECT_EQ(r->stats.blocks, es.blocks) << c.what;
                EXPECT_EQ(r->stats.transfers, es.transfers) << c.what;
                EXPECT_EQ(r->stats.folds, es.folds) << c.what;
                EXPECT_EQ(r->stats.dram_reads, es.dram_reads) << c.what;
                EXPECT_EQ(r->stats.dram_writes, es.dram_writes) << c.what;
                EXPECT_EQ(r->stats.dram_row_hits, es.dram_row_hits) << c.what;
                EXPECT_EQ(r->stats.dram_row_misses, es.dram_row_misses) << c.what;
                EXPECT_EQ(r->stats.dram_row_conflicts, es.dram_row_conflicts) << c.what;
                EXPECT_EQ(r->stats.dram_refreshes, es.dram_refreshes) << c.what;
                EXPECT_EQ(r->stats.dram_cycles, es.dram_cycles) << c.what;
                EXPECT_EQ(r->stats.dram_act, es.dram_act) << c.what;
                EXPECT_EQ(r->stats.dram_pre, es.dram_pre) << c.what;
                EXPECT_EQ(r->stats.dram_rd, es.dram_rd) << c.what;
                EXPECT_EQ(r->stats.dram_wr, es.dram_wr) << c.what;
                EXPECT_EQ(r->stats.dram_active_cycles, es.dram_active_cycles) << c.what;
                EXPECT_EQ(r->stats.dram_precharged_cycles, es.dram_precharged_cycles) << c.what;
                compared++, fams[nf]++, archs[af]++;
                if (HasFailure()) { /* the first differing case is the one to read */
                    ADD_FAILURE() << Divergence(c);
                    return;
                }
            }
    for (int nf = 0; nf < NF_COUNT; nf++) EXPECT_GT(fams[nf], 5) << net_family_name(nf);
    for (int af = 0; af < NA_COUNT; af++) EXPECT_GT(archs[af], 5) << net_arch_name(af);
    EXPECT_GT(loads, 10);
    EXPECT_GT(copies, 3);
    EXPECT_GT(below, 5);
    RecordProperty("compared", compared);
    RecordProperty("near", archs[NA_NEAR]);
    RecordProperty("below", below);
}

// Whole networks with every on-chip level of 3 or 4 tile slots (the same
// machines and placements, where their tiles still fit): the engine and the
// reference agree on the network's cycles, stalls and every layer's times; the
// analytical bound stays below the engine; some networks' cycles differ from 2
// slots.
TEST(NetSystemC, TileSlots)
{
    int compared = 0, changed = 0;
    for (int seed = 1; seed <= 6; seed++)
        for (int nf = 0; nf < NF_COUNT; nf++)
            for (int af = 0; af < NA_COUNT; af++) {
                NetCase c((uint64_t)(seed * 97 + nf * 7 + af), nf, af);
                ASSERT_TRUE(c.ok) << c.what;
                const pesim_net_result *r;
                pesim_error e;
                int64_t cyc[5] = {0};
                const int slots = 3 + seed % 2;
                for (int n : {2, slots}) {
                    for (int lv = 0; lv + 1 < c.arch.n_levels; lv++) c.arch.level[lv].tile_slots = n;
                    pesim_net *h = nullptr;
                    ASSERT_EQ(pesim_net_create(&c.arch, &c.net, &c.opt, &h, &e), PESIM_OK) << c.what << ": " << e.msg;
                    std::unique_ptr<pesim_net, void (*)(pesim_net *)> hold(h, pesim_net_destroy);
                    ASSERT_EQ(pesim_net_run(h, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                    if (!r->valid) break;
                    cyc[n] = r->cycles;
                    if (n == 2) continue;
                    std::string what = c.what + ", " + std::to_string(n) + " tile slots";
                    std::vector<pesim_net_layer> el(r->layer, r->layer + r->n_layers);
                    int64_t stalls[PESIM_STALL_COUNT];
                    memcpy(stalls, r->stall_cycles, sizeof stalls);
                    ASSERT_EQ(pesim_systemc_net_run(h, &c.p, &r, &e), PESIM_OK) << what << ": " << e.msg;
                    ASSERT_TRUE(r->valid) << what;
                    EXPECT_EQ(r->cycles, cyc[n]) << what;
                    for (int k = 0; k < PESIM_STALL_COUNT; k++)
                        EXPECT_EQ(r->stall_cycles[k], stalls[k]) << what << ": " << pesim_stall_name((pesim_stall)k);
                    for (int32_t i = 0; i < r->n_layers; i++) {
                        EXPECT_EQ(r->layer[i].start_cycle, el[(size_t)i].start_cycle) << what << ": layer " << i;
                        EXPECT_EQ(r->layer[i].end_cycle, el[(size_t)i].end_cycle) << what << ": layer " << i;
                    }
                    ASSERT_EQ(pesim_net_run(h, &c.p, PESIM_NET_ANALYTICAL, &r, &e), PESIM_OK) << what << ": " << e.msg;
                    ASSERT_TRUE(r->valid) << what;
                    EXPECT_LE(r->cycles, cyc[n]) << what << ": the bound";
                    compared++, changed += cyc[n] != cyc[2];
                }
                if (HasFailure()) return;
            }
    printf("tile slots: %d networks compared, %d with other cycles than 2 slots\n", compared, changed);
    EXPECT_GT(compared, 10);
    EXPECT_GT(changed, 3);
    RecordProperty("compared", compared);
}

// c's network on c.arch (changed from the case's) with the case's placement:
// the cycle engine and the reference agree on the cycles, the stalls, every
// layer's times and access counts, and the DRAM's bursts and row outcomes.
// Returns the engine's cycles (-1 after a failure); *bound, if given, gets
// the network's analytical bound.
int64_t engine_equals_reference(const NetCase &c, const std::string &what, int64_t *bound)
{
    pesim_net *n = nullptr;
    pesim_error e;
    const pesim_net_result *r;
    EXPECT_EQ(pesim_net_create(&c.arch, &c.net, &c.opt, &n, &e), PESIM_OK) << what << ": " << e.msg;
    if (!n) return -1;
    std::unique_ptr<pesim_net, void (*)(pesim_net *)> hold(n, pesim_net_destroy);
    if (bound) {
        EXPECT_EQ(pesim_net_run(n, &c.p, PESIM_NET_ANALYTICAL, &r, &e), PESIM_OK) << what << ": " << e.msg;
        *bound = r->cycles;
    }
    if (pesim_net_run(n, &c.p, PESIM_NET_CYCLE, &r, &e) != PESIM_OK || !r->valid) {
        ADD_FAILURE() << what << ": " << e.msg;
        return -1;
    }
    std::vector<pesim_net_layer> el(r->layer, r->layer + r->n_layers);
    int64_t cycles = r->cycles, stalls[PESIM_STALL_COUNT];
    memcpy(stalls, r->stall_cycles, sizeof stalls);
    const pesim_engine_stats es = r->stats;
    if (pesim_systemc_net_run(n, &c.p, &r, &e) != PESIM_OK || !r->valid) {
        ADD_FAILURE() << what << ": " << e.msg;
        return -1;
    }
    EXPECT_EQ(r->cycles, cycles) << what;
    for (int k = 0; k < PESIM_STALL_COUNT; k++)
        EXPECT_EQ(r->stall_cycles[k], stalls[k]) << what << ": " << pesim_stall_name((pesim_stall)k);
    for (int32_t i = 0; i < r->n_layers; i++) {
        EXPECT_EQ(r->layer[i].start_cycle, el[(size_t)i].start_cycle) << what << ": layer " << i;
        EXPECT_EQ(r->layer[i].end_cycle, el[(size_t)i].end_cycle) << what << ": layer " << i;
        EXPECT_EQ(memcmp(r->layer[i].cost.access, el[(size_t)i].cost.access, sizeof el[(size_t)i].cost.access), 0)
            << what << ": layer " << i;
    }
    EXPECT_EQ(r->stats.dram_reads, es.dram_reads) << what;
    EXPECT_EQ(r->stats.dram_writes, es.dram_writes) << what;
    EXPECT_EQ(r->stats.dram_row_hits, es.dram_row_hits) << what;
    EXPECT_EQ(r->stats.dram_row_misses, es.dram_row_misses) << what;
    EXPECT_EQ(r->stats.dram_row_conflicts, es.dram_row_conflicts) << what;
    return cycles;
}

// Over the matrix's networks on machines whose outermost level is DRAM (seeds
// 1..seeds, case seed seed * a + net family * b + arch family), valid at cycle
// level: change(c, seed) changes c.arch's DRAM level and names the change; the
// engine and the reference must then agree (engine_equals_reference). Counts
// the networks compared and those whose cycles the change changed; with
// check_bound, none may be below the network's analytical bound.
void dram_variants(int seeds, uint64_t a, uint64_t b, std::string (*change)(pesim_level &, int seed, double peak),
                   int *compared, int *changed, bool check_bound)
{
    for (int seed = 1; seed <= seeds; seed++)
        for (int nf = 0; nf < NF_COUNT; nf++)
            for (int af = 0; af < NA_COUNT; af++) {
                NetCase c((uint64_t)seed * a + (uint64_t)nf * b + (uint64_t)af, nf, af);
                ASSERT_TRUE(c.ok) << c.what;
                pesim_level &top = c.arch.level[c.arch.n_levels - 1];
                if (!top.is_dram) continue;
                const pesim_net_result *r;
                pesim_error e;
                ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << c.what << ": " << e.msg;
                if (!r->valid) continue;
                int64_t before = r->cycles, bound = 0;
                std::string what = c.what + change(top, seed,
                                                   pesim_dram_words_per_cycle(&top.dram, c.arch.word_bits,
                                                                              c.arch.clock_mhz));
                int64_t cycles = engine_equals_reference(c, what, check_bound ? &bound : nullptr);
                if (check_bound) {
                    EXPECT_LE(bound, cycles) << what;
                }
                ++*compared, *changed += cycles != before;
                if (::testing::Test::HasFailure()) return;
            }
}

// Whole networks with a DRAM port below the timing's peak (docs/engine.md,
// "DRAM port"; reads at 0.1 to 0.3 of the peak, writes at 0.2 or unlimited, the
// same placements): the network's cycles, stalls and every layer's times equal
// in the engine and the reference, no less than the analytical bound (which
// takes the port too), and the port changes some networks' cycles.
TEST(NetSystemC, DramPort)
{
    int compared = 0, changed = 0;
    dram_variants(4, 89, 5, [](pesim_level &top, int seed, double peak) {
        top.read_words_per_cycle = peak * (0.1 + 0.1 * (seed % 3));
        top.write_words_per_cycle = seed % 2 ? peak * 0.2 : 0;
        char port[64];
        snprintf(port, sizeof port, ", DRAM port %.3g/%.3g", top.read_words_per_cycle, top.write_words_per_cycle);
        return std::string(port);
    }, &compared, &changed, true);
    printf("DRAM port: %d networks compared, %d changed by the port\n", compared, changed);
    EXPECT_GT(compared, 10);
    EXPECT_GT(changed, 5);
}

// Whole networks with DRAM reads in flight (reads_in_flight 2 and 4, the same
// placements): the network's cycles, stalls and every layer's times equal, and
// some networks' cycles differ from one read in flight.
TEST(NetSystemC, ReadsInFlight)
{
    int compared = 0, changed = 0;
    dram_variants(6, 97, 7, [](pesim_level &top, int seed, double) {
        top.dram.reads_in_flight = 2 + 2 * (seed % 2);
        return ", reads in flight " + std::to_string(top.dram.reads_in_flight);
    }, &compared, &changed, false);
    EXPECT_GT(compared, 10);
    EXPECT_GT(changed, 3);
    RecordProperty("compared", compared);
    RecordProperty("changed", changed);
}

// Whole networks with the row-major DRAM layout (docs/engine.md, "DRAM
// address layout"; NHWC and NCHW alternating, the same placements): the
// network's cycles, stalls and every layer's times equal in the engine and the
// reference (each derives the tiles' boxes with its own code), and the layout
// changes some networks' cycles.
TEST(NetSystemC, RowMajorLayout)
{
    int compared = 0, changed = 0;
    dram_variants(6, 101, 11, [](pesim_level &top, int seed, double) {
        top.dram.layout = PESIM_DRAM_ROW_MAJOR;
        top.dram.order = seed % 2 ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
        return std::string(", row-major ") + pesim_dram_order_name((pesim_dram_order)top.dram.order);
    }, &compared, &changed, false);
    printf("row-major: %d networks compared, %d changed by the layout\n", compared, changed);
    EXPECT_GT(compared, 10);
    EXPECT_GT(changed, 3);
    RecordProperty("compared", compared);
    RecordProperty("changed", changed);
}

// A network whose vector layers read and write parts of their tensors (a
// block of rows or pixels when the vector level holds less than a whole
// tensor): two convs added, a pool of 1 x 1 windows at stride 2 (every
// other row and column) or of 3 x 3 at stride 2, two convs of it
// concatenated, a conv.
std::string strided_network(TestRng &rng)
{
    NetBuilder b(rng.uni(3, 8), rng.uni(8, 14), rng.uni(8, 14));
    int64_t k = rng.uni(4, 10);
    std::string x = b.Conv("input", k, 3, 1, 1, "relu"), y = b.Conv("input", k, 1, 1, 0);
    std::string s = b.Sum(x, y, rng.coin(50) ? "relu" : nullptr);
    s = b.Pool(s, rng.coin(50) ? 1 : 3, 2);
    std::string l = b.Conv(s, rng.uni(2, 6), 1, 1, 0), r = b.Conv(s, rng.uni(2, 6), 3, 1, 1);
    b.Conv(b.Concat(l, r), rng.uni(2, 6), 1, 1, 0);
    return b.Text();
}

// The network parts of the row-major layout (docs/engine.md, "DRAM address
// layout"): a concat's copies (the destination a slice of the output,
// strided in NHWC), an aliased concat input's producer (its tiles inside
// the concat's output) and vector layers (pool, add, activation, softmax,
// layernorm: their blocks' units). Over the matrix's networks with a DRAM
// and strided_network's (seeds 1..8, NHWC and NCHW by turns, every other seed with every tensor in
// DRAM, the outermost placement, every fourth copying every concat input),
// the engine and the reference (each with
// its own code: pesim_dram_layout_slice and pesim_dram_vector_boxes against
// program.cpp's slice_layout, copy_bursts and unit_bursts) agree on every
// network; the coverage counts, per part, the networks in which it moves
// DRAM words (a copy or a vector layer with an operand in DRAM, a slice
// whose holder is in DRAM) and how many of those the layout changes (DRAM
// bursts or row hits against the same network tile-major). That these
// parts are checked, not only run, was shown by breaking each in the
// reference alone (docs/engine.md).
TEST(NetSystemC, RowMajorCopiesSlicesAndVectorLayers)
{
    int compared = 0, disagree = 0, has[3] = {0, 0, 0}, changed[3] = {0, 0, 0};
    for (int seed = 1; seed <= 8; seed++)
        for (int nf = 0; nf <= NF_COUNT; nf++)
            for (int af = 0; af < NA_COUNT; af++) {
                NetCase c((uint64_t)seed * 131 + (uint64_t)nf * 17 + (uint64_t)af, nf % NF_COUNT, af);
                ASSERT_TRUE(c.ok) << c.what;
                const int top = c.arch.n_levels - 1;
                if (!c.arch.level[top].is_dram) continue;
                pesim_error e;
                std::string what = c.what;
                if (nf == NF_COUNT) {  // the strided network in place of the family's
                    TestRng rng((uint64_t)seed * 7 + (uint64_t)af);
                    pesim_network_free(&c.net);
                    ASSERT_EQ(pesim_network_load_string(strided_network(rng).c_str(), "strided.cfg", &c.net, &e), PESIM_OK)
                        << e.msg;
                    pesim_net_destroy(c.n);
                    c.n = nullptr;
                    ASSERT_EQ(pesim_net_create(&c.arch, &c.net, &c.opt, &c.n, &e), PESIM_OK) << e.msg;
                    pesim_placement_free(&c.p);
                    ASSERT_EQ(pesim_net_place_greedy(c.n, &c.p, &e), PESIM_OK) << e.msg;
                    what = "strided network on " + std::string(net_arch_name(af)) + " seed " + std::to_string(seed);
                }
                if (seed % 4 == 3) c.opt.no_alias = 1, what += " no-alias";  // copies, not slices
                if (seed % 2) {
                    pesim_placement_free(&c.p);
                    ASSERT_EQ(pesim_net_place_outermost(c.n, &c.p, &e), PESIM_OK) << e.msg;
                    what += " (all in DRAM)";
                }
                pesim_engine_stats st[2];
                bool part[3] = {false, false, false};
                for (int v = 0; v < 2; v++) {
                    pesim_arch a = c.arch;
                    a.level[top].dram.layout = v == 0 ? PESIM_DRAM_ROW_MAJOR : PESIM_DRAM_TILE_MAJOR;
                    a.level[top].dram.order = seed % 4 < 2 ? PESIM_DRAM_NHWC : PESIM_DRAM_NCHW;
                    pesim_net *n = nullptr;
                    ASSERT_EQ(pesim_net_create(&a, &c.net, &c.opt, &n, &e), PESIM_OK) << e.msg;
                    std::unique_ptr<pesim_net, void (*)(pesim_net *)> hold(n, pesim_net_destroy);
                    const pesim_net_result *r;
                    ASSERT_EQ(pesim_net_run(n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << what << ": " << e.msg;
                    if (!r->valid) break;
                    st[v] = r->stats;
                    if (v) continue;
                    for (int32_t i = 0; i < r->n_layers; i++) {
                        const pesim_net_layer &ly = r->layer[i];
                        bool dram = ly.home[PESIM_INPUTS] == top || ly.home[PESIM_OUTPUTS] == top;
                        if (c.net.layers[i].op == PESIM_OP_CONCAT) part[0] |= ly.copy_words > 0 && dram;
                        else if (!ly.mapped) part[2] |= dram;
                    }
                    for (int32_t id = 0; id < r->n_tensors; id++)
                        part[1] |= r->tensor[id].alias_of >= 0 && r->tensor[id].level == top;
                    if (!part[0] && !part[1] && !part[2]) break;
                    c.arch.level[top].dram = a.level[top].dram;  // the reference runs the row-major arch
                }
                if (!part[0] && !part[1] && !part[2]) continue;
                if (st[0].dram_reads == 0 && st[0].dram_writes == 0) continue;
                const ::testing::TestResult *res = ::testing::UnitTest::GetInstance()->current_test_info()->result();
                int parts = res->total_part_count();
                engine_equals_reference(c, what + ", row-major " +
                                                  pesim_dram_order_name((pesim_dram_order)c.arch.level[top].dram.order),
                                        nullptr);
                disagree += res->total_part_count() > parts;
                bool differs = st[0].dram_reads != st[1].dram_reads || st[0].dram_writes != st[1].dram_writes ||
                               st[0].dram_row_hits != st[1].dram_row_hits;
                compared++;
                for (int k = 0; k < 3; k++) has[k] += part[k], changed[k] += part[k] && differs;
            }
    printf("row-major network parts: %d networks compared, %d disagree; copies in DRAM %d (%d changed), slices in "
           "DRAM %d (%d), vector layers in DRAM %d (%d)\n",
           compared, disagree, has[0], changed[0], has[1], changed[1], has[2], changed[2]);
    EXPECT_GE(has[0], 3);
    EXPECT_GE(has[1], 3);
    EXPECT_GE(has[2], 10);
    EXPECT_GE(changed[2], 5);
    RecordProperty("compared", compared);
}

// Replaces c's network by b's, lays DRAM out by the seed (row-major two seeds
// in three, else tile-major; NCHW or NHWC by pairs of seeds) and places the
// network greedily or everything outermost.
void Rebuild(NetCase &c, const NetBuilder &b, int seed, bool greedy)
{
    pesim_error e;
    const int top = c.arch.n_levels - 1;
    pesim_network_free(&c.net);
    ASSERT_EQ(pesim_network_load_string(b.Text().c_str(), "case.cfg", &c.net, &e), PESIM_OK) << e.msg;
    if (c.arch.level[top].is_dram) {
        c.arch.level[top].dram.layout = seed % 3 ? PESIM_DRAM_ROW_MAJOR : PESIM_DRAM_TILE_MAJOR;
        c.arch.level[top].dram.order = seed % 4 < 2 ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
    }
    pesim_net_destroy(c.n);
    c.n = nullptr;
    ASSERT_EQ(pesim_net_create(&c.arch, &c.net, &c.opt, &c.n, &e), PESIM_OK) << e.msg;
    pesim_placement_free(&c.p);
    ASSERT_EQ(greedy ? pesim_net_place_greedy(c.n, &c.p, &e) : pesim_net_place_outermost(c.n, &c.p, &e), PESIM_OK)
        << e.msg;
}

// Vector layers whose one row or pixel does not fit the vector unit's level
// run by channels (docs/network.md, "Vector layers"). Even seeds: a conv of
// 24 to 64 channels of 4 x 4 to 8 x 8 pixels, a pool over the whole image, a
// gemm. Odd seeds: a conv of K channels of 2 x 2 to 4 x 4 pixels with K
// above half the vector level (a pixel of K inputs and K outputs does not
// fit), a gelu, the add of the two, the whole-image pool, a gemm. On the
// plain, tiny and dram4 machines, outermost or greedy placement, the DRAM
// tile-major or row-major NHWC or NCHW by turns: every network is valid (each
// was refused before: "one row does not fit"), the engine is not below the
// bound, and the reference reproduces the engine (its own DRAM unit
// enumeration, program.cpp unit_bursts, against pesim_dram_vector_boxes).
TEST(NetSystemC, WideVectorLayersRunByChannels)
{
    int pools = 0, pixels = 0, by_dram = 0;
    for (int seed = 1; seed <= 8; seed++)
        for (int af = 0; af < NA_COUNT; af++) {
            NetCase c((uint64_t)seed * 53 + (uint64_t)af, NF_CHAIN, af);
            ASSERT_TRUE(c.ok) << c.what;
            TestRng rng((uint64_t)seed * 11 + (uint64_t)af);
            const int top = c.arch.n_levels - 1, V = c.arch.vector.level;
            const int64_t cap = c.arch.level[V].capacity_words;
            const bool pixel = seed % 2;
            int64_t h = pixel ? rng.uni(2, 4) : rng.uni(4, 8), w = pixel ? rng.uni(2, 4) : rng.uni(4, 8);
            int64_t k = pixel ? cap / 2 + rng.uni(1, cap / 4) : rng.uni(24, 64);
            NetBuilder b(rng.uni(2, 4), h, w);
            std::string x = b.Conv("input", k, 3, 1, 1);
            if (pixel) x = b.Sum(b.Eltwise("act", x, " function = \"gelu\";"), x);
            x = b.Pool(x, std::min(h, w), 1);
            b.Gemm(x, rng.uni(2, 8));
            Rebuild(c, b, seed, seed % 4 < 2);
            if (HasFatalFailure()) return;
            std::string what = std::string(pixel ? "add and pool of " : "pool of ") + std::to_string(k) + " x " +
                               std::to_string(h) + " x " + std::to_string(w) + " on " + net_arch_name(af) +
                               " seed " + std::to_string(seed);
            int64_t bound = 0;
            int64_t cycles = engine_equals_reference(c, what, &bound);
            ASSERT_GE(cycles, 0) << what;
            EXPECT_GE(cycles, bound) << what;
            const pesim_net_result *r;
            pesim_error e;
            ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << e.msg;
            for (int32_t i = 0; i < r->n_layers; i++) {
                const pesim_layer &l = c.net.layers[i];
                const pesim_net_layer &ly = r->layer[i];
                int64_t row = l.op == PESIM_OP_POOL ? k * h * w : l.op == PESIM_OP_ACT ? 2 * k : 0;
                if (row == 0 || cap == 0 || row <= cap) continue;  /* a row or pixel that fits, or not vector */
                (l.op == PESIM_OP_POOL ? pools : pixels)++;
                by_dram += ly.home[PESIM_INPUTS] == top && c.arch.level[top].is_dram;
            }
            if (HasFailure()) return;
        }
    printf("wide vector layers run by channels: %d pools, %d activations; %d reading DRAM\n", pools, pixels,
           by_dram);
    EXPECT_GE(pools, 20);
    EXPECT_GE(pixels, 8);
    EXPECT_GE(by_dram, 8);
}

// Layer norms and softmaxes whose one row does not fit the vector unit's
// level read each row twice in pieces of channels (docs/network.md, "Vector
// layers"): a gemm to K channels over 2 to 6 tokens, K above half the vector
// level (a row of K inputs and K outputs does not fit), a layer norm, a
// softmax and a gemm. On every machine family, outermost or greedy
// placement, the DRAM tile-major or row-major NHWC or NCHW by turns: every
// network is valid (each was refused before: "one row does not fit"), the
// engine is not below the bound, and the reference reproduces the engine,
// each piece's DRAM bursts by its own unit enumeration (unit_bursts).
TEST(NetSystemC, WideRowsAreReadTwiceInPieces)
{
    int split = 0, by_dram = 0;
    for (int seed = 1; seed <= 6; seed++)
        for (int af = 0; af < NA_COUNT; af++) {
            NetCase c((uint64_t)seed * 71 + (uint64_t)af, NF_CHAIN, af);
            ASSERT_TRUE(c.ok) << c.what;
            TestRng rng((uint64_t)seed * 13 + (uint64_t)af);
            const int top = c.arch.n_levels - 1, V = c.arch.vector.level;
            const int64_t cap = c.arch.level[V].capacity_words;
            const int64_t k = cap / 2 + rng.uni(1, cap / 4), seq = rng.uni(2, 6);
            NetBuilder b(rng.uni(2, 4), seq, 1);
            std::string x = b.Gemm("input", k);
            x = b.Eltwise("softmax", b.Eltwise("layernorm", x));
            b.Gemm(x, rng.uni(2, 8));
            Rebuild(c, b, seed, seed % 2);
            if (HasFatalFailure()) return;
            std::string what = "layer norm and softmax of " + std::to_string(k) + " x " + std::to_string(seq) + " on " +
                               net_arch_name(af) + " seed " + std::to_string(seed);
            int64_t bound = 0;
            int64_t cycles = engine_equals_reference(c, what, &bound);
            ASSERT_GE(cycles, 0) << what;
            EXPECT_GE(cycles, bound) << what;
            const pesim_net_result *r;
            pesim_error e;
            ASSERT_EQ(pesim_net_run(c.n, &c.p, PESIM_NET_CYCLE, &r, &e), PESIM_OK) << e.msg;
            for (int32_t i = 0; i < r->n_layers; i++) {
                const pesim_layer &l = c.net.layers[i];
                const int in = r->layer[i].home[PESIM_INPUTS];
                if ((l.op != PESIM_OP_SOFTMAX && l.op != PESIM_OP_LAYERNORM) || in == V) continue;
                if (r->layer[i].cost.access[in][PESIM_INPUTS].reads != 2 * k * seq) continue; /* rows whole */
                split++;
                by_dram += in == top && c.arch.level[top].is_dram;
            }
            if (HasFailure()) return;
        }
    printf("wide rows read twice in pieces: %d layer norms and softmaxes split; %d reading DRAM\n", split, by_dram);
    EXPECT_GE(split, 40);
    EXPECT_GE(by_dram, 10);
}

} // namespace
#endif
