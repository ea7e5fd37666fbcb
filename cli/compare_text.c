/* cli/compare_text.c - the human report of `pesim compare` (see compare.h):
 * a table per simulating evaluator against the reference, then for one
 * layer the cycles by cause of every evaluator and the engine's counters. */
#include <inttypes.h>
#include <string.h>

#include "compare.h"
#include "output.h"

static void header(const compare_result *r, FILE *f)
{
    const run_result *ref = &r->run[0];
    char b[32];
    fprintf(f, "arch        %s (%s): %s MAC units at %g MHz\n", ref->arch->name, ref->arch_path,
            cli_fmt_count(pesim_arch_macs(ref->arch), b, sizeof b), ref->arch->clock_mhz);
    fprintf(f, "workload    %s (%s)", ref->net->name, ref->workload_path);
    if (ref->single)
        fprintf(f, ", layer %s\n", ref->layers[0].layer->name);
    else
        fprintf(f, ": %" PRId32 " layers, %" PRId32 " with MACs\n", ref->n, ref->n_mac_layers);
    fputs("evaluators ", f);
    for (size_t k = 0; k < r->n_runs; k++) {
        fprintf(f, "%s %s", k ? ";" : "", r->run[k].ev->name);
        if (k == 0)
            fputs(" (reference)", f);
        else if (r->run[k].ev->flags & CLI_EVAL_ENGINE)
            cli_engine_options_text(&r->run[k].engine_opt, f);
    }
    for (size_t k = 0; k < r->n_missing; k++)
        fprintf(f, "; %s not built yet", r->missing[k]->name);
    fprintf(f, "\nmapping%s    %s, the same for every evaluator\n\n", ref->mapping_path ? " " : "s",
            ref->mapping_path ? ref->mapping_path : "from the default mapper");
}

static int name_width(const run_result *r)
{
    int w = 5;
    for (int32_t i = 0; i < r->n; i++) {
        int len = (int)strlen(r->layers[i].layer->name);
        if (len > w) w = len;
    }
    return w;
}

/* Cycles of a run's layer, or "-". */
static const char *cycles_cell(const run_layer *rl, char *buf, size_t n)
{
    if (!rl->has_macs || !rl->valid)
        return "-";
    return cli_fmt_count(rl->cost.cycles, buf, n);
}

/* Run k against the run it must reproduce exactly (cli_compare_twin), if
 * any: one line, "equal" or how many layers differ and the first, and how
 * many layers one of the two did not run. */
static void twin_line(const compare_result *r, size_t k, FILE *f)
{
    compare_reproduction rep;
    cli_compare_reproduction(r, k, &rep);
    if (rep.twin == 0)
        return;
    const char *x = r->run[k].ev->name, *y = r->run[rep.twin].ev->name;
    if (rep.differ == 0 && rep.same == 0)
        fprintf(f, "%s vs %s: no layer run by both", x, y);
    else if (rep.differ == 0)
        fprintf(f, "%s vs %s: equal on every layer%s (cycles, stalls, energy, network figures, DRAM statistics)",
                x, y, rep.not_run ? " both ran" : "");
    else
        fprintf(f, "%s vs %s: %" PRId32 " layer%s differ, the first %s: %s (a bug)", x, y, rep.differ,
                rep.differ == 1 ? "" : "s", r->run[0].layers[rep.first].layer->name, rep.difference);
    if (rep.not_run)
        fprintf(f, "; %" PRId32 " layer%s not run, out of an evaluator's range (above)", rep.not_run,
                rep.not_run == 1 ? "" : "s");
    fputc('\n', f);
}

/* Evaluator k against the reference: a row per layer, the total, and the
 * differences found. */
static void pair_table(const compare_result *r, size_t k, int w, FILE *f)
{
    const run_result *ref = &r->run[0], *x = &r->run[k];
    char b[5][48], gap[256];
    fprintf(f, "%s vs %s\n", x->ev->name, ref->ev->name);
    fprintf(f, "%-*s  %-6s %15s %15s %15s %9s  %-9s %s\n", w, "layer", "type", "MACs",
            ref->ev->name, x->ev->name, "ratio", "accesses", "gap by cause (% of reference cycles)");
    compare_check total;
    memset(&total, 0, sizeof total);
    total.accesses_equal = 1;
    int32_t differ = 0, compared = 0;
    int bounded = cli_compare_bounded(x->ev, &x->engine_opt), below = 0;
    for (int32_t i = 0; i < ref->n; i++) {
        const run_layer *rl = &ref->layers[i];
        compare_check c;
        cli_compare_check(r, k, i, &c);
        cli_compare_add(&total, &c);
        fprintf(f, "%-*s  %-6s %15s %15s %15s ", w, rl->layer->name, pesim_op_name(rl->layer->op),
                cli_fmt_count(pesim_layer_macs(rl->layer), b[0], 48),
                cycles_cell(rl, b[1], 48), cycles_cell(&x->layers[i], b[2], 48));
        switch (c.status) {
        case CMP_NOT_MAPPED:
            fprintf(f, "%9s  %-9s %s\n", "-", "-", CLI_NOT_MAPPED);
            break;
        case CMP_INVALID:
            fprintf(f, "%9s  %-9s invalid: %s\n", "-", "-", rl->reason);
            break;
        case CMP_NOT_RUN:
            fprintf(f, "%9s  %-9s not run: %s\n", "-", "-",
                    cli_compare_not_run(rl) ? rl->reason : x->layers[i].reason);
            break;
        case CMP_DISAGREE:
            differ++;
            fprintf(f, "%9s  %-9s %s\n", "-", "DIFFER", c.difference);
            break;
        case CMP_COMPARED:
            compared++;
            differ += !c.accesses_equal;
            below |= c.below;
            fprintf(f, "%9s  %-9s %s\n", cli_compare_ratio_text(c.ref_cycles, c.cycles, bounded, b[3], 48),
                    c.accesses_equal ? "equal" : "DIFFER", cli_compare_gap_text(&c, gap, sizeof gap));
            break;
        }
    }
    if (!ref->single) {
        snprintf(b[3], 48, "%" PRId32 " differ", differ);
        fprintf(f, "%-*s  %-6s %15s %15s %15s %9s  %-9s %s\n", w, "total", "",
                cli_fmt_count(ref->macs, b[0], 48), cli_fmt_count(total.ref_cycles, b[1], 48),
                cli_fmt_count(total.cycles, b[2], 48),
                cli_compare_ratio_text(total.ref_cycles, total.cycles, bounded, b[4], 48), differ ? b[3] : "equal",
                compared > 0 ? cli_compare_gap_text(&total, gap, sizeof gap) : "");
    }
    for (int32_t i = 0; i < ref->n; i++) {
        compare_check c;
        cli_compare_check(r, k, i, &c);
        if (c.status == CMP_COMPARED && !c.accesses_equal)
            fprintf(f, "%s: access counts differ: %s (a bug)\n", ref->layers[i].layer->name,
                    c.difference);
    }
    if (below)
        fprintf(f, "!: fewer cycles than the %s model, which is meant to be a lower bound\n",
                ref->ev->name);
    twin_line(r, k, f);
}

/* One layer: cycles by cause of every evaluator, energies, engine counters. */
static void details(const compare_result *r, FILE *f)
{
    char b[32];
    fprintf(f, "\n%-18s", "cycles by cause");
    for (size_t k = 0; k < r->n_runs; k++)
        fprintf(f, " %15s", r->run[k].ev->name);
    fputc('\n', f);
    for (int s = -1; s <= PESIM_STALL_COUNT; s++) {
        int any = s < 0 || s == PESIM_STALL_COUNT;
        for (size_t k = 0; k < r->n_runs && !any; k++)
            any = r->run[k].layers[0].cost.stall_cycles[s] != 0;
        if (!any)
            continue;
        fprintf(f, "%-18s", s < 0 ? "compute" : s == PESIM_STALL_COUNT ? "total"
                                                : pesim_stall_name((pesim_stall)s));
        for (size_t k = 0; k < r->n_runs; k++) {
            const run_layer *rl = &r->run[k].layers[0];
            int64_t v = s < 0 ? rl->cost.compute_cycles
                        : s == PESIM_STALL_COUNT ? rl->cost.cycles : rl->cost.stall_cycles[s];
            fprintf(f, " %15s", rl->valid ? cli_fmt_count(v, b, sizeof b) : "-");
        }
        fputc('\n', f);
    }
    fprintf(f, "%-18s", "energy");
    for (size_t k = 0; k < r->n_runs; k++) {
        const run_layer *rl = &r->run[k].layers[0];
        fprintf(f, " %15s", rl->valid ? cli_fmt_energy_pj(rl->cost.energy_pj, b, sizeof b) : "-");
    }
    fputc('\n', f);
    for (size_t k = 0; k < r->n_runs; k++) {
        const run_layer *rl = &r->run[k].layers[0];
        if ((r->run[k].ev->flags & CLI_EVAL_ENGINE) && rl->valid) {
            fprintf(f, "\n%s:\n", r->run[k].ev->title);
            cli_engine_stats_text(&rl->stats, f);
        }
    }
}

void cli_compare_text(const compare_result *r, FILE *f)
{
    header(r, f);
    int w = name_width(&r->run[0]);
    for (size_t k = 1; k < r->n_runs; k++) {
        if (k > 1)
            fputc('\n', f);
        pair_table(r, k, w, f);
    }
    if (r->n_runs < 2)
        fputs("(only one evaluator is built: nothing to compare)\n", f);
    int any_valid = 0;
    for (size_t k = 0; k < r->n_runs && r->run[0].single; k++)
        any_valid |= r->run[k].layers[0].has_macs && r->run[k].layers[0].valid;
    if (any_valid)
        details(r, f);
}
