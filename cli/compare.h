/* cli/compare.h - `pesim compare`: every available evaluator on the same
 * layers with the same mappings, each simulating evaluator checked against
 * the reference (the analytical model, the first of the --eval table).
 *
 * cmd_compare.c runs the evaluators (one run_result each); compare_check.c
 * compares a layer of two runs; compare_text.c and compare_data.c render the
 * human report, JSON and CSV (docs/cli.md). */
#ifndef PESIM_CLI_COMPARE_H
#define PESIM_CLI_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "pesim/config.h"

#include "evaluators.h"
#include "inputs.h"
#include "run.h"

#define CLI_COMPARE_MAX 4   /* evaluators in the table, at most */
#define CLI_COMPARE_DIFF_MAX (PESIM_NAME_MAX + PESIM_MSG_MAX + 128) /* a difference's text, with its '\0' */

typedef struct compare_result {
    size_t n_runs;                    /* available evaluators */
    run_result run[CLI_COMPARE_MAX];  /* run[0]: the reference; same layers, same mappings */
    size_t n_missing;                 /* evaluators of the table that are not built */
    const cli_evaluator *missing[CLI_COMPARE_MAX];
} compare_result;

/* How a layer of an evaluator compares with the reference's. */
typedef enum compare_status {
    CMP_NOT_MAPPED = 0,   /* no MACs: nothing to compare */
    CMP_INVALID,          /* invalid in both (the same mapping is infeasible for both) */
    CMP_DISAGREE,         /* valid in one, invalid in the other: a bug */
    CMP_COMPARED,         /* valid in both */
    CMP_NOT_RUN           /* one of the two could not run the mapping: out of its range
                           * (cli_compare_not_run); nothing to compare, not a bug */
} compare_status;

/* What two evaluators must agree on for one mapping, the first rule broken.
 * The one place of that rule: cli_compare_costs. */
typedef enum compare_verdict {
    CMP_AGREE = 0,        /* both invalid, or both valid with the rules below kept */
    CMP_VALID_IN_ONE,     /* valid in one evaluator only */
    CMP_COUNTS_DIFFER,    /* MACs or an access count differ */
    CMP_BELOW_BOUND       /* bounded, and fewer cycles than the reference's */
} compare_verdict;

typedef struct compare_check {
    compare_status status;
    compare_verdict verdict;  /* CMP_AGREE unless the two disagree (a bug) */
    int accesses_equal;   /* MACs and every access count equal (1 unless CMP_COMPARED) */
    int below;            /* CMP_COMPARED, bounded, and cycles < ref_cycles */
    char difference[CLI_COMPARE_DIFF_MAX]; /* the first difference, or "" */
    int64_t ref_cycles, cycles;       /* CMP_COMPARED: the two evaluators' cycles */
    int64_t gap_cycles;               /* cycles - ref_cycles */
    int64_t gap_compute;              /* compute_cycles - the reference's */
    int64_t gap_stall[PESIM_STALL_COUNT]; /* stall cycles by cause - the reference's */
} compare_check;

/* 1 when the evaluator could not run layer rl's mapping because it is out
 * of its range (cli_eval_out_of_range), not because of a bug: the layer is
 * "not run" by that evaluator, as in `--mappings --systemc` and
 * `--placement`. Any other failure to run stays a failure (the layer is
 * invalid and disagrees). */
int cli_compare_not_run(const run_layer *rl);

/* 1 if costs a (of evaluator na) and b (of nb) of one mapping on arch have
 * the same MACs and every access count (reads, fills, updates per level and
 * tensor); else 0, with the first count that differs written into diff
 * ("GLB weights fills: analytical 1,024, cycle 2,048"). */
int cli_compare_accesses(const pesim_arch *arch, const char *na, const pesim_cost *a, const char *nb,
                         const pesim_cost *b, char *diff, size_t n);

/* One evaluator's result of one mapping: valid or not (and why), and its
 * cost (read only when valid). */
typedef struct compare_side {
    const char *name;             /* the evaluator's, for messages */
    int valid;
    const char *reason;           /* why not valid */
    const pesim_cost *cost;
} compare_side;

/* The rule: a (the reference) and b agree when both are invalid, or both are
 * valid with the same MACs and access counts (cli_compare_accesses) and, if
 * bounded, b's cycles are not below a's. Otherwise the first rule broken is
 * returned and described in diff. */
compare_verdict cli_compare_costs(const pesim_arch *arch, const compare_side *a, const compare_side *b,
                                  int bounded, char *diff, size_t n);

/* 1 when evaluator ev's cycles (with engine options opt) are bounded below
 * by the reference's: the analytical cycles are a lower bound of every
 * evaluator's, a layer's or a whole network's, except the cycle engine's
 * with --stall-free (transfers take no time, so the memory system the bound
 * counts is gone). */
int cli_compare_bounded(const cli_evaluator *ev, const pesim_engine_options *opt);

/* Compares layer i of r->run[k] (k >= 1) with the reference's. The gap is
 * split exactly: gap_cycles == gap_compute + the sum of gap_stall, since
 * each evaluator's cycles are its compute cycles plus its stall cycles. */
void cli_compare_check(const compare_result *r, size_t k, int32_t i, compare_check *out);

/* The run whose results r->run[k] must equal exactly (its evaluator's
 * `equals`: the SystemC reference must reproduce the cycle engine), or 0
 * when there is none or it is not built. */
size_t cli_compare_twin(const compare_result *r, size_t k);

/* x == y, or 0 with "what: na x, nb y" in diff ("cycles: cycle 9,822,
 * systemc 9,823"). */
int cli_compare_count(const char *what, const char *na, int64_t x, const char *nb, int64_t y, char *diff, size_t n);

/* One simulation seen twice (a and b, with their engine statistics p and
 * q): 1 when both are invalid, or both valid with the same MACs and access
 * counts (cli_compare_costs, unbounded), the same cycles, compute cycles and
 * stall cycles by cause, the same energy (to 1e-12 relative: the one cost
 * formula over equal counts), the same network figures per level and tensor
 * (words, ingress words, spatial reductions, fan-out; multicast to 1e-12
 * and word-hops to 1e-9 relative, sums whose order may differ), and the same
 * engine statistics (blocks, transfers, folds, busy cycles, every DRAM
 * statistic). Else 0, with the first difference in diff ("cycles: cycle
 * 9,822, systemc 9,823"). */
int cli_compare_same(const pesim_arch *arch, const compare_side *a, const pesim_engine_stats *p,
                     const compare_side *b, const pesim_engine_stats *q, char *diff, size_t n);

/* cli_compare_same on layer i of runs j and k (j = cli_compare_twin(r, k) >
 * 0): 1 the same, 0 different (diff says how); -1 when run j or k did not
 * run the layer (cli_compare_not_run; diff gets its reason). A layer
 * without MACs is 1. */
int cli_compare_exact(const compare_result *r, size_t j, size_t k, int32_t i, char *diff, size_t n);

/* Run k against its twin over every layer (cli_compare_exact). */
typedef struct compare_reproduction {
    size_t twin;          /* cli_compare_twin(r, k); 0: none, and the counts are 0 */
    int32_t same;         /* MAC layers where the two are the same */
    int32_t differ;       /* layers where the two differ: a bug */
    int32_t not_run;      /* layers one of the two did not run */
    int32_t first;        /* the first layer that differs, or -1 */
    char difference[CLI_COMPARE_DIFF_MAX]; /* its difference, or "" */
} compare_reproduction;
void cli_compare_reproduction(const compare_result *r, size_t k, compare_reproduction *out);

/* Adds a layer's check into a total (status CMP_COMPARED layers only). */
void cli_compare_add(compare_check *total, const compare_check *c);

/* "+12.3%: dram_latency +8.1%, fill_drain +4.2%": the gap as a percentage of
 * the reference's cycles, then each non-zero part, largest first. */
const char *cli_compare_gap_text(const compare_check *c, char *buf, size_t n);

/* "1.171x": cycles over the reference's ref_cycles, with "!" appended when
 * flag is set and cycles < ref_cycles (below a bound); "-" when ref_cycles
 * <= 0. Returns buf, or the constant "-". */
const char *cli_compare_ratio_text(int64_t ref_cycles, int64_t cycles, int flag, char *buf, size_t n);

/* Layers whose verdict is not CMP_AGREE, over every evaluator, plus layers
 * where a run differs from its twin (cli_compare_exact); and layers invalid
 * in some evaluator that ran them. Layers not run (cli_compare_not_run) are
 * in neither. */
int32_t cli_compare_disagreements(const compare_result *r);
int32_t cli_compare_invalid(const compare_result *r);

/* `pesim compare --mappings N` (compare_rank.c): per MAC layer of in (or
 * in->only), N random valid mappings and the valid mappings of a
 * search_budget-evaluation search, each evaluated by the analytical model
 * and the cycle engine; prints per layer and set the errors, rank
 * correlations, flipped pairs and gap by stall cause, writes the same as
 * CSV (csv may be NULL), and stores each set as two runs in a->db (NULL:
 * none). With n_systemc > 0 the SystemC reference also runs the first
 * n_systemc mappings of each set (cli_compare_same against the engine).
 * Returns CLI_OK, CLI_USAGE (a bad store or algorithm), CLI_FAIL (also: a
 * disagreement, or --systemc in a build without the reference). */
typedef struct compare_mappings_args {
    int64_t n_random, search_budget;
    int64_t n_systemc;            /* per layer and set, the first n_systemc mappings also run by the
                                   * SystemC reference, which must reproduce the engine (0: none) */
    const char *search_algo;
    uint64_t seed;
    int32_t threads;
    const char *db, *csv;
} compare_mappings_args;
int cli_compare_mappings(const cli_inputs *in, const compare_mappings_args *a, FILE *csv);

/* `pesim compare --placement P` (compare_net.c): the network of `in` as one
 * simulation with its tensors placed (cli_net_open), run by every available
 * evaluator on the same placement and mappings. Every layer's MACs and
 * access counts must be the analytical model's, the network's cycles no
 * fewer than its bound (cli_compare_bounded), and the SystemC reference must
 * reproduce the engine on the network and every layer (cli_compare_same,
 * and each layer's start, end, compute and load times). Prints the
 * network's table, a row per layer (its cycles from start to end cycle per
 * evaluator, each simulating one's ratio to the reference's) and the checks
 * on stdout (unless o->json is "-"), the same with each layer's times,
 * compute cycles and energy as JSON to o->json when given, each difference
 * on stderr. Returns CLI_OK, CLI_USAGE (bad input),
 * CLI_FAIL (a difference: a bug; an infeasible placement; an evaluator that
 * failed). An evaluator that cannot run the network because it is out of its
 * range (PESIM_ERR_RANGE) is counted as not run, as in the per-layer form. */
struct net_run_args;
int cli_compare_network(const cli_inputs *in, const struct net_run_args *o, const pesim_engine_options *eo);

void cli_compare_text(const compare_result *r, FILE *f);
void cli_compare_json(const compare_result *r, FILE *f);
void cli_compare_csv(const compare_result *r, FILE *f);

#endif
