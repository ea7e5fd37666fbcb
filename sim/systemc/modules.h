// sim/systemc/modules.h - the SystemC reference's modules (docs/engine.md,
// "SystemC reference"): clocked by the accelerator clock, a Server per port
// and per network (it moves a transfer's words cycle by cycle at its rate), the
// MacArray (one step a cycle), the Controller (walks the program of
// program.h and starts each item when what it waits for has happened and its
// resources are free); clocked by the DRAM clock, DramSide (the DRAM
// controller of dram_core.h behind the DMA stream). The two clock domains meet
// in DramSide's DMA queue and its notices (the clock-domain crossing).
#ifndef PESIM_SYSTEMC_MODULES_H
#define PESIM_SYSTEMC_MODULES_H

#include <systemc>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <ostream>
#include <queue>
#include <string>
#include <vector>

#include "dram_core.h"
#include "program.h"

extern "C" {
#include "pesim/systemc.h"
}

namespace pesim_sc {

// Work for a Server: move `words` in `share` cycles (credit of `rate` words a
// cycle), then `latency` cycles until the words are delivered. `operand`: the
// MAC array's reads or updates of a block (a banked level arbitrates the two
// by its policy).
struct Job {
    int item, use;
    int64_t words, share, latency;
    double rate;
    bool operand = false;
};
enum { R_FREE = 0, R_DONE = 1 };
// What a Server or the MacArray reports back, at the edge of `cycle`; a
// Server's R_FREE says how many cycles its transfer lost to bank conflicts.
struct Report {
    int item, use, kind;
    int64_t cycle;
    int64_t lost = 0;
};

// The banks of a banked level (banks >= 2, not DRAM; docs/engine.md,
// "Banks"), where its read Server and its write Server meet. Line k of the
// level is in bank k mod `banks`; an access of a side covers `width` lines,
// the aligned group g (lines g * width .. g * width + width - 1); a transfer's
// accesses take the groups 0, 1, 2, ... Each cycle each Server offers its
// pending access; when the two share a bank, the older transfer (earlier in
// program order: item, then use) makes its access and the younger loses the
// cycle, except between the MAC array's reads and updates of one block, where
// the level's policy picks (pesim_arbitration: the reads, the updates, or by
// turns from the reads, the one that lost the block's previous conflict).
struct BankArbiter {
    int banks = 0;
    int width[2] = {1, 1};            // lines per access: read side, write side
    int policy = 0;                   // pesim_arbitration
    struct Offer {
        int64_t cycle = -1;           // the cycle it is for (-1: none)
        int item = 0, use = 0;
        bool operand = false;         // the MAC array's reads or updates
        int64_t group = 0;
    };
    Offer offer[2];
    bool meet(int64_t cycle) const;   // both sides offer for `cycle` and share a bank
    // The side (0 read, 1 write) whose access goes in `cycle`, the offers
    // meeting; decided once a cycle, whichever side asks first.
    int winner(int64_t cycle);

private:
    int64_t decided_ = -1;            // the cycle last decided, and its winner
    int won_ = 0;
    int turn_item_ = -1, turn_ = 0;   // round robin: the block and the side that goes on its next conflict
};
std::ostream &operator<<(std::ostream &os, const Job &j);
std::ostream &operator<<(std::ostream &os, const Report &r);

// Shared by the modules of one run: the cycle counter of each clock and the
// failure record (a broken invariant stops the simulation).
struct RunState {
    int64_t accel_done = -1;          // the last accelerator cycle the controller finished
    sc_core::sc_event accel_done_ev;
    std::string error;                // "" while consistent
    void fail(const std::string &msg);
};

// A read port, a write port (or a level's single shared port) or a network.
// Each cycle it moves the words of its current transfer (credit of `rate`
// words a cycle, the remainder on the last of its ceil(words / rate) cycles)
// and reports, at the edge that ends the transfer's share, that it is free;
// the source side of a transfer then adds the level's access latency before
// the words are delivered.
class Server : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_fifo<Job> jobs;
    sc_core::sc_fifo<Report> reports;
    sc_core::sc_signal<int64_t> words;    // words moved in the last cycle

    Server(sc_core::sc_module_name n, RunState *rs);
    SC_HAS_PROCESS(Server);
    // A side (0 read, 1 write) of a banked level: its accesses go through `b`.
    void bank(BankArbiter *b, int side) { bank_ = b, side_ = side; }

private:
    void edge();
    void resolve();                       // banked: a delta after the edge, both offers known
    void account(int64_t k, bool go);     // cycle k - 1: the access made (go) or lost
    RunState *rs_;
    int64_t cycle_ = 0;                   // the cycle this edge starts
    bool active_ = false;
    Job cur_{};
    int64_t done_ = 0, lost_ = 0, moved_ = 0;  // accesses made and cycles lost by the transfer
    BankArbiter *bank_ = nullptr;
    int side_ = 0;
    int64_t pending_k_ = 0;
    sc_core::sc_event resolve_ev_;
    std::deque<Report> pipe_;             // words in flight through the access latency
};

// The MAC array: runs a block's steps (one a cycle, every lane in parallel),
// the systolic skew/preload of a fold, or the pipeline drain at the end.
class MacArray : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_fifo<Job> jobs;           // words = cycles
    sc_core::sc_fifo<Report> reports;
    sc_core::sc_signal<int64_t> steps;    // steps done in the last cycle

    MacArray(sc_core::sc_module_name n, RunState *rs);
    SC_HAS_PROCESS(MacArray);

private:
    void edge();
    RunState *rs_;
    int64_t cycle_ = 0;
    bool active_ = false;
    Job cur_{};
    int64_t left_ = 0;
};

// DRAM -> accelerator notices: descriptor `desc`'s requests were all accepted
// (N_ISSUED) or its data is done (N_DATA), visible at accelerator `cycle`.
enum { N_ISSUED = 0, N_DATA = 1 };
struct Notice {
    int64_t cycle;
    int desc, kind;
    bool operator>(const Notice &o) const { return cycle != o.cycle ? cycle > o.cycle : desc > o.desc; }
};
using NoticeQueue = std::priority_queue<Notice, std::vector<Notice>, std::greater<Notice>>;

// The DRAM clock domain: the DRAM controller and the DMA stream in front of it.
class DramSide : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> dclk;

    DramSide(sc_core::sc_module_name n, const Program &p, const pesim_engine_options &opt, RunState *rs,
             NoticeQueue *nq, int64_t ratio_p, int64_t ratio_q);
    SC_HAS_PROCESS(DramSide);

    // Accelerator side (called by the Controller at its clock edge): a
    // transfer started at `cycle`; its descriptor may now be issued.
    void post(int desc, int64_t cycle);
    // After the simulation: runs the device on to the accelerator's last
    // cycle `accel_end` and fills the DRAM fields of *s.
    void tally(int64_t accel_end, pesim_engine_stats *s);
    int64_t bursts_read = 0, bursts_written = 0;

private:
    struct DescState {
        bool posted = false, added_all = false, data_known = false;
        int64_t t0 = 0, added = 0, cas = 0;
        int64_t port0 = -1;               // accelerator cycle its first burst could enter (the port's start)
        uint64_t finish = 0;
    };
    void run();
    void try_adds();
    void on_cas(uint64_t id, uint64_t finish);
    uint64_t from_accel(uint64_t accel_cycle) const;
    uint64_t to_accel(uint64_t dram_cycle) const;

    const Program &p_;
    const pesim_dram &timing_;
    RunState *rs_;
    NoticeQueue *nq_;
    int64_t ratio_p_, ratio_q_;           // DRAM period / accelerator period = p / q
    std::unique_ptr<DramCore> core_;
    std::vector<DescState> ds_;
    std::vector<int> burst_desc_;         // request id -> descriptor
    std::vector<DramIssued> log_;         // every command, in issue order
    size_t head_ = 0;                     // the DMA stream's next descriptor
    uint64_t open_ = 0;                   // the DRAM cycle whose arrivals are still open
    uint64_t floor_ = 0;                  // no request of a later descriptor arrives before this cycle
    int64_t issue_free_ = 0;              // accelerator cycle the stream may issue again
    double port_bytes_[2] = {0, 0};       // the DRAM level's read / write port, bytes per accelerator cycle
    std::vector<int64_t> cursor_;         // per region: the next burst's offset
    std::vector<int> inflight_;           // reads in flight (reads_in_flight > 1), oldest first
    bool await_inflight(const Desc &d);   // the reads d must see done: done? (raises floor_)
};

// What a network program's step measured (net/net_step.h's pesim_engine_times,
// its compute and stalls, its DMAs' ends).
struct StepResult {
    pesim_engine_times times;
    int64_t busy;
    int64_t stall[PESIM_STALL_COUNT];
};

// Results of a run, as the engine reports them.
struct Results {
    pesim_status status = PESIM_OK;
    pesim_cost cost;
    pesim_engine_stats stats;
    std::vector<pesim_trace_event> trace;
    std::vector<StepResult> steps;        // network programs
    std::vector<int64_t> item_end;        // network programs: every item's END (DMAs' ends)
};

class Controller : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;

    Controller(sc_core::sc_module_name n, const Program &p, RunState *rs, std::vector<Server *> servers,
               MacArray *mac, DramSide *dram, NoticeQueue *nq, bool want_trace, Results *res);
    SC_HAS_PROCESS(Controller);

private:
    struct RT {
        int wait = 0, blocked = 0;
        bool deps_done = false, started = false, timer = false, end_done = false, comps_done = false;
        int64_t ready = 0, start = -1, end = -1, landed = -1;
        int pend = 0;                     // components before END (or before the extra cycles)
        int pend_data = 0;                // drains: DRAM data still to land
        int pend_left = 0;                // drains: parts before LEFT (all but the network's latency)
        bool left_done = false;
        int64_t left = -1;
        int64_t issued = -1, dram_done = -1, len = 0;
        int pre_cause = kNoCause, xcause = kNoCause, cause = kNoCause;
        size_t free_off = 0;              // into free_seen_
        int64_t gate = -1;                // fills: when the operand it waited for completed (network programs)
        int gate_cause = kNoCause;
        int64_t read_done = -1;           // a DMA from DRAM to DRAM: its read's data
    };
    void run();
    void phase(int64_t k);
    void unblock_chain(int res, int64_t k);
    void deps_complete(int i, int64_t k);
    void try_start(int i, int64_t k);
    void start(int i, int64_t k);
    void component(int i, int64_t k, int use = -1);
    void left_part(int i, int64_t k);
    bool xfer_timing(int i);
    void complete(int i, int stage, int64_t k);
    void on_notice(const Notice &n, int64_t k);
    void transfer_end(int i, int64_t k);
    void compute_end(int i, int64_t k);
    void finish(int64_t k);
    int dram_cause(int i, int64_t done) const;
    void trace(int64_t cycle, const Item &it, const char *what);

    const Program &p_;
    RunState *rs_;
    std::vector<Server *> servers_;       // by resource id
    MacArray *mac_;
    DramSide *dram_;
    NoticeQueue *nq_;
    bool want_trace_;
    Results *res_;
    std::vector<RT> rt_;
    std::vector<int64_t> free_seen_;      // per (item, use): when its resource became free for it
    std::vector<int64_t> lost_;           // per (item, use): cycles its share lost to bank conflicts
    int64_t share(int i, size_t u) const; // use u's share, bank conflicts included
    std::vector<bool> use_unblocked_;
    std::vector<size_t> chain_next_;      // per resource: the next user not yet let through
    std::priority_queue<int, std::vector<int>, std::greater<int>> cand_;
    std::priority_queue<std::pair<int64_t, int>, std::vector<std::pair<int64_t, int>>,
                        std::greater<std::pair<int64_t, int>>> timers_;
    int64_t stall_[PESIM_STALL_COUNT] = {0};
    std::vector<std::array<int64_t, PESIM_STALL_COUNT>> step_stall_;  // network programs, per step
    void add_stall(const Item &it, int cause, int64_t n);
    void end_step(int i, int64_t k);
    void finish_network(int64_t k);
    void end_run(int64_t k);
    double dram_wpc_[2] = {0, 0};         // DRAM peak words per accelerator cycle, reads / writes (port included)
    int64_t last_event_ = 0;              // the last cycle at which anything happened
    int64_t quiet_limit_ = 0;             // longer without an event: the model is stuck
};

}  // namespace pesim_sc

#endif
