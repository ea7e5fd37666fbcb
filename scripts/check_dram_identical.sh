#!/usr/bin/env bash
# Checks that two pesim binaries give byte-identical DRAM results: the full
# `pesim dram --json` statistics on generated traces under several presets and
# controller options, and `pesim run --eval cycle --json` on DRAM-heavy layers
# of several machines (both schedulers, refresh on and off). For a change that
# must not move any simulated figure (e.g. a faster DRAM model).
# usage: scripts/check_dram_identical.sh OLD_PESIM NEW_PESIM [N_REQUESTS]
# Prints one line per case and "identical: K of K"; exit 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_PESIM NEW_PESIM [N_REQUESTS]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2"); n=${3:-30000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Traces: a stream (1 write in 4), random addresses over 8 GiB (1 write in 4),
# four hot rows interleaved with a stream, and bursts of random reads separated by
# idle gaps longer than tREFI (refresh with empty queues), all offered one a cycle.
python3 - "$n" "$tmp" <<'PY'
import random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
def write(name, reqs):
    with open("%s/%s.trc" % (tmp, name), "w") as f:
        f.writelines("0x%x %s %d\n" % (a, "WRITE" if w else "READ", c) for a, w, c in reqs)
write("stream", [(i * 64, i % 4 == 3, i) for i in range(n)])
write("random", [(rng.getrandbits(27) * 64, rng.random() < 0.25, i) for i in range(n)])
hot = [rng.getrandbits(27) * 64 for _ in range(4)]
write("hot", [((hot[i % 4] + (i // 4 % 128) * 64) if i % 3 else i * 64, rng.random() < 0.1, i) for i in range(n)])
gap, reqs, c = [], [], 0
for i in range(n):
    if i % 500 == 0: c += 30000
    reqs.append((rng.getrandbits(27) * 64, rng.random() < 0.3, c)); c += rng.randrange(1, 4)
write("gaps", reqs)
PY

total=0; same=0
check() {   # check NAME ARGS... : runs both binaries with ARGS plus --json FILE, compares
    local name=$1; shift
    total=$((total + 1))
    if ! "$old" "$@" --json "$tmp/old.json" >/dev/null 2>"$tmp/old.err"; then echo "FAIL (old binary) $name"; cat "$tmp/old.err"; exit 1; fi
    if ! "$new" "$@" --json "$tmp/new.json" >/dev/null 2>"$tmp/new.err"; then echo "FAIL (new binary) $name"; cat "$tmp/new.err"; exit 1; fi
    if cmp -s "$tmp/old.json" "$tmp/new.json"; then
        same=$((same + 1)); echo "same  $name"
    else
        echo "DIFF  $name"; diff "$tmp/old.json" "$tmp/new.json" | head -20
    fi
}

for t in stream random hot gaps; do
    for preset in ddr4-3200 lpddr4-2400 hbm2 ddr3-1600; do
        check "dram $t $preset" dram --preset $preset --trace "$tmp/$t.trc"
    done
    tr="$tmp/$t.trc"
    check "dram $t fcfs" dram --preset ddr4-3200 --trace "$tr" --sched fcfs
    check "dram $t 3 channels" dram --preset ddr4-3200 --trace "$tr" --channels 3
    check "dram $t queue 8, bank queue 2" dram --preset ddr4-3200 --trace "$tr" --queue 8 --bank-queue 2
    check "dram $t hit cap 4, age cap 200" dram --preset ddr4-3200 --trace "$tr" --hit-cap 4 --age-cap 200
    check "dram $t no caps, bank queue 32" dram --preset ddr4-3200 --trace "$tr" --hit-cap 0 --age-cap 0 --bank-queue 32
    check "dram $t dramsim3 map, 2 channels" dram --preset ddr4-3200 --trace "$tr" --map rochrababgco --channels 2
    check "dram $t no refresh" dram --preset lpddr4-2400 --trace "$tr" --no-refresh
done
check "dram tests/data/dram/small.trc" dram --preset ddr4-3200 --trace tests/data/dram/small.trc

# Layers at cycle level (the DRAM-bound VTA mapping of the benchmark, and default mappings).
poor=scripts/bench/vta_conv5_1_dram_bound.cfg
check "run vta vgg16 conv5_1 dram-bound" run --arch configs/arch/vta.cfg --workload workloads/vgg16.cfg --layer conv5_1 --mapping $poor --eval cycle
check "run vta vgg16 conv5_1 dram-bound fcfs" run --arch configs/arch/vta.cfg --workload workloads/vgg16.cfg --layer conv5_1 --mapping $poor --eval cycle --dram-sched fcfs
check "run vta vgg16 conv5_1 dram-bound no refresh" run --arch configs/arch/vta.cfg --workload workloads/vgg16.cfg --layer conv5_1 --mapping $poor --eval cycle --no-refresh
for arch in vta eyeriss eyeriss_ddr3 tpu_32x32 simba tiny nvdla; do
    check "run $arch resnet18" run --arch configs/arch/$arch.cfg --workload workloads/resnet18.cfg --eval cycle
done
check "run tpu_32x32 resnet18 fcfs" run --arch configs/arch/tpu_32x32.cfg --workload workloads/resnet18.cfg --eval cycle --dram-sched fcfs
check "run eyeriss alexnet no refresh" run --arch configs/arch/eyeriss.cfg --workload workloads/alexnet.cfg --eval cycle --no-refresh
echo "identical: $same of $total"
[ "$same" -eq "$total" ]
