"""scripts/egrl_stats.py - the one-sided tests of the EGRL studies
(scripts/study_egrl_synthetic.sh, scripts/study_egrl_joint.sh,
scripts/study_egrl_steps.sh, scripts/study_egrl.sh; docs/egrl.md), and the reader of their
results."""
import glob
import os


def load_runs(d, key='gaps:'):
    """The final gaps of every run in folder d: files NAME_FIRST.out, each
    holding study_egrl_synthetic's line "... gaps: g g ... mean ..." for
    seeds FIRST, FIRST+1, ...; partial lines (a stream still running) count
    the seeds printed so far. Returns {NAME: {seed: gap}}. key 'speedups:'
    reads the transformer problem's speedups instead."""
    runs = {}
    for f in sorted(glob.glob(os.path.join(d, '*.out'))):
        name, first = os.path.basename(f)[:-4].rsplit('_', 1)
        for line in open(f):
            if key not in line:
                continue
            vals = line.split(key)[1].split('mean')[0].split()
            for k, v in enumerate(vals):
                runs.setdefault(name, {})[int(first) + k] = float(v)
    return runs


def finished(pd, prob, names):
    """A problem's results in folder pd (prob transformer or resnet18:
    speedups, else gaps) and the seeds every run of names finished: (key,
    {NAME: {seed: value}}, sorted seeds), or None (printed why) while some
    run has none."""
    key = 'speedups:' if prob in ('transformer', 'resnet18') else 'gaps:'
    fin = load_runs(pd, key)
    if any(n not in fin for n in names):
        print(f'{prob}: no finished seed yet for ' + ', '.join(n for n in names if n not in fin))
        return None
    return key, fin, sorted(set.intersection(*(set(fin[n]) for n in names)))


def load_wall(pd):
    """The wall seconds of every run in folder pd (its wall.txt, lines "NAME
    SEED SECONDS", written by egrl_stream of scripts/egrl_study_lib.sh):
    {(NAME, seed): seconds}; {} without the file."""
    wall = {}
    path = os.path.join(pd, 'wall.txt')
    if os.path.exists(path):
        for line in open(path):
            n, s, t = line.split()
            wall[(n, int(s))] = float(t)
    return wall


def p_lower(a, b, rng, R=100000):
    """One-sided permutation p of "a's mean is lower than b's" (independent
    samples): the share of R random relabellings (drawn with rng, a
    random.Random) whose mean difference is at most the observed one."""
    pool, na = a + b, len(a)
    obs = sum(a) / na - sum(b) / len(b)
    k = 0
    for _ in range(R):
        rng.shuffle(pool)
        k += sum(pool[:na]) / na - sum(pool[na:]) / len(b) <= obs + 1e-12
    return k / R


def p_lower_exact(a, b, limit=2000000):
    """One-sided permutation p of "a's mean is lower than b's" (independent
    samples) over every relabelling of a + b into groups of len(a) and
    len(b) (itertools.combinations; exact), the share whose mean difference
    is at most the observed one. Beyond `limit` relabellings: p_lower with
    random.Random(1)."""
    import itertools
    import math
    import random
    if math.comb(len(a) + len(b), len(a)) > limit:
        return p_lower(a, b, random.Random(1))
    pool, na, nb = a + b, len(a), len(b)
    total = sum(pool)
    obs = sum(a) / na - sum(b) / nb
    k = n = 0
    for pick in itertools.combinations(pool, na):
        sa = sum(pick)
        n += 1
        k += sa / na - (total - sa) / nb <= obs + 1e-12
    return k / n


def wilcoxon_lower(a, b):
    """One-sided exact paired Wilcoxon signed-rank p of "a lower than b"
    (a[i] and b[i] paired): zero differences dropped, mid-ranks for tied
    |d|, the exact distribution of the rank sum of the negative differences
    given those ranks. Returns (p, differing pairs, pairs with a lower)."""
    d = [x - y for x, y in zip(a, b) if abs(x - y) > 1e-12]
    n = len(d)
    if n == 0:
        return 1.0, 0, 0
    order = sorted(range(n), key=lambda i: abs(d[i]))
    rank2 = [0] * n  # twice the mid-rank, an integer
    i = 0
    while i < n:
        j = i
        while j + 1 < n and abs(abs(d[order[j + 1]]) - abs(d[order[i]])) <= 1e-12:
            j += 1
        for k in range(i, j + 1):
            rank2[order[k]] = i + j + 2
        i = j + 1
    wneg = sum(r for r, x in zip(rank2, d) if x < 0)
    dist = {0: 1}
    for r in rank2:
        nd = dict(dist)
        for s, c in dist.items():
            nd[s + r] = nd.get(s + r, 0) + c
        dist = nd
    return sum(c for s, c in dist.items() if s >= wneg) / 2 ** n, n, sum(x < 0 for x in d)
