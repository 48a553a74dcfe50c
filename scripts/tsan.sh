#!/usr/bin/env bash
# Builds the torch tests with ThreadSanitizer and runs the test that starts the project's own
# thread (default; or those of GTEST_FILTER): the batch producer (perf.producer: a second
# thread making the next batches while the step runs). LibTorch is not instrumented, so races inside it are
# not seen; at one intra-op thread (the tests' setting) it starts no OpenMP region.
#   scripts/tsan.sh [GTEST_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-MethodTest.BatchesMadeAheadGiveTheSameWeightsAndResumeExactly}
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMEMS_TSAN=ON >/dev/null
cmake --build build-tsan -j2 --target cmems_tests_torch
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/cmems_tests_torch --gtest_filter="$filter"
