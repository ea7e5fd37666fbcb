// tests/dram_test.cc - the cycle-level DRAM model (sim/engine/dram*.c) and
// `pesim dram`: hand-traced JEDEC timing, scheduling policy, refresh, the
// event-driven path against ticking every cycle, an independent protocol
// checker on random traces, bandwidth, address mapping and the command line.
//
// Unless stated otherwise the device is the ddr4-3200 preset (DRAMsim3's
// DDR4_8Gb_x8_3200): CL 22, CWL 16, tRCD 22, tRP 22, tRAS 52, tRC 74, BL 8
// (4 bus cycles), tCCD_S/L 4/8, tRRD_S/L 4/8, tFAW 34, tWTR_S/L 4/12, tWR 24,
// tRTP 12, tRTRS 1, tRFC 560, tREFI 12480; 1 channel, 2 ranks, 4 bank groups x
// 4 banks. A request added at cycle t may issue its first command at t + 1
// (the accept-to-issue cycle).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "pesim/dram.h"
#include "pesim/engine.h"
#include "pesim/estimate.h"
#include "pesim/mapping.h"
#include "pesim/model.h"
#include "test_util.h"

namespace {

pesim_dram Ddr4()
{
    pesim_dram d;
    EXPECT_EQ(pesim_dram_preset("ddr4-3200", &d), PESIM_OK);
    return d;
}

pesim_dram Lpddr4()
{
    pesim_dram d;
    EXPECT_EQ(pesim_dram_preset("lpddr4-2400", &d), PESIM_OK);
    return d;
}

pesim_dram Ddr3()
{
    pesim_dram d;
    EXPECT_EQ(pesim_dram_preset("ddr3-1600", &d), PESIM_OK);
    return d;
}

struct Done {
    uint64_t id, finish;
    bool operator==(const Done &o) const { return id == o.id && finish == o.finish; }
};

// A model with recorded completions and commands.
class Sim {
public:
    explicit Sim(const pesim_dram &d, pesim_dram_sim_options o = pesim_dram_sim_options())
    {
        o.done = OnDone;
        o.on_command = OnCommand;
        o.ctx = this;
        pesim_error e;
        pesim_error_clear(&e);
        EXPECT_EQ(pesim_dram_sim_create(&d, &o, &h, &e), PESIM_OK) << e.msg;
    }
    ~Sim() { pesim_dram_sim_destroy(h); }
    Sim(const Sim &) = delete;
    Sim &operator=(const Sim &) = delete;

    uint64_t Addr(int rank, int bg, int bank, int64_t row, int64_t col = 0, int channel = 0) const
    {
        pesim_dram_coord c = {channel, rank, bg, bank, row, col};
        return pesim_dram_sim_encode(h, &c);
    }
    void Add(uint64_t addr, bool write, uint64_t id)
    {
        ASSERT_TRUE(pesim_dram_sim_will_accept(h, addr, write));
        ASSERT_EQ(pesim_dram_sim_add(h, addr, write, id), PESIM_OK);
    }
    // Ticks until every request has completed (bounded).
    void Drain(uint64_t limit = 1000000)
    {
        while (pesim_dram_sim_outstanding(h) > 0 && pesim_dram_sim_now(h) < limit) pesim_dram_sim_tick(h);
        ASSERT_EQ(pesim_dram_sim_outstanding(h), 0u);
    }
    uint64_t FinishOf(uint64_t id) const
    {
        for (const Done &x : done)
            if (x.id == id) return x.finish;
        ADD_FAILURE() << "request " << id << " did not complete";
        return 0;
    }
    // Cycles at which command `cmd` was issued (optionally for request id).
    std::vector<uint64_t> Times(pesim_dram_cmd cmd, uint64_t id = UINT64_MAX - 1) const
    {
        std::vector<uint64_t> t;
        for (const pesim_dram_command &c : cmds)
            if (c.cmd == cmd && (id == UINT64_MAX - 1 || c.id == id)) t.push_back(c.cycle);
        return t;
    }
    std::unique_ptr<pesim_dram_stats> Stats() const
    {
        std::unique_ptr<pesim_dram_stats> s(new pesim_dram_stats);
        pesim_dram_sim_stats(h, s.get());
        return s;
    }

    pesim_dram_sim *h = nullptr;
    std::vector<Done> done;
    std::vector<pesim_dram_command> cmds;

private:
    static void OnDone(void *ctx, uint64_t id, uint64_t finish)
    {
        Sim *s = static_cast<Sim *>(ctx);
        // The callback comes from the tick that processes `finish`.
        EXPECT_EQ(pesim_dram_sim_now(s->h), finish);
        s->done.push_back({id, finish});
    }
    static void OnCommand(void *ctx, const pesim_dram_command *c) { static_cast<Sim *>(ctx)->cmds.push_back(*c); }
};

pesim_dram_sim_options Opts(pesim_dram_sched sched = PESIM_DRAM_FRFCFS, int queue = 0, bool refresh = true)
{
    pesim_dram_sim_options o;
    memset(&o, 0, sizeof o);
    o.sched = sched;
    o.queue_depth = queue;
    o.disable_refresh = refresh ? 0 : 1;
    return o;
}

// ---- hand-traced timing ----------------------------------------------------

TEST(DramTiming, SingleReadToClosedBank)
{
    // Added at 0: ACT at 1 (accept-to-issue); RD at 1 + tRCD = 23; data on
    // the bus CL = 22 later for BL/2 = 4 cycles: complete at 1 + tRCD + CL +
    // BL/2 = 1 + 22 + 22 + 4 = 49.
    Sim s(Ddr4());
    s.Add(0, false, 7);
    s.Drain();
    ASSERT_EQ(s.done.size(), 1u);
    EXPECT_EQ(s.done[0].id, 7u);
    EXPECT_EQ(s.done[0].finish, 49u);
    EXPECT_EQ(s.Times(PESIM_DRAM_ACT), std::vector<uint64_t>{1});
    EXPECT_EQ(s.Times(PESIM_DRAM_RD), std::vector<uint64_t>{23});
    auto st = s.Stats();
    EXPECT_EQ(st->reads, 1u);
    EXPECT_EQ(st->row_misses, 1u);
    EXPECT_EQ(st->read_latency_min_cycles, 49u);
    EXPECT_EQ(st->read_latency_max_cycles, 49u);
    EXPECT_EQ(st->finish_cycle, 49u);
    EXPECT_EQ(st->busy_cycles, 4u);
    EXPECT_EQ(st->rd, 1u);
    EXPECT_EQ(st->wr, 0u);

    // LPDDR4-2400: 1 + tRCD 15 + CL 17 + BL16/2 = 8 -> 41.
    Sim l(Lpddr4());
    l.Add(0, false, 1);
    l.Drain();
    EXPECT_EQ(l.FinishOf(1), 41u);
}

TEST(DramTiming, SecondReadToSameRowIsHitTccdLater)
{
    // Both arrive at 0. ACT 1, RD(A) 23 -> 49. B hits the open row; same bank
    // group, so tCCD_L = 8 after A: RD(B) 31 -> 31 + 22 + 4 = 57.
    Sim s(Ddr4());
    s.Add(s.Addr(0, 0, 0, 5, 0), false, 1);
    s.Add(s.Addr(0, 0, 0, 5, 1), false, 2);
    s.Drain();
    EXPECT_EQ(s.FinishOf(1), 49u);
    EXPECT_EQ(s.FinishOf(2), 57u);
    auto st = s.Stats();
    EXPECT_EQ(st->row_hits, 1u);
    EXPECT_EQ(st->row_misses, 1u);
    EXPECT_EQ(st->act, 1u);
}

TEST(DramTiming, OtherRowOfSameBankPaysPrechargeAndActivate)
{
    // A opens row 0 (done at 49). At 200 B wants row 1 of the same bank:
    // PRE 201, ACT 201 + tRP = 223, RD 223 + tRCD = 245, done 245 + 26 = 271,
    // i.e. tRP + tRCD = 44 more than a hit would take (200 + 1 + CL + BL/2).
    Sim s(Ddr4());
    s.Add(s.Addr(0, 1, 2, 0), false, 1);
    s.Drain();
    pesim_dram_sim_advance_to(s.h, 200);
    s.Add(s.Addr(0, 1, 2, 1), false, 2);
    s.Drain();
    EXPECT_EQ(s.FinishOf(2), 271u);
    EXPECT_EQ(s.FinishOf(2) - 200, 1u + 22u + 22u + 22u + 4u);
    EXPECT_EQ(s.Stats()->row_conflicts, 1u);

    // Back to back: B arrives with A at 0. Its PRE waits for tRAS after A's
    // ACT (1 + 52 = 53 > RD + tRTP = 35), then ACT 75 (= tRC too), RD 97,
    // done 123.
    Sim t(Ddr4());
    t.Add(t.Addr(0, 1, 2, 0), false, 1);
    t.Add(t.Addr(0, 1, 2, 1), false, 2);
    t.Drain();
    EXPECT_EQ(t.Times(PESIM_DRAM_PRE), std::vector<uint64_t>{53});
    EXPECT_EQ(t.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 75}));
    EXPECT_EQ(t.FinishOf(2), 123u);
}

TEST(DramTiming, BanksOverlapLimitedByTrrd)
{
    // Four reads to the four bank groups of rank 0, all at 0. ACTs are tRRD_S
    // = 4 apart (1, 5, 9, 13); each RD is tRCD after its ACT (23, 27, 31, 35,
    // tCCD_S = 4 apart); done at 49, 53, 57, 61 - not 4 x 49 in series.
    Sim s(Ddr4());
    for (int g = 0; g < 4; g++) s.Add(s.Addr(0, g, 0, 3), false, (uint64_t)g);
    s.Drain();
    EXPECT_EQ(s.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 5, 9, 13}));
    for (int g = 0; g < 4; g++) EXPECT_EQ(s.FinishOf((uint64_t)g), 49u + 4u * (uint64_t)g) << g;

    // Two banks of one bank group: tRRD_L = 8 between the ACTs and tCCD_L = 8
    // between the RDs: done at 49 and 57.
    Sim l(Ddr4());
    l.Add(l.Addr(0, 2, 0, 3), false, 0);
    l.Add(l.Addr(0, 2, 1, 3), false, 1);
    l.Drain();
    EXPECT_EQ(l.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 9}));
    EXPECT_EQ(l.FinishOf(1), 57u);

    // Two ranks: no tRRD between ranks (ACT 1 and 2, one command a cycle), but
    // the data bus pays tRTRS = 1 on the rank switch: RD 23, then RD at
    // max(2 + tRCD, 23 + BL/2 + tRTRS) = 28, done 28 + 26 = 54.
    Sim r(Ddr4());
    r.Add(r.Addr(0, 0, 0, 3), false, 0);
    r.Add(r.Addr(1, 0, 0, 3), false, 1);
    r.Drain();
    EXPECT_EQ(r.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 2}));
    EXPECT_EQ(r.Times(PESIM_DRAM_RD), (std::vector<uint64_t>{23, 28}));
    EXPECT_EQ(r.FinishOf(1), 54u);
}

TEST(DramTiming, FawAllowsFourActivatesPerWindowPerRank)
{
    // tRCD is raised to 60 here so that no RD competes for the command bus
    // with the ACTs. Five reads to five banks of rank 0: ACTs at 1, 5, 9, 13
    // (tRRD_S), and the fifth waits for the first + tFAW = 35.
    pesim_dram d = Ddr4();
    d.tRCD = 60;
    Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
    for (int i = 0; i < 5; i++) s.Add(s.Addr(0, i % 4, i / 4, 1), false, (uint64_t)i);
    s.Drain();
    EXPECT_EQ(s.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 5, 9, 13, 35}));

    // The window is per rank: the ACT to rank 1 goes at 2 (only the command
    // bus orders it after the first).
    Sim r(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
    for (int i = 0; i < 4; i++) r.Add(r.Addr(0, i, 0, 1), false, (uint64_t)i);
    r.Add(r.Addr(1, 0, 0, 1), false, 4);
    r.Drain();
    EXPECT_EQ(r.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 2, 5, 9, 13}));

    // With the preset's tRCD the RD of the fourth request (ACT 13 + 22 = 35)
    // takes the command bus at 35, a row hit having priority; the fifth ACT
    // goes at 36.
    Sim p(Ddr4(), Opts(PESIM_DRAM_FRFCFS, 0, false));
    for (int i = 0; i < 5; i++) p.Add(p.Addr(0, i % 4, i / 4, 1), false, (uint64_t)i);
    p.Drain();
    EXPECT_EQ(p.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 5, 9, 13, 36}));
    EXPECT_EQ(p.Times(PESIM_DRAM_RD, 3), std::vector<uint64_t>{35});
}

TEST(DramTiming, WriteToReadTurnaround)
{
    // W then R to the same row (same bank group): ACT 1, WR 23 (write done at
    // 23 + CWL 16 + 4 = 43); RD waits tWTR_L after the end of the write data:
    // 23 + 16 + 4 + 12 = 55, done 55 + 26 = 81.
    Sim s(Ddr4());
    s.Add(s.Addr(0, 0, 0, 9, 0), true, 1);
    s.Add(s.Addr(0, 0, 0, 9, 1), false, 2);
    s.Drain();
    EXPECT_EQ(s.FinishOf(1), 43u);
    EXPECT_EQ(s.Times(PESIM_DRAM_RD), std::vector<uint64_t>{55});
    EXPECT_EQ(s.FinishOf(2), 81u);

    // Other bank group: tWTR_S = 4: RD at 23 + 16 + 4 + 4 = 47, done 73.
    Sim g(Ddr4());
    g.Add(g.Addr(0, 0, 0, 9), true, 1);
    g.Add(g.Addr(0, 1, 0, 9), false, 2);
    g.Drain();
    EXPECT_EQ(g.Times(PESIM_DRAM_RD), std::vector<uint64_t>{47});
    EXPECT_EQ(g.FinishOf(2), 73u);

    // Read to write: the write data starts tRTRS after the read data ends:
    // WR >= 23 + CL + 4 + 1 - CWL = 34, done 34 + 20 = 54.
    Sim rw(Ddr4());
    rw.Add(rw.Addr(0, 0, 0, 9, 0), false, 1);
    rw.Add(rw.Addr(0, 0, 0, 9, 1), true, 2);
    rw.Drain();
    EXPECT_EQ(rw.Times(PESIM_DRAM_WR), std::vector<uint64_t>{34});
    EXPECT_EQ(rw.FinishOf(2), 54u);

    // A write to a row then precharge: PRE waits CWL + BL/2 + tWR after WR
    // (23 + 16 + 4 + 24 = 67 > 1 + tRAS = 53); ACT 89, RD 111, done 137.
    Sim wp(Ddr4());
    wp.Add(wp.Addr(0, 0, 0, 9), true, 1);
    wp.Add(wp.Addr(0, 0, 0, 10), false, 2);
    wp.Drain();
    EXPECT_EQ(wp.Times(PESIM_DRAM_PRE), std::vector<uint64_t>{67});
    EXPECT_EQ(wp.FinishOf(2), 137u);
    EXPECT_EQ(wp.Stats()->wr, 1u);
}

// ---- scheduling policy -----------------------------------------------------

// Opens row 0 of bank (0,0,0) with a read, then at 100 adds B (row 1 of that
// bank: a conflict) and then C (row 0: a hit), in that order.
void ReorderScenario(Sim &s)
{
    s.Add(s.Addr(0, 0, 0, 0, 0), false, 0);
    s.Drain();
    pesim_dram_sim_advance_to(s.h, 100);
    s.Add(s.Addr(0, 0, 0, 1, 0), false, 1);   // B: older, a row miss
    s.Add(s.Addr(0, 0, 0, 0, 7), false, 2);   // C: younger, a ready row hit
    s.Drain();
}

TEST(DramSched, FrFcfsLetsReadyHitPassOlderMiss)
{
    // Both may issue from 101. C's RD goes at 101 (done 127); B's PRE waits
    // for C (RD + tRTP = 113): ACT 135, RD 157, done 183.
    Sim s(Ddr4());
    ReorderScenario(s);
    ASSERT_EQ(s.done.size(), 3u);
    EXPECT_EQ(s.done[1].id, 2u);
    EXPECT_EQ(s.done[2].id, 1u);
    EXPECT_EQ(s.FinishOf(2), 127u);
    EXPECT_EQ(s.FinishOf(1), 183u);
}

TEST(DramSched, FcfsKeepsArrivalOrder)
{
    // B first: PRE 101, ACT 123, RD 145, done 171. Then C is a conflict:
    // PRE at ACT + tRAS = 175, ACT 197, RD 219, done 245.
    Sim s(Ddr4(), Opts(PESIM_DRAM_FCFS));
    ReorderScenario(s);
    ASSERT_EQ(s.done.size(), 3u);
    EXPECT_EQ(s.done[1].id, 1u);
    EXPECT_EQ(s.done[2].id, 2u);
    EXPECT_EQ(s.FinishOf(1), 171u);
    EXPECT_EQ(s.FinishOf(2), 245u);
    auto st = s.Stats();
    EXPECT_EQ(st->row_conflicts, 2u);
    EXPECT_EQ(st->row_hits, 0u);
}

TEST(DramSched, HitCapBoundsHowLongHitsPassAMiss)
{
    // Row 0 of a bank is open (one CAS served). B wants row 1; six younger
    // hits to row 0 follow. Uncapped, all six pass B; with a cap of 3 CAS per
    // activation, two more hits go (3 in all), then B, then the rest.
    for (int cap : {-1, 3}) {
        pesim_dram_sim_options o = Opts();
        o.row_hit_cap = cap;
        Sim s(Ddr4(), o);
        s.Add(s.Addr(0, 0, 0, 0, 0), false, 0);
        s.Drain();
        s.Add(s.Addr(0, 0, 0, 1, 0), false, 100);
        for (int i = 1; i <= 6; i++) s.Add(s.Addr(0, 0, 0, 0, i), false, (uint64_t)i);
        s.Drain();
        std::vector<uint64_t> order;
        for (const Done &x : s.done) order.push_back(x.id);
        if (cap < 0)
            EXPECT_EQ(order, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 100}));
        else
            EXPECT_EQ(order, (std::vector<uint64_t>{0, 1, 2, 100, 3, 4, 5, 6}));
    }
}

TEST(DramSched, QueueDepthLimitsAcceptance)
{
    Sim s(Ddr4(), Opts(PESIM_DRAM_FRFCFS, 2));
    s.Add(0, false, 0);
    s.Add(64, false, 1);
    EXPECT_FALSE(pesim_dram_sim_will_accept(s.h, 128, 0));
    EXPECT_EQ(pesim_dram_sim_add(s.h, 128, 0, 2), PESIM_ERR_INVALID);
    s.Drain();
    EXPECT_TRUE(pesim_dram_sim_will_accept(s.h, 128, 0));
    EXPECT_EQ(s.done.size(), 2u);
}

// ---- refresh ---------------------------------------------------------------

TEST(DramRefresh, EveryTrefiAllBanksCostsTrfc)
{
    // One rank: REF at tREFI, 2 tREFI, 3 tREFI when idle (DRAMsim3: every
    // tREFI / ranks, the first at tREFI / ranks).
    pesim_dram d = Ddr4();
    d.ranks = 1;
    {
        Sim s(d);
        pesim_dram_sim_advance_to(s.h, 3 * 12480 + 100);
        EXPECT_EQ(s.Times(PESIM_DRAM_REF), (std::vector<uint64_t>{12480, 24960, 37440}));
        EXPECT_EQ(s.Stats()->ref, 3u);
    }
    // Two ranks are staggered by tREFI / 2 and the first refresh of the
    // channel comes at tREFI / 2: rank 0 at 6240, rank 1 at 12480, rank 0 at
    // 18720, ...
    {
        Sim s(Ddr4());
        pesim_dram_sim_advance_to(s.h, 2 * 12480 + 1);
        std::vector<uint64_t> r0, r1;
        for (const auto &c : s.cmds)
            if (c.cmd == PESIM_DRAM_REF) (c.rank == 0 ? r0 : r1).push_back(c.cycle);
        EXPECT_EQ(r0, (std::vector<uint64_t>{6240, 18720}));
        EXPECT_EQ(r1, (std::vector<uint64_t>{12480, 24960}));
    }
    // Three ranks: tREFI / 3 = 4160 apart; each rank every 3 * 4160 = tREFI.
    {
        pesim_dram t = Ddr4();
        t.ranks = 3;
        Sim s(t);
        pesim_dram_sim_advance_to(s.h, 4 * 4160 + 1);
        std::vector<std::pair<uint64_t, int>> refs;
        for (const auto &c : s.cmds)
            if (c.cmd == PESIM_DRAM_REF) refs.push_back({c.cycle, c.rank});
        EXPECT_EQ(refs, (std::vector<std::pair<uint64_t, int>>{{4160, 0}, {8320, 1}, {12480, 2}, {16640, 0}}));
    }
    // A read arriving when the refresh is due waits tRFC: REF 12480, ACT
    // 12480 + 560 = 13040, done 13040 + 48 = 13088.
    {
        Sim s(d);
        pesim_dram_sim_advance_to(s.h, 12480);
        s.Add(0, false, 1);
        s.Drain();
        EXPECT_EQ(s.Times(PESIM_DRAM_REF), std::vector<uint64_t>{12480});
        EXPECT_EQ(s.FinishOf(1), 13088u);
    }
    // A read that opened a row just before: added at 12470, ACT 12471; at
    // 12480 the rank is due, its RD is held; PRE at ACT + tRAS = 12523, REF
    // at + tRP = 12545, ACT again at + tRFC = 13105, RD 13127, done 13153.
    {
        Sim s(d);
        pesim_dram_sim_advance_to(s.h, 12470);
        s.Add(0, false, 1);
        s.Drain();
        EXPECT_EQ(s.Times(PESIM_DRAM_PRE), std::vector<uint64_t>{12523});
        EXPECT_EQ(s.Times(PESIM_DRAM_REF), std::vector<uint64_t>{12545});
        EXPECT_EQ(s.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{12471, 13105}));
        EXPECT_EQ(s.FinishOf(1), 13153u);
        auto st = s.Stats();
        EXPECT_EQ(st->refresh_pre, 1u);
        EXPECT_EQ(st->row_misses, 1u);
    }
    // Refresh off: none.
    {
        Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
        pesim_dram_sim_advance_to(s.h, 100000);
        EXPECT_EQ(s.Stats()->ref, 0u);
        EXPECT_EQ(pesim_dram_sim_next_event(s.h), UINT64_MAX);
    }
}

TEST(DramRefresh, RefreshingRankDoesNotBlockTheOther)
{
    // Rank 0 refreshes at 6240 for 560 cycles; a read to rank 1 added at
    // 6240 is served as if idle: ACT 6241, done 6241 + 48.
    Sim s(Ddr4());
    pesim_dram_sim_advance_to(s.h, 6240);
    s.Add(s.Addr(1, 0, 0, 0), false, 1);
    s.Drain();
    EXPECT_EQ(s.Times(PESIM_DRAM_REF), std::vector<uint64_t>{6240});
    EXPECT_EQ(s.FinishOf(1), 6241u + 48u);
}

// ---- event-driven path == ticking every cycle ------------------------------

struct Trace {
    std::vector<pesim_dram_request> reqs;
};

// Random traces with locality (a few hot rows), streams, writes, and idle gaps
// longer than tREFI.
Trace RandomTrace(TestRng &rng, int n, const pesim_dram &d)
{
    Trace t;
    uint64_t cycle = 0, stream = rng.next() % (1u << 20) * 64;
    uint64_t hot[4];
    for (uint64_t &h : hot) h = (rng.next() % (1ull << 30)) & ~63ull;
    uint64_t span = (uint64_t)d.row_bytes * 8;
    for (int i = 0; i < n; i++) {
        pesim_dram_request r;
        int kind = (int)rng.uni(0, 9);
        if (kind < 3) {
            r.addr = stream;
            stream += 64;
        } else if (kind < 7) {
            r.addr = hot[rng.uni(0, 3)] + (uint64_t)rng.uni(0, (int64_t)span / 64) * 64;
        } else {
            r.addr = rng.next() % (1ull << 34);
        }
        r.is_write = rng.coin(30);
        int gap = (int)rng.uni(0, 100);
        if (gap < 60)
            cycle += 0;
        else if (gap < 95)
            cycle += (uint64_t)rng.uni(1, 40);
        else if (gap < 99)
            cycle += (uint64_t)rng.uni(100, 3000);
        else
            cycle += (uint64_t)rng.uni(13000, 40000);
        r.cycle = cycle;
        t.reqs.push_back(r);
    }
    return t;
}

bool SameCommand(const pesim_dram_command &x, const pesim_dram_command &y)
{
    return x.cycle == y.cycle && x.cmd == y.cmd && x.channel == y.channel && x.rank == y.rank &&
           x.bankgroup == y.bankgroup && x.bank == y.bank && x.row == y.row && x.column == y.column && x.id == y.id;
}

// The trace driver contract, ticking every single cycle.
void TickDriver(pesim_dram_sim *h, const std::vector<pesim_dram_request> &reqs)
{
    size_t i = 0;
    int64_t last = -1;
    for (;;) {
        int64_t now = (int64_t)pesim_dram_sim_now(h);
        if (i < reqs.size() && (int64_t)reqs[i].cycle <= now && last < now &&
            pesim_dram_sim_will_accept(h, reqs[i].addr, reqs[i].is_write)) {
            ASSERT_EQ(pesim_dram_sim_add(h, reqs[i].addr, reqs[i].is_write, i), PESIM_OK);
            last = now;
            i++;
        }
        if (i == reqs.size() && pesim_dram_sim_outstanding(h) == 0) break;
        pesim_dram_sim_tick(h);
    }
}

TEST(DramEvent, AdvanceGivesExactlyTheResultsOfTicking)
{
    struct Cfg {
        pesim_dram d;
        pesim_dram_sched sched;
        int queue, cap;
        const char *map;
        int bank_queue = 0, age = 0;
    };
    pesim_dram two = Ddr4();
    two.channels = 2;
    pesim_dram lp = Lpddr4();
    lp.channels = 3;
    std::vector<Cfg> cfgs = {
        {Ddr4(), PESIM_DRAM_FRFCFS, 0, 0, nullptr},
        {Ddr4(), PESIM_DRAM_FCFS, 8, 0, nullptr},
        {two, PESIM_DRAM_FRFCFS, 4, 2, PESIM_DRAM_MAP_DRAMSIM3},
        {lp, PESIM_DRAM_FRFCFS, 16, -1, "chrobabgraco"},
        {lp, PESIM_DRAM_FCFS, 3, 0, nullptr},
        {Ddr4(), PESIM_DRAM_FRFCFS, 24, 4, nullptr, 2, 60},   // small bank queues, the age cap engaged
        {two, PESIM_DRAM_FRFCFS, 32, -1, PESIM_DRAM_MAP_DRAMSIM3, 32, 150},
    };
    uint64_t total_refs = 0, total_aged = 0;
    for (size_t k = 0; k < cfgs.size(); k++) {
        for (uint64_t seed = 1; seed <= 4; seed++) {
            TestRng rng(seed * 101 + k);
            Trace t = RandomTrace(rng, 1500, cfgs[k].d);
            pesim_dram_sim_options o = Opts(cfgs[k].sched, cfgs[k].queue);
            o.row_hit_cap = cfgs[k].cap;
            o.address_map = cfgs[k].map;
            o.bank_queue_depth = cfgs[k].bank_queue;
            o.age_cap_cycles = cfgs[k].age;
            Sim a(cfgs[k].d, o), b(cfgs[k].d, o);
            TickDriver(a.h, t.reqs);
            uint64_t count = 0;
            ASSERT_EQ(pesim_dram_sim_run_requests(b.h, t.reqs.data(), t.reqs.size(), &count, nullptr), PESIM_OK);
            EXPECT_EQ(count, t.reqs.size());
            auto sa = a.Stats(), sb = b.Stats();
            EXPECT_EQ(memcmp(sa.get(), sb.get(), sizeof *sa), 0) << "config " << k << " seed " << seed;
            EXPECT_EQ(sa->finish_cycle, sb->finish_cycle);
            EXPECT_EQ(sa->act, sb->act);
            EXPECT_EQ(sa->reads + sa->writes, t.reqs.size());
            EXPECT_TRUE(a.done == b.done) << "config " << k << " seed " << seed;
            ASSERT_EQ(a.cmds.size(), b.cmds.size());
            for (size_t i = 0; i < a.cmds.size(); i++) ASSERT_TRUE(SameCommand(a.cmds[i], b.cmds[i])) << "command " << i;
            total_refs += sa->ref;
            total_aged += sa->aged;
        }
    }
    EXPECT_GT(total_refs, 0u);   // the traces did cross refresh windows
    EXPECT_GT(total_aged, 0u);   // and the age cap engaged
}

TEST(DramEvent, NextEventIsExactAndAdvanceToLandsOnTarget)
{
    // Random jumps with advance_to against ticking, with requests added
    // at the same cycles in both.
    TestRng rng(77);
    Sim a(Ddr4()), b(Ddr4());
    for (int round = 0; round < 300; round++) {
        uint64_t addr = rng.next() % (1ull << 28);
        bool w = rng.coin(25);
        if (pesim_dram_sim_will_accept(a.h, addr, w)) {
            a.Add(addr, w, (uint64_t)round);
            b.Add(addr, w, (uint64_t)round);
        }
        uint64_t target = pesim_dram_sim_now(a.h) + (uint64_t)rng.uni(0, rng.coin(5) ? 20000 : 60);
        while (pesim_dram_sim_now(a.h) < target) pesim_dram_sim_tick(a.h);
        // next_event never lies: no command is issued before it.
        uint64_t ne = pesim_dram_sim_next_event(b.h);
        size_t before = b.cmds.size(), done_before = b.done.size();
        pesim_dram_sim_advance_to(b.h, target);
        EXPECT_EQ(pesim_dram_sim_now(b.h), target);
        for (size_t i = before; i < b.cmds.size(); i++) EXPECT_GE(b.cmds[i].cycle, ne);
        for (size_t i = done_before; i < b.done.size(); i++) EXPECT_GE(b.done[i].finish, ne);
    }
    a.Drain(10000000);
    b.Drain(10000000);
    auto sa = a.Stats(), sb = b.Stats();
    EXPECT_EQ(memcmp(sa.get(), sb.get(), sizeof *sa), 0);
    EXPECT_TRUE(a.done == b.done);
}

TEST(DramEvent, CallbackMayAddRequests)
{
    // A dependent chain (pointer chasing): each completion adds the next read.
    struct Chain {
        pesim_dram_sim *h = nullptr;
        int left = 50;
        uint64_t last = 0;
        static void Done(void *ctx, uint64_t id, uint64_t finish)
        {
            Chain *c = static_cast<Chain *>(ctx);
            c->last = finish;
            if (c->left-- > 0) pesim_dram_sim_add(c->h, (id + 1) * 0x12345 * 64, 0, id + 1);
        }
    };
    uint64_t finish[2];
    for (int mode = 0; mode < 2; mode++) {
        Chain c;
        pesim_dram_sim_options o = Opts();
        o.done = Chain::Done;
        o.ctx = &c;
        pesim_dram d = Ddr4();
        ASSERT_EQ(pesim_dram_sim_create(&d, &o, &c.h, nullptr), PESIM_OK);
        pesim_dram_sim_add(c.h, 0, 0, 0);
        while (pesim_dram_sim_outstanding(c.h) > 0) {
            if (mode == 0)
                pesim_dram_sim_tick(c.h);
            else
                pesim_dram_sim_advance_to(c.h, pesim_dram_sim_next_event(c.h) + 1);
        }
        finish[mode] = c.last;
        EXPECT_EQ(c.left, -1);
        pesim_dram_sim_destroy(c.h);
    }
    EXPECT_EQ(finish[0], finish[1]);
    EXPECT_GE(finish[0], 51u * 48u);   // every read at least a closed-bank access
}

// ---- an independent protocol checker on random traces ----------------------

// Replays the command stream and checks every JEDEC rule pairwise from the
// raw parameters (not from the model's folded bounds).
class Checker {
public:
    explicit Checker(const pesim_dram &d) : d_(d)
    {
        bl2_ = d.BL / 2;
        banks_.assign((size_t)d.channels * d.ranks * d.bankgroups * d.banks_per_group, Bank());
        ranks_.assign((size_t)d.channels * d.ranks, Rank());
        bus_.assign((size_t)d.channels, Bus());
        last_cmd_.assign((size_t)d.channels, -1);
    }
    void Check(const pesim_dram_command &c, uint64_t req_addr, const pesim_dram_coord *want)
    {
        const int64_t t = (int64_t)c.cycle;
        SCOPED_TRACE(Describe(c));
        ASSERT_LT(last_cmd_[(size_t)c.channel], t) << "two commands in one cycle on a channel";
        last_cmd_[(size_t)c.channel] = t;
        Rank &rk = ranks_[(size_t)(c.channel * d_.ranks + c.rank)];
        (void)req_addr;
        if (c.cmd == PESIM_DRAM_REF) {
            for (int g = 0; g < d_.bankgroups; g++)
                for (int b = 0; b < d_.banks_per_group; b++) {
                    Bank &x = At(c.channel, c.rank, g, b);
                    EXPECT_LT(x.open, 0) << "REF with an open bank";
                    EXPECT_GE(t, x.pre + d_.tRP);
                    EXPECT_GE(t, x.act + d_.tRC);
                }
            EXPECT_GE(t, rk.ref + d_.tRFC);
            rk.ref = t;
            rk.refs++;
            return;
        }
        Bank &x = At(c.channel, c.rank, c.bankgroup, c.bank);
        switch (c.cmd) {
        case PESIM_DRAM_ACT:
            EXPECT_LT(x.open, 0) << "ACT to an open bank";
            EXPECT_GE(t, x.pre + d_.tRP);
            EXPECT_GE(t, x.act + d_.tRC);
            EXPECT_GE(t, rk.ref + d_.tRFC);
            for (int g = 0; g < d_.bankgroups; g++)
                for (int b = 0; b < d_.banks_per_group; b++) {
                    if (g == c.bankgroup && b == c.bank) continue;
                    EXPECT_GE(t, At(c.channel, c.rank, g, b).act + (g == c.bankgroup ? d_.tRRD_L : d_.tRRD_S));
                }
            if (rk.acts.size() >= 4) {
                EXPECT_GE(t, rk.acts[rk.acts.size() - 4] + d_.tFAW) << "tFAW";
            }
            rk.acts.push_back(t);
            x.open = c.row;
            x.act = t;
            if (want) {
                EXPECT_EQ(c.row, want->row);
            }
            break;
        case PESIM_DRAM_PRE:
            EXPECT_GE(x.open, 0) << "PRE of a closed bank";
            EXPECT_GE(t, x.act + d_.tRAS);
            EXPECT_GE(t, x.rd + d_.tRTP);
            EXPECT_GE(t, x.wr + d_.CWL + bl2_ + d_.tWR);
            x.open = -1;
            x.pre = t;
            break;
        case PESIM_DRAM_RD:
        case PESIM_DRAM_WR: {
            bool rd = c.cmd == PESIM_DRAM_RD;
            EXPECT_EQ(x.open, c.row) << "CAS to a row that is not open";
            if (want) {
                EXPECT_EQ(c.row, want->row);
                EXPECT_EQ(c.column, want->column);
                EXPECT_EQ(c.bank, want->bank);
                EXPECT_EQ(c.bankgroup, want->bankgroup);
                EXPECT_EQ(c.rank, want->rank);
                EXPECT_EQ(c.channel, want->channel);
            }
            EXPECT_GE(t, x.act + d_.tRCD);
            for (int g = 0; g < d_.bankgroups; g++)
                for (int b = 0; b < d_.banks_per_group; b++) {
                    const Bank &y = At(c.channel, c.rank, g, b);
                    int64_t ccd = std::max<int64_t>(g == c.bankgroup ? d_.tCCD_L : d_.tCCD_S, bl2_);
                    EXPECT_GE(t, (rd ? y.rd : y.wr) + ccd) << "tCCD";
                    if (rd) {
                        EXPECT_GE(t, y.wr + d_.CWL + bl2_ + (g == c.bankgroup ? d_.tWTR_L : d_.tWTR_S)) << "tWTR";
                    }
                }
            // The data bus: no overlap; a rank switch or a read-to-write turn
            // leaves tRTRS.
            Bus &bus = bus_[(size_t)c.channel];
            int64_t start = t + (rd ? d_.CL : d_.CWL);
            int64_t gap = (bus.rank >= 0 && bus.rank != c.rank) || (bus.was_read && !rd) ? d_.tRTRS : 0;
            EXPECT_GE(start, bus.end + gap) << "data bus";
            bus.end = start + bl2_;
            bus.rank = c.rank;
            bus.was_read = rd;
            (rd ? x.rd : x.wr) = t;
            break;
        }
        default:
            ADD_FAILURE() << "unknown command";
        }
    }
    int64_t Refs(int channel, int rank) const { return ranks_[(size_t)(channel * d_.ranks + rank)].refs; }

private:
    static constexpr int64_t kLongAgo = -1000000;
    struct Bank {
        int64_t open = -1, act = kLongAgo, pre = kLongAgo, rd = kLongAgo, wr = kLongAgo;
    };
    struct Rank {
        int64_t ref = kLongAgo, refs = 0;
        std::vector<int64_t> acts;
    };
    struct Bus {
        int64_t end = kLongAgo;
        int rank = -1;
        bool was_read = false;
    };
    Bank &At(int ch, int r, int g, int b)
    {
        return banks_[(size_t)(((ch * d_.ranks + r) * d_.bankgroups + g) * d_.banks_per_group + b)];
    }
    static std::string Describe(const pesim_dram_command &c)
    {
        static const char *const names[] = {"ACT", "PRE", "RD", "WR", "REF"};
        std::ostringstream s;
        s << names[c.cmd] << " at " << c.cycle << " ch" << c.channel << " ra" << c.rank << " bg" << c.bankgroup
          << " ba" << c.bank << " row " << c.row;
        return s.str();
    }
    pesim_dram d_;
    int64_t bl2_;
    std::vector<Bank> banks_;
    std::vector<Rank> ranks_;
    std::vector<Bus> bus_;
    std::vector<int64_t> last_cmd_;
};

TEST(DramProtocol, RandomTracesObeyEveryTimingRule)
{
    pesim_dram two = Ddr4();
    two.channels = 2;
    std::vector<std::pair<pesim_dram, pesim_dram_sched>> cfgs = {
        {Ddr4(), PESIM_DRAM_FRFCFS}, {Ddr4(), PESIM_DRAM_FCFS}, {two, PESIM_DRAM_FRFCFS}, {Lpddr4(), PESIM_DRAM_FRFCFS},
        {Ddr4(), PESIM_DRAM_FRFCFS}, {Ddr3(), PESIM_DRAM_FRFCFS}};  // DDR3: 8 banks, no bank groups
    for (size_t k = 0; k < cfgs.size(); k++) {
        const pesim_dram &d = cfgs[k].first;
        TestRng rng(1000 + k);
        Trace t = RandomTrace(rng, 4000, d);
        pesim_dram_sim_options o = Opts(cfgs[k].second);
        if (k == 4) o.bank_queue_depth = 2, o.age_cap_cycles = 60;   // the age cap engaged often
        Sim s(d, o);
        uint64_t count = 0;
        ASSERT_EQ(pesim_dram_sim_run_requests(s.h, t.reqs.data(), t.reqs.size(), &count, nullptr), PESIM_OK);
        Checker chk(d);
        std::map<uint64_t, uint64_t> cas_cycle;
        for (const pesim_dram_command &c : s.cmds) {
            pesim_dram_coord want;
            bool has = c.id != UINT64_MAX && c.cmd != PESIM_DRAM_PRE;
            if (has) pesim_dram_sim_decode(s.h, t.reqs[c.id].addr, &want);
            chk.Check(c, has ? t.reqs[c.id].addr : 0, has ? &want : nullptr);
            if (c.id != UINT64_MAX) {
                EXPECT_GT(c.cycle, t.reqs[c.id].cycle) << "a command in the cycle its request arrived";
            }
            if (c.cmd == PESIM_DRAM_RD || c.cmd == PESIM_DRAM_WR) {
                EXPECT_EQ(cas_cycle.count(c.id), 0u) << "request " << c.id << " served twice";
                cas_cycle[c.id] = c.cycle;
            }
            if (::testing::Test::HasFatalFailure() || ::testing::Test::HasNonfatalFailure()) return;
        }
        // Every request served once; its completion is its CAS + latency.
        ASSERT_EQ(s.done.size(), t.reqs.size());
        for (const Done &x : s.done) {
            bool w = t.reqs[x.id].is_write;
            EXPECT_EQ(x.finish, cas_cycle[x.id] + (uint64_t)(w ? d.CWL : d.CL) + (uint64_t)d.BL / 2);
        }
        // Refresh: each rank refreshed once per tREFI elapsed (the first due at
        // (rank + 1) * tREFI / ranks).
        uint64_t end = pesim_dram_sim_now(s.h);
        for (int ch = 0; ch < d.channels; ch++)
            for (int r = 0; r < d.ranks; r++) {
                int64_t first = (int64_t)(r + 1) * (d.tREFI / d.ranks), period = d.ranks * (d.tREFI / d.ranks);
                int64_t due = (int64_t)end > first ? ((int64_t)end - first) / period + 1 : 0;
                EXPECT_GE(chk.Refs(ch, r), due - 1) << "ch " << ch << " rank " << r;
                EXPECT_LE(chk.Refs(ch, r), due) << "ch " << ch << " rank " << r;
            }
    }
}

// ---- bandwidth -------------------------------------------------------------

double RunBandwidth(const pesim_dram &d, const std::vector<pesim_dram_request> &reqs, pesim_dram_sched sched,
                    int queue = 0, double *busy_frac = nullptr)
{
    Sim s(d, Opts(sched, queue));
    uint64_t count = 0;
    EXPECT_EQ(pesim_dram_sim_run_requests(s.h, reqs.data(), reqs.size(), &count, nullptr), PESIM_OK);
    auto st = s.Stats();
    double bytes = (double)(st->reads + st->writes) * (double)pesim_dram_burst_bytes(&d);
    if (busy_frac) *busy_frac = (double)st->busy_cycles / ((double)st->finish_cycle * d.channels);
    return bytes / ((double)st->finish_cycle * d.tck_ns);
}

std::vector<pesim_dram_request> Sequential(const pesim_dram &d, int n)
{
    std::vector<pesim_dram_request> v((size_t)n);
    for (int i = 0; i < n; i++) v[(size_t)i] = {(uint64_t)i * pesim_dram_burst_bytes(&d), 0, 0};
    return v;
}

std::vector<pesim_dram_request> Random(int n, uint64_t seed)
{
    TestRng rng(seed);
    std::vector<pesim_dram_request> v((size_t)n);
    for (int i = 0; i < n; i++) v[(size_t)i] = {rng.next() % (1ull << 33), 0, 0};   // 8 GiB
    return v;
}

TEST(DramBandwidth, SequentialReachesPeak)
{
    // A stream moves one burst every BL/2 cycles but for refresh (tRFC /
    // tREFI = 4.5% of a rank's time) and row changes: > 90% of the peak,
    // with either scheduler. Busy data-bus cycles and bandwidth agree.
    for (pesim_dram d : {Ddr4(), Lpddr4()})
        for (pesim_dram_sched sched : {PESIM_DRAM_FRFCFS, PESIM_DRAM_FCFS}) {
            double peak = pesim_dram_peak_gbps(&d), busy = 0;
            double bw = RunBandwidth(d, Sequential(d, 40000), sched, 0, &busy);
            EXPECT_GT(bw, 0.90 * peak) << d.preset << " sched " << sched;
            EXPECT_LE(bw, peak);
            EXPECT_NEAR(bw / peak, busy, 1e-9);
        }
}

TEST(DramBandwidth, RandomReadsAreBoundByActivates)
{
    // Random reads need an ACT each; a rank takes at most 4 ACTs per tFAW, so
    // the data bus is busy at most 4 * BL/2 / tFAW = 16/34 = 47% per rank.
    // One rank: well under half the peak. Two ranks and a 32-deep FR-FCFS
    // queue: under the 94% tFAW bound, and under the stream because every
    // rank switch costs tRTRS. A shallow queue leaves too few banks busy.
    // FCFS serves one request at a time: a small fraction.
    pesim_dram d = Ddr4();
    double peak = pesim_dram_peak_gbps(&d);
    std::vector<pesim_dram_request> rnd = Random(40000, 5);
    double seq = RunBandwidth(d, Sequential(d, 40000), PESIM_DRAM_FRFCFS);
    double two = RunBandwidth(d, rnd, PESIM_DRAM_FRFCFS);
    EXPECT_LT(two, 2 * 4 * 4 / 34.0 * peak);
    EXPECT_LT(two, 0.9 * seq);
    double shallow = RunBandwidth(d, rnd, PESIM_DRAM_FRFCFS, 8);
    EXPECT_LT(shallow, 0.6 * seq);
    pesim_dram one = d;
    one.ranks = 1;
    double one_rank = RunBandwidth(one, rnd, PESIM_DRAM_FRFCFS);
    EXPECT_LT(one_rank, 4 * 4 / 34.0 * peak);
    EXPECT_LT(one_rank, 0.5 * seq);
    double fcfs = RunBandwidth(d, rnd, PESIM_DRAM_FCFS);
    EXPECT_LT(fcfs, 0.2 * two);
    printf("[ info ] ddr4-3200 GB/s: peak %.1f, sequential %.1f, random: 2 ranks %.1f, queue 8 %.1f, 1 rank %.1f, "
           "FCFS %.1f\n", peak, seq, two, shallow, one_rank, fcfs);
}

TEST(DramBandwidth, DramsimMapPaysTccdLOnStreams)
{
    // With DRAMsim3's column-lowest map, consecutive bursts stay in one bank
    // group, so a DDR4 stream is paced by tCCD_L = 8, not BL/2 = 4: about half
    // of the peak (a little more where the queue spans two banks).
    pesim_dram d = Ddr4();
    pesim_dram_sim_options o = Opts();
    o.address_map = PESIM_DRAM_MAP_DRAMSIM3;
    Sim s(d, o);
    std::vector<pesim_dram_request> seq = Sequential(d, 20000);
    ASSERT_EQ(pesim_dram_sim_run_requests(s.h, seq.data(), seq.size(), nullptr, nullptr), PESIM_OK);
    auto st = s.Stats();
    double frac = (double)st->busy_cycles / (double)st->finish_cycle;
    EXPECT_GT(frac, 0.45);
    EXPECT_LT(frac, 0.65);
}

// ---- latency classes and stream bandwidth, derived from the timings ---------
//
// docs/dram.md derives, from the JEDEC timings alone (a request added at t
// issues its first command at t + 1):
//   row hit      1 + CL + BL/2               (DDR4-3200: 27, LPDDR4-2400: 26)
//   row miss     1 + tRCD + CL + BL/2        (49, 41)
//   row conflict 1 + tRP + tRCD + CL + BL/2  (71, 56)
// for a read whose bank is otherwise idle, and a read stream's finish cycle.

enum ReqClass { kHit, kMiss, kConflict };

uint64_t ClassLatency(const pesim_dram &d, ReqClass c)
{
    uint64_t lat = 1 + (uint64_t)d.CL + (uint64_t)d.BL / 2;
    if (c != kHit) lat += (uint64_t)d.tRCD;
    if (c == kConflict) lat += (uint64_t)d.tRP;
    return lat;
}

// The class of each request of an address sequence under the open-page
// policy, from the addresses alone: a bank keeps the last row it opened.
std::vector<ReqClass> Classify(pesim_dram_sim *h, const std::vector<pesim_dram_request> &reqs)
{
    std::map<std::vector<int64_t>, int64_t> open;
    std::vector<ReqClass> cls;
    for (const pesim_dram_request &r : reqs) {
        pesim_dram_coord c;
        pesim_dram_sim_decode(h, r.addr, &c);
        std::vector<int64_t> bank = {c.channel, c.rank, c.bankgroup, c.bank};
        auto it = open.find(bank);
        cls.push_back(it == open.end() ? kMiss : it->second == c.row ? kHit : kConflict);
        open[bank] = c.row;
    }
    return cls;
}

// The five generated traces of docs/dram.md's table, as address sequences.
std::vector<std::pair<std::string, std::vector<uint64_t>>> Patterns(const pesim_dram &d, int n)
{
    uint64_t bb = pesim_dram_burst_bytes(&d);
    std::vector<std::pair<std::string, std::vector<uint64_t>>> p(5);
    TestRng rng(42);
    p[0].first = "stream";
    for (int i = 0; i < n; i++) p[0].second.push_back((uint64_t)i * bb);
    p[1].first = "random";
    for (int i = 0; i < n; i++) p[1].second.push_back((rng.next() % (1ull << 33)) / bb * bb);
    // A tile of a row-major matrix (row pitch 12 KiB): 8 matrix rows of 4
    // bursts, tile after tile along the matrix row.
    p[2].first = "tile";
    for (int i = 0; (int)p[2].second.size() < n; i++)
        for (int r = 0; r < 8; r++)
            for (int k = 0; k < 4; k++) p[2].second.push_back((uint64_t)r * 12288 + ((uint64_t)i * 4 + k) * bb);
    p[2].second.resize((size_t)n);
    // Three streams 512 MiB apart (the same bank, other rows), interleaved.
    p[3].first = "three streams";
    for (int i = 0; i < n; i++) p[3].second.push_back((uint64_t)(i % 3) * (512ull << 20) + (uint64_t)(i / 3) * bb);
    // The latency probe: per bank a row, another burst of it, another row
    // (miss or conflict, hit, conflict), bank after bank (32 KiB apart).
    p[4].first = "probe";
    for (int i = 0; (int)p[4].second.size() < n; i++) {
        uint64_t bank = (uint64_t)(i % 32) * 32768, round = (uint64_t)(i / 32) * (2ull << 20);
        p[4].second.push_back(bank + round);
        p[4].second.push_back(bank + round + 4 * bb);
        p[4].second.push_back(bank + round + (1ull << 20) + 8 * bb);
    }
    p[4].second.resize((size_t)n);
    return p;
}

TEST(DramLatency, EveryReadOfAnIdleBankTakesItsClassLatency)
{
    // Reads 300 cycles apart (longer than tRC, tRAS, tRTP, tWR: every bank is
    // idle when a read arrives), refresh off: each read's latency is exactly
    // its class's, on all five patterns and both presets; the histogram holds
    // only the three values.
    for (pesim_dram d : {Ddr4(), Lpddr4()}) {
        for (const auto &pat : Patterns(d, 600)) {
            std::vector<pesim_dram_request> reqs;
            for (size_t i = 0; i < pat.second.size(); i++) reqs.push_back({pat.second[i], 300 * (uint64_t)i, 0});
            Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
            ASSERT_EQ(pesim_dram_sim_run_requests(s.h, reqs.data(), reqs.size(), nullptr, nullptr), PESIM_OK);
            std::vector<ReqClass> cls = Classify(s.h, reqs);
            uint64_t n[3] = {0, 0, 0};
            for (size_t i = 0; i < reqs.size(); i++) {
                ASSERT_EQ(s.FinishOf(i) - reqs[i].cycle, ClassLatency(d, cls[i])) << d.preset << " " << pat.first
                                                                                     << " request " << i;
                n[cls[i]]++;
            }
            auto st = s.Stats();
            EXPECT_EQ(st->row_hits, n[kHit]) << pat.first;
            EXPECT_EQ(st->row_misses, n[kMiss]) << pat.first;
            EXPECT_EQ(st->row_conflicts, n[kConflict]) << pat.first;
            EXPECT_EQ(st->act, n[kMiss] + n[kConflict]) << pat.first;
            EXPECT_EQ(st->pre, n[kConflict]) << pat.first;
            uint64_t in_hist = 0;
            for (ReqClass c : {kHit, kMiss, kConflict}) in_hist += st->read_latency_hist[ClassLatency(d, c)];
            EXPECT_EQ(in_hist, reqs.size()) << pat.first;
            if (pat.first == "probe") {
                for (ReqClass c : {kHit, kMiss, kConflict}) EXPECT_GT(n[c], 0u) << pat.first;
            }
        }
    }
    // The derived values themselves (docs/dram.md's table).
    EXPECT_EQ(ClassLatency(Ddr4(), kHit), 27u);
    EXPECT_EQ(ClassLatency(Ddr4(), kMiss), 49u);
    EXPECT_EQ(ClassLatency(Ddr4(), kConflict), 71u);
    EXPECT_EQ(ClassLatency(Lpddr4(), kHit), 26u);
    EXPECT_EQ(ClassLatency(Lpddr4(), kMiss), 41u);
    EXPECT_EQ(ClassLatency(Lpddr4(), kConflict), 56u);
}

TEST(DramBandwidth, StreamFinishesAtTheDerivedCycle)
{
    // N sequential reads offered one a cycle from 0, default map, refresh off.
    // The first read's ACT at 1, its RD at 1 + tRCD; then one RD every
    // max(tCCD_S, BL/2) (consecutive bursts alternate bank groups), the ACTs
    // of the next banks hidden behind the queue (32 requests = 32 bursts
    // ahead, more than tRP + tRCD), one tRTRS more at every rank switch (every
    // ranks' row span: 2048 bursts on DDR4, 512 on LPDDR4). The last read's
    // data ends CL + BL/2 after its RD:
    //   finish = 1 + tRCD + CL + N * BL/2 + tRTRS * floor((N - 1) / bursts per rank span)
    for (pesim_dram d : {Ddr4(), Lpddr4()}) {
        const uint64_t n = 20000, bl2 = (uint64_t)d.BL / 2;
        const uint64_t per_rank = 4ull * (uint64_t)d.bankgroups * (uint64_t)d.banks_per_group *
                                  ((uint64_t)d.row_bytes / pesim_dram_burst_bytes(&d)) / 4;
        uint64_t want = 1 + (uint64_t)d.tRCD + (uint64_t)d.CL + n * bl2 + (uint64_t)d.tRTRS * ((n - 1) / per_rank);
        Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
        std::vector<pesim_dram_request> seq = Sequential(d, (int)n);
        for (size_t i = 0; i < seq.size(); i++) seq[i].cycle = i;
        ASSERT_EQ(pesim_dram_sim_run_requests(s.h, seq.data(), seq.size(), nullptr, nullptr), PESIM_OK);
        auto st = s.Stats();
        EXPECT_EQ(st->finish_cycle, want) << d.preset;
        // Bandwidth: N bursts over finish cycles; the peak is one burst every
        // BL/2 cycles (2 x bus width per tCK).
        double peak = pesim_dram_peak_gbps(&d);
        EXPECT_DOUBLE_EQ(peak, 2.0 * d.bus_bits / 8.0 / d.tck_ns);
        double bw = (double)(n * pesim_dram_burst_bytes(&d)) / ((double)st->finish_cycle * d.tck_ns);
        EXPECT_NEAR(bw / peak, (double)(n * bl2) / (double)want, 1e-12) << d.preset;
        EXPECT_GT(bw / peak, 0.997) << d.preset;
    }
}

TEST(DramBandwidth, RandomReadsPayAnActEachAndStayUnderTheActivateBounds)
{
    // Random reads over 8 GiB offered at once: every one needs its own ACT
    // (without refresh: ACT = misses + conflicts, PRE = conflicts; a refresh
    // that closes a bank between a request's ACT and its CAS costs one more
    // ACT, never more than the refresh PREs), and the data bus is bound by
    // tFAW: a rank takes 4 ACTs per tFAW, i.e. at most 4 bursts of BL/2
    // cycles per tFAW per rank.
    std::vector<pesim_dram_request> rnd = Random(20000, 9);
    for (bool refresh : {false, true})
        for (pesim_dram d : {Ddr4(), Lpddr4()}) {
        Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, refresh));
        ASSERT_EQ(pesim_dram_sim_run_requests(s.h, rnd.data(), rnd.size(), nullptr, nullptr), PESIM_OK);
        auto st = s.Stats();
        EXPECT_GE(st->act, st->row_misses + st->row_conflicts);
        EXPECT_LE(st->act, st->row_misses + st->row_conflicts + st->refresh_pre);
        EXPECT_EQ(st->pre, st->row_conflicts + st->refresh_pre);
        if (!refresh) {
            EXPECT_EQ(st->act, st->row_misses + st->row_conflicts);
        }
        EXPECT_LT(st->row_hits, 20u);
        double bus = (double)st->busy_cycles / (double)st->finish_cycle;
        double faw_bound = std::min(1.0, (double)d.ranks * 4.0 * d.BL / 2.0 / d.tFAW);
        EXPECT_LE(bus, faw_bound) << d.preset;
        EXPECT_GT(bus, 0.5 * faw_bound) << d.preset;
    }
}

TEST(DramBandwidth, TileOpensEachRowOnce)
{
    // An 8 x 64-burst tile of a row-major matrix with a 32 KiB row pitch,
    // read by column blocks of 8 bursts, all requests offered at once. With
    // the default map a bank's row holds 32 KiB of consecutive addresses
    // (4 bank groups x 128 columns... of which a matrix row's 64 bursts take
    // 16 columns in each bank group), and the 8 matrix rows land in the 4
    // banks of each of the 2 ranks: 32 DRAM rows in 32 distinct banks. So,
    // whatever order the scheduler picks, each is opened once: ACT = 32, and
    // the other 480 reads are row hits.
    pesim_dram d = Ddr4();
    Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
    std::vector<pesim_dram_request> reqs;
    std::set<std::vector<int64_t>> banks;
    for (int blk = 0; blk < 8; blk++)
        for (int r = 0; r < 8; r++)
            for (int k = 0; k < 8; k++) {
                uint64_t a = (uint64_t)r * 32768 + (uint64_t)(blk * 8 + k) * 64;
                reqs.push_back({a, 0, 0});
                pesim_dram_coord c;
                pesim_dram_sim_decode(s.h, a, &c);
                banks.insert({c.rank, c.bankgroup, c.bank, c.row == 0 ? 0 : -1});
            }
    ASSERT_EQ(banks.size(), 32u);
    ASSERT_EQ(pesim_dram_sim_run_requests(s.h, reqs.data(), reqs.size(), nullptr, nullptr), PESIM_OK);
    auto st = s.Stats();
    EXPECT_EQ(st->act, 32u);
    EXPECT_EQ(st->row_misses, 32u);
    EXPECT_EQ(st->row_conflicts, 0u);
    EXPECT_EQ(st->row_hits, 480u);
    EXPECT_EQ(st->pre, 0u);
}

TEST(DramBandwidth, ARefreshOfTheStreamedRankCostsItsDerivedStall)
{
    // 2000 sequential reads (all on rank 0: a rank spans 2048 bursts), one
    // offered a cycle; the RDs go at 23 + 4i. Rank 0's refresh is due at
    // tREFI / 2 = 6240, just after the RD at 6239 (L). The rank has 16 open
    // banks (the stream opened banks 0-3 of every bank group): 16 PREs at
    // 6240-6255 (the last RDs' banks just meet tRTP), REF tRP after the last
    // (6277), the next ACT tRFC later (6837), its RD tRCD later (6859), and
    // the stream goes on. Stall: 6859 - (L + 4) = (T - L - 4) + 15 + tRP +
    // tRFC + tRCD = 616 cycles; finish = 4 N + 45 + 616 = 8661.
    Sim s(Ddr4());
    std::vector<pesim_dram_request> seq = Sequential(Ddr4(), 2000);
    for (size_t i = 0; i < seq.size(); i++) seq[i].cycle = i;
    ASSERT_EQ(pesim_dram_sim_run_requests(s.h, seq.data(), seq.size(), nullptr, nullptr), PESIM_OK);
    std::vector<uint64_t> pre = s.Times(PESIM_DRAM_PRE), want_pre;
    for (uint64_t t = 6240; t <= 6255; t++) want_pre.push_back(t);
    EXPECT_EQ(pre, want_pre);
    EXPECT_EQ(s.Times(PESIM_DRAM_REF), std::vector<uint64_t>{6277});
    std::vector<uint64_t> rd = s.Times(PESIM_DRAM_RD);
    auto after = std::upper_bound(rd.begin(), rd.end(), 6240);
    ASSERT_NE(after, rd.end());
    EXPECT_EQ(*(after - 1), 6239u);
    EXPECT_EQ(*after, 6859u);
    EXPECT_EQ(s.Stats()->finish_cycle, 4u * 2000 + 45 + 616);
    EXPECT_EQ(s.Stats()->refresh_pre, 16u);
}

// ---- per-bank command queues, the age cap, background state ----------------

TEST(DramQueues, TheSchedulerSeesTheOldestRequestsOfEachBank)
{
    // Bank (0,0,0) has row 5 open (a read at 0, done 49). At 200: r0 row 6,
    // r1 row 7 (conflicts), r2 row 5 (a hit), r3 a read of bank group 1.
    // A bank queue of 3 or more holds r2: FR-FCFS serves the hit first:
    //   r2 RD 201 (done 227); r3 ACT 202, RD 224 (250); r0 PRE at r2's RD +
    //   tRTP = 213, ACT 235, RD 257 (283); r1 PRE at r0's ACT + tRAS = 287,
    //   ACT 309, RD 331 (357).
    // A bank queue of 2 holds r0 and r1 only; r2 waits for room (r3 has its
    // own bank's queue):
    //   r0 PRE 201, ACT 223, RD 245 (271); r3 ACT 202, RD 224 (250); r2 joins
    //   at 245; r1 PRE at r0's ACT + tRAS = 275, ACT 297, RD 319 (345); r2 is
    //   now a conflict: PRE 349, ACT 371, RD 393 (419).
    for (int depth : {3, 2}) {
        pesim_dram_sim_options o = Opts(PESIM_DRAM_FRFCFS, 0, false);
        o.bank_queue_depth = depth;
        Sim s(Ddr4(), o);
        s.Add(s.Addr(0, 0, 0, 5), false, 9);
        s.Drain();
        pesim_dram_sim_advance_to(s.h, 200);
        s.Add(s.Addr(0, 0, 0, 6), false, 0);
        s.Add(s.Addr(0, 0, 0, 7), false, 1);
        s.Add(s.Addr(0, 0, 0, 5, 3), false, 2);
        s.Add(s.Addr(0, 1, 0, 5), false, 3);
        s.Drain();
        EXPECT_EQ(s.FinishOf(3), 250u) << depth;
        if (depth == 3) {
            EXPECT_EQ(s.FinishOf(2), 227u);
            EXPECT_EQ(s.FinishOf(0), 283u);
            EXPECT_EQ(s.FinishOf(1), 357u);
            EXPECT_EQ(s.Stats()->act, 4u);
        } else {
            EXPECT_EQ(s.FinishOf(0), 271u);
            EXPECT_EQ(s.FinishOf(1), 345u);
            EXPECT_EQ(s.FinishOf(2), 419u);
            EXPECT_EQ(s.Stats()->act, 5u);
            EXPECT_EQ(s.Stats()->row_conflicts, 3u);
        }
    }
}

TEST(DramQueues, ThreeConflictingStreamsActivateMoreWithShallowerBankQueues)
{
    // Three sequential streams in one bank (DRAMsim3's map keeps a stream in
    // its row for 128 bursts; the streams are 512 MiB apart: other rows),
    // interleaved, offered at once. A bank queue shorter than the interleave
    // (3) never holds two requests of one stream: every request re-opens its
    // row (ACT = N). Deeper bank queues let FR-FCFS gather a stream's hits:
    // fewer ACTs; bank_queue_depth = queue_depth is one channel-wide queue.
    const int n = 3000;
    std::vector<pesim_dram_request> reqs;
    for (int i = 0; i < n; i++) reqs.push_back({(uint64_t)(i % 3) * (512ull << 20) + (uint64_t)(i / 3) * 64, 0, 0});
    uint64_t prev = 0;
    for (int depth : {1, 2, 4, 8, 32}) {
        pesim_dram_sim_options o = Opts(PESIM_DRAM_FRFCFS, 32, false);
        o.bank_queue_depth = depth;
        o.address_map = PESIM_DRAM_MAP_DRAMSIM3;
        Sim s(Ddr4(), o);
        ASSERT_EQ(pesim_dram_sim_run_requests(s.h, reqs.data(), reqs.size(), nullptr, nullptr), PESIM_OK);
        uint64_t act = s.Stats()->act;
        if (depth <= 2) {
            EXPECT_EQ(act, (uint64_t)n);
        } else {
            EXPECT_LT(act, prev) << depth;
        }
        printf("[ info ] three streams, bank queue %d: %llu ACTs for %d reads\n", depth, (unsigned long long)act, n);
        prev = act;
    }
}

TEST(DramQueues, AgeCapEndsStarvationAtTheDerivedCycle)
{
    // Row hits to rank 0 keep one RD every 4 cycles going (RDs at 23 + 4i:
    // 4 bank groups, tCCD_S = 4), at most 16 requests queued. R, a read of
    // rank 1, arrives at 100: ACT 101 (no hit is ready then), but its RD needs
    // the last rank-0 RD + BL/2 + tRTRS = 5 cycles and the next rank-0 RD
    // always comes 4 after the last: FR-FCFS starves R. With an age cap of
    // 100, R is the oldest request at 200 (the stream's requests wait < 70
    // cycles): no other CAS issues from 200 on, and R's RD goes at the last
    // rank-0 RD (199) + 5 = 204; done 230 (latency 130); the stream resumes 5
    // cycles after R's RD (209). Without a cap R is served only after the
    // stream stops (fed until 3000).
    for (int cap : {100, -1}) {
        pesim_dram_sim_options o = Opts(PESIM_DRAM_FRFCFS, 0, false);
        o.age_cap_cycles = cap;
        Sim s(Ddr4(), o);
        uint64_t next = 0, id = 1000;
        while (pesim_dram_sim_now(s.h) < 3000) {
            uint64_t now = pesim_dram_sim_now(s.h);
            if (now == 100) s.Add(s.Addr(1, 0, 0, 0), false, 0);
            if (pesim_dram_sim_outstanding(s.h) < 16) s.Add((next++ % 512) * 64, false, id++);
            pesim_dram_sim_tick(s.h);
        }
        s.Drain();
        std::vector<uint64_t> rd = s.Times(PESIM_DRAM_RD), r = s.Times(PESIM_DRAM_RD, 0);
        ASSERT_EQ(r.size(), 1u);
        if (cap > 0) {
            EXPECT_EQ(s.Times(PESIM_DRAM_ACT, 0), std::vector<uint64_t>{101});
            EXPECT_EQ(r[0], 204u);
            EXPECT_EQ(s.FinishOf(0), 230u);
            EXPECT_EQ(*(std::lower_bound(rd.begin(), rd.end(), 204) - 1), 199u);   // the last stream RD before
            EXPECT_EQ(*(std::upper_bound(rd.begin(), rd.end(), 204)), 209u);      // the stream resumes
            EXPECT_EQ(s.Stats()->aged, 1u);
        } else {
            EXPECT_GT(r[0], 3000u);
            EXPECT_EQ(s.Stats()->aged, 0u);
        }
    }
}

TEST(DramStats, BackgroundStateAndCommandCounts)
{
    // Rank 0: a read at 0 opens a row (ACT 1): cycle 0 precharged, then
    // active. At 100 a read of another row of that bank: PRE 101 (rank 0 all
    // precharged again), ACT 123. At 200: rank 0 active 100 + 77 = 177,
    // precharged 1 + 22 = 23; rank 1 precharged 200.
    pesim_dram d = Ddr4();
    Sim s(d, Opts(PESIM_DRAM_FRFCFS, 0, false));
    s.Add(s.Addr(0, 1, 1, 3), false, 0);
    pesim_dram_sim_advance_to(s.h, 100);
    s.Add(s.Addr(0, 1, 1, 4), true, 1);
    pesim_dram_sim_advance_to(s.h, 200);
    auto st = s.Stats();
    EXPECT_EQ(s.Times(PESIM_DRAM_PRE), std::vector<uint64_t>{101});
    EXPECT_EQ(s.Times(PESIM_DRAM_ACT), (std::vector<uint64_t>{1, 123}));
    EXPECT_EQ(st->rank_active_cycles[0], 177u);
    EXPECT_EQ(st->rank_precharged_cycles[0], 23u);
    EXPECT_EQ(st->rank_active_cycles[1], 0u);
    EXPECT_EQ(st->rank_precharged_cycles[1], 200u);
    EXPECT_EQ(st->active_cycles, 177u);
    EXPECT_EQ(st->precharged_cycles, 223u);
    EXPECT_EQ(st->act, 2u);
    EXPECT_EQ(st->pre, 1u);
    EXPECT_EQ(st->rd, 1u);
    EXPECT_EQ(st->wr, 1u);
    // Refresh closes every bank: with refresh on, rank 0 is precharged from
    // its refresh's PRE (tREFI / 2 = 6240) on, and the totals stay exact on
    // random traffic over two channels.
    Sim r(d);
    r.Add(r.Addr(0, 1, 1, 3), false, 0);
    pesim_dram_sim_advance_to(r.h, 7000);
    EXPECT_EQ(r.Times(PESIM_DRAM_PRE), std::vector<uint64_t>{6240});
    EXPECT_EQ(r.Stats()->rank_active_cycles[0], 6239u);
    pesim_dram two = d;
    two.channels = 2;
    Sim t(two);
    TestRng rng(5);
    Trace tr = RandomTrace(rng, 3000, two);
    ASSERT_EQ(pesim_dram_sim_run_requests(t.h, tr.reqs.data(), tr.reqs.size(), nullptr, nullptr), PESIM_OK);
    auto ts = t.Stats();
    EXPECT_EQ(ts->active_cycles + ts->precharged_cycles, ts->cycle * 2 * 2);
    EXPECT_EQ(ts->rank_active_cycles[0] + ts->rank_active_cycles[1], ts->active_cycles);
    EXPECT_EQ(ts->rd + ts->wr, tr.reqs.size());
}

// ---- DMA streams: several transfers in flight --------------------------------

TEST(DramDma, TransfersPipelineWithoutWaitingForData)
{
    // One stream; X1 = 256 B at 0 (bank 0, bank groups 0-3), X2 = 256 B at
    // 32 KiB (bank 1, bank groups 0-3), both from cycle 0. Bursts go one a
    // cycle: X1's at 0-3, X2's at 4-7. X1: ACTs 1, 5, 9, 13 (tRRD_S), RDs
    // 23-35, done 49-61. X2's ACTs wait for tFAW (the fifth ACT >= 1 + 34),
    // and at 35 X1's last RD has the command bus: 36, 40, 44, 48; RDs 58-70,
    // done 84-96. X2 is done at 96.
    // With one transfer in flight (X2 starting after X1's data, at 62): ACTs
    // 63, 67, 71, 75, RDs 85-97, done 123.
    for (bool serial : {false, true}) {
        pesim_dram_sim_options o = Opts(PESIM_DRAM_FRFCFS, 0, false);
        pesim_dram_dma *dma = nullptr;
        pesim_dram d = Ddr4();
        ASSERT_EQ(pesim_dram_dma_create(&d, &o, 1, &dma, nullptr), PESIM_OK);
        uint64_t x1 = 0, x2 = 0, f1 = 0, f2 = 0;
        ASSERT_EQ(pesim_dram_dma_submit(dma, 0, 0, 256, 0, 0, &x1), PESIM_OK);
        if (serial) {
            f1 = pesim_dram_dma_wait(dma, x1);
            ASSERT_EQ(pesim_dram_dma_submit(dma, 0, 32768, 256, 0, f1 + 1, &x2), PESIM_OK);
        } else {
            ASSERT_EQ(pesim_dram_dma_submit(dma, 0, 32768, 256, 0, 0, &x2), PESIM_OK);
            EXPECT_EQ(pesim_dram_dma_poll(dma, x1, &f1), 0);
        }
        f2 = pesim_dram_dma_wait(dma, x2);
        ASSERT_EQ(pesim_dram_dma_poll(dma, x1, &f1), 1);
        EXPECT_EQ(f1, 61u);
        EXPECT_EQ(f2, serial ? 123u : 96u);
        EXPECT_EQ(x1, 1u);
        EXPECT_EQ(x2, 2u);
        pesim_dram_dma_destroy(dma);
    }
}

TEST(DramDma, StreamsInterleaveAndTransfersSpanBursts)
{
    // Two streams offer in the same cycle: a read of 3 bursts (bytes 32 to
    // 160: bursts 0, 1 and 2) and a write of one burst, both from cycle 10.
    // The command hook keeps the caller's context.
    struct Rec {
        std::vector<pesim_dram_command> c;
    } rec;
    pesim_dram_sim_options o = Opts(PESIM_DRAM_FRFCFS, 0, false);
    o.on_command = [](void *ctx, const pesim_dram_command *x) { static_cast<Rec *>(ctx)->c.push_back(*x); };
    o.ctx = &rec;
    pesim_dram d = Ddr4();
    pesim_dram_dma *dma = nullptr;
    ASSERT_EQ(pesim_dram_dma_create(&d, &o, 2, &dma, nullptr), PESIM_OK);
    uint64_t xr = 0, xw = 0;
    ASSERT_EQ(pesim_dram_dma_submit(dma, 0, 32, 128, 0, 10, &xr), PESIM_OK);
    ASSERT_EQ(pesim_dram_dma_submit(dma, 1, 1 << 20, 64, 1, 10, &xw), PESIM_OK);
    pesim_dram_dma_advance_to(dma, 11);
    EXPECT_EQ(pesim_dram_sim_outstanding(pesim_dram_dma_sim(dma)), 2u);   // one burst of each stream at 10
    uint64_t fr = pesim_dram_dma_wait(dma, xr), fw = pesim_dram_dma_wait(dma, xw);
    EXPECT_GT(fr, 10u + 49u);
    EXPECT_GT(fw, 10u);
    auto *st = new pesim_dram_stats;
    pesim_dram_sim_stats(pesim_dram_dma_sim(dma), st);
    EXPECT_EQ(st->rd, 3u);
    EXPECT_EQ(st->wr, 1u);
    delete st;
    int cas = 0;
    for (const auto &c : rec.c) cas += c.cmd == PESIM_DRAM_RD || c.cmd == PESIM_DRAM_WR;
    EXPECT_EQ(cas, 4);
    // Bad input.
    uint64_t x = 0;
    EXPECT_EQ(pesim_dram_dma_submit(dma, 2, 0, 64, 0, 0, &x), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_dram_dma_submit(dma, 0, 0, 0, 0, 0, &x), PESIM_ERR_RANGE);
    EXPECT_EQ(pesim_dram_dma_wait(dma, 99), 0u);
    pesim_dram_dma_destroy(dma);
    pesim_dram_dma_destroy(nullptr);
    pesim_error e;
    EXPECT_EQ(pesim_dram_dma_create(&d, nullptr, 0, &dma, &e), PESIM_ERR_RANGE);
    o.done = [](void *, uint64_t, uint64_t) {};
    EXPECT_EQ(pesim_dram_dma_create(&d, &o, 1, &dma, &e), PESIM_ERR_RANGE);
    EXPECT_EQ(dma, nullptr);
}

// ---- the engine's DRAM statistics ---------------------------------------------

TEST(DramEngine, StatsCoverTheWholeRun)
{
    // The engine runs the DRAM model on to its last cycle: the background
    // rank-cycles add up to dram_cycles x ranks x channels, there is one RD
    // (WR) per burst read (written), and the refreshes are those due before
    // dram_cycles (each rank due every tREFI from (rank + 1) tREFI / ranks on,
    // at most one still pending at the end).
    int checked = 0;
    for (int seed = 1; seed <= 60; seed++) {
        TestRng rng((uint64_t)seed + 777);
        pesim_arch a = test_arch(rng, 3);
        for (int lv = 0; lv < 2; lv++) a.level[lv].read_words_per_cycle = a.level[lv].write_words_per_cycle = 4;
        pesim_level &top = a.level[2];
        top.is_dram = 1;
        ASSERT_EQ(pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram), PESIM_OK);
        top.dram.channels = (int)rng.uni(1, 2);
        pesim_layer l = test_layer(1, 1, rng.uni(4, 32), rng.uni(4, 32), rng.uni(4, 28), rng.uni(4, 28), 3, 3);
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_cost c;
        pesim_engine_stats st;
        ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c, &st), PESIM_OK);
        if (!c.valid) continue;
        checked++;
        const pesim_dram &d = top.dram;
        EXPECT_GE(st.dram_cycles, (int64_t)pesim_dram_from_accel_cycles(&d, a.clock_mhz, (uint64_t)c.cycles));
        EXPECT_EQ(st.dram_active_cycles + st.dram_precharged_cycles, st.dram_cycles * d.ranks * d.channels);
        EXPECT_EQ(st.dram_rd, st.dram_reads) << seed;
        EXPECT_EQ(st.dram_wr, st.dram_writes) << seed;
        EXPECT_GE(st.dram_act, st.dram_row_misses + st.dram_row_conflicts) << seed;
        int64_t due = 0, step = d.tREFI / d.ranks;
        for (int r = 0; r < d.ranks; r++)
            if (st.dram_cycles > (r + 1) * step) due += (st.dram_cycles - (r + 1) * step - 1) / (step * d.ranks) + 1;
        due *= d.channels;
        EXPECT_LE(st.dram_refreshes, due) << seed;
        EXPECT_GE(st.dram_refreshes, due - d.ranks * d.channels) << seed;
    }
    EXPECT_GT(checked, 20);
}

// ---- address mapping, checks, helpers ---------------------------------------

TEST(DramMap, DefaultInterleavesChannelsThenBankGroups)
{
    pesim_dram d = Ddr4();
    d.channels = 2;
    Sim s(d);
    pesim_dram_coord c;
    // burst i: channel i % 2, bank group (i / 2) % 4, column i / 8.
    for (uint64_t i = 0; i < 64; i++) {
        pesim_dram_sim_decode(s.h, i * 64 + 17, &c);   // bytes inside a burst are ignored
        EXPECT_EQ(c.channel, (int)(i % 2));
        EXPECT_EQ(c.bankgroup, (int)(i / 2 % 4));
        EXPECT_EQ(c.column, (int64_t)(i / 8));
        EXPECT_EQ(c.bank, 0);
        EXPECT_EQ(c.row, 0);
    }
    // A full row of a bank: 2 ch x 4 bg x 128 columns x 64 B = 64 KiB, then the
    // next bank, then the rank, then the row.
    pesim_dram_sim_decode(s.h, 65536, &c);
    EXPECT_EQ(c.bank, 1);
    pesim_dram_sim_decode(s.h, 65536 * 4, &c);
    EXPECT_EQ(c.rank, 1);
    pesim_dram_sim_decode(s.h, 65536 * 8, &c);
    EXPECT_EQ(c.row, 1);
    // Round trip.
    TestRng rng(3);
    for (int i = 0; i < 1000; i++) {
        uint64_t a = (rng.next() % (1ull << 40)) & ~63ull;
        pesim_dram_sim_decode(s.h, a, &c);
        EXPECT_EQ(pesim_dram_sim_encode(s.h, &c), a);
    }
}

TEST(DramMap, AlternativeMapsAndErrors)
{
    pesim_dram_sim_options o = Opts();
    o.address_map = PESIM_DRAM_MAP_DRAMSIM3;   // ro ch ra ba bg co
    Sim s(Ddr4(), o);
    pesim_dram_coord c;
    pesim_dram_sim_decode(s.h, 127 * 64, &c);
    EXPECT_EQ(c.column, 127);
    EXPECT_EQ(c.bankgroup, 0);
    pesim_dram_sim_decode(s.h, 128 * 64, &c);
    EXPECT_EQ(c.column, 0);
    EXPECT_EQ(c.bankgroup, 1);
    EXPECT_STREQ(pesim_dram_sim_get_options(s.h)->address_map, PESIM_DRAM_MAP_DRAMSIM3);

    // Row not on top: rows wrap at rows_per_bank.
    o.address_map = "chrorababgco";
    o.rows_per_bank = 16;
    pesim_dram d = Ddr4();
    d.channels = 2;
    Sim w(d, o);
    uint64_t per_channel = 16ull * 2 * 4 * 4 * 8192;   // rows x ranks x banks x row bytes
    pesim_dram_sim_decode(w.h, per_channel, &c);
    EXPECT_EQ(c.channel, 1);
    EXPECT_EQ(c.row, 0);

    // DRAMsim3's two-letter fields in any case, with or without separators.
    char canon[16];
    for (const char *ok : {"rochrababgco", "ROCHRABABGCO", "Ro-Ch-Ra-Ba-Bg-Co", "ro:ch:ra:ba:bg:co", "ro/ch.ra,ba_bg-co"}) {
        EXPECT_EQ(pesim_dram_map_canonical(ok, canon), 0) << ok;
        EXPECT_STREQ(canon, "rochrababgco") << ok;
    }
    for (const char *bad : {"", "rochrababg", "ro--chrababgco", "-rochrababgco", "ro chrababgco", "rochrababgco-"}) {
        EXPECT_EQ(pesim_dram_map_canonical(bad, canon), -1) << bad;
        EXPECT_STREQ(canon, "") << bad;
    }
    EXPECT_EQ(pesim_dram_map_canonical(nullptr, canon), -1);
    o.address_map = "Ro-Ch-Ra-Ba-Bg-Co";
    {
        Sim m(Ddr4(), o);
        EXPECT_STREQ(pesim_dram_sim_get_options(m.h)->address_map, PESIM_DRAM_MAP_DRAMSIM3);
    }

    pesim_dram_sim *h = nullptr;
    pesim_error e;
    for (const char *bad : {"rorabacobg", "rorabacobgbg", "xxrabacobgch", "rorabacobgchro"}) {
        o.address_map = bad;
        EXPECT_EQ(pesim_dram_sim_create(&d, &o, &h, &e), PESIM_ERR_INVALID) << bad;
        EXPECT_EQ(h, nullptr);
        EXPECT_STREQ(e.key, "address_map");
    }
    pesim_dram bad = Ddr4();
    bad.tRCD = 0;
    EXPECT_EQ(pesim_dram_sim_create(&bad, nullptr, &h, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "dram.tRCD");
    bad = Ddr4();
    bad.BL = 7;
    EXPECT_EQ(pesim_dram_check(&bad, &e), PESIM_ERR_RANGE);
    EXPECT_STREQ(e.key, "dram.BL");
    bad = Ddr4();
    bad.row_bytes = 100;
    EXPECT_EQ(pesim_dram_check(&bad, &e), PESIM_ERR_RANGE);
    bad = Ddr4();
    bad.tREFI = 100;   // < tRFC: only with refresh on
    EXPECT_EQ(pesim_dram_sim_create(&bad, nullptr, &h, &e), PESIM_ERR_RANGE);
    pesim_dram_sim_options off = Opts(PESIM_DRAM_FRFCFS, 0, false);
    EXPECT_EQ(pesim_dram_sim_create(&bad, &off, &h, &e), PESIM_OK);
    pesim_dram_sim_destroy(h);
    pesim_dram_sim_destroy(nullptr);
}

// The precomputed clock against the conversions it replaces (the oracle: the
// long-double pesim_dram_to/from_accel_cycles and the least-n search by their
// definition), over every argument below 20,000 and random ones up to 1e13,
// which cross the integer path's bound into its fallback. The fractions are
// hand-checked: 0.625 ns at 1 GHz is 5/8 accel cycles per DRAM cycle, at 700
// MHz 0.4375 = 7/16; pi/4 ns has no fraction with q <= 10^6 within 1e-15.
// The clock crossing against exact rational arithmetic written here: tCK and
// the clock as the decimals they are written as (1/3 as a third), the ratio
// tCK x clock / 1000 = P / Q reduced, and the conversions in 128-bit integers.
TEST(DramMisc, ClockConversionsAreExactFractions)
{
    pesim_dram d = Ddr4();
    pesim_dram_clock c;
    pesim_dram_clock_init(&c, &d, 1000);
    EXPECT_EQ(c.p, 5u);
    EXPECT_EQ(c.q, 8u);
    d.tck_ns = 0.78539816339744830962;
    pesim_dram_clock_init(&c, &d, 1000);
    EXPECT_EQ(c.q, 0u);
    struct Dec { double v; uint64_t num, den; };  // den 0: irrational
    const Dec tcks[] = {{0.625, 625, 1000}, {0.833, 833, 1000}, {0.468, 468, 1000}, {1.25, 125, 100},
                        {0.682, 682, 1000}, {1.0 / 3.0, 1, 3}, {0.78539816339744830962, 0, 0}, {2.5, 25, 10}};
    const Dec clocks[] = {{1000, 1000, 1}, {200, 200, 1}, {700, 700, 1}, {333.3, 3333, 10}, {940, 940, 1},
                          {1, 1, 1}, {1234.5, 12345, 10}, {100, 100, 1}, {250, 250, 1}, {2000, 2000, 1},
                          {0.5, 5, 10}};
    typedef unsigned __int128 u128;
    uint64_t rng = 88172645463325252ull;
    auto next = [&rng]() { rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; return rng; };
    int fractions = 0;
    for (const Dec &t : tcks)
        for (const Dec &m : clocks) {
            d.tck_ns = t.v;
            pesim_dram_clock_init(&c, &d, m.v);
            uint64_t P = t.num * m.num, Q = t.den * m.den * 1000, g = std::gcd(P, Q ? Q : 1);
            bool exact = t.den && Q / g <= 1000000 && P / g <= 100000000000ull;
            if (exact) P /= g, Q /= g;
            fractions += exact;
            ASSERT_EQ(c.q, exact ? Q : 0) << "tck " << t.v << " clock " << m.v;
            if (exact) {
                ASSERT_EQ(c.p, P) << "tck " << t.v << " clock " << m.v;
            }
            auto check = [&](uint64_t v) {  // v < 2^50: every result fits
                uint64_t to = exact ? (uint64_t)(((u128)v * P + Q - 1) / Q) : pesim_dram_clock_to_accel(&c, v);
                uint64_t from = exact ? (uint64_t)(((u128)v * Q + P - 1) / P) : pesim_dram_clock_from_accel(&c, v);
                ASSERT_EQ(pesim_dram_clock_to_accel(&c, v), to) << "tck " << t.v << " clock " << m.v << " dram " << v;
                ASSERT_EQ(pesim_dram_clock_from_accel(&c, v), from) << "tck " << t.v << " clock " << m.v << " accel " << v;
                if (v % 64 == 0) {  // the one-off conversions find the fraction per call: slower
                    ASSERT_EQ(pesim_dram_to_accel_cycles(&d, m.v, v), to) << "tck " << t.v << " clock " << m.v;
                    ASSERT_EQ(pesim_dram_from_accel_cycles(&d, m.v, v), from) << "tck " << t.v << " clock " << m.v;
                }
                if (v == 0 || (!exact && v >> 36)) return;  // the long-double path's search grows with v
                // the first DRAM cycle seen at accelerator cycle v: the least n with to_accel(n) >= v
                uint64_t n = exact ? (uint64_t)((u128)(v - 1) * Q / P) + 1 : pesim_dram_clock_seen_at(&c, v);
                ASSERT_GE(pesim_dram_clock_to_accel(&c, n), v) << "tck " << t.v << " clock " << m.v << " a " << v;
                ASSERT_TRUE(n == 0 || pesim_dram_clock_to_accel(&c, n - 1) < v) << "tck " << t.v << " a " << v;
                ASSERT_EQ(pesim_dram_clock_seen_at(&c, v), n) << "tck " << t.v << " clock " << m.v << " a " << v;
            };
            for (uint64_t v = 0; v < 20000; v++) check(v);
            for (int i = 0; i < 20000; i++) check((next() >> 14) >> (next() % 50));
        }
    // 72 of the 77 rational pairs have q <= 10^6 (not 0.833, 0.468 and 0.682 at
    // 333.3 MHz, nor 0.833 at 1234.5 and 0.5 MHz); none of pi/4's 11
    EXPECT_EQ(fractions, 72);
    // Whole networks run past 10^8 cycles: tCK 0.833 ns at 200 MHz (Eyeriss's
    // LPDDR4), p / q = 833 / 5000, accelerator cycle 201,210,734 is DRAM cycle
    // 1,207,747,503 + 1/833. A tolerance of 1e-12 relative (about 0.0012 of a
    // cycle there) once rounded the 1/833 away.
    d.tck_ns = 0.833;
    pesim_dram_clock_init(&c, &d, 200);
    EXPECT_EQ(pesim_dram_clock_from_accel(&c, 201210734), 1207747504u);
    EXPECT_EQ(pesim_dram_from_accel_cycles(&d, 200, 201210734), 1207747504u);
    EXPECT_EQ(pesim_dram_clock_seen_at(&c, 201210734), 1207747497u);
}

TEST(DramMisc, ClockConversionsAndQuantiles)
{
    pesim_dram d = Ddr4();   // tCK 0.625 ns
    EXPECT_EQ(pesim_dram_to_accel_cycles(&d, 1000, 48), 30u);    // 30 ns at 1 GHz
    EXPECT_EQ(pesim_dram_to_accel_cycles(&d, 1000, 1), 1u);      // 0.625 ns rounds up
    EXPECT_EQ(pesim_dram_to_accel_cycles(&d, 200, 48), 6u);      // 30 ns at 5 ns a cycle
    EXPECT_EQ(pesim_dram_from_accel_cycles(&d, 1000, 30), 48u);
    EXPECT_EQ(pesim_dram_from_accel_cycles(&d, 1000, 31), 50u);  // 31 / 0.625 = 49.6
    EXPECT_EQ(pesim_dram_to_accel_cycles(&d, 0, 48), 0u);
    EXPECT_DOUBLE_EQ(pesim_dram_peak_gbps(&d), 25.6);
    EXPECT_EQ(pesim_dram_burst_bytes(&d), 64u);

    std::unique_ptr<pesim_dram_stats> s(new pesim_dram_stats());
    EXPECT_EQ(pesim_dram_stats_read_latency_quantile(s.get(), 0.5), 0u);
    // 100 reads: latencies 1..100; p50 = 50, p99 = 99, p100 = 100.
    for (int v = 1; v <= 100; v++) s->read_latency_hist[v]++;
    s->reads = 100;
    s->read_latency_min_cycles = 1;
    s->read_latency_max_cycles = 100;
    EXPECT_EQ(pesim_dram_stats_read_latency_quantile(s.get(), 0.5), 50u);
    EXPECT_EQ(pesim_dram_stats_read_latency_quantile(s.get(), 0.99), 99u);
    EXPECT_EQ(pesim_dram_stats_read_latency_quantile(s.get(), 1.0), 100u);
}

// ---- traces and `pesim dram` -------------------------------------------------

TEST(DramTrace, ParseLine)
{
    pesim_dram_request r;
    char msg[160];
    EXPECT_EQ(pesim_dram_trace_parse_line("0x1F40 READ 12\n", &r, msg, sizeof msg), 1);
    EXPECT_EQ(r.addr, 0x1F40u);
    EXPECT_EQ(r.is_write, 0);
    EXPECT_EQ(r.cycle, 12u);
    EXPECT_EQ(pesim_dram_trace_parse_line("  0xffffffffffffffff\twrite 0", &r, msg, sizeof msg), 1);
    EXPECT_EQ(r.addr, UINT64_MAX);
    EXPECT_EQ(r.is_write, 1);
    EXPECT_EQ(pesim_dram_trace_parse_line("", &r, msg, sizeof msg), 0);
    EXPECT_EQ(pesim_dram_trace_parse_line("   \r\n", &r, msg, sizeof msg), 0);
    EXPECT_EQ(pesim_dram_trace_parse_line("# comment", &r, msg, sizeof msg), 0);
    EXPECT_EQ(pesim_dram_trace_parse_line("0x0 READ 4398046511104", &r, msg, sizeof msg), 1);  // 2^42, the most
    EXPECT_EQ(r.cycle, PESIM_DRAM_TRACE_MAX_CYCLE);
    for (const char *bad : {"1234 READ 1", "0x READ 1", "0xZZ READ 1", "0x10 FETCH 1", "0x10 READ", "0x10 READ -1",
                            "0x10 READ 1x", "0x10 READ 1 extra", "0x10000000000000000 READ 1",
                            "0x10 READ 99999999999999999999", "0x10 READ 4398046511105"}) {
        EXPECT_EQ(pesim_dram_trace_parse_line(bad, &r, msg, sizeof msg), -1) << bad;
        EXPECT_GT(strlen(msg), 0u) << bad;
    }
}

const char *const kSmallTrace = "tests/data/dram/small.trc";

TEST(DramTrace, SmallTraceHandTraced)
{
    // tests/data/dram/small.trc on ddr4-3200, default map (burst = 64 B;
    // fields from the bottom: channel (1), bank group (4), column (128),
    // bank (4), rank (2), row):
    // A request added at t issues its first command at t + 1 at the earliest.
    //   A 0x0      READ  0  bg0 ba0 row 0    added at 0: ACT 1, RD 23, done 49
    //   B 0x100    READ  0  bg0 row 0 col 1  added at 1: hit, RD at A + tCCD_L = 31, done 57
    //   C 0x40     READ  1  bg1 row 0        added at 2: ACT 5 (tRRD_S), RD 27, done 53
    //   D 0x80     WRITE 2  bg2 row 0        added at 3: ACT 9; WR at a RD + rd_to_wr
    //                                        (22 + 4 + 1 - 16 = 11): B's RD 31 + 11 = 42
    //                                        -> WR 42, done 42 + 20 = 62
    //   E 0x10000000 READ 3  bg0 ba0 row 1024 added at 4: conflict; PRE held while
    //                                        A, B hit; PRE at A's ACT + tRAS = 53,
    //                                        ACT 75, RD 97, done 97 + 26 = 123
    // Finish 123; read latencies 49, 56, 51, 119.
    pesim_dram d = Ddr4();
    Sim s(d);
    uint64_t count = 0;
    pesim_error e;
    ASSERT_EQ(pesim_dram_sim_run_trace(s.h, kSmallTrace, &count, &e), PESIM_OK) << e.msg;
    EXPECT_EQ(count, 5u);
    EXPECT_EQ(s.FinishOf(0), 49u);
    EXPECT_EQ(s.FinishOf(1), 57u);
    EXPECT_EQ(s.FinishOf(2), 53u);
    EXPECT_EQ(s.FinishOf(3), 62u);
    EXPECT_EQ(s.FinishOf(4), 123u);
    auto st = s.Stats();
    EXPECT_EQ(st->finish_cycle, 123u);
    EXPECT_EQ(st->read_latency_sum_cycles, 49u + 56u + 51u + 119u);
    EXPECT_EQ(st->row_hits, 1u);
    EXPECT_EQ(st->row_misses, 3u);
    EXPECT_EQ(st->row_conflicts, 1u);

    // a bad line is found before anything runs: the handle moves not a cycle
    Sim fresh(d);
    uint64_t none = 0;
    EXPECT_EQ(pesim_dram_sim_run_trace(fresh.h, "tests/data/dram/bad.trc", &none, &e), PESIM_ERR_PARSE);
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(none, 0u);
    EXPECT_EQ(fresh.Stats()->finish_cycle, 0u);
    EXPECT_EQ(pesim_dram_sim_run_trace(s.h, "tests/data/dram/no_such.trc", &count, &e), PESIM_ERR_IO);
}

struct Result {
    int status = -1;
    std::string out, err;
};

std::string ReadAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result Pesim(const std::string &args)
{
    static int counter = 0;
    std::string err_path =
        ::testing::TempDir() + "pesim_dram_err_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    std::string cmd = "'" PESIM_BINARY "' " + args + " 2>'" + err_path + "'";
    Result r;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.err = ReadAll(err_path);
    std::remove(err_path.c_str());
    return r;
}

bool HasBinary()
{
    if (access(PESIM_BINARY, X_OK) == 0) return true;
    ADD_FAILURE() << PESIM_BINARY << " is not built (build the pesim target)";
    return false;
}

TEST(DramCli, SmallTraceFinishCycleAndJson)
{
    if (!HasBinary()) return;
    Result r = Pesim(std::string("dram --preset ddr4-3200 --trace ") + kSmallTrace);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("finish          123 cycles"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ACT 4, PRE 1, RD 4, WR 1, REF 0"), std::string::npos) << r.out;

    r = Pesim(std::string("dram --preset ddr4-3200 --trace ") + kSmallTrace + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char *want : {"\"finish_cycle\": 123,", "\"reads\": 4,", "\"writes\": 1,", "\"p50_cycles\": 51,",
                             "\"p99_cycles\": 119,", "\"max_cycles\": 119,", "\"mean_cycles\": 68.75,",
                             "\"row_hit_rate\": 0.2,", "\"act\": 4,", "\"pre\": 1,", "\"ref\": 0",
                             "\"bandwidth_gbps\": ", "\"scheduler\": \"frfcfs\""})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    EXPECT_EQ(r.out.find("finish          "), std::string::npos);   // pure JSON on stdout

    // An arch config's DRAM level (tests/data/cli/tiny_arch.cfg: ddr4-3200, 1 channel).
    r = Pesim(std::string("dram --preset tests/data/cli/tiny_arch.cfg --trace ") + kSmallTrace + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("\"finish_cycle\": 123,"), std::string::npos) << r.out;

    // FCFS serves the oldest only: A ACT 1, RD 23 (49); B RD 31 (57); C ACT
    // 32, RD 54 (80); D ACT 55, WR 77 (97); E PRE 78, ACT 100, RD 122, done 148.
    r = Pesim(std::string("dram --preset ddr4-3200 --sched fcfs --trace ") + kSmallTrace + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("\"finish_cycle\": 148,"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"scheduler\": \"fcfs\""), std::string::npos) << r.out;

    r = Pesim(std::string("dram --preset lpddr4-2400 --channels 2 --queue 4 --no-refresh --hit-cap 4 --map ") +
              PESIM_DRAM_MAP_DRAMSIM3 + " --trace " + kSmallTrace + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char *want : {"\"channels\": 2,", "\"queue_depth\": 4,", "\"refresh\": false,", "\"row_hit_cap\": 4,",
                             "\"address_map\": \"rochrababgco\"", "\"preset\": \"lpddr4-2400\"",
                             "\"bank_queue_depth\": 4,", "\"age_cap_cycles\": 1000,"})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;

    // DRAMsim3's map in other spellings; the per-bank queue and the age cap;
    // the commands and the ranks' background state (small.trc: rank 0 opens
    // rows from cycle 1 and keeps them open to the end, 124; rank 1 idle).
    for (const char *map : {"ROCHRABABGCO", "Ro-Ch-Ra-Ba-Bg-Co", "ro:ch:ra:ba:bg:co", "ro_ch_ra_ba_bg_co"}) {
        r = Pesim(std::string("dram --preset ddr4-3200 --map ") + map + " --trace " + kSmallTrace + " --json -");
        ASSERT_EQ(r.status, 0) << map << ": " << r.err;
        EXPECT_NE(r.out.find("\"address_map\": \"rochrababgco\""), std::string::npos) << map;
    }
    r = Pesim(std::string("dram --preset ddr4-3200 --bank-queue 2 --age-cap 0 --trace ") + kSmallTrace + " --json -");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char *want : {"\"bank_queue_depth\": 2,", "\"age_cap_cycles\": null,", "\"rd\": 4,", "\"wr\": 1,",
                             "\"aged\": 0,", "\"cycles\": 124,", "\"active_rank_cycles\": 123,",
                             "\"precharged_rank_cycles\": 125"})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
    r = Pesim(std::string("dram --preset ddr4-3200 --trace ") + kSmallTrace);
    EXPECT_NE(r.out.find("ranks           49.6% of rank-cycles with a row open"), std::string::npos) << r.out;
}

TEST(DramCli, BadInputIsExit2)
{
    if (!HasBinary()) return;
    Result r = Pesim("dram --preset ddr4-3200 --trace tests/data/dram/bad.trc");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("tests/data/dram/bad.trc:3: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("READ or WRITE"), std::string::npos) << r.err;
    EXPECT_EQ(Pesim("dram --preset ddr5-9999 --trace tests/data/dram/small.trc").status, 2);
    EXPECT_EQ(Pesim("dram --preset ddr4-3200 --trace tests/data/dram/no_such.trc").status, 2);
    EXPECT_EQ(Pesim("dram --preset ddr4-3200").status, 2);
    EXPECT_EQ(Pesim("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --sched lifo").status, 2);
    EXPECT_EQ(Pesim("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --channels 0").status, 2);
    r = Pesim("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --map rorororororo");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--map 'rorororororo'"), std::string::npos) << r.err;
    for (const char *bad : {"rochrababg", "ro-ch-ra-ba-bg-cox", "ro--chrababgco", "-rochrababgco", "rochrababgcoro"})
        EXPECT_EQ(Pesim(std::string("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --map ") + bad).status, 2)
            << bad;
    EXPECT_EQ(Pesim("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --bank-queue 0").status, 2);
    EXPECT_EQ(Pesim("dram --preset ddr4-3200 --trace tests/data/dram/small.trc --age-cap x").status, 2);
    r = Pesim("dram --preset tests/data/dram/small.trc --trace tests/data/dram/small.trc");
    EXPECT_EQ(r.status, 2);   // not a config
    r = Pesim("dram --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("usage: pesim dram"), std::string::npos);
}

}  // namespace

// Words take whole bytes in every evaluator (pesim_arch_word_bytes): a
// 12-bit word moves as 2 bytes, so on the same machine, layer and mapping a
// 12-bit arch costs exactly what the 16-bit one costs: the engine's cycles
// and DRAM bursts, the analytical model's cycles and the analytical DRAM
// activity (RD/WR/ACT counts). Before the analytical DRAM peak and activity
// counted 1.5 bytes a word, a DRAM-bound layer was up to 25 % faster on
// paper at 12 bits than at 16 while the engine moved the same bursts.
// At least some of the random cases must be DRAM-bound in the model (the
// DRAM level's bandwidth cycles are the run's), else the test proves nothing.
TEST(DramEngine, TwelveBitWordsCostWhatSixteenBitWordsCost)
{
    int checked = 0, dram_bound = 0;
    for (int seed = 1; seed <= 60; seed++) {
        TestRng rng((uint64_t)seed + 4242);
        pesim_arch a = test_arch(rng, 3);
        for (int lv = 0; lv < 2; lv++) a.level[lv].read_words_per_cycle = a.level[lv].write_words_per_cycle = 64;
        pesim_level &top = a.level[2];
        top.is_dram = 1;
        top.read_words_per_cycle = top.write_words_per_cycle = 0;
        ASSERT_EQ(pesim_dram_preset(rng.coin(50) ? "ddr4-3200" : "lpddr4-2400", &top.dram), PESIM_OK);
        a.clock_mhz = rng.coin(50) ? 4000 : 8000; /* a fast core: DRAM binds more often */
        pesim_layer l = test_layer(1, 1, rng.uni(4, 32), rng.uni(4, 32), rng.uni(4, 28), rng.uni(4, 28), 1, 1);
        pesim_mapping m = test_mapping(rng, a, l);
        pesim_cost c[2], cm[2];
        pesim_engine_stats st[2];
        pesim_dram_activity act[2];
        for (int k = 0; k < 2; k++) {
            a.word_bits = k ? 12 : 16;
            ASSERT_EQ(pesim_engine_run(&a, &l, &m, nullptr, &c[k], &st[k]), PESIM_OK);
            ASSERT_EQ(pesim_model_evaluate(&a, &l, &m, &cm[k]), PESIM_OK);
            pesim_estimate_dram_activity(&a, 2, &cm[k], &act[k]);
        }
        if (!c[0].valid) continue;
        checked++;
        dram_bound += cm[0].level_cycles[2] == cm[0].cycles;
        EXPECT_EQ(c[1].cycles, c[0].cycles) << seed;
        EXPECT_EQ(st[1].dram_reads, st[0].dram_reads) << seed;
        EXPECT_EQ(st[1].dram_writes, st[0].dram_writes) << seed;
        EXPECT_EQ(cm[1].cycles, cm[0].cycles) << seed;
        EXPECT_EQ(cm[1].level_cycles[2], cm[0].level_cycles[2]) << seed;
        EXPECT_EQ(act[1].rd, act[0].rd) << seed;
        EXPECT_EQ(act[1].wr, act[0].wr) << seed;
        EXPECT_EQ(act[1].act, act[0].act) << seed;
    }
    EXPECT_GT(checked, 20);
    EXPECT_GT(dram_bound, 5) << "too few DRAM-bound cases to tell";
}
