/* walk.h - the mapping's execution as a sequence of blocks (internal to sim/).
 *
 * A block is one iteration of the outer temporal loops, down to the innermost
 * loop at which any storage level's tile changes; inside a block the MAC array
 * runs the inner loops and no tile above the MACs changes. At the start of a
 * block the walker reports every tile transfer (an "event" of docs/model.md
 * section 4) with its exact word counts, and over the block the words the MAC
 * array streams from the innermost levels. Summed over all blocks, every count
 * equals pesim_nest_count's (tests/walk_test.cc), which is how the cycle engine
 * and the analytical model agree exactly on accesses.
 *
 * The walker allocates nothing; a pesim_walk lives on the caller's stack. */
#ifndef PESIM_WALK_H
#define PESIM_WALK_H

#include "nest/nest.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PESIM_WALK_MAX_XFERS (PESIM_NTENSORS * PESIM_MAX_LEVELS)

/* One transfer between a child level (or the MAC array, child == -1) and its
 * parent. For weights and inputs data moves down; for outputs the child's old
 * tile goes up (child_reads -> parent_updates, reduced) and partial sums of the
 * new tile come down (parent_reads -> child_fills). Words are totals over all
 * instances; per-instance loads are these divided by the instances used. */
typedef struct pesim_xfer {
    int8_t tensor, child, parent;
    int8_t stream;              /* 1: MAC-array operand stream over the block, not an event */
    int8_t pair;                /* index in pesim_walk.pair */
    int8_t advance;             /* events: 1 when the child's sliding window advances (it keeps the overlap) */
    int8_t drain_only;          /* an output event of a network's vector step whose block writes no outputs
                                 * (a split row's first pass): the child's old tile goes up, no new tile
                                 * comes, every count 0; the walker's are 0 */
    int64_t parent_reads;
    int64_t child_fills;
    int64_t parent_updates;
    int64_t child_reads;
    int64_t child_max;          /* events: words of the largest child instance's tile (edge tiles are
                                 * smaller), what the slowest instance moves; when its sliding window
                                 * advances, the largest instance's new words */
    /* The largest parent instance (imperfect factors give the instances at the
     * edges fewer words; all parent instances equal without them): its words
     * of parent_reads and of parent_updates, and its share of child_fills (the
     * copies its children receive: what a unicast network carries). Events:
     * its children's union; streams: what its MAC lanes read and update over
     * the block; when a sliding window advances, the new words. 0 when the
     * parent has one instance (the total is exact). */
    int64_t parent_max, update_max, fill_max;
    int64_t tile;               /* output events: the child's new tile among the tiles a read-back of its
                                 * pair may return to, 0 .. pesim_walk_tiles - 1 (0 for other events) */
} pesim_xfer;

typedef struct pesim_block {
    int64_t index;              /* 0, 1, ... */
    int64_t steps;              /* compute steps (non-empty inner temporal iterations) */
    int changed;                /* outermost loop (in the compressed list) that advanced; -1 first block */
    int n_xfers;
    int64_t unit0, unit1;       /* a network's vector step: the block's units [unit0, unit1) of its layer
                                 * (net_vec_block; pesim_dram_vector_boxes); the walker leaves them alone */
    pesim_xfer xfer[2 * PESIM_WALK_MAX_XFERS]; /* events (outer pairs first), then streams */
} pesim_block;

/* A (child, parent) pair of a tensor's chain, outermost parent first. */
typedef pesim_nest_pair pesim_walk_pair;

/* Extents of a dim's tiles over a set of digit assignments: (extent, count). */
typedef struct pesim_hist {
    int k;
    int64_t ext[4], cnt[4];
} pesim_hist;

/* The last histogram computed for one (pair, role, dim): blocks mostly change
 * one dim's offset, so most histograms are reused. */
typedef struct pesim_hist_memo {
    int64_t off, gran;
    uint32_t sum;
    int valid;
    pesim_hist h;
} pesim_hist_memo;

typedef struct pesim_walk {
    const pesim_arch *arch;
    const pesim_layer *layer;
    const pesim_mapping *map;
    pesim_nest_digits g;
    int n_pairs;
    pesim_walk_pair pair[PESIM_WALK_MAX_XFERS];
    int J;                      /* outer loops: list indices [0, J) */
    int64_t idx[PESIM_NDIMS * PESIM_MAX_LEVELS]; /* current index of each outer loop */
    int64_t off[PESIM_NDIMS];   /* temporal offset of each dim from the outer loops */
    int64_t next_index;
    int started, done;
    int oom;                    /* a general count ran out of memory: the counts are wrong */
    int tile_r0[PESIM_WALK_MAX_XFERS];       /* outputs: the outermost reduction loop at or above j* (-1) */
    int64_t tiles[PESIM_WALK_MAX_XFERS];     /* outputs: tiles named by pesim_xfer.tile (0: no read-back) */
    int64_t pinst[PESIM_WALK_MAX_XFERS];     /* instances of each pair's parent level */
    pesim_hist_memo memo[PESIM_WALK_MAX_XFERS + 1][6][PESIM_NDIMS];
} pesim_walk;

/* Prepares a walk of a mapping that pesim_nest_count accepted as valid. */
void pesim_walk_init(pesim_walk *w, const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m);

/* Words the slowest child instance moves of an event's `total` child words
 * (its fills, or for outputs its drain reads) over `instances` child
 * instances: the largest tile (x->child_max), never less than the average
 * ceil(total / instances); 0 when total is 0. */
int64_t pesim_walk_child_words(const pesim_xfer *x, int64_t total, int64_t instances);

/* Words the slowest of `instances` instances moves of `total` words when the
 * largest instance moves `largest` (a pesim_xfer's parent_max, update_max or
 * fill_max; 0: unknown): max(largest, ceil(total / instances)); 0 when total
 * is 0. pesim_walk_child_words is this with x->child_max. */
int64_t pesim_walk_share(int64_t total, int64_t instances, int64_t largest);

/* Words the slowest child instance receives of an output event's read-back
 * (its child_fills) over `instances` child instances: the largest child's
 * tile (x->child_max) times the fraction of the children's tiles read back,
 * ceil(child_max x child_fills / tiles), where tiles are the children's tile
 * words (child_reads; child_fills under "timeloop", where every load is a
 * fill and the fraction is 1); never less than the average. With perfect
 * factors this is the average; children that reduce into one word share
 * its read-back as the average does. */
int64_t pesim_walk_readback_words(const pesim_xfer *x, int64_t instances);

/* Output tiles of pair k that partial-sum read-backs may return to: the
 * combinations of the output loops (G, N, K, P, Q) inside the outermost
 * reduction loop (C, R, S) at or above the pair's j*. A tile is read back only
 * within one iteration of the loops outside that reduction loop, so this
 * names every tile a read-back needs (pesim_xfer.tile). 0 when the pair
 * never reads partial sums back (no reduction loop above its child). */
int64_t pesim_walk_tiles(const pesim_walk *w, int k);

/* Fills b with the next block; returns 0 when there are no more. */
int pesim_walk_next(pesim_walk *w, pesim_block *b);

#ifdef __cplusplus
}
#endif
#endif
