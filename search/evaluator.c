/* evaluator.c - the evaluator service (docs/search.md "Evaluator"): batches
 * of candidates in, results out in input order.
 *
 * Per candidate: decode (structural validity) -> design hash -> cache ->
 * (hardware-only spaces: the default mapper per layer) -> the analytical
 * model or the cycle engine per MAC layer, summed (placement spaces: one
 * whole-network run of sim/net per placement) -> budgets -> objective.
 * Workers: threads - 1 pthreads plus the calling thread pull candidates from
 * an atomic counter; each owns its decode buffers, so the analytical path
 * allocates nothing per evaluation. The cache is set-associative (4 ways,
 * round-robin replacement) under one mutex, keyed by (design hash, fidelity). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/engine.h"
#include "pesim/model.h"
#include "space_impl.h"

#define CACHE_WAYS 4
#define CACHE_DEFAULT_ENTRIES (1 << 16) /* 3.6 MB + the 1 MB reason ring, pre-touched at creation */

/* A cached result, compact: a lookup touches one line of keys (a set), a
 * hit one line of values. The reasons of invalid results go to a ring
 * written sequentially (cheap on the cache, unlike scattered 192-byte
 * slots); a reason the ring has since overwritten makes its entry a miss. */
typedef struct cache_value {
    double objective, energy_pj, area_um2;
    int64_t cycles;
    uint64_t reason_at;     /* absolute ring position of the reason (invalid only) */
    int32_t valid;
    pesim_violation violation;
} cache_value;

#define REASON_RING (1u << 20) /* bytes */

typedef struct worker {
    struct pesim_evaluator *ev;
    pthread_t th;
    int started;
    pesim_design d;         /* d.arch preset with the base arch (fixed-arch spaces) */
    pesim_net *net;         /* placement: this worker's whole-network simulation */
    pesim_cost cost;
    int64_t requested, hits, evaluated, invalid; /* this worker's counts */
} worker;

struct pesim_evaluator {
    pesim_space *s;
    pesim_eval_options opt;
    int fixed_arch;         /* no hardware parameters: workers keep the arch */
    double area_um2;        /* of the fixed arch */

    int32_t n_workers;      /* worker 0 is the calling thread */
    worker *w;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    uint64_t gen;
    int stop, running;
    const int32_t *batch;
    int32_t batch_n;
    pesim_fidelity batch_f;
    pesim_result *batch_out;
    pesim_cost *batch_costs;  /* pesim_evaluator_run_detail: n x n_mac, else NULL */
    atomic_int next;

    pthread_mutex_t cache_mu;
    uint64_t *cache_key;    /* sets x CACHE_WAYS; 0 = empty */
    cache_value *cache_val;
    char *ring;             /* REASON_RING bytes */
    uint64_t ring_pos;      /* bytes written so far (absolute) */
    uint32_t cache_sets;    /* power of two */
    uint8_t *cache_rr;      /* next way to replace, per set */
};

/* ------------------------------------------------------------ names */

static const char *const objective_names[] = {"latency", "energy", "edp", "weighted"};
static const char *const fidelity_names[] = {"analytical", "cycle"};

const char *pesim_objective_name(pesim_objective o)
{
    return (unsigned)o < 4 ? objective_names[o] : "?";
}

int pesim_objective_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, objective_names[i]) == 0) return i;
    return -1;
}

const char *pesim_fidelity_name(pesim_fidelity f) { return (unsigned)f < 2 ? fidelity_names[f] : "?"; }

int pesim_fidelity_parse(const char *s)
{
    for (int i = 0; s && i < 2; i++)
        if (strcmp(s, fidelity_names[i]) == 0) return i;
    return -1;
}

/* ------------------------------------------------------------- helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t cache_key(uint64_t hash, pesim_fidelity f)
{
    uint64_t k = srch_hfinal(hash ^ (0x51ed270b27a3c1d5ULL * ((uint64_t)f + 1)));
    return k ? k : 1;
}

/* Copies a cached result into out (reason included); 1 on a hit. */
static int cache_get(pesim_evaluator *ev, uint64_t key, pesim_result *out)
{
    if (!ev->cache_key) return 0;
    int hit = 0;
    if (ev->n_workers > 1) pthread_mutex_lock(&ev->cache_mu);
    size_t base = (size_t)(key & (ev->cache_sets - 1)) * CACHE_WAYS;
    for (int i = 0; i < CACHE_WAYS; i++)
        if (ev->cache_key[base + (size_t)i] == key) {
            const cache_value *v = &ev->cache_val[base + (size_t)i];
            if (!v->valid) {
                if (ev->ring_pos - v->reason_at > REASON_RING - PESIM_REASON_MAX) break; /* overwritten */
                const char *src = ev->ring + v->reason_at % REASON_RING;
                memcpy(out->reason, src, strlen(src) + 1);
            }
            out->valid = v->valid;
            out->violation = v->violation;
            out->objective = v->objective;
            out->energy_pj = v->energy_pj;
            out->area_um2 = v->area_um2;
            out->cycles = v->cycles;
            hit = 1;
            break;
        }
    if (ev->n_workers > 1) pthread_mutex_unlock(&ev->cache_mu);
    return hit;
}

static void cache_put(pesim_evaluator *ev, uint64_t key, const pesim_result *r)
{
    if (!ev->cache_key) return;
    if (ev->n_workers > 1) pthread_mutex_lock(&ev->cache_mu);
    size_t si = (size_t)(key & (ev->cache_sets - 1)), base = si * CACHE_WAYS;
    int way = -1;
    for (int i = 0; i < CACHE_WAYS && way < 0; i++)
        if (ev->cache_key[base + (size_t)i] == key || ev->cache_key[base + (size_t)i] == 0) way = i;
    if (way < 0) {
        way = ev->cache_rr[si];
        ev->cache_rr[si] = (uint8_t)((way + 1) % CACHE_WAYS);
    }
    size_t at = base + (size_t)way;
    ev->cache_key[at] = key;
    cache_value *v = &ev->cache_val[at];
    v->valid = r->valid;
    v->violation = r->violation;
    v->objective = r->objective;
    v->energy_pj = r->energy_pj;
    v->area_um2 = r->area_um2;
    v->cycles = r->cycles;
    if (!r->valid) {
        size_t k = strnlen(r->reason, sizeof r->reason - 1);
        uint64_t off = ev->ring_pos % REASON_RING;
        if (off + k + 1 > REASON_RING) ev->ring_pos += REASON_RING - off, off = 0; /* wrap */
        memcpy(ev->ring + off, r->reason, k);
        ev->ring[off + k] = '\0';
        v->reason_at = ev->ring_pos;
        ev->ring_pos += k + 1;
    }
    if (ev->n_workers > 1) pthread_mutex_unlock(&ev->cache_mu);
}

static void set_invalid(pesim_result *r) { r->valid = 0, r->objective = PESIM_INVALID_PENALTY; }

/* dst = src, truncated to n (no printf on the hot path). */
static void copy_reason(char *dst, size_t n, const char *src)
{
    size_t k = strlen(src);
    if (k >= n) k = n - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

/* dst = "layer NAME: msg", truncated to n. */
static void layer_reason(char *dst, size_t n, const char *layer, const char *msg)
{
    int k = snprintf(dst, n, "layer %s: ", layer);
    if (k >= 0 && (size_t)k < n) snprintf(dst + k, n - (size_t)k, "%s", msg);
}

/* ------------------------------------------------------- evaluation */

/* One MAC layer's cost (not of a placement design: that is one
 * whole-network run, space_place.c). 1 if valid, else 0 with c->reason and
 * c->violation. */
static int layer_cost(pesim_evaluator *ev, worker *w, int32_t i, pesim_fidelity f, pesim_cost *c)
{
    const pesim_space *s = ev->s;
    pesim_design *d = &w->d;
    const pesim_layer *l = &s->net.layers[s->mac[i]];
    pesim_status st = f == PESIM_FIDELITY_CYCLE ? pesim_engine_run(&d->arch, l, &d->mappings[i], NULL, c, NULL)
                                                : pesim_model_evaluate(&d->arch, l, &d->mappings[i], c);
    if (st == PESIM_OK && c->valid) return 1;
    c->valid = 0;
    if (!c->reason[0]) copy_reason(c->reason, sizeof c->reason, pesim_status_name(st));
    if (c->violation.kind == PESIM_VIOLATION_NONE) c->violation = pesim_violation_make(PESIM_VIOLATION_OTHER);
    c->violation.layer = s->mac[i];
    return 0;
}

/* Marks r invalid with violation kind k. */
static void violate(pesim_result *r, pesim_violation_kind k, double amount, double limit)
{
    r->violation = pesim_violation_make(k);
    r->violation.amount = amount, r->violation.limit = limit;
}

/* Evaluates a decoded design: fills valid, reason, violation, cycles,
 * energy, area. With costs (n_mac entries), every layer is evaluated and its
 * cost kept; without, the first invalid layer ends the evaluation. */
static void eval_design(pesim_evaluator *ev, worker *w, pesim_fidelity f, pesim_result *r, pesim_cost *costs)
{
    const pesim_space *s = ev->s;
    pesim_design *d = &w->d;
    r->area_um2 = ev->fixed_arch ? ev->area_um2 : pesim_arch_area_um2(&d->arch);
    if (ev->opt.area_budget_um2 > 0 && r->area_um2 > ev->opt.area_budget_um2) {
        snprintf(r->reason, sizeof r->reason, "area %.6g um2 exceeds the budget %.6g um2", r->area_um2,
                 ev->opt.area_budget_um2);
        violate(r, PESIM_VIOLATION_AREA, r->area_um2, ev->opt.area_budget_um2);
        return;
    }
    if (!srch_complete(s, d, r->reason, sizeof r->reason, &r->violation)) return;
    int64_t cycles = 0;
    double energy = 0;
    int bad = 0;
    if (s->kind == SPACE_PLACEMENT) { /* one whole-network run; its MAC layers' costs when asked */
        if (!srch_place_eval(s, w->net, &d->placement, f, r, costs)) return;
        cycles = r->cycles;
        energy = r->energy_pj;
    }
    for (int32_t i = 0; i < s->n_mac && s->kind != SPACE_PLACEMENT; i++) {
        const pesim_layer *l = &s->net.layers[s->mac[i]];
        pesim_cost *c = costs ? &costs[i] : &w->cost;
        int ok = layer_cost(ev, w, i, f, c);
        if (!ok && !bad) {
            if (s->n_mac > 1 || s->kind != SPACE_LAYER)
                layer_reason(r->reason, sizeof r->reason, l->name, c->reason);
            else
                copy_reason(r->reason, sizeof r->reason, c->reason);
            r->violation = c->violation;
        }
        if (!ok) {
            bad = 1;
            if (!costs) return;
            continue;
        }
        cycles += c->cycles;
        energy += c->energy_pj;
    }
    if (bad) return;
    r->cycles = cycles;
    r->energy_pj = energy;
    if (ev->opt.power_budget_mw > 0 && cycles > 0) {
        double mw = energy * d->arch.clock_mhz / (double)cycles * 1e-3; /* pJ per cycle x MHz = uW */
        if (mw > ev->opt.power_budget_mw) {
            snprintf(r->reason, sizeof r->reason, "power %.6g mW exceeds the budget %.6g mW", mw,
                     ev->opt.power_budget_mw);
            violate(r, PESIM_VIOLATION_POWER, mw, ev->opt.power_budget_mw);
            return;
        }
    }
    r->valid = 1;
    r->objective = pesim_objective_value(&ev->opt, cycles, energy, r->area_um2);
}

double pesim_objective_value(const pesim_eval_options *o, int64_t cycles, double energy_pj, double area_um2)
{
    double cyc = (double)cycles;
    switch (o->objective) {
    case PESIM_OBJ_LATENCY: return cyc;
    case PESIM_OBJ_ENERGY: return energy_pj;
    case PESIM_OBJ_EDP: return energy_pj * cyc;
    case PESIM_OBJ_WEIGHTED: break;
    }
    return o->w_latency * log(cyc > 1 ? cyc : 1) + o->w_energy * log(energy_pj > 1 ? energy_pj : 1) +
           o->w_area * log(area_um2 > 1 ? area_um2 : 1);
}

/* Every layer of a design that failed before its layers were evaluated
 * carries the design's reason and violation. */
static void fill_costs(const pesim_evaluator *ev, const pesim_result *r, pesim_cost *costs)
{
    for (int32_t i = 0; i < ev->s->n_mac; i++) {
        memset(&costs[i], 0, sizeof costs[i]);
        copy_reason(costs[i].reason, sizeof costs[i].reason, r->reason);
        costs[i].violation = r->violation;
    }
}

static void eval_one(pesim_evaluator *ev, worker *w, const int32_t *ch, pesim_fidelity f, pesim_result *r,
                     pesim_cost *costs)
{
    double t0 = now_s();
    r->valid = 0;
    r->reason[0] = '\0';
    r->violation = pesim_violation_make(PESIM_VIOLATION_NONE);
    r->objective = PESIM_INVALID_PENALTY;
    r->cycles = 0;
    r->energy_pj = 0;
    r->area_um2 = 0;
    r->design_hash = 0;
    r->fidelity = f;
    r->cached = 0;
    w->requested++;
    if (!srch_decode(ev->s, ch, &w->d, ev->fixed_arch, r->reason, sizeof r->reason, &r->violation)) {
        w->invalid++;
        r->wall_s = now_s() - t0;
        if (costs) fill_costs(ev, r, costs);
        return;
    }
    r->design_hash = w->d.hash;
    uint64_t key = cache_key(w->d.hash, f);
    if (costs) { /* detail: not cached */
        for (int32_t i = 0; i < ev->s->n_mac; i++) costs[i].valid = -1;
        eval_design(ev, w, f, r, costs);
        if (!r->valid) {
            set_invalid(r);
            w->invalid++;
            if (costs[0].valid == -1) fill_costs(ev, r, costs);
        }
        w->evaluated++;
        r->wall_s = now_s() - t0;
        return;
    }
    if (cache_get(ev, key, r)) {
        w->hits++;
        w->invalid += !r->valid;
        r->cached = 1;
        r->wall_s = 0;
        return;
    }
    eval_design(ev, w, f, r, NULL);
    if (!r->valid) {
        set_invalid(r);
        w->invalid++;
    }
    w->evaluated++;
    r->wall_s = now_s() - t0;
    cache_put(ev, key, r);
}

static void run_share(pesim_evaluator *ev, worker *w)
{
    const int32_t np = ev->s->n_params;
    if (ev->n_workers == 1) { /* no atomics on one thread */
        for (int32_t i = 0; i < ev->batch_n; i++)
            eval_one(ev, w, ev->batch + (size_t)i * (size_t)np, ev->batch_f, &ev->batch_out[i],
                     ev->batch_costs ? ev->batch_costs + (size_t)i * (size_t)ev->s->n_mac : NULL);
        return;
    }
    for (;;) {
        int i = atomic_fetch_add_explicit(&ev->next, 1, memory_order_relaxed);
        if (i >= ev->batch_n) break;
        eval_one(ev, w, ev->batch + (size_t)i * (size_t)np, ev->batch_f, &ev->batch_out[i],
                 ev->batch_costs ? ev->batch_costs + (size_t)i * (size_t)ev->s->n_mac : NULL);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pesim_evaluator *ev = w->ev;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&ev->mu);
        while (ev->gen == seen && !ev->stop) pthread_cond_wait(&ev->go, &ev->mu);
        if (ev->stop) {
            pthread_mutex_unlock(&ev->mu);
            return NULL;
        }
        seen = ev->gen;
        pthread_mutex_unlock(&ev->mu);
        run_share(ev, w);
        pthread_mutex_lock(&ev->mu);
        if (--ev->running == 0) pthread_cond_signal(&ev->done);
        pthread_mutex_unlock(&ev->mu);
    }
}

/* ------------------------------------------------------------ public */

static pesim_status worker_init(pesim_evaluator *ev, worker *w, pesim_error *e)
{
    const pesim_space *s = ev->s;
    w->ev = ev;
    size_t nm = s->n_mac > 0 ? (size_t)s->n_mac : 1;
    w->d.arch = s->arch;
    w->d.mappings = calloc(nm, sizeof *w->d.mappings);
    if (!w->d.mappings) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "evaluator", "out of memory");
    if (s->kind == SPACE_PLACEMENT) {
        pesim_status st = pesim_placement_init(&w->d.placement, s->net.n_layers, s->arch.n_levels - 1, e);
        if (st) return st;
        if ((st = srch_place_net(s, &w->net, e))) return st;
    }
    return PESIM_OK;
}

pesim_status pesim_evaluator_create(pesim_space *s, const pesim_network *net, const pesim_eval_options *opt,
                                    pesim_evaluator **out, pesim_error *e)
{
    if (!out) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "evaluator", "NULL output");
    *out = NULL;
    if (!s) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "evaluator", "NULL space");
    if (net && net->n_layers != s->net.n_layers)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "evaluator",
                               "network '%s' has %d layers, the space's workload %d", net->name, (int)net->n_layers,
                               (int)s->net.n_layers);
    pesim_eval_options o;
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    if ((unsigned)o.objective > PESIM_OBJ_WEIGHTED)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "objective", "unknown objective %d", (int)o.objective);
    if (o.objective == PESIM_OBJ_WEIGHTED &&
        (o.w_latency < 0 || o.w_energy < 0 || o.w_area < 0 || o.w_latency + o.w_energy + o.w_area <= 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "weights",
                               "the weighted objective needs weights >= 0, not all 0");
    if (o.area_budget_um2 < 0 || o.power_budget_mw < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "budget", "budgets must be >= 0 (0 = none)");
    if (o.threads < 0 || o.threads > 1024)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "threads", "threads must be in [0, 1024]");
    if (o.cache_entries < 0)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "cache_entries", "must be >= 0 (0 = default)");
    if (o.threads == 0) o.threads = 1;

    pesim_evaluator *ev = calloc(1, sizeof *ev);
    if (!ev) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "evaluator", "out of memory");
    ev->s = s;
    ev->opt = o;
    ev->fixed_arch = s->n_hw == 0;
    ev->area_um2 = pesim_arch_area_um2(&s->arch);
    pthread_mutex_init(&ev->mu, NULL);
    pthread_mutex_init(&ev->cache_mu, NULL);
    pthread_cond_init(&ev->go, NULL);
    pthread_cond_init(&ev->done, NULL);
    pesim_status st = PESIM_OK;

    uint32_t want = o.cache_entries ? (uint32_t)o.cache_entries : CACHE_DEFAULT_ENTRIES, sets = 1;
    while ((uint64_t)sets * CACHE_WAYS < want && sets < (1u << 26)) sets <<= 1;
    ev->cache_sets = sets;
    const size_t slots = (size_t)sets * CACHE_WAYS;
    ev->cache_key = malloc(slots * sizeof *ev->cache_key);
    ev->cache_val = malloc(slots * sizeof *ev->cache_val);
    ev->ring = malloc(REASON_RING);
    ev->cache_rr = calloc(sets, 1);
    if (!ev->cache_key || !ev->cache_val || !ev->ring || !ev->cache_rr) {
        st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "evaluator", "out of memory");
    } else { /* touched now, so that no evaluation pays a page fault on first use */
        memset(ev->cache_key, 0, slots * sizeof *ev->cache_key);
        memset(ev->cache_val, 0, slots * sizeof *ev->cache_val);
        memset(ev->ring, 0, REASON_RING);
    }

    if (!st) {
        ev->w = calloc((size_t)o.threads, sizeof *ev->w);
        if (!ev->w) st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "evaluator", "out of memory");
        else ev->n_workers = o.threads;
    }
    for (int32_t i = 0; !st && i < ev->n_workers; i++) st = worker_init(ev, &ev->w[i], e);
    for (int32_t i = 1; !st && i < ev->n_workers; i++) {
        if (pthread_create(&ev->w[i].th, NULL, worker_main, &ev->w[i]) != 0)
            st = pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "threads", "could not start worker thread %d of %d",
                                 (int)i + 1, (int)o.threads);
        else
            ev->w[i].started = 1;
    }
    if (st) {
        pesim_evaluator_destroy(ev);
        return st;
    }
    *out = ev;
    return PESIM_OK;
}

void pesim_evaluator_destroy(pesim_evaluator *ev)
{
    if (!ev) return;
    pthread_mutex_lock(&ev->mu);
    ev->stop = 1;
    pthread_cond_broadcast(&ev->go);
    pthread_mutex_unlock(&ev->mu);
    for (int32_t i = 0; i < ev->n_workers; i++) {
        worker *w = &ev->w[i];
        if (w->started) pthread_join(w->th, NULL);
        free(w->d.mappings);
        pesim_placement_free(&w->d.placement);
        pesim_net_destroy(w->net);
    }
    free(ev->w);
    free(ev->cache_key);
    free(ev->cache_val);
    free(ev->ring);
    free(ev->cache_rr);
    pthread_mutex_destroy(&ev->mu);
    pthread_mutex_destroy(&ev->cache_mu);
    pthread_cond_destroy(&ev->go);
    pthread_cond_destroy(&ev->done);
    free(ev);
}

static pesim_status run_batch(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                              pesim_result *out, pesim_cost *costs)
{
    if (!ev || n < 0 || (n > 0 && (!choices || !out))) return PESIM_ERR_INVALID;
    if ((unsigned)f > PESIM_FIDELITY_CYCLE) return PESIM_ERR_INVALID;
    if (n == 0) return PESIM_OK;
    ev->batch_costs = costs;
    ev->batch = choices;
    ev->batch_n = n;
    ev->batch_f = f;
    ev->batch_out = out;
    atomic_store(&ev->next, 0);
    int helpers = ev->n_workers - 1;
    if (helpers > 0 && n > 1) {
        pthread_mutex_lock(&ev->mu);
        ev->running = helpers;
        ev->gen++;
        pthread_cond_broadcast(&ev->go);
        pthread_mutex_unlock(&ev->mu);
        run_share(ev, &ev->w[0]);
        pthread_mutex_lock(&ev->mu);
        while (ev->running > 0) pthread_cond_wait(&ev->done, &ev->mu);
        pthread_mutex_unlock(&ev->mu);
    } else {
        run_share(ev, &ev->w[0]);
    }
    return PESIM_OK;
}

pesim_status pesim_evaluator_run(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                                 pesim_result *out)
{
    return run_batch(ev, choices, n, f, out, NULL);
}

pesim_status pesim_evaluator_run_detail(pesim_evaluator *ev, const int32_t *choices, int32_t n, pesim_fidelity f,
                                        pesim_result *out, pesim_cost *costs)
{
    if (n > 0 && !costs) return PESIM_ERR_INVALID;
    return run_batch(ev, choices, n, f, out, costs);
}

void pesim_evaluator_stats(const pesim_evaluator *ev, pesim_eval_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!ev) return;
    /* the workers' counts are complete when pesim_evaluator_run returns */
    for (int32_t i = 0; i < ev->n_workers; i++) {
        out->requested += ev->w[i].requested;
        out->cache_hits += ev->w[i].hits;
        out->evaluated += ev->w[i].evaluated;
        out->invalid += ev->w[i].invalid;
    }
}

pesim_space *pesim_evaluator_space(const pesim_evaluator *ev) { return ev ? ev->s : NULL; }
