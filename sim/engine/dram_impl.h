/* engine/dram_impl.h - the DRAM model's private state, shared by dram.c (state,
 * timing rules, command issue, stats), dram_sched.c (the scheduler, tick,
 * next_event, advance_to), dram_trace.c and dram_dma.c (the drivers). Not a
 * public header.
 *
 * Queues: a channel holds at most queue_depth requests in a slot pool. Each
 * bank has a command queue (a list of slots, oldest first) of at most
 * bank_queue_depth entries; a request whose bank queue is full waits in the
 * channel's transaction queue (arrival order) and joins its bank queue as
 * soon as a CAS of that bank makes room. A request may issue its first
 * command from the cycle after it joined its bank queue (`ready`).
 *
 * Timing is kept the DRAMsim3 way, in two parts: every bank holds, per
 * command, the earliest cycle at which that command may be issued to it
 * because of commands to that bank (tRCD, tRAS, tRC, tRP, tRTP, write
 * recovery), and every bank group of every rank (a `group`) holds the
 * earliest cycle set by commands elsewhere, which bind all banks of the group
 * alike (tRRD, tFAW, tRFC on ACT; tCCD, the bus turnarounds and tWTR on RD
 * and WR). A command's earliest cycle at a bank is the larger of the two
 * (bank_next); issuing a command raises the bounds it constrains, so a
 * readiness check is two loads and a comparison and the next event is a
 * minimum over the queues. Keeping the shared bounds once per group instead
 * of once per bank gives the same maxima with banks_per_group times fewer
 * updates per CAS and ACT. */
#ifndef PESIM_ENGINE_DRAM_IMPL_H
#define PESIM_ENGINE_DRAM_IMPL_H

#include <stdint.h>

#include "pesim/dram.h"

#define NEVER INT64_MAX

/* The four per-bank commands (REF is per rank). */
enum { C_ACT = 0, C_PRE = 1, C_RD = 2, C_WR = 3, C_BANK_CMDS = 4 };

/* Memoised scan outcomes other than a request's command (dram_channel.memo_cmd). */
enum { M_NONE = -1, M_REF = -2, M_RPRE = -3 };

/* Request flags: which commands were issued on its behalf (for hit/miss). */
enum { F_ACT = 1, F_PRE = 2 };

/* Address fields. */
enum { FLD_RO = 0, FLD_RA, FLD_BG, FLD_BA, FLD_CH, FLD_CO, FLD_COUNT };

typedef struct dram_req {
    uint64_t id;
    uint64_t seq;        /* arrival order within the channel */
    int64_t arrival;     /* cycle it was added */
    int64_t ready;       /* earliest cycle of its first command (the cycle after it joined its bank queue) */
    int64_t row;
    int64_t column;      /* in bursts */
    int32_t bank;        /* flat index within the channel: (rank * BG + bg) * BA + ba */
    int32_t next;        /* next slot in its bank queue (-1: last) */
    int16_t rank;
    int8_t is_write;
    uint8_t flags;       /* F_ACT | F_PRE */
} dram_req;

typedef struct dram_bank {
    int64_t next[C_BANK_CMDS];  /* earliest issue cycle per command, from this bank's own commands */
    int64_t open_row;           /* -1: closed (precharged) */
    int32_t hits;               /* CAS served since its ACT */
    int32_t head, tail, len;    /* command queue: slots, oldest first (-1: empty) */
    int32_t n_wr;               /* writes in the command queue */
    int32_t active_pos;         /* index in the channel's active list (-1: queue empty) */
    int16_t rank, bg;           /* its rank and bank group (constant) */
    int32_t grp;                /* its group: rank * bankgroups + bg (constant) */
    /* The scheduler's walk of an open bank's queue, kept while `walked`: the
     * oldest allowed row-hit read and write (-1: none; *_prev: the slot
     * before it, -1 if it is the head), and the oldest request for another
     * row when no hit is allowed (the PRE's, -1: none). It depends only on
     * the queue, the open row and `hits`, so pushing to or removing from the
     * queue and every ACT, PRE and CAS to the bank clear `walked`. */
    int32_t w_rd, w_rd_prev, w_wr, w_wr_prev, w_pre, w_pre_prev;
    int8_t walked;
} dram_bank;

/* A bank group of a rank: the earliest issue cycle per command set by
 * commands to other banks (next[C_PRE] stays 0: PRE has no such bound). */
typedef struct dram_group {
    int64_t next[C_BANK_CMDS];
} dram_group;

typedef struct dram_rank {
    int64_t ref_due;            /* the next refresh is due at this cycle */
    int64_t ref_ready;          /* earliest REF cycle (tRP after the last PRE, tRFC after REF) */
    int64_t act_hist[4];        /* the last four ACT cycles (tFAW window), ring */
    int32_t act_n, act_pos;     /* entries in the ring, next slot */
    int32_t open_banks;         /* banks with an open row */
    int64_t bg_since;           /* background: the current state (open_banks > 0 or not) since */
    uint64_t active_cycles, precharged_cycles;   /* background cycles before bg_since */
} dram_rank;

/* A request whose data is on (or scheduled for) the bus. */
typedef struct dram_flight {
    uint64_t id;
    int64_t arrival;
    int64_t finish;
    int32_t is_write;
} dram_flight;

typedef struct dram_channel {
    dram_req *slot;             /* queue_depth request slots */
    int32_t *free_slots;        /* stack of free slot indices */
    int32_t n_free;
    int32_t *tq;                /* transaction queue: slots waiting for room in their bank queue, oldest first */
    int32_t tq_len;
    int32_t *active;            /* banks whose command queue is not empty */
    int32_t n_active;
    uint64_t next_seq;
    dram_bank *banks;           /* ranks * bankgroups * banks_per_group */
    dram_group *grp;            /* ranks * bankgroups */
    dram_rank *ranks;
    dram_flight *ring;          /* in-flight requests, finish non-decreasing */
    int32_t ring_head, ring_len;
    int64_t bus_free;           /* the data bus is free from this cycle on (an invariant check) */
    /* The last scan's decision, valid while memo_at == now: a scan reads only
     * the channel's queues, banks and ranks, which change only by an add to
     * the channel or a command issued in it (both clear memo_at), so the
     * tick after next_event, at the same cycle, issues what next_event's
     * scan found without scanning again. memo_cmd: M_NONE (nothing ready;
     * memo_val is the scan's result), M_REF (memo_val: rank), M_RPRE (a
     * refresh PRE; memo_val: bank), or C_ACT..C_WR for request memo_slot
     * (after memo_prev in its bank queue). An M_NONE memo may carry the
     * decision at memo_val, known when the scan found that only queue
     * commands become ready then: pred_cmd (C_ACT..C_WR; M_NONE: none) for
     * request pred_slot after pred_prev. */
    int64_t memo_at, memo_val;
    int32_t memo_slot, memo_prev;
    int memo_cmd;
    int pred_cmd;
    int32_t pred_slot, pred_prev;
    /* The cycle at which the channel's oldest queued request reaches the age
     * cap, as of the memo (NEVER: none, or no cap). */
    int64_t memo_aged;
} dram_channel;

/* Derived constraints in cycles (names: from-command _to_ to-command, _l same
 * bank group, _s other bank group of the same rank, _o other rank). */
typedef struct dram_timing {
    int64_t bl2;                            /* burst on the bus: BL / 2 */
    int64_t rd_to_rd_l, rd_to_rd_s, rd_to_rd_o;
    int64_t wr_to_wr_l, wr_to_wr_s, wr_to_wr_o;
    int64_t rd_to_wr, rd_to_wr_o;
    int64_t wr_to_rd_l, wr_to_rd_s, wr_to_rd_o;
    int64_t rd_to_pre, wr_to_pre;
    int64_t act_to_cas, act_to_pre, act_to_act, act_to_act_l, act_to_act_s, faw;
    int64_t pre_to_act, act_to_ref, ref_to_act;
    int64_t ref_interval;                   /* tREFI / ranks: a rank's refresh every ranks * this */
    int64_t rd_lat, wr_lat;                 /* CAS to the end of its data: CL + BL/2, CWL + BL/2 */
} dram_timing;

struct pesim_dram_sim {
    pesim_dram d;
    pesim_dram_sim_options opt;     /* defaults filled in; address_map points at map_str */
    char map_str[16];
    dram_timing t;
    int field_lsb[FLD_COUNT];       /* fields from least to most significant */
    int64_t field_count[FLD_COUNT];
    int field_shift[FLD_COUNT];     /* log2(count) when a power of two, else -1 */
    /* When every field but an unbounded row on top has a power-of-two count
     * (and they fit 64 bits): field f of a burst index v is
     * (v >> field_pos[f]) & field_mask[f]. */
    int pow2_map;
    int field_pos[FLD_COUNT];
    uint64_t field_mask[FLD_COUNT];
    uint64_t burst_bytes;
    int burst_shift;                /* log2(burst_bytes) when a power of two, else -1 */
    int32_t nbanks;                 /* banks per channel */
    int32_t bpr;                    /* banks per rank */
    int32_t ngroups;                /* groups per channel: ranks * bankgroups */
    int32_t ring_cap;
    int32_t hit_cap;                /* INT32_MAX when uncapped */
    int64_t age_cap;                /* NEVER when uncapped (and for FCFS) */
    int64_t now;
    dram_channel *ch;
    pesim_dram_stats st;
    uint64_t outstanding;
    /* The next event, known without a scan: valid while hint_at == now (set
     * by a tick or by next_event; lowered by an add
     * that keeps its channel's memo, else cleared: dram_sched_added). */
    int64_t hint_at, hint_val;
};

/* The earliest cycle at which command cmd may issue to bank b of channel c. */
static inline int64_t bank_next(const dram_channel *c, const dram_bank *b, int cmd)
{
    int64_t g = c->grp[b->grp].next[cmd];
    return b->next[cmd] > g ? b->next[cmd] : g;
}

/* dram.c: issuing a command at h->now (updates state, timing bounds, stats,
 * calls the hook). req may be NULL for refresh work. */
void dram_issue_act(pesim_dram_sim *h, dram_channel *c, int32_t bank, dram_req *req);
void dram_issue_pre(pesim_dram_sim *h, dram_channel *c, int32_t bank, dram_req *req);
/* Issues the RD/WR of the request in slot s (in its bank queue, after
 * `prev`, -1 if s is the head) and frees the slot. */
void dram_issue_cas(pesim_dram_sim *h, dram_channel *c, int32_t s, int32_t prev);
void dram_issue_ref(pesim_dram_sim *h, dram_channel *c, int32_t rank);
/* Fires the completions of every channel with finish <= h->now. */
void dram_complete(pesim_dram_sim *h);

/* The channel of addr (a cheaper decode). */
int32_t dram_channel_of(const pesim_dram_sim *h, uint64_t addr);
/* 1 if channel c can take a request. */
int dram_channel_has_room(const pesim_dram_sim *h, const dram_channel *c);

/* dram_sched.c: updates channel c's memo and the model's next-event hint
 * after request s was added at now (queued: it joined its bank queue; else
 * it waits in the transaction queue). */
void dram_sched_added(pesim_dram_sim *h, dram_channel *c, int32_t s, int queued);
/* dram_sched.c: processes cycle now (the tick) and moves to now + 1. Returns
 * the earliest cycle > the processed one at which a tick can do something
 * (NEVER: nothing can), which is also the model's hint from now + 1. */
int64_t dram_step(pesim_dram_sim *h);

#endif
