#!/usr/bin/env bash
# scripts/study_egrl_rank.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "Rank replay against EA: pre-stated comparison
# (wave 10)": egrl with the rank-prioritised replay (OPTS below, chosen from
# the critic-fit measurement only; every other setting at its default,
# the additive critic) against ea, on DQN placed on the small NNP-I
# (tests/data/search/nnpi_small.cfg, rectified, optimum 4,330 cycles by
# enumeration), 630 evaluations, seeds 1..SEEDS (default 48). One process
# at a time under nice -n 10, by seed: ea seed s, then egrl seed s, so that
# both runs of a seed finish together; each run writes OUTDIR/NAME_SEED.out.
# CUT (a date(1) time, e.g. "20:05 UTC"; default none) is the clock cut: no
# run starts after it and a run still going at it is killed and not
# counted. Then the analysis (also alone: scripts/study_egrl_rank.sh
# --analyse OUTDIR) on the seeds both runs finished: mean final gap and
# optima found per run, and the pre-stated test, the one-sided exact paired
# Wilcoxon signed-rank test by seed of "egrl's gap is lower than ea's"
# (scripts/egrl_stats.py wilcoxon_lower), with the one-sided permutation p
# of the means as a secondary figure. Needs build/Release.
set -euo pipefail
cd "$(dirname "$0")/.."
OPTS="replay_sample=rank;replay_alpha=1;replay_beta=0"

. scripts/egrl_study_lib.sh
egrl_compare_setup egrl-rank ea "$@"
echo "running in $out (partial results: scripts/study_egrl_rank.sh --analyse $out)"
for ((s = 1; s <= seeds; s++)); do
  egrl_run_one "$out" "$end" ea ea "" "$s"
  egrl_run_one "$out" "$end" egrl-rank egrl "$OPTS" "$s"
done
egrl_analyse_pair "$out" egrl-rank ea
