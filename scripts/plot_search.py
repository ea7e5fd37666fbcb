#!/usr/bin/python3
"""Plots search sample efficiency from scripts/bench_search.sh's CSV.

Input CSV columns: arch,workload,layer,algo,seed,sample,best_objective, one
row per sample at which a run's best so far improved (and its last sample).
For each (arch, workload, layer) the best known objective is the lowest over
every run (the exhaustive optimum where exhaustive ran). The plot shows, per
algorithm, the median over seeds of best-so-far / best-known against the
number of samples, with the 25-75 % band; the summary table gives the median
at a tenth of the budget and at the budget, and the median number of samples
a run needed to come within 10 % of the best known.

usage: plot_search.py CSV PNG [--budget N] [--summary FILE.md]
(Debian's python3-matplotlib; run with /usr/bin/python3.)
"""
import argparse
import csv
import math
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ORDER = ["exhaustive", "random", "timeloop", "annealing", "genetic"]
COLORS = {"exhaustive": "black", "random": "tab:gray", "timeloop": "tab:blue",
          "annealing": "tab:orange", "genetic": "tab:green"}


def load(path):
    runs = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            case = (row["arch"], row["workload"], row["layer"])
            runs[case][row["algo"]][int(row["seed"])].append(
                (int(row["sample"]), float(row["best_objective"])))
    return runs


def best_at(points, grid):
    """Best so far at each sample count of grid (inf before the first valid)."""
    out = np.full(len(grid), np.inf)
    samples = np.array([p[0] + 1 for p in points])  # sample index -> samples taken
    values = np.array([p[1] for p in points])
    for i, n in enumerate(grid):
        k = np.searchsorted(samples, n, side="right")
        if k > 0:
            out[i] = values[k - 1]
    return out


def samples_to(points, target):
    for s, v in points:
        if v <= target:
            return s + 1
    return math.inf


def fmt(x):
    if math.isinf(x):
        return "-"
    return f"{x:.2f}" if x < 100 else f"{x:.3g}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--budget", type=int, default=0)
    ap.add_argument("--summary")
    args = ap.parse_args()
    runs = load(args.csv)
    cases = sorted(runs, key=lambda c: (c[2] == "fc", c[0], c[1]))
    budget = args.budget or max(p[0] + 1 for c in runs.values() for a in c.values()
                                for s in a.values() for p in s)
    grid = np.unique(np.round(np.logspace(0, math.log10(budget), 120)).astype(int))

    ncol = 3
    nrow = math.ceil(len(cases) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 3.6 * nrow), squeeze=False)
    lines = ["| arch | layer | algorithm | best / best known at %d | at %d | samples to within 10%% |"
             % (max(budget // 10, 1), budget),
             "|---|---|---|---|---|---|"]
    for ax, case in zip(axes.flat, cases):
        arch, workload, layer = case
        algos = runs[case]
        known = min(v for a in algos.values() for s in a.values() for _, v in s)
        for algo in sorted(algos, key=lambda a: ORDER.index(a) if a in ORDER else 99):
            seeds = algos[algo]
            if algo == "exhaustive":
                ax.axhline(1.0, color=COLORS[algo], lw=1, ls="--", label="exhaustive optimum")
                n = max(p[0] + 1 for s in seeds.values() for p in s)
                lines.append(f"| {arch} | {layer} | exhaustive | optimum ({n:,} evaluations) | | |")
                continue
            curves = np.array([best_at(pts, grid) / known for pts in seeds.values()])
            med = np.median(curves, axis=0)
            lo = np.percentile(curves, 25, axis=0, method="nearest")
            hi = np.percentile(curves, 75, axis=0, method="nearest")
            col = COLORS.get(algo)
            ok = np.isfinite(med)
            ax.plot(grid[ok], med[ok], color=col, label=f"{algo} ({len(seeds)} seeds)")
            band = np.isfinite(hi)
            ax.fill_between(grid[band], lo[band], hi[band], color=col, alpha=0.15, lw=0)
            tenth = np.median([best_at(p, [max(budget // 10, 1)])[0] / known for p in seeds.values()])
            final = np.median([best_at(p, [budget])[0] / known for p in seeds.values()])
            reach = np.median([samples_to(p, 1.1 * known) for p in seeds.values()])
            reach_s = f"{int(reach):,}" if math.isfinite(reach) else f"> {budget:,}"
            lines.append(f"| {arch} | {layer} | {algo} | {fmt(tenth)} | {fmt(final)} | {reach_s} |")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{arch}: {workload} {layer}", fontsize=9)
        ax.set_xlabel("samples (evaluations)")
        ax.set_ylabel("best EDP / best known")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(cases):]:
        ax.axis("off")
    fig.suptitle("pesim search: best EDP so far vs samples (median over seeds, 25-75 % band)")
    fig.tight_layout()
    fig.savefig(args.png, dpi=110)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write("\n".join(lines) + "\n")
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
