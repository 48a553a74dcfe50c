#!/usr/bin/env bash
# Trains every METHOD on every EXEMPLAR of one dataset with one preset, one run at a time,
# and scores each run (the models' ensemble, and model a alone for two-model methods).
# Each run folder keeps command.txt (how it was trained) and timing.json; finished runs
# are skipped, an interrupted one continues with --resume. scripts/summarise_runs.py makes
# the table. Usage:
#   METHODS="supervised cmems" EXEMPLARS="A B" scripts/experiment.sh DATA OUT [PRESET FLAGS...]
set -euo pipefail
CMEMS=${CMEMS:-./build/cmems}
DATA=${1:?dataset folder}; OUT=${2:?experiment folder}; shift 2
METHODS=${METHODS:?methods}
EXEMPLARS=${EXEMPLARS:?exemplars}
SPLIT=${SPLIT:-}
mkdir -p "$OUT"
# COMMIT names the sources where there is no git checkout (a device machine's copy of the tree).
rev=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo -dirty)}
for ex in $EXEMPLARS; do
  for m in $METHODS; do
    run="$OUT/$m-${ex//:/_}"
    [ -f "$run/eval.json" ] && continue
    resume=()
    [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
    cmd=("$CMEMS" train --data "$DATA" --out "$run" --method "$m" --exemplar "$ex" "$@")
    [ ${#resume[@]} -gt 0 ] || cmd+=(--force)
    "${cmd[@]}" "${resume[@]}" 2>>"$run.log" >/dev/null
    printf '%s\n' "$rev: ${cmd[*]}" > "$run/command.txt"
    split=(); [ -n "$SPLIT" ] && split=(--split "$SPLIT")
    "$CMEMS" evaluate --run "$run" --data "$DATA" "${split[@]}" --out "$run/eval.json" >/dev/null
    if python3 -c "import json,sys; sys.exit(json.load(open('$run/config.json'))['models'] != 2)"; then
      "$CMEMS" evaluate --run "$run" --data "$DATA" "${split[@]}" --models a --out "$run/eval_a.json" >/dev/null
    fi
    echo "$m $ex $(python3 -c "import json; print(round(json.load(open('$run/eval.json'))['mean']['dice'],4))")"
  done
done
