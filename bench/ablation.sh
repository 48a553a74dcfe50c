#!/usr/bin/env bash
# What each parity cause is worth: trains `cmems --method full` at the parity budget
# (bench/parity.sh) once per flag set, one run at a time, evaluates on ACDC val.list and
# writes one JSON row per set.
#
#   bench/ablation.sh [--data DIR] [--runs DIR] [--out FILE] [--iterations N] -- "FLAGS" ["FLAGS" ...]
#
# Example (the defaults before issue 9, then each cause alone):
#   bench/ablation.sh -- "--model.init kaiming_xavier --weak.mode all" "--weak.mode all" \
#       "--model.init kaiming_xavier" ""
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=$here/../shared/data/acdc runs=$here/../runs/ablation out=$here/results/parity_ablation.json iterations=1500
cmems=${CMEMS:-$here/build/cmems}
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --data) data=$2 ;; --runs) runs=$2 ;; --out) out=$2 ;; --iterations) iterations=$2 ;;
    *) echo "ablation.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "ablation.sh: give flag sets after --" >&2; exit 2; }
mkdir -p "$runs"
i=0
for flags in "$@"; do
  i=$((i + 1))
  echo "== run $i: ${flags:-(defaults)} ==" >&2
  # shellcheck disable=SC2086
  "$cmems" train --data "$data" --out "$runs/run$i" --force --method full --data.size 128 --batch.labeled 4 \
    --batch.unlabeled 4 --iterations "$iterations" --threads 2 $flags > "$runs/run$i.log" 2>&1
  "$cmems" evaluate --run "$runs/run$i" --data "$data" --split val --out "$runs/run$i/val.json" >> "$runs/run$i.log" 2>&1
  printf '%s\n' "$flags" > "$runs/run$i/flags.txt"
done
commit=$(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src || echo "+changes")
machine="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
/usr/bin/python3 - "$runs" "$out" "$commit" "$machine" "$iterations" "$i" <<'EOF'
import json, sys, time
runs, out, commit, machine, iters, n = sys.argv[1:7]
rows = []
for k in range(1, int(n) + 1):
    ev = json.load(open(f"{runs}/run{k}/val.json"))
    flags = open(f"{runs}/run{k}/flags.txt").read().strip()
    last = [json.loads(l) for l in open(f"{runs}/run{k}/metrics.jsonl")][-10:]
    rows.append({"flags": flags, "mean_dice": ev["mean"]["dice"], "mean_hd95": ev["mean"]["hd95"],
                 "dice": [ev["classes"][c]["dice"] for c in ("1", "2", "3")],
                 "final_loss_mean_of_last_10_logs": sum(j["loss"] for j in last) / len(last)})
res = {"what": "cmems --method full on ACDC val.list at the parity budget, one row per flag set",
       "command": f"cmems train --method full --data.size 128 --batch.labeled 4 --iterations {iters} --threads 2 FLAGS; "
                  "cmems evaluate --split val", "commit": commit, "machine": machine, "date": time.strftime("%Y-%m-%d"),
       "rows": rows}
json.dump(res, open(out, "w"), indent=1)
print(f"{'flags':<50}{'RV':>7}{'Myo':>7}{'LV':>7}{'mean':>7}{'HD95':>7}")
for r in rows:
    d = r["dice"]
    print(f"{r['flags'] or '(defaults)':<50}{d[0]:7.3f}{d[1]:7.3f}{d[2]:7.3f}{r['mean_dice']:7.3f}{r['mean_hd95']:7.2f}")
EOF
