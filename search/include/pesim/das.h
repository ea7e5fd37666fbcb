/* pesim/das.h - the differentiable cost of DAS (differentiable accelerator
 * search, the accelerator side of A3C-S; docs/das.md).
 *
 * A design is a vector of categorical choices (a pesim_space candidate, or a
 * synthetic one). Each parameter i gets a probability vector p_i over its
 * n_i choices; the relaxed cost of any cost J (latency, energy, area, an
 * objective with budget penalties) is its expectation under the product
 * distribution,
 *     F(p) = E_{x ~ p}[J(x)] = sum_x prod_i p_i[x_i] J(x),
 * a multilinear polynomial in the p_i: smooth, and equal to J(x) at the
 * one-hot point of x (the discrete model, exactly). Its gradient is
 *     dF/dp_i[c] = E_{x ~ p}[J(x with x_i = c)],
 * so at a hard sample h (one-hot) the gradient is the vector of costs of the
 * single-choice changes of h: evaluated by the discrete model, it is the
 * exact gradient at h and an unbiased estimate of the gradient at p when h is
 * drawn from p. DAS passes it to the logits by the straight-through
 * Gumbel-softmax estimator (pesim_das_st_grad). Nothing here allocates more
 * than its call needs or keeps state; randomness comes from the caller's
 * gsl_rng. */
#ifndef PESIM_DAS_H
#define PESIM_DAS_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "pesim/arch.h"
#include "pesim/search.h"
#include "pesim/workload.h"
#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A cost of a discrete design: writes n_out values (lower-better, finite)
 * for choices (one index per parameter). Returns PESIM_OK or an error that
 * ends the caller's computation. */
typedef pesim_status (*pesim_das_cost_fn)(void *ctx, const int32_t *choices, double *out);

/* A Gumbel-softmax sample of one categorical parameter (Jang et al., ICLR
 * 2017): g_c ~ Gumbel(0, 1) from rng, y = softmax((logits + g) / tau)
 * (pesim_rl_softmax), and the hard choice argmax(logits + g), which is a
 * draw from softmax(logits) whatever tau. tau > 0. Returns the hard choice;
 * y (n entries, may be NULL) gets the soft sample. */
int32_t pesim_das_gumbel_softmax(const double *logits, int32_t n, double tau, gsl_rng *rng, double *y);

/* The relaxed cost by enumeration of the support of p (the points whose
 * every choice has a nonzero probability; at most max_points of them):
 * with p_i = softmax(logits_i), value[o] = F_o(p) for each of the n_out
 * costs, and grad (may be NULL; sum(n_choices) x n_out, parameter-major:
 * grad[(off_i + c) * n_out + o]) the exact gradient of F_o with respect to
 * the logits, dF/dlogit_i[c] = p_i[c] (E[J | x_i = c] - F) (0 where
 * p_i[c] is 0). Returns PESIM_ERR_RANGE when the support has more than
 * max_points points, or the cost function's error. For tests, small spaces
 * and one-hot points of any space. */
pesim_status pesim_das_expected_cost(int32_t n_params, const int32_t *n_choices, const double *logits,
                                     pesim_das_cost_fn fn, void *ctx, int32_t n_out, int64_t max_points,
                                     double *value, double *grad, pesim_error *e);

/* The straight-through gradient of one parameter's logits (n choices) from
 * the costs v[c] of the hard sample with this parameter set to c (the other
 * parameters at the sample), and the soft sample y the backward pass uses:
 *     grad[c] = y[c] (v[c] - vbar) / tau,  vbar = sum_A y v / sum_A y,
 * over the set A of choices whose cost is known (v[c] finite; NaN marks an
 * unevaluated choice, whose gradient is 0). With every choice known this is
 * the Jacobian of softmax(z / tau) applied to v. With y = softmax(logits) and
 * tau = 1 (no Gumbel noise) and the hard sample drawn from y, it is an
 * unbiased estimate of the gradient of pesim_das_expected_cost. Returns the
 * number of known choices. */
int32_t pesim_das_st_grad(const double *y, const double *v, int32_t n, double tau, double *grad);

/* ------------------------------------------- agent-accelerator co-search
 *
 * A3C-S's co-search: the agent network is one more categorical parameter
 * (index into the experiment's `agents`, pesim_experiment), beside the
 * experiment's hardware parameters (each layer mapped by the default mapper),
 * and DAS (search/algorithms/das.c, its options in kv) searches the joint
 * vector. The objective, lower-better, trades the user's score of the agent
 * against the frames per second of the accelerator running it at batch 1
 * (FPS = clock / the network's cycles):
 *     J = -ln(FPS) - score_weight * score
 * so one unit of score is worth a factor e^score_weight of FPS. A design over
 * the experiment's area or power budget, or one the mapper cannot map, is
 * invalid (DAS's penalty). The gradient's costs are analytical; the designs
 * DAS proposes are evaluated at `fidelity`, and the best one is evaluated
 * again on the cycle engine (`cycle`). A run is a function of the
 * experiment, the options and the seed. With a store, every design proposed
 * and its result are recorded (run label "das-cosearch", choices: the agent,
 * then the hardware), and a resumed run replays the stored ones through DAS
 * (asking the same designs: its predictor is deterministic) instead of
 * evaluating them again, so a run cut at any design and resumed, also with a
 * larger budget, ends as the uncut run of that budget. */
#define PESIM_DAS_MAX_HW 64
typedef struct pesim_das_cosearch_options {
    int64_t budget;                  /* designs evaluated at `fidelity` (>= 1) */
    uint64_t seed;
    pesim_fidelity fidelity;
    const char *const *kv;           /* DAS options "key=value" (n_kv of them) */
    int32_t n_kv;
    int32_t threads;                 /* evaluator threads (0 = 1) */
    pesim_store *store;              /* records every design evaluated (NULL: nothing recorded or resumed) */
    pesim_run_mode mode;             /* new run, resume, another run (pesim_store_settle_run's rule) */
    const char *config;              /* recorded with a new run (NULL: "") */
} pesim_das_cosearch_options;

typedef struct pesim_das_cosearch_result {
    int found;                       /* a valid design was seen */
    int32_t agent;                   /* the best design's agent (index into the experiment's agents) */
    int32_t n_hw;                    /* hardware parameters */
    int32_t hw[PESIM_DAS_MAX_HW];    /* the best design's hardware choices */
    double objective;                /* its J */
    double score, fps;               /* its agent's score; FPS at `fidelity` */
    pesim_result best;               /* its result at `fidelity` */
    pesim_result cycle;              /* the same design on the cycle engine */
    double cycle_fps;
    int64_t samples, best_sample, predictions;
    int64_t agent_samples[PESIM_MAX_AGENTS]; /* designs proposed per agent */
    double agent_best_fps[PESIM_MAX_AGENTS]; /* the best valid FPS seen per agent (0: none) */
    double wall_s;
    int64_t run_id;                  /* the run in the store (0 without one) */
    int resumed;                     /* continued a stored run */
    int64_t replayed;                /* designs taken from the store, not evaluated again */
} pesim_das_cosearch_result;

/* Runs the co-search of the experiment file at path (it must declare agents;
 * PESIM_ERR_MISSING naming the file otherwise). Errors of the files it reads
 * name file, line and key. */
pesim_status pesim_das_cosearch(const char *path, const pesim_das_cosearch_options *o,
                                pesim_das_cosearch_result *out, pesim_error *e);

/* ------------------------------------------- fixed-template baselines
 *
 * A3C-S compares DAS with two fixed accelerator templates, DNNBuilder (Zhang
 * et al., ICCAD 2018: a per-layer pipelined template) and CHaiDNN (Xilinx: a
 * fixed generic array with a few published configurations). The CHaiDNN-like
 * baseline is an experiment file (configs/experiments/das_chaidnn.cfg: its
 * published array shapes as a hardware space of the base arch), searched by
 * any algorithm. The DNNBuilder-like one is here.
 *
 * A pipelined template: one stage per MAC layer of the network, each a copy
 * of the base arch whose PE array (the fanout of level `level`) gets a share
 * of `pes` PEs and whose buffer at that level (its capacity, the tensor
 * partitions cleared) a share of `words`, the shares in proportion to the
 * layer's MACs^alpha (alpha 1: to the work, DNNBuilder's resource
 * allocation; 0: equal shares). A share of p PEs is an array of fy x fx, fy
 * the largest power of two with fy^2 <= p, fx = floor(p / fy). Each stage's
 * layer is mapped by the default mapper and costed by the analytical model,
 * its area and energy figures rescaled as a hardware space's are
 * (pesim_estimate_rescale): what the evaluator does for a point of a
 * hardware space. Frames stream through the stages: a new frame enters every
 * `interval` cycles (the slowest stage), FPS = clock / interval; a frame's
 * latency is the sum of the stages' cycles, its energy the sum of their
 * energies; the area is the sum of the stages' areas; the power is energy
 * per frame x FPS. The objective is eval's of (latency, energy, area); over
 * the area or power budget the point is invalid. */
#define PESIM_PIPELINE_MAX_STAGES 256
typedef struct pesim_pipeline_point {
    int64_t pes;                     /* PEs split across the stages (>= 1) */
    int64_t words;                   /* buffer words split across the stages (>= 1) */
    double alpha;                    /* shares ~ MACs^alpha (>= 0) */
} pesim_pipeline_point;

typedef struct pesim_pipeline_stage {
    int32_t layer;                   /* index into the network's layers */
    int32_t fanout_x, fanout_y;      /* its PE array */
    int64_t words;                   /* its buffer */
    int64_t cycles;
    double energy_pj, area_um2;
} pesim_pipeline_stage;

typedef struct pesim_pipeline_result {
    int valid;                       /* 0: reason says why */
    char reason[PESIM_REASON_MAX];
    pesim_pipeline_point point;
    int32_t n_stages;
    pesim_pipeline_stage stage[PESIM_PIPELINE_MAX_STAGES];
    int64_t latency_cycles;          /* of one frame: the sum of the stages' */
    int64_t interval_cycles;         /* between frames: the slowest stage's */
    double energy_pj, area_um2, power_mw, fps;
    double objective;                /* PESIM_INVALID_PENALTY when invalid */
} pesim_pipeline_result;

/* Evaluates the template at one point. PESIM_OK also for an invalid point
 * (out->valid 0); PESIM_ERR_KEY for a level the arch does not have,
 * PESIM_ERR_RANGE for a bad point or more than PESIM_PIPELINE_MAX_STAGES
 * MAC layers, PESIM_ERR_INVALID for a network without MAC layers. */
pesim_status pesim_pipeline_evaluate(const pesim_arch *base, const pesim_network *net, const char *level,
                                     const pesim_pipeline_point *pt, const pesim_eval_options *eval,
                                     pesim_pipeline_result *out, pesim_error *e);

/* The search over the template's split and parallelism: a fixed grid of
 * pesim_pipeline_grid_size() points, total PEs of 1/4, 1/2, 1, 2 and 4 times
 * the base array's, buffer words of 1/2, 1 and 2 times the base level's,
 * alpha 1, 0.5 and 0, evaluated in that order until `budget` points;
 * *best = the best valid point (best->valid 0, with the first point's
 * reason, when none is), *evaluated = the points evaluated. */
int32_t pesim_pipeline_grid_size(void);
pesim_status pesim_pipeline_search(const pesim_arch *base, const pesim_network *net, const char *level,
                                   const pesim_eval_options *eval, int64_t budget, pesim_pipeline_result *best,
                                   int64_t *evaluated, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
