/* rl_bench.c - forward and backward throughput of the RL core's networks
 * (pesim/rl.h) at the sizes the learned searches use.
 *
 * Cases (docs/performance.md quotes them):
 * - mlp-agent:  one MARL/ARCO agent acting: 32 inputs, 2 x 64 tanh, 8 heads
 *               of 8 actions + a value, batch 1 (latency of one act);
 * - mlp-policy: a single-agent mapping policy learning: 128 inputs, 2 x 128
 *               tanh, 40 heads of 12 actions, batch 64 (one PPO minibatch);
 * - gnn-egrl:   EGRL's Graph U-Net (hidden 128, depth 3, ratio 0.5, ReLU,
 *               root weight, 2 decisions of 3 levels per node) on a
 *               ResNet-like graph of 160 nodes (a chain with a skip edge
 *               every 3 nodes), 16 features per node, batch 1;
 * - gnn-batch:  the same on a SAC batch of 64 copies of the fixed state
 *               (consecutive equal rows share one forward).
 * Each case times forward, and forward + backward, for `seconds` per run,
 * `runs` times, single-threaded, and prints the median samples/s and
 * microseconds per call.
 *
 * usage: rl_bench [runs=5] [seconds=1.0] */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pesim/rl.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median calls per second of fn over `runs` runs of `seconds`. */
static double time_calls(pesim_rl_net *n, const double *x, int32_t batch, double *out, const double *dout,
                         int backward, int runs, double seconds)
{
    double rates[32];
    pesim_error e;
    for (int r = 0; r < runs && r < 32; r++) {
        long calls = 0;
        double t0 = now_s(), t;
        do {
            for (int k = 0; k < 8; k++) {
                if (pesim_rl_net_forward(n, x, batch, out, &e) != PESIM_OK) {
                    fprintf(stderr, "rl_bench: %s\n", e.msg);
                    exit(1);
                }
                if (backward)
                    pesim_rl_net_backward(n, dout, &e);
            }
            calls += 8;
            t = now_s() - t0;
        } while (t < seconds);
        rates[r] = (double)calls / t;
    }
    qsort(rates, (size_t)(runs < 32 ? runs : 32), sizeof(double), cmp_double);
    return rates[(runs < 32 ? runs : 32) / 2];
}

static void run_case(const char *name, pesim_rl_net *n, int32_t batch, int same_rows, gsl_rng *rng, int runs,
                     double seconds)
{
    const pesim_rl_layout *L = pesim_rl_net_layout(n);
    size_t in = (size_t)L->in_dim, od = (size_t)L->out_dim;
    double *x = malloc((size_t)batch * in * sizeof(double));
    double *out = malloc((size_t)batch * od * sizeof(double));
    double *dout = malloc((size_t)batch * od * sizeof(double));
    for (size_t i = 0; i < (size_t)batch * in; i++)
        x[i] = gsl_rng_uniform(rng) * 2 - 1;
    if (same_rows)
        for (int32_t b = 1; b < batch; b++)
            memcpy(x + (size_t)b * in, x, in * sizeof(double));
    for (size_t i = 0; i < (size_t)batch * od; i++)
        dout[i] = gsl_rng_uniform(rng) - 0.5;
    double f = time_calls(n, x, batch, out, dout, 0, runs, seconds);
    double fb = time_calls(n, x, batch, out, dout, 1, runs, seconds);
    printf("%-11s params %7lld batch %3d | forward %9.0f samples/s (%8.1f us/call) | forward+backward %9.0f samples/s "
           "(%8.1f us/call)\n",
           name, (long long)pesim_rl_net_n_params(n), (int)batch, f * batch, 1e6 / f, fb * batch, 1e6 / fb);
    fflush(stdout);
    free(x);
    free(out);
    free(dout);
}

static pesim_rl_net *mlp(gsl_rng *rng, int in, int width, int heads, int actions, int values)
{
    int32_t *hs = malloc((size_t)heads * sizeof(int32_t));
    for (int h = 0; h < heads; h++)
        hs[h] = actions;
    pesim_rl_mlp_config c;
    memset(&c, 0, sizeof c);
    c.in_dim = in;
    c.n_hidden = 2;
    c.hidden[0] = c.hidden[1] = width;
    c.act = PESIM_RL_TANH;
    c.n_heads = heads;
    c.head_sizes = hs;
    c.n_values = values;
    pesim_rl_net *n = NULL;
    pesim_error e;
    if (pesim_rl_mlp_create(&c, rng, &n, &e) != PESIM_OK) {
        fprintf(stderr, "rl_bench: %s\n", e.msg);
        exit(1);
    }
    free(hs);
    return n;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    if (runs < 1 || seconds <= 0) {
        fprintf(stderr, "usage: rl_bench [runs=5] [seconds=1.0]\n");
        return 2;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1);

    pesim_rl_net *agent = mlp(rng, 32, 64, 8, 8, 1);
    run_case("mlp-agent", agent, 1, 0, rng, runs, seconds);
    pesim_rl_net_destroy(agent);

    pesim_rl_net *policy = mlp(rng, 128, 128, 40, 12, 0);
    run_case("mlp-policy", policy, 64, 0, rng, runs, seconds);
    pesim_rl_net_destroy(policy);

    pesim_rl_gnn_config g;
    pesim_rl_gnn_config_default(&g);
    g.in_features = 16;
    g.n_decisions = 2;
    g.decision_sizes[0] = g.decision_sizes[1] = 3;
    pesim_rl_net *gnn = NULL;
    pesim_error e;
    if (pesim_rl_gnn_create(&g, rng, &gnn, &e) != PESIM_OK) {
        fprintf(stderr, "rl_bench: %s\n", e.msg);
        return 1;
    }
    const int N = 160;
    int32_t src[2 * N], dst[2 * N];
    int m = 0;
    for (int i = 0; i + 1 < N; i++)
        src[m] = i, dst[m] = i + 1, m++;
    for (int i = 0; i + 3 < N; i += 3)
        src[m] = i, dst[m] = i + 3, m++;
    if (pesim_rl_net_set_graph(gnn, N, m, src, dst, &e) != PESIM_OK) {
        fprintf(stderr, "rl_bench: %s\n", e.msg);
        return 1;
    }
    run_case("gnn-egrl", gnn, 1, 0, rng, runs, seconds);
    run_case("gnn-batch", gnn, 64, 1, rng, runs, seconds);
    pesim_rl_net_destroy(gnn);
    gsl_rng_free(rng);
    return 0;
}
