#!/usr/bin/python3
"""Summarises scripts/study_arco.sh: per (workload, layer) and algorithm, the
median over seeds of the best design's latency (cycles, cycle engine), its
throughput against the AutoTVM-like tuner's median (+x % = faster), the
median measured samples a run needed to reach the AutoTVM-like tuner's
median final latency (">B" when it did not within the budget), the mean
designs predicted outside the budget, and the mean wall time. Plots, per
layer, the median best-so-far / best-known against measured samples.

usage: study_arco.py OUT [--budget N]   (reads OUT/runs.csv, OUT/curves.csv;
writes OUT/arco_summary.md and OUT/arco_curves.png)
"""
import argparse
import csv
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ORDER = ["arco", "marl", "autotvm", "genetic", "annealing", "random"]
LABEL = {"arco": "ARCO", "marl": "MARL (no CS)", "autotvm": "AutoTVM-like", "genetic": "genetic",
         "annealing": "annealing", "random": "random"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--budget", type=int, default=48)
    a = ap.parse_args()
    runs = list(csv.DictReader(open(f"{a.out}/runs.csv")))
    curves = defaultdict(list)  # (wl, layer, algo, seed) -> [(sample, best)]
    for r in csv.DictReader(open(f"{a.out}/curves.csv")):
        if r["best_cycles"]:
            curves[(r["workload"], r["layer"], r["algo"], r["seed"])].append((int(r["sample"]), float(r["best_cycles"])))
    keys = sorted({(r["workload"], r["layer"]) for r in runs})
    lines = ["| workload | layer | algorithm | median best latency (cycles) | throughput vs AutoTVM-like |"
             " samples to AutoTVM-like's median | predicted designs | wall s |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    fig, axes = plt.subplots(1, len(keys), figsize=(6 * len(keys), 4), squeeze=False)
    for ki, (wl, layer) in enumerate(keys):
        by = defaultdict(list)
        for r in runs:
            if (r["workload"], r["layer"]) == (wl, layer):
                by[r["algo"]].append(r)
        best = lambda rs: [float(r["best_cycles"]) for r in rs if r["best_cycles"]]  # noqa: E731
        ref = np.median(best(by["autotvm"])) if best(by.get("autotvm", [])) else None
        known = min(min(best(rs)) for rs in by.values() if best(rs))
        ax = axes[0][ki]
        for algo in [x for x in ORDER if x in by]:
            rs = by[algo]
            b = best(rs)
            med = np.median(b) if b else float("nan")
            gain = f"{100 * (ref / med - 1):+.1f} %" if ref and b else "-"
            reach = []
            for r in rs:
                c = curves[(wl, layer, algo, r["seed"])]
                hit = [s + 1 for s, v in c if ref is not None and v <= ref]
                reach.append(hit[0] if hit else a.budget + 1)
            rm = np.median(reach)
            rtxt = f">{a.budget}" if rm > a.budget else f"{rm:.0f}"
            pred = np.mean([float(r["predicted"]) for r in rs])
            wall = np.mean([float(r["wall_s"]) for r in rs])
            lines.append(f"| {wl} | {layer} | {LABEL[algo]} | {med:,.0f} | {gain} | {rtxt} | {pred:,.0f} | {wall:.1f} |")
            grid = np.arange(1, a.budget + 1)
            ys = []
            for r in rs:
                c = dict(curves[(wl, layer, algo, r["seed"])])
                cur, y = float("nan"), []
                for s in range(a.budget):
                    cur = c.get(s, cur)
                    y.append(cur / known)
                ys.append(y)
            ax.plot(grid, np.nanmedian(np.array(ys, dtype=float), axis=0), label=LABEL[algo])
        ax.set_title(f"{wl} {layer} (VTA joint space)")
        ax.set_xlabel("measured samples (cycle engine)")
        ax.set_ylabel("median best latency / best known")
        ax.set_yscale("log")
        ax.legend()
    fig.tight_layout()
    fig.savefig(f"{a.out}/arco_curves.png", dpi=110)
    open(f"{a.out}/arco_summary.md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
