/* engine_bench.c - the cycle engine on a whole network: wall and CPU time, simulated
 * MACs per second and engine events (blocks + transfers) per second.
 *
 * Mappings come from the default mapper and are made before timing. Each run
 * simulates every MAC layer once; the median of `runs` runs is reported.
 * usage: engine_bench ARCH WORKLOAD [runs=5] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pesim/config.h"
#include "pesim/engine.h"
#include "pesim/model.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ARCH WORKLOAD [runs]\n", argv[0]);
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    pesim_arch arch;
    pesim_network net;
    pesim_error e;
    char buf[1024];
    if (pesim_arch_load(argv[1], &arch, &e) || pesim_network_load(argv[2], &net, &e)) {
        fprintf(stderr, "%s\n", pesim_error_format(&e, buf, sizeof buf));
        return 2;
    }
    pesim_mapping *maps = calloc((size_t)net.n_layers, sizeof *maps);
    for (int i = 0; i < net.n_layers; i++)
        if (pesim_layer_has_macs(&net.layers[i]) && pesim_mapper_default(&arch, &net.layers[i], &maps[i], &e)) {
            fprintf(stderr, "%s: %s\n", net.layers[i].name, e.msg);
            return 1;
        }
    double *wall = malloc((size_t)runs * sizeof *wall), *cpu = malloc((size_t)runs * sizeof *cpu);
    int64_t macs = 0, cycles = 0, events = 0, acycles = 0;
    for (int r = 0; r < runs; r++) {
        macs = cycles = events = acycles = 0;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        for (int i = 0; i < net.n_layers; i++) {
            if (!pesim_layer_has_macs(&net.layers[i])) continue;
            pesim_cost c;
            pesim_engine_stats st;
            pesim_engine_run(&arch, &net.layers[i], &maps[i], NULL, &c, &st);
            macs += c.macs, cycles += c.cycles, events += st.blocks + st.transfers;
        }
        wall[r] = clock_s(CLOCK_MONOTONIC) - t0;
        cpu[r] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        for (int i = 0; i < net.n_layers; i++) {
            if (!pesim_layer_has_macs(&net.layers[i])) continue;
            pesim_cost c;
            pesim_model_evaluate(&arch, &net.layers[i], &maps[i], &c);
            acycles += c.cycles;
        }
        printf("run %d: %.3f s (CPU %.3f s)\n", r + 1, wall[r], cpu[r]);
    }
    qsort(wall, (size_t)runs, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
    double med = wall[runs / 2];
    printf("arch %s, workload %s: %lld MACs, %lld cycles (analytical bound %lld, x%.2f)\n", arch.name, net.name,
           (long long)macs, (long long)cycles, (long long)acycles, (double)cycles / (double)acycles);
    printf("median %.3f s (one thread): %.3g simulated MACs/s, %.3g simulated cycles/s, %.3g events/s (%lld events)\n",
           med, (double)macs / med, (double)cycles / med, (double)events / med, (long long)events);
    printf("median CPU time %.3f s (the thread's own: on a shared machine the wall time also counts waiting)\n",
           cpu[runs / 2]);
    free(wall);
    free(cpu);
    free(maps);
    pesim_network_free(&net);
    return 0;
}
