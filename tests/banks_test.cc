// banks_test.cc - bank conflicts between a level's read and write streams
// (sim/engine/banks.h), traced by hand: a conflict-free pair, a pair that
// loses cycles, the B = 4 lockout that aligned groups prevent, more banks
// relieving a pair; and the period-skipping computation against a plain
// cycle-by-cycle run of the same rule.
#include <gtest/gtest.h>

#include <cstdint>

extern "C" {
#include "engine/banks.h"
}

static pesim_bank_stream stream(int64_t accesses, int64_t first_group, int32_t width)
{
    pesim_bank_stream s;
    s.accesses = accesses, s.first_group = first_group, s.width_lines = width;
    return s;
}

// The rule cycle by cycle, straight from its statement in banks.h.
static int64_t plain_end(int32_t banks, const pesim_bank_stream &o, int64_t end_o, const pesim_bank_stream &y,
                         int64_t y_start, int64_t *lost)
{
    int64_t t = y_start, j = 0;
    *lost = 0;
    while (j < y.accesses) {
        int64_t k = t - (end_o - o.accesses);
        if (k >= 0 && k < o.accesses && pesim_banks_conflict(banks, &y, j, &o, k)) ++*lost;
        else j++;
        t++;
    }
    return t;
}

TEST(Banks, ConflictOfTwoAccesses)
{
    pesim_bank_stream a = stream(4, 0, 2), b = stream(4, 1, 2);
    // B = 4: a's groups 0,1,2 are banks {0,1}, {2,3}, {0,1}; b's start on group 1
    EXPECT_FALSE(pesim_banks_conflict(4, &a, 0, &b, 0)); // {0,1} vs {2,3}
    EXPECT_TRUE(pesim_banks_conflict(4, &a, 1, &b, 0));  // {2,3} vs {2,3}
    EXPECT_TRUE(pesim_banks_conflict(4, &a, 0, &b, 1));  // {0,1} vs group 2 = {0,1}
    // B = 3, width 2: group 1 is banks {2, 0} (wraps), so it meets group 0's {0, 1}
    EXPECT_TRUE(pesim_banks_conflict(3, &a, 0, &b, 0));
    pesim_bank_stream c = stream(4, 0, 1);
    EXPECT_FALSE(pesim_banks_conflict(3, &a, 1, &c, 1)); // {2, 0} vs {1}
    EXPECT_FALSE(pesim_banks_conflict(1, &a, 0, &b, 1)); // one bank: not a banked level
}

TEST(Banks, ConflictFreePair)
{
    // B = 4, both 2 lines wide, from cycle 0. Older: groups 0..3 on cycles
    // 0..3, banks {0,1} {2,3} {0,1} {2,3}. Younger from group 1: cycle 0
    // {2,3}, cycle 1 {0,1}, cycle 2 {2,3}: never the older's. Ends at 3.
    pesim_bank_stream o = stream(4, 0, 2), y = stream(3, 1, 2);
    int64_t lost = -1;
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 4, &y, 0, &lost), 3);
    EXPECT_EQ(lost, 0);
}

TEST(Banks, PairThatLosesTwoCycles)
{
    // B = 4. Older: 2 lines wide, group 0, cycles 0..3: {0,1} {2,3} {0,1} {2,3}.
    // Younger: 1 line wide from bank 0, 3 accesses, from cycle 0.
    //   cycle 0: bank 0 vs {0,1}: loses
    //   cycle 1: bank 0 vs {2,3}: access 0 done
    //   cycle 2: bank 1 vs {0,1}: loses
    //   cycle 3: bank 1 vs {2,3}: access 1 done
    //   cycle 4: the older has ended; bank 2: access 2 done
    // Ends at 5 (3 accesses + 2 lost).
    pesim_bank_stream o = stream(4, 0, 2), y = stream(3, 0, 1);
    int64_t lost = -1;
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 4, &y, 0, &lost), 5);
    EXPECT_EQ(lost, 2);
    // starting after the older ended, or before it starts and done by then: no loss
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 4, &y, 4, &lost), 7);
    EXPECT_EQ(lost, 0);
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 10, &y, 3, &lost), 6); // the older runs on cycles 6..9
    EXPECT_EQ(lost, 0);
}

TEST(Banks, AlignedGroupsPreventTheLockout)
{
    // B = 4, read r = 2 lines a cycle walking {0,1}, {2,3}, {0,1}, ... for 1000
    // cycles. Unaligned, a stalled write of 2 lines on lines {1,2} would meet the
    // read on every cycle ({0,1} holds bank 1, {2,3} bank 2) and never move. Aligned,
    // the write's first access is the group holding line 1, group 0 = {0,1}:
    //   cycle 0: {0,1} vs {0,1}: loses
    //   cycle 1: {0,1} vs {2,3}: done; next group 1 = {2,3}
    //   cycle 2: {2,3} vs {0,1}: done; from here on it is out of phase with the read
    // 10 accesses end at 11, one cycle lost.
    pesim_bank_stream o = stream(1000, 0, 2), y = stream(10, 1 / 2, 2);
    int64_t lost = -1;
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 1000, &y, 0, &lost), 11);
    EXPECT_EQ(lost, 1);
}

TEST(Banks, WidthsCoveringEveryBankWaitForTheOlder)
{
    // B = 3, two streams 2 lines wide: any two groups share a bank, so the
    // younger waits for the older to end: 5 accesses after cycle 8.
    pesim_bank_stream o = stream(8, 0, 2), y = stream(5, 1, 2);
    int64_t lost = -1;
    EXPECT_EQ(pesim_banks_younger_end(3, &o, 8, &y, 0, &lost), 13);
    EXPECT_EQ(lost, 8);
    // from cycle 2: accesses 0..1 of the older are over, it still holds 2..7
    EXPECT_EQ(pesim_banks_younger_end(3, &o, 8, &y, 2, &lost), 13);
    EXPECT_EQ(lost, 6);
}

TEST(Banks, MoreBanksRelieve)
{
    // Older 4 lines wide, younger 2, both from group 0 at cycle 0, 8 accesses each.
    // B = 2 and B = 4: 4 + 2 lines do not fit: the younger waits 8 cycles, ends at 16.
    // B = 8: older {0-3} {4-7} {0-3} ...; the younger (y = its pending group)
    //   c0 {0,1} vs {0-3} loses   c1 {0,1} vs {4-7} done   c2 {2,3} vs {0-3} loses
    //   c3 {2,3} vs {4-7} done    c4 {4,5} vs {0-3} done   c5 {6,7} vs {4-7} loses
    //   c6 {6,7} vs {0-3} done    c7 {0,1} vs {4-7} done (5 done)
    //   c8, c9, c10: the older has ended: 8 done. Ends at 11, 3 lost.
    // B = 16: older {0-3} {4-7} {8-11} {12-15} {0-3} ...
    //   c0 {0,1} loses, c1..c5 done ({0,1} {2,3} {4,5} {6,7} {8,9}),
    //   c6 {10,11} vs {8-11} loses, c7 {10,11} done (6 done), c8 c9: 8 done. Ends at 10, 2 lost.
    pesim_bank_stream o = stream(8, 0, 4), y = stream(8, 0, 2);
    const int banks[] = {2, 4, 8, 16};
    const int64_t end[] = {16, 16, 11, 10}, lost_want[] = {8, 8, 3, 2};
    for (int i = 0; i < 4; i++) {
        int64_t lost = -1;
        EXPECT_EQ(pesim_banks_younger_end(banks[i], &o, 8, &y, 0, &lost), end[i]) << banks[i] << " banks";
        EXPECT_EQ(lost, lost_want[i]) << banks[i] << " banks";
    }
}

TEST(Banks, PowerOfTwoWidthsLoseBoundedRuns)
{
    // Widths that divide B, one dividing the other, n_o + n_y <= B: a younger
    // stream never loses more than max(1, n_y / n_o) cycles in a row, whatever
    // the groups and the start.
    for (int banks : {4, 8, 16})
        for (int no = 1; no < banks; no *= 2)
            for (int ny = 1; no + ny <= banks; ny *= 2)
                for (int go = 0; go < banks; go++)
                    for (int gy = 0; gy < banks; gy++) {
                        pesim_bank_stream o = stream(3 * banks, go, no), y = stream(banks, gy, ny);
                        int64_t run = 0, worst = 0;
                        for (int64_t t = 0, j = 0; j < y.accesses; t++) {
                            if (t < o.accesses && pesim_banks_conflict(banks, &y, j, &o, t)) {
                                worst = ++run > worst ? run : worst;
                            } else {
                                run = 0, j++;
                            }
                        }
                        int64_t bound = ny > no ? ny / no : 1;
                        EXPECT_LE(worst, bound) << banks << " banks, widths " << no << " " << ny;
                    }
}

TEST(Banks, PeriodSkippingEqualsTheCycleByCycleRule)
{
    // Every (B, widths, groups, start) of a grid, with streams long enough for
    // many periods: the closed computation equals the plain run, lost cycles too.
    int cases = 0;
    for (int banks : {2, 3, 4, 5, 6, 8, 12, 27})
        for (int no = 1; no <= banks && no <= 9; no++)
            for (int ny = 1; ny <= banks && ny <= 9; ny++)
                for (int go = 0; go < 3; go++)
                    for (int gy = 0; gy < 4; gy++)
                        for (int64_t start : {0, 5, 137}) {
                            pesim_bank_stream o = stream(400 + 7 * go, go * 5, no), y = stream(150 + 11 * gy, gy * 3, ny);
                            int64_t end_o = 120 + 3 * gy;
                            int64_t lost = -1, plain_lost = -2;
                            int64_t want = plain_end(banks, o, end_o + o.accesses, y, start, &plain_lost);
                            ASSERT_EQ(pesim_banks_younger_end(banks, &o, end_o + o.accesses, &y, start, &lost), want)
                                << banks << " banks, widths " << no << " " << ny << ", groups " << go << " " << gy
                                << ", start " << start;
                            ASSERT_EQ(lost, plain_lost);
                            cases++;
                        }
    EXPECT_GT(cases, 10000);
}

TEST(Banks, LongStreamsCostLittle)
{
    // A billion-access older stream and a million-access younger one (B = 4,
    // widths 2 and 1 as in PairThatLosesTwoCycles): the computation jumps over
    // whole periods and equals the plain run of two million cycles.
    pesim_bank_stream o = stream(1000000000, 0, 2), y = stream(1000000, 0, 1);
    int64_t lost = -1, plain_lost = -2;
    int64_t want = plain_end(4, o, 1000000000, y, 0, &plain_lost);
    EXPECT_EQ(pesim_banks_younger_end(4, &o, 1000000000, &y, 0, &lost), want);
    EXPECT_EQ(lost, plain_lost);
    EXPECT_GT(lost, 0);
    // no wait at all without banks
    EXPECT_EQ(pesim_banks_younger_end(1, &o, 1000000000, &y, 0, &lost), y.accesses);
    EXPECT_EQ(lost, 0);
}
