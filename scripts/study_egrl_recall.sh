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
# scripts/egrl_variant.py. Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/egrl_study_lib.sh
egrl_variant_study recall "${FIRST:-241}" "${1:-}" "${2:-}" "${3:-}" -- "ea ea" "egrl egrl" "pg pg" "ea-recall ea repeats=recall" \
  "egrl-recall egrl repeats=recall" "pg-recall pg repeats=recall"
