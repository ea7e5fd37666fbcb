"""scripts/egrl_order.py - the analysis of the pre-stated comparison of
docs/egrl.md "Does the order depend on the network?" (issue #16, wave 16;
scripts/study_egrl_order.sh).

usage: python3 scripts/egrl_order.py DIR
DIR/resnet18 holds NAME_SEED.out (study_egrl_synthetic's line: the own
speedup over greedy per seed), NAME_SEED.attrib (every evaluated
candidate) and wall.txt ("NAME SEED SECONDS") for the runs ea, egrl and
pg. A seed counts where all three finished. Prints each run's mean and
per-seed own speedup, and the two pre-stated tests (one-sided permutation
p of the means, random.Random(1), each decides at 0.025):
- the done-when's: egrl better than ea AND better than pg;
- H6, EGRL between its ablations: egrl better than ea AND pg better than
  egrl;
with the paired Wilcoxon p of each pair (not deciding), and, reported and
not deciding, the mean speedup over greedy of the learner's rollouts
(egrl: its one a generation; pg: all of its) by fifth of the run: whether
the population's transitions in the replay make egrl's learner propose
better placements than pg's at the same point of a run."""
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from egrl_mech import load_attrib  # noqa: E402
from egrl_stats import finished, load_wall, p_lower, wilcoxon_lower  # noqa: E402

ALPHA = 0.025
NAMES = ('ea', 'egrl', 'pg')
PROB = 'resnet18'
LEARNER = 8  # EGRL_FROM_LEARNER (search/algorithms/egrl.h)


def better(v, a, b):
    """(permutation p, Wilcoxon p, seeds that differ, where a is higher) of
    "a's own speedup is higher than b's" (the tests take lower-better
    values, so the speedups are negated)."""
    na, nb = [-x for x in v[a]], [-x for x in v[b]]
    w, nd, low = wilcoxon_lower(na, nb)
    return p_lower(na, nb, random.Random(1)), w, nd, low


def learner_fifths(pd, name, seeds):
    """Mean speedup over greedy (greedy's objective / the candidate's) of a
    run's learner rollouts, by fifth of the run's evaluations after
    greedy's."""
    sums, counts = [0.0] * 5, [0] * 5
    for s in seeds:
        rows = load_attrib(os.path.join(pd, f'{name}_{s}.attrib'))
        ref, n = rows[0][3], len(rows) - 1
        for i, (_, origin, valid, obj, _) in enumerate(rows[1:]):
            if origin & 15 == LEARNER and valid and obj > 0:
                f = min(4, 5 * i // n)
                sums[f] += ref / obj
                counts[f] += 1
    return [sums[f] / counts[f] if counts[f] else float('nan') for f in range(5)], counts


def main(d):
    pd = os.path.join(d, PROB)
    got = finished(pd, PROB, NAMES)
    if got is None:
        return
    _, fin, seeds = got
    print(f'## {PROB}: seeds finished by all three runs: {len(seeds)}' +
          (f': {seeds[0]}-{seeds[-1]}' if seeds else ''))
    if not seeds:
        return
    wall = load_wall(pd)
    v = {n: [fin[n][s] for s in seeds] for n in NAMES}
    print(f'\n| {PROB}, {len(seeds)} seeds | mean own speedup (higher better) | sd | beat greedy | median wall s |')
    print('|---|---|---|---|---|')
    for n in NAMES:
        ws = [wall[(n, s)] for s in seeds if (n, s) in wall]
        print(f'| {n} | {statistics.mean(v[n]):.4f} | {statistics.stdev(v[n]) if len(seeds) > 1 else 0:.4f} | '
              f'{sum(x > 1 + 1e-12 for x in v[n])} of {len(seeds)} | '
              f'{statistics.median(ws) if ws else float("nan"):.1f} |')
    print('\nper seed:')
    for n in NAMES:
        print(f'  {n:5s} ' + ' '.join(f'{x:.4f}' for x in v[n]))
    print()
    res = {}
    for a, b in (('egrl', 'ea'), ('egrl', 'pg'), ('pg', 'egrl'), ('pg', 'ea')):
        res[(a, b)] = p, w, nd, hi = better(v, a, b)
        print(f'{a} better than {b}: permutation p = {p:.5f}; (not deciding) paired Wilcoxon p = {w:.5f} '
              f'({nd} seeds differ, {a} better in {hi})')
    met = res[('egrl', 'ea')][0] < ALPHA and res[('egrl', 'pg')][0] < ALPHA
    h6 = res[('egrl', 'ea')][0] < ALPHA and res[('pg', 'egrl')][0] < ALPHA
    print(f'PRE-STATED: done-when met on {PROB} (egrl better than ea and than pg, both p < {ALPHA}): '
          f'{"YES" if met else "no"}')
    print(f'PRE-STATED: H6 supported (egrl better than ea and pg better than egrl, both p < {ALPHA}): '
          f'{"YES" if h6 else "no"}')
    print('\nthe learner\'s rollouts, mean speedup over greedy by fifth of the run (not deciding):\n')
    print('| run | 1st | 2nd | 3rd | 4th | 5th | rollouts |')
    print('|---|---|---|---|---|---|---|')
    for n in ('egrl', 'pg'):
        m, c = learner_fifths(pd, n, seeds)
        print(f'| {n} | ' + ' | '.join(f'{x:.4f}' for x in m) + f' | {sum(c)} |')


if __name__ == '__main__':
    main(sys.argv[1])
