#!/usr/bin/env bash
# Search sample efficiency: best objective vs samples for each algorithm,
# over seeds, on a fixed layer set, with `pesim search` (analytical model,
# objective EDP, batch 1). Writes OUT/search_curves.csv (one row per run and
# sample: the best so far), OUT/search_summary.md (the table docs/search.md
# shows) and OUT/search_curves.png (scripts/plot_search.py).
#
# Layer set: ResNet-50 res2a_branch2b (3x3 conv), BERT-base l1_ffn1 (GEMM),
# MobileNet-V2 b2_dw (depthwise), DQN conv2, on eyeriss and tpu_32x32; plus a
# micro layer (tests/data/search) whose space is small enough for exhaustive
# search, so its true optimum is known.
#
# usage: scripts/bench_search.sh [BUDGET] [SEEDS] [OUT]   (defaults 5000 5 build/bench-search)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-5000}
seeds=${2:-5}
out=${3:-build/bench-search}
algos="random annealing genetic timeloop"
archs="configs/arch/eyeriss.cfg configs/arch/tpu_32x32.cfg"
layers="workloads/resnet50.cfg:res2a_branch2b workloads/bert_base_128.cfg:l1_ffn1
        workloads/mobilenet_v2.cfg:b2_dw workloads/dqn_atari.cfg:conv2"

cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target pesim >/dev/null
pesim=build/Release/cli/pesim
rm -rf "$out/runs"
mkdir -p "$out/runs"
csv="$out/search_curves.csv"
echo "arch,workload,layer,algo,seed,sample,best_objective" >"$csv"

# run ARCH WORKLOAD LAYER ALGO SEED BUDGET: one search; appends its curve.
run() {
    local arch=$1 wl=$2 layer=$3 algo=$4 seed=$5 n=$6
    local a w dir
    a=$(basename "$arch" .cfg)
    w=$(basename "$wl" .cfg)
    dir="$out/runs/$a-$w-$layer-$algo-$seed"
    local rc=0
    "$pesim" search --arch "$arch" --workload "$wl" --layer "$layer" --algo "$algo" --budget "$n" \
        --seed "$seed" --batch 1 --objective edp --out "$dir" --json "$dir/result.json" >/dev/null 2>&1 || rc=$?
    # exit 1: the run found no valid mapping; its curve is one row of "inf"
    [ "$rc" -le 1 ] || { echo "pesim search failed (exit $rc): $dir" >&2; exit 1; }
    # best_objective is column 4 of the convergence CSV (empty until a valid
    # sample); keep the samples where it improves, and the last one
    awk -F, -v p="$a,$w,$layer,$algo,$seed" '
        NR > 1 && $4 != "" && $4 != best { print p "," $1 "," $4; best = $4; at = $1 }
        NR > 1 { last = $1 }
        END { if (best == "") print p "," last ",inf"; else if (last != at) print p "," last "," best }' \
        "$dir/$layer.csv" >>"$csv"
}

t0=$(date +%s)
for arch in $archs; do
    for item in $layers; do
        wl=${item%%:*}
        layer=${item##*:}
        for algo in $algos; do
            for seed in $(seq 1 "$seeds"); do
                run "$arch" "$wl" "$layer" "$algo" "$seed" "$budget"
            done
        done
    done
done
# The micro layer: every algorithm, and exhaustive for its true optimum.
for algo in $algos; do
    for seed in $(seq 1 "$seeds"); do
        run tests/data/search/micro_arch.cfg tests/data/search/micro.cfg fc "$algo" "$seed" "$budget"
    done
done
run tests/data/search/micro_arch.cfg tests/data/search/micro.cfg fc exhaustive 1 1000000
t1=$(date +%s)

echo "pesim search runs: $((t1 - t0)) s; curves in $csv"
/usr/bin/python3 scripts/plot_search.py "$csv" "$out/search_curves.png" --budget "$budget" \
    --summary "$out/search_summary.md"
cat "$out/search_summary.md"
