#!/usr/bin/env bash
# The ARCO study (issue #17, docs/arco.md): on the VTA joint space of
# configs/experiments/vta_arco.cfg (hardware + tiling + schedule, the
# experiment's area budget), the latency of the best design and the
# optimisation cost (measured samples with the cycle engine, designs predicted
# with the analytical model outside the budget, CPU and wall time) for ARCO,
# ARCO with only its XGBoost surrogate as the cheap predictor (arco-sur:
# --algo-opt predictor=surrogate, no analytical call), plain MARL (ARCO
# without confidence sampling: --algo-opt confidence=0), the same three with
# the actors decoding through the space's masks (arco-mask, arco-sur-mask,
# marl-mask: --algo-opt mask=1), the
# AutoTVM-like tuner (autotvm-mask: its annealing walks through the masks,
# --algo-opt mask=1), the genetic algorithm, simulated annealing and random
# search, over seeds. Every measured sample runs the cycle engine (--eval cycle).
#
# Each run is OUT/runs/<workload>-<layer>-<algo>-<seed>.{json,log,time,db} and
# OUT/runs/<...>/convergence.csv. The study is restartable: a run whose .json
# and .time exist is not run again (a stopped study picks up where it was;
# delete a run's files to redo it), nor one that another instance of the study
# is running (flock on its .lock). Then scripts/study_arco.py writes
# OUT/runs.csv (one row per run), OUT/curves.csv (best so far per run and
# sample, with the elapsed evaluation time), OUT/arco_summary.md (the table
# and the rank tests docs/arco.md shows) and OUT/arco_curves.png (best so far
# against measured samples and against time; Debian's python3-matplotlib).
#
# usage: [PESIM=binary] [ALGOS="arco arco-sur autotvm ..."] [JOBS=N] \
#        scripts/study_arco.sh [BUDGET] [SEEDS] [OUT] [LAYERS]
#   defaults 48, 5, build/study-arco, "resnet18:res5a_branch1 vgg16:fc8"
#   LAYERS: WORKLOAD:LAYER pairs (workloads/WORKLOAD.cfg); "WORKLOAD:" (no
#   layer) searches the whole network jointly (every MAC layer's mapping).
#   JOBS: runs at once (default 1; the results do not depend on it, the wall
#   times do). FIRST_SEED (default 1): run seeds FIRST_SEED..SEEDS only (the
#   earlier seeds come from another OUT through study_arco.py --merge).
#   SPACE (default joint): "hardware" searches the hardware parameters only
#   (joint = false, no --joint): every layer is mapped by the default mapper on
#   the proposed design, as a compiler would; ARCO's tiling agent then has no
#   choice and its schedule agent only the virtual threads. Use its own OUT.
#   DRAM (default controller): "port" replaces VTA's DDR4 controller model by
#   a plain memory level, its load/store port and a fixed latency
#   (OUT/runs/vta_port.cfg; docs/arco.md section 6.10 says why and how close it
#   is); mem_bw then sets the port only. Use its own OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-48}
seeds=${2:-5}
out=${3:-build/study-arco}
layers=${4:-"resnet18:res5a_branch1 vgg16:fc8"}
algos=${ALGOS:-"arco arco-sur marl autotvm genetic annealing random"}
jobs=${JOBS:-1}
first_seed=${FIRST_SEED:-1}
case ${SPACE:=joint} in
joint) export JOINT_FLAG=--joint joint_sed='s|joint = true;|joint = true;|' ;;
hardware) export JOINT_FLAG= joint_sed='s|joint = true;|joint = false;|' ;;
*) echo "study_arco.sh: SPACE must be joint or hardware, not '$SPACE'" >&2; exit 2 ;;
esac
case ${DRAM:=controller} in
controller | port) ;;
*) echo "study_arco.sh: DRAM must be controller or port, not '$DRAM'" >&2; exit 2 ;;
esac

# PESIM: a pesim binary to use (else build/Release's, built first)
if [ -z "${PESIM:-}" ]; then
    cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build/Release -j2 --target pesim >/dev/null
fi
export PESIM=${PESIM:-build/Release/cli/pesim}
export STUDY_BUDGET=$budget
mkdir -p "$out/runs"

# DRAM=port: VTA without its DDR4 controller model. The outermost level keeps
# its load/store port (mem_bw's words a cycle) and takes a fixed latency of 4
# cycles: a DDR4-3200 row miss, 1 + tRCD + CL + BL/2 = 49 tCK of 0.625 ns =
# 30.6 ns (docs/dram.md), rounded up to 100 MHz cycles. One DDR4 channel
# (x16 here) moves 64 B per 10 ns cycle, above every mem_bw port (8-32 B), so
# the port sets the bandwidth in both models; what the port model leaves out
# is row conflicts, refresh and the controller's queueing.
base_arch=configs/arch/vta.cfg
exp_sed=()
if [ "$DRAM" = port ]; then
    base_arch="$out/runs/vta_port.cfg"
    sed -e '/^ *dram = { preset = "ddr4-3200"/d' \
        -e 's|^\( *\)write_words_per_cycle = 8.0;$|&\n\1latency_cycles = 4;           # DDR4-3200 row miss, 30.6 ns (study_arco.sh DRAM=port)|' \
        configs/arch/vta.cfg >"$base_arch"
    grep -q 'dram = {' "$base_arch" && { echo "study_arco.sh: could not remove the dram group" >&2; exit 2; }
    exp_sed=(-e "s|\"configs/arch/vta.cfg\"|\"$base_arch\"|"
             -e 's|, "DRAM.dram.channels" \]| ]|'
             -e 's|( \([0-9.]*\), \([0-9.]*\), [0-9]* )|( \1, \2 )|g')
fi

# One run: $1 = experiment file, $2 = run stem (OUT/runs/WL-LAYER-ALGO-SEED),
# $3 = algorithm, $4 = seed. Skipped when already complete.
run_one() {
    local exp=$1 dir=$2 algo=$3 seed=$4 name=$3 rc=0
    local opt=()
    [ -s "$dir.json" ] && [ -s "$dir.time" ] && return 0
    # a run another instance of the study is running is left to it (the lock
    # goes with the process that holds it)
    exec 9>"$dir.lock"
    flock -n 9 || return 0
    if [ "$algo" = marl ]; then name=arco opt=(--algo-opt confidence=0); fi
    if [ "$algo" = arco-sur ]; then name=arco opt=(--algo-opt predictor=surrogate); fi
    if [ "$algo" = arco-mask ]; then name=arco opt=(--algo-opt mask=1); fi
    if [ "$algo" = arco-sur-mask ]; then name=arco opt=(--algo-opt predictor=surrogate,mask=1); fi
    if [ "$algo" = marl-mask ]; then name=arco opt=(--algo-opt confidence=0,mask=1); fi
    if [ "$algo" = autotvm-mask ]; then name=autotvm opt=(--algo-opt mask=1); fi
    # a run stopped part way (its store exists, its .json does not) resumes from
    # its store: the search replays the stored samples and goes on. The stopped
    # segments' time is lost with their process; their evaluations' seconds
    # (the store's wall_s) go to $dir.prior, which study_arco.py adds to the
    # run's wall and CPU seconds.
    local resume=()
    if [ -s "$dir.db" ] && [ ! -s "$dir.json" ]; then
        resume=(--resume)
        /usr/bin/python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT COALESCE(SUM(wall_s), 0) FROM evaluations").fetchone()[0])' \
            "$dir.db" >"$dir.prior" || resume=()
    fi
    if [ ${#resume[@]} -eq 0 ]; then rm -rf "$dir" "$dir.json" "$dir.time" "$dir.db" "$dir.prior"; fi
    /usr/bin/time -f "%e %U %S" -o "$dir.time.tmp" \
        "$PESIM" search --experiment "$exp" $JOINT_FLAG --algo "$name" "${opt[@]}" "${resume[@]}" --budget "$STUDY_BUDGET" \
        --batch 4 --seed "$seed" --eval cycle --db "$dir.db" --out "$dir" --json "$dir.json" \
        >"$dir.log" 2>&1 || rc=$?
    # status 1: the run found nothing valid (still a result); above: a failure
    if [ "$rc" -gt 1 ]; then
        echo "study_arco.sh: $dir failed (status $rc), see $dir.log" >&2
        rm -f "$dir.json"
        return 1
    fi
    tail -n1 "$dir.time.tmp" >"$dir.time" && rm -f "$dir.time.tmp"
    echo "$(basename "$dir"): $(grep -m1 '^samples' "$dir.log" || true)"
}
export -f run_one

list=$(mktemp)
trap 'rm -f "$list"' EXIT
for wl_layer in $layers; do
    wl=${wl_layer%%:*}
    layer=${wl_layer#*:}
    exp="$out/runs/$wl-${layer:-net}.cfg"
    if [ -n "$layer" ]; then
        sed -e "s|workloads/resnet18.cfg|workloads/$wl.cfg|" -e "s|layer = \"res3a_branch2a\";|layer = \"$layer\";|" -e "$joint_sed" "${exp_sed[@]}" \
            configs/experiments/vta_arco.cfg >"$exp"
    else
        sed -e "s|workloads/resnet18.cfg|workloads/$wl.cfg|" -e "/layer = \"res3a_branch2a\";/d" -e "$joint_sed" "${exp_sed[@]}" \
            configs/experiments/vta_arco.cfg >"$exp"
    fi
    # seeds outermost within a layer: a stopped study has every algorithm's first seeds
    for seed in $(seq "$first_seed" "$seeds"); do
        for algo in $algos; do
            echo "$exp $out/runs/$wl-${layer:-net}-$algo-$seed $algo $seed" >>"$list"
        done
    done
done
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ <"$list"
/usr/bin/python3 scripts/study_arco.py "$out" --budget "$budget" --layers "$layers" --seeds "$seeds" --algos "$algos" --space "$SPACE"
echo "study_arco.sh: $out/arco_summary.md, $out/arco_curves.png"
