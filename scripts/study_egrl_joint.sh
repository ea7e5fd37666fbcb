#!/usr/bin/env bash
# scripts/study_egrl_joint.sh [SEEDS [OUTDIR]] - the pre-stated comparison of
# docs/egrl.md "The joint-action critic on the capacity-bound problem": egrl
# with the joint critic (`critic=joint`), egrl with the additive one (the
# default) and ea, every other setting at its default, on DQN placed on the
# small NNP-I (tests/data/search/nnpi_small.cfg, rectified, optimum 4,330
# cycles by enumeration), 630 evaluations, seeds 1..SEEDS (default 48).
# The seeds run in parallel streams under nice -n 10 (egrl joint in 4, egrl
# additive in 2, ea in 1; each stream runs its seeds in increasing order and
# prints each seed's final gap as it ends), from a copy of the driver built
# into OUTDIR, so a rebuild of build/Release does not change a running study.
# Then the analysis (also alone: scripts/study_egrl_joint.sh --analyse
# OUTDIR) on the seeds that every run has finished: per run the mean final
# gap and the optima found; the pre-stated test, the one-sided exact paired
# Wilcoxon signed-rank test by seed of "joint's gap is lower than ea's"
# (zero differences dropped, mid-ranks for ties, the exact conditional
# distribution); and, as secondary figures, the same test against the
# additive critic and the earlier studies' one-sided permutation p of the
# means (100,000 seeded relabellings). About 17 minutes of one core at 48
# seeds (egrl joint about 17 s a seed, additive 3 s, ea 1 s). Needs
# build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."

analyse() {
/usr/bin/python3 - "$1" <<'PY'
import random, sys
sys.path.insert(0, 'scripts')
from egrl_stats import load_runs, p_lower, wilcoxon_lower
runs = load_runs(sys.argv[1])  # name -> {seed: gap}
names = ['egrl-joint', 'egrl-additive', 'ea']
if any(n not in runs for n in names):
    sys.exit('no finished seed yet for ' + ', '.join(n for n in names if n not in runs))
seeds = sorted(set.intersection(*(set(runs[n]) for n in names)))
print(f'seeds finished by every run: {len(seeds)} ({seeds[0]}..{seeds[-1]})' if seeds else 'no common seed')
if not seeds:
    sys.exit(1)
g = {n: [runs[n][s] for s in seeds] for n in names}
for n in names:
    print(f'{n:14s} mean gap {sum(g[n]) / len(seeds):.5f}  optimum found {sum(x < 1e-12 for x in g[n])} of {len(seeds)}')

rng = random.Random(1)
for other in ['ea', 'egrl-additive']:
    p, n, lower = wilcoxon_lower(g['egrl-joint'], g[other])
    tag = 'PRE-STATED' if other == 'ea' else 'secondary'
    print(f'{tag}: egrl-joint lower than {other}: paired Wilcoxon p = {p:.5f} '
          f'({n} seeds differ, joint lower in {lower}); permutation p (means) = {p_lower(g["egrl-joint"], g[other], rng):.5f}')
p, n, lower = wilcoxon_lower(g['egrl-additive'], g['ea'])
print(f'secondary: egrl-additive lower than ea: paired Wilcoxon p = {p:.5f} ({n} differ, additive lower in {lower})')
PY
}

if [ "${1:-}" = --analyse ]; then
  analyse "$2"
  exit
fi
seeds="${1:-48}"
out="${2:-$(mktemp -d)}"
. scripts/egrl_study_lib.sh
egrl_study_dir "$out"
exe="$out/study_egrl_synthetic"
# name|options|streams
for run in "egrl-joint|critic=joint|4" "egrl-additive||2" "ea||1"; do
  IFS='|' read -r name kv streams <<< "$run"
  algo="${name%%-*}"
  per=$(( (seeds + streams - 1) / streams ))
  for ((first = 1; first <= seeds; first += per)); do
    count=$(( seeds - first + 1 < per ? seeds - first + 1 : per ))
    nice -n 10 "$exe" "$algo" "$kv" "$first" "$count" 630 capacity 4330 > "$out/${name}_${first}.out" &
  done
done
echo "running in $out (partial results: scripts/study_egrl_joint.sh --analyse $out)"
wait
analyse "$out"
