#!/usr/bin/env bash
# ATen operator calls per training iteration, cmems against the Python reference step, at one
# setting (issue 34, item 1): `cmems bench` counts its iteration per stage (batch, forward,
# losses, backward, optimizer, other), bench/reference_step.py counts its step with
# torch.profiler (Debian's python3-torch); nested calls count on both sides. The counts do not
# depend on the machine: they are the CPU-side proxy for GPU launch overhead. Appends a labelled
# entry to results/op_counts.json. Usage: scripts/op_counts.sh LABEL [BATCH] [SIZE] [METHOD]
set -euo pipefail
cd "$(dirname "$0")/.."
L=${1:?label}; B=${2:-4}; S=${3:-128}; M=${4:-cmems}
C=$(./build/cmems bench --device cpu --method "$M" --batch.labeled "$B" --batch.unlabeled "$B" --data.size "$S" \
  --threads 2 --repeat 1 --warmup 1 --json)
P=$(/usr/bin/python3 bench/reference_step.py --device cpu --batch "$B" --size "$S" --threads 2 --iterations 1 --warmup 1)
/usr/bin/python3 - "$L" "$C" "$P" "$B" "$S" "$M" <<'PY'
import json, os, subprocess, sys
label, c, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
b, s, m = sys.argv[4:7]
ops = c["aten_ops_per_iter"]
path = "results/op_counts.json"
out = json.load(open(path)) if os.path.exists(path) else {
    "what": "ATen operator calls per training iteration (all, nested calls included; and 'top_level': those no "
            "aten op calls, what the code issues), cmems `bench` per stage "
            "against bench/reference_step.py (torch.profiler); the Python step has no data pipeline (its "
            "inputs are made once), so compare its total with cmems' total less 'batch'",
    "entries": []}
model_step = ops["total"] - ops["batch"]
entry = {"label": label, "command": f"scripts/op_counts.sh {label} {b} {s} {m}",
         "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
                   + ("" if subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src", "bench"]).returncode == 0 else "-dirty"),
         "setting": {"method": m, "batch": [int(b), int(b)], "size": int(s), "width": c["width"]},
         "cmems": ops, "cmems_without_batch": model_step, "python_reference": p["aten_ops_per_step"],
         "cmems_without_batch_over_python": round(model_step / p["aten_ops_per_step"], 3),
         "top_level": {"cmems": ops["top_level"], "cmems_without_batch": ops["top_level"]["total"] - ops["top_level"]["batch"],
                       "python_reference": p["aten_top_level_ops_per_step"]}}
out["entries"] = [e for e in out["entries"] if e["label"] != label] + [entry]
json.dump(out, open(path, "w"), indent=1)
print(json.dumps(entry, indent=1))
PY
