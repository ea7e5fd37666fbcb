/* engine/dram_sched.c - the per-channel scheduler, tick, next_event and
 * advance_to of the DRAM model (docs/dram.md).
 *
 * One function, scan(), decides both what a tick issues and when the next
 * command can become ready, from the same eligibility rules; this is what
 * makes the event-driven path exact: a cycle it skips is one in which scan()
 * would have found nothing ready, and nothing else (completion, refresh due
 * date, a request reaching the age cap) happens in it.
 *
 * Priorities in a channel, each cycle (one command at most):
 *   1. refresh: for every rank whose refresh is due (now >= ref_due), in rank
 *      order: REF when all its banks are closed and REF is ready, else a PRE of
 *      one of its open banks that is ready. While due, a rank takes no ACT, RD
 *      or WR from the queues.
 *   2. the bank queues (each bank's oldest bank_queue_depth requests; a
 *      request is eligible from its `ready` cycle on). FCFS: only the
 *      channel's oldest request, its next command. FR-FCFS:
 *      (0) when the channel's oldest request has waited age_cap cycles: its
 *          next command when ready, else only commands that cannot delay
 *          that command (see scan), by the rules below;
 *      (a) else the oldest ready row hit: a request for its bank's open row
 *          whose RD/WR is ready, unless it is younger than a request for
 *          another row of its bank while the bank has served row_hit_cap CAS
 *          since its ACT;
 *      (b) else the oldest request whose ACT (its bank closed: the oldest of
 *          the bank) or PRE (the oldest request for another row, once no
 *          request that (a) allows remains for the open row) is ready. */
#include "engine/dram_impl.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* A command that could be issued for a request. */
typedef struct cand {
    int32_t slot, prev;     /* the request and its predecessor in the bank queue (-1: head) */
    int cmd;                /* C_ACT, C_PRE, C_RD, C_WR */
    uint64_t seq;           /* the request's age: lower is older */
} cand;

static void issue(pesim_dram_sim *h, dram_channel *c, const cand *x)
{
    dram_req *r = &c->slot[x->slot];
    if (x->cmd == C_ACT)
        dram_issue_act(h, c, r->bank, r);
    else if (x->cmd == C_PRE)
        dram_issue_pre(h, c, r->bank, r);
    else
        dram_issue_cas(h, c, x->slot, x->prev);
}

/* Next command of request r (whatever the pending hits) and its time. */
static int64_t next_cmd(const dram_channel *c, const dram_req *r, int *cmd)
{
    const dram_bank *b = &c->banks[r->bank];
    if (b->open_row == r->row)
        *cmd = r->is_write ? C_WR : C_RD;
    else if (b->open_row < 0)
        *cmd = C_ACT;
    else
        *cmd = C_PRE;
    return max64(r->ready, b->next[*cmd]);
}

/* FR-FCFS candidates of bank b at now: the oldest ready row hit that the
 * rules allow (*hit, if want_hits) and the ready ACT/PRE (*other). Commands
 * not ready yet lower *best to the cycle they become ready.
 *
 * The queue is in age order and `ready` never decreases along it, while
 * every RD (WR) of the bank waits for the same next[RD] (next[WR]); so of the
 * allowed hits only the first read and the first write can be the first to
 * become ready, and the walk stops once both are known. */
static void bank_cands(const pesim_dram_sim *h, const dram_channel *c, const dram_bank *b, int64_t now,
                       int want_hits, cand *hit, cand *other, int64_t *best)
{
    int64_t open = b->open_row;
    int32_t target = -1, tprev = -1;
    int cmd = C_ACT;
    if (open < 0) {
        target = b->head;   /* closed: ACT for the oldest */
    } else {
        int32_t first_other = -1, first_other_prev = -1, n_allowed = 0, prev = -1;
        int32_t rd_left = b->len - b->n_wr, wr_left = b->n_wr;
        int have_rd = 0, have_wr = 0;
        for (int32_t s = b->head; s >= 0; prev = s, s = c->slot[s].next) {
            const dram_req *r = &c->slot[s];
            if (r->is_write)
                wr_left--;
            else
                rd_left--;
            if (r->row != open) {
                if (first_other < 0) first_other = s, first_other_prev = prev;
                continue;
            }
            /* A hit: allowed if older than every request for another row,
             * or the bank is under its hit cap. */
            if (first_other >= 0 && b->hits >= h->hit_cap) continue;
            n_allowed++;
            if (!want_hits) return;   /* an allowed hit holds the PRE; the bank is open: no ACT */
            int *have = r->is_write ? &have_wr : &have_rd;
            if (!*have) {
                *have = 1;
                int hc = r->is_write ? C_WR : C_RD;
                int64_t t = max64(r->ready, b->next[hc]);
                if (t <= now) {
                    /* The bank's oldest ready hit. Nothing else of the bank
                     * can go (its PRE is held), and with a command ready now
                     * the next-event times do not matter. */
                    if (r->seq < hit->seq) *hit = (cand){s, prev, hc, r->seq};
                    return;
                }
                *best = min64(*best, t);
            }
            if ((have_rd || rd_left == 0) && (have_wr || wr_left == 0)) return;   /* no PRE: n_allowed > 0 */
        }
        if (first_other < 0 || n_allowed > 0) return;
        target = first_other, tprev = first_other_prev, cmd = C_PRE;
    }
    const dram_req *r = &c->slot[target];
    int64_t t = max64(r->ready, b->next[cmd]);
    if (t > now)
        *best = min64(*best, t);
    else if (r->seq < other->seq)
        *other = (cand){target, tprev, cmd, r->seq};
}

/* Scans channel c at cycle now. With issue set: issues the command the rules
 * pick if one is ready at now, sets *issued and returns now + 1; otherwise
 * returns the earliest cycle > now at which an eligible command (or a refresh
 * due date, or the age cap) comes, NEVER if none. With issue clear: changes
 * nothing and returns the earliest cycle >= now at which something can be
 * issued. */
static int64_t scan(pesim_dram_sim *h, dram_channel *c, int64_t now, int issue_now, int *issued)
{
    int64_t best = NEVER;
    uint64_t refreshing = 0;   /* bit r: rank r is due for refresh */

    for (int32_t r = 0; r < h->d.ranks; r++) {
        dram_rank *rk = &c->ranks[r];
        if (now < rk->ref_due) {
            best = min64(best, rk->ref_due);
            continue;
        }
        refreshing |= (uint64_t)1 << r;
        if (rk->open_banks == 0) {
            if (rk->ref_ready <= now) {
                if (!issue_now) return now;
                dram_issue_ref(h, c, r);
                *issued = 1;
                return now + 1;
            }
            best = min64(best, rk->ref_ready);
            continue;
        }
        for (int32_t i = r * h->bpr; i < (r + 1) * h->bpr; i++) {
            if (c->banks[i].open_row < 0) continue;
            int64_t t = c->banks[i].next[C_PRE];
            if (t <= now) {
                if (!issue_now) return now;
                dram_issue_pre(h, c, i, NULL);
                *issued = 1;
                return now + 1;
            }
            best = min64(best, t);
        }
    }
    if (c->n_active == 0) return best;

    /* One pass over the banks with queued requests: the FR-FCFS candidates
     * and the channel's oldest request (the oldest bank-queue head: a
     * request waits in the transaction queue only behind older ones of its
     * bank). FCFS, or the oldest request at the age cap, decide afterwards
     * (rarely: the pass's candidates are then dropped). */
    cand hit = {-1, -1, 0, UINT64_MAX}, other = {-1, -1, 0, UINT64_MAX};
    int64_t best_q = NEVER;
    int32_t oldest = -1;
    int frfcfs = h->opt.sched == PESIM_DRAM_FRFCFS;
    for (int32_t i = 0; i < c->n_active; i++) {
        const dram_bank *b = &c->banks[c->active[i]];
        if (oldest < 0 || c->slot[b->head].seq < c->slot[oldest].seq) oldest = b->head;
        if (frfcfs && !(refreshing >> b->rank & 1))
            bank_cands(h, c, b, now, 1, &hit, &other, &best_q);
    }
    const dram_req *o = &c->slot[oldest];
    int aged = h->age_cap != NEVER && now - o->arrival >= h->age_cap;
    if (!frfcfs || aged) {
        /* The oldest request's next command first. A refreshing rank has
         * all its banks closed when it is done: its next command is then an
         * ACT. */
        hit = other = (cand){-1, -1, 0, UINT64_MAX};
        int ocmd = C_ACT;
        if (!(refreshing >> o->rank & 1)) {
            int64_t t = next_cmd(c, o, &ocmd);
            if (t <= now)
                hit = (cand){oldest, -1, ocmd, o->seq};   /* it is its bank's head */
            else
                best = min64(best, t);
        }
        if (aged && hit.slot < 0) {
            /* Meanwhile, only commands that cannot delay its next one: for
             * an ACT, no ACT on its rank (tRRD, tFAW); for a PRE, no CAS to
             * its bank (tRTP, tWR); for a CAS, no CAS at all (the data bus,
             * tCCD, turnarounds). */
            int cas_ok = ocmd == C_ACT || ocmd == C_PRE;
            for (int32_t i = 0; i < c->n_active; i++) {
                int32_t bank = c->active[i];
                const dram_bank *b = &c->banks[bank];
                if (refreshing >> b->rank & 1) continue;
                cand ob = {-1, -1, 0, UINT64_MAX};
                bank_cands(h, c, b, now, cas_ok && !(ocmd == C_PRE && bank == o->bank), &hit, &ob, &best);
                if (ob.slot >= 0 && !(ocmd == C_ACT && ob.cmd == C_ACT && b->rank == o->rank) && ob.seq < other.seq)
                    other = ob;
            }
        }
    } else {
        best = min64(best, best_q);
        if (h->age_cap != NEVER) best = min64(best, o->arrival + h->age_cap);
    }
    const cand *x = hit.slot >= 0 ? &hit : other.slot >= 0 ? &other : NULL;
    if (!x) return best;
    if (!issue_now) return now;
    issue(h, c, x);
    *issued = 1;
    return now + 1;
}

int64_t dram_step(pesim_dram_sim *h)
{
    int64_t now = h->now;
    dram_complete(h);   /* callbacks may add requests: they are scanned below */
    int64_t next = NEVER;
    int issued = 0;
    for (int32_t ci = 0; ci < h->d.channels; ci++) {
        dram_channel *c = &h->ch[ci];
        next = min64(next, scan(h, c, now, 1, &issued));
        if (c->ring_len > 0) next = min64(next, c->ring[c->ring_head].finish);
    }
    h->now = now + 1;
    if (issued) {
        h->hint_at = -1;
        return now + 1;
    }
    /* Nothing changed but the clock: the scan's minimum is the next event. */
    h->hint_at = now + 1;
    h->hint_val = next;
    return next;
}

void pesim_dram_sim_tick(pesim_dram_sim *h) { (void)dram_step(h); }

uint64_t pesim_dram_sim_next_event(pesim_dram_sim *h)
{
    int64_t now = h->now, best = NEVER;
    if (h->hint_at == now) {
        best = h->hint_val;
    } else {
        for (int32_t ci = 0; ci < h->d.channels && best > now; ci++) {
            dram_channel *c = &h->ch[ci];
            if (c->ring_len > 0) best = min64(best, c->ring[c->ring_head].finish);
            best = min64(best, scan(h, c, now, 0, NULL));
        }
        h->hint_at = now;
        h->hint_val = best;
    }
    if (best == NEVER) return UINT64_MAX;
    return (uint64_t)(best > now ? best : now);
}

void pesim_dram_sim_advance_to(pesim_dram_sim *h, uint64_t cycle)
{
    int64_t target = cycle > (uint64_t)NEVER ? NEVER : (int64_t)cycle;
    while (h->now < target) {
        if (h->hint_at == h->now && h->hint_val > h->now) {
            /* Nothing can happen before hint_val: jump (exactly like ticking). */
            h->now = min64(h->hint_val, target);
            h->hint_at = h->now;
        } else {
            (void)dram_step(h);
        }
    }
}
