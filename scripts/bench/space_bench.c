/* space_bench.c - the valid share of uniform random sampling in a layer's
 * mapping space, per encoding, and of the masked step decode
 * (scripts/bench_space.sh runs it on the layer set of docs/search.md).
 *
 * usage: space_bench ARCH WORKLOAD LAYER [N] [SEED]
 * For each spatial encoding (factors, dim): N uniform random candidates are
 * evaluated analytically; the output counts the valid ones and the invalid
 * ones by violation kind. Then N candidates of the masked step decode
 * (pesim_cursor_sample) are evaluated the same way. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/config.h"
#include "pesim/search.h"

static uint64_t rng_state;
static double u01(void *ctx)
{
    (void)ctx;
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const char *what, const pesim_result *r, int n, double secs)
{
    int counts[PESIM_VIOLATION_KIND_COUNT] = {0}, valid = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].valid) valid++;
        else counts[r[i].violation.kind]++;
    }
    printf("  %-22s valid %5.1f%%", what, 100.0 * valid / n);
    for (int k = 1; k < PESIM_VIOLATION_KIND_COUNT; k++)
        if (counts[k]) printf("  %s %.1f%%", pesim_violation_name((pesim_violation_kind)k), 100.0 * counts[k] / n);
    if (secs > 0) printf("  (%.1f us per candidate)", 1e6 * secs / n);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: space_bench ARCH WORKLOAD LAYER [N] [SEED]\n");
        return 2;
    }
    int n = argc > 4 ? atoi(argv[4]) : 10000;
    uint64_t seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
    pesim_arch arch;
    pesim_network net;
    pesim_error e;
    if (pesim_arch_load(argv[1], &arch, &e) || pesim_network_load(argv[2], &net, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    int32_t li = pesim_network_find(&net, argv[3]);
    if (li < 0 || n < 1) {
        fprintf(stderr, "no layer %s (or N < 1)\n", argv[3]);
        return 2;
    }
    printf("%s %s %s: %d candidates\n", arch.name, net.name, argv[3], n);
    pesim_result *r = malloc((size_t)n * sizeof *r);
    for (int enc = 0; enc < 2; enc++) {
        pesim_space_options o = {PESIM_ORDER_RANK, enc ? PESIM_SPATIAL_DIM_FACTOR : PESIM_SPATIAL_FACTORS};
        pesim_space *s;
        pesim_evaluator *ev;
        pesim_eval_options eo;
        memset(&eo, 0, sizeof eo);
        eo.objective = PESIM_OBJ_EDP;
        eo.cache_entries = 4;
        if (pesim_space_mapping_opt(&arch, &net.layers[li], &o, &s, &e) ||
            pesim_evaluator_create(s, NULL, &eo, &ev, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        int32_t np = pesim_space_n_params(s);
        int32_t *x = malloc((size_t)n * (size_t)np * sizeof *x);
        rng_state = seed * 0x9E3779B97F4A7C15ull | 1;
        for (int k = 0; k < n; k++)
            for (int32_t i = 0; i < np; i++)
                x[(size_t)k * np + i] = (int32_t)(u01(NULL) * pesim_space_param(s, i)->n_choices);
        pesim_evaluator_run(ev, x, n, PESIM_FIDELITY_ANALYTICAL, r);
        printf(" encoding spatial=%s (10^%.1f points)\n", enc ? "dim" : "factors", pesim_space_log10_size(s));
        report("uniform random", r, n, 0);
        pesim_cursor *c;
        pesim_cursor_create(s, &eo, &c, &e);
        double t0 = now_s();
        for (int k = 0; k < n; k++) {
            pesim_cursor_reset(c);
            pesim_cursor_sample(c, u01, NULL, x + (size_t)k * np);
        }
        double dt = now_s() - t0;
        pesim_evaluator_run(ev, x, n, PESIM_FIDELITY_ANALYTICAL, r);
        report("masked step decode", r, n, dt);
        pesim_cursor_destroy(c);
        free(x);
        pesim_evaluator_destroy(ev);
        pesim_space_destroy(s);
    }
    free(r);
    pesim_network_free(&net);
    return 0;
}
