#!/usr/bin/env bash
# The valid share of a mapping space under uniform random sampling, per
# encoding (spatial=factors, the default, and spatial=dim), and of the masked
# step decode, on the sample-efficiency layer set (docs/search.md 1.1, 2.3):
# scripts/bench/space_bench.c evaluates N candidates of each analytically and
# counts the invalid ones by violation kind.
#
# usage: scripts/bench_space.sh [N] [SEED]   (defaults 10000 1)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
seed=${2:-1}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target space_bench >/dev/null
for arch in eyeriss tpu_32x32; do
    for item in resnet50:res2a_branch2b bert_base_128:l1_ffn1 mobilenet_v2:b2_dw dqn_atari:conv2; do
        build/Release/space_bench "configs/arch/$arch.cfg" "workloads/${item%%:*}.cfg" "${item##*:}" "$n" "$seed"
    done
done
