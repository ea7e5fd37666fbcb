#!/usr/bin/env bash
# scripts/build.sh [Release|Debug|Asan] [cmake options...] - configures and
# builds pesim in build/<type> (default Release). Extra arguments go to the
# cmake configure step, e.g. scripts/build.sh Release -DPESIM_WERROR=ON.
# PESIM_BUILD_ROOT (default "build") moves the build trees elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

type="${1:-Release}"
[ "$#" -gt 0 ] && shift
case "$type" in
  Release|Debug|Asan) ;;
  *) echo "usage: scripts/build.sh [Release|Debug|Asan] [cmake options...]" >&2; exit 2 ;;
esac

dir="${PESIM_BUILD_ROOT:-build}/$type"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
