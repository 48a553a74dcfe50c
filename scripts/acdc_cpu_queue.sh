#!/usr/bin/env bash
# Runs a queue of ACDC trainings on this machine, one at a time, through scripts/experiment.sh
# (finished runs are skipped, an interrupted one continues with --resume). QUEUE is a file of
# lines "FOLDER METHOD EXEMPLAR [TRAIN FLAGS...]" (# comments allowed), the format of the GPU
# sweeps (scripts/gpu_table.sh); each run trains with --config CONFIG and its flags into
# RUNS/FOLDER. Waits while RUNS/PAUSE exists, so builds and tests never share the machine with
# a run. Summarise with scripts/summarise_runs.py RUNS/FOLDER OUT.json ...
#
# START=FOLDER:METHOD:EXEMPLAR skips the lines before it: on a new machine, where the run
# folders of the earlier lines are gone and their rows are kept in results/ (summarise_runs.py
# keeps a recorded row whose folder is absent).
#
#   [START=ITEM] [QUEUE=FILE] [CONFIG=FILE] [SPLIT=S] scripts/acdc_cpu_queue.sh [DATA] [RUNS]
#   defaults: QUEUE configs/sweeps/acdc_cpu_queue.txt (issue 10's CPU runs), CONFIG
#   configs/cpu.json, SPLIT val (scored), DATA ../shared/data/acdc, RUNS ../runs; CMEMS
#   (the binary, ./build/cmems) passes to scripts/experiment.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
data=${1:-../shared/data/acdc} runs=${2:-../runs}
queue=${QUEUE:-configs/sweeps/acdc_cpu_queue.txt} config=${CONFIG:-configs/cpu.json} split=${SPLIT:-val}
[ -f "$queue" ] || { echo "acdc_cpu_queue.sh: no queue file $queue" >&2; exit 2; }
runs_of_queue() { grep -v '^\s*\(#\|$\)' "$queue"; }  # its lines, comments and blanks left out
# one line a run: a second line for the same run would be skipped as done, or started by START
# with the first line's flags
dup=$(runs_of_queue | awk '{print $1 ":" $2 ":" $3}' | sort | uniq -d)
[ -z "$dup" ] || { echo "acdc_cpu_queue.sh: $queue names a run twice: $dup" >&2; exit 2; }
skip=${START:+1}
while read -r dir m ex flags; do
  [ "$dir:$m:$ex" = "${START:-}" ] && skip=
  [ -n "$skip" ] && continue
  while [ -e "$runs/PAUSE" ]; do sleep 15; done
  echo "$(date +%H:%M:%S) start $dir $m $ex"
  # shellcheck disable=SC2086  # flags are words
  METHODS=$m EXEMPLARS=$ex SPLIT=$split scripts/experiment.sh "$data" "$runs/$dir" --config "$config" $flags </dev/null \
    || echo "$(date +%H:%M:%S) failed $dir $m $ex (see $runs/$dir/$m-$ex.log)"
done < <(runs_of_queue)
[ -n "$skip" ] && { echo "START=$START is not a line of $queue" >&2; exit 2; }
echo "$(date +%H:%M:%S) queue done"
