#!/usr/bin/env bash
# Cycle-engine speed: a whole network at cycle level with default mappings,
# one thread, median of 5 runs (simulated MACs/s, events/s).
# usage: scripts/bench_engine.sh [ARCH] [WORKLOAD]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-configs/arch/tpu_32x32.cfg}
workload=${2:-workloads/resnet50.cfg}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target engine_bench >/dev/null
taskset -c 0 build/Release/engine_bench "$arch" "$workload" 5
