#!/usr/bin/env bash
# scripts/bench_mpi.sh [MAX_RANKS] [THREADS] - evaluations per second of
# `pesim search` against MPI ranks (docs/cluster.md, docs/performance.md
# "Across MPI ranks"): for 1..MAX_RANKS ranks (default 3) of THREADS evaluator
# threads each (default 1), at analytical and cycle fidelity, strong scaling
# (a fixed budget and batch) and weak scaling (budget and batch per worker
# rank). 1 rank is a plain process evaluating on its own threads; N > 1 ranks
# are rank 0 (the algorithm and the store) and N-1 workers. The rate is the
# searches' samples over their wall time (the campaign loop's, from --json:
# process and MPI start-up excluded); the median of REPS runs (default 3).
#
# Then (SECTIONS, default "batches searches sweep learned seeds"; "batches"
# is the table above) four more tables, each the wall time of the whole
# command (MPI start-up included) against ranks, the median of REPS runs:
#   searches - a per-layer search of every MAC layer of SEARCHES_ARGS at
#              analytical fidelity (default: genetic on Eyeriss, ResNet-18,
#              SEARCHES_BUDGET 2000 per layer, batch 64), --distribute
#              batches against --distribute searches;
#   sweep    - `pesim sweep --inner annealing` of SWEEP_ARGS (default: the
#              first SWEEP_POINTS 8 points of configs/experiments/
#              vta_gemm_sweep.cfg, inner budget 100 per layer), points/s;
#   learned  - `--algo marl` on LEARNED_ARGS at cycle fidelity (default: DQN's
#              every MAC layer, budget 48, batch 16): its agents' candidates
#              distributed through the batch (docs/cluster.md);
#   seeds    - `pesim search --seeds 1-SEEDS` (default 4) of SEEDS_ARGS per
#              layer (default: annealing on Eyeriss, DQN's every MAC layer),
#              at analytical fidelity (SEEDS_ANALYTICAL_BUDGET 2000 per layer)
#              and cycle fidelity (SEEDS_CYCLE_BUDGET 16), batch 16: every
#              seed's layer searches dealt to the workers (--distribute auto;
#              SEEDS_FIDELITIES, default "analytical cycle").
#
# Environment: REPS; FIDELITIES (default "analytical cycle");
# ANALYTICAL_ARGS / CYCLE_ARGS (the search's inputs and algorithm),
# ANALYTICAL_BUDGET / CYCLE_BUDGET and ANALYTICAL_BATCH / CYCLE_BATCH (per
# worker rank in weak scaling, in all in strong scaling); MPIEXEC
# (default mpiexec); PESIM_BUILD_ROOT (default build). More ranks x threads
# than cores are run with --oversubscribe (say so when quoting them).
set -euo pipefail
cd "$(dirname "$0")/.."

max_ranks="${1:-3}"
threads="${2:-1}"
reps="${REPS:-3}"
fidelities="${FIDELITIES:-analytical cycle}"
mpiexec="${MPIEXEC:-mpiexec}"
build="${PESIM_BUILD_ROOT:-build}/Release"
pesim="$build/cli/pesim"
[ -x "$pesim" ] || scripts/build.sh Release >/dev/null

a_args="${ANALYTICAL_ARGS:---arch configs/arch/eyeriss.cfg --workload workloads/resnet50.cfg --layer res2a_branch2b --algo genetic}"
c_args="${CYCLE_ARGS:---arch configs/arch/eyeriss.cfg --workload workloads/dqn_atari.cfg --algo genetic}"
a_budget="${ANALYTICAL_BUDGET:-65536}"; a_batch="${ANALYTICAL_BATCH:-1024}"
c_budget="${CYCLE_BUDGET:-64}";        c_batch="${CYCLE_BATCH:-16}"

if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
cores="$(nproc)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# launch RANKS: sets the array `launch` to the launcher of RANKS ranks (none for 1)
launch() {
  launch=()
  if [ "$1" -gt 1 ]; then
    launch=("$mpiexec" -np "$1")
    [ $(($1 * threads)) -gt "$cores" ] && launch+=(--oversubscribe)
  fi
  return 0
}

# rate RANKS ARGS...: samples per second of one search (from its JSON)
rate() {
  local ranks="$1"; shift
  rm -rf "$tmp/out"
  launch "$ranks"
  "${launch[@]}" "$pesim" search "$@" --threads "$threads" --out "$tmp/out" --json "$tmp/out.json" >/dev/null
  python3 - "$tmp/out.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
parts = j.get("layers") or [j]
print(sum(p["samples"] for p in parts) / sum(p["wall_s"] for p in parts))
EOF
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "# pesim bench_mpi: $(date -u +%Y-%m-%dT%H:%MZ), $cores cores, $(uname -n), ranks 1..$max_ranks x $threads threads, median of $reps"
sections="${SECTIONS:-batches searches sweep learned seeds}"
case " $sections " in
  *" batches "*)
    echo
    echo "| fidelity | scaling | ranks | workers x threads | budget | batch | evaluations/s | speedup |"
    echo "|---|---|---|---|---|---|---|---|" ;;
  *) fidelities="" ;;
esac
for fid in $fidelities; do
  if [ "$fid" = analytical ]; then args="$a_args"; b0="$a_budget"; k0="$a_batch"
  else args="$c_args"; b0="$c_budget"; k0="$c_batch"; fi
  for scaling in strong weak; do
    base=""
    for ((r = 1; r <= max_ranks; r++)); do
      w=$((r > 1 ? r - 1 : 1))
      if [ "$scaling" = weak ]; then budget=$((b0 * w)); batch=$((k0 * w)); else budget=$b0; batch=$k0; fi
      # shellcheck disable=SC2086
      m="$(for ((i = 0; i < reps; i++)); do rate "$r" $args --eval "$fid" --budget "$budget" --batch "$batch"; done | median)"
      [ -z "$base" ] && base="$m"
      printf '| %s | %s | %d | %s | %d | %d | %.0f | %.2f |\n' "$fid" "$scaling" "$r" \
        "$([ "$r" -gt 1 ] && echo "$w x $threads" || echo "(rank 0) x $threads")" "$budget" "$batch" "$m" \
        "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')"
    done
  done
done

# wall RANKS CMD...: seconds of one whole command (MPI start-up included)
wall() {
  local ranks="$1"; shift
  rm -rf "$tmp/out"
  launch "$ranks"
  local t0 t1
  t0="$(date +%s.%N)"
  "${launch[@]}" "$pesim" "$@" >/dev/null
  t1="$(date +%s.%N)"
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
}

# table LABEL UNITS WORK CMD...: one row per rank count: the command's wall time and WORK / wall
table() {
  local label="$1" units="$2" work="$3"; shift 3
  local base=""
  for ((r = 1; r <= max_ranks; r++)); do
    w=$((r > 1 ? r - 1 : 1))
    s="$(for ((i = 0; i < reps; i++)); do wall "$r" "$@"; done | median)"
    m="$(awk -v n="$work" -v t="$s" 'BEGIN {print n / t}')"
    [ -z "$base" ] && base="$m"
    printf '| %s | %d | %s | %.2f | %.1f | %.2f |\n' "$label" "$r" \
      "$([ "$r" -gt 1 ] && echo "$w x $threads" || echo "(rank 0) x $threads")" "$s" "$m" \
      "$(awk -v a="$m" -v b="$base" 'BEGIN {print a / b}')"
  done
}

case " $sections " in *" searches "*)
  sargs="${SEARCHES_ARGS:---arch configs/arch/eyeriss.cfg --workload workloads/resnet18.cfg --algo genetic}"
  sbudget="${SEARCHES_BUDGET:-2000}"


  echo
  echo "Per-layer search, analytical: $sargs, budget $sbudget per layer, batch 64 (evaluations/s: all layers' samples over the command's wall time)"
  echo
  echo "| distribute | ranks | workers x threads | wall s | evaluations/s | speedup |"
  echo "|---|---|---|---|---|---|"
  rm -rf "$tmp/out"
  # shellcheck disable=SC2086
  "$pesim" search $sargs --budget "$sbudget" --batch 64 --db none --out "$tmp/out" --json "$tmp/n.json" >/dev/null
  n="$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum(l['samples'] for l in j['layers']))" "$tmp/n.json")"
  for d in batches searches; do
    # shellcheck disable=SC2086
    table "$d" "evaluations/s" "$n" search $sargs --budget "$sbudget" --batch 64 --threads "$threads" \
      --db none --distribute "$d" --out "$tmp/out"
  done
  ;;
esac

case " $sections " in *" sweep "*)
  points="${SWEEP_POINTS:-8}"
  swargs="${SWEEP_ARGS:---experiment configs/experiments/vta_gemm_sweep.cfg --inner annealing --inner-budget 100}"
  echo
  echo "Sweep with an inner search: $swargs, $points points (--limit), --threads $threads (points/s over the command's wall time)"
  echo
  echo "| sweep | ranks | workers x threads | wall s | points/s | speedup |"
  echo "|---|---|---|---|---|---|"
  # shellcheck disable=SC2086
  table "inner" "points/s" "$points" sweep $swargs --limit "$points" --threads "$threads" --csv "$tmp/sweep.csv"
  ;;
esac

case " $sections " in *" learned "*)
  largs="${LEARNED_ARGS:---arch configs/arch/eyeriss.cfg --workload workloads/dqn_atari.cfg --algo marl --eval cycle --budget 48 --batch 16}"
  echo
  echo "A learned algorithm's candidates through the batch: $largs (evaluations/s over the command's wall time)"
  echo
  echo "| algorithm | ranks | workers x threads | wall s | evaluations/s | speedup |"
  echo "|---|---|---|---|---|---|"
  rm -rf "$tmp/out"
  # shellcheck disable=SC2086
  "$pesim" search $largs --db none --out "$tmp/out" --json "$tmp/n.json" >/dev/null
  n="$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum(l['samples'] for l in j.get('layers') or [j]))" "$tmp/n.json")"
  # shellcheck disable=SC2086
  table "marl" "evaluations/s" "$n" search $largs --threads "$threads" --db none --out "$tmp/out"
  ;;
esac

case " $sections " in *" seeds "*)
  nseeds="${SEEDS:-4}"
  seargs="${SEEDS_ARGS:---arch configs/arch/eyeriss.cfg --workload workloads/dqn_atari.cfg --algo annealing}"
  for fid in ${SEEDS_FIDELITIES:-analytical cycle}; do
    if [ "$fid" = analytical ]; then sb="${SEEDS_ANALYTICAL_BUDGET:-2000}"; else sb="${SEEDS_CYCLE_BUDGET:-16}"; fi
    echo
    echo "Several seeds, $fid: $seargs --seeds 1-$nseeds, budget $sb per layer, batch 16 (evaluations/s over the command's wall time)"
    echo
    echo "| seeds | ranks | workers x threads | wall s | evaluations/s | speedup |"
    echo "|---|---|---|---|---|---|"
    rm -rf "$tmp/out"
    # shellcheck disable=SC2086
    "$pesim" search $seargs --seeds "1-$nseeds" --eval "$fid" --budget "$sb" --batch 16 --db none --out "$tmp/out" \
      --json "$tmp/n.json" >/dev/null
    n="$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(sum(s['samples'] for s in j['seeds']))" "$tmp/n.json")"
    # shellcheck disable=SC2086
    table "1-$nseeds $fid" "evaluations/s" "$n" search $seargs --seeds "1-$nseeds" --eval "$fid" --budget "$sb" \
      --batch 16 --threads "$threads" --db none --out "$tmp/out"
  done
  ;;
esac
