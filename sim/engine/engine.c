/* engine.c - the cycle-level engine (docs/engine.md).
 *
 * The machine: every level instance has a fill/drain port pair (one shared
 * port when the level has one bank and one port; with two or more banks the
 * read and write streams meet in the banks, banks.h), every level has one
 * network per tensor to its children, DRAM is the cycle-level model of
 * sim/engine/dram.c, and the MAC array streams its operands from the
 * innermost levels over dedicated MAC-side ports. Work is the block sequence
 * of sim/nest/walk.c. Each resource serves its transfers one at a time in
 * program order; a transfer starts when its data is in the parent, its
 * destination has room (one tile, or two when double-buffered) and all its
 * resources are free, and holds each resource for words / rate cycles.
 * A block computes once every tile it needs has arrived and the previous
 * block is done. Time only jumps between these boundaries.
 *
 * The state (engine_net.h) persists over the layers of a network: a layer is
 * a step on it; pesim_engine_run is one step on a fresh state. */
#include "pesim/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/banks.h"
#include "engine/dram_layout.h"
#include "engine/engine_net.h"
#include "nest/nest.h"
#include "nest/walk.h"
#include "pesim/dram.h"
#include "pesim/estimate.h"

#define NT PESIM_NTENSORS
#define MAXL PESIM_MAX_LEVELS

#define DRAM_RING 4096 /* DRAM transfers that may be in flight at once */
#define PESIM_ENGINE_PROGRESS_BLOCKS 65536 /* blocks between progress calls by default */

/* A DRAM region and the next burst a transfer takes in it (tile-major layout). */
typedef struct dram_region {
    uint64_t base, span, cursor;
} dram_region;

typedef struct dram_port {
    pesim_dram_sim *sim;
    pesim_dram timing;
    pesim_dram_clock clk;         /* the clock crossing of timing and the accel clock */
    uint64_t burst_bytes;
    double port_bytes[2];         /* the level's read / write port, bytes per accel cycle (0 = unlimited) */
    dram_region reg[NT];          /* the step's operand regions */
    uint64_t issue_free;          /* accel cycle the DMA stream can issue again */
    uint64_t next_id;             /* transfer ids start at 1; 0 = no DRAM transfer */
    int64_t pending[DRAM_RING];   /* bursts still in flight, per transfer id % DRAM_RING */
    uint64_t last_done[DRAM_RING];/* latest burst completion (DRAM cycles) */
    int64_t owner[DRAM_RING];     /* 1 + the tile_drain entry whose drain wrote this transfer (0: none) */
    int64_t bursts_r, bursts_w;
    /* pesim_dram.layout "row_major": the step's tensors laid out row-major
     * (has_lay: a MAC or vector layer's step; boxed[t]: tensor t has a
     * layout), a transfer's bursts those of its box */
    int row_major, order, has_lay, boxed[NT];
    pesim_dram_layout lay[NT];
    uint64_t *addr;               /* the bursts of the transfer being issued */
    int64_t n_addr, cap_addr;
    int addr_oom;                 /* out of memory for them: the run fails */
} dram_port;

/* A child buffer of N tile slots (pesim_level_tile_slots): the fill at a
 * pair's event k takes the slot of the tile filled at event k - N, free once
 * the last block that used it computed (the compute end recorded at event
 * k - (N - 1)) and, for outputs, once that tile's drain left (the drain
 * N - 2 drains back; the latest for N <= 2). Rings of the last N - 1, newest
 * first; SLOT_RING of them kept. */
#define SLOT_RING (PESIM_TILE_SLOTS_MAX - 1)
typedef struct slot_drain {
    int64_t left;           /* the drain's words left the child */
    pesim_stall cause;      /* what made it late */
} slot_drain;

static void ring_push_ce(int64_t r[SLOT_RING], int64_t ce)
{
    memmove(r + 1, r, (SLOT_RING - 1) * sizeof *r);
    r[0] = ce;
}

static void ring_push_drain(slot_drain r[SLOT_RING], int64_t left, pesim_stall cause)
{
    memmove(r + 1, r, (SLOT_RING - 1) * sizeof *r);
    r[0] = (slot_drain){left, cause};
}

/* What a (tensor, child level) buffer carries from one step to the next:
 * its slots' rooms and the last drain out of it. */
typedef struct carry {
    int64_t room_ce[SLOT_RING];       /* the compute ends recorded at its last events, newest first */
    slot_drain room_drain[SLOT_RING]; /* outputs: its last drains (the flush first), newest first */
    int64_t drain_done;     /* the latest drain has left the child */
    int64_t drain_end;      /* that drain's on-chip end */
    uint64_t drain_dram;    /* its DRAM writes (0: none) */
    int64_t drain_start, drain_words;
    pesim_stall drain_cause;
} carry;

/* The last drain of one output tile (engine.tiles): its on-chip landing and
 * its DRAM writes (0: none, or resolved into `end` when the DRAM ring slot
 * was reused). A read-back of the tile waits for it to land. */
typedef struct tile_drain {
    int64_t end;
    uint64_t dram_id;
} tile_drain;

/* The streams one side of a banked level granted (docs/engine.md, "Banks"),
 * in time order: stream i makes one access a cycle on its last acc[i]
 * cycles before end[i] (after the last cycle it lost), from bank group 0.
 * Entries from `head` on may still meet a stream of the other side. */
typedef struct bank_side {
    int64_t *end, *acc;
    int64_t head, n, cap;
    int32_t width;          /* lines per access */
} bank_side;

typedef struct engine {
    /* the current step */
    const pesim_arch *a;
    const pesim_layer *l;
    const pesim_mapping *m;
    int64_t inst[MAXL];           /* instances of each level the step uses */
    int home[NT];                 /* the level serving each operand in place of the outermost */
    int64_t stall[PESIM_STALL_COUNT];
    /* what persists over the steps */
    pesim_engine_options opt;
    int M;
    int64_t rfree[MAXL], wfree[MAXL], nfree[MAXL][NT]; /* resource free times */
    int shared_port[MAXL];
    int32_t banks[MAXL];          /* banks of a banked level (>= 2, not shared, not DRAM), else 0 */
    bank_side bank[MAXL][2];      /* its read side (0) and write side (1) */
    int bank_oom;
    dram_port dram;
    int has_dram;
    int64_t ce;                   /* the compute timeline: the last block's compute end */
    carry carry[NT][MAXL];
    pesim_engine_stats st;
    tile_drain *tiles;            /* the step's output tiles, per pair (pesim_walk_tiles) */
    int64_t tiles_cap;
} engine;

struct pesim_engine_state {
    engine e;
};

static int64_t cdiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

/* Cycles to move `words` at `rate` words per cycle (0 = unlimited). */
static int64_t span_cycles(int64_t words, double rate)
{
    if (words <= 0 || rate <= 0) return 0;
    return (int64_t)ceil((double)words / rate - 1e-9);
}

/* Records a stream of `acc` accesses ending at `end` on side `side` of
 * banked level lv, for the younger streams of the other side (out of memory:
 * e->bank_oom is set and the run fails). */
static void bank_record(engine *e, int lv, int side, int64_t end, int64_t acc)
{
    bank_side *me = &e->bank[lv][side];
    if (me->n == me->cap) {
        int64_t cap = me->cap ? 2 * me->cap : 64;
        if (me->head > 0) { /* drop what no stream can meet any more */
            memmove(me->end, me->end + me->head, (size_t)(me->n - me->head) * sizeof *me->end);
            memmove(me->acc, me->acc + me->head, (size_t)(me->n - me->head) * sizeof *me->acc);
            me->n -= me->head, me->head = 0;
        }
        if (me->n == me->cap) {
            int64_t *ne = realloc(me->end, (size_t)cap * sizeof *ne);
            if (ne) me->end = ne;
            int64_t *na = ne ? realloc(me->acc, (size_t)cap * sizeof *na) : NULL;
            if (!na) {
                e->bank_oom = 1;
                return;
            }
            me->acc = na, me->cap = cap;
        }
    }
    me->end[me->n] = end, me->acc[me->n] = acc, me->n++;
}

/* A stream of `acc` accesses on side `side` (0 read, 1 write) of banked level
 * lv, granted at `start` after every stream recorded on either side: the
 * cycles it takes, its own accesses and the cycles it loses to the other
 * side's older streams (*lost). It is recorded for the younger ones
 * (bank_record). */
static int64_t bank_stream(engine *e, int lv, int side, int64_t start, int64_t acc, int64_t *lost)
{
    *lost = 0;
    if (!e->banks[lv] || acc <= 0) return acc;
    bank_side *o = &e->bank[lv][!side];
    pesim_bank_stream y = {acc, 0, e->bank[lv][side].width};
    int64_t t = start, end = start + acc;
    for (int64_t i = o->head; i < o->n; i++) { /* the older streams it may meet, in time order */
        if (o->end[i] <= t) {
            if (i == o->head) o->head++; /* no later stream of this side starts before t */
            continue;
        }
        if (o->end[i] - o->acc[i] >= end) break;
        pesim_bank_stream os = {o->acc[i], 0, o->width};
        int64_t l = 0;
        end = pesim_banks_younger_end(e->banks[lv], &os, o->end[i], &y, t, &l);
        *lost += l;
        if (end <= o->end[i]) break;
        /* past this older stream: the accesses left, from the group reached */
        int64_t left = end - o->end[i];
        y.first_group += y.accesses - left, y.accesses = left, t = o->end[i];
    }
    bank_record(e, lv, side, end, acc);
    return end - start;
}

/* The MAC array's reads (*cr accesses) and updates (*cu) of one block on
 * level lv, granted at `start`, arbitrated by the level's policy (banks.h,
 * pesim_banks_pair): *cr and *cu become the cycles each takes, *lr and *lu
 * the cycles each lost. A fixed priority times the winning side first, as the
 * older stream, then the other against it (each also against the other side's
 * older streams, by age). Round robin with both sides in use needs no older
 * stream: the block waited for both sides' free times, which are the ends of
 * every stream recorded on them, so from `start` the pair meets only itself.
 * Each is recorded by its end and accesses, as if it ran without a gap: a
 * younger stream of one side starts after that side's end, when the other
 * side's stream, if still running, runs without a gap to its end. */
static void bank_pair(engine *e, int lv, int64_t start, int64_t *cr, int64_t *cu, int64_t *lr, int64_t *lu)
{
    int policy = e->a->level[lv].arbitration;
    *lr = *lu = 0;
    if (e->banks[lv] && policy == PESIM_ARB_ROUND_ROBIN && *cr > 0 && *cu > 0) {
        pesim_bank_stream r = {*cr, 0, e->bank[lv][0].width}, u = {*cu, 0, e->bank[lv][1].width};
        int64_t end[2], lost[2];
        pesim_banks_pair(e->banks[lv], PESIM_ARB_ROUND_ROBIN, &r, &u, start, end, lost);
        bank_record(e, lv, 0, end[0], *cr);
        bank_record(e, lv, 1, end[1], *cu);
        *cr = end[0] - start, *cu = end[1] - start, *lr = lost[0], *lu = lost[1];
        return;
    }
    int first = policy == PESIM_ARB_UPDATES_FIRST; /* the side timed first */
    int64_t *acc[2] = {cr, cu}, *lost[2] = {lr, lu};
    for (int k = 0; k < 2; k++) {
        int sd = k ? !first : first;
        if (*acc[sd] > 0) *acc[sd] = bank_stream(e, lv, sd, start, *acc[sd], lost[sd]);
    }
}

static void dram_done(void *ctx, uint64_t id, uint64_t finish)
{
    dram_port *d = ctx;
    uint64_t k = (id >> 20) % DRAM_RING; /* burst id = transfer id << 20 | burst index */
    d->pending[k]--;
    if (finish > d->last_done[k]) d->last_done[k] = finish;
}

/* Moves one DRAM cycle forward to the next event (or one tick). */
static void dram_step(dram_port *d)
{
    uint64_t nx = pesim_dram_sim_next_event(d->sim);
    if (nx <= pesim_dram_sim_now(d->sim)) pesim_dram_sim_tick(d->sim);
    else pesim_dram_sim_advance_to(d->sim, nx);
}

/* The first DRAM cycle whose results are seen at accel cycle `a` or later. */
static uint64_t dram_cycle_seen_at(const dram_port *d, int64_t a)
{
    return a <= 0 ? 0 : pesim_dram_clock_seen_at(&d->clk, (uint64_t)a);
}

/* Appends a burst to the transfer being issued (d->addr), unless it is the
 * one collected last (a burst shared by consecutive runs or steps is read
 * once). */
static void collect_burst(void *ctx, uint64_t addr)
{
    dram_port *d = ctx;
    if (d->n_addr > 0 && d->addr[d->n_addr - 1] == addr) return;
    if (d->n_addr == d->cap_addr) {
        int64_t cap = d->cap_addr ? 2 * d->cap_addr : 256;
        uint64_t *n = realloc(d->addr, (size_t)cap * sizeof *n);
        if (!n) {
            d->addr_oom = 1; /* the run fails */
            return;
        }
        d->addr = n, d->cap_addr = cap;
    }
    d->addr[d->n_addr++] = addr;
}

/* Row-major: appends the bursts of box b in tensor t's layout to the
 * transfer being issued. */
static void collect_box(engine *e, int t, const pesim_dram_box *b)
{
    pesim_dram_layout_bursts(&e->dram.lay[t], b, e->dram.burst_bytes, collect_burst, &e->dram);
}

static int cmp_addr(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Row-major, a vector step: the bursts of units [u0, u1) of tensor t
 * (pesim_dram_vector_boxes) as the transfer being issued: every burst the
 * units' elements touch, once, in address order (docs/engine.md, "DRAM
 * address layout"). */
static void vec_bursts(engine *e, int t, int64_t u0, int64_t u1)
{
    pesim_dram_box bx[PESIM_DRAM_UNIT_BOXES];
    int nb = pesim_dram_vector_boxes(e->l, t, e->dram.order, u0, u1, bx);
    dram_port *d = &e->dram;
    d->n_addr = 0;
    for (int i = 0; i < nb; i++) collect_box(e, t, &bx[i]);
    if (d->n_addr < 2) return;
    qsort(d->addr, (size_t)d->n_addr, sizeof *d->addr, cmp_addr);
    int64_t k = 1;
    for (int64_t i = 1; i < d->n_addr; i++)
        if (d->addr[i] != d->addr[k - 1]) d->addr[k++] = d->addr[i];
    d->n_addr = k;
}

/* Where a transfer's DRAM side goes under the row-major layout: the bursts
 * of box `box` of layout `lay` or, lay NULL, those of units [u0, u1) of
 * the vector step's tensor t (vec_bursts). A NULL dram_where: tile-major,
 * the next bursts of the side's region. */
typedef struct dram_where {
    const pesim_dram_layout *lay;
    pesim_dram_box box;
    int t;
    int64_t u0, u1;
} dram_where;

/* The bursts of w as the transfer being issued. */
static void where_list(engine *e, const dram_where *w)
{
    if (!w->lay) {
        vec_bursts(e, w->t, w->u0, w->u1);
        return;
    }
    e->dram.n_addr = 0;
    pesim_dram_layout_bursts(w->lay, &w->box, e->dram.burst_bytes, collect_burst, &e->dram);
}

/* The words a listed transfer's bursts carry (the port's and the stall
 * cause's measure under row-major: an enclosing box's over-fetch included). */
static int64_t listed_words(const engine *e)
{
    int64_t wb = pesim_arch_word_bytes(e->a);
    return cdiv(e->dram.n_addr * (int64_t)e->dram.burst_bytes, wb);
}

/* Issues the bursts of `words` of tensor t, no earlier than accel cycle
 * `start` and after the previous transfer's bursts were all accepted (one DMA
 * stream whose transfers pipeline in the controller's queues). With a port
 * (the DRAM level's read/write_words_per_cycle, port_bytes) the bursts cross
 * it one after the other: from p0, the accel cycle of the DRAM cycle at which
 * the first could enter, burst i enters at a DRAM cycle seen at p0 +
 * ceil(bytes before it / port bytes per cycle) or later, and the transfer
 * holds the stream until p0 + ceil(bytes / port bytes per cycle) at least.
 * Returns the transfer id (0 if no words); *issued gets the accel cycle its
 * last burst was accepted (or the port's end, if later). Tile-major (listed
 * 0): tiles are laid out contiguously, so a transfer covers the next
 * `words` of its tensor's region rg. Row-major (listed 1): the bursts
 * collected in d->addr (collect_box, stream_bursts; docs/engine.md, "DRAM
 * address layout"), and the port is paced by their bytes, not by `words`. */
static uint64_t dram_issue(engine *e, dram_region *rg, int64_t words, int is_write, int64_t start, int64_t *issued,
                           int listed)
{
    dram_port *d = &e->dram;
    int64_t bytes = words * pesim_arch_word_bytes(e->a);
    int64_t bursts = cdiv(bytes, (int64_t)d->burst_bytes);
    *issued = start;
    if (listed) bursts = d->n_addr, bytes = d->n_addr * (int64_t)d->burst_bytes;
    if (bursts == 0) return 0;
    uint64_t id = ++d->next_id, k = id % DRAM_RING;
    while (d->pending[k] > 0) dram_step(d); /* the ring slot's old transfer must be done */
    if (d->owner[k]) { /* a tile's drain: its landing goes into its entry before the slot is reused */
        tile_drain *td = &e->tiles[d->owner[k] - 1];
        int64_t done = (int64_t)pesim_dram_clock_to_accel(&d->clk, d->last_done[k]);
        if (done > td->end) td->end = done;
        td->dram_id = 0, d->owner[k] = 0;
    }
    d->last_done[k] = 0;
    uint64_t t0 = (uint64_t)start > d->issue_free ? (uint64_t)start : d->issue_free;
    uint64_t now = pesim_dram_clock_from_accel(&d->clk, t0);
    if (now > pesim_dram_sim_now(d->sim)) pesim_dram_sim_advance_to(d->sim, now);
    double port = d->port_bytes[is_write ? 1 : 0];
    int64_t p0 = (int64_t)pesim_dram_clock_to_accel(&d->clk, pesim_dram_sim_now(d->sim));
    for (int64_t i = 0; i < bursts; i++) {
        if (port > 0 && i > 0) { /* the bursts before it have crossed the port */
            uint64_t at = dram_cycle_seen_at(d, p0 + span_cycles(i * (int64_t)d->burst_bytes, port));
            if (at > pesim_dram_sim_now(d->sim)) pesim_dram_sim_advance_to(d->sim, at);
        }
        uint64_t addr = listed ? d->addr[i] : rg->base + rg->cursor;
        if (!listed) rg->cursor = (rg->cursor + d->burst_bytes) % rg->span;
        while (!pesim_dram_sim_will_accept(d->sim, addr, is_write)) dram_step(d);
        d->pending[k]++;
        pesim_dram_sim_add(d->sim, addr, is_write, id << 20 | (uint64_t)(i & 0xFFFFF));
    }
    if (is_write) d->bursts_w += bursts;
    else d->bursts_r += bursts;
    int64_t acc = (int64_t)pesim_dram_clock_to_accel(&d->clk, pesim_dram_sim_now(d->sim));
    if (port > 0 && p0 + span_cycles(bytes, port) > acc) acc = p0 + span_cycles(bytes, port);
    if (acc < start) acc = start;
    d->issue_free = (uint64_t)acc;
    *issued = acc;
    return id;
}

/* Accel cycle at which DRAM transfer `id` completed (runs the DRAM model
 * until it has); `floor` if id is 0. */
static int64_t dram_resolve(engine *e, uint64_t id, int64_t floor)
{
    if (id == 0) return floor;
    dram_port *d = &e->dram;
    uint64_t k = id % DRAM_RING;
    while (d->pending[k] > 0) dram_step(d);
    int64_t done = (int64_t)pesim_dram_clock_to_accel(&d->clk, d->last_done[k]);
    return done > floor ? done : floor;
}

/* What a transfer did: its on-chip part ends at `end`; DRAM transfer
 * `dram_id` (0: none) completes later (dram_resolve); `start` and the cause
 * that dominated it are kept for the stall breakdown. `left` (<= end): every
 * share is over but the network's latency after its words (a reduction
 * tree's or a mesh's hops): the words have left the source, which is free. */
typedef struct xres {
    int64_t start, end, left;
    uint64_t dram_id;
    int64_t dram_words;
    int dram_write;         /* its DRAM part writes (else reads) */
    pesim_stall cause;
} xres;

/* One transfer of tensor t: src_words read at level src (or from DRAM),
 * dst_words written at level dst (or to DRAM), noc_words over level net's
 * network (net < 0: none, a DMA between levels), no earlier than `ready`.
 * Each resource is held for its own share (words / rate); the transfer ends
 * when the slowest share (plus the source's access latency, and net_lat, the
 * network's reduction or hop latency after its words) is done. gs and
 * gd are the DRAM regions of its source and destination; a copy from DRAM to
 * DRAM reads, then writes what it read. ws, wd (NULL: tile-major): where its
 * source's and destination's DRAM sides go in the row-major layout. */
static xres transfer(engine *e, int t, int src, int64_t src_words, int dst, int64_t dst_words, int net,
                     int64_t noc_words, int64_t net_lat, int64_t ready, dram_region *gs, dram_region *gd,
                     const dram_where *ws, const dram_where *wd)
{
    const pesim_arch *a = e->a;
    xres r = {ready, ready, ready, 0, 0, 0, PESIM_STALL_SPACE};
    if (e->opt.stall_free) {
        r.cause = PESIM_STALL_FILL_DRAIN;
        return r;
    }
    const pesim_level *vs = &a->level[src], *vd = &a->level[dst];
    int64_t *sf = e->shared_port[src] ? &e->wfree[src] : &e->rfree[src], *df = &e->wfree[dst];
    int64_t no_net = 0;
    int64_t *nf = net >= 0 ? &e->nfree[net][t] : &no_net;
    int64_t start = ready;
    if (!vs->is_dram && *sf > start)
        start = *sf, r.cause = e->shared_port[src] ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
    if (!vd->is_dram && *df > start)
        start = *df, r.cause = e->shared_port[dst] ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
    if (*nf > start) start = *nf, r.cause = PESIM_STALL_NOC_BW;
    int64_t rs = vs->is_dram ? 0 : span_cycles(src_words, pesim_level_read_words_per_cycle(vs));
    int64_t rd = vd->is_dram ? 0 : span_cycles(dst_words, pesim_level_write_words_per_cycle(vd));
    if (src == dst && e->shared_port[src] && !vs->is_dram) /* a copy within a level of one port: read, then write */
        rs += rd, rd = 0;
    int64_t lost_s = 0, lost_d = 0; /* cycles lost to bank conflicts (the read side is the older) */
    if (!vs->is_dram) rs = bank_stream(e, src, 0, start, rs, &lost_s);
    if (!vd->is_dram) rd = bank_stream(e, dst, 1, start, rd, &lost_d);
    int64_t rn = net >= 0 ? span_cycles(noc_words, a->level[net].noc[t].words_per_cycle) : 0, hn = rn;
    int64_t ds = rs + (vs->is_dram ? 0 : vs->latency_cycles), dd = rd, issued = start;
    int64_t wstart = start;
    if (vs->is_dram && e->has_dram) {
        if (ws) where_list(e, ws);
        r.dram_id = dram_issue(e, gs, src_words, 0, start, &issued, ws != NULL);
        r.dram_words = ws ? listed_words(e) : src_words;
        ds = issued - start;
        if (vd->is_dram) wstart = dram_resolve(e, r.dram_id, issued), ds = wstart - start;
    }
    if (vd->is_dram && e->has_dram) {
        if (wd) where_list(e, wd);
        r.dram_id = dram_issue(e, gd, dst_words, 1, wstart, &issued, wd != NULL);
        r.dram_words = wd ? listed_words(e) : dst_words, r.dram_write = 1;
        dd = issued - start;
    }
    int64_t len = ds > dd ? ds : dd;
    int64_t left = len > hn ? len : hn; /* every share over, the network's latency aside */
    if (net >= 0) rn += net_lat; /* the network holds for hn, its words arrive net_lat later */
    if (rn > len) len = rn;
    if (start == ready) /* nothing waited: the longest share is the cause */
        r.cause = len == rn && rn > 0 ? PESIM_STALL_NOC_BW
                  : (vs->is_dram || vd->is_dram) ? PESIM_STALL_DRAM_BW
                  : lost_s + lost_d > 0 ? PESIM_STALL_BANK_CONFLICT
                  : rs + rd > 0 ? PESIM_STALL_BUFFER_BW : PESIM_STALL_DRAM_LATENCY;
    /* a resource is held only for a non-zero share (a zero share reserves nothing) */
    if (!vs->is_dram && rs > 0) *sf = start + rs;
    if (!vd->is_dram && rd > 0) *df = start + rd;
    if (hn > 0 && net >= 0) *nf = start + hn;
    r.start = start;
    r.end = start + len;
    r.left = start + left;
    return r;
}

/* Completion of a transfer's data: its DRAM part resolved; *cause is set to
 * the DRAM's when that is what finished last. */
static int64_t xres_done(engine *e, const xres *r, pesim_stall *cause)
{
    int64_t done = dram_resolve(e, r->dram_id, r->end);
    if (done > r->end && cause) {
        double ideal = (double)span_cycles(r->dram_words,
                                           pesim_dram_port_words_per_cycle(e->a, e->a->n_levels - 1, r->dram_write));
        *cause = ideal * 2 >= (double)(done - r->start) ? PESIM_STALL_DRAM_BW : PESIM_STALL_DRAM_LATENCY;
    }
    return done;
}

/* The optional trace hook (pesim_engine_options.trace): child < 0 is the MAC array. */
static void trace(const engine *e, int64_t cycle, int t, int child, const char *kind, int64_t block, const char *what)
{
    if (!e->opt.trace) return;
    char mod[80], ev[48];
    if (child < 0) snprintf(mod, sizeof mod, "mac");
    else snprintf(mod, sizeof mod, "%s:%s", pesim_tensor_name((pesim_tensor)t), e->a->level[child].name);
    if (block < 0) snprintf(ev, sizeof ev, "%s%s%s", kind, *what ? " " : "", what);
    else snprintf(ev, sizeof ev, "%s b%lld %s", kind, (long long)block, what);
    e->opt.trace(e->opt.trace_ctx, cycle, mod, ev);
}

/* A fill whose DRAM read is in flight (pesim_dram.reads_in_flight > 1):
 * issued, its completion not yet known. */
typedef struct pending_fill {
    int i;                  /* its index in the block's transfers */
    xres r;
} pending_fill;

/* Per-pair state across blocks. */
typedef struct pair_state {
    int64_t done;           /* completion of the latest fill into the child (DRAM resolved) */
    int64_t room_ce[SLOT_RING];       /* compute end of the block before each of the last events */
    slot_drain room_drain[SLOT_RING]; /* outputs: the last drains, newest first */
    int64_t drain_done;     /* the latest drain has left the child (outputs) */
    xres drain;             /* the latest drain, whose DRAM writes may still be in flight */
    int64_t pend_up_child;  /* outputs: words of the current tile to drain (child reads) */
    int64_t pend_up_inst;   /* of which the slowest child instance reads (pesim_walk_child_words) */
    int64_t pend_up_parent; /* outputs: reduced words the drain writes at the parent */
    int64_t pend_up_pmax;   /* of which the largest parent instance receives (pesim_xfer.update_max) */
    int64_t tile;           /* outputs: the child's current tile (pesim_xfer.tile) */
    dram_where at;          /* row-major, parent in DRAM: the current tile's box or units (what a drain writes) */
    int has_box;
} pair_state;

/* A fill whose DRAM read was in flight: its data's completion, now known. */
static void fill_resolve(engine *e, const pesim_block *b, const pending_fill *p, pair_state *ps, int64_t *fdone,
                         pesim_stall *fcause)
{
    const pesim_xfer *x = &b->xfer[p->i];
    pesim_stall c = p->r.cause;
    int64_t done = xres_done(e, &p->r, &c);
    trace(e, done, x->tensor, x->child, "fill", b->index, "done");
    ps[x->pair].done = done, fdone[p->i] = done, fcause[p->i] = c;
}

static int pair_index(const pesim_walk_pair *pairs, int np, int t, int child)
{
    for (int k = 0; k < np; k++)
        if (pairs[k].tensor == t && pairs[k].child == child) return k;
    return -1;
}

/* The level that serves tensor t where the walker says `level`: the
 * outermost level is the operand's home. */
static int phys(const engine *e, int t, int level) { return level == e->M - 1 ? e->home[t] : level; }

static pesim_status engine_init(engine *e, const pesim_arch *a, const pesim_engine_options *opt, char *reason,
                                size_t n)
{
    memset(e, 0, sizeof *e);
    if (opt) e->opt = *opt;
    e->M = a->n_levels;
    for (int lv = 0; lv < e->M; lv++) {
        const pesim_level *v = &a->level[lv];
        e->shared_port[lv] = v->banks * v->ports < 2 && !v->is_dram;
        if (v->is_dram) e->dram.row_major = v->dram.layout == PESIM_DRAM_ROW_MAJOR, e->dram.order = v->dram.order;
        if (v->banks >= 2 && !v->is_dram) { /* banked: its read and write streams meet in the banks */
            e->banks[lv] = v->banks;
            e->bank[lv][0].width = pesim_banks_width_lines(pesim_level_read_words_per_cycle(v), v->block_words, v->banks);
            e->bank[lv][1].width = pesim_banks_width_lines(pesim_level_write_words_per_cycle(v), v->block_words, v->banks);
        }
    }
    const pesim_level *top = &a->level[e->M - 1];
    if (top->is_dram && !e->opt.stall_free) {
        pesim_dram_sim_options dopt;
        memset(&dopt, 0, sizeof dopt);
        dopt.sched = e->opt.dram_fcfs ? PESIM_DRAM_FCFS : PESIM_DRAM_FRFCFS;
        dopt.disable_refresh = e->opt.no_refresh;
        dopt.done = dram_done;
        dopt.ctx = &e->dram;
        pesim_error err;
        if (pesim_dram_sim_create(&top->dram, &dopt, &e->dram.sim, &err) != PESIM_OK) {
            snprintf(reason, n, "DRAM model: %.170s", err.msg);
            return PESIM_ERR_NOMEM;
        }
        e->has_dram = 1;
        e->dram.timing = top->dram;
        pesim_dram_clock_init(&e->dram.clk, &top->dram, a->clock_mhz);
        e->dram.burst_bytes = pesim_dram_burst_bytes(&top->dram);
        e->dram.port_bytes[0] = top->read_words_per_cycle * (double)pesim_arch_word_bytes(a);
        e->dram.port_bytes[1] = top->write_words_per_cycle * (double)pesim_arch_word_bytes(a);
    }
    return PESIM_OK;
}

static void engine_free(engine *e)
{
    for (int lv = 0; lv < MAXL; lv++)
        for (int sd = 0; sd < 2; sd++) {
            free(e->bank[lv][sd].end), free(e->bank[lv][sd].acc);
            e->bank[lv][sd] = (bank_side){NULL, NULL, 0, 0, 0, e->bank[lv][sd].width};
        }
    if (e->has_dram) pesim_dram_sim_destroy(e->dram.sim);
    e->has_dram = 0;
    free(e->tiles);
    e->tiles = NULL, e->tiles_cap = 0;
    free(e->dram.addr);
    e->dram.addr = NULL, e->dram.n_addr = e->dram.cap_addr = 0;
}

/* Records drain r as the last drain of the tile at entry `at` of e->tiles. */
static void tile_drained(engine *e, int64_t at, const xres *r)
{
    tile_drain *td = &e->tiles[at];
    if (td->dram_id && e->dram.owner[td->dram_id % DRAM_RING] == at + 1) e->dram.owner[td->dram_id % DRAM_RING] = 0;
    td->end = r->end, td->dram_id = r->dram_id;
    if (r->dram_id) e->dram.owner[r->dram_id % DRAM_RING] = at + 1;
}

/* The step's tile entries are done with: no DRAM slot refers to them. */
static void tiles_release(engine *e, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (e->tiles[i].dram_id && e->dram.owner[e->tiles[i].dram_id % DRAM_RING] == i + 1)
            e->dram.owner[e->tiles[i].dram_id % DRAM_RING] = 0;
}

/* Energy of a cost's counts without leakage (pesim_estimate_cost over no
 * cycles: a network's leakage is over its whole span). */
static void counts_energy(const pesim_arch *a, pesim_cost *out)
{
    int64_t cycles = out->cycles;
    out->cycles = 0;
    pesim_estimate_cost(a, NULL, out);
    out->cycles = cycles;
}

/* The box of pair pr's children's union from loop offsets lo, in its
 * tensor's row-major layout: extent gv per dim, clipped to the layer. */
static void box_at(const engine *e, const pesim_walk_pair *pr, const int64_t lo[PESIM_NDIMS], pesim_dram_box *box)
{
    int64_t ext[PESIM_NDIMS];
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t hi = lo[d] + pr->gv[d];
        if (hi > e->l->dim[d]) hi = e->l->dim[d];
        ext[d] = hi > lo[d] ? hi - lo[d] : 0;
    }
    pesim_dram_tensor_box(e->l, pr->tensor, e->dram.order, lo, ext, box);
}

/* The box of pair k's tile at the walker's current block, in its tensor's
 * row-major layout (docs/engine.md, "DRAM address layout"): per loop dim,
 * from the offset of the outer loops above the child to the children's
 * union (pesim_nest_pair.gv: the child's tile times the spatial digits up
 * to the parent, an enclosing box when other digits run between them),
 * clipped to the layer's bounds. */
static void walk_box(const engine *e, const pesim_walk *w, int k, pesim_dram_box *box)
{
    const pesim_walk_pair *pr = &w->pair[k];
    const pesim_nest_digits *g = &w->g;
    int64_t lo[PESIM_NDIMS] = {0};
    for (int j = 0; j < w->J; j++) {
        int lv = g->loop_level[j], d = g->loop_dim[j];
        if (lv > pr->child) lo[d] += w->idx[j] * g->below[d][2 * lv + 1];
    }
    box_at(e, pr, lo, box);
}

/* Row-major: collects the bursts the MAC array's operand stream of pair k
 * (child -1, parent DRAM) moves over the walker's current block
 * (docs/engine.md, "DRAM address layout"): step by step, the block's inner
 * loops as an odometer (outermost first, the innermost fastest), the box of
 * the step's lanes (walk_box at the step's offsets: the spatial digits'
 * union), a burst equal to the one collected last not repeated. psum_reads
 * (outputs): only the steps that read a partial sum back, those where an
 * outer reduction loop (C, R, S) or an inner one has left 0. */
static void stream_bursts(engine *e, const pesim_walk *w, int k, int psum_reads)
{
    const pesim_nest_digits *g = &w->g;
    const uint32_t reduce = 1u << PESIM_DIM_C | 1u << PESIM_DIM_R | 1u << PESIM_DIM_S;
    pesim_dram_box box;
    int64_t lo0[PESIM_NDIMS] = {0}, lo[PESIM_NDIMS], ix[PESIM_NDIMS * PESIM_MAX_LEVELS] = {0};
    int revisit = 0;
    for (int j = 0; j < w->J; j++) {
        int d = g->loop_dim[j];
        lo0[d] += w->idx[j] * g->below[d][2 * g->loop_level[j] + 1];
        revisit |= w->idx[j] > 0 && (reduce >> d & 1u);
    }
    e->dram.n_addr = 0;
    for (;;) {
        int red = revisit;
        memcpy(lo, lo0, sizeof lo);
        for (int j = w->J; j < g->n_loops; j++) {
            int d = g->loop_dim[j];
            lo[d] += ix[j] * g->below[d][2 * g->loop_level[j] + 1];
            red |= ix[j] > 0 && (reduce >> d & 1u);
        }
        if (!psum_reads || red) {
            box_at(e, &w->pair[k], lo, &box);
            collect_box(e, w->pair[k].tensor, &box);
        }
        int j = g->n_loops - 1;
        while (j >= w->J && ++ix[j] == g->f[g->loop_dim[j]][2 * g->loop_level[j] + 1]) ix[j--] = 0;
        if (j < w->J) return;
    }
}

/* Row-major: a concat copy's DRAM side (docs/engine.md, "DRAM address
 * layout"): the step's output (the concat) narrowed to the copy's channels,
 * at the region's base or, a slice, in its holder; the whole of it. */
static void dma_where(const engine *e, const pesim_engine_dma *d, const pesim_engine_slice *sl, uint64_t base,
                      pesim_dram_layout *L, dram_where *w)
{
    pesim_dram_tensor_layout(e->l, PESIM_OUTPUTS, e->dram.order, base, pesim_arch_word_bytes(e->a), L);
    L->size[e->dram.order ? 2 : 4] = d->channels; /* K of N P Q G K or N G K P Q */
    if (sl->holder > 0) pesim_dram_layout_slice(L, e->dram.order, sl->base, sl->holder, sl->offset);
    memset(w, 0, sizeof *w);
    w->lay = L;
    for (int k = 0; k < L->n; k++) w->box.extent[k] = L->size[k];
}

/* Issues step DMA k: its on-chip shares per instance of the levels. */
static void step_dma(engine *e, pesim_engine_dma *d, int64_t *first)
{
    const pesim_arch *a = e->a;
    int64_t ws = cdiv(d->words, pesim_arch_instances(a, d->src)), wd = cdiv(d->words, pesim_arch_instances(a, d->dst));
    dram_region rs = {d->src_region.base, d->src_region.span ? d->src_region.span : e->dram.burst_bytes, 0};
    dram_region rd = {d->dst_region.base, d->dst_region.span ? d->dst_region.span : e->dram.burst_bytes, 0};
    pesim_dram_layout ls, ld;
    dram_where as, ad, *pa = NULL, *pd = NULL;
    if (e->has_dram && e->dram.row_major && d->channels > 0) {
        dma_where(e, d, &d->src_slice, d->src_region.base, &ls, &as), pa = &as;
        dma_where(e, d, &d->dst_slice, d->dst_region.base, &ld, &ad), pd = &ad;
    }
    xres r = transfer(e, d->tensor, d->src, ws, d->dst, wd, -1, 0, 0, d->ready, &rs, &rd, pa, pd);
    d->done = xres_done(e, &r, NULL);
    e->st.transfers++;
    if (r.start < *first) *first = r.start;
    trace(e, r.start, d->tensor, d->dst, "dma", -1, "start");
    trace(e, d->done, d->tensor, d->dst, "dma", -1, "done");
}

/* One step on the state (see engine_net.h). tail: end - the last compute's end. */
static pesim_status engine_step(engine *e, const pesim_engine_step *st, pesim_cost *out, pesim_engine_times *tm,
                                int64_t *tail)
{
    const pesim_arch *a = st->arch;
    const pesim_layer *l = st->layer;
    const pesim_mapping *m = st->map;
    memset(out, 0, sizeof *out);
    out->violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    memset(tm, 0, sizeof *tm);
    *tail = 0;
    e->a = a, e->l = l, e->m = m;
    memset(e->stall, 0, sizeof e->stall);
    for (int t = 0; t < NT; t++) e->home[t] = st->home[t];
    out->area_um2 = pesim_arch_area_um2(a);
    static _Thread_local pesim_nest_counts nc;
    if (m && !pesim_nest_count(a, l, m, &nc, out->reason, sizeof out->reason)) {
        out->violation = nc.violation;
        return PESIM_OK;
    }
    for (int lv = 0; lv < e->M; lv++) e->inst[lv] = m ? pesim_mapping_instances(m, lv) : pesim_arch_instances(a, lv);
    /* row-major: a MAC or vector layer's tensors, each at its region's base
     * or, a slice of a concat's output, in its holder (a MAC layer's weights
     * slot excepted: a matmul's B operand is read as a dense tensor) */
    e->dram.has_lay = e->has_dram && e->dram.row_major && (m || st->vector);
    for (int t = 0; t < NT; t++) {
        dram_region *rg = &e->dram.reg[t];
        rg->base = st->region[t].base, rg->span = st->region[t].span, rg->cursor = 0;
        if (rg->span == 0) rg->span = e->dram.burst_bytes ? e->dram.burst_bytes : 1;
        e->dram.boxed[t] = 0;
        if (!e->dram.has_lay) continue;
        pesim_dram_layout *L = &e->dram.lay[t];
        int64_t wb = pesim_arch_word_bytes(a);
        if (m) pesim_dram_tensor_layout(l, t, e->dram.order, rg->base, wb, L), e->dram.boxed[t] = 1;
        else e->dram.boxed[t] = pesim_dram_vector_layout(l, t, e->dram.order, rg->base, wb, L);
        const pesim_engine_slice *sl = &st->slice[t];
        if (e->dram.boxed[t] && sl->holder > 0 && !(m && t == PESIM_WEIGHTS))
            pesim_dram_layout_slice(L, e->dram.order, sl->base, sl->holder, sl->offset);
    }

    /* Systolic arrays: the level whose networks forward neighbour to neighbour. */
    int sys_level = -1;
    for (int lv = 1; lv < e->M && sys_level < 0 && !st->vector; lv++)
        for (int t = 0; t < NT; t++)
            if (a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC) sys_level = lv;
    int64_t skew = 0, preload = 0;
    int sys_has_pe_pair = 0;
    if (sys_level > 0) {
        skew = a->level[sys_level].fanout_x + a->level[sys_level].fanout_y - 2;
        preload = a->level[sys_level].fanout_y;
    }

    static _Thread_local pesim_walk w;
    const pesim_walk_pair *pairs = st->pairs;
    int np = st->n_pairs;
    if (m) {
        pesim_walk_init(&w, a, l, m);
        pairs = w.pair, np = w.n_pairs;
    }
    if (sys_level > 0)
        for (int k = 0; k < np; k++) sys_has_pe_pair |= pairs[k].child == sys_level - 1;
    pair_state ps[PESIM_WALK_MAX_XFERS];
    memset(ps, 0, sizeof ps);
    int parent_pair[PESIM_WALK_MAX_XFERS]; /* the pair that fills each pair's parent, or -1 */
    int64_t red_lat[PESIM_WALK_MAX_XFERS];  /* outputs: reduction latency on the way up */
    for (int k = 0; k < np; k++) {
        parent_pair[k] = pair_index(pairs, np, pairs[k].tensor, pairs[k].parent);
        red_lat[k] = m ? pesim_engine_reduce_path_cycles(a, m, pairs[k].child, pairs[k].parent) : 0;
        if (pairs[k].child < 0) continue;
        const carry *c = &e->carry[pairs[k].tensor][pairs[k].child]; /* the buffer as the last step left it */
        memcpy(ps[k].room_ce, c->room_ce, sizeof c->room_ce);
        memcpy(ps[k].room_drain, c->room_drain, sizeof c->room_drain);
        ps[k].drain_done = c->drain_done;
        ps[k].drain.end = c->drain_end, ps[k].drain.dram_id = c->drain_dram, ps[k].drain.start = c->drain_start;
        ps[k].drain.dram_words = c->drain_words, ps[k].drain.cause = c->drain_cause;
        ps[k].drain.dram_write = 1; /* a drain's DRAM part is its writes */
    }
    /* every pair's output tiles that partial sums may be read back into: their last drains */
    int64_t tile_off[PESIM_WALK_MAX_XFERS], tile_n[PESIM_WALK_MAX_XFERS], n_tiles = 0;
    for (int k = 0; k < np; k++) {
        tile_off[k] = n_tiles, tile_n[k] = m ? pesim_walk_tiles(&w, k) : 0;
        n_tiles += tile_n[k];
    }
    if (n_tiles > e->tiles_cap) {
        if (n_tiles > ((int64_t)1 << 26)) {
            snprintf(out->reason, sizeof out->reason, "%lld partial-sum tiles: more than the engine tracks",
                     (long long)n_tiles);
            return PESIM_ERR_RANGE;
        }
        tile_drain *nt = realloc(e->tiles, (size_t)n_tiles * sizeof *nt);
        if (!nt) {
            snprintf(out->reason, sizeof out->reason, "out of memory");
            return PESIM_ERR_NOMEM;
        }
        e->tiles = nt, e->tiles_cap = n_tiles;
    }
    if (n_tiles) memset(e->tiles, 0, (size_t)n_tiles * sizeof *e->tiles);
    const pesim_level *topl = &a->level[e->M - 1];
    int rif = topl->is_dram && topl->dram.reads_in_flight > 1 ? topl->dram.reads_in_flight : 1;
    int64_t stream_lat = 0;
    for (int k = 0; k < np; k++)
        if (pairs[k].child < 0 && pesim_level_latency_cycles(a, phys(e, pairs[k].tensor, pairs[k].parent)) > stream_lat)
            stream_lat = pesim_level_latency_cycles(a, phys(e, pairs[k].tensor, pairs[k].parent));
    if (e->opt.stall_free) stream_lat = 0;

    int64_t first = INT64_MAX;    /* the step's first activity */
    for (int k = 0; k < st->n_dma; k++)
        if (st->dma[k].after_block < 0) step_dma(e, &st->dma[k], &first);
    int64_t complete[NT];         /* each operand complete: as given, or after its DMA */
    for (int t = 0; t < NT; t++) {
        complete[t] = st->ready[t];
        int k = st->ready_dma[t] - 1;
        if (k >= 0 && k < st->n_dma && st->dma[k].done > complete[t]) complete[t] = st->dma[k].done;
    }

    const int64_t progress_every = e->opt.progress_every_blocks > 0 ? e->opt.progress_every_blocks
                                                                     : PESIM_ENGINE_PROGRESS_BLOCKS;
    static _Thread_local pesim_block b; /* large: kept off the stack */
    const int64_t ce0 = e->ce;
    int64_t ce = ce0;          /* compute end of the previous block */
    int64_t busy = 0, compute_first = -1;
    while (m ? pesim_walk_next(&w, &b) : st->next && st->next(st->ctx, &b)) {
        int64_t ready_compute = ce;
        pesim_stall why = PESIM_STALL_COUNT;
        int64_t gate = 0;              /* the latest operand-complete time a fill of this block waited for */
        pesim_stall gate_cause = PESIM_STALL_FILL_DRAIN;
        for (int i = 0; i < b.n_xfers; i++) { /* the words this block moves, as counted */
            const pesim_xfer *x = &b.xfer[i];
            int p = phys(e, x->tensor, x->parent);
            out->access[p][x->tensor].reads += x->parent_reads;
            out->access[p][x->tensor].updates += x->parent_updates;
            if (x->child >= 0) {
                out->access[x->child][x->tensor].fills += x->child_fills;
                out->access[x->child][x->tensor].reads += x->child_reads;
                if (!m) { /* a vector step: one hop below p per word */
                    out->noc_words[p][x->tensor] += x->child_fills + x->parent_updates;
                    out->noc_word_hops[p][x->tensor] += (double)(x->child_fills + x->parent_updates);
                }
            }
        }
        int fold = b.index == 0 && sys_level > 0 && !sys_has_pe_pair, fold_preload = 0;
        /* drains of outputs first, innermost pair first */
        for (int i = b.n_xfers - 1; i >= 0; i--) {
            const pesim_xfer *x = &b.xfer[i];
            if (x->stream || x->tensor != PESIM_OUTPUTS) continue;
            pair_state *s = &ps[x->pair];
            if (b.index > 0 && (s->pend_up_child || s->pend_up_parent)) {
                int64_t ready = ce;
                for (int j = 0; j < np; j++) /* lower pairs' drains of this tensor landed here first */
                    if (pairs[j].tensor == PESIM_OUTPUTS && pairs[j].parent == x->child && ps[j].drain.end > ready)
                        ready = ps[j].drain.end;
                int p = phys(e, PESIM_OUTPUTS, x->parent);
                int64_t wp = pesim_walk_share(s->pend_up_parent, e->inst[p], s->pend_up_pmax);
                s->drain = transfer(e, PESIM_OUTPUTS, x->child, s->pend_up_inst, p, wp, p, wp, red_lat[x->pair], ready,
                                    &e->dram.reg[PESIM_OUTPUTS], &e->dram.reg[PESIM_OUTPUTS], NULL,
                                    s->has_box ? &s->at : NULL);
                /* posted: the child is free once the words left it, before the
                 * reduction network's latency; they land at drain.end (on chip) */
                s->drain_done = s->drain.left;
                ring_push_drain(s->room_drain, s->drain.left, s->drain.cause);
                if (s->tile < tile_n[x->pair]) tile_drained(e, tile_off[x->pair] + s->tile, &s->drain);
                e->st.transfers++;
                if (s->drain.start < first) first = s->drain.start;
                trace(e, s->drain.start, PESIM_OUTPUTS, x->child, "drain", b.index, "start");
                trace(e, s->drain.left, PESIM_OUTPUTS, x->child, "drain", b.index, "left");
                trace(e, s->drain.end, PESIM_OUTPUTS, x->child, "drain", b.index, "end");
            }
        }
        /* fills, outermost pair first; a fill's DRAM read may stay in flight
         * (up to rif of them) until a fill below needs its data or the block computes */
        int64_t fdone[2 * PESIM_WALK_MAX_XFERS];
        pesim_stall fcause[2 * PESIM_WALK_MAX_XFERS];
        pending_fill pend[2 * PESIM_WALK_MAX_XFERS];
        int n_pend = 0, pend_head = 0;
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer *x = &b.xfer[i];
            if (x->stream) continue;
            pair_state *s = &ps[x->pair];
            if (x->drain_only) { /* the old tile drained above; no new one */
                s->pend_up_child = s->pend_up_parent = 0;
                fdone[i] = ce, fcause[i] = PESIM_STALL_COUNT;
                continue;
            }
            int kp = parent_pair[x->pair];
            /* a parent's fill still in flight completes first, with every earlier one */
            for (int j = pend_head; kp >= 0 && j < n_pend; j++)
                if (b.xfer[pend[j].i].pair == kp)
                    while (pend_head <= j) fill_resolve(e, &b, &pend[pend_head++], ps, fdone, fcause);
            /* room in the child: the slot of the tile N events back (N tile slots) */
            const int slots = pesim_level_tile_slots(&a->level[x->child]);
            int64_t ready = slots > 1 ? s->room_ce[slots - 2] : ce;
            pesim_stall c = ready > ce ? PESIM_STALL_SPACE : PESIM_STALL_COUNT;
            if (x->tensor == PESIM_OUTPUTS) {
                /* that tile's drain has left, and partial sums that have landed in the parent */
                const slot_drain *dr = &s->room_drain[slots > 1 ? slots - 2 : 0];
                if (dr->left > ready) ready = dr->left, c = dr->cause;
                if (x->parent_reads > 0) { /* the last drain of the tile read back (a step
                                             * without the walker's tiles: the pair's latest) */
                    int64_t landed;
                    if (x->tile < tile_n[x->pair]) {
                        const tile_drain *td = &e->tiles[tile_off[x->pair] + x->tile];
                        landed = dram_resolve(e, td->dram_id, td->end);
                    } else {
                        landed = xres_done(e, &s->drain, NULL);
                    }
                    if (landed > ready) ready = landed;
                }
            }
            /* the data must be in the parent */
            if (kp >= 0 && ps[kp].done > ready) ready = ps[kp].done, c = PESIM_STALL_COUNT;
            /* the outermost pair of an operand: the operand must be complete */
            if (kp < 0 && complete[x->tensor] > ready) {
                ready = complete[x->tensor], c = PESIM_STALL_COUNT;
                if (ready > gate)
                    gate = ready, gate_cause = st->ready_is_load[x->tensor] ? PESIM_STALL_DRAM_BW : PESIM_STALL_FILL_DRAIN;
            }
            int p = phys(e, x->tensor, x->parent);
            /* the slowest parent instance (its children's union the largest) sets the pace at the parent */
            int64_t words_p = pesim_walk_share(x->parent_reads, e->inst[p], x->parent_max);
            /* the slowest child instance (the largest tile) sets the pace of its fill */
            int64_t words_c = x->tensor == PESIM_OUTPUTS ? pesim_walk_readback_words(x, e->inst[x->child])
                                                         : pesim_walk_child_words(x, x->child_fills, e->inst[x->child]);
            /* row-major, parent in DRAM: the tile's box (its drain writes it too);
             * a vector step's, its block's units */
            const dram_where *bx = NULL;
            dram_where nb;
            if (e->dram.has_lay && a->level[p].is_dram && e->dram.boxed[x->tensor]) {
                memset(&nb, 0, sizeof nb);
                if (m) {
                    nb.lay = &e->dram.lay[x->tensor];
                    walk_box(e, &w, x->pair, &nb.box);
                } else {
                    nb.t = x->tensor, nb.u0 = b.unit0, nb.u1 = b.unit1;
                }
                pesim_dram_box prev = s->at.box;
                s->at = nb, s->has_box = 1;
                /* a sliding window that advances reads only its new rows */
                if (m && x->advance && x->child_fills > 0 && x->tensor == PESIM_INPUTS)
                    pesim_dram_box_advance(&nb.box, &prev, e->dram.lay[x->tensor].n);
                bx = &nb;
            }
            int64_t done = ready;
            if (words_p > 0 || words_c > 0) {
                /* a unicast network carries one copy per child; a mesh, as many over its busiest
                 * link, then hops to the farthest child; a bus or systolic one, the multicast union
                 * (of the slowest parent instance, as at its port) */
                pesim_noc_kind nk = a->level[p].noc[x->tensor].kind;
                int64_t words_n = words_p, lat_n = 0;
                int64_t copies = pesim_walk_share(x->child_fills, e->inst[p], x->fill_max);
                if (nk == PESIM_NOC_UNICAST) words_n = copies;
                if (nk == PESIM_NOC_MESH && m) {
                    words_n = pesim_nest_mesh_link_words(m, p, copies, 1);
                    lat_n = words_n > 0 ? pesim_nest_mesh_hops(m, p) - 1 : 0;
                }
                int dram_read = e->has_dram && a->level[p].is_dram && words_p > 0 && rif > 1;
                if (dram_read && n_pend - pend_head >= rif) /* the oldest read completes first */
                    fill_resolve(e, &b, &pend[pend_head++], ps, fdone, fcause);
                xres r = transfer(e, x->tensor, p, words_p, x->child, words_c, p, words_n, lat_n, ready,
                                  &e->dram.reg[x->tensor], &e->dram.reg[x->tensor], bx, NULL);
                e->st.transfers++;
                if (r.start < first) first = r.start;
                trace(e, r.start, x->tensor, x->child, "fill", b.index, "start");
                if (dram_read && r.dram_id) {
                    pend[n_pend++] = (pending_fill){i, r};
                } else {
                    c = r.cause;
                    done = xres_done(e, &r, &c);
                    trace(e, done, x->tensor, x->child, "fill", b.index, "done");
                }
            }
            if (c == PESIM_STALL_COUNT) c = PESIM_STALL_SPACE;
            s->done = done, fdone[i] = done, fcause[i] = c;
            ring_push_ce(s->room_ce, ce);
            if (x->tensor == PESIM_OUTPUTS) {
                s->tile = x->tile;
                s->pend_up_child = x->child_reads, s->pend_up_parent = x->parent_updates;
                s->pend_up_pmax = x->update_max;
                s->pend_up_inst = pesim_walk_child_words(x, x->child_reads, e->inst[x->child]);
            }
            if (sys_level > 0 && x->child == sys_level - 1) {
                fold = 1;
                if (x->tensor != PESIM_OUTPUTS) fold_preload = 1;
            }
        }
        while (pend_head < n_pend) fill_resolve(e, &b, &pend[pend_head++], ps, fdone, fcause);
        for (int i = 0; i < b.n_xfers; i++) /* the fill that completed last, the first on a tie */
            if (!b.xfer[i].stream && fdone[i] > ready_compute) ready_compute = fdone[i], why = fcause[i];
        /* an operand the MACs stream straight from its home must be complete too */
        for (int i = 0; i < b.n_xfers; i++) {
            const pesim_xfer *x = &b.xfer[i];
            if (!x->stream || parent_pair[x->pair] >= 0 || complete[x->tensor] <= ready_compute) continue;
            ready_compute = complete[x->tensor];
            why = st->ready_is_load[x->tensor] ? PESIM_STALL_DRAM_BW : PESIM_STALL_FILL_DRAIN;
            if (ready_compute > gate) gate = ready_compute, gate_cause = why;
        }
        for (int k = 0; k < st->n_dma; k++)
            if (st->dma[k].after_block == b.index) step_dma(e, &st->dma[k], &first);
        /* Compute: the MAC array streams its operands through the innermost
         * levels' ports and networks (the same servers the transfers use). */
        int64_t start = ready_compute;
        if (b.index == 0) start += stream_lat;
        pesim_stall wait_cause = why == PESIM_STALL_COUNT ? PESIM_STALL_SPACE : why;
        int64_t dur = b.steps, limit = b.steps;
        pesim_stall slow = PESIM_STALL_COUNT;
        /* words per level port (all streams of a level share its ports) */
        int64_t rw[MAXL] = {0}, uw[MAXL] = {0}, sn[2 * PESIM_WALK_MAX_XFERS] = {0};
        int64_t dram_rw[NT] = {0}; /* reads straight from DRAM, per tensor (each from its own region) */
        int dram_pair[NT] = {0};   /* the pair of each tensor's stream straight from DRAM */
        int sp[2 * PESIM_WALK_MAX_XFERS] = {0};
        if (!e->opt.stall_free) {
            for (int i = 0; i < b.n_xfers; i++) {
                const pesim_xfer *x = &b.xfer[i];
                if (!x->stream) continue;
                int p = sp[i] = phys(e, x->tensor, x->parent), t = x->tensor;
                /* the lanes of the slowest parent instance (the largest tile) set the pace */
                int64_t r = pesim_walk_share(x->parent_reads, e->inst[p], x->parent_max);
                int64_t u = pesim_walk_share(x->parent_updates, e->inst[p], x->update_max);
                rw[p] += r, uw[p] += u;
                if (a->level[p].is_dram) dram_rw[t] += r, dram_pair[t] = x->pair;
                sn[i] = span_cycles(r + u, a->level[p].noc[t].words_per_cycle);
                if (e->nfree[p][t] > start) start = e->nfree[p][t], wait_cause = PESIM_STALL_NOC_BW;
            }
            for (int p = 0; p < e->M; p++) {
                if (!(rw[p] || uw[p]) || a->level[p].is_dram) continue;
                int64_t rf = e->shared_port[p] ? e->wfree[p] : e->rfree[p];
                if (rw[p] && rf > start)
                    start = rf, wait_cause = e->shared_port[p] ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
                if (uw[p] && e->wfree[p] > start)
                    start = e->wfree[p], wait_cause = e->shared_port[p] ? PESIM_STALL_BANK_CONFLICT
                                                                        : PESIM_STALL_BUFFER_BW;
            }
            for (int p = 0; p < e->M; p++) {
                if (!(rw[p] || uw[p])) continue;
                const pesim_level *vp = &a->level[p];
                if (vp->is_dram) { /* operands straight from DRAM */
                    if (!e->has_dram) continue;
                    int64_t issued, done = start;
                    const int listed = e->dram.has_lay && m; /* a MAC layer's streams have boxes */
                    /* reads, tensor by tensor (weights, inputs, partial sums), each from its own region;
                     * row-major: the bursts of the stream's steps (stream_bursts) */
                    for (int t = 0; t < NT; t++) {
                        if (!dram_rw[t]) continue;
                        if (listed) stream_bursts(e, &w, dram_pair[t], t == PESIM_OUTPUTS);
                        done = dram_resolve(e, dram_issue(e, &e->dram.reg[t], dram_rw[t], 0, start, &issued, listed),
                                            done);
                    }
                    if (uw[p]) {
                        if (listed) stream_bursts(e, &w, dram_pair[PESIM_OUTPUTS], 0);
                        int64_t d2 = dram_resolve(
                            e, dram_issue(e, &e->dram.reg[PESIM_OUTPUTS], uw[p], 1, start, &issued, listed), done);
                        if (d2 > done) done = d2;
                    }
                    if (done - start > limit) limit = done - start, slow = PESIM_STALL_DRAM_BW;
                    continue;
                }
                int64_t cr = span_cycles(rw[p], pesim_level_read_words_per_cycle(vp));
                int64_t cu = span_cycles(uw[p], pesim_level_write_words_per_cycle(vp));
                if (e->shared_port[p]) {
                    if (cr + cu > 0) e->rfree[p] = e->wfree[p] = start + cr + cu;
                    if (cr + cu > limit) limit = cr + cu, slow = PESIM_STALL_BANK_CONFLICT;
                } else { /* reads and updates: on a banked level, arbitrated by its policy */
                    int64_t lr, lu;
                    bank_pair(e, p, start, &cr, &cu, &lr, &lu);
                    if (cr > 0) e->rfree[p] = start + cr;
                    if (cu > 0) e->wfree[p] = start + cu;
                    if (cr > limit) limit = cr, slow = lr ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
                    if (cu > limit) limit = cu, slow = lu ? PESIM_STALL_BANK_CONFLICT : PESIM_STALL_BUFFER_BW;
                }
            }
            for (int i = 0; i < b.n_xfers; i++) {
                const pesim_xfer *x = &b.xfer[i];
                if (!x->stream) continue;
                if (sn[i] > 0) e->nfree[sp[i]][x->tensor] = start + sn[i];
                if (sn[i] > limit) limit = sn[i], slow = PESIM_STALL_NOC_BW;
            }
        }
        if (limit > dur) {
            e->stall[slow] += limit - dur;
            dur = limit;
        }
        if (fold) {
            int64_t extra = skew + (fold_preload ? preload : 0);
            dur += extra;
            e->stall[PESIM_STALL_FILL_DRAIN] += extra;
            e->st.folds++;
        }
        if (start > ce) {
            int64_t wait = start - ce;
            if (b.index == 0 && stream_lat) {
                int64_t l0 = stream_lat < wait ? stream_lat : wait;
                e->stall[PESIM_STALL_FILL_DRAIN] += l0, wait -= l0;
            }
            if (gate > ce) { /* waiting for an operand to be complete */
                int64_t g = gate - ce < wait ? gate - ce : wait;
                e->stall[gate_cause] += g, wait -= g;
            }
            e->stall[wait_cause] += wait;
        }
        if (compute_first < 0) compute_first = start;
        if (start < first) first = start;
        ce = start + dur;
        trace(e, start, 0, -1, "compute", b.index, "start");
        trace(e, ce, 0, -1, "compute", b.index, "end");
        busy += b.steps;
        e->st.blocks++;
        if (e->opt.progress && m && e->st.blocks % progress_every == 0)
            e->opt.progress(e->opt.progress_ctx, busy, nc.temporal_steps);
    }
    if (e->opt.progress && m)
        e->opt.progress(e->opt.progress_ctx, busy, nc.temporal_steps);
    /* flush the last output tiles, innermost pair first */
    int64_t lat = st->vector ? (a->vector.latency_cycles > 0 ? a->vector.latency_cycles - 1 : 0)
                             : a->mac_latency_cycles - 1 + (m ? pesim_engine_reduce_latency_cycles(a, m, 0) : 0);
    int64_t end = ce + lat;
    int64_t last = ce;
    for (int c = -1; c < e->M; c++) {
        int k = pair_index(pairs, np, PESIM_OUTPUTS, c);
        if (k < 0 || c < 0) continue;
        pair_state *s = &ps[k];
        int64_t ready = last > s->drain_done ? last : s->drain_done;
        int p = phys(e, PESIM_OUTPUTS, pairs[k].parent);
        int64_t wp = pesim_walk_share(s->pend_up_parent, e->inst[p], s->pend_up_pmax);
        xres r = transfer(e, PESIM_OUTPUTS, c, s->pend_up_inst, p, wp, p, wp, red_lat[k], ready,
                          &e->dram.reg[PESIM_OUTPUTS], &e->dram.reg[PESIM_OUTPUTS], NULL, s->has_box ? &s->at : NULL);
        last = xres_done(e, &r, NULL);
        e->st.transfers++;
        if (r.start < first) first = r.start;
        trace(e, r.start, PESIM_OUTPUTS, c, "flush", -1, "start");
        trace(e, last, PESIM_OUTPUTS, c, "flush", -1, "done");
        /* the buffer is free once the flush is done: a flush is not posted
         * (the SystemC reference's flush item ends when its writes landed) */
        ring_push_drain(s->room_drain, last, r.cause);
        carry *cr = &e->carry[PESIM_OUTPUTS][c];
        cr->drain_done = last, cr->drain_end = last, cr->drain_dram = 0, cr->drain_start = r.start;
        cr->drain_words = r.dram_words, cr->drain_cause = r.cause;
    }
    /* every posted write has landed */
    for (int k = 0; k < np; k++) {
        int64_t landed = xres_done(e, &ps[k].drain, NULL);
        if (landed > last) last = landed;
    }
    if (last + lat > end) end = last + lat;
    int any_compute = compute_first >= 0;
    if (!any_compute) { /* a step of DMA transfers only: it ends with the last */
        end = 0;
        for (int k = 0; k < st->n_dma; k++)
            if (st->dma[k].done > end) end = st->dma[k].done;
    }
    /* the fused activation runs on the vector unit beside the compute */
    if (st->act_steps > 0 && any_compute && compute_first + st->act_steps > end) end = compute_first + st->act_steps;
    tiles_release(e, n_tiles);
    for (int k = 0; k < np; k++) /* the slots as this step leaves them */
        if (pairs[k].child >= 0) {
            carry *cr = &e->carry[pairs[k].tensor][pairs[k].child];
            memcpy(cr->room_ce, ps[k].room_ce, sizeof cr->room_ce);
            memcpy(cr->room_drain, ps[k].room_drain, sizeof cr->room_drain);
        }
    *tail = any_compute ? end - ce : 0;
    e->ce = ce;

    if (e->bank_oom || e->dram.addr_oom) {
        snprintf(out->reason, sizeof out->reason, "out of memory (%s)", e->bank_oom ? "bank streams" : "DRAM bursts");
        return PESIM_ERR_NOMEM;
    }
    /* Results: the counts it moved, its compute and stalls, energy over them. */
    out->valid = 1;
    if (m) {
        out->macs = nc.macs;
        out->spatial_used = nc.spatial_used;
        memcpy(out->noc_words, nc.noc_words, sizeof out->noc_words); /* network words: the shared semantics */
        pesim_nest_results(a, m, &nc, out);
        for (int t = 0; t < NT; t++) /* an operand's outermost network is its home's */
            if (e->home[t] != e->M - 1) {
                out->noc_words[e->home[t]][t] += out->noc_words[e->M - 1][t];
                out->noc_words[e->M - 1][t] = 0;
                out->noc_word_hops[e->home[t]][t] += out->noc_word_hops[e->M - 1][t];
                out->noc_word_hops[e->M - 1][t] = 0;
            }
    }
    out->cycles = ce - ce0;
    out->compute_cycles = busy;
    memcpy(out->stall_cycles, e->stall, sizeof out->stall_cycles);
    counts_energy(a, out);
    e->st.busy_cycles += busy;
    tm->start = first == INT64_MAX ? end : first;
    tm->end = end;
    tm->compute_start = any_compute ? compute_first : tm->start;
    tm->compute_end = any_compute ? ce : tm->start;
    tm->timeline = ce - ce0;
    return PESIM_OK;
}

pesim_status pesim_engine_state_create(const pesim_arch *a, const pesim_engine_options *opt,
                                       pesim_engine_state **out, char *reason, size_t n)
{
    *out = NULL;
    pesim_engine_state *s = malloc(sizeof *s);
    if (!s) {
        snprintf(reason, n, "out of memory");
        return PESIM_ERR_NOMEM;
    }
    pesim_status st = engine_init(&s->e, a, opt, reason, n);
    if (st) {
        free(s);
        return st;
    }
    *out = s;
    return PESIM_OK;
}

void pesim_engine_state_destroy(pesim_engine_state *s)
{
    if (!s) return;
    engine_free(&s->e);
    free(s);
}

pesim_status pesim_engine_state_run(pesim_engine_state *s, const pesim_engine_step *st, pesim_cost *out,
                                    pesim_engine_times *t)
{
    int64_t tail;
    return engine_step(&s->e, st, out, t, &tail);
}

void pesim_engine_state_end(pesim_engine_state *s, int64_t end_cycle)
{
    if (!s->e.has_dram) return;
    uint64_t dend = pesim_dram_clock_from_accel(&s->e.dram.clk, (uint64_t)end_cycle);
    if (dend > pesim_dram_sim_now(s->e.dram.sim)) pesim_dram_sim_advance_to(s->e.dram.sim, dend);
}

void pesim_engine_state_stats(const pesim_engine_state *s, pesim_engine_stats *out)
{
    *out = s->e.st;
    if (s->e.has_dram) {
        pesim_dram_stats ds;
        pesim_dram_sim_stats(s->e.dram.sim, &ds);
        out->dram_reads = s->e.dram.bursts_r, out->dram_writes = s->e.dram.bursts_w;
        out->dram_row_hits = (int64_t)ds.row_hits, out->dram_row_misses = (int64_t)ds.row_misses;
        out->dram_row_conflicts = (int64_t)ds.row_conflicts, out->dram_refreshes = (int64_t)ds.ref;
        out->dram_act = (int64_t)ds.act, out->dram_pre = (int64_t)ds.pre;
        out->dram_cycles = (int64_t)ds.cycle;
        out->dram_rd = (int64_t)ds.rd, out->dram_wr = (int64_t)ds.wr;
        out->dram_active_cycles = (int64_t)ds.active_cycles;
        out->dram_precharged_cycles = (int64_t)ds.precharged_cycles;
    }
}

pesim_status pesim_engine_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                              const pesim_engine_options *opt, pesim_cost *out, pesim_engine_stats *stats)
{
    if (stats) memset(stats, 0, sizeof *stats);
    pesim_status st0 = pesim_nest_result_begin(a, l, m, out);
    if (st0 != PESIM_OK) return st0;
    static _Thread_local engine e; /* large: kept off the stack */
    pesim_status st = engine_init(&e, a, opt, out->reason, sizeof out->reason);
    if (st) {
        out->violation.kind = PESIM_VIOLATION_OTHER;
        return st;
    }
    /* every operand in the outermost level; each tensor's region on its own MiB */
    pesim_engine_step step;
    memset(&step, 0, sizeof step);
    step.arch = a, step.layer = l, step.map = m;
    uint64_t base = 0, wb = (uint64_t)pesim_arch_word_bytes(a);
    for (int t = 0; t < NT; t++) {
        step.home[t] = a->n_levels - 1;
        if (!e.has_dram) continue;
        uint64_t sz = (uint64_t)pesim_layer_tensor_words(l, (pesim_tensor)t) * wb;
        sz = (sz + e.dram.burst_bytes - 1) / e.dram.burst_bytes * e.dram.burst_bytes;
        if (sz == 0) sz = e.dram.burst_bytes;
        step.region[t].base = base, step.region[t].span = sz;
        base += (sz + (1u << 20) - 1) / (1u << 20) * (1u << 20);
    }
    pesim_engine_times tm;
    int64_t tail;
    st = engine_step(&e, &step, out, &tm, &tail);
    if (st || !out->valid) {
        engine_free(&e);
        return st;
    }
    /* one layer: its pipeline and flush tail is fill and drain */
    out->stall_cycles[PESIM_STALL_FILL_DRAIN] += tail;
    out->cycles = tm.end;
    trace(&e, tm.end, 0, -1, "finish", -1, "");
    out->utilization = (double)out->macs / ((double)tm.end * (double)pesim_arch_macs(a));
    pesim_engine_stats es;
    pesim_dram_activity act, *dact = NULL;
    pesim_engine_state_end((pesim_engine_state *)&e, tm.end);
    pesim_engine_state_stats((const pesim_engine_state *)&e, &es);
    if (e.has_dram) { /* the DRAM energy: the model's own commands and background over the run */
        pesim_estimate_dram_activity_from_run(&e.dram.timing, &es, a->clock_mhz, tm.end, &act);
        dact = &act;
    }
    pesim_estimate_cost(a, dact, out);
    if (stats) *stats = es;
    engine_free(&e);
    return PESIM_OK;
}
