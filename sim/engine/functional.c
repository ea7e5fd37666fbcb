/* functional.c - the functional mode of the cycle engine (pesim/functional.h).
 *
 * The machine holds values. Every level instance that keeps a tensor owns a
 * local buffer for its current tile, addressed by local coordinates: the
 * tensor coordinates minus the tile's origin (for input rows h - h_origin with
 * h_origin = p_origin*stride + r_origin*dilation), laid out row-major over the
 * level's largest tile. A valid bit per word says the word was given to the
 * tile; reading a word outside the tile, or one it was never given, is an
 * error: the semantics were violated. Only the outermost level starts with
 * data (the whole tensors); everything else arrives by transfers.
 *
 * Time is the block sequence of the walker (sim/nest/walk.c), as in the cycle
 * engine. At the start of a block, each (child, parent) pair whose selected
 * loops changed (docs/model.md section 4; decided here from the loop indices,
 * and checked against the walker's list of transfers) has an event:
 *   - outputs first drain, innermost pair first: every active child adds its
 *     tile into the parent; the first child of a reduction group to write a
 *     word in the event overwrites it (it carried the partial sum, or it is
 *     the word's first visit), the others add to it;
 *   - then loads, outermost pair first: weights and inputs copy the new tile
 *     from the parent (keeping the overlap of the previous tile when the
 *     sliding-window rule applies); outputs start at zero, except that the
 *     first child (the group's leader, whose reduction digits are all 0) of a
 *     word the parent instance has seen before reads the partial sum back.
 * Then the MAC array runs the block's inner loops: each non-empty point reads
 * its operands from the innermost levels that keep them and accumulates into
 * the innermost level that keeps outputs. At the end every output pair drains
 * once more and the outermost level's outputs are compared with a plain
 * convolution.
 *
 * Instances are numbered by their spatial digits in mixed radix, the digits of
 * the lowest level above them least significant (dims in pesim_dim order), so
 * the parent instance of child instance i of level c is i / (the product of
 * the spatial radices of levels c+1 .. p), and a reduction group's leader is
 * its lowest-numbered member.
 *
 * Along the way the words each transfer moves (parent reads after multicast,
 * child fills, partial-sum updates after reduction, drains) are counted, and
 * compared per block with the walker's: the words the cycle engine times. */
#include "pesim/functional.h"

#include <gsl/gsl_rng.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nest/nest.h"
#include "nest/walk.h"

#define ND PESIM_NDIMS
#define NT PESIM_NTENSORS
#define MAXL PESIM_MAX_LEVELS
#define AX 5 /* axes of a tensor's coordinates */

enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
       P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };
enum { TW = PESIM_WEIGHTS, TI = PESIM_INPUTS, TO = PESIM_OUTPUTS };

/* The dim of each axis of a tensor's coordinates. Inputs' axes 3 and 4 are the
 * rows h = p*stride_h + r*dilation_h and columns w (P, R and Q, S). */
static const int axis_dim[NT][AX] = {
    {G, K, C, R, S},
    {G, N, C, P, Q},
    {G, N, K, P, Q},
};

static int relevant(int t, int d) { return pesim_dim_relevant((pesim_tensor)t, (pesim_dim)d); }

/* A tile of one instance: its dims' origins and extents (extents only for the
 * tensor's relevant dims, clipped at the bound) and the same in tensor
 * coordinates (for input rows and columns: the span of the window). */
typedef struct tile {
    int active;                 /* 0: the instance holds no tile */
    int64_t o[ND], e[ND];
    int64_t o5[AX], e5[AX];
} tile;

/* The buffers of one (level, tensor) the mapping keeps, for every instance. */
typedef struct buf {
    int kept;
    int64_t n_inst;
    int64_t E5[AX];             /* the level's largest tile: the local layout */
    int64_t words;              /* per instance: prod E5 */
    int64_t *val;               /* n_inst * words */
    uint8_t *valid;             /* 1: the word belongs to the current tile */
    uint32_t *stamp;            /* epoch of the last touch as a parent (unions) */
    uint8_t *visited;           /* outputs: n_inst * vis_words, 1 once accumulated here */
    int64_t vis_words;          /* the words one instance can ever hold (see reach) */
    int64_t *reach[ND];         /* outputs: per relevant dim and value, its index in the reach */
    int64_t reach_n[ND];
    tile *tl;                   /* n_inst */
    int64_t *old_val;           /* one instance's previous tile (sliding reuse) */
    uint8_t *old_valid;
} buf;

/* A (child, parent) pair of a tensor's chain; child -1 is the MAC array. */
typedef struct fpair {
    int t, c, p;
    int js;                     /* index of j* in the walker's loop list, -1: never changes */
    int sliding;                /* sliding-window reuse at advances of j* */
} fpair;

/* Words one pair moved in one event (the walker's pesim_xfer fields). */
typedef struct fwords {
    int64_t parent_reads, child_fills, parent_updates, child_reads;
} fwords;

typedef struct fsim {
    const pesim_arch *a;
    const pesim_layer *l;
    const pesim_mapping *m;
    pesim_functional_options opt;
    pesim_functional_result *res;
    pesim_error *e;
    int M;
    pesim_walk w;
    pesim_block blk;
    const pesim_nest_digits *g; /* &w.g */
    int64_t sr[MAXL];           /* spatial radix of each level (product over dims) */
    int64_t n_inst[MAXL + 1];   /* [c + 1]: instances of level c; [0]: MAC lanes */
    int64_t *spoff[MAXL + 1];   /* [c + 1]: per instance, the spatial offset of each dim */
    buf b[MAXL][NT];
    int n_pairs;
    fpair pair[NT * MAXL];      /* outermost parent first */
    int inner[NT];              /* innermost level keeping each tensor */
    int64_t G5[NT][AX];         /* whole tensors */
    int64_t gwords[NT];
    int64_t *list[AX];          /* footprint of a tile: coordinates per axis */
    int64_t nlist[AX];
    uint8_t *mark;              /* scratch for input rows/columns */
    uint32_t epoch;
    int swapped;
    int64_t drained_updates[MAXL], drained_reads[MAXL]; /* outputs, measured at drains */
    int64_t loaded_updates[MAXL], loaded_reads[MAXL];   /* the same, announced at loads */
} fsim;

/* a * b, or -1 if either is negative or the product exceeds limit. */
static int64_t mul_le(int64_t a, int64_t b, int64_t limit)
{
    if (a < 0 || b < 0) return -1;
    if (a != 0 && b > limit / a) return -1;
    return a * b;
}

static void traffic(fsim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a difference between the words moved and the walker's. */
static void traffic(fsim *s, const char *fmt, ...)
{
    s->res->traffic_mismatches++;
    if (s->res->traffic_note[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->res->traffic_note, sizeof s->res->traffic_note, fmt, ap);
    va_end(ap);
}

/* Tensor coordinates of the point with dim values v. */
static void coords(const fsim *s, int t, const int64_t *v, int64_t *x)
{
    for (int ax = 0; ax < AX; ax++) x[ax] = v[axis_dim[t][ax]];
    if (t == TI) {
        x[3] = v[P] * s->l->stride_h + v[R] * s->l->dilation_h;
        x[4] = v[Q] * s->l->stride_w + v[S] * s->l->dilation_w;
    }
}

/* Extents in tensor coordinates of dim extents e (all >= 1). */
static void extents5(const fsim *s, int t, const int64_t *e, int64_t *x)
{
    for (int ax = 0; ax < AX; ax++) x[ax] = e[axis_dim[t][ax]];
    if (t == TI) {
        x[3] = (e[P] - 1) * s->l->stride_h + (e[R] - 1) * s->l->dilation_h + 1;
        x[4] = (e[Q] - 1) * s->l->stride_w + (e[S] - 1) * s->l->dilation_w + 1;
    }
}

/* Local index of tensor coordinates x in tile tl of buffer b, or -1 when x is
 * outside the tile (each axis checked: the layout is over the largest tile). */
static int64_t local_index(const buf *b, const tile *tl, const int64_t *x)
{
    if (!tl->active) return -1;
    int64_t li = 0;
    for (int ax = 0; ax < AX; ax++) {
        int64_t u = x[ax] - tl->o5[ax];
        if (u < 0 || u >= tl->e5[ax]) return -1;
        li = li * b->E5[ax] + u;
    }
    return li;
}

/* Index of output word x among the words an instance of buffer b can ever
 * hold (its "reach": the dims' values with the instance's own spatial digits
 * removed), for its visited bits. An instance of a level deep in a wide array
 * reaches a small part of the tensor, so this is much smaller than
 * instances x tensor. */
static int64_t visit_index(const buf *b, const int64_t *x)
{
    int64_t vi = 0;
    for (int ax = 0; ax < AX; ax++) {
        int d = axis_dim[TO][ax];
        vi = vi * b->reach_n[d] + b->reach[d][x[ax]];
    }
    return vi;
}

/* The reach tables of an output buffer at level lv: value v of dim d maps to
 * the mixed-radix number of its digits other than the spatial digits of the
 * levels above lv (which are fixed for one instance): one-to-one for an
 * instance. Returns the words of the reach per instance, -1 past limit, -2
 * when out of memory. */
static int64_t make_reach(const fsim *s, buf *b, int lv, int64_t limit)
{
    const pesim_nest_digits *g = s->g;
    int64_t words = 1;
    for (int ax = 0; ax < AX; ax++) {
        int d = axis_dim[TO][ax];
        int64_t n = 1;
        for (int i = 0; i < g->n; i++)
            if (!(i % 2 == 0 && i / 2 > lv)) n = mul_le(n, g->f[d][i], limit);
        if (n < 0) return -1;
        if (!(b->reach[d] = malloc((size_t)s->l->dim[d] * sizeof *b->reach[d]))) return -2;
        b->reach_n[d] = n;
        for (int64_t v = 0; v < s->l->dim[d]; v++) {
            int64_t r = 0, w = 1;
            for (int i = 0; i < g->n; i++) {
                if (i % 2 == 0 && i / 2 > lv) continue;
                r += (v / g->below[d][i] % g->f[d][i]) * w;
                w *= g->f[d][i];
            }
            b->reach[d][v] = r;
        }
        words = mul_le(words, n, limit);
        if (words < 0) return -1;
    }
    return words;
}

/* Product of the spatial radices of levels c+1 .. p: child instance / this =
 * parent instance. */
static int64_t inst_div(const fsim *s, int c, int p)
{
    int64_t v = 1;
    for (int lv = c + 1; lv <= p; lv++) v *= s->sr[lv];
    return v;
}

/* Temporal offset of each dim from the walker's outer loops at levels > c. At
 * an event of a pair with child c the loops inside the changed one are 0, so
 * this is the contribution of the selected loops. */
static void outer_offset(const fsim *s, int c, int64_t *off)
{
    const pesim_nest_digits *g = s->g;
    for (int d = 0; d < ND; d++) off[d] = 0;
    for (int i = 0; i < s->w.J; i++) {
        int lv = g->loop_level[i], d = g->loop_dim[i];
        if (lv > c) off[d] += s->w.idx[i] * g->below[d][2 * lv + 1];
    }
}

/* The tile of instance ci of level c for tensor t, at temporal offset off. */
static void make_tile(const fsim *s, int t, int c, int64_t ci, const int64_t *off, tile *tl)
{
    const int64_t *sp = s->spoff[c + 1] + ci * ND;
    tl->active = 1;
    for (int d = 0; d < ND; d++) {
        int64_t o = off[d] + sp[d], bound = s->l->dim[d];
        if (o >= bound) tl->active = 0; /* no valid point: the instance idles */
        int64_t full = s->g->below[d][2 * (c + 1)];
        tl->o[d] = o;
        tl->e[d] = !relevant(t, d) ? 1 : (full < bound - o ? full : bound - o);
        if (tl->e[d] < 1) tl->e[d] = 1; /* inactive tiles only */
    }
    coords(s, t, tl->o, tl->o5);
    extents5(s, t, tl->e, tl->e5);
}

/* Fills s->list with the footprint of tile tl of tensor t: every axis is a
 * range, except the rows and columns of inputs, which are the distinct
 * p*stride + r*dilation of the window (with stride > dilation some rows of
 * the span are not touched). */
static void footprint(fsim *s, int t, const tile *tl)
{
    for (int ax = 0; ax < AX; ax++) {
        if (t == TI && ax >= 3) {
            int h = ax == 3;
            int64_t st = h ? s->l->stride_h : s->l->stride_w, dl = h ? s->l->dilation_h : s->l->dilation_w;
            int64_t eo = tl->e[h ? P : Q], ef = tl->e[h ? R : S], n = 0;
            memset(s->mark, 0, (size_t)tl->e5[ax]);
            for (int64_t a = 0; a < eo; a++)
                for (int64_t b = 0; b < ef; b++) s->mark[a * st + b * dl] = 1;
            for (int64_t u = 0; u < tl->e5[ax]; u++)
                if (s->mark[u]) s->list[ax][n++] = tl->o5[ax] + u;
            s->nlist[ax] = n;
        } else {
            for (int64_t u = 0; u < tl->e5[ax]; u++) s->list[ax][u] = tl->o5[ax] + u;
            s->nlist[ax] = tl->e5[ax];
        }
    }
}

/* Odometer over the footprint in s->list: first call with it[] zeroed and
 * *started 0; returns 0 when done. */
static int fp_next(const fsim *s, int64_t *it, int *started, int64_t *x)
{
    if (!*started) {
        *started = 1;
        for (int ax = 0; ax < AX; ax++)
            if (s->nlist[ax] == 0) return 0;
    } else {
        int ax = AX - 1;
        while (ax >= 0 && ++it[ax] == s->nlist[ax]) it[ax--] = 0;
        if (ax < 0) return 0;
    }
    for (int ax = 0; ax < AX; ax++) x[ax] = s->list[ax][it[ax]];
    return 1;
}

static pesim_status violation(fsim *s, const char *what, int t, int lv, int64_t inst, const int64_t *x,
                              const tile *tl, int never_given)
{
    char where[256];
    if (!tl->active)
        snprintf(where, sizeof where, "which holds no tile");
    else
        snprintf(where, sizeof where, "whose tile has origin (%lld,%lld,%lld,%lld,%lld) extent (%lld,%lld,%lld,%lld,%lld)",
                 (long long)tl->o5[0], (long long)tl->o5[1], (long long)tl->o5[2], (long long)tl->o5[3],
                 (long long)tl->o5[4], (long long)tl->e5[0], (long long)tl->e5[1], (long long)tl->e5[2],
                 (long long)tl->e5[3], (long long)tl->e5[4]);
    return pesim_error_set(s->e, PESIM_ERR_INTERNAL, NULL, 0, "functional",
                           "%s %s word (%lld,%lld,%lld,%lld,%lld) %s level %s instance %lld, %s: "
                           "the data-movement semantics were violated",
                           what, pesim_tensor_name((pesim_tensor)t), (long long)x[0], (long long)x[1],
                           (long long)x[2], (long long)x[3], (long long)x[4],
                           never_given ? "was never given to the tile of" : "is outside the tile of",
                           s->a->level[lv].name, (long long)inst, where);
}

/* The SHIFT_ORIGIN test hook: sh = the corruption of the source coordinates
 * of a transfer of pair pr into tile tl (0 when it does not apply). */
static void fault_shift(fsim *s, const fpair *pr, const tile *tl, int64_t *sh)
{
    for (int ax = 0; ax < AX; ax++) sh[ax] = 0;
    const pesim_functional_options *o = &s->opt;
    if (o->fault != PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN || pr->c != o->fault_level || pr->t != (int)o->fault_tensor)
        return;
    int d = o->fault_dim;
    if (!relevant(pr->t, d) || tl->o[d] == 0) return;
    if (pr->t == TI && (d == P || d == R || d == Q || d == S)) {
        int h = d == P || d == R;
        sh[h ? 3 : 4] = d == P ? s->l->stride_h : d == R ? s->l->dilation_h : d == Q ? s->l->stride_w
                                                                                     : s->l->dilation_w;
    } else {
        for (int ax = 0; ax < AX; ax++)
            if (axis_dim[pr->t][ax] == d) sh[ax] = 1;
    }
    s->res->faults_injected++;
}

/* The SWAP_WORDS test hook: swaps the first two different values of a tile. */
static void fault_swap(fsim *s, const fpair *pr, int64_t *v, const uint8_t *valid, int64_t words)
{
    const pesim_functional_options *o = &s->opt;
    if (o->fault != PESIM_FUNCTIONAL_FAULT_SWAP_WORDS || s->swapped || pr->c != o->fault_level ||
        pr->t != (int)o->fault_tensor || pr->t == TO)
        return;
    int64_t first = -1;
    for (int64_t i = 0; i < words; i++) {
        if (!valid[i]) continue;
        if (first < 0) {
            first = i;
        } else if (v[i] != v[first]) {
            int64_t tmp = v[i];
            v[i] = v[first], v[first] = tmp;
            s->swapped = 1;
            s->res->faults_injected++;
            return;
        }
    }
}

/* An event of a weights or inputs pair: every child instance loads its new
 * tile from its parent instance (keeping the overlap of its previous tile at
 * a sliding advance). */
static pesim_status load_operand(fsim *s, const fpair *pr, int sliding, fwords *wd)
{
    buf *cb = &s->b[pr->c][pr->t], *pb = &s->b[pr->p][pr->t];
    int64_t off[ND], dv = inst_div(s, pr->c, pr->p), it[AX], x[AX], src[AX], sh[AX];
    uint32_t ep = ++s->epoch;
    outer_offset(s, pr->c, off);
    for (int64_t ci = 0; ci < cb->n_inst; ci++) {
        tile nt, old = cb->tl[ci];
        make_tile(s, pr->t, pr->c, ci, off, &nt);
        int64_t *cv = cb->val + ci * cb->words;
        uint8_t *cvd = cb->valid + ci * cb->words;
        int keep = sliding && old.active && nt.active;
        if (keep) {
            memcpy(cb->old_val, cv, (size_t)cb->words * sizeof *cv);
            memcpy(cb->old_valid, cvd, (size_t)cb->words);
        }
        memset(cvd, 0, (size_t)cb->words);
        cb->tl[ci] = nt;
        if (!nt.active) continue;
        int64_t pi = ci / dv;
        const tile *pt = &pb->tl[pi];
        const int64_t *pv = pb->val + pi * pb->words;
        const uint8_t *pvd = pb->valid + pi * pb->words;
        uint32_t *pst = pb->stamp + pi * pb->words;
        fault_shift(s, pr, &nt, sh);
        footprint(s, pr->t, &nt);
        memset(it, 0, sizeof it);
        int started = 0;
        while (fp_next(s, it, &started, x)) {
            int64_t li = local_index(cb, &nt, x);
            if (li < 0) return violation(s, "loading", pr->t, pr->c, ci, x, &nt, 0); /* not reached */
            if (keep) {
                int64_t lo = local_index(cb, &old, x);
                if (lo >= 0 && cb->old_valid[lo]) { /* the overlap stays: move it to its new place */
                    cv[li] = cb->old_val[lo];
                    cvd[li] = 1;
                    continue;
                }
            }
            for (int ax = 0; ax < AX; ax++) src[ax] = x[ax] - sh[ax];
            int64_t pl = local_index(pb, pt, src);
            if (pl < 0 || !pvd[pl])
                return violation(s, "a transfer reads", pr->t, pr->p, pi, src, pt, pl >= 0);
            cv[li] = pv[pl];
            cvd[li] = 1;
            wd->child_fills++;
            if (pst[pl] != ep) pst[pl] = ep, wd->parent_reads++; /* multicast: one read per parent word */
        }
        fault_swap(s, pr, cv, cvd, cb->words);
    }
    return PESIM_OK;
}

/* The drain of an output pair: every active child adds its tile into its
 * parent instance. The first write of a word in the event overwrites it: that
 * child carried the partial sum (or it is the word's first visit); the other
 * children of the reduction group add to it. */
static pesim_status drain_outputs(fsim *s, const fpair *pr)
{
    buf *cb = &s->b[pr->c][TO], *pb = &s->b[pr->p][TO];
    int64_t dv = inst_div(s, pr->c, pr->p), it[AX], x[AX], dst[AX], sh[AX];
    uint32_t ep = ++s->epoch;
    for (int64_t ci = 0; ci < cb->n_inst; ci++) {
        tile *ot = &cb->tl[ci];
        if (!ot->active) continue;
        const int64_t *cv = cb->val + ci * cb->words;
        uint8_t *cvd = cb->valid + ci * cb->words;
        int64_t pi = ci / dv;
        const tile *pt = &pb->tl[pi];
        int64_t *pv = pb->val + pi * pb->words;
        const uint8_t *pvd = pb->valid + pi * pb->words;
        uint32_t *pst = pb->stamp + pi * pb->words;
        fault_shift(s, pr, ot, sh);
        footprint(s, TO, ot);
        memset(it, 0, sizeof it);
        int started = 0;
        while (fp_next(s, it, &started, x)) {
            int64_t li = local_index(cb, ot, x);
            if (li < 0 || !cvd[li]) return violation(s, "a drain reads", TO, pr->c, ci, x, ot, li >= 0);
            for (int ax = 0; ax < AX; ax++) dst[ax] = x[ax] - sh[ax];
            int64_t pl = local_index(pb, pt, dst);
            if (pl < 0 || !pvd[pl]) return violation(s, "a drain writes", TO, pr->p, pi, dst, pt, pl >= 0);
            s->drained_reads[pr->c]++;
            if (pst[pl] != ep) {
                pst[pl] = ep;
                pv[pl] = cv[li];
                s->drained_updates[pr->p]++; /* one update per word after reduction */
            } else {
                pv[pl] += cv[li];
            }
        }
        memset(cvd, 0, (size_t)cb->words);
        ot->active = 0;
    }
    return PESIM_OK;
}

/* An event of an output pair after its drain: every child instance starts
 * its new tile at zero, except that the first child of a word the parent
 * instance has accumulated before reads the partial sum back. */
static pesim_status load_outputs(fsim *s, const fpair *pr, fwords *wd)
{
    buf *cb = &s->b[pr->c][TO], *pb = &s->b[pr->p][TO];
    int64_t off[ND], dv = inst_div(s, pr->c, pr->p), it[AX], x[AX];
    uint32_t ep = ++s->epoch;
    int skip = s->opt.fault == PESIM_FUNCTIONAL_FAULT_SKIP_READBACK && s->opt.fault_level == pr->c;
    outer_offset(s, pr->c, off);
    for (int64_t ci = 0; ci < cb->n_inst; ci++) {
        tile nt;
        make_tile(s, TO, pr->c, ci, off, &nt);
        int64_t *cv = cb->val + ci * cb->words;
        uint8_t *cvd = cb->valid + ci * cb->words;
        memset(cvd, 0, (size_t)cb->words);
        cb->tl[ci] = nt;
        if (!nt.active) continue;
        int64_t pi = ci / dv;
        const tile *pt = &pb->tl[pi];
        const int64_t *pv = pb->val + pi * pb->words;
        const uint8_t *pvd = pb->valid + pi * pb->words;
        uint32_t *pst = pb->stamp + pi * pb->words;
        uint8_t *vis = pb->visited + pi * pb->vis_words;
        footprint(s, TO, &nt);
        memset(it, 0, sizeof it);
        int started = 0;
        while (fp_next(s, it, &started, x)) {
            int64_t li = local_index(cb, &nt, x);
            int64_t pl = local_index(pb, pt, x); /* the drain will write there */
            if (li < 0 || pl < 0 || !pvd[pl])
                return violation(s, "a new tile maps", TO, pr->p, pi, x, pt, pl >= 0);
            int64_t v = 0;
            wd->child_reads++; /* the tile will drain these words */
            if (pst[pl] != ep) { /* the group's leader */
                pst[pl] = ep;
                wd->parent_updates++;
                int64_t gi = visit_index(pb, x);
                if (vis[gi]) {
                    wd->parent_reads++, wd->child_fills++;
                    if (skip) s->res->faults_injected++;
                    else v = pv[pl];
                }
                vis[gi] = 1;
            }
            cv[li] = v;
            cvd[li] = 1;
        }
    }
    return PESIM_OK;
}

/* The pair's transfer in the walker's block, or NULL. */
static const pesim_xfer *find_xfer(const pesim_block *b, const fpair *pr)
{
    for (int i = 0; i < b->n_xfers; i++) {
        const pesim_xfer *x = &b->xfer[i];
        if (x->tensor == pr->t && x->child == pr->c && x->parent == pr->p && x->stream == (pr->c < 0)) return x;
    }
    return NULL;
}

static void compare_words(fsim *s, const fpair *pr, const fwords *wd, const char *what)
{
    const pesim_xfer *x = find_xfer(&s->blk, pr);
    if (!x) return; /* reported by the caller */
    if (x->parent_reads != wd->parent_reads || x->child_fills != wd->child_fills ||
        x->parent_updates != wd->parent_updates || x->child_reads != wd->child_reads)
        traffic(s, "block %lld, %s %s %d->%d: moved reads/fills/updates/drains %lld/%lld/%lld/%lld, walker %lld/%lld/%lld/%lld",
                (long long)s->blk.index, what, pesim_tensor_name((pesim_tensor)pr->t), pr->p, pr->c,
                (long long)wd->parent_reads, (long long)wd->child_fills, (long long)wd->parent_updates,
                (long long)wd->child_reads, (long long)x->parent_reads, (long long)x->child_fills,
                (long long)x->parent_updates, (long long)x->child_reads);
}

/* The MAC array over the current block: the inner loops, every lane. */
static pesim_status run_macs(fsim *s)
{
    const pesim_nest_digits *g = s->g;
    const int64_t *bound = s->l->dim;
    int J = s->w.J, nl = g->n_loops;
    int64_t idx[ND * MAXL] = {0}, toff[ND], v[ND], x[AX], steps = 0;
    int lvw = s->inner[TW], lvi = s->inner[TI], lvo = s->inner[TO];
    buf *bw = &s->b[lvw][TW], *bi = &s->b[lvi][TI], *bo = &s->b[lvo][TO];
    int64_t dw = inst_div(s, -1, lvw), di = inst_div(s, -1, lvi), dout = inst_div(s, -1, lvo);
    fwords sw[NT];
    memset(sw, 0, sizeof sw);
    outer_offset(s, -1, toff);
    for (int d = 0; d < ND; d++)
        if (toff[d] != s->w.off[d])
            traffic(s, "block %lld: temporal offset of %s is %lld, the walker says %lld", (long long)s->blk.index,
                    pesim_dim_name((pesim_dim)d), (long long)toff[d], (long long)s->w.off[d]);
    for (;;) {
        uint32_t ep = ++s->epoch;
        steps++;
        for (int64_t ln = 0; ln < s->n_inst[0]; ln++) {
            const int64_t *sp = s->spoff[0] + ln * ND;
            int ok = 1;
            for (int d = 0; d < ND; d++) {
                v[d] = toff[d] + sp[d];
                if (v[d] >= bound[d]) ok = 0; /* imperfect factor: skipped */
            }
            if (!ok) continue;
            s->res->macs_done++;
            int64_t iw = ln / dw, ii = ln / di, io = ln / dout;
            coords(s, TW, v, x);
            int64_t lw = local_index(bw, &bw->tl[iw], x);
            if (lw < 0 || !bw->valid[iw * bw->words + lw])
                return violation(s, "a MAC reads", TW, lvw, iw, x, &bw->tl[iw], lw >= 0);
            int64_t wv = bw->val[iw * bw->words + lw];
            if (bw->stamp[iw * bw->words + lw] != ep) bw->stamp[iw * bw->words + lw] = ep, sw[TW].parent_reads++;
            coords(s, TI, v, x);
            int64_t lx = local_index(bi, &bi->tl[ii], x);
            if (lx < 0 || !bi->valid[ii * bi->words + lx])
                return violation(s, "a MAC reads", TI, lvi, ii, x, &bi->tl[ii], lx >= 0);
            int64_t iv = bi->val[ii * bi->words + lx];
            if (bi->stamp[ii * bi->words + lx] != ep) bi->stamp[ii * bi->words + lx] = ep, sw[TI].parent_reads++;
            coords(s, TO, v, x);
            int64_t lo = local_index(bo, &bo->tl[io], x);
            if (lo < 0 || !bo->valid[io * bo->words + lo])
                return violation(s, "a MAC accumulates", TO, lvo, io, x, &bo->tl[io], lo >= 0);
            bo->val[io * bo->words + lo] += wv * iv;
            if (bo->stamp[io * bo->words + lo] != ep) { /* lanes reduce: one update per word */
                bo->stamp[io * bo->words + lo] = ep;
                sw[TO].parent_updates++;
                uint8_t *vis = bo->visited + io * bo->vis_words + visit_index(bo, x);
                if (*vis) sw[TO].parent_reads++; /* the first accumulation reads nothing */
                *vis = 1;
            }
        }
        /* next non-empty point of the inner loops (as the walker steps the outer ones) */
        int i = nl - 1;
        for (; i >= J; i--) {
            int lv = g->loop_level[i], d = g->loop_dim[i];
            int64_t wt = g->below[d][2 * lv + 1];
            idx[i]++;
            toff[d] += wt;
            if (idx[i] < g->f[d][2 * lv + 1] && toff[d] < bound[d]) break;
            toff[d] -= idx[i] * wt;
            idx[i] = 0;
        }
        if (i < J) break;
    }
    if (steps != s->blk.steps)
        traffic(s, "block %lld: %lld compute steps, the walker says %lld", (long long)s->blk.index, (long long)steps,
                (long long)s->blk.steps);
    for (int k = 0; k < s->n_pairs; k++) {
        const fpair *pr = &s->pair[k];
        if (pr->c >= 0) continue;
        const fwords *wd = &sw[pr->t];
        if (!find_xfer(&s->blk, pr))
            traffic(s, "block %lld: the walker has no MAC stream of %s", (long long)s->blk.index,
                    pesim_tensor_name((pesim_tensor)pr->t));
        compare_words(s, pr, wd, "MAC stream");
        s->res->access[pr->p][pr->t].reads += wd->parent_reads;
        s->res->access[pr->p][pr->t].updates += wd->parent_updates;
    }
    return PESIM_OK;
}

/* One block: events (drains, then loads), then the MACs. */
static pesim_status run_block(fsim *s)
{
    const pesim_block *b = &s->blk;
    int ev[NT * MAXL];
    fwords wd[NT * MAXL];
    memset(wd, 0, sizeof wd);
    for (int k = 0; k < s->n_pairs; k++) {
        const fpair *pr = &s->pair[k];
        ev[k] = pr->c >= 0 && (b->changed < 0 || b->changed <= pr->js);
        if (pr->c >= 0 && ev[k] != (find_xfer(b, pr) != NULL))
            traffic(s, "block %lld: %s %d->%d %s here but %s in the walker", (long long)b->index,
                    pesim_tensor_name((pesim_tensor)pr->t), pr->p, pr->c, ev[k] ? "has an event" : "has no event",
                    ev[k] ? "not" : "does");
    }
    pesim_status st;
    for (int k = s->n_pairs - 1; k >= 0; k--) /* innermost pair first */
        if (ev[k] && s->pair[k].t == TO && (st = drain_outputs(s, &s->pair[k])) != PESIM_OK) return st;
    for (int k = 0; k < s->n_pairs; k++) { /* outermost pair first */
        if (!ev[k]) continue;
        const fpair *pr = &s->pair[k];
        int sliding = pr->sliding && b->changed == pr->js;
        st = pr->t == TO ? load_outputs(s, pr, &wd[k]) : load_operand(s, pr, sliding, &wd[k]);
        if (st != PESIM_OK) return st;
        s->res->transfers++;
        compare_words(s, pr, &wd[k], "event");
        pesim_access *pa = &s->res->access[pr->p][pr->t], *ca = &s->res->access[pr->c][pr->t];
        pa->reads += wd[k].parent_reads;
        ca->fills += wd[k].child_fills;
        if (pr->t == TO) s->loaded_updates[pr->p] += wd[k].parent_updates, s->loaded_reads[pr->c] += wd[k].child_reads;
    }
    return run_macs(s);
}

/* The pairs of every tensor's chain (outermost parent first, as the walker),
 * with j* and the sliding-window rule of docs/model.md section 4. */
static void make_pairs(fsim *s)
{
    const pesim_nest_digits *g = s->g;
    s->n_pairs = 0;
    for (int t = 0; t < NT; t++) s->inner[t] = -1;
    for (int p = s->M - 1; p >= 0; p--)
        for (int t = 0; t < NT; t++) {
            if (!pesim_mapping_keeps(s->a, s->m, p, (pesim_tensor)t)) continue;
            s->inner[t] = p;
            int c = p - 1;
            while (c >= 0 && !pesim_mapping_keeps(s->a, s->m, c, (pesim_tensor)t)) c--;
            fpair *pr = &s->pair[s->n_pairs++];
            pr->t = t, pr->c = c, pr->p = p, pr->js = -1, pr->sliding = 0;
            for (int i = 0; i < g->n_loops && g->loop_level[i] > c; i++)
                if (c < 0 || relevant(t, g->loop_dim[i])) pr->js = i;
            if (t != TI || c < 0 || !s->a->level[c].sliding_reuse || pr->js < 0) continue;
            int jd = g->loop_dim[pr->js], jl = g->loop_level[pr->js];
            if (jd != P && jd != Q && jd != R && jd != S) continue;
            int ssp = 0; /* spatial factors of j*'s dim between the child and j* (that can be past 0) */
            for (int lv = c + 1; lv <= jl; lv++) ssp |= (g->nontrivial[jd] >> (2 * lv)) & 1u;
            pr->sliding = !ssp;
        }
}

static void free_sim(fsim *s)
{
    for (int i = 0; i <= MAXL; i++) free(s->spoff[i]);
    for (int lv = 0; lv < MAXL; lv++)
        for (int t = 0; t < NT; t++) {
            buf *b = &s->b[lv][t];
            free(b->val), free(b->valid), free(b->stamp), free(b->visited), free(b->tl);
            free(b->old_val), free(b->old_valid);
            for (int d = 0; d < ND; d++) free(b->reach[d]);
        }
    for (int ax = 0; ax < AX; ax++) free(s->list[ax]);
    free(s->mark);
    free(s);
}

/* Sizes and allocates everything; PESIM_ERR_RANGE past the limits. */
static pesim_status setup(fsim *s)
{
    const pesim_layer *l = s->l;
    const pesim_nest_digits *g = s->g;
    const int M = s->M;
    const int64_t lim = PESIM_FUNCTIONAL_MAX_WORDS;
    int64_t H = (l->dim[P] - 1) * l->stride_h + (l->dim[R] - 1) * l->dilation_h + 1;
    int64_t Wd = (l->dim[Q] - 1) * l->stride_w + (l->dim[S] - 1) * l->dilation_w + 1;
    int64_t full[ND];
    for (int d = 0; d < ND; d++) full[d] = l->dim[d];
    for (int t = 0; t < NT; t++) {
        extents5(s, t, full, s->G5[t]);
        s->gwords[t] = 1;
        for (int ax = 0; ax < AX; ax++) s->gwords[t] = mul_le(s->gwords[t], s->G5[t][ax], lim);
        if (s->gwords[t] < 0)
            return pesim_error_set(s->e, PESIM_ERR_RANGE, NULL, 0, "functional",
                                   "the %s tensor is too big for the functional mode (over %lld words)",
                                   pesim_tensor_name((pesim_tensor)t), (long long)lim);
    }
    int64_t total = 0; /* words of every buffer, table and bitmap */
    for (int lv = 0; lv < M; lv++) {
        s->sr[lv] = 1;
        for (int d = 0; d < ND; d++) s->sr[lv] = mul_le(s->sr[lv], g->f[d][2 * lv], lim);
        if (s->sr[lv] < 0) goto too_big;
    }
    for (int c = -1; c < M; c++) {
        int64_t n = pesim_mapping_instances(s->m, c); /* the arch bounds the fan-outs' product */
        if (n > lim || (total += n * ND) > lim) goto too_big;
        s->n_inst[c + 1] = n;
        int64_t *sp = s->spoff[c + 1] = calloc((size_t)(n * ND), sizeof *sp);
        if (!sp) goto nomem;
        for (int64_t i = 0; i < n; i++) {
            int64_t rem = i;
            for (int lv = c + 1; lv < M; lv++)
                for (int d = 0; d < ND; d++) {
                    int64_t f = g->f[d][2 * lv];
                    sp[i * ND + d] += (rem % f) * g->below[d][2 * lv];
                    rem /= f;
                }
        }
    }
    for (int lv = 0; lv < M; lv++)
        for (int t = 0; t < NT; t++) {
            if (!pesim_mapping_keeps(s->a, s->m, lv, (pesim_tensor)t)) continue;
            buf *b = &s->b[lv][t];
            int64_t emax[ND];
            for (int d = 0; d < ND; d++) {
                int64_t gran = g->below[d][2 * lv + 2];
                emax[d] = relevant(t, d) ? (gran < l->dim[d] ? gran : l->dim[d]) : 1;
            }
            extents5(s, t, emax, b->E5);
            b->kept = 1;
            b->n_inst = s->n_inst[lv + 1];
            b->words = 1;
            for (int ax = 0; ax < AX; ax++) b->words *= b->E5[ax]; /* <= the whole tensor */
            int64_t all = mul_le(b->n_inst, b->words, lim);
            int64_t vis = 0;
            if (t == TO) {
                b->vis_words = make_reach(s, b, lv, lim);
                if (b->vis_words == -2) goto nomem;
                if (b->vis_words < 0) goto too_big;
                vis = mul_le(b->n_inst, b->vis_words, lim);
            }
            if (all < 0 || vis < 0 || (total += 2 * all + vis / 8 + b->words) > lim) goto too_big;
            b->val = calloc((size_t)all, sizeof *b->val);
            b->valid = calloc((size_t)all, 1);
            b->stamp = calloc((size_t)all, sizeof *b->stamp);
            b->tl = calloc((size_t)b->n_inst, sizeof *b->tl);
            b->old_val = calloc((size_t)b->words, sizeof *b->old_val);
            b->old_valid = calloc((size_t)b->words, 1);
            if (t == TO) b->visited = calloc((size_t)vis, 1);
            if (!b->val || !b->valid || !b->stamp || !b->tl || !b->old_val || !b->old_valid ||
                (t == TO && !b->visited))
                goto nomem;
        }
    for (int ax = 0; ax < AX; ax++) {
        int64_t n = 1;
        for (int t = 0; t < NT; t++)
            if (s->G5[t][ax] > n) n = s->G5[t][ax];
        if (!(s->list[ax] = malloc((size_t)n * sizeof *s->list[ax]))) goto nomem;
    }
    if (!(s->mark = malloc((size_t)(H > Wd ? H : Wd)))) goto nomem;
    return PESIM_OK;
too_big:
    return pesim_error_set(s->e, PESIM_ERR_RANGE, NULL, 0, "functional",
                           "the mapping's buffers are too big for the functional mode (over %lld words)",
                           (long long)lim);
nomem:
    return pesim_error_set(s->e, PESIM_ERR_NOMEM, NULL, 0, "functional", "out of memory");
}

/* Fills the outermost level with the whole tensors: random weights and
 * inputs, zero outputs. Values are nonzero integers in [-8, 8]: a zero operand
 * would hide a wrong partner operand, and small integers keep every sum exact. */
static pesim_status fill_tensors(fsim *s, uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return pesim_error_set(s->e, PESIM_ERR_NOMEM, NULL, 0, "functional", "out of memory");
    gsl_rng_set(r, (unsigned long)seed);
    int top = s->M - 1;
    for (int t = 0; t < NT; t++) {
        buf *b = &s->b[top][t];
        tile *tl = &b->tl[0];
        tl->active = 1;
        for (int d = 0; d < ND; d++) tl->o[d] = 0, tl->e[d] = relevant(t, d) ? s->l->dim[d] : 1;
        for (int ax = 0; ax < AX; ax++) tl->o5[ax] = 0, tl->e5[ax] = s->G5[t][ax];
        for (int64_t i = 0; i < b->words; i++) {
            int64_t v = (int64_t)gsl_rng_uniform_int(r, 16) - 8; /* -8 .. 7 */
            b->val[i] = t == TO ? 0 : v >= 0 ? v + 1 : v;        /* -8 .. -1, 1 .. 8 */
            b->valid[i] = 1;
        }
    }
    gsl_rng_free(r);
    return PESIM_OK;
}

/* Compares the outermost outputs with a plain convolution of the tensors the
 * run started from (still in the outermost weights and inputs buffers, which
 * nothing writes). */
static void compare_outputs(fsim *s)
{
    const pesim_layer *l = s->l;
    const int64_t *D = l->dim;
    int top = s->M - 1;
    const int64_t *W = s->b[top][TW].val, *I = s->b[top][TI].val, *O = s->b[top][TO].val;
    const int64_t *GI = s->G5[TI];
    pesim_functional_result *res = s->res;
    res->outputs = s->gwords[TO];
    int64_t oi = 0;
    for (int64_t g = 0; g < D[G]; g++)
        for (int64_t n = 0; n < D[N]; n++)
            for (int64_t k = 0; k < D[K]; k++)
                for (int64_t p = 0; p < D[P]; p++)
                    for (int64_t q = 0; q < D[Q]; q++, oi++) {
                        int64_t acc = 0;
                        for (int64_t c = 0; c < D[C]; c++)
                            for (int64_t r = 0; r < D[R]; r++)
                                for (int64_t sx = 0; sx < D[S]; sx++) {
                                    int64_t h = p * l->stride_h + r * l->dilation_h;
                                    int64_t w = q * l->stride_w + sx * l->dilation_w;
                                    acc += W[(((g * D[K] + k) * D[C] + c) * D[R] + r) * D[S] + sx] *
                                           I[(((g * D[N] + n) * D[C] + c) * GI[3] + h) * GI[4] + w];
                                }
                        if (O[oi] == acc) continue;
                        double err = (double)(O[oi] > acc ? O[oi] - acc : acc - O[oi]);
                        if (err > res->max_abs_error) res->max_abs_error = err;
                        if (res->mismatches++ == 0) {
                            res->first_bad[G] = g, res->first_bad[N] = n, res->first_bad[K] = k;
                            res->first_bad[P] = p, res->first_bad[Q] = q;
                        }
                    }
}

static pesim_status run_checked(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, uint64_t seed,
                                const pesim_functional_options *opt, pesim_functional_result *out, pesim_error *e);

pesim_status pesim_functional_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                  uint64_t seed, pesim_functional_result *out, pesim_error *e)
{
    return pesim_functional_run_opts(a, l, m, seed, NULL, out, e);
}

pesim_status pesim_functional_run_opts(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                       uint64_t seed, const pesim_functional_options *opt,
                                       pesim_functional_result *out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "functional", "no result to fill");
    memset(out, 0, sizeof *out);
    for (int d = 0; d < ND; d++) out->first_bad[d] = -1;
    if (!a || !l || !m) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "functional", "missing argument");
    pesim_status st = pesim_layer_check(l, e);
    if (st != PESIM_OK) return st;
    if (!pesim_layer_has_macs(l))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, l->line, l->name, "a %s layer has no MACs to simulate",
                               pesim_op_name(l->op));
    if (m->n_levels != a->n_levels || a->n_levels < 1 || a->n_levels > MAXL)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "functional",
                               "the mapping has %d levels, the architecture %d", (int)m->n_levels, (int)a->n_levels);
    if (opt && ((unsigned)opt->fault >= PESIM_FUNCTIONAL_FAULT_COUNT || (unsigned)opt->fault_tensor >= NT ||
                (unsigned)opt->fault_dim >= ND))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "functional", "unknown fault options");
    int64_t macs = pesim_layer_macs(l);
    if (macs > PESIM_FUNCTIONAL_MAX_MACS)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, l->line, l->name,
                               "%lld MACs: the functional mode simulates at most %lld", (long long)macs,
                               (long long)PESIM_FUNCTIONAL_MAX_MACS);
    pesim_arch *ap = malloc(sizeof *ap); /* the data moves by the "pesim" conventions */
    if (!ap) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "functional", "out of memory");
    *ap = *a;
    ap->conventions = PESIM_CONV_PESIM;
    ap->first_read_elision = 0;
    a = ap;
    st = run_checked(a, l, m, seed, opt, out, e);
    free(ap);
    return st;
}

/* The run itself, under the "pesim" conventions. */
static pesim_status run_checked(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m, uint64_t seed,
                                const pesim_functional_options *opt, pesim_functional_result *out, pesim_error *e)
{
    pesim_status st;
    pesim_nest_counts nc;
    char reason[PESIM_REASON_MAX];
    if (!pesim_nest_count(a, l, m, &nc, reason, sizeof reason))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "functional", "invalid mapping: %s", reason);
    if (mul_le(nc.temporal_steps, nc.spatial_used, PESIM_FUNCTIONAL_MAX_POINTS) < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "functional",
                               "%lld steps x %lld lanes: the functional mode simulates at most %lld points",
                               (long long)nc.temporal_steps, (long long)nc.spatial_used,
                               (long long)PESIM_FUNCTIONAL_MAX_POINTS);

    fsim *s = calloc(1, sizeof *s);
    if (!s) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "functional", "out of memory");
    s->a = a, s->l = l, s->m = m, s->res = out, s->e = e, s->M = a->n_levels;
    if (opt) s->opt = *opt;
    pesim_walk_init(&s->w, a, l, m);
    s->g = &s->w.g;
    make_pairs(s);
    if ((st = setup(s)) == PESIM_OK && (st = fill_tensors(s, seed)) == PESIM_OK) {
        while (st == PESIM_OK && pesim_walk_next(&s->w, &s->blk)) {
            out->blocks++;
            st = run_block(s);
        }
        for (int k = s->n_pairs - 1; k >= 0 && st == PESIM_OK; k--) /* the last tiles drain */
            if (s->pair[k].t == TO && s->pair[k].c >= 0) st = drain_outputs(s, &s->pair[k]);
    }
    if (st == PESIM_OK) {
        for (int lv = 0; lv < s->M; lv++) {
            if (s->drained_updates[lv] != s->loaded_updates[lv] || s->drained_reads[lv] != s->loaded_reads[lv])
                traffic(s, "level %s: outputs drained %lld words (%lld updates), their loads announced %lld (%lld)",
                        a->level[lv].name, (long long)s->drained_reads[lv], (long long)s->drained_updates[lv],
                        (long long)s->loaded_reads[lv], (long long)s->loaded_updates[lv]);
            out->access[lv][TO].updates += s->drained_updates[lv];
            out->access[lv][TO].reads += s->drained_reads[lv];
        }
        compare_outputs(s);
    }
    free_sim(s);
    return st;
}
