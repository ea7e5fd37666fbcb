/* engine/dram.c - the DRAM model's state: creation and checks, the address
 * mapping, the timing rules applied when a command is issued, completions and
 * statistics. The scheduler (which command to issue, and when the next thing
 * can happen) is in dram_sched.c; traces in dram_trace.c. See docs/dram.md. */
#include <assert.h>
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dram_impl.h"

/* ---- small helpers -------------------------------------------------------- */

static void raise_to(int64_t *x, int64_t v)
{
    if (v > *x) *x = v;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

uint64_t pesim_dram_burst_bytes(const pesim_dram *d)
{
    if (d->bus_bits <= 0 || d->BL <= 0) return 0;
    return (uint64_t)(d->bus_bits / 8) * (uint64_t)d->BL;
}

double pesim_dram_peak_gbps(const pesim_dram *d)
{
    if (!(d->tck_ns > 0)) return 0;
    /* Double data rate: two beats of bus_bits per tCK; bytes per ns == GB/s. */
    return 2.0 * (d->bus_bits / 8.0) / d->tck_ns * d->channels;
}

/* ceil(x) that forgives the last-bit noise of a product of decimals
 * (0.625 * 1000 / 1000 may land a hair above an integer). */
static uint64_t ceil_tolerant(long double x)
{
    if (!(x > 0)) return 0;
    long double y = x * (1.0L - 1e-12L);
#if LDBL_MANT_DIG == 64
    if (y < 0x1p52L) {
        /* ceill(y) without switching the x87 rounding mode (ceill and a
         * truncating cast each switch it, which dominated the engine's
         * per-burst clock conversions): y + 2^63 has a unit ulp with a
         * 64-bit significand, so n is an integer next to y (floor or ceil,
         * whatever the mode) and the fix-up makes it the ceiling; n < 2^53
         * converts to double exactly. */
        long double n = (y + 0x1p63L) - 0x1p63L;
        if (n < y) n += 1;
        return (uint64_t)(double)n;
    }
#endif
    long double r = ceill(y);
    if (r >= 18446744073709551615.0L) return UINT64_MAX;
    return (uint64_t)r;
}

static uint64_t to_accel(double tck_ns, double clock_mhz, uint64_t dram_cycles)
{
    if (!(tck_ns > 0) || !(clock_mhz > 0)) return 0;
    return ceil_tolerant((long double)dram_cycles * tck_ns * clock_mhz / 1000.0L);
}

static uint64_t from_accel(double tck_ns, double clock_mhz, uint64_t accel_cycles)
{
    if (!(tck_ns > 0) || !(clock_mhz > 0)) return 0;
    return ceil_tolerant((long double)accel_cycles * 1000.0L / clock_mhz / tck_ns);
}

/* The ratio r = tCK x clock / 1000 (accelerator cycles per DRAM cycle) as a
 * fraction p / q when one with q <= 10^6 and p <= 10^11 lies within 1e-15 of
 * it: every ratio of decimal timings and clocks of a few digits. With it the
 * conversions are exact integer arithmetic for every argument. The long-double
 * path (ceil_tolerant) is kept for ratios without such a fraction only: its
 * tolerance of 1e-12 forgives rounding noise but also rounds a true fraction
 * f / q of a cycle away once the result m has m x 1e-12 > f / q (tCK 0.833 ns
 * at 200 MHz, p / q = 833 / 5000: accelerator cycle 201,210,734 is DRAM cycle
 * 1,207,747,503 + 1/833, which it rounded to ...503 instead of ...504). */
#define CLOCK_P_MAX 100000000000ULL /* 1e11 */
#define CLOCK_Q_MAX 1000000ULL

void pesim_dram_clock_init(pesim_dram_clock *c, const pesim_dram *d, double clock_mhz)
{
    memset(c, 0, sizeof *c);
    c->tck_ns = d->tck_ns, c->clock_mhz = clock_mhz;
    if (!(d->tck_ns > 0) || !(clock_mhz > 0)) return;
    long double r = (long double)d->tck_ns * clock_mhz / 1000.0L;
    if (!(r < 1e6L) || !(r > 1e-6L)) return;
    /* continued fraction of r: convergents h / k until one is within 1e-15 */
    long double x = r;
    uint64_t h0 = 1, h1 = 0, k0 = 0, k1 = 1; /* h_{-1}, h_{-2}, k_{-1}, k_{-2} */
    for (int i = 0; i < 64; i++) {
        long double a = floorl(x);
        uint64_t ai = (uint64_t)a, h = ai * h0 + h1, k = ai * k0 + k1;
        if (k > CLOCK_Q_MAX || h > CLOCK_P_MAX) return;
        if (fabsl((long double)h / (long double)k - r) <= 1e-15L * r) {
            c->p = h, c->q = k;
            c->dram_max = (UINT64_MAX - k) / h;
            c->accel_max = (UINT64_MAX - h) / k;
            return;
        }
        h1 = h0, h0 = h, k1 = k0, k0 = k;
        if (x - a <= 0) return;
        x = 1.0L / (x - a);
    }
}

/* n x num / den rounded down (up: ceil != 0), exact for num, den <= 10^11
 * with num x den <= 10^17 (p and q); UINT64_MAX when it does not fit. */
static uint64_t mul_div(uint64_t n, uint64_t num, uint64_t den, int ceil)
{
    uint64_t hi = n / den, lo = n % den;             /* n = hi den + lo */
    if (hi > UINT64_MAX / num) return UINT64_MAX;
    uint64_t whole = hi * num, rest = lo * num;        /* rest < den x num */
    uint64_t part = (rest + (ceil ? den - 1 : 0)) / den;
    return whole > UINT64_MAX - part ? UINT64_MAX : whole + part;
}

uint64_t pesim_dram_clock_to_accel(const pesim_dram_clock *c, uint64_t n)
{
    if (!c->q) return to_accel(c->tck_ns, c->clock_mhz, n);
    if (n <= c->dram_max) return (n * c->p + c->q - 1) / c->q; /* the product fits: one division */
    return mul_div(n, c->p, c->q, 1);
}

uint64_t pesim_dram_clock_from_accel(const pesim_dram_clock *c, uint64_t a)
{
    if (!c->q) return from_accel(c->tck_ns, c->clock_mhz, a);
    if (a <= c->accel_max) return (a * c->q + c->p - 1) / c->p;
    return mul_div(a, c->q, c->p, 1);
}

uint64_t pesim_dram_clock_seen_at(const pesim_dram_clock *c, uint64_t a)
{
    if (a == 0) return 0;
    /* to_accel(n) = ceil(n p / q) >= a  <=>  n p > (a - 1) q */
    if (c->q) return (a - 1 <= c->accel_max ? (a - 1) * c->q / c->p : mul_div(a - 1, c->q, c->p, 0)) + 1;
    uint64_t n = from_accel(c->tck_ns, c->clock_mhz, a - 1);
    while (to_accel(c->tck_ns, c->clock_mhz, n) < a) n++;
    return n;
}

uint64_t pesim_dram_to_accel_cycles(const pesim_dram *d, double clock_mhz, uint64_t dram_cycles)
{
    pesim_dram_clock c;
    pesim_dram_clock_init(&c, d, clock_mhz);
    return pesim_dram_clock_to_accel(&c, dram_cycles);
}

uint64_t pesim_dram_from_accel_cycles(const pesim_dram *d, double clock_mhz, uint64_t accel_cycles)
{
    pesim_dram_clock c;
    pesim_dram_clock_init(&c, d, clock_mhz);
    return pesim_dram_clock_from_accel(&c, accel_cycles);
}

/* ---- checks --------------------------------------------------------------- */

#define TIMING_MAX 1000000

pesim_status pesim_dram_check(const pesim_dram *d, pesim_error *e)
{
    if (!(d->tck_ns > 0) || !isfinite(d->tck_ns))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.tck_ns", "must be > 0");
    /* Timing parameters with their lower bounds (upper bound TIMING_MAX). */
    const struct { const char *key; int32_t v, lo; } tp[] = {
        {"dram.CL", d->CL, 1},         {"dram.CWL", d->CWL, 1},       {"dram.tRCD", d->tRCD, 1},
        {"dram.tRP", d->tRP, 1},       {"dram.tRAS", d->tRAS, 1},     {"dram.tRC", d->tRC, 0},
        {"dram.tCCD_S", d->tCCD_S, 1}, {"dram.tCCD_L", d->tCCD_L, 1}, {"dram.tRRD_S", d->tRRD_S, 1},
        {"dram.tRRD_L", d->tRRD_L, 1}, {"dram.tFAW", d->tFAW, 0},     {"dram.tWTR_S", d->tWTR_S, 0},
        {"dram.tWTR_L", d->tWTR_L, 0}, {"dram.tWR", d->tWR, 0},       {"dram.tRTP", d->tRTP, 0},
        {"dram.tRTRS", d->tRTRS, 0},   {"dram.tRFC", d->tRFC, 0},     {"dram.tREFI", d->tREFI, 0},
    };
    for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++)
        if (tp[i].v < tp[i].lo || tp[i].v > TIMING_MAX)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, tp[i].key, "must be in [%d, %d] cycles, got %d",
                                   (int)tp[i].lo, TIMING_MAX, (int)tp[i].v);
    if (d->BL < 2 || d->BL % 2 != 0 || d->BL > 1024)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.BL", "must be even and in [2, 1024], got %d",
                               (int)d->BL);
    const struct { const char *key; int32_t v, hi; } org[] = {
        {"dram.channels", d->channels, 1024}, {"dram.ranks", d->ranks, 64},
        {"dram.bankgroups", d->bankgroups, 64}, {"dram.banks_per_group", d->banks_per_group, 64},
    };
    for (size_t i = 0; i < sizeof org / sizeof org[0]; i++)
        if (org[i].v < 1 || org[i].v > org[i].hi)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, org[i].key, "must be in [1, %d], got %d",
                                   (int)org[i].hi, (int)org[i].v);
    if (d->bus_bits < 8 || d->bus_bits % 8 != 0 || d->bus_bits > 4096)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.bus_bits",
                               "must be a multiple of 8 in [8, 4096], got %d", (int)d->bus_bits);
    uint64_t burst = pesim_dram_burst_bytes(d);
    if (d->row_bytes < (int64_t)burst || d->row_bytes % (int64_t)burst != 0 || d->row_bytes > (1 << 30))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.row_bytes",
                               "must be a multiple of the burst (%llu bytes) up to 1 GiB, got %lld",
                               (unsigned long long)burst, (long long)d->row_bytes);
    return PESIM_OK;
}

/* Parses an address map ("rochrababgco", any case, fields optionally
 * separated by one of "-_:,./") into fields, least significant first, and its
 * canonical spelling (12 lowercase letters) into canon. Returns 0, or -1 if it
 * is not a permutation of the six fields. */
static int parse_map(const char *s, int field_lsb[FLD_COUNT], char canon[2 * FLD_COUNT + 1])
{
    static const char names[FLD_COUNT][3] = {"ro", "ra", "bg", "ba", "ch", "co"};
    int seen = 0, n = 0;
    for (const char *p = s; *p;) {
        if (n > 0 && *p && strchr("-_:,./", *p)) p++;   /* one separator between fields */
        if (!p[0] || !p[1] || n == FLD_COUNT) return -1;
        char a = (char)tolower((unsigned char)p[0]), b = (char)tolower((unsigned char)p[1]);
        int f = -1;
        for (int k = 0; k < FLD_COUNT; k++)
            if (a == names[k][0] && b == names[k][1]) f = k;
        if (f < 0 || (seen & (1 << f))) return -1;
        seen |= 1 << f;
        canon[2 * n] = a, canon[2 * n + 1] = b;
        field_lsb[FLD_COUNT - 1 - n] = f;   /* the string is most significant first */
        n++;
        p += 2;
    }
    if (n != FLD_COUNT) return -1;
    canon[2 * FLD_COUNT] = '\0';
    return 0;
}

int pesim_dram_map_canonical(const char *map, char out[16])
{
    int field_lsb[FLD_COUNT];
    char canon[2 * FLD_COUNT + 1];
    out[0] = '\0';
    if (!map || parse_map(map, field_lsb, canon) != 0) return -1;
    memcpy(out, canon, sizeof canon);
    return 0;
}

static void derive_timing(const pesim_dram *d, dram_timing *t)
{
    int64_t bl2 = d->BL / 2;
    t->bl2 = bl2;
    /* Column commands: bursts may not overlap on the data bus, and a rank
     * switch leaves a tRTRS bubble (reads and writes alike). */
    t->rd_to_rd_l = max64(d->tCCD_L, bl2);
    t->rd_to_rd_s = max64(d->tCCD_S, bl2);
    t->rd_to_rd_o = bl2 + d->tRTRS;
    t->wr_to_wr_l = max64(d->tCCD_L, bl2);
    t->wr_to_wr_s = max64(d->tCCD_S, bl2);
    t->wr_to_wr_o = bl2 + d->tRTRS;
    /* Read to write: the write data starts tRTRS after the read data ends. */
    t->rd_to_wr = (int64_t)d->CL + bl2 + d->tRTRS - d->CWL;
    t->rd_to_wr_o = t->rd_to_wr;
    /* Write to read: tWTR counts from the end of the write data (same rank);
     * another rank only needs the bus turnaround. */
    t->wr_to_rd_l = (int64_t)d->CWL + bl2 + d->tWTR_L;
    t->wr_to_rd_s = (int64_t)d->CWL + bl2 + d->tWTR_S;
    t->wr_to_rd_o = (int64_t)d->CWL + bl2 + d->tRTRS - d->CL;
    t->rd_to_pre = d->tRTP;
    t->wr_to_pre = (int64_t)d->CWL + bl2 + d->tWR;   /* write recovery from the end of the data */
    t->act_to_cas = d->tRCD;
    t->act_to_pre = d->tRAS;
    t->act_to_act = d->tRC;
    t->act_to_act_l = d->tRRD_L;
    t->act_to_act_s = d->tRRD_S;
    t->faw = d->tFAW;
    t->pre_to_act = d->tRP;
    t->act_to_ref = d->tRC;
    t->ref_to_act = d->tRFC;
    t->ref_interval = d->tREFI / d->ranks;
    t->rd_lat = (int64_t)d->CL + bl2;
    t->wr_lat = (int64_t)d->CWL + bl2;
}

/* ---- create / destroy ----------------------------------------------------- */

void pesim_dram_sim_destroy(pesim_dram_sim *h)
{
    if (!h) return;
    if (h->ch) {
        for (int32_t c = 0; c < h->d.channels; c++) {
            free(h->ch[c].slot);
            free(h->ch[c].free_slots);
            free(h->ch[c].tq);
            free(h->ch[c].active);
            free(h->ch[c].banks);
            free(h->ch[c].grp);
            free(h->ch[c].ranks);
            free(h->ch[c].ring);
        }
        free(h->ch);
    }
    free(h);
}

pesim_status pesim_dram_sim_create(const pesim_dram *timing, const pesim_dram_sim_options *opts,
                                   pesim_dram_sim **out, pesim_error *e)
{
    *out = NULL;
    pesim_status s = pesim_dram_check(timing, e);
    if (s != PESIM_OK) return s;
    pesim_dram_sim_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    if (o.sched != PESIM_DRAM_FRFCFS && o.sched != PESIM_DRAM_FCFS)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "sched", "unknown scheduler %d", (int)o.sched);
    if (o.queue_depth == 0) o.queue_depth = PESIM_DRAM_DEFAULT_QUEUE;
    if (o.queue_depth < 1 || o.queue_depth > 65536)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "queue_depth", "must be in [1, 65536], got %d",
                               (int)o.queue_depth);
    if (o.rows_per_bank == 0) o.rows_per_bank = PESIM_DRAM_DEFAULT_ROWS;
    if (o.rows_per_bank < 1 || o.rows_per_bank > ((int64_t)1 << 40))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "rows_per_bank", "must be in [1, 2^40], got %lld",
                               (long long)o.rows_per_bank);
    if (o.row_hit_cap == 0) o.row_hit_cap = PESIM_DRAM_DEFAULT_HIT_CAP;
    if (o.bank_queue_depth == 0) o.bank_queue_depth = PESIM_DRAM_DEFAULT_BANK_QUEUE;
    if (o.bank_queue_depth < 1 || o.bank_queue_depth > 65536)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "bank_queue_depth", "must be in [1, 65536], got %d",
                               (int)o.bank_queue_depth);
    if (o.bank_queue_depth > o.queue_depth) o.bank_queue_depth = o.queue_depth;
    if (o.age_cap_cycles == 0) o.age_cap_cycles = PESIM_DRAM_DEFAULT_AGE_CAP;
    if (!o.disable_refresh && (timing->tRFC < 1 || timing->tREFI <= timing->tRFC))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.tREFI",
                               "refresh needs tRFC >= 1 and tREFI > tRFC (got %d and %d)", (int)timing->tRFC,
                               (int)timing->tREFI);
    if (!o.disable_refresh && timing->tREFI < timing->ranks)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "dram.tREFI",
                               "staggered refresh needs tREFI >= ranks (got %d and %d)", (int)timing->tREFI,
                               (int)timing->ranks);
    const char *map = o.address_map ? o.address_map : PESIM_DRAM_MAP_DEFAULT;
    int field_lsb[FLD_COUNT];
    char canon[2 * FLD_COUNT + 1];
    if (parse_map(map, field_lsb, canon) != 0)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "address_map",
                               "'%s' is not the six fields ro ra bg ba ch co, each once, most significant first "
                               "(e.g. '%s', DRAMsim3's '%s')",
                               map, PESIM_DRAM_MAP_DEFAULT, PESIM_DRAM_MAP_DRAMSIM3);

    pesim_dram_sim *h = calloc(1, sizeof *h);
    if (!h) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    h->d = *timing;
    memcpy(h->map_str, canon, sizeof canon);
    o.address_map = h->map_str;
    h->opt = o;
    derive_timing(timing, &h->t);
    memcpy(h->field_lsb, field_lsb, sizeof field_lsb);
    h->burst_bytes = pesim_dram_burst_bytes(timing);
    h->field_count[FLD_RO] = o.rows_per_bank;
    h->field_count[FLD_RA] = timing->ranks;
    h->field_count[FLD_BG] = timing->bankgroups;
    h->field_count[FLD_BA] = timing->banks_per_group;
    h->field_count[FLD_CH] = timing->channels;
    h->field_count[FLD_CO] = timing->row_bytes / (int64_t)h->burst_bytes;
    for (int f = 0; f < FLD_COUNT; f++) {
        int64_t n = h->field_count[f];
        h->field_shift[f] = (n & (n - 1)) == 0 ? __builtin_ctzll((unsigned long long)n) : -1;
    }
    h->pow2_map = 1;
    for (int i = 0, pos = 0; i < FLD_COUNT; i++) {
        int f = h->field_lsb[i];
        h->field_pos[f] = pos;
        if (i == FLD_COUNT - 1 && f == FLD_RO) {
            h->field_mask[f] = UINT64_MAX;   /* row on top: unbounded */
        } else if (h->field_shift[f] >= 0 && pos + h->field_shift[f] < 64) {
            h->field_mask[f] = ((uint64_t)1 << h->field_shift[f]) - 1;
            pos += h->field_shift[f];
        } else {
            h->pow2_map = 0;
            break;
        }
    }
    h->burst_shift = (h->burst_bytes & (h->burst_bytes - 1)) == 0 ? __builtin_ctzll(h->burst_bytes) : -1;
    h->bpr = timing->bankgroups * timing->banks_per_group;
    h->nbanks = timing->ranks * h->bpr;
    h->ngroups = timing->ranks * timing->bankgroups;
    /* At most one CAS per cycle per channel, each in flight for rd_lat or
     * wr_lat cycles: this many entries can never overflow. */
    h->ring_cap = (int32_t)(max64(h->t.rd_lat, h->t.wr_lat) + 2);
    h->hit_cap = o.row_hit_cap < 0 ? INT32_MAX : o.row_hit_cap;
    h->age_cap = o.age_cap_cycles < 0 || o.sched == PESIM_DRAM_FCFS ? NEVER : o.age_cap_cycles;
    h->hint_at = -1;

    h->ch = calloc((size_t)timing->channels, sizeof *h->ch);
    if (!h->ch) goto nomem;
    for (int32_t c = 0; c < timing->channels; c++) {
        dram_channel *ch = &h->ch[c];
        ch->slot = calloc((size_t)o.queue_depth, sizeof *ch->slot);
        ch->free_slots = calloc((size_t)o.queue_depth, sizeof *ch->free_slots);
        ch->tq = calloc((size_t)o.queue_depth, sizeof *ch->tq);
        ch->active = calloc((size_t)h->nbanks, sizeof *ch->active);
        ch->banks = calloc((size_t)h->nbanks, sizeof *ch->banks);
        ch->grp = calloc((size_t)h->ngroups, sizeof *ch->grp);
        ch->ranks = calloc((size_t)timing->ranks, sizeof *ch->ranks);
        ch->ring = calloc((size_t)h->ring_cap, sizeof *ch->ring);
        if (!ch->slot || !ch->free_slots || !ch->tq || !ch->active || !ch->banks || !ch->grp || !ch->ranks || !ch->ring)
            goto nomem;
        for (int32_t i = 0; i < o.queue_depth; i++) ch->free_slots[i] = o.queue_depth - 1 - i;
        ch->n_free = o.queue_depth;
        ch->memo_at = -1;
        ch->pred_cmd = M_NONE;
        ch->memo_aged = NEVER;
        for (int32_t b = 0; b < h->nbanks; b++) {
            dram_bank *x = &ch->banks[b];
            x->open_row = -1;
            x->head = x->tail = x->active_pos = -1;
            x->rank = (int16_t)(b / h->bpr);
            x->bg = (int16_t)(b % h->bpr / timing->banks_per_group);
            x->grp = b / timing->banks_per_group;
        }
        for (int32_t r = 0; r < timing->ranks; r++) {
            /* Staggered as in DRAMsim3 (refresh.cc, RANK_LEVEL_STAGGERED): a
             * refresh every tREFI / ranks cycles, to rank 0, 1, ... in turn,
             * the first at tREFI / ranks. */
            ch->ranks[r].ref_due = o.disable_refresh ? NEVER : (int64_t)(r + 1) * h->t.ref_interval;
        }
    }
    *out = h;
    return PESIM_OK;
nomem:
    pesim_dram_sim_destroy(h);
    return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ---- address mapping ------------------------------------------------------ */

/* Mixed-radix digits of the burst index, least significant field first
 * (shifts and masks for power-of-two counts: decode runs per request). */
static void decode_fields(const pesim_dram_sim *h, uint64_t addr, int64_t val[FLD_COUNT], int upto)
{
    uint64_t v = h->burst_shift >= 0 ? addr >> h->burst_shift : addr / h->burst_bytes;
    if (h->pow2_map) {
        for (int f = 0; f < FLD_COUNT; f++) val[f] = (int64_t)((v >> h->field_pos[f]) & h->field_mask[f]);
        return;
    }
    for (int i = 0; i < FLD_COUNT; i++) {
        int f = h->field_lsb[i];
        if (i == FLD_COUNT - 1 && f == FLD_RO) {
            val[f] = (int64_t)v;                /* row on top: unbounded */
        } else if (h->field_shift[f] >= 0) {
            val[f] = (int64_t)(v & (((uint64_t)1 << h->field_shift[f]) - 1));
            v >>= h->field_shift[f];
        } else {
            uint64_t n = (uint64_t)h->field_count[f];
            val[f] = (int64_t)(v % n);
            v /= n;
        }
        if (f == upto) return;
    }
}

int32_t dram_channel_of(const pesim_dram_sim *h, uint64_t addr)
{
    if (h->d.channels == 1) return 0;
    int64_t val[FLD_COUNT];
    decode_fields(h, addr, val, FLD_CH);
    return (int32_t)val[FLD_CH];
}

void pesim_dram_sim_decode(const pesim_dram_sim *h, uint64_t addr, pesim_dram_coord *c)
{
    int64_t val[FLD_COUNT];
    decode_fields(h, addr, val, -1);
    c->channel = (int32_t)val[FLD_CH];
    c->rank = (int32_t)val[FLD_RA];
    c->bankgroup = (int32_t)val[FLD_BG];
    c->bank = (int32_t)val[FLD_BA];
    c->row = val[FLD_RO];
    c->column = val[FLD_CO];
}

uint64_t pesim_dram_sim_encode(const pesim_dram_sim *h, const pesim_dram_coord *c)
{
    int64_t val[FLD_COUNT];
    val[FLD_CH] = c->channel;
    val[FLD_RA] = c->rank;
    val[FLD_BG] = c->bankgroup;
    val[FLD_BA] = c->bank;
    val[FLD_RO] = c->row;
    val[FLD_CO] = c->column;
    uint64_t v = 0;
    for (int i = FLD_COUNT - 1; i >= 0; i--) {
        int f = h->field_lsb[i];
        uint64_t n = (uint64_t)h->field_count[f];
        uint64_t x = (uint64_t)val[f];
        if (!(i == FLD_COUNT - 1 && f == FLD_RO)) x %= n;
        v = v * n + x;
    }
    return v * h->burst_bytes;
}

/* ---- requests ------------------------------------------------------------- */

int dram_channel_has_room(const pesim_dram_sim *h, const dram_channel *c)
{
    (void)h;
    return c->n_free > 0;
}

int pesim_dram_sim_will_accept(const pesim_dram_sim *h, uint64_t addr, int is_write)
{
    (void)is_write;   /* reads and writes share the queues */
    return h->ch[dram_channel_of(h, addr)].n_free > 0;
}

/* Appends slot s to its bank's command queue; it may issue from now + 1. */
static void bank_push(pesim_dram_sim *h, dram_channel *c, int32_t s)
{
    dram_req *r = &c->slot[s];
    dram_bank *b = &c->banks[r->bank];
    if (r->ready < h->now + 1) r->ready = h->now + 1;
    r->next = -1;
    if (b->tail >= 0)
        c->slot[b->tail].next = s;
    else
        b->head = s;
    b->tail = s;
    b->n_wr += r->is_write;
    b->walked = 0;
    if (b->len++ == 0) {
        b->active_pos = c->n_active;
        c->active[c->n_active++] = r->bank;
    }
}

pesim_status pesim_dram_sim_add(pesim_dram_sim *h, uint64_t addr, int is_write, uint64_t id)
{
    pesim_dram_coord co;
    pesim_dram_sim_decode(h, addr, &co);
    dram_channel *c = &h->ch[co.channel];
    if (c->n_free == 0) return PESIM_ERR_INVALID;
    int32_t s = c->free_slots[--c->n_free];
    dram_req *r = &c->slot[s];
    r->id = id;
    r->seq = c->next_seq++;
    r->arrival = h->now;
    r->ready = h->now + 1;
    r->row = co.row;
    r->column = co.column;
    r->rank = (int16_t)co.rank;
    r->bank = (co.rank * h->d.bankgroups + co.bankgroup) * h->d.banks_per_group + co.bank;
    r->is_write = is_write ? 1 : 0;
    r->flags = 0;
    /* Requests wait in the transaction queue only while their bank queue is
     * full, so a bank queue with room has no older request of its bank
     * waiting. */
    int queued = c->banks[r->bank].len < h->opt.bank_queue_depth;
    if (queued)
        bank_push(h, c, s);
    else
        c->tq[c->tq_len++] = s;
    h->outstanding++;
    dram_sched_added(h, c, s, queued);   /* the channel's scan and the next event */
    return PESIM_OK;
}

/* ---- command issue: the timing rules -------------------------------------- */

static void hook(pesim_dram_sim *h, const dram_channel *c, pesim_dram_cmd cmd, int32_t rank, int32_t bank,
                 int64_t row, int64_t column, uint64_t id)
{
    if (!h->opt.on_command) return;
    pesim_dram_command x;
    x.cycle = (uint64_t)h->now;
    x.cmd = cmd;
    x.channel = (int32_t)(c - h->ch);
    x.rank = rank;
    if (bank >= 0) {
        int32_t in_rank = bank % h->bpr;
        x.bankgroup = in_rank / h->d.banks_per_group;
        x.bank = in_rank % h->d.banks_per_group;
    } else {
        x.bankgroup = x.bank = -1;
    }
    x.row = row;
    x.column = column;
    x.id = id;
    h->opt.on_command(h->opt.ctx, &x);
}

/* Background accounting: the rank's state (some bank open, or none) changes
 * at now; the cycles since the last change go to the old state. */
static void background_switch(pesim_dram_sim *h, dram_rank *rk)
{
    uint64_t n = (uint64_t)(h->now - rk->bg_since);
    if (rk->open_banks > 0)
        rk->active_cycles += n;
    else
        rk->precharged_cycles += n;
    rk->bg_since = h->now;
}

void dram_issue_act(pesim_dram_sim *h, dram_channel *c, int32_t bank, dram_req *req)
{
    const dram_timing *t = &h->t;
    int64_t now = h->now;
    dram_bank *b = &c->banks[bank];
    int32_t rank = b->rank, bg = b->bg;
    dram_rank *rk = &c->ranks[rank];
    assert(b->open_row < 0);
    if (rk->open_banks == 0) background_switch(h, rk);
    b->open_row = req->row;
    b->hits = 0;
    b->walked = 0;
    rk->open_banks++;
    req->flags |= F_ACT;
    /* tFAW: the fifth ACT waits for the first of the last four + tFAW. */
    rk->act_hist[rk->act_pos] = now;
    rk->act_pos = (rk->act_pos + 1) & 3;
    if (rk->act_n < 4) rk->act_n++;
    int64_t faw = rk->act_n == 4 ? rk->act_hist[rk->act_pos] + t->faw : 0;
    dram_group *first = &c->grp[rank * h->d.bankgroups];
    for (int32_t g = 0; g < h->d.bankgroups; g++) {
        raise_to(&first[g].next[C_ACT], now + (g == bg ? t->act_to_act_l : t->act_to_act_s));
        raise_to(&first[g].next[C_ACT], faw);
    }
    raise_to(&b->next[C_ACT], now + t->act_to_act);
    raise_to(&b->next[C_RD], now + t->act_to_cas);
    raise_to(&b->next[C_WR], now + t->act_to_cas);
    raise_to(&b->next[C_PRE], now + t->act_to_pre);
    raise_to(&rk->ref_ready, now + t->act_to_ref);
    h->st.act++;
    hook(h, c, PESIM_DRAM_ACT, rank, bank, req->row, -1, req->id);
}

void dram_issue_pre(pesim_dram_sim *h, dram_channel *c, int32_t bank, dram_req *req)
{
    int64_t now = h->now;
    dram_bank *b = &c->banks[bank];
    int32_t rank = b->rank;
    dram_rank *rk = &c->ranks[rank];
    assert(b->open_row >= 0);
    b->open_row = -1;
    b->walked = 0;
    if (rk->open_banks == 1) background_switch(h, rk);
    rk->open_banks--;
    raise_to(&b->next[C_ACT], now + h->t.pre_to_act);
    raise_to(&rk->ref_ready, now + h->t.pre_to_act);
    h->st.pre++;
    if (req)
        req->flags |= F_PRE;
    else
        h->st.refresh_pre++;
    hook(h, c, PESIM_DRAM_PRE, rank, bank, -1, -1, req ? req->id : UINT64_MAX);
}

/* Removes slot s (after prev in its bank queue) from the queue and frees it;
 * the oldest request of that bank waiting in the transaction queue takes the
 * room. */
static void bank_remove(pesim_dram_sim *h, dram_channel *c, int32_t s, int32_t prev)
{
    int32_t bank = c->slot[s].bank;
    dram_bank *b = &c->banks[bank];
    int32_t nx = c->slot[s].next;
    if (prev >= 0)
        c->slot[prev].next = nx;
    else
        b->head = nx;
    if (b->tail == s) b->tail = prev;
    b->n_wr -= c->slot[s].is_write;
    b->walked = 0;
    c->free_slots[c->n_free++] = s;
    if (--b->len == 0) {
        int32_t last = c->active[--c->n_active];
        c->active[b->active_pos] = last;
        c->banks[last].active_pos = b->active_pos;
        b->active_pos = -1;
    }
    for (int32_t i = 0; i < c->tq_len; i++) {
        int32_t w = c->tq[i];
        if (c->slot[w].bank != bank) continue;
        memmove(&c->tq[i], &c->tq[i + 1], (size_t)(c->tq_len - i - 1) * sizeof c->tq[0]);
        c->tq_len--;
        bank_push(h, c, w);
        break;
    }
}

void dram_issue_cas(pesim_dram_sim *h, dram_channel *c, int32_t s, int32_t prev)
{
    const dram_timing *t = &h->t;
    int64_t now = h->now;
    dram_req r = c->slot[s];
    dram_bank *b = &c->banks[r.bank];
    int32_t rank = r.rank, bg = b->bg;
    assert(b->open_row == r.row && r.ready <= now);
    int wr = r.is_write;
    for (int32_t rr = 0; rr < h->d.ranks; rr++) {
        dram_group *first = &c->grp[rr * h->d.bankgroups];
        if (rr != rank) {
            int64_t to_rd = now + (wr ? t->wr_to_rd_o : t->rd_to_rd_o);
            int64_t to_wr = now + (wr ? t->wr_to_wr_o : t->rd_to_wr_o);
            for (int32_t g = 0; g < h->d.bankgroups; g++) {
                raise_to(&first[g].next[C_RD], to_rd);
                raise_to(&first[g].next[C_WR], to_wr);
            }
            continue;
        }
        for (int32_t g = 0; g < h->d.bankgroups; g++) {
            int same_bg = g == bg;
            int64_t to_rd = now + (wr ? (same_bg ? t->wr_to_rd_l : t->wr_to_rd_s)
                                      : (same_bg ? t->rd_to_rd_l : t->rd_to_rd_s));
            int64_t to_wr = now + (wr ? (same_bg ? t->wr_to_wr_l : t->wr_to_wr_s) : t->rd_to_wr);
            raise_to(&first[g].next[C_RD], to_rd);
            raise_to(&first[g].next[C_WR], to_wr);
        }
    }
    raise_to(&b->next[C_PRE], now + (wr ? t->wr_to_pre : t->rd_to_pre));
    b->hits++;
    b->walked = 0;

    /* Classify by what was issued on the request's behalf. */
    if (r.flags & F_PRE)
        h->st.row_conflicts++;
    else if (r.flags & F_ACT)
        h->st.row_misses++;
    else
        h->st.row_hits++;
    if (wr)
        h->st.wr++;
    else
        h->st.rd++;
    if (now - r.arrival >= h->age_cap) h->st.aged++;

    /* Its data occupies the bus for the last bl2 cycles before finish. */
    int64_t finish = now + (wr ? t->wr_lat : t->rd_lat);
    assert(finish - t->bl2 >= c->bus_free);          /* the rules above serialise the bus */
    c->bus_free = finish;
    h->st.busy_cycles += (uint64_t)t->bl2;
    assert(c->ring_len < h->ring_cap);
    int32_t slot = c->ring_head + c->ring_len;
    if (slot >= h->ring_cap) slot -= h->ring_cap;
    c->ring[slot].id = r.id;
    c->ring[slot].arrival = r.arrival;
    c->ring[slot].finish = finish;
    c->ring[slot].is_write = wr;
    c->ring_len++;

    bank_remove(h, c, s, prev);
    hook(h, c, wr ? PESIM_DRAM_WR : PESIM_DRAM_RD, rank, r.bank, r.row, r.column, r.id);
}

void dram_issue_ref(pesim_dram_sim *h, dram_channel *c, int32_t rank)
{
    int64_t now = h->now;
    dram_rank *rk = &c->ranks[rank];
    assert(rk->open_banks == 0);
    dram_group *first = &c->grp[rank * h->d.bankgroups];
    for (int32_t g = 0; g < h->d.bankgroups; g++) raise_to(&first[g].next[C_ACT], now + h->t.ref_to_act);
    raise_to(&rk->ref_ready, now + h->t.ref_to_act);
    /* The schedule stays on its grid: a late refresh does not shift the
     * next one (DRAMsim3 queues refreshes on a fixed period too). */
    rk->ref_due += h->t.ref_interval * h->d.ranks;
    h->st.ref++;
    hook(h, c, PESIM_DRAM_REF, rank, -1, -1, -1, UINT64_MAX);
}

/* ---- completions and statistics ------------------------------------------- */

static int hist_bucket(uint64_t v)
{
    if (v < PESIM_DRAM_HIST_EXACT) return (int)v;
    int e = 63 - __builtin_clzll(v);                 /* >= 10 */
    if (e >= 40) return PESIM_DRAM_HIST_BUCKETS - 1;
    int sub = (int)((v >> (e - 6)) & (PESIM_DRAM_HIST_SUB - 1));
    return PESIM_DRAM_HIST_EXACT + (e - 10) * PESIM_DRAM_HIST_SUB + sub;
}

/* The largest latency that falls in bucket i. */
static uint64_t hist_upper(int i)
{
    if (i < PESIM_DRAM_HIST_EXACT) return (uint64_t)i;
    if (i == PESIM_DRAM_HIST_BUCKETS - 1) return UINT64_MAX;
    int k = i - PESIM_DRAM_HIST_EXACT, e = 10 + k / PESIM_DRAM_HIST_SUB, sub = k % PESIM_DRAM_HIST_SUB;
    return ((uint64_t)(PESIM_DRAM_HIST_SUB + sub + 1) << (e - 6)) - 1;
}

void dram_complete(pesim_dram_sim *h)
{
    for (int32_t ci = 0; ci < h->d.channels; ci++) {
        dram_channel *c = &h->ch[ci];
        while (c->ring_len > 0 && c->ring[c->ring_head].finish <= h->now) {
            dram_flight f = c->ring[c->ring_head];
            if (++c->ring_head == h->ring_cap) c->ring_head = 0;
            c->ring_len--;
            h->outstanding--;
            pesim_dram_stats *s = &h->st;
            if ((uint64_t)f.finish > s->finish_cycle) s->finish_cycle = (uint64_t)f.finish;
            if (f.is_write) {
                s->writes++;
            } else {
                uint64_t lat = (uint64_t)(f.finish - f.arrival);
                if (s->reads == 0 || lat < s->read_latency_min_cycles) s->read_latency_min_cycles = lat;
                if (lat > s->read_latency_max_cycles) s->read_latency_max_cycles = lat;
                s->reads++;
                s->read_latency_sum_cycles += lat;
                s->read_latency_hist[hist_bucket(lat)]++;
            }
            if (h->opt.done) h->opt.done(h->opt.ctx, f.id, (uint64_t)f.finish);
        }
    }
}

void pesim_dram_sim_stats(const pesim_dram_sim *h, pesim_dram_stats *out)
{
    *out = h->st;
    out->cycle = (uint64_t)h->now;
    for (int32_t ci = 0; ci < h->d.channels; ci++)
        for (int32_t r = 0; r < h->d.ranks; r++) {
            const dram_rank *rk = &h->ch[ci].ranks[r];
            uint64_t pending = (uint64_t)(h->now - rk->bg_since);
            uint64_t act = rk->active_cycles + (rk->open_banks > 0 ? pending : 0);
            uint64_t pre = rk->precharged_cycles + (rk->open_banks > 0 ? 0 : pending);
            out->rank_active_cycles[r] += act;
            out->rank_precharged_cycles[r] += pre;
            out->active_cycles += act;
            out->precharged_cycles += pre;
        }
}

uint64_t pesim_dram_stats_read_latency_quantile(const pesim_dram_stats *s, double q)
{
    if (s->reads == 0) return 0;
    if (!(q > 0)) q = 0;
    if (q > 1) q = 1;
    /* Nearest rank: the ceil(q * n)-th smallest, at least the first. */
    uint64_t rank = (uint64_t)ceil(q * (double)s->reads);
    if (rank < 1) rank = 1;
    if (rank > s->reads) rank = s->reads;
    uint64_t seen = 0;
    for (int i = 0; i < PESIM_DRAM_HIST_BUCKETS; i++) {
        seen += s->read_latency_hist[i];
        if (seen >= rank) {
            uint64_t v = hist_upper(i);
            if (v > s->read_latency_max_cycles) v = s->read_latency_max_cycles;
            if (v < s->read_latency_min_cycles) v = s->read_latency_min_cycles;
            return v;
        }
    }
    return s->read_latency_max_cycles;
}

uint64_t pesim_dram_sim_now(const pesim_dram_sim *h) { return (uint64_t)h->now; }
uint64_t pesim_dram_sim_outstanding(const pesim_dram_sim *h) { return h->outstanding; }
const pesim_dram *pesim_dram_sim_timing(const pesim_dram_sim *h) { return &h->d; }
const pesim_dram_sim_options *pesim_dram_sim_get_options(const pesim_dram_sim *h) { return &h->opt; }
