/* banks.c - bank conflicts between a level's read and write streams (banks.h). */
#include "engine/banks.h"

#include <math.h>
#include <stdint.h>

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b, b = t;
    }
    return a;
}

static int32_t clamp_width(int32_t w, int32_t banks) { return w < 1 ? 1 : w > banks ? banks : w; }

/* Groups of width n repeat in the ring of B banks every B / gcd(B, n). */
static int64_t group_period(int32_t banks, int32_t n) { return banks / gcd64(banks, n); }

/* First bank of group g (g taken modulo its period p). */
static int64_t group_bank(int64_t g, int64_t p, int32_t n, int32_t banks) { return (g % p) * n % banks; }

/* Two intervals of the ring of B banks, [a, a + na) and [b, b + nb), share a bank. */
static int ring_overlap(int64_t a, int32_t na, int64_t b, int32_t nb, int32_t banks)
{
    return (b - a + banks) % banks < na || (a - b + banks) % banks < nb;
}

int32_t pesim_banks_width_lines(double words_per_cycle, int32_t line_words, int32_t banks)
{
    double n = ceil(words_per_cycle / (line_words > 1 ? line_words : 1) - 1e-9);
    if (!(n >= 1)) return 1;
    return n > banks ? banks : (int32_t)n;
}

int pesim_banks_conflict(int32_t banks, const pesim_bank_stream *s, int64_t k, const pesim_bank_stream *o,
                         int64_t j)
{
    if (banks < 2) return 0;
    int32_t ns = clamp_width(s->width_lines, banks), no = clamp_width(o->width_lines, banks);
    int64_t ps = group_period(banks, ns), po = group_period(banks, no);
    return ring_overlap(group_bank(s->first_group % ps + k % ps, ps, ns, banks), ns,
                        group_bank(o->first_group % po + j % po, po, no, banks), no, banks);
}

/* The joint state while both streams are active: the groups modulo their
 * periods, the cycle and the younger's accesses done. */
typedef struct joint {
    int64_t xo, xy;         /* group index of the older's current access / the younger's pending one, mod period */
    int64_t t, j, lost;
} joint;

typedef struct ctx {
    int32_t banks, no, ny;
    int64_t po, py;
} ctx;

/* One cycle: the younger makes its access unless it conflicts. */
static void step(const ctx *c, joint *s)
{
    if (ring_overlap(s->xo * c->no % c->banks, c->no, s->xy * c->ny % c->banks, c->ny, c->banks)) {
        s->lost++;
    } else {
        s->j++;
        s->xy = (s->xy + 1) % c->py;
    }
    s->xo = (s->xo + 1) % c->po;
    s->t++;
}

int64_t pesim_banks_younger_end(int32_t banks, const pesim_bank_stream *o, int64_t end_o, const pesim_bank_stream *y,
                                int64_t y_start, int64_t *lost_cycles)
{
    int64_t ay = y->accesses > 0 ? y->accesses : 0, lost = 0;
    if (lost_cycles) *lost_cycles = 0;
    if (banks < 2 || ay == 0 || o->accesses <= 0 || end_o <= y_start) return y_start + ay;
    int64_t o_first = end_o - o->accesses, t = y_start, j = 0;
    if (t < o_first) { /* the older one has not started: free accesses */
        int64_t free = o_first - t < ay ? o_first - t : ay;
        t += free, j += free;
        if (j == ay) return t;
    }
    ctx c = {banks, clamp_width(o->width_lines, banks), clamp_width(y->width_lines, banks), 0, 0};
    if (c.no + c.ny > banks) { /* every access of the older one takes a bank the younger needs */
        lost = end_o - t;
        if (lost_cycles) *lost_cycles = lost;
        return end_o + (ay - j);
    }
    c.po = group_period(banks, c.no), c.py = group_period(banks, c.ny);
    joint s = {(o->first_group % c.po + (t - o_first) % c.po) % c.po, (y->first_group % c.py + j % c.py) % c.py, t,
               j, 0};
    /* Brent's cycle detection on the joint state, stepping the real run */
    joint tort = s;
    int64_t power = 1, lam = 0;
    int found = 0;
    while (s.j < ay && s.t < end_o) {
        step(&c, &s);
        lam++;
        if (s.xo == tort.xo && s.xy == tort.xy) {
            found = 1;
            break;
        }
        if (lam == power) tort = s, power *= 2, lam = 0;
    }
    if (found && s.j < ay && s.t < end_o) {
        int64_t dt = s.t - tort.t, dj = s.j - tort.j;
        if (dj == 0) { /* locked out for the rest of the older one's life */
            s.lost += end_o - s.t, s.t = end_o;
        } else {
            int64_t m = (end_o - s.t) / dt, mj = (ay - s.j - 1) / dj;
            if (mj < m) m = mj;
            s.t += m * dt, s.j += m * dj, s.lost += m * (dt - dj); /* the state is back where it was */
        }
    }
    while (s.j < ay && s.t < end_o) step(&c, &s);
    if (lost_cycles) *lost_cycles = s.lost;
    return s.t + (ay - s.j);
}

/* The pair's joint state while both streams are active: each one's group
 * index modulo its period, the side that goes on the next conflict, the
 * cycle, accesses done and cycles lost per side (0 reads, 1 updates). */
typedef struct pair_state {
    int64_t x[2];
    int tok;
    int64_t t, j[2], lost[2];
} pair_state;

typedef struct pair_ctx {
    int32_t banks, n[2];
    int64_t p[2];
} pair_ctx;

/* One cycle of round robin: on a conflict the side holding the token goes
 * and the token passes to the other; otherwise both go. */
static void pair_step(const pair_ctx *c, pair_state *s)
{
    int meet = ring_overlap(s->x[0] * c->n[0] % c->banks, c->n[0], s->x[1] * c->n[1] % c->banks, c->n[1], c->banks);
    for (int i = 0; i < 2; i++) {
        if (meet && i != s->tok) {
            s->lost[i]++;
            continue;
        }
        s->j[i]++;
        s->x[i] = (s->x[i] + 1) % c->p[i];
    }
    if (meet) s->tok = !s->tok;
    s->t++;
}

static int pair_same(const pair_state *a, const pair_state *b)
{
    return a->x[0] == b->x[0] && a->x[1] == b->x[1] && a->tok == b->tok;
}

/* Both streams active at s: neither has made its last access. */
static int pair_active(const pair_state *s, const int64_t acc[2]) { return s->j[0] < acc[0] && s->j[1] < acc[1]; }

void pesim_banks_pair(int32_t banks, pesim_arbitration policy, const pesim_bank_stream *reads,
                      const pesim_bank_stream *updates, int64_t start, int64_t end[2], int64_t lost[2])
{
    const pesim_bank_stream *s[2] = {reads, updates};
    int64_t acc[2] = {reads->accesses > 0 ? reads->accesses : 0, updates->accesses > 0 ? updates->accesses : 0};
    if (policy != PESIM_ARB_ROUND_ROBIN || banks < 2 || !acc[0] || !acc[1]) { /* a fixed priority */
        int w = policy == PESIM_ARB_UPDATES_FIRST; /* the side that goes */
        end[w] = start + acc[w], lost[w] = 0;
        end[!w] = pesim_banks_younger_end(banks, s[w], end[w], s[!w], start, &lost[!w]);
        return;
    }
    pair_ctx c = {banks, {clamp_width(reads->width_lines, banks), clamp_width(updates->width_lines, banks)}, {0, 0}};
    pair_state st = {{0, 0}, 0, start, {0, 0}, {0, 0}};
    for (int i = 0; i < 2; i++) c.p[i] = group_period(banks, c.n[i]), st.x[i] = s[i]->first_group % c.p[i];
    /* Brent's cycle detection on the joint state, stepping the real run */
    pair_state tort = st;
    int64_t power = 1, lam = 0;
    int found = 0;
    while (pair_active(&st, acc)) {
        pair_step(&c, &st);
        lam++;
        if (pair_same(&st, &tort)) {
            found = 1;
            break;
        }
        if (lam == power) tort = st, power *= 2, lam = 0;
    }
    if (found && pair_active(&st, acc)) { /* jump whole periods while both stay active */
        int64_t dt = st.t - tort.t, m = INT64_MAX;
        for (int i = 0; i < 2; i++) {
            int64_t dj = st.j[i] - tort.j[i];
            if (dj > 0 && (acc[i] - st.j[i] - 1) / dj < m) m = (acc[i] - st.j[i] - 1) / dj;
        }
        if (m == INT64_MAX) m = 0; /* not reached: a period returns the token, so each side wins in it */
        for (int i = 0; i < 2; i++) st.j[i] += m * (st.j[i] - tort.j[i]), st.lost[i] += m * (st.lost[i] - tort.lost[i]);
        st.t += m * dt;
    }
    while (pair_active(&st, acc)) pair_step(&c, &st);
    for (int i = 0; i < 2; i++) lost[i] = st.lost[i];
    /* the one that finished ended on st.t; the other makes its accesses left freely */
    for (int i = 0; i < 2; i++) end[i] = st.t + (acc[i] - st.j[i]);
}
