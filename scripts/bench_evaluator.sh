#!/usr/bin/env bash
# Evaluator-service overhead: analytical evaluations through pesim_evaluator_run
# (decode + cache lookup + model) against pesim_model_evaluate called directly on
# the same mappings, one thread, best of 9 runs of 4,000 candidates (Eyeriss,
# ResNet-18 res3a_branch2b). Target: within 2x.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/Release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/Release -j2 --target search_eval_test >/dev/null
PESIM_BENCH=1 taskset -c 0 build/Release/tests/search_eval_test --gtest_filter=SearchEval.Overhead | grep -E "overhead|OK|FAILED"
