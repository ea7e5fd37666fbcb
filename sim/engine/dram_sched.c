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
    return max64(r->ready, bank_next(c, b, *cmd));
}

/* Walks open bank b's queue once into its w_* fields (dram_impl.h). */
static void bank_walk(const pesim_dram_sim *h, const dram_channel *c, dram_bank *b)
{
    b->w_rd = b->w_rd_prev = b->w_wr = b->w_wr_prev = b->w_pre = b->w_pre_prev = -1;
    int32_t first_other = -1, first_other_prev = -1, prev = -1;
    for (int32_t s = b->head; s >= 0; prev = s, s = c->slot[s].next) {
        const dram_req *r = &c->slot[s];
        if (r->row != b->open_row) {
            if (first_other < 0) first_other = s, first_other_prev = prev;
            continue;
        }
        if (first_other >= 0 && b->hits >= h->hit_cap) continue;   /* as in bank_cands */
        if (r->is_write && b->w_wr < 0) b->w_wr = s, b->w_wr_prev = prev;
        if (!r->is_write && b->w_rd < 0) b->w_rd = s, b->w_rd_prev = prev;
        if (b->w_rd >= 0 && b->w_wr >= 0) break;
    }
    if (b->w_rd < 0 && b->w_wr < 0) b->w_pre = first_other, b->w_pre_prev = first_other_prev;
    b->walked = 1;
}

/* The commands of a scan that are not ready yet: the earliest cycle at which
 * a row hit (hit_t) and an ACT or PRE (other_t) becomes ready (NEVER: none),
 * and the oldest of those that become ready at that cycle. */
typedef struct soon {
    int64_t hit_t, other_t;
    cand hit, other;
} soon;

#define SOON_NONE {NEVER, NEVER, {-1, -1, 0, UINT64_MAX}, {-1, -1, 0, UINT64_MAX}}

/* Lowers (*t, *x) to command y ready at ty: the earliest, then the oldest. */
static void soon_add(int64_t *t, cand *x, int64_t ty, cand y)
{
    if (ty < *t || (ty == *t && y.seq < x->seq)) *t = ty, *x = y;
}

/* A hit candidate (slot s after prev) of bank b: taken if ready at now and
 * older than *hit (returns 1), else it goes to *sn. */
static int try_hit(const dram_channel *c, const dram_bank *b, int32_t s, int32_t prev, int64_t now, cand *hit,
                   soon *sn)
{
    const dram_req *r = &c->slot[s];
    int hc = r->is_write ? C_WR : C_RD;
    int64_t t = max64(r->ready, bank_next(c, b, hc));
    if (t <= now) {
        if (r->seq < hit->seq) *hit = (cand){s, prev, hc, r->seq};
        return 1;
    }
    soon_add(&sn->hit_t, &sn->hit, t, (cand){s, prev, hc, r->seq});
    return 0;
}

/* FR-FCFS candidates of bank b at now: the oldest ready row hit that the
 * rules allow (*hit, if want_hits) and the ready ACT/PRE (*other). Commands
 * not ready yet go to *sn, with the cycle they become ready.
 *
 * The queue is in age order and `ready` never decreases along it, while
 * every RD (WR) of the bank waits for the same bound (bank_next); so of the
 * allowed hits only the first read and the first write (bank_walk, kept in
 * the bank until its queue, row or hits change) can be the first to become
 * ready: the older of the two is tried first. */
static void bank_cands(const pesim_dram_sim *h, const dram_channel *c, dram_bank *b, int64_t now,
                       int want_hits, cand *hit, cand *other, soon *sn)
{
    int32_t target = b->head, tprev = -1;   /* closed: ACT for the oldest */
    int cmd = C_ACT;
    if (b->open_row >= 0) {
        if (!b->walked) bank_walk(h, c, b);
        int32_t x = b->w_rd, xp = b->w_rd_prev, y = b->w_wr, yp = b->w_wr_prev;
        if (x < 0 || (y >= 0 && c->slot[y].seq < c->slot[x].seq)) {
            int32_t t = x, tp = xp;
            x = y, xp = yp, y = t, yp = tp;
        }
        if (x >= 0) {   /* an allowed hit holds the PRE; the bank is open: no ACT */
            if (want_hits && !try_hit(c, b, x, xp, now, hit, sn) && y >= 0) try_hit(c, b, y, yp, now, hit, sn);
            return;
        }
        if (b->w_pre < 0) return;
        target = b->w_pre, tprev = b->w_pre_prev, cmd = C_PRE;
    }
    const dram_req *r = &c->slot[target];
    int64_t t = max64(r->ready, bank_next(c, b, cmd));
    if (t > now)
        soon_add(&sn->other_t, &sn->other, t, (cand){target, tprev, cmd, r->seq});
    else if (r->seq < other->seq)
        *other = (cand){target, tprev, cmd, r->seq};
}

/* Records the outcome of a scan in the memo (without a prediction). */
static void memo(dram_channel *c, int64_t now, int cmd, int64_t val, int32_t slot, int32_t prev)
{
    c->memo_at = now, c->memo_cmd = cmd, c->memo_val = val, c->memo_slot = slot, c->memo_prev = prev;
    c->pred_cmd = M_NONE;
}

/* Decides channel c at cycle now, changing nothing but its memo: the command
 * the rules pick if one is ready at now, else M_NONE with the earliest cycle
 * > now at which an eligible command (or a refresh due date, or the age cap)
 * comes, NEVER if none. */
static void decide(pesim_dram_sim *h, dram_channel *c, int64_t now)
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
                memo(c, now, M_REF, r, -1, -1);
                return;
            }
            best = min64(best, rk->ref_ready);
            continue;
        }
        for (int32_t i = r * h->bpr; i < (r + 1) * h->bpr; i++) {
            if (c->banks[i].open_row < 0) continue;
            int64_t t = c->banks[i].next[C_PRE];   /* no group bound */
            if (t <= now) {
                memo(c, now, M_RPRE, i, -1, -1);
                return;
            }
            best = min64(best, t);
        }
    }
    c->memo_aged = NEVER;   /* no queued request */
    if (c->n_active == 0) {
        memo(c, now, M_NONE, best, -1, -1);
        return;
    }

    /* One pass over the banks with queued requests: the FR-FCFS candidates
     * and the channel's oldest request (the oldest bank-queue head: a
     * request waits in the transaction queue only behind older ones of its
     * bank). FCFS, or the oldest request at the age cap, decide afterwards
     * (rarely: the pass's candidates are then dropped). */
    cand hit = {-1, -1, 0, UINT64_MAX}, other = {-1, -1, 0, UINT64_MAX};
    soon sn = SOON_NONE;
    int32_t oldest = -1;
    int frfcfs = h->opt.sched == PESIM_DRAM_FRFCFS;
    for (int32_t i = 0; i < c->n_active; i++) {
        dram_bank *b = &c->banks[c->active[i]];
        if (oldest < 0 || c->slot[b->head].seq < c->slot[oldest].seq) oldest = b->head;
        if (frfcfs && !(refreshing >> b->rank & 1))
            bank_cands(h, c, b, now, 1, &hit, &other, &sn);
    }
    const dram_req *o = &c->slot[oldest];
    int aged = h->age_cap != NEVER && now - o->arrival >= h->age_cap;
    if (h->age_cap != NEVER) c->memo_aged = o->arrival + h->age_cap;
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
            soon sa = SOON_NONE;
            for (int32_t i = 0; i < c->n_active; i++) {
                int32_t bank = c->active[i];
                dram_bank *b = &c->banks[bank];
                if (refreshing >> b->rank & 1) continue;
                cand ob = {-1, -1, 0, UINT64_MAX};
                bank_cands(h, c, b, now, cas_ok && !(ocmd == C_PRE && bank == o->bank), &hit, &ob, &sa);
                if (ob.slot >= 0 && !(ocmd == C_ACT && ob.cmd == C_ACT && b->rank == o->rank) && ob.seq < other.seq)
                    other = ob;
            }
            best = min64(best, min64(sa.hit_t, sa.other_t));
        }
        const cand *x = hit.slot >= 0 ? &hit : other.slot >= 0 ? &other : NULL;
        if (x)
            memo(c, now, x->cmd, 0, x->slot, x->prev);
        else
            memo(c, now, M_NONE, best, -1, -1);
        return;
    }
    if (hit.slot >= 0 || other.slot >= 0) {
        const cand *x = hit.slot >= 0 ? &hit : &other;
        memo(c, now, x->cmd, 0, x->slot, x->prev);
        return;
    }
    /* Nothing ready: the next event is the earliest of the refresh times
     * (best so far), the age cap and the queue's commands. When it is a queue
     * command alone, the decision at that cycle is known now: the channel
     * changes before it only by a command, which clears the memo, or an add,
     * which clears the prediction when the new request could change it
     * (dram_sched_added); so the commands ready then are those that become
     * ready exactly then (none is ready now), in the same eligibility (no
     * rank comes due, the oldest request does not reach the age cap), and
     * the rules pick the oldest hit among them, else the oldest ACT or PRE. */
    if (h->age_cap != NEVER) best = min64(best, o->arrival + h->age_cap);
    int64_t best_q = min64(sn.hit_t, sn.other_t);
    memo(c, now, M_NONE, min64(best, best_q), -1, -1);
    if (best_q < best) {
        const cand *x = sn.hit_t == best_q ? &sn.hit : &sn.other;
        c->pred_cmd = x->cmd, c->pred_slot = x->slot, c->pred_prev = x->prev;
    }
}

/* Scans channel c at cycle now (decide(), or its memo while that holds).
 * With issue set: issues the command the rules pick if one is ready at now,
 * sets *issued and returns now + 1; otherwise returns the earliest cycle >
 * now at which an eligible command (or a refresh due date, or the age cap)
 * comes, NEVER if none. With issue clear: changes nothing but the memo and
 * returns the earliest cycle >= now at which something can be issued.
 *
 * A memo of M_NONE made at an earlier cycle still holds before memo_val:
 * every condition of decide() that time alone can make true (a command
 * becoming ready, a refresh coming due, the oldest request reaching the age
 * cap) is in that minimum, which is what the model's next-event hint relies
 * on too. At memo_val itself its prediction (pred_cmd), if decide() made one,
 * is the decision. */
static int64_t scan(pesim_dram_sim *h, dram_channel *c, int64_t now, int issue_now, int *issued)
{
    if (c->memo_at != now) {
        int held = c->memo_at >= 0 && c->memo_cmd == M_NONE;   /* "nothing ready" at memo_at, up to memo_val */
        if (held && now == c->memo_val && c->pred_cmd != M_NONE)
            memo(c, now, c->pred_cmd, 0, c->pred_slot, c->pred_prev);   /* predicted by that scan */
        else if (!(held && now < c->memo_val))
            decide(h, c, now);
    }
    if (c->memo_cmd == M_NONE) return c->memo_val;
    if (!issue_now) return now;
    int cmd = c->memo_cmd;
    int32_t v = (int32_t)c->memo_val;
    c->memo_at = -1;   /* the command changes the channel */
    if (cmd == M_REF) {
        dram_issue_ref(h, c, v);
    } else if (cmd == M_RPRE) {
        dram_issue_pre(h, c, v, NULL);
    } else {
        cand x = {c->memo_slot, c->memo_prev, cmd, 0};
        issue(h, c, &x);
    }
    *issued = 1;
    /* The channel after the command, as the tick of now + 1 will find it
     * (only an add or a command changes it; completions do not). */
    return scan(h, c, now + 1, 0, NULL);
}

void dram_sched_added(pesim_dram_sim *h, dram_channel *c, int32_t s, int queued)
{
    int64_t now = h->now;
    if (c->memo_at == now && c->memo_cmd != M_NONE) {
        /* A command ready now: the request, not ready before now + 1 and the
         * youngest, changes the rules' pick only by holding back a PRE of its
         * bank (an allowed hit). The hint, if valid, is now. */
        if (queued && c->memo_cmd == C_PRE && c->slot[c->memo_slot].bank == c->slot[s].bank) {
            c->memo_at = -1;
            h->hint_at = -1;
        }
        return;
    }
    if (!(c->memo_at >= 0 && c->memo_cmd == M_NONE && now < c->memo_val)) {
        c->memo_at = -1;   /* a ready command may be held back now: scan again */
        h->hint_at = -1;
        return;
    }
    /* The scan found nothing ready up to memo_val; it still holds, from now.
     * A request in the transaction queue is seen by no scan until a CAS of
     * its bank (a command) makes room. One in its bank queue, being the
     * youngest, can make no other command ready sooner: it can only hold a
     * PRE of its bank back (an allowed hit), become its bank's ACT, PRE or
     * hit candidate, no earlier than its own next command is ready (the
     * bank's bounds change only by a command), and be the channel's oldest
     * request, whose age cap then comes at arrival + age_cap. */
    c->memo_at = now;
    if (!queued) return;
    const dram_req *r = &c->slot[s];
    int cmd;
    int64_t t = next_cmd(c, r, &cmd);   /* >= now + 1 */
    if (h->age_cap != NEVER && c->memo_aged == NEVER) {   /* the channel's oldest request */
        c->memo_aged = r->arrival + h->age_cap;
        if (c->memo_aged < c->memo_val) c->memo_val = c->memo_aged, c->pred_cmd = M_NONE;
    }
    int hit = cmd == C_RD || cmd == C_WR;
    if (t < c->memo_val) {
        /* Before memo_val only its command can become ready. When it is
         * alone in its bank queue, that command is its bank's candidate; it
         * is then the decision at t unless its rank is due for refresh (due
         * now: a due date before memo_val is in memo_val), the channel's
         * oldest request reaches the age cap by t (FR-FCFS) or it is not the
         * oldest request (FCFS). */
        int alone = c->banks[r->bank].len == 1 && now < c->ranks[r->rank].ref_due &&
                    (h->opt.sched == PESIM_DRAM_FRFCFS ? t < c->memo_aged : c->n_active == 1);
        c->memo_val = t;
        c->pred_cmd = M_NONE;
        if (alone) c->pred_cmd = cmd, c->pred_slot = s, c->pred_prev = -1;
    } else if (c->pred_cmd != M_NONE) {
        /* At memo_val an older candidate of the same kind beats it (a hit
         * beats an ACT or PRE); it may hold back a PRE of its bank. */
        int pred_hit = c->pred_cmd == C_RD || c->pred_cmd == C_WR;
        if ((t == c->memo_val && hit && !pred_hit) ||
            (c->pred_cmd == C_PRE && c->slot[c->pred_slot].bank == r->bank))
            c->pred_cmd = M_NONE;
    }
    /* The hint is the minimum over the channels' scans and completions. */
    if (h->hint_at == now) h->hint_val = min64(h->hint_val, c->memo_val);
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
    /* Every channel's scan now holds at now + 1 (one that issued was scanned
     * again after its command): their minimum is the next event. */
    h->now = now + 1;
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
