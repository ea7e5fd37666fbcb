// sim/systemc/program.h - what the SystemC reference's controller executes:
// the mapping's work as items in program order (docs/engine.md, "Control").
//
// The block walker (sim/nest/walk.h, the shared mapping semantics) gives each
// block's transfers and word counts. From them this file builds, in the order
// the controller issues them, per block: the drains of output tiles
// (innermost pair first), the fills (outermost pair first) and the compute;
// after the last block the final drains (flushes) and the finish. Each item
// records what it waits for (earlier items), the resources it uses (ports,
// networks) with its share of each in cycles, and its DRAM requests. Nothing
// here has a notion of time: the clocked modules (modules.h) decide when.
//
// A network program (docs/network.md) is the same, step after step (one step a
// layer), with what the engine carries from layer to layer (net/net_step.h):
// the compute timeline, each (tensor, child level) buffer's double-buffer room
// and last drain; an operand's home replaces the walker's outermost level;
// the outermost pair of an operand waits for the item that completes it (its
// producer's layer end, or its load); DMA items (loads, concat copies); a
// layer-end item per step; a network finish.
#ifndef PESIM_SYSTEMC_PROGRAM_H
#define PESIM_SYSTEMC_PROGRAM_H

#include <cstdint>
#include <string>
#include <vector>

#include "loopnest.h"

extern "C" {
#include "net/net_step.h"
#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/engine.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"
}

namespace pesim_sc {

enum ItemKind { IT_DRAIN, IT_FILL, IT_COMPUTE, IT_FLUSH, IT_FINISH, IT_DMA, IT_END };

// Completion stages of an item. END: a transfer's on-chip part (and, at
// DRAM, the issue of its requests); a fill's or flush's data in place; a
// compute's last cycle. LANDED: a drain's DRAM writes done (== END without).
// LEFT: a drain's words have left its child (every part of it is over but
// the reduction network's latency after its words; == END for other items).
// The child is free at LEFT; its words are in the parent at END (on chip).
enum Stage { ST_END = 0, ST_LANDED = 1, ST_LEFT = 2 };
constexpr int kStages = 3;

constexpr int kNone = -1;
constexpr int kNoCause = PESIM_STALL_COUNT;

struct Dep {
    int item;
    int stage;
};

// One resource an item uses: a read port, a write port (also the shared
// port of a level with banks * ports < 2) or a network.
struct Use {
    int res;
    int64_t share;      // cycles it holds the resource (0: waits for it, holds nothing)
    int64_t words;
    double rate;
    int64_t latency;    // access latency after the share (source ports of transfers)
};

enum DescKind { D_READ, D_WRITE_POSTED, D_WRITE, D_FENCE };

// A DRAM request of the DMA stream, in program order.
struct Desc {
    int kind;
    int item;           // the item it belongs to (for a fence: the fill or finish)
    int region;         // address region (Program::regions)
    int64_t words, bursts;
    int fence_of;       // D_FENCE: the descriptor whose writes must have landed
    bool after_prev;    // a DMA's write from DRAM to DRAM: posted when its read's data is done
    // reads_in_flight > 1: a fill's read that stays in flight while the stream
    // goes on, within its block; before its bursts enter, every in-flight read
    // of earlier blocks and the first wait_n of its own block have their data
    bool in_flight = false;
    int seq = 0;        // its place among its block's reads in flight
    int wait_n = 0;
    int64_t block = 0;
    // a row-major layout (pesim_dram.layout): its bursts are
    // Program::addrs[addr_off .. addr_off + bursts) (-1: the region's cursor)
    int64_t addr_off = -1;
};

// A DRAM address region: bytes [base, base + span); each has its own cursor.
struct Region {
    uint64_t base, span;
};

// A view of an item's part of one of the program's flat arrays.
template <class T>
struct Slice {
    const T *b;
    size_t n;
    const T *begin() const { return b; }
    const T *end() const { return b + n; }
    size_t size() const { return n; }
    const T &operator[](size_t i) const { return b[i]; }
};

// Kept small: a layer can have millions of items. Its dependencies, uses and
// list (a compute's fills, a finish's or drain's drains) live in the
// Program's flat arrays.
struct Item {
    int8_t kind;
    int8_t tensor = kNone, child = kNone, parent = kNone;
    int8_t src = kNone, dst = kNone;              // transfers: levels
    int8_t use_src = kNone, use_dst = kNone, use_net = kNone;  // indices into its uses
    bool has_xfer = false;          // a fill with no words moves nothing and holds nothing
    bool readback = false;          // outputs: partial sums are read back (wait for their drain to land)
    bool fold = false;
    int16_t module = 0;             // trace name (Program::modules)
    int16_t step = 0;               // the layer (network programs)
    int32_t pair = kNone;
    int64_t block = 0;
    uint32_t dep_off = 0, use_off = 0, list_off = 0;
    uint16_t n_deps = 0, n_uses = 0, n_list = 0;
    int desc = kNone;               // its DRAM descriptor (a read, or a write)
    int64_t dram_words = 0;
    bool dram_write = false;        // its DRAM part writes (else reads)
    // fills: the dependencies that make its readiness (docs/engine.md)
    int room = kNone;               // the compute after which the child has room
    int drain = kNone;              // outputs: the drain of the tile whose slot it takes (the room)
    int readback_of = kNone;        // outputs, read back: the last drain of the tile read back
    int parent_fill = kNone;        // the fill that brings the data into the parent
    int prev_compute = kNone;       // the previous block's compute
    int prev = kNone;               // flush / finish: the previous flush (or the last compute)
    // compute
    int64_t steps = 0, extra = 0;
    int64_t first_latency = 0;      // block 0: the first access latency of the streams
    int dram_rd = kNone, dram_wr = kNone;  // operand streams straight from DRAM: the first read, the write
    int dram_rd_n = 0;                     // reads: descriptors dram_rd .. dram_rd + dram_rd_n - 1, one per tensor
    // network programs
    int complete = kNone;           // fills of an outermost pair: the item whose END completes the operand
    bool complete_is_load = false;  // a wait for it is dram_bandwidth (a load), else fill_drain
    int desc2 = kNone;              // a DMA from DRAM to DRAM: its write descriptor
};

struct Resource {
    int level, kind, tensor;        // kind: 0 read, 1 write (or shared), 2 network
    bool shared;
    std::string name;
    std::vector<std::pair<int, int>> users;  // (item, use index), program order
};

struct Program {
    const pesim_arch *arch;
    const pesim_layer *layer;
    const pesim_mapping *map;
    pesim_engine_options opt;
    int M;
    bool has_dram = false;
    int64_t inst[PESIM_MAX_LEVELS];
    bool shared[PESIM_MAX_LEVELS];
    std::vector<Item> items;
    std::vector<Dep> dep_pool;
    std::vector<Use> use_pool;
    std::vector<int> list_pool;
    std::vector<std::string> modules;
    std::vector<Resource> res;
    std::vector<Desc> descs;
    // per stage, the items waiting on each item: dep_items[s][dep_index[s][i] .. dep_index[s][i+1])
    std::vector<uint32_t> dep_index[kStages];
    std::vector<int> dep_items[kStages];

    Slice<Dep> deps(const Item &it) const { return {dep_pool.data() + it.dep_off, it.n_deps}; }
    Slice<Use> uses(const Item &it) const { return {use_pool.data() + it.use_off, it.n_uses}; }
    Slice<int> list(const Item &it) const { return {list_pool.data() + it.list_off, it.n_list}; }
    Slice<int> dependents(int stage, int i) const
    {
        uint32_t a = dep_index[stage][(size_t)i], b = dep_index[stage][(size_t)i + 1];
        return {dep_items[stage].data() + a, b - a};
    }
    int64_t blocks = 0, transfers = 0, folds = 0, busy = 0, macs = 0;
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    std::vector<Region> regions;
    uint64_t burst_bytes = 0;
    std::vector<uint64_t> addrs;  // row-major: the descriptors' burst addresses (Desc::addr_off)
    NetReport nets;             // a single layer's networks (its own loop nest)
    bool has_nets = false;

    // network programs: per step, its items and results
    struct Step {
        const pesim_arch *arch = nullptr;
        int first_item = 0, end_item = kNone, last_compute = kNone, first_compute = kNone;
        int64_t act_steps = 0;
        int64_t busy = 0;
        bool vector = false;
        int64_t reduce0 = 0;               // the MAC lanes' reduction into level 0 (pipeline cycles)
        std::vector<int> gates;            // per compute item of it: the operands it streams from their home
        pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    };
    std::vector<Step> steps;
    bool network = false;
    std::vector<std::vector<Dep>> stream_gates;  // per compute item (network programs): (item completing a
                                                 // streamed operand, is_load)

    int res_id(int level, int kind, int tensor);
};

// Cycles to move `words` at `rate` words per cycle (0 = unlimited): ceil(words / rate).
int64_t share_cycles(int64_t words, double rate);

// Most items a program may have (about 400 bytes each while it runs).
constexpr size_t kMaxItems = (size_t)4 << 20;

// Builds the program of a valid mapping (the caller checked it), from the
// blocks of this reference's own loop-nest interpreter (loopnest.h).
// Returns false, with a partial program, past kMaxItems items.
bool build_program(Program &p, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                   const pesim_engine_options &opt);

// A DMA transfer of a network step (net/net_step.h's pesim_engine_dma): deps are
// the items whose END it waits for.
struct DmaInput {
    pesim_engine_dma d;
    std::vector<int> deps;
    int item = kNone;                  // out: its item
};

// One step of a network program (a layer), as net/net_step.h's pesim_engine_step
// with its waits as items: complete[t] the item whose END completes operand t.
struct StepInput {
    pesim_engine_step st;              // ready / ready_dma are not used: complete[] is
    int complete[PESIM_NTENSORS];      // kNone: complete from the start (ready_dma: the step's DMA item)
    std::vector<DmaInput> dma;         // in program order: `after_block`, -1 before the first block
    std::vector<int> end_deps;         // a copy step: the layer ends of its inputs (it ends after them)
};

// A child buffer of N tile slots: the fill at a pair's event k takes the slot of
// the tile filled at event k - N, free after the compute recorded at event
// k - (N - 1) and, for outputs, once the drain N - 2 drains back left (the
// latest for N <= 2). The last N - 1 of each, up to kSlotRing.
constexpr int kSlotRing = PESIM_TILE_SLOTS_MAX - 1;

// What carries from step to step: the compute timeline and each buffer.
struct Carry {
    int prev_compute = kNone;
    // tile slots' room (pesim_level_tile_slots): the compute items recorded at a buffer's
    // last events and its last drains, newest first (kSlotRing of each kept)
    int prev_event[PESIM_NTENSORS][PESIM_MAX_LEVELS][kSlotRing];
    int room_drain[PESIM_NTENSORS][PESIM_MAX_LEVELS][kSlotRing];
    int last_drain[PESIM_NTENSORS][PESIM_MAX_LEVELS];  // the last drain out of a child (a flush)
    Carry();
};

// A network program: begin, one step per layer (returns its layer-end item, or
// kNone past kMaxItems), end (the finish after every layer end).
void begin_network(Program &p, const pesim_arch *a, const pesim_engine_options &opt);
int add_network_step(Program &p, StepInput &in, Carry &carry);
void end_network(Program &p);

}  // namespace pesim_sc

#endif
