#!/usr/bin/env bash
# The search loop at model speed (docs/performance.md, "Search loop"): on one
# layer's mapping space, the raw analytical model on one thread against the
# evaluator service and whole `random` campaigns (with a store, and without),
# from 1 thread to THREADS, and the cycle engine's thread scaling on valid
# candidates. scripts/bench/search_bench.c does the work; each figure is the
# median of RUNS runs. Pin it to cores for stable figures (taskset).
#
# usage: scripts/bench_search_loop.sh THREADS [N] [BATCH] [RUNS] [ARCH WORKLOAD LAYER [CYCLE_LAYER]]
#   defaults: N 400000, BATCH 4096, RUNS 3, eyeriss resnet50 res2a_branch2b;
#   the cycle engine runs on dqn_atari conv2 (64 valid candidates) unless CYCLE_LAYER
#   ("WORKLOAD:LAYER") says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:?usage: scripts/bench_search_loop.sh THREADS [N] [BATCH] [RUNS] [ARCH WORKLOAD LAYER]}
n=${2:-400000}
batch=${3:-4096}
runs=${4:-3}
arch=${5:-configs/arch/eyeriss.cfg}
wl=${6:-workloads/resnet50.cfg}
layer=${7:-res2a_branch2b}
cyc=${8:-workloads/dqn_atari.cfg:conv2}
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target search_bench >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for r in $(seq 1 "$runs"); do
    build/Release/search_bench "$arch" "$wl" "$layer" "$threads" "$n" "$batch" 0 "$tmp" >"$tmp/run$r.txt"
    build/Release/search_bench "$arch" "${cyc%%:*}" "${cyc##*:}" "$threads" 2000 64 64 "$tmp" |
        grep "cycle engine" >>"$tmp/run$r.txt"
done
head -1 "$tmp/run1.txt"
# the median of each line's rate over the runs
python3 - "$runs" "$tmp" <<'PY'
import re, statistics, sys
runs, tmp = int(sys.argv[1]), sys.argv[2]
rows = {}
for r in range(1, runs + 1):
    for line in open(f"{tmp}/run{r}.txt"):
        m = re.match(r"(.+?)\s+threads\s+(\d+)\s+([\d.]+) evaluations/s", line)
        if m:
            rows.setdefault((m.group(1).strip(), int(m.group(2))), []).append(float(m.group(3)))
model = statistics.median(rows.get(("model (decoded mappings)", 1), [0])) or None
cyc1 = statistics.median(rows.get(("cycle engine", 1), [0])) or None
print(f"{'what':28s} {'threads':>7s} {'evaluations/s (median of %d)' % runs:>30s}  ratio")
for (what, t), v in rows.items():
    med = statistics.median(v)
    if what == "cycle engine":
        ratio = f"{med / cyc1:.2f}x one thread" if cyc1 else ""
    else:
        ratio = f"{med / model:.2f}x the raw model on 1 thread" if model and what != "model (decoded mappings)" else ""
    print(f"{what:28s} {t:7d} {med:30.0f}  {ratio}")
PY
