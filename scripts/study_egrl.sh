#!/usr/bin/env bash
# scripts/study_egrl.sh [OUT] - EGRL's study (issue #16, docs/studies/egrl.md):
# memory placement of ResNet-50, ResNet-101 and BERT-base on the NNP-I-like
# arch (configs/arch/nnpi.cfg), on the whole-network evaluator (sim/net,
# analytical, weights preloaded: the placement space's setting), objective
# latency. EGRL vs evolution only (ea) vs the learner only (pg) at equal
# budgets over seeds; the baselines: the greedy placer (`--algo greedy`, the
# reward's reference, 1.0x), all-DRAM, net's greedy with the network input
# on chip (`pesim run --placement greedy`: the space keeps the input in
# DRAM) and the optimum baseline (`--placement optimal`: GLPK's ILP at these
# sizes). Every run's best placement is then run at cycle fidelity.
# Environment: BUDGET (default 300 evaluations; BUDGET_<net> overrides it
# per network), SEEDS (default "1 2 3 4 5"), NETS (default "resnet50
# resnet101 bert_base_128"), ALGOS (default "egrl ea pg"), PESIM (default
# build/Release/cli/pesim), RECTIFY=1 (the issue's environment: every
# search and every run is `--rectify`, what does not fit is spilled one
# level out and costs its slower traffic instead of being refused), JOBS
# (searches run at once, default 1); SUMMARY_ONLY=1 runs nothing and
# summarises what OUT has (a run that did not finish is left out; the table
# says how many seeds each row has).
# Writes OUT/<net>/<algo>/<seed>/ (each search's store, convergence.csv,
# best_placement.cfg, cycle.json), OUT/<net>/baselines/, OUT/summary.md (the
# tables and, per network, one-sided exact permutation tests of the
# algorithms' own final speedups), OUT/curves.csv (best speedup over greedy against evaluations,
# mean and sd over seeds; own_*: greedy's first candidate left out, what
# the algorithm found itself), OUT/baselines.csv, OUT/occupancy_<net>.csv (the
# best EGRL placement's occupancy at cycle level; scripts/plot_occupancy.py
# draws it). scripts/plot_egrl.py draws curves.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-study-egrl}"
seeds="${SEEDS:-1 2 3 4 5}"
nets="${NETS:-resnet50 resnet101 bert_base_128}"
algos="${ALGOS:-egrl ea pg}"
pesim="${PESIM:-build/Release/cli/pesim}"
jobs="${JOBS:-1}"
rect=""
[ "${RECTIFY:-0}" = 1 ] && rect="--rectify"
arch=configs/arch/nnpi.cfg
mkdir -p "$out"
budget_of() { local v="BUDGET_$1"; echo "${!v:-${BUDGET:-300}}"; }
# cycles of a placement (greedy|dram|optimal|FILE) at a fidelity, "-" if infeasible
cycles() {
  "$pesim" run --arch "$arch" --workload "workloads/$1.cfg" --placement "$2" --preload-weights $rect --eval "$3" \
      --json - 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"]["cycles"] if d["valid"] else "-")'
}
# one search (NET ALGO SEED BUDGET) and its best placement at cycle level
run_one() {
  local d="$out/$1/$2/$3" start secs
  mkdir -p "$out/$1/$2"
  rm -rf "$d"
  start=$(date +%s.%N)
  "$pesim" search --placement $rect --arch "$arch" --workload "workloads/$1.cfg" --algo "$2" \
      --budget "$4" --seed "$3" --objective latency --batch 21 --out "$d" --new-run >/dev/null
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  cycles "$1" "$d/best_placement.cfg" cycle > "$d/cycle.txt"
  echo "$secs" > "$d/done"
  echo "$1 $2 seed $3: $secs s" >&2
}
[ -n "${SUMMARY_ONLY:-}" ] || for net in $nets; do
  budget=$(budget_of "$net")
  b="$out/$net/baselines"
  mkdir -p "$b"
  if [ ! -f "$b/done" ]; then
    "$pesim" search --placement $rect --arch "$arch" --workload "workloads/$net.cfg" \
        --algo greedy --budget 1 --objective latency --out "$out/$net/greedy" --new-run >/dev/null
    "$pesim" run --arch "$arch" --workload "workloads/$net.cfg" --placement optimal --preload-weights \
        --write-placement "$b/optimal.cfg" >/dev/null 2>&1 || true
    {
      for f in analytical cycle; do
        echo "greedy,$f,$(cycles "$net" "$out/$net/greedy/best_placement.cfg" $f)"
        echo "greedy_net,$f,$(cycles "$net" greedy $f)"
        echo "dram,$f,$(cycles "$net" dram $f)"
        [ -f "$b/optimal.cfg" ] && echo "optimal,$f,$(cycles "$net" "$b/optimal.cfg" $f)"
      done
    } > "$b/cycles.csv"
    touch "$b/done"
  fi
  for algo in $algos; do
    for seed in $seeds; do
      [ -f "$out/$net/$algo/$seed/done" ] && continue
      while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
      run_one "$net" "$algo" "$seed" "$budget" &
    done
  done
  wait
done
/usr/bin/python3 - "$out" "$nets" "$algos" "$seeds" <<'PY'
import csv, statistics, sys, os
sys.path.insert(0, 'scripts')
from egrl_stats import p_lower_exact
def perm_p(a, b):
    """One-sided exact permutation p of mean(a) > mean(b) (egrl_stats.py)."""
    return p_lower_exact([-x for x in a], [-x for x in b]) if a and b else float('nan')
out, nets, algos, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
def conv(path, skip_first=False):
    """best objective after each evaluation (skip_first: greedy's candidate left out)"""
    best, rows, valid = None, [], 0
    with open(path) as f:
        for k, r in enumerate(csv.DictReader(f)):
            if r['valid'] == '1':
                valid += 1
                v = float(r['objective'])
                if not (skip_first and k == 0):
                    best = v if best is None else min(best, v)
            rows.append(best)
    return rows, valid
def ms(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)
lines, base_rows = [], ["network,placement,fidelity,cycles,speedup"]
curves = ["network,algorithm,evaluations,speedup_mean,speedup_sd,own_mean,own_sd"]
blines = ["| network | placement | analytical cycles | speedup | cycle-level cycles | speedup (cycle) |", "|---|---|---:|---:|---:|---:|"]
for net in nets:
    bf = f"{out}/{net}/baselines/cycles.csv"
    if not os.path.exists(bf):
        continue
    base = {}
    for name, fid, c in csv.reader(open(bf)):
        base[(name, fid)] = float(c) if c != '-' else None
    ref, refc = base[('greedy', 'analytical')], base[('greedy', 'cycle')]
    for name in ('greedy', 'greedy_net', 'dram', 'optimal'):
        a, c = base.get((name, 'analytical')), base.get((name, 'cycle'))
        if (name, 'analytical') not in base:
            continue
        sa = f"{ref / a:.4f}" if a else "-"
        sc = f"{refc / c:.4f}" if c else "-"
        blines.append(f"| {net} | {name} | {a:.0f} | {sa} | {c:.0f} | {sc} |" if a and c else f"| {net} | {name} | {a} | {sa} | {c} | {sc} |")
        for fid, v, r in (('analytical', a, ref), ('cycle', c, refc)):
            base_rows.append(f"{net},{name},{fid},{v if v else ''},{r / v if v else ''}")
    runs_all, own, finals = {}, {}, {}
    budget = 0
    for algo in algos:
        runs = []
        for s in seeds:
            d = f"{out}/{net}/{algo}/{s}"
            if not os.path.exists(f"{d}/done"):
                continue
            r, v = conv(f"{d}/convergence.csv")
            own[(algo, s)] = conv(f"{d}/convergence.csv", True)[0]
            cyc = open(f"{d}/cycle.txt").read().strip()
            runs.append((s, r, v, float(open(f"{d}/done").read()), float(cyc) if cyc != '-' else None))
            budget = max(budget, len(r))
        if runs:
            runs_all[algo] = runs
    if not runs_all:
        continue
    checks = sorted(set([c for c in (21, 42, 63, 105, 147, 210, 300, 500, 1000) if c < budget] + [budget]))
    lines += [f"\n{net}: greedy (the reference) {ref:.0f} cycles analytical, {refc:.0f} at cycle level; "
              f"best speedup over greedy after N evaluations, mean ± sd over seeds\n",
              "| algorithm | seeds | " + " | ".join(f"@{c}" for c in checks) +
              " | best other than greedy's | cycle-level speedup of the best | valid % | s/run |",
              "|---|---|" + "---|" * (len(checks) + 4)]
    for algo, runs in runs_all.items():
        def sp(i):
            return ms([ref / r[min(i, len(r)) - 1] for _, r, _, _, _ in runs])
        cells = ["%.4f ± %.4f" % sp(c) for c in checks]
        # the best placement other than the first candidate (greedy's)
        def own_sp(i):
            return ms([ref / own[(algo, s)][min(i, len(r)) - 1] if own[(algo, s)][min(i, len(r)) - 1] else 0.0
                       for s, r, _, _, _ in runs])
        other = [ref / own[(algo, s)][-1] if own[(algo, s)][-1] else 0.0 for s, *_ in runs]
        finals[algo] = other
        cyc = [refc / c for *_, c in runs if c]
        lines.append(f"| {algo} | {len(runs)} | " + " | ".join(cells) + " | %.4f ± %.4f | %.4f ± %.4f | %.0f | %.0f |" % (
            *ms(other), *(ms(cyc) if cyc else (0, 0)), statistics.mean(100.0 * v / max(1, len(r)) for _, r, v, _, _ in runs),
            statistics.mean(t for _, _, _, t, _ in runs)))
        for i in range(1, budget + 1):
            m, sd = sp(i)
            om, osd = own_sp(i)
            curves.append(f"{net},{algo},{i},{m:.6f},{sd:.6f},{om:.6f},{osd:.6f}")
    pairs = [(x, y) for x in algos for y in algos if x != y and x in finals and y in finals]
    if pairs:
        lines += [f"\n{net}: own final speedup (greedy's candidate left out), one-sided exact permutation "
                  "test of the difference of means over seeds\n", "| claim | mean difference | p |", "|---|---|---|"]
        for x, y in pairs:
            d = statistics.mean(finals[x]) - statistics.mean(finals[y])
            lines.append(f"| {x} > {y} | {d:+.4f} | {perm_p(finals[x], finals[y]):.4g} |")
open(f"{out}/summary.md", "w").write("\n".join(blines + lines) + "\n")
open(f"{out}/curves.csv", "w").write("\n".join(curves) + "\n")
open(f"{out}/baselines.csv", "w").write("\n".join(base_rows) + "\n")
print("\n".join(blines + lines))
PY
# the occupancy of the best EGRL placement of each network, at cycle level
for net in $nets; do
  best=$(for s in $seeds; do f="$out/$net/egrl/$s"; [ -f "$f/done" ] && echo "$(tail -1 "$f/convergence.csv" | cut -d, -f4) $f"; done |
         sort -n | head -1 | cut -d' ' -f2)
  [ -n "$best" ] && "$pesim" run --arch "$arch" --workload "workloads/$net.cfg" --placement "$best/best_placement.cfg" \
      --preload-weights $rect --eval cycle --occupancy "$out/occupancy_$net.csv" >/dev/null 2>&1 || true
done
