/* pesim/model.h - the analytical cost model (docs/model.md).
 *
 * Exact access counts per level and tensor (reuse from the loop order,
 * multicast, spatial reduction, sliding-window halos, imperfect factors),
 * energy from per-access energies, and cycles as the max of compute and each
 * level's and network's bandwidth-bound time plus pipeline fill and drain.
 * It allocates nothing and keeps no state: safe to call from many threads. */
#ifndef PESIM_MODEL_H
#define PESIM_MODEL_H

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Evaluates layer l mapped by m on arch a into *out (fully overwritten).
 * An infeasible mapping (capacity, fan-out, uncovered dim, ...) is not an error:
 * out->valid = 0 and out->reason names the level and tensor. Returns
 * PESIM_ERR_INVALID only for arguments that are not a MAC layer or mismatched
 * level counts (out->reason says which). */
pesim_status pesim_model_evaluate(const pesim_arch *a, const pesim_layer *l,
                                  const pesim_mapping *m, pesim_cost *out);

/* A valid, sensible mapping of any MAC layer on any arch, with no user input:
 * fills the array with the largest parallel dims the arch allows, then tiles
 * each level greedily to its capacity with loop orders chosen for reuse.
 * PESIM_ERR_INVALID (with a message) if no valid mapping could be built. */
pesim_status pesim_mapper_default(const pesim_arch *a, const pesim_layer *l,
                                  pesim_mapping *out, pesim_error *e);

/* SCALE-Sim's mapping of a layer on a systolic array, for the compatibility
 * mode: the layer is taken as its im2col GEMM (M = N*P*Q output pixels,
 * N = K*G filters, K = C*R*S reduction), which is what SCALE-Sim simulates.
 * dataflow "os": M on the array's rows (Y), filters on its columns (X), the
 * reduction streamed; "ws": the reduction on rows, filters on columns, pixels
 * streamed; "is": the reduction on rows, pixels on columns, filters streamed.
 * The arch must have a level L >= 1 with a fan-out (rows = fanout_y, cols =
 * fanout_x) whose networks are systolic, with level L-1 keeping the stationary
 * tensor (outputs, weights or inputs). *gemm receives the GEMM layer the
 * mapping is for. PESIM_ERR_INVALID when the arch cannot take the dataflow. */
pesim_status pesim_mapper_scalesim(const pesim_arch *a, const pesim_layer *l, const char *dataflow,
                                   pesim_layer *gemm, pesim_mapping *out, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
