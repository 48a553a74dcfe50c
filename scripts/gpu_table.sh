#!/usr/bin/env bash
# One prepared device call that adds rows to the ACDC table at a GPU preset: builds the
# `cmems` target (scripts/gpu_build.sh), then trains and scores each ITEM (METHOD:EXEMPLAR)
# in turn through scripts/experiment.sh (the ensemble, and model a alone for two-model
# methods), as long as the next one fits before DEADLINE; packs every run's scores, curve,
# config and command into $OUT/runs.tar.gz (no weights: $OUT brings back 8 files) and prints
# the table last (scripts/summarise_runs.py, also in $OUT/table.json).
#
#   ITEMS="cmems:patient004_frame01_slice_6 cmems:patient005_frame01_slice_6" scripts/gpu_table.sh
#   DEVICE=cpu DATA=/tmp/ph SPLIT=test CONFIG=/tmp/tiny.json ITEMS="cmems:phantom_000:5" JOBS=2 \
#     ITERATIONS=20 scripts/gpu_table.sh      # the same steps here, tiny, for testing
#
# Environment: ITEMS (required), DEVICE (cuda|cpu), OUT ($OUT or runs/gpu-table), DATA
# (data/acdc-prepared), SPLIT (scored: val), CONFIG (configs/acdc_short.json), ITERATIONS (the config's),
# DEADLINE (seconds from the start; default 540), ITEM_SECONDS (the first item's estimate;
# later ones use the longest measured so far; default ITERATIONS / 9 + 45, from the H200's
# 10.1 iterations/s at 12 + 12, 256²), RUNS (runs/gpu-table-runs: kept on a warm machine, so a
# second call skips finished items and resumes an interrupted one), JOBS (16).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ITEMS:?ITEMS=\"METHOD:EXEMPLAR ...\"}"
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-runs/gpu-table}
DATA=${DATA:-data/acdc-prepared}
CONFIG=${CONFIG:-configs/acdc_short.json}
DEADLINE=${DEADLINE:-540}
RUNS=${RUNS:-runs/gpu-table-runs}
SPLIT=${SPLIT:-val}
JOBS=${JOBS:-16}
PY=${PY:-python3}
ITERATIONS=${ITERATIONS:-$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1])).get('iterations', 30000))" "$CONFIG")}
START=$(date +%s)
mkdir -p "$OUT" "$RUNS"
elapsed() { echo $(($(date +%s) - START)); }
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/steps.log" >&2; }
pack() {  # scores, curves and logs into one tarball; the summary beside it
  (cd "$RUNS" && find . -maxdepth 2 \( -name 'eval*.json' -o -name metrics.jsonl -o -name config.json \
      -o -name command.txt -o -name timing.json -o -name '*.log' \) -print0 | tar -czf - --null -T -) >"$OUT/runs.tar.gz"
  tar -czf "$OUT/logs.tar.gz" -C "$OUT" steps.log build.log card.txt 2>/dev/null && rm -f "$OUT"/{steps.log,build.log}
  return 0
}
trap pack EXIT
[ -f "$CONFIG" ] || { echo "gpu_table.sh: no config $CONFIG" >&2; exit 1; }
[ -e "$DATA" ] || { echo "gpu_table.sh: no data at $DATA (docs/gpu.md: cmems prepare)" >&2; exit 1; }

. scripts/gpu_build.sh
commit=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
estimate=${ITEM_SECONDS:-$((ITERATIONS / 9 + 45))}
for item in $ITEMS; do
  m=${item%%:*} ex=${item#*:}
  left=$((DEADLINE - $(elapsed)))
  if [ "$left" -lt "$estimate" ]; then
    log "stop before $m $ex: ${left}s left, a run takes ~${estimate}s"; break
  fi
  log "train + evaluate $m $ex ($ITERATIONS iterations)"
  t=$(date +%s)
  CMEMS=$CMEMS METHODS=$m EXEMPLARS=$ex SPLIT=$SPLIT scripts/experiment.sh "$DATA" "$RUNS" --config "$CONFIG" \
    --device "$DEVICE" --iterations "$ITERATIONS" --val-every 500 2>>"$OUT/steps.log" | tee -a "$OUT/steps.log" \
    || log "failed: $m $ex (its log is in runs.tar.gz)"
  took=$(($(date +%s) - t)); [ "$took" -gt "$estimate" ] && estimate=$took
done
"$PY" scripts/summarise_runs.py "$RUNS" "$OUT/table.json" \
  "ITEMS=\"$ITEMS\" ITERATIONS=$ITERATIONS CONFIG=$CONFIG scripts/gpu_table.sh (commit $commit)" \
  "$DEVICE: $(cat "$OUT/card.txt")" 2>>"$OUT/steps.log" || log "no finished run to summarise"
