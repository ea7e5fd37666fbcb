/* search_bench.c - the search loop at model speed (scripts/bench_search_loop.sh).
 *
 * usage: search_bench ARCH WORKLOAD LAYER THREADS [N] [BATCH] [CYCLE_N] [DIR]
 *
 * On one layer's mapping space (the one-dim spatial encoding, so that every
 * uniform candidate decodes and the model sees all of them), N uniform random
 * candidates:
 *   model    pesim_model_evaluate on the decoded mappings, one thread (the
 *            raw model's rate: what every other line is compared with);
 *   evaluator pesim_evaluator_run with THREADS threads (decode, hash,
 *            cache, model);
 *   search   a whole campaign, algorithm random, batch BATCH, THREADS
 *            threads, every evaluation committed to a store in DIR (the
 *            path `pesim search --algo random` takes);
 *   search, no store   the same campaign without a store;
 * then CYCLE_N valid candidates (masked step decode) through the cycle
 * engine with 1 and THREADS threads (the cycle fidelity's scaling).
 * Prints evaluations per second and each rate / the raw model's. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pesim/config.h"
#include "pesim/model.h"
#include "pesim/search.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;
static double u01(void *ctx)
{
    (void)ctx;
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static void line(const char *what, int threads, int64_t n, double secs, double model_rate)
{
    double rate = (double)n / secs;
    printf("%-28s threads %2d  %10.0f evaluations/s", what, threads, rate);
    if (model_rate > 0) printf("  (%.2fx the raw model on 1 thread)", rate / model_rate);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: search_bench ARCH WORKLOAD LAYER THREADS [N] [BATCH] [CYCLE_N] [DIR]\n");
        return 2;
    }
    const int threads = atoi(argv[4]);
    const int64_t n = argc > 5 ? atoll(argv[5]) : 400000;
    const int batch = argc > 6 ? atoi(argv[6]) : 4096;
    const int cycle_n = argc > 7 ? atoi(argv[7]) : 64;
    const char *dir = argc > 8 ? argv[8] : "/tmp";
    pesim_arch arch;
    pesim_network net;
    pesim_error e;
    if (pesim_arch_load(argv[1], &arch, &e) || pesim_network_load(argv[2], &net, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    int32_t li = pesim_network_find(&net, argv[3]);
    if (li < 0 || threads < 1 || n < 1 || batch < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    const pesim_layer *l = &net.layers[li];
    pesim_space *s;
    pesim_space_options so = {PESIM_ORDER_RANK, PESIM_SPATIAL_DIM_FACTOR};
    if (pesim_space_mapping_opt(&arch, l, &so, &s, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    const int32_t np = pesim_space_n_params(s);
    printf("%s %s %s: %d parameters, %lld candidates, batch %d\n", arch.name, net.name, argv[3], (int)np,
           (long long)n, batch);

    /* the raw model: decode first (not timed), then the model alone */
    const int64_t nm = n < 200000 ? n : 200000;
    pesim_mapping *maps = malloc((size_t)nm * sizeof *maps);
    int32_t *x = malloc((size_t)n * (size_t)np * sizeof *x);
    for (int64_t k = 0; k < n; k++)
        for (int32_t i = 0; i < np; i++)
            x[k * np + i] = (int32_t)(u01(NULL) * pesim_space_param(s, i)->n_choices);
    int64_t decoded = 0;
    for (int64_t k = 0; k < nm; k++) {
        pesim_design d;
        if (pesim_space_decode(s, x + k * np, &d, NULL, 0)) maps[decoded++] = d.mappings[0];
    }
    pesim_cost cost;
    double t0 = now_s();
    int64_t valid = 0;
    for (int64_t k = 0; k < decoded; k++) {
        pesim_model_evaluate(&arch, l, &maps[k], &cost);
        valid += cost.valid;
    }
    double model_rate = (double)decoded / (now_s() - t0);
    line("model (decoded mappings)", 1, decoded, (double)decoded / model_rate, 0);
    printf("  (%lld of %lld candidates decode, %lld of those valid)\n", (long long)decoded, (long long)nm,
           (long long)valid);

    /* the evaluator */
    pesim_eval_options eo;
    memset(&eo, 0, sizeof eo);
    eo.objective = PESIM_OBJ_EDP;
    for (int t = 1; t <= threads; t = t == threads ? threads + 1 : (2 * t > threads ? threads : 2 * t)) {
        eo.threads = t;
        pesim_evaluator *ev;
        pesim_evaluator_create(s, NULL, &eo, &ev, &e);
        pesim_result *r = malloc((size_t)batch * sizeof *r);
        t0 = now_s();
        for (int64_t k = 0; k < n; k += batch) {
            int32_t m = (int32_t)(n - k < batch ? n - k : batch);
            pesim_evaluator_run(ev, x + k * np, m, PESIM_FIDELITY_ANALYTICAL, r);
        }
        line("evaluator", t, n, now_s() - t0, model_rate);
        free(r);
        pesim_evaluator_destroy(ev);
    }

    /* the whole campaign, with and without a store */
    for (int with_store = 1; with_store >= 0; with_store--)
        for (int t = 1; t <= threads; t = t == threads ? threads + 1 : (2 * t > threads ? threads : 2 * t)) {
            char db[4096];
            snprintf(db, sizeof db, "%s/search_bench_%d.db", dir, (int)getpid());
            pesim_store *st = NULL;
            if (with_store && pesim_store_open(db, &st, &e)) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
            }
            pesim_campaign_options o;
            memset(&o, 0, sizeof o);
            o.algo = "random";
            o.seed = 1;
            o.budget = n;
            o.batch = batch;
            o.eval = eo;
            o.eval.threads = t;
            o.label = "bench";
            pesim_campaign *c;
            if (pesim_campaign_create(s, st, &o, &c, &e)) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
            }
            t0 = now_s();
            pesim_campaign_run(c, &e);
            double dt = now_s() - t0;
            line(with_store ? "search (random, store)" : "search (random, no store)", t,
                 pesim_campaign_get_report(c)->samples, dt, model_rate);
            pesim_campaign_destroy(c);
            pesim_store_close(st);
            if (with_store) {
                char f[4200];
                unlink(db);
                snprintf(f, sizeof f, "%s-wal", db), unlink(f);
                snprintf(f, sizeof f, "%s-shm", db), unlink(f);
            }
        }

    /* the cycle engine on valid candidates */
    pesim_cursor *cur;
    pesim_cursor_create(s, &eo, &cur, &e);
    pesim_evaluator *ev1;
    eo.threads = 1;
    pesim_evaluator_create(s, NULL, &eo, &ev1, &e);
    int32_t *v = malloc((size_t)cycle_n * (size_t)np * sizeof *v);
    int got = 0;
    for (int tries = 0; got < cycle_n && tries < 100 * cycle_n; tries++) {
        pesim_result r;
        pesim_cursor_reset(cur);
        pesim_cursor_sample(cur, u01, NULL, v + (size_t)got * np);
        pesim_evaluator_run(ev1, v + (size_t)got * np, 1, PESIM_FIDELITY_ANALYTICAL, &r);
        got += r.valid;
    }
    pesim_evaluator_destroy(ev1);
    pesim_cursor_destroy(cur);
    pesim_result *r = malloc((size_t)(got > 0 ? got : 1) * sizeof *r);
    double one = 0;
    for (int t = 1; t <= threads && got > 0; t = t == threads ? threads + 1 : (2 * t > threads ? threads : 2 * t)) {
        eo.threads = t;
        pesim_evaluator *ev;
        pesim_evaluator_create(s, NULL, &eo, &ev, &e);
        t0 = now_s();
        pesim_evaluator_run(ev, v, got, PESIM_FIDELITY_CYCLE, r);
        double dt = now_s() - t0;
        if (t == 1) one = dt;
        printf("%-28s threads %2d  %10.1f evaluations/s  (%.2fx one thread; %d valid candidates)\n", "cycle engine", t,
               got / dt, one / dt, got);
        pesim_evaluator_destroy(ev);
    }
    free(r);
    free(v);
    free(x);
    free(maps);
    pesim_space_destroy(s);
    pesim_network_free(&net);
    return 0;
}
