#!/usr/bin/env bash
# End-to-end CLI checks: phantom -> train -> evaluate -> predict, error paths (one line,
# exit 1, nothing overwritten), and kill -9 + --resume equality. Needs $CMEMS.
set -u
CMEMS=${CMEMS:?set CMEMS to the cmems binary}
. "$(dirname "$0")/lib.sh"
# expect_error NAME PATTERN CMD...: exit 1, exactly one stderr line, matching PATTERN.
expect_error() {
  local name=$1 pat=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q -- "$pat" "$T/err"; then ok "$name"
  else bad "$name (rc=$rc, stderr: $(head -c 300 "$T/err"))"; fi
}

check "--help lists the subcommands" '"$CMEMS" --help | grep -q demo && "$CMEMS" --help | grep -q predict && "$CMEMS" --help | grep -q evaluate'
for sub in demo phantom train evaluate predict synth report list; do
  check "$sub --help" '"$CMEMS" $sub --help >/dev/null'
done
check "phantom" '"$CMEMS" phantom --out "$T/data" --cases 3 --test-cases 2 --seed 1 >/dev/null'
check "phantom layout" '[ -f "$T/data/dataset.json" ] && [ -f "$T/data/imagesTr/phantom_000_0000.nii.gz" ] && [ -f "$T/data/labelsTs/phantom_500.nii.gz" ]'
check "train" '"$CMEMS" train --data "$T/data" --out "$T/run" --method cmems --iterations 4 --log-every 2 $SMALL >/dev/null 2>"$T/run.err"'
check "run folder" '[ -f "$T/run/config.json" ] && [ -f "$T/run/weights.safetensors" ] && [ -f "$T/run/checkpoint.safetensors" ] && [ $(wc -l <"$T/run/metrics.jsonl") -eq 2 ]'
check "train --val-every scores the test split into metrics.jsonl" '"$CMEMS" train --data "$T/data" --out "$T/runv" --method supervised --iterations 4 --log-every 4 --val-every 2 $SMALL >/dev/null 2>&1 && [ $(grep -c "\"val_dice\"" "$T/runv/metrics.jsonl") -eq 2 ] && python3 -c "import json,sys; j=[json.loads(l) for l in open(\"$T/runv/metrics.jsonl\")]; sys.exit(not (j[0][\"iteration\"] == 2 and 0 <= j[-1][\"val_dice\"] <= 1))"'
printf 'phantom_001\n' >"$T/holdout.txt"
check "train --data.holdout scores the held-out cases (split val) and never trains on them" '(cd "$T" && "$CMEMS" train --data data --out "$T/runh" --method supervised --iterations 2 --log-every 2 --val-every 2 --data.holdout holdout.txt $SMALL >/dev/null 2>"$T/runh.err") && grep -q "\"holdout\": \"$T/holdout.txt\"" "$T/runh/config.json" && grep -q "\"val_dice\"" "$T/runh/metrics.jsonl" && grep -q "exemplar phantom_000:" "$T/runh.err" && [ $(grep -o "[0-9]* unlabeled slices" "$T/runh.err" | cut -d" " -f1) -lt $(grep -o "[0-9]* unlabeled slices" "$T/run.err" | cut -d" " -f1) ]'
check "evaluate --split val scores the run's held-out cases; the default split is the test set" '"$CMEMS" evaluate --run "$T/runh" --data "$T/data" --split val --out "$T/evalh.json" >/dev/null && python3 -c "import json,sys; j=json.load(open(\"$T/evalh.json\")); sys.exit(not ([c[\"case\"] for c in j[\"cases\"]] == [\"phantom_001\"] and j[\"evaluated\"][\"split\"] == \"val\"))" && "$CMEMS" evaluate --run "$T/runh" --data "$T/data" --out "$T/evalt.json" >/dev/null && grep -q "\"split\": \"test\"" "$T/evalt.json"'
printf 'phantom_001\nnot_a_case\n' >"$T/badholdout.txt"
expect_error "holdout naming no training case" "badholdout.txt: 'not_a_case' is not a training case" "$CMEMS" train --data "$T/data" --out "$T/rh2" --data.holdout "$T/badholdout.txt" $SMALL --iterations 1
check "train --data.fit pad, then predict with the run's fit" '"$CMEMS" train --data "$T/data" --out "$T/runp" --method supervised --iterations 2 --data.fit pad $SMALL >/dev/null 2>&1 && grep -q "\"fit\": \"pad\"" "$T/runp/config.json" && "$CMEMS" predict --model "$T/runp" -i "$T/data/imagesTs" -o "$T/predp" >/dev/null && [ -f "$T/predp/phantom_500.nii.gz" ]'
check "train --data.context-mm: the stride in planes of the exemplar's volume kept in config.json; off where the planes lie farther apart" '"$CMEMS" train --data "$T/data" --out "$T/runc" --method supervised --iterations 2 --data.context 1 --data.context-mm 30 $SMALL >/dev/null 2>"$T/runc.err" && grep -q "data.context: every [2-5] planes" "$T/runc.err" && grep -q "\"context\": 1," "$T/runc/config.json" && grep -q "\"context_stride\": [2-5]," "$T/runc/config.json" && "$CMEMS" predict --model "$T/runc" -i "$T/data/imagesTs" -o "$T/predc" >/dev/null && [ -f "$T/predc/phantom_500.nii.gz" ] && "$CMEMS" train --data "$T/data" --out "$T/runc0" --method supervised --iterations 2 --data.context 1 --data.context-mm 3 $SMALL >/dev/null 2>"$T/runc0.err" && grep -q "data.context off" "$T/runc0.err" && grep -q "\"context\": 0," "$T/runc0/config.json"'
check "config.json names the exemplar" 'grep -q "\"exemplar\": \"phantom_000:" "$T/run/config.json"'
check "evaluate --run" '"$CMEMS" evaluate --run "$T/run" --data "$T/data" --out "$T/eval.json" | grep -q mean'
check "evaluate writes JSON and CSV" 'grep -q "\"mean\"" "$T/eval.json" && head -1 "$T/eval.csv" | grep -q "case,class,dice,hd95"'
check "synth writes NIfTI and PNG" '"$CMEMS" synth --data "$T/data" --out "$T/syn" -n 3 --data.size 32 >/dev/null && [ -f "$T/syn/synth_002.png" ] && [ -f "$T/syn/synth_002_0000.nii.gz" ] && [ -f "$T/syn/exemplar.nii.gz" ]'
check "the defaults leave propagation and context off on the phantom's 6-10 mm planes, say so, and save it; the phantom heart's classes touch: infer.assembly stays on" '"$CMEMS" train --data "$T/data" --out "$T/rund" --method supervised --iterations 1 $SMALL >/dev/null 2>"$T/rund.err" && grep -q "data.propagate_mm off: planes" "$T/rund.err" && grep -q "\"propagate_mm\": 0.0," "$T/rund/config.json" && grep -q "\"context\": 0," "$T/rund/config.json" && grep -q "\"assembly\": true," "$T/rund/config.json"'
check "synth shows the planes a propagated label reaches" '"$CMEMS" synth --data "$T/data" --out "$T/synp" -n 1 --data.size 32 --data.propagate-mm 10.5 --data.propagate-step-mm 0 >/dev/null && [ -f "$T/synp/propagated_000.png" ] && [ -f "$T/synp/propagated_001.nii.gz" ] && [ ! -f "$T/synp/propagated_002.png" ]'
check "list shows methods and options" '"$CMEMS" list | grep -q unimatch && "$CMEMS" list | grep -q -- --synthesis.outside'
check "docs/config.md is what list --markdown prints" '"$CMEMS" list --markdown | diff - "$(dirname "$0")/../../docs/config.md" >&2'
check "predict" '"$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/pred" >/dev/null'
check "predict drops _0000" '[ -f "$T/pred/phantom_500.nii.gz" ] && [ -f "$T/pred/phantom_501.nii.gz" ]'
check "predict writes QC beside each segmentation (two-model run)" '[ -f "$T/pred/phantom_500_qc.nii.gz" ] && [ -f "$T/pred/phantom_501_entropy.nii.gz" ] && python3 -c "import json,sys; j=json.load(open(\"$T/pred/qc.json\")); c=j[\"cases\"]; sys.exit(not (len(c) == 2 and all(0 <= x[\"qc_score\"] <= 1 and x[\"disagreement_ml\"] >= 0 for x in c)))" && [ $(grep -c "\"case\"" "$T/pred/qc.json") -eq 2 ] && [ $(wc -l <"$T/pred/qc.json") -eq 5 ]'
check "QC maps keep the segmentation geometry" 'python3 -c "
import gzip, sys
def geo(p):
    h = gzip.open(p).read(348)
    return h[40:56], h[76:108], h[252:328]
ref = geo(\"$T/pred/phantom_500.nii.gz\")
sys.exit(not (geo(\"$T/pred/phantom_500_qc.nii.gz\") == ref and geo(\"$T/pred/phantom_500_entropy.nii.gz\") == ref))"'
check "sharded predict (--parts 2) + qc-merge equals one predict" '"$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/predsh" --parts 2 --part-id 1 >/dev/null && [ -f "$T/predsh/phantom_501.nii.gz" ] && [ ! -f "$T/predsh/phantom_500.nii.gz" ] && "$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/predsh" --parts 2 --part-id 0 >/dev/null && "$CMEMS" qc-merge "$T/predsh" >/dev/null && cmp "$T/predsh/qc.json" "$T/pred/qc.json" && for f in phantom_500 phantom_501 phantom_500_qc phantom_501_entropy; do cmp <(gzip -dc "$T/predsh/$f.nii.gz") <(gzip -dc "$T/pred/$f.nii.gz") || exit 1; done'
expect_error "a part predicted twice is refused" "phantom_500.nii.gz" "$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/predsh" --parts 2 --part-id 0
expect_error "qc-merge names the missing part" "qc_part_1_of_2.json" bash -c "mkdir -p '$T/predsh1' && cp '$T/predsh/qc_part_0_of_2.json' '$T/predsh1/' && exec '$CMEMS' qc-merge '$T/predsh1'"
expect_error "--part-id beyond --parts" "--part-id 2" "$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/predsh2" --parts 2 --part-id 2
check "--save-probabilities: 4-D class probabilities with the input geometry, summing to 1" '"$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs/phantom_500_0000.nii.gz" -o "$T/predpr" --save-probabilities >/dev/null && python3 -c "
import gzip, struct, sys
def hdr(p):
    h = gzip.open(p).read()
    dim = struct.unpack(\"<8h\", h[40:56]); return h, dim, h[76:92], h[252:328]
h, dim, pix, geo = hdr(\"$T/predpr/phantom_500_probabilities.nii.gz\")
_, idim, ipix, igeo = hdr(\"$T/data/imagesTs/phantom_500_0000.nii.gz\")
n = dim[1] * dim[2] * dim[3]; off = int(struct.unpack(\"<f\", h[108:112])[0])
v = struct.unpack(\"<%df\" % (n * dim[4]), h[off:off + 4 * n * dim[4]])
sums = [sum(v[c * n + i] for c in range(dim[4])) for i in range(0, n, 97)]
ok = dim[0] == 4 and dim[4] == 4 and dim[1:4] == idim[1:4] and pix[4:16] == ipix[4:16] and geo == igeo and struct.unpack(\"<h\", h[70:72])[0] == 16 and all(abs(s - 1) < 1e-4 for s in sums) and min(v) >= 0
sys.exit(not ok)"'
check "report takes the dataset from the run (data.json)" 'grep -q "\"data\": \"/" "$T/run/data.json" && "$CMEMS" report --run "$T/run" --out "$T/rep.html" --samples 2 >/dev/null && [ -s "$T/rep.html" ]'
expect_error "report without --data of a run without data.json" "data.json" bash -c "cp -r '$T/run' '$T/run_nodata' && rm '$T/run_nodata/data.json' && exec '$CMEMS' report --run '$T/run_nodata' --out '$T/rep2.html'"
check "suggest ranks the unlabeled slices by disagreement, the exemplar left out" '"$CMEMS" suggest --run "$T/run" -n 3 --out "$T/sug" >"$T/sug.txt" && [ $(wc -l <"$T/sug.txt") -eq 3 ] && [ $(ls "$T/sug"/*.png | wc -l) -eq 3 ] && ex=$(grep -o "\"exemplar\": \"[^\"]*\"" "$T/run/config.json" | cut -d\" -f4) && [ -n "$ex" ] && ! grep -q "\"$ex\"" "$T/sug/suggest.json" && python3 -c "
import json, sys
s = [x[\"score\"] for x in json.load(open(\"$T/sug/suggest.json\"))[\"suggested\"]]
sys.exit(not (len(s) == 3 and s == sorted(s, reverse=True) and all(0 <= v <= 1 for v in s)))"'
check "suggest ranks by the share of pixels the models dispute (the default), --rank qc by qc_score; zero exactly where qc is zero" '"$CMEMS" suggest --run "$T/run" -n 100000 --rank qc >"$T/sug_qc.txt" && "$CMEMS" suggest --run "$T/run" -n 100000 >"$T/sug_px.txt" && grep -q "\"rank\": \"pixels\"" "$T/sug/suggest.json" && python3 -c "
import sys
rd = lambda f: [(l.split()[1], float(l.split()[2])) for l in open(f)]
qc, px = rd(\"$T/sug_qc.txt\"), rd(\"$T/sug_px.txt\")
s = [v for _, v in px]
sys.exit(not (len(px) > 3 and sorted(i for i, _ in qc) == sorted(i for i, _ in px) and s == sorted(s, reverse=True)
              and all(0 <= v <= 1 for v in s) and {i for i, v in qc if v == 0} == {i for i, v in px if v == 0} and max(s) > 0))"'
expect_error "suggest needs a two-model run" "one-model run" "$CMEMS" suggest --run "$T/runv"
check "one-model predict says once that it writes no QC" '"$CMEMS" predict --model "$T/runv" -i "$T/data/imagesTs" -o "$T/predv" 2>"$T/predv.err" >/dev/null && [ $(grep -c "no two-model QC" "$T/predv.err") -eq 1 ] && [ ! -f "$T/predv/qc.json" ] && [ ! -f "$T/predv/phantom_500_qc.nii.gz" ]'
check "evaluate --pred --labels" '"$CMEMS" evaluate --pred "$T/pred" --labels "$T/data/labelsTs" --out "$T/eval2.json" >/dev/null'
check "both evaluations agree" 'python3 -c "import json,sys; a=json.load(open(\"$T/eval.json\"))[\"mean\"][\"dice\"]; b=json.load(open(\"$T/eval2.json\"))[\"mean\"][\"dice\"]; sys.exit(abs(a-b)>1e-9)"'
check "evaluate reports the QC correlation (--run and --pred with qc.json)" 'grep -q "spearman_qc_score_vs_case_dice" "$T/eval.json" && grep -q "spearman_qc_score_vs_case_dice" "$T/eval2.json" && python3 -c "import json,sys; a=json.load(open(\"$T/eval.json\")); b=json.load(open(\"$T/eval2.json\")); sys.exit(not all(abs(x[\"qc\"][\"qc_score\"] - y[\"qc\"][\"qc_score\"]) < 1e-12 for x, y in zip(a[\"cases\"], b[\"cases\"])))"'
check "evaluate and predict take --threads" '"$CMEMS" evaluate --run "$T/run" --data "$T/data" --threads 2 --out "$T/eval3.json" >/dev/null && "$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/pred3" --threads 2 >/dev/null && python3 -c "import json,sys; a=json.load(open(\"$T/eval.json\"))[\"mean\"][\"dice\"]; b=json.load(open(\"$T/eval3.json\"))[\"mean\"][\"dice\"]; sys.exit(abs(a-b)>1e-3)"'
expect_error "--threads out of range" "threads" "$CMEMS" evaluate --run "$T/run" --data "$T/data" --threads -3 --out "$T/eval4.json"

# Bad input: one clear line, exit 1, nothing overwritten.
expect_error "missing data folder" "does not exist" "$CMEMS" train --data "$T/nope" --out "$T/r2" $SMALL
expect_error "unknown method" "unknown method 'magic'" "$CMEMS" train --data "$T/data" --out "$T/r3" --method magic
expect_error "unknown flag" "--no-such-flag" "$CMEMS" train --data "$T/data" --out "$T/r7" --no-such-flag 3
expect_error "existing report kept" "report exists" "$CMEMS" evaluate --run "$T/run" --data "$T/data" --out "$T/eval.json"
expect_error "option out of range" "pseudo.threshold" "$CMEMS" train --data "$T/data" --out "$T/r4" --pseudo.threshold 2
expect_error "slice size not a multiple of 16" "option --data.size: 100 is not a multiple of 16" "$CMEMS" train --data "$T/data" --out "$T/r4" --data.size 100
expect_error "bad exemplar" "exemplar 'phantom_000:99'" "$CMEMS" train --data "$T/data" --out "$T/r5" --exemplar phantom_000:99 $SMALL --iterations 1
cp "$T/run/weights.safetensors" "$T/w.bak"
expect_error "non-empty run folder refused" "not empty" "$CMEMS" train --data "$T/data" --out "$T/run" --iterations 2 $SMALL
check "refused run kept its weights" 'cmp -s "$T/w.bak" "$T/run/weights.safetensors"'
expect_error "predict into its input folder refused" "input folder" "$CMEMS" predict --model "$T/run" -i "$T/data/imagesTs" -o "$T/data/imagesTs/out"
echo '{"iterations": "x"}' >"$T/bad.json"
expect_error "bad config file" "bad.json" "$CMEMS" train --data "$T/data" --out "$T/r6" --config "$T/bad.json"
head -c 1000 "$T/data/imagesTs/phantom_500_0000.nii.gz" >"$T/trunc_0000.nii.gz"
mkdir -p "$T/tin" && mv "$T/trunc_0000.nii.gz" "$T/tin/"
expect_error "truncated NIfTI" "trunc_0000.nii.gz" "$CMEMS" predict --model "$T/run" -i "$T/tin" -o "$T/tout"
mkdir -p "$T/jin" && printf 'not a nifti file, just text' >"$T/jin/junk_0000.nii.gz"
expect_error "malformed NIfTI header" "junk_0000.nii.gz" "$CMEMS" predict --model "$T/run" -i "$T/jin" -o "$T/jout"
expect_error "corrupt weights" "weights.safetensors" bash -c "mkdir -p '$T/badrun' && head -c 100 '$T/run/weights.safetensors' >'$T/badrun/weights.safetensors' && exec '$CMEMS' predict --model '$T/badrun' -i '$T/data/imagesTs' -o '$T/p3'"

# kill -9 during training, then --resume: same weights as an uninterrupted run.
ARGS="--data $T/data --method cmems --iterations 40 --checkpoint-every 5 --log-every 5 $SMALL"
"$CMEMS" train $ARGS --out "$T/straight" >/dev/null 2>&1
"$CMEMS" train $ARGS --out "$T/killed" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [ -f "$T/killed/checkpoint.safetensors" ] && break
  sleep 0.05
done
sleep 0.3
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "killed before the end" '[ ! -f "$T/killed/weights.safetensors" ] || ! cmp -s "$T/killed/weights.safetensors" "$T/straight/weights.safetensors"'
check "resume after kill -9" '"$CMEMS" train $ARGS --out "$T/killed" --resume >/dev/null 2>&1'
check "resumed weights equal uninterrupted" 'cmp -s "$T/killed/weights.safetensors" "$T/straight/weights.safetensors"'
check "resumed metrics equal uninterrupted" 'cmp -s "$T/killed/metrics.jsonl" "$T/straight/metrics.jsonl"'

# SIGINT: a checkpoint is written, exit code 130, and --resume finishes identically.
"$CMEMS" train $ARGS --out "$T/interrupted" >/dev/null 2>"$T/int.err" &
pid=$!
for _ in $(seq 1 600); do
  [ -f "$T/interrupted/checkpoint.safetensors" ] && break
  sleep 0.05
done
kill -INT $pid; wait $pid; rc=$?
check "SIGINT exits 130 with a message" '[ $rc -eq 130 ] && grep -q "Continue with --resume" "$T/int.err"'
check "--resume alone (as the message says) after SIGINT keeps the run's length and equals uninterrupted" '"$CMEMS" train --data "$T/data" --out "$T/interrupted" --resume >/dev/null 2>&1 && cmp -s "$T/interrupted/weights.safetensors" "$T/straight/weights.safetensors" && grep -q "\"iterations\": 40" "$T/interrupted/config.json"'
check "--resume --iterations N makes a finished run longer" 'cp -r "$T/interrupted" "$T/longer" && "$CMEMS" train --data "$T/data" --out "$T/longer" --resume --iterations 45 >/dev/null 2>&1 && grep -q "\"iterations\": 45" "$T/longer/config.json" && [ "$(tail -1 "$T/longer/metrics.jsonl" | grep -o "\"iteration\":[0-9]*")" = "\"iteration\":45" ]'

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
