#!/usr/bin/python3
"""Analytical vs simulated cycles, from `pesim compare --csv FILE`.

usage: scripts/plot_compare.py COMPARE.csv [OUT.png]

Left: a scatter of each layer's cycle-engine cycles against the analytical
model's (log-log, with the y = x line: every point must be on or above it,
the analytical cycles being a lower bound). Right: the engine's stall cycles by
cause for the layers with the largest gap, stacked. Needs python3-matplotlib
(installed by scripts/setup.sh)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CAUSES = ["dram_bandwidth", "dram_latency", "bank_conflict", "buffer_bandwidth",
          "noc_bandwidth", "fill_drain", "buffer_space"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else path.rsplit(".", 1)[0] + ".png"
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r.get("mapped") != "1" or r.get("analytical_valid") != "1" or r.get("cycle_valid") != "1":
                continue
            rows.append(r)
    if not rows:
        sys.exit(f"{path}: no layer valid in both evaluators")
    a = [float(r["analytical_cycles"]) for r in rows]
    c = [float(r["cycle_cycles"]) for r in rows]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.5))
    ax.scatter(a, c, s=14)
    lo, hi = min(a + c), max(a + c)
    ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="cycle = analytical")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("analytical model: cycles (lower bound)")
    ax.set_ylabel("cycle engine: cycles")
    ax.set_title(f"{len(rows)} layers: engine/analytical = {sum(c) / sum(a):.2f}x overall")
    ax.legend()
    top = sorted(rows, key=lambda r: float(r["cycle_cycles"]) / float(r["analytical_cycles"]), reverse=True)[:15]
    bottom = [0.0] * len(top)
    names = [r["layer"] for r in top]
    for cause in CAUSES:
        key = f"cycle_stall_{cause}_cycles"
        vals = [float(r.get(key) or 0) for r in top]
        if any(vals):
            bx.barh(names, vals, left=bottom, label=cause)
            bottom = [b + v for b, v in zip(bottom, vals)]
    bx.barh(names, [float(r["cycle_compute_cycles"]) for r in top], left=bottom, label="compute", color="0.8")
    bx.invert_yaxis()
    bx.set_xlabel("cycle engine: cycles by cause")
    bx.set_title("largest gaps: where the cycles go")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main()
