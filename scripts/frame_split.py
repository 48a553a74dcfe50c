#!/usr/bin/python3
"""Per-class val Dice of runs split by the case's frame (ACDC: frame01 = end-diastole, the
frame of the default exemplar; frame02 = end-systole), from each RUN/eval.json (and
RUN/eval_lcc.json where present). Prints one Markdown row a run and, with OUT.json, writes them.
A row already in OUT.json of a run not named now is kept as recorded, with the command that
made it: add one run's rows without naming every earlier run again, and keep the rows of runs
whose folders are gone (made on an earlier machine). The recorded command names this script
and OUT.json relative to the repository, wherever it was run from (the run folders as given).
Usage: scripts/frame_split.py [--out OUT.json] RUN [RUN...]"""
import json, os, re, statistics, sys

args = sys.argv[1:]
out_path = None
if args[:1] == ["--out"]:
    out_path, args = args[1], args[2:]
if not args:
    sys.exit(__doc__)
rows = []
print("| run | scores | frame | RV | Myo | LV | mean |")
print("|---|---|---|---|---|---|---|")
for run in args:
    for f in ("eval.json", "eval_lcc.json"):
        p = os.path.join(run, f)
        if not os.path.exists(p):
            continue
        e = json.load(open(p))
        groups = {}
        for c in e["cases"]:
            m = re.search(r"_(frame\d+)$", c["case"])
            groups.setdefault(m.group(1) if m else "other", []).append(c)
        for g, cases in sorted(groups.items()):
            per = {e["classes"][k]["name"]: statistics.mean(c["classes"][k]["dice"] for c in cases) for k in e["classes"]}
            mean = statistics.mean(per.values())
            rows.append({"run": os.path.normpath(run), "scores": f, "frame": g, "cases": len(cases), "dice": per, "mean_dice": mean})
            print(f"| {os.path.basename(os.path.normpath(run))} | {f} | {g} ({len(cases)}) | "
                  + " | ".join(f"{v:.3f}" for v in per.values()) + f" | {mean:.3f} |")
if out_path:
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_abs = os.path.abspath(out_path)
    out_shown = os.path.relpath(out_abs, repo) if out_abs.startswith(repo + os.sep) else out_path
    command = ["scripts/frame_split.py", "--out", out_shown] + args
    out = {"command": " ".join(command), "rows": rows}
    if os.path.exists(out_path):
        old = json.load(open(out_path))
        named = {os.path.normpath(run) for run in args}
        kept = [r for r in old["rows"] if r["run"] not in named]
        if kept:
            out["rows"] += kept
            earlier = old.get("earlier_commands", []) + [old["command"]]
            out["earlier_commands"] = [c for i, c in enumerate(earlier) if c not in earlier[:i]]
        out.update({k: v for k, v in old.items() if k not in out and k not in ("rows", "command")})
    json.dump(out, open(out_path, "w"), indent=1)
