#!/usr/bin/env bash
# Recipe "fidelity": the analytical model against the cycle engine over many mappings of
# each ResNet-18 layer on the 32 x 32 TPU-like array - random valid mappings and those an
# annealing search evaluates - with errors, rank correlations, flipped pairs and the gap
# by stall cause, then the report (its analytical-vs-simulated scatter).
# configs/experiments/recipe_fidelity.sh [OUT_DIR] (default recipe-fidelity-out);
# PESIM names the binary (default build/Release/cli/pesim), MAPPINGS the random mappings
# per layer (default 8).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-recipe-fidelity-out}"
pesim="${PESIM:-build/Release/cli/pesim}"
mkdir -p "$out"
rm -f "$out/fidelity.db"
"$pesim" compare --arch configs/arch/tpu_32x32.cfg --workload workloads/resnet18.cfg \
  --mappings "${MAPPINGS:-8}" --search-budget 16 --threads "${THREADS:-2}" \
  --csv "$out/fidelity.csv" --db "$out/fidelity.db" | tee "$out/fidelity.txt"
"$pesim" report "$out/fidelity.db" --html "$out/report.html" --title "Analytical model vs cycle engine, ResNet-18 on a 32x32 array"
