#!/usr/bin/env bash
# Trains every METHOD on every EXEMPLAR of one dataset with one preset, one run at a time,
# and scores each run four ways: the models' ensemble as predicted, without post-processing
# (eval.json: --infer.lcc false --infer.opening 0), and post-processed as the run predicts, each
# class's large connected components kept (eval_lcc.json: --infer.lcc true and the run's
# infer.opening, infer.assembly and infer.keep_fraction; eval_largest.json: each class's largest
# component alone, no assembly step, where the task has more than one foreground class), and for
# two-model methods model a alone, both ways (eval_a.json, eval_a_lcc.json). Each run folder
# keeps command.txt (how it was trained; written when training finished) and timing.json. A
# trained run is not trained again, a missing score is added, and an interrupted training
# continues with --resume. scripts/summarise_runs.py makes the table. Usage:
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
split=(); [ -n "$SPLIT" ] && split=(--split "$SPLIT")
for ex in $EXEMPLARS; do
  for m in $METHODS; do
    run="$OUT/$m-${ex//[:\/]/_}"  # an exemplar file (configs/exemplars/...) names a folder too
    if [ ! -f "$run/command.txt" ]; then
      resume=()
      [ -f "$run/checkpoint.safetensors" ] && resume=(--resume)
      cmd=("$CMEMS" train --data "$DATA" --out "$run" --method "$m" --exemplar "$ex" "$@")
      [ ${#resume[@]} -gt 0 ] || cmd+=(--force)
      "${cmd[@]}" "${resume[@]}" 2>>"$run.log" >/dev/null
      printf '%s\n' "$rev: ${cmd[*]}" > "$run/command.txt"
    fi
    score() {  # FILE [FLAGS...]: one evaluation, unless FILE exists
      local f=$1; shift
      [ -f "$run/$f" ] || "$CMEMS" evaluate --run "$run" --data "$DATA" "${split[@]}" "$@" --out "$run/$f" >/dev/null
    }
    score eval.json --infer.lcc false --infer.opening 0
    score eval_lcc.json --infer.lcc true
    if python3 -c "import json,sys; sys.exit(len(json.load(open('$run/eval.json'))['classes']) < 2)"; then
      score eval_largest.json --infer.lcc true --infer.keep-fraction 1 --infer.assembly false
    fi
    if python3 -c "import json,sys; sys.exit(json.load(open('$run/config.json'))['models'] != 2)"; then
      score eval_a.json --models a --infer.lcc false --infer.opening 0
      score eval_a_lcc.json --models a --infer.lcc true
    fi
    echo "$m $ex $(python3 -c "import json; print(round(json.load(open('$run/eval.json'))['mean']['dice'],4), round(json.load(open('$run/eval_lcc.json'))['mean']['dice'],4))")"
  done
done
