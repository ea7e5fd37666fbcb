#!/usr/bin/env bash
# scripts/study_row_major.sh [PESIM] - the DRAM address layouts compared
# (docs/engine.md, "DRAM address layout"): tile-major, row-major NHWC and
# row-major NCHW on
#  1. a whole network: ResNet-50 on NNP-I, greedy and dram placements, cycle
#     engine (a table row per run: cycles, DRAM read / write bursts, row hits /
#     misses / conflicts);
#  2. a layer whose inputs the MAC array streams straight from DRAM: ResNet-18
#     res3a_branch2a on VTA with its buffer keeping only weights and outputs
#     (configs/arch/vta.cfg, BUF's keeps without "inputs"), default mapping,
#     cycle engine and the SystemC reference;
#  3. the network parts (concat copies, aliased slices, vector layers): GoogLeNet's
#     inception 3a (docs/studies/row_major/inception3a.cfg) on NNP-I, every tensor in
#     DRAM, aliased and with --no-alias (table rows as in 1).
# The row-major arch files are the shipped ones with `layout = "row_major";
# order = ...;` added to their dram group. For the layer: the summary lines of
# `pesim run` (cycles, stalls, DRAM).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build/Release/cli/pesim}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

variants() { # $1 = base arch file, $2 = name: writes $tmp/$2_{tile,nhwc,nchw}.cfg
    cp "$1" "$tmp/$2_tile.cfg"
    for o in nhwc nchw; do
        sed "s/dram = {/dram = { layout = \"row_major\"; order = \"$o\";/" "$1" > "$tmp/$2_$o.cfg"
        grep -q 'layout = "row_major"' "$tmp/$2_$o.cfg" || { echo "no dram group in $1" >&2; exit 1; }
    done
}

sed 's/keeps = \[ "weights", "inputs", "outputs" \];/keeps = [ "weights", "outputs" ];/' configs/arch/vta.cfg \
    > "$tmp/vta_in_dram.cfg"
variants "$tmp/vta_in_dram.cfg" vta
for v in tile nhwc nchw; do
    for e in cycle systemc; do
        echo "== res3a_branch2a on vta, inputs streamed from DRAM, $v, $e"
        "$bin" run --arch "$tmp/vta_$v.cfg" --workload workloads/resnet18.cfg --layer res3a_branch2a --eval $e |
            grep -E '^(cycles|stalls|DRAM  )'
    done
done

row() { # $1 = json, $2 = label: a table row
    python3 - "$1" "$2" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["total"]
e = t["engine"]
print("| %s | %s | %s / %s | %s / %s / %s |" % (sys.argv[2], format(t["cycles"], ","), format(e["dram_reads"], ","),
      format(e["dram_writes"], ","), format(e["dram_row_hits"], ","), format(e["dram_row_misses"], ","),
      format(e["dram_row_conflicts"], ",")))
PY
}

variants configs/arch/nnpi.cfg nnpi
for pl in greedy dram; do
    for v in tile nhwc nchw; do
        "$bin" run --arch "$tmp/nnpi_$v.cfg" --workload workloads/resnet50.cfg --placement $pl --eval cycle \
            --json "$tmp/net.json" > /dev/null
        row "$tmp/net.json" "resnet50 on nnpi, placement $pl, $v"
    done
done

for alias in "" --no-alias; do
    for v in tile nhwc nchw; do
        "$bin" run --arch "$tmp/nnpi_$v.cfg" --workload docs/studies/row_major/inception3a.cfg --placement dram \
            $alias --eval cycle --json "$tmp/net.json" > /dev/null
        row "$tmp/net.json" "inception 3a on nnpi, placement dram $alias, $v"
    done
done
