#!/usr/bin/env bash
# scripts/study_egrl_rectify.sh [SEEDS] - the pre-stated comparison of
# docs/egrl.md "With rectification": egrl, ea, pg and random on the small real
# network of SearchEgrl.FindsTheOptimumOfASmallNetwork (seeds 1.., 630
# evaluations) and on the synthetic problem (seeds 100.., 1000 evaluations),
# both with rectification (a placement that does not fit is spilled outward,
# as net's rectify does), SEEDS seeds each (default 48), default settings
# (hidden 16, depth 2 as the tests), and the one-sided permutation p of "EGRL
# lower" against each (scripts/study_egrl_synthetic.sh does the work).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-48}"
scripts/study_egrl_synthetic.sh 1 "$seeds" fc6-rectify
scripts/study_egrl_synthetic.sh 100 "$seeds" synthetic-rectify
