#!/usr/bin/env bash
# The learned joint search's own loop (docs/performance.md, "Masked joint search"): CPU
# seconds of whole `pesim search --joint` runs on VTA res3a_branch2a (configs/experiments/
# vta_arco.cfg, area budget 3.0e6 um2) with the analytical model as the measurement, so
# that the time is the algorithm's (proposals, masks, surrogate, learning), not the cycle
# engine's. Each figure is the median user CPU time of RUNS runs of one seed; the runs'
# convergence files are compared so a speed change that changes results shows.
#
# usage: scripts/bench_joint_search.sh [RUNS] [BUDGET]   (defaults 3, 96)
#   PESIM: the binary to time (else build/Release's, built first); run it once per binary
#   to compare two commits.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
budget=${2:-96}
if [ -z "${PESIM:-}" ]; then
    cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build/Release -j2 --target pesim >/dev/null
fi
PESIM=${PESIM:-build/Release/cli/pesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg); $PESIM"
printf '%-34s %12s  %s\n' "algorithm" "user CPU s" "(median of $runs; convergence files of the runs equal?)"
for spec in "arco mask=1" "arco mask=1,predictor=surrogate" "arco -" "autotvm -" "genetic -"; do
    set -- $spec
    opt=()
    [ "$2" != "-" ] && opt=(--algo-opt "$2")
    for r in $(seq 1 "$runs"); do
        rm -rf "$tmp/out"
        /usr/bin/time -f "%U" -a -o "$tmp/times" "$PESIM" search --experiment configs/experiments/vta_arco.cfg \
            --joint --algo "$1" "${opt[@]}" --budget "$budget" --batch 4 --seed 1 --eval analytical \
            --db none --out "$tmp/out" >/dev/null
        cp "$tmp/out/convergence.csv" "$tmp/conv$r.csv"
    done
    same=yes
    for r in $(seq 2 "$runs"); do cmp -s "$tmp/conv1.csv" "$tmp/conv$r.csv" || same=no; done
    med=$(sort -n "$tmp/times" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    printf '%-34s %12s  %s\n' "$spec" "$med" "$same"
    rm -f "$tmp/times"
done
