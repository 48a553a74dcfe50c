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
python3 - "$SECONDS_PER" $TARGETS <<'PY'
import json, os, re, subprocess, sys, platform
secs, targets = int(sys.argv[1]), sys.argv[2:]
out = {"command": f"scripts/fuzz.sh {secs}", "seconds_per_target": secs,
       "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
       "machine": f"CPU ({os.cpu_count()} cores, {platform.machine()})", "targets": {}}
for t in targets:
    log = open(f"runs/fuzz/{t}.log", errors="replace").read()
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    crashes = len(os.listdir(f"runs/fuzz/{t}-crashes"))
    out["targets"][t] = {"executions": int(execs[-1]) if execs else None, "crashes": crashes,
                         "findings_in_log": len(re.findall(r"ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)", log))}
os.makedirs("results", exist_ok=True)
json.dump(out, open("results/fuzz.json", "w"), indent=2)
print(json.dumps(out, indent=2))
PY
