#!/usr/bin/env bash
# Analytical-model throughput: full evaluations per second on ResNet-50's layers
# with random valid mappings, one thread (pinned to core 0), median of 5
# one-second runs. MODE "mapper": default-mapper calls per second over every
# MAC layer instead, and with more BENCH binaries (model_bench built from
# other trees) each is run in turn, five times, after a check that all give
# the same mappings (their digest lines must agree). MODE "instructions":
# instruction counts (valgrind's callgrind, whole program) of drawing and
# evaluating the 64-mapping pools and of the default mapper on every MAC layer,
# for this tree's model_bench and each BENCH after it: deterministic where
# timings on a shared machine are not.
# usage: scripts/bench_model.sh [ARCH] [WORKLOAD] [MODE [BENCH...]]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-configs/arch/eyeriss.cfg}
workload=${2:-workloads/resnet50.cfg}
mode=${3:-model}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target model_bench >/dev/null
if [ "$mode" = instructions ]; then
  for b in build/Release/model_bench "${@:4}"; do
    for what in pool mapper; do
      extra=""; [ "$what" = mapper ] && extra=mapper
      ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b" "$arch" "$workload" 64 0 0 $extra 2>&1 |
           awk '/Collected/ {print $NF}')
      echo "$b $what: $ir instructions"
    done
  done
  exit
fi
if [ "$mode" != mapper ]; then
  taskset -c 0 build/Release/model_bench "$arch" "$workload" 64 5 1.0
  exit
fi
benches=(build/Release/model_bench "${@:4}")
echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
first=""
for b in "${benches[@]}"; do
  d=$(taskset -c 0 "$b" "$arch" "$workload" 64 0 0 mapper | head -1)
  [ -z "$first" ] && first=$d
  if [ "$d" != "$first" ]; then
    echo "$b gives other mappings: $d" >&2
    exit 1
  fi
done
echo "$first (every binary)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < 5; r++)); do
  for ((k = 0; k < ${#benches[@]}; k++)); do
    taskset -c 0 "${benches[$k]}" "$arch" "$workload" 64 1 1.0 mapper | awk '/^run/ {print $10}' >> "$tmp/$k"
  done
done
for ((k = 0; k < ${#benches[@]}; k++)); do
  med=$(sort -g "$tmp/$k" | awk '{a[NR] = $1} END {print a[(NR + 1) / 2]}')
  [ "$k" -eq 0 ] && base=$med
  echo "${benches[$k]}: median $med mapper calls/s ($(echo "scale=3; $med / $base" | bc)x the first)"
done
