"""scripts/egrl_mech.py - the analysis of the EGRL mechanism study
(scripts/study_egrl_mech.sh; docs/egrl.md "Why EGRL's valid candidates do
not improve its best"): the attribution table of every evaluated candidate
by its origin, the budget accounting, and the pre-stated tests.

usage: python3 scripts/egrl_mech.py DIR
DIR holds PROBLEM/NAME_SEED.out (study_egrl_synthetic's line) and
PROBLEM/NAME_SEED.attrib (its ATTRIB file: "seed ask origin valid objective
key" per candidate) for PROBLEM transformer and capacity, NAME ea, egrl and
egrl-chrom (egrl with migrate=chromosome). A seed counts where all three
runs of its problem finished (their .out files exist)."""
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from egrl_stats import finished, p_lower, wilcoxon_lower  # noqa: E402

# egrl.h's EGRL_FROM_* and origin bits
HOW = ['initial', 'elite', 'copy', 'mutant', 'cross', 'cross+mutant', 'from-gnn', 'migrant', 'learner', 'greedy']
GNN, LINEAGE = 16, 32
NAMES = ['ea', 'egrl', 'egrl-chrom']


def label(o):
    """A candidate's row: its kind and how it was made."""
    how = HOW[o & 15]
    if how in ('learner', 'greedy'):
        return how + ' rollout' if how == 'learner' else how
    return ('gnn ' if o & GNN else 'chrom ') + how


def load_attrib(path):
    """[(ask, origin, valid, objective, key)] of one run, in evaluation order."""
    rows = []
    for line in open(path):
        _, ask, o, v, obj, key = line.split()
        rows.append((int(ask), int(o), int(v), float(obj), key))
    return rows


def attribute(rows):
    """Per candidate after greedy's: (origin, valid, reward, improved, gain,
    new, ask). reward: egrl's (speedup^2 - 1 over greedy, -5 refused);
    improved: valid and strictly below every earlier objective of the run
    (greedy's the first); gain: log(best before / objective) when improved;
    new: its placement not evaluated before in the run."""
    ref = rows[0][3]
    best = ref if rows[0][2] else math.inf
    seen = {rows[0][4]}
    out = []
    for ask, o, v, obj, key in rows[1:]:
        rew = (ref / obj) ** 2 - 1 if v else -5.0
        imp = bool(v) and obj < best
        gain = math.log(best / obj) if imp and best < math.inf else 0.0
        if imp:
            best = obj
        out.append((o, v, rew, imp, gain, key not in seen, ask))
        seen.add(key)
    return out


def table(runs, key, title):
    """The attribution table of runs (lists of attribute()'s tuples) grouped
    by key(origin). "o/e, same asks": a row's improvements over those
    expected if each of its candidates improved at the rate of all the
    candidates of its ask index (generation) over the runs: improvements
    come early in a run whatever their origin, so this takes the run's
    progress out of the comparison."""
    per_ask = {}
    for run in runs:
        for c in run:
            a = per_ask.setdefault(c[6], [0, 0])
            a[0] += 1
            a[1] += c[3]
    groups = {}
    n_all = imp_all = 0
    gain_all = 0.0
    finals = {}
    for run in runs:
        last = None
        for c in run:
            g = groups.setdefault(key(c[0]), [0, 0, 0.0, 0, 0.0, 0, 0.0])
            g[6] += per_ask[c[6]][1] / per_ask[c[6]][0]
            g[0] += 1
            g[1] += c[1]
            g[2] += c[2]
            g[3] += c[3]
            g[4] += c[4]
            g[5] += c[5]
            n_all += 1
            imp_all += c[3]
            gain_all += c[4]
            if c[3]:
                last = key(c[0])
        if last is not None:
            finals[last] = finals.get(last, 0) + 1
    print(f'\n{title}\n')
    print('| origin | evaluations | share | valid | new | mean reward | improvements | share of improvements | '
          'rate / the run\'s | o/e, same asks | share of log gain | final best |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    rate_all = imp_all / n_all if n_all else 0
    for k in sorted(groups, key=lambda k: -groups[k][0]):
        n, v, r, i, gn, new, exp = groups[k]
        rate = (i / n) / rate_all if rate_all else 0
        print(f'| {k} | {n} | {n / n_all:.3f} | {v / n:.3f} | {new / n:.3f} | {r / n:.3f} | {i} | '
              f'{i / imp_all if imp_all else 0:.3f} | {rate:.2f} | {i / exp if exp else 0:.2f} | '
              f'{gn / gain_all if gain_all else 0:.3f} | {finals.get(k, 0)} |')
    print(f'| all | {n_all} | 1 | | | | {imp_all} | 1 | 1 | 1 | 1 | {sum(finals.values())} |')


def lineage_key(o):
    if o & 15 == 8:
        return 'learner rollout'
    if o & 15 == 7:
        return 'migrant'
    return ('lineage ' if o & LINEAGE else 'no lineage ') + ('gnn' if o & GNN else 'chrom')


def budget(runs, name):
    """The lineage's share of the evaluations by thirds of the run."""
    thirds = [[0, 0] for _ in range(3)]
    last = max(c[6] for run in runs for c in run)
    for run in runs:
        for c in run:
            t = min(2, 3 * (c[6] - 1) // last)
            thirds[t][0] += 1
            thirds[t][1] += bool(c[0] & LINEAGE)
    print(f'| {name} | ' + ' | '.join(f'{b / a:.3f}' for a, b in thirds) + ' |')


def summary(runs, name):
    """Per run: distinct placements (new) and improvements, by third."""
    last = max(c[6] for run in runs for c in run)
    cells = [[0, 0, 0] for _ in range(3)]
    for run in runs:
        for c in run:
            t = min(2, 3 * (c[6] - 1) // last)
            cells[t][0] += 1
            cells[t][1] += c[5]
            cells[t][2] += c[3]
    k = len(runs)
    print(f'| {name} | ' + ' | '.join(f'{b / a:.3f} / {i / k:.2f}' for a, b, i in cells) +
          f' | {sum(c[1] for c in cells) / sum(c[0] for c in cells):.3f} / {sum(c[2] for c in cells) / k:.2f} |')


def problem(d, prob):
    pd = os.path.join(d, prob)
    got = finished(pd, prob, NAMES)
    if got is None:
        return
    key, fin, seeds = got
    print(f'\n## {prob}: seeds finished by all three runs: {len(seeds)}: {seeds}')
    att = {n: [attribute(load_attrib(os.path.join(pd, f'{n}_{s}.attrib'))) for s in seeds] for n in NAMES}
    for n in NAMES:
        table(att[n], lambda o: label(o), f'{prob}, {n}: by origin')
        if n != 'ea':
            table(att[n], lineage_key, f'{prob}, {n}: by lineage (the learner\'s descendants or not)')
            table(att[n], lambda o: 'carries the learner' if o & LINEAGE else 'does not',
                  f'{prob}, {n}: the candidates that carry the learner (H1\'s test)')
    print(f'\n{prob}: share of the evaluations that carry the learner (its rollouts, migrants and their '
          'descendants), by third of the run\n')
    print('| algorithm | first third | second | last |')
    print('|---|---|---|---|')
    for n in NAMES:
        budget(att[n], n)
    print(f'\n{prob}: new share (placements not evaluated before in the run) / improvements per run, by third')
    print('\n| algorithm | first third | second | last | whole run |')
    print('|---|---|---|---|---|')
    for n in NAMES:
        summary(att[n], n)
    v = {n: [fin[n][s] for s in seeds] for n in NAMES}
    print(f'\n| {prob} | mean {"own speedup" if key == "speedups:" else "gap"} | per seed |')
    print('|---|---|---|')
    for n in NAMES:
        print(f'| {n} | {sum(v[n]) / len(seeds):.5f} | {" ".join(f"{x:.3f}" for x in v[n])} |')
    # lower is better for the tests: gaps as they are, speedups negated
    sgn = -1 if key == 'speedups:' else 1
    lo = {n: [sgn * x for x in v[n]] for n in NAMES}
    rng = random.Random(1)
    p = p_lower(lo['egrl-chrom'], lo['ea'], rng)
    w, nd, low = wilcoxon_lower(lo['egrl-chrom'], lo['ea'])
    print(f'\nPRE-STATED: egrl-chrom better than ea: permutation p = {p:.5f}; (not deciding) paired Wilcoxon '
          f'p = {w:.5f} ({nd} seeds differ, egrl-chrom better in {low})')
    for a, b in (('egrl', 'ea'), ('egrl-chrom', 'egrl')):
        p = p_lower(lo[a], lo[b], rng)
        w, nd, low = wilcoxon_lower(lo[a], lo[b])
        print(f'(not deciding) {a} better than {b}: permutation p = {p:.5f}; paired Wilcoxon p = {w:.5f} '
              f'({nd} seeds differ, {a} better in {low})')


if __name__ == '__main__':
    for prob in ('transformer', 'capacity'):
        problem(sys.argv[1], prob)
