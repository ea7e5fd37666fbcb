/* sweep.c - one hardware point of a sweep (pesim/search.h "sweep points"):
 * the area budget, then per MAC layer an inner search (a campaign without a
 * store over the layer's mapping space, seeded seed + layer), then the
 * network totals, the power budget and the objective. */
#include <stdio.h>
#include <string.h>

#include "pesim/search.h"

#define INNER_DEFAULT_BATCH 16

static void invalid(pesim_result *r, pesim_violation_kind k, double amount, double limit)
{
    r->valid = 0;
    r->objective = PESIM_INVALID_PENALTY;
    r->violation = pesim_violation_make(k);
    r->violation.amount = amount;
    r->violation.limit = limit;
}

/* Layer i's inner search; *found = 0 when it saw no valid mapping. */
static pesim_status search_layer(const pesim_arch *arch, const pesim_layer *l, int32_t i,
                                 const pesim_eval_options *eval, const pesim_inner_options *in, pesim_result *best,
                                 pesim_mapping *mapping, int *found, pesim_error *e)
{
    pesim_space *s = NULL;
    pesim_campaign *c = NULL;
    pesim_status st = pesim_space_mapping(arch, l, &s, e);
    if (st != PESIM_OK)
        return st;
    pesim_campaign_options o;
    memset(&o, 0, sizeof o);
    o.algo = in->algo;
    o.algo_opt = in->algo_opt;
    o.seed = in->seed + (uint64_t)i;
    o.budget = in->budget;
    o.batch = in->batch > 0 ? in->batch : INNER_DEFAULT_BATCH;
    o.fidelity = in->fidelity;
    o.eval = *eval;
    o.eval.threads = 1;            /* points run in parallel, not layers */
    o.eval.area_budget_um2 = 0;    /* checked once for the point */
    o.eval.power_budget_mw = 0;    /* a network-level budget */
    o.mode = PESIM_RUN_NEW;
    o.label = l->name;
    st = pesim_campaign_create(s, NULL, &o, &c, e);
    if (st == PESIM_OK)
        st = pesim_campaign_run(c, e);
    if (st == PESIM_OK) {
        const pesim_campaign_report *rep = pesim_campaign_get_report(c);
        *found = rep->found;
        if (rep->found) {
            *best = rep->best;
            if (mapping) {
                pesim_design d;
                char why[PESIM_REASON_MAX];
                if (pesim_space_decode(s, pesim_campaign_best_choices(c), &d, why, sizeof why) && d.n_layers == 1)
                    *mapping = d.mappings[0];
                else
                    st = pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, l->name,
                                         "the best mapping of the inner search does not decode: %s", why);
            }
        }
    }
    pesim_campaign_destroy(c);
    pesim_space_destroy(s);
    return st;
}

pesim_status pesim_sweep_point(const pesim_arch *arch, const pesim_network *net, const pesim_eval_options *eval,
                               const pesim_inner_options *in, pesim_result *out, pesim_mapping *mappings,
                               pesim_error *e)
{
    if (!arch || !net || !eval || !in || !out || !in->algo)
        return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, NULL, "pesim_sweep_point: a NULL argument");
    if (in->budget < 1)
        return pesim_error_set(e, PESIM_ERR_RANGE, NULL, 0, "budget", "the inner search budget must be >= 1");
    memset(out, 0, sizeof *out);
    out->fidelity = in->fidelity;
    out->area_um2 = pesim_arch_area_um2(arch);
    if (eval->area_budget_um2 > 0 && out->area_um2 > eval->area_budget_um2) {
        snprintf(out->reason, sizeof out->reason, "area %.6g um2 exceeds the budget %.6g um2", out->area_um2,
                 eval->area_budget_um2);
        invalid(out, PESIM_VIOLATION_AREA, out->area_um2, eval->area_budget_um2);
        return PESIM_OK;
    }
    int64_t cycles = 0;
    double energy = 0;
    int32_t k = 0;
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        if (!pesim_layer_has_macs(l))
            continue;
        pesim_result best;
        int found = 0;
        pesim_status st = search_layer(arch, l, k, eval, in, &best, mappings ? &mappings[k] : NULL, &found, e);
        if (st != PESIM_OK)
            return st;
        k++;
        if (!found) {
            snprintf(out->reason, sizeof out->reason,
                     "layer %s: no valid mapping in %lld evaluations of the inner search", l->name,
                     (long long)in->budget);
            invalid(out, PESIM_VIOLATION_MAPPER, 0, 0);
            out->violation.layer = i;
            return PESIM_OK;
        }
        cycles += best.cycles;
        energy += best.energy_pj;
    }
    out->cycles = cycles;
    out->energy_pj = energy;
    if (eval->power_budget_mw > 0 && cycles > 0) {
        double mw = energy * arch->clock_mhz / (double)cycles * 1e-3; /* pJ per cycle x MHz = uW */
        if (mw > eval->power_budget_mw) {
            snprintf(out->reason, sizeof out->reason, "power %.6g mW exceeds the budget %.6g mW", mw,
                     eval->power_budget_mw);
            invalid(out, PESIM_VIOLATION_POWER, mw, eval->power_budget_mw);
            return PESIM_OK;
        }
    }
    out->valid = 1;
    out->objective = pesim_objective_value(eval, cycles, energy, out->area_um2);
    return PESIM_OK;
}
