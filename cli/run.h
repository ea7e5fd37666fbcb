/* cli/run.h - the results of `pesim run` and their three renderings (human
 * text, JSON, CSV). cmd_run.c fills a run_result; run_text.c and
 * run_data.c print it. Field meanings and units: docs/cli.md. */
#ifndef PESIM_CLI_RUN_H
#define PESIM_CLI_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/engine.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#include "evaluators.h"
#include "json.h"

#define CLI_NOT_MAPPED "no MACs, not mapped"

/* One layer of the run. A layer without MACs (pool, add, concat) is listed
 * but not mapped: has_macs == 0, valid == 1, and it contributes 0. A MAC
 * layer is evaluated when a mapping was found (has_mapping) and the
 * evaluator accepted it; valid is then cost.valid. */
typedef struct run_layer {
    const pesim_layer *layer;
    int has_macs;
    int has_mapping;              /* mapping holds the loaded or default mapping */
    int evaluated;                /* cost holds the evaluator's result */
    pesim_status status;          /* the evaluator's: PESIM_OK, or why it could not run the
                                   * mapping (PESIM_ERR_RANGE: out of its range; then
                                   * evaluated == 0 and reason says why) */
    int valid;
    char reason[PESIM_MSG_MAX + 64]; /* why not valid ("" when valid) */
    pesim_mapping mapping;
    pesim_cost cost;
    pesim_engine_stats stats;     /* evaluators with CLI_EVAL_ENGINE (else zero) */
    char mapping_file[PESIM_PATH_MAX + PESIM_NAME_MAX + 8]; /* --print-mapping output, or "" */
} run_layer;

typedef struct run_result {
    const pesim_arch *arch;
    const char *arch_path;
    const pesim_network *net;
    const char *workload_path;
    const cli_evaluator *ev;      /* --eval */
    pesim_engine_options engine_opt; /* used by evaluators with CLI_EVAL_ENGINE */
    const char *mapping_path;     /* --mapping, or NULL: the default mapper */
    int single;                   /* --layer given: one layer with details */
    int32_t n;
    run_layer *layers;            /* owned by cmd_run.c */
    /* Totals. MACs over every listed layer; cycles, energy and utilization
     * over the valid evaluated layers only (layers run one after another). */
    int64_t macs, cycles;
    double energy_pj;
    int32_t n_mac_layers, n_valid, n_invalid;
} run_result;

/* Evaluates the selected layers of r->net (every layer, or only index
 * `only` >= 0) with r->ev: each MAC layer with the mapping `user` (NULL: the
 * default mapper's), then sums up. Returns 0, or -1 when out of memory
 * (message printed). Problems of a layer are results (valid == 0, reason). */
int cli_run_layers(run_result *r, const pesim_mapping *user, int32_t only);
/* The same, on the layers of `like` (already run) with their mappings: a
 * layer `like` could not map is invalid here with the same reason. */
int cli_run_layers_like(run_result *r, const run_result *like);

/* Seconds of `cycles` at the arch clock (NaN when the clock is not positive). */
double cli_run_seconds(const run_result *r, int64_t cycles);
/* MACs / (cycles x MAC units) of the machine; NaN when cycles == 0. */
double cli_run_utilization(const run_result *r, int64_t macs, int64_t cycles);

/* The per-layer table and totals; for a single layer also the cycle and
 * energy breakdown, the accesses per level and tensor, and the mapping. */
void cli_run_text(const run_result *r, FILE *f);
/* " (DRAM FR-FCFS, refresh on)": the engine options, for the human reports. */
void cli_engine_options_text(const pesim_engine_options *opt, FILE *f);
/* Two lines: the engine's blocks, transfers, folds; DRAM bursts and rows. */
void cli_engine_stats_text(const pesim_engine_stats *s, FILE *f);
/* JSON with the keys of DESIGN.md's contract (and more; docs/cli.md). */
void cli_run_json(const run_result *r, FILE *f);
/* The members "evaluator", "engine_options", "layers" and "total" of r's
 * JSON, written into the object w has open (compare nests them). */
void cli_run_json_members(json_writer *w, const run_result *r);
/* CSV: a header, then one row per layer. */
void cli_run_csv(const run_result *r, FILE *f);
/* The members "level", "tensor", "reads", "writes" (fills + updates),
 * "fills" and "updates" of one access count, into the object w has open. */
void cli_access_json_members(json_writer *w, const char *level, pesim_tensor t, const pesim_access *x);

#endif
