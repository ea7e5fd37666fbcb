# scripts/egrl_study_lib.sh - sourced by scripts/study_egrl_*.sh (from the
# repository root). egrl_build_driver EXE: builds scripts/study_egrl_synthetic.cc
# against build/Release's libraries into EXE, a copy of its own, so that a
# rebuild of build/Release during a long study does not change it.
egrl_build_driver() {
  local b=build/Release
  c++ -O2 -std=gnu++17 -Isim/include -Isearch/include -Isim -Isearch -Itests scripts/study_egrl_synthetic.cc -o "$1" \
      "$b/search/libpesim_search.a" "$b/sim/libpesim_sim.a" \
      $(pkg-config --libs gsl libconfig sqlite3 yaml-0.1 openblas xgboost) \
      -lglpk -lm -lpthread $(pkg-config --libs ompi-c 2>/dev/null || true)
}
# egrl_study_dir OUT: makes the study folder OUT with its own driver
# (OUT/study_egrl_synthetic) and the commit it was built at (OUT/commit).
egrl_study_dir() {
  mkdir -p "$1"
  egrl_build_driver "$1/study_egrl_synthetic"
  git rev-parse HEAD > "$1/commit"
}
# egrl_run_one OUT END NAME ALGO OPTIONS SEED [BUDGET PROBLEM [OPTIMUM]]: one
# run of OUT's driver into OUT/NAME_SEED.out, by default on the
# capacity-bound problem (630 evaluations, optimum 4,330 cycles), under
# nice -n 10, cut by the clock: END is the cut in seconds since the epoch
# (0: none); no run starts after it, and a run still going at it is killed
# and its file removed (not counted).
egrl_run_one() {
  local left=1000000
  if [ "$2" -gt 0 ]; then left=$(( $2 - $(date +%s) )); fi
  [ "$left" -gt 0 ] || return 0
  local rest=(630 capacity 4330)
  [ $# -gt 6 ] && rest=("${@:7}")
  timeout "$left" nice -n 10 "$1/study_egrl_synthetic" "$4" "$5" "$6" 1 "${rest[@]}" > "$1/$3_$6.out" ||
    rm -f "$1/$3_$6.out"
}
# egrl_analyse_pair DIR A B: on the seeds both runs A and B of DIR finished,
# each run's mean final gap and optima found, and the pre-stated test: the
# one-sided exact paired Wilcoxon signed-rank p of "A's gap is lower than
# B's" (scripts/egrl_stats.py wilcoxon_lower), with the one-sided
# permutation p of the means as a secondary figure.
egrl_analyse_pair() {
/usr/bin/python3 - "$@" <<'PY'
import random, sys
sys.path.insert(0, 'scripts')
from egrl_stats import load_runs, p_lower, wilcoxon_lower
runs = load_runs(sys.argv[1])
names = sys.argv[2:4]
if any(n not in runs for n in names):
    sys.exit('no finished seed yet for ' + ', '.join(n for n in names if n not in runs))
seeds = sorted(set(runs[names[0]]) & set(runs[names[1]]))
print(f'seeds finished by both runs: {len(seeds)}: {seeds}')
if not seeds:
    sys.exit(1)
g = {n: [runs[n][s] for s in seeds] for n in names}
for n in names:
    print(f'{n:13s} mean gap {sum(g[n]) / len(seeds):.5f}  optimum found {sum(x < 1e-12 for x in g[n])} of {len(seeds)}')
a, b = names
p, n, lower = wilcoxon_lower(g[a], g[b])
print(f'PRE-STATED: {a} lower than {b}: paired Wilcoxon p = {p:.5f} ({n} seeds differ, {a.split("-")[0]} lower in '
      f'{lower}); permutation p (means) = {p_lower(g[a], g[b], random.Random(1)):.5f}')
PY
}
# egrl_compare_setup A B ARGS...: the command line of a pre-stated
# comparison of runs A and B: "--analyse DIR" analyses DIR
# (egrl_analyse_pair DIR A B) and exits; otherwise ARGS are
# [SEEDS [OUTDIR [CUT]]]: sets seeds (default 48), out (default a new
# temporary folder; made with its driver and commit, egrl_study_dir) and
# end (CUT, a date(1) time, in seconds since the epoch; 0: no cut).
egrl_compare_setup() {
  local a="$1" b="$2"
  shift 2
  if [ "${1:-}" = --analyse ]; then
    egrl_analyse_pair "$2" "$a" "$b"
    exit
  fi
  seeds="${1:-48}"
  out="${2:-$(mktemp -d)}"
  local cut="${3:-}"
  egrl_study_dir "$out"
  end=$([ -n "$cut" ] && date -d "$cut" +%s || echo 0)
}
# egrl_stream OUT PROBLEM OPTIMUM END FIRST SEEDS BUDGET RUN...: for seeds
# FIRST..FIRST+SEEDS-1, in order, every RUN ("NAME ALGO [OPTIONS]") of one
# problem, one at a time (egrl_run_one, cut at END), each writing
# OUT/PROBLEM/NAME_SEED.out and NAME_SEED.attrib (every evaluated
# candidate) and its wall seconds to OUT/PROBLEM/wall.txt ("NAME SEED
# SECONDS"). OUT must hold its driver (egrl_study_dir).
egrl_stream() {
  local d="$1/$2" prob="$2" opt="$3" end="$4" first="$5" seeds="$6" budget="$7"
  shift 7
  mkdir -p "$d"
  ln -sf ../study_egrl_synthetic "$d/study_egrl_synthetic"
  for ((s = first; s < first + seeds; s++)); do
    for r in "$@"; do
      local name algo o t0 t1
      read -r name algo o <<< "$r"
      t0=$(date +%s.%N)
      egrl_run_one "$d" "$end" "$name" "$algo" "${o:-}" "$s" "$budget" "$prob" "$opt" "$d/${name}_$s.attrib"
      t1=$(date +%s.%N)
      [ -f "$d/${name}_$s.out" ] && echo "$name $s $(echo "$t1 - $t0" | bc)" >> "$d/wall.txt"
    done
  done
}
# egrl_problems_study ANALYSE FIRST PROBLEMS SEEDS|--analyse OUTDIR CUT --
# RUN...: the command line of a pre-stated study on some of the small
# problems. "--analyse DIR" runs `ANALYSE DIR` (a command) and exits;
# otherwise SEEDS (default 40) seeds from FIRST (the environment's FIRST
# overrides it), into OUTDIR (default a new temporary folder, made with its
# driver and commit), cut at CUT (a date(1) time; empty: none): every
# problem of PROBLEMS (a list of capacity, optimum 4,330; transformer;
# resnet18) as its own egrl_stream process, side by side, BUDGET evaluations
# each (environment, default 630), every RUN per seed; then `ANALYSE OUTDIR`.
egrl_problems_study() {
  local analyse="$1" first="${FIRST:-$2}" problems="$3"
  if [ "${4:-}" = --analyse ]; then
    $analyse "$5"
    exit
  fi
  local seeds="${4:-40}" out="${5:-}" cut="${6:-}" end=0 budget="${BUDGET:-630}" p
  shift 7
  [ -n "$out" ] || out=$(mktemp -d)
  egrl_study_dir "$out"
  [ -z "$cut" ] || end=$(date -d "$cut" +%s)
  echo "running in $out (partial results: $0 --analyse $out)"
  for p in $problems; do
    egrl_stream "$out" "$p" "$([ "$p" = capacity ] && echo 4330 || echo 0)" "$end" "$first" "$seeds" "$budget" "$@" &
  done
  wait
  $analyse "$out"
}
# egrl_variant_study VARIANT FIRST SEEDS|--analyse OUTDIR CUT -- RUN...: a
# pre-stated EGRL variant study (study_egrl_recall.sh, study_egrl_clear.sh):
# egrl_problems_study on capacity and transformer, analysed by
# scripts/egrl_variant.py DIR VARIANT.
egrl_variant_analyse() { /usr/bin/python3 scripts/egrl_variant.py "$1" "$EGRL_VARIANT"; }
egrl_variant_study() {
  EGRL_VARIANT="$1"
  shift
  egrl_problems_study egrl_variant_analyse "$1" "capacity transformer" "${@:2}"
}
