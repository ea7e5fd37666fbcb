#!/usr/bin/env bash
# The sample-efficiency study of issue #15 (docs/studies/marl.md): MARL with
# agent clustering, single-agent RL, genetic, annealing and random search on
# the mapping spaces of 8 layers (ResNet-50, BERT-base, MobileNet-V2
# depthwise, DQN) on 2 architectures (eyeriss, tpu_32x32), SEEDS seeds each,
# one `pesim search` run per (arch, layer, algorithm, seed, objective) at the
# largest budget: algorithms are anytime, so the best of a run of N samples
# is its best-so-far at sample N, and every smaller budget is read off the
# same run. Writes OUT/defaults.csv (the default mapper's objective per
# case), OUT/curves.csv (one row per improvement, the format of
# scripts/bench_search.sh), OUT/marl_summary.md (scripts/study_marl.py: the
# samples to come within 5 % of the best known, best / best known at
# budgets, per case and over all cases), OUT/marl_curves.png, and the
# clustering marl found for each run (OUT/runs/*/<layer>.agents.txt).
#
# The algorithm "reference" is annealing at 10 x BUDGET, seed 1 only: a
# longer search whose best enters the best known objective of its case (it is
# not a row of the tables). Runs of several invocations (other OUT) are
# summarised together by giving study_marl.py every curves.csv.
#
# usage: scripts/study_marl.sh [BUDGET] [SEEDS] [OUT] [OBJECTIVES] [ALGOS]
#   defaults: 2000 5 build/study-marl "edp latency" "random annealing genetic rl marl reference"
# OBJECTIVES: any of pesim search's --objective values (edp, latency, energy).
# A subset of the cases: STUDY_ARCHS (arch config files) and STUDY_LAYERS
# (workload:layer items), space-separated, replace the defaults below;
# PESIM_BIN runs that pesim binary instead of building build/Release.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-2000}
seeds=${2:-5}
out=${3:-build/study-marl}
objectives=${4:-edp latency}
algos=${5:-random annealing genetic rl marl reference}
archs=${STUDY_ARCHS:-configs/arch/eyeriss.cfg configs/arch/tpu_32x32.cfg}
layers=${STUDY_LAYERS:-workloads/resnet50.cfg:res2a_branch2b workloads/resnet50.cfg:res4a_branch2b
        workloads/bert_base_128.cfg:l1_q workloads/bert_base_128.cfg:l1_ffn1
        workloads/mobilenet_v2.cfg:b2_dw workloads/mobilenet_v2.cfg:b7_dw
        workloads/dqn_atari.cfg:conv1 workloads/dqn_atari.cfg:conv2}

if [ -n "${PESIM_BIN:-}" ]; then # a copy of the binary, kept apart from rebuilds while the study runs
    pesim=$PESIM_BIN
else
    cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build/Release -j2 --target pesim >/dev/null
    pesim=build/Release/cli/pesim
fi
mkdir -p "$out/runs"
csv="$out/curves.csv"
echo "arch,workload,layer,algo,seed,sample,best_objective,objective" >"$csv"

# run ARCH WORKLOAD LAYER ALGO SEED OBJECTIVE: one search; appends its curve.
run() {
    local arch=$1 wl=$2 layer=$3 algo=$4 seed=$5 obj=$6
    local a w dir rc=0 n=$budget search=$algo
    if [ "$algo" = reference ]; then
        [ "$seed" = 1 ] || return 0
        n=$((10 * budget))
        search=annealing
    fi
    a=$(basename "$arch" .cfg)
    w=$(basename "$wl" .cfg)
    dir="$out/runs/$a-$w-$layer-$algo-$seed-$obj"
    rm -rf "$dir"
    "$pesim" search --arch "$arch" --workload "$wl" --layer "$layer" --algo "$search" --budget "$n" \
        --seed "$seed" --batch 1 --objective "$obj" --out "$dir" --db none >"$dir.log" 2>&1 || rc=$?
    [ "$rc" -le 1 ] || { echo "pesim search failed (exit $rc): $dir" >&2; cat "$dir.log" >&2; exit 1; }
    awk -F, -v p="$a,$w,$layer,$algo,$seed" -v o="$obj" '
        NR > 1 && $4 != "" && $4 != best { print p "," $1 "," $4 "," o; best = $4; at = $1 }
        NR > 1 { last = $1 }
        END { if (best == "") print p "," last ",inf," o; else if (last != at) print p "," last "," best "," o }' \
        "$dir/$layer.csv" >>"$csv"
}

# The default mapper's objective per case (pesim run: the analytical model),
# for "samples to match the default mapper".
defaults="$out/defaults.csv"
echo "objective,arch,layer,value" >"$defaults"
for obj in $objectives; do
    for arch in $archs; do
        for item in $layers; do
            case $obj in edp) key=edp_pj_cycles ;; energy) key='"energy_pj"' ;; *) key='"cycles"' ;; esac
            # awk reads to the end: a reader that quits early (grep -m1) makes pesim die of SIGPIPE
            v=$("$pesim" run --arch "$arch" --workload "${item%%:*}" --layer "${item##*:}" --json - |
                awk -v k="$key" '!done && index($0, k) { sub(/.*: */, ""); sub(/,$/, ""); print; done = 1 }')
            echo "$obj,$(basename "$arch" .cfg),${item##*:},$v" >>"$defaults"
        done
    done
done

t0=$(date +%s)
for obj in $objectives; do
    for arch in $archs; do
        for item in $layers; do
            for algo in $algos; do
                for seed in $(seq 1 "$seeds"); do
                    run "$arch" "${item%%:*}" "${item##*:}" "$algo" "$seed" "$obj"
                done
            done
        done
    done
done
t1=$(date +%s)
echo "pesim search runs: $((t1 - t0)) s on $(nproc) cores; curves in $csv"
/usr/bin/python3 scripts/study_marl.py "$csv" --defaults "$defaults" --budget "$budget" --summary "$out/marl_summary.md" \
    --png "$out/marl_curves.png"
cat "$out/marl_summary.md"
