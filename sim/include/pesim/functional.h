/* pesim/functional.h - the functional mode of the cycle engine (docs/engine.md,
 * "Functional mode").
 *
 * Real values travel the simulated paths: random integer weights and inputs
 * start in the outermost level, every level instance that keeps a tensor has a
 * local buffer holding its current tile in local coordinates, tiles move
 * between levels at the events of the block walker (sim/nest/walk.h) by the
 * rules of docs/model.md (reuse, multicast, sliding-window halos, partial-sum
 * read-back and spatial reduction, imperfect factors), and the MACs compute
 * with the operands of the innermost levels that keep them. The outputs that
 * drain to the outermost level are compared exactly with a plain reference
 * convolution. A mapping semantics that moves the wrong data fails here,
 * either as mismatching outputs or as an access outside a tile (an error).
 *
 * Besides the values, the run counts the words it actually moves, per block,
 * and compares them with the block walker's transfers (the words the cycle
 * engine times): any difference is reported in traffic_mismatches.
 *
 * The data moves as the hardware moves it, so the run and the comparison use
 * the "pesim" counting conventions whatever the arch declares (the
 * "timeloop" conventions count words that do not move, such as the first
 * fill of an output tile).
 *
 * It is slow by design (every MAC and every word is simulated): it refuses
 * layers above PESIM_FUNCTIONAL_MAX_MACS MACs. */
#ifndef PESIM_FUNCTIONAL_H
#define PESIM_FUNCTIONAL_H

#include <stdint.h>

#include "pesim/arch.h"
#include "pesim/cost.h"
#include "pesim/mapping.h"
#include "pesim/status.h"
#include "pesim/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest layer (MACs) the functional mode accepts. */
#define PESIM_FUNCTIONAL_MAX_MACS (INT64_C(1) << 20)
/* Largest iteration space (non-empty temporal steps x MAC lanes used). */
#define PESIM_FUNCTIONAL_MAX_POINTS (INT64_C(1) << 24)
/* Largest total of local-buffer words over every level instance. */
#define PESIM_FUNCTIONAL_MAX_WORDS (INT64_C(1) << 24)

typedef struct pesim_functional_result {
    int64_t outputs;              /* output words compared (G*N*K*P*Q) */
    int64_t mismatches;           /* outputs that differ from the reference */
    double max_abs_error;         /* largest |simulated - reference| */
    int64_t first_bad[PESIM_NDIMS]; /* indexed by pesim_dim: g, n, k, p, q of the first
                                       mismatch in row-major order; C, R, S (and all,
                                       when there is no mismatch) are -1 */
    int64_t macs_done;            /* MACs the simulated PEs performed (== the layer's) */
    int64_t blocks;               /* blocks of the walker executed */
    int64_t transfers;            /* tile transfers performed (events x level pairs) */
    int64_t traffic_mismatches;   /* block transfers whose words moved differ from the walker's */
    char traffic_note[PESIM_REASON_MAX]; /* the first such difference ("" if none) */
    /* Words actually moved, with the "pesim" conventions (reads toward the
     * children or the MACs and drains, fills from the parent, updates from below). */
    pesim_access access[PESIM_MAX_LEVELS][PESIM_NTENSORS];
    int64_t faults_injected;      /* test hook: corruptions applied (0 without a fault) */
} pesim_functional_result;

/* Test hooks: deliberate corruptions of the data movement, to prove that the
 * check has teeth. Never used outside tests. */
typedef enum pesim_functional_fault {
    PESIM_FUNCTIONAL_FAULT_NONE = 0,
    /* Loads of fault_tensor into fault_level whose tile origin in fault_dim is
     * > 0 copy the parent's data from one step lower in that dim (an
     * off-by-one origin). For outputs, the drain writes one step lower. */
    PESIM_FUNCTIONAL_FAULT_SHIFT_ORIGIN,
    /* The first load of fault_tensor (weights or inputs) into fault_level
     * whose tile holds two different values swaps the first two of them. */
    PESIM_FUNCTIONAL_FAULT_SWAP_WORDS,
    /* Outputs at fault_level start a revisited tile at zero instead of
     * reading the partial sums back from the parent. */
    PESIM_FUNCTIONAL_FAULT_SKIP_READBACK,
    PESIM_FUNCTIONAL_FAULT_COUNT
} pesim_functional_fault;

typedef struct pesim_functional_options {
    pesim_functional_fault fault;
    int32_t fault_level;          /* the child level of the corrupted transfers */
    pesim_tensor fault_tensor;
    pesim_dim fault_dim;          /* SHIFT_ORIGIN only */
} pesim_functional_options;

/* Runs layer l mapped by m on arch a with real values: weights and inputs are
 * nonzero integers in [-8, 8] drawn from a gsl mt19937 generator seeded with seed (the
 * input is the padded input of docs/model.md, H = (P-1)*stride + (R-1)*dilation
 * + 1). out is fully overwritten; on return PESIM_OK, out->mismatches says
 * whether the simulated outputs equal the reference exactly.
 *
 * Errors (e filled, out zeroed except what was measured):
 *   PESIM_ERR_INVALID  - not a MAC layer, mismatched levels, or an invalid
 *                        mapping (the model's reason);
 *   PESIM_ERR_RANGE    - the layer or its simulation is too big (limits above);
 *   PESIM_ERR_NOMEM    - allocation failed;
 *   PESIM_ERR_INTERNAL - an access outside a tile or to a word the tile was
 *                        never given: the data-movement semantics were violated
 *                        (the message names the level, tensor and coordinates). */
pesim_status pesim_functional_run(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                  uint64_t seed, pesim_functional_result *out, pesim_error *e);

/* The same with options (NULL = none): the test hooks above. */
pesim_status pesim_functional_run_opts(const pesim_arch *a, const pesim_layer *l, const pesim_mapping *m,
                                       uint64_t seed, const pesim_functional_options *opt,
                                       pesim_functional_result *out, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
