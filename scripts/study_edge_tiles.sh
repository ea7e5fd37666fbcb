#!/usr/bin/env bash
# What edge tiles on the parent side change (docs/engine.md, "Per-instance
# work"): the cycle engine's cycles of every MAC layer of a workload with
# default mappings, before (OLD_PESIM) and after (NEW_PESIM), per machine.
# usage: scripts/study_edge_tiles.sh OLD_PESIM NEW_PESIM [WORKLOAD] [ARCH...]
# Prints one row per machine: total cycles before and after, the change, and
# how many layers changed (and the largest change of one layer).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 OLD_PESIM NEW_PESIM [WORKLOAD] [ARCH...]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2"); wl=${3:-workloads/resnet50.cfg}
shift $(( $# >= 3 ? 3 : 2 ))
archs=("$@"); [ ${#archs[@]} -gt 0 ] || archs=(eyeriss tpu_32x32 nnpi)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| machine | layers | cycles before | cycles after | change | layers changed | largest layer change |\n'
printf '|---|---|---|---|---|---|---|\n'
for arch in "${archs[@]}"; do
    for b in old new; do
        bin=$old; [ $b = new ] && bin=$new
        "$bin" run --arch configs/arch/$arch.cfg --workload "$wl" --eval cycle --csv "$tmp/$b.csv" >/dev/null
    done
    python3 - "$arch" "$tmp/old.csv" "$tmp/new.csv" <<'PY'
import csv, sys
arch, fo, fn = sys.argv[1:]
rows = lambda f: [r for r in csv.DictReader(open(f)) if r["mapped"] == "1"]
o, n = rows(fo), rows(fn)
assert [r["layer"] for r in o] == [r["layer"] for r in n]
co = sum(int(r["cycles"]) for r in o); cn = sum(int(r["cycles"]) for r in n)
ch = [(int(b["cycles"]) - int(a["cycles"])) / int(a["cycles"]) for a, b in zip(o, n) if a["cycles"] != b["cycles"]]
big = max(ch, key=abs) if ch else 0.0
print("| %s | %d | %d | %d | %+.2f%% | %d | %+.2f%% |" % (arch, len(o), co, cn, 100.0 * (cn - co) / co, len(ch), 100 * big))
PY
done
