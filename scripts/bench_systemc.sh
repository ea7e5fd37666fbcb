#!/usr/bin/env bash
# The cycle engine against the SystemC reference: wall time of both on the
# cross-check matrix's cases and on a few medium layers, one core, and the
# median ratio (SystemC time / engine time). The engine's time is the best of
# REPEATS runs (it takes microseconds); SystemC's includes its fork.
# usage: scripts/bench_systemc.sh [CASES] [REPEATS]    (defaults: 240 20)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-240}
repeats=${2:-20}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target systemc_bench >/dev/null
if [ ! -x build/Release/systemc_bench ]; then
  echo "bench_systemc.sh: SystemC was not found, the reference is not built" >&2
  exit 1
fi
taskset -c 0 build/Release/systemc_bench "$cases" "$repeats"
