#!/usr/bin/env bash
# scripts/study_egrl_rank_uniform.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "Rank replay against uniform replay inside EGRL:
# pre-stated comparison (wave 10, round 2)": egrl with the rank-prioritised
# replay (study_egrl_rank.sh's OPTS, unchanged) against egrl with its default
# uniform replay, on the capacity-bound problem (630 evaluations, optimum
# 4,330 cycles), on fresh seeds 49..48+SEEDS (default 48: 49-96; seeds 1-48
# chose the setting and showed the effect, so they are not reused). One
# process at a time under nice -n 10, by seed (uniform, then rank); CUT is the
# clock cut as in study_egrl_rank.sh. Then the pre-stated test: one-sided
# exact paired Wilcoxon signed-rank test by seed of "rank's gap is lower
# than uniform's" (alone: scripts/study_egrl_rank_uniform.sh --analyse OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
OPTS="replay_sample=rank;replay_alpha=1;replay_beta=0"

. scripts/egrl_study_lib.sh
egrl_compare_setup egrl-rank egrl-uniform "$@"
echo "running in $out (partial results: scripts/study_egrl_rank_uniform.sh --analyse $out)"
for ((s = 49; s <= 48 + seeds; s++)); do
  egrl_run_one "$out" "$end" egrl-uniform egrl "" "$s"
  egrl_run_one "$out" "$end" egrl-rank egrl "$OPTS" "$s"
done
egrl_analyse_pair "$out" egrl-rank egrl-uniform
