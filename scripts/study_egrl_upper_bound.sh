#!/usr/bin/env bash
# scripts/study_egrl_upper_bound.sh [STEPS [JOINT_STEPS [SEED]]] - can EGRL's
# critic architectures represent the order of the capacity-bound problem's
# best placements at all? (docs/egrl.md "Can the critic represent the top's
# order?"). For each critic (additive, per_head, joint), egrl's learner at
# its defaults (hidden 128, depth 3, batch 64, Adam 3e-4, the critic's own
# loss; seed SEED, default 1) gets every one of the 59,049 placements with
# its true reward (speedup^2 - 1 over greedy) in its replay and takes
# STEPS (default 4000; joint: JOINT_STEPS, default 8000) updates; after 250,
# 500, 1000, ... steps the driver (study_egrl_synthetic fit-all) prints the
# Spearman rho between min(Q1, Q2) and the reward over all 59,049 placements
# (joint: over the fixed uniform sample of 2,000: its value of a placement is
# 20 Graph U-Net passes) and over the top 1 % (590). Then the additive critic
# and the joint critic (2000 steps) again with the replay weighted towards
# the good placements (replay_sample=rank, replay_alpha 1, replay_beta 0).
# One process at a
# time, under nice -n 10: about 2 minutes each for additive and per_head, 15
# for joint at 8000 steps and 5 at 2000, on the shared 2-core VM. Needs build/Release
# (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-4000}"
jsteps="${2:-8000}"
seed="${3:-1}"
. scripts/egrl_study_lib.sh
dir="$(mktemp -d)"
egrl_build_driver "$dir/drv"
nice -n 10 "$dir/drv" fit-all "critic=additive" "$seed" 1 "$steps" capacity 0
nice -n 10 "$dir/drv" fit-all "critic=per_head" "$seed" 1 "$steps" capacity 0
nice -n 10 "$dir/drv" fit-all "critic=joint" "$seed" 1 "$jsteps" capacity 2000
nice -n 10 "$dir/drv" fit-all "critic=additive;replay_sample=rank;replay_alpha=1;replay_beta=0" "$seed" 1 "$steps" capacity 0
nice -n 10 "$dir/drv" fit-all "critic=joint;replay_sample=rank;replay_alpha=1;replay_beta=0" "$seed" 1 2000 capacity 2000
rm -rf "$dir"
