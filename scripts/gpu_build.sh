# Sourced by scripts/gpu_run.sh and scripts/gpu_table.sh: builds only the `cmems` target —
# on the device (DEVICE=cuda) against the PyTorch wheel's LibTorch into build-gpu/ with Ninja
# (a warm machine keeps that folder between calls, so a second call only relinks), here
# (DEVICE=cpu) into build/. Needs DEVICE, OUT, JOBS, PY and a log function; sets BUILD and
# CMEMS, writes $OUT/build.log and $OUT/card.txt, and exits on a failed build. With CMEMS set
# (a built binary) it builds nothing.
if [ -n "${CMEMS:-}" ]; then  # a binary given (the e2e test): no build
  log "using $CMEMS (no build)"
  echo "$DEVICE: $(nproc) cores, given binary" >"$OUT/card.txt"
  return 0
fi
if [ "$DEVICE" = cuda ]; then
  BUILD=${BUILD:-build-gpu}
  TORCH_PREFIX=$($PY -c 'import torch; print(torch.utils.cmake_prefix_path)')
  export LD_LIBRARY_PATH=$PWD/.deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
  log "configure ($BUILD, LibTorch from $TORCH_PREFIX)"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMEMS_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$PWD/.deps/usr" -DCMAKE_CUDA_ARCHITECTURES=90 >"$OUT/build.log" 2>&1
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >"$OUT/card.txt" 2>/dev/null || true
else
  BUILD=${BUILD:-build}
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$OUT/build.log" 2>&1
  echo "cpu: $(nproc) cores" >"$OUT/card.txt"
fi
log "build cmems (-j$JOBS)"
if ! cmake --build "$BUILD" --target cmems -j "$JOBS" >>"$OUT/build.log" 2>&1; then
  grep -m5 -B2 -A8 "error" "$OUT/build.log" >&2 || tail -40 "$OUT/build.log" >&2
  # The one use of c10's CUDA API (peak memory in bench) is the likeliest to differ between
  # LibTorch versions: build once more without it before giving up.
  log "build failed; again with -DCMEMS_CUDA_MEMORY_STATS=OFF"
  cmake "$BUILD" -DCMEMS_CUDA_MEMORY_STATS=OFF >>"$OUT/build.log" 2>&1
  cmake --build "$BUILD" --target cmems -j "$JOBS" >>"$OUT/build.log" 2>&1 || { log "build failed"; tail -40 "$OUT/build.log" >&2; exit 1; }
fi
CMEMS=$BUILD/cmems
