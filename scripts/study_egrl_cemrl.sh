#!/usr/bin/env bash
# scripts/study_egrl_cemrl.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "Critic steps on the members (CEM-RL)" (issue
# #16, wave 17): on the three small problems of the study driver
# (capacity: DQN on nnpi_small.cfg, optimum 4,330; transformer: 2 BERT-base
# layers; resnet18: ResNet-18 on nnpi_small.cfg), BUDGET evaluations
# (environment, default 630), batch 21, seeds FIRST..FIRST+SEEDS-1
# (environment FIRST, default 361; SEEDS default 40), four runs per seed and
# problem: ea, egrl, pg and egrl-grad (--algo-opt pop_grad=16), each
# writing OUTDIR/PROBLEM/NAME_SEED.out, NAME_SEED.attrib and its wall
# seconds to OUTDIR/PROBLEM/wall.txt. The three problems run as three
# processes side by side, each one run at a time under nice -n 10, by seed.
# CUT (a date(1) time, e.g. "14:35 UTC"; default none): no run starts after
# it, a run still going then is killed and not counted. The analysis
# (alone: scripts/study_egrl_cemrl.sh --analyse OUTDIR) is
# scripts/egrl_cemrl.py. Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/egrl_study_lib.sh
egrl_problems_study "/usr/bin/python3 scripts/egrl_cemrl.py" 361 "capacity transformer resnet18" "${1:-}" "${2:-}" "${3:-}" -- "ea ea" "egrl egrl" "pg pg" "egrl-grad egrl pop_grad=16"
