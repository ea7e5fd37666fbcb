/* engine/dram_sched.c - the per-channel scheduler, tick, next_event and
 * advance_to of the DRAM model (docs/dram.md).
 *
 * One function, scan(), decides both what a tick issues and when the next
 * command can become ready, from the same eligibility rules; this is what
 * makes the event-driven path exact: a cycle it skips is one in which scan()
 * would have found nothing ready, and nothing else (completion, refresh due
 * date) happens in it.
 *
 * Priorities in a channel, each cycle (one command at most):
 *   1. refresh: for every rank whose refresh is due (now >= ref_due), in rank
 *      order: REF when all its banks are closed and REF is ready, else a PRE of
 *      one of its open banks that is ready. While due, a rank takes no ACT, RD
 *      or WR from the queue.
 *   2. the queue. FCFS: only the oldest request, its next command. FR-FCFS:
 *      (a) the oldest request that hits an open row and whose RD/WR is ready,
 *      unless its bank has served row_hit_cap CAS since its ACT while an older
 *      request waits for another row of that bank; (b) else the oldest request
 *      whose next command (ACT to a closed bank, PRE of another row) is ready,
 *      where a PRE is held back while a queued request still hits the open row
 *      (unless the cap is reached). Both come from one pass over the queue:
 *      the per-bank count of queued hits (q_hits) is kept up to date by add,
 *      ACT, PRE and CAS, so the pass needs no look-ahead. */
#include "engine/dram_impl.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Next command of request r and the earliest cycle it may issue. */
static int64_t next_cmd(const dram_channel *c, const dram_req *r, int *cmd)
{
    const dram_bank *b = &c->banks[r->bank];
    if (b->open_row == r->row) {
        *cmd = r->is_write ? C_WR : C_RD;
    } else if (b->open_row < 0) {
        *cmd = C_ACT;
    } else {
        *cmd = C_PRE;
    }
    return b->next[*cmd];
}

static void issue_for(pesim_dram_sim *h, dram_channel *c, int32_t qi, int cmd)
{
    dram_req *r = &c->q[qi];
    if (cmd == C_ACT)
        dram_issue_act(h, c, r->bank, r);
    else if (cmd == C_PRE)
        dram_issue_pre(h, c, r->bank, r);
    else
        dram_issue_cas(h, c, qi);
}

/* A fresh epoch for the bank marks; on wrap-around the marks are cleared so
 * that a stale mark can never equal the new epoch. */
static uint32_t new_epoch(pesim_dram_sim *h, dram_channel *c)
{
    if (++c->epoch == 0) {
        for (int32_t i = 0; i < h->nbanks; i++) c->banks[i].conflict_mark = 0;
        c->epoch = 1;
    }
    return c->epoch;
}

/* Scans channel c at cycle now. With issue set: issues the command the rules
 * pick if one is ready at now, sets *issued and returns now + 1; otherwise
 * returns the earliest cycle > now at which an eligible command (or a refresh
 * due date) comes, NEVER if none. With issue clear: changes nothing but the
 * bank marks and returns the earliest cycle >= now at which something can be
 * issued. */
static int64_t scan(pesim_dram_sim *h, dram_channel *c, int64_t now, int issue, int *issued)
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
                if (!issue) return now;
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
                if (!issue) return now;
                dram_issue_pre(h, c, i, NULL);
                *issued = 1;
                return now + 1;
            }
            best = min64(best, t);
        }
    }
    if (c->q_len == 0) return best;

    if (h->opt.sched == PESIM_DRAM_FCFS) {
        dram_req *r = &c->q[0];
        if (refreshing >> r->rank & 1) return best;
        int cmd;
        int64_t t = next_cmd(c, r, &cmd);
        if (t <= now) {
            if (!issue) return now;
            issue_for(h, c, 0, cmd);
            *issued = 1;
            return now + 1;
        }
        return min64(best, t);
    }

    /* FR-FCFS, one pass oldest first. conflict_mark notes the banks for
     * which an older request wants another row (for the hit cap). */
    uint32_t ep = new_epoch(h, c);
    int32_t other = -1;       /* the oldest request with a ready ACT/PRE */
    int other_cmd = C_ACT;
    for (int32_t i = 0; i < c->q_len; i++) {
        dram_req *r = &c->q[i];
        if (refreshing >> r->rank & 1) continue;
        dram_bank *b = &c->banks[r->bank];
        int cmd;
        if (b->open_row == r->row) {
            if (b->hits >= h->hit_cap && b->conflict_mark == ep) continue;   /* capped: let the miss go */
            int64_t t = b->next[r->is_write ? C_WR : C_RD];
            if (t <= now) {               /* the oldest ready hit: it goes first */
                if (!issue) return now;
                dram_issue_cas(h, c, i);
                *issued = 1;
                return now + 1;
            }
            best = min64(best, t);
            continue;
        }
        if (b->open_row < 0) {
            cmd = C_ACT;
        } else {
            b->conflict_mark = ep;
            if (b->q_hits > 0 && b->hits < h->hit_cap) continue;   /* keep the row for its hits */
            cmd = C_PRE;
        }
        int64_t t = b->next[cmd];
        if (t <= now) {
            if (!issue) return now;
            if (other < 0) {
                other = i;
                other_cmd = cmd;
            }
        } else {
            best = min64(best, t);
        }
    }
    if (other >= 0) {
        issue_for(h, c, other, other_cmd);
        *issued = 1;
        return now + 1;
    }
    return best;
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
