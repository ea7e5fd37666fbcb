#!/usr/bin/env bash
# Recipe "explore": mapping searches of ResNet-50 and BERT-base (sequence 128) on two
# shipped architectures (Eyeriss-like, Simba-like), two algorithms x two seeds each, in
# one store, then its report (convergence per layer, best cycles per layer).
# configs/experiments/recipe_explore.sh [OUT_DIR] (default recipe-explore-out);
# PESIM names the binary (default build/Release/cli/pesim), BUDGET the evaluations per
# layer (default 150), THREADS the threads (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-recipe-explore-out}"
pesim="${PESIM:-build/Release/cli/pesim}"
budget="${BUDGET:-150}"
mkdir -p "$out"
for arch in eyeriss simba; do
  rm -f "$out/$arch.db"
  for wl in resnet50 bert_base_128; do
    for algo in annealing genetic; do
      for seed in 1 2; do
        "$pesim" search --arch "configs/arch/$arch.cfg" --workload "workloads/$wl.cfg" --algo "$algo" \
          --budget "$budget" --seed "$seed" --threads "${THREADS:-2}" --db "$out/$arch.db" --new-run \
          --out "$out/$arch-$wl-$algo-$seed" > "$out/$arch-$wl-$algo-$seed.txt" || [ $? -eq 1 ]   # 1: a layer without a valid mapping
      done
    done
  done
  "$pesim" report "$out/$arch.db" --html "$out/report-$arch.html" --title "ResNet-50 and BERT-base on $arch"
done
