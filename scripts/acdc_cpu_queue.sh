#!/usr/bin/env bash
# Issue 10's runs on ACDC at the CPU preset (configs/acdc_cpu.json), one at a time through
# scripts/experiment.sh (finished runs are skipped, an interrupted one continues with
# --resume). Waits while RUNS/PAUSE exists, so builds and tests never share the machine with
# a run. Items are FOLDER:METHOD:EXEMPLAR under RUNS: cpu = the results table, probe = the
# exemplar-position probe (patient003's end-diastole slices), tune_* = a tuning variant on
# val (its flags below). Summarise with scripts/summarise_runs.py RUNS/cpu OUT.json ...
#
# START=FOLDER:METHOD:EXEMPLAR skips the items before it: on a new machine, where the run
# folders of the earlier items are gone and their rows are kept in results/ (summarise_runs.py
# keeps a recorded row whose folder is absent).
#
#   [START=ITEM] scripts/acdc_cpu_queue.sh [DATA] [RUNS]     (defaults ../shared/data/acdc, ../runs)
set -uo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/acdc} runs=${2:-../runs}
E1=patient003_frame01_slice_6 E2=patient004_frame01_slice_6 E3=patient005_frame01_slice_6
P=patient003_frame01_slice_
items="cpu:full:$E1 cpu:supervised:$E1 cpu:supervised:$E2 cpu:supervised:$E3
 tune_outside:cmems:$E1 tune_supweight:cmems:$E1
 cpu:supervised-synth:$E1 cpu:supervised-synth:$E2 cpu:supervised-synth:$E3
 cpu:cmems:$E3
 probe:supervised-synth:${P}2 probe:supervised-synth:${P}4 probe:supervised-synth:${P}8 probe:supervised-synth:${P}10
 cpu:cmems:$E1
 tune_scale06:supervised-synth:$E1 tune_scale06:supervised-synth:$E2 tune_scale06:supervised-synth:$E3
 tune_elastic8:supervised-synth:$E1 tune_elastic8:supervised-synth:$E2 tune_elastic8:supervised-synth:$E3
 cpu:cmems:$E2
 tune_elastic8:cmems:$E1 tune_elastic8:cmems:$E2
 cpu:fixmatch:$E1
 cpu:unimatch:$E1 cpu:cps:$E1 cpu:unimatch:$E2 cpu:cps:$E2 cpu:unimatch:$E3 cpu:cps:$E3
 cpu:cmems-ip:$E1 cpu:cmems-fp:$E1 cpu:fixmatch:$E2 cpu:fixmatch:$E3 tune_elastic8:cmems:$E3 tune_default:cmems:$E3
 tune_elastic16:supervised-synth:$E1 tune_elastic16:supervised-synth:$E2 tune_elastic16:supervised-synth:$E3
 probe:cmems:${P}4 probe:cmems:${P}8 probe:cmems:${P}2
 tune_thr08:cmems:$E1 tune_thr08:cmems:$E2 tune_thr08:cmems:$E3 probe:cmems:${P}10
 tune_rampup01:cmems:$E1 tune_rampup01:cmems:$E2 tune_lam05:cmems:$E1 tune_rampup01:cmems:$E3
 tune_lam2:cmems:$E1
 tune_exprob05:cmems:$E1
 tune_cutmix1:cmems:$E2 tune_cutmix1:cmems:$E1 tune_cutmix1:cmems:$E3"
skip=${START:+1}
for item in $items; do
  [ "$item" = "${START:-}" ] && skip=
  [ -n "$skip" ] && continue
  dir=${item%%:*} rest=${item#*:}
  m=${rest%%:*} ex=${rest#*:}
  # the table's threshold, chosen on val by GPU sweep 1 (docs/RESULTS.md), for every method that
  # thresholds its pseudo-labels (cps takes the argmax by definition: its preset's 0 stays; a
  # key in the preset file would override it)
  thr=()
  case $m in cmems|cmems-ip|cmems-fp|fixmatch|unimatch) thr=(--pseudo.threshold 0.9) ;; esac
  flags=()
  case $dir in
    # tuning variants before sweep 1, each measured against the default threshold 0.95 (tune_default)
    tune_default) flags=() ;;
    tune_outside) flags=(--synthesis.outside cross_pseudo) ;;
    tune_supweight) flags=(--loss.sup-weight 2) ;;
    # synthesis shape variants at the table's threshold, probed first with supervised-synth (the
    # synthesis alone, ~10 min a run) against the cpu folder's rows: the end-systole frames, where
    # the heart is smaller and the myocardium thicker than in the end-diastole exemplar, are where
    # every exemplar method loses most (docs/RESULTS.md); then the best with cmems
    # (elastic 8 with cmems: +0.8 on patient003, -2.5 on patient004, so not the default)
    tune_scale06) flags=(--synthesis.scale-min 0.6 "${thr[@]}") ;;
    tune_elastic8) flags=(--synthesis.elastic 8 "${thr[@]}") ;;
    tune_elastic16) flags=(--synthesis.elastic 16 "${thr[@]}") ;;
    # below the table's threshold: 0.95 -> 0.9 raised cmems on all three exemplars in GPU sweep 1
    # (docs/RESULTS.md); does 0.8 go on? (sweep 2's first variant, on the CPU for want of a GPU)
    tune_thr08) flags=(--pseudo.threshold 0.8) ;;
    # the consistency weight's sigmoid ramp-up over 10% of training instead of 20% (sweep 2's
    # second variant, on the CPU): 0.95 -> 0.9 gave more unlabeled signal early and gained on all
    # three exemplars; a shorter ramp-up also does, without lowering the threshold late
    # (+0.2 on patient003, -1.0 on patient004: not adopted; patient005 completes the record)
    tune_rampup01) flags=(--loss.rampup 0.1 "${thr[@]}") ;;
    # half the consistency weights (sweep 2): L_ip and L_fp at lambda 0.5 against the spec's 1
    # (-2.7 points on patient003, below at every validation: not run on the other two)
    tune_lam05) flags=(--ip.lambda 0.5 --fp.lambda 0.5 "${thr[@]}") ;;
    # twice the consistency weights, the direction lambda 0.5 points to (sweep 2, on the CPU)
    # (-0.4 on patient003, at or above the table's curve to 1500: not run on the other two)
    tune_lam2) flags=(--ip.lambda 2 --fp.lambda 2 "${thr[@]}") ;;
    # the exemplar itself in half the labeled items instead of the spec's quarter (sweep 2)
    # (-0.3 on patient003, above to 750, level or below from 1000: not run on the other two)
    tune_exprob05) flags=(--synthesis.exemplar-prob 0.5 "${thr[@]}") ;;
    # CutMix on every strong view instead of UniMatch's half (sweep 2); patient004 first,
    # the exemplar with the most room (three variants ended within 0.4 points of patient003's 0.698)
    # (+1.9 on patient004, LCC +1.1: patient003 and patient005 decide)
    tune_cutmix1) flags=(--strong.cutmix-prob 1.0 "${thr[@]}") ;;
    # the table's setting; the probe's supervised-synth runs take no threshold, so this changes none of them
    cpu|probe) flags=("${thr[@]}") ;;
  esac
  # the preset keeps each class's largest component at inference (infer.lcc, chosen on val:
  # docs/RESULTS.md); the table's runs score their training curves raw, as every run before that
  # choice did, and scripts/experiment.sh scores each run both ways
  flags+=(--infer.lcc false)
  while [ -e "$runs/PAUSE" ]; do sleep 15; done
  echo "$(date +%H:%M:%S) start $dir $m $ex"
  METHODS=$m EXEMPLARS=$ex SPLIT=val scripts/experiment.sh "$data" "$runs/$dir" --config configs/acdc_cpu.json "${flags[@]}" \
    || echo "$(date +%H:%M:%S) failed $dir $m $ex (see $runs/$dir/$m-$ex.log)"
done
[ -n "$skip" ] && { echo "START=$START is not an item of this queue" >&2; exit 2; }
echo "$(date +%H:%M:%S) queue done"
