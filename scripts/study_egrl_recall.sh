#!/usr/bin/env bash
# scripts/study_egrl_recall.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "Not charging the learner for repeats": on the
# capacity problem (DQN on nnpi_small.cfg, rectified; the driver's problem
# capacity, optimum 4,330) and the transformer problem (problem transformer),
# BUDGET evaluations (environment, default 630), batch 21, seeds
# FIRST..FIRST+SEEDS-1 (environment FIRST, default 241; SEEDS default 40), six
# runs per seed and problem: ea, egrl, pg and ea-recall, egrl-recall,
# pg-recall (--algo-opt repeats=recall), each writing OUTDIR/PROBLEM/
# NAME_SEED.out (study_egrl_synthetic's line) and NAME_SEED.attrib (every
# evaluated candidate: origin, validity, objective, placement key), and its
# wall seconds to OUTDIR/PROBLEM/wall.txt ("NAME SEED SECONDS"). The two
# problems run as two processes side by side, each one run at a time under
# nice -n 10, by seed. CUT (a date(1) time, e.g. "05:30 UTC"; default none):
# no run starts after it, a run still going then is killed and not counted.
# The analysis (alone: scripts/study_egrl_recall.sh --analyse OUTDIR) is
# scripts/egrl_recall.py. Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${BUDGET:-630}"
FIRST="${FIRST:-241}"
. scripts/egrl_study_lib.sh

if [ "${1:-}" = --analyse ]; then
  /usr/bin/python3 scripts/egrl_recall.py "$2"
  exit
fi
seeds="${1:-40}"
out="${2:-$(mktemp -d)}"
cut="${3:-}"
egrl_study_dir "$out"
end=$([ -n "$cut" ] && date -d "$cut" +%s || echo 0)
echo "running in $out (partial results: scripts/study_egrl_recall.sh --analyse $out)"
# stream PROBLEM OPTIMUM: every seed's six runs of one problem, in order
stream() {
  local d="$out/$1"
  mkdir -p "$d"
  ln -sf ../study_egrl_synthetic "$d/study_egrl_synthetic"
  for ((s = FIRST; s < FIRST + seeds; s++)); do
    for r in "ea ea" "egrl egrl" "pg pg" "ea-recall ea repeats=recall" "egrl-recall egrl repeats=recall" \
             "pg-recall pg repeats=recall"; do
      read -r name algo opt <<< "$r"
      local t0 t1
      t0=$(date +%s.%N)
      egrl_run_one "$d" "$end" "$name" "$algo" "${opt:-}" "$s" "$BUDGET" "$1" "$2" "$d/${name}_$s.attrib"
      t1=$(date +%s.%N)
      [ -f "$d/${name}_$s.out" ] && echo "$name $s $(echo "$t1 - $t0" | bc)" >> "$d/wall.txt"
    done
  done
}
stream capacity 4330 &
stream transformer 0 &
wait
/usr/bin/python3 scripts/egrl_recall.py "$out"
