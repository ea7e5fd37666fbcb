/* pesim/timeloop.h - Timeloop and Accelergy specs (YAML) in and out: the
 * architecture, the problem, the mapping and the energy reference table
 * (ERT). docs/timeloop.md says what each key becomes and what is refused.
 *
 * Only sim/timeloop/ includes yaml.h (libyaml parses and emits). Readers fail
 * on anything pesim cannot represent, with the YAML file, line (1-based) and
 * key path (`architecture.subtree.[System].local.[Buffer].attributes.depth`;
 * a list entry is [name] when it has a `name` or `target`, else [index])
 * in the pesim_error. Writers return malloc'ed YAML text (the caller frees it)
 * or NULL with the error filled; what they write reads back to the same
 * structs (for a mapping: the same loops, factors and bypasses). */
#ifndef PESIM_TIMELOOP_H
#define PESIM_TIMELOOP_H

#include "pesim/arch.h"
#include "pesim/mapping.h"
#include "pesim/status.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How ERT action energies become pesim's per-word read and write energies
 * (each divided by the level's block size, the words of one access). */
typedef enum pesim_tl_ert_rule {
    /* Timeloop's per-action rule (its later versions): reads cost
     * `random_read` or `read`; fills `random_fill`, `random_write`, `fill` or
     * `write`; updates `random_update`, `update` or `write` (the first found;
     * fills and updates must cost the same); a MAC `mac_random`,
     * `mult_random`, `mac`, `mult` or `compute`. */
    PESIM_TL_ERT_ACTIONS = 0,
    /* Every access and MAC costs the component's most expensive action: what
     * the Timeloop that produced the public exercises' reference outputs
     * charged (the CLI's default). */
    PESIM_TL_ERT_MAX,
    PESIM_TL_ERT_RULE_COUNT
} pesim_tl_ert_rule;

/* A problem: the pesim layer and the Timeloop names of its dims and data
 * spaces (mappings name dims by these). dim_name[d] is "" for a pesim dim the
 * problem does not have (its bound is 1). */
typedef struct pesim_tl_problem {
    pesim_layer layer;
    char dim_name[PESIM_NDIMS][16];
    char space_name[PESIM_NTENSORS][PESIM_NAME_MAX];
} pesim_tl_problem;

/* ---- reading ---- */

/* A Timeloop architecture (`architecture:` as a v0.2/v0.3 tree of subtree and
 * local, or v0.4 `nodes`) into a pesim arch with conventions "timeloop" (and
 * first_read_elision for a v0.4 spec, as its Timeloop counts by default): one
 * level per storage element, innermost first; fan-outs from the instances
 * and meshX/meshY; a DRAM (or any outermost store) without bandwidth is an
 * unbounded backing store (no `dram` timing). Energies come from the ERT
 * (ert_text NULL: none; then from `vector-access-energy` / `energy-per-op`
 * attributes, else 0). The *_string variant reads text held in memory; the
 * names label the texts in messages. */
pesim_status pesim_timeloop_load_arch(const char *arch_path, const char *ert_path, pesim_tl_ert_rule rule,
                                      pesim_arch *out, pesim_error *e);
pesim_status pesim_timeloop_load_arch_string(const char *arch_text, const char *arch_name, const char *ert_text,
                                             const char *ert_name, pesim_tl_ert_rule rule, pesim_arch *out,
                                             pesim_error *e);

/* A problem (`problem:` with a `shape` and an `instance`, or the bounds
 * directly under `problem`) whose projections are a (grouped, strided,
 * dilated) convolution: any subset of Timeloop's CNN-layer dims C, M (or K),
 * R, S, N, P, Q and a G in every data space. The layer is named after the
 * file (its name without directories and extension). */
pesim_status pesim_timeloop_load_problem(const char *path, pesim_tl_problem *out, pesim_error *e);
pesim_status pesim_timeloop_load_problem_string(const char *text, const char *name, pesim_tl_problem *out,
                                                pesim_error *e);

/* A mapping (`mapping:` a list of temporal, spatial, bypass/datatype
 * directives) of problem p on arch a (as pesim_timeloop_load_arch made it:
 * levels named as the storage elements). Not checked against the layer's
 * bounds: pesim_mapping_check is the caller's. */
pesim_status pesim_timeloop_load_mapping(const char *path, const pesim_arch *a, const pesim_tl_problem *p,
                                         pesim_mapping *out, pesim_error *e);
pesim_status pesim_timeloop_load_mapping_string(const char *text, const char *name, const pesim_arch *a,
                                                const pesim_tl_problem *p, pesim_mapping *out, pesim_error *e);

/* ---- writing ---- */

/* The arch as a v0.3 architecture tree (one `local` list, each element with
 * its instances and meshX). A level with per-tensor capacities becomes a
 * chain of buffers, one per partition (named <level>_<tensor>, and
 * <level>_shared for the tensors sharing its capacity), the innermost taking
 * the level's loops and fan-out: how Timeloop models per-tensor scratchpads. */
char *pesim_timeloop_arch_text(const pesim_arch *a, pesim_error *e);
/* The arch's energies as an ERT (v0.3): read, write and update per level,
 * mac_random for the MACs, with block size 1 so that they are per word. */
char *pesim_timeloop_ert_text(const pesim_arch *a, pesim_error *e);
/* The layer as a CNN-layer problem (with a G dim when groups > 1; padding is
 * not written: pesim's loops run over the padded input, as Timeloop's do);
 * fills names (may be NULL) with the names it used, for the mapping writer. */
char *pesim_timeloop_problem_text(const pesim_layer *l, pesim_tl_problem *names, pesim_error *e);
/* The mapping as temporal, spatial and bypass directives of every level.
 * Refuses imperfect factors (Timeloop needs each dim's factors to multiply to
 * its bound) and a dim unrolled on both X and Y of one level. */
char *pesim_timeloop_mapping_text(const pesim_arch *a, const pesim_tl_problem *p, const pesim_mapping *m,
                                  pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
