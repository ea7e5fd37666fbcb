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

. scripts/egrl_study_lib.sh
egrl_compare_setup egrl-joint64 ea "$@"
( for ((s = 1; s <= seeds; s += 2)); do egrl_run_one "$out" "$end" egrl-joint64 egrl "critic=joint;steps=64" "$s"; done ) &
( for ((s = 1; s <= seeds; s++)); do egrl_run_one "$out" "$end" ea ea "" "$s"; done
  for ((s = 2; s <= seeds; s += 2)); do egrl_run_one "$out" "$end" egrl-joint64 egrl "critic=joint;steps=64" "$s"; done ) &
echo "running in $out (partial results: scripts/study_egrl_steps.sh --analyse $out)"
wait
egrl_analyse_pair "$out" egrl-joint64 ea
