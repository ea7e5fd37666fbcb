#!/usr/bin/env bash
# scripts/study_egrl_capacity.sh [SEEDS] - the pre-stated comparison of
# docs/egrl.md "A problem where capacity binds": egrl, ea, pg and random at
# their default settings on DQN (workloads/dqn_atari.cfg) placed on a small
# NNP-I (tests/data/search/nnpi_small.cfg), weights preloaded, rectified,
# objective latency, 630 evaluations, seeds 1..SEEDS (default 48); the final
# gap to the optimum (known by enumerating the 59,049 placements), the optima
# found, and the one-sided permutation p of "EGRL's mean gap is lower"
# against each. Also prints the problem's landscape (optimum, greedy's gap).
# Runs under nice; about 6 minutes of one core at 48 seeds. Needs
# build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-48}"
nice -n 10 scripts/study_egrl_synthetic.sh 1 "$seeds" capacity 630
