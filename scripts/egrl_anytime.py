"""scripts/egrl_anytime.py - the best of each run after its first N
evaluations (greedy's included), mean over the seeds every named run
finished, per problem: the exploratory budget tables of docs/egrl.md
("Clearing", its result). Decides nothing.

usage: python3 scripts/egrl_anytime.py DIR RUNS BUDGETS
  DIR: a study folder (PROBLEM/NAME_SEED.attrib and .out, as
  scripts/egrl_study_lib.sh's egrl_stream writes them); RUNS: names,
  comma-separated (e.g. ea,egrl,pg); BUDGETS: evaluation counts,
  comma-separated (e.g. 106,316,631). Capacity: gap to the optimum 4,330
  (lower better); transformer: greedy's objective over the best (higher
  better). A run shorter than N counts its last best."""
import glob
import os
import statistics
import sys

OPTIMUM = {'capacity': 4330.0, 'transformer': None}


def trajectory(path):
    """(best valid objective after each evaluation, greedy's objective)."""
    best, traj, ref = None, [], None
    for line in open(path):
        _, _, _, v, obj, _ = line.split()
        obj = float(obj)
        if ref is None:
            ref = obj
        if v == '1' and (best is None or obj < best):
            best = obj
        traj.append(best)
    return traj, ref


def main(d, runs, budgets):
    for prob, opt in OPTIMUM.items():
        res = {}
        for r in runs:
            for f in glob.glob(os.path.join(d, prob, f'{r}_*.attrib')):
                if os.path.exists(f[:-len('.attrib')] + '.out'):
                    res.setdefault(r, {})[int(f.rsplit('_', 1)[1].split('.')[0])] = trajectory(f)
        if len(res) < len(runs):
            continue
        seeds = sorted(set.intersection(*(set(x) for x in res.values())))
        print(f'{prob}: {len(seeds)} seeds')
        for n in budgets:
            cols = []
            for r in runs:
                vals = []
                for s in seeds:
                    traj, ref = res[r][s]
                    b = traj[min(n, len(traj)) - 1]
                    vals.append(b / opt - 1 if opt else ref / b)
                cols.append(f'{r} {statistics.mean(vals):.4f}')
            print(f'  {n}: ' + '  '.join(cols))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2].split(','), [int(x) for x in sys.argv[3].split(',')])
