#!/usr/bin/env python3
"""gen_workloads.py - generate pesim's workload configs (workloads/*.cfg).

Each network is described below in one compact table or function that follows
its paper's layer table, so the published structure can be reviewed in one
place; a small builder turns it into layers, deriving every output size from
the input size, kernel, stride and padding (and refusing shapes that do not
fit together). The output follows docs/config.md, section Workloads.

Usage:
  scripts/gen_workloads.py            write workloads/<name>.cfg for every network
  scripts/gen_workloads.py --out DIR  write them into DIR instead
  scripts/gen_workloads.py --check    validate every network against the config
                                      rules, print its exact MAC total next to the
                                      published figure, and check that the files in
                                      workloads/ are what this script generates;
                                      exits 1 if anything is wrong

Conventions (docs/workloads.md has the long version):
  - MACs counted: conv, gemm (fully connected) and matmul (attention) layers.
    Not counted as MACs: pooling, residual adds, activations, softmax, layer
    norm (they are layers of their own, run on the vector unit, docs/network.md),
    and batch norm, LRN, biases, embeddings (not modelled: folded into the
    convolutions or outside the network). Batch size 1.
  - Activation functions follow the reference implementations: fused into the
    layer that produces their input (`activation = "relu"`), except BERT's GELU,
    a layer of its own (type "act").
  - Output sizes use floor division (PyTorch's default), pads as in the
    reference implementations (torchvision, Caffe's bvlc_alexnet).
  - A gemm O[m][n_out] = A[m][k_red] x B[k_red][n_out] has B = the weights; a
    fully connected layer on one image is m = 1.

Python 3 standard library only.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME_MAX = 64      # PESIM_NAME_MAX (incl. NUL)
SOURCE_MAX = 256   # PESIM_SOURCE_MAX (incl. NUL)
MAX_INPUTS = 8     # PESIM_MAX_INPUTS


def out_size(size, r, stride, pad, dilation=1):
    """Output rows of a window r (dilated) sliding with stride over size + 2 pad."""
    span = size + 2 * pad - dilation * (r - 1) - 1
    if span < 0:
        raise ValueError("window %d does not fit input %d (pad %d)" % (r, size, pad))
    return span // stride + 1


class Net:
    """A network under construction. Layers are appended in topological order;
    shape[name] = (channels, rows, cols) of each tensor, "input" included."""

    def __init__(self, name, source, c, h, w, notes, published=None):
        self.name = name
        self.source = source
        self.input = (c, h, w)
        self.notes = notes          # header comment lines
        self.published = published  # (MACs, citation) or None
        self.layers = []            # dicts: name, type, inputs, keys (ordered pairs)
        self.shape = {"input": (c, h, w)}

    # -- builder --------------------------------------------------------------
    def _add(self, name, typ, inputs, keys, out_shape):
        if name in self.shape:
            raise ValueError("%s: duplicate layer name %s" % (self.name, name))
        for i in inputs:
            if i not in self.shape:
                raise ValueError("%s: %s reads %s, not defined earlier" % (self.name, name, i))
        self.layers.append({"name": name, "type": typ, "inputs": list(inputs), "keys": keys})
        self.shape[name] = out_shape
        return name

    def conv(self, name, src, k, r, stride=1, pad=0, groups=1, dilation=1, act=None):
        c, h, w = self.shape[src]
        p = out_size(h, r, stride, pad, dilation)
        q = out_size(w, r, stride, pad, dilation)
        if c % groups or k % groups:
            raise ValueError("%s: groups %d must divide c %d and k %d" % (name, groups, c, k))
        keys = [("n", 1), ("k", k), ("c", c), ("p", p), ("q", q), ("r", r), ("s", r),
                ("stride", [stride, stride]), ("pad", [pad, pad]),
                ("dilation", [dilation, dilation]), ("groups", groups)]
        return self._add(name, "conv", [src], keys + act_key(act), (k, p, q))

    def pool(self, name, src, r, stride, pad=0):
        c, h, w = self.shape[src]
        p = out_size(h, r, stride, pad)
        q = out_size(w, r, stride, pad)
        keys = [("n", 1), ("k", c), ("p", p), ("q", q), ("r", r), ("s", r),
                ("stride", [stride, stride]), ("pad", [pad, pad])]
        return self._add(name, "pool", [src], keys, (c, p, q))

    def global_pool(self, name, src):
        c, h, w = self.shape[src]
        if h != w:
            raise ValueError("%s: global pool over a non-square %dx%d" % (name, h, w))
        return self.pool(name, src, h, 1)

    def add(self, name, a, b, act=None):
        if self.shape[a] != self.shape[b]:
            raise ValueError("%s: add of %s %s and %s %s" %
                             (name, a, self.shape[a], b, self.shape[b]))
        c, h, w = self.shape[a]
        keys = [("n", 1), ("k", c), ("p", h), ("q", w)]
        return self._add(name, "add", [a, b], keys + act_key(act), (c, h, w))

    def _rows(self, src, batch):
        """(k, p, q) of a vector layer over src's tensor with `batch` heads: src's
        channels split into batch x k (the normalised axis is k)."""
        c, h, w = self.shape[src]
        if c % batch:
            raise ValueError("%s: %d channels do not split into %d heads" % (src, c, batch))
        return c // batch, h, w

    def act(self, name, src, function):
        """An activation function as a layer of its own."""
        c, h, w = self.shape[src]
        keys = [("k", c), ("p", h), ("q", w), ("function", function)]
        return self._add(name, "act", [src], keys, (c, h, w))

    def softmax(self, name, src, batch=1):
        """Softmax over k of src viewed as batch x k x p x q."""
        k, h, w = self._rows(src, batch)
        keys = ([("batch", batch)] if batch > 1 else []) + [("k", k), ("p", h), ("q", w)]
        return self._add(name, "softmax", [src], keys, self.shape[src])

    def layernorm(self, name, src):
        """Layer normalisation over the channels (k), with 2 x k weights."""
        c, h, w = self.shape[src]
        return self._add(name, "layernorm", [src], [("k", c), ("p", h), ("q", w)], (c, h, w))

    def gemm(self, name, src, m, n_out, k_red, act=None):
        """O[m][n_out] = A[m][k_red] x W[k_red][n_out]; A is src (flattened)."""
        words = words_of(self.shape[src])
        if src != "input" and words != m * k_red:
            raise ValueError("%s: A operand %s has %d words, m*k_red = %d" %
                             (name, src, words, m * k_red))
        keys = [("m", m), ("n_out", n_out), ("k_red", k_red)]
        return self._add(name, "gemm", [src], keys + act_key(act), (n_out, m, 1))

    def matmul(self, name, a, b, batch, m, n_out, k_red):
        """batch x (O[m][n_out] = A[m][k_red] x B[k_red][n_out]), A and B both
        activations (attention); batch = heads."""
        if words_of(self.shape[a]) != batch * m * k_red:
            raise ValueError("%s: A operand %s does not hold batch*m*k_red words" % (name, a))
        if words_of(self.shape[b]) != batch * k_red * n_out:
            raise ValueError("%s: B operand %s does not hold batch*k_red*n_out words" % (name, b))
        keys = [("batch", batch), ("m", m), ("n_out", n_out), ("k_red", k_red)]
        return self._add(name, "matmul", [a, b], keys, (batch * n_out, m, 1))


def act_key(act):
    """The fused activation key of a layer, or nothing."""
    return [("activation", act)] if act else []


def words_of(shape):
    c, h, w = shape
    return c * h * w


def layer_macs(layer):
    k = dict(layer["keys"])
    t = layer["type"]
    if t == "conv":
        return k["n"] * k["k"] * (k["c"] // k["groups"]) * k["p"] * k["q"] * k["r"] * k["s"]
    if t == "gemm":
        return k.get("n", 1) * k["m"] * k["n_out"] * k["k_red"]
    if t == "matmul":
        return k.get("n", 1) * k.get("batch", 1) * k["m"] * k["n_out"] * k["k_red"]
    return 0


def network_macs(net):
    return sum(layer_macs(l) for l in net.layers)


# =============================================================================
# The networks. Each function is the paper's table, transcribed.
# =============================================================================

# ---- ResNet: He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
# Table 1. Stages conv2_x..conv5_x: (blocks, bottleneck width); output channels
# are width (basic block) or 4 x width (bottleneck). Downsampling as torchvision
# (ResNet "v1.5"): stride 2 in the first block of conv3_x..conv5_x, placed on the
# 3x3 conv of a bottleneck (the paper/Caffe model puts it on the first 1x1, which
# gives ResNet-50 3.86 GMACs instead of 4.09). Projection shortcuts (option B):
# a 1x1 conv with the block's stride wherever the shape changes.
RESNET = {
    #            block         conv2_x  conv3_x   conv4_x    conv5_x
    "resnet18": ("basic",      [(2, 64), (2, 128), (2, 256), (2, 512)]),
    "resnet50": ("bottleneck", [(3, 64), (4, 128), (6, 256), (3, 512)]),
    "resnet101": ("bottleneck", [(3, 64), (4, 128), (23, 256), (3, 512)]),
}

RESNET_PUBLISHED = {
    # torchvision model table ("GFLOPS" column, which counts multiply-adds) for the
    # same v1.5 models; the paper's Table 1 gives 1.8 / 3.8 / 7.6 x 10^9 for v1.
    "resnet18": (1.81e9, "He et al. CVPR 2016 Table 1 (1.8e9); torchvision resnet18: 1.81 GFLOPS"),
    "resnet50": (4.09e9, "torchvision resnet50 (v1.5): 4.09 GFLOPS (paper Table 1: 3.8e9 for v1)"),
    "resnet101": (7.80e9, "torchvision resnet101 (v1.5): 7.80 GFLOPS (paper Table 1: 7.6e9 for v1)"),
}


def block_names(blocks):
    """Caffe-style block letters: a, b, c, ... ; a, b1, b2, ... beyond six blocks."""
    if blocks <= 6:
        return [chr(ord("a") + i) for i in range(blocks)]
    return ["a"] + ["b%d" % i for i in range(1, blocks)]


def resnet(name):
    block, stages = RESNET[name]
    depth = name[len("resnet"):]
    net = Net(name,
              "He et al., CVPR 2016, Table 1 (ResNet-%s); torchvision v1.5 strides and pads" % depth,
              3, 224, 224,
              ["ResNet-%s, ImageNet 224x224, batch 1. Shapes: He et al., 'Deep Residual"
               " Learning for Image Recognition', CVPR 2016, Table 1." % depth,
               "Variant: torchvision (v1.5): a downsampling block has stride 2 on its 3x3"
               " conv (v1/Caffe: on the first 1x1);",
               "projection shortcuts (1x1 conv, option B) where the shape changes."
               " Names follow the Caffe model (res2a_branch2a, ...).",
               "Counted: conv + fc MACs. ReLU fused into conv1, each branch conv but the"
               " last and each add (torchvision); batch norm folded into the convs."],
              RESNET_PUBLISHED[name])
    x = net.conv("conv1", "input", 64, 7, stride=2, pad=3, act="relu")
    x = net.pool("pool1", x, 3, 2, pad=1)
    for si, (blocks, width) in enumerate(stages):
        stage = si + 2
        for bi, letter in enumerate(block_names(blocks)):
            stride = 2 if (bi == 0 and stage > 2) else 1
            base = "res%d%s" % (stage, letter)
            cin = net.shape[x][0]
            if block == "basic":
                cout = width
                y = net.conv(base + "_branch2a", x, width, 3, stride=stride, pad=1, act="relu")
                y = net.conv(base + "_branch2b", y, width, 3, pad=1)
            else:
                cout = 4 * width
                y = net.conv(base + "_branch2a", x, width, 1, act="relu")
                y = net.conv(base + "_branch2b", y, width, 3, stride=stride, pad=1, act="relu")
                y = net.conv(base + "_branch2c", y, cout, 1)
            if stride != 1 or cin != cout:
                sc = net.conv(base + "_branch1", x, cout, 1, stride=stride)
            else:
                sc = x
            x = net.add(base, y, sc, act="relu")
    x = net.global_pool("pool5", x)
    net.gemm("fc", x, 1, 1000, net.shape[x][0])
    return net


# ---- VGG-16: Simonyan & Zisserman, "Very Deep Convolutional Networks for
# Large-Scale Image Recognition", ICLR 2015, Table 1, configuration D.
# 3x3 convs stride 1 pad 1; "M" = 2x2 max pool stride 2; then FC-4096, FC-4096,
# FC-1000.
VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
         512, 512, 512, "M", 512, 512, 512, "M"]
VGG16_FC = [4096, 4096, 1000]


def vgg16():
    net = Net("vgg16", "Simonyan & Zisserman, ICLR 2015, Table 1, configuration D (VGG-16)",
              3, 224, 224,
              ["VGG-16 (configuration D), ImageNet 224x224, batch 1. Shapes: Simonyan &"
               " Zisserman, ICLR 2015, Table 1.",
               "Counted: conv + fc MACs. ReLU fused into every conv and fc but the last;"
               " dropout is not modelled (inference)."],
              (15.5e9, "Sze et al., Proc. IEEE 2017, Table III: VGG-16 15.5G MACs"
                       " (torchvision vgg16: 15.47 GFLOPS)"))
    x, stage, idx = "input", 1, 1
    for v in VGG16:
        if v == "M":
            x = net.pool("pool%d" % stage, x, 2, 2)
            stage, idx = stage + 1, 1
        else:
            x = net.conv("conv%d_%d" % (stage, idx), x, v, 3, pad=1, act="relu")
            idx += 1
    for i, width in enumerate(VGG16_FC):
        x = net.gemm("fc%d" % (6 + i), x, 1, width, words_of(net.shape[x]),
                     act="relu" if i + 1 < len(VGG16_FC) else None)
    return net


# ---- MobileNet-V2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear
# Bottlenecks", CVPR 2018, Table 2 (width multiplier 1.0, 224x224).
# Rows: expansion t, output channels c, repeats n, first stride s.
# A bottleneck: 1x1 expansion to t*cin (omitted when t == 1, as in the reference
# code), 3x3 depthwise (groups = channels) with stride s, 1x1 linear projection
# to c; a residual add when stride 1 and cin == c (paper Fig. 4, Sec. 4).
MOBILENET_V2 = [
    # t,   c,  n, s
    (1,  16, 1, 1),
    (6,  24, 2, 2),
    (6,  32, 3, 2),
    (6,  64, 4, 2),
    (6,  96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def mobilenet_v2():
    net = Net("mobilenet_v2",
              "Sandler et al., CVPR 2018, Table 2 (MobileNetV2 1.0, 224); torchvision pads",
              3, 224, 224,
              ["MobileNet-V2, width 1.0, ImageNet 224x224, batch 1. Shapes: Sandler et al.,"
               " CVPR 2018, Table 2.",
               "Bottleneck: 1x1 expand (absent when t = 1), 3x3 depthwise (groups = c = k),"
               " 1x1 projection; add when stride 1 and cin = cout.",
               "Block names b1..b17 are torchvision's features[1..17]; the classifier is a"
               " gemm (paper: 1x1 conv, same MACs).",
               "Counted: conv + fc MACs. ReLU6 fused into conv1, every expansion, every"
               " depthwise and conv_last (the projections are linear); batch norm folded."],
              (300e6, "Sandler et al. CVPR 2018, Table 4: 300M multiply-adds"
                      " (torchvision mobilenet_v2: 0.30 GFLOPS)"))
    x = net.conv("conv1", "input", 32, 3, stride=2, pad=1, act="relu6")
    b = 0
    for t, c, n, s in MOBILENET_V2:
        for i in range(n):
            b += 1
            stride = s if i == 0 else 1
            cin = net.shape[x][0]
            hidden = cin * t
            base = "b%d" % b
            y = x
            if t != 1:
                y = net.conv(base + "_expand", y, hidden, 1, act="relu6")
            y = net.conv(base + "_dw", y, hidden, 3, stride=stride, pad=1, groups=hidden, act="relu6")
            y = net.conv(base + "_project", y, c, 1)
            if stride == 1 and cin == c:
                y = net.add(base + "_add", y, x)
            x = y
    x = net.conv("conv_last", x, 1280, 1, act="relu6")
    x = net.global_pool("pool", x)
    net.gemm("fc", x, 1, 1000, 1280)
    return net


# ---- AlexNet: the original two-tower network as in Caffe's reference model
# (bvlc_alexnet): Krizhevsky et al., NIPS 2012, Section 3.5 and Figure 2. The two
# GPU towers are expressed as groups = 2 on conv2, conv4 and conv5 (which only see
# their own tower's maps); conv3 and the FC layers connect across towers. Input
# 227x227 (the paper's "224" does not give its 55x55 conv1 output; Caffe uses 227).
# Max pools 3x3 stride 2 (overlapping pooling, Sec. 3.4). LRN is not modelled.
ALEXNET = [
    # name,    kind,   k,    r, stride, pad, groups
    ("conv1", "conv",   96, 11, 4, 0, 1),
    ("pool1", "pool",  None, 3, 2, 0, None),
    ("conv2", "conv",  256,  5, 1, 2, 2),
    ("pool2", "pool",  None, 3, 2, 0, None),
    ("conv3", "conv",  384,  3, 1, 1, 1),
    ("conv4", "conv",  384,  3, 1, 1, 2),
    ("conv5", "conv",  256,  3, 1, 1, 2),
    ("pool5", "pool",  None, 3, 2, 0, None),
]
ALEXNET_FC = [("fc6", 4096), ("fc7", 4096), ("fc8", 1000)]


def alexnet():
    net = Net("alexnet",
              "Krizhevsky et al., NIPS 2012, Sec. 3.5 and Fig. 2; two-tower Caffe bvlc_alexnet, 227x227",
              3, 227, 227,
              ["AlexNet, original two-tower variant (Caffe bvlc_alexnet): conv2/4/5 have"
               " groups = 2. Input 227x227, batch 1.",
               "Shapes: Krizhevsky et al., NIPS 2012, Sec. 3.5 and Fig. 2. (torchvision's"
               " single-tower alexnet is a different network: 0.71 GMACs.)",
               "Counted: conv + fc MACs. ReLU fused into every conv and fc but the last;"
               " LRN and dropout are not modelled."],
              (724e6, "Sze et al., Proc. IEEE 2017, Table III: AlexNet 724M MACs"
                      " (666M conv + 58.6M fc)"))
    x = "input"
    for name, kind, k, r, stride, pad, groups in ALEXNET:
        if kind == "conv":
            x = net.conv(name, x, k, r, stride=stride, pad=pad, groups=groups, act="relu")
        else:
            x = net.pool(name, x, r, stride, pad=pad)
    for i, (name, width) in enumerate(ALEXNET_FC):
        x = net.gemm(name, x, 1, width, words_of(net.shape[x]),
                     act="relu" if i + 1 < len(ALEXNET_FC) else None)
    return net


# ---- DQN: Mnih et al., "Human-level control through deep reinforcement
# learning", Nature 518, 2015, Methods, "Model architecture": 84x84x4 input
# (4 stacked frames); conv 32 8x8 stride 4; conv 64 4x4 stride 2; conv 64 3x3
# stride 1; fc 512; fc to one output per action (4..18 over the games; we use
# 18, the full Atari action set). No padding. The same trunk is the Nature-CNN
# used by A3C/A2C agents in common baselines.
DQN = [
    # name,   k, r, stride
    ("conv1", 32, 8, 4),
    ("conv2", 64, 4, 2),
    ("conv3", 64, 3, 1),
]
DQN_FC = [("fc4", 512), ("fc5", 18)]


def dqn_atari():
    net = Net("dqn_atari",
              "Mnih et al., Nature 518:529-533, 2015, Methods: Model architecture (18 actions)",
              4, 84, 84,
              ["Nature DQN agent CNN on 84x84x4 (4 stacked frames), batch 1, 18 actions"
               " (the full Atari set; games use 4..18).",
               "Shapes: Mnih et al., Nature 2015, Methods, 'Model architecture'. No padding.",
               "Counted: conv + fc MACs; ReLU fused into every layer but the last. The"
               " paper gives no MAC total;"
               " the figure is derived from its layer list."],
              None)
    x = "input"
    for name, k, r, stride in DQN:
        x = net.conv(name, x, k, r, stride=stride, act="relu")
    for i, (name, width) in enumerate(DQN_FC):
        x = net.gemm(name, x, 1, width, words_of(net.shape[x]),
                     act="relu" if i + 1 < len(DQN_FC) else None)
    return net


# ---- BERT-base: Devlin et al., "BERT: Pre-training of Deep Bidirectional
# Transformers for Language Understanding", NAACL 2019, Sec. 3: L = 12 layers,
# H = 768, A = 12 heads (64 each), feed-forward 4H = 3072. Per encoder layer
# (Vaswani et al., NeurIPS 2017, Sec. 3.2-3.3; the reference BERT code):
# separate Q, K and V projections (three gemms, as in the reference code, not one
# fused QKV gemm), attention scores Q K^T (matmul, batch = heads), context
# softmax(S) V (matmul), output projection, residual add, layer norm (post-LN, as
# in the reference code), FFN1, GELU, FFN2, residual add, layer norm. Softmax
# (its 1/sqrt(d) scale folded in), GELU and layer norm are vector-unit layers (no
# MACs); biases and the embeddings are not modelled; the network input is the
# embedding output.
BERT_BASE = {"layers": 12, "hidden": 768, "heads": 12, "ffn": 3072}


def bert_macs_formula(seq, cfg=BERT_BASE):
    """Closed form of the structure above: per layer 4 s H^2 + 2 s H F + 2 s^2 H."""
    h, f = cfg["hidden"], cfg["ffn"]
    return cfg["layers"] * (4 * seq * h * h + 2 * seq * h * f + 2 * seq * seq * h)


def bert_base(seq):
    cfg = BERT_BASE
    h, heads, f = cfg["hidden"], cfg["heads"], cfg["ffn"]
    dh = h // heads
    if seq == 128:
        published = (11.25e9, "MobileBERT (Sun et al., ACL 2020) Table 3 and TinyBERT (Jiao et al.,"
                              " 2020) Table 1: BERT-base 22.5 GFLOPs at seq 128 = 11.25 GMACs")
    else:
        published = (float(bert_macs_formula(seq)),
                     "no published total; closed form 12*(4sH^2 + 2sHF + 2s^2H) of Devlin et al.'s"
                     " structure")
    net = Net("bert_base_%d" % seq,
              "Devlin et al., NAACL 2019, Sec. 3 (BERT-base: L=12, H=768, A=12, FFN 3072), seq %d" % seq,
              h, seq, 1,
              ["BERT-base encoder stack (12 layers, hidden 768, 12 heads of 64, FFN 3072),"
               " sequence %d, batch 1. Shapes: Devlin et al., NAACL 2019, Sec. 3." % seq,
               "Input: the embedding output (seq x 768, here c = 768, h = seq). Per layer:"
               " separate Q, K, V gemms (not fused), scores Q K^T",
               "(matmul, batch 12, m = n_out = seq, k_red 64), softmax, context (matmul,"
               " batch 12, m = seq, n_out 64, k_red = seq), output projection, add,",
               "layer norm, FFN1, GELU, FFN2, add, layer norm (post-LN).",
               "Counted: gemm + matmul MACs. Softmax, GELU and layer norm are vector-unit"
               " layers; not modelled: embeddings, biases, pooler/classifier.",
               "MAC closed form: 12 * (4*s*768^2 + 2*s*768*3072 + 2*s^2*768)."],
              published)
    x = "input"
    for i in range(1, cfg["layers"] + 1):
        p = "l%d_" % i
        q = net.gemm(p + "q", x, seq, h, h)
        k = net.gemm(p + "k", x, seq, h, h)
        v = net.gemm(p + "v", x, seq, h, h)
        s = net.matmul(p + "scores", q, k, heads, seq, seq, dh)
        s = net.softmax(p + "softmax", s, heads)
        c = net.matmul(p + "context", s, v, heads, seq, dh, seq)
        o = net.gemm(p + "attn_out", c, seq, h, h)
        a1 = net.add(p + "add1", o, x)
        n1 = net.layernorm(p + "ln1", a1)
        f1 = net.gemm(p + "ffn1", n1, seq, f, h)
        g = net.act(p + "gelu", f1, "gelu")
        f2 = net.gemm(p + "ffn2", g, seq, h, f)
        a2 = net.add(p + "add2", f2, n1)
        x = net.layernorm(p + "ln2", a2)
    return net


# ---- Standalone GEMMs. Each is O[m][n_out] = A[m][k_red] x B[k_red][n_out] with
# B the weights. DeepBench (Baidu, code/kernels/gemm_problems.h) lists
# C[M][N] = A[M][K] B[K][N] with A the weights and N the batch x time; in pesim's
# orientation that is m = N, n_out = M, k_red = K (same MACs). Names keep
# DeepBench's M/N/K so each shape can be found in its file.
GEMM_DEEPBENCH = [
    # set,       M,    N,      K
    ("train",  1760,  128,   1760),
    ("train",  2560,   64,   2560),
    ("train",  4096,  128,   4096),
    ("train",  2560, 7000,   2560),
    ("train",  5124, 9124,   2560),
    ("train",    35, 8457,   2560),
    ("train",  7680,   64,   2560),
    ("train",  3072,  128,   1024),
    ("train",   512,    8, 500000),
    ("train",  1024,  700,    512),
    ("server", 5124,  700,   2048),
    ("server", 7680,    1,   2560),
    ("server", 3072, 1500,   1024),
    ("device",   64,    1,   1216),
]

# Transformer shapes in pesim's orientation (m = tokens, n_out, k_red).
GEMM_TRANSFORMER = [
    # name,                       m,     n_out, k_red   origin
    ("bert_base_s128_qkv_fused",  128,   2304,   768),  # Devlin et al. 2019: 3 x 768 fused
    ("bert_base_s128_attn_out",   128,    768,   768),
    ("bert_base_s128_ffn1",       128,   3072,   768),
    ("bert_base_s128_ffn2",       128,    768,  3072),
    # LLaMA-7B (Touvron et al. 2023, Table 2: dim 4096; FFN 11008 in the released
    # model), prefill of 2048 tokens and one decode token.
    ("llama7b_prefill2048_qkv",  2048,  12288,  4096),
    ("llama7b_prefill2048_o",    2048,   4096,  4096),
    ("llama7b_prefill2048_up",   2048,  11008,  4096),
    ("llama7b_prefill2048_down", 2048,   4096, 11008),
    ("llama7b_decode_up",           1,  11008,  4096),
    ("llama7b_decode_down",         1,   4096, 11008),
    # GPT-3 175B (Brown et al. 2020, Table 2.1: d_model 12288, FFN 4 x d_model),
    # one decode token (GEMV).
    ("gpt3_decode_qkv",             1,  36864, 12288),
    ("gpt3_decode_ffn1",            1,  49152, 12288),
]


def gemm_set():
    net = Net("gemm",
              "DeepBench code/kernels/gemm_problems.h (Baidu, 2017); BERT-base, LLaMA-7B, GPT-3 layer shapes",
              1, 1, 1,
              ["Standalone GEMM shapes, each a gemm layer reading the network input (the"
               " input tensor is nominal: each layer's A operand is m x k_red).",
               "O[m][n_out] = A[m][k_red] x B[k_red][n_out], B = weights. DeepBench lists"
               " C[M][N] = A[M][K] B[K][N] with A = weights,",
               "so a DeepBench (M, N, K) is m = N, n_out = M, k_red = K here; layer names"
               " keep DeepBench's M/N/K.",
               "Transformer shapes: BERT-base seq 128 (Devlin et al. 2019), LLaMA-7B"
               " (Touvron et al. 2023), GPT-3 175B (Brown et al. 2020)."],
              None)
    for sset, M, N, K in GEMM_DEEPBENCH:
        net.gemm("db_%s_M%d_N%d_K%d" % (sset, M, N, K), "input", N, M, K)
    for name, m, n_out, k_red in GEMM_TRANSFORMER:
        net.gemm(name, "input", m, n_out, k_red)
    return net


# ---- Agent networks for the agent-accelerator co-search (DAS, docs/das.md).
# atari_a3c: Mnih et al., "Asynchronous Methods for Deep Reinforcement
# Learning", ICML 2016, Sec. 8 (Experimental setup): the network of Mnih et al.
# 2013 (NIPS DL workshop, Sec. 5): 84x84x4 input, conv 16 8x8 stride 4, conv 32
# 4x4 stride 2, fc 256, then the policy (18 actions) and value (1) heads.
# resnet14_agent: the ResNet-(6n+2) family of He et al., CVPR 2016, Sec. 4.2
# with n = 2 (14 weight layers: a 3x3 stem of 16, three stages of two basic
# blocks of 16, 32, 64 channels, stride 2 entering stages 2 and 3, global
# average pool, fc) on the 84x84x4 Atari input, policy (18) and value heads as
# one fc of 19 outputs. pesim's definition of "a ResNet-14 agent".
def atari_a3c():
    net = Net("atari_a3c",
              "Mnih et al., ICML 2016, Sec. 8 (the network of Mnih et al., NIPS DL workshop 2013, Sec. 5)",
              4, 84, 84,
              ["A3C agent CNN on 84x84x4 (4 stacked frames), batch 1: conv 16 8x8/4, conv 32 4x4/2,"
               " fc 256, policy (18 actions) and value heads.",
               "Counted: conv + fc MACs. Not counted: ReLU, softmax. No published MAC total."],
              None)
    x = net.conv("conv1", "input", 16, 8, stride=4)
    x = net.conv("conv2", x, 32, 4, stride=2)
    x = net.gemm("fc3", x, 1, 256, words_of(net.shape[x]))
    net.gemm("fc_policy", x, 1, 18, 256)
    net.gemm("fc_value", x, 1, 1, 256)
    return net


def resnet14_agent():
    net = Net("resnet14_agent",
              "He et al., CVPR 2016, Sec. 4.2, ResNet-(6n+2) with n = 2, on the 84x84x4 Atari input",
              4, 84, 84,
              ["ResNet-14 agent (pesim's definition): 3x3 stem of 16, three stages of two basic"
               " blocks (16, 32, 64 channels), stride 2 entering stages 2 and 3,",
               "identity shortcuts (1x1 projection where the shape changes), global average pool,"
               " fc of 19 (18 action logits + value). Counted: conv + fc MACs."],
              None)
    x = net.conv("conv1", "input", 16, 3, pad=1)
    for si, width in enumerate((16, 32, 64)):
        for bi in range(2):
            stride = 2 if (bi == 0 and si > 0) else 1
            base = "s%db%d" % (si + 1, bi + 1)
            cin = net.shape[x][0]
            y = net.conv(base + "_a", x, width, 3, stride=stride, pad=1)
            y = net.conv(base + "_b", y, width, 3, pad=1)
            sc = x if (stride == 1 and cin == width) else net.conv(base + "_sc", x, width, 1, stride=stride)
            x = net.add(base, y, sc)
    x = net.global_pool("pool", x)
    net.gemm("fc", x, 1, 19, net.shape[x][0])
    return net


# impala_deep: the "large" (deep) agent network of Espeholt et al., "IMPALA:
# Scalable Distributed Deep-RL with Importance Weighted Actor-Learner
# Architectures", ICML 2018, Fig. 3 (15 convolutional layers, the model of its
# Atari Table C.1 column "IMPALA (deep)"), on its Atari input (Table G.1: 84x84
# grayscale, 4 stacked frames): three sections of 16, 32, 32 channels, each a
# 3x3 conv (stride 1, same padding), a 3x3 max pool of stride 2 (same padding)
# and two residual blocks of two 3x3 convs; then fc 256 and the policy (18
# actions) and value heads (feed-forward: the Atari agents have no LSTM, Sec. G).
def impala_deep():
    net = Net("impala_deep",
              "Espeholt et al., ICML 2018, Fig. 3 (large model) and Table G.1 (84x84x4 Atari input)",
              4, 84, 84,
              ["IMPALA deep agent CNN on 84x84x4, batch 1: three sections (16, 32, 32 channels) of"
               " conv 3x3, max pool 3x3/2, two residual blocks of two conv 3x3;",
               "fc 256, policy (18 actions) and value heads. Counted: conv + fc MACs. Not counted:"
               " ReLU (before each block's convs and the fc), pools, adds."],
              None)
    x = "input"
    for si, width in enumerate((16, 32, 32)):
        base = "s%d" % (si + 1)
        x = net.conv(base + "_conv", x, width, 3, pad=1)
        x = net.pool(base + "_pool", x, 3, 2, pad=1)
        for bi in range(2):
            rb = "%s_res%d" % (base, bi + 1)
            y = net.conv(rb + "_a", x, width, 3, pad=1)
            y = net.conv(rb + "_b", y, width, 3, pad=1)
            x = net.add(rb, y, x)
    x = net.gemm("fc", x, 1, 256, words_of(net.shape[x]))
    net.gemm("fc_policy", x, 1, 18, 256)
    net.gemm("fc_value", x, 1, 1, 256)
    return net


AGENT_NETWORKS = [atari_a3c, resnet14_agent, impala_deep]


NETWORKS = [
    lambda: resnet("resnet18"),
    lambda: resnet("resnet50"),
    lambda: resnet("resnet101"),
    mobilenet_v2,
    vgg16,
    alexnet,
    lambda: bert_base(128),
    lambda: bert_base(512),
    dqn_atari,
    gemm_set,
]
NETWORKS += AGENT_NETWORKS

# Tolerance of the --check comparison against published figures (relative).
TOLERANCE = 0.02

# =============================================================================
# Validation against docs/config.md and emission.
# =============================================================================

ALLOWED = {
    "conv": {"n", "k", "c", "p", "q", "r", "s", "groups", "stride", "pad", "dilation", "activation"},
    "gemm": {"n", "m", "n_out", "k_red", "activation"},
    "matmul": {"n", "m", "n_out", "k_red", "batch", "activation"},
    "pool": {"n", "k", "p", "q", "r", "s", "stride", "pad", "activation"},
    "add": {"n", "k", "p", "q", "activation"},
    "concat": {"n", "k", "p", "q"},
    "act": {"batch", "n", "k", "p", "q", "function"},
    "softmax": {"batch", "n", "k", "p", "q"},
    "layernorm": {"batch", "n", "k", "p", "q"},
}
STRINGS = {"activation": {"relu", "relu6", "gelu", "sigmoid", "tanh", "silu"},
           "function": {"relu", "relu6", "gelu", "sigmoid", "tanh", "silu"}}
PAIRS = {"stride", "pad", "dilation"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate(net):
    """Returns a list of rule violations (empty when the network is valid)."""
    errs = []
    if len(net.name) >= NAME_MAX:
        errs.append("network name too long")
    if len(net.source) >= SOURCE_MAX:
        errs.append("source is %d chars (max %d)" % (len(net.source), SOURCE_MAX - 1))
    for s in [net.name, net.source]:
        if '"' in s or "\\" in s:
            errs.append("string needs escaping: %s" % s)
    seen = {"input"}
    for l in net.layers:
        n, t = l["name"], l["type"]
        if n in seen:
            errs.append("%s: duplicate name" % n)
        if not NAME_RE.match(n) or len(n) >= NAME_MAX:
            errs.append("%s: bad name" % n)
        if t not in ALLOWED:
            errs.append("%s: bad type %s" % (n, t))
            continue
        if not l["inputs"] or len(l["inputs"]) > MAX_INPUTS:
            errs.append("%s: %d inputs" % (n, len(l["inputs"])))
        for i in l["inputs"]:
            if i not in seen:
                errs.append("%s: input %s is not an earlier layer or input" % (n, i))
        keys = dict(l["keys"])
        if len(keys) != len(l["keys"]):
            errs.append("%s: repeated key" % n)
        for key, v in keys.items():
            if key not in ALLOWED[t]:
                errs.append("%s: key %s not allowed for %s" % (n, key, t))
            if key in STRINGS:
                if v not in STRINGS[key]:
                    errs.append("%s: %s = %r is not one of %s" % (n, key, v, sorted(STRINGS[key])))
                continue
            lo = 0 if key == "pad" else 1
            vals = v if key in PAIRS else [v]
            if key in PAIRS and (not isinstance(v, list) or len(v) != 2):
                errs.append("%s: %s must be [int, int]" % (n, key))
            for x in vals:
                if type(x) is not int or x < lo or x > 2**31 - 1:
                    errs.append("%s: %s = %r is not an int >= %d" % (n, key, x, lo))
        if t in ("gemm", "matmul") and not {"m", "n_out", "k_red"} <= set(keys):
            errs.append("%s: gemm/matmul needs m, n_out, k_red" % n)
        if t == "conv" and (keys["c"] % keys["groups"] or keys["k"] % keys["groups"]):
            errs.append("%s: groups must divide k and c" % n)
        seen.add(n)
    return errs


def fmt_value(v):
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, list):
        return "[ " + ", ".join(str(x) for x in v) + " ]"
    return str(v)


def emit(net):
    """The .cfg text of a network."""
    total = network_macs(net)
    counts = {}
    for l in net.layers:
        counts[l["type"]] = counts.get(l["type"], 0) + 1
    summary = ", ".join("%d %s" % (counts[t], t) for t in ALLOWED if t in counts)
    out = ["# %s - generated by scripts/gen_workloads.py; edit the script, not this file."
           % net.name, "#"]
    out += ["# " + line for line in net.notes]
    out.append("#")
    out.append("# Layers: %d (%s). Total MACs: %s." % (len(net.layers), summary,
                                                     "{:,}".format(total)))
    if net.published:
        out.append("# Published: %s (%s)." % ("{:,}".format(int(net.published[0])),
                                               net.published[1]))
    c, h, w = net.input
    out += ["network = {",
            '  name = "%s";' % net.name,
            '  source = "%s";' % net.source,
            "  input = { n = 1; c = %d; h = %d; w = %d; };" % (c, h, w),
            "  layers = ("]
    for i, l in enumerate(net.layers):
        ins = ", ".join('"%s"' % x for x in l["inputs"])
        head = '    { name = "%s"; type = "%s"; inputs = [ %s ];' % (l["name"], l["type"], ins)
        # Loop bounds on one line, the window's stride/pad/dilation/groups on the
        # next (as in docs/config.md); short layers fit on one line.
        dims = [(k, v) for k, v in l["keys"] if k not in PAIRS and k != "groups"]
        window = [(k, v) for k, v in l["keys"] if k in PAIRS or k == "groups"]
        lines = [" ".join("%s = %s;" % (k, fmt_value(v)) for k, v in part)
                 for part in (dims, window) if part]
        sep = "," if i + 1 < len(net.layers) else ""
        macs = layer_macs(l)
        tail = "  # %s MACs" % "{:,}".format(macs) if macs else ""
        if len(lines) == 1 and len(head) + 1 + len(lines[0]) <= 100:
            out.append(head + " " + lines[0] + " }" + sep + tail)
        else:
            out.append(head)
            out += ["      " + x for x in lines[:-1]]
            out.append("      " + lines[-1] + " }" + sep + tail)
    out += ["  );", "};", ""]
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "workloads"),
                    help="output directory (default: workloads/ of the source tree)")
    ap.add_argument("--check", action="store_true",
                    help="validate, print MAC totals vs published figures, and check that"
                         " the files in --out are up to date; write nothing")
    args = ap.parse_args(argv)

    nets = [f() for f in NETWORKS]
    ok = True
    for net in nets:
        errs = validate(net)
        for e in errs:
            print("%s: %s" % (net.name, e), file=sys.stderr)
        ok = ok and not errs
    if not ok:
        return 1

    if not args.check:
        os.makedirs(args.out, exist_ok=True)
        for net in nets:
            path = os.path.join(args.out, net.name + ".cfg")
            with open(path, "w") as f:
                f.write(emit(net))
            print("wrote %s (%d layers, %s MACs)" % (os.path.relpath(path), len(net.layers),
                                                    "{:,}".format(network_macs(net))))
        return 0

    print("%-14s %7s %18s %16s %8s  %s" % ("network", "layers", "MACs", "published",
                                          "diff", "source of the published figure"))
    for net in nets:
        total = network_macs(net)
        if net.published:
            pub, cite = net.published
            diff = (total - pub) / pub
            flag = "" if abs(diff) <= TOLERANCE else "  <-- outside %.0f%%" % (100 * TOLERANCE)
            ok = ok and abs(diff) <= TOLERANCE
            print("%-14s %7d %18s %16.4g %+7.2f%%  %s%s" % (net.name, len(net.layers),
                  "{:,}".format(total), pub, 100 * diff, cite, flag))
        else:
            print("%-14s %7d %18s %16s %8s  %s" % (net.name, len(net.layers),
                  "{:,}".format(total), "-", "-", "(no published total; exact count)"))
        path = os.path.join(args.out, net.name + ".cfg")
        try:
            with open(path) as f:
                current = f.read()
        except OSError:
            current = None
        if current != emit(net):
            print("%s: %s is missing or out of date; rerun scripts/gen_workloads.py"
                  % (net.name, os.path.relpath(path)), file=sys.stderr)
            ok = False
    # The BERT generator and its closed form must agree exactly.
    for seq in (128, 512):
        if network_macs(bert_base(seq)) != bert_macs_formula(seq):
            print("bert_base_%d: layer sum != closed form" % seq, file=sys.stderr)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
