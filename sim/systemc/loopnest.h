// sim/systemc/loopnest.h - the SystemC reference's own loop-nest interpreter:
// a mapping's execution as blocks and tile transfers, written from
// docs/model.md (sections 1-7) and docs/engine.md ("Blocks", "Networks").
//
// It shares no code with sim/nest/ or sim/engine/ (tests/systemc_test.cc
// `SystemCIndependence` checks the includes and the linked symbols). Where the
// engine's walker uses closed forms (digit histograms, footprint algebra),
// this interpreter builds the sets the doc defines and counts them:
//
// - A dim's value is a mixed-radix number of its digits, least significant
//   first s0 t0 s1 t1 ... (spatial x*y, temporal) of the levels 0 .. M-1.
// - A tensor's element has five coordinates (weights G K C R S, outputs
//   G N K P Q, inputs G N C h w with h = p*stride_h + r*dilation_h); each
//   coordinate depends on one dim, or on the (P, R) or (Q, S) pair.
// - The instances of a level are the assignments of the spatial digits above
//   it; they form a product over dims, so the sum over instances of a
//   product of per-coordinate set sizes is the product of per-coordinate sums.
//   Per coordinate the interpreter enumerates the digit assignments and
//   builds each child's set of coordinate values explicitly (a bitmap), the
//   union of the children of each parent instance (multicast, reduction,
//   the union of overlapping input windows, combs), the sliding-window deltas
//   and, with the "timeloop" conventions, the spans and the distinct subtrees
//   of section 6. Dims irrelevant to a tensor only make instances active
//   (their origin is inside the bound) or not.
// - Blocks are the iterations of the outer temporal loops (down to the
//   innermost j* of any pair), skipping those past a bound; a pair has an
//   event at a block where one of its selected loops changed.
#ifndef PESIM_SYSTEMC_LOOPNEST_H
#define PESIM_SYSTEMC_LOOPNEST_H

#include <cstdint>
#include <vector>

extern "C" {
#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"
}

namespace pesim_sc {

// A (child, parent) pair of a tensor's chain of keeping levels; child -1 is
// the MAC array. Outermost parent first.
struct NestPair {
    int8_t tensor, child, parent;
};

// One tile transfer of a block, totals over instances in words (the meaning
// of docs/model.md section 5: operands move down, outputs' old tiles go up as
// child_reads -> parent_updates, read-backs come down as parent_reads ->
// child_fills). stream: the MAC array's operand stream over the block.
struct Xfer {
    int8_t tensor = 0, child = 0, parent = 0, pair = 0;
    bool stream = false;
    bool advance = false;   // events: the child's sliding window advances (it keeps the overlap)
    bool drain_only = false;  // an output event that only drains the old tile (pesim_xfer.drain_only)
    int64_t parent_reads = 0, child_fills = 0, parent_updates = 0, child_reads = 0;
    int64_t child_max = 0;  // events: the largest child instance's tile (at an advance, its new words)
    // The largest parent instance's words of parent_reads and parent_updates
    // and its share of child_fills (its children's copies; at an advance,
    // the new words); 0 when the parent level has one instance.
    int64_t parent_max = 0, update_max = 0, fill_max = 0;
    // output events: where the child's new tile starts in the output tensor
    // (the G N K P Q offsets of the outer loops): the tile a read-back returns to
    int64_t origin[5] = {0, 0, 0, 0, 0};
    // events: the children's union of this parent instance as a box of the
    // loop dims (pesim_dim): from the outer loops' offsets above the child,
    // the child's tile plus every spatial digit of the levels up to the
    // parent (enclosing what other digits leave out), clipped to the bounds
    int64_t lo[PESIM_NDIMS] = {}, ext[PESIM_NDIMS] = {};
    // span: the union's extent per dim before clipping. Streams: lo, ext are
    // the box of the block's first step (the lanes' union at the outer loops'
    // offsets); psum_all (outputs): every step reads partial sums back (an
    // outer reduction loop has left 0)
    int64_t span[PESIM_NDIMS] = {};
    bool psum_all = false;
};

// One of a block's inner temporal loops (the MAC array's steps): its dim,
// factor and weight (the offset one iteration adds along the dim).
struct StepLoop {
    int dim;
    int64_t factor, weight;
};

constexpr int kMaxXfers = 2 * PESIM_NTENSORS * PESIM_MAX_LEVELS;

struct Block {
    int64_t index = 0;
    int64_t steps = 0;   // non-empty inner temporal iterations
    int64_t macs = 0;    // non-empty points (MACs) of the block
    int n = 0;
    int64_t unit0 = 0, unit1 = 0;  // a network's vector step: the block's units [unit0, unit1) (its program's)
    Xfer x[kMaxXfers];   // events (outer pairs first), then streams
};

// The networks over a whole run (docs/model.md section 7), per level L and
// tensor: words delivered below L (both ways for outputs) at the parent,
// distinct words entering L's network, words it delivers, the children per
// instance, and the hops summed over its words.
struct NetReport {
    int64_t words[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t ingress[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t delivered[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t fanout[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    double hops[PESIM_MAX_LEVELS][PESIM_NTENSORS];
};

class LoopNest {
  public:
    // a, l, m: a valid mapping (the caller checked it); kept by pointer.
    // networks: also count what enters and leaves every network (report()).
    void init(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, bool networks = false);
    // The next block; false after the last.
    bool next(Block &b);
    const std::vector<NestPair> &pairs() const { return pairs_; }
    // The current block's inner loops, outermost first: its steps.
    void step_loops(std::vector<StepLoop> &out) const;
    // After the last block (init with networks): the networks' words and hops.
    void report(NetReport &r) const;

  private:
    struct Coord {        // one coordinate of a tensor: f = sum of v[d_i] * mul_i
        int nd = 0;
        int d[2] = {0, 0};
        int64_t mul[2] = {1, 1};
        bool window = false;  // an input row or column (spans under "timeloop")
    };
    struct Loop {
        int level, dim;
        int64_t factor, weight;
    };
    struct PairInfo {
        NestPair np;
        int js = -1;           // j* in loops_ (-1: the tile never changes)
        bool sliding = false;
        bool tl = false;       // counted by the "timeloop" rules
        bool elide = false;    // and first-read elision: a first visit is no fill
        // totals for the networks: child words (outputs: tiles before
        // reduction), words delivered down, the union entering each level
        int64_t tot_e = 0, tot_down = 0;
        int64_t tot_u[PESIM_MAX_LEVELS] = {0};
    };
    struct Memo {
        bool valid = false;
        int64_t key[4] = {0, 0, 0, 0};
        int64_t v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    };

    // Values sum(digit * weight) over every assignment of the digits in mask
    // (bit k = digit k of dim d), pruned to < limit.
    void sums(int d, uint32_t mask, int64_t limit, std::vector<int64_t> &out) const;
    uint32_t spatial_above(int d, int lv) const;     // spatial digits of levels > lv
    uint32_t spatial_range(int d, int lo, int hi) const;  // spatial digits of levels lo..hi
    int64_t gran(int d, int c) const;                // extent of level c's tile (1 for c = -1)
    void coords(int t, Coord *out, int *n) const;
    int64_t count_active(int d, uint32_t mask) const;
    // x.lo, x.ext: the children's union of pair (c, p) at the outer loops' offsets
    void union_box(int c, int p, Xfer &x) const;
    void event(int k, bool adv, Xfer &x);
    void stream(int k, Xfer &x);
    // Per coordinate results of an event, r[0..5): U (parent words), E (child
    // words), Emax (largest child), Umax (the largest parent instance's U) and
    // EPmax (the largest sum of one parent instance's children's words); at an
    // advance the deltas.
    void coord_event(const PairInfo &pi, const Coord &cd, bool adv, int64_t *r);
    int64_t fan(int lv) const;
    // The memo of (pair k, coordinate i, slot: 0 the event at the parent, 1
    // the stream at the parent, 2 + lv the union at level lv) at the current
    // offsets and tag; *hit when it holds the value (else the caller fills it).
    Memo *cached(int k, int i, size_t slot, const Coord &cd, int64_t tag, bool *hit);
    // Product over the coordinates of the stream's union at level lv.
    int64_t stream_words(int k, int lv, const Coord *cs, int n, int64_t *largest = nullptr);
    double hops(int lv, int t, int64_t ingress, int64_t delivered) const;
    // The words a stream at level p reads along one coordinate, summed over
    // the parent instances (with `extra`: over the inner temporal digits too);
    // *largest (may be null) gets the largest parent instance's.
    int64_t coord_stream(int t, int p, const Coord &cd, uint32_t extra, int64_t *largest = nullptr);
    int64_t set_of(const Coord &cd, const int64_t *lo, const int64_t *hi, bool mark, bool span);

    const pesim_arch *a_ = nullptr;
    const pesim_layer *l_ = nullptr;
    const pesim_mapping *m_ = nullptr;
    int M_ = 0, nd_ = 0;
    int64_t bound_[PESIM_NDIMS];
    int64_t radix_[PESIM_NDIMS][2 * PESIM_MAX_LEVELS];
    int64_t weight_[PESIM_NDIMS][2 * PESIM_MAX_LEVELS + 1];
    std::vector<Loop> loops_;        // running temporal loops, outermost first
    std::vector<PairInfo> info_;
    std::vector<NestPair> pairs_;
    std::vector<int64_t> pinst_;     // instances of each pair's parent level
    int J_ = 0;                      // outer loops: loops_[0, J_)
    std::vector<int64_t> idx_;
    int64_t off_[PESIM_NDIMS];
    uint32_t inner_[PESIM_NDIMS];    // temporal digits not among the outer loops
    bool started_ = false, done_ = false, networks_ = false;
    int64_t next_index_ = 0;
    std::vector<uint8_t> bits_;      // scratch bitmap of coordinate values
    std::vector<int64_t> touched_;
    std::vector<Memo> memo_;         // per (pair, coordinate)
};

// Words the slowest child instance moves of an event's `total` child words
// over `instances`: the largest tile, never less than ceil(total / instances).
int64_t slowest_child_words(const Xfer &x, int64_t total, int64_t instances);
// The same for any share: the largest instance's words `largest` (0:
// unknown), never less than ceil(total / instances); 0 when total is 0.
int64_t slowest_share(int64_t total, int64_t instances, int64_t largest);
// Words the slowest child receives of an output event's read-back: the
// largest tile's part of it, ceil(child_max x child_fills / tiles), tiles
// the children's tile words (child_reads, or child_fills under "timeloop",
// where every load is a fill); never less than the average.
int64_t slowest_readback_words(const Xfer &x, int64_t instances);

// Networks (docs/engine.md "Networks"): a mesh of the ux x uy children the
// mapping uses at level lv; the busiest link's words of `copies` spread
// evenly, rounded up; the hops to the farthest child.
int64_t mesh_link_words(const pesim_mapping *m, int lv, int64_t copies);
int64_t mesh_far_hops(const pesim_mapping *m, int lv);
// The reduction latency of level lv's outputs network (tree: ceil(log2 n),
// systolic chain n - 1 for n children adding into one word; a systolic
// network's skew pays it), and its sum over the levels child+1 .. parent.
int64_t reduce_cycles(const pesim_arch *a, const pesim_mapping *m, int lv);
int64_t reduce_path(const pesim_arch *a, const pesim_mapping *m, int child, int parent);

}  // namespace pesim_sc

#endif
