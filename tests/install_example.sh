#!/usr/bin/env bash
# tests/install_example.sh BUILD_DIR CC CFLAGS LDFLAGS - the embeddable
# library as a user gets it: `cmake --install` into a temporary prefix, the
# docs' example (docs/examples/search_example.c) built against the installed
# headers and libpesim with pkg-config, and run: it searches a layer into a
# store, and a second run on the same store is refused (exit 2). ctest runs it
# (tests/CMakeLists.txt) with the build's compiler and flags.
set -euo pipefail
build=$1 cc=$2 cflags=$3 ldflags=$4
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name pesim.pc)
[ -n "$pc" ] || { echo "no pesim.pc installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
for h in search.h arch.h workload.h mapping.h cost.h config.h model.h engine.h status.h; do
    [ -f "$tmp/prefix/include/pesim/$h" ] || { echo "pesim/$h not installed" >&2; exit 1; }
done
[ ! -e "$tmp/prefix/include/pesim/systemc.h" ] || { echo "systemc.h is not part of libpesim" >&2; exit 1; }
libdir=$(pkg-config --variable=libdir pesim)
# shellcheck disable=SC2086 # the flags are lists
$cc $cflags "$src/docs/examples/search_example.c" $(pkg-config --cflags --libs pesim) $ldflags \
    -Wl,-rpath,"$libdir" -o "$tmp/example"
# not `ldd | grep -q`: under pipefail grep -q exiting early can SIGPIPE ldd
ldd "$tmp/example" >"$tmp/ldd.txt"
grep -q "$tmp/prefix" "$tmp/ldd.txt" || { echo "the example does not use the installed libpesim" >&2; exit 1; }
cd "$tmp"
"$tmp/example" "$src/tests/data/search/micro_arch.cfg" "$src/tests/data/search/micro.cfg" fc s.db >out
grep -q "^best: objective" out || { cat out; exit 1; }
grep -q "evaluations" out
rc=0
"$tmp/example" "$src/tests/data/search/micro_arch.cfg" "$src/tests/data/search/micro.cfg" fc s.db >out2 2>err || rc=$?
[ "$rc" = 2 ] || { echo "second run: exit $rc, expected 2" >&2; cat err >&2; exit 1; }
grep -q "already has run 1" err || { cat err >&2; exit 1; }
echo "install example: ok ($(head -1 out))"
