/* cli/compare_data.c - the machine-readable results of `pesim compare`:
 * JSON with one `run` object per evaluator nested under its name (DESIGN.md)
 * plus the comparison, and CSV with one row per layer (docs/cli.md). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "compare.h"
#include "json.h"
#include "output.h"

static const char *status_name(compare_status s)
{
    switch (s) {
    case CMP_NOT_MAPPED: return "not_mapped";
    case CMP_INVALID: return "invalid";
    case CMP_DISAGREE: return "disagree";
    case CMP_COMPARED: return "compared";
    case CMP_NOT_RUN: return "not_run";
    }
    return "?";
}

static double ratio(int64_t ref, int64_t cycles)
{
    return ref > 0 ? (double)cycles / (double)ref : (double)NAN;
}

/* ratio, gap_cycles, gap_percent, gap_by_cause of a CMP_COMPARED check (or a total). */
static void gap_json(json_writer *w, const compare_check *c)
{
    static const char *const keys[] = {"ratio", "gap_cycles", "gap_percent", "gap_by_cause"};
    if (c->status != CMP_COMPARED) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            json_kv_null(w, keys[k]);
        return;
    }
    json_kv_double(w, "ratio", ratio(c->ref_cycles, c->cycles));
    json_kv_int(w, "gap_cycles", c->gap_cycles);
    json_kv_double(w, "gap_percent",
                   c->ref_cycles > 0 ? 100.0 * (double)c->gap_cycles / (double)c->ref_cycles : NAN);
    json_key(w, "gap_by_cause");
    json_begin_object(w);
    json_kv_int(w, "compute", c->gap_compute);
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        json_kv_int(w, pesim_stall_name((pesim_stall)s), c->gap_stall[s]);
    json_end_object(w);
}

/* "comparison": { "<evaluator>": { "reference", "layers": [...], "total": {...} } } */
static void comparison_json(json_writer *w, const compare_result *r)
{
    json_key(w, "comparison");
    json_begin_object(w);
    for (size_t k = 1; k < r->n_runs; k++) {
        json_key(w, r->run[k].ev->name);
        json_begin_object(w);
        json_kv_string(w, "reference", r->run[0].ev->name);
        compare_reproduction rep;
        cli_compare_reproduction(r, k, &rep);
        const size_t j = rep.twin;
        json_kv_string(w, "reproduces", j > 0 ? r->run[j].ev->name : NULL);
        json_key(w, "layers");
        json_begin_array(w);
        compare_check total;
        memset(&total, 0, sizeof total);
        total.accesses_equal = 1;
        int32_t compared = 0, differ = 0, not_run = 0;
        for (int32_t i = 0; i < r->run[0].n; i++) {
            compare_check c;
            cli_compare_check(r, k, i, &c);
            cli_compare_add(&total, &c);
            compared += c.status == CMP_COMPARED;
            not_run += c.status == CMP_NOT_RUN;
            differ += c.status == CMP_DISAGREE || !c.accesses_equal;
            json_begin_object(w);
            json_kv_string(w, "name", r->run[0].layers[i].layer->name);
            json_kv_string(w, "status", status_name(c.status));
            gap_json(w, &c);
            json_kv_bool(w, "accesses_equal", c.accesses_equal);
            json_kv_string(w, "difference", c.difference[0] ? c.difference : NULL);
            char diff[CLI_COMPARE_DIFF_MAX];
            int same = j > 0 ? cli_compare_exact(r, j, k, i, diff, sizeof diff) : -1;
            if (same >= 0) {
                json_kv_bool(w, "reproduced", same);
                json_kv_string(w, "reproduction_difference", same ? NULL : diff);
            } else {
                json_kv_null(w, "reproduced");
                json_kv_null(w, "reproduction_difference");
            }
            json_end_object(w);
        }
        json_end_array(w);
        json_key(w, "total");
        json_begin_object(w);
        json_kv_int(w, "layers_compared", compared);
        json_kv_int(w, "layers_differ", differ);
        json_kv_int(w, "layers_not_run", not_run);
        json_kv_int(w, "reference_cycles", total.ref_cycles);
        json_kv_int(w, "cycles", total.cycles);
        gap_json(w, &total);
        json_kv_bool(w, "accesses_equal", differ == 0);
        if (j > 0)
            json_kv_int(w, "layers_not_reproduced", rep.differ);
        else
            json_kv_null(w, "layers_not_reproduced");
        json_end_object(w);
        json_end_object(w);
    }
    json_end_object(w);
}

void cli_compare_json(const compare_result *r, FILE *f)
{
    const run_result *ref = &r->run[0];
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "arch", ref->arch->name);
    json_kv_string(&w, "arch_file", ref->arch_path);
    json_kv_string(&w, "workload", ref->net->name);
    json_kv_string(&w, "workload_file", ref->workload_path);
    json_kv_string(&w, "mapping_file", ref->mapping_path);
    json_kv_double(&w, "clock_mhz", ref->arch->clock_mhz);
    json_kv_int(&w, "mac_units", pesim_arch_macs(ref->arch));
    json_kv_string(&w, "reference", ref->ev->name);
    json_key(&w, "evaluators");
    json_begin_array(&w);
    for (size_t k = 0; k < r->n_runs; k++)
        json_string(&w, r->run[k].ev->name);
    json_end_array(&w);
    for (size_t k = 0; k < r->n_runs; k++) {
        json_key(&w, r->run[k].ev->name);
        json_begin_object(&w);
        cli_run_json_members(&w, &r->run[k]);
        json_end_object(&w);
    }
    for (size_t k = 0; k < r->n_missing; k++)
        json_kv_null(&w, r->missing[k]->name);
    comparison_json(&w, r);
    json_kv_bool(&w, "agree", cli_compare_disagreements(r) == 0);
    json_kv_bool(&w, "valid", cli_compare_invalid(r) == 0);
    json_end_object(&w);
}

/* An evaluator's columns of one layer: valid, cycles, compute, energy, stalls. */
static void run_csv(FILE *f, const run_layer *rl)
{
    const pesim_cost *c = &rl->cost;
    fprintf(f, ",%d", rl->valid);
    if (!rl->has_macs) {
        fputs(",0,0,0", f);
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            fputs(",0", f);
    } else if (!rl->valid) {
        fputs(",,,", f);
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            fputc(',', f);
    } else {
        fprintf(f, ",%" PRId64 ",%" PRId64 ",", c->cycles, c->compute_cycles);
        cli_csv_double(f, c->energy_pj);
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            fprintf(f, ",%" PRId64, c->stall_cycles[s]);
    }
}

void cli_compare_csv(const compare_result *r, FILE *f)
{
    const run_result *ref = &r->run[0];
    fputs("layer,type,macs,mapped", f);
    for (size_t k = 0; k < r->n_runs; k++) {
        const char *n = r->run[k].ev->name;
        fprintf(f, ",%s_valid,%s_cycles,%s_compute_cycles,%s_energy_pj", n, n, n, n);
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            fprintf(f, ",%s_stall_%s_cycles", n, pesim_stall_name((pesim_stall)s));
    }
    for (size_t k = 1; k < r->n_runs; k++) {
        const char *n = r->run[k].ev->name;
        fprintf(f, ",%s_status,%s_ratio,%s_gap_cycles,%s_accesses_equal,%s_difference", n, n, n, n, n);
        if (cli_compare_twin(r, k) > 0)
            fprintf(f, ",%s_reproduced,%s_reproduction_difference", n, n);
    }
    fputc('\n', f);
    for (int32_t i = 0; i < ref->n; i++) {
        const run_layer *rl = &ref->layers[i];
        cli_csv_field(f, rl->layer->name);
        fprintf(f, ",%s,%" PRId64 ",%d", pesim_op_name(rl->layer->op), pesim_layer_macs(rl->layer),
                rl->has_macs);
        for (size_t k = 0; k < r->n_runs; k++)
            run_csv(f, &r->run[k].layers[i]);
        for (size_t k = 1; k < r->n_runs; k++) {
            compare_check c;
            cli_compare_check(r, k, i, &c);
            fprintf(f, ",%s,", status_name(c.status));
            if (c.status == CMP_COMPARED)
                cli_csv_double(f, ratio(c.ref_cycles, c.cycles));
            fputc(',', f);
            if (c.status == CMP_COMPARED)
                cli_csv_int(f, c.gap_cycles);
            fputc(',', f);
            if (c.status == CMP_COMPARED || c.status == CMP_DISAGREE)
                cli_csv_int(f, c.accesses_equal);
            fputc(',', f);
            cli_csv_field(f, c.difference[0] ? c.difference : NULL);
            size_t j = cli_compare_twin(r, k);
            if (j > 0) {
                char diff[CLI_COMPARE_DIFF_MAX];
                int same = cli_compare_exact(r, j, k, i, diff, sizeof diff);
                fputc(',', f);
                if (same >= 0)
                    fprintf(f, "%d", same);
                fputc(',', f);
                cli_csv_field(f, same == 0 ? diff : NULL);
            }
        }
        fputc('\n', f);
    }
}
