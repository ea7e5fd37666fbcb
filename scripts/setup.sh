#!/usr/bin/env bash
# scripts/setup.sh - installs the Debian packages pesim needs to build, test
# and plot. Idempotent: when every package is installed it prints nothing and
# changes nothing; otherwise it runs apt-get update once and installs only the
# missing ones (with sudo when not root). `scripts/setup.sh --with-browser`
# also installs Debian's chromium, which scripts/screenshot_report.sh uses to
# render a report headless (not needed to build, test or write reports).
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # compiler and build
  libgsl-dev                         # RNG, statistics, BLAS for the searches
  libconfig-dev                      # config files
  libsqlite3-dev                     # search result store
  libsystemc-dev                     # SystemC reference model
  libgtest-dev                       # tests
  libopenmpi-dev openmpi-bin         # distributed search
  libopenblas-dev                    # optimized CBLAS for the learned searches' networks
  libxgboost-dev                     # gradient-boosted surrogates (ARCO, AutoTVM-like)
  libyaml-dev                        # Timeloop YAML specs in and out
  libglpk-dev                        # exact placement optima (ILP)
  python3 python3-matplotlib         # plots
  valgrind                           # memory checks
)
[ "${1:-}" = "--with-browser" ] && packages+=(chromium)   # headless screenshots of reports

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { "${sudo[@]}" apt-get update -qq &&
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup.sh: installing ${missing[*]} failed" >&2
  exit 1
fi
