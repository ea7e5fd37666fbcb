#!/usr/bin/env bash
# The port model's error on an ARCO study's best designs (docs/arco.md section
# 6.10): every run of OUT (scripts/study_arco.sh with DRAM=port, whole network)
# has its best design (OUT/runs/RUN/best_arch.cfg and one mapping per MAC
# layer) run again with the cycle engine on VTA's DDR4 controller model: the
# `dram` group of configs/arch/vta.cfg put back on the outermost level (its
# channels from the port's words a cycle as mem_bw pairs them: 8 -> 1, 16 -> 2,
# 32 -> 4) and the port's fixed latency removed. Writes OUT/port_check.csv:
# run, port cycles (the sum of the layers, as the search reports them),
# controller cycles, their ratio, CPU seconds of the controller run.
#
# usage: [PESIM=binary] scripts/check_arco_port.sh OUT WORKLOAD
#   e.g. scripts/check_arco_port.sh build/study-vgg24p workloads/vgg16.cfg
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: check_arco_port.sh OUT WORKLOAD}
wl=${2:?usage: check_arco_port.sh OUT WORKLOAD}
pesim=${PESIM:-build/Release/cli/pesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv="$out/port_check.csv"
echo "run,port_cycles,controller_cycles,ratio,controller_cpu_s" >"$csv"
for dir in "$out"/runs/*/; do
    dir=${dir%/}
    [ -s "$dir/best_arch.cfg" ] || continue
    run=$(basename "$dir")
    arch="$tmp/$run.cfg"
    # the port's words a cycle on the DRAM level's line: its channels
    bw=$(sed -n '/name = "DRAM";/,/latency_cycles/s/.*[^a-z_]read_words_per_cycle = \([0-9.]*\);.*/\1/p' "$dir/best_arch.cfg" | head -n1)
    case $bw in 8 | 8.0) ch=1 ;; 16 | 16.0) ch=2 ;; 32 | 32.0) ch=4 ;;
    *) echo "check_arco_port.sh: $dir/best_arch.cfg: DRAM read_words_per_cycle '$bw' is not a mem_bw value" >&2; exit 2 ;;
    esac
    sed -e "s|^\( *\){ name = \"DRAM\";$|&\n\1  dram = { preset = \"ddr4-3200\"; channels = $ch; bus_bits = 16; };|" \
        -e '/name = "DRAM";/,/latency_cycles/s|latency_cycles = 4;|latency_cycles = 0;|' \
        "$dir/best_arch.cfg" >"$arch"
    grep -q 'preset = "ddr4-3200"' "$arch" || { echo "check_arco_port.sh: $arch: no dram group put back" >&2; exit 2; }
    port=0 ctl=0 cpu=0
    for m in "$dir"/*.cfg; do
        layer=$(basename "$m" .cfg)
        [ "$layer" = best_arch ] && continue
        for kind in port ctl; do
            a="$dir/best_arch.cfg"
            [ $kind = ctl ] && a=$arch
            /usr/bin/time -f "%U %S" -o "$tmp/t" "$pesim" run --arch "$a" --workload "$wl" --layer "$layer" \
                --mapping "$m" --eval cycle --json "$tmp/r.json" >/dev/null
            c=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["total"]["cycles"])' "$tmp/r.json")
            if [ $kind = port ]; then port=$((port + c)); else
                ctl=$((ctl + c))
                cpu=$(/usr/bin/python3 -c 'import sys; u, s = open(sys.argv[1]).read().split()[-2:]; print(float(sys.argv[2]) + float(u) + float(s))' "$tmp/t" "$cpu")
            fi
        done
    done
    echo "$run,$port,$ctl,$(/usr/bin/python3 -c "print(f'{$ctl / $port:.4f}')"),$cpu" | tee -a "$csv"
done
echo "check_arco_port.sh: $csv"
