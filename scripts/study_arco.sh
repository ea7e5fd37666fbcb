#!/usr/bin/env bash
# The ARCO study (issue #17, docs/arco.md): on the VTA joint space of
# configs/experiments/vta_arco.cfg (hardware + tiling + schedule, one layer
# per run, the experiment's area budget), the latency of the best design and
# the optimisation cost (measured samples with the cycle engine, designs
# predicted with the analytical model outside the budget, wall time) for ARCO,
# plain MARL (ARCO without confidence sampling: --algo-opt confidence=0), the
# AutoTVM-like tuner, the genetic algorithm, simulated annealing and random
# search, over seeds. Every measured sample runs the cycle engine (--eval cycle).
#
# Writes OUT/runs.csv (one row per run), OUT/curves.csv (best so far per run
# and sample), OUT/arco_summary.md (the table docs/arco.md shows) and
# OUT/arco_curves.png (scripts/study_arco.py, Debian's python3-matplotlib).
#
# usage: [PESIM=binary] [ALGOS="arco autotvm ..."] scripts/study_arco.sh [BUDGET] [SEEDS] [OUT] [LAYERS]
#   defaults 48, 5, build/study-arco, "resnet18:res5a_branch1 vgg16:fc8"
#   LAYERS: WORKLOAD:LAYER pairs (workloads/WORKLOAD.cfg); "WORKLOAD:" (no
#   layer) searches the whole network jointly (every MAC layer's mapping).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-48}
seeds=${2:-5}
out=${3:-build/study-arco}
layers=${4:-"resnet18:res5a_branch1 vgg16:fc8"}
algos=${ALGOS:-"arco marl autotvm genetic annealing random"}
batch=4

# PESIM: a pesim binary to use (else build/Release's, built first)
if [ -z "${PESIM:-}" ]; then
    cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build/Release -j2 --target pesim >/dev/null
fi
pesim=${PESIM:-build/Release/cli/pesim}
rm -rf "$out/runs"
mkdir -p "$out/runs"
echo "workload,layer,algo,seed,best_cycles,samples,valid,predicted,wall_s" >"$out/runs.csv"
echo "workload,layer,algo,seed,sample,best_cycles" >"$out/curves.csv"

for wl_layer in $layers; do
    wl=${wl_layer%%:*}
    layer=${wl_layer#*:}
    exp="$out/runs/$wl-${layer:-net}.cfg"
    if [ -n "$layer" ]; then
        sed -e "s|workloads/resnet18.cfg|workloads/$wl.cfg|" -e "s|layer = \"res3a_branch2a\";|layer = \"$layer\";|" \
            configs/experiments/vta_arco.cfg >"$exp"
    else
        sed -e "s|workloads/resnet18.cfg|workloads/$wl.cfg|" -e "/layer = \"res3a_branch2a\";/d" \
            configs/experiments/vta_arco.cfg >"$exp"
    fi
    for algo in $algos; do
        for seed in $(seq 1 "$seeds"); do
            dir="$out/runs/$wl-${layer:-net}-$algo-$seed"
            name=$algo opt=()
            if [ "$algo" = marl ]; then name=arco opt=(--algo-opt confidence=0); fi
            rc=0
            "$pesim" search --experiment "$exp" --joint --algo "$name" "${opt[@]}" --budget "$budget" \
                --batch "$batch" --seed "$seed" --eval cycle --db none --out "$dir" --json "$dir.json" \
                >"$dir.log" 2>&1 || rc=$?
            [ "$rc" -le 1 ] || { echo "study_arco.sh: $dir failed (status $rc), see $dir.log" >&2; exit 1; }
            /usr/bin/python3 - "$dir.json" "$dir/convergence.csv" "$wl" "${layer:-net}" "$algo" "$seed" \
                "$out/runs.csv" "$out/curves.csv" <<'PY'
import csv, json, sys
js, conv, wl, layer, algo, seed, runs, curves = sys.argv[1:]
d = json.load(open(js))
best = d["best"]["cycles"] if d.get("best") else ""
with open(runs, "a") as f:
    f.write(f'{wl},{layer},{algo},{seed},{best},{d["samples"]},{d["valid_samples"]},'
            f'{d.get("predicted_samples", 0)},{d["wall_s"]:.3f}\n')
with open(curves, "a") as f:
    for row in csv.DictReader(open(conv)):
        f.write(f'{wl},{layer},{algo},{seed},{row["sample"]},{row["best_objective"]}\n')
PY
            echo "$wl ${layer:-net} $algo seed $seed: $(grep -m1 '^samples' "$dir.log")"
        done
    done
done
/usr/bin/python3 scripts/study_arco.py "$out" --budget "$budget"
echo "study_arco.sh: $out/arco_summary.md, $out/arco_curves.png"
