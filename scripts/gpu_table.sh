#!/usr/bin/env bash
# One prepared device call that trains and scores many runs: builds the `cmems` target
# (scripts/gpu_build.sh), then runs each item through scripts/experiment.sh (the ensemble and,
# for two-model methods, model a alone; each with and without largest-component post-processing),
# PARALLEL at a time, starting an item only while its estimated time still fits before DEADLINE;
# at DEADLINE the runs still training are stopped as Ctrl-C does (checkpoint written; their
# validation curves so far come back). Packs every run's scores, curve, config and command into
# $OUT/runs.tar.gz (no weights: $OUT brings back 8 files) and prints the tables last
# (scripts/summarise_runs.py per folder, all in $OUT/table.json).
#
#   ITEMS="cmems:patient004_frame01_slice_6 cmems:patient005_frame01_slice_6" scripts/gpu_table.sh
#   SWEEP=configs/sweep.txt PARALLEL=8 THREADS=2 CONFIG=configs/cpu.json scripts/gpu_table.sh
#   DEVICE=cpu DATA=/tmp/ph SPLIT=test CONFIG=/tmp/tiny.json ITEMS="cmems:phantom_000:5" JOBS=2 \
#     ITERATIONS=20 scripts/gpu_table.sh      # the same steps here, tiny, for testing
#
# Environment: ITEMS (METHOD:EXEMPLAR ..., into folder "table") or SWEEP (a file of lines
# "FOLDER METHOD EXEMPLAR [TRAIN FLAGS...]", # comments allowed), DEVICE (cuda|cpu), OUT ($OUT or
# runs/gpu-table), DATA (data/acdc-prepared), SPLIT (scored: val), CONFIG
# (configs/acdc_short.json), ITERATIONS (the config's), DEADLINE (seconds from the start;
# default 540), ITEM_SECONDS (the first item's estimate; later ones use the longest measured so
# far; default ITERATIONS / 9 + 45, from the H200's 10.1 iterations/s at 12 + 12, 256²), PARALLEL
# (runs at once, default 1), THREADS (CPU threads per run; default the config's), RUNS
# (runs/gpu-table-runs: kept on a warm machine, so a second call skips finished items and
# resumes an interrupted one), JOBS (build jobs, 16), CMEMS (a built binary: no build).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${ITEMS:-}${SWEEP:-}" ] || { echo 'gpu_table.sh: set ITEMS="METHOD:EXEMPLAR ..." or SWEEP=FILE' >&2; exit 1; }
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-runs/gpu-table}
DATA=${DATA:-data/acdc-prepared}
CONFIG=${CONFIG:-configs/acdc_short.json}
DEADLINE=${DEADLINE:-540}
RUNS=${RUNS:-runs/gpu-table-runs}
SPLIT=${SPLIT:-val}
JOBS=${JOBS:-16}
PARALLEL=${PARALLEL:-1}
PY=${PY:-python3}
ITERATIONS=${ITERATIONS:-$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1])).get('iterations', 30000))" "$CONFIG")}
START=$(date +%s)
mkdir -p "$OUT" "$RUNS"
elapsed() { echo $(($(date +%s) - START)); }
log() { echo "[$(date +%T)] $*" | tee -a "$OUT/steps.log" >&2; }
pack() {  # scores, curves and logs into one tarball; the summary beside it
  (cd "$RUNS" && find . -maxdepth 3 \( -name 'eval*.json' -o -name metrics.jsonl -o -name config.json \
      -o -name command.txt -o -name timing.json -o -name '*.log' \) -print0 | tar -czf - --null -T -) >"$OUT/runs.tar.gz"
  tar -czf "$OUT/logs.tar.gz" -C "$OUT" steps.log build.log card.txt 2>/dev/null && rm -f "$OUT"/{steps.log,build.log}
  return 0
}
trap pack EXIT
[ -f "$CONFIG" ] || { echo "gpu_table.sh: no config $CONFIG" >&2; exit 1; }
[ -e "$DATA" ] || { echo "gpu_table.sh: no data at $DATA (docs/gpu.md: cmems prepare)" >&2; exit 1; }
items="$OUT/items.txt"
if [ -n "${SWEEP:-}" ]; then grep -v '^\s*\(#\|$\)' "$SWEEP" >"$items"
else for it in $ITEMS; do echo "table ${it%%:*} ${it#*:}"; done >"$items"; fi

. scripts/gpu_build.sh
commit=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
threads=(); [ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")
worker() {  # W: items W, W + PARALLEL, ... in order
  local estimate=${ITEM_SECONDS:-$((ITERATIONS / 9 + 45))} n=0 dir m ex flags
  while read -r dir m ex flags; do
    n=$((n + 1)); [ $(((n - 1) % PARALLEL)) -eq "$1" ] || continue
    local left=$((DEADLINE - $(elapsed)))
    if [ "$left" -lt "$estimate" ]; then log "stop before $dir $m $ex: ${left}s left, a run takes ~${estimate}s"; continue; fi
    log "train + evaluate $dir $m $ex $flags ($ITERATIONS iterations)"
    local t=$(date +%s)
    # shellcheck disable=SC2086  # flags are words
    CMEMS=$CMEMS METHODS=$m EXEMPLARS=$ex SPLIT=$SPLIT scripts/experiment.sh "$DATA" "$RUNS/$dir" --config "$CONFIG" </dev/null \
      --device "$DEVICE" --iterations "$ITERATIONS" "${threads[@]}" $flags 2>>"$OUT/steps.log" | tee -a "$OUT/steps.log" \
      || log "failed or stopped: $dir $m $ex (its log is in runs.tar.gz)"
    local took=$(($(date +%s) - t)); [ "$took" -gt "$estimate" ] && estimate=$took
  done <"$items"
}
for ((w = 0; w < PARALLEL; w++)); do worker "$w" & done
while [ -n "$(jobs -rp)" ] && [ "$(elapsed)" -lt "$DEADLINE" ]; do sleep 2; done
if [ -n "$(jobs -rp)" ]; then
  log "deadline: stopping the runs still training"
  pkill -INT -f "$CMEMS train .*--out $RUNS/" || true  # only this call's runs
  for _ in $(seq 15); do pgrep -f "$CMEMS .*$RUNS/" >/dev/null || break; sleep 1; done
  pkill -KILL -f "$CMEMS .*$RUNS/" || true
fi
wait || true
"$PY" scripts/sweep_table.py "$RUNS" "$OUT/table.json" \
  "$( [ -n "${SWEEP:-}" ] && echo "SWEEP=$SWEEP PARALLEL=$PARALLEL THREADS=${THREADS:-}" || echo "ITEMS=\"$ITEMS\"") ITERATIONS=$ITERATIONS CONFIG=$CONFIG scripts/gpu_table.sh (commit $commit)" \
  "$DEVICE: $(cat "$OUT/card.txt")" 2>>"$OUT/steps.log" || log "no run to summarise"
