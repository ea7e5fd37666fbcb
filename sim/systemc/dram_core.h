// sim/systemc/dram_core.h - the SystemC reference's DRAM controller: an
// implementation of docs/dram.md written for the reference model, independent
// of sim/engine/dram*.c (it shares only pesim_dram, the preset data).
//
// One object models every channel of a DRAM device: per channel a request
// queue (reads and writes together, oldest first), a command bus issuing at
// most one command per cycle, and ranks -> bank groups -> banks with open-page
// row buffers. Each bank keeps the earliest cycle at which each of ACT, PRE,
// RD and WR may issue; every issued command raises those bounds on the banks
// it constrains (the table of docs/dram.md). Scheduling is FR-FCFS with the
// row-hit cap, or FCFS; all-bank refresh per rank every tREFI, staggered.
//
// The core is a plain clocked state machine: the SystemC module (dram_module.h)
// calls tick() once per DRAM clock edge. It is kept free of SystemC so that a
// test can drive it cycle by cycle next to the C model (tests/systemc_test.cc).
#ifndef PESIM_SYSTEMC_DRAM_CORE_H
#define PESIM_SYSTEMC_DRAM_CORE_H

#include <cstdint>
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
    uint64_t act = 0, pre = 0, ref = 0;
};

class DramCore {
public:
    struct Options {
        bool fcfs = false;
        bool refresh = true;
        int queue_depth = 32;
        int row_hit_cap = 16;         // < 0: none
        int64_t rows_per_bank = 65536;
        std::string address_map = "rorabacobgch";
    };
    // Called when a request's data is done (from the tick of finish_cycle).
    std::function<void(uint64_t id, uint64_t finish_cycle)> on_done;
    // Called when a request's RD/WR issues, with the cycle its data will be done.
    std::function<void(uint64_t id, uint64_t finish_cycle)> on_cas;
    // Called for every command issued.
    std::function<void(const DramIssued &)> on_command;

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
    const DramCounters &counters() const { return cnt_; }

private:
    enum { ACT = 0, PRE = 1, RD = 2, WR = 3 };
    struct Req {
        uint64_t id;
        int64_t arrival, row, column;
        int bank;                     // flat index in the channel
        int rank;
        bool write;
        bool did_act = false, did_pre = false;
    };
    struct Bank {
        int64_t earliest[4] = {0, 0, 0, 0};
        int64_t row = -1;             // open row, -1 closed
        int cas = 0;                  // column accesses since the ACT
        int queued_hits = 0;          // scratch: queued requests for the open row
        bool older_conflict = false;  // scratch: an older request wants another row
    };
    struct Rank {
        int64_t refresh_due = 0, ref_earliest = 0;
        std::vector<int64_t> acts;    // the last ACT cycles (at most 4)
        int open = 0;
    };
    struct Flight {
        uint64_t id;
        int64_t finish;
        bool write;
    };
    struct Channel {
        std::vector<Req> queue;
        std::vector<Bank> banks;
        std::vector<Rank> ranks;
        std::vector<Flight> flight;   // in CAS order (finish non-decreasing)
    };

    bool schedule(int ch);            // issues at most one command; true if one was
    void act(int ch, int bank, Req *r);
    void pre(int ch, int bank, Req *r);
    void cas(int ch, size_t qi);
    void ref(int ch, int rank);
    void emit(int ch, int cmd, int rank, int bank, int64_t row, int64_t col, uint64_t id);
    static void raise(int64_t &x, int64_t v) { if (v > x) x = v; }

    pesim_dram d_;
    Options o_;
    uint64_t burst_;
    int bpr_;                         // banks per rank
    int fields_[6];                   // field ids, least significant first
    int64_t count_[6];                // radix of each field id
    int64_t now_ = 0;
    uint64_t outstanding_ = 0;
    std::vector<Channel> ch_;
    DramCounters cnt_;
};

}  // namespace pesim_sc

#endif
