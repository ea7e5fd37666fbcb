#!/usr/bin/env bash
# scripts/study_egrl.sh [OUT] - EGRL's study (issue #16, docs/egrl.md): memory
# placement of ResNet-50, ResNet-101 and BERT-base on the NNP-I-like arch,
# EGRL vs evolution only (ea) vs the learner only (pg) vs random and
# annealing, at equal budgets, over seeds; speedups over the greedy placer.
# Environment: BUDGET (default 300 evaluations), SEEDS (default "1 2 3 4 5"),
# NETS (default "resnet50 resnet101 bert_base_128"), ALGOS (default
# "egrl ea pg random annealing"), PESIM (default build/Release/cli/pesim);
# SUMMARY_ONLY=1 runs nothing and summarises the runs OUT has (a run that
# did not finish is left out; the table gives how many seeds each row has).
# Writes OUT/<net>/<algo>/<seed>/ (each search's store and convergence.csv)
# and OUT/summary.md (the table) and OUT/curves.csv (speedup over greedy
# against evaluations, mean over seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-study-egrl}"
budget="${BUDGET:-300}"
seeds="${SEEDS:-1 2 3 4 5}"
nets="${NETS:-resnet50 resnet101 bert_base_128}"
algos="${ALGOS:-egrl ea pg random annealing}"
pesim="${PESIM:-build/Release/cli/pesim}"
arch=configs/arch/nnpi.cfg
mkdir -p "$out"
[ -n "${SUMMARY_ONLY:-}" ] || for net in $nets; do
  d="$out/$net/greedy"
  mkdir -p "$out/$net"
  [ -f "$d/convergence.csv" ] || "$pesim" search --placement --arch "$arch" --workload "workloads/$net.cfg" \
      --algo greedy --budget 1 --objective latency --out "$d" --new-run >/dev/null
  for algo in $algos; do
    for seed in $seeds; do
      d="$out/$net/$algo/$seed"
      [ -f "$d/done" ] && continue
      mkdir -p "$out/$net/$algo"
      rm -rf "$d"
      start=$(date +%s.%N)
      "$pesim" search --placement --arch "$arch" --workload "workloads/$net.cfg" --algo "$algo" \
          --budget "$budget" --seed "$seed" --objective latency --batch 21 --out "$d" --new-run >/dev/null
      echo "$(date +%s.%N) - $start" | bc > "$d/done"
      echo "$net $algo seed $seed: $(cat "$d/done") s" >&2
    done
  done
done
python3 - "$out" "$budget" "$nets" "$algos" "$seeds" <<'PY'
import csv, statistics, sys, os
out, budget, nets, algos, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split(), sys.argv[5].split()
def conv(path):
    best, rows, valid = None, [], 0
    with open(path) as f:
        for r in csv.DictReader(f):
            if r['valid'] == '1':
                valid += 1
                v = float(r['objective'])
                best = v if best is None else min(best, v)
            rows.append(best)
    return rows, valid
checks = [c for c in (21, 50, 100, 200, 300, 500, 1000, 2000) if c <= budget]
lines = ["| network | greedy cycles | algorithm | seeds | " + " | ".join(f"@{c}" for c in checks) + " | valid % | s/run |",
         "|---|---|---|---|" + "---|" * (len(checks) + 2)]
curves = ["network,algorithm,evaluations,speedup_mean,speedup_sd"]
for net in nets:
    g, _ = conv(f"{out}/{net}/greedy/convergence.csv")
    ref = g[-1]
    for algo in algos:
        runs, valids, secs = [], [], []
        for s in seeds:
            d = f"{out}/{net}/{algo}/{s}"
            if not os.path.exists(f"{d}/done"):
                continue
            r, v = conv(f"{d}/convergence.csv")
            runs.append(r); valids.append(100.0 * v / max(1, len(r)))
            secs.append(float(open(f"{d}/done").read()))
        if not runs:
            continue
        def sp(i):
            xs = [ref / r[min(i, len(r)) - 1] if r[min(i, len(r)) - 1] is not None else 0.0 for r in runs]
            return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)
        cells = []
        for c in checks:
            m, sd = sp(c)
            cells.append(f"{m:.3f} ± {sd:.3f}")
        lines.append(f"| {net} | {ref:.0f} | {algo} | {len(runs)} | " + " | ".join(cells) +
                     f" | {statistics.mean(valids):.0f} | {statistics.mean(secs):.1f} |")
        for i in range(1, budget + 1):
            m, sd = sp(i)
            curves.append(f"{net},{algo},{i},{m:.6f},{sd:.6f}")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
open(f"{out}/curves.csv", "w").write("\n".join(curves) + "\n")
print("\n".join(lines))
PY
