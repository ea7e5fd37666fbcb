"""scripts/egrl_alpha.py - the analysis of the pre-stated comparison of
docs/egrl.md "The entropy coefficient against the reward's scale" (issue
#16, session 14; scripts/study_egrl_alpha.sh).

usage: python3 scripts/egrl_alpha.py DIR
DIR/PROBLEM (capacity, transformer, resnet18) holds NAME_SEED.out,
NAME_SEED.attrib and wall.txt for the runs ea, egrl, pg (the defaults,
alpha 0.05) and egrl-a, pg-a (alpha 0.0005). A seed counts where all five
runs of its problem finished. Per problem, with egrl_cemrl.py's table and
tests (one-sided permutation p of the means, random.Random(1)):
- the done-when's: egrl-a better than ea AND better than pg-a (the learner
  alone at the same alpha), both p < 0.025 / 3 (Bonferroni over the three
  problems); met iff it holds on at least one problem;
- H8: egrl-a better than egrl; H9: pg-a better than pg (each p < 0.025 / 3);
then, not deciding: egrl-a against pg (the default learner alone), egrl
against ea and pg, pg-a against ea."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from egrl_cemrl import ALPHA, PROBLEMS, problem  # noqa: E402

NAMES = ('ea', 'egrl', 'pg', 'egrl-a', 'pg-a')


def main(d):
    met = [problem(d, p, names=NAMES, treat='egrl-a', ablations=('ea', 'pg-a'),
                   mech=(('egrl-a', 'egrl', 'H8'), ('pg-a', 'pg', 'H9')),
                   side=(('egrl-a', 'pg'), ('egrl', 'ea'), ('egrl', 'pg'), ('pg-a', 'ea')))
           for p in PROBLEMS]
    print(f'\nPRE-STATED: done-when met on at least one problem (p < {ALPHA:.5f} each): '
          f'{"YES" if any(met) else "no"}')


if __name__ == '__main__':
    main(sys.argv[1])
