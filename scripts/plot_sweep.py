#!/usr/bin/python3
"""Plots a hardware sweep from `pesim sweep --csv FILE`.

Input CSV columns (docs/cli.md, `pesim sweep`): point, the hardware values by
key, valid, reason, cycles, energy_pj, area_um2, edp, pareto. The plot is a
scatter of latency (cycles) against energy (pJ) of the valid points, log-log,
coloured by area (um2); the points on the latency-energy-area Pareto front are
drawn larger with a black edge, and the latency-energy front of those (the
staircase a reader sees in two dimensions) is drawn as a line. Invalid points
are not plotted (their count is in the title).

usage: plot_sweep.py CSV PNG [--title TEXT]
(Debian's python3-matplotlib; run with /usr/bin/python3.)
"""
import argparse
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402


def read(path):
    valid, invalid = [], 0
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("valid") != "1":
                invalid += 1
                continue
            valid.append({
                "point": int(row["point"]),
                "cycles": float(row["cycles"]),
                "energy": float(row["energy_pj"]),
                "area": float(row["area_um2"]) if row["area_um2"] else 0.0,
                "pareto": row.get("pareto") == "1",
            })
    return valid, invalid


def staircase(points):
    """The latency-energy front of points (sorted by cycles)."""
    front, best = [], float("inf")
    for p in sorted(points, key=lambda p: (p["cycles"], p["energy"])):
        if p["energy"] < best:
            front.append(p)
            best = p["energy"]
    return front


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--title", default=None)
    args = ap.parse_args()
    valid, invalid = read(args.csv)
    if not valid:
        print("plot_sweep.py: %s: no valid point to plot" % args.csv, file=sys.stderr)
        return 1
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    rest = [p for p in valid if not p["pareto"]]
    front = [p for p in valid if p["pareto"]]
    areas = [p["area"] for p in valid]
    vmin, vmax = min(areas), max(areas)
    if vmin == vmax:
        vmax = vmin + 1.0
    sc = None
    if rest:
        sc = ax.scatter([p["cycles"] for p in rest], [p["energy"] for p in rest],
                        c=[p["area"] for p in rest], cmap="viridis", vmin=vmin, vmax=vmax,
                        s=18, alpha=0.7, label="valid point")
    if front:
        sc = ax.scatter([p["cycles"] for p in front], [p["energy"] for p in front],
                        c=[p["area"] for p in front], cmap="viridis", vmin=vmin, vmax=vmax,
                        s=70, edgecolors="black", linewidths=1.2,
                        label="Pareto (latency, energy, area)")
        stair = staircase(front)
        ax.step([p["cycles"] for p in stair], [p["energy"] for p in stair], where="post",
                color="crimson", linewidth=1.2, label="latency-energy front")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("latency (cycles)")
    ax.set_ylabel("energy (pJ)")
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("area (um2)")
    title = args.title or "hardware sweep"
    ax.set_title("%s: %d valid points, %d on the Pareto front, %d invalid"
                 % (title, len(valid), len(front), invalid), fontsize=10)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    print("wrote %s" % args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
