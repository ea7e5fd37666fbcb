#!/usr/bin/env bash
# Recipe "sweep": a hardware sweep with an inner mapping search per point, then its
# report. configs/experiments/recipe_sweep.sh [OUT_DIR] (default recipe-sweep-out);
# PESIM names the binary (default build/Release/cli/pesim), THREADS the threads (2).
# Rerunning it resumes the sweep where a killed run stopped (the store is OUT_DIR/sweep.db).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-recipe-sweep-out}"
pesim="${PESIM:-build/Release/cli/pesim}"
mkdir -p "$out"
"$pesim" sweep --experiment configs/experiments/recipe_sweep.cfg --inner annealing --inner-budget 200 \
  --threads "${THREADS:-2}" --db "$out/sweep.db" --resume --csv "$out/sweep.csv" --json "$out/sweep.json"
"$pesim" report "$out/sweep.db" --html "$out/report.html" --title "Eyeriss array x GLB sweep on ResNet-50"
