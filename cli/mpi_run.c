/* cli/mpi_run.c - `mpirun -np N pesim search|sweep ...` (see mpi_run.h):
 * the roles of the ranks, the recipes that tell a worker which space to
 * build, and the evaluation step of a command (the workers, or the local
 * evaluator). POSIX: getcwd, gethostname, raise(SIGKILL). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "experiment.h"
#include "inputs.h"
#include "mpi_run.h"
#include "search_run.h"
#include "search_split.h"
#include "sweep_inner.h"
#include "sweep_param.h"

#define RECIPE_FIELDS (9 + SWEEP_MAX_PARAMS + 1)

/* What a worker built for the recipe rank 0 opened. */
typedef struct worker {
    cli_inputs in;
    int have_in;
    cli_experiment x;
    int have_x;
    pesim_space *sp;               /* owned unless it is x.space */
    pesim_evaluator *ev;
    search_args inner_args;        /* a sweep's --inner and its options */
    char inner_algo[64];
    cli_sweep_inner inner;         /* a sweep's points with an inner search */
    int have_inner;
    int32_t jobs_run;              /* whole jobs this worker was handed */
} worker;

static pesim_status eval_local(void *ctx, const int32_t *choices, int32_t n, pesim_fidelity f, pesim_result *out)
{
    return pesim_evaluator_run((pesim_evaluator *)ctx, choices, n, f, out);
}

static const char *field_or_null(const char *s) { return s && *s ? s : NULL; }

static void worker_close(void *ctx, pesim_mpi_step *step)
{
    worker *w = ctx;
    (void)step;
    if (w->have_inner)
        cli_sweep_inner_free(&w->inner);
    pesim_evaluator_destroy(w->ev);
    if (w->have_x)
        cli_experiment_free(&w->x); /* destroys its space */
    else
        pesim_space_destroy(w->sp);
    if (w->have_in)
        cli_inputs_free(&w->in);
    memset(w, 0, sizeof *w);
}

const char *cli_mpi_where(char *buf, size_t n)
{
    char dir[512] = "?", host[256] = "?";
    if (!getcwd(dir, sizeof dir))
        snprintf(dir, sizeof dir, "?");
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "?");
    host[sizeof host - 1] = '\0';
    snprintf(buf, n, "in %s on %s", dir, host);
    return buf;
}

/* A sweep's recipe (f[1..], see cli_mpi_recipe): the experiment as rank 0
 * loaded it, and with an inner search the points' step. */
static pesim_status sweep_open(worker *w, const char *const *f, int nf, const pesim_eval_options *eo, pesim_error *e)
{
    char at[800];
    const char *params[SWEEP_MAX_PARAMS];
    int n = 0;
    for (int i = 10; i < nf && n < SWEEP_MAX_PARAMS; i++)
        params[n++] = f[i];
    w->have_x = 1;
    if (cli_sweep_load(field_or_null(f[1]), field_or_null(f[2]), field_or_null(f[3]), field_or_null(f[4]), params, n,
                       &w->x) != CLI_OK)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "could not load the sweep's experiment %s %s",
                               f[1] && f[1][0] ? f[1] : "(--param)", cli_mpi_where(at, sizeof at));
    w->sp = w->x.space;
    if (!field_or_null(f[5]))
        return PESIM_OK;
    search_args *a = &w->inner_args;
    snprintf(w->inner_algo, sizeof w->inner_algo, "%s", f[5]);
    a->algo = w->inner_algo;
    int help_shown = 0;
    if (cli_search_algo_opts(a, field_or_null(f[7]), &help_shown) != CLI_OK || help_shown)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "bad --inner-opt %s", f[7]);
    pesim_inner_options io;
    memset(&io, 0, sizeof io);
    io.algo = a->algo;
    io.algo_opt.kv = a->algo_kv;
    io.algo_opt.n_kv = a->n_algo_kv;
    io.budget = strtoll(f[6], NULL, 10);
    io.seed = strtoull(f[8], NULL, 10);
    pesim_status st = cli_sweep_inner_init(&w->inner, w->sp, eo, &io, (int32_t)strtol(f[9], NULL, 10), e);
    w->have_inner = st == PESIM_OK;
    return st;
}

/* Builds the space of a recipe (the same calls rank 0 made) and its evaluator.
 * The loaders print their own messages on this rank's stderr. */
static pesim_status worker_open(void *ctx, const char *recipe, const pesim_eval_options *eo, pesim_mpi_step *step,
                                pesim_error *e)
{
    worker *w = ctx;
    memset(w, 0, sizeof *w);
    size_t len = strlen(recipe);
    char *buf = malloc(len + 1);
    if (!buf)
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "mpi", "out of memory");
    memcpy(buf, recipe, len + 1);
    const char *f[RECIPE_FIELDS] = {NULL};
    int nf = 0;
    for (char *p = buf; p && nf < RECIPE_FIELDS;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        f[nf++] = p;
        p = nl ? nl + 1 : NULL;
    }
    pesim_status st = PESIM_OK;
    char at[800];
    pesim_space_options enc;
    const char *kind = f[0] ? f[0] : "";
    const char *enc_text = strcmp(kind, "mapping") == 0 ? f[4] : strcmp(kind, "experiment") == 0 ? f[5] : NULL;
    if ((st = pesim_space_options_parse(field_or_null(enc_text), &enc, e)) != PESIM_OK)
        goto out;
    if (strcmp(kind, "mapping") == 0 || strcmp(kind, "placement") == 0) {
        cli_input_args ia = {field_or_null(f[1]), field_or_null(f[2]), NULL, NULL};
        int mapping = strcmp(kind, "mapping") == 0;
        if (mapping)
            ia.layer = field_or_null(f[3]);
        w->have_in = 1;
        if (cli_inputs_load("search", &ia, &w->in) != CLI_OK || (mapping && w->in.only < 0)) {
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "could not load the inputs (%s, %s%s%s) %s",
                                 f[1] ? f[1] : "", f[2] ? f[2] : "", mapping ? ", layer " : "",
                                 mapping && f[3] ? f[3] : "", cli_mpi_where(at, sizeof at));
            goto out;
        }
        /* a placement recipe's third field: rectify (1) or not (0, or absent) */
        const char *rect = mapping ? NULL : field_or_null(f[3]);
        pesim_net_options no;
        memset(&no, 0, sizeof no);
        no.preload_weights = 1; /* pesim_space_placement's */
        no.rectify = rect && strcmp(rect, "1") == 0;
        if (rect && strcmp(rect, "0") != 0 && strcmp(rect, "1") != 0)
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi",
                                 "placement recipe: rectify field '%.32s' is neither 0 nor 1 %s", rect,
                                 cli_mpi_where(at, sizeof at));
        else
            st = mapping ? pesim_space_mapping_opt(w->in.arch, &w->in.net.layers[w->in.only], &enc, &w->sp, e)
                         : pesim_space_placement_opts(w->in.arch, &w->in.net, &no, &w->sp, e);
    } else if (strcmp(kind, "experiment") == 0 && f[1]) {
        w->have_x = 1;
        if (cli_experiment_load("search", f[1], field_or_null(f[2]), field_or_null(f[3]), f[4] && f[4][0] == '1', &enc,
                                &w->x) != CLI_OK) {
            st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "could not load the experiment %s %s", f[1],
                                 cli_mpi_where(at, sizeof at));
            goto out;
        }
        w->sp = w->x.space;
    } else if (strcmp(kind, "sweep") == 0 && nf >= 10) {
        st = sweep_open(w, f, nf, eo, e);
    } else {
        st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "mpi", "unknown recipe '%s'", kind);
    }
    if (!st && !w->have_inner)
        st = pesim_evaluator_create(w->sp, NULL, eo, &w->ev, e);
    if (!st) {
        step->fn = w->have_inner ? cli_sweep_inner_eval : eval_local;
        step->ctx = w->have_inner ? (void *)&w->inner : (void *)w->ev;
        step->n_params = pesim_space_n_params(w->sp);
        snprintf(step->describe, sizeof step->describe, "%s", pesim_space_describe(w->sp));
    }
out:
    free(buf);
    if (st)
        worker_close(w, step);
    return st;
}

/* Fault injection for the tests and for rehearsing a lost node
 * (docs/cluster.md): PESIM_MPI_KILL_WORKER=R:N in the environment makes
 * worker rank R kill itself (SIGKILL, as the OOM killer or a lost node
 * would) when it is handed its whole job N + 1, after answering N. */
static void maybe_die(worker *w)
{
    const char *v = getenv("PESIM_MPI_KILL_WORKER");
    long r = -1, n = -1;
    if (!v || sscanf(v, "%ld:%ld", &r, &n) != 2 || r != pesim_mpi_rank())
        return;
    if (w->jobs_run++ == n)
        raise(SIGKILL);
}

/* A worker's whole job: one layer's search (search_split.h). */
static pesim_status worker_job(void *ctx, const char *job, void **data, size_t *bytes, pesim_error *e)
{
    maybe_die(ctx);
    return cli_search_layer_job(ctx, job, data, bytes, e);
}

int cli_mpi_main(const char *cmd, int (*run)(int argc, char **argv), int argc, char **argv)
{
    if (!pesim_mpi_built() || !pesim_mpi_launched())
        return run(argc, argv);
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_mpi_init(NULL, NULL, &e) != PESIM_OK) {
        cli_error("%s: %s", cmd, e.msg);
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    if (pesim_mpi_rank() == 0) {
        rc = run(argc, argv);
    } else {
        worker w;
        memset(&w, 0, sizeof w);
        if (pesim_mpi_serve_jobs(worker_open, worker_close, worker_job, &w, &e) != PESIM_OK) {
            cli_error("%s: rank %d: %s", cmd, pesim_mpi_rank(), e.msg);
            rc = CLI_FAIL;
        }
    }
    pesim_mpi_finalize();
    return rc;
}

int32_t cli_mpi_workers(void) { return pesim_mpi_rank() == 0 ? (int32_t)pesim_mpi_size() - 1 : 0; }

int cli_mpi_recipe(char *buf, size_t n, const char *kind, const char *const *fields, int n_fields)
{
    size_t at = 0;
    int w = snprintf(buf, n, "%s", kind);
    if (w < 0 || (size_t)w >= n)
        return -1;
    at = (size_t)w;
    for (int i = 0; i < n_fields; i++) {
        w = snprintf(buf + at, n - at, "\n%s", fields[i] ? fields[i] : "");
        if (w < 0 || (size_t)w >= n - at)
            return -1;
        at += (size_t)w;
    }
    return 0;
}

int cli_eval_step_open(const char *cmd, cli_eval_step *s, pesim_evaluator *ev, const pesim_space *sp,
                       const char *recipe, const pesim_eval_options *eo)
{
    return cli_eval_step_open_fn(cmd, s, eval_local, ev, sp, recipe, eo, 0);
}

int cli_eval_step_open_fn(const char *cmd, cli_eval_step *s, pesim_eval_fn fn, void *ctx, const pesim_space *sp,
                          const char *recipe, const pesim_eval_options *eo, int32_t chunk)
{
    memset(s, 0, sizeof *s);
    s->fn = fn;
    s->ctx = ctx;
    if (!recipe || cli_mpi_workers() < 1)
        return CLI_OK;
    pesim_error e;
    pesim_error_clear(&e);
    if (pesim_mpi_farm_open(recipe, eo, pesim_space_n_params(sp), pesim_space_describe(sp), chunk, &s->farm, &e) !=
        PESIM_OK) {
        cli_error("%s: %s", cmd, e.msg);
        return e.code == PESIM_ERR_NOMEM || e.code == PESIM_ERR_INTERNAL ? CLI_FAIL : CLI_USAGE;
    }
    s->fn = pesim_mpi_farm_eval;
    s->ctx = s->farm;
    return CLI_OK;
}

void cli_eval_step_close(cli_eval_step *s)
{
    pesim_mpi_farm_close(s->farm);
    s->farm = NULL;
}
