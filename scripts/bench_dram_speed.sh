#!/usr/bin/env bash
# DRAM-model speed, before and after: CPU time (user + sys, /usr/bin/time) of two
# pesim binaries on the same cases, alternating OLD and NEW run by run so that both
# see the same machine load; prints the median of RUNS per binary and NEW/OLD.
# Cases: the DRAM-bound VTA layer (scripts/bench/vta_conv5_1_dram_bound.cfg, 2.16 M
# bursts through the engine's per-burst driver), `pesim dram` on a generated stream
# and random trace (N requests, 1 write in 4, ddr4-3200; scripts/bench_dram.sh's
# traces), and a whole ResNet-50 at cycle level on tpu_32x32 and eyeriss (default
# mappings; scripts/bench_engine.sh's networks, through the CLI), and a whole VGG-16 on
# VTA at cycle level (default design and mappings: one design evaluation of ARCO's joint
# whole-network search, docs/arco.md).
# Check first that the two give the same results: scripts/check_dram_identical.sh.
# usage: scripts/bench_dram_speed.sh OLD_PESIM NEW_PESIM [RUNS] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_PESIM NEW_PESIM [RUNS] [N]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2"); runs=${3:-5}; n=${4:-300000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/bench_dram_traces.py "$n" "$tmp"
cases=(
  "vta conv5_1 dram-bound|run --arch configs/arch/vta.cfg --workload workloads/vgg16.cfg --layer conv5_1 --mapping scripts/bench/vta_conv5_1_dram_bound.cfg --eval cycle"
  "dram stream $n|dram --preset ddr4-3200 --trace $tmp/stream.trc"
  "dram random $n|dram --preset ddr4-3200 --trace $tmp/random.trc"
  "tpu_32x32 resnet50|run --arch configs/arch/tpu_32x32.cfg --workload workloads/resnet50.cfg --eval cycle"
  "eyeriss resnet50|run --arch configs/arch/eyeriss.cfg --workload workloads/resnet50.cfg --eval cycle"
  "vta vgg16|run --arch configs/arch/vta.cfg --workload workloads/vgg16.cfg --eval cycle"
)
cpu() {   # cpu BINARY ARGS...: user + sys seconds of the child (getrusage: microseconds)
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f" % (r.ru_utime + r.ru_stime))' "$@"
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
printf "%-26s %10s %10s %8s   (CPU s, median of %d, alternating)\n" case old new new/old "$runs"
for c in "${cases[@]}"; do
    name=${c%%|*}; args=${c#*|}
    o=""; w=""
    for r in $(seq "$runs"); do
        # shellcheck disable=SC2086
        o="$o $(cpu "$old" $args)"; w="$w $(cpu "$new" $args)"
    done
    mo=$(echo "$o" | median); mw=$(echo "$w" | median)
    awk -v n="$name" -v a="$mo" -v b="$mw" 'BEGIN { printf "%-26s %10.4f %10.4f %8.3f\n", n, a, b, b / a }'
done
