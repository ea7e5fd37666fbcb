// tests/cli_compare_test.cc - `pesim compare --mappings`: the rank agreement
// of two evaluators on constructed cases (Spearman's rho and Kendall's tau-b
// known in closed form, ties included), and the study over random and
// searched mappings of a small network (rows per layer and set, values in
// range, the store that `pesim report` reads).
#include <gtest/gtest.h>

#include <cmath>

#include "cli_run_util.h"

extern "C" {
#include "compare.h"
#include "rank.h"
}

namespace {

TEST(CliCompareRank, ConstructedCases)
{
    cli_rank_agreement r;
    const double a[] = {1, 2, 3, 4, 5};
    const double same[] = {10, 20, 30, 40, 50};
    const double rev[] = {5, 4, 3, 2, 1};
    const double swap2[] = {2, 1, 4, 3, 5};  // two adjacent swaps
    ASSERT_EQ(cli_rank_agree(a, same, 5, &r), 0);
    EXPECT_DOUBLE_EQ(r.spearman, 1);
    EXPECT_DOUBLE_EQ(r.kendall, 1);
    EXPECT_EQ(r.discordant, 0);
    EXPECT_EQ(r.pairs, 10);
    ASSERT_EQ(cli_rank_agree(a, rev, 5, &r), 0);
    EXPECT_DOUBLE_EQ(r.spearman, -1);
    EXPECT_DOUBLE_EQ(r.kendall, -1);
    EXPECT_EQ(r.discordant, 10);
    ASSERT_EQ(cli_rank_agree(a, swap2, 5, &r), 0);
    EXPECT_NEAR(r.spearman, 1 - 6.0 * 4 / (5 * 24), 1e-12);  // sum d^2 = 4
    EXPECT_NEAR(r.kendall, (8 - 2) / 10.0, 1e-12);
    EXPECT_EQ(r.discordant, 2);
    // ties: tau-b = (nc - nd) / sqrt((n0 - n1)(n0 - n2)); rho on average ranks
    const double t1[] = {1, 1, 2};
    const double t2[] = {1, 2, 3};
    ASSERT_EQ(cli_rank_agree(t1, t2, 3, &r), 0);
    EXPECT_NEAR(r.kendall, 2 / std::sqrt(2.0 * 3.0), 1e-12);
    // ranks (1.5, 1.5, 3) vs (1, 2, 3): Pearson = 1.5 / sqrt(1.5 * 2)
    EXPECT_NEAR(r.spearman, 1.5 / std::sqrt(1.5 * 2.0), 1e-12);
    // too few or constant: undefined
    ASSERT_EQ(cli_rank_agree(a, a, 1, &r), 0);
    EXPECT_TRUE(std::isnan(r.spearman));
    const double flat[] = {3, 3, 3, 3, 3};
    ASSERT_EQ(cli_rank_agree(a, flat, 5, &r), 0);
    EXPECT_TRUE(std::isnan(r.kendall));
    EXPECT_EQ(r.discordant, 0);
}

// The access check that `pesim compare` makes of every mapping (one layer's
// in the first form, each of N in --mappings): equal costs pass, and the
// first count that differs is named, with both values.
TEST(CliCompareAccesses, NamesTheFirstCountThatDiffers)
{
    pesim_arch arch;
    memset(&arch, 0, sizeof arch);
    arch.n_levels = 2;
    snprintf(arch.level[0].name, sizeof arch.level[0].name, "RF");
    snprintf(arch.level[1].name, sizeof arch.level[1].name, "DRAM");
    pesim_cost a, b;
    memset(&a, 0, sizeof a);
    a.macs = 4096;
    for (int l = 0; l < 2; l++)
        for (int t = 0; t < PESIM_NTENSORS; t++)
            a.access[l][t] = pesim_access{100 * l + t + 1, 10 * l + t, t == PESIM_OUTPUTS ? 7 : 0};
    b = a;
    char diff[256] = "untouched";
    EXPECT_EQ(cli_compare_accesses(&arch, "analytical", &a, "cycle", &b, diff, sizeof diff), 1);
    EXPECT_STREQ(diff, "untouched");
    b.access[1][PESIM_WEIGHTS].fills += 2048;
    b.access[1][PESIM_OUTPUTS].updates += 1;  // a later difference is not the one named
    EXPECT_EQ(cli_compare_accesses(&arch, "analytical", &a, "cycle", &b, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM weights fills: analytical 10, cycle 2,058");
    b = a;
    b.macs = 4095;
    EXPECT_EQ(cli_compare_accesses(&arch, "analytical", &a, "cycle", &b, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "MACs: analytical 4,096, cycle 4,095");
}

// The one rule both forms apply to a mapping: both invalid agree; valid in
// one only, differing counts and cycles below the bound are named in that
// order (the first rule broken); the bound is not applied when not bounded.
TEST(CliCompareCosts, TheFirstRuleBrokenIsNamed)
{
    pesim_arch arch;
    memset(&arch, 0, sizeof arch);
    arch.n_levels = 1;
    snprintf(arch.level[0].name, sizeof arch.level[0].name, "DRAM");
    pesim_cost a, b;
    memset(&a, 0, sizeof a);
    a.macs = 64;
    a.cycles = 100;
    b = a;
    char diff[256];
    compare_side sa = {"analytical", 1, "", &a}, sb = {"cycle", 1, "", &b};
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 1, diff, sizeof diff), CMP_AGREE);
    EXPECT_STREQ(diff, "");
    b.cycles = 99;
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 1, diff, sizeof diff), CMP_BELOW_BOUND);
    EXPECT_STREQ(diff, "cycle 99 < analytical 100 cycles (the analytical cycles are a lower bound)");
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 0, diff, sizeof diff), CMP_AGREE);
    b.macs = 63;  // counts are checked before the bound
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 1, diff, sizeof diff), CMP_COUNTS_DIFFER);
    EXPECT_STREQ(diff, "MACs: analytical 64, cycle 63");
    sb.valid = 0;  // validity before counts; the invalid side's reason is given
    sb.reason = "RF overflows";
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 1, diff, sizeof diff), CMP_VALID_IN_ONE);
    EXPECT_STREQ(diff, "valid in analytical only; cycle: RF overflows");
    sa.valid = 0;
    EXPECT_EQ(cli_compare_costs(&arch, &sa, &sb, 1, diff, sizeof diff), CMP_AGREE);
}

// The SystemC reference must reproduce the cycle engine exactly: the twin
// is found by the evaluators' `equals` (as in the table of cli/evaluators.c;
// tests/cli_test.cc checks the table through `pesim compare`), and the first
// field that differs is named (validity, counts, cycles, stalls, energy
// beyond rounding, engine counters).
TEST(CliCompareExact, TheReferenceMustReproduceTheEngine)
{
    pesim_arch arch;
    memset(&arch, 0, sizeof arch);
    arch.n_levels = 1;
    snprintf(arch.level[0].name, sizeof arch.level[0].name, "DRAM");
    pesim_layer layer;
    memset(&layer, 0, sizeof layer);
    snprintf(layer.name, sizeof layer.name, "conv");
    static run_layer lay[3];
    compare_result r;
    memset(&r, 0, sizeof r);
    r.n_runs = 3;
    static const cli_evaluator ev[3] = {{"analytical", "analytical model", nullptr, CLI_EVAL_BOUNDS, nullptr},
                                        {"cycle", "cycle engine", nullptr, CLI_EVAL_ENGINE, nullptr},
                                        {"systemc", "SystemC reference", nullptr, CLI_EVAL_ENGINE, "cycle"}};
    for (int k = 0; k < 3; k++) {
        memset(&lay[k], 0, sizeof lay[k]);
        lay[k].layer = &layer;
        lay[k].has_macs = lay[k].valid = 1;
        lay[k].cost.valid = 1;
        lay[k].cost.cycles = 1000;
        lay[k].cost.compute_cycles = 900;
        lay[k].cost.stall_cycles[PESIM_STALL_DRAM_BW] = 100;
        lay[k].cost.energy_pj = 12345.678;
        lay[k].stats.dram_row_hits = 40;
        r.run[k].ev = &ev[k];
        r.run[k].arch = &arch;
        r.run[k].n = 1;
        r.run[k].layers = &lay[k];
    }
    EXPECT_EQ(cli_compare_twin(&r, 1), 0u);
    ASSERT_EQ(cli_compare_twin(&r, 2), 1u);
    char diff[CLI_COMPARE_DIFF_MAX];
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 1);
    EXPECT_STREQ(diff, "");
    EXPECT_EQ(cli_compare_disagreements(&r), 0);
    lay[2].cost.energy_pj *= 1 + 1e-15;  // rounding: the same result
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 1);
    lay[2].stats.dram_row_hits = 41;
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM row hits: cycle 40, systemc 41");
    EXPECT_EQ(cli_compare_disagreements(&r), 1);  // a disagreement: exit status 1
    lay[2].cost.stall_cycles[PESIM_STALL_DRAM_BW] = 101;  // an earlier field is named first
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "dram_bandwidth stall cycles: cycle 100, systemc 101");
    lay[2] = lay[1];
    lay[2].cost.access[0][PESIM_WEIGHTS].reads = 5;  // the counts, as against the reference
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM weights reads: cycle 0, systemc 5");
    lay[2] = lay[1];
    lay[2].cost.energy_pj *= 1 + 1e-9;
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_NE(std::string(diff).find("energy (pJ): cycle "), std::string::npos) << diff;
    lay[2] = lay[1];
    lay[2].valid = 0;
    snprintf(lay[2].reason, sizeof lay[2].reason, "GLB overflows");
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "valid in cycle only; systemc: GLB overflows");
    lay[1].valid = 0;  // invalid in both: the same result
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 1);
    lay[1] = lay[0], lay[2] = lay[0];
    lay[2].cost.noc_word_hops[0][PESIM_INPUTS] = lay[1].cost.noc_word_hops[0][PESIM_INPUTS] = 3e6;
    lay[2].cost.noc_word_hops[0][PESIM_INPUTS] *= 1 + 1e-12;  // a sum in another order: the same
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 1) << diff;
    lay[2].cost.noc_word_hops[0][PESIM_INPUTS] = 3e6 + 1;
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM inputs network word-hops: cycle 3000000, systemc 3000001");
    lay[2].cost.noc_fanout[0][PESIM_OUTPUTS] = 4;  // counts before the reals of a level and tensor
    lay[2].cost.noc_spatial_reductions[0][PESIM_INPUTS] = 2;
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM inputs network spatial reductions: cycle 0, systemc 2");
    lay[2] = lay[1];
    lay[2].cost.noc_multicast[0][PESIM_WEIGHTS] = 16;
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    EXPECT_STREQ(diff, "DRAM weights network multicast: cycle 0, systemc 16");
    // Out of the reference's range: not run, which is neither a difference
    // nor an invalid layer (its cycles and counts are then not compared).
    lay[2] = lay[1];
    lay[2].cost.cycles = 7;
    lay[2].has_mapping = 1;
    lay[2].valid = 0;
    lay[2].status = PESIM_ERR_RANGE;
    snprintf(lay[2].reason, sizeof lay[2].reason, "out of the SystemC reference's range: too large");
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), -1);
    EXPECT_STREQ(diff, "out of the SystemC reference's range: too large");
    compare_check c;
    cli_compare_check(&r, 2, 0, &c);
    EXPECT_EQ(c.status, CMP_NOT_RUN);
    EXPECT_EQ(c.verdict, CMP_AGREE);
    compare_reproduction rep;
    cli_compare_reproduction(&r, 2, &rep);
    EXPECT_EQ(rep.twin, 1u);
    EXPECT_EQ(rep.same + rep.differ + rep.not_run, 0 + 0 + 1);
    EXPECT_EQ(cli_compare_disagreements(&r), 0);
    EXPECT_EQ(cli_compare_invalid(&r), 0);
    lay[2].status = PESIM_ERR_INTERNAL;  // any other failure to run stays a failure
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 0);
    cli_compare_check(&r, 2, 0, &c);
    EXPECT_EQ(c.verdict, CMP_VALID_IN_ONE);
    EXPECT_EQ(cli_compare_disagreements(&r), 2);  // against the reference, and against the twin
    EXPECT_EQ(cli_compare_invalid(&r), 1);
    cli_compare_reproduction(&r, 2, &rep);
    EXPECT_EQ(rep.differ, 1);
    EXPECT_EQ(rep.first, 0);
    lay[1] = lay[0], lay[2] = lay[0];
    lay[2].cost.cycles = 7;
    lay[1].has_macs = lay[2].has_macs = lay[0].has_macs = 0;  // not mapped: nothing to compare
    EXPECT_EQ(cli_compare_exact(&r, 1, 2, 0, diff, sizeof diff), 1);
}

TEST(CliCompareMappings, RandomAndSearchedMappingsOfEachLayer)
{
    std::string d = TempDir("compare_mappings");
    Result r = Pesim("compare --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg"
                     " --mappings 8 --search-budget 16 --seed 2 --csv " + d + "/c.csv --db " + d + "/c.db");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Spearman"), std::string::npos);
    std::vector<std::string> lines = Split(ReadFile(d + "/c.csv"), '\n');
    ASSERT_GE(lines.size(), 7u);
    std::vector<std::string> h = Split(lines[0], ',');
    EXPECT_EQ(h[0], "layer");
    EXPECT_EQ(h[7], "spearman");
    int rows = 0;
    for (size_t i = 1; i < lines.size(); i++) {
        if (lines[i].empty()) continue;
        std::vector<std::string> f = Split(lines[i], ',');
        ASSERT_EQ(f.size(), h.size());
        EXPECT_TRUE(f[1] == "random" || f[1] == "searched");
        int64_t n = std::stoll(f[2]);
        EXPECT_GT(n, 0) << lines[i];
        if (f[1] == "random") {
            EXPECT_EQ(n, 8);
        }
        double rho = std::stod(f[7]), tau = std::stod(f[8]);
        if (!std::isnan(rho)) {
            EXPECT_LE(std::fabs(rho), 1.0 + 1e-12);
        }
        if (!std::isnan(tau)) {
            EXPECT_LE(std::fabs(tau), 1.0 + 1e-12);
        }
        EXPECT_LE(std::stoll(f[9]), std::stoll(f[10]));  // discordant <= pairs
        EXPECT_GE(std::stod(f[4]), std::stod(f[3]));     // max err >= mean err
        rows++;
    }
    EXPECT_EQ(rows, 6);  // 3 MAC layers x 2 sets
    // the same seed gives the same study
    Result again = Pesim("compare --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg"
                         " --mappings 8 --search-budget 16 --seed 2 --csv " + d + "/c2.csv");
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(ReadFile(d + "/c.csv"), ReadFile(d + "/c2.csv"));
    EXPECT_EQ(Pesim("compare --seed 3").status, 2);  // --seed needs --mappings
}

// --systemc K: the SystemC reference runs the first K mappings of each set
// and must reproduce the engine; without the reference, exit 1 (not built).
TEST(CliCompareMappings, SystemcReproducesTheEngineOnTheFirstMappings)
{
    const std::string args = "compare --arch tests/data/cli/tiny_arch.cfg --workload tests/data/cli/small.cfg"
                             " --mappings 6 --search-budget 12 --seed 5 --systemc 3";
    Result r = Pesim(args);
#ifdef PESIM_SYSTEMC_BUILT
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("systemc vs cycle: 18 of 18 mappings reproduced exactly"), std::string::npos) << r.out;
#else
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("the SystemC reference is not built"), std::string::npos) << r.err;
#endif
    // A mapping out of the reference's range is counted as not run, not failed.
    Result odd = Pesim("compare --arch " + OddClockArch(TempDir("cmp_odd_clock")) +
                       " --workload tests/data/cli/small.cfg --mappings 3 --search-budget 6 --seed 5 --systemc 2");
#ifdef PESIM_SYSTEMC_BUILT
    ASSERT_EQ(odd.status, 0) << odd.err;
    EXPECT_NE(odd.out.find("systemc vs cycle: 0 of 0 mappings reproduced exactly"), std::string::npos) << odd.out;
    EXPECT_NE(odd.out.find("12 not run, out of the reference's range"), std::string::npos) << odd.out;
#else
    EXPECT_EQ(odd.status, 1) << odd.err;
#endif
    EXPECT_EQ(Pesim("compare --systemc 2").status, 2);  // --systemc needs --mappings
    EXPECT_EQ(Pesim(args + "x").status, 2);            // not a number
}

}  // namespace
