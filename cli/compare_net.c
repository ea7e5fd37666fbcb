/* cli/compare_net.c - `pesim compare --placement P` (see compare.h): a whole
 * network as one simulation with its tensors placed (pesim/net.h,
 * docs/network.md) under every available evaluator, on the same placement
 * and mappings: the analytical bound (the reference), the cycle engine and
 * the SystemC reference. The rules are compare_check.c's, applied to each
 * layer and to the network as one cost. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pesim/net.h"

#include "cli.h"
#include "compare.h"
#include "json.h"
#include "output.h"
#include "run_net.h"

/* One evaluator's run of the network. */
typedef struct net_side {
    const cli_evaluator *ev;
    int ran;                      /* the results below hold; 0: not run, out of its range
                                   * (PESIM_ERR_RANGE), and reason says why */
    char reason[PESIM_MSG_MAX + 64];
    pesim_net_result res;         /* its scalars only: the arrays are the handle's */
    pesim_net_layer *layer;       /* a copy of res.n_layers layers */
    pesim_cost total;             /* the network as one cost: MACs, access counts, cycles, stalls, energy */
    /* The checks (sides after the reference's, when ran): */
    int agrees;                   /* with the reference (agrees()) */
    size_t twin;                  /* the side it must reproduce (its evaluator's `equals`), or 0 */
    int reproduced;               /* reproduces() the twin, when twin > 0 and the twin ran */
    char difference[CLI_COMPARE_DIFF_MAX + PESIM_NAME_MAX + 16];  /* "layer NAME: " + the first difference */
    char reproduction[CLI_COMPARE_DIFF_MAX + PESIM_NAME_MAX + 16];
} net_side;

/* Runs evaluator ev on the network into s. CLI_OK (ran, or out of range),
 * or CLI_FAIL with the error printed. */
static int run_side(pesim_net *n, const pesim_placement *p, const cli_evaluator *ev, net_side *s)
{
    memset(s, 0, sizeof *s);
    s->ev = ev;
    const pesim_net_result *r = NULL;
    pesim_error e;
    pesim_error_clear(&e);
    pesim_status st = cli_net_run(n, p, cli_net_fidelity(ev->name), &r, &e);
    if (cli_eval_out_of_range(st)) {
        cli_eval_failure_text(ev, st, e.msg, s->reason, sizeof s->reason);
        return CLI_OK;
    }
    if (st != PESIM_OK) {
        cli_error("compare: the %s failed on the network: %s", ev->title, e.msg[0] ? e.msg : pesim_status_name(st));
        return CLI_FAIL;
    }
    s->layer = malloc((size_t)(r->n_layers > 0 ? r->n_layers : 1) * sizeof *s->layer);
    if (!s->layer) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    memcpy(s->layer, r->layer, (size_t)r->n_layers * sizeof *s->layer);
    s->res = *r;
    s->res.layer = NULL, s->res.tensor = NULL, s->res.occupancy = NULL, s->res.spill = NULL;
    memset(&s->res.placement, 0, sizeof s->res.placement);
    s->ran = 1;
    pesim_cost *t = &s->total;
    t->valid = r->valid;
    t->macs = r->macs;
    memcpy(t->access, r->access, sizeof t->access);
    t->cycles = r->cycles;
    t->compute_cycles = r->compute_cycles;
    memcpy(t->stall_cycles, r->stall_cycles, sizeof t->stall_cycles);
    t->energy_pj = r->energy_pj;
    snprintf(s->reason, sizeof s->reason, "%s", r->valid ? "" : r->reason);
    return CLI_OK;
}

static compare_side side_of(const net_side *s)
{
    return (compare_side){s->ev->name, s->res.valid, s->reason, &s->total};
}

/* b against the reference a: the network's validity, counts and bound
 * (cli_compare_costs), then every layer's MACs and access counts. 1 when
 * they agree, else 0 with the first difference in diff. */
static int agrees(const pesim_arch *arch, const pesim_network *net, const net_side *a, const net_side *b,
                  const pesim_engine_options *eo, char *diff, size_t n)
{
    compare_side sa = side_of(a), sb = side_of(b);
    char d[CLI_COMPARE_DIFF_MAX];
    if (cli_compare_costs(arch, &sa, &sb, cli_compare_bounded(b->ev, eo), d, sizeof d) != CMP_AGREE) {
        snprintf(diff, n, "network: %s", d);
        return 0;
    }
    for (int32_t i = 0; a->res.valid && i < a->res.n_layers; i++) {
        if (!cli_compare_accesses(arch, a->ev->name, &a->layer[i].cost, b->ev->name, &b->layer[i].cost, d, sizeof d)) {
            snprintf(diff, n, "layer %s: %s", net->layers[i].name, d);
            return 0;
        }
    }
    return 1;
}

/* b reproduces a exactly: the network (cli_compare_same with the engine
 * statistics), then each layer's cost and times. 1, or 0 with the first
 * difference in diff. */
static int reproduces(const pesim_arch *arch, const pesim_network *net, const net_side *a, const net_side *b,
                      char *diff, size_t n)
{
    compare_side sa = side_of(a), sb = side_of(b);
    char d[CLI_COMPARE_DIFF_MAX];
    if (!cli_compare_same(arch, &sa, &a->res.stats, &sb, &b->res.stats, d, sizeof d)) {
        snprintf(diff, n, "network: %s", d);
        return 0;
    }
    static const pesim_engine_stats none;
    for (int32_t i = 0; a->res.valid && i < a->res.n_layers; i++) {
        const pesim_net_layer *x = &a->layer[i], *y = &b->layer[i];
        const compare_side la = {a->ev->name, 1, "", &x->cost}, lb = {b->ev->name, 1, "", &y->cost};
        int same = cli_compare_same(arch, &la, &none, &lb, &none, d, sizeof d);
        const struct {
            const char *what;
            int64_t u, v;
        } t[] = {
            {"start cycle", x->start_cycle, y->start_cycle},
            {"end cycle", x->end_cycle, y->end_cycle},
            {"compute start cycle", x->compute_start_cycle, y->compute_start_cycle},
            {"compute end cycle", x->compute_end_cycle, y->compute_end_cycle},
            {"load end cycle", x->load_end_cycle, y->load_end_cycle},
        };
        for (size_t k = 0; same && k < sizeof t / sizeof t[0]; k++)
            same = cli_compare_count(t[k].what, a->ev->name, t[k].u, b->ev->name, t[k].v, d, sizeof d);
        if (!same) {
            snprintf(diff, n, "layer %s: %s", net->layers[i].name, d);
            return 0;
        }
    }
    return 1;
}

/* The figures of every evaluator side by side, one row each. */
static void table(const net_side *s, size_t ns, FILE *f)
{
    char b[48];
    fprintf(f, "%-22s", "");
    for (size_t k = 0; k < ns; k++)
        fprintf(f, " %15s", s[k].ev->name);
    fputc('\n', f);
    for (int row = -1; row <= PESIM_STALL_COUNT + 1; row++) {
        int any = row < 0 || row >= PESIM_STALL_COUNT;
        for (size_t k = 0; k < ns && !any; k++)
            any = s[k].ran && s[k].res.stall_cycles[row] != 0;
        if (!any)
            continue;
        const char *name = row < 0 ? "compute" : row == PESIM_STALL_COUNT ? "cycles"
                                              : row > PESIM_STALL_COUNT ? "energy"
                                              : pesim_stall_name((pesim_stall)row);
        fprintf(f, "%-22s", name);
        for (size_t k = 0; k < ns; k++) {
            const pesim_net_result *r = &s[k].res;
            const char *cell = "-";
            if (s[k].ran && r->valid)
                cell = row > PESIM_STALL_COUNT ? cli_fmt_energy_pj(r->energy_pj, b, sizeof b)
                                               : cli_fmt_count(row < 0 ? r->compute_cycles
                                                               : row == PESIM_STALL_COUNT ? r->cycles
                                                               : r->stall_cycles[row], b, sizeof b);
            fprintf(f, " %15s", cell);
        }
        fputc('\n', f);
    }
    fprintf(f, "%-22s", "ratio to the bound");
    for (size_t k = 0; k < ns; k++)
        fprintf(f, " %15s", k > 0 && s[k].ran && s[k].res.valid && s[0].res.valid
                                ? cli_compare_ratio_text(s[0].res.cycles, s[k].res.cycles, 0, b, sizeof b) : "-");
    fputc('\n', f);
}

/* Layer i as side s ran it, or NULL when s did not run the network (out of
 * its range) or found the placement infeasible. */
static const pesim_net_layer *layer_of(const net_side *s, int32_t i)
{
    return s->ran && s->res.valid && i < s->res.n_layers ? &s->layer[i] : NULL;
}

/* A layer's cycles: from its start cycle (its first transfer) to its end
 * cycle (its outputs complete), the columns start and end of `pesim run
 * --placement`. Not its share of the timeline (pesim_net_layer.cost.cycles,
 * run's cycles column), which can differ: the shares add up to the network's
 * cycles, a cycle where layers overlap counted once, and the engine counts a
 * layer's pipeline tail in the next layer's share. */
static int64_t span_cycles(const pesim_net_layer *ly)
{
    return ly->end_cycle - ly->start_cycle;
}

/* Every layer of net in order, a row each: its name and type, its cycles
 * (span_cycles) under every evaluator and, for each simulating one, their
 * ratio to the reference's. "-" where an evaluator has no figures
 * (layer_of), and a ratio's "-" also where the reference's cycles are 0. */
static void layer_table(const pesim_network *net, const net_side *s, size_t ns, FILE *f)
{
    char b[48];
    int w = 5;
    for (int32_t i = 0; i < net->n_layers; i++)
        if ((int)strlen(net->layers[i].name) > w)
            w = (int)strlen(net->layers[i].name);
    fprintf(f, "per layer: cycles from start to end cycle; ratio: to %s\n", s[0].ev->name);
    fprintf(f, "%-*s  %-9s", w, "layer", "type");
    for (size_t k = 0; k < ns; k++) {
        fprintf(f, " %12s", s[k].ev->name);
        if (k > 0)
            fprintf(f, " %9s", "ratio");
    }
    fputc('\n', f);
    for (int32_t i = 0; i < net->n_layers; i++) {
        const pesim_layer *l = &net->layers[i];
        const pesim_net_layer *ref = layer_of(&s[0], i);
        fprintf(f, "%-*s  %-9s", w, l->name, pesim_op_name(l->op));
        for (size_t k = 0; k < ns; k++) {
            const pesim_net_layer *x = layer_of(&s[k], i);
            fprintf(f, " %12s", x ? cli_fmt_count(span_cycles(x), b, sizeof b) : "-");
            if (k > 0)
                fprintf(f, " %9s", x && ref ? cli_compare_ratio_text(span_cycles(ref), span_cycles(x), 0, b, sizeof b)
                                            : "-");
        }
        fputc('\n', f);
    }
}

/* The header, the network's table and the layers', then a line per check. */
static void text(const cli_inputs *in, const struct net_run_args *o, const pesim_engine_options *eo,
                 const char *source, const net_side *side, size_t ns, FILE *f)
{
    char b[32];
    fprintf(f, "arch        %s (%s): %s MAC units at %g MHz\n", in->arch->name, in->arch_path,
            cli_fmt_count(pesim_arch_macs(in->arch), b, sizeof b), in->arch->clock_mhz);
    fprintf(f, "workload    %s (%s): %" PRId32 " layers, one simulation\n", in->net.name, in->workload_path,
            in->net.n_layers);
    fprintf(f, "placement   %s%s%s%s%s\n", source, o->rectify ? "; --rectify" : "",
            o->preload_weights ? "; --preload-weights" : "", o->no_alias ? "; --no-alias" : "",
            o->no_prefetch ? "; --no-prefetch" : "");
    fputs("evaluators ", f);
    for (size_t k = 0; k < ns; k++) {
        fprintf(f, "%s %s", k ? ";" : "", side[k].ev->name);
        if (k == 0)
            fputs(" (reference: the network's lower bound)", f);
        else if (side[k].ev->flags & CLI_EVAL_ENGINE)
            cli_engine_options_text(eo, f);
    }
    size_t nev;
    const cli_evaluator *list = cli_evaluator_list(&nev);
    for (size_t k = 0; k < nev; k++)
        if (!list[k].fn)
            fprintf(f, "; %s not built yet", list[k].name);
    fputs("\n", f);
    if (o->mappings && side[0].res.valid)
        cli_net_mappings_text(o->mappings, &in->net, side[0].layer, f);
    fputc('\n', f);
    table(side, ns, f);
    fputc('\n', f);
    if (side[0].res.valid) { /* infeasible: no layer has figures */
        layer_table(&in->net, side, ns, f);
        fputc('\n', f);
    }
    if (!side[0].res.valid)
        fprintf(f, "the placement is infeasible: %s\n", side[0].res.reason);
    for (size_t k = 1; k < ns; k++) {
        const net_side *x = &side[k];
        if (!x->ran) {
            fprintf(f, "%s: not run, %s\n", x->ev->name, x->reason);
            continue;
        }
        if (!x->agrees)
            fprintf(f, "%s vs %s: %s (a bug)\n", x->ev->name, side[0].ev->name, x->difference);
        else if (!x->res.valid)
            fprintf(f, "%s vs %s: infeasible in both\n", x->ev->name, side[0].ev->name);
        else
            fprintf(f, "%s vs %s: the same MACs and access counts on every layer%s\n", x->ev->name,
                    side[0].ev->name, cli_compare_bounded(x->ev, eo) ? ", cycles not below the bound" : "");
        if (x->twin == 0)
            continue;
        const char *y = side[x->twin].ev->name;
        if (!x->reproduced)
            fprintf(f, "%s vs %s: %s (a bug)\n", x->ev->name, y, x->reproduction);
        else if (!x->res.valid)
            fprintf(f, "%s vs %s: infeasible in both\n", x->ev->name, y);
        else
            fprintf(f, "%s vs %s: equal on the network and every layer (cycles, stalls, energy, layer times, "
                    "network figures, DRAM statistics)\n", x->ev->name, y);
    }
}

/* The same as JSON (docs/cli.md), the layers last. */
static void json(const cli_inputs *in, const struct net_run_args *o, const char *source, const net_side *side,
                 size_t ns, int bugs, FILE *f)
{
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w);
    json_kv_string(&w, "arch", in->arch->name);
    json_kv_string(&w, "arch_file", in->arch_path);
    json_kv_string(&w, "workload", in->net.name);
    json_kv_string(&w, "workload_file", in->workload_path);
    json_kv_string(&w, "placement", source);
    json_key(&w, "options");
    json_begin_object(&w);
    json_kv_bool(&w, "preload_weights", o->preload_weights);
    json_kv_bool(&w, "rectify", o->rectify);
    json_kv_bool(&w, "no_alias", o->no_alias);
    json_kv_bool(&w, "no_prefetch", o->no_prefetch);
    json_kv_string(&w, "mappings", o->mappings);
    json_end_object(&w);
    json_kv_string(&w, "reference", side[0].ev->name);
    json_key(&w, "evaluators");
    json_begin_array(&w);
    for (size_t k = 0; k < ns; k++)
        json_string(&w, side[k].ev->name);
    json_end_array(&w);
    for (size_t k = 0; k < ns; k++) {
        const net_side *x = &side[k];
        const pesim_net_result *r = &x->res;
        int figures = x->ran && r->valid;
        json_key(&w, x->ev->name);
        json_begin_object(&w);
        json_kv_bool(&w, "ran", x->ran);
        json_kv_string(&w, "not_run_reason", x->ran ? NULL : x->reason);
        if (x->ran)
            json_kv_bool(&w, "valid", r->valid);
        else
            json_kv_null(&w, "valid");
        json_kv_string(&w, "reason", x->ran && !r->valid ? r->reason : NULL);
        if (figures) {
            json_kv_int(&w, "cycles", r->cycles);
            json_kv_int(&w, "compute_cycles", r->compute_cycles);
            json_key(&w, "stall_cycles");
            json_begin_object(&w);
            for (int c = 0; c < PESIM_STALL_COUNT; c++)
                json_kv_int(&w, pesim_stall_name((pesim_stall)c), r->stall_cycles[c]);
            json_end_object(&w);
            json_kv_double(&w, "energy_pj", r->energy_pj);
        } else {
            json_kv_null(&w, "cycles");
            json_kv_null(&w, "compute_cycles");
            json_kv_null(&w, "stall_cycles");
            json_kv_null(&w, "energy_pj");
        }
        json_end_object(&w);
    }
    size_t nev;
    const cli_evaluator *list = cli_evaluator_list(&nev);
    for (size_t k = 0; k < nev; k++)
        if (!list[k].fn)
            json_kv_null(&w, list[k].name);
    json_key(&w, "comparison");
    json_begin_object(&w);
    for (size_t k = 1; k < ns; k++) {
        const net_side *x = &side[k];
        json_key(&w, x->ev->name);
        json_begin_object(&w);
        json_kv_string(&w, "reference", side[0].ev->name);
        if (x->ran) {
            json_kv_bool(&w, "agrees", x->agrees);
            if (x->agrees && x->res.valid && side[0].res.cycles > 0)
                json_kv_double(&w, "ratio", (double)x->res.cycles / (double)side[0].res.cycles);
            else
                json_kv_null(&w, "ratio");
        } else {
            json_kv_null(&w, "agrees");
            json_kv_null(&w, "ratio");
        }
        json_kv_string(&w, "difference", x->ran && !x->agrees ? x->difference : NULL);
        json_kv_string(&w, "reproduces", x->ev->equals);
        if (x->twin > 0)
            json_kv_bool(&w, "reproduced", x->reproduced);
        else
            json_kv_null(&w, "reproduced");
        json_kv_string(&w, "reproduction_difference", x->twin > 0 && !x->reproduced ? x->reproduction : NULL);
        json_end_object(&w);
    }
    json_end_object(&w);
    json_kv_bool(&w, "agree", bugs == 0);
    json_kv_bool(&w, "valid", side[0].res.valid);
    json_key(&w, "layers");
    json_begin_array(&w);
    for (int32_t i = 0; i < in->net.n_layers; i++) {
        const pesim_layer *l = &in->net.layers[i];
        json_begin_object(&w);
        json_kv_string(&w, "name", l->name);
        json_kv_string(&w, "type", pesim_op_name(l->op));
        if (layer_of(&side[0], i))
            json_kv_bool(&w, "mapping_given", side[0].layer[i].given != 0);
        else
            json_kv_null(&w, "mapping_given");
        for (size_t k = 0; k < ns; k++) {
            const pesim_net_layer *x = layer_of(&side[k], i);
            if (!x) {
                json_kv_null(&w, side[k].ev->name);
                continue;
            }
            json_key(&w, side[k].ev->name);
            json_begin_object(&w);
            json_kv_int(&w, "start_cycle", x->start_cycle);
            json_kv_int(&w, "end_cycle", x->end_cycle);
            json_kv_int(&w, "cycles", span_cycles(x));
            json_kv_int(&w, "compute_cycles", x->cost.compute_cycles);
            json_kv_double(&w, "energy_pj", x->cost.energy_pj);
            json_end_object(&w);
        }
        for (size_t k = 0; k < nev; k++)
            if (!list[k].fn)
                json_kv_null(&w, list[k].name);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
}

int cli_compare_network(const cli_inputs *in, const struct net_run_args *o, const pesim_engine_options *eo)
{
    pesim_net *n = NULL;
    pesim_placement p;
    const char *source = NULL;
    int rc = cli_net_open("compare", in, o, eo, PESIM_NET_ANALYTICAL, &n, &p, &source);
    if (rc != CLI_OK)
        return rc;
    size_t nev;
    const cli_evaluator *list = cli_evaluator_list(&nev);
    net_side side[CLI_COMPARE_MAX];
    size_t ns = 0;
    for (size_t k = 0; k < nev && ns < CLI_COMPARE_MAX && rc == CLI_OK; k++)
        if (list[k].fn && cli_net_fidelity(list[k].name) >= 0)
            rc = run_side(n, &p, &list[k], &side[ns++]);
    if (rc == CLI_OK && (ns == 0 || !side[0].ran)) {
        cli_error("compare: the reference did not run the network: %s", ns ? side[0].reason : "not built");
        rc = CLI_FAIL;
    }
    int bugs = 0;
    for (size_t k = 1; k < ns && rc == CLI_OK; k++) {
        net_side *x = &side[k];
        if (!x->ran)
            continue;
        x->agrees = agrees(in->arch, &in->net, &side[0], x, eo, x->difference, sizeof x->difference);
        if (!x->agrees) {
            cli_error("compare: %s and %s disagree on the network (%s); this is a bug", side[0].ev->name,
                      x->ev->name, x->difference);
            bugs++;
        }
        for (size_t t = 0; x->ev->equals && t < ns; t++)
            if (t != k && side[t].ran && strcmp(side[t].ev->name, x->ev->equals) == 0)
                x->twin = t;
        if (x->twin == 0)
            continue;
        x->reproduced = reproduces(in->arch, &in->net, &side[x->twin], x, x->reproduction, sizeof x->reproduction);
        if (!x->reproduced) {
            cli_error("compare: %s does not reproduce %s on the network (%s); this is a bug", x->ev->name,
                      side[x->twin].ev->name, x->reproduction);
            bugs++;
        }
    }
    if (rc == CLI_OK) {
        FILE *jf = o->json ? cli_open_out(o->json) : NULL;
        if (o->json && !jf) {
            rc = CLI_USAGE;
        } else {
            if (!cli_is_stdout(o->json))
                text(in, o, eo, source, side, ns, stdout);
            if (jf)
                json(in, o, source, side, ns, bugs, jf);
        }
        if (cli_close_out(jf, o->json) != 0 && rc == CLI_OK)
            rc = CLI_FAIL;
        if (!side[0].res.valid)
            cli_net_infeasible("compare", o, &p, pesim_net_arch(n)->n_levels, side[0].res.reason);
        if (rc == CLI_OK && (bugs > 0 || !side[0].res.valid))
            rc = CLI_FAIL;
    }
    for (size_t k = 0; k < ns; k++)
        free(side[k].layer);
    if (cli_close_out(stdout, "-") != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    pesim_placement_free(&p);
    pesim_net_destroy(n);
    return rc;
}
