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
