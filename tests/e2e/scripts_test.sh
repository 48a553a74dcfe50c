#!/usr/bin/env bash
# The experiment scripts that make docs/RESULTS.md's tables and run on a lent GPU, tiny, on
# phantom data with the built binary: scripts/gpu_table.sh with a sweep file (folders, flags,
# two runs at once; through scripts/experiment.sh and scripts/sweep_table.py), and its stop at
# the deadline (the run stopped with a checkpoint, its curve so far reported); the CPU queue
# (scripts/acdc_cpu_queue.sh) with START and a queue file. Needs $CMEMS.
set -u
CMEMS=${CMEMS:?set CMEMS to the cmems binary}
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
"$CMEMS" phantom --out "$T/data" --cases 3 --test-cases 1 --seed 1 >/dev/null
echo '{"method": "cmems", "iterations": 100000, "data": {"size": 32}, "model": {"width": 4},
       "batch": {"labeled": 2, "unlabeled": 2}, "threads": 1, "log_every": 5}' >"$T/tiny.json"
printf '%s\n' "# a comment" "a cmems phantom_000:5" "a supervised phantom_001:5" \
  "b cmems phantom_000:5 --pseudo.threshold 0.9" >"$T/sweep.txt"
table() {  # OUT RUNS DEADLINE ITERATIONS SWEEP
  CMEMS=$CMEMS DEVICE=cpu OUT=$1 RUNS=$2 DEADLINE=$3 ITERATIONS=$4 SWEEP=$5 DATA="$T/data" SPLIT=test \
    CONFIG="$T/tiny.json" PARALLEL=2 ITEM_SECONDS=1 PY=python3 scripts/gpu_table.sh >"$1.out" 2>"$1.err"
}
check "gpu_table.sh runs a sweep" 'table "$T/out" "$T/runs" 300 10 "$T/sweep.txt"'
check "every item trained and scored in its folder" '[ -f "$T/runs/a/cmems-phantom_000_5/eval_lcc.json" ] && [ -f "$T/runs/a/cmems-phantom_000_5/eval_a.json" ] && [ -f "$T/runs/a/supervised-phantom_001_5/eval.json" ] && [ ! -f "$T/runs/a/supervised-phantom_001_5/eval_a.json" ] && [ -f "$T/runs/b/cmems-phantom_000_5/eval.json" ]'
check "an item's flags reach its run" 'grep -q -- "--pseudo.threshold 0.9" "$T/runs/b/cmems-phantom_000_5/command.txt" && python3 -c "import json,sys; sys.exit(json.load(open(\"$T/runs/b/cmems-phantom_000_5/config.json\"))[\"pseudo\"][\"threshold\"] != 0.9)"'
check "table.json: one line a run, each with its Dice" 'python3 -c "
import json, sys
t = json.load(open(\"$T/out/table.json\"))
runs = {(r[\"folder\"], r[\"run\"]): r for r in t[\"runs\"]}
sys.exit(not (sorted(runs) == [(\"a\", \"cmems-phantom_000_5\"), (\"a\", \"supervised-phantom_001_5\"), (\"b\", \"cmems-phantom_000_5\")]
              and all(0 <= r[\"dice\"] <= 1 and 0 <= r[\"lcc_dice\"] <= 1 for r in runs.values())
              and set(t[\"folders\"]) == {\"a\", \"b\"} and t[\"folders\"][\"a\"][\"methods\"][\"cmems\"][\"runs\"][0][\"exemplar\"] == \"phantom_000:5\"))"'
check "runs.tar.gz holds scores and commands, no weights" 'tar -tzf "$T/out/runs.tar.gz" | grep -q "b/cmems-phantom_000_5/command.txt" && tar -tzf "$T/out/runs.tar.gz" | grep -q "a/cmems-phantom_000_5/eval_a.json" && ! tar -tzf "$T/out/runs.tar.gz" | grep -q safetensors'
check "the table is printed last" 'tail -1 "$T/out.out" | grep -q "^b  *cmems-phantom_000_5  *[0-9.]"'
printf '%s\n' "s cmems phantom_000:5 --val-every 5" >"$T/long.txt"
check "at the deadline the run stops and the script still succeeds" 'table "$T/out2" "$T/runs2" 12 100000 "$T/long.txt"'
check "the stopped run keeps its checkpoint, no scores" '[ -f "$T/runs2/s/cmems-phantom_000_5/checkpoint.safetensors" ] && [ ! -f "$T/runs2/s/cmems-phantom_000_5/command.txt" ] && [ ! -f "$T/runs2/s/cmems-phantom_000_5/eval.json" ]'
check "its curve so far is reported, marked stopped" 'tail -1 "$T/out2.out" | grep -q "(stopped)" && python3 -c "import json,sys; r=json.load(open(\"$T/out2/table.json\"))[\"runs\"][0]; sys.exit(not (r[\"dice\"] is None and len(r[\"curve\"]) > 0))"'
check "no cmems process is left behind" '! pgrep -f "$CMEMS .*$T/" >/dev/null'
check "annotation_curve.sh: 1 then 2 slices by suggest, rule and random, summarised" 'CMEMS=$CMEMS CONFIG="$T/tiny.json" SPLIT=test SIZES="1 2" FLAGS="--iterations 3" OUT="$T/curve.json" scripts/annotation_curve.sh "$T/data" "$T/curve" phantom_000:5 >"$T/curve.out" 2>&1 && python3 -c "
import json, sys
s = json.load(open(\"$T/curve.json\"))[\"starts\"][\"phantom_000:5\"][\"strategies\"]
sys.exit(not (set(s) == {\"start\", \"suggest\", \"rule\", \"random\"} and all(len(v) == 1 and 0 <= v[0][\"dice\"] <= 1 for v in s.values())
              and all(len(set(v[0][\"exemplars\"])) == 2 and v[0][\"exemplars\"][0] == \"phantom_000:5\" for k, v in s.items() if k != \"start\")))"'
check "the curve's summary: means per strategy and an SVG figure of three curves" 'python3 -c "
import json, sys
r = json.load(open(\"$T/curve.json\"))
m = r[\"mean_over_starts\"]
sys.exit(not (set(m) == {\"suggest\", \"rule\", \"random\"} and all(set(v) == {\"1\", \"2\"} for v in m.values())
              and isinstance(r[\"acceptance_suggest_vs_random\"][\"2\"], str)))" && [ "$(grep -c "stroke-width=\"2.5\" points" "$T/curve.svg")" = 3 ]'
check "the curve's acceptance: every suggest rank against random, only where all starts have the point" 'python3 -c "
import sys; sys.path.insert(0, \"scripts\"); from annotation_summary import acceptance
p = lambda m, a=True: {\"mean\": m, \"starts\": 2, \"all_starts\": a}
a = acceptance({\"random\": {\"2\": p(0.70), \"4\": p(0.75)}, \"suggest\": {\"2\": p(0.69), \"4\": p(0.76, False)},
                \"suggest_pixels\": {\"2\": p(0.72)}, \"rule\": {\"2\": p(0.8)}}, 2)
sys.exit(not (set(a[\"2\"]) == {\"suggest\", \"suggest_pixels\"} and a[\"2\"][\"suggest_pixels\"][\"beats_random\"]
              and not a[\"2\"][\"suggest\"][\"beats_random\"] and isinstance(a[\"4\"], str)))"'
check "annotation_curve.sh again: nothing retrained, the same slices" 'cp "$T/curve/phantom_000_5/random-2/exemplars.txt" "$T/ex_before" && CMEMS=$CMEMS CONFIG="$T/tiny.json" SPLIT=test SIZES="1 2" FLAGS="--iterations 3" OUT="$T/curve2.json" scripts/annotation_curve.sh "$T/data" "$T/curve" phantom_000:5 >"$T/curve2.out" 2>&1 && ! grep -q "iterations on cpu" "$T/curve2.out" && cmp "$T/ex_before" "$T/curve/phantom_000_5/random-2/exemplars.txt"'
printf '%s\n' "# a comment" "q cmems phantom_000:5 --iterations 3" "q supervised phantom_001:5 --iterations 3 --pseudo.threshold 0.9" >"$T/queue.txt"
queue() {  # RUNS [ENV...]: scripts/acdc_cpu_queue.sh on the phantom data with the tiny config
  local runs=$1; shift
  env CMEMS="$CMEMS" CONFIG="$T/tiny.json" SPLIT=test "$@" scripts/acdc_cpu_queue.sh "$T/data" "$runs" >"$runs.out" 2>&1
}
check "acdc_cpu_queue.sh starts at START and passes each line's flags to its run" 'queue "$T/q" QUEUE="$T/queue.txt" START=q:supervised:phantom_001:5 && [ ! -e "$T/q/q/cmems-phantom_000_5" ] && [ -f "$T/q/q/supervised-phantom_001_5/eval.json" ] && grep -q -- "--iterations 3 --pseudo.threshold 0.9" "$T/q/q/supervised-phantom_001_5/command.txt"'
cp "$T/queue.txt" "$T/queue2.txt" && echo "q cmems phantom_000:5 --iterations 4" >>"$T/queue2.txt"
check "acdc_cpu_queue.sh refuses a queue that names a run twice, and starts nothing" '! queue "$T/q2" QUEUE="$T/queue2.txt" && grep -q "names a run twice: q:cmems:phantom_000:5" "$T/q2.out" && [ ! -e "$T/q2" ]'
check "acdc_cpu_queue.sh: a START that is no line of the queue fails" '! queue "$T/q3" QUEUE="$T/queue.txt" START=q:full:x && grep -q "is not a line of" "$T/q3.out"'
mkdir -p "$T/fs/r"
python3 -c "
import json
d = lambda a, b, c: {'1': {'dice': a}, '2': {'dice': b}, '3': {'dice': c}}
json.dump({'classes': {'1': {'name': 'RV'}, '2': {'name': 'Myo'}, '3': {'name': 'LV'}},
           'cases': [{'case': 'patient001_frame01', 'classes': d(0.8, 0.6, 0.9)}, {'case': 'patient002_frame01', 'classes': d(0.6, 0.4, 0.7)},
                     {'case': 'patient001_frame02', 'classes': d(0.5, 0.5, 0.2)}]}, open('$T/fs/r/eval.json', 'w'))"
check "frame_split.py: per-frame, per-class means" 'python3 scripts/frame_split.py --out "$T/fs/split.json" "$T/fs/r" >"$T/fs/out.md" && python3 -c "
import json, sys
rows = {r[\"frame\"]: r for r in json.load(open(\"$T/fs/split.json\"))[\"rows\"]}
ok = sorted(rows) == [\"frame01\", \"frame02\"] and rows[\"frame01\"][\"cases\"] == 2 and abs(rows[\"frame01\"][\"dice\"][\"RV\"] - 0.7) < 1e-9
ok = ok and abs(rows[\"frame01\"][\"mean_dice\"] - 2 / 3) < 1e-9 and abs(rows[\"frame02\"][\"dice\"][\"LV\"] - 0.2) < 1e-9
sys.exit(not ok)" && grep -q "frame02 (1)" "$T/fs/out.md"'
mkdir -p "$T/fs/r2" && cp "$T/fs/r/eval.json" "$T/fs/r2/" && mv "$T/fs/r" "$T/fs/gone"
check "frame_split.py keeps a recorded row whose run folder is gone" 'python3 scripts/frame_split.py --out "$T/fs/split.json" "$T/fs/r2" >/dev/null && python3 -c "
import json, sys
j = json.load(open(\"$T/fs/split.json\"))
runs = sorted({r[\"run\"].split(\"/\")[-1] for r in j[\"rows\"]})
sys.exit(not (runs == [\"r\", \"r2\"] and len(j[\"rows\"]) == 4 and len(j[\"earlier_commands\"]) == 1))"'
mkdir -p "$T/fs/r3" && cp "$T/fs/r2/eval.json" "$T/fs/r3/"
check "frame_split.py keeps the rows of a present run it is not given" 'python3 scripts/frame_split.py --out "$T/fs/split.json" "$T/fs/r3" >/dev/null && python3 -c "
import json, sys
j = json.load(open(\"$T/fs/split.json\"))
runs = sorted({r[\"run\"].split(\"/\")[-1] for r in j[\"rows\"]})
sys.exit(not (runs == [\"r\", \"r2\", \"r3\"] and len(j[\"rows\"]) == 6 and len(j[\"earlier_commands\"]) == 2))"'
check "summarise_runs.py keeps a recorded row whose run folder is gone" 'python3 scripts/summarise_runs.py "$T/runs/a" "$T/sum.json" cmd machine >/dev/null && python3 scripts/summarise_runs.py "$T/runs/b" "$T/sum.json" cmd machine >/dev/null && python3 -c "
import json, sys
m = json.load(open(\"$T/sum.json\"))[\"methods\"]
sup, cm = m[\"supervised\"][\"runs\"], m[\"cmems\"][\"runs\"]
sys.exit(not (len(sup) == 1 and sup[0].get(\"kept\") and len(cm) == 1 and \"kept\" not in cm[0] and \"--pseudo.threshold 0.9\" in cm[0][\"command\"]))"'
check "summarise_runs.py records the repository's commit, run from the runs' folder" '(r=$PWD; cd "$T/runs" && python3 "$r/scripts/summarise_runs.py" b "$T/sum2.json" cmd machine >/dev/null) && python3 -c "
import json, sys
sys.exit(json.load(open(\"$T/sum2.json\"))[\"commit\"] != \"$(git rev-parse --short HEAD)\")"'
check "generality_summary.py: one row a run with dataset, scores both ways, QC and command; an incomplete table does not meet the acceptance" 'python3 scripts/generality_summary.py "$T/runs/a" "$T/runs/b" "$T/gen.json" cmd machine >"$T/gen.md" && python3 -c "
import json, sys
j = json.load(open(\"$T/gen.json\"))
rows = {(r[\"dataset\"], r[\"method\"]): r for r in j[\"runs\"]}
ok = sorted(rows) == [(\"acdc\", \"cmems\"), (\"acdc\", \"supervised\"), (\"la\", \"cmems\")]
c = rows[(\"acdc\", \"cmems\")]
ok = ok and c[\"exemplar\"] == \"phantom_000:5\" and set(c[\"lcc\"][\"classes\"]) == {\"RV\", \"Myo\", \"LV\"} and \"qc_spearman_rho\" in c
ok = ok and \"qc_spearman_rho\" not in rows[(\"acdc\", \"supervised\")] and \"command\" in c and 0 <= c[\"raw\"][\"mean_dice\"] <= 1
a = j[\"acceptance\"]
ok = ok and a[\"acdc\"][\"met\"] is False and a[\"acdc\"][\"above\"][\"fixmatch\"] == {} and a[\"la\"][\"exemplars\"] == 1
sys.exit(not ok)" && grep -q "^| la | \`cmems\`" "$T/gen.md"'
check "generality_summary.py keeps a recorded row whose run folder is gone, marked kept" 'python3 scripts/generality_summary.py "$T/runs/a" "$T/no-such-folder" "$T/gen.json" cmd machine >/dev/null && python3 -c "
import json, sys
rows = {(r[\"dataset\"], r[\"method\"]): r for r in json.load(open(\"$T/gen.json\"))[\"runs\"]}
ok = sorted(rows) == [(\"acdc\", \"cmems\"), (\"acdc\", \"supervised\"), (\"la\", \"cmems\")]
sys.exit(not (ok and rows[(\"la\", \"cmems\")].get(\"kept\") and \"kept\" not in rows[(\"acdc\", \"cmems\")]))"'
mkdir -p "$T/fs/r4" "$T/repo/scripts" "$T/repo/results" && cp "$T/fs/r2/eval.json" "$T/fs/r4/" && cp scripts/frame_split.py "$T/repo/scripts/"
check "frame_split.py records its command relative to the repository, run from elsewhere" '(cd "$T/fs" && python3 "$T/repo/scripts/frame_split.py" --out "$T/repo/results/s.json" r4 >/dev/null) && python3 -c "
import json, sys
sys.exit(json.load(open(\"$T/repo/results/s.json\"))[\"command\"] != \"scripts/frame_split.py --out results/s.json r4\")"'
# the same run as other seeds and as another method (config edited: its scores are a's)
for item in "s2 cmems-x cmems 2" "s2 sup-x supervised 2" "s3 sup-y supervised 1337"; do
  set -- $item
  mkdir -p "$T/seeds/$1" && cp -r "$T/runs/a/cmems-phantom_000_5" "$T/seeds/$1/$2"
  python3 -c "
import json; p = '$T/seeds/$1/$2/config.json'; c = json.load(open(p)); c['method'] = '$3'; c['seed'] = $4; json.dump(c, open(p, 'w'))"
done
check "seeds_summary.py: per method and exemplar the seeds, their mean, and the reference against each method on the seeds both have" 'python3 scripts/seeds_summary.py "$T/seeds.json" cmd machine "$T/runs/a" "$T/seeds/s2" "$T/seeds/s3" >"$T/seeds.md" && python3 -c "
import json, sys
j = json.load(open(\"$T/seeds.json\"))
t = {(r[\"method\"], r[\"exemplar\"]): r for r in j[\"table\"]}
c = t[(\"cmems\", \"phantom_000:5\")]
ok = sorted(c[\"seeds\"]) == [\"1337\", \"2\"] and c[\"n\"] == 2 and t[(\"supervised\", \"phantom_001:5\")][\"n\"] == 1
cmp = [x for x in j[\"comparisons\"] if x[\"against\"] == \"supervised\"]
ok = ok and len(cmp) == 1 and cmp[0][\"exemplar\"] == \"phantom_000:5\" and cmp[0][\"seeds\"] == [\"1337\", \"2\"]
ok = ok and abs(cmp[0][\"mean_difference\"]) < 1e-12 and cmp[0][\"reference_above_on\"] == 0
sys.exit(not ok)"'
check "seeds_summary.py refuses the same run twice" '! python3 scripts/seeds_summary.py "$T/seeds2.json" cmd machine "$T/runs/a" "$T/runs/a" 2>"$T/seeds2.err" && grep -q "the same method, exemplar and seed twice" "$T/seeds2.err" && [ ! -e "$T/seeds2.json" ]'
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
