/* pesim/rl.h - the learning core of pesim's learned searches (docs/rl.md):
 * small neural networks on OpenBLAS, categorical heads with action masks,
 * Adam, policy-gradient learners (REINFORCE with a learned baseline, A2C,
 * PPO-clip), a discrete soft actor-critic learner with a replay buffer, a
 * Graph U-Net for network graphs, parameter vectors for evolution, and
 * policies saved to and loaded from a versioned text file.
 *
 * Numbers are double: the networks are small (10^3 to 10^5 weights), so
 * double costs about 2x in BLAS time and nothing else, and it
 * keeps finite-difference gradient checks, Polyak averaging and long Adam
 * runs free of float round-off (a central difference in float has about 3
 * good digits, in double about 8).
 *
 * Threads. A network, a learner, a rollout and an Adam handle are used by
 * one thread at a time; different handles may run in different threads at
 * once (one agent per thread). The replay buffer is the one shared object:
 * any number of threads may add to it while a learner samples from it.
 * Creating the first network sets OpenBLAS to one thread, process-wide
 * (openblas_set_num_threads(1)): parallelism comes from running agents and
 * evaluators in threads, one BLAS thread each, and one-threaded OpenBLAS
 * gives bitwise the same results on every run.
 *
 * Randomness. Initialisation, perturbation and action sampling take the
 * caller's gsl_rng (the algorithm handle's); a learner owns a gsl_rng seeded
 * from the seed given at creation (minibatch shuffles, replay sampling). The
 * same seeds and the same calls give bitwise the same numbers.
 *
 * Layout of a network's output row (one row per sample of a batch): the
 * logits of every categorical head, head after head, then n_values scalar
 * outputs (a value head, or a critic's value). A Q-network for the soft
 * actor-critic learner has the same heads as its actor; its "logits" are the
 * Q-values of each head's actions.
 *
 * Masks are uint8 rows of n_logits entries (1 = allowed). A head whose mask
 * allows nothing in a row is inactive in that row: acting gives it action -1
 * and the losses skip it. An action of -1 always means "this head did not
 * act" (autoregressive decoding: one head acts per step, the caller feeds
 * the previous choices in the observation). */
#ifndef PESIM_RL_H
#define PESIM_RL_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- networks */

typedef struct pesim_rl_net pesim_rl_net; /* opaque: an MLP or a Graph U-Net */

typedef enum pesim_rl_net_kind { PESIM_RL_MLP = 0, PESIM_RL_GNN } pesim_rl_net_kind;
typedef enum pesim_rl_act { PESIM_RL_TANH = 0, PESIM_RL_RELU } pesim_rl_act;

#define PESIM_RL_MAX_HIDDEN 16   /* hidden layers of an MLP */
#define PESIM_RL_MAX_DECISIONS 8 /* decisions per node of a GNN */

/* An MLP: in_dim inputs, n_hidden fully connected layers with activation
 * `act`, then one linear output layer with every head's logits and
 * n_values value outputs. Initialisation: weights N(0, g^2 / fan_in) with
 * g = 1 (tanh) or sqrt(2) (ReLU) for hidden layers, g = head_gain for the
 * logit rows (0 means 0.01: a near-uniform first policy), g = 1 for the
 * value rows; biases 0. */
typedef struct pesim_rl_mlp_config {
    int32_t in_dim;                       /* >= 1 */
    int32_t n_hidden;                     /* 0..PESIM_RL_MAX_HIDDEN */
    int32_t hidden[PESIM_RL_MAX_HIDDEN];  /* widths, >= 1 */
    pesim_rl_act act;
    int32_t n_heads;                      /* >= 0 */
    const int32_t *head_sizes;            /* n_heads entries, >= 1 each (copied) */
    int32_t n_values;                     /* >= 0; n_heads + n_values >= 1 */
    double head_gain;
} pesim_rl_mlp_config;

/* A Graph U-Net (Gao & Ji, ICML 2019) over a graph given by
 * pesim_rl_net_set_graph: a graph convolution on the input node features,
 * `depth` levels of top-k pooling (keep ceil(ratio * n) nodes by a learned
 * projection score, gate them by tanh(score), connect the kept nodes that
 * were within two hops) each followed by a convolution, then as many
 * unpooling levels (scatter back to the kept positions, add the skip
 * connection of that level, convolve), all `hidden` wide; then per node one
 * categorical head per decision (a linear layer on the node's embedding),
 * and n_values graph-level outputs from the mean of the node embeddings.
 * Convolution: H' = act(A_hat H W^T + H R^T + b), A_hat = D^-1/2 (A + 2I)
 * D^-1/2 with A the undirected graph and D the degrees of A + 2I (the
 * "improved" GCN of Graph U-Net implementations); R, a separate weight for
 * a node's own features (GraphConv/GraphSAGE's root weight), only with
 * root_weight = 1: without it a node is averaged with its neighbours, and
 * nodes with alike neighbourhoods but different features get nearly the
 * same embedding (docs/rl.md gives the measurement). The weights do not
 * depend on the number of nodes, so a GNN trained on one network runs on
 * another. Initialisation as for the MLP (W and R share the variance);
 * pooling projections N(0, 1/hidden). */
typedef struct pesim_rl_gnn_config {
    int32_t in_features;                  /* >= 1, per node */
    int32_t hidden;                       /* >= 1 */
    int32_t depth;                        /* pooling levels, 0..8 */
    double ratio;                         /* kept fraction per pooling, (0, 1] */
    pesim_rl_act act;
    int32_t n_decisions;                  /* heads per node, 0..PESIM_RL_MAX_DECISIONS */
    int32_t decision_sizes[PESIM_RL_MAX_DECISIONS]; /* actions of each decision, >= 1 */
    int32_t n_values;                     /* >= 0; n_decisions + n_values >= 1 */
    double head_gain;
    int root_weight;                      /* 1: convolutions have a root weight R */
} pesim_rl_gnn_config;

/* EGRL's settings (papers.md): hidden 128, depth 3, ratio 0.5, ReLU, root
 * weight on, head_gain 0.01; in_features, decisions and values are 0 (the
 * caller sets them). */
void pesim_rl_gnn_config_default(pesim_rl_gnn_config *cfg);

/* The shape of a network's input and output rows. For a GNN, heads are
 * node-major (node 0's decisions, then node 1's, ...) and in_dim is
 * n_nodes * in_features (node-major features); both follow the graph set. */
typedef struct pesim_rl_layout {
    int32_t in_dim;
    int32_t n_heads;
    const int32_t *head_size;    /* n_heads */
    const int32_t *head_offset;  /* n_heads: the first logit of each head in a row */
    int32_t n_logits;            /* sum of head sizes */
    int32_t n_values;
    int32_t out_dim;             /* n_logits + n_values */
} pesim_rl_layout;

/* Creates a network with weights drawn from rng. The config is checked
 * (PESIM_ERR_RANGE naming the field). */
pesim_status pesim_rl_mlp_create(const pesim_rl_mlp_config *cfg, gsl_rng *rng, pesim_rl_net **out,
                                 pesim_error *e);
pesim_status pesim_rl_gnn_create(const pesim_rl_gnn_config *cfg, gsl_rng *rng, pesim_rl_net **out,
                                 pesim_error *e);
/* A deep copy (weights, gradients, graph), for target networks and
 * population members. */
pesim_status pesim_rl_net_clone(const pesim_rl_net *src, pesim_rl_net **out, pesim_error *e);
void pesim_rl_net_destroy(pesim_rl_net *n); /* NULL is a no-op */

pesim_rl_net_kind pesim_rl_net_kind_of(const pesim_rl_net *n);
/* The config the network was made with (head_sizes points into the net). */
const pesim_rl_mlp_config *pesim_rl_net_mlp_config(const pesim_rl_net *n); /* NULL for a GNN */
const pesim_rl_gnn_config *pesim_rl_net_gnn_config(const pesim_rl_net *n); /* NULL for an MLP */

/* GNN only: the graph the network works on: n_nodes >= 1, edges
 * (src[i], dst[i]) in [0, n_nodes), taken as undirected; self loops and
 * duplicates are ignored. Changes the layout (valid until the next call). */
pesim_status pesim_rl_net_set_graph(pesim_rl_net *n, int32_t n_nodes, int64_t n_edges, const int32_t *src,
                                    const int32_t *dst, pesim_error *e);

/* The current layout; an MLP's never changes, a GNN's has no heads and
 * in_dim 0 until a graph is set. The pointer lives as long as the net. */
const pesim_rl_layout *pesim_rl_net_layout(const pesim_rl_net *n);

/* out[batch x out_dim] = the network on x[batch x in_dim]. Keeps what
 * backward needs (the last forward only). A GNN computes each distinct
 * input row once: consecutive equal rows share one forward. Errors: no
 * graph (GNN), out of memory. */
pesim_status pesim_rl_net_forward(pesim_rl_net *n, const double *x, int32_t batch, double *out,
                                  pesim_error *e);
/* Adds d(loss)/d(params) to the gradient, given dout[batch x out_dim] =
 * d(loss)/d(out) for the batch of the last forward. */
pesim_status pesim_rl_net_backward(pesim_rl_net *n, const double *dout, pesim_error *e);
void pesim_rl_net_zero_grad(pesim_rl_net *n);

/* ---------------------------------------------- parameters as flat arrays */

/* Every weight and bias of a network lives in one array, tensor after
 * tensor (pesim_rl_net_tensor), and its gradient in another of the same
 * length, so optimisers and evolution work on flat vectors. The pointers
 * live as long as the net; writing the parameters is allowed. */
int64_t pesim_rl_net_n_params(const pesim_rl_net *n);
double *pesim_rl_net_params(pesim_rl_net *n);
double *pesim_rl_net_grads(pesim_rl_net *n);
void pesim_rl_net_get_params(const pesim_rl_net *n, double *dst); /* n_params values */
void pesim_rl_net_set_params(pesim_rl_net *n, const double *src);

/* One named tensor of the parameter array: rows x cols values at offset
 * (a weight matrix is out x in, row-major; a bias is 1 x out). For
 * crossover by rows (neurons), as evolutionary RL does. */
typedef struct pesim_rl_tensor {
    const char *name;            /* "fc0.w", "fc0.b", "out.w", "down0.w", "down0.r", "pool1.p", "up0.b",
                                  * "head.w", "value.w", ... */
    int32_t rows, cols;
    int64_t offset;
} pesim_rl_tensor;
int32_t pesim_rl_net_n_tensors(const pesim_rl_net *n);
pesim_rl_tensor pesim_rl_net_tensor(const pesim_rl_net *n, int32_t i);

/* dst = src (same architecture: PESIM_ERR_INVALID otherwise). */
pesim_status pesim_rl_net_copy_params(pesim_rl_net *dst, const pesim_rl_net *src, pesim_error *e);
/* Polyak averaging: dst = tau * src + (1 - tau) * dst, tau in [0, 1]. */
pesim_status pesim_rl_net_polyak(pesim_rl_net *dst, const pesim_rl_net *src, double tau, pesim_error *e);

/* Mutation of a flat vector: each entry, with probability `fraction`, gets
 * Gaussian noise: x += N(0, sigma^2) (relative = 0), or
 * x += N(0, (sigma * |x|)^2) (relative = 1, the scale-free form evolutionary
 * RL uses on weights). Returns the number of entries changed. */
int64_t pesim_rl_perturb(double *x, int64_t n, gsl_rng *rng, double fraction, double sigma, int relative);

/* ------------------------------------------------------ categorical heads */

/* p[0..n) = softmax(z / temperature) over the allowed entries (mask NULL:
 * all); masked entries get 0. temperature > 0. Returns the number of allowed
 * entries (0: p is all zero). */
int32_t pesim_rl_softmax(const double *z, const uint8_t *mask, int32_t n, double temperature, double *p);
/* An index drawn from p[0..n) (a distribution: sums to 1); -1 if all zero. */
int32_t pesim_rl_sample_index(const double *p, int32_t n, gsl_rng *rng);

typedef enum pesim_rl_pick { PESIM_RL_SAMPLE = 0, PESIM_RL_GREEDY } pesim_rl_pick;

/* Actions for a batch of network outputs out[batch x out_dim]: per row and
 * head a draw from the masked softmax (or its argmax, the lowest index on a
 * tie), -1 for an inactive head. actions[batch x n_heads]; logp[batch] (may
 * be NULL) gets the log-probability of the row's joint action (the sum over
 * active heads). */
void pesim_rl_heads_pick(const pesim_rl_layout *L, const double *out, const uint8_t *mask, int32_t batch,
                         pesim_rl_pick pick, gsl_rng *rng, int32_t *actions, double *logp);
/* Forward + pick, on obs[batch x in_dim]. out_buf may be NULL (allocated
 * and freed inside) or batch x out_dim doubles (left holding the outputs). */
pesim_status pesim_rl_net_act(pesim_rl_net *n, const double *obs, const uint8_t *mask, int32_t batch,
                              pesim_rl_pick pick, gsl_rng *rng, int32_t *actions, double *logp,
                              double *out_buf, pesim_error *e);
/* logp[b] = log pi(actions[b] | row b) summed over the heads that acted;
 * entropy[b] (may be NULL) = the sum of the active heads' entropies.
 * PESIM_ERR_INVALID if an action is out of range or masked. */
pesim_status pesim_rl_heads_logp(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                                 const int32_t *actions, int32_t batch, double *logp, double *entropy,
                                 pesim_error *e);

/* ----------------------------------------------------------------- losses */

/* Each loss returns its value and adds its gradient with respect to the
 * network output to dout[batch x out_dim] (so losses on the logits and on
 * the value outputs of one network add up before one backward). Means are
 * over the batch; sums over heads are over the heads that acted in a row
 * (action != -1), or for the SAC actor loss, which takes no actions, over
 * the heads whose mask allows an action. */

/* Policy loss of one batch (adv[batch]: advantages):
 * - logp_old == NULL: REINFORCE/A2C, L = -mean_b adv_b * logp_b;
 * - else PPO-clip, r_b = exp(logp_b - logp_old_b),
 *   L = -mean_b min(r_b adv_b, clip(r_b, 1 - clip, 1 + clip) adv_b);
 * minus entropy_coef * mean_b H_b (entropy regularisation). *stats (may be
 * NULL) gets mean entropy, approximate KL mean(logp_old - logp) and the
 * fraction of clipped rows. */
typedef struct pesim_rl_pg_loss_stats {
    double entropy, approx_kl, clip_fraction;
} pesim_rl_pg_loss_stats;
double pesim_rl_loss_policy(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                            const int32_t *actions, const double *adv, const double *logp_old, double clip,
                            double entropy_coef, int32_t batch, double *dout, pesim_rl_pg_loss_stats *stats);
/* Value loss: L = coef * mean_b 0.5 (v_b - target_b)^2 on value output
 * `index` (0..n_values-1). */
double pesim_rl_loss_value(const pesim_rl_layout *L, const double *out, int32_t index, const double *target,
                           double coef, int32_t batch, double *dout);
/* Discrete soft actor-critic, actor: with pi = the masked softmax of each
 * head of `out` and Qmin = min(q1, q2) (Q-network outputs: rows of the
 * same out_dim, heads at the same offsets),
 * L = mean_b sum_heads sum_a pi(a) (alpha log pi(a) - Qmin(a)). q1, q2 are
 * constants here (no gradient flows to them). */
double pesim_rl_loss_sac_actor(const pesim_rl_layout *L, const double *out, const uint8_t *mask,
                               const double *q1, const double *q2, double alpha, int32_t batch, double *dout);
/* Discrete soft actor-critic, one critic: L = mean over (row, active head)
 * of 0.5 (Q_head(a_head) - target_row)^2. */
double pesim_rl_loss_sac_critic(const pesim_rl_layout *L, const double *q, const int32_t *actions,
                                const double *target, int32_t batch, double *dq);
/* Discrete soft actor-critic, one additive critic: the joint action's Q is
 * the sum of the active heads' Q at their actions, Q(a) = sum_h Q_h(a_h),
 * and L = mean over rows with an active head of 0.5 (Q(a) - target_row)^2
 * (value decomposition: each head's term is its share of the joint value,
 * fitted with the other heads' actions accounted for). */
double pesim_rl_loss_sac_critic_sum(const pesim_rl_layout *L, const double *q, const int32_t *actions,
                                    const double *target, int32_t batch, double *dq);

/* ------------------------------------------------------------- optimiser */

typedef struct pesim_rl_adam pesim_rl_adam; /* opaque */
typedef struct pesim_rl_adam_config {
    double lr;                 /* step size (0 means 3e-4) */
    double beta1, beta2, eps;  /* 0 means 0.9, 0.999, 1e-8 */
    double weight_decay;       /* decoupled (AdamW), 0 = none */
} pesim_rl_adam_config;

/* Adam (Kingma & Ba 2015, bias-corrected) over a flat vector of n values:
 * a network's parameters, or anything else (DAS's logits). */
pesim_status pesim_rl_adam_create(int64_t n, const pesim_rl_adam_config *cfg, pesim_rl_adam **out,
                                  pesim_error *e);
void pesim_rl_adam_destroy(pesim_rl_adam *a);
/* One step: x -= lr * mhat / (sqrt(vhat) + eps) (+ lr * weight_decay * x).
 * x and grad (the optimiser's n values each) must not overlap. */
void pesim_rl_adam_step(pesim_rl_adam *a, double *x, const double *grad);
void pesim_rl_adam_set_lr(pesim_rl_adam *a, double lr);
/* Forgets the moments and the step count. */
void pesim_rl_adam_reset(pesim_rl_adam *a);
/* Global-norm clipping: scales g so that its L2 norm is at most max_norm
 * (max_norm <= 0: no clipping). Returns the norm before clipping. */
double pesim_rl_clip_grad_norm(double *g, int64_t n, double max_norm);
/* One learner step of net by a (made for net's n_params values): its
 * gradient clipped to L2 norm max_norm (<= 0: none), an Adam step on its
 * parameters, and its gradient left zero, in one pass. Returns the norm
 * before clipping. The same bits as pesim_rl_clip_grad_norm then
 * pesim_rl_adam_step, then pesim_rl_net_zero_grad. */
double pesim_rl_net_adam_step(pesim_rl_net *net, pesim_rl_adam *a, double max_norm);

/* ------------------------------------------- on-policy rollouts and learners */

typedef struct pesim_rl_rollout pesim_rl_rollout; /* opaque, growable */

/* A rollout of transitions in time order. obs rows have obs_dim values;
 * critic_obs rows critic_dim values (0: the critic sees obs: a value head,
 * or a critic on the same input); masks n_logits bytes (0: no masks). A
 * centralised critic sees a concatenation of several agents' observations
 * and choices: give it as critic_obs. Its baseline stays unbiased as long
 * as it does not see the acting agent's own action of that transition. */
pesim_status pesim_rl_rollout_create(int32_t obs_dim, int32_t critic_dim, int32_t n_heads, int32_t n_logits,
                                     pesim_rl_rollout **out, pesim_error *e);
void pesim_rl_rollout_destroy(pesim_rl_rollout *r);
/* Appends one transition (copied): done = 1 if the episode ended with it
 * (a one-step episode, a finished decode). critic_obs (critic_dim > 0) and
 * mask (n_logits > 0) are required when the rollout has them. */
pesim_status pesim_rl_rollout_add(pesim_rl_rollout *r, const double *obs, const double *critic_obs,
                                  const uint8_t *mask, const int32_t *actions, double reward, int done,
                                  pesim_error *e);
/* The critic input of the state after the last transition, when that one
 * is not done (a rollout cut mid-episode: A2C and PPO bootstrap from it). */
pesim_status pesim_rl_rollout_set_bootstrap(pesim_rl_rollout *r, const double *critic_obs, pesim_error *e);
void pesim_rl_rollout_clear(pesim_rl_rollout *r);
int32_t pesim_rl_rollout_size(const pesim_rl_rollout *r);

typedef enum pesim_rl_pg_kind { PESIM_RL_REINFORCE = 0, PESIM_RL_A2C, PESIM_RL_PPO } pesim_rl_pg_kind;

typedef struct pesim_rl_pg_config {
    pesim_rl_pg_kind kind;
    double lr;                 /* actor's Adam step size */
    double critic_lr;          /* separate critic's Adam step size */
    double gamma;              /* discount, [0, 1] */
    double gae_lambda;         /* A2C, PPO: GAE lambda, [0, 1] */
    double entropy_coef;       /* >= 0 */
    double value_coef;         /* weight of the value loss on a value head, > 0 */
    double max_grad_norm;      /* global-norm clipping per network, 0 = none */
    double clip;               /* PPO: epsilon, > 0 */
    int32_t epochs;            /* PPO: passes over the rollout, >= 1 */
    int32_t minibatch;         /* PPO: rows per minibatch, 0 = the whole rollout */
    int normalize_advantages;  /* 1: advantages to zero mean, unit deviation per update */
} pesim_rl_pg_config;

/* Defaults per kind (docs/rl.md): lr 3e-4, critic_lr 1e-3, gamma 0.99,
 * entropy 0.01, value_coef 0.5, max_grad_norm 0.5; A2C lambda 1;
 * PPO lambda 0.95, clip 0.2, epochs 4, minibatch 64, normalized advantages. */
void pesim_rl_pg_config_default(pesim_rl_pg_kind kind, pesim_rl_pg_config *cfg);

typedef struct pesim_rl_pg pesim_rl_pg; /* opaque */

/* A learner for `actor` (heads: the policy) with the baseline/critic
 * `critic` (value output 0), or critic == NULL: the actor's own value
 * output 0 (a value head sharing the trunk; trained with value_coef). The
 * learner borrows the networks (they must outlive it and not be trained by
 * another learner at the same time) and owns its Adam states and a gsl_rng
 * seeded from seed. */
pesim_status pesim_rl_pg_create(const pesim_rl_pg_config *cfg, pesim_rl_net *actor, pesim_rl_net *critic,
                                uint64_t seed, pesim_rl_pg **out, pesim_error *e);
void pesim_rl_pg_destroy(pesim_rl_pg *pg);

typedef struct pesim_rl_update_stats {
    int32_t n;                 /* transitions used */
    double policy_loss, value_loss, entropy, approx_kl, clip_fraction;
    double grad_norm;          /* actor's, before clipping (last step) */
    double mean_return;        /* mean of the returns (value targets) */
} pesim_rl_update_stats;

/* Learns from an on-policy rollout (made by the actor's current weights):
 * - REINFORCE: returns G_t (Monte Carlo; every episode must be complete),
 *   advantage G_t - V(s_t), one gradient step on each network;
 * - A2C: GAE(gamma, lambda) advantages bootstrapped from V (and the
 *   bootstrap state of a cut rollout), one step on each network;
 * - PPO: the same advantages, then `epochs` passes over shuffled
 *   minibatches of the clipped surrogate.
 * Value targets: advantage + V(s_t). stats may be NULL. The rollout is left
 * as it was (clear it to collect the next). */
pesim_status pesim_rl_pg_update(pesim_rl_pg *pg, const pesim_rl_rollout *r, pesim_rl_update_stats *stats,
                                pesim_error *e);

/* -------------------------------------------------- replay and soft actor-critic */

typedef struct pesim_rl_replay pesim_rl_replay; /* opaque, thread-safe */

/* A ring buffer of transitions (obs, mask, actions, reward, next_obs,
 * next_mask, done) that keeps the last `capacity`. obs_dim may be 0 for an
 * environment whose state never changes (EGRL places one network): the
 * learner then uses the observation given by pesim_rl_sac_set_fixed_obs.
 * n_logits 0: no masks stored. Any number of threads may add while one
 * samples; the order of concurrent adds is the order the mutex grants, so a
 * run that must be reproducible adds in a fixed order. */
pesim_status pesim_rl_replay_create(int32_t obs_dim, int32_t n_heads, int32_t n_logits, int64_t capacity,
                                    pesim_rl_replay **out, pesim_error *e);
void pesim_rl_replay_destroy(pesim_rl_replay *rb);
/* Copies one transition in. next_obs / next_mask may be NULL when done
 * (stored as zeros / all allowed). Thread-safe. */
pesim_status pesim_rl_replay_add(pesim_rl_replay *rb, const double *obs, const uint8_t *mask,
                                 const int32_t *actions, double reward, const double *next_obs,
                                 const uint8_t *next_mask, int done, pesim_error *e);
/* n transitions drawn with replacement with rng by the replay's sampling
 * (uniform unless pesim_rl_replay_set_sampling says otherwise), copied out
 * under the lock (thread-safe); any output may be NULL. Rows as stored:
 * obs/next_obs n x obs_dim, mask/next_mask n x n_logits, actions n x
 * n_heads. PESIM_ERR_INVALID when the buffer is empty. */
pesim_status pesim_rl_replay_sample(pesim_rl_replay *rb, gsl_rng *rng, int32_t n, double *obs, uint8_t *mask,
                                    int32_t *actions, double *reward, double *next_obs, uint8_t *next_mask,
                                    uint8_t *done, pesim_error *e);
/* How pesim_rl_replay_sample draws (pesim_rl_replay_set_sampling):
 *   UNIFORM  every row held equally likely (the default);
 *   RANK     prioritised replay by reward rank (Schaul et al., ICLR 2016,
 *            rank-based): the rows sorted by reward, best first (equal
 *            rewards: the older row first), rank k (1-based) of N drawn with
 *            P(k) = k^-alpha / sum_j j^-alpha, one gsl_rng_uniform per row,
 *            and its importance-sampling weight (N P(k))^-beta over the
 *            largest such weight (rank N's), i.e. (k / N)^(alpha beta), in
 *            (0, 1]. alpha 0 is uniform by rank (weights all 1). */
typedef enum pesim_rl_replay_sampling {
    PESIM_RL_REPLAY_UNIFORM = 0,
    PESIM_RL_REPLAY_RANK = 1
} pesim_rl_replay_sampling;
/* Sets the replay's sampling (alpha >= 0 and beta in [0, 1] used by RANK
 * only; PESIM_ERR_RANGE otherwise). Thread-safe. */
pesim_status pesim_rl_replay_set_sampling(pesim_rl_replay *rb, pesim_rl_replay_sampling sampling, double alpha,
                                          double beta, pesim_error *e);
/* pesim_rl_replay_sample with each row's importance-sampling weight in
 * weight (n values, may be NULL; all 1 under UNIFORM). UNIFORM draws
 * exactly as pesim_rl_replay_sample always did (gsl_rng_uniform_int per
 * row). */
pesim_status pesim_rl_replay_sample_weighted(pesim_rl_replay *rb, gsl_rng *rng, int32_t n, double *obs,
                                             uint8_t *mask, int32_t *actions, double *reward, double *next_obs,
                                             uint8_t *next_mask, uint8_t *done, double *weight, pesim_error *e);
int64_t pesim_rl_replay_size(pesim_rl_replay *rb);      /* held now; thread-safe */
int64_t pesim_rl_replay_n_added(pesim_rl_replay *rb);   /* ever added; thread-safe */

/* The critic of a factored action (docs/rl.md "Discrete soft actor-critic"):
 *   SUM       Q(s, a) = sum over the active heads of Q_h(s, a_h): the sum
 *             regresses the target (pesim_rl_loss_sac_critic_sum) and the
 *             next state's soft value is the sum of the heads' (the joint
 *             entropy of independent heads is the sum of theirs). Each
 *             head's term is fitted with the other heads' actions accounted
 *             for, so replayed data of other policies does not bias it.
 *   PER_HEAD  each head's Q_h(s, a_h) regresses the target alone
 *             (pesim_rl_loss_sac_critic) and the next state's value is the
 *             mean of the heads' soft values: Q_h becomes the reward's mean
 *             given a_h under the replay's mix of the OTHER heads' actions,
 *             which depends on the policies that filled the replay.
 *   JOINT     the critics see the joint action (COMA's critic, Foerster et
 *             al., AAAI 2018): their input is the actor's observation with
 *             every head's action as a one-hot (pesim_rl_joint_critic_input),
 *             and head h's outputs of the input with h's own action blanked
 *             are the counterfactual Q(s, a_-h, j) of each of h's actions j
 *             given the other heads' actions. A critic step pairs each
 *             transition with one of its active heads, drawn uniformly, and
 *             regresses Q(s, a_-h, a_h) on the target; an actor step pairs
 *             each row with a joint action drawn from the actor and one
 *             head, and takes pesim_rl_loss_sac_actor on that head with
 *             min(Q1, Q2)(s, a_-h, .). Cost per step: `batch` distinct
 *             critic inputs, whatever the number of heads. The critics'
 *             input is wider than the actor's (pesim_rl_joint_critic_extra);
 *             their heads are the actor's. */
typedef enum pesim_rl_sac_critic {
    PESIM_RL_SAC_SUM = 0,
    PESIM_RL_SAC_PER_HEAD = 1,
    PESIM_RL_SAC_JOINT = 2
} pesim_rl_sac_critic;

/* The joint critic's input for an actor: a GNN actor's critic has
 * in_features + extra features per node (extra = the sum of its decisions'
 * sizes); an MLP actor's has in_dim + extra inputs (extra = n_logits).
 * Returns extra (0 for a GNN without a graph). */
int32_t pesim_rl_joint_critic_extra(const pesim_rl_net *actor);
/* x = the joint critic's input row for the actor's observation obs (in_dim
 * values) and actions (n_heads, -1: none): a GNN's node v gets its features
 * then, per decision d, the one-hot of head v * n_decisions + d's action; an
 * MLP's row is obs then the one-hot of every head's action (head after
 * head, as the logits). Head `blank` (-1: none) and inactive heads get all
 * zeros. x has in_dim + n_nodes * extra (GNN) or in_dim + extra (MLP)
 * values. */
void pesim_rl_joint_critic_input(const pesim_rl_net *actor, const double *obs, const int32_t *actions,
                                 int32_t blank, double *x);

typedef struct pesim_rl_sac_config {
    double lr;                 /* actor's Adam step size */
    double critic_lr;
    double gamma;              /* discount (irrelevant for one-step episodes) */
    double alpha;              /* fixed entropy coefficient, >= 0 */
    double tau;                /* Polyak factor of the target critics, (0, 1] */
    int32_t batch;             /* transitions per gradient step, >= 1 */
    double max_grad_norm;      /* 0 = none */
    pesim_rl_sac_critic critic; /* how the heads' Q-values make the joint action's */
} pesim_rl_sac_config;
/* lr 3e-4, critic_lr 3e-4, gamma 0.99, alpha 0.05 (EGRL's), tau 0.005,
 * batch 64, max_grad_norm 10, critic PESIM_RL_SAC_SUM. */
void pesim_rl_sac_config_default(pesim_rl_sac_config *cfg);

typedef struct pesim_rl_sac pesim_rl_sac; /* opaque */

/* Discrete soft actor-critic (Christodoulou 2019) for factored actions:
 * twin Q-networks q1, q2 with the actor's heads (their outputs are the
 * Q-values of each head's actions), target copies made here and Polyak-
 * averaged, a fixed entropy coefficient. Networks are borrowed as in
 * pesim_rl_pg_create. A JOINT critic's input is the joint critic input
 * (checked at the first update). */
pesim_status pesim_rl_sac_create(const pesim_rl_sac_config *cfg, pesim_rl_net *actor, pesim_rl_net *q1,
                                 pesim_rl_net *q2, uint64_t seed, pesim_rl_sac **out, pesim_error *e);
void pesim_rl_sac_destroy(pesim_rl_sac *s);
/* The observation of every transition of a replay with obs_dim 0 (copied;
 * in_dim values of the actor). */
pesim_status pesim_rl_sac_set_fixed_obs(pesim_rl_sac *s, const double *obs, pesim_error *e);

typedef struct pesim_rl_sac_stats {
    double critic_loss;        /* mean of the two critics' losses */
    double actor_loss, entropy;
    double mean_target;
} pesim_rl_sac_stats;

/* n_steps gradient steps, each on `batch` transitions drawn (with
 * replacement, by the replay's sampling: uniform unless set otherwise)
 * from the replay with the learner's rng: both critics
 * towards y = r + gamma (1 - done) V'(s'), V'(s') the sum (SUM critic) or
 * the mean (PER_HEAD) over the active heads of
 * sum_a pi(a|s') (min(Q1', Q2')(s', a) - alpha log pi(a|s')) (target
 * critics; JOINT: sum_a pi_h(a|s') min(Q1', Q2')(s', a'_-h, a) for one
 * joint action a' drawn from pi(s') and one head h, plus alpha times the
 * heads' entropies), then the actor on pesim_rl_loss_sac_actor with the
 * current critics, then the Polyak update of the targets. Each row's
 * error in the critics' gradient is scaled by its importance-sampling
 * weight (RANK sampling; 1 under UNIFORM); the actor's loss is not (its
 * rows do not depend on the replay's actions). PESIM_ERR_INVALID if the
 * replay is empty or its shapes do not match the networks. stats may be
 * NULL (it gets the last step's). */
pesim_status pesim_rl_sac_update(pesim_rl_sac *s, pesim_rl_replay *rb, int32_t n_steps, pesim_rl_sac_stats *stats,
                                 pesim_error *e);
/* CEM-RL's gradient steps on a population member (Pourchot and Sigaud,
 * ICLR 2019): n_steps Adam steps of `actor` (any network with the
 * learner's heads; it may be the learner's own) on pesim_rl_loss_sac_actor
 * against the learner's current twin critics, at the fixed observation
 * (pesim_rl_sac_set_fixed_obs; one row: the loss does not depend on the
 * replay when the state never changes), with the learner's alpha, actor
 * step size and gradient clip and a fresh Adam state each call (the
 * learner's own is untouched). mask: n_logits bytes of allowed actions
 * (NULL: all). Changes only actor's weights (its gradient is left zero);
 * the critics and the learner are as they were, and nothing is drawn.
 * PESIM_ERR_INVALID for a JOINT critic (its Q depends on the other heads'
 * actions), without a fixed observation, or for an actor whose heads
 * differ from the learner's; PESIM_ERR_NOMEM. */
pesim_status pesim_rl_sac_actor_steps(pesim_rl_sac *s, pesim_rl_net *actor, const uint8_t *mask, int32_t n_steps,
                                      pesim_error *e);
/* The critics' value of n joint actions (a diagnostic: how well the critics
 * rank actions; docs/rl.md): q[i] = min(Q1(s_i, a_i), Q2(s_i, a_i)), each
 * critic's Q of a joint action as its loss trains it: SUM the sum over the
 * active heads of Q_h(s, a_h); PER_HEAD their mean; JOINT the mean over the
 * active heads h of Q(s, a_-h, a_h) (h's output at its own action with h
 * blanked from the input). obs: n rows of the actor's in_dim, or NULL for
 * the fixed observation (pesim_rl_sac_set_fixed_obs); actions: n rows of
 * n_heads (-1: inactive). A row without an active head gets 0. Changes
 * nothing the learner uses (its own scratch; no random draws), so calling
 * it between updates leaves a run as it was. PESIM_ERR_INVALID if obs is
 * NULL and no fixed observation was given, or an action is outside its
 * head; PESIM_ERR_NOMEM. */
pesim_status pesim_rl_sac_q(pesim_rl_sac *s, const double *obs, const int32_t *actions, int32_t n, double *q,
                            pesim_error *e);

/* ------------------------------------------------------------ save/load */

/* Writes a network (architecture + weights; not the graph, not gradients)
 * as a "pesim-rl-net 1" text file (docs/rl.md): portable, every weight
 * printed with 17 significant digits so it reads back bit-exact. */
pesim_status pesim_rl_net_save(const pesim_rl_net *n, const char *path, pesim_error *e);
/* Creates the network a file describes, with its weights. */
pesim_status pesim_rl_net_load(const char *path, pesim_rl_net **out, pesim_error *e);

typedef enum pesim_rl_load_mode {
    PESIM_RL_LOAD_STRICT = 0,  /* the architectures must be identical */
    PESIM_RL_LOAD_ADAPT        /* transfer: copy what corresponds (docs/rl.md) */
} pesim_rl_load_mode;
/* Loads a file's weights into an existing network. STRICT: any difference
 * of kind, sizes or activation is PESIM_ERR_INVALID naming the file, line,
 * key and both values, and the net is untouched. ADAPT: the kind, the
 * activation and the hidden layers (MLP: widths; GNN: hidden, depth, root_weight) must
 * match; where input or head sizes differ, the overlapping block is copied
 * (input columns 0..min-1; heads / decisions by index, actions
 * 0..min-1; value outputs by index) and the rest keeps the net's own
 * weights. */
pesim_status pesim_rl_net_load_into(pesim_rl_net *n, const char *path, pesim_rl_load_mode mode, pesim_error *e);

#ifdef __cplusplus
}
#endif
#endif
