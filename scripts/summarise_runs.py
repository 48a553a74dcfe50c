#!/usr/bin/python3
"""Collects RUN/eval.json files of an experiment folder (runs named METHOD-EXEMPLAR) into
one JSON with per-method mean ± std over exemplars and prints a Markdown table. Where a run
has them, it also collects RUN/eval_a.json (model a alone, `cmems evaluate --models a`),
RUN/timing.json (training seconds), RUN/command.txt (the command that trained it) and the
validation curve (val_dice lines of RUN/metrics.jsonl), and RUN/eval_lcc.json and
RUN/eval_a_lcc.json (the same with each class's largest connected component kept).
A row already in OUT.json whose run folder is absent from EXPERIMENT_DIR is kept as recorded
(marked "kept": the folders of runs made on an earlier machine are gone, their rows are not);
to drop such a row, delete it from OUT.json.
Usage: scripts/summarise_runs.py EXPERIMENT_DIR OUT.json "COMMAND" "MACHINE" """
import glob, json, os, statistics, sys

import repo_commit

exp, out_path, command, machine = sys.argv[1:5]


def mean_std(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


rows = {}
for ev in sorted(glob.glob(os.path.join(exp, "*", "eval.json"))):
    run = os.path.dirname(ev)
    cfg = json.load(open(os.path.join(run, "config.json")))
    e = json.load(open(ev))
    r = rows.setdefault(cfg["method"], {"runs": []})
    row = {"run": os.path.basename(run), "exemplar": cfg["exemplar"], "seed": cfg["seed"],
           "iterations": cfg["iterations"], "mean_dice": e["mean"]["dice"], "mean_hd95": e["mean"]["hd95"],
           "classes": {k: {"name": v["name"], "dice": v["dice"], "hd95": v["hd95"]} for k, v in e["classes"].items()}}
    extra = {"eval_a.json": lambda j: {"model_a_mean_dice": j["mean"]["dice"], "model_a_mean_hd95": j["mean"]["hd95"]},
             "timing.json": lambda j: {"train_seconds": round(j["train_seconds"], 1)},
             "eval_lcc.json": lambda j: {"lcc": {"mean_dice": j["mean"]["dice"], "mean_hd95": j["mean"]["hd95"],
                                                 "classes": {k: {"name": v["name"], "dice": v["dice"], "hd95": v["hd95"]}
                                                             for k, v in j["classes"].items()}}},
             "eval_a_lcc.json": lambda j: {"model_a_lcc_mean_dice": j["mean"]["dice"]}}
    for name, f in extra.items():
        p = os.path.join(run, name)
        if os.path.exists(p):
            row.update(f(json.load(open(p))))
    if e.get("qc", {}).get("spearman_qc_score_vs_case_dice") is not None:
        row["qc_spearman_rho"] = e["qc"]["spearman_qc_score_vs_case_dice"]
    if os.path.exists(os.path.join(run, "command.txt")):
        row["command"] = open(os.path.join(run, "command.txt")).read().strip()
    curve = [[j["iteration"], j["val_dice"]] for j in map(json.loads, open(os.path.join(run, "metrics.jsonl")))
             if "val_dice" in j]
    if curve:
        row["val_curve"] = curve
    r["runs"].append(row)
if os.path.exists(out_path):
    for m, r in json.load(open(out_path))["methods"].items():
        for row in r["runs"]:
            if not os.path.isdir(os.path.join(exp, row["run"])):
                row["kept"] = True
                rows.setdefault(m, {"runs": []})["runs"].append(row)
for r in rows.values():
    r["runs"].sort(key=lambda x: x["run"])
for m, r in rows.items():
    r["mean_dice"], r["std_dice"] = mean_std([x["mean_dice"] for x in r["runs"]])
    r["mean_hd95"], r["std_hd95"] = mean_std([x["mean_hd95"] for x in r["runs"]])
    if all("lcc" in x for x in r["runs"]):  # --infer.lcc true (scripts/experiment.sh's eval_lcc.json)
        r["lcc_mean_dice"], r["lcc_std_dice"] = mean_std([x["lcc"]["mean_dice"] for x in r["runs"]])
        r["lcc_mean_hd95"], r["lcc_std_hd95"] = mean_std([x["lcc"]["mean_hd95"] for x in r["runs"]])


def acceptance(rows, target=0.70):
    """Issue 10's check, computed from the runs: `cmems`' mean Dice over its exemplars reaches
    TARGET, and on the exemplars it shares with each baseline its mean is above the baseline's;
    raw and with LCC. `complete` says whether every method has the exemplars the table needs."""
    need = {"supervised": 3, "supervised-synth": 3, "unimatch": 3, "cps": 3, "cmems": 3, "fixmatch": 1}
    if "cmems" not in rows:
        return None
    out = {"target": target, "complete": all(len(rows.get(m, {"runs": []})["runs"]) >= n for m, n in need.items())}
    for key, get in (("raw", lambda x: x["mean_dice"]), ("lcc", lambda x: x.get("lcc", {}).get("mean_dice"))):
        cm = {x["exemplar"]: get(x) for x in rows["cmems"]["runs"]}
        if None in cm.values():
            continue
        res = {"cmems_mean": statistics.mean(cm.values()), "cmems_exemplars": len(cm), "baselines": {}}
        for m in ("supervised", "supervised-synth", "fixmatch", "unimatch", "cps"):
            b = {x["exemplar"]: get(x) for x in rows.get(m, {"runs": []})["runs"] if x["exemplar"] in cm}
            if b and None not in b.values():
                c, v = statistics.mean(cm[e] for e in b), statistics.mean(b.values())
                res["baselines"][m] = {"exemplars": sorted(b), "mean": v, "cmems_mean_same_exemplars": c, "cmems_above": c > v}
        res["met"] = res["cmems_mean"] >= target and all(x["cmems_above"] for x in res["baselines"].values())
        out[key] = res
    return out


out = {"command": command, "machine": machine, "commit": repo_commit.commit(), "methods": rows, "acceptance": acceptance(rows)}
json.dump(out, open(out_path, "w"), indent=1)
order = ["supervised", "supervised-synth", "fixmatch", "unimatch", "cps", "cmems-ip", "cmems-fp", "cmems", "full"]
print("| method | exemplars | mean Dice (± std) | mean HD95 (± std) | with LCC: Dice (± std) | HD95 | per exemplar Dice (model a alone) |")
print("|---|---|---|---|---|---|---|")
for m in [x for x in order if x in rows] + [x for x in rows if x not in order]:
    r = rows[m]
    per = ", ".join(f"{x['exemplar']}: {x['mean_dice']:.3f}" +
                    (f" ({x['model_a_mean_dice']:.3f})" if "model_a_mean_dice" in x and m in order[4:8] else "")
                    for x in r["runs"])
    lcc = (f"{r['lcc_mean_dice']:.3f} ± {r['lcc_std_dice']:.3f} | {r['lcc_mean_hd95']:.2f}" if "lcc_mean_dice" in r
           else "– | –")
    print(f"| `{m}` | {len(r['runs'])} | {r['mean_dice']:.3f} ± {r['std_dice']:.3f} | {r['mean_hd95']:.2f} ± {r['std_hd95']:.2f} | {lcc} | {per} |")
acc = out["acceptance"]
for key in ("raw", "lcc"):
    if acc and key in acc:
        a = acc[key]
        vs = ", ".join(f"{m} {b['mean']:.3f} vs {b['cmems_mean_same_exemplars']:.3f}" for m, b in a["baselines"].items())
        print(f"acceptance ({key}): cmems {a['cmems_mean']:.3f} over {a['cmems_exemplars']} exemplar(s), target "
              f"{acc['target']:.2f}; baselines vs cmems on the same exemplars: {vs}; met: {a['met']}"
              f"{'' if acc['complete'] else ' so far (table incomplete, not a verdict)'}")
