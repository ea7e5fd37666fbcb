#!/usr/bin/python3
"""Summarises scripts/study_arco.sh's runs (OUT/runs/<wl>-<layer>-<algo>-<seed>.*).

Writes OUT/runs.csv (one row per run of OUT, merged ones left out: best latency in cycles, measured and valid
samples, designs predicted outside the budget, wall and CPU seconds), OUT/curves.csv
(per run and sample: the best so far and the estimated CPU seconds elapsed),
OUT/arco_summary.md and OUT/arco_curves.png.

The summary, per (workload, layer) and algorithm over seeds: the median best
latency (cycles, cycle engine); its throughput against the AutoTVM-like tuner's
median (+x % = faster); the median measured samples a run needed to reach the
AutoTVM-like tuner's median final latency (">B" when it did not within the budget)
and the median CPU seconds it took ("-": the median run did not reach it); the mean designs predicted outside the budget; the median CPU and wall seconds.
Then ARCO against each baseline: an exact one-sided Mann-Whitney U test (no
normal approximation, ties by mid-ranks) over seeds that ARCO's best latency is
lower, and that its measured samples to reach the AutoTVM-like median are fewer.

Time curves: the store keeps each sample's evaluation time (wall); a sample's
elapsed time is the sum of the evaluation times up to it plus the run's other
time (the algorithm's own work: proposals, predictions, model fits) spread evenly
over the samples, scaled by the run's CPU / wall ratio into CPU seconds (the
machine is shared, so CPU seconds are the comparable time).

Merging (--merge CSV, a runs.csv of an earlier study, e.g. docs/studies/arco_runs.csv):
a run missing from OUT/runs is taken from the CSV (best latency, samples, predictions,
times; no curve, so its samples and CPU seconds to the AutoTVM-like median are "n/a"
and it has no plot line). The summary names the merged (workload, layer, algorithm)s:
they may come from another binary.

usage: study_arco.py OUT [--budget N] [--layers "WL:LAYER ..."] [--seeds S] [--algos "..."]
                     [--merge CSV]
"""
import argparse
import csv
import itertools
import json
import os
import sqlite3
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ORDER = ["arco", "arco-sur", "marl", "arco-mask", "arco-sur-mask", "marl-mask", "autotvm", "genetic", "annealing",
         "random", "autotvm-mask"]
LABEL = {"arco": "ARCO", "arco-sur": "ARCO (surrogate only)", "marl": "MARL (no CS)", "arco-mask": "ARCO (masked)",
         "arco-sur-mask": "ARCO (surrogate only, masked)", "marl-mask": "MARL (no CS, masked)",
         "autotvm": "AutoTVM-like", "autotvm-mask": "AutoTVM-like (masked)",
         "genetic": "genetic",
         "annealing": "annealing", "random": "random"}


def ranks(v):
    """Mid-ranks (1-based) of v."""
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def mwu_less(x, y):
    """Exact one-sided Mann-Whitney U p-value that x tends to be smaller than y:
    the share of the C(n, len(x)) relabellings of the pooled values whose rank sum
    for the x group is at most the observed one (mid-ranks for ties)."""
    if not x or not y:
        return float("nan")
    pooled = list(x) + list(y)
    r = ranks(pooled)
    obs = sum(r[: len(x)])
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), len(x)):
        total += 1
        hits += sum(r[i] for i in idx) <= obs + 1e-9
    return hits / total


def wilcoxon_greater(d):
    """Exact one-sided Wilcoxon signed-rank p-value that the paired differences d
    tend to be positive: the share of the 2^n sign patterns (zeros dropped, ties by
    mid-ranks) whose negative rank sum is at most the observed one."""
    a = [v for v in d if v != 0]
    if not a:
        return 1.0
    r = ranks([abs(v) for v in a])
    obs = sum(r[i] for i, v in enumerate(a) if v < 0)
    hits = 0
    for signs in itertools.product((0, 1), repeat=len(a)):
        hits += sum(r[i] for i in range(len(a)) if signs[i]) <= obs + 1e-9
    return hits / 2 ** len(a)


def load_run(stem):
    """One run's figures, or None when it is not complete."""
    if not (os.path.exists(stem + ".json") and os.path.exists(stem + ".time")):
        return None
    d = json.load(open(stem + ".json"))
    wall_t, user, sys_ = (float(x) for x in open(stem + ".time").read().split()[:3])
    best = []
    with open(os.path.join(stem, "convergence.csv")) as f:
        for row in csv.DictReader(f):
            best.append(float(row["best_objective"]) if row["best_objective"] else None)
    ev = []
    if os.path.exists(stem + ".db"):
        con = sqlite3.connect(stem + ".db")
        ev = [w for (w,) in con.execute("SELECT wall_s FROM evaluations ORDER BY run, sample")]
        con.close()
    n = len(best)
    if len(ev) != n:
        ev = [0.0] * n
    cpu = user + sys_
    if os.path.exists(stem + ".prior"):
        # resumed after a stop: the stopped segments' evaluation seconds (the
        # engine is single-threaded: counted as CPU seconds too)
        prior = float(open(stem + ".prior").read().split()[0])
        wall_t += prior
        cpu += prior
    other = max(wall_t - sum(ev), 0.0)
    scale = cpu / wall_t if wall_t > 0 else 0.0
    elapsed, acc = [], 0.0
    for k in range(n):
        acc += ev[k] + other / n
        elapsed.append(acc * scale)
    return {"best": d["best"]["cycles"] if d.get("best") else None, "samples": d["samples"],
            "valid": d["valid_samples"], "predicted": d.get("predicted_samples", 0),
            "wall_s": wall_t, "cpu_s": cpu, "curve": best, "elapsed": elapsed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--budget", type=int, default=48)
    ap.add_argument("--layers", default="resnet18:res5a_branch1 vgg16:fc8")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--algos", default=" ".join(ORDER))
    ap.add_argument("--merge", default=None)
    ap.add_argument("--space", choices=("joint", "hardware"), default="joint")
    a = ap.parse_args()
    algos = [x for x in ORDER if x in a.algos.split()]
    keys = [(wl_layer.split(":")[0], wl_layer.split(":", 1)[1] or "net") for wl_layer in a.layers.split()]
    runs = {}
    for wl, layer in keys:
        for algo in algos:
            for seed in range(1, a.seeds + 1):
                r = load_run(f"{a.out}/runs/{wl}-{layer}-{algo}-{seed}")
                if r:
                    runs[(wl, layer, algo, seed)] = r
    merged = set()
    if a.merge:
        with open(a.merge) as f:
            for row in csv.DictReader(f):
                k = (row["workload"], row["layer"], row["algo"], int(row["seed"]))
                if k in runs or k[:2] not in keys or k[2] not in algos or k[3] > a.seeds:
                    continue
                runs[k] = {"best": float(row["best_cycles"]) if row["best_cycles"] else None,
                           "samples": int(row["samples"]), "valid": int(row["valid"]),
                           "predicted": int(row["predicted"]), "wall_s": float(row["wall_s"]),
                           "cpu_s": float(row["cpu_s"]), "curve": None, "elapsed": None}
                merged.add(k[:3])
    with open(f"{a.out}/runs.csv", "w") as f:
        f.write("workload,layer,algo,seed,best_cycles,samples,valid,predicted,wall_s,cpu_s\n")
        for (wl, layer, algo, seed), r in runs.items():
            if r["curve"] is None:  # merged: already in the CSV it came from
                continue
            f.write(f'{wl},{layer},{algo},{seed},{r["best"] if r["best"] is not None else ""},{r["samples"]},'
                    f'{r["valid"]},{r["predicted"]},{r["wall_s"]:.2f},{r["cpu_s"]:.2f}\n')
    with open(f"{a.out}/curves.csv", "w") as f:
        f.write("workload,layer,algo,seed,sample,best_cycles,cpu_s\n")
        for (wl, layer, algo, seed), r in runs.items():
            for s, (b, t) in enumerate(zip(r["curve"] or [], r["elapsed"] or [])):
                f.write(f'{wl},{layer},{algo},{seed},{s},{"" if b is None else b},{t:.3f}\n')

    lines = ["| workload | layer | algorithm | seeds | median best latency (cycles) | throughput vs AutoTVM-like |"
             " samples to AutoTVM-like's median | CPU s to AutoTVM-like's median | predicted designs | CPU s | wall s |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tests = ["| workload | layer | ARCO variant | baseline | lower latency: p | fewer samples to AutoTVM-like's median: p |",
             "|---|---|---|---|---:|---:|"]
    # the statistic of tests/search_arco_test.cc ReachesTheGeneticBestInFewerMeasuredSamples, at size
    ga = ["| workload | layer | ARCO variant | seeds | genetic: samples to its best (mean) |"
          " ARCO variant: samples to the genetic best (mean) | Wilcoxon signed-rank p (ARCO variant fewer) |",
          "|---|---|---|---:|---:|---:|---:|"]
    done = [k for k in keys if any((k[0], k[1], algo, s) in runs for algo in algos for s in range(1, a.seeds + 1))]
    fig, axes = plt.subplots(2, max(len(done), 1), figsize=(5 * max(len(done), 1), 8), squeeze=False)
    for ki, (wl, layer) in enumerate(done):
        by = {algo: [runs[(wl, layer, algo, s)] for s in range(1, a.seeds + 1) if (wl, layer, algo, s) in runs]
              for algo in algos}
        # a run that found nothing valid counts as an infinite latency
        best = lambda rs: [r["best"] if r["best"] is not None else float("inf") for r in rs]  # noqa: E731
        ref = float(np.median(best(by.get("autotvm", [])))) if by.get("autotvm") else None
        ref = ref if ref is not None and np.isfinite(ref) else None
        known = min(min(best(rs)) for rs in by.values() if rs)
        reach = {}
        for algo in algos:
            rs = by[algo]
            if not rs:
                continue
            b = best(rs)
            med = np.median(b) if b else float("nan")
            gain = f"{100 * (ref / med - 1):+.1f} %" if ref and np.isfinite(med) else "-"
            reach[algo], reach_s = [], []
            for r in rs:
                if r["curve"] is None:  # merged from a CSV: no curve
                    reach[algo] = None
                    break
                hit = [s + 1 for s, v in enumerate(r["curve"]) if ref is not None and v is not None and v <= ref]
                reach[algo].append(hit[0] if hit else a.budget + 1)
                reach_s.append(r["elapsed"][hit[0] - 1] if hit else float("inf"))
            if reach[algo] is None:
                rtxt = ttxt = "n/a"
            else:
                rm = np.median(reach[algo])
                rtxt = f">{a.budget}" if rm > a.budget else f"{rm:.0f}"
                ts = np.median(reach_s)
                ttxt = f"{ts:.1f}" if np.isfinite(ts) else "-"
            pred = np.mean([r["predicted"] for r in rs])
            lines.append(f"| {wl} | {layer} | {LABEL[algo]} | {len(rs)} | {med:,.0f} | {gain} | {rtxt} | {ttxt} | {pred:,.0f} |"
                         f" {np.median([r['cpu_s'] for r in rs]):.1f} | {np.median([r['wall_s'] for r in rs]):.1f} |")
            for row, xs in ((0, None), (1, "elapsed")) if reach[algo] is not None else ():
                ax = axes[row][ki]
                n = max(len(r["curve"]) for r in rs)
                # nothing valid yet counts as infinite, so that the median is non-increasing
                ys = np.array([[(r["curve"][s] if s < len(r["curve"]) and r["curve"][s] is not None else np.inf) / known
                                for s in range(n)] for r in rs], dtype=float)
                y = np.median(ys, axis=0)
                if xs is None:
                    ax.plot(np.arange(1, n + 1), y, label=LABEL[algo], color=f"C{ORDER.index(algo)}")
                else:
                    x = np.median(np.array([r["elapsed"] + [r["elapsed"][-1]] * (n - len(r["elapsed"]))
                                            for r in rs]), axis=0)
                    ax.plot(x, y, label=LABEL[algo], color=f"C{ORDER.index(algo)}")
        leads = ("arco", "arco-sur", "arco-mask", "arco-sur-mask")
        for lead in leads:
            if not by.get(lead):
                continue
            for algo in algos:
                if algo == lead or (algo in leads and leads.index(algo) < leads.index(lead)) or not by[algo]:
                    continue
                p1 = mwu_less(best(by[lead]), best(by[algo]))
                p2 = (mwu_less(reach[lead], reach[algo]) if ref is not None and reach[lead] is not None and
                      reach[algo] is not None else float("nan"))
                p2 = "n/a" if np.isnan(p2) else f"{p2:.3f}"
                tests.append(f"| {wl} | {layer} | {LABEL[lead]} | {LABEL[algo]} | {p1:.3f} | {p2} |")
        for lead in (x for x in leads if x in algos):
            both = [s for s in range(1, a.seeds + 1) if (wl, layer, lead, s) in runs and (wl, layer, "genetic", s) in runs]
            g_at, a_at = [], []
            for s in both:
                g, ar = runs[(wl, layer, "genetic", s)]["curve"], runs[(wl, layer, lead, s)]["curve"]
                if g is None or ar is None:
                    continue
                target = g[-1] if g and g[-1] is not None else float("inf")
                g_at.append(next((k + 1 for k, v in enumerate(g) if v is not None and v <= target), a.budget + 1))
                a_at.append(next((k + 1 for k, v in enumerate(ar) if v is not None and v <= target), a.budget + 1))
            if g_at:
                p = wilcoxon_greater([x - y for x, y in zip(g_at, a_at)])
                ga.append(f"| {wl} | {layer} | {LABEL[lead]} | {len(g_at)} | {np.mean(g_at):.1f} | {np.mean(a_at):.1f} | {p:.3f} |")
        for row, xl in ((0, "measured samples (cycle engine)"), (1, "CPU seconds (estimated per sample)")):
            ax = axes[row][ki]
            ax.set_title(f"{wl} {layer} (VTA {a.space} space)")
            ax.set_xlabel(xl)
            ax.set_ylabel("median best latency / best known")
            ax.set_yscale("log")
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(f"{a.out}/arco_curves.png", dpi=100)
    note = ""
    if merged:
        note = ("\nMerged from " + a.merge + " (another study's runs, maybe another binary; no curves): " +
                ", ".join(f"{wl} {layer} {LABEL[al]}" for wl, layer, al in sorted(merged)) + ".\n")
    text = ("\n".join(lines) + "\n" + note + "\n\nExact one-sided Mann-Whitney U over seeds:\n\n" + "\n".join(tests) +
            "\n\nSamples to reach the genetic algorithm's best of the same seed (a run that never does counts"
            " budget + 1):\n\n" + "\n".join(ga) + "\n")
    open(f"{a.out}/arco_summary.md", "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
