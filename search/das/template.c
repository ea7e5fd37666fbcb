/* search/das/template.c - the DNNBuilder-like per-layer pipelined template
 * (pesim/das.h, docs/das.md section 6): one stage per MAC layer, resources
 * split in proportion to work, each stage costed as the evaluator costs a
 * hardware point (default mapper, analytical model), and the small search
 * over its split and parallelism. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pesim/das.h"
#include "pesim/estimate.h"
#include "pesim/model.h"

static void invalid(pesim_pipeline_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void invalid(pesim_pipeline_result *out, const char *fmt, ...)
{
    out->valid = 0;
    out->objective = PESIM_INVALID_PENALTY;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof out->reason, fmt, ap);
    va_end(ap);
}

/* The stage array for a share of p PEs: fy = the largest power of two with
 * fy * fy <= p, fx = p / fy (so fx * fy <= p, and the shape is near square). */
static void stage_shape(int64_t p, int32_t *fx, int32_t *fy)
{
    int64_t y = 1;
    while ((y * 2) * (y * 2) <= p) y *= 2;
    int64_t x = p / y;
    *fy = (int32_t)y;
    *fx = (int32_t)(x > INT32_MAX ? INT32_MAX : x);
}

pesim_status pesim_pipeline_evaluate(const pesim_arch *base, const pesim_network *net, const char *level,
                                     const pesim_pipeline_point *pt, const pesim_eval_options *eval,
                                     pesim_pipeline_result *out, pesim_error *e)
{
    memset(out, 0, sizeof *out);
    out->point = *pt;
    int lv = pesim_arch_find_level(base, level);
    if (lv < 0) return pesim_error_set(e, PESIM_ERR_KEY, NULL, 0, "level", "no level '%s' in the arch", level);
    if (pt->pes < 1 || pt->words < 1 || !(pt->alpha >= 0))
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "pipeline", "pes and words must be >= 1, alpha >= 0");
    double total = 0;
    for (int32_t i = 0; i < net->n_layers; i++) {
        int64_t m = pesim_layer_macs(&net->layers[i]);
        if (m <= 0) continue;
        if (out->n_stages == PESIM_PIPELINE_MAX_STAGES)
            return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "pipeline", "more than %d MAC layers",
                                   PESIM_PIPELINE_MAX_STAGES);
        out->stage[out->n_stages++].layer = i;
        total += pow((double)m, pt->alpha);
    }
    if (out->n_stages == 0) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "pipeline", "no MAC layer");
    double clock = base->clock_mhz;
    for (int32_t s = 0; s < out->n_stages; s++) {
        pesim_pipeline_stage *st = &out->stage[s];
        const pesim_layer *l = &net->layers[st->layer];
        double share = pow((double)pesim_layer_macs(l), pt->alpha) / total;
        int64_t p = (int64_t)floor(share * (double)pt->pes);
        st->words = (int64_t)floor(share * (double)pt->words);
        if (p < 1) p = 1;
        if (st->words < 1) st->words = 1;
        stage_shape(p, &st->fanout_x, &st->fanout_y);
        pesim_arch a = *base;
        a.level[lv].fanout_x = st->fanout_x;
        a.level[lv].fanout_y = st->fanout_y;
        a.level[lv].capacity_words = st->words;
        for (int t = 0; t < PESIM_NTENSORS; t++) a.level[lv].tensor_capacity_words[t] = 0;
        pesim_error err;
        pesim_error_clear(&err);
        if (pesim_arch_check(&a, NULL, &err) != PESIM_OK) {
            invalid(out, "stage %.64s: %.*s", l->name, 120, err.msg);
            return PESIM_OK;
        }
        pesim_estimate_rescale(base, &a, 0);
        st->area_um2 = pesim_arch_area_um2(&a);
        pesim_mapping m;
        if (pesim_mapper_default(&a, l, &m, &err) != PESIM_OK) {
            invalid(out, "stage %.64s: default mapper: no mapping (%d x %d PEs, %lld words)", l->name,
                    (int)st->fanout_y, (int)st->fanout_x, (long long)st->words);
            return PESIM_OK;
        }
        pesim_cost c;
        pesim_status rc = pesim_model_evaluate(&a, l, &m, &c);
        if (rc != PESIM_OK || !c.valid) {
            invalid(out, "stage %.64s: the model finds the mapping invalid (%d x %d PEs, %lld words)", l->name,
                    (int)st->fanout_y, (int)st->fanout_x, (long long)st->words);
            return PESIM_OK;
        }
        st->cycles = c.cycles;
        st->energy_pj = c.energy_pj;
        out->latency_cycles += c.cycles;
        if (c.cycles > out->interval_cycles) out->interval_cycles = c.cycles;
        out->energy_pj += c.energy_pj;
        out->area_um2 += st->area_um2;
    }
    out->fps = out->interval_cycles > 0 ? clock * 1e6 / (double)out->interval_cycles : 0;
    /* every stage works on its own frame at once: power = energy per frame x frames per second */
    out->power_mw = out->energy_pj * 1e-12 * out->fps * 1e3;
    if (eval->area_budget_um2 > 0 && out->area_um2 > eval->area_budget_um2) {
        invalid(out, "area %.6g um2 exceeds the budget %.6g um2", out->area_um2, eval->area_budget_um2);
        return PESIM_OK;
    }
    if (eval->power_budget_mw > 0 && out->power_mw > eval->power_budget_mw) {
        invalid(out, "power %.6g mW exceeds the budget %.6g mW", out->power_mw, eval->power_budget_mw);
        return PESIM_OK;
    }
    out->valid = 1;
    out->objective = pesim_objective_value(eval, out->latency_cycles, out->energy_pj, out->area_um2);
    return PESIM_OK;
}

/* The grid, in the order searched: total PEs (the base array's x 1/4 .. 4),
 * then buffer words (the base level's x 1/2 .. 2), then alpha. */
static const double kPesScale[] = {0.25, 0.5, 1, 2, 4};
static const double kWordsScale[] = {0.5, 1, 2};
static const double kAlpha[] = {1.0, 0.5, 0.0};
#define N_OF(a) ((int32_t)(sizeof a / sizeof a[0]))

int32_t pesim_pipeline_grid_size(void)
{
    return N_OF(kPesScale) * N_OF(kWordsScale) * N_OF(kAlpha);
}

pesim_status pesim_pipeline_search(const pesim_arch *base, const pesim_network *net, const char *level,
                                   const pesim_eval_options *eval, int64_t budget, pesim_pipeline_result *best,
                                   int64_t *evaluated, pesim_error *e)
{
    memset(best, 0, sizeof *best);
    best->objective = PESIM_INVALID_PENALTY;
    *evaluated = 0;
    int lv = pesim_arch_find_level(base, level);
    if (lv < 0) return pesim_error_set(e, PESIM_ERR_KEY, NULL, 0, "level", "no level '%s' in the arch", level);
    int64_t pes0 = (int64_t)base->level[lv].fanout_x * base->level[lv].fanout_y;
    int64_t words0 = pesim_level_words(&base->level[lv]);
    if (words0 < 1) words0 = 1;
    for (int32_t i = 0; i < N_OF(kPesScale); i++)
        for (int32_t j = 0; j < N_OF(kWordsScale); j++)
            for (int32_t k = 0; k < N_OF(kAlpha); k++) {
                if (*evaluated >= budget) return PESIM_OK;
                pesim_pipeline_point pt = {(int64_t)llround(kPesScale[i] * (double)pes0),
                                           (int64_t)llround(kWordsScale[j] * (double)words0), kAlpha[k]};
                if (pt.pes < 1) pt.pes = 1;
                pesim_pipeline_result one;
                pesim_status st = pesim_pipeline_evaluate(base, net, level, &pt, eval, &one, e);
                if (st != PESIM_OK) return st;
                ++*evaluated;
                if (one.valid && (!best->valid || one.objective < best->objective)) *best = one;
                else if (!best->valid && !best->reason[0])
                    snprintf(best->reason, sizeof best->reason, "%.*s", (int)sizeof best->reason - 1, one.reason);
            }
    return PESIM_OK;
}
