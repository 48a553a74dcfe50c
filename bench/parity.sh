#!/usr/bin/env bash
# Parity with plain PyTorch: trains cmems and the independent Python reference
# (bench/reference_train.py, SSL4MIS's recipe) at the same budget on the ACDC layout, one
# after the other (two torch processes at once on 2 cores slow both ~8x), evaluates both
# on val.list and prints their Dice side by side; writes one JSON with both loss curves.
#
#   bench/parity.sh [--data DIR] [--runs DIR] [--protocols "full supervised"]
#                   [--iterations N] [--size S] [--batch B] [--threads T] [--out FILE]
#
# Protocols: full (every training label; cmems --method full) and supervised (the
# exemplar alone, the default rule's slice; cmems --method supervised). Run folders go to
# --runs (default ../runs/parity, outside the repository). Needs build/cmems and Debian's
# python3-torch, python3-h5py, python3-scipy.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=$here/../shared/data/acdc runs=$here/../runs/parity protocols="full supervised"
iterations=1500 size=128 batch=4 threads=2 out=$here/results/parity_acdc.json
cmems=${CMEMS:-$here/build/cmems}
args="$*"  # recorded in the JSON as given
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2 ;; --runs) runs=$2 ;; --protocols) protocols=$2 ;; --iterations) iterations=$2 ;;
    --size) size=$2 ;; --batch) batch=$2 ;; --threads) threads=$2 ;; --out) out=$2 ;;
    *) echo "parity.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ -x "$cmems" ] || { echo "parity.sh: $cmems not found (build first)" >&2; exit 1; }
[ -f "$data/train_slices.list" ] || { echo "parity.sh: $data is not an ACDC folder" >&2; exit 1; }
mkdir -p "$runs"
for p in $protocols; do
  method=$p
  echo "== $p: cmems ==" >&2
  "$cmems" train --data "$data" --out "$runs/cmems-$p" --force --method "$method" --data.size "$size" \
    --batch.labeled "$batch" --batch.unlabeled "$batch" --iterations "$iterations" --threads "$threads" \
    > "$runs/cmems-$p.log" 2>&1
  "$cmems" evaluate --run "$runs/cmems-$p" --data "$data" --split val --out "$runs/cmems-$p/val.json" \
    >> "$runs/cmems-$p.log" 2>&1
  echo "== $p: Python reference ==" >&2
  exemplar=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['exemplar'])" "$runs/cmems-$p/config.json")
  /usr/bin/python3 "$here/bench/reference_train.py" --data "$data" --protocol "$p" --exemplar "$exemplar" \
    --size "$size" --batch "$batch" --iterations "$iterations" --threads "$threads" \
    --out "$runs/reference-$p.json" > "$runs/reference-$p.log" 2>&1
done
commit=$(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src bench || echo "+changes")
machine="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(. /etc/os-release; echo "$PRETTY_NAME")"
/usr/bin/python3 - "$runs" "$out" "$commit" "$machine" "$protocols" "$args" "$iterations" "$size" "$batch" "$threads" <<'EOF'
import json, sys, time
runs, out, commit, machine, protocols, args, iters, size, batch, threads = sys.argv[1:11]
res = {"what": "cmems vs an independent Python PyTorch reference (SSL4MIS recipe), same budget, ACDC val.list",
       "command": "bench/parity.sh " + args, "commit": commit, "machine": machine,
       "date": time.strftime("%Y-%m-%d"), "budget": {"iterations": int(iters), "size": int(size), "batch": int(batch),
       "threads": int(threads)}, "protocols": {}}
rows = []
for p in protocols.split():
    ev = json.load(open(f"{runs}/cmems-{p}/val.json"))
    cfg = json.load(open(f"{runs}/cmems-{p}/config.json"))
    curve = [[j["iteration"], j["loss"]] for j in map(json.loads, open(f"{runs}/cmems-{p}/metrics.jsonl"))]
    timing = json.load(open(f"{runs}/cmems-{p}/timing.json"))
    cm = {"mean_dice": ev["mean"]["dice"], "mean_hd95": ev["mean"]["hd95"],
          "dice": [ev["classes"][k]["dice"] for k in ("1", "2", "3")],
          "hd95": [ev["classes"][k]["hd95"] for k in ("1", "2", "3")],
          "train_seconds": round(timing["train_seconds"], 1), "exemplar": cfg["exemplar"], "loss_curve": curve}
    ref = json.load(open(f"{runs}/reference-{p}.json"))
    rf = dict(ref["val"], train_seconds=ref["train_seconds"], exemplar=ref["exemplar"], loss_curve=ref["loss_curve"])
    gap = cm["mean_dice"] - rf["mean_dice"]
    res["protocols"][p] = {"cmems": cm, "reference": rf, "dice_gap": gap}
    rows.append((p, cm, rf, gap))
with open(out, "w") as f:
    json.dump(res, f, indent=1)
    f.write("\n")
print(f"parity on ACDC val ({iters} iterations of {batch} slices at {size}², {threads} threads; commit {commit})")
print(f"{'protocol':<11}{'impl':<11}{'RV':>7}{'Myo':>7}{'LV':>7}{'mean':>7}{'HD95':>7}{'train s':>9}")
for p, cm, rf, gap in rows:
    for name, r in (("cmems", cm), ("reference", rf)):
        d = r["dice"]
        print(f"{p:<11}{name:<11}{d[0]:7.3f}{d[1]:7.3f}{d[2]:7.3f}{r['mean_dice']:7.3f}{r['mean_hd95']:7.2f}{r['train_seconds']:9.0f}")
    print(f"{p:<11}{'gap':<11}{'':>21}{gap:+7.3f}")
print(f"written: {out}")
EOF
