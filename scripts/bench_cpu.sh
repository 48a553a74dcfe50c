#!/usr/bin/env bash
# CPU side-by-side: the cmems training iteration (`cmems bench`: the method's own step,
# with its sampling, synthesis and augmentation) and the Python reference of its model step
# (Debian's python3-torch: the same networks, losses and backward on resident tensors),
# same batch, size, width and thread count. Writes
# results/bench_cpu.json. Usage: scripts/bench_cpu.sh [BATCH] [SIZE] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-4}; S=${2:-128}; T=${3:-2}; N=${N:-7}
C=$(./build/cmems bench --device cpu --batch.labeled "$B" --batch.unlabeled "$B" --data.size "$S" --threads "$T" \
  --repeat "$N" --warmup 2 --json)
P=$(/usr/bin/python3 bench/reference_step.py --device cpu --batch "$B" --size "$S" --threads "$T" --iterations "$N" --warmup 2)
/usr/bin/python3 - "$C" "$P" "$B" "$S" "$T" "$N" <<'PY'
import json, os, platform, subprocess, sys
c, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
b, s, t, n = sys.argv[3:7]
out = {"command": f"scripts/bench_cpu.sh {b} {s} {t}  (N={n} timed iterations, median)",
       "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
       "machine": f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Debian 12, LibTorch/PyTorch 1.13",
       "card": "cpu", "cmems": c, "python_reference": p,
       "python_step_over_cmems_iteration": p["ms_per_step"] / c["ms_per_iter"]}
json.dump(out, open("results/bench_cpu.json", "w"), indent=2)
print(json.dumps(out, indent=2))
PY
