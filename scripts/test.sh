#!/usr/bin/env bash
# scripts/test.sh - what CI runs (.ci/run): installs missing packages, builds
# Release with -Werror and runs every test, then builds with ASan + UBSan and
# runs every test again. Fails when any test fails or is skipped: both passes
# run the whole suite. PESIM_BUILD_ROOT (default "build") as in build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

run_suite() {
  local type="$1" dir
  dir="${PESIM_BUILD_ROOT:-build}/$type"
  scripts/build.sh "$type" -DPESIM_WERROR=ON
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$(nproc)" \
    2>&1 | tee "$dir/ctest.log"
  # ctest exits non-zero on failures (pipefail); a skipped test passes ctest
  # but not this script.
  if grep -Eq '\*\*\*Skipped|Not Run' "$dir/ctest.log"; then
    echo "test.sh: $type: tests were skipped:" >&2
    grep -E '\*\*\*Skipped|Not Run' "$dir/ctest.log" >&2
    exit 1
  fi
}

echo "== Release (-Werror) =="
run_suite Release
echo "== Asan (ASan + UBSan) =="
run_suite Asan
echo "test.sh: all tests passed in Release and Asan"
