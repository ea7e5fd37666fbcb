#!/usr/bin/python3
"""Summarises scripts/study_marl.sh's curves (docs/studies/marl.md).

Input CSV columns: arch,workload,layer,algo,seed,sample,best_objective,objective,
one row per sample at which a run's best so far improved (and its last one);
several CSV files are read as one. Per (objective, arch, layer) the best
known objective is the lowest over every run, the "reference" runs (a
longer annealing) included; those are no row of the tables. Per algorithm it reports the median over seeds of the samples a
run needed to come within --within (5 %) of the best known ("-": not within
the budget; medians count such runs as infinite), the share of runs that got
there, and the median best / best known at budgets 100, 1000 and the budget;
then, over all cases, the geometric mean of the per-case medians of best /
best known and the per-algorithm count of cases it reached first. The PNG
shows the geometric mean over cases of the median best / best known against
samples, one panel per objective.

With --defaults (objective,arch,layer,value: the default mapper's objective
per case), each row also gives the median samples a run needed to match the
default mapper (reach its objective or better).

usage: study_marl.py CSV [CSV...] [--defaults CSV] [--budget N] [--within 0.05] [--summary FILE.md] [--png FILE.png]
(Debian's python3-numpy and python3-matplotlib; run with /usr/bin/python3.)
"""
import argparse
import csv
import math
from collections import defaultdict

import numpy as np

ORDER = ["random", "genetic", "annealing", "rl", "marl"]


def load(paths):
    runs = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                case = (row["objective"], row["arch"], row["layer"])
                runs[case][row["algo"]][int(row["seed"])].append(
                    (int(row["sample"]), float(row["best_objective"])))
    return runs


def best_at(points, n):
    best = math.inf
    for s, v in points:
        if s + 1 <= n:
            best = v
    return best


def samples_to(points, target):
    for s, v in points:
        if v <= target:
            return s + 1
    return math.inf


def fmt(x, digits=2):
    if math.isinf(x) or math.isnan(x):
        return "-"
    return f"{x:.{digits}f}" if x < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--budget", type=int, default=0)
    ap.add_argument("--within", type=float, default=0.05)
    ap.add_argument("--defaults")
    ap.add_argument("--summary")
    ap.add_argument("--png")
    args = ap.parse_args()
    runs = load(args.csv)
    default = {}
    if args.defaults:
        with open(args.defaults, newline="") as f:
            for row in csv.DictReader(f):
                default[(row["objective"], row["arch"], row["layer"])] = float(row["value"])
    budget = args.budget or max(p[0] + 1 for c in runs.values() for n, a in c.items() if n != "reference"
                                for s in a.values() for p in s)
    budgets = [b for b in (100, 1000, budget) if b <= budget]
    budgets = sorted(set(budgets))
    algos = [a for a in ORDER if any(a in c for c in runs.values())]
    lines = []
    head = ("| objective | arch | layer | algorithm | samples to within %d%% (median) | runs within |"
            % round(100 * args.within)
            + "".join(" best/known at %d |" % b for b in budgets) + " samples to the default mapper's |")
    lines.append(head)
    lines.append("|" + "---|" * (7 + len(budgets)))
    to_def = defaultdict(list)
    agg = defaultdict(lambda: defaultdict(list))     # (objective, algo) -> budget -> per-case medians
    reach = defaultdict(list)                        # (objective, algo) -> per-case median samples
    first = defaultdict(int)
    runs_in = defaultdict(lambda: [0, 0])             # (objective, algo) -> [runs within, runs]
    for case in sorted(runs):
        obj, arch, layer = case
        known = min(v for a in runs[case].values() for s in a.values() for _, v in s)
        meds = {}
        for algo in algos:
            seeds = runs[case].get(algo)
            if not seeds:
                continue
            to = [samples_to(p, (1 + args.within) * known) for p in seeds.values()]
            med_to = float(np.median(to))
            meds[algo] = med_to
            reach[(obj, algo)].append(med_to)
            cols = []
            for b in budgets:
                m = float(np.median([best_at(p, b) / known for p in seeds.values()]))
                agg[(obj, algo)][b].append(m)
                cols.append(fmt(m))
            ok = sum(1 for t in to if not math.isinf(t))
            runs_in[(obj, algo)][0] += ok
            runs_in[(obj, algo)][1] += len(to)
            dv = default.get(case)
            md = float(np.median([samples_to(p, dv) for p in seeds.values()])) if dv else math.nan
            to_def[(obj, algo)].append(md)
            lines.append("| %s | %s | %s | %s | %s | %d/%d |" % (obj, arch, layer, algo, fmt(med_to, 0), ok,
                                                               len(to)) + "".join(" %s |" % c for c in cols)
                         + " %s |" % fmt(md, 0))
        if meds:
            fastest = min(meds.values())
            for algo, m in meds.items():
                if m == fastest and not math.isinf(m):
                    first[(obj, algo)] += 1
    lines.append("")
    lines.append("Over all cases (geometric mean of the per-case medians of best / best known; "
                 "cases where the algorithm's median run came within %d%%, and where it was the fastest):"
                 % round(100 * args.within))
    lines.append("")
    lines.append("| objective | algorithm |" + "".join(" best/known at %d |" % b for b in budgets)
                 + " cases within | cases fastest | runs within | median samples to within (over cases) |"
                 + " median samples to the default mapper's (over cases) |")
    lines.append("|" + "---|" * (7 + len(budgets)))
    for obj in sorted({c[0] for c in runs}):
        for algo in algos:
            if (obj, algo) not in agg:
                continue
            cols = []
            for b in budgets:
                v = [x for x in agg[(obj, algo)][b]]
                cols.append(fmt(math.exp(np.mean(np.log(v)))) if all(math.isfinite(x) for x in v) else "-")
            r = reach[(obj, algo)]
            lines.append("| %s | %s |" % (obj, algo) + "".join(" %s |" % c for c in cols)
                         + " %d/%d | %d | %d/%d | %s |" % (sum(1 for x in r if math.isfinite(x)), len(r),
                                                         first[(obj, algo)], runs_in[(obj, algo)][0],
                                                         runs_in[(obj, algo)][1], fmt(float(np.median(r)), 0))
                         + " %s |" % fmt(float(np.median(to_def[(obj, algo)])), 0))
    text = "\n".join(lines) + "\n"
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text)
    else:
        print(text)
    if args.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        objs = sorted({c[0] for c in runs})
        grid = np.unique(np.round(np.logspace(0, math.log10(budget), 80)).astype(int))
        fig, axes = plt.subplots(1, len(objs), figsize=(6 * len(objs), 4.5), squeeze=False)
        for ax, obj in zip(axes[0], objs):
            for algo in algos:
                curves = []
                for case in runs:
                    if case[0] != obj or algo not in runs[case]:
                        continue
                    known = min(v for a in runs[case].values() for s in a.values() for _, v in s)
                    med = [np.median([best_at(p, n) / known for p in runs[case][algo].values()]) for n in grid]
                    curves.append(np.log(np.array(med)))
                if curves:
                    y = np.exp(np.mean(np.array(curves), axis=0))
                    ax.plot(grid, y, label=algo)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("samples")
            ax.set_ylabel("best / best known (geomean of case medians)")
            ax.set_title(obj)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        fig.tight_layout()
        fig.savefig(args.png, dpi=110)


if __name__ == "__main__":
    main()
