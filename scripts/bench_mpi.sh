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

# rate RANKS ARGS...: samples per second of one search (from its JSON)
rate() {
  local ranks="$1"; shift
  rm -rf "$tmp/out"
  local launch=()
  if [ "$ranks" -gt 1 ]; then
    launch=("$mpiexec" -np "$ranks")
    [ $((ranks * threads)) -gt "$cores" ] && launch+=(--oversubscribe)
  fi
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
echo
echo "| fidelity | scaling | ranks | workers x threads | budget | batch | evaluations/s | speedup |"
echo "|---|---|---|---|---|---|---|---|"
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
