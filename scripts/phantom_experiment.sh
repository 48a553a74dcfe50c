#!/usr/bin/env bash
# Phantom comparison for issue 3: cmems vs supervised vs supervised-synth, same exemplar,
# same iteration budget, CPU. Writes results/phantom_methods.json (via
# scripts/summarise_runs.py). Usage: scripts/phantom_experiment.sh [ITER] [OUT]
set -euo pipefail
CMEMS=${CMEMS:-./build/cmems}
ITER=${1:-1000}
OUT=${2:-runs/phantom-exp}
EXEMPLARS=${EXEMPLARS:-"phantom_000:5 phantom_003:4 phantom_006:4"}
METHODS=${METHODS:-"supervised supervised-synth cmems"}
PRESET="--data.size 64 --model.width 8 --batch.labeled 4 --batch.unlabeled 4 --log-every 50 --checkpoint-every 500 --threads ${THREADS:-0}"
mkdir -p "$OUT"
[ -f "$OUT/data/dataset.json" ] || "$CMEMS" phantom --out "$OUT/data"
for ex in $EXEMPLARS; do
  for m in $METHODS; do
    run="$OUT/$m-${ex/:/_}"
    [ -f "$run/eval.json" ] && continue
    "$CMEMS" train --data "$OUT/data" --out "$run" --force --method "$m" --exemplar "$ex" --iterations "$ITER" $PRESET 2>"$run.log" >/dev/null
    "$CMEMS" evaluate --run "$run" --data "$OUT/data" --out "$run/eval.json" >/dev/null
    echo "$m $ex $(python3 -c "import json; print(round(json.load(open('$run/eval.json'))['mean']['dice'],4))")"
  done
done
