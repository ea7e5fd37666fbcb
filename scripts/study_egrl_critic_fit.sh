#!/usr/bin/env bash
# scripts/study_egrl_critic_fit.sh [FIRST_SEED [SEEDS [SAMPLE [OPTS [CRITICS]]]]]
# - does EGRL's critic learn the landscape? (docs/egrl.md "Does the critic
# learn the landscape?" and, with OPTS, "Prioritised replay by reward
# rank"). On the capacity-bound problem (DQN on
# tests/data/search/nnpi_small.cfg, rectified, 59,049 placements, all
# enumerated), egrl at its defaults with each critic of CRITICS (default
# "additive joint"), 630 evaluations, seeds FIRST_SEED.. (default 1, 3
# seeds): after every generation the Spearman rank correlation between the
# critics' min(Q1, Q2) of a placement and its true reward over a fixed
# uniform sample of SAMPLE placements (default 2000), over the top 1 % (590)
# and over the placements evaluated so far (study_egrl_synthetic
# critic-fit), then the per-generation means over the seeds. OPTS (e.g.
# "replay_sample=rank;replay_alpha=0.7", default none): each critic runs
# twice, without and with OPTS (the uniform baseline first). One process at a
# time under nice -n 10. Takes about 15 s a seed additive and 4 minutes a
# seed joint (the joint critic's value of a placement is 10 heads x 2 critics
# Graph U-Net passes) on an unloaded core. Needs build/Release
# (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
first="${1:-1}"
seeds="${2:-3}"
sample="${3:-2000}"
opts="${4:-}"
critics="${5:-additive joint}"
. scripts/egrl_study_lib.sh
dir="$(mktemp -d)"
egrl_build_driver "$dir/drv"
for c in $critics; do
  nice -n 10 "$dir/drv" critic-fit "critic=$c" "$first" "$seeds" 630 capacity "$sample"
  if [ -n "$opts" ]; then
    nice -n 10 "$dir/drv" critic-fit "critic=$c;$opts" "$first" "$seeds" 630 capacity "$sample"
  fi
done
rm -rf "$dir"
