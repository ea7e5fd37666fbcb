/* cli/run_net.c - `pesim run --placement FILE|greedy|dram` (see run_net.h,
 * docs/cli.md and docs/network.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"
#include "pesim/net.h"
#ifdef PESIM_HAVE_SYSTEMC
#include "pesim/systemc.h"
#endif

#include "cli.h"
#include "json.h"
#include "output.h"
#include "paths.h"
#include "progress.h"
#include "run.h"
#include "run_net.h"

/* The tensor's display name: "input", "conv1.weights", "conv1.outputs". */
static void tensor_name(const pesim_network *net, const pesim_net_tensor *t, char *buf, size_t n)
{
    if (t->kind == PESIM_NET_INPUT) snprintf(buf, n, "input");
    else snprintf(buf, n, "%s.%s", net->layers[t->layer].name, t->kind == PESIM_NET_WEIGHTS ? "weights" : "outputs");
}

static const char *level_name(const pesim_arch *a, int lv)
{
    return lv >= 0 && lv < a->n_levels ? a->level[lv].name : "-";
}

/* The layer's dominant stall ("-" when none). */
static const char *top_stall(const pesim_cost *c)
{
    int best = -1;
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        if (c->stall_cycles[s] > 0 && (best < 0 || c->stall_cycles[s] > c->stall_cycles[best])) best = s;
    return best < 0 ? "-" : pesim_stall_name((pesim_stall)best);
}

void cli_net_mappings_text(const char *dir, const pesim_network *net, const pesim_net_layer *layer, FILE *f)
{
    int ran = 0, macs = 0;
    for (int32_t i = 0; i < net->n_layers; i++) {
        macs += pesim_layer_has_macs(&net->layers[i]);
        ran += layer[i].given != 0;
    }
    fprintf(f, "mappings   %s: %d of %d MAC layers ran theirs (the others: the default mapper's in the room left)\n",
            dir, ran, macs);
}

/* Words the layer moved at a level (reads + fills + updates over the tensors). */
static int64_t level_words(const pesim_cost *c, int lv, int writes)
{
    int64_t w = 0;
    for (int t = 0; t < PESIM_NTENSORS; t++)
        w += writes ? c->access[lv][t].fills + c->access[lv][t].updates : c->access[lv][t].reads;
    return w;
}

static double seconds(const pesim_arch *a, int64_t cycles)
{
    return a->clock_mhz > 0 ? (double)cycles / (a->clock_mhz * 1e6) : 0.0;
}

static void text_report(const pesim_net *n, const pesim_net_result *r, const char *source, const net_run_args *o,
                        const pesim_engine_options *eo, FILE *f)
{
    const pesim_arch *a = pesim_net_arch(n);
    const pesim_network *net = pesim_net_network(n);
    char b[8][32];
    int macs = 0;
    for (int32_t i = 0; i < net->n_layers; i++) macs += pesim_layer_has_macs(&net->layers[i]);
    fprintf(f, "arch       %s: %s MAC units at %g MHz", a->name, cli_fmt_count(pesim_arch_macs(a), b[0], 32),
            a->clock_mhz);
    if (a->vector.lanes > 0)
        fprintf(f, "; vector unit %d lanes at %s", (int)a->vector.lanes, a->level[a->vector.level].name);
    fprintf(f, "\nworkload   %s: %d layers, %d with MACs\n", net->name, (int)net->n_layers, macs);
    fprintf(f, "evaluator  %s", pesim_net_fidelity_name((pesim_net_fidelity)r->fidelity));
    if (r->fidelity != PESIM_NET_ANALYTICAL)
        fprintf(f, " (DRAM %s, refresh %s%s)", eo->dram_fcfs ? "FCFS" : "FR-FCFS", eo->no_refresh ? "off" : "on",
                eo->stall_free ? ", stall-free" : "");
    fprintf(f, "; placement %s; weights %s%s%s\n\n", source, o->preload_weights ? "preloaded" : "loaded (charged)",
            o->rectify ? "; rectification on" : "", o->no_alias ? "; concat copies" : "");
    if (!r->valid) {
        fprintf(f, "infeasible: %s\n", r->reason);
        return;
    }
    if (o->mappings) {
        cli_net_mappings_text(o->mappings, net, r->layer, f);
        fputc('\n', f);
    }
    int w = 5;
    for (int32_t i = 0; i < net->n_layers; i++)
        if ((int)strlen(net->layers[i].name) > w) w = (int)strlen(net->layers[i].name);
    int dram = a->n_levels - 1;
    fprintf(f, "%-*s  %-9s %12s %12s %11s %11s  %-16s %-6s %-6s %-6s %14s\n", w, "layer", "type", "start", "end",
            "cycles", "compute", "stall", "W", "I", "O", "top-level words");
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const pesim_net_layer *ly = &r->layer[i];
        const pesim_cost *c = &ly->cost;
        int has_w = pesim_layer_has_weights(l) || l->n_inputs > 1;
        fprintf(f, "%-*s  %-9s %12s %12s %11s %11s  %-16s %-6s %-6s %-6s %14s\n", w, l->name, pesim_op_name(l->op),
                cli_fmt_count(ly->start_cycle, b[0], 32), cli_fmt_count(ly->end_cycle, b[1], 32),
                cli_fmt_count(c->cycles, b[2], 32), cli_fmt_count(c->compute_cycles, b[3], 32), top_stall(c),
                has_w ? level_name(a, ly->home[PESIM_WEIGHTS]) : "-", level_name(a, ly->home[PESIM_INPUTS]),
                level_name(a, ly->home[PESIM_OUTPUTS]),
                cli_fmt_count(level_words(c, dram, 0) + level_words(c, dram, 1), b[4], 32));
    }
    fprintf(f, "\ntotal      %s cycles (%s), %s, utilization %.1f%%\n", cli_fmt_count(r->cycles, b[0], 32),
            cli_fmt_seconds(seconds(a, r->cycles), b[1], 32), cli_fmt_energy_pj(r->energy_pj, b[2], 32),
            100.0 * r->utilization);
    fprintf(f, "compute    %s cycles; stalls:", cli_fmt_count(r->compute_cycles, b[0], 32));
    int any = 0;
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        if (r->stall_cycles[s]) {
            fprintf(f, "%s %s %s", any ? ";" : "", pesim_stall_name((pesim_stall)s),
                    cli_fmt_count(r->stall_cycles[s], b[0], 32));
            any = 1;
        }
    fputs(any ? "\n" : " none\n", f);
    fprintf(f, "energy     MAC %s, vector %s", cli_fmt_energy_pj(r->energy_mac_pj, b[0], 32),
            cli_fmt_energy_pj(r->energy_vector_pj, b[1], 32));
    for (int lv = 0; lv < a->n_levels; lv++)
        fprintf(f, ", %s %s", a->level[lv].name, cli_fmt_energy_pj(r->energy_level_pj[lv], b[0], 32));
    fprintf(f, ", network %s, leakage %s\n", cli_fmt_energy_pj(r->energy_noc_pj, b[0], 32),
            cli_fmt_energy_pj(r->energy_leak_pj, b[1], 32));
    fprintf(f, "moved      %s weight words loaded, %s words copied (concat), %s vector ops\n",
            cli_fmt_count(r->load_words, b[0], 32), cli_fmt_count(r->copy_words, b[1], 32),
            cli_fmt_count(r->vector_ops, b[2], 32));
    if (r->rectified)
        fprintf(f, "rectified  %d tensors spilled outwards, %s words\n", (int)r->n_spills,
                cli_fmt_count(r->spilled_words, b[0], 32));
    fputs("\nper instance: capacity, peak live words, highest address used, fragmentation\n", f);
    for (int lv = 0; lv < a->n_levels; lv++) {
        if (r->peak_words[lv] == 0 && r->top_address[lv] == 0) continue;
        const pesim_net_occupancy *oc = &r->occupancy[(size_t)lv * (size_t)net->n_layers];
        fprintf(f, "%-10s %16s %16s %16s %6.1f%%\n", a->level[lv].name,
                oc->capacity_words ? cli_fmt_count(oc->capacity_words, b[0], 32) : "unbounded",
                cli_fmt_count(r->peak_words[lv], b[1], 32), cli_fmt_count(r->top_address[lv], b[2], 32),
                100.0 * r->fragmentation[lv]);
    }
}

static void stalls_json(json_writer *w, const int64_t *s)
{
    json_key(w, "stalls");
    json_begin_object(w);
    for (int k = 0; k < PESIM_STALL_COUNT; k++) json_kv_int(w, pesim_stall_name((pesim_stall)k), s[k]);
    json_end_object(w);
}

static void accesses_json(json_writer *w, const pesim_arch *a, const pesim_access acc[][PESIM_NTENSORS])
{
    json_key(w, "accesses");
    json_begin_array(w);
    for (int lv = 0; lv < a->n_levels; lv++)
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access *x = &acc[lv][t];
            if (!x->reads && !x->fills && !x->updates) continue;
            json_begin_object(w);
            cli_access_json_members(w, a->level[lv].name, (pesim_tensor)t, x);
            json_end_object(w);
        }
    json_end_array(w);
}

static void json_report(const pesim_net *n, const pesim_net_result *r, const char *source, const net_run_args *o,
                        const char *arch_path, const char *workload_path, FILE *f)
{
    const pesim_arch *a = pesim_net_arch(n);
    const pesim_network *net = pesim_net_network(n);
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "arch", a->name);
    json_kv_string(&w, "arch_file", arch_path);
    json_kv_string(&w, "workload", net->name);
    json_kv_string(&w, "workload_file", workload_path);
    json_kv_double(&w, "clock_mhz", a->clock_mhz);
    json_kv_int(&w, "mac_units", pesim_arch_macs(a));
    json_kv_string(&w, "evaluator", pesim_net_fidelity_name((pesim_net_fidelity)r->fidelity));
    json_key(&w, "placement");
    json_begin_object(&w);
    json_kv_string(&w, "source", source);
    json_kv_bool(&w, "preload_weights", o->preload_weights);
    json_kv_bool(&w, "rectify", o->rectify);
    json_kv_bool(&w, "alias", !o->no_alias);
    json_kv_bool(&w, "prefetch", !o->no_prefetch);
    json_kv_bool(&w, "rectified", r->rectified);
    json_kv_int(&w, "spilled_words", r->spilled_words);
    json_key(&w, "spills");
    json_begin_array(&w);
    for (int32_t k = 0; k < r->n_spills; k++) {
        const pesim_net_spill *s = &r->spill[k];
        char name[2 * PESIM_NAME_MAX];
        tensor_name(net, &r->tensor[s->tensor], name, sizeof name);
        json_begin_object(&w);
        json_kv_string(&w, "tensor", name);
        json_kv_string(&w, "from", level_name(a, s->from_level));
        json_kv_string(&w, "to", level_name(a, s->to_level));
        json_kv_int(&w, "step", s->step);
        json_kv_int(&w, "words", s->words);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_kv_bool(&w, "valid", r->valid);
    json_kv_string(&w, "reason", r->valid ? NULL : r->reason);
    if (!r->valid) {
        json_key(&w, "failure");
        json_begin_object(&w);
        char name[2 * PESIM_NAME_MAX] = "";
        if (r->fail_tensor >= 0) tensor_name(net, &r->tensor[r->fail_tensor], name, sizeof name);
        json_kv_string(&w, "tensor", r->fail_tensor >= 0 ? name : NULL);
        json_kv_string(&w, "level", r->fail_level >= 0 ? level_name(a, r->fail_level) : NULL);
        json_kv_int(&w, "step", r->fail_step);
        json_kv_string(&w, "layer", r->fail_step >= 0 ? net->layers[r->fail_step].name : NULL);
        json_kv_int(&w, "words_over", r->fail_words_over);
        json_end_object(&w);
        json_end_object(&w);
        return;
    }
    json_key(&w, "layers");
    json_begin_array(&w);
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const pesim_net_layer *ly = &r->layer[i];
        const pesim_cost *c = &ly->cost;
        json_begin_object(&w);
        json_kv_string(&w, "name", l->name);
        json_kv_string(&w, "type", pesim_op_name(l->op));
        json_kv_string(&w, "activation", l->act ? pesim_act_name((pesim_act)l->act) : NULL);
        json_kv_int(&w, "macs", pesim_layer_macs(l));
        json_kv_bool(&w, "valid", 1);
        json_kv_null(&w, "reason");
        json_kv_int(&w, "cycles", c->cycles);
        json_kv_int(&w, "compute_cycles", c->compute_cycles);
        json_kv_int(&w, "start_cycle", ly->start_cycle);
        json_kv_int(&w, "end_cycle", ly->end_cycle);
        json_kv_int(&w, "compute_start_cycle", ly->compute_start_cycle);
        json_kv_int(&w, "compute_end_cycle", ly->compute_end_cycle);
        json_kv_int(&w, "bound_cycles", ly->bound_cycles);
        json_kv_double(&w, "energy_pj", c->energy_pj);
        json_kv_double(&w, "utilization", c->utilization);
        stalls_json(&w, c->stall_cycles);
        json_key(&w, "homes");
        json_begin_object(&w);
        json_kv_string(&w, "weights", pesim_layer_has_weights(l) || l->n_inputs > 1
                                          ? level_name(a, ly->home[PESIM_WEIGHTS]) : NULL);
        json_kv_string(&w, "inputs", level_name(a, ly->home[PESIM_INPUTS]));
        json_kv_string(&w, "outputs", level_name(a, ly->home[PESIM_OUTPUTS]));
        json_end_object(&w);
        json_kv_int(&w, "vector_ops", ly->vector_ops);
        json_kv_int(&w, "load_words", ly->load_words);
        json_kv_int(&w, "load_end_cycle", ly->load_end_cycle);
        json_kv_int(&w, "copy_words", ly->copy_words);
        json_key(&w, "traffic");
        json_begin_object(&w);
        for (int lv = 0; lv < a->n_levels; lv++) {
            json_key(&w, a->level[lv].name);
            json_begin_object(&w);
            json_kv_int(&w, "reads", level_words(c, lv, 0));
            json_kv_int(&w, "writes", level_words(c, lv, 1));
            json_kv_int(&w, "room_words", ly->room_words[lv]);
            json_kv_int(&w, "staging_words", ly->staging_words[lv]);
            json_end_object(&w);
        }
        json_end_object(&w);
        accesses_json(&w, a, c->access);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "total");
    json_begin_object(&w);
    json_kv_int(&w, "macs", r->macs);
    json_kv_int(&w, "cycles", r->cycles);
    json_kv_double(&w, "seconds", seconds(a, r->cycles));
    json_kv_double(&w, "energy_pj", r->energy_pj);
    json_kv_double(&w, "edp_pj_cycles", r->energy_pj * (double)r->cycles);
    json_kv_double(&w, "utilization", r->utilization);
    json_kv_int(&w, "compute_cycles", r->compute_cycles);
    stalls_json(&w, r->stall_cycles);
    json_key(&w, "energy_breakdown_pj");
    json_begin_object(&w);
    json_kv_double(&w, "mac", r->energy_mac_pj);
    json_kv_double(&w, "vector", r->energy_vector_pj);
    for (int lv = 0; lv < a->n_levels; lv++) json_kv_double(&w, a->level[lv].name, r->energy_level_pj[lv]);
    json_kv_double(&w, "noc", r->energy_noc_pj);
    json_kv_double(&w, "leakage", r->energy_leak_pj);
    json_end_object(&w);
    json_kv_int(&w, "vector_ops", r->vector_ops);
    json_kv_int(&w, "load_words", r->load_words);
    json_kv_int(&w, "copy_words", r->copy_words);
    accesses_json(&w, a, r->access);
    if (r->fidelity != PESIM_NET_ANALYTICAL) {
        json_key(&w, "engine");
        json_begin_object(&w);
        json_kv_int(&w, "blocks", r->stats.blocks);
        json_kv_int(&w, "transfers", r->stats.transfers);
        json_kv_int(&w, "folds", r->stats.folds);
        json_kv_int(&w, "dram_reads", r->stats.dram_reads);
        json_kv_int(&w, "dram_writes", r->stats.dram_writes);
        json_kv_int(&w, "dram_row_hits", r->stats.dram_row_hits);
        json_kv_int(&w, "dram_row_misses", r->stats.dram_row_misses);
        json_kv_int(&w, "dram_row_conflicts", r->stats.dram_row_conflicts);
        json_kv_int(&w, "dram_refreshes", r->stats.dram_refreshes);
        json_end_object(&w);
    }
    json_end_object(&w);
    json_key(&w, "levels");
    json_begin_array(&w);
    for (int lv = 0; lv < a->n_levels; lv++) {
        json_begin_object(&w);
        json_kv_string(&w, "name", a->level[lv].name);
        json_kv_int(&w, "instances", pesim_arch_instances(a, lv));
        json_kv_int(&w, "capacity_words", r->occupancy[(size_t)lv * (size_t)net->n_layers].capacity_words);
        json_kv_int(&w, "peak_words", r->peak_words[lv]);
        json_kv_int(&w, "top_address", r->top_address[lv]);
        json_kv_double(&w, "fragmentation", r->fragmentation[lv]);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "tensors");
    json_begin_array(&w);
    for (int32_t id = 0; id < r->n_tensors; id++) {
        const pesim_net_tensor *t = &r->tensor[id];
        if (t->words == 0) continue;
        char name[2 * PESIM_NAME_MAX];
        tensor_name(net, t, name, sizeof name);
        json_begin_object(&w);
        json_kv_string(&w, "name", name);
        json_kv_string(&w, "kind", t->kind == PESIM_NET_INPUT ? "input" : t->kind == PESIM_NET_WEIGHTS ? "weights"
                                                                                                       : "activation");
        json_kv_int(&w, "words", t->words);
        json_kv_string(&w, "level", level_name(a, t->level));
        json_kv_string(&w, "placed_level", level_name(a, t->placed_level));
        json_kv_int(&w, "birth", t->birth);
        json_kv_int(&w, "death", t->death);
        json_kv_int(&w, "address", t->address);
        json_kv_int(&w, "instance_words", t->inst_words);
        char alias[2 * PESIM_NAME_MAX];
        if (t->alias_of >= 0) tensor_name(net, &r->tensor[t->alias_of], alias, sizeof alias);
        json_kv_string(&w, "alias_of", t->alias_of >= 0 ? alias : NULL);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "occupancy");
    json_begin_array(&w);
    for (int32_t k = 0; k < r->n_occupancy; k++) {
        const pesim_net_occupancy *oc = &r->occupancy[k];
        if (oc->capacity_words == 0 && oc->live_words == 0 && oc->staging_words == 0) continue;
        json_begin_object(&w);
        json_kv_string(&w, "level", a->level[oc->level].name);
        json_kv_int(&w, "step", oc->step);
        json_kv_string(&w, "layer", net->layers[oc->step].name);
        json_kv_int(&w, "start_cycle", r->layer[oc->step].start_cycle);
        json_kv_int(&w, "end_cycle", r->layer[oc->step].end_cycle);
        json_kv_int(&w, "live_words", oc->live_words);
        json_kv_int(&w, "staging_words", oc->staging_words);
        json_kv_int(&w, "capacity_words", oc->capacity_words);
        json_kv_int(&w, "top_address", oc->top_address);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
}

static void csv_report(const pesim_net *n, const pesim_net_result *r, FILE *f)
{
    const pesim_arch *a = pesim_net_arch(n);
    const pesim_network *net = pesim_net_network(n);
    fputs("layer,type,macs,start_cycle,end_cycle,cycles,compute_cycles,energy_pj,utilization", f);
    for (int s = 0; s < PESIM_STALL_COUNT; s++) fprintf(f, ",stall_%s_cycles", pesim_stall_name((pesim_stall)s));
    fputs(",home_weights,home_inputs,home_outputs,vector_ops,load_words,copy_words", f);
    for (int lv = 0; lv < a->n_levels; lv++) fprintf(f, ",%s_reads,%s_writes", a->level[lv].name, a->level[lv].name);
    fputc('\n', f);
    for (int32_t i = 0; r->valid && i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const pesim_net_layer *ly = &r->layer[i];
        const pesim_cost *c = &ly->cost;
        cli_csv_field(f, l->name);
        fprintf(f, ",%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",", pesim_op_name(l->op),
                pesim_layer_macs(l), ly->start_cycle, ly->end_cycle, c->cycles, c->compute_cycles);
        cli_csv_double(f, c->energy_pj);
        fputc(',', f);
        cli_csv_double(f, c->utilization);
        for (int s = 0; s < PESIM_STALL_COUNT; s++) fprintf(f, ",%" PRId64, c->stall_cycles[s]);
        int has_w = pesim_layer_has_weights(l) || l->n_inputs > 1;
        fprintf(f, ",%s,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64, has_w ? level_name(a, ly->home[PESIM_WEIGHTS]) : "",
                level_name(a, ly->home[PESIM_INPUTS]), level_name(a, ly->home[PESIM_OUTPUTS]), ly->vector_ops,
                ly->load_words, ly->copy_words);
        for (int lv = 0; lv < a->n_levels; lv++)
            fprintf(f, ",%" PRId64 ",%" PRId64, level_words(c, lv, 0), level_words(c, lv, 1));
        fputc('\n', f);
    }
}

static void occupancy_csv(const pesim_net *n, const pesim_net_result *r, FILE *f)
{
    const pesim_arch *a = pesim_net_arch(n);
    const pesim_network *net = pesim_net_network(n);
    fputs("level,instances,step,layer,start_cycle,end_cycle,live_words,staging_words,capacity_words,top_address\n", f);
    for (int32_t k = 0; r->valid && k < r->n_occupancy; k++) {
        const pesim_net_occupancy *oc = &r->occupancy[k];
        if (oc->capacity_words == 0 && oc->live_words == 0 && oc->staging_words == 0) continue;
        cli_csv_field(f, a->level[oc->level].name);
        fprintf(f, ",%" PRId64 ",%d,", pesim_arch_instances(a, oc->level), (int)oc->step);
        cli_csv_field(f, net->layers[oc->step].name);
        fprintf(f, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
                r->layer[oc->step].start_cycle, r->layer[oc->step].end_cycle, oc->live_words, oc->staging_words,
                oc->capacity_words, oc->top_address);
    }
}

/* Writes each MAC layer's mapping as run into DIR/<layer>.cfg. */
static int print_mappings(const pesim_net *n, const pesim_net_result *r, const char *dir)
{
    const pesim_network *net = pesim_net_network(n);
    for (int32_t i = 0; r->valid && i < net->n_layers; i++) {
        if (!r->layer[i].mapped) continue;
        char path[PESIM_PATH_MAX + PESIM_NAME_MAX + 8];
        if (cli_cfg_path(dir, net->layers[i].name, path, sizeof path)) {
            cli_error("%s: path too long", dir);
            return -1;
        }
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapping_write(path, &r->layer[i].mapping, pesim_net_arch(n), net->layers[i].name, &e)) {
            cli_report(&e, path);
            return -1;
        }
    }
    return 0;
}

/* Gives each MAC layer of n the mapping DIR/<stem>.cfg where that file
 * exists, stems as `pesim search --out DIR` names a network's layers (the
 * MAC layers in order, cli_names_stem). *given: how many. CLI_OK, or
 * CLI_USAGE after a message naming the file (one that does not load or does
 * not fit its layer, or no file at all). */
static int give_mappings(const char *cmd, pesim_net *n, const char *dir, int *given)
{
    const pesim_network *net = pesim_net_network(n);
    cli_names names;
    memset(&names, 0, sizeof names);
    int rc = CLI_OK;
    *given = 0;
    for (int32_t i = 0; i < net->n_layers && rc == CLI_OK; i++) {
        if (!pesim_layer_has_macs(&net->layers[i])) continue;
        char stem[96], path[PESIM_PATH_MAX + 128];
        if (cli_names_stem(&names, net->layers[i].name, stem, sizeof stem) != 0 ||
            snprintf(path, sizeof path, "%.*s/%s.cfg", PESIM_PATH_MAX, dir, stem) >= (int)sizeof path) {
            cli_error("%s: --mappings %s: path too long", cmd, dir);
            rc = CLI_USAGE;
            break;
        }
        FILE *f = fopen(path, "r");
        if (!f) continue; /* the default mapper's */
        fclose(f);
        pesim_mapping m;
        pesim_error e;
        pesim_error_clear(&e);
        if (pesim_mapping_load(path, pesim_net_arch(n), &m, &e) != PESIM_OK ||
            pesim_net_set_mapping(n, i, &m, &e) != PESIM_OK) {
            cli_report(&e, path);
            rc = CLI_USAGE;
        } else {
            (*given)++;
        }
    }
    cli_names_free(&names);
    if (rc == CLI_OK && *given == 0) {
        cli_error("%s: --mappings %s: no mapping file of any MAC layer there (DIR/<layer>.cfg)", cmd, dir);
        rc = CLI_USAGE;
    }
    return rc;
}

/* The progress line of a simulated network run: the network's MACs done,
 * rate and ETA, and the layer running ("layer 3 of 70: conv2_1"), updated
 * at each layer's start and by the engine inside each MAC layer. */
typedef struct net_progress {
    cli_progress line;
    const pesim_network *net;
    int32_t layer;               /* running (-1: none yet) */
    int64_t macs_before;         /* the MACs of the layers before it */
    char item[96];
} net_progress;

static void on_net_layer(void *ctx, int32_t layer, int32_t n_layers)
{
    net_progress *np = ctx;
    if (np->layer >= 0) np->macs_before += pesim_layer_macs(&np->net->layers[np->layer]);
    np->layer = layer;
    snprintf(np->item, sizeof np->item, "layer %d of %d: %.60s", (int)layer + 1, (int)n_layers,
             np->net->layers[layer].name);
    cli_progress_step(&np->line, np->macs_before, np->item);
}

static void on_net_step(void *ctx, int64_t done, int64_t total)
{
    net_progress *np = ctx;
    double frac = total > 0 ? (double)done / (double)total : 0.0;
    int64_t macs = np->layer >= 0 ? pesim_layer_macs(&np->net->layers[np->layer]) : 0;
    cli_progress_step(&np->line, np->macs_before + (int64_t)(frac * (double)macs), np->item);
}

/* The run at fidelity f (SystemC: pesim_systemc_net_run, where built) with
 * a progress line on a terminal when it simulates (quiet when stderr is not
 * a terminal: no hook is set). */
static pesim_status run_with_progress(pesim_net *n, const pesim_placement *p, pesim_net_fidelity f,
                                      const pesim_net_result **r, pesim_error *e)
{
    net_progress np;
    memset(&np, 0, sizeof np);
    np.net = pesim_net_network(n);
    np.layer = -1;
    cli_progress_start(&np.line, f == PESIM_NET_SYSTEMC ? "network (SystemC reference)" : "network (cycle engine)",
                       pesim_network_macs(np.net));
    int shown = f != PESIM_NET_ANALYTICAL && np.line.on;
    if (shown) pesim_net_set_progress(n, on_net_layer, on_net_step, &np);
#ifdef PESIM_HAVE_SYSTEMC
    pesim_status st = f == PESIM_NET_SYSTEMC ? pesim_systemc_net_run(n, p, r, e) : pesim_net_run(n, p, f, r, e);
#else
    pesim_status st = pesim_net_run(n, p, f, r, e);
#endif
    if (shown) pesim_net_set_progress(n, NULL, NULL, NULL);
    cli_progress_end(&np.line);
    return st;
}

int cli_net_fidelity(const char *eval)
{
    for (int f = 0; f < PESIM_NET_FIDELITY_COUNT; f++)
        if (strcmp(eval, pesim_net_fidelity_name((pesim_net_fidelity)f)) == 0) return f;
    return -1;
}

/* Reports e as an error in the file `path` (with e's line, if it has one),
 * unless e names its own file. */
static void report_in(pesim_error *e, const char *path)
{
    if (!e->file[0] && path) snprintf(e->file, sizeof e->file, "%.*s", (int)sizeof e->file - 1, path);
    cli_report(e, NULL);
}

void cli_net_infeasible(const char *cmd, const net_run_args *o, const pesim_placement *p, int levels,
                        const char *reason)
{
    int inside = p->input_level < levels - 1;
    for (int32_t i = 0; i < p->n_layers && !inside; i++)
        inside = p->weights_level[i] < levels - 1 || p->outputs_level[i] < levels - 1;
    cli_error("%s: infeasible placement: %s%s", cmd, reason,
              o->rectify || !inside ? "" : " (--rectify spills what does not fit to the next level out)");
}

int cli_net_open(const char *cmd, const cli_inputs *in, const net_run_args *o, const pesim_engine_options *eo,
                 int fidelity, pesim_net **out, pesim_placement *p, const char **source)
{
    pesim_net_options no;
    memset(&no, 0, sizeof no);
    no.preload_weights = o->preload_weights;
    no.rectify = o->rectify;
    no.no_alias = o->no_alias;
    no.no_prefetch = o->no_prefetch;
    no.engine = *eo;
    pesim_error e;
    pesim_error_clear(&e);
    pesim_net *n = NULL;
    *out = NULL;
    memset(p, 0, sizeof *p);
    if (pesim_net_create(in->arch, &in->net, &no, &n, &e) != PESIM_OK) {
        report_in(&e, in->workload_path);
        return CLI_USAGE;
    }
    int given = 0;
    if (o->mappings && give_mappings(cmd, n, o->mappings, &given) != CLI_OK) {
        pesim_net_destroy(n);
        return CLI_USAGE;
    }
    *source = o->placement;
    pesim_status st;
    if (strcmp(o->placement, "greedy") == 0) {
        st = pesim_net_place_greedy(n, p, &e);
        *source = "greedy (native compiler)";
    } else if (strcmp(o->placement, "dram") == 0) {
        st = pesim_net_place_outermost(n, p, &e);
        *source = "dram (every tensor in the outermost level)";
    } else if (strcmp(o->placement, "optimal") == 0) {
        /* exhaustive up to 4096 placements at the run's fidelity (the
         * analytical one for SystemC), else the ILP */
        pesim_net_optimum info;
        st = pesim_net_place_optimal(n, fidelity == PESIM_NET_CYCLE ? PESIM_NET_CYCLE : PESIM_NET_ANALYTICAL, 4096,
                                     p, &info, &e);
        static char what[96];
        snprintf(what, sizeof what, "optimal (%s, %lld runs%s)", info.exhaustive ? "exhaustive" : "ILP, GLPK",
                 (long long)info.evaluated, info.proven ? "" : "; not proven optimal");
        *source = what;
    } else { /* a file: each tensor in one of its homes (exit 2 at its entry's line) */
        st = pesim_placement_load(o->placement, in->arch, &in->net, p, &e);
        if (st == PESIM_OK) st = pesim_net_check_placement(n, p, &e);
    }
    if (st != PESIM_OK) {
        report_in(&e, o->placement);
        pesim_placement_free(p);
        pesim_net_destroy(n);
        return st == PESIM_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    *out = n;
    return CLI_OK;
}

pesim_status cli_net_run(pesim_net *n, const pesim_placement *p, int fidelity, const pesim_net_result **r, pesim_error *e)
{
    return run_with_progress(n, p, (pesim_net_fidelity)fidelity, r, e);
}

int cli_run_network(const cli_inputs *in, const net_run_args *o, const pesim_engine_options *eo)
{
    int f = cli_net_fidelity(o->eval);
    if (f < 0) {
        cli_error("run: unknown evaluator '%s' (--eval analytical|cycle|systemc)", o->eval);
        return CLI_USAGE;
    }
    pesim_net *n = NULL;
    pesim_placement p;
    const char *source = NULL;
    int rc = cli_net_open("run", in, o, eo, f, &n, &p, &source);
    if (rc != CLI_OK)
        return rc;
    pesim_status st;
    pesim_error e;
    pesim_error_clear(&e);
    FILE *jf = o->json ? cli_open_out(o->json) : NULL;
    FILE *cf = o->csv ? cli_open_out(o->csv) : NULL;
    FILE *of = o->occupancy ? cli_open_out(o->occupancy) : NULL;
    const pesim_net_result *r = NULL;
    if ((o->json && !jf) || (o->csv && !cf) || (o->occupancy && !of) ||
        (o->print_mapping && cli_make_dir(o->print_mapping))) {
        rc = CLI_USAGE;
    } else if ((st = run_with_progress(n, &p, (pesim_net_fidelity)f, &r, &e)) != PESIM_OK) {
        cli_report(&e, st == PESIM_ERR_INVALID && strcmp(source, o->placement) == 0 ? o->placement : NULL);
        rc = st == PESIM_ERR_INVALID ? CLI_USAGE : CLI_FAIL;
    } else {
        if (!cli_is_stdout(o->json) && !cli_is_stdout(o->csv) && !cli_is_stdout(o->occupancy))
            text_report(n, r, source, o, eo, stdout);
        if (jf) json_report(n, r, source, o, in->arch_path, in->workload_path, jf);
        if (cf) csv_report(n, r, cf);
        if (of) occupancy_csv(n, r, of);
        if (o->print_mapping && print_mappings(n, r, o->print_mapping)) rc = CLI_USAGE;
        if (o->write_placement && r->valid &&
            pesim_placement_write(o->write_placement, &r->placement, in->arch, &in->net, &e) != PESIM_OK) {
            cli_report(&e, o->write_placement);
            rc = CLI_USAGE;
        }
        if (!r->valid) {
            cli_net_infeasible("run", o, &p, pesim_net_arch(n)->n_levels, r->reason);
            if (rc == CLI_OK) rc = CLI_FAIL;
        }
    }
    int bad = cli_close_out(jf, o->json);
    bad |= cli_close_out(cf, o->csv);
    bad |= cli_close_out(of, o->occupancy);
    bad |= cli_close_out(stdout, "-");
    if (bad && rc == CLI_OK) rc = CLI_FAIL;
    pesim_placement_free(&p);
    pesim_net_destroy(n);
    return rc;
}
