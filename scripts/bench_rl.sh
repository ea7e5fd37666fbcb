#!/usr/bin/env bash
# RL core throughput: forward and forward+backward samples/s of an MLP agent,
# a single-agent MLP policy and EGRL's Graph U-Net (scripts/bench/rl_bench.c
# lists the sizes), one thread pinned to core 0, median of 5 one-second runs.
# Then the same with GSL's reference CBLAS put in front of OpenBLAS
# (LD_PRELOAD), to show what the optimized BLAS buys.
# usage: scripts/bench_rl.sh [RUNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
seconds=${2:-1.0}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target rl_bench >/dev/null
echo "== OpenBLAS (one thread)"
taskset -c 0 build/Release/rl_bench "$runs" "$seconds"
gslcblas=$(ldconfig -p | awk '/libgslcblas\.so\.0 /{print $NF; exit}')
if [ -n "$gslcblas" ]; then
  echo "== GSL reference CBLAS ($gslcblas, preloaded)"
  LD_PRELOAD="$gslcblas" taskset -c 0 build/Release/rl_bench "$runs" "$seconds"
fi
