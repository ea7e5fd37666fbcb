#!/usr/bin/env bash
# Whole networks on the NNP-I-like architecture: all-DRAM vs the greedy
# native-compiler placer vs the optimal baseline (pesim_net_place_optimal:
# the ILP at this size) vs the best placement found by random, annealing and
# genetic search on the placement space (analytical objective: latency,
# budget BUDGET, seed SEED). Every placement is then run at both fidelities,
# weights preloaded (resident: an inference server's steady state, EGRL's
# setting and the placement space's; no run charges their initial load).
# Prints a markdown table (docs/network.md); placements go to OUT.
# usage: scripts/study_network.sh [BUDGET] [SEED] [OUT] [NETWORKS]
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-1000}
seed=${2:-1}
out=${3:-pesim-study-network}
nets=${4:-"resnet50 resnet101 bert_base_128"}
arch=configs/arch/nnpi.cfg
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target pesim >/dev/null
pesim=build/Release/cli/pesim
mkdir -p "$out"

# cycles (analytical), cycles (cycle), energy mJ (cycle) of a placement
measure() {
  local w=$1 p=$2 a c
  a=$($pesim run --arch $arch --workload "$w" --placement "$p" --preload-weights --json - 2>/dev/null |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"]["cycles"] if d["valid"] else "infeasible")')
  c=$($pesim run --arch $arch --workload "$w" --placement "$p" --preload-weights --eval cycle --json - 2>/dev/null |
      python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["total"]; print(t["cycles"], "%.3f" % (t["energy_pj"] / 1e9)) if d["valid"] else print("infeasible -")')
  echo "$a $c"
}

echo "| network | placement | analytical cycles | cycle-level cycles | energy (mJ) | speedup vs greedy (cycle) |"
echo "|---|---|---:|---:|---:|---:|"
for net in $nets; do
  w=workloads/$net.cfg
  read -r ga gc ge <<<"$(measure $w greedy)"
  for p in dram greedy optimal random annealing genetic; do
    case $p in
      random|annealing|genetic)
        $pesim search --placement --arch $arch --workload $w --algo $p --budget "$budget" --seed "$seed" \
          --objective latency --out "$out/$net-$p" >/dev/null
        src="$out/$net-$p/best_placement.cfg"; label="$p (budget $budget, seed $seed)";;
      optimal)
        $pesim run --arch $arch --workload $w --placement optimal --preload-weights --write-placement "$out/$net-optimal.cfg" >/dev/null
        src="$out/$net-optimal.cfg"
        label=$($pesim run --arch $arch --workload $w --placement optimal --preload-weights 2>/dev/null |
                sed -n 's/.*placement \(optimal ([^)]*)\).*/\1/p');;
      *) src=$p; label=$p;;
    esac
    read -r a c e <<<"$(measure $w "$src")"
    sp=$(python3 -c "print('%.2fx' % ($gc / $c))" 2>/dev/null || echo -)
    echo "| $net | $label | $a | $c | $e | $sp |"
  done
done
