#!/usr/bin/python3
"""study_das.py - the DAS study (docs/das.md section 4).

For each DRL agent network, on the hardware space of
configs/experiments/das_atari.cfg (EDP under a 3e6 um2 area budget):
  1. DAS, DAS with every gradient cost counted (das-all, predict=0), random
     search, simulated annealing and the genetic algorithm at equal designs
     evaluated (--budget designs each);
  2. random, annealing and genetic again at equal wall time: each gets the
     budget it evaluates in DAS's median wall time (measured on this run);
  3. the fixed-template baselines at the same area budget and objective:
     the DNNBuilder-like pipeline (`pesim das --baseline pipeline`, its 45-point
     grid) and the CHaiDNN-like array (configs/experiments/das_chaidnn.cfg,
     its 8 published shapes, searched exhaustively);
  4. the joint hardware + mapping space (`--joint`: the same hardware
     parameters plus every layer's tile factors, orders and spatial factors):
     DAS (also das-b6: init_bias=6) against random, annealing and genetic at
     equal designs (the budget and 10 x the budget).
Then the agent-accelerator co-search (`pesim das`, configs/experiments/
das_agents.cfg, published Breakout scores) at several score weights: the
agent and design chosen, its FPS, and every agent's best FPS (the score/FPS
trade-off).

Writes OUT/rows.json (every run), OUT/tables.md (the docs' tables) and plots
OUT/das_edp.png, OUT/das_tradeoff.png (python3-matplotlib). Prints the tables.

Usage: scripts/study_das.py [--budget N] [--seeds "1 2 3"] [--nets "dqn_atari atari_a3c"]
                            [--weights "0 0.005 0.01 0.02 0.05"] [--out DIR]
Environment: PESIM (default build/Release/cli/pesim). Python 3 standard library
and matplotlib only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PESIM = os.environ.get("PESIM", os.path.join(ROOT, "build/Release/cli/pesim"))
EXP = "configs/experiments/das_atari.cfg"
CHAI = "configs/experiments/das_chaidnn.cfg"
AGENTS = "configs/experiments/das_agents.cfg"


def run(args, tmp, tag):
    """Runs pesim with args and --json; returns (json, wall seconds)."""
    js = os.path.join(tmp, tag + ".json")
    t0 = time.monotonic()
    p = subprocess.run([PESIM] + args + ["--json", js], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    if not os.path.exists(js):
        sys.exit("pesim %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
    with open(js) as f:
        return json.load(f), wall


def search(net, algo, seed, budget, tmp, extra=(), exp=EXP):
    tag = "%s-%s-%s-%d-%s-%s" % (net, algo, seed, budget, "-".join(extra).replace("=", ""),
                                 os.path.basename(exp).replace(".cfg", ""))
    name = "das" if algo.startswith("das") else algo
    args = ["search", "--experiment", exp, "--workload", "workloads/%s.cfg" % net, "--algo", name,
            "--budget", str(budget), "--seed", str(seed), "--db", "none", "--out", os.path.join(tmp, tag)]
    if algo == "das-all":
        args += ["--algo-opt", "predict=0"]
    if algo == "das-b6":  # samples kept near the default design: the joint space is mostly invalid
        args += ["--algo-opt", "init_bias=6"]
    args += list(extra)
    j, wall = run(args, tmp, tag)
    b = j.get("best")
    return {"net": net, "algo": algo, "seed": seed, "budget": budget, "extra": " ".join(extra),
            "edp": b["objective"] if b else None, "cycles": b["cycles"] if b else None,
            "wall_s": j.get("wall_s", wall)}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--seeds", default="1 2 3")
    ap.add_argument("--nets", default="dqn_atari atari_a3c")
    ap.add_argument("--weights", default="0 0.005 0.01 0.02 0.05")
    ap.add_argument("--out", default="das-study-out")
    ap.add_argument("--tables-only", action="store_true",
                    help="rewrite the tables and plots from OUT/rows.json, run nothing")
    a = ap.parse_args(argv)
    if a.tables_only:
        with open(os.path.join(a.out, "rows.json")) as f:
            saved = json.load(f)
        md = tables(saved["rows"], saved["cosearch"], a, 200.0)
        with open(os.path.join(a.out, "tables.md"), "w") as f:
            f.write(md)
        print(md)
        plots(saved["rows"], saved["cosearch"], list(dict.fromkeys(r["net"] for r in saved["rows"])), a.out)
        return 0
    seeds = [int(s) for s in a.seeds.split()]
    nets = a.nets.split()
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="study_das.")
    rows = []
    clock_mhz = 200.0  # configs/arch/eyeriss.cfg

    for net in nets:
        # 1. equal designs
        for algo in ("das", "das-all", "random", "annealing", "genetic"):
            for s in seeds:
                r = search(net, algo, s, a.budget, tmp)
                r["study"] = "equal-designs"
                rows.append(r)
                print("%s %s seed %d: EDP %s, %.1f s" % (net, algo, s, r["edp"], r["wall_s"]), flush=True)
        # 2. equal wall time: the budget each evaluates in DAS's median wall time
        das_wall = statistics.median(r["wall_s"] for r in rows if r["net"] == net and r["algo"] == "das")
        for algo in ("random", "annealing", "genetic"):
            per = statistics.median(r["wall_s"] / r["budget"] for r in rows
                                    if r["net"] == net and r["algo"] == algo and r["study"] == "equal-designs")
            b = max(a.budget, int(das_wall / max(per, 1e-6)))
            for s in seeds:
                r = search(net, algo, s, b, tmp)
                r["study"] = "equal-wall"
                rows.append(r)
                print("%s %s (equal wall, %d designs) seed %d: EDP %s, %.1f s" % (net, algo, b, s, r["edp"],
                                                                                  r["wall_s"]), flush=True)
        # 3. fixed templates
        j, wall = run(["das", "--baseline", "pipeline", "--experiment", EXP, "--workload",
                       "workloads/%s.cfg" % net], tmp, net + "-pipeline")
        b = j.get("best")
        rows.append({"net": net, "algo": "pipeline (DNNBuilder-like)", "seed": 0, "budget": j["points"],
                     "study": "template", "edp": b["edp"] if b else None,
                     "cycles": b["latency_cycles"] if b else None, "fps": b["fps"] if b else None,
                     "wall_s": wall, "extra": ""})
        r = search(net, "exhaustive", 1, 8, tmp, exp=CHAI)
        r.update({"algo": "chaidnn (fixed array)", "study": "template"})
        rows.append(r)
        # 4. joint hardware + mapping, at the budget and at 10 x the budget
        for study, b in (("joint", a.budget), ("joint-10x", 10 * a.budget)):
            for algo in ("das", "das-b6", "random", "annealing", "genetic"):
                for s in seeds:
                    r = search(net, algo, s, b, tmp, ("--joint",))
                    r["study"] = study
                    rows.append(r)
                    print("%s %s %s seed %d: EDP %s, %.1f s" % (net, study, algo, s, r["edp"], r["wall_s"]),
                          flush=True)

    # the co-search at several score weights
    with open(os.path.join(ROOT, AGENTS)) as f:
        text = f.read()
    co = []
    for w in a.weights.split():
        path = os.path.join(tmp, "agents-%s.cfg" % w)
        with open(path, "w") as f:
            f.write(text.replace("score_weight = 0.01;", "score_weight = %s;" % w))
        j, wall = run(["das", "--experiment", path, "--budget", str(a.budget), "--seed", "1"], tmp, "agents-" + w)
        co.append({"weight": float(w), "json": j, "wall_s": wall})
        print("co-search weight %s: %s FPS %.1f" % (w, j["best"]["workload"] if j["best"] else None,
                                                    j["best"]["fps"] if j["best"] else 0), flush=True)

    with open(os.path.join(a.out, "rows.json"), "w") as f:
        json.dump({"rows": rows, "cosearch": co, "budget": a.budget, "seeds": seeds}, f, indent=1)
    md = tables(rows, co, a, clock_mhz)
    with open(os.path.join(a.out, "tables.md"), "w") as f:
        f.write(md)
    print(md)
    plots(rows, co, nets, a.out)
    return 0


def tables(rows, co, a, clock_mhz):
    out = []
    out.append("| network | study | algo | designs | best EDP per seed | median | random / algo | median wall s "
               "| FPS of the best |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for net in dict.fromkeys(r["net"] for r in rows):
        rnd = statistics.median(r["edp"] for r in rows if r["net"] == net and r["algo"] == "random"
                                and r["study"] == "equal-designs" and r["edp"])
        for study in ("equal-designs", "equal-wall", "template", "joint", "joint-10x"):
            rnd_joint = [r["edp"] for r in rows if r["net"] == net and r["algo"] == "random" and r["study"] == study
                         and r["edp"]]
            for algo in dict.fromkeys(r["algo"] for r in rows if r["net"] == net and r["study"] == study):
                rs = [r for r in rows if r["net"] == net and r["algo"] == algo and r["study"] == study]
                vals = [r["edp"] for r in rs if r["edp"]]
                if not vals:
                    out.append("| %s | %s | %s | %d | none valid | | | | |" % (net, study, algo, rs[0]["budget"]))
                    continue
                med = statistics.median(vals)
                if study.startswith("joint"):  # against random on the same (joint) space
                    ref = statistics.median(rnd_joint) if len(rnd_joint) == len(rs) else None
                else:
                    ref = rnd
                best = min((r for r in rs if r["edp"]), key=lambda r: r["edp"])
                fps = best.get("fps") or (clock_mhz * 1e6 / best["cycles"] if best["cycles"] else 0)
                seeds = " ".join("%.3g" % r["edp"] if r["edp"] else "none" for r in rs)
                ratio = "%.3f" % (ref / med) if ref else "random: none valid in every seed"
                out.append("| %s | %s | %s | %d | %s | %.4g | %s | %.2f | %.1f |" % (
                    net, study, algo, rs[0]["budget"], seeds, med, ratio,
                    statistics.median(r["wall_s"] for r in rs), fps))
    out.append("")
    out.append("| score_weight | chosen agent | its Breakout score | FPS | cycle-engine FPS | designs per agent "
               "| best FPS per agent |")
    out.append("|---|---|---|---|---|---|---|")
    for c in co:
        j = c["json"]
        b = j["best"]
        ag = j["agents"]
        out.append("| %g | %s | %g | %.1f | %.1f | %s | %s |" % (
            c["weight"], os.path.basename(b["workload"]) if b else "none", b["score"] if b else 0,
            b["fps"] if b else 0, b["cycle_fps"] if b else 0,
            " ".join("%d" % x["designs"] for x in ag), " ".join("%.1f" % x["best_fps"] for x in ag)))
    out.append("")
    return "\n".join(out)


def plots(rows, co, nets, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plots", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, len(nets), figsize=(6 * len(nets), 4.5), squeeze=False)
    for ax, net in zip(axes[0], nets):
        labels, data = [], []
        for study in ("equal-designs", "equal-wall", "template", "joint", "joint-10x"):
            for algo in dict.fromkeys(r["algo"] for r in rows if r["net"] == net and r["study"] == study):
                vals = [r["edp"] for r in rows if r["net"] == net and r["algo"] == algo and r["study"] == study
                        and r["edp"]]
                if vals:
                    short = {"equal-designs": "", "equal-wall": " (=wall)", "template": "", "joint": " (joint)",
                             "joint-10x": " (joint 10x)"}
                    labels.append(algo.split(" ")[0] + short[study])
                    data.append(vals)
        ax.boxplot(data, showmeans=False)
        ax.set_xticks(range(1, len(labels) + 1))
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("best EDP (pJ x cycles), lower is better")
        ax.set_title(net)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "das_edp.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    marks = "osD^v"
    if co:
        agents = co[0]["json"]["agents"]
        for i, ag in enumerate(agents):
            fps = max(c["json"]["agents"][i]["best_fps"] for c in co)
            ax.scatter([fps], [ag["score"]], marker=marks[i % len(marks)], s=60,
                       label="%s (best FPS over all runs)" % os.path.basename(ag["workload"]).replace(".cfg", ""))
        for c in co:
            b = c["json"]["best"]
            if b:
                ax.annotate("w=%g" % c["weight"], (b["fps"], b["score"]), textcoords="offset points",
                            xytext=(5, -12 - 9 * (co.index(c) % 3)), fontsize=7)
                ax.scatter([b["fps"]], [b["score"]], facecolors="none", edgecolors="k", s=160)
    ax.set_xscale("log")
    ax.set_xlabel("frames per second at batch 1 (analytical model)")
    ax.set_ylabel("published Breakout score")
    ax.set_title("agent-accelerator co-search: score vs FPS (circled: chosen)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "das_tradeoff.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
