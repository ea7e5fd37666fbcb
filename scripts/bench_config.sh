#!/usr/bin/env bash
# Config loading time: `pesim info --workload` (load, then a one-line-per-layer
# table to /dev/null) on generated chains of N conv layers (N = 25,000 to
# 200,000 by default), median of 3 runs each, one core. Prints the wall time
# and the CPU time (user + system: steadier on a shared machine). Loading is
# meant to be linear in N (name lookups through a hash index).
# usage: scripts/bench_config.sh [N ...]      (BUILD=dir to pick the build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build/Release}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target pesim >/dev/null
pesim="$build/cli/pesim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(25000 50000 100000 200000)
printf "%10s %10s %10s %14s\n" layers wall_s cpu_s cpu_us/layer
for n in "${sizes[@]}"; do
  python3 - "$n" "$tmp/w$n.cfg" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write('network = { name = "chain"; input = { c = 4; h = 8; w = 8; };\n  layers = (\n')
    for i in range(n):
        src = '"input"' if i == 0 else '"l%d"' % (i - 1)
        f.write('    { name = "l%d"; type = "conv"; inputs = [ %s ]; k = 4; c = 4; p = 8; q = 8; }%s\n'
                % (i, src, "," if i < n - 1 else ""))
    f.write("  ); };\n")
PY
  walls=(); cpus=()
  for r in 1 2 3; do
    t=$( { TIMEFORMAT='%R %U %S'; time taskset -c 0 "$pesim" info --workload "$tmp/w$n.cfg" >/dev/null; } 2>&1 )
    walls+=("$(echo "$t" | awk '{print $1}')")
    cpus+=("$(echo "$t" | awk '{print $2 + $3}')")
  done
  wall=$(printf "%s\n" "${walls[@]}" | sort -g | sed -n 2p)
  cpu=$(printf "%s\n" "${cpus[@]}" | sort -g | sed -n 2p)
  printf "%10d %10.3f %10.3f %14.2f\n" "$n" "$wall" "$cpu" "$(echo "$cpu * 1000000 / $n" | bc -l)"
done
