#!/usr/bin/env bash
# scripts/study_egrl_synthetic.sh [FIRST_SEED] [SEEDS] [PROBLEM] [BUDGET] -
# EGRL against its baselines on a placement problem with a known optimum,
# seeds FIRST_SEED.. (default 100, 48 seeds), then one-sided permutation
# tests of the mean gaps (100,000 random relabellings, seeded).
# PROBLEM synthetic (the default; budget 1000): the synthetic problem of
# tests/search_egrl_test.cc, refused placements invalid: EGRL, evolution only,
# the learner only, random search and two ablations of EGRL (steps=0: the
# learner never trains; critic=1: the per-head critic); docs/egrl.md "Audit of
# the learner" quotes it. PROBLEM synthetic-rectify (budget 1000) or
# fc6-rectify (the network of SearchEgrl.FindsTheOptimumOfASmallNetwork;
# budget 630): with rectification, egrl, ea, pg and random, and "egrl lower"
# against each (scripts/study_egrl_rectify.sh; docs/egrl.md "With
# rectification"). Hidden 16, depth 2 (the tests' sizes). PROBLEM capacity
# (budget 630): DQN on a small NNP-I, rectified, where capacity still binds
# (tests/search_egrl_problem.h; docs/egrl.md "A problem where capacity
# binds"): egrl, ea, pg and random at their default settings, "egrl lower"
# against each (scripts/study_egrl_capacity.sh). Needs build/Release
# (scripts/build.sh Release); builds the driver into
# build/Release/study_egrl_synthetic.
set -euo pipefail
cd "$(dirname "$0")/.."
first="${1:-100}"
seeds="${2:-48}"
problem="${3:-synthetic}"
case "$problem" in fc6* | capacity) budget="${4:-630}" ;; *) budget="${4:-1000}" ;; esac
. scripts/egrl_study_lib.sh
exe="$(mktemp -d)/study_egrl_synthetic"
egrl_build_driver "$exe"
out=$(mktemp)
k='hidden=16;depth=2'
if [ "$problem" = capacity ]; then  # default settings (docs/egrl.md "Pre-stated comparison")
  runs=("egrl|" "ea|" "pg|" "random|")
  pairs='0,1 0,2 0,3'
elif [ "$problem" = synthetic ]; then
  runs=("egrl|$k" "ea|$k" "egrl|$k;steps=0" "egrl|$k;critic=1" "random|" "pg|$k;rollouts=20")
  pairs='1,0 2,0 0,3 0,5 0,1'
else  # egrl lower than each; pg as each problem's test runs it
  pg="pg|$k;rollouts=20"
  case "$problem" in fc6*) pg="pg|$k" ;; esac
  runs=("egrl|$k" "ea|$k" "$pg" "random|")
  pairs='0,1 0,2 0,3'
fi
[ "$problem" = capacity ] && "$exe" describe "" 1 1 1 capacity
for run in "${runs[@]}"; do
  "$exe" "${run%%|*}" "${run#*|}" "$first" "$seeds" "$budget" "$problem" | tee -a "$out"
done
/usr/bin/python3 - "$out" "$pairs" <<'PY'
import random, sys
sys.path.insert(0, 'scripts')
from egrl_stats import p_lower
rows = [l for l in open(sys.argv[1]) if 'gaps:' in l]
gaps = [[float(x) for x in l.split('gaps:')[1].split('mean')[0].split()] for l in rows]
names = [l.split(' gaps:')[0] for l in rows]
rng = random.Random(1)
for i, j in (map(int, p.split(',')) for p in sys.argv[2].split()):
    print(f"{names[i]} lower than {names[j]}: p = {p_lower(gaps[i], gaps[j], rng):.5f}")
PY
rm -f "$out"
rm -rf "$(dirname "$exe")"
