"""scripts/egrl_variant.py - the analysis of a pre-stated comparison of an
EGRL variant V against its baselines: docs/egrl.md "Not charging the
learner for repeats" (V recall, scripts/study_egrl_recall.sh) and
"Clearing" (V clear, scripts/study_egrl_clear.sh).

usage: python3 scripts/egrl_variant.py DIR V
DIR holds PROBLEM/NAME_SEED.out (study_egrl_synthetic's line),
PROBLEM/NAME_SEED.attrib (its ATTRIB file) and PROBLEM/wall.txt ("NAME SEED
SECONDS") for PROBLEM capacity and transformer and the runs of V (names(V)):
ea, egrl, pg, ea-V, egrl-V and pg-V (only where V changes pg: recall). A
seed counts where all the runs of its problem finished (their .out files
exist). Per problem: each run's mean and per-seed result, its share of new
placements among its evaluations (greedy's first one left out) and its
median wall time; the pre-stated tests (egrl-V better than ea-V and than
pg-V, or pg where there is no pg-V; one-sided permutation p, each with
random.Random(1); met iff both < 0.025); the paired Wilcoxon p of the same
pairs and the other pairs, not deciding."""
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from egrl_mech import load_attrib  # noqa: E402
from egrl_stats import finished, load_wall, p_lower, wilcoxon_lower  # noqa: E402

ALPHA = 0.025
COUNT = {5: 'five', 6: 'six'}


def names(v):
    """The runs of variant v, in table order. Clearing acts on a population:
    pg has none, so pg-clear would be pg."""
    return ['ea', 'egrl', 'pg', f'ea-{v}', f'egrl-{v}'] + ([f'pg-{v}'] if v == 'recall' else [])


def new_share(path):
    """The share of a run's evaluations after greedy's whose placement the
    run had not evaluated before."""
    rows = load_attrib(path)
    seen, new = {rows[0][4]}, 0
    for r in rows[1:]:
        new += r[4] not in seen
        seen.add(r[4])
    return new / max(1, len(rows) - 1)


def convergence(path):
    """(descriptive, added after the runs) Of one run: the distinct
    placements it evaluated (greedy's included), the share of its
    evaluations (after greedy's) made in asks that hold a repeat (under
    repeats=recall: the generations asked whole after 16 with nothing new),
    and the evaluation at which it last improved its best."""
    rows = load_attrib(path)
    seen, asks = {rows[0][4]}, {}
    best, last = (rows[0][3] if rows[0][2] else float('inf')), 0
    for i, (ask, _, v, obj, key) in enumerate(rows[1:], 1):
        asks.setdefault(ask, []).append(key in seen)
        seen.add(key)
        if v and obj < best:
            best, last = obj, i
    rep = sum(len(a) for a in asks.values() if any(a))
    return len(seen), rep / max(1, len(rows) - 1), last


def problem(d, prob, variant):
    NAMES = names(variant)
    every = f'all {COUNT[len(NAMES)]} runs'
    pd = os.path.join(d, prob)
    got = finished(pd, prob, NAMES)
    if got is None:
        return
    key, fin, seeds = got
    print(f'\n## {prob}: seeds finished by {every}: {len(seeds)}: {seeds[0]}-{seeds[-1]}' if seeds else
          f'\n## {prob}: no seed finished by {every}')
    if not seeds:
        return
    wall = load_wall(pd)
    v = {n: [fin[n][s] for s in seeds] for n in NAMES}
    what = 'own speedup (higher better)' if key == 'speedups:' else 'gap to the optimum (lower better)'
    print(f'\n| {prob}, {len(seeds)} seeds | mean {what} | optimum found / beat greedy | new share | '
          'median wall s |')
    print('|---|---|---|---|---|')
    for n in NAMES:
        hit = sum(x > 1 + 1e-12 for x in v[n]) if key == 'speedups:' else sum(x < 1e-12 for x in v[n])
        ns = statistics.mean(new_share(os.path.join(pd, f'{n}_{s}.attrib')) for s in seeds)
        ws = [wall[(n, s)] for s in seeds if (n, s) in wall]
        print(f'| {n} | {statistics.mean(v[n]):.5f} | {hit} of {len(seeds)} | {ns:.3f} | '
              f'{statistics.median(ws) if ws else float("nan"):.1f} |')
    print(f'\n{prob}: convergence (descriptive, added after the runs; medians over the seeds)\n')
    print('| run | distinct placements evaluated | evaluations in asks holding a repeat (mean) | '
          'last improvement at evaluation |')
    print('|---|---|---|---|')
    for n in NAMES:
        cv = [convergence(os.path.join(pd, f'{n}_{s}.attrib')) for s in seeds]
        print(f'| {n} | {statistics.median(c[0] for c in cv):g} | {statistics.mean(c[1] for c in cv):.3f} | '
              f'{statistics.median(c[2] for c in cv):g} |')
    print('\nper seed:')
    for n in NAMES:
        print(f'  {n:12s} ' + ' '.join(f'{x:.4f}' for x in v[n]))
    sgn = -1 if key == 'speedups:' else 1  # lower is better for the tests
    lo = {n: [sgn * x for x in v[n]] for n in NAMES}
    ps, tested = [], f'egrl-{variant}'
    for b in (f'ea-{variant}', f'pg-{variant}' if f'pg-{variant}' in NAMES else 'pg'):
        p = p_lower(lo[tested], lo[b], random.Random(1))
        w, nd, low = wilcoxon_lower(lo[tested], lo[b])
        ps.append(p)
        print(f'PRE-STATED: {tested} better than {b}: permutation p = {p:.5f}; (not deciding) paired '
              f'Wilcoxon p = {w:.5f} ({nd} seeds differ, {tested} better in {low})')
    print(f'PRE-STATED: done-when met on {prob}: {"YES" if all(p < ALPHA for p in ps) else "no"} '
          f'(both p < {ALPHA})')
    others = [(tested, 'egrl'), (f'ea-{variant}', 'ea')] + ([('pg-recall', 'pg')] if variant == 'recall' else []) + \
        [('egrl', 'ea'), ('egrl', 'pg')] + ([(tested, 'ea')] if variant != 'recall' else [])
    for a, b in others:
        p = p_lower(lo[a], lo[b], random.Random(1))
        w, nd, low = wilcoxon_lower(lo[a], lo[b])
        print(f'(not deciding) {a} better than {b}: permutation p = {p:.5f}; paired Wilcoxon p = {w:.5f} '
              f'({nd} seeds differ, {a} better in {low})')


if __name__ == '__main__':
    for prob in ('capacity', 'transformer'):
        problem(sys.argv[1], prob, sys.argv[2])
