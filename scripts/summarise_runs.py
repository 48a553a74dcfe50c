#!/usr/bin/python3
"""Collects RUN/eval.json files of an experiment folder (runs named METHOD-EXEMPLAR) into
one JSON with per-method mean ± std over exemplars and prints a Markdown table.
Usage: scripts/summarise_runs.py EXPERIMENT_DIR OUT.json "COMMAND" "MACHINE" """
import glob, json, os, statistics, subprocess, sys

exp, out_path, command, machine = sys.argv[1:5]
rows = {}
for ev in sorted(glob.glob(os.path.join(exp, "*", "eval.json"))):
    run = os.path.dirname(ev)
    cfg = json.load(open(os.path.join(run, "config.json")))
    e = json.load(open(ev))
    r = rows.setdefault(cfg["method"], {"runs": []})
    r["runs"].append({"exemplar": cfg["exemplar"], "seed": cfg["seed"], "iterations": cfg["iterations"],
                      "mean_dice": e["mean"]["dice"], "mean_hd95": e["mean"]["hd95"],
                      "classes": {k: {"dice": v["dice"], "hd95": v["hd95"]} for k, v in e["classes"].items()}})
for m, r in rows.items():
    d = [x["mean_dice"] for x in r["runs"]]
    h = [x["mean_hd95"] for x in r["runs"]]
    r["mean_dice"], r["std_dice"] = statistics.mean(d), (statistics.stdev(d) if len(d) > 1 else 0.0)
    r["mean_hd95"], r["std_hd95"] = statistics.mean(h), (statistics.stdev(h) if len(h) > 1 else 0.0)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
out = {"command": command, "machine": machine, "commit": commit, "methods": rows}
json.dump(out, open(out_path, "w"), indent=2)
order = ["supervised", "supervised-synth", "fixmatch", "unimatch", "cps", "cmems-ip", "cmems-fp", "cmems", "full"]
print("| method | exemplars | mean Dice (± std) | mean HD95 (± std) | per exemplar Dice |")
print("|---|---|---|---|---|")
for m in [x for x in order if x in rows] + [x for x in rows if x not in order]:
    r = rows[m]
    per = ", ".join(f"{x['exemplar']}: {x['mean_dice']:.3f}" for x in r["runs"])
    print(f"| `{m}` | {len(r['runs'])} | {r['mean_dice']:.3f} ± {r['std_dice']:.3f} | {r['mean_hd95']:.2f} ± {r['std_hd95']:.2f} | {per} |")
