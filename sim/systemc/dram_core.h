// sim/systemc/dram_core.h - the SystemC reference's DRAM controller: an
// implementation of docs/dram.md written for the reference model, independent
// of sim/engine/dram*.c (it shares only pesim_dram, the preset data, and no
// function of the C model).
//
// One object models every channel of a DRAM device. Per channel: a command
// bus issuing at most one command per cycle; ranks -> bank groups -> banks
// with open-page row buffers; per bank a command queue (the oldest
// bank_queue_depth requests of the bank, oldest first) and, in front, a
// waiting list for requests whose bank queue is full; a request becomes
// eligible the cycle after it joins its bank queue (accept-to-issue). Each
// bank keeps the earliest cycle at which each of ACT, PRE, RD and WR may issue;
// every issued command raises those bounds on the banks it constrains (the
// table of docs/dram.md). Scheduling is FR-FCFS with the row-hit cap and the
// age cap, or FCFS; all-bank refresh per rank, staggered as DRAMsim3 does.
//
// The core is a plain clocked state machine: the SystemC module DramSide
// calls tick() once per DRAM clock edge. It is kept free of SystemC so that a
// test can drive it cycle by cycle next to the C model (tests/systemc_test.cc).
#ifndef PESIM_SYSTEMC_DRAM_CORE_H
#define PESIM_SYSTEMC_DRAM_CORE_H

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "pesim/arch.h"

namespace pesim_sc {

enum DramCmd { DRAM_ACT = 0, DRAM_PRE, DRAM_RD, DRAM_WR, DRAM_REF };

struct DramIssued {           // one command on a channel's command bus
    uint64_t cycle;
    int cmd;                  // DramCmd
    int channel, rank, bankgroup, bank;  // bankgroup = bank = -1 for REF
    int64_t row;              // -1 for PRE and REF
    int64_t column;           // RD/WR only, else -1
    uint64_t id;              // the request served; UINT64_MAX for refresh work
};

struct DramCoord {
    int channel, rank, bankgroup, bank;
    int64_t row, column;
};

struct DramCounters {
    uint64_t reads = 0, writes = 0;   // completed
    uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
    uint64_t act = 0, pre = 0, ref = 0, rd = 0, wr = 0;
    uint64_t active_cycles = 0, precharged_cycles = 0;   // rank-cycles, up to now()
};

class DramCore {
public:
    struct Options {
        bool fcfs = false;
        bool refresh = true;
        int queue_depth = 32;         // requests per channel
        int bank_queue_depth = 8;     // command-queue entries per bank
        int row_hit_cap = 16;         // < 0: none
        int age_cap = 1000;           // cycles; < 0: none (FR-FCFS only)
        int64_t rows_per_bank = 65536;
        std::string address_map = "rorabacobgch";
    };
    // Called when a request's data is done (from the tick of finish_cycle).
    std::function<void(uint64_t id, uint64_t finish_cycle)> on_done;
    // Called when a request's RD/WR issues, with the cycle its data will be done.
    std::function<void(uint64_t id, uint64_t finish_cycle)> on_cas;
    // Called for every command issued.
    std::function<void(const DramIssued &)> on_command;

    // The address map must be valid (six distinct fields, lowercase).
    DramCore(const pesim_dram &d, const Options &o);

    uint64_t burst_bytes() const { return burst_; }
    uint64_t now() const { return (uint64_t)now_; }
    DramCoord decode(uint64_t addr) const;
    bool will_accept(uint64_t addr) const;
    void add(uint64_t addr, bool is_write, uint64_t id);  // arrives at now()
    // Processes cycle now(): completions whose data ends now, then at most one
    // command per channel; then moves to the next cycle.
    void tick();
    uint64_t outstanding() const { return outstanding_; }
    // The counters, the background rank-cycles up to now().
    DramCounters counters() const;

private:
    enum { ACT = 0, PRE = 1, RD = 2, WR = 3 };
    struct Req {
        uint64_t id, seq;
        int64_t arrival, eligible, row, column;
        int bank;                     // flat index in the channel
        int rank;
        bool write;
        bool did_act = false, did_pre = false;
    };
    struct Bank {
        int64_t earliest[4] = {0, 0, 0, 0};
        int64_t row = -1;             // open row, -1 closed
        int cas = 0;                  // column accesses since the ACT
        std::deque<Req> q;            // command queue, oldest first
    };
    struct Rank {
        int64_t refresh_due = 0, ref_earliest = 0;
        std::vector<int64_t> acts;    // the last ACT cycles (at most 4)
        int open = 0;
        int64_t state_since = 0;      // background: open > 0 or not since this cycle
        uint64_t active = 0, precharged = 0;
    };
    struct Flight {
        uint64_t id;
        int64_t finish;
        bool write;
    };
    struct Channel {
        std::deque<Req> waiting;      // requests whose bank queue was full, oldest first
        size_t held = 0;              // requests in the bank queues and waiting
        uint64_t seq = 0;
        std::vector<Bank> banks;
        std::vector<Rank> ranks;
        std::vector<Flight> flight;   // in CAS order (finish non-decreasing)
    };
    // A command the scheduler may issue: request `pos` of bank `bank`'s queue.
    struct Choice {
        int bank = -1;
        size_t pos = 0;
        int cmd = ACT;
        uint64_t seq = UINT64_MAX;
    };

    bool schedule(int ch);            // issues at most one command; true if one was
    void consider(const Channel &c, int bank, bool hits, Choice *hit, Choice *other) const;
    void act(int ch, int bank, Req *r);
    void pre(int ch, int bank, Req *r);
    void cas(int ch, int bank, size_t pos);
    void ref(int ch, int rank);
    void background(Rank &rk);
    void emit(int ch, int cmd, int rank, int bank, int64_t row, int64_t col, uint64_t id);
    static void raise(int64_t &x, int64_t v) { if (v > x) x = v; }

    pesim_dram d_;
    Options o_;
    uint64_t burst_;
    int bpr_;                         // banks per rank
    int64_t refresh_step_;            // tREFI / ranks
    int fields_[6];                   // field ids, least significant first
    int64_t count_[6];                // radix of each field id
    int64_t now_ = 0;
    uint64_t outstanding_ = 0;
    std::vector<Channel> ch_;
    DramCounters cnt_;
};

}  // namespace pesim_sc

#endif
