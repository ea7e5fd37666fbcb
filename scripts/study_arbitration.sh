#!/usr/bin/env bash
# Banked levels' arbitration between a block's MAC-array reads and updates
# (docs/engine.md "Banks"): runs layers with every level of banks >= 2 set to
# each policy and prints the cycle engine's cycles and bank_conflict stall.
# usage: scripts/study_arbitration.sh [PESIM] [ARCH:NETWORK:LAYER ...]
#   ARCH: a shipped architecture's name (configs/arch/ARCH.cfg) or a path
#   NETWORK: a workloads/ name or a path
set -euo pipefail
cd "$(dirname "$0")/.."
pesim=${1:-build/Release/cli/pesim}
[ $# -gt 0 ] && shift
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(nnpi:resnet18:conv1 nnpi:bert_base_128:l1_ffn1 eyeriss:resnet18:res3a_branch1
                                 tiny:mobilenet_v2:b7_dw tpu_32x32:resnet18:res2a_branch2a vta:resnet18:res3a_branch1
                                 simba:resnet18:res3a_branch2a nvdla:resnet18:res2a_branch2a
                                 docs/studies/arbitration/glb4.cfg:tests/data/cli/small.cfg:conv_a
                                 docs/studies/arbitration/glb4.cfg:tests/data/cli/small.cfg:fc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-12s %-14s %-16s %-14s %12s %14s\n' arch network layer policy cycles bank_conflict
for c in "${cases[@]}"; do
    IFS=: read -r arch net layer <<<"$c"
    afile=$arch; [[ $arch == */* ]] || afile=configs/arch/$arch.cfg
    nfile=$net; [[ $net == */* ]] || nfile=workloads/$net.cfg
    for pol in reads_first updates_first round_robin; do
        # the policy on every level that declares banks >= 2
        sed -E "s/(banks = ([2-9]|[1-9][0-9]+);)/\1 arbitration = \"$pol\";/" "$afile" > "$tmp/arch.cfg"
        "$pesim" run --arch "$tmp/arch.cfg" --workload "$nfile" --layer "$layer" --eval cycle \
            --json "$tmp/out.json" >/dev/null
        python3 - "$tmp/out.json" "$(basename "$arch" .cfg)" "$(basename "$net" .cfg)" "$layer" "$pol" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))["layers"][0]
print("%-12s %-14s %-16s %-14s %12d %14d" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], l["cycles"],
      l["stalls"]["bank_conflict"]))
PY
    done
done
