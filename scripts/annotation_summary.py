#!/usr/bin/python3
"""Summarises scripts/annotation_curve.sh's runs: per start exemplar and strategy, the mean Dice
(and per class) on the scored split at each number of annotated slices, with the slices, the
commands' settings and the commit. Usage: scripts/annotation_summary.py RUNS OUT.json"""
import glob, json, os, platform, subprocess, sys

runs, out = sys.argv[1], sys.argv[2]
res = {"what": "Issue 36 annotation curve: Dice on the scored split with 1, 2, 4, 8 annotated slices, "
               "the slices after the first chosen by cmems suggest, a fixed rule or at random",
       "machine": os.environ.get("MACHINE", platform.platform()),
       "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
       "starts": {}}
for start_file in sorted(glob.glob(os.path.join(runs, "*.start"))):
    tag = os.path.basename(start_file)[:-6]
    start = open(start_file).read().strip()
    entry = {"strategies": {}}
    for d in sorted(glob.glob(os.path.join(runs, tag, "*"))):
        ev = os.path.join(d, "eval.json")
        if not os.path.exists(ev):
            continue
        name = os.path.basename(d)
        strategy, n = ("start", 1) if name == "1" else (name.rsplit("-", 1)[0], int(name.rsplit("-", 1)[1]))
        e = json.load(open(ev))
        ex = os.path.join(d, "exemplars.txt")
        slices = [l.strip() for l in open(ex)] if os.path.exists(ex) else [start]
        cfg = json.load(open(os.path.join(d, "config.json")))
        entry["strategies"].setdefault(strategy, []).append(
            {"slices": n, "dice": e["mean"]["dice"], "hd95": e["mean"]["hd95"],
             "per_class": {v["name"]: v["dice"] for v in e["classes"].values()}, "exemplars": slices,
             "method": cfg["method"], "iterations": cfg.get("iterations")})
    for v in entry["strategies"].values():
        v.sort(key=lambda r: r["slices"])
    res["starts"][start] = entry
json.dump(res, open(out, "w"), indent=1)
print(json.dumps({s: {k: [(r["slices"], round(r["dice"], 4)) for r in v] for k, v in e["strategies"].items()}
                  for s, e in res["starts"].items()}, indent=1))
