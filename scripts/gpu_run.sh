#!/usr/bin/env bash
# One GPU run in one call (H100/H200 machine of ../shared/gpu/README.md): build against the
# PyTorch wheel's LibTorch, train one configuration on prepared ACDC data, evaluate on
# val, and leave config, checkpoint, logs and metrics in $OUT (or runs/gpu).
# Usage: scripts/gpu_run.sh CONFIG.json [EXTRA cmems train FLAGS...]
# Needs: .deps (scripts/stage-gpu-deps.sh output) and data/acdc-prepared (cmems prepare).
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${1:?config file}; shift
OUT=${OUT:-runs/gpu}
DATA=${DATA:-data/acdc-prepared}
mkdir -p "$OUT"
t0=$(date +%s)
TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMEMS_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$PWD/.deps/usr" -DCMAKE_CUDA_ARCHITECTURES=90 >"$OUT/build.log" 2>&1
cmake --build build-gpu >>"$OUT/build.log" 2>&1
export LD_LIBRARY_PATH=$PWD/.deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
t1=$(date +%s)
nvidia-smi --query-gpu=name --format=csv,noheader >"$OUT/card.txt" 2>/dev/null || true
./build-gpu/cmems train --data "$DATA" --out "$OUT/run" --force --config "$CONFIG" "$@" 2>"$OUT/train.log"
t2=$(date +%s)
./build-gpu/cmems evaluate --run "$OUT/run" --data "$DATA" --out "$OUT/val.json" --force >"$OUT/eval.txt"
cp "$OUT/run/config.json" "$OUT/run/metrics.jsonl" "$OUT/" 2>/dev/null || true
echo "build $((t1 - t0))s train $((t2 - t1))s card $(cat "$OUT/card.txt" 2>/dev/null)" >"$OUT/timing.txt"
cat "$OUT/eval.txt" "$OUT/timing.txt"
