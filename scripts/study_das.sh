#!/usr/bin/env bash
# scripts/study_das.sh [BUDGET] [SEEDS] [NETS] - DAS against random search,
# simulated annealing and the genetic algorithm on the hardware space of
# configs/experiments/das_atari.cfg (EDP under a 3e6 um2 area budget), for the
# DRL agent networks, at equal evaluations (BUDGET designs each; DAS's gradient
# costs come from the analytical predictor outside the budget, as DOSA counts
# samples) and, for DAS, also with every gradient cost counted (das-all,
# predict=0). Prints a table of the best EDP per (network, algorithm, seed), the
# median per algorithm, the ratio of random's median to each, the wall time,
# and the frames per second (clock / cycles) of the best design. Results:
# docs/das.md. Defaults: BUDGET 100, SEEDS "1 2 3", NETS "dqn_atari atari_a3c
# resnet14_agent".
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-100}"
seeds="${2:-1 2 3}"
nets="${3:-dqn_atari atari_a3c resnet14_agent}"
pesim="${PESIM:-build/Release/cli/pesim}"
tmp="$(mktemp -d /tmp/study_das.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
rows="$tmp/rows.tsv"
for net in $nets; do
  for algo in das das-all random annealing genetic; do
    for seed in $seeds; do
      name="$algo"; extra=()
      if [ "$algo" = das-all ]; then name=das; extra=(--algo-opt predict=0); fi
      "$pesim" search --experiment configs/experiments/das_atari.cfg --workload "workloads/$net.cfg" \
        --algo "$name" "${extra[@]}" --budget "$budget" --seed "$seed" --db "$tmp/$net-$algo-$seed.db" \
        --out "$tmp/out-$net-$algo-$seed" --json "$tmp/$net-$algo-$seed.json" >/dev/null || true
      python3 - "$tmp/$net-$algo-$seed.json" "$net" "$algo" "$seed" >> "$rows" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
b = j.get("best")
edp = b["objective"] if b else float("nan")
cyc = b["cycles"] if b else 0
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], repr(edp), str(cyc), "%.2f" % j["wall_s"]]))
PY
    done
  done
done
python3 - "$rows" "$budget" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
clock_mhz = 200.0  # configs/arch/eyeriss.cfg
print("budget %s designs per run; EDP in pJ*cycles (lower is better); FPS = clock / cycles" % sys.argv[2])
print("%-15s %-10s %-28s %12s %10s %8s %10s" % ("network", "algo", "best EDP per seed", "median", "random/x", "wall_s", "FPS(best)"))
for net in dict.fromkeys(r[0] for r in rows):
    med = {}
    for algo in dict.fromkeys(r[1] for r in rows if r[0] == net):
        rs = [r for r in rows if r[0] == net and r[1] == algo]
        vals = [float(r[3]) for r in rs]
        med[algo] = statistics.median(vals)
    for algo in med:
        rs = [r for r in rows if r[0] == net and r[1] == algo]
        best = min(rs, key=lambda r: float(r[3]))
        fps = clock_mhz * 1e6 / int(best[4]) if int(best[4]) > 0 else 0
        print("%-15s %-10s %-28s %12.4g %10.3f %8.2f %10.1f" % (
            net, algo, " ".join("%.3g" % float(r[3]) for r in rs), med[algo],
            med.get("random", float("nan")) / med[algo], statistics.median(float(r[5]) for r in rs), fps))
PY
