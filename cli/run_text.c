/* cli/run_text.c - the human report of `pesim run` (see run.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/config.h"

#include "output.h"
#include "run.h"

double cli_run_seconds(const run_result *r, int64_t cycles)
{
    if (!(r->arch->clock_mhz > 0.0))
        return NAN;
    return (double)cycles / (r->arch->clock_mhz * 1e6);
}

double cli_run_utilization(const run_result *r, int64_t macs, int64_t cycles)
{
    int64_t units = pesim_arch_macs(r->arch);
    if (cycles <= 0 || units <= 0)
        return NAN;
    return (double)macs / ((double)cycles * (double)units);
}

/* Energy x delay in J*s (the table's unit; JSON also has pJ*cycles). */
static double edp_js(const run_result *r, double energy_pj, int64_t cycles)
{
    return energy_pj * 1e-12 * cli_run_seconds(r, cycles);
}

static void header(const run_result *r, FILE *f)
{
    char b[32];
    const pesim_arch *a = r->arch;
    const pesim_network *net = r->net;
    fprintf(f, "arch       %s (%s): %s MAC units at %g MHz\n", a->name, r->arch_path,
            cli_fmt_count(pesim_arch_macs(a), b, sizeof b), a->clock_mhz);
    fprintf(f, "workload   %s (%s)", net->name, r->workload_path);
    if (r->single)
        fprintf(f, ", layer %s\n", r->layers[0].layer->name);
    else
        fprintf(f, ": %" PRId32 " layers, %" PRId32 " with MACs\n", r->n, r->n_mac_layers);
    fprintf(f, "evaluator  %s", r->ev->name);
    if (r->ev->flags & CLI_EVAL_ENGINE)
        cli_engine_options_text(&r->engine_opt, f);
    fprintf(f, "; mapping%s %s\n\n", r->mapping_path ? "" : "s",
            r->mapping_path ? r->mapping_path : "from the default mapper");
}

void cli_engine_options_text(const pesim_engine_options *opt, FILE *f)
{
    if (opt->stall_free)
        fputs(" (stall-free: transfers take no time)", f);
    else
        fprintf(f, " (DRAM %s, refresh %s)", opt->dram_fcfs ? "FCFS" : "FR-FCFS",
                opt->no_refresh ? "off" : "on");
}

void cli_engine_stats_text(const pesim_engine_stats *s, FILE *f)
{
    char b[7][32];
    fprintf(f, "engine       %s blocks, %s transfers, %s folds\n",
            cli_fmt_count(s->blocks, b[0], 32), cli_fmt_count(s->transfers, b[1], 32),
            cli_fmt_count(s->folds, b[2], 32));
    fprintf(f, "DRAM         %s bursts (%s reads, %s writes); rows: %s hits, %s misses, "
            "%s conflicts; %s refreshes\n",
            cli_fmt_count(s->dram_reads + s->dram_writes, b[0], 32),
            cli_fmt_count(s->dram_reads, b[1], 32), cli_fmt_count(s->dram_writes, b[2], 32),
            cli_fmt_count(s->dram_row_hits, b[3], 32), cli_fmt_count(s->dram_row_misses, b[4], 32),
            cli_fmt_count(s->dram_row_conflicts, b[5], 32),
            cli_fmt_count(s->dram_refreshes, b[6], 32));
}

/* Width of the layer-name column. */
static int name_width(const run_result *r)
{
    int w = 5;
    for (int32_t i = 0; i < r->n; i++) {
        int len = (int)strlen(r->layers[i].layer->name);
        if (len > w) w = len;
    }
    return w;
}

static void row(const run_result *r, const run_layer *rl, int w, FILE *f)
{
    char macs[32], cyc[32], t[32], e[32];
    cli_fmt_count(pesim_layer_macs(rl->layer), macs, sizeof macs);
    fprintf(f, "%-*s  %-6s %15s", w, rl->layer->name, pesim_op_name(rl->layer->op), macs);
    if (!rl->has_macs) {
        fprintf(f, " %15s %11s %11s %10s %6s  %s\n", "-", "-", "-", "-", "-", CLI_NOT_MAPPED);
        return;
    }
    if (!rl->valid) {
        fprintf(f, " %15s %11s %11s %10s %6s  invalid: %s\n", "-", "-", "-", "-", "-",
                rl->reason);
        return;
    }
    const pesim_cost *c = &rl->cost;
    fprintf(f, " %15s %11s %11s %10.3e %5.1f%%  ok\n", cli_fmt_count(c->cycles, cyc, sizeof cyc),
            cli_fmt_seconds(cli_run_seconds(r, c->cycles), t, sizeof t),
            cli_fmt_energy_pj(c->energy_pj, e, sizeof e), edp_js(r, c->energy_pj, c->cycles),
            100.0 * c->utilization);
}

static void totals(const run_result *r, int w, FILE *f)
{
    char macs[32], cyc[32], t[32], e[32];
    double u = cli_run_utilization(r, r->macs, r->cycles);
    fprintf(f, "%-*s  %-6s %15s %15s %11s %11s %10.3e ", w, "total", "",
            cli_fmt_count(r->macs, macs, sizeof macs), cli_fmt_count(r->cycles, cyc, sizeof cyc),
            cli_fmt_seconds(cli_run_seconds(r, r->cycles), t, sizeof t),
            cli_fmt_energy_pj(r->energy_pj, e, sizeof e), edp_js(r, r->energy_pj, r->cycles));
    if (isfinite(u))
        fprintf(f, "%5.1f%% ", 100.0 * u);
    else
        fprintf(f, "%6s ", "-");
    fprintf(f, " %" PRId32 " valid, %" PRId32 " invalid, %" PRId32 " without MACs\n", r->n_valid,
            r->n_invalid, r->n - r->n_mac_layers);
    if (r->n_invalid > 0)
        fputs("(totals cover the valid layers only)\n", f);
}

/* Stall cycles by cause per layer: a column per cause that occurs in some
 * valid layer, "-" where a layer has none of it. */
static void stall_table(const run_result *r, int w, FILE *f)
{
    int64_t sum[PESIM_STALL_COUNT] = {0}, compute = 0, stalls = 0;
    int cw[PESIM_STALL_COUNT];
    for (int32_t i = 0; i < r->n; i++) {
        const run_layer *rl = &r->layers[i];
        if (!rl->has_macs || !rl->valid)
            continue;
        compute += rl->cost.compute_cycles;
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            sum[s] += rl->cost.stall_cycles[s], stalls += rl->cost.stall_cycles[s];
    }
    char b[32];
    fputs("\nstall cycles by cause (causes that occur; '-' none)\n", f);
    fprintf(f, "%-*s %15s %15s", w, "layer", "compute", "stalls");
    for (int s = 0; s < PESIM_STALL_COUNT; s++) {
        int len = (int)strlen(pesim_stall_name((pesim_stall)s));
        cw[s] = len > 13 ? len : 13;
        if (sum[s])
            fprintf(f, " %*s", cw[s], pesim_stall_name((pesim_stall)s));
    }
    fputc('\n', f);
    for (int32_t i = 0; i < r->n; i++) {
        const run_layer *rl = &r->layers[i];
        if (!rl->has_macs || !rl->valid)
            continue;
        const pesim_cost *c = &rl->cost;
        fprintf(f, "%-*s %15s", w, rl->layer->name, cli_fmt_count(c->compute_cycles, b, sizeof b));
        fprintf(f, " %15s", cli_fmt_count(c->cycles - c->compute_cycles, b, sizeof b));
        for (int s = 0; s < PESIM_STALL_COUNT; s++)
            if (sum[s])
                fprintf(f, " %*s", cw[s], c->stall_cycles[s] ?
                        cli_fmt_count(c->stall_cycles[s], b, sizeof b) : "-");
        fputc('\n', f);
    }
    fprintf(f, "%-*s %15s", w, "total", cli_fmt_count(compute, b, sizeof b));
    fprintf(f, " %15s", cli_fmt_count(stalls, b, sizeof b));
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        if (sum[s])
            fprintf(f, " %*s", cw[s], cli_fmt_count(sum[s], b, sizeof b));
    fputc('\n', f);
}

/* The single-layer details: breakdowns, accesses, the mapping. */
static void details(const run_result *r, const run_layer *rl, FILE *f)
{
    const pesim_arch *a = r->arch;
    const pesim_cost *c = &rl->cost;
    char b[3][32];
    if (rl->evaluated && rl->valid) {
        fprintf(f, "\ncycles       %s (compute %s)\n", cli_fmt_count(c->cycles, b[0], 32),
                cli_fmt_count(c->compute_cycles, b[1], 32));
        fputs("stalls      ", f);
        int any = 0;
        for (int s = 0; s < PESIM_STALL_COUNT; s++) {
            if (c->stall_cycles[s] == 0)
                continue;
            fprintf(f, "%s %s %s", any ? ";" : "", pesim_stall_name((pesim_stall)s),
                    cli_fmt_count(c->stall_cycles[s], b[0], 32));
            any = 1;
        }
        fputs(any ? "\n" : " none\n", f);
        if (r->ev->flags & CLI_EVAL_BOUNDS) {
            fputs("bound by     level bandwidth:", f);
            for (int L = 0; L < a->n_levels; L++)
                fprintf(f, " %s %s", a->level[L].name, cli_fmt_count(c->level_cycles[L], b[0], 32));
            fputs("; network:", f);
            for (int L = 1; L < a->n_levels; L++)
                fprintf(f, " %s %s", a->level[L].name, cli_fmt_count(c->noc_cycles[L], b[0], 32));
            fputs(" (cycles)\n", f);
        }
        if (r->ev->flags & CLI_EVAL_ENGINE)
            cli_engine_stats_text(&rl->stats, f);
        fprintf(f, "energy       %s: MAC %s", cli_fmt_energy_pj(c->energy_pj, b[0], 32),
                cli_fmt_energy_pj(c->energy_mac_pj, b[1], 32));
        for (int L = 0; L < a->n_levels; L++)
            fprintf(f, ", %s %s", a->level[L].name,
                    cli_fmt_energy_pj(c->energy_level_pj[L], b[0], 32));
        fprintf(f, ", network %s (adder trees %s), leakage %s\n", cli_fmt_energy_pj(c->energy_noc_pj, b[0], 32),
                cli_fmt_energy_pj(c->energy_reduce_pj, b[2], 32), cli_fmt_energy_pj(c->energy_leak_pj, b[1], 32));
        fprintf(f, "utilization  %.1f%% (%s of %s MAC units mapped)\n", 100.0 * c->utilization,
                cli_fmt_count(c->spatial_used, b[0], 32),
                cli_fmt_count(pesim_arch_macs(a), b[1], 32));
        fputs("\naccesses in words, totals over the instances of a level\n", f);
        fprintf(f, "%-12s %-8s %16s %16s %16s\n", "level", "tensor", "reads", "fills", "updates");
        for (int L = 0; L < a->n_levels; L++) {
            for (int t = 0; t < PESIM_NTENSORS; t++) {
                const pesim_access *x = &c->access[L][t];
                if (!pesim_mapping_keeps(a, &rl->mapping, L, (pesim_tensor)t) &&
                    !x->reads && !x->fills && !x->updates)
                    continue;
                char u[32];
                fprintf(f, "%-12s %-8s %16s %16s %16s\n", a->level[L].name,
                        pesim_tensor_name((pesim_tensor)t), cli_fmt_count(x->reads, b[0], 32),
                        cli_fmt_count(x->fills, b[1], 32), cli_fmt_count(x->updates, u, 32));
            }
        }
    }
    if (rl->has_mapping) {
        char *text = pesim_mapping_to_string(&rl->mapping, a, rl->layer->name);
        if (text) {
            fprintf(f, "\nmapping%s%s%s\n", rl->mapping_file[0] ? " (written to " : "",
                    rl->mapping_file[0] ? rl->mapping_file : "", rl->mapping_file[0] ? ")" : "");
            fprintf(f, "%s%s", text, text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
            free(text);
        }
    }
}

void cli_run_text(const run_result *r, FILE *f)
{
    header(r, f);
    int w = name_width(r);
    fprintf(f, "%-*s  %-6s %15s %15s %11s %11s %10s %6s  %s\n", w, "layer", "type", "MACs",
            "cycles", "time", "energy", "EDP_J*s", "util", "status");
    for (int32_t i = 0; i < r->n; i++)
        row(r, &r->layers[i], w, f);
    if (!r->single) {
        totals(r, w, f);
        if (r->ev->flags & CLI_EVAL_ENGINE)
            stall_table(r, w, f);
    }
    else if (r->layers[0].has_macs)
        details(r, &r->layers[0], f);
}
