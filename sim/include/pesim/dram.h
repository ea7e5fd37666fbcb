/* pesim/dram.h - the cycle-level DRAM model: a memory controller per channel in
 * front of ranks, bank groups and banks with JEDEC timing (docs/dram.md).
 *
 * The public surface has the shape of DRAMsim3's: will-accept, add a
 * transaction, tick, and a completion callback; plus an event-driven fast path
 * (next_event / advance_to) that skips idle cycles and gives exactly the
 * results of ticking every cycle.
 *
 * Units: every time in this header is in DRAM clock cycles (tCK) unless its
 * name says otherwise; addresses are byte addresses. A request is one burst
 * (pesim_dram_burst_bytes() bytes): the low address bits inside a burst are
 * ignored, so a request smaller than a burst still costs a burst.
 *
 * Clock contract: the handle has a current cycle `now` (0 at create). A request
 * added at `now` arrives at `now`; the controller takes it into its bank's
 * command queue in that cycle, so its first command issues at `now + 1` at the
 * earliest (the accept-to-issue cycle). pesim_dram_sim_tick() processes cycle
 * `now` (completions whose data ends at `now`, then at most one command per
 * channel) and then increments `now`.
 *
 * The handle is not thread-safe; one handle per thread. */
#ifndef PESIM_DRAM_H
#define PESIM_DRAM_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pesim_dram_sim pesim_dram_sim;

typedef enum pesim_dram_sched {
    PESIM_DRAM_FRFCFS = 0,  /* ready row hits first (oldest first), then the oldest ready command;
                               a request older than the age cap is served before anything else */
    PESIM_DRAM_FCFS         /* strictly in arrival order: only the oldest request is served */
} pesim_dram_sched;

/* The commands of the model, as reported to the command hook. */
typedef enum pesim_dram_cmd {
    PESIM_DRAM_ACT = 0,     /* activate (open) a row */
    PESIM_DRAM_PRE,         /* precharge (close) one bank */
    PESIM_DRAM_RD,          /* column read, one burst */
    PESIM_DRAM_WR,          /* column write, one burst */
    PESIM_DRAM_REF,         /* all-bank refresh of one rank */
    PESIM_DRAM_CMD_COUNT
} pesim_dram_cmd;

/* Address mapping strings name the six fields from the most significant to the
 * least significant, two letters each: ro (row), ra (rank), bg (bank group),
 * ba (bank), ch (channel), co (column, in bursts), each exactly once, as in
 * DRAMsim3's address_mapping ("rochrababgco"). Letters may be in any case and
 * fields may be separated by '-', '_', ':', ',', '.' or '/' ("Ro-Ch-Ra-Ba-Bg-Co").
 * The field values are mixed-radix digits of addr / burst_bytes, so counts
 * need not be powers of two. */
#define PESIM_DRAM_MAP_DEFAULT "rorabacobgch"   /* bursts interleave channels, then bank groups */
#define PESIM_DRAM_MAP_DRAMSIM3 "rochrababgco"  /* DRAMsim3's default: a row's bursts are consecutive */

#define PESIM_DRAM_DEFAULT_QUEUE 32             /* requests per channel */
#define PESIM_DRAM_DEFAULT_BANK_QUEUE 8         /* command-queue entries per bank (DRAMsim3's cmd_queue_size) */
#define PESIM_DRAM_DEFAULT_AGE_CAP 1000         /* cycles a request may wait before it is served first */
#define PESIM_DRAM_MAX_RANKS 64                 /* ranks per channel (pesim_dram_check's bound) */
#define PESIM_DRAM_DEFAULT_ROWS 65536           /* rows per bank (8 Gb x8 DDR4) */
#define PESIM_DRAM_DEFAULT_HIT_CAP 16           /* FR-FCFS: row hits a bank may serve ahead of an older miss */

/* Where a request lands. column counts bursts within the row. */
typedef struct pesim_dram_coord {
    int32_t channel, rank, bankgroup, bank;
    int64_t row;
    int64_t column;
} pesim_dram_coord;

/* One issued command (for the command hook: tests, protocol checkers, traces). */
typedef struct pesim_dram_command {
    uint64_t cycle;
    pesim_dram_cmd cmd;
    int32_t channel, rank, bankgroup, bank;   /* bankgroup = bank = -1 for REF */
    int64_t row;                              /* -1 for PRE and REF */
    int64_t column;                           /* RD/WR only, else -1 */
    uint64_t id;                              /* the request served; UINT64_MAX for refresh work */
} pesim_dram_command;

/* Completion callback: request `id` finished at `finish_cycle` (the cycle after
 * the last data beat; for a read, when its data has arrived; for a write, when
 * its data has been delivered to the device). Called from the tick that
 * processes finish_cycle. It may call pesim_dram_sim_add() (the new request
 * arrives at finish_cycle) but not tick/advance_to/destroy. */
typedef void (*pesim_dram_done_fn)(void *ctx, uint64_t id, uint64_t finish_cycle);
/* Command hook: called for every command as it is issued. Must not call back
 * into the handle. */
typedef void (*pesim_dram_command_fn)(void *ctx, const pesim_dram_command *c);

/* Creation options. A zeroed struct gives the defaults noted per field. */
typedef struct pesim_dram_sim_options {
    pesim_dram_sched sched;         /* [FR-FCFS] */
    int32_t queue_depth;            /* requests a channel holds, queued for their bank or waiting
                                       for room there (will_accept) [0: PESIM_DRAM_DEFAULT_QUEUE] */
    int32_t bank_queue_depth;       /* command-queue entries per bank: the scheduler sees the
                                       oldest this many requests of each bank
                                       [0: PESIM_DRAM_DEFAULT_BANK_QUEUE; at most queue_depth] */
    int32_t age_cap_cycles;         /* FR-FCFS: once the channel's oldest request has waited this
                                       many cycles, its next command goes first and, until it is
                                       served, no command that could delay it issues (docs/dram.md)
                                       [0: PESIM_DRAM_DEFAULT_AGE_CAP; < 0: no cap] */
    const char *address_map;        /* [NULL: PESIM_DRAM_MAP_DEFAULT]; copied at create */
    int32_t disable_refresh;        /* 1: no REF commands [0: refresh every tREFI] */
    int64_t rows_per_bank;          /* [0: PESIM_DRAM_DEFAULT_ROWS]; only wraps the row when ro is
                                       not the most significant field */
    int32_t row_hit_cap;            /* FR-FCFS: once a bank has served this many CAS since its ACT,
                                       its row hits stop passing an older request to another row
                                       of that bank [0: PESIM_DRAM_DEFAULT_HIT_CAP; < 0: no cap] */
    pesim_dram_done_fn done;        /* [NULL: none] */
    void *ctx;                      /* passed to done and on_command */
    pesim_dram_command_fn on_command; /* [NULL: none] */
} pesim_dram_sim_options;

/* Latency histogram: one bucket per cycle below PESIM_DRAM_HIST_EXACT cycles,
 * then PESIM_DRAM_HIST_SUB buckets per power of two up to 2^40 cycles (relative
 * width 1/64); the last bucket also holds anything larger. */
#define PESIM_DRAM_HIST_EXACT 1024
#define PESIM_DRAM_HIST_SUB 64
#define PESIM_DRAM_HIST_BUCKETS (PESIM_DRAM_HIST_EXACT + PESIM_DRAM_HIST_SUB * 30)

/* Counters since create. All times in DRAM cycles. */
typedef struct pesim_dram_stats {
    uint64_t cycle;                 /* the current cycle `now` */
    uint64_t finish_cycle;          /* latest completion so far (0: none) */
    uint64_t reads, writes;         /* completed requests */
    uint64_t row_hits;              /* served without an ACT of their own (counted at RD/WR issue) */
    uint64_t row_misses;            /* needed an ACT to a closed bank */
    uint64_t row_conflicts;         /* needed a PRE of another row, then an ACT */
    uint64_t act, pre, ref;         /* commands issued (pre includes the PREs before a refresh) */
    uint64_t rd, wr;                /* RD and WR commands issued (a request's CAS; its data may
                                       still be in flight) */
    uint64_t refresh_pre;           /* of pre: the ones issued to close banks for a refresh */
    uint64_t aged;                  /* requests that reached the age cap before their CAS */
    /* Background state, for IDD-based energy (DRAMsim3's and DRAMPower's
     * standby terms): every cycle in [0, now) of every rank counts either as
     * active (some bank of the rank has an open row after that cycle's
     * command) or as precharged (all its banks closed). Per rank index, summed
     * over channels; the totals sum over ranks too, so active + precharged =
     * now * ranks * channels. Power-down and self-refresh are not modelled. */
    uint64_t active_cycles, precharged_cycles;
    uint64_t rank_active_cycles[PESIM_DRAM_MAX_RANKS];
    uint64_t rank_precharged_cycles[PESIM_DRAM_MAX_RANKS];
    uint64_t busy_cycles;           /* data-bus cycles carrying data, summed over channels
                                       (counted when a burst is scheduled, at its RD/WR) */
    uint64_t read_latency_sum_cycles;   /* finish - arrival, over completed reads */
    uint64_t read_latency_min_cycles;   /* 0 when no read completed */
    uint64_t read_latency_max_cycles;
    uint64_t read_latency_hist[PESIM_DRAM_HIST_BUCKETS];
} pesim_dram_stats;

/* Bytes of one burst: bus_bits / 8 * BL. */
uint64_t pesim_dram_burst_bytes(const pesim_dram *d);

/* Peak data bandwidth of all channels in GB/s (1e9 bytes/s): two beats of
 * bus_bits per tCK per channel. */
double pesim_dram_peak_gbps(const pesim_dram *d);

/* Peak words per accelerator cycle of DRAM level `level` of a in one
 * direction (is_write: writes, else reads): the lower of the DRAM timing's
 * peak (pesim_dram_words_per_cycle, shared by reads and writes) and the
 * level's port, read_words_per_cycle or write_words_per_cycle (0 = no port
 * limit). 0 when the level is not DRAM or neither limits. */
double pesim_dram_port_words_per_cycle(const pesim_arch *a, int level, int is_write);

/* DRAM cycles -> accelerator cycles at clock_mhz, rounded up: the first
 * accelerator cycle boundary at or after the DRAM cycle's time. And back,
 * also rounded up. 0 if a clock is not positive. Exact where the ratio
 * tCK x clock / 1000 (accelerator cycles per DRAM cycle) is a fraction p / q
 * with q <= 10^6 and p <= 10^11 within 1e-15 of it (every ratio of decimal
 * timings and clocks of a few digits): integer arithmetic on p and q, for
 * every argument. For any other ratio, long-double arithmetic that forgives
 * a relative 1e-12 of rounding noise. */
uint64_t pesim_dram_to_accel_cycles(const pesim_dram *d, double clock_mhz, uint64_t dram_cycles);
uint64_t pesim_dram_from_accel_cycles(const pesim_dram *d, double clock_mhz, uint64_t accel_cycles);

/* The same two conversions with the fraction found once, for callers that
 * convert per burst (the cycle engine). */
typedef struct pesim_dram_clock {
    double tck_ns, clock_mhz;
    uint64_t p, q;                   /* ratio = p / q; q == 0: none, the long-double path */
    uint64_t dram_max, accel_max;    /* n p + q and a q + p fit in 64 bits for arguments <= these */
} pesim_dram_clock;
void pesim_dram_clock_init(pesim_dram_clock *c, const pesim_dram *d, double clock_mhz);
uint64_t pesim_dram_clock_to_accel(const pesim_dram_clock *c, uint64_t dram_cycles);
uint64_t pesim_dram_clock_from_accel(const pesim_dram_clock *c, uint64_t accel_cycles);
/* The first DRAM cycle n whose results are seen at accelerator cycle a or
 * later: the least n with pesim_dram_clock_to_accel(c, n) >= a (0 for a == 0). */
uint64_t pesim_dram_clock_seen_at(const pesim_dram_clock *c, uint64_t a);

/* Checks the timing for the model: positive organisation, BL even and >= 2,
 * bus_bits a multiple of 8, row_bytes a multiple of the burst, every timing
 * parameter in [0, 1e6] (CL, CWL, tRCD, tRP, tRAS, tCCD_S/L, tRRD_S/L, tRFC >= 1;
 * tREFI > tRFC). Errors name the key ("dram.tRCD"). */
pesim_status pesim_dram_check(const pesim_dram *d, pesim_error *e);

/* Creates a model of `timing` (copied). opts may be NULL (defaults). Errors:
 * PESIM_ERR_RANGE / PESIM_ERR_INVALID for bad timing or options (a bad
 * address map), PESIM_ERR_NOMEM. On failure *out is NULL. */
pesim_status pesim_dram_sim_create(const pesim_dram *timing, const pesim_dram_sim_options *opts,
                                   pesim_dram_sim **out, pesim_error *e);

/* Frees the handle; NULL is a no-op. Requests still queued are dropped
 * without callbacks. */
void pesim_dram_sim_destroy(pesim_dram_sim *h);

/* 1 if addr's channel can take a request now (it holds fewer than
 * queue_depth; is_write is accepted for DRAMsim3's shape: reads and writes
 * share the queues). */
int pesim_dram_sim_will_accept(const pesim_dram_sim *h, uint64_t addr, int is_write);

/* Adds a request arriving at the current cycle: it joins its bank's command
 * queue, or, when that is full, waits in arrival order for room there. Its
 * first command issues at now + 1 at the earliest. id is returned by the
 * completion callback (ids need not be unique). PESIM_ERR_INVALID if the
 * channel is full (check will_accept first); the request is then not added. */
pesim_status pesim_dram_sim_add(pesim_dram_sim *h, uint64_t addr, int is_write, uint64_t id);

/* Processes the current cycle and moves to the next. Costs O(queue depth +
 * banks with queued requests) per channel; never allocates. */
void pesim_dram_sim_tick(pesim_dram_sim *h);

/* The earliest cycle >= now at which a tick can change anything (issue a
 * command, complete a request, start a refresh), assuming no request is added
 * before then. UINT64_MAX if nothing is pending and refresh is off. Does not
 * change the simulated state (h is not const: the scan uses scratch marks). */
uint64_t pesim_dram_sim_next_event(pesim_dram_sim *h);

/* Moves now to `cycle` (no-op if cycle <= now) with exactly the effect of
 * calling tick (cycle - now) times, skipping the cycles in which nothing can
 * happen. Callbacks fire as with tick. */
void pesim_dram_sim_advance_to(pesim_dram_sim *h, uint64_t cycle);

/* The current cycle. */
uint64_t pesim_dram_sim_now(const pesim_dram_sim *h);

/* Requests added and not yet completed (queued or with data in flight). */
uint64_t pesim_dram_sim_outstanding(const pesim_dram_sim *h);

/* Copies the counters into *out (the background cycles up to now). */
void pesim_dram_sim_stats(const pesim_dram_sim *h, pesim_dram_stats *out);

/* The smallest latency L such that at least a fraction q (0 < q <= 1) of the
 * completed reads took <= L cycles (nearest rank): exact below
 * PESIM_DRAM_HIST_EXACT cycles, else the upper edge of its histogram bucket,
 * clamped to the max. 0 when no read completed. */
uint64_t pesim_dram_stats_read_latency_quantile(const pesim_dram_stats *s, double q);

/* Checks an address map string (the spellings above) and writes its
 * canonical form (12 lowercase letters and a NUL) into out. Returns 0, or -1
 * if it is not the six fields, each once (out is then ""). */
int pesim_dram_map_canonical(const char *map, char out[16]);

/* Address mapping of the handle. decode ignores the bits inside a burst;
 * encode gives the burst's first byte (fields are taken modulo their counts). */
void pesim_dram_sim_decode(const pesim_dram_sim *h, uint64_t addr, pesim_dram_coord *c);
uint64_t pesim_dram_sim_encode(const pesim_dram_sim *h, const pesim_dram_coord *c);

/* The timing and options the handle runs with (defaults filled in; the
 * address map string is the handle's own copy). */
const pesim_dram *pesim_dram_sim_timing(const pesim_dram_sim *h);
const pesim_dram_sim_options *pesim_dram_sim_get_options(const pesim_dram_sim *h);

/* ---- request traces (DRAMsim3's format) -------------------------------------
 * One request a line: `0x<hex address> READ|WRITE <cycle>` (fields separated
 * by blanks; READ/WRITE in any case). Blank lines and lines starting with '#'
 * are skipped. A cycle is at most PESIM_DRAM_TRACE_MAX_CYCLE: the model
 * simulates every refresh of an idle gap (about 10^8 a second), so a gap of
 * 2^42 cycles (23 minutes of DDR4-3200) takes seconds and one of 2^60 years. */
#define PESIM_DRAM_TRACE_MAX_CYCLE (UINT64_C(1) << 42)

typedef struct pesim_dram_request {
    uint64_t addr;
    uint64_t cycle;      /* not issued before this cycle */
    int32_t is_write;
} pesim_dram_request;

/* Parses one line (without or with its newline). Returns 1 and fills *r for
 * a request, 0 for a blank or comment line, -1 for a bad line (msg, of n
 * bytes, says why). */
int pesim_dram_trace_parse_line(const char *line, pesim_dram_request *r, char *msg, size_t n);

/* Drives h with requests in order: each is added at the first cycle that is
 * >= its cycle, after the previous request's cycle of issue (at most one per
 * cycle), at which the controller accepts it; then runs until every request
 * has completed. Uses the event-driven path. Request ids are 0, 1, 2, ... in
 * order, continuing from *count (in/out: requests issued). */
pesim_status pesim_dram_sim_run_requests(pesim_dram_sim *h, const pesim_dram_request *reqs, size_t n,
                                         uint64_t *count, pesim_error *e);

/* The same, streaming the requests from a trace file, after a first pass
 * that checks every line: a bad line is PESIM_ERR_PARSE naming the file and
 * the line, before anything runs; an unreadable file is PESIM_ERR_IO. */
pesim_status pesim_dram_sim_run_trace(pesim_dram_sim *h, const char *path, uint64_t *count,
                                      pesim_error *e);

/* ---- DMA streams: transfers of many bursts, several in flight ---------------
 * A front end for a client that moves tiles (the cycle engine): a transfer is
 * the bursts covering [addr, addr + bytes) in address order. Each stream
 * offers its transfers' bursts in submission order, at most one burst per
 * cycle, not before the transfer's start cycle, whenever the controller
 * accepts it; the next transfer's bursts follow the previous one's last burst
 * at once, without waiting for its data, so a stream keeps as many bursts in
 * flight as the controller holds. Streams are offered in index order each
 * cycle. A transfer completes when its last burst has (the latest completion
 * of its bursts). The handle owns its model (its done callback). */

typedef struct pesim_dram_dma pesim_dram_dma;

/* Creates a model of timing with opts (NULL: defaults; opts->done must be
 * NULL: the DMA takes the completions; on_command is kept) and `streams`
 * streams (1 to 64). Errors as pesim_dram_sim_create; PESIM_ERR_RANGE for a
 * bad stream count or a done callback. */
pesim_status pesim_dram_dma_create(const pesim_dram *timing, const pesim_dram_sim_options *opts, int32_t streams,
                                   pesim_dram_dma **out, pesim_error *e);
/* Frees the handle and its model; NULL is a no-op. */
void pesim_dram_dma_destroy(pesim_dram_dma *d);
/* The model (for now, stats and the address map; do not add requests or
 * tick it directly). */
pesim_dram_sim *pesim_dram_dma_sim(pesim_dram_dma *d);

/* Queues a transfer of `bytes` (> 0) at addr on `stream`, whose bursts are
 * offered from DRAM cycle start_cycle on. *xfer gets its id (1, 2, ... in
 * submission order over all streams). PESIM_ERR_RANGE for a bad stream or
 * size, PESIM_ERR_NOMEM. Does not advance the model. */
pesim_status pesim_dram_dma_submit(pesim_dram_dma *d, int32_t stream, uint64_t addr, uint64_t bytes, int is_write,
                                   uint64_t start_cycle, uint64_t *xfer);
/* 1 and *finish_cycle (the cycle its last burst completed) if transfer xfer
 * has completed by now; 0 otherwise (also for an unknown id). */
int pesim_dram_dma_poll(const pesim_dram_dma *d, uint64_t xfer, uint64_t *finish_cycle);
/* Runs the model and the streams until transfer xfer has completed and
 * returns its finish cycle; 0 for an unknown id. */
uint64_t pesim_dram_dma_wait(pesim_dram_dma *d, uint64_t xfer);
/* Runs the model and the streams up to `cycle` (no-op if not after now). */
void pesim_dram_dma_advance_to(pesim_dram_dma *d, uint64_t cycle);

#ifdef __cplusplus
}
#endif
#endif
