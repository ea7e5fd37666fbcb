#!/usr/bin/env python3
"""scripts/report_plots.py REPORT.html OUT_DIR - writes each plot of a `pesim report`
page (its inline <svg data-plot="ID">) to OUT_DIR/ID.svg, for the docs. Standard
library only."""
import os
import re
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    html = open(sys.argv[1], encoding="utf-8").read()
    os.makedirs(sys.argv[2], exist_ok=True)
    n = 0
    for m in re.finditer(r"<svg [^>]*data-plot=\"([^\"]+)\".*?</svg>", html, re.S):
        with open(os.path.join(sys.argv[2], m.group(1) + ".svg"), "w", encoding="utf-8") as f:
            f.write(m.group(0) + "\n")
        n += 1
    print(f"{n} plots in {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
