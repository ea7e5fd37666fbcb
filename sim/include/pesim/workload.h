/* pesim/workload.h - layers and networks (plain data, no I/O).
 *
 * A layer is a loop nest over eight dims. The design card's seven (N, K, C, P, Q,
 * R, S) plus G, the group index, so that grouped and depthwise convolutions and
 * batched matmuls are expressed without special cases:
 *
 *   for g < G, n < N, k < K, c < C, p < P, q < Q, r < R, s < S:
 *     O[g][n][k][p][q] += W[g][k][c][r][s] *
 *                         I[g][n][c][p*stride_h + r*dilation_h][q*stride_w + s*dilation_w]
 *
 * K and C are per group (a depthwise conv over 32 channels has G = 32, K = C = 1).
 * The config format writes k and c as totals with `groups`; the loader divides.
 * A GEMM O[M][N] = A[M][K] x B[K][N] is P = M, K = N, C = K (B is the "weights").
 * A batched matmul (attention) puts the batch x heads in G, so both operands
 * depend on it.
 *
 * Layers without MACs run on the architecture's vector unit (docs/network.md):
 * pool, add, concat, act (an activation function on its own), softmax and
 * layernorm. Their dims describe the output (G, N, K, P, Q; R, S the pooling
 * window) and C is 1. Softmax and layernorm normalise over K (a row of K
 * values for every g, n, p, q); a layernorm has weights: its scale and shift,
 * 2 x K words. Any layer may also apply an activation function to its output
 * as it leaves (`act`, fused into the producer: costed on the vector unit, no
 * extra traffic); an act layer stores its function there too.
 *
 * Zero padding is materialised: input coordinates run over the padded input, so
 * h in [0, (P-1)*stride_h + (R-1)*dilation_h + 1). pad_h/pad_w are kept for the
 * network graph and for reporting (the producer's tensor is the unpadded one). */
#ifndef PESIM_WORKLOAD_H
#define PESIM_WORKLOAD_H

#include <stdint.h>
#include "pesim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PESIM_NAME_MAX 64
#define PESIM_SOURCE_MAX 256
#define PESIM_MAX_INPUTS 8

typedef enum pesim_dim {
    PESIM_DIM_G = 0, PESIM_DIM_N, PESIM_DIM_K, PESIM_DIM_C,
    PESIM_DIM_P, PESIM_DIM_Q, PESIM_DIM_R, PESIM_DIM_S,
    PESIM_NDIMS
} pesim_dim;

/* The three operand tensors of a MAC layer. */
typedef enum pesim_tensor {
    PESIM_WEIGHTS = 0, PESIM_INPUTS, PESIM_OUTPUTS, PESIM_NTENSORS
} pesim_tensor;

typedef enum pesim_op {
    PESIM_OP_CONV = 0,  /* convolution (grouped/depthwise via groups) */
    PESIM_OP_GEMM,      /* matrix multiply with a weight operand */
    PESIM_OP_MATMUL,    /* batched matmul of two activations (attention) */
    PESIM_OP_POOL,      /* max/avg pooling: no MACs (window R x S) */
    PESIM_OP_ADD,       /* elementwise add (residual): no MACs */
    PESIM_OP_CONCAT,    /* channel concatenation: no MACs (a copy, or free aliasing) */
    PESIM_OP_ACT,       /* an activation function on its own (the function in .act) */
    PESIM_OP_SOFTMAX,   /* softmax over K */
    PESIM_OP_LAYERNORM, /* layer normalisation over K, with 2 x K weights (scale, shift) */
    PESIM_OP_COUNT
} pesim_op;

/* Bounds that keep every count derived from a workload within 64 bits
 * (docs/config.md, "Bounds"): a layer's iterations (the product of its loop
 * bounds: its MACs for a MAC layer) and its input words, a network input's
 * words, and a network's MACs. */
#define PESIM_LAYER_ITERS_MAX (INT64_C(1) << 48)
#define PESIM_NETWORK_MACS_MAX (INT64_C(1) << 50)

/* Activation functions, fused into a layer's output or as an act layer. */
typedef enum pesim_act {
    PESIM_ACT_NONE = 0,
    PESIM_ACT_RELU,
    PESIM_ACT_RELU6,
    PESIM_ACT_GELU,
    PESIM_ACT_SIGMOID,
    PESIM_ACT_TANH,
    PESIM_ACT_SILU,
    PESIM_ACT_COUNT
} pesim_act;

/* Index used in pesim_layer.inputs for the network's external input. */
#define PESIM_NETWORK_INPUT (-1)

typedef struct pesim_layer {
    char name[PESIM_NAME_MAX];
    pesim_op op;
    int64_t dim[PESIM_NDIMS];       /* loop bounds, each >= 1; K, C per group */
    int32_t stride_h, stride_w;     /* >= 1 */
    int32_t dilation_h, dilation_w; /* >= 1 */
    int32_t pad_h, pad_w;           /* >= 0, zero padding on each side */
    int32_t n_inputs;               /* producers, in order */
    int32_t inputs[PESIM_MAX_INPUTS]; /* layer indices, or PESIM_NETWORK_INPUT */
    int32_t line;                   /* config line it came from (0 = none) */
    int32_t act;                    /* pesim_act applied to the output (act layers: their function) */
} pesim_layer;

/* A network: layers in topological order (every input index < own index). */
typedef struct pesim_network {
    char name[PESIM_NAME_MAX];
    char source[PESIM_SOURCE_MAX];  /* citation of the published shapes */
    int64_t input_n, input_c, input_h, input_w; /* the external input tensor */
    int32_t n_layers;
    pesim_layer *layers;            /* owned; freed by pesim_network_free */
} pesim_network;

/* Names: "G","N",... ; "weights","inputs","outputs"; "conv","gemm",... */
const char *pesim_dim_name(pesim_dim d);
const char *pesim_tensor_name(pesim_tensor t);
const char *pesim_op_name(pesim_op op);
/* Parse a name (case-insensitive for dims); returns -1 when unknown. */
int pesim_dim_parse(const char *s);
int pesim_tensor_parse(const char *s);
int pesim_op_parse(const char *s);
/* "none", "relu", "relu6", "gelu", "sigmoid", "tanh", "silu"; parse: -1 if unknown. */
const char *pesim_act_name(pesim_act a);
int pesim_act_parse(const char *s);

/* 1 if dim d indexes tensor t (for inputs P,R index h and Q,S index w). */
int pesim_dim_relevant(pesim_tensor t, pesim_dim d);

/* 1 if the layer performs MACs (conv, gemm, matmul). */
int pesim_layer_has_macs(const pesim_layer *l);

/* 1 if the layer has a weights tensor of its own: conv, gemm (the B operand)
 * and layernorm (scale and shift). A matmul's second operand is an activation. */
int pesim_layer_has_weights(const pesim_layer *l);

/* Words of the layer's own weights: G*K*C*R*S for conv and gemm, 2*G*K for
 * layernorm, 0 otherwise. */
int64_t pesim_layer_weight_words(const pesim_layer *l);

/* MACs of the layer (0 for the vector-unit layers). */
int64_t pesim_layer_macs(const pesim_layer *l);

/* Words of tensor t of a MAC layer: weights G*K*C*R*S; outputs G*N*K*P*Q;
 * inputs G*N*C*H*W where H and W count the distinct input rows/columns the
 * layer touches (padded coordinates; a 1x1 stride-2 conv touches P rows). */
int64_t pesim_layer_tensor_words(const pesim_layer *l, pesim_tensor t);

/* Output words of any layer (G*N*K*P*Q). */
int64_t pesim_layer_output_words(const pesim_layer *l);

/* Number of distinct values of a*stride + b*dilation for 0 <= a < A, 0 <= b < B:
 * the input rows touched by A output rows and B filter rows. 0 if A or B is 0. */
int64_t pesim_window_distinct(int64_t A, int64_t B, int64_t stride, int64_t dilation);

/* 1 when the layer's iterations and its input words (over the padded input
 * extents) are at most PESIM_LAYER_ITERS_MAX; bounds and strides must be >= 1. */
int pesim_layer_within_bounds(const pesim_layer *l);

/* Checks a layer's fields (bounds >= 1, strides, op). */
pesim_status pesim_layer_check(const pesim_layer *l, pesim_error *e);

/* Total MACs of a network. */
int64_t pesim_network_macs(const pesim_network *net);

/* Index of the layer called name, or -1. */
int32_t pesim_network_find(const pesim_network *net, const char *name);

/* Frees the layers array and zeroes the struct. NULL is a no-op. */
void pesim_network_free(pesim_network *net);

#ifdef __cplusplus
}
#endif
#endif
