/* optimum.c - the optimum placement baselines (docs/network.md "Optimum").
 *
 * Exhaustive: when the placement space (the product over the placeable
 * tensors of their home levels) has at most max_evals points, every placement
 * is evaluated at the asked fidelity and the best valid one (fewest cycles,
 * then least energy, then the first in enumeration order) is the optimum of
 * the evaluator itself.
 *
 * ILP (GLPK): otherwise, a 0-1 program over y[t][l] = "tensor t lives in
 * level l", one level per tensor, with
 *   - the cost of a tensor in level l: the analytical network cycles with t
 *     alone moved from the outermost level into l, minus the all-outermost
 *     cycles (a placement that is infeasible with t alone there forbids it);
 *   - capacity over time: at every step and level, the live tensors' words
 *     per instance (lifetimes of the all-outermost run) within the level's
 *     capacity for tensors.
 * A tensor whose move saves nothing stays in the outermost level (as good,
 * and it takes no room). GLPK's branch and bound (with cover and MIR cuts)
 * solves it to a relative gap of 1e-4, or stops after OPT_NODES nodes of its
 * tree (a count, so the result does not depend on the machine's speed or load)
 * and returns its best solution then (proven = 0); a wall-time guard of
 * OPT_TIME_MS does the same should a node take unusually long. A stop with no
 * integer solution yet returns the all-outermost placement (always feasible
 * here: objective 0), proven = 0. Its optimum is exact for this separable model
 * (interactions between tensors, allocation and staging are left to the
 * evaluator, which then evaluates the placement); `predicted_cycles` is its
 * objective. */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_impl.h"

#define OPT_GAP 1e-4       /* relative gap at which the branch and bound stops */
#define OPT_NODES 1000     /* branch-and-bound nodes before it stops: the best incumbent then, proven = 0 */
#define OPT_TIME_MS 120000 /* a guard (wall time) that should not bind: as OPT_NODES */

/* GLPK's callback: counts the nodes the branch and bound selects and stops it
 * at OPT_NODES. */
typedef struct ilp_ctl {
    int nodes;
} ilp_ctl;

static void ilp_callback(glp_tree *tree, void *info)
{
    ilp_ctl *ctl = info;
    if (glp_ios_reason(tree) == GLP_ISELECT && ++ctl->nodes > OPT_NODES) glp_ios_terminate(tree);
}

/* The placement slot of tensor id. */
static int32_t *slot(pesim_placement *p, int32_t id)
{
    if (id == PESIM_NET_INPUT_TENSOR) return &p->input_level;
    int32_t i = (id - 1) / 2;
    return id % 2 ? &p->weights_level[i] : &p->outputs_level[i];
}

/* The placeable tensors and their candidate levels (outermost first). */
typedef struct cand {
    int32_t id, n;
    int32_t level[PESIM_MAX_LEVELS];
} cand;

static int32_t candidates(const pesim_net *n, cand *c)
{
    int32_t nc = 0;
    for (int32_t id = 0; id < n->T; id++) {
        const pesim_net_tensor *t = &n->tensor[id];
        if (t->words == 0) continue;
        int32_t hl[PESIM_MAX_LEVELS];
        int nh = pesim_net_tensor_homes(n, id, hl);
        cand *x = &c[nc];
        x->id = id, x->n = 0;
        for (int k = 0; k < nh; k++) x->level[x->n++] = hl[k];
        if (x->n == 0) x->level[x->n++] = n->M - 1;
        nc++;
    }
    return nc;
}

/* Better: valid, then fewer cycles, then less energy. */
static int better(const pesim_net_result *r, int have, int64_t cycles, double energy)
{
    if (!r->valid) return 0;
    if (!have) return 1;
    return r->cycles < cycles || (r->cycles == cycles && r->energy_pj < energy);
}

static pesim_status exhaustive(pesim_net *n, pesim_net_fidelity f, const cand *c, int32_t nc, pesim_placement *p,
                               pesim_placement *out, pesim_net_optimum *info, pesim_error *e)
{
    int32_t digit[4 * PESIM_MAX_LEVELS + 1];
    int32_t *d = nc <= (int32_t)(sizeof digit / sizeof digit[0]) ? digit : calloc((size_t)nc, sizeof *d);
    if (!d) return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "optimum", "out of memory");
    memset(d, 0, (size_t)nc * sizeof *d);
    int have = 0;
    int64_t best_cycles = 0;
    double best_energy = 0;
    pesim_status st = PESIM_OK;
    for (;;) {
        for (int32_t k = 0; k < nc; k++) *slot(p, c[k].id) = c[k].level[d[k]];
        const pesim_net_result *r;
        if ((st = pesim_net_run(n, p, f, &r, e))) break;
        info->evaluated++;
        if (better(r, have, best_cycles, best_energy)) {
            have = 1, best_cycles = r->cycles, best_energy = r->energy_pj;
            out->input_level = p->input_level;
            memcpy(out->weights_level, p->weights_level, (size_t)n->L * sizeof *p->weights_level);
            memcpy(out->outputs_level, p->outputs_level, (size_t)n->L * sizeof *p->outputs_level);
        }
        int32_t k = 0; /* the next point, mixed radix */
        while (k < nc && ++d[k] == c[k].n) d[k++] = 0;
        if (k == nc) break;
    }
    if (d != digit) free(d);
    info->exhaustive = 1;
    info->proven = have;
    info->predicted_cycles = have ? best_cycles : -1;
    return st;
}

/* The ILP: see the top. */
static pesim_status ilp(pesim_net *n, const cand *c, int32_t nc, pesim_placement *p, pesim_placement *out,
                        pesim_net_optimum *info, pesim_error *e)
{
    const pesim_net_result *r;
    pesim_status st = pesim_net_run(n, p, PESIM_NET_ANALYTICAL, &r, e);
    if (st) return st;
    info->evaluated++;
    if (!r->valid) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "optimum", "all-outermost: %s", r->reason);
    const int64_t base = r->cycles;
    const int M = n->M;
    const int32_t L = n->L;
    /* lifetimes and capacities from the all-outermost run */
    int32_t *birth = malloc((size_t)nc * 2 * sizeof *birth), *death = birth ? birth + nc : NULL;
    int64_t cap[PESIM_MAX_LEVELS];
    double *cost = malloc((size_t)nc * PESIM_MAX_LEVELS * sizeof *cost);
    int *col = malloc((size_t)nc * PESIM_MAX_LEVELS * sizeof *col);
    if (!birth || !cost || !col) {
        free(birth), free(cost), free(col);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "optimum", "out of memory");
    }
    for (int32_t k = 0; k < nc; k++) birth[k] = r->tensor[c[k].id].birth, death[k] = r->tensor[c[k].id].death;
    for (int lv = 0; lv < M; lv++) cap[lv] = L > 0 ? r->occupancy[(size_t)lv * (size_t)L].capacity_words : 0;
    /* each tensor alone in each of its levels */
    for (int32_t k = 0; k < nc && !st; k++)
        for (int j = 0; j < c[k].n && !st; j++) {
            cost[(size_t)k * PESIM_MAX_LEVELS + (size_t)j] = 0;
            if (c[k].level[j] == M - 1) continue;
            *slot(p, c[k].id) = c[k].level[j];
            if ((st = pesim_net_run(n, p, PESIM_NET_ANALYTICAL, &r, e))) break;
            info->evaluated++;
            cost[(size_t)k * PESIM_MAX_LEVELS + (size_t)j] = r->valid ? (double)(r->cycles - base) : -1e300;
            *slot(p, c[k].id) = M - 1;
        }
    if (st) {
        free(birth), free(cost), free(col);
        return st;
    }
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    int ncols = 0;
    for (int32_t k = 0; k < nc; k++) ncols += c[k].n;
    glp_add_cols(lp, ncols);
    int j0 = 1;
    for (int32_t k = 0; k < nc; k++)
        for (int j = 0; j < c[k].n; j++, j0++) {
            double v = cost[(size_t)k * PESIM_MAX_LEVELS + (size_t)j];
            col[(size_t)k * PESIM_MAX_LEVELS + (size_t)j] = j0;
            glp_set_col_kind(lp, j0, GLP_BV);
            /* infeasible alone; or no saving: the outermost level is as good and takes no room */
            if (v < -1e299 || (v >= 0 && c[k].level[j] != M - 1)) glp_set_col_bnds(lp, j0, GLP_FX, 0, 0), v = 0;
            glp_set_obj_coef(lp, j0, v);
        }
    /* rows: one level per tensor; capacity per (bounded level, step) */
    int nrows = nc;
    for (int lv = 0; lv < M - 1; lv++)
        if (cap[lv] > 0) nrows += L;
    glp_add_rows(lp, nrows);
    size_t nz_max = (size_t)ncols + (size_t)nc * (size_t)L + 1, nz = 0;
    int *ia = malloc(nz_max * sizeof *ia), *ja = malloc(nz_max * sizeof *ja);
    double *ar = malloc(nz_max * sizeof *ar);
    if (!ia || !ja || !ar) {
        free(ia), free(ja), free(ar), free(birth), free(cost), free(col);
        glp_delete_prob(lp);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "optimum", "out of memory");
    }
    for (int32_t k = 0; k < nc; k++) {
        glp_set_row_bnds(lp, k + 1, GLP_FX, 1, 1);
        for (int j = 0; j < c[k].n; j++)
            nz++, ia[nz] = k + 1, ja[nz] = col[(size_t)k * PESIM_MAX_LEVELS + (size_t)j], ar[nz] = 1;
    }
    int row = nc;
    for (int lv = 0; lv < M - 1; lv++) {
        if (cap[lv] <= 0) continue;
        int64_t inst = n->inst[lv];
        for (int32_t s = 0; s < L; s++) {
            row++;
            glp_set_row_bnds(lp, row, GLP_UP, 0, (double)cap[lv]);
            for (int32_t k = 0; k < nc; k++) {
                if (s < birth[k] || s > death[k]) continue;
                for (int j = 0; j < c[k].n; j++)
                    if (c[k].level[j] == lv) {
                        int64_t w = (n->tensor[c[k].id].words + inst - 1) / inst;
                        nz++, ia[nz] = row, ja[nz] = col[(size_t)k * PESIM_MAX_LEVELS + (size_t)j], ar[nz] = (double)w;
                    }
            }
        }
    }
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    parm.cov_cuts = GLP_ON; /* the capacity rows are knapsacks */
    parm.mir_cuts = GLP_ON;
    parm.mip_gap = OPT_GAP;
    parm.tm_lim = OPT_TIME_MS;
    ilp_ctl ctl = {0};
    parm.cb_func = ilp_callback;
    parm.cb_info = &ctl;
    int rc = glp_intopt(lp, &parm), ms = glp_mip_status(lp);
    int stopped = rc == GLP_ETMLIM || rc == GLP_ESTOP;
    if ((rc == 0 || stopped) && (ms == GLP_OPT || ms == GLP_FEAS)) {
        info->proven = rc == 0 && ms == GLP_OPT;
        info->predicted_cycles = base + (int64_t)llround(glp_mip_obj_val(lp));
        for (int32_t k = 0; k < nc; k++)
            for (int j = 0; j < c[k].n; j++)
                if (glp_mip_col_val(lp, col[(size_t)k * PESIM_MAX_LEVELS + (size_t)j]) > 0.5)
                    *slot(out, c[k].id) = c[k].level[j];
    } else if (stopped && ms == GLP_UNDEF) { /* stopped before any integer solution: all-outermost */
        info->proven = 0;
        info->predicted_cycles = base;
        for (int32_t k = 0; k < nc; k++) *slot(out, c[k].id) = M - 1;
    } else {
        st = pesim_error_set(e, PESIM_ERR_INTERNAL, NULL, 0, "optimum", "GLPK: no optimum (intopt %d, status %d)", rc,
                             ms);
    }
    glp_delete_prob(lp);
    free(ia), free(ja), free(ar), free(birth), free(cost), free(col);
    return st;
}

pesim_status pesim_net_place_optimal(pesim_net *n, pesim_net_fidelity f, int64_t max_evals, pesim_placement *out,
                                     pesim_net_optimum *info, pesim_error *e)
{
    if (!n || !out || !info) return pesim_error_set(e, PESIM_ERR_INVALID, NULL, 0, "optimum", "NULL argument");
    memset(info, 0, sizeof *info);
    info->predicted_cycles = -1;
    pesim_status st = pesim_placement_init(out, n->L, n->M - 1, e);
    if (st) return st;
    pesim_placement p;
    if ((st = pesim_placement_init(&p, n->L, n->M - 1, e))) {
        pesim_placement_free(out);
        return st;
    }
    cand *c = malloc((size_t)n->T * sizeof *c);
    if (!c) {
        pesim_placement_free(&p), pesim_placement_free(out);
        return pesim_error_set(e, PESIM_ERR_NOMEM, NULL, 0, "optimum", "out of memory");
    }
    int32_t nc = candidates(n, c);
    double points = 1;
    for (int32_t k = 0; k < nc && points <= (double)max_evals; k++) points *= c[k].n;
    st = points <= (double)max_evals ? exhaustive(n, f, c, nc, &p, out, info, e) : ilp(n, c, nc, &p, out, info, e);
    free(c);
    pesim_placement_free(&p);
    if (st) pesim_placement_free(out);
    return st;
}
