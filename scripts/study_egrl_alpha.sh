#!/usr/bin/env bash
# scripts/study_egrl_alpha.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "The entropy coefficient against the reward's
# scale" (issue #16, session 14): on the three small problems of the study
# driver (capacity: DQN on nnpi_small.cfg, optimum 4,330; transformer: 2
# BERT-base layers; resnet18: ResNet-18 on nnpi_small.cfg), BUDGET
# evaluations (environment, default 630), batch 21, seeds
# FIRST..FIRST+SEEDS-1 (environment FIRST, default 401; SEEDS default 40),
# five runs per seed and problem: ea, egrl and pg at the defaults (alpha
# 0.05), egrl-a and pg-a with --algo-opt alpha=0.0005. Outputs, streams and
# the clock cut CUT as scripts/study_egrl_cemrl.sh. The analysis (alone:
# scripts/study_egrl_alpha.sh --analyse OUTDIR) is scripts/egrl_alpha.py.
# Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/egrl_study_lib.sh
egrl_problems_study "/usr/bin/python3 scripts/egrl_alpha.py" 401 "capacity transformer resnet18" "${1:-}" "${2:-}" "${3:-}" -- "ea ea" "egrl egrl" "pg pg" "egrl-a egrl alpha=0.0005" "pg-a pg alpha=0.0005"
