#!/usr/bin/python3
"""Plots a whole network's memory occupancy over time, from the CSV that
`pesim run --placement ... --occupancy FILE` writes (docs/network.md).

Input columns: level,instances,step,layer,start_cycle,end_cycle,live_words,
staging_words,capacity_words,top_address, one row per level and step (empty
unbounded levels left out). One panel per level: per instance, the live
tensors' words (filled) and the step's staging tiles on top (hatched) as
bars over the layers' spans (from its start_cycle to its end_cycle or the next
step's start, whichever is later), the highest address in
use (dashed: the gap above live is fragmentation), and the capacity (red).
Layer spans alternate shading, labelled when they are wide enough.

usage: plot_occupancy.py CSV PNG [--levels A,B] [--title T]
(Debian's python3-matplotlib; run with /usr/bin/python3.)
"""
import argparse
import csv
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    levels = OrderedDict()
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {k: (r[k] if k in ("level", "layer") else int(r[k])) for k in r}
            levels.setdefault(row["level"], []).append(row)
    for rows in levels.values():
        rows.sort(key=lambda r: r["step"])
    return levels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--levels", help="comma-separated level names (default: every level in the file)")
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    levels = read(a.csv)
    if a.levels:
        keep = a.levels.split(",")
        levels = OrderedDict((k, v) for k, v in levels.items() if k in keep)
    if not levels:
        raise SystemExit("plot_occupancy.py: no rows to plot in %s" % a.csv)
    fig, axes = plt.subplots(len(levels), 1, figsize=(12, 2.6 * len(levels)), sharex=True, squeeze=False)
    for ax, (name, rows) in zip(axes[:, 0], levels.items()):
        left = [r["start_cycle"] for r in rows]
        # a step holds its tensors until the next one starts (a wait for a
        # prefetched load falls between a layer's end and the next's start)
        width = [max(r["end_cycle"], rows[i + 1]["start_cycle"] if i + 1 < len(rows) else 0) - r["start_cycle"]
                 for i, r in enumerate(rows)]
        width = [max(w, 1) for w in width]
        live = [r["live_words"] for r in rows]
        ax.bar(left, live, width=width, align="edge", color="tab:blue", alpha=0.6, label="live tensors")
        ax.bar(left, [r["staging_words"] for r in rows], width=width, bottom=live, align="edge",
               color="tab:orange", alpha=0.4, hatch="//", label="staging tiles")
        ax.hlines([r["top_address"] for r in rows], left, [x + w for x, w in zip(left, width)], colors="k",
                  linestyles="dashed", lw=0.8, label="highest address")
        cap = rows[0]["capacity_words"]
        if cap > 0:
            ax.axhline(cap, color="red", lw=1, label="capacity")
        for i, r in enumerate(rows):
            if i % 2:
                ax.axvspan(r["start_cycle"], r["end_cycle"], color="0.92", zorder=0)
        ax.set_ylabel("%s\nwords / instance" % name)
        ax.grid(True, axis="y", alpha=0.3)
    top = axes[0, 0]
    rows = next(iter(levels.values()))
    span = max(r["end_cycle"] for r in rows) or 1
    for r in rows:
        if (r["end_cycle"] - r["start_cycle"]) > span / 40:
            top.text((r["start_cycle"] + r["end_cycle"]) / 2, 1.02, r["layer"], transform=top.get_xaxis_transform(),
                     rotation=90, fontsize=6, ha="center", va="bottom")
    axes[0, 0].legend(loc="upper right", fontsize=7)
    axes[-1, 0].set_xlabel("cycle")
    if a.title:
        fig.suptitle(a.title)
    fig.tight_layout()
    fig.savefig(a.png, dpi=130)


if __name__ == "__main__":
    main()
