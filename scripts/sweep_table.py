#!/usr/bin/python3
"""Summarises a folder of experiment folders (RUNS/FOLDER/METHOD-EXEMPLAR, as scripts/gpu_table.sh
leaves them): each folder through scripts/summarise_runs.py (its Markdown table), every folder's
summary in OUT.json, and last one line a run — finished runs with their Dice and Dice with each
class's largest component kept, unfinished ones with the last point of their validation curve.
Usage: scripts/sweep_table.py RUNS OUT.json "COMMAND" "MACHINE" """
import glob, json, os, subprocess, sys, tempfile

runs, out_path, command, machine = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
folders, lines = {}, []
for folder in sorted(d for d in glob.glob(os.path.join(runs, "*")) if os.path.isdir(d)):
    name = os.path.basename(folder)
    if glob.glob(os.path.join(folder, "*", "eval.json")):
        with tempfile.TemporaryDirectory() as tmp:  # a fresh OUT: summarise_runs.py merges into an existing one
            print(f"## {name}")
            summary = os.path.join(tmp, "summary.json")
            subprocess.run([sys.executable, os.path.join(here, "summarise_runs.py"), folder, summary, command, machine],
                           check=True)
            folders[name] = json.load(open(summary))
    for run in sorted(d for d in glob.glob(os.path.join(folder, "*")) if os.path.isdir(d)):
        metrics = os.path.join(run, "metrics.jsonl")
        if not os.path.exists(metrics):
            continue
        curve = [(j["iteration"], j["val_dice"]) for j in map(json.loads, filter(str.strip, open(metrics)))
                 if "val_dice" in j]
        score = lambda f: json.load(open(os.path.join(run, f)))["mean"]["dice"] if os.path.exists(os.path.join(run, f)) else None
        lines.append({"folder": name, "run": os.path.basename(run), "curve": curve,
                      "dice": score("eval.json"), "lcc_dice": score("eval_lcc.json")})
json.dump({"command": command, "machine": machine, "folders": folders, "runs": lines}, open(out_path, "w"), indent=1)
print(f"\n{'folder':<16} {'run':<44} {'Dice':>6} {'LCC':>6}  curve (val Dice at 250, 500, ...)")
fmt = lambda x: f"{x:6.3f}" if x is not None else "     -"
for r in lines:
    print(f"{r['folder']:<16} {r['run']:<44} {fmt(r['dice'])} {fmt(r['lcc_dice'])}  "
          + " ".join(f"{d:.3f}" for _, d in r["curve"]) + ("" if r["dice"] is not None else " (stopped)"))
if not lines:
    sys.exit(1)
