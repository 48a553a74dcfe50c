#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (Debian clang-14 + libclang-rt-14-dev) and runs
# each for SECONDS (default 600) from the committed seed corpus, JOBS targets at a time.
# Logs: runs/fuzz/TARGET.log; summary: results/fuzz.json.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-600}
JOBS=${JOBS:-2}
TARGETS=${TARGETS:-"nifti hdf5 npz dataset_json tensor_file"}
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMEMS_FUZZ=ON -DCMEMS_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz >/dev/null
mkdir -p runs/fuzz
run() {
  local t=$1
  mkdir -p "runs/fuzz/$t-corpus" "runs/fuzz/$t-crashes"
  ./build-fuzz/fuzz/${t}_fuzz "runs/fuzz/$t-corpus" "fuzz/corpus/$t" -max_total_time="$SECONDS_PER" \
    -rss_limit_mb=4096 -malloc_limit_mb=8192 -timeout=30 -artifact_prefix="runs/fuzz/$t-crashes/" -print_final_stats=1 \
    >"runs/fuzz/$t.log" 2>&1 || true
}
n=0
for t in $TARGETS; do
  run "$t" &
  n=$((n + 1))
  if [ $((n % JOBS)) -eq 0 ]; then wait; fi
done
wait
python3 scripts/fuzz_summary.py "$SECONDS_PER" $TARGETS
