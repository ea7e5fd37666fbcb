"""scripts/egrl_cemrl.py - the analysis of the pre-stated comparison of
docs/egrl.md "Critic steps on the members (CEM-RL)" (issue #16, wave 17;
scripts/study_egrl_cemrl.sh).

usage: python3 scripts/egrl_cemrl.py DIR
DIR/PROBLEM (capacity, transformer, resnet18) holds NAME_SEED.out
(study_egrl_synthetic's line: the gap to the optimum on capacity, lower
better; the own speedup over greedy on the other two, higher better),
NAME_SEED.attrib (every evaluated candidate) and wall.txt for the runs ea,
egrl, pg and egrl-grad (egrl with pop_grad=16). A seed counts where all four
runs of its problem finished. Per problem: each run's mean, spread, hits
and median wall time, the per-seed values, and the pre-stated tests (one-
sided permutation p of the means, p_lower of egrl_stats.py with
random.Random(1)):
- the done-when's, on each problem: egrl-grad better than ea AND better
  than pg, both p < 0.025 / 3 (Bonferroni over the three problems); met
  iff it holds on at least one problem;
- H7, the mechanism: egrl-grad better than egrl, p < 0.025 / 3, per problem;
then, not deciding: the paired Wilcoxon p of the same pairs, egrl against
ea and pg, and the share of egrl-grad's evaluations and of its
improvements of its own best that came from stepped members (origin bit
EGRL_ORIGIN_STEPPED)."""
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from egrl_mech import load_attrib  # noqa: E402
from egrl_stats import finished, load_wall, p_lower, wilcoxon_lower  # noqa: E402

ALPHA = 0.025 / 3
NAMES = ('ea', 'egrl', 'pg', 'egrl-grad')
PROBLEMS = ('capacity', 'transformer', 'resnet18')
STEPPED = 64  # EGRL_ORIGIN_STEPPED (search/algorithms/egrl.h)


def stepped_shares(path):
    """(share of a run's evaluations after greedy's, share of the
    improvements of its best after greedy's) proposed by stepped members."""
    rows = load_attrib(path)
    best = rows[0][3] if rows[0][2] else float('inf')
    n = ns = imp = simp = 0
    for _, origin, valid, obj, _ in rows[1:]:
        n += 1
        ns += bool(origin & STEPPED)
        if valid and obj < best:
            best = obj
            imp += 1
            simp += bool(origin & STEPPED)
    return ns / max(1, n), (simp / imp if imp else float('nan')), imp


def problem(d, prob, names=NAMES, treat='egrl-grad', ablations=('ea', 'pg'), mech=(('egrl-grad', 'egrl', 'H7'),),
            side=(('egrl', 'ea'), ('egrl', 'pg'), ('pg', 'egrl-grad'), ('ea', 'egrl-grad')), extra=None):
    """Prints one problem's table and tests; returns whether the done-when
    holds on it (None without seeds): treat better than every run of
    ablations, each p < ALPHA. mech: the pre-stated (a, b, tag) "a better
    than b" tests; side: (a, b) pairs reported, not deciding; extra(pd,
    seeds): prints what else the study reports. The defaults are this
    study's; scripts/egrl_alpha.py passes its own."""
    pd = os.path.join(d, prob)
    got = finished(pd, prob, names)
    if got is None:
        return None
    key, fin, seeds = got
    print(f'\n## {prob}: seeds finished by all {len(names)} runs: {len(seeds)}' +
          (f': {seeds[0]}-{seeds[-1]}' if seeds else ''))
    if not seeds:
        return None
    wall = load_wall(pd)
    v = {n: [fin[n][s] for s in seeds] for n in names}
    speed = key == 'speedups:'
    what = 'own speedup (higher better)' if speed else 'gap to the optimum (lower better)'
    print(f'\n| {prob}, {len(seeds)} seeds | mean {what} | sd | {"beat greedy" if speed else "optimum found"} | '
          'median wall s |')
    print('|---|---|---|---|---|')
    for n in names:
        hit = sum(x > 1 + 1e-12 for x in v[n]) if speed else sum(x < 1e-12 for x in v[n])
        ws = [wall[(n, s)] for s in seeds if (n, s) in wall]
        print(f'| {n} | {statistics.mean(v[n]):.5f} | {statistics.stdev(v[n]) if len(seeds) > 1 else 0:.5f} | '
              f'{hit} of {len(seeds)} | {statistics.median(ws) if ws else float("nan"):.1f} |')
    print('\nper seed:')
    for n in names:
        print(f'  {n:10s} ' + ' '.join(f'{x:.4f}' for x in v[n]))
    lo = {n: [(-x if speed else x) for x in v[n]] for n in names}  # lower is better for the tests

    def test(a, b, tag):
        p = p_lower(lo[a], lo[b], random.Random(1))
        w, nd, low = wilcoxon_lower(lo[a], lo[b])
        wt = 'paired Wilcoxon' if tag.startswith('(not') else '(not deciding) paired Wilcoxon'
        print(f'{tag}{a} better than {b}: permutation p = {p:.5f}; {wt} p = {w:.5f} '
              f'({nd} seeds differ, {a} better in {low})')
        return p

    print()
    met = all([test(treat, b, 'PRE-STATED: ') < ALPHA for b in ablations])
    print(f'PRE-STATED: done-when met on {prob} (all p < {ALPHA:.5f}): {"YES" if met else "no"}')
    for a, b, tag in mech:
        h = test(a, b, f'PRE-STATED {tag}: ') < ALPHA
        print(f'PRE-STATED: {tag} ({a} better than {b}) on {prob} (p < {ALPHA:.5f}): {"YES" if h else "no"}')
    for a, b in side:
        test(a, b, '(not deciding) ')
    if extra:
        extra(pd, seeds)
    return met


def stepped_report(pd, seeds):
    """This study's extra: the stepped members' shares (not deciding)."""
    sh = [stepped_shares(os.path.join(pd, f'egrl-grad_{s}.attrib')) for s in seeds]
    imp = [x[1] for x in sh if x[2] > 0]
    print(f'(not deciding) egrl-grad: stepped members proposed {statistics.mean(x[0] for x in sh):.3f} of its '
          f'evaluations and {statistics.mean(imp) if imp else float("nan"):.3f} of its improvements '
          '(means over the seeds)')


def main(d):
    met = [problem(d, p, extra=stepped_report) for p in PROBLEMS]
    print(f'\nPRE-STATED: done-when met on at least one problem: {"YES" if any(met) else "no"}')


if __name__ == '__main__':
    main(sys.argv[1])
