#!/usr/bin/python3
"""Convergence plot of EGRL's study (scripts/study_egrl.sh, docs/studies/egrl.md).

Input: the study's curves.csv (network,algorithm,evaluations,speedup_mean,speedup_sd,
own_mean,own_sd: the best speedup over the greedy placer after N evaluations, mean and
standard deviation over seeds, with and without greedy's placement, which every run
evaluates first) and optionally its baselines.csv (network,placement,speedup:
network,placement,fidelity,cycles,speedup; the analytical rows of all-DRAM, net's
greedy with the input on chip and the ILP optimum, drawn as horizontal lines). One panel per network: per algorithm, the mean best speedup of
what it found itself (greedy's first candidate left out: with it every curve is
1.0 or more by construction) against evaluations, a band of one standard
deviation; the greedy placer at 1.0.

usage: plot_egrl.py CURVES.csv OUT.png|OUT.svg [--baselines BASELINES.csv]
(Debian's python3-matplotlib; run with /usr/bin/python3.)
"""
import argparse
import csv
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"egrl": "tab:red", "ea": "tab:blue", "pg": "tab:green", "random": "tab:gray", "annealing": "tab:purple"}
STYLES = {"dram": ":", "optimal": "--", "greedy_net": "-."}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("curves")
    ap.add_argument("out")
    ap.add_argument("--baselines")
    a = ap.parse_args()
    curves = defaultdict(lambda: defaultdict(list))
    with open(a.curves, newline="") as f:
        for r in csv.DictReader(f):
            if float(r["own_mean"]) > 0:
                curves[r["network"]][r["algorithm"]].append(
                    (int(r["evaluations"]), float(r["own_mean"]), float(r["own_sd"])))
    base = defaultdict(dict)
    if a.baselines:
        with open(a.baselines, newline="") as f:
            for r in csv.DictReader(f):
                if r["fidelity"] == "analytical" and r["speedup"]:
                    base[r["network"]][r["placement"]] = float(r["speedup"])
    nets = list(curves)
    fig, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 4), squeeze=False)
    for ax, net in zip(axes[0], nets):
        for algo, pts in curves[net].items():
            pts.sort()
            x = [p[0] for p in pts]
            m = [p[1] for p in pts]
            lo = [p[1] - p[2] for p in pts]
            hi = [p[1] + p[2] for p in pts]
            c = COLORS.get(algo)
            ax.plot(x, m, label=algo, color=c)
            ax.fill_between(x, lo, hi, color=c, alpha=0.15, linewidth=0)
        ax.axhline(1.0, color="black", linewidth=0.8, label="greedy (1.0x)")
        for name, v in base[net].items():
            if name in STYLES:
                ax.axhline(v, color="black", linestyle=STYLES[name], linewidth=0.8, label=f"{name} ({v:.3f}x)")
        ax.set_title(net)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("best own speedup over greedy (mean over seeds)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
