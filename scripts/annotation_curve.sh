#!/usr/bin/env bash
# Issue 36's annotation curve: Dice with 1, 2, 4, 8 annotated slices (SIZES), the slices after
# the first chosen by `cmems suggest` on the previous round's run (suggest: with --rank qc, the
# rank measured first; suggest_R: with --rank R, e.g. suggest_pixels, the default rank), by a fixed rule
# (rule) or at random (random) (scripts/annotation_pick.py), from each START exemplar. One run at
# a time, resumable (finished runs are kept, a stopped one continues with --resume, each
# round's slice list is written once and reused); each run is scored on SPLIT; then
# scripts/annotation_summary.py writes OUT (results/annotation_curve.json) and FIGURE (the
# curves as SVG; default OUT with .svg for .json).
# CASE_METHODS (default "cmems fixmatch"; "" for none) adds, per start, UniMatch's one-case
# setting: every slice of the start's training case annotated (ACDC's prepared layout: the
# lines of train_slices.list of that patient, both frames), trained with each of those methods
# (folder case_METHOD-N, N the number of slices).
#   [CMEMS=...] [CONFIG=configs/cpu.json] [SPLIT=val] [SIZES="1 2 4 8"] [STRATEGIES="suggest rule random"]
#   [METHOD=cmems] [CASE_METHODS="cmems fixmatch"] [FLAGS=...] [OUT=results/annotation_curve.json] [FIGURE=...]
#   scripts/annotation_curve.sh DATA RUNS START...
set -euo pipefail
cd "$(dirname "$0")/.."
CMEMS=${CMEMS:-./build/cmems} CONFIG=${CONFIG:-configs/cpu.json} SPLIT=${SPLIT:-val} METHOD=${METHOD:-cmems}
SIZES=${SIZES:-"1 2 4 8"} STRATEGIES=${STRATEGIES:-"suggest rule random"} FLAGS=${FLAGS:-}
CASE_METHODS=${CASE_METHODS-"cmems fixmatch"}
OUT=${OUT:-results/annotation_curve.json}
FIGURE=${FIGURE:-${OUT%.json}.svg}
data=${1:?DATA} runs=${2:?RUNS}; shift 2
[ $# -ge 1 ] || { echo "annotation_curve.sh: name at least one START exemplar" >&2; exit 2; }
mkdir -p "$runs"
finished() {  # DIR: trained to its last iteration (a stopped run leaves weights and timing too)
  python3 -c "import json, sys; sys.exit(json.load(open('$1/timing.json'))['iterations'] != json.load(open('$1/config.json'))['iterations'])" 2>/dev/null
}
train() {  # DIR EXEMPLARS [METHOD]: train (or continue) and score, unless done
  local dir=$1 ex=$2 method=${3:-$METHOD}
  if ! finished "$dir"; then
    rm -f "$dir/eval.json"  # scores of a stopped run's weights
    if [ -f "$dir/checkpoint.safetensors" ]; then
      # shellcheck disable=SC2086  # the length as first given (a resume without it takes the default's)
      "$CMEMS" train --data "$data" --out "$dir" --config "$CONFIG" $FLAGS --resume
    else
      # shellcheck disable=SC2086
      "$CMEMS" train --data "$data" --out "$dir" --method "$method" --exemplar "$ex" --config "$CONFIG" $FLAGS --force
    fi
  fi
  [ -f "$dir/eval.json" ] || "$CMEMS" evaluate --run "$dir" --data "$data" --split "$SPLIT" --out "$dir/eval.json" >/dev/null
}
for start in "$@"; do
  tag=${start//[:\/]/_}
  first="$runs/$tag/1"
  echo "$start" >"$runs/$tag.start"
  train "$first" "$start"
  for s in $STRATEGIES; do
    list=$start prev=$first n=1
    for next in $SIZES; do
      [ "$next" -gt "$n" ] || continue
      dir="$runs/$tag/$s-$next"
      mkdir -p "$dir"
      if [ ! -f "$dir/exemplars.txt" ]; then  # chosen once: a rerun trains on the same slices
        case $s in
          suggest | suggest_*)
            rank=qc; [ "$s" = suggest ] || rank=${s#suggest_}
            add=$("$CMEMS" suggest --run "$prev" -n $((next - n)) --rank "$rank" | cut -f2 | paste -sd, -) ;;
          rule | random) add=$(python3 scripts/annotation_pick.py "$data" "$s" "$start" "$list" $((next - n))) ;;
          *) echo "annotation_curve.sh: unknown strategy $s" >&2; exit 2 ;;
        esac
        echo "$list,$add" | tr ',' '\n' >"$dir/exemplars.txt.tmp" && mv "$dir/exemplars.txt.tmp" "$dir/exemplars.txt"
      fi
      list=$(paste -sd, - <"$dir/exemplars.txt")
      train "$dir" "$list"
      prev=$dir n=$next
    done
  done
  if [ -n "$CASE_METHODS" ] && [ -f "$data/train_slices.list" ]; then
    patient=${start%%_*}
    grep "^${patient}_" "$data/train_slices.list" >"$runs/$tag.case.txt"
    n=$(wc -l <"$runs/$tag.case.txt")
    for m in $CASE_METHODS; do
      dir="$runs/$tag/case_$m-$n"
      mkdir -p "$dir"
      cp "$runs/$tag.case.txt" "$dir/exemplars.txt"
      train "$dir" "$dir/exemplars.txt" "$m"
    done
  fi
done
python3 scripts/annotation_summary.py "$runs" "$OUT" "$FIGURE"
