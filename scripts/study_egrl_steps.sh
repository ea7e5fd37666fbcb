#!/usr/bin/env bash
# scripts/study_egrl_steps.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "More critic steps for the joint critic (wave
# 9)": egrl with critic=joint and steps=64 against ea, every other setting at
# its default, on DQN placed on the small NNP-I (tests/data/search/
# nnpi_small.cfg, rectified, optimum 4,330 cycles by enumeration), 630
# evaluations, seeds 1..SEEDS (default 48). Two streams under nice -n 10:
# stream 1 runs egrl's odd seeds; stream 2 runs ea's seeds 1..SEEDS, then
# egrl's even seeds; each seed is its own process (one at a time per
# stream), writing OUTDIR/NAME_SEED.out. CUT (a date(1) time, e.g. 16:50
# UTC; default none) is the clock cut: no seed starts after it and a seed
# still running at it is killed and not counted. Then the analysis (also
# alone: scripts/study_egrl_steps.sh --analyse OUTDIR) on the seeds both runs
# finished: mean final gap and optima found per run, and the pre-stated
# test, the one-sided exact paired Wilcoxon signed-rank test by seed of
# "egrl's gap is lower than ea's" (scripts/egrl_stats.py wilcoxon_lower),
# with the one-sided permutation p of the means as a secondary figure.
# Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."

analyse() {
/usr/bin/python3 - "$1" <<'PY'
import random, sys
sys.path.insert(0, 'scripts')
from egrl_stats import load_runs, p_lower, wilcoxon_lower
runs = load_runs(sys.argv[1])
names = ['egrl-joint64', 'ea']
if any(n not in runs for n in names):
    sys.exit('no finished seed yet for ' + ', '.join(n for n in names if n not in runs))
seeds = sorted(set(runs[names[0]]) & set(runs[names[1]]))
print(f'seeds finished by both runs: {len(seeds)}: {seeds}')
if not seeds:
    sys.exit(1)
g = {n: [runs[n][s] for s in seeds] for n in names}
for n in names:
    print(f'{n:13s} mean gap {sum(g[n]) / len(seeds):.5f}  optimum found {sum(x < 1e-12 for x in g[n])} of {len(seeds)}')
p, n, lower = wilcoxon_lower(g['egrl-joint64'], g['ea'])
print(f'PRE-STATED: egrl-joint64 lower than ea: paired Wilcoxon p = {p:.5f} ({n} seeds differ, egrl lower in {lower}); '
      f'permutation p (means) = {p_lower(g["egrl-joint64"], g["ea"], random.Random(1)):.5f}')
PY
}

if [ "${1:-}" = --analyse ]; then
  analyse "$2"
  exit
fi
seeds="${1:-48}"
out="${2:-$(mktemp -d)}"
cut="${3:-}"
. scripts/egrl_study_lib.sh
egrl_study_dir "$out"
exe="$out/study_egrl_synthetic"
end=$([ -n "$cut" ] && date -d "$cut" +%s || echo 0)
one() {  # NAME ALGO OPTIONS SEED: one seed, cut by the clock
  local left=1000000
  if [ "$end" -gt 0 ]; then left=$(( end - $(date +%s) )); fi
  [ "$left" -gt 0 ] || return 0
  timeout "$left" nice -n 10 "$exe" "$2" "$3" "$4" 1 630 capacity 4330 > "$out/$1_$4.out" || rm -f "$out/$1_$4.out"
}
( for ((s = 1; s <= seeds; s += 2)); do one egrl-joint64 egrl "critic=joint;steps=64" "$s"; done ) &
( for ((s = 1; s <= seeds; s++)); do one ea ea "" "$s"; done
  for ((s = 2; s <= seeds; s += 2)); do one egrl-joint64 egrl "critic=joint;steps=64" "$s"; done ) &
echo "running in $out (partial results: scripts/study_egrl_steps.sh --analyse $out)"
wait
analyse "$out"
