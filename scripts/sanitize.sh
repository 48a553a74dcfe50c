#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (g++) and runs the
# whole test suite under them. Any sanitizer report fails the run (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMEMS_SANITIZE=ON >/dev/null
cmake --build build-asan -j2
# No leak suppressions: the whole suite ran leak-free (docs/RELIABILITY.md).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=${DETECT_LEAKS:-1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir build-asan --output-on-failure -j2
