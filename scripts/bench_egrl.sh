#!/usr/bin/env bash
# EGRL's search loop in wall time (docs/performance.md, "EGRL's learner"):
# one run of egrl, pg and ea per problem of the study driver
# (scripts/study_egrl_synthetic.cc: capacity, the DQN on nnpi_small.cfg
# rectified; transformer, two BERT-base layers on nnpi_sixth.cfg; resnet18,
# ResNet-18 on nnpi_small.cfg rectified, where the evaluator's default
# mapper is most of a run), 630
# evaluations, seed 1001, default options, one thread pinned to core 0; the
# median of RUNS runs per driver, the drivers alternated run by run so that
# a change in the machine's load falls on all of them alike. Each driver's
# results must be identical (its output line and every candidate, compared);
# the table gives each driver's medians and their ratio to the first's.
# With BENCH_EGRL_SAME=0 the results may differ (a change that draws its
# random numbers otherwise): each case where they do is marked "differs".
# usage: scripts/bench_egrl.sh [RUNS [DRIVER...]]
#   default 5 runs and one driver: build/Release's, built into a temporary
#   folder (egrl_build_driver; needs scripts/build.sh Release first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/egrl_study_lib.sh
runs=${1:-5}
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
drivers=("$@")
if [ ${#drivers[@]} -eq 0 ]; then
  egrl_build_driver "$tmp/driver"
  drivers=("$tmp/driver")
fi
echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
for case in "egrl capacity 4330" "pg capacity 4330" "ea capacity 4330" "egrl transformer 0" "pg transformer 0" \
            "ea transformer 0" "egrl resnet18 0" "pg resnet18 0" "ea resnet18 0"; do
  read -r algo prob opt <<< "$case"
  for ((r = 0; r < runs; r++)); do
    for ((d = 0; d < ${#drivers[@]}; d++)); do
      t0=$(date +%s.%N)
      taskset -c 0 "${drivers[$d]}" "$algo" "" 1001 1 630 "$prob" "$opt" "$tmp/attrib$d" > "$tmp/out$d"
      t1=$(date +%s.%N)
      echo "$(echo "$t1 - $t0" | bc)" >> "$tmp/t_${algo}_${prob}_$d"
      if [ "$d" -gt 0 ] && ! { cmp -s "$tmp/out0" "$tmp/out$d" && cmp -s "$tmp/attrib0" "$tmp/attrib$d"; }; then
        echo "driver $d's $algo $prob run differs from driver 0's" >&2
        [ "${BENCH_EGRL_SAME:-1}" = 0 ] || exit 1
        touch "$tmp/differs_${algo}_${prob}"
      fi
    done
  done
  line="$algo $prob:"
  for ((d = 0; d < ${#drivers[@]}; d++)); do
    med=$(sort -g "$tmp/t_${algo}_${prob}_$d" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
    [ "$d" -eq 0 ] && first=$med
    line="$line  driver $d $(printf '%.2f' "$med") s ($(echo "scale=3; $med / $first" | bc)x)"
  done
  [ -e "$tmp/differs_${algo}_${prob}" ] && line="$line  (results differ)"
  echo "$line"
done
