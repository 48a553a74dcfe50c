#!/usr/bin/env bash
# Phantom comparison of the methods (docs/RESULTS.md): same exemplars, same iteration
# budget, CPU. Usage: scripts/phantom_experiment.sh [ITER] [OUT]; METHODS, EXEMPLARS and
# THREADS select the rows. scripts/summarise_runs.py makes results/phantom_methods.json.
set -euo pipefail
cd "$(dirname "$0")/.."
CMEMS=${CMEMS:-./build/cmems}
ITER=${1:-1000}
OUT=${2:-runs/phantom-exp}
export CMEMS METHODS=${METHODS:-"supervised supervised-synth cmems"} EXEMPLARS=${EXEMPLARS:-"phantom_000:5 phantom_003:4 phantom_006:4"}
mkdir -p "$OUT"
[ -f "$OUT/data/dataset.json" ] || "$CMEMS" phantom --out "$OUT/data"
scripts/experiment.sh "$OUT/data" "$OUT" --iterations "$ITER" --data.size 64 --model.width 8 --batch.labeled 4 \
  --batch.unlabeled 4 --log-every 50 --checkpoint-every 500 --threads "${THREADS:-0}"
