/* cli/compare_check.c - one layer of an evaluator against the reference (see
 * compare.h): what two evaluators must agree on (cli_compare_costs, the one
 * place of that rule) and the cycle gap by cause. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "output.h"

int cli_compare_not_run(const run_layer *rl)
{
    return rl->has_macs && rl->has_mapping && cli_eval_out_of_range(rl->status);
}

int cli_compare_accesses(const pesim_arch *arch, const char *na, const pesim_cost *a, const char *nb,
                         const pesim_cost *b, char *diff, size_t n)
{
    char x[32], y[32];
    if (a->macs != b->macs) {
        snprintf(diff, n, "MACs: %s %s, %s %s", na, cli_fmt_count(a->macs, x, sizeof x), nb,
                 cli_fmt_count(b->macs, y, sizeof y));
        return 0;
    }
    static const char *const field[] = {"reads", "fills", "updates"};
    for (int L = 0; L < arch->n_levels; L++) {
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const pesim_access *p = &a->access[L][t], *q = &b->access[L][t];
            const int64_t u[3] = {p->reads, p->fills, p->updates};
            const int64_t v[3] = {q->reads, q->fills, q->updates};
            for (int f = 0; f < 3; f++) {
                if (u[f] == v[f])
                    continue;
                snprintf(diff, n, "%s %s %s: %s %s, %s %s", arch->level[L].name,
                         pesim_tensor_name((pesim_tensor)t), field[f], na, cli_fmt_count(u[f], x, sizeof x), nb,
                         cli_fmt_count(v[f], y, sizeof y));
                return 0;
            }
        }
    }
    return 1;
}

compare_verdict cli_compare_costs(const pesim_arch *arch, const compare_side *a, const compare_side *b,
                                  int bounded, char *diff, size_t n)
{
    if (n > 0)
        diff[0] = '\0';
    if (!a->valid || !b->valid) {
        if (!a->valid && !b->valid)
            return CMP_AGREE;
        const compare_side *ok = a->valid ? a : b, *bad = a->valid ? b : a;
        snprintf(diff, n, "valid in %s only; %s: %.400s", ok->name, bad->name, bad->reason);
        return CMP_VALID_IN_ONE;
    }
    if (!cli_compare_accesses(arch, a->name, a->cost, b->name, b->cost, diff, n))
        return CMP_COUNTS_DIFFER;
    if (bounded && b->cost->cycles < a->cost->cycles) {
        char x[32], y[32];
        snprintf(diff, n, "%s %s < %s %s cycles (the %s cycles are a lower bound)", b->name,
                 cli_fmt_count(b->cost->cycles, x, sizeof x), a->name, cli_fmt_count(a->cost->cycles, y, sizeof y),
                 a->name);
        return CMP_BELOW_BOUND;
    }
    return CMP_AGREE;
}

int cli_compare_bounded(const cli_evaluator *ev, const pesim_engine_options *opt)
{
    return !(ev->flags & CLI_EVAL_ENGINE) || !opt->stall_free;
}

void cli_compare_check(const compare_result *r, size_t k, int32_t i, compare_check *out)
{
    memset(out, 0, sizeof *out);
    out->accesses_equal = 1;
    const run_layer *a = &r->run[0].layers[i], *b = &r->run[k].layers[i];
    if (!a->has_macs) {
        out->status = CMP_NOT_MAPPED;
        return;
    }
    if (cli_compare_not_run(a) || cli_compare_not_run(b)) {
        out->status = CMP_NOT_RUN;
        return;
    }
    const compare_side sa = {r->run[0].ev->name, a->valid, a->reason, &a->cost};
    const compare_side sb = {r->run[k].ev->name, b->valid, b->reason, &b->cost};
    int bounded = cli_compare_bounded(r->run[k].ev, &r->run[k].engine_opt);
    out->verdict = cli_compare_costs(r->run[0].arch, &sa, &sb, bounded, out->difference, sizeof out->difference);
    if (!a->valid || !b->valid) {
        out->status = out->verdict == CMP_AGREE ? CMP_INVALID : CMP_DISAGREE;
        return;
    }
    out->status = CMP_COMPARED;
    out->accesses_equal = out->verdict != CMP_COUNTS_DIFFER;
    out->below = bounded && b->cost.cycles < a->cost.cycles;
    out->ref_cycles = a->cost.cycles;
    out->cycles = b->cost.cycles;
    out->gap_cycles = b->cost.cycles - a->cost.cycles;
    out->gap_compute = b->cost.compute_cycles - a->cost.compute_cycles;
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        out->gap_stall[s] = b->cost.stall_cycles[s] - a->cost.stall_cycles[s];
}

size_t cli_compare_twin(const compare_result *r, size_t k)
{
    const char *name = r->run[k].ev->equals;
    for (size_t j = 0; name && j < r->n_runs; j++)
        if (j != k && strcmp(r->run[j].ev->name, name) == 0)
            return j;
    return 0;
}

int cli_compare_count(const char *what, const char *na, int64_t x, const char *nb, int64_t y, char *diff, size_t n)
{
    char bx[32], by[32];
    if (x == y)
        return 1;
    snprintf(diff, n, "%s: %s %s, %s %s", what, na, cli_fmt_count(x, bx, sizeof bx), nb,
             cli_fmt_count(y, by, sizeof by));
    return 0;
}

/* diff gets "what: na x, nb y" when x and y differ by more than rel
 * relative (sums over the same terms in another order: rounding); returns
 * 1 when they do not. */
static int same_real(const char *what, const char *na, double x, const char *nb, double y, double rel, char *diff,
                     size_t n)
{
    if (fabs(x - y) <= rel * fmax(fabs(x), fabs(y)))
        return 1;
    snprintf(diff, n, "%s: %s %.17g, %s %.17g", what, na, x, nb, y);
    return 0;
}

int cli_compare_same(const pesim_arch *arch, const compare_side *a, const pesim_engine_stats *p,
                     const compare_side *b, const pesim_engine_stats *q, char *diff, size_t n)
{
    const char *na = a->name, *nb = b->name;
    if (cli_compare_costs(arch, a, b, 0, diff, n) != CMP_AGREE) /* validity, MACs, access counts */
        return 0;
    if (!a->valid) /* invalid in both */
        return 1;
    const pesim_cost *x = a->cost, *y = b->cost;
    if (!cli_compare_count("cycles", na, x->cycles, nb, y->cycles, diff, n) ||
        !cli_compare_count("compute cycles", na, x->compute_cycles, nb, y->compute_cycles, diff, n))
        return 0;
    for (int s = 0; s < PESIM_STALL_COUNT; s++) {
        char what[64];
        snprintf(what, sizeof what, "%s stall cycles", pesim_stall_name((pesim_stall)s));
        if (!cli_compare_count(what, na, x->stall_cycles[s], nb, y->stall_cycles[s], diff, n))
            return 0;
    }
    if (!same_real("energy (pJ)", na, x->energy_pj, nb, y->energy_pj, 1e-12, diff, n))
        return 0;
    for (int L = 0; L < arch->n_levels; L++) {
        for (int t = 0; t < PESIM_NTENSORS; t++) {
            const struct {
                const char *what;
                int64_t u, v;
            } count[] = {
                {"network words", x->noc_words[L][t], y->noc_words[L][t]},
                {"network ingress words", x->noc_ingress_words[L][t], y->noc_ingress_words[L][t]},
                {"network spatial reductions", x->noc_spatial_reductions[L][t], y->noc_spatial_reductions[L][t]},
                {"network fan-out", x->noc_fanout[L][t], y->noc_fanout[L][t]},
            };
            char what[PESIM_NAME_MAX + 64];
            for (size_t c = 0; c < sizeof count / sizeof count[0]; c++) {
                snprintf(what, sizeof what, "%s %s %s", arch->level[L].name, pesim_tensor_name((pesim_tensor)t),
                         count[c].what);
                if (!cli_compare_count(what, na, count[c].u, nb, count[c].v, diff, n))
                    return 0;
            }
            snprintf(what, sizeof what, "%s %s network multicast", arch->level[L].name,
                     pesim_tensor_name((pesim_tensor)t));
            if (!same_real(what, na, x->noc_multicast[L][t], nb, y->noc_multicast[L][t], 1e-12, diff, n))
                return 0;
            snprintf(what, sizeof what, "%s %s network word-hops", arch->level[L].name,
                     pesim_tensor_name((pesim_tensor)t));
            if (!same_real(what, na, x->noc_word_hops[L][t], nb, y->noc_word_hops[L][t], 1e-9, diff, n))
                return 0;
        }
    }
    const struct {
        const char *what;
        int64_t u, v;
    } st[] = {
        {"blocks", p->blocks, q->blocks},
        {"transfers", p->transfers, q->transfers},
        {"folds", p->folds, q->folds},
        {"busy cycles", p->busy_cycles, q->busy_cycles},
        {"DRAM read bursts", p->dram_reads, q->dram_reads},
        {"DRAM write bursts", p->dram_writes, q->dram_writes},
        {"DRAM row hits", p->dram_row_hits, q->dram_row_hits},
        {"DRAM row misses", p->dram_row_misses, q->dram_row_misses},
        {"DRAM row conflicts", p->dram_row_conflicts, q->dram_row_conflicts},
        {"DRAM refreshes", p->dram_refreshes, q->dram_refreshes},
        {"DRAM cycles", p->dram_cycles, q->dram_cycles},
        {"DRAM ACT commands", p->dram_act, q->dram_act},
        {"DRAM PRE commands", p->dram_pre, q->dram_pre},
        {"DRAM RD commands", p->dram_rd, q->dram_rd},
        {"DRAM WR commands", p->dram_wr, q->dram_wr},
        {"DRAM active rank-cycles", p->dram_active_cycles, q->dram_active_cycles},
        {"DRAM precharged rank-cycles", p->dram_precharged_cycles, q->dram_precharged_cycles},
    };
    for (size_t s = 0; s < sizeof st / sizeof st[0]; s++)
        if (!cli_compare_count(st[s].what, na, st[s].u, nb, st[s].v, diff, n))
            return 0;
    return 1;
}

int cli_compare_exact(const compare_result *r, size_t j, size_t k, int32_t i, char *diff, size_t n)
{
    const run_layer *a = &r->run[j].layers[i], *b = &r->run[k].layers[i];
    if (n > 0)
        diff[0] = '\0';
    if (!a->has_macs)
        return 1;
    if (cli_compare_not_run(a) || cli_compare_not_run(b)) {
        snprintf(diff, n, "%.400s", cli_compare_not_run(a) ? a->reason : b->reason);
        return -1;
    }
    const compare_side sa = {r->run[j].ev->name, a->valid, a->reason, &a->cost};
    const compare_side sb = {r->run[k].ev->name, b->valid, b->reason, &b->cost};
    return cli_compare_same(r->run[j].arch, &sa, &a->stats, &sb, &b->stats, diff, n);
}

void cli_compare_reproduction(const compare_result *r, size_t k, compare_reproduction *out)
{
    memset(out, 0, sizeof *out);
    out->first = -1;
    out->twin = cli_compare_twin(r, k);
    char diff[CLI_COMPARE_DIFF_MAX];
    for (int32_t i = 0; out->twin > 0 && i < r->run[0].n; i++) {
        if (!r->run[0].layers[i].has_macs)
            continue;
        int same = cli_compare_exact(r, out->twin, k, i, diff, sizeof diff);
        out->same += same > 0;
        out->not_run += same < 0;
        if (same == 0 && out->differ++ == 0) {
            out->first = i;
            memcpy(out->difference, diff, sizeof out->difference);
        }
    }
}

void cli_compare_add(compare_check *total, const compare_check *c)
{
    if (c->status != CMP_COMPARED)
        return;
    total->status = CMP_COMPARED;
    if (!c->accesses_equal && total->accesses_equal) {
        total->accesses_equal = 0;
        memcpy(total->difference, c->difference, sizeof total->difference);
    }
    total->ref_cycles += c->ref_cycles;
    total->cycles += c->cycles;
    total->gap_cycles += c->gap_cycles;
    total->gap_compute += c->gap_compute;
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        total->gap_stall[s] += c->gap_stall[s];
}

/* A part of the gap: its name and cycles. */
typedef struct part {
    const char *name;
    int64_t cycles;
} part;

static int by_magnitude(const void *x, const void *y)
{
    const part *p = x, *q = y;
    int64_t a = llabs(p->cycles), b = llabs(q->cycles);
    return a < b ? 1 : a > b ? -1 : strcmp(p->name, q->name);
}

const char *cli_compare_gap_text(const compare_check *c, char *buf, size_t n)
{
    double base = c->ref_cycles > 0 ? (double)c->ref_cycles : 1.0;
    part parts[PESIM_STALL_COUNT + 1];
    int np = 0;
    if (c->gap_compute)
        parts[np++] = (part){"compute", c->gap_compute};
    for (int s = 0; s < PESIM_STALL_COUNT; s++)
        if (c->gap_stall[s])
            parts[np++] = (part){pesim_stall_name((pesim_stall)s), c->gap_stall[s]};
    qsort(parts, (size_t)np, sizeof parts[0], by_magnitude);
    size_t o = (size_t)snprintf(buf, n, "%+.1f%%", 100.0 * (double)c->gap_cycles / base);
    for (int p = 0; p < np && o < n; p++)
        o += (size_t)snprintf(buf + o, n - o, "%s %s %+.1f%%", p ? "," : ":", parts[p].name,
                              100.0 * (double)parts[p].cycles / base);
    return buf;
}

const char *cli_compare_ratio_text(int64_t ref_cycles, int64_t cycles, int flag, char *buf, size_t n)
{
    if (ref_cycles <= 0)
        return "-";
    snprintf(buf, n, "%.3fx%s", (double)cycles / (double)ref_cycles, flag && cycles < ref_cycles ? "!" : "");
    return buf;
}

int32_t cli_compare_disagreements(const compare_result *r)
{
    int32_t bad = 0;
    for (size_t k = 1; k < r->n_runs; k++) {
        for (int32_t i = 0; i < r->run[0].n; i++) {
            compare_check c;
            cli_compare_check(r, k, i, &c);
            bad += c.verdict != CMP_AGREE;
        }
    }
    for (size_t k = 1; k < r->n_runs; k++) {
        compare_reproduction rep;
        cli_compare_reproduction(r, k, &rep);
        bad += rep.differ;
    }
    return bad;
}

int32_t cli_compare_invalid(const compare_result *r)
{
    int32_t bad = 0;
    for (int32_t i = 0; i < r->run[0].n; i++) {
        int invalid = 0;
        for (size_t k = 0; k < r->n_runs; k++)
            invalid |= !r->run[k].layers[i].valid && !cli_compare_not_run(&r->run[k].layers[i]);
        bad += invalid;
    }
    return bad;
}
