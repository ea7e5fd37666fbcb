#!/usr/bin/env bash
# Analytical-model throughput: full evaluations per second on ResNet-50's layers
# with random valid mappings, one thread, median of 5 one-second runs.
# usage: scripts/bench_model.sh [ARCH] [WORKLOAD]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-configs/arch/eyeriss.cfg}
workload=${2:-workloads/resnet50.cfg}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target model_bench >/dev/null
taskset -c 0 build/Release/model_bench "$arch" "$workload" 64 5 1.0
