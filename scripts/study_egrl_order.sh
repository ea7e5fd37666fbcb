#!/usr/bin/env bash
# scripts/study_egrl_order.sh [SEEDS [OUTDIR [CUT]]] - the pre-stated
# comparison of docs/egrl.md "Does the order depend on the network?" (issue
# #16, wave 16): ea, egrl and pg with default options on the resnet18
# problem (the study driver's: ResNet-18 on nnpi_small.cfg, rectified,
# latency; own speedup over greedy), BUDGET evaluations (environment,
# default 630), batch 21, seeds FIRST..FIRST+SEEDS-1 (environment FIRST,
# default 321; SEEDS default 40), one run at a time under nice -n 10, by
# seed, each writing OUTDIR/resnet18/NAME_SEED.out, NAME_SEED.attrib and its
# wall seconds to OUTDIR/resnet18/wall.txt. CUT (a date(1) time, e.g.
# "11:20 UTC"; default none): no run starts after it, a run still going
# then is killed and not counted. The analysis (alone:
# scripts/study_egrl_order.sh --analyse OUTDIR) is scripts/egrl_order.py.
# Needs build/Release (scripts/build.sh Release).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/egrl_study_lib.sh
if [ "${1:-}" = --analyse ]; then
  exec /usr/bin/python3 scripts/egrl_order.py "$2"
fi
seeds="${1:-40}" out="${2:-}" cut="${3:-}" end=0
[ -n "$out" ] || out=$(mktemp -d)
egrl_study_dir "$out"
[ -z "$cut" ] || end=$(date -d "$cut" +%s)
echo "running in $out (partial results: $0 --analyse $out)"
egrl_stream "$out" resnet18 0 "$end" "${FIRST:-321}" "$seeds" "${BUDGET:-630}" "ea ea" "egrl egrl" "pg pg"
/usr/bin/python3 scripts/egrl_order.py "$out"
