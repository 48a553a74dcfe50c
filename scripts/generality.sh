#!/usr/bin/env bash
# Issue 33's generality benchmark: cmems, fixmatch and supervised-synth from one slice of each of
# five ACDC pathology groups (scored on val.list) and of three left-atrium volumes (scored on
# the LA validation volumes), `full` once per dataset, all at the CPU preset with the defaults
# and no per-dataset flag. One run at a time through scripts/acdc_cpu_queue.sh: resumable
# (a finished run is skipped, an interrupted one continues), waits while RUNS/PAUSE exists.
# Then scripts/generality_summary.py writes results/generality.json and prints the table.
#   scripts/generality.sh [ACDC] [LA] [RUNS]
#   defaults: ../shared/data/acdc, ../data/la (made with ../shared/data/la/NOTICE.md), ../runs;
#   CMEMS (the binary), CONFIG (configs/cpu.json) and MACHINE (recorded) pass through.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
acdc=${1:-../shared/data/acdc} la=${2:-../data/la} runs=${3:-../runs}
export CONFIG=${CONFIG:-configs/cpu.json}
for d in "$acdc" "$la"; do [ -d "$d" ] || { echo "generality.sh: no dataset folder $d" >&2; exit 2; }; done
QUEUE=configs/sweeps/generality_acdc.txt SPLIT=val scripts/acdc_cpu_queue.sh "$acdc" "$runs" || exit
QUEUE=configs/sweeps/generality_la.txt SPLIT=test scripts/acdc_cpu_queue.sh "$la" "$runs" || exit
/usr/bin/python3 scripts/generality_summary.py "$runs/gen_acdc" "$runs/gen_la" results/generality.json \
  "scripts/generality.sh $*" "${MACHINE:-$(nproc)-core CPU, $(uname -m)}"
