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

// The MAC array's reads and updates of one block, cycle by cycle, straight from
// the rule's statement in banks.h (pesim_banks_pair): on a conflict the policy's
// side goes (round robin: the reads first, then the side that lost the last one).
static void plain_pair(int32_t banks, pesim_arbitration policy, const pesim_bank_stream &r,
                       const pesim_bank_stream &u, int64_t start, int64_t end[2], int64_t lost[2])
{
    const pesim_bank_stream *s[2] = {&r, &u};
    int64_t j[2] = {0, 0}, t = start;
    int turn = 0;
    end[0] = r.accesses ? -1 : start, end[1] = u.accesses ? -1 : start, lost[0] = lost[1] = 0;
    while (j[0] < r.accesses || j[1] < u.accesses) {
        const bool both = j[0] < r.accesses && j[1] < u.accesses;
        if (!both) {  // one left: it runs alone
            int i = j[0] < r.accesses ? 0 : 1;
            end[i] = t + (s[i]->accesses - j[i]);
            break;
        }
        int go = -1;  // -1: both go
        if (pesim_banks_conflict(banks, &r, j[0], &u, j[1])) {
            go = policy == PESIM_ARB_READS_FIRST ? 0 : policy == PESIM_ARB_UPDATES_FIRST ? 1 : turn;
            turn = 1 - go;
        }
        t++;
        for (int i = 0; i < 2; i++) {
            if (go >= 0 && go != i) {
                lost[i]++;
            } else if (++j[i] == s[i]->accesses) {
                end[i] = t;
            }
        }
    }
}

TEST(Banks, PairPoliciesTracedByHand)
{
    // B = 4, one block from cycle 10: reads 2 lines wide, 4 accesses, groups
    // {0,1} {2,3} {0,1} {2,3}; updates 1 line wide, 2 accesses, banks 0 then 1.
    // reads_first: the reads take cycles 10-13 and end at 14. The updates:
    //   10 bank 0 vs {0,1} lost, 11 bank 0 vs {2,3} done, 12 bank 1 vs {0,1} lost,
    //   13 bank 1 vs {2,3} done: end 14, 2 lost. The block: 4 cycles.
    // updates_first: the updates take 10-11 (banks 0, 1) and end at 12. The reads:
    //   10 {0,1} vs 0 lost, 11 {0,1} vs 1 lost, 12-15 {0,1} {2,3} {0,1} {2,3}:
    //   end 16, 2 lost. The block: 6 cycles.
    // round_robin: 10 {0,1} vs 0 meet: the reads go (the first conflict);
    //   11 {2,3} vs 0: both go; 12 {0,1} vs 1 meet: the updates go (the reads won
    //   the last one), their last access: end 13; 13 {0,1}, 14 {2,3}: the reads
    //   end at 15. 1 lost each. The block: 5 cycles.
    pesim_bank_stream r = stream(4, 0, 2), u = stream(2, 0, 1);
    const pesim_arbitration pol[3] = {PESIM_ARB_READS_FIRST, PESIM_ARB_UPDATES_FIRST, PESIM_ARB_ROUND_ROBIN};
    const int64_t want_end[3][2] = {{14, 14}, {16, 12}, {15, 13}}, want_lost[3][2] = {{0, 2}, {2, 0}, {1, 1}};
    for (int p = 0; p < 3; p++) {
        int64_t end[2] = {-1, -1}, lost[2] = {-1, -1};
        pesim_banks_pair(4, pol[p], &r, &u, 10, end, lost);
        for (int i = 0; i < 2; i++) {
            EXPECT_EQ(end[i], want_end[p][i]) << "policy " << p << " side " << i;
            EXPECT_EQ(lost[i], want_lost[p][i]) << "policy " << p << " side " << i;
        }
    }
}

TEST(Banks, RoundRobinTakesTurnsWhenEveryAccessMeets)
{
    // B = 2, reads 2 lines wide (both banks), updates 1: every cycle meets.
    // Round robin from cycle 0: reads 0, updates 1, reads 2, updates 3 (their
    // 2nd and last: end 4), reads 4 (3rd and last: end 5); 2 lost each.
    // A fixed priority runs one side, then the other: reads_first ends the reads
    // at 3 and the updates at 5 (3 lost); updates_first the updates at 2, the
    // reads at 5 (2 lost). The block takes 5 cycles whatever the policy.
    pesim_bank_stream r = stream(3, 0, 2), u = stream(2, 0, 1);
    int64_t end[2], lost[2];
    pesim_banks_pair(2, PESIM_ARB_ROUND_ROBIN, &r, &u, 0, end, lost);
    EXPECT_EQ(end[0], 5);
    EXPECT_EQ(end[1], 4);
    EXPECT_EQ(lost[0], 2);
    EXPECT_EQ(lost[1], 2);
    pesim_banks_pair(2, PESIM_ARB_READS_FIRST, &r, &u, 0, end, lost);
    EXPECT_EQ(end[0], 3);
    EXPECT_EQ(end[1], 5);
    EXPECT_EQ(lost[1], 3);
    pesim_banks_pair(2, PESIM_ARB_UPDATES_FIRST, &r, &u, 0, end, lost);
    EXPECT_EQ(end[0], 5);
    EXPECT_EQ(end[1], 2);
    EXPECT_EQ(lost[0], 2);
    // an empty side: the other runs alone
    pesim_bank_stream none = stream(0, 0, 1);
    pesim_banks_pair(2, PESIM_ARB_ROUND_ROBIN, &r, &none, 7, end, lost);
    EXPECT_EQ(end[0], 10);
    EXPECT_EQ(end[1], 7);
    EXPECT_EQ(lost[0], 0);
}

TEST(Banks, PairPeriodSkippingEqualsTheCycleByCycleRule)
{
    // Every policy, B, widths and lengths of a grid (streams long enough for
    // many periods, and short ones): the closed computation equals the plain run.
    int cases = 0;
    const pesim_arbitration pol[3] = {PESIM_ARB_READS_FIRST, PESIM_ARB_UPDATES_FIRST, PESIM_ARB_ROUND_ROBIN};
    for (int banks : {2, 3, 4, 5, 6, 8, 12, 27})
        for (int nr = 1; nr <= banks && nr <= 9; nr++)
            for (int nu = 1; nu <= banks && nu <= 9; nu++)
                for (int64_t ar : {1, 7, 250})
                    for (int64_t au : {1, 5, 173})
                        for (int p = 0; p < 3; p++) {
                            pesim_bank_stream r = stream(ar, 0, nr), u = stream(au, 0, nu);
                            int64_t end[2], lost[2], pe[2], pl[2];
                            plain_pair(banks, pol[p], r, u, 3, pe, pl);
                            pesim_banks_pair(banks, pol[p], &r, &u, 3, end, lost);
                            for (int i = 0; i < 2; i++) {
                                ASSERT_EQ(end[i], pe[i]) << banks << " banks, widths " << nr << " " << nu
                                                         << ", accesses " << ar << " " << au << ", policy " << p
                                                         << ", side " << i;
                                ASSERT_EQ(lost[i], pl[i]);
                            }
                            cases++;
                        }
    EXPECT_GT(cases, 8000);
}

TEST(Banks, LongPairsCostLittle)
{
    // A billion reads and a million updates under round robin (B = 4, widths 2
    // and 1): the computation jumps over whole periods and equals the plain run.
    pesim_bank_stream r = stream(1000000000, 0, 2), u = stream(1000000, 0, 1);
    int64_t end[2], lost[2], pe[2], pl[2];
    pesim_banks_pair(4, PESIM_ARB_ROUND_ROBIN, &r, &u, 0, end, lost);
    plain_pair(4, PESIM_ARB_ROUND_ROBIN, r, u, 0, pe, pl);
    EXPECT_EQ(end[0], pe[0]);
    EXPECT_EQ(end[1], pe[1]);
    EXPECT_EQ(lost[0], pl[0]);
    EXPECT_EQ(lost[1], pl[1]);
    EXPECT_GT(lost[1], 0);
}
