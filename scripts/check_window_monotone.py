#!/usr/bin/python3
"""Exhaustive check behind docs/engine.md "Why the origin instance is the largest":
under the "pesim" conventions an advancing window's new rows,
rows(g + a, b) - rows(g, b) with rows(A, B) = |{x s + y d : x < A, y < B}|,
never decrease when the partner extent b (or the new extent a) grows, for
strides s and dilations d 1-4, granules g 1-8 and extents 1-8, with the
window advancing along the output dim and along the filter dim.
Prints the violations (none expected) and exits 1 if there are any."""
import sys


def rows(a, b, s, d):
    return len({x * s + y * d for x in range(a) for y in range(b)})


def new_rows(g, a, b, s, d, along_out):
    if along_out:
        return rows(g + a, b, s, d) - rows(g, b, s, d)
    return rows(b, g + a, s, d) - rows(b, g, s, d)


bad = 0
for along_out in (True, False):
    for s in range(1, 5):
        for d in range(1, 5):
            for g in range(1, 9):
                for a in range(1, g + 1):
                    for b in range(1, 9):
                        n = new_rows(g, a, b, s, d, along_out)
                        grow_b = new_rows(g, a, b + 1, s, d, along_out)
                        grow_a = new_rows(g, a + 1, b, s, d, along_out) if a < g else n
                        if grow_b < n or grow_a < n:
                            bad += 1
                            print(f"along_out={along_out} s={s} d={d} g={g} a={a} b={b}: {n} -> {grow_a}, {grow_b}")
print(f"{bad} violations")
sys.exit(1 if bad else 0)
