#!/usr/bin/env bash
# Whole-network speed: a whole network with a placement (greedy, and all-DRAM)
# at both fidelities, one core (taskset -c 0), median wall time of RUNS runs
# of `pesim run --placement` (process start, config loading and printing
# included). usage: scripts/bench_network.sh [ARCH] [WORKLOAD] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-configs/arch/nnpi.cfg}
workload=${2:-workloads/resnet50.cfg}
runs=${3:-7}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target pesim >/dev/null
pesim=build/Release/cli/pesim
echo "arch $arch, workload $workload, $runs runs each, one core"
for p in greedy dram; do
  for ev in analytical cycle; do
    ts=()
    for ((i = 0; i < runs; i++)); do
      s=$(date +%s.%N)
      taskset -c 0 $pesim run --arch "$arch" --workload "$workload" --placement $p --eval $ev >/dev/null
      e=$(date +%s.%N)
      ts+=("$(python3 -c "print($e - $s)")")
    done
    printf '%-7s %-10s median %.3f s (min %.3f, max %.3f)\n' $p $ev \
      "$(printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
      "$(printf '%s\n' "${ts[@]}" | sort -g | head -1)" "$(printf '%s\n' "${ts[@]}" | sort -g | tail -1)"
  done
done
