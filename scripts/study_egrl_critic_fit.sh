#!/usr/bin/env bash
# scripts/study_egrl_critic_fit.sh [FIRST_SEED [SEEDS [SAMPLE]]] - does EGRL's
# critic learn the landscape? (docs/egrl.md "Does the critic learn the
# landscape?"). On the capacity-bound problem (DQN on
# tests/data/search/nnpi_small.cfg, rectified, 59,049 placements, all
# enumerated), egrl at its defaults with the additive critic and with
# critic=joint, 630 evaluations, seeds FIRST_SEED.. (default 1, 3 seeds):
# after every generation the Spearman rank correlation between the critics'
# min(Q1, Q2) of a placement and its true reward over a fixed uniform sample
# of SAMPLE placements (default 2000), over the top 1 % (590) and over the
# placements evaluated so far (study_egrl_synthetic critic-fit), then the
# per-generation means over the seeds. The two runs go in parallel under
# nice -n 10. Takes about 15 s a seed additive and 4 minutes a seed joint
# (the joint critic's value of a placement is 10 heads x 2 critics Graph
# U-Net passes) on the shared 2-core VM. Needs build/Release
# (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
first="${1:-1}"
seeds="${2:-3}"
sample="${3:-2000}"
. scripts/egrl_study_lib.sh
dir="$(mktemp -d)"
egrl_build_driver "$dir/drv"
nice -n 10 "$dir/drv" critic-fit "" "$first" "$seeds" 630 capacity "$sample" > "$dir/additive.out" &
nice -n 10 "$dir/drv" critic-fit "critic=joint" "$first" "$seeds" 630 capacity "$sample" > "$dir/joint.out" &
wait
cat "$dir/additive.out" "$dir/joint.out"
rm -rf "$dir"
