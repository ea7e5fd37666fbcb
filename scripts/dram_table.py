#!/usr/bin/env python3
"""DRAM latency and bandwidth, expected (derived from the timings) vs measured.

Generates the traces of docs/dram.md's table (latency probes, a stream,
random addresses, a tile pattern, three conflicting streams) for each preset,
runs `pesim dram --json` on them and prints the markdown table of
docs/dram.md. The expected figures come from the JEDEC timings alone (the
formulas of docs/dram.md); tests/dram_test.cc checks the same formulas. The
DRAMsim3 column is what its code gives on the same trace where that can be
derived without running it (DRAMsim3 cannot be run here).

usage: scripts/dram_table.py [PESIM_BINARY]     (default build/Release/cli/pesim)
"""
import json
import os
import random
import subprocess
import sys
import tempfile

# The presets' timings (sim/core/arch.c, from DRAMsim3's DDR4_8Gb_x8_3200.ini
# and LPDDR4_8Gb_x16_2400.ini), in DRAM cycles.
PRESETS = {
    "ddr4-3200": dict(tck=0.625, CL=22, tRCD=22, tRP=22, BL=8, tCCD_S=4, tCCD_L=8, tRTRS=1, tRFC=560,
                      tREFI=12480, ranks=2, bg=4, banks=4, bus_bits=64, row_bytes=8192),
    "lpddr4-2400": dict(tck=0.833, CL=17, tRCD=15, tRP=15, BL=16, tCCD_S=4, tCCD_L=6, tRTRS=1, tRFC=392,
                        tREFI=8660, ranks=2, bg=2, banks=4, bus_bits=64, row_bytes=8192),
}
N = 100000


def run(pesim, trace, lines, *opts):
    with open(trace, "w") as f:
        f.writelines(lines)
    out = subprocess.run([pesim, "dram", "--trace", trace, "--json", "-", *opts], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    pesim = sys.argv[1] if len(sys.argv) > 1 else "build/Release/cli/pesim"
    tmp = tempfile.mkdtemp()
    rows = []
    for name, d in PRESETS.items():
        burst = d["bus_bits"] // 8 * d["BL"]
        bl2 = d["BL"] // 2
        peak = 2 * d["bus_bits"] / 8 / d["tck"]
        row_span = d["bg"] * d["row_bytes"]           # default map: a bank's row across the bank groups
        nbanks = d["ranks"] * d["bg"] * d["banks"]
        pre = ["--preset", name]
        hit = 1 + d["CL"] + bl2
        miss = hit + d["tRCD"]
        conflict = miss + d["tRP"]
        t = os.path.join(tmp, name + ".trc")
        # Latency probes, 300 cycles apart (every bank idle), refresh off:
        # misses (one read per bank), hits (one row, after its first read),
        # conflicts (two rows of one bank in turn, after the first read).
        m = run(pesim, t, ["0x%x READ %d\n" % (b * row_span + g * burst, 300 * (b * d["bg"] + g))
                           for b in range(d["ranks"] * d["banks"]) for g in range(d["bg"])], *pre, "--no-refresh")
        h = run(pesim, t, ["0x%x READ %d\n" % (i * burst, 300 * i) for i in range(101)], *pre, "--no-refresh")
        c = run(pesim, t, ["0x%x READ %d\n" % ((i % 2) * (1 << 20), 300 * i) for i in range(101)], *pre,
                "--no-refresh")
        for cls, want, r, stat in (("row hit", hit, h, "p50_cycles"), ("row miss", miss, m, "max_cycles"),
                                   ("row conflict", conflict, c, "p50_cycles")):
            # DRAMsim3: a transaction moves to its command queue at the end of
            # the tick it arrived in, its first command issues the next tick;
            # read_delay = CL + BL/2 (controller.cc, configuration.cc).
            rows.append((name, "latency probe: %s (cycles)" % cls, "%d" % want,
                         "%d (%s)" % (r["read_latency"][stat], stat.replace("_cycles", "")), "%d" % want))
        # A stream: N reads offered one a cycle. Refresh off: finish =
        # 1 + tRCD + CL + N BL/2 + tRTRS per rank switch.
        per_rank = d["bg"] * d["banks"] * (d["row_bytes"] // burst)
        fin = 1 + d["tRCD"] + d["CL"] + N * bl2 + d["tRTRS"] * ((N - 1) // per_rank)
        stream = ["0x%x READ %d\n" % (i * burst, i) for i in range(N)]
        s0 = run(pesim, t, stream, *pre, "--no-refresh")
        tck3 = {"ddr4-3200": 0.63, "lpddr4-2400": 0.83}[name]   # DRAMsim3's files round tCK
        rows.append((name, "peak bandwidth (GB/s)", "%.2f" % peak, "%.2f" % s0["peak_gbps"],
                     "%.2f (tCK %.2f)" % (2 * d["bus_bits"] / 8 / tck3, tck3)))
        rows.append((name, "stream, refresh off: finish (cycles)", "%d" % fin, "%d" % s0["finish_cycle"],
                     "n/a (its map differs: below)"))
        rows.append((name, "stream, refresh off: bandwidth (GB/s)",
                     "%.2f (%.1f%%)" % (peak * N * bl2 / fin, 100.0 * N * bl2 / fin),
                     "%.2f (%.1f%%)" % (s0["bandwidth_gbps"], 100 * s0["bandwidth_gbps"] / peak), ""))
        # DRAMsim3's map (rochrababgco) keeps a stream in one bank group for a
        # row (columns lowest): one RD every max(tCCD_L, BL/2) within it, one
        # tRTRS more at each rank switch where that exceeds the gap. Where the
        # queue holds the ends of two rows (two bank groups), their RDs may
        # interleave at tCCD_S: the formula is then an upper bound. DRAMsim3
        # does the same (its per-bank queues take the next bank group's
        # requests early), by how much needs a run.
        gap = max(d["tCCD_L"], bl2)
        per_rank3 = d["bg"] * d["banks"] * (d["row_bytes"] // burst)
        fin3 = 1 + d["tRCD"] + d["CL"] + bl2 + (N - 1) * gap + \
            max(0, bl2 + d["tRTRS"] - gap) * ((N - 1) // per_rank3)
        s3 = run(pesim, t, stream, *pre, "--no-refresh", "--map", "rochrababgco", "--hit-cap", "4")
        rows.append((name, "stream, DRAMsim3's map, refresh off: finish (cycles)",
                     ("%d" if gap == bl2 else "<= %d") % fin3,
                     "%d (%.1f%% of peak)" % (s3["finish_cycle"], 100 * s3["bandwidth_gbps"] / peak),
                     "%d (+1: its trace driver)" % (fin3 + 1) if gap == bl2 else "n/a (needs a run)"))
        s1 = run(pesim, t, stream, *pre)
        # Each refresh of the rank being streamed stalls it for about
        # (open banks - 1) + tRP + tRFC + tRCD; the stream is on a rank half
        # of the time, so about every other refresh hits it.
        stall = (d["bg"] * d["banks"] - 1) + d["tRP"] + d["tRFC"] + d["tRCD"]
        refs = fin / (d["tREFI"] / d["ranks"])
        est = fin + refs / 2 * stall
        rows.append((name, "stream, refresh on: bandwidth (GB/s)",
                     "~%.2f (%.1f%%)" % (peak * N * bl2 / est, 100.0 * N * bl2 / est),
                     "%.2f (%.1f%%)" % (s1["bandwidth_gbps"], 100 * s1["bandwidth_gbps"] / peak), ""))
        # Random reads over 8 GiB: bound by tFAW (4 ACTs per tFAW per rank).
        rng = random.Random(1)
        rnd = ["0x%x READ 0\n" % (rng.getrandbits(33) // burst * burst) for _ in range(N)]
        r = run(pesim, t, rnd, *pre)
        tfaw = {"ddr4-3200": 34, "lpddr4-2400": 32}[name]
        bound = min(1.0, d["ranks"] * 4 * bl2 / tfaw)
        rows.append((name, "random reads: bandwidth (GB/s)", "<= %.2f (tFAW)" % (peak * bound),
                     "%.2f, %d ACT, latency mean %.0f, p99 %d" % (r["bandwidth_gbps"], r["commands"]["act"],
                                                                  r["read_latency"]["mean_cycles"],
                                                                  r["read_latency"]["p99_cycles"]),
                     "n/a (needs a run)"))
        # Tiles of 8 matrix rows x 64 bursts, by column blocks of 8 bursts;
        # the matrix row pitch is a bank's row (the rows of a tile land in
        # the 8 banks of the two ranks), the next tile is in the next rows of
        # the same banks. Each bank's row is opened once per tile (its
        # requests of the next tile are younger): ACT = tiles x 8 x bank groups.
        tile = []
        nb = d["ranks"] * d["banks"]
        for k in range(16):
            for blk in range(8):
                for rr in range(8):
                    for j in range(8):
                        tile.append("0x%x READ 0\n" % (k * nb * row_span + rr * row_span + (blk * 8 + j) * burst))
        tl = run(pesim, t, tile, *pre, "--no-refresh")
        tr = run(pesim, t, tile, *pre)
        rows.append((name, "tiles (16 x 8 x 64 bursts): ACT", "%d (refresh off)" % (16 * 8 * d["bg"]),
                     "%d (%.2f GB/s); refresh on: %d" % (tl["commands"]["act"], tl["bandwidth_gbps"],
                                                        tr["commands"]["act"]), "%d (refresh off)" % (16 * 8 * d["bg"])))
        # Three streams in one bank (other rows), interleaved, DRAMsim3's map.
        three = ["0x%x READ 0\n" % ((i % 3) * (512 << 20) + (i // 3) * burst) for i in range(30000)]
        for bq, cap in ((8, 16), (8, 4), (32, 16)):
            th = run(pesim, t, three, *pre, "--map", "rochrababgco", "--bank-queue", str(bq), "--hit-cap", str(cap))
            rows.append((name, "three streams, bank queue %d, hit cap %d: ACT" % (bq, cap), "",
                         "%d for 30000 reads (%.2f GB/s)" % (th["commands"]["act"], th["bandwidth_gbps"]),
                         "n/a (needs a run)" if (bq, cap) == (8, 4) else ""))
    print("| preset | pattern | expected (timings) | pesim | DRAMsim3 (from its code) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s |" % r)


if __name__ == "__main__":
    main()
