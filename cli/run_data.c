/* cli/run_data.c - the machine-readable results of `pesim run`: JSON with
 * the keys of DESIGN.md's contract, and CSV (see run.h, docs/cli.md).
 *
 * Per layer: a layer without MACs has mapped = false, valid = true, zero
 * cycles and energy, null utilization; an invalid layer has valid = false, a
 * reason, and null for every result (cycles, energy, ...). */
#include <inttypes.h>
#include <math.h>

#include "json.h"
#include "output.h"
#include "run.h"

/* reads, fills, updates and writes (= fills + updates) per level and tensor,
 * for each tensor the mapping keeps at the level (and any with counts), the
 * same per utilized instance, the utilized instances and capacity. */
void cli_access_json_members(json_writer *w, const char *level, pesim_tensor t, const pesim_access *x)
{
    json_kv_string(w, "level", level);
    json_kv_string(w, "tensor", pesim_tensor_name(t));
    json_kv_int(w, "reads", x->reads);
    json_kv_int(w, "writes", x->fills + x->updates);
    json_kv_int(w, "fills", x->fills);
    json_kv_int(w, "updates", x->updates);
}

static void accesses_json(json_writer *w, const run_result *r, const run_layer *rl)
{
    const pesim_arch *a = r->arch;
    json_begin_array(w);
    for (int L = 0; rl->evaluated && rl->valid && L < a->n_levels; L++) {
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access *x = &rl->cost.access[L][t];
            if (!pesim_mapping_keeps(a, &rl->mapping, L, (pesim_tensor)t) &&
                !x->reads && !x->fills && !x->updates)
                continue;
            json_begin_object(w);
            cli_access_json_members(w, a->level[L].name, (pesim_tensor)t, x);
            const pesim_access *pi = &rl->cost.access_per_instance[L][t];
            json_kv_int(w, "reads_per_instance", pi->reads);
            json_kv_int(w, "fills_per_instance", pi->fills);
            json_kv_int(w, "updates_per_instance", pi->updates);
            json_kv_int(w, "utilized_instances", rl->cost.utilized_instances[L][t]);
            json_kv_int(w, "utilized_capacity_words", rl->cost.utilized_capacity_words[L][t]);
            json_end_object(w);
        }
    }
    json_end_array(w);
}

/* Per level with a network to its children and tensor crossing it: the words
 * it delivers, the distinct words entering it, the multicast factor, the
 * spatial reductions, the fan-out used and the word-hops. */
static void networks_json(json_writer *w, const run_result *r, const run_layer *rl)
{
    const pesim_arch *a = r->arch;
    const pesim_cost *c = &rl->cost;
    json_begin_array(w);
    for (int L = 0; rl->evaluated && rl->valid && L < a->n_levels; L++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            if (!c->noc_ingress_words[L][t] && !c->noc_words[L][t]) continue;
            json_begin_object(w);
            json_kv_string(w, "level", a->level[L].name);
            json_kv_string(w, "tensor", pesim_tensor_name((pesim_tensor)t));
            json_kv_int(w, "words", c->noc_words[L][t]);
            json_kv_int(w, "ingress_words", c->noc_ingress_words[L][t]);
            json_kv_double(w, "multicast", c->noc_multicast[L][t]);
            json_kv_int(w, "spatial_reductions", c->noc_spatial_reductions[L][t]);
            json_kv_int(w, "fanout", c->noc_fanout[L][t]);
            json_kv_double(w, "word_hops", c->noc_word_hops[L][t]);
            json_end_object(w);
        }
    json_end_array(w);
}

/* The engine's counters ("engine" of a layer). */
static void engine_json(json_writer *w, const pesim_engine_stats *st)
{
    json_key(w, "engine");
    json_begin_object(w);
    json_kv_int(w, "blocks", st->blocks);
    json_kv_int(w, "transfers", st->transfers);
    json_kv_int(w, "folds", st->folds);
    json_kv_int(w, "dram_reads", st->dram_reads);
    json_kv_int(w, "dram_writes", st->dram_writes);
    json_kv_int(w, "dram_row_hits", st->dram_row_hits);
    json_kv_int(w, "dram_row_misses", st->dram_row_misses);
    json_kv_int(w, "dram_row_conflicts", st->dram_row_conflicts);
    json_kv_int(w, "dram_refreshes", st->dram_refreshes);
    json_kv_int(w, "dram_cycles", st->dram_cycles);
    json_kv_int(w, "dram_act", st->dram_act);
    json_kv_int(w, "dram_pre", st->dram_pre);
    json_kv_int(w, "dram_rd", st->dram_rd);
    json_kv_int(w, "dram_wr", st->dram_wr);
    json_kv_int(w, "dram_active_cycles", st->dram_active_cycles);
    json_kv_int(w, "dram_precharged_cycles", st->dram_precharged_cycles);
    json_end_object(w);
}

/* The results of a valid evaluated layer. */
static void result_json(json_writer *w, const run_result *r, const run_layer *rl)
{
    const pesim_arch *a = r->arch;
    const pesim_cost *c = &rl->cost;
    json_kv_int(w, "cycles", c->cycles);
    json_kv_int(w, "compute_cycles", c->compute_cycles);
    json_kv_double(w, "seconds", cli_run_seconds(r, c->cycles));
    json_kv_double(w, "energy_pj", c->energy_pj);
    json_kv_double(w, "edp_pj_cycles", c->edp_pj_cycles);
    json_kv_double(w, "utilization", c->utilization);
    json_kv_int(w, "mac_units_used", c->spatial_used);
    json_key(w, "stalls");
    json_begin_object(w);
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        json_kv_int(w, pesim_stall_name((pesim_stall)s), c->stall_cycles[s]);
    json_end_object(w);
    if (r->ev->flags & CLI_EVAL_BOUNDS) {
        json_key(w, "level_cycles");
        json_begin_object(w);
        for (int L = 0; L < a->n_levels; L++)
            json_kv_int(w, a->level[L].name, c->level_cycles[L]);
        json_end_object(w);
        json_key(w, "noc_cycles");
        json_begin_object(w);
        for (int L = 1; L < a->n_levels; L++)
            json_kv_int(w, a->level[L].name, c->noc_cycles[L]);
        json_end_object(w);
    } else {    /* a simulator measures cycles; it computes no bounds */
        json_kv_null(w, "level_cycles");
        json_kv_null(w, "noc_cycles");
    }
    json_key(w, "energy_breakdown_pj");
    json_begin_object(w);
    json_kv_double(w, "mac", c->energy_mac_pj);
    for (int L = 0; L < a->n_levels; L++)
        json_kv_double(w, a->level[L].name, c->energy_level_pj[L]);
    json_kv_double(w, "noc", c->energy_noc_pj);
    json_kv_double(w, "leakage", c->energy_leak_pj);
    json_end_object(w);
    json_kv_double(w, "energy_reduce_pj", c->energy_reduce_pj); /* of the noc's: its adder trees */
    if (r->ev->flags & CLI_EVAL_ENGINE)
        engine_json(w, &rl->stats);
}

static void layer_json(json_writer *w, const run_result *r, const run_layer *rl)
{
    static const char *const nulls[] = {"cycles", "compute_cycles", "seconds", "energy_pj",
                                        "edp_pj_cycles", "utilization"};
    json_begin_object(w);
    json_kv_string(w, "name", rl->layer->name);
    json_kv_string(w, "type", pesim_op_name(rl->layer->op));
    json_kv_int(w, "macs", pesim_layer_macs(rl->layer));
    json_kv_bool(w, "mapped", rl->has_macs);
    json_kv_bool(w, "valid", rl->valid);
    json_kv_string(w, "reason", rl->valid ? NULL : rl->reason);
    if (!rl->has_macs) {
        json_kv_int(w, "cycles", 0);
        json_kv_int(w, "compute_cycles", 0);
        json_kv_double(w, "seconds", 0.0);
        json_kv_double(w, "energy_pj", 0.0);
        json_kv_double(w, "edp_pj_cycles", 0.0);
        json_kv_null(w, "utilization");
    } else if (!rl->valid) {
        for (size_t k = 0; k < sizeof nulls / sizeof nulls[0]; k++)
            json_kv_null(w, nulls[k]);
    } else {
        result_json(w, r, rl);
    }
    if (!rl->has_macs || !rl->valid) {
        json_key(w, "stalls");
        json_begin_object(w);
        json_end_object(w);
        if (r->ev->flags & CLI_EVAL_ENGINE)
            json_kv_null(w, "engine");
    }
    json_key(w, "accesses");
    accesses_json(w, r, rl);
    json_key(w, "networks");
    networks_json(w, r, rl);
    json_kv_string(w, "mapping_file", rl->mapping_file[0] ? rl->mapping_file : NULL);
    json_end_object(w);
}

void cli_run_json_members(json_writer *w, const run_result *r)
{
    json_kv_string(w, "evaluator", r->ev->name);
    if (r->ev->flags & CLI_EVAL_ENGINE) {
        json_key(w, "engine_options");
        json_begin_object(w);
        json_kv_bool(w, "stall_free", r->engine_opt.stall_free);
        json_kv_string(w, "dram_sched", cli_dram_sched_name(&r->engine_opt));
        json_kv_bool(w, "refresh", !r->engine_opt.no_refresh);
        json_end_object(w);
    } else {
        json_kv_null(w, "engine_options");
    }
    json_key(w, "layers");
    json_begin_array(w);
    for (int32_t i = 0; i < r->n; i++)
        layer_json(w, r, &r->layers[i]);
    json_end_array(w);
    json_key(w, "total");
    json_begin_object(w);
    json_kv_int(w, "macs", r->macs);
    json_kv_int(w, "cycles", r->cycles);
    json_kv_double(w, "seconds", cli_run_seconds(r, r->cycles));
    json_kv_double(w, "energy_pj", r->energy_pj);
    json_kv_double(w, "edp_pj_cycles", r->energy_pj * (double)r->cycles);
    json_kv_double(w, "utilization", cli_run_utilization(r, r->macs, r->cycles));
    json_kv_bool(w, "valid", r->n_invalid == 0);
    json_kv_int(w, "layers", r->n);
    json_kv_int(w, "mac_layers", r->n_mac_layers);
    json_kv_int(w, "invalid_layers", r->n_invalid);
    json_end_object(w);
}

void cli_run_json(const run_result *r, FILE *f)
{
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "arch", r->arch->name);
    json_kv_string(&w, "arch_file", r->arch_path);
    json_kv_string(&w, "workload", r->net->name);
    json_kv_string(&w, "workload_file", r->workload_path);
    json_kv_string(&w, "mapping_file", r->mapping_path);
    json_kv_double(&w, "clock_mhz", r->arch->clock_mhz);
    json_kv_int(&w, "mac_units", pesim_arch_macs(r->arch));
    cli_run_json_members(&w, r);
    json_end_object(&w);
}

/* The engine's counters in CSV, in the order of engine_json. */
static const char *const engine_columns[] = {
    "blocks", "transfers", "folds", "dram_reads", "dram_writes", "dram_row_hits",
    "dram_row_misses", "dram_row_conflicts", "dram_refreshes", "dram_cycles", "dram_act", "dram_pre", "dram_rd",
    "dram_wr", "dram_active_cycles", "dram_precharged_cycles"};
#define N_ENGINE_COLUMNS (int)(sizeof engine_columns / sizeof engine_columns[0])

static void engine_csv(FILE *f, const run_layer *rl)
{
    const pesim_engine_stats *st = &rl->stats;
    const int64_t v[N_ENGINE_COLUMNS] = {st->blocks, st->transfers, st->folds, st->dram_reads,
                                         st->dram_writes, st->dram_row_hits, st->dram_row_misses,
                                         st->dram_row_conflicts, st->dram_refreshes, st->dram_cycles,
                                         st->dram_act, st->dram_pre, st->dram_rd, st->dram_wr,
                                         st->dram_active_cycles, st->dram_precharged_cycles};
    for (int k = 0; k < N_ENGINE_COLUMNS; k++) {
        fputc(',', f);
        if (rl->has_macs && rl->valid)
            cli_csv_int(f, v[k]);
    }
}

void cli_run_csv(const run_result *r, FILE *f)
{
    fputs("layer,type,macs,mapped,valid,reason,cycles,compute_cycles,seconds,energy_pj,"
          "edp_pj_cycles,utilization", f);
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        fprintf(f, ",stall_%s_cycles", pesim_stall_name((pesim_stall)s));
    fputs(",mapping_file", f);
    int engine = (r->ev->flags & CLI_EVAL_ENGINE) != 0;
    for (int k = 0; engine && k < N_ENGINE_COLUMNS; k++)
        fprintf(f, ",engine_%s", engine_columns[k]);
    fputc('\n', f);
    for (int32_t i = 0; i < r->n; i++) {
        const run_layer *rl = &r->layers[i];
        const pesim_cost *c = &rl->cost;
        cli_csv_field(f, rl->layer->name);
        fprintf(f, ",%s,%" PRId64 ",%d,%d,", pesim_op_name(rl->layer->op),
                pesim_layer_macs(rl->layer), rl->has_macs, rl->valid);
        cli_csv_field(f, rl->valid ? NULL : rl->reason);
        if (!rl->has_macs) {
            fputs(",0,0,0,0,0,", f);                 /* utilization: empty */
            for (int s = 0; s < PESIM_STALL_COUNT; s++)
                fputs(",0", f);
        } else if (!rl->valid) {
            fputs(",,,,,,", f);
            for (int s = 0; s < PESIM_STALL_COUNT; s++)
                fputc(',', f);
        } else {
            fprintf(f, ",%" PRId64 ",%" PRId64 ",", c->cycles, c->compute_cycles);
            const double v[4] = {cli_run_seconds(r, c->cycles), c->energy_pj, c->edp_pj_cycles,
                                 c->utilization};
            for (int k = 0; k < 4; k++) {
                if (k > 0)
                    fputc(',', f);
                cli_csv_double(f, v[k]);
            }
            for (int s = 0; s < PESIM_STALL_COUNT; s++)
                fprintf(f, ",%" PRId64, c->stall_cycles[s]);
        }
        fputc(',', f);
        cli_csv_field(f, rl->mapping_file[0] ? rl->mapping_file : NULL);
        if (engine)
            engine_csv(f, rl);
        fputc('\n', f);
    }
}
