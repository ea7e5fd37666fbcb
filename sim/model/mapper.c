/* mapper.c - the default mapper: a valid, sensible mapping of any MAC layer on
 * any architecture, with no user input. It is deterministic:
 *   1. spatial: at every level with a fan-out, unroll the largest dims the
 *      arch allows on X and on Y (the dataflow hint orders the ties), up to two
 *      dims per axis, imperfect factors allowed;
 *   2. temporal: level by level from the innermost, grow the factor of the dim
 *      whose growth lowers the EDP most while every tile still fits, the rest
 *      of each dim going to the outermost level;
 *   3. loop order: at each level, the order (from a few reuse-oriented
 *      candidates) with the lowest EDP.
 * Each step keeps the mapping valid, so the result is valid whenever the
 * identity mapping (every factor at the outermost level) is. */
#include "pesim/model.h"

#include <stddef.h>
#include <string.h>

#include "nest/nest.h"

enum { G = PESIM_DIM_G, N = PESIM_DIM_N, K = PESIM_DIM_K, C = PESIM_DIM_C,
       P = PESIM_DIM_P, Q = PESIM_DIM_Q, R = PESIM_DIM_R, S = PESIM_DIM_S };

/* Preferred dims per axis for each dataflow hint (then any allowed dim). */
typedef struct pref {
    const char *dataflow;
    int x[PESIM_NDIMS], y[PESIM_NDIMS];
} pref;

static const pref prefs[] = {
    {"ws", {K, G, N, P, Q, C, R, S}, {C, R, S, G, K, N, P, Q}},
    {"os", {K, G, C, N, P, Q, R, S}, {P, Q, N, G, K, C, R, S}},
    {"is", {P, Q, N, G, K, C, R, S}, {C, R, S, G, K, N, P, Q}},
    {"rs", {P, Q, N, K, G, C, R, S}, {R, C, K, G, S, N, P, Q}},
    {"nvdla", {K, G, N, P, Q, C, R, S}, {C, R, S, G, K, N, P, Q}},
    {"any", {K, P, Q, N, G, C, R, S}, {C, R, S, G, K, P, Q, N}},
};

/* Candidate loop orders (outermost first); the innermost dims stay resident. */
static const uint8_t orders[][PESIM_NDIMS] = {
    {G, N, K, P, Q, C, R, S}, /* accumulate outputs in place (output reuse) */
    {G, N, P, Q, C, R, S, K}, /* K innermost: inputs reused across filters */
    {G, K, C, R, S, N, P, Q}, /* P, Q innermost: weights reused across pixels */
    {G, N, C, R, S, K, P, Q},
};

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Product of d's factors except the outermost temporal one (the remainder). */
static int64_t inner_product(const pesim_mapping *m, int d)
{
    return pesim_mapping_dim_product(m, (pesim_dim)d) / m->level[m->n_levels - 1].temporal[d];
}

/* Puts every dim's uncovered remainder at the outermost level. */
static void close_top(pesim_mapping *m, const pesim_layer *l)
{
    int top = m->n_levels - 1;
    for (int d = 0; d < PESIM_NDIMS; d++) {
        m->level[top].temporal[d] = 1;
        int64_t rest = pesim_mapping_dim_product(m, (pesim_dim)d);
        m->level[top].temporal[d] = cdiv(l->dim[d], rest);
    }
}

/* What one mapper call has scored: the last SEEN mappings' keys and scores
 * (about 29 KiB, on the mapper's stack). A hill-climb re-scores mappings it
 * has already met (a loop order that changes nothing, the state it started
 * from), so a hit saves a whole model evaluation and returns the very double
 * that evaluation returned. */
enum { SEEN = 16 };
typedef struct scorer {
    const pesim_arch *a;
    const pesim_layer *l;
    int n, next;                 /* keys held; the slot written next */
    pesim_mapping key[SEEN];
    uint64_t hash[SEEN];         /* of each key (key_hash) */
    double score[SEEN];
} scorer;

/* The key of m: m with every level's loop order cut to its dims of temporal
 * factor > 1, in order (the rest 0xFF). The model reads a temporal order only
 * through its loops that run (pesim_nest_digits_init: the dims whose digit can
 * pass 0, a subset of those of factor > 1 that only the factors decide), so
 * mappings with one key have one cost. (The mapper's orders are all
 * permutations: the model's structural check of an order passes them alike.)
 * Only m's n_levels levels are written (and compared), padding zeroed. */
static size_t key_bytes(const pesim_mapping *m)
{
    return offsetof(pesim_mapping, level) + (size_t)m->n_levels * sizeof m->level[0];
}

static void key_of(const pesim_mapping *m, pesim_mapping *k)
{
    memset(k, 0, key_bytes(m)); /* padding too: keys compare with memcmp */
    k->n_levels = m->n_levels;
    for (int lv = 0; lv < m->n_levels; lv++) {
        const pesim_level_map *lm = &m->level[lv];
        pesim_level_map *km = &k->level[lv];
        memcpy(km->temporal, lm->temporal, sizeof km->temporal);
        memcpy(km->spatial_x, lm->spatial_x, sizeof km->spatial_x);
        memcpy(km->spatial_y, lm->spatial_y, sizeof km->spatial_y);
        memcpy(km->order_x, lm->order_x, sizeof km->order_x);
        memcpy(km->order_y, lm->order_y, sizeof km->order_y);
        memcpy(km->bypass, lm->bypass, sizeof km->bypass);
        unsigned runs = 0; /* dims of temporal factor > 1 */
        for (int d = 0; d < PESIM_NDIMS; d++) runs |= (unsigned)(lm->temporal[d] > 1) << d;
        int n = 0;
        for (int i = 0; i < PESIM_NDIMS; i++)
            if ((runs >> (lm->order[i] & 7)) & 1u) km->order[n++] = lm->order[i];
        while (n < PESIM_NDIMS) km->order[n++] = 0xFF;
    }
}

/* A hash of key k's temporal factors and orders (what the hill-climb changes;
 * two keys with one hash are then compared in full). */
static uint64_t key_hash(const pesim_mapping *k)
{
    _Static_assert(sizeof k->level[0].order == sizeof(uint64_t), "an order is one word");
    uint64_t h = 0x9E3779B97F4A7C15u, w;
    for (int lv = 0; lv < k->n_levels; lv++) {
        const pesim_level_map *km = &k->level[lv];
        for (int d = 0; d < PESIM_NDIMS; d++) h = (h + (uint64_t)km->temporal[d]) * 0xFF51AFD7ED558CCDu;
        memcpy(&w, km->order, sizeof w);
        h = (h + w) * 0xFF51AFD7ED558CCDu;
    }
    return h;
}

/* EDP of m, or a negative value if invalid. */
static double score(scorer *sc, pesim_mapping *m)
{
    close_top(m, sc->l);
    pesim_mapping k;
    key_of(m, &k);
    const size_t used = key_bytes(m);
    const uint64_t h = key_hash(&k);
    for (int i = 0; i < sc->n; i++)
        if (sc->hash[i] == h && memcmp(&sc->key[i], &k, used) == 0) return sc->score[i];
    double s = -1.0;
    if (pesim_nest_tiles_fit(sc->a, sc->l, m, 0, NULL, NULL)) { /* an invalid one need not be modelled */
        pesim_cost c;
        pesim_model_evaluate(sc->a, sc->l, m, &c);
        s = c.valid ? c.edp_pj_cycles : -1.0;
    }
    memcpy(&sc->key[sc->next], &k, used);
    sc->hash[sc->next] = h, sc->score[sc->next] = s;
    sc->next = (sc->next + 1) % SEEN;
    if (sc->n < SEEN) sc->n++;
    return s;
}

static int better(double s, double best) { return s >= 0 && (best < 0 || s < best * (1 - 1e-12)); }

/* Growing a tile is taken at equal cost too: bigger tiles mean fewer, longer
 * transfers, which hide latency on a real machine (the analytical model does
 * not see latency, the cycle engine does). */
static int no_worse(double s, double best) { return s >= 0 && (best < 0 || s <= best * (1 + 1e-12)); }

/* Unrolls dims on one axis of level lv: up to two dims, largest factor first. */
static void unroll_axis(const pesim_arch *a, const pesim_layer *l, pesim_mapping *m, int lv, int axis_y,
                        const int *order)
{
    const pesim_level *v = &a->level[lv];
    int64_t room = axis_y ? v->fanout_y : v->fanout_x;
    uint32_t allowed = axis_y ? v->spatial_y_dims : v->spatial_x_dims;
    int64_t *f = axis_y ? m->level[lv].spatial_y : m->level[lv].spatial_x;
    for (int pick = 0; pick < 2 && room > 1; pick++) {
        int best_d = -1;
        int64_t best_f = 1;
        for (int i = 0; i < PESIM_NDIMS; i++) {
            int d = order[i];
            if (!((allowed >> d) & 1u) || f[d] > 1) continue;
            int64_t rem = cdiv(l->dim[d], inner_product(m, d));
            int64_t cand = rem < room ? rem : room;
            if (cand > best_f) best_f = cand, best_d = d;
        }
        if (best_d < 0) break;
        f[best_d] = best_f;
        room /= best_f;
    }
}

pesim_status pesim_mapper_default(const pesim_arch *a, const pesim_layer *l, pesim_mapping *out, pesim_error *e)
{
    if (!pesim_layer_has_macs(l))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, l->name, "layer has no MACs to map");
    const pref *pf = &prefs[sizeof prefs / sizeof prefs[0] - 1];
    for (size_t i = 0; i < sizeof prefs / sizeof prefs[0]; i++)
        if (strcmp(a->dataflow, prefs[i].dataflow) == 0) pf = &prefs[i];
    const int M = a->n_levels;
    pesim_mapping m;
    pesim_mapping_init(&m, M);
    scorer seen; /* its keys are written before they are read */
    seen.a = a, seen.l = l, seen.n = seen.next = 0;
    scorer *sc = &seen;

    /* 0. Identity; bypass what does not fit even one element. */
    double best = score(sc, &m);
    for (int lv = 0; lv < M - 1 && best < 0; lv++)
        for (int t = 0; t < PESIM_NTENSORS && best < 0; t++)
            if (a->level[lv].keeps[t]) {
                m.level[lv].bypass[t] = 1;
                best = score(sc, &m);
                if (best < 0) m.level[lv].bypass[t] = 0;
            }
    if (best < 0) {
        pesim_cost c;
        pesim_model_evaluate(a, l, &m, &c);
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, l->name, "no valid mapping: %s", c.reason);
    }

    /* 1. Spatial, outermost fan-out first; shrink a choice that breaks capacity. */
    for (int lv = M - 1; lv >= 0; lv--) {
        pesim_level_map saved = m.level[lv];
        unroll_axis(a, l, &m, lv, 0, pf->x);
        unroll_axis(a, l, &m, lv, 1, pf->y);
        for (int guard = 0; guard < 64; guard++) {
            double s = score(sc, &m);
            if (s >= 0) {
                best = s;
                break;
            }
            int shrunk = 0; /* halve the largest spatial factor */
            int64_t *big = NULL;
            for (int d = 0; d < PESIM_NDIMS; d++) {
                if (m.level[lv].spatial_x[d] > 1 && (!big || m.level[lv].spatial_x[d] > *big))
                    big = &m.level[lv].spatial_x[d];
                if (m.level[lv].spatial_y[d] > 1 && (!big || m.level[lv].spatial_y[d] > *big))
                    big = &m.level[lv].spatial_y[d];
            }
            if (big) *big = *big / 2 > 1 ? *big / 2 : 1, shrunk = 1;
            if (!shrunk) {
                m.level[lv] = saved;
                best = score(sc, &m);
                break;
            }
        }
    }

    /* 2. Temporal, innermost level first: hill-climb on EDP under capacity. */
    for (int lv = 0; lv < M - 1; lv++) {
        for (int guard = 0; guard < 256; guard++) {
            int best_d = -1;
            int64_t best_f = 0;
            double best_s = best;
            for (int d = 0; d < PESIM_NDIMS; d++) {
                int64_t cur = m.level[lv].temporal[d];
                m.level[lv].temporal[d] = 1;
                int64_t base = inner_product(&m, d);
                int64_t rem = cdiv(l->dim[d], base);
                m.level[lv].temporal[d] = cur;
                if (cur >= rem) continue;
                /* next factor that lowers the number of outer trips */
                int64_t trips = cdiv(rem, cur), f = cur + 1;
                while (f < rem && cdiv(rem, f) == trips) f++;
                m.level[lv].temporal[d] = f;
                double s = score(sc, &m);
                m.level[lv].temporal[d] = cur;
                if (best_d < 0 ? no_worse(s, best_s) : better(s, best_s)) best_s = s, best_d = d, best_f = f;
            }
            if (best_d < 0) break;
            m.level[lv].temporal[best_d] = best_f;
            best = best_s;
        }
        /* 3. loop order at this level */
        uint8_t keep[PESIM_NDIMS];
        memcpy(keep, m.level[lv].order, sizeof keep);
        for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
            memcpy(m.level[lv].order, orders[o], sizeof keep);
            double s = score(sc, &m);
            if (better(s, best)) best = s, memcpy(keep, orders[o], sizeof keep);
        }
        memcpy(m.level[lv].order, keep, sizeof keep);
    }
    /* the outermost level's order */
    {
        uint8_t keep[PESIM_NDIMS];
        memcpy(keep, m.level[M - 1].order, sizeof keep);
        for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
            memcpy(m.level[M - 1].order, orders[o], sizeof keep);
            double s = score(sc, &m);
            if (better(s, best)) best = s, memcpy(keep, orders[o], sizeof keep);
        }
        memcpy(m.level[M - 1].order, keep, sizeof keep);
    }
    close_top(&m, l);
    if (score(sc, &m) < 0)
        return pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, l->name, "default mapper lost validity");
    *out = m;
    return PESIM_OK;
}

pesim_status pesim_mapper_scalesim(const pesim_arch *a, const pesim_layer *l, const char *dataflow,
                                   pesim_layer *gemm, pesim_mapping *out, pesim_error *e)
{
    if (!pesim_layer_has_macs(l))
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, l->name, "layer has no MACs to map");
    int os = strcmp(dataflow, "os") == 0, ws = strcmp(dataflow, "ws") == 0, is = strcmp(dataflow, "is") == 0;
    if (!os && !ws && !is)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "dataflow", "'%s': expected os, ws or is", dataflow);
    int L = -1; /* the systolic level */
    for (int lv = 1; lv < a->n_levels && L < 0; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++)
            if (a->level[lv].noc[t].kind == PESIM_NOC_SYSTOLIC) L = lv;
    if (L < 0) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, a->name, "no systolic array level");
    pesim_tensor stat = os ? PESIM_OUTPUTS : ws ? PESIM_WEIGHTS : PESIM_INPUTS;
    if (!a->level[L - 1].keeps[stat])
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, a->level[L - 1].name,
                               "the PE level must keep the stationary %s", pesim_tensor_name(stat));
    const int64_t *d = l->dim;
    int64_t M = d[N] * d[P] * d[Q], NF = d[G] * d[K], KR = d[C] * d[R] * d[S];
    *gemm = *l;
    gemm->op = PESIM_OP_GEMM;
    for (int i = 0; i < PESIM_NDIMS; i++) gemm->dim[i] = 1;
    gemm->dim[P] = M, gemm->dim[K] = NF, gemm->dim[C] = KR;
    gemm->stride_h = gemm->stride_w = gemm->dilation_h = gemm->dilation_w = 1;
    gemm->pad_h = gemm->pad_w = 0;
    const pesim_level *v = &a->level[L];
    int64_t rows = v->fanout_y, cols = v->fanout_x;
    /* (dim on rows, dim on cols, streamed dim) */
    int dy = os ? P : C, dx = os ? K : ws ? K : P, dt = os ? C : ws ? P : K;
    pesim_mapping m;
    pesim_mapping_init(&m, a->n_levels);
    const int top = a->n_levels - 1;
    int64_t fy = rows < gemm->dim[dy] ? rows : gemm->dim[dy], fx = cols < gemm->dim[dx] ? cols : gemm->dim[dx];
    m.level[L].spatial_y[dy] = fy;
    m.level[L].spatial_x[dx] = fx;
    /* The folds walk at the outermost level; the streamed dim runs inside
     * them, in chunks whose tiles fit the buffers (chunks do not refold). */
    m.level[top].temporal[dy] = cdiv(gemm->dim[dy], fy);
    m.level[top].temporal[dx] = cdiv(gemm->dim[dx], fx);
    uint8_t order[PESIM_NDIMS] = {G, N, Q, R, S, 0, 0, 0};
    order[5] = (uint8_t)dy, order[6] = (uint8_t)dx, order[7] = (uint8_t)dt;
    memcpy(m.level[top].order, order, sizeof order);
    memcpy(m.level[L].order, order, sizeof order);
    /* the PE level keeps only the stationary tensor; levels between bypass all but it */
    for (int lv = 0; lv < L; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) m.level[lv].bypass[t] = t != (int)stat || lv != L - 1;
    int64_t T = gemm->dim[dt], chunk = T;
    for (;;) {
        m.level[L].temporal[dt] = chunk;
        m.level[top].temporal[dt] = cdiv(T, chunk);
        pesim_cost c;
        pesim_model_evaluate(a, gemm, &m, &c);
        if (c.valid || chunk == 1) break;
        chunk = cdiv(chunk, 2);
    }
    pesim_error err;
    if (pesim_mapping_check(&m, a, gemm, &err) != PESIM_OK)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, a->name, "%s", err.msg);
    *out = m;
    return PESIM_OK;
}
