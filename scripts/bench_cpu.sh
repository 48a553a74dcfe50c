#!/usr/bin/env bash
# CPU side-by-side: the cmems training iteration (`cmems bench`: the method's own step,
# with its sampling, synthesis and augmentation) and the Python reference of its model step
# (Debian's python3-torch: the same networks, losses and backward on resident tensors),
# same batch, size, width and thread count. A single pair of timings on this machine varies
# by about ±15% from one run to the next, so the two programs alternate for ROUNDS rounds
# (cmems then Python, N timed iterations each, median per program and round) and the
# figure is the median over rounds of the per-round ratio Python ms / cmems ms.
# Writes results/bench_cpu.json (OUT=FILE elsewhere). EXTRA: more `cmems bench` flags;
# PY_EXTRA: more bench/reference_step.py flags (e.g. --channels-last).
# Usage: [ROUNDS=5] [N=7] [EXTRA="--perf.x y"] [PY_EXTRA=--channels-last] scripts/bench_cpu.sh [BATCH] [SIZE] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-4}; S=${2:-128}; T=${3:-2}; N=${N:-7}; R=${ROUNDS:-5}; OUT=${OUT:-results/bench_cpu.json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$R"); do
  # shellcheck disable=SC2086  # EXTRA and PY_EXTRA are words
  ./build/cmems bench --device cpu --batch.labeled "$B" --batch.unlabeled "$B" --data.size "$S" --threads "$T" \
    --repeat "$N" --warmup 2 --json ${EXTRA:-} > "$tmp/c$r.json"
  /usr/bin/python3 bench/reference_step.py --device cpu --batch "$B" --size "$S" --threads "$T" --iterations "$N" \
    --warmup 2 ${PY_EXTRA:-} > "$tmp/p$r.json"
  echo "round $r/$R done" >&2
done
/usr/bin/python3 - "$tmp" "$B" "$S" "$T" "$N" "$R" "${EXTRA:-}" "$OUT" "${PY_EXTRA:-}" <<'PY'
import json, os, platform, statistics, subprocess, sys
tmp, b, s, t, n, r, extra, out_path, py_extra = sys.argv[1:10]
r = int(r)
c = [json.load(open(f"{tmp}/c{i}.json")) for i in range(1, r + 1)]
p = [json.load(open(f"{tmp}/p{i}.json")) for i in range(1, r + 1)]
ratios = [pi["ms_per_step"] / ci["ms_per_iter"] for ci, pi in zip(c, p)]


def cpu_model():  # platform.processor() is empty on Debian
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
out = {"command": f"{'EXTRA=' + repr(extra) + ' ' if extra else ''}{'PY_EXTRA=' + repr(py_extra) + ' ' if py_extra else ''}ROUNDS={r} N={n} scripts/bench_cpu.sh {b} {s} {t}"
                  "  (cmems and Python alternate; per program and round the median of N timed iterations)",
       "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
                 + (" (with uncommitted changes)" if dirty else ""),
       "machine": f"CPU: {cpu_model()}, {os.cpu_count()} cores, Debian 12, LibTorch/PyTorch 1.13",
       "card": "cpu",
       "cmems_ms_per_iter_by_round": [round(x["ms_per_iter"], 1) for x in c],
       "python_ms_per_step_by_round": [round(x["ms_per_step"], 1) for x in p],
       "ratio_by_round": [round(x, 3) for x in ratios],
       "python_step_over_cmems_iteration": statistics.median(ratios),
       "cmems": c[-1], "python_reference": p[-1]}
json.dump(out, open(out_path, "w"), indent=2)
print(json.dumps({k: out[k] for k in ("command", "commit", "cmems_ms_per_iter_by_round", "python_ms_per_step_by_round",
                                       "ratio_by_round", "python_step_over_cmems_iteration")}, indent=2))
PY
