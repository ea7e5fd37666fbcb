#!/usr/bin/env python3
"""scripts/scan_copy_hoist.py BINARY... - lists the loads from a block copy's
destination that come before the copy (docs/build.md, "GCC 12: a load hoisted
above a struct copy").

For every `rep movs{q,l,b}` whose destination is set by `lea D(%REG),%rdi` and
whose count by `mov $N,%ecx|%rcx` (both within the 40 instructions before it, in
the same function, after its last call), it prints each of those instructions
that reads memory at D..D+N*size(%REG) - the pattern GCC 12.2 -O3 -flto produced
in format_arch (the load of copy.n_levels above the `rep movsq` of
`copy = *arch`). A hit is a candidate, not a proof: code may read a variable's
old value before it is overwritten (a best-so-far comparison), or a stack slot
may be reused; compare a build with -fno-strict-aliasing (a hit there too is not
the type-based reordering) and read the source. Copies GCC expands into vector moves or a memcpy call are not seen.
Prints the hits, then a summary line per binary on stderr; exit status 0."""
import re
import subprocess
import sys

INS = re.compile(r'^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$')
FN = re.compile(r'^[0-9a-f]+ <(.+)>:$')
MEM = re.compile(r'(-?0x[0-9a-f]+|-?\d+)?\(%(\w+)\)')
LEA_RDI = re.compile(r'(-?0x[0-9a-f]+|-?\d+)?\(%(\w+)\),%rdi$')
COUNT = re.compile(r'\$(0x[0-9a-f]+|\d+),%[er]cx$')
WINDOW = 40


def num(s):
    return int(s, 16) if s and 'x' in s else int(s or 0)


def scan(path, fn, body, out):
    """Appends the hits of one function to out; returns its number of rep movs."""
    reps = 0
    for i, (addr, op, args) in enumerate(body):
        if op != 'rep' or not args.startswith('movs'):
            continue
        size = {'movsq': 8, 'movsl': 4, 'movsb': 1}.get(args.split()[0])
        if size is None:
            continue
        reps += 1
        lo = max(0, i - WINDOW)
        for j in range(i - 1, lo - 1, -1):  # no load moves across a call
            if body[j][1].startswith('call'):
                lo = j + 1
                break
        dst = base = count = None
        for j in range(i - 1, lo - 1, -1):
            _, o, g = body[j]
            if count is None and o == 'mov' and COUNT.match(g):
                count = num(COUNT.match(g).group(1))
            if dst is None and g.endswith(',%rdi'):
                m = LEA_RDI.match(g) if o == 'lea' else None
                if not m:
                    break  # %rdi set some other way: not followed
                dst, base = num(m.group(1)), m.group(2)
        if dst is None or count is None:
            continue
        hi = dst + count * size
        for j in range(lo, i):
            a, o, g = body[j]
            if o.startswith(('lea', 'nop', 'push', 'call', 'j', 'rep')):
                continue
            parts = g.split(',')
            m = MEM.search(parts[0]) if len(parts) >= 2 else None
            if m and m.group(2) == base and dst <= num(m.group(1)) < hi:
                out.append(f'{path}: {fn}: {a}: {o} {g} reads [{dst:#x},{hi:#x})(%{base}) '
                           f'before the rep movs at {addr} ({count} x {size} B)')
    return reps


def main(paths):
    for path in paths:
        text = subprocess.run(['objdump', '-d', '--no-show-raw-insn', path],
                              capture_output=True, text=True, check=True).stdout
        fn, body, reps, hits = None, [], 0, []
        for line in text.splitlines():
            m = FN.match(line)
            if m:
                if fn:
                    reps += scan(path, fn, body, hits)
                fn, body = m.group(1), []
                continue
            m = INS.match(line)
            if m and fn:
                body.append((m.group(1), m.group(2), m.group(3).split('#')[0].strip()))
        if fn:
            reps += scan(path, fn, body, hits)
        for h in hits:
            print(h)
        print(f'{path}: {reps} rep movs, {len(hits)} reads of a destination before its copy', file=sys.stderr)
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.stderr.write('usage: scripts/scan_copy_hoist.py BINARY...\n')
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
