/* cli/run_eval.c - mapping and evaluating the layers of a run (see run.h). */
#include <stdlib.h>
#include <string.h>

#include "pesim/model.h"

#include "cli.h"
#include "progress.h"
#include "run.h"

/* The progress line inside a layer (the cycle engine's progress hook):
 * macs_before of the run's MACs were done before this layer. */
typedef struct layer_progress {
    cli_progress *line;
    int64_t macs_before, layer_macs;
    const char *name;
} layer_progress;

static void on_layer_progress(void *ctx, int64_t done, int64_t total)
{
    const layer_progress *lp = ctx;
    double frac = total > 0 ? (double)done / (double)total : 0.0;
    cli_progress_step(lp->line, lp->macs_before + (int64_t)(frac * (double)lp->layer_macs), lp->name);
}

/* Evaluates rl->mapping with r's evaluator. Never fails: problems become
 * rl->valid == 0 + reason, and rl->status the evaluator's status. With a progress line on a terminal, the cycle
 * engine updates it inside the layer (macs_before: the MACs done before). */
static void evaluate(const run_result *r, run_layer *rl, cli_progress *line, int64_t macs_before)
{
    pesim_engine_options opt = r->engine_opt;
    layer_progress lp = {line, macs_before, pesim_layer_macs(rl->layer), rl->layer->name};
    if (line && line->on && !opt.progress) {
        opt.progress = on_layer_progress;
        opt.progress_ctx = &lp;
    }
    pesim_status s = r->ev->fn(r->arch, rl->layer, &rl->mapping, &opt, &rl->cost, &rl->stats);
    rl->status = s;
    if (s != PESIM_OK) {
        cli_eval_failure_text(r->ev, s, rl->cost.reason, rl->reason, sizeof rl->reason);
        return;
    }
    rl->evaluated = 1;
    rl->valid = rl->cost.valid != 0;
    if (!rl->valid)
        snprintf(rl->reason, sizeof rl->reason, "%s",
                 rl->cost.reason[0] ? rl->cost.reason : "invalid (no reason given)");
}

/* rl->mapping from --mapping (user) or the default mapper. 0, or -1 with
 * the reason set. */
static int map_layer(const run_result *r, const pesim_mapping *user, run_layer *rl)
{
    if (user) {
        rl->mapping = *user;
    } else {
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapper_default(r->arch, rl->layer, &rl->mapping, &e) != PESIM_OK) {
            snprintf(rl->reason, sizeof rl->reason, "no mapping: %s",
                     e.msg[0] ? e.msg : pesim_status_name(e.code));
            return -1;
        }
    }
    return 0;
}

/* The common loop: layer i is net->layers[index[i]]; its mapping comes from
 * like->layers[i] when like is given, else from user / the default mapper. */
static int run_common(run_result *r, const pesim_mapping *user, int32_t only,
                      const run_result *like)
{
    const pesim_network *net = r->net;
    r->n = like ? like->n : only >= 0 ? 1 : net->n_layers;
    r->layers = calloc((size_t)(r->n > 0 ? r->n : 1), sizeof *r->layers);
    if (!r->layers) {
        cli_error("out of memory");
        return -1;
    }
    int64_t macs_total = 0, macs_done = 0;
    for (int32_t i = 0; i < r->n; i++) {
        r->layers[i].layer = like ? like->layers[i].layer : &net->layers[only >= 0 ? only : i];
        macs_total += pesim_layer_macs(r->layers[i].layer);
    }
    cli_progress pr;
    cli_progress_start(&pr, r->ev->title, macs_total);
    for (int32_t i = 0; i < r->n; i++) {
        run_layer *rl = &r->layers[i];
        rl->has_macs = pesim_layer_has_macs(rl->layer) != 0;
        r->macs += pesim_layer_macs(rl->layer);
        if (!rl->has_macs) {
            rl->valid = 1;
            continue;
        }
        r->n_mac_layers++;
        cli_progress_step(&pr, macs_done, rl->layer->name);
        int mapped;
        if (like) {
            mapped = like->layers[i].has_mapping;
            if (mapped)
                rl->mapping = like->layers[i].mapping;
            else
                snprintf(rl->reason, sizeof rl->reason, "%s", like->layers[i].reason);
        } else {
            mapped = map_layer(r, user, rl) == 0;
        }
        if (mapped) {
            rl->has_mapping = 1;
            evaluate(r, rl, &pr, macs_done);
        }
        macs_done += pesim_layer_macs(rl->layer);
        if (rl->valid) {
            r->n_valid++;
            r->cycles += rl->cost.cycles;
            r->energy_pj += rl->cost.energy_pj;
        } else {
            r->n_invalid++;
        }
    }
    cli_progress_end(&pr);
    return 0;
}

int cli_run_layers(run_result *r, const pesim_mapping *user, int32_t only)
{
    return run_common(r, user, only, NULL);
}

int cli_run_layers_like(run_result *r, const run_result *like)
{
    return run_common(r, NULL, -1, like);
}
