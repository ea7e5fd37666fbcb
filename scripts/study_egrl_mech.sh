#!/usr/bin/env bash
# scripts/study_egrl_mech.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# mechanism study of docs/egrl.md "Why EGRL's valid candidates do not
# improve its best": on the transformer problem (tests/data/search/
# bert_base_128_2l.cfg on nnpi_sixth.cfg, not rectified; the driver's
# problem transformer) and the capacity problem (DQN on nnpi_small.cfg,
# rectified; problem capacity), BUDGET evaluations (environment, default
# 630), batch 21, seeds FIRST..FIRST+SEEDS-1 (environment FIRST, default
# 201; SEEDS default 40), three runs per seed and problem: ea, egrl and
# egrl-chrom (egrl with --algo-opt migrate=chromosome, the intervention),
# each writing OUTDIR/PROBLEM/NAME_SEED.out (study_egrl_synthetic's line)
# and NAME_SEED.attrib (every candidate's origin, validity, objective and
# placement key). One process at a time under nice -n 10, by seed: for each
# seed the transformer's ea, egrl, egrl-chrom, then the capacity problem's.
# CUT (a date(1) time, e.g. "02:10 UTC"; default none): no run starts after
# it, a run still going then is killed and not counted; the analysis takes
# per problem the seeds all three runs finished. The analysis (alone:
# scripts/study_egrl_mech.sh --analyse OUTDIR) is scripts/egrl_mech.py.
# Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${BUDGET:-630}"
FIRST="${FIRST:-201}"
. scripts/egrl_study_lib.sh

if [ "${1:-}" = --analyse ]; then
  /usr/bin/python3 scripts/egrl_mech.py "$2"
  exit
fi
seeds="${1:-40}"
out="${2:-$(mktemp -d)}"
cut="${3:-}"
egrl_study_dir "$out"
mkdir -p "$out/transformer" "$out/capacity"
ln -sf ../study_egrl_synthetic "$out/transformer/study_egrl_synthetic"
ln -sf ../study_egrl_synthetic "$out/capacity/study_egrl_synthetic"
end=$([ -n "$cut" ] && date -d "$cut" +%s || echo 0)
echo "running in $out (partial results: scripts/study_egrl_mech.sh --analyse $out)"
for ((s = FIRST; s < FIRST + seeds; s++)); do
  for p in "transformer 0" "capacity 4330"; do
    set -- $p
    for r in "ea ea" "egrl egrl" "egrl-chrom egrl migrate=chromosome"; do
      read -r name algo opt <<< "$r"
      egrl_run_one "$out/$1" "$end" "$name" "$algo" "${opt:-}" "$s" "$BUDGET" "$1" "$2" "$out/$1/${name}_$s.attrib"
    done
  done
done
/usr/bin/python3 scripts/egrl_mech.py "$out"
