/* net_impl.h - the inside of a pesim_net (internal to sim/net/).
 *
 * A run goes through these stages, each in its own file:
 *   graph.c   the network's tensors, lifetimes and features (static);
 *   place.c   a placement -> each tensor's home; validation; rectification;
 *             the greedy and outermost placers;
 *   alloc.c   capacity over time and addresses, level by level;
 *   layer.c   each layer's plan: MAC layers remapped for their homes and the
 *             room left (memoised), vector layers tiled, copies and loads;
 *   bound.c   the analytical network: per-layer bounds and the schedule;
 *   run.c     pesim_net_run: the stages, the cycle engine and SystemC runs,
 *             the result. */
#ifndef PESIM_NET_IMPL_H
#define PESIM_NET_IMPL_H

#include <stdint.h>

#include "engine/engine_net.h"
#include "nest/walk.h"
#include "pesim/net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NT PESIM_NTENSORS
#define MAXL PESIM_MAX_LEVELS

/* How a layer runs. */
typedef enum net_kind {
    NET_MAC = 0,     /* on the MAC array, mapped */
    NET_VECTOR,      /* on the vector unit, tiled by rows */
    NET_COPY         /* concat: DMA copies of its inputs into its output (or nothing, aliased) */
} net_kind;

/* A vector layer's work: `units` units of `unit_out` output words each, a
 * unit one channel (k, the fastest) of an output row (n, p) of a pool or of
 * a pixel of another op; per unit, `unit_in[t]` words of operand t (pool:
 * its windows, pool_in_words), `ops` element operations per output word;
 * weights (layernorm) stay resident. An instance's share of a block is
 * whole grains: whole rows or pixels (K units), or single channels where
 * one does not fit the level (a pool, an add, an activation). */
typedef struct net_vec {
    int64_t units;
    int64_t unit_out;
    int64_t unit_in[NT];         /* INPUTS: operand 0, WEIGHTS: operand 1 or, a split layer norm, its scale
                                  * and shift (2) (0: none) */
    int64_t weight_words;        /* layernorm whose rows are whole: 2 x K, loaded in the first block */
    int64_t ops;                 /* per output word (both passes of a split row) */
    int pool;                    /* a pool: input rows per tile come from the window */
    int64_t grain;               /* units an instance's share is made of (K, or 1: channels) */
    int64_t tile;                /* units per instance per block (whole grains; a split row: channels) */
    int64_t pieces;              /* softmax, layer norm whose one row does not fit: pieces of tile x inst
                                  * channels per row, each row's read twice (statistics, then the
                                  * outputs); 0: rows whole */
    int64_t ops1;                /* a split row: operations per word of its first pass */
    int64_t blocks;
    int64_t inst;                /* instances of the vector unit's level */
} net_vec;

/* A memoised MAC-layer plan: key and value. */
typedef struct net_memo {
    uint64_t key;                /* 0: empty */
    int32_t layer;
    int32_t home[NT];
    int16_t room_q[MAXL];        /* the rooms as memo_rooms (layer.c) keys them */
    int32_t valid;
    int32_t given;               /* 1: map is the layer's given mapping (pesim_net_set_mapping) */
    char reason[PESIM_REASON_MAX];
    pesim_mapping map;
} net_memo;

/* One layer's plan for a run. */
typedef struct net_step {
    int32_t kind;                /* net_kind */
    int32_t home[NT];            /* operand levels (see pesim_net_layer) */
    int32_t src[NT];             /* operand tensors (-1: none) */
    int16_t room_q[MAXL];        /* MAC: room quantum per level (16 = full) */
    pesim_arch arch;             /* the layer's view of the arch: homes bypassed above, room left */
    pesim_mapping map;           /* MAC */
    int32_t given;               /* MAC: map is the given mapping */
    net_vec vec;                 /* VECTOR */
    int32_t n_copies;            /* COPY: inputs copied (aliased ones are not) */
    int32_t copy_from[PESIM_MAX_INPUTS];   /* tensor ids */
    int64_t act_ops;             /* fused activation: element operations */
    int32_t n_loads;             /* tensors loaded from the outermost level into their home before it: */
    int32_t load[2];             /* its weights (unless preloaded), the network input at its first reader */
} net_step;

struct pesim_net {
    pesim_arch arch;
    pesim_network net;           /* owned copy */
    pesim_net_options opt;
    int M;                       /* levels */
    int32_t L;                   /* layers */
    int32_t T;                   /* tensors: 1 + 2L */
    int inner;                   /* the first level a tensor may live in (pesim_net_home_levels) */
    int64_t inst[MAXL];          /* instances of each level */
    int64_t cap[MAXL];           /* per instance, capacity for tensors (0 = unbounded) */
    int64_t align[MAXL];         /* words a buffer is rounded up to (DRAM: a burst) */
    double dram_wpc;             /* DRAM peak words per accelerator cycle (0: no DRAM) */
    pesim_net_tensor *tensor;    /* T: static fields at creation, the rest per run */
    int32_t *reads;              /* per layer, its input tensor ids (PESIM_MAX_INPUTS each) */
    int8_t *floor;               /* T: the lowest level each tensor may live in (net_can_hold) */
    int64_t *pin;                /* per run: the placement's addresses (-1: free) */
    uint64_t *image;             /* per run: where a loaded tensor's image lies in the outermost level (bytes) */

    /* per run */
    net_step *step;              /* L */
    pesim_net_result res;
    pesim_net_layer *layer;      /* L */
    pesim_net_occupancy *occ;    /* M x L */
    pesim_engine_times *times;   /* L: a simulation's layer times */
    pesim_cost *costs;           /* L: a simulation's layer costs */
    pesim_net_spill *spills;
    int32_t cap_spills;
    int32_t *alias_base;         /* T: a concat input's word offset in the concat's output, per instance */
    int64_t *scratch;            /* allocator scratch */
    int32_t *order;              /* allocator scratch: 3 x T */

    /* memo of MAC-layer plans (open addressing) */
    net_memo *memo;
    uint32_t memo_cap, memo_used;

    /* per-layer mappings set by pesim_net_set_mapping (NULL until one is set) */
    pesim_mapping *given;        /* L */
    uint8_t *has_given;          /* L: 1 where given[i] is set */
};

/* graph.c */
const char *net_kind_of(const pesim_layer *l, net_kind *k);  /* NULL or why the net cannot run it */
int64_t net_act_ops(pesim_act a);                             /* element operations per word */
int64_t net_vector_ops_per_word(const pesim_layer *l);        /* the layer's own (not its fused act) */
/* A softmax's or layer norm's operations per word when a row that does not
 * fit is read in two passes (docs/network.md): the return all, *first the
 * first pass's; 0 for other ops. A layer norm's first pass sums the words and
 * their squares (mean, deviation, variance: 3), its second normalises (2),
 * scales and shifts: 7, as in one pass. A softmax's first keeps a running max
 * and a sum of exponentials rescaled when the max moves (max, subtract,
 * exponential, sum: 4), its second takes the exponential again and scales
 * (subtract, exponential, scale: 3): 7, two more than in one pass. */
int64_t net_vector_split_ops(const pesim_layer *l, int64_t *first);

/* place.c: resolves the placement into tensor homes (level, placed_level,
 * address pin); PESIM_ERR_INVALID for a level that cannot hold a tensor. */
pesim_status net_resolve(pesim_net *n, const pesim_placement *p, int64_t *pin, pesim_error *e);
/* Lifetimes (birth/death) and concat aliasing from the homes (pin[id] >= 0:
 * an address the placement fixes; pinned tensors are never aliased). */
void net_lifetimes(pesim_net *n, const int64_t *pin);
/* 1 if level lv may be tensor id's home: a home of its kind at or above its
 * floor (the vector unit's level for what a vector layer reads or writes). */
int net_can_hold(const pesim_net *n, int32_t id, int lv);
/* The next level out that can hold tensor id (net_can_hold), or -1. */
int32_t net_next_level(const pesim_net *n, int32_t id, int32_t level);

/* alloc.c: capacity over time and addresses of every tensor of `level`
 * (pin[id] >= 0: fixed). 1 on success; else 0 and the failure in *res. */
int net_alloc_level(pesim_net *n, int level, const int64_t *pin, pesim_net_result *res);
/* Tensor id (allocated) to live from `birth` on: at its address when pinned
 * and that is free, else at the best-fitting run free over the longer life.
 * 1 if it moved, 0 if there is no room (nothing changes). */
int net_alloc_extend(pesim_net *n, int32_t id, int32_t birth, int pinned);
/* The largest free run (per instance) of `level` during `step`, and the
 * occupancy of that step: live words and top address. */
int64_t net_room(pesim_net *n, int level, int32_t step, int64_t *live, int64_t *top);

/* layer.c: the plan of every layer (steps); 1 or 0 with the failure in *res. */
int net_plan(pesim_net *n, pesim_net_result *res);
/* The vector layer's blocks: fills, streams and compute steps in the walker's
 * format (nest/walk.h); pairs (tensor, child = the vector level, parent =
 * the home). */
void net_vec_pairs(const pesim_net *n, const net_step *s, pesim_walk_pair *pairs, int *n_pairs);
int64_t net_vec_block(const pesim_net *n, const net_step *s, int32_t li, int64_t b, pesim_block *out);
/* Words a vector layer's tile takes per instance at the vector unit's level. */
int64_t net_vec_working_set(const pesim_net *n, const net_step *s, int32_t li);
/* Vector steps of a tile of `per_inst` units with `ops` operations per word. */
int64_t net_vec_steps(const pesim_arch *a, int64_t words_per_inst, int64_t ops);

/* bound.c: the analytical network (fills res and the layers). */
void net_bound(pesim_net *n, pesim_net_result *res);
/* Energy of a layer's counts and MACs/vector ops, no leakage (fills cost's energy fields). */
void net_energy(const pesim_net *n, const pesim_arch *a, pesim_cost *c, int64_t vector_ops);
double net_leak_per_cycle(const pesim_net *n);

/* A simulation of the whole network (the cycle engine, sim.c; the SystemC
 * reference, sim/systemc/network.cpp): overwrites the timing (cycles, stalls,
 * spans) of res and of the layers, after the plan and the bound. */
typedef pesim_status (*net_sim_fn)(pesim_net *n, pesim_net_result *res, pesim_error *e);
pesim_status net_simulate(pesim_net *n, pesim_net_result *res, pesim_error *e);
/* pesim_net_run with a given simulation (NULL: the analytical bound only). */
pesim_status net_run_with(pesim_net *n, const pesim_placement *p, pesim_net_fidelity f, net_sim_fn sim,
                          const pesim_net_result **out, pesim_error *e);

/* Layer i as an engine step (sim.c): its plan and what it waits for, as
 * references the cycle engine turns into times and the SystemC reference
 * into dependencies:
 *   an activation operand t is complete when layer op_layer[t] has ended;
 *   a loaded operand t (op_load[t] >= 0) when its load has: a DMA of this
 *   step issued before the first block (step.ready_dma[t]) or, prefetched,
 *   the previous step's DMA `prefetch`;
 *   a DMA of the step (a load) may start once every layer before this one has
 *   ended (dma_after_all[k]); a concat's copy k once its input is complete
 *   (copy_layer[k] ended, or copy_load[k] loaded). */
typedef struct net_vec_gen {
    const pesim_net *n;
    const net_step *s;
    int32_t li;
    int64_t next;
} net_vec_gen;
typedef struct net_plan_step {
    pesim_engine_step step;
    pesim_engine_dma dma[PESIM_MAX_INPUTS + 4];
    pesim_walk_pair pairs[2 * NT];
    net_vec_gen gen;
    int32_t op_layer[NT];        /* -1: none */
    int32_t op_load[NT];         /* -1: none */
    int8_t dma_after_all[PESIM_MAX_INPUTS + 4]; /* 1: ready once every earlier layer has ended */
    int32_t copy_layer[PESIM_MAX_INPUTS + 4];   /* a copy's input producer, or -1 */
    int32_t copy_load[PESIM_MAX_INPUTS + 4];    /* a copy's loaded input, or -1 */
    int prefetch;                /* the DMA of the next layer's prefetched load, or -1 */
    int32_t prefetch_id;         /* its tensor, or -1 */
} net_plan_step;
void net_make_step(const pesim_net *n, int32_t i, net_plan_step *pl);
/* 1 if a simulation of layer i moved exactly the words of its analytical
 * counts (its blocks': loads and copies are DMA transfers counted apart). */
int net_same_counts(const pesim_net *n, int32_t i, const pesim_cost *sim);
/* When a concat's inputs are complete (end[j]: layer j's end; load_done: a
 * loaded tensor's). */
int64_t net_copy_inputs_end(const pesim_net *n, int32_t i, const int64_t *end, const int64_t *load_done);
/* Bytes of `words` words in the simulated address space (regions, DMA
 * spans, images): whole bytes per word (pesim_arch_word_bytes). */
uint64_t net_bytes(const pesim_net *n, int64_t words);
/* A tensor's DRAM region (bytes) from its address. */
pesim_engine_region net_region(const pesim_net *n, int32_t id);
/* The layers' timing from a simulation of the whole network: per layer its
 * times and its timeline's compute and stalls; the network's end. Fills the
 * layers and res (cycles; the tail after the last compute to the last layer). */
void net_set_timing(pesim_net *n, pesim_net_result *res, const pesim_engine_times *tm, const pesim_cost *c,
                    int64_t net_end);
/* The layer's view of the arch (layer.c): a MAC layer's homes and room, a
 * vector layer's streams off the array's networks. */
void net_step_view(const pesim_net *n, const net_step *s, pesim_arch *a);

#ifdef __cplusplus
}
#endif
#endif
