#!/usr/bin/env bash
# DRAM model throughput: `pesim dram` on generated 1M-request traces (a
# sequential stream and uniformly random addresses over 8 GiB, one request
# offered per DRAM cycle, reads with 1 in 4 writes), ddr4-3200, FR-FCFS.
# Prints the simulated figures and requests simulated per second of wall time
# (best of 3 runs, one thread, trace parsing included).
# usage: scripts/bench_dram.sh [N_REQUESTS] [PRESET]     (BUILD=dir to pick the build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
preset=${2:-ddr4-3200}
build=${BUILD:-build/Release}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target pesim >/dev/null
pesim="$build/cli/pesim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/bench_dram_traces.py "$n" "$tmp"

pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
for kind in stream random; do
    best=""
    for run in 1 2 3; do
        start=$(date +%s.%N)
        $pin "$pesim" dram --preset "$preset" --trace "$tmp/$kind.trc" --json "$tmp/$kind.json" > "$tmp/$kind.txt"
        end=$(date +%s.%N)
        t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
    done
    echo "== $kind ($n requests, $preset)"
    grep -E '^(finish|bandwidth|read latency|row hits|commands)' "$tmp/$kind.txt"
    awk -v n="$n" -v t="$best" 'BEGIN { printf "simulation speed  %.2f M requests/s (%.3f s)\n", n / t / 1e6, t }'
done
