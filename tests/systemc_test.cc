// systemc_test.cc - the SystemC reference model (sim/systemc/) against the
// cycle engine: the cross-check matrix (docs/engine.md, "SystemC reference").
//
// SystemCMatrix: 240 cases from a fixed seed (tests/systemc_cases.h): small layers
// with random valid mappings on a systolic array, a multicast-bus array, an
// Eyeriss-like row-stationary array, a three-level hierarchy with DRAM timing
// and random machines. For each: total cycles, compute cycles, every stall
// counter, every access count, the network words, the engine statistics (blocks,
// transfers, folds, DRAM bursts, row hits/misses/conflicts, refreshes) equal
// between pesim_engine_run and pesim_systemc_run, and the functional mode's
// outputs equal the reference convolution. A failing case prints the first
// divergence of the two traces (cycle, module, event). SystemCLayers: the same
// checks on 30 real layers (shipped workloads, default mapper) on every shipped
// architecture as shipped. SystemCGeneral: 120 cases of the general mapping
// classes (an operand bypassing a level whose temporal loop sits below a spatial
// split, several dims per spatial axis) on random machines, half of them counted
// by the "timeloop" conventions.
//
// SystemCDrain: a hand-traced drain whose words leave the PEs before they land
// through a reduction tree (both models' traces equal); SystemCDrainCases: 40
// detail machines on which some drain leaves its child before it lands.
// SystemCReadBack: a hand-traced read-back of partial sums that waits for its
// own tile's drain; SystemCReadBackCases: 20 detail machines on which a
// read-back starts before its child's latest drain has landed.
//
// SystemCDram: the reference's DRAM controller (sim/systemc/dram_core.cpp,
// written from docs/dram.md) against the C model (sim/engine/dram*.c) on random
// request traces, command by command: random organisations (1-3 channels, 1-4
// ranks), schedulers, queue depths, per-bank queue depths, age and hit caps,
// address maps; every command, every completion, and the counters (CAS counts,
// row hits/conflicts, background cycles). SharesNoCodeWithTheCModel: no file of
// sim/systemc/ includes the C model's header or calls its functions.
//
// SystemCLoopNest: the reference's own loop-nest interpreter
// (sim/systemc/loopnest.cpp) against the engine's block walker, block by block,
// on all 450 cases. SystemCIndependence: no file of sim/systemc/ includes
// sim/nest/ or sim/engine/ or calls their functions. SystemCMatrixCoverage:
// six families, meshes, banks, single-ported levels, at least 300 cases.
// SystemCDeep: 40 random machines of 9 to 12 levels, and Timeloop's
// simba_like (nine levels) as imported: the same checks.
//
// Matrix size: 240 cases in every build (ASan included); PESIM_SYSTEMC_CASES=N
// overrides (the benchmark, scripts/bench_systemc.sh, runs the same cases).
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "systemc_cases.h"
#include "test_util.h"

extern "C" {
#include "pesim/functional.h"
#include "pesim/timeloop.h"
}

#ifdef PESIM_SYSTEMC_BUILT
#include "nest/walk.h"
#include "pesim/systemc.h"
#include "systemc/dram_core.h"
#include "systemc/loopnest.h"

// Every build runs the whole matrix (the ASan build too: it takes seconds).
#define PESIM_SC_DEFAULT_CASES 240

namespace {

int matrix_cases()
{
    const char *s = std::getenv("PESIM_SYSTEMC_CASES");
    int n = s ? std::atoi(s) : 0;
    return n > 0 ? n : PESIM_SC_DEFAULT_CASES;
}

// The general (random) cases of SystemCLoopNest.BlocksEqualTheWalker: 120, or
// PESIM_WALK_CASES (a longer check by hand, docs/engine.md "Per-instance work").
int walk_cases()
{
    const char *s = std::getenv("PESIM_WALK_CASES");
    int n = s ? std::atoi(s) : 0;
    return n > 0 ? n : 120;
}

void collect(void *ctx, int64_t cycle, const char *module, const char *event)
{
    pesim_trace_event e;
    std::memset(&e, 0, sizeof e);
    e.cycle = cycle;
    std::snprintf(e.module, sizeof e.module, "%s", module);
    std::snprintf(e.event, sizeof e.event, "%s", event);
    static_cast<std::vector<pesim_trace_event> *>(ctx)->push_back(e);
}

bool before(const pesim_trace_event &a, const pesim_trace_event &b)
{
    int c;
    if (a.cycle != b.cycle) return a.cycle < b.cycle;
    if ((c = std::strcmp(a.module, b.module)) != 0) return c < 0;
    return std::strcmp(a.event, b.event) < 0;
}

bool same(const pesim_trace_event &a, const pesim_trace_event &b)
{
    return a.cycle == b.cycle && !std::strcmp(a.module, b.module) && !std::strcmp(a.event, b.event);
}

std::string show(const pesim_trace_event &e)
{
    std::ostringstream os;
    os << "cycle " << e.cycle << ", " << e.module << ", " << e.event;
    return os.str();
}

// The first divergence of the two traces (sorted by cycle, module, event),
// with a little context on both sides.
std::string first_divergence(const sc_cases::Case &c)
{
    std::vector<pesim_trace_event> eng;
    pesim_engine_options o = c.opt;
    o.trace = collect;
    o.trace_ctx = &eng;
    pesim_cost ce, cs;
    pesim_engine_run(&c.arch, &c.layer, &c.map, &o, &ce, nullptr);
    pesim_trace tr = {nullptr, 0};
    pesim_systemc_run_traced(&c.arch, &c.layer, &c.map, &c.opt, &cs, nullptr, &tr);
    std::vector<pesim_trace_event> sc(tr.events, tr.events + tr.n);
    pesim_trace_free(&tr);
    std::stable_sort(eng.begin(), eng.end(), before);
    std::stable_sort(sc.begin(), sc.end(), before);
    size_t i = 0;
    while (i < eng.size() && i < sc.size() && same(eng[i], sc[i])) i++;
    std::ostringstream os;
    if (i == eng.size() && i == sc.size()) return "the traces are equal (" + std::to_string(i) + " events)";
    os << "first divergence at event " << i << " of " << eng.size() << " (engine) / " << sc.size() << " (SystemC):\n";
    size_t from = i >= 3 ? i - 3 : 0;
    for (size_t k = from; k < i + 4; k++) {
        os << (k == i ? "  >> " : "     ") << "engine:  " << (k < eng.size() ? show(eng[k]) : "(end)") << "\n";
        os << (k == i ? "  >> " : "     ") << "systemc: " << (k < sc.size() ? show(sc[k]) : "(end)") << "\n";
    }
    return os.str();
}

// Runs case c on both and compares what each computes on its own; returns
// through gtest. Compared (independent in substance: the reference's words
// come from its own loop-nest interpreter, its timing from its modules, its
// DRAM commands from its own controller): cycles, compute cycles, every stall
// counter, every access count per level and tensor, the MACs, blocks,
// transfers, folds, busy cycles, every DRAM statistic (bursts, row hits,
// misses, conflicts, refreshes, DRAM cycles, ACT/PRE/RD/WR, rank background
// cycles), the energy (pesim_estimate_cost, the one cost formula, over each
// one's own counts and DRAM commands), and per level and tensor the network
// words, ingress, multicast, reductions, fan-out and word-hops (the
// reference's from its own loop nest, docs/model.md section 7). Not compared,
// because the reference copies them from the public analytical model and they
// would be equal by construction: spatial_used and utilized_capacity_words.
void cross_check(const sc_cases::Case &c, const std::string &what)
{
    pesim_cost ce, cs;
    pesim_engine_stats se, ss;
    ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &ce, &se), PESIM_OK) << what;
    ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &c.map, &c.opt, &cs, &ss), PESIM_OK) << what << ": " << cs.reason;
    ASSERT_TRUE(ce.valid) << what << ": " << ce.reason;
    ASSERT_EQ(cs.valid, ce.valid) << what;

    bool equal = ce.cycles == cs.cycles && ce.compute_cycles == cs.compute_cycles &&
                 !std::memcmp(ce.stall_cycles, cs.stall_cycles, sizeof ce.stall_cycles);
    EXPECT_EQ(ce.cycles, cs.cycles) << what;
    EXPECT_EQ(ce.compute_cycles, cs.compute_cycles) << what;
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        EXPECT_EQ(ce.stall_cycles[s], cs.stall_cycles[s]) << what << ": stall " << pesim_stall_name((pesim_stall)s);
    for (int lv = 0; lv < c.arch.n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access &x = ce.access[lv][t], &y = cs.access[lv][t];
            std::string where = what + ": " + c.arch.level[lv].name + " " + pesim_tensor_name((pesim_tensor)t);
            EXPECT_EQ(x.reads, y.reads) << where << " reads";
            EXPECT_EQ(x.fills, y.fills) << where << " fills";
            EXPECT_EQ(x.updates, y.updates) << where << " updates";
            EXPECT_EQ(ce.noc_words[lv][t], cs.noc_words[lv][t]) << where << " network words";
            EXPECT_EQ(ce.noc_ingress_words[lv][t], cs.noc_ingress_words[lv][t]) << where << " network ingress";
            EXPECT_EQ(ce.noc_spatial_reductions[lv][t], cs.noc_spatial_reductions[lv][t]) << where << " reductions";
            EXPECT_EQ(ce.noc_fanout[lv][t], cs.noc_fanout[lv][t]) << where << " fan-out";
            EXPECT_DOUBLE_EQ(ce.noc_multicast[lv][t], cs.noc_multicast[lv][t]) << where << " multicast";
            EXPECT_NEAR(ce.noc_word_hops[lv][t], cs.noc_word_hops[lv][t], 1e-9 * (1 + ce.noc_word_hops[lv][t]))
                << where << " word-hops";
        }
    EXPECT_EQ(ce.macs, cs.macs) << what;
    EXPECT_EQ(ce.macs, pesim_layer_macs(&c.layer)) << what;
    EXPECT_DOUBLE_EQ(ce.energy_pj, cs.energy_pj) << what;
    EXPECT_EQ(se.blocks, ss.blocks) << what;
    EXPECT_EQ(se.transfers, ss.transfers) << what;
    EXPECT_EQ(se.folds, ss.folds) << what;
    EXPECT_EQ(se.busy_cycles, ss.busy_cycles) << what;
    EXPECT_EQ(se.dram_reads, ss.dram_reads) << what;
    EXPECT_EQ(se.dram_writes, ss.dram_writes) << what;
    EXPECT_EQ(se.dram_row_hits, ss.dram_row_hits) << what;
    EXPECT_EQ(se.dram_row_misses, ss.dram_row_misses) << what;
    EXPECT_EQ(se.dram_row_conflicts, ss.dram_row_conflicts) << what;
    EXPECT_EQ(se.dram_refreshes, ss.dram_refreshes) << what;
    EXPECT_EQ(se.dram_cycles, ss.dram_cycles) << what;
    EXPECT_EQ(se.dram_act, ss.dram_act) << what;
    EXPECT_EQ(se.dram_pre, ss.dram_pre) << what;
    EXPECT_EQ(se.dram_rd, ss.dram_rd) << what;
    EXPECT_EQ(se.dram_wr, ss.dram_wr) << what;
    EXPECT_EQ(se.dram_active_cycles, ss.dram_active_cycles) << what;
    EXPECT_EQ(se.dram_precharged_cycles, ss.dram_precharged_cycles) << what;
    int64_t sum = cs.compute_cycles;
    for (int s = 0; s < PESIM_STALL_COUNT; s++) sum += cs.stall_cycles[s];
    EXPECT_EQ(sum, cs.cycles) << what;
    if (!equal || ::testing::Test::HasFailure()) ADD_FAILURE() << what << "\n" << first_divergence(c);

    // The data the machine moves computes the layer: the functional mode's
    // outputs equal the reference convolution.
    pesim_functional_result fr;
    pesim_error e;
    if (pesim_layer_macs(&c.layer) > PESIM_FUNCTIONAL_MAX_MACS) return;  // too big for the functional mode
    pesim_status fs = pesim_functional_run(&c.arch, &c.layer, &c.map, 12345u + (uint64_t)c.index, &fr, &e);
    if (fs == PESIM_ERR_RANGE) return;
    ASSERT_EQ(fs, PESIM_OK) << what << ": " << e.msg;
    EXPECT_EQ(fr.mismatches, 0) << what;
    EXPECT_EQ(fr.traffic_mismatches, 0) << what << ": " << fr.traffic_note;
    EXPECT_EQ(fr.macs_done, pesim_layer_macs(&c.layer)) << what;
}

class SystemCMatrix : public ::testing::TestWithParam<int> {};

TEST_P(SystemCMatrix, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_case(GetParam(), PESIM_SOURCE_DIR, &c)) << "case " << GetParam();
    cross_check(c, c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCMatrix, ::testing::Range(0, matrix_cases()));

// DRAM reads in flight (docs/engine.md, DRAM): matrix cases whose outermost
// level is DRAM (systolic with DDR4, bus, Eyeriss-like and three-level with
// LPDDR4, random machines) with reads_in_flight = 2 and 4; the reference's DMA
// stream lets a block's fill reads go out back to back on its own.
class SystemCReadsInFlight : public ::testing::TestWithParam<int> {};

TEST_P(SystemCReadsInFlight, EngineEqualsSystemC)
{
    sc_cases::Case c;
    int i = GetParam() / 2, n = 0;
    for (int j = 0;; j++) { // the i-th matrix case with a DRAM
        ASSERT_TRUE(sc_cases::make_case(j, PESIM_SOURCE_DIR, &c)) << "case " << j;
        if (c.arch.level[c.arch.n_levels - 1].is_dram && n++ == i) break;
    }
    c.arch.level[c.arch.n_levels - 1].dram.reads_in_flight = GetParam() % 2 ? 4 : 2;
    cross_check(c, "reads in flight " + std::to_string(c.arch.level[c.arch.n_levels - 1].dram.reads_in_flight) +
                       ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCReadsInFlight, ::testing::Range(0, 80));

// Counts, over the first 40 matrix cases that `use` accepts, those whose
// engine cycles `change` alters (before: `reset` applied), per family, and
// prints them as `what`.
static void count_changed(const char *what, bool (*use)(const pesim_arch &), void (*reset)(pesim_arch *),
                          void (*change)(pesim_arch *), int *changed, std::map<int, int> *fam)
{
    for (int i = 0, j = 0; i < 40; i++) {
        sc_cases::Case c;
        do
            ASSERT_TRUE(sc_cases::make_case(j++, PESIM_SOURCE_DIR, &c));
        while (!use(c.arch));
        pesim_cost one, two;
        reset(&c.arch);
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &one, nullptr), PESIM_OK);
        change(&c.arch);
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &two, nullptr), PESIM_OK);
        if (one.valid && one.cycles != two.cycles) ++*changed, (*fam)[c.family]++;
    }
    printf("%s: %d of 40 cases change; families:", what, *changed);
    for (auto &f : *fam) printf(" %s %d", sc_cases::family_name(f.first), f.second);
    printf("\n");
}

// The reads-in-flight cases exercise the rule: on many of them, in at least
// two families, the engine's cycles differ from the same case with one read in
// flight.
TEST(SystemCReadsInFlightCoverage, ReadsOverlapInSeveralFamilies)
{
    int changed = 0;
    std::map<int, int> fam;
    count_changed(
        "reads in flight", [](const pesim_arch &a) { return a.level[a.n_levels - 1].is_dram != 0; },
        [](pesim_arch *) {}, [](pesim_arch *a) { a->level[a->n_levels - 1].dram.reads_in_flight = 2; }, &changed, &fam);
    EXPECT_GE(changed, 10);
    EXPECT_GE(fam.size(), 2u);
}

// N tile slots (pesim_level_tile_slots, docs/engine.md): matrix cases with
// every on-chip level holding 3 or 4 tiles of each kept tensor (the cases whose
// mapping still fits N times); the reference keeps its own rings of compute
// items and drains.
bool slots_case(int i, int n, sc_cases::Case *c)
{
    for (int j = 0, k = 0; j < 4000; j++) { // the i-th matrix case valid with n slots
        if (!sc_cases::make_case(j, PESIM_SOURCE_DIR, c)) return false;
        for (int lv = 0; lv + 1 < c->arch.n_levels; lv++) c->arch.level[lv].tile_slots = n;
        pesim_cost ce;
        if (pesim_engine_run(&c->arch, &c->layer, &c->map, &c->opt, &ce, nullptr) != PESIM_OK || !ce.valid) continue;
        if (k++ == i) return true;
    }
    return false;
}

class SystemCTileSlots : public ::testing::TestWithParam<int> {};

TEST_P(SystemCTileSlots, EngineEqualsSystemC)
{
    sc_cases::Case c;
    int n = GetParam() % 2 ? 4 : 3;
    ASSERT_TRUE(slots_case(GetParam() / 2, n, &c)) << "slots case " << GetParam();
    cross_check(c, std::to_string(n) + " tile slots: " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCTileSlots, ::testing::Range(0, 80));

// The tile-slot cases exercise the rule: over the first 1,300 matrix cases
// that fit 4 slots, in several families, 3 slots give other cycles than 2 on
// many; 4 other than 3 on a few (small layers rarely need a third tile ahead),
// and those are cross-checked with 4 slots here.
TEST(SystemCTileSlotsCoverage, SlotsChangeTheCyclesInSeveralFamilies)
{
    int valid = 0, changed3 = 0, changed4 = 0;
    std::map<int, int> fam;
    for (int j = 0; j < 1300; j++) {
        sc_cases::Case c;
        ASSERT_TRUE(sc_cases::make_case(j, PESIM_SOURCE_DIR, &c));
        int64_t cyc[5] = {0};
        bool ok = true;
        for (int n = 2; n <= 4 && ok; n++) {
            for (int lv = 0; lv + 1 < c.arch.n_levels; lv++) c.arch.level[lv].tile_slots = n;
            pesim_cost ce;
            ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &ce, nullptr), PESIM_OK);
            ok = ce.valid != 0;
            cyc[n] = ce.cycles;
        }
        if (!ok) continue;
        valid++;
        if (cyc[3] != cyc[2]) changed3++, fam[c.family]++;
        if (cyc[4] != cyc[3]) {
            changed4++;
            cross_check(c, "4 tile slots (not 3's cycles): " + c.describe());
        }
    }
    printf("tile slots: of %d cases, 3 differs from 2 in %d, 4 from 3 in %d; families (3 vs 2):", valid, changed3,
           changed4);
    for (auto &f : fam) printf(" %s %d", sc_cases::family_name(f.first), f.second);
    printf("\n");
    EXPECT_GE(changed3, 50);
    EXPECT_GE(changed4, 4);
    EXPECT_GE(fam.size(), 3u);
}

// Ports that scale the bandwidth (docs/engine.md, Ports): matrix cases of
// every family with each on-chip level's `ports` set to 2 (even cases) or 4
// (odd): `ports` read and `ports` write ports at the level's rates each, a
// single-ported level (hier3's L2, random ones) no longer shared.
static void set_ports(pesim_arch *a, int ports)
{
    for (int lv = 0; lv < a->n_levels; lv++)
        if (!a->level[lv].is_dram) a->level[lv].ports = ports;
}

class SystemCPorts : public ::testing::TestWithParam<int> {};

TEST_P(SystemCPorts, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_case(GetParam() / 2, PESIM_SOURCE_DIR, &c)) << "case " << GetParam() / 2;
    int ports = GetParam() % 2 ? 4 : 2;
    set_ports(&c.arch, ports);
    cross_check(c, "ports " + std::to_string(ports) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCPorts, ::testing::Range(0, 80));

// The ports cases exercise the rule: on many of them, in at least three
// families, the engine's cycles with 2 ports differ from those with 1.
TEST(SystemCPortsCoverage, PortsChangeCyclesInSeveralFamilies)
{
    int changed = 0;
    std::map<int, int> fam;
    count_changed(
        "ports 1 -> 2", [](const pesim_arch &) { return true; }, [](pesim_arch *a) { set_ports(a, 1); },
        [](pesim_arch *a) { set_ports(a, 2); }, &changed, &fam);
    EXPECT_GE(changed, 10);
    EXPECT_GE(fam.size(), 3u);
}

// Banks (docs/engine.md "Banks"): the first 40 matrix cases (all five
// families) with every on-chip level of B = 2, 3, 4 or 8 banks (ports and
// rates as drawn, so accesses 1 to 8 lines wide) and, every other case, lines
// of 2 words. The reference arbitrates its read and write servers' accesses per
// cycle with its own code; the engine computes each stream against the older
// ones by periods of the joint state.
void set_banks(pesim_arch *a, int banks, int line_words)
{
    for (int lv = 0; lv < a->n_levels; lv++)
        if (!a->level[lv].is_dram) a->level[lv].banks = banks, a->level[lv].block_words = line_words;
}

class SystemCBanks : public ::testing::TestWithParam<int> {};

TEST_P(SystemCBanks, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_case(GetParam() / 4, PESIM_SOURCE_DIR, &c)) << "case " << GetParam() / 4;
    static const int banks[4] = {2, 3, 4, 8};
    int b = banks[GetParam() % 4], line = GetParam() / 4 % 2 ? 2 : 1;
    set_banks(&c.arch, b, line);
    cross_check(c, "banks " + std::to_string(b) + ", lines of " + std::to_string(line) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCBanks, ::testing::Range(0, 160));

// The hand-traced case of EngineDetail.BankConflictsMoreBanksRelieve: 17, 16
// and 14 cycles with 1, 2 and 4 banks, the traces equal.
TEST(SystemCBanks, HandTracedConflicts)
{
    sc_cases::Case c;
    c.index = 400100, c.family = sc_cases::kMeshFamily;
    c.arch = test_two_level_arch(1, 1);
    pesim_level &v = c.arch.level[0];
    v.keeps[PESIM_WEIGHTS] = v.keeps[PESIM_OUTPUTS] = 0;
    v.read_words_per_cycle = 2, v.write_words_per_cycle = 1;
    v.latency_cycles = 1, v.tile_slots = 2;
    c.layer = test_layer(1, 1, 1, 3, 3, 1, 1, 1);
    pesim_mapping_init(&c.map, 2);
    c.map.level[0].temporal[PESIM_DIM_C] = 3;
    c.map.level[1].temporal[PESIM_DIM_P] = 3;
    std::memset(&c.opt, 0, sizeof c.opt);
    const int banks[3] = {1, 2, 4};
    const int64_t want[3] = {17, 16, 14};
    for (int i = 0; i < 3; i++) {
        v.banks = banks[i];
        cross_check(c, "hand-traced banks " + std::to_string(banks[i]));
        pesim_cost cs;
        ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &c.map, &c.opt, &cs, nullptr), PESIM_OK) << cs.reason;
        EXPECT_EQ(cs.cycles, want[i]) << banks[i] << " banks";
        std::string d = first_divergence(c);
        EXPECT_EQ(d.rfind("the traces are equal", 0), 0u) << d;
    }
}

// The banks cases exercise the rule: on many of them, in at least three
// families, the engine's cycles with 2 banks differ from those with 8.
TEST(SystemCBanksCoverage, BanksChangeCyclesInSeveralFamilies)
{
    int changed = 0;
    std::map<int, int> fam;
    count_changed(
        "banks 8 -> 2", [](const pesim_arch &) { return true; }, [](pesim_arch *a) { set_banks(a, 8, 1); },
        [](pesim_arch *a) { set_banks(a, 2, 1); }, &changed, &fam);
    EXPECT_GE(changed, 10);
    EXPECT_GE(fam.size(), 3u);
}

// Arbitration (docs/engine.md "Banks"): the first 30 matrix cases with every
// on-chip level of 4 banks and one port whose reads are 2 lines wide and writes
// 1 (or, every other case, the other way round: the pair's accesses meet on some
// cycles, not all), under each policy. The reference picks between a block's reads and
// updates per cycle with its own arbiter; the engine times a fixed priority side
// by side and round robin by periods of the pair's state.
void set_arbitration(pesim_arch *a, int wide_reads, pesim_arbitration policy)
{
    set_banks(a, 4, 1);
    for (int lv = 0; lv < a->n_levels; lv++) {
        pesim_level &v = a->level[lv];
        if (v.is_dram) continue;
        v.arbitration = policy, v.ports = 1;
        v.read_words_per_cycle = wide_reads ? 2 : 1, v.write_words_per_cycle = wide_reads ? 1 : 2;
    }
}

class SystemCArbitration : public ::testing::TestWithParam<int> {};

TEST_P(SystemCArbitration, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_case(GetParam() / 3, PESIM_SOURCE_DIR, &c)) << "case " << GetParam() / 3;
    pesim_arbitration policy = (pesim_arbitration)(GetParam() % 3);
    int wide_reads = GetParam() / 3 % 2 == 0;
    set_arbitration(&c.arch, wide_reads, policy);
    cross_check(c, std::string(pesim_arbitration_name(policy)) + (wide_reads ? ", reads 2 lines" : ", writes 2 lines") +
                       ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCArbitration, ::testing::Range(0, 90));

// The arbitration cases exercise the policies: on several of the first 40
// matrix cases (reads 2 lines wide), in at least four families, round robin and
// updates_first each give other engine cycles than reads_first (29 and 25 of 40
// when written).
TEST(SystemCArbitrationCoverage, PoliciesChangeCyclesInSeveralFamilies)
{
    const char *what[2] = {"reads_first -> updates_first", "reads_first -> round_robin"};
    void (*change[2])(pesim_arch *) = {[](pesim_arch *a) { set_arbitration(a, 1, PESIM_ARB_UPDATES_FIRST); },
                                       [](pesim_arch *a) { set_arbitration(a, 1, PESIM_ARB_ROUND_ROBIN); }};
    for (int k = 0; k < 2; k++) {
        int changed = 0;
        std::map<int, int> fam;
        count_changed(
            what[k], [](const pesim_arch &) { return true; },
            [](pesim_arch *a) { set_arbitration(a, 1, PESIM_ARB_READS_FIRST); }, change[k], &changed, &fam);
        EXPECT_GE(changed, 15) << what[k];
        EXPECT_GE(fam.size(), 4u) << what[k];
    }
}

// The DRAM level's port (docs/engine.md, DRAM): the i-th matrix case with a
// DRAM, its read and write ports set below the timing's peak (fractions from a
// twentieth to 0.3 of it, reads and writes apart, some with no write port), every
// third with two reads in flight. The reference paces its DMA stream's bursts
// by the port with its own code.
bool dram_port_case(int k, sc_cases::Case *c)
{
    int i = k, n = 0;
    for (int j = 0;; j++) { // the i-th matrix case with a DRAM
        if (!sc_cases::make_case(j, PESIM_SOURCE_DIR, c)) return false;
        if (c->arch.level[c->arch.n_levels - 1].is_dram && n++ == i) break;
    }
    pesim_level &top = c->arch.level[c->arch.n_levels - 1];
    double peak = pesim_dram_words_per_cycle(&top.dram, c->arch.word_bits, c->arch.clock_mhz);
    static const double rd[] = {0.1, 0.25, 0.05, 0.3}, wr[] = {0.2, 0, 0.1, 0.25, 0};
    top.read_words_per_cycle = peak * rd[k % 4];
    top.write_words_per_cycle = peak * wr[k % 5];
    if (k % 3 == 2) top.dram.reads_in_flight = 2;
    return true;
}

class SystemCDramPort : public ::testing::TestWithParam<int> {};

TEST_P(SystemCDramPort, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(dram_port_case(GetParam(), &c));
    const pesim_level &top = c.arch.level[c.arch.n_levels - 1];
    char what[96];
    snprintf(what, sizeof what, "DRAM port %.3g/%.3g words a cycle, %d in flight: ", top.read_words_per_cycle,
             top.write_words_per_cycle, top.dram.reads_in_flight);
    cross_check(c, what + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCDramPort, ::testing::Range(0, 60));

// The port cases exercise the rule: the port changes the engine's cycles on
// most of them, in at least three families.
TEST(SystemCDramPortCoverage, ThePortBindsInSeveralFamilies)
{
    int changed = 0;
    std::map<int, int> fam;
    for (int k = 0; k < 60; k++) {
        sc_cases::Case c;
        ASSERT_TRUE(dram_port_case(k, &c));
        pesim_cost with, without;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &with, nullptr), PESIM_OK);
        pesim_level &top = c.arch.level[c.arch.n_levels - 1];
        top.read_words_per_cycle = top.write_words_per_cycle = 0;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &without, nullptr), PESIM_OK);
        if (with.valid && with.cycles != without.cycles) changed++, fam[c.family]++;
    }
    printf("DRAM port: %d of 60 cases change; families:", changed);
    for (auto &f : fam) printf(" %s %d", sc_cases::family_name(f.first), f.second);
    printf("\n");
    EXPECT_GE(changed, 30);
    EXPECT_GE(fam.size(), 3u);
}

// The general mapping classes (tests/systemc_cases.h, make_general_case).
class SystemCGeneral : public ::testing::TestWithParam<int> {};

TEST_P(SystemCGeneral, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_general_case(GetParam(), &c)) << "general case " << GetParam();
    cross_check(c, "general case " + std::to_string(GetParam()) + " (" +
                       pesim_conventions_name((pesim_conventions)c.arch.conventions) + "): " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCGeneral, ::testing::Range(0, 120));

// The engine's network details (docs/engine.md, "Networks"): random machines
// whose networks are meshes (XY routing, link contention), unicast or buses,
// with tree or systolic-chain reduction, under random general mappings.
class SystemCDetail : public ::testing::TestWithParam<int> {};

// A detail case: a random 2-4 level machine whose networks are meshes,
// unicast or buses with tree or systolic-chain reduction, a general mapping.
bool make_detail_case_seeded(uint64_t seed, int index, sc_cases::Case *out)
{
    TestRng rng(seed);
    sc_cases::Case &c = *out;
    c.index = index, c.family = sc_cases::kMeshFamily, c.layer_kind = index % 6;
    static thread_local pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    for (int tries = 0; tries < 500; tries++) {
        c.arch = sc_cases::random_machine(rng);
        for (int lv = 0; lv + 1 < c.arch.n_levels; lv++) {
            pesim_level &v = c.arch.level[lv];
            v.fanout_x = (int)rng.uni(1, 4), v.fanout_y = (int)rng.uni(1, 4);
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                if (v.noc[t].kind != PESIM_NOC_SYSTOLIC)
                    v.noc[t].kind = rng.coin(60) ? PESIM_NOC_MESH : rng.coin(50) ? PESIM_NOC_UNICAST : PESIM_NOC_BUS;
                v.noc[t].reduce = rng.coin(50) ? PESIM_REDUCE_TREE : PESIM_REDUCE_SYSTOLIC;
            }
        }
        c.layer = sc_cases::small_layer(rng, c.layer_kind);
        std::memset(&c.opt, 0, sizeof c.opt);
        c.map = test_mapping_general(rng, c.arch, c.layer);
        if (pesim_nest_count(&c.arch, &c.layer, &c.map, &nc, reason, sizeof reason)) return true;
    }
    return false;
}

bool make_detail_case(int i, sc_cases::Case *out)
{
    return make_detail_case_seeded(880001u + (uint64_t)i * 7919u, 300000 + i, out);
}

TEST_P(SystemCDetail, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(make_detail_case(GetParam(), &c)) << "detail case " << GetParam();
    cross_check(c, "detail case " + std::to_string(GetParam()) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCDetail, ::testing::Range(0, 60));

// A row-major DRAM layout (docs/engine.md, "DRAM address layout"): every
// transfer reads or writes the bursts of its tile's box, which the reference
// derives from its own loop nest (Xfer::lo, ext) with its own box-to-bursts
// code. Case i: the (i / 3)-th case with a DRAM of the matrix (i % 3 == 0:
// systolic, bus, Eyeriss-like, three-level, random machines), of the general
// mapping classes (1: combs, bypasses, "timeloop" conventions) or of the
// detail machines (2: meshes, unicast, trees); NHWC or NCHW by turns; every
// fourth with two reads in flight.
bool row_major_case(int i, sc_cases::Case *c)
{
    const int kind = i % 3, n = i / 3;
    for (int j = 0, k = 0; j < 4000; j++) {
        bool ok = kind == 0   ? sc_cases::make_case(j, PESIM_SOURCE_DIR, c)
                  : kind == 1 ? sc_cases::make_general_case(j, c)
                              : make_detail_case(j, c);
        if (!ok) return false;
        pesim_level &top = c->arch.level[c->arch.n_levels - 1];
        if (!top.is_dram || k++ < n) continue;
        top.dram.layout = PESIM_DRAM_ROW_MAJOR;
        top.dram.order = n % 2 ? PESIM_DRAM_NCHW : PESIM_DRAM_NHWC;
        if (i % 4 == 3) top.dram.reads_in_flight = 2;
        return true;
    }
    return false;
}

class SystemCRowMajor : public ::testing::TestWithParam<int> {};

TEST_P(SystemCRowMajor, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(row_major_case(GetParam(), &c)) << "row-major case " << GetParam();
    const pesim_dram &d = c.arch.level[c.arch.n_levels - 1].dram;
    cross_check(c, std::string("row-major ") + pesim_dram_order_name((pesim_dram_order)d.order) + ", reads in flight " +
                       std::to_string(d.reads_in_flight) + ", case " + std::to_string(GetParam()) + ": " +
                       c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCRowMajor, ::testing::Range(0, 150));

// The row-major cases exercise the layout: on many of them, in at least three
// families, the DRAM bursts or row hits differ from the same case tile-major.
TEST(SystemCRowMajorCoverage, TheLayoutChangesTheDramInSeveralFamilies)
{
    int changed = 0;
    std::map<int, int> fam;
    for (int i = 0; i < 60; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(row_major_case(i, &c));
        pesim_cost one, two;
        pesim_engine_stats s1, s2;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &one, &s1), PESIM_OK);
        c.arch.level[c.arch.n_levels - 1].dram.layout = PESIM_DRAM_TILE_MAJOR;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &two, &s2), PESIM_OK);
        if (one.valid && (s1.dram_reads != s2.dram_reads || s1.dram_writes != s2.dram_writes ||
                          s1.dram_row_hits != s2.dram_row_hits))
            changed++, fam[c.family]++;
    }
    printf("row-major: %d of 60 cases change; families:", changed);
    for (auto &f : fam) printf(" %s %d", sc_cases::family_name(f.first), f.second);
    printf("\n");
    EXPECT_GE(changed, 30);
    EXPECT_GE(fam.size(), 3u);
}

// Row-major operand streams straight from DRAM (docs/engine.md, "DRAM
// address layout"): case i is the first row-major case j >= i (above) that
// stays valid when tensor i % 3 is kept by no on-chip level, so that the MAC
// array streams it from DRAM step by step (the reference's own step loop over
// LoopNest::step_loops, the engine's over the walker's inner loops); a
// DRAM port of 2 words a cycle on every fifth (item 4: paced by the bursts).
bool row_major_stream_case(int i, sc_cases::Case *c)
{
    const int t = i % 3;
    for (int j = i; j < i + 300; j++) {
        if (!row_major_case(j, c)) return false;
        const int top = c->arch.n_levels - 1;
        for (int lv = 0; lv < top; lv++) c->arch.level[lv].keeps[t] = 0;
        if (i % 5 == 4) c->arch.level[top].read_words_per_cycle = c->arch.level[top].write_words_per_cycle = 2;
        pesim_cost cost;
        if (pesim_engine_run(&c->arch, &c->layer, &c->map, &c->opt, &cost, nullptr) == PESIM_OK && cost.valid)
            return true;
    }
    return false;
}

class SystemCRowMajorStreams : public ::testing::TestWithParam<int> {};

TEST_P(SystemCRowMajorStreams, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(row_major_stream_case(GetParam(), &c)) << "row-major stream case " << GetParam();
    cross_check(c, "row-major stream case " + std::to_string(GetParam()) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCRowMajorStreams, ::testing::Range(0, 60));

// The stream cases exercise the new path: on many of them the DRAM bursts
// differ from the same case tile-major.
TEST(SystemCRowMajorStreamsCoverage, TheStreamsChangeTheDram)
{
    int changed = 0;
    for (int i = 0; i < 30; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(row_major_stream_case(i, &c));
        pesim_cost one, two;
        pesim_engine_stats s1, s2;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &one, &s1), PESIM_OK);
        c.arch.level[c.arch.n_levels - 1].dram.layout = PESIM_DRAM_TILE_MAJOR;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &two, &s2), PESIM_OK);
        if (s1.dram_reads != s2.dram_reads || s1.dram_writes != s2.dram_writes) changed++;
    }
    printf("row-major streams: %d of 30 cases change the DRAM bursts\n", changed);
    EXPECT_GE(changed, 15);
}

// tests/engine_detail_test.cc's hand-traced drain (EngineDetail.
// DrainFreesTheChildWhenItsWordsLeft): C = 8 reduced by a 3-cycle tree over a
// 1-word network, K = 4 output tiles. Each drain's words leave the PEs 1 cycle
// after it starts and land 3 cycles later; the next tile computes once they
// left: 11 cycles (20 if the PE waited for them to land). The reference gets
// the same from its own events (LEFT: every part but the network's latency
// done), its trace (drain start, left, end) equal to the engine's.
// The hand-traced tree cases of tests/engine_detail_test.cc: two levels, C
// split over 8 PEs and reduced by L1's 3-cycle tree over a 1-word network, K
// output tiles; temporal C = tc at L1 outside K (order C, K) when tc > 1.
sc_cases::Case tree8_case(int index, int64_t k, int64_t tc)
{
    sc_cases::Case c;
    c.index = index, c.family = sc_cases::kMeshFamily;
    c.arch = test_two_level_arch(8, 1);
    c.arch.level[1].noc[PESIM_OUTPUTS].reduce = PESIM_REDUCE_TREE;
    c.arch.level[1].noc[PESIM_OUTPUTS].words_per_cycle = 1;
    c.layer = test_layer(1, 1, k, 8 * tc, 1, 1, 1, 1);
    pesim_mapping_init(&c.map, 2);
    c.map.level[1].spatial_x[PESIM_DIM_C] = 8;
    c.map.level[1].temporal[PESIM_DIM_K] = k;
    c.map.level[1].temporal[PESIM_DIM_C] = tc;
    const uint8_t order[PESIM_NDIMS] = {PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_G, PESIM_DIM_N,
                                        PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_R, PESIM_DIM_S};
    std::memcpy(c.map.level[1].order, order, sizeof order);
    std::memset(&c.opt, 0, sizeof c.opt);
    return c;
}

TEST(SystemCDrain, FreesTheChildWhenItsWordsLeft)
{
    sc_cases::Case c = tree8_case(400000, 4, 1);
    cross_check(c, "hand-traced drain");
    pesim_cost cs;
    ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &c.map, &c.opt, &cs, nullptr), PESIM_OK) << cs.reason;
    EXPECT_EQ(cs.cycles, 11);
    EXPECT_EQ(cs.stall_cycles[PESIM_STALL_NOC_BW], 3);
    std::string d = first_divergence(c);
    EXPECT_EQ(d.rfind("the traces are equal", 0), 0u) << d;
    pesim_trace tr = {nullptr, 0};
    ASSERT_EQ(pesim_systemc_run_traced(&c.arch, &c.layer, &c.map, &c.opt, &cs, nullptr, &tr), PESIM_OK);
    int seen = 0;
    for (size_t i = 0; i < tr.n; i++)
        for (int b = 1; b <= 3; b++) {
            const pesim_trace_event &e = tr.events[i];
            if (std::string(e.module) != "outputs:L0") continue;
            std::string ev = "drain b" + std::to_string(b);
            if (e.event == ev + " left") {
                EXPECT_EQ(e.cycle, 2 * b) << ev;
                seen++;
            }
            if (e.event == ev + " end") {
                EXPECT_EQ(e.cycle, 2 * b + 3) << ev;
                seen++;
            }
        }
    pesim_trace_free(&tr);
    EXPECT_EQ(seen, 6);
}

// Whether the engine's trace of case c has a drain whose words left its child
// before they landed in the parent.
// The engine's trace of case c in *eng; false if the run fails or is invalid.
bool engine_trace(const sc_cases::Case &c, std::vector<pesim_trace_event> *eng)
{
    pesim_engine_options o = c.opt;
    o.trace = collect;
    o.trace_ctx = eng;
    pesim_cost ce;
    return pesim_engine_run(&c.arch, &c.layer, &c.map, &o, &ce, nullptr) == PESIM_OK && ce.valid;
}

// A detail machine (make_detail_case_seeded) of case `index`, the first of
// `tries` seeds from `seed` on which want(c) holds.
bool find_detail_case(uint64_t seed, int index, int tries, bool (*want)(const sc_cases::Case &), sc_cases::Case *c)
{
    for (int t = 0; t < tries; t++)
        if (make_detail_case_seeded(seed + (uint64_t)t * 104729u, index, c) && want(*c)) return true;
    return false;
}

bool drain_leaves_early(const sc_cases::Case &c)
{
    std::vector<pesim_trace_event> eng;
    if (!engine_trace(c, &eng)) return false;
    std::map<std::string, int64_t> left;  // module + drain block -> the cycle its words left
    for (const pesim_trace_event &e : eng) {
        std::string ev = e.event;
        size_t sp = ev.rfind(' ');
        if (ev.rfind("drain ", 0) != 0 || sp == std::string::npos) continue;
        std::string key = std::string(e.module) + ev.substr(0, sp), what = ev.substr(sp + 1);
        if (what == "left") left[key] = e.cycle;
        if (what == "end" && left.count(key) && left[key] < e.cycle) return true;
    }
    return false;
}

// Drain cases: detail machines (as SystemCDetail) drawn until one has a drain
// whose words leave its child before they land (a reduction latency on the
// way up and several output tiles), so that the rule (LEFT frees the child,
// END / LANDED put the words in the parent) is cross-checked on 40 of them.
class SystemCDrainCases : public ::testing::TestWithParam<int> {};

TEST_P(SystemCDrainCases, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(find_detail_case(990001u + (uint64_t)GetParam() * 7919u, 310000 + GetParam(), 400,
                                 drain_leaves_early, &c))
        << "drain case " << GetParam();
    cross_check(c, "drain case " + std::to_string(GetParam()) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCDrainCases, ::testing::Range(0, 40));

// tests/engine_detail_test.cc's hand-traced read-back (EngineDetail.
// ReadBackWaitsForItsOwnTilesDrain): K = 2 tiles revisited under C = 2, a
// 3-cycle tree. Each read-back waits for the drain of its own tile to land
// (5 and 7), not the pair's latest (7 and 11): 14 cycles (19 by the old rule).
// The reference finds the tile's drain by the tile's origin in the output
// tensor, from its own loop nest.
TEST(SystemCReadBack, WaitsForItsOwnTilesDrain)
{
    sc_cases::Case c = tree8_case(400001, 2, 2);
    cross_check(c, "hand-traced read-back");
    pesim_cost cs;
    ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &c.map, &c.opt, &cs, nullptr), PESIM_OK) << cs.reason;
    EXPECT_EQ(cs.cycles, 14);
    std::string d = first_divergence(c);
    EXPECT_EQ(d.rfind("the traces are equal", 0), 0u) << d;
}

// Partial sums read back from DRAM (tiny.cfg; DRAM temporal C = 2 outside
// K, one output word per tile): with K = 4 a tile's drain to DRAM is a few
// transfers before its read-back, whose DMA waits for those writes to land;
// with K = 3000 more than the engine's ring of 4,096 DRAM transfers lie
// between them, so the engine keeps the landing in the tile's entry when the
// ring slot is reused. Both models agree, and every read-back of the second
// pass moves its word.
TEST(SystemCReadBack, FromDram)
{
    for (int64_t k : {4, 3000}) {
        sc_cases::Case c;
        c.index = 400002, c.family = 1; // tiny.cfg: the multicast-bus family
        ASSERT_TRUE(sc_cases::load_arch("tiny.cfg", &c.arch, PESIM_SOURCE_DIR));
        c.layer = test_layer(1, 1, k, 2, 1, 1, 1, 1);
        pesim_mapping_init(&c.map, 3);
        c.map.level[2].temporal[PESIM_DIM_C] = 2;
        c.map.level[2].temporal[PESIM_DIM_K] = k;
        const uint8_t order[PESIM_NDIMS] = {PESIM_DIM_C, PESIM_DIM_K, PESIM_DIM_G, PESIM_DIM_N,
                                            PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_R, PESIM_DIM_S};
        std::memcpy(c.map.level[2].order, order, sizeof order);
        std::memset(&c.opt, 0, sizeof c.opt);
        cross_check(c, "read-back from DRAM, K = " + std::to_string(k));
        pesim_cost ce;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, nullptr, &ce, nullptr), PESIM_OK);
        EXPECT_EQ(ce.access[2][PESIM_OUTPUTS].reads, k) << k; // the second pass reads each tile back
    }
}

// Whether case c reads partial sums back into a child before the drain that
// just left that child has landed: a read-back that waited only for its own
// tile's (earlier) drain. The walker says which fills read back; the engine's
// trace gives the cycles.
bool readback_before_latest_landed(const sc_cases::Case &c)
{
    std::vector<pesim_trace_event> eng;
    if (!engine_trace(c, &eng)) return false;
    std::map<std::string, int64_t> at;  // module + event -> cycle
    for (const pesim_trace_event &e : eng) at[std::string(e.module) + "|" + e.event] = e.cycle;
    static thread_local pesim_walk w;
    static thread_local pesim_block b;
    pesim_walk_init(&w, &c.arch, &c.layer, &c.map);
    while (pesim_walk_next(&w, &b))
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer &x = b.xfer[i];
            if (x.stream || x.tensor != PESIM_OUTPUTS || x.parent_reads == 0) continue;
            std::string mod = std::string("outputs:") + c.arch.level[x.child].name, blk = " b" + std::to_string(b.index);
            auto f = at.find(mod + "|fill" + blk + " start"), d = at.find(mod + "|drain" + blk + " end");
            if (f != at.end() && d != at.end() && f->second < d->second) return true;
        }
    return false;
}

// Read-back cases: detail machines drawn until a read-back fill starts before
// the latest drain of its child has landed (the rule: a read-back waits for
// the drain of its own tile), cross-checked on 20 of them.
class SystemCReadBackCases : public ::testing::TestWithParam<int> {};

TEST_P(SystemCReadBackCases, EngineEqualsSystemC)
{
    sc_cases::Case c;
    ASSERT_TRUE(find_detail_case(770001u + (uint64_t)GetParam() * 7919u, 320000 + GetParam(), 2000,
                                 readback_before_latest_landed, &c))
        << "read-back case " << GetParam();
    cross_check(c, "read-back case " + std::to_string(GetParam()) + ": " + c.describe());
}

INSTANTIATE_TEST_SUITE_P(Cases, SystemCReadBackCases, ::testing::Range(0, 20));

// The second tier: real layers, default mapper, every shipped architecture.
class SystemCLayers : public ::testing::TestWithParam<int> {};

TEST_P(SystemCLayers, EngineEqualsSystemC)
{
    sc_cases::Case c;
    std::string what;
    ASSERT_TRUE(sc_cases::make_layer_case(GetParam(), PESIM_SOURCE_DIR, &c, &what)) << what;
    cross_check(c, "layer case " + std::to_string(GetParam()) + ": " + what);
}

int layer_case_count()
{
    int n;
    sc_cases::layer_cases(&n);
    return n;
}

INSTANTIATE_TEST_SUITE_P(Shipped, SystemCLayers, ::testing::Range(0, layer_case_count()));

// The whole cross-check (SystemCMatrix, SystemCGeneral, SystemCDetail,
// SystemCLayers) is at least 300 cases over six machine families and the
// shipped architectures, with meshes the mappings use, levels of several
// banks, and single-ported levels whose reads and writes conflict.
TEST(SystemCMatrixCoverage, SixFamiliesMeshesAndBanks)
{
    std::vector<sc_cases::Case> all;
    for (int i = 0; i < 240; i++) {
        all.emplace_back();
        ASSERT_TRUE(sc_cases::make_case(i, PESIM_SOURCE_DIR, &all.back()));
    }
    for (int i = 0; i < 120; i++) {
        all.emplace_back();
        ASSERT_TRUE(sc_cases::make_general_case(i, &all.back()));
    }
    for (int i = 0; i < 60; i++) {
        all.emplace_back();
        ASSERT_TRUE(make_detail_case(i, &all.back()));
    }
    int shipped = layer_case_count();
    int fam[sc_cases::kFamilies + 1] = {0}, mesh = 0, banks = 0, shared = 0;
    for (const sc_cases::Case &c : all) {
        fam[c.family]++;
        bool has_mesh = false, has_banks = false, has_shared = false;
        for (int lv = 0; lv + 1 < c.arch.n_levels; lv++) {
            const pesim_level &v = c.arch.level[lv];
            int64_t used = 1;
            for (int d = 0; d < PESIM_NDIMS; d++) used *= c.map.level[lv].spatial_x[d] * c.map.level[lv].spatial_y[d];
            for (int t = 0; t < PESIM_NTENSORS; t++) has_mesh |= v.noc[t].kind == PESIM_NOC_MESH && used > 1;
            has_banks |= v.banks >= 2;
            has_shared |= v.banks * v.ports < 2;
        }
        mesh += has_mesh, banks += has_banks, shared += has_shared;
    }
    EXPECT_GE((int)all.size() + shipped, 300);
    EXPECT_GE(shipped, 30);
    for (int f = 0; f <= sc_cases::kFamilies; f++) EXPECT_GE(fam[f], 20) << sc_cases::family_name(f);
    EXPECT_GE(mesh, 20);
    EXPECT_GE(banks, 50);
    EXPECT_GE(shared, 50);
}

// The reference's own loop-nest interpreter (sim/systemc/loopnest.cpp,
// written from docs/model.md) against the engine's block walker
// (sim/nest/walk.c, closed forms over digit histograms): the same blocks, and
// per block every transfer's words (parent reads, child fills, updates, drain
// reads, the largest child tile), the compute steps; the MACs summed over the
// blocks equal the layer's. This is the evidence that the two derive the same
// schedule independently; the cross-check below then compares their timing.
std::string same_blocks(const sc_cases::Case &c, int64_t *n_blocks, int64_t *n_xfers)
{
    static thread_local pesim_walk w;
    static thread_local pesim_block wb;
    static thread_local pesim_sc::Block b;
    pesim_sc::LoopNest nest;
    pesim_walk_init(&w, &c.arch, &c.layer, &c.map);
    nest.init(&c.arch, &c.layer, &c.map);
    if ((int)nest.pairs().size() != w.n_pairs) return "pair count";
    for (int k = 0; k < w.n_pairs; k++) {
        const pesim_sc::NestPair &q = nest.pairs()[(size_t)k];
        if (q.tensor != w.pair[k].tensor || q.child != w.pair[k].child || q.parent != w.pair[k].parent)
            return "pair " + std::to_string(k);
    }
    int64_t macs = 0;
    for (;;) {
        bool more = pesim_walk_next(&w, &wb);
        if (more != nest.next(b)) return "block count at block " + std::to_string(*n_blocks);
        if (!more) break;
        std::ostringstream os;
        os << "block " << wb.index << ": ";
        if (b.index != wb.index || b.steps != wb.steps || b.n != wb.n_xfers) {
            os << "steps " << wb.steps << " / " << b.steps << ", transfers " << wb.n_xfers << " / " << b.n;
            return os.str();
        }
        for (int i = 0; i < b.n; i++) {
            const pesim_xfer &x = wb.xfer[i];
            const pesim_sc::Xfer &y = b.x[i];
            if (x.tensor != y.tensor || x.child != y.child || x.parent != y.parent || (x.stream != 0) != y.stream ||
                x.pair != y.pair || x.parent_reads != y.parent_reads || x.child_fills != y.child_fills ||
                x.parent_updates != y.parent_updates || x.child_reads != y.child_reads ||
                x.child_max != y.child_max || x.parent_max != y.parent_max || x.update_max != y.update_max ||
                x.fill_max != y.fill_max || (x.advance != 0) != y.advance) {
                os << pesim_tensor_name((pesim_tensor)x.tensor) << " " << (int)x.child << "->" << (int)x.parent
                   << (x.stream ? " stream" : "") << ": walker (reads " << x.parent_reads << ", fills " << x.child_fills
                   << ", updates " << x.parent_updates << ", drain " << x.child_reads << ", max " << x.child_max
                   << ", parent max " << x.parent_max << ", update max " << x.update_max << ", fill max "
                   << x.fill_max << (x.advance ? ", advance" : "") << "), reference (" << y.parent_reads << ", " << y.child_fills << ", "
                   << y.parent_updates << ", " << y.child_reads << ", " << y.child_max << ", " << y.parent_max << ", "
                   << y.update_max << ", " << y.fill_max << (y.advance ? ", advance" : "") << ")";
                return os.str();
            }
        }
        macs += b.macs;
        (*n_blocks)++;
        *n_xfers += b.n;
    }
    if (macs != pesim_layer_macs(&c.layer)) return "MACs " + std::to_string(macs);
    return "";
}

TEST(SystemCLoopNest, BlocksEqualTheWalker)
{
    int64_t blocks = 0, xfers = 0;
    int cases = 0, tl = 0;
    auto check = [&](const sc_cases::Case &c, const std::string &what) {
        std::string why = same_blocks(c, &blocks, &xfers);
        EXPECT_EQ(why, "") << what << " (" << pesim_conventions_name((pesim_conventions)c.arch.conventions)
                           << "): " << c.describe();
        cases++;
        tl += c.arch.conventions == PESIM_CONV_TIMELOOP;
    };
    for (int i = 0; i < 240; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(sc_cases::make_case(i, PESIM_SOURCE_DIR, &c));
        check(c, "matrix case " + std::to_string(i));
    }
    const int general = walk_cases();
    for (int i = 0; i < general; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(sc_cases::make_general_case(i, &c));
        check(c, "general case " + std::to_string(i));
    }
    for (int i = 0; i < 60; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(make_detail_case(i, &c));
        check(c, "detail case " + std::to_string(i));
    }
    for (int i = 0; i < layer_case_count(); i++) {
        sc_cases::Case c;
        std::string what;
        ASSERT_TRUE(sc_cases::make_layer_case(i, PESIM_SOURCE_DIR, &c, &what)) << what;
        check(c, "layer case " + std::to_string(i) + ": " + what);
    }
    EXPECT_EQ(cases, 300 + general + layer_case_count());
    EXPECT_GE(tl, 60);
    EXPECT_GT(blocks, 10000);
    std::printf("compared %d cases (%d by the timeloop conventions), %lld blocks, %lld transfers\n", cases, tl,
                (long long)blocks, (long long)xfers);
}

// The matrix covers what it claims: every family, layer kind and option, DRAM
// traffic and stalls of every cause that the machines can produce.
TEST(SystemCMatrixCoverage, FamiliesKindsAndCauses)
{
    int n = std::min(matrix_cases(), 240), fam[sc_cases::kFamilies] = {0}, kinds[6] = {0}, fcfs = 0, norefresh = 0,
        stall_free = 0, random_maps = 0, dram = 0, folds = 0;
    int64_t causes[PESIM_STALL_COUNT] = {0};
    for (int i = 0; i < n; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(sc_cases::make_case(i, PESIM_SOURCE_DIR, &c));
        fam[c.family]++, kinds[c.layer_kind]++;
        fcfs += c.opt.dram_fcfs, norefresh += c.opt.no_refresh, stall_free += c.opt.stall_free;
        random_maps += !c.default_mapper;
        pesim_cost ce;
        pesim_engine_stats se;
        ASSERT_EQ(pesim_engine_run(&c.arch, &c.layer, &c.map, &c.opt, &ce, &se), PESIM_OK);
        dram += se.dram_reads > 0;
        folds += se.folds > 0;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) causes[s] += ce.stall_cycles[s] > 0;
    }
    for (int f = 0; f < sc_cases::kFamilies; f++) EXPECT_GE(fam[f], n / 6) << sc_cases::family_name(f);
    for (int k = 0; k < 6; k++) EXPECT_GE(kinds[k], n / 8) << "layer kind " << k;
    EXPECT_GT(fcfs, 0);
    EXPECT_GT(norefresh, 0);
    EXPECT_GT(stall_free, 0);
    EXPECT_GT(random_maps, n / 2);
    EXPECT_GT(dram, n / 2);
    EXPECT_GT(folds, 0);
    // every cause but buffer_space (the engine's fallback, rare on machines this small)
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        if (s != PESIM_STALL_SPACE) {
            EXPECT_GT(causes[s], 0) << "no case stalls on " << pesim_stall_name((pesim_stall)s);
        }
}

// The reference's DRAM controller against the C model, command by command.
TEST(SystemCDram, ControllerEqualsTheCModelOnRandomTraces)
{
    struct Rec {
        std::vector<pesim_dram_command> cmds;
        std::vector<std::pair<uint64_t, uint64_t>> done;
    };
    int64_t total = 0, refs = 0;
    uint64_t aged = 0;
    for (int seed = 1; seed <= 120; seed++) {
        TestRng r((uint64_t)seed);
        pesim_dram d;
        static const char *const presets[] = {"ddr4-3200", "lpddr4-2400", "ddr3-1600"};  // DDR3: no bank groups
        ASSERT_EQ(pesim_dram_preset(presets[r.uni(0, 2)], &d), PESIM_OK);
        d.channels = (int)r.uni(1, 3);
        if (r.coin(25)) d.ranks = (int)r.uni(1, 4);
        bool fcfs = r.uni(0, 4) == 0, refresh = r.uni(0, 3) != 0;
        int q = (int)r.uni(2, 32);
        // Per-bank queues from 1 entry to the whole channel queue; a small
        // age cap, sometimes, so that it engages; the hit cap sometimes off.
        int bq = r.coin(50) ? 0 : (int)r.uni(1, q);
        int age = r.coin(50) ? 0 : r.coin(30) ? -1 : (int)r.uni(20, 400);
        int cap = r.coin(20) ? -1 : r.coin(50) ? 0 : (int)r.uni(1, 8);
        const char *map = r.coin(30) ? PESIM_DRAM_MAP_DRAMSIM3 : PESIM_DRAM_MAP_DEFAULT;
        pesim_dram_sim_options o;
        std::memset(&o, 0, sizeof o);
        Rec rc, rm;
        o.on_command = [](void *ctx, const pesim_dram_command *x) { static_cast<Rec *>(ctx)->cmds.push_back(*x); };
        o.done = [](void *ctx, uint64_t id, uint64_t f) { static_cast<Rec *>(ctx)->done.push_back({id, f}); };
        o.ctx = &rc;
        o.sched = fcfs ? PESIM_DRAM_FCFS : PESIM_DRAM_FRFCFS;
        o.disable_refresh = !refresh;
        o.queue_depth = q;
        o.bank_queue_depth = bq;
        o.age_cap_cycles = age;
        o.row_hit_cap = cap;
        o.address_map = map;
        pesim_dram_sim *h = nullptr;
        pesim_error e;
        ASSERT_EQ(pesim_dram_sim_create(&d, &o, &h, &e), PESIM_OK) << e.msg;
        // The reference's options, written out (its defaults are docs/dram.md's).
        pesim_sc::DramCore::Options so;
        so.fcfs = fcfs, so.refresh = refresh, so.queue_depth = q, so.address_map = map;
        if (bq > 0) so.bank_queue_depth = bq;
        if (age != 0) so.age_cap = age;
        if (cap != 0) so.row_hit_cap = cap;
        pesim_sc::DramCore m(d, so);
        m.on_command = [&rm](const pesim_sc::DramIssued &x) {
            pesim_dram_command c;
            std::memset(&c, 0, sizeof c);
            c.cycle = x.cycle, c.cmd = (pesim_dram_cmd)x.cmd, c.channel = x.channel, c.rank = x.rank;
            c.bankgroup = x.bankgroup, c.bank = x.bank, c.row = x.row, c.column = x.column, c.id = x.id;
            rm.cmds.push_back(c);
        };
        m.on_done = [&rm](uint64_t id, uint64_t f) { rm.done.push_back({id, f}); };
        int n = (int)r.uni(50, 1500), mode = (int)r.uni(0, 3), added = 0;
        uint64_t bb = m.burst_bytes(), id = 0, cyc = 0;
        while ((added < n || pesim_dram_sim_outstanding(h) > 0) && cyc < 20000000) {
            if (r.uni(0, 50) == 0)  // an idle stretch, sometimes longer than tREFI
                for (int64_t z = r.uni(100, 20000); z > 0; z--, cyc++) pesim_dram_sim_tick(h), m.tick();
            for (int64_t k = r.uni(0, 3); k > 0 && added < n; k--) {
                uint64_t a = mode == 0   ? (uint64_t)added * bb
                             : mode == 1 ? r.next() % (1ull << 30)
                             : mode == 2 ? (r.next() % 64) * 8192 * (uint64_t)r.uni(1, 7) + (r.next() % 16) * bb
                             : added % 7 ? (uint64_t)added * bb
                                         : r.next() % (1ull << 28);
                int w = r.uni(0, 3) == 0;
                ASSERT_EQ(pesim_dram_sim_will_accept(h, a, w) != 0, m.will_accept(a)) << "seed " << seed;
                if (!m.will_accept(a)) break;
                pesim_dram_sim_add(h, a, w, id);
                m.add(a, w != 0, id);
                id++, added++;
            }
            pesim_dram_sim_tick(h);
            m.tick();
            cyc++;
        }
        std::unique_ptr<pesim_dram_stats> st(new pesim_dram_stats);
        pesim_dram_sim_stats(h, st.get());
        pesim_sc::DramCounters mc = m.counters();
        EXPECT_EQ(st->rd, mc.rd) << "seed " << seed;
        EXPECT_EQ(st->wr, mc.wr) << "seed " << seed;
        EXPECT_EQ(st->row_hits, mc.row_hits) << "seed " << seed;
        EXPECT_EQ(st->row_conflicts, mc.row_conflicts) << "seed " << seed;
        EXPECT_EQ(st->active_cycles, mc.active_cycles) << "seed " << seed;
        EXPECT_EQ(st->precharged_cycles, mc.precharged_cycles) << "seed " << seed;
        aged += st->aged;
        pesim_dram_sim_destroy(h);
        auto same_cmd = [](const pesim_dram_command &x, const pesim_dram_command &y) {
            return x.cycle == y.cycle && x.cmd == y.cmd && x.channel == y.channel && x.rank == y.rank &&
                   x.bankgroup == y.bankgroup && x.bank == y.bank && x.row == y.row && x.column == y.column &&
                   x.id == y.id;
        };
        size_t i = 0;
        while (i < rc.cmds.size() && i < rm.cmds.size() && same_cmd(rc.cmds[i], rm.cmds[i])) i++;
        ASSERT_EQ(i, rc.cmds.size()) << "seed " << seed << ": command " << i << " differs (C model: cycle "
                                     << rc.cmds[i].cycle << " command " << rc.cmds[i].cmd << ")";
        ASSERT_EQ(rc.cmds.size(), rm.cmds.size()) << "seed " << seed;
        ASSERT_EQ(rc.done, rm.done) << "seed " << seed;
        total += (int64_t)rc.cmds.size();
        for (const auto &c : rc.cmds) refs += c.cmd == PESIM_DRAM_REF;
    }
    EXPECT_GT(total, 100000);
    EXPECT_GT(refs, 50);
    EXPECT_GT(aged, 100u);   // the age cap engaged
}

// The sources of sim/systemc/ (.h and .cpp), name and code without comments.
std::vector<std::pair<std::string, std::string>> systemc_sources()
{
    std::vector<std::pair<std::string, std::string>> out;
    const std::string dir = std::string(PESIM_SOURCE_DIR) + "/sim/systemc/";
    DIR *d = opendir(dir.c_str());
    if (!d) return out;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() < 3 || (name.substr(name.size() - 2) != ".h" && name.substr(name.size() - 4) != ".cpp"))
            continue;
        std::ifstream in(dir + name);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str(), code;
        for (size_t i = 0; i < text.size();) {   // drop // and /* */ comments
            if (text.compare(i, 2, "//") == 0) {
                i = text.find('\n', i);
                if (i == std::string::npos) break;
            } else if (text.compare(i, 2, "/*") == 0) {
                i = text.find("*/", i + 2);
                if (i == std::string::npos) break;
                i += 2;
            } else {
                code += text[i++];
            }
        }
        out.emplace_back(name, code);
    }
    closedir(d);
    return out;
}

// The reference's DRAM side shares no code with the C model: no file of
// sim/systemc/ includes pesim/dram.h or an engine header, or calls a function
// of sim/engine/dram*.c (the clock crossing and the burst size included).
// Comments are skipped.
TEST(SystemCDram, SharesNoCodeWithTheCModel)
{
    const char *banned[] = {"pesim/dram.h",      "engine/",          "pesim_dram_sim_",  "pesim_dram_dma_",
                            "pesim_dram_to_acc", "pesim_dram_from_", "pesim_dram_burst", "pesim_dram_peak",
                            "pesim_dram_check",  "pesim_dram_map_",  "pesim_dram_trace", "pesim_dram_stats_"};
    auto files = systemc_sources();
    for (const auto &f : files)
        for (const char *b : banned) EXPECT_EQ(f.second.find(b), std::string::npos) << f.first << " uses " << b;
    EXPECT_GE(files.size(), 8u);
}

// The reference derives its schedule on its own (issue #21): no file of
// sim/systemc/ includes a header of sim/nest/ or sim/engine/, or calls the
// block walker, the shared counts (pesim_nest_*), the engine or its
// reduction and mesh rules. What it may share: the public pesim/*.h structs,
// the config loader, pesim_estimate_cost, the public analytical model (for
// validity and the network fields it does not derive), and sim/net's plan of
// a network (net/net_impl.h, net/net_step.h: homes, regions, DMAs; the blocks
// of a vector layer). The words of every transfer come from loopnest.cpp.
TEST(SystemCIndependence, NothingFromNestOrEngine)
{
    const char *banned[] = {"\"nest/", "\"engine/", "pesim_walk_", "pesim_nest_", "pesim_engine_reduce",
                            "pesim_engine_run", "pesim_engine_net", "pesim_functional_"};
    auto files = systemc_sources();
    int loopnest = 0;
    for (const auto &f : files) {
        for (const char *b : banned) EXPECT_EQ(f.second.find(b), std::string::npos) << f.first << " uses " << b;
        loopnest += f.first == "loopnest.cpp";
    }
    EXPECT_EQ(loopnest, 1);
    EXPECT_GE(files.size(), 8u);
}

// Progress inside a SystemC layer: the child reports the MAC array's compute
// steps over its pipe and the hook is called in this process, done never
// decreasing, never over the total, the total the run's compute cycles, the
// last call done == total; the results are those of a run without it.
TEST(SystemCProgress, ReportedOverThePipeEndingAtTheTotal)
{
    struct Log {
        std::vector<std::pair<int64_t, int64_t>> calls;
        static void on(void *ctx, int64_t done, int64_t total)
        {
            static_cast<Log *>(ctx)->calls.push_back({done, total});
        }
    };
    int several = 0, ran = 0;
    for (int i = 0; i < 12; i++) {
        sc_cases::Case c;
        ASSERT_TRUE(sc_cases::make_case(i, PESIM_SOURCE_DIR, &c));
        pesim_cost plain, with;
        pesim_engine_options o = c.opt;
        if (pesim_systemc_run(&c.arch, &c.layer, &c.map, &o, &plain, nullptr) != PESIM_OK || !plain.valid) continue;
        ran++;
        Log log;
        o.progress = Log::on;
        o.progress_ctx = &log;
        o.progress_every_blocks = 64; // cycles, in the reference
        ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &c.map, &o, &with, nullptr), PESIM_OK) << c.describe();
        ASSERT_TRUE(with.valid) << c.describe();
        EXPECT_EQ(with.cycles, plain.cycles) << c.describe();
        EXPECT_EQ(with.energy_pj, plain.energy_pj) << c.describe();
        ASSERT_FALSE(log.calls.empty()) << c.describe();
        for (size_t k = 0; k < log.calls.size(); k++) {
            EXPECT_EQ(log.calls[k].second, with.compute_cycles) << c.describe();
            EXPECT_LE(log.calls[k].first, log.calls[k].second) << c.describe();
            if (k) {
                EXPECT_GE(log.calls[k].first, log.calls[k - 1].first) << c.describe();
            }
        }
        EXPECT_EQ(log.calls.back().first, with.compute_cycles) << c.describe();
        // a frame every 64 cycles and the last (the clock runs a few cycles
        // past the layer's end while the machine winds down)
        EXPECT_LE((int64_t)log.calls.size(), with.cycles / 64 + 3) << c.describe();
        several += log.calls.size() >= 3 && log.calls[log.calls.size() / 2].first < with.compute_cycles;
    }
    EXPECT_GE(ran, 6);
    EXPECT_GE(several, 3) << "cases with progress inside the layer";
}

// pesim_systemc_run's contract: invalid mappings are results, bad input errors.
TEST(SystemCApi, InvalidMappingAndBadInput)
{
    sc_cases::Case c;
    ASSERT_TRUE(sc_cases::make_case(1, PESIM_SOURCE_DIR, &c));
    pesim_cost out;
    pesim_mapping bad = c.map;
    for (int lv = 0; lv < bad.n_levels; lv++)
        for (int d = 0; d < PESIM_NDIMS; d++) bad.level[lv].temporal[d] = 1;
    bad.level[0].temporal[PESIM_DIM_K] = 1000000;  // a tile far over the register file
    ASSERT_EQ(pesim_systemc_run(&c.arch, &c.layer, &bad, nullptr, &out, nullptr), PESIM_OK);
    EXPECT_EQ(out.valid, 0);
    EXPECT_NE(out.reason[0], '\0');
    pesim_layer pool = c.layer;
    pool.op = PESIM_OP_POOL;
    EXPECT_EQ(pesim_systemc_run(&c.arch, &pool, &c.map, nullptr, &out, nullptr), PESIM_ERR_INVALID);
    pesim_mapping short_map = c.map;
    short_map.n_levels = c.arch.n_levels - 1;
    EXPECT_EQ(pesim_systemc_run(&c.arch, &c.layer, &short_map, nullptr, &out, nullptr), PESIM_ERR_INVALID);
    // A trace comes back sorted or not, with the same events as the engine's.
    pesim_trace tr = {nullptr, 0};
    ASSERT_EQ(pesim_systemc_run_traced(&c.arch, &c.layer, &c.map, nullptr, &out, nullptr, &tr), PESIM_OK);
    EXPECT_GT(tr.n, 0u);
    pesim_trace_free(&tr);
    EXPECT_EQ(tr.n, 0u);
    pesim_trace_free(nullptr);
}

// Deep hierarchies: 9 to PESIM_MAX_LEVELS levels (a Timeloop design with a
// dummy level per fan-out has 9), fan-outs on a few of them, port rates and
// latencies, DRAM timing at the top, half by the "timeloop" conventions.
TEST(SystemCDeep, NineToTwelveLevelsEqualEngine)
{
    int checked = 0;
    for (int i = 0; checked < 40 && i < 400; i++) {
        TestRng rng(i + 31337);
        sc_cases::Case c;
        c.index = 900000 + i;
        const int levels = (int)rng.uni(9, PESIM_MAX_LEVELS);
        c.arch = test_arch(rng, levels);
        static const double rates[] = {0, 1, 2, 4, 0.5, 1.5};
        test_thin_fanouts(rng, c.arch);
        for (int lv = 0; lv < levels - 1; lv++) {
            pesim_level &v = c.arch.level[lv];
            v.read_words_per_cycle = rates[rng.uni(0, 5)];
            v.write_words_per_cycle = rates[rng.uni(0, 5)];
            v.latency_cycles = (int)rng.uni(0, 2);
            v.banks = (int)rng.uni(1, 2);
            v.ports = (int)rng.uni(1, 2);
        }
        pesim_level &top = c.arch.level[levels - 1];
        top.is_dram = 1;
        pesim_dram_preset("lpddr4-2400", &top.dram);
        if (i % 2) c.arch.conventions = PESIM_CONV_TIMELOOP, c.arch.first_read_elision = i % 4 == 1;
        c.layer = test_layer(1, rng.uni(1, 2), rng.uni(1, 6), rng.uni(1, 4), rng.uni(1, 5), rng.uni(1, 4),
                             rng.uni(1, 3), rng.uni(1, 3), (int)rng.uni(1, 2), (int)rng.uni(1, 2));
        c.map = i % 3 ? test_mapping_general(rng, c.arch, c.layer) : test_mapping(rng, c.arch, c.layer);
        std::memset(&c.opt, 0, sizeof c.opt);
        pesim_cost cm;
        if (pesim_model_evaluate(&c.arch, &c.layer, &c.map, &cm) != PESIM_OK || !cm.valid) continue;
        cross_check(c, "deep case " + std::to_string(i) + " (" + std::to_string(levels) + " levels)");
        if (HasFailure()) return;
        checked++;
    }
    EXPECT_EQ(checked, 40);
}

// Timeloop's simba_like (nine levels, 256 weight registers in clusters of
// 64; tests/data/timeloop/example-simba-like), imported with its mapping.
TEST(SystemCDeep, SimbaLikeEqualsEngine)
{
    const std::string base = std::string(PESIM_SOURCE_DIR) + "/tests/data/timeloop/example-simba-like/";
    sc_cases::Case c;
    pesim_tl_problem prob;
    pesim_error e;
    ASSERT_EQ(pesim_timeloop_load_arch((base + "simba_like.yaml").c_str(), (base + "ert/ERT.yaml").c_str(),
                                       PESIM_TL_ERT_ACTIONS, &c.arch, &e),
              PESIM_OK)
        << e.msg;
    ASSERT_EQ(pesim_timeloop_load_problem((base + "simba_like.yaml").c_str(), &prob, &e), PESIM_OK) << e.msg;
    ASSERT_EQ(pesim_timeloop_load_mapping((base + "map/from-stats.map.yaml").c_str(), &c.arch, &prob, &c.map, &e),
              PESIM_OK)
        << e.msg;
    ASSERT_EQ(c.arch.n_levels, 9);
    c.layer = prob.layer;
    std::memset(&c.opt, 0, sizeof c.opt);
    cross_check(c, "simba_like");
}

}  // namespace

#else  // the SystemC library was not found: nothing to cross-check

TEST(SystemC, NotBuilt) { GTEST_SKIP() << "SystemC not found: the reference model is not built"; }

#endif
