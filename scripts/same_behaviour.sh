#!/usr/bin/env bash
# Shows that two cmems binaries behave the same: each trains every method on the same small
# phantom data at the same seed and threads, then evaluates, predicts and runs the demo; the
# weights, metrics.jsonl, config.json, reports, predictions and demo table are compared.
#   scripts/same_behaviour.sh OLD_CMEMS NEW_CMEMS OUT.json [WORK]
# Prints one line a comparison and writes OUT.json; exits 1 where anything differs.
# One torch process at a time; --threads 1 for training, the demo uses every core.
set -euo pipefail
OLD=$(realpath "$1") NEW=$(realpath "$2") OUT=$3
WORK=${4:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$WORK"
SMALL="--iterations 12 --data.size 32 --model.width 4 --batch.labeled 2 --batch.unlabeled 2 --threads 1 --log-every 4 --pseudo.threshold 0.5 --val-every 6"
[ -d data ] || "$NEW" phantom --out data --cases 4 --test-cases 2 >/dev/null
"$NEW" list >list.txt
METHODS=$(awk '/^methods/{m=1; next} m && NF==0{exit} m{print $1}' list.txt)
[ -n "$METHODS" ] || { echo "same_behaviour.sh: no methods in '$NEW list'" >&2; exit 1; }

same=1 rows=""
compare() {  # compare NAME A B: files or folders
  if diff -rq "$2" "$3" >/dev/null; then r=true; else r=false same=0; fi
  echo "$1: identical=$r"
  rows+="\"$1\": $r, "
}
for m in $METHODS; do
  for v in old new; do
    bin=$OLD; [ $v = new ] && bin=$NEW
    rm -rf "$v-$m"
    "$bin" train --data data --out "$v-$m" --method "$m" $SMALL >/dev/null 2>&1
  done
  for f in weights.safetensors metrics.jsonl config.json; do compare "train.$m.$f" "old-$m/$f" "new-$m/$f"; done
done
for v in old new; do
  bin=$OLD; [ $v = new ] && bin=$NEW
  rm -rf "$v-eval" "$v-pred" "$v-demo" && mkdir "$v-eval"
  "$bin" evaluate --run old-cmems --data data --threads 1 --out "$v-eval/cmems.json" >/dev/null
  "$bin" evaluate --run old-cps --data data --threads 1 --models a --out "$v-eval/cps_a.json" >/dev/null
  "$bin" predict --model old-cmems -i data/imagesTs -o "$v-pred" --threads 1 >/dev/null 2>&1
  "$bin" demo --out "$v-demo" 2>/dev/null | sed -n '/^class/,/^QC:/p' >"$v-demo.txt"
done
compare evaluate old-eval new-eval
compare predict old-pred new-pred
compare demo_table old-demo.txt new-demo.txt
compare demo_weights old-demo/run/weights.safetensors new-demo/run/weights.safetensors
[ -s new-demo.txt ] || { echo "same_behaviour.sh: the demo printed no table" >&2; same=0; }

python3 - "$OUT" "$same" "{${rows%, }}" new-demo.txt <<'EOF'
import json, sys
out, same, rows, demo = sys.argv[1], sys.argv[2] == "1", json.loads(sys.argv[3]), open(sys.argv[4]).read()
json.dump({"identical": same, "comparisons": rows, "demo_table": demo}, open(out, "w"), indent=1)
EOF
echo "all identical: $([ $same = 1 ] && echo yes || echo NO)"
[ $same = 1 ]
