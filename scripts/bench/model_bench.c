/* model_bench.c - full evaluations per second of the analytical model.
 *
 * For every MAC layer of a workload on an architecture it draws random valid
 * mappings (random tile factors per level, imperfect ones included, random
 * loop orders, random spatial unrolling within the fan-out; invalid draws are
 * discarded before timing), then times pesim_model_evaluate over the pool,
 * single-threaded, `runs` times, and prints each run's rate and the median.
 *
 * With MODE "mapper" it times pesim_mapper_default instead: calls per second
 * over every MAC layer, and a digest of the mappings (FNV-1a over every
 * factor, order and bypass) to compare two builds' results.
 *
 * usage: model_bench ARCH WORKLOAD [mappings_per_layer=64] [runs=5] [seconds=1.0] [MODE] */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/config.h"
#include "pesim/model.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t pick(gsl_rng *r, int64_t hi) { return hi <= 1 ? 1 : 1 + (int64_t)gsl_rng_uniform_int(r, (unsigned long)hi); }

/* A random structurally valid mapping: spatial first, then temporal factors
 * splitting what remains of each dim over the levels, innermost first. */
static void random_mapping(gsl_rng *r, const pesim_arch *a, const pesim_layer *l, pesim_mapping *m)
{
    pesim_mapping_init(m, a->n_levels);
    for (int lv = 0; lv < a->n_levels; lv++) {
        const pesim_level *v = &a->level[lv];
        int64_t rx = v->fanout_x, ry = v->fanout_y;
        for (int d = 0; d < PESIM_NDIMS; d++) {
            if (((v->spatial_x_dims >> d) & 1u) && rx > 1 && gsl_rng_uniform(r) < 0.5) {
                int64_t f = pick(r, rx < l->dim[d] ? rx : l->dim[d]);
                m->level[lv].spatial_x[d] = f, rx /= f;
            }
            if (((v->spatial_y_dims >> d) & 1u) && ry > 1 && gsl_rng_uniform(r) < 0.5) {
                int64_t f = pick(r, ry < l->dim[d] ? ry : l->dim[d]);
                m->level[lv].spatial_y[d] = f, ry /= f;
            }
        }
        for (int i = PESIM_NDIMS - 1; i > 0; i--) {
            int j = (int)gsl_rng_uniform_int(r, (unsigned long)i + 1);
            uint8_t t = m->level[lv].order[i];
            m->level[lv].order[i] = m->level[lv].order[j];
            m->level[lv].order[j] = t;
        }
    }
    for (int d = 0; d < PESIM_NDIMS; d++) {
        int64_t sp = pesim_mapping_dim_product(m, (pesim_dim)d);
        int64_t need = (l->dim[d] + sp - 1) / sp;
        for (int lv = 0; lv < a->n_levels - 1 && need > 1; lv++) {
            int64_t f = gsl_rng_uniform(r) < 0.5 ? 1 : pick(r, need < 64 ? need : 64);
            m->level[lv].temporal[d] = f;
            need = (need + f - 1) / f;
        }
        m->level[a->n_levels - 1].temporal[d] = need;
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211u;
    return h;
}

/* The "mapper" mode: default-mapper calls per second over the MAC layers. */
static int bench_mapper(const pesim_arch *a, const pesim_network *net, int runs, double seconds)
{
    uint64_t h = 1469598103934665603u;
    int layers = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        if (!pesim_layer_has_macs(l)) continue;
        pesim_mapping m;
        pesim_error e;
        pesim_status st = pesim_mapper_default(a, l, &m, &e);
        layers++;
        h = fnv(h, &st, sizeof st);
        if (st != PESIM_OK) continue;
        for (int lv = 0; lv < m.n_levels; lv++) {
            const pesim_level_map *lm = &m.level[lv];
            h = fnv(h, lm->temporal, sizeof lm->temporal), h = fnv(h, lm->spatial_x, sizeof lm->spatial_x);
            h = fnv(h, lm->spatial_y, sizeof lm->spatial_y), h = fnv(h, lm->order, sizeof lm->order);
            h = fnv(h, lm->bypass, sizeof lm->bypass);
        }
    }
    printf("arch %s, workload %s: %d MAC layers, mappings digest %016llx\n", a->name, net->name, layers,
           (unsigned long long)h);
    double *rate = malloc((size_t)runs * sizeof *rate);
    for (int run = 0; run < runs; run++) {
        long calls = 0;
        double t0 = now_s(), t;
        do {
            for (int i = 0; i < net->n_layers; i++) {
                if (!pesim_layer_has_macs(&net->layers[i])) continue;
                pesim_mapping m;
                pesim_error e;
                pesim_mapper_default(a, &net->layers[i], &m, &e);
                calls++;
            }
            t = now_s() - t0;
        } while (t < seconds);
        rate[run] = (double)calls / t;
        printf("run %d: %ld mapper calls in %.3f s = %.0f calls/s (%.1f us each)\n", run + 1, calls, t, rate[run],
               1e6 / rate[run]);
    }
    qsort(rate, (size_t)runs, sizeof *rate, cmp_double);
    if (runs > 0) printf("median: %.0f mapper calls/s (one thread)\n", rate[runs / 2]);
    free(rate);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ARCH WORKLOAD [mappings_per_layer] [runs] [seconds] [mapper]\n", argv[0]);
        return 2;
    }
    int per_layer = argc > 3 ? atoi(argv[3]) : 64, runs = argc > 4 ? atoi(argv[4]) : 5;
    double seconds = argc > 5 ? atof(argv[5]) : 1.0;
    pesim_arch arch;
    pesim_network net;
    pesim_error e;
    char buf[1024];
    if (pesim_arch_load(argv[1], &arch, &e) || pesim_network_load(argv[2], &net, &e)) {
        fprintf(stderr, "%s\n", pesim_error_format(&e, buf, sizeof buf));
        return 2;
    }
    if (argc > 6 && strcmp(argv[6], "mapper") == 0) {
        int rc = bench_mapper(&arch, &net, runs, seconds);
        pesim_network_free(&net);
        return rc;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    size_t cap = (size_t)net.n_layers * (size_t)per_layer, n = 0;
    pesim_mapping *maps = malloc(cap * sizeof *maps);
    int *layer_of = malloc(cap * sizeof *layer_of);
    long drawn = 0;
    for (int i = 0; i < net.n_layers; i++) {
        const pesim_layer *l = &net.layers[i];
        if (!pesim_layer_has_macs(l)) continue;
        for (int k = 0, tries = 0; k < per_layer && tries < per_layer * 2000; tries++) {
            pesim_cost c;
            random_mapping(r, &arch, l, &maps[n]);
            drawn++;
            pesim_model_evaluate(&arch, l, &maps[n], &c);
            if (!c.valid) continue;
            layer_of[n++] = i, k++;
        }
    }
    printf("arch %s, workload %s: %zu valid random mappings (%ld drawn, %.1f%% valid)\n", arch.name, net.name, n,
           drawn, 100.0 * (double)n / (double)drawn);
    double *rate = malloc((size_t)runs * sizeof *rate), sink = 0;
    for (int run = 0; run < runs; run++) {
        long evals = 0;
        double t0 = now_s(), t;
        do {
            for (size_t i = 0; i < n; i++) {
                pesim_cost c;
                pesim_model_evaluate(&arch, &net.layers[layer_of[i]], &maps[i], &c);
                sink += c.energy_pj;
            }
            evals += (long)n;
            t = now_s() - t0;
        } while (t < seconds);
        rate[run] = (double)evals / t;
        printf("run %d: %ld evaluations in %.3f s = %.0f evaluations/s (%.3f us each)\n", run + 1, evals, t, rate[run],
               1e6 / rate[run]);
    }
    qsort(rate, (size_t)runs, sizeof *rate, cmp_double);
    printf("median: %.0f evaluations/s (one thread)%s\n", rate[runs / 2], sink < 0 ? "" : "");
    free(rate);
    free(maps);
    free(layer_of);
    gsl_rng_free(r);
    pesim_network_free(&net);
    return 0;
}
