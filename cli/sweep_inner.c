/* cli/sweep_inner.c - the points of `pesim sweep --inner ALGO` (see
 * sweep_inner.h): decode, then an inner search per point on a pool of
 * threads that take the next point as they finish one. POSIX threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_inner.h"

#define MAX_THREADS 64

pesim_status cli_sweep_inner_init(cli_sweep_inner *s, pesim_space *sp, const pesim_eval_options *eval,
                                  const pesim_inner_options *in, int32_t threads, pesim_error *e)
{
    memset(s, 0, sizeof *s);
    s->sp = sp;
    s->eval = *eval;
    s->in = *in;
    s->threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    s->net.n_layers = pesim_space_n_layers(sp);
    s->net.layers = malloc((size_t)(s->net.n_layers > 0 ? s->net.n_layers : 1) * sizeof *s->net.layers);
    if (!s->net.layers)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (int32_t i = 0; i < s->net.n_layers; i++)
        s->net.layers[i] = *pesim_space_layer(sp, i);
    return PESIM_OK;
}

void cli_sweep_inner_free(cli_sweep_inner *s)
{
    free(s->net.layers);
    memset(s, 0, sizeof *s);
}

typedef struct job {
    const cli_sweep_inner *s;
    const pesim_inner_options *in;
    const pesim_arch *arch;        /* n decoded archs */
    const char *decoded;           /* 0: r[i] already says why the point is invalid */
    pesim_result *r;
    int32_t n, next;
    pthread_mutex_t mu;
    pesim_status status;           /* the first error */
    pesim_error e;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        int32_t i = j->next++;
        int stop = j->status != PESIM_OK;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->n || stop)
            return NULL;
        if (!j->decoded[i])
            continue;
        pesim_error e;
        pesim_error_clear(&e);
        uint64_t hash = j->r[i].design_hash;
        pesim_status st = pesim_sweep_point(&j->arch[i], &j->s->net, &j->s->eval, j->in, &j->r[i], NULL, &e);
        j->r[i].design_hash = hash;
        if (st != PESIM_OK) {
            pthread_mutex_lock(&j->mu);
            if (j->status == PESIM_OK)
                j->status = st, j->e = e;
            pthread_mutex_unlock(&j->mu);
        }
    }
}

pesim_status cli_sweep_inner_run(cli_sweep_inner *s, const int32_t *x, int32_t n, pesim_fidelity f,
                                 pesim_result *out, pesim_error *e)
{
    const int32_t np = pesim_space_n_params(s->sp);
    pesim_arch *arch = malloc((size_t)(n > 0 ? n : 1) * sizeof *arch);
    char *decoded = calloc((size_t)(n > 0 ? n : 1), 1);
    if (!arch || !decoded) {
        free(arch);
        free(decoded);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    for (int32_t i = 0; i < n; i++) {
        pesim_design d;
        pesim_result *r = &out[i];
        memset(r, 0, sizeof *r);
        r->fidelity = f;
        r->objective = PESIM_INVALID_PENALTY;
        decoded[i] = (char)pesim_space_decode_why(s->sp, x + (size_t)i * (size_t)np, &d, r->reason,
                                                  sizeof r->reason, &r->violation);
        if (decoded[i]) {
            arch[i] = d.arch;
            r->design_hash = d.hash;
        }
    }
    pesim_inner_options in = s->in;
    in.fidelity = f;
    job j;
    memset(&j, 0, sizeof j);
    j.s = s, j.in = &in, j.arch = arch, j.decoded = decoded, j.r = out, j.n = n;
    pesim_error_clear(&j.e);
    pthread_mutex_init(&j.mu, NULL);
    int32_t nt = s->threads < n ? s->threads : n;
    pthread_t tid[MAX_THREADS];
    int32_t started = 0;
    for (int32_t t = 1; t < nt; t++)
        if (pthread_create(&tid[started], NULL, worker, &j) == 0)
            started++;
    worker(&j);
    for (int32_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.mu);
    free(arch);
    free(decoded);
    if (j.status != PESIM_OK && e)
        *e = j.e;
    return j.status;
}

pesim_status cli_sweep_inner_eval(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    return cli_sweep_inner_run(ctx, choices, n, f, out, NULL);
}
