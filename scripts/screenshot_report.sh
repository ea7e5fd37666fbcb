#!/usr/bin/env bash
# scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH] [HEIGHT] - renders a
# `pesim report` page in headless chromium (Debian's chromium:
# `scripts/setup.sh --with-browser`) and writes a PNG screenshot of its first
# WIDTH x HEIGHT pixels (default 1200 x 2400). The page is opened as a file
# with the network switched off (--proxy-server to nowhere): what renders is
# what the page holds. Exit status: 0, 1 chromium failed, 2 bad usage.
set -euo pipefail

[ "$#" -ge 2 ] && [ "$#" -le 4 ] || { echo "usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]" >&2; exit 2; }
html="$1" out="$2" width="${3:-1200}" height="${4:-2400}"
[ -f "$html" ] || { echo "screenshot_report.sh: $html: no such file" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "screenshot_report.sh: chromium not found (scripts/setup.sh --with-browser installs it)" >&2; exit 2; }
abs="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
case "$out" in /*) png="$out" ;; *) png="$PWD/$out" ;; esac
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: chromium refuses to run as root with its sandbox
if ! "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
       --user-data-dir="$profile" --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
       --window-size="$width,$height" --screenshot="$png" "file://$abs" >"$profile/log" 2>&1 ||
   [ ! -s "$png" ]; then
  cat "$profile/log" >&2
  echo "screenshot_report.sh: chromium did not write $png" >&2
  exit 1
fi
echo "screenshot: $png (${width}x${height})"
