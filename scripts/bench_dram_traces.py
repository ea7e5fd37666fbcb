#!/usr/bin/env python3
"""Writes the DRAM benchmark traces (scripts/bench_dram.sh, scripts/bench_dram_speed.sh):
DIR/stream.trc (N sequential 64-byte bursts) and DIR/random.trc (N uniformly random
64-byte bursts over 8 GiB, seed 1), one request per DRAM cycle, one write in four.
Python rather than awk: mawk's printf truncates integers to 32 bits.
usage: scripts/bench_dram_traces.py N DIR"""
import random
import sys

n, tmp = int(sys.argv[1]), sys.argv[2]
with open(tmp + "/stream.trc", "w") as f:
    f.writelines("0x%x %s %d\n" % (i * 64, "WRITE" if i % 4 == 3 else "READ", i) for i in range(n))
rng = random.Random(1)
with open(tmp + "/random.trc", "w") as f:   # 2^27 bursts of 64 B = 8 GiB
    f.writelines("0x%x %s %d\n" % (rng.getrandbits(27) * 64, "WRITE" if rng.random() < 0.25 else "READ", i)
                 for i in range(n))
